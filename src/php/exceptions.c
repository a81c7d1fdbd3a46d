/*
 * SqAuth exception classes: the accessors of their extra fields, and the
 * helpers that turn a core status into the right exception.
 */
#include "php_sqauth_internal.h"

#include "zend_exceptions.h"

zend_class_entry *php_sqauth_exception_ce;
zend_class_entry *php_sqauth_connection_exception_ce;
zend_class_entry *php_sqauth_tls_exception_ce;
zend_class_entry *php_sqauth_protocol_exception_ce;
zend_class_entry *php_sqauth_sasl_exception_ce;
zend_class_entry *php_sqauth_authentication_exception_ce;

static zend_long exception_code(int core_code)
{
    return core_code < 0 ? -(zend_long)core_code : (zend_long)core_code;
}

static const char *message_of(const sqauth_error *err, const char *fallback)
{
    return err->message[0] ? err->message : fallback;
}

void php_sqauth_throw_sasl(const sqauth_error *err)
{
    zend_throw_exception(php_sqauth_sasl_exception_ce, message_of(err, "SASL error"), exception_code(err->code));
}

/* Creates the exception object, sets a private property of its class. */
static void set_prop(zend_object *ex, zend_class_entry *scope, const char *name, zval *value)
{
    zend_update_property(scope, ex, name, strlen(name), value);
}

static void set_string_prop(zend_object *ex, zend_class_entry *scope, const char *name, const char *s, size_t len)
{
    zval v;
    ZVAL_STRINGL(&v, s, len);
    set_prop(ex, scope, name, &v);
    zval_ptr_dtor(&v);
}

void php_sqauth_openssl_error_to_array(const sqauth_openssl_error *e, zval *arr)
{
    array_init(arr);
    add_assoc_long(arr, "code", (zend_long)e->code);
    add_assoc_string(arr, "library", (char *)e->library);
    add_assoc_long(arr, "library_code", e->library_code);
    add_assoc_string(arr, "reason", (char *)e->reason);
    add_assoc_long(arr, "reason_code", e->reason_code);
    add_assoc_string(arr, "message", (char *)e->message);
}

static void throw_tls(const sqauth_error *err, const sqauth_tls_failure *f)
{
    zend_object *ex = zend_throw_exception(php_sqauth_tls_exception_ce, message_of(err, "TLS error"),
                                           exception_code(err->code));
    zval errors, v;
    size_t i;

    array_init(&errors);
    for (i = 0; f && i < f->error_count; i++) {
        php_sqauth_openssl_error_to_array(&f->errors[i], &v);
        add_next_index_zval(&errors, &v);
    }
    set_prop(ex, php_sqauth_tls_exception_ce, "opensslErrors", &errors);
    zval_ptr_dtor(&errors);
    if (f && f->has_verify) {
        array_init(&v);
        add_assoc_long(&v, "code", f->verify_code);
        add_assoc_string(&v, "message", (char *)f->verify_message);
        add_assoc_long(&v, "depth", f->verify_depth);
        add_assoc_string(&v, "subject", (char *)f->verify_subject);
        set_prop(ex, php_sqauth_tls_exception_ce, "verifyResult", &v);
        zval_ptr_dtor(&v);
    }
    if (f && f->alert[0]) {
        set_string_prop(ex, php_sqauth_tls_exception_ce, "alert", f->alert, strlen(f->alert));
    }
}

void php_sqauth_throw(const sqauth_error *err, const sqauth_tls_failure *tls, const char *response,
                      size_t response_len, const char *response_code)
{
    zend_object *ex;

    switch (err->code) {
    case SQAUTH_ERR_CONNECT:
    case SQAUTH_ERR_TIMEOUT:
    case SQAUTH_ERR_CLOSED: {
        zval v;
        ex = zend_throw_exception(php_sqauth_connection_exception_ce, message_of(err, "connection error"),
                                  exception_code(err->code));
        ZVAL_LONG(&v, err->sys_errno);
        set_prop(ex, php_sqauth_connection_exception_ce, "errno", &v);
        return;
    }
    case SQAUTH_ERR_TLS:
        throw_tls(err, tls);
        return;
    case SQAUTH_ERR_PROTOCOL:
        ex = zend_throw_exception(php_sqauth_protocol_exception_ce, message_of(err, "protocol error"),
                                  exception_code(err->code));
        if (response && response_len) {
            set_string_prop(ex, php_sqauth_protocol_exception_ce, "serverResponse", response, response_len);
        }
        return;
    case SQAUTH_ERR_AUTH:
        ex = zend_throw_exception(php_sqauth_authentication_exception_ce, message_of(err, "authentication failed"),
                                  exception_code(err->code));
        if (response && response_len) {
            set_string_prop(ex, php_sqauth_authentication_exception_ce, "serverResponse", response, response_len);
        }
        if (response_code) {
            set_string_prop(ex, php_sqauth_authentication_exception_ce, "responseCode", response_code,
                            strlen(response_code));
        }
        return;
    case SQAUTH_ERR_INVALID_ARG:
        zend_value_error("%s", message_of(err, "invalid argument"));
        return;
    case SQAUTH_ERR_NOMEM:
        zend_throw_error(NULL, "%s", message_of(err, "out of memory"));
        return;
    default:
        php_sqauth_throw_sasl(err);
        return;
    }
}

/* ---- accessors ---- */

static zval *read_prop(zval *obj, zend_class_entry *scope, const char *name)
{
    zval rv;
    return zend_read_property(scope, Z_OBJ_P(obj), name, strlen(name), 1, &rv);
}

#define RETURN_PROP(scope, name) do { \
        zval *p_ = read_prop(ZEND_THIS, scope, name); \
        RETURN_COPY_DEREF(p_); \
    } while (0)

PHP_METHOD(SqAuth_ConnectionException, getErrno)
{
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_PROP(php_sqauth_connection_exception_ce, "errno");
}

PHP_METHOD(SqAuth_TlsException, getOpensslErrors)
{
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_PROP(php_sqauth_tls_exception_ce, "opensslErrors");
}

PHP_METHOD(SqAuth_TlsException, getVerifyResult)
{
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_PROP(php_sqauth_tls_exception_ce, "verifyResult");
}

PHP_METHOD(SqAuth_TlsException, getAlert)
{
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_PROP(php_sqauth_tls_exception_ce, "alert");
}

PHP_METHOD(SqAuth_ProtocolException, getServerResponse)
{
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_PROP(php_sqauth_protocol_exception_ce, "serverResponse");
}

PHP_METHOD(SqAuth_AuthenticationException, getServerResponse)
{
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_PROP(php_sqauth_authentication_exception_ce, "serverResponse");
}

PHP_METHOD(SqAuth_AuthenticationException, getResponseCode)
{
    ZEND_PARSE_PARAMETERS_NONE();
    RETURN_PROP(php_sqauth_authentication_exception_ce, "responseCode");
}

/* SqAuth\openssl_error_decode(): OpenSSL 3 codes as int or "error:..."
 * string, and the OpenSSL 1.x strings admins paste from old logs
 * ("error:14094410:SSL routines:func(148):reason(1040)"), told apart by
 * the function field that OpenSSL 3 leaves empty. */
PHP_FUNCTION(SqAuth_openssl_error_decode)
{
    zend_string *str = NULL;
    zend_long num = 0;
    sqauth_openssl_error e;
    unsigned long code;
    int legacy = 0, func = 0;

    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR_OR_LONG(str, num)
    ZEND_PARSE_PARAMETERS_END();

    if (str) {
        const char *p = ZSTR_VAL(str);
        char *end;
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        if (strncasecmp(p, "error:", 6) == 0) {
            const char *lib_field, *func_field;
            p += 6;
            code = strtoul(p, &end, 16);
            if (end == p || end - p > 8 || (*end != ':' && *end != '\0')) {
                zend_argument_value_error(1, "must be an OpenSSL error code or an \"error:XXXXXXXX:...\" string");
                RETURN_THROWS();
            }
            /* error:CODE:library:function:reason */
            lib_field = *end ? strchr(end + 1, ':') : NULL;
            func_field = lib_field ? lib_field + 1 : NULL;
            legacy = func_field && *func_field && *func_field != ':';
        } else {
            if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
                p += 2;
            }
            code = strtoul(p, &end, 16);
            if (end == p || *end != '\0' || end - p > 8) {
                zend_argument_value_error(1, "must be an OpenSSL error code or an \"error:XXXXXXXX:...\" string");
                RETURN_THROWS();
            }
        }
    } else {
        if (num < 0 || (zend_ulong)num > 0xffffffffUL) {
            zend_argument_value_error(1, "must be between 0 and 0xFFFFFFFF");
            RETURN_THROWS();
        }
        code = (unsigned long)num;
    }
    sqauth_tls_decode_error(code, legacy, &e, &func);
    php_sqauth_openssl_error_to_array(&e, return_value);
    add_assoc_string(return_value, "format", legacy ? "openssl-1.x" : "openssl-3");
    if (legacy) {
        add_assoc_long(return_value, "function_code", func);
    }
}
