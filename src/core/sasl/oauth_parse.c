/*
 * OAuth 2.0 SASL error documents (see oauth_parse.h): an RFC 8259 reader
 * that checks the grammar of the whole document and keeps one member.
 *
 *   value  = object / array / string / number / "true" / "false" / "null"
 *   object = "{" [ member *( "," member ) ] "}"      member = string ":" value
 *   array  = "[" [ value *( "," value ) ] "]"
 *   number = [ "-" ] ( "0" / %x31-39 *DIGIT ) [ "." 1*DIGIT ] [ ( "e" / "E" ) [ "+" / "-" ] 1*DIGIT ]
 *   string = %x22 *( unescaped / "\" ( %x22 / "\" / "/" / "b" / "f" / "n" / "r" / "t" / "u" 4HEXDIG ) ) %x22
 *   unescaped = %x20-21 / %x23-5B / %x5D-FF   (bytes; UTF-8 is not needed to find the status)
 */
#include "oauth_parse.h"

#include <string.h>

typedef struct cursor {
    const char *p, *end;
    int depth;
    /* The top-level "status": how many, and the last one's text. */
    int statuses;
    int status_usable;
    sqauth_str status;
} cursor;

static int value(cursor *c);

static void skip_space(cursor *c)
{
    while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r')) {
        c->p++;
    }
}

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static int is_hex(char ch)
{
    return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/* A string; *content gets what is between the quotes, *escaped whether it
 * holds an escape (its bytes are then not its value). */
static int string(cursor *c, sqauth_str *content, int *escaped)
{
    const char *start;

    if (c->p >= c->end || *c->p != '"') {
        return 0;
    }
    start = ++c->p;
    *escaped = 0;
    while (c->p < c->end) {
        unsigned char ch = (unsigned char)*c->p;
        if (ch == '"') {
            content->data = start;
            content->len = (size_t)(c->p - start);
            c->p++;
            return 1;
        }
        if (ch < 0x20) {
            return 0;
        }
        c->p++;
        if (ch != '\\') {
            continue;
        }
        *escaped = 1;
        if (c->p >= c->end) {
            return 0;
        }
        if (*c->p == 'u') {
            int i;
            for (i = 1; i <= 4; i++) {
                if (c->p + i >= c->end || !is_hex(c->p[i])) {
                    return 0;
                }
            }
            c->p += 5;
        } else if (*c->p && strchr("\"\\/bfnrt", *c->p)) {
            c->p++;
        } else {
            return 0;
        }
    }
    return 0;
}

static int digits(cursor *c)
{
    const char *start = c->p;
    while (c->p < c->end && is_digit(*c->p)) {
        c->p++;
    }
    return c->p > start;
}

static int number(cursor *c)
{
    if (c->p < c->end && *c->p == '-') {
        c->p++;
    }
    if (c->p < c->end && *c->p == '0') {
        c->p++;
    } else if (!digits(c)) {
        return 0;
    }
    if (c->p < c->end && *c->p == '.') {
        c->p++;
        if (!digits(c)) {
            return 0;
        }
    }
    if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
        c->p++;
        if (c->p < c->end && (*c->p == '+' || *c->p == '-')) {
            c->p++;
        }
        if (!digits(c)) {
            return 0;
        }
    }
    return 1;
}

static int word(cursor *c, const char *w)
{
    size_t n = strlen(w);
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, w, n) != 0) {
        return 0;
    }
    c->p += n;
    return 1;
}

/* A member of the top-level object: a "status" is noted, with its text
 * when it is a plain string or a number. */
static int member(cursor *c)
{
    sqauth_str key, text;
    int escaped, is_status;
    const char *start;

    if (!string(c, &key, &escaped)) {
        return 0;
    }
    is_status = c->depth == 1 && !escaped && key.len == 6 && memcmp(key.data, "status", 6) == 0;
    skip_space(c);
    if (c->p >= c->end || *c->p != ':') {
        return 0;
    }
    c->p++;
    skip_space(c);
    start = c->p;
    if (!is_status) {
        return value(c);
    }
    c->statuses++;
    c->status_usable = 0;
    if (c->p < c->end && *c->p == '"') {
        if (!string(c, &text, &escaped)) {
            return 0;
        }
        c->status_usable = !escaped;
        c->status = text;
        return 1;
    }
    if (c->p < c->end && (*c->p == '-' || is_digit(*c->p))) {
        if (!number(c)) {
            return 0;
        }
        c->status_usable = 1;
        c->status.data = start;
        c->status.len = (size_t)(c->p - start);
        return 1;
    }
    return value(c);
}

/* An object or an array: opening byte, items separated by ',', closing byte. */
static int container(cursor *c, char close, int members)
{
    int ok = 1;

    if (++c->depth > SQAUTH_OAUTH_MAX_DEPTH) {
        return 0;
    }
    c->p++;
    skip_space(c);
    if (c->p < c->end && *c->p == close) {
        c->p++;
        c->depth--;
        return 1;
    }
    for (;;) {
        skip_space(c);
        ok = members ? member(c) : value(c);
        if (!ok) {
            return 0;
        }
        skip_space(c);
        if (c->p >= c->end) {
            return 0;
        }
        if (*c->p == close) {
            c->p++;
            c->depth--;
            return 1;
        }
        if (*c->p != ',') {
            return 0;
        }
        c->p++;
    }
}

static int value(cursor *c)
{
    sqauth_str ignored;
    int escaped;

    if (c->p >= c->end) {
        return 0;
    }
    switch (*c->p) {
    case '{':
        return container(c, '}', 1);
    case '[':
        return container(c, ']', 0);
    case '"':
        return string(c, &ignored, &escaped);
    case 't':
        return word(c, "true");
    case 'f':
        return word(c, "false");
    case 'n':
        return word(c, "null");
    default:
        return number(c);
    }
}

int sqauth_oauth_error_status(const char *doc, size_t len, sqauth_str *status)
{
    cursor c;

    status->data = NULL;
    status->len = 0;
    if (!doc || len > SQAUTH_OAUTH_MAX_DOCUMENT) {
        return 0;
    }
    memset(&c, 0, sizeof(c));
    c.p = doc;
    c.end = doc + len;
    skip_space(&c);
    if (c.p >= c.end || *c.p != '{' || !value(&c)) {
        return 0;
    }
    skip_space(&c);
    if (c.p != c.end || c.statuses != 1 || !c.status_usable) {
        return 0;
    }
    *status = c.status;
    return 1;
}
