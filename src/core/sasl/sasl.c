/*
 * sqauth SASL client core (RFC 4422): registry, selection and the session
 * life cycle shared by every mechanism.
 */
#include "sasl.h"

#include <stdlib.h>
#include <string.h>

/* Strongest first is not required here; sqauth_sasl_select() sorts by
 * strength. This order is what SqAuth\mechanisms() lists. */
static const sqauth_sasl_mech *const registry[] = {
    &sqauth_mech_scram_sha_256_plus,
    &sqauth_mech_scram_sha_1_plus,
    &sqauth_mech_scram_sha_256,
    &sqauth_mech_scram_sha_1,
    &sqauth_mech_digest_md5,
    &sqauth_mech_cram_md5,
    &sqauth_mech_plain,
    &sqauth_mech_login,
    &sqauth_mech_oauthbearer,
    &sqauth_mech_xoauth2,
    &sqauth_mech_external,
};

#define REGISTRY_COUNT (sizeof(registry) / sizeof(registry[0]))

size_t sqauth_sasl_mech_count(void)
{
    return REGISTRY_COUNT;
}

const sqauth_sasl_mech *sqauth_sasl_mech_at(size_t i)
{
    return i < REGISTRY_COUNT ? registry[i] : NULL;
}

const sqauth_sasl_mech *sqauth_sasl_find(const char *name, size_t len)
{
    size_t i;
    for (i = 0; i < REGISTRY_COUNT; i++) {
        const char *n = registry[i]->name;
        if (strlen(n) == len && sqauth_strncaseeq(n, name, len)) {
            return registry[i];
        }
    }
    return NULL;
}

static int listed(const sqauth_str *list, size_t count, const char *name)
{
    size_t i, n = strlen(name);
    for (i = 0; i < count; i++) {
        if (list[i].data && list[i].len == n && sqauth_strncaseeq(list[i].data, name, n)) {
            return 1;
        }
    }
    return 0;
}

const char *sqauth_sasl_select(const sqauth_str *offered, size_t offered_count,
                               const sqauth_str *allowed, size_t allowed_count, int encrypted)
{
    const sqauth_sasl_mech *best = NULL;
    size_t i;

    for (i = 0; i < REGISTRY_COUNT; i++) {
        const sqauth_sasl_mech *m = registry[i];
        if (!listed(offered, offered_count, m->name)) {
            continue;
        }
        if (allowed) {
            if (!listed(allowed, allowed_count, m->name)) {
                continue;
            }
        } else if (!(m->flags & SQAUTH_MECH_NEEDS_PASSWORD) || (m->flags & SQAUTH_MECH_CHANNEL_BIND)) {
            continue;
        }
        if ((m->flags & SQAUTH_MECH_CLEARTEXT) && !encrypted) {
            continue;
        }
        if (!best || m->strength > best->strength) {
            best = m;
        }
    }
    return best ? best->name : NULL;
}

int sqauth_owned_set(sqauth_owned *o, sqauth_str s)
{
    sqauth_owned_wipe(o);
    if (!s.data) {
        return SQAUTH_OK;
    }
    o->data = sqauth_memdup(s.data, s.len);
    if (!o->data) {
        return SQAUTH_ERR_NOMEM;
    }
    o->len = s.len;
    return SQAUTH_OK;
}

void sqauth_owned_wipe(sqauth_owned *o)
{
    sqauth_free_secret(o->data, o->len);
    o->data = NULL;
    o->len = 0;
}

int sqauth_sasl_set_server_error(sqauth_sasl *s, const void *p, size_t n)
{
    sqauth_str v;
    v.data = p;
    v.len = n;
    return sqauth_owned_set(&s->server_error, v);
}

int sqauth_sasl_append_saslname(sqauth_buf *out, const char *p, size_t n)
{
    size_t i, run = 0;

    /* Runs without ',' or '=' are copied in one go. */
    for (i = 0; i < n; i++) {
        if (p[i] == ',' || p[i] == '=') {
            if (sqauth_buf_append(out, p + run, i - run) != SQAUTH_OK
                || sqauth_buf_append_str(out, p[i] == ',' ? "=2C" : "=3D") != SQAUTH_OK) {
                return SQAUTH_ERR_NOMEM;
            }
            run = i + 1;
        }
    }
    return sqauth_buf_append(out, p + run, n - run);
}

static int has_nul(sqauth_str s)
{
    return s.data && memchr(s.data, '\0', s.len) != NULL;
}

static const char *default_qop[] = {"auth"};

/* The session's own copies of the caller's strings, each with a NUL, and
 * of the qop list, in one block (s->strings): a session is made per login
 * and per SquirrelMail-style helper call, and one allocation instead of a
 * dozen is measurable there. The qop pointers come first (the block is
 * malloc-aligned), the bytes after. */
static int copy_strings(sqauth_sasl *s, const sqauth_sasl_config *cfg, const char *const *qop, size_t qop_count)
{
    sqauth_owned *dst[] = {&s->authcid, &s->password, &s->authzid, &s->token, &s->service, &s->host,
                           &s->realm, &s->cnonce, &s->cb_type, &s->cb_data, &s->cipher};
    const sqauth_str *src[] = {&cfg->authcid, &cfg->password, &cfg->authzid, &cfg->token, &cfg->service,
                               &cfg->host, &cfg->realm, &cfg->cnonce, &cfg->cb_type, &cfg->cb_data, &cfg->cipher};
    size_t total = qop_count * sizeof(char *), i;
    char *p;

    for (i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
        if (src[i]->data) {
            if (src[i]->len > ((size_t)-1 >> 2) - total) {
                return SQAUTH_ERR_NOMEM;
            }
            total += src[i]->len + 1;
        }
    }
    for (i = 0; i < qop_count; i++) {
        total += strlen(qop[i]) + 1;
    }
    s->strings = malloc(total ? total : 1);
    if (!s->strings) {
        return SQAUTH_ERR_NOMEM;
    }
    s->strings_len = total;
    s->qop = qop_count ? (char **)(void *)s->strings : NULL;
    s->qop_count = qop_count;
    p = s->strings + qop_count * sizeof(char *);
    for (i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
        if (src[i]->data) {
            memcpy(p, src[i]->data, src[i]->len);
            p[src[i]->len] = '\0';
            dst[i]->data = p;
            dst[i]->len = src[i]->len;
            p += src[i]->len + 1;
        }
    }
    for (i = 0; i < qop_count; i++) {
        size_t n = strlen(qop[i]) + 1;
        memcpy(p, qop[i], n);
        s->qop[i] = p;
        p += n;
    }
    return SQAUTH_OK;
}

int sqauth_sasl_check_config(const sqauth_sasl_mech *m, const sqauth_sasl_config *cfg, sqauth_error *err)
{
    unsigned maxbuf = cfg->maxbuf ? cfg->maxbuf : SQAUTH_SASL_DEFAULT_MAXBUF;
    unsigned min_iterations = cfg->min_iterations ? cfg->min_iterations : SQAUTH_SCRAM_DEFAULT_MIN_ITERATIONS;
    unsigned max_iterations = cfg->max_iterations ? cfg->max_iterations : SQAUTH_SCRAM_DEFAULT_MAX_ITERATIONS;

    /* Credentials the mechanism cannot work without, checked up front so
     * that no exchange is started that is bound to fail half-way. */
    if ((m->flags & SQAUTH_MECH_NEEDS_PASSWORD) && (!cfg->authcid.data || !cfg->password.data)) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "%s needs the credentials 'authcid' and 'password'", m->name);
    }
    if ((m->flags & SQAUTH_MECH_NEEDS_TOKEN) && (!cfg->token.data || !cfg->token.len)) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "%s needs the credential 'token'", m->name);
    }
    if ((m->flags & SQAUTH_MECH_CHANNEL_BIND) && (!cfg->cb_type.data || !cfg->cb_data.data)) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "%s needs TLS channel-binding data (option 'channel_binding')",
                           m->name);
    }
    if (has_nul(cfg->authcid) || has_nul(cfg->password) || has_nul(cfg->authzid) || has_nul(cfg->token)) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "credentials must not contain NUL bytes");
    }
    if (has_nul(cfg->service) || has_nul(cfg->host) || has_nul(cfg->realm) || has_nul(cfg->cnonce)
        || has_nul(cfg->cipher)) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "options must not contain NUL bytes");
    }
    if (maxbuf < SQAUTH_SASL_MIN_MAXBUF || maxbuf > SQAUTH_SASL_MAX_MAXBUF) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "maxbuf must be between %u and %u, got %u",
                           SQAUTH_SASL_MIN_MAXBUF, SQAUTH_SASL_MAX_MAXBUF, maxbuf);
    }
    if (min_iterations > max_iterations) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "min_iterations is larger than max_iterations");
    }
    return SQAUTH_OK;
}

int sqauth_sasl_new(sqauth_sasl **out, const char *mech_name, size_t mech_name_len,
                    const sqauth_sasl_config *cfg, sqauth_error *err)
{
    const sqauth_sasl_mech *m;
    sqauth_sasl *s;
    const char *const *qop;
    size_t qop_count;
    int rc;

    *out = NULL;
    m = sqauth_sasl_find(mech_name, mech_name_len);
    if (!m) {
        return sqauth_fail(err, SQAUTH_ERR_UNSUPPORTED, "unsupported SASL mechanism \"%.*s\"",
                           (int)(mech_name_len > 64 ? 64 : mech_name_len), mech_name);
    }
    rc = sqauth_sasl_check_config(m, cfg, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    s = calloc(1, sizeof(*s));
    if (!s) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    s->mech = m;
    s->port = cfg->port;
    s->min_iterations = cfg->min_iterations ? cfg->min_iterations : SQAUTH_SCRAM_DEFAULT_MIN_ITERATIONS;
    s->max_iterations = cfg->max_iterations ? cfg->max_iterations : SQAUTH_SCRAM_DEFAULT_MAX_ITERATIONS;
    s->maxbuf = cfg->maxbuf ? cfg->maxbuf : SQAUTH_SASL_DEFAULT_MAXBUF;
    s->digest_hash_utf8 = cfg->digest_hash_utf8;
    s->no_key_cache = cfg->no_key_cache;

    qop = cfg->qop ? cfg->qop : default_qop;
    qop_count = cfg->qop ? cfg->qop_count : 1;
    if (copy_strings(s, cfg, qop, qop_count) != SQAUTH_OK) {
        sqauth_sasl_free(s);
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    *out = s;
    return SQAUTH_OK;
}

/* Once a step failed, the session holds partial state: refuse to go on. */
static int fail_session(sqauth_sasl *s, int rc, sqauth_buf *out)
{
    s->failed = 1;
    sqauth_buf_reset(out);
    return rc;
}

int sqauth_sasl_start(sqauth_sasl *s, sqauth_buf *out, int *has_output, sqauth_error *err)
{
    int rc;

    *has_output = 0;
    if (s->failed) {
        return sqauth_fail(err, SQAUTH_ERR_STATE, "the SASL exchange already failed");
    }
    if (s->started) {
        return sqauth_fail(err, SQAUTH_ERR_STATE, "start() was already called");
    }
    s->started = 1;
    if (!s->mech->start) {
        return SQAUTH_OK;
    }
    rc = s->mech->start(s, out, has_output, err);
    if (rc != SQAUTH_OK) {
        *has_output = 0;
        return fail_session(s, rc, out);
    }
    return SQAUTH_OK;
}

int sqauth_sasl_step(sqauth_sasl *s, const unsigned char *in, size_t in_len,
                     sqauth_buf *out, sqauth_error *err)
{
    int rc;

    if (s->failed) {
        return sqauth_fail(err, SQAUTH_ERR_STATE, "the SASL exchange already failed");
    }
    if (!s->started) {
        if (s->mech->flags & SQAUTH_MECH_CLIENT_FIRST) {
            return sqauth_fail(err, SQAUTH_ERR_STATE, "%s sends the first message: call start() first", s->mech->name);
        }
        s->started = 1;
    }
    if (s->complete) {
        return fail_session(s, sqauth_fail(err, SQAUTH_ERR_STATE,
                            "the %s exchange is already complete; the server sent an unexpected challenge",
                            s->mech->name), out);
    }
    if (!s->mech->step) {
        return fail_session(s, sqauth_fail(err, SQAUTH_ERR_STATE,
                            "%s expects no challenge", s->mech->name), out);
    }
    rc = s->mech->step(s, in, in_len, out, err);
    if (rc != SQAUTH_OK) {
        return fail_session(s, rc, out);
    }
    return SQAUTH_OK;
}

void sqauth_sasl_free(sqauth_sasl *s)
{
    if (!s) {
        return;
    }
    if (s->mech && s->mech->dispose) {
        s->mech->dispose(s);
    }
    if (s->layer_ops && s->layer_ctx) {
        s->layer_ops->free(s->layer_ctx);
    }
    sqauth_free_secret(s->strings, s->strings_len); /* authcid ... cipher, qop */
    sqauth_owned_wipe(&s->server_error);
    sqauth_cleanse(s, sizeof(*s));
    free(s);
}

const char *sqauth_sasl_layer_name(int layer)
{
    switch (layer) {
    case SQAUTH_LAYER_INT:
        return "auth-int";
    case SQAUTH_LAYER_CONF:
        return "auth-conf";
    default:
        return NULL;
    }
}

int sqauth_sasl_nonce(sqauth_sasl *s, sqauth_buf *out, size_t random_bytes, sqauth_error *err)
{
    unsigned char raw[64];
    int rc;

    if (s->cnonce.data) {
        return sqauth_buf_append(out, s->cnonce.data, s->cnonce.len) == SQAUTH_OK
            ? SQAUTH_OK : sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    if (random_bytes > sizeof(raw)) {
        random_bytes = sizeof(raw);
    }
    /* Public values: served from the per-thread pool (see common.h). */
    rc = sqauth_random_nonce(raw, random_bytes, err);
    if (rc != SQAUTH_OK) {
        return rc;
    }
    /* Base64 has no ',' or '"', so the nonce is safe in SCRAM attributes and
     * DIGEST-MD5 quoted strings alike. */
    rc = sqauth_b64_encode(out, raw, random_bytes) == SQAUTH_OK ? SQAUTH_OK
        : sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    sqauth_cleanse(raw, random_bytes);
    return rc;
}

/* ---- security layer framing (RFC 4422 §3.7) ---- */

unsigned long sqauth_sasl_recv_maxbuf(const sqauth_sasl *s)
{
    return s->maxbuf;
}

unsigned long sqauth_sasl_send_maxbuf(const sqauth_sasl *s)
{
    return s->peer_maxbuf ? s->peer_maxbuf : SQAUTH_SASL_DEFAULT_MAXBUF;
}

const char *sqauth_sasl_cipher_name(const sqauth_sasl *s)
{
    if (s->layer != SQAUTH_LAYER_CONF || !s->layer_ops || !s->layer_ctx) {
        return NULL;
    }
    return s->layer_ops->cipher_name(s->layer_ctx);
}

size_t sqauth_sasl_max_wrap_chunk(const sqauth_sasl *s)
{
    unsigned long maxbuf = sqauth_sasl_send_maxbuf(s);
    size_t overhead;

    if (s->layer == SQAUTH_LAYER_NONE || !s->layer_ops || !s->layer_ctx) {
        return 0;
    }
    overhead = s->layer_ops->overhead(s->layer_ctx);
    /* RFC 4422 counts maxbuf without the 4-byte length; Cyrus SASL's own
     * encoder counts it in and its decoder (65535 when it announces no
     * maxbuf) is one byte short of RFC 2831's default 65536. Staying within
     * maxbuf prefix included suits both readings; only a server with a
     * maxbuf too small for that gets the strict reading. */
    if (maxbuf > overhead + 4) {
        return (size_t)(maxbuf - overhead - 4);
    }
    return maxbuf > overhead ? (size_t)(maxbuf - overhead) : 0;
}

static int layer_usable(sqauth_sasl *s, sqauth_error *err)
{
    if (s->layer == SQAUTH_LAYER_NONE || !s->layer_ops || !s->layer_ctx) {
        return sqauth_fail(err, SQAUTH_ERR_STATE, "no SASL security layer was negotiated");
    }
    if (s->layer_failed) {
        return sqauth_fail(err, SQAUTH_ERR_STATE,
                           "the SASL security layer failed earlier; its state is lost: close the connection");
    }
    return SQAUTH_OK;
}

int sqauth_sasl_wrap(sqauth_sasl *s, const unsigned char *in, size_t len, sqauth_buf *out, sqauth_error *err)
{
    size_t chunk, pos = 0, start = out->len;
    int rc = layer_usable(s, err);

    if (rc != SQAUTH_OK) {
        return rc;
    }
    chunk = sqauth_sasl_max_wrap_chunk(s);
    if (chunk == 0) {
        return sqauth_fail(err, SQAUTH_ERR_STATE, "the server's maxbuf %lu is too small for the security layer",
                           sqauth_sasl_send_maxbuf(s));
    }
    while (pos < len) {
        size_t n = len - pos < chunk ? len - pos : chunk, at, blen;

        /* Length placeholder, filled in once the buffer is sealed. */
        at = out->len;
        if (sqauth_buf_append(out, "\0\0\0\0", 4) != SQAUTH_OK) {
            rc = sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
            break;
        }
        rc = s->layer_ops->seal(s->layer_ctx, in + pos, n, out, err);
        if (rc != SQAUTH_OK) {
            break;
        }
        blen = out->len - at - 4;
        out->data[at] = (unsigned char)(blen >> 24);
        out->data[at + 1] = (unsigned char)(blen >> 16);
        out->data[at + 2] = (unsigned char)(blen >> 8);
        out->data[at + 3] = (unsigned char)blen;
        pos += n;
    }
    if (rc != SQAUTH_OK) {
        /* The sequence number or cipher stream may have moved on. */
        s->layer_failed = 1;
        sqauth_cleanse(out->data + start, out->len - start);
        out->len = start;
        if (out->data) {
            out->data[start] = '\0';
        }
    }
    return rc;
}

int sqauth_sasl_unwrap(sqauth_sasl *s, const unsigned char *in, size_t len, size_t *consumed,
                       sqauth_buf *out, sqauth_error *err)
{
    size_t pos = 0;
    int rc = layer_usable(s, err);

    *consumed = 0;
    if (rc != SQAUTH_OK) {
        return rc;
    }
    while (len - pos >= 4) {
        unsigned long blen = ((unsigned long)in[pos] << 24) | ((unsigned long)in[pos + 1] << 16)
                             | ((unsigned long)in[pos + 2] << 8) | (unsigned long)in[pos + 3];

        /* Checked before the body arrives: nothing larger is buffered. */
        if (blen > s->maxbuf) {
            s->layer_failed = 1;
            return sqauth_fail(err, SQAUTH_ERR_PROTOCOL,
                               "SASL security layer: the server sent a buffer of %lu bytes, above our maxbuf %u",
                               blen, s->maxbuf);
        }
        if (len - pos - 4 < blen) {
            break;  /* incomplete: wait for more */
        }
        rc = s->layer_ops->open(s->layer_ctx, in + pos + 4, (size_t)blen, out, err);
        if (rc != SQAUTH_OK) {
            s->layer_failed = 1;
            return rc;
        }
        pos += 4 + (size_t)blen;
        *consumed = pos;
    }
    return SQAUTH_OK;
}
