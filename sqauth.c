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
#include "src/core/pool.h"
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
    sqauth_pool_stats pool;

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
    /* The connection pool of this process (sqauth.pool_*). */
    sqauth_pool_get_stats(&pool);
    add_assoc_long(return_value, "pool_size", (zend_long)pool.size);
    add_assoc_long(return_value, "pool_entries", (zend_long)pool.entries);
    add_assoc_long(return_value, "pool_hits", (zend_long)pool.hits);
    add_assoc_long(return_value, "pool_misses", (zend_long)pool.misses);
    add_assoc_long(return_value, "pool_discards", (zend_long)pool.discards);
    add_assoc_long(return_value, "pool_evictions", (zend_long)pool.evictions);
    add_assoc_long(return_value, "pool_expired", (zend_long)pool.expired);
    add_assoc_long(return_value, "pool_forgotten", (zend_long)pool.forgotten);
    /* forgetPooled() reaches the pools of every process forked from the one that started PHP. */
    add_assoc_bool(return_value, "pool_shared_signouts", sqauth_pool_signouts_shared());
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

/* A value that one directory or request sets, not the process: Apache's
 * php_admin_value in a <Directory> or <VirtualHost> (applied when each
 * request starts, entry->modified from then on, and undone when it ends,
 * stage DEACTIVATE). php.ini, -d and PHP-FPM's php_admin_value set the
 * process's own value (stage STARTUP, or ACTIVATE before the worker's
 * first request, entry->modified 0). The SCRAM cache and the connection
 * pool serve every request of the process, so a directory cannot resize
 * them: resizing for one request and back at its end would drop the
 * others' cached keys and log out their pooled sessions twice a request. */
static bool set_for_one_request(const zend_ini_entry *entry, int stage)
{
    return stage == ZEND_INI_STAGE_DEACTIVATE || entry->modified;
}

static void refuse_for_one_request(const zend_ini_entry *entry, const char *allowed)
{
    php_error_docref(NULL, E_WARNING, "%s cannot be set for one directory or request: it sizes what the whole "
                     "process shares; set it in php.ini%s", ZSTR_VAL(entry->name), allowed);
}

static int bad_scram_cache_size(void)
{
    php_error_docref(NULL, E_WARNING, "sqauth.scram_cache_size must be a number of entries from 0 to %d",
                     SQAUTH_SCRAM_CACHE_MAX_CAPACITY);
    return FAILURE;
}

/* sqauth.scram_cache_size: entries of the SCRAM key cache, 0 = off. Set
 * once for the process (PHP_INI_SYSTEM): the cache is shared by every
 * request and thread. */
static PHP_INI_MH(OnUpdateScramCacheSize)
{
    char *end = NULL;
    zend_long n;
    sqauth_scram_cache_stats now;

    (void)mh_arg1;
    (void)mh_arg2;
    (void)mh_arg3;
    if (stage == ZEND_INI_STAGE_DEACTIVATE) {
        return SUCCESS;          /* the process's value again: it never changed */
    }
    n = ZEND_STRTOL(ZSTR_VAL(new_value), &end, 10);
    if (ZSTR_LEN(new_value) == 0 || *end != '\0' || n < 0 || n > SQAUTH_SCRAM_CACHE_MAX_CAPACITY) {
        return bad_scram_cache_size();
    }
    if (set_for_one_request(entry, stage)) {
        sqauth_scram_cache_get_stats(&now);
        if ((size_t)n == now.capacity) {
            return SUCCESS;
        }
        refuse_for_one_request(entry, "");
        return FAILURE;
    }
    return sqauth_scram_cache_set_capacity((size_t)n, NULL) == SQAUTH_OK ? SUCCESS : bad_scram_cache_size();
}

/* The connection pool's limits (src/core/pool.h), one setting each:
 * sqauth.pool_size (connections kept per process, 0 = off),
 * sqauth.pool_per_user, and in seconds (fractions allowed)
 * sqauth.pool_idle_timeout, sqauth.pool_max_lifetime and
 * sqauth.pool_check_after. PHP_INI_SYSTEM like the SCRAM cache: the pool
 * belongs to the process and serves every request (and every site a
 * PHP-FPM pool runs), so no script or directory may change it for the
 * others; PHP-FPM sets them per pool with php_admin_value. One thing a
 * directory may do: sqauth.pool_size = 0 turns the pool off for its own
 * requests (php_sqauth_pool_off_for_request()), the others' sessions left
 * alone. */
typedef struct {
    const char *name;
    int seconds;                 /* a time in seconds, else a count */
    double min, max;
} pool_setting;

static const pool_setting pool_settings[] = {
    {"sqauth.pool_size", 0, 0, SQAUTH_POOL_MAX_SIZE},
    {"sqauth.pool_per_user", 0, 1, 1000},
    {"sqauth.pool_idle_timeout", 1, 0.001, 86400},
    {"sqauth.pool_max_lifetime", 1, 0.001, 7 * 86400},
    {"sqauth.pool_check_after", 1, 0, 86400},
};

static sqauth_pool_limits pool_limits;

static bool pool_limits_equal(const sqauth_pool_limits *a, const sqauth_pool_limits *b)
{
    return a->size == b->size && a->per_user == b->per_user && a->idle_timeout_ms == b->idle_timeout_ms
        && a->max_lifetime_ms == b->max_lifetime_ms && a->check_after_ms == b->check_after_ms;
}

static PHP_INI_MH(OnUpdatePoolLimit)
{
    const pool_setting *setting = mh_arg1;
    sqauth_pool_limits next = pool_limits;
    char *end = NULL;
    double v;

    (void)mh_arg2;
    (void)mh_arg3;
    if (stage == ZEND_INI_STAGE_DEACTIVATE) {
        return SUCCESS;          /* the process's value again: its pool never changed */
    }
    v = zend_strtod(ZSTR_VAL(new_value), (const char **)&end);
    if (ZSTR_LEN(new_value) == 0 || *end != '\0' || !(v >= setting->min && v <= setting->max)
        || (!setting->seconds && v != (double)(zend_long)v)) {
        php_error_docref(NULL, E_WARNING, "%s must be %s from %g to %g", setting->name,
                         setting->seconds ? "a number of seconds" : "a whole number", setting->min, setting->max);
        return FAILURE;
    }
    switch (setting - pool_settings) {
    case 0:
        next.size = (size_t)v;
        break;
    case 1:
        next.per_user = (size_t)v;
        break;
    case 2:
        next.idle_timeout_ms = (int64_t)(v * 1000.0 + 0.5);
        break;
    case 3:
        next.max_lifetime_ms = (int64_t)(v * 1000.0 + 0.5);
        break;
    default:
        next.check_after_ms = (int64_t)(v * 1000.0 + 0.5);
        break;
    }
    if (set_for_one_request(entry, stage)) {
        /* The value stands for this request: 0 is read by
         * php_sqauth_pool_off_for_request(); the process's own changes
         * nothing. */
        if ((setting == &pool_settings[0] && next.size == 0) || pool_limits_equal(&next, &pool_limits)) {
            return SUCCESS;
        }
        refuse_for_one_request(entry, " (for a directory only sqauth.pool_size = 0 is allowed: no pooled "
                               "connections there)");
        return FAILURE;
    }
    if (sqauth_pool_set_limits(&next, NULL) != SQAUTH_OK) {
        return FAILURE;
    }
    pool_limits = next;
    return SUCCESS;
}

int php_sqauth_pool_off_for_request(void)
{
    return pool_limits.size > 0 && zend_ini_long("sqauth.pool_size", sizeof("sqauth.pool_size") - 1, 0) == 0;
}

PHP_INI_BEGIN()
    PHP_INI_ENTRY("sqauth.scram_cache_size", ZEND_TOSTR(SQAUTH_SCRAM_CACHE_DEFAULT_CAPACITY), PHP_INI_SYSTEM,
                  OnUpdateScramCacheSize)
    PHP_INI_ENTRY1("sqauth.pool_size", "16", PHP_INI_SYSTEM, OnUpdatePoolLimit, (void *)&pool_settings[0])
    PHP_INI_ENTRY1("sqauth.pool_per_user", "1", PHP_INI_SYSTEM, OnUpdatePoolLimit, (void *)&pool_settings[1])
    PHP_INI_ENTRY1("sqauth.pool_idle_timeout", "300", PHP_INI_SYSTEM, OnUpdatePoolLimit, (void *)&pool_settings[2])
    PHP_INI_ENTRY1("sqauth.pool_max_lifetime", "3600", PHP_INI_SYSTEM, OnUpdatePoolLimit, (void *)&pool_settings[3])
    PHP_INI_ENTRY1("sqauth.pool_check_after", "15", PHP_INI_SYSTEM, OnUpdatePoolLimit, (void *)&pool_settings[4])
PHP_INI_END()

PHP_MINIT_FUNCTION(sqauth)
{
    (void)type;
    sqauth_pool_limits_default(&pool_limits);
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
    /* Now, before PHP-FPM or httpd forks its workers: a sign-out in one
     * reaches the pools of all. Without shared memory each keeps its own
     * (features() says which). */
    sqauth_pool_share_signouts(NULL);
    return SUCCESS;
}

PHP_MSHUTDOWN_FUNCTION(sqauth)
{
    (void)type;
    (void)module_number;
    UNREGISTER_INI_ENTRIES();
    /* Before the TLS contexts: pooled sessions hold references to them. */
    sqauth_pool_shutdown();
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
    sqauth_pool_stats pool;
    char line[256];
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
    sqauth_pool_get_stats(&pool);
    if (pool.size) {
        snprintf(line, sizeof(line), "%zu of %zu connections; %llu hits, %llu misses, %llu discards, %llu evictions, "
                 "%llu expired, %llu forgotten", pool.entries, pool.size, pool.hits, pool.misses, pool.discards,
                 pool.evictions, pool.expired, pool.forgotten);
        if (sqauth_pool_signouts_shared()) {
            snprintf(line + strlen(line), sizeof(line) - strlen(line), "; sign-outs shared with forked workers");
        }
    } else {
        snprintf(line, sizeof(line), "off");
    }
    php_info_print_table_row(2, "Connection pool", line);
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
