/*
 * sqauth core: base64 (RFC 4648) through OpenSSL's EVP encoder; decoding
 * is strict (no white space, correct padding, nothing after it).
 */
#include "common.h"

#include <string.h>

#include <openssl/evp.h>

int sqauth_b64_encode(sqauth_buf *out, const unsigned char *in, size_t len)
{
    size_t need;
    int n;

    if (len > ((size_t)1 << 30)) {
        return SQAUTH_ERR_NOMEM;
    }
    need = 4 * ((len + 2) / 3);
    if (sqauth_buf_reserve(out, need) != SQAUTH_OK) {
        return SQAUTH_ERR_NOMEM;
    }
    n = EVP_EncodeBlock(out->data + out->len, in, (int)len);
    out->len += (size_t)n;
    out->data[out->len] = '\0';
    return SQAUTH_OK;
}

static int is_b64_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
        || c == '+' || c == '/';
}

int sqauth_b64_decode(sqauth_buf *out, const char *in, size_t len, sqauth_error *err)
{
    size_t i, pad = 0, start = out->len;
    int n;

    /* EVP_DecodeBlock skips white space and ignores some garbage; check the
     * alphabet and the padding ourselves so that only canonical input passes. */
    if (len % 4 != 0) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "invalid base64: length %zu is not a multiple of 4", len);
    }
    if (len > ((size_t)1 << 30)) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "invalid base64: input too long");
    }
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '=') {
            if (i < len - 2) {
                return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "invalid base64: padding inside the data");
            }
            pad++;
        } else if (pad || !is_b64_char(c)) {
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "invalid base64: unexpected character at offset %zu", i);
        }
    }
    if (len == 0) {
        return sqauth_buf_reserve(out, 0) == SQAUTH_OK ? SQAUTH_OK
            : sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    if (sqauth_buf_reserve(out, len / 4 * 3) != SQAUTH_OK) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    n = EVP_DecodeBlock(out->data + start, (const unsigned char *)in, (int)len);
    if (n < 0 || (size_t)n < pad) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "invalid base64");
    }
    /* EVP_DecodeBlock counts padding as zero bytes; drop them. Non-canonical
     * trailing bits (e.g. "QR==") are rejected by re-encoding. */
    out->len = start + (size_t)n - pad;
    out->data[out->len] = '\0';
    {
        unsigned char last[4];
        if (pad) {
            EVP_EncodeBlock(last, out->data + out->len - (3 - pad), (int)(3 - pad));
            if (memcmp(last, in + len - 4, 4) != 0) {
                out->len = start;
                out->data[start] = '\0';
                return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "invalid base64: non-canonical padding bits");
            }
        }
    }
    return SQAUTH_OK;
}
