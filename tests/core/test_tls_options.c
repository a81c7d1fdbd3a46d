/*
 * The TLS options as declared in src/core/tls/tls.h: every option that
 * shapes the shared context is part of its cache key (forgetting one would
 * silently reuse a context built with the old value), options applied per
 * connection share the context, and sqauth_tls_config has no field that is
 * not declared there.
 */
#include "check.h"
#include "tls/tls.h"

#include <stdlib.h>

/* base with one option set to another valid value. */
static void change(sqauth_tls_config *cfg, const sqauth_tls_option *o)
{
    switch (o->type) {
    case SQAUTH_TLS_BOOL:
        *sqauth_tls_option_int(cfg, o) = !*sqauth_tls_option_int(cfg, o);
        break;
    case SQAUTH_TLS_VERSION:
        *sqauth_tls_option_int(cfg, o) = *sqauth_tls_option_int(cfg, o) == TLS1_3_VERSION ? TLS1_2_VERSION
                                                                                       : TLS1_3_VERSION;
        break;
    case SQAUTH_TLS_STRING:
        *sqauth_tls_option_string(cfg, o) = "/some/other/value";
        break;
    }
}

static int same_key(const sqauth_tls_config *a, const sqauth_tls_config *b)
{
    char *ka = sqauth_tls_config_key(a), *kb = sqauth_tls_config_key(b);
    int same = ka && kb && strcmp(ka, kb) == 0;
    free(ka);
    free(kb);
    return same;
}

static int same_identity(const sqauth_tls_config *a, const sqauth_tls_config *b)
{
    char *ka = sqauth_tls_config_identity(a), *kb = sqauth_tls_config_identity(b);
    int same = ka && kb && strcmp(ka, kb) == 0;
    free(ka);
    free(kb);
    return same;
}

/* The pool's key: every option, whatever its scope, so that a pooled
 * connection is never handed to a caller that asked for another name
 * check, pin or resumption setting. */
static void test_identity(void)
{
    size_t i;

    for (i = 0; i < sqauth_tls_option_count(); i++) {
        const sqauth_tls_option *o = sqauth_tls_option_at(i);
        sqauth_tls_config base, other;

        sqauth_tls_config_init(&base);
        other = base;
        change(&other, o);
        if (same_identity(&base, &other)) {
            fprintf(stderr, "FAIL: TLS option '%s' does not change the identity\n", o->name);
        }
        CHECK(!same_identity(&base, &other));
    }
}

static void test_cache_key(void)
{
    size_t i;

    for (i = 0; i < sqauth_tls_option_count(); i++) {
        const sqauth_tls_option *o = sqauth_tls_option_at(i);
        sqauth_tls_config base, other;

        sqauth_tls_config_init(&base);
        base.verify_peer = 0; /* no CA needed to build the contexts below */
        other = base;
        change(&other, o);
        /* Applied to the shared context: must be in its key. */
        if (o->scope == SQAUTH_TLS_CONTEXT && !o->in_cache_key) {
            fprintf(stderr, "FAIL: TLS option '%s' shapes the context but is not in its cache key\n", o->name);
        }
        CHECK(o->scope != SQAUTH_TLS_CONTEXT || o->in_cache_key);
        if (same_key(&base, &other) == o->in_cache_key) {
            fprintf(stderr, "FAIL: TLS option '%s' %s the context cache key\n", o->name,
                    o->in_cache_key ? "is declared in but does not change" : "is declared out of but changes");
        }
        CHECK(same_key(&base, &other) != o->in_cache_key);

        /* And the real cache: another context exactly when the key differs
         * (file names cannot be loaded, so only for the other types). */
        if (o->type != SQAUTH_TLS_STRING || !o->in_cache_key) {
            sqauth_tls_ctx *a = NULL, *b = NULL;
            sqauth_error err;
            CHECK_RC(sqauth_tls_ctx_get(&base, &a, NULL, &err), SQAUTH_OK);
            CHECK_RC(sqauth_tls_ctx_get(&other, &b, NULL, &err), SQAUTH_OK);
            CHECK(a && b && (a != b) == o->in_cache_key);
            sqauth_tls_ctx_release(a);
            sqauth_tls_ctx_release(b);
        }
    }
}

/* sqauth_tls_config is made from the declarations alone: between one
 * declared field and the next there is only padding, less than the next
 * field's alignment, and so at the end. An undeclared field (which no
 * cache key, copy or parser would know) leaves a larger gap. */
static void test_no_undeclared_field(void)
{
    size_t i, j, end = 0, count = sqauth_tls_option_count();
    const sqauth_tls_option *sorted[64];

    CHECK(count <= sizeof(sorted) / sizeof(sorted[0]));
    for (i = 0; i < count && i < 64; i++) {
        sorted[i] = sqauth_tls_option_at(i);
    }
    for (i = 1; i < count && i < 64; i++) {
        for (j = i; j > 0 && sorted[j]->offset < sorted[j - 1]->offset; j--) {
            const sqauth_tls_option *t = sorted[j];
            sorted[j] = sorted[j - 1];
            sorted[j - 1] = t;
        }
    }
    for (i = 0; i < count && i < 64; i++) {
        CHECK(sorted[i]->offset >= end && sorted[i]->offset - end < sorted[i]->size);
        end = sorted[i]->offset + sorted[i]->size;
    }
    CHECK(sizeof(sqauth_tls_config) >= end && sizeof(sqauth_tls_config) - end < sizeof(void *));
}

static void test_defaults_and_copies(void)
{
    sqauth_tls_config cfg, copy;

    /* The defaults that keep a caller safe without options. */
    sqauth_tls_config_init(&cfg);
    CHECK(cfg.verify_peer == 1 && cfg.verify_peer_name == 1);
    CHECK(cfg.min_protocol == TLS1_2_VERSION && cfg.max_protocol == 0);
    CHECK(cfg.session_resumption == 1);
    CHECK(!cfg.cafile && !cfg.peer_name && !cfg.peer_fingerprint);

    CHECK(sqauth_tls_option_find("cafile", 6) && !sqauth_tls_option_find("cafile", 7)
          && !sqauth_tls_option_find("cafil", 5));
    cfg.cafile = "/etc/ssl/ca.pem";
    cfg.peer_name = "mail.example.org";
    CHECK_RC(sqauth_tls_config_copy(&copy, &cfg), SQAUTH_OK);
    CHECK(copy.cafile != cfg.cafile && strcmp(copy.cafile, cfg.cafile) == 0);
    CHECK(copy.peer_name != cfg.peer_name && strcmp(copy.peer_name, cfg.peer_name) == 0);
    CHECK(same_key(&copy, &cfg));
    sqauth_tls_config_release(&copy);
    CHECK(!copy.cafile && !copy.peer_name);
}

void test_tls_options(void)
{
    test_cache_key();
    test_identity();
    test_no_undeclared_field();
    test_defaults_and_copies();
}
