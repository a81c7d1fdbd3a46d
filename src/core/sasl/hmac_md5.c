/*
 * HMAC-MD5, RFC 2104 §2:
 *   HMAC(K, m) = H((K' XOR opad) || H((K' XOR ipad) || m))
 * with K' = K padded with zeros to the block size B = 64, or H(K) first when
 * K is longer than B; ipad = 0x36 and opad = 0x5c repeated B times.
 * Checked against RFC 2104's and RFC 2202's vectors and OpenSSL's HMAC
 * (tests/core).
 */
#include "hmac_md5.h"
#include "md5.h"

#include <string.h>

/* H(block || data) on c: the 64-byte padded key block, then the rest. */
static int md5_keyed(sqauth_md5_ctx *c, const unsigned char block[SQAUTH_MD5_BLOCK], const void *data, size_t len,
                     unsigned char out[SQAUTH_MD5_LEN], sqauth_error *err)
{
    int rc = sqauth_md5_init(c, err);

    if (rc == SQAUTH_OK) {
        rc = sqauth_md5_update(c, block, SQAUTH_MD5_BLOCK, err);
    }
    if (rc == SQAUTH_OK) {
        rc = sqauth_md5_update(c, data, len, err);
    }
    if (rc == SQAUTH_OK) {
        rc = sqauth_md5_final(c, out, err);
    }
    return rc;
}

int sqauth_hmac_md5_direct(const void *key, size_t key_len, const void *data, size_t data_len,
                           unsigned char out[16], sqauth_error *err)
{
    sqauth_md5_ctx c = SQAUTH_MD5_CTX_INIT;
    unsigned char pad[SQAUTH_MD5_BLOCK], inner[SQAUTH_MD5_LEN];
    size_t i;
    int rc = SQAUTH_OK;

    memset(pad, 0, sizeof(pad));
    if (key_len > SQAUTH_MD5_BLOCK) {
        rc = sqauth_md5_buf(key, key_len, pad, err);
    } else if (key_len) {
        memcpy(pad, key, key_len);
    }
    for (i = 0; i < SQAUTH_MD5_BLOCK; i++) {
        pad[i] ^= 0x36;
    }
    if (rc == SQAUTH_OK) {
        rc = md5_keyed(&c, pad, data, data_len, inner, err);
    }
    for (i = 0; i < SQAUTH_MD5_BLOCK; i++) {
        pad[i] ^= 0x36 ^ 0x5c;
    }
    if (rc == SQAUTH_OK) {
        rc = md5_keyed(&c, pad, inner, sizeof(inner), out, err);
    }
    sqauth_md5_release(&c);
    sqauth_cleanse(pad, sizeof(pad));
    sqauth_cleanse(inner, sizeof(inner));
    if (rc != SQAUTH_OK) {
        sqauth_cleanse(out, SQAUTH_MD5_LEN);
    }
    return rc;
}
