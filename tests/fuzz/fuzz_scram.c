/*
 * SCRAM-SHA-1 / SCRAM-SHA-256 and their -PLUS variants (RFC 5802, RFC
 * 7677): the server-first and server-final parsers, and the mechanism
 * through both messages.
 *
 * Input: one selector byte (bits 0-1: SHA-1, SHA-256, SHA-1-PLUS,
 * SHA-256-PLUS; bit 2: send an authzid), then server-first NUL
 * server-final. The client nonce and credentials are those of the RFC
 * examples (user / pencil), so that the RFC exchanges in the corpus verify.
 * Iteration counts above 4096 are refused by policy (max_iterations), so
 * one input costs at most one PBKDF2 of 4096 rounds.
 */
#include "fuzz.h"
#include "sasl/scram_parse.h"

static const struct {
    const char *mech;
    const char *cnonce;
} variants[] = {
    {"SCRAM-SHA-1", "fyko+d2lbbFgONRv9qkxdawL"},          /* RFC 5802 §5 */
    {"SCRAM-SHA-256", "rOprNGfwEbeRWgbNEkqO"},            /* RFC 7677 §3 */
    {"SCRAM-SHA-1-PLUS", "fyko+d2lbbFgONRv9qkxdawL"},
    {"SCRAM-SHA-256-PLUS", "rOprNGfwEbeRWgbNEkqO"},
};

#define PASSWORD "pencil"

static void parsers(const fuzz_input *in, const uint8_t *p, size_t n)
{
    sqauth_scram_server_first sf;
    sqauth_scram_server_final sfin;
    sqauth_error err;
    int rc;

    sqauth_error_clear(&err);
    rc = sqauth_scram_parse_server_first(p, n, &sf, &err);
    fuzz_check_error(in, rc, &err, NULL);
    if (rc == SQAUTH_OK && !sf.server_error.data) {
        FUZZ_ASSERT(sqauth_scram_nonce_valid(sf.nonce.data, sf.nonce.len));
        FUZZ_ASSERT(sf.nonce.len <= SQAUTH_SCRAM_MAX_NONCE);
        FUZZ_ASSERT(sf.salt.len > 0 && sf.iterations > 0);
    } else if (rc == SQAUTH_OK) {
        FUZZ_ASSERT(sf.server_error.len > 0);
    }
    sqauth_scram_server_first_free(&sf);

    sqauth_error_clear(&err);
    rc = sqauth_scram_parse_server_final(p, n, &sfin, &err);
    fuzz_check_error(in, rc, &err, NULL);
    if (rc == SQAUTH_OK) {
        FUZZ_ASSERT(sfin.server_error.data ? sfin.server_error.len > 0 : sfin.verifier.len > 0);
    }
    sqauth_scram_server_final_free(&sfin);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_input in = fuzz_input_make(data, size);
    unsigned sel = fuzz_byte(&in);
    const uint8_t *msg[2];
    size_t msg_len[2], count = 0, i;
    sqauth_sasl_config cfg;
    sqauth_sasl *s = NULL;
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    int has = 0, rc;

    while (count < 2 && fuzz_piece(&in, &msg[count], &msg_len[count])) {
        parsers(&in, msg[count], msg_len[count]);
        count++;
    }

    fuzz_sasl_config(&cfg, "user", PASSWORD);
    cfg.cnonce = sqauth_str_c(variants[sel & 3].cnonce);
    if (sel & 4) {
        cfg.authzid = sqauth_str_c("admin,=x");    /* escaped as a saslname */
    }
    sqauth_error_clear(&err);
    FUZZ_ASSERT(sqauth_sasl_new(&s, variants[sel & 3].mech, strlen(variants[sel & 3].mech), &cfg, &err)
                == SQAUTH_OK);
    FUZZ_ASSERT(sqauth_sasl_start(s, &out, &has, &err) == SQAUTH_OK && has);

    rc = SQAUTH_OK;
    for (i = 0; i < count && rc == SQAUTH_OK; i++) {
        sqauth_buf_reset(&out);
        sqauth_error_clear(&err);
        rc = sqauth_sasl_step(s, msg[i], msg_len[i], &out, &err);
        fuzz_check_error(&in, rc, &err, PASSWORD);
        if (rc != SQAUTH_OK) {
            FUZZ_ASSERT(out.len == 0 && s->failed && !s->server_verified);
            if (rc == SQAUTH_ERR_SERVER) {
                FUZZ_ASSERT(s->server_error.data != NULL);
            }
            break;
        }
        fuzz_check_no_secret(&in, out.data, out.len, PASSWORD);
        if (i == 0) {
            /* client-final-message: c=...,r=<the server's nonce>,p=... */
            FUZZ_ASSERT(out.len > 2 && memcmp(out.data, "c=", 2) == 0 && fuzz_contains(out.data, out.len, ",p="));
            FUZZ_ASSERT(!s->complete);
        } else {
            /* Only a matching v= ends the exchange. */
            FUZZ_ASSERT(out.len == 0 && s->complete && s->server_verified);
        }
    }
    if (rc == SQAUTH_OK && s->complete) {
        sqauth_error_clear(&err);
        FUZZ_ASSERT(sqauth_sasl_step(s, (const unsigned char *)"v=", 2, &out, &err) == SQAUTH_ERR_STATE);
    }
    sqauth_buf_free(&out);
    sqauth_sasl_free(s);
    return 0;
}
