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
 *
 * The response is built without a copy of the caller's strings when they
 * are ASCII (their form under either charset) and in one reservation;
 * sqauth_digest_md5_answer_b64() computes it without a session, for
 * SqAuth\digest_md5_response(), which SquirrelMail calls on every login.
 */
#include "sasl.h"
#include "charset.h"
#include "digest_md5_calc.h"
#include "digest_md5_layer.h"
#include "digest_md5_parse.h"
#include "md5.h"

#include <stdint.h>
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

/* Random bytes in a cnonce we make, sent as their base64 (32 characters). */
#define CNONCE_RANDOM_BYTES 24

typedef struct digest_md5_state {
    int stage;
    int restarts;
    /* The rspauth the server must send, computed with the response (its
     * hashes pair with the response's, digest_md5_calc.c: no extra block
     * time), compared when it arrives. The security layer's keys, which
     * derive from H(A1) too, are made with the response. */
    unsigned char rspauth[SQAUTH_DIGEST_MD5_HASH_LEN];
    /* The security layer negotiated in the response, active after rspauth. */
    sqauth_digest_md5_layer *layer;
    unsigned long peer_maxbuf;
} digest_md5_state;

/* What a digest-response is computed from, on the caller's side: borrowed
 * from a session (the mechanism's step) or from the caller's configuration
 * (sqauth_digest_md5_answer_b64(), no session). */
typedef struct digest_request {
    sqauth_str authcid, password, authzid, service, host, realm, cnonce, cipher;
    const char *const *qop;
    size_t qop_count;
    unsigned maxbuf;
    int hash_utf8;
} digest_request;

/* Where answer_challenge() writes the digest-response: appended to buf, or
 * into fixed[0..cap) (cap > SQAUTH_DIGEST_MD5_MAX_RESPONSE) with its length
 * in len. */
typedef struct response_sink {
    sqauth_buf *buf;
    char *fixed;
    size_t cap, len;
} response_sink;

/* Forgets what the last response was computed from. */
static void state_clear(digest_md5_state *st)
{
    sqauth_cleanse(st->rspauth, sizeof(st->rspauth));
    sqauth_digest_md5_layer_free(st->layer);
    st->layer = NULL;
    st->peer_maxbuf = 0;
}

static void digest_md5_dispose(sqauth_sasl *s)
{
    digest_md5_state *st = s->state;

    if (st) {
        sqauth_digest_md5_layer_free(st->layer);
        sqauth_free_secret(st, sizeof(*st));
        s->state = NULL;
    }
}

/* ---- small helpers ---- */

/* Eight bytes at a time for the checks below (the strings are short, and
 * a loop per byte took 700 of a response's instructions): below(x, k) is
 * nonzero when a byte of x is below k (1 <= k <= 128). For each byte, the
 * subtraction borrows into its high bit when the byte is below k, and ~x
 * keeps that bit only where the byte itself was under 0x80; a borrow from
 * a lower byte can set a higher byte's bit, but only when that lower byte
 * was below k already, so the answer for the word is exact. Byte order
 * does not matter for "any byte". */
#define EACH_BYTE 0x0101010101010101ull
#define HIGH_BITS 0x8080808080808080ull

static uint64_t load8(const char *p)
{
    uint64_t x;
    memcpy(&x, p, sizeof(x));
    return x;
}

static uint64_t below(uint64_t x, unsigned k)
{
    return (x - EACH_BYTE * k) & ~x & HIGH_BITS;
}

/* x has a control character: a byte below 32, or 127. */
static uint64_t ctl8(uint64_t x)
{
    return below(x, 32) | below(x ^ (EACH_BYTE * 127), 1);
}

/* x has NUL or a byte from 128 up. */
static uint64_t not_ascii8(uint64_t x)
{
    return below(x, 1) | (x & HIGH_BITS);
}

/* 1 when a byte is a control character. From 8 bytes up, the last 8 are
 * read as one word, overlapping the one before. */
static int has_ctl(const char *p, size_t n)
{
    size_t i;

    if (n >= 8) {
        for (i = 0; i + 8 < n; i += 8) {
            if (ctl8(load8(p + i))) {
                return 1;
            }
        }
        return ctl8(load8(p + n - 8)) != 0;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 32 || c == 127) {
            return 1;
        }
    }
    return 0;
}

/* 1 when every byte is ASCII other than NUL: such text is valid UTF-8 and
 * its ISO-8859-1 form is itself, so it goes into the hashes and onto the
 * wire as it is under either charset (the usual case, and no copy). */
static int plain_ascii(const char *p, size_t n)
{
    uint64_t bad = 0;
    size_t i;

    if (n >= 8) {
        for (i = 0; i + 8 < n; i += 8) {
            bad |= not_ascii8(load8(p + i));
        }
        return !(bad | not_ascii8(load8(p + n - 8)));
    }
    for (i = 0; i < n; i++) {
        /* 1 ... 127 -> 0 ... 126; NUL wraps to 255 */
        bad |= (unsigned char)((unsigned char)p[i] - 1) >= 0x7f;
    }
    return !bad;
}

/* Writes a quoted-string with '"' and '\' escaped as quoted-pairs (RFC 2831
 * §7.2) at w, at most 2 * n + 2 bytes, and returns its end. The runs
 * between the bytes that need a backslash are copied whole. */
static char *put_quoted(char *w, const char *p, size_t n)
{
    size_t i, run = 0;

    *w++ = '"';
    if (!memchr(p, '"', n) && !memchr(p, '\\', n)) {
        /* The usual value: nothing to escape. */
        memcpy(w, p, n);
        w += n;
        *w++ = '"';
        return w;
    }
    for (i = 0; i < n; i++) {
        if (p[i] == '"' || p[i] == '\\') {
            memcpy(w, p + run, i - run);
            w += i - run;
            *w++ = '\\';
            run = i;    /* the escaped byte starts the next run */
        }
    }
    memcpy(w, p + run, n - run);
    w += n - run;
    *w++ = '"';
    return w;
}

static char *put(char *w, const char *p, size_t n)
{
    memcpy(w, p, n);
    return w + n;
}

#define PUT_LIT(w, lit) put((w), (lit), sizeof(lit) - 1)

static char *put_unsigned(char *w, unsigned long v)
{
    char digits[24];
    size_t n = 0;

    do {
        digits[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n) {
        *w++ = digits[--n];
    }
    return w;
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

static sqauth_str str_of(const void *p, size_t n)
{
    sqauth_str r;
    r.data = p;
    r.len = n;
    return r;
}

/* ---- charset (RFC 2831 §2.1.2.1) ---- */

/* A string in the form the hashes or the wire need: the caller's own bytes
 * when they already are that form, else a converted copy in buf (which may
 * hold the password, so it is wiped). */
typedef struct text_form {
    sqauth_str s;
    sqauth_buf buf;
} text_form;

#define TEXT_FORM_INIT {{NULL, 0}, SQAUTH_BUF_INIT}

static void text_form_wipe(text_form *f)
{
    sqauth_buf_wipe(&f->buf);
}

/* With charset=utf-8: the ISO-8859-1 form of text when every character has
 * one, otherwise the UTF-8 bytes as they are; this is what Cyrus SASL
 * hashes, so "jürgen" gives the same A1 with either charset. Dovecot 2.3
 * hashes the UTF-8 bytes always: keep_utf8 (the 'digest_charset' option). */
static int hash_form_utf8(sqauth_str text, int keep_utf8, text_form *out, const char *what, sqauth_error *err)
{
    int representable = 0, rc;

    out->s = text;
    if (plain_ascii(text.data, text.len)) {
        return SQAUTH_OK;
    }
    if (keep_utf8) {
        return sqauth_utf8_check(text.data, text.len, what, err);
    }
    rc = sqauth_utf8_to_latin1(text.data, text.len, &out->buf, &representable, what, err);
    if (rc == SQAUTH_OK && representable) {
        out->s = buf_str(&out->buf);
    }
    return rc;
}

/* Without charset=utf-8 the server reads ISO-8859-1: text (UTF-8 from the
 * caller) must convert completely, or the server would hash other bytes. */
static int latin1_form(sqauth_str text, text_form *out, const char *what, sqauth_error *err)
{
    int representable = 0, rc;

    out->s = text;
    if (plain_ascii(text.data, text.len)) {
        return SQAUTH_OK;
    }
    rc = sqauth_utf8_to_latin1(text.data, text.len, &out->buf, &representable, what, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (!representable) {
        return sqauth_fail(err, SQAUTH_ERR_CHARSET,
                           "%s has characters outside ISO-8859-1 and the DIGEST-MD5 challenge has no charset=utf-8",
                           what);
    }
    out->s = buf_str(&out->buf);
    return SQAUTH_OK;
}

/* ---- choices ---- */

static unsigned qop_bit(const char *name)
{
    if (strcmp(name, "auth") == 0) {
        return SQAUTH_DIGEST_MD5_QOP_AUTH;  /* the default, as the caller usually spells it */
    }
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
static int choose_qop(const digest_request *s, const sqauth_digest_md5_challenge *ch, const char **qop,
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
        forced = sqauth_digest_md5_cipher_bit(s->cipher.data, s->cipher.len);
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
                                   "'cipher' (offered: %s)", sqauth_digest_md5_cipher_name(forced), msg);
            }
            *cipher = forced ? forced : sqauth_digest_md5_strongest_cipher(ch->ciphers);
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

/* Sets *realm to the realm as it goes on the wire (UTF-8 with
 * charset=utf-8, else ISO-8859-1; it points into the challenge, the
 * caller's option or want's buffer) and says whether to send realm= at all.
 * §2.1.2: realm is required when the server offered any, and "SHOULD be
 * one of those realms"; we insist, so the caller's preference cannot
 * silently turn into another realm. */
static int choose_realm(const digest_request *s, const sqauth_digest_md5_challenge *ch, text_form *want,
                        sqauth_str *realm, int *send_realm, sqauth_error *err)
{
    int have_pref = s->realm.data && s->realm.len;
    size_t i;
    int rc;

    *send_realm = 0;
    *realm = str_of("", 0);
    want->s = str_of("", 0);
    if (have_pref) {
        if (has_ctl(s->realm.data, s->realm.len)) {
            return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "the DIGEST-MD5 option 'realm' contains a control character");
        }
        if (ch->utf8) {
            want->s = s->realm;
            rc = sqauth_utf8_check(s->realm.data, s->realm.len, "the option 'realm'", err);
        } else {
            rc = latin1_form(s->realm, want, "the option 'realm'", err);
        }
        if (rc != SQAUTH_OK) {
            return rc;
        }
    }

    if (ch->realm_count == 0) {
        /* §2.1.1: no realm offered; the client may name one (the caller's)
         * or use the empty string in A1 and leave realm= out. */
        *realm = want->s;
        *send_realm = want->s.len != 0;
        return SQAUTH_OK;
    }
    if (!have_pref) {
        *realm = ch->realms[0];
        *send_realm = 1;
        return SQAUTH_OK;
    }
    for (i = 0; i < ch->realm_count; i++) {
        if (ch->realms[i].len == want->s.len && memcmp(ch->realms[i].data, want->s.data, want->s.len) == 0) {
            *realm = want->s;
            *send_realm = 1;
            return SQAUTH_OK;
        }
    }
    {
        char msg[200];
        msg[0] = '\0';
        msg_append_quoted(msg, sizeof(msg), s->realm.data, s->realm.len);
        msg_append(msg, sizeof(msg), " is not offered by the server (offered:");
        for (i = 0; i < ch->realm_count; i++) {
            msg_append(msg, sizeof(msg), i ? ", " : " ");
            msg_append_quoted(msg, sizeof(msg), ch->realms[i].data, ch->realms[i].len);
        }
        msg_append(msg, sizeof(msg), ")");
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "DIGEST-MD5 realm %s", msg);
    }
}

/* ---- step 1: challenge -> digest-response ---- */

/* Checks what the caller gave before any server byte is looked at, so the
 * error names the caller's mistake rather than a symptom. */
static int check_options(const digest_request *s, sqauth_str *service, sqauth_error *err)
{
    if (!s->host.data || !s->host.len) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "DIGEST-MD5 needs the option 'host'");
    }
    if (s->service.data) {
        if (!s->service.len) {
            return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "the DIGEST-MD5 option 'service' must not be empty");
        }
        *service = s->service;
    } else {
        *service = str_of("imap", 4);
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

/* Answers a digest-challenge into out. With st (the session's state) the
 * rspauth the server must send is computed too and kept there; without
 * (one response, no session) nothing outlives the call. On error out has
 * nothing new. */
static int answer_challenge(const digest_request *s, digest_md5_state *st, const unsigned char *in, size_t in_len,
                            response_sink *out, sqauth_error *err)
{
    sqauth_digest_md5_challenge ch;
    /* want: the caller's realm in the server's charset; *_h: as hashed
     * (pass_h may be the password). All borrow the caller's bytes when they
     * are ASCII. */
    text_form want = TEXT_FORM_INIT, user_h = TEXT_FORM_INIT, realm_h = TEXT_FORM_INIT, pass_h = TEXT_FORM_INIT;
    unsigned char response[SQAUTH_DIGEST_MD5_HASH_LEN], ha1[SQAUTH_DIGEST_MD5_HASH_LEN];
    unsigned char rspauth[SQAUTH_DIGEST_MD5_HASH_LEN];
    unsigned char random[CNONCE_RANDOM_BYTES];
    char cnonce_made[(CNONCE_RANDOM_BYTES + 2) / 3 * 4], uri_small[256];
    sqauth_buf uri_big = SQAUTH_BUF_INIT;
    sqauth_digest_md5_params p;
    sqauth_str service = SQAUTH_STR_NULL, user_w = SQAUTH_STR_NULL, realm = SQAUTH_STR_NULL;
    sqauth_str cnonce = SQAUTH_STR_NULL, uri = SQAUTH_STR_NULL;
    const char *qop = NULL;
    unsigned cipher = 0;
    sqauth_digest_md5_layer *layer = NULL;
    int send_realm = 0, has_authzid = s->authzid.data && s->authzid.len, rc;

    sqauth_digest_md5_challenge_init(&ch);
    memset(response, 0, sizeof(response));
    memset(ha1, 0, sizeof(ha1));
    memset(rspauth, 0, sizeof(rspauth));

    rc = check_options(s, &service, err);
    if (rc == SQAUTH_OK) {
        rc = sqauth_digest_md5_parse_challenge(in, in_len, &ch, err);
    }
    if (rc == SQAUTH_OK) {
        rc = choose_qop(s, &ch, &qop, &cipher, err);
    }
    if (rc == SQAUTH_OK && strcmp(qop, "auth") != 0
        && ch.maxbuf <= sqauth_digest_md5_overhead(cipher) + 4) {
        rc = sqauth_fail(err, SQAUTH_ERR_POLICY, "DIGEST-MD5: the server's maxbuf %lu is too small for %s",
                         ch.maxbuf, qop);
    }
    if (rc == SQAUTH_OK) {
        rc = choose_realm(s, &ch, &want, &realm, &send_realm, err);
    }

    /* §2.1.2.1: the bytes that go into A1. */
    if (rc == SQAUTH_OK && ch.utf8) {
        /* The server reads UTF-8: names go out as the caller gave them. */
        user_w = s->authcid;
        rc = hash_form_utf8(s->authcid, s->hash_utf8, &user_h, "the user name", err);
        if (rc == SQAUTH_OK) {
            rc = hash_form_utf8(realm, s->hash_utf8, &realm_h, "the realm", err);
        }
        if (rc == SQAUTH_OK) {
            rc = hash_form_utf8(s->password, s->hash_utf8, &pass_h, "the password", err);
        }
    } else if (rc == SQAUTH_OK) {
        /* The server reads ISO-8859-1: what is sent is what is hashed; the
         * realm is already in the server's charset. */
        rc = latin1_form(s->authcid, &user_h, "the user name", err);
        realm_h.s = realm;
        if (rc == SQAUTH_OK) {
            rc = latin1_form(s->password, &pass_h, "the password", err);
        }
        user_w = user_h.s;
    }

    if (rc == SQAUTH_OK) {
        if (s->cnonce.data) {
            cnonce = s->cnonce;
        } else {
            /* Public: from the per-thread pool (common.h). Base64 has no ','
             * or '"'. */
            rc = sqauth_random_nonce(random, sizeof(random), err);
            cnonce = str_of(cnonce_made, sqauth_b64_encode_to(cnonce_made, random, sizeof(random)));
        }
    }
    if (rc == SQAUTH_OK && (cnonce.len == 0 || has_ctl(cnonce.data, cnonce.len))) {
        rc = sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "the DIGEST-MD5 cnonce must be non-empty printable text");
    }
    /* digest-uri = serv-type "/" host (§2.1.2; no serv-name for mail). */
    if (rc == SQAUTH_OK) {
        if (service.len + 1 + s->host.len <= sizeof(uri_small)) {
            char *w = put(uri_small, service.data, service.len);
            *w++ = '/';
            w = put(w, s->host.data, s->host.len);
            uri = str_of(uri_small, (size_t)(w - uri_small));
        } else if (sqauth_buf_append(&uri_big, service.data, service.len) || sqauth_buf_append_byte(&uri_big, '/')
                   || sqauth_buf_append(&uri_big, s->host.data, s->host.len)) {
            rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        } else {
            uri = buf_str(&uri_big);
        }
    }

    if (rc == SQAUTH_OK) {
        memset(&p, 0, sizeof(p));
        p.username = user_h.s;
        p.realm = realm_h.s;
        p.password = pass_h.s;
        p.nonce = ch.nonce;
        p.cnonce = cnonce;
        if (has_authzid) {
            p.authzid = s->authzid;
        }
        p.digest_uri = uri;
        p.nc = NONCE_COUNT;
        p.qop = qop;
        /* p holds only pointers and lengths; the bytes are cleansed where
         * they live. */
        rc = sqauth_digest_md5_compute(&p, ha1, response, st ? rspauth : NULL, err);
    }
    /* The layer's keys and ciphers now, so that a cipher OpenSSL cannot
     * give stops the exchange before the response is sent. */
    if (rc == SQAUTH_OK && strcmp(qop, "auth") != 0) {
        rc = sqauth_digest_md5_layer_new(&layer, ha1, cipher, 0, err);
    }

    /* The order of the RFC 2831 §4 example, written in one go into room
     * for the fixed text and every quoted value at its longest (all
     * escaped). */
    if (rc == SQAUTH_OK) {
        size_t quoted = user_w.len + realm.len + ch.nonce.len + cnonce.len + uri.len
            + (has_authzid ? s->authzid.len : 0);
        size_t worst = 256 + 2 * quoted, n = 0;
        sqauth_buf spill = SQAUTH_BUF_INIT;
        char *base = NULL, *w;

        if (out->buf) {
            if (sqauth_buf_reserve(out->buf, worst) == SQAUTH_OK) {
                base = (char *)out->buf->data + out->buf->len;
            }
        } else if (worst <= out->cap) {
            base = out->fixed;
        } else if (sqauth_buf_reserve(&spill, worst) == SQAUTH_OK) {
            base = (char *)spill.data;
        }
        if (!base) {
            rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        } else {
            w = base;
            if (ch.utf8) {
                w = PUT_LIT(w, "charset=utf-8,");
            }
            w = PUT_LIT(w, "username=");
            w = put_quoted(w, user_w.data, user_w.len);
            if (send_realm) {
                w = PUT_LIT(w, ",realm=");
                w = put_quoted(w, realm.data, realm.len);
            }
            w = PUT_LIT(w, ",nonce=");
            w = put_quoted(w, ch.nonce.data, ch.nonce.len);
            w = PUT_LIT(w, ",nc=" NONCE_COUNT ",cnonce=");
            w = put_quoted(w, cnonce.data, cnonce.len);
            w = PUT_LIT(w, ",digest-uri=");
            w = put_quoted(w, uri.data, uri.len);
            w = PUT_LIT(w, ",response=");
            sqauth_md5_hex(w, response);
            w += 2 * sizeof(response);
            w = PUT_LIT(w, ",qop=");
            w = put(w, qop, strlen(qop));
            if (layer) {
                /* §2.1.2: maxbuf, what we accept; cipher for auth-conf. */
                w = PUT_LIT(w, ",maxbuf=");
                w = put_unsigned(w, s->maxbuf);
                if (cipher) {
                    const char *name = sqauth_digest_md5_cipher_name(cipher);
                    w = PUT_LIT(w, ",cipher=");
                    w = put(w, name, strlen(name));
                }
            }
            if (has_authzid) {
                w = PUT_LIT(w, ",authzid=");
                w = put_quoted(w, s->authzid.data, s->authzid.len);
            }
            n = (size_t)(w - base);
            if (n > SQAUTH_DIGEST_MD5_MAX_RESPONSE) {
                sqauth_cleanse(base, n);
                rc = sqauth_fail(err, SQAUTH_ERR_INVALID_ARG,
                                 "the DIGEST-MD5 response would be %zu bytes; RFC 2831 allows at most %d "
                                 "(user name, realm, authzid or host too long)",
                                 n, SQAUTH_DIGEST_MD5_MAX_RESPONSE);
            }
        }
        if (rc == SQAUTH_OK && out->buf) {
            out->buf->len += n;
            out->buf->data[out->buf->len] = '\0';
        } else if (rc == SQAUTH_OK) {
            if (base != out->fixed) {
                memcpy(out->fixed, base, n);
            }
            out->len = n;
        }
        sqauth_buf_wipe(&spill);
    }

    if (rc == SQAUTH_OK && st) {
        memcpy(st->rspauth, rspauth, sizeof(rspauth));
        st->layer = layer;
        layer = NULL;
        st->peer_maxbuf = ch.maxbuf;
        st->stage = STAGE_RSPAUTH;
    }
    sqauth_cleanse(response, sizeof(response));
    sqauth_cleanse(ha1, sizeof(ha1));
    sqauth_cleanse(rspauth, sizeof(rspauth));
    sqauth_cleanse(random, sizeof(random));
    text_form_wipe(&pass_h);
    text_form_wipe(&user_h);
    text_form_wipe(&realm_h);
    text_form_wipe(&want);
    sqauth_buf_free(&uri_big);
    sqauth_digest_md5_layer_free(layer);
    sqauth_digest_md5_challenge_free(&ch);
    return rc;
}

static void request_of_session(const sqauth_sasl *s, digest_request *rq)
{
    rq->authcid = str_of(s->authcid.data, s->authcid.len);
    rq->password = str_of(s->password.data, s->password.len);
    rq->authzid = str_of(s->authzid.data, s->authzid.len);
    rq->service = str_of(s->service.data, s->service.len);
    rq->host = str_of(s->host.data, s->host.len);
    rq->realm = str_of(s->realm.data, s->realm.len);
    rq->cnonce = str_of(s->cnonce.data, s->cnonce.len);
    rq->cipher = str_of(s->cipher.data, s->cipher.len);
    rq->qop = (const char *const *)s->qop;
    rq->qop_count = s->qop_count;
    rq->maxbuf = s->maxbuf;
    rq->hash_utf8 = s->digest_hash_utf8;
}

/* ---- step 2: rspauth (or a stale=true challenge) ---- */

static int check_rspauth(sqauth_sasl *s, digest_md5_state *st, const unsigned char *in, size_t in_len,
                         sqauth_buf *out, sqauth_error *err)
{
    sqauth_digest_md5_directives ds = SQAUTH_DIGEST_MD5_DIRECTIVES_INIT;
    unsigned char got[SQAUTH_DIGEST_MD5_HASH_LEN];
    digest_request rq;
    response_sink sink = {NULL, NULL, 0, 0};
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
        request_of_session(s, &rq);
        sink.buf = out;
        return answer_challenge(&rq, st, in, in_len, &sink, err);
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
    /* The server proves it knows H(A1) too; compared in constant time so
     * that a forger learns nothing byte by byte. */
    if (!sqauth_equal_ct(got, sizeof(got), st->rspauth, sizeof(st->rspauth))) {
        sqauth_cleanse(got, sizeof(got));
        return sqauth_fail(err, SQAUTH_ERR_NOT_VERIFIED,
                           "DIGEST-MD5 server signature (rspauth) does not match: the server does not know the "
                           "password, or the exchange was tampered with");
    }
    sqauth_cleanse(got, sizeof(got));
    if (st->layer) {
        /* The exchange succeeded: the layer takes effect (RFC 4422 §3.7). */
        s->layer = sqauth_digest_md5_layer_cipher(st->layer) ? SQAUTH_LAYER_CONF : SQAUTH_LAYER_INT;
        s->layer_ops = &sqauth_digest_md5_layer_ops;
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
        digest_request rq;
        response_sink sink = {NULL, NULL, 0, 0};
        request_of_session(s, &rq);
        sink.buf = out;
        return answer_challenge(&rq, st, in, in_len, &sink, err);
    }
    return check_rspauth(s, st, in, in_len, out, err);
}

static const char *const default_qop[] = {"auth"};

int sqauth_digest_md5_answer_b64(const sqauth_sasl_config *cfg, const char *b64, size_t b64_len, char *out,
                                 size_t cap, size_t *out_len, sqauth_error *err)
{
    /* Every challenge RFC 2831 allows fits; a longer one is decoded on the
     * heap all the same, so that the error says what is wrong with it. */
    unsigned char raw_small[SQAUTH_DIGEST_MD5_MAX_CHALLENGE + 1];
    sqauth_buf raw_big = SQAUTH_BUF_INIT;
    const unsigned char *raw = raw_small;
    size_t raw_len = 0;
    response_sink sink;
    digest_request rq;
    int rc;

    *out_len = 0;
    if (cap <= SQAUTH_DIGEST_MD5_MAX_RESPONSE) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "DIGEST-MD5: no room for the response");
    }
    /* The caller's values first, then the server's bytes, as a session
     * would see them. */
    rc = sqauth_sasl_check_config(&sqauth_mech_digest_md5, cfg, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (b64_len / 4 * 3 <= sizeof(raw_small)) {
        rc = sqauth_b64_decode_to(raw_small, sizeof(raw_small), &raw_len, b64, b64_len, err);
    } else {
        rc = sqauth_b64_decode(&raw_big, b64, b64_len, err);
        raw = raw_big.data;
        raw_len = raw_big.len;
    }
    if (rc == SQAUTH_OK) {
        rq.authcid = cfg->authcid;
        rq.password = cfg->password;
        rq.authzid = cfg->authzid;
        rq.service = cfg->service;
        rq.host = cfg->host;
        rq.realm = cfg->realm;
        rq.cnonce = cfg->cnonce;
        rq.cipher = cfg->cipher;
        rq.qop = cfg->qop ? cfg->qop : default_qop;
        rq.qop_count = cfg->qop ? cfg->qop_count : 1;
        rq.maxbuf = cfg->maxbuf ? cfg->maxbuf : SQAUTH_SASL_DEFAULT_MAXBUF;
        rq.hash_utf8 = cfg->digest_hash_utf8;
        sink.buf = NULL;
        sink.fixed = out;
        sink.cap = cap;
        sink.len = 0;
        rc = answer_challenge(&rq, NULL, raw, raw_len, &sink, err);
        *out_len = sink.len;
    }
    sqauth_buf_free(&raw_big);
    return rc;
}

const sqauth_sasl_mech sqauth_mech_digest_md5 = {
    "DIGEST-MD5", 50, SQAUTH_MECH_NEEDS_PASSWORD | SQAUTH_MECH_PROVES_SERVER,
    NULL, digest_md5_step, digest_md5_dispose, "rspauth",
};
