/*
 * SqAuth\Connection: an IMAP, POP3 or SMTP connection in plaintext,
 * implicit TLS or STARTTLS (src/core/conn.c, src/core/proto/), and the PHP
 * stream that lets existing code go on with fgets()/fputs() afterwards.
 */
#include "php_sqauth_internal.h"

#include <fcntl.h>

#include "zend_exceptions.h"
#include "php_network.h"
#include "ext/standard/info.h"
#include "../core/policy.h"

zend_class_entry *php_sqauth_connection_ce;
static zend_object_handlers connection_handlers;
static int stream_rsrc_id;

typedef struct {
    sqauth_session *session;     /* NULL once closed */
    /* The caller's site-wide SMTP password: the session keeps (and wipes)
     * its own copy; this reference only lets the string be wiped when the
     * Connection is the last to hold it. */
    zend_string *smtp_password;
    int stream_failed;           /* the stream hit an error: stream_error says which */
    sqauth_error stream_error;
    zend_resource *stream;       /* weak: the stream holds a reference to us, not the other way */
    zval adopted;                /* the PHP stream adopted by fromStream(), kept open */
    zend_object std;
} php_sqauth_connection;

typedef struct {
    zend_object *owner;          /* counted reference to the Connection */
    int timed_out;
    int blocking;
} conn_stream_data;

static inline php_sqauth_connection *connection_from_obj(zend_object *obj)
{
    return (php_sqauth_connection *)((char *)obj - XtOffsetOf(php_sqauth_connection, std));
}

#define Z_CONNECTION_P(zv) connection_from_obj(Z_OBJ_P(zv))

static zend_object *connection_create(zend_class_entry *ce)
{
    php_sqauth_connection *c = zend_object_alloc(sizeof(php_sqauth_connection), ce);

    zend_object_std_init(&c->std, ce);
    object_properties_init(&c->std, ce);
    c->std.handlers = &connection_handlers;
    ZVAL_UNDEF(&c->adopted);
    return &c->std;
}

static void connection_free(zend_object *obj)
{
    php_sqauth_connection *c = connection_from_obj(obj);

    sqauth_session_free(c->session);
    c->session = NULL;
    if (c->smtp_password) {
        if (!ZSTR_IS_INTERNED(c->smtp_password) && GC_REFCOUNT(c->smtp_password) == 1) {
            ZEND_SECURE_ZERO(ZSTR_VAL(c->smtp_password), ZSTR_LEN(c->smtp_password));
        }
        zend_string_release(c->smtp_password);
        c->smtp_password = NULL;
    }
    zval_ptr_dtor(&c->adopted);
    ZVAL_UNDEF(&c->adopted);
    zend_object_std_dtor(obj);
}

/* ---- errors ---- */

/* The exception for a failed session call, with what the session knows
 * about the failure: the TLS details, the server's reply and its code. */
static void throw_session(const sqauth_session *s, const sqauth_error *err)
{
    sqauth_str response = sqauth_session_response(s);
    const char *code = sqauth_session_response_code(s);

    php_sqauth_throw(err, sqauth_session_tls_failure(s), response.data, response.len, code[0] ? code : NULL);
}

/* ---- options ---- */

/* Connection::open() and fromStream() options, converted for the core.
 * Strings are borrowed from the options array, which outlives the call. */
typedef struct {
    sqauth_session_options core;
    int tls_mode;                /* -1 = scheme default */
    int read_greeting;
} conn_options;

static int opt_string(zval *zv, sqauth_str *out, const char *key)
{
    ZVAL_DEREF(zv);
    if (Z_TYPE_P(zv) != IS_STRING) {
        zend_argument_type_error(2, "option \"%s\" must be of type string, %s given", key, zend_zval_type_name(zv));
        return FAILURE;
    }
    if (memchr(Z_STRVAL_P(zv), '\0', Z_STRLEN_P(zv))) {
        zend_argument_value_error(2, "option \"%s\" must not contain NUL bytes", key);
        return FAILURE;
    }
    out->data = Z_STRVAL_P(zv);
    out->len = Z_STRLEN_P(zv);
    return SUCCESS;
}

static int opt_cstring(zval *zv, const char **out, const char *key)
{
    sqauth_str s;
    if (opt_string(zv, &s, key) == FAILURE) {
        return FAILURE;
    }
    *out = s.data;
    return SUCCESS;
}

static int opt_bool(zval *zv, int *out, const char *key)
{
    ZVAL_DEREF(zv);
    if (Z_TYPE_P(zv) != IS_TRUE && Z_TYPE_P(zv) != IS_FALSE) {
        zend_argument_type_error(2, "option \"%s\" must be of type bool, %s given", key, zend_zval_type_name(zv));
        return FAILURE;
    }
    *out = Z_TYPE_P(zv) == IS_TRUE;
    return SUCCESS;
}

static int opt_tls_version(zval *zv, int *out, const char *key)
{
    static const struct { const char *name; int version; } versions[] = {
        {"TLSv1", TLS1_VERSION}, {"TLSv1.0", TLS1_VERSION}, {"TLSv1.1", TLS1_1_VERSION},
        {"TLSv1.2", TLS1_2_VERSION}, {"TLSv1.3", TLS1_3_VERSION},
    };
    size_t i;

    ZVAL_DEREF(zv);
    for (i = 0; Z_TYPE_P(zv) == IS_STRING && i < sizeof(versions) / sizeof(versions[0]); i++) {
        if (zend_string_equals_cstr(Z_STR_P(zv), versions[i].name, strlen(versions[i].name))) {
            *out = versions[i].version;
            return SUCCESS;
        }
    }
    zend_argument_value_error(2, "option \"%s\" must be \"TLSv1\", \"TLSv1.1\", \"TLSv1.2\" or \"TLSv1.3\"", key);
    return FAILURE;
}

static int opt_seconds(zval *zv, int *out_ms, const char *key)
{
    double d;
    ZVAL_DEREF(zv);
    if (Z_TYPE_P(zv) == IS_LONG) {
        d = (double)Z_LVAL_P(zv);
    } else if (Z_TYPE_P(zv) == IS_DOUBLE) {
        d = Z_DVAL_P(zv);
    } else {
        zend_argument_type_error(2, "option \"%s\" must be of type int|float, %s given", key, zend_zval_type_name(zv));
        return FAILURE;
    }
    if (!(d > 0) || d > 86400) {
        zend_argument_value_error(2, "option \"%s\" must be a number of seconds greater than 0 and at most 86400", key);
        return FAILURE;
    }
    *out_ms = (int)(d * 1000.0);
    if (*out_ms < 1) {
        *out_ms = 1;
    }
    return SUCCESS;
}

typedef enum { OPT_CSTRING, OPT_STRING, OPT_BOOL, OPT_SECONDS, OPT_TLS_VERSION } option_kind;

/* Where each option goes in conn_options. */
typedef struct {
    const char *name;
    option_kind kind;
    size_t offset;
} option_spec;

#define OPTION(name, kind, field) {name, kind, offsetof(conn_options, field)}

static const option_spec option_specs[] = {
    OPTION("verify_peer", OPT_BOOL, core.tls.verify_peer),
    OPTION("verify_peer_name", OPT_BOOL, core.tls.verify_peer_name),
    OPTION("session_resumption", OPT_BOOL, core.tls.session_resumption),
    OPTION("peer_name", OPT_CSTRING, core.tls.peer_name),
    OPTION("cafile", OPT_CSTRING, core.tls.cafile),
    OPTION("capath", OPT_CSTRING, core.tls.capath),
    OPTION("local_cert", OPT_CSTRING, core.tls.local_cert),
    OPTION("local_pk", OPT_CSTRING, core.tls.local_pk),
    OPTION("ciphers", OPT_CSTRING, core.tls.ciphers),
    OPTION("peer_fingerprint", OPT_CSTRING, core.tls.peer_fingerprint),
    OPTION("min_protocol", OPT_TLS_VERSION, core.tls.min_protocol),
    OPTION("max_protocol", OPT_TLS_VERSION, core.tls.max_protocol),
    OPTION("smtp_user", OPT_STRING, core.sitewide_user),
    OPTION("smtp_password", OPT_STRING, core.sitewide_password),
    OPTION("timeout", OPT_SECONDS, core.timeout_ms),
    OPTION("connect_timeout", OPT_SECONDS, core.connect_timeout_ms),
    OPTION("helo", OPT_CSTRING, core.helo),
    OPTION("transcript", OPT_BOOL, core.transcript),
    OPTION("greeting", OPT_BOOL, read_greeting),
};

static int parse_option(conn_options *o, zend_string *key, zval *zv)
{
    const char *k = ZSTR_VAL(key);
    size_t i;

    for (i = 0; i < sizeof(option_specs) / sizeof(option_specs[0]); i++) {
        const option_spec *spec = &option_specs[i];
        void *field;
        /* By length too: "cafile\0x" is not "cafile". */
        if (!zend_string_equals_cstr(key, spec->name, strlen(spec->name))) {
            continue;
        }
        field = (char *)o + spec->offset;
        switch (spec->kind) {
        case OPT_CSTRING:
            return opt_cstring(zv, field, k);
        case OPT_STRING:
            return opt_string(zv, field, k);
        case OPT_BOOL:
            return opt_bool(zv, field, k);
        case OPT_SECONDS:
            return opt_seconds(zv, field, k);
        case OPT_TLS_VERSION:
            return opt_tls_version(zv, field, k);
        }
    }
    zend_argument_value_error(2, "has an unknown option \"%s\"", ZSTR_LEN(key) > 32 || strlen(k) != ZSTR_LEN(key) ? "…" : k);
    return FAILURE;
}

static int parse_options(HashTable *ht, conn_options *o)
{
    zend_string *key;
    zval *zv;
    const char *helo;

    memset(o, 0, sizeof(*o));
    sqauth_session_options_init(&o->core);
    o->tls_mode = -1;
    o->core.timeout_ms = SQAUTH_CONN_DEFAULT_TIMEOUT_MS;
    o->core.connect_timeout_ms = SQAUTH_CONN_DEFAULT_TIMEOUT_MS;
    o->read_greeting = 1;
    if (!ht) {
        return SUCCESS;
    }
    ZEND_HASH_FOREACH_STR_KEY_VAL(ht, key, zv) {
        if (!key) {
            zend_argument_value_error(2, "must only have string keys");
            return FAILURE;
        }
        if (zend_string_equals_literal(key, "tls")) {
            ZVAL_DEREF(zv);
            if (Z_TYPE_P(zv) != IS_STRING || !(zend_string_equals_literal(Z_STR_P(zv), "none")
                || zend_string_equals_literal(Z_STR_P(zv), "starttls") || zend_string_equals_literal(Z_STR_P(zv), "implicit"))) {
                zend_argument_value_error(2, "option \"tls\" must be \"none\", \"starttls\" or \"implicit\"");
                return FAILURE;
            }
            o->tls_mode = Z_STRVAL_P(zv)[0] == 'n' ? SQAUTH_TLS_NONE
                        : Z_STRVAL_P(zv)[0] == 's' ? SQAUTH_TLS_STARTTLS : SQAUTH_TLS_IMPLICIT;
        } else if (parse_option(o, key, zv) == FAILURE) {
            return FAILURE;
        }
    } ZEND_HASH_FOREACH_END();

    helo = o->core.helo;
    if (helo && (helo[0] == '\0' || strlen(helo) > 255 || strpbrk(helo, " \r\n"))) {
        zend_argument_value_error(2, "option \"helo\" must be a host name or address literal");
        return FAILURE;
    }
    o->core.skip_greeting = !o->read_greeting;
    if (o->core.tls.max_protocol
        && o->core.tls.max_protocol < (o->core.tls.min_protocol ? o->core.tls.min_protocol : TLS1_2_VERSION)) {
        zend_argument_value_error(2, "option \"max_protocol\" is below \"min_protocol\" (default TLSv1.2)");
        return FAILURE;
    }
    return SUCCESS;
}

/* ---- URIs ---- */

typedef struct {
    const char *scheme;
    sqauth_proto_kind kind;
    unsigned port;
    sqauth_tls_mode tls_mode;
} scheme_info;

static const scheme_info schemes[] = {
    {"imap", SQAUTH_PROTO_IMAP, 143, SQAUTH_TLS_STARTTLS},
    {"imaps", SQAUTH_PROTO_IMAP, 993, SQAUTH_TLS_IMPLICIT},
    {"pop3", SQAUTH_PROTO_POP3, 110, SQAUTH_TLS_STARTTLS},
    {"pop3s", SQAUTH_PROTO_POP3, 995, SQAUTH_TLS_IMPLICIT},
    {"smtp", SQAUTH_PROTO_SMTP, 25, SQAUTH_TLS_STARTTLS},
    {"smtps", SQAUTH_PROTO_SMTP, 465, SQAUTH_TLS_IMPLICIT},
    {"submission", SQAUTH_PROTO_SMTP, 587, SQAUTH_TLS_STARTTLS},
    {"submissions", SQAUTH_PROTO_SMTP, 465, SQAUTH_TLS_IMPLICIT},
};

/* scheme://host[:port][/] with host a name, an IPv4 address or [IPv6].
 * User information is refused: it would put credentials into traces. */
static int parse_uri(zend_string *uri, const scheme_info **scheme, char *host, size_t host_size, unsigned *port)
{
    const char *u = ZSTR_VAL(uri), *sep = strstr(u, "://"), *h, *end;
    size_t i, hlen;

    if (!sep || memchr(u, '\0', ZSTR_LEN(uri))) {
        goto bad;
    }
    *scheme = NULL;
    for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
        if (strlen(schemes[i].scheme) == (size_t)(sep - u) && strncasecmp(u, schemes[i].scheme, (size_t)(sep - u)) == 0) {
            *scheme = &schemes[i];
        }
    }
    if (!*scheme) {
        zend_argument_value_error(1, "must use one of the schemes imap, imaps, pop3, pop3s, smtp, smtps, submission, submissions");
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

/* ---- open ---- */

PHP_METHOD(SqAuth_Connection, __construct)
{
    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
}

/* Keeps a reference to the caller's site-wide SMTP password (see
 * php_sqauth_connection). */
static void keep_smtp_password(php_sqauth_connection *c, HashTable *options)
{
    zval *zv = options ? zend_hash_str_find_deref(options, "smtp_password", sizeof("smtp_password") - 1) : NULL;
    if (zv && Z_TYPE_P(zv) == IS_STRING) {
        c->smtp_password = zend_string_copy(Z_STR_P(zv));
    }
}

/* The session for o, opened by open_fn; throws and frees it on failure. */
static int new_session(php_sqauth_connection *c, const conn_options *o)
{
    sqauth_error err;

    sqauth_error_clear(&err);
    if (sqauth_session_new(&c->session, &o->core, &err) != SQAUTH_OK) {
        php_sqauth_throw(&err, NULL, NULL, 0, NULL);
        return FAILURE;
    }
    return SUCCESS;
}

static void fail_session(php_sqauth_connection *c, const sqauth_error *err)
{
    throw_session(c->session, err);
    sqauth_session_free(c->session);
    c->session = NULL;
}

/* Connection::open() proper; also used by SqAuth\detect(). */
static int connection_open(zval *out, zend_string *uri, HashTable *options)
{
    const scheme_info *scheme;
    char host[256];
    unsigned port;
    conn_options o;
    php_sqauth_connection *c;
    sqauth_error err;

    if (parse_uri(uri, &scheme, host, sizeof(host), &port) == FAILURE) {
        return FAILURE;
    }
    object_init_ex(out, php_sqauth_connection_ce);
    c = Z_CONNECTION_P(out);
    if (parse_options(options, &o) == FAILURE) {
        goto fail;
    }
    o.core.kind = scheme->kind;
    o.core.host = host;
    o.core.port = port;
    o.core.tls_mode = o.tls_mode >= 0 ? (sqauth_tls_mode)o.tls_mode : scheme->tls_mode;
    if (new_session(c, &o) == FAILURE) {
        goto fail;
    }
    sqauth_error_clear(&err);
    if (sqauth_session_open(c->session, &err) != SQAUTH_OK) {
        fail_session(c, &err);
        goto fail;
    }
    keep_smtp_password(c, options);
    return SUCCESS;
fail:
    zval_ptr_dtor(out);
    ZVAL_UNDEF(out);
    return FAILURE;
}

PHP_METHOD(SqAuth_Connection, open)
{
    zend_string *uri;
    HashTable *options = NULL;

    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_STR(uri)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();

    if (connection_open(return_value, uri, options) == FAILURE) {
        RETURN_THROWS();
    }
}

PHP_METHOD(SqAuth_Connection, fromStream)
{
    zval *zstream;
    zend_string *protocol;
    HashTable *options = NULL;
    php_stream *stream;
    php_socket_t fd;
    const scheme_info *scheme = NULL;
    conn_options o;
    php_sqauth_connection *c;
    sqauth_error err;
    size_t i, taken = 0;
    int flags, rc;

    ZEND_PARSE_PARAMETERS_START(2, 3)
        Z_PARAM_RESOURCE(zstream)
        Z_PARAM_STR(protocol)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();

    php_stream_from_zval(stream, zstream);
    /* The plaintext schemes: imap, pop3, smtp, submission. */
    for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
        if (schemes[i].tls_mode == SQAUTH_TLS_STARTTLS && strcasecmp(ZSTR_VAL(protocol), schemes[i].scheme) == 0) {
            scheme = &schemes[i];
        }
    }
    if (!scheme) {
        zend_argument_value_error(2, "must be \"imap\", \"pop3\", \"smtp\" or \"submission\"");
        RETURN_THROWS();
    }
    if (php_stream_cast(stream, PHP_STREAM_AS_SOCKETD, (void **)&fd, 0) != SUCCESS || fd < 0) {
        zend_argument_type_error(1, "must be a plaintext socket stream (from fsockopen() or stream_socket_client())");
        RETURN_THROWS();
    }
    object_init_ex(return_value, php_sqauth_connection_ce);
    c = Z_CONNECTION_P(return_value);
    if (parse_options(options, &o) == FAILURE) {
        goto fail;
    }
    o.core.kind = scheme->kind;
    o.core.host = o.core.tls.peer_name;
    o.core.tls_mode = o.tls_mode >= 0 ? (sqauth_tls_mode)o.tls_mode : SQAUTH_TLS_STARTTLS;
    if (o.core.tls_mode != SQAUTH_TLS_NONE && o.core.tls.verify_peer && o.core.tls.verify_peer_name
        && !o.core.tls.peer_name) {
        zend_argument_value_error(3, "must give \"peer_name\" (the server's host name) to verify its certificate");
        goto fail;
    }
    /* Our reads have deadlines only on a non-blocking socket. */
    flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        zend_throw_exception(php_sqauth_connection_exception_ce, "cannot make the socket non-blocking", 0);
        goto fail;
    }
    if (new_session(c, &o) == FAILURE) {
        goto fail;
    }
    ZVAL_COPY(&c->adopted, zstream);
    /* Bytes PHP has read ahead belong to the server's next reply. */
    sqauth_error_clear(&err);
    rc = sqauth_session_open_socket(c->session, fd, stream->readbuf + stream->readpos,
                                    stream->writepos > stream->readpos ? (size_t)(stream->writepos - stream->readpos) : 0,
                                    &taken, &err);
    stream->readpos += taken;
    if (rc != SQAUTH_OK) {
        fail_session(c, &err);
        goto fail;
    }
    keep_smtp_password(c, options);
    return;
fail:
    zval_ptr_dtor(return_value);
    ZVAL_UNDEF(return_value);
    RETURN_THROWS();
}

#define FETCH_OPEN(c) \
    php_sqauth_connection *c = Z_CONNECTION_P(ZEND_THIS); \
    if (c->stream_failed) { \
        php_sqauth_throw(&c->stream_error, c->session ? sqauth_session_tls_failure(c->session) : NULL, NULL, 0, NULL); \
        RETURN_THROWS(); \
    } \
    if (!c->session || !sqauth_session_is_open(c->session)) { \
        zend_throw_exception(php_sqauth_connection_exception_ce, "the connection is closed", -SQAUTH_ERR_CLOSED); \
        RETURN_THROWS(); \
    }

PHP_METHOD(SqAuth_Connection, protocol)
{
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_OPEN(c);
    RETURN_STRING(sqauth_session_protocol(c->session));
}

PHP_METHOD(SqAuth_Connection, greeting)
{
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_OPEN(c);
    RETURN_STRING(sqauth_session_greeting_text(c->session));
}

static int ensure_caps(php_sqauth_connection *c)
{
    sqauth_error err;
    sqauth_error_clear(&err);
    if (sqauth_session_ensure_capabilities(c->session, &err) != SQAUTH_OK) {
        throw_session(c->session, &err);
        return FAILURE;
    }
    return SUCCESS;
}

/* The capability list: IMAP atoms as a list, EHLO/CAPA keywords as
 * KEYWORD => parameters (true when none). */
static void capabilities_to_zval(const sqauth_session *s, zval *out)
{
    size_t i;

    array_init(out);
    for (i = 0; i < sqauth_session_capability_count(s); i++) {
        const sqauth_capability *cap = sqauth_session_capability(s, i);
        if (sqauth_session_caps_are_atoms(s)) {
            add_next_index_string(out, cap->name);
        } else {
            zend_string *name = zend_string_toupper(zend_string_init(cap->name, strlen(cap->name), 0));
            zval v;
            if (cap->value[0]) {
                ZVAL_STRING(&v, cap->value);
            } else {
                ZVAL_TRUE(&v);
            }
            zend_symtable_update(Z_ARRVAL_P(out), name, &v);
            zend_string_release(name);
        }
    }
}

static int mechanisms_to_zval(const sqauth_session *s, zval *out)
{
    char **list;
    size_t count, i;
    sqauth_error err;

    if (sqauth_session_mechanisms(s, &list, &count, &err) != SQAUTH_OK) {
        php_sqauth_throw(&err, NULL, NULL, 0, NULL);
        return FAILURE;
    }
    array_init(out);
    for (i = 0; i < count; i++) {
        add_next_index_string(out, list[i]);
    }
    sqauth_session_free_list(list, count);
    return SUCCESS;
}

static void tls_info_to_zval(const sqauth_session *s, zval *out)
{
    sqauth_tls_info info;
    zval cert, verify;

    if (!sqauth_session_tls_info(s, &info)) {
        ZVAL_NULL(out);
        return;
    }
    array_init(out);
    add_assoc_string(out, "protocol", info.protocol);
    add_assoc_string(out, "cipher", info.cipher);
    add_assoc_long(out, "bits", info.bits);
    add_assoc_bool(out, "session_reused", info.session_reused);
    if (info.has_peer_cert) {
        zval sans;
        char *p = info.sans;
        array_init(&cert);
        add_assoc_string(&cert, "subject", info.subject);
        add_assoc_string(&cert, "issuer", info.issuer);
        array_init(&sans);
        while (*p) {
            size_t n = strcspn(p, ",");
            add_next_index_stringl(&sans, p, n);
            p += n;
            while (*p == ',' || *p == ' ') {
                p++;
            }
        }
        add_assoc_zval(&cert, "san", &sans);
        add_assoc_string(&cert, "not_after", info.not_after);
        add_assoc_string(&cert, "sha256", info.sha256);
        add_assoc_zval(out, "peer_certificate", &cert);
    } else {
        add_assoc_null(out, "peer_certificate");
    }
    array_init(&verify);
    add_assoc_long(&verify, "code", info.verify_code);
    add_assoc_string(&verify, "message", info.verify_message);
    add_assoc_bool(&verify, "verified", info.verified);
    add_assoc_zval(out, "verify", &verify);
}

PHP_METHOD(SqAuth_Connection, capabilities)
{
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_OPEN(c);
    if (ensure_caps(c) == FAILURE) {
        RETURN_THROWS();
    }
    capabilities_to_zval(c->session, return_value);
}

PHP_METHOD(SqAuth_Connection, mechanisms)
{
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_OPEN(c);
    if (ensure_caps(c) == FAILURE || mechanisms_to_zval(c->session, return_value) == FAILURE) {
        RETURN_THROWS();
    }
}

PHP_METHOD(SqAuth_Connection, startTls)
{
    sqauth_error err;

    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_OPEN(c);
    sqauth_error_clear(&err);
    if (sqauth_session_starttls(c->session, &err) != SQAUTH_OK) {
        /* The connection is in an unknown state: it ends here. */
        fail_session(c, &err);
        RETURN_THROWS();
    }
}

PHP_METHOD(SqAuth_Connection, isEncrypted)
{
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_OPEN(c);
    RETURN_BOOL(sqauth_session_is_encrypted(c->session));
}

PHP_METHOD(SqAuth_Connection, tlsInfo)
{
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_OPEN(c);
    tls_info_to_zval(c->session, return_value);
}

PHP_METHOD(SqAuth_Connection, securityLayer)
{
    const sqauth_sasl *l;
    const char *cipher;

    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_OPEN(c);
    l = sqauth_session_layer(c->session);
    if (!l) {
        RETURN_NULL();
    }
    array_init(return_value);
    add_assoc_string(return_value, "mechanism", (char *)l->mech->name);
    add_assoc_string(return_value, "qop", (char *)sqauth_sasl_layer_name(l->layer));
    cipher = sqauth_sasl_cipher_name(l);
    if (cipher) {
        add_assoc_string(return_value, "cipher", (char *)cipher);
    } else {
        add_assoc_null(return_value, "cipher");
    }
    add_assoc_long(return_value, "maxbuf_send", (zend_long)sqauth_sasl_send_maxbuf(l));
    add_assoc_long(return_value, "maxbuf_receive", (zend_long)sqauth_sasl_recv_maxbuf(l));
}

PHP_METHOD(SqAuth_Connection, transcript)
{
    size_t i;

    ZEND_PARSE_PARAMETERS_NONE();
    php_sqauth_connection *c = Z_CONNECTION_P(ZEND_THIS);
    if (!c->session) {
        zend_throw_exception(php_sqauth_connection_exception_ce, "the connection is closed", -SQAUTH_ERR_CLOSED);
        RETURN_THROWS();
    }
    array_init(return_value);
    for (i = 0; i < sqauth_session_transcript_count(c->session); i++) {
        const sqauth_transcript_line *l = sqauth_session_transcript_line(c->session, i);
        add_next_index_str(return_value, zend_strpprintf(0, "%c: %s", l->direction, l->text));
    }
}

PHP_METHOD(SqAuth_Connection, close)
{
    php_sqauth_connection *c = Z_CONNECTION_P(ZEND_THIS);

    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
    if (c->session) {
        if (sqauth_session_is_open(c->session)) {
            sqauth_session_logout(c->session);
        }
        sqauth_session_free(c->session);
        c->session = NULL;
    }
}

/* ---- the PHP stream ---- */

static php_sqauth_connection *stream_owner(php_stream *stream)
{
    conn_stream_data *d = stream->abstract;
    return d && d->owner ? connection_from_obj(d->owner) : NULL;
}

/* A PHP stream can only say "false" or "EOF": the reason (a failed
 * integrity check of the security layer, a TLS error, the server closing)
 * is kept and thrown by the next Connection method instead of "the
 * connection is closed". */
static void remember_stream_error(php_sqauth_connection *c, const sqauth_error *err)
{
    if (!c->stream_failed) {
        c->stream_error = *err;
        c->stream_failed = 1;
    }
}

static int stream_usable(const php_sqauth_connection *c)
{
    return c && c->session && sqauth_session_is_open(c->session);
}

static ssize_t conn_stream_write(php_stream *stream, const char *buf, size_t count)
{
    php_sqauth_connection *c = stream_owner(stream);
    sqauth_error err;

    /* After a failure reported by the stream (a broken security layer, a
     * truncated buffer) nothing more is sent. */
    if (!stream_usable(c) || c->stream_failed) {
        return -1;
    }
    if (sqauth_session_write(c->session, buf, count, &err) != SQAUTH_OK) {
        if (err.code == SQAUTH_ERR_TIMEOUT) {
            ((conn_stream_data *)stream->abstract)->timed_out = 1;
        } else {
            remember_stream_error(c, &err);
        }
        return -1;
    }
    return (ssize_t)count;
}

static ssize_t conn_stream_read(php_stream *stream, char *buf, size_t count)
{
    conn_stream_data *d = stream->abstract;
    php_sqauth_connection *c = stream_owner(stream);
    sqauth_error err;
    size_t got = 0;
    int at_end = 0, rc;

    d->timed_out = 0;
    if (!stream_usable(c)) {
        stream->eof = 1;
        return 0;
    }
    /* Non-blocking: never waits, not even for the rest of a TLS record. */
    rc = sqauth_session_read_available(c->session, buf, count, d->blocking, &got, &at_end, &err);
    if (rc == SQAUTH_ERR_TIMEOUT) {
        d->timed_out = d->blocking;
        return (ssize_t)got;
    }
    if (rc != SQAUTH_OK) {
        stream->eof = 1;
        remember_stream_error(c, &err);
        return got ? (ssize_t)got : -1;
    }
    if (at_end) {
        stream->eof = 1;
    }
    return (ssize_t)got;
}

static int conn_stream_close(php_stream *stream, int close_handle)
{
    conn_stream_data *d = stream->abstract;
    php_sqauth_connection *c = stream_owner(stream);

    (void)close_handle;
    if (c) {
        c->stream = NULL;
        /* fclose() on the stream ends the session, as it would for a socket. */
        if (c->session) {
            sqauth_session_free(c->session);
            c->session = NULL;
        }
    }
    if (d->owner) {
        OBJ_RELEASE(d->owner);
    }
    efree(d);
    return 0;
}

static int conn_stream_flush(php_stream *stream)
{
    (void)stream;
    return 0;
}

static int conn_stream_cast(php_stream *stream, int castas, void **ret)
{
    php_sqauth_connection *c = stream_owner(stream);

    /* Only for select(): reading or writing the raw socket would bypass TLS. */
    if (castas != PHP_STREAM_AS_FD_FOR_SELECT || !c || !c->session) {
        return FAILURE;
    }
    if (ret) {
        *(php_socket_t *)ret = sqauth_session_socket(c->session);
    }
    return SUCCESS;
}

static int conn_stream_set_option(php_stream *stream, int option, int value, void *ptrparam)
{
    conn_stream_data *d = stream->abstract;
    php_sqauth_connection *c = stream_owner(stream);

    switch (option) {
    case PHP_STREAM_OPTION_READ_TIMEOUT:
        if (c && c->session && ptrparam) {
            struct timeval *tv = ptrparam;
            int64_t ms = (int64_t)tv->tv_sec * 1000 + tv->tv_usec / 1000;
            sqauth_session_set_timeout(c->session, ms < 1 ? 1 : ms > 0x7fffffff ? 0x7fffffff : (int)ms);
        }
        return PHP_STREAM_OPTION_RETURN_OK;
    case PHP_STREAM_OPTION_BLOCKING: {
        int old = d->blocking;
        d->blocking = value;
        return old;
    }
    case PHP_STREAM_OPTION_CHECK_LIVENESS:
        return c && c->session && !sqauth_session_at_eof(c->session) ? PHP_STREAM_OPTION_RETURN_OK
                                                                    : PHP_STREAM_OPTION_RETURN_ERR;
    case PHP_STREAM_OPTION_META_DATA_API:
        add_assoc_bool((zval *)ptrparam, "timed_out", d->timed_out);
        add_assoc_bool((zval *)ptrparam, "blocked", d->blocking);
        add_assoc_bool((zval *)ptrparam, "eof", stream->eof);
        add_assoc_bool((zval *)ptrparam, "encrypted", c && c->session && sqauth_session_is_encrypted(c->session));
        /* Why the stream ended, if it failed: the code and message the next
         * Connection call throws (a stream can only say false/EOF itself). */
        if (c && c->stream_failed) {
            zval e;
            array_init(&e);
            add_assoc_long(&e, "code", -(zend_long)c->stream_error.code); /* as the exception code */
            add_assoc_string(&e, "message", c->stream_error.message);
            add_assoc_zval((zval *)ptrparam, "sqauth_error", &e);
        } else {
            add_assoc_null((zval *)ptrparam, "sqauth_error");
        }
        return PHP_STREAM_OPTION_RETURN_OK;
    default:
        return PHP_STREAM_OPTION_RETURN_NOTIMPL;
    }
}

static const php_stream_ops conn_stream_ops = {
    conn_stream_write, conn_stream_read, conn_stream_close, conn_stream_flush,
    "sqauth", NULL, conn_stream_cast, NULL, conn_stream_set_option,
};

PHP_METHOD(SqAuth_Connection, stream)
{
    conn_stream_data *d;
    php_stream *stream;

    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_OPEN(c);
    if (c->stream) {
        GC_ADDREF(c->stream);
        RETURN_RES(c->stream);
    }
    d = ecalloc(1, sizeof(*d));
    d->owner = &c->std;
    d->blocking = 1;
    GC_ADDREF(&c->std);
    stream = php_stream_alloc(&conn_stream_ops, d, 0, "r+");
    if (!stream) {
        OBJ_RELEASE(&c->std);
        efree(d);
        zend_throw_error(NULL, "cannot create the stream");
        RETURN_THROWS();
    }
    stream->flags |= PHP_STREAM_FLAG_NO_SEEK;
    php_stream_set_option(stream, PHP_STREAM_OPTION_SET_CHUNK_SIZE, 32768, NULL);
    c->stream = stream->res;
    php_stream_to_zval(stream, return_value);
}

/* ---- authentication ---- */

/* authenticate()'s options: the policy's own, the credentials (reported
 * against argument 3, as SaslClient's credentials array), and the
 * SaslClient options. *qop and *allowed are emalloc'ed lists the caller
 * efree()s, also after a failure. */
static int parse_auth_options(HashTable *options, sqauth_login_options *o, const char ***qop, sqauth_str **allowed)
{
    zend_string *key;
    zval *zv;

    ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, zv) {
        int rc;
        if (!key) {
            zend_argument_value_error(4, "must only have string keys");
            return FAILURE;
        }
        if (zend_string_equals_literal(key, "allow_plaintext")) {
            rc = opt_bool(zv, &o->allow_plaintext, "allow_plaintext");
        } else if (zend_string_equals_literal(key, "allowed")) {
            zval *item;
            ZVAL_DEREF(zv);
            if (Z_TYPE_P(zv) != IS_ARRAY) {
                zend_argument_type_error(4, "option \"allowed\" must be a list of mechanism names");
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
            rc = php_sqauth_sasl_string_entry(zv, &o->sasl.authzid, 3, "authzid");
        } else if (zend_string_equals_literal(key, "token")) {
            rc = php_sqauth_sasl_string_entry(zv, &o->sasl.token, 3, "token");
        } else {
            rc = php_sqauth_sasl_parse_option(key, zv, &o->sasl, qop, 4);
        }
        if (rc == FAILURE) {
            return FAILURE;
        }
    } ZEND_HASH_FOREACH_END();
    return SUCCESS;
}

static sqauth_str str_of(const zend_string *s)
{
    sqauth_str r;
    r.data = ZSTR_VAL(s);
    r.len = ZSTR_LEN(s);
    return r;
}

PHP_METHOD(SqAuth_Connection, authenticate)
{
    zend_string *mech, *user, *password;
    HashTable *options = NULL;
    sqauth_login_options o;
    const char **qop = NULL;
    sqauth_str *allowed = NULL;
    sqauth_error err;
    int rc = SQAUTH_OK;

    ZEND_PARSE_PARAMETERS_START(3, 4)
        Z_PARAM_STR(mech)
        Z_PARAM_STR(user)
        Z_PARAM_STR(password)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();
    (void)return_value;
    FETCH_OPEN(c);
    sqauth_login_options_init(&o);
    o.method = SQAUTH_LOGIN_SASL;
    o.mechanism = str_of(mech);
    o.sasl.authcid = str_of(user);
    o.sasl.password = str_of(password);
    if (!options || parse_auth_options(options, &o, &qop, &allowed) == SUCCESS) {
        sqauth_error_clear(&err);
        rc = sqauth_login(c->session, &o, &err);
        if (rc == SQAUTH_ERR_INVALID_ARG) {
            /* The mechanism could not use what the caller gave (a missing
             * token, a 'realm' the server does not offer, ...): a SASL
             * failure, as from SaslClient, not a ValueError. */
            php_sqauth_throw_sasl(&err);
        } else if (rc != SQAUTH_OK) {
            throw_session(c->session, &err);
        }
    }
    if (qop) {
        efree(qop);
    }
    if (allowed) {
        efree(allowed);
    }
    if (EG(exception)) {
        RETURN_THROWS();
    }
}

PHP_METHOD(SqAuth_Connection, login)
{
    zend_string *user, *password;
    HashTable *options = NULL;
    sqauth_login_options o;
    sqauth_error err;

    ZEND_PARSE_PARAMETERS_START(2, 3)
        Z_PARAM_STR(user)
        Z_PARAM_STR(password)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();
    (void)return_value;
    FETCH_OPEN(c);
    sqauth_login_options_init(&o);
    o.method = SQAUTH_LOGIN_COMMAND;
    o.sasl.authcid = str_of(user);
    o.sasl.password = str_of(password);
    if (options) {
        zend_string *key;
        zval *zv;
        ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, zv) {
            if (!key || !zend_string_equals_literal(key, "allow_plaintext")) {
                zend_argument_value_error(3, "may only have the key \"allow_plaintext\"");
                RETURN_THROWS();
            }
            if (opt_bool(zv, &o.allow_plaintext, "allow_plaintext") == FAILURE) {
                RETURN_THROWS();
            }
        } ZEND_HASH_FOREACH_END();
    }
    sqauth_error_clear(&err);
    if (sqauth_login(c->session, &o, &err) != SQAUTH_OK) {
        throw_session(c->session, &err);
        RETURN_THROWS();
    }
}

/* ---- detection ---- */

static const char *tls_mode_name(sqauth_tls_mode mode)
{
    return mode == SQAUTH_TLS_NONE ? "none" : mode == SQAUTH_TLS_STARTTLS ? "starttls" : "implicit";
}

/* SqAuth\detect(): what a server offers, over the TLS mode the site will
 * really use. With 'probe' => true, every password mechanism this build
 * knows is also tried with AUTHENTICATE/AUTH and cancelled, for servers
 * that answer mechanisms they do not list. */
PHP_FUNCTION(SqAuth_detect)
{
    zend_string *uri, *key;
    HashTable *options = NULL, *conn_opts;
    zval conn, *zv, tmp;
    int probe = 0;
    php_sqauth_connection *c;
    sqauth_session *s;

    ZEND_PARSE_PARAMETERS_START(1, 2)
        Z_PARAM_STR(uri)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();

    conn_opts = zend_new_array(8);
    if (options) {
        ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, zv) {
            if (key && zend_string_equals_literal(key, "probe")) {
                if (opt_bool(zv, &probe, "probe") == FAILURE) {
                    zend_array_destroy(conn_opts);
                    RETURN_THROWS();
                }
            } else if (key) {
                Z_TRY_ADDREF_P(zv);
                zend_hash_update(conn_opts, key, zv);
            } else {
                zend_argument_value_error(2, "must only have string keys");
                zend_array_destroy(conn_opts);
                RETURN_THROWS();
            }
        } ZEND_HASH_FOREACH_END();
    }
    if (connection_open(&conn, uri, conn_opts) == FAILURE) {
        zend_array_destroy(conn_opts);
        RETURN_THROWS();
    }
    zend_array_destroy(conn_opts);
    c = Z_CONNECTION_P(&conn);
    s = c->session;
    if (ensure_caps(c) == FAILURE) {
        zval_ptr_dtor(&conn);
        RETURN_THROWS();
    }

    array_init(return_value);
    add_assoc_str(return_value, "uri", zend_string_copy(uri));
    add_assoc_string(return_value, "protocol", (char *)sqauth_session_protocol(s));
    add_assoc_string(return_value, "tls_mode", (char *)tls_mode_name(sqauth_session_tls_mode(s)));
    add_assoc_string(return_value, "greeting", (char *)sqauth_session_greeting_text(s));
    capabilities_to_zval(s, &tmp);
    add_assoc_zval(return_value, "capabilities", &tmp);
    add_assoc_bool(return_value, "starttls", sqauth_session_has_starttls(s));
    add_assoc_bool(return_value, "login_disabled", sqauth_session_login_disabled(s));
    if (mechanisms_to_zval(s, &tmp) == FAILURE) {
        zval_ptr_dtor(return_value);
        zval_ptr_dtor(&conn);
        RETURN_THROWS();
    }
    add_assoc_zval(return_value, "mechanisms", &tmp);
    tls_info_to_zval(s, &tmp);
    add_assoc_zval(return_value, "tls", &tmp);

    if (probe) {
        const char **names = safe_emalloc(sqauth_sasl_mech_count(), sizeof(char *), 0);
        int *answers = safe_emalloc(sqauth_sasl_mech_count(), sizeof(int), 0);
        size_t count, i;
        sqauth_error err;

        sqauth_error_clear(&err);
        if (sqauth_probe_mechanisms(s, names, answers, &count, &err) != SQAUTH_OK) {
            efree(names);
            efree(answers);
            throw_session(s, &err);
            zval_ptr_dtor(return_value);
            zval_ptr_dtor(&conn);
            RETURN_THROWS();
        }
        array_init(&tmp);
        for (i = 0; i < count; i++) {
            add_assoc_bool(&tmp, names[i], answers[i]);
        }
        efree(names);
        efree(answers);
        add_assoc_zval(return_value, "probed", &tmp);
    }
    sqauth_session_logout(s);
    zval_ptr_dtor(&conn);
}

/* SqAuth\Connection::probeChallenge(): the server's first challenge for a
 * mechanism, then cancel; what admins used to copy from a telnet session. */
PHP_METHOD(SqAuth_Connection, probeChallenge)
{
    zend_string *mech;
    sqauth_buf challenge = SQAUTH_BUF_INIT;
    sqauth_error err;
    int answers = 0;

    ZEND_PARSE_PARAMETERS_START(1, 1)
        Z_PARAM_STR(mech)
    ZEND_PARSE_PARAMETERS_END();
    FETCH_OPEN(c);
    sqauth_error_clear(&err);
    if (sqauth_session_probe(c->session, ZSTR_VAL(mech), &answers, &challenge, &err) != SQAUTH_OK) {
        sqauth_buf_free(&challenge);
        throw_session(c->session, &err);
        RETURN_THROWS();
    }
    if (!answers) {
        sqauth_buf_free(&challenge);
        RETURN_NULL();
    }
    RETVAL_STRINGL(challenge.data ? (const char *)challenge.data : "", challenge.len);
    sqauth_buf_free(&challenge);
}

void php_sqauth_connection_minit(int module_number)
{
    (void)module_number;
    (void)stream_rsrc_id;
    php_sqauth_connection_ce->create_object = connection_create;
    memcpy(&connection_handlers, zend_get_std_object_handlers(), sizeof(zend_object_handlers));
    connection_handlers.offset = XtOffsetOf(php_sqauth_connection, std);
    connection_handlers.free_obj = connection_free;
    connection_handlers.clone_obj = NULL;
}
