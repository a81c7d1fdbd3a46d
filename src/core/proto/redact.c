/*
 * sqauth core: what the server must not be quoted saying. During a login
 * the session holds what it sent that carries a secret (the password or
 * token, a SASL response in base64, LOGIN's quoted argument); a server that
 * echoes a command line in its refusal ("535 ... AUTH PLAIN AHRpbQ...",
 * "NO bad: LOGIN tim hunter2") would otherwise put the secret into the reply
 * kept for errors, the transcript, the response code and the message. Every
 * server byte is hostile, and a careless one is as bad: those texts are
 * shown on pages and in logs.
 *
 * Replaced with "<redacted>" (redact()):
 *  - every occurrence of a secret as it was sent;
 *  - a run of base64 characters (8 or more) that is part of a secret: an
 *    echo the server cut short, or began inside the response;
 *  - where a text is cut (a message), a tail that is a secret's start (4
 *    bytes or more).
 * The raw password is matched as it is, whatever its length: a password of
 * one letter would make redaction replace that letter everywhere, which is
 * ugly and safe. The parsers always read the server's own bytes; only what
 * is kept for people is changed.
 */
#include "proto.h"

#include <stdio.h>
#include <string.h>

#define REDACTED "<redacted>"
/* Shorter runs of base64 and tails are too likely to be ordinary words. */
#define MIN_RUN 8
#define MIN_TAIL 4

/* The secrets are kept in s->hidden as [size_t length][bytes], in order. */
typedef struct {
    const unsigned char *p;
    size_t len;
} secret_ref;

static int next_secret(const sqauth_buf *hidden, size_t *at, secret_ref *out)
{
    size_t len;
    if (*at + sizeof(len) > hidden->len) {
        return 0;
    }
    memcpy(&len, hidden->data + *at, sizeof(len));
    out->p = hidden->data + *at + sizeof(len);
    out->len = len;
    *at += sizeof(len) + len;
    return 1;
}

static int add_secret(sqauth_buf *list, const void *secret, size_t len)
{
    if (!secret || len == 0) {
        return SQAUTH_OK;
    }
    if (sqauth_buf_append(list, &len, sizeof(len)) != SQAUTH_OK || sqauth_buf_append(list, secret, len) != SQAUTH_OK) {
        return SQAUTH_ERR_NOMEM;
    }
    return SQAUTH_OK;
}

int sqauth_session_hide(sqauth_session *s, const void *secret, size_t len)
{
    return add_secret(&s->hidden, secret, len);
}

static int is_b64(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'
        || c == '=';
}

static int contains(const secret_ref *r, const unsigned char *p, size_t n)
{
    size_t at;
    for (at = 0; n <= r->len && at <= r->len - n; at++) {
        if (memcmp(r->p + at, p, n) == 0) {
            return 1;
        }
    }
    return 0;
}

/* text[0..len) with the secrets (list: s->hidden's layout) replaced, into
 * out; cut_tail: the text may have been cut at len, so a secret's start
 * there goes too. Each byte is compared with the secrets that start with it,
 * each run of base64 no longer than the longest secret with every secret:
 * the work is bounded by len times the secrets' total length, and a server
 * that does not know them ends each comparison within a few bytes. */
static int redact(const sqauth_buf *list, const unsigned char *text, size_t len, int cut_tail, sqauth_buf *out)
{
    unsigned char first[256] = {0};
    size_t i = 0, from = 0, at = 0, longest = 0;
    secret_ref r;

    while (next_secret(list, &at, &r)) {
        first[r.p[0]] = 1;
        longest = r.len > longest ? r.len : longest;
    }
    sqauth_buf_reset(out);
    while (i < len) {
        size_t skip = 0;

        if (first[text[i]]) {
            for (at = 0; !skip && next_secret(list, &at, &r);) {
                if (r.len <= len - i && memcmp(text + i, r.p, r.len) == 0) {
                    skip = r.len;
                } else if (cut_tail && len - i >= MIN_TAIL && len - i < r.len && memcmp(text + i, r.p, len - i) == 0) {
                    skip = len - i;
                }
            }
        }
        if (!skip && is_b64(text[i]) && (i == 0 || !is_b64(text[i - 1]))) {
            size_t run = 1;
            while (i + run < len && is_b64(text[i + run])) {
                run++;
            }
            for (at = 0; !skip && run >= MIN_RUN && run <= longest && next_secret(list, &at, &r);) {
                skip = contains(&r, text + i, run) ? run : 0;
            }
        }
        if (!skip) {
            i++;
            continue;
        }
        if (sqauth_buf_append(out, text + from, i - from) != SQAUTH_OK
            || sqauth_buf_append_str(out, REDACTED) != SQAUTH_OK) {
            return SQAUTH_ERR_NOMEM;
        }
        i += skip;
        from = i;
    }
    return sqauth_buf_append(out, text + from, len - from) == SQAUTH_OK
        && sqauth_buf_reserve(out, 0) == SQAUTH_OK ? SQAUTH_OK : SQAUTH_ERR_NOMEM;
}

int sqauth_session_shown_part(const sqauth_session *s, const char *text, size_t len, size_t keep, sqauth_buf *out,
                              size_t *more)
{
    /* Room after keep for a secret that begins inside it. */
    size_t part = len > keep + s->hidden.len ? keep + s->hidden.len : len;

    *more = len - part;
    return redact(&s->hidden, (const unsigned char *)text, part, part < len, out);
}

/* The message is escaped text (sqauth_escape_text()): the secrets are
 * looked for as they would appear there too. */
static void redact_message(const sqauth_buf *hidden, sqauth_error *err)
{
    sqauth_buf escaped = SQAUTH_BUF_INIT, out = SQAUTH_BUF_INIT;
    size_t at = 0, n = strlen(err->message);
    secret_ref r;
    int ok = 1;

    while (ok && next_secret(hidden, &at, &r)) {
        char e[4 * 256 + 1];
        size_t len;
        ok = add_secret(&escaped, r.p, r.len) == SQAUTH_OK;
        if (ok && r.len < 256) {
            len = sqauth_escape_text(e, sizeof(e), (const char *)r.p, r.len);
            if (len != r.len || memcmp(e, r.p, len) != 0) {
                ok = add_secret(&escaped, e, len) == SQAUTH_OK;
            }
        }
    }
    /* Messages quote the server's text cut short (%.200s), and are cut
     * themselves: a secret may end where the message does. */
    if (ok && redact(&escaped, (const unsigned char *)err->message, n, 1, &out) == SQAUTH_OK) {
        size_t keep = out.len < sizeof(err->message) ? out.len : sizeof(err->message) - 1;
        memcpy(err->message, out.data, keep);
        err->message[keep] = '\0';
    } else {
        snprintf(err->message, sizeof(err->message), "the server's reply is not shown (out of memory)");
    }
    sqauth_buf_wipe(&escaped);
    sqauth_buf_wipe(&out);
}

void sqauth_session_hide_end(sqauth_session *s, char *code, size_t code_size, sqauth_error *err)
{
    sqauth_buf out = SQAUTH_BUF_INIT;

    if (s->hidden.len) {
        if (err && err->message[0]) {
            redact_message(&s->hidden, err);
        }
        if (code && code[0]) {
            if (redact(&s->hidden, (const unsigned char *)code, strlen(code), 0, &out) != SQAUTH_OK
                || out.len >= code_size) {
                code[0] = '\0';
            } else {
                memcpy(code, out.data, out.len);
                code[out.len] = '\0';
            }
        }
    }
    sqauth_buf_wipe(&out);
    sqauth_buf_wipe(&s->hidden);
}
