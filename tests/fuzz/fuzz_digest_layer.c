/*
 * The DIGEST-MD5 security layers (RFC 2831 §2.3 auth-int, §2.4 auth-conf):
 * what the server sends once a layer is up, through sqauth_sasl_unwrap()
 * (RFC 4422 §3.7 framing, then sqauth_digest_md5_layer_open()) or through a
 * connection that has the layer installed (sqauth_conn_set_layer(), then
 * line and stream reads).
 *
 * The client's layer is made as the mechanism makes it after a verified
 * rspauth, from a fixed H(A1): the H(A1) of the Cyrus SASL exchanges in
 * tests/core/test_digest_layer.c, one per cipher, so that Cyrus's recorded
 * buffers (in the corpus) open.
 *
 * Input: a selector byte, then what the selector says.
 *   bits 0-2  0 auth-int, 1 rc4, 2 3des, 3 des, 4 rc4-56, 5 rc4-40 (6, 7: auth-int, rc4)
 *   bits 3-4  how the rest becomes the server's byte stream:
 *             0 (and 3)  as it is (length-prefixed buffers, straight from the input)
 *             1          records [flags][len, 2 bytes, mod 16384][body]: the
 *                        body (cut to whole blocks for des/3des) is run
 *                        through the server's cipher (so the fuzzer chooses
 *                        what decrypts: message, padding, MAC), then version
 *                        and sequence number are added; flags: 1 wrong
 *                        version, 2 wrong sequence number, 4 a correct MAC
 *                        over the message the padding leaves
 *             2          records [flags][len, 2 bytes, mod 16384][message] sealed by a
 *                        server-side layer; flags bit 0: flip one bit of the
 *                        sealed buffer (which bit: flags >> 1)
 *   bits 5-6  how it is read: 0 and 3 sqauth_sasl_unwrap() in slices (the
 *             next byte sets their size), 1 sqauth_conn_read_line(), 2
 *             sqauth_conn_read_some()
 *   bit 7     our maxbuf 1000 instead of 65536
 */
#include "fuzz.h"
#include "conn.h"
#include "sasl/digest_md5_layer.h"

#include <openssl/evp.h>

typedef struct cipher_case {
    unsigned bit;
    const char *ha1_hex;
} cipher_case;

static const cipher_case ciphers[8] = {
    {SQAUTH_DMD5_NO_CIPHER, "e05705da47bd6a4f25df8c6ea311a9d3"},
    {SQAUTH_DIGEST_MD5_CIPHER_RC4, "ee7aa437e0d781ee5e3ccacf31963192"},
    {SQAUTH_DIGEST_MD5_CIPHER_3DES, "19495e46e72d8939130b0205f4a0c35c"},
    {SQAUTH_DIGEST_MD5_CIPHER_DES, "d5b782ab0c0a8d0b0a7a1df904a0e044"},
    {SQAUTH_DIGEST_MD5_CIPHER_RC4_56, "3439f5438394bcf6684e3f58abae8bc0"},
    {SQAUTH_DIGEST_MD5_CIPHER_RC4_40, "ea761209e1c1c50eb3b6b605e5621daa"},
    {SQAUTH_DMD5_NO_CIPHER, "e05705da47bd6a4f25df8c6ea311a9d3"},
    {SQAUTH_DIGEST_MD5_CIPHER_RC4, "ee7aa437e0d781ee5e3ccacf31963192"},
};

/* Longest record body: sealed, it stays within our default maxbuf. */
#define MAX_RECORD 16384

static void unhex16(const char *hex, unsigned char out[16])
{
    size_t i;
    for (i = 0; i < 16; i++) {
        unsigned v = 0;
        FUZZ_ASSERT(sscanf(hex + 2 * i, "%2x", &v) == 1);
        out[i] = (unsigned char)v;
    }
}

static void put_be32(unsigned char *p, unsigned long v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* The server's sending cipher, keyed from Kcs as the layer keys it
 * (digest_md5_layer.h): 7 key bytes spread over 8 for des/3des. */
static EVP_CIPHER_CTX *server_cipher(unsigned bit, const unsigned char kcs[16])
{
    unsigned char key[16];
    const char *alg = "RC4";
    EVP_CIPHER *c;
    EVP_CIPHER_CTX *ctx;
    int halves = 0, h, i;

    memcpy(key, kcs, 16);
    if (bit == SQAUTH_DIGEST_MD5_CIPHER_3DES) {
        alg = "DES-EDE-CBC";
        halves = 2;
    } else if (bit == SQAUTH_DIGEST_MD5_CIPHER_DES) {
        alg = "DES-CBC";
        halves = 1;
    }
    for (h = 0; h < halves; h++) {
        const unsigned char *k7 = kcs + 7 * h;
        key[8 * h] = k7[0];
        for (i = 1; i < 7; i++) {
            key[8 * h + i] = (unsigned char)((k7[i - 1] << (8 - i)) | (k7[i] >> i));
        }
        key[8 * h + 7] = (unsigned char)(k7[6] << 1);
    }
    c = EVP_CIPHER_fetch(sqauth_cipher_libctx(NULL), alg, NULL);
    ctx = EVP_CIPHER_CTX_new();
    FUZZ_ASSERT(c && ctx && EVP_CipherInit_ex2(ctx, c, key, halves ? kcs + 8 : NULL, 1, NULL) == 1
                && EVP_CIPHER_CTX_set_padding(ctx, 0) == 1);
    EVP_CIPHER_free(c);
    return ctx;
}

/* Mode 1: the fuzzer writes what the client will decrypt. */
static void build_chosen_plaintext(fuzz_input *in, unsigned bit, const unsigned char ha1[16], sqauth_buf *stream)
{
    unsigned char kic[16], kis[16], kcc[16], kcs[16];
    EVP_CIPHER_CTX *ctx = NULL;
    int block = bit == SQAUTH_DIGEST_MD5_CIPHER_DES || bit == SQAUTH_DIGEST_MD5_CIPHER_3DES;
    unsigned long seq = 0;
    sqauth_error err;

    FUZZ_ASSERT(sqauth_digest_md5_layer_keys(ha1, bit, kic, kis, kcc, kcs, &err) == SQAUTH_OK);
    if (bit) {
        ctx = server_cipher(bit, kcs);
    }
    while (in->len >= 3) {
        unsigned flags = fuzz_byte(in), len = fuzz_byte(in) << 8;
        unsigned char body[MAX_RECORD], trailer[6];
        size_t at = stream->len;
        int n = 0;

        len = (len | fuzz_byte(in)) % MAX_RECORD;
        if (len > in->len) {
            len = (unsigned)in->len;
        }
        if (block) {
            len -= len % 8;     /* EVP keeps a partial block back */
        }
        memcpy(body, in->data, len);
        in->data += len;
        in->len -= len;
        if ((flags & 4) && len >= SQAUTH_DMD5_MAC_LEN) {
            /* A correct MAC over what the padding (if sane) leaves. */
            size_t msg_len = len - SQAUTH_DMD5_MAC_LEN, pad = block && msg_len ? body[msg_len - 1] : 0;
            unsigned char mac[16];
            sqauth_buf macin = SQAUTH_BUF_INIT;
            if (pad > 8 || pad > msg_len) {
                pad = 0;
            }
            FUZZ_ASSERT(sqauth_buf_reserve(&macin, 4 + msg_len) == SQAUTH_OK);
            put_be32(macin.data, seq);
            memcpy(macin.data + 4, body, msg_len - pad);
            FUZZ_ASSERT(sqauth_hmac_md5(kis, 16, macin.data, 4 + msg_len - pad, mac, &err) == SQAUTH_OK);
            memcpy(body + msg_len, mac, SQAUTH_DMD5_MAC_LEN);
            sqauth_buf_free(&macin);
        }
        FUZZ_ASSERT(sqauth_buf_append(stream, "\0\0\0\0", 4) == SQAUTH_OK
                    && sqauth_buf_reserve(stream, len + 6) == SQAUTH_OK);
        if (ctx) {
            FUZZ_ASSERT(len == 0 || (EVP_CipherUpdate(ctx, stream->data + stream->len, &n, body, (int)len) == 1
                                     && (unsigned)n == len));
        } else {
            memcpy(stream->data + stream->len, body, len);
        }
        stream->len += len;
        trailer[0] = 0;
        trailer[1] = (flags & 1) ? 2 : 1;
        put_be32(trailer + 2, (flags & 2) ? seq + 1 : seq);
        FUZZ_ASSERT(sqauth_buf_append(stream, trailer, 6) == SQAUTH_OK);
        put_be32(stream->data + at, (unsigned long)(stream->len - at - 4));
        seq++;
    }
    EVP_CIPHER_CTX_free(ctx);
    sqauth_cleanse(kcs, 16);
    sqauth_cleanse(kis, 16);
}

/* Mode 2: real buffers from a server-side layer; *expected gets their
 * plaintext, *tampered says whether a bit was flipped. */
static void build_sealed(fuzz_input *in, unsigned bit, const unsigned char ha1[16], sqauth_buf *stream,
                         sqauth_buf *expected, int *tampered)
{
    sqauth_digest_md5_layer *srv = NULL;
    sqauth_error err;

    *tampered = 0;
    FUZZ_ASSERT(sqauth_digest_md5_layer_new(&srv, ha1, bit, 1, &err) == SQAUTH_OK);
    while (in->len >= 3) {
        unsigned flags = fuzz_byte(in), len = fuzz_byte(in) << 8;
        size_t at = stream->len;

        len = (len | fuzz_byte(in)) % MAX_RECORD;
        if (len > in->len) {
            len = (unsigned)in->len;
        }
        FUZZ_ASSERT(sqauth_buf_append(stream, "\0\0\0\0", 4) == SQAUTH_OK);
        FUZZ_ASSERT(sqauth_digest_md5_layer_seal(srv, in->data, len, stream, &err) == SQAUTH_OK);
        FUZZ_ASSERT(sqauth_buf_append(expected, in->data, len) == SQAUTH_OK);
        put_be32(stream->data + at, (unsigned long)(stream->len - at - 4));
        in->data += len;
        in->len -= len;
        if (flags & 1) {
            size_t bitpos = (flags >> 1) % (8 * (stream->len - at));
            stream->data[at + bitpos / 8] ^= (unsigned char)(1u << (bitpos % 8));
            *tampered = 1;
        }
    }
    sqauth_digest_md5_layer_free(srv);
}

/* sqauth_sasl_unwrap() as conn.c drives it: bytes arrive in slices, what is
 * not consumed waits for the next. */
static int unwrap_in_slices(const fuzz_input *in, sqauth_sasl *s, const sqauth_buf *stream, size_t slice,
                            sqauth_buf *plain)
{
    sqauth_buf pending = SQAUTH_BUF_INIT;
    size_t pos = 0;
    sqauth_error err;
    int rc = SQAUTH_OK;

    while (pos < stream->len && rc == SQAUTH_OK) {
        size_t n = stream->len - pos < slice ? stream->len - pos : slice, consumed = 0, before = plain->len;
        FUZZ_ASSERT(sqauth_buf_append(&pending, stream->data + pos, n) == SQAUTH_OK);
        pos += n;
        sqauth_error_clear(&err);
        rc = sqauth_sasl_unwrap(s, pending.data, pending.len, &consumed, plain, &err);
        fuzz_check_error(in, rc, &err, NULL);
        FUZZ_ASSERT(consumed <= pending.len && plain->len >= before);
        if (rc == SQAUTH_OK) {
            /* What is left is less than one whole buffer. */
            memmove(pending.data, pending.data + consumed, pending.len - consumed);
            pending.len -= consumed;
        }
    }
    if (rc != SQAUTH_OK) {
        size_t consumed;
        /* A failed layer stays failed. */
        sqauth_error_clear(&err);
        FUZZ_ASSERT(sqauth_sasl_unwrap(s, stream->data, stream->len, &consumed, plain, &err) == SQAUTH_ERR_STATE);
        FUZZ_ASSERT(sqauth_sasl_wrap(s, (const unsigned char *)"x", 1, &pending, &err) == SQAUTH_ERR_STATE);
    } else if (pending.len) {
        rc = SQAUTH_ERR_CLOSED;     /* the stream ended inside a buffer */
    }
    sqauth_buf_free(&pending);
    return rc;
}

/* The same bytes through a connection with the layer installed. Takes s. */
static int read_through_conn(const fuzz_input *in, sqauth_sasl *s, const sqauth_buf *stream, int lines,
                             sqauth_buf *plain)
{
    fuzz_server srv;
    sqauth_conn *c = NULL;
    sqauth_buf line = SQAUTH_BUF_INIT;
    sqauth_error err;
    int rc = SQAUTH_OK;

    FUZZ_ASSERT(sqauth_conn_adopt(&c, fuzz_server_start(&srv, stream->data, stream->len), 2000, &err) == SQAUTH_OK);
    FUZZ_ASSERT(sqauth_conn_set_layer(c, s, &err) == SQAUTH_OK);
    while (rc == SQAUTH_OK) {
        sqauth_error_clear(&err);
        if (lines) {
            rc = sqauth_conn_read_line(c, &line, 1024, &err);
            if (rc == SQAUTH_OK) {
                FUZZ_ASSERT(sqauth_buf_append(plain, line.data, line.len) == SQAUTH_OK);
            }
        } else {
            unsigned char buf[700];
            size_t got = 0;
            rc = sqauth_conn_read_some(c, buf, sizeof(buf), &got, &err);
            FUZZ_ASSERT(got <= sizeof(buf));
            if (rc == SQAUTH_OK && got == 0) {
                rc = SQAUTH_ERR_CLOSED;     /* end of stream */
                break;
            }
            FUZZ_ASSERT(sqauth_buf_append(plain, buf, got) == SQAUTH_OK);
        }
        fuzz_check_error(in, rc, &err, NULL);
    }
    /* Everything is there before the first read: nothing may wait. */
    FUZZ_ASSERT(rc != SQAUTH_ERR_TIMEOUT);
    sqauth_buf_wipe(&line);
    sqauth_conn_free(c);    /* frees s */
    fuzz_server_stop(&srv);
    return rc;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = fuzz_input_make(data, size);
    unsigned sel = fuzz_byte(&in), mode = (sel >> 3) & 3, feed = (sel >> 5) & 3;
    const cipher_case *cc = &ciphers[sel & 7];
    unsigned char ha1[16];
    sqauth_sasl_config cfg;
    sqauth_sasl *s = NULL;
    sqauth_digest_md5_layer *layer = NULL;
    sqauth_buf stream = SQAUTH_BUF_INIT, expected = SQAUTH_BUF_INIT, plain = SQAUTH_BUF_INIT;
    sqauth_error err;
    size_t slice = 0;
    int tampered = 0, rc;

    if (feed == 0 || feed == 3) {
        slice = 1 + 37 * (size_t)fuzz_byte(&in);
    }
    unhex16(cc->ha1_hex, ha1);
    fuzz_sasl_config(&cfg, "alice", "Wonder land 42");
    cfg.maxbuf = (sel & 0x80) ? 1000 : 0;
    FUZZ_ASSERT(sqauth_sasl_new(&s, "DIGEST-MD5", 10, &cfg, &err) == SQAUTH_OK);
    /* What digest_md5.c does once rspauth checked. */
    FUZZ_ASSERT(sqauth_digest_md5_layer_new(&layer, ha1, cc->bit, 0, &err) == SQAUTH_OK);
    s->layer = cc->bit ? SQAUTH_LAYER_CONF : SQAUTH_LAYER_INT;
    s->layer_ops = &sqauth_digest_md5_layer_ops;
    s->layer_ctx = layer;
    s->peer_maxbuf = 65536;

    if (mode == 1) {
        build_chosen_plaintext(&in, cc->bit, ha1, &stream);
    } else if (mode == 2) {
        build_sealed(&in, cc->bit, ha1, &stream, &expected, &tampered);
    } else {
        FUZZ_ASSERT(sqauth_buf_append(&stream, in.data, in.len) == SQAUTH_OK);
    }

    if (slice) {
        rc = unwrap_in_slices(&in, s, &stream, slice, &plain);
        sqauth_sasl_free(s);
        if (mode == 2) {
            /* Our own buffers open, byte for byte; a flipped bit never
             * goes unnoticed. (1000 is below some sealed buffers.) */
            int intact = rc == SQAUTH_OK && plain.len == expected.len
                         && (plain.len == 0 || memcmp(plain.data, expected.data, plain.len) == 0);
            if (tampered) {
                FUZZ_ASSERT(!intact || stream.len == 0);
            } else if (!(sel & 0x80)) {
                FUZZ_ASSERT(intact);
            }
        }
    } else {
        rc = read_through_conn(&in, s, &stream, feed == 1, &plain);
        if (mode == 2 && !tampered && !(sel & 0x80) && feed == 2) {
            FUZZ_ASSERT(rc == SQAUTH_ERR_CLOSED && plain.len == expected.len
                        && (plain.len == 0 || memcmp(plain.data, expected.data, plain.len) == 0));
        }
    }
    sqauth_cleanse(ha1, sizeof(ha1));
    sqauth_buf_wipe(&stream);
    sqauth_buf_wipe(&expected);
    sqauth_buf_wipe(&plain);
    return 0;
}
