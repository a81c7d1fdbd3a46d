/*
 * POP3 (RFC 1939): greeting, CAPA (RFC 2449), STLS (RFC 2595), QUIT.
 */
#include "session.h"

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
    free(s->greeting);
    s->greeting = sqauth_memdup(s->line.data, s->line.len);
    return s->greeting ? SQAUTH_OK : sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
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

const sqauth_proto_ops sqauth_proto_pop3 = {
    "pop3", "STLS", pop3_greeting, pop3_capabilities, pop3_starttls, pop3_logout,
};
