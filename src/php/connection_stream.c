/*
 * The PHP stream of a SqAuth\Connection (Connection::stream()): existing
 * code goes on with fgets()/fputs() after the login, through TLS and any
 * SASL security layer. Kept apart from the class the way php-src keeps
 * ext/openssl/xp_ssl.c apart from openssl.c; it drives the session only
 * through core functions.
 */
#include "connection.h"

#include "php_network.h"

typedef struct {
    zend_object *owner;          /* counted reference to the Connection */
    int timed_out;
    int blocking;
} conn_stream_data;


static php_sqauth_connection *stream_owner(php_stream *stream)
{
    conn_stream_data *d = stream->abstract;
    return d && d->owner ? php_sqauth_connection_from_obj(d->owner) : NULL;
}

/* A PHP stream can only say "false" or "EOF": the reason (a failed
 * integrity check of the security layer, a TLS error) closes the session
 * in the core, which keeps it: the next Connection method that talks to
 * the server throws it, and the stream's metadata shows it. */

static int stream_usable(const php_sqauth_connection *c)
{
    return c && c->session && sqauth_session_is_open(c->session);
}

static ssize_t conn_stream_write(php_stream *stream, const char *buf, size_t count)
{
    php_sqauth_connection *c = stream_owner(stream);
    sqauth_error err;

    /* After a failure (a broken security layer, a truncated buffer)
     * nothing more is sent: the session is closed for I/O. */
    if (!stream_usable(c)) {
        return -1;
    }
    if (sqauth_session_write(c->session, buf, count, &err) != SQAUTH_OK) {
        if (err.code == SQAUTH_ERR_TIMEOUT) {
            ((conn_stream_data *)stream->abstract)->timed_out = 1;
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
        return got ? (ssize_t)got : -1;
    }
    if (at_end) {
        stream->eof = 1;
    }
    return (ssize_t)got;
}

/* Whether the stream goes because nothing refers to it any more, as in
 * fgets($c->stream()), rather than by fclose() or at the end of the
 * request: PHP frees a resource whose count fell to 0, and closes one that
 * something still holds. */
static int stream_let_go(const php_stream *stream)
{
    return stream->res && GC_REFCOUNT(stream->res) == 0;
}

static int conn_stream_close(php_stream *stream, int close_handle)
{
    conn_stream_data *d = stream->abstract;
    php_sqauth_connection *c = stream_owner(stream);

    (void)close_handle;
    if (c) {
        c->stream = NULL;
        if (stream_let_go(stream) && GC_REFCOUNT(d->owner) > 1) {
            /* The caller still holds the Connection: it goes on (a pooled
             * one can still be released, a failed one still names its
             * failure), and the bytes PHP had read ahead wait for its next
             * stream(). */
            size_t ahead = stream->writepos - stream->readpos;
            if (ahead) {
                c->stream_read_ahead = zend_string_init((const char *)stream->readbuf + stream->readpos, ahead, 0);
            }
        } else {
            /* fclose() on the stream ends the session, as it would for a socket. */
            php_sqauth_connection_end(c);
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

    int fd;

    /* Only for select(): reading or writing the raw socket would bypass TLS.
     * Without a session the stream reads as ended, and select() says so. */
    if (castas != PHP_STREAM_AS_FD_FOR_SELECT) {
        return FAILURE;
    }
    fd = c && c->session ? sqauth_session_socket(c->session) : sqauth_conn_ended_fd();
    if (fd < 0) {
        return FAILURE;
    }
    if (ret) {
        *(php_socket_t *)ret = fd;
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
            sqauth_session_set_stream_timeout(c->session, ms < 1 ? 1 : ms > 0x7fffffff ? 0x7fffffff : (int)ms);
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
        /* Why the connection was closed for I/O, if a failure did (a stream
         * can only say false/EOF itself): that failure's code (as an
         * exception code) and message. */
        if (c && c->session && sqauth_session_closed_reason(c->session)) {
            const sqauth_error *why = sqauth_session_closed_reason(c->session);
            zval e;
            array_init(&e);
            add_assoc_long(&e, "code", -(zend_long)why->code);
            add_assoc_string(&e, "message", (char *)why->message);
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

void php_sqauth_connection_stream(php_sqauth_connection *c, zval *return_value)
{
    conn_stream_data *d;
    php_stream *stream;

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
        return;
    }
    stream->flags |= PHP_STREAM_FLAG_NO_SEEK;
    php_stream_set_option(stream, PHP_STREAM_OPTION_SET_CHUNK_SIZE, 32768, NULL);
    if (c->stream_read_ahead) {
        /* In PHP's own buffer, where fgets() and stream_select() look first. */
        size_t ahead = ZSTR_LEN(c->stream_read_ahead);
        stream->readbuf = pemalloc(ahead, stream->is_persistent);
        memcpy(stream->readbuf, ZSTR_VAL(c->stream_read_ahead), ahead);
        stream->readbuflen = ahead;
        stream->readpos = 0;
        stream->writepos = (zend_off_t)ahead;
        zend_string_release(c->stream_read_ahead);
        c->stream_read_ahead = NULL;
    }
    c->stream = stream->res;
    php_stream_to_zval(stream, return_value);
}


int php_sqauth_connection_stream_drained(const php_sqauth_connection *c)
{
    const php_stream *stream = c->stream ? (const php_stream *)c->stream->ptr : NULL;
    return (!stream || stream->writepos == stream->readpos) && !c->stream_read_ahead;
}
