/*
 * What the files of SqAuth\Connection share (src/php/connection*.c,
 * detect.c): the object, the options converted for the core, and the
 * helpers each file offers the others. Not a PHP header for anyone else.
 */
#ifndef PHP_SQAUTH_CONNECTION_H
#define PHP_SQAUTH_CONNECTION_H

#include "php_sqauth_internal.h"
#include "../core/policy.h"
#include "../core/defaults.h"

typedef struct {
    sqauth_session *session;     /* NULL once closed */
    /* The caller's site-wide SMTP password: the session keeps (and wipes)
     * its own copy; this reference only lets the string be wiped when the
     * Connection is the last to hold it. */
    zend_string *smtp_password;
    zend_resource *stream;       /* weak: the stream holds a reference to us, not the other way */
    /* What PHP had read ahead into a stream the caller let go of without
     * fclose() (fgets($c->stream())): the next stream() starts with it. */
    zend_string *stream_read_ahead;
    zval adopted;                /* the PHP stream adopted by fromStream(), kept open */
    int pooled;                  /* from pooled()/pooledLogin(): release() hands it to the pool */
    int reused;                  /* ... and it came from the pool, logged in by an earlier request */
    zend_object std;
} php_sqauth_connection;

static inline php_sqauth_connection *php_sqauth_connection_from_obj(zend_object *obj)
{
    return (php_sqauth_connection *)((char *)obj - XtOffsetOf(php_sqauth_connection, std));
}

#define Z_CONNECTION_P(zv) php_sqauth_connection_from_obj(Z_OBJ_P(zv))

/* ---- connection.c ---- */
/* The exception for a failed session call, with what the session knows
 * about the failure: the TLS details, the server's reply and its code. */
void php_sqauth_throw_session(const sqauth_session *s, const sqauth_error *err);
/* Connection::open() proper (also SqAuth\detect()): out gets the object.
 * whole_call: the open is the start of a longer public call (detect())
 * that shares its deadline; the caller ends it with
 * sqauth_session_end_call() on the object's session (or frees it). */
int php_sqauth_connection_open(zval *out, zend_string *uri, HashTable *options, int whole_call);
/* Reads the capabilities when they are not known; throws on failure. */
int php_sqauth_connection_ensure_caps(php_sqauth_connection *c);
/* Keeps a reference to the caller's site-wide SMTP password ('smtp_password'
 * in options) for the session's lifetime (also connection_pool.c). */
void php_sqauth_keep_smtp_password(php_sqauth_connection *c, HashTable *options);
/* A PHP string as the core's borrowed string. */
sqauth_str php_sqauth_str_of(const zend_string *s);

/* ---- connection_options.c: Connection::open()/fromStream() options ---- */
typedef struct {
    sqauth_session_options core; /* strings borrowed from the options array */
    int tls_mode;                /* -1 = the scheme's */
    int read_greeting;
} php_sqauth_conn_options;

/* ht is argument number arg of the call (for argument errors). */
int php_sqauth_conn_parse_options(HashTable *ht, uint32_t arg, php_sqauth_conn_options *o);
/* A bool option (TypeError naming key, as argument arg). */
int php_sqauth_opt_bool(zval *zv, int *out, uint32_t arg, const char *key);
/* 1 when key is one of open()'s options. */
int php_sqauth_conn_option_known(zend_string *key);

/* scheme://host[:port][/] with a scheme of the core's protocol table;
 * ValueError (argument 1) when it is not one. */
int php_sqauth_parse_uri(zend_string *uri, const sqauth_scheme **scheme, const sqauth_protocol **protocol,
                         char *host, size_t host_size, unsigned *port);
/* fromStream()'s protocol name: a scheme whose TLS comes with STARTTLS;
 * ValueError (argument 2) when it is not one. */
const sqauth_scheme *php_sqauth_plain_scheme(zend_string *name, const sqauth_protocol **protocol);
/* authenticate()'s 'token' given as a callable, fn(bool $refresh): string:
 * the source the core asks for tokens (sqauth_login_options.token_fn). */
typedef struct {
    zend_fcall_info fci;
    zend_fcall_info_cache fcc;
    int set;                     /* a callable was given */
    zval token;                  /* what it returned last, kept until the login ends */
    int bailout;                 /* it ended in a fatal error: rethrown once the core has cleaned up */
} php_sqauth_token_source;

/* Initialises t (no callable); php_sqauth_token_source_done() releases it. */
void php_sqauth_token_source_init(php_sqauth_token_source *t);
void php_sqauth_token_source_done(php_sqauth_token_source *t);
/* sqauth_login_options.token_fn for t (ctx): calls the callable with
 * $refresh; a PHP exception (its own, or a TypeError for a result that is
 * not a string) is left pending and reported by the caller. */
int php_sqauth_token_source_call(void *ctx, int refresh, sqauth_str *token, sqauth_error *err);

/* authenticate()'s options into o (a callable 'token' into tokens). *qop
 * and *allowed are emalloc'ed lists the caller efree()s, also after a
 * failure. */
int php_sqauth_parse_login_options(HashTable *options, sqauth_login_options *o, const char ***qop,
                                   sqauth_str **allowed, php_sqauth_token_source *tokens);

/* pooled()'s, pooledLogin()'s and forgetPooled()'s one array (argument
 * arg): the pool's own option ('reuse'), open()'s options and the login's
 * (authenticate()'s, with 'token' a string only, or login()'s), split by
 * key. Strings are borrowed from the two parts, which live until
 * php_sqauth_pooled_options_free() (also after a failure). */
typedef struct {
    int reuse;                   /* 'reuse' (default 1): 0, the server judges this login now */
    php_sqauth_conn_options conn;
    sqauth_login_options login;
    const char **qop;
    sqauth_str *allowed;
    HashTable *open_part, *login_part;
} php_sqauth_pooled_options;

int php_sqauth_pooled_parse_options(HashTable *options, uint32_t arg, sqauth_login_method method,
                                    php_sqauth_pooled_options *p);
void php_sqauth_pooled_options_free(php_sqauth_pooled_options *p);

/* ---- settings.c: the php.ini settings connections fall back on ---- */
/* The current values, borrowed from PHP's settings for the request. */
void php_sqauth_settings_read(sqauth_site_defaults *site);

/* ---- detect.c: what a server offers, as PHP values ---- */
void php_sqauth_capabilities_to_zval(const sqauth_session *s, zval *out);
int php_sqauth_mechanisms_to_zval(const sqauth_session *s, zval *out);
void php_sqauth_tls_info_to_zval(const sqauth_session *s, zval *out);

/* ---- connection_stream.c ---- */
/* Connection::stream(): the PHP stream over c's session (one per Connection). */
void php_sqauth_connection_stream(php_sqauth_connection *c, zval *return_value);
/* 1 when c's stream (if any) holds no byte the caller has not read. */
int php_sqauth_connection_stream_drained(const php_sqauth_connection *c);
/* Ends c's session the way its kind ends: a pooled one is logged out
 * (its state is unknown), another freed. */
void php_sqauth_connection_end(php_sqauth_connection *c);

#endif
