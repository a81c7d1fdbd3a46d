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
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

static int conn_new(sqauth_conn **out, int fd, int owns, int timeout_ms, sqauth_error *err)
{
    sqauth_conn *c = calloc(1, sizeof(*c));
    if (!c) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    c->fd = fd;
    c->owns_fd = owns;
    c->timeout_ms = timeout_ms > 0 ? timeout_ms : SQAUTH_CONN_DEFAULT_TIMEOUT_MS;
    *out = c;
    return SQAUTH_OK;
}

int sqauth_conn_open(sqauth_conn **out, const char *host, unsigned port, int connect_timeout_ms,
                     int timeout_ms, sqauth_error *err)
{
    int fd, rc;

    *out = NULL;
    rc = sqauth_net_connect(host, port, connect_timeout_ms, &fd, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    rc = conn_new(out, fd, 1, timeout_ms, err);
    if (rc != SQAUTH_OK) {
        close(fd);
        return rc;
    }
    (*out)->port = port;
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

static int tls_io_error(sqauth_conn *c, int ssl_err, const char *what, sqauth_error *err)
{
    sqauth_tls_collect_errors(&c->tls_failure);
    if (ssl_err == SSL_ERROR_ZERO_RETURN) {
        return sqauth_fail(err, SQAUTH_ERR_CLOSED, "the server closed the TLS connection %s", what);
    }
    if (ssl_err == SSL_ERROR_SYSCALL && c->tls_failure.error_count == 0) {
        int e = errno;
        sqauth_fail(err, SQAUTH_ERR_CLOSED, "the server closed the connection %s%s%s", what,
                    e ? ": " : "", e ? strerror(e) : "");
        err->sys_errno = e;
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

/* Reads at least one byte from the socket (through TLS when active) into
 * dst, waiting up to the deadline. */
static int raw_read(sqauth_conn *c, unsigned char *dst, size_t cap, size_t *got, int64_t deadline, sqauth_error *err)
{
    *got = 0;
    if (c->eof) {
        return sqauth_fail(err, SQAUTH_ERR_CLOSED, "the server closed the connection");
    }
    for (;;) {
        if (c->ssl) {
            int n, e;
            ERR_clear_error();
            n = SSL_read(c->ssl, dst, cap > 0x40000000 ? 0x40000000 : (int)cap);
            if (n > 0) {
                *got = (size_t)n;
                return SQAUTH_OK;
            }
            e = SSL_get_error(c->ssl, n);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                int rc = sqauth_net_wait(c->fd, e == SSL_ERROR_WANT_WRITE, deadline, "waiting for the server", err);
                if (rc != SQAUTH_OK) {
                    return rc;
                }
                continue;
            }
            if (e == SSL_ERROR_ZERO_RETURN || (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
                c->eof = 1;
                c->close_notify = e == SSL_ERROR_ZERO_RETURN;
            }
            return tls_io_error(c, e, "while reading", err);
        } else {
            ssize_t n = recv(c->fd, dst, cap, 0);
            if (n > 0) {
                *got = (size_t)n;
                return SQAUTH_OK;
            }
            if (n == 0) {
                c->eof = 1;
                return sqauth_fail(err, SQAUTH_ERR_CLOSED, "the server closed the connection");
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) {
                int rc = sqauth_net_wait(c->fd, 0, deadline, "waiting for the server", err);
                if (rc != SQAUTH_OK) {
                    return rc;
                }
                continue;
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

    while (c->layer_out.len == c->layer_out_pos) {
        unsigned char tmp[16384];
        size_t got, consumed = 0;
        int rc;

        sqauth_buf_reset(&c->layer_out);
        c->layer_out_pos = 0;
        if (c->layer_in.len == 0 || c->layer_need_more) {
            rc = raw_read(c, tmp, sizeof(tmp), &got, deadline, err);
            if (rc == SQAUTH_ERR_CLOSED && c->eof && c->layer_in.len > 0) {
                /* Not a clean end: the stream stops inside a buffer. */
                return sqauth_fail(err, SQAUTH_ERR_PROTOCOL,
                                   "SASL security layer: the server closed the connection inside a buffer "
                                   "(%zu bytes of it received)", c->layer_in.len);
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
        /* Nothing unwrapped: the buffered bytes are an incomplete buffer. */
        c->layer_need_more = c->layer_out.len == 0;
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

/* When a wait that starts now must end: one timeout from now, or now when
 * the caller must not wait at all. The one place a per-call deadline would
 * cap it. */
static int64_t wait_deadline(const sqauth_conn *c, int may_wait)
{
    return sqauth_now_ms() + (may_wait ? c->timeout_ms : 0);
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
        if (c->eof) {
            return SQAUTH_OK;
        }
        rc = fill_by(c, deadline, err);
        if (rc == SQAUTH_ERR_CLOSED && c->eof) {
            return SQAUTH_OK; /* end of stream, not an error for a stream reader */
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
    return read_some_by(c, buf, len, got, wait_deadline(c, 1), err);
}

int sqauth_conn_read_available(sqauth_conn *c, void *buf, size_t len, int may_wait, size_t *got, int *at_end,
                               sqauth_error *err)
{
    size_t n;
    int rc;

    *got = 0;
    *at_end = 0;
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

int sqauth_conn_socket(const sqauth_conn *c)
{
    return c->fd;
}

int sqauth_conn_at_eof(const sqauth_conn *c)
{
    return c->eof;
}

int sqauth_conn_is_encrypted(const sqauth_conn *c)
{
    return c->ssl != NULL;
}

void sqauth_conn_shutdown(sqauth_conn *c)
{
    if (c->fd >= 0) {
        shutdown(c->fd, SHUT_RDWR);
    }
}

static int raw_write_all(sqauth_conn *c, const void *p, size_t n, sqauth_error *err)
{
    const unsigned char *d = p;
    int64_t deadline = sqauth_now_ms() + c->timeout_ms;

    while (n > 0) {
        if (c->ssl) {
            int w, e;
            ERR_clear_error();
            w = SSL_write(c->ssl, d, n > 0x40000000 ? 0x40000000 : (int)n);
            if (w > 0) {
                d += w;
                n -= (size_t)w;
                continue;
            }
            e = SSL_get_error(c->ssl, w);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
                int rc = sqauth_net_wait(c->fd, e == SSL_ERROR_WANT_WRITE, deadline, "sending to the server", err);
                if (rc != SQAUTH_OK) {
                    return rc;
                }
                continue;
            }
            return tls_io_error(c, e, "while writing", err);
        } else {
            ssize_t w = send(c->fd, d, n, MSG_NOSIGNAL);
            if (w > 0) {
                d += w;
                n -= (size_t)w;
                continue;
            }
            if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
                int rc = sqauth_net_wait(c->fd, 1, deadline, "sending to the server", err);
                if (rc != SQAUTH_OK) {
                    return rc;
                }
                continue;
            }
            {
                int e = errno;
                sqauth_fail(err, SQAUTH_ERR_CLOSED, "sending to the server failed: %s", strerror(e));
                err->sys_errno = e;
                return SQAUTH_ERR_CLOSED;
            }
        }
    }
    return SQAUTH_OK;
}

int sqauth_conn_write_all(sqauth_conn *c, const void *p, size_t n, sqauth_error *err)
{
    sqauth_buf wrapped = SQAUTH_BUF_INIT;
    int rc;

    if (!c->layer) {
        return raw_write_all(c, p, n, err);
    }
    /* Wrapped in pieces no larger than the server's maxbuf allows. */
    rc = sqauth_sasl_wrap(c->layer, p, n, &wrapped, err);
    if (rc == SQAUTH_OK) {
        rc = raw_write_all(c, wrapped.data, wrapped.len, err);
    }
    sqauth_buf_wipe(&wrapped);
    return rc;
}

/* Turns the verification result into a message that says what to do. */
static const char *verify_advice(long code)
{
    switch (code) {
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return "pass the CA that signed the server's certificate as 'cafile' (or 'capath')";
    case X509_V_ERR_CERT_HAS_EXPIRED:
        return "the server's certificate has expired: renew it on the server";
    case X509_V_ERR_CERT_NOT_YET_VALID:
        return "the server's certificate is not valid yet: check the clocks";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
        return "connect with a name the certificate lists, or set 'peer_name'";
    default:
        return "check the server's certificate chain";
    }
}

static int verify_peer_fingerprint(sqauth_conn *c, const char *want, sqauth_error *err)
{
    char have[65], norm[65];
    size_t i, n = 0;
    X509 *cert = SSL_get1_peer_certificate(c->ssl);
    int rc;

    if (strncmp(want, "sha256:", 7) == 0) {
        want += 7;
    }
    for (i = 0; want[i] && n < 64; i++) {
        char ch = want[i];
        if (ch == ':') {
            continue;
        }
        norm[n++] = (char)((ch >= 'A' && ch <= 'F') ? ch + 32 : ch);
    }
    norm[n] = '\0';
    rc = sqauth_tls_cert_sha256(cert, have);
    X509_free(cert);
    if (rc != SQAUTH_OK) {
        return sqauth_fail(err, SQAUTH_ERR_TLS, "the server sent no certificate to compare with 'peer_fingerprint'");
    }
    if (n != 64 || want[i] != '\0' || !sqauth_equal_ct(have, 64, norm, 64)) {
        return sqauth_fail(err, SQAUTH_ERR_TLS,
                           "the server's certificate does not match 'peer_fingerprint' (its sha256 is %s)", have);
    }
    return SQAUTH_OK;
}

int sqauth_conn_start_tls(sqauth_conn *c, const sqauth_tls_config *cfg, const char *host, sqauth_error *err)
{
    const char *name = cfg->peer_name ? cfg->peer_name : host;
    int64_t deadline = sqauth_now_ms() + c->timeout_ms;
    int rc;

    sqauth_tls_failure_clear(&c->tls_failure);
    if (c->ssl) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "TLS is already active on this connection");
    }
    rc = sqauth_tls_ctx_get(cfg, &c->tls_ctx, &c->tls_failure, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    ERR_clear_error();
    c->ssl = SSL_new(sqauth_tls_ctx_ssl_ctx(c->tls_ctx));
    if (!c->ssl || !SSL_set_fd(c->ssl, c->fd) || sqauth_tls_attach(c->ssl, &c->tls_failure) != SQAUTH_OK) {
        sqauth_tls_collect_errors(&c->tls_failure);
        return sqauth_fail(err, SQAUTH_ERR_TLS, "cannot set up TLS on the connection");
    }
    if (name && *name) {
        int is_ip = sqauth_net_is_ip_literal(name);
        /* RFC 6066 §3: no IP literals in SNI. */
        if (!is_ip && !SSL_set_tlsext_host_name(c->ssl, name)) {
            sqauth_tls_collect_errors(&c->tls_failure);
            return sqauth_fail(err, SQAUTH_ERR_TLS, "cannot set the TLS server name (SNI)");
        }
        if (cfg->verify_peer && cfg->verify_peer_name) {
            X509_VERIFY_PARAM *param = SSL_get0_param(c->ssl);
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            if (!(is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, name) : X509_VERIFY_PARAM_set1_host(param, name, 0))) {
                sqauth_tls_collect_errors(&c->tls_failure);
                return sqauth_fail(err, SQAUTH_ERR_TLS, "cannot set the name to verify");
            }
        }
    } else if (cfg->verify_peer && cfg->verify_peer_name) {
        return sqauth_fail(err, SQAUTH_ERR_TLS, "no host name to verify the certificate against: set 'peer_name'");
    }
    if (cfg->session_resumption && name && *name) {
        /* The name is the one the certificate was checked against (and the
         * SNI): a session is never offered to another server name. */
        size_t len = strlen(name) + 16;
        c->session_key = malloc(len);
        if (!c->session_key) {
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        snprintf(c->session_key, len, "%u %s", c->port, name);
        if (sqauth_tls_session_attach(c->tls_ctx, c->ssl, c->session_key) != SQAUTH_OK) {
            sqauth_tls_collect_errors(&c->tls_failure);
            return sqauth_fail(err, SQAUTH_ERR_TLS, "cannot set up TLS session resumption");
        }
    }
    /* Read whole TCP segments rather than a record header, then its body:
     * a handshake flight is one read instead of a dozen. Bytes read ahead
     * stay inside OpenSSL, which sqauth_conn_has_pending() accounts for. */
    SSL_set_read_ahead(c->ssl, 1);
    for (;;) {
        int r, e;
        ERR_clear_error();
        r = SSL_connect(c->ssl);
        if (r == 1) {
            break;
        }
        e = SSL_get_error(c->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            rc = sqauth_net_wait(c->fd, e == SSL_ERROR_WANT_WRITE, deadline, "during the TLS handshake", err);
            if (rc != SQAUTH_OK) {
                return rc;
            }
            continue;
        }
        sqauth_tls_collect_errors(&c->tls_failure);
        sqauth_tls_session_forget(c->tls_ctx, c->session_key);
        if (c->tls_failure.has_verify) {
            return sqauth_fail(err, SQAUTH_ERR_TLS, "certificate verify failed: %s (depth %d); %s",
                               c->tls_failure.verify_message, c->tls_failure.verify_depth,
                               verify_advice(c->tls_failure.verify_code));
        }
        if (c->tls_failure.alert[0]) {
            return sqauth_fail(err, SQAUTH_ERR_TLS, "TLS handshake failed: the server sent the alert \"%s\"%s",
                               c->tls_failure.alert,
                               strstr(c->tls_failure.alert, "certificate") ? "; the server may require a client certificate ('local_cert')"
                               : strcmp(c->tls_failure.alert, "protocol version") == 0 ? "; the server may only offer a TLS version below 'min_protocol'" : "");
        }
        if (c->tls_failure.error_count) {
            const char *reason = c->tls_failure.errors[0].reason;
            return sqauth_fail(err, SQAUTH_ERR_TLS, "TLS handshake failed: %s%s", reason,
                               strstr(reason, "protocol") ? "; the server may only offer a TLS version below 'min_protocol'" : "");
        }
        if (e == SSL_ERROR_SYSCALL || e == SSL_ERROR_ZERO_RETURN) {
            return sqauth_fail(err, SQAUTH_ERR_TLS, "TLS handshake failed: the server closed the connection");
        }
        return sqauth_fail(err, SQAUTH_ERR_TLS, "TLS handshake failed");
    }
    if (cfg->peer_fingerprint) {
        rc = verify_peer_fingerprint(c, cfg->peer_fingerprint, err);
        if (rc != SQAUTH_OK) {
            sqauth_tls_session_forget(c->tls_ctx, c->session_key);
            return rc;
        }
    }
    return SQAUTH_OK;
}

static void name_string(X509_NAME *name, char *out, size_t size)
{
    BIO *bio = BIO_new(BIO_s_mem());
    long n;
    char *p;

    out[0] = '\0';
    if (!bio) {
        return;
    }
    X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
    n = BIO_get_mem_data(bio, &p);
    if (n > 0) {
        snprintf(out, size, "%.*s", (int)n, p);
    }
    BIO_free(bio);
}

static void sans_string(X509 *cert, char *out, size_t size)
{
    GENERAL_NAMES *names = X509_get_ext_d2i(cert, NID_subject_alt_name, NULL, NULL);
    size_t used = 0;
    int i;

    out[0] = '\0';
    if (!names) {
        return;
    }
    for (i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
        char item[300];
        item[0] = '\0';
        if (g->type == GEN_DNS) {
            snprintf(item, sizeof(item), "DNS:%.*s", ASN1_STRING_length(g->d.dNSName),
                     (const char *)ASN1_STRING_get0_data(g->d.dNSName));
        } else if (g->type == GEN_IPADD) {
            const unsigned char *a = ASN1_STRING_get0_data(g->d.iPAddress);
            int len = ASN1_STRING_length(g->d.iPAddress);
            char ip[64];
            if ((len == 4 && inet_ntop(AF_INET, a, ip, sizeof(ip)))
                || (len == 16 && inet_ntop(AF_INET6, a, ip, sizeof(ip)))) {
                snprintf(item, sizeof(item), "IP:%s", ip);
            }
        }
        if (item[0] && used + strlen(item) + 3 < size) {
            used += (size_t)snprintf(out + used, size - used, "%s%s", used ? ", " : "", item);
        }
    }
    GENERAL_NAMES_free(names);
}

int sqauth_conn_tls_info(const sqauth_conn *c, sqauth_tls_info *info)
{
    const SSL_CIPHER *cipher;
    X509 *cert;

    memset(info, 0, sizeof(*info));
    if (!c->ssl) {
        return 0;
    }
    snprintf(info->protocol, sizeof(info->protocol), "%s", SSL_get_version(c->ssl));
    cipher = SSL_get_current_cipher(c->ssl);
    if (cipher) {
        snprintf(info->cipher, sizeof(info->cipher), "%s", SSL_CIPHER_get_name(cipher));
        info->bits = SSL_CIPHER_get_bits(cipher, NULL);
    }
    info->session_reused = SSL_session_reused(c->ssl);
    info->verify_code = SSL_get_verify_result(c->ssl);
    snprintf(info->verify_message, sizeof(info->verify_message), "%s", X509_verify_cert_error_string(info->verify_code));
    cert = SSL_get1_peer_certificate(c->ssl);
    if (cert) {
        const ASN1_TIME *na = X509_get0_notAfter(cert);
        struct tm tm;
        info->has_peer_cert = 1;
        name_string(X509_get_subject_name(cert), info->subject, sizeof(info->subject));
        name_string(X509_get_issuer_name(cert), info->issuer, sizeof(info->issuer));
        sans_string(cert, info->sans, sizeof(info->sans));
        if (na && ASN1_TIME_to_tm(na, &tm)) {
            snprintf(info->not_after, sizeof(info->not_after), "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        }
        sqauth_tls_cert_sha256(cert, info->sha256);
        X509_free(cert);
    }
    ERR_clear_error();
    return 1;
}

int sqauth_conn_channel_binding(const sqauth_conn *c, const char *type, const char **type_out, sqauth_buf *out,
                                sqauth_error *err)
{
    int tls13;

    *type_out = NULL;
    if (!c->ssl) {
        return sqauth_fail(err, SQAUTH_ERR_POLICY, "channel binding needs a TLS connection");
    }
    tls13 = SSL_version(c->ssl) >= TLS1_3_VERSION;
    if (!type) {
        type = tls13 ? "tls-exporter" : "tls-unique";
    }
    if (strcmp(type, "tls-exporter") == 0) {
        unsigned char km[32];
        static const char label[] = "EXPORTER-Channel-Binding";
        /* RFC 9266 §2: not with TLS 1.2 unless the extended master secret
         * is in use; we only offer it under TLS 1.3. */
        if (!tls13) {
            return sqauth_fail(err, SQAUTH_ERR_POLICY, "tls-exporter channel binding needs TLS 1.3");
        }
        if (SSL_export_keying_material(c->ssl, km, sizeof(km), label, sizeof(label) - 1, NULL, 0, 0) != 1) {
            ERR_clear_error();
            return sqauth_fail(err, SQAUTH_ERR_TLS, "cannot export the TLS keying material for channel binding");
        }
        if (sqauth_buf_append(out, km, sizeof(km)) != SQAUTH_OK) {
            sqauth_cleanse(km, sizeof(km));
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        sqauth_cleanse(km, sizeof(km));
        *type_out = "tls-exporter";
        return SQAUTH_OK;
    }
    if (strcmp(type, "tls-unique") == 0) {
        unsigned char fin[EVP_MAX_MD_SIZE];
        size_t n;
        /* RFC 9266 §3: tls-unique is undefined for TLS 1.3. */
        if (tls13) {
            return sqauth_fail(err, SQAUTH_ERR_POLICY, "tls-unique channel binding does not exist under TLS 1.3");
        }
        /* RFC 7627 §5.4 / RFC 9266 §1: without the extended master secret
         * a resumed session's tls-unique can be made equal on two
         * connections (the triple handshake attack). */
        if (SSL_session_reused(c->ssl) && SSL_get_extms_support(c->ssl) != 1) {
            return sqauth_fail(err, SQAUTH_ERR_POLICY,
                               "tls-unique channel binding is unsafe on a resumed TLS session without the extended master secret");
        }
        /* The first Finished message of the handshake: the client's on a
         * full handshake, the server's on a resumed one. */
        n = SSL_session_reused(c->ssl) ? SSL_get_peer_finished(c->ssl, fin, sizeof(fin))
                                        : SSL_get_finished(c->ssl, fin, sizeof(fin));
        if (n == 0 || n > sizeof(fin) || sqauth_buf_append(out, fin, n) != SQAUTH_OK) {
            return sqauth_fail(err, SQAUTH_ERR_TLS, "cannot read the TLS Finished message for channel binding");
        }
        *type_out = "tls-unique";
        return SQAUTH_OK;
    }
    if (strcmp(type, "tls-server-end-point") == 0) {
        X509 *cert = SSL_get1_peer_certificate(c->ssl);
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int len = 0;
        int mdnid = NID_undef, pknid;
        const EVP_MD *digest;
        if (!cert) {
            return sqauth_fail(err, SQAUTH_ERR_TLS, "the server sent no certificate for channel binding");
        }
        /* RFC 5929 §4.1: the certificate's signature hash, but SHA-256
         * instead of MD5 or SHA-1. */
        if (!X509_get_signature_info(cert, &mdnid, &pknid, NULL, NULL) || mdnid == NID_undef
            || mdnid == NID_md5 || mdnid == NID_sha1) {
            mdnid = NID_sha256;
        }
        digest = EVP_get_digestbynid(mdnid);
        if (!digest || !X509_digest(cert, digest, md, &len) || sqauth_buf_append(out, md, len) != SQAUTH_OK) {
            X509_free(cert);
            ERR_clear_error();
            return sqauth_fail(err, SQAUTH_ERR_TLS, "cannot hash the server certificate for channel binding");
        }
        X509_free(cert);
        *type_out = "tls-server-end-point";
        return SQAUTH_OK;
    }
    return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "unknown channel binding type \"%.40s\"", type);
}

void sqauth_conn_free(sqauth_conn *c)
{
    if (!c) {
        return;
    }
    if (c->ssl) {
        /* One close_notify, without waiting for the peer's: the socket is
         * non-blocking and the connection is going away anyway. */
        if (!c->eof) {
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
