/*
 * The floor under SqAuth\cram_md5_response() and SqAuth\digest_md5_response():
 * the MD5 blocks one response needs in a bare loop, one after the other
 * through OpenSSL's low-level MD5 and paired where the core pairs them
 * through sqauth's own (sasl/md5.c), next to the C core computing the whole
 * raw response (base64 challenge in, parse, hashes, response) on the same
 * inputs as bench/sasl.php; the helpers then hand the response to PHP's own
 * base64 encoder. No implementation that computes these hashes with this
 * MD5 can take less time than the bare loop; what the core adds on top, and
 * what PHP adds on top of that (bench/sasl.php), is everything else.
 *
 *   make -C src/core md5-floor OBJDIR=/tmp/sqauth-floor && /tmp/sqauth-floor/md5_floor
 *
 * Prints CPU time per call (CLOCK_PROCESS_CPUTIME_ID: time the process did
 * not run is not counted), the median of 7 interleaved rounds. With
 * --case=NAME --calls=N it runs one case N times and nothing else, for an
 * instruction count under callgrind:
 *
 *   valgrind --tool=callgrind --callgrind-out-file=/dev/null /tmp/sqauth-floor/md5_floor --case=cram-md5 --calls=2000
 *
 * (minus the same with --calls=0, over 2000).
 *
 * Block counts: CRAM-MD5 is one HMAC-MD5 of the RFC 2195 challenge (42
 * bytes): K^ipad, the challenge with its padding, K^opad, the inner hash
 * with its padding: 4 blocks. DIGEST-MD5 (RFC 2831 §4 example) hashes
 * user:realm:pass (32 bytes), A1 (16 + ":" nonce ":" cnonce: 64 bytes with
 * sqauth's 32-character random cnonce, 46 with the RFC's fixed one), A2
 * (37) and KD (127 or 109): 7 blocks, or 5 with the fixed cnonce (a message
 * of n bytes takes (n + 8) / 64 + 1 blocks).
 */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "sasl/digest_md5_parse.h"
#include "sasl/md5.h"
#include "sasl/sasl.h"

#include <openssl/crypto.h>
#include <openssl/md5.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define ROUNDS 7

static const char cram_b64[] = "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+";
static const char digest_b64[] =
    "cmVhbG09ImVsd29vZC5pbm5vc29mdC5jb20iLG5vbmNlPSJPQTZNRzl0RVFHbTJoaCIscW9wPSJhdXRoIixhbGdvcml0aG09bWQ1LXNlc3MsY2hh"
    "cnNldD11dGYtOA==";

static unsigned sink;  /* keeps every result alive */

/* ---- OpenSSL's MD5, one block after the other ---- */

/* The MD5 of n bytes of msg, low-level. */
static void md5_of(const unsigned char *msg, size_t n, unsigned char out[16])
{
    MD5_CTX c;

    MD5_Init(&c);
    MD5_Update(&c, msg, n);
    MD5_Final(out, &c);
}

static void openssl_block(void)
{
    static unsigned char block[64];
    static MD5_CTX c;

    MD5_Transform(&c, block);
    sink ^= c.A;
}

static void cram_floor_openssl(void)
{
    static unsigned char ipad[64], opad[64], challenge[42];
    unsigned char inner[16], mac[16];
    MD5_CTX c;

    MD5_Init(&c);
    MD5_Update(&c, ipad, sizeof(ipad));
    MD5_Update(&c, challenge, sizeof(challenge));
    MD5_Final(inner, &c);
    MD5_Init(&c);
    MD5_Update(&c, opad, sizeof(opad));
    MD5_Update(&c, inner, sizeof(inner));
    MD5_Final(mac, &c);
    sink ^= mac[0];
}

static void digest_floor_openssl(size_t a1, size_t kd)
{
    static unsigned char msg[128];
    unsigned char h[16];

    md5_of(msg, 32, h);
    sink ^= h[0];
    md5_of(msg, a1, h);
    sink ^= h[0];
    md5_of(msg, 37, h);
    sink ^= h[0];
    md5_of(msg, kd, h);
    sink ^= h[0];
}

static void digest_floor_openssl_random(void)
{
    digest_floor_openssl(64, 127);
}

/* ---- sqauth's MD5 (sasl/md5.c), paired where the core pairs ---- */

static void own_block(void)
{
    static unsigned char block[64];
    static sqauth_md5_state m;

    sqauth_md5_block(&m, block);
    sink ^= m.h[0];
}

static void own_pair(void)
{
    static unsigned char block[64], other[64];
    static sqauth_md5_state m, o;

    sqauth_md5_block2(&m, block, &o, other);
    sink ^= m.h[0] ^ o.h[0];
}

/* HMAC-MD5's schedule (sasl/hmac_md5.c): K^ipad with K^opad, then the
 * challenge, then the inner hash. */
static void cram_floor(void)
{
    static unsigned char ipad[64], opad[64], challenge[42];
    unsigned char inner[16], mac[16];
    sqauth_md5_state in, out;

    sqauth_md5_start(&in);
    sqauth_md5_start(&out);
    sqauth_md5_block2(&in, ipad, &out, opad);
    sqauth_md5_finish(&in, challenge, sizeof(challenge), inner);
    sqauth_md5_finish(&out, inner, sizeof(inner), mac);
    sink ^= mac[0];
}

/* DIGEST-MD5's (sasl/digest_md5_calc.c, response only): U with A2, then
 * A1, then KD. */
static void digest_floor(size_t a1, size_t kd)
{
    static unsigned char msg[128];
    unsigned char h[16], h2[16];
    sqauth_md5_state m, o;

    sqauth_md5_start(&m);
    sqauth_md5_start(&o);
    sqauth_md5_finish2(&m, msg, 32, h, &o, msg, 37, h2);
    sink ^= h[0] ^ h2[0];
    sqauth_md5_start(&m);
    sqauth_md5_finish(&m, msg, a1, h);
    sink ^= h[0];
    sqauth_md5_start(&m);
    sqauth_md5_finish(&m, msg, kd, h);
    sink ^= h[0];
}

static void digest_floor_random(void)
{
    digest_floor(64, 127);
}

static void digest_floor_fixed(void)
{
    digest_floor(46, 109);
}

/* What SqAuth\cram_md5_response() does below PHP. */
static void cram_core(void)
{
    unsigned char raw[64];
    char response[4 + 32];
    size_t len;
    sqauth_str password = {"tanstaaftanstaaf", 16};

    if (sqauth_b64_decode_to(raw, sizeof(raw), &len, cram_b64, sizeof(cram_b64) - 1, NULL) != SQAUTH_OK) {
        abort();
    }
    memcpy(response, "tim ", 4);
    if (sqauth_cram_md5_hex(password, raw, len, response + 4, NULL) != SQAUTH_OK) {
        abort();
    }
    sink ^= (unsigned char)response[35];
}

/* What SqAuth\digest_md5_response() does below PHP. */
static void digest_core(const char *cnonce)
{
    sqauth_sasl_config cfg;
    char raw[SQAUTH_DIGEST_MD5_MAX_RESPONSE + 1];
    size_t len;

    memset(&cfg, 0, sizeof(cfg));
    cfg.authcid = sqauth_str_c("chris");
    cfg.password = sqauth_str_c("secret");
    cfg.service = sqauth_str_c("imap");
    cfg.host = sqauth_str_c("elwood.innosoft.com");
    cfg.cnonce = sqauth_str_c(cnonce);
    if (sqauth_digest_md5_answer_b64(&cfg, digest_b64, sizeof(digest_b64) - 1, raw, sizeof(raw), &len, NULL)
        != SQAUTH_OK || len > 440) {
        abort();
    }
    sink ^= (unsigned char)raw[len - 1];
}

static void digest_core_random(void)
{
    digest_core(NULL);
}

static void digest_core_fixed(void)
{
    digest_core("OA6MHXh6VqTrRk");
}

static const struct {
    const char *name, *what;
    void (*fn)(void);
} cases[] = {
    {"block-openssl", "one MD5 block, OpenSSL's (MD5_Transform)", openssl_block},
    {"block", "one MD5 block, sqauth's", own_block},
    {"block-pair", "two independent MD5 blocks at once, sqauth's", own_pair},
    {"cram-md5-floor-openssl", "CRAM-MD5: its 4 MD5 blocks one after the other, OpenSSL", cram_floor_openssl},
    {"cram-md5-floor", "CRAM-MD5: its 4 MD5 blocks in 3 steps (ipad+opad paired), sqauth's MD5", cram_floor},
    {"cram-md5", "CRAM-MD5: the core's whole response", cram_core},
    {"digest-md5-floor-openssl", "DIGEST-MD5, random cnonce: its 7 MD5 blocks one after the other, OpenSSL",
     digest_floor_openssl_random},
    {"digest-md5-floor", "DIGEST-MD5, random cnonce: its 7 MD5 blocks in 6 steps, sqauth's MD5",
     digest_floor_random},
    {"digest-md5", "DIGEST-MD5, random cnonce: the core's whole response", digest_core_random},
    {"digest-md5-fixed-floor", "DIGEST-MD5, fixed cnonce: its 5 MD5 blocks in 4 steps, sqauth's MD5",
     digest_floor_fixed},
    {"digest-md5-fixed", "DIGEST-MD5, fixed cnonce: the core's whole response", digest_core_fixed},
};

#define CASES (sizeof(cases) / sizeof(cases[0]))

static double cpu_ns(void)
{
    struct timespec t;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    const char *only = NULL;
    long calls = 200000, i;
    double ns[CASES][ROUNDS];
    size_t k, r;

    for (i = 1; i < argc; i++) {
        if (strncmp(argv[i], "--case=", 7) == 0) {
            only = argv[i] + 7;
        } else if (strncmp(argv[i], "--calls=", 8) == 0) {
            calls = atol(argv[i] + 8);
        } else {
            fprintf(stderr, "usage: %s [--case=NAME --calls=N]\n", argv[0]);
            return 2;
        }
    }
    if (only) {
        for (k = 0; k < CASES && strcmp(cases[k].name, only) != 0; k++) {
        }
        if (k == CASES) {
            fprintf(stderr, "%s: unknown case %s\n", argv[0], only);
            return 2;
        }
        cases[k].fn();  /* one-time set-up (MD5 fetch, nonce pool) outside the count */
        for (i = 0; i < calls; i++) {
            cases[k].fn();
        }
        return sink == 0x12345;
    }
    for (k = 0; k < CASES; k++) {
        for (i = 0; i < calls / 10; i++) {
            cases[k].fn();
        }
    }
    for (r = 0; r < ROUNDS; r++) {
        for (k = 0; k < CASES; k++) {
            size_t at = (k + r) % CASES;
            double t0 = cpu_ns();
            for (i = 0; i < calls; i++) {
                cases[at].fn();
            }
            ns[at][r] = (cpu_ns() - t0) / (double)calls;
        }
    }
    printf("CPU time per call, median of %d interleaved rounds of %ld calls (OpenSSL %s):\n", ROUNDS, calls,
           OpenSSL_version(OPENSSL_VERSION));
    for (k = 0; k < CASES; k++) {
        qsort(ns[k], ROUNDS, sizeof(double), by_value);
        printf("  %-24s %8.1f ns  %s\n", cases[k].name, ns[k][ROUNDS / 2], cases[k].what);
    }
    return sink == 0x12345;
}
