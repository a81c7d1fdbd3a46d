/*
 * The SCRAM key cache (sasl/scram_cache.c) through whole SCRAM exchanges
 * against a small SCRAM server written here from RFC 5802 §3 with OpenSSL's
 * PKCS5_PBKDF2_HMAC and HMAC (not the client's code): the server checks
 * every client proof and answers with its own signature, so an entry from
 * the wrong inputs would show up as a refused proof. Checks that a cached
 * and an uncached exchange send the same proof, that a changed salt,
 * iteration count, hash or password misses, the LRU order, that eviction
 * and clearing leave no key bytes behind, the counters, fork and threads.
 */
#include "check.h"
#include "sasl/sasl.h"
#include "sasl/scram_cache.h"

#include <stdlib.h>
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#define CNONCE "cacheTestClientNonce"

/* The server side of one account: its stored keys (RFC 5802 §3). */
typedef struct server {
    const char *mech;
    const EVP_MD *md;
    const char *salt;
    unsigned iterations;
    size_t ds;
    unsigned char client_key[EVP_MAX_MD_SIZE]; /* what the test looks for in the cache's memory */
    unsigned char stored_key[EVP_MAX_MD_SIZE];
    unsigned char server_key[EVP_MAX_MD_SIZE];
} server;

/* Returns 1 when OpenSSL computed every key. No CHECK here or in
 * exchange(): test_threads() calls both from several threads. */
static int server_init(server *sv, const char *mech, const char *password, const char *salt, unsigned iterations)
{
    unsigned char salted[EVP_MAX_MD_SIZE];
    unsigned n = 0;

    memset(sv, 0, sizeof(*sv));
    sv->mech = mech;
    sv->md = strcmp(mech, "SCRAM-SHA-1") == 0 ? EVP_sha1() : EVP_sha256();
    sv->salt = salt;
    sv->iterations = iterations;
    sv->ds = (size_t)EVP_MD_get_size(sv->md);
    return PKCS5_PBKDF2_HMAC(password, (int)strlen(password), (const unsigned char *)salt, (int)strlen(salt),
                             (int)iterations, sv->md, (int)sv->ds, salted) == 1
        && HMAC(sv->md, salted, (int)sv->ds, (const unsigned char *)"Client Key", 10, sv->client_key, &n) != NULL
        && EVP_Digest(sv->client_key, sv->ds, sv->stored_key, &n, sv->md, NULL) == 1
        && HMAC(sv->md, salted, (int)sv->ds, (const unsigned char *)"Server Key", 10, sv->server_key, &n) != NULL;
}

typedef struct outcome {
    int rc;                 /* the client's last step: SQAUTH_OK when it accepted v= */
    int proof_ok;           /* the server accepted the client's proof */
    int hit;                /* the client took its keys from the cache */
    char final[256];        /* the client-final message */
} outcome;

/* One exchange of sv->mech as "user" with the client's password pw. */
static outcome exchange(const server *sv, const char *pw, int no_key_cache)
{
    sqauth_sasl_config cfg;
    sqauth_sasl *s = NULL;
    sqauth_buf out = SQAUTH_BUF_INIT, sf = SQAUTH_BUF_INIT, am = SQAUTH_BUF_INIT, msg = SQAUTH_BUF_INIT;
    sqauth_buf proof = SQAUTH_BUF_INIT;
    sqauth_error err;
    unsigned char sig[EVP_MAX_MD_SIZE], key[EVP_MAX_MD_SIZE], h[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    outcome o;
    const char *p;
    size_t i;
    int has = 0;

    memset(&o, 0, sizeof(o));
    o.rc = SQAUTH_ERR_STATE;
    memset(&cfg, 0, sizeof(cfg));
    cfg.authcid = sqauth_str_c("user");
    cfg.password = sqauth_str_c(pw);
    cfg.cnonce = sqauth_str_c(CNONCE);
    cfg.min_iterations = 1;
    cfg.no_key_cache = no_key_cache;
    if (sqauth_sasl_new(&s, sv->mech, strlen(sv->mech), &cfg, &err) != SQAUTH_OK
        || sqauth_sasl_start(s, &out, &has, &err) != SQAUTH_OK) {
        sqauth_sasl_free(s);
        sqauth_buf_free(&out);
        return o;
    }
    sqauth_buf_append_str(&sf, "r=" CNONCE "srvpart,s=");
    sqauth_b64_encode(&sf, (const unsigned char *)sv->salt, strlen(sv->salt));
    sqauth_buf_printf(&sf, ",i=%u", sv->iterations);
    sqauth_buf_reset(&out);
    o.rc = sqauth_sasl_step(s, sf.data, sf.len, &out, &err);
    if (o.rc != SQAUTH_OK) {
        goto done;
    }
    o.hit = s->key_cache_hit;
    snprintf(o.final, sizeof(o.final), "%s", (const char *)out.data);

    /* The server: AuthMessage, ClientSignature, ClientKey = proof XOR
     * signature, and H(ClientKey) must be its StoredKey. */
    p = strstr((const char *)out.data, ",p=");
    sqauth_buf_printf(&am, "n=user,r=" CNONCE ",%s,%.*s", (const char *)sf.data, (int)(p - (const char *)out.data),
                      (const char *)out.data);
    sqauth_b64_decode(&proof, p + 3, strlen(p + 3), &err);
    HMAC(sv->md, sv->stored_key, (int)sv->ds, am.data, am.len, sig, &n);
    for (i = 0; i < sv->ds && i < proof.len; i++) {
        key[i] = proof.data[i] ^ sig[i];
    }
    EVP_Digest(key, sv->ds, h, &n, sv->md, NULL);
    o.proof_ok = proof.len == sv->ds && memcmp(h, sv->stored_key, sv->ds) == 0;
    if (o.proof_ok) {
        HMAC(sv->md, sv->server_key, (int)sv->ds, am.data, am.len, sig, &n);
        sqauth_buf_append_str(&msg, "v=");
        sqauth_b64_encode(&msg, sig, sv->ds);
    } else {
        sqauth_buf_append_str(&msg, "e=invalid-proof");
    }
    sqauth_buf_reset(&out);
    o.rc = sqauth_sasl_step(s, msg.data, msg.len, &out, &err);
done:
    sqauth_sasl_free(s);
    sqauth_buf_wipe(&out);
    sqauth_buf_free(&sf);
    sqauth_buf_free(&am);
    sqauth_buf_free(&msg);
    sqauth_buf_free(&proof);
    return o;
}

static sqauth_scram_cache_stats stats(void)
{
    sqauth_scram_cache_stats st;
    sqauth_scram_cache_get_stats(&st);
    return st;
}

/* Whether n bytes at p occur anywhere in the cache's block. */
static int in_storage(const void *p, size_t n)
{
    size_t len, i;
    const unsigned char *block = sqauth_scram_cache_test_storage(&len);

    for (i = 0; block && i + n <= len; i++) {
        if (memcmp(block + i, p, n) == 0) {
            return 1;
        }
    }
    return 0;
}

static int storage_all_zero(void)
{
    size_t len, i;
    const unsigned char *block = sqauth_scram_cache_test_storage(&len);

    for (i = 0; block && i < len; i++) {
        if (block[i]) {
            return 0;
        }
    }
    return block != NULL;
}

/* A cached exchange sends the proof an uncached one sends: the RFC 7677
 * and RFC 5802 examples with the cache off, then missed, then hit. */
static void test_same_proof(void)
{
    static const char *const mechs[] = {"SCRAM-SHA-1", "SCRAM-SHA-256"};
    size_t m;

    for (m = 0; m < 2; m++) {
        server sv;
        outcome off, miss, hit;
        sqauth_scram_cache_stats before;

        CHECK(server_init(&sv, mechs[m], "pencil", "saltSALTsalt", 4096));
        before = stats();
        off = exchange(&sv, "pencil", 1);
        CHECK(off.rc == SQAUTH_OK && off.proof_ok && !off.hit);
        /* The opt-out neither reads nor fills the cache. */
        CHECK(stats().misses == before.misses && stats().hits == before.hits && stats().entries == before.entries);

        miss = exchange(&sv, "pencil", 0);
        CHECK(miss.rc == SQAUTH_OK && miss.proof_ok && !miss.hit);
        CHECK(stats().misses == before.misses + 1 && stats().entries == before.entries + 1);
        hit = exchange(&sv, "pencil", 0);
        CHECK(hit.rc == SQAUTH_OK && hit.proof_ok && hit.hit);
        CHECK(stats().hits == before.hits + 1);
        CHECK(strcmp(off.final, miss.final) == 0 && strcmp(off.final, hit.final) == 0);
        /* The password is not what the cache keeps. */
        CHECK(!in_storage("pencil", 6));
    }
}

/* Any change in what SaltedPassword depends on is a miss, and the proof
 * is then the right one for the new inputs (the server accepts it). */
static void test_misses(void)
{
    server base, other;
    outcome o;
    sqauth_scram_cache_stats st;

    CHECK(server_init(&base, "SCRAM-SHA-256", "correct horse", "NaCl-one", 4096));
    o = exchange(&base, "correct horse", 0);
    CHECK(o.rc == SQAUTH_OK && o.proof_ok);
    o = exchange(&base, "correct horse", 0);
    CHECK(o.rc == SQAUTH_OK && o.hit);

    /* the salt */
    CHECK(server_init(&other, "SCRAM-SHA-256", "correct horse", "NaCl-two", 4096));
    st = stats();
    o = exchange(&other, "correct horse", 0);
    CHECK(o.rc == SQAUTH_OK && o.proof_ok && !o.hit && stats().misses == st.misses + 1);
    /* the iteration count */
    CHECK(server_init(&other, "SCRAM-SHA-256", "correct horse", "NaCl-one", 4097));
    st = stats();
    o = exchange(&other, "correct horse", 0);
    CHECK(o.rc == SQAUTH_OK && o.proof_ok && !o.hit && stats().misses == st.misses + 1);
    /* the hash */
    CHECK(server_init(&other, "SCRAM-SHA-1", "correct horse", "NaCl-one", 4096));
    st = stats();
    o = exchange(&other, "correct horse", 0);
    CHECK(o.rc == SQAUTH_OK && o.proof_ok && !o.hit && stats().misses == st.misses + 1);
    /* the password: a changed one (the server has it too) misses and works */
    CHECK(server_init(&other, "SCRAM-SHA-256", "battery staple", "NaCl-one", 4096));
    st = stats();
    o = exchange(&other, "battery staple", 0);
    CHECK(o.rc == SQAUTH_OK && o.proof_ok && !o.hit && stats().misses == st.misses + 1);
    /* a wrong one misses, is refused, and is not cached */
    st = stats();
    o = exchange(&base, "wrong horse", 0);
    CHECK(!o.proof_ok && !o.hit && o.rc == SQAUTH_ERR_SERVER);
    CHECK(stats().misses == st.misses + 1 && stats().entries == st.entries);
    o = exchange(&base, "wrong horse", 0);
    CHECK(!o.hit);
    /* and never hides the right one, which still hits */
    o = exchange(&base, "correct horse", 0);
    CHECK(o.rc == SQAUTH_OK && o.hit);
}

/* A server whose signature does not match gets nothing cached. */
static void test_unverified_not_cached(void)
{
    server sv, liar;
    outcome o;
    sqauth_scram_cache_stats st;

    CHECK(server_init(&sv, "SCRAM-SHA-256", "pw", "unverified-salt", 4096));
    /* Same salt and count, but it holds another password's ServerKey:
     * it accepts nothing the client sends and signs wrongly. */
    CHECK(server_init(&liar, "SCRAM-SHA-256", "pw", "unverified-salt", 4096));
    memset(liar.server_key, 0x5a, sizeof(liar.server_key));
    st = stats();
    o = exchange(&liar, "pw", 0);
    CHECK(o.proof_ok && o.rc == SQAUTH_ERR_NOT_VERIFIED);
    CHECK(stats().entries == st.entries && stats().misses == st.misses + 1);
    o = exchange(&sv, "pw", 0);
    CHECK(o.rc == SQAUTH_OK && !o.hit);
}

/* Least recently used first; an evicted entry leaves no key bytes. */
static void test_eviction(void)
{
    server a, b, c, big, small;
    outcome o;
    sqauth_scram_cache_stats st;
    sqauth_error err;

    CHECK_RC(sqauth_scram_cache_set_capacity(2, &err), SQAUTH_OK);
    CHECK(stats().capacity == 2 && stats().entries == 0);
    CHECK(server_init(&a, "SCRAM-SHA-256", "pw", "salt-a", 4096));
    CHECK(server_init(&b, "SCRAM-SHA-256", "pw", "salt-b", 4096));
    CHECK(server_init(&c, "SCRAM-SHA-256", "pw", "salt-c", 4096));
    exchange(&a, "pw", 0);
    exchange(&b, "pw", 0);
    CHECK(in_storage(a.client_key, a.ds) && in_storage(b.client_key, b.ds));
    o = exchange(&a, "pw", 0);      /* a is now the most recently used */
    CHECK(o.hit);
    st = stats();
    exchange(&c, "pw", 0);          /* evicts b */
    CHECK(stats().evictions == st.evictions + 1 && stats().entries == 2);
    CHECK(!in_storage(b.client_key, b.ds) && !in_storage(b.server_key, b.ds));
    CHECK(in_storage(c.client_key, c.ds));
    o = exchange(&a, "pw", 0);
    CHECK(o.hit);
    o = exchange(&b, "pw", 0);
    CHECK(o.rc == SQAUTH_OK && !o.hit);

    /* A SHA-1 entry in the slot of a SHA-256 one: the 12 bytes past the
     * SHA-1 key must not survive either. */
    CHECK_RC(sqauth_scram_cache_set_capacity(1, &err), SQAUTH_OK);
    CHECK(server_init(&big, "SCRAM-SHA-256", "pw", "salt-big", 4096));
    CHECK(server_init(&small, "SCRAM-SHA-1", "pw", "salt-small", 4096));
    exchange(&big, "pw", 0);
    CHECK(in_storage(big.client_key + 20, 12) && in_storage(big.server_key + 20, 12));
    exchange(&small, "pw", 0);
    CHECK(in_storage(small.client_key, small.ds));
    CHECK(!in_storage(big.client_key + 20, 12) && !in_storage(big.server_key + 20, 12));

    /* Clearing wipes the whole block. */
    sqauth_scram_cache_clear();
    CHECK(stats().entries == 0);
    CHECK(storage_all_zero());
    o = exchange(&small, "pw", 0);
    CHECK(o.rc == SQAUTH_OK && !o.hit);

    /* Off: nothing counted, nothing kept; limits. */
    CHECK_RC(sqauth_scram_cache_set_capacity(0, &err), SQAUTH_OK);
    st = stats();
    o = exchange(&small, "pw", 0);
    o = exchange(&small, "pw", 0);
    CHECK(o.rc == SQAUTH_OK && !o.hit && stats().hits == st.hits && stats().misses == st.misses);
    CHECK(stats().capacity == 0 && stats().entries == 0);
    CHECK_RC(sqauth_scram_cache_set_capacity(SQAUTH_SCRAM_CACHE_MAX_CAPACITY + 1, &err), SQAUTH_ERR_INVALID_ARG);
    CHECK_RC(sqauth_scram_cache_set_capacity(SQAUTH_SCRAM_CACHE_DEFAULT_CAPACITY, &err), SQAUTH_OK);
}

/* A forked child uses its inherited copy; what it adds stays its own. */
static void test_fork(void)
{
    server inherited, childs;
    pid_t pid;
    int status = -1;

    CHECK(server_init(&inherited, "SCRAM-SHA-256", "pw", "salt-before-fork", 4096));
    CHECK(server_init(&childs, "SCRAM-SHA-256", "pw", "salt-of-the-child", 4096));
    exchange(&inherited, "pw", 0);
    fflush(NULL);
    pid = fork();
    if (pid == 0) {
        outcome a = exchange(&inherited, "pw", 0), b = exchange(&childs, "pw", 0), c = exchange(&childs, "pw", 0);
        _exit(a.rc == SQAUTH_OK && a.hit && b.rc == SQAUTH_OK && !b.hit && c.hit ? 0 : 1);
    }
    CHECK(pid > 0);
    if (pid > 0) {
        outcome o;
        CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
        o = exchange(&childs, "pw", 0);
        CHECK(o.rc == SQAUTH_OK && !o.hit);
    }
}

/* Threads that share the cache: every proof still right. Small counts
 * (min_iterations is 1 in exchange()) keep the misses cheap. */
#define THREADS 4
#define ROUNDS 40

static void *hammer(void *arg)
{
    server sv[3];
    size_t bad = 0, i;
    char salt[3][32];

    for (i = 0; i < 3; i++) {
        snprintf(salt[i], sizeof(salt[i]), "thread-salt-%zu", i);
        bad += !server_init(&sv[i], i == 1 ? "SCRAM-SHA-1" : "SCRAM-SHA-256", "pw", salt[i], 64);
    }
    for (i = 0; i < ROUNDS; i++) {
        outcome o = exchange(&sv[(i + (size_t)arg) % 3], "pw", 0);
        bad += !(o.rc == SQAUTH_OK && o.proof_ok);
    }
    return (void *)bad;
}

static void test_threads(void)
{
    pthread_t t[THREADS];
    size_t i, bad = 0, started = 0;
    sqauth_error err;

    CHECK_RC(sqauth_scram_cache_set_capacity(2, &err), SQAUTH_OK); /* 3 keys, 2 slots: evictions race lookups */
    for (i = 0; i < THREADS; i++) {
        started += pthread_create(&t[i], NULL, hammer, (void *)i) == 0;
    }
    CHECK(started == THREADS);
    for (i = 0; i < started; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad += (size_t)r;
    }
    CHECK(bad == 0);
    CHECK(stats().entries <= 2);
    CHECK_RC(sqauth_scram_cache_set_capacity(SQAUTH_SCRAM_CACHE_DEFAULT_CAPACITY, &err), SQAUTH_OK);
}

void test_scram_cache(void)
{
    test_same_proof();
    test_misses();
    test_unverified_not_cached();
    test_eviction();
    test_fork();
    test_threads();
    sqauth_scram_cache_shutdown();
    CHECK(stats().entries == 0);
}
