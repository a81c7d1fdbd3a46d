/*
 * SCRAM maths (RFC 5802 §2.2, §3; RFC 7677) shared by scram.c and the C
 * tests. The mechanism objects themselves are declared in sasl.h.
 */
#ifndef SQAUTH_SCRAM_H
#define SQAUTH_SCRAM_H

#include "../common.h"

#include <openssl/evp.h>

/* Hi(str, salt, i) = PBKDF2 (RFC 8018 §5.2) with HMAC-md, dkLen = hLen.
 * Writes EVP_MD_get_size(md) bytes to out, computed by OpenSSL's
 * PKCS5_PBKDF2_HMAC (scram.c says why not a loop of our own). A repeated
 * login skips it through the key cache (scram_cache.h). Returns SQAUTH_OK,
 * SQAUTH_ERR_INVALID_ARG (iterations == 0) or SQAUTH_ERR_CRYPTO. */
int sqauth_scram_hi(const EVP_MD *md, const unsigned char *password, size_t password_len,
                    const unsigned char *salt, size_t salt_len, unsigned long iterations,
                    unsigned char *out, sqauth_error *err);

#endif
