/*
 * conn.c against a scripted server on a socketpair: lines (CR LF or LF,
 * the length limit), exact reads across writes, the stream reader that
 * never waits when told not to, bytes another reader had buffered, the
 * end of the stream, and the read deadline.
 */
#include "check.h"
#include "conn.h"
#include "scripted_server.h"

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

void test_conn(void)
{
    test_lines();
    test_stream_reads();
    test_deadline();
}
