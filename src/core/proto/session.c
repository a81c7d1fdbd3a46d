/*
 * sqauth core: what every protocol's session shares: opening (implicit
 * TLS, greeting, STARTTLS), lines in and out, the transcript, the
 * capability list, and the session's state for its callers.
 */
#include "proto.h"
#include "../net/net.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void sqauth_session_options_init(sqauth_session_options *o)
{
    memset(o, 0, sizeof(*o));
    o->protocol = sqauth_protocols[0];
    o->tls_mode = SQAUTH_TLS_STARTTLS;
    sqauth_tls_config_init(&o->tls);
}

static char *dup_or_null(const char *p, size_t n, int *failed)
{
    char *d;
    if (!p) {
        return NULL;
    }
    d = sqauth_memdup(p, n);
    if (!d) {
        *failed = 1;
    }
    return d;
}

int sqauth_session_new(sqauth_session **out, const sqauth_session_options *o, sqauth_error *err)
{
    sqauth_session *s;
    int failed = 0;

    *out = NULL;
    s = calloc(1, sizeof(*s));
    if (!s) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    s->ops = o->protocol ? o->protocol : sqauth_protocols[0];
    s->tls_mode = o->tls_mode;
    s->port = o->port;
    s->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : SQAUTH_CONN_DEFAULT_TIMEOUT_MS;
    s->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : SQAUTH_CONN_DEFAULT_TIMEOUT_MS;
    s->skip_greeting = o->skip_greeting;
    s->transcript_on = o->transcript;
    s->host = dup_or_null(o->host, o->host ? strlen(o->host) : 0, &failed);
    s->helo = dup_or_null(o->helo, o->helo ? strlen(o->helo) : 0, &failed);
    s->cafile_name = dup_or_null(o->cafile_name, o->cafile_name ? strlen(o->cafile_name) : 0, &failed);
    s->capath_name = dup_or_null(o->capath_name, o->capath_name ? strlen(o->capath_name) : 0, &failed);
    s->sitewide_user = dup_or_null(o->sitewide_user.data, o->sitewide_user.len, &failed);
    s->sitewide_user_len = o->sitewide_user.len;
    if (s->sitewide_user) {
        /* The site-wide account without a password logs in with an empty one. */
        s->sitewide_password = dup_or_null(o->sitewide_password.data ? o->sitewide_password.data : "",
                                           o->sitewide_password.len, &failed);
        s->sitewide_password_len = o->sitewide_password.len;
    }
    if (failed || sqauth_tls_config_copy(&s->tls, &o->tls) != SQAUTH_OK) {
        sqauth_session_free(s);
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    *out = s;
    return SQAUTH_OK;
}

/* ---- public calls: one deadline each, and the rule after a failure ---- */

void sqauth_session_begin_call(sqauth_session *s)
{
    if (s->call_depth++ == 0) {
        s->call.timeout_ms = s->timeout_ms;
        s->call.at = sqauth_now_ms() + s->timeout_ms;
        if (s->conn) {
            sqauth_conn_set_deadline(s->conn, &s->call);
        }
    }
}

void sqauth_session_end_call(sqauth_session *s)
{
    if (s->call_depth > 0 && --s->call_depth == 0) {
        memset(&s->call, 0, sizeof(s->call));
        if (s->conn) {
            sqauth_conn_set_deadline(s->conn, NULL);
        }
    }
}

static void call_start(sqauth_session *s, sqauth_call *call)
{
    sqauth_session_begin_call(s);
    call->io_mark = s->conn ? s->conn->io_count : 0;
}

int sqauth_call_begin(sqauth_session *s, sqauth_call *call, sqauth_error *err)
{
    call_start(s, call);
    return sqauth_session_check_open(s, err);
}

/* A failure after which the server and we still agree where the
 * conversation is: the server's final answer was read (a refused login),
 * or the client side gave up and the server answered the cancel (auth.c
 * closes the session when it did not). Everything else that happens once
 * bytes went over the wire (a timeout, the server closing, TLS, a reply
 * that makes no sense, a security layer's check, a server that did not
 * prove itself, memory) leaves it unknown. */
static int failure_keeps_step(int rc)
{
    switch (rc) {
    case SQAUTH_ERR_AUTH:
    case SQAUTH_ERR_MALFORMED:
    case SQAUTH_ERR_SERVER:
    case SQAUTH_ERR_CRYPTO:
    case SQAUTH_ERR_CHARSET:
    case SQAUTH_ERR_INVALID_ARG:
    case SQAUTH_ERR_UNSUPPORTED:
    case SQAUTH_ERR_STATE:
    case SQAUTH_ERR_POLICY:
        return 1;
    default:
        return 0;
    }
}

int sqauth_call_end(sqauth_session *s, const sqauth_call *call, int rc, const sqauth_error *err)
{
    /* A failure before any read or write leaves things as they were. */
    if (rc != SQAUTH_OK && s->conn && s->conn->io_count != call->io_mark && !failure_keeps_step(rc)) {
        sqauth_session_close_io(s, err);
    }
    sqauth_session_end_call(s);
    return rc;
}

void sqauth_session_close_io(sqauth_session *s, const sqauth_error *why)
{
    if (s->closed) {
        return;
    }
    s->closed = 1;
    if (why) {
        s->closed_reason = *why;
    } else {
        sqauth_fail(&s->closed_reason, SQAUTH_ERR_CLOSED, "closed for I/O");
    }
    if (s->conn) {
        sqauth_conn_shutdown(s->conn);
    }
}

int sqauth_session_check_open(const sqauth_session *s, sqauth_error *err)
{
    int rc;
    if (!s->conn) {
        return sqauth_fail(err, SQAUTH_ERR_CLOSED, "the connection is not open");
    }
    if (!s->closed) {
        return SQAUTH_OK;
    }
    rc = sqauth_fail(err, SQAUTH_ERR_CLOSED, "the connection is closed after an earlier failure: %s",
                     s->closed_reason.message);
    if (err) {
        err->sys_errno = s->closed_reason.sys_errno;
    }
    return rc;
}

const sqauth_error *sqauth_session_closed_reason(const sqauth_session *s)
{
    return s->closed ? &s->closed_reason : NULL;
}

/* ---- open ---- */

/* When the CA locations came from a setting (php.ini), their context is
 * loaded before anything depends on it (before the STARTTLS command): a
 * file that cannot be loaded then leaves the connection as it was and is
 * reported under that setting's name, not as an option the caller never
 * gave. The handshake finds the context in the cache. Otherwise the
 * handshake loads it, as ever. */
static int load_tls_context(sqauth_session *s, sqauth_error *err)
{
    if (!s->cafile_name && !s->capath_name) {
        return SQAUTH_OK;
    }
    return sqauth_tls_ctx_preload(&s->tls, s->cafile_name, s->capath_name, &s->conn->tls_failure, err);
}

/* The setting the trust anchors came from, for a chain that does not
 * verify; NULL when the caller's options gave them or none is set. */
static const char *ca_source(const sqauth_session *s)
{
    if (s->tls.cafile && s->cafile_name) {
        return s->cafile_name;
    }
    return s->tls.capath && s->capath_name ? s->capath_name : NULL;
}

/* What every session does once it has a connection. */
static int start(sqauth_session *s, sqauth_error *err)
{
    int rc = SQAUTH_OK;

    if (s->tls_mode == SQAUTH_TLS_IMPLICIT) {
        rc = load_tls_context(s, err);
        if (rc == SQAUTH_OK) {
            rc = sqauth_conn_start_tls(s->conn, &s->tls, s->host, ca_source(s), err);
        }
    }
    if (rc == SQAUTH_OK && !s->skip_greeting) {
        rc = sqauth_session_greeting(s, err);
    }
    if (rc == SQAUTH_OK && s->tls_mode == SQAUTH_TLS_STARTTLS) {
        rc = sqauth_session_starttls(s, err);
    } else if (rc == SQAUTH_OK && !s->caps_known) {
        rc = sqauth_session_capabilities(s, err);
    }
    /* An open that failed leaves nothing to talk to, whatever the failure. */
    if (rc != SQAUTH_OK) {
        sqauth_session_close_io(s, err);
    }
    return rc;
}

int sqauth_session_open(sqauth_session *s, sqauth_error *err)
{
    sqauth_call call;
    int rc;

    if (s->conn) {
        return sqauth_fail(err, SQAUTH_ERR_STATE, "the session is already open");
    }
    if (!s->host) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "no host to connect to");
    }
    call_start(s, &call);
    rc = sqauth_conn_open(&s->conn, s->host, s->port, s->connect_timeout_ms, s->timeout_ms, &s->call, err);
    if (rc == SQAUTH_OK) {
        rc = start(s, err);
    }
    return sqauth_call_end(s, &call, rc, err);
}

int sqauth_session_open_socket(sqauth_session *s, int fd, const void *buffered, size_t buffered_len, size_t *taken,
                               sqauth_error *err)
{
    sqauth_call call;
    size_t n = 0;
    int rc;

    if (taken) {
        *taken = 0;
    }
    if (s->conn) {
        return sqauth_fail(err, SQAUTH_ERR_STATE, "the session is already open");
    }
    call_start(s, &call);
    rc = sqauth_conn_adopt(&s->conn, fd, s->timeout_ms, err);
    if (rc == SQAUTH_OK) {
        sqauth_conn_set_deadline(s->conn, &s->call);
        if (buffered_len) {
            n = sqauth_conn_preload(s->conn, buffered, buffered_len);
        }
        if (taken) {
            *taken = n;
        }
        rc = start(s, err);
    }
    return sqauth_call_end(s, &call, rc, err);
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
    s->cap_bytes = 0;
    memset(s->cap_slot, 0, sizeof(s->cap_slot));
    s->caps_known = 0;
}

/* Frees the transcript's lines (the mark of a cut transcript is no line
 * of its own) and starts it again. */
static void transcript_clear(sqauth_session *s)
{
    size_t i;
    for (i = 0; i < s->transcript_count; i++) {
        if (s->transcript[i].text != s->transcript_mark) {
            free(s->transcript[i].text);
        }
    }
    free(s->transcript);
    s->transcript = NULL;
    s->transcript_count = 0;
    s->transcript_bytes = 0;
    s->transcript_dropped = 0;
}

void sqauth_session_free(sqauth_session *s)
{
    if (!s) {
        return;
    }
    sqauth_conn_free(s->conn);
    sqauth_session_clear_caps(s);
    sqauth_tls_config_release(&s->tls);
    free(s->sitewide_user);
    sqauth_free_secret(s->sitewide_password, s->sitewide_password_len);
    transcript_clear(s);
    free(s->host);
    free(s->helo);
    free(s->cafile_name);
    free(s->capath_name);
    free(s->greeting);
    sqauth_buf_wipe(&s->line);
    sqauth_buf_wipe(&s->reply_data);
    sqauth_buf_wipe(&s->response);
    sqauth_buf_wipe(&s->hidden);
    free(s);
}

void sqauth_session_reset_for_reuse(sqauth_session *s, const sqauth_session_options *o)
{
    transcript_clear(s);
    s->transcript_on = o->transcript;
    s->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : SQAUTH_CONN_DEFAULT_TIMEOUT_MS;
    s->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : SQAUTH_CONN_DEFAULT_TIMEOUT_MS;
    sqauth_session_set_stream_timeout(s, s->timeout_ms);
    sqauth_buf_reset(&s->response);
    s->reply_code[0] = '\0';
    /* The new caller's stream starts at a line (a literal the server
     * refused was never sent, and its length is not the new caller's). */
    s->stream_scan = 0;
    s->stream_word_len = 0;
    s->stream_literal = 0;
    s->stream_literal_len = s->stream_skip = 0;
}

/* Where to cut text to at most max bytes: at the start of a UTF-8
 * character, so that what is kept stays readable. */
static size_t cut_point(const char *text, size_t len, size_t max)
{
    size_t n = max;
    if (len <= max) {
        return len;
    }
    while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80 && max - n < 3) {
        n--;
    }
    return n;
}

/* more: bytes of the line after text, not passed (see record()). */
static int record_kept(sqauth_session *s, char direction, const char *text, size_t len, size_t more)
{
    sqauth_transcript_line *t;
    size_t keep = cut_point(text, len, SQAUTH_TRANSCRIPT_MAX_LINE), size;
    char mark[48];

    mark[0] = '\0';
    if (keep < len || more) {
        snprintf(mark, sizeof(mark), "... [cut: %zu more bytes]", len - keep + more);
    }
    size = keep + strlen(mark);
    if (!s->transcript_dropped && s->transcript_count % 32 == 0) {
        t = realloc(s->transcript, (s->transcript_count + 32) * sizeof(*t));
        if (!t) {
            return SQAUTH_ERR_NOMEM;
        }
        s->transcript = t;
    }
    /* The last line's place and bytes are kept for the cut mark. */
    if (s->transcript_dropped || s->transcript_count + 1 >= SQAUTH_TRANSCRIPT_MAX_LINES
        || s->transcript_bytes + size + sizeof(s->transcript_mark) > SQAUTH_TRANSCRIPT_MAX_BYTES) {
        if (!s->transcript_dropped) {
            s->transcript_count++;
        }
        s->transcript_dropped++;
        t = &s->transcript[s->transcript_count - 1];
        t->direction = '-';
        t->text = s->transcript_mark;
        snprintf(s->transcript_mark, sizeof(s->transcript_mark), "[transcript cut: %zu more lines]",
                 s->transcript_dropped);
        return SQAUTH_OK;
    }
    t = &s->transcript[s->transcript_count];
    t->direction = direction;
    t->text = malloc(size + 1);
    if (!t->text) {
        return SQAUTH_ERR_NOMEM;
    }
    memcpy(t->text, text, keep);
    memcpy(t->text + keep, mark, strlen(mark) + 1);
    s->transcript_count++;
    s->transcript_bytes += size;
    return SQAUTH_OK;
}

int sqauth_session_record(sqauth_session *s, char direction, const char *text, size_t len)
{
    sqauth_buf shown = SQAUTH_BUF_INIT;
    size_t more;
    int rc;

    if (!s->transcript_on) {
        return SQAUTH_OK;
    }
    /* The client's own lines are recorded as logged: secrets never go in.
     * A full transcript keeps no more text. */
    if (direction != 'S' || !s->hidden.len || s->transcript_dropped) {
        return record_kept(s, direction, text, len, 0);
    }
    rc = sqauth_session_shown_part(s, text, len, SQAUTH_TRANSCRIPT_MAX_LINE, &shown, &more);
    if (rc == SQAUTH_OK) {
        rc = record_kept(s, direction, (const char *)shown.data, shown.len, more);
    }
    sqauth_buf_wipe(&shown);
    return rc;
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

int sqauth_session_send_lines(sqauth_session *s, const char *const *lines, size_t count, sqauth_error *err)
{
    sqauth_buf out = SQAUTH_BUF_INIT;
    size_t i;
    int rc;

    for (i = 0; i < count; i++) {
        size_t n = strlen(lines[i]);
        if (memchr(lines[i], '\r', n) || memchr(lines[i], '\n', n)) {
            sqauth_buf_free(&out);
            return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "refusing to send a command containing CR or LF");
        }
        if (sqauth_buf_append(&out, lines[i], n) || sqauth_buf_append(&out, "\r\n", 2)
            || sqauth_session_record(s, 'C', lines[i], n) != SQAUTH_OK) {
            sqauth_buf_free(&out);
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
    }
    rc = sqauth_conn_write_all(s->conn, out.data, out.len, err);
    sqauth_buf_free(&out);
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

void sqauth_session_reset_response(sqauth_session *s)
{
    sqauth_buf_reset(&s->response);
    s->response_kept = s->response_cut = 0;
}

/* Adds text to the reply kept for errors, within SQAUTH_MAX_KEPT_REPLY;
 * more: bytes of the reply after text, not passed (see response_add()). */
static int response_keep(sqauth_session *s, const char *text, size_t len, size_t more)
{
    size_t keep;

    if (s->response.len == 0) {
        s->response_kept = s->response_cut = 0; /* emptied by sqauth_buf_reset() */
    }
    if (!s->response_cut) {
        keep = cut_point(text, len, SQAUTH_MAX_KEPT_REPLY - s->response.len);
        if (sqauth_buf_append(&s->response, text, keep) != SQAUTH_OK) {
            return SQAUTH_ERR_NOMEM;
        }
        if (keep == len && !more) {
            return SQAUTH_OK;
        }
        s->response_kept = s->response.len;
        text += keep;
        len -= keep;
    }
    s->response_cut += len + more;
    s->response.len = s->response_kept;
    return sqauth_buf_printf(&s->response, "... [cut: %zu more bytes]", s->response_cut) ? SQAUTH_ERR_NOMEM
                                                                                        : SQAUTH_OK;
}

/* The same, with the secrets of a login in progress redacted. */
static int response_add(sqauth_session *s, const char *text, size_t len)
{
    sqauth_buf shown = SQAUTH_BUF_INIT;
    size_t more;
    int rc;

    /* (response_keep() takes an empty reply as a new one, whatever the
     * cut count says.) */
    if (!s->hidden.len || (s->response_cut && s->response.len)) {
        return response_keep(s, text, len, 0);
    }
    rc = sqauth_session_shown_part(s, text, len, SQAUTH_MAX_KEPT_REPLY - s->response.len, &shown, &more);
    if (rc == SQAUTH_OK) {
        rc = response_keep(s, (const char *)shown.data, shown.len, more);
    }
    sqauth_buf_wipe(&shown);
    return rc;
}

int sqauth_session_set_response(sqauth_session *s, const char *text, size_t len)
{
    sqauth_session_reset_response(s);
    return response_add(s, text, len);
}

int sqauth_session_append_response(sqauth_session *s)
{
    if (s->response.len && response_add(s, "\n", 1) != SQAUTH_OK) {
        return SQAUTH_ERR_NOMEM;
    }
    return response_add(s, (const char *)s->line.data, s->line.len);
}

int sqauth_session_keep_greeting(sqauth_session *s, sqauth_error *err)
{
    free(s->greeting);
    s->greeting = sqauth_memdup(s->response.data ? s->response.data : (const unsigned char *)"", s->response.len);
    return s->greeting ? SQAUTH_OK : sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
}

/* FNV-1a, for the small hash tables of capabilities and mechanism names
 * (lookup tables, not a defence: their size bounds the work anyway). */
static unsigned hash_step(unsigned h, unsigned char c)
{
    return (h ^ c) * 16777619u;
}

static unsigned char ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* The capability name[0..name_len) with value, or where it would go. */
static unsigned short *cap_slot(sqauth_session *s, const char *name, size_t name_len, const char *value,
                                size_t value_len)
{
    const size_t slots = sizeof(s->cap_slot) / sizeof(s->cap_slot[0]);
    unsigned h = 2166136261u;
    size_t i;

    for (i = 0; i < name_len; i++) {
        h = hash_step(h, ascii_lower((unsigned char)name[i]));
    }
    h = hash_step(h, 0);
    for (i = 0; i < value_len; i++) {
        h = hash_step(h, (unsigned char)value[i]);
    }
    for (i = h & (slots - 1);; i = (i + 1) & (slots - 1)) {
        const sqauth_capability *c;
        if (!s->cap_slot[i]) {
            return &s->cap_slot[i];
        }
        c = &s->caps[s->cap_slot[i] - 1];
        if (sqauth_strncaseeq(c->name, name, name_len) && c->name[name_len] == '\0'
            && strncmp(c->value, value, value_len) == 0 && c->value[value_len] == '\0') {
            return &s->cap_slot[i];
        }
    }
}

int sqauth_session_add_cap(sqauth_session *s, const char *name, size_t name_len, const char *value,
                           size_t value_len, sqauth_error *err)
{
    sqauth_capability *c;
    unsigned short *slot;

    if (!value) {
        value = "";
        value_len = 0;
    }
    slot = cap_slot(s, name, name_len, value, value_len);
    if (*slot) {
        return SQAUTH_OK; /* listed again */
    }
    if (s->cap_count >= SQAUTH_MAX_CAPABILITIES) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the server listed more than %d capabilities",
                           SQAUTH_MAX_CAPABILITIES);
    }
    if (name_len + value_len > SQAUTH_MAX_CAPABILITY_BYTES - s->cap_bytes) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "the server's capabilities are longer than %d bytes",
                           SQAUTH_MAX_CAPABILITY_BYTES);
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
    c->value = sqauth_memdup(value, value_len);
    if (!c->name || !c->value) {
        free(c->name);
        free(c->value);
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    s->cap_count++;
    s->cap_bytes += name_len + value_len;
    *slot = (unsigned short)s->cap_count;
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
    return s->ops->login_disabled ? s->ops->login_disabled(s) : 0;
}

int sqauth_session_greeting(sqauth_session *s, sqauth_error *err)
{
    return s->ops->greeting(s, err);
}

int sqauth_session_capabilities(sqauth_session *s, sqauth_error *err)
{
    sqauth_call call;
    int rc = sqauth_call_begin(s, &call, err);

    if (rc == SQAUTH_OK) {
        sqauth_session_clear_caps(s);
        rc = s->ops->capabilities(s, err);
    }
    return sqauth_call_end(s, &call, rc, err);
}

int sqauth_session_ensure_capabilities(sqauth_session *s, sqauth_error *err)
{
    return s->caps_known ? SQAUTH_OK : sqauth_session_capabilities(s, err);
}

/* *sent = 1 once the STARTTLS command is on its way. */
static int starttls(sqauth_session *s, int *sent, sqauth_error *err)
{
    int rc;

    if (s->conn->ssl) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL, "TLS is already active on this connection");
    }
    if (!sqauth_session_starttls_offered(s)) {
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL,
                           "the server does not offer %s; refusing to continue without TLS "
                           "(use implicit TLS, or 'tls' => 'none' to allow plaintext)",
                           s->ops->starttls_capability);
    }
    /* A CA file named by php.ini is loaded before the command: its failure
     * leaves the connection as it was (nothing sent). */
    rc = load_tls_context(s, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    *sent = 1;
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
    rc = sqauth_conn_start_tls(s->conn, &s->tls, s->host, ca_source(s), err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    s->starttls_done = 1;
    /* Capabilities learnt in plaintext may have been tampered with. */
    if (s->ops->tls_started) {
        sqauth_session_clear_caps(s);
        return s->ops->tls_started(s, err);
    }
    return sqauth_session_capabilities(s, err);
}

int sqauth_session_starttls(sqauth_session *s, sqauth_error *err)
{
    sqauth_call call;
    int sent = 0, rc = sqauth_call_begin(s, &call, err);

    /* The capabilities, when not known, are a call of their own: its
     * failure is judged there, and once they are read the conversation is
     * in step again ("not offered" then leaves it as it was). */
    if (rc == SQAUTH_OK && !s->caps_known && !s->conn->ssl) {
        rc = sqauth_session_capabilities(s, err);
        call.io_mark = s->conn->io_count;
    }
    if (rc == SQAUTH_OK) {
        rc = starttls(s, &sent, err);
        /* Once STARTTLS went out, any failure leaves TLS half-started or
         * refused: the caller asked for TLS, and gets no plaintext session
         * back (a refusal included). */
        if (rc != SQAUTH_OK && sent) {
            sqauth_session_close_io(s, err);
        }
    }
    return sqauth_call_end(s, &call, rc, err);
}

int sqauth_session_logged_in(sqauth_session *s, int layer, sqauth_error *err)
{
    s->authenticated = 1;
    if (s->ops->logged_in) {
        return s->ops->logged_in(s, layer, err);
    }
    sqauth_session_clear_caps(s);
    return SQAUTH_OK;
}

void sqauth_session_logout(sqauth_session *s)
{
    sqauth_error ignored;

    /* A closed session says nothing more, not even goodbye; nor does a
     * child of fork() on its parent's connection. */
    if (!s || !sqauth_session_is_open(s) || !sqauth_conn_is_owner(s->conn) || !s->ops->logout) {
        return;
    }
    /* Bounded like any call, but how the goodbye ends (a server may close
     * as it answers: IMAP's BYE) closes nothing: the session ends anyway,
     * with its TLS close_notify, which keeps its TLS session resumable. */
    sqauth_session_begin_call(s);
    s->ops->logout(s, &ignored);
    sqauth_session_end_call(s);
}

int sqauth_session_check_token(char out[17], sqauth_error *err)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char raw[8];
    size_t i;
    int rc = sqauth_random_nonce(raw, sizeof(raw), err);

    if (rc != SQAUTH_OK) {
        return rc;
    }
    for (i = 0; i < sizeof(raw); i++) {
        out[2 * i] = hex[raw[i] >> 4];
        out[2 * i + 1] = hex[raw[i] & 15];
    }
    out[16] = '\0';
    return SQAUTH_OK;
}

int sqauth_names_add(sqauth_names *names, const char *p, size_t n)
{
    const size_t slots = sizeof(names->slot);
    char name[SQAUTH_MAX_MECH_NAME + 1];
    unsigned h = 2166136261u;
    size_t i;

    if (n == 0 || n > SQAUTH_MAX_MECH_NAME || names->count >= SQAUTH_MAX_MECHANISMS) {
        return SQAUTH_OK;
    }
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)p[i];
        if (ch >= 'a' && ch <= 'z') {
            ch = (unsigned char)(ch - 32);
        }
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_')) {
            return SQAUTH_OK; /* not a mechanism name (RFC 4422 §3.1) */
        }
        name[i] = (char)ch;
        h = hash_step(h, ch);
    }
    name[n] = '\0';
    for (i = h & (slots - 1); names->slot[i]; i = (i + 1) & (slots - 1)) {
        if (strcmp(names->list[names->slot[i] - 1], name) == 0) {
            return SQAUTH_OK; /* listed twice */
        }
    }
    names->list[names->count] = sqauth_memdup(name, n);
    if (!names->list[names->count]) {
        return SQAUTH_ERR_NOMEM;
    }
    names->count++;
    names->slot[i] = (unsigned char)names->count;
    return SQAUTH_OK;
}

int sqauth_names_add_words(sqauth_names *names, const char *v)
{
    while (*v && names->count < SQAUTH_MAX_MECHANISMS) {
        size_t n;
        while (*v == ' ') {
            v++;
        }
        n = strcspn(v, " ");
        if (n && sqauth_names_add(names, v, n) != SQAUTH_OK) {
            return SQAUTH_ERR_NOMEM;
        }
        v += n;
    }
    return SQAUTH_OK;
}

int sqauth_names_from_cap(const sqauth_session *s, const char *name, sqauth_names *names)
{
    const sqauth_capability *c = sqauth_session_find_cap(s, name);
    return c ? sqauth_names_add_words(names, c->value) : SQAUTH_OK;
}

int sqauth_session_mechanisms(const sqauth_session *s, char ***out, size_t *count, sqauth_error *err)
{
    sqauth_names names;

    *out = NULL;
    *count = 0;
    memset(&names, 0, sizeof(names));
    names.list = calloc(SQAUTH_MAX_MECHANISMS + 1, sizeof(char *));
    if (!names.list) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    if (s->ops->mechanisms(s, &names) != SQAUTH_OK) {
        sqauth_session_free_list(names.list, names.count);
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    *out = names.list;
    *count = names.count;
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

/* ---- state ---- */

const sqauth_protocol *sqauth_session_protocol(const sqauth_session *s)
{
    return s->ops;
}

sqauth_tls_mode sqauth_session_tls_mode(const sqauth_session *s)
{
    return s->tls_mode;
}

const char *sqauth_session_greeting_text(const sqauth_session *s)
{
    return s->greeting ? s->greeting : "";
}

int sqauth_session_caps_are_atoms(const sqauth_session *s)
{
    return (s->ops->flags & SQAUTH_PROTO_ATOM_CAPABILITIES) != 0;
}

int sqauth_session_has_starttls(const sqauth_session *s)
{
    return s->starttls_done || sqauth_session_starttls_offered(s);
}

size_t sqauth_session_capability_count(const sqauth_session *s)
{
    return s->cap_count;
}

const sqauth_capability *sqauth_session_capability(const sqauth_session *s, size_t i)
{
    return i < s->cap_count ? &s->caps[i] : NULL;
}

int sqauth_session_is_open(const sqauth_session *s)
{
    return s->conn && !s->closed;
}

int sqauth_session_is_authenticated(const sqauth_session *s)
{
    return s->authenticated;
}

int sqauth_session_is_encrypted(const sqauth_session *s)
{
    return s->conn && sqauth_conn_is_encrypted(s->conn);
}

int sqauth_session_tls_info(const sqauth_session *s, sqauth_tls_info *info)
{
    if (!s->conn) {
        memset(info, 0, sizeof(*info));
        return 0;
    }
    if (!sqauth_conn_tls_info(s->conn, info)) {
        return 0;
    }
    info->verified = s->tls.verify_peer && info->verify_code == X509_V_OK;
    return 1;
}

const sqauth_sasl *sqauth_session_layer(const sqauth_session *s)
{
    return s->conn ? s->conn->layer : NULL;
}

size_t sqauth_session_transcript_count(const sqauth_session *s)
{
    return s->transcript_count;
}

const sqauth_transcript_line *sqauth_session_transcript_line(const sqauth_session *s, size_t i)
{
    return i < s->transcript_count ? &s->transcript[i] : NULL;
}

const sqauth_tls_failure *sqauth_session_tls_failure(const sqauth_session *s)
{
    return s->conn ? &s->conn->tls_failure : NULL;
}

sqauth_str sqauth_session_response(const sqauth_session *s)
{
    sqauth_str r;
    r.data = s->response.len ? (const char *)s->response.data : NULL;
    r.len = s->response.len;
    return r;
}

const char *sqauth_session_response_code(const sqauth_session *s)
{
    return s->reply_code;
}

/* ---- the byte stream ---- */

/* A stream read or write that failed (not one that only timed out: the
 * stream keeps per-read semantics) closes the session for I/O. */
static int stream_failed(sqauth_session *s, int rc, const sqauth_error *err)
{
    if (rc != SQAUTH_OK && rc != SQAUTH_ERR_TIMEOUT) {
        sqauth_session_close_io(s, err);
    }
    return rc;
}

int sqauth_session_read_available(sqauth_session *s, void *buf, size_t len, int may_wait, size_t *got, int *at_end,
                                  sqauth_error *err)
{
    if (!sqauth_session_is_open(s)) {
        *got = 0;
        *at_end = 1;
        return SQAUTH_OK;
    }
    return stream_failed(s, sqauth_conn_read_available(s->conn, buf, len, may_wait, got, at_end, err), err);
}

/* stream_scan: 0 at the start of a line, 2 in its tag, 1 in its command
 * (stream_word so far), -1 past it. A line that ends in a literal's
 * length ({n} or {n+}, IMAP and ManageSieve alike) is followed by n bytes
 * of data (a message saved with APPEND, a script), skipped: "Please notify
 * me" in a message is no command (the data of a synchronizing literal
 * that the server refused is never sent, and the next command's bytes are
 * taken for it: a command missed there is the caller's own doing).
 * stream_literal: where the line's end is
 * in "{n+}" CR LF (0 none, 1 in n, 2 after "+", 3 after "}", 4 after CR);
 * stream_literal_len: n; stream_skip: data bytes still to come. */
void sqauth_session_watch_commands(sqauth_session *s, const unsigned char *data, size_t len, int tagged,
                                   const char *const *names, size_t count)
{
    size_t i, k;

    for (i = 0; i < len && !s->pool_unfit; i++) {
        unsigned char ch = data[i];
        if (s->stream_skip) {
            /* A message of megabytes in one go. */
            size_t n = len - i < s->stream_skip ? len - i : s->stream_skip;
            s->stream_skip -= n;
            i += n - 1;
            continue;
        }
        if (s->stream_scan == 0) {
            s->stream_scan = tagged ? 2 : 1;
            s->stream_word_len = 0;
        }
        if (s->stream_scan == 1 && (ch == ' ' || ch == '\r' || ch == '\n')) {
            for (k = 0; k < count; k++) {
                if (s->stream_word_len == strlen(names[k])
                    && sqauth_strncaseeq(s->stream_word, names[k], s->stream_word_len)) {
                    s->pool_unfit = 1;
                }
            }
            s->stream_scan = -1;
        }
        if (ch == '\n' && s->stream_literal >= 3) {
            /* The data, then the rest of the same command. */
            s->stream_skip = s->stream_literal_len;
            s->stream_scan = -1;
        } else if (ch == '\n') {
            s->stream_scan = 0;
        } else if (s->stream_scan == 2 && ch == ' ') {
            s->stream_scan = 1;
        } else if (s->stream_scan == 1) {
            if (s->stream_word_len < sizeof(s->stream_word)) {
                s->stream_word[s->stream_word_len++] = (char)ch;
            } else {
                s->stream_scan = -1;
            }
        }
        if (ch == '{') {
            s->stream_literal = 1;
            s->stream_literal_len = 0;
        } else if (s->stream_literal == 1 && ch >= '0' && ch <= '9') {
            s->stream_literal_len = s->stream_literal_len > ((size_t)-1 - 9) / 10 ? (size_t)-1
                                  : s->stream_literal_len * 10 + (size_t)(ch - '0');
        } else if (s->stream_literal == 1 && ch == '+') {
            s->stream_literal = 2;
        } else if ((s->stream_literal == 1 || s->stream_literal == 2) && ch == '}') {
            s->stream_literal = 3;
        } else if (s->stream_literal == 3 && ch == '\r') {
            s->stream_literal = 4;
        } else {
            s->stream_literal = 0;
        }
    }
}

int sqauth_session_write(sqauth_session *s, const void *p, size_t n, sqauth_error *err)
{
    int rc = sqauth_session_check_open(s, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    rc = stream_failed(s, sqauth_conn_write_all(s->conn, p, n, err), err);
    if (rc == SQAUTH_ERR_TIMEOUT && sqauth_session_layer(s)) {
        /* Unlike a read, a write that timed out leaves a security layer's
         * stream broken (see sqauth_conn_write_all()). */
        sqauth_session_close_io(s, err);
    }
    /* Also after a timeout: part of it may have gone out. */
    if (s->ops->stream_sent) {
        s->ops->stream_sent(s, p, n);
    }
    return rc;
}

void sqauth_session_set_stream_timeout(sqauth_session *s, int timeout_ms)
{
    if (s->conn) {
        sqauth_conn_set_timeout(s->conn, timeout_ms > 0 ? timeout_ms : 1);
    }
}

int sqauth_session_socket(const sqauth_session *s)
{
    return s->conn ? sqauth_conn_socket(s->conn) : -1;
}

int sqauth_session_at_eof(const sqauth_session *s)
{
    return !s->conn || sqauth_conn_at_eof(s->conn);
}
