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

/* One table lookup per byte in the scanning loops:
 *   TOKEN   token = 1*<any CHAR except CTLs or separators>: 33-126 without
 *           ( ) < > @ , ; : \ " / [ ] ? = { }
 *   LWS     LWS = [CRLF] 1*( SP | HT ); a bare CR or LF between elements is
 *           accepted too, since it cannot change the meaning
 *   QDTEXT  a byte that stands for itself in a quoted-string: TEXT (no
 *           control character but HT) other than '"' and '\'
 * tests/core checks the token class against its definition for every
 * byte; the others are exercised by the parser tests. */
#define TOKEN 1
#define LWS 2
#define QDTEXT 4
static const unsigned char byte_class[256] = {
    0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 2, 0, 0, 2, 0, 0,  /* 0x00 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  /* 0x10 */
    6, 5, 0, 5, 5, 5, 5, 5, 4, 4, 5, 5, 4, 5, 5, 4,  /* 0x20 */
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 4, 4, 4, 4, 4,  /* 0x30 */
    4, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,  /* 0x40 */
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 0, 4, 5, 5,  /* 0x50 */
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5,  /* 0x60 */
    5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 5, 4, 5, 4, 5, 0,  /* 0x70 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,  /* 0x80 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,  /* 0x90 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,  /* 0xa0 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,  /* 0xb0 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,  /* 0xc0 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,  /* 0xd0 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,  /* 0xe0 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4,  /* 0xf0 */
};

static int is_lws(unsigned char c)
{
    return byte_class[c] & LWS;
}

static int is_token_char(unsigned char c)
{
    return byte_class[c] & TOKEN;
}

int sqauth_digest_md5_is_token_char(unsigned char c)
{
    return is_token_char(c);
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

/* A server value for a message, long values cut with "...". Whole UTF-8
 * sequences are kept ("jürgen" stays readable) and a cut never splits one;
 * sqauth_fail() escapes control characters and bytes that are not UTF-8. */
static const char *show(char *buf, size_t cap, const char *v, size_t len)
{
    size_t i = 0, n = 0;

    while (i < len && i < VALUE_SHOWN) {
        size_t k = sqauth_utf8_sequence((const unsigned char *)v + i, len - i);
        if (k == 0) {
            k = 1;
        }
        if (n + k + 4 > cap) {
            break;
        }
        memcpy(buf + n, v + i, k);
        n += k;
        i += k;
    }
    if (i < len && n + 4 <= cap) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

/* ---- syntax ---- */

static size_t skip_lws(const unsigned char *in, size_t len, size_t pos)
{
    while (pos < len && is_lws(in[pos])) {
        pos++;
    }
    return pos;
}

static size_t skip_token(const unsigned char *in, size_t len, size_t pos)
{
    while (pos < len && is_token_char(in[pos])) {
        pos++;
    }
    return pos;
}

/* One directive where it stands in the input. */
typedef struct raw_directive {
    const unsigned char *name;   /* NULL once there are no more */
    size_t name_len;
    const unsigned char *value;  /* a token, or the inside of a quoted-string, quoted-pairs and all */
    size_t value_len;            /* input bytes */
    size_t text_len;             /* bytes once the quoted-pairs are undone */
    int quoted;
} raw_directive;

/* The directive name of d as messages show it: lowercased, cut. */
static const char *message_name(char buf[NAME_SHOWN + 1], const raw_directive *d)
{
    size_t i, n = d->name_len < NAME_SHOWN ? d->name_len : NAME_SHOWN;

    for (i = 0; i < n; i++) {
        buf[i] = (char)ascii_lower(d->name[i]);
    }
    buf[n] = '\0';
    return buf;
}

/* The checks on a whole message, before its directives. */
static int check_message(const unsigned char *in, size_t len, const char *label, sqauth_error *err)
{
    const unsigned char *nul;

    if (len > SQAUTH_DIGEST_MD5_MAX_CHALLENGE) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                           "DIGEST-MD5 %s is %zu bytes; RFC 2831 allows at most %d",
                           label, len, SQAUTH_DIGEST_MD5_MAX_CHALLENGE);
    }
    nul = len ? memchr(in, '\0', len) : NULL;
    if (nul) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 %s contains a NUL byte at offset %zu",
                           label, (size_t)(nul - in));
    }
    return SQAUTH_OK;
}

/* Reads the directive at or after *pos (LWS and the null elements of the
 * #rule skipped) up to the ',' or the end after it, checking the syntax on
 * the way: every byte is looked at once. d->name is NULL at the end. */
static int next_directive(const unsigned char *in, size_t len, size_t *pos, raw_directive *d, const char *label,
                          sqauth_error *err)
{
    char what[32], name[NAME_SHOWN + 1];
    size_t p = *pos, start, text;

    d->name = NULL;
    for (;;) {
        p = skip_lws(in, len, p);
        if (p >= len) {
            *pos = p;
            return SQAUTH_OK;
        }
        /* #rule: null elements (",,", a leading or trailing ',') are allowed. */
        if (in[p] != ',') {
            break;
        }
        p++;
    }

    start = p;
    p = skip_token(in, len, p);
    if (p == start) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                           "DIGEST-MD5 %s: expected a directive name at offset %zu, found %s",
                           label, p, describe(what, sizeof(what), in, len, p));
    }
    d->name = in + start;
    d->name_len = p - start;

    p = skip_lws(in, len, p);
    if (p >= len || in[p] != '=') {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                           "DIGEST-MD5 %s: directive \"%s\" is not followed by '=' (found %s at offset %zu)",
                           label, message_name(name, d), describe(what, sizeof(what), in, len, p), p);
    }
    p = skip_lws(in, len, p + 1);

    if (p < len && in[p] == '"') {
        /* quoted-string: qdtext is TEXT, so no control characters but HT.
         * They have no use in a realm or nonce, and we echo both back. */
        size_t escapes = 0;

        start = ++p;
        for (;;) {
            unsigned char c;
            while (p < len && (byte_class[in[p]] & QDTEXT)) {
                p++;
            }
            if (p >= len) {
                return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                                   "DIGEST-MD5 %s: the quoted value of \"%s\" is not terminated",
                                   label, message_name(name, d));
            }
            c = in[p];
            if (c == '"') {
                break;
            }
            if (c == '\\') {
                /* quoted-pair = "\" CHAR: the next byte stands for itself. */
                if (p + 1 >= len) {
                    return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                                       "DIGEST-MD5 %s: the quoted value of \"%s\" ends in a lone backslash",
                                       label, message_name(name, d));
                }
                c = in[++p];
                escapes++;
            }
            if ((c < 32 && c != '\t') || c == 127) {
                return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                                   "DIGEST-MD5 %s: control character 0x%02x in the value of \"%s\" at offset %zu",
                                   label, c, message_name(name, d), p);
            }
            p++;
        }
        text = p - start - escapes;
        d->value = in + start;
        d->value_len = p - start;
        d->text_len = text;
        d->quoted = 1;
        p++;    /* the closing quote */
    } else {
        start = p;
        p = skip_token(in, len, p);
        if (p == start) {
            if (p >= len || in[p] == ',') {
                return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 %s: directive \"%s\" has no value",
                                   label, message_name(name, d));
            }
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                               "DIGEST-MD5 %s: the value of \"%s\" starts with %s at offset %zu; "
                               "expected a token or a quoted string",
                               label, message_name(name, d), describe(what, sizeof(what), in, len, p), p);
        }
        d->value = in + start;
        d->value_len = d->text_len = p - start;
        d->quoted = 0;
    }

    p = skip_lws(in, len, p);
    if (p < len && in[p] != ',') {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                           "DIGEST-MD5 %s: expected ',' after the value of \"%s\" at offset %zu, found %s",
                           label, message_name(name, d), p, describe(what, sizeof(what), in, len, p));
    }
    *pos = p;
    return SQAUTH_OK;
}

/* Writes d's value with its quoted-pairs undone and a NUL: d->text_len + 1
 * bytes. */
static char *put_value(char *dst, const raw_directive *d)
{
    size_t i, n = 0;

    if (d->text_len == d->value_len) {
        memcpy(dst, d->value, d->value_len);
    } else {
        for (i = 0; i < d->value_len; i++) {
            if (d->value[i] == '\\') {
                i++;
            }
            dst[n++] = (char)d->value[i];
        }
    }
    dst[d->text_len] = '\0';
    return dst;
}

/* 1 when d is called name, a lowercase literal of letters only, in any
 * case: a name is a token, and for a token byte c and a letter l,
 * (c | 0x20) == l only when c is l or its capital. */
static int name_is(const raw_directive *d, const char *name, size_t n)
{
    size_t i;

    if (d->name_len != n) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if ((d->name[i] | 0x20) != (unsigned char)name[i]) {
            return 0;
        }
    }
    return 1;
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
 * bytes they came from, plus two NULs. */
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

static int parse_directives(const unsigned char *in, size_t len, sqauth_digest_md5_directives *out,
                            const char *label, sqauth_error *err)
{
    raw_directive d;
    size_t pos = 0, i;
    int rc;

    sqauth_digest_md5_directives_free(out);
    rc = check_message(in, len, label, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (reserve(out, in, len) != SQAUTH_OK) {
        sqauth_digest_md5_directives_free(out);
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    for (;;) {
        sqauth_digest_md5_directive *item;
        char *name;

        rc = next_directive(in, len, &pos, &d, label, err);
        if (rc != SQAUTH_OK) {
            sqauth_digest_md5_directives_free(out);
            return rc;
        }
        if (!d.name) {
            return SQAUTH_OK;
        }
        name = out->strings + out->strings_used;
        for (i = 0; i < d.name_len; i++) {
            name[i] = (char)ascii_lower(d.name[i]);
        }
        name[d.name_len] = '\0';
        item = &out->items[out->count++];
        item->name = name;
        item->name_len = d.name_len;
        item->value = put_value(name + d.name_len + 1, &d);
        item->value_len = d.text_len;
        item->quoted = d.quoted;
        out->strings_used += d.name_len + 1 + d.text_len + 1;
    }
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
        p = skip_token(in, len, p);
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

/* ASCII case-insensitive a == b, b a lowercase literal. */
static int str_caseeq(sqauth_str a, const char *b)
{
    size_t i, n = strlen(b);

    if (a.len != n) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        if (ascii_lower((unsigned char)a.data[i]) != (unsigned char)b[i]) {
            return 0;
        }
    }
    return 1;
}

/* Splits a qop or cipher value into a bit set; unknown elements are ignored
 * (RFC 2831 §2.1.1: "The client MUST ignore unrecognized options"). */
static int parse_list(sqauth_str v, const char *what, const char *const *names, const unsigned *bits, size_t count,
                      unsigned *set, sqauth_error *err)
{
    size_t pos = 0, i, elements = 0;
    sqauth_str e;
    int rc;

    *set = 0;
    for (;;) {
        rc = sqauth_digest_md5_list_next(v.data, v.len, &pos, &e, what, err);
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
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 challenge: the %s list is empty", what);
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
static int parse_maxbuf(sqauth_str v, unsigned long *maxbuf, sqauth_error *err)
{
    unsigned long n = 0;
    size_t i;
    char shown[64];

    if (v.len == 0) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 challenge: maxbuf is empty");
    }
    for (i = 0; i < v.len; i++) {
        unsigned char c = (unsigned char)v.data[i];
        if (c < '0' || c > '9') {
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 challenge: maxbuf \"%s\" is not a decimal number",
                               show(shown, sizeof(shown), v.data, v.len));
        }
        /* Saturate instead of overflowing; anything this big is out of range. */
        if (n <= 16777215ul) {
            n = n * 10 + (unsigned long)(c - '0');
        }
    }
    if (n <= 16 || n > 16777215ul) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                           "DIGEST-MD5 challenge: maxbuf %s is out of range (17 to 16777215)",
                           show(shown, sizeof(shown), v.data, v.len));
    }
    *maxbuf = n;
    return SQAUTH_OK;
}

void sqauth_digest_md5_challenge_init(sqauth_digest_md5_challenge *c)
{
    /* Field by field: the inline realms and the text block need no zeros. */
    c->realms = c->realm_inline;
    c->realm_count = 0;
    c->realm_cap = sizeof(c->realm_inline) / sizeof(c->realm_inline[0]);
    c->nonce = c->qop_raw = c->cipher_raw = SQAUTH_STR_NULL;
    c->qop = c->ciphers = 0;
    c->maxbuf = 0;
    c->maxbuf_given = c->stale = c->utf8 = 0;
    c->directive_count = 0;
    c->text_used = 0;
}

void sqauth_digest_md5_challenge_free(sqauth_digest_md5_challenge *c)
{
    if (!c) {
        return;
    }
    if (c->realms != c->realm_inline) {
        free(c->realms);
    }
    sqauth_digest_md5_challenge_init(c);
}

/* The directives RFC 2831 §2.1.1 allows at most once, then realm (any
 * number) and the rest (ignored). A second single one is an error rather
 * than "first wins" because the client and a middlebox or the server could
 * pick different ones. */
enum { D_NONCE, D_QOP, D_CHARSET, D_ALGORITHM, D_MAXBUF, D_STALE, D_CIPHER, D_SINGLE, D_REALM = D_SINGLE, D_OTHER };
static const char *const single_names[D_SINGLE] = {"nonce", "qop", "charset", "algorithm", "maxbuf", "stale", "cipher"};

/* Which directive d is: by length first, so that most names take one
 * comparison. */
static int classify(const raw_directive *d)
{
    switch (d->name_len) {
    case 3:
        return name_is(d, "qop", 3) ? D_QOP : D_OTHER;
    case 5:
        return name_is(d, "realm", 5) ? D_REALM : name_is(d, "nonce", 5) ? D_NONCE
            : name_is(d, "stale", 5) ? D_STALE : D_OTHER;
    case 6:
        return name_is(d, "maxbuf", 6) ? D_MAXBUF : name_is(d, "cipher", 6) ? D_CIPHER : D_OTHER;
    case 7:
        return name_is(d, "charset", 7) ? D_CHARSET : D_OTHER;
    case 9:
        return name_is(d, "algorithm", 9) ? D_ALGORITHM : D_OTHER;
    default:
        return D_OTHER;
    }
}

/* d's value into the challenge's own text (check_message() bounds the
 * input, and no value is longer than the input bytes it came from). */
static sqauth_str keep_value(sqauth_digest_md5_challenge *c, const raw_directive *d)
{
    sqauth_str v;

    v.data = put_value(c->text + c->text_used, d);
    v.len = d->text_len;
    c->text_used += d->text_len + 1;
    return v;
}

static int add_realm(sqauth_digest_md5_challenge *c, sqauth_str v)
{
    if (c->realm_count == c->realm_cap) {
        /* Doubling: a challenge of many realms costs linear time. */
        size_t cap = 2 * c->realm_cap;
        sqauth_str *r = malloc(cap * sizeof(*r));
        if (!r) {
            return SQAUTH_ERR_NOMEM;
        }
        memcpy(r, c->realms, c->realm_count * sizeof(*r));
        if (c->realms != c->realm_inline) {
            free(c->realms);
        }
        c->realms = r;
        c->realm_cap = cap;
    }
    c->realms[c->realm_count++] = v;
    return SQAUTH_OK;
}

int sqauth_digest_md5_parse_challenge(const unsigned char *in, size_t len,
                                      sqauth_digest_md5_challenge *out, sqauth_error *err)
{
    sqauth_str single[D_SINGLE];
    raw_directive d;
    size_t pos = 0;
    int kind, duplicate = D_OTHER;
    char shown[64];
    int rc;

    sqauth_digest_md5_challenge_init(out);
    memset(single, 0, sizeof(single));
    if (len == 0) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 challenge is empty");
    }
    rc = check_message(in, len, "challenge", err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    /* One pass: the syntax of every directive, the values of the known
     * ones kept; a repeated single directive is reported once the syntax of
     * the whole message is known to be good. */
    for (;;) {
        rc = next_directive(in, len, &pos, &d, "challenge", err);
        if (rc != SQAUTH_OK) {
            return rc;
        }
        if (!d.name) {
            break;
        }
        out->directive_count++;
        kind = classify(&d);
        if (kind == D_REALM) {
            if (add_realm(out, keep_value(out, &d)) != SQAUTH_OK) {
                return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
            }
        } else if (kind != D_OTHER) {
            if (single[kind].data) {
                if (duplicate == D_OTHER) {
                    duplicate = kind;
                }
            } else {
                single[kind] = keep_value(out, &d);
            }
        }
    }
    if (out->directive_count == 0) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 challenge has no directive");
    }
    if (duplicate != D_OTHER) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 challenge has more than one %s directive",
                           single_names[duplicate]);
    }

    if (!single[D_NONCE].data) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 challenge has no nonce directive");
    }
    if (single[D_NONCE].len == 0) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 challenge has an empty nonce");
    }
    out->nonce = single[D_NONCE];

    /* "This directive is required for backwards compatibility with HTTP
     * Digest, which supports other algorithms." Dovecot quotes it. */
    if (!single[D_ALGORITHM].data) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                           "DIGEST-MD5 challenge has no algorithm directive (RFC 2831 requires algorithm=md5-sess)");
    }
    if (!str_caseeq(single[D_ALGORITHM], "md5-sess")) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 challenge: algorithm is \"%s\", expected md5-sess",
                           show(shown, sizeof(shown), single[D_ALGORITHM].data, single[D_ALGORITHM].len));
    }

    if (single[D_CHARSET].data) {
        if (!str_caseeq(single[D_CHARSET], "utf-8")) {
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                               "DIGEST-MD5 challenge: charset is \"%s\", only utf-8 is allowed",
                               show(shown, sizeof(shown), single[D_CHARSET].data, single[D_CHARSET].len));
        }
        out->utf8 = 1;
    }

    out->qop = SQAUTH_DIGEST_MD5_QOP_AUTH;  /* §2.1.1: "the default is auth" */
    if (single[D_QOP].data) {
        rc = parse_list(single[D_QOP], "qop", qop_names, qop_bits, sizeof(qop_bits) / sizeof(qop_bits[0]), &out->qop,
                        err);
        if (rc != SQAUTH_OK) {
            return rc;
        }
        out->qop_raw = single[D_QOP];
    }

    out->maxbuf = 65536;
    if (single[D_MAXBUF].data) {
        rc = parse_maxbuf(single[D_MAXBUF], &out->maxbuf, err);
        if (rc != SQAUTH_OK) {
            return rc;
        }
        out->maxbuf_given = 1;
    }

    if (single[D_STALE].data) {
        if (!str_caseeq(single[D_STALE], "true")) {
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 challenge: stale is \"%s\", only true is allowed",
                               show(shown, sizeof(shown), single[D_STALE].data, single[D_STALE].len));
        }
        out->stale = 1;
    }

    if (single[D_CIPHER].data) {
        rc = parse_list(single[D_CIPHER], "cipher", cipher_names, cipher_bits,
                        sizeof(cipher_bits) / sizeof(cipher_bits[0]), &out->ciphers, err);
        if (rc != SQAUTH_OK) {
            return rc;
        }
        out->cipher_raw = single[D_CIPHER];
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
    raw_directive d, r;
    char hex[33];
    size_t pos = 0, i;
    int rc;

    memset(rspauth, 0, 16);
    r.name = NULL;
    rc = check_message(in, len, "server message", err);
    while (rc == SQAUTH_OK) {
        rc = next_directive(in, len, &pos, &d, "server message", err);
        if (rc != SQAUTH_OK || !d.name) {
            break;
        }
        if (name_is(&d, "rspauth", 7)) {
            if (r.name) {
                /* Reported once the whole message is known to parse. */
                r.value = NULL;
            } else {
                r = d;
            }
        }
    }
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (!r.name) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 server message has no rspauth directive");
    }
    if (!r.value) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 server message has more than one rspauth");
    }
    if (r.text_len != 32) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                           "DIGEST-MD5 rspauth is %zu characters long, expected 32 hex digits", r.text_len);
    }
    put_value(hex, &r);
    for (i = 0; i < 16; i++) {
        int hi = hex_value((unsigned char)hex[2 * i]);
        int lo = hex_value((unsigned char)hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            memset(rspauth, 0, 16);
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "DIGEST-MD5 rspauth is not 32 hex digits");
        }
        rspauth[i] = (unsigned char)(hi << 4 | lo);
    }
    return SQAUTH_OK;
}
