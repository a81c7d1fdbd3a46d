/* OAUTHBEARER (RFC 7628 §4.1 example) and XOAUTH2. */
#include "check.h"
#include "sasl/sasl.h"

static sqauth_sasl *make(const char *mech, const char *user, const char *authzid, const char *token,
                         const char *host, unsigned port)
{
    sqauth_sasl_config cfg;
    sqauth_sasl *s = NULL;
    sqauth_error err;

    memset(&cfg, 0, sizeof(cfg));
    cfg.authcid = sqauth_str_c(user);
    cfg.authzid = sqauth_str_c(authzid);
    cfg.token = sqauth_str_c(token);
    cfg.host = sqauth_str_c(host);
    cfg.port = port;
    sqauth_sasl_new(&s, mech, strlen(mech), &cfg, &err);
    return s;
}

void test_oauth(void)
{
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    sqauth_sasl *s;
    int has;
    static const char json[] = "{\"status\":\"invalid_token\",\"scope\":\"example_scope\","
                               "\"openid-configuration\":\"https://example.com/.well-known/openid-configuration\"}";

    /* RFC 7628 §4.1 */
    s = make("OAUTHBEARER", NULL, "user@example.com", "vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==",
             "server.example.com", 143);
    CHECK(s != NULL);
    CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_OK);
    CHECK_BYTES(out.data, out.len, "n,a=user@example.com,\x01host=server.example.com\x01port=143\x01"
                "auth=Bearer vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg==\x01\x01");
    sqauth_buf_reset(&out);
    /* RFC 7628 §4.3: the error challenge is answered with ^A and kept. */
    CHECK_RC(sqauth_sasl_step(s, (const unsigned char *)json, sizeof(json) - 1, &out, &err), SQAUTH_OK);
    CHECK_BYTES(out.data, out.len, "\x01");
    CHECK(s->server_error.data && strcmp(s->server_error.data, json) == 0);
    CHECK(s->complete && !s->server_verified);
    sqauth_sasl_free(s);
    sqauth_buf_reset(&out);

    /* authcid is used as a= when no authzid; ',' and '=' escaped. */
    s = make("OAUTHBEARER", "a,b=c", NULL, "tok", NULL, 0);
    CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_OK);
    CHECK_BYTES(out.data, out.len, "n,a=a=2Cb=3Dc,\x01" "auth=Bearer tok\x01\x01");
    sqauth_sasl_free(s);
    sqauth_buf_reset(&out);

    /* XOAUTH2 */
    s = make("XOAUTH2", "someuser@example.com", NULL, "ya29.vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg", NULL, 0);
    CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_OK);
    CHECK_BYTES(out.data, out.len, "user=someuser@example.com\x01" "auth=Bearer ya29.vF9dft4qmTc2Nvb3RlckBhbHRhdmlzdGEuY29tCg\x01\x01");
    sqauth_buf_reset(&out);
    CHECK_RC(sqauth_sasl_step(s, (const unsigned char *)json, sizeof(json) - 1, &out, &err), SQAUTH_OK);
    CHECK(out.len == 0);
    sqauth_sasl_free(s);
    sqauth_buf_reset(&out);

    /* Tokens that could smuggle kvpairs are refused. */
    s = make("XOAUTH2", "u", NULL, "abc\x01" "auth=x", NULL, 0);
    CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_ERR_INVALID_ARG);
    CHECK(s->failed);
    sqauth_sasl_free(s);
    s = make("OAUTHBEARER", "u\x01x", NULL, "abc", NULL, 0);
    CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_ERR_INVALID_ARG);
    sqauth_sasl_free(s);
    s = make("XOAUTH2", "u", NULL, NULL, NULL, 0);
    CHECK(s == NULL);
    sqauth_buf_wipe(&out);
}
