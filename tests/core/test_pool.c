/*
 * The connection pool (pool.c) against scripted servers on 127.0.0.1
 * (scripted_server.h's listener: the pool connects by itself): a session
 * handed back and out again, the key (another password, user or option is
 * another login; a wrong password is refused by the server, never served;
 * a new password retires the old one's sessions), what is not pooled (a
 * caller's leftovers, unread data, a check answered out of step or not at
 * all, POP3, the pool off), what is not handed out (a server that said BYE
 * or closed, idle and lifetime limits), the checks after idleness, the
 * limits per user and per process (least recently used first), SMTP's and
 * ManageSieve's checks, and fork(): the child drops its parent's sessions
 * without a byte sent, TLS close_notify included. On the caller's word: a
 * login without reuse (a fresh login that replaces the kept sessions only
 * when the server accepts it), a caller with the pool off for itself
 * alone (a fresh login logged out at put, the pool untouched), and
 * forgetting a user (LOGOUT on each of their sessions, any password, no
 * login; nothing of a parent's in a forked child).
 */
#include "check.h"
#include "pool.h"
#include "scripted_server.h"

#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>

#define USER "pooluser"
#define PASSWORD "pool-secret"
#define GREETING "* OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] ready.\r\n"
/* A fresh login: the greeting, AUTHENTICATE PLAIN with its initial response. */
#define IMAP_LOGIN SEND(GREETING), EXPECT("A0001 AUTHENTICATE PLAIN "), SEND("A0001 OK Logged in\r\n")
#define IMAP_REFUSED SEND(GREETING), EXPECT("A0001 AUTHENTICATE PLAIN "), \
    SEND("A0001 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n")
/* The pool's check, answered as Dovecot does with no mailbox selected. */
#define IMAP_CHECK EXPECT("P"), ECHO("%t BAD No mailbox selected.\r\n"), EXPECT("P"), ECHO("%t OK NOOP completed.\r\n")
#define IMAP_LOGOUT EXPECT("A0002 LOGOUT"), SEND("* BYE Logging out\r\nA0002 OK Logout completed.\r\n")

static void sleep_ms(int ms)
{
    struct timespec t;
    t.tv_sec = ms / 1000;
    t.tv_nsec = (long)(ms % 1000) * 1000000L;
    nanosleep(&t, NULL);
}

static void limits(size_t size, size_t per_user, int64_t idle, int64_t lifetime, int64_t check_after)
{
    sqauth_pool_limits l;
    sqauth_error err;

    l.size = size;
    l.per_user = per_user;
    l.idle_timeout_ms = idle;
    l.max_lifetime_ms = lifetime;
    l.check_after_ms = check_after;
    CHECK_RC(sqauth_pool_set_limits(&l, &err), SQAUTH_OK);
}

typedef struct pool_call {
    sqauth_session_options o;
    sqauth_login_options l;
    sqauth_session *s;
    sqauth_error err;
    sqauth_pool_use use;
    int reused;
} pool_call;

/* What a caller asks for: IMAP in the clear on the listener's port,
 * PLAIN (allowed in the clear) as user with password. */
static void call_init(pool_call *c, const char *protocol, unsigned port, const char *user, const char *password)
{
    memset(c, 0, sizeof(*c));
    sqauth_session_options_init(&c->o);
    c->o.protocol = sqauth_protocol_find(protocol);
    c->o.host = "127.0.0.1";
    c->o.port = port;
    c->o.tls_mode = SQAUTH_TLS_NONE;
    c->o.timeout_ms = 2000;
    c->o.helo = "client.example.org";
    c->o.transcript = 1;
    sqauth_login_options_init(&c->l);
    c->l.mechanism = sqauth_str_c("PLAIN");
    c->l.allow_plaintext = 1;
    c->l.sasl.authcid = sqauth_str_c(user);
    c->l.sasl.password = sqauth_str_c(password);
    c->use = SQAUTH_POOL_REUSE;
}

static int get(pool_call *c)
{
    sqauth_error_clear(&c->err);
    return sqauth_pool_get(&c->o, &c->l, c->use, &c->s, &c->reused, &c->err);
}

/* sqauth_pool_forget() for c's user key; the number it ended, -1 on an error. */
static long forget(pool_call *c)
{
    size_t n = 99;
    sqauth_error_clear(&c->err);
    return sqauth_pool_forget(&c->o, &c->l, &n, &c->err) == SQAUTH_OK ? (long)n : -1;
}

static sqauth_pool_stats stats(void)
{
    sqauth_pool_stats st;
    sqauth_pool_get_stats(&st);
    return st;
}

static int listen_ok(scripted_listener *l, const script_step *const *scripts, size_t count)
{
    int rc = scripted_listen(l, scripts, count);
    CHECK(rc == 0);
    return rc == 0;
}

/* Every accepted connection's script went as written. */
static int scripts_ok(const scripted_listener *l)
{
    size_t i;
    int ok = 1;
    for (i = 0; i < l->accepted; i++) {
        if (!l->conns[i].ok) {
            fprintf(stderr, "script %zu went wrong; it received:\n%s", i, l->conns[i].got);
            ok = 0;
        }
    }
    return ok;
}

static void test_reuse(void)
{
    static const script_step conn1[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step *const scripts[] = {conn1};
    scripted_listener l;
    pool_call a, b;
    sqauth_pool_stats before = stats(), after;

    limits(4, 1, 60000, 60000, 60000);
    if (!listen_ok(&l, scripts, 1)) {
        return;
    }
    call_init(&a, "imap", l.port, USER, PASSWORD);
    CHECK_RC(get(&a), SQAUTH_OK);
    CHECK(!a.reused && a.s && sqauth_session_is_authenticated(a.s));
    CHECK(sqauth_pool_put(a.s, 1) == 1);
    CHECK(stats().entries == 1);

    /* Idle for less than check_after: handed out without a round trip,
     * with this caller's transcript (empty) and timeout. */
    call_init(&b, "imap", l.port, USER, PASSWORD);
    b.o.timeout_ms = 1500;
    CHECK_RC(get(&b), SQAUTH_OK);
    CHECK(b.reused && b.s == a.s);
    CHECK(sqauth_session_transcript_count(b.s) == 0);
    CHECK(stats().entries == 0);
    CHECK(sqauth_pool_put(b.s, 1) == 1);
    after = stats();
    CHECK(after.hits == before.hits + 1 && after.misses == before.misses + 1 && after.discards == before.discards);

    /* Module shutdown logs out what is left. */
    sqauth_pool_shutdown();
    CHECK(stats().entries == 0);
    CHECK(scripted_listen_finish(&l) == 1);
    CHECK(scripts_ok(&l) && scripted_got(&l.conns[0], "A0002 LOGOUT"));
}

/* Another password, another user, another option: another login. A wrong
 * password is the server's to refuse; a new password that works retires
 * the sessions of the old one. */
static void test_key(void)
{
    static const script_step first[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step refused[] = {IMAP_REFUSED, END};
    static const script_step other_user[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step other_helo[] = {IMAP_LOGIN, IMAP_LOGOUT, END};
    static const script_step new_password[] = {IMAP_LOGIN, IMAP_LOGOUT, END};
    static const script_step *const scripts[] = {first, refused, other_user, other_helo, new_password};
    scripted_listener l;
    pool_call a, wrong, other, helo, changed;

    limits(4, 2, 60000, 60000, 60000);
    if (!listen_ok(&l, scripts, 5)) {
        return;
    }
    call_init(&a, "imap", l.port, USER, PASSWORD);
    CHECK_RC(get(&a), SQAUTH_OK);
    CHECK(sqauth_pool_put(a.s, 1) == 1);

    /* The same user with a wrong password: a fresh login the server
     * refuses, whatever the pool holds. */
    call_init(&wrong, "imap", l.port, USER, "not-" PASSWORD);
    CHECK_RC(get(&wrong), SQAUTH_ERR_AUTH);
    CHECK(!wrong.reused && wrong.s && strcmp(sqauth_session_response_code(wrong.s), "AUTHENTICATIONFAILED") == 0);
    sqauth_session_free(wrong.s);
    CHECK(stats().entries == 1);

    /* Another user with the same password. */
    call_init(&other, "imap", l.port, "other", PASSWORD);
    CHECK_RC(get(&other), SQAUTH_OK);
    CHECK(!other.reused && other.s != a.s);
    CHECK(sqauth_pool_put(other.s, 1) == 1);
    CHECK(stats().entries == 2);

    /* The same login with another EHLO name (any option the login depends on). */
    call_init(&helo, "imap", l.port, USER, PASSWORD);
    helo.o.helo = "other.example.org";
    CHECK_RC(get(&helo), SQAUTH_OK);
    CHECK(!helo.reused);
    sqauth_pool_discard(helo.s);

    /* The password changed: the new one logs in and the old one's session
     * is logged out, not left for a caller who still has the old one. */
    call_init(&changed, "imap", l.port, USER, "new-" PASSWORD);
    CHECK_RC(get(&changed), SQAUTH_OK);
    CHECK(!changed.reused && stats().entries == 1);
    sqauth_pool_discard(changed.s);

    sqauth_pool_shutdown();
    CHECK(scripted_listen_finish(&l) == 5);
    CHECK(scripts_ok(&l));
    CHECK(scripted_got(&l.conns[0], "A0002 LOGOUT") && scripted_got(&l.conns[3], "A0002 LOGOUT"));
}

/* What is never pooled: logged out instead. */
static void test_not_clean(void)
{
    /* Unread data: the server's untagged line after the login. */
    static const script_step unread[] = {IMAP_LOGIN, SEND("* 3 EXISTS\r\n"), IMAP_LOGOUT, END};
    /* The caller's own buffers are not empty (clean = 0). */
    static const script_step dirty[] = {IMAP_LOGIN, IMAP_LOGOUT, END};
    /* A reply to a command the caller did not read comes before the check's. */
    static const script_step out_of_step[] = {
        IMAP_LOGIN, EXPECT("P"), SEND("a1 OK Fetch completed.\r\n"), ECHO("%t BAD No mailbox selected.\r\n"),
        EXPECT("P"), ECHO("%t OK NOOP completed.\r\n"), EXPECT("A0002 LOGOUT"), END};
    /* In IDLE: the server ends it with BAD on the IDLE's tag. (The
     * goodbye is sent; the client stops reading at the stale replies.) */
    static const script_step idle[] = {
        IMAP_LOGIN, EXPECT("P"), SEND("i1 BAD Expected DONE.\r\n"), EXPECT("P"), ECHO("%t OK NOOP completed.\r\n"),
        EXPECT("A0002 LOGOUT"), END};
    /* An unfinished literal swallows the check: no reply, no LOGOUT after it. */
    static const script_step literal[] = {IMAP_LOGIN, EXPECT("P"), EXPECT("P"), END};
    static const script_step *const scripts[] = {unread, dirty, out_of_step, idle, literal};
    scripted_listener l;
    pool_call c;
    size_t i;
    sqauth_pool_stats before = stats();

    limits(4, 4, 60000, 60000, 60000);
    if (!listen_ok(&l, scripts, 5)) {
        return;
    }
    for (i = 0; i < 5; i++) {
        call_init(&c, "imap", l.port, USER, PASSWORD);
        c.o.timeout_ms = 300;
        CHECK_RC(get(&c), SQAUTH_OK);
        CHECK(!c.reused);
        if (i == 0) {
            sleep_ms(50); /* the untagged line arrives */
        }
        CHECK(sqauth_pool_put(c.s, i != 1) == 0);
        CHECK(stats().entries == 0);
    }
    CHECK(stats().discards == before.discards + 5);
    sqauth_pool_shutdown();
    CHECK(scripted_listen_finish(&l) == 5);
    CHECK(scripts_ok(&l));
    for (i = 0; i < 4; i++) {
        CHECK(scripted_got(&l.conns[i], "A0002 LOGOUT"));
    }
    CHECK(!scripted_got(&l.conns[4], "A0002 LOGOUT"));
}

/* Reads what the server sent over the caller's stream, a few bytes at a
 * time (so that lines arrive in pieces), until nothing more comes. */
static void read_stream(sqauth_session *s)
{
    unsigned char buf[3];
    size_t got;
    int at_end = 0, rounds = 0, rc;
    sqauth_error err;

    sleep_ms(50);
    do {
        got = 0;
        rc = sqauth_session_read_available(s, buf, sizeof(buf), 0, &got, &at_end, &err);
        CHECK(rc == SQAUTH_OK || rc == SQAUTH_ERR_TIMEOUT); /* timeout: nothing more without waiting */
    } while (got && ++rounds < 1000);
}

/* Writes text over the caller's stream in pieces of at most 5 bytes. */
static void write_stream(sqauth_session *s, const char *text)
{
    size_t n = strlen(text), at, k;
    sqauth_error err;

    for (at = 0; at < n; at += k) {
        k = n - at < 5 ? n - at : 5;
        CHECK_RC(sqauth_session_write(s, text + at, k, &err), SQAUTH_OK);
    }
}

/* Commands whose effect lasts for the session (IMAP ENABLE, NOTIFY,
 * UNAUTHENTICATE; ManageSieve UNAUTHENTICATE), sent
 * over the caller's stream in pieces and in any case, make it unfit: it
 * is logged out without a check. The same word elsewhere on a line, or
 * in a literal, does not. */
static void test_lasting_commands(void)
{
    static const script_step mentioned[] = {
        IMAP_LOGIN, EXPECT("a1 SEARCH TEXT ENABLE"), EXPECT("a2 SEARCH TEXT"), EXPECT("NOTIFY"),
        EXPECT("a3 APPEND INBOX {26+}"), EXPECT("To enable it"), EXPECT("x notify y"), EXPECT(""),
        SEND("a1 OK\r\na2 OK\r\na3 OK\r\n"),
        IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step enable[] = {
        IMAP_LOGIN, EXPECT("e1 enable QRESYNC"), SEND("* ENABLED QRESYNC\r\ne1 OK Enabled.\r\n"), IMAP_LOGOUT, END};
    static const script_step notify[] = {
        IMAP_LOGIN, EXPECT("n1 NOTIFY SET"), SEND("n1 OK NOTIFY completed.\r\n"), IMAP_LOGOUT, END};
    /* RFC 8437: back to not authenticated, free to log in as anyone (the
     * check would pass: UNSELECT gets BAD, NOOP OK). */
    static const script_step unauthenticate[] = {
        IMAP_LOGIN, EXPECT("u1 UNAUTHENTICATE"), SEND("u1 OK\r\n"), EXPECT("u2 LOGIN"), SEND("u2 OK\r\n"),
        EXPECT("A0002 LOGOUT"), SEND("A0002 OK\r\n"), END};
    /* RFC 5804 §2.14.1, ManageSieve's. */
    static const script_step sieve_unauthenticate[] = {
        SEND("\"SASL\" \"PLAIN\"\r\nOK \"ready\"\r\n"), EXPECT("AUTHENTICATE \"PLAIN\""), SEND("OK\r\n"),
        EXPECT("Unauthenticate"), SEND("OK\r\n"), EXPECT("LOGOUT"), SEND("OK\r\n"), END};
    static const script_step *const scripts[] = {mentioned, enable, notify, unauthenticate, sieve_unauthenticate};
    static const char *const sent[] = {
        /* A literal's lines are data (a message saved with APPEND), not commands. */
        "a1 SEARCH TEXT ENABLE\r\na2 SEARCH TEXT {6+}\r\nNOTIFY\r\n"
        "a3 APPEND INBOX {26+}\r\nTo enable it\r\nx notify y\r\n\r\n",
        "e1 enable QRESYNC\r\n",
        "n1 NOTIFY SET (personal (MessageNew))\r\n", "u1 UNAUTHENTICATE\r\nu2 LOGIN mallory secret\r\n",
        "Unauthenticate\r\n"};
    scripted_listener l;
    pool_call c;
    sqauth_pool_stats before = stats();
    size_t i;

    limits(4, 4, 60000, 60000, 60000);
    if (!listen_ok(&l, scripts, 5)) {
        return;
    }
    for (i = 0; i < 5; i++) {
        char user[2] = {(char)('a' + i), '\0'};
        call_init(&c, i < 4 ? "imap" : "sieve", l.port, user, PASSWORD);
        CHECK_RC(get(&c), SQAUTH_OK);
        write_stream(c.s, sent[i]);
        read_stream(c.s);
        CHECK(sqauth_pool_put(c.s, 1) == (i == 0));
    }
    CHECK(stats().entries == 1 && stats().discards == before.discards + 4);
    sqauth_pool_shutdown();
    CHECK(scripted_listen_finish(&l) == 5);
    CHECK(scripts_ok(&l));
}

/* A synchronizing literal the server refused: its data never comes, and
 * its length is not carried over to the next caller's stream. */
static void test_refused_literal(void)
{
    static const script_step refused[] = {
        IMAP_LOGIN, EXPECT("a1 APPEND INBOX {100}"), SEND("a1 NO [TOOBIG] Too big.\r\n"), IMAP_CHECK,
        EXPECT("b1 ENABLE QRESYNC"), SEND("b1 OK\r\n"), IMAP_LOGOUT, END};
    static const script_step *const scripts[] = {refused};
    scripted_listener l;
    pool_call c;

    limits(4, 4, 60000, 60000, 60000);
    if (!listen_ok(&l, scripts, 1)) {
        return;
    }
    call_init(&c, "imap", l.port, USER, PASSWORD);
    CHECK_RC(get(&c), SQAUTH_OK);
    write_stream(c.s, "a1 APPEND INBOX {100}\r\n");
    read_stream(c.s);
    CHECK(sqauth_pool_put(c.s, 1) == 1);
    CHECK_RC(get(&c), SQAUTH_OK);
    CHECK(c.reused);
    write_stream(c.s, "b1 ENABLE QRESYNC\r\n");
    read_stream(c.s);
    CHECK(sqauth_pool_put(c.s, 1) == 0);
    sqauth_pool_shutdown();
    CHECK(scripted_listen_finish(&l) == 1);
    CHECK(scripts_ok(&l));
}

/* A hostile server during the check at release: a flood of untagged
 * lines ends at the reply's line cap (SQAUTH_MAX_REPLY_LINES, 1000: a
 * protocol error, the goodbye is sent), a drip that never ends a line at
 * the call's deadline (each byte on time, so only a deadline for the whole
 * check stops it; no goodbye to a server that does not answer). Neither
 * is pooled. */
static void test_hostile_check(void)
{
    static const script_step flood[] = {
        IMAP_LOGIN, EXPECT("P"), EXPECT("P"), REPEAT("* 1 EXISTS\r\n", 1500), IMAP_LOGOUT, END};
    static const script_step drip[] = {
        IMAP_LOGIN, EXPECT("P"), EXPECT("P"), DRIP("* OK still there, still there, still there\r\n", 20), HOLD(2000),
        END};
    static const script_step *const scripts[] = {flood, drip};
    scripted_listener l;
    pool_call c;
    sqauth_pool_stats before = stats();

    limits(4, 4, 60000, 60000, 60000);
    if (!listen_ok(&l, scripts, 2)) {
        return;
    }
    call_init(&c, "imap", l.port, USER, PASSWORD);
    c.o.transcript = 1;
    CHECK_RC(get(&c), SQAUTH_OK);
    CHECK(sqauth_pool_put(c.s, 1) == 0);
    call_init(&c, "imap", l.port, "other", PASSWORD);
    c.o.timeout_ms = 300;
    CHECK_RC(get(&c), SQAUTH_OK);
    CHECK(sqauth_pool_put(c.s, 1) == 0);
    CHECK(stats().entries == 0 && stats().discards == before.discards + 2);
    CHECK(scripted_listen_finish(&l) == 2);
    CHECK(scripts_ok(&l));
    CHECK(!scripted_got(&l.conns[1], "LOGOUT"));
}

/* Dropped together (module shutdown), sessions whose server has gone
 * silent wait SQAUTH_POOL_DROP_ALL_WAIT_MS in all for their goodbyes, not
 * SQAUTH_POOL_LOGOUT_WAIT_MS each: with 2 s in all and 1 s each, at most
 * two of five get their LOGOUT, and every one is closed. */
static void test_silent_shutdown(void)
{
    static const script_step silent[] = {IMAP_LOGIN, IMAP_CHECK, HOLD(8000), END};
    static const script_step *const scripts[] = {silent, silent, silent, silent, silent};
    static const char *const users[] = {"u1", "u2", "u3", "u4", "u5"};
    scripted_listener l;
    pool_call c;
    size_t i, logouts = 0;

    limits(8, 1, 60000, 60000, 60000);
    if (!listen_ok(&l, scripts, 5)) {
        return;
    }
    for (i = 0; i < 5; i++) {
        call_init(&c, "imap", l.port, users[i], PASSWORD);
        CHECK_RC(get(&c), SQAUTH_OK);
        CHECK(sqauth_pool_put(c.s, 1) == 1);
    }
    sqauth_pool_shutdown();
    CHECK(scripted_listen_finish(&l) == 5);
    for (i = 0; i < 5; i++) {
        logouts += (size_t)scripted_got(&l.conns[i], "A0002 LOGOUT");
    }
    CHECK(logouts >= 1 && logouts <= 2);
}

/* What is not handed out: a fresh login instead, never an error. */
static void test_not_handed_out(void)
{
    /* BYE while pooled (Dovecot's idle disconnect, doveadm kick). */
    static const script_step bye[] = {IMAP_LOGIN, IMAP_CHECK, SEND("* BYE Disconnected for inactivity.\r\n"), CLOSE};
    /* Past the idle timeout, and past the lifetime: logged out. */
    static const script_step idle_out[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step life_out[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_LOGOUT, END};
    /* Idle past check_after: the check runs again; it fails (no reply: a
     * server that went quiet), so the session is dropped. */
    static const script_step silent[] = {IMAP_LOGIN, IMAP_CHECK, EXPECT("P"), EXPECT("P"), END};
    static const script_step fresh[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_CHECK, IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step *const scripts[] = {bye, fresh, idle_out, life_out, silent};
    scripted_listener l;
    pool_call c, d;
    sqauth_pool_stats before = stats(), after;

    if (!listen_ok(&l, scripts, 5)) {
        return;
    }
    limits(4, 1, 60000, 60000, 60000);
    call_init(&c, "imap", l.port, USER, PASSWORD);
    CHECK_RC(get(&c), SQAUTH_OK);
    CHECK(sqauth_pool_put(c.s, 1) == 1);
    sleep_ms(50);
    call_init(&d, "imap", l.port, USER, PASSWORD);
    CHECK_RC(get(&d), SQAUTH_OK);
    CHECK(!d.reused && d.s != NULL);
    /* The fresh one is pooled, and handed out after a check (check_after 0). */
    CHECK(sqauth_pool_put(d.s, 1) == 1);
    limits(4, 1, 60000, 60000, 0);
    CHECK_RC(get(&d), SQAUTH_OK);
    CHECK(d.reused);
    sqauth_pool_put(d.s, 1);
    sqauth_pool_shutdown();

    /* Past the idle timeout: logged out, a fresh login instead. */
    limits(4, 1, 30, 60000, 60000);
    CHECK_RC(get(&c), SQAUTH_OK); /* idle_out */
    CHECK(!c.reused && sqauth_pool_put(c.s, 1) == 1);
    sleep_ms(60);
    CHECK_RC(get(&c), SQAUTH_OK); /* life_out */
    CHECK(!c.reused && sqauth_pool_put(c.s, 1) == 1);
    /* Past the lifetime, however recently used. */
    limits(4, 1, 60000, 30, 60000);
    sleep_ms(60);
    c.o.timeout_ms = 200;
    CHECK_RC(get(&c), SQAUTH_OK); /* silent */
    CHECK(!c.reused && sqauth_pool_put(c.s, 1) == 1);
    /* Idle past check_after: checked, and the check times out. Dropped,
     * and the fresh login finds no server: the listener's scripts are
     * used up (it accepts, nobody greets). */
    limits(4, 1, 60000, 60000, 20);
    sleep_ms(40);
    CHECK(get(&c) == SQAUTH_ERR_TIMEOUT && !c.reused);
    sqauth_session_free(c.s);
    after = stats();
    CHECK(after.expired == before.expired + 2);
    CHECK(after.discards == before.discards + 2);
    CHECK(after.hits == before.hits + 1);
    sqauth_pool_shutdown();
    CHECK(scripted_listen_finish(&l) == 5);
    CHECK(scripts_ok(&l));
    CHECK(!scripted_got(&l.conns[0], "A0002 LOGOUT"));
    CHECK(scripted_got(&l.conns[2], "A0002 LOGOUT") && scripted_got(&l.conns[3], "A0002 LOGOUT"));
}

/* Expired sessions are logged out by release() too (pool.h, the
 * manual's "Limits"), not only by the next sqauth_pool_get(). */
static void test_expired_at_put(void)
{
    static const script_step kept[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step *const scripts[] = {kept, kept};
    scripted_listener l;
    pool_call a, b;
    sqauth_pool_stats before = stats();

    if (!listen_ok(&l, scripts, 2)) {
        return;
    }
    limits(4, 1, 100, 60000, 60000);
    call_init(&a, "imap", l.port, "a", PASSWORD);
    call_init(&b, "imap", l.port, "b", PASSWORD);
    CHECK_RC(get(&a), SQAUTH_OK);
    CHECK(sqauth_pool_put(a.s, 1) == 1);
    CHECK_RC(get(&b), SQAUTH_OK); /* a's session is not expired yet */
    sleep_ms(150);
    CHECK(sqauth_pool_put(b.s, 1) == 1); /* now it is */
    CHECK(stats().entries == 1 && stats().expired == before.expired + 1);
    CHECK(scripted_got(&l.conns[0], "A0002 LOGOUT"));
    sqauth_pool_shutdown();
    CHECK(scripted_listen_finish(&l) == 2);
    CHECK(scripts_ok(&l));
}

/* Per user and per process, the least recently used first. */
static void test_pool_limits(void)
{
    static const script_step kept[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step *const scripts[] = {kept, kept, kept, kept};
    scripted_listener l;
    pool_call a1, a2, b, c;
    sqauth_pool_stats before = stats();

    if (!listen_ok(&l, scripts, 4)) {
        return;
    }
    limits(2, 1, 60000, 60000, 60000);
    call_init(&a1, "imap", l.port, "a", PASSWORD);
    call_init(&a2, "imap", l.port, "a", PASSWORD);
    call_init(&b, "imap", l.port, "b", PASSWORD);
    call_init(&c, "imap", l.port, "c", PASSWORD);
    CHECK_RC(get(&a1), SQAUTH_OK);
    CHECK_RC(get(&a2), SQAUTH_OK); /* a's second connection, at the same time */
    CHECK(!a2.reused);
    CHECK(sqauth_pool_put(a1.s, 1) == 1);
    CHECK(sqauth_pool_put(a2.s, 1) == 1); /* a1 goes: one per user */
    CHECK(stats().entries == 1);
    CHECK_RC(get(&b), SQAUTH_OK);
    CHECK(sqauth_pool_put(b.s, 1) == 1);
    CHECK_RC(get(&c), SQAUTH_OK);
    CHECK(sqauth_pool_put(c.s, 1) == 1); /* a2 goes: the least recently used of three */
    CHECK(stats().entries == 2 && stats().evictions == before.evictions + 2);
    CHECK(scripted_got(&l.conns[0], "A0002 LOGOUT") && scripted_got(&l.conns[1], "A0002 LOGOUT"));
    CHECK_RC(get(&b), SQAUTH_OK);
    CHECK(b.reused);
    sqauth_pool_discard(b.s);

    /* The pool off: handed back means logged out. */
    limits(0, 1, 60000, 60000, 60000);
    CHECK(stats().entries == 0);
    sqauth_pool_shutdown();
    CHECK(scripted_listen_finish(&l) == 4);
    CHECK(scripts_ok(&l));
}

static void test_protocols(void)
{
    static const script_step smtp_ok[] = {
        SEND("220 mail ESMTP\r\n"), EXPECT("EHLO client.example.org"),
        SEND("250-mail\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n"), EXPECT("AUTH PLAIN "), SEND("235 2.7.0 OK\r\n"),
        EXPECT("RSET"), EXPECT("EHLO client.example.org"), SEND("250 2.0.0 OK\r\n250-mail\r\n250 PIPELINING\r\n"),
        EXPECT("QUIT"), SEND("221 bye\r\n"), END};
    /* An unread 250 (a MAIL FROM) before RSET's: the replies are shifted. */
    static const script_step smtp_shifted[] = {
        SEND("220 mail ESMTP\r\n"), EXPECT("EHLO"), SEND("250-mail\r\n250 AUTH PLAIN\r\n"), EXPECT("AUTH PLAIN "),
        SEND("235 2.7.0 OK\r\n"), EXPECT("RSET"), SEND("250 2.1.0 OK\r\n250 2.0.0 OK\r\n"), EXPECT("EHLO"),
        SEND("250-mail\r\n250 PIPELINING\r\n"), EXPECT("QUIT"), SEND("221 bye\r\n"), END};
    static const script_step sieve_ok[] = {
        SEND("\"SASL\" \"PLAIN\"\r\nOK \"ready\"\r\n"), EXPECT("AUTHENTICATE \"PLAIN\""), SEND("OK\r\n"),
        EXPECT("NOOP \"P"), ECHO("OK (TAG \"%q\") \"Done\"\r\n"), EXPECT("LOGOUT"), SEND("OK\r\n"), END};
    static const script_step sieve_wrong_tag[] = {
        SEND("\"SASL\" \"PLAIN\"\r\nOK \"ready\"\r\n"), EXPECT("AUTHENTICATE \"PLAIN\""), SEND("OK\r\n"),
        EXPECT("NOOP \"P"), SEND("OK \"Putscript completed.\"\r\n"), EXPECT("LOGOUT"), SEND("OK\r\n"), END};
    static const script_step pop3[] = {
        SEND("+OK ready\r\n"), EXPECT("CAPA"), SEND("+OK\r\nSASL PLAIN\r\nUSER\r\n.\r\n"), EXPECT("AUTH PLAIN "),
        SEND("+OK Logged in.\r\n"), EXPECT("QUIT"), SEND("+OK bye\r\n"), END};
    static const script_step *const scripts[] = {smtp_ok, smtp_shifted, sieve_ok, sieve_wrong_tag, pop3};
    scripted_listener l;
    pool_call c;
    sqauth_pool_stats before = stats(), after;

    if (!listen_ok(&l, scripts, 5)) {
        return;
    }
    limits(4, 1, 60000, 60000, 60000);
    call_init(&c, "smtp", l.port, USER, PASSWORD);
    CHECK_RC(get(&c), SQAUTH_OK);
    CHECK(sqauth_pool_put(c.s, 1) == 1);
    CHECK(sqauth_session_capability_count(c.s) == 1); /* EHLO read again */
    sqauth_pool_shutdown();
    CHECK_RC(get(&c), SQAUTH_OK);
    CHECK(!c.reused && sqauth_pool_put(c.s, 1) == 0);

    call_init(&c, "sieve", l.port, USER, PASSWORD);
    CHECK_RC(get(&c), SQAUTH_OK);
    CHECK(sqauth_pool_put(c.s, 1) == 1);
    sqauth_pool_shutdown();
    CHECK_RC(get(&c), SQAUTH_OK);
    CHECK(sqauth_pool_put(c.s, 1) == 0);

    /* POP3 is never pooled: QUIT. */
    call_init(&c, "pop3", l.port, USER, PASSWORD);
    CHECK(!sqauth_pool_protocol_poolable(c.o.protocol));
    CHECK_RC(get(&c), SQAUTH_OK);
    CHECK(sqauth_pool_put(c.s, 1) == 0);
    after = stats();
    CHECK(after.discards == before.discards + 2 && after.misses == before.misses + 5);
    CHECK(scripted_listen_finish(&l) == 5);
    CHECK(scripts_ok(&l));
}

/* Runs child(arg) in a child of fork(); 1 when it returned 1. The verdict
 * comes through a pipe, then the child execs instead of exiting: a leak
 * checker (valgrind follows fork()) would report what the child inherited
 * from the scripted server's thread, which does not run there. */
static int in_child(int (*child)(void *), void *arg)
{
    int status = -1, report[2] = {-1, -1}, ok;
    char verdict = 0;
    pid_t pid;

    if (pipe(report) != 0) {
        return 0;
    }
    pid = fork();
    if (pid == 0) {
        verdict = child(arg) ? 'y' : 'n';
        if (write(report[1], &verdict, 1) == 1) {
            execl("/bin/true", "true", (char *)NULL);
        }
        _exit(1);
    }
    close(report[1]);
    ok = pid > 0 && read(report[0], &verdict, 1) == 1 && verdict == 'y';
    close(report[0]);
    return ok && waitpid(pid, &status, 0) == pid;
}

/* The child of test_fork(): its pool is empty; the session it holds it
 * drops silently; its own login would be a fresh one (none here: no server
 * for it). */
static int fork_child(void *arg)
{
    pool_call *calls = arg, mine = calls[0];
    sqauth_pool_stats st;
    int ok;

    sqauth_pool_get_stats(&st);
    ok = st.entries == 0 && st.hits == 0;
    ok = ok && sqauth_pool_put(calls[1].s, 1) == 0;
    mine.o.port = 1;
    ok = ok && get(&mine) != SQAUTH_OK && !mine.reused;
    sqauth_session_free(mine.s);
    sqauth_pool_shutdown();
    return ok;
}

/* fork(): the child finds its parent's sessions and drops them without a
 * byte: over TLS, a close_notify of the child's would end the parent's
 * conversation. The parent's session is still good afterwards. */
static void test_fork(void)
{
    static const script_step tls[] = {
        START_TLS, SEND(GREETING), EXPECT("A0001 AUTHENTICATE PLAIN "), SEND("A0001 OK Logged in\r\n"),
        IMAP_CHECK, IMAP_CHECK, IMAP_CHECK, IMAP_CHECK, IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step *const scripts[] = {tls};
    scripted_listener l;
    pool_call c, held, both[2];

    CHECK(test_certificate());
    if (!listen_ok(&l, scripts, 1)) {
        return;
    }
    limits(4, 1, 60000, 60000, 0);
    call_init(&c, "imap", l.port, USER, PASSWORD);
    c.o.tls_mode = SQAUTH_TLS_IMPLICIT;
    c.o.tls.verify_peer = 0;
    c.o.tls.verify_peer_name = 0;
    c.o.tls.session_resumption = 0;
    CHECK_RC(get(&c), SQAUTH_OK);
    CHECK(sqauth_pool_put(c.s, 1) == 1);
    /* And one checked out at the time of the fork, as a PHP object holds it. */
    held = c;
    CHECK_RC(get(&held), SQAUTH_OK);
    CHECK(held.reused);

    both[0] = c;
    both[1] = held;
    CHECK(in_child(fork_child, both));
    /* The parent goes on: its session passes the check, back and out again. */
    CHECK(sqauth_pool_put(held.s, 1) == 1);
    CHECK_RC(get(&c), SQAUTH_OK);
    CHECK(c.reused);
    CHECK(sqauth_pool_put(c.s, 1) == 1);
    sqauth_pool_shutdown();
    CHECK(scripted_listen_finish(&l) == 1);
    CHECK(scripts_ok(&l));
}

/* reuse 0, a login form's: never a kept session. A refused login (a wrong
 * password, or the kept one's own that the server no longer takes) leaves
 * the kept session; an accepted one replaces it (LOGOUT), and is pooled
 * itself when handed back. */
static void test_fresh(void)
{
    static const script_step kept[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step refused[] = {IMAP_REFUSED, END};
    static const script_step fresh[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step *const scripts[] = {kept, refused, refused, fresh};
    scripted_listener l;
    pool_call a, wrong, locked, form;
    sqauth_pool_stats before = stats(), after;

    limits(4, 2, 60000, 60000, 60000);
    if (!listen_ok(&l, scripts, 4)) {
        return;
    }
    call_init(&a, "imap", l.port, USER, PASSWORD);
    CHECK_RC(get(&a), SQAUTH_OK);
    CHECK(sqauth_pool_put(a.s, 1) == 1);

    call_init(&wrong, "imap", l.port, USER, "not-" PASSWORD);
    wrong.use = SQAUTH_POOL_FRESH;
    CHECK_RC(get(&wrong), SQAUTH_ERR_AUTH);
    CHECK(!wrong.reused && wrong.s && strcmp(sqauth_session_response_code(wrong.s), "AUTHENTICATIONFAILED") == 0);
    sqauth_session_free(wrong.s);
    call_init(&locked, "imap", l.port, USER, PASSWORD);
    locked.use = SQAUTH_POOL_FRESH;
    CHECK_RC(get(&locked), SQAUTH_ERR_AUTH);
    CHECK(!locked.reused);
    sqauth_session_free(locked.s);
    CHECK(stats().entries == 1 && !scripted_got(&l.conns[0], "A0002 LOGOUT"));

    call_init(&form, "imap", l.port, USER, PASSWORD);
    form.use = SQAUTH_POOL_FRESH;
    CHECK_RC(get(&form), SQAUTH_OK);
    CHECK(!form.reused && form.s != a.s && sqauth_session_is_authenticated(form.s));
    CHECK(stats().entries == 0 && scripted_got(&l.conns[0], "A0002 LOGOUT"));
    CHECK(sqauth_pool_put(form.s, 1) == 1);
    after = stats();
    CHECK(after.entries == 1 && after.hits == before.hits && after.misses == before.misses + 4);
    CHECK(after.forgotten == before.forgotten + 1 && after.discards == before.discards);
    sqauth_pool_shutdown();
    CHECK(scripted_listen_finish(&l) == 4);
    CHECK(scripts_ok(&l) && scripted_got(&l.conns[3], "A0002 LOGOUT"));
}

/* A caller for whom the pool is off (a web server directory that sets
 * sqauth.pool_size to 0 in a process that pools for the others): a fresh
 * login although a session is kept for the same login; nothing counted,
 * kept or cleaned up; put() logs it out; the kept session is still there
 * for the next caller. */
static void test_bypass(void)
{
    static const script_step kept[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step bypassing[] = {IMAP_LOGIN, IMAP_LOGOUT, END};
    static const script_step *const scripts[] = {kept, bypassing};
    scripted_listener l;
    pool_call a, off, again;
    sqauth_pool_stats before, after;

    sqauth_pool_shutdown();
    limits(4, 1, 60000, 60000, 60000);
    if (!listen_ok(&l, scripts, 2)) {
        return;
    }
    call_init(&a, "imap", l.port, USER, PASSWORD);
    CHECK_RC(get(&a), SQAUTH_OK);
    CHECK(sqauth_pool_put(a.s, 1) == 1);
    before = stats();

    call_init(&off, "imap", l.port, USER, PASSWORD);
    off.use = SQAUTH_POOL_BYPASS;
    CHECK_RC(get(&off), SQAUTH_OK);
    CHECK(!off.reused && off.s != a.s && sqauth_session_is_authenticated(off.s));
    CHECK(sqauth_pool_put(off.s, 1) == 0);
    after = stats();
    CHECK(after.entries == 1 && after.hits == before.hits && after.misses == before.misses);
    CHECK(after.discards == before.discards && after.forgotten == before.forgotten);

    call_init(&again, "imap", l.port, USER, PASSWORD);
    CHECK_RC(get(&again), SQAUTH_OK);
    CHECK(again.reused && again.s == a.s);
    CHECK(sqauth_pool_put(again.s, 1) == 1);
    sqauth_pool_shutdown();
    CHECK(scripted_listen_finish(&l) == 2);
    CHECK(scripts_ok(&l) && scripted_got(&l.conns[1], "A0002 LOGOUT"));
}

/* Forgetting a user: every session kept under their user key gets its
 * LOGOUT, whatever its password and without one of the caller's; another
 * user's or another option's stays; no connection is made. */
static void test_forget(void)
{
    static const script_step kept[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step reused[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step *const scripts[] = {kept, kept, kept, reused};
    scripted_listener l;
    pool_call a1, a2, a3, b, who, pop;
    sqauth_pool_stats before = stats(), after;

    sqauth_pool_shutdown();
    limits(8, 3, 60000, 60000, 60000);
    call_init(&who, "imap", 1, USER, "");
    CHECK(forget(&who) == 0); /* no key yet in this process: nothing was pooled */
    if (!listen_ok(&l, scripts, 4)) {
        return;
    }
    call_init(&a1, "imap", l.port, USER, PASSWORD);
    call_init(&a2, "imap", l.port, USER, PASSWORD);
    call_init(&a3, "imap", l.port, USER, "other-" PASSWORD);
    call_init(&b, "imap", l.port, "b", PASSWORD);
    CHECK_RC(get(&a1), SQAUTH_OK);
    CHECK_RC(get(&a2), SQAUTH_OK);
    CHECK(sqauth_pool_put(a1.s, 1) == 1 && sqauth_pool_put(a2.s, 1) == 1);
    /* A session of another password that the server took (it retires the
     * first two) is kept as well: the third. */
    CHECK_RC(get(&a3), SQAUTH_OK);
    CHECK(sqauth_pool_put(a3.s, 1) == 1);
    CHECK_RC(get(&b), SQAUTH_OK);
    CHECK(sqauth_pool_put(b.s, 1) == 1);
    CHECK(stats().entries == 2);

    /* Another option (the EHLO name) is another user key; POP3 is never pooled. */
    call_init(&who, "imap", l.port, USER, "");
    who.o.helo = "other.example.org";
    CHECK(forget(&who) == 0);
    call_init(&pop, "pop3", l.port, USER, "");
    CHECK(forget(&pop) == 0);
    CHECK(stats().entries == 2);

    call_init(&who, "imap", l.port, USER, "no password needed");
    CHECK(forget(&who) == 1);
    CHECK(stats().entries == 1 && scripted_got(&l.conns[2], "A0002 LOGOUT") && !scripted_got(&l.conns[3], "A0002 LOGOUT"));
    CHECK(forget(&who) == 0);
    CHECK_RC(get(&b), SQAUTH_OK);
    CHECK(b.reused);
    CHECK(sqauth_pool_put(b.s, 1) == 1);

    sqauth_pool_shutdown();
    after = stats();
    CHECK(after.forgotten == before.forgotten + 1 && after.discards == before.discards + 2);
    CHECK(scripted_listen_finish(&l) == 4);
    CHECK(scripts_ok(&l));
}

/* A session in use when its user is forgotten (signed out in another
 * request of the process, or earlier in the same one) is logged out when
 * it comes back, not pooled; one logged in after the sign-out is pooled. */
static void test_forget_in_use(void)
{
    static const script_step in_use[] = {IMAP_LOGIN, IMAP_LOGOUT, END};
    static const script_step later[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step *const scripts[] = {in_use, later};
    scripted_listener l;
    pool_call a, who;
    sqauth_pool_stats before = stats(), after;

    limits(8, 3, 60000, 60000, 60000);
    if (!listen_ok(&l, scripts, 2)) {
        return;
    }
    call_init(&a, "imap", l.port, USER, PASSWORD);
    call_init(&who, "imap", l.port, USER, "");
    CHECK_RC(get(&a), SQAUTH_OK);
    CHECK(forget(&who) == 0);
    CHECK(sqauth_pool_put(a.s, 1) == 0);
    CHECK(scripted_got(&l.conns[0], "A0002 LOGOUT"));
    sleep_ms(2); /* a login in a later millisecond than the sign-out */
    CHECK_RC(get(&a), SQAUTH_OK);
    CHECK(!a.reused && sqauth_pool_put(a.s, 1) == 1);
    sqauth_pool_shutdown();
    after = stats();
    CHECK(after.forgotten == before.forgotten + 1);
    CHECK(scripted_listen_finish(&l) == 2);
    CHECK(scripts_ok(&l));
}

/* The child of test_forget_fork(): no session of its parent's to forget. */
static int forget_child(void *arg)
{
    pool_call mine = *(pool_call *)arg;
    int ok = forget(&mine) == 0 && stats().entries == 0 && stats().forgotten == 0;

    sqauth_pool_shutdown();
    return ok;
}

/* Two sessions of one user: forget ends both; in a child of fork() it
 * finds none of its parent's and sends nothing (a byte of the child's
 * would break the script), and the parent's sessions stay good. */
static void test_forget_fork(void)
{
    static const script_step kept[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_LOGOUT, END};
    /* The newest: checked again before it is handed out, and when handed back. */
    static const script_step reused[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_CHECK, IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step *const scripts[] = {kept, reused};
    scripted_listener l;
    pool_call a1, a2;
    sqauth_pool_stats before = stats();

    limits(4, 2, 60000, 60000, 0);
    if (!listen_ok(&l, scripts, 2)) {
        return;
    }
    call_init(&a1, "imap", l.port, USER, PASSWORD);
    call_init(&a2, "imap", l.port, USER, PASSWORD);
    CHECK_RC(get(&a1), SQAUTH_OK);
    CHECK_RC(get(&a2), SQAUTH_OK);
    CHECK(sqauth_pool_put(a1.s, 1) == 1 && sqauth_pool_put(a2.s, 1) == 1);

    CHECK(in_child(forget_child, &a1));

    /* The parent's: checked (check_after 0) and handed out again. */
    CHECK_RC(get(&a1), SQAUTH_OK);
    CHECK(a1.reused);
    CHECK(sqauth_pool_put(a1.s, 1) == 1 && stats().entries == 2);
    CHECK(forget(&a2) == 2);
    CHECK(stats().entries == 0 && stats().forgotten == before.forgotten + 2);
    CHECK(scripted_got(&l.conns[0], "A0002 LOGOUT") && scripted_got(&l.conns[1], "A0002 LOGOUT"));
    CHECK(scripted_listen_finish(&l) == 2);
    CHECK(scripts_ok(&l));
}

/* After another process's sign-out of the user of the kept session on
 * the listener's first connection (or its accepted login form): nothing
 * happens here until the pool is used; then b's session (the other one
 * kept) is handed out, and the user's is logged out. */
static void kept_one_reached(scripted_listener *l, pool_call *b)
{
    CHECK(stats().entries == 2);
    CHECK_RC(get(b), SQAUTH_OK);
    CHECK(b->reused && stats().entries == 0 && scripted_got(&l->conns[0], "A0002 LOGOUT"));
    CHECK(sqauth_pool_put(b->s, 1) == 1);
}

/* Sign-outs shared with forked processes (PHP-FPM's workers): a child's
 * sign-out logs out the parent's kept session of that user at the
 * parent's next get (another user's stays and is handed out), and the
 * parent's session in use then is not pooled when handed back; past the
 * ring's 4096 newer sign-outs a session in use is taken as signed out. */
static void test_forget_shared(void)
{
    static const script_step kept[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step other[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step in_use[] = {IMAP_LOGIN, IMAP_LOGOUT, END};
    static const script_step *const scripts[] = {kept, other, in_use, in_use};
    scripted_listener l;
    pool_call a, b, o;
    sqauth_pool_stats before = stats(), after;
    sqauth_error err;
    int i, ok = 1;

    CHECK(!sqauth_pool_signouts_shared());
    CHECK_RC(sqauth_pool_share_signouts(&err), SQAUTH_OK);
    CHECK(sqauth_pool_signouts_shared());
    limits(8, 1, 60000, 60000, 60000);
    if (!listen_ok(&l, scripts, 4)) {
        return;
    }
    call_init(&a, "imap", l.port, USER, PASSWORD);
    call_init(&b, "imap", l.port, "b", PASSWORD);
    CHECK_RC(get(&a), SQAUTH_OK);
    CHECK(sqauth_pool_put(a.s, 1) == 1);
    CHECK_RC(get(&b), SQAUTH_OK);
    CHECK(sqauth_pool_put(b.s, 1) == 1);

    CHECK(in_child(forget_child, &a));
    kept_one_reached(&l, &b);

    CHECK_RC(get(&a), SQAUTH_OK);
    CHECK(!a.reused);
    CHECK(in_child(forget_child, &a));
    CHECK(sqauth_pool_put(a.s, 1) == 0);

    CHECK_RC(get(&a), SQAUTH_OK);
    CHECK(!a.reused);
    call_init(&o, "imap", l.port, "o", "");
    for (i = 0; i <= 4096 && ok; i++) {
        ok = forget(&o) == 0;
    }
    CHECK(ok);
    CHECK(sqauth_pool_put(a.s, 1) == 0 && stats().entries == 1);

    sqauth_pool_shutdown();
    CHECK(!sqauth_pool_signouts_shared());
    after = stats();
    CHECK(after.forgotten == before.forgotten + 3 && after.hits == before.hits + 1);
    CHECK(scripted_listen_finish(&l) == 4);
    CHECK(scripts_ok(&l));
}

/* The children of test_fresh_shared(): a login form's login of the
 * parent's user, refused, or accepted (then handed back and logged out at
 * the child's pool shutdown). */
static int refused_form_child(void *arg)
{
    pool_call form = *(pool_call *)arg;
    int ok;

    form.use = SQAUTH_POOL_FRESH;
    form.l.sasl.password = sqauth_str_c("not-" PASSWORD);
    ok = get(&form) == SQAUTH_ERR_AUTH && !form.reused;
    sqauth_session_free(form.s);
    sqauth_pool_shutdown();
    return ok;
}

static int accepted_form_child(void *arg)
{
    pool_call form = *(pool_call *)arg;
    int ok;

    form.use = SQAUTH_POOL_FRESH;
    ok = get(&form) == SQAUTH_OK && !form.reused && sqauth_pool_put(form.s, 1) == 1;
    sqauth_pool_shutdown();
    return ok;
}

/* A login form's login (reuse 0) that the server accepts replaces the
 * user's sessions in every process that shares sign-outs: one a forked
 * child accepted logs out the parent's kept session at the parent's next
 * get (another user's stays and is handed out) and the parent's session
 * in use when it is handed back; a refused one touches nothing. In the
 * same process a session in use is logged out when handed back, and the
 * form's own session is pooled and handed out. */
static void test_fresh_shared(void)
{
    static const script_step kept[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step in_use[] = {IMAP_LOGIN, IMAP_LOGOUT, END};
    static const script_step other[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_CHECK, IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step refused[] = {IMAP_REFUSED, END};
    static const script_step form[] = {IMAP_LOGIN, IMAP_CHECK, IMAP_CHECK, IMAP_LOGOUT, END};
    static const script_step *const scripts[] = {kept, in_use, other, refused, kept, in_use, form};
    scripted_listener l;
    pool_call a1, a2, b, a3, f;
    sqauth_pool_stats before = stats(), after;
    sqauth_error err;

    CHECK_RC(sqauth_pool_share_signouts(&err), SQAUTH_OK);
    limits(8, 2, 60000, 60000, 60000);
    if (!listen_ok(&l, scripts, 7)) {
        return;
    }
    call_init(&a1, "imap", l.port, USER, PASSWORD);
    call_init(&a2, "imap", l.port, USER, PASSWORD);
    call_init(&b, "imap", l.port, "b", PASSWORD);
    CHECK_RC(get(&a1), SQAUTH_OK);
    CHECK_RC(get(&a2), SQAUTH_OK);
    CHECK(sqauth_pool_put(a1.s, 1) == 1); /* a2 stays in use */
    CHECK_RC(get(&b), SQAUTH_OK);
    CHECK(sqauth_pool_put(b.s, 1) == 1);

    CHECK(in_child(refused_form_child, &a1));
    CHECK_RC(get(&b), SQAUTH_OK);
    CHECK(b.reused && stats().entries == 1 && !scripted_got(&l.conns[0], "A0002 LOGOUT"));
    CHECK(sqauth_pool_put(b.s, 1) == 1);

    CHECK(in_child(accepted_form_child, &a1));
    kept_one_reached(&l, &b);
    CHECK(sqauth_pool_put(a2.s, 1) == 0 && scripted_got(&l.conns[1], "A0002 LOGOUT"));

    call_init(&a3, "imap", l.port, USER, PASSWORD);
    CHECK_RC(get(&a3), SQAUTH_OK);
    CHECK(!a3.reused);
    call_init(&f, "imap", l.port, USER, PASSWORD);
    f.use = SQAUTH_POOL_FRESH;
    CHECK_RC(get(&f), SQAUTH_OK);
    CHECK(!f.reused && sqauth_pool_put(f.s, 1) == 1);
    CHECK(sqauth_pool_put(a3.s, 1) == 0 && scripted_got(&l.conns[5], "A0002 LOGOUT"));
    f.use = SQAUTH_POOL_REUSE;
    {
        sqauth_session *form_session = f.s;
        CHECK_RC(get(&f), SQAUTH_OK);
        CHECK(f.reused && f.s == form_session);
    }
    CHECK(sqauth_pool_put(f.s, 1) == 1 && stats().entries == 2);

    sqauth_pool_shutdown();
    after = stats();
    CHECK(after.forgotten == before.forgotten + 3 && after.hits == before.hits + 3);
    CHECK(scripted_listen_finish(&l) == 7);
    CHECK(scripts_ok(&l));
}

/* Threads (a ZTS PHP): several share the pool, each with its own user,
 * taking and handing back at the same time. */
#define THREADS 4
#define ROUNDS 20

typedef struct thread_job {
    unsigned port;
    char user[16];
    int reused, ok;
} thread_job;

static void *thread_rounds(void *arg)
{
    thread_job *job = arg;
    pool_call c;
    int i;

    job->ok = 1;
    for (i = 0; i < ROUNDS; i++) {
        call_init(&c, "imap", job->port, job->user, PASSWORD);
        if (get(&c) != SQAUTH_OK || sqauth_pool_put(c.s, 1) != 1) {
            job->ok = 0;
            break;
        }
        job->reused += c.reused;
    }
    return NULL;
}

static void test_threads(void)
{
    static script_step steps[3 + 4 * ROUNDS + 3];
    static const script_step *scripts[1];
    scripted_listener l[THREADS];
    thread_job jobs[THREADS];
    pthread_t t[THREADS];
    sqauth_pool_stats before = stats(), after;
    size_t n = 0;
    int i, r;

    steps[n++] = (script_step)SEND(GREETING);
    steps[n++] = (script_step)EXPECT("A0001 AUTHENTICATE PLAIN ");
    steps[n++] = (script_step)SEND("A0001 OK Logged in\r\n");
    for (r = 0; r < ROUNDS; r++) {
        steps[n++] = (script_step)EXPECT("P");
        steps[n++] = (script_step)ECHO("%t BAD No mailbox selected.\r\n");
        steps[n++] = (script_step)EXPECT("P");
        steps[n++] = (script_step)ECHO("%t OK NOOP completed.\r\n");
    }
    steps[n++] = (script_step)EXPECT("A0002 LOGOUT");
    steps[n++] = (script_step)SEND("A0002 OK\r\n");
    steps[n++] = (script_step)END;
    scripts[0] = steps;
    limits(8, 1, 60000, 60000, 60000);
    for (i = 0; i < THREADS; i++) {
        memset(&jobs[i], 0, sizeof(jobs[i]));
        if (!listen_ok(&l[i], scripts, 1)) {
            return;
        }
        jobs[i].port = l[i].port;
        snprintf(jobs[i].user, sizeof(jobs[i].user), "t%d", i);
    }
    for (i = 0; i < THREADS; i++) {
        CHECK(pthread_create(&t[i], NULL, thread_rounds, &jobs[i]) == 0);
    }
    for (i = 0; i < THREADS; i++) {
        pthread_join(t[i], NULL);
        CHECK(jobs[i].ok && jobs[i].reused == ROUNDS - 1);
    }
    after = stats();
    CHECK(after.hits == before.hits + THREADS * (ROUNDS - 1) && after.misses == before.misses + THREADS);
    CHECK(after.entries == THREADS);
    sqauth_pool_shutdown();
    for (i = 0; i < THREADS; i++) {
        CHECK(scripted_listen_finish(&l[i]) == 1);
        CHECK(scripts_ok(&l[i]));
    }
}

void test_pool(void)
{
    sqauth_pool_limits saved;

    sqauth_pool_get_limits(&saved);
    test_reuse();
    test_key();
    test_not_clean();
    test_lasting_commands();
    test_refused_literal();
    test_hostile_check();
    test_silent_shutdown();
    test_not_handed_out();
    test_pool_limits();
    test_expired_at_put();
    test_protocols();
    test_fork();
    test_fresh();
    test_bypass();
    test_forget();
    test_forget_in_use();
    test_forget_fork();
    test_forget_shared();
    test_fresh_shared();
    test_threads();
    {
        sqauth_error err;
        CHECK_RC(sqauth_pool_set_limits(&saved, &err), SQAUTH_OK);
    }
}
