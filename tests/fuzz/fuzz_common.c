/*
 * The small helpers that see server bytes: strict base64 (every challenge
 * in IMAP, SMTP and POP3 arrives base64-encoded), the UTF-8 checks and the
 * UTF-8 -> ISO-8859-1 conversion (charset.h, saslprep.h), and the
 * mechanisms whose challenges are not parsed but kept or hashed: OAUTHBEARER
 * and XOAUTH2 (the server's JSON error document, and its status as
 * oauth_parse.c reads it), CRAM-MD5, LOGIN, PLAIN, EXTERNAL; and our own
 * MD5 (sasl/md5.c), which CRAM-MD5 and DIGEST-MD5 hash with.
 *
 * Input: any bytes; every check runs on the whole input. Besides the
 * sanitizers, the harness compares independent implementations: base64
 * decoding must be the exact inverse of encoding (strict, canonical), the
 * two UTF-8 validators must agree, a Latin-1 conversion must convert
 * back to the input, and the escaping every message gets (common.h) must
 * give printable UTF-8, escape its own output to itself and, with room,
 * keep every byte of the input as itself or as \xNN; our MD5, in one lane
 * and in two, and the HMAC-MD5 and CRAM-MD5 response over it must be
 * OpenSSL's.
 */
#include "fuzz.h"
#include "sasl/charset.h"
#include "sasl/hmac_md5.h"
#include "sasl/md5.h"
#include "sasl/oauth_parse.h"
#include "sasl/saslprep.h"

#include <openssl/evp.h>

#define PASSWORD "Pw-fuzz-0123"
#define TOKEN "ya29.Fuzz-Token_0123456789"

static void base64(const fuzz_input *in)
{
    sqauth_buf dec = SQAUTH_BUF_INIT, enc = SQAUTH_BUF_INIT;
    sqauth_error err;
    int rc;

    FUZZ_ASSERT(sqauth_buf_append(&dec, "prefix", 6) == SQAUTH_OK);
    sqauth_error_clear(&err);
    rc = sqauth_b64_decode(&dec, (const char *)in->data, in->len, &err);
    fuzz_check_error(in, rc, &err, NULL);
    /* Decoding appends; on error what was there stays. */
    FUZZ_ASSERT(dec.len >= 6 && memcmp(dec.data, "prefix", 6) == 0 && dec.data[dec.len] == '\0');
    if (rc == SQAUTH_OK) {
        FUZZ_ASSERT(dec.len - 6 == in->len / 4 * 3 - (in->len && in->data[in->len - 1] == '=')
                                   - (in->len && in->data[in->len - 2] == '='));
        FUZZ_ASSERT(sqauth_b64_encode(&enc, dec.data + 6, dec.len - 6) == SQAUTH_OK);
        FUZZ_ASSERT(enc.len == in->len && (in->len == 0 || memcmp(enc.data, in->data, in->len) == 0));
    } else {
        FUZZ_ASSERT(dec.len == 6);
    }
    /* And the other way: any bytes encode to something that decodes back. */
    sqauth_buf_reset(&enc);
    sqauth_buf_reset(&dec);
    FUZZ_ASSERT(sqauth_b64_encode(&enc, in->data, in->len) == SQAUTH_OK);
    FUZZ_ASSERT(sqauth_b64_decode(&dec, (const char *)enc.data, enc.len, &err) == SQAUTH_OK);
    FUZZ_ASSERT(dec.len == in->len && (in->len == 0 || memcmp(dec.data, in->data, in->len) == 0));
    sqauth_buf_free(&dec);
    sqauth_buf_free(&enc);
}

/* 1 when valid UTF-8 text has only code points up to U+00FF: in valid
 * UTF-8, bytes from C4 up lead code points above U+00FF, and only those. */
static int latin1_range(const uint8_t *p, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        if (p[i] >= 0xc4) {
            return 0;
        }
    }
    return 1;
}

static void charset(const fuzz_input *in)
{
    sqauth_buf out = SQAUTH_BUF_INIT, back = SQAUTH_BUF_INIT;
    sqauth_error err;
    int valid = sqauth_saslprep_utf8_valid(in->data, in->len), rc, representable = -1;
    int has_nul = in->len && memchr(in->data, '\0', in->len) != NULL;
    char *prep = NULL;
    size_t prep_len = 0, i;

    sqauth_error_clear(&err);
    rc = sqauth_utf8_check((const char *)in->data, in->len, "the text", &err);
    fuzz_check_error(in, rc, &err, NULL);
    FUZZ_ASSERT(rc == SQAUTH_OK || rc == SQAUTH_ERR_CHARSET);
    /* Two validators, one answer (charset.h refuses NUL on top). */
    FUZZ_ASSERT((rc == SQAUTH_OK) == (valid && !has_nul));

    sqauth_error_clear(&err);
    rc = sqauth_utf8_to_latin1((const char *)in->data, in->len, &out, &representable, "the text", &err);
    fuzz_check_error(in, rc, &err, NULL);
    FUZZ_ASSERT((rc == SQAUTH_OK) == (valid && !has_nul));
    if (rc == SQAUTH_OK) {
        FUZZ_ASSERT(representable == latin1_range(in->data, in->len));
        if (representable) {
            for (i = 0; i < out.len; i++) {
                unsigned char c = out.data[i];
                if (c < 0x80) {
                    FUZZ_ASSERT(sqauth_buf_append_byte(&back, c) == SQAUTH_OK);
                } else {
                    FUZZ_ASSERT(sqauth_buf_append_byte(&back, (unsigned char)(0xc0 | c >> 6)) == SQAUTH_OK
                                && sqauth_buf_append_byte(&back, (unsigned char)(0x80 | (c & 0x3f))) == SQAUTH_OK);
                }
            }
            FUZZ_ASSERT(back.len == in->len && (in->len == 0 || memcmp(back.data, in->data, in->len) == 0));
        } else {
            FUZZ_ASSERT(out.len == 0);
        }
    } else {
        FUZZ_ASSERT(out.len == 0 && !representable);
    }

    sqauth_error_clear(&err);
    rc = sqauth_saslprep((const char *)in->data, in->len, "password", &prep, &prep_len, &err);
    fuzz_check_error(in, rc, &err, NULL);
    if (rc == SQAUTH_OK) {
        FUZZ_ASSERT(prep && strlen(prep) == prep_len && sqauth_saslprep_utf8_valid(prep, prep_len));
    } else {
        FUZZ_ASSERT(prep == NULL && (rc == SQAUTH_ERR_CHARSET || rc == SQAUTH_ERR_UNSUPPORTED));
    }
    sqauth_free_secret(prep, prep_len);
    sqauth_buf_wipe(&out);
    sqauth_buf_free(&back);
}

/* One mechanism, started, then the input as the server's challenge(s). */
static void mechanism(const fuzz_input *in, const char *name, int rounds)
{
    sqauth_sasl_config cfg;
    sqauth_sasl *s = NULL;
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    int has = 0, rc, i;

    fuzz_sasl_config(&cfg, "user@example.org", PASSWORD);
    cfg.token = sqauth_str_c(TOKEN);
    FUZZ_ASSERT(sqauth_sasl_new(&s, name, strlen(name), &cfg, &err) == SQAUTH_OK);
    FUZZ_ASSERT(sqauth_sasl_start(s, &out, &has, &err) == SQAUTH_OK);
    for (i = 0; i < rounds; i++) {
        int was_complete = s->complete;
        sqauth_buf_reset(&out);
        sqauth_error_clear(&err);
        rc = sqauth_sasl_step(s, in->data, in->len, &out, &err);
        fuzz_check_error(in, rc, &err, PASSWORD);
        fuzz_check_error(in, rc, &err, TOKEN);
        if (was_complete) {
            FUZZ_ASSERT(rc == SQAUTH_ERR_STATE && out.len == 0);
        }
        if (rc != SQAUTH_OK) {
            break;
        }
    }
    /* What the OAuth mechanisms keep of the error document: its start. */
    if (s->server_error.data) {
        FUZZ_ASSERT(s->server_error.len <= in->len && s->server_error.len <= 4096
                    && memcmp(s->server_error.data, in->data, s->server_error.len) == 0);
    }
    FUZZ_ASSERT(!s->server_verified);
    sqauth_buf_wipe(&out);
    sqauth_sasl_free(s);
}

static void escaping(const fuzz_input *in)
{
    static char out[4 * 4096 + 1], again[4 * 4096 + 1];
    size_t size = in->len % 97 + 1, n, i, k;

    /* A small output: cut cleanly. */
    n = sqauth_escape_text(out, size, (const char *)in->data, in->len);
    FUZZ_ASSERT(n < size && out[n] == '\0' && fuzz_printable(out, n));
    if (in->len > 4096) {
        return;
    }
    /* Room for everything: each input byte comes back. */
    n = sqauth_escape_text(out, sizeof(out), (const char *)in->data, in->len);
    FUZZ_ASSERT(n < sizeof(out) && fuzz_printable(out, n) && strlen(out) == n);
    for (i = 0, k = 0; i < in->len; i++) {
        static const char hex[] = "0123456789abcdef";
        if (k + 4 <= n && out[k] == '\\' && out[k + 1] == 'x' && out[k + 2] == hex[in->data[i] >> 4]
            && out[k + 3] == hex[in->data[i] & 15] && (in->data[i] != '\\' || out[k] != in->data[i])) {
            k += 4;
        } else {
            FUZZ_ASSERT(k < n && (unsigned char)out[k] == in->data[i]);
            k++;
        }
    }
    FUZZ_ASSERT(k == n);
    /* Escaped text escapes to itself. */
    FUZZ_ASSERT(sqauth_escape_text(again, sizeof(again), out, n) == n && memcmp(again, out, n) == 0);
}

/* The status of an OAuth error document (what decides a token refresh):
 * when there is one, it lies inside the document, and it is either
 * quote-free text between quotes or a number's characters. */
static void oauth_status(const fuzz_input *in)
{
    const char *doc = (const char *)in->data;
    sqauth_str st;
    size_t i;

    if (!sqauth_oauth_error_status(doc, in->len, &st)) {
        FUZZ_ASSERT(st.data == NULL && st.len == 0);
        return;
    }
    FUZZ_ASSERT(in->len <= SQAUTH_OAUTH_MAX_DOCUMENT && st.data > doc && st.data + st.len < doc + in->len);
    if (st.data[-1] == '"') {
        FUZZ_ASSERT(st.data[st.len] == '"');
        for (i = 0; i < st.len; i++) {
            FUZZ_ASSERT(st.data[i] != '"' && st.data[i] != '\\' && (unsigned char)st.data[i] >= 0x20);
        }
    } else {
        FUZZ_ASSERT(st.len > 0);
        for (i = 0; i < st.len; i++) {
            FUZZ_ASSERT(strchr("-+.eE0123456789", st.data[i]) != NULL && st.data[i] != '\0');
        }
    }
}

static void openssl_md5(const uint8_t *p, size_t n, unsigned char out[16])
{
    unsigned int len = 0;

    FUZZ_ASSERT(EVP_Digest(p, n, out, &len, EVP_md5(), NULL) == 1 && len == 16);
}

/* Our MD5 against OpenSSL's: the whole input; the input cut in two (where
 * its first byte says) as the two lanes of a pair; HMAC-MD5 with the
 * first part as the key; the CRAM-MD5 response to the input. */
static void md5(const fuzz_input *in)
{
    unsigned char a[16], b[16], want[16], want_b[16];
    size_t cut = in->len ? in->data[0] * in->len / 256 : 0;
    sqauth_md5_state m, o;
    sqauth_sasl_config cfg;
    sqauth_sasl *s = NULL;
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    char hex[32];

    openssl_md5(in->data, in->len, want);
    sqauth_md5_buf(in->data, in->len, a);
    FUZZ_ASSERT(memcmp(a, want, 16) == 0);

    openssl_md5(in->data, cut, want);
    openssl_md5(in->data + cut, in->len - cut, want_b);
    sqauth_md5_start(&m);
    sqauth_md5_start(&o);
    sqauth_md5_finish2(&m, in->data, cut, a, &o, in->data + cut, in->len - cut, b);
    FUZZ_ASSERT(memcmp(a, want, 16) == 0 && memcmp(b, want_b, 16) == 0);

    FUZZ_ASSERT(sqauth_hmac_md5(in->data, cut, in->data + cut, in->len - cut, want, NULL) == SQAUTH_OK);
    FUZZ_ASSERT(sqauth_hmac_md5_direct(in->data, cut, in->data + cut, in->len - cut, a, NULL) == SQAUTH_OK);
    FUZZ_ASSERT(memcmp(a, want, 16) == 0);

    if (in->len == 0) {
        return;     /* CRAM-MD5 refuses an empty challenge */
    }
    fuzz_sasl_config(&cfg, "user@example.org", PASSWORD);
    FUZZ_ASSERT(sqauth_sasl_new(&s, "CRAM-MD5", 8, &cfg, &err) == SQAUTH_OK);
    FUZZ_ASSERT(sqauth_sasl_step(s, in->data, in->len, &out, &err) == SQAUTH_OK);
    FUZZ_ASSERT(sqauth_hmac_md5(PASSWORD, strlen(PASSWORD), in->data, in->len, want, NULL) == SQAUTH_OK);
    sqauth_md5_hex(hex, want);
    FUZZ_ASSERT(out.len == 17 + 32 && memcmp(out.data, "user@example.org ", 17) == 0
                && memcmp(out.data + 17, hex, 32) == 0);
    sqauth_buf_wipe(&out);
    sqauth_sasl_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = fuzz_input_make(data, size);

    escaping(&in);
    base64(&in);
    charset(&in);
    oauth_status(&in);
    md5(&in);
    mechanism(&in, "OAUTHBEARER", 2);
    mechanism(&in, "XOAUTH2", 2);
    mechanism(&in, "CRAM-MD5", 2);
    mechanism(&in, "LOGIN", 3);
    mechanism(&in, "PLAIN", 1);
    mechanism(&in, "EXTERNAL", 1);
    return 0;
}
