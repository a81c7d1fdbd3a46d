/*
 * Functions shaped like SquirrelMail's functions/auth.php helpers, in the
 * SqAuth namespace so that they never clash with SquirrelMail's own global
 * sqauth_* functions. Challenges and responses are base64; no trailing CRLF.
 */
#include "php_sqauth_internal.h"

#include "zend_exceptions.h"
#include "ext/standard/base64.h"
#include "../core/sasl/digest_md5_parse.h"

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Strict base64 of a server line into out; surrounding white space (the
 * CRLF SquirrelMail leaves on) is ignored. */
static int decode_challenge(const char *in, size_t len, sqauth_buf *out, sqauth_error *err)
{
    while (len && is_space(in[0])) {
        in++;
        len--;
    }
    while (len && is_space(in[len - 1])) {
        len--;
    }
    return sqauth_b64_decode(out, in, len, err);
}

zend_string *php_sqauth_b64_decode_challenge(const char *in, size_t len)
{
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    zend_string *r;

    sqauth_error_clear(&err);
    if (decode_challenge(in, len, &out, &err) != SQAUTH_OK) {
        sqauth_buf_free(&out);
        php_sqauth_throw_sasl(&err);
        return NULL;
    }
    r = zend_string_init((const char *)(out.data ? out.data : (unsigned char *)""), out.len, 0);
    sqauth_buf_free(&out);
    return r;
}

/* Base64 of n bytes into a new zend_string: PHP's own encoder, which
 * writes the string in place with SIMD where the CPU has it (OpenSSL's
 * EVP_EncodeBlock took a tenth of a DIGEST-MD5 response's time). Encoding
 * decides nothing: every byte string has one base64 form. */
static zend_string *encode_raw(const unsigned char *p, size_t n)
{
    return php_base64_encode(p ? p : (const unsigned char *)"", n);
}

zend_string *php_sqauth_b64_encode(const zend_string *raw)
{
    return encode_raw((const unsigned char *)ZSTR_VAL(raw), ZSTR_LEN(raw));
}

/* Runs a one-challenge mechanism: decode, step, encode, with the
 * challenge and the raw response kept in core buffers (the response is
 * wiped; its base64 can be as sensitive, but is what the caller asked for). */
static zend_string *one_step(sqauth_sasl *s, const char *b64, size_t b64_len)
{
    sqauth_buf challenge = SQAUTH_BUF_INIT, response = SQAUTH_BUF_INIT;
    sqauth_error err;
    zend_string *encoded;

    sqauth_error_clear(&err);
    if (decode_challenge(b64, b64_len, &challenge, &err) != SQAUTH_OK) {
        sqauth_buf_free(&challenge);
        php_sqauth_throw_sasl(&err);
        return NULL;
    }
    if (sqauth_sasl_step(s, challenge.data ? challenge.data : (const unsigned char *)"", challenge.len, &response,
                         &err) != SQAUTH_OK) {
        sqauth_buf_free(&challenge);
        sqauth_buf_wipe(&response);
        php_sqauth_throw_sasl(&err);
        return NULL;
    }
    sqauth_buf_free(&challenge);
    encoded = encode_raw(response.data, response.len);
    sqauth_buf_wipe(&response);
    return encoded;
}

PHP_FUNCTION(SqAuth_cram_md5_response)
{
    zend_string *user, *password, *challenge;
    sqauth_buf raw = SQAUTH_BUF_INIT;
    sqauth_str p;
    sqauth_error err;
    /* "user SP hex": on the stack for the usual user name, wiped after. */
    unsigned char small[256], *response;
    size_t len;
    int rc;

    ZEND_PARSE_PARAMETERS_START(3, 3)
        Z_PARAM_STR(user)
        Z_PARAM_STR(password)
        Z_PARAM_STR(challenge)
    ZEND_PARSE_PARAMETERS_END();

    /* What sqauth_sasl_new() checks for CRAM-MD5 (both credentials are
     * there), without building a session for one HMAC. */
    sqauth_error_clear(&err);
    if (memchr(ZSTR_VAL(user), '\0', ZSTR_LEN(user)) || memchr(ZSTR_VAL(password), '\0', ZSTR_LEN(password))) {
        sqauth_fail(&err, SQAUTH_ERR_INVALID_ARG, "credentials must not contain NUL bytes");
        php_sqauth_throw_sasl(&err);
        RETURN_THROWS();
    }
    if (decode_challenge(ZSTR_VAL(challenge), ZSTR_LEN(challenge), &raw, &err) != SQAUTH_OK) {
        sqauth_buf_free(&raw);
        php_sqauth_throw_sasl(&err);
        RETURN_THROWS();
    }
    len = ZSTR_LEN(user) + 1 + 32;
    response = len <= sizeof(small) ? small : safe_emalloc(ZSTR_LEN(user), 1, 1 + 32);
    memcpy(response, ZSTR_VAL(user), ZSTR_LEN(user));
    response[ZSTR_LEN(user)] = ' ';
    p.data = ZSTR_VAL(password);
    p.len = ZSTR_LEN(password);
    rc = sqauth_cram_md5_hex(p, raw.data, raw.len, (char *)response + ZSTR_LEN(user) + 1, &err);
    sqauth_buf_free(&raw);
    if (rc == SQAUTH_OK) {
        RETVAL_STR(encode_raw(response, len));
    }
    sqauth_cleanse(response, len);
    if (response != small) {
        efree(response);
    }
    if (rc != SQAUTH_OK) {
        php_sqauth_throw_sasl(&err);
        RETURN_THROWS();
    }
}

PHP_FUNCTION(SqAuth_digest_md5_response)
{
    zend_string *user, *password, *challenge, *service, *host, *authz = NULL, *r;
    HashTable *options = NULL;
    sqauth_sasl_config cfg;
    const char **qop = NULL;
    sqauth_error err;
    sqauth_sasl *s = NULL;
    int ok;

    ZEND_PARSE_PARAMETERS_START(5, 7)
        Z_PARAM_STR(user)
        Z_PARAM_STR(password)
        Z_PARAM_STR(challenge)
        Z_PARAM_STR(service)
        Z_PARAM_STR(host)
        Z_PARAM_OPTIONAL
        Z_PARAM_STR(authz)
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();

    if (options) {
        zend_string *key;
        ZEND_HASH_FOREACH_STR_KEY(options, key) {
            if (!key || !(zend_string_equals_literal(key, "realm") || zend_string_equals_literal(key, "cnonce")
                          || zend_string_equals_literal(key, "qop"))) {
                zend_argument_value_error(7, "may only have the keys \"realm\", \"cnonce\" and \"qop\"");
                RETURN_THROWS();
            }
        } ZEND_HASH_FOREACH_END();
    }

    /* The configuration SaslClient would build from the same values: the
     * options go through SaslClient's own option reader (argument 7), so
     * both paths share one validation. */
    memset(&cfg, 0, sizeof(cfg));
    cfg.authcid.data = ZSTR_VAL(user);
    cfg.authcid.len = ZSTR_LEN(user);
    cfg.password.data = ZSTR_VAL(password);
    cfg.password.len = ZSTR_LEN(password);
    if (authz && ZSTR_LEN(authz)) {
        cfg.authzid.data = ZSTR_VAL(authz);
        cfg.authzid.len = ZSTR_LEN(authz);
    }
    ok = !options || php_sqauth_sasl_parse_options(options, &cfg, &qop, 7) == SUCCESS;
    if (ok) {
        cfg.service.data = ZSTR_VAL(service);
        cfg.service.len = ZSTR_LEN(service);
        cfg.host.data = ZSTR_VAL(host);
        cfg.host.len = ZSTR_LEN(host);
        sqauth_error_clear(&err);
        if (sqauth_sasl_new(&s, "DIGEST-MD5", sizeof("DIGEST-MD5") - 1, &cfg, &err) != SQAUTH_OK) {
            php_sqauth_throw_sasl(&err);
            s = NULL;
        }
    }
    if (qop) {
        efree(qop);
    }
    if (!s) {
        RETURN_THROWS();
    }
    r = one_step(s, ZSTR_VAL(challenge), ZSTR_LEN(challenge));
    sqauth_sasl_free(s);
    if (!r) {
        RETURN_THROWS();
    }
    RETURN_STR(r);
}

/* Adds value under name; a second value turns the entry into a list, the
 * way SquirrelMail's parser shows several values (but without losing any). */
static void add_value(zval *arr, const char *name, size_t name_len, const char *value, size_t value_len)
{
    zval *existing = zend_symtable_str_find(Z_ARRVAL_P(arr), name, name_len);
    zval v;

    ZVAL_STRINGL(&v, value, value_len);
    if (!existing) {
        zend_symtable_str_update(Z_ARRVAL_P(arr), name, name_len, &v);
        return;
    }
    if (Z_TYPE_P(existing) != IS_ARRAY) {
        zval list;
        array_init(&list);
        Z_TRY_ADDREF_P(existing);
        add_next_index_zval(&list, existing);
        zend_symtable_str_update(Z_ARRVAL_P(arr), name, name_len, &list);
        existing = zend_symtable_str_find(Z_ARRVAL_P(arr), name, name_len);
    }
    add_next_index_zval(existing, &v);
}

PHP_FUNCTION(SqAuth_digest_md5_parse_challenge)
{
    zend_string *b64, *raw;
    sqauth_digest_md5_challenge ch;
    sqauth_error err;
    size_t i;

    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(b64)
    ZEND_PARSE_PARAMETERS_END();

    raw = php_sqauth_b64_decode_challenge(ZSTR_VAL(b64), ZSTR_LEN(b64));
    if (!raw) {
        RETURN_THROWS();
    }
    /* The full check of RFC 2831 §2.1.1, not only the syntax: a challenge
     * this function accepts is one digest_md5_response() can answer. */
    sqauth_error_clear(&err);
    if (sqauth_digest_md5_parse_challenge((const unsigned char *)ZSTR_VAL(raw), ZSTR_LEN(raw), &ch, &err) != SQAUTH_OK) {
        sqauth_digest_md5_challenge_free(&ch);
        zend_string_release(raw);
        php_sqauth_throw_sasl(&err);
        RETURN_THROWS();
    }
    zend_string_release(raw);

    array_init(return_value);
    for (i = 0; i < ch.directives.count; i++) {
        const sqauth_digest_md5_directive *d = &ch.directives.items[i];
        int is_list = strcmp(d->name, "qop") == 0 || strcmp(d->name, "cipher") == 0;

        if (is_list) {
            size_t pos = 0;
            sqauth_str elem;
            for (;;) {
                if (sqauth_digest_md5_list_next(d->value, d->value_len, &pos, &elem, d->name, &err) != SQAUTH_OK
                    || !elem.data) {
                    break; /* already validated by the challenge parser */
                }
                add_value(return_value, d->name, d->name_len, elem.data, elem.len);
            }
        } else {
            add_value(return_value, d->name, d->name_len, d->value, d->value_len);
        }
    }
    sqauth_digest_md5_challenge_free(&ch);
}
