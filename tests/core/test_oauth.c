/* OAUTHBEARER (RFC 7628 §4.1 example) and XOAUTH2; their servers' error
 * documents (oauth_parse.c). */
#include "check.h"
#include "sasl/sasl.h"
#include "sasl/oauth_parse.h"

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

static void test_oauth_error_status(void);

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
    test_oauth_error_status();
}

/* The "status" of an error document, or NULL when there is none to trust. */
static const char *status_of(const char *doc, size_t len)
{
    static char out[64];
    sqauth_str st;

    if (!sqauth_oauth_error_status(doc, len, &st)) {
        return NULL;
    }
    snprintf(out, sizeof(out), "%.*s", (int)st.len, st.data);
    return out;
}

static void test_oauth_error_status(void)
{
    static const struct {
        const char *doc;
        const char *status;      /* NULL: none */
    } cases[] = {
        /* RFC 7628 §4.3, Dovecot 2.3 (OAUTHBEARER, XOAUTH2), Gmail */
        {"{\"status\":\"invalid_token\",\"scope\":\"example_scope\",\"openid-configuration\":"
         "\"https://example.com/.well-known/openid-configuration\"}", "invalid_token"},
        {"{\"status\":\"invalid_token\"}", "invalid_token"},
        {"{\"status\":\"401\",\"schemes\":\"bearer\",\"scope\":\"mail\"}", "401"},
        {"{\"status\":\"400\",\"schemes\":\"Bearer\",\"scope\":\"https://mail.google.com/\"}", "400"},
        /* white space, other members of any type, a number */
        {" \r\n{ \"scope\" : [ 1, -2.5e+3, true, false, null, {\"a\":[]} ] ,\n \"status\" : 401 } \t", "401"},
        {"{\"x\":{\"status\":\"nested, not ours\"},\"status\":\"insufficient_scope\"}", "insufficient_scope"},
        {"{\"x\":\"\\u00e9\\\"\\\\\\/\\b\\f\\n\\r\\t\",\"status\":\"invalid_token\"}", "invalid_token"},
        {"{\"status\":\"\"}", ""},
        /* none to trust */
        {"", NULL},
        {"invalid_token", NULL},
        {"\"invalid_token\"", NULL},
        {"[{\"status\":\"invalid_token\"}]", NULL},
        {"{}", NULL},
        {"{\"x\":{\"status\":\"invalid_token\"}}", NULL},
        {"{\"status\":\"invalid_token\",\"status\":\"401\"}", NULL},
        {"{\"status\":\"invalid_token\"} x", NULL},
        {"{\"status\":\"invalid_token\"}{}", NULL},
        {"{\"status\":\"invalid_token\"", NULL},
        {"{\"status\":\"invalid_token\",}", NULL},
        {"{\"status\":\"inv\\u0061lid_token\"}", NULL},
        {"{\"st\\u0061tus\":\"invalid_token\"}", NULL},
        {"{\"status\":true}", NULL},
        {"{\"status\":null}", NULL},
        {"{\"status\":[\"invalid_token\"]}", NULL},
        {"{\"status\":\"invalid\ttoken\"}", NULL},
        {"{\"status\":\"x\",\"y\":\"\\q\"}", NULL},
        {"{\"status\":\"x\",\"y\":\"\\u12\"}", NULL},
        {"{\"status\":01}", NULL},
        {"{\"status\":1.}", NULL},
        {"{\"status\":-}", NULL},
        {"{\"status\":1e}", NULL},
        {"{'status':'invalid_token'}", NULL},
        {"{\"status\":\"invalid_token\",\"x\":tru}", NULL},
        {"{\"status\" \"invalid_token\"}", NULL},
    };
    char deep[64];
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        const char *got = status_of(cases[i].doc, strlen(cases[i].doc));
        if (cases[i].status ? !got || strcmp(got, cases[i].status) != 0 : got != NULL) {
            fprintf(stderr, "FAIL oauth status of %s: %s\n", cases[i].doc, got ? got : "(none)");
        }
        CHECK(cases[i].status ? got && strcmp(got, cases[i].status) == 0 : got == NULL);
    }
    /* A NUL inside is not JSON; nesting is capped; so is the size. */
    CHECK(status_of("{\"status\":\"a\0b\"}", 17) == NULL);
    CHECK(status_of("{\"status\":\"401\"}\0", 17) == NULL);
    memset(deep, 0, sizeof(deep));
    strcpy(deep, "{\"status\":\"401\",\"x\":[[[");
    CHECK(status_of(deep, strlen(deep)) == NULL); /* unterminated */
    {
        char doc[200];
        size_t n;
        /* depth 16 (the object and 15 arrays) is read; 17 is not */
        for (n = 15; n <= 16; n++) {
            size_t k, len = 0;
            len += (size_t)snprintf(doc, sizeof(doc), "{\"status\":\"401\",\"x\":");
            for (k = 0; k < n; k++) {
                doc[len++] = '[';
            }
            for (k = 0; k < n; k++) {
                doc[len++] = ']';
            }
            doc[len++] = '}';
            CHECK((status_of(doc, len) != NULL) == (n == 15));
        }
    }
    {
        static char big[SQAUTH_OAUTH_MAX_DOCUMENT + 2];
        size_t n = sizeof(big) - 1;
        memset(big, ' ', n);
        memcpy(big, "{\"status\":\"401\"}", 16);
        CHECK(status_of(big, SQAUTH_OAUTH_MAX_DOCUMENT) != NULL);
        CHECK(status_of(big, n) == NULL);
    }
}
