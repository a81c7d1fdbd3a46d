/* Buffers, base64 (strict), constant-time compare, mechanism selection,
 * the escaping of messages. */
#include "check.h"
#include "sasl/sasl.h"

#include <openssl/evp.h>

static void b64_rejects(const char *in)
{
    sqauth_buf b = SQAUTH_BUF_INIT;
    sqauth_error err;
    CHECK_RC(sqauth_b64_decode(&b, in, strlen(in), &err), SQAUTH_ERR_MALFORMED);
    sqauth_buf_free(&b);
}

static void b64_decodes(const char *in, const char *expected)
{
    sqauth_buf b = SQAUTH_BUF_INIT;
    sqauth_error err;
    CHECK_RC(sqauth_b64_decode(&b, in, strlen(in), &err), SQAUTH_OK);
    CHECK_BYTES(b.data ? (const char *)b.data : "", b.len, expected);
    sqauth_buf_free(&b);
}

/* The table codec against OpenSSL's EVP_EncodeBlock on every length up to
 * 200, a round trip of every 1- and 2-byte string, and every last quantum
 * "Q???" over the alphabet, '=' and five bytes outside it: accepted exactly
 * when canonical, counted (64^3 of them have no padding, 64 * 16 one '=',
 * 4 two). */
static void b64_table_codec(void)
{
    static const char extra[] = "=* \x80\x01";
    unsigned char data[200], dec[200];
    char enc[300], evp[300], q[9], chars[70];
    size_t n, got, i, j, k, nchars;
    unsigned long accepted = 0, wrong = 0;
    sqauth_error err;

    for (i = 0; i < sizeof(data); i++) {
        data[i] = (unsigned char)(i * 151 + 7);
    }
    for (n = 0; n <= sizeof(data); n++) {
        got = sqauth_b64_encode_to(enc, data, n);
        k = (size_t)EVP_EncodeBlock((unsigned char *)evp, data, (int)n);
        CHECK(got == k && memcmp(enc, evp, k) == 0);
        CHECK_RC(sqauth_b64_decode_to(dec, sizeof(dec), &got, enc, k, &err), SQAUTH_OK);
        CHECK(got == n && memcmp(dec, data, n) == 0);
    }
    for (n = 1; n <= 2; n++) {
        for (i = 0; i < (n == 1 ? 256u : 65536u); i++) {
            data[0] = (unsigned char)(i & 255);
            data[1] = (unsigned char)(i >> 8);
            k = sqauth_b64_encode_to(enc, data, n);
            if (sqauth_b64_decode_to(dec, 2, &got, enc, k, NULL) != SQAUTH_OK || got != n || memcmp(dec, data, n)) {
                wrong++;
            }
        }
    }
    CHECK(wrong == 0);

    for (i = 0; i < 64; i++) {
        chars[i] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[i];
    }
    memcpy(chars + 64, extra, 5);
    nchars = 69;
    memcpy(q, "Zm9vQ", 5);
    for (i = 0; i < nchars; i++) {
        for (j = 0; j < nchars; j++) {
            for (k = 0; k < nchars; k++) {
                q[5] = chars[i];
                q[6] = chars[j];
                q[7] = chars[k];
                if (sqauth_b64_decode_to(dec, sizeof(dec), &got, q, 8, NULL) == SQAUTH_OK) {
                    accepted++;
                    n = sqauth_b64_encode_to(enc, dec, got);
                    wrong += n != 8 || memcmp(enc, q, 8) != 0;
                }
            }
        }
    }
    CHECK(wrong == 0);
    CHECK(accepted == 64ul * 64 * 64 + 64 * 16 + 4);

    /* The decoder never writes past cap; "Zm9v" needs 3 bytes. */
    memset(dec, 0xee, sizeof(dec));
    CHECK_RC(sqauth_b64_decode_to(dec, 2, &got, "Zm9v", 4, &err), SQAUTH_ERR_MALFORMED);
    CHECK(got == 0 && dec[0] == 0xee);
    CHECK_RC(sqauth_b64_decode_to(dec, 2, &got, "Zm8=", 4, &err), SQAUTH_OK);
    CHECK_BYTES((const char *)dec, got, "fo");
}

static void b64_message(const char *in, const char *message)
{
    sqauth_buf b = SQAUTH_BUF_INIT;
    sqauth_error err;

    CHECK_RC(sqauth_b64_decode(&b, in, strlen(in), &err), SQAUTH_ERR_MALFORMED);
    CHECK(strcmp(err.message, message) == 0);
    CHECK(b.len == 0);
    sqauth_buf_free(&b);
}

static sqauth_str S(const char *s)
{
    return sqauth_str_c(s);
}

static void escapes(const char *in, size_t len, size_t size, const char *expected)
{
    char out[512];
    size_t n = sqauth_escape_text(out, size, in, len);
    CHECK_BYTES(out, n, expected);
    CHECK(strlen(out) == n);
}

/* What sqauth_fail() makes of server text (common.h). */
static void test_escaping(void)
{
    sqauth_error err;
    char raw[600];

    escapes("j\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x98\x80 ok", 19, 512, "j\xc3\xbcrgen \xe2\x82\xac \xf0\x9f\x98\x80 ok");
    escapes("a\r\nb\x1b[31m\x07\x00" "c\x7f\t", 14, 512, "a\\x0d\\x0ab\\x1b[31m\\x07\\x00c\\x7f\\x09");
    /* C1 controls (CSI, NEL) as their bytes; U+00A0 is not one. */
    escapes("\xc2\x9b" "2J \xc2\x85 \xc2\xa0", 10, 512, "\\xc2\\x9b" "2J \\xc2\\x85 \xc2\xa0");
    /* Not UTF-8: stray continuation, overlong forms, surrogates, beyond
     * U+10FFFF, a sequence cut short. */
    escapes("\x80\xff\xc0\xaf\xe0\x80\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82", 16, 512,
            "\\x80\\xff\\xc0\\xaf\\xe0\\x80\\xaf\\xed\\xa0\\x80\\xf4\\x90\\x80\\x80\\xe2\\x82");
    /* A backslash stays; escaped text escapes to itself. */
    escapes("\\x1b \\", 6, 512, "\\x1b \\");
    /* Cut where the output is full, never inside an escape or a character. */
    escapes("ab\x1b", 3, 6, "ab");
    escapes("ab\x1b", 3, 7, "ab\\x1b");
    escapes("a\xc3\xbc", 3, 3, "a");
    escapes("a\xc3\xbc", 3, 4, "a\xc3\xbc");
    escapes("abc", 3, 1, "");

    sqauth_fail(&err, SQAUTH_ERR_PROTOCOL, "not an IMAP greeting: %.200s", "\x1b]0;owned\x07 j\xc3\xbcrgen\r\n");
    CHECK(strcmp(err.message, "not an IMAP greeting: \\x1b]0;owned\\x07 j\xc3\xbcrgen\\x0d\\x0a") == 0);
    /* A message that fills the record is cut at an escape's start. */
    memset(raw, '\x01', sizeof(raw) - 1);
    raw[sizeof(raw) - 1] = '\0';
    sqauth_fail(&err, SQAUTH_ERR_PROTOCOL, "x%s", raw);
    CHECK(strlen(err.message) == 1 + 63 * 4 && strcmp(err.message + strlen(err.message) - 4, "\\x01") == 0);
}

void test_common(void)
{
    sqauth_buf b = SQAUTH_BUF_INIT;
    sqauth_str offered[4], allowed[2];

    b64_decodes("", "");
    b64_decodes("Zg==", "f");
    b64_decodes("Zm8=", "fo");
    b64_decodes("Zm9v", "foo");
    b64_rejects("Zg=");      /* length */
    b64_rejects("Zg=a");     /* padding inside */
    b64_rejects("Z===");     /* too much padding */
    b64_rejects("Zm 9v");    /* white space */
    b64_rejects("Zh==");     /* non-canonical trailing bits */
    b64_rejects("Zm9v\n");
    b64_rejects("Zm9*");
    b64_message("Zg=a", "invalid base64: unexpected character at offset 3");
    b64_message("Z===", "invalid base64: padding inside the data");
    b64_message("Zm9vZ===", "invalid base64: padding inside the data");
    b64_message("Zm=vZm9v", "invalid base64: padding inside the data");
    b64_message("Zm9vZm9v\n", "invalid base64: length 9 is not a multiple of 4");
    b64_message("Zm9vZ-9v", "invalid base64: unexpected character at offset 5");
    b64_message("Zh==", "invalid base64: non-canonical padding bits");
    b64_message("Zm9=", "invalid base64: non-canonical padding bits");
    b64_table_codec();

    CHECK_RC(sqauth_b64_encode(&b, (const unsigned char *)"\0tim\0tanstaaftanstaaf", 21), SQAUTH_OK);
    CHECK_BYTES(b.data, b.len, "AHRpbQB0YW5zdGFhZnRhbnN0YWFm");
    sqauth_buf_free(&b);

    CHECK_RC(sqauth_buf_append_hex(&b, (const unsigned char *)"\x00\xff\x10", 3), SQAUTH_OK);
    CHECK_BYTES(b.data, b.len, "00ff10");
    sqauth_buf_wipe(&b);

    CHECK(sqauth_equal_ct("abc", 3, "abc", 3));
    CHECK(!sqauth_equal_ct("abc", 3, "abd", 3));
    CHECK(!sqauth_equal_ct("abc", 3, "ab", 2));

    /* Selection: strongest first, cleartext only when encrypted. */
    offered[0] = S("plain");
    offered[1] = S("LOGIN");
    offered[2] = S("CRAM-MD5");
    offered[3] = S("SCRAM-SHA-1");
    CHECK(strcmp(sqauth_sasl_select(offered, 4, NULL, 0, 1), "SCRAM-SHA-1") == 0);
    CHECK(strcmp(sqauth_sasl_select(offered, 2, NULL, 0, 1), "PLAIN") == 0);
    CHECK(sqauth_sasl_select(offered, 2, NULL, 0, 0) == NULL);
    CHECK(strcmp(sqauth_sasl_select(offered, 3, NULL, 0, 0), "CRAM-MD5") == 0);
    allowed[0] = S("PLAIN");
    allowed[1] = S("login");
    CHECK(strcmp(sqauth_sasl_select(offered, 4, allowed, 2, 1), "PLAIN") == 0);
    CHECK(sqauth_sasl_select(offered, 4, allowed, 2, 0) == NULL);
    /* Token and -PLUS mechanisms only when asked for by name. */
    offered[0] = S("XOAUTH2");
    offered[1] = S("SCRAM-SHA-256-PLUS");
    CHECK(sqauth_sasl_select(offered, 2, NULL, 0, 1) == NULL);
    allowed[0] = S("XOAUTH2");
    CHECK(strcmp(sqauth_sasl_select(offered, 2, allowed, 1, 1), "XOAUTH2") == 0);

    CHECK(sqauth_sasl_find("scram-sha-256", 13) == &sqauth_mech_scram_sha_256);
    CHECK(sqauth_sasl_find("SCRAM-SHA-25", 12) == NULL);

    test_escaping();
}
