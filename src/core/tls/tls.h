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

#include <openssl/ssl.h>
#include "../common.h"

typedef struct sqauth_tls_config {
    int verify_peer;             /* verify the chain (default on) */
    int verify_peer_name;        /* check host name / IP against the certificate (default on) */
    const char *peer_name;       /* name to check and send as SNI; NULL = the host connected to */
    const char *cafile;
    const char *capath;
    const char *local_cert;      /* client certificate chain (PEM) */
    const char *local_pk;        /* its key (PEM); NULL = in local_cert */
    int min_protocol;            /* TLS1_2_VERSION etc.; 0 = TLS 1.2 */
    int max_protocol;            /* 0 = the highest OpenSSL supports */
    const char *ciphers;         /* TLS 1.2 and lower cipher list; NULL = OpenSSL default */
    const char *peer_fingerprint;/* sha256 of the peer certificate, hex (':' allowed); NULL = none */
    int session_resumption;      /* offer and keep sessions (default on); not part of the context */
} sqauth_tls_config;

/* Defaults: verification on, TLS 1.2 minimum, session resumption on. */
void sqauth_tls_config_init(sqauth_tls_config *cfg);
/* dst gets src with every string copied (dst owns them); free with
 * sqauth_tls_config_release(). SQAUTH_ERR_NOMEM leaves dst empty. */
int sqauth_tls_config_copy(sqauth_tls_config *dst, const sqauth_tls_config *src);
void sqauth_tls_config_release(sqauth_tls_config *cfg);

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

/* Lowercase hex SHA-256 of a certificate's DER encoding, 64 chars + NUL. */
int sqauth_tls_cert_sha256(X509 *cert, char out[65]);

#endif
