/*
 * MD5 (RFC 1321) of our own, for the responses of CRAM-MD5 (HMAC-MD5) and
 * DIGEST-MD5, with a two-lane block function that computes two independent
 * blocks at once. md5.c says why it is ours and not OpenSSL's, and how it
 * is checked; the DIGEST-MD5 security layer keeps OpenSSL's MD5.
 *
 * Under a FIPS-only OpenSSL configuration MD5 is not an approved
 * algorithm: callers ask sqauth_md5_permitted() first, which refuses
 * exactly when OpenSSL refuses to fetch MD5.
 */
#ifndef SQAUTH_MD5_H
#define SQAUTH_MD5_H

#include "../common.h"

#include <stdint.h>

#define SQAUTH_MD5_LEN 16
#define SQAUTH_MD5_BLOCK 64

/* A hash in progress: the chaining value A, B, C, D (RFC 1321 §3.3) after
 * len bytes, a whole number of blocks. The state of a hash over a secret
 * is secret too: the finishing functions cleanse it. */
typedef struct sqauth_md5_state {
    uint32_t h[4];
    uint64_t len;
} sqauth_md5_state;

/* SQAUTH_OK when OpenSSL lets this process use MD5 (it fetches it through
 * EVP, once), else SQAUTH_ERR_CRYPTO with err: CRAM-MD5 and DIGEST-MD5
 * then refuse to run, as OpenSSL's own MD5 would. */
int sqauth_md5_permitted(sqauth_error *err);

/* Starts a hash (§3.3's initial A, B, C, D). */
void sqauth_md5_start(sqauth_md5_state *m);
/* Feeds one whole block. */
void sqauth_md5_block(sqauth_md5_state *m, const unsigned char block[SQAUTH_MD5_BLOCK]);
/* Feeds one whole block to each of two independent hashes, computed
 * together (see md5.c). */
void sqauth_md5_block2(sqauth_md5_state *m, const unsigned char block[SQAUTH_MD5_BLOCK], sqauth_md5_state *o,
                       const unsigned char other[SQAUTH_MD5_BLOCK]);

/* Finishes m over n more bytes at data (NULL when n is 0): the padding
 * of §3.1-§3.2, the digest into out; m, and the copy of the message's end
 * made for the padding, cleansed. Whole blocks are read in place. */
void sqauth_md5_finish(sqauth_md5_state *m, const void *data, size_t n, unsigned char out[SQAUTH_MD5_LEN]);
/* The same for two independent hashes, their blocks computed in pairs as
 * long as both have one. */
void sqauth_md5_finish2(sqauth_md5_state *m, const void *data, size_t n, unsigned char out[SQAUTH_MD5_LEN],
                        sqauth_md5_state *o, const void *other, size_t other_n,
                        unsigned char other_out[SQAUTH_MD5_LEN]);
/* MD5 of n bytes at p (p may be NULL when n is 0). */
void sqauth_md5_buf(const void *p, size_t n, unsigned char out[SQAUTH_MD5_LEN]);

/* The 32 lowercase hex digits of a digest (CRAM-MD5 and DIGEST-MD5 both
 * send them), two per table lookup. */
void sqauth_md5_hex(char out[2 * SQAUTH_MD5_LEN], const unsigned char h[SQAUTH_MD5_LEN]);

#endif
