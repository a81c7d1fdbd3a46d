/*
 * PLAIN (RFC 4616): one message, authzid NUL authcid NUL passwd.
 * Cleartext: only chosen automatically over an encrypted connection.
 */
#include "sasl.h"

static int plain_start(sqauth_sasl *s, sqauth_buf *out, int *has_output, sqauth_error *err)
{
    if (s->authzid.data && sqauth_buf_append(out, s->authzid.data, s->authzid.len)) {
        goto nomem;
    }
    if (sqauth_buf_append_byte(out, 0) || sqauth_buf_append(out, s->authcid.data, s->authcid.len)
        || sqauth_buf_append_byte(out, 0) || sqauth_buf_append(out, s->password.data, s->password.len)) {
        goto nomem;
    }
    *has_output = 1;
    s->complete = 1;
    return SQAUTH_OK;
nomem:
    return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
}

const sqauth_sasl_mech sqauth_mech_plain = {
    "PLAIN", 20, SQAUTH_MECH_CLEARTEXT | SQAUTH_MECH_CLIENT_FIRST | SQAUTH_MECH_NEEDS_PASSWORD,
    plain_start, NULL, NULL, NULL,
};
