/*
 * sqauth core: TLS client contexts (cached per option set), per-connection
 * verification and alert hooks, and OpenSSL error decoding.
 * RFC 8446 / RFC 5246 through OpenSSL; RFC 6125 name checks through
 * SSL_set1_host (done by the connection, see conn.c).
 */
#include "tls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

struct sqauth_tls_ctx {
    SSL_CTX *ctx;
    char *key;                   /* the option set, serialised */
    size_t refs;                 /* connections using it, plus one for the cache */
    struct sqauth_tls_ctx *next;
};

/* A small list is enough: a site uses a handful of distinct option sets. */
#define CACHE_MAX 32
static sqauth_tls_ctx *cache_head;
static size_t cache_count;

void sqauth_tls_config_init(sqauth_tls_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    cfg->verify_peer = 1;
    cfg->verify_peer_name = 1;
    cfg->min_protocol = TLS1_2_VERSION;
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

static int add_field(char **key, size_t *len, const char *name, const char *value)
{
    /* Length-prefixed so that no value can imitate another field. */
    size_t vlen = value ? strlen(value) : 0;
    size_t add = strlen(name) + 24 + vlen;
    char *p = realloc(*key, *len + add + 1);
    int n;
    if (!p) {
        return -1;
    }
    *key = p;
    n = snprintf(p + *len, add + 1, "%s=%zd:%s;", name, value ? (ssize_t)vlen : (ssize_t)-1, value ? value : "");
    *len += (size_t)n;
    return 0;
}

static char *config_key(const sqauth_tls_config *cfg)
{
    char *key = NULL, num[32];
    size_t len = 0;

    snprintf(num, sizeof(num), "%d/%d/%d", cfg->verify_peer, cfg->min_protocol, cfg->verify_peer_name);
    if (add_field(&key, &len, "n", num) || add_field(&key, &len, "cafile", cfg->cafile)
        || add_field(&key, &len, "capath", cfg->capath) || add_field(&key, &len, "cert", cfg->local_cert)
        || add_field(&key, &len, "pk", cfg->local_pk) || add_field(&key, &len, "ciphers", cfg->ciphers)) {
        free(key);
        return NULL;
    }
    return key;
}

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

static SSL_CTX *build_ctx(const sqauth_tls_config *cfg, sqauth_tls_failure *fail, sqauth_error *err)
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
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_set_mode(ctx, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    if (cfg->ciphers && !SSL_CTX_set_cipher_list(ctx, cfg->ciphers)) {
        ctx_fail(fail, err, "invalid 'ciphers' list");
        goto fail;
    }
    if (cfg->cafile || cfg->capath) {
        if (!SSL_CTX_load_verify_locations(ctx, cfg->cafile, cfg->capath)) {
            ctx_fail(fail, err, cfg->cafile ? "cannot load 'cafile'" : "cannot load 'capath'");
            goto fail;
        }
    } else if (!SSL_CTX_set_default_verify_paths(ctx)) {
        ctx_fail(fail, err, "cannot load the system's trusted certificates");
        goto fail;
    }
    SSL_CTX_set_verify(ctx, cfg->verify_peer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, NULL);
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

int sqauth_tls_ctx_get(const sqauth_tls_config *cfg, sqauth_tls_ctx **out, sqauth_tls_failure *fail,
                       sqauth_error *err)
{
    sqauth_tls_ctx *c;
    char *key;

    *out = NULL;
    ERR_clear_error();
    key = config_key(cfg);
    if (!key) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    for (c = cache_head; c; c = c->next) {
        if (strcmp(c->key, key) == 0) {
            free(key);
            c->refs++;
            *out = c;
            return SQAUTH_OK;
        }
    }
    c = calloc(1, sizeof(*c));
    if (!c) {
        free(key);
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    c->ctx = build_ctx(cfg, fail, err);
    if (!c->ctx) {
        free(key);
        free(c);
        return SQAUTH_ERR_TLS;
    }
    c->key = key;
    c->refs = 1;
    if (cache_count < CACHE_MAX) {
        c->refs++; /* the cache's own reference */
        c->next = cache_head;
        cache_head = c;
        cache_count++;
    }
    *out = c;
    return SQAUTH_OK;
}

void sqauth_tls_ctx_release(sqauth_tls_ctx *c)
{
    if (c && --c->refs == 0) {
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
    return cache_count;
}

void sqauth_tls_cache_clear(void)
{
    sqauth_tls_ctx *c = cache_head, *next;
    for (; c; c = next) {
        next = c->next;
        c->next = NULL;
        sqauth_tls_ctx_release(c);
    }
    cache_head = NULL;
    cache_count = 0;
}

/* ---- per-connection hooks ---- */

static int failure_index = -1;

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
    if (failure_index < 0) {
        failure_index = SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
        if (failure_index < 0) {
            return SQAUTH_ERR_TLS;
        }
    }
    if (!SSL_set_ex_data(ssl, failure_index, fail)) {
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
