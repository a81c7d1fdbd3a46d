/*
 * LOGIN (draft-murchison-sasl-login): the server prompts twice, the client
 * answers with the user name, then the password. The prompt text
 * ("Username:", "Password:") varies between servers and is not interpreted;
 * the order of the challenges is what counts.
 */
#include "sasl.h"

#include <stdint.h>

static int login_step(sqauth_sasl *s, const unsigned char *in, size_t in_len, sqauth_buf *out, sqauth_error *err)
{
    /* The mechanism state is a counter of prompts answered; no allocation. */
    uintptr_t answered = (uintptr_t)s->state;
    int rc;

    (void)in;
    (void)in_len;
    if (answered == 0) {
        rc = sqauth_buf_append(out, s->authcid.data, s->authcid.len);
    } else {
        rc = sqauth_buf_append(out, s->password.data, s->password.len);
        s->complete = 1;
    }
    if (rc != SQAUTH_OK) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    s->state = (void *)(answered + 1);
    return SQAUTH_OK;
}

static void login_dispose(sqauth_sasl *s)
{
    s->state = NULL;
}

const sqauth_sasl_mech sqauth_mech_login = {
    "LOGIN", 10, SQAUTH_MECH_CLEARTEXT | SQAUTH_MECH_NEEDS_PASSWORD,
    NULL, login_step, login_dispose, NULL,
};
