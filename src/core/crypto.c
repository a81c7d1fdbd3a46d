/*
 * sqauth core: OpenSSL algorithms fetched once per process (MD5, an
 * HMAC-MD5 template), the private library context with the legacy
 * provider (DES, RC4 for DIGEST-MD5 auth-conf), and HMAC-SHA-256 under a
 * random key of the process (the pool's and the SCRAM cache's keys).
 */
#include "common.h"

#include <string.h>

#include <pthread.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/rand.h>

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
    sqauth_random_cleanup();
}

/* ---- keys of this process ---- */

EVP_MAC_CTX *sqauth_hmac_sha256_random_key(void)
{
    unsigned char key[32];
    EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
    EVP_MAC_CTX *ctx = mac ? EVP_MAC_CTX_new(mac) : NULL;
    OSSL_PARAM params[2];
    int ok;

    EVP_MAC_free(mac); /* the context keeps its own reference */
    if (!ctx) {
        return NULL;
    }
    params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
    params[1] = OSSL_PARAM_construct_end();
    ok = RAND_bytes(key, sizeof(key)) == 1 && EVP_MAC_init(ctx, key, sizeof(key), params) == 1;
    OPENSSL_cleanse(key, sizeof(key));
    if (!ok) {
        EVP_MAC_CTX_free(ctx);
        return NULL;
    }
    return ctx;
}
