/*
 * sqauth core: the site's defaults for connections (php.ini in PHP; issue
 * 13), and the one rule that says which source of a setting wins.
 *
 * A connection's setting comes from the first of these that gives it:
 *   1. the call's own option                 'cafile' => '/etc/ssl/site-ca.pem'
 *   2. the site's setting for sqauth          sqauth.cafile
 *   3. the platform's setting for the same    openssl.cafile, openssl.capath (PHP's own TLS
 *      thing                                  streams use them); the CA locations only
 *   4. the built-in default                   OpenSSL's default store; TLSv1.2; 30 s; on
 *
 * The CA file and the CA directory are one setting here, "where the trust
 * anchors come from": the first source that names either supplies both (a
 * call that passes 'cafile' trusts that file alone, not also a capath from
 * php.ini). PHP's streams merge the two independently; a private CA passed
 * for one server should not quietly widen to a directory configured for
 * others.
 *
 * The site's values arrive as text, as a configuration file holds them,
 * each with the name messages report it under. They are parsed here, when
 * a connection takes them up, and a value that cannot be used is an error
 * naming the setting and quoting the value: never ignored, never replaced
 * by a default.
 */
#ifndef SQAUTH_DEFAULTS_H
#define SQAUTH_DEFAULTS_H

#include "proto/session.h"

typedef enum {
    SQAUTH_SOURCE_CALL = 0,
    SQAUTH_SOURCE_SITE = 1,
    SQAUTH_SOURCE_PLATFORM = 2,
    SQAUTH_SOURCE_BUILTIN = 3
} sqauth_source;

/* The precedence rule: the strongest source that gives the setting wins.
 * Each argument says whether that source gives it; none does: the
 * built-in default. */
sqauth_source sqauth_source_pick(int call, int site, int platform);

/* One setting as a configuration file gives it. text NULL or "" means not
 * set, except for a boolean, where "" is off (php.ini writes Off as the
 * empty string). name is what messages call it ("php.ini sqauth.timeout"). */
typedef struct sqauth_site_value {
    const char *text;
    const char *name;
} sqauth_site_value;

typedef struct sqauth_site_defaults {
    sqauth_site_value cafile, capath;                    /* the site's trust anchors */
    sqauth_site_value platform_cafile, platform_capath;  /* the platform's */
    sqauth_site_value min_protocol;                      /* "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3" */
    sqauth_site_value session_resumption;                /* "1"/"on"/"yes"/"true", "0"/"off"/"no"/"false"/"" */
    sqauth_site_value timeout, connect_timeout;          /* seconds: "30", "2.5"; > 0 and at most 86400 */
} sqauth_site_defaults;

/* The settings the call's own options gave. */
#define SQAUTH_GIVEN_CA                 0x01u /* 'cafile' or 'capath' */
#define SQAUTH_GIVEN_MIN_PROTOCOL       0x02u
#define SQAUTH_GIVEN_SESSION_RESUMPTION 0x04u
#define SQAUTH_GIVEN_TIMEOUT            0x08u
#define SQAUTH_GIVEN_CONNECT_TIMEOUT    0x10u

/* Gives every setting of o that the call did not give (given) its value
 * from the source sqauth_source_pick() chooses. Where the built-in default
 * wins, o keeps what sqauth_session_options_init() put there. Strings are
 * borrowed from site; o->cafile_name and o->capath_name get the names of
 * the settings the CA locations came from, for the messages of a file that
 * cannot be loaded (sqauth_tls_ctx_preload()). Errors, naming the setting
 * and quoting its value:
 *   SQAUTH_ERR_TLS      sqauth.min_protocol or session_resumption unusable
 *   SQAUTH_ERR_CONNECT  sqauth.timeout or connect_timeout not a number of seconds in range
 * (the CA files are loaded later, by the first TLS handshake that uses them). */
int sqauth_defaults_apply(sqauth_session_options *o, unsigned given, const sqauth_site_defaults *site,
                          sqauth_error *err);

#endif
