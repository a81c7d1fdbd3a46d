/* Minimal known-answer test harness for the sqauth C core. */
#ifndef SQAUTH_CHECK_H
#define SQAUTH_CHECK_H

#include <stdio.h>
#include <string.h>

extern int check_passed, check_failed;

#define CHECK(cond) do { \
    if (cond) { check_passed++; } \
    else { check_failed++; fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond); } \
} while (0)

/* Compares a byte buffer with an expected C string. */
#define CHECK_BYTES(ptr, len, expected) do { \
    const char *e_ = (expected); size_t el_ = strlen(e_); \
    if ((size_t)(len) == el_ && memcmp((ptr), e_, el_) == 0) { check_passed++; } \
    else { check_failed++; fprintf(stderr, "FAIL %s:%d: got \"%.*s\" expected \"%s\"\n", \
        __FILE__, __LINE__, (int)(len), (const char *)(ptr), e_); } \
} while (0)

#define CHECK_RC(expr, expected_rc) do { \
    int rc_ = (expr); \
    if (rc_ == (expected_rc)) { check_passed++; } \
    else { check_failed++; fprintf(stderr, "FAIL %s:%d: %s returned %d, expected %d\n", \
        __FILE__, __LINE__, #expr, rc_, (int)(expected_rc)); } \
} while (0)

/* Every test file provides one entry point, listed in test_main.c. */
void test_common(void);
void test_simple_mechs(void);
void test_hmac_md5(void);
void test_digest_md5(void);
void test_digest_layer(void);
void test_scram(void);
void test_scram_cache(void);
void test_oauth(void);
void test_random(void);
void test_tls_cache(void);
void test_tls_options(void);
void test_proto(void);
void test_conn(void);
void test_deadlines(void);
void test_limits(void);
void test_defaults(void);
void test_pool(void);

#endif
