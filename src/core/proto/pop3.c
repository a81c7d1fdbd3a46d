/*
 * POP3 (RFC 1939): greeting, CAPA (RFC 2449), STLS (RFC 2595), QUIT, AUTH
 * (RFC 5034) and USER/PASS.
 */
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_ok(const sqauth_session *s)
{
    const char *l = (const char *)s->line.data;
    return strncmp(l, "+OK", 3) == 0 && (l[3] == ' ' || l[3] == '\0');
}

static int pop3_greeting(sqauth_session *s, sqauth_error *err)
{
    int rc = sqauth_session_read_line(s, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    sqauth_session_set_response(s, (const char *)s->line.data, s->line.len);
    if (!is_ok(s)) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the POP3 server refused the connection: %.200s",
                           (const char *)s->line.data);
    }
    return sqauth_session_keep_greeting(s, err);
}

/* Sends cmd and reads the status line; *ok says +OK or not. */
static int simple(sqauth_session *s, const char *cmd, int *ok, sqauth_error *err)
{
    int rc = sqauth_session_send_line(s, cmd, NULL, err);
    if (rc == SQAUTH_OK) {
        rc = sqauth_session_read_line(s, err);
    }
    if (rc != SQAUTH_OK) {
        return rc;
    }
    sqauth_session_set_response(s, (const char *)s->line.data, s->line.len);
    if (!is_ok(s) && strncmp((const char *)s->line.data, "-ERR", 4) != 0) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "malformed POP3 reply to %s: %.200s", cmd,
                           (const char *)s->line.data);
    }
    *ok = is_ok(s);
    return SQAUTH_OK;
}

static int pop3_capabilities(sqauth_session *s, sqauth_error *err)
{
    int ok, rc = simple(s, "CAPA", &ok, err), lines = 0;
    if (rc != SQAUTH_OK) {
        return rc;
    }
    s->caps_known = 1;
    if (!ok) {
        return SQAUTH_OK; /* a pre-RFC 2449 server: no capabilities known */
    }
    for (;;) {
        const char *l, *sp;
        if (++lines > SQAUTH_MAX_REPLY_LINES) {
            return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the POP3 server sent more than %d capability lines",
                               SQAUTH_MAX_REPLY_LINES);
        }
        rc = sqauth_session_read_line(s, err);
        if (rc != SQAUTH_OK) {
            return rc;
        }
        l = (const char *)s->line.data;
        if (strcmp(l, ".") == 0) {
            return SQAUTH_OK;
        }
        if (l[0] == '.') {
            l++; /* dot-stuffing */
        }
        sp = strchr(l, ' ');
        rc = sp ? sqauth_session_add_cap(s, l, (size_t)(sp - l), sp + 1, strlen(sp + 1), err)
                : sqauth_session_add_cap(s, l, strlen(l), NULL, 0, err);
        if (rc != SQAUTH_OK) {
            return rc;
        }
    }
}

static int pop3_starttls(sqauth_session *s, sqauth_error *err)
{
    int ok, rc = simple(s, "STLS", &ok, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (!ok) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the POP3 server refused STLS: %.200s",
                           (const char *)s->response.data);
    }
    return SQAUTH_OK;
}

static int pop3_logout(sqauth_session *s, sqauth_error *err)
{
    int ok;
    return simple(s, "QUIT", &ok, err);
}

/* ---- authentication (RFC 5034, RFC 1939 USER/PASS) ---- */

/* "-ERR [AUTH] text" -> "AUTH" (RFC 2449 response codes, RFC 3206). */
static void pop3_code(const char *text, char *code, size_t size)
{
    const char *p = text + 4;
    size_t n;
    code[0] = '\0';
    while (*p == ' ') {
        p++;
    }
    if (*p != '[') {
        return;
    }
    n = strcspn(p + 1, "]");
    if (n && n < size && p[1 + n] == ']') {
        memcpy(code, p + 1, n);
        code[n] = '\0';
    }
}

static int pop3_auth_reply(sqauth_session *s, sqauth_auth_reply *r, sqauth_error *err)
{
    const char *l;
    int rc = sqauth_session_read_line(s, err);

    memset(r, 0, sizeof(*r));
    if (rc != SQAUTH_OK) {
        return rc;
    }
    l = (const char *)s->line.data;
    sqauth_session_set_response(s, l, s->line.len);
    if (l[0] == '+' && (l[1] == ' ' || l[1] == '\0')) {
        r->status = SQAUTH_AUTH_CONTINUE;
        r->data = l[1] ? l + 2 : l + 1;
        r->data_len = strlen(r->data);
        while (r->data_len && r->data[r->data_len - 1] == ' ') {
            r->data_len--;
        }
    } else if (is_ok(s)) {
        r->status = SQAUTH_AUTH_SUCCESS;
    } else if (strncmp(l, "-ERR", 4) == 0) {
        r->status = SQAUTH_AUTH_FAILURE;
        pop3_code(l, r->code, sizeof(r->code));
    } else {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "malformed POP3 reply during authentication: %.200s", l);
    }
    return SQAUTH_OK;
}

static int pop3_login(sqauth_session *s, const char *user, size_t user_len, const char *pass, size_t pass_len,
                      sqauth_auth_reply *r, sqauth_error *err)
{
    sqauth_buf line = SQAUTH_BUF_INIT;
    int rc;

    memset(r, 0, sizeof(*r));
    if (sqauth_session_login_disabled(s)) {
        return sqauth_fail(err, SQAUTH_ERR_POLICY,
                           "the POP3 server does not list USER in its capabilities: use STLS or authenticate()");
    }
    if (sqauth_buf_append_str(&line, "USER ") || sqauth_buf_append(&line, user, user_len)) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    rc = sqauth_session_send_line(s, (const char *)line.data, NULL, err);
    sqauth_buf_wipe(&line);
    if (rc == SQAUTH_OK) {
        rc = pop3_auth_reply(s, r, err);
    }
    if (rc != SQAUTH_OK || r->status != SQAUTH_AUTH_SUCCESS) {
        if (rc == SQAUTH_OK) {
            r->status = SQAUTH_AUTH_FAILURE;
        }
        return rc;
    }
    if (sqauth_buf_append_str(&line, "PASS ") || sqauth_buf_append(&line, pass, pass_len)) {
        sqauth_buf_wipe(&line);
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    rc = sqauth_session_send_line(s, (const char *)line.data, "PASS <redacted>", err);
    sqauth_buf_wipe(&line);
    if (rc == SQAUTH_OK) {
        rc = pop3_auth_reply(s, r, err);
    }
    if (rc == SQAUTH_OK && r->status == SQAUTH_AUTH_CONTINUE) {
        r->status = SQAUTH_AUTH_FAILURE;
    }
    return rc;
}

static int pop3_mechanisms(const sqauth_session *s, sqauth_names *names)
{
    return sqauth_names_from_cap(s, "SASL", names);
}

/* RFC 2449 §6.8: a server that lists capabilities but not USER does not
 * take USER/PASS now (Dovecot before STLS, for instance). A server without
 * CAPA lists nothing and may still take it. */
static int pop3_login_disabled(const sqauth_session *s)
{
    return s->cap_count > 0 && sqauth_session_find_cap(s, "USER") == NULL;
}

static const sqauth_scheme pop3_schemes[] = {
    {"pop3", 110, SQAUTH_TLS_STARTTLS},
    {"pop3s", 995, SQAUTH_TLS_IMPLICIT},
    {NULL, 0, SQAUTH_TLS_NONE},
};

const sqauth_protocol sqauth_proto_pop3 = {
    .name = "pop3",
    .schemes = pop3_schemes,
    .sasl_service = "pop",
    .starttls_capability = "STLS",
    .login_name = "USER/PASS",
    .greeting = pop3_greeting,
    .capabilities = pop3_capabilities,
    .starttls = pop3_starttls,
    .logout = pop3_logout,
    .mechanisms = pop3_mechanisms,
    .login_disabled = pop3_login_disabled,
    /* RFC 5034 §4: an initial response longer than 255 octets is sent
     * after an empty challenge instead. */
    .max_ir_command = 255 + 12,
    .auth_command = sqauth_session_send_auth,
    .auth_reply = pop3_auth_reply,
    .login = pop3_login,
    /* No pool_check: POP3 sessions are never pooled. RFC 1939 fixes the
     * maildrop at login (the message list, its numbers and sizes stay as
     * they were; Dovecot does so too), and DELE takes effect only at QUIT:
     * a pooled session would show a later request no new mail and keep its
     * deletions pending. Connection::release() ends it with QUIT. */
};
