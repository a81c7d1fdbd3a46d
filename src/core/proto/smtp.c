/*
 * SMTP and submission (RFC 5321, RFC 6409): greeting, EHLO with HELO
 * fallback, STARTTLS (RFC 3207), QUIT, AUTH (RFC 4954).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "proto.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

/* Reads a whole (possibly multi-line) reply; *code gets its status. The
 * lines are joined with "\n" in s->response. With each_line, every line's
 * text after the code is handed over (EHLO keywords). */
static int read_reply(sqauth_session *s, int *code,
                      int (*each_line)(sqauth_session *, const char *, size_t, int, sqauth_error *),
                      sqauth_error *err)
{
    int lines = 0, first = -1;

    sqauth_session_reset_response(s);
    for (;;) {
        const char *l;
        int c, rc;
        if (++lines > SQAUTH_MAX_REPLY_LINES) {
            return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the SMTP server sent a reply of more than %d lines",
                               SQAUTH_MAX_REPLY_LINES);
        }
        rc = sqauth_session_read_line(s, err);
        if (rc != SQAUTH_OK) {
            return rc;
        }
        l = (const char *)s->line.data;
        if (s->line.len < 3 || l[0] < '2' || l[0] > '5' || l[1] < '0' || l[1] > '9' || l[2] < '0' || l[2] > '9'
            || (s->line.len > 3 && l[3] != ' ' && l[3] != '-')) {
            sqauth_session_append_response(s);
            return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "malformed SMTP reply: %.200s", l);
        }
        c = (l[0] - '0') * 100 + (l[1] - '0') * 10 + (l[2] - '0');
        if (first < 0) {
            first = c;
        } else if (c != first) {
            return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "SMTP reply lines with different codes (%d, %d)", first, c);
        }
        if (sqauth_session_append_response(s) != SQAUTH_OK) {
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        if (each_line) {
            rc = each_line(s, s->line.len > 4 ? l + 4 : "", s->line.len > 4 ? s->line.len - 4 : 0, lines, err);
            if (rc != SQAUTH_OK) {
                return rc;
            }
        }
        if (s->line.len == 3 || l[3] == ' ') {
            *code = c;
            return SQAUTH_OK;
        }
    }
}

static int smtp_greeting(sqauth_session *s, sqauth_error *err)
{
    int code, rc = read_reply(s, &code, NULL, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (code != 220) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the SMTP server refused the connection: %.200s",
                           (const char *)s->response.data);
    }
    return sqauth_session_keep_greeting(s, err);
}

static int ehlo_line(sqauth_session *s, const char *text, size_t len, int index, sqauth_error *err)
{
    const char *sp;
    if (index == 1) {
        return SQAUTH_OK; /* the first line is the server's name and greeting */
    }
    sp = memchr(text, ' ', len);
    if (!sp) {
        return sqauth_session_add_cap(s, text, len, NULL, 0, err);
    }
    return sqauth_session_add_cap(s, text, (size_t)(sp - text), sp + 1, len - (size_t)(sp - text) - 1, err);
}

/* RFC 5321 §4.1.3: without a configured name, the address literal of our
 * end of the connection. */
static void default_helo(sqauth_session *s, char *out, size_t size)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof(ss);
    char ip[INET6_ADDRSTRLEN];

    snprintf(out, size, "localhost");
    if (getsockname(s->conn->fd, (struct sockaddr *)&ss, &len) != 0) {
        return;
    }
    if (ss.ss_family == AF_INET && inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, ip, sizeof(ip))) {
        snprintf(out, size, "[%s]", ip);
    } else if (ss.ss_family == AF_INET6
               && inet_ntop(AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, ip, sizeof(ip))) {
        snprintf(out, size, "[IPv6:%s]", ip);
    }
}

/* Our name for EHLO and HELO: the configured one or the address literal. */
static void helo_name(sqauth_session *s, char *out, size_t size)
{
    if (s->helo) {
        snprintf(out, size, "%s", s->helo);
    } else {
        default_helo(s, out, size);
    }
}

static int smtp_capabilities(sqauth_session *s, sqauth_error *err)
{
    char name[300], cmd[320];
    int code, rc;

    helo_name(s, name, sizeof(name));
    snprintf(cmd, sizeof(cmd), "EHLO %s", name);
    rc = sqauth_session_send_line(s, cmd, NULL, err);
    if (rc == SQAUTH_OK) {
        rc = read_reply(s, &code, ehlo_line, err);
    }
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (code == 250) {
        s->caps_known = 1;
        return SQAUTH_OK;
    }
    /* RFC 5321 §3.2: a server that does not know EHLO gets HELO. */
    sqauth_session_clear_caps(s);
    snprintf(cmd, sizeof(cmd), "HELO %s", name);
    rc = sqauth_session_send_line(s, cmd, NULL, err);
    if (rc == SQAUTH_OK) {
        rc = read_reply(s, &code, NULL, err);
    }
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (code != 250) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the SMTP server refused EHLO and HELO: %.200s",
                           (const char *)s->response.data);
    }
    s->caps_known = 1;
    return SQAUTH_OK;
}

static int smtp_starttls(sqauth_session *s, sqauth_error *err)
{
    int code, rc = sqauth_session_send_line(s, "STARTTLS", NULL, err);
    if (rc == SQAUTH_OK) {
        rc = read_reply(s, &code, NULL, err);
    }
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (code != 220) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the SMTP server refused STARTTLS: %.200s",
                           (const char *)s->response.data);
    }
    return SQAUTH_OK;
}

static int smtp_logout(sqauth_session *s, sqauth_error *err)
{
    int code, rc = sqauth_session_send_line(s, "QUIT", NULL, err);
    return rc == SQAUTH_OK ? read_reply(s, &code, NULL, err) : rc;
}

/* ---- authentication (RFC 4954) ---- */

/* "535 5.7.8 text" -> "535 5.7.8"; "535 text" -> "535". */
static void reply_code(const char *reply, char *code, size_t size)
{
    size_t n = 3;
    const char *p = reply + 4;
    /* RFC 3463 enhanced status: class.subject.detail */
    if (strlen(reply) > 4 && (p[0] == '2' || p[0] == '4' || p[0] == '5') && p[1] == '.') {
        n = 4 + strspn(p, "0123456789.");
    }
    if (n >= size) {
        n = size - 1;
    }
    memcpy(code, reply, n);
    code[n] = '\0';
}

static int smtp_auth_reply(sqauth_session *s, sqauth_auth_reply *r, sqauth_error *err)
{
    int code, rc;

    memset(r, 0, sizeof(*r));
    rc = read_reply(s, &code, NULL, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (code == 334) {
        /* A 334 is a single line; the challenge follows the code. */
        r->status = SQAUTH_AUTH_CONTINUE;
        r->data = s->line.len > 4 ? (const char *)s->line.data + 4 : "";
        r->data_len = strlen(r->data);
        while (r->data_len && r->data[r->data_len - 1] == ' ') {
            r->data_len--;
        }
        return SQAUTH_OK;
    }
    if (code == 235) {
        r->status = SQAUTH_AUTH_SUCCESS;
        return SQAUTH_OK;
    }
    r->status = SQAUTH_AUTH_FAILURE;
    /* From the last line: the others end their code with "-". */
    reply_code((const char *)s->line.data, r->code, sizeof(r->code));
    return SQAUTH_OK;
}

/* Pool check: RSET ends any mail transaction (RFC 5321 §4.1.1.5), EHLO
 * lists the capabilities again. SMTP has no tags, so the order of the
 * replies proves that the session is in step: RSET's must be a 250 of one
 * line, EHLO's a 250 of several; a reply the caller left unread (a MAIL,
 * RCPT, or an EHLO of its own) comes first and shifts them, and commands
 * sent into an unfinished DATA get no reply at all (the check times out).
 * A second EHLO keeps the login: RFC 4954 §4 asks clients for one after a
 * login that installed a security layer. Pipelined when the server offers
 * it (RFC 2920). */
static int smtp_pool_check(sqauth_session *s, sqauth_error *err)
{
    char name[300], ehlo[320];
    const char *cmds[2];
    int pipelining = sqauth_session_find_cap(s, "PIPELINING") != NULL, code, rc;

    helo_name(s, name, sizeof(name));
    snprintf(ehlo, sizeof(ehlo), "EHLO %s", name);
    cmds[0] = "RSET";
    cmds[1] = ehlo;
    rc = sqauth_session_send_lines(s, cmds, pipelining ? 2 : 1, err);
    if (rc == SQAUTH_OK) {
        rc = read_reply(s, &code, NULL, err);
    }
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (code != 250 || memchr(s->response.data, '\n', s->response.len)) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the SMTP session is not in step (reply to RSET: %.200s)",
                           (const char *)s->response.data);
    }
    if (!pipelining) {
        rc = sqauth_session_send_line(s, ehlo, NULL, err);
    }
    if (rc == SQAUTH_OK) {
        sqauth_session_clear_caps(s);
        rc = read_reply(s, &code, ehlo_line, err);
    }
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (code != 250 || !memchr(s->response.data, '\n', s->response.len)) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the SMTP session is not in step (reply to EHLO: %.200s)",
                           (const char *)s->response.data);
    }
    s->caps_known = 1;
    return SQAUTH_OK;
}

/* "AUTH=LOGIN PLAIN" is the pre-RFC 2554 spelling some servers still
 * send: the first mechanism is part of the keyword. */
static int smtp_mechanisms(const sqauth_session *s, sqauth_names *names)
{
    size_t i;
    int rc = SQAUTH_OK;
    for (i = 0; i < s->cap_count && rc == SQAUTH_OK; i++) {
        const sqauth_capability *c = &s->caps[i];
        if (sqauth_strcaseeq(c->name, "AUTH")) {
            rc = sqauth_names_add_words(names, c->value);
        } else if (sqauth_strncaseeq(c->name, "AUTH=", 5)) {
            rc = sqauth_names_add_words(names, c->name + 5);
            if (rc == SQAUTH_OK) {
                rc = sqauth_names_add_words(names, c->value);
            }
        }
    }
    return rc;
}

/* The EHLO list stays after login: a second EHLO is not needed and some
 * servers reset state on it. */
static int smtp_logged_in(sqauth_session *s, int layer, sqauth_error *err)
{
    (void)s;
    (void)layer;
    (void)err;
    return SQAUTH_OK;
}

static const sqauth_scheme smtp_schemes[] = {
    {"smtp", 25, SQAUTH_TLS_STARTTLS},
    {"smtps", 465, SQAUTH_TLS_IMPLICIT},
    {"submission", 587, SQAUTH_TLS_STARTTLS},
    {"submissions", 465, SQAUTH_TLS_IMPLICIT},
    {NULL, 0, SQAUTH_TLS_NONE},
};

const sqauth_protocol sqauth_proto_smtp = {
    .name = "smtp",
    .schemes = smtp_schemes,
    .sasl_service = "smtp",
    .flags = SQAUTH_PROTO_SITEWIDE_ACCOUNT,
    .starttls_capability = "STARTTLS",
    .greeting = smtp_greeting,
    .capabilities = smtp_capabilities,
    .starttls = smtp_starttls,
    .logout = smtp_logout,
    .mechanisms = smtp_mechanisms,
    /* RFC 4954 §4: a command line of at most 512 octets with the IR. */
    .max_ir_command = 512,
    .auth_command = sqauth_session_send_auth,
    .auth_reply = smtp_auth_reply,
    .logged_in = smtp_logged_in,
    .pool_check = smtp_pool_check,
};
