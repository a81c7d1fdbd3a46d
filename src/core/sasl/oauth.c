/*
 * OAuth 2.0 bearer token mechanisms:
 *   OAUTHBEARER (RFC 7628): gs2 header, then kvpairs separated by ^A:
 *       n,a=<authzid>,^Ahost=<host>^Aport=<port>^Aauth=Bearer <token>^A^A
 *   XOAUTH2 (Google/Microsoft): user=<user>^Aauth=Bearer <token>^A^A
 * On failure the server sends a JSON document as a challenge; the client
 * must answer it (OAUTHBEARER with a single ^A, XOAUTH2 with an empty
 * response) and the server then fails the exchange. The JSON is kept in
 * s->server_error so that the caller can report the OAuth status.
 * Bearer tokens are reusable secrets: both mechanisms count as cleartext.
 */
#include "sasl.h"

#include <string.h>

#define KV_SEP '\x01'
/* An error document longer than this is truncated before it is kept. */
#define MAX_SERVER_ERROR 4096

/* RFC 6750 §2.1: b64token = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=" */
static int valid_bearer_token(const char *t, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)t[i];
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
            || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/') {
            i++;
        } else {
            break;
        }
    }
    if (i == 0) {
        return 0;
    }
    while (i < n && t[i] == '=') {
        i++;
    }
    return i == n;
}

static int has_byte(const sqauth_owned *o, char c)
{
    return o->data && memchr(o->data, c, o->len) != NULL;
}

static int check_inputs(sqauth_sasl *s, sqauth_error *err)
{
    if (!valid_bearer_token(s->token.data, s->token.len)) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG,
                           "%s: the token is not a valid RFC 6750 bearer token", s->mech->name);
    }
    if (has_byte(&s->authcid, KV_SEP) || has_byte(&s->authzid, KV_SEP) || has_byte(&s->host, KV_SEP)) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG,
                           "%s: user name, authzid and host must not contain \\x01", s->mech->name);
    }
    return SQAUTH_OK;
}

static int oauthbearer_start(sqauth_sasl *s, sqauth_buf *out, int *has_output, sqauth_error *err)
{
    const sqauth_owned *user = (s->authzid.data && s->authzid.len) ? &s->authzid : &s->authcid;
    int rc = check_inputs(s, err);

    if (rc != SQAUTH_OK) {
        return rc;
    }
    rc = sqauth_buf_append_str(out, "n,");
    if (!rc && user->data && user->len) {
        rc = sqauth_buf_append_str(out, "a=");
        rc = rc ? rc : sqauth_sasl_append_saslname(out, user->data, user->len);
    }
    rc = rc ? rc : sqauth_buf_append_str(out, ",\x01");
    if (!rc && s->host.data && s->host.len) {
        rc = sqauth_buf_append_str(out, "host=");
        rc = rc ? rc : sqauth_buf_append(out, s->host.data, s->host.len);
        rc = rc ? rc : sqauth_buf_append_byte(out, KV_SEP);
    }
    if (!rc && s->port) {
        rc = sqauth_buf_printf(out, "port=%u\x01", s->port);
    }
    rc = rc ? rc : sqauth_buf_append_str(out, "auth=Bearer ");
    rc = rc ? rc : sqauth_buf_append(out, s->token.data, s->token.len);
    rc = rc ? rc : sqauth_buf_append_str(out, "\x01\x01");
    if (rc) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    *has_output = 1;
    return SQAUTH_OK;
}

static int xoauth2_start(sqauth_sasl *s, sqauth_buf *out, int *has_output, sqauth_error *err)
{
    int rc = check_inputs(s, err);

    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (!s->authcid.data || !s->authcid.len) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "XOAUTH2 needs the credential 'authcid'");
    }
    rc = sqauth_buf_append_str(out, "user=");
    rc = rc ? rc : sqauth_buf_append(out, s->authcid.data, s->authcid.len);
    rc = rc ? rc : sqauth_buf_append_str(out, "\x01" "auth=Bearer ");
    rc = rc ? rc : sqauth_buf_append(out, s->token.data, s->token.len);
    rc = rc ? rc : sqauth_buf_append_str(out, "\x01\x01");
    if (rc) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    *has_output = 1;
    return SQAUTH_OK;
}

/* Any challenge after the initial response is the server's error document
 * (RFC 7628 §3.2.2). Keep it, answer as the mechanism requires, and let the
 * server's final failure end the exchange. */
static int error_challenge(sqauth_sasl *s, const unsigned char *in, size_t in_len,
                           sqauth_buf *out, const char *answer, size_t answer_len, sqauth_error *err)
{
    if (sqauth_sasl_set_server_error(s, in, in_len > MAX_SERVER_ERROR ? MAX_SERVER_ERROR : in_len)
        || sqauth_buf_append(out, answer, answer_len)) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    s->complete = 1;
    return SQAUTH_OK;
}

static int oauthbearer_step(sqauth_sasl *s, const unsigned char *in, size_t in_len, sqauth_buf *out, sqauth_error *err)
{
    return error_challenge(s, in, in_len, out, "\x01", 1, err);
}

static int xoauth2_step(sqauth_sasl *s, const unsigned char *in, size_t in_len, sqauth_buf *out, sqauth_error *err)
{
    return error_challenge(s, in, in_len, out, "", 0, err);
}

const sqauth_sasl_mech sqauth_mech_oauthbearer = {
    "OAUTHBEARER", 95, SQAUTH_MECH_CLEARTEXT | SQAUTH_MECH_CLIENT_FIRST | SQAUTH_MECH_NEEDS_TOKEN,
    oauthbearer_start, oauthbearer_step, NULL, NULL,
};

const sqauth_sasl_mech sqauth_mech_xoauth2 = {
    "XOAUTH2", 94, SQAUTH_MECH_CLEARTEXT | SQAUTH_MECH_CLIENT_FIRST | SQAUTH_MECH_NEEDS_TOKEN,
    xoauth2_start, xoauth2_step, NULL, NULL,
};
