/*
 * sqauth core: a protocol session (IMAP, POP3 or SMTP) on one connection:
 * greeting, capabilities, STARTTLS and the transcript. The protocol files
 * (imap.c, pop3.c, smtp.c) fill a small table of operations; everything
 * they share lives in session.c.
 */
#ifndef SQAUTH_SESSION_H
#define SQAUTH_SESSION_H

#include "../common.h"
#include "../conn.h"
#include "../sasl/sasl.h"

typedef enum {
    SQAUTH_PROTO_IMAP = 1,
    SQAUTH_PROTO_POP3 = 2,
    SQAUTH_PROTO_SMTP = 3
} sqauth_proto_kind;

/* A capability as the server listed it: IMAP atoms have no value (the
 * whole atom, "AUTH=PLAIN", is the name); SMTP EHLO keywords and POP3 CAPA
 * tags keep their parameters ("SIZE" / "10240000"), value "" when none. */
typedef struct sqauth_capability {
    char *name;
    char *value;
} sqauth_capability;

typedef struct sqauth_transcript_line {
    char direction;          /* 'C' client, 'S' server */
    char *text;
} sqauth_transcript_line;

#define SQAUTH_MAX_CAPABILITIES 512
#define SQAUTH_MAX_REPLY_LINES 1000
#define SQAUTH_MAX_TRANSCRIPT 2000

typedef struct sqauth_session sqauth_session;

/* One server reply during a SASL exchange, whatever the protocol. */
typedef enum {
    SQAUTH_AUTH_CONTINUE = 1,    /* IMAP "+ ", SMTP 334, POP3 "+ ": data is base64 */
    SQAUTH_AUTH_SUCCESS,         /* IMAP tagged OK, SMTP 235, POP3 +OK */
    SQAUTH_AUTH_FAILURE          /* anything else final; code says why */
} sqauth_auth_status;

typedef struct sqauth_auth_reply {
    sqauth_auth_status status;
    const char *data;            /* CONTINUE: the base64 text (points into s->line) */
    size_t data_len;
    char code[64];               /* FAILURE: "AUTHENTICATIONFAILED", "535 5.7.8", "AUTH"; "" when none */
} sqauth_auth_reply;

typedef struct sqauth_proto_ops {
    const char *name;            /* "imap", "pop3", "smtp" */
    const char *starttls_capability; /* "STARTTLS" / "STLS" */
    int (*greeting)(sqauth_session *s, sqauth_error *err);
    int (*capabilities)(sqauth_session *s, sqauth_error *err);
    /* Sends the STARTTLS command and reads the positive reply. */
    int (*starttls)(sqauth_session *s, sqauth_error *err);
    /* Polite goodbye (LOGOUT, QUIT); errors ignored by the caller. */
    int (*logout)(sqauth_session *s, sqauth_error *err);

    /* SASL framing, driven by the one state machine in auth.c. */
    const char *sasl_ir_capability; /* IMAP "SASL-IR"; NULL when initial responses are always allowed */
    size_t max_ir_command;       /* longest AUTH command that may carry an initial response */
    /* Sends the AUTHENTICATE/AUTH command; ir is base64, "=" for an empty
     * one, or NULL for none. */
    int (*auth_command)(sqauth_session *s, const char *mech, const char *ir, sqauth_error *err);
    int (*auth_reply)(sqauth_session *s, sqauth_auth_reply *r, sqauth_error *err);
    /* IMAP LOGIN, POP3 USER/PASS; NULL for SMTP. */
    int (*login)(sqauth_session *s, const char *user, size_t user_len, const char *pass, size_t pass_len,
                 sqauth_auth_reply *r, sqauth_error *err);
} sqauth_proto_ops;

/* How a session gets TLS: not at all (asked for by name), STARTTLS after
 * the greeting, or a handshake before the greeting. */
typedef enum {
    SQAUTH_TLS_NONE = 0,
    SQAUTH_TLS_STARTTLS = 1,
    SQAUTH_TLS_IMPLICIT = 2
} sqauth_tls_mode;

/* Everything a session is opened with. Strings are borrowed for the call
 * to sqauth_session_new(), which copies them (the session owns its copy:
 * it may outlive the caller's options, as a pooled connection would). */
typedef struct sqauth_session_options {
    sqauth_proto_kind kind;
    const char *host;            /* name or address to connect to; for an adopted socket the server's name
                                    (SASL host, TLS name) or NULL */
    unsigned port;
    sqauth_tls_mode tls_mode;
    sqauth_tls_config tls;
    int timeout_ms;              /* each read and write; 0 = SQAUTH_CONN_DEFAULT_TIMEOUT_MS */
    int connect_timeout_ms;      /* 0 = SQAUTH_CONN_DEFAULT_TIMEOUT_MS */
    const char *helo;            /* SMTP EHLO argument; NULL = our address literal */
    int transcript;              /* keep a transcript (secrets redacted) */
    int skip_greeting;           /* an adopted socket whose greeting the caller has read */
    /* The seed's smtp_sitewide_user/pass: on SMTP, logins use this
     * account instead of the caller's (data NULL = none). */
    sqauth_str sitewide_user, sitewide_password;
} sqauth_session_options;

/* Defaults: STARTTLS, TLS defaults (verification on), default timeouts,
 * the greeting read. */
void sqauth_session_options_init(sqauth_session_options *o);

struct sqauth_session {
    sqauth_conn *conn;           /* NULL until opened */
    const sqauth_proto_ops *ops;
    sqauth_proto_kind kind;
    sqauth_tls_mode tls_mode;
    sqauth_tls_config tls;       /* owned copy of the options' */
    unsigned port;
    int timeout_ms, connect_timeout_ms;
    int skip_greeting;
    char *sitewide_user;         /* owned; NULL = none */
    char *sitewide_password;     /* owned, wiped */
    size_t sitewide_user_len, sitewide_password_len;
    char *host;                  /* name connected to (TLS name checks) */
    char *helo;                  /* SMTP EHLO/HELO argument; NULL = address literal */
    char *greeting;
    sqauth_capability *caps;
    size_t cap_count;
    int caps_known;
    unsigned tag;                /* IMAP tag counter */
    int transcript_on;
    sqauth_transcript_line *transcript;
    size_t transcript_count;
    char auth_tag[16];           /* IMAP: the tag of the AUTHENTICATE in progress */
    int authenticated;
    int starttls_done;           /* STARTTLS was offered and used */
    int closed;                  /* nothing more goes over the connection (an unproven server) */
    sqauth_buf line;             /* scratch: the last line read */
    sqauth_buf response;         /* the last complete server reply, for errors */
    char reply_code[64];         /* the response code of the last refused login ("" = none) */
};

/* A session that is not connected yet (no I/O). */
int sqauth_session_new(sqauth_session **out, const sqauth_session_options *o, sqauth_error *err);
/* Frees the session and its connection. */
void sqauth_session_free(sqauth_session *s);

/* Connects to the options' host and port, then what every session does
 * first: the TLS handshake for implicit TLS, the greeting, then STARTTLS
 * (which must be offered, see sqauth_session_starttls()) or the
 * capabilities. After a failure the session is unusable, but its error
 * details (sqauth_session_tls_failure(), _response()) and transcript stay
 * readable until it is freed. */
int sqauth_session_open(sqauth_session *s, sqauth_error *err);
/* The same over a socket someone else connected (not closed by the
 * session). buffered/buffered_len: bytes the previous reader already took
 * off the socket, which belong to the server's next reply; *taken says how
 * many the session took (may be NULL). */
int sqauth_session_open_socket(sqauth_session *s, int fd, const void *buffered, size_t buffered_len, size_t *taken,
                               sqauth_error *err);

int sqauth_session_greeting(sqauth_session *s, sqauth_error *err);
/* Reads capabilities again (CAPABILITY, EHLO, CAPA). */
int sqauth_session_capabilities(sqauth_session *s, sqauth_error *err);
/* Reads the capabilities when they are not known (after a login). */
int sqauth_session_ensure_capabilities(sqauth_session *s, sqauth_error *err);
/* STARTTLS/STLS with the session's TLS options: refuses when not offered,
 * when refused (server text kept in s->response), and when any byte follows
 * the positive reply before the handshake (response injection,
 * CVE-2011-0411 class); then the handshake and a fresh capability list.
 * After a failure the connection is in an unknown state: free the session. */
int sqauth_session_starttls(sqauth_session *s, sqauth_error *err);
void sqauth_session_logout(sqauth_session *s);

/* ---- state, for the binding (which never reads the struct) ---- */
const char *sqauth_session_protocol(const sqauth_session *s);   /* "imap", "pop3", "smtp" */
sqauth_tls_mode sqauth_session_tls_mode(const sqauth_session *s);
const char *sqauth_session_greeting_text(const sqauth_session *s); /* "" before the greeting */
/* 1 when the protocol's capabilities are bare atoms (IMAP: "AUTH=PLAIN"),
 * 0 when they are keywords with parameters (EHLO, CAPA). */
int sqauth_session_caps_are_atoms(const sqauth_session *s);
/* 1 when STARTTLS was used on the session or the server offers it. */
int sqauth_session_has_starttls(const sqauth_session *s);
size_t sqauth_session_capability_count(const sqauth_session *s);
const sqauth_capability *sqauth_session_capability(const sqauth_session *s, size_t i);
/* 0 once the session was closed for I/O (a server that did not prove
 * itself), or before it is opened. */
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
/* See sqauth_conn_read_available(). */
int sqauth_session_read_available(sqauth_session *s, void *buf, size_t len, int may_wait, size_t *got, int *at_end,
                                  sqauth_error *err);
int sqauth_session_write(sqauth_session *s, const void *p, size_t n, sqauth_error *err);
void sqauth_session_set_timeout(sqauth_session *s, int timeout_ms);
/* The socket for select(), -1 when closed. */
int sqauth_session_socket(const sqauth_session *s);
/* 1 once the server ended the stream (or before the session is opened). */
int sqauth_session_at_eof(const sqauth_session *s);

const sqauth_capability *sqauth_session_find_cap(const sqauth_session *s, const char *name);
int sqauth_session_starttls_offered(const sqauth_session *s);
/* 1 when the server says login() would be refused now: IMAP LOGINDISABLED,
 * or a POP3 CAPA list without USER. */
int sqauth_session_login_disabled(const sqauth_session *s);
/* Mechanisms the server lists (IMAP AUTH=, SMTP AUTH, POP3 SASL), upper
 * case, in the server's order, into a NULL-terminated array the caller
 * frees with sqauth_session_free_list(). */
int sqauth_session_mechanisms(const sqauth_session *s, char ***out, size_t *count, sqauth_error *err);
void sqauth_session_free_list(char **list, size_t count);

/* Runs a SASL exchange with sasl (a fresh session from sqauth_sasl_new)
 * over the protocol's framing: initial response where allowed, challenges
 * and responses, cancel ("*") when the client side fails, the final reply.
 * Errors: SQAUTH_ERR_AUTH when the server says no (reply->code and
 * s->response say why), the SASL error when the client side failed (after
 * cancelling), SQAUTH_ERR_NOT_VERIFIED when the server accepted but never
 * proved it knows the secret (DIGEST-MD5 rspauth, SCRAM v=), and the
 * connection errors. Secrets never reach the transcript. */
int sqauth_session_authenticate(sqauth_session *s, sqauth_sasl *sasl, sqauth_auth_reply *reply,
                                sqauth_error *err);
/* Asks whether the server answers an AUTHENTICATE/AUTH for mech without
 * logging in: sends the command, and when a challenge comes, cancels with
 * "*". *answers = 1 when a challenge came (mechanism usable). *challenge
 * gets the first challenge, decoded, when it is not NULL. */
int sqauth_session_probe(sqauth_session *s, const char *mech, int *answers, sqauth_buf *challenge, sqauth_error *err);

/* IMAP LOGIN / POP3 USER+PASS. */
int sqauth_session_login(sqauth_session *s, const char *user, size_t user_len, const char *pass, size_t pass_len,
                         sqauth_auth_reply *reply, sqauth_error *err);

/* ---- for the protocol files ---- */
/* "AUTH mech [ir]" (SMTP RFC 4954, POP3 RFC 5034); the transcript shows the
 * initial response as <redacted>. */
int sqauth_session_send_auth(sqauth_session *s, const char *mech, const char *ir, sqauth_error *err);
int sqauth_session_send_line(sqauth_session *s, const char *line, const char *logged, sqauth_error *err);
int sqauth_session_read_line(sqauth_session *s, sqauth_error *err);
void sqauth_session_clear_caps(sqauth_session *s);
int sqauth_session_add_cap(sqauth_session *s, const char *name, size_t name_len, const char *value,
                           size_t value_len, sqauth_error *err);
int sqauth_session_set_response(sqauth_session *s, const char *text, size_t len);
/* Appends the current line to s->response (multi-line replies). */
int sqauth_session_append_response(sqauth_session *s);
int sqauth_session_record(sqauth_session *s, char direction, const char *text, size_t len);

extern const sqauth_proto_ops sqauth_proto_imap;
extern const sqauth_proto_ops sqauth_proto_pop3;
extern const sqauth_proto_ops sqauth_proto_smtp;

#endif
