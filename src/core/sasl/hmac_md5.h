/*
 * HMAC-MD5 (RFC 2104) for CRAM-MD5, written out over md5.h, whose two-lane
 * block function takes the two padded key blocks as one pair. OpenSSL
 * 3.0's own HMAC (HMAC(), EVP_MAC) sets up a provider MAC context per
 * call; for the one short message CRAM-MD5 signs that cost about as much
 * again as the four MD5 blocks themselves (bench/sasl.php). The DIGEST-MD5
 * security layer's HMAC-MD5 per message stays OpenSSL's (crypto.c).
 */
#ifndef SQAUTH_HMAC_MD5_H
#define SQAUTH_HMAC_MD5_H

#include "../common.h"

/* HMAC-MD5(key, data) into out[16]. The padded key blocks, the inner hash
 * and the MD5 states are cleansed before returning. Returns SQAUTH_OK or
 * SQAUTH_ERR_CRYPTO (OpenSSL refuses MD5, e.g. FIPS mode; out zeroed). */
int sqauth_hmac_md5_direct(const void *key, size_t key_len, const void *data, size_t data_len,
                           unsigned char out[16], sqauth_error *err);

#endif
