/*
 * sqauth core: the error record shared by every part of the core. The
 * rest of what common.h declares lives by concern: buf.c (buffers,
 * strings, cleansing), b64.c, random.c (randomness, the nonce pool),
 * crypto.c (algorithms fetched once, the legacy-cipher library context).
 */
#include "common.h"

#include <stdio.h>
#include <string.h>

int sqauth_fail(sqauth_error *err, int code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        err->code = code;
        err->sys_errno = 0;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof(err->message), fmt, ap);
        va_end(ap);
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
