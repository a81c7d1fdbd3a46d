/*
 * sasl_echo_server: a Cyrus SASL (libsasl2) DIGEST-MD5 server with IMAP-like framing, the real
 * peer for sqauth's DIGEST-MD5 security-layer tests (auth-int, auth-conf). Test tool only.
 *
 *   S: * OK [CAPABILITY IMAP4rev1 AUTH=DIGEST-MD5] cyrus echo ready
 *   C: a CAPABILITY                 S: * CAPABILITY IMAP4rev1 AUTH=DIGEST-MD5 / a OK CAPABILITY completed
 *   C: a AUTHENTICATE DIGEST-MD5    S: + <base64 challenge>
 *   C: <base64 response>            S: + <base64 rspauth=...>
 *   C: (empty line)                 S: a OK authenticated
 *   ("*" instead of a response: "a BAD cancelled"; a wrong password:
 *    "a NO [AUTHENTICATIONFAILED] ..."; "a LOGOUT": "* BYE ..." and "a OK ...")
 *
 * After "a OK authenticated" with a security layer (SASL_SSF > 0) everything on the connection is
 * SASL-wrapped in both directions: the server sasl_decode()s what arrives (4-byte big-endian
 * length + data, exactly as sasl_encode produces) and sends the plaintext straight back through
 * sasl_encode() (cut to SASL_MAXOUTBUF pieces), until the client closes. With qop=auth (no layer)
 * it echoes the raw bytes.
 *
 * One forked child per connection; the parent runs until killed (SIGTERM/SIGINT).
 *
 * Options:
 *   --port N          listen on 127.0.0.1:N (required)
 *   --host ADDR       listen address (default 127.0.0.1; loopback only is intended)
 *   --realm R         realm (repeatable). Cyrus's DIGEST-MD5 plugin puts exactly one realm into
 *                     its challenge (sasl_server_new's user_realm); every further --realm is
 *                     injected by this program as an extra realm="R" directive right after the
 *                     Cyrus one. Cyrus accepts a response naming any realm (it then looks up
 *                     user@that-realm in the sasldb), so logins in every listed realm work.
 *   --min-ssf N --max-ssf N   SASL_SEC_PROPS min/max SSF (default 0 / 256).
 *                     qop offered: auth if min=0; auth-int if min<=1<=max; auth-conf + every
 *                     cipher whose SSF is in [min,max]: rc4-40 40, des 55, rc4-56 56, 3des 112,
 *                     rc4 128.
 *   --maxbuf N        SASL_SEC_PROPS maxbufsize: the server's receive buffer, sent as maxbuf=N
 *                     (default 65536)
 *   --service S       service name (default imap): the digest-uri must be "S/host"
 *   --fqdn H          server FQDN (default localhost)
 *   --app NAME        SASL application name: reads CONFDIR/NAME.conf (default sqauth-echo)
 *   --conf-dir DIR    directory of NAME.conf (SASL_PATH_TYPE_CONFIG); default: libsasl2's
 *   --log FILE        append a log here (default stderr)
 *   --pidfile FILE    write the parent's pid here once listening
 *   --evil MODE       misbehave after a successful login with a security layer:
 *       tamper-mac    flip one bit in the MAC of the first encoded reply (auth-int: MAC byte 9;
 *                     auth-conf: the last ciphertext byte, i.e. the encrypted MAC)
 *       replay        send the first encoded reply twice (same sequence number)
 *       truncate      send the first reply (at most 1000 bytes of echo) with a length prefix
 *                     100 bytes larger than its data, then close the connection
 *       cleartext     send the echo unwrapped (raw plaintext) although a layer is in force
 *       oversize      send a length prefix of 0x7fffffff followed by a few bytes, then close
 *     The client must detect each of these and fail; the server logs what it did.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
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

#define MAX_REALMS 8
#define LINE_MAX_LEN 65536
#define GREETING "* OK [CAPABILITY IMAP4rev1 AUTH=DIGEST-MD5] cyrus echo ready"
#define CAPA "* CAPABILITY IMAP4rev1 AUTH=DIGEST-MD5"

enum evil { EVIL_NONE, EVIL_TAMPER_MAC, EVIL_REPLAY, EVIL_TRUNCATE, EVIL_CLEARTEXT, EVIL_OVERSIZE };

static struct {
    int port;
    const char *host;
    const char *realms[MAX_REALMS];
    int nrealms;
    unsigned min_ssf, max_ssf, maxbuf;
    const char *service, *fqdn, *app, *conf_dir, *log_path, *pidfile;
    enum evil evil;
    const char *evil_name;
} opt = { 0, "127.0.0.1", { 0 }, 0, 0, 256, 65536, "imap", "localhost", "sqauth-echo", NULL, NULL,
          NULL, EVIL_NONE, "none" };

static FILE *logf;
static int conn_id;

static void logmsg(const char *fmt, ...)
{
    va_list ap;
    char ts[32];
    time_t t = time(NULL);
    struct tm tm;

    localtime_r(&t, &tm);
    strftime(ts, sizeof ts, "%H:%M:%S", &tm);
    fprintf(logf, "%s [%d] port %d conn %d: ", ts, (int)getpid(), opt.port, conn_id);
    va_start(ap, fmt);
    vfprintf(logf, fmt, ap);
    va_end(ap);
    fputc('\n', logf);
    fflush(logf);
}

static int sasl_log_cb(void *ctx, int level, const char *message)
{
    (void)ctx;
    if (level <= SASL_LOG_NOTE || level == SASL_LOG_DEBUG)
        logmsg("libsasl2[%d]: %s", level, message ? message : "");
    return SASL_OK;
}

/* ---------------------------------------------------------------- I/O */

struct reader {
    int fd;
    char buf[65536];
    size_t start, end;
};

static int write_all(int fd, const void *data, size_t len)
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

static int send_line(int fd, const char *fmt, ...)
{
    char line[8192];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(line, sizeof line - 2, fmt, ap);
    va_end(ap);
    if (n < 0)
        return -1;
    if ((size_t)n > sizeof line - 3)
        n = sizeof line - 3;
    logmsg("S: %.*s", n > 300 ? 300 : n, line);
    line[n++] = '\r';
    line[n++] = '\n';
    return write_all(fd, line, (size_t)n);
}

static ssize_t fill(struct reader *r)
{
    ssize_t n;
    if (r->start > 0 && r->start == r->end)
        r->start = r->end = 0;
    if (r->end == sizeof r->buf) {
        if (r->start == 0)
            return -2; /* line too long */
        memmove(r->buf, r->buf + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    do {
        n = read(r->fd, r->buf + r->end, sizeof r->buf - r->end);
    } while (n < 0 && errno == EINTR);
    if (n > 0)
        r->end += (size_t)n;
    return n;
}

/* one line without CRLF (or LF) into out (NUL-terminated); -1 on EOF/error, -2 too long */
static int read_line(struct reader *r, char *out, size_t outsz)
{
    for (;;) {
        char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
        if (nl) {
            size_t len = (size_t)(nl - (r->buf + r->start));
            size_t take = len;
            if (take > 0 && r->buf[r->start + take - 1] == '\r')
                take--;
            if (take >= outsz)
                return -2;
            memcpy(out, r->buf + r->start, take);
            out[take] = '\0';
            r->start += len + 1;
            return (int)take;
        }
        ssize_t n = fill(r);
        if (n == -2)
            return -2;
        if (n <= 0)
            return -1;
    }
}

/* ---------------------------------------------------------------- SASL */

static sasl_callback_t callbacks[] = {
    { SASL_CB_LOG, (int (*)(void))(void (*)(void))sasl_log_cb, NULL },
    { SASL_CB_LIST_END, NULL, NULL },
};

static int b64_encode(const char *in, unsigned inlen, char **out)
{
    unsigned cap = inlen * 4 / 3 + 8, olen;
    *out = malloc(cap);
    if (!*out)
        return -1;
    if (sasl_encode64(in, inlen, *out, cap, &olen) != SASL_OK) {
        free(*out);
        return -1;
    }
    (*out)[olen] = '\0';
    return 0;
}

/* Inserts realm="X" for every extra --realm right after Cyrus's own realm directive (or at the
 * start when there is none). Returns a malloc'd string. */
static char *add_realms(const char *chal, unsigned len)
{
    size_t extra = 0;
    int i;
    for (i = 1; i < opt.nrealms; i++)
        extra += strlen(opt.realms[i]) + 10;
    char *res = malloc(len + extra + 1);
    if (!res)
        return NULL;
    const char *pos = NULL;
    /* Cyrus writes nonce="...",realm="...",qop=...; find the end of the realm value */
    const char *r = strstr(chal, "realm=\"");
    if (r) {
        const char *q = r + 7;
        while (*q && *q != '"') {
            if (*q == '\\' && q[1])
                q++;
            q++;
        }
        if (*q == '"')
            pos = q + 1;
    }
    size_t off = pos ? (size_t)(pos - chal) : 0;
    memcpy(res, chal, off);
    size_t o = off;
    for (i = 1; i < opt.nrealms; i++) {
        if (pos)
            o += (size_t)sprintf(res + o, ",realm=\"%s\"", opt.realms[i]);
        else
            o += (size_t)sprintf(res + o, "realm=\"%s\",", opt.realms[i]);
    }
    memcpy(res + o, chal + off, len - off);
    res[o + len - off] = '\0';
    return res;
}

static int new_conn(sasl_conn_t **conn, const char *local, const char *remote)
{
    sasl_security_properties_t props;
    int rc = sasl_server_new(opt.service, opt.fqdn, opt.nrealms ? opt.realms[0] : NULL, local,
                             remote, NULL, 0, conn);
    if (rc != SASL_OK) {
        logmsg("sasl_server_new: %s", sasl_errstring(rc, NULL, NULL));
        return -1;
    }
    memset(&props, 0, sizeof props);
    props.min_ssf = opt.min_ssf;
    props.max_ssf = opt.max_ssf;
    props.maxbufsize = opt.maxbuf;
    props.security_flags = 0; /* allow everything: loopback test server */
    rc = sasl_setprop(*conn, SASL_SEC_PROPS, &props);
    if (rc != SASL_OK) {
        logmsg("sasl_setprop SEC_PROPS: %s", sasl_errdetail(*conn));
        return -1;
    }
    return 0;
}

/* ---------------------------------------------------------------- after authentication */

static void plain_echo(int fd, struct reader *r)
{
    size_t total = 0;
    if (r->end > r->start) {
        if (write_all(fd, r->buf + r->start, r->end - r->start) < 0)
            return;
        total += r->end - r->start;
        r->start = r->end = 0;
    }
    for (;;) {
        char buf[65536];
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (write_all(fd, buf, (size_t)n) < 0)
            break;
        total += (size_t)n;
    }
    logmsg("plaintext echo ended after %zu bytes", total);
}

static int evil_done;

static int send_encoded(int fd, sasl_conn_t *conn, const char *data, unsigned len, unsigned maxout)
{
    while (len > 0) {
        unsigned chunk = len < maxout ? len : maxout;
        const char *enc;
        unsigned enclen;
        int rc;

        if (opt.evil == EVIL_CLEARTEXT) {
            if (!evil_done) {
                logmsg("evil cleartext: sending %u bytes unwrapped", len);
                evil_done = 1;
            }
            return write_all(fd, data, len);
        }
        if (opt.evil == EVIL_TRUNCATE && !evil_done && chunk > 1000)
            chunk = 1000; /* keep the announced length (+100) within any client's maxbuf */
        rc = sasl_encode(conn, data, chunk, &enc, &enclen);
        if (rc != SASL_OK) {
            logmsg("sasl_encode: %s", sasl_errdetail(conn));
            return -1;
        }
        if (!evil_done && opt.evil != EVIL_NONE) {
            evil_done = 1;
            char *copy = malloc(enclen);
            if (!copy)
                return -1;
            memcpy(copy, enc, enclen);
            switch (opt.evil) {
            case EVIL_TAMPER_MAC:
                /* ... | MAC(10) | msgtype(2) | seqnum(4): enclen-7 is MAC byte 9 (auth-int) or
                 * the last ciphertext byte = the encrypted MAC (auth-conf) */
                copy[enclen - 7] ^= 0x01;
                logmsg("evil tamper-mac: flipped bit 0 of byte %u of a %u-byte packet", enclen - 7,
                       enclen);
                rc = write_all(fd, copy, enclen);
                break;
            case EVIL_REPLAY:
                logmsg("evil replay: sending the same %u-byte packet twice", enclen);
                rc = write_all(fd, copy, enclen);
                if (rc == 0)
                    rc = write_all(fd, copy, enclen);
                break;
            case EVIL_TRUNCATE: {
                uint32_t l = ntohl(*(uint32_t *)copy) + 100;
                uint32_t be = htonl(l);
                memcpy(copy, &be, 4);
                logmsg("evil truncate: length prefix %u, %u data bytes, then close", l, enclen - 4);
                write_all(fd, copy, enclen);
                free(copy);
                shutdown(fd, SHUT_WR);
                return -1;
            }
            case EVIL_OVERSIZE: {
                static const unsigned char big[] = { 0x7f, 0xff, 0xff, 0xff, 'j', 'u', 'n', 'k' };
                logmsg("evil oversize: length prefix 0x7fffffff, then close");
                write_all(fd, big, sizeof big);
                free(copy);
                shutdown(fd, SHUT_WR);
                return -1;
            }
            default:
                rc = write_all(fd, copy, enclen);
            }
            free(copy);
            if (rc < 0)
                return -1;
        } else if (write_all(fd, enc, enclen) < 0) {
            return -1;
        }
        data += chunk;
        len -= chunk;
    }
    return 0;
}

static void wrapped_echo(int fd, struct reader *r, sasl_conn_t *conn)
{
    const void *p;
    unsigned maxout = 0;
    size_t in_total = 0, out_total = 0, packets = 0;

    if (sasl_getprop(conn, SASL_MAXOUTBUF, &p) == SASL_OK && p)
        maxout = *(const unsigned *)p;
    if (maxout == 0)
        maxout = 4096;
    logmsg("security layer: SASL_MAXOUTBUF %u", maxout);

    for (;;) {
        char buf[65536];
        const char *in;
        size_t n;
        if (r->end > r->start) {
            n = r->end - r->start;
            memcpy(buf, r->buf + r->start, n);
            r->start = r->end = 0;
        } else {
            ssize_t got = read(fd, buf, sizeof buf);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0)
                break;
            n = (size_t)got;
        }
        in = buf;
        in_total += n;
        const char *out;
        unsigned outlen;
        int rc = sasl_decode(conn, in, (unsigned)n, &out, &outlen);
        if (rc != SASL_OK) {
            logmsg("sasl_decode failed after %zu bytes: %s", in_total, sasl_errdetail(conn));
            break;
        }
        if (outlen == 0)
            continue; /* incomplete packet, buffered by libsasl2 */
        packets++;
        out_total += outlen;
        if (send_encoded(fd, conn, out, outlen, maxout) < 0)
            break;
    }
    logmsg("wrapped echo ended: %zu wire bytes in, %zu plaintext bytes echoed", in_total, out_total);
}

/* ---------------------------------------------------------------- the session */

static void b64_error_line(int fd, const char *tag, const char *msg)
{
    send_line(fd, "%s BAD %s", tag, msg);
}

/* returns 1 when authenticated (conn kept), 0 to continue the command loop, -1 to close */
static int do_authenticate(int fd, struct reader *r, const char *tag, char *args, sasl_conn_t **pconn,
                           const char *local, const char *remote)
{
    char *mech = strtok(args, " ");
    char *ir = strtok(NULL, " ");
    char *line = malloc(LINE_MAX_LEN);
    char *dec = malloc(LINE_MAX_LEN);
    const char *out;
    unsigned outlen, declen = 0;
    int rc, result = 0;
    sasl_conn_t *conn = NULL;

    if (!line || !dec) {
        free(line);
        free(dec);
        return -1;
    }
    if (!mech) {
        send_line(fd, "%s BAD missing mechanism", tag);
        goto done;
    }
    if (strcasecmp(mech, "DIGEST-MD5") != 0) {
        send_line(fd, "%s NO [CANNOT] unsupported mechanism %s", tag, mech);
        goto done;
    }
    if (new_conn(&conn, local, remote) < 0) {
        send_line(fd, "%s NO [UNAVAILABLE] server error", tag);
        goto done;
    }
    if (ir) {
        if (strcmp(ir, "=") == 0) {
            declen = 0;
        } else if (sasl_decode64(ir, (unsigned)strlen(ir), dec, LINE_MAX_LEN, &declen) != SASL_OK) {
            b64_error_line(fd, tag, "invalid base64 in initial response");
            goto done;
        }
        rc = sasl_server_start(conn, "DIGEST-MD5", declen ? dec : NULL, declen, &out, &outlen);
    } else {
        rc = sasl_server_start(conn, "DIGEST-MD5", NULL, 0, &out, &outlen);
    }
    for (;;) {
        if (rc == SASL_OK) {
            const void *p;
            const char *user = "?";
            unsigned ssf = 0;
            if (sasl_getprop(conn, SASL_USERNAME, &p) == SASL_OK && p)
                user = p;
            if (sasl_getprop(conn, SASL_SSF, &p) == SASL_OK && p)
                ssf = *(const sasl_ssf_t *)p;
            logmsg("authenticated as %s, SSF %u", user, ssf);
            if (outlen > 0)
                logmsg("note: success data left over (%u bytes)", outlen);
            send_line(fd, "%s OK authenticated", tag);
            *pconn = conn;
            conn = NULL;
            result = 1;
            goto done;
        }
        if (rc != SASL_CONTINUE) {
            const char *detail = sasl_errdetail(conn);
            logmsg("authentication failed: %s", detail);
            send_line(fd, "%s NO [AUTHENTICATIONFAILED] %s", tag,
                      rc == SASL_BADAUTH || rc == SASL_NOUSER ? "authentication failed" : detail);
            goto done;
        }
        char *b64 = NULL;
        if (outlen > 0 && out[0] == 'n' && opt.nrealms > 1 && strstr(out, "nonce=")) {
            char *chal = add_realms(out, outlen);
            if (!chal)
                goto done;
            logmsg("challenge: %s", chal);
            rc = b64_encode(chal, (unsigned)strlen(chal), &b64);
            free(chal);
        } else {
            logmsg("challenge: %.*s", (int)outlen, out);
            rc = b64_encode(out, outlen, &b64);
        }
        if (rc < 0)
            goto done;
        send_line(fd, "+ %s", b64);
        free(b64);
        int n = read_line(r, line, LINE_MAX_LEN);
        if (n == -1) {
            result = -1;
            goto done;
        }
        if (n == -2) {
            send_line(fd, "%s BAD line too long", tag);
            result = -1;
            goto done;
        }
        logmsg("C: %s", line);
        if (strcmp(line, "*") == 0) {
            send_line(fd, "%s BAD cancelled", tag);
            goto done;
        }
        if (sasl_decode64(line, (unsigned)n, dec, LINE_MAX_LEN, &declen) != SASL_OK) {
            b64_error_line(fd, tag, "invalid base64");
            goto done;
        }
        if (declen > 0)
            logmsg("response: %.*s", (int)declen, dec);
        rc = sasl_server_step(conn, dec, declen, &out, &outlen);
    }
done:
    if (conn)
        sasl_dispose(&conn);
    free(line);
    free(dec);
    return result;
}

static void session(int fd, const struct sockaddr_in *peer)
{
    struct reader *r = calloc(1, sizeof *r);
    char *line = malloc(LINE_MAX_LEN);
    char local[64], remote[64];
    sasl_conn_t *conn = NULL;
    struct sockaddr_in la;
    socklen_t lal = sizeof la;

    if (!r || !line)
        return;
    r->fd = fd;
    getsockname(fd, (struct sockaddr *)&la, &lal);
    snprintf(local, sizeof local, "%s;%d", inet_ntoa(la.sin_addr), ntohs(la.sin_port));
    snprintf(remote, sizeof remote, "%s;%d", inet_ntoa(peer->sin_addr), ntohs(peer->sin_port));
    logmsg("connection from %s", remote);

    if (sasl_server_init(callbacks, opt.app) != SASL_OK) {
        logmsg("sasl_server_init failed");
        send_line(fd, "* BYE server error");
        return;
    }
    send_line(fd, GREETING);
    for (;;) {
        int n = read_line(r, line, LINE_MAX_LEN);
        if (n == -1)
            break;
        if (n == -2) {
            send_line(fd, "* BAD line too long");
            break;
        }
        logmsg("C: %s", line);
        char *sp = strchr(line, ' ');
        if (!sp || sp == line) {
            send_line(fd, "* BAD missing command");
            continue;
        }
        *sp = '\0';
        const char *tag = line;
        char *cmd = sp + 1;
        char *args = strchr(cmd, ' ');
        if (args)
            *args++ = '\0';
        else
            args = cmd + strlen(cmd);
        if (strcasecmp(cmd, "CAPABILITY") == 0) {
            send_line(fd, CAPA);
            send_line(fd, "%s OK CAPABILITY completed", tag);
        } else if (strcasecmp(cmd, "NOOP") == 0) {
            send_line(fd, "%s OK NOOP completed", tag);
        } else if (strcasecmp(cmd, "LOGOUT") == 0) {
            send_line(fd, "* BYE logging out");
            send_line(fd, "%s OK LOGOUT completed", tag);
            break;
        } else if (strcasecmp(cmd, "LOGIN") == 0) {
            send_line(fd, "%s NO [CANNOT] LOGIN not supported here, use AUTHENTICATE DIGEST-MD5", tag);
        } else if (strcasecmp(cmd, "AUTHENTICATE") == 0) {
            int a = do_authenticate(fd, r, tag, args, &conn, local, remote);
            if (a < 0)
                break;
            if (a == 1) {
                const void *p;
                unsigned ssf = 0;
                if (sasl_getprop(conn, SASL_SSF, &p) == SASL_OK && p)
                    ssf = *(const sasl_ssf_t *)p;
                if (ssf > 0)
                    wrapped_echo(fd, r, conn);
                else
                    plain_echo(fd, r);
                break;
            }
        } else {
            send_line(fd, "%s BAD unknown command", tag);
        }
    }
    if (conn)
        sasl_dispose(&conn);
    logmsg("connection closed");
    free(line);
    free(r);
}

/* ---------------------------------------------------------------- main */

static volatile sig_atomic_t stop;
static void on_term(int sig)
{
    (void)sig;
    stop = 1;
}

static void usage(void)
{
    fprintf(stderr, "usage: sasl_echo_server --port N [--host A] [--realm R]... [--min-ssf N] "
                    "[--max-ssf N] [--maxbuf N] [--service S] [--fqdn H] [--app NAME] "
                    "[--conf-dir DIR] [--log FILE] [--pidfile FILE] "
                    "[--evil tamper-mac|replay|truncate|cleartext|oversize]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    int i, lfd, one = 1;
    struct sockaddr_in sa;

    for (i = 1; i < argc; i++) {
        char *a = argv[i], *v = NULL, *eq;
        if (strncmp(a, "--", 2) != 0)
            usage();
        eq = strchr(a, '=');
        if (eq) {
            *eq = '\0';
            v = eq + 1;
        } else if (i + 1 < argc) {
            v = argv[++i];
        } else {
            usage();
        }
        if (!strcmp(a, "--port"))
            opt.port = atoi(v);
        else if (!strcmp(a, "--host"))
            opt.host = v;
        else if (!strcmp(a, "--realm")) {
            if (opt.nrealms == MAX_REALMS)
                usage();
            opt.realms[opt.nrealms++] = v;
        } else if (!strcmp(a, "--min-ssf"))
            opt.min_ssf = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--max-ssf"))
            opt.max_ssf = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--maxbuf"))
            opt.maxbuf = (unsigned)strtoul(v, NULL, 10);
        else if (!strcmp(a, "--service"))
            opt.service = v;
        else if (!strcmp(a, "--fqdn"))
            opt.fqdn = v;
        else if (!strcmp(a, "--app"))
            opt.app = v;
        else if (!strcmp(a, "--conf-dir"))
            opt.conf_dir = v;
        else if (!strcmp(a, "--log"))
            opt.log_path = v;
        else if (!strcmp(a, "--pidfile"))
            opt.pidfile = v;
        else if (!strcmp(a, "--evil")) {
            opt.evil_name = v;
            if (!strcmp(v, "tamper-mac"))
                opt.evil = EVIL_TAMPER_MAC;
            else if (!strcmp(v, "replay"))
                opt.evil = EVIL_REPLAY;
            else if (!strcmp(v, "truncate"))
                opt.evil = EVIL_TRUNCATE;
            else if (!strcmp(v, "cleartext"))
                opt.evil = EVIL_CLEARTEXT;
            else if (!strcmp(v, "oversize"))
                opt.evil = EVIL_OVERSIZE;
            else if (!strcmp(v, "none"))
                opt.evil = EVIL_NONE;
            else
                usage();
        } else
            usage();
    }
    if (opt.port <= 0 || opt.port > 65535)
        usage();
    if (opt.nrealms == 0)
        opt.realms[opt.nrealms++] = "a.example";

    logf = stderr;
    if (opt.log_path) {
        logf = fopen(opt.log_path, "a");
        if (!logf) {
            perror(opt.log_path);
            return 1;
        }
    }
    if (opt.conf_dir && sasl_set_path(SASL_PATH_TYPE_CONFIG, (char *)opt.conf_dir) != SASL_OK) {
        logmsg("sasl_set_path failed");
        return 1;
    }

    /* check the configuration once, in a throw-away child: libsasl2 is initialised only after
     * fork (in each connection's child), so that each one seeds its own random pool and nonces
     * differ between connections; sasl_server_init cannot be repeated after sasl_server_done */
    {
        pid_t pid = fork();
        int st = 1;
        if (pid == 0) {
            sasl_conn_t *c;
            const char *mechs = NULL;
            if (sasl_server_init(callbacks, opt.app) != SASL_OK) {
                logmsg("sasl_server_init failed");
                _exit(1);
            }
            if (new_conn(&c, NULL, NULL) < 0)
                _exit(1);
            if (sasl_listmech(c, NULL, "", " ", "", &mechs, NULL, NULL) != SASL_OK ||
                !strstr(mechs, "DIGEST-MD5")) {
                logmsg("DIGEST-MD5 is not available (mechanisms: %s)", mechs ? mechs : "none");
                _exit(1);
            }
            logmsg("mechanisms: %s", mechs);
            _exit(0);
        }
        if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            return 1;
    }

    setpgid(0, 0); /* own process group: stopping the parent also ends its children */
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0)
        return 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((unsigned short)opt.port);
    if (inet_pton(AF_INET, opt.host, &sa.sin_addr) != 1)
        usage();
    if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 64) < 0) {
        logmsg("bind/listen %s:%d: %s", opt.host, opt.port, strerror(errno));
        return 1;
    }

    struct sigaction act;
    memset(&act, 0, sizeof act);
    act.sa_handler = SIG_IGN;
    act.sa_flags = SA_NOCLDWAIT;
    sigaction(SIGCHLD, &act, NULL);
    signal(SIGPIPE, SIG_IGN);
    memset(&act, 0, sizeof act);
    act.sa_handler = on_term;
    sigaction(SIGTERM, &act, NULL);
    sigaction(SIGINT, &act, NULL);

    if (opt.pidfile) {
        FILE *pf = fopen(opt.pidfile, "w");
        if (!pf) {
            logmsg("pidfile %s: %s", opt.pidfile, strerror(errno));
            return 1;
        }
        fprintf(pf, "%d\n", (int)getpid());
        fclose(pf);
    }
    {
        char rl[256] = "";
        for (i = 0; i < opt.nrealms; i++) {
            strncat(rl, opt.realms[i], sizeof rl - strlen(rl) - 2);
            strncat(rl, " ", sizeof rl - strlen(rl) - 1);
        }
        logmsg("listening on %s:%d; realms %s; min_ssf %u max_ssf %u maxbuf %u; evil %s", opt.host,
               opt.port, rl, opt.min_ssf, opt.max_ssf, opt.maxbuf, opt.evil_name);
    }

    while (!stop) {
        struct sockaddr_in peer;
        socklen_t pl = sizeof peer;
        int fd = accept(lfd, (struct sockaddr *)&peer, &pl);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            logmsg("accept: %s", strerror(errno));
            sleep(1);
            continue;
        }
        conn_id++;
        pid_t pid = fork();
        if (pid == 0) {
            close(lfd);
            signal(SIGTERM, SIG_DFL);
            signal(SIGINT, SIG_DFL);
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
            session(fd, &peer);
            close(fd);
            _exit(0);
        }
        if (pid < 0)
            logmsg("fork: %s", strerror(errno));
        close(fd);
    }
    /* end the children still serving a connection (this server's own process group) */
    signal(SIGTERM, SIG_IGN);
    kill(-getpid(), SIGTERM);
    logmsg("stopping");
    if (opt.pidfile)
        unlink(opt.pidfile);
    return 0;
}
