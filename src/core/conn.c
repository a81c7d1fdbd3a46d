/*
 * sqauth core: a connection with optional TLS, buffered reads, deadlines on
 * every read and write, and size limits on every line.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "conn.h"
#include "net/net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

/* "2 s", "1.5 s", "0.25 s": by hand, since printf's %g follows the
 * locale's decimal point (PHP's setlocale()). */
static const char *seconds_text(int ms, char *buf, size_t size)
{
    if (ms % 1000 == 0) {
        snprintf(buf, size, "%d s", ms / 1000);
    } else {
        size_t n;
        snprintf(buf, size, "%d.%03d", ms / 1000, ms % 1000);
        n = strlen(buf);
        while (buf[n - 1] == '0') {
            buf[--n] = '\0';
        }
        snprintf(buf + n, size - n, " s");
    }
    return buf;
}

/* Appends ": <text>" to the message err holds. */
static void explain(sqauth_error *err, const char *text)
{
    size_t n;
    if (!err) {
        return;
    }
    n = strlen(err->message);
    snprintf(err->message + n, sizeof(err->message) - n, ": %s", text);
}

/* A wait of the call that ran into the call's deadline. */
static int call_timed_out(const sqauth_conn *c, const char *what, sqauth_error *err)
{
    char secs[32];
    return sqauth_fail(err, SQAUTH_ERR_TIMEOUT, "timed out %s: the call's 'timeout' of %s has passed", what,
                       seconds_text(c->call.timeout_ms, secs, sizeof(secs)));
}

/* The server ended the connection, with an orderly end (FIN, e = 0) or a
 * reset (ECONNRESET, EPIPE): the same failure either way. A server that
 * closes with bytes of ours unread makes its kernel answer them with a
 * reset, so which of the two arrives first is a matter of timing. Seen by
 * a read, it is the end of what can be read; a write that fails leaves
 * what the server sent before readable. */
static int closed_by_server(sqauth_conn *c, int reading, int e, sqauth_error *err)
{
    if (reading) {
        c->eof = 1;
        c->eof_errno = e;
    }
    sqauth_fail(err, SQAUTH_ERR_CLOSED, "the server closed the connection");
    if (err) {
        err->sys_errno = e;
    }
    return SQAUTH_ERR_CLOSED;
}

static int is_reset(int e)
{
    return e == ECONNRESET || e == EPIPE;
}

static int conn_new(sqauth_conn **out, int fd, int owns, int timeout_ms, sqauth_error *err)
{
    sqauth_conn *c = calloc(1, sizeof(*c));
    if (!c) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    c->fd = fd;
    c->owns_fd = owns;
    c->owner = getpid();
    c->timeout_ms = timeout_ms > 0 ? timeout_ms : SQAUTH_CONN_DEFAULT_TIMEOUT_MS;
    *out = c;
    return SQAUTH_OK;
}

int sqauth_conn_open(sqauth_conn **out, const char *host, unsigned port, int connect_timeout_ms,
                     int timeout_ms, const sqauth_deadline *call, sqauth_error *err)
{
    int64_t by_connect_timeout;
    int fd, rc, call_first;
    char secs[32], why[96];

    *out = NULL;
    if (connect_timeout_ms <= 0) {
        connect_timeout_ms = SQAUTH_CONN_DEFAULT_TIMEOUT_MS;
    }
    /* Connecting is part of the call: the earlier of the two bounds. */
    by_connect_timeout = sqauth_now_ms() + connect_timeout_ms;
    call_first = call && call->at && call->at <= by_connect_timeout;
    rc = sqauth_net_connect(host, port, call_first ? call->at : by_connect_timeout, &fd, err);
    if (rc == SQAUTH_ERR_TIMEOUT) {
        if (call_first) {
            snprintf(why, sizeof(why), "the call's 'timeout' of %s has passed",
                     seconds_text(call->timeout_ms, secs, sizeof(secs)));
        } else {
            snprintf(why, sizeof(why), "'connect_timeout' of %s has passed",
                     seconds_text(connect_timeout_ms, secs, sizeof(secs)));
        }
        explain(err, why);
    }
    if (rc != SQAUTH_OK) {
        return rc;
    }
    rc = conn_new(out, fd, 1, timeout_ms, err);
    if (rc != SQAUTH_OK) {
        close(fd);
        return rc;
    }
    (*out)->port = port;
    sqauth_conn_set_deadline(*out, call);
    return rc;
}

int sqauth_conn_adopt(sqauth_conn **out, int fd, int timeout_ms, sqauth_error *err)
{
    struct sockaddr_storage peer;
    socklen_t len = sizeof(peer);
    int rc;

    *out = NULL;
    rc = conn_new(out, fd, 0, timeout_ms, err);
    /* The peer's port keys the TLS sessions, as for a connection we open. */
    if (rc == SQAUTH_OK && getpeername(fd, (struct sockaddr *)&peer, &len) == 0) {
        if (peer.ss_family == AF_INET) {
            (*out)->port = ntohs(((struct sockaddr_in *)&peer)->sin_port);
        } else if (peer.ss_family == AF_INET6) {
            (*out)->port = ntohs(((struct sockaddr_in6 *)&peer)->sin6_port);
        }
    }
    return rc;
}

size_t sqauth_conn_buffered(const sqauth_conn *c)
{
    return c->rlen - c->rpos;
}

int sqauth_conn_has_pending(const sqauth_conn *c)
{
    /* SSL_has_pending, not SSL_pending: with read-ahead, whole records may
     * sit in OpenSSL's buffer undecrypted, invisible to poll(). */
    return c->rpos < c->rlen || (c->ssl && SSL_has_pending(c->ssl))
        || (c->layer && (c->layer_out_pos < c->layer_out.len || (c->layer_in.len && !c->layer_need_more)));
}

/* A failed SSL_read() (reading = 1) or SSL_write(). sys_errno is the
 * errno of that call. */
static int tls_io_error(sqauth_conn *c, int reading, int ssl_err, int sys_errno, sqauth_error *err)
{
    const char *what = reading ? "while reading" : "while writing";

    sqauth_tls_collect_errors(&c->tls_failure);
    if (ssl_err == SSL_ERROR_ZERO_RETURN) {
        c->eof = 1;
        c->close_notify = 1;
        return sqauth_fail(err, SQAUTH_ERR_CLOSED, "the server closed the TLS connection %s", what);
    }
    /* The end of the stream without close_notify (OpenSSL 3 reports it as
     * an error), or a reset: the server closed the connection, as on a
     * plaintext connection; OpenSSL's own words stay in tls_failure. */
    if ((ssl_err == SSL_ERROR_SYSCALL && c->tls_failure.error_count == 0 && (sys_errno == 0 || is_reset(sys_errno)))
        || (ssl_err == SSL_ERROR_SSL && sqauth_tls_failure_is_eof(&c->tls_failure))) {
        return closed_by_server(c, reading, ssl_err == SSL_ERROR_SYSCALL ? sys_errno : 0, err);
    }
    if (ssl_err == SSL_ERROR_SYSCALL && c->tls_failure.error_count == 0) {
        sqauth_fail(err, SQAUTH_ERR_CLOSED, "the connection failed %s: %s", what, strerror(sys_errno));
        if (err) {
            err->sys_errno = sys_errno;
        }
        return SQAUTH_ERR_CLOSED;
    }
    if (c->tls_failure.alert[0]) {
        /* TLS 1.3: a server that wants a client certificate says so after
         * the client's handshake is complete, at the first read. */
        return sqauth_fail(err, SQAUTH_ERR_TLS, "TLS alert from the server %s: %s%s", what, c->tls_failure.alert,
                           strstr(c->tls_failure.alert, "certificate") ? "; the server may require a client certificate ('local_cert')" : "");
    }
    return sqauth_fail(err, SQAUTH_ERR_TLS, "TLS error %s: %s", what,
                       c->tls_failure.error_count ? c->tls_failure.errors[0].reason : "unknown");
}

/* Waits for the socket until deadline; a timeout at the call's deadline
 * says so. */
static int conn_wait(const sqauth_conn *c, int for_write, int64_t deadline, const char *what, sqauth_error *err)
{
    int rc = sqauth_net_wait(c->fd, for_write, deadline, what, err);
    if (rc == SQAUTH_ERR_TIMEOUT && c->call.at && deadline >= c->call.at) {
        return call_timed_out(c, what, err);
    }
    return rc;
}

/* 1 when the call's deadline has passed: a server that keeps bytes coming
 * (never making us wait) must not outlast it either. */
static int call_over(const sqauth_conn *c)
{
    return c->call.at && sqauth_now_ms() >= c->call.at;
}

/* Reads at least one byte from the socket (through TLS when active) into
 * dst, waiting up to the deadline. */
static int raw_read(sqauth_conn *c, unsigned char *dst, size_t cap, size_t *got, int64_t deadline, sqauth_error *err)
{
    *got = 0;
    if (c->eof) {
        sqauth_fail(err, SQAUTH_ERR_CLOSED, "the server closed the connection");
        if (err) {
            err->sys_errno = c->eof_errno;
        }
        return SQAUTH_ERR_CLOSED;
    }
    if (call_over(c)) {
        return call_timed_out(c, "waiting for the server", err);
    }
    if (c->spoke_last) {
        /* Right after a command the server's answer is almost never there
         * yet: waiting first saves a read that fails with EAGAIN (and, with
         * TLS, OpenSSL's error-queue work around it) on every round trip.
         * Not for a read that may not wait (deadline now), and not when
         * OpenSSL already holds bytes of a record. */
        c->spoke_last = 0;
        if (deadline > sqauth_now_ms() && !(c->ssl && SSL_has_pending(c->ssl))) {
            int rc = conn_wait(c, 0, deadline, "waiting for the server", err);
            if (rc != SQAUTH_OK) {
                return rc;
            }
        }
    }
    for (;;) {
        if (c->ssl) {
            int n, e, sys_errno;
            ERR_clear_error();
            errno = 0;
            n = SSL_read(c->ssl, dst, cap > 0x40000000 ? 0x40000000 : (int)cap);
            sys_errno = errno;
            if (n > 0) {
                *got = (size_t)n;
                return SQAUTH_OK;
            }
            e = SSL_get_error(c->ssl, n);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                int rc = conn_wait(c, e == SSL_ERROR_WANT_WRITE, deadline, "waiting for the server", err);
                if (rc != SQAUTH_OK) {
                    return rc;
                }
                continue;
            }
            return tls_io_error(c, 1, e, sys_errno, err);
        } else {
            ssize_t n = recv(c->fd, dst, cap, 0);
            if (n > 0) {
                *got = (size_t)n;
                return SQAUTH_OK;
            }
            if (n == 0) {
                return closed_by_server(c, 1, 0, err);
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                int rc = conn_wait(c, 0, deadline, "waiting for the server", err);
                if (rc != SQAUTH_OK) {
                    return rc;
                }
                continue;
            }
            if (is_reset(errno)) {
                return closed_by_server(c, 1, errno, err);
            }
            {
                int e = errno;
                sqauth_fail(err, SQAUTH_ERR_CLOSED, "reading from the server failed: %s", strerror(e));
                err->sys_errno = e;
                return SQAUTH_ERR_CLOSED;
            }
        }
    }
}

/* With a SASL security layer: reads wrapped buffers until at least one
 * byte of plaintext is available, then moves what fits into rbuf. */
static int fill_from_layer(sqauth_conn *c, int64_t deadline, sqauth_error *err)
{
    size_t space = sizeof(c->rbuf) - c->rlen, n;
    int passes = 0;

    while (c->layer_out.len == c->layer_out_pos) {
        unsigned char tmp[16384];
        size_t got, consumed = 0;
        int rc;

        /* Buffers without data that keep coming never make us wait, so
         * the deadline is checked here too: else a flood of them keeps a
         * read (a non-blocking one as well) going for as long as it lasts. */
        if (passes++ && sqauth_now_ms() >= deadline) {
            return c->call.at && deadline >= c->call.at ? call_timed_out(c, "waiting for the server", err)
                                                        : sqauth_fail(err, SQAUTH_ERR_TIMEOUT,
                                                                      "timed out waiting for the server");
        }
        sqauth_buf_reset(&c->layer_out);
        c->layer_out_pos = 0;
        if (c->layer_in.len == 0 || c->layer_need_more) {
            rc = raw_read(c, tmp, sizeof(tmp), &got, deadline, err);
            if (rc == SQAUTH_ERR_CLOSED && c->eof && c->layer_in.len > 0) {
                /* Not a clean end: the stream stops inside a buffer (in
                 * order or with a reset: errno 0 or ECONNRESET). */
                sqauth_fail(err, SQAUTH_ERR_PROTOCOL,
                            "SASL security layer: the server closed the connection inside a buffer "
                            "(%zu bytes of it received)", c->layer_in.len);
                if (err) {
                    err->sys_errno = c->eof_errno;
                }
                return SQAUTH_ERR_PROTOCOL;
            }
            if (rc != SQAUTH_OK) {
                return rc;
            }
            if (sqauth_buf_append(&c->layer_in, tmp, got) != SQAUTH_OK) {
                return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
            }
        }
        rc = sqauth_sasl_unwrap(c->layer, c->layer_in.data, c->layer_in.len, &consumed, &c->layer_out, err);
        if (rc != SQAUTH_OK) {
            /* A protected stream that fails its checks is over. */
            c->eof = 1;
            return rc;
        }
        if (consumed) {
            memmove(c->layer_in.data, c->layer_in.data + consumed, c->layer_in.len - consumed);
            c->layer_in.len -= consumed;
        }
        /* Every whole buffer is unwrapped: what is left is the start of one
         * (not pending: a read with data in hand must not wait for it). */
        c->layer_need_more = 1;
    }
    n = c->layer_out.len - c->layer_out_pos;
    if (n > space) {
        n = space;
    }
    memcpy(c->rbuf + c->rlen, c->layer_out.data + c->layer_out_pos, n);
    c->rlen += n;
    if (c->rlen > c->rhigh) {
        c->rhigh = c->rlen;
    }
    c->layer_out_pos += n;
    return SQAUTH_OK;
}

/* When a wait that starts now must end: the call's deadline inside a
 * call, one timeout from now outside (the PHP stream, which keeps PHP's
 * per-read semantics), or now when the caller must not wait at all. The
 * one place a wait's end is decided. */
static int64_t wait_deadline(const sqauth_conn *c, int may_wait)
{
    if (!may_wait) {
        return sqauth_now_ms();
    }
    return c->call.at ? c->call.at : sqauth_now_ms() + c->timeout_ms;
}

/* Fills the read buffer with at least one byte, waiting up to deadline. */
static int fill_by(sqauth_conn *c, int64_t deadline, sqauth_error *err)
{
    size_t got;
    int rc;

    if (c->rpos == c->rlen) {
        c->rpos = c->rlen = 0;
    } else if (c->rpos > 0) {
        memmove(c->rbuf, c->rbuf + c->rpos, c->rlen - c->rpos);
        c->rlen -= c->rpos;
        c->rpos = 0;
    }
    if (c->rlen == sizeof(c->rbuf)) {
        return SQAUTH_OK;
    }
    if (c->layer) {
        return fill_from_layer(c, deadline, err);
    }
    rc = raw_read(c, c->rbuf + c->rlen, sizeof(c->rbuf) - c->rlen, &got, deadline, err);
    if (rc == SQAUTH_OK) {
        c->rlen += got;
        if (c->rlen > c->rhigh) {
            c->rhigh = c->rlen;
        }
    }
    return rc;
}

static int fill(sqauth_conn *c, sqauth_error *err)
{
    return fill_by(c, wait_deadline(c, 1), err);
}

int sqauth_conn_set_layer(sqauth_conn *c, sqauth_sasl *layer, sqauth_error *err)
{
    if (c->layer) {
        return sqauth_fail(err, SQAUTH_ERR_STATE, "a security layer is already active");
    }
    /* Bytes already read after the exchange belong to the protected
     * stream: they are wrapped buffers, not plaintext. */
    if (c->rpos < c->rlen) {
        if (sqauth_buf_append(&c->layer_in, c->rbuf + c->rpos, c->rlen - c->rpos) != SQAUTH_OK) {
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        c->rpos = c->rlen = 0;
    }
    c->layer = layer;
    return SQAUTH_OK;
}

int sqauth_conn_read_line(sqauth_conn *c, sqauth_buf *line, size_t max_len, sqauth_error *err)
{
    c->io_count++;
    sqauth_buf_reset(line);
    for (;;) {
        unsigned char *start = c->rbuf + c->rpos;
        size_t avail = c->rlen - c->rpos;
        unsigned char *nl = avail ? memchr(start, '\n', avail) : NULL;
        size_t take = nl ? (size_t)(nl - start) : avail;
        int rc;

        /* max_len counts the text without its CR LF: one more byte may be the CR. */
        if (line->len + take > max_len + 1) {
            return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the server sent a line longer than %zu bytes", max_len);
        }
        if (take && sqauth_buf_append(line, start, take) != SQAUTH_OK) {
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        if (nl) {
            c->rpos += take + 1;
            if (line->len && line->data[line->len - 1] == '\r') {
                line->data[--line->len] = '\0';
            }
            if (line->len > max_len) {
                return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the server sent a line longer than %zu bytes", max_len);
            }
            if (!line->data && sqauth_buf_reserve(line, 0) != SQAUTH_OK) {
                return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
            }
            return SQAUTH_OK;
        }
        c->rpos += take;
        rc = fill(c, err);
        if (rc != SQAUTH_OK) {
            return rc;
        }
    }
}

int sqauth_conn_read_exact(sqauth_conn *c, sqauth_buf *out, size_t n, sqauth_error *err)
{
    c->io_count++;
    while (n > 0) {
        size_t avail = c->rlen - c->rpos, take;
        int rc;
        if (avail == 0) {
            rc = fill(c, err);
            if (rc != SQAUTH_OK) {
                return rc;
            }
            continue;
        }
        take = avail < n ? avail : n;
        if (sqauth_buf_append(out, c->rbuf + c->rpos, take) != SQAUTH_OK) {
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        c->rpos += take;
        n -= take;
    }
    return SQAUTH_OK;
}

static int read_some_by(sqauth_conn *c, void *buf, size_t len, size_t *got, int64_t deadline, sqauth_error *err)
{
    size_t avail;

    *got = 0;
    if (len == 0) {
        return SQAUTH_OK;
    }
    if (c->rpos == c->rlen) {
        int rc;
        if (c->eof && !c->eof_errno) {
            return SQAUTH_OK;
        }
        rc = fill_by(c, deadline, err);
        if (rc == SQAUTH_ERR_CLOSED && c->eof && !c->eof_errno) {
            /* An orderly end (with or without TLS close_notify, as PHP's
             * own TLS streams take it) is the end of the stream; a reset
             * is a failure the stream reports. */
            return SQAUTH_OK;
        }
        if (rc != SQAUTH_OK) {
            return rc;
        }
    }
    avail = c->rlen - c->rpos;
    *got = avail < len ? avail : len;
    memcpy(buf, c->rbuf + c->rpos, *got);
    c->rpos += *got;
    return SQAUTH_OK;
}

int sqauth_conn_read_some(sqauth_conn *c, void *buf, size_t len, size_t *got, sqauth_error *err)
{
    c->io_count++;
    return read_some_by(c, buf, len, got, wait_deadline(c, 1), err);
}

int sqauth_conn_read_available(sqauth_conn *c, void *buf, size_t len, int may_wait, size_t *got, int *at_end,
                               sqauth_error *err)
{
    size_t n;
    int rc;

    *got = 0;
    *at_end = 0;
    c->io_count++;
    if (!may_wait && !sqauth_conn_has_pending(c)) {
        struct pollfd p;
        p.fd = c->fd;
        p.events = POLLIN;
        p.revents = 0;
        if (poll(&p, 1, 0) <= 0) {
            return sqauth_fail(err, SQAUTH_ERR_TIMEOUT, "nothing from the server yet");
        }
    }
    /* Everything already decrypted is taken, so that select() on the
     * socket never waits for bytes sitting in our buffers. Without
     * may_wait not even the rest of a TLS record or of a security-layer
     * buffer is waited for: what arrived stays buffered. */
    do {
        rc = read_some_by(c, (unsigned char *)buf + *got, len - *got, &n, wait_deadline(c, may_wait), err);
        if (rc != SQAUTH_OK) {
            return rc;
        }
        if (n == 0) {
            *at_end = 1;
            break;
        }
        *got += n;
    } while (*got < len && sqauth_conn_has_pending(c));
    return SQAUTH_OK;
}

size_t sqauth_conn_preload(sqauth_conn *c, const void *p, size_t n)
{
    size_t space = sizeof(c->rbuf) - c->rlen;
    if (n > space) {
        n = space;
    }
    memcpy(c->rbuf + c->rlen, p, n);
    c->rlen += n;
    if (c->rlen > c->rhigh) {
        c->rhigh = c->rlen;
    }
    return n;
}

void sqauth_conn_set_timeout(sqauth_conn *c, int timeout_ms)
{
    c->timeout_ms = timeout_ms > 0 ? timeout_ms : 1;
}

void sqauth_conn_set_deadline(sqauth_conn *c, const sqauth_deadline *call)
{
    if (call && call->at) {
        c->call = *call;
    } else {
        memset(&c->call, 0, sizeof(c->call));
    }
}

int sqauth_conn_socket(const sqauth_conn *c)
{
    return c->fd;
}

static int ended_fd = -1;
static pthread_once_t ended_once = PTHREAD_ONCE_INIT;

/* A pipe whose write end is closed at once. */
static void make_ended_fd(void)
{
    int p[2];
    if (pipe(p) == 0) {
        close(p[1]);
        fcntl(p[0], F_SETFD, FD_CLOEXEC);
        ended_fd = p[0];
    }
}

int sqauth_conn_ended_fd(void)
{
    pthread_once(&ended_once, make_ended_fd);
    return ended_fd;
}

int sqauth_conn_at_eof(const sqauth_conn *c)
{
    return c->eof;
}

int sqauth_conn_is_encrypted(const sqauth_conn *c)
{
    return c->ssl != NULL;
}

int sqauth_conn_is_owner(const sqauth_conn *c)
{
    return c->owner == getpid();
}

int sqauth_conn_is_quiet(sqauth_conn *c)
{
    if (c->eof || c->shut || sqauth_conn_has_pending(c) || c->layer_in.len) {
        return 0;
    }
    /* Bounded: a server that keeps sending records without data is not
     * quiet either. */
    for (int round = 0; round < 16; round++) {
        struct pollfd p;
        unsigned char tmp[256];
        int n, e;

        p.fd = c->fd;
        p.events = POLLIN;
        p.revents = 0;
        n = poll(&p, 1, 0);
        if (n == 0) {
            /* Part of a record may have arrived and wait in OpenSSL. */
            return !(c->ssl && SSL_has_pending(c->ssl));
        }
        if (n < 0 || (p.revents & (POLLERR | POLLHUP | POLLNVAL)) || !c->ssl) {
            return 0;
        }
        ERR_clear_error();
        n = SSL_read(c->ssl, tmp, sizeof(tmp));
        if (n > 0) {
            sqauth_cleanse(tmp, (size_t)n);
            return 0;
        }
        e = SSL_get_error(c->ssl, n);
        ERR_clear_error();
        if (e != SSL_ERROR_WANT_READ) {
            return 0;
        }
        /* A record without data (or the start of one): look again. */
    }
    return 0;
}

void sqauth_conn_shutdown(sqauth_conn *c)
{
    c->shut = 1;
    if (c->fd >= 0) {
        shutdown(c->fd, SHUT_RDWR);
    }
}

static int raw_write_by(sqauth_conn *c, const void *p, size_t n, int64_t deadline, sqauth_error *err)
{
    const unsigned char *d = p;

    if (call_over(c)) {
        return call_timed_out(c, "sending to the server", err);
    }
    while (n > 0) {
        if (c->ssl) {
            int w, e, sys_errno;
            ERR_clear_error();
            errno = 0;
            w = SSL_write(c->ssl, d, n > 0x40000000 ? 0x40000000 : (int)n);
            sys_errno = errno;
            if (w > 0) {
                d += w;
                n -= (size_t)w;
                continue;
            }
            e = SSL_get_error(c->ssl, w);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                int rc = conn_wait(c, e == SSL_ERROR_WANT_WRITE, deadline, "sending to the server", err);
                if (rc != SQAUTH_OK) {
                    return rc;
                }
                continue;
            }
            return tls_io_error(c, 0, e, sys_errno, err);
        } else {
            ssize_t w = send(c->fd, d, n, MSG_NOSIGNAL);
            if (w > 0) {
                d += w;
                n -= (size_t)w;
                continue;
            }
            if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                int rc = conn_wait(c, 1, deadline, "sending to the server", err);
                if (rc != SQAUTH_OK) {
                    return rc;
                }
                continue;
            }
            if (w < 0 && is_reset(errno)) {
                return closed_by_server(c, 0, errno, err);
            }
            {
                int e = errno;
                sqauth_fail(err, SQAUTH_ERR_CLOSED, "sending to the server failed: %s", strerror(e));
                err->sys_errno = e;
                return SQAUTH_ERR_CLOSED;
            }
        }
    }
    c->spoke_last = 1;
    return SQAUTH_OK;
}

static int raw_write_all(sqauth_conn *c, const void *p, size_t n, sqauth_error *err)
{
    return raw_write_by(c, p, n, wait_deadline(c, 1), err);
}

/* The most plaintext sealed and sent at a time through a security layer:
 * a large write is not copied whole into wrapped buffers first. */
#define LAYER_WRITE_PIECE (256 * 1024)

int sqauth_conn_write_all(sqauth_conn *c, const void *p, size_t n, sqauth_error *err)
{
    sqauth_buf wrapped = SQAUTH_BUF_INIT;
    const unsigned char *d = p;
    int64_t deadline = wait_deadline(c, 1);     /* one for the whole write, as without a layer */
    size_t chunk, piece;
    int rc = SQAUTH_OK;

    c->io_count++;
    if (!c->layer) {
        return raw_write_all(c, p, n, err);
    }
    /* Whole buffers of the server's maxbuf per piece. */
    chunk = sqauth_sasl_max_wrap_chunk(c->layer);
    piece = chunk && chunk < LAYER_WRITE_PIECE ? LAYER_WRITE_PIECE / chunk * chunk : chunk ? chunk : n;
    while (rc == SQAUTH_OK && n > 0) {
        size_t len = n < piece ? n : piece;
        sqauth_buf_reset(&wrapped);
        /* Wrapped in buffers no larger than the server's maxbuf allows. */
        rc = sqauth_sasl_wrap(c->layer, d, len, &wrapped, err);
        if (rc != SQAUTH_OK) {
            break;
        }
        rc = raw_write_by(c, wrapped.data, wrapped.len, deadline, err);
        d += len;
        n -= len;
    }
    if (rc != SQAUTH_OK) {
        /* Sealed buffers (their sequence numbers used) did not all go out,
         * and what did may end inside one: whatever followed would be
         * taken for the rest of it. */
        c->layer->layer_failed = 1;
        if (rc == SQAUTH_ERR_TIMEOUT) {
            explain(err, "the security layer's stream is cut inside a buffer; the connection cannot go on");
        }
    }
    sqauth_buf_wipe(&wrapped);
    return rc;
}

int sqauth_conn_start_tls(sqauth_conn *c, const sqauth_tls_config *cfg, const char *host, const char *ca_source,
                          sqauth_error *err)
{
    int rc;

    sqauth_tls_failure_clear(&c->tls_failure);
    if (c->ssl) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "TLS is already active on this connection");
    }
    c->io_count++;
    if (call_over(c)) {
        return call_timed_out(c, "during the TLS handshake", err);
    }
    rc = sqauth_tls_handshake(c->fd, c->port, cfg, cfg->peer_name ? cfg->peer_name : host, ca_source,
                              wait_deadline(c, 1), &c->ssl, &c->tls_ctx, &c->session_key, &c->tls_failure, err);
    if (rc == SQAUTH_ERR_TIMEOUT && c->call.at) {
        rc = call_timed_out(c, "during the TLS handshake", err);
    }
    if (rc != SQAUTH_OK && c->ssl) {
        /* No TLS came of it: the connection is not encrypted, and the
         * half-done SSL says nothing more (no close_notify either). */
        SSL_free(c->ssl);
        c->ssl = NULL;
        ERR_clear_error();
    }
    return rc;
}

int sqauth_conn_tls_info(const sqauth_conn *c, sqauth_tls_info *info)
{
    return sqauth_tls_info_get(c->ssl, info);
}

int sqauth_conn_channel_binding(const sqauth_conn *c, const char *type, const char **type_out, sqauth_buf *out,
                                sqauth_error *err)
{
    return sqauth_tls_channel_binding(c->ssl, type, type_out, out, err);
}

void sqauth_conn_free(sqauth_conn *c)
{
    if (!c) {
        return;
    }
    if (c->ssl) {
        /* One close_notify, without waiting for the peer's: the socket is
         * non-blocking and the connection is going away anyway. Not from a
         * child of fork(): the socket and the TLS state are its parent's. */
        if (!c->eof && !c->shut && sqauth_conn_is_owner(c)) {
            SSL_shutdown(c->ssl);
        } else if (c->close_notify) {
            /* The server ended the connection properly: no close_notify back
             * (the socket may be gone), but tell SSL_free() the end was
             * orderly, or it marks the session not resumable. */
            SSL_set_shutdown(c->ssl, SSL_SENT_SHUTDOWN | SSL_RECEIVED_SHUTDOWN);
        }
        SSL_free(c->ssl);
        ERR_clear_error();
    }
    sqauth_tls_ctx_release(c->tls_ctx);
    free(c->session_key);
    sqauth_sasl_free(c->layer);
    sqauth_buf_wipe(&c->layer_in);
    sqauth_buf_wipe(&c->layer_out);
    if (c->owns_fd && c->fd >= 0) {
        close(c->fd);
    }
    /* Everything the buffer ever held lies below rhigh. */
    sqauth_cleanse(c->rbuf, c->rhigh);
    free(c);
}
