/*
 * SqAuth\SaslClient: a SASL client exchange with no I/O. The PHP object owns
 * one core session (src/core/sasl); everything secret lives in the core
 * session and is wiped when the object is freed.
 */
#include "php_sqauth_internal.h"

#include "zend_exceptions.h"
#include "ext/standard/info.h"

zend_class_entry *php_sqauth_sasl_client_ce;
static zend_object_handlers sasl_client_handlers;

typedef struct {
    sqauth_sasl *sasl;
    zend_object std;
} php_sqauth_sasl_client;

static inline php_sqauth_sasl_client *sasl_client_from_obj(zend_object *obj)
{
    return (php_sqauth_sasl_client *)((char *)obj - XtOffsetOf(php_sqauth_sasl_client, std));
}

#define Z_SASL_CLIENT_P(zv) sasl_client_from_obj(Z_OBJ_P(zv))

static zend_object *sasl_client_create(zend_class_entry *ce)
{
    php_sqauth_sasl_client *c = zend_object_alloc(sizeof(php_sqauth_sasl_client), ce);

    zend_object_std_init(&c->std, ce);
    object_properties_init(&c->std, ce);
    c->std.handlers = &sasl_client_handlers;
    c->sasl = NULL;
    return &c->std;
}

static void sasl_client_free(zend_object *obj)
{
    php_sqauth_sasl_client *c = sasl_client_from_obj(obj);

    sqauth_sasl_free(c->sasl);
    c->sasl = NULL;
    zend_object_std_dtor(obj);
}

void php_sqauth_sasl_client_minit(void)
{
    php_sqauth_sasl_client_ce->create_object = sasl_client_create;
    memcpy(&sasl_client_handlers, zend_get_std_object_handlers(), sizeof(zend_object_handlers));
    sasl_client_handlers.offset = XtOffsetOf(php_sqauth_sasl_client, std);
    sasl_client_handlers.free_obj = sasl_client_free;
    /* A copy would duplicate secrets and a half-run exchange: no cloning. */
    sasl_client_handlers.clone_obj = NULL;
}

/* ---- argument conversion ---- */

int php_sqauth_sasl_string_entry(zval *zv, sqauth_str *out, uint32_t arg_num, const char *key)
{
    ZVAL_DEREF(zv);
    if (Z_TYPE_P(zv) != IS_STRING) {
        zend_argument_type_error(arg_num, "key \"%s\" must be of type string, %s given", key, zend_zval_type_name(zv));
        return FAILURE;
    }
    out->data = Z_STRVAL_P(zv);
    out->len = Z_STRLEN_P(zv);
    return SUCCESS;
}

static int uint_entry(zval *zv, unsigned *out, unsigned max, uint32_t arg_num, const char *key)
{
    ZVAL_DEREF(zv);
    if (Z_TYPE_P(zv) != IS_LONG) {
        zend_argument_type_error(arg_num, "key \"%s\" must be of type int, %s given", key, zend_zval_type_name(zv));
        return FAILURE;
    }
    if (Z_LVAL_P(zv) < 1 || (zend_ulong)Z_LVAL_P(zv) > max) {
        zend_argument_value_error(arg_num, "key \"%s\" must be between 1 and %u", key, max);
        return FAILURE;
    }
    *out = (unsigned)Z_LVAL_P(zv);
    return SUCCESS;
}

static int parse_credentials(HashTable *ht, sqauth_sasl_config *cfg, uint32_t arg_num)
{
    zend_string *key;
    zval *zv;

    ZEND_HASH_FOREACH_STR_KEY_VAL(ht, key, zv) {
        sqauth_str *dst;
        if (!key) {
            zend_argument_value_error(arg_num, "must only have string keys");
            return FAILURE;
        }
        if (zend_string_equals_literal(key, "authcid")) {
            dst = &cfg->authcid;
        } else if (zend_string_equals_literal(key, "password")) {
            dst = &cfg->password;
        } else if (zend_string_equals_literal(key, "authzid")) {
            dst = &cfg->authzid;
        } else if (zend_string_equals_literal(key, "token")) {
            dst = &cfg->token;
        } else {
            /* The key name is caller data, not a secret; the value is never shown. */
            zend_argument_value_error(arg_num, "has an unknown key \"%s\" (expected authcid, password, authzid, token)",
                                      ZSTR_LEN(key) > 32 ? "…" : ZSTR_VAL(key));
            return FAILURE;
        }
        if (php_sqauth_sasl_string_entry(zv, dst, arg_num, ZSTR_VAL(key)) == FAILURE) {
            return FAILURE;
        }
    } ZEND_HASH_FOREACH_END();
    return SUCCESS;
}

/* One qop name, from the list or given alone. */
static int qop_name(zval *item, uint32_t arg_num)
{
    if (!zend_string_equals_literal(Z_STR_P(item), "auth") && !zend_string_equals_literal(Z_STR_P(item), "auth-int")
        && !zend_string_equals_literal(Z_STR_P(item), "auth-conf")) {
        zend_argument_value_error(arg_num, "key \"qop\" may only contain \"auth\", \"auth-int\" and \"auth-conf\"");
        return FAILURE;
    }
    return SUCCESS;
}

/* The qop list: a list of strings (strongest first) or a single string. */
static int parse_qop(zval *zv, const char ***list, size_t *count, uint32_t arg_num)
{
    zval *item;
    size_t n = 0;

    ZVAL_DEREF(zv);
    if (Z_TYPE_P(zv) == IS_STRING) {
        if (qop_name(zv, arg_num) == FAILURE) {
            return FAILURE;
        }
        *list = safe_emalloc(1, sizeof(char *), 0);
        (*list)[0] = Z_STRVAL_P(zv);
        *count = 1;
        return SUCCESS;
    }
    if (Z_TYPE_P(zv) != IS_ARRAY || zend_hash_num_elements(Z_ARRVAL_P(zv)) == 0) {
        zend_argument_value_error(arg_num, "key \"qop\" must be a non-empty list of strings");
        return FAILURE;
    }
    *list = safe_emalloc(zend_hash_num_elements(Z_ARRVAL_P(zv)), sizeof(char *), 0);
    ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(zv), item) {
        ZVAL_DEREF(item);
        if (Z_TYPE_P(item) != IS_STRING) {
            zend_argument_value_error(arg_num, "key \"qop\" must be a non-empty list of strings");
            return FAILURE;
        }
        if (qop_name(item, arg_num) == FAILURE) {
            return FAILURE;
        }
        (*list)[n++] = Z_STRVAL_P(item);
    } ZEND_HASH_FOREACH_END();
    *count = n;
    return SUCCESS;
}

static int parse_channel_binding(zval *zv, sqauth_sasl_config *cfg, uint32_t arg_num)
{
    zval *type, *data;

    ZVAL_DEREF(zv);
    if (Z_TYPE_P(zv) != IS_ARRAY
        || !(type = zend_hash_str_find(Z_ARRVAL_P(zv), "type", sizeof("type") - 1))
        || !(data = zend_hash_str_find(Z_ARRVAL_P(zv), "data", sizeof("data") - 1))) {
        zend_argument_value_error(arg_num, "key \"channel_binding\" must be an array with the keys \"type\" and \"data\"");
        return FAILURE;
    }
    if (php_sqauth_sasl_string_entry(type, &cfg->cb_type, arg_num, "channel_binding.type") == FAILURE
        || php_sqauth_sasl_string_entry(data, &cfg->cb_data, arg_num, "channel_binding.data") == FAILURE) {
        return FAILURE;
    }
    return SUCCESS;
}

int php_sqauth_sasl_parse_option(zend_string *key, zval *zv, sqauth_sasl_config *cfg, const char ***qop,
                                 uint32_t arg_num)
{
    if (zend_string_equals_literal(key, "service")) {
        return php_sqauth_sasl_string_entry(zv, &cfg->service, arg_num, "service");
    }
    if (zend_string_equals_literal(key, "host")) {
        return php_sqauth_sasl_string_entry(zv, &cfg->host, arg_num, "host");
    }
    if (zend_string_equals_literal(key, "realm")) {
        return php_sqauth_sasl_string_entry(zv, &cfg->realm, arg_num, "realm");
    }
    if (zend_string_equals_literal(key, "cnonce")) {
        return php_sqauth_sasl_string_entry(zv, &cfg->cnonce, arg_num, "cnonce");
    }
    if (zend_string_equals_literal(key, "port")) {
        return uint_entry(zv, &cfg->port, 65535, arg_num, "port");
    }
    if (zend_string_equals_literal(key, "min_iterations")) {
        return uint_entry(zv, &cfg->min_iterations, 0x7fffffffu, arg_num, "min_iterations");
    }
    if (zend_string_equals_literal(key, "max_iterations")) {
        return uint_entry(zv, &cfg->max_iterations, 0x7fffffffu, arg_num, "max_iterations");
    }
    if (zend_string_equals_literal(key, "qop")) {
        int rc = parse_qop(zv, qop, &cfg->qop_count, arg_num);
        cfg->qop = *qop;
        return rc;
    }
    if (zend_string_equals_literal(key, "channel_binding")) {
        return parse_channel_binding(zv, cfg, arg_num);
    }
    if (zend_string_equals_literal(key, "cipher")) {
        return php_sqauth_sasl_string_entry(zv, &cfg->cipher, arg_num, "cipher");
    }
    if (zend_string_equals_literal(key, "maxbuf")) {
        return uint_entry(zv, &cfg->maxbuf, 16777215u, arg_num, "maxbuf");
    }
    if (zend_string_equals_literal(key, "digest_charset")) {
        /* "rfc2831": ISO-8859-1 form when representable (Cyrus SASL);
         * "utf-8": the UTF-8 bytes as they are (Dovecot 2.3). */
        ZVAL_DEREF(zv);
        if (Z_TYPE_P(zv) != IS_STRING || (!zend_string_equals_literal(Z_STR_P(zv), "rfc2831")
                                           && !zend_string_equals_literal(Z_STR_P(zv), "utf-8"))) {
            zend_argument_value_error(arg_num, "key \"digest_charset\" must be \"rfc2831\" or \"utf-8\"");
            return FAILURE;
        }
        cfg->digest_hash_utf8 = Z_STRVAL_P(zv)[0] == 'u';
        return SUCCESS;
    }
    if (zend_string_equals_literal(key, "scram_cache")) {
        /* false: this SCRAM exchange neither uses nor fills the key cache. */
        ZVAL_DEREF(zv);
        if (Z_TYPE_P(zv) != IS_TRUE && Z_TYPE_P(zv) != IS_FALSE) {
            zend_argument_type_error(arg_num, "key \"scram_cache\" must be of type bool, %s given",
                                     zend_zval_type_name(zv));
            return FAILURE;
        }
        cfg->no_key_cache = Z_TYPE_P(zv) == IS_FALSE;
        return SUCCESS;
    }
    zend_argument_value_error(arg_num, "has an unknown key \"%s\"", ZSTR_LEN(key) > 32 ? "…" : ZSTR_VAL(key));
    return FAILURE;
}

int php_sqauth_sasl_parse_options(HashTable *ht, sqauth_sasl_config *cfg, const char ***qop, uint32_t arg_num)
{
    zend_string *key;
    zval *zv;

    ZEND_HASH_FOREACH_STR_KEY_VAL(ht, key, zv) {
        if (!key) {
            zend_argument_value_error(arg_num, "must only have string keys");
            return FAILURE;
        }
        if (php_sqauth_sasl_parse_option(key, zv, cfg, qop, arg_num) == FAILURE) {
            return FAILURE;
        }
    } ZEND_HASH_FOREACH_END();
    return SUCCESS;
}

sqauth_sasl *php_sqauth_sasl_from_arrays(const char *mech, size_t mech_len, HashTable *credentials,
                                         HashTable *options, uint32_t arg_base)
{
    sqauth_sasl_config cfg;
    sqauth_error err;
    sqauth_sasl *s = NULL;
    const char **qop = NULL;

    memset(&cfg, 0, sizeof(cfg));
    sqauth_error_clear(&err);
    if (parse_credentials(credentials, &cfg, arg_base) == SUCCESS
        && (!options || php_sqauth_sasl_parse_options(options, &cfg, &qop, arg_base + 1) == SUCCESS)) {
        if (sqauth_sasl_new(&s, mech, mech_len, &cfg, &err) != SQAUTH_OK) {
            php_sqauth_throw_sasl(&err);
            s = NULL;
        }
    }
    if (qop) {
        efree(qop);
    }
    return s;
}

zend_string *php_sqauth_sasl_step(sqauth_sasl *s, const char *in, size_t in_len)
{
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    zend_string *r;

    sqauth_error_clear(&err);
    if (sqauth_sasl_step(s, (const unsigned char *)in, in_len, &out, &err) != SQAUTH_OK) {
        sqauth_buf_wipe(&out);
        php_sqauth_throw_sasl(&err);
        return NULL;
    }
    r = zend_string_init((const char *)(out.data ? out.data : (unsigned char *)""), out.len, 0);
    sqauth_buf_wipe(&out);
    return r;
}

/* ---- methods ---- */

#define FETCH_SESSION(c) \
    php_sqauth_sasl_client *c = Z_SASL_CLIENT_P(ZEND_THIS); \
    if (!c->sasl) { \
        zend_throw_error(NULL, "SqAuth\\SaslClient object is not initialized"); \
        RETURN_THROWS(); \
    }

PHP_METHOD(SqAuth_SaslClient, __construct)
{
    php_sqauth_sasl_client *c = Z_SASL_CLIENT_P(ZEND_THIS);
    zend_string *mech;
    HashTable *credentials, *options = NULL;

    ZEND_PARSE_PARAMETERS_START(2, 3)
        Z_PARAM_STR(mech)
        Z_PARAM_ARRAY_HT(credentials)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();

    if (c->sasl) {
        zend_throw_error(NULL, "SqAuth\\SaslClient object is already constructed");
        RETURN_THROWS();
    }
    c->sasl = php_sqauth_sasl_from_arrays(ZSTR_VAL(mech), ZSTR_LEN(mech), credentials, options, 2);
    if (!c->sasl) {
        RETURN_THROWS();
    }
}

PHP_METHOD(SqAuth_SaslClient, mechanism)
{
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_SESSION(c);
    RETURN_STRING(c->sasl->mech->name);
}

PHP_METHOD(SqAuth_SaslClient, start)
{
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    int has_output = 0;

    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_SESSION(c);
    sqauth_error_clear(&err);
    if (sqauth_sasl_start(c->sasl, &out, &has_output, &err) != SQAUTH_OK) {
        sqauth_buf_wipe(&out);
        php_sqauth_throw_sasl(&err);
        RETURN_THROWS();
    }
    if (has_output) {
        RETVAL_STRINGL((const char *)(out.data ? out.data : (unsigned char *)""), out.len);
    } else {
        RETVAL_NULL();
    }
    sqauth_buf_wipe(&out);
}

PHP_METHOD(SqAuth_SaslClient, step)
{
    zend_string *challenge, *r;

    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(challenge)
    ZEND_PARSE_PARAMETERS_END();
    FETCH_SESSION(c);
    r = php_sqauth_sasl_step(c->sasl, ZSTR_VAL(challenge), ZSTR_LEN(challenge));
    if (!r) {
        RETURN_THROWS();
    }
    RETURN_STR(r);
}

PHP_METHOD(SqAuth_SaslClient, isComplete)
{
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_SESSION(c);
    RETURN_BOOL(c->sasl->complete && !c->sasl->failed);
}

PHP_METHOD(SqAuth_SaslClient, isServerVerified)
{
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_SESSION(c);
    RETURN_BOOL(c->sasl->server_verified && !c->sasl->failed);
}

PHP_METHOD(SqAuth_SaslClient, securityLayer)
{
    const char *layer;

    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_SESSION(c);
    layer = c->sasl->failed ? NULL : sqauth_sasl_layer_name(c->sasl->layer);
    if (!layer) {
        RETURN_NULL();
    }
    RETURN_STRING(layer);
}

PHP_METHOD(SqAuth_SaslClient, serverError)
{
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_SESSION(c);
    if (!c->sasl->server_error.data) {
        RETURN_NULL();
    }
    RETURN_STRINGL(c->sasl->server_error.data, c->sasl->server_error.len);
}
