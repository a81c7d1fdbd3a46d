/*
 * sqauth core: DIGEST-MD5 (RFC 2831) server message parser: the
 * digest-challenge of §2.1.1 and the response-auth of §2.1.3, with the
 * syntax of §7.2 (RFC 2616 §2.1 #rule, §2.2 quoted-string).
 *
 * The parser reads only inside [in, in + len): every access goes through
 * the cursor checks below, and the input need not be NUL-terminated.
 */
#include "digest_md5_parse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_SHOWN 32   /* longest directive name quoted in a message */
#define VALUE_SHOWN 40  /* longest value quoted in a message */

/* ---- character classes (RFC 2616 §2.2) ---- */

/* LWS = [CRLF] 1*( SP | HT ); a bare CR or LF between elements is accepted
 * too, since it cannot change the meaning. */
static int is_lws(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int is_separator(unsigned char c)
{
    switch (c) {
    case '(': case ')': case '<': case '>': case '@': case ',': case ';': case ':': case '\\': case '"':
    case '/': case '[': case ']': case '?': case '=': case '{': case '}': case ' ': case '\t':
        return 1;
    default:
        return 0;
    }
}

/* token = 1*<any CHAR except CTLs or separators> */
static int is_token_char(unsigned char c)
{
    return c > 32 && c < 127 && !is_separator(c);
}

static unsigned char ascii_lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* Describes the byte at a parse error: printable ASCII as 'c', others as
 * their hex value, the end of input as such. */
static const char *describe(char *buf, size_t cap, const unsigned char *in, size_t len, size_t pos)
{
    if (pos >= len) {
        snprintf(buf, cap, "the end of the message");
    } else if (in[pos] > 32 && in[pos] < 127) {
        snprintf(buf, cap, "'%c'", in[pos]);
    } else {
        snprintf(buf, cap, "byte 0x%02x", in[pos]);
    }
    return buf;
}

/* A server value made safe for a message: printable ASCII kept, anything
 * else shown as '?', long values cut with "...". */
static const char *show(char *buf, size_t cap, const char *v, size_t len)
{
    size_t i, n = 0;

    for (i = 0; i < len && n + 4 < cap && i < VALUE_SHOWN; i++) {
        unsigned char c = (unsigned char)v[i];
        buf[n++] = (c >= 32 && c < 127) ? (char)c : '?';
    }
    if (i < len && n + 4 <= cap) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

/* ---- the directive list ---- */

void sqauth_digest_md5_directives_free(sqauth_digest_md5_directives *d)
{
    if (!d) {
        return;
    }
    free(d->items);
    free(d->strings);
    d->strings = NULL;
    d->strings_used = d->strings_cap = 0;
    d->items = NULL;
    d->count = d->cap = 0;
}

const sqauth_digest_md5_directive *sqauth_digest_md5_find(const sqauth_digest_md5_directives *d,
                                                          const char *name)
{
    size_t i;

    for (i = 0; i < d->count; i++) {
        if (strcmp(d->items[i].name, name) == 0) {
            return &d->items[i];
        }
    }
    return NULL;
}

/* Room for every directive of an input of len bytes: each has a '=' of
 * its own, and its name and value together are never longer than the input
 * bytes they came from, plus two NULs; one more NUL for a last name that
 * turns out to have no '=' (an error, but its name is written first). */
static int reserve(sqauth_digest_md5_directives *d, const unsigned char *in, size_t len)
{
    size_t equals = 0, i;

    for (i = 0; i < len; i++) {
        equals += in[i] == '=';
    }
    d->cap = equals;
    d->strings_cap = len + 2 * equals + 1;
    d->items = equals ? malloc(equals * sizeof(*d->items)) : NULL;
    d->strings = malloc(d->strings_cap);
    d->strings_used = 0;
    if ((equals && !d->items) || !d->strings) {
        return SQAUTH_ERR_NOMEM;
    }
    return SQAUTH_OK;
}

/* The next n bytes of the string block (reserve() made it big enough). */
static char *take(sqauth_digest_md5_directives *d, size_t n)
{
    char *p = d->strings + d->strings_used;
    d->strings_used += n;
    return p;
}

static void push(sqauth_digest_md5_directives *d, char *name, size_t name_len, char *value, size_t value_len,
                 int quoted)
{
    d->items[d->count].name = name;
    d->items[d->count].name_len = name_len;
    d->items[d->count].value = value;
    d->items[d->count].value_len = value_len;
    d->items[d->count].quoted = quoted;
    d->count++;
}

/* ---- syntax ---- */

static size_t skip_lws(const unsigned char *in, size_t len, size_t pos)
{
    while (pos < len && is_lws(in[pos])) {
        pos++;
    }
    return pos;
}

/* Reads the quoted-string starting at in[*pos] == '"' into v, removing the
 * quotes and the backslash of each quoted-pair (so never longer than the
 * input it came from). */
static int read_quoted(const unsigned char *in, size_t len, size_t *pos, const char *label, const char *name,
                       char *v, size_t *value_len, sqauth_error *err)
{
    size_t p = *pos + 1, n = 0;

    for (;;) {
        unsigned char c;
        if (p >= len) {
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                               "DIGEST-MD5 %s: the quoted value of \"%.*s\" is not terminated",
                               label, NAME_SHOWN, name);
        }
        c = in[p];
        if (c == '"') {
            p++;
            break;
        }
        if (c == '\\') {
            /* quoted-pair = "\" CHAR: the next byte stands for itself. */
            if (p + 1 >= len) {
                return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                                   "DIGEST-MD5 %s: the quoted value of \"%.*s\" ends in a lone backslash",
                                   label, NAME_SHOWN, name);
            }
            p++;
            c = in[p];
        }
        /* qdtext is TEXT: no control characters except HT. They have no use
         * in a realm or nonce, and we echo both back to the server. */
        if ((c < 32 && c != '\t') || c == 127) {
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                               "DIGEST-MD5 %s: control character 0x%02x in the value of \"%.*s\" at offset %zu",
                               label, c, NAME_SHOWN, name, p);
        }
        v[n++] = (char)c;
        p++;
    }
    v[n] = '\0';
    *value_len = n;
    *pos = p;
    return SQAUTH_OK;
}

static int parse_directives(const unsigned char *in, size_t len, sqauth_digest_md5_directives *out,
                            const char *label, sqauth_error *err)
{
    size_t pos = 0;
    char what[32];
    int rc;

    sqauth_digest_md5_directives_free(out);
    if (len > SQAUTH_DIGEST_MD5_MAX_CHALLENGE) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                           "DIGEST-MD5 %s is %zu bytes; RFC 2831 allows at most %d",
                           label, len, SQAUTH_DIGEST_MD5_MAX_CHALLENGE);
    }
    if (len && memchr(in, '\0', len)) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 %s contains a NUL byte at offset %zu",
                           label, (size_t)((const unsigned char *)memchr(in, '\0', len) - in));
    }
    if (reserve(out, in, len) != SQAUTH_OK) {
        sqauth_digest_md5_directives_free(out);
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }

    for (;;) {
        size_t name_start, name_len, i;
        char *name, *value = NULL;
        size_t value_len = 0;
        int quoted;

        pos = skip_lws(in, len, pos);
        if (pos >= len) {
            break;
        }
        /* #rule: null elements (",,", a leading or trailing ',') are allowed. */
        if (in[pos] == ',') {
            pos++;
            continue;
        }

        name_start = pos;
        while (pos < len && is_token_char(in[pos])) {
            pos++;
        }
        name_len = pos - name_start;
        if (name_len == 0) {
            rc = sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                             "DIGEST-MD5 %s: expected a directive name at offset %zu, found %s",
                             label, pos, describe(what, sizeof(what), in, len, pos));
            goto fail;
        }
        name = take(out, name_len + 1);
        for (i = 0; i < name_len; i++) {
            name[i] = (char)ascii_lower(in[name_start + i]);
        }
        name[name_len] = '\0';

        pos = skip_lws(in, len, pos);
        if (pos >= len || in[pos] != '=') {
            rc = sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                             "DIGEST-MD5 %s: directive \"%.*s\" is not followed by '=' (found %s at offset %zu)",
                             label, NAME_SHOWN, name, describe(what, sizeof(what), in, len, pos), pos);
            goto fail;
        }
        pos = skip_lws(in, len, pos + 1);

        if (pos < len && in[pos] == '"') {
            value = out->strings + out->strings_used;
            rc = read_quoted(in, len, &pos, label, name, value, &value_len, err);
            if (rc != SQAUTH_OK) {
                goto fail;
            }
            take(out, value_len + 1);
            quoted = 1;
        } else {
            size_t start = pos;
            while (pos < len && is_token_char(in[pos])) {
                pos++;
            }
            if (pos == start) {
                if (pos >= len || in[pos] == ',') {
                    rc = sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 %s: directive \"%.*s\" has no value",
                                     label, NAME_SHOWN, name);
                } else {
                    rc = sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                                     "DIGEST-MD5 %s: the value of \"%.*s\" starts with %s at offset %zu; "
                                     "expected a token or a quoted string",
                                     label, NAME_SHOWN, name, describe(what, sizeof(what), in, len, pos), pos);
                }
                goto fail;
            }
            value_len = pos - start;
            value = take(out, value_len + 1);
            memcpy(value, in + start, value_len);
            value[value_len] = '\0';
            quoted = 0;
        }

        pos = skip_lws(in, len, pos);
        if (pos < len && in[pos] != ',') {
            rc = sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                             "DIGEST-MD5 %s: expected ',' after the value of \"%.*s\" at offset %zu, found %s",
                             label, NAME_SHOWN, name, pos, describe(what, sizeof(what), in, len, pos));
            goto fail;
        }
        push(out, name, name_len, value, value_len, quoted);
    }
    return SQAUTH_OK;

fail:
    sqauth_digest_md5_directives_free(out);
    return rc;
}

int sqauth_digest_md5_parse_directives(const unsigned char *in, size_t len,
                                       sqauth_digest_md5_directives *out, sqauth_error *err)
{
    return parse_directives(in, len, out, "challenge", err);
}

int sqauth_digest_md5_list_next(const char *list, size_t len, size_t *pos, sqauth_str *elem,
                                const char *what, sqauth_error *err)
{
    const unsigned char *in = (const unsigned char *)list;
    size_t p = *pos;

    elem->data = NULL;
    elem->len = 0;
    for (;;) {
        size_t start;

        p = skip_lws(in, len, p);
        if (p >= len) {
            *pos = p;
            return SQAUTH_OK;
        }
        if (in[p] == ',') {
            p++;
            continue;
        }
        start = p;
        while (p < len && is_token_char(in[p])) {
            p++;
        }
        if (p == start) {
            *pos = p;
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                               "DIGEST-MD5 challenge: the %s list has a byte 0x%02x that is not part of a token",
                               what, in[p]);
        }
        elem->data = list + start;
        elem->len = p - start;
        p = skip_lws(in, len, p);
        if (p < len && in[p] != ',') {
            char shown[64];
            *pos = p;
            elem->data = NULL;
            elem->len = 0;
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                               "DIGEST-MD5 challenge: the %s list \"%s\" is not a comma-separated list of tokens",
                               what, show(shown, sizeof(shown), list, len));
        }
        *pos = p;
        return SQAUTH_OK;
    }
}

/* ---- meaning of the challenge ---- */

static int str_caseeq(sqauth_str a, const char *b)
{
    size_t n = strlen(b);
    return a.len == n && sqauth_strncaseeq(a.data, b, n);
}

static int is_value(const sqauth_digest_md5_directive *d, const char *expected)
{
    sqauth_str v;
    v.data = d->value;
    v.len = d->value_len;
    return str_caseeq(v, expected);
}

/* Splits a qop or cipher value into a bit set; unknown elements are ignored
 * (RFC 2831 §2.1.1: "The client MUST ignore unrecognized options"). */
static int parse_list(const sqauth_digest_md5_directive *d, const char *const *names, const unsigned *bits,
                      size_t count, unsigned *set, sqauth_error *err)
{
    size_t pos = 0, i, elements = 0;
    sqauth_str e;
    int rc;

    *set = 0;
    for (;;) {
        rc = sqauth_digest_md5_list_next(d->value, d->value_len, &pos, &e, d->name, err);
        if (rc != SQAUTH_OK) {
            return rc;
        }
        if (!e.data) {
            break;
        }
        elements++;
        for (i = 0; i < count; i++) {
            if (str_caseeq(e, names[i])) {
                *set |= bits[i];
            }
        }
    }
    if (elements == 0) {
        /* 1#qop-value / 1#cipher-value: at least one element. */
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 challenge: the %s list is empty", d->name);
    }
    return SQAUTH_OK;
}

static const char *const qop_names[] = {"auth", "auth-int", "auth-conf"};
static const unsigned qop_bits[] = {
    SQAUTH_DIGEST_MD5_QOP_AUTH, SQAUTH_DIGEST_MD5_QOP_AUTH_INT, SQAUTH_DIGEST_MD5_QOP_AUTH_CONF,
};
static const char *const cipher_names[] = {"des", "3des", "rc4", "rc4-40", "rc4-56"};
static const unsigned cipher_bits[] = {
    SQAUTH_DIGEST_MD5_CIPHER_DES, SQAUTH_DIGEST_MD5_CIPHER_3DES, SQAUTH_DIGEST_MD5_CIPHER_RC4,
    SQAUTH_DIGEST_MD5_CIPHER_RC4_40, SQAUTH_DIGEST_MD5_CIPHER_RC4_56,
};

/* maxbuf-value = 1*DIGIT, "bigger than 16 and smaller or equal to 16777215"
 * (RFC 2831 §2.1.1). */
static int parse_maxbuf(const sqauth_digest_md5_directive *d, unsigned long *maxbuf, sqauth_error *err)
{
    unsigned long v = 0;
    size_t i;
    char shown[64];

    if (d->value_len == 0) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 challenge: maxbuf is empty");
    }
    for (i = 0; i < d->value_len; i++) {
        unsigned char c = (unsigned char)d->value[i];
        if (c < '0' || c > '9') {
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 challenge: maxbuf \"%s\" is not a decimal number",
                               show(shown, sizeof(shown), d->value, d->value_len));
        }
        /* Saturate instead of overflowing; anything this big is out of range. */
        if (v <= 16777215ul) {
            v = v * 10 + (unsigned long)(c - '0');
        }
    }
    if (v <= 16 || v > 16777215ul) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                           "DIGEST-MD5 challenge: maxbuf %s is out of range (17 to 16777215)",
                           show(shown, sizeof(shown), d->value, d->value_len));
    }
    *maxbuf = v;
    return SQAUTH_OK;
}

void sqauth_digest_md5_challenge_free(sqauth_digest_md5_challenge *c)
{
    if (!c) {
        return;
    }
    sqauth_digest_md5_directives_free(&c->directives);
    free(c->realms);
    memset(c, 0, sizeof(*c));
}

/* Directives that RFC 2831 §2.1.1 allows at most once; a second one is an
 * error rather than "first wins" because the client and a middlebox or the
 * server could pick different ones. */
static const char *const single_names[] = {"nonce", "qop", "charset", "algorithm", "maxbuf", "stale", "cipher"};
#define SINGLE_COUNT (sizeof(single_names) / sizeof(single_names[0]))

int sqauth_digest_md5_parse_challenge(const unsigned char *in, size_t len,
                                      sqauth_digest_md5_challenge *out, sqauth_error *err)
{
    const sqauth_digest_md5_directive *seen[SINGLE_COUNT];
    sqauth_digest_md5_directives *ds = &out->directives;
    size_t i, k, realms = 0;
    char shown[64];
    int rc;

    memset(out, 0, sizeof(*out));
    memset(seen, 0, sizeof(seen));
    if (len == 0) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 challenge is empty");
    }
    rc = parse_directives(in, len, ds, "challenge", err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (ds->count == 0) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 challenge has no directive");
    }

    for (i = 0; i < ds->count; i++) {
        const sqauth_digest_md5_directive *d = &ds->items[i];
        if (strcmp(d->name, "realm") == 0) {
            realms++;
            continue;
        }
        for (k = 0; k < SINGLE_COUNT; k++) {
            if (strcmp(d->name, single_names[k]) == 0) {
                if (seen[k]) {
                    return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                                       "DIGEST-MD5 challenge has more than one %s directive", single_names[k]);
                }
                seen[k] = d;
            }
        }
    }

    if (realms) {
        out->realms = calloc(realms, sizeof(*out->realms));
        if (!out->realms) {
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        for (i = 0; i < ds->count; i++) {
            if (strcmp(ds->items[i].name, "realm") == 0) {
                out->realms[out->realm_count].data = ds->items[i].value;
                out->realms[out->realm_count].len = ds->items[i].value_len;
                out->realm_count++;
            }
        }
    }

    /* seen[] follows single_names[]: 0 nonce, 1 qop, 2 charset, 3 algorithm,
     * 4 maxbuf, 5 stale, 6 cipher. */
    if (!seen[0]) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 challenge has no nonce directive");
    }
    if (seen[0]->value_len == 0) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 challenge has an empty nonce");
    }
    out->nonce.data = seen[0]->value;
    out->nonce.len = seen[0]->value_len;

    /* "This directive is required for backwards compatibility with HTTP
     * Digest, which supports other algorithms." Dovecot quotes it. */
    if (!seen[3]) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                           "DIGEST-MD5 challenge has no algorithm directive (RFC 2831 requires algorithm=md5-sess)");
    }
    if (!is_value(seen[3], "md5-sess")) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 challenge: algorithm is \"%s\", expected md5-sess",
                           show(shown, sizeof(shown), seen[3]->value, seen[3]->value_len));
    }

    if (seen[2]) {
        if (!is_value(seen[2], "utf-8")) {
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                               "DIGEST-MD5 challenge: charset is \"%s\", only utf-8 is allowed",
                               show(shown, sizeof(shown), seen[2]->value, seen[2]->value_len));
        }
        out->utf8 = 1;
    }

    out->qop = SQAUTH_DIGEST_MD5_QOP_AUTH;  /* §2.1.1: "the default is auth" */
    if (seen[1]) {
        rc = parse_list(seen[1], qop_names, qop_bits, sizeof(qop_bits) / sizeof(qop_bits[0]), &out->qop, err);
        if (rc != SQAUTH_OK) {
            return rc;
        }
        out->qop_raw.data = seen[1]->value;
        out->qop_raw.len = seen[1]->value_len;
    }

    out->maxbuf = 65536;
    if (seen[4]) {
        rc = parse_maxbuf(seen[4], &out->maxbuf, err);
        if (rc != SQAUTH_OK) {
            return rc;
        }
        out->maxbuf_given = 1;
    }

    if (seen[5]) {
        if (!is_value(seen[5], "true")) {
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 challenge: stale is \"%s\", only true is allowed",
                               show(shown, sizeof(shown), seen[5]->value, seen[5]->value_len));
        }
        out->stale = 1;
    }

    if (seen[6]) {
        rc = parse_list(seen[6], cipher_names, cipher_bits, sizeof(cipher_bits) / sizeof(cipher_bits[0]),
                        &out->ciphers, err);
        if (rc != SQAUTH_OK) {
            return rc;
        }
        out->cipher_raw.data = seen[6]->value;
        out->cipher_raw.len = seen[6]->value_len;
    }
    return SQAUTH_OK;
}

/* ---- response-auth ---- */

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    c = ascii_lower(c);
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    return -1;
}

int sqauth_digest_md5_parse_rspauth(const unsigned char *in, size_t len, unsigned char rspauth[16],
                                    sqauth_error *err)
{
    sqauth_digest_md5_directives ds = SQAUTH_DIGEST_MD5_DIRECTIVES_INIT;
    const sqauth_digest_md5_directive *r = NULL;
    size_t i;
    int rc;

    memset(rspauth, 0, 16);
    rc = parse_directives(in, len, &ds, "server message", err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    for (i = 0; i < ds.count; i++) {
        if (strcmp(ds.items[i].name, "rspauth") == 0) {
            if (r) {
                sqauth_digest_md5_directives_free(&ds);
                return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 server message has more than one rspauth");
            }
            r = &ds.items[i];
        }
    }
    if (!r) {
        sqauth_digest_md5_directives_free(&ds);
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 server message has no rspauth directive");
    }
    if (r->value_len != 32) {
        rc = sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 rspauth is %zu characters long, expected 32 hex digits",
                         r->value_len);
        sqauth_digest_md5_directives_free(&ds);
        return rc;
    }
    for (i = 0; i < 16; i++) {
        int hi = hex_value((unsigned char)r->value[2 * i]);
        int lo = hex_value((unsigned char)r->value[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            memset(rspauth, 0, 16);
            sqauth_digest_md5_directives_free(&ds);
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 rspauth is not 32 hex digits");
        }
        rspauth[i] = (unsigned char)(hi << 4 | lo);
    }
    sqauth_digest_md5_directives_free(&ds);
    return SQAUTH_OK;
}
