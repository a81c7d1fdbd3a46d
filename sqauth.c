/*
 * sqauth: SASL, TLS and STARTTLS authentication for PHP mail software.
 * Module entry, class registration, phpinfo() and the small functions.
 * The work is done by the pure C core under src/core; src/php holds the glue.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif

#include "php.h"
#include "ext/standard/info.h"
#include "zend_exceptions.h"
#include "zend_smart_str.h"

#include "php_sqauth.h"
#include "src/php/php_sqauth_internal.h"
#include "src/core/version.h"
#include "src/core/tls/tls.h"
#include "src/core/sasl/scram_cache.h"
#include "zend_attributes.h"

/* The generated arginfo has an unused parameter in 8.2's
 * register_*_symbols(); it is not ours to edit. */
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-parameter"
#endif
#include "sqauth_arginfo.h"
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

PHP_FUNCTION(SqAuth_mechanisms)
{
    size_t i;

    ZEND_PARSE_PARAMETERS_NONE();
    array_init(return_value);
    for (i = 0; i < sqauth_sasl_mech_count(); i++) {
        add_next_index_string(return_value, sqauth_sasl_mech_at(i)->name);
    }
}

PHP_FUNCTION(SqAuth_features)
{
    const char *idn = sqauth_libidn_version();
    sqauth_scram_cache_stats scram;

    ZEND_PARSE_PARAMETERS_NONE();
    array_init(return_value);
    add_assoc_string(return_value, "version", PHP_SQAUTH_VERSION);
    add_assoc_bool(return_value, "saslprep", idn != NULL);
    add_assoc_string(return_value, "openssl", (char *)sqauth_openssl_version_runtime());
    add_assoc_string(return_value, "libxml", (char *)sqauth_libxml_version_build());
    if (idn) {
        add_assoc_string(return_value, "libidn", (char *)idn);
    } else {
        add_assoc_null(return_value, "libidn");
    }
    /* TLS client contexts cached in this process: one per distinct option set. */
    add_assoc_long(return_value, "tls_contexts", (zend_long)sqauth_tls_cache_size());
    /* TLS sessions kept for resumption, over all contexts. */
    add_assoc_long(return_value, "tls_sessions", (zend_long)sqauth_tls_session_count());
    /* The SCRAM key cache of this process (sqauth.scram_cache_size). */
    sqauth_scram_cache_get_stats(&scram);
    add_assoc_long(return_value, "scram_cache_size", (zend_long)scram.capacity);
    add_assoc_long(return_value, "scram_cache_entries", (zend_long)scram.entries);
    add_assoc_long(return_value, "scram_cache_hits", (zend_long)scram.hits);
    add_assoc_long(return_value, "scram_cache_misses", (zend_long)scram.misses);
    add_assoc_long(return_value, "scram_cache_evictions", (zend_long)scram.evictions);
}

/* Copies a PHP list of mechanism names into borrowed sqauth_str entries. */
static sqauth_str *name_list(HashTable *ht, size_t *count, uint32_t arg_num)
{
    sqauth_str *list = safe_emalloc(zend_hash_num_elements(ht) + 1, sizeof(sqauth_str), 0);
    zval *zv;
    size_t n = 0;

    ZEND_HASH_FOREACH_VAL(ht, zv) {
        ZVAL_DEREF(zv);
        if (Z_TYPE_P(zv) != IS_STRING) {
            efree(list);
            zend_argument_type_error(arg_num, "must contain only strings, %s given", zend_zval_type_name(zv));
            return NULL;
        }
        list[n].data = Z_STRVAL_P(zv);
        list[n].len = Z_STRLEN_P(zv);
        n++;
    } ZEND_HASH_FOREACH_END();
    *count = n;
    return list;
}

PHP_FUNCTION(SqAuth_select_mechanism)
{
    HashTable *offered, *allowed = NULL;
    bool encrypted = true;
    sqauth_str *offered_list, *allowed_list = NULL;
    size_t offered_count = 0, allowed_count = 0;
    const char *chosen;

    ZEND_PARSE_PARAMETERS_START(1, 3)
        Z_PARAM_ARRAY_HT(offered)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_HT_OR_NULL(allowed)
        Z_PARAM_BOOL(encrypted)
    ZEND_PARSE_PARAMETERS_END();

    offered_list = name_list(offered, &offered_count, 1);
    if (!offered_list) {
        RETURN_THROWS();
    }
    if (allowed) {
        allowed_list = name_list(allowed, &allowed_count, 2);
        if (!allowed_list) {
            efree(offered_list);
            RETURN_THROWS();
        }
    }
    chosen = sqauth_sasl_select(offered_list, offered_count, allowed_list, allowed_count, encrypted);
    efree(offered_list);
    if (allowed_list) {
        efree(allowed_list);
    }
    if (!chosen) {
        RETURN_NULL();
    }
    RETURN_STRING(chosen);
}

/* sqauth.scram_cache_size: entries of the SCRAM key cache, 0 = off. Set
 * once for the process (PHP_INI_SYSTEM): the cache is shared by every
 * request and thread. */
static PHP_INI_MH(OnUpdateScramCacheSize)
{
    char *end = NULL;
    zend_long n = ZEND_STRTOL(ZSTR_VAL(new_value), &end, 10);

    (void)entry;
    (void)mh_arg1;
    (void)mh_arg2;
    (void)mh_arg3;
    (void)stage;
    if (ZSTR_LEN(new_value) == 0 || *end != '\0' || n < 0 || n > SQAUTH_SCRAM_CACHE_MAX_CAPACITY
        || sqauth_scram_cache_set_capacity((size_t)n, NULL) != SQAUTH_OK) {
        php_error_docref(NULL, E_WARNING, "sqauth.scram_cache_size must be a number of entries from 0 to %d",
                         SQAUTH_SCRAM_CACHE_MAX_CAPACITY);
        return FAILURE;
    }
    return SUCCESS;
}

PHP_INI_BEGIN()
    PHP_INI_ENTRY("sqauth.scram_cache_size", ZEND_TOSTR(SQAUTH_SCRAM_CACHE_DEFAULT_CAPACITY), PHP_INI_SYSTEM,
                  OnUpdateScramCacheSize)
PHP_INI_END()

PHP_MINIT_FUNCTION(sqauth)
{
    (void)type;
    REGISTER_INI_ENTRIES();
    php_sqauth_settings_minit(type, module_number);
    php_sqauth_sasl_client_ce = register_class_SqAuth_SaslClient();
    php_sqauth_sasl_client_minit();
    php_sqauth_connection_ce = register_class_SqAuth_Connection();
    php_sqauth_connection_minit(module_number);

    php_sqauth_exception_ce = register_class_SqAuth_Exception(zend_ce_exception);
    php_sqauth_connection_exception_ce = register_class_SqAuth_ConnectionException(php_sqauth_exception_ce);
    php_sqauth_tls_exception_ce = register_class_SqAuth_TlsException(php_sqauth_exception_ce);
    php_sqauth_protocol_exception_ce = register_class_SqAuth_ProtocolException(php_sqauth_exception_ce);
    php_sqauth_sasl_exception_ce = register_class_SqAuth_SaslException(php_sqauth_exception_ce);
    php_sqauth_authentication_exception_ce = register_class_SqAuth_AuthenticationException(php_sqauth_exception_ce);

    register_sqauth_symbols(module_number);
    return SUCCESS;
}

PHP_MSHUTDOWN_FUNCTION(sqauth)
{
    (void)type;
    (void)module_number;
    UNREGISTER_INI_ENTRIES();
    sqauth_tls_cache_clear();
    sqauth_scram_cache_shutdown();
    sqauth_crypto_cleanup();
    return SUCCESS;
}

PHP_MINFO_FUNCTION(sqauth)
{
    smart_str mechs = {0};
    const char *idn = sqauth_libidn_version();
    sqauth_scram_cache_stats scram;
    char line[160];
    size_t i;

    for (i = 0; i < sqauth_sasl_mech_count(); i++) {
        if (i) {
            smart_str_appends(&mechs, " ");
        }
        smart_str_appends(&mechs, sqauth_sasl_mech_at(i)->name);
    }
    smart_str_0(&mechs);

    php_info_print_table_start();
    php_info_print_table_row(2, "sqauth support", "enabled");
    php_info_print_table_row(2, "Version", PHP_SQAUTH_VERSION);
    php_info_print_table_row(2, "OpenSSL library version", sqauth_openssl_version_runtime());
    php_info_print_table_row(2, "OpenSSL header version", sqauth_openssl_version_build());
    php_info_print_table_row(2, "libxml2 version", sqauth_libxml_version_build());
    php_info_print_table_row(2, "SASLprep (libidn)", idn ? idn : "not available (SCRAM refuses non-ASCII credentials)");
    php_info_print_table_row(2, "SASL mechanisms", ZSTR_VAL(mechs.s));
    sqauth_scram_cache_get_stats(&scram);
    if (scram.capacity) {
        snprintf(line, sizeof(line), "%zu of %zu entries; %llu hits, %llu misses, %llu evictions", scram.entries,
                 scram.capacity, scram.hits, scram.misses, scram.evictions);
    } else {
        snprintf(line, sizeof(line), "off");
    }
    php_info_print_table_row(2, "SCRAM key cache", line);
    php_info_print_table_end();
    smart_str_free(&mechs);
    DISPLAY_INI_ENTRIES();
    (void)zend_module;
}

zend_module_entry sqauth_module_entry = {
    STANDARD_MODULE_HEADER,
    "sqauth",
    ext_functions,
    PHP_MINIT(sqauth),
    PHP_MSHUTDOWN(sqauth),
    NULL,
    NULL,
    PHP_MINFO(sqauth),
    PHP_SQAUTH_VERSION,
    STANDARD_MODULE_PROPERTIES
};

#ifdef COMPILE_DL_SQAUTH
#ifdef ZTS
ZEND_TSRMLS_CACHE_DEFINE()
#endif
ZEND_GET_MODULE(sqauth)
#endif
