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

/* Drops the white space around a server line (the CRLF SquirrelMail leaves
 * on); what is left must be strict base64. */
static void trim_space(const char **in, size_t *len)
{
    while (*len && is_space((*in)[0])) {
        (*in)++;
        (*len)--;
    }
    while (*len && is_space((*in)[*len - 1])) {
        (*len)--;
    }
}

/* Strict base64 of a server line into out, surrounding white space
 * ignored. */
static int decode_challenge(const char *in, size_t len, sqauth_buf *out, sqauth_error *err)
{
    trim_space(&in, &len);
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

PHP_FUNCTION(SqAuth_cram_md5_response)
{
    zend_string *user, *password, *challenge;
    sqauth_buf raw_big = SQAUTH_BUF_INIT;
    sqauth_str p;
    sqauth_error err;
    /* The challenge (a msg-id, RFC 2195) and "user SP hex" on the stack for
     * usual lengths; the response is wiped after. */
    unsigned char raw_small[512], small[256], *raw = raw_small, *response;
    const char *b64;
    size_t b64_len, raw_len = 0, len;
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
    b64 = ZSTR_VAL(challenge);
    b64_len = ZSTR_LEN(challenge);
    trim_space(&b64, &b64_len);
    if (b64_len / 4 * 3 <= sizeof(raw_small)) {
        rc = sqauth_b64_decode_to(raw_small, sizeof(raw_small), &raw_len, b64, b64_len, &err);
    } else {
        rc = sqauth_b64_decode(&raw_big, b64, b64_len, &err);
        raw = raw_big.data;
        raw_len = raw_big.len;
    }
    if (rc != SQAUTH_OK) {
        sqauth_buf_free(&raw_big);
        php_sqauth_throw_sasl(&err);
        RETURN_THROWS();
    }
    len = ZSTR_LEN(user) + 1 + 32;
    response = len <= sizeof(small) ? small : safe_emalloc(ZSTR_LEN(user), 1, 1 + 32);
    memcpy(response, ZSTR_VAL(user), ZSTR_LEN(user));
    response[ZSTR_LEN(user)] = ' ';
    p.data = ZSTR_VAL(password);
    p.len = ZSTR_LEN(password);
    rc = sqauth_cram_md5_hex(p, raw, raw_len, (char *)response + ZSTR_LEN(user) + 1, &err);
    sqauth_buf_free(&raw_big);
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
    zend_string *user, *password, *challenge, *service, *host, *authz = NULL;
    HashTable *options = NULL;
    sqauth_sasl_config cfg;
    const char **qop = NULL;
    sqauth_error err;
    /* The raw response: RFC 2831 caps it at 4095 bytes. Not kept: cleansed
     * once its base64 is made. */
    char raw[SQAUTH_DIGEST_MD5_MAX_RESPONSE + 1];
    const char *b64;
    size_t b64_len, raw_len = 0;
    int rc;

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

    if (options && zend_hash_num_elements(options) == 0) {
        options = NULL;
    }
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
     * both paths share one validation, and the core checks the rest as
     * sqauth_sasl_new() does. */
    memset(&cfg, 0, sizeof(cfg));
    cfg.authcid.data = ZSTR_VAL(user);
    cfg.authcid.len = ZSTR_LEN(user);
    cfg.password.data = ZSTR_VAL(password);
    cfg.password.len = ZSTR_LEN(password);
    if (authz && ZSTR_LEN(authz)) {
        cfg.authzid.data = ZSTR_VAL(authz);
        cfg.authzid.len = ZSTR_LEN(authz);
    }
    if (options && php_sqauth_sasl_parse_options(options, &cfg, &qop, 7) != SUCCESS) {
        if (qop) {
            efree(qop);
        }
        RETURN_THROWS();
    }
    cfg.service.data = ZSTR_VAL(service);
    cfg.service.len = ZSTR_LEN(service);
    cfg.host.data = ZSTR_VAL(host);
    cfg.host.len = ZSTR_LEN(host);

    b64 = ZSTR_VAL(challenge);
    b64_len = ZSTR_LEN(challenge);
    trim_space(&b64, &b64_len);
    sqauth_error_clear(&err);
    rc = sqauth_digest_md5_answer_b64(&cfg, b64, b64_len, raw, sizeof(raw), &raw_len, &err);
    if (qop) {
        efree(qop);
    }
    if (rc != SQAUTH_OK) {
        php_sqauth_throw_sasl(&err);
        RETURN_THROWS();
    }
    RETVAL_STR(encode_raw((const unsigned char *)raw, raw_len));
    sqauth_cleanse(raw, raw_len);
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
    sqauth_digest_md5_directives ds = SQAUTH_DIGEST_MD5_DIRECTIVES_INIT;
    sqauth_error err;
    size_t i;
    int rc;

    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(b64)
    ZEND_PARSE_PARAMETERS_END();

    raw = php_sqauth_b64_decode_challenge(ZSTR_VAL(b64), ZSTR_LEN(b64));
    if (!raw) {
        RETURN_THROWS();
    }
    /* The full check of RFC 2831 §2.1.1, not only the syntax: a challenge
     * this function accepts is one digest_md5_response() can answer. Then
     * every directive in order, unknown ones included. */
    sqauth_error_clear(&err);
    rc = sqauth_digest_md5_parse_challenge((const unsigned char *)ZSTR_VAL(raw), ZSTR_LEN(raw), &ch, &err);
    sqauth_digest_md5_challenge_free(&ch);
    if (rc == SQAUTH_OK) {
        rc = sqauth_digest_md5_parse_directives((const unsigned char *)ZSTR_VAL(raw), ZSTR_LEN(raw), &ds, &err);
    }
    zend_string_release(raw);
    if (rc != SQAUTH_OK) {
        sqauth_digest_md5_directives_free(&ds);
        php_sqauth_throw_sasl(&err);
        RETURN_THROWS();
    }

    array_init(return_value);
    for (i = 0; i < ds.count; i++) {
        const sqauth_digest_md5_directive *d = &ds.items[i];
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
    sqauth_digest_md5_directives_free(&ds);
}
