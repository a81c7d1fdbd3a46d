/*
 * ManageSieve (RFC 5804): the capability list the server sends as its
 * greeting (and again after STARTTLS, §2.2), CAPABILITY, STARTTLS, LOGOUT,
 * and AUTHENTICATE (§2.1), whose mechanism name, initial response,
 * challenges and responses are strings: quoted ("...", with \" and \\) or
 * literals ({n} CRLF and n octets from the server, {n+} from us).
 * Responses are OK, NO or BYE with an optional (response code) and text;
 * OK (SASL "...") carries a mechanism's last message.
 */
#include "proto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* RFC 5804 §4: a quoted string holds at most 1024 octets; longer client
 * strings go as literals. */
#define MAX_QUOTED 1024
/* A server literal inside a response line: enough for any capability or
 * challenge, and few of them. */
#define MAX_LITERAL 65536
#define MAX_LITERALS_PER_LINE 16

/* "{123}" or "{123+}" at the end of s->line: the literal's length. */
static int literal_at_end(const sqauth_session *s, size_t *len, size_t *start)
{
    const char *l = (const char *)s->line.data;
    size_t n = s->line.len, i;
    unsigned long v = 0;

    if (n < 3 || l[n - 1] != '}') {
        return 0;
    }
    i = n - 2;
    if (l[i] == '+') {
        i--;
    }
    if (l[i] < '0' || l[i] > '9') {
        return 0;
    }
    while (i > 0 && l[i] >= '0' && l[i] <= '9') {
        i--;
    }
    if (l[i] != '{') {
        return 0;
    }
    *start = i;
    for (i++; l[i] >= '0' && l[i] <= '9'; i++) {
        v = v * 10 + (unsigned long)(l[i] - '0');
        if (v > MAX_LITERAL) {
            v = MAX_LITERAL + 1;
        }
    }
    *len = v;
    return 1;
}

/* Reads one response line into s->line with every literal in it replaced
 * by the same octets as a quoted string, so that one tokenizer reads both. */
static int read_response_line(sqauth_session *s, sqauth_error *err)
{
    sqauth_buf logical = SQAUTH_BUF_INIT, literal = SQAUTH_BUF_INIT;
    size_t len, start, i;
    int rc, literals = 0;

    rc = sqauth_session_read_line(s, err);
    while (rc == SQAUTH_OK && literal_at_end(s, &len, &start)) {
        /* The whole line, literals included, is held to the line limit
         * before a literal is read, not after. */
        if (++literals > MAX_LITERALS_PER_LINE || len > MAX_LITERAL
            || logical.len + start + len > SQAUTH_CONN_MAX_LINE) {
            rc = sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the ManageSieve server sent too long a literal");
            break;
        }
        sqauth_buf_reset(&literal);
        rc = sqauth_conn_read_exact(s->conn, &literal, len, err);
        if (rc != SQAUTH_OK) {
            break;
        }
        if (len && memchr(literal.data, '\0', len)) {
            rc = sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the server sent a NUL byte");
            break;
        }
        sqauth_session_record(s, 'S', literal.data ? (const char *)literal.data : "", len);
        rc = sqauth_buf_append(&logical, s->line.data, start) || sqauth_buf_append_byte(&logical, '"')
             ? SQAUTH_ERR_NOMEM : SQAUTH_OK;
        for (i = 0; i < len && rc == SQAUTH_OK; i++) {
            unsigned char c = literal.data[i];
            if ((c == '"' || c == '\\') && sqauth_buf_append_byte(&logical, '\\')) {
                rc = SQAUTH_ERR_NOMEM;
            } else if (sqauth_buf_append_byte(&logical, c)) {
                rc = SQAUTH_ERR_NOMEM;
            }
        }
        if (rc == SQAUTH_OK && sqauth_buf_append_byte(&logical, '"')) {
            rc = SQAUTH_ERR_NOMEM;
        }
        if (rc != SQAUTH_OK) {
            rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
            break;
        }
        /* The line goes on after the literal's octets. */
        rc = sqauth_session_read_line(s, err);
        if (rc == SQAUTH_OK && logical.len + s->line.len > SQAUTH_CONN_MAX_LINE) {
            rc = sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the server sent a line longer than %d bytes",
                             SQAUTH_CONN_MAX_LINE);
        }
        if (rc == SQAUTH_OK) {
            rc = sqauth_buf_append(&logical, s->line.data, s->line.len) ? SQAUTH_ERR_NOMEM : SQAUTH_OK;
            if (rc == SQAUTH_OK) {
                sqauth_buf tmp = s->line;
                s->line = logical;
                logical = tmp;
                sqauth_buf_reset(&logical);
            } else {
                rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
            }
        }
    }
    sqauth_buf_wipe(&logical);
    sqauth_buf_wipe(&literal);
    return rc;
}

/* The token at *p: a quoted string (unescaped into out) or an atom (up to
 * a space, a parenthesis or the end). Skips one space after it. Returns 1
 * for a string, 2 for an atom, 0 at the end, -1 when malformed. */
static int next_token(const char **p, sqauth_buf *out)
{
    const char *q = *p;
    int kind;

    sqauth_buf_reset(out);
    if (*q == '\0') {
        return 0;
    }
    if (*q == '"') {
        for (q++; *q != '"'; q++) {
            if (*q == '\0') {
                return -1;
            }
            if (*q == '\\' && (q[1] == '"' || q[1] == '\\')) {
                q++;
            } else if (*q == '\\') {
                return -1;
            }
            if (sqauth_buf_append_byte(out, (unsigned char)*q)) {
                return -1;
            }
        }
        q++;
        kind = 1;
    } else {
        const char *start = q;
        q += strcspn(q, " ()\"");
        if (q == start || sqauth_buf_append(out, start, (size_t)(q - start))) {
            return -1;
        }
        kind = 2;
    }
    if (sqauth_buf_reserve(out, 0)) {
        return -1;
    }
    if (*q == ' ') {
        q++;
    }
    *p = q;
    return kind;
}

/* A final response: 'O' OK, 'N' NO, 'B' BYE, or 0 for another line. code
 * gets the response code's first word, and s->reply_data the string of a
 * (SASL "...") or (TAG "...") code. */
static char final_status(sqauth_session *s, char *code, size_t code_size, sqauth_error *err, int *rc)
{
    const char *l = (const char *)s->line.data, *p;
    sqauth_buf tok = SQAUTH_BUF_INIT;
    char status;

    *rc = SQAUTH_OK;
    code[0] = '\0';
    sqauth_buf_reset(&s->reply_data);
    if (sqauth_strncaseeq(l, "OK", 2) && (l[2] == ' ' || l[2] == '\0')) {
        status = 'O';
        p = l + 2;
    } else if (sqauth_strncaseeq(l, "NO", 2) && (l[2] == ' ' || l[2] == '\0')) {
        status = 'N';
        p = l + 2;
    } else if (sqauth_strncaseeq(l, "BYE", 3) && (l[3] == ' ' || l[3] == '\0')) {
        status = 'B';
        p = l + 3;
    } else {
        return 0;
    }
    sqauth_session_set_response(s, l, s->line.len);
    while (*p == ' ') {
        p++;
    }
    if (*p == '(') {
        p++;
        if (next_token(&p, &tok) == 2) {
            snprintf(code, code_size, "%s", (const char *)tok.data);
            if (sqauth_strcaseeq(code, "SASL") || sqauth_strcaseeq(code, "TAG")) {
                if (next_token(&p, &s->reply_data) != 1) {
                    *rc = sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "malformed ManageSieve (SASL) response code");
                }
            }
        }
        /* The rest of the code is not ours to read, but its strings may
         * hold a ')'. */
        while (*p && *p != ')') {
            if (*p != '"') {
                p++;
            } else if (next_token(&p, &tok) < 0) {
                break;
            }
        }
        if (*p != ')' && *rc == SQAUTH_OK) {
            *rc = sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "malformed ManageSieve response code: %.200s", l);
        }
    }
    sqauth_buf_free(&tok);
    return status;
}

/* Reads capability lines to the final response: the greeting, the answer
 * to CAPABILITY, and what the server sends after STARTTLS and after a
 * security layer starts (RFC 5804 §1.7, §2.2, §2.1). */
static int read_capabilities(sqauth_session *s, const char *what, sqauth_error *err)
{
    sqauth_buf name = SQAUTH_BUF_INIT, value = SQAUTH_BUF_INIT;
    char code[64];
    int lines = 0, rc = SQAUTH_OK;

    sqauth_session_clear_caps(s);
    for (;;) {
        const char *p;
        char status;
        int k;

        if (++lines > SQAUTH_MAX_REPLY_LINES) {
            rc = sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the ManageSieve server sent more than %d capability lines",
                             SQAUTH_MAX_REPLY_LINES);
            break;
        }
        rc = read_response_line(s, err);
        if (rc != SQAUTH_OK) {
            break;
        }
        status = final_status(s, code, sizeof(code), err, &rc);
        if (rc != SQAUTH_OK) {
            break;
        }
        if (status == 'O') {
            s->caps_known = 1;
            break;
        }
        if (status) {
            rc = sqauth_fail(err, status == 'B' ? SQAUTH_ERR_CLOSED : SQAUTH_ERR_PROTOCOL,
                             "the ManageSieve server %s: %.200s",
                             status == 'B' ? "is closing the connection" : what, (const char *)s->line.data);
            break;
        }
        /* "NAME" ["value"] */
        p = (const char *)s->line.data;
        k = next_token(&p, &name);
        if (k != 1 || (*p && next_token(&p, &value) != 1) || *p) {
            sqauth_session_set_response(s, (const char *)s->line.data, s->line.len);
            rc = sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "malformed ManageSieve capability: %.200s",
                             (const char *)s->line.data);
            break;
        }
        rc = sqauth_session_add_cap(s, (const char *)name.data, name.len, value.len ? (const char *)value.data : NULL,
                                    value.len, err);
        sqauth_buf_reset(&value);
        if (rc != SQAUTH_OK) {
            break;
        }
    }
    sqauth_buf_free(&name);
    sqauth_buf_free(&value);
    return rc;
}

static int sieve_greeting(sqauth_session *s, sqauth_error *err)
{
    int rc = read_capabilities(s, "refused the connection", err);
    if (rc == SQAUTH_ERR_CLOSED) {
        /* A BYE instead of a greeting: the server does not want us. */
        rc = sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the ManageSieve server refused the connection: %.200s",
                         (const char *)s->line.data);
    }
    if (rc != SQAUTH_OK) {
        return rc;
    }
    return sqauth_session_keep_greeting(s, err);
}

static int sieve_capabilities(sqauth_session *s, sqauth_error *err)
{
    int rc = sqauth_session_send_line(s, "CAPABILITY", NULL, err);
    return rc == SQAUTH_OK ? read_capabilities(s, "refused CAPABILITY", err) : rc;
}

/* Sends cmd and reads its final response (OK, NO, BYE). */
static int simple(sqauth_session *s, const char *cmd, char *status, sqauth_error *err)
{
    char code[64];
    int rc = sqauth_session_send_line(s, cmd, NULL, err), lines = 0;

    sqauth_session_reset_response(s);
    while (rc == SQAUTH_OK) {
        if (++lines > SQAUTH_MAX_REPLY_LINES) {
            return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the ManageSieve server sent more than %d lines in reply "
                               "to %s", SQAUTH_MAX_REPLY_LINES, cmd);
        }
        rc = read_response_line(s, err);
        if (rc == SQAUTH_OK) {
            *status = final_status(s, code, sizeof(code), err, &rc);
            if (rc == SQAUTH_OK && *status) {
                return SQAUTH_OK;
            }
        }
    }
    return rc;
}

static int sieve_starttls(sqauth_session *s, sqauth_error *err)
{
    char status;
    int rc = simple(s, "STARTTLS", &status, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (status != 'O') {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the ManageSieve server refused STARTTLS: %.200s",
                           (const char *)s->response.data);
    }
    return SQAUTH_OK;
}

/* RFC 5804 §2.2: after the handshake the server sends its capabilities
 * again, unasked. */
static int sieve_tls_started(sqauth_session *s, sqauth_error *err)
{
    return read_capabilities(s, "refused the connection after STARTTLS", err);
}

static int sieve_logout(sqauth_session *s, sqauth_error *err)
{
    char status;
    return simple(s, "LOGOUT", &status, err);
}

static int sieve_mechanisms(const sqauth_session *s, sqauth_names *names)
{
    return sqauth_names_from_cap(s, "SASL", names);
}

/* Pool check: NOOP with a word of our own, which the server gives back as
 * (TAG "word") (RFC 5804 §2.15). Its OK must be the first reply: an
 * earlier final response belongs to a command the caller did not read,
 * and a PUTSCRIPT whose literal is unfinished takes the NOOP as script
 * text and answers nothing (the check times out). ManageSieve has no
 * state after login to put back. */
static int sieve_pool_check(sqauth_session *s, sqauth_error *err)
{
    char token[17], cmd[40], code[64], status;
    int rc = sqauth_session_check_token(token, err);

    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (s->pool_unfit) {
        return sqauth_fail(err, SQAUTH_ERR_STATE, "the caller sent UNAUTHENTICATE");
    }
    snprintf(cmd, sizeof(cmd), "NOOP \"P%s\"", token);
    sqauth_buf_reset(&s->response);
    rc = sqauth_session_send_line(s, cmd, NULL, err);
    if (rc == SQAUTH_OK) {
        rc = read_response_line(s, err);
    }
    if (rc != SQAUTH_OK) {
        return rc;
    }
    status = final_status(s, code, sizeof(code), err, &rc);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (status == 'B') {
        return sqauth_fail(err, SQAUTH_ERR_CLOSED, "the ManageSieve server is closing the connection: %.200s",
                           (const char *)s->line.data);
    }
    if (status != 'O' || !sqauth_strcaseeq(code, "TAG") || s->reply_data.len != 17
        || s->reply_data.data[0] != 'P' || memcmp(s->reply_data.data + 1, token, 16) != 0) {
        sqauth_session_set_response(s, (const char *)s->line.data, s->line.len);
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the ManageSieve session is not in step: %.200s",
                           (const char *)s->line.data);
    }
    return SQAUTH_OK;
}

/* The caller's stream: UNAUTHENTICATE (RFC 5804 §2.14.1) ends the login,
 * and the caller may log in as someone else; no check can tell. */
static void sieve_stream_sent(sqauth_session *s, const unsigned char *data, size_t len)
{
    static const char *const lasting[] = {"UNAUTHENTICATE"};
    sqauth_session_watch_commands(s, data, len, 0, lasting, 1);
}

/* ---- authentication (RFC 5804 §2.1) ---- */

/* A client string after prefix on a command line: quoted when short
 * (base64 and mechanism names need no escaping), else a non-synchronizing
 * literal whose octets follow on the next line. logged is what the
 * transcript shows of the text (NULL: the text). */
static int send_string(sqauth_session *s, const char *prefix, const char *text, const char *logged,
                       sqauth_error *err)
{
    sqauth_buf line = SQAUTH_BUF_INIT, shown = SQAUTH_BUF_INIT;
    size_t n = strlen(text);
    int rc;

    if (n > MAX_QUOTED) {
        if (sqauth_buf_printf(&line, "%s{%zu+}", prefix, n)) {
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        rc = sqauth_session_send_line(s, (const char *)line.data, NULL, err);
        if (rc == SQAUTH_OK) {
            rc = sqauth_session_send_line(s, text, logged, err);
        }
    } else if (sqauth_buf_printf(&line, "%s\"%s\"", prefix, text)
               || sqauth_buf_printf(&shown, "%s\"%s\"", prefix, logged ? logged : text)) {
        rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    } else {
        rc = sqauth_session_send_line(s, (const char *)line.data, (const char *)shown.data, err);
    }
    sqauth_buf_wipe(&line);
    sqauth_buf_wipe(&shown);
    return rc;
}

static int sieve_auth_command(sqauth_session *s, const char *mech, const char *ir, sqauth_error *err)
{
    char prefix[128];

    if (!ir) {
        snprintf(prefix, sizeof(prefix), "AUTHENTICATE \"%.64s\"", mech);
        return sqauth_session_send_line(s, prefix, NULL, err);
    }
    snprintf(prefix, sizeof(prefix), "AUTHENTICATE \"%.64s\" ", mech);
    /* "=" is the driver's empty initial response: an empty string here. */
    if (strcmp(ir, "=") == 0) {
        return send_string(s, prefix, "", "", err);
    }
    return send_string(s, prefix, ir, "<redacted>", err);
}

static int sieve_auth_response(sqauth_session *s, const char *b64, const char *logged, sqauth_error *err)
{
    return send_string(s, "", b64, logged, err);
}

static int sieve_auth_reply(sqauth_session *s, sqauth_auth_reply *r, sqauth_error *err)
{
    const char *p;
    char status;
    int rc = read_response_line(s, err);

    memset(r, 0, sizeof(*r));
    if (rc != SQAUTH_OK) {
        return rc;
    }
    status = final_status(s, r->code, sizeof(r->code), err, &rc);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (status == 'B') {
        return sqauth_fail(err, SQAUTH_ERR_CLOSED, "the ManageSieve server is closing the connection: %.200s",
                           (const char *)s->line.data);
    }
    if (status == 'O' || status == 'N') {
        r->status = status == 'O' ? SQAUTH_AUTH_SUCCESS : SQAUTH_AUTH_FAILURE;
        if (status == 'O') {
            /* OK (SASL "..."): the mechanism's last message comes with it. */
            r->code[0] = '\0';
            r->data = s->reply_data.data ? (const char *)s->reply_data.data : "";
            r->data_len = s->reply_data.len;
        } else if (sqauth_strcaseeq(r->code, "SASL")) {
            r->code[0] = '\0';
        }
        return SQAUTH_OK;
    }
    /* A challenge: one string on its own line. */
    p = (const char *)s->line.data;
    if (next_token(&p, &s->reply_data) != 1 || *p) {
        sqauth_session_set_response(s, (const char *)s->line.data, s->line.len);
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "unexpected ManageSieve reply during authentication: %.200s",
                           (const char *)s->line.data);
    }
    r->status = SQAUTH_AUTH_CONTINUE;
    r->data = s->reply_data.data ? (const char *)s->reply_data.data : "";
    r->data_len = s->reply_data.len;
    return SQAUTH_OK;
}

/* RFC 5804 §2.1: with a security layer the server sends its capabilities
 * again, through the layer; without one they are read again on demand. */
static int sieve_logged_in(sqauth_session *s, int layer, sqauth_error *err)
{
    if (layer != SQAUTH_LAYER_NONE) {
        return read_capabilities(s, "refused the connection after authentication", err);
    }
    sqauth_session_clear_caps(s);
    return SQAUTH_OK;
}

static const sqauth_scheme sieve_schemes[] = {
    {"sieve", 4190, SQAUTH_TLS_STARTTLS},
    {NULL, 0, SQAUTH_TLS_NONE},
};

const sqauth_protocol sqauth_proto_sieve = {
    .name = "sieve",
    .schemes = sieve_schemes,
    .sasl_service = "sieve",
    .starttls_capability = "STARTTLS",
    .greeting = sieve_greeting,
    .capabilities = sieve_capabilities,
    .starttls = sieve_starttls,
    .tls_started = sieve_tls_started,
    .logout = sieve_logout,
    .mechanisms = sieve_mechanisms,
    /* Strings of any length: a long initial response goes as a literal. */
    .max_ir_command = (size_t)-1 / 2,
    .auth_command = sieve_auth_command,
    .auth_reply = sieve_auth_reply,
    .auth_response = sieve_auth_response,
    .logged_in = sieve_logged_in,
    .pool_check = sieve_pool_check,
    .stream_sent = sieve_stream_sent,
};
