/*
 * sqauth core: error records, buffers, base64 and small helpers.
 * Randomness, cleansing and constant-time compare come from OpenSSL.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

int sqauth_fail(sqauth_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        err->sys_errno = 0;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
    }
    return code;
}

void sqauth_error_clear(sqauth_error *err)
{
    if (err) {
        err->code = SQAUTH_OK;
        err->sys_errno = 0;
        err->message[0] = '\0';
    }
}

sqauth_str sqauth_str_c(const char *s)
{
    sqauth_str r;
    r.data = s;
    r.len = s ? strlen(s) : 0;
    return r;
}

int sqauth_buf_reserve(sqauth_buf *b, size_t extra)
{
    size_t need, cap;
    unsigned char *p;

    if (extra > (size_t)-1 / 2 - b->len - 1) {
        return SQAUTH_ERR_NOMEM;
    }
    need = b->len + extra + 1;
    if (need <= b->cap) {
        return SQAUTH_OK;
    }
    cap = b->cap ? b->cap : 64;
    while (cap < need) {
        cap *= 2;
    }
    /* No realloc: the old block may hold a secret and must be cleansed. */
    p = malloc(cap);
    if (!p) {
        return SQAUTH_ERR_NOMEM;
    }
    if (b->data) {
        memcpy(p, b->data, b->len);
        OPENSSL_cleanse(b->data, b->cap);
        free(b->data);
    }
    b->data = p;
    b->cap = cap;
    b->data[b->len] = '\0';
    return SQAUTH_OK;
}

int sqauth_buf_append(sqauth_buf *b, const void *p, size_t n)
{
    if (sqauth_buf_reserve(b, n) != SQAUTH_OK) {
        return SQAUTH_ERR_NOMEM;
    }
    if (n) {
        memcpy(b->data + b->len, p, n);
    }
    b->len += n;
    b->data[b->len] = '\0';
    return SQAUTH_OK;
}

int sqauth_buf_append_str(sqauth_buf *b, const char *s)
{
    return sqauth_buf_append(b, s, strlen(s));
}

int sqauth_buf_append_byte(sqauth_buf *b, unsigned char c)
{
    return sqauth_buf_append(b, &c, 1);
}

int sqauth_buf_printf(sqauth_buf *b, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || sqauth_buf_reserve(b, (size_t)n) != SQAUTH_OK) {
        return SQAUTH_ERR_NOMEM;
    }
    va_start(ap, fmt);
    vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return SQAUTH_OK;
}

int sqauth_buf_append_hex(sqauth_buf *b, const unsigned char *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;

    if (sqauth_buf_reserve(b, 2 * n) != SQAUTH_OK) {
        return SQAUTH_ERR_NOMEM;
    }
    for (i = 0; i < n; i++) {
        b->data[b->len++] = (unsigned char)digits[p[i] >> 4];
        b->data[b->len++] = (unsigned char)digits[p[i] & 15];
    }
    b->data[b->len] = '\0';
    return SQAUTH_OK;
}

void sqauth_buf_free(sqauth_buf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void sqauth_buf_wipe(sqauth_buf *b)
{
    if (b->data) {
        OPENSSL_cleanse(b->data, b->cap);
    }
    sqauth_buf_free(b);
}

void sqauth_buf_reset(sqauth_buf *b)
{
    if (b->data) {
        OPENSSL_cleanse(b->data, b->cap);
        b->data[0] = '\0';
    }
    b->len = 0;
}

char *sqauth_memdup(const void *p, size_t n)
{
    char *r = malloc(n + 1);
    if (r) {
        if (n) {
            memcpy(r, p, n);
        }
        r[n] = '\0';
    }
    return r;
}

void sqauth_free_secret(void *p, size_t n)
{
    if (p) {
        OPENSSL_cleanse(p, n);
        free(p);
    }
}

void sqauth_cleanse(void *p, size_t n)
{
    if (p && n) {
        OPENSSL_cleanse(p, n);
    }
}

int sqauth_equal_ct(const void *a, size_t alen, const void *b, size_t blen)
{
    if (alen != blen) {
        return 0;
    }
    return alen == 0 || CRYPTO_memcmp(a, b, alen) == 0;
}

static int ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

int sqauth_strncaseeq(const char *a, const char *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (ascii_lower((unsigned char)a[i]) != ascii_lower((unsigned char)b[i])) {
            return 0;
        }
        if (a[i] == '\0') {
            return 1;
        }
    }
    return 1;
}

int sqauth_strcaseeq(const char *a, const char *b)
{
    return sqauth_strncaseeq(a, b, (size_t)-1);
}

/* Base64 (RFC 4648 §4) by table, in one pass each way. OpenSSL's
 * EVP_EncodeBlock/EVP_DecodeBlock used to do this; decoding then took a
 * validation pass, EVP_DecodeBlock (which skips white space, so it could
 * not be trusted alone) and a re-encode of the last quantum, about a
 * tenth of a DIGEST-MD5 response (callgrind). */
static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The decoding tables, written out by the preprocessor from the alphabet:
 * B64_VALUE(c) is the 6-bit value of c, or -1 outside the alphabet ('='
 * included: padding is handled apart, at the end only). Table k holds the
 * value already shifted to its place in a 24-bit group (the k-th of four
 * characters), and B64_BAD for foreign bytes: bit 31, above any group, so
 * that one OR of four lookups both assembles a group and flags a bad byte. */
#define B64_VALUE(c) ((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' : (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26 \
                      : (c) >= '0' && (c) <= '9' ? (c) - '0' + 52 : (c) == '+' ? 62 : (c) == '/' ? 63 : -1)
#define B64_BAD 0x80000000u
#define B64_AT(c, shift) (B64_VALUE(c) < 0 ? B64_BAD : (unsigned)B64_VALUE(c) << (shift))
#define B64_R4(m, n) m(n), m((n) + 1), m((n) + 2), m((n) + 3)
#define B64_R16(m, n) B64_R4(m, n), B64_R4(m, (n) + 4), B64_R4(m, (n) + 8), B64_R4(m, (n) + 12)
#define B64_R64(m, n) B64_R16(m, n), B64_R16(m, (n) + 16), B64_R16(m, (n) + 32), B64_R16(m, (n) + 48)
#define B64_R256(m) B64_R64(m, 0), B64_R64(m, 64), B64_R64(m, 128), B64_R64(m, 192)
#define B64_AT18(c) B64_AT(c, 18)
#define B64_AT12(c) B64_AT(c, 12)
#define B64_AT6(c) B64_AT(c, 6)
#define B64_AT0(c) B64_AT(c, 0)
static const unsigned b64_at18[256] = {B64_R256(B64_AT18)};
static const unsigned b64_at12[256] = {B64_R256(B64_AT12)};
static const unsigned b64_at6[256] = {B64_R256(B64_AT6)};
static const unsigned b64_at0[256] = {B64_R256(B64_AT0)};

size_t sqauth_b64_encode_to(char *out, const unsigned char *in, size_t len)
{
    char *o = out;
    size_t i;

    for (i = 0; i + 3 <= len; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        o[0] = b64_alphabet[v >> 18];
        o[1] = b64_alphabet[(v >> 12) & 63];
        o[2] = b64_alphabet[(v >> 6) & 63];
        o[3] = b64_alphabet[v & 63];
        o += 4;
    }
    if (len - i == 1) {
        o[0] = b64_alphabet[in[i] >> 2];
        o[1] = b64_alphabet[(in[i] & 3) << 4];
        o[2] = '=';
        o[3] = '=';
        o += 4;
    } else if (len - i == 2) {
        unsigned v = (unsigned)in[i] << 8 | in[i + 1];
        o[0] = b64_alphabet[v >> 10];
        o[1] = b64_alphabet[(v >> 4) & 63];
        o[2] = b64_alphabet[(v & 15) << 2];
        o[3] = '=';
        o += 4;
    }
    return (size_t)(o - out);
}

int sqauth_b64_encode(sqauth_buf *out, const unsigned char *in, size_t len)
{
    if (len > ((size_t)1 << 30)) {
        return SQAUTH_ERR_NOMEM;
    }
    if (sqauth_buf_reserve(out, 4 * ((len + 2) / 3)) != SQAUTH_OK) {
        return SQAUTH_ERR_NOMEM;
    }
    out->len += sqauth_b64_encode_to((char *)out->data + out->len, in, len);
    out->data[out->len] = '\0';
    return SQAUTH_OK;
}

/* Names the first thing wrong in input the fast path refused, scanning
 * from the start the way the message has always been chosen: '=' before the
 * last two places, or any byte outside the alphabet ('=' included once a
 * '=' was seen, and a lone '=' before a data character). */
static int b64_refuse(const char *in, size_t len, sqauth_error *err)
{
    size_t i, pad = 0;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '=') {
            if (i < len - 2) {
                return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "invalid base64: padding inside the data");
            }
            pad++;
        } else if (pad || b64_at0[c] == B64_BAD) {
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "invalid base64: unexpected character at offset %zu", i);
        }
    }
    return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "invalid base64: non-canonical padding bits");
}

int sqauth_b64_decode_to(unsigned char *out, size_t cap, size_t *out_len, const char *in, size_t len,
                         sqauth_error *err)
{
    const unsigned char *p = (const unsigned char *)in;
    unsigned char *o = out;
    unsigned a;
    size_t i, body;

    *out_len = 0;
    if (len % 4 != 0) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "invalid base64: length %zu is not a multiple of 4", len);
    }
    if (len > ((size_t)1 << 30)) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "invalid base64: input too long");
    }
    if (len == 0) {
        return SQAUTH_OK;
    }
    /* The decoded length, from the padding; the last quantum may have one
     * or two '=' (checked below), every other byte is in the alphabet. */
    if (len / 4 * 3 - (p[len - 1] == '=') - (p[len - 1] == '=' && p[len - 2] == '=') > cap) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "invalid base64: decodes to more than %zu bytes", cap);
    }
    /* Every quantum without padding in the loop; then "xxx=" or "xx==".
     * Canonical means the bits the padding leaves over are zero (RFC 4648
     * §3.5): anything else has a second spelling, which a strict decoder
     * refuses. */
    body = p[len - 1] == '=' ? len - 4 : len;
    for (i = 0; i < body; i += 4) {
        a = b64_at18[p[i]] | b64_at12[p[i + 1]] | b64_at6[p[i + 2]] | b64_at0[p[i + 3]];
        if (a & B64_BAD) {
            return b64_refuse(in, len, err);
        }
        o[0] = (unsigned char)(a >> 16);
        o[1] = (unsigned char)(a >> 8);
        o[2] = (unsigned char)a;
        o += 3;
    }
    if (body < len && p[i + 2] == '=') {
        a = b64_at18[p[i]] | b64_at12[p[i + 1]];
        if (a & (B64_BAD | 0xffff)) {
            return b64_refuse(in, len, err);
        }
        *o++ = (unsigned char)(a >> 16);
    } else if (body < len) {
        a = b64_at18[p[i]] | b64_at12[p[i + 1]] | b64_at6[p[i + 2]];
        if (a & (B64_BAD | 0xff)) {
            return b64_refuse(in, len, err);
        }
        o[0] = (unsigned char)(a >> 16);
        o[1] = (unsigned char)(a >> 8);
        o += 2;
    }
    *out_len = (size_t)(o - out);
    return SQAUTH_OK;
}

int sqauth_b64_decode(sqauth_buf *out, const char *in, size_t len, sqauth_error *err)
{
    size_t n;
    int rc;

    if (len % 4 == 0 && len <= ((size_t)1 << 30) && sqauth_buf_reserve(out, len / 4 * 3) != SQAUTH_OK) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    rc = sqauth_b64_decode_to(out->data ? out->data + out->len : NULL, len / 4 * 3, &n, in, len, err);
    if (rc == SQAUTH_OK) {
        out->len += n;
    }
    if (out->data) {
        out->data[out->len] = '\0';
    }
    return rc;
}

int sqauth_random(unsigned char *out, size_t n, sqauth_error *err)
{
    if (n > 0x7fffffff || RAND_bytes(out, (int)n) != 1) {
        return sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL RAND_bytes failed");
    }
    return SQAUTH_OK;
}

/* ---- nonce pool ---- */

/* One pool per thread (ZTS builds run requests in threads), so no lock. */
#define NONCE_POOL_SIZE 4096
/* Larger requests bypass the pool. */
#define NONCE_POOL_MAX_DRAW 128

typedef struct nonce_pool {
    unsigned char bytes[NONCE_POOL_SIZE];
    size_t avail;          /* unused bytes at the end of bytes[] */
    unsigned generation;   /* fork_generation when filled */
} nonce_pool;

static __thread nonce_pool pool;
/* Bumped in every child after fork(); a pool filled under an older
 * generation was inherited from the parent and is discarded. */
static unsigned fork_generation;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static int atfork_registered;

static void nonce_pool_empty(void)
{
    OPENSSL_cleanse(pool.bytes, sizeof(pool.bytes));
    pool.avail = 0;
}

/* Runs in the child, in the thread that called fork() (the only one the
 * child has). Other threads' pools do not exist in the child; the
 * generation check covers any pool this thread refills later anyway. */
static void nonce_pool_atfork_child(void)
{
    __atomic_add_fetch(&fork_generation, 1, __ATOMIC_SEQ_CST);
    nonce_pool_empty();
}

static void nonce_pool_register(void)
{
    /* glibc unregisters the handler when the module is dlclose()d. */
    atfork_registered = pthread_atfork(NULL, NULL, nonce_pool_atfork_child) == 0;
}

int sqauth_random_nonce(unsigned char *out, size_t n, sqauth_error *err)
{
    unsigned generation;

    if (n == 0) {
        return SQAUTH_OK;
    }
    if (n > NONCE_POOL_MAX_DRAW || pthread_once(&atfork_once, nonce_pool_register) != 0 || !atfork_registered) {
        /* Without the fork handler a pool could be shared with a child. */
        return sqauth_random(out, n, err);
    }
    generation = __atomic_load_n(&fork_generation, __ATOMIC_SEQ_CST);
    if (pool.generation != generation) {
        nonce_pool_empty();
        pool.generation = generation;
    }
    if (pool.avail < n) {
        nonce_pool_empty();
        if (RAND_bytes(pool.bytes, (int)sizeof(pool.bytes)) != 1) {
            nonce_pool_empty();
            return sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL RAND_bytes failed");
        }
        pool.avail = sizeof(pool.bytes);
    }
    memcpy(out, pool.bytes + sizeof(pool.bytes) - pool.avail, n);
    /* Handed-out bytes leave the pool for good. */
    OPENSSL_cleanse(pool.bytes + sizeof(pool.bytes) - pool.avail, n);
    pool.avail -= n;
    return SQAUTH_OK;
}

/* ---- algorithms fetched once ---- */

static EVP_MD *md5_md;
static EVP_MAC_CTX *hmac_md5_template;   /* HMAC with digest MD5, no key */

/* Publishes a freshly fetched object unless another thread was first. */
static void *publish(void **slot, void *fresh, void (*release)(void *))
{
    void *expected = NULL;

    if (!__atomic_compare_exchange_n(slot, &expected, fresh, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        release(fresh);
        return expected;
    }
    return fresh;
}

static void release_md(void *p)
{
    EVP_MD_free(p);
}

static void release_mac_ctx(void *p)
{
    EVP_MAC_CTX_free(p);
}

const EVP_MD *sqauth_md5(void)
{
    EVP_MD *md = __atomic_load_n(&md5_md, __ATOMIC_ACQUIRE);

    if (!md) {
        md = EVP_MD_fetch(NULL, "MD5", NULL);
        if (!md) {
            return NULL;
        }
        md = publish((void **)&md5_md, md, release_md);
    }
    return md;
}

static EVP_MAC_CTX *hmac_md5_ctx_template(void)
{
    EVP_MAC_CTX *t = __atomic_load_n(&hmac_md5_template, __ATOMIC_ACQUIRE);

    if (!t) {
        EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
        OSSL_PARAM params[2];

        if (!mac) {
            return NULL;
        }
        t = EVP_MAC_CTX_new(mac);
        EVP_MAC_free(mac);  /* the context keeps its own reference */
        if (!t) {
            return NULL;
        }
        params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"MD5", 0);
        params[1] = OSSL_PARAM_construct_end();
        if (EVP_MAC_CTX_set_params(t, params) != 1) {
            EVP_MAC_CTX_free(t);
            return NULL;
        }
        t = publish((void **)&hmac_md5_template, t, release_mac_ctx);
    }
    return t;
}

int sqauth_hmac_md5(const void *key, size_t key_len, const void *data, size_t data_len,
                    unsigned char out[16], sqauth_error *err)
{
    EVP_MAC_CTX *t = hmac_md5_ctx_template(), *ctx;
    size_t n = 0;
    int ok;

    if (!t) {
        return sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL refused HMAC-MD5 (FIPS mode?)");
    }
    /* A copy of the keyless template: setting the digest by name on a new
     * context would fetch it again; the copy is cleansed when freed. */
    ctx = EVP_MAC_CTX_dup(t);
    if (!ctx) {
        return sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL HMAC-MD5 failed");
    }
    ok = EVP_MAC_init(ctx, key ? key : (const void *)"", key_len, NULL) == 1
        && EVP_MAC_update(ctx, data ? data : (const void *)"", data_len) == 1
        && EVP_MAC_final(ctx, out, &n, 16) == 1 && n == 16;
    EVP_MAC_CTX_free(ctx);
    if (!ok) {
        OPENSSL_cleanse(out, 16);
        return sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL HMAC-MD5 failed");
    }
    return SQAUTH_OK;
}

EVP_MAC_CTX *sqauth_hmac_md5_new(const void *key, size_t key_len)
{
    EVP_MAC_CTX *t = hmac_md5_ctx_template(), *ctx;

    if (!t) {
        return NULL;
    }
    ctx = EVP_MAC_CTX_dup(t);
    if (ctx && EVP_MAC_init(ctx, key, key_len, NULL) != 1) {
        EVP_MAC_CTX_free(ctx);
        ctx = NULL;
    }
    return ctx;
}

/* ---- private library context for legacy ciphers ---- */

/* Created once under a mutex (layer set-up is rare; no fast path needed). */
static pthread_mutex_t cipher_libctx_lock = PTHREAD_MUTEX_INITIALIZER;
static OSSL_LIB_CTX *cipher_libctx;
static OSSL_PROVIDER *cipher_prov_default, *cipher_prov_legacy;

OSSL_LIB_CTX *sqauth_cipher_libctx(int *have_legacy)
{
    OSSL_LIB_CTX *ctx;

    pthread_mutex_lock(&cipher_libctx_lock);
    if (!cipher_libctx) {
        cipher_libctx = OSSL_LIB_CTX_new();
        if (cipher_libctx) {
            cipher_prov_default = OSSL_PROVIDER_load(cipher_libctx, "default");
            /* May fail (no ossl-modules/legacy.so); the default provider
             * still gives 3DES. Its errors are not the caller's business. */
            cipher_prov_legacy = OSSL_PROVIDER_load(cipher_libctx, "legacy");
            if (!cipher_prov_legacy) {
                ERR_clear_error();
            }
            if (!cipher_prov_default) {
                if (cipher_prov_legacy) {
                    OSSL_PROVIDER_unload(cipher_prov_legacy);
                    cipher_prov_legacy = NULL;
                }
                OSSL_LIB_CTX_free(cipher_libctx);
                cipher_libctx = NULL;
            }
        }
    }
    ctx = cipher_libctx;
    if (have_legacy) {
        *have_legacy = cipher_prov_legacy != NULL;
    }
    pthread_mutex_unlock(&cipher_libctx_lock);
    return ctx;
}

static void cipher_libctx_free(void)
{
    pthread_mutex_lock(&cipher_libctx_lock);
    if (cipher_prov_legacy) {
        OSSL_PROVIDER_unload(cipher_prov_legacy);
    }
    if (cipher_prov_default) {
        OSSL_PROVIDER_unload(cipher_prov_default);
    }
    if (cipher_libctx) {
        OSSL_LIB_CTX_free(cipher_libctx);
    }
    cipher_prov_legacy = cipher_prov_default = NULL;
    cipher_libctx = NULL;
    pthread_mutex_unlock(&cipher_libctx_lock);
}

void sqauth_crypto_cleanup(void)
{
    EVP_MD *md = __atomic_exchange_n(&md5_md, NULL, __ATOMIC_ACQ_REL);
    EVP_MAC_CTX *t = __atomic_exchange_n(&hmac_md5_template, NULL, __ATOMIC_ACQ_REL);

    EVP_MD_free(md);
    EVP_MAC_CTX_free(t);
    cipher_libctx_free();
    nonce_pool_empty();
}
