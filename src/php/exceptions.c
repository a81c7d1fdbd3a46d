/* SqAuth exception classes and the helpers that throw them. */
#include "php_sqauth_internal.h"

#include "zend_exceptions.h"

zend_class_entry *php_sqauth_exception_ce;
zend_class_entry *php_sqauth_connection_exception_ce;
zend_class_entry *php_sqauth_tls_exception_ce;
zend_class_entry *php_sqauth_protocol_exception_ce;
zend_class_entry *php_sqauth_sasl_exception_ce;
zend_class_entry *php_sqauth_authentication_exception_ce;

void php_sqauth_throw_sasl(const sqauth_error *err)
{
    zend_long code = err->code < 0 ? -(zend_long)err->code : (zend_long)err->code;
    const char *msg = err->message[0] ? err->message : "SASL error";

    zend_throw_exception(php_sqauth_sasl_exception_ce, msg, code);
}
