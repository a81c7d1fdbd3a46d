/*
 * EXTERNAL (RFC 4422 appendix A): the identity comes from outside SASL (a
 * TLS client certificate); the client sends only the authzid, possibly
 * empty. An empty initial response is still an initial response.
 */
#include "sasl.h"

static int external_start(sqauth_sasl *s, sqauth_buf *out, int *has_output, sqauth_error *err)
{
    if (s->authzid.data && sqauth_buf_append(out, s->authzid.data, s->authzid.len)) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    *has_output = 1;
    s->complete = 1;
    return SQAUTH_OK;
}

const sqauth_sasl_mech sqauth_mech_external = {
    "EXTERNAL", 100, SQAUTH_MECH_CLIENT_FIRST,
    external_start, NULL, NULL, NULL,
};
