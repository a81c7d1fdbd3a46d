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

struct sqauth_session {
    sqauth_conn *conn;
    const sqauth_proto_ops *ops;
    sqauth_proto_kind kind;
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
    sqauth_buf line;             /* scratch: the last line read */
    sqauth_buf response;         /* the last complete server reply, for errors */
};

int sqauth_session_new(sqauth_session **out, sqauth_conn *conn, sqauth_proto_kind kind, const char *host,
                       const char *helo, int transcript, sqauth_error *err);
/* Frees the session and its connection. */
void sqauth_session_free(sqauth_session *s);

int sqauth_session_greeting(sqauth_session *s, sqauth_error *err);
/* Reads capabilities again (CAPABILITY, EHLO, CAPA). */
int sqauth_session_capabilities(sqauth_session *s, sqauth_error *err);
/* STARTTLS/STLS: refuses when not offered, when refused (server text kept
 * in s->response), and when any byte follows the positive reply before the
 * handshake (response injection, CVE-2011-0411 class); then the handshake
 * and a fresh capability list. */
int sqauth_session_starttls(sqauth_session *s, const sqauth_tls_config *cfg, sqauth_error *err);
void sqauth_session_logout(sqauth_session *s);

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
