/*
 * sqauth core: growable byte buffers, owned copies, wiping secrets,
 * constant-time and case-insensitive comparison.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

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
        sqauth_cleanse(b->data, b->cap);
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
        sqauth_cleanse(b->data, b->cap);
    }
    sqauth_buf_free(b);
}

void sqauth_buf_reset(sqauth_buf *b)
{
    if (b->data) {
        sqauth_cleanse(b->data, b->cap);
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
        sqauth_cleanse(p, n);
        free(p);
    }
}

void sqauth_cleanse(void *p, size_t n)
{
    if (p && n) {
#if defined(__GNUC__)
        /* The compiler must assume that the empty asm statement reads the
         * zeroed bytes at p, so the memset cannot be dropped as a dead
         * store (BoringSSL's OPENSSL_cleanse is the same two lines), and
         * the C library's memset clears with vector stores; OpenSSL 3.0's
         * x86-64 OPENSSL_cleanse stores 8 bytes per loop round, and its
         * calls were 6% of a DIGEST-MD5 response's instructions. */
        memset(p, 0, n);
        __asm__ __volatile__("" : : "r"(p) : "memory");
#else
        OPENSSL_cleanse(p, n);
#endif
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
