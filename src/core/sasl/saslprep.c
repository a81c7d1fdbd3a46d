/*
 * SASLprep (RFC 4013) for SCRAM (RFC 5802) credentials, via libidn's
 * stringprep (RFC 3454) when HAVE_LIBIDN is defined.
 *
 * Query vs. stored strings: RFC 5802 §5.1 prepares the user name as a query
 * (unassigned code points allowed) and §2.2 the password as a stored string
 * (unassigned prohibited). We use query rules (flags 0) for both, on
 * purpose: for every string that stored-string SASLprep accepts, query
 * SASLprep gives the same output, so no valid password ever gets a
 * different proof. The only difference is for passwords holding code points
 * unassigned in Unicode 3.2 (libidn's tables; every emoji, for one), which
 * stored rules refuse outright although servers such as Dovecot hash the
 * raw bytes and accept them. A client cannot set a password; refusing to
 * send it helps nobody. (gsasl makes the same choice.)
 */
#include "saslprep.h"

#include <stdlib.h>
#include <string.h>

#ifdef HAVE_LIBIDN
#include <stringprep.h>
#endif

int sqauth_saslprep_available(void)
{
#ifdef HAVE_LIBIDN
    return 1;
#else
    return 0;
#endif
}

int sqauth_saslprep_utf8_valid(const void *p, size_t n)
{
    const unsigned char *s = p;
    size_t i = 0;

    while (i < n) {
        size_t len = sqauth_utf8_sequence(s + i, n - i);
        if (len == 0) {
            return 0;
        }
        i += len;
    }
    return 1;
}

/* Printable ASCII (and space) maps to itself under SASLprep: B.1 and C.1.2
 * hold no ASCII, NFKC leaves ASCII alone, and no ASCII character is RandAL.
 * ASCII control characters are prohibited (C.2.1). So ASCII input needs no
 * library, and skipping libidn for it also keeps the common password out of
 * libidn's internal buffers, which are freed without being cleansed. */
static int ascii_only(const char *in, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if ((unsigned char)in[i] >= 0x80) {
            return 0;
        }
    }
    return 1;
}

static int fail_prep(sqauth_error *err, int code, const char *what, const char *why)
{
    return sqauth_fail(err, code, "SASLprep of the %s failed: %s", what, why);
}

int sqauth_saslprep(const char *in, size_t in_len, const char *what,
                    char **out, size_t *out_len, sqauth_error *err)
{
    size_t i;

    *out = NULL;
    *out_len = 0;
    if (memchr(in, '\0', in_len)) {
        return fail_prep(err, SQAUTH_ERR_CHARSET, what, "it contains a NUL byte");
    }
    if (ascii_only(in, in_len)) {
        for (i = 0; i < in_len; i++) {
            unsigned char c = (unsigned char)in[i];
            if (c < 0x20 || c == 0x7F) {
                return fail_prep(err, SQAUTH_ERR_CHARSET, what, "it contains a prohibited character");
            }
        }
        *out = sqauth_memdup(in, in_len);
        if (!*out) {
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        *out_len = in_len;
        return SQAUTH_OK;
    }
    if (!sqauth_saslprep_utf8_valid(in, in_len)) {
        return fail_prep(err, SQAUTH_ERR_CHARSET, what, "it is not valid UTF-8");
    }
#ifdef HAVE_LIBIDN
    {
        char *copy, *prepped = NULL;
        int rc;

        /* stringprep_profile() wants a NUL-terminated string. */
        copy = sqauth_memdup(in, in_len);
        if (!copy) {
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        rc = stringprep_profile(copy, &prepped, "SASLprep", 0);
        sqauth_free_secret(copy, in_len);
        switch (rc) {
        case STRINGPREP_OK:
            break;
        case STRINGPREP_CONTAINS_PROHIBITED:
            return fail_prep(err, SQAUTH_ERR_CHARSET, what, "it contains a prohibited character");
        case STRINGPREP_CONTAINS_UNASSIGNED:
            return fail_prep(err, SQAUTH_ERR_CHARSET, what, "it contains an unassigned code point");
        case STRINGPREP_BIDI_BOTH_L_AND_RAL:
        case STRINGPREP_BIDI_LEADTRAIL_NOT_RAL:
        case STRINGPREP_BIDI_CONTAINS_PROHIBITED:
            return fail_prep(err, SQAUTH_ERR_CHARSET, what,
                             "it breaks the bidirectional text rules (RFC 3454 section 6)");
        case STRINGPREP_ICONV_ERROR:
            return fail_prep(err, SQAUTH_ERR_CHARSET, what, "it is not valid UTF-8");
        case STRINGPREP_MALLOC_ERROR:
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        default:
            return sqauth_fail(err, SQAUTH_ERR_CHARSET, "SASLprep of the %s failed: libidn error %d (%s)",
                               what, rc, stringprep_strerror((Stringprep_rc)rc));
        }
        if (!prepped) {
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        /* libidn allocates with malloc, so sqauth_free_secret() (cleanse,
         * then free) is the right release for it. */
        *out = prepped;
        *out_len = strlen(prepped);
        return SQAUTH_OK;
    }
#else
    (void)what;
    return sqauth_fail(err, SQAUTH_ERR_UNSUPPORTED,
                       "SASLprep of non-ASCII SCRAM credentials needs libidn; rebuild sqauth with libidn");
#endif
}
