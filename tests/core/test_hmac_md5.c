/*
 * Our MD5 (sasl/md5.c) and the HMAC-MD5 over it (sasl/hmac_md5.c): RFC
 * 1321's test suite, OpenSSL's MD5 on every length up to 300 bytes and on
 * random lengths and contents, in one lane and in two; every test case of
 * RFC 2202 §2 (keys shorter and longer than the 64-byte block, long data),
 * the empty key and message, and agreement with OpenSSL's own HMAC
 * (sqauth_hmac_md5(), EVP_MAC) for every key and data length up to 130
 * and on random keys and messages up to 300 bytes;
 * the refusal where OpenSSL will not fetch MD5.
 */
#include "check.h"
#include "sasl/hmac_md5.h"
#include "sasl/digest_md5_parse.h"
#include "sasl/md5.h"
#include "sasl/sasl.h"

#include <stdlib.h>

#include <openssl/evp.h>

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

/* Ours (sqauth_hmac_md5_direct()) against OpenSSL's (sqauth_hmac_md5(),
 * EVP_MAC); says which lengths differ. */
static int hmac_agrees(const unsigned char *key, size_t key_len, const unsigned char *data, size_t data_len)
{
    unsigned char a[16], b[16];

    if (sqauth_hmac_md5_direct(key, key_len, data, data_len, a, NULL) == SQAUTH_OK
        && sqauth_hmac_md5(key, key_len, data, data_len, b, NULL) == SQAUTH_OK && memcmp(a, b, 16) == 0) {
        return 1;
    }
    fprintf(stderr, "FAIL %s:%d: HMAC-MD5 differs from OpenSSL's for key %zu, data %zu bytes\n", __FILE__, __LINE__,
            key_len, data_len);
    return 0;
}

static void hmac_md5_vectors(void)
{
    unsigned char k[131], d[131], rk[301], rd[301];
    size_t kl, dl, n;
    int i, same = 1;

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
            same = hmac_agrees(k, kl, d, dl);
        }
    }
    CHECK(same);

    /* Random keys and messages up to 300 bytes (key blocks hashed first
     * and not, messages of one to six blocks), against OpenSSL's HMAC. */
    srand(2104);
    for (i = 0; i < 2000 && same; i++) {
        kl = (size_t)rand() % sizeof(rk);
        dl = (size_t)rand() % sizeof(rd);
        for (n = 0; n < kl; n++) {
            rk[n] = (unsigned char)rand();
        }
        for (n = 0; n < dl; n++) {
            rd[n] = (unsigned char)rand();
        }
        same = hmac_agrees(rk, kl, rd, dl);
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

/* RFC 1321 §A.5's test suite: whole, as the second lane of a pair with
 * each of the others, and (the 80-character one) its first block fed on
 * its own. */
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
    const size_t count = sizeof(vectors) / sizeof(vectors[0]);
    const char *last = vectors[count - 1][0];
    sqauth_md5_state m, o;
    unsigned char h[16], h2[16];
    char hex[33];
    size_t i, k;

    for (i = 0; i < count; i++) {
        sqauth_md5_buf(vectors[i][0], strlen(vectors[i][0]), h);
        md5_hex(h, hex);
        CHECK_BYTES(hex, 32, vectors[i][1]);
        for (k = 0; k < count; k++) {
            sqauth_md5_start(&m);
            sqauth_md5_start(&o);
            sqauth_md5_finish2(&m, vectors[k][0], strlen(vectors[k][0]), h2, &o, vectors[i][0],
                               strlen(vectors[i][0]), h);
            md5_hex(h, hex);
            CHECK_BYTES(hex, 32, vectors[i][1]);
            md5_hex(h2, hex);
            CHECK_BYTES(hex, 32, vectors[k][1]);
        }
    }
    sqauth_md5_start(&m);
    sqauth_md5_block(&m, (const unsigned char *)last);
    sqauth_md5_finish(&m, last + 64, strlen(last) - 64, h);
    md5_hex(h, hex);
    CHECK_BYTES(hex, 32, vectors[count - 1][1]);
}

static void openssl_md5(const unsigned char *p, size_t n, unsigned char out[16])
{
    unsigned int len = 0;

    if (EVP_Digest(p, n, out, &len, EVP_md5(), NULL) != 1 || len != 16) {
        memset(out, 0xee, 16);
    }
}

/* Against OpenSSL's MD5: every length from 0 to 300 bytes (one to six
 * blocks, every place the padding can fall), then random lengths up to
 * 4 KiB with random contents; one lane, and two lanes with different
 * lengths (so that either finishes first); a message after whole blocks
 * fed as a pair (HMAC's way) or one by one; every alignment. */
static void md5_differential(void)
{
    static unsigned char msg[4096 + 8], other[4096];
    unsigned char a[16], b[16], want[16], want_other[16];
    sqauth_md5_state m, o;
    size_t i, n, k;
    int same = 1;

    srand(1321);
    for (i = 0; i < sizeof(other); i++) {
        msg[i] = (unsigned char)rand();
        other[i] = (unsigned char)rand();
    }
    for (n = 0; n <= 300 && same; n++) {
        openssl_md5(msg, n, want);
        sqauth_md5_buf(msg, n, a);
        same = memcmp(a, want, 16) == 0;
        if (!same) {
            fprintf(stderr, "FAIL %s:%d: MD5 of %zu bytes differs from OpenSSL's\n", __FILE__, __LINE__, n);
        }
    }
    CHECK(same);
    for (k = 0; k < 3000 && same; k++) {
        size_t other_n = (size_t)rand() % (k < 1500 ? 300 : sizeof(other));
        size_t at = k % 8;

        n = (size_t)rand() % (k < 1500 ? 300 : sizeof(other));
        for (i = 0; i < n; i++) {
            msg[at + i] = (unsigned char)rand();
        }
        openssl_md5(msg + at, n, want);
        openssl_md5(other, other_n, want_other);
        sqauth_md5_buf(msg + at, n, a);
        same = memcmp(a, want, 16) == 0;
        sqauth_md5_start(&m);
        sqauth_md5_start(&o);
        sqauth_md5_finish2(&m, msg + at, n, a, &o, other, other_n, b);
        same = same && memcmp(a, want, 16) == 0 && memcmp(b, want_other, 16) == 0;
        if (n >= 64 && other_n >= 64) {
            sqauth_md5_start(&m);
            sqauth_md5_start(&o);
            sqauth_md5_block2(&m, msg + at, &o, other);
            sqauth_md5_finish(&m, msg + at + 64, n - 64, a);
            if (other_n >= 128) {
                sqauth_md5_block(&o, other + 64);
                sqauth_md5_finish(&o, other + 128, other_n - 128, b);
            } else {
                sqauth_md5_finish(&o, other + 64, other_n - 64, b);
            }
            same = same && memcmp(a, want, 16) == 0 && memcmp(b, want_other, 16) == 0;
        }
        if (!same) {
            fprintf(stderr, "FAIL %s:%d: MD5 of %zu and %zu bytes differs from OpenSSL's\n", __FILE__, __LINE__, n,
                    other_n);
        }
    }
    CHECK(same);
}

/* Where OpenSSL will not fetch MD5 (a FIPS-only configuration; here the
 * default properties ask for fips=yes, which no loaded provider offers),
 * CRAM-MD5's HMAC and DIGEST-MD5 refuse with SQAUTH_ERR_CRYPTO and write
 * nothing, as OpenSSL's own MD5 would have. */
static void md5_refused(void)
{
    unsigned char mac[16];
    sqauth_sasl_config cfg;
    sqauth_sasl *s = NULL;
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    char raw[SQAUTH_DIGEST_MD5_MAX_RESPONSE + 1];
    size_t len = 1;

    sqauth_crypto_cleanup();    /* the MD5 fetched so far */
    CHECK(EVP_default_properties_enable_fips(NULL, 1) == 1);
    memset(mac, 0xaa, sizeof(mac));
    CHECK_RC(sqauth_hmac_md5_direct("Jefe", 4, "what do ya want for nothing?", 28, mac, &err), SQAUTH_ERR_CRYPTO);
    CHECK(memcmp(mac, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16) == 0);
    CHECK(strstr(err.message, "OpenSSL refused MD5") != NULL);

    memset(&cfg, 0, sizeof(cfg));
    cfg.authcid = sqauth_str_c("chris");
    cfg.password = sqauth_str_c("secret");
    cfg.host = sqauth_str_c("elwood.innosoft.com");
    CHECK_RC(sqauth_sasl_new(&s, "CRAM-MD5", 8, &cfg, &err), SQAUTH_OK);
    sqauth_error_clear(&err);
    CHECK_RC(sqauth_sasl_step(s, (const unsigned char *)"<1896.697170952@postoffice.reston.mci.net>", 42, &out,
                              &err), SQAUTH_ERR_CRYPTO);
    CHECK(out.len == 0);
    sqauth_sasl_free(s);
    sqauth_error_clear(&err);
    cfg.cnonce = sqauth_str_c("OA6MHXh6VqTrRk");    /* random bytes would be refused too */
    CHECK_RC(sqauth_digest_md5_answer_b64(&cfg,
                                          "cmVhbG09ImVsd29vZC5pbm5vc29mdC5jb20iLG5vbmNlPSJPQTZNRzl0RVFHbTJoaCIscW9wPSJhdXRoIixhbGdvcml0aG09bWQ1LXNlc3MsY2hhcnNldD11dGYtOA==",
                                          128, raw, sizeof(raw), &len, &err), SQAUTH_ERR_CRYPTO);
    CHECK(len == 0);
    CHECK_BYTES(err.message, strlen(err.message),
                "OpenSSL refused MD5 (FIPS mode?); CRAM-MD5 and DIGEST-MD5 cannot be used");

    CHECK(EVP_default_properties_enable_fips(NULL, 0) == 1);
    CHECK_RC(sqauth_hmac_md5_direct("Jefe", 4, "what do ya want for nothing?", 28, mac, &err), SQAUTH_OK);
    sqauth_buf_free(&out);
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
    md5_differential();
    hmac_md5_vectors();
    md5_refused();
}
