/*
 * conn.c against a scripted server on a socketpair: lines (CR LF or LF,
 * the length limit), exact reads across writes, the stream reader that
 * never waits when told not to, bytes another reader had buffered, the
 * end of the stream (in order, or a reset: a failure), the read deadline
 * per wait, and a call's deadline, which cuts a line dripped slowly.
 */
#include "check.h"
#include "conn.h"
#include "net/net.h"
#include "scripted_server.h"

#include <errno.h>

static sqauth_conn *adopt(scripted_server *srv, const script_step *steps, int timeout_ms)
{
    sqauth_conn *c = NULL;
    sqauth_error err;
    int fd = scripted_start(srv, steps);

    CHECK(fd >= 0);
    CHECK_RC(sqauth_conn_adopt(&c, fd, timeout_ms, &err), SQAUTH_OK);
    return c;
}

static void test_lines(void)
{
    static const script_step steps[] = {
        SEND("first\r\nsecond\n"), SEND("lit"), SEND("eral+rest\r\n"), EXPECT("hello"),
        SEND("0123456789ABC\r\n"), END};
    scripted_server srv;
    sqauth_buf line = SQAUTH_BUF_INIT, exact = SQAUTH_BUF_INIT;
    sqauth_error err;
    sqauth_conn *c = adopt(&srv, steps, 5000);

    CHECK_RC(sqauth_conn_read_line(c, &line, 100, &err), SQAUTH_OK);
    CHECK_BYTES(line.data, line.len, "first");
    CHECK_RC(sqauth_conn_read_line(c, &line, 100, &err), SQAUTH_OK);
    CHECK_BYTES(line.data, line.len, "second");
    /* An IMAP literal arriving in two writes. */
    CHECK_RC(sqauth_conn_read_exact(c, &exact, 7, &err), SQAUTH_OK);
    CHECK_BYTES(exact.data, exact.len, "literal");
    CHECK_RC(sqauth_conn_read_line(c, &line, 100, &err), SQAUTH_OK);
    CHECK_BYTES(line.data, line.len, "+rest");
    CHECK_RC(sqauth_conn_write_all(c, "hello\r\n", 7, &err), SQAUTH_OK);
    /* 13 characters where 12 are allowed (the connection is dropped). */
    CHECK_RC(sqauth_conn_read_line(c, &line, 12, &err), SQAUTH_ERR_PROTOCOL);
    CHECK(strstr(err.message, "longer than 12 bytes") != NULL);
    sqauth_conn_free(c);
    scripted_finish(&srv);
    CHECK(srv.ok);
    sqauth_buf_free(&line);
    sqauth_buf_free(&exact);
}

static void test_stream_reads(void)
{
    static const script_step steps[] = {EXPECT("go"), SEND("abc"), EXPECT("end"), CLOSE};
    scripted_server srv;
    sqauth_error err;
    char buf[64];
    size_t got;
    int at_end;
    sqauth_conn *c = adopt(&srv, steps, 30000);

    /* Bytes PHP had read ahead come first. */
    CHECK(sqauth_conn_preload(c, "pre", 3) == 3);
    CHECK(sqauth_conn_buffered(c) == 3 && sqauth_conn_has_pending(c));
    CHECK_RC(sqauth_conn_read_available(c, buf, sizeof(buf), 0, &got, &at_end, &err), SQAUTH_OK);
    CHECK_BYTES(buf, got, "pre");
    /* Nothing there and no waiting allowed: "nothing yet" at once, not
     * after the 30 s this connection would otherwise wait. */
    CHECK_RC(sqauth_conn_read_available(c, buf, sizeof(buf), 0, &got, &at_end, &err), SQAUTH_ERR_TIMEOUT);
    CHECK(got == 0 && !at_end);
    /* Waiting: the next bytes. */
    CHECK_RC(sqauth_conn_write_all(c, "go\n", 3, &err), SQAUTH_OK);
    CHECK_RC(sqauth_conn_read_available(c, buf, sizeof(buf), 1, &got, &at_end, &err), SQAUTH_OK);
    CHECK_BYTES(buf, got, "abc");
    /* The server closes: the end, not an error. */
    CHECK_RC(sqauth_conn_write_all(c, "end\n", 4, &err), SQAUTH_OK);
    CHECK_RC(sqauth_conn_read_available(c, buf, sizeof(buf), 1, &got, &at_end, &err), SQAUTH_OK);
    CHECK(got == 0 && at_end && sqauth_conn_at_eof(c));
    sqauth_conn_free(c);
    scripted_finish(&srv);
    CHECK(srv.ok);
}

static void test_deadline(void)
{
    static const script_step silent[] = {EXPECT("never sent"), END};
    scripted_server srv;
    sqauth_buf line = SQAUTH_BUF_INIT;
    sqauth_error err;
    sqauth_conn *c = adopt(&srv, silent, 100);

    CHECK_RC(sqauth_conn_read_line(c, &line, 100, &err), SQAUTH_ERR_TIMEOUT);
    CHECK(strstr(err.message, "timed out waiting for the server") != NULL);
    sqauth_conn_free(c);
    scripted_finish(&srv);
    sqauth_buf_free(&line);
}

static sqauth_deadline deadline_in(int ms)
{
    sqauth_deadline d;
    d.at = sqauth_now_ms() + ms;
    d.timeout_ms = ms;
    return d;
}

static void test_conn_deadline(void)
{
    static const script_step drip[] = {DRIP("drip\n", 100), END};
    static const script_step ready[] = {SEND("a line\n"), EXPECT("late"), END};
    scripted_server srv;
    sqauth_buf line = SQAUTH_BUF_INIT;
    sqauth_error err;
    sqauth_deadline d;
    sqauth_conn *c;
    int64_t t0;

    /* Without a call, each wait has the timeout (300 ms) on its own: a
     * line dripped over 500 ms arrives whole. */
    c = adopt(&srv, drip, 300);
    CHECK_RC(sqauth_conn_read_line(c, &line, 100, &err), SQAUTH_OK);
    CHECK_BYTES(line.data, line.len, "drip");
    sqauth_conn_free(c);
    scripted_finish(&srv);

    /* In a call of 300 ms, the same line is cut at the deadline. */
    c = adopt(&srv, drip, 30000);
    d = deadline_in(300);
    sqauth_conn_set_deadline(c, &d);
    t0 = sqauth_now_ms();
    CHECK_RC(sqauth_conn_read_line(c, &line, 100, &err), SQAUTH_ERR_TIMEOUT);
    CHECK(sqauth_now_ms() - t0 >= 290 && sqauth_now_ms() - t0 < 5000);
    CHECK(strcmp(err.message, "timed out waiting for the server: the call's 'timeout' of 0.3 s has passed") == 0);
    sqauth_conn_free(c);
    scripted_finish(&srv);

    /* Past the deadline nothing more is read or written, bytes at hand or
     * not; once the call ends, both work again. */
    c = adopt(&srv, ready, 30000);
    scripted_sleep_ms(50);
    d.at = sqauth_now_ms() - 1;
    d.timeout_ms = 1500;
    sqauth_conn_set_deadline(c, &d);
    CHECK_RC(sqauth_conn_read_line(c, &line, 100, &err), SQAUTH_ERR_TIMEOUT);
    CHECK(strcmp(err.message, "timed out waiting for the server: the call's 'timeout' of 1.5 s has passed") == 0);
    CHECK_RC(sqauth_conn_write_all(c, "late\n", 5, &err), SQAUTH_ERR_TIMEOUT);
    CHECK(strcmp(err.message, "timed out sending to the server: the call's 'timeout' of 1.5 s has passed") == 0);
    sqauth_conn_set_deadline(c, NULL);
    CHECK_RC(sqauth_conn_read_line(c, &line, 100, &err), SQAUTH_OK);
    CHECK_BYTES(line.data, line.len, "a line");
    CHECK_RC(sqauth_conn_write_all(c, "late\n", 5, &err), SQAUTH_OK);
    sqauth_conn_free(c);
    scripted_finish(&srv);
    CHECK(srv.ok);
    sqauth_buf_free(&line);
}

/* The byte stream's end: in order it is the end (TLS close_notify or not),
 * a reset is a failure (errno kept). */
static void test_stream_end(void)
{
    static const script_step closed[] = {EXPECT("bye"), CLOSE};
    static const script_step reset[] = {RESET};
    scripted_server srv;
    sqauth_error err;
    sqauth_conn *c;
    char buf[16];
    size_t got;
    int at_end;

    c = adopt(&srv, closed, 5000);
    CHECK_RC(sqauth_conn_write_all(c, "bye\n", 4, &err), SQAUTH_OK);
    CHECK_RC(sqauth_conn_read_available(c, buf, sizeof(buf), 1, &got, &at_end, &err), SQAUTH_OK);
    CHECK(got == 0 && at_end);
    sqauth_conn_free(c);
    scripted_finish(&srv);

    c = adopt(&srv, reset, 5000);
    CHECK_RC(sqauth_conn_write_all(c, "unread\n", 7, &err), SQAUTH_OK);
    CHECK_RC(sqauth_conn_read_available(c, buf, sizeof(buf), 1, &got, &at_end, &err), SQAUTH_ERR_CLOSED);
    CHECK(got == 0 && !at_end && err.sys_errno == ECONNRESET);
    CHECK(strcmp(err.message, "the server closed the connection") == 0);
    /* and it stays a failure */
    CHECK_RC(sqauth_conn_read_available(c, buf, sizeof(buf), 1, &got, &at_end, &err), SQAUTH_ERR_CLOSED);
    CHECK(err.sys_errno == ECONNRESET);
    sqauth_conn_free(c);
    scripted_finish(&srv);
}

void test_conn(void)
{
    test_lines();
    test_stream_reads();
    test_deadline();
    test_conn_deadline();
    test_stream_end();
}
