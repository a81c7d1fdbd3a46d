/*
 * sqauth core: DIGEST-MD5 (RFC 2831 §2.1.2.1 response-value, §2.1.3
 * rspauth) hash maths over sasl/md5.h. See digest_md5_calc.h for the
 * formulas.
 *
 * Each hash's parts are copied into one stack buffer and hashed with a
 * single update: even on the low-level MD5 path an update costs about a
 * hundred instructions of its own, and the four hashes of a response have
 * 23 parts (callgrind). The buffer holds secret input (the password,
 * H(A1)); it is cleansed after each hash, like the 16-byte intermediates
 * and their hex forms, and sqauth_md5_release() cleanses the MD5 state.
 * Inputs longer than the buffer are fed part by part.
 */
#include "digest_md5_calc.h"
#include "md5.h"

#include <string.h>

#define HEX_LEN (2 * SQAUTH_DIGEST_MD5_HASH_LEN)

static const char zero_hash_hex[] = ":00000000000000000000000000000000";

/* H({parts[0], parts[1], ...}) on c, which one computation reuses for all
 * its hashes. */
static int md5_parts(sqauth_md5_ctx *c, unsigned char out[SQAUTH_DIGEST_MD5_HASH_LEN], const sqauth_str *parts,
                     size_t count, sqauth_error *err)
{
    unsigned char joined[512];
    size_t i, total = 0;
    int rc = sqauth_md5_init(c, err);

    for (i = 0; i < count; i++) {
        total += parts[i].len;
    }
    if (rc == SQAUTH_OK && total <= sizeof(joined)) {
        for (i = 0, total = 0; i < count; i++) {
            if (parts[i].len) {
                memcpy(joined + total, parts[i].data, parts[i].len);
                total += parts[i].len;
            }
        }
        rc = sqauth_md5_update(c, joined, total, err);
        sqauth_cleanse(joined, total);
    } else {
        for (i = 0; rc == SQAUTH_OK && i < count; i++) {
            rc = sqauth_md5_update(c, parts[i].data, parts[i].len, err);
        }
    }
    if (rc == SQAUTH_OK) {
        rc = sqauth_md5_final(c, out, err);
    }
    if (rc != SQAUTH_OK) {
        sqauth_cleanse(out, SQAUTH_DIGEST_MD5_HASH_LEN);
    }
    return rc;
}

static sqauth_str part(const void *p, size_t n)
{
    sqauth_str s;
    s.data = p;
    s.len = n;
    return s;
}

#define LIT(s) part((s), sizeof(s) - 1)

static int check_params(const sqauth_digest_md5_params *p, sqauth_error *err)
{
    if (!p->username.data || !p->realm.data || !p->password.data || !p->nonce.data || !p->cnonce.data
        || !p->digest_uri.data || !p->nc || !p->qop) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "DIGEST-MD5: incomplete input to the hash computation");
    }
    return SQAUTH_OK;
}

static int ha1_on(sqauth_md5_ctx *ctx, const sqauth_digest_md5_params *p, unsigned char ha1[SQAUTH_DIGEST_MD5_HASH_LEN],
                  sqauth_error *err)
{
    unsigned char urp[SQAUTH_DIGEST_MD5_HASH_LEN];
    sqauth_str parts[7];
    size_t n = 0;
    int rc;

    memset(ha1, 0, SQAUTH_DIGEST_MD5_HASH_LEN);
    rc = check_params(p, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }

    /* H({ username, ":", realm, ":", passwd }): what the server may store
     * instead of the password. */
    parts[0] = p->username;
    parts[1] = LIT(":");
    parts[2] = p->realm;
    parts[3] = LIT(":");
    parts[4] = p->password;
    rc = md5_parts(ctx, urp, parts, 5, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }

    /* A1 = { H(...), ":", nonce, ":", cnonce [, ":", authzid] } with the
     * 16 raw bytes of the inner hash, not their hex. */
    parts[n++] = part(urp, sizeof(urp));
    parts[n++] = LIT(":");
    parts[n++] = p->nonce;
    parts[n++] = LIT(":");
    parts[n++] = p->cnonce;
    if (p->authzid.data && p->authzid.len) {
        parts[n++] = LIT(":");
        parts[n++] = p->authzid;
    }
    rc = md5_parts(ctx, ha1, parts, n, err);
    sqauth_cleanse(urp, sizeof(urp));
    return rc;
}

static int kd_on(sqauth_md5_ctx *ctx, const unsigned char ha1[SQAUTH_DIGEST_MD5_HASH_LEN],
                 const sqauth_digest_md5_params *p, int server, unsigned char out[SQAUTH_DIGEST_MD5_HASH_LEN],
                 sqauth_error *err)
{
    unsigned char ha2[SQAUTH_DIGEST_MD5_HASH_LEN];
    char ha1_hex[HEX_LEN], ha2_hex[HEX_LEN];
    sqauth_str parts[11];
    size_t n = 0;
    int rc, layer;

    memset(out, 0, SQAUTH_DIGEST_MD5_HASH_LEN);
    rc = check_params(p, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    layer = strcmp(p->qop, "auth") != 0;

    /* A2: the client's response covers "AUTHENTICATE:" digest-uri, the
     * server's rspauth only ":" digest-uri, so a fake server cannot pass
     * the client's own response back as its proof. With a security layer
     * both gain ":" and 32 zeros, the place HTTP Digest auth-int keeps for
     * the entity-body hash. */
    if (server) {
        parts[n++] = LIT(":");
    } else {
        parts[n++] = LIT("AUTHENTICATE:");
    }
    parts[n++] = p->digest_uri;
    if (layer) {
        parts[n++] = LIT(zero_hash_hex);
    }
    rc = md5_parts(ctx, ha2, parts, n, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    sqauth_md5_hex(ha2_hex, ha2);
    sqauth_md5_hex(ha1_hex, ha1);

    /* KD(HEX(H(A1)), { nonce, ":", nc, ":", cnonce, ":", qop, ":", HEX(H(A2)) }) */
    n = 0;
    parts[n++] = part(ha1_hex, sizeof(ha1_hex));
    parts[n++] = LIT(":");
    parts[n++] = p->nonce;
    parts[n++] = LIT(":");
    parts[n++] = part(p->nc, strlen(p->nc));
    parts[n++] = LIT(":");
    parts[n++] = p->cnonce;
    parts[n++] = LIT(":");
    parts[n++] = part(p->qop, strlen(p->qop));
    parts[n++] = LIT(":");
    parts[n++] = part(ha2_hex, sizeof(ha2_hex));
    rc = md5_parts(ctx, out, parts, n, err);

    sqauth_cleanse(ha1_hex, sizeof(ha1_hex));
    sqauth_cleanse(ha2_hex, sizeof(ha2_hex));
    sqauth_cleanse(ha2, sizeof(ha2));
    return rc;
}

int sqauth_digest_md5_ha1(const sqauth_digest_md5_params *p, unsigned char ha1[SQAUTH_DIGEST_MD5_HASH_LEN],
                          sqauth_error *err)
{
    sqauth_md5_ctx c = SQAUTH_MD5_CTX_INIT;
    int rc = ha1_on(&c, p, ha1, err);

    sqauth_md5_release(&c);
    return rc;
}

int sqauth_digest_md5_kd(const unsigned char ha1[SQAUTH_DIGEST_MD5_HASH_LEN], const sqauth_digest_md5_params *p,
                         int server, unsigned char out[SQAUTH_DIGEST_MD5_HASH_LEN], sqauth_error *err)
{
    sqauth_md5_ctx c = SQAUTH_MD5_CTX_INIT;
    int rc = kd_on(&c, ha1, p, server, out, err);

    sqauth_md5_release(&c);
    return rc;
}

int sqauth_digest_md5_response(const sqauth_digest_md5_params *p, unsigned char ha1[SQAUTH_DIGEST_MD5_HASH_LEN],
                               unsigned char response[SQAUTH_DIGEST_MD5_HASH_LEN], sqauth_error *err)
{
    sqauth_md5_ctx c = SQAUTH_MD5_CTX_INIT;
    int rc;

    memset(response, 0, SQAUTH_DIGEST_MD5_HASH_LEN);
    rc = ha1_on(&c, p, ha1, err);
    if (rc == SQAUTH_OK) {
        rc = kd_on(&c, ha1, p, 0, response, err);
    }
    sqauth_md5_release(&c);
    if (rc != SQAUTH_OK) {
        sqauth_cleanse(ha1, SQAUTH_DIGEST_MD5_HASH_LEN);
        sqauth_cleanse(response, SQAUTH_DIGEST_MD5_HASH_LEN);
    }
    return rc;
}

int sqauth_digest_md5_compute(const sqauth_digest_md5_params *p,
                              unsigned char response[SQAUTH_DIGEST_MD5_HASH_LEN],
                              unsigned char rspauth[SQAUTH_DIGEST_MD5_HASH_LEN], sqauth_error *err)
{
    sqauth_md5_ctx c = SQAUTH_MD5_CTX_INIT;
    unsigned char ha1[SQAUTH_DIGEST_MD5_HASH_LEN];
    int rc;

    memset(response, 0, SQAUTH_DIGEST_MD5_HASH_LEN);
    memset(rspauth, 0, SQAUTH_DIGEST_MD5_HASH_LEN);
    rc = ha1_on(&c, p, ha1, err);
    if (rc == SQAUTH_OK) {
        rc = kd_on(&c, ha1, p, 0, response, err);
    }
    if (rc == SQAUTH_OK) {
        rc = kd_on(&c, ha1, p, 1, rspauth, err);
    }
    sqauth_md5_release(&c);
    sqauth_cleanse(ha1, sizeof(ha1));
    if (rc != SQAUTH_OK) {
        sqauth_cleanse(response, SQAUTH_DIGEST_MD5_HASH_LEN);
        sqauth_cleanse(rspauth, SQAUTH_DIGEST_MD5_HASH_LEN);
    }
    return rc;
}
