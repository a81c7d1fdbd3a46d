/*
 * sqauth core: base64 (RFC 4648 §4), strict: no white space, padding only at
 * the end, zero bits under the padding.
 */
#include "common.h"

#include <string.h>

/* Base64 (RFC 4648 §4) by table, in one pass each way. OpenSSL's
 * EVP_EncodeBlock/EVP_DecodeBlock used to do this; decoding then took a
 * validation pass, EVP_DecodeBlock (which skips white space, so it could
 * not be trusted alone) and a re-encode of the last quantum, about a
 * tenth of a DIGEST-MD5 response (callgrind). */
static const char b64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* The decoding tables, written out by the preprocessor from the alphabet:
 * B64_VALUE(c) is the 6-bit value of c, or -1 outside the alphabet ('='
 * included: padding is handled apart, at the end only). Table k holds the
 * value already shifted to its place in a 24-bit group (the k-th of four
 * characters), and B64_BAD for foreign bytes: bit 31, above any group, so
 * that one OR of four lookups both assembles a group and flags a bad byte. */
#define B64_VALUE(c) ((c) >= 'A' && (c) <= 'Z' ? (c) - 'A' : (c) >= 'a' && (c) <= 'z' ? (c) - 'a' + 26 \
                      : (c) >= '0' && (c) <= '9' ? (c) - '0' + 52 : (c) == '+' ? 62 : (c) == '/' ? 63 : -1)
#define B64_BAD 0x80000000u
#define B64_AT(c, shift) (B64_VALUE(c) < 0 ? B64_BAD : (unsigned)B64_VALUE(c) << (shift))
#define B64_R4(m, n) m(n), m((n) + 1), m((n) + 2), m((n) + 3)
#define B64_R16(m, n) B64_R4(m, n), B64_R4(m, (n) + 4), B64_R4(m, (n) + 8), B64_R4(m, (n) + 12)
#define B64_R64(m, n) B64_R16(m, n), B64_R16(m, (n) + 16), B64_R16(m, (n) + 32), B64_R16(m, (n) + 48)
#define B64_R256(m) B64_R64(m, 0), B64_R64(m, 64), B64_R64(m, 128), B64_R64(m, 192)
#define B64_AT18(c) B64_AT(c, 18)
#define B64_AT12(c) B64_AT(c, 12)
#define B64_AT6(c) B64_AT(c, 6)
#define B64_AT0(c) B64_AT(c, 0)
static const unsigned b64_at18[256] = {B64_R256(B64_AT18)};
static const unsigned b64_at12[256] = {B64_R256(B64_AT12)};
static const unsigned b64_at6[256] = {B64_R256(B64_AT6)};
static const unsigned b64_at0[256] = {B64_R256(B64_AT0)};

size_t sqauth_b64_encode_to(char *out, const unsigned char *in, size_t len)
{
    char *o = out;
    size_t i;

    for (i = 0; i + 3 <= len; i += 3) {
        unsigned v = (unsigned)in[i] << 16 | (unsigned)in[i + 1] << 8 | in[i + 2];
        o[0] = b64_alphabet[v >> 18];
        o[1] = b64_alphabet[(v >> 12) & 63];
        o[2] = b64_alphabet[(v >> 6) & 63];
        o[3] = b64_alphabet[v & 63];
        o += 4;
    }
    if (len - i == 1) {
        o[0] = b64_alphabet[in[i] >> 2];
        o[1] = b64_alphabet[(in[i] & 3) << 4];
        o[2] = '=';
        o[3] = '=';
        o += 4;
    } else if (len - i == 2) {
        unsigned v = (unsigned)in[i] << 8 | in[i + 1];
        o[0] = b64_alphabet[v >> 10];
        o[1] = b64_alphabet[(v >> 4) & 63];
        o[2] = b64_alphabet[(v & 15) << 2];
        o[3] = '=';
        o += 4;
    }
    return (size_t)(o - out);
}

int sqauth_b64_encode(sqauth_buf *out, const unsigned char *in, size_t len)
{
    if (len > ((size_t)1 << 30)) {
        return SQAUTH_ERR_NOMEM;
    }
    if (sqauth_buf_reserve(out, 4 * ((len + 2) / 3)) != SQAUTH_OK) {
        return SQAUTH_ERR_NOMEM;
    }
    out->len += sqauth_b64_encode_to((char *)out->data + out->len, in, len);
    out->data[out->len] = '\0';
    return SQAUTH_OK;
}

/* Names the first thing wrong in input the fast path refused, scanning
 * from the start the way the message has always been chosen: '=' before the
 * last two places, or any byte outside the alphabet ('=' included once a
 * '=' was seen, and a lone '=' before a data character). */
static int b64_refuse(const char *in, size_t len, sqauth_error *err)
{
    size_t i, pad = 0;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '=') {
            if (i < len - 2) {
                return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "invalid base64: padding inside the data");
            }
            pad++;
        } else if (pad || b64_at0[c] == B64_BAD) {
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "invalid base64: unexpected character at offset %zu", i);
        }
    }
    return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "invalid base64: non-canonical padding bits");
}

int sqauth_b64_decode_to(unsigned char *out, size_t cap, size_t *out_len, const char *in, size_t len,
                         sqauth_error *err)
{
    const unsigned char *p = (const unsigned char *)in;
    unsigned char *o = out;
    unsigned a;
    size_t i, body;

    *out_len = 0;
    if (len % 4 != 0) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "invalid base64: length %zu is not a multiple of 4", len);
    }
    if (len > ((size_t)1 << 30)) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "invalid base64: input too long");
    }
    if (len == 0) {
        return SQAUTH_OK;
    }
    /* The decoded length, from the padding; the last quantum may have one
     * or two '=' (checked below), every other byte is in the alphabet. */
    if (len / 4 * 3 - (p[len - 1] == '=') - (p[len - 1] == '=' && p[len - 2] == '=') > cap) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "invalid base64: decodes to more than %zu bytes", cap);
    }
    /* Every quantum without padding in the loop; then "xxx=" or "xx==".
     * Canonical means the bits the padding leaves over are zero (RFC 4648
     * §3.5): anything else has a second spelling, which a strict decoder
     * refuses. */
    body = p[len - 1] == '=' ? len - 4 : len;
    for (i = 0; i < body; i += 4) {
        a = b64_at18[p[i]] | b64_at12[p[i + 1]] | b64_at6[p[i + 2]] | b64_at0[p[i + 3]];
        if (a & B64_BAD) {
            return b64_refuse(in, len, err);
        }
        o[0] = (unsigned char)(a >> 16);
        o[1] = (unsigned char)(a >> 8);
        o[2] = (unsigned char)a;
        o += 3;
    }
    if (body < len && p[i + 2] == '=') {
        a = b64_at18[p[i]] | b64_at12[p[i + 1]];
        if (a & (B64_BAD | 0xffff)) {
            return b64_refuse(in, len, err);
        }
        *o++ = (unsigned char)(a >> 16);
    } else if (body < len) {
        a = b64_at18[p[i]] | b64_at12[p[i + 1]] | b64_at6[p[i + 2]];
        if (a & (B64_BAD | 0xff)) {
            return b64_refuse(in, len, err);
        }
        o[0] = (unsigned char)(a >> 16);
        o[1] = (unsigned char)(a >> 8);
        o += 2;
    }
    *out_len = (size_t)(o - out);
    return SQAUTH_OK;
}

int sqauth_b64_decode(sqauth_buf *out, const char *in, size_t len, sqauth_error *err)
{
    size_t n;
    int rc;

    if (len % 4 == 0 && len <= ((size_t)1 << 30) && sqauth_buf_reserve(out, len / 4 * 3) != SQAUTH_OK) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    rc = sqauth_b64_decode_to(out->data ? out->data + out->len : NULL, len / 4 * 3, &n, in, len, err);
    if (rc == SQAUTH_OK) {
        out->len += n;
    }
    if (out->data) {
        out->data[out->len] = '\0';
    }
    return rc;
}
