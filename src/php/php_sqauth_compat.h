/*
 * The PHP versions the binding supports and the places where their internal
 * API differs, kept in this one header so that every version guard sits in
 * one place. docs/compat.md says which versions were built and which were
 * only reviewed against php-src's UPGRADING.INTERNALS, with the findings.
 */
#ifndef PHP_SQAUTH_COMPAT_H
#define PHP_SQAUTH_COMPAT_H

#include "php.h"

/* The floor is 8.2: the generated arginfo marks every password parameter
 * with #[\SensitiveParameter] (ZSTR_KNOWN(ZEND_STR_SENSITIVEPARAMETER)),
 * which 8.2 introduced. On 8.1 the build would stop there with an error that
 * does not say why, and a build without the attribute would put passwords
 * into stack traces, which sqauth promises never to do. */
#if PHP_VERSION_ID < 80200
# error "sqauth needs PHP 8.2 or later (#[\\SensitiveParameter] keeps passwords out of stack traces); see docs/compat.md"
#endif

/* 8.3 stopped including C library headers that Zend headers used to pull in
 * by accident (UPGRADING.INTERNALS 8.3: "errno.h" and others are no longer
 * implied). The binding calls memcpy, memset, strlen, strcmp, strncasecmp
 * and snprintf, so it includes their headers itself instead of relying on
 * php.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#ifndef PHP_WIN32
# include <strings.h>
#endif

/* The type in "must be of type string, X given": 8.3's own parameter
 * parsing names the value (zend_zval_value_name(): "stdClass", "true"),
 * 8.2 has only the type (zend_zval_type_name(): "object", "bool"). Argument
 * errors raised by the binding use this so that they read like PHP's own
 * on every version. */
#if PHP_VERSION_ID >= 80300
# define php_sqauth_zval_value_name(zv) zend_zval_value_name(zv)
#else
# define php_sqauth_zval_value_name(zv) zend_zval_type_name(zv)
#endif

#endif
