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

/* Appends the decimal form of v at p; returns the new end. */
static char *put_decimal(char *p, long long v)
{
    char digits[24];
    size_t n = 0;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;

    if (v < 0) {
        *p++ = '-';
    }
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    while (n) {
        *p++ = digits[--n];
    }
    return p;
}

/* name=length:value; for every option (all) or those in the context
 * cache key, each length-prefixed (length -1 when not set) so that no
 * value can imitate another. One allocation: the connection pool makes one
 * for every pooled() call. */
static char *serialise(const sqauth_tls_config *cfg, int all)
{
    size_t len = 1, i;
    char *key, *p;

    for (i = 0; i < OPTION_COUNT; i++) {
        const sqauth_tls_option *o = &options[i];
        if (all || o->in_cache_key) {
            const char *v = o->type == SQAUTH_TLS_STRING ? *sqauth_tls_option_string((sqauth_tls_config *)cfg, o) : NULL;
            /* name = 24 digits : value (a number has at most 24 characters) ; */
            len += strlen(o->name) + 1 + 24 + 1 + (v ? strlen(v) : 24) + 1;
        }
    }
    key = malloc(len);
    if (!key) {
        return NULL;
    }
    p = key;
    for (i = 0; i < OPTION_COUNT; i++) {
        const sqauth_tls_option *o = &options[i];
        char num[24], *end = num;
        const char *v;
        size_t n;

        if (!all && !o->in_cache_key) {
            continue;
        }
        if (o->type == SQAUTH_TLS_STRING) {
            v = *sqauth_tls_option_string((sqauth_tls_config *)cfg, o);
        } else {
            end = put_decimal(num, *sqauth_tls_option_int((sqauth_tls_config *)cfg, o));
            v = num;
        }
        n = v ? (v == num ? (size_t)(end - num) : strlen(v)) : 0;
        memcpy(p, o->name, strlen(o->name));
        p += strlen(o->name);
        *p++ = '=';
        p = put_decimal(p, v ? (long long)n : -1);
        *p++ = ':';
        memcpy(p, v ? v : "", n);
        p += n;
        *p++ = ';';
    }
    *p = '\0';
    return key;
}

char *sqauth_tls_config_key(const sqauth_tls_config *cfg)
{
    return serialise(cfg, 0);
}

char *sqauth_tls_config_identity(const sqauth_tls_config *cfg)
{
    return serialise(cfg, 1);
}
