/* Versions of the libraries sqauth was built with and runs with (phpinfo). */
#ifndef SQAUTH_VERSION_H
#define SQAUTH_VERSION_H

#define SQAUTH_VERSION "0.1.0"

const char *sqauth_openssl_version_runtime(void);  /* OpenSSL_version() */
const char *sqauth_openssl_version_build(void);    /* OPENSSL_VERSION_TEXT */
const char *sqauth_libxml_version_build(void);     /* LIBXML_DOTTED_VERSION */
/* libidn version in use, or NULL when built without libidn (no SASLprep). */
const char *sqauth_libidn_version(void);

#endif
