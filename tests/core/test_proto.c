/*
 * proto/ and the login policy (policy.c) against a scripted server on a
 * socketpair (scripted_server.h): greetings, STARTTLS (not offered,
 * refused, injected bytes, a real handshake), capabilities, and every
 * outcome of a login: success with and without a server proof, refusal
 * with its response code, a client-side failure cancelled with "*", the
 * policy's refusals before anything is sent, the site-wide SMTP account.
 * The SCRAM exchange is the one of tests/fuzz/corpus/session (the fuzz
 * harness's fixed credentials and client nonce).
 */
#include "check.h"
#include "policy.h"
#include "scripted_server.h"

#include <stdlib.h>

#define USER "user@example.org"
#define PASSWORD "Pw\"fuzz\\0123"
#define CNONCE "fyko+d2lbbFgONRv9qkxdawL"
#define SCRAM_FIRST "cj1meWtvK2QybGJiRmdPTlJ2OXFreGRhd0xSMGIzYk4wbmNlKy94LHM9Wkc5MlpXTnZkQzF6WVd4MExURTJZZz09LGk9NDA5Ng=="
#define SCRAM_FINAL "dj1BOUgxUTVyVFBMR1crYnFTQ0srUU1nWTdWeUROSEx0TU5GMnZINSs3MkRRPQ=="
#define IMAP_GREETING "* OK [CAPABILITY IMAP4rev1 SASL-IR LITERAL+ STARTTLS AUTH=PLAIN AUTH=CRAM-MD5 " \
                      "AUTH=SCRAM-SHA-256] ready.\r\n"

typedef struct test_session {
    scripted_server srv;
    sqauth_session *s;
    sqauth_error err;
    int rc;                      /* of the open */
} test_session;

/* A session of protocol over the script, opened (greeting, STARTTLS or
 * capabilities) with the TLS mode given; certificates are not checked (the
 * scripted server's is self-signed). */
static void start_with(test_session *t, const script_step *steps, const char *protocol, sqauth_tls_mode mode,
                       int sitewide)
{
    sqauth_session_options o;
    int fd = scripted_start(&t->srv, steps);

    sqauth_session_options_init(&o);
    o.protocol = sqauth_protocol_find(protocol);
    o.host = "mail.example.org";
    o.helo = "client.example.org";
    o.tls_mode = mode;
    o.transcript = 1;
    o.timeout_ms = 5000;
    o.tls.verify_peer = 0;
    o.tls.verify_peer_name = 0;
    o.tls.session_resumption = 0;
    if (sitewide) {
        o.sitewide_user = sqauth_str_c("site");
        o.sitewide_password = sqauth_str_c("site-secret");
    }
    sqauth_error_clear(&t->err);
    CHECK(fd >= 0 && o.protocol);
    CHECK_RC(sqauth_session_new(&t->s, &o, &t->err), SQAUTH_OK);
    t->rc = sqauth_session_open_socket(t->s, fd, NULL, 0, NULL, &t->err);
}

/* With the site-wide SMTP account "site" (used on SMTP only). */
static void start(test_session *t, const script_step *steps, const char *protocol, sqauth_tls_mode mode)
{
    start_with(t, steps, protocol, mode, 1);
}

/* Ends the session and the script (a logout is the test's to ask for:
 * it waits for the server's reply). */
static void finish(test_session *t)
{
    sqauth_session_free(t->s);
    scripted_finish(&t->srv);
}

static int login(test_session *t, const char *mech, int allow_plaintext)
{
    sqauth_login_options o;

    sqauth_login_options_init(&o);
    o.mechanism = sqauth_str_c(mech);
    o.sasl.authcid = sqauth_str_c(USER);
    o.sasl.password = sqauth_str_c(PASSWORD);
    o.sasl.cnonce = sqauth_str_c(CNONCE);
    o.allow_plaintext = allow_plaintext;
    sqauth_error_clear(&t->err);
    return sqauth_login(t->s, &o, &t->err);
}

static int transcript_has(const sqauth_session *s, const char *text)
{
    size_t i;
    for (i = 0; i < sqauth_session_transcript_count(s); i++) {
        if (strstr(sqauth_session_transcript_line(s, i)->text, text)) {
            return 1;
        }
    }
    return 0;
}

static void test_imap_greetings(void)
{
    static const script_step bye[] = {SEND("* BYE go away\r\n"), END};
    static const script_step other[] = {SEND("+OK I am POP3\r\n"), END};
    static const script_step no_caps[] = {SEND("* OK hello\r\n"), EXPECT("A0001 CAPABILITY"),
                                          SEND("* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\nA0001 OK done\r\n"),
                                          EXPECT("A0002 LOGOUT"), SEND("* BYE\r\nA0002 OK bye\r\n"), END};
    test_session t;

    start(&t, bye, "imap", SQAUTH_TLS_NONE);
    CHECK_RC(t.rc, SQAUTH_ERR_PROTOCOL);
    CHECK(strstr(t.err.message, "refused the connection") != NULL);
    finish(&t);

    start(&t, other, "imap", SQAUTH_TLS_NONE);
    CHECK_RC(t.rc, SQAUTH_ERR_PROTOCOL);
    CHECK(strstr(t.err.message, "not an IMAP greeting") != NULL);
    finish(&t);

    /* No capabilities in the greeting: CAPABILITY is asked. */
    start(&t, no_caps, "imap", SQAUTH_TLS_NONE);
    CHECK_RC(t.rc, SQAUTH_OK);
    CHECK(t.srv.ok);
    CHECK(sqauth_session_capability_count(t.s) == 2 && sqauth_session_caps_are_atoms(t.s));
    CHECK(strcmp(sqauth_session_greeting_text(t.s), "* OK hello") == 0);
    sqauth_session_logout(t.s);
    finish(&t);
    CHECK(t.srv.ok && scripted_got(&t.srv, "A0002 LOGOUT"));
}

static void test_imap_logins(void)
{
    static const script_step scram_ok[] = {
        SEND(IMAP_GREETING), EXPECT("A0001 AUTHENTICATE SCRAM-SHA-256 "), SEND("+ " SCRAM_FIRST "\r\n"),
        EXPECT(""), SEND("+ " SCRAM_FINAL "\r\n"), EXPECT(""), SEND("A0001 OK Logged in\r\n"), END};
    static const script_step scram_unproven[] = {
        SEND(IMAP_GREETING), EXPECT("A0001 AUTHENTICATE SCRAM-SHA-256 "), SEND("+ " SCRAM_FIRST "\r\n"),
        EXPECT(""), SEND("A0001 OK Logged in\r\n"), END};
    static const script_step refused[] = {
        SEND(IMAP_GREETING), EXPECT("A0001 AUTHENTICATE CRAM-MD5"), SEND("+ PDEyMzQ1QGV4YW1wbGUub3JnPg==\r\n"),
        EXPECT(""), SEND("A0001 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"),
        EXPECT("A0002 LOGOUT"), SEND("A0002 OK\r\n"), END};
    static const script_step cancelled[] = {
        SEND(IMAP_GREETING), EXPECT("A0001 AUTHENTICATE SCRAM-SHA-256 "), SEND("+ bm90IGEgc2VydmVyLWZpcnN0\r\n"),
        EXPECT("*"), SEND("A0001 BAD Authentication aborted by client.\r\n"),
        EXPECT("A0002 LOGOUT"), SEND("A0002 OK\r\n"), END};
    test_session t;

    /* 'auto' in the clear: the strongest password mechanism that does not
     * send the password (SCRAM-SHA-256), proven by the server. */
    start(&t, scram_ok, "imap", SQAUTH_TLS_NONE);
    CHECK_RC(login(&t, "auto", 0), SQAUTH_OK);
    CHECK(t.srv.ok && sqauth_session_is_authenticated(t.s) && sqauth_session_is_open(t.s));
    CHECK(sqauth_session_capability_count(t.s) == 0); /* read again on demand */
    CHECK(transcript_has(t.s, "AUTHENTICATE SCRAM-SHA-256 <redacted>") && !transcript_has(t.s, PASSWORD));
    /* A second login is refused before anything is sent. */
    CHECK_RC(login(&t, "PLAIN", 1), SQAUTH_ERR_PROTOCOL);
    CHECK(sqauth_session_response(t.s).len == 0);
    finish(&t);

    /* OK without the server signature: not trusted, the connection is shut
     * and nothing more is sent, not even LOGOUT. */
    start(&t, scram_unproven, "imap", SQAUTH_TLS_NONE);
    CHECK_RC(login(&t, "SCRAM-SHA-256", 0), SQAUTH_ERR_NOT_VERIFIED);
    CHECK(strstr(t.err.message, "(no valid server signature)") != NULL);
    CHECK(!sqauth_session_is_open(t.s));
    CHECK_RC(login(&t, "PLAIN", 1), SQAUTH_ERR_CLOSED);
    sqauth_session_logout(t.s);
    finish(&t);
    CHECK(!scripted_got(&t.srv, "A0002 LOGOUT"));

    start(&t, refused, "imap", SQAUTH_TLS_NONE);
    CHECK_RC(login(&t, "CRAM-MD5", 0), SQAUTH_ERR_AUTH);
    CHECK(strcmp(sqauth_session_response_code(t.s), "AUTHENTICATIONFAILED") == 0);
    CHECK(strstr(sqauth_session_response(t.s).data, "A0001 NO") != NULL);
    CHECK(sqauth_session_is_open(t.s) && !sqauth_session_is_authenticated(t.s));
    sqauth_session_logout(t.s);
    finish(&t);
    CHECK(t.srv.ok && scripted_got(&t.srv, "A0002 LOGOUT"));

    /* The client cannot use the challenge: "*", the server's answer, and
     * the connection stays usable. */
    start(&t, cancelled, "imap", SQAUTH_TLS_NONE);
    CHECK_RC(login(&t, "SCRAM-SHA-256", 0), SQAUTH_ERR_MALFORMED);
    CHECK(sqauth_session_is_open(t.s));
    sqauth_session_logout(t.s);
    finish(&t);
    CHECK(t.srv.ok && scripted_got(&t.srv, "*") && scripted_got(&t.srv, "A0002 LOGOUT"));
}

/* What the policy refuses sends nothing: the script expects only LOGOUT. */
static void test_policy_refusals(void)
{
    static const script_step greeting_only[] = {
        SEND("* OK [CAPABILITY IMAP4rev1 LOGINDISABLED AUTH=PLAIN AUTH=SCRAM-SHA-256 AUTH=SCRAM-SHA-256-PLUS "
             "AUTH=XOAUTH2] ready.\r\n"),
        EXPECT("A0001 LOGOUT"), SEND("A0001 OK\r\n"), END};
    sqauth_login_options o;
    test_session t;

    start(&t, greeting_only, "imap", SQAUTH_TLS_NONE);
    CHECK_RC(login(&t, "PLAIN", 0), SQAUTH_ERR_POLICY);
    CHECK(strstr(t.err.message, "refusing to send the password in the clear with PLAIN") != NULL);
    CHECK_RC(login(&t, "XOAUTH2", 0), SQAUTH_ERR_POLICY);
    CHECK(strstr(t.err.message, "bearer token") != NULL);
    CHECK_RC(login(&t, "CRAM-MD5", 0), SQAUTH_ERR_UNSUPPORTED);
    CHECK(strstr(t.err.message, "does not offer CRAM-MD5 (it offers PLAIN, SCRAM-SHA-256") != NULL);
    CHECK_RC(login(&t, "NO-SUCH-MECH", 0), SQAUTH_ERR_UNSUPPORTED);
    /* -PLUS binds to a TLS connection there is none of. */
    CHECK_RC(login(&t, "SCRAM-SHA-256-PLUS", 0), SQAUTH_ERR_POLICY);
    CHECK(strstr(t.err.message, "channel binding needs a TLS connection") != NULL);
    /* A token mechanism without a token, allowed in the clear. */
    CHECK_RC(login(&t, "XOAUTH2", 1), SQAUTH_ERR_INVALID_ARG);
    /* 'auto' among mechanisms the server does not offer. */
    sqauth_login_options_init(&o);
    o.mechanism = sqauth_str_c("auto");
    o.sasl.authcid = sqauth_str_c(USER);
    o.sasl.password = sqauth_str_c(PASSWORD);
    o.allowed = &o.sasl.authcid; /* "user@example.org" is no mechanism */
    o.allowed_count = 1;
    CHECK_RC(sqauth_login(t.s, &o, &t.err), SQAUTH_ERR_UNSUPPORTED);
    CHECK(strstr(t.err.message, "no usable SASL mechanism") != NULL);
    /* LOGIN in the clear, and LOGINDISABLED even when allowed. */
    o.method = SQAUTH_LOGIN_COMMAND;
    CHECK_RC(sqauth_login(t.s, &o, &t.err), SQAUTH_ERR_POLICY);
    CHECK(strstr(t.err.message, "with LOGIN on an unencrypted connection") != NULL);
    o.allow_plaintext = 1;
    CHECK_RC(sqauth_login(t.s, &o, &t.err), SQAUTH_ERR_POLICY);
    CHECK(strstr(t.err.message, "LOGINDISABLED") != NULL);
    CHECK(sqauth_session_login_disabled(t.s));
    sqauth_session_logout(t.s);
    finish(&t);
    CHECK(t.srv.ok && strcmp(t.srv.got, "A0001 LOGOUT\n") == 0);
}

static void test_starttls(void)
{
    static const script_step not_offered[] = {SEND("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] hi\r\n"), END};
    static const script_step refused[] = {
        SEND(IMAP_GREETING), EXPECT("A0001 STARTTLS"), SEND("A0001 NO not now\r\n"), END};
    static const script_step injected[] = {
        SEND(IMAP_GREETING), EXPECT("A0001 STARTTLS"), SEND("A0001 OK Begin TLS\r\n* OK injected\r\n"), END};
    static const script_step handshake[] = {
        SEND(IMAP_GREETING), EXPECT("A0001 STARTTLS"), SEND("A0001 OK Begin TLS\r\n"), START_TLS,
        EXPECT("A0002 CAPABILITY"), SEND("* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN\r\nA0002 OK\r\n"),
        EXPECT("A0003 AUTHENTICATE PLAIN "), SEND("A0003 OK Logged in\r\n"), END};
    sqauth_tls_info info;
    test_session t;

    start(&t, not_offered, "imap", SQAUTH_TLS_STARTTLS);
    CHECK_RC(t.rc, SQAUTH_ERR_PROTOCOL);
    CHECK(strstr(t.err.message, "does not offer STARTTLS") != NULL);
    finish(&t);

    start(&t, refused, "imap", SQAUTH_TLS_STARTTLS);
    CHECK_RC(t.rc, SQAUTH_ERR_PROTOCOL);
    CHECK(strcmp(sqauth_session_response(t.s).data, "A0001 NO not now") == 0);
    finish(&t);

    start(&t, injected, "imap", SQAUTH_TLS_STARTTLS);
    CHECK_RC(t.rc, SQAUTH_ERR_PROTOCOL);
    CHECK(strstr(t.err.message, "possible response injection") != NULL);
    finish(&t);

    /* A real handshake; the capabilities learnt in plaintext are replaced,
     * and over TLS PLAIN needs no permission. */
    start(&t, handshake, "imap", SQAUTH_TLS_STARTTLS);
    CHECK_RC(t.rc, SQAUTH_OK);
    CHECK(sqauth_session_is_encrypted(t.s) && sqauth_session_has_starttls(t.s));
    CHECK(sqauth_session_capability_count(t.s) == 3);
    CHECK(sqauth_session_tls_info(t.s, &info) && strcmp(info.protocol, "TLSv1.3") == 0 && !info.verified);
    CHECK_RC(login(&t, "PLAIN", 0), SQAUTH_OK);
    finish(&t);
    CHECK(t.srv.ok);
}

static void test_pop3(void)
{
    static const script_step user_pass[] = {
        SEND("+OK ready\r\n"), EXPECT("CAPA"), SEND("+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n"),
        EXPECT("USER " USER), SEND("+OK\r\n"), EXPECT("PASS "), SEND("+OK logged in\r\n"), END};
    static const script_step no_user[] = {
        SEND("+OK ready\r\n"), EXPECT("CAPA"), SEND("+OK\r\nSTLS\r\nSASL SCRAM-SHA-1\r\n.\r\n"),
        EXPECT("QUIT"), SEND("+OK bye\r\n"), END};
    static const script_step refused[] = {
        SEND("+OK ready\r\n"), EXPECT("CAPA"), SEND("+OK\r\nSASL PLAIN\r\n.\r\n"),
        EXPECT("AUTH PLAIN "), SEND("-ERR [AUTH] wrong\r\n"), END};
    sqauth_login_options o;
    test_session t;

    start(&t, user_pass, "pop3", SQAUTH_TLS_NONE);
    CHECK_RC(t.rc, SQAUTH_OK);
    sqauth_login_options_init(&o);
    o.method = SQAUTH_LOGIN_COMMAND;
    o.sasl.authcid = sqauth_str_c(USER);
    o.sasl.password = sqauth_str_c(PASSWORD);
    o.allow_plaintext = 1;
    CHECK_RC(sqauth_login(t.s, &o, &t.err), SQAUTH_OK);
    CHECK(transcript_has(t.s, "PASS <redacted>") && !transcript_has(t.s, PASSWORD));
    finish(&t);
    CHECK(t.srv.ok);

    /* CAPA without USER: USER/PASS would be refused (RFC 2449 §6.8). */
    start(&t, no_user, "pop3", SQAUTH_TLS_NONE);
    CHECK(sqauth_session_login_disabled(t.s) && sqauth_session_has_starttls(t.s));
    CHECK_RC(sqauth_login(t.s, &o, &t.err), SQAUTH_ERR_POLICY);
    sqauth_session_logout(t.s);
    finish(&t);
    CHECK(t.srv.ok);

    start(&t, refused, "pop3", SQAUTH_TLS_NONE);
    CHECK_RC(login(&t, "PLAIN", 1), SQAUTH_ERR_AUTH);
    CHECK(strcmp(sqauth_session_response_code(t.s), "AUTH") == 0);
    finish(&t);
}

static void test_smtp(void)
{
    static const script_step helo_fallback[] = {
        SEND("220 mx ESMTP\r\n"), EXPECT("EHLO client.example.org"), SEND("500 what\r\n"),
        EXPECT("HELO client.example.org"), SEND("250 mx\r\n"), END};
    /* "\0site\0site-secret": the site-wide account, not the caller's. */
    static const script_step sitewide[] = {
        SEND("220 mx ESMTP\r\n"), EXPECT("EHLO client.example.org"),
        SEND("250-mx\r\n250-SIZE 1000\r\n250 AUTH=LOGIN PLAIN\r\n"),
        EXPECT("AUTH PLAIN AHNpdGUAc2l0ZS1zZWNyZXQ="), SEND("235 2.7.0 ok\r\n"), EXPECT("QUIT"),
        SEND("221 bye\r\n"), END};
    static const script_step refused[] = {
        SEND("220 mx ESMTP\r\n"), EXPECT("EHLO"), SEND("250-mx\r\n250 AUTH PLAIN\r\n"),
        EXPECT("AUTH PLAIN "), SEND("535 5.7.8 no\r\n"), END};
    test_session t;

    /* EHLO refused: HELO, and a server without extensions. */
    start(&t, helo_fallback, "smtp", SQAUTH_TLS_NONE);
    CHECK_RC(t.rc, SQAUTH_OK);
    CHECK(sqauth_session_capability_count(t.s) == 0 && !sqauth_session_caps_are_atoms(t.s));
    finish(&t);
    CHECK(t.srv.ok);

    start(&t, sitewide, "smtp", SQAUTH_TLS_NONE);
    CHECK_RC(login(&t, "auto", 1), SQAUTH_OK);
    /* SMTP keeps its EHLO list after login. */
    CHECK(sqauth_session_capability_count(t.s) == 2);
    sqauth_session_logout(t.s);
    finish(&t);
    CHECK(t.srv.ok);

    start(&t, refused, "smtp", SQAUTH_TLS_NONE);
    CHECK_RC(login(&t, "PLAIN", 1), SQAUTH_ERR_AUTH);
    CHECK(strcmp(sqauth_session_response_code(t.s), "535 5.7.8") == 0);
    finish(&t);
}

/* RFC 5804: strings quoted or as literals, the capability list as the
 * greeting, the mechanism's last message in OK (SASL "..."), response codes
 * in parentheses. */
static void test_sieve(void)
{
    static const script_step scram_final_in_ok[] = {
        SEND("\"IMPLEMENTATION\" \"Example\"\r\n\"SASL\" {19}\r\nPLAIN SCRAM-SHA-256\r\n"
             "\"SIEVE\" \"fileinto \\\"x\\\\y\\\"\"\r\n\"VERSION\" \"1.0\"\r\nOK \"ready\"\r\n"),
        EXPECT("AUTHENTICATE \"SCRAM-SHA-256\" \""), SEND("{" "100" "}\r\n" SCRAM_FIRST "\r\n"),
        EXPECT("\""), SEND("OK (SASL \"" SCRAM_FINAL "\") \"Logged in.\"\r\n"), END};
    static const script_step refused[] = {
        SEND("\"SASL\" \"PLAIN\"\r\nOK \"hi\"\r\n"), EXPECT("AUTHENTICATE \"PLAIN\" "),
        SEND("NO (AUTH-TOO-WEAK) \"use TLS\"\r\n"), EXPECT("LOGOUT"), SEND("OK \"bye\"\r\n"), END};
    static const script_step long_response[] = {
        SEND("\"SASL\" \"XOAUTH2\"\r\nOK \"hi\"\r\n"), EXPECT("AUTHENTICATE \"XOAUTH2\" {"), EXPECT("dXNlcj"),
        SEND("OK\r\n"), END};
    static const script_step bye[] = {SEND("BYE \"too busy\"\r\n"), END};
    static const script_step malformed[] = {SEND("\"SASL\" \"PLAIN\r\nOK\r\n"), END};
    char token[1200];
    sqauth_login_options o;
    const sqauth_capability *cap;
    size_t i;
    test_session t;

    start(&t, scram_final_in_ok, "sieve", SQAUTH_TLS_NONE);
    CHECK_RC(t.rc, SQAUTH_OK);
    CHECK(sqauth_session_capability_count(t.s) == 4 && !sqauth_session_caps_are_atoms(t.s));
    cap = sqauth_session_capability(t.s, 1);
    CHECK(cap && strcmp(cap->name, "SASL") == 0 && strcmp(cap->value, "PLAIN SCRAM-SHA-256") == 0);
    cap = sqauth_session_capability(t.s, 2);
    CHECK(cap && strcmp(cap->value, "fileinto \"x\\y\"") == 0);
    CHECK(strcmp(sqauth_session_greeting_text(t.s), "OK \"ready\"") == 0);
    /* The server signature comes with OK, and is checked. */
    CHECK_RC(login(&t, "SCRAM-SHA-256", 0), SQAUTH_OK);
    CHECK(transcript_has(t.s, "AUTHENTICATE \"SCRAM-SHA-256\" \"<redacted>\"") && !transcript_has(t.s, PASSWORD));
    finish(&t);
    CHECK(t.srv.ok);

    start(&t, refused, "sieve", SQAUTH_TLS_NONE);
    CHECK_RC(login(&t, "PLAIN", 1), SQAUTH_ERR_AUTH);
    CHECK(strcmp(sqauth_session_response_code(t.s), "AUTH-TOO-WEAK") == 0);
    CHECK(strcmp(sqauth_session_response(t.s).data, "NO (AUTH-TOO-WEAK) \"use TLS\"") == 0);
    sqauth_session_logout(t.s);
    finish(&t);
    CHECK(t.srv.ok);

    /* An initial response over RFC 5804's 1024 octets of a quoted string
     * goes as a literal. */
    memset(token, 'a', sizeof(token) - 1);
    token[sizeof(token) - 1] = '\0';
    start(&t, long_response, "sieve", SQAUTH_TLS_NONE);
    sqauth_login_options_init(&o);
    o.mechanism = sqauth_str_c("XOAUTH2");
    o.sasl.authcid = sqauth_str_c("user");
    o.sasl.token = sqauth_str_c(token);
    o.allow_plaintext = 1;
    CHECK_RC(sqauth_login(t.s, &o, &t.err), SQAUTH_OK);
    for (i = 0; i < sqauth_session_transcript_count(t.s); i++) {
        CHECK(!strstr(sqauth_session_transcript_line(t.s, i)->text, "YWFhYWFh"));
    }
    finish(&t);
    CHECK(t.srv.ok);

    start(&t, bye, "sieve", SQAUTH_TLS_NONE);
    CHECK_RC(t.rc, SQAUTH_ERR_PROTOCOL);
    CHECK(strstr(t.err.message, "refused the connection: BYE") != NULL);
    finish(&t);

    start(&t, malformed, "sieve", SQAUTH_TLS_NONE);
    CHECK_RC(t.rc, SQAUTH_ERR_PROTOCOL);
    CHECK(strstr(t.err.message, "malformed ManageSieve capability") != NULL);
    finish(&t);
}

/* ---- OAuth 2.0 tokens that expire: the policy's one refresh ---- */

#define OB_FIRST "bixhPXVzZXJAZXhhbXBsZS5vcmcsAWhvc3Q9bWFpbC5leGFtcGxlLm9yZwFhdXRoPUJlYXJlciB5YTI5LmZpcnN0AQE="
#define OB_FRESH "bixhPXVzZXJAZXhhbXBsZS5vcmcsAWhvc3Q9bWFpbC5leGFtcGxlLm9yZwFhdXRoPUJlYXJlciB5YTI5LmZyZXNoAQE="
#define XO_FIRST "dXNlcj11c2VyQGV4YW1wbGUub3JnAWF1dGg9QmVhcmVyIHlhMjkuZmlyc3QBAQ=="
#define XO_FRESH "dXNlcj11c2VyQGV4YW1wbGUub3JnAWF1dGg9QmVhcmVyIHlhMjkuZnJlc2gBAQ=="
#define JSON_INVALID "eyJzdGF0dXMiOiJpbnZhbGlkX3Rva2VuIiwic2NvcGUiOiJtYWlsIn0=" /* {"status":"invalid_token","scope":"mail"} */
#define JSON_SCOPE "eyJzdGF0dXMiOiJpbnN1ZmZpY2llbnRfc2NvcGUifQ=="                /* {"status":"insufficient_scope"} */
#define JSON_401 "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIiwic2NvcGUiOiJtYWlsIn0="
#define OAUTH_GREETING "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=OAUTHBEARER AUTH=XOAUTH2] ready.\r\n"
#define OAUTH_NO "NO [AUTHENTICATIONFAILED] Authentication failed.\r\n"

/* A token source: "ya29.first", then "ya29.fresh"; records each call's
 * refresh flag; fails the call numbered fail_at (1-based) when set. */
typedef struct token_source {
    int calls;
    int refresh[4];
    int fail_at;
} token_source;

static int next_token(void *ctx, int refresh, sqauth_str *token, sqauth_error *err)
{
    token_source *t = ctx;

    if (t->calls < 4) {
        t->refresh[t->calls] = refresh;
    }
    if (++t->calls == t->fail_at) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "no token today");
    }
    *token = sqauth_str_c(t->calls == 1 ? "ya29.first" : "ya29.fresh");
    return SQAUTH_OK;
}

static int token_login(test_session *t, const char *mech, token_source *src)
{
    sqauth_login_options o;

    sqauth_login_options_init(&o);
    o.mechanism = sqauth_str_c(mech);
    o.sasl.authcid = sqauth_str_c(USER);
    o.allow_plaintext = 1;
    if (src) {
        o.token_fn = next_token;
        o.token_ctx = src;
    } else {
        o.sasl.token = sqauth_str_c("ya29.first");
    }
    sqauth_error_clear(&t->err);
    return sqauth_login(t->s, &o, &t->err);
}

static void test_token_refresh(void)
{
    /* invalid_token: one fresh token, on the same connection. */
    static const script_step refreshed[] = {
        SEND(OAUTH_GREETING), EXPECT("A0001 AUTHENTICATE OAUTHBEARER " OB_FIRST), SEND("+ " JSON_INVALID "\r\n"),
        EXPECT("AQ=="), SEND("A0001 " OAUTH_NO), EXPECT("A0002 AUTHENTICATE OAUTHBEARER " OB_FRESH),
        SEND("A0002 OK Logged in\r\n"), END};
    /* The fresh token is refused too: that refusal is the answer, never a third try. */
    static const script_step twice[] = {
        SEND(OAUTH_GREETING), EXPECT("A0001 AUTHENTICATE OAUTHBEARER " OB_FIRST), SEND("+ " JSON_INVALID "\r\n"),
        EXPECT("AQ=="), SEND("A0001 " OAUTH_NO), EXPECT("A0002 AUTHENTICATE OAUTHBEARER " OB_FRESH),
        SEND("+ " JSON_INVALID "\r\n"), EXPECT("AQ=="), SEND("A0002 NO [AUTHENTICATIONFAILED] Still no.\r\n"),
        EXPECT("A0003 LOGOUT"), SEND("A0003 OK\r\n"), END};
    /* A status a fresh token would not change, a refusal without a
     * document, or a token that did not come from a source: no retry. */
    static const script_step scope[] = {
        SEND(OAUTH_GREETING), EXPECT("A0001 AUTHENTICATE OAUTHBEARER " OB_FIRST), SEND("+ " JSON_SCOPE "\r\n"),
        EXPECT("AQ=="), SEND("A0001 " OAUTH_NO), EXPECT("A0002 LOGOUT"), SEND("A0002 OK\r\n"), END};
    static const script_step bare[] = {
        SEND(OAUTH_GREETING), EXPECT("A0001 AUTHENTICATE OAUTHBEARER " OB_FIRST), SEND("A0001 " OAUTH_NO),
        EXPECT("A0002 LOGOUT"), SEND("A0002 OK\r\n"), END};
    static const script_step fixed[] = {
        SEND(OAUTH_GREETING), EXPECT("A0001 AUTHENTICATE XOAUTH2 " XO_FIRST), SEND("+ " JSON_401 "\r\n"),
        EXPECT(""), SEND("A0001 " OAUTH_NO), EXPECT("A0002 LOGOUT"), SEND("A0002 OK\r\n"), END};
    /* The source fails when asked again: its error, the connection usable. */
    static const script_step no_fresh[] = {
        SEND(OAUTH_GREETING), EXPECT("A0001 AUTHENTICATE OAUTHBEARER " OB_FIRST), SEND("+ " JSON_INVALID "\r\n"),
        EXPECT("AQ=="), SEND("A0001 " OAUTH_NO), EXPECT("A0002 LOGOUT"), SEND("A0002 OK\r\n"), END};
    /* The source fails at once: nothing is sent. */
    static const script_step no_token[] = {SEND(OAUTH_GREETING), EXPECT("A0001 LOGOUT"), SEND("A0001 OK\r\n"), END};
    /* XOAUTH2's "401", over SMTP (as the site-wide account "site"). */
    static const script_step smtp[] = {
        SEND("220 fake ESMTP\r\n"), EXPECT("EHLO client.example.org"), SEND("250-fake\r\n250 AUTH XOAUTH2\r\n"),
        EXPECT("AUTH XOAUTH2 dXNlcj11c2VyQGV4YW1wbGUub3JnAWF1dGg9QmVhcmVyIHlhMjkuZmlyc3QBAQ=="), SEND("334 " JSON_401 "\r\n"), EXPECT(""),
        SEND("535 5.7.8 Authentication failed\r\n"), EXPECT("AUTH XOAUTH2 dXNlcj11c2VyQGV4YW1wbGUub3JnAWF1dGg9QmVhcmVyIHlhMjkuZnJlc2gBAQ=="), SEND("235 2.7.0 ok\r\n"), END};
    static const script_step sitewide_token[] = {
        SEND("220 fake ESMTP\r\n"), EXPECT("EHLO client.example.org"), SEND("250-fake\r\n250 AUTH XOAUTH2\r\n"), END};
    test_session t;
    token_source src;

    memset(&src, 0, sizeof(src));
    start(&t, refreshed, "imap", SQAUTH_TLS_NONE);
    CHECK_RC(token_login(&t, "OAUTHBEARER", &src), SQAUTH_OK);
    CHECK(src.calls == 2 && src.refresh[0] == 0 && src.refresh[1] == 1);
    CHECK(sqauth_session_is_authenticated(t.s));
    CHECK(!transcript_has(t.s, "ya29") && !transcript_has(t.s, OB_FIRST) && !transcript_has(t.s, OB_FRESH));
    finish(&t);
    CHECK(t.srv.ok);

    memset(&src, 0, sizeof(src));
    start(&t, twice, "imap", SQAUTH_TLS_NONE);
    CHECK_RC(token_login(&t, "OAUTHBEARER", &src), SQAUTH_ERR_AUTH);
    CHECK(src.calls == 2);
    CHECK(strcmp(t.err.message, "the server refused the OAUTHBEARER login: A0002 NO [AUTHENTICATIONFAILED] Still no. "
                                "(OAuth error: {\"status\":\"invalid_token\",\"scope\":\"mail\"})") == 0);
    CHECK(strcmp(sqauth_session_response_code(t.s), "AUTHENTICATIONFAILED") == 0);
    CHECK(strstr(sqauth_session_response(t.s).data, "A0002 NO") != NULL);
    CHECK(sqauth_session_is_open(t.s) && !sqauth_session_is_authenticated(t.s));
    sqauth_session_logout(t.s);
    finish(&t);
    CHECK(t.srv.ok && scripted_got(&t.srv, "A0003 LOGOUT"));

    memset(&src, 0, sizeof(src));
    start(&t, scope, "imap", SQAUTH_TLS_NONE);
    CHECK_RC(token_login(&t, "OAUTHBEARER", &src), SQAUTH_ERR_AUTH);
    CHECK(src.calls == 1 && strstr(t.err.message, "insufficient_scope") != NULL);
    sqauth_session_logout(t.s);
    finish(&t);
    CHECK(t.srv.ok && scripted_got(&t.srv, "A0002 LOGOUT"));

    memset(&src, 0, sizeof(src));
    start(&t, bare, "imap", SQAUTH_TLS_NONE);
    CHECK_RC(token_login(&t, "OAUTHBEARER", &src), SQAUTH_ERR_AUTH);
    CHECK(src.calls == 1);
    sqauth_session_logout(t.s);
    finish(&t);
    CHECK(t.srv.ok && scripted_got(&t.srv, "A0002 LOGOUT"));

    start(&t, fixed, "imap", SQAUTH_TLS_NONE);
    CHECK_RC(token_login(&t, "XOAUTH2", NULL), SQAUTH_ERR_AUTH);
    sqauth_session_logout(t.s);
    finish(&t);
    CHECK(t.srv.ok && scripted_got(&t.srv, "A0002 LOGOUT"));

    memset(&src, 0, sizeof(src));
    src.fail_at = 2;
    start(&t, no_fresh, "imap", SQAUTH_TLS_NONE);
    CHECK_RC(token_login(&t, "OAUTHBEARER", &src), SQAUTH_ERR_INVALID_ARG);
    CHECK(src.calls == 2 && strcmp(t.err.message, "no token today") == 0);
    CHECK(sqauth_session_is_open(t.s) && !sqauth_session_is_authenticated(t.s));
    sqauth_session_logout(t.s);
    finish(&t);
    CHECK(t.srv.ok && scripted_got(&t.srv, "A0002 LOGOUT"));

    memset(&src, 0, sizeof(src));
    src.fail_at = 1;
    start(&t, no_token, "imap", SQAUTH_TLS_NONE);
    CHECK_RC(token_login(&t, "OAUTHBEARER", &src), SQAUTH_ERR_INVALID_ARG);
    /* Not asked at all where the policy refuses first (cleartext), or for a
     * mechanism that takes no token. */
    memset(&src, 0, sizeof(src));
    {
        sqauth_login_options o;
        sqauth_login_options_init(&o);
        o.mechanism = sqauth_str_c("XOAUTH2");
        o.sasl.authcid = sqauth_str_c(USER);
        o.token_fn = next_token;
        o.token_ctx = &src;
        CHECK_RC(sqauth_login(t.s, &o, &t.err), SQAUTH_ERR_POLICY);
        o.mechanism = sqauth_str_c("CRAM-MD5");
        o.allow_plaintext = 1;
        CHECK_RC(sqauth_login(t.s, &o, &t.err), SQAUTH_ERR_UNSUPPORTED);
    }
    CHECK(src.calls == 0);
    sqauth_session_logout(t.s);
    finish(&t);
    CHECK(t.srv.ok && strcmp(t.srv.got, "A0001 LOGOUT\n") == 0);

    /* SMTP too: the caller's own account (a token is never the site-wide
     * account's). */
    memset(&src, 0, sizeof(src));
    start_with(&t, smtp, "smtp", SQAUTH_TLS_NONE, 0);
    CHECK_RC(token_login(&t, "XOAUTH2", &src), SQAUTH_OK);
    CHECK(src.calls == 2 && src.refresh[1] == 1);
    finish(&t);
    CHECK(t.srv.ok);
    /* With the site-wide account: refused before the token is asked for. */
    memset(&src, 0, sizeof(src));
    start(&t, sitewide_token, "smtp", SQAUTH_TLS_NONE);
    CHECK_RC(token_login(&t, "XOAUTH2", &src), SQAUTH_ERR_POLICY);
    CHECK(src.calls == 0);
    finish(&t);
    CHECK(t.srv.ok && !strstr(t.srv.got, "AUTH"));
}

void test_proto(void)
{
    CHECK(test_certificate());
    test_imap_greetings();
    test_imap_logins();
    test_policy_refusals();
    test_starttls();
    test_pop3();
    test_smtp();
    test_sieve();
    test_token_refresh();
    test_certificate_free();
}
