/*
 * SCRAM (RFC 5802 §7, RFC 7677) server message parsers. Pure syntax: the
 * checks that need the exchange state (nonce prefix, iteration policy,
 * signature) live in scram.c. Every byte comes from the server and is
 * treated as hostile: sizes are capped, the grammar is followed strictly.
 *
 *   server-first-message = [reserved-mext ","] nonce "," salt ","
 *                          iteration-count ["," extensions]
 *   server-final-message = (server-error / verifier) ["," extensions]
 *   attr-val    = ALPHA "=" value
 *   value       = 1*value-char   ; UTF-8 except NUL and ","
 *   printable   = %x21-2B / %x2D-7E
 *   nonce       = "r=" c-nonce [s-nonce]   ; printable
 *   salt        = "s=" base64
 *   posit-number = %x31-39 *DIGIT
 */
#ifndef SQAUTH_SCRAM_PARSE_H
#define SQAUTH_SCRAM_PARSE_H

#include "../common.h"

#include <stdint.h>

/* Limits on what a server may send. Real messages are around 100 bytes. */
#define SQAUTH_SCRAM_MAX_MESSAGE 4096 /* bytes in one server message */
#define SQAUTH_SCRAM_MAX_NONCE   1024 /* bytes in r= (client + server part) */
#define SQAUTH_SCRAM_MAX_SALT    1024 /* base64 characters in s= */

typedef struct sqauth_scram_server_first {
    sqauth_str nonce;     /* r= value, borrowed from the message */
    sqauth_buf salt;      /* s= value, decoded (non-empty); owned */
    uint64_t iterations;  /* i= value, valid when !iterations_overflow */
    int iterations_overflow; /* i= has more digits than a uint64_t holds */
    sqauth_str server_error; /* e= value when the server failed early, else NULL */
} sqauth_scram_server_first;

typedef struct sqauth_scram_server_final {
    sqauth_str server_error; /* e= value (borrowed), or data == NULL */
    sqauth_buf verifier;     /* v= value, decoded; owned */
} sqauth_scram_server_final;

/* Parses a server-first-message. A leading "e=" (not in the grammar, but
 * some servers fail this early) is reported through out->server_error with
 * SQAUTH_OK; the caller turns it into SQAUTH_ERR_SERVER.
 * Returns SQAUTH_OK, SQAUTH_ERR_MALFORMED, SQAUTH_ERR_UNSUPPORTED (m=, a
 * mandatory extension we do not know) or SQAUTH_ERR_NOMEM. out is cleared
 * on entry; release it with sqauth_scram_server_first_free() in all cases. */
int sqauth_scram_parse_server_first(const unsigned char *msg, size_t len,
                                    sqauth_scram_server_first *out, sqauth_error *err);
void sqauth_scram_server_first_free(sqauth_scram_server_first *sf);

/* Parses a server-final-message: either e= (out->server_error set) or v=
 * (out->verifier set). Returns SQAUTH_OK, SQAUTH_ERR_MALFORMED or
 * SQAUTH_ERR_NOMEM. Release with sqauth_scram_server_final_free(). */
int sqauth_scram_parse_server_final(const unsigned char *msg, size_t len,
                                    sqauth_scram_server_final *out, sqauth_error *err);
void sqauth_scram_server_final_free(sqauth_scram_server_final *sf);

/* 1 when p[0..n) is a valid, non-empty SCRAM nonce: printable, no ','. */
int sqauth_scram_nonce_valid(const char *p, size_t n);

#endif
