/*
 * SqAuth\Connection: an IMAP, POP3 or SMTP connection in plaintext,
 * implicit TLS or STARTTLS (src/core/conn.c, src/core/proto/), and the PHP
 * stream that lets existing code go on with fgets()/fputs() afterwards.
 */
#include "php_sqauth_internal.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include "zend_exceptions.h"
#include "zend_smart_str.h"
#include "zend_interfaces.h"
#include "php_network.h"
#include "ext/standard/info.h"
#include "../core/conn.h"
#include "../core/net/net.h"
#include "../core/proto/session.h"

zend_class_entry *php_sqauth_connection_ce;
static zend_object_handlers connection_handlers;
static int stream_rsrc_id;

#define TLS_NONE 0
#define TLS_STARTTLS 1
#define TLS_IMPLICIT 2

typedef struct {
    sqauth_session *session;     /* NULL once closed */
    sqauth_tls_config tls;       /* strings point into the zend_strings below */
    zend_string *peer_name, *cafile, *capath, *local_cert, *local_pk, *ciphers, *peer_fingerprint;
    /* The seed's smtp_sitewide_user/smtp_sitewide_pass: used for SMTP AUTH
     * in place of the caller's credentials. */
    zend_string *smtp_user, *smtp_password;
    int tls_mode;
    int dead;                    /* closed for I/O (untrusted server); transcript() still works */
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

static void release_strings(php_sqauth_connection *c)
{
    zend_string **s[] = {&c->peer_name, &c->cafile, &c->capath, &c->local_cert, &c->local_pk, &c->ciphers,
                         &c->peer_fingerprint, &c->smtp_user, &c->smtp_password};
    size_t i;
    for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
        if (*s[i]) {
            if (s[i] == &c->smtp_password && !ZSTR_IS_INTERNED(*s[i]) && GC_REFCOUNT(*s[i]) == 1) {
                ZEND_SECURE_ZERO(ZSTR_VAL(*s[i]), ZSTR_LEN(*s[i]));
            }
            zend_string_release(*s[i]);
            *s[i] = NULL;
        }
    }
}

static void connection_free(zend_object *obj)
{
    php_sqauth_connection *c = connection_from_obj(obj);

    sqauth_session_free(c->session);
    c->session = NULL;
    release_strings(c);
    zval_ptr_dtor(&c->adopted);
    ZVAL_UNDEF(&c->adopted);
    zend_object_std_dtor(obj);
}

/* ---- errors ---- */

static void throw_session(php_sqauth_connection *c, sqauth_session *s, sqauth_conn *conn, const sqauth_error *err)
{
    const sqauth_tls_failure *tls = conn ? &conn->tls_failure : (s && s->conn ? &s->conn->tls_failure : NULL);
    const char *resp = NULL;
    size_t resp_len = 0;

    (void)c;
    if (s && s->response.len) {
        resp = (const char *)s->response.data;
        resp_len = s->response.len;
    }
    php_sqauth_throw(err, tls, resp, resp_len, NULL);
}

/* ---- options ---- */

typedef struct {
    int tls_mode;                /* -1 = scheme default */
    int timeout_ms, connect_timeout_ms;
    zend_string *helo;
    int transcript;
    int read_greeting;
} conn_options;

static int opt_string(zval *zv, zend_string **out, const char *key)
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
    if (*out) {
        zend_string_release(*out);
    }
    *out = zend_string_copy(Z_STR_P(zv));
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

typedef enum { OPT_STRING, OPT_BOOL, OPT_SECONDS, OPT_TLS_VERSION } option_kind;

/* Where each option goes: a field of the connection (its TLS config, its
 * strings) or of the per-call conn_options. */
typedef struct {
    const char *name;
    option_kind kind;
    int per_call;                /* 1: conn_options, 0: php_sqauth_connection */
    size_t offset;
} option_spec;

#define CONN_OPTION(name, kind, field) {name, kind, 0, offsetof(php_sqauth_connection, field)}
#define CALL_OPTION(name, kind, field) {name, kind, 1, offsetof(conn_options, field)}

static const option_spec option_specs[] = {
    CONN_OPTION("verify_peer", OPT_BOOL, tls.verify_peer),
    CONN_OPTION("verify_peer_name", OPT_BOOL, tls.verify_peer_name),
    CONN_OPTION("session_resumption", OPT_BOOL, tls.session_resumption),
    CONN_OPTION("peer_name", OPT_STRING, peer_name),
    CONN_OPTION("cafile", OPT_STRING, cafile),
    CONN_OPTION("capath", OPT_STRING, capath),
    CONN_OPTION("local_cert", OPT_STRING, local_cert),
    CONN_OPTION("local_pk", OPT_STRING, local_pk),
    CONN_OPTION("ciphers", OPT_STRING, ciphers),
    CONN_OPTION("peer_fingerprint", OPT_STRING, peer_fingerprint),
    CONN_OPTION("min_protocol", OPT_TLS_VERSION, tls.min_protocol),
    CONN_OPTION("max_protocol", OPT_TLS_VERSION, tls.max_protocol),
    CONN_OPTION("smtp_user", OPT_STRING, smtp_user),
    CONN_OPTION("smtp_password", OPT_STRING, smtp_password),
    CALL_OPTION("timeout", OPT_SECONDS, timeout_ms),
    CALL_OPTION("connect_timeout", OPT_SECONDS, connect_timeout_ms),
    CALL_OPTION("helo", OPT_STRING, helo),
    CALL_OPTION("transcript", OPT_BOOL, transcript),
    CALL_OPTION("greeting", OPT_BOOL, read_greeting),
};

static int parse_option(php_sqauth_connection *c, conn_options *o, zend_string *key, zval *zv)
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
        field = (char *)(spec->per_call ? (void *)o : (void *)c) + spec->offset;
        switch (spec->kind) {
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

static int parse_options(php_sqauth_connection *c, HashTable *ht, conn_options *o)
{
    zend_string *key;
    zval *zv;

    memset(o, 0, sizeof(*o));
    o->tls_mode = -1;
    o->timeout_ms = SQAUTH_CONN_DEFAULT_TIMEOUT_MS;
    o->connect_timeout_ms = SQAUTH_CONN_DEFAULT_TIMEOUT_MS;
    o->read_greeting = 1;
    sqauth_tls_config_init(&c->tls);
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
            o->tls_mode = Z_STRVAL_P(zv)[0] == 'n' ? TLS_NONE : Z_STRVAL_P(zv)[0] == 's' ? TLS_STARTTLS : TLS_IMPLICIT;
        } else if (parse_option(c, o, key, zv) == FAILURE) {
            return FAILURE;
        }
    } ZEND_HASH_FOREACH_END();

    if (o->helo && (ZSTR_LEN(o->helo) == 0 || ZSTR_LEN(o->helo) > 255 || strpbrk(ZSTR_VAL(o->helo), " \r\n"))) {
        zend_argument_value_error(2, "option \"helo\" must be a host name or address literal");
        return FAILURE;
    }
    c->tls.peer_name = c->peer_name ? ZSTR_VAL(c->peer_name) : NULL;
    c->tls.cafile = c->cafile ? ZSTR_VAL(c->cafile) : NULL;
    c->tls.capath = c->capath ? ZSTR_VAL(c->capath) : NULL;
    c->tls.local_cert = c->local_cert ? ZSTR_VAL(c->local_cert) : NULL;
    c->tls.local_pk = c->local_pk ? ZSTR_VAL(c->local_pk) : NULL;
    c->tls.ciphers = c->ciphers ? ZSTR_VAL(c->ciphers) : NULL;
    c->tls.peer_fingerprint = c->peer_fingerprint ? ZSTR_VAL(c->peer_fingerprint) : NULL;
    if (c->tls.max_protocol && c->tls.max_protocol < (c->tls.min_protocol ? c->tls.min_protocol : TLS1_2_VERSION)) {
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
    int tls_mode;
} scheme_info;

static const scheme_info schemes[] = {
    {"imap", SQAUTH_PROTO_IMAP, 143, TLS_STARTTLS},
    {"imaps", SQAUTH_PROTO_IMAP, 993, TLS_IMPLICIT},
    {"pop3", SQAUTH_PROTO_POP3, 110, TLS_STARTTLS},
    {"pop3s", SQAUTH_PROTO_POP3, 995, TLS_IMPLICIT},
    {"smtp", SQAUTH_PROTO_SMTP, 25, TLS_STARTTLS},
    {"smtps", SQAUTH_PROTO_SMTP, 465, TLS_IMPLICIT},
    {"submission", SQAUTH_PROTO_SMTP, 587, TLS_STARTTLS},
    {"submissions", SQAUTH_PROTO_SMTP, 465, TLS_IMPLICIT},
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

static int connect_session(php_sqauth_connection *c, sqauth_conn *conn, const scheme_info *scheme, const char *host,
                           const conn_options *o)
{
    sqauth_error err;
    sqauth_session *s = NULL;
    int rc;

    sqauth_error_clear(&err);
    if (c->tls_mode == TLS_IMPLICIT) {
        rc = sqauth_conn_start_tls(conn, &c->tls, host, &err);
        if (rc != SQAUTH_OK) {
            throw_session(c, NULL, conn, &err);
            sqauth_conn_free(conn);
            return FAILURE;
        }
    }
    rc = sqauth_session_new(&s, conn, scheme->kind, host, o->helo ? ZSTR_VAL(o->helo) : NULL, o->transcript, &err);
    if (rc != SQAUTH_OK) {
        throw_session(c, NULL, conn, &err);
        sqauth_conn_free(conn);
        return FAILURE;
    }
    if (o->read_greeting) {
        rc = sqauth_session_greeting(s, &err);
    }
    if (rc == SQAUTH_OK && c->tls_mode == TLS_STARTTLS) {
        rc = sqauth_session_starttls(s, &c->tls, &err);
    } else if (rc == SQAUTH_OK && !s->caps_known) {
        rc = sqauth_session_capabilities(s, &err);
    }
    if (rc != SQAUTH_OK) {
        throw_session(c, s, NULL, &err);
        sqauth_session_free(s);
        return FAILURE;
    }
    c->session = s;
    return SUCCESS;
}

PHP_METHOD(SqAuth_Connection, __construct)
{
    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
}

/* Connection::open() proper; also used by SqAuth\detect(). */
static int connection_open(zval *out, zend_string *uri, HashTable *options)
{
    const scheme_info *scheme;
    char host[256];
    unsigned port;
    conn_options o;
    php_sqauth_connection *c;
    sqauth_conn *conn;
    sqauth_error err;

    if (parse_uri(uri, &scheme, host, sizeof(host), &port) == FAILURE) {
        return FAILURE;
    }
    object_init_ex(out, php_sqauth_connection_ce);
    c = Z_CONNECTION_P(out);
    if (parse_options(c, options, &o) == FAILURE) {
        goto fail;
    }
    c->tls_mode = o.tls_mode >= 0 ? o.tls_mode : scheme->tls_mode;
    sqauth_error_clear(&err);
    if (sqauth_conn_open(&conn, host, port, o.connect_timeout_ms, o.timeout_ms, &err) != SQAUTH_OK) {
        php_sqauth_throw(&err, NULL, NULL, 0, NULL);
        goto fail;
    }
    if (connect_session(c, conn, scheme, host, &o) == FAILURE) {
        goto fail;
    }
    if (o.helo) {
        zend_string_release(o.helo);
    }
    return SUCCESS;
fail:
    if (o.helo) {
        zend_string_release(o.helo);
    }
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
    sqauth_conn *conn;
    sqauth_error err;
    size_t i;
    int flags;

    ZEND_PARSE_PARAMETERS_START(2, 3)
        Z_PARAM_RESOURCE(zstream)
        Z_PARAM_STR(protocol)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();

    php_stream_from_zval(stream, zstream);
    /* The plaintext schemes: imap, pop3, smtp, submission. */
    for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
        if (schemes[i].tls_mode == TLS_STARTTLS && strcasecmp(ZSTR_VAL(protocol), schemes[i].scheme) == 0) {
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
    if (parse_options(c, options, &o) == FAILURE) {
        goto fail;
    }
    c->tls_mode = o.tls_mode >= 0 ? o.tls_mode : TLS_STARTTLS;
    if (c->tls_mode != TLS_NONE && c->tls.verify_peer && c->tls.verify_peer_name && !c->peer_name) {
        zend_argument_value_error(3, "must give \"peer_name\" (the server's host name) to verify its certificate");
        goto fail;
    }
    /* Our reads have deadlines only on a non-blocking socket. */
    flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
        zend_throw_exception(php_sqauth_connection_exception_ce, "cannot make the socket non-blocking", 0);
        goto fail;
    }
    sqauth_error_clear(&err);
    if (sqauth_conn_adopt(&conn, fd, o.timeout_ms, &err) != SQAUTH_OK) {
        php_sqauth_throw(&err, NULL, NULL, 0, NULL);
        goto fail;
    }
    /* Bytes PHP has read ahead belong to the server's next reply. */
    if (stream->writepos > stream->readpos) {
        size_t n = (size_t)(stream->writepos - stream->readpos);
        if (n > sizeof(conn->rbuf)) {
            n = sizeof(conn->rbuf);
        }
        memcpy(conn->rbuf, stream->readbuf + stream->readpos, n);
        conn->rlen = n;
        stream->readpos += n;
    }
    ZVAL_COPY(&c->adopted, zstream);
    if (connect_session(c, conn, scheme, c->peer_name ? ZSTR_VAL(c->peer_name) : NULL, &o) == FAILURE) {
        goto fail;
    }
    if (o.helo) {
        zend_string_release(o.helo);
    }
    return;
fail:
    if (o.helo) {
        zend_string_release(o.helo);
    }
    zval_ptr_dtor(return_value);
    ZVAL_UNDEF(return_value);
    RETURN_THROWS();
}

#define FETCH_OPEN(c) \
    php_sqauth_connection *c = Z_CONNECTION_P(ZEND_THIS); \
    if (c->stream_failed) { \
        php_sqauth_throw(&c->stream_error, c->session && c->session->conn ? &c->session->conn->tls_failure : NULL, \
                         NULL, 0, NULL); \
        RETURN_THROWS(); \
    } \
    if (!c->session || c->dead) { \
        zend_throw_exception(php_sqauth_connection_exception_ce, "the connection is closed", -SQAUTH_ERR_CLOSED); \
        RETURN_THROWS(); \
    }

PHP_METHOD(SqAuth_Connection, protocol)
{
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_OPEN(c);
    RETURN_STRING(c->session->ops->name);
}

PHP_METHOD(SqAuth_Connection, greeting)
{
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_OPEN(c);
    RETURN_STRING(c->session->greeting ? c->session->greeting : "");
}

static int ensure_caps(php_sqauth_connection *c)
{
    sqauth_error err;
    if (c->session->caps_known) {
        return SUCCESS;
    }
    sqauth_error_clear(&err);
    if (sqauth_session_capabilities(c->session, &err) != SQAUTH_OK) {
        throw_session(c, c->session, NULL, &err);
        return FAILURE;
    }
    return SUCCESS;
}

PHP_METHOD(SqAuth_Connection, capabilities)
{
    size_t i;

    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_OPEN(c);
    if (ensure_caps(c) == FAILURE) {
        RETURN_THROWS();
    }
    array_init(return_value);
    for (i = 0; i < c->session->cap_count; i++) {
        const sqauth_capability *cap = &c->session->caps[i];
        if (c->session->kind == SQAUTH_PROTO_IMAP) {
            add_next_index_string(return_value, cap->name);
        } else {
            zend_string *name = zend_string_init(cap->name, strlen(cap->name), 0);
            zval v;
            zend_str_toupper(ZSTR_VAL(name), ZSTR_LEN(name));
            if (cap->value[0]) {
                ZVAL_STRING(&v, cap->value);
            } else {
                ZVAL_TRUE(&v);
            }
            zend_symtable_update(Z_ARRVAL_P(return_value), name, &v);
            zend_string_release(name);
        }
    }
}

PHP_METHOD(SqAuth_Connection, mechanisms)
{
    char **list;
    size_t count, i;
    sqauth_error err;

    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_OPEN(c);
    if (ensure_caps(c) == FAILURE) {
        RETURN_THROWS();
    }
    if (sqauth_session_mechanisms(c->session, &list, &count, &err) != SQAUTH_OK) {
        php_sqauth_throw(&err, NULL, NULL, 0, NULL);
        RETURN_THROWS();
    }
    array_init(return_value);
    for (i = 0; i < count; i++) {
        add_next_index_string(return_value, list[i]);
    }
    sqauth_session_free_list(list, count);
}

PHP_METHOD(SqAuth_Connection, startTls)
{
    sqauth_error err;

    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_OPEN(c);
    sqauth_error_clear(&err);
    if (sqauth_session_starttls(c->session, &c->tls, &err) != SQAUTH_OK) {
        throw_session(c, c->session, NULL, &err);
        /* After a failed STARTTLS the connection is in an unknown state. */
        sqauth_session_free(c->session);
        c->session = NULL;
        RETURN_THROWS();
    }
}

PHP_METHOD(SqAuth_Connection, isEncrypted)
{
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_OPEN(c);
    RETURN_BOOL(c->session->conn->ssl != NULL);
}

PHP_METHOD(SqAuth_Connection, tlsInfo)
{
    sqauth_tls_info info;
    zval cert, verify;

    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_OPEN(c);
    if (!sqauth_conn_tls_info(c->session->conn, &info)) {
        RETURN_NULL();
    }
    array_init(return_value);
    add_assoc_string(return_value, "protocol", info.protocol);
    add_assoc_string(return_value, "cipher", info.cipher);
    add_assoc_long(return_value, "bits", info.bits);
    add_assoc_bool(return_value, "session_reused", info.session_reused);
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
        add_assoc_zval(return_value, "peer_certificate", &cert);
    } else {
        add_assoc_null(return_value, "peer_certificate");
    }
    array_init(&verify);
    add_assoc_long(&verify, "code", info.verify_code);
    add_assoc_string(&verify, "message", info.verify_message);
    add_assoc_bool(&verify, "verified", c->tls.verify_peer && info.verify_code == 0);
    add_assoc_zval(return_value, "verify", &verify);
}

PHP_METHOD(SqAuth_Connection, securityLayer)
{
    const sqauth_sasl *l;
    const char *cipher;

    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_OPEN(c);
    l = c->session->conn->layer;
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
    for (i = 0; i < c->session->transcript_count; i++) {
        const sqauth_transcript_line *l = &c->session->transcript[i];
        add_next_index_str(return_value, zend_strpprintf(0, "%c: %s", l->direction, l->text));
    }
}

PHP_METHOD(SqAuth_Connection, close)
{
    php_sqauth_connection *c = Z_CONNECTION_P(ZEND_THIS);

    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
    if (c->session) {
        if (!c->dead) {
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

static ssize_t conn_stream_write(php_stream *stream, const char *buf, size_t count)
{
    php_sqauth_connection *c = stream_owner(stream);
    sqauth_error err;

    /* After a failure reported by the stream (a broken security layer, a
     * truncated buffer) nothing more is sent. */
    if (!c || !c->session || c->dead || c->stream_failed) {
        return -1;
    }
    if (sqauth_conn_write_all(c->session->conn, buf, count, &err) != SQAUTH_OK) {
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
    sqauth_conn *conn;
    sqauth_error err;
    size_t total = 0, got;
    int saved_timeout;

    d->timed_out = 0;
    if (!c || !c->session || c->dead) {
        stream->eof = 1;
        return 0;
    }
    conn = c->session->conn;
    if (!d->blocking && !sqauth_conn_has_pending(conn)) {
        struct pollfd p = {conn->fd, POLLIN, 0};
        if (poll(&p, 1, 0) <= 0) {
            return 0;
        }
    }
    /* Non-blocking: never wait, not even for the rest of a TLS record or a
     * security-layer buffer that has only partly arrived (a zero timeout
     * makes any wait end at once; what arrived stays buffered). */
    saved_timeout = conn->timeout_ms;
    if (!d->blocking) {
        conn->timeout_ms = 0;
    }
    /* Take everything already decrypted, so that stream_select() on the
     * socket never waits for bytes that are sitting in our buffers. */
    do {
        if (sqauth_conn_read_some(conn, buf + total, count - total, &got, &err) != SQAUTH_OK) {
            conn->timeout_ms = saved_timeout;
            if (err.code == SQAUTH_ERR_TIMEOUT) {
                d->timed_out = d->blocking;
                return (ssize_t)total;
            }
            stream->eof = 1;
            remember_stream_error(c, &err);
            return total ? (ssize_t)total : -1;
        }
        if (got == 0) {
            stream->eof = 1;
            break;
        }
        total += got;
    } while (total < count && sqauth_conn_has_pending(conn));
    conn->timeout_ms = saved_timeout;
    return (ssize_t)total;
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
        *(php_socket_t *)ret = c->session->conn->fd;
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
            c->session->conn->timeout_ms = ms < 1 ? 1 : ms > 0x7fffffff ? 0x7fffffff : (int)ms;
        }
        return PHP_STREAM_OPTION_RETURN_OK;
    case PHP_STREAM_OPTION_BLOCKING: {
        int old = d->blocking;
        d->blocking = value;
        return old;
    }
    case PHP_STREAM_OPTION_CHECK_LIVENESS:
        return c && c->session && !c->session->conn->eof ? PHP_STREAM_OPTION_RETURN_OK : PHP_STREAM_OPTION_RETURN_ERR;
    case PHP_STREAM_OPTION_META_DATA_API:
        add_assoc_bool((zval *)ptrparam, "timed_out", d->timed_out);
        add_assoc_bool((zval *)ptrparam, "blocked", d->blocking);
        add_assoc_bool((zval *)ptrparam, "eof", stream->eof);
        add_assoc_bool((zval *)ptrparam, "encrypted", c && c->session && c->session->conn->ssl);
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

static const char *sasl_service(sqauth_proto_kind kind)
{
    /* GSSAPI service names (RFC 4422 §A, IANA): also DIGEST-MD5's digest-uri. */
    return kind == SQAUTH_PROTO_IMAP ? "imap" : kind == SQAUTH_PROTO_POP3 ? "pop" : "smtp";
}

static void throw_auth(php_sqauth_connection *c, const sqauth_error *err, const sqauth_auth_reply *reply)
{
    sqauth_session *s = c->session;
    php_sqauth_throw(err, s && s->conn ? &s->conn->tls_failure : NULL, s ? (const char *)s->response.data : NULL,
                     s ? s->response.len : 0, reply && reply->code[0] ? reply->code : NULL);
}

static void throw_policy(const char *fmt, const char *arg)
{
    sqauth_error err;
    sqauth_fail(&err, SQAUTH_ERR_POLICY, fmt, arg);
    php_sqauth_throw_sasl(&err);
}

/* Offered mechanisms as a comma list, for messages. */
static zend_string *offered_list(php_sqauth_connection *c)
{
    char **list;
    size_t count, i;
    sqauth_error err;
    smart_str out = {0};

    if (sqauth_session_mechanisms(c->session, &list, &count, &err) == SQAUTH_OK) {
        for (i = 0; i < count; i++) {
            smart_str_appends(&out, i ? ", " : "");
            smart_str_appends(&out, list[i]);
        }
        sqauth_session_free_list(list, count);
    }
    if (!out.s) {
        smart_str_appends(&out, "none");
    }
    smart_str_0(&out);
    return out.s;
}

PHP_METHOD(SqAuth_Connection, authenticate)
{
    zend_string *mech, *user, *password;
    HashTable *options = NULL;
    HashTable *credentials, *sasl_options;
    zend_string *key;
    zval *zv, tmp;
    int allow_plaintext = 0, encrypted;
    HashTable *allowed = NULL;
    const sqauth_sasl_mech *m;
    sqauth_sasl *sasl;
    sqauth_auth_reply reply;
    sqauth_error err;
    char chosen[64];
    int rc;

    ZEND_PARSE_PARAMETERS_START(3, 4)
        Z_PARAM_STR(mech)
        Z_PARAM_STR(user)
        Z_PARAM_STR(password)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();
    (void)return_value;
    FETCH_OPEN(c);
    if (c->session->authenticated) {
        /* Before the offered-mechanism check: after login the list is empty. */
        sqauth_fail(&err, SQAUTH_ERR_PROTOCOL, "already authenticated on this connection");
        php_sqauth_throw(&err, NULL, NULL, 0, NULL);
        RETURN_THROWS();
    }
    if (ensure_caps(c) == FAILURE) {
        RETURN_THROWS();
    }
    encrypted = c->session->conn->ssl != NULL;

    /* Options for the connection layer; the rest go to the SASL client. */
    credentials = zend_new_array(4);
    sasl_options = zend_new_array(4);
    if (options) {
        ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, zv) {
            if (key && zend_string_equals_literal(key, "allow_plaintext")) {
                if (opt_bool(zv, &allow_plaintext, "allow_plaintext") == FAILURE) {
                    goto fail;
                }
            } else if (key && zend_string_equals_literal(key, "allowed")) {
                ZVAL_DEREF(zv);
                if (Z_TYPE_P(zv) != IS_ARRAY) {
                    zend_argument_type_error(4, "option \"allowed\" must be a list of mechanism names");
                    goto fail;
                }
                allowed = Z_ARRVAL_P(zv);
            } else if (key && (zend_string_equals_literal(key, "authzid") || zend_string_equals_literal(key, "token"))) {
                Z_TRY_ADDREF_P(zv);
                zend_hash_update(credentials, key, zv);
            } else if (key) {
                Z_TRY_ADDREF_P(zv);
                zend_hash_update(sasl_options, key, zv);
            } else {
                zend_argument_value_error(4, "must only have string keys");
                goto fail;
            }
        } ZEND_HASH_FOREACH_END();
    }

    /* The site-wide SMTP account replaces the caller's. */
    if (c->session->kind == SQAUTH_PROTO_SMTP && c->smtp_user) {
        user = c->smtp_user;
        password = c->smtp_password ? c->smtp_password : ZSTR_EMPTY_ALLOC();
    }

    if (zend_string_equals_literal_ci(mech, "auto")) {
        char **list;
        size_t count, i, allowed_count = 0;
        sqauth_str *offered, *allowed_list = NULL;
        const char *pick;
        if (sqauth_session_mechanisms(c->session, &list, &count, &err) != SQAUTH_OK) {
            php_sqauth_throw(&err, NULL, NULL, 0, NULL);
            goto fail;
        }
        offered = safe_emalloc(count + 1, sizeof(sqauth_str), 0);
        for (i = 0; i < count; i++) {
            offered[i] = sqauth_str_c(list[i]);
        }
        if (allowed) {
            allowed_list = safe_emalloc(zend_hash_num_elements(allowed) + 1, sizeof(sqauth_str), 0);
            ZEND_HASH_FOREACH_VAL(allowed, zv) {
                ZVAL_DEREF(zv);
                if (Z_TYPE_P(zv) == IS_STRING) {
                    allowed_list[allowed_count].data = Z_STRVAL_P(zv);
                    allowed_list[allowed_count++].len = Z_STRLEN_P(zv);
                }
            } ZEND_HASH_FOREACH_END();
        }
        if (!allowed && encrypted) {
            /* Over TLS the -PLUS variants are usable too: the connection
             * supplies the channel binding. Same candidates otherwise. */
            allowed_list = safe_emalloc(sqauth_sasl_mech_count() + 1, sizeof(sqauth_str), 0);
            for (i = 0; i < sqauth_sasl_mech_count(); i++) {
                const sqauth_sasl_mech *cand = sqauth_sasl_mech_at(i);
                if (cand->flags & SQAUTH_MECH_NEEDS_PASSWORD) {
                    allowed_list[allowed_count++] = sqauth_str_c(cand->name);
                }
            }
        }
        pick = sqauth_sasl_select(offered, count, allowed_list, allowed_count, encrypted || allow_plaintext);
        snprintf(chosen, sizeof(chosen), "%s", pick ? pick : "");
        efree(offered);
        if (allowed_list) {
            efree(allowed_list);
        }
        sqauth_session_free_list(list, count);
        if (!pick) {
            zend_string *o = offered_list(c);
            sqauth_fail(&err, SQAUTH_ERR_UNSUPPORTED, "no usable SASL mechanism: the server offers %.120s%s", ZSTR_VAL(o),
                        encrypted ? "" : " (cleartext mechanisms are not used on an unencrypted connection)");
            zend_string_release(o);
            php_sqauth_throw_sasl(&err);
            goto fail;
        }
    } else {
        snprintf(chosen, sizeof(chosen), "%s", ZSTR_VAL(mech));
    }

    m = sqauth_sasl_find(chosen, strlen(chosen));
    if (m && (m->flags & SQAUTH_MECH_CLEARTEXT) && !encrypted && !allow_plaintext) {
        throw_policy((m->flags & SQAUTH_MECH_NEEDS_TOKEN)
                     ? "refusing to send the bearer token in the clear with %s on an unencrypted connection; "
                       "use TLS, or pass 'allow_plaintext' => true"
                     : "refusing to send the password in the clear with %s on an unencrypted connection; "
                       "use TLS, or pass 'allow_plaintext' => true", m->name);
        goto fail;
    }
    if (m) {
        char **list;
        size_t count, i;
        int offered = 0;
        if (sqauth_session_mechanisms(c->session, &list, &count, &err) == SQAUTH_OK) {
            for (i = 0; i < count; i++) {
                offered |= strcmp(list[i], m->name) == 0;
            }
            sqauth_session_free_list(list, count);
        }
        if (!offered) {
            zend_string *o = offered_list(c);
            sqauth_fail(&err, SQAUTH_ERR_UNSUPPORTED, "the server does not offer %s (it offers %.150s)", m->name, ZSTR_VAL(o));
            zend_string_release(o);
            php_sqauth_throw_sasl(&err);
            goto fail;
        }
    }

    ZVAL_STR_COPY(&tmp, user);
    zend_hash_str_update(credentials, "authcid", sizeof("authcid") - 1, &tmp);
    ZVAL_STR_COPY(&tmp, password);
    zend_hash_str_update(credentials, "password", sizeof("password") - 1, &tmp);
    if (!zend_hash_str_exists(sasl_options, "service", sizeof("service") - 1)) {
        ZVAL_STRING(&tmp, sasl_service(c->session->kind));
        zend_hash_str_update(sasl_options, "service", sizeof("service") - 1, &tmp);
    }
    if (!zend_hash_str_exists(sasl_options, "host", sizeof("host") - 1) && c->session->host) {
        ZVAL_STRING(&tmp, c->session->host);
        zend_hash_str_update(sasl_options, "host", sizeof("host") - 1, &tmp);
    }
    /* SCRAM -PLUS: bind the exchange to this TLS connection unless the
     * caller brought channel-binding data of its own. */
    if (m && (m->flags & SQAUTH_MECH_CHANNEL_BIND)
        && !zend_hash_str_exists(sasl_options, "channel_binding", sizeof("channel_binding") - 1)) {
        sqauth_buf cb = SQAUTH_BUF_INIT;
        const char *cb_type;
        zval binding;
        if (sqauth_conn_channel_binding(c->session->conn, NULL, &cb_type, &cb, &err) != SQAUTH_OK) {
            sqauth_buf_wipe(&cb);
            php_sqauth_throw(&err, &c->session->conn->tls_failure, NULL, 0, NULL);
            goto fail;
        }
        array_init(&binding);
        add_assoc_string(&binding, "type", (char *)cb_type);
        add_assoc_stringl(&binding, "data", cb.data ? (char *)cb.data : "", cb.len);
        zend_hash_str_update(sasl_options, "channel_binding", sizeof("channel_binding") - 1, &binding);
        sqauth_buf_wipe(&cb);
    }
    /* A security layer is worth its cost only without TLS (issue 5):
     * prefer auth-conf there, plain auth over TLS. */
    if (!zend_hash_str_exists(sasl_options, "qop", sizeof("qop") - 1)) {
        zval qop;
        array_init(&qop);
        if (!encrypted) {
            add_next_index_string(&qop, "auth-conf");
            add_next_index_string(&qop, "auth-int");
        }
        add_next_index_string(&qop, "auth");
        zend_hash_str_update(sasl_options, "qop", sizeof("qop") - 1, &qop);
    }
    sasl = php_sqauth_sasl_from_arrays(chosen, strlen(chosen), credentials, sasl_options, 3);
    if (!sasl) {
        goto fail;
    }
    sqauth_error_clear(&err);
    rc = sqauth_session_authenticate(c->session, sasl, &reply, &err);
    if (rc == SQAUTH_OK && sasl->layer != SQAUTH_LAYER_NONE) {
        /* From here on the connection is wrapped (and the stream with it). */
        rc = sqauth_conn_set_layer(c->session->conn, sasl, &err);
        if (rc != SQAUTH_OK) {
            sqauth_sasl_free(sasl);
        }
    } else {
        sqauth_sasl_free(sasl);
    }
    if (rc == SQAUTH_ERR_INVALID_ARG) {
        /* The mechanism could not use what the server sent with what the
         * caller gave (a 'realm' the server does not offer, ...): a SASL
         * failure, as from SaslClient::step(), not a ValueError. */
        php_sqauth_throw_sasl(&err);
        goto fail;
    }
    if (rc != SQAUTH_OK) {
        throw_auth(c, &err, &reply);
        if (rc == SQAUTH_ERR_NOT_VERIFIED) {
            /* The server let us in without proving who it is: nothing more
             * goes over this connection (the stream too reports EOF). */
            shutdown(c->session->conn->fd, SHUT_RDWR);
            c->dead = 1;
        }
        goto fail;
    }
    zend_array_destroy(credentials);
    zend_array_destroy(sasl_options);
    return;
fail:
    zend_array_destroy(credentials);
    zend_array_destroy(sasl_options);
    RETURN_THROWS();
}

PHP_METHOD(SqAuth_Connection, login)
{
    zend_string *user, *password;
    HashTable *options = NULL;
    int allow_plaintext = 0;
    sqauth_auth_reply reply;
    sqauth_error err;

    ZEND_PARSE_PARAMETERS_START(2, 3)
        Z_PARAM_STR(user)
        Z_PARAM_STR(password)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();
    (void)return_value;
    FETCH_OPEN(c);
    if (options) {
        zend_string *key;
        zval *zv;
        ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, zv) {
            if (!key || !zend_string_equals_literal(key, "allow_plaintext")) {
                zend_argument_value_error(3, "may only have the key \"allow_plaintext\"");
                RETURN_THROWS();
            }
            if (opt_bool(zv, &allow_plaintext, "allow_plaintext") == FAILURE) {
                RETURN_THROWS();
            }
        } ZEND_HASH_FOREACH_END();
    }
    if (!c->session->conn->ssl && !allow_plaintext) {
        throw_policy("refusing to send the password in the clear with %s on an unencrypted connection; "
                     "use TLS, or pass 'allow_plaintext' => true",
                     c->session->kind == SQAUTH_PROTO_POP3 ? "USER/PASS" : "LOGIN");
        RETURN_THROWS();
    }
    if (ensure_caps(c) == FAILURE) {
        RETURN_THROWS();
    }
    sqauth_error_clear(&err);
    if (sqauth_session_login(c->session, ZSTR_VAL(user), ZSTR_LEN(user), ZSTR_VAL(password), ZSTR_LEN(password),
                             &reply, &err) != SQAUTH_OK) {
        throw_auth(c, &err, &reply);
        RETURN_THROWS();
    }
}

/* ---- detection ---- */

static const char *tls_mode_name(int mode)
{
    return mode == TLS_NONE ? "none" : mode == TLS_STARTTLS ? "starttls" : "implicit";
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
    size_t i;

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
    if (ensure_caps(c) == FAILURE) {
        zval_ptr_dtor(&conn);
        RETURN_THROWS();
    }

    array_init(return_value);
    add_assoc_str(return_value, "uri", zend_string_copy(uri));
    add_assoc_string(return_value, "protocol", c->session->ops->name);
    add_assoc_string(return_value, "tls_mode", tls_mode_name(c->tls_mode));
    add_assoc_string(return_value, "greeting", c->session->greeting ? c->session->greeting : "");
    zend_call_method_with_0_params(Z_OBJ(conn), php_sqauth_connection_ce, NULL, "capabilities", &tmp);
    if (Z_TYPE(tmp) == IS_UNDEF) {
        zval_ptr_dtor(return_value);
        zval_ptr_dtor(&conn);
        RETURN_THROWS();
    }
    add_assoc_zval(return_value, "capabilities", &tmp);
    add_assoc_bool(return_value, "starttls", c->session->starttls_done || sqauth_session_starttls_offered(c->session));
    add_assoc_bool(return_value, "login_disabled", sqauth_session_login_disabled(c->session));
    zend_call_method_with_0_params(Z_OBJ(conn), php_sqauth_connection_ce, NULL, "mechanisms", &tmp);
    add_assoc_zval(return_value, "mechanisms", &tmp);
    zend_call_method_with_0_params(Z_OBJ(conn), php_sqauth_connection_ce, NULL, "tlsinfo", &tmp);
    add_assoc_zval(return_value, "tls", &tmp);

    if (probe) {
        zval probed;
        array_init(&probed);
        for (i = 0; i < sqauth_sasl_mech_count(); i++) {
            const sqauth_sasl_mech *m = sqauth_sasl_mech_at(i);
            sqauth_error err;
            int answers = 0;
            if (!(m->flags & SQAUTH_MECH_NEEDS_PASSWORD) || (m->flags & SQAUTH_MECH_CHANNEL_BIND)) {
                continue;
            }
            sqauth_error_clear(&err);
            if (sqauth_session_probe(c->session, m->name, &answers, NULL, &err) != SQAUTH_OK) {
                throw_auth(c, &err, NULL);
                zval_ptr_dtor(&probed);
                zval_ptr_dtor(return_value);
                zval_ptr_dtor(&conn);
                RETURN_THROWS();
            }
            add_assoc_bool(&probed, m->name, answers);
        }
        add_assoc_zval(return_value, "probed", &probed);
    }
    sqauth_session_logout(c->session);
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
        throw_auth(c, &err, NULL);
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
