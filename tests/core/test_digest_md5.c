/*
 * DIGEST-MD5 (RFC 2831): challenge parser, charset conversion, hash maths
 * and the client mechanism.
 *
 * Expected response/rspauth values other than the RFC 2831 §4 vector were
 * computed independently with Python's hashlib, from the formulas of
 * RFC 2831 §2.1.2.1 (no code shared with sqauth):
 *
 *   H=lambda b: hashlib.md5(b).digest()
 *   def resp(user, realm, pw, nonce, cnonce, uri, authzid=b'', qop='auth', server=False):
 *       a1 = H(user+b':'+realm+b':'+pw) + b':'+nonce+b':'+cnonce + (b':'+authzid if authzid else b'')
 *       a2 = (b'' if server else b'AUTHENTICATE') + b':'+uri + (b':'+b'0'*32 if qop != 'auth' else b'')
 *       return H(H(a1).hex().encode()+b':'+nonce+b':00000001:'+cnonce+b':'+qop.encode()
 *                +b':'+H(a2).hex().encode()).hex()
 *
 * with cnonce b'OA6MHXh6VqTrRk' and uri b'imap/elwood.innosoft.com' unless
 * said otherwise. That function reproduces the RFC vector (d388dad9...,
 * ea40f603...). Each value below names the arguments it was computed with.
 */
#include "check.h"
#include "digest_md5_plain.h"
#include "sasl/sasl.h"
#include "sasl/charset.h"
#include "sasl/digest_md5_calc.h"
#include "sasl/digest_md5_parse.h"

#include <stdlib.h>


#define HOST "elwood.innosoft.com"
#define CNONCE "OA6MHXh6VqTrRk"
#define NONCE "OA6MG9tEQGm2hh"

/* RFC 2831 §4 */
static const char rfc_challenge[] =
    "realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess,charset=utf-8";
static const char rfc_response[] =
    "charset=utf-8,username=\"chris\",realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",nc=00000001,"
    "cnonce=\"OA6MHXh6VqTrRk\",digest-uri=\"imap/elwood.innosoft.com\",response=d388dad90d4bbd760a152321f2143af7,"
    "qop=auth";
static const char rfc_rspauth[] = "rspauth=ea40f60335c427b5527b84dbabcdfffd";

typedef struct {
    const char *user, *pass, *authzid, *realm, *host, *service;
    const char *const *qop;
    size_t qop_count;
} opts;

static void config_of(const opts *o, sqauth_sasl_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->authcid = sqauth_str_c(o->user ? o->user : "chris");
    cfg->password = sqauth_str_c(o->pass ? o->pass : "secret");
    cfg->authzid = sqauth_str_c(o->authzid);
    cfg->realm = sqauth_str_c(o->realm);
    cfg->host = sqauth_str_c(o->host ? o->host : HOST);
    cfg->service = sqauth_str_c(o->service);
    cfg->cnonce = sqauth_str_c(CNONCE);
    cfg->qop = o->qop;
    cfg->qop_count = o->qop_count;
}

static sqauth_sasl *make(const opts *o)
{
    sqauth_sasl_config cfg;
    sqauth_sasl *s = NULL;
    sqauth_error err;

    config_of(o, &cfg);
    sqauth_error_clear(&err);
    CHECK_RC(sqauth_sasl_new(&s, "DIGEST-MD5", 10, &cfg, &err), SQAUTH_OK);
    return s;
}

static int step(sqauth_sasl *s, const char *challenge, sqauth_buf *out, sqauth_error *err)
{
    sqauth_buf_reset(out);
    sqauth_error_clear(err);
    return sqauth_sasl_step(s, (const unsigned char *)challenge, strlen(challenge), out, err);
}

/* The same first challenge through sqauth_digest_md5_answer_b64() (no
 * session, the challenge in base64): the same code, message and response. */
static void answer_b64_agrees(const opts *o, const char *challenge, int code, const char *message,
                              const char *response)
{
    sqauth_sasl_config cfg;
    sqauth_buf b64 = SQAUTH_BUF_INIT;
    char out[SQAUTH_DIGEST_MD5_MAX_RESPONSE + 1];
    size_t len = 12345;
    sqauth_error err;

    config_of(o, &cfg);
    CHECK_RC(sqauth_b64_encode(&b64, (const unsigned char *)challenge, strlen(challenge)), SQAUTH_OK);
    sqauth_error_clear(&err);
    CHECK_RC(sqauth_digest_md5_answer_b64(&cfg, b64.data ? (const char *)b64.data : "", b64.len, out, sizeof(out),
                                          &len, &err), code);
    if (code == SQAUTH_OK) {
        CHECK_BYTES(out, len, response);
    } else {
        CHECK_BYTES(err.message, strlen(err.message), message);
        CHECK(len == 0);
    }
    sqauth_buf_free(&b64);
}

/* One challenge answered with the expected response, then rspauth accepted. */
static void exchange(const opts *o, const char *challenge, const char *response, const char *rspauth)
{
    sqauth_sasl *s = make(o);
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;

    if (!s) {
        return;
    }
    CHECK_RC(step(s, challenge, &out, &err), SQAUTH_OK);
    CHECK_BYTES(out.data ? (const char *)out.data : "", out.len, response);
    CHECK(!s->complete && !s->server_verified);
    CHECK_RC(step(s, rspauth, &out, &err), SQAUTH_OK);
    CHECK(out.len == 0);
    CHECK(s->complete && s->server_verified && s->layer == SQAUTH_LAYER_NONE);
    sqauth_buf_wipe(&out);
    sqauth_sasl_free(s);
    answer_b64_agrees(o, challenge, SQAUTH_OK, NULL, response);
}

/* The first challenge fails with code and message. */
static void refuses(const opts *o, const char *challenge, int code, const char *message)
{
    sqauth_sasl *s = make(o);
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;

    if (!s) {
        return;
    }
    CHECK_RC(step(s, challenge, &out, &err), code);
    CHECK_BYTES(err.message, strlen(err.message), message);
    CHECK(out.len == 0 && s->failed && !s->complete);
    sqauth_buf_wipe(&out);
    sqauth_sasl_free(s);
    answer_b64_agrees(o, challenge, code, message, NULL);
}

/* sqauth_digest_md5_parse_challenge() rejects in[0..len) with message. */
static void bad_challenge_n(const char *in, size_t len, const char *message)
{
    sqauth_digest_md5_challenge ch;
    sqauth_error err;

    sqauth_error_clear(&err);
    CHECK_RC(sqauth_digest_md5_parse_challenge((const unsigned char *)in, len, &ch, &err), SQAUTH_ERR_MALFORMED);
    CHECK_BYTES(err.message, strlen(err.message), message);
    sqauth_digest_md5_challenge_free(&ch);
}

static void bad_challenge(const char *in, const char *message)
{
    bad_challenge_n(in, strlen(in), message);
}

#define TAIL ",algorithm=md5-sess"

static void test_charset(void)
{
    sqauth_buf b = SQAUTH_BUF_INIT;
    sqauth_error err;
    int repr;

    CHECK_RC(sqauth_utf8_to_latin1("j\xc3\xbcrgen", 7, &b, &repr, "x", &err), SQAUTH_OK);
    CHECK(repr == 1);
    CHECK_BYTES(b.data, b.len, "j\xfcrgen");
    sqauth_buf_reset(&b);
    /* U+00FF is the last ISO-8859-1 character, U+0100 the first beyond. */
    CHECK_RC(sqauth_utf8_to_latin1("\xc3\xbf", 2, &b, &repr, "x", &err), SQAUTH_OK);
    CHECK(repr == 1 && b.len == 1 && b.data[0] == 0xff);
    sqauth_buf_reset(&b);
    CHECK_RC(sqauth_utf8_to_latin1("a\xc4\x80", 3, &b, &repr, "x", &err), SQAUTH_OK);
    CHECK(repr == 0 && b.len == 0);
    CHECK_RC(sqauth_utf8_to_latin1("\xd1\x8e\xd0\xb7\xd0\xb5\xd1\x80", 8, &b, &repr, "x", &err), SQAUTH_OK);
    CHECK(repr == 0 && b.len == 0);
    CHECK_RC(sqauth_utf8_to_latin1("\xf0\x9f\x98\x80", 4, &b, &repr, "x", &err), SQAUTH_OK);
    CHECK(repr == 0 && b.len == 0);
    /* appends after what the buffer holds */
    CHECK_RC(sqauth_buf_append_str(&b, "ab"), SQAUTH_OK);
    CHECK_RC(sqauth_utf8_to_latin1("\xc3\xa9", 2, &b, &repr, "x", &err), SQAUTH_OK);
    CHECK_BYTES(b.data, b.len, "ab\xe9");
    sqauth_buf_reset(&b);
    CHECK_RC(sqauth_utf8_to_latin1("", 0, &b, &repr, "x", &err), SQAUTH_OK);
    CHECK(repr == 1 && b.len == 0);

    /* Invalid UTF-8, including what xmlCheckUTF8 alone lets through. */
    CHECK_RC(sqauth_utf8_to_latin1("j\xfcrgen", 6, &b, &repr, "the user name", &err), SQAUTH_ERR_CHARSET);
    CHECK_BYTES(err.message, strlen(err.message), "the user name is not valid UTF-8");
    CHECK(repr == 0 && b.len == 0);
    CHECK_RC(sqauth_utf8_check("\xc0\xa2", 2, "x", &err), SQAUTH_ERR_CHARSET);          /* overlong '"' */
    CHECK_RC(sqauth_utf8_check("\xe0\x80\xa2", 3, "x", &err), SQAUTH_ERR_CHARSET);      /* overlong '"' */
    CHECK_RC(sqauth_utf8_check("\xf0\x80\x80\xa2", 4, "x", &err), SQAUTH_ERR_CHARSET);  /* overlong '"' */
    CHECK_RC(sqauth_utf8_check("\xed\xa0\x80", 3, "x", &err), SQAUTH_ERR_CHARSET);      /* surrogate */
    CHECK_RC(sqauth_utf8_check("\xf4\x90\x80\x80", 4, "x", &err), SQAUTH_ERR_CHARSET);  /* > U+10FFFF */
    CHECK_RC(sqauth_utf8_check("\xf8\x88\x80\x80\x80", 5, "x", &err), SQAUTH_ERR_CHARSET);
    CHECK_RC(sqauth_utf8_check("a\xc3", 2, "x", &err), SQAUTH_ERR_CHARSET);             /* truncated */
    CHECK_RC(sqauth_utf8_check("\x80", 1, "x", &err), SQAUTH_ERR_CHARSET);
    CHECK_RC(sqauth_utf8_check("a\0b", 3, "the realm", &err), SQAUTH_ERR_CHARSET);
    CHECK_BYTES(err.message, strlen(err.message), "the realm contains a NUL byte");
    CHECK_RC(sqauth_utf8_check("\xef\xbf\xbd\xf4\x8f\xbf\xbf", 7, "x", &err), SQAUTH_OK);
    sqauth_buf_wipe(&b);
}

/* RFC 2831 §4's example exchange, as hash inputs, for the user name
 * user. */
static void rfc_params(sqauth_digest_md5_params *p, const char *user)
{
    memset(p, 0, sizeof(*p));
    p->username = sqauth_str_c(user);
    p->realm = sqauth_str_c(HOST);
    p->password = sqauth_str_c("secret");
    p->nonce = sqauth_str_c(NONCE);
    p->cnonce = sqauth_str_c(CNONCE);
    p->digest_uri = sqauth_str_c("imap/" HOST);
    p->nc = "00000001";
    p->qop = "auth";
}

static void test_calc(void)
{
    sqauth_digest_md5_params p;
    unsigned char r[16], a[16], h1[16], r2[16], h2[16];
    sqauth_buf hex = SQAUTH_BUF_INIT;
    sqauth_error err;

    rfc_params(&p, "chris");
    CHECK_RC(sqauth_digest_md5_compute(&p, h1, r, a, &err), SQAUTH_OK);
    sqauth_buf_append_hex(&hex, r, 16);
    CHECK_BYTES(hex.data, hex.len, "d388dad90d4bbd760a152321f2143af7");
    sqauth_buf_reset(&hex);
    sqauth_buf_append_hex(&hex, a, 16);
    CHECK_BYTES(hex.data, hex.len, "ea40f60335c427b5527b84dbabcdfffd");
    sqauth_buf_reset(&hex);

    /* auth-int / auth-conf: A2 gains ":" and 32 zeros (python: qop='auth-int' / 'auth-conf') */
    p.qop = "auth-int";
    CHECK_RC(sqauth_digest_md5_compute(&p, h1, r, a, &err), SQAUTH_OK);
    sqauth_buf_append_hex(&hex, r, 16);
    sqauth_buf_append_hex(&hex, a, 16);
    CHECK_BYTES(hex.data, hex.len, "89fdc8198a2499ec4b6d0045c00ae24a2342e4b9b84956beda20b94d83cc8fe0");
    sqauth_buf_reset(&hex);
    p.qop = "auth-conf";
    CHECK_RC(sqauth_digest_md5_compute(&p, h1, r, a, &err), SQAUTH_OK);
    sqauth_buf_append_hex(&hex, r, 16);
    sqauth_buf_append_hex(&hex, a, 16);
    CHECK_BYTES(hex.data, hex.len, "c7d2efa41f50398d289b732a0c09f381e2b2f2d1742ec87e03e40f22efdeaac8");
    sqauth_buf_reset(&hex);

    /* authzid goes into A1 (python: authzid=b'admin') */
    p.qop = "auth";
    p.authzid = sqauth_str_c("admin");
    CHECK_RC(sqauth_digest_md5_compute(&p, h1, r, a, &err), SQAUTH_OK);
    sqauth_buf_append_hex(&hex, r, 16);
    CHECK_BYTES(hex.data, hex.len, "23e90c577367d8f917efa6ba0cb7eebc");
    sqauth_buf_reset(&hex);

    /* Without rspauth: the same H(A1) and response. */
    CHECK_RC(sqauth_digest_md5_compute(&p, h2, r2, NULL, &err), SQAUTH_OK);
    CHECK(memcmp(h1, h2, 16) == 0 && memcmp(r, r2, 16) == 0);

    p.nonce = SQAUTH_STR_NULL;
    CHECK_RC(sqauth_digest_md5_compute(&p, h1, r, a, &err), SQAUTH_ERR_INVALID_ARG);
    CHECK(memcmp(h1, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16) == 0);
    sqauth_buf_free(&hex);
}

/* ---- the paired computation against the plain one (digest_md5_plain.h) ---- */

/* Random printable text of n bytes. */
static sqauth_str random_text(char *buf, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++) {
        buf[i] = (char)('!' + rand() % 94);
    }
    return (sqauth_str){buf, n};
}

/* Every field's length across the block boundaries its hashes meet (A1 and
 * KD span one to several blocks, the pairs' lanes end at different
 * blocks), each qop, with and without authzid and rspauth: the paired
 * hashes give what the plain formulas give. */
static void test_calc_pairs(void)
{
    static const char *const qops[] = {"auth", "auth-int", "auth-conf"};
    char user[200], realm[200], pass[200], nonce[200], cnonce[200], uri[200], authzid[200];
    unsigned char h1[16], r[16], a[16], want_h1[16], want_r[16], want_a[16];
    sqauth_digest_md5_params p;
    sqauth_error err;
    int i, same = 1;

    srand(2831);
    for (i = 0; i < 3000 && same; i++) {
        memset(&p, 0, sizeof(p));
        p.username = random_text(user, (size_t)rand() % (i < 1000 ? 70 : 200));
        p.realm = random_text(realm, (size_t)rand() % 70);
        p.password = random_text(pass, (size_t)rand() % (i < 1000 ? 70 : 200));
        p.nonce = random_text(nonce, (size_t)(1 + rand() % 150));
        p.cnonce = random_text(cnonce, (size_t)(1 + rand() % 80));
        p.digest_uri = random_text(uri, (size_t)(1 + rand() % 140));
        if (i % 3 == 0) {
            p.authzid = random_text(authzid, (size_t)(1 + rand() % 100));
        }
        p.nc = "00000001";
        p.qop = qops[i % 3];
        CHECK(plain_digest_md5(&p, 0, want_h1, want_r) && plain_digest_md5(&p, 1, want_h1, want_a));
        same = sqauth_digest_md5_compute(&p, h1, r, a, &err) == SQAUTH_OK && memcmp(h1, want_h1, 16) == 0
            && memcmp(r, want_r, 16) == 0 && memcmp(a, want_a, 16) == 0;
        same = same && sqauth_digest_md5_compute(&p, h1, r, NULL, &err) == SQAUTH_OK
            && memcmp(h1, want_h1, 16) == 0 && memcmp(r, want_r, 16) == 0;
        if (!same) {
            fprintf(stderr, "FAIL %s:%d: DIGEST-MD5 hashes differ from the plain formulas (case %d)\n", __FILE__,
                    __LINE__, i);
        }
    }
    CHECK(same);
}

/* The byte checks on the caller's strings, which look at 8 bytes at a
 * time: a control character (below 32, or 127) at every position of a
 * user name and a host is refused, the bytes around that range are not;
 * a non-ASCII character at every position of the user name makes it
 * hashed in ISO-8859-1 (the response is the formulas' with the Latin-1
 * bytes). */
static void test_byte_checks(void)
{
    static const unsigned char ctl[] = {0x01, 0x09, 0x1f, 0x7f}, fine[] = {0x20, 0x7e, '"'};
    sqauth_sasl_config cfg;
    sqauth_buf b64 = SQAUTH_BUF_INIT;
    char out[SQAUTH_DIGEST_MD5_MAX_RESPONSE + 1], user[24], host[40], want[42];
    unsigned char h1[16], r[16];
    sqauth_digest_md5_params p;
    sqauth_error err;
    size_t len, i, k;
    int ok = 1;

    CHECK_RC(sqauth_b64_encode(&b64, (const unsigned char *)rfc_challenge, strlen(rfc_challenge)), SQAUTH_OK);
    for (i = 0; i < sizeof(user) - 2 && ok; i++) {
        memset(&cfg, 0, sizeof(cfg));
        cfg.password = sqauth_str_c("secret");
        cfg.host = sqauth_str_c(HOST);
        cfg.cnonce = sqauth_str_c(CNONCE);
        memset(user, 'u', sizeof(user) - 1);
        user[sizeof(user) - 1] = '\0';
        cfg.authcid = sqauth_str_c(user);
        for (k = 0; k < sizeof(ctl); k++) {
            user[i] = (char)ctl[k];
            ok &= sqauth_digest_md5_answer_b64(&cfg, (const char *)b64.data, b64.len, out, sizeof(out), &len, &err)
                == SQAUTH_ERR_INVALID_ARG && strstr(err.message, "user name contains a control character") != NULL;
        }
        for (k = 0; k < sizeof(fine); k++) {
            user[i] = (char)fine[k];
            ok &= sqauth_digest_md5_answer_b64(&cfg, (const char *)b64.data, b64.len, out, sizeof(out), &len, &err)
                == SQAUTH_OK;
        }
        user[i] = 'u';

        memset(host, 'h', sizeof(host) - 1);
        host[sizeof(host) - 1] = '\0';
        host[i + 9] = 0x7f;
        cfg.host = sqauth_str_c(host);
        ok &= sqauth_digest_md5_answer_b64(&cfg, (const char *)b64.data, b64.len, out, sizeof(out), &len, &err)
            == SQAUTH_ERR_INVALID_ARG && strstr(err.message, "must not contain control characters") != NULL;
        cfg.host = sqauth_str_c(HOST);

        /* "é" (UTF-8 c3 a9) at i of 22 characters: hashed as the Latin-1
         * byte e9 */
        memcpy(user + i, "\xc3\xa9", 2);
        cfg.authcid = sqauth_str_c(user);
        ok &= sqauth_digest_md5_answer_b64(&cfg, (const char *)b64.data, b64.len, out, sizeof(out), &len, &err)
            == SQAUTH_OK;
        user[i] = (char)0xe9;
        memmove(user + i + 1, user + i + 2, sizeof(user) - i - 2);
        rfc_params(&p, user);
        CHECK(plain_digest_md5(&p, 0, h1, r));
        memcpy(want, "response=", 9);
        plain_hex(r, want + 9);
        want[41] = '\0';
        out[len < sizeof(out) ? len : 0] = '\0';
        ok &= strstr(out, want) != NULL;
        if (!ok) {
            fprintf(stderr, "FAIL %s:%d: byte checks at position %zu\n", __FILE__, __LINE__, i);
        }
    }
    CHECK(ok);
    sqauth_buf_free(&b64);
}

static void test_parser_accepts(void)
{
    sqauth_digest_md5_challenge ch;
    sqauth_digest_md5_directives ds = SQAUTH_DIGEST_MD5_DIRECTIVES_INIT;
    const sqauth_digest_md5_directive *d;
    sqauth_error err;
    sqauth_str e;
    size_t pos;
    const char *in;
    char big[2100];

    /* The RFC challenge: directives in order, unquoted, with the quoted flag. */
    CHECK_RC(sqauth_digest_md5_parse_directives((const unsigned char *)rfc_challenge, strlen(rfc_challenge), &ds, &err),
             SQAUTH_OK);
    CHECK(ds.count == 5);
    if (ds.count == 5) {
        CHECK(strcmp(ds.items[0].name, "realm") == 0 && strcmp(ds.items[0].value, HOST) == 0 && ds.items[0].quoted);
        CHECK(strcmp(ds.items[1].name, "nonce") == 0 && strcmp(ds.items[1].value, NONCE) == 0);
        CHECK(strcmp(ds.items[2].name, "qop") == 0 && strcmp(ds.items[2].value, "auth") == 0);
        CHECK(strcmp(ds.items[3].name, "algorithm") == 0 && strcmp(ds.items[3].value, "md5-sess") == 0
              && !ds.items[3].quoted);
        CHECK(strcmp(ds.items[4].name, "charset") == 0 && strcmp(ds.items[4].value, "utf-8") == 0);
    }
    sqauth_digest_md5_directives_free(&ds);

    CHECK_RC(sqauth_digest_md5_parse_challenge((const unsigned char *)rfc_challenge, strlen(rfc_challenge), &ch, &err),
             SQAUTH_OK);
    CHECK(ch.realm_count == 1 && ch.utf8 && !ch.stale && ch.qop == SQAUTH_DIGEST_MD5_QOP_AUTH);
    CHECK(ch.maxbuf == 65536 && !ch.maxbuf_given && ch.ciphers == 0 && !ch.cipher_raw.data);
    CHECK_BYTES(ch.nonce.data, ch.nonce.len, NONCE);
    CHECK_BYTES(ch.qop_raw.data, ch.qop_raw.len, "auth");
    sqauth_digest_md5_challenge_free(&ch);

    /* Escapes, commas inside quotes, LWS around '=' and ',', empty
     * elements, unknown directives, names in any case, two realms. */
    in = " ,, Realm = \"a\\\"b\\\\c,d\" ,\t realm=\"\" ,,NONCE= \"n\\o,n\" , foo = bar ,baz=\"q,\\\"x\","
         "qop=\" auth , auth-int,,x-new \",ALGORITHM = \"MD5-Sess\" , charset=\"UTF-8\",stale=TRUE,"
         "maxbuf=\"17\",cipher=\"rc4,3des,des,rc4-56,rc4-40,aes\",\r\n ,";
    CHECK_RC(sqauth_digest_md5_parse_challenge((const unsigned char *)in, strlen(in), &ch, &err), SQAUTH_OK);
    CHECK(ch.realm_count == 2);
    if (ch.realm_count == 2) {
        CHECK_BYTES(ch.realms[0].data, ch.realms[0].len, "a\"b\\c,d");
        CHECK(ch.realms[1].len == 0);
    }
    CHECK_BYTES(ch.nonce.data, ch.nonce.len, "no,n");
    CHECK(ch.qop == (SQAUTH_DIGEST_MD5_QOP_AUTH | SQAUTH_DIGEST_MD5_QOP_AUTH_INT));
    CHECK_BYTES(ch.qop_raw.data, ch.qop_raw.len, " auth , auth-int,,x-new ");
    CHECK(ch.utf8 && ch.stale && ch.maxbuf == 17 && ch.maxbuf_given);
    CHECK(ch.ciphers == 0x1f);
    CHECK(ch.directive_count == 11);
    sqauth_digest_md5_challenge_free(&ch);
    /* The same message as the list the binding shows. */
    CHECK_RC(sqauth_digest_md5_parse_directives((const unsigned char *)in, strlen(in), &ds, &err), SQAUTH_OK);
    CHECK(ds.count == 11);
    d = sqauth_digest_md5_find(&ds, "baz");
    CHECK(d && strcmp(d->value, "q,\"x") == 0 && d->quoted);
    d = sqauth_digest_md5_find(&ds, "foo");
    CHECK(d && strcmp(d->value, "bar") == 0 && !d->quoted);
    d = sqauth_digest_md5_find(&ds, "algorithm");
    CHECK(d && strcmp(d->value, "MD5-Sess") == 0);
    d = sqauth_digest_md5_find(&ds, "realm");
    CHECK(d && strcmp(d->value, "a\"b\\c,d") == 0 && d->value_len == 7);
    /* the generic list iterator used by the binding for qop and cipher */
    d = sqauth_digest_md5_find(&ds, "qop");
    pos = 0;
    CHECK_RC(sqauth_digest_md5_list_next(d->value, d->value_len, &pos, &e, "qop", &err), SQAUTH_OK);
    CHECK_BYTES(e.data, e.len, "auth");
    CHECK_RC(sqauth_digest_md5_list_next(d->value, d->value_len, &pos, &e, "qop", &err), SQAUTH_OK);
    CHECK_BYTES(e.data, e.len, "auth-int");
    CHECK_RC(sqauth_digest_md5_list_next(d->value, d->value_len, &pos, &e, "qop", &err), SQAUTH_OK);
    CHECK_BYTES(e.data, e.len, "x-new");
    CHECK_RC(sqauth_digest_md5_list_next(d->value, d->value_len, &pos, &e, "qop", &err), SQAUTH_OK);
    CHECK(e.data == NULL);
    sqauth_digest_md5_directives_free(&ds);

    /* Dovecot quotes every value; a tab inside quotes is TEXT; no qop means auth;
     * 8-bit bytes in a quoted realm are fine. */
    in = "realm=\"a.example\",realm=\"b\texample\",realm=\"b\xc3\xbc\",nonce=\"x\",charset=\"utf-8\","
         "algorithm=\"md5-sess\",maxbuf=16777215";
    CHECK_RC(sqauth_digest_md5_parse_challenge((const unsigned char *)in, strlen(in), &ch, &err), SQAUTH_OK);
    CHECK(ch.realm_count == 3 && ch.qop == SQAUTH_DIGEST_MD5_QOP_AUTH && !ch.qop_raw.data && ch.maxbuf == 16777215);
    sqauth_digest_md5_challenge_free(&ch);

    /* qop with only unknown options parses (the mechanism refuses it later). */
    in = "nonce=x,qop=\"x-future\"" TAIL;
    CHECK_RC(sqauth_digest_md5_parse_challenge((const unsigned char *)in, strlen(in), &ch, &err), SQAUTH_OK);
    CHECK(ch.qop == 0);
    sqauth_digest_md5_challenge_free(&ch);

    /* 2047 bytes is the largest challenge RFC 2831 allows. */
    memset(big, 0, sizeof(big));
    strcpy(big, "nonce=x" TAIL ",pad=\"");
    memset(big + strlen(big), 'p', 2046 - strlen(big));
    big[2046] = '"';
    CHECK_RC(sqauth_digest_md5_parse_challenge((const unsigned char *)big, 2047, &ch, &err), SQAUTH_OK);
    sqauth_digest_md5_challenge_free(&ch);
    big[2046] = 'p';
    big[2047] = '"';
    bad_challenge_n(big, 2048, "DIGEST-MD5 challenge is 2048 bytes; RFC 2831 allows at most 2047");

    /* rspauth: either case, quoted or not, unknown directives ignored */
    {
        unsigned char r[16];
        static const unsigned char want[16] = {0xea, 0x40, 0xf6, 0x03, 0x35, 0xc4, 0x27, 0xb5,
                                               0x52, 0x7b, 0x84, 0xdb, 0xab, 0xcd, 0xff, 0xfd};
        in = " rspauth = \"EA40F60335C427B5527B84DBABCDFFFD\" , x=y";
        CHECK_RC(sqauth_digest_md5_parse_rspauth((const unsigned char *)in, strlen(in), r, &err), SQAUTH_OK);
        CHECK(memcmp(r, want, 16) == 0);
        CHECK_RC(sqauth_digest_md5_parse_rspauth((const unsigned char *)rfc_rspauth, strlen(rfc_rspauth), r, &err),
                 SQAUTH_OK);
        CHECK(memcmp(r, want, 16) == 0);
        in = "rspauth=ea40f60335c427b5527b84dbabcdfffd,rspauth=ea40f60335c427b5527b84dbabcdfffd";
        CHECK_RC(sqauth_digest_md5_parse_rspauth((const unsigned char *)in, strlen(in), r, &err), SQAUTH_ERR_MALFORMED);
        CHECK_BYTES(err.message, strlen(err.message), "DIGEST-MD5 server message has more than one rspauth");
        in = "rspauth=ea40f60335c427b5527b84dbabcdfff";
        CHECK_RC(sqauth_digest_md5_parse_rspauth((const unsigned char *)in, strlen(in), r, &err), SQAUTH_ERR_MALFORMED);
        CHECK_BYTES(err.message, strlen(err.message),
                    "DIGEST-MD5 rspauth is 31 characters long, expected 32 hex digits");
        in = "rspauth=ea40f60335c427b5527b84dbabcdfffg";
        CHECK_RC(sqauth_digest_md5_parse_rspauth((const unsigned char *)in, strlen(in), r, &err), SQAUTH_ERR_MALFORMED);
        CHECK_BYTES(err.message, strlen(err.message), "DIGEST-MD5 rspauth is not 32 hex digits");
        in = "x=y";
        CHECK_RC(sqauth_digest_md5_parse_rspauth((const unsigned char *)in, strlen(in), r, &err), SQAUTH_ERR_MALFORMED);
        CHECK_BYTES(err.message, strlen(err.message), "DIGEST-MD5 server message has no rspauth directive");
        in = "rspauth=";
        CHECK_RC(sqauth_digest_md5_parse_rspauth((const unsigned char *)in, strlen(in), r, &err), SQAUTH_ERR_MALFORMED);
        CHECK_BYTES(err.message, strlen(err.message), "DIGEST-MD5 server message: directive \"rspauth\" has no value");
    }
}

static void test_parser_rejects(void)
{
    bad_challenge("", "DIGEST-MD5 challenge is empty");
    bad_challenge(" ,, ,", "DIGEST-MD5 challenge has no directive");
    bad_challenge_n("nonce=\"a\0b\"" TAIL, 11 + sizeof(TAIL) - 1,
                    "DIGEST-MD5 challenge contains a NUL byte at offset 8");

    /* required, single, allowed values */
    bad_challenge("realm=\"r\"" TAIL, "DIGEST-MD5 challenge has no nonce directive");
    bad_challenge("nonce=\"\"" TAIL, "DIGEST-MD5 challenge has an empty nonce");
    bad_challenge("nonce=a,nonce=b" TAIL, "DIGEST-MD5 challenge has more than one nonce directive");
    bad_challenge("nonce=a,qop=auth,qop=\"auth\"" TAIL, "DIGEST-MD5 challenge has more than one qop directive");
    bad_challenge("nonce=a,charset=utf-8,Charset=utf-8" TAIL,
                  "DIGEST-MD5 challenge has more than one charset directive");
    bad_challenge("nonce=a" TAIL TAIL, "DIGEST-MD5 challenge has more than one algorithm directive");
    bad_challenge("nonce=a,maxbuf=1024,maxbuf=1024" TAIL, "DIGEST-MD5 challenge has more than one maxbuf directive");
    bad_challenge("nonce=a,stale=true,stale=true" TAIL, "DIGEST-MD5 challenge has more than one stale directive");
    bad_challenge("nonce=a,cipher=rc4,cipher=des" TAIL, "DIGEST-MD5 challenge has more than one cipher directive");
    bad_challenge("nonce=a", "DIGEST-MD5 challenge has no algorithm directive (RFC 2831 requires algorithm=md5-sess)");
    bad_challenge("nonce=a,algorithm=md5", "DIGEST-MD5 challenge: algorithm is \"md5\", expected md5-sess");
    bad_challenge("nonce=a,algorithm=\"md5-sess,md5\"",
                  "DIGEST-MD5 challenge: algorithm is \"md5-sess,md5\", expected md5-sess");
    bad_challenge("nonce=a,charset=iso-8859-1" TAIL,
                  "DIGEST-MD5 challenge: charset is \"iso-8859-1\", only utf-8 is allowed");
    bad_challenge("nonce=a,charset=\"utf8\"" TAIL, "DIGEST-MD5 challenge: charset is \"utf8\", only utf-8 is allowed");
    bad_challenge("nonce=a,maxbuf=abc" TAIL, "DIGEST-MD5 challenge: maxbuf \"abc\" is not a decimal number");
    bad_challenge("nonce=a,maxbuf=\"-5\"" TAIL, "DIGEST-MD5 challenge: maxbuf \"-5\" is not a decimal number");
    bad_challenge("nonce=a,maxbuf=\"\"" TAIL, "DIGEST-MD5 challenge: maxbuf is empty");
    bad_challenge("nonce=a,maxbuf=16" TAIL, "DIGEST-MD5 challenge: maxbuf 16 is out of range (17 to 16777215)");
    bad_challenge("nonce=a,maxbuf=16777216" TAIL,
                  "DIGEST-MD5 challenge: maxbuf 16777216 is out of range (17 to 16777215)");
    bad_challenge("nonce=a,maxbuf=99999999999999999999999999" TAIL,
                  "DIGEST-MD5 challenge: maxbuf 99999999999999999999999999 is out of range (17 to 16777215)");
    bad_challenge("nonce=a,stale=false" TAIL, "DIGEST-MD5 challenge: stale is \"false\", only true is allowed");
    bad_challenge("nonce=a,qop=\"\"" TAIL, "DIGEST-MD5 challenge: the qop list is empty");
    bad_challenge("nonce=a,qop=\" , ,\"" TAIL, "DIGEST-MD5 challenge: the qop list is empty");
    bad_challenge("nonce=a,qop=\"auth int\"" TAIL,
                  "DIGEST-MD5 challenge: the qop list \"auth int\" is not a comma-separated list of tokens");
    bad_challenge("nonce=a,qop=\"auth;x\"" TAIL,
                  "DIGEST-MD5 challenge: the qop list \"auth;x\" is not a comma-separated list of tokens");
    bad_challenge("nonce=a,qop=\"auth,;x\"" TAIL,
                  "DIGEST-MD5 challenge: the qop list has a byte 0x3b that is not part of a token");
    bad_challenge("nonce=a,cipher=\"rc4 des\"" TAIL,
                  "DIGEST-MD5 challenge: the cipher list \"rc4 des\" is not a comma-separated list of tokens");

    /* syntax */
    bad_challenge("nonce=\"abc" TAIL, "DIGEST-MD5 challenge: the quoted value of \"nonce\" is not terminated");
    bad_challenge("nonce=\"abc\\", "DIGEST-MD5 challenge: the quoted value of \"nonce\" ends in a lone backslash");
    bad_challenge("nonce=a,realm=\"a\rb\"" TAIL,
                  "DIGEST-MD5 challenge: control character 0x0d in the value of \"realm\" at offset 16");
    bad_challenge("nonce=a,realm=\"a\\\nb\"" TAIL,
                  "DIGEST-MD5 challenge: control character 0x0a in the value of \"realm\" at offset 17");
    bad_challenge("nonce=a,realm=\"a\x7f\"" TAIL,
                  "DIGEST-MD5 challenge: control character 0x7f in the value of \"realm\" at offset 16");
    bad_challenge("=a,nonce=b" TAIL, "DIGEST-MD5 challenge: expected a directive name at offset 0, found '='");
    bad_challenge("nonce=a,\"realm\"=b" TAIL,
                  "DIGEST-MD5 challenge: expected a directive name at offset 8, found '\"'");
    bad_challenge("nonce=a,r\xc3\xa9" "alm=b" TAIL,
                  "DIGEST-MD5 challenge: directive \"r\" is not followed by '=' (found byte 0xc3 at offset 9)");
    bad_challenge("nonce \"a\"" TAIL,
                  "DIGEST-MD5 challenge: directive \"nonce\" is not followed by '=' (found '\"' at offset 6)");
    bad_challenge(TAIL ",nonce",
                  "DIGEST-MD5 challenge: directive \"nonce\" is not followed by '=' (found the end of the message at offset 25)");
    bad_challenge("nonce=,realm=r" TAIL, "DIGEST-MD5 challenge: directive \"nonce\" has no value");
    bad_challenge(TAIL ",nonce= ", "DIGEST-MD5 challenge: directive \"nonce\" has no value");
    bad_challenge("nonce=@" TAIL,
                  "DIGEST-MD5 challenge: the value of \"nonce\" starts with '@' at offset 6; expected a token or a quoted string");
    bad_challenge("nonce=a,realm=\xc3\xa9" TAIL,
                  "DIGEST-MD5 challenge: the value of \"realm\" starts with byte 0xc3 at offset 14; expected a token or a quoted string");
    bad_challenge("nonce=\"a\" \"b\"" TAIL,
                  "DIGEST-MD5 challenge: expected ',' after the value of \"nonce\" at offset 10, found '\"'");
    bad_challenge("nonce=a b" TAIL, "DIGEST-MD5 challenge: expected ',' after the value of \"nonce\" at offset 8, found 'b'");
    bad_challenge("nonce=a;algorithm=md5-sess",
                  "DIGEST-MD5 challenge: expected ',' after the value of \"nonce\" at offset 7, found ';'");
    bad_challenge("nonce=a" TAIL ",x=y=z", "DIGEST-MD5 challenge: expected ',' after the value of \"x\" at offset 30, found '='");
}

static void test_mechanism(void)
{
    static const char *const q_auth_int_first[] = {"auth-int", "auth"};
    static const char *const q_conf_then_auth[] = {"auth-conf", "auth"};
    static const char *const q_conf[] = {"auth-conf"};
    static const char *const q_bogus[] = {"auth", "privacy"};
    opts o;
    sqauth_sasl *s;
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    char big[4200];

    /* RFC 2831 §4 */
    memset(&o, 0, sizeof(o));
    exchange(&o, rfc_challenge, rfc_response, rfc_rspauth);
    /* the server's rspauth may come quoted and in upper case */
    exchange(&o, rfc_challenge, rfc_response, "rspauth=\"EA40F60335C427B5527B84DBABCDFFFD\"");

    s = make(&o);
    CHECK(s->mech->start == NULL && (s->mech->flags & SQAUTH_MECH_NEEDS_PASSWORD) && s->mech->strength == 50);
    CHECK_RC(step(s, rfc_challenge, &out, &err), SQAUTH_OK);
    CHECK_RC(step(s, rfc_rspauth, &out, &err), SQAUTH_OK);
    /* nothing more is expected */
    CHECK_RC(step(s, rfc_rspauth, &out, &err), SQAUTH_ERR_STATE);
    sqauth_sasl_free(s);

    /* wrong rspauth (one digit off): not verified, the session is dead */
    s = make(&o);
    CHECK_RC(step(s, rfc_challenge, &out, &err), SQAUTH_OK);
    CHECK_RC(step(s, "rspauth=ea40f60335c427b5527b84dbabcdfffe", &out, &err), SQAUTH_ERR_NOT_VERIFIED);
    CHECK_BYTES(err.message, strlen(err.message),
                "DIGEST-MD5 server signature (rspauth) does not match: the server does not know the password, "
                "or the exchange was tampered with");
    CHECK(!s->complete && !s->server_verified && s->failed && out.len == 0);
    CHECK_RC(step(s, rfc_rspauth, &out, &err), SQAUTH_ERR_STATE);
    sqauth_sasl_free(s);

    /* the client's own response echoed back is not an rspauth */
    s = make(&o);
    CHECK_RC(step(s, rfc_challenge, &out, &err), SQAUTH_OK);
    CHECK_RC(step(s, "rspauth=d388dad90d4bbd760a152321f2143af7", &out, &err), SQAUTH_ERR_NOT_VERIFIED);
    sqauth_sasl_free(s);

    /* second messages that are not rspauth */
    s = make(&o);
    CHECK_RC(step(s, rfc_challenge, &out, &err), SQAUTH_OK);
    CHECK_RC(step(s, "", &out, &err), SQAUTH_ERR_MALFORMED);
    CHECK_BYTES(err.message, strlen(err.message), "DIGEST-MD5: expected rspauth=... from the server after the response");
    sqauth_sasl_free(s);
    s = make(&o);
    CHECK_RC(step(s, rfc_challenge, &out, &err), SQAUTH_OK);
    CHECK_RC(step(s, rfc_challenge, &out, &err), SQAUTH_ERR_MALFORMED);
    CHECK_BYTES(err.message, strlen(err.message),
                "DIGEST-MD5: expected rspauth=... from the server, got a new challenge without stale=true");
    sqauth_sasl_free(s);
    s = make(&o);
    CHECK_RC(step(s, rfc_challenge, &out, &err), SQAUTH_OK);
    CHECK_RC(step(s, "rspauth=\"ea40f60335c427b5527b84dbabcdfffd", &out, &err), SQAUTH_ERR_MALFORMED);
    CHECK_BYTES(err.message, strlen(err.message),
                "DIGEST-MD5 challenge: the quoted value of \"rspauth\" is not terminated");
    sqauth_sasl_free(s);

    /* a parse error through the mechanism */
    refuses(&o, "nonce=a,nonce=b" TAIL, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 challenge has more than one nonce directive");

    /* stale=true: answered once more with the new nonce and nc=00000001
     * (python: nonce=b'OA6MG9tEQGm2hi' -> 157da9b2..., rspauth 036e0e32...) */
    s = make(&o);
    CHECK_RC(step(s, rfc_challenge, &out, &err), SQAUTH_OK);
    CHECK_RC(step(s, "realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hi\",qop=\"auth\",algorithm=md5-sess,"
                     "charset=utf-8,stale=true", &out, &err), SQAUTH_OK);
    CHECK_BYTES(out.data, out.len,
                "charset=utf-8,username=\"chris\",realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hi\",nc=00000001,"
                "cnonce=\"OA6MHXh6VqTrRk\",digest-uri=\"imap/elwood.innosoft.com\","
                "response=157da9b27c29bcb274c7bb83b4016342,qop=auth");
    CHECK(!s->complete);
    /* the old rspauth is no longer valid */
    CHECK_RC(step(s, rfc_rspauth, &out, &err), SQAUTH_ERR_NOT_VERIFIED);
    sqauth_sasl_free(s);
    s = make(&o);
    CHECK_RC(step(s, rfc_challenge, &out, &err), SQAUTH_OK);
    CHECK_RC(step(s, "nonce=\"OA6MG9tEQGm2hi\",realm=\"elwood.innosoft.com\",stale=true" TAIL ",charset=utf-8",
                  &out, &err), SQAUTH_OK);
    CHECK_RC(step(s, "rspauth=036e0e32df1db7bc4a29d30fe880d679", &out, &err), SQAUTH_OK);
    CHECK(s->complete && s->server_verified && out.len == 0);
    sqauth_sasl_free(s);
    /* a second stale=true is refused; so is a broken stale challenge */
    s = make(&o);
    CHECK_RC(step(s, rfc_challenge, &out, &err), SQAUTH_OK);
    CHECK_RC(step(s, "nonce=\"n2\",stale=true" TAIL, &out, &err), SQAUTH_OK);
    CHECK_RC(step(s, "nonce=\"n3\",stale=true" TAIL, &out, &err), SQAUTH_ERR_POLICY);
    CHECK_BYTES(err.message, strlen(err.message),
                "DIGEST-MD5: the server sent stale=true again; giving up after one retry");
    sqauth_sasl_free(s);
    s = make(&o);
    CHECK_RC(step(s, rfc_challenge, &out, &err), SQAUTH_OK);
    CHECK_RC(step(s, "nonce=\"n2\",stale=false" TAIL, &out, &err), SQAUTH_ERR_MALFORMED);
    CHECK_BYTES(err.message, strlen(err.message), "DIGEST-MD5 challenge: stale is \"false\", only true is allowed");
    sqauth_sasl_free(s);
    /* stale=true in a first challenge is just a challenge */
    exchange(&o, "realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",stale=true,qop=\"auth\",algorithm=md5-sess,"
                 "charset=utf-8", rfc_response, rfc_rspauth);
    /* no qop directive means auth (§2.1.1) */
    exchange(&o, "realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",algorithm=md5-sess,charset=utf-8",
             rfc_response, rfc_rspauth);

    /* realms. Two offered: the first one (python: realm=b'a.example') */
    exchange(&o, "realm=\"a.example\",realm=\"b.example\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",charset=\"utf-8\","
                 "algorithm=\"md5-sess\"",
             "charset=utf-8,username=\"chris\",realm=\"a.example\",nonce=\"OA6MG9tEQGm2hh\",nc=00000001,"
             "cnonce=\"OA6MHXh6VqTrRk\",digest-uri=\"imap/elwood.innosoft.com\","
             "response=4b5f016d744d33bc29ddfd338b81c1d6,qop=auth",
             "rspauth=980f0cd4ec7bea6f91a8224d00e35ed6");
    /* ... the preferred one (python: realm=b'b.example') */
    o.realm = "b.example";
    exchange(&o, "realm=\"a.example\",realm=\"b.example\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",charset=\"utf-8\","
                 "algorithm=\"md5-sess\"",
             "charset=utf-8,username=\"chris\",realm=\"b.example\",nonce=\"OA6MG9tEQGm2hh\",nc=00000001,"
             "cnonce=\"OA6MHXh6VqTrRk\",digest-uri=\"imap/elwood.innosoft.com\","
             "response=ac27e47b9f7edc0827ccd1d3f13b51d0,qop=auth",
             "rspauth=a72f0f693e005b1bc663a9f933a407f6");
    /* ... the preferred one is not offered */
    o.realm = "c.example";
    refuses(&o, "realm=\"a.example\",realm=\"b\\\"x\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess",
            SQAUTH_ERR_INVALID_ARG,
            "DIGEST-MD5 realm \"c.example\" is not offered by the server (offered: \"a.example\", \"b\\\"x\")");
    /* No realm offered: none sent, "" hashed (python: realm=b'') ... */
    o.realm = NULL;
    exchange(&o, "nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",charset=utf-8,algorithm=md5-sess",
             "charset=utf-8,username=\"chris\",nonce=\"OA6MG9tEQGm2hh\",nc=00000001,"
             "cnonce=\"OA6MHXh6VqTrRk\",digest-uri=\"imap/elwood.innosoft.com\","
             "response=695dcc815019923b9d438fd28c641aa9,qop=auth",
             "rspauth=ef0a550cd88d926ff426790bef156af3");
    /* ... or the caller's realm sent and hashed (python: realm=b'x.example') */
    o.realm = "x.example";
    exchange(&o, "nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",charset=utf-8,algorithm=md5-sess",
             "charset=utf-8,username=\"chris\",realm=\"x.example\",nonce=\"OA6MG9tEQGm2hh\",nc=00000001,"
             "cnonce=\"OA6MHXh6VqTrRk\",digest-uri=\"imap/elwood.innosoft.com\","
             "response=eacffa93ffa6fbe80b3619af83df7226,qop=auth",
             "rspauth=d86c546770c4d6ba5bc28efda5eac277");
    /* an empty realm offered is still sent (§2.1.2: required when offered) (python: realm=b'') */
    o.realm = NULL;
    exchange(&o, "realm=\"\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",charset=utf-8,algorithm=md5-sess",
             "charset=utf-8,username=\"chris\",realm=\"\",nonce=\"OA6MG9tEQGm2hh\",nc=00000001,"
             "cnonce=\"OA6MHXh6VqTrRk\",digest-uri=\"imap/elwood.innosoft.com\","
             "response=695dcc815019923b9d438fd28c641aa9,qop=auth",
             "rspauth=ef0a550cd88d926ff426790bef156af3");

    /* authzid: in A1 and sent after qop (python: authzid=b'admin') */
    o.authzid = "admin";
    exchange(&o, rfc_challenge,
             "charset=utf-8,username=\"chris\",realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",nc=00000001,"
             "cnonce=\"OA6MHXh6VqTrRk\",digest-uri=\"imap/elwood.innosoft.com\","
             "response=23e90c577367d8f917efa6ba0cb7eebc,qop=auth,authzid=\"admin\"",
             "rspauth=9a3915030cc8922097cd627a25ee2b9e");
    /* an empty authzid is no authzid */
    o.authzid = "";
    exchange(&o, rfc_challenge, rfc_response, rfc_rspauth);
    o.authzid = "\xc0\xa2";
    refuses(&o, rfc_challenge, SQAUTH_ERR_CHARSET, "the authzid is not valid UTF-8");
    o.authzid = NULL;

    /* service (python: uri=b'smtp/elwood.innosoft.com') */
    o.service = "smtp";
    exchange(&o, rfc_challenge,
             "charset=utf-8,username=\"chris\",realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",nc=00000001,"
             "cnonce=\"OA6MHXh6VqTrRk\",digest-uri=\"smtp/elwood.innosoft.com\","
             "response=52ff44907f72314481b5c098c708ebf3,qop=auth",
             "rspauth=84106ee5cb85c426e7ef928db0e49bfa");
    o.service = "";
    refuses(&o, rfc_challenge, SQAUTH_ERR_INVALID_ARG, "the DIGEST-MD5 option 'service' must not be empty");
    o.service = NULL;
    o.host = "";
    refuses(&o, rfc_challenge, SQAUTH_ERR_INVALID_ARG, "DIGEST-MD5 needs the option 'host'");
    o.host = "a\r\nb";
    refuses(&o, rfc_challenge, SQAUTH_ERR_INVALID_ARG,
            "the DIGEST-MD5 options 'service' and 'host' must not contain control characters");
    o.host = NULL;
    {
        sqauth_sasl_config cfg;
        memset(&cfg, 0, sizeof(cfg));
        cfg.authcid = sqauth_str_c("chris");
        cfg.password = sqauth_str_c("secret");
        CHECK_RC(sqauth_sasl_new(&s, "digest-md5", 10, &cfg, &err), SQAUTH_OK);
        CHECK_RC(step(s, rfc_challenge, &out, &err), SQAUTH_ERR_INVALID_ARG);
        CHECK_BYTES(err.message, strlen(err.message), "DIGEST-MD5 needs the option 'host'");
        sqauth_sasl_free(s);
        /* without a fixed cnonce: a random one, 24 bytes as base64 */
        cfg.host = sqauth_str_c(HOST);
        CHECK_RC(sqauth_sasl_new(&s, "DIGEST-MD5", 10, &cfg, &err), SQAUTH_OK);
        CHECK_RC(step(s, rfc_challenge, &out, &err), SQAUTH_OK);
        CHECK(out.len == strlen(rfc_response) + 32 - strlen(CNONCE));
        CHECK(out.len > 0 && strstr((const char *)out.data, ",cnonce=\"") != NULL);
        sqauth_sasl_free(s);
    }

    /* escapes: '"' and '\' in sent values; the hash uses the raw values
     * (python: user=b'a"b\\c', realm=b'ex"am\\ple', nonce=b'n,o"nce') */
    o.user = "a\"b\\c";
    exchange(&o, "realm=\"ex\\\"am\\\\ple\",nonce=\"n,o\\\"nce\",qop=\"auth\",charset=utf-8,algorithm=md5-sess",
             "charset=utf-8,username=\"a\\\"b\\\\c\",realm=\"ex\\\"am\\\\ple\",nonce=\"n,o\\\"nce\",nc=00000001,"
             "cnonce=\"OA6MHXh6VqTrRk\",digest-uri=\"imap/elwood.innosoft.com\","
             "response=b38b17e2dfb177d6f383df9a20dfd8ed,qop=auth",
             "rspauth=11703ce0fe148eadc28098a1bdf80836");
    o.user = "a\tb";
    refuses(&o, rfc_challenge, SQAUTH_ERR_INVALID_ARG, "the DIGEST-MD5 user name contains a control character");
    o.user = NULL;

    /* Charset, RFC 2831 §2.1.2.1. With charset=utf-8, names go out in UTF-8
     * and each of user, realm, password representable in ISO-8859-1 is
     * hashed in ISO-8859-1 (python: user='jürgen', realm='bücher.example',
     * pw='sécret', all .encode('latin-1') -> 11e50658..., f21207cb...;
     * hashing the UTF-8 bytes instead would give ba1ef92a...). */
    o.user = "j\xc3\xbcrgen";
    o.pass = "s\xc3\xa9" "cret";
    exchange(&o, "realm=\"b\xc3\xbc" "cher.example\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",charset=utf-8,"
                 "algorithm=md5-sess",
             "charset=utf-8,username=\"j\xc3\xbcrgen\",realm=\"b\xc3\xbc" "cher.example\",nonce=\"OA6MG9tEQGm2hh\","
             "nc=00000001,cnonce=\"OA6MHXh6VqTrRk\",digest-uri=\"imap/elwood.innosoft.com\","
             "response=11e506583c2c55d662deccbde15a4ff8,qop=auth",
             "rspauth=f21207cbc6d47be51baefe3ec421128e");
    /* The same exchange hashing the UTF-8 bytes as they are ('digest_charset'
     * => 'utf-8', what Dovecot 2.3 does; python: the three .encode() in
     * UTF-8 -> ba1ef92a..., 7ced788b...). */
    {
        sqauth_sasl_config cfg;
        sqauth_sasl *s = NULL;
        sqauth_buf out = SQAUTH_BUF_INIT;
        sqauth_error err;
        memset(&cfg, 0, sizeof(cfg));
        cfg.authcid = sqauth_str_c(o.user);
        cfg.password = sqauth_str_c(o.pass);
        cfg.host = sqauth_str_c(HOST);
        cfg.cnonce = sqauth_str_c(CNONCE);
        cfg.digest_hash_utf8 = 1;
        CHECK_RC(sqauth_sasl_new(&s, "DIGEST-MD5", 10, &cfg, &err), SQAUTH_OK);
        CHECK_RC(step(s, "realm=\"b\xc3\xbc" "cher.example\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",charset=utf-8,"
                         "algorithm=md5-sess", &out, &err), SQAUTH_OK);
        CHECK_BYTES(out.data, out.len,
                    "charset=utf-8,username=\"j\xc3\xbcrgen\",realm=\"b\xc3\xbc" "cher.example\",nonce=\"OA6MG9tEQGm2hh\","
                    "nc=00000001,cnonce=\"OA6MHXh6VqTrRk\",digest-uri=\"imap/elwood.innosoft.com\","
                    "response=ba1ef92af9933ec83d9308d2473163e2,qop=auth");
        CHECK_RC(step(s, "rspauth=7ced788bb9324437a5552c423055a1ae", &out, &err), SQAUTH_OK);
        /* ... which cannot apply without charset=utf-8: ISO-8859-1 as before */
        sqauth_sasl_free(s);
        s = NULL;
        CHECK_RC(sqauth_sasl_new(&s, "DIGEST-MD5", 10, &cfg, &err), SQAUTH_OK);
        CHECK_RC(step(s, "realm=\"b\xfc" "cher.example\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess",
                      &out, &err), SQAUTH_OK);
        CHECK(out.len > 0 && strstr((const char *)out.data, "response=11e506583c2c55d662deccbde15a4ff8") != NULL);
        sqauth_sasl_free(s);
        sqauth_buf_wipe(&out);
    }
    /* Without charset the server speaks ISO-8859-1: the same hash, the user
     * name sent in ISO-8859-1, the server's realm echoed as it came. */
    exchange(&o, "realm=\"b\xfc" "cher.example\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess",
             "username=\"j\xfcrgen\",realm=\"b\xfc" "cher.example\",nonce=\"OA6MG9tEQGm2hh\","
             "nc=00000001,cnonce=\"OA6MHXh6VqTrRk\",digest-uri=\"imap/elwood.innosoft.com\","
             "response=11e506583c2c55d662deccbde15a4ff8,qop=auth",
             "rspauth=f21207cbc6d47be51baefe3ec421128e");
    /* ... and the caller's (UTF-8) realm preference matches the ISO-8859-1 offer */
    o.realm = "b\xc3\xbc" "cher.example";
    exchange(&o, "realm=\"other\",realm=\"b\xfc" "cher.example\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess",
             "username=\"j\xfcrgen\",realm=\"b\xfc" "cher.example\",nonce=\"OA6MG9tEQGm2hh\","
             "nc=00000001,cnonce=\"OA6MHXh6VqTrRk\",digest-uri=\"imap/elwood.innosoft.com\","
             "response=11e506583c2c55d662deccbde15a4ff8,qop=auth",
             "rspauth=f21207cbc6d47be51baefe3ec421128e");
    o.realm = "\xd0\xb1";
    refuses(&o, "realm=\"r\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess", SQAUTH_ERR_CHARSET,
            "the option 'realm' has characters outside ISO-8859-1 and the DIGEST-MD5 challenge has no charset=utf-8");
    o.realm = NULL;
    /* A user name outside ISO-8859-1 is hashed as UTF-8, decided per string:
     * the password still goes in ISO-8859-1 (python: user='юзер'.encode(),
     * pw='sécret'.encode('latin-1') -> 49f6b333..., 3c1a692a...). */
    o.user = "\xd1\x8e\xd0\xb7\xd0\xb5\xd1\x80";
    exchange(&o, rfc_challenge,
             "charset=utf-8,username=\"\xd1\x8e\xd0\xb7\xd0\xb5\xd1\x80\",realm=\"elwood.innosoft.com\","
             "nonce=\"OA6MG9tEQGm2hh\",nc=00000001,cnonce=\"OA6MHXh6VqTrRk\",digest-uri=\"imap/elwood.innosoft.com\","
             "response=49f6b3332cb32e1d5fab69de3934ff61,qop=auth",
             "rspauth=3c1a692ab9c75faaf5128690aa099002");
    /* ... and cannot be used without charset=utf-8 */
    refuses(&o, "realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess",
            SQAUTH_ERR_CHARSET,
            "the user name has characters outside ISO-8859-1 and the DIGEST-MD5 challenge has no charset=utf-8");
    o.user = NULL;
    o.pass = "\xd0\xbf\xd0\xb0\xd1\x80\xd0\xbe\xd0\xbb\xd1\x8c";
    refuses(&o, "realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth\",algorithm=md5-sess",
            SQAUTH_ERR_CHARSET,
            "the password has characters outside ISO-8859-1 and the DIGEST-MD5 challenge has no charset=utf-8");
    /* invalid UTF-8 input, with or without charset */
    o.pass = NULL;
    o.user = "j\xfcrgen";
    refuses(&o, rfc_challenge, SQAUTH_ERR_CHARSET, "the user name is not valid UTF-8");
    refuses(&o, "nonce=\"x\",algorithm=md5-sess", SQAUTH_ERR_CHARSET, "the user name is not valid UTF-8");
    o.user = NULL;
    o.pass = "s\xe9" "cret";
    refuses(&o, rfc_challenge, SQAUTH_ERR_CHARSET, "the password is not valid UTF-8");
    o.pass = NULL;
    /* a server that announces UTF-8 but sends an ISO-8859-1 realm */
    refuses(&o, "realm=\"b\xfc" "cher\",nonce=\"x\",charset=utf-8,algorithm=md5-sess", SQAUTH_ERR_CHARSET,
            "the realm is not valid UTF-8");

    /* qop preferences: the first one the server offers */
    o.qop = q_conf_then_auth;
    o.qop_count = 2;
    exchange(&o, "realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth,auth-int\",algorithm=md5-sess,"
                 "charset=utf-8", rfc_response, rfc_rspauth);
    /* auth-int / auth-conf when offered (vectors against Cyrus SASL in
     * test_digest_layer.c); an auth-conf without a known cipher counts as
     * not offered */
    o.qop = q_auth_int_first;
    s = make(&o);
    CHECK_RC(step(s, "realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth,auth-int\",algorithm=md5-sess",
                  &out, &err), SQAUTH_OK);
    CHECK(strstr((const char *)out.data, ",qop=auth-int,maxbuf=65536") != NULL);
    sqauth_sasl_free(s);
    o.qop = q_conf_then_auth;
    s = make(&o);
    CHECK_RC(step(s, "nonce=\"x\",qop=\"auth-conf,auth\",cipher=\"rc4\",algorithm=md5-sess", &out, &err), SQAUTH_OK);
    CHECK(strstr((const char *)out.data, ",qop=auth-conf,maxbuf=65536,cipher=rc4") != NULL);
    sqauth_sasl_free(s);
    s = make(&o);
    CHECK_RC(step(s, "nonce=\"x\",qop=\"auth-conf,auth\",cipher=\"x-new\",algorithm=md5-sess", &out, &err), SQAUTH_OK);
    CHECK(strstr((const char *)out.data, ",qop=auth") != NULL && !strstr((const char *)out.data, "cipher"));
    sqauth_sasl_free(s);
    sqauth_buf_reset(&out);
    o.qop = q_conf;
    o.qop_count = 1;
    refuses(&o, rfc_challenge, SQAUTH_ERR_POLICY,
            "DIGEST-MD5: the server offers none of the requested qop (qop=\"auth\"; requested: auth-conf)");
    refuses(&o, "nonce=\"x\",algorithm=md5-sess", SQAUTH_ERR_POLICY,
            "DIGEST-MD5: the server offers none of the requested qop (no qop, which means auth; requested: auth-conf)");
    o.qop = NULL;
    o.qop_count = 0;
    refuses(&o, "nonce=\"x\",qop=\"x-future, x-\xc3\xa9\"" TAIL, SQAUTH_ERR_MALFORMED,
            "DIGEST-MD5 challenge: the qop list \"x-future, x-\xc3\xa9\" is not a comma-separated list of tokens");
    /* a byte that is not UTF-8 comes out escaped (control characters are refused before) */
    refuses(&o, "nonce=\"x\",qop=\"x-future, x-\xff\"" TAIL, SQAUTH_ERR_MALFORMED,
            "DIGEST-MD5 challenge: the qop list \"x-future, x-\\xff\" is not a comma-separated list of tokens");
    refuses(&o, "nonce=\"x\",qop=\"x-future\"" TAIL, SQAUTH_ERR_POLICY,
            "DIGEST-MD5: the server offers none of the requested qop (qop=\"x-future\"; requested: auth)");
    o.qop = q_bogus;
    o.qop_count = 2;
    refuses(&o, rfc_challenge, SQAUTH_ERR_INVALID_ARG,
            "unknown DIGEST-MD5 qop \"privacy\" in the option 'qop' (expected auth, auth-int, auth-conf)");
    o.qop = NULL;
    o.qop_count = 0;

    /* RFC 2831 §2.1.2: the response must stay under 4096 bytes */
    memset(big, 'z', sizeof(big));
    big[4000] = '\0';
    o.authzid = big;
    refuses(&o, rfc_challenge, SQAUTH_ERR_INVALID_ARG,
            "the DIGEST-MD5 response would be 4217 bytes; RFC 2831 allows at most 4095 "
            "(user name, realm, authzid or host too long)");
    o.authzid = NULL;

    sqauth_buf_wipe(&out);
}

/* RFC 2616 §2.2: token = 1*<any CHAR except CTLs or separators>. */
static int token_char_by_definition(int c)
{
    return c > 32 && c < 127 && !strchr("()<>@,;:\\\"/[]?={} \t", c);
}

/* Challenges near the 2047-byte limit with as many directives as fit: the
 * single pass keeps every realm in order (past the four kept inline), skips
 * unknown directives, and still finds a repeated single directive at the
 * very end, after hundreds of others. */
static void test_parser_many(void)
{
    sqauth_digest_md5_challenge ch;
    sqauth_digest_md5_directives ds = SQAUTH_DIGEST_MD5_DIRECTIVES_INIT;
    sqauth_error err;
    char in[2048], want[24], msg[200];
    size_t n, i, realms;
    int c, same = 1;

    for (c = 0; c < 256; c++) {
        same &= sqauth_digest_md5_is_token_char((unsigned char)c) == token_char_by_definition(c);
    }
    CHECK(same);

    n = (size_t)snprintf(in, sizeof(in), "nonce=x%s", TAIL);
    for (realms = 0; n + 12 < 2047; realms++) {
        n += (size_t)snprintf(in + n, sizeof(in) - n, ",realm=\"%03zu\"", realms);
    }
    CHECK_RC(sqauth_digest_md5_parse_challenge((const unsigned char *)in, n, &ch, &err), SQAUTH_OK);
    CHECK(ch.realm_count == realms && realms > 150 && ch.directive_count == realms + 2);
    for (i = 0; i < ch.realm_count && same; i++) {
        snprintf(want, sizeof(want), "%03zu", i);
        same = ch.realms[i].len == 3 && strcmp(ch.realms[i].data, want) == 0;
    }
    CHECK(same);
    sqauth_digest_md5_challenge_free(&ch);
    CHECK_RC(sqauth_digest_md5_parse_directives((const unsigned char *)in, n, &ds, &err), SQAUTH_OK);
    CHECK(ds.count == realms + 2);
    sqauth_digest_md5_directives_free(&ds);

    n = (size_t)snprintf(in, sizeof(in), "nonce=x%s", TAIL);
    while (n + 14 + 22 <= 2047) {
        n += (size_t)snprintf(in + n, sizeof(in) - n, ",x=y,,a=\"\\b\"");
    }
    memcpy(in + n, ",stale=true,stale=true", 22);
    n += 22;
    bad_challenge_n(in, n, "DIGEST-MD5 challenge has more than one stale directive");
    /* A syntax error anywhere wins over a repeated directive before it. */
    in[n - 4] = '@';
    snprintf(msg, sizeof(msg), "DIGEST-MD5 challenge: the value of \"stale\" starts with '@' at offset %zu; "
             "expected a token or a quoted string", n - 4);
    bad_challenge_n(in, n, msg);
}

/* sqauth_digest_md5_answer_b64() on what only it sees: base64, the room
 * for the response, the order of the checks, a random cnonce, a security
 * layer asked for. */
static void test_answer_b64(void)
{
    static const char *const q_int[] = {"auth-int"};
    sqauth_sasl_config cfg;
    opts o;
    sqauth_buf b64 = SQAUTH_BUF_INIT, raw = SQAUTH_BUF_INIT;
    char out[SQAUTH_DIGEST_MD5_MAX_RESPONSE + 1], big[3000], first[33];
    const char *cn, *end;
    size_t len, i;
    sqauth_error err;
    sqauth_sasl *s;
    int ok = 1;

    memset(&o, 0, sizeof(o));
    config_of(&o, &cfg);
    sqauth_b64_encode(&b64, (const unsigned char *)rfc_challenge, strlen(rfc_challenge));
    CHECK_RC(sqauth_digest_md5_answer_b64(&cfg, (const char *)b64.data, b64.len, out, sizeof(out), &len, &err),
             SQAUTH_OK);
    CHECK_BYTES(out, len, rfc_response);
    /* the room must take the longest response RFC 2831 allows */
    CHECK_RC(sqauth_digest_md5_answer_b64(&cfg, (const char *)b64.data, b64.len, out, 4095, &len, &err),
             SQAUTH_ERR_INVALID_ARG);
    /* strict base64, and the caller's mistakes before the server's */
    CHECK_RC(sqauth_digest_md5_answer_b64(&cfg, (const char *)b64.data, b64.len - 1, out, sizeof(out), &len, &err),
             SQAUTH_ERR_MALFORMED);
    CHECK_BYTES(err.message, strlen(err.message), "invalid base64: length 127 is not a multiple of 4");
    cfg.password = sqauth_str_c(NULL);
    CHECK_RC(sqauth_digest_md5_answer_b64(&cfg, "%%%", 3, out, sizeof(out), &len, &err), SQAUTH_ERR_INVALID_ARG);
    CHECK_BYTES(err.message, strlen(err.message), "DIGEST-MD5 needs the credentials 'authcid' and 'password'");
    cfg.password.data = "se\0cret";
    cfg.password.len = 7;
    CHECK_RC(sqauth_digest_md5_answer_b64(&cfg, "%%%", 3, out, sizeof(out), &len, &err), SQAUTH_ERR_INVALID_ARG);
    CHECK_BYTES(err.message, strlen(err.message), "credentials must not contain NUL bytes");
    config_of(&o, &cfg);
    cfg.maxbuf = 5;
    CHECK_RC(sqauth_digest_md5_answer_b64(&cfg, "%%%", 3, out, sizeof(out), &len, &err), SQAUTH_ERR_INVALID_ARG);
    CHECK_BYTES(err.message, strlen(err.message), "maxbuf must be between 17 and 16777215, got 5");

    /* a challenge past 2047 bytes is decoded all the same, to say so */
    memset(big, 'x', sizeof(big));
    memcpy(big, "nonce=", 6);
    sqauth_buf_reset(&b64);
    sqauth_b64_encode(&b64, (const unsigned char *)big, sizeof(big));
    config_of(&o, &cfg);
    CHECK_RC(sqauth_digest_md5_answer_b64(&cfg, (const char *)b64.data, b64.len, out, sizeof(out), &len, &err),
             SQAUTH_ERR_MALFORMED);
    CHECK_BYTES(err.message, strlen(err.message), "DIGEST-MD5 challenge is 3000 bytes; RFC 2831 allows at most 2047");

    /* Our own cnonce: 24 random bytes as 32 base64 characters, a new one
     * each time, and the response is the session's formula for it. */
    cfg.cnonce = sqauth_str_c(NULL);
    sqauth_buf_reset(&b64);
    sqauth_b64_encode(&b64, (const unsigned char *)rfc_challenge, strlen(rfc_challenge));
    memset(first, 0, sizeof(first));
    for (i = 0; i < 2; i++) {
        CHECK_RC(sqauth_digest_md5_answer_b64(&cfg, (const char *)b64.data, b64.len, out, sizeof(out), &len, &err),
                 SQAUTH_OK);
        out[len] = '\0';
        cn = strstr(out, ",cnonce=\"");
        end = cn ? strchr(cn + 9, '"') : NULL;
        CHECK(cn && end && end - (cn + 9) == 32);
        if (!cn || !end || end - (cn + 9) != 32) {
            break;
        }
        CHECK_RC(sqauth_b64_decode(&raw, cn + 9, 32, &err), SQAUTH_OK);
        if (i == 0) {
            memcpy(first, cn + 9, 32);
            first[32] = '\0';
        } else {
            ok = memcmp(first, cn + 9, 32) != 0;
        }
    }
    CHECK(ok && raw.len == 48);

    /* auth-int: the response names the layer and our maxbuf as the session's does */
    config_of(&o, &cfg);
    cfg.qop = q_int;
    cfg.qop_count = 1;
    cfg.maxbuf = 4096;
    s = NULL;
    CHECK_RC(sqauth_sasl_new(&s, "DIGEST-MD5", 10, &cfg, &err), SQAUTH_OK);
    sqauth_buf_reset(&raw);
    if (s) {
        const char *ch = "realm=\"elwood.innosoft.com\",nonce=\"OA6MG9tEQGm2hh\",qop=\"auth,auth-int\","
                         "algorithm=md5-sess";
        CHECK_RC(sqauth_sasl_step(s, (const unsigned char *)ch, strlen(ch), &raw, &err), SQAUTH_OK);
        sqauth_buf_reset(&b64);
        sqauth_b64_encode(&b64, (const unsigned char *)ch, strlen(ch));
        CHECK_RC(sqauth_digest_md5_answer_b64(&cfg, (const char *)b64.data, b64.len, out, sizeof(out), &len, &err),
                 SQAUTH_OK);
        CHECK(raw.len == len && memcmp(raw.data, out, len) == 0);
        CHECK(strstr((const char *)raw.data, ",qop=auth-int,maxbuf=4096") != NULL);
        sqauth_sasl_free(s);
    }
    sqauth_buf_wipe(&raw);
    sqauth_buf_free(&b64);
}

void test_digest_md5(void)
{
    test_charset();
    test_calc();
    test_calc_pairs();
    test_byte_checks();
    test_parser_accepts();
    test_parser_rejects();
    test_parser_many();
    test_answer_b64();
    test_mechanism();
}
