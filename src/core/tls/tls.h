/*
 * sqauth core: TLS client contexts and structured TLS failures (OpenSSL).
 *
 * One SSL_CTX per distinct option set, shared by every connection that uses
 * the same options (loading a CA bundle costs far more than a handshake).
 * Failures are never printed: the OpenSSL error queue, the certificate
 * verification result and any alert received are copied into a
 * sqauth_tls_failure, and the queue is left empty.
 */
#ifndef SQAUTH_TLS_H
#define SQAUTH_TLS_H

#include <stdint.h>
#include <openssl/ssl.h>
#include "../common.h"

/* Every TLS option, declared once. One line per option:
 *   X(field, type, default, scope, in the context cache key)
 * field    its name in sqauth_tls_config and for callers ('cafile' in PHP)
 * type     BOOL (int 0/1), STRING (const char *, NULL = not set) or
 *          VERSION (TLS1_2_VERSION etc., 0 = not set)
 * scope    CONTEXT: applied to the shared SSL_CTX (build_ctx() in tls.c);
 *          CONNECTION: applied to each connection (tls_conn.c)
 * key      1: part of the context cache key, so that connections with
 *          different values never share a context or its cached sessions.
 *          Every CONTEXT option must be; a CONNECTION option is when a
 *          session cached under one value must not be resumed under the
 *          other (a session whose name was not checked must not resume
 *          where it would be). tests/core/test_tls_options.c checks it.
 * Adding an option is a line here and the code that applies it. */
#define SQAUTH_TLS_OPTIONS(X) \
    /* verify the chain */ \
    X(verify_peer, BOOL, 1, CONTEXT, 1) \
    /* check the host name or IP against the certificate */ \
    X(verify_peer_name, BOOL, 1, CONNECTION, 1) \
    /* the name to check and send as SNI; NULL = the host connected to */ \
    X(peer_name, STRING, NULL, CONNECTION, 0) \
    X(cafile, STRING, NULL, CONTEXT, 1) \
    X(capath, STRING, NULL, CONTEXT, 1) \
    /* client certificate chain (PEM) and its key (NULL = in local_cert) */ \
    X(local_cert, STRING, NULL, CONTEXT, 1) \
    X(local_pk, STRING, NULL, CONTEXT, 1) \
    X(min_protocol, VERSION, TLS1_2_VERSION, CONTEXT, 1) \
    /* 0 = the highest OpenSSL supports */ \
    X(max_protocol, VERSION, 0, CONTEXT, 1) \
    /* TLS 1.2 and lower cipher list; NULL = OpenSSL's default */ \
    X(ciphers, STRING, NULL, CONTEXT, 1) \
    /* sha256 of the server certificate, hex (':' allowed), checked after every handshake */ \
    X(peer_fingerprint, STRING, NULL, CONNECTION, 0) \
    /* offer cached sessions and keep new ones */ \
    X(session_resumption, BOOL, 1, CONNECTION, 0)

#define SQAUTH_TLS_CTYPE_BOOL int
#define SQAUTH_TLS_CTYPE_VERSION int
#define SQAUTH_TLS_CTYPE_STRING const char *
#define SQAUTH_TLS_CONFIG_FIELD(field, type, def, scope, key) SQAUTH_TLS_CTYPE_##type field;

typedef struct sqauth_tls_config {
    SQAUTH_TLS_OPTIONS(SQAUTH_TLS_CONFIG_FIELD)
} sqauth_tls_config;

/* Every field at its declared default. */
void sqauth_tls_config_init(sqauth_tls_config *cfg);
/* dst gets src with every string copied (dst owns them); free with
 * sqauth_tls_config_release(). SQAUTH_ERR_NOMEM leaves dst empty. */
int sqauth_tls_config_copy(sqauth_tls_config *dst, const sqauth_tls_config *src);
void sqauth_tls_config_release(sqauth_tls_config *cfg);

/* The declarations, for callers that set options by name (the PHP
 * binding) and for tests. */
typedef enum { SQAUTH_TLS_BOOL, SQAUTH_TLS_STRING, SQAUTH_TLS_VERSION } sqauth_tls_option_type;
typedef enum { SQAUTH_TLS_CONTEXT, SQAUTH_TLS_CONNECTION } sqauth_tls_option_scope;

typedef struct sqauth_tls_option {
    const char *name;
    sqauth_tls_option_type type;
    sqauth_tls_option_scope scope;
    int in_cache_key;
    size_t offset, size;         /* of its field in sqauth_tls_config */
} sqauth_tls_option;

size_t sqauth_tls_option_count(void);
const sqauth_tls_option *sqauth_tls_option_at(size_t i);
/* The option called name[0..len) (exact, length included); NULL when none. */
const sqauth_tls_option *sqauth_tls_option_find(const char *name, size_t len);
/* The option's field in cfg: an int for BOOL and VERSION, a const char *
 * for STRING (borrowed: the caller keeps it alive as long as cfg). */
int *sqauth_tls_option_int(sqauth_tls_config *cfg, const sqauth_tls_option *o);
const char **sqauth_tls_option_string(sqauth_tls_config *cfg, const sqauth_tls_option *o);
/* The TLS version called name[0..len) ("TLSv1", "TLSv1.0", "TLSv1.1",
 * "TLSv1.2", "TLSv1.3"; exact), as TLS1_2_VERSION etc.; 0 when none. */
int sqauth_tls_version_find(const char *name, size_t len);
/* Those names for messages: "\"TLSv1\", \"TLSv1.1\", \"TLSv1.2\" or \"TLSv1.3\"". */
#define SQAUTH_TLS_VERSION_NAMES "\"TLSv1\", \"TLSv1.1\", \"TLSv1.2\" or \"TLSv1.3\""
/* The context cache key of cfg: every option with in_cache_key, each
 * length-prefixed so that no value can imitate another (malloc'ed, NULL
 * when out of memory). */
char *sqauth_tls_config_key(const sqauth_tls_config *cfg);
/* The same over every option, those applied per connection too (the name
 * checked, the pin, resumption): two configurations with the same identity
 * make the same connection. The connection pool keys on it (pool.c), so
 * that a pooled connection is only handed to a caller that would have
 * opened it with exactly these options. */
char *sqauth_tls_config_identity(const sqauth_tls_config *cfg);

#define SQAUTH_TLS_MAX_ERRORS 8

typedef struct sqauth_openssl_error {
    unsigned long code;
    int library_code;
    int reason_code;
    char library[64];
    char reason[128];
    char message[256];
} sqauth_openssl_error;

typedef struct sqauth_tls_failure {
    sqauth_openssl_error errors[SQAUTH_TLS_MAX_ERRORS];
    size_t error_count;
    int has_verify;              /* certificate verification failed */
    long verify_code;            /* X509_V_ERR_* */
    int verify_depth;
    char verify_message[128];
    char verify_subject[256];
    char alert[96];              /* alert received from the peer, "" = none */
} sqauth_tls_failure;

/* A shared, reference-counted client context. */
typedef struct sqauth_tls_ctx sqauth_tls_ctx;

/* Returns the context for cfg, creating and caching it on first use.
 * Errors: SQAUTH_ERR_TLS (bad CA file, certificate, key, cipher list; the
 * OpenSSL errors go to fail when it is not NULL), SQAUTH_ERR_NOMEM. */
int sqauth_tls_ctx_get(const sqauth_tls_config *cfg, sqauth_tls_ctx **out, sqauth_tls_failure *fail,
                       sqauth_error *err);
/* Builds (and caches) the context for cfg ahead of a handshake, so that a
 * CA file or directory that cannot be loaded is reported before anything
 * depends on it, under the name of the setting it came from: cafile_name
 * and capath_name, e.g. "php.ini sqauth.cafile" (the message then quotes
 * the path), or NULL for the caller's options 'cafile' and 'capath'. The
 * handshake then finds the context in the cache. Errors as
 * sqauth_tls_ctx_get(). */
int sqauth_tls_ctx_preload(const sqauth_tls_config *cfg, const char *cafile_name, const char *capath_name,
                           sqauth_tls_failure *fail, sqauth_error *err);
void sqauth_tls_ctx_release(sqauth_tls_ctx *ctx);
SSL_CTX *sqauth_tls_ctx_ssl_ctx(sqauth_tls_ctx *ctx);
/* Number of cached contexts (tests check that contexts are shared). */
size_t sqauth_tls_cache_size(void);
/* Frees every cached context no connection uses (module shutdown). */
void sqauth_tls_cache_clear(void);

/* TLS session resumption (RFC 8446 §2.2, RFC 5077). Sessions are cached
 * per context (so per option set: CA, client certificate, verification
 * flags) and per key, which the caller makes from the port and the name
 * the certificate was verified against: a session is only offered to the
 * server it came from, under the checks it passed. Offers the newest cached
 * session for key (a TLS 1.3 one leaves the cache: tickets are used once)
 * and files the sessions the server issues on ssl under key. key must
 * outlive ssl. */
int sqauth_tls_session_attach(sqauth_tls_ctx *ctx, SSL *ssl, const char *key);
/* Drops the sessions cached under key (a connection under it failed a
 * check made after the handshake, such as certificate pinning). */
void sqauth_tls_session_forget(sqauth_tls_ctx *ctx, const char *key);
/* Sessions cached in all contexts (tests and features()). */
size_t sqauth_tls_session_count(void);

/* Moves the thread's OpenSSL error queue into fail (the queue is emptied). */
void sqauth_tls_collect_errors(sqauth_tls_failure *fail);
void sqauth_tls_failure_clear(sqauth_tls_failure *fail);

/* Per-connection hooks: record the first certificate that failed
 * verification and any alert the peer sends. Call once per SSL. */
int sqauth_tls_attach(SSL *ssl, sqauth_tls_failure *fail);

/* Decodes an OpenSSL error code into e (library, reason, message). Also
 * accepts OpenSSL 1.x packed codes as found in old logs: lib << 24 |
 * func << 12 | reason; *func_out gets the function number for those. */
void sqauth_tls_decode_error(unsigned long code, int legacy, sqauth_openssl_error *e, int *func_out);

/* ---- one connection (tls_conn.c) ---- */

/* 1 when fail holds OpenSSL 3's "unexpected eof while reading": the
 * server ended the connection without a close_notify. */
int sqauth_tls_failure_is_eof(const sqauth_tls_failure *fail);

/* Sets up and runs the TLS handshake on the connected, non-blocking
 * socket fd, until deadline (sqauth_now_ms() scale): the context for cfg,
 * SNI and the certificate's name check against name (cfg->peer_name or the
 * host connected to), session resumption under "port name", and after the
 * handshake the certificate pin. ca_source: see sqauth_conn_start_tls().
 * *ssl, *ctx and *session_key are set as
 * soon as they exist; the caller frees them, also after a failure. On
 * SQAUTH_ERR_TLS the details are in fail; a server that closes the
 * connection during the handshake (an orderly end or a reset, errno in
 * err->sys_errno) is "TLS handshake failed: the server closed the
 * connection" either way. */
int sqauth_tls_handshake(int fd, unsigned port, const sqauth_tls_config *cfg, const char *name, const char *ca_source,
                         int64_t deadline,
                         SSL **ssl, sqauth_tls_ctx **ctx, char **session_key, sqauth_tls_failure *fail,
                         sqauth_error *err);

typedef struct sqauth_tls_info {
    char protocol[32];
    char cipher[96];
    int bits;
    int session_reused;
    int has_peer_cert;
    char subject[512];
    char issuer[512];
    char sans[1024];             /* "DNS:a, DNS:b, IP Address:127.0.0.1" */
    char not_after[64];          /* ISO 8601, UTC */
    char sha256[65];
    long verify_code;            /* X509_V_OK when verified */
    char verify_message[128];
    int verified;                /* the chain was checked and passed (not with verify_peer off) */
} sqauth_tls_info;

/* What ssl negotiated (0 and an empty info without TLS). */
int sqauth_tls_info_get(SSL *ssl, sqauth_tls_info *info);

/* TLS channel-binding data for SCRAM -PLUS (RFC 5056): type is
 * "tls-exporter" (RFC 9266, TLS 1.3), "tls-unique" (RFC 5929, TLS 1.2 and
 * lower) or "tls-server-end-point" (RFC 5929); NULL picks the one that fits
 * the protocol version (tls-exporter for TLS 1.3, else tls-unique).
 * *type_out names the type used. */
int sqauth_tls_channel_binding(SSL *ssl, const char *type, const char **type_out, sqauth_buf *out, sqauth_error *err);

/* Lowercase hex SHA-256 of a certificate's DER encoding, 64 chars + NUL. */
int sqauth_tls_cert_sha256(X509 *cert, char out[65]);

#endif
