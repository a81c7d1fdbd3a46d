/*
 * SqAuth\Connection's arguments converted for the core: the options of
 * open() and fromStream() (into sqauth_session_options, strings borrowed
 * from the options array), URIs, and the options of authenticate() (into
 * sqauth_login_options). Argument errors only; no decision is made here.
 */
#include "connection.h"

#include "zend_smart_str.h"

/* ---- Connection::open() / fromStream() options ---- */

static int opt_string(zval *zv, sqauth_str *out, uint32_t arg, const char *key)
{
    ZVAL_DEREF(zv);
    if (Z_TYPE_P(zv) != IS_STRING) {
        zend_argument_type_error(arg, "option \"%s\" must be of type string, %s given", key, zend_zval_type_name(zv));
        return FAILURE;
    }
    if (memchr(Z_STRVAL_P(zv), '\0', Z_STRLEN_P(zv))) {
        zend_argument_value_error(arg, "option \"%s\" must not contain NUL bytes", key);
        return FAILURE;
    }
    out->data = Z_STRVAL_P(zv);
    out->len = Z_STRLEN_P(zv);
    return SUCCESS;
}

static int opt_cstring(zval *zv, const char **out, uint32_t arg, const char *key)
{
    sqauth_str s;
    if (opt_string(zv, &s, arg, key) == FAILURE) {
        return FAILURE;
    }
    *out = s.data;
    return SUCCESS;
}

int php_sqauth_opt_bool(zval *zv, int *out, uint32_t arg, const char *key)
{
    ZVAL_DEREF(zv);
    if (Z_TYPE_P(zv) != IS_TRUE && Z_TYPE_P(zv) != IS_FALSE) {
        zend_argument_type_error(arg, "option \"%s\" must be of type bool, %s given", key, zend_zval_type_name(zv));
        return FAILURE;
    }
    *out = Z_TYPE_P(zv) == IS_TRUE;
    return SUCCESS;
}

static int opt_tls_version(zval *zv, int *out, uint32_t arg, const char *key)
{
    ZVAL_DEREF(zv);
    if (Z_TYPE_P(zv) == IS_STRING && (*out = sqauth_tls_version_find(Z_STRVAL_P(zv), Z_STRLEN_P(zv))) != 0) {
        return SUCCESS;
    }
    zend_argument_value_error(arg, "option \"%s\" must be " SQAUTH_TLS_VERSION_NAMES, key);
    return FAILURE;
}

static int opt_seconds(zval *zv, int *out_ms, uint32_t arg, const char *key)
{
    double d;
    ZVAL_DEREF(zv);
    if (Z_TYPE_P(zv) == IS_LONG) {
        d = (double)Z_LVAL_P(zv);
    } else if (Z_TYPE_P(zv) == IS_DOUBLE) {
        d = Z_DVAL_P(zv);
    } else {
        zend_argument_type_error(arg, "option \"%s\" must be of type int|float, %s given", key, zend_zval_type_name(zv));
        return FAILURE;
    }
    if (!(d > 0) || d > 86400) {
        zend_argument_value_error(arg, "option \"%s\" must be a number of seconds greater than 0 and at most 86400", key);
        return FAILURE;
    }
    *out_ms = (int)(d * 1000.0);
    if (*out_ms < 1) {
        *out_ms = 1;
    }
    return SUCCESS;
}

typedef enum { OPT_CSTRING, OPT_STRING, OPT_BOOL, OPT_SECONDS } option_kind;

/* The session's own options and where each goes in php_sqauth_conn_options;
 * the TLS options come from the core's declarations (tls.h). */
typedef struct {
    const char *name;
    option_kind kind;
    size_t offset;
} option_spec;

#define OPTION(name, kind, field) {name, kind, offsetof(php_sqauth_conn_options, field)}

static const option_spec option_specs[] = {
    OPTION("smtp_user", OPT_STRING, core.sitewide_user),
    OPTION("smtp_password", OPT_STRING, core.sitewide_password),
    OPTION("timeout", OPT_SECONDS, core.timeout_ms),
    OPTION("connect_timeout", OPT_SECONDS, core.connect_timeout_ms),
    OPTION("helo", OPT_CSTRING, core.helo),
    OPTION("transcript", OPT_BOOL, core.transcript),
    OPTION("greeting", OPT_BOOL, read_greeting),
};

static int parse_tls_option(php_sqauth_conn_options *o, const sqauth_tls_option *opt, zval *zv, uint32_t arg)
{
    switch (opt->type) {
    case SQAUTH_TLS_BOOL:
        return php_sqauth_opt_bool(zv, sqauth_tls_option_int(&o->core.tls, opt), arg, opt->name);
    case SQAUTH_TLS_VERSION:
        return opt_tls_version(zv, sqauth_tls_option_int(&o->core.tls, opt), arg, opt->name);
    case SQAUTH_TLS_STRING:
        return opt_cstring(zv, sqauth_tls_option_string(&o->core.tls, opt), arg, opt->name);
    }
    return FAILURE;
}

int php_sqauth_conn_option_known(zend_string *key)
{
    size_t i;

    if (zend_string_equals_literal(key, "tls") || sqauth_tls_option_find(ZSTR_VAL(key), ZSTR_LEN(key))) {
        return 1;
    }
    for (i = 0; i < sizeof(option_specs) / sizeof(option_specs[0]); i++) {
        if (zend_string_equals_cstr(key, option_specs[i].name, strlen(option_specs[i].name))) {
            return 1;
        }
    }
    return 0;
}

static int parse_option(php_sqauth_conn_options *o, zend_string *key, zval *zv, uint32_t arg)
{
    const char *k = ZSTR_VAL(key);
    /* By length too: "cafile\0x" is not "cafile". */
    const sqauth_tls_option *tls = sqauth_tls_option_find(k, ZSTR_LEN(key));
    size_t i;

    if (tls) {
        return parse_tls_option(o, tls, zv, arg);
    }
    for (i = 0; i < sizeof(option_specs) / sizeof(option_specs[0]); i++) {
        const option_spec *spec = &option_specs[i];
        void *field;
        if (!zend_string_equals_cstr(key, spec->name, strlen(spec->name))) {
            continue;
        }
        field = (char *)o + spec->offset;
        switch (spec->kind) {
        case OPT_CSTRING:
            return opt_cstring(zv, field, arg, k);
        case OPT_STRING:
            return opt_string(zv, field, arg, k);
        case OPT_BOOL:
            return php_sqauth_opt_bool(zv, field, arg, k);
        case OPT_SECONDS:
            return opt_seconds(zv, field, arg, k);
        }
    }
    zend_argument_value_error(arg, "has an unknown option \"%s\"", ZSTR_LEN(key) > 32 || strlen(k) != ZSTR_LEN(key) ? "…" : k);
    return FAILURE;
}

/* Which of the settings that php.ini can default the call's options give. */
static unsigned given_settings(HashTable *ht)
{
#define HAS(key) (ht && zend_hash_str_exists(ht, key, sizeof(key) - 1))
    return (HAS("cafile") || HAS("capath") ? SQAUTH_GIVEN_CA : 0) | (HAS("min_protocol") ? SQAUTH_GIVEN_MIN_PROTOCOL : 0)
         | (HAS("session_resumption") ? SQAUTH_GIVEN_SESSION_RESUMPTION : 0) | (HAS("timeout") ? SQAUTH_GIVEN_TIMEOUT : 0)
         | (HAS("connect_timeout") ? SQAUTH_GIVEN_CONNECT_TIMEOUT : 0);
#undef HAS
}

int php_sqauth_conn_parse_options(HashTable *ht, uint32_t arg, php_sqauth_conn_options *o)
{
    zend_string *key;
    zval *zv;
    const char *helo;
    sqauth_site_defaults site;
    sqauth_error err;
    unsigned given = given_settings(ht);

    memset(o, 0, sizeof(*o));
    sqauth_session_options_init(&o->core);
    o->tls_mode = -1;
    o->core.timeout_ms = SQAUTH_CONN_DEFAULT_TIMEOUT_MS;
    o->core.connect_timeout_ms = SQAUTH_CONN_DEFAULT_TIMEOUT_MS;
    o->read_greeting = 1;
    if (ht) {
        ZEND_HASH_FOREACH_STR_KEY_VAL(ht, key, zv) {
            if (!key) {
                zend_argument_value_error(arg, "must only have string keys");
                return FAILURE;
            }
            if (zend_string_equals_literal(key, "tls")) {
                ZVAL_DEREF(zv);
                if (Z_TYPE_P(zv) != IS_STRING || !(zend_string_equals_literal(Z_STR_P(zv), "none")
                    || zend_string_equals_literal(Z_STR_P(zv), "starttls") || zend_string_equals_literal(Z_STR_P(zv), "implicit"))) {
                    zend_argument_value_error(arg, "option \"tls\" must be \"none\", \"starttls\" or \"implicit\"");
                    return FAILURE;
                }
                o->tls_mode = Z_STRVAL_P(zv)[0] == 'n' ? SQAUTH_TLS_NONE
                            : Z_STRVAL_P(zv)[0] == 's' ? SQAUTH_TLS_STARTTLS : SQAUTH_TLS_IMPLICIT;
            } else if (parse_option(o, key, zv, arg) == FAILURE) {
                return FAILURE;
            }
        } ZEND_HASH_FOREACH_END();
    }

    helo = o->core.helo;
    if (helo && (helo[0] == '\0' || strlen(helo) > 255 || strpbrk(helo, " \r\n"))) {
        zend_argument_value_error(arg, "option \"helo\" must be a host name or address literal");
        return FAILURE;
    }
    o->core.skip_greeting = !o->read_greeting;

    /* What the call leaves out comes from php.ini (or the built-in default);
     * a php.ini value it takes up that cannot be used is an exception that
     * names the setting. */
    php_sqauth_settings_read(&site);
    sqauth_error_clear(&err);
    if (sqauth_defaults_apply(&o->core, given, &site, &err) != SQAUTH_OK) {
        php_sqauth_throw(&err, NULL, NULL, 0, NULL);
        return FAILURE;
    }
    if (o->core.tls.max_protocol && o->core.tls.max_protocol < o->core.tls.min_protocol) {
        if (given & SQAUTH_GIVEN_MIN_PROTOCOL) {
            zend_argument_value_error(arg, "option \"max_protocol\" is below \"min_protocol\"");
        } else if (site.min_protocol.text && site.min_protocol.text[0]) {
            zend_argument_value_error(arg, "option \"max_protocol\" is below %s=\"%s\"", site.min_protocol.name,
                                      site.min_protocol.text);
        } else {
            zend_argument_value_error(arg, "option \"max_protocol\" is below \"min_protocol\" (default TLSv1.2)");
        }
        return FAILURE;
    }
    return SUCCESS;
}

/* ---- URIs ---- */

/* "a, b, c" or "\"a\", \"b\" or \"c\"": the schemes (the STARTTLS ones
 * only, when plain_only), for argument errors. */
static zend_string *scheme_list(int plain_only, int quoted)
{
    smart_str out = {0};
    size_t i, n = 0, total = 0;

    for (i = 0; i < sqauth_scheme_count(); i++) {
        total += !plain_only || sqauth_scheme_at(i, NULL)->tls_mode == SQAUTH_TLS_STARTTLS;
    }
    for (i = 0; i < sqauth_scheme_count(); i++) {
        const sqauth_scheme *sc = sqauth_scheme_at(i, NULL);
        if (plain_only && sc->tls_mode != SQAUTH_TLS_STARTTLS) {
            continue;
        }
        smart_str_appends(&out, !n ? "" : quoted && n + 1 == total ? " or " : ", ");
        smart_str_appends(&out, quoted ? "\"" : "");
        smart_str_appends(&out, sc->name);
        smart_str_appends(&out, quoted ? "\"" : "");
        n++;
    }
    smart_str_0(&out);
    return out.s;
}

/* scheme://host[:port][/] with host a name, an IPv4 address or [IPv6].
 * User information is refused: it would put credentials into traces. */
int php_sqauth_parse_uri(zend_string *uri, const sqauth_scheme **scheme, const sqauth_protocol **protocol,
                         char *host, size_t host_size, unsigned *port)
{
    const char *u = ZSTR_VAL(uri), *sep = strstr(u, "://"), *h, *end;
    size_t hlen;

    if (!sep || memchr(u, '\0', ZSTR_LEN(uri))) {
        goto bad;
    }
    *scheme = sqauth_scheme_find(u, (size_t)(sep - u), protocol);
    if (!*scheme) {
        zend_string *list = scheme_list(0, 0);
        zend_argument_value_error(1, "must use one of the schemes %s", ZSTR_VAL(list));
        zend_string_release(list);
        return FAILURE;
    }
    h = sep + 3;
    if (strpbrk(h, "@?#")) {
        zend_argument_value_error(1, "must not contain user information, a query or a fragment");
        return FAILURE;
    }
    if (*h == '[') {
        end = strchr(h, ']');
        if (!end) {
            goto bad;
        }
        hlen = (size_t)(end - h - 1);
        h++;
        end++;
    } else {
        end = h + strcspn(h, ":/");
        hlen = (size_t)(end - h);
    }
    if (hlen == 0 || hlen >= host_size) {
        goto bad;
    }
    memcpy(host, h, hlen);
    host[hlen] = '\0';
    *port = (*scheme)->port;
    if (*end == ':') {
        char *pend;
        unsigned long p = strtoul(end + 1, &pend, 10);
        if (pend == end + 1 || p == 0 || p > 65535) {
            goto bad;
        }
        *port = (unsigned)p;
        end = pend;
    }
    if (*end == '/') {
        end++;
    }
    if (*end != '\0') {
        goto bad;
    }
    return SUCCESS;
bad:
    zend_argument_value_error(1, "must be a URI like imaps://mail.example.com:993");
    return FAILURE;
}

const sqauth_scheme *php_sqauth_plain_scheme(zend_string *name, const sqauth_protocol **protocol)
{
    const sqauth_scheme *sc = sqauth_scheme_find(ZSTR_VAL(name), strlen(ZSTR_VAL(name)), protocol);
    zend_string *list;

    if (sc && sc->tls_mode == SQAUTH_TLS_STARTTLS) {
        return sc;
    }
    list = scheme_list(1, 1);
    zend_argument_value_error(2, "must be %s", ZSTR_VAL(list));
    zend_string_release(list);
    return NULL;
}

/* ---- authenticate() options ---- */

void php_sqauth_token_source_init(php_sqauth_token_source *t)
{
    memset(t, 0, sizeof(*t));
    ZVAL_UNDEF(&t->token);
}

void php_sqauth_token_source_done(php_sqauth_token_source *t)
{
    zval_ptr_dtor(&t->token);
    ZVAL_UNDEF(&t->token);
}

int php_sqauth_token_source_call(void *ctx, int refresh, sqauth_str *token, sqauth_error *err)
{
    php_sqauth_token_source *t = ctx;
    zval arg, result;
    volatile int called = 0; /* set inside zend_try: survives its longjmp */

    ZVAL_BOOL(&arg, refresh);
    ZVAL_UNDEF(&result);
    t->fci.retval = &result;
    t->fci.params = &arg;
    t->fci.param_count = 1;
    /* A fatal error in the callable must not jump over the core's cleanup
     * (the session, the secrets it copied): caught here, rethrown by
     * authenticate() once sqauth_login() has returned. */
    zend_try {
        called = zend_call_function(&t->fci, &t->fcc) == SUCCESS;
    } zend_catch {
        t->bailout = 1;
    } zend_end_try();
    if (t->bailout || !called || EG(exception)) {
        zval_ptr_dtor(&result);
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "the 'token' callable failed");
    }
    if (Z_TYPE(result) != IS_STRING) {
        zend_argument_type_error(4, "key \"token\" must return a string, %s returned", zend_zval_type_name(&result));
        zval_ptr_dtor(&result);
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "the 'token' callable returned no string");
    }
    zval_ptr_dtor(&t->token);
    ZVAL_COPY_VALUE(&t->token, &result);
    token->data = Z_STRVAL(t->token);
    token->len = Z_STRLEN(t->token);
    return SQAUTH_OK;
}

/* 'token': the token itself (a string, even one that names a function), or
 * a callable that returns one (a Closure, [$object, 'method'], ...). */
/* tokens NULL: a callable is not taken (pooled(): the pool is keyed by
 * the token itself, which it must have before it looks). */
static int parse_token(zval *zv, sqauth_login_options *o, php_sqauth_token_source *tokens, uint32_t arg)
{
    ZVAL_DEREF(zv);
    if (Z_TYPE_P(zv) == IS_STRING) {
        o->sasl.token.data = Z_STRVAL_P(zv);
        o->sasl.token.len = Z_STRLEN_P(zv);
        if (tokens) {
            tokens->set = 0;
        }
        return SUCCESS;
    }
    if (!tokens) {
        zend_argument_type_error(arg, "key \"token\" must be of type string, %s given", zend_zval_type_name(zv));
        return FAILURE;
    }
    if (!zend_is_callable(zv, 0, NULL)
        || zend_fcall_info_init(zv, 0, &tokens->fci, &tokens->fcc, NULL, NULL) != SUCCESS) {
        zend_argument_type_error(arg, "key \"token\" must be of type callable|string, %s given", zend_zval_type_name(zv));
        return FAILURE;
    }
    tokens->set = 1;
    return SUCCESS;
}

/* authenticate()'s options (argument 4; pooled()'s share its argument
 * with open()'s): the policy's own, the credentials SaslClient takes in its
 * credentials array (authzid, token), and the SaslClient options. */
static int parse_login_options(HashTable *options, uint32_t arg, sqauth_login_options *o, const char ***qop,
                               sqauth_str **allowed, php_sqauth_token_source *tokens)
{
    zend_string *key;
    zval *zv;

    ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, zv) {
        int rc;
        if (!key) {
            zend_argument_value_error(arg, "must only have string keys");
            return FAILURE;
        }
        if (zend_string_equals_literal(key, "allow_plaintext")) {
            rc = php_sqauth_opt_bool(zv, &o->allow_plaintext, arg, "allow_plaintext");
        } else if (zend_string_equals_literal(key, "allowed")) {
            zval *item;
            ZVAL_DEREF(zv);
            if (Z_TYPE_P(zv) != IS_ARRAY) {
                zend_argument_type_error(arg, "option \"allowed\" must be a list of mechanism names");
                return FAILURE;
            }
            *allowed = safe_emalloc(zend_hash_num_elements(Z_ARRVAL_P(zv)) + 1, sizeof(sqauth_str), 0);
            o->allowed = *allowed;
            o->allowed_count = 0;
            ZEND_HASH_FOREACH_VAL(Z_ARRVAL_P(zv), item) {
                ZVAL_DEREF(item);
                if (Z_TYPE_P(item) == IS_STRING) {
                    (*allowed)[o->allowed_count].data = Z_STRVAL_P(item);
                    (*allowed)[o->allowed_count++].len = Z_STRLEN_P(item);
                }
            } ZEND_HASH_FOREACH_END();
            rc = SUCCESS;
        } else if (zend_string_equals_literal(key, "authzid")) {
            rc = php_sqauth_sasl_string_entry(zv, &o->sasl.authzid, arg, "authzid");
        } else if (zend_string_equals_literal(key, "token")) {
            rc = parse_token(zv, o, tokens, arg);
        } else {
            rc = php_sqauth_sasl_parse_option(key, zv, &o->sasl, qop, arg);
        }
        if (rc == FAILURE) {
            return FAILURE;
        }
    } ZEND_HASH_FOREACH_END();
    if (tokens && tokens->set) {
        o->token_fn = php_sqauth_token_source_call;
        o->token_ctx = tokens;
    }
    return SUCCESS;
}

int php_sqauth_parse_login_options(HashTable *options, sqauth_login_options *o, const char ***qop,
                                   sqauth_str **allowed, php_sqauth_token_source *tokens)
{
    return parse_login_options(options, 4, o, qop, allowed, tokens);
}


/* ---- Connection::pooled() / pooledLogin(): open()'s options and the login's in one array ---- */

int php_sqauth_pooled_parse_options(HashTable *options, uint32_t arg, sqauth_login_method method,
                                    php_sqauth_pooled_options *p)
{
    zend_string *key;
    zval *zv;
    int rc;

    memset(p, 0, sizeof(*p));
    p->reuse = 1;
    sqauth_login_options_init(&p->login);
    p->login.method = method;
    p->open_part = zend_new_array(0);
    p->login_part = zend_new_array(0);
    if (options) {
        ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, zv) {
            if (!key) {
                zend_argument_value_error(arg, "must only have string keys");
                return FAILURE;
            }
            if (zend_string_equals_literal(key, "reuse")) {
                if (php_sqauth_opt_bool(zv, &p->reuse, arg, "reuse") == FAILURE) {
                    return FAILURE;
                }
                continue;
            }
            Z_TRY_ADDREF_P(zv);
            zend_hash_add_new(php_sqauth_conn_option_known(key) ? p->open_part : p->login_part, key, zv);
        } ZEND_HASH_FOREACH_END();
    }
    rc = php_sqauth_conn_parse_options(p->open_part, arg, &p->conn);
    if (rc == SUCCESS && method == SQAUTH_LOGIN_COMMAND) {
        /* login()'s one option. */
        ZEND_HASH_FOREACH_STR_KEY_VAL(p->login_part, key, zv) {
            if (!zend_string_equals_literal(key, "allow_plaintext")) {
                zend_argument_value_error(arg, "has an unknown option \"%s\"",
                                          ZSTR_LEN(key) > 32 || strlen(ZSTR_VAL(key)) != ZSTR_LEN(key) ? "…" : ZSTR_VAL(key));
                return FAILURE;
            }
            if (php_sqauth_opt_bool(zv, &p->login.allow_plaintext, arg, "allow_plaintext") == FAILURE) {
                return FAILURE;
            }
        } ZEND_HASH_FOREACH_END();
    } else if (rc == SUCCESS) {
        rc = parse_login_options(p->login_part, arg, &p->login, &p->qop, &p->allowed, NULL);
    }
    return rc;
}

void php_sqauth_pooled_options_free(php_sqauth_pooled_options *p)
{
    if (p->qop) {
        efree(p->qop);
    }
    if (p->allowed) {
        efree(p->allowed);
    }
    if (p->open_part) {
        zend_array_destroy(p->open_part);
    }
    if (p->login_part) {
        zend_array_destroy(p->login_part);
    }
    memset(p, 0, sizeof(*p));
}
