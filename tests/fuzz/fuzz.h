/*
 * What the libFuzzer harnesses in tests/fuzz/ share: cutting the input into
 * pieces, and the checks every harness makes on every result.
 *
 * Built by src/core/Makefile (make -C src/core fuzz OBJDIR=...), against the
 * core compiled with the same sanitizers. The project rule the harnesses
 * enforce: a server byte may only ever lead to success or to a clear error
 * (a known status, the same code in the error record, a message that is
 * valid UTF-8 without control characters, and no secret in it); ASan,
 * UBSan and LeakSanitizer catch the rest.
 */
#ifndef SQAUTH_FUZZ_H
#define SQAUTH_FUZZ_H

#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common.h"
#include "sasl/sasl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_ASSERT(cond) do { \
    if (!(cond)) { \
        fprintf(stderr, "%s:%d: fuzz check failed: %s\n", __FILE__, __LINE__, #cond); \
        abort(); \
    } \
} while (0)

/* The rest of the input, consumed from the front. */
typedef struct fuzz_input {
    const uint8_t *data;
    size_t len;
    const uint8_t *whole;   /* the whole input, for fuzz_check_error() */
    size_t whole_len;
} fuzz_input;

static inline fuzz_input fuzz_input_make(const uint8_t *data, size_t size)
{
    fuzz_input in;
    in.data = in.whole = data;
    in.len = in.whole_len = size;
    return in;
}

/* One byte from the front (0 once the input is used up). */
static inline unsigned fuzz_byte(fuzz_input *in)
{
    unsigned b = 0;
    if (in->len) {
        b = in->data[0];
        in->data++;
        in->len--;
    }
    return b;
}

/* The next piece up to (not including) a NUL byte, or to the end. Returns
 * 0 when nothing is left at all; an empty piece between two NULs counts. */
static inline int fuzz_piece(fuzz_input *in, const uint8_t **p, size_t *n)
{
    const uint8_t *nul;

    if (!in->data) {
        return 0;
    }
    nul = in->len ? memchr(in->data, '\0', in->len) : NULL;
    *p = in->data;
    *n = nul ? (size_t)(nul - in->data) : in->len;
    if (nul) {
        in->len -= *n + 1;
        in->data = nul + 1;
    } else {
        in->data = NULL;    /* the last piece */
        in->len = 0;
    }
    return 1;
}

static inline int fuzz_lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* 1 when needle occurs in hay (ignoring ASCII case when nocase). */
static inline int fuzz_contains_case(const void *hay, size_t hay_len, const char *needle, int nocase)
{
    size_t n = strlen(needle), i, k;
    const unsigned char *h = hay;

    for (i = 0; n && i + n <= hay_len; i++) {
        for (k = 0; k < n; k++) {
            int a = h[i + k], b = (unsigned char)needle[k];
            if (nocase ? fuzz_lower(a) != fuzz_lower(b) : a != b) {
                break;
            }
        }
        if (k == n) {
            return 1;
        }
    }
    return 0;
}

static inline int fuzz_contains(const void *hay, size_t hay_len, const char *needle)
{
    return fuzz_contains_case(hay, hay_len, needle, 0);
}

/* A secret must not reach a message or a transcript, unless the server
 * itself sent its bytes (a message may quote what the server said, names
 * lowercased). */
static inline void fuzz_check_no_secret(const fuzz_input *in, const void *text, size_t len, const char *secret)
{
    if (secret && *secret && !fuzz_contains_case(in->whole, in->whole_len, secret, 1)) {
        FUZZ_ASSERT(!fuzz_contains(text, len, secret));
    }
}

/* rc and err after a core call that takes an sqauth_error: success, or a
 * known status recorded in err with a message and without secret. */
/* What a log or a terminal gets from a message: valid UTF-8 without a
 * control character (C0, DEL, C1), whatever the server sent. */
static inline int fuzz_printable(const char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        const unsigned char *u = (const unsigned char *)p + i;
        size_t k = sqauth_utf8_sequence(u, n - i);
        if (k == 0 || u[0] < 0x20 || u[0] == 0x7f || (u[0] == 0xc2 && u[1] < 0xa0)) {
            return 0;
        }
        i += k;
    }
    return 1;
}

static inline void fuzz_check_error(const fuzz_input *in, int rc, const sqauth_error *err, const char *secret)
{
    if (rc == SQAUTH_OK) {
        return;
    }
    FUZZ_ASSERT(rc < 0 && rc >= SQAUTH_ERR_INTEGRITY);
    FUZZ_ASSERT(rc != SQAUTH_ERR_NOMEM);    /* nothing here is big enough */
    FUZZ_ASSERT(err->code == rc);
    FUZZ_ASSERT(err->message[0] != '\0');
    FUZZ_ASSERT(memchr(err->message, '\0', sizeof(err->message)) != NULL);
    FUZZ_ASSERT(fuzz_printable(err->message, strlen(err->message)));
    fuzz_check_no_secret(in, err->message, strlen(err->message), secret);
}

/* A session configuration with every credential and option a mechanism
 * may want, all fixed (cnonce included) so that runs are reproducible. */
static inline void fuzz_sasl_config(sqauth_sasl_config *cfg, const char *user, const char *password)
{
    static const char cb_data[32] = "fixed channel-binding data 0123";

    memset(cfg, 0, sizeof(*cfg));
    cfg->authcid = sqauth_str_c(user);
    cfg->password = sqauth_str_c(password);
    cfg->token = sqauth_str_c("ya29.Fuzz-Token_0123456789");
    cfg->service = sqauth_str_c("imap");
    cfg->host = sqauth_str_c("mail.example.org");
    cfg->port = 143;
    cfg->cb_type = sqauth_str_c("tls-exporter");
    cfg->cb_data.data = cb_data;
    cfg->cb_data.len = sizeof(cb_data);
    /* A hostile server may ask for any iteration count: keep one input
     * well under a second even at the highest count accepted. */
    cfg->min_iterations = 1;
    cfg->max_iterations = 4096;
}

/* "The server" for code that reads a socket: one end of a socketpair that
 * carries the given bytes, then end of stream. The other end, returned by
 * fuzz_server_start() and non-blocking as sqauth's sockets are, is the
 * client's; what the client writes is never read (it stays queued). Bytes
 * that do not fit the socket buffer at once are written by a thread. */
typedef struct fuzz_server {
    int fd[2];                  /* [0] the server's end, [1] the client's */
    const uint8_t *rest;
    size_t rest_len;
    pthread_t thread;
    int threaded;
} fuzz_server;

static inline void *fuzz_server_writer(void *arg)
{
    fuzz_server *srv = arg;

    while (srv->rest_len) {
        ssize_t w = send(srv->fd[0], srv->rest, srv->rest_len, MSG_NOSIGNAL);
        if (w <= 0) {
            break;      /* the client's end is gone */
        }
        srv->rest += w;
        srv->rest_len -= (size_t)w;
    }
    shutdown(srv->fd[0], SHUT_WR);
    return NULL;
}

static inline int fuzz_server_start(fuzz_server *srv, const void *data, size_t len)
{
    int size = 1 << 20;
    ssize_t w = 0;

    memset(srv, 0, sizeof(*srv));
    FUZZ_ASSERT(socketpair(AF_UNIX, SOCK_STREAM, 0, srv->fd) == 0);
    setsockopt(srv->fd[0], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    setsockopt(srv->fd[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    FUZZ_ASSERT(fcntl(srv->fd[1], F_SETFL, O_NONBLOCK) == 0);
    FUZZ_ASSERT(fcntl(srv->fd[0], F_SETFL, O_NONBLOCK) == 0);
    if (len) {
        w = send(srv->fd[0], data, len, MSG_NOSIGNAL);
        if (w < 0) {
            w = 0;
        }
    }
    srv->rest = len ? (const uint8_t *)data + w : NULL;   /* data may be NULL when empty */
    srv->rest_len = len - (size_t)w;
    if (srv->rest_len == 0) {
        shutdown(srv->fd[0], SHUT_WR);
    } else {
        FUZZ_ASSERT(fcntl(srv->fd[0], F_SETFL, 0) == 0);
        FUZZ_ASSERT(pthread_create(&srv->thread, NULL, fuzz_server_writer, srv) == 0);
        srv->threaded = 1;
    }
    return srv->fd[1];
}

/* After the client is done: closing its end first frees the queue a
 * blocked writer waits on. */
static inline void fuzz_server_stop(fuzz_server *srv)
{
    close(srv->fd[1]);
    if (srv->threaded) {
        pthread_join(srv->thread, NULL);
    }
    close(srv->fd[0]);
}

#endif
