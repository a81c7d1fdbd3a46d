/*
 * sqauth core: a protocol session (IMAP, POP3, SMTP, ManageSieve) on one
 * connection, as its callers see it: which protocols and URI schemes
 * exist, opening a session (TLS, greeting, STARTTLS, capabilities), its
 * state, and the session as a byte stream after login. Logging in is
 * sqauth_login() (policy.h). The session itself and the protocols' table
 * are private to the core (proto.h).
 */
#ifndef SQAUTH_SESSION_H
#define SQAUTH_SESSION_H

#include "../common.h"
#include "../conn.h"
#include "../sasl/sasl.h"

typedef struct sqauth_session sqauth_session;
/* A protocol: one file in src/core/proto/ and its entry in protocols.c. */
typedef struct sqauth_protocol sqauth_protocol;

/* How a session gets TLS: not at all (asked for by name), STARTTLS after
 * the greeting, or a handshake before the greeting. */
typedef enum {
    SQAUTH_TLS_NONE = 0,
    SQAUTH_TLS_STARTTLS = 1,
    SQAUTH_TLS_IMPLICIT = 2
} sqauth_tls_mode;

/* A URI scheme of a protocol: "imaps" is IMAP on port 993 with implicit TLS. */
typedef struct sqauth_scheme {
    const char *name;
    unsigned port;
    sqauth_tls_mode tls_mode;
} sqauth_scheme;

/* Every scheme of every protocol, in table order (for lists in messages). */
size_t sqauth_scheme_count(void);
const sqauth_scheme *sqauth_scheme_at(size_t i, const sqauth_protocol **protocol);
/* The scheme called name[0..len) (any case) and its protocol; NULL when none. */
const sqauth_scheme *sqauth_scheme_find(const char *name, size_t len, const sqauth_protocol **protocol);
/* The protocol called name ("imap", "pop3", "smtp", "sieve"); NULL when none. */
const sqauth_protocol *sqauth_protocol_find(const char *name);
const char *sqauth_protocol_name(const sqauth_protocol *p);

/* A capability as the server listed it: IMAP atoms have no value (the
 * whole atom, "AUTH=PLAIN", is the name); SMTP EHLO keywords, POP3 CAPA
 * tags and ManageSieve capabilities keep their parameters ("SIZE" /
 * "10240000"), value "" when none. */
typedef struct sqauth_capability {
    char *name;
    char *value;
} sqauth_capability;

typedef struct sqauth_transcript_line {
    char direction;          /* 'C' client, 'S' server */
    char *text;
} sqauth_transcript_line;

/* Everything a session is opened with. Strings are borrowed for the call
 * to sqauth_session_new(), which copies them (the session owns its copy:
 * it may outlive the caller's options, as a pooled connection would). */
typedef struct sqauth_session_options {
    const sqauth_protocol *protocol;
    const char *host;            /* name or address to connect to; for an adopted socket the server's name
                                    (SASL host, TLS name) or NULL */
    unsigned port;
    sqauth_tls_mode tls_mode;
    sqauth_tls_config tls;
    /* The settings tls.cafile and tls.capath came from when not from the
     * caller ("php.ini sqauth.cafile", see defaults.h), for the message of
     * a file that cannot be loaded; NULL = the caller's options. */
    const char *cafile_name, *capath_name;
    /* The deadline of each public call (open, STARTTLS, a login, a probe,
     * ...), however many reads and writes it makes; and the wait of each
     * read and write on the byte stream after login. 0 =
     * SQAUTH_CONN_DEFAULT_TIMEOUT_MS. */
    int timeout_ms;
    /* Connecting (TCP) may take this long, and no longer than the open's
     * deadline either. 0 = SQAUTH_CONN_DEFAULT_TIMEOUT_MS. */
    int connect_timeout_ms;
    const char *helo;            /* SMTP EHLO argument; NULL = our address literal */
    int transcript;              /* keep a transcript (secrets redacted) */
    int skip_greeting;           /* an adopted socket whose greeting the caller has read */
    /* The seed's smtp_sitewide_user/pass: on a protocol that takes a
     * site-wide account (SMTP), logins use it instead of the caller's
     * (data NULL = none). */
    sqauth_str sitewide_user, sitewide_password;
} sqauth_session_options;

/* Defaults: the first protocol of the table (IMAP), STARTTLS, TLS
 * defaults (verification on), default timeouts, the greeting read. */
void sqauth_session_options_init(sqauth_session_options *o);

/* A session that is not connected yet (no I/O). */
int sqauth_session_new(sqauth_session **out, const sqauth_session_options *o, sqauth_error *err);
/* Frees the session and its connection. */
void sqauth_session_free(sqauth_session *s);

/* Timeouts. Every function below that talks to the server is one call
 * with one deadline: timeout_ms from when it starts, for all its reads,
 * writes, the TLS handshake and (for open) the connect, which also has
 * connect_timeout_ms. A server that drips bytes gets SQAUTH_ERR_TIMEOUT
 * when the deadline passes ("... the call's 'timeout' of N s has
 * passed"). The byte stream after login (sqauth_session_read_available(),
 * _write()) has no call: each of its waits has the timeout on its own, as
 * PHP's streams do. */

/* Several of the calls below as one, with one deadline (SqAuth\detect():
 * open, capabilities, probes, logout): the calls in between share it.
 * Before sqauth_session_open() too. Pairs nest. */
void sqauth_session_begin_call(sqauth_session *s);
void sqauth_session_end_call(sqauth_session *s);

/* After a failure. A failure that leaves the conversation with the
 * server in an unknown state closes the session for I/O: a timeout, the
 * server closing, a TLS error, an unexpected or malformed reply, a
 * security layer that failed its checks, a server that did not prove
 * itself, any failure of STARTTLS once the command was sent. Failures that
 * keep the conversation in step leave it open: one that happens before
 * anything is sent (policy refusals, bad arguments, STARTTLS not offered),
 * a login the server refused, a client-side SASL failure the server
 * answered after its cancel. A session closed for I/O keeps what it knows
 * (protocol, greeting, capabilities, TLS details, transcript); every call
 * that would talk to the server fails with SQAUTH_ERR_CLOSED, "the
 * connection is closed after an earlier failure: <that failure>". */

/* SQAUTH_OK while the session can talk to the server; else the
 * SQAUTH_ERR_CLOSED error above (or "the connection is not open"). */
int sqauth_session_check_open(const sqauth_session *s, sqauth_error *err);
/* The failure that closed the session for I/O; NULL while it is open. */
const sqauth_error *sqauth_session_closed_reason(const sqauth_session *s);

/* Connects to the options' host and port, then what every session does
 * first: the TLS handshake for implicit TLS, the greeting, then STARTTLS
 * (which must be offered, see sqauth_session_starttls()) or the
 * capabilities. After a failure the session is closed for I/O, but its
 * error details (sqauth_session_tls_failure(), _response()) and transcript
 * stay readable until it is freed. */
int sqauth_session_open(sqauth_session *s, sqauth_error *err);
/* The same over a socket someone else connected (not closed by the
 * session; it must be non-blocking). buffered/buffered_len: bytes the
 * previous reader already took off the socket, which belong to the
 * server's next reply; *taken says how many the session took (may be NULL). */
int sqauth_session_open_socket(sqauth_session *s, int fd, const void *buffered, size_t buffered_len, size_t *taken,
                               sqauth_error *err);

/* Reads the capabilities again (CAPABILITY, EHLO, CAPA). */
int sqauth_session_capabilities(sqauth_session *s, sqauth_error *err);
/* Reads the capabilities when they are not known (after a login). */
int sqauth_session_ensure_capabilities(sqauth_session *s, sqauth_error *err);
/* STARTTLS/STLS with the session's TLS options: refuses when not offered
 * (before the command is sent; so is a CA file from a setting, see
 * sqauth_session_options.cafile_name, that cannot be loaded),
 * when refused (the server's reply in sqauth_session_response()), and when
 * any byte follows the positive reply before the handshake (response
 * injection, CVE-2011-0411 class); then the handshake and a fresh
 * capability list. A failure once the command is sent closes the session
 * for I/O; "not offered" and "TLS is already active" leave it as it was. */
int sqauth_session_starttls(sqauth_session *s, sqauth_error *err);
/* The polite goodbye (LOGOUT, QUIT); nothing on a closed session. */
void sqauth_session_logout(sqauth_session *s);

/* Asks whether the server answers an AUTHENTICATE/AUTH for mech without
 * logging in: sends the command, and when a challenge comes, cancels.
 * *answers = 1 when a challenge came (mechanism usable). *challenge gets
 * the first challenge, decoded, when it is not NULL. */
int sqauth_session_probe(sqauth_session *s, const char *mech, int *answers, sqauth_buf *challenge, sqauth_error *err);

/* ---- state, for the binding (which never reads the struct) ---- */
const sqauth_protocol *sqauth_session_protocol(const sqauth_session *s);
sqauth_tls_mode sqauth_session_tls_mode(const sqauth_session *s);
const char *sqauth_session_greeting_text(const sqauth_session *s); /* "" before the greeting */
/* 1 when the protocol's capabilities are bare atoms (IMAP: "AUTH=PLAIN"),
 * 0 when they are keywords with parameters (EHLO, CAPA, ManageSieve). */
int sqauth_session_caps_are_atoms(const sqauth_session *s);
size_t sqauth_session_capability_count(const sqauth_session *s);
const sqauth_capability *sqauth_session_capability(const sqauth_session *s, size_t i);
/* 1 when STARTTLS was used on the session or the server offers it. */
int sqauth_session_has_starttls(const sqauth_session *s);
/* 1 when the server says the protocol's login command would be refused
 * now: IMAP LOGINDISABLED, a POP3 CAPA list without USER. */
int sqauth_session_login_disabled(const sqauth_session *s);
/* Mechanisms the server lists (IMAP AUTH=, SMTP AUTH, POP3 and ManageSieve
 * SASL), upper case, in the server's order, into a NULL-terminated array
 * the caller frees with sqauth_session_free_list(). */
int sqauth_session_mechanisms(const sqauth_session *s, char ***out, size_t *count, sqauth_error *err);
void sqauth_session_free_list(char **list, size_t count);
/* 0 once the session was closed for I/O (see "After a failure"), or
 * before it is opened. */
int sqauth_session_is_open(const sqauth_session *s);
int sqauth_session_is_authenticated(const sqauth_session *s);
int sqauth_session_is_encrypted(const sqauth_session *s);
int sqauth_session_tls_info(const sqauth_session *s, sqauth_tls_info *info);
/* The negotiated SASL security layer, or NULL. */
const sqauth_sasl *sqauth_session_layer(const sqauth_session *s);
size_t sqauth_session_transcript_count(const sqauth_session *s);
const sqauth_transcript_line *sqauth_session_transcript_line(const sqauth_session *s, size_t i);

/* Details of the last failure: the TLS failure (OpenSSL errors, verify
 * result, alert), the server's reply and its response code ("" when none). */
const sqauth_tls_failure *sqauth_session_tls_failure(const sqauth_session *s);
sqauth_str sqauth_session_response(const sqauth_session *s);
const char *sqauth_session_response_code(const sqauth_session *s);

/* ---- the session as a byte stream, after login (the PHP stream) ---- */
/* See sqauth_conn_read_available(). A failure other than a timeout (a
 * security layer's check, a TLS error) closes the session for I/O; the
 * end of the stream is not a failure. */
int sqauth_session_read_available(sqauth_session *s, void *buf, size_t len, int may_wait, size_t *got, int *at_end,
                                  sqauth_error *err);
int sqauth_session_write(sqauth_session *s, const void *p, size_t n, sqauth_error *err);
/* The wait of each stream read and write from now on (stream_set_timeout());
 * the calls' deadlines keep the session's timeout. */
void sqauth_session_set_stream_timeout(sqauth_session *s, int timeout_ms);
/* The socket for select(), -1 before the session is opened. */
int sqauth_session_socket(const sqauth_session *s);
/* 1 once the server ended the stream (or before the session is opened). */
int sqauth_session_at_eof(const sqauth_session *s);

#endif
