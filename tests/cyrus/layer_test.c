/*
 * DIGEST-MD5 security layers against the reference implementation: Cyrus
 * SASL's own DIGEST-MD5 *server* (libsasl2 + the digestmd5 and sasldb
 * plugins) runs in this process; sqauth's client authenticates against it
 * with qop auth, auth-int and auth-conf with every cipher Cyrus offers,
 * then moves data both ways (sqauth_sasl_wrap -> sasl_decode,
 * sasl_encode -> sqauth_sasl_unwrap), byte-exact, with messages larger
 * than the peer's maxbuf and more than 1 MiB each way, and checks that
 * tampered, replayed, reordered, truncated and oversized buffers and an
 * unavailable forced cipher are refused.
 *
 *   make -C src/core cyrus-check OBJDIR=.build-x
 *   .build-x/cyrus_layer_test [--capture]
 *
 * --capture prints known-answer vectors for tests/core/test_digest_layer.c
 * (the server's random nonce is recorded with them; the client nonce is
 * fixed).
 *
 * Cyrus SASL 2.1.28 with OpenSSL 3 cannot do 3des itself: init_3des()
 * refuses the key when DES_key_sched() returns < 0, which OpenSSL 3 does for
 * every key with bad DES parity, and Cyrus's slidebits() keys have the
 * parity bits clear ("couldn't init cipher '3des'"; des ignores the return
 * value and works). This program first shows that failure, then
 * interposes DES_key_sched() (exported from the executable, which the
 * dlopen()ed plugin binds to first) with a version that returns 0 after
 * setting up the same key schedule, so that Cyrus's own 3des code
 * (DES_ede3_cbc_encrypt with K1 K2 K1) is checked against ours.
 *
 * The server is configured through a SASL_CB_GETOPT callback (what a .conf
 * file under SASL_CONF_PATH would say): pwcheck_method auxprop,
 * auxprop_plugin sasldb, sasldb_path in a fresh temporary directory,
 * mech_list DIGEST-MD5; the user is created with sasl_setpass().
 */
#include "common.h"
#include "sasl/sasl.h"

#include <sasl/sasl.h>

#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/des.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define USER "alice"
#define PASS "Wonder land 42"
#define REALM "EXAMPLE.ORG"
#define HOST "mail.example.org"
#define SERVICE "imap"
#define CNONCE "sqauthFixedCnonce0123"

static int passed, failed;
static int fix_cyrus_3des;

/* See the head comment: what OpenSSL 3 does, unless fix_cyrus_3des. */
int DES_key_sched(const_DES_cblock *key, DES_key_schedule *schedule)
{
    DES_set_key_unchecked(key, schedule);
    if (fix_cyrus_3des) {
        return 0;
    }
    return DES_check_key_parity(key) ? 0 : -1;
}
static char dbpath[512];
static int capture;

#define CHECK(cond, ...) do { \
    if (cond) { passed++; } \
    else { failed++; fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
           fprintf(stderr, __VA_ARGS__); fputc('\n', stderr); } \
} while (0)

static int getopt_cb(void *ctx, const char *plugin, const char *option, const char **result, unsigned *len)
{
    (void)ctx;
    (void)plugin;
    if (!strcmp(option, "pwcheck_method")) {
        *result = "auxprop";
    } else if (!strcmp(option, "auxprop_plugin")) {
        *result = "sasldb";
    } else if (!strcmp(option, "sasldb_path")) {
        *result = dbpath;
    } else if (!strcmp(option, "mech_list")) {
        *result = "DIGEST-MD5";
    } else if (!strcmp(option, "log_level")) {
        *result = "1";
    } else {
        return SASL_FAIL;
    }
    if (len) {
        *len = (unsigned)strlen(*result);
    }
    return SASL_OK;
}

static int log_cb(void *ctx, int level, const char *msg)
{
    (void)ctx;
    if (level <= SASL_LOG_ERR && getenv("CYRUS_LOG")) {
        fprintf(stderr, "cyrus: %s\n", msg);
    }
    return SASL_OK;
}

static sasl_callback_t callbacks[] = {
    {SASL_CB_GETOPT, (int (*)(void))(void (*)(void))getopt_cb, NULL},
    {SASL_CB_LOG, (int (*)(void))(void (*)(void))log_cb, NULL},
    {SASL_CB_LIST_END, NULL, NULL},
};

/* xorshift: reproducible test data and slice sizes */
static unsigned long long rng = 0x9e3779b97f4a7c15ull;
static unsigned long long rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void fill(unsigned char *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        p[i] = (unsigned char)(rnd() >> 24);
    }
}

static void hex(const char *label, const unsigned char *p, size_t n)
{
    size_t i;
    printf("%s (%zu bytes):\n    \"", label, n);
    for (i = 0; i < n; i++) {
        printf("%02x", p[i]);
        if (i % 40 == 39 && i + 1 < n) {
            printf("\"\n    \"");
        }
    }
    printf("\"\n");
}

typedef struct peer {
    sasl_conn_t *conn;
    sqauth_sasl *cli;
    int result;          /* of the exchange: SQAUTH_OK or the client's error */
    sqauth_error err;
    unsigned server_maxout; /* SASL_MAXOUTBUF on the server */
} peer;

typedef struct setup {
    sasl_ssf_t min_ssf, max_ssf;
    unsigned server_maxbuf;   /* Cyrus offers no layer at all with 0 */
    unsigned client_maxbuf;   /* 0: sqauth default */
    const char *const *qop;
    size_t qop_count;
    const char *cipher;       /* forced, or NULL */
} setup;

static void peer_free(peer *p)
{
    sqauth_sasl_free(p->cli);
    if (p->conn) {
        sasl_dispose(&p->conn);
    }
    memset(p, 0, sizeof(*p));
}

/* Runs the whole exchange; p->result says how the client fared. Returns 0
 * when the exchange completed on both sides. */
static int connect_peer(peer *p, const setup *su, const char *label)
{
    sasl_security_properties_t sp;
    sqauth_sasl_config cfg;
    sqauth_buf out = SQAUTH_BUF_INIT;
    const char *sout = NULL;
    unsigned soutlen = 0;
    const void *pv = NULL;
    int r;

    memset(p, 0, sizeof(*p));
    r = sasl_server_new(SERVICE, HOST, REALM, NULL, NULL, NULL, 0, &p->conn);
    if (r != SASL_OK) {
        fprintf(stderr, "%s: sasl_server_new: %s\n", label, sasl_errstring(r, NULL, NULL));
        return -1;
    }
    memset(&sp, 0, sizeof(sp));
    sp.min_ssf = su->min_ssf;
    sp.max_ssf = su->max_ssf;
    sp.maxbufsize = su->server_maxbuf;
    sasl_setprop(p->conn, SASL_SEC_PROPS, &sp);

    memset(&cfg, 0, sizeof(cfg));
    cfg.authcid = sqauth_str_c(USER);
    cfg.password = sqauth_str_c(PASS);
    cfg.service = sqauth_str_c(SERVICE);
    cfg.host = sqauth_str_c(HOST);
    cfg.cnonce = sqauth_str_c(CNONCE);
    cfg.qop = su->qop;
    cfg.qop_count = su->qop_count;
    cfg.cipher = sqauth_str_c(su->cipher);
    cfg.maxbuf = su->client_maxbuf;
    if (sqauth_sasl_new(&p->cli, "DIGEST-MD5", 10, &cfg, &p->err) != SQAUTH_OK) {
        p->result = p->err.code;
        return -1;
    }

    r = sasl_server_start(p->conn, "DIGEST-MD5", NULL, 0, &sout, &soutlen);
    if (r != SASL_CONTINUE) {
        fprintf(stderr, "%s: sasl_server_start: %s\n", label, sasl_errdetail(p->conn));
        return -1;
    }
    if (capture) {
        printf("== %s\nchallenge: %.*s\n", label, (int)soutlen, sout);
    }
    p->result = sqauth_sasl_step(p->cli, (const unsigned char *)sout, soutlen, &out, &p->err);
    if (p->result != SQAUTH_OK) {
        sqauth_buf_free(&out);
        return -1;
    }
    if (capture) {
        printf("response: %.*s\n", (int)out.len, (const char *)out.data);
    }
    r = sasl_server_step(p->conn, (const char *)out.data, (unsigned)out.len, &sout, &soutlen);
    if (r != SASL_CONTINUE) {
        fprintf(stderr, "%s: Cyrus refused our response: %s\n", label, sasl_errdetail(p->conn));
        sqauth_buf_free(&out);
        return -1;
    }
    if (capture) {
        printf("rspauth: %.*s\n", (int)soutlen, sout);
    }
    sqauth_buf_reset(&out);
    p->result = sqauth_sasl_step(p->cli, (const unsigned char *)sout, soutlen, &out, &p->err);
    if (p->result != SQAUTH_OK) {
        sqauth_buf_free(&out);
        return -1;
    }
    r = sasl_server_step(p->conn, (const char *)out.data, (unsigned)out.len, &sout, &soutlen);
    sqauth_buf_free(&out);
    if (r != SASL_OK) {
        fprintf(stderr, "%s: Cyrus did not finish: %s\n", label, sasl_errdetail(p->conn));
        return -1;
    }
    if (sasl_getprop(p->conn, SASL_MAXOUTBUF, &pv) == SASL_OK && pv) {
        p->server_maxout = *(const unsigned *)pv;
    }
    return 0;
}

static unsigned server_ssf(peer *p)
{
    const void *pv = NULL;
    if (sasl_getprop(p->conn, SASL_SSF, &pv) != SASL_OK || !pv) {
        return 9999;
    }
    return (unsigned)*(const sasl_ssf_t *)pv;
}

/* Our wrap -> Cyrus sasl_decode, `total` bytes in messages of random
 * sizes up to max_msg, the wrapped stream fed in random slices. */
static int client_to_server(peer *p, size_t total, size_t max_msg, const char *label)
{
    unsigned char *data = malloc(total);
    sqauth_buf wrapped = SQAUTH_BUF_INIT, got = SQAUTH_BUF_INIT;
    sqauth_error err;
    size_t pos = 0, fed = 0;
    int ok = 1;

    fill(data, total);
    while (pos < total && ok) {
        size_t n = 1 + (size_t)(rnd() % max_msg);
        if (n > total - pos) {
            n = total - pos;
        }
        sqauth_buf_reset(&wrapped);
        if (sqauth_sasl_wrap(p->cli, data + pos, n, &wrapped, &err) != SQAUTH_OK) {
            fprintf(stderr, "%s: wrap: %s\n", label, err.message);
            ok = 0;
            break;
        }
        pos += n;
        fed = 0;
        while (fed < wrapped.len) {
            const char *o = NULL;
            unsigned olen = 0;
            size_t slice = 1 + (size_t)(rnd() % 3000);
            int r;
            if (slice > wrapped.len - fed) {
                slice = wrapped.len - fed;
            }
            r = sasl_decode(p->conn, (const char *)wrapped.data + fed, (unsigned)slice, &o, &olen);
            if (r != SASL_OK) {
                fprintf(stderr, "%s: sasl_decode: %s\n", label, sasl_errdetail(p->conn));
                ok = 0;
                break;
            }
            if (olen) {
                sqauth_buf_append(&got, o, olen);
            }
            fed += slice;
        }
    }
    ok = ok && got.len == total && memcmp(got.data, data, total) == 0;
    free(data);
    sqauth_buf_free(&wrapped);
    sqauth_buf_free(&got);
    return ok;
}

/* Cyrus sasl_encode -> our unwrap, fed in random slices with the
 * unconsumed rest kept, as a connection would. */
static int server_to_client(peer *p, size_t total, const char *label)
{
    unsigned char *data = malloc(total);
    sqauth_buf pending = SQAUTH_BUF_INIT, got = SQAUTH_BUF_INIT;
    sqauth_error err;
    size_t pos = 0, chunk = p->server_maxout ? p->server_maxout : 4096;
    int ok = 1;

    fill(data, total);
    while (pos < total && ok) {
        const char *o = NULL;
        unsigned olen = 0, at = 0;
        size_t n = 1 + (size_t)(rnd() % chunk);
        if (n > total - pos) {
            n = total - pos;
        }
        if (sasl_encode(p->conn, (const char *)data + pos, (unsigned)n, &o, &olen) != SASL_OK) {
            fprintf(stderr, "%s: sasl_encode: %s\n", label, sasl_errdetail(p->conn));
            ok = 0;
            break;
        }
        pos += n;
        while (at < olen) {
            size_t consumed = 0, slice = 1 + (size_t)(rnd() % 5000);
            if (slice > olen - at) {
                slice = olen - at;
            }
            sqauth_buf_append(&pending, o + at, slice);
            at += (unsigned)slice;
            if (sqauth_sasl_unwrap(p->cli, pending.data, pending.len, &consumed, &got, &err) != SQAUTH_OK) {
                fprintf(stderr, "%s: unwrap: %s\n", label, err.message);
                ok = 0;
                break;
            }
            memmove(pending.data, pending.data + consumed, pending.len - consumed);
            pending.len -= consumed;
        }
    }
    ok = ok && pending.len == 0 && got.len == total && memcmp(got.data, data, total) == 0;
    free(data);
    sqauth_buf_free(&pending);
    sqauth_buf_free(&got);
    return ok;
}

static const char *const Q_AUTH[] = {"auth"};
static const char *const Q_INT[] = {"auth-int"};
static const char *const Q_CONF[] = {"auth-conf"};
static const char *const Q_ALL[] = {"auth-conf", "auth-int", "auth"};
static const char *const Q_CONF_INT[] = {"auth-conf", "auth-int"};

static const struct {
    const char *name;
    sasl_ssf_t ssf;
} cyrus_ciphers[] = {
    {"3des", 112}, {"rc4", 128}, {"des", 55}, {"rc4-56", 56}, {"rc4-40", 40},
};

/* One configuration: exchange, then data both ways. */
static void data_run(const setup *su, const char *label, int want_layer, const char *want_cipher,
                     size_t total)
{
    peer p;
    int rc = connect_peer(&p, su, label);

    CHECK(rc == 0 && p.result == SQAUTH_OK, "%s: exchange failed: %s", label, p.err.message);
    if (rc != 0) {
        peer_free(&p);
        return;
    }
    CHECK(p.cli->layer == want_layer, "%s: layer %d, want %d", label, p.cli->layer, want_layer);
    CHECK(p.cli->server_verified, "%s: rspauth not verified", label);
    if (want_cipher) {
        const char *c = sqauth_sasl_cipher_name(p.cli);
        CHECK(c && !strcmp(c, want_cipher), "%s: cipher %s, want %s", label, c ? c : "(none)", want_cipher);
    } else {
        CHECK(sqauth_sasl_cipher_name(p.cli) == NULL, "%s: a cipher without auth-conf", label);
    }
    if (want_layer == SQAUTH_LAYER_NONE) {
        sqauth_buf b = SQAUTH_BUF_INIT;
        sqauth_error e;
        CHECK(server_ssf(&p) == 0, "%s: server ssf %u", label, server_ssf(&p));
        CHECK(sqauth_sasl_wrap(p.cli, (const unsigned char *)"x", 1, &b, &e) == SQAUTH_ERR_STATE,
              "%s: wrap without a layer", label);
        sqauth_buf_free(&b);
        peer_free(&p);
        return;
    }
    CHECK(server_ssf(&p) > 0, "%s: server reports no layer", label);
    CHECK(sqauth_sasl_recv_maxbuf(p.cli) == (su->client_maxbuf ? su->client_maxbuf : 65536),
          "%s: recv maxbuf %lu", label, sqauth_sasl_recv_maxbuf(p.cli));
    CHECK(sqauth_sasl_send_maxbuf(p.cli) == (su->server_maxbuf ? su->server_maxbuf : 65536),
          "%s: send maxbuf %lu", label, sqauth_sasl_send_maxbuf(p.cli));
    /* messages up to 3x the server's maxbuf, so most are split */
    CHECK(client_to_server(&p, total, 3 * sqauth_sasl_send_maxbuf(p.cli), label), "%s: client->server data", label);
    CHECK(server_to_client(&p, total, label), "%s: server->client data", label);
    /* and once more the other way round, after the first stream */
    CHECK(client_to_server(&p, 100000, 70000, label), "%s: client->server again", label);
    peer_free(&p);
}

/* One encoded server buffer (4-byte length included). */
static int server_buffer(peer *p, const char *msg, sqauth_buf *out)
{
    const char *o = NULL;
    unsigned olen = 0;
    if (sasl_encode(p->conn, msg, (unsigned)strlen(msg), &o, &olen) != SASL_OK) {
        return -1;
    }
    return sqauth_buf_append(out, o, olen);
}

static int unwrap_all(peer *p, const sqauth_buf *in, size_t *consumed, sqauth_buf *got, sqauth_error *err)
{
    return sqauth_sasl_unwrap(p->cli, in->data, in->len, consumed, got, err);
}

static void negative_run(const setup *su, const char *label)
{
    peer p;
    sqauth_buf a = SQAUTH_BUF_INIT, b = SQAUTH_BUF_INIT, got = SQAUTH_BUF_INIT, w = SQAUTH_BUF_INIT;
    sqauth_error err;
    size_t consumed = 0;
    char name[160];

    /* tampered MAC / ciphertext from the server */
    snprintf(name, sizeof(name), "%s tamper", label);
    if (connect_peer(&p, su, name) == 0) {
        server_buffer(&p, "a message from the server", &a);
        a.data[a.len - 7] ^= 0x01;      /* last MAC byte (or ciphertext) */
        CHECK(unwrap_all(&p, &a, &consumed, &got, &err) == SQAUTH_ERR_INTEGRITY && got.len == 0,
              "%s: %s", name, err.message);
        /* the layer stays failed */
        CHECK(unwrap_all(&p, &a, &consumed, &got, &err) == SQAUTH_ERR_STATE, "%s: after failure", name);
        /* and the other way: Cyrus refuses our tampered buffer */
        {
            const char *o;
            unsigned olen;
            peer q;
            snprintf(name, sizeof(name), "%s tamper to server", label);
            if (connect_peer(&q, su, name) == 0) {
                sqauth_sasl_wrap(q.cli, (const unsigned char *)"hello server", 12, &w, &err);
                w.data[w.len - 8] ^= 0x80;
                CHECK(sasl_decode(q.conn, (const char *)w.data, (unsigned)w.len, &o, &olen) != SASL_OK,
                      "%s: Cyrus accepted a tampered buffer", name);
            }
            peer_free(&q);
        }
    }
    peer_free(&p);
    sqauth_buf_reset(&a);
    sqauth_buf_reset(&got);

    /* replay: the same buffer twice */
    snprintf(name, sizeof(name), "%s replay", label);
    if (connect_peer(&p, su, name) == 0) {
        server_buffer(&p, "first", &a);
        CHECK(unwrap_all(&p, &a, &consumed, &got, &err) == SQAUTH_OK && got.len == 5, "%s: first", name);
        CHECK(unwrap_all(&p, &a, &consumed, &got, &err) == SQAUTH_ERR_INTEGRITY
              && strstr(err.message, "sequence number 0, expected 1"), "%s: %s", name, err.message);
    }
    peer_free(&p);
    sqauth_buf_reset(&a);
    sqauth_buf_reset(&got);

    /* reordering: the second buffer first */
    snprintf(name, sizeof(name), "%s reorder", label);
    if (connect_peer(&p, su, name) == 0) {
        server_buffer(&p, "one", &a);
        server_buffer(&p, "two", &b);
        CHECK(unwrap_all(&p, &b, &consumed, &got, &err) == SQAUTH_ERR_INTEGRITY, "%s: %s", name, err.message);
    }
    peer_free(&p);
    sqauth_buf_reset(&a);
    sqauth_buf_reset(&b);
    sqauth_buf_reset(&got);

    /* truncation: an incomplete buffer waits, a shortened one fails */
    snprintf(name, sizeof(name), "%s truncated", label);
    if (connect_peer(&p, su, name) == 0) {
        size_t n;
        server_buffer(&p, "a buffer that arrives in two parts", &a);
        n = a.len;
        a.len = n - 1;
        CHECK(unwrap_all(&p, &a, &consumed, &got, &err) == SQAUTH_OK && consumed == 0 && got.len == 0,
              "%s: incomplete buffer consumed", name);
        a.len = n;
        CHECK(unwrap_all(&p, &a, &consumed, &got, &err) == SQAUTH_OK && consumed == n && got.len == 34,
              "%s: completed buffer", name);
        /* a buffer whose length says one byte less, last byte dropped */
        sqauth_buf_reset(&got);
        server_buffer(&p, "another buffer", &b);
        b.data[3]--;
        b.len--;
        CHECK(unwrap_all(&p, &b, &consumed, &got, &err) == SQAUTH_ERR_INTEGRITY && got.len == 0,
              "%s: shortened buffer: %s", name, err.message);
    }
    peer_free(&p);
    sqauth_buf_reset(&a);
    sqauth_buf_reset(&b);
    sqauth_buf_reset(&got);

    /* a length above our maxbuf is refused before its body arrives */
    snprintf(name, sizeof(name), "%s oversized", label);
    if (connect_peer(&p, su, name) == 0) {
        unsigned long m = sqauth_sasl_recv_maxbuf(p.cli) + 1;
        unsigned char hdr[4] = {(unsigned char)(m >> 24), (unsigned char)(m >> 16), (unsigned char)(m >> 8),
                                (unsigned char)m};
        CHECK(sqauth_sasl_unwrap(p.cli, hdr, 4, &consumed, &got, &err) == SQAUTH_ERR_PROTOCOL,
              "%s: %s", name, err.message);
    }
    peer_free(&p);
    sqauth_buf_free(&a);
    sqauth_buf_free(&b);
    sqauth_buf_free(&got);
    sqauth_buf_free(&w);
}

/* Known-answer material for tests/core/test_digest_layer.c. */
static void capture_run(const setup *su, const char *label)
{
    peer p;
    sqauth_buf w = SQAUTH_BUF_INIT;
    sqauth_error err;
    static const char c2s[] = "a1 NOOP\r\n";
    static const char s2c[] = "a1 OK NOOP completed\r\n";

    if (connect_peer(&p, su, label) == 0) {
        const char *o, *d;
        unsigned olen, dlen;
        int i;
        for (i = 0; i < 2; i++) {
            sqauth_buf_reset(&w);
            sqauth_sasl_wrap(p.cli, (const unsigned char *)c2s, strlen(c2s), &w, &err);
            hex(i ? "client buffer 1" : "client buffer 0", w.data, w.len);
            if (sasl_decode(p.conn, (const char *)w.data, (unsigned)w.len, &d, &dlen) != SASL_OK || dlen != strlen(c2s)
                || memcmp(d, c2s, dlen) != 0) {
                printf("!! Cyrus did not decode it\n");
            }
        }
        for (i = 0; i < 2; i++) {
            sasl_encode(p.conn, s2c, (unsigned)strlen(s2c), &o, &olen);
            hex(i ? "server buffer 1" : "server buffer 0", (const unsigned char *)o, olen);
        }
    }
    peer_free(&p);
    sqauth_buf_free(&w);
}

int main(int argc, char **argv)
{
    char dir[] = "/tmp/sqauth-cyrus-XXXXXX";
    sasl_conn_t *admin = NULL;
    size_t i;
    int r;

    capture = argc > 1 && !strcmp(argv[1], "--capture");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    snprintf(dbpath, sizeof(dbpath), "%s/sasldb2", dir);
    r = sasl_server_init(callbacks, "sqauth-test");
    if (r != SASL_OK) {
        fprintf(stderr, "sasl_server_init: %s\n", sasl_errstring(r, NULL, NULL));
        return 2;
    }
    r = sasl_server_new(SERVICE, HOST, REALM, NULL, NULL, NULL, 0, &admin);
    if (r == SASL_OK) {
        r = sasl_setpass(admin, USER, PASS, (unsigned)strlen(PASS), NULL, 0, SASL_SET_CREATE);
    }
    if (r != SASL_OK) {
        fprintf(stderr, "creating the sasldb user: %s\n", admin ? sasl_errdetail(admin) : sasl_errstring(r, NULL, NULL));
        return 2;
    }
    sasl_dispose(&admin);

    if (capture) {
        setup su = {0, 256, 65536, 0, Q_INT, 1, NULL};
        fix_cyrus_3des = 1;
        capture_run(&su, "auth-int");
        su.qop = Q_CONF;
        su.qop_count = 1;
        for (i = 0; i < sizeof(cyrus_ciphers) / sizeof(cyrus_ciphers[0]); i++) {
            char label[64];
            su.cipher = cyrus_ciphers[i].name;
            snprintf(label, sizeof(label), "auth-conf %s", su.cipher);
            capture_run(&su, label);
        }
        sasl_server_done();
        unlink(dbpath);
        rmdir(dir);
        return 0;
    }

    /* Cyrus's own 3des without the fix: it fails to set up its cipher */
    {
        setup su = {112, 112, 65536, 0, Q_CONF, 1, NULL};
        peer p;
        int rc = connect_peer(&p, &su, "3des, Cyrus unpatched (expected to fail on Cyrus's side)");
        CHECK(rc != 0 && p.result == SQAUTH_OK, "unpatched Cyrus 3des: rc %d, client %d", rc, p.result);
        peer_free(&p);
        fix_cyrus_3des = 1;
    }
    /* qop auth: no layer */
    {
        setup su = {0, 0, 65536, 0, Q_AUTH, 1, NULL};
        data_run(&su, "auth", SQAUTH_LAYER_NONE, NULL, 0);
    }
    /* auth-int, with Cyrus's default buffer sizes and with small ones */
    {
        setup su = {1, 1, 65536, 0, Q_INT, 1, NULL};
        data_run(&su, "auth-int", SQAUTH_LAYER_INT, NULL, 1100000);
        su.server_maxbuf = 4096;
        su.client_maxbuf = 2048;
        data_run(&su, "auth-int maxbuf 4096/2048", SQAUTH_LAYER_INT, NULL, 1100000);
        negative_run(&su, "auth-int");
    }
    /* auth-conf: each cipher offered alone (min = max = its SSF) */
    for (i = 0; i < sizeof(cyrus_ciphers) / sizeof(cyrus_ciphers[0]); i++) {
        setup su = {cyrus_ciphers[i].ssf, cyrus_ciphers[i].ssf, 65536, 0, Q_CONF, 1, NULL};
        char label[96];
        snprintf(label, sizeof(label), "auth-conf %s alone", cyrus_ciphers[i].name);
        data_run(&su, label, SQAUTH_LAYER_CONF, cyrus_ciphers[i].name, 1100000);
        su.server_maxbuf = 4096;
        su.client_maxbuf = 3000;
        snprintf(label, sizeof(label), "auth-conf %s maxbuf 4096/3000", cyrus_ciphers[i].name);
        data_run(&su, label, SQAUTH_LAYER_CONF, cyrus_ciphers[i].name, 1100000);
        snprintf(label, sizeof(label), "auth-conf %s", cyrus_ciphers[i].name);
        negative_run(&su, label);
    }
    /* everything offered: our preference picks rc4 (highest SSF); a forced cipher wins */
    {
        setup su = {0, 256, 65536, 0, Q_ALL, 3, NULL};
        data_run(&su, "all offered", SQAUTH_LAYER_CONF, "rc4", 300000);
        for (i = 0; i < sizeof(cyrus_ciphers) / sizeof(cyrus_ciphers[0]); i++) {
            char label[96];
            su.cipher = cyrus_ciphers[i].name;
            snprintf(label, sizeof(label), "all offered, forced %s", su.cipher);
            data_run(&su, label, SQAUTH_LAYER_CONF, su.cipher, 300000);
        }
    }
    /* without auth-conf on offer the next preference, auth-int */
    {
        setup su = {0, 1, 65536, 0, Q_CONF_INT, 2, NULL};
        data_run(&su, "conf,int preferred, server up to int", SQAUTH_LAYER_INT, NULL, 200000);
    }
    /* a forced cipher the server does not offer */
    {
        setup su = {112, 112, 65536, 0, Q_CONF, 1, "rc4"};
        peer p;
        connect_peer(&p, &su, "forced rc4, server 3des only");
        CHECK(p.result == SQAUTH_ERR_POLICY
              && !strcmp(p.err.message, "DIGEST-MD5: the server does not offer the cipher \"rc4\" asked for in "
                                        "the option 'cipher' (offered: cipher=\"3des\")"),
              "forced cipher: %d %s", p.result, p.err.message);
        peer_free(&p);
    }
    /* the server wants a layer, the caller only auth */
    {
        setup su = {1, 256, 65536, 0, Q_AUTH, 1, NULL};
        peer p;
        connect_peer(&p, &su, "server requires a layer");
        CHECK(p.result == SQAUTH_ERR_POLICY && strstr(p.err.message, "requested: auth"), "%d %s", p.result,
              p.err.message);
        peer_free(&p);
    }

    sasl_server_done();
    sqauth_crypto_cleanup();
    unlink(dbpath);
    rmdir(dir);
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
