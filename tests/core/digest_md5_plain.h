/*
 * DIGEST-MD5's hashes (RFC 2831 §2.1.2.1 response-value, §2.1.3 rspauth)
 * the plain way: one hash after the other, each fed its parts through
 * OpenSSL's EVP MD5, written apart from src/core. The reference that the
 * paired computation (sasl/digest_md5_calc.c on sasl/md5.c) is checked
 * against, by tests/core/test_digest_md5.c and tests/fuzz/fuzz_digest_md5.c.
 */
#ifndef SQAUTH_TEST_DIGEST_MD5_PLAIN_H
#define SQAUTH_TEST_DIGEST_MD5_PLAIN_H

#include <string.h>

#include <openssl/evp.h>

#include "sasl/digest_md5_calc.h"

/* The lowercase hex of a 16-byte hash. */
static inline void plain_hex(const unsigned char h[16], char hex[32])
{
    static const char digits[] = "0123456789abcdef";
    int i;

    for (i = 0; i < 16; i++) {
        hex[2 * i] = digits[h[i] >> 4];
        hex[2 * i + 1] = digits[h[i] & 15];
    }
}

/* MD5 of the concatenation of count parts; 0 when OpenSSL fails. */
static inline int plain_md5(const sqauth_str *parts, size_t count, unsigned char out[16])
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    size_t i;
    int ok = c && EVP_DigestInit_ex(c, EVP_md5(), NULL) == 1;

    for (i = 0; ok && i < count; i++) {
        ok = EVP_DigestUpdate(c, parts[i].data, parts[i].len) == 1;
    }
    ok = ok && EVP_DigestFinal_ex(c, out, NULL) == 1;
    EVP_MD_CTX_free(c);
    return ok;
}

/* H(A1) and the response-value (server == 0) or rspauth (server == 1);
 * 0 when OpenSSL fails. */
static inline int plain_digest_md5(const sqauth_digest_md5_params *p, int server, unsigned char ha1[16],
                                   unsigned char out[16])
{
    unsigned char u[16], a2[16];
    char ha1_hex[32], a2_hex[32];
    int layer = strcmp(p->qop, "auth") != 0, authz = p->authzid.data && p->authzid.len;
    sqauth_str one[] = {p->username, {":", 1}, p->realm, {":", 1}, p->password};
    sqauth_str a1[] = {{(const char *)u, 16}, {":", 1}, p->nonce, {":", 1}, p->cnonce, {":", 1}, p->authzid};
    sqauth_str two[] = {{server ? ":" : "AUTHENTICATE:", server ? 1 : 13}, p->digest_uri,
                        {":00000000000000000000000000000000", 33}};
    sqauth_str kd[] = {{ha1_hex, 32}, {":", 1}, p->nonce, {":", 1}, {p->nc, strlen(p->nc)}, {":", 1}, p->cnonce,
                       {":", 1}, {p->qop, strlen(p->qop)}, {":", 1}, {a2_hex, 32}};

    if (!plain_md5(one, 5, u) || !plain_md5(a1, authz ? 7 : 5, ha1) || !plain_md5(two, layer ? 3 : 2, a2)) {
        return 0;
    }
    plain_hex(ha1, ha1_hex);
    plain_hex(a2, a2_hex);
    return plain_md5(kd, 11, out);
}

#endif
