/*
 * sqauth core: TLS client contexts (cached per option set), per-connection
 * verification and alert hooks, and OpenSSL error decoding.
 * RFC 8446 / RFC 5246 through OpenSSL; RFC 6125 name checks through
 * SSL_set1_host (done by the connection, see conn.c).
 */
#include "tls.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <pthread.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

/* A session the server issued, kept for resuming the next connection to
 * the same server name and port through the same context. */
typedef struct cached_session {
    char *key;
    SSL_SESSION *session;
    struct cached_session *next; /* newest first */
} cached_session;

struct sqauth_tls_ctx {
    SSL_CTX *ctx;
    char *key;                   /* the option set, serialised */
    size_t refs;                 /* connections using it, plus one for the cache */
    cached_session *sessions;
    size_t session_count;
    struct sqauth_tls_ctx *next;
};

/* A small list is enough: a site uses a handful of distinct option sets. */
#define CACHE_MAX 32
static sqauth_tls_ctx *cache_head;
static size_t cache_count;

/* Sessions kept per context, and per server: a TLS 1.3 server sends two
 * tickets per connection and each is used once (RFC 8446 appendix C.4). */
#define SESSIONS_PER_CTX 64
#define SESSIONS_PER_KEY 2

static int owner_index = -1;       /* SSL_CTX -> its sqauth_tls_ctx */
static int session_key_index = -1; /* SSL -> the key its sessions are cached under */
static int failure_index = -1;     /* SSL -> its sqauth_tls_failure */
static pthread_once_t indexes_once = PTHREAD_ONCE_INIT;

/* The context list, every context's session list and the reference counts:
 * ZTS builds of PHP open connections from several threads at once. Never
 * held while OpenSSL does I/O (new_session_cb takes it itself). */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;

static void make_indexes(void)
{
    owner_index = SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    session_key_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
    failure_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

static int indexes_ready(void)
{
    return pthread_once(&indexes_once, make_indexes) == 0 && owner_index >= 0 && session_key_index >= 0
        && failure_index >= 0;
}

void sqauth_tls_failure_clear(sqauth_tls_failure *fail)
{
    if (fail) {
        memset(fail, 0, sizeof(*fail));
    }
}

void sqauth_tls_decode_error(unsigned long code, int legacy, sqauth_openssl_error *e, int *func_out)
{
    unsigned long packed = code;
    const char *s;

    memset(e, 0, sizeof(*e));
    e->code = code;
    /* The reason strings are loaded with libssl; a process that never made a
     * TLS connection (openssl_error_decode() alone) would get "reason(1040)". */
    OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL);
    if (legacy) {
        /* OpenSSL 1.x: 8 bits library, 12 bits function, 12 bits reason. */
        e->library_code = (int)((code >> 24) & 0xff);
        e->reason_code = (int)(code & 0xfff);
        if (func_out) {
            *func_out = (int)((code >> 12) & 0xfff);
        }
        packed = ERR_PACK(e->library_code, 0, e->reason_code);
    } else {
        e->library_code = ERR_GET_LIB(code);
        e->reason_code = ERR_GET_REASON(code);
        if (func_out) {
            *func_out = 0;
        }
    }
    s = ERR_lib_error_string(packed);
    snprintf(e->library, sizeof(e->library), "%s", s ? s : "");
    s = ERR_reason_error_string(packed);
    /* OpenSSL 3 has no reason string for a system error: its reason is errno. */
#ifdef ERR_SYSTEM_ERROR
    if (!s && !legacy && ERR_SYSTEM_ERROR(code)) {
        s = strerror(e->reason_code);
    }
#endif
    snprintf(e->reason, sizeof(e->reason), "%s", s ? s : "");
    ERR_error_string_n(packed, e->message, sizeof(e->message));
}

void sqauth_tls_collect_errors(sqauth_tls_failure *fail)
{
    unsigned long code;
    const char *data = NULL;
    int flags = 0;

    while ((code = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        sqauth_openssl_error *e;
        if (!fail || fail->error_count >= SQAUTH_TLS_MAX_ERRORS) {
            continue; /* keep draining: the queue must end up empty */
        }
        e = &fail->errors[fail->error_count++];
        sqauth_tls_decode_error(code, 0, e, NULL);
        if (data && (flags & ERR_TXT_STRING) && data[0]) {
            size_t n = strlen(e->message);
            snprintf(e->message + n, sizeof(e->message) - n, " (%s)", data);
        }
    }
}

/* ---- contexts ---- */

static int ctx_fail(sqauth_tls_failure *fail, sqauth_error *err, const char *what)
{
    sqauth_tls_failure local;
    sqauth_tls_failure *f = fail ? fail : &local;
    if (!fail) {
        sqauth_tls_failure_clear(&local);
    }
    sqauth_tls_collect_errors(f);
    return sqauth_fail(err, SQAUTH_ERR_TLS, "%s%s%s", what, f->error_count ? ": " : "",
                       f->error_count ? f->errors[0].reason : "");
}

/* ---- session cache ---- */

static void session_unlink(sqauth_tls_ctx *c, cached_session **link)
{
    cached_session *e = *link;
    *link = e->next;
    SSL_SESSION_free(e->session);
    free(e->key);
    free(e);
    c->session_count--;
}

/* Past the lifetime the server gave it, or its certificate has expired
 * since it was verified (a resumed handshake does not check it again). */
static int session_expired(SSL_SESSION *s, time_t now)
{
    X509 *cert = SSL_SESSION_get0_peer(s);
    if (SSL_SESSION_get_time(s) + SSL_SESSION_get_timeout(s) <= now) {
        return 1;
    }
    return cert && X509_cmp_time(X509_get0_notAfter(cert), &now) <= 0;
}

/* Called by OpenSSL with each session the server issues (during the
 * handshake for TLS 1.2, with the first read after it for TLS 1.3).
 * Returns 1 when the cache keeps the reference. */
static int new_session_cb(SSL *ssl, SSL_SESSION *session)
{
    sqauth_tls_ctx *c = owner_index >= 0 ? SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), owner_index) : NULL;
    const char *key = session_key_index >= 0 ? SSL_get_ex_data(ssl, session_key_index) : NULL;
    cached_session *e, **link;
    size_t same = 0;

    if (!c || !key || !SSL_SESSION_is_resumable(session)) {
        return 0;
    }
    /* Belt and braces: with verification on, an unverified peer never gets
     * this far, but its session must never be resumed. */
    if ((SSL_get_verify_mode(ssl) & SSL_VERIFY_PEER) && SSL_get_verify_result(ssl) != X509_V_OK) {
        return 0;
    }
    e = calloc(1, sizeof(*e));
    if (!e || !(e->key = strdup(key))) {
        free(e);
        return 0;
    }
    e->session = session;
    pthread_mutex_lock(&cache_lock);
    e->next = c->sessions;
    c->sessions = e;
    c->session_count++;
    /* Drop the oldest beyond the limits (the list is newest first). */
    for (link = &e->next; *link;) {
        if (strcmp((*link)->key, key) == 0 && ++same >= SESSIONS_PER_KEY) {
            session_unlink(c, link);
        } else if (c->session_count > SESSIONS_PER_CTX && !(*link)->next) {
            session_unlink(c, link);
        } else {
            link = &(*link)->next;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return 1;
}

int sqauth_tls_session_attach(sqauth_tls_ctx *c, SSL *ssl, const char *key)
{
    cached_session **link;
    time_t now = time(NULL);

    if (!indexes_ready() || !SSL_set_ex_data(ssl, session_key_index, (void *)key)) {
        return SQAUTH_ERR_TLS;
    }
    pthread_mutex_lock(&cache_lock);
    for (link = &c->sessions; *link;) {
        cached_session *e = *link;
        if (session_expired(e->session, now)) {
            session_unlink(c, link);
            continue;
        }
        if (strcmp(e->key, key) != 0) {
            link = &e->next;
            continue;
        }
        if (!SSL_set_session(ssl, e->session)) {
            ERR_clear_error();
            session_unlink(c, link);
            continue;
        }
        /* A TLS 1.3 ticket is used once: the server sends fresh ones on
         * the resumed connection. A TLS 1.2 session may be resumed again. */
        if (SSL_SESSION_get_protocol_version(e->session) >= TLS1_3_VERSION) {
            session_unlink(c, link);
        }
        break;
    }
    pthread_mutex_unlock(&cache_lock);
    return SQAUTH_OK;
}

void sqauth_tls_session_forget(sqauth_tls_ctx *c, const char *key)
{
    cached_session **link;

    if (!c || !key) {
        return;
    }
    pthread_mutex_lock(&cache_lock);
    for (link = &c->sessions; *link;) {
        if (strcmp((*link)->key, key) == 0) {
            session_unlink(c, link);
        } else {
            link = &(*link)->next;
        }
    }
    pthread_mutex_unlock(&cache_lock);
}

static void sessions_clear(sqauth_tls_ctx *c)
{
    while (c->sessions) {
        session_unlink(c, &c->sessions);
    }
}

size_t sqauth_tls_session_count(void)
{
    size_t n = 0;
    sqauth_tls_ctx *c;
    pthread_mutex_lock(&cache_lock);
    for (c = cache_head; c; c = c->next) {
        n += c->session_count;
    }
    pthread_mutex_unlock(&cache_lock);
    return n;
}

/* The names of the settings cafile and capath came from, for messages
 * (NULL: the caller's options). */
typedef struct ca_names {
    const char *cafile, *capath;
} ca_names;

/* "cannot load 'cafile'", or with the setting it came from and its value
 * (a path is no secret): "cannot load php.ini sqauth.cafile=\"/x.pem\"". */
static void cannot_load(char *out, size_t size, const char *option, const char *name, const char *path)
{
    if (name) {
        snprintf(out, size, "cannot load %s=\"%.200s\"", name, path);
    } else {
        snprintf(out, size, "cannot load '%s'", option);
    }
}

/* The trust anchors: cfg's CA file and directory, or OpenSSL's default
 * store when neither is set. OpenSSL reads a directory only as it looks up
 * certificates, so one that cannot be opened is refused here rather than
 * reported later as a server that cannot be verified. */
static int load_ca(SSL_CTX *ctx, const sqauth_tls_config *cfg, const ca_names *names, sqauth_tls_failure *fail,
                   sqauth_error *err)
{
    char what[300];
    const char *reason = NULL;
    struct stat st;

    if (!cfg->cafile && !cfg->capath) {
        return SSL_CTX_set_default_verify_paths(ctx) ? SQAUTH_OK
                                                     : ctx_fail(fail, err, "cannot load the system's trusted certificates");
    }
    if (cfg->cafile && !SSL_CTX_load_verify_locations(ctx, cfg->cafile, NULL)) {
        cannot_load(what, sizeof(what), "cafile", names ? names->cafile : NULL, cfg->cafile);
        return ctx_fail(fail, err, what);
    }
    if (!cfg->capath) {
        return SQAUTH_OK;
    }
    cannot_load(what, sizeof(what), "capath", names ? names->capath : NULL, cfg->capath);
    if (stat(cfg->capath, &st) != 0) {
        reason = strerror(errno);
    } else if (!S_ISDIR(st.st_mode)) {
        reason = "not a directory";
    } else if (access(cfg->capath, R_OK | X_OK) != 0) {
        reason = strerror(errno);
    }
    if (reason) {
        return sqauth_fail(err, SQAUTH_ERR_TLS, "%s: %s", what, reason);
    }
    return SSL_CTX_load_verify_locations(ctx, NULL, cfg->capath) ? SQAUTH_OK : ctx_fail(fail, err, what);
}

static SSL_CTX *build_ctx(const sqauth_tls_config *cfg, const ca_names *names, sqauth_tls_failure *fail,
                          sqauth_error *err)
{
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());

    if (!ctx) {
        ctx_fail(fail, err, "cannot create a TLS context");
        return NULL;
    }
    if (!SSL_CTX_set_min_proto_version(ctx, cfg->min_protocol ? cfg->min_protocol : TLS1_2_VERSION)) {
        ctx_fail(fail, err, "cannot set the minimum TLS protocol version");
        goto fail;
    }
    if (cfg->max_protocol && !SSL_CTX_set_max_proto_version(ctx, cfg->max_protocol)) {
        ctx_fail(fail, err, "cannot set the maximum TLS protocol version");
        goto fail;
    }
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (cfg->ciphers && !SSL_CTX_set_cipher_list(ctx, cfg->ciphers)) {
        ctx_fail(fail, err, "invalid 'ciphers' list");
        goto fail;
    }
    if (load_ca(ctx, cfg, names, fail, err) != SQAUTH_OK) {
        goto fail;
    }
    SSL_CTX_set_verify(ctx, cfg->verify_peer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
    /* Client-side session cache: OpenSSL hands each new session to
     * new_session_cb, which files it under the connection's key. */
    SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
    SSL_CTX_sess_set_new_cb(ctx, new_session_cb);
    if (cfg->local_cert) {
        if (SSL_CTX_use_certificate_chain_file(ctx, cfg->local_cert) != 1) {
            ctx_fail(fail, err, "cannot load 'local_cert'");
            goto fail;
        }
        if (SSL_CTX_use_PrivateKey_file(ctx, cfg->local_pk ? cfg->local_pk : cfg->local_cert, SSL_FILETYPE_PEM) != 1) {
            ctx_fail(fail, err, "cannot load the client certificate's private key ('local_pk')");
            goto fail;
        }
        if (SSL_CTX_check_private_key(ctx) != 1) {
            ctx_fail(fail, err, "'local_pk' does not match 'local_cert'");
            goto fail;
        }
    }
    return ctx;
fail:
    SSL_CTX_free(ctx);
    return NULL;
}

/* With cache_lock held: the cached context for key, with a reference taken. */
static sqauth_tls_ctx *cache_find(const char *key)
{
    sqauth_tls_ctx *c;
    for (c = cache_head; c; c = c->next) {
        if (strcmp(c->key, key) == 0) {
            c->refs++;
            return c;
        }
    }
    return NULL;
}

static int ctx_get(const sqauth_tls_config *cfg, const ca_names *names, sqauth_tls_ctx **out,
                   sqauth_tls_failure *fail, sqauth_error *err)
{
    sqauth_tls_ctx *c;
    char *key;

    *out = NULL;
    ERR_clear_error();
    if (!indexes_ready()) {
        return ctx_fail(fail, err, "cannot set up TLS");
    }
    key = sqauth_tls_config_key(cfg);
    if (!key) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    pthread_mutex_lock(&cache_lock);
    c = cache_find(key);
    pthread_mutex_unlock(&cache_lock);
    if (c) {
        free(key);
        *out = c;
        return SQAUTH_OK;
    }
    /* Built without the lock: loading a CA bundle takes milliseconds. */
    c = calloc(1, sizeof(*c));
    if (!c) {
        free(key);
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    c->ctx = build_ctx(cfg, names, fail, err);
    if (!c->ctx) {
        free(key);
        free(c);
        return SQAUTH_ERR_TLS;
    }
    c->key = key;
    c->refs = 1;
    if (!SSL_CTX_set_ex_data(c->ctx, owner_index, c)) {
        SSL_CTX_free(c->ctx);
        free(key);
        free(c);
        return ctx_fail(fail, err, "cannot set up the TLS context");
    }
    pthread_mutex_lock(&cache_lock);
    {
        /* Another thread may have built the same context meanwhile. */
        sqauth_tls_ctx *other = cache_find(key);
        if (other) {
            pthread_mutex_unlock(&cache_lock);
            SSL_CTX_free(c->ctx);
            free(key);
            free(c);
            *out = other;
            return SQAUTH_OK;
        }
    }
    if (cache_count < CACHE_MAX) {
        c->refs++; /* the cache's own reference */
        c->next = cache_head;
        cache_head = c;
        cache_count++;
    }
    pthread_mutex_unlock(&cache_lock);
    *out = c;
    return SQAUTH_OK;
}

int sqauth_tls_ctx_get(const sqauth_tls_config *cfg, sqauth_tls_ctx **out, sqauth_tls_failure *fail,
                       sqauth_error *err)
{
    return ctx_get(cfg, NULL, out, fail, err);
}

int sqauth_tls_ctx_preload(const sqauth_tls_config *cfg, const char *cafile_name, const char *capath_name,
                           sqauth_tls_failure *fail, sqauth_error *err)
{
    ca_names names;
    sqauth_tls_ctx *c = NULL;
    int rc;

    names.cafile = cafile_name;
    names.capath = capath_name;
    sqauth_tls_failure_clear(fail);
    rc = ctx_get(cfg, &names, &c, fail, err);
    sqauth_tls_ctx_release(c);
    return rc;
}

void sqauth_tls_ctx_release(sqauth_tls_ctx *c)
{
    size_t refs;

    if (!c) {
        return;
    }
    pthread_mutex_lock(&cache_lock);
    refs = --c->refs;
    pthread_mutex_unlock(&cache_lock);
    if (refs == 0) {
        /* Unreachable now: no longer in the list, no connection uses it. */
        sessions_clear(c);
        SSL_CTX_free(c->ctx);
        free(c->key);
        free(c);
    }
}

SSL_CTX *sqauth_tls_ctx_ssl_ctx(sqauth_tls_ctx *c)
{
    return c->ctx;
}

size_t sqauth_tls_cache_size(void)
{
    size_t n;
    pthread_mutex_lock(&cache_lock);
    n = cache_count;
    pthread_mutex_unlock(&cache_lock);
    return n;
}

void sqauth_tls_cache_clear(void)
{
    sqauth_tls_ctx *c, *next;

    pthread_mutex_lock(&cache_lock);
    c = cache_head;
    cache_head = NULL;
    cache_count = 0;
    pthread_mutex_unlock(&cache_lock);
    for (; c; c = next) {
        next = c->next;
        c->next = NULL;
        sqauth_tls_ctx_release(c);
    }
}

/* ---- per-connection hooks ---- */

static sqauth_tls_failure *failure_of(const SSL *ssl)
{
    return failure_index >= 0 ? SSL_get_ex_data(ssl, failure_index) : NULL;
}

/* Records the first certificate that fails verification: the verify result
 * alone does not say which certificate in the chain was at fault. */
static int verify_cb(int ok, X509_STORE_CTX *store)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    sqauth_tls_failure *f = ssl ? failure_of(ssl) : NULL;

    if (!ok && f && !f->has_verify) {
        X509 *cert = X509_STORE_CTX_get_current_cert(store);
        int code = X509_STORE_CTX_get_error(store);
        f->has_verify = 1;
        f->verify_code = code;
        f->verify_depth = X509_STORE_CTX_get_error_depth(store);
        snprintf(f->verify_message, sizeof(f->verify_message), "%s", X509_verify_cert_error_string(code));
        if (cert) {
            X509_NAME_oneline(X509_get_subject_name(cert), f->verify_subject, sizeof(f->verify_subject));
        }
    }
    return ok;
}

/* OpenSSL 3.0 names the TLS 1.3 (RFC 8446 §6) and fallback (RFC 7507)
 * alerts "unknown": certificate_required is what a server that wants a
 * client certificate sends under TLS 1.3. */
static const char *alert_name(int desc)
{
    switch (desc) {
    case 86:
        return "inappropriate fallback";
    case 109:
        return "missing extension";
    case 116:
        return "certificate required";
    default:
        return SSL_alert_desc_string_long(desc);
    }
}

static void info_cb(const SSL *ssl, int where, int ret)
{
    sqauth_tls_failure *f;
    /* SSL_CB_READ_ALERT and SSL_CB_WRITE_ALERT share the SSL_CB_ALERT bit:
     * test both bits, or our own alerts would be reported as the server's. */
    if (!(where & SSL_CB_ALERT) || !(where & SSL_CB_READ) || !(f = failure_of(ssl)) || f->alert[0]) {
        return;
    }
    /* close_notify is the orderly end, not a failure. */
    if ((ret & 0xff) == SSL_AD_CLOSE_NOTIFY) {
        return;
    }
    snprintf(f->alert, sizeof(f->alert), "%s", alert_name(ret & 0xff));
}

int sqauth_tls_attach(SSL *ssl, sqauth_tls_failure *fail)
{
    if (!indexes_ready() || !SSL_set_ex_data(ssl, failure_index, fail)) {
        return SQAUTH_ERR_TLS;
    }
    SSL_set_verify(ssl, SSL_get_verify_mode(ssl), verify_cb);
    SSL_set_info_callback(ssl, info_cb);
    return SQAUTH_OK;
}

int sqauth_tls_cert_sha256(X509 *cert, char out[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0, i;
    static const char hex[] = "0123456789abcdef";

    out[0] = '\0';
    if (!cert || !X509_digest(cert, EVP_sha256(), md, &len) || len != 32) {
        return SQAUTH_ERR_TLS;
    }
    for (i = 0; i < len; i++) {
        out[2 * i] = hex[md[i] >> 4];
        out[2 * i + 1] = hex[md[i] & 15];
    }
    out[64] = '\0';
    return SQAUTH_OK;
}
