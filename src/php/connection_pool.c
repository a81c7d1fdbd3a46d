/*
 * SqAuth\Connection's pool methods: pooled(), pooledLogin(), release(),
 * isReused(), forgetPooled(). The pool itself (which connection may be handed to whom, its
 * checks and limits) is src/core/pool.c; each method here is one core call
 * with its arguments converted and its errors mapped.
 */
#include "connection.h"
#include "../core/pool.h"

#include "zend_exceptions.h"

/* The URI into p (the options are parsed); host holds the host name. */
static int pooled_uri(zend_string *uri, php_sqauth_pooled_options *p, char host[256])
{
    const sqauth_scheme *scheme;
    const sqauth_protocol *protocol;
    unsigned port;

    if (php_sqauth_parse_uri(uri, &scheme, &protocol, host, 256, &port) == FAILURE) {
        return FAILURE;
    }
    p->conn.core.protocol = protocol;
    p->conn.core.host = host;
    p->conn.core.port = port;
    p->conn.core.tls_mode = p->conn.tls_mode >= 0 ? (sqauth_tls_mode)p->conn.tls_mode : scheme->tls_mode;
    return SUCCESS;
}

/* How this call may use the pool: not at all when its request has the
 * pool off, else as the caller's 'reuse' says. */
static sqauth_pool_use pool_use(const php_sqauth_pooled_options *p)
{
    if (php_sqauth_pool_off_for_request()) {
        return SQAUTH_POOL_BYPASS;
    }
    return p->reuse ? SQAUTH_POOL_REUSE : SQAUTH_POOL_FRESH;
}

/* pooled() and pooledLogin(): the pool's one call: an authenticated
 * session from the pool or a fresh login, within one deadline. */
static void connection_pooled(zval *return_value, zend_string *uri, HashTable *options, php_sqauth_pooled_options *p)
{
    char host[256];
    php_sqauth_connection *c;
    sqauth_session *s = NULL;
    sqauth_error err;
    int reused = 0, rc;

    if (pooled_uri(uri, p, host) == FAILURE) {
        return;
    }
    sqauth_error_clear(&err);
    rc = sqauth_pool_get(&p->conn.core, &p->login, pool_use(p), &s, &reused, &err);
    if (rc != SQAUTH_OK) {
        if (rc == SQAUTH_ERR_INVALID_ARG) {
            /* As from authenticate(): what the mechanism could not use is a
             * SASL failure, not a ValueError. */
            php_sqauth_throw_sasl(&err);
        } else if (s) {
            php_sqauth_throw_session(s, &err);
        } else {
            php_sqauth_throw(&err, NULL, NULL, 0, NULL);
        }
        sqauth_session_free(s);
        return;
    }
    object_init_ex(return_value, php_sqauth_connection_ce);
    c = Z_CONNECTION_P(return_value);
    c->session = s;
    c->pooled = 1;
    c->reused = reused;
    php_sqauth_keep_smtp_password(c, options);
}

/* pooled() (mech given) and pooledLogin() (mech NULL) after their
 * arguments: options_arg is the options' argument number. */
static void pooled_method(zval *return_value, zend_string *uri, zend_string *mech, zend_string *user,
                          zend_string *password, HashTable *options, uint32_t options_arg)
{
    php_sqauth_pooled_options p;

    if (php_sqauth_pooled_parse_options(options, options_arg, mech ? SQAUTH_LOGIN_SASL : SQAUTH_LOGIN_COMMAND, &p)
        == SUCCESS) {
        if (mech) {
            p.login.mechanism = php_sqauth_str_of(mech);
        }
        p.login.sasl.authcid = php_sqauth_str_of(user);
        p.login.sasl.password = php_sqauth_str_of(password);
        connection_pooled(return_value, uri, options, &p);
    }
    php_sqauth_pooled_options_free(&p);
}

PHP_METHOD(SqAuth_Connection, pooled)
{
    zend_string *uri, *mech, *user, *password;
    HashTable *options = NULL;

    ZEND_PARSE_PARAMETERS_START(4, 5)
        Z_PARAM_STR(uri)
        Z_PARAM_STR(mech)
        Z_PARAM_STR(user)
        Z_PARAM_STR(password)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();
    pooled_method(return_value, uri, mech, user, password, options, 5);
    if (EG(exception)) {
        RETURN_THROWS();
    }
}

PHP_METHOD(SqAuth_Connection, pooledLogin)
{
    zend_string *uri, *user, *password;
    HashTable *options = NULL;

    ZEND_PARSE_PARAMETERS_START(3, 4)
        Z_PARAM_STR(uri)
        Z_PARAM_STR(user)
        Z_PARAM_STR(password)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();
    pooled_method(return_value, uri, NULL, user, password, options, 4);
    if (EG(exception)) {
        RETURN_THROWS();
    }
}

PHP_METHOD(SqAuth_Connection, release)
{
    php_sqauth_connection *c = Z_CONNECTION_P(ZEND_THIS);
    sqauth_session *s = c->session;

    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
    if (!s) {
        return;
    }
    c->session = NULL;
    if (c->pooled) {
        /* What the caller's stream buffered and did not read makes it unfit
         * for anyone else (a failed stream has closed the session). */
        sqauth_pool_put(s, php_sqauth_connection_stream_drained(c));
    } else {
        /* Not from the pool: ended as close() ends it. */
        if (sqauth_session_is_open(s)) {
            sqauth_session_logout(s);
        }
        sqauth_session_free(s);
    }
}

PHP_METHOD(SqAuth_Connection, isReused)
{
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_BOOL(Z_CONNECTION_P(ZEND_THIS)->reused);
}

PHP_METHOD(SqAuth_Connection, forgetPooled)
{
    zend_string *uri, *mech = NULL, *user;
    HashTable *options = NULL;
    php_sqauth_pooled_options p;
    char host[256];
    size_t forgotten = 0;
    sqauth_error err;

    ZEND_PARSE_PARAMETERS_START(3, 4)
        Z_PARAM_STR(uri)
        Z_PARAM_STR_OR_NULL(mech)
        Z_PARAM_STR(user)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();
    if (php_sqauth_pooled_parse_options(options, 4, mech ? SQAUTH_LOGIN_SASL : SQAUTH_LOGIN_COMMAND, &p) == SUCCESS
        && pooled_uri(uri, &p, host) == SUCCESS) {
        if (mech) {
            p.login.mechanism = php_sqauth_str_of(mech);
        }
        p.login.sasl.authcid = php_sqauth_str_of(user);
        sqauth_error_clear(&err);
        if (sqauth_pool_forget(&p.conn.core, &p.login, &forgotten, &err) != SQAUTH_OK) {
            php_sqauth_throw(&err, NULL, NULL, 0, NULL);
        }
    }
    php_sqauth_pooled_options_free(&p);
    if (EG(exception)) {
        RETURN_THROWS();
    }
    RETURN_LONG((zend_long)forgotten);
}
