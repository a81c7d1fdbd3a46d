/*
 * Deadlines and what a failure leaves, against the scripted server
 * (scripted_server.h): a call's deadline cuts a server that drips bytes
 * (which no per-read timeout does) in every kind of public call (open,
 * login, the TLS handshake, connect), each call gets its own deadline and
 * nested calls share one (test_conn.c: the same in conn.c, and the byte
 * stream's per-read timeouts). Then the rule after a failure (session.h, "After a failure"):
 * which failures close the session for I/O, with which reason, and that a
 * server closing the connection is one failure whether it ends in order or
 * with a reset. Timeouts here are a few hundred ms; the checks on elapsed
 * time only catch a call that outlives its deadline by seconds.
 */
#include "check.h"
#include "policy.h"
#include "net/net.h"
#include "scripted_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>

#define IMAP_GREETING "* OK [CAPABILITY IMAP4rev1 SASL-IR STARTTLS AUTH=PLAIN AUTH=LOGIN AUTH=SCRAM-SHA-256] ready\r\n"
#define PLAIN_IR "AHVzZXIAc2VjcmV0" /* "\0user\0secret" */

/* ---- sessions ---- */

typedef struct test_session {
    scripted_server srv;
    sqauth_session *s;
    sqauth_error err;
    int rc;                      /* of the open */
    int64_t open_ms;             /* how long the open took */
} test_session;

static void start_mode(test_session *t, const script_step *steps, const char *protocol, sqauth_tls_mode mode,
                       int timeout_ms, int own_call)
{
    sqauth_session_options o;
    int fd = scripted_start(&t->srv, steps);
    int64_t t0;

    sqauth_session_options_init(&o);
    o.protocol = sqauth_protocol_find(protocol);
    o.host = "mail.example.org";
    o.tls_mode = mode;
    o.transcript = 1;
    o.timeout_ms = timeout_ms;
    o.tls.verify_peer = 0;
    o.tls.verify_peer_name = 0;
    o.tls.session_resumption = 0;
    sqauth_error_clear(&t->err);
    CHECK(fd >= 0 && o.protocol);
    CHECK_RC(sqauth_session_new(&t->s, &o, &t->err), SQAUTH_OK);
    if (own_call) {
        sqauth_session_begin_call(t->s);
    }
    t0 = sqauth_now_ms();
    t->rc = sqauth_session_open_socket(t->s, fd, NULL, 0, NULL, &t->err);
    t->open_ms = sqauth_now_ms() - t0;
}

static void start(test_session *t, const script_step *steps, int timeout_ms)
{
    start_mode(t, steps, "imap", SQAUTH_TLS_NONE, timeout_ms, 0);
}

static void finish(test_session *t)
{
    sqauth_session_free(t->s);
    scripted_finish(&t->srv);
}

static int login(test_session *t, const char *mech)
{
    sqauth_login_options o;

    sqauth_login_options_init(&o);
    o.mechanism = sqauth_str_c(mech);
    o.sasl.authcid = sqauth_str_c("user");
    o.sasl.password = sqauth_str_c("secret");
    o.allow_plaintext = 1;
    sqauth_error_clear(&t->err);
    return sqauth_login(t->s, &o, &t->err);
}

/* The session is closed for I/O, and says why: "the connection is closed
 * after an earlier failure: " + reason. */
static void check_closed(const sqauth_session *s, const char *reason)
{
    sqauth_error err;
    char want[512];

    snprintf(want, sizeof(want), "the connection is closed after an earlier failure: %s", reason);
    CHECK(!sqauth_session_is_open(s));
    CHECK_RC(sqauth_session_check_open(s, &err), SQAUTH_ERR_CLOSED);
    CHECK(strcmp(err.message, want) == 0);
    if (strcmp(err.message, want) != 0) {
        fprintf(stderr, "  got \"%s\"\n", err.message);
    }
    CHECK(sqauth_session_closed_reason(s) != NULL && strcmp(sqauth_session_closed_reason(s)->message, reason) == 0);
}

static void test_session_deadlines(void)
{
    static const script_step slow_greeting[] = {DRIP("* OK slow greeting\r\n", 100), END};
    static const script_step slow_step2[] = {
        SEND(IMAP_GREETING), EXPECT("A0001 AUTHENTICATE LOGIN"), SEND("+ VXNlcm5hbWU6\r\n"), EXPECT(""),
        DRIP("+ UGFzc3dvcmQ6\r\n", 100), END};
    static const script_step two_calls[] = {
        SEND("* OK hello\r\n"), EXPECT("A0001 CAPABILITY"), SEND("* CAPABILITY IMAP4rev1\r\nA0001 OK\r\n"),
        EXPECT("A0002 CAPABILITY"), SEND("* CAPABILITY IMAP4rev1\r\nA0002 OK\r\n"), END};
    static const script_step slow_tls[] = {DRIP("\x16\x03\x03\x00\x50\x02\x00\x00\x4c", 100), END};
    const char *timed_out = "timed out waiting for the server: the call's 'timeout' of 0.2 s has passed";
    test_session t;
    sqauth_error err;
    int64_t t0;

    /* The greeting, one byte every 100 ms: cut at 200 ms, closed for I/O,
     * what it knows still readable. */
    start(&t, slow_greeting, 200);
    CHECK_RC(t.rc, SQAUTH_ERR_TIMEOUT);
    CHECK(strcmp(t.err.message, timed_out) == 0);
    CHECK(t.open_ms >= 190 && t.open_ms < 5000);
    check_closed(t.s, timed_out);
    CHECK(sqauth_session_closed_reason(t.s)->code == SQAUTH_ERR_TIMEOUT);
    CHECK(strcmp(sqauth_protocol_name(sqauth_session_protocol(t.s)), "imap") == 0);
    finish(&t);

    /* A login's second step: the login's own deadline (the open's ended). */
    start(&t, slow_step2, 200);
    CHECK_RC(t.rc, SQAUTH_OK);
    scripted_sleep_ms(250);
    t0 = sqauth_now_ms();
    CHECK_RC(login(&t, "LOGIN"), SQAUTH_ERR_TIMEOUT);
    CHECK(sqauth_now_ms() - t0 >= 190 && sqauth_now_ms() - t0 < 5000);
    CHECK(strcmp(t.err.message, timed_out) == 0);
    check_closed(t.s, timed_out);
    /* Nothing more is sent, not even a LOGOUT. */
    sqauth_session_logout(t.s);
    CHECK_RC(login(&t, "PLAIN"), SQAUTH_ERR_CLOSED);
    finish(&t);
    /* The first step was answered: the cut came at the second. */
    CHECK(scripted_got(&t.srv, "dXNlcg==") && !scripted_got(&t.srv, "A0002"));

    /* Each call has its own deadline... */
    start(&t, two_calls, 200);
    CHECK_RC(t.rc, SQAUTH_OK);
    scripted_sleep_ms(250);
    CHECK_RC(sqauth_session_capabilities(t.s, &err), SQAUTH_OK);
    finish(&t);
    /* ...unless an outer call spans them (SqAuth\detect()): one deadline. */
    start_mode(&t, two_calls, "imap", SQAUTH_TLS_NONE, 200, 1);
    CHECK_RC(t.rc, SQAUTH_OK);
    scripted_sleep_ms(250);
    CHECK_RC(sqauth_session_capabilities(t.s, &err), SQAUTH_ERR_TIMEOUT);
    CHECK(strcmp(err.message, "timed out sending to the server: the call's 'timeout' of 0.2 s has passed") == 0);
    sqauth_session_end_call(t.s);
    CHECK(!sqauth_session_is_open(t.s));
    finish(&t);

    /* The TLS handshake, one byte every 100 ms. */
    start_mode(&t, slow_tls, "imap", SQAUTH_TLS_IMPLICIT, 300, 0);
    CHECK_RC(t.rc, SQAUTH_ERR_TIMEOUT);
    CHECK(strcmp(t.err.message, "timed out during the TLS handshake: the call's 'timeout' of 0.3 s has passed") == 0);
    CHECK(t.open_ms >= 290 && t.open_ms < 5000);
    CHECK(!sqauth_session_is_encrypted(t.s));
    finish(&t);
}

/* A TCP port whose connects hang: a listener with a backlog of 0 whose
 * queue two unaccepted connections fill (Linux then drops SYNs). */
static int hanging_port(int fds[3])
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);
    int i;

    fds[0] = fds[1] = fds[2] = -1;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fds[0] = socket(AF_INET, SOCK_STREAM, 0);
    if (fds[0] < 0 || bind(fds[0], (struct sockaddr *)&a, sizeof(a)) != 0 || listen(fds[0], 0) != 0
        || getsockname(fds[0], (struct sockaddr *)&a, &len) != 0) {
        return 0;
    }
    for (i = 1; i < 3; i++) {
        fds[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        connect(fds[i], (struct sockaddr *)&a, sizeof(a));
    }
    scripted_sleep_ms(50);
    return ntohs(a.sin_port);
}

static void test_connect_deadline(void)
{
    struct {
        int connect_ms, timeout_ms;
        const char *why;
    } cases[] = {
        {150, 2000, "'connect_timeout' of 0.15 s has passed"},
        {5000, 200, "the call's 'timeout' of 0.2 s has passed"},
    };
    size_t i;

    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        sqauth_session_options o;
        sqauth_session *s = NULL;
        sqauth_error err;
        char want[200];
        int fds[3], port = hanging_port(fds), j, bound = cases[i].connect_ms < cases[i].timeout_ms
                                                               ? cases[i].connect_ms : cases[i].timeout_ms;
        int64_t t0;

        CHECK(port > 0);
        sqauth_session_options_init(&o);
        o.host = "127.0.0.1";
        o.port = (unsigned)port;
        o.tls_mode = SQAUTH_TLS_NONE;
        o.connect_timeout_ms = cases[i].connect_ms;
        o.timeout_ms = cases[i].timeout_ms;
        CHECK_RC(sqauth_session_new(&s, &o, &err), SQAUTH_OK);
        t0 = sqauth_now_ms();
        CHECK_RC(sqauth_session_open(s, &err), SQAUTH_ERR_TIMEOUT);
        CHECK(sqauth_now_ms() - t0 >= bound - 10 && sqauth_now_ms() - t0 < 5000);
        snprintf(want, sizeof(want), "timed out connecting to 127.0.0.1 port %d: %s", port, cases[i].why);
        CHECK(strcmp(err.message, want) == 0);
        sqauth_session_free(s);
        for (j = 0; j < 3; j++) {
            if (fds[j] >= 0) {
                close(fds[j]);
            }
        }
    }
}

/* ---- after a failure ---- */

static void test_after_failure(void)
{
    static const script_step refused_then_ok[] = {
        SEND(IMAP_GREETING), EXPECT("A0001 AUTHENTICATE PLAIN " PLAIN_IR), SEND("A0001 NO [AUTHENTICATIONFAILED] no\r\n"),
        EXPECT("A0002 AUTHENTICATE PLAIN " PLAIN_IR), SEND("A0002 OK yes\r\n"), EXPECT("A0003 CAPABILITY"),
        SEND("* CAPABILITY IMAP4rev1\r\nA0003 OK\r\n"), END};
    /* A challenge SCRAM cannot parse: the client cancels. */
    static const script_step cancel_answered[] = {
        SEND(IMAP_GREETING), EXPECT("A0001 AUTHENTICATE SCRAM-SHA-256 "), SEND("+ bm90IHNjcmFt\r\n"), EXPECT("*"),
        SEND("A0001 BAD cancelled\r\n"), EXPECT("A0002 AUTHENTICATE PLAIN"), SEND("A0002 OK yes\r\n"), END};
    static const script_step cancel_unanswered[] = {
        SEND(IMAP_GREETING), EXPECT("A0001 AUTHENTICATE SCRAM-SHA-256 "), SEND("+ bm90IHNjcmFt\r\n"), EXPECT("*"),
        CLOSE};
    static const script_step bad_base64[] = {
        SEND(IMAP_GREETING), EXPECT("A0001 AUTHENTICATE LOGIN"), SEND("+ !!!\r\n"), EXPECT("*"),
        SEND("A0001 BAD cancelled\r\n"), END};
    static const script_step starttls_refused[] = {
        SEND(IMAP_GREETING), EXPECT("A0001 STARTTLS"), SEND("A0001 NO not now\r\n"), END};
    static const script_step no_starttls[] = {SEND("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n"), END};
    static const script_step closed[] = {SEND(IMAP_GREETING), EXPECT("A0001 AUTHENTICATE PLAIN"), CLOSE};
    static const script_step reset[] = {SEND(IMAP_GREETING), RESET};
    static const script_step tls_closed[] = {CLOSE};
    static const script_step tls_reset[] = {RESET};
    test_session t;
    sqauth_error err;
    const char *why;

    /* A refused login: the server's final answer was read; open. */
    start(&t, refused_then_ok, 5000);
    CHECK_RC(login(&t, "PLAIN"), SQAUTH_ERR_AUTH);
    CHECK(sqauth_session_is_open(t.s) && sqauth_session_closed_reason(t.s) == NULL);
    CHECK_RC(login(&t, "PLAIN"), SQAUTH_OK);
    /* Refused before anything is sent: open. */
    CHECK_RC(login(&t, "PLAIN"), SQAUTH_ERR_PROTOCOL);
    CHECK(strcmp(t.err.message, "already authenticated on this connection") == 0);
    CHECK(sqauth_session_is_open(t.s));
    /* STARTTLS not offered, learnt from capabilities read in step: open. */
    CHECK_RC(sqauth_session_starttls(t.s, &err), SQAUTH_ERR_PROTOCOL);
    CHECK(strstr(err.message, "does not offer STARTTLS") != NULL);
    CHECK(sqauth_session_is_open(t.s));
    finish(&t);
    CHECK(t.srv.ok);

    /* The client gave up and the server answered the cancel: open. */
    start(&t, cancel_answered, 5000);
    CHECK_RC(login(&t, "SCRAM-SHA-256"), SQAUTH_ERR_MALFORMED);
    CHECK(sqauth_session_is_open(t.s));
    CHECK_RC(login(&t, "PLAIN"), SQAUTH_OK);
    finish(&t);
    CHECK(t.srv.ok);

    /* The cancel went unanswered: closed, with the cancel's failure. */
    start(&t, cancel_unanswered, 5000);
    CHECK_RC(login(&t, "SCRAM-SHA-256"), SQAUTH_ERR_MALFORMED);
    check_closed(t.s, "the server closed the connection");
    finish(&t);

    /* A reply that makes no sense: closed (the cancel answered or not). */
    start(&t, bad_base64, 5000);
    CHECK_RC(login(&t, "LOGIN"), SQAUTH_ERR_PROTOCOL);
    check_closed(t.s, "the server's LOGIN challenge is not valid base64");
    finish(&t);

    /* STARTTLS refused once sent: closed (no plaintext session back).
     * Not offered: nothing was sent, open. */
    start(&t, starttls_refused, 5000);
    CHECK_RC(sqauth_session_starttls(t.s, &err), SQAUTH_ERR_PROTOCOL);
    CHECK(!sqauth_session_is_open(t.s) && sqauth_session_closed_reason(t.s)->code == SQAUTH_ERR_PROTOCOL);
    CHECK(!sqauth_session_is_encrypted(t.s));
    finish(&t);
    start(&t, no_starttls, 5000);
    CHECK_RC(sqauth_session_starttls(t.s, &err), SQAUTH_ERR_PROTOCOL);
    CHECK(strstr(err.message, "does not offer STARTTLS") != NULL);
    CHECK(sqauth_session_is_open(t.s));
    finish(&t);

    /* The server ends the connection in order, or with a reset: the same
     * failure, the errno tells them apart. */
    start(&t, closed, 5000);
    CHECK_RC(login(&t, "PLAIN"), SQAUTH_ERR_CLOSED);
    CHECK(strcmp(t.err.message, "the server closed the connection") == 0 && t.err.sys_errno == 0);
    check_closed(t.s, "the server closed the connection");
    finish(&t);
    start(&t, reset, 5000);
    CHECK_RC(login(&t, "PLAIN"), SQAUTH_ERR_CLOSED);
    CHECK(strcmp(t.err.message, "the server closed the connection") == 0 && t.err.sys_errno == ECONNRESET);
    check_closed(t.s, "the server closed the connection");
    CHECK_RC(sqauth_session_check_open(t.s, &err), SQAUTH_ERR_CLOSED);
    CHECK(err.sys_errno == ECONNRESET);
    finish(&t);

    /* The same in the TLS handshake (OpenSSL: an orderly end is "unexpected
     * eof while reading", a reset a system error): one failure. */
    why = "TLS handshake failed: the server closed the connection";
    start_mode(&t, tls_closed, "imap", SQAUTH_TLS_IMPLICIT, 5000, 0);
    CHECK_RC(t.rc, SQAUTH_ERR_TLS);
    CHECK(strcmp(t.err.message, why) == 0);
    CHECK(!sqauth_session_is_encrypted(t.s));
    check_closed(t.s, why);
    finish(&t);
    start_mode(&t, tls_reset, "imap", SQAUTH_TLS_IMPLICIT, 5000, 0);
    CHECK_RC(t.rc, SQAUTH_ERR_TLS);
    CHECK(strcmp(t.err.message, why) == 0 && t.err.sys_errno == ECONNRESET);
    finish(&t);
}

void test_deadlines(void)
{
    test_session_deadlines();
    test_connect_deadline();
    test_after_failure();
}
