/*
 * HMAC-MD5 (RFC 2104) for CRAM-MD5, on a digest context the caller may
 * reuse. OpenSSL 3.0's own HMAC (HMAC(), EVP_MAC) sets up a provider MAC
 * context per call; for the one short message CRAM-MD5 signs that costs
 * about as much again as the four MD5 blocks themselves (bench/sasl.php).
 */
#ifndef SQAUTH_HMAC_MD5_H
#define SQAUTH_HMAC_MD5_H

#include "../common.h"

#include <openssl/evp.h>

/* HMAC-MD5(key, data) into out[16] with MD5 fetched once per process
 * (sqauth_md5()) on ctx, which is reset for each of the two hashes. The
 * padded key blocks are cleansed; ctx keeps MD5 state of secret input until
 * the caller frees it (EVP_MD_CTX_free cleanses it). Returns SQAUTH_OK or
 * SQAUTH_ERR_CRYPTO (MD5 unavailable, e.g. FIPS mode). */
int sqauth_hmac_md5_on(EVP_MD_CTX *ctx, const void *key, size_t key_len, const void *data, size_t data_len,
                       unsigned char out[16], sqauth_error *err);

#endif
