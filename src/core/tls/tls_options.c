/*
 * sqauth core: the TLS options as declared in tls.h (SQAUTH_TLS_OPTIONS):
 * their table, defaults, copies, and the context cache key. Nothing here
 * names an option: a new line in tls.h is picked up by all of it.
 */
#include "tls.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TYPE_BOOL SQAUTH_TLS_BOOL
#define TYPE_STRING SQAUTH_TLS_STRING
#define TYPE_VERSION SQAUTH_TLS_VERSION
#define SCOPE_CONTEXT SQAUTH_TLS_CONTEXT
#define SCOPE_CONNECTION SQAUTH_TLS_CONNECTION

#define OPTION_ENTRY(field, type, def, scope, key) \
    {#field, TYPE_##type, SCOPE_##scope, key, offsetof(sqauth_tls_config, field), \
     sizeof(((sqauth_tls_config *)0)->field)},

static const sqauth_tls_option options[] = {
    SQAUTH_TLS_OPTIONS(OPTION_ENTRY)
};

#define OPTION_COUNT (sizeof(options) / sizeof(options[0]))

size_t sqauth_tls_option_count(void)
{
    return OPTION_COUNT;
}

const sqauth_tls_option *sqauth_tls_option_at(size_t i)
{
    return i < OPTION_COUNT ? &options[i] : NULL;
}

const sqauth_tls_option *sqauth_tls_option_find(const char *name, size_t len)
{
    size_t i;
    for (i = 0; i < OPTION_COUNT; i++) {
        if (strlen(options[i].name) == len && memcmp(options[i].name, name, len) == 0) {
            return &options[i];
        }
    }
    return NULL;
}

int *sqauth_tls_option_int(sqauth_tls_config *cfg, const sqauth_tls_option *o)
{
    return (int *)(void *)((char *)cfg + o->offset);
}

const char **sqauth_tls_option_string(sqauth_tls_config *cfg, const sqauth_tls_option *o)
{
    return (const char **)(void *)((char *)cfg + o->offset);
}

int sqauth_tls_version_find(const char *name, size_t len)
{
    static const struct {
        const char *name;
        int version;
    } versions[] = {
        {"TLSv1", TLS1_VERSION}, {"TLSv1.0", TLS1_VERSION}, {"TLSv1.1", TLS1_1_VERSION},
        {"TLSv1.2", TLS1_2_VERSION}, {"TLSv1.3", TLS1_3_VERSION},
    };
    size_t i;

    for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        if (strlen(versions[i].name) == len && memcmp(versions[i].name, name, len) == 0) {
            return versions[i].version;
        }
    }
    return 0;
}

#define SET_DEFAULT(field, type, def, scope, key) cfg->field = def;

void sqauth_tls_config_init(sqauth_tls_config *cfg)
{
    memset(cfg, 0, sizeof(*cfg));
    SQAUTH_TLS_OPTIONS(SET_DEFAULT)
}

int sqauth_tls_config_copy(sqauth_tls_config *dst, const sqauth_tls_config *src)
{
    size_t i;

    *dst = *src;
    for (i = 0; i < OPTION_COUNT; i++) {
        const char **field = sqauth_tls_option_string(dst, &options[i]);
        if (options[i].type != SQAUTH_TLS_STRING || !*field) {
            continue;
        }
        if (!(*field = strdup(*field))) {
            while (i-- > 0) {
                if (options[i].type == SQAUTH_TLS_STRING) {
                    free((void *)*sqauth_tls_option_string(dst, &options[i]));
                }
            }
            sqauth_tls_config_init(dst);
            return SQAUTH_ERR_NOMEM;
        }
    }
    return SQAUTH_OK;
}

void sqauth_tls_config_release(sqauth_tls_config *cfg)
{
    size_t i;

    for (i = 0; i < OPTION_COUNT; i++) {
        if (options[i].type == SQAUTH_TLS_STRING) {
            const char **field = sqauth_tls_option_string(cfg, &options[i]);
            free((void *)*field);
            *field = NULL;
        }
    }
}

char *sqauth_tls_config_key(const sqauth_tls_config *cfg)
{
    char *key = NULL, *p;
    size_t len = 0, i;

    for (i = 0; i < OPTION_COUNT; i++) {
        const sqauth_tls_option *o = &options[i];
        const char *value = NULL;
        char num[32];
        size_t add;
        int n;

        if (!o->in_cache_key) {
            continue;
        }
        if (o->type == SQAUTH_TLS_STRING) {
            value = *sqauth_tls_option_string((sqauth_tls_config *)cfg, o);
        } else {
            snprintf(num, sizeof(num), "%d", *sqauth_tls_option_int((sqauth_tls_config *)cfg, o));
            value = num;
        }
        /* name=length:value; (length -1 when not set) */
        add = strlen(o->name) + 24 + (value ? strlen(value) : 0);
        p = realloc(key, len + add + 1);
        if (!p) {
            free(key);
            return NULL;
        }
        key = p;
        n = snprintf(key + len, add + 1, "%s=%zd:%s;", o->name, value ? (ssize_t)strlen(value) : (ssize_t)-1,
                     value ? value : "");
        len += (size_t)n;
    }
    if (!key) {
        key = strdup("");
    }
    return key;
}
