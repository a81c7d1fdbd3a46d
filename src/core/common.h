/*
 * sqauth core: status codes, the error record and the growable byte buffer
 * shared by every part of the C core (common.c, buf.c, b64.c, random.c,
 * crypto.c). No PHP header may be included below
 * src/core/; the PHP binding turns these plain structs into zvals.
 */
#ifndef SQAUTH_COMMON_H
#define SQAUTH_COMMON_H

#include <stddef.h>
#include <stdarg.h>

/* Status codes. Core functions return one of these and fill an sqauth_error
 * on failure. Numbers are stable: the PHP binding uses -code as the
 * exception code, and tests assert on it. */
#define SQAUTH_OK                    0
#define SQAUTH_ERR_NOMEM            -1  /* allocation failed */
#define SQAUTH_ERR_INVALID_ARG      -2  /* caller input unusable (missing credential, NUL byte, ...) */
#define SQAUTH_ERR_MALFORMED        -3  /* server message does not follow the grammar */
#define SQAUTH_ERR_NOT_VERIFIED     -4  /* rspauth / SCRAM v= did not match */
#define SQAUTH_ERR_SERVER           -5  /* server reported an error (SCRAM e=, OAuth JSON) */
#define SQAUTH_ERR_UNSUPPORTED      -6  /* mechanism, qop, charset, extension we do not do */
#define SQAUTH_ERR_STATE            -7  /* call out of order: step after completion or failure */
#define SQAUTH_ERR_CRYPTO           -8  /* OpenSSL refused an operation */
#define SQAUTH_ERR_POLICY           -9  /* allowed by the protocol, refused by our policy */
#define SQAUTH_ERR_CHARSET         -10  /* text not representable / not valid UTF-8 / SASLprep failed */
/* Connections (ConnectionException, TlsException, ProtocolException, AuthenticationException). */
#define SQAUTH_ERR_CONNECT         -11  /* DNS, refused, unreachable; sys_errno says why */
#define SQAUTH_ERR_TIMEOUT         -12  /* a connect, read or write deadline passed */
#define SQAUTH_ERR_CLOSED          -13  /* the peer closed the connection */
#define SQAUTH_ERR_TLS             -14  /* handshake, verification or TLS I/O failed */
#define SQAUTH_ERR_PROTOCOL        -15  /* unexpected or malformed reply, injection, line too long */
#define SQAUTH_ERR_AUTH            -16  /* the server refused the credentials */
/* SASL security layers (DIGEST-MD5 auth-int/auth-conf). */
#define SQAUTH_ERR_INTEGRITY       -17  /* a protected buffer failed its MAC, sequence number, padding or
                                           version check (tampering, replay, reordering, wrong keys) */

typedef struct sqauth_error {
    int code;
    int sys_errno;       /* errno of a failed system call, 0 when none */
    char message[256];
} sqauth_error;

/* Records code and a printf-style message in err (which may be NULL) and
 * returns code, so callers can write `return sqauth_fail(err, ...);`.
 * Messages must never contain a secret. They quote server text as it came
 * (shortened with %.200s and the like): the whole message goes through
 * sqauth_escape_text(), so no message carries a control character or a
 * byte that is not UTF-8, whoever formatted it. */
int sqauth_fail(sqauth_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

void sqauth_error_clear(sqauth_error *err);

/* The length of the valid UTF-8 sequence at p[0..n) (RFC 3629: shortest
 * form only, no UTF-16 surrogates, nothing above U+10FFFF), 0 when p does
 * not start one. */
size_t sqauth_utf8_sequence(const unsigned char *p, size_t n);

/* Copies text into out (size bytes, always NUL-terminated) as a message
 * shows it: valid UTF-8 as it is ("jürgen"), but each byte of a C0
 * control (U+0000-U+001F), DEL, a C1 control (U+0080-U+009F, as its two
 * UTF-8 bytes) and of anything that is not UTF-8 (stray, overlong or
 * surrogate sequences) as \xNN in lower case. A backslash stays as it
 * is, so an escape and the same four characters from the server look
 * alike: the raw bytes stay in sqauth_session_response(). Cut where out is full,
 * never inside an escape or a character. Returns the length written.
 * Escaping escaped text changes nothing. */
size_t sqauth_escape_text(char *out, size_t size, const char *text, size_t len);

/* A borrowed byte string: data == NULL means "absent", which is not the same
 * as present and empty (an empty authzid vs. none, an empty initial response
 * vs. none). */
typedef struct sqauth_str {
    const char *data;
    size_t len;
} sqauth_str;

#define SQAUTH_STR_NULL ((sqauth_str){NULL, 0})
sqauth_str sqauth_str_c(const char *s);

/* A growable, always NUL-terminated byte buffer. Buffers that held secrets
 * are released with sqauth_buf_wipe(), which cleanses before freeing. */
typedef struct sqauth_buf {
    unsigned char *data;
    size_t len;
    size_t cap;
} sqauth_buf;

#define SQAUTH_BUF_INIT {NULL, 0, 0}

int sqauth_buf_reserve(sqauth_buf *b, size_t extra);
int sqauth_buf_append(sqauth_buf *b, const void *p, size_t n);
int sqauth_buf_append_str(sqauth_buf *b, const char *s);
int sqauth_buf_append_byte(sqauth_buf *b, unsigned char c);
int sqauth_buf_printf(sqauth_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Appends the lowercase hex form of n bytes. */
int sqauth_buf_append_hex(sqauth_buf *b, const unsigned char *p, size_t n);
/* Frees without wiping (for buffers that never held a secret). */
void sqauth_buf_free(sqauth_buf *b);
/* Cleanses the whole allocation, then frees. */
void sqauth_buf_wipe(sqauth_buf *b);
/* Empties the buffer (cleansing what it held) but keeps the allocation. */
void sqauth_buf_reset(sqauth_buf *b);

/* Owned copy of n bytes plus a NUL; NULL on allocation failure. */
char *sqauth_memdup(const void *p, size_t n);
/* Cleanses n bytes at p then frees p (NULL-safe). */
void sqauth_free_secret(void *p, size_t n);
/* Cleanses memory in a way the compiler cannot drop (buf.c says how). */
void sqauth_cleanse(void *p, size_t n);
/* Constant-time comparison; 1 when equal. Lengths are not secret. */
int sqauth_equal_ct(const void *a, size_t alen, const void *b, size_t blen);
/* Case-insensitive ASCII comparisons (locale independent). */
int sqauth_strcaseeq(const char *a, const char *b);
int sqauth_strncaseeq(const char *a, const char *b, size_t n);

/* Base64 (RFC 4648 §4, with padding). Decoding is strict: no white space,
 * correct padding, no trailing data, zero bits under the padding (so every
 * byte string has exactly one accepted form). Both append to out. */
int sqauth_b64_encode(sqauth_buf *out, const unsigned char *in, size_t len);
int sqauth_b64_decode(sqauth_buf *out, const char *in, size_t len, sqauth_error *err);
/* The same into caller memory: encoding writes 4 * ((len + 2) / 3) bytes
 * (no NUL) and returns that count; decoding writes at most cap bytes, sets
 * *out_len, and fails (SQAUTH_ERR_MALFORMED) when the input would decode
 * to more than cap. */
size_t sqauth_b64_encode_to(char *out, const unsigned char *in, size_t len);
int sqauth_b64_decode_to(unsigned char *out, size_t cap, size_t *out_len, const char *in, size_t len,
                         sqauth_error *err);

/* Fills out with n random bytes from OpenSSL's RAND_bytes. */
int sqauth_random(unsigned char *out, size_t n, sqauth_error *err);

/* Fills out with n random bytes for a public nonce (SASL cnonce, SCRAM
 * client nonce), served from a small per-thread pool of RAND_bytes output
 * that is refilled 4 KiB at a time (RAND_bytes costs a getpid() system call
 * per call in OpenSSL 3.0). Bytes are cleansed from the pool as they are
 * handed out, and a fork (pthread_atfork) empties the pool in the child, so
 * two processes never hand out the same nonce. Not for keys: use
 * sqauth_random() for secrets. */
int sqauth_random_nonce(unsigned char *out, size_t n, sqauth_error *err);
/* Wipes the calling thread's nonce pool (part of sqauth_crypto_cleanup()). */
void sqauth_random_cleanup(void);

/* OpenSSL objects fetched once per process and kept (OpenSSL 3 fetches a
 * provider implementation on every EVP_md5()/HMAC() use otherwise). NULL
 * when the algorithm is unavailable (MD5 under a FIPS-only provider). */
struct evp_md_st;
const struct evp_md_st *sqauth_md5(void);
/* HMAC-MD5 of data under key into out[16] through a fetched EVP_MAC; the
 * MAC context is cleansed and freed before returning. */
int sqauth_hmac_md5(const void *key, size_t key_len, const void *data, size_t data_len,
                    unsigned char out[16], sqauth_error *err);
/* A fresh HMAC-MD5 context keyed with key, for callers that MAC many
 * messages under one key (EVP_MAC_init(ctx, NULL, 0, NULL) restarts it
 * with the same key). NULL when OpenSSL refuses; free with
 * EVP_MAC_CTX_free(), which cleanses the key. */
struct evp_mac_ctx_st;
struct evp_mac_ctx_st *sqauth_hmac_md5_new(const void *key, size_t key_len);
/* A fresh HMAC-SHA-256 context under a random key of this process's own
 * (RAND_bytes, wiped once set), for keys that name a secret without
 * holding it (the connection pool, the SCRAM key cache); restarted with
 * EVP_MAC_init(ctx, NULL, 0, NULL). NULL when OpenSSL refuses; free with
 * EVP_MAC_CTX_free(). */
struct evp_mac_ctx_st *sqauth_hmac_sha256_random_key(void);

/* A private OpenSSL library context with the "default" and "legacy"
 * providers loaded, for the ciphers OpenSSL 3 keeps in the legacy provider
 * (DES, RC4: DIGEST-MD5 auth-conf). Created on first use; the process-wide
 * default context is never touched. *have_legacy (may be NULL) says whether
 * the legacy provider could be loaded. NULL when even the context or the
 * default provider cannot be had. */
struct ossl_lib_ctx_st;
struct ossl_lib_ctx_st *sqauth_cipher_libctx(int *have_legacy);

/* Frees what sqauth_md5(), sqauth_hmac_md5() and sqauth_cipher_libctx()
 * fetched; call once when the process no longer uses the core (the PHP
 * module's MSHUTDOWN). */
void sqauth_crypto_cleanup(void);

#endif
