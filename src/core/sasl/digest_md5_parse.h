/*
 * sqauth core: DIGEST-MD5 (RFC 2831) server message parser.
 *
 * Two levels:
 *  - sqauth_digest_md5_parse_directives(): the syntax of RFC 2831 §7.2 (the
 *    #rule and quoted-string of RFC 2616 §2.1/§2.2), giving every directive
 *    in order with its value unquoted and unescaped. This is what
 *    SqAuth\digest_md5_parse_challenge() shows to PHP.
 *  - sqauth_digest_md5_parse_challenge() / _parse_rspauth(): the meaning of
 *    the digest-challenge (§2.1.1) and of response-auth (§2.1.3).
 *
 * Every server byte is hostile: every error is SQAUTH_ERR_MALFORMED with a
 * message naming the directive and the problem. The challenge holds no
 * secret, so values may be quoted in messages (shortened).
 *
 * Grammar reminders (RFC 2831 §7.2, RFC 2616 §2.2):
 *   challenge     = 1#( directive )            ; empty elements allowed
 *   directive     = token LWS* "=" LWS* ( token | quoted-string )
 *   quoted-string = <"> *( qdtext | "\" CHAR ) <">
 *   qop-options   = "qop" "=" <"> 1#( "auth" | "auth-int" | "auth-conf" | token ) <">
 *   cipher-opts   = "cipher" "=" <"> 1#( "3des" | "des" | "rc4-40" | "rc4" | "rc4-56" | token ) <">
 *   response-auth = "rspauth" "=" 32LHEX
 */
#ifndef SQAUTH_DIGEST_MD5_PARSE_H
#define SQAUTH_DIGEST_MD5_PARSE_H

#include "../common.h"

/* RFC 2831 §2.1.1: "The size of a digest-challenge MUST be less than 2048
 * bytes." Applied to every server message of the mechanism. */
#define SQAUTH_DIGEST_MD5_MAX_CHALLENGE 2047

/* RFC 2831 §2.1.2: "The size of a digest-response MUST be less than 4096
 * bytes." */
#define SQAUTH_DIGEST_MD5_MAX_RESPONSE 4095

/* qop-options offered by the server (bit set). */
#define SQAUTH_DIGEST_MD5_QOP_AUTH      0x01u
#define SQAUTH_DIGEST_MD5_QOP_AUTH_INT  0x02u
#define SQAUTH_DIGEST_MD5_QOP_AUTH_CONF 0x04u

/* cipher-opts offered by the server (bit set). */
#define SQAUTH_DIGEST_MD5_CIPHER_DES    0x01u
#define SQAUTH_DIGEST_MD5_CIPHER_3DES   0x02u
#define SQAUTH_DIGEST_MD5_CIPHER_RC4    0x04u
#define SQAUTH_DIGEST_MD5_CIPHER_RC4_40 0x08u
#define SQAUTH_DIGEST_MD5_CIPHER_RC4_56 0x10u

/* One directive as the server sent it. */
typedef struct sqauth_digest_md5_directive {
    char *name;          /* the token, ASCII-lowercased (directive names are
                            case-insensitive), NUL-terminated */
    size_t name_len;
    char *value;         /* unquoted and unescaped, NUL-terminated; never
                            contains NUL (rejected) */
    size_t value_len;
    int quoted;          /* 1 when sent as a quoted-string, 0 as a token */
} sqauth_digest_md5_directive;

/* All directives in the order they came; owned. Names and values live in
 * one block (strings), the items in one array, both sized from the input
 * before parsing: two allocations per message instead of two per
 * directive. */
typedef struct sqauth_digest_md5_directives {
    sqauth_digest_md5_directive *items;
    size_t count;
    size_t cap;
    char *strings;
    size_t strings_used, strings_cap;
} sqauth_digest_md5_directives;

#define SQAUTH_DIGEST_MD5_DIRECTIVES_INIT {NULL, 0, 0, NULL, 0, 0}

/* The meaning of a digest-challenge, parsed in one pass without an
 * allocation in the usual case: the values the client needs are copied,
 * unquoted, NUL-terminated, into `text` (their total never exceeds the
 * challenge); unknown directives are checked and skipped. The sqauth_str
 * members point into the struct itself, which must therefore not be
 * copied; it lives on the caller's stack (about 2.2 KiB). */
typedef struct sqauth_digest_md5_challenge {
    sqauth_str *realms;      /* every realm directive in order: realm_inline
                                for up to 4, else an owned array */
    size_t realm_count, realm_cap;
    sqauth_str nonce;        /* required, non-empty */
    sqauth_str qop_raw;      /* the qop value as sent; data NULL when absent */
    unsigned qop;            /* SQAUTH_DIGEST_MD5_QOP_*; "auth" when absent (§2.1.1) */
    sqauth_str cipher_raw;   /* data NULL when absent */
    unsigned ciphers;        /* SQAUTH_DIGEST_MD5_CIPHER_* */
    unsigned long maxbuf;    /* 65536 when absent (§2.1.1) */
    int maxbuf_given;
    int stale;               /* stale=true */
    int utf8;                /* charset=utf-8 */
    size_t directive_count;  /* every directive, unknown ones included */
    sqauth_str realm_inline[4];
    size_t text_used;
    char text[SQAUTH_DIGEST_MD5_MAX_CHALLENGE + 1];
} sqauth_digest_md5_challenge;

/* Parses the syntax of a DIGEST-MD5 server message into out (which must be
 * zeroed or SQAUTH_DIGEST_MD5_DIRECTIVES_INIT; it is emptied on entry).
 * Names are lowercased; values are unquoted and unescaped; empty list
 * elements (",,") are skipped. Meaning is not checked: unknown and repeated
 * directives are all kept. Rejects NUL bytes, messages of 2048 bytes or
 * more, control characters in quoted strings and anything off the grammar.
 * Returns SQAUTH_OK, SQAUTH_ERR_MALFORMED or SQAUTH_ERR_NOMEM; on error out
 * is empty. Release with sqauth_digest_md5_directives_free(). */
int sqauth_digest_md5_parse_directives(const unsigned char *in, size_t len,
                                       sqauth_digest_md5_directives *out, sqauth_error *err);

void sqauth_digest_md5_directives_free(sqauth_digest_md5_directives *d);

/* The first directive called name (lowercase), or NULL. */
const sqauth_digest_md5_directive *sqauth_digest_md5_find(const sqauth_digest_md5_directives *d,
                                                          const char *name);

/* Iterates over the elements of a comma list inside a quoted value (the qop
 * and cipher values): start with *pos = 0; each call sets *elem to the next
 * non-empty element (surrounding white space removed) or elem->data = NULL
 * at the end. Returns SQAUTH_OK, or SQAUTH_ERR_MALFORMED when an element is
 * not a token; `what` names the directive in the message. */
int sqauth_digest_md5_list_next(const char *list, size_t len, size_t *pos, sqauth_str *elem,
                                const char *what, sqauth_error *err);

/* Parses and checks a digest-challenge (RFC 2831 §2.1.1): the syntax above
 * (the same checks and messages as sqauth_digest_md5_parse_directives()),
 * then: nonce and algorithm=md5-sess required; at most one nonce, qop,
 * charset, algorithm, maxbuf, stale and cipher; charset only "utf-8";
 * maxbuf a decimal number from 17 to 16777215; stale only "true"; qop and
 * cipher comma lists of tokens (unknown ones ignored); realms collected;
 * unknown directives ignored. Linear in the input. out is reset on entry.
 * Returns SQAUTH_OK, SQAUTH_ERR_MALFORMED or SQAUTH_ERR_NOMEM. Release with
 * sqauth_digest_md5_challenge_free() (also after an error). */
int sqauth_digest_md5_parse_challenge(const unsigned char *in, size_t len,
                                      sqauth_digest_md5_challenge *out, sqauth_error *err);

/* Empties c (cheaply: the text block is left alone), so that
 * sqauth_digest_md5_challenge_free() may be called on it whether or not it
 * was parsed. */
void sqauth_digest_md5_challenge_init(sqauth_digest_md5_challenge *c);
void sqauth_digest_md5_challenge_free(sqauth_digest_md5_challenge *c);

/* 1 when c may appear in an RFC 2616 token (tests). */
int sqauth_digest_md5_is_token_char(unsigned char c);

/* Parses response-auth (RFC 2831 §2.1.3), "rspauth=" and 32 hex digits
 * (quoted or not, either case), other directives ignored, into 16 bytes.
 * Returns SQAUTH_OK or SQAUTH_ERR_MALFORMED (no rspauth, two of them, not
 * 32 hex digits, bad syntax). */
int sqauth_digest_md5_parse_rspauth(const unsigned char *in, size_t len, unsigned char rspauth[16],
                                    sqauth_error *err);

#endif
