dnl config.m4 for sqauth: SASL, TLS and STARTTLS for PHP mail software.

PHP_ARG_ENABLE([sqauth],
  [whether to enable sqauth],
  [AS_HELP_STRING([--enable-sqauth], [Enable sqauth (SASL/TLS authentication for IMAP, SMTP, POP3)])],
  [no])

PHP_ARG_WITH([sqauth-libidn],
  [whether to use libidn for SASLprep],
  [AS_HELP_STRING([--without-sqauth-libidn],
    [sqauth: build without libidn (SCRAM then refuses non-ASCII credentials)])],
  [yes],
  [no])

if test "$PHP_SQAUTH" != "no"; then
  PHP_SETUP_OPENSSL(SQAUTH_SHARED_LIBADD, [], [AC_MSG_ERROR([sqauth needs OpenSSL (libssl-dev)])])
  PHP_SETUP_LIBXML(SQAUTH_SHARED_LIBADD)

  dnl The C core under src/core includes no PHP or autoconf header, so
  dnl feature macros reach it as compiler flags.
  SQAUTH_CFLAGS="-DZEND_ENABLE_STATIC_TSRMLS_CACHE=1 -Wall -Wextra"
  if test "$PHP_SQAUTH_LIBIDN" != "no"; then
    PKG_CHECK_MODULES([LIBIDN], [libidn >= 1.0], [
      PHP_EVAL_LIBLINE($LIBIDN_LIBS, SQAUTH_SHARED_LIBADD)
      PHP_EVAL_INCLINE($LIBIDN_CFLAGS)
      SQAUTH_CFLAGS="$SQAUTH_CFLAGS -DHAVE_LIBIDN=1"
    ], [
      AC_MSG_WARN([libidn not found: SCRAM will refuse non-ASCII user names and passwords])
    ])
  fi

  SQAUTH_CORE_SOURCES="src/core/common.c src/core/buf.c src/core/b64.c src/core/random.c src/core/crypto.c \
    src/core/version.c \
    src/core/sasl/sasl.c src/core/sasl/plain.c src/core/sasl/login.c src/core/sasl/cram_md5.c src/core/sasl/hmac_md5.c src/core/sasl/md5.c \
    src/core/sasl/digest_md5.c src/core/sasl/digest_md5_parse.c src/core/sasl/digest_md5_calc.c src/core/sasl/digest_md5_layer.c \
    src/core/sasl/charset.c src/core/sasl/scram.c src/core/sasl/scram_cache.c src/core/sasl/scram_parse.c src/core/sasl/saslprep.c \
    src/core/sasl/oauth.c src/core/sasl/oauth_parse.c src/core/sasl/external.c"
  SQAUTH_CORE_SOURCES="$SQAUTH_CORE_SOURCES src/core/conn.c src/core/policy.c src/core/defaults.c src/core/pool.c src/core/net/net.c \
    src/core/tls/tls.c src/core/tls/tls_conn.c src/core/tls/tls_options.c \
    src/core/proto/protocols.c src/core/proto/session.c src/core/proto/auth.c src/core/proto/imap.c src/core/proto/pop3.c src/core/proto/smtp.c \
    src/core/proto/sieve.c src/core/proto/redact.c"
  SQAUTH_PHP_SOURCES="sqauth.c src/php/exceptions.c src/php/sasl_client.c src/php/helpers.c \
    src/php/connection.c src/php/connection_options.c src/php/connection_stream.c src/php/connection_pool.c src/php/detect.c src/php/settings.c"

  PHP_NEW_EXTENSION(sqauth, $SQAUTH_PHP_SOURCES $SQAUTH_CORE_SOURCES, $ext_shared,, $SQAUTH_CFLAGS)
  PHP_ADD_BUILD_DIR($ext_builddir/src/php)
  PHP_ADD_BUILD_DIR($ext_builddir/src/core)
  PHP_ADD_BUILD_DIR($ext_builddir/src/core/sasl)
  PHP_ADD_BUILD_DIR($ext_builddir/src/core/net)
  PHP_ADD_BUILD_DIR($ext_builddir/src/core/tls)
  PHP_ADD_BUILD_DIR($ext_builddir/src/core/proto)
  PHP_SUBST(SQAUTH_SHARED_LIBADD)
fi
