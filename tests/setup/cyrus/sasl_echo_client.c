/*
 * sasl_echo_client: a libsasl2 (Cyrus) DIGEST-MD5 client for sasl_echo_server. Proves each
 * server instance with a real, independent implementation: logs in over the IMAP-like framing,
 * then sends BYTES of binary data through the negotiated security layer (sasl_encode) in
 * application writes of CHUNK bytes, reads the echo back through sasl_decode and compares it
 * byte for byte. Test tool only.
 *
 *   sasl_echo_client --port N [--host A] [--user U] [--pass P] [--realm R]
 *                    [--qop auth|auth-int|auth-conf] [--cipher rc4-40|des|rc4-56|3des|rc4]
 *                    [--min-ssf N --max-ssf N] [--maxbuf N] [--bytes N] [--chunk N]
 *                    [--expect ok|auth-fail|cancel|layer-error|no-agreement]
 *                    [--piece N] [--show-challenge] [-v]
 *
 * --qop/--cipher set the client's SASL_SEC_PROPS so that libsasl2 picks exactly that
 * protection: auth 0/0, auth-int 1/1, auth-conf 2/256 (the strongest cipher offered), a cipher
 * its SSF as both min and max (rc4-40 40, des 55, rc4-56 56, 3des 112, rc4 128).
 * --expect says what must happen; exit status 0 when it did. One line of result on stdout:
 *   ok            login, then BYTES echoed byte-exact through the layer (the default)
 *   auth-fail     the server answers NO [AUTHENTICATIONFAILED] (e.g. wrong --pass)
 *   cancel        the client sends "*" to the first challenge; the server answers BAD cancelled
 *   layer-error   login works, then the echo fails: sasl_decode error, the connection closing
 *                 inside a packet, or data that differs (for the --evil servers)
 *   no-agreement  the client's libsasl2 finds no acceptable qop/cipher in the challenge
 * --show-challenge prints the server's first challenge on a second line.
 * --piece N: hand sasl_encode pieces of N bytes instead of SASL_MAXOUTBUF. (libsasl2 2.1.28's
 * sasl_encode splits an input larger than SASL_MAXOUTBUF into several packets by itself, so
 * this does not produce oversized packets; it shows that splitting.)
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <sasl/sasl.h>
#include <sasl/saslutil.h>

/* Debian 12's Cyrus SASL 2.1.28 DIGEST-MD5 plugin keys "des" and "3des" with
 * DES_key_sched() and treats a negative return as failure. Since OpenSSL 3.0,
 * DES_key_sched() (= DES_set_key()) returns -1 for a key with wrong parity bits
 * even though it still builds the schedule (1.1 returned 0 unless DES_check_key
 * was set); the plugin's keys never carry parity (the bits are ignored by DES),
 * so "3des" always fails with "failed to init cipher '3des'". Defining the
 * function here (exported with -rdynamic) interposes it for the dlopen'ed
 * plugin and restores the OpenSSL 1.1 behaviour: parity is ignored. Build with
 * -DNO_DES_FIX to see the unpatched behaviour. */
#ifndef NO_DES_FIX
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/des.h>
int DES_key_sched(const_DES_cblock *key, DES_key_schedule *schedule);
int DES_key_sched(const_DES_cblock *key, DES_key_schedule *schedule)
{
    DES_set_key_unchecked(key, schedule);
    return DES_is_weak_key(key) ? -2 : 0;
}
#endif

static const char *host = "127.0.0.1", *user = "testuser", *pass = "testpass", *realm = NULL;
static const char *expect = "ok";
static unsigned min_ssf = 0, max_ssf = 256, maxbuf = 65536;
static size_t total_bytes = 1 << 20, chunk = 65536, piece_override;
static int port, show_challenge, verbose;
static char label[256];

static int result(int ok, const char *fmt, ...)
{
    va_list ap;
    printf("%s %s: ", ok ? "ok  " : "FAIL", label);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    return ok ? 0 : 1;
}

/* ---------------------------------------------------------------- I/O */

static int fd = -1;
static char rbuf[1 << 17];
static size_t rstart, rend;

static int write_all(const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static ssize_t read_some(char *out, size_t max)
{
    if (rend > rstart) {
        size_t n = rend - rstart < max ? rend - rstart : max;
        memcpy(out, rbuf + rstart, n);
        rstart += n;
        return (ssize_t)n;
    }
    ssize_t n;
    do {
        n = read(fd, out, max);
    } while (n < 0 && errno == EINTR);
    return n;
}

static int read_line(char *out, size_t outsz)
{
    for (;;) {
        char *nl = memchr(rbuf + rstart, '\n', rend - rstart);
        if (nl) {
            size_t len = (size_t)(nl - (rbuf + rstart)), take = len;
            if (take && rbuf[rstart + take - 1] == '\r')
                take--;
            if (take >= outsz)
                return -1;
            memcpy(out, rbuf + rstart, take);
            out[take] = '\0';
            rstart += len + 1;
            if (verbose)
                fprintf(stderr, "S: %s\n", out);
            return (int)take;
        }
        if (rstart == rend)
            rstart = rend = 0;
        if (rend == sizeof rbuf)
            return -1;
        ssize_t n;
        do {
            n = read(fd, rbuf + rend, sizeof rbuf - rend);
        } while (n < 0 && errno == EINTR);
        if (n <= 0)
            return -1;
        rend += (size_t)n;
    }
}

static int send_line(const char *s)
{
    if (verbose)
        fprintf(stderr, "C: %s\n", s);
    return write_all(s, strlen(s)) || write_all("\r\n", 2) ? -1 : 0;
}

/* ---------------------------------------------------------------- SASL callbacks */

static int cb_simple(void *ctx, int id, const char **res, unsigned *len)
{
    (void)ctx;
    if (id == SASL_CB_AUTHNAME)
        *res = user;
    else if (id == SASL_CB_USER)
        *res = "";
    else
        return SASL_BADPARAM;
    if (len)
        *len = (unsigned)strlen(*res);
    return SASL_OK;
}

static int cb_pass(sasl_conn_t *conn, void *ctx, int id, sasl_secret_t **psecret)
{
    static sasl_secret_t *secret;
    size_t l = strlen(pass);
    (void)conn;
    (void)ctx;
    if (id != SASL_CB_PASS)
        return SASL_BADPARAM;
    free(secret);
    secret = malloc(sizeof(sasl_secret_t) + l);
    if (!secret)
        return SASL_NOMEM;
    secret->len = l;
    memcpy(secret->data, pass, l + 1);
    *psecret = secret;
    return SASL_OK;
}

static int cb_realm(void *ctx, int id, const char **availrealms, const char **res)
{
    (void)ctx;
    if (id != SASL_CB_GETREALM)
        return SASL_BADPARAM;
    *res = realm ? realm : (availrealms && availrealms[0] ? availrealms[0] : "");
    return SASL_OK;
}

static int cb_log(void *ctx, int level, const char *msg)
{
    (void)ctx;
    if (verbose || level <= SASL_LOG_ERR)
        fprintf(stderr, "libsasl2[%d]: %s\n", level, msg);
    return SASL_OK;
}

#define CB(f) ((int (*)(void))(void (*)(void))(f))
static sasl_callback_t callbacks[] = {
    { SASL_CB_AUTHNAME, CB(cb_simple), NULL },
    { SASL_CB_USER, CB(cb_simple), NULL },
    { SASL_CB_PASS, CB(cb_pass), NULL },
    { SASL_CB_GETREALM, CB(cb_realm), NULL },
    { SASL_CB_LOG, CB(cb_log), NULL },
    { SASL_CB_LIST_END, NULL, NULL },
};

/* ---------------------------------------------------------------- main */

static unsigned char *make_data(size_t n)
{
    unsigned char *d = malloc(n);
    unsigned long x = 0x2545F491UL;
    size_t i;
    static const char head[] = "HELLO through the layer\r\n";
    for (i = 0; i < n; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        d[i] = (unsigned char)(x >> 33);
    }
    memcpy(d, head, n < sizeof head - 1 ? n : sizeof head - 1);
    return d;
}

static void usage(void)
{
    fprintf(stderr, "see the comment at the top of sasl_echo_client.c\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *qop = NULL, *cipher = NULL;
    int i, rc, set_ssf = 0;
    char line[8192];

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--show-challenge")) {
            show_challenge = 1;
            continue;
        }
        if (!strcmp(a, "-v")) {
            verbose = 1;
            continue;
        }
        if (i + 1 >= argc)
            usage();
        const char *v = argv[++i];
        if (!strcmp(a, "--port"))
            port = atoi(v);
        else if (!strcmp(a, "--host"))
            host = v;
        else if (!strcmp(a, "--user"))
            user = v;
        else if (!strcmp(a, "--pass"))
            pass = v;
        else if (!strcmp(a, "--realm"))
            realm = v;
        else if (!strcmp(a, "--qop"))
            qop = v;
        else if (!strcmp(a, "--cipher"))
            cipher = v;
        else if (!strcmp(a, "--min-ssf"))
            min_ssf = (unsigned)atoi(v), set_ssf = 1;
        else if (!strcmp(a, "--max-ssf"))
            max_ssf = (unsigned)atoi(v), set_ssf = 1;
        else if (!strcmp(a, "--maxbuf"))
            maxbuf = (unsigned)atoi(v);
        else if (!strcmp(a, "--bytes"))
            total_bytes = (size_t)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--piece"))
            piece_override = (size_t)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--chunk"))
            chunk = (size_t)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--expect"))
            expect = v;
        else
            usage();
    }
    if (port <= 0 || chunk == 0)
        usage();
    if (qop && !strcmp(qop, "auth"))
        min_ssf = max_ssf = 0;
    else if (qop && !strcmp(qop, "auth-int"))
        min_ssf = max_ssf = 1;
    else if (qop && !strcmp(qop, "auth-conf"))
        min_ssf = 2, max_ssf = 256;
    else if (qop)
        usage();
    if (cipher) {
        static const struct { const char *n; unsigned ssf; } c[] = {
            { "rc4-40", 40 }, { "des", 55 }, { "rc4-56", 56 }, { "3des", 112 }, { "rc4", 128 } };
        unsigned k;
        for (k = 0; k < sizeof c / sizeof c[0]; k++)
            if (!strcmp(cipher, c[k].n))
                min_ssf = max_ssf = c[k].ssf;
        if (k == sizeof c / sizeof c[0] && min_ssf != max_ssf)
            usage();
    }
    snprintf(label, sizeof label, "port %d %s@%s %s%s%s ssf %u..%u", port, user,
             realm ? realm : "-", qop ? qop : (set_ssf ? "" : "any"), cipher ? " cipher " : "",
             cipher ? cipher : "", min_ssf, max_ssf);

    /* connect */
    struct sockaddr_in sa, la;
    socklen_t lal = sizeof la;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)port);
    inet_pton(AF_INET, host, &sa.sin_addr);
    fd = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval tv = { 20, 0 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        return result(0, "connect: %s", strerror(errno));
    getsockname(fd, (struct sockaddr *)&la, &lal);
    char local[64], remote[64];
    snprintf(local, sizeof local, "%s;%d", inet_ntoa(la.sin_addr), ntohs(la.sin_port));
    snprintf(remote, sizeof remote, "%s;%d", host, port);

    if (read_line(line, sizeof line) < 0 || strncmp(line, "* OK ", 5) != 0)
        return result(0, "bad greeting: %s", line);
    send_line("a CAPABILITY");
    do {
        if (read_line(line, sizeof line) < 0)
            return result(0, "no CAPABILITY answer");
    } while (strncmp(line, "a ", 2) != 0);

    /* authenticate */
    sasl_conn_t *conn;
    sasl_security_properties_t props;
    const char *out, *mech;
    unsigned outlen;
    if (sasl_client_init(callbacks) != SASL_OK)
        return result(0, "sasl_client_init failed");
    if (sasl_client_new("imap", "localhost", local, remote, NULL, 0, &conn) != SASL_OK)
        return result(0, "sasl_client_new failed");
    memset(&props, 0, sizeof props);
    props.min_ssf = min_ssf;
    props.max_ssf = max_ssf;
    props.maxbufsize = maxbuf;
    sasl_setprop(conn, SASL_SEC_PROPS, &props);
    rc = sasl_client_start(conn, "DIGEST-MD5", NULL, &out, &outlen, &mech);
    if (rc != SASL_CONTINUE && rc != SASL_OK)
        return result(0, "sasl_client_start: %s", sasl_errdetail(conn));
    send_line("b AUTHENTICATE DIGEST-MD5");
    int steps = 0;
    char challenge[8192] = "";
    for (;;) {
        if (read_line(line, sizeof line) < 0)
            return result(0, "connection closed during authentication");
        if (!strncmp(line, "+ ", 2) || !strcmp(line, "+")) {
            char dec[8192], *enc;
            unsigned declen, enclen;
            const char *b64 = line[1] ? line + 2 : "";
            if (sasl_decode64(b64, (unsigned)strlen(b64), dec, sizeof dec, &declen) != SASL_OK)
                return result(0, "server sent bad base64");
            dec[declen] = '\0';
            if (steps++ == 0) {
                snprintf(challenge, sizeof challenge, "%s", dec);
                if (!strcmp(expect, "cancel")) {
                    send_line("*");
                    continue;
                }
            }
            rc = sasl_client_step(conn, dec, declen, NULL, &out, &outlen);
            if (rc != SASL_OK && rc != SASL_CONTINUE) {
                if (!strcmp(expect, "no-agreement"))
                    return result(1, "the client found nothing acceptable in \"%s\": %s",
                                  challenge, sasl_errdetail(conn));
                return result(0, "sasl_client_step: %s", sasl_errdetail(conn));
            }
            enclen = outlen * 4 / 3 + 8;
            enc = malloc(enclen);
            sasl_encode64(out ? out : "", outlen, enc, enclen, &enclen);
            enc[enclen] = '\0';
            send_line(enc);
            free(enc);
            continue;
        }
        if (!strncmp(line, "b OK", 4)) {
            if (strcmp(expect, "ok") && strcmp(expect, "layer-error"))
                return result(0, "expected %s, got: %s", expect, line);
            if (rc != SASL_OK)
                return result(0, "server said OK but the client's exchange is not complete");
            break;
        }
        if (!strncmp(line, "b NO", 4) || !strncmp(line, "b BAD", 5)) {
            if (!strcmp(expect, "auth-fail") && !strncmp(line, "b NO [AUTHENTICATIONFAILED]", 27))
                return result(1, "refused as expected: %s", line);
            if (!strcmp(expect, "cancel") && !strcmp(line, "b BAD cancelled"))
                return result(1, "cancelled: %s", line);
            return result(0, "authentication refused: %s", line);
        }
        if (line[0] != '*')
            return result(0, "unexpected line: %s", line);
    }
    if (show_challenge)
        printf("     challenge: %s\n", challenge);

    const void *p;
    unsigned ssf = 0, maxout = 0;
    if (sasl_getprop(conn, SASL_SSF, &p) == SASL_OK && p)
        ssf = *(const sasl_ssf_t *)p;
    if (sasl_getprop(conn, SASL_MAXOUTBUF, &p) == SASL_OK && p)
        maxout = *(const unsigned *)p;
    if (ssf < min_ssf || ssf > max_ssf)
        return result(0, "negotiated SSF %u outside %u..%u", ssf, min_ssf, max_ssf);

    /* echo: one application write of CHUNK bytes at a time (cut to SASL_MAXOUTBUF pieces for
     * sasl_encode), then read until that much plaintext has come back */
    unsigned char *data = make_data(total_bytes), *back = malloc(total_bytes + 65536);
    size_t sent = 0, got = 0, wire_out = 0, wire_in = 0, packets_out = 0;
    while (sent < total_bytes) {
        size_t n = total_bytes - sent < chunk ? total_bytes - sent : chunk, done = 0;
        while (done < n) {
            size_t piece = n - done;
            if (ssf > 0 && piece > (piece_override ? piece_override : maxout))
                piece = piece_override ? piece_override : maxout;
            if (ssf > 0) {
                const char *enc;
                unsigned enclen;
                if (sasl_encode(conn, (const char *)data + sent + done, (unsigned)piece, &enc,
                                &enclen) != SASL_OK)
                    return result(0, "sasl_encode: %s", sasl_errdetail(conn));
                if (write_all(enc, enclen) < 0)
                    return result(0, "write: %s", strerror(errno));
                wire_out += enclen;
                packets_out++;
            } else {
                if (write_all(data + sent + done, piece) < 0)
                    return result(0, "write: %s", strerror(errno));
                wire_out += piece;
            }
            done += piece;
        }
        sent += n;
        while (got < sent) {
            char buf[65536];
            ssize_t r = read_some(buf, sizeof buf);
            if (r <= 0) {
                if (!strcmp(expect, "layer-error"))
                    return result(1, "ssf %u: detected: connection %s after %zu of %zu bytes "
                                     "(no complete echo)", ssf, r == 0 ? "closed" : "error", got, sent);
                return result(0, "connection %s after %zu of %zu echoed bytes",
                              r == 0 ? "closed" : strerror(errno), got, sent);
            }
            wire_in += (size_t)r;
            if (ssf > 0) {
                const char *dec;
                unsigned declen;
                if (sasl_decode(conn, buf, (unsigned)r, &dec, &declen) != SASL_OK) {
                    if (!strcmp(expect, "layer-error"))
                        return result(1, "ssf %u: detected by sasl_decode: %s", ssf,
                                      sasl_errdetail(conn));
                    return result(0, "sasl_decode: %s", sasl_errdetail(conn));
                }
                if (got + declen > total_bytes + 65536)
                    return result(0, "too much data echoed");
                memcpy(back + got, dec, declen);
                got += declen;
            } else {
                memcpy(back + got, buf, (size_t)r);
                got += (size_t)r;
            }
        }
        if (got != sent || memcmp(back, data, got) != 0) {
            if (!strcmp(expect, "layer-error"))
                return result(1, "ssf %u: detected: echo differs", ssf);
            return result(0, "echo differs after %zu bytes", sent);
        }
    }
    if (!strcmp(expect, "layer-error"))
        return result(0, "ssf %u: no error although the server misbehaves (%zu bytes echoed)", ssf, got);
    sasl_dispose(&conn);
    close(fd);
    return result(1, "ssf %u, SASL_MAXOUTBUF %u: %zu bytes echoed byte-exact (writes of %zu, %zu "
                     "packets, wire %zu out / %zu in)", ssf, maxout, got, chunk, packets_out,
                  wire_out, wire_in);
}
