/*
 * The protocol layer (src/core/proto/) and the login policy
 * (src/core/policy.c): IMAP, POP3, SMTP and ManageSieve sessions opened, and then one
 * login, through the same core calls the PHP binding makes
 * (sqauth_session_open_socket(), sqauth_login(), sqauth_probe_mechanisms()),
 * over a socketpair whose far end carries the input and then ends.
 * Whatever the server says, the session must end in success or a clear
 * error: never a crash, never a wait (everything the server will ever send
 * is there from the start, so a timeout would be a hang), no secret in an
 * error or the transcript, the OpenSSL error queue left empty.
 *
 * Input: a selector byte, then the server's side of the conversation.
 *   bits 0-1  0 IMAP, 1 POP3, 2 SMTP, 3 ManageSieve
 *   bits 2-4  after the greeting and the capabilities:
 *             0, 6, 7  'auto' among every mechanism, cleartext allowed
 *             5        'auto' with the policy's own candidates, cleartext
 *                      refused (what authenticate('auto') does by default)
 *             1        IMAP LOGIN / POP3 USER+PASS with a non-ASCII user
 *                      name (SMTP and ManageSieve, which have none: PLAIN)
 *             2        probe the mechanism of bits 5-7 (probeChallenge());
 *                      bits 5-7 = 7: probe them all (detect())
 *             3        authenticate with the mechanism of bits 5-7 (the
 *                      token mechanisms with a token source: a server that
 *                      refuses the token as expired gets one fresh token)
 *             4        open with STARTTLS instead of the capabilities
 *   bits 5-7  PLAIN, LOGIN, CRAM-MD5, DIGEST-MD5, SCRAM-SHA-1,
 *             SCRAM-SHA-256-PLUS, OAUTHBEARER, XOAUTH2
 * After a successful login with a security layer, the session reads once
 * through it, as the PHP stream does; then the connection pool's check runs
 * on it (what release() does: IMAP UNSELECT + NOOP, SMTP RSET + EHLO,
 * ManageSieve NOOP); every session ends with a logout.
 */
#include "fuzz.h"
#include "conn.h"
#include "policy.h"
#include "pool.h"

#include <openssl/err.h>

#define PASSWORD "Pw\"fuzz\\0123"
#define PASSWORD_B64 "UHciZnV6elwwMTIz"     /* what LOGIN would send */

static const char *const chosen[8] = {
    "PLAIN", "LOGIN", "CRAM-MD5", "DIGEST-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256-PLUS", "OAUTHBEARER", "XOAUTH2",
};

/* After a login, what the session sends through its security layer, if it
 * has one. */
static void read_after_login(const fuzz_input *in, sqauth_session *s)
{
    char buf[512];
    size_t got = 0;
    int at_end = 0, rc;
    sqauth_error err;

    FUZZ_ASSERT(sqauth_session_is_authenticated(s));
    if (!sqauth_session_layer(s)) {
        return;
    }
    sqauth_error_clear(&err);
    rc = sqauth_session_read_available(s, buf, sizeof(buf), 1, &got, &at_end, &err);
    fuzz_check_error(in, rc, &err, PASSWORD);
    FUZZ_ASSERT(got <= sizeof(buf));
}

static int login(const fuzz_input *in, sqauth_session *s, sqauth_login_options *o)
{
    sqauth_error err;
    sqauth_str code;
    int rc;

    sqauth_error_clear(&err);
    rc = sqauth_login(s, o, &err);
    fuzz_check_error(in, rc, &err, PASSWORD);
    code = sqauth_str_c(sqauth_session_response_code(s));
    FUZZ_ASSERT(code.len < 64);
    FUZZ_ASSERT(rc != SQAUTH_ERR_TIMEOUT);
    if (rc == SQAUTH_OK) {
        read_after_login(in, s);
        if (sqauth_pool_protocol_poolable(sqauth_session_protocol(s))) {
            int check;
            sqauth_error_clear(&err);
            check = sqauth_pool_check(s, &err);
            fuzz_check_error(in, check, &err, PASSWORD);
            FUZZ_ASSERT(check != SQAUTH_ERR_TIMEOUT);
        }
    } else if (rc == SQAUTH_ERR_NOT_VERIFIED) {
        FUZZ_ASSERT(!sqauth_session_is_open(s));
    }
    return rc;
}

/* A token source as the binding's PHP callable is one: a token, and a
 * fresh one when the server refused the first as expired (the policy's
 * one retry on the same connection). */
static int fuzz_token(void *ctx, int refresh, sqauth_str *token, sqauth_error *err)
{
    int *calls = ctx;

    (void)err;
    FUZZ_ASSERT(++*calls <= 2 && refresh == (*calls == 2));
    *token = sqauth_str_c(refresh ? "ya29.Fuzz-Fresh_9876543210" : "ya29.Fuzz-Token_0123456789");
    return SQAUTH_OK;
}

/* What SqAuth\Connection::authenticate() passes: the user and password,
 * everything else a mechanism may want fixed (cnonce included) so that runs
 * are reproducible, and service, host and qop left to the policy. */
static void sasl_options(sqauth_login_options *o, const char *mech)
{
    sqauth_login_options_init(o);
    fuzz_sasl_config(&o->sasl, "user@example.org", PASSWORD);
    o->sasl.service = SQAUTH_STR_NULL;
    o->sasl.host = SQAUTH_STR_NULL;
    o->sasl.cnonce = sqauth_str_c("fyko+d2lbbFgONRv9qkxdawL");
    o->method = SQAUTH_LOGIN_SASL;
    o->mechanism = sqauth_str_c(mech);
    o->allow_plaintext = 1;
}

static int authenticate_auto(const fuzz_input *in, sqauth_session *s, int own_candidates)
{
    sqauth_login_options o;
    sqauth_str allowed[32];
    size_t i, n = sqauth_sasl_mech_count();

    sasl_options(&o, "auto");
    if (own_candidates) {
        o.allow_plaintext = 0;
    } else {
        FUZZ_ASSERT(n <= sizeof(allowed) / sizeof(allowed[0]));
        for (i = 0; i < n; i++) {
            allowed[i] = sqauth_str_c(sqauth_sasl_mech_at(i)->name);
        }
        o.allowed = allowed;
        o.allowed_count = n;
    }
    return login(in, s, &o);
}

static int command_login(const fuzz_input *in, sqauth_session *s)
{
    static const char user[] = "j\xc3\xbcrgen";     /* sent as an IMAP literal */
    sqauth_login_options o;
    int rc;

    sqauth_login_options_init(&o);
    o.method = SQAUTH_LOGIN_COMMAND;
    o.sasl.authcid = sqauth_str_c(user);
    o.sasl.password = sqauth_str_c(PASSWORD);
    o.allow_plaintext = 1;
    rc = login(in, s, &o);
    if (rc == SQAUTH_ERR_UNSUPPORTED) {
        /* SMTP and ManageSieve have no login command. */
        sasl_options(&o, "PLAIN");
        rc = login(in, s, &o);
    }
    return rc;
}

static int probe(const fuzz_input *in, sqauth_session *s, unsigned which)
{
    const char *names[32];
    int answers[32], rc;
    size_t count = 0;
    sqauth_error err;

    sqauth_error_clear(&err);
    if (which == 7) {
        FUZZ_ASSERT(sqauth_sasl_mech_count() <= sizeof(names) / sizeof(names[0]));
        rc = sqauth_probe_mechanisms(s, names, answers, &count, &err);
    } else {
        rc = sqauth_session_probe(s, chosen[which], &answers[0], NULL, &err);
    }
    fuzz_check_error(in, rc, &err, NULL);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = fuzz_input_make(data, size);
    unsigned sel = fuzz_byte(&in), action = (sel >> 2) & 7;
    static const char *const protocols[4] = {"imap", "pop3", "smtp", "sieve"};
    sqauth_session_options opts;
    sqauth_login_options o;
    fuzz_server srv;
    sqauth_session *s = NULL;
    sqauth_error err;
    size_t i;
    int rc, token_calls = 0;

    sqauth_session_options_init(&opts);
    opts.protocol = sqauth_protocol_find(protocols[sel & 3]);
    FUZZ_ASSERT(opts.protocol);
    opts.host = "mail.example.org";
    opts.helo = "client.example.org";
    opts.transcript = 1;
    opts.timeout_ms = 2000;
    opts.tls_mode = action == 4 ? SQAUTH_TLS_STARTTLS : SQAUTH_TLS_NONE;
    opts.tls.verify_peer = 0;
    opts.tls.verify_peer_name = 0;
    opts.tls.session_resumption = 0;
    FUZZ_ASSERT(sqauth_session_new(&s, &opts, &err) == SQAUTH_OK);

    sqauth_error_clear(&err);
    rc = sqauth_session_open_socket(s, fuzz_server_start(&srv, in.data, in.len), NULL, 0, NULL, &err);
    fuzz_check_error(&in, rc, &err, NULL);
    if (rc == SQAUTH_OK) {
        (void)sqauth_session_has_starttls(s);
        (void)sqauth_session_login_disabled(s);
        switch (action) {
        case 1:
            rc = command_login(&in, s);
            break;
        case 2:
            rc = probe(&in, s, sel >> 5);
            break;
        case 3:
            sasl_options(&o, chosen[sel >> 5]);
            o.token_fn = fuzz_token;
            o.token_ctx = &token_calls;
            rc = login(&in, s, &o);
            break;
        case 4:
            break;
        case 5:
            rc = authenticate_auto(&in, s, 1);
            break;
        default:
            rc = authenticate_auto(&in, s, 0);
            break;
        }
    }
    FUZZ_ASSERT(rc != SQAUTH_ERR_TIMEOUT);
    sqauth_session_logout(s);

    for (i = 0; i < sqauth_session_transcript_count(s); i++) {
        const char *t = sqauth_session_transcript_line(s, i)->text;
        fuzz_check_no_secret(&in, t, strlen(t), PASSWORD);
        fuzz_check_no_secret(&in, t, strlen(t), PASSWORD_B64);
        fuzz_check_no_secret(&in, t, strlen(t), "Fuzz-Token");
        fuzz_check_no_secret(&in, t, strlen(t), "Fuzz-Fresh");
    }
    FUZZ_ASSERT(ERR_peek_error() == 0);
    sqauth_session_free(s);     /* and its connection */
    fuzz_server_stop(&srv);
    return 0;
}
