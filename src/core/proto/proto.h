/*
 * sqauth core, inside: what a protocol is (its table entry), the session
 * it drives, and what the protocol files share. A protocol is one file
 * (imap.c, pop3.c, smtp.c, sieve.c) that fills a sqauth_protocol, plus its
 * line in protocols.c; nothing else in the core names a protocol.
 * session.c holds what every protocol shares (lines, the transcript, the
 * capability list, the open and STARTTLS sequences); auth.c is the one
 * SASL driver. Only src/core includes this header.
 */
#ifndef SQAUTH_PROTO_H
#define SQAUTH_PROTO_H

#include <stdint.h>

#include "session.h"

/* What a server can make a session hold or do, whatever it sends (README,
 * "What a server can make a connection hold"). Every parser's work is
 * linear in the bytes read; these bound what is kept. */
/* Distinct capabilities, and the bytes of their names and values together;
 * more is a ProtocolException. A capability listed again (same name and
 * value) is kept once. Each is at most one line (SQAUTH_CONN_MAX_LINE). */
#define SQAUTH_MAX_CAPABILITIES 512
#define SQAUTH_MAX_CAPABILITY_BYTES 131072
/* RFC 4422 §3.1: a mechanism name is 1 to 20 of A-Z 0-9 - _ (servers'
 * lower case is taken as upper case). Anything else in a mechanism list is
 * ignored, and so is every name after the first SQAUTH_MAX_MECHANISMS
 * distinct ones. */
#define SQAUTH_MAX_MECH_NAME 20
#define SQAUTH_MAX_MECHANISMS 64
/* Lines of one reply (a multi-line SMTP reply, IMAP untagged data before
 * the tagged reply, a CAPA list); more is a ProtocolException. */
#define SQAUTH_MAX_REPLY_LINES 1000
/* The greeting and the reply kept for errors (getServerResponse()): the
 * first SQAUTH_MAX_KEPT_REPLY bytes, then "... [cut: N more bytes]". */
#define SQAUTH_MAX_KEPT_REPLY 8192
/* The transcript: each line's first SQAUTH_TRANSCRIPT_MAX_LINE bytes (then
 * "... [cut: N more bytes]"), at most SQAUTH_TRANSCRIPT_MAX_BYTES of text
 * in at most SQAUTH_TRANSCRIPT_MAX_LINES lines, the last of which is then
 * "[transcript cut: N more lines]". */
#define SQAUTH_TRANSCRIPT_MAX_LINE 2048
#define SQAUTH_TRANSCRIPT_MAX_BYTES 65536
#define SQAUTH_TRANSCRIPT_MAX_LINES 1000

/* One server reply during a SASL exchange, whatever the protocol. */
typedef enum {
    SQAUTH_AUTH_CONTINUE = 1,    /* IMAP "+ ", SMTP 334, POP3 "+ ", a ManageSieve string: data is base64 */
    SQAUTH_AUTH_SUCCESS,         /* IMAP tagged OK, SMTP 235, POP3 +OK, ManageSieve OK; data: additional
                                    data with success (ManageSieve OK (SASL "...")), base64, or none */
    SQAUTH_AUTH_FAILURE          /* anything else final; code says why */
} sqauth_auth_status;

typedef struct sqauth_auth_reply {
    sqauth_auth_status status;
    const char *data;            /* base64 text (points into the session's line or reply_data) */
    size_t data_len;
    char code[64];               /* FAILURE: "AUTHENTICATIONFAILED", "535 5.7.8", "AUTH"; "" when none */
} sqauth_auth_reply;

/* Protocol flags. */
#define SQAUTH_PROTO_ATOM_CAPABILITIES 0x01u /* capabilities are bare atoms (IMAP), not keywords with values */
#define SQAUTH_PROTO_SITEWIDE_ACCOUNT  0x02u /* a site-wide account replaces the caller's (SMTP submission) */

/* A mechanism list being read from the capabilities: upper case, each
 * name once (found through a small hash table, not by scanning the list),
 * at most SQAUTH_MAX_MECHANISMS of them. */
typedef struct sqauth_names {
    char **list;                 /* NULL-terminated, room for SQAUTH_MAX_MECHANISMS */
    size_t count;
    unsigned char slot[2 * SQAUTH_MAX_MECHANISMS]; /* index + 1 into list, by hash; 0 = free */
} sqauth_names;

/* A protocol: everything the core knows about it, in one place. */
struct sqauth_protocol {
    const char *name;            /* "imap": Connection::protocol(), detect() */
    const sqauth_scheme *schemes; /* its URI schemes, ended by a NULL name */
    const char *sasl_service;    /* RFC 4422 service name (IANA GSSAPI service names): DIGEST-MD5 digest-uri */
    unsigned flags;              /* SQAUTH_PROTO_* */
    const char *starttls_capability; /* "STARTTLS" / "STLS": offered when listed */
    /* The plain login command's name for messages ("LOGIN", "USER/PASS");
     * NULL for protocols without one (login is NULL too). */
    const char *login_name;

    /* Reads the greeting (and the capabilities, when it carries them). */
    int (*greeting)(sqauth_session *s, sqauth_error *err);
    /* Asks for and reads the capabilities (the list is empty on entry). */
    int (*capabilities)(sqauth_session *s, sqauth_error *err);
    /* Sends the STARTTLS command and reads the positive reply. */
    int (*starttls)(sqauth_session *s, sqauth_error *err);
    /* After the STARTTLS handshake, with the list emptied: the fresh
     * capabilities (ManageSieve: the server sends them unasked). NULL:
     * capabilities(). */
    int (*tls_started)(sqauth_session *s, sqauth_error *err);
    /* Polite goodbye (LOGOUT, QUIT); errors ignored by the caller. */
    int (*logout)(sqauth_session *s, sqauth_error *err);

    /* The mechanisms the capability list announces, added with
     * sqauth_names_add()/_add_words(); SQAUTH_ERR_NOMEM or SQAUTH_OK. */
    int (*mechanisms)(const sqauth_session *s, sqauth_names *names);
    /* 1 when the capabilities say login() would be refused now. NULL: never. */
    int (*login_disabled)(const sqauth_session *s);

    /* SASL framing, driven by the one state machine in auth.c. */
    const char *sasl_ir_capability; /* IMAP "SASL-IR"; NULL when initial responses are always allowed */
    size_t max_ir_command;       /* longest AUTH command that may carry an initial response */
    /* Sends the AUTHENTICATE/AUTH command; ir is base64, "=" for an empty
     * one, or NULL for none. */
    int (*auth_command)(sqauth_session *s, const char *mech, const char *ir, sqauth_error *err);
    int (*auth_reply)(sqauth_session *s, sqauth_auth_reply *r, sqauth_error *err);
    /* Sends one client response (base64, "" for an empty one, "*" to
     * cancel); logged is what the transcript shows. NULL: the text on a
     * line of its own. */
    int (*auth_response)(sqauth_session *s, const char *b64, const char *logged, sqauth_error *err);
    /* After a successful login, with the security layer (if any, layer !=
     * SQAUTH_LAYER_NONE) installed. NULL: forget the capabilities, which
     * change after login and are read again on demand. */
    int (*logged_in)(sqauth_session *s, int layer, sqauth_error *err);
    /* The plain login command (IMAP LOGIN, POP3 USER/PASS); NULL: none. */
    int (*login)(sqauth_session *s, const char *user, size_t user_len, const char *pass, size_t pass_len,
                 sqauth_auth_reply *r, sqauth_error *err);

    /* The connection pool (pool.c): in one round trip, puts a logged-in
     * session back into the state a fresh login leaves (IMAP: no mailbox
     * selected; SMTP: no mail transaction) and proves that the server and
     * the session are in step: SQAUTH_OK only when the replies are exactly
     * those to this check's own commands, with nothing of an earlier
     * command before them (a reply the caller left unread, the end of an
     * IDLE, a continuation request for a literal). Run before a session is
     * pooled and before one that sat idle for a while is handed out. NULL:
     * this protocol's sessions are never pooled. */
    int (*pool_check)(sqauth_session *s, sqauth_error *err);
    /* What the caller sent over the byte stream after login
     * (sqauth_session_write()), in order: for commands whose effect lasts
     * as long as the session, which no pool check can undo (IMAP ENABLE,
     * NOTIFY, UNAUTHENTICATE); such a command sets pool_unfit (see
     * sqauth_session_watch_commands()), and pool_check then fails. NULL:
     * the protocol has none. */
    void (*stream_sent)(sqauth_session *s, const unsigned char *data, size_t len);
};

struct sqauth_session {
    sqauth_conn *conn;           /* NULL until opened */
    const sqauth_protocol *ops;
    sqauth_tls_mode tls_mode;
    sqauth_tls_config tls;       /* owned copy of the options' */
    char *cafile_name, *capath_name; /* owned; see sqauth_session_options */
    unsigned port;
    int timeout_ms, connect_timeout_ms;
    int skip_greeting;
    char *sitewide_user;         /* owned; NULL = none */
    char *sitewide_password;     /* owned, wiped */
    size_t sitewide_user_len, sitewide_password_len;
    char *host;                  /* name connected to (TLS name checks) */
    char *helo;                  /* SMTP EHLO/HELO argument; NULL = address literal */
    char *greeting;              /* at most SQAUTH_MAX_KEPT_REPLY bytes and the cut mark */
    sqauth_capability *caps;
    size_t cap_count;
    size_t cap_bytes;            /* names and values, for SQAUTH_MAX_CAPABILITY_BYTES */
    unsigned short cap_slot[2 * SQAUTH_MAX_CAPABILITIES]; /* index + 1 into caps, by hash; 0 = free */
    int caps_known;
    unsigned tag;                /* IMAP tag counter */
    int transcript_on;
    sqauth_transcript_line *transcript;
    size_t transcript_count;     /* lines, the cut mark included */
    size_t transcript_bytes;     /* their text */
    size_t transcript_dropped;   /* lines not kept; > 0: the last line is the cut mark */
    char transcript_mark[48];    /* the cut mark's text */
    char auth_tag[16];           /* IMAP: the tag of the AUTHENTICATE in progress */
    int authenticated;
    int starttls_done;           /* STARTTLS was offered and used */
    int closed;                  /* nothing more goes over the connection (see sqauth_session_is_open()) */
    sqauth_error closed_reason;  /* the failure that closed it */
    sqauth_deadline call;        /* the public call in progress (at = 0: none) */
    int call_depth;              /* public entry points nest (open runs STARTTLS, detect probes) */
    sqauth_buf line;             /* scratch: the last line read */
    sqauth_buf reply_data;       /* scratch: reply data a protocol had to unquote (ManageSieve strings) */
    sqauth_buf response;         /* the last complete server reply, for errors (sqauth_session_set_response()) */
    size_t response_kept;        /* when cut: the reply's bytes kept before the cut mark */
    size_t response_cut;         /* bytes of the reply not kept; 0 = none */
    char reply_code[64];         /* the response code of the last refused login ("" = none) */
    sqauth_buf hidden;           /* during a login: what was sent that carries a secret (redact.c) */
    /* A session the pool made (pool.c): the login it was made for (keyed
     * hashes, see pool.h) and when. */
    int pool_member;
    unsigned char pool_id[32];   /* everything the login depended on, secrets included */
    unsigned char pool_user_id[32]; /* the same without the password or token */
    int64_t pool_created_ms;
    /* The user key under the key shared with forked processes (when the
     * pool shares sign-outs), and how many shared sign-outs had been
     * recorded when it was last checked against them. */
    int pool_tagged;
    unsigned char pool_user_tag[32];
    uint64_t pool_signouts_seen;
    /* The caller's stream left state that no pool check undoes (see
     * stream_sent); stream_scan and stream_word: where
     * sqauth_session_watch_commands() is in what the caller sent. */
    int pool_unfit;
    int stream_scan;
    char stream_word[16];
    size_t stream_word_len;
    int stream_literal;
    size_t stream_literal_len, stream_skip;
};

/* ---- the public calls ---- */

/* Every public entry point of the core (open, STARTTLS, capabilities,
 * login, probes, logout) runs its work between sqauth_call_begin() and
 * sqauth_call_end(). begin refuses a session closed for I/O (the error
 * says why it was closed) and starts the call's deadline, timeout_ms from
 * now, unless an outer call runs (nested calls share its deadline). end
 * ends the deadline with the outermost call and, after a failure, applies
 * the rule of sqauth_session_is_open(): it returns rc. */
typedef struct sqauth_call {
    unsigned long io_mark;       /* the connection's io_count when the call began */
} sqauth_call;
int sqauth_call_begin(sqauth_session *s, sqauth_call *call, sqauth_error *err);
int sqauth_call_end(sqauth_session *s, const sqauth_call *call, int rc, const sqauth_error *err);
/* Closes the session for I/O (the socket shut down in both directions,
 * no goodbye), keeping why: the reason later calls give. The first
 * reason stays. */
void sqauth_session_close_io(sqauth_session *s, const sqauth_error *why);

/* ---- what policy.c drives ---- */

/* Runs a SASL exchange with sasl (a fresh session from sqauth_sasl_new)
 * over the protocol's framing: initial response where allowed, challenges
 * and responses, cancel ("*") when the client side fails, the final reply
 * and any additional data with success. Errors: SQAUTH_ERR_AUTH when the
 * server says no (reply->code and s->response say why), the SASL error
 * when the client side failed (after cancelling), SQAUTH_ERR_NOT_VERIFIED
 * when the server accepted but the mechanism, which proves the server
 * (SQAUTH_MECH_PROVES_SERVER), saw no proof, and the connection errors.
 * Secrets never reach the transcript. */
int sqauth_session_authenticate(sqauth_session *s, sqauth_sasl *sasl, sqauth_auth_reply *reply,
                                sqauth_error *err);
/* The protocol's plain login command (IMAP LOGIN / POP3 USER+PASS). */
int sqauth_session_login(sqauth_session *s, const char *user, size_t user_len, const char *pass, size_t pass_len,
                         sqauth_auth_reply *reply, sqauth_error *err);
/* After a successful login: the protocol's logged_in step. */
int sqauth_session_logged_in(sqauth_session *s, int layer, sqauth_error *err);

/* A session the pool hands to a new caller (pool.c): that caller's
 * timeouts and transcript setting, an empty transcript, no reply or
 * response code of an earlier caller's. */
void sqauth_session_reset_for_reuse(sqauth_session *s, const sqauth_session_options *o);

/* ---- for the protocol files ---- */
int sqauth_session_greeting(sqauth_session *s, sqauth_error *err);
const sqauth_capability *sqauth_session_find_cap(const sqauth_session *s, const char *name);
int sqauth_session_starttls_offered(const sqauth_session *s);
/* "AUTH mech [ir]" (SMTP RFC 4954, POP3 RFC 5034); the transcript shows the
 * initial response as <redacted>. */
int sqauth_session_send_auth(sqauth_session *s, const char *mech, const char *ir, sqauth_error *err);
int sqauth_session_send_line(sqauth_session *s, const char *line, const char *logged, sqauth_error *err);
/* Several commands without secrets in one write (pipelined). */
int sqauth_session_send_lines(sqauth_session *s, const char *const *lines, size_t count, sqauth_error *err);
int sqauth_session_read_line(sqauth_session *s, sqauth_error *err);
void sqauth_session_clear_caps(sqauth_session *s);
int sqauth_session_add_cap(sqauth_session *s, const char *name, size_t name_len, const char *value,
                           size_t value_len, sqauth_error *err);
/* The reply kept for errors (s->response): replaced, or the current line
 * appended after a "\n" (multi-line replies), each time cut to
 * SQAUTH_MAX_KEPT_REPLY bytes and marked; SQAUTH_ERR_NOMEM or SQAUTH_OK. */
int sqauth_session_set_response(sqauth_session *s, const char *text, size_t len);
int sqauth_session_append_response(sqauth_session *s);
void sqauth_session_reset_response(sqauth_session *s);
/* Keeps the reply kept for errors (as cut there) as the greeting. */
int sqauth_session_keep_greeting(sqauth_session *s, sqauth_error *err);
/* Adds a line to the transcript (when it is on), within its limits. */
int sqauth_session_record(sqauth_session *s, char direction, const char *text, size_t len);

/* What the server must not be quoted saying (redact.c). A login hides
 * each secret it sends, as it goes over the wire, before sending it; while
 * any is hidden, the reply kept for errors and the transcript's server
 * lines show "<redacted>" in its place. sqauth_session_hide_end() then
 * redacts the error's message and the response code (either may be NULL)
 * and forgets the secrets. */
int sqauth_session_hide(sqauth_session *s, const void *secret, size_t len);
void sqauth_session_hide_end(sqauth_session *s, char *code, size_t code_size, sqauth_error *err);
/* text as it may be kept for people, of which at most keep bytes will be:
 * only those (and room for a secret that begins in them) go into out, with
 * the hidden secrets replaced (a flood of long lines during a login costs
 * no more than what is kept); *more: the bytes of text left out. */
int sqauth_session_shown_part(const sqauth_session *s, const char *text, size_t len, size_t keep, sqauth_buf *out,
                              size_t *more);

/* For a protocol's stream_sent: sets s->pool_unfit when a line of what
 * the caller sends (data, in pieces as written) has one of names (any
 * case) as its command: its first word, or its second when tagged (IMAP).
 * The data of literals ({n} or {n+} at a line's end) is skipped. */
void sqauth_session_watch_commands(sqauth_session *s, const unsigned char *data, size_t len, int tagged,
                                   const char *const *names, size_t count);

/* A word for a pool check's command that no earlier command of the
 * session can have produced: 16 random hex digits (and a NUL) into out. */
int sqauth_session_check_token(char out[17], sqauth_error *err);

/* Mechanism lists: adds one name (upper-cased, once; ignored when it is not
 * a mechanism name or the list is full) or every space-separated word of
 * v; SQAUTH_ERR_NOMEM or SQAUTH_OK. */
int sqauth_names_add(sqauth_names *names, const char *p, size_t n);
int sqauth_names_add_words(sqauth_names *names, const char *v);
/* The words of the capability called name (POP3 and ManageSieve "SASL"). */
int sqauth_names_from_cap(const sqauth_session *s, const char *name, sqauth_names *names);

/* The protocols (protocols.c); the first is the default. */
extern const sqauth_protocol *const sqauth_protocols[];
extern const size_t sqauth_protocol_table_size;

#endif
