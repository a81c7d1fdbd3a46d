/*
 * The TLS context cache and its session cache (tls/tls.c), in process: a
 * client from sqauth_tls_ctx_get() talks to an OpenSSL server over a BIO
 * pair, with the self-signed certificate of scripted_server.h. Checks which sessions are
 * filed, offered and dropped, and that contexts survive concurrent use.
 */
#include "check.h"
#include "conn.h"
#include "tls/tls.h"
#include "scripted_server.h"

#include <pthread.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

/* One connection: handshake, then a byte from the server so that the
 * client reads the TLS 1.3 tickets that follow the handshake. Returns 1
 * when the client resumed, 0 when not, -1 on failure. */
/* Called on the client's SSL after the handshake (channel binding checks). */
typedef void (*after_handshake)(SSL *client);

static int connect_with(sqauth_tls_ctx *client, SSL_CTX *server, const char *key, int tickets, after_handshake hook)
{
    SSL *c = SSL_new(sqauth_tls_ctx_ssl_ctx(client));
    SSL *s = SSL_new(server);
    BIO *cb, *sb;
    int i, rc = -1, cdone = 0, sdone = 0;
    char byte;

    if (!c || !s || !BIO_new_bio_pair(&cb, 0, &sb, 0)) {
        goto out;
    }
    SSL_set_bio(c, cb, cb);
    SSL_set_bio(s, sb, sb);
    SSL_set_connect_state(c);
    SSL_set_accept_state(s);
    if (tickets >= 0) {
        SSL_set_num_tickets(s, (size_t)tickets); /* TLS 1.3 tickets this connection gets */
    }
    if (key && sqauth_tls_session_attach(client, c, key) != SQAUTH_OK) {
        goto out;
    }
    for (i = 0; i < 20 && !(cdone && sdone); i++) {
        if (!cdone) {
            cdone = SSL_do_handshake(c) == 1;
        }
        if (!sdone) {
            sdone = SSL_do_handshake(s) == 1;
        }
    }
    if (!cdone || !sdone || SSL_write(s, "x", 1) != 1 || SSL_read(c, &byte, 1) != 1) {
        goto out;
    }
    rc = SSL_session_reused(c) ? 1 : 0;
    if (hook) {
        hook(c);
    }
    /* As sqauth_conn_free() does: a session whose connection ends without
     * close_notify is marked not resumable by SSL_free(). */
    SSL_shutdown(c);
out:
    ERR_clear_error();
    SSL_free(c);
    SSL_free(s);
    return rc;
}

static int connect_tickets(sqauth_tls_ctx *client, SSL_CTX *server, const char *key, int tickets)
{
    return connect_with(client, server, key, tickets, NULL);
}

static int connect_once(sqauth_tls_ctx *client, SSL_CTX *server, const char *key)
{
    return connect_with(client, server, key, -1, NULL);
}

static sqauth_tls_ctx *client_ctx(int max_version)
{
    sqauth_tls_config cfg;
    sqauth_tls_ctx *ctx = NULL;
    sqauth_error err;

    sqauth_tls_config_init(&cfg);
    cfg.verify_peer = 0; /* self-signed: the session logic is what is tested */
    cfg.max_protocol = max_version;
    if (sqauth_tls_ctx_get(&cfg, &ctx, NULL, &err) != SQAUTH_OK) {
        return NULL;
    }
    return ctx;
}

static void test_sessions(int version)
{
    SSL_CTX *server = test_server_ctx(version);
    sqauth_tls_ctx *client = client_ctx(version);
    size_t before;

    CHECK(server && client);
    if (!server || !client) {
        SSL_CTX_free(server);
        sqauth_tls_ctx_release(client);
        return;
    }
    before = sqauth_tls_session_count();
    /* Without a key nothing is filed or offered. */
    CHECK(connect_once(client, server, NULL) == 0);
    CHECK(sqauth_tls_session_count() == before);
    /* The first connection files sessions, the next ones resume. */
    CHECK(connect_once(client, server, "993 localhost") == 0);
    CHECK(sqauth_tls_session_count() > before);
    CHECK(connect_once(client, server, "993 localhost") == 1);
    CHECK(connect_once(client, server, "993 localhost") == 1);
    /* TLS 1.3: two tickets per connection, at most two kept per key. */
    if (version == TLS1_3_VERSION) {
        CHECK(sqauth_tls_session_count() - before == 2);
    }
    /* Another key (port or name) never gets them. */
    CHECK(connect_once(client, server, "143 localhost") == 0);
    CHECK(connect_once(client, server, "993 mail.example") == 0);
    /* Forgotten: a full handshake again, then resumption again. */
    sqauth_tls_session_forget(client, "993 localhost");
    CHECK(connect_once(client, server, "993 localhost") == 0);
    CHECK(connect_once(client, server, "993 localhost") == 1);
    /* Another option set is another context, with its own sessions. */
    {
        sqauth_tls_config cfg;
        sqauth_tls_ctx *other = NULL;
        sqauth_error err;
        sqauth_tls_config_init(&cfg);
        cfg.verify_peer = 0;
        cfg.max_protocol = version;
        cfg.ciphers = "HIGH";
        CHECK_RC(sqauth_tls_ctx_get(&cfg, &other, NULL, &err), SQAUTH_OK);
        if (other) {
            CHECK(other != client);
            CHECK(connect_once(other, server, "993 localhost") == 0);
            sqauth_tls_ctx_release(other);
        }
    }
    sqauth_tls_ctx_release(client);
    SSL_CTX_free(server);
}

/* A TLS 1.3 ticket is offered once (RFC 8446 C.4), a TLS 1.2 session may
 * be resumed again; a server that cannot resume (restarted: new ticket
 * keys) costs one full handshake. */
static void test_single_use(void)
{
    SSL_CTX *server = test_server_ctx(TLS1_3_VERSION);
    SSL_CTX *restarted = test_server_ctx(TLS1_3_VERSION);
    SSL_CTX *server12 = test_server_ctx(TLS1_2_VERSION);
    sqauth_tls_ctx *client = client_ctx(TLS1_3_VERSION);
    sqauth_tls_ctx *client12 = client_ctx(TLS1_2_VERSION);
    size_t before;

    CHECK(server && restarted && server12 && client && client12);
    if (server && restarted && server12 && client && client12) {
        before = sqauth_tls_session_count();
        CHECK(connect_tickets(client, server, "995 localhost", 1) == 0);
        CHECK(sqauth_tls_session_count() == before + 1);
        CHECK(connect_tickets(client, server, "995 localhost", 0) == 1); /* uses it up */
        CHECK(sqauth_tls_session_count() == before);
        CHECK(connect_tickets(client, server, "995 localhost", 1) == 0); /* nothing left to offer */
        CHECK(connect_tickets(client, restarted, "995 localhost", 1) == 0); /* refused: full handshake */
        CHECK(connect_tickets(client, restarted, "995 localhost", 1) == 1);

        before = sqauth_tls_session_count();
        CHECK(connect_once(client12, server12, "995 localhost") == 0);
        CHECK(sqauth_tls_session_count() == before + 1);
        CHECK(connect_once(client12, server12, "995 localhost") == 1);
        CHECK(connect_once(client12, server12, "995 localhost") == 1);
    }
    sqauth_tls_ctx_release(client);
    sqauth_tls_ctx_release(client12);
    SSL_CTX_free(server);
    SSL_CTX_free(restarted);
    SSL_CTX_free(server12);
}

/* tls-unique (RFC 5929) of a resumed TLS 1.2 session is only safe with the
 * extended master secret (RFC 7627 §5.4): refused without it. */
static int tls_unique_rc;

static void tls_unique_of(SSL *ssl)
{
    sqauth_conn conn;
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    const char *type = NULL;

    memset(&conn, 0, sizeof(conn));
    conn.ssl = ssl;
    tls_unique_rc = sqauth_conn_channel_binding(&conn, "tls-unique", &type, &out, &err);
    sqauth_buf_wipe(&out);
}

static void test_tls_unique_resumed(void)
{
    SSL_CTX *ems = test_server_ctx(TLS1_2_VERSION);
    SSL_CTX *no_ems = test_server_ctx(TLS1_2_VERSION);
    sqauth_tls_ctx *client = client_ctx(TLS1_2_VERSION);

    CHECK(ems && no_ems && client);
    if (ems && no_ems && client) {
        SSL_CTX_set_options(no_ems, SSL_OP_NO_EXTENDED_MASTER_SECRET);
        CHECK(connect_with(client, ems, "993 ems", -1, tls_unique_of) == 0);
        CHECK_RC(tls_unique_rc, SQAUTH_OK);
        CHECK(connect_with(client, ems, "993 ems", -1, tls_unique_of) == 1);
        CHECK_RC(tls_unique_rc, SQAUTH_OK);
        CHECK(connect_with(client, no_ems, "993 no-ems", -1, tls_unique_of) == 0);
        CHECK_RC(tls_unique_rc, SQAUTH_OK); /* a full handshake: fine */
        CHECK(connect_with(client, no_ems, "993 no-ems", -1, tls_unique_of) == 1);
        CHECK_RC(tls_unique_rc, SQAUTH_ERR_POLICY);
    }
    sqauth_tls_ctx_release(client);
    SSL_CTX_free(ems);
    SSL_CTX_free(no_ems);
}

#define THREADS 4
#define ROUNDS 200

static void *hammer(void *arg)
{
    SSL_CTX *server = arg;
    int i, failures = 0;

    for (i = 0; i < ROUNDS; i++) {
        sqauth_tls_ctx *c = client_ctx(TLS1_3_VERSION);
        if (!c) {
            failures++;
            continue;
        }
        if (i % 20 == 0 && connect_once(c, server, "465 localhost") < 0) {
            failures++;
        }
        sqauth_tls_ctx_release(c);
    }
    return (void *)(size_t)failures;
}

static void test_threads(void)
{
    SSL_CTX *server = test_server_ctx(TLS1_3_VERSION);
    pthread_t t[THREADS];
    size_t contexts = sqauth_tls_cache_size();
    int i, started = 0;
    size_t failures = 0;

    /* The context these threads share is made once, whoever comes first. */
    for (i = 0; i < THREADS; i++) {
        started += pthread_create(&t[i], NULL, hammer, server) == 0;
    }
    CHECK(started == THREADS);
    for (i = 0; i < started; i++) {
        void *r;
        pthread_join(t[i], &r);
        failures += (size_t)r;
    }
    CHECK(failures == 0);
    CHECK(sqauth_tls_cache_size() == contexts || sqauth_tls_cache_size() == contexts + 1);
    SSL_CTX_free(server);
}

void test_tls_cache(void)
{
    CHECK(test_certificate());
    if (!test_server_cert) {
        return;
    }
    test_sessions(TLS1_3_VERSION);
    test_sessions(TLS1_2_VERSION);
    test_single_use();
    test_tls_unique_resumed();
    test_threads();
    sqauth_tls_cache_clear();
    CHECK(sqauth_tls_cache_size() == 0);
    CHECK(sqauth_tls_session_count() == 0);
    test_certificate_free();
}
