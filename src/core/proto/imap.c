/*
 * IMAP (RFC 9051 / RFC 3501): greeting, CAPABILITY (also as the
 * [CAPABILITY ...] response code of the greeting), STARTTLS, LOGOUT,
 * AUTHENTICATE (SASL-IR, RFC 4959) and LOGIN with literals (LITERAL+,
 * RFC 7888).
 */
#include "proto.h"

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
    rc = sqauth_session_keep_greeting(s, err);
    if (rc != SQAUTH_OK) {
        return rc;
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
    sqauth_session_reset_response(s); /* an error below must not show an older reply */
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
            sqauth_session_set_response(s, l, s->line.len);
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
            sqauth_session_set_response(s, l, s->line.len);
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

/* ---- authentication ---- */

static int next_tag(sqauth_session *s)
{
    snprintf(s->auth_tag, sizeof(s->auth_tag), "A%04u", ++s->tag % 10000);
    return SQAUTH_OK;
}

static int imap_auth_command(sqauth_session *s, const char *mech, const char *ir, sqauth_error *err)
{
    char line[SQAUTH_CONN_MAX_LINE], logged[128];
    int rc;

    next_tag(s);
    if (ir) {
        snprintf(line, sizeof(line), "%s AUTHENTICATE %s %s", s->auth_tag, mech, ir);
        snprintf(logged, sizeof(logged), "%s AUTHENTICATE %.64s %s", s->auth_tag, mech,
                 strcmp(ir, "=") == 0 ? "=" : "<redacted>");
    } else {
        snprintf(line, sizeof(line), "%s AUTHENTICATE %s", s->auth_tag, mech);
        snprintf(logged, sizeof(logged), "%s AUTHENTICATE %.64s", s->auth_tag, mech);
    }
    rc = sqauth_session_send_line(s, line, logged, err);
    sqauth_cleanse(line, sizeof(line));
    return rc;
}

/* "[CODE ...] text" -> CODE (RFC 5530). */
static void response_code(const char *text, char *code, size_t size)
{
    size_t n;
    code[0] = '\0';
    if (text[0] != '[') {
        return;
    }
    n = strcspn(text + 1, " ]");
    if (n && n < size) {
        memcpy(code, text + 1, n);
        code[n] = '\0';
    }
}

/* Reads to the next continuation or to the tagged reply of s->auth_tag. */
static int tagged_or_continuation(sqauth_session *s, sqauth_auth_reply *r, int allow_continuation, sqauth_error *err)
{
    size_t tag_len = strlen(s->auth_tag);
    int lines = 0;

    memset(r, 0, sizeof(*r));
    for (;;) {
        const char *l;
        int rc;
        if (++lines > SQAUTH_MAX_REPLY_LINES) {
            return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the IMAP server sent too many lines during authentication");
        }
        rc = sqauth_session_read_line(s, err);
        if (rc != SQAUTH_OK) {
            return rc;
        }
        l = line_text(s);
        if (l[0] == '+' && (l[1] == ' ' || l[1] == '\0')) {
            if (!allow_continuation) {
                return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "unexpected IMAP continuation request");
            }
            r->status = SQAUTH_AUTH_CONTINUE;
            r->data = l[1] ? l + 2 : l + 1;
            r->data_len = strlen(r->data);
            /* Some servers end the challenge with a space. */
            while (r->data_len && r->data[r->data_len - 1] == ' ') {
                r->data_len--;
            }
            return SQAUTH_OK;
        }
        if (strncmp(l, s->auth_tag, tag_len) == 0 && l[tag_len] == ' ') {
            const char *st = l + tag_len + 1;
            sqauth_session_set_response(s, l, s->line.len);
            if (sqauth_strncaseeq(st, "OK", 2) && (st[2] == ' ' || st[2] == '\0')) {
                r->status = SQAUTH_AUTH_SUCCESS;
                /* [CAPABILITY ...] after login is read again lazily. */
                return SQAUTH_OK;
            }
            if ((sqauth_strncaseeq(st, "NO", 2) && (st[2] == ' ' || st[2] == '\0'))
                || (sqauth_strncaseeq(st, "BAD", 3) && (st[3] == ' ' || st[3] == '\0'))) {
                const char *text = st + (st[0] == 'N' || st[0] == 'n' ? 2 : 3);
                r->status = SQAUTH_AUTH_FAILURE;
                while (*text == ' ') {
                    text++;
                }
                response_code(text, r->code, sizeof(r->code));
                return SQAUTH_OK;
            }
            return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "malformed tagged IMAP reply: %.200s", l);
        }
        if (sqauth_strncaseeq(l, "* BYE", 5)) {
            sqauth_session_set_response(s, l, s->line.len);
            return sqauth_fail(err, SQAUTH_ERR_CLOSED, "the IMAP server is closing the connection: %.200s", l);
        }
        if (l[0] != '*') {
            return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "unexpected IMAP reply during authentication: %.200s", l);
        }
        /* Untagged data before the tagged reply (RFC 9051 §7) is allowed. */
    }
}

static int imap_auth_reply(sqauth_session *s, sqauth_auth_reply *r, sqauth_error *err)
{
    return tagged_or_continuation(s, r, 1, err);
}

/* How an IMAP string must be sent (RFC 9051 §4.3): a quoted string when it
 * is 7-bit text without CR, LF or NUL, else a literal. */
static int needs_literal(const char *p, size_t n)
{
    size_t i;
    if (n > 1000) {
        return 1;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\r' || c == '\n' || c == 0 || c >= 0x80) {
            return 1;
        }
    }
    return 0;
}

static int append_quoted(sqauth_buf *b, const char *p, size_t n)
{
    size_t i;
    if (sqauth_buf_append_byte(b, '"')) {
        return SQAUTH_ERR_NOMEM;
    }
    for (i = 0; i < n; i++) {
        if ((p[i] == '"' || p[i] == '\\') && sqauth_buf_append_byte(b, '\\')) {
            return SQAUTH_ERR_NOMEM;
        }
        if (sqauth_buf_append_byte(b, (unsigned char)p[i])) {
            return SQAUTH_ERR_NOMEM;
        }
    }
    return sqauth_buf_append_byte(b, '"');
}

/* Sends the current command buffer up to a literal, waits for the
 * continuation unless LITERAL+ is used, then the literal's bytes. A server
 * that answers NO/BAD instead of "+" ends the login: *reply gets that
 * refusal (with its response code) and SQAUTH_OK is returned. */
static int send_with_literal(sqauth_session *s, sqauth_buf *cmd, const char *lit, size_t lit_len, int plus,
                             const char *logged, sqauth_auth_reply *reply, sqauth_error *err)
{
    sqauth_auth_reply r;
    int rc;

    if (sqauth_buf_printf(cmd, "{%zu%s}", lit_len, plus ? "+" : "")) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    rc = sqauth_session_send_line(s, (const char *)cmd->data, logged, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (!plus) {
        rc = tagged_or_continuation(s, &r, 1, err);
        if (rc != SQAUTH_OK) {
            return rc;
        }
        if (r.status == SQAUTH_AUTH_SUCCESS) {
            /* OK to half a command: nothing was authenticated. */
            return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the IMAP server accepted LOGIN before its password: %.200s",
                               (const char *)s->response.data);
        }
        if (r.status != SQAUTH_AUTH_CONTINUE) {
            *reply = r;
            sqauth_buf_reset(cmd);
            return SQAUTH_OK;
        }
    }
    rc = sqauth_session_record(s, 'C', "<literal>", 9);
    if (rc == SQAUTH_OK) {
        rc = sqauth_conn_write_all(s->conn, lit, lit_len, err);
    }
    sqauth_buf_reset(cmd);
    return rc;
}

static int imap_login(sqauth_session *s, const char *user, size_t user_len, const char *pass, size_t pass_len,
                      sqauth_auth_reply *r, sqauth_error *err)
{
    sqauth_buf cmd = SQAUTH_BUF_INIT;
    int plus = sqauth_session_find_cap(s, "LITERAL+") != NULL, rc;
    char logged[300];

    memset(r, 0, sizeof(*r));
    if (sqauth_session_login_disabled(s)) {
        return sqauth_fail(err, SQAUTH_ERR_POLICY,
                           "the IMAP server announces LOGINDISABLED: use STARTTLS or authenticate()");
    }
    next_tag(s);
    if (sqauth_buf_printf(&cmd, "%s LOGIN ", s->auth_tag)) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    snprintf(logged, sizeof(logged), "%s LOGIN %.*s <redacted>", s->auth_tag,
             needs_literal(user, user_len) ? 9 : (int)(user_len > 200 ? 200 : user_len),
             needs_literal(user, user_len) ? "<literal>" : user);
    if (needs_literal(user, user_len)) {
        rc = send_with_literal(s, &cmd, user, user_len, plus, (const char *)NULL, r, err);
        if (rc != SQAUTH_OK || r->status == SQAUTH_AUTH_FAILURE) {
            goto done;
        }
    } else if (append_quoted(&cmd, user, user_len)) {
        rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (sqauth_buf_append_byte(&cmd, ' ')) {
        rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        goto done;
    }
    if (needs_literal(pass, pass_len)) {
        rc = send_with_literal(s, &cmd, pass, pass_len, plus, logged, r, err);
        if (rc != SQAUTH_OK || r->status == SQAUTH_AUTH_FAILURE) {
            goto done;
        }
        rc = sqauth_session_send_line(s, "", "", err);
    } else {
        size_t arg = cmd.len;
        /* Quoted with backslashes, the password is another string that the
         * server may quote back. */
        if (append_quoted(&cmd, pass, pass_len)
            || (cmd.len - arg - 2 != pass_len && sqauth_session_hide(s, cmd.data + arg + 1, cmd.len - arg - 2))) {
            rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
            goto done;
        }
        rc = sqauth_session_send_line(s, (const char *)cmd.data, logged, err);
    }
    if (rc == SQAUTH_OK) {
        rc = tagged_or_continuation(s, r, 0, err);
    }
done:
    sqauth_buf_wipe(&cmd);
    return rc;
}

/* Pool check: "TOKu UNSELECT" and "TOKn NOOP" in one write, with tags no
 * caller uses. UNSELECT (RFC 3691) leaves the selected mailbox without
 * expunging; it may fail (none selected, a server without it: NO or BAD),
 * NOOP must succeed. Untagged data may come before them (NOOP is how a
 * client asks for mailbox updates); anything else means the session was
 * not where it seemed: the tagged reply to a command the caller did not
 * read, "BAD Expected DONE" from an IDLE, a continuation request. */
static int imap_pool_check(sqauth_session *s, sqauth_error *err)
{
    char token[17], unselect_tag[20], noop_tag[20], unselect[40], noop[40];
    const char *cmds[2];
    int rc, lines = 0, unselected = 0;

    if (s->pool_unfit) {
        return sqauth_fail(err, SQAUTH_ERR_STATE,
                           "the caller sent a command whose effect lasts as long as the session (ENABLE, NOTIFY, "
                           "UNAUTHENTICATE)");
    }
    rc = sqauth_session_check_token(token, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    snprintf(unselect_tag, sizeof(unselect_tag), "P%su ", token);
    snprintf(noop_tag, sizeof(noop_tag), "P%sn ", token);
    snprintf(unselect, sizeof(unselect), "%sUNSELECT", unselect_tag);
    snprintf(noop, sizeof(noop), "%sNOOP", noop_tag);
    cmds[0] = unselect;
    cmds[1] = noop;
    sqauth_buf_reset(&s->response);
    rc = sqauth_session_send_lines(s, cmds, 2, err);
    while (rc == SQAUTH_OK) {
        const char *l;
        if (++lines > SQAUTH_MAX_REPLY_LINES) {
            return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the server sent more than %d lines in reply to NOOP",
                               SQAUTH_MAX_REPLY_LINES);
        }
        rc = sqauth_session_read_line(s, err);
        if (rc != SQAUTH_OK) {
            break;
        }
        l = line_text(s);
        if (!unselected && strncmp(l, unselect_tag, strlen(unselect_tag)) == 0) {
            unselected = 1;
        } else if (unselected && strncmp(l, noop_tag, strlen(noop_tag)) == 0) {
            sqauth_session_set_response(s, l, s->line.len);
            if (!sqauth_strncaseeq(l + strlen(noop_tag), "OK", 2)) {
                return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the IMAP server refused NOOP: %.200s", l);
            }
            return SQAUTH_OK;
        } else if (sqauth_strncaseeq(l, "* BYE", 5)) {
            sqauth_session_set_response(s, l, s->line.len);
            return sqauth_fail(err, SQAUTH_ERR_CLOSED, "the IMAP server is closing the connection: %.200s", l);
        } else if (l[0] != '*') {
            sqauth_session_set_response(s, l, s->line.len);
            return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the IMAP session is not in step: %.200s", l);
        }
    }
    return rc;
}

/* The caller's stream: commands whose effect lasts as long as the
 * session, and that no command undoes on every server: ENABLE (RFC 5161;
 * QRESYNC turns EXPUNGE into VANISHED, UTF8=ACCEPT changes how mailbox
 * names are written), NOTIFY (RFC 5465; NOTIFY SET without the selected
 * mailbox stops its EXISTS and EXPUNGE) and UNAUTHENTICATE (RFC 8437;
 * the caller may log in as someone else). */
static void imap_stream_sent(sqauth_session *s, const unsigned char *data, size_t len)
{
    static const char *const lasting[] = {"ENABLE", "NOTIFY", "UNAUTHENTICATE"};
    sqauth_session_watch_commands(s, data, len, 1, lasting, sizeof(lasting) / sizeof(lasting[0]));
}

/* AUTH=mechanism atoms. */
static int imap_mechanisms(const sqauth_session *s, sqauth_names *names)
{
    size_t i;
    for (i = 0; i < s->cap_count; i++) {
        const char *name = s->caps[i].name;
        if (sqauth_strncaseeq(name, "AUTH=", 5) && name[5]
            && sqauth_names_add(names, name + 5, strlen(name + 5)) != SQAUTH_OK) {
            return SQAUTH_ERR_NOMEM;
        }
    }
    return SQAUTH_OK;
}

static int imap_login_disabled(const sqauth_session *s)
{
    return sqauth_session_find_cap(s, "LOGINDISABLED") != NULL;
}

static const sqauth_scheme imap_schemes[] = {
    {"imap", 143, SQAUTH_TLS_STARTTLS},
    {"imaps", 993, SQAUTH_TLS_IMPLICIT},
    {NULL, 0, SQAUTH_TLS_NONE},
};

const sqauth_protocol sqauth_proto_imap = {
    .name = "imap",
    .schemes = imap_schemes,
    .sasl_service = "imap",
    .flags = SQAUTH_PROTO_ATOM_CAPABILITIES,
    .starttls_capability = "STARTTLS",
    .login_name = "LOGIN",
    .greeting = imap_greeting,
    .capabilities = imap_capabilities,
    .starttls = imap_starttls,
    .logout = imap_logout,
    .mechanisms = imap_mechanisms,
    .login_disabled = imap_login_disabled,
    .sasl_ir_capability = "SASL-IR",
    .max_ir_command = 8192,
    .auth_command = imap_auth_command,
    .auth_reply = imap_auth_reply,
    .login = imap_login,
    .pool_check = imap_pool_check,
    .stream_sent = imap_stream_sent,
};
