/*
 * sqauth core: UTF-8 (RFC 3629) checks and UTF-8 -> ISO-8859-1 conversion,
 * as DIGEST-MD5 (RFC 2831 §2.1.2.1) needs them for the user name, realm and
 * password that go into A1. The conversion itself is libxml2's.
 */
#ifndef SQAUTH_CHARSET_H
#define SQAUTH_CHARSET_H

#include "../common.h"

/* Returns SQAUTH_OK when in[0..len) is well-formed UTF-8 (shortest form, no
 * surrogates, nothing above U+10FFFF, no NUL byte), else SQAUTH_ERR_CHARSET
 * with a message naming `what` ("the user name"), never quoting the text. */
int sqauth_utf8_check(const char *in, size_t len, const char *what, sqauth_error *err);

/* Converts UTF-8 text to ISO-8859-1.
 * - invalid UTF-8: SQAUTH_ERR_CHARSET (see sqauth_utf8_check);
 * - every character is U+0000..U+00FF: SQAUTH_OK, *representable = 1 and the
 *   ISO-8859-1 bytes appended to out;
 * - some character is above U+00FF: SQAUTH_OK, *representable = 0 and out
 *   left as it was.
 * out may receive a password: release it with sqauth_buf_wipe(). */
int sqauth_utf8_to_latin1(const char *in, size_t len, sqauth_buf *out, int *representable,
                          const char *what, sqauth_error *err);

#endif
