/*
 * HMAC-MD5 written out over sasl/md5.h (sasl/hmac_md5.c): every test case of
 * RFC 2202 §2 (keys shorter and longer than the 64-byte block, long data),
 * the empty key and message, and agreement with OpenSSL's own HMAC
 * (sqauth_hmac_md5(), EVP_MAC) for every key and data length up to 130; on
 * the low-level MD5 path and again on the EVP path.
 */
#include "check.h"
#include "sasl/hmac_md5.h"
#include "sasl/md5.h"

static void vector(const void *key, size_t key_len, const void *data, size_t data_len,
                   const char *hex_want, int line)
{
    static const char digits[] = "0123456789abcdef";
    unsigned char mac[16];
    char hex[33];
    sqauth_error err;
    int i, rc = sqauth_hmac_md5_direct(key, key_len, data, data_len, mac, &err);

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

static void hmac_md5_vectors(void)
{
    unsigned char k[131], d[131], a[16], b[16];
    size_t kl, dl;
    int same = 1;

    memset(k, 0x0b, 16);
    vector(k, 16, "Hi There", 8, "9294727a3638bb1c13f48ef8158bfc9d", __LINE__);
    vector("Jefe", 4, "what do ya want for nothing?", 28, "750c783e6ab0b503eaa86e310a5db738", __LINE__);
    memset(k, 0xaa, 16);
    memset(d, 0xdd, 50);
    vector(k, 16, d, 50, "56be34521d144c88dbb8c733f0e8b3f6", __LINE__);
    for (kl = 0; kl < 25; kl++) {
        k[kl] = (unsigned char)(kl + 1);
    }
    memset(d, 0xcd, 50);
    vector(k, 25, d, 50, "697eaf0aca3a3aea3a75164746ffaa79", __LINE__);
    memset(k, 0x0c, 16);
    vector(k, 16, "Test With Truncation", 20, "56461ef2342edc00f9bab995690efd4c", __LINE__);
    memset(k, 0xaa, 80);
    vector(k, 80, "Test Using Larger Than Block-Size Key - Hash Key First", 54,
           "6b1ab7fe4bd7bf8f0b62e6ce61b9d0cd", __LINE__);
    vector(k, 80, "Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data", 73,
           "6f630fad67cda0ee1fb1f562db3aa53e", __LINE__);
    vector("", 0, "", 0, "74e6f7298a9c2d168935f58c001bad88", __LINE__);

    /* Around the block size on both sides, against OpenSSL's HMAC. */
    for (kl = 0; kl < sizeof(k); kl++) {
        k[kl] = (unsigned char)(kl * 7 + 3);
        d[kl] = (unsigned char)(kl * 13 + 5);
    }
    for (kl = 0; kl <= 130 && same; kl++) {
        for (dl = 0; dl <= 130 && same; dl += 13) {
            same = sqauth_hmac_md5_direct(k, kl, d, dl, a, NULL) == SQAUTH_OK
                && sqauth_hmac_md5(k, kl, d, dl, b, NULL) == SQAUTH_OK && memcmp(a, b, 16) == 0;
            if (!same) {
                fprintf(stderr, "FAIL %s:%d: HMAC-MD5 differs from OpenSSL's for key %zu, data %zu bytes\n",
                        __FILE__, __LINE__, kl, dl);
            }
        }
    }
    CHECK(same);
}

static void md5_hex(const unsigned char h[16], char hex[33])
{
    static const char digits[] = "0123456789abcdef";
    int i;

    for (i = 0; i < 16; i++) {
        hex[2 * i] = digits[h[i] >> 4];
        hex[2 * i + 1] = digits[h[i] & 15];
    }
    hex[32] = '\0';
}

/* RFC 1321 §A.5, in one buffer and fed in pieces of every size from 1 to 9
 * (MD5_Update's partial-block path), one context reused for all. */
static void md5_vectors(void)
{
    static const char *const vectors[][2] = {
        {"", "d41d8cd98f00b204e9800998ecf8427e"},
        {"a", "0cc175b9c0f1b6a831c399e269772661"},
        {"abc", "900150983cd24fb0d6963f7d28e17f72"},
        {"message digest", "f96b697d7cb7938d525a2f31aaf161d0"},
        {"abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"},
        {"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"},
        {"12345678901234567890123456789012345678901234567890123456789012345678901234567890",
         "57edf4a22be3c955ac49da2e2107b67a"},
    };
    sqauth_md5_ctx c = SQAUTH_MD5_CTX_INIT;
    unsigned char h[16];
    char hex[33];
    size_t i, piece, at, n;
    sqauth_error err;

    for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        CHECK_RC(sqauth_md5_buf(vectors[i][0], strlen(vectors[i][0]), h, &err), SQAUTH_OK);
        md5_hex(h, hex);
        CHECK(strcmp(hex, vectors[i][1]) == 0);
        for (piece = 1; piece <= 9; piece++) {
            int ok = sqauth_md5_init(&c, &err) == SQAUTH_OK;
            for (at = 0; ok && at < strlen(vectors[i][0]); at += n) {
                n = strlen(vectors[i][0]) - at < piece ? strlen(vectors[i][0]) - at : piece;
                ok = sqauth_md5_update(&c, vectors[i][0] + at, n, &err) == SQAUTH_OK;
            }
            ok = ok && sqauth_md5_final(&c, h, &err) == SQAUTH_OK;
            md5_hex(h, hex);
            CHECK(ok && strcmp(hex, vectors[i][1]) == 0);
        }
    }
    sqauth_md5_release(&c);
    CHECK(c.evp == NULL);
}

void test_hmac_md5(void)
{
    unsigned char all[16];
    char hex[33], want[33];
    int b, i, same = 1;

    /* the hex of every byte value */
    for (b = 0; b < 256; b += 16) {
        for (i = 0; i < 16; i++) {
            all[i] = (unsigned char)(b + i);
            snprintf(want + 2 * i, 3, "%02x", (unsigned)(b + i) & 0xffu);
        }
        sqauth_md5_hex(hex, all);
        same &= memcmp(hex, want, 32) == 0;
    }
    CHECK(same);

    md5_vectors();
    hmac_md5_vectors();
    if (sqauth_md5_test_force_evp(1)) {
        CHECK(strcmp(sqauth_md5_impl(), "EVP") == 0);
        md5_vectors();
        hmac_md5_vectors();
        sqauth_md5_test_force_evp(0);
        CHECK(strcmp(sqauth_md5_impl(), "low-level") == 0);
    }
}
