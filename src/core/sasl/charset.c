/*
 * sqauth core: UTF-8 (RFC 3629) validation and UTF-8 -> ISO-8859-1
 * conversion for DIGEST-MD5 (RFC 2831 §2.1.2.1).
 *
 * libxml2 does the work (xmlCheckUTF8 for the byte structure, UTF8Toisolat1
 * for the conversion), but both accept more than RFC 3629 allows: overlong
 * forms, UTF-16 surrogates and code points above U+10FFFF pass
 * xmlCheckUTF8, and UTF8Toisolat1 turns the overlong C0 A2 into '"'. A
 * credential that reaches the hash as something other than what the user
 * typed is a silent authentication failure at best, so the shortest-form
 * rules are checked here on top of libxml2.
 */
#include "charset.h"

#include <limits.h>
#include <string.h>

#include <libxml/encoding.h>
#include <libxml/xmlstring.h>

/* The RFC 3629 rules xmlCheckUTF8 does not enforce. Called only on input
 * whose lead/continuation byte structure libxml2 already accepted, so every
 * sequence is complete; the bounds are still checked. */
static int utf8_shortest_form(const unsigned char *p, size_t len)
{
    size_t i = 0;

    while (i < len) {
        unsigned char c = p[i];
        unsigned long cp;
        size_t n, k;

        if (c < 0x80) {
            i++;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            n = 2;
            cp = c & 0x1f;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 3;
            cp = c & 0x0f;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 4;
            cp = c & 0x07;
        } else {
            /* C0, C1 (always overlong), F5..FF, stray continuation bytes */
            return 0;
        }
        if (len - i < n) {
            return 0;
        }
        for (k = 1; k < n; k++) {
            if ((p[i + k] & 0xc0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (p[i + k] & 0x3f);
        }
        if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)   /* overlong */
            || (cp >= 0xd800 && cp <= 0xdfff)                   /* surrogate */
            || cp > 0x10ffff) {
            return 0;
        }
        i += n;
    }
    return 1;
}

/* 1 when every byte is ASCII other than NUL: such text is valid UTF-8 and
 * its ISO-8859-1 form is itself (the common case, checked without a copy). */
static int plain_ascii(const char *in, size_t len)
{
    size_t i;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == 0 || c >= 0x80) {
            return 0;
        }
    }
    return 1;
}

int sqauth_utf8_check(const char *in, size_t len, const char *what, sqauth_error *err)
{
    char *copy;
    int ok;

    if (len > INT_MAX / 2) {
        return sqauth_fail(err, SQAUTH_ERR_CHARSET, "%s is too long", what);
    }
    if (plain_ascii(in, len)) {
        return SQAUTH_OK;
    }
    if (len && memchr(in, '\0', len)) {
        return sqauth_fail(err, SQAUTH_ERR_CHARSET, "%s contains a NUL byte", what);
    }
    /* xmlCheckUTF8 wants a NUL-terminated string; the text may be a
     * password, so the copy is cleansed. */
    copy = sqauth_memdup(in, len);
    if (!copy) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    ok = xmlCheckUTF8((const unsigned char *)copy) && utf8_shortest_form((const unsigned char *)copy, len);
    sqauth_free_secret(copy, len);
    if (!ok) {
        return sqauth_fail(err, SQAUTH_ERR_CHARSET, "%s is not valid UTF-8", what);
    }
    return SQAUTH_OK;
}

int sqauth_utf8_to_latin1(const char *in, size_t len, sqauth_buf *out, int *representable,
                          const char *what, sqauth_error *err)
{
    unsigned char *dst;
    int inlen, outlen, rc;

    *representable = 0;
    if (len <= INT_MAX / 2 && plain_ascii(in, len)) {
        if (sqauth_buf_append(out, in, len) != SQAUTH_OK) {
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        *representable = 1;
        return SQAUTH_OK;
    }
    rc = sqauth_utf8_check(in, len, what, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    /* ISO-8859-1 never needs more bytes than the UTF-8 it came from. */
    if (sqauth_buf_reserve(out, len) != SQAUTH_OK) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    if (len == 0) {
        *representable = 1;
        return SQAUTH_OK;
    }
    dst = out->data + out->len;
    inlen = (int)len;
    outlen = (int)len;
    rc = UTF8Toisolat1(dst, &outlen, (const unsigned char *)in, &inlen);
    if (rc < 0 || inlen != (int)len || outlen < 0 || outlen > (int)len) {
        /* A character above U+00FF (the input is valid UTF-8, so that is the
         * only way libxml2 stops early). Drop the partial output: it may be
         * the start of a password. */
        sqauth_cleanse(dst, len);
        out->data[out->len] = '\0';
        return SQAUTH_OK;
    }
    out->len += (size_t)outlen;
    out->data[out->len] = '\0';
    *representable = 1;
    return SQAUTH_OK;
}
