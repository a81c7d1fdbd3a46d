/*
 * The php.ini settings connections fall back on: sqauth.cafile, capath,
 * min_protocol, session_resumption, timeout and connect_timeout (shown by
 * phpinfo() with the others), and PHP's own openssl.cafile and
 * openssl.capath. This file declares them and reads them for the core;
 * which source wins is decided there (src/core/defaults.h), as is whether
 * a value can be used.
 *
 * No value is checked as it is set (the OnUpdate handler takes any): a bad one in
 * php.ini would be a startup warning no script sees and the default kept,
 * in .user.ini it would be dropped without a word, and from ini_set() it
 * would be a bare false that leaves the old value in force. Every source
 * is treated alike instead: the value is kept as written, ini_get() and
 * phpinfo() show it, and the first connection that takes it up throws an
 * exception that names the setting and quotes the value.
 */
#include "connection.h"

/* Every value is taken as it is (see above). A handler is still needed:
 * without one PHP's ini_restore() refuses to restore the setting. */
static PHP_INI_MH(OnUpdateAnyText)
{
    (void)entry;
    (void)new_value;
    (void)mh_arg1;
    (void)mh_arg2;
    (void)mh_arg3;
    (void)stage;
    return SUCCESS;
}

/* Changeability, chosen per setting (docs/manual/sqauth.configuration.md):
 * trust anchors and the TLS floor are the administrator's, per directory
 * at most (php.ini, .user.ini, httpd.conf), as openssl.cafile is; a script
 * that needs another CA or version for one server says so in its call,
 * where it can be read, rather than changing it for every library that
 * connects after it. Deadlines are anyone's, as default_socket_timeout is. */
PHP_INI_BEGIN()
    PHP_INI_ENTRY("sqauth.cafile", "", PHP_INI_PERDIR, OnUpdateAnyText)
    PHP_INI_ENTRY("sqauth.capath", "", PHP_INI_PERDIR, OnUpdateAnyText)
    PHP_INI_ENTRY("sqauth.min_protocol", "TLSv1.2", PHP_INI_PERDIR, OnUpdateAnyText)
    PHP_INI_ENTRY("sqauth.session_resumption", "1", PHP_INI_PERDIR, OnUpdateAnyText)
    PHP_INI_ENTRY("sqauth.timeout", "30", PHP_INI_ALL, OnUpdateAnyText)
    PHP_INI_ENTRY("sqauth.connect_timeout", "30", PHP_INI_ALL, OnUpdateAnyText)
PHP_INI_END()

void php_sqauth_settings_minit(int type, int module_number)
{
    REGISTER_INI_ENTRIES();
}

/* The current value of a setting (NULL when there is no such setting, as
 * openssl.cafile without ext/openssl), named as php.ini writes it. */
#define SETTING(field, ini) do { \
        bool exists_ = 0; \
        site->field.text = zend_ini_string_ex(ini, sizeof(ini) - 1, 0, &exists_); \
        site->field.name = "php.ini " ini; \
        if (!exists_) { \
            site->field.text = NULL; \
        } \
    } while (0)

void php_sqauth_settings_read(sqauth_site_defaults *site)
{
    memset(site, 0, sizeof(*site));
    SETTING(cafile, "sqauth.cafile");
    SETTING(capath, "sqauth.capath");
    SETTING(platform_cafile, "openssl.cafile");
    SETTING(platform_capath, "openssl.capath");
    SETTING(min_protocol, "sqauth.min_protocol");
    SETTING(session_resumption, "sqauth.session_resumption");
    SETTING(timeout, "sqauth.timeout");
    SETTING(connect_timeout, "sqauth.connect_timeout");
}
