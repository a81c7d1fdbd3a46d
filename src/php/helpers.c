/*
 * Functions shaped like SquirrelMail's functions/auth.php helpers, in the
 * SqAuth namespace so that they never clash with SquirrelMail's own global
 * sqauth_* functions. Challenges and responses are base64; no trailing CRLF.
 */
#include "php_sqauth_internal.h"

#include "zend_exceptions.h"
#include "../core/sasl/digest_md5_parse.h"

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

zend_string *php_sqauth_b64_decode_challenge(const char *in, size_t len)
{
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    zend_string *r;

    /* SquirrelMail hands over the rest of the server line, CRLF included. */
    while (len && is_space(in[0])) {
        in++;
        len--;
    }
    while (len && is_space(in[len - 1])) {
        len--;
    }
    sqauth_error_clear(&err);
    if (sqauth_b64_decode(&out, in, len, &err) != SQAUTH_OK) {
        sqauth_buf_free(&out);
        php_sqauth_throw_sasl(&err);
        return NULL;
    }
    r = zend_string_init((const char *)(out.data ? out.data : (unsigned char *)""), out.len, 0);
    sqauth_buf_free(&out);
    return r;
}

zend_string *php_sqauth_b64_encode(const zend_string *raw)
{
    sqauth_buf out = SQAUTH_BUF_INIT;
    zend_string *r;

    if (sqauth_b64_encode(&out, (const unsigned char *)ZSTR_VAL(raw), ZSTR_LEN(raw)) != SQAUTH_OK) {
        sqauth_buf_wipe(&out);
        zend_throw_error(NULL, "out of memory");
        return NULL;
    }
    r = zend_string_init((const char *)(out.data ? out.data : (unsigned char *)""), out.len, 0);
    /* The base64 of a response can be as sensitive as the response. */
    sqauth_buf_wipe(&out);
    return r;
}

/* Runs a one-challenge mechanism: decode, step, encode. */
static zend_string *one_step(sqauth_sasl *s, const char *b64, size_t b64_len)
{
    zend_string *challenge, *response, *encoded;

    challenge = php_sqauth_b64_decode_challenge(b64, b64_len);
    if (!challenge) {
        return NULL;
    }
    response = php_sqauth_sasl_step(s, ZSTR_VAL(challenge), ZSTR_LEN(challenge));
    zend_string_release(challenge);
    if (!response) {
        return NULL;
    }
    encoded = php_sqauth_b64_encode(response);
    ZEND_SECURE_ZERO(ZSTR_VAL(response), ZSTR_LEN(response));
    zend_string_release(response);
    return encoded;
}

PHP_FUNCTION(SqAuth_cram_md5_response)
{
    zend_string *user, *password, *challenge, *r;
    sqauth_sasl_config cfg;
    sqauth_sasl *s = NULL;
    sqauth_error err;

    ZEND_PARSE_PARAMETERS_START(3, 3)
        Z_PARAM_STR(user)
        Z_PARAM_STR(password)
        Z_PARAM_STR(challenge)
    ZEND_PARSE_PARAMETERS_END();

    memset(&cfg, 0, sizeof(cfg));
    cfg.authcid.data = ZSTR_VAL(user);
    cfg.authcid.len = ZSTR_LEN(user);
    cfg.password.data = ZSTR_VAL(password);
    cfg.password.len = ZSTR_LEN(password);
    sqauth_error_clear(&err);
    if (sqauth_sasl_new(&s, "CRAM-MD5", sizeof("CRAM-MD5") - 1, &cfg, &err) != SQAUTH_OK) {
        php_sqauth_throw_sasl(&err);
        RETURN_THROWS();
    }
    r = one_step(s, ZSTR_VAL(challenge), ZSTR_LEN(challenge));
    sqauth_sasl_free(s);
    if (!r) {
        RETURN_THROWS();
    }
    RETURN_STR(r);
}

PHP_FUNCTION(SqAuth_digest_md5_response)
{
    zend_string *user, *password, *challenge, *service, *host, *authz = NULL, *r;
    HashTable *options = NULL, *credentials;
    zval tmp;
    sqauth_sasl *s;

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

    /* Build the same arrays SaslClient takes, so both paths share one
     * validation. */
    credentials = zend_new_array(3);
    ZVAL_STR_COPY(&tmp, user);
    zend_hash_str_add_new(credentials, "authcid", sizeof("authcid") - 1, &tmp);
    ZVAL_STR_COPY(&tmp, password);
    zend_hash_str_add_new(credentials, "password", sizeof("password") - 1, &tmp);
    if (authz && ZSTR_LEN(authz)) {
        ZVAL_STR_COPY(&tmp, authz);
        zend_hash_str_add_new(credentials, "authzid", sizeof("authzid") - 1, &tmp);
    }
    {
        HashTable *opts = options ? zend_array_dup(options) : zend_new_array(2);
        ZVAL_STR_COPY(&tmp, service);
        zend_hash_str_update(opts, "service", sizeof("service") - 1, &tmp);
        ZVAL_STR_COPY(&tmp, host);
        zend_hash_str_update(opts, "host", sizeof("host") - 1, &tmp);
        s = php_sqauth_sasl_from_arrays("DIGEST-MD5", sizeof("DIGEST-MD5") - 1, credentials, opts, 6);
        zend_array_destroy(opts);
    }
    zend_array_destroy(credentials);
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
