/*
 * MD5 (RFC 1321) through OpenSSL, with or without EVP (see md5.h).
 *
 * The low-level MD5_Init/MD5_Update/MD5_Final are deprecated in OpenSSL 3.0
 * but still built into libcrypto 3 (Debian's included) and run the same
 * assembly block function as the default provider's MD5; per hash of one
 * block, EVP costs about 1,480 instructions and the low-level calls 830
 * (callgrind, OpenSSL 3.0.19). This file is the only place that uses the
 * deprecated API, and only when the headers still declare it: a build with
 * OPENSSL_NO_DEPRECATED_3_0 (OpenSSL configured with no-deprecated, or
 * OPENSSL_API_COMPAT >= 30000 with OPENSSL_NO_DEPRECATED) or with
 * -DSQAUTH_MD5_EVP=1 takes the EVP path, with one EVP_MD_CTX per
 * computation reused for its hashes.
 *
 * FIPS: the low-level functions do not go through a provider, so on their
 * own they would hash even where the process allows only a FIPS provider,
 * which has no MD5. Both paths therefore start by fetching MD5 through EVP
 * from the default library context (sqauth_md5(), fetched once and kept):
 * under a FIPS-only configuration that fetch fails and CRAM-MD5 and
 * DIGEST-MD5 refuse to run, on either path, exactly as before.
 */
#if !defined(SQAUTH_MD5_EVP)
/* Before any OpenSSL header: the declarations below stay visible without
 * deprecation warnings, in this file only. */
#define OPENSSL_SUPPRESS_DEPRECATED 1
#endif

#include "md5.h"

#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/md5.h>

#if !defined(SQAUTH_MD5_EVP) && !defined(OPENSSL_NO_DEPRECATED_3_0) && !defined(OPENSSL_NO_MD5)
#define HAVE_LOW_LEVEL 1
/* The union in md5.h must hold an MD5_CTX (C99: no _Static_assert). */
typedef char md5_ctx_fits[sizeof(MD5_CTX) <= sizeof(((sqauth_md5_ctx *)0)->state) ? 1 : -1];
#else
#define HAVE_LOW_LEVEL 0
#endif

#if HAVE_LOW_LEVEL && defined(SQAUTH_TESTING)
static int force_evp;

int sqauth_md5_test_force_evp(int on)
{
    force_evp = on != 0;
    return 1;
}
#define USE_LOW_LEVEL (!force_evp)
#elif HAVE_LOW_LEVEL
#define USE_LOW_LEVEL 1
#else
#ifdef SQAUTH_TESTING
int sqauth_md5_test_force_evp(int on)
{
    (void)on;
    return 0;
}
#endif
#define USE_LOW_LEVEL 0
#endif

static int refused(sqauth_error *err)
{
    return sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL refused MD5 (FIPS mode?); CRAM-MD5 and DIGEST-MD5 cannot be used");
}

const char *sqauth_md5_impl(void)
{
    return USE_LOW_LEVEL ? "low-level" : "EVP";
}

int sqauth_md5_init(sqauth_md5_ctx *c, sqauth_error *err)
{
    /* The policy check of both paths (see the top of this file). */
    const EVP_MD *md = sqauth_md5();

    if (!md) {
        return refused(err);
    }
#if HAVE_LOW_LEVEL
    if (USE_LOW_LEVEL) {
        MD5_Init((MD5_CTX *)(void *)&c->state);
        return SQAUTH_OK;
    }
#endif
    if (!c->evp) {
        c->evp = EVP_MD_CTX_new();
        if (!c->evp) {
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
    }
    return EVP_DigestInit_ex2(c->evp, md, NULL) == 1 ? SQAUTH_OK : refused(err);
}

int sqauth_md5_update(sqauth_md5_ctx *c, const void *p, size_t n, sqauth_error *err)
{
#if HAVE_LOW_LEVEL
    if (USE_LOW_LEVEL) {
        MD5_Update((MD5_CTX *)(void *)&c->state, p, n);
        return SQAUTH_OK;
    }
#endif
    return n == 0 || EVP_DigestUpdate(c->evp, p, n) == 1 ? SQAUTH_OK
        : sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL MD5 failed");
}

int sqauth_md5_final(sqauth_md5_ctx *c, unsigned char out[SQAUTH_MD5_LEN], sqauth_error *err)
{
    unsigned n = 0;

#if HAVE_LOW_LEVEL
    if (USE_LOW_LEVEL) {
        /* The state stays on the caller's stack until sqauth_md5_release()
         * cleanses it, once for all the hashes of a computation. */
        MD5_Final(out, (MD5_CTX *)(void *)&c->state);
        return SQAUTH_OK;
    }
#endif
    /* The provider's state is cleansed when the context is reset or freed. */
    if (EVP_DigestFinal_ex(c->evp, out, &n) != 1 || n != SQAUTH_MD5_LEN) {
        OPENSSL_cleanse(out, SQAUTH_MD5_LEN);
        return sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL MD5 failed");
    }
    return SQAUTH_OK;
}

/* "00" ... "ff", written out by the preprocessor. */
#define HEX_DIGIT(d) ((char)((d) < 10 ? '0' + (d) : 'a' + (d) - 10))
#define HEX_PAIR(n) {HEX_DIGIT((n) >> 4), HEX_DIGIT((n) & 15)}
#define HEX_R4(n) HEX_PAIR(n), HEX_PAIR((n) + 1), HEX_PAIR((n) + 2), HEX_PAIR((n) + 3)
#define HEX_R16(n) HEX_R4(n), HEX_R4((n) + 4), HEX_R4((n) + 8), HEX_R4((n) + 12)
#define HEX_R64(n) HEX_R16(n), HEX_R16((n) + 16), HEX_R16((n) + 32), HEX_R16((n) + 48)
static const char hex_pairs[256][2] = {HEX_R64(0), HEX_R64(64), HEX_R64(128), HEX_R64(192)};

void sqauth_md5_hex(char out[2 * SQAUTH_MD5_LEN], const unsigned char h[SQAUTH_MD5_LEN])
{
    size_t i;

    for (i = 0; i < SQAUTH_MD5_LEN; i++) {
        memcpy(out + 2 * i, hex_pairs[h[i]], 2);
    }
}

void sqauth_md5_release(sqauth_md5_ctx *c)
{
    OPENSSL_cleanse(&c->state, sizeof(c->state));
    if (c->evp) {
        EVP_MD_CTX_free(c->evp);  /* cleanses the digest state */
        c->evp = NULL;
    }
}

int sqauth_md5_buf(const void *p, size_t n, unsigned char out[SQAUTH_MD5_LEN], sqauth_error *err)
{
    sqauth_md5_ctx c = SQAUTH_MD5_CTX_INIT;
    int rc = sqauth_md5_init(&c, err);

    if (rc == SQAUTH_OK) {
        rc = sqauth_md5_update(&c, p, n, err);
    }
    if (rc == SQAUTH_OK) {
        rc = sqauth_md5_final(&c, out, err);
    } else {
        memset(out, 0, SQAUTH_MD5_LEN);
    }
    sqauth_md5_release(&c);
    return rc;
}
