/* sqauth: SASL, TLS and STARTTLS authentication for PHP mail software. */
#ifndef PHP_SQAUTH_H
#define PHP_SQAUTH_H

#include "src/core/version.h"

extern zend_module_entry sqauth_module_entry;
#define phpext_sqauth_ptr &sqauth_module_entry

#define PHP_SQAUTH_VERSION SQAUTH_VERSION

#if defined(ZTS) && defined(COMPILE_DL_SQAUTH)
ZEND_TSRMLS_CACHE_EXTERN()
#endif

#endif
