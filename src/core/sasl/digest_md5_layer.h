/*
 * sqauth core: DIGEST-MD5 security layers (RFC 2831 §2.3 integrity,
 * §2.4 confidentiality), the maths apart from the mechanism's state
 * machine. Interoperable with Cyrus SASL (plugins/digestmd5.c):
 *
 *   Kic = MD5({H(A1), "Digest session key to client-to-server signing key magic constant"})
 *   Kis = MD5({H(A1), "Digest session key to server-to-client signing key magic constant"})
 *   Kcc = MD5({H(A1)[0..n-1], "Digest H(A1) to client-to-server sealing key magic constant"})
 *   Kcs = MD5({H(A1)[0..n-1], "Digest H(A1) to server-to-client sealing key magic constant"})
 *         n = 16 for 3des, des and rc4, 7 for rc4-56, 5 for rc4-40
 *   MAC(Ki, SeqNum, msg) = HMAC-MD5(Ki, {SeqNum, msg})[0..9]
 *
 *   auth-int:  { msg, MAC, 0x0001, SeqNum }
 *   auth-conf: { CIPHER(Kc, {msg, pad, MAC}), 0x0001, SeqNum }
 *
 * SeqNum: 4 bytes big-endian, one counter per direction starting at 0,
 * checked on receipt. Ciphers, keyed once per direction with their state
 * carried from message to message:
 *   rc4, rc4-56, rc4-40  RC4 keyed with all 16 bytes of Kc (the n above
 *                        only shortens what Kc is derived from), no padding
 *   des                  DES-CBC, key from Kc[0..6] (7 bytes spread over 8
 *                        with the low bit of each byte, the parity bit, 0),
 *                        IV = Kc[8..15]
 *   3des                 two-key triple DES (EDE, K1 K2 K1) in CBC, K1 from
 *                        Kc[0..6], K2 from Kc[7..13], IV = Kc[8..15]
 *   DES/3DES pad with 1..8 bytes of the pad length so that msg+pad+MAC is
 *   a multiple of 8; the CBC chain continues across messages (the next
 *   message's IV is the last ciphertext block of the previous one).
 *
 * DES and RC4 come from OpenSSL 3's legacy provider, loaded into the
 * core's private library context (sqauth_cipher_libctx()).
 */
#ifndef SQAUTH_DIGEST_MD5_LAYER_H
#define SQAUTH_DIGEST_MD5_LAYER_H

#include "../common.h"
#include "sasl.h"
#include "digest_md5_parse.h"   /* SQAUTH_DIGEST_MD5_CIPHER_* */

/* 0 as a cipher means auth-int (no cipher). */
#define SQAUTH_DMD5_NO_CIPHER 0u

#define SQAUTH_DMD5_MAC_LEN 10

typedef struct sqauth_digest_md5_layer sqauth_digest_md5_layer;

/* Generic ops for s->layer_ops (ctx is a sqauth_digest_md5_layer). */
extern const sqauth_sasl_layer_ops sqauth_digest_md5_layer_ops;

/* "3des", ... for one SQAUTH_DIGEST_MD5_CIPHER_* bit; NULL otherwise. */
const char *sqauth_digest_md5_cipher_name(unsigned cipher);
/* The bit for a cipher name (case-insensitive), 0 when unknown. */
unsigned sqauth_digest_md5_cipher_bit(const char *name, size_t len);
/* Our preference among offered (a bit set): 3des, rc4, des, rc4-56,
 * rc4-40; 0 when none. */
unsigned sqauth_digest_md5_strongest_cipher(unsigned offered);
/* The most bytes sealing adds to a message (MAC, version, sequence number,
 * padding), without the 4-byte length prefix. */
size_t sqauth_digest_md5_overhead(unsigned cipher);

/* The four keys from H(A1) (exposed for known-answer tests). kc/ks are
 * only meaningful with a cipher. All secret. */
int sqauth_digest_md5_layer_keys(const unsigned char ha1[16], unsigned cipher, unsigned char kic[16],
                           unsigned char kis[16], unsigned char kcc[16], unsigned char kcs[16],
                           sqauth_error *err);

/* Creates a layer from H(A1). server != 0 builds the server's side (sends
 * with Kis/Kcs, receives with Kic/Kcc): for tests, so that two instances
 * talk to each other. Fails with SQAUTH_ERR_UNSUPPORTED and a message
 * naming the legacy provider when the cipher cannot be fetched. */
int sqauth_digest_md5_layer_new(sqauth_digest_md5_layer **out, const unsigned char ha1[16], unsigned cipher, int server,
                          sqauth_error *err);
/* Appends one protected buffer (no length prefix). */
int sqauth_digest_md5_layer_seal(sqauth_digest_md5_layer *l, const unsigned char *in, size_t len, sqauth_buf *out,
                           sqauth_error *err);
/* Checks one buffer (no length prefix) and appends its message. On error
 * out is as it was and the layer refuses further use. */
int sqauth_digest_md5_layer_open(sqauth_digest_md5_layer *l, const unsigned char *in, size_t len, sqauth_buf *out,
                           sqauth_error *err);
unsigned sqauth_digest_md5_layer_cipher(const sqauth_digest_md5_layer *l);
void sqauth_digest_md5_layer_free(sqauth_digest_md5_layer *l);

#ifdef SQAUTH_TESTING
/* Unit-test hook (compiled only with -DSQAUTH_TESTING, as the core's own
 * Makefile does): sets the next sequence numbers to send and expect, to
 * test the end of the sequence space without 2^32 messages. */
void sqauth_digest_md5_layer_test_set_seq(sqauth_digest_md5_layer *l, unsigned long send, unsigned long recv);
#endif

#endif
