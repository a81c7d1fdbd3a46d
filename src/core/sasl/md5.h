/*
 * MD5 (RFC 1321) for CRAM-MD5 and DIGEST-MD5, on OpenSSL's low-level MD5
 * functions where the build has them and on EVP otherwise (md5.c says why,
 * and how each path behaves under a FIPS-only provider).
 *
 * These hashes are short (one to three 64-byte blocks): through EVP each
 * one cost about as much again in set-up (EVP_DigestInit_ex2, provider
 * dispatch) as its compression; the low-level calls run the same assembly
 * block function without that layer.
 */
#ifndef SQAUTH_MD5_H
#define SQAUTH_MD5_H

#include "../common.h"

#define SQAUTH_MD5_LEN 16
#define SQAUTH_MD5_BLOCK 64

/* MD5 computations on the caller's stack, one after the other. The state
 * of a hash over a secret is secret too: sqauth_md5_release(), which every
 * user calls when done, cleanses it. */
typedef struct sqauth_md5_ctx {
    /* OpenSSL's MD5_CTX (92 bytes) on the low-level path. */
    union {
        unsigned int words[24];
        void *align;
    } state;
    /* The EVP path's EVP_MD_CTX, made by the first init and reused by the
     * next ones; NULL on the low-level path. */
    void *evp;
} sqauth_md5_ctx;

#define SQAUTH_MD5_CTX_INIT {{{0}}, NULL}

/* Starts a hash on c (SQAUTH_MD5_CTX_INIT, or used before). Returns
 * SQAUTH_OK, SQAUTH_ERR_CRYPTO (with err) when OpenSSL refuses MD5, e.g.
 * under a FIPS-only provider, or SQAUTH_ERR_NOMEM. */
int sqauth_md5_init(sqauth_md5_ctx *c, sqauth_error *err);
/* Feeds n bytes. Returns SQAUTH_OK or SQAUTH_ERR_CRYPTO (EVP path only). */
int sqauth_md5_update(sqauth_md5_ctx *c, const void *p, size_t n, sqauth_error *err);
/* Writes the digest. Returns SQAUTH_OK or SQAUTH_ERR_CRYPTO (EVP path
 * only; out is then zeroed). */
int sqauth_md5_final(sqauth_md5_ctx *c, unsigned char out[SQAUTH_MD5_LEN], sqauth_error *err);
/* Cleanses c and frees what the EVP path holds; call once when done with
 * c, also after an error. */
void sqauth_md5_release(sqauth_md5_ctx *c);

/* MD5 of one buffer into out (zeroed on failure). */
int sqauth_md5_buf(const void *p, size_t n, unsigned char out[SQAUTH_MD5_LEN], sqauth_error *err);

/* The 32 lowercase hex digits of a digest (CRAM-MD5 and DIGEST-MD5 both
 * send them), two per table lookup. */
void sqauth_md5_hex(char out[2 * SQAUTH_MD5_LEN], const unsigned char h[SQAUTH_MD5_LEN]);

/* "low-level" or "EVP": the path this build takes (tests, benchmarks). */
const char *sqauth_md5_impl(void);

#ifdef SQAUTH_TESTING
/* Sends a low-level build down the EVP path (on != 0) or back, so that the
 * tests run both; returns 0 when the build has only the EVP path. */
int sqauth_md5_test_force_evp(int on);
#endif

#endif
