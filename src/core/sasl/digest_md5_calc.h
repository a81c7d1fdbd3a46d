/*
 * sqauth core: DIGEST-MD5 (RFC 2831 §2.1.2.1, §2.1.3) hash maths, with no
 * parsing and no charset handling: the caller passes the exact bytes that
 * go into the hashes. MD5 comes from OpenSSL through sasl/md5.h.
 *
 *   H(s)     = MD5(s), 16 bytes;  HEX(n) = lowercase hex
 *   KD(k, s) = H({k, ":", s})
 *   A1       = { H({ username, ":", realm, ":", passwd }), ":", nonce, ":", cnonce [, ":", authzid] }
 *   A2       = { "AUTHENTICATE:", digest-uri }                           (qop auth, response)
 *            = { "AUTHENTICATE:", digest-uri, ":00000000000000000000000000000000" }
 *                                                                        (auth-int, auth-conf)
 *   rspauth uses A2 without "AUTHENTICATE" (just ":" digest-uri ...).
 *   response-value = HEX(KD(HEX(H(A1)), { nonce, ":", nc, ":", cnonce, ":", qop, ":", HEX(H(A2)) }))
 */
#ifndef SQAUTH_DIGEST_MD5_CALC_H
#define SQAUTH_DIGEST_MD5_CALC_H

#include "../common.h"

#define SQAUTH_DIGEST_MD5_HASH_LEN 16

/* Everything the hashes depend on, as the bytes that are hashed (values
 * unquoted, username/realm/password already in the charset RFC 2831
 * §2.1.2.1 asks for). All borrowed. */
typedef struct sqauth_digest_md5_params {
    sqauth_str username;
    sqauth_str realm;       /* empty when the challenge had none */
    sqauth_str password;
    sqauth_str nonce;
    sqauth_str cnonce;
    sqauth_str authzid;     /* data NULL or len 0: not part of A1 */
    sqauth_str digest_uri;
    const char *nc;         /* 8 hex digits, "00000001" */
    const char *qop;        /* "auth", "auth-int" or "auth-conf" */
} sqauth_digest_md5_params;

/* H(A1), the session key every later value (response, rspauth, and the
 * Kic/Kis/Kcc/Kcs keys of the security layers) derives from. Secret: the
 * caller cleanses it. Returns SQAUTH_OK, SQAUTH_ERR_INVALID_ARG (missing
 * field) or SQAUTH_ERR_CRYPTO. */
int sqauth_digest_md5_ha1(const sqauth_digest_md5_params *p, unsigned char ha1[SQAUTH_DIGEST_MD5_HASH_LEN],
                          sqauth_error *err);

/* KD(HEX(H(A1)), ...) as 16 raw bytes: the client's response-value when
 * server == 0, the server's rspauth when server != 0 (HEX() of either is
 * what goes on the wire). */
int sqauth_digest_md5_kd(const unsigned char ha1[SQAUTH_DIGEST_MD5_HASH_LEN], const sqauth_digest_md5_params *p,
                         int server, unsigned char out[SQAUTH_DIGEST_MD5_HASH_LEN], sqauth_error *err);

/* H(A1) and the client's response-value with one digest context (4 MD5s);
 * the client keeps ha1 (secret) to check rspauth later with
 * sqauth_digest_md5_kd(ha1, p, 1, ...). Both are cleansed on failure. */
int sqauth_digest_md5_response(const sqauth_digest_md5_params *p, unsigned char ha1[SQAUTH_DIGEST_MD5_HASH_LEN],
                               unsigned char response[SQAUTH_DIGEST_MD5_HASH_LEN], sqauth_error *err);

/* Both at once, with H(A1) never leaving this function. */
int sqauth_digest_md5_compute(const sqauth_digest_md5_params *p,
                              unsigned char response[SQAUTH_DIGEST_MD5_HASH_LEN],
                              unsigned char rspauth[SQAUTH_DIGEST_MD5_HASH_LEN], sqauth_error *err);

#endif
