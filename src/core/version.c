/* Versions of the libraries sqauth was built with and runs with. */
#include "version.h"

#include <openssl/crypto.h>
#include <openssl/opensslv.h>
#include <libxml/xmlversion.h>
#ifdef HAVE_LIBIDN
#include <stringprep.h>
#endif

const char *sqauth_openssl_version_runtime(void)
{
    return OpenSSL_version(OPENSSL_VERSION);
}

const char *sqauth_openssl_version_build(void)
{
    return OPENSSL_VERSION_TEXT;
}

const char *sqauth_libxml_version_build(void)
{
    return LIBXML_DOTTED_VERSION;
}

const char *sqauth_libidn_version(void)
{
#ifdef HAVE_LIBIDN
    return stringprep_check_version(NULL);
#else
    return NULL;
#endif
}
