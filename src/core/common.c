/*
 * sqauth core: the error record shared by every part of the core, and the
 * escaping every message gets. The rest of what common.h declares lives by
 * concern: buf.c (buffers, strings, cleansing), b64.c, random.c
 * (randomness, the nonce pool), crypto.c (algorithms fetched once, the
 * legacy-cipher library context).
 */
#include "common.h"

#include <stdio.h>
#include <string.h>

size_t sqauth_utf8_sequence(const unsigned char *p, size_t n)
{
    unsigned char c = p[0];
    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        return n >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return n >= 3 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return n >= 4 && p[1] >= lo && p[1] <= hi && (p[2] & 0xC0) == 0x80 && (p[3] & 0xC0) == 0x80 ? 4 : 0;
    }
    return 0;
}

size_t sqauth_escape_text(char *out, size_t size, const char *text, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)text;
    size_t used = 0, i = 0;

    if (size == 0) {
        return 0;
    }
    while (i < len) {
        size_t n = sqauth_utf8_sequence(p + i, len - i), k;
        /* C0 controls, DEL and the C1 controls (U+0080-U+009F, C2 80-9F)
         * are what terminals and log viewers act on; bytes that are not
         * UTF-8 are shown too, so that a message is always valid UTF-8. */
        int escape = n == 0 || p[i] < 0x20 || p[i] == 0x7F || (n == 2 && p[i] == 0xC2 && p[i + 1] < 0xA0);
        size_t units = n ? n : 1, out_len = escape ? 4 * units : units;

        if (used + out_len >= size) {
            break; /* never half an escape or half a character */
        }
        for (k = 0; k < units; k++) {
            unsigned char c = p[i + k];
            if (escape) {
                out[used++] = '\\';
                out[used++] = 'x';
                out[used++] = hex[c >> 4];
                out[used++] = hex[c & 15];
            } else {
                out[used++] = (char)c;
            }
        }
        i += units;
    }
    out[used] = '\0';
    return used;
}

int sqauth_fail(sqauth_error *err, int code, const char *fmt, ...)
{
    if (err) {
        /* Room for the server text a message quotes before it is escaped
         * and cut to the record's size. */
        char raw[1024];
        va_list ap;
        err->code = code;
        err->sys_errno = 0;
        va_start(ap, fmt);
        vsnprintf(raw, sizeof(raw), fmt, ap);
        va_end(ap);
        sqauth_escape_text(err->message, sizeof(err->message), raw, strlen(raw));
    }
    return code;
}

void sqauth_error_clear(sqauth_error *err)
{
    if (err) {
        err->code = SQAUTH_OK;
        err->sys_errno = 0;
        err->message[0] = '\0';
    }
}
