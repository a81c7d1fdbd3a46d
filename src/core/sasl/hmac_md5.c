/*
 * HMAC-MD5, RFC 2104 §2:
 *   HMAC(K, m) = H((K' XOR opad) || H((K' XOR ipad) || m))
 * with K' = K padded with zeros to the block size B = 64, or H(K) first when
 * K is longer than B; ipad = 0x36 and opad = 0x5c repeated B times.
 * Checked against RFC 2104's and RFC 2202's vectors (tests/core).
 */
#include "hmac_md5.h"

#include <string.h>

#define MD5_BLOCK 64
#define MD5_LEN 16

static int md5_on(EVP_MD_CTX *ctx, const EVP_MD *md, const void *a, size_t a_len, const void *b, size_t b_len,
                  unsigned char out[MD5_LEN])
{
    unsigned n = 0;

    return EVP_DigestInit_ex2(ctx, md, NULL) == 1 && EVP_DigestUpdate(ctx, a, a_len) == 1
        && (b_len == 0 || EVP_DigestUpdate(ctx, b, b_len) == 1) && EVP_DigestFinal_ex(ctx, out, &n) == 1
        && n == MD5_LEN;
}

int sqauth_hmac_md5_on(EVP_MD_CTX *ctx, const void *key, size_t key_len, const void *data, size_t data_len,
                       unsigned char out[16], sqauth_error *err)
{
    const EVP_MD *md = sqauth_md5();
    unsigned char pad[MD5_BLOCK], inner[MD5_LEN];
    size_t i;
    int ok;

    if (!md) {
        memset(out, 0, MD5_LEN);
        return sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL refused MD5 (FIPS mode?)");
    }
    memset(pad, 0, sizeof(pad));
    if (key_len > MD5_BLOCK) {
        ok = md5_on(ctx, md, key, key_len, NULL, 0, pad);
    } else {
        if (key_len) {
            memcpy(pad, key, key_len);
        }
        ok = 1;
    }
    for (i = 0; i < MD5_BLOCK; i++) {
        pad[i] ^= 0x36;
    }
    ok = ok && md5_on(ctx, md, pad, MD5_BLOCK, data, data_len, inner);
    for (i = 0; i < MD5_BLOCK; i++) {
        pad[i] ^= 0x36 ^ 0x5c;
    }
    ok = ok && md5_on(ctx, md, pad, MD5_BLOCK, inner, MD5_LEN, out);
    sqauth_cleanse(pad, sizeof(pad));
    sqauth_cleanse(inner, sizeof(inner));
    if (!ok) {
        sqauth_cleanse(out, MD5_LEN);
        return sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL MD5 failed");
    }
    return SQAUTH_OK;
}
