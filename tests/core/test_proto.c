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
static void start(test_session *t, const script_step *steps, const char *protocol, sqauth_tls_mode mode)
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
    o.sitewide_user = sqauth_str_c("site");
    o.sitewide_password = sqauth_str_c("site-secret");
    sqauth_error_clear(&t->err);
    CHECK(fd >= 0 && o.protocol);
    CHECK_RC(sqauth_session_new(&t->s, &o, &t->err), SQAUTH_OK);
    t->rc = sqauth_session_open_socket(t->s, fd, NULL, 0, NULL, &t->err);
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
    test_certificate_free();
}
