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

typedef struct sqauth_proto_ops {
    const char *name;            /* "imap", "pop3", "smtp" */
    const char *starttls_capability; /* "STARTTLS" / "STLS" */
    int (*greeting)(sqauth_session *s, sqauth_error *err);
    int (*capabilities)(sqauth_session *s, sqauth_error *err);
    /* Sends the STARTTLS command and reads the positive reply. */
    int (*starttls)(sqauth_session *s, sqauth_error *err);
    /* Polite goodbye (LOGOUT, QUIT); errors ignored by the caller. */
    int (*logout)(sqauth_session *s, sqauth_error *err);
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
int sqauth_session_login_disabled(const sqauth_session *s);
/* Mechanisms the server lists (IMAP AUTH=, SMTP AUTH, POP3 SASL), upper
 * case, in the server's order, into a NULL-terminated array the caller
 * frees with sqauth_session_free_list(). */
int sqauth_session_mechanisms(const sqauth_session *s, char ***out, size_t *count, sqauth_error *err);
void sqauth_session_free_list(char **list, size_t count);

/* ---- for the protocol files ---- */
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
