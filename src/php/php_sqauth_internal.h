/* Declarations shared by the files of the PHP binding (src/php, sqauth.c). */
#ifndef PHP_SQAUTH_INTERNAL_H
#define PHP_SQAUTH_INTERNAL_H

#include "php.h"
#include "php_sqauth_compat.h"
#include "../core/common.h"
#include "../core/sasl/sasl.h"
#include "../core/tls/tls.h"

extern zend_class_entry *php_sqauth_sasl_client_ce;
extern zend_class_entry *php_sqauth_exception_ce;
extern zend_class_entry *php_sqauth_connection_exception_ce;
extern zend_class_entry *php_sqauth_tls_exception_ce;
extern zend_class_entry *php_sqauth_protocol_exception_ce;
extern zend_class_entry *php_sqauth_sasl_exception_ce;
extern zend_class_entry *php_sqauth_authentication_exception_ce;

/* Throws SqAuth\SaslException carrying err's message; the exception code is
 * the core status negated (SQAUTH_ERR_MALFORMED -3 -> 3). */
void php_sqauth_throw_sasl(const sqauth_error *err);

/* Throws the exception class that fits err->code: ConnectionException
 * (connect, timeout, closed; errno kept), TlsException (with tls's OpenSSL
 * errors, verify result and alert), ProtocolException and
 * AuthenticationException (with the server's response and code),
 * SaslException for the SASL codes, ValueError for invalid arguments. */
void php_sqauth_throw(const sqauth_error *err, const sqauth_tls_failure *tls, const char *response,
                      size_t response_len, const char *response_code);
void php_sqauth_openssl_error_to_array(const sqauth_openssl_error *e, zval *arr);

/* SqAuth\Connection (src/php/connection.c). */
extern zend_class_entry *php_sqauth_connection_ce;
void php_sqauth_connection_minit(int module_number);
/* Registers the connections' php.ini settings (src/php/settings.c). */
void php_sqauth_settings_minit(int type, int module_number);
/* 1 when this request alone has the connection pool off: its directory sets
 * sqauth.pool_size = 0 (Apache's php_admin_value) while the process pools
 * for the others (sqauth.c). */
int php_sqauth_pool_off_for_request(void);

/* Registers SqAuth\SaslClient's handlers (called from MINIT). */
void php_sqauth_sasl_client_minit(void);

/* Builds a SASL session from PHP arrays of credentials and options, the way
 * SaslClient::__construct() takes them. On failure an exception is thrown
 * and NULL returned. arg_base is the argument number of `credentials` for
 * argument errors (options is arg_base + 1). */
sqauth_sasl *php_sqauth_sasl_from_arrays(const char *mech, size_t mech_len, HashTable *credentials,
                                         HashTable *options, uint32_t arg_base);

/* Fills cfg from an options array the way SaslClient::__construct() reads
 * it (same checks, same messages, argument number arg_num). *qop may be set
 * to an emalloc'ed list the caller efree()s, also after a failure. */
int php_sqauth_sasl_parse_options(HashTable *ht, sqauth_sasl_config *cfg, const char ***qop, uint32_t arg_num);

/* One key of such an options array (SUCCESS, or FAILURE with the argument
 * error thrown, also for an unknown key). */
int php_sqauth_sasl_parse_option(zend_string *key, zval *zv, sqauth_sasl_config *cfg, const char ***qop,
                                 uint32_t arg_num);
/* A string entry of a credentials or options array, borrowed into *out;
 * FAILURE with a TypeError naming key. */
int php_sqauth_sasl_string_entry(zval *zv, sqauth_str *out, uint32_t arg_num, const char *key);

/* Runs one SASL step and returns the response as a zend_string (NULL and an
 * exception on failure). The core buffer is wiped. */
zend_string *php_sqauth_sasl_step(sqauth_sasl *s, const char *in, size_t in_len);

/* Strict base64 helpers for the SquirrelMail-shaped functions: surrounding
 * white space (the CRLF of a server line) is ignored, anything else must be
 * canonical base64. */
zend_string *php_sqauth_b64_decode_challenge(const char *in, size_t len);
zend_string *php_sqauth_b64_encode(const zend_string *raw);

#endif
