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
        rc = sqauth_md5_init(&c, err);
    }
    if (rc == SQAUTH_OK) {
        rc = sqauth_md5_update(&c, pad, SQAUTH_MD5_BLOCK, err);
    }
    if (rc == SQAUTH_OK) {
        rc = sqauth_md5_update(&c, data, data_len, err);
    }
    if (rc == SQAUTH_OK) {
        rc = sqauth_md5_final(&c, inner, err);
    }
    for (i = 0; i < SQAUTH_MD5_BLOCK; i++) {
        pad[i] ^= 0x36 ^ 0x5c;
    }
    if (rc == SQAUTH_OK) {
        rc = sqauth_md5_init(&c, err);
    }
    if (rc == SQAUTH_OK) {
        rc = sqauth_md5_update(&c, pad, SQAUTH_MD5_BLOCK, err);
    }
    if (rc == SQAUTH_OK) {
        rc = sqauth_md5_update(&c, inner, SQAUTH_MD5_LEN, err);
    }
    if (rc == SQAUTH_OK) {
        rc = sqauth_md5_final(&c, out, err);
    }
    sqauth_md5_release(&c);
    sqauth_cleanse(pad, sizeof(pad));
    sqauth_cleanse(inner, sizeof(inner));
    if (rc != SQAUTH_OK) {
        sqauth_cleanse(out, SQAUTH_MD5_LEN);
    }
    return rc;
}
