/*
 * sqauth core: the one SASL driver for IMAP (RFC 9051 §6.2.2, SASL-IR RFC
 * 4959), SMTP (RFC 4954), POP3 (RFC 5034) and ManageSieve (RFC 5804 §2.1).
 * The protocol files only know how to send the command and a response and
 * how to classify a reply; the order of things, the base64, cancelling and
 * the checks after success are here. What to run and whether to trust the
 * outcome is decided by the login policy (policy.c).
 */
#include "proto.h"

#include <stdio.h>
#include <string.h>

/* Longest challenge accepted, decoded (SCRAM and DIGEST-MD5 messages are
 * far smaller; this bounds a hostile server). */
#define MAX_CHALLENGE 16384

/* One client response in the protocol's framing. */
static int send_text(sqauth_session *s, const char *text, const char *logged, sqauth_error *err)
{
    if (s->ops->auth_response) {
        return s->ops->auth_response(s, text, logged, err);
    }
    return sqauth_session_send_line(s, text, logged, err);
}

static int send_response(sqauth_session *s, const sqauth_buf *raw, sqauth_error *err)
{
    sqauth_buf b64 = SQAUTH_BUF_INIT;
    int rc;

    if (sqauth_b64_encode(&b64, raw->data ? raw->data : (const unsigned char *)"", raw->len) != SQAUTH_OK
        || sqauth_buf_reserve(&b64, 0) != SQAUTH_OK) {
        sqauth_buf_wipe(&b64);
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    /* Responses carry passwords, proofs and tokens: never logged, and
     * never shown when the server quotes them back. */
    rc = raw->len ? sqauth_session_hide(s, b64.data, b64.len) : SQAUTH_OK;
    if (rc != SQAUTH_OK) {
        rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    } else {
        rc = send_text(s, (const char *)b64.data, raw->len ? "<redacted>" : "", err);
    }
    sqauth_buf_wipe(&b64);
    return rc;
}

/* The client side failed mid-exchange: cancel with "*" and read the
 * server's final answer, so that the connection stays usable. When that
 * answer does not come (a timeout, the server closing, a server that
 * keeps sending challenges), where the conversation stands is unknown:
 * the session is closed for I/O. */
static void cancel(sqauth_session *s)
{
    sqauth_auth_reply r;
    sqauth_error why;
    int i;

    if (send_text(s, "*", NULL, &why) != SQAUTH_OK) {
        sqauth_session_close_io(s, &why);
        return;
    }
    for (i = 0; i < 4; i++) {
        if (s->ops->auth_reply(s, &r, &why) != SQAUTH_OK) {
            sqauth_session_close_io(s, &why);
            return;
        }
        if (r.status != SQAUTH_AUTH_CONTINUE) {
            return;
        }
        /* A server that still sends challenges gets another cancel. */
        if (send_text(s, "*", NULL, &why) != SQAUTH_OK) {
            sqauth_session_close_io(s, &why);
            return;
        }
    }
    sqauth_fail(&why, SQAUTH_ERR_PROTOCOL, "the server did not end the exchange after the client cancelled it");
    sqauth_session_close_io(s, &why);
}

/* Decodes a challenge (or additional data with success) into challenge. */
static int decode_challenge(const sqauth_auth_reply *reply, const char *mech, sqauth_buf *challenge,
                            sqauth_error *err)
{
    sqauth_buf_reset(challenge);
    if (reply->data_len > MAX_CHALLENGE * 4 / 3 + 4) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the server's %s challenge is too long", mech);
    }
    if (sqauth_b64_decode(challenge, reply->data, reply->data_len, err) != SQAUTH_OK) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the server's %s challenge is not valid base64", mech);
    }
    return SQAUTH_OK;
}

int sqauth_session_authenticate(sqauth_session *s, sqauth_sasl *sasl, sqauth_auth_reply *reply, sqauth_error *err)
{
    sqauth_buf ir = SQAUTH_BUF_INIT, ir64 = SQAUTH_BUF_INIT, challenge = SQAUTH_BUF_INIT, response = SQAUTH_BUF_INIT;
    const char *mech = sasl->mech->name;
    int has_ir = 0, ir_pending = 0, rc, rounds = 0;

    memset(reply, 0, sizeof(*reply));
    if (s->authenticated) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "already authenticated on this connection");
    }
    if (sqauth_session_hide(s, sasl->password.data, sasl->password.len) != SQAUTH_OK
        || sqauth_session_hide(s, sasl->token.data, sasl->token.len) != SQAUTH_OK) {
        rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        goto done;
    }
    rc = sqauth_sasl_start(sasl, &ir, &has_ir, err);
    if (rc != SQAUTH_OK) {
        goto done;
    }
    if (has_ir) {
        int allowed = !s->ops->sasl_ir_capability || sqauth_session_find_cap(s, s->ops->sasl_ir_capability);
        if (ir.len == 0) {
            rc = sqauth_buf_append_str(&ir64, "=");
        } else {
            rc = sqauth_b64_encode(&ir64, ir.data, ir.len);
            rc = rc == SQAUTH_OK ? sqauth_session_hide(s, ir64.data, ir64.len) : rc;
        }
        if (rc != SQAUTH_OK) {
            rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
            goto done;
        }
        /* Too long for one command line, or not announced: wait for the
         * server's empty challenge and send it then (RFC 4954 §4). */
        if (!allowed || ir64.len + strlen(mech) + 24 > s->ops->max_ir_command) {
            ir_pending = 1;
        }
    }
    rc = s->ops->auth_command(s, mech, has_ir && !ir_pending ? (const char *)ir64.data : NULL, err);
    if (rc != SQAUTH_OK) {
        goto done;
    }
    for (;;) {
        rc = s->ops->auth_reply(s, reply, err);
        if (rc != SQAUTH_OK) {
            goto done;
        }
        if (reply->status == SQAUTH_AUTH_SUCCESS) {
            break;
        }
        if (reply->status == SQAUTH_AUTH_FAILURE) {
            const char *oauth = sasl->server_error.data;
            rc = sqauth_fail(err, SQAUTH_ERR_AUTH, "the server refused the %s login: %.160s%s%.60s%s", mech,
                             (const char *)s->response.data, oauth ? " (OAuth error: " : "",
                             oauth ? oauth : "", oauth ? ")" : "");
            goto done;
        }
        if (++rounds > 16) {
            cancel(s);
            rc = sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the server sent too many %s challenges", mech);
            goto done;
        }
        sqauth_buf_reset(&response);
        if (ir_pending) {
            /* The initial response the command could not carry. */
            ir_pending = 0;
            if (reply->data_len != 0) {
                cancel(s);
                rc = sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "expected an empty challenge before the %s initial response", mech);
                goto done;
            }
            rc = sqauth_buf_append(&response, ir.data ? ir.data : (const unsigned char *)"", ir.len);
        } else {
            rc = decode_challenge(reply, mech, &challenge, err);
            if (rc != SQAUTH_OK) {
                cancel(s);
                goto done;
            }
            rc = sqauth_sasl_step(sasl, challenge.data ? challenge.data : (const unsigned char *)"", challenge.len,
                                  &response, err);
            if (rc != SQAUTH_OK) {
                cancel(s);
                goto done;
            }
        }
        rc = send_response(s, &response, err);
        if (rc != SQAUTH_OK) {
            goto done;
        }
    }
    /* The server said yes, perhaps with a last message of the mechanism
     * (RFC 4422 §5: additional data with success; ManageSieve's OK (SASL
     * "...")): the mechanism reads it, and has nothing more to say. */
    if (reply->data_len) {
        rc = decode_challenge(reply, mech, &challenge, err);
        if (rc == SQAUTH_OK) {
            sqauth_buf_reset(&response);
            rc = sqauth_sasl_step(sasl, challenge.data ? challenge.data : (const unsigned char *)"", challenge.len,
                                  &response, err);
        }
        if (rc == SQAUTH_OK && response.len) {
            rc = sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the server ended the %s exchange while the client had more "
                             "to say", mech);
        }
        if (rc != SQAUTH_OK) {
            goto done;
        }
    }
    /* A mechanism that can prove the server knows the secret must have
     * done so, or this is not the server we think it is. */
    if ((sasl->mech->flags & SQAUTH_MECH_PROVES_SERVER) && !sasl->server_verified) {
        rc = sqauth_fail(err, SQAUTH_ERR_NOT_VERIFIED,
                         "the server accepted the %s login without proving that it knows the password "
                         "(no valid %s); not trusting this connection", mech, sasl->mech->server_proof);
        goto done;
    }
    s->authenticated = 1;
    rc = SQAUTH_OK;
done:
    sqauth_session_hide_end(s, reply->code, sizeof(reply->code), rc != SQAUTH_OK ? err : NULL);
    sqauth_buf_wipe(&ir);
    sqauth_buf_wipe(&ir64);
    sqauth_buf_wipe(&challenge);
    sqauth_buf_wipe(&response);
    return rc;
}

static int probe(sqauth_session *s, const char *mech, int *answers, sqauth_buf *challenge, sqauth_error *err)
{
    sqauth_auth_reply r;
    size_t i;
    int rc;

    /* The name goes on the command line: only a SASL mechanism name. */
    for (i = 0; mech[i]; i++) {
        char ch = mech[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')
            || i >= 20) {
            return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "not a SASL mechanism name");
        }
    }
    if (i == 0) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "not a SASL mechanism name");
    }
    rc = s->ops->auth_command(s, mech, NULL, err);
    if (rc == SQAUTH_OK) {
        rc = s->ops->auth_reply(s, &r, err);
    }
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (r.status == SQAUTH_AUTH_CONTINUE) {
        *answers = 1;
        if (challenge && sqauth_b64_decode(challenge, r.data, r.data_len, err) != SQAUTH_OK) {
            sqauth_buf_reset(challenge);
        }
        cancel(s);
        if (s->closed) {
            /* The cancel failed (the deadline passed, the server went on):
             * that is the probe's failure, not the next one's. */
            if (err) {
                *err = s->closed_reason;
            }
            return s->closed_reason.code;
        }
    } else if (r.status == SQAUTH_AUTH_SUCCESS) {
        /* Logged in without credentials: nothing was probed, but say so. */
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the server accepted %s without any credentials", mech);
    }
    return SQAUTH_OK;
}

int sqauth_session_probe(sqauth_session *s, const char *mech, int *answers, sqauth_buf *challenge, sqauth_error *err)
{
    sqauth_call call;
    int rc = sqauth_call_begin(s, &call, err);

    *answers = 0;
    if (rc == SQAUTH_OK) {
        rc = probe(s, mech, answers, challenge, err);
    }
    return sqauth_call_end(s, &call, rc, err);
}

int sqauth_session_login(sqauth_session *s, const char *user, size_t user_len, const char *pass, size_t pass_len,
                         sqauth_auth_reply *reply, sqauth_error *err)
{
    int rc;

    memset(reply, 0, sizeof(*reply));
    if (s->authenticated) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "already authenticated on this connection");
    }
    if (!s->ops->login) {
        return sqauth_fail(err, SQAUTH_ERR_UNSUPPORTED, "%s has no LOGIN command: use authenticate()", s->ops->name);
    }
    if (memchr(user, '\0', user_len) || memchr(pass, '\0', pass_len)) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "user name and password must not contain NUL bytes");
    }
    rc = sqauth_session_hide(s, pass, pass_len) == SQAUTH_OK ? s->ops->login(s, user, user_len, pass, pass_len, reply, err)
                                                              : sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    if (rc == SQAUTH_OK && reply->status != SQAUTH_AUTH_SUCCESS) {
        rc = sqauth_fail(err, SQAUTH_ERR_AUTH, "the server refused the login: %.200s", (const char *)s->response.data);
    }
    sqauth_session_hide_end(s, reply->code, sizeof(reply->code), rc != SQAUTH_OK ? err : NULL);
    s->authenticated = rc == SQAUTH_OK;
    return rc;
}
