/*
 * SqAuth\Connection: an IMAP, POP3 or SMTP session in plaintext, implicit
 * TLS or STARTTLS. The core (src/core/proto/, src/core/policy.c) does the
 * work and makes the decisions; this file converts arguments, maps errors
 * and holds the object. Its options: connection_options.c; its PHP stream:
 * connection_stream.c; detection: detect.c; the pool's methods:
 * connection_pool.c.
 */
#include "connection.h"
#include "../core/pool.h"

#include <fcntl.h>

#include "zend_exceptions.h"
#include "php_network.h"

zend_class_entry *php_sqauth_connection_ce;
static zend_object_handlers connection_handlers;

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
    php_sqauth_connection *c = php_sqauth_connection_from_obj(obj);

    php_sqauth_connection_end(c);
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

void php_sqauth_connection_end(php_sqauth_connection *c)
{
    if (c->stream_read_ahead) {
        zend_string_release(c->stream_read_ahead);
        c->stream_read_ahead = NULL;
    }
    if (c->session && c->pooled) {
        sqauth_pool_discard(c->session);
    } else {
        sqauth_session_free(c->session);
    }
    c->session = NULL;
}

/* ---- errors ---- */

void php_sqauth_throw_session(const sqauth_session *s, const sqauth_error *err)
{
    sqauth_str response = sqauth_session_response(s);
    const char *code = sqauth_session_response_code(s);

    php_sqauth_throw(err, sqauth_session_tls_failure(s), response.data, response.len, code[0] ? code : NULL);
}

/* ---- open ---- */

PHP_METHOD(SqAuth_Connection, __construct)
{
    (void)return_value;
    ZEND_PARSE_PARAMETERS_NONE();
}

/* Keeps a reference to the caller's site-wide SMTP password (see
 * php_sqauth_connection). */
void php_sqauth_keep_smtp_password(php_sqauth_connection *c, HashTable *options)
{
    zval *zv = options ? zend_hash_str_find_deref(options, "smtp_password", sizeof("smtp_password") - 1) : NULL;
    if (zv && Z_TYPE_P(zv) == IS_STRING) {
        c->smtp_password = zend_string_copy(Z_STR_P(zv));
    }
}

/* A new, unopened session for o in c; throws on failure. */
static int new_session(php_sqauth_connection *c, const php_sqauth_conn_options *o)
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
    php_sqauth_throw_session(c->session, err);
    sqauth_session_free(c->session);
    c->session = NULL;
}

/* Connection::open() proper; also used by SqAuth\detect(). */
int php_sqauth_connection_open(zval *out, zend_string *uri, HashTable *options, int whole_call)
{
    const sqauth_scheme *scheme;
    const sqauth_protocol *protocol;
    char host[256];
    unsigned port;
    php_sqauth_conn_options o;
    php_sqauth_connection *c;
    sqauth_error err;

    if (php_sqauth_parse_uri(uri, &scheme, &protocol, host, sizeof(host), &port) == FAILURE) {
        return FAILURE;
    }
    object_init_ex(out, php_sqauth_connection_ce);
    c = Z_CONNECTION_P(out);
    if (php_sqauth_conn_parse_options(options, 2, &o) == FAILURE) {
        goto fail;
    }
    o.core.protocol = protocol;
    o.core.host = host;
    o.core.port = port;
    o.core.tls_mode = o.tls_mode >= 0 ? (sqauth_tls_mode)o.tls_mode : scheme->tls_mode;
    if (new_session(c, &o) == FAILURE) {
        goto fail;
    }
    if (whole_call) {
        sqauth_session_begin_call(c->session);
    }
    sqauth_error_clear(&err);
    if (sqauth_session_open(c->session, &err) != SQAUTH_OK) {
        fail_session(c, &err);
        goto fail;
    }
    php_sqauth_keep_smtp_password(c, options);
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

    if (php_sqauth_connection_open(return_value, uri, options, 0) == FAILURE) {
        RETURN_THROWS();
    }
}

PHP_METHOD(SqAuth_Connection, fromStream)
{
    zval *zstream;
    zend_string *protocol_name;
    HashTable *options = NULL;
    php_stream *stream;
    php_socket_t fd;
    const sqauth_protocol *protocol;
    php_sqauth_conn_options o;
    php_sqauth_connection *c;
    sqauth_error err;
    size_t taken = 0;
    int flags, rc;

    ZEND_PARSE_PARAMETERS_START(2, 3)
        Z_PARAM_RESOURCE(zstream)
        Z_PARAM_STR(protocol_name)
        Z_PARAM_OPTIONAL
        Z_PARAM_ARRAY_HT(options)
    ZEND_PARSE_PARAMETERS_END();

    php_stream_from_zval(stream, zstream);
    if (!php_sqauth_plain_scheme(protocol_name, &protocol)) {
        RETURN_THROWS();
    }
    if (php_stream_cast(stream, PHP_STREAM_AS_SOCKETD, (void **)&fd, 0) != SUCCESS || fd < 0) {
        zend_argument_type_error(1, "must be a plaintext socket stream (from fsockopen() or stream_socket_client())");
        RETURN_THROWS();
    }
    object_init_ex(return_value, php_sqauth_connection_ce);
    c = Z_CONNECTION_P(return_value);
    if (php_sqauth_conn_parse_options(options, 3, &o) == FAILURE) {
        goto fail;
    }
    o.core.protocol = protocol;
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
    php_sqauth_keep_smtp_password(c, options);
    return;
fail:
    zval_ptr_dtor(return_value);
    ZVAL_UNDEF(return_value);
    RETURN_THROWS();
}

/* The methods that only report what the connection knows (protocol(),
 * greeting(), isEncrypted(), tlsInfo(), securityLayer(), transcript())
 * need the session: they work after a failure closed it for I/O, and
 * throw only after close(). */
#define FETCH_SESSION(c) \
    php_sqauth_connection *c = Z_CONNECTION_P(ZEND_THIS); \
    if (!c->session) { \
        zend_throw_exception(php_sqauth_connection_exception_ce, "the connection is closed", -SQAUTH_ERR_CLOSED); \
        RETURN_THROWS(); \
    }

/* The methods that may talk to the server need it open for I/O: after a
 * failure that closed it, the core's error says which failure. */
#define FETCH_OPEN(c) \
    FETCH_SESSION(c); \
    { \
        sqauth_error open_err_; \
        if (sqauth_session_check_open(c->session, &open_err_) != SQAUTH_OK) { \
            php_sqauth_throw(&open_err_, NULL, NULL, 0, NULL); \
            RETURN_THROWS(); \
        } \
    }

PHP_METHOD(SqAuth_Connection, protocol)
{
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_SESSION(c);
    RETURN_STRING(sqauth_protocol_name(sqauth_session_protocol(c->session)));
}

PHP_METHOD(SqAuth_Connection, greeting)
{
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_SESSION(c);
    RETURN_STRING(sqauth_session_greeting_text(c->session));
}

int php_sqauth_connection_ensure_caps(php_sqauth_connection *c)
{
    sqauth_error err;
    sqauth_error_clear(&err);
    if (sqauth_session_ensure_capabilities(c->session, &err) != SQAUTH_OK) {
        php_sqauth_throw_session(c->session, &err);
        return FAILURE;
    }
    return SUCCESS;
}

PHP_METHOD(SqAuth_Connection, capabilities)
{
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_OPEN(c);
    if (php_sqauth_connection_ensure_caps(c) == FAILURE) {
        RETURN_THROWS();
    }
    php_sqauth_capabilities_to_zval(c->session, return_value);
}

PHP_METHOD(SqAuth_Connection, mechanisms)
{
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_OPEN(c);
    if (php_sqauth_connection_ensure_caps(c) == FAILURE || php_sqauth_mechanisms_to_zval(c->session, return_value) == FAILURE) {
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
        /* The core closed the session for I/O if STARTTLS went out. */
        php_sqauth_throw_session(c->session, &err);
        RETURN_THROWS();
    }
}

PHP_METHOD(SqAuth_Connection, isEncrypted)
{
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_SESSION(c);
    RETURN_BOOL(sqauth_session_is_encrypted(c->session));
}

PHP_METHOD(SqAuth_Connection, tlsInfo)
{
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_SESSION(c);
    php_sqauth_tls_info_to_zval(c->session, return_value);
}

PHP_METHOD(SqAuth_Connection, securityLayer)
{
    const sqauth_sasl *l;
    const char *cipher;

    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_SESSION(c);
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
    FETCH_SESSION(c);
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

PHP_METHOD(SqAuth_Connection, stream)
{
    ZEND_PARSE_PARAMETERS_NONE();
    FETCH_OPEN(c);
    php_sqauth_connection_stream(c, return_value);
}

/* ---- logging in ---- */

sqauth_str php_sqauth_str_of(const zend_string *s)
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
    php_sqauth_token_source tokens;
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
    o.mechanism = php_sqauth_str_of(mech);
    o.sasl.authcid = php_sqauth_str_of(user);
    o.sasl.password = php_sqauth_str_of(password);
    php_sqauth_token_source_init(&tokens);
    if (!options || php_sqauth_parse_login_options(options, &o, &qop, &allowed, &tokens) == SUCCESS) {
        sqauth_session *s = c->session;
        sqauth_error_clear(&err);
        /* A token callable is the caller's code, run in the middle of the
         * login: to it the Connection looks closed (its methods throw,
         * close() and the stream do nothing), so it cannot pull the session
         * away from under the exchange. */
        if (tokens.set) {
            c->session = NULL;
        }
        rc = sqauth_login(s, &o, &err);
        c->session = s;
        if (tokens.bailout) {
            php_sqauth_token_source_done(&tokens);
            if (qop) {
                efree(qop);
            }
            if (allowed) {
                efree(allowed);
            }
            zend_bailout();
        }
        if (EG(exception)) {
            /* The callable's exception (or its wrong result's TypeError)
             * is the one to report. */
        } else if (rc == SQAUTH_ERR_INVALID_ARG) {
            /* The mechanism could not use what the caller gave (a missing
             * token, a 'realm' the server does not offer, ...): a SASL
             * failure, as from SaslClient, not a ValueError. */
            php_sqauth_throw_sasl(&err);
        } else if (rc != SQAUTH_OK) {
            php_sqauth_throw_session(c->session, &err);
        }
    }
    php_sqauth_token_source_done(&tokens);
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
    o.sasl.authcid = php_sqauth_str_of(user);
    o.sasl.password = php_sqauth_str_of(password);
    if (options) {
        zend_string *key;
        zval *zv;
        ZEND_HASH_FOREACH_STR_KEY_VAL(options, key, zv) {
            if (!key || !zend_string_equals_literal(key, "allow_plaintext")) {
                zend_argument_value_error(3, "may only have the key \"allow_plaintext\"");
                RETURN_THROWS();
            }
            if (php_sqauth_opt_bool(zv, &o.allow_plaintext, 3, "allow_plaintext") == FAILURE) {
                RETURN_THROWS();
            }
        } ZEND_HASH_FOREACH_END();
    }
    sqauth_error_clear(&err);
    if (sqauth_login(c->session, &o, &err) != SQAUTH_OK) {
        php_sqauth_throw_session(c->session, &err);
        RETURN_THROWS();
    }
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
        php_sqauth_throw_session(c->session, &err);
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
    php_sqauth_connection_ce->create_object = connection_create;
    memcpy(&connection_handlers, zend_get_std_object_handlers(), sizeof(zend_object_handlers));
    connection_handlers.offset = XtOffsetOf(php_sqauth_connection, std);
    connection_handlers.free_obj = connection_free;
    connection_handlers.clone_obj = NULL;
}
