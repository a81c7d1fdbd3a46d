/*
 * SCRAM server message parsers (RFC 5802 §5.1 and §7; RFC 7677 uses the
 * same syntax). See scram_parse.h for the grammar.
 */
#include "scram_parse.h"
#include "saslprep.h"

#include <string.h>

/* Walks a message one attr-val at a time. */
typedef struct attr_iter {
    const char *msg;
    size_t len;
    size_t pos;      /* start of the next attribute; len + 1 once done */
    const char *what; /* "server-first", "server-final": for messages */
} attr_iter;

static int is_alpha(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

int sqauth_scram_nonce_valid(const char *p, size_t n)
{
    size_t i;
    if (n == 0) {
        return 0;
    }
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c < 0x21 || c > 0x7E || c == ',') {
            return 0;
        }
    }
    return 1;
}

/* Whole-message checks shared by both parsers: size, NUL, UTF-8. With
 * these done, every value is a run of value-chars and only the per
 * attribute rules remain. */
static int check_message(const unsigned char *msg, size_t len, const char *what, sqauth_error *err)
{
    if (len == 0) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "SCRAM %s message is empty", what);
    }
    if (len > SQAUTH_SCRAM_MAX_MESSAGE) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "SCRAM %s message is too long (%zu bytes, limit %d)",
                           what, len, SQAUTH_SCRAM_MAX_MESSAGE);
    }
    if (memchr(msg, '\0', len)) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "SCRAM %s message contains a NUL byte", what);
    }
    if (!sqauth_saslprep_utf8_valid(msg, len)) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "SCRAM %s message is not valid UTF-8", what);
    }
    return SQAUTH_OK;
}

/* Reads the next attr-val. Returns 1 with *name and *value set, 0 at the
 * end of the message, or a negative status. An empty value is returned as
 * such; callers decide (every attribute in the grammar needs one). */
static int next_attr(attr_iter *it, char *name, sqauth_str *value, sqauth_error *err)
{
    const char *start, *comma;
    size_t seg;

    if (it->pos > it->len) {
        return 0;
    }
    start = it->msg + it->pos;
    comma = memchr(start, ',', it->len - it->pos);
    seg = comma ? (size_t)(comma - start) : it->len - it->pos;
    it->pos += seg + 1; /* past the comma, or len + 1 at the end */
    if (seg < 2 || !is_alpha((unsigned char)start[0]) || start[1] != '=') {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                           "SCRAM %s message: attribute at offset %zu is not of the form <letter>=<value>",
                           it->what, (size_t)(start - it->msg));
    }
    *name = start[0];
    value->data = start + 2;
    value->len = seg - 2;
    return 1;
}

/* Skips the optional extensions after the fixed attributes; they are
 * ignored unless they repeat an attribute with a meaning here. */
static int skip_extensions(attr_iter *it, const char *reserved, sqauth_error *err)
{
    char name;
    sqauth_str v;
    int rc;

    while ((rc = next_attr(it, &name, &v, err)) == 1) {
        if (strchr(reserved, name)) {
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "SCRAM %s message: attribute '%c=' appears twice or out of order",
                               it->what, name);
        }
        if (v.len == 0) {
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "SCRAM %s message: extension '%c=' has an empty value",
                               it->what, name);
        }
    }
    return rc;
}

/* Decodes a base64 attribute value into out (non-empty). */
static int decode_b64_attr(sqauth_buf *out, sqauth_str v, const char *what, const char *attr, sqauth_error *err)
{
    sqauth_error sub;
    int rc;

    if (v.len == 0) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "SCRAM %s message: %s is empty", what, attr);
    }
    rc = sqauth_b64_decode(out, v.data, v.len, &sub);
    if (rc == SQAUTH_ERR_NOMEM) {
        return sqauth_fail(err, rc, "out of memory");
    }
    if (rc != SQAUTH_OK) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "SCRAM %s message: %s is not valid: %s", what, attr, sub.message);
    }
    if (out->len == 0) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "SCRAM %s message: %s is empty", what, attr);
    }
    return SQAUTH_OK;
}

/* posit-number = %x31-39 *DIGIT: no sign, no leading zero, no white space.
 * Values past what a uint64_t holds set *overflow instead of wrapping. */
static int parse_iterations(sqauth_str v, uint64_t *out, int *overflow, sqauth_error *err)
{
    size_t i;
    uint64_t n = 0;

    *out = 0;
    *overflow = 0;
    if (v.len == 0 || v.data[0] < '1' || v.data[0] > '9') {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                           "SCRAM server-first message: iteration count (i=) is not a positive decimal number");
    }
    for (i = 0; i < v.len; i++) {
        unsigned d = (unsigned char)v.data[i] - '0';
        if (d > 9) {
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                               "SCRAM server-first message: iteration count (i=) is not a positive decimal number");
        }
        if (n > (UINT64_MAX - d) / 10) {
            *overflow = 1;
        } else {
            n = n * 10 + d;
        }
    }
    *out = *overflow ? UINT64_MAX : n;
    return SQAUTH_OK;
}

static int expect_attr(attr_iter *it, char want, const char *label, sqauth_str *value, sqauth_error *err)
{
    char name;
    int rc = next_attr(it, &name, value, err);

    if (rc < 0) {
        return rc;
    }
    if (rc == 0) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "SCRAM %s message: the %s (%c=) is missing",
                           it->what, label, want);
    }
    if (name != want) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "SCRAM %s message: expected the %s (%c=), got '%c='",
                           it->what, label, want, name);
    }
    return SQAUTH_OK;
}

int sqauth_scram_parse_server_first(const unsigned char *msg, size_t len,
                                    sqauth_scram_server_first *out, sqauth_error *err)
{
    attr_iter it;
    sqauth_str v;
    char name;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = check_message(msg, len, "server-first", err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    it.msg = (const char *)msg;
    it.len = len;
    it.pos = 0;
    it.what = "server-first";

    /* Peek at the first attribute for m= and e=. */
    rc = next_attr(&it, &name, &v, err);
    if (rc < 0) {
        return rc;
    }
    if (name == 'm') {
        /* RFC 5802 §5.1: a client that does not understand a mandatory
         * extension must fail. Its value is not echoed: it is server data. */
        return sqauth_fail(err, SQAUTH_ERR_UNSUPPORTED,
                           "SCRAM server requires a mandatory extension (m=) that sqauth does not support");
    }
    if (name == 'e') {
        if (v.len == 0) {
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "SCRAM server-first message: empty server error (e=)");
        }
        out->server_error = v;
        return SQAUTH_OK;
    }
    it.pos = 0; /* re-read it as r= */

    rc = expect_attr(&it, 'r', "nonce", &v, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (v.len > SQAUTH_SCRAM_MAX_NONCE) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "SCRAM server-first message: nonce (r=) is too long (%zu bytes, limit %d)",
                           v.len, SQAUTH_SCRAM_MAX_NONCE);
    }
    if (!sqauth_scram_nonce_valid(v.data, v.len)) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                           "SCRAM server-first message: nonce (r=) is empty or has characters outside printable ASCII");
    }
    out->nonce = v;

    rc = expect_attr(&it, 's', "salt", &v, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    if (v.len > SQAUTH_SCRAM_MAX_SALT) {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "SCRAM server-first message: salt (s=) is too long (%zu bytes, limit %d)",
                           v.len, SQAUTH_SCRAM_MAX_SALT);
    }
    rc = decode_b64_attr(&out->salt, v, "server-first", "salt (s=)", err);
    if (rc != SQAUTH_OK) {
        return rc;
    }

    rc = expect_attr(&it, 'i', "iteration count", &v, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    rc = parse_iterations(v, &out->iterations, &out->iterations_overflow, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    return skip_extensions(&it, "mrsi", err);
}

void sqauth_scram_server_first_free(sqauth_scram_server_first *sf)
{
    sqauth_buf_free(&sf->salt);
    memset(sf, 0, sizeof(*sf));
}

int sqauth_scram_parse_server_final(const unsigned char *msg, size_t len,
                                    sqauth_scram_server_final *out, sqauth_error *err)
{
    attr_iter it;
    sqauth_str v;
    char name;
    int rc;

    memset(out, 0, sizeof(*out));
    rc = check_message(msg, len, "server-final", err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    it.msg = (const char *)msg;
    it.len = len;
    it.pos = 0;
    it.what = "server-final";

    rc = next_attr(&it, &name, &v, err);
    if (rc < 0) {
        return rc;
    }
    if (name == 'e') {
        if (v.len == 0) {
            return sqauth_fail(err, SQAUTH_ERR_MALFORMED, "SCRAM server-final message: empty server error (e=)");
        }
        out->server_error = v;
    } else if (name == 'v') {
        rc = decode_b64_attr(&out->verifier, v, "server-final", "server signature (v=)", err);
        if (rc != SQAUTH_OK) {
            return rc;
        }
    } else {
        return sqauth_fail(err, SQAUTH_ERR_MALFORMED,
                           "SCRAM server-final message: expected the server signature (v=) or an error (e=), got '%c='", name);
    }
    return skip_extensions(&it, "ev", err);
}

void sqauth_scram_server_final_free(sqauth_scram_server_final *sf)
{
    sqauth_buf_free(&sf->verifier);
    memset(sf, 0, sizeof(*sf));
}
