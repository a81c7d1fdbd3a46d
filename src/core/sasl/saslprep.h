/*
 * SASLprep (RFC 4013), the stringprep (RFC 3454) profile SCRAM (RFC 5802
 * §2.2, §5.1) applies to user names and passwords, through libidn when
 * sqauth is built with it (HAVE_LIBIDN).
 *
 * Without libidn only ASCII is accepted: printable ASCII is SASLprep-stable
 * (no mapping, NFKC identity, no bidi), so it passes unchanged; non-ASCII is
 * refused rather than hashed unprepared, which could give a silently wrong
 * SCRAM proof.
 */
#ifndef SQAUTH_SASLPREP_H
#define SQAUTH_SASLPREP_H

#include "../common.h"

/* Prepares in (in_len bytes of UTF-8) as a query string (RFC 3454 §7:
 * unassigned code points allowed). On success *out is a malloc'd,
 * NUL-terminated string of *out_len bytes, to be released with
 * sqauth_free_secret(*out, *out_len) since it may hold a password.
 * what names the input in error messages ("user name", "password"); the
 * input itself never appears in a message.
 * Returns SQAUTH_OK, SQAUTH_ERR_CHARSET (invalid UTF-8, prohibited
 * character, bidi rule), SQAUTH_ERR_UNSUPPORTED (non-ASCII without
 * libidn) or SQAUTH_ERR_NOMEM. */
int sqauth_saslprep(const char *in, size_t in_len, const char *what,
                    char **out, size_t *out_len, sqauth_error *err);

/* 1 when this build can SASLprep non-ASCII text (libidn), else 0. */
int sqauth_saslprep_available(void);

/* 1 when p[0..n) is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF), else 0. */
int sqauth_saslprep_utf8_valid(const void *p, size_t n);

#endif
