/*
 * sqauth core: DIGEST-MD5 (RFC 2831 §2.1.2.1, §2.1.3) hash maths, with no
 * parsing and no charset handling: the caller passes the exact bytes that
 * go into the hashes. MD5 is sasl/md5.h's.
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

/* H(A1), the client's response-value and, when rspauth is not NULL, the
 * rspauth the server must send (§2.1.3), as 16 raw bytes each (HEX() of
 * the last two is what goes on the wire). H(A1) is the session key the
 * security layers' keys derive from: secret, the caller cleanses it. The
 * hashes that do not depend on each other are computed in pairs (see the
 * .c file). Returns SQAUTH_OK, SQAUTH_ERR_INVALID_ARG (missing field) or
 * SQAUTH_ERR_CRYPTO (MD5 refused); on failure all outputs are zeroed. */
int sqauth_digest_md5_compute(const sqauth_digest_md5_params *p, unsigned char ha1[SQAUTH_DIGEST_MD5_HASH_LEN],
                              unsigned char response[SQAUTH_DIGEST_MD5_HASH_LEN],
                              unsigned char rspauth[SQAUTH_DIGEST_MD5_HASH_LEN], sqauth_error *err);

#endif
