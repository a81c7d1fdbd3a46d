/*
 * sqauth core: DIGEST-MD5 security layers (RFC 2831 §2.3, §2.4). See
 * digest_md5_layer.h for the formulas and the Cyrus SASL details they
 * follow.
 */
#include "digest_md5_layer.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>

static const char sealing_cs[] = "Digest H(A1) to client-to-server sealing key magic constant";
static const char sealing_sc[] = "Digest H(A1) to server-to-client sealing key magic constant";
static const char signing_cs[] = "Digest session key to client-to-server signing key magic constant";
static const char signing_sc[] = "Digest session key to server-to-client signing key magic constant";

#define VERSION_HI 0x00
#define VERSION_LO 0x01
/* MAC, version, sequence number. */
#define TRAILER_LEN (SQAUTH_DMD5_MAC_LEN + 6)
#define DES_BLOCK 8

struct sqauth_digest_md5_layer {
    unsigned cipher;             /* SQAUTH_DIGEST_MD5_CIPHER_* or 0 */
    EVP_MAC_CTX *mac_send;       /* HMAC-MD5 keyed with Kic (client) */
    EVP_MAC_CTX *mac_recv;       /* keyed with Kis (client) */
    EVP_CIPHER_CTX *enc;         /* with Kcc (client), state carried on */
    EVP_CIPHER_CTX *dec;         /* with Kcs (client) */
    uint32_t seq_send, seq_recv;
    int send_exhausted, recv_exhausted;
    int failed;
};

static const struct {
    unsigned bit;
    const char *name;
    size_t n;                    /* bytes of H(A1) Kc is derived from */
} ciphers[] = {
    /* Our preference order: by security strength factor, as Cyrus SASL
     * ranks them (rc4 128, 3des 112, des and rc4-56 56, rc4-40 40). It also
     * keeps us away from 3des by default, which Cyrus SASL built against
     * OpenSSL 3 cannot set up (its DES_key_sched() check fails on keys
     * without parity), so a 3des-first client could not log in there. */
    {SQAUTH_DIGEST_MD5_CIPHER_RC4, "rc4", 16},
    {SQAUTH_DIGEST_MD5_CIPHER_3DES, "3des", 16},
    {SQAUTH_DIGEST_MD5_CIPHER_DES, "des", 16},
    {SQAUTH_DIGEST_MD5_CIPHER_RC4_56, "rc4-56", 7},
    {SQAUTH_DIGEST_MD5_CIPHER_RC4_40, "rc4-40", 5},
};

#define CIPHER_COUNT (sizeof(ciphers) / sizeof(ciphers[0]))

const char *sqauth_digest_md5_cipher_name(unsigned cipher)
{
    size_t i;
    for (i = 0; i < CIPHER_COUNT; i++) {
        if (ciphers[i].bit == cipher) {
            return ciphers[i].name;
        }
    }
    return NULL;
}

unsigned sqauth_digest_md5_cipher_bit(const char *name, size_t len)
{
    size_t i;
    for (i = 0; i < CIPHER_COUNT; i++) {
        if (strlen(ciphers[i].name) == len && sqauth_strncaseeq(ciphers[i].name, name, len)) {
            return ciphers[i].bit;
        }
    }
    return 0;
}

unsigned sqauth_digest_md5_strongest_cipher(unsigned offered)
{
    size_t i;
    for (i = 0; i < CIPHER_COUNT; i++) {
        if (offered & ciphers[i].bit) {
            return ciphers[i].bit;
        }
    }
    return 0;
}

static int is_block(unsigned cipher)
{
    return cipher == SQAUTH_DIGEST_MD5_CIPHER_DES || cipher == SQAUTH_DIGEST_MD5_CIPHER_3DES;
}

size_t sqauth_digest_md5_overhead(unsigned cipher)
{
    return TRAILER_LEN + (is_block(cipher) ? DES_BLOCK : 0);
}

static size_t key_source_len(unsigned cipher)
{
    size_t i;
    for (i = 0; i < CIPHER_COUNT; i++) {
        if (ciphers[i].bit == cipher) {
            return ciphers[i].n;
        }
    }
    return 16;
}

static int md5_two(const void *a, size_t alen, const char *b, unsigned char out[16])
{
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const EVP_MD *md = sqauth_md5();
    unsigned int n = 0;
    int ok;

    ok = ctx && md && EVP_DigestInit_ex2(ctx, md, NULL) == 1 && EVP_DigestUpdate(ctx, a, alen) == 1
        && EVP_DigestUpdate(ctx, b, strlen(b)) == 1 && EVP_DigestFinal_ex(ctx, out, &n) == 1 && n == 16;
    EVP_MD_CTX_free(ctx);
    if (!ok) {
        sqauth_cleanse(out, 16);
    }
    return ok;
}

int sqauth_digest_md5_layer_keys(const unsigned char ha1[16], unsigned cipher, unsigned char kic[16],
                           unsigned char kis[16], unsigned char kcc[16], unsigned char kcs[16],
                           sqauth_error *err)
{
    size_t n = key_source_len(cipher);

    if (!md5_two(ha1, 16, signing_cs, kic) || !md5_two(ha1, 16, signing_sc, kis)
        || !md5_two(ha1, n, sealing_cs, kcc) || !md5_two(ha1, n, sealing_sc, kcs)) {
        sqauth_cleanse(kic, 16);
        sqauth_cleanse(kis, 16);
        sqauth_cleanse(kcc, 16);
        sqauth_cleanse(kcs, 16);
        return sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL refused MD5 (FIPS mode?); DIGEST-MD5 cannot be used");
    }
    return SQAUTH_OK;
}

/* 7 key bytes spread over the high 7 bits of 8 (the low bit, DES's parity
 * bit, is ignored by DES), as Cyrus SASL's slidebits(). */
static void slide_bits(unsigned char out[8], const unsigned char in[7])
{
    out[0] = in[0];
    out[1] = (unsigned char)((in[0] << 7) | (in[1] >> 1));
    out[2] = (unsigned char)((in[1] << 6) | (in[2] >> 2));
    out[3] = (unsigned char)((in[2] << 5) | (in[3] >> 3));
    out[4] = (unsigned char)((in[3] << 4) | (in[4] >> 4));
    out[5] = (unsigned char)((in[4] << 3) | (in[5] >> 5));
    out[6] = (unsigned char)((in[5] << 2) | (in[6] >> 6));
    out[7] = (unsigned char)(in[6] << 1);
}

static const char legacy_msg[] =
    "DIGEST-MD5 auth-conf with des/3des/rc4 needs OpenSSL's legacy provider (ossl-modules/legacy.so)";

/* A cipher context for one direction, keyed from kc[16]. */
static int cipher_ctx(EVP_CIPHER_CTX **out, unsigned cipher, const unsigned char kc[16], int encrypt,
                      sqauth_error *err)
{
    OSSL_LIB_CTX *libctx;
    EVP_CIPHER *c = NULL;
    EVP_CIPHER_CTX *ctx = NULL;
    unsigned char key[16];
    const unsigned char *iv = NULL;
    const char *alg;
    int have_legacy = 0, ok;

    *out = NULL;
    libctx = sqauth_cipher_libctx(&have_legacy);
    if (!libctx) {
        return sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL: cannot create a library context for the DIGEST-MD5 cipher");
    }
    if (cipher == SQAUTH_DIGEST_MD5_CIPHER_3DES) {
        alg = "DES-EDE-CBC";            /* two keys: K1 K2 K1 */
        slide_bits(key, kc);
        slide_bits(key + 8, kc + 7);
        iv = kc + 8;
    } else if (cipher == SQAUTH_DIGEST_MD5_CIPHER_DES) {
        alg = "DES-CBC";
        slide_bits(key, kc);
        iv = kc + 8;
    } else {
        alg = "RC4";                    /* 128-bit key for all three rc4 variants */
        memcpy(key, kc, 16);
    }
    c = EVP_CIPHER_fetch(libctx, alg, NULL);
    if (!c) {
        sqauth_cleanse(key, sizeof(key));
        ERR_clear_error();
        return have_legacy
            ? sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL has no %s cipher for DIGEST-MD5 auth-conf", alg)
            : sqauth_fail(err, SQAUTH_ERR_UNSUPPORTED, "%s", legacy_msg);
    }
    ctx = EVP_CIPHER_CTX_new();
    ok = ctx != NULL && EVP_CipherInit_ex2(ctx, c, key, iv, encrypt, NULL) == 1
        && EVP_CIPHER_CTX_set_padding(ctx, 0) == 1;
    EVP_CIPHER_free(c);         /* the context holds its own reference */
    sqauth_cleanse(key, sizeof(key));
    if (!ok) {
        EVP_CIPHER_CTX_free(ctx);
        return sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL refused to set up %s for DIGEST-MD5 auth-conf", alg);
    }
    *out = ctx;
    return SQAUTH_OK;
}

void sqauth_digest_md5_layer_free(sqauth_digest_md5_layer *l)
{
    if (!l) {
        return;
    }
    /* The _free functions cleanse key schedules and MAC keys. */
    EVP_MAC_CTX_free(l->mac_send);
    EVP_MAC_CTX_free(l->mac_recv);
    EVP_CIPHER_CTX_free(l->enc);
    EVP_CIPHER_CTX_free(l->dec);
    sqauth_free_secret(l, sizeof(*l));
}

int sqauth_digest_md5_layer_new(sqauth_digest_md5_layer **out, const unsigned char ha1[16], unsigned cipher, int server,
                          sqauth_error *err)
{
    unsigned char kic[16], kis[16], kcc[16], kcs[16];
    sqauth_digest_md5_layer *l;
    int rc;

    *out = NULL;
    if (cipher != SQAUTH_DMD5_NO_CIPHER && !sqauth_digest_md5_cipher_name(cipher)) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "unknown DIGEST-MD5 cipher");
    }
    l = calloc(1, sizeof(*l));
    if (!l) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    l->cipher = cipher;
    rc = sqauth_digest_md5_layer_keys(ha1, cipher, kic, kis, kcc, kcs, err);
    if (rc == SQAUTH_OK) {
        l->mac_send = sqauth_hmac_md5_new(server ? kis : kic, 16);
        l->mac_recv = sqauth_hmac_md5_new(server ? kic : kis, 16);
        if (!l->mac_send || !l->mac_recv) {
            rc = sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL refused HMAC-MD5 (FIPS mode?)");
        }
    }
    if (rc == SQAUTH_OK && cipher != SQAUTH_DMD5_NO_CIPHER) {
        rc = cipher_ctx(&l->enc, cipher, server ? kcs : kcc, 1, err);
        if (rc == SQAUTH_OK) {
            rc = cipher_ctx(&l->dec, cipher, server ? kcc : kcs, 0, err);
        }
    }
    sqauth_cleanse(kic, sizeof(kic));
    sqauth_cleanse(kis, sizeof(kis));
    sqauth_cleanse(kcc, sizeof(kcc));
    sqauth_cleanse(kcs, sizeof(kcs));
    if (rc != SQAUTH_OK) {
        sqauth_digest_md5_layer_free(l);
        return rc;
    }
    *out = l;
    return SQAUTH_OK;
}

unsigned sqauth_digest_md5_layer_cipher(const sqauth_digest_md5_layer *l)
{
    return l->cipher;
}

#ifdef SQAUTH_TESTING
void sqauth_digest_md5_layer_test_set_seq(sqauth_digest_md5_layer *l, unsigned long send, unsigned long recv)
{
    l->seq_send = (uint32_t)send;
    l->seq_recv = (uint32_t)recv;
}
#endif

static void put_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static uint32_t get_be32(const unsigned char *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

/* HMAC-MD5(Ki, {SeqNum, msg}) in full; the layer uses the first 10 bytes. */
static int mac(EVP_MAC_CTX *ctx, uint32_t seq, const unsigned char *msg, size_t len, unsigned char out[16],
               sqauth_error *err)
{
    unsigned char seqb[4];
    size_t n = 0;

    put_be32(seqb, seq);
    if (EVP_MAC_init(ctx, NULL, 0, NULL) != 1 || EVP_MAC_update(ctx, seqb, 4) != 1
        || (len && EVP_MAC_update(ctx, msg, len) != 1) || EVP_MAC_final(ctx, out, &n, 16) != 1 || n != 16) {
        sqauth_cleanse(out, 16);
        return sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL HMAC-MD5 failed");
    }
    return SQAUTH_OK;
}

/* Runs the direction's cipher over len bytes into dst (the state carries
 * on; with padding off and whole blocks nothing stays buffered). */
static int run_cipher(EVP_CIPHER_CTX *ctx, unsigned char *dst, const unsigned char *src, size_t len, int *done,
                 sqauth_error *err)
{
    int n = 0;

    *done = 0;
    while (len) {
        int part = len > 0x40000000 ? 0x40000000 : (int)len;
        if (EVP_CipherUpdate(ctx, dst, &n, src, part) != 1) {
            return sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL refused the DIGEST-MD5 cipher");
        }
        dst += n;
        *done += n;
        src += part;
        len -= (size_t)part;
    }
    return SQAUTH_OK;
}

int sqauth_digest_md5_layer_seal(sqauth_digest_md5_layer *l, const unsigned char *in, size_t len, sqauth_buf *out,
                           sqauth_error *err)
{
    unsigned char digest[16], tail[DES_BLOCK + SQAUTH_DMD5_MAC_LEN];
    size_t start = out->len, pad = 0, body;
    unsigned char *p;
    int rc, n1 = 0, n2 = 0;

    if (l->failed) {
        return sqauth_fail(err, SQAUTH_ERR_STATE, "the DIGEST-MD5 security layer failed earlier");
    }
    if (l->send_exhausted) {
        return sqauth_fail(err, SQAUTH_ERR_STATE,
                           "DIGEST-MD5 security layer: 2^32 buffers sent, the sequence number is exhausted; "
                           "reconnect");
    }
    if (len > (size_t)SQAUTH_SASL_MAX_MAXBUF) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "DIGEST-MD5 security layer: message too large for one buffer");
    }
    if (is_block(l->cipher)) {
        pad = DES_BLOCK - (len + SQAUTH_DMD5_MAC_LEN) % DES_BLOCK;   /* 1..8 */
    }
    body = len + pad + SQAUTH_DMD5_MAC_LEN;
    if (sqauth_buf_reserve(out, body + 6) != SQAUTH_OK) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
    }
    rc = mac(l->mac_send, l->seq_send, in, len, digest, err);
    if (rc != SQAUTH_OK) {
        l->failed = 1;
        return rc;
    }
    p = out->data + start;
    if (!l->enc) {
        memcpy(p, in, len);
        memcpy(p + len, digest, SQAUTH_DMD5_MAC_LEN);
    } else {
        /* {msg, pad, MAC} through the cipher: msg straight from the
         * caller, then pad and MAC; output arrives in whole blocks. */
        memset(tail, (int)pad, pad);
        memcpy(tail + pad, digest, SQAUTH_DMD5_MAC_LEN);
        rc = run_cipher(l->enc, p, in, len, &n1, err);
        if (rc == SQAUTH_OK) {
            rc = run_cipher(l->enc, p + n1, tail, pad + SQAUTH_DMD5_MAC_LEN, &n2, err);
        }
        if (rc == SQAUTH_OK && (size_t)n1 + (size_t)n2 != body) {
            rc = sqauth_fail(err, SQAUTH_ERR_CRYPTO, "DIGEST-MD5 cipher produced %d bytes, expected %zu",
                             n1 + n2, body);
        }
        sqauth_cleanse(tail, sizeof(tail));
        if (rc != SQAUTH_OK) {
            sqauth_cleanse(digest, sizeof(digest));
            sqauth_cleanse(p, body);
            l->failed = 1;
            return rc;
        }
    }
    sqauth_cleanse(digest, sizeof(digest));
    p[body] = VERSION_HI;
    p[body + 1] = VERSION_LO;
    put_be32(p + body + 2, l->seq_send);
    out->len = start + body + 6;
    out->data[out->len] = '\0';
    if (l->seq_send == UINT32_MAX) {
        l->send_exhausted = 1;
    } else {
        l->seq_send++;
    }
    return SQAUTH_OK;
}

static int open_fail(sqauth_digest_md5_layer *l, sqauth_buf *out, size_t start, int code, sqauth_error *err,
                     const char *what)
{
    l->failed = 1;
    if (out->len > start) {
        sqauth_cleanse(out->data + start, out->len - start);
        out->len = start;
        out->data[start] = '\0';
    }
    return sqauth_fail(err, code, "DIGEST-MD5 security layer: %s", what);
}

int sqauth_digest_md5_layer_open(sqauth_digest_md5_layer *l, const unsigned char *in, size_t len, sqauth_buf *out,
                           sqauth_error *err)
{
    unsigned char digest[16];
    size_t start = out->len, enc_len, msg_len;
    unsigned char *p;
    uint32_t seq;
    int rc, n = 0;

    if (l->failed) {
        return sqauth_fail(err, SQAUTH_ERR_STATE, "the DIGEST-MD5 security layer failed earlier");
    }
    if (len < TRAILER_LEN) {
        /* Cyrus SASL: "packets must be at least 16 bytes long" */
        l->failed = 1;
        return sqauth_fail(err, SQAUTH_ERR_PROTOCOL,
                           "DIGEST-MD5 security layer: a buffer of %zu bytes is too short (at least %d)", len,
                           TRAILER_LEN);
    }
    if (in[len - 6] != VERSION_HI || in[len - 5] != VERSION_LO) {
        return open_fail(l, out, start, SQAUTH_ERR_INTEGRITY, err, "wrong message type (expected 0x0001)");
    }
    if (l->recv_exhausted) {
        return open_fail(l, out, start, SQAUTH_ERR_INTEGRITY, err,
                         "2^32 buffers received, the sequence number is exhausted");
    }
    seq = get_be32(in + len - 4);
    if (seq != l->seq_recv) {
        l->failed = 1;
        return sqauth_fail(err, SQAUTH_ERR_INTEGRITY,
                           "DIGEST-MD5 security layer: sequence number %lu, expected %lu (replayed, reordered or "
                           "lost buffer)", (unsigned long)seq, (unsigned long)l->seq_recv);
    }
    enc_len = len - 6;
    if (l->dec) {
        if (is_block(l->cipher) && (enc_len % DES_BLOCK != 0 || enc_len < 2 * DES_BLOCK)) {
            return open_fail(l, out, start, SQAUTH_ERR_INTEGRITY, err,
                             "the encrypted part is not a whole number of cipher blocks");
        }
        if (sqauth_buf_reserve(out, enc_len) != SQAUTH_OK) {
            l->failed = 1;
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
        p = out->data + start;
        rc = run_cipher(l->dec, p, in, enc_len, &n, err);
        if (rc != SQAUTH_OK || (size_t)n != enc_len) {
            return open_fail(l, out, start, SQAUTH_ERR_CRYPTO, err, "OpenSSL refused to decrypt");
        }
        out->len = start + enc_len;     /* wiped by open_fail on error */
        msg_len = enc_len - SQAUTH_DMD5_MAC_LEN;
        if (is_block(l->cipher)) {
            size_t pad = p[msg_len - 1], i;
            /* The shortest buffer (two blocks) leaves a 6-byte message: a
             * pad byte of 7 or 8 there would reach back before p and leave
             * msg_len below zero. */
            unsigned bad = pad < 1 || pad > DES_BLOCK || pad > msg_len;
            for (i = 1; !bad && i <= pad; i++) {
                bad |= p[msg_len - i] != pad;
            }
            if (bad) {
                return open_fail(l, out, start, SQAUTH_ERR_INTEGRITY, err,
                                 "bad padding after decryption (tampered buffer or wrong key)");
            }
            msg_len -= pad;
        }
        rc = mac(l->mac_recv, seq, p, msg_len, digest, err);
        if (rc != SQAUTH_OK) {
            l->failed = 1;
            return rc;
        }
        if (!sqauth_equal_ct(digest, SQAUTH_DMD5_MAC_LEN, p + enc_len - SQAUTH_DMD5_MAC_LEN, SQAUTH_DMD5_MAC_LEN)) {
            sqauth_cleanse(digest, sizeof(digest));
            return open_fail(l, out, start, SQAUTH_ERR_INTEGRITY, err,
                             "MAC mismatch (tampered buffer or wrong key)");
        }
        sqauth_cleanse(p + msg_len, enc_len - msg_len);
        out->len = start + msg_len;
        out->data[out->len] = '\0';
    } else {
        msg_len = enc_len - SQAUTH_DMD5_MAC_LEN;
        rc = mac(l->mac_recv, seq, in, msg_len, digest, err);
        if (rc != SQAUTH_OK) {
            l->failed = 1;
            return rc;
        }
        if (!sqauth_equal_ct(digest, SQAUTH_DMD5_MAC_LEN, in + msg_len, SQAUTH_DMD5_MAC_LEN)) {
            sqauth_cleanse(digest, sizeof(digest));
            return open_fail(l, out, start, SQAUTH_ERR_INTEGRITY, err, "MAC mismatch (tampered buffer or wrong key)");
        }
        if (sqauth_buf_append(out, in, msg_len) != SQAUTH_OK) {
            l->failed = 1;
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "out of memory");
        }
    }
    sqauth_cleanse(digest, sizeof(digest));
    if (l->seq_recv == UINT32_MAX) {
        l->recv_exhausted = 1;
    } else {
        l->seq_recv++;
    }
    return SQAUTH_OK;
}

/* ---- generic ops ---- */

static int ops_seal(void *ctx, const unsigned char *in, size_t len, sqauth_buf *out, sqauth_error *err)
{
    return sqauth_digest_md5_layer_seal(ctx, in, len, out, err);
}

static int ops_open(void *ctx, const unsigned char *in, size_t len, sqauth_buf *out, sqauth_error *err)
{
    return sqauth_digest_md5_layer_open(ctx, in, len, out, err);
}

static size_t ops_overhead(const void *ctx)
{
    return sqauth_digest_md5_overhead(((const sqauth_digest_md5_layer *)ctx)->cipher);
}

static const char *ops_cipher_name(const void *ctx)
{
    return sqauth_digest_md5_cipher_name(((const sqauth_digest_md5_layer *)ctx)->cipher);
}

static void ops_free(void *ctx)
{
    sqauth_digest_md5_layer_free(ctx);
}

const sqauth_sasl_layer_ops sqauth_digest_md5_layer_ops = {
    ops_seal, ops_open, ops_overhead, ops_cipher_name, ops_free,
};
