/*
 * DIGEST-MD5 (RFC 2831): the server message parsers, then the whole client
 * mechanism through a challenge, a second server message (rspauth, or a
 * stale=true challenge) and a third.
 *
 * Input: server messages separated by NUL bytes (no DIGEST-MD5 message may
 * contain one). The parsers see every piece; the mechanism runs twice, with
 * the RFC 2831 §4 example's credentials and cnonce (so that the example
 * exchange in the corpus verifies) and with non-ASCII credentials, a
 * realm, an authzid and a preference for the security layers. The hash
 * maths (digest_md5_calc.c, paired hashes on our own MD5) on the raw
 * pieces as nonce, cnonce and digest-uri must give what the formulas give
 * one hash after the other through OpenSSL's MD5
 * (tests/core/digest_md5_plain.h).
 */
#include "fuzz.h"
#include "../core/digest_md5_plain.h"
#include "sasl/digest_md5_calc.h"
#include "sasl/digest_md5_parse.h"


#define MAX_PIECES 3

static const char *const qop_layers[] = {"auth-conf", "auth-int", "auth"};

typedef struct variant {
    const char *user, *password, *realm, *authzid, *host, *cnonce;
    const char *const *qop;
    size_t qop_count;
    unsigned maxbuf;
} variant;

static const variant variants[] = {
    /* RFC 2831 §4: chris / secret, imap/elwood.innosoft.com */
    {"chris", "secret", NULL, NULL, "elwood.innosoft.com", "OA6MHXh6VqTrRk", NULL, 0, 0},
    /* Latin-1 representable user name and password, a realm to insist
     * on, an authzid, the layers first */
    {"chr\xc3\xafs", "s\xc3\xa9" "cret 42", "elwood.innosoft.com", "chris-admin", "elwood.innosoft.com",
     "OA6MHXh6VqTrRk", qop_layers, 3, 4096},
};

/* A comma list inside a directive value, element by element: every call
 * moves on or ends, and the elements are tokens inside the value. */
static void walk_list(const fuzz_input *in, const sqauth_digest_md5_directive *d)
{
    size_t pos = 0, last = 0, rounds = 0;
    sqauth_str e;
    sqauth_error err;
    int rc;

    for (;;) {
        sqauth_error_clear(&err);
        rc = sqauth_digest_md5_list_next(d->value, d->value_len, &pos, &e, d->name, &err);
        fuzz_check_error(in, rc, &err, NULL);
        FUZZ_ASSERT(pos <= d->value_len);
        if (rc != SQAUTH_OK || !e.data) {
            break;
        }
        FUZZ_ASSERT(e.len > 0 && e.data >= d->value && e.data + e.len <= d->value + d->value_len);
        FUZZ_ASSERT(pos > last || rounds == 0);
        last = pos;
        FUZZ_ASSERT(++rounds <= d->value_len);
    }
}

static void parsers(const fuzz_input *in, const uint8_t *p, size_t n)
{
    sqauth_digest_md5_directives ds = SQAUTH_DIGEST_MD5_DIRECTIVES_INIT;
    sqauth_digest_md5_challenge ch;
    unsigned char rspauth[16];
    sqauth_error err;
    size_t i;
    int rc;

    sqauth_error_clear(&err);
    rc = sqauth_digest_md5_parse_directives(p, n, &ds, &err);
    fuzz_check_error(in, rc, &err, NULL);
    if (rc != SQAUTH_OK) {
        FUZZ_ASSERT(ds.count == 0 && ds.items == NULL);
    }
    for (i = 0; i < ds.count; i++) {
        const sqauth_digest_md5_directive *d = &ds.items[i];
        FUZZ_ASSERT(d->name_len > 0 && strlen(d->name) == d->name_len);
        FUZZ_ASSERT(strlen(d->value) == d->value_len);   /* no NUL inside */
        FUZZ_ASSERT(sqauth_digest_md5_find(&ds, d->name) != NULL);
        walk_list(in, d);
    }
    sqauth_digest_md5_directives_free(&ds);

    sqauth_error_clear(&err);
    rc = sqauth_digest_md5_parse_challenge(p, n, &ch, &err);
    fuzz_check_error(in, rc, &err, NULL);
    if (rc == SQAUTH_OK) {
        FUZZ_ASSERT(ch.nonce.data && ch.nonce.len > 0);
        FUZZ_ASSERT(ch.maxbuf >= 17 && ch.maxbuf <= 16777215ul);
        FUZZ_ASSERT(ch.qop != 0 || ch.qop_raw.data);
        for (i = 0; i < ch.realm_count; i++) {
            FUZZ_ASSERT(ch.realms[i].data && strlen(ch.realms[i].data) == ch.realms[i].len);
        }
    }
    sqauth_digest_md5_challenge_free(&ch);

    sqauth_error_clear(&err);
    rc = sqauth_digest_md5_parse_rspauth(p, n, rspauth, &err);
    fuzz_check_error(in, rc, &err, NULL);
}

static void hashes(const uint8_t *piece, size_t n)
{
    static const char *const qops[] = {"auth", "auth-int", "auth-conf"};
    const variant *v = &variants[n % 2];
    unsigned char h1[16], r[16], a[16], want_h1[16], want_r[16], want_a[16];
    sqauth_digest_md5_params p;
    sqauth_error err;

    memset(&p, 0, sizeof(p));
    p.username = sqauth_str_c(v->user);
    p.realm = sqauth_str_c(v->realm ? v->realm : "");
    p.password = sqauth_str_c(v->password);
    p.authzid = sqauth_str_c(v->authzid ? v->authzid : "");
    p.nonce.data = (const char *)piece;
    p.nonce.len = n;
    p.cnonce.data = (const char *)piece + n / 2;
    p.cnonce.len = n - n / 2;
    p.digest_uri.data = (const char *)piece + n / 3;
    p.digest_uri.len = n - n / 3;
    p.nc = "00000001";
    p.qop = qops[n % 3];
    FUZZ_ASSERT(plain_digest_md5(&p, 0, want_h1, want_r) && plain_digest_md5(&p, 1, want_h1, want_a));
    FUZZ_ASSERT(sqauth_digest_md5_compute(&p, h1, r, a, &err) == SQAUTH_OK);
    FUZZ_ASSERT(memcmp(h1, want_h1, 16) == 0 && memcmp(r, want_r, 16) == 0 && memcmp(a, want_a, 16) == 0);
    FUZZ_ASSERT(sqauth_digest_md5_compute(&p, h1, r, NULL, &err) == SQAUTH_OK);
    FUZZ_ASSERT(memcmp(h1, want_h1, 16) == 0 && memcmp(r, want_r, 16) == 0);
}

/* The session-less answer (SqAuth\digest_md5_response()'s) to the same
 * first challenge, given in base64: the same verdict, message and bytes. */
static void answer_agrees(const fuzz_input *in, const sqauth_sasl_config *cfg, const uint8_t *p, size_t n, int rc,
                          const sqauth_error *step_err, const sqauth_buf *step_out)
{
    static char raw[SQAUTH_DIGEST_MD5_MAX_RESPONSE + 1];
    sqauth_buf b64 = SQAUTH_BUF_INIT;
    sqauth_error err;
    size_t len;

    FUZZ_ASSERT(sqauth_b64_encode(&b64, p, n) == SQAUTH_OK);
    sqauth_error_clear(&err);
    FUZZ_ASSERT(sqauth_digest_md5_answer_b64(cfg, b64.data ? (const char *)b64.data : "", b64.len, raw, sizeof(raw),
                                             &len, &err) == rc);
    fuzz_check_error(in, rc, &err, NULL);
    if (rc == SQAUTH_OK) {
        FUZZ_ASSERT(len == step_out->len && memcmp(raw, step_out->data, len) == 0);
    } else {
        FUZZ_ASSERT(len == 0 && strcmp(err.message, step_err->message) == 0);
    }
    sqauth_buf_free(&b64);
}

static void mechanism(const fuzz_input *in, const variant *v, const uint8_t *const *msg, const size_t *msg_len,
                      size_t count)
{
    sqauth_sasl_config cfg;
    sqauth_sasl *s = NULL;
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    size_t i;
    int rc = SQAUTH_OK;

    fuzz_sasl_config(&cfg, v->user, v->password);
    cfg.host = sqauth_str_c(v->host);
    cfg.realm = sqauth_str_c(v->realm);
    cfg.authzid = sqauth_str_c(v->authzid);
    cfg.cnonce = sqauth_str_c(v->cnonce);
    cfg.qop = v->qop;
    cfg.qop_count = v->qop_count;
    cfg.maxbuf = v->maxbuf;
    sqauth_error_clear(&err);
    FUZZ_ASSERT(sqauth_sasl_new(&s, "DIGEST-MD5", 10, &cfg, &err) == SQAUTH_OK);

    for (i = 0; i < count && rc == SQAUTH_OK; i++) {
        int was_complete = s->complete;
        sqauth_buf_reset(&out);
        sqauth_error_clear(&err);
        rc = sqauth_sasl_step(s, msg[i], msg_len[i], &out, &err);
        fuzz_check_error(in, rc, &err, v->password);
        if (i == 0) {
            answer_agrees(in, &cfg, msg[0], msg_len[0], rc, &err, &out);
        }
        if (rc != SQAUTH_OK) {
            /* A failed exchange negotiated no layer; a challenge after a
             * complete one is refused and leaves its layer alone. */
            FUZZ_ASSERT(out.len == 0 && s->failed);
            FUZZ_ASSERT(was_complete ? rc == SQAUTH_ERR_STATE : s->layer == SQAUTH_LAYER_NONE);
            break;
        }
        /* RFC 2831 §2.1.2: a digest-response is under 4096 bytes. */
        FUZZ_ASSERT(out.len <= SQAUTH_DIGEST_MD5_MAX_RESPONSE);
        fuzz_check_no_secret(in, out.data, out.len, v->password);
        if (s->complete) {
            /* Only a matching rspauth ends the exchange. */
            FUZZ_ASSERT(s->server_verified && out.len == 0);
        } else {
            FUZZ_ASSERT(out.len > 0 && fuzz_contains(out.data, out.len, "response="));
        }
    }
    if (rc == SQAUTH_OK && s->layer != SQAUTH_LAYER_NONE) {
        /* The negotiated layer works in the direction we can check. */
        sqauth_buf_reset(&out);
        sqauth_error_clear(&err);
        FUZZ_ASSERT(sqauth_sasl_wrap(s, (const unsigned char *)"a1 NOOP\r\n", 9, &out, &err) == SQAUTH_OK);
        FUZZ_ASSERT(out.len > 4 + 9);
    }
    sqauth_buf_free(&out);
    sqauth_sasl_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = fuzz_input_make(data, size);
    const uint8_t *msg[MAX_PIECES];
    size_t msg_len[MAX_PIECES], count = 0, i;

    while (count < MAX_PIECES && fuzz_piece(&in, &msg[count], &msg_len[count])) {
        parsers(&in, msg[count], msg_len[count]);
        hashes(msg[count], msg_len[count]);
        count++;
    }
    for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++) {
        mechanism(&in, &variants[i], msg, msg_len, count);
    }
    return 0;
}
