/* PLAIN (RFC 4616), LOGIN, CRAM-MD5 (RFC 2195), EXTERNAL (RFC 4422). */
#include "check.h"
#include "sasl/sasl.h"

static sqauth_sasl *make(const char *mech, const char *user, const char *pass, const char *authzid)
{
    sqauth_sasl_config cfg;
    sqauth_sasl *s = NULL;
    sqauth_error err;

    memset(&cfg, 0, sizeof(cfg));
    cfg.authcid = sqauth_str_c(user);
    cfg.password = sqauth_str_c(pass);
    cfg.authzid = sqauth_str_c(authzid);
    CHECK_RC(sqauth_sasl_new(&s, mech, strlen(mech), &cfg, &err), SQAUTH_OK);
    return s;
}

void test_simple_mechs(void)
{
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    sqauth_sasl_config cfg;
    sqauth_sasl *s;
    int has;

    /* PLAIN, RFC 4616 / vectors.md */
    s = make("PLAIN", "tim", "tanstaaftanstaaf", NULL);
    CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_OK);
    CHECK(has == 1 && out.len == 21 && memcmp(out.data, "\0tim\0tanstaaftanstaaf", 21) == 0);
    CHECK(s->complete);
    CHECK_RC(sqauth_sasl_step(s, (const unsigned char *)"", 0, &out, &err), SQAUTH_ERR_STATE);
    sqauth_sasl_free(s);
    sqauth_buf_reset(&out);

    s = make("plain", "tim", "pw", "admin");
    CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_OK);
    CHECK(out.len == 12 && memcmp(out.data, "admin\0tim\0pw", 12) == 0);
    sqauth_sasl_free(s);
    sqauth_buf_reset(&out);

    /* LOGIN: user name, then password, whatever the prompts say. */
    s = make("LOGIN", "tim", "pw", NULL);
    CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_OK);
    CHECK(has == 0);
    CHECK_RC(sqauth_sasl_step(s, (const unsigned char *)"Username:", 9, &out, &err), SQAUTH_OK);
    CHECK_BYTES(out.data, out.len, "tim");
    sqauth_buf_reset(&out);
    CHECK_RC(sqauth_sasl_step(s, (const unsigned char *)"Password:", 9, &out, &err), SQAUTH_OK);
    CHECK_BYTES(out.data, out.len, "pw");
    CHECK(s->complete && !s->server_verified);
    sqauth_sasl_free(s);
    sqauth_buf_reset(&out);

    /* CRAM-MD5, RFC 2195 §2 */
    s = make("CRAM-MD5", "tim", "tanstaaftanstaaf", NULL);
    CHECK_RC(sqauth_sasl_step(s, (const unsigned char *)"<1896.697170952@postoffice.reston.mci.net>", 42, &out, &err), SQAUTH_OK);
    CHECK_BYTES(out.data, out.len, "tim b913a602c7eda7a495b4e6e7334d3890");
    CHECK(s->complete);
    sqauth_sasl_free(s);
    sqauth_buf_reset(&out);

    s = make("CRAM-MD5", "tim", "x", NULL);
    CHECK_RC(sqauth_sasl_step(s, (const unsigned char *)"", 0, &out, &err), SQAUTH_ERR_MALFORMED);
    CHECK(s->failed);
    CHECK_RC(sqauth_sasl_step(s, (const unsigned char *)"<x>", 3, &out, &err), SQAUTH_ERR_STATE);
    sqauth_sasl_free(s);
    sqauth_buf_reset(&out);

    /* EXTERNAL: an empty initial response is still one. */
    memset(&cfg, 0, sizeof(cfg));
    CHECK_RC(sqauth_sasl_new(&s, "EXTERNAL", 8, &cfg, &err), SQAUTH_OK);
    CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_OK);
    CHECK(has == 1 && out.len == 0);
    sqauth_sasl_free(s);

    /* Credentials checked before any exchange. */
    CHECK_RC(sqauth_sasl_new(&s, "PLAIN", 5, &cfg, &err), SQAUTH_ERR_INVALID_ARG);
    CHECK(s == NULL);
    CHECK(strstr(err.message, "authcid") != NULL);
    cfg.authcid.data = "a\0b";
    cfg.authcid.len = 3;
    cfg.password = sqauth_str_c("pw");
    CHECK_RC(sqauth_sasl_new(&s, "PLAIN", 5, &cfg, &err), SQAUTH_ERR_INVALID_ARG);
    CHECK_RC(sqauth_sasl_new(&s, "NTLM", 4, &cfg, &err), SQAUTH_ERR_UNSUPPORTED);
    sqauth_buf_wipe(&out);
}
