/*
 * A scripted server for the C tests of proto/ and conn.c, on a socketpair:
 * a thread plays steps in order (send bytes, expect a line starting with a
 * prefix, start TLS with a self-signed certificate, drip bytes slowly, hold
 * still, close or reset), records every line it receives, and at the end
 * keeps recording until the client closes. A real server cannot be made to
 * misbehave on purpose; this one can.
 *
 *   static const script_step steps[] = {SEND("* OK hi\r\n"), EXPECT("A0001 CAPABILITY"), ..., END};
 *   REPEAT("* flood\r\n", 1000) sends its text that many times (floods). 
 *   scripted_server srv;
 *   int fd = scripted_start(&srv, steps);      the client's end (non-blocking)
 *   ... the session under test, on fd ...
 *   scripted_finish(&srv);                     closes fd, waits; srv.got, srv.ok
 */
#ifndef SQAUTH_SCRIPTED_SERVER_H
#define SQAUTH_SCRIPTED_SERVER_H

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

/* ---- a self-signed server certificate, made once ---- */

static EVP_PKEY *test_server_key;
static X509 *test_server_cert;

static inline int test_certificate(void)
{
    X509_NAME *name;

    if (test_server_cert) {
        return 1;
    }
    test_server_key = EVP_EC_gen("P-256");
    test_server_cert = X509_new();
    if (!test_server_key || !test_server_cert) {
        return 0;
    }
    ASN1_INTEGER_set(X509_get_serialNumber(test_server_cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(test_server_cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(test_server_cert), 3600);
    X509_set_pubkey(test_server_cert, test_server_key);
    name = X509_get_subject_name(test_server_cert);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"localhost", -1, -1, 0);
    X509_set_issuer_name(test_server_cert, name);
    return X509_sign(test_server_cert, test_server_key, EVP_sha256()) > 0;
}

static inline void test_certificate_free(void)
{
    X509_free(test_server_cert);
    EVP_PKEY_free(test_server_key);
    test_server_cert = NULL;
    test_server_key = NULL;
}

static inline SSL_CTX *test_server_ctx(int max_version)
{
    SSL_CTX *ctx = test_certificate() ? SSL_CTX_new(TLS_server_method()) : NULL;
    if (ctx) {
        SSL_CTX_use_certificate(ctx, test_server_cert);
        SSL_CTX_use_PrivateKey(ctx, test_server_key);
        SSL_CTX_set_max_proto_version(ctx, max_version);
    }
    return ctx;
}

/* ---- the script ---- */

typedef enum {
    STEP_END, STEP_SEND, STEP_EXPECT, STEP_TLS, STEP_CLOSE, STEP_DRIP, STEP_HOLD, STEP_RESET, STEP_REPEAT, STEP_ECHO
} script_kind;

typedef struct script_step {
    script_kind kind;
    const char *text;
    int ms;
    size_t count;               /* STEP_REPEAT: how many times */
} script_step;

#define SEND(t) {STEP_SEND, t, 0, 0}
#define REPEAT(t, n) {STEP_REPEAT, t, 0, n}
#define EXPECT(t) {STEP_EXPECT, t, 0, 0}
#define START_TLS {STEP_TLS, NULL, 0, 0}
/* Ends the script: the server's end is shut down (an orderly end). */
#define CLOSE {STEP_CLOSE, NULL, 0, 0}
/* The bytes of t one at a time, ms before each; stops when the client has gone. */
#define DRIP(t, ms) {STEP_DRIP, t, ms, 0}
/* Sends nothing for ms, or until the client closes (what it sends is recorded). */
#define HOLD(ms) {STEP_HOLD, NULL, ms, 0}
/* Waits until the client has sent something, then closes without reading
 * it: the client's next read gets ECONNRESET. Ends the script. */
#define RESET {STEP_RESET, NULL, 0, 0}
#define END {STEP_END, NULL, 0, 0}
/* Sends t with "%t" replaced by the first word of the last line received
 * (an IMAP tag) and "%q" by its first quoted string: answers to commands
 * whose words the client makes up at random. */
#define ECHO(t) {STEP_ECHO, t, 0, 0}

typedef struct scripted_server {
    int fd[2];                  /* [0] the server's end, [1] the client's */
    const script_step *steps;
    pthread_t thread;
    SSL_CTX *ctx;
    SSL *ssl;
    char got[16384];            /* every line received, each ended by '\n' */
    size_t got_len;
    size_t last_line;           /* where the last line an EXPECT read starts in got */
    int ok;                     /* every EXPECT matched */
} scripted_server;

static inline int scripted_write(scripted_server *srv, const char *p, size_t n)
{
    while (n) {
        ssize_t w = srv->ssl ? SSL_write(srv->ssl, p, (int)n) : send(srv->fd[0], p, n, MSG_NOSIGNAL);
        if (w <= 0) {
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* One line (without CR LF) appended to got; -1 at the end of the stream. */
static inline int scripted_read_line(scripted_server *srv, size_t *start)
{
    *start = srv->got_len;
    for (;;) {
        char c;
        ssize_t r = srv->ssl ? SSL_read(srv->ssl, &c, 1) : recv(srv->fd[0], &c, 1, 0);
        if (r <= 0) {
            return srv->got_len > *start ? 0 : -1;
        }
        if (c == '\n') {
            break;
        }
        if (c != '\r' && srv->got_len < sizeof(srv->got) - 2) {
            srv->got[srv->got_len++] = c;
        }
    }
    srv->got[srv->got_len++] = '\n';
    srv->got[srv->got_len] = '\0';
    return 0;
}

static inline void scripted_sleep_ms(int ms)
{
    struct timespec ts;
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &ts) != 0) {
    }
}

/* Waits ms; 1 when the client has closed its end meanwhile. Bytes it sent
 * and the script has not read stay unread (the wait is then a plain
 * sleep). */
static inline int scripted_client_gone(scripted_server *srv, int ms)
{
    struct pollfd p;
    char c;
    p.fd = srv->fd[0];
    p.events = POLLIN;
    p.revents = 0;
    if (poll(&p, 1, ms) <= 0) {
        return 0;
    }
    if (recv(srv->fd[0], &c, 1, MSG_PEEK | MSG_DONTWAIT) <= 0) {
        return 1;
    }
    scripted_sleep_ms(ms);
    return 0;
}

/* ECHO: text with %t and %q filled in from the last line received. */
static inline int scripted_echo(scripted_server *srv, const char *text)
{
    const char *line = srv->got + srv->last_line, *q = strchr(line, '"'), *qe = q ? strchr(q + 1, '"') : NULL;
    size_t tag_len = strcspn(line, " \n");
    char out[1024];
    size_t n = 0;

    for (; *text && n < sizeof(out) - 256; text++) {
        if (text[0] == '%' && text[1] == 't') {
            memcpy(out + n, line, tag_len < 200 ? tag_len : 200);
            n += tag_len < 200 ? tag_len : 200;
            text++;
        } else if (text[0] == '%' && text[1] == 'q' && qe && qe - q - 1 < 200) {
            memcpy(out + n, q + 1, (size_t)(qe - q - 1));
            n += (size_t)(qe - q - 1);
            text++;
        } else {
            out[n++] = *text;
        }
    }
    return scripted_write(srv, out, n);
}

static inline void *scripted_run(void *arg)
{
    scripted_server *srv = arg;
    const script_step *st;
    size_t start;

    srv->ok = 1;
    for (st = srv->steps; st->kind != STEP_END && st->kind != STEP_CLOSE && st->kind != STEP_RESET; st++) {
        if (st->kind == STEP_SEND || st->kind == STEP_REPEAT) {
            size_t i, n = st->kind == STEP_SEND ? 1 : st->count;
            for (i = 0; i < n && srv->ok; i++) {
                if (scripted_write(srv, st->text, strlen(st->text)) != 0) {
                    srv->ok = 0;
                }
            }
            if (!srv->ok) {
                break;
            }
        } else if (st->kind == STEP_EXPECT) {
            if (scripted_read_line(srv, &start) != 0
                || strncmp(srv->got + start, st->text, strlen(st->text)) != 0) {
                srv->ok = 0;
                break;
            }
            srv->last_line = start;
        } else if (st->kind == STEP_ECHO) {
            if (scripted_echo(srv, st->text) != 0) {
                srv->ok = 0;
                break;
            }
        } else if (st->kind == STEP_DRIP) {
            const char *p;
            for (p = st->text; *p; p++) {
                if (scripted_client_gone(srv, st->ms) || scripted_write(srv, p, 1) != 0) {
                    break;
                }
            }
        } else if (st->kind == STEP_HOLD) {
            int left = st->ms;
            while (left > 0 && !scripted_client_gone(srv, left > 50 ? 50 : left)) {
                left -= 50;
            }
        } else if (st->kind == STEP_TLS) {
            srv->ctx = test_server_ctx(TLS1_3_VERSION);
            srv->ssl = srv->ctx ? SSL_new(srv->ctx) : NULL;
            if (!srv->ssl || !SSL_set_fd(srv->ssl, srv->fd[0]) || SSL_accept(srv->ssl) != 1) {
                srv->ok = 0;
                break;
            }
        }
    }
    if (st->kind == STEP_END && srv->ok) {
        /* Whatever else comes (a LOGOUT, a QUIT) until the client closes. */
        while (scripted_read_line(srv, &start) == 0) {
        }
    }
    if (st->kind == STEP_RESET) {
        struct pollfd p;
        p.fd = srv->fd[0];
        p.events = POLLIN;
        p.revents = 0;
        poll(&p, 1, 5000);
        if (srv->ssl) {
            SSL_free(srv->ssl);
            srv->ssl = NULL;
        }
        close(srv->fd[0]);
        srv->fd[0] = -1;
    }
    if (srv->ssl) {
        SSL_free(srv->ssl);
        srv->ssl = NULL;
    }
    SSL_CTX_free(srv->ctx);
    srv->ctx = NULL;
    ERR_clear_error();
    if (srv->fd[0] >= 0) {
        shutdown(srv->fd[0], SHUT_RDWR);
    }
    return NULL;
}

/* Starts the script; returns the client's end of the socketpair. */
static inline int scripted_start(scripted_server *srv, const script_step *steps)
{
    memset(srv, 0, sizeof(*srv));
    srv->steps = steps;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, srv->fd) != 0 || fcntl(srv->fd[1], F_SETFL, O_NONBLOCK) != 0
        || pthread_create(&srv->thread, NULL, scripted_run, srv) != 0) {
        return -1;
    }
    return srv->fd[1];
}

/* After the client is done (its session freed): closes the client's end,
 * waits for the script. */
static inline void scripted_finish(scripted_server *srv)
{
    close(srv->fd[1]);
    pthread_join(srv->thread, NULL);
    if (srv->fd[0] >= 0) {
        close(srv->fd[0]);
    }
}

/* ---- a listener on 127.0.0.1 for code that connects itself ---- */

#define SCRIPTED_MAX_CONNECTIONS 8

/* Plays scripts[i] to the i-th connection it accepts, each in a thread of
 * its own, so that several connections can be open at once. */
typedef struct scripted_listener {
    int fd;
    unsigned port;
    const script_step *const *scripts;
    size_t count, accepted;
    pthread_t thread;
    scripted_server conns[SCRIPTED_MAX_CONNECTIONS];
} scripted_listener;

static inline void *scripted_accept(void *arg)
{
    scripted_listener *l = arg;

    while (l->accepted < l->count) {
        scripted_server *srv = &l->conns[l->accepted];
        int fd = accept(l->fd, NULL, NULL);
        if (fd < 0) {
            break;
        }
        memset(srv, 0, sizeof(*srv));
        srv->steps = l->scripts[l->accepted];
        srv->fd[0] = fd;
        srv->fd[1] = -1;
        if (pthread_create(&srv->thread, NULL, scripted_run, srv) != 0) {
            close(fd);
            break;
        }
        l->accepted++;
    }
    return NULL;
}

/* Listens on an ephemeral port of 127.0.0.1 (l->port) for up to count
 * connections; 0 when ready. */
static inline int scripted_listen(scripted_listener *l, const script_step *const *scripts, size_t count)
{
    struct sockaddr_in a;
    socklen_t len = sizeof(a);

    memset(l, 0, sizeof(*l));
    l->scripts = scripts;
    l->count = count < SCRIPTED_MAX_CONNECTIONS ? count : SCRIPTED_MAX_CONNECTIONS;
    memset(&a, 0, sizeof(a));
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    l->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (l->fd < 0 || bind(l->fd, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(l->fd, 8) != 0
        || getsockname(l->fd, (struct sockaddr *)&a, &len) != 0) {
        return -1;
    }
    l->port = ntohs(a.sin_port);
    return pthread_create(&l->thread, NULL, scripted_accept, l) == 0 ? 0 : -1;
}

/* After every client connection is closed: stops listening and waits for
 * every script. Returns how many connections were accepted. */
static inline size_t scripted_listen_finish(scripted_listener *l)
{
    size_t i;

    shutdown(l->fd, SHUT_RDWR);
    pthread_join(l->thread, NULL);
    close(l->fd);
    for (i = 0; i < l->accepted; i++) {
        pthread_join(l->conns[i].thread, NULL);
        if (l->conns[i].fd[0] >= 0) {
            close(l->conns[i].fd[0]);
        }
    }
    return l->accepted;
}

/* 1 when the server received a line starting with prefix. */
static inline int scripted_got(const scripted_server *srv, const char *prefix)
{
    const char *p = srv->got;
    size_t n = strlen(prefix);
    while (*p) {
        if (strncmp(p, prefix, n) == 0) {
            return 1;
        }
        p = strchr(p, '\n');
        if (!p) {
            break;
        }
        p++;
    }
    return 0;
}

#endif
