/*
 * HMAC-MD5, RFC 2104 §2:
 *   HMAC(K, m) = H((K' XOR opad) || H((K' XOR ipad) || m))
 * with K' = K padded with zeros to the block size B = 64, or H(K) first when
 * K is longer than B; ipad = 0x36 and opad = 0x5c repeated B times.
 *
 * The two padded key blocks do not depend on each other: sasl/md5.c
 * computes them as one pair, then the inner hash's message, then the outer
 * hash's last block (3 block times instead of 4). Checked against RFC
 * 2104's and RFC 2202's vectors and OpenSSL's HMAC (tests/core).
 */
#include "hmac_md5.h"
#include "md5.h"

#include <string.h>

int sqauth_hmac_md5_direct(const void *key, size_t key_len, const void *data, size_t data_len,
                           unsigned char out[16], sqauth_error *err)
{
    /* Everything derived from the key, cleansed in one go. */
    struct {
        unsigned char key[SQAUTH_MD5_BLOCK], ipad[SQAUTH_MD5_BLOCK], opad[SQAUTH_MD5_BLOCK];
        unsigned char inner[SQAUTH_MD5_LEN];
        sqauth_md5_state in, outer;
    } s;
    size_t i;
    int rc = sqauth_md5_permitted(err);

    if (rc != SQAUTH_OK) {
        memset(out, 0, SQAUTH_MD5_LEN);
        return rc;
    }
    memset(s.key, 0, sizeof(s.key));
    if (key_len > SQAUTH_MD5_BLOCK) {
        sqauth_md5_buf(key, key_len, s.key);
    } else if (key_len) {
        memcpy(s.key, key, key_len);
    }
    for (i = 0; i < SQAUTH_MD5_BLOCK; i++) {
        s.ipad[i] = s.key[i] ^ 0x36;
        s.opad[i] = s.key[i] ^ 0x5c;
    }
    sqauth_md5_start(&s.in);
    sqauth_md5_start(&s.outer);
    sqauth_md5_block2(&s.in, s.ipad, &s.outer, s.opad);
    sqauth_md5_finish(&s.in, data, data_len, s.inner);
    sqauth_md5_finish(&s.outer, s.inner, sizeof(s.inner), out);
    sqauth_cleanse(&s, sizeof(s));
    return SQAUTH_OK;
}
