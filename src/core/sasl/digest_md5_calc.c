/*
 * sqauth core: DIGEST-MD5 (RFC 2831 §2.1.2.1 response-value, §2.1.3
 * rspauth) hash maths over sasl/md5.h. See digest_md5_calc.h for the
 * formulas.
 *
 * The hashes, and what each waits for:
 *
 *   U  = H(username:realm:passwd)            nothing
 *   A2 = H("AUTHENTICATE:" digest-uri ...)   nothing
 *   S2 = H(":" digest-uri ...)               nothing (rspauth only)
 *   A1 = H(U:nonce:cnonce[:authzid])         U
 *   KD = H(HEX(A1):nonce:...:HEX(A2))        A1, A2
 *   KS = H(HEX(A1):nonce:...:HEX(S2))        A1, S2 (rspauth only)
 *
 * md5.c computes two independent hashes in about 1.3 times the time of
 * one, so they go in pairs: U with A2, then A1 with S2, then KD with KS.
 * With the usual lengths (a 32-character cnonce: A1 2 blocks, KD 3) the
 * response takes 6 block times for 7 blocks, and rspauth with it no more.
 *
 * The messages are written one after the other into one buffer (on the
 * stack for usual lengths), each hash's result into the message that
 * needs it. That buffer holds the password, U and HEX(H(A1)): it is
 * cleansed, like the intermediates; md5.c cleanses its states and copies.
 */
#include "digest_md5_calc.h"
#include "md5.h"

#include <stdlib.h>
#include <string.h>

#define HEX_LEN (2 * SQAUTH_DIGEST_MD5_HASH_LEN)

/* Room on the stack for the messages of one computation with usual
 * lengths; longer ones go to the heap. */
#define STACK_ROOM 1024

static const char zero_hash_hex[] = ":00000000000000000000000000000000";

static int check_params(const sqauth_digest_md5_params *p, sqauth_error *err)
{
    if (!p->username.data || !p->realm.data || !p->password.data || !p->nonce.data || !p->cnonce.data
        || !p->digest_uri.data || !p->nc || !p->qop) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "DIGEST-MD5: incomplete input to the hash computation");
    }
    return SQAUTH_OK;
}

static unsigned char *put(unsigned char *w, const void *p, size_t n)
{
    if (n) {
        memcpy(w, p, n);
    }
    return w + n;
}

static unsigned char *put_str(unsigned char *w, sqauth_str s)
{
    return put(w, s.data, s.len);
}

int sqauth_digest_md5_compute(const sqauth_digest_md5_params *p, unsigned char ha1[SQAUTH_DIGEST_MD5_HASH_LEN],
                              unsigned char response[SQAUTH_DIGEST_MD5_HASH_LEN],
                              unsigned char rspauth[SQAUTH_DIGEST_MD5_HASH_LEN], sqauth_error *err)
{
    unsigned char room[STACK_ROOM], *base = room, *w;
    unsigned char *u, *a2, *a1, *kd, *ks;
    unsigned char ha2[SQAUTH_DIGEST_MD5_HASH_LEN], server_ha2[SQAUTH_DIGEST_MD5_HASH_LEN];
    sqauth_md5_state m, o;
    size_t u_len, a2_len, a1_len, kd_len, nc_len, qop_len, need;
    int rc, layer, authz;

    memset(ha1, 0, SQAUTH_DIGEST_MD5_HASH_LEN);
    memset(response, 0, SQAUTH_DIGEST_MD5_HASH_LEN);
    if (rspauth) {
        memset(rspauth, 0, SQAUTH_DIGEST_MD5_HASH_LEN);
    }
    rc = check_params(p, err);
    if (rc == SQAUTH_OK) {
        rc = sqauth_md5_permitted(err);
    }
    if (rc != SQAUTH_OK) {
        return rc;
    }
    layer = strcmp(p->qop, "auth") != 0;
    authz = p->authzid.data && p->authzid.len;
    nc_len = strlen(p->nc);
    qop_len = strlen(p->qop);

    /* Every message, one after the other (sizes: see below). */
    u_len = p->username.len + 1 + p->realm.len + 1 + p->password.len;
    a2_len = 13 + p->digest_uri.len + (layer ? sizeof(zero_hash_hex) - 1 : 0);
    a1_len = SQAUTH_DIGEST_MD5_HASH_LEN + 1 + p->nonce.len + 1 + p->cnonce.len + (authz ? 1 + p->authzid.len : 0);
    kd_len = HEX_LEN + 1 + p->nonce.len + 1 + nc_len + 1 + p->cnonce.len + 1 + qop_len + 1 + HEX_LEN;
    need = u_len + a2_len + a1_len + 2 * kd_len;
    if (need > sizeof(room)) {
        base = malloc(need);
        if (!base) {
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
    }

    /* { username, ":", realm, ":", passwd }: its hash U is what a server
     * may store instead of the password. */
    u = w = base;
    w = put_str(w, p->username);
    *w++ = ':';
    w = put_str(w, p->realm);
    *w++ = ':';
    w = put_str(w, p->password);

    /* A2: the client's response covers "AUTHENTICATE:" digest-uri, the
     * server's rspauth only ":" digest-uri (the same bytes from the
     * colon on), so a fake server cannot pass the client's own response
     * back as its proof. With a security layer both gain ":" and 32
     * zeros, the place HTTP Digest auth-int keeps for the entity-body
     * hash. */
    a2 = w;
    w = put(w, "AUTHENTICATE:", 13);
    w = put_str(w, p->digest_uri);
    if (layer) {
        w = put(w, zero_hash_hex, sizeof(zero_hash_hex) - 1);
    }

    /* A1 = { U, ":", nonce, ":", cnonce [, ":", authzid] } with the 16 raw
     * bytes of U, not their hex: U goes in front once computed. */
    a1 = w;
    w += SQAUTH_DIGEST_MD5_HASH_LEN;
    *w++ = ':';
    w = put_str(w, p->nonce);
    *w++ = ':';
    w = put_str(w, p->cnonce);
    if (authz) {
        *w++ = ':';
        w = put_str(w, p->authzid);
    }

    /* KD(HEX(H(A1)), { nonce, ":", nc, ":", cnonce, ":", qop, ":", HEX(H(A2)) }):
     * the hex digits go in once computed; rspauth's (ks) differs only in
     * the last 32. */
    kd = w;
    w += HEX_LEN;
    *w++ = ':';
    w = put_str(w, p->nonce);
    *w++ = ':';
    w = put(w, p->nc, nc_len);
    *w++ = ':';
    w = put_str(w, p->cnonce);
    *w++ = ':';
    w = put(w, p->qop, qop_len);
    *w++ = ':';
    ks = w + HEX_LEN;

    /* U with A2, then A1 with rspauth's A2, then the response's KD with
     * rspauth's. */
    sqauth_md5_start(&m);
    sqauth_md5_start(&o);
    sqauth_md5_finish2(&m, u, u_len, a1, &o, a2, a2_len, ha2);
    sqauth_md5_start(&m);
    if (rspauth) {
        sqauth_md5_start(&o);
        sqauth_md5_finish2(&m, a1, a1_len, ha1, &o, a2 + 12, a2_len - 12, server_ha2);
    } else {
        sqauth_md5_finish(&m, a1, a1_len, ha1);
    }
    sqauth_md5_hex((char *)kd, ha1);
    sqauth_md5_hex((char *)kd + kd_len - HEX_LEN, ha2);
    sqauth_md5_start(&m);
    if (rspauth) {
        memcpy(ks, kd, kd_len - HEX_LEN);
        sqauth_md5_hex((char *)ks + kd_len - HEX_LEN, server_ha2);
        sqauth_md5_start(&o);
        sqauth_md5_finish2(&m, kd, kd_len, response, &o, ks, kd_len, rspauth);
    } else {
        sqauth_md5_finish(&m, kd, kd_len, response);
    }

    /* The password, U, A1's hash in hex: all in base. */
    sqauth_cleanse(base, need);
    if (base != room) {
        free(base);
    }
    sqauth_cleanse(ha2, sizeof(ha2));
    sqauth_cleanse(server_ha2, sizeof(server_ha2));
    return SQAUTH_OK;
}
