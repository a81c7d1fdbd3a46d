/*
 * sqauth core: what IMAP, POP3 and SMTP sessions share: lines in and out,
 * the transcript, the capability list and the STARTTLS sequence.
 */
#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sqauth_session_new(sqauth_session **out, sqauth_conn *conn, sqauth_proto_kind kind, const char *host,
                       const char *helo, int transcript, sqauth_error *err)
{
    sqauth_session *s;

    *out = NULL;
    s = calloc(1, sizeof(*s));
    if (!s) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    s->conn = conn;
    s->kind = kind;
    s->ops = kind == SQAUTH_PROTO_IMAP ? &sqauth_proto_imap
           : kind == SQAUTH_PROTO_POP3 ? &sqauth_proto_pop3 : &sqauth_proto_smtp;
    s->transcript_on = transcript;
    s->host = host ? sqauth_memdup(host, strlen(host)) : NULL;
    s->helo = helo ? sqauth_memdup(helo, strlen(helo)) : NULL;
    if ((host && !s->host) || (helo && !s->helo)) {
        s->conn = NULL;
        sqauth_session_free(s);
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    *out = s;
    return SQAUTH_OK;
}

void sqauth_session_clear_caps(sqauth_session *s)
{
    size_t i;
    for (i = 0; i < s->cap_count; i++) {
        free(s->caps[i].name);
        free(s->caps[i].value);
    }
    free(s->caps);
    s->caps = NULL;
    s->cap_count = 0;
    s->caps_known = 0;
}

void sqauth_session_free(sqauth_session *s)
{
    size_t i;
    if (!s) {
        return;
    }
    sqauth_conn_free(s->conn);
    sqauth_session_clear_caps(s);
    for (i = 0; i < s->transcript_count; i++) {
        free(s->transcript[i].text);
    }
    free(s->transcript);
    free(s->host);
    free(s->helo);
    free(s->greeting);
    sqauth_buf_wipe(&s->line);
    sqauth_buf_wipe(&s->response);
    free(s);
}

int sqauth_session_record(sqauth_session *s, char direction, const char *text, size_t len)
{
    sqauth_transcript_line *t;
    if (!s->transcript_on || s->transcript_count >= SQAUTH_MAX_TRANSCRIPT) {
        return SQAUTH_OK;
    }
    if (s->transcript_count % 32 == 0) {
        t = realloc(s->transcript, (s->transcript_count + 32) * sizeof(*t));
        if (!t) {
            return SQAUTH_ERR_NOMEM;
        }
        s->transcript = t;
    }
    t = &s->transcript[s->transcript_count];
    t->direction = direction;
    t->text = sqauth_memdup(text, len);
    if (!t->text) {
        return SQAUTH_ERR_NOMEM;
    }
    s->transcript_count++;
    return SQAUTH_OK;
}

int sqauth_session_send_line(sqauth_session *s, const char *line, const char *logged, sqauth_error *err)
{
    size_t n = strlen(line);
    sqauth_buf out = SQAUTH_BUF_INIT;
    int rc;

    /* A CR or LF inside a command would start another command. */
    if (memchr(line, '\r', n) || memchr(line, '\n', n)) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "refusing to send a command containing CR or LF");
    }
    if (sqauth_buf_append(&out, line, n) || sqauth_buf_append(&out, "\r\n", 2)) {
        sqauth_buf_wipe(&out);
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    if (sqauth_session_record(s, 'C', logged ? logged : line, strlen(logged ? logged : line)) != SQAUTH_OK) {
        sqauth_buf_wipe(&out);
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    rc = sqauth_conn_write_all(s->conn, out.data, out.len, err);
    sqauth_buf_wipe(&out);
    return rc;
}

int sqauth_session_send_auth(sqauth_session *s, const char *mech, const char *ir, sqauth_error *err)
{
    sqauth_buf line = SQAUTH_BUF_INIT;
    char logged[128];
    int rc;

    if (sqauth_buf_printf(&line, "AUTH %s%s%s", mech, ir ? " " : "", ir ? ir : "")) {
        sqauth_buf_wipe(&line);
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    snprintf(logged, sizeof(logged), "AUTH %.64s%s", mech, !ir ? "" : strcmp(ir, "=") == 0 ? " =" : " <redacted>");
    rc = sqauth_session_send_line(s, (const char *)line.data, logged, err);
    sqauth_buf_wipe(&line);
    return rc;
}

int sqauth_session_read_line(sqauth_session *s, sqauth_error *err)
{
    int rc = sqauth_conn_read_line(s->conn, &s->line, SQAUTH_CONN_MAX_LINE, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (memchr(s->line.data, '\0', s->line.len)) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the server sent a NUL byte");
    }
    if (sqauth_session_record(s, 'S', (const char *)s->line.data, s->line.len) != SQAUTH_OK) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    return SQAUTH_OK;
}

int sqauth_session_set_response(sqauth_session *s, const char *text, size_t len)
{
    sqauth_buf_reset(&s->response);
    return sqauth_buf_append(&s->response, text, len);
}

int sqauth_session_append_response(sqauth_session *s)
{
    if (s->response.len && sqauth_buf_append_byte(&s->response, '\n')) {
        return SQAUTH_ERR_NOMEM;
    }
    return sqauth_buf_append(&s->response, s->line.data, s->line.len);
}

int sqauth_session_add_cap(sqauth_session *s, const char *name, size_t name_len, const char *value,
                           size_t value_len, sqauth_error *err)
{
    sqauth_capability *c;
    if (s->cap_count >= SQAUTH_MAX_CAPABILITIES) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the server listed more than %d capabilities",
                           SQAUTH_MAX_CAPABILITIES);
    }
    if (s->cap_count % 16 == 0) {
        c = realloc(s->caps, (s->cap_count + 16) * sizeof(*c));
        if (!c) {
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        s->caps = c;
    }
    c = &s->caps[s->cap_count];
    c->name = sqauth_memdup(name, name_len);
    c->value = sqauth_memdup(value ? value : "", value ? value_len : 0);
    if (!c->name || !c->value) {
        free(c->name);
        free(c->value);
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    s->cap_count++;
    return SQAUTH_OK;
}

const sqauth_capability *sqauth_session_find_cap(const sqauth_session *s, const char *name)
{
    size_t i;
    for (i = 0; i < s->cap_count; i++) {
        if (sqauth_strcaseeq(s->caps[i].name, name)) {
            return &s->caps[i];
        }
    }
    return NULL;
}

int sqauth_session_starttls_offered(const sqauth_session *s)
{
    return sqauth_session_find_cap(s, s->ops->starttls_capability) != NULL;
}

int sqauth_session_login_disabled(const sqauth_session *s)
{
    if (s->kind == SQAUTH_PROTO_IMAP) {
        return sqauth_session_find_cap(s, "LOGINDISABLED") != NULL;
    }
    /* RFC 2449 §6.8: a POP3 server that lists capabilities but not USER
     * does not take USER/PASS now (Dovecot before STLS, for instance). A
     * server without CAPA lists nothing and may still take it. */
    if (s->kind == SQAUTH_PROTO_POP3) {
        return s->cap_count > 0 && sqauth_session_find_cap(s, "USER") == NULL;
    }
    return 0;
}

int sqauth_session_greeting(sqauth_session *s, sqauth_error *err)
{
    return s->ops->greeting(s, err);
}

int sqauth_session_capabilities(sqauth_session *s, sqauth_error *err)
{
    sqauth_session_clear_caps(s);
    return s->ops->capabilities(s, err);
}

int sqauth_session_starttls(sqauth_session *s, const sqauth_tls_config *cfg, sqauth_error *err)
{
    int rc;

    if (s->conn->ssl) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "TLS is already active on this connection");
    }
    if (!s->caps_known) {
        rc = sqauth_session_capabilities(s, err);
        if (rc != SQAUTH_OK) {
            return rc;
        }
    }
    if (!sqauth_session_starttls_offered(s)) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL,
                           "the server does not offer %s; refusing to continue without TLS "
                           "(use implicit TLS, or 'tls' => 'none' to allow plaintext)",
                           s->ops->starttls_capability);
    }
    rc = s->ops->starttls(s, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    /* Anything already read past the positive reply was sent before the
     * handshake, in plaintext, and would be taken as protected data. */
    if (sqauth_conn_buffered(s->conn) > 0) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL,
                           "the server sent %zu bytes after the %s reply and before the TLS handshake "
                           "(possible response injection); connection dropped",
                           sqauth_conn_buffered(s->conn), s->ops->starttls_capability);
    }
    rc = sqauth_conn_start_tls(s->conn, cfg, s->host, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    s->starttls_done = 1;
    /* Capabilities learnt in plaintext may have been tampered with. */
    return sqauth_session_capabilities(s, err);
}

void sqauth_session_logout(sqauth_session *s)
{
    sqauth_error ignored;
    if (s && s->conn && s->ops->logout) {
        s->ops->logout(s, &ignored);
    }
}

static int add_list_item(char ***list, size_t *count, const char *p, size_t n)
{
    char **l;
    size_t i;
    for (i = 0; i < *count; i++) {
        if (strlen((*list)[i]) == n && sqauth_strncaseeq((*list)[i], p, n)) {
            return SQAUTH_OK; /* listed twice */
        }
    }
    l = realloc(*list, (*count + 2) * sizeof(char *));
    if (!l) {
        return SQAUTH_ERR_NOMEM;
    }
    *list = l;
    l[*count] = sqauth_memdup(p, n);
    if (!l[*count]) {
        return SQAUTH_ERR_NOMEM;
    }
    for (i = 0; i < n; i++) {
        char ch = l[*count][i];
        if (ch >= 'a' && ch <= 'z') {
            l[*count][i] = (char)(ch - 32);
        }
    }
    (*count)++;
    l[*count] = NULL;
    return SQAUTH_OK;
}

/* Adds each space-separated word of v. */
static int add_words(char ***list, size_t *count, const char *v)
{
    while (*v) {
        size_t n;
        while (*v == ' ') {
            v++;
        }
        n = strcspn(v, " ");
        if (n && add_list_item(list, count, v, n) != SQAUTH_OK) {
            return SQAUTH_ERR_NOMEM;
        }
        v += n;
    }
    return SQAUTH_OK;
}

int sqauth_session_mechanisms(const sqauth_session *s, char ***out, size_t *count, sqauth_error *err)
{
    size_t i;
    int rc = SQAUTH_OK;

    *out = calloc(1, sizeof(char *));
    *count = 0;
    if (!*out) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    for (i = 0; i < s->cap_count && rc == SQAUTH_OK; i++) {
        const sqauth_capability *c = &s->caps[i];
        if (s->kind == SQAUTH_PROTO_IMAP) {
            if (sqauth_strncaseeq(c->name, "AUTH=", 5) && c->name[5]) {
                rc = add_list_item(out, count, c->name + 5, strlen(c->name + 5));
            }
        } else if (s->kind == SQAUTH_PROTO_SMTP) {
            /* "AUTH=LOGIN PLAIN" is the pre-RFC 2554 spelling some servers
             * still send: the first mechanism is part of the keyword. */
            if (sqauth_strcaseeq(c->name, "AUTH")) {
                rc = add_words(out, count, c->value);
            } else if (sqauth_strncaseeq(c->name, "AUTH=", 5)) {
                rc = add_words(out, count, c->name + 5);
                if (rc == SQAUTH_OK) {
                    rc = add_words(out, count, c->value);
                }
            }
        } else if (sqauth_strcaseeq(c->name, "SASL")) {
            rc = add_words(out, count, c->value);
        }
    }
    if (rc != SQAUTH_OK) {
        sqauth_session_free_list(*out, *count);
        *out = NULL;
        *count = 0;
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    return SQAUTH_OK;
}

void sqauth_session_free_list(char **list, size_t count)
{
    size_t i;
    if (!list) {
        return;
    }
    for (i = 0; i < count; i++) {
        free(list[i]);
    }
    free(list);
}
