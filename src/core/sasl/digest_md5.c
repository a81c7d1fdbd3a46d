/*
 * DIGEST-MD5 client (RFC 2831) with qop auth, auth-int and auth-conf.
 *
 *   server: digest-challenge            (§2.1.1, parsed by digest_md5_parse.c)
 *   client: digest-response             (§2.1.2, maths in digest_md5_calc.c)
 *   server: rspauth=...                 (§2.1.3, checked in constant time)
 *           or a new challenge with stale=true, answered once more
 *   client: empty response
 *
 * RFC 6331 moved DIGEST-MD5 to Historic; it is here because the mail
 * servers SquirrelMail talks to still offer it. qop is the first of the
 * caller's preferences the server offers; for auth-conf the cipher is the
 * caller's (option 'cipher') or the strongest common one. The security
 * layer (digest_md5_layer.c) is set up when the response is computed, so
 * that a missing cipher fails before the password proof goes out, and
 * handed to the session (s->layer, s->layer_ops) once rspauth checked.
 */
#include "sasl.h"
#include "charset.h"
#include "digest_md5_calc.h"
#include "digest_md5_layer.h"
#include "digest_md5_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STAGE_CHALLENGE 0   /* waiting for the digest-challenge */
#define STAGE_RSPAUTH   1   /* response sent, waiting for rspauth */

/* A server that answers every response with stale=true would keep the
 * client busy forever; one fresh nonce is what §2.1.1 has in mind. */
#define MAX_STALE_RESTARTS 1

/* §2.1.2: nc counts the requests made with one nonce; a client that does
 * not reauthenticate sends only the first. */
#define NONCE_COUNT "00000001"

typedef struct digest_md5_state {
    int stage;
    int restarts;
    /* H(A1) (secret) and the values the server's rspauth covers, kept after
     * the response so that rspauth is computed only when it arrives: a
     * caller that never checks it pays 4 MD5s instead of 6. The Kic/Kis
     * (auth-int) and Kcc/Kcs (auth-conf) keys derive from H(A1) too. */
    unsigned char ha1[SQAUTH_DIGEST_MD5_HASH_LEN];
    sqauth_buf nonce, cnonce, uri;
    const char *qop;    /* static string */
    /* The security layer negotiated in the response, active after rspauth. */
    sqauth_dmd5_layer *layer;
    unsigned long peer_maxbuf;
} digest_md5_state;

/* Forgets what the last response was computed from. */
static void state_clear(digest_md5_state *st)
{
    sqauth_cleanse(st->ha1, sizeof(st->ha1));
    sqauth_buf_reset(&st->nonce);
    sqauth_buf_reset(&st->cnonce);
    sqauth_buf_reset(&st->uri);
    st->qop = NULL;
    sqauth_dmd5_layer_free(st->layer);
    st->layer = NULL;
    st->peer_maxbuf = 0;
}

static void digest_md5_dispose(sqauth_sasl *s)
{
    digest_md5_state *st = s->state;

    if (st) {
        sqauth_buf_wipe(&st->nonce);
        sqauth_buf_wipe(&st->cnonce);
        sqauth_buf_wipe(&st->uri);
        sqauth_dmd5_layer_free(st->layer);
        sqauth_free_secret(st, sizeof(*st));
        s->state = NULL;
    }
}

/* ---- small helpers ---- */

static int has_ctl(const char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 32 || c == 127) {
            return 1;
        }
    }
    return 0;
}

/* quoted-string with '"' and '\' escaped as quoted-pairs (RFC 2831 §7.2).
 * Reserves the worst case once, then copies the runs between the bytes
 * that need a backslash. */
static int append_quoted(sqauth_buf *b, const char *p, size_t n)
{
    unsigned char *d;
    size_t i, run = 0;

    if (n > ((size_t)-1 - 2) / 2 || sqauth_buf_reserve(b, 2 * n + 2) != SQAUTH_OK) {
        return SQAUTH_ERR_NOMEM;
    }
    d = b->data + b->len;
    *d++ = '"';
    for (i = 0; i < n; i++) {
        if (p[i] == '"' || p[i] == '\\') {
            memcpy(d, p + run, i - run);
            d += i - run;
            *d++ = '\\';
            run = i;    /* the escaped byte starts the next run */
        }
    }
    memcpy(d, p + run, n - run);
    d += n - run;
    *d++ = '"';
    b->len = (size_t)(d - b->data);
    b->data[b->len] = '\0';
    return SQAUTH_OK;
}

/* Appends `"text"` to a message under construction, written the way a C
 * string literal would be ('"' and '\\' escaped, control characters and
 * bytes that are not UTF-8 as \xNN, UTF-8 as it is: sqauth_fail() would
 * escape the same), so that no server byte can garble the message; long
 * texts are cut, never past cap or inside a character. */
static void msg_append_quoted(char *msg, size_t cap, const char *p, size_t n)
{
    const unsigned char *u = (const unsigned char *)p;
    size_t used = strlen(msg), i;

    if (used + 2 >= cap) {
        return;
    }
    msg[used++] = '"';
    for (i = 0; i < n && i < 40; i++) {
        size_t seq = sqauth_utf8_sequence(u + i, n - i);
        if (u[i] == '"' || u[i] == '\\') {
            if (used + 3 >= cap) {
                break;
            }
            msg[used++] = '\\';
            msg[used++] = (char)u[i];
        } else if (seq > 1 && !(u[i] == 0xC2 && u[i + 1] < 0xA0)) {
            if (used + seq + 1 >= cap) {
                break;
            }
            memcpy(msg + used, p + i, seq);
            used += seq;
            i += seq - 1;
        } else if (u[i] >= 32 && u[i] < 127) {
            if (used + 2 >= cap) {
                break;
            }
            msg[used++] = (char)u[i];
        } else {
            if (used + 5 >= cap) {
                break;
            }
            snprintf(msg + used, cap - used, "\\x%02x", u[i]);
            used += 4;
        }
    }
    if (i < n && used + 4 < cap) {
        memcpy(msg + used, "...", 3);
        used += 3;
    }
    msg[used++] = '"';
    msg[used] = '\0';
}

static void msg_append(char *msg, size_t cap, const char *text)
{
    size_t used = strlen(msg);
    if (used + 1 < cap) {
        snprintf(msg + used, cap - used, "%s", text);
    }
}

static sqauth_str buf_str(const sqauth_buf *b)
{
    sqauth_str r;
    r.data = b->data ? (const char *)b->data : "";
    r.len = b->len;
    return r;
}

/* ---- charset (RFC 2831 §2.1.2.1) ---- */

/* With charset=utf-8: the ISO-8859-1 form of text when every character has
 * one, otherwise the UTF-8 bytes as they are; this is what Cyrus SASL
 * hashes, so "jürgen" gives the same A1 with either charset. Dovecot 2.3
 * hashes the UTF-8 bytes always: keep_utf8 (the 'digest_charset' option). */
static int hash_form_utf8(const char *text, size_t len, int keep_utf8, sqauth_buf *out, const char *what,
                          sqauth_error *err)
{
    int representable, rc;

    if (keep_utf8) {
        rc = sqauth_utf8_check(text, len, what, err);
        if (rc == SQAUTH_OK && sqauth_buf_append(out, text, len)) {
            rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        return rc;
    }
    rc = sqauth_utf8_to_latin1(text, len, out, &representable, what, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (!representable && sqauth_buf_append(out, text, len)) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    return SQAUTH_OK;
}

/* Without charset=utf-8 the server reads ISO-8859-1: text (UTF-8 from the
 * caller) must convert completely, or the server would hash other bytes. */
static int latin1_form(const char *text, size_t len, sqauth_buf *out, const char *what, sqauth_error *err)
{
    int representable, rc;

    rc = sqauth_utf8_to_latin1(text, len, out, &representable, what, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (!representable) {
        return sqauth_fail(err, SQAUTH_ERR_CHARSET,
                           "%s has characters outside ISO-8859-1 and the DIGEST-MD5 challenge has no charset=utf-8",
                           what);
    }
    return SQAUTH_OK;
}

/* ---- choices ---- */

static unsigned qop_bit(const char *name)
{
    if (sqauth_strcaseeq(name, "auth")) {
        return SQAUTH_DIGEST_MD5_QOP_AUTH;
    }
    if (sqauth_strcaseeq(name, "auth-int")) {
        return SQAUTH_DIGEST_MD5_QOP_AUTH_INT;
    }
    if (sqauth_strcaseeq(name, "auth-conf")) {
        return SQAUTH_DIGEST_MD5_QOP_AUTH_CONF;
    }
    return 0;
}

static void msg_append_ciphers(char *msg, size_t cap, const sqauth_digest_md5_challenge *ch)
{
    if (ch->cipher_raw.data) {
        msg_append(msg, cap, "cipher=");
        msg_append_quoted(msg, cap, ch->cipher_raw.data, ch->cipher_raw.len);
    } else {
        msg_append(msg, cap, "no cipher list");
    }
}

/* The first entry of the caller's preference list (strongest first) that
 * the server offers; §2.1.2: qop "MUST be one of the alternatives in
 * qop-options". auth-conf counts as offered when a cipher fits: the
 * caller's (which must then be offered: anything else is an error, never
 * a silent change of cipher) or the strongest common one; §2.4: cipher
 * "MUST be one of the choices in cipher-opts". *cipher is 0 unless
 * auth-conf was chosen. */
static int choose_qop(const sqauth_sasl *s, const sqauth_digest_md5_challenge *ch, const char **qop,
                      unsigned *cipher, sqauth_error *err)
{
    char msg[200];
    unsigned forced = 0;
    size_t i;

    *qop = NULL;
    *cipher = 0;
    for (i = 0; i < s->qop_count; i++) {
        if (!qop_bit(s->qop[i])) {
            msg[0] = '\0';
            msg_append_quoted(msg, sizeof(msg), s->qop[i], strlen(s->qop[i]));
            return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG,
                               "unknown DIGEST-MD5 qop %s in the option 'qop' (expected auth, auth-int, auth-conf)", msg);
        }
    }
    if (s->cipher.data) {
        forced = sqauth_dmd5_cipher_bit(s->cipher.data, s->cipher.len);
        if (!forced) {
            msg[0] = '\0';
            msg_append_quoted(msg, sizeof(msg), s->cipher.data, s->cipher.len);
            return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG,
                               "unknown DIGEST-MD5 cipher %s in the option 'cipher' "
                               "(expected 3des, des, rc4, rc4-56, rc4-40)", msg);
        }
    }
    for (i = 0; i < s->qop_count; i++) {
        unsigned bit = qop_bit(s->qop[i]);
        if (!(ch->qop & bit)) {
            continue;
        }
        if (bit == SQAUTH_DIGEST_MD5_QOP_AUTH_CONF) {
            if (forced && !(ch->ciphers & forced)) {
                msg[0] = '\0';
                msg_append_ciphers(msg, sizeof(msg), ch);
                return sqauth_fail(err, SQAUTH_ERR_POLICY,
                                   "DIGEST-MD5: the server does not offer the cipher \"%s\" asked for in the option "
                                   "'cipher' (offered: %s)", sqauth_dmd5_cipher_name(forced), msg);
            }
            *cipher = forced ? forced : sqauth_dmd5_strongest_cipher(ch->ciphers);
            if (!*cipher) {
                continue;   /* auth-conf without a cipher we know */
            }
            *qop = "auth-conf";
        } else {
            *qop = bit == SQAUTH_DIGEST_MD5_QOP_AUTH_INT ? "auth-int" : "auth";
        }
        return SQAUTH_OK;
    }
    msg[0] = '\0';
    if (ch->qop_raw.data) {
        msg_append(msg, sizeof(msg), "qop=");
        msg_append_quoted(msg, sizeof(msg), ch->qop_raw.data, ch->qop_raw.len);
    } else {
        msg_append(msg, sizeof(msg), "no qop, which means auth");
    }
    if (ch->qop & SQAUTH_DIGEST_MD5_QOP_AUTH_CONF) {
        msg_append(msg, sizeof(msg), ", ");
        msg_append_ciphers(msg, sizeof(msg), ch);
        msg_append(msg, sizeof(msg), " (we know rc4, 3des, des, rc4-56, rc4-40)");
    }
    msg_append(msg, sizeof(msg), "; requested:");
    for (i = 0; i < s->qop_count; i++) {
        msg_append(msg, sizeof(msg), " ");
        msg_append(msg, sizeof(msg), s->qop[i]);
    }
    return sqauth_fail(err, SQAUTH_ERR_POLICY, "DIGEST-MD5: the server offers none of the requested qop (%s%s)",
                       msg, s->qop_count ? "" : " nothing");
}

/* Leaves the realm as it goes on the wire in `realm` (UTF-8 with
 * charset=utf-8, else ISO-8859-1) and says whether to send realm= at all.
 * §2.1.2: realm is required when the server offered any, and "SHOULD be
 * one of those realms"; we insist, so the caller's preference cannot
 * silently turn into another realm. */
static int choose_realm(const sqauth_sasl *s, const sqauth_digest_md5_challenge *ch, sqauth_buf *realm,
                        int *send_realm, sqauth_error *err)
{
    sqauth_buf want = SQAUTH_BUF_INIT;
    int have_pref = s->realm.data && s->realm.len;
    size_t i;
    int rc = SQAUTH_OK;

    *send_realm = 0;
    if (have_pref) {
        if (has_ctl(s->realm.data, s->realm.len)) {
            return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "the DIGEST-MD5 option 'realm' contains a control character");
        }
        if (ch->utf8) {
            rc = sqauth_utf8_check(s->realm.data, s->realm.len, "the option 'realm'", err);
            if (rc == SQAUTH_OK && sqauth_buf_append(&want, s->realm.data, s->realm.len)) {
                rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
            }
        } else {
            rc = latin1_form(s->realm.data, s->realm.len, &want, "the option 'realm'", err);
        }
        if (rc != SQAUTH_OK) {
            sqauth_buf_free(&want);
            return rc;
        }
    }

    if (ch->realm_count == 0) {
        /* §2.1.1: no realm offered; the client may name one (the caller's)
         * or use the empty string in A1 and leave realm= out. */
        if (want.len && sqauth_buf_append(realm, want.data, want.len)) {
            rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        *send_realm = want.len != 0;
    } else if (have_pref) {
        for (i = 0; i < ch->realm_count; i++) {
            if (ch->realms[i].len == want.len && memcmp(ch->realms[i].data, want.data, want.len) == 0) {
                break;
            }
        }
        if (i == ch->realm_count) {
            char msg[200];
            msg[0] = '\0';
            msg_append_quoted(msg, sizeof(msg), s->realm.data, s->realm.len);
            msg_append(msg, sizeof(msg), " is not offered by the server (offered:");
            for (i = 0; i < ch->realm_count; i++) {
                msg_append(msg, sizeof(msg), i ? ", " : " ");
                msg_append_quoted(msg, sizeof(msg), ch->realms[i].data, ch->realms[i].len);
            }
            msg_append(msg, sizeof(msg), ")");
            rc = sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "DIGEST-MD5 realm %s", msg);
        } else if (sqauth_buf_append(realm, want.data, want.len)) {
            rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        *send_realm = 1;
    } else {
        if (sqauth_buf_append(realm, ch->realms[0].data, ch->realms[0].len)) {
            rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        *send_realm = 1;
    }
    sqauth_buf_free(&want);
    return rc;
}

/* ---- step 1: challenge -> digest-response ---- */

/* Checks what the caller gave before any server byte is looked at, so the
 * error names the caller's mistake rather than a symptom. */
static int check_options(const sqauth_sasl *s, sqauth_str *service, sqauth_error *err)
{
    if (!s->host.data || !s->host.len) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "DIGEST-MD5 needs the option 'host'");
    }
    if (s->service.data) {
        if (!s->service.len) {
            return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "the DIGEST-MD5 option 'service' must not be empty");
        }
        service->data = s->service.data;
        service->len = s->service.len;
    } else {
        *service = sqauth_str_c("imap");
    }
    /* These go into quoted strings, where control characters have no
     * representation (qdtext is TEXT). */
    if (has_ctl(s->host.data, s->host.len) || has_ctl(service->data, service->len)) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG,
                           "the DIGEST-MD5 options 'service' and 'host' must not contain control characters");
    }
    if (has_ctl(s->authcid.data, s->authcid.len)) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "the DIGEST-MD5 user name contains a control character");
    }
    if (s->authzid.data && s->authzid.len) {
        if (has_ctl(s->authzid.data, s->authzid.len)) {
            return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "the DIGEST-MD5 authzid contains a control character");
        }
        /* §2.1.2: authzid is "encoded in UTF-8" whatever the charset. */
        return sqauth_utf8_check(s->authzid.data, s->authzid.len, "the authzid", err);
    }
    return SQAUTH_OK;
}

static int answer_challenge(sqauth_sasl *s, digest_md5_state *st, const unsigned char *in, size_t in_len,
                            sqauth_buf *out, sqauth_error *err)
{
    sqauth_digest_md5_challenge ch;
    /* realm: as sent; *_h: as hashed (may hold the password). */
    sqauth_buf realm = SQAUTH_BUF_INIT, user_h = SQAUTH_BUF_INIT, realm_h = SQAUTH_BUF_INIT;
    sqauth_buf pass_h = SQAUTH_BUF_INIT, cnonce = SQAUTH_BUF_INIT, uri = SQAUTH_BUF_INIT;
    unsigned char response[SQAUTH_DIGEST_MD5_HASH_LEN], ha1[SQAUTH_DIGEST_MD5_HASH_LEN];
    sqauth_digest_md5_params p;
    sqauth_str service = SQAUTH_STR_NULL, user_w = SQAUTH_STR_NULL;
    const char *qop = NULL;
    unsigned cipher = 0;
    sqauth_dmd5_layer *layer = NULL;
    int send_realm = 0, has_authzid = s->authzid.data && s->authzid.len, rc;
    size_t start = out->len;

    memset(&ch, 0, sizeof(ch));
    memset(&p, 0, sizeof(p));
    memset(response, 0, sizeof(response));
    memset(ha1, 0, sizeof(ha1));

    rc = check_options(s, &service, err);
    if (rc == SQAUTH_OK) {
        rc = sqauth_digest_md5_parse_challenge(in, in_len, &ch, err);
    }
    if (rc == SQAUTH_OK) {
        rc = choose_qop(s, &ch, &qop, &cipher, err);
    }
    if (rc == SQAUTH_OK && strcmp(qop, "auth") != 0
        && ch.maxbuf <= sqauth_dmd5_overhead(cipher) + 4) {
        rc = sqauth_fail(err, SQAUTH_ERR_POLICY, "DIGEST-MD5: the server's maxbuf %lu is too small for %s",
                         ch.maxbuf, qop);
    }
    if (rc == SQAUTH_OK) {
        rc = choose_realm(s, &ch, &realm, &send_realm, err);
    }

    /* §2.1.2.1: the bytes that go into A1. */
    if (rc == SQAUTH_OK && ch.utf8) {
        /* The server reads UTF-8: names go out as the caller gave them. */
        user_w.data = s->authcid.data;
        user_w.len = s->authcid.len;
        rc = hash_form_utf8(s->authcid.data, s->authcid.len, s->digest_hash_utf8, &user_h, "the user name", err);
        if (rc == SQAUTH_OK) {
            rc = hash_form_utf8((const char *)realm.data, realm.len, s->digest_hash_utf8, &realm_h, "the realm",
                                err);
        }
        if (rc == SQAUTH_OK) {
            rc = hash_form_utf8(s->password.data, s->password.len, s->digest_hash_utf8, &pass_h, "the password",
                                err);
        }
    } else if (rc == SQAUTH_OK) {
        /* The server reads ISO-8859-1: what is sent is what is hashed; the
         * realm is already in the server's charset. */
        rc = latin1_form(s->authcid.data, s->authcid.len, &user_h, "the user name", err);
        if (rc == SQAUTH_OK && sqauth_buf_append(&realm_h, realm.data, realm.len)) {
            rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        if (rc == SQAUTH_OK) {
            rc = latin1_form(s->password.data, s->password.len, &pass_h, "the password", err);
        }
        user_w = buf_str(&user_h);
    }

    if (rc == SQAUTH_OK) {
        rc = sqauth_sasl_nonce(s, &cnonce, 24, err);
    }
    if (rc == SQAUTH_OK && (cnonce.len == 0 || has_ctl((const char *)cnonce.data, cnonce.len))) {
        rc = sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "the DIGEST-MD5 cnonce must be non-empty printable text");
    }
    /* digest-uri = serv-type "/" host (§2.1.2; no serv-name for mail). */
    if (rc == SQAUTH_OK
        && (sqauth_buf_append(&uri, service.data, service.len) || sqauth_buf_append_byte(&uri, '/')
            || sqauth_buf_append(&uri, s->host.data, s->host.len))) {
        rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }

    if (rc == SQAUTH_OK) {
        p.username = buf_str(&user_h);
        p.realm = buf_str(&realm_h);
        p.password = buf_str(&pass_h);
        p.nonce = ch.nonce;
        p.cnonce = buf_str(&cnonce);
        if (has_authzid) {
            p.authzid.data = s->authzid.data;
            p.authzid.len = s->authzid.len;
        }
        p.digest_uri = buf_str(&uri);
        p.nc = NONCE_COUNT;
        p.qop = qop;
        rc = sqauth_digest_md5_response(&p, ha1, response, err);
    }
    /* The layer's keys and ciphers now, so that a cipher OpenSSL cannot
     * give stops the exchange before the response is sent. */
    if (rc == SQAUTH_OK && strcmp(qop, "auth") != 0) {
        rc = sqauth_dmd5_layer_new(&layer, ha1, cipher, 0, err);
    }

    /* The order of the RFC 2831 §4 example. */
    if (rc == SQAUTH_OK) {
        int bad = 0;
        /* One reservation for the usual case (no escapes). */
        bad |= sqauth_buf_reserve(out, 128 + user_w.len + realm.len + ch.nonce.len + cnonce.len + uri.len
                                  + (has_authzid ? s->authzid.len : 0));
        if (ch.utf8) {
            bad |= sqauth_buf_append_str(out, "charset=utf-8,");
        }
        bad |= sqauth_buf_append_str(out, "username=");
        bad |= append_quoted(out, user_w.data, user_w.len);
        if (send_realm) {
            bad |= sqauth_buf_append_str(out, ",realm=");
            bad |= append_quoted(out, (const char *)buf_str(&realm).data, realm.len);
        }
        bad |= sqauth_buf_append_str(out, ",nonce=");
        bad |= append_quoted(out, ch.nonce.data, ch.nonce.len);
        bad |= sqauth_buf_append_str(out, ",nc=" NONCE_COUNT ",cnonce=");
        bad |= append_quoted(out, (const char *)cnonce.data, cnonce.len);
        bad |= sqauth_buf_append_str(out, ",digest-uri=");
        bad |= append_quoted(out, (const char *)uri.data, uri.len);
        bad |= sqauth_buf_append_str(out, ",response=");
        bad |= sqauth_buf_append_hex(out, response, sizeof(response));
        bad |= sqauth_buf_append_str(out, ",qop=");
        bad |= sqauth_buf_append_str(out, qop);
        if (layer) {
            /* §2.1.2: maxbuf, what we accept; cipher for auth-conf. */
            bad |= sqauth_buf_printf(out, ",maxbuf=%u", s->maxbuf);
            if (cipher) {
                bad |= sqauth_buf_append_str(out, ",cipher=");
                bad |= sqauth_buf_append_str(out, sqauth_dmd5_cipher_name(cipher));
            }
        }
        if (has_authzid) {
            bad |= sqauth_buf_append_str(out, ",authzid=");
            bad |= append_quoted(out, s->authzid.data, s->authzid.len);
        }
        if (bad) {
            rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        } else if (out->len - start > SQAUTH_DIGEST_MD5_MAX_RESPONSE) {
            rc = sqauth_fail(err, SQAUTH_ERR_INVALID_ARG,
                             "the DIGEST-MD5 response would be %zu bytes; RFC 2831 allows at most %d "
                             "(user name, realm, authzid or host too long)",
                             out->len - start, SQAUTH_DIGEST_MD5_MAX_RESPONSE);
        }
    }

    if (rc == SQAUTH_OK) {
        sqauth_buf tmp;
        /* Keep what rspauth needs; the buffers change hands, no copy. */
        if (sqauth_buf_append(&st->nonce, ch.nonce.data, ch.nonce.len)) {
            rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        } else {
            memcpy(st->ha1, ha1, sizeof(ha1));
            tmp = st->cnonce;
            st->cnonce = cnonce;
            cnonce = tmp;
            tmp = st->uri;
            st->uri = uri;
            uri = tmp;
            st->qop = qop;
            st->layer = layer;
            layer = NULL;
            st->peer_maxbuf = ch.maxbuf;
            st->stage = STAGE_RSPAUTH;
        }
    }
    sqauth_cleanse(response, sizeof(response));
    sqauth_cleanse(ha1, sizeof(ha1));
    sqauth_cleanse(&p, sizeof(p));
    sqauth_buf_wipe(&pass_h);
    sqauth_buf_wipe(&user_h);
    sqauth_buf_wipe(&realm_h);
    sqauth_buf_free(&realm);
    sqauth_buf_free(&uri);
    sqauth_buf_wipe(&cnonce);
    sqauth_dmd5_layer_free(layer);
    sqauth_digest_md5_challenge_free(&ch);
    return rc;
}

/* ---- step 2: rspauth (or a stale=true challenge) ---- */

static int check_rspauth(sqauth_sasl *s, digest_md5_state *st, const unsigned char *in, size_t in_len,
                         sqauth_buf *out, sqauth_error *err)
{
    sqauth_digest_md5_directives ds = SQAUTH_DIGEST_MD5_DIRECTIVES_INIT;
    unsigned char got[SQAUTH_DIGEST_MD5_HASH_LEN], want[SQAUTH_DIGEST_MD5_HASH_LEN];
    sqauth_digest_md5_params p;
    int has_rspauth, has_stale, has_nonce, rc;

    rc = sqauth_digest_md5_parse_directives(in, in_len, &ds, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    has_rspauth = sqauth_digest_md5_find(&ds, "rspauth") != NULL;
    has_stale = sqauth_digest_md5_find(&ds, "stale") != NULL;
    has_nonce = sqauth_digest_md5_find(&ds, "nonce") != NULL;
    sqauth_digest_md5_directives_free(&ds);

    if (!has_rspauth && has_stale) {
        /* §2.1.1 stale: the server's nonce expired, not our credentials;
         * answer the new challenge as a first one (nc=00000001). A stale
         * value other than "true" is rejected by the challenge parser. */
        if (st->restarts >= MAX_STALE_RESTARTS) {
            return sqauth_fail(err, SQAUTH_ERR_POLICY,
                               "DIGEST-MD5: the server sent stale=true again; giving up after one retry");
        }
        st->restarts++;
        st->stage = STAGE_CHALLENGE;
        state_clear(st);
        return answer_challenge(s, st, in, in_len, out, err);
    }
    if (!has_rspauth) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, has_nonce
                           ? "DIGEST-MD5: expected rspauth=... from the server, got a new challenge without stale=true"
                           : "DIGEST-MD5: expected rspauth=... from the server after the response");
    }

    rc = sqauth_digest_md5_parse_rspauth(in, in_len, got, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    /* The rspauth the server must send, from the kept H(A1). */
    memset(&p, 0, sizeof(p));
    p.username = p.realm = p.password = sqauth_str_c("");   /* only in H(A1), not needed here */
    p.nonce = buf_str(&st->nonce);
    p.cnonce = buf_str(&st->cnonce);
    p.digest_uri = buf_str(&st->uri);
    p.nc = NONCE_COUNT;
    p.qop = st->qop;
    rc = sqauth_digest_md5_kd(st->ha1, &p, 1, want, err);
    if (rc != SQAUTH_OK) {
        sqauth_cleanse(got, sizeof(got));
        return rc;
    }
    /* The server proves it knows H(A1) too; compared in constant time so
     * that a forger learns nothing byte by byte. */
    if (!sqauth_equal_ct(got, sizeof(got), want, sizeof(want))) {
        sqauth_cleanse(got, sizeof(got));
        sqauth_cleanse(want, sizeof(want));
        return sqauth_fail(err, SQAUTH_ERR_NOT_VERIFIED,
                           "DIGEST-MD5 server signature (rspauth) does not match: the server does not know the "
                           "password, or the exchange was tampered with");
    }
    sqauth_cleanse(got, sizeof(got));
    sqauth_cleanse(want, sizeof(want));
    if (st->layer) {
        /* The exchange succeeded: the layer takes effect (RFC 4422 §3.7). */
        s->layer = sqauth_dmd5_layer_cipher(st->layer) ? SQAUTH_LAYER_CONF : SQAUTH_LAYER_INT;
        s->layer_ops = &sqauth_dmd5_layer_ops;
        s->layer_ctx = st->layer;
        s->peer_maxbuf = st->peer_maxbuf;
        st->layer = NULL;
    }
    state_clear(st);
    s->server_verified = 1;
    s->complete = 1;
    /* §2.1.3 leaves nothing to say: the response to rspauth is empty. */
    return SQAUTH_OK;
}

static int digest_md5_step(sqauth_sasl *s, const unsigned char *in, size_t in_len, sqauth_buf *out,
                           sqauth_error *err)
{
    digest_md5_state *st = s->state;

    if (!st) {
        st = calloc(1, sizeof(*st));
        if (!st) {
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        s->state = st;
    }
    if (st->stage == STAGE_CHALLENGE) {
        return answer_challenge(s, st, in, in_len, out, err);
    }
    return check_rspauth(s, st, in, in_len, out, err);
}

const sqauth_sasl_mech sqauth_mech_digest_md5 = {
    "DIGEST-MD5", 50, SQAUTH_MECH_NEEDS_PASSWORD | SQAUTH_MECH_PROVES_SERVER,
    NULL, digest_md5_step, digest_md5_dispose, "rspauth",
};
