/*
 * SCRAM-SHA-1 (RFC 5802 §5), SCRAM-SHA-256 (RFC 7677 §3), the -PLUS
 * variants, the server message parsers and SASLprep (RFC 4013 §3).
 * Expected values not in the RFCs were computed independently with
 * Python's hashlib.pbkdf2_hmac and hmac.
 */
#include "check.h"
#include "sasl/sasl.h"
#include "sasl/scram.h"
#include "sasl/scram_parse.h"
#include "sasl/saslprep.h"

#include <openssl/evp.h>

#define SF1 "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096"
#define CN1 "fyko+d2lbbFgONRv9qkxdawL"
#define SF256 "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"
#define CN256 "rOprNGfwEbeRWgbNEkqO"
#define N256 "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0"

typedef struct opts {
    const char *authzid;
    const char *cnonce;
    unsigned min_iterations, max_iterations;
    const char *cb_type;
    const unsigned char *cb_data;
    size_t cb_len;
} opts;

static sqauth_sasl *make(const char *mech, const char *user, const char *pass, const opts *o)
{
    sqauth_sasl_config cfg;
    sqauth_sasl *s = NULL;
    sqauth_error err;

    memset(&cfg, 0, sizeof(cfg));
    cfg.authcid = sqauth_str_c(user);
    cfg.password = sqauth_str_c(pass);
    if (o) {
        cfg.authzid = sqauth_str_c(o->authzid);
        cfg.cnonce = sqauth_str_c(o->cnonce);
        cfg.min_iterations = o->min_iterations;
        cfg.max_iterations = o->max_iterations;
        cfg.cb_type = sqauth_str_c(o->cb_type);
        if (o->cb_data) {
            cfg.cb_data.data = (const char *)o->cb_data;
            cfg.cb_data.len = o->cb_len;
        }
    }
    CHECK_RC(sqauth_sasl_new(&s, mech, strlen(mech), &cfg, &err), SQAUTH_OK);
    return s;
}

static int step_str(sqauth_sasl *s, const char *in, sqauth_buf *out, sqauth_error *err)
{
    sqauth_buf_reset(out);
    sqauth_error_clear(err);
    return sqauth_sasl_step(s, (const unsigned char *)in, strlen(in), out, err);
}

/* A session that has sent its client-first with the given fixed nonce. */
static sqauth_sasl *started(const char *mech, const char *cnonce, const opts *extra)
{
    opts o;
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    sqauth_sasl *s;
    int has = 0;

    if (extra) {
        o = *extra;
    } else {
        memset(&o, 0, sizeof(o));
    }
    o.cnonce = cnonce;
    s = make(mech, "user", "pencil", &o);
    if (s) {
        CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_OK);
        CHECK(has == 1);
    }
    sqauth_buf_wipe(&out);
    return s;
}

/* Sends server-first to a fresh SCRAM-SHA-1 session (RFC nonce) and
 * checks the status and, when msg != NULL, the exact error message. */
static void first_fails(const char *mech, const char *cnonce, const opts *o, const char *server_first,
                        int want_rc, const char *msg, int line)
{
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    sqauth_sasl *s = started(mech, cnonce, o);
    int rc;

    if (!s) {
        return;
    }
    rc = step_str(s, server_first, &out, &err);
    if (rc == want_rc && (!msg || strcmp(err.message, msg) == 0) && out.len == 0 && s->failed) {
        check_passed++;
    } else {
        check_failed++;
        fprintf(stderr, "FAIL %s:%d: server-first \"%.60s\": rc %d (want %d), message \"%s\"%s%s\n",
                __FILE__, line, server_first, rc, want_rc, err.message,
                msg ? ", want " : "", msg ? msg : "");
    }
    sqauth_sasl_free(s);
    sqauth_buf_wipe(&out);
}

#define FIRST_FAILS(sf, rc, msg) first_fails("SCRAM-SHA-1", CN1, NULL, (sf), (rc), (msg), __LINE__)

/* Runs an exchange up to the client-final and then sends server_final. */
static void final_fails(const char *server_final, int want_rc, const char *msg, int line)
{
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    sqauth_sasl *s = started("SCRAM-SHA-1", CN1, NULL);
    int rc;

    if (!s) {
        return;
    }
    CHECK_RC(step_str(s, SF1, &out, &err), SQAUTH_OK);
    rc = step_str(s, server_final, &out, &err);
    if (rc == want_rc && (!msg || strcmp(err.message, msg) == 0) && !s->server_verified && s->failed) {
        check_passed++;
    } else {
        check_failed++;
        fprintf(stderr, "FAIL %s:%d: server-final \"%.60s\": rc %d (want %d), message \"%s\"\n",
                __FILE__, line, server_final, rc, want_rc, err.message);
    }
    sqauth_sasl_free(s);
    sqauth_buf_wipe(&out);
}

#define FINAL_FAILS(sf, rc, msg) final_fails((sf), (rc), (msg), __LINE__)

/* A whole exchange with exact expected messages. */
static void exchange(const char *mech, const char *user, const char *pass, const opts *o,
                     const char *client_first, const char *server_first, const char *client_final,
                     const char *server_final)
{
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    sqauth_sasl *s = make(mech, user, pass, o);
    int has = 0;

    if (!s) {
        return;
    }
    CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_OK);
    CHECK(has == 1);
    CHECK_BYTES(out.data, out.len, client_first);
    CHECK_RC(step_str(s, server_first, &out, &err), SQAUTH_OK);
    CHECK_BYTES(out.data, out.len, client_final);
    CHECK(!s->complete && !s->server_verified);
    CHECK_RC(step_str(s, server_final, &out, &err), SQAUTH_OK);
    CHECK(out.len == 0);
    CHECK(s->complete && s->server_verified && !s->failed);
    CHECK(s->server_error.data == NULL);
    /* Nothing more to say: another challenge is a state error. */
    CHECK_RC(step_str(s, server_final, &out, &err), SQAUTH_ERR_STATE);
    sqauth_sasl_free(s);
    sqauth_buf_wipe(&out);
}

static void hi_vector(const EVP_MD *md, const char *pw, const char *salt, unsigned long i, const char *hex, int line)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    sqauth_buf got = SQAUTH_BUF_INIT;
    sqauth_error err;
    int rc = sqauth_scram_hi(md, (const unsigned char *)pw, strlen(pw), (const unsigned char *)salt, strlen(salt),
                             i, out, &err);

    if (rc == SQAUTH_OK && sqauth_buf_append_hex(&got, out, (size_t)EVP_MD_get_size(md)) == SQAUTH_OK
        && strcmp((const char *)got.data, hex) == 0) {
        check_passed++;
    } else {
        check_failed++;
        fprintf(stderr, "FAIL %s:%d: Hi rc %d, got %s\n", __FILE__, line, rc, got.data ? (const char *)got.data : "");
    }
    sqauth_buf_free(&got);
}

/* Hi() is PBKDF2 with dkLen = hLen: RFC 6070 (HMAC-SHA-1) and the first
 * block of RFC 7914 §11 (HMAC-SHA-256), plus one computed with Python. */
static void test_hi(void)
{
    unsigned char out[EVP_MAX_MD_SIZE];
    sqauth_error err;

    hi_vector(EVP_sha1(), "password", "salt", 1, "0c60c80f961f0e71f3a9b524af6012062fe037a6", __LINE__);
    hi_vector(EVP_sha1(), "password", "salt", 2, "ea6c014dc72d6f8ccd1ed92ace1d41f0d8de8957", __LINE__);
    hi_vector(EVP_sha1(), "password", "salt", 4096, "4b007901b765489abead49d926f721d065a429c1", __LINE__);
    hi_vector(EVP_sha256(), "passwd", "salt", 1, "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc", __LINE__);
    hi_vector(EVP_sha256(), "passwordPASSWORDpassword", "saltSALTsaltSALTsaltSALTsaltSALTsalt", 4096,
              "348c89dbcbd32b2f32d814b8116e84cf2b17347ebc1800181c4e2a1fb8dd53e1", __LINE__);
    CHECK_RC(sqauth_scram_hi(EVP_sha256(), (const unsigned char *)"p", 1, (const unsigned char *)"s", 1, 0, out, &err),
             SQAUTH_ERR_INVALID_ARG);
}

static void prep_ok(const char *in, const char *want, int line)
{
    char *out = NULL;
    size_t out_len = 0;
    sqauth_error err;
    int rc = sqauth_saslprep(in, strlen(in), "password", &out, &out_len, &err);

    if (rc == SQAUTH_OK && out && out_len == strlen(want) && memcmp(out, want, out_len) == 0 && out[out_len] == '\0') {
        check_passed++;
    } else {
        check_failed++;
        fprintf(stderr, "FAIL %s:%d: SASLprep rc %d (%s)\n", __FILE__, line, rc, rc ? err.message : "wrong output");
    }
    sqauth_free_secret(out, out_len);
}

static void prep_fails(const char *in, size_t len, int want_rc, const char *msg, int line)
{
    char *out = (char *)1;
    size_t out_len = 1;
    sqauth_error err;
    int rc = sqauth_saslprep(in, len, "password", &out, &out_len, &err);

    if (rc == want_rc && out == NULL && out_len == 0 && strcmp(err.message, msg) == 0) {
        check_passed++;
    } else {
        check_failed++;
        fprintf(stderr, "FAIL %s:%d: SASLprep rc %d (want %d), \"%s\"\n", __FILE__, line, rc, want_rc, err.message);
        if (rc == SQAUTH_OK) {
            sqauth_free_secret(out, out_len);
        }
    }
}

#define PREP_OK(in, want) prep_ok((in), (want), __LINE__)
#define PREP_FAILS(in, rc, msg) prep_fails((in), strlen(in), (rc), (msg), __LINE__)

static void test_saslprep(void)
{
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    sqauth_sasl *s;
    opts o;
    int has;

    /* ASCII is the same in every build. */
    PREP_OK("user", "user");
    PREP_OK("USER", "USER");
    PREP_OK("a b~!", "a b~!");
    PREP_OK("", "");
    PREP_FAILS("\x07", SQAUTH_ERR_CHARSET, "SASLprep of the password failed: it contains a prohibited character");
    PREP_FAILS("ab\x7f", SQAUTH_ERR_CHARSET, "SASLprep of the password failed: it contains a prohibited character");
    PREP_FAILS("\xC3\x28", SQAUTH_ERR_CHARSET, "SASLprep of the password failed: it is not valid UTF-8");
    PREP_FAILS("\xC0\xAF", SQAUTH_ERR_CHARSET, "SASLprep of the password failed: it is not valid UTF-8");
    PREP_FAILS("\xED\xA0\x80", SQAUTH_ERR_CHARSET, "SASLprep of the password failed: it is not valid UTF-8");
    prep_fails("a\0b", 3, SQAUTH_ERR_CHARSET, "SASLprep of the password failed: it contains a NUL byte", __LINE__);
    CHECK(sqauth_saslprep_utf8_valid("\xF0\x9F\x98\x80", 4));
    CHECK(!sqauth_saslprep_utf8_valid("\xF0\x9F\x98", 3));
    CHECK(!sqauth_saslprep_utf8_valid("\xF4\x90\x80\x80", 4)); /* > U+10FFFF */
    CHECK(!sqauth_saslprep_utf8_valid("\xE0\x80\xAF", 3));     /* overlong */

#ifdef HAVE_LIBIDN
    CHECK(sqauth_saslprep_available() == 1);
    /* RFC 4013 §3 examples. */
    PREP_OK("I\xC2\xADX", "IX");      /* SOFT HYPHEN mapped to nothing */
    PREP_OK("\xC2\xAA", "a");         /* NFKC */
    PREP_OK("\xE2\x85\xA8", "IX");    /* NFKC */
    PREP_FAILS("\xD8\xA7" "1", SQAUTH_ERR_CHARSET,
               "SASLprep of the password failed: it breaks the bidirectional text rules (RFC 3454 section 6)");
    PREP_OK("a\xC2\xA0" "b", "a b");  /* non-ASCII space mapped to SPACE */
    PREP_FAILS("a\xE2\x80\xA8" "b", SQAUTH_ERR_CHARSET, "SASLprep of the password failed: it contains a prohibited character");
    /* Unassigned in Unicode 3.2, allowed (query rules): see saslprep.c. */
    PREP_OK("\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80");

    /* Through SCRAM: the prepared user name is sent, the prepared password
     * hashed; "I<SOFT HYPHEN>X" gives exactly the exchange of "IX". */
    memset(&o, 0, sizeof(o));
    o.cnonce = CN256;
    exchange("SCRAM-SHA-256", "I\xC2\xADX", "\xE2\x85\xA8", &o, "n,,n=IX,r=" CN256, SF256,
             "c=biws,r=" N256 ",p=KXUpmrU95hRG3fDAwV49Q0DP8IatOKmV+Q8QxH36g20=",
             "v=tM2SzadWGZTG39508QZYsrn+PxytTT7KopjMeOdTFNM=");

    /* A password SASLprep refuses fails before anything is sent. */
    s = make("SCRAM-SHA-256", "user", "\xD8\xA7" "1", &o);
    CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_OK);
    CHECK_RC(step_str(s, SF256, &out, &err), SQAUTH_ERR_CHARSET);
    CHECK(out.len == 0);
    sqauth_sasl_free(s);
#else
    CHECK(sqauth_saslprep_available() == 0);
    PREP_FAILS("I\xC2\xADX", SQAUTH_ERR_UNSUPPORTED,
               "SASLprep of non-ASCII SCRAM credentials needs libidn; rebuild sqauth with libidn");
    memset(&o, 0, sizeof(o));
    o.cnonce = CN256;
    s = make("SCRAM-SHA-256", "user", "p\xC3\xA4ss", &o);
    CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_OK);
    CHECK_RC(step_str(s, SF256, &out, &err), SQAUTH_ERR_UNSUPPORTED);
    CHECK(strcmp(err.message, "SASLprep of non-ASCII SCRAM credentials needs libidn; rebuild sqauth with libidn") == 0);
    CHECK(out.len == 0);
    sqauth_sasl_free(s);
#endif

    /* The user name is prepared at start(). */
    memset(&o, 0, sizeof(o));
    o.cnonce = CN1;
    s = make("SCRAM-SHA-1", "us\x07" "er", "pencil", &o);
    CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_ERR_CHARSET);
    CHECK(strcmp(err.message, "SASLprep of the user name failed: it contains a prohibited character") == 0);
    CHECK(has == 0 && out.len == 0 && s->failed);
    sqauth_sasl_free(s);
    sqauth_buf_wipe(&out);
}

static void test_parsers(void)
{
    sqauth_scram_server_first sf;
    sqauth_scram_server_final fin;
    sqauth_error err;
    const char *m;

    m = SF256 ",x=future,y=ext";
    CHECK_RC(sqauth_scram_parse_server_first((const unsigned char *)m, strlen(m), &sf, &err), SQAUTH_OK);
    CHECK_BYTES(sf.nonce.data, sf.nonce.len, N256);
    CHECK(sf.salt.len == 16 && sf.iterations == 4096 && !sf.iterations_overflow && sf.server_error.data == NULL);
    sqauth_scram_server_first_free(&sf);

    m = "r=abc,s=QQ==,i=18446744073709551616";
    CHECK_RC(sqauth_scram_parse_server_first((const unsigned char *)m, strlen(m), &sf, &err), SQAUTH_OK);
    CHECK(sf.iterations_overflow && sf.salt.len == 1);
    sqauth_scram_server_first_free(&sf);
    m = "r=abc,s=QQ==,i=18446744073709551615";
    CHECK_RC(sqauth_scram_parse_server_first((const unsigned char *)m, strlen(m), &sf, &err), SQAUTH_OK);
    CHECK(!sf.iterations_overflow && sf.iterations == UINT64_MAX);
    sqauth_scram_server_first_free(&sf);

    m = "e=unknown-user";
    CHECK_RC(sqauth_scram_parse_server_first((const unsigned char *)m, strlen(m), &sf, &err), SQAUTH_OK);
    CHECK_BYTES(sf.server_error.data, sf.server_error.len, "unknown-user");
    sqauth_scram_server_first_free(&sf);

    m = "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=,z=ext";
    CHECK_RC(sqauth_scram_parse_server_final((const unsigned char *)m, strlen(m), &fin, &err), SQAUTH_OK);
    CHECK(fin.verifier.len == 20 && fin.server_error.data == NULL);
    sqauth_scram_server_final_free(&fin);
    m = "e=invalid-proof";
    CHECK_RC(sqauth_scram_parse_server_final((const unsigned char *)m, strlen(m), &fin, &err), SQAUTH_OK);
    CHECK_BYTES(fin.server_error.data, fin.server_error.len, "invalid-proof");
    CHECK(fin.verifier.len == 0);
    sqauth_scram_server_final_free(&fin);

    CHECK(sqauth_scram_nonce_valid("abc+/=!~", 8));
    CHECK(!sqauth_scram_nonce_valid("", 0));
    CHECK(!sqauth_scram_nonce_valid("a,b", 3));
    CHECK(!sqauth_scram_nonce_valid("a b", 3));
    CHECK(!sqauth_scram_nonce_valid("a\x7f", 2));
}

static void test_server_first_errors(void)
{
    char big[SQAUTH_SCRAM_MAX_MESSAGE + 64];
    size_t n;

    /* nonce */
    FIRST_FAILS("r=XXXX+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096", SQAUTH_ERR_MALFORMED,
                "SCRAM server nonce (r=) does not start with the client nonce");
    FIRST_FAILS("r=fyko+d2lbbFgONRv9qkxda,s=QSXCR+Q6sek8bf92,i=4096", SQAUTH_ERR_MALFORMED,
                "SCRAM server nonce (r=) does not start with the client nonce");
    FIRST_FAILS("r=fyko+d2lbbFgONRv9qkxdawL,s=QSXCR+Q6sek8bf92,i=4096", SQAUTH_ERR_MALFORMED,
                "SCRAM server nonce (r=) adds nothing to the client nonce");
    FIRST_FAILS("r=fyko+d2lbbFgONRv9qkxdawL abc,s=QSXCR+Q6sek8bf92,i=4096", SQAUTH_ERR_MALFORMED,
                "SCRAM server-first message: nonce (r=) is empty or has characters outside printable ASCII");
    FIRST_FAILS("r=fyko+d2lbbFgONRv9qkxdawL\xC3\xA4,s=QSXCR+Q6sek8bf92,i=4096", SQAUTH_ERR_MALFORMED,
                "SCRAM server-first message: nonce (r=) is empty or has characters outside printable ASCII");
    FIRST_FAILS("r=,s=QSXCR+Q6sek8bf92,i=4096", SQAUTH_ERR_MALFORMED,
                "SCRAM server-first message: nonce (r=) is empty or has characters outside printable ASCII");

    /* salt */
    FIRST_FAILS("r=" CN1 "x,s=,i=4096", SQAUTH_ERR_MALFORMED, "SCRAM server-first message: salt (s=) is empty");
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf9,i=4096", SQAUTH_ERR_MALFORMED,
                "SCRAM server-first message: salt (s=) is not valid: invalid base64: length 15 is not a multiple of 4");
    FIRST_FAILS("r=" CN1 "x,s=QSXC*+Q6sek8bf92,i=4096", SQAUTH_ERR_MALFORMED,
                "SCRAM server-first message: salt (s=) is not valid: invalid base64: unexpected character at offset 4");
    FIRST_FAILS("r=" CN1 "x,s=QR==,i=4096", SQAUTH_ERR_MALFORMED,
                "SCRAM server-first message: salt (s=) is not valid: invalid base64: non-canonical padding bits");

    /* iteration count */
#define NOT_POSIT "SCRAM server-first message: iteration count (i=) is not a positive decimal number"
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=0", SQAUTH_ERR_MALFORMED, NOT_POSIT);
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=04096", SQAUTH_ERR_MALFORMED, NOT_POSIT);
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=+4096", SQAUTH_ERR_MALFORMED, NOT_POSIT);
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=-4096", SQAUTH_ERR_MALFORMED, NOT_POSIT);
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=40a96", SQAUTH_ERR_MALFORMED, NOT_POSIT);
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92,i= 4096", SQAUTH_ERR_MALFORMED, NOT_POSIT);
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=4096 ", SQAUTH_ERR_MALFORMED, NOT_POSIT);
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=0x1000", SQAUTH_ERR_MALFORMED, NOT_POSIT);
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=", SQAUTH_ERR_MALFORMED, NOT_POSIT);
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=99999999999999999999999", SQAUTH_ERR_POLICY,
                "SCRAM server asks for more than 2^64 PBKDF2 iterations, more than the limit of 1000000 (option 'max_iterations')");
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=4294967297", SQAUTH_ERR_POLICY,
                "SCRAM server asks for 4294967297 PBKDF2 iterations, more than the limit of 1000000 (option 'max_iterations')");
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=1000001", SQAUTH_ERR_POLICY,
                "SCRAM server asks for 1000001 PBKDF2 iterations, more than the limit of 1000000 (option 'max_iterations')");
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=4095", SQAUTH_ERR_POLICY,
                "SCRAM server asks for only 4095 PBKDF2 iterations, fewer than the minimum of 4096 (option 'min_iterations')");
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=1", SQAUTH_ERR_POLICY,
                "SCRAM server asks for only 1 PBKDF2 iterations, fewer than the minimum of 4096 (option 'min_iterations')");
    {
        opts o;
        memset(&o, 0, sizeof(o));
        o.min_iterations = 10000;
        o.max_iterations = 20000;
        first_fails("SCRAM-SHA-1", CN1, &o, SF1, SQAUTH_ERR_POLICY,
                    "SCRAM server asks for only 4096 PBKDF2 iterations, fewer than the minimum of 10000 (option 'min_iterations')",
                    __LINE__);
        first_fails("SCRAM-SHA-1", CN1, &o, "r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=20001", SQAUTH_ERR_POLICY,
                    "SCRAM server asks for 20001 PBKDF2 iterations, more than the limit of 20000 (option 'max_iterations')",
                    __LINE__);
    }

    {
        opts o;
        memset(&o, 0, sizeof(o));
        /* Lowering the minimum lets i=1 through. */
        o.min_iterations = 1;
        o.cnonce = CN256;
        exchange("SCRAM-SHA-256", "user", "pencil", &o, "n,,n=user,r=" CN256,
                 "r=" N256 ",s=W22ZaJ0SNY7soEsUEjb6gQ==,i=1",
                 "c=biws,r=" N256 ",p=0HpZtX/KXXa0ywYK4tj43Y2SHpuAk6sib0z2ZmNk22Y=",
                 "v=XjTu3KBABgY/OKnhaQwxJb9Vbt2Fj1v+lPuMzeAcqSk=");
    }

    /* m= and e= */
    FIRST_FAILS("m=ext-data,r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=4096", SQAUTH_ERR_UNSUPPORTED,
                "SCRAM server requires a mandatory extension (m=) that sqauth does not support");
    FIRST_FAILS("e=other-error", SQAUTH_ERR_SERVER, "SCRAM server error: other-error");

    /* missing attributes, wrong order, bad syntax */
    FIRST_FAILS("", SQAUTH_ERR_MALFORMED, "SCRAM server-first message is empty");
    FIRST_FAILS("r=" CN1 "x", SQAUTH_ERR_MALFORMED, "SCRAM server-first message: the salt (s=) is missing");
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92", SQAUTH_ERR_MALFORMED,
                "SCRAM server-first message: the iteration count (i=) is missing");
    FIRST_FAILS("s=QSXCR+Q6sek8bf92,r=" CN1 "x,i=4096", SQAUTH_ERR_MALFORMED,
                "SCRAM server-first message: expected the nonce (r=), got 's='");
    FIRST_FAILS("r=" CN1 "x,i=4096,s=QSXCR+Q6sek8bf92", SQAUTH_ERR_MALFORMED,
                "SCRAM server-first message: expected the salt (s=), got 'i='");
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=4096,", SQAUTH_ERR_MALFORMED,
                "SCRAM server-first message: attribute at offset 54 is not of the form <letter>=<value>");
    FIRST_FAILS("r=" CN1 "x,,s=QSXCR+Q6sek8bf92,i=4096", SQAUTH_ERR_MALFORMED,
                "SCRAM server-first message: attribute at offset 28 is not of the form <letter>=<value>");
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=4096,1=x", SQAUTH_ERR_MALFORMED,
                "SCRAM server-first message: attribute at offset 54 is not of the form <letter>=<value>");
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=4096,x=", SQAUTH_ERR_MALFORMED,
                "SCRAM server-first message: extension 'x=' has an empty value");
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=4096,r=again", SQAUTH_ERR_MALFORMED,
                "SCRAM server-first message: attribute 'r=' appears twice or out of order");
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=4096,m=late", SQAUTH_ERR_MALFORMED,
                "SCRAM server-first message: attribute 'm=' appears twice or out of order");
    FIRST_FAILS("R=" CN1 "x,s=QSXCR+Q6sek8bf92,i=4096", SQAUTH_ERR_MALFORMED,
                "SCRAM server-first message: expected the nonce (r=), got 'R='");
    FIRST_FAILS("r " CN1 "x,s=QSXCR+Q6sek8bf92,i=4096", SQAUTH_ERR_MALFORMED,
                "SCRAM server-first message: attribute at offset 0 is not of the form <letter>=<value>");
    FIRST_FAILS("r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=4096,x=\xff", SQAUTH_ERR_MALFORMED,
                "SCRAM server-first message is not valid UTF-8");
    n = (size_t)snprintf(big, sizeof(big), "r=" CN1 "x,s=QSXCR+Q6sek8bf92,i=4096,x=");
    memset(big + n, 'a', sizeof(big) - n - 1);
    big[sizeof(big) - 1] = '\0';
    FIRST_FAILS(big, SQAUTH_ERR_MALFORMED, "SCRAM server-first message is too long (4159 bytes, limit 4096)");
    n = (size_t)snprintf(big, sizeof(big), "r=" CN1);
    memset(big + n, 'a', 1100);
    snprintf(big + n + 1100, sizeof(big) - n - 1100, ",s=QSXCR+Q6sek8bf92,i=4096");
    FIRST_FAILS(big, SQAUTH_ERR_MALFORMED, "SCRAM server-first message: nonce (r=) is too long (1124 bytes, limit 1024)");

    /* A NUL byte (strlen-based helper cannot send one). */
    {
        static const unsigned char nul[] = "r=" CN1 "x\0,s=QSXCR+Q6sek8bf92,i=4096";
        sqauth_buf out = SQAUTH_BUF_INIT;
        sqauth_error err;
        sqauth_sasl *s = started("SCRAM-SHA-1", CN1, NULL);
        CHECK_RC(sqauth_sasl_step(s, nul, sizeof(nul) - 1, &out, &err), SQAUTH_ERR_MALFORMED);
        CHECK(strcmp(err.message, "SCRAM server-first message contains a NUL byte") == 0);
        sqauth_sasl_free(s);
        sqauth_buf_wipe(&out);
    }
}

static void test_server_final_errors(void)
{
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    sqauth_sasl *s;

    FINAL_FAILS("v=rmF9pqV8S7suAoZWja4dJRkFsKR=", SQAUTH_ERR_MALFORMED,
                "SCRAM server-final message: server signature (v=) is not valid: invalid base64: non-canonical padding bits");
    FINAL_FAILS("v=AmF9pqV8S7suAoZWja4dJRkFsKQ=", SQAUTH_ERR_NOT_VERIFIED,
                "SCRAM server signature (v=) does not match: the server did not prove that it knows the password");
    FINAL_FAILS("v=rmF9pqV8S7suAoZWja4dJRkF", SQAUTH_ERR_NOT_VERIFIED, NULL);
    FINAL_FAILS("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", SQAUTH_ERR_NOT_VERIFIED, NULL);
    FINAL_FAILS("v=", SQAUTH_ERR_MALFORMED, "SCRAM server-final message: server signature (v=) is empty");
    FINAL_FAILS("", SQAUTH_ERR_MALFORMED, "SCRAM server-final message is empty");
    FINAL_FAILS("x=rmF9pqV8S7suAoZWja4dJRkFsKQ=", SQAUTH_ERR_MALFORMED,
                "SCRAM server-final message: expected the server signature (v=) or an error (e=), got 'x='");
    FINAL_FAILS("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=,v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", SQAUTH_ERR_MALFORMED,
                "SCRAM server-final message: attribute 'v=' appears twice or out of order");
    FINAL_FAILS("e=", SQAUTH_ERR_MALFORMED, "SCRAM server-final message: empty server error (e=)");
    FINAL_FAILS("e=invalid-proof", SQAUTH_ERR_SERVER, "SCRAM server error: invalid-proof");
    FINAL_FAILS("e=other \xC3\xA4\x7f\\,x=1", SQAUTH_ERR_SERVER, "SCRAM server error: other \xC3\xA4\\x7f\\");

    /* e= keeps the raw value for the caller. */
    s = started("SCRAM-SHA-1", CN1, NULL);
    CHECK_RC(step_str(s, SF1, &out, &err), SQAUTH_OK);
    CHECK_RC(step_str(s, "e=channel-bindings-dont-match,x=ext", &out, &err), SQAUTH_ERR_SERVER);
    CHECK(strcmp(err.message, "SCRAM server error: channel-bindings-dont-match") == 0);
    CHECK_BYTES(s->server_error.data, s->server_error.len, "channel-bindings-dont-match");
    CHECK(!s->complete && !s->server_verified && s->failed);
    CHECK_RC(step_str(s, "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", &out, &err), SQAUTH_ERR_STATE);
    sqauth_sasl_free(s);

    /* A server-final extension is ignored. */
    s = started("SCRAM-SHA-1", CN1, NULL);
    CHECK_RC(step_str(s, SF1, &out, &err), SQAUTH_OK);
    CHECK_RC(step_str(s, "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=,x=ext", &out, &err), SQAUTH_OK);
    CHECK(s->server_verified && s->complete);
    sqauth_sasl_free(s);
    sqauth_buf_wipe(&out);
}

static void test_client_side(void)
{
    static const unsigned char cb[32] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
                                         16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31};
    sqauth_buf out = SQAUTH_BUF_INIT;
    sqauth_error err;
    sqauth_sasl *s;
    opts o;
    int has;
    size_t i;

    /* User name and authzid escaping (RFC 5802 §5.1), authzid in the gs2
     * header and therefore in c=. */
    memset(&o, 0, sizeof(o));
    o.cnonce = CN256;
    o.authzid = "ad=min,x";
    exchange("SCRAM-SHA-256", "a,b=c", "pencil", &o, "n,a=ad=3Dmin=2Cx,n=a=2Cb=3Dc,r=" CN256, SF256,
             "c=bixhPWFkPTNEbWluPTJDeCw=,r=" N256 ",p=SZY8E62hLJxnRzvg0dIEUTV7crOXMRoLvRaWZIHnNZc=",
             "v=Je/Gb1xGZXNQ0II4T7GmEVKkLvEZqbgRsx6+50cvJlU=");

    /* An empty authzid is no authzid. */
    o.authzid = "";
    exchange("SCRAM-SHA-256", "user", "pencil", &o, "n,,n=user,r=" CN256, SF256,
             "c=biws,r=" N256 ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
             "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");

    /* Server-first extensions are part of AuthMessage. */
    o.authzid = NULL;
    exchange("SCRAM-SHA-256", "user", "pencil", &o, "n,,n=user,r=" CN256, SF256 ",x=future,y=ext",
             "c=biws,r=" N256 ",p=MQADiiYpN71jUpq7ExdLhCEVFFBf5gK5/xJYx4xSkMo=",
             "v=9x0JfOXewzpn4c5ZAr7LdGlom7ZSDOaNGuI7pGoctzk=");

    /* -PLUS: gs2 header "p=<type>," and c= = base64(gs2 header + cb data). */
    o.cb_type = "tls-exporter";
    o.cb_data = cb;
    o.cb_len = sizeof(cb);
    exchange("SCRAM-SHA-256-PLUS", "user", "pencil", &o, "p=tls-exporter,,n=user,r=" CN256, SF256,
             "c=cD10bHMtZXhwb3J0ZXIsLAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f,r=" N256
             ",p=QC6CS20quADQRb3mT99YUH+n3VJxUvzuK0K0E1Vrs2M=",
             "v=2GiAgapEppLVlUXbxUDksL3VgYHzuqiK5tR4mhJGgvs=");
    o.cnonce = CN1;
    o.cb_type = "tls-server-end-point";
    o.authzid = "admin";
    exchange("SCRAM-SHA-1-PLUS", "user", "pencil", &o, "p=tls-server-end-point,a=admin,n=user,r=" CN1, SF1,
             "c=cD10bHMtc2VydmVyLWVuZC1wb2ludCxhPWFkbWluLAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f,"
             "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=R+Gu6Raqr+H/DIMgfVGMh3ivLn8=",
             "v=ki6/3Q8ZBWQ7wxpHygHaQuXYqUQ=");

    /* Bad channel-binding type or data. */
    o.authzid = NULL;
    o.cb_type = "tls exporter";
    s = make("SCRAM-SHA-256-PLUS", "user", "pencil", &o);
    CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_ERR_INVALID_ARG);
    sqauth_sasl_free(s);
    o.cb_type = "tls-exporter";
    o.cb_len = 0;
    s = make("SCRAM-SHA-256-PLUS", "user", "pencil", &o);
    CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_ERR_INVALID_ARG);
    CHECK(strcmp(err.message, "SCRAM-SHA-256-PLUS: channel-binding data is empty") == 0);
    sqauth_sasl_free(s);

    /* A fixed nonce must be usable in r=. */
    memset(&o, 0, sizeof(o));
    o.cnonce = "abc,def";
    s = make("SCRAM-SHA-1", "user", "pencil", &o);
    CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_ERR_INVALID_ARG);
    CHECK(has == 0 && out.len == 0);
    sqauth_sasl_free(s);

    /* Empty user name. */
    s = make("SCRAM-SHA-1", "", "pencil", NULL);
    CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_ERR_INVALID_ARG);
    CHECK(strcmp(err.message, "SCRAM-SHA-1 needs a non-empty user name") == 0);
    sqauth_sasl_free(s);

    /* Authzid that is not UTF-8. */
    o.cnonce = NULL;
    o.authzid = "\xff";
    s = make("SCRAM-SHA-1", "user", "pencil", &o);
    CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_ERR_CHARSET);
    sqauth_sasl_free(s);

    /* Random nonce: 24 bytes of base64, different every time. */
    s = make("SCRAM-SHA-256", "user", "pencil", NULL);
    CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_OK);
    CHECK(out.len == strlen("n,,n=user,r=") + 32 && memcmp(out.data, "n,,n=user,r=", 12) == 0);
    CHECK(sqauth_scram_nonce_valid((const char *)out.data + 12, 32));
    {
        char first[64];
        memcpy(first, out.data + 12, 32);
        sqauth_sasl_free(s);
        sqauth_buf_reset(&out);
        s = make("SCRAM-SHA-256", "user", "pencil", NULL);
        CHECK_RC(sqauth_sasl_start(s, &out, &has, &err), SQAUTH_OK);
        CHECK(out.len == 44 && memcmp(first, out.data + 12, 32) != 0);
    }
    sqauth_sasl_free(s);
    sqauth_buf_reset(&out);

    /* step() before start() on a client-first mechanism. */
    s = make("SCRAM-SHA-1", "user", "pencil", NULL);
    CHECK_RC(step_str(s, SF1, &out, &err), SQAUTH_ERR_STATE);
    sqauth_sasl_free(s);

    /* The mechanism objects keep their names, strengths and flags. */
    CHECK(sqauth_mech_scram_sha_1.strength == 60 && sqauth_mech_scram_sha_256.strength == 70
          && sqauth_mech_scram_sha_1_plus.strength == 80 && sqauth_mech_scram_sha_256_plus.strength == 90);
    CHECK((sqauth_mech_scram_sha_256_plus.flags & SQAUTH_MECH_CHANNEL_BIND)
          && !(sqauth_mech_scram_sha_256.flags & SQAUTH_MECH_CHANNEL_BIND));
    for (i = 0; i < sqauth_sasl_mech_count(); i++) {
        const sqauth_sasl_mech *m = sqauth_sasl_mech_at(i);
        if (strncmp(m->name, "SCRAM-", 6) == 0) {
            CHECK(m->start && m->step && m->dispose
                  && (m->flags & (SQAUTH_MECH_NEEDS_PASSWORD | SQAUTH_MECH_CLIENT_FIRST))
                         == (SQAUTH_MECH_NEEDS_PASSWORD | SQAUTH_MECH_CLIENT_FIRST));
        }
    }
    sqauth_buf_wipe(&out);
}

void test_scram(void)
{
    opts o;

    memset(&o, 0, sizeof(o));
    /* RFC 5802 §5 */
    o.cnonce = CN1;
    exchange("SCRAM-SHA-1", "user", "pencil", &o, "n,,n=user,r=" CN1, SF1,
             "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
             "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=");
    /* RFC 7677 §3 */
    o.cnonce = CN256;
    exchange("SCRAM-SHA-256", "user", "pencil", &o, "n,,n=user,r=" CN256, SF256,
             "c=biws,r=" N256 ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
             "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");
    /* Mechanism names are case-insensitive. */
    exchange("scram-sha-256", "user", "pencil", &o, "n,,n=user,r=" CN256, SF256,
             "c=biws,r=" N256 ",p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
             "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=");

    test_hi();
    test_parsers();
    test_server_first_errors();
    test_server_final_errors();
    test_client_side();
    test_saslprep();
}
