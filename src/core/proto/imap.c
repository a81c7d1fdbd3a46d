/*
 * IMAP (RFC 9051 / RFC 3501): greeting, CAPABILITY (also as the
 * [CAPABILITY ...] response code of the greeting), STARTTLS, LOGOUT.
 */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *line_text(sqauth_session *s)
{
    return (const char *)s->line.data;
}

/* Adds the space-separated atoms of p[0..n) as capabilities. */
static int add_atoms(sqauth_session *s, const char *p, size_t n, sqauth_error *err)
{
    size_t i = 0;
    while (i < n) {
        size_t start, len;
        while (i < n && p[i] == ' ') {
            i++;
        }
        start = i;
        while (i < n && p[i] != ' ') {
            unsigned char ch = (unsigned char)p[i];
            if (ch < 0x21 || ch > 0x7e) {
                return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "malformed IMAP capability list");
            }
            i++;
        }
        len = i - start;
        if (len) {
            int rc = sqauth_session_add_cap(s, p + start, len, NULL, 0, err);
            if (rc != SQAUTH_OK) {
                return rc;
            }
        }
    }
    return SQAUTH_OK;
}

/* "[CAPABILITY a b c] text" at p: adds the atoms; returns 1 when found. */
static int capability_code(sqauth_session *s, const char *p, sqauth_error *err, int *rc)
{
    const char *end;
    *rc = SQAUTH_OK;
    if (!sqauth_strncaseeq(p, "[CAPABILITY ", 12)) {
        return 0;
    }
    end = strchr(p, ']');
    if (!end) {
        *rc = sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "malformed [CAPABILITY] response code");
        return 1;
    }
    sqauth_session_clear_caps(s);
    *rc = add_atoms(s, p + 12, (size_t)(end - (p + 12)), err);
    if (*rc == SQAUTH_OK) {
        s->caps_known = 1;
    }
    return 1;
}

static int imap_greeting(sqauth_session *s, sqauth_error *err)
{
    const char *l, *rest;
    int rc = sqauth_session_read_line(s, err);

    if (rc != SQAUTH_OK) {
        return rc;
    }
    l = line_text(s);
    sqauth_session_set_response(s, l, s->line.len);
    if (sqauth_strncaseeq(l, "* OK", 4) && (l[4] == ' ' || l[4] == '\0')) {
        rest = l + 4;
    } else if (sqauth_strncaseeq(l, "* PREAUTH", 9) && (l[9] == ' ' || l[9] == '\0')) {
        rest = l + 9;
    } else if (sqauth_strncaseeq(l, "* BYE", 5)) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the IMAP server refused the connection: %.200s", l);
    } else {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "not an IMAP greeting: %.200s", l);
    }
    free(s->greeting);
    s->greeting = sqauth_memdup(l, s->line.len);
    if (!s->greeting) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    while (*rest == ' ') {
        rest++;
    }
    capability_code(s, rest, err, &rc);
    return rc;
}

/* Sends "TAG command" and reads to the tagged reply, handing untagged
 * CAPABILITY data to the capability list. Returns the tagged status word in
 * *status ('O' OK, 'N' NO, 'B' BAD); the tagged line is in s->response. */
static int command(sqauth_session *s, const char *cmd, char *status, sqauth_error *err)
{
    char tag[16], line[128];
    size_t tag_len;
    int rc, lines = 0;

    snprintf(tag, sizeof(tag), "A%04u", ++s->tag % 10000);
    tag_len = strlen(tag);
    snprintf(line, sizeof(line), "%s %s", tag, cmd);
    rc = sqauth_session_send_line(s, line, NULL, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    for (;;) {
        const char *l;
        if (++lines > SQAUTH_MAX_REPLY_LINES) {
            return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the server sent more than %d lines in reply to %s",
                               SQAUTH_MAX_REPLY_LINES, cmd);
        }
        rc = sqauth_session_read_line(s, err);
        if (rc != SQAUTH_OK) {
            return rc;
        }
        l = line_text(s);
        if (strncmp(l, tag, tag_len) == 0 && l[tag_len] == ' ') {
            const char *st = l + tag_len + 1;
            sqauth_session_set_response(s, l, s->line.len);
            if (sqauth_strncaseeq(st, "OK", 2) && (st[2] == ' ' || st[2] == '\0')) {
                *status = 'O';
                capability_code(s, st[2] ? st + 3 : st + 2, err, &rc);
                return rc;
            }
            if (sqauth_strncaseeq(st, "NO", 2) && (st[2] == ' ' || st[2] == '\0')) {
                *status = 'N';
                return SQAUTH_OK;
            }
            if (sqauth_strncaseeq(st, "BAD", 3) && (st[3] == ' ' || st[3] == '\0')) {
                *status = 'B';
                return SQAUTH_OK;
            }
            return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "malformed tagged IMAP reply: %.200s", l);
        }
        if (sqauth_strncaseeq(l, "* CAPABILITY ", 13)) {
            sqauth_session_clear_caps(s);
            rc = add_atoms(s, l + 13, s->line.len - 13, err);
            if (rc != SQAUTH_OK) {
                return rc;
            }
            s->caps_known = 1;
        } else if (sqauth_strncaseeq(l, "* BYE", 5)) {
            sqauth_session_set_response(s, l, s->line.len);
            return sqauth_fail(err, SQAUTH_ERR_CLOSED, "the IMAP server is closing the connection: %.200s", l);
        } else if (l[0] != '*') {
            return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "unexpected IMAP reply to %s: %.200s", cmd, l);
        }
    }
}

static int imap_capabilities(sqauth_session *s, sqauth_error *err)
{
    char status;
    int rc = command(s, "CAPABILITY", &status, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (status != 'O' || !s->caps_known) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the IMAP server did not answer CAPABILITY: %.200s",
                           (const char *)s->response.data);
    }
    return SQAUTH_OK;
}

static int imap_starttls(sqauth_session *s, sqauth_error *err)
{
    char status;
    int rc = command(s, "STARTTLS", &status, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (status != 'O') {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the IMAP server refused STARTTLS: %.200s",
                           (const char *)s->response.data);
    }
    return SQAUTH_OK;
}

static int imap_logout(sqauth_session *s, sqauth_error *err)
{
    char status;
    return command(s, "LOGOUT", &status, err);
}

const sqauth_proto_ops sqauth_proto_imap = {
    "imap", "STARTTLS", imap_greeting, imap_capabilities, imap_starttls, imap_logout,
};
