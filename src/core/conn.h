/*
 * sqauth core: one connection to a mail server: a socket, optional TLS,
 * buffered reads with deadlines and size limits. Knows nothing of IMAP,
 * SMTP or POP3 (see proto/).
 */
#ifndef SQAUTH_CONN_H
#define SQAUTH_CONN_H

#include <sys/types.h>

#include "common.h"
#include "tls/tls.h"
#include "sasl/sasl.h"

#define SQAUTH_CONN_DEFAULT_TIMEOUT_MS 30000
/* Longest protocol line accepted (RFC 5321 allows 512 for replies; IMAP
 * CAPABILITY lines and greetings can be long). */
#define SQAUTH_CONN_MAX_LINE 65536

/* The deadline of one public call (Connection::open(), authenticate(),
 * ...): every wait the call makes ends by `at`, however many waits there
 * are, so a server that drips one byte at a time cannot hold the caller
 * longer than the call's timeout. */
typedef struct sqauth_deadline {
    int64_t at;                  /* sqauth_now_ms() scale; 0 = no call in progress */
    int timeout_ms;              /* the timeout it was made from, for messages */
} sqauth_deadline;

typedef struct sqauth_conn {
    int fd;
    int owns_fd;                 /* close fd when the connection ends */
    pid_t owner;                 /* the process that made it (see sqauth_conn_is_owner()) */
    SSL *ssl;
    sqauth_tls_ctx *tls_ctx;
    int timeout_ms;              /* each wait outside a call: the PHP stream's reads and writes */
    sqauth_deadline call;        /* inside a call, every wait ends by call.at instead */
    unsigned long io_count;      /* reads and writes begun: a call that made none left the conversation as it was */
    int spoke_last;              /* the last socket operation was a write: the next read waits first */
    int shut;                    /* sqauth_conn_shutdown() ended it: no close_notify at the end */
    unsigned port;               /* the server's port (0: an adopted socket that is not TCP) */
    char *session_key;           /* TLS sessions are cached under "port name" */
    unsigned char rbuf[16384];
    size_t rpos, rlen;
    size_t rhigh;                /* highest rlen so far: what to wipe at the end */
    int eof;
    int eof_errno;               /* the end was a reset (ECONNRESET, EPIPE), 0 for an orderly end */
    int close_notify;            /* the end came with the server's close_notify */
    sqauth_tls_failure tls_failure; /* filled when a call returns SQAUTH_ERR_TLS */
    /* SASL security layer (DIGEST-MD5 auth-int/auth-conf), owned once set:
     * everything written is wrapped, everything read unwrapped. */
    sqauth_sasl *layer;
    sqauth_buf layer_in;         /* wrapped bytes not yet unwrapped */
    sqauth_buf layer_out;        /* plaintext not yet moved into rbuf */
    size_t layer_out_pos;
    int layer_need_more;         /* layer_in holds only an incomplete buffer */
} sqauth_conn;

/* Connects within connect_timeout_ms, or by call->at when that comes
 * first (call may be NULL); the connection then waits within the call's
 * deadline until sqauth_conn_set_deadline() ends it, and timeout_ms for
 * each wait after that. */
int sqauth_conn_open(sqauth_conn **out, const char *host, unsigned port, int connect_timeout_ms,
                     int timeout_ms, const sqauth_deadline *call, sqauth_error *err);
/* Wraps an already connected socket (not closed by sqauth_conn_free()). */
int sqauth_conn_adopt(sqauth_conn **out, int fd, int timeout_ms, sqauth_error *err);

/* TLS handshake on the connection: certificate chain and host name checks,
 * SNI (not for IP literals), optional sha256 pinning, session resumption
 * (cfg->session_resumption). host is the name connected to; cfg->peer_name
 * overrides it. ca_source names the setting cfg's CA file or directory
 * came from ("php.ini sqauth.cafile"), NULL when the caller gave them or
 * none is set: a chain that does not verify is reported against it. On
 * SQAUTH_ERR_TLS the details are in c->tls_failure. */
int sqauth_conn_start_tls(sqauth_conn *c, const sqauth_tls_config *cfg, const char *host, const char *ca_source,
                          sqauth_error *err);

/* Bytes read from the socket but not consumed yet. STARTTLS uses this to
 * detect data injected before the handshake. */
size_t sqauth_conn_buffered(const sqauth_conn *c);

/* Reads one line (without CRLF or LF) into line (reset first). Lines longer
 * than max_len give SQAUTH_ERR_PROTOCOL. */
int sqauth_conn_read_line(sqauth_conn *c, sqauth_buf *line, size_t max_len, sqauth_error *err);
/* Reads exactly n bytes (IMAP literals). */
int sqauth_conn_read_exact(sqauth_conn *c, sqauth_buf *out, size_t n, sqauth_error *err);
/* Reads what is available (at least one byte, waiting up to the timeout);
 * *got = 0 only at end of stream. */
int sqauth_conn_read_some(sqauth_conn *c, void *buf, size_t len, size_t *got, sqauth_error *err);
/* For a stream reader (the PHP stream): everything already decrypted or
 * unwrapped, up to len bytes, and at least one byte. may_wait = 1 waits up
 * to the timeout for the first byte; may_wait = 0 never waits, not even for
 * the rest of a TLS record or security-layer buffer that has partly
 * arrived (SQAUTH_ERR_TIMEOUT at once when nothing is there). *at_end = 1
 * once the server ended the stream in order (a TLS close_notify is not
 * required); a reset is SQAUTH_ERR_CLOSED. On an error *got counts the
 * bytes read before it. */
int sqauth_conn_read_available(sqauth_conn *c, void *buf, size_t len, int may_wait, size_t *got, int *at_end,
                               sqauth_error *err);
int sqauth_conn_write_all(sqauth_conn *c, const void *p, size_t n, sqauth_error *err);
/* 1 when a read would not block (buffered data or TLS record pending). */
int sqauth_conn_has_pending(const sqauth_conn *c);
/* Takes n bytes another reader of the socket had already buffered (PHP's
 * read-ahead before fromStream()) as the first bytes from the server;
 * returns how many fit. */
size_t sqauth_conn_preload(sqauth_conn *c, const void *p, size_t n);
/* The wait allowed for each read and write outside a call from now on (at
 * least 1 ms): a PHP stream's stream_set_timeout(). */
void sqauth_conn_set_timeout(sqauth_conn *c, int timeout_ms);
/* Starts (call->at != 0) or ends (NULL or at == 0) a call's deadline:
 * while it runs, every wait ends by call->at, and a read or write begun
 * after it fails at once, even with bytes at hand; the message then says
 * "the call's 'timeout' of N s has passed". */
void sqauth_conn_set_deadline(sqauth_conn *c, const sqauth_deadline *call);
/* The socket, for select() only: reading or writing it would bypass TLS
 * and the security layer. */
int sqauth_conn_socket(const sqauth_conn *c);
/* For select() on a stream whose connection is gone (released, closed): a
 * descriptor that is always readable and reads as the end, as a socket
 * whose peer closed would. One per process, made on first use and kept;
 * -1 when it cannot be made. */
int sqauth_conn_ended_fd(void);
int sqauth_conn_at_eof(const sqauth_conn *c);
int sqauth_conn_is_encrypted(const sqauth_conn *c);
/* 1 when this process made the connection. A child of fork() shares the
 * socket and a copy of the TLS state with its parent: whatever it sent
 * (a LOGOUT, a close_notify) would break the parent's conversation, so it
 * never does (sqauth_conn_free() sends nothing there either). */
int sqauth_conn_is_owner(const sqauth_conn *c);
/* 1 when nothing from the server is waiting anywhere: no byte buffered
 * (ours, OpenSSL's, the security layer's, a partial buffer), not at the
 * end of the stream, and nothing readable on the socket. A readable socket
 * is read without waiting: only TLS records that carry no data (a session
 * ticket) leave it quiet; data, an end of stream or an error do not (the
 * bytes read are consumed: the caller drops such a connection). */
int sqauth_conn_is_quiet(sqauth_conn *c);
/* Ends the conversation in both directions at once (an untrusted server,
 * or one whose state is unknown after a failure, gets nothing more, not
 * even a TLS close_notify); the connection stays allocated, and what it
 * knows (TLS details) readable. */
void sqauth_conn_shutdown(sqauth_conn *c);

int sqauth_conn_tls_info(const sqauth_conn *c, sqauth_tls_info *info);

/* TLS channel-binding data for SCRAM -PLUS (RFC 5056): type is
 * "tls-exporter" (RFC 9266, TLS 1.3), "tls-unique" (RFC 5929, TLS 1.2 and
 * lower) or "tls-server-end-point" (RFC 5929); NULL picks the one that fits
 * the protocol version (tls-exporter for TLS 1.3, else tls-unique).
 * *type_out names the type used. */
int sqauth_conn_channel_binding(const sqauth_conn *c, const char *type, const char **type_out, sqauth_buf *out,
                                sqauth_error *err);

/* Installs the negotiated SASL security layer (takes ownership of s). */
int sqauth_conn_set_layer(sqauth_conn *c, sqauth_sasl *s, sqauth_error *err);

/* Sends close_notify when TLS is up, closes an owned socket, frees. */
void sqauth_conn_free(sqauth_conn *c);

#endif
