/*
 * sqauth core: random bytes from OpenSSL, and the per-thread pool that
 * serves public nonces (fork-safe).
 */
#include "common.h"

#include <string.h>

#include <pthread.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

int sqauth_random(unsigned char *out, size_t n, sqauth_error *err)
{
    if (n > 0x7fffffff || RAND_bytes(out, (int)n) != 1) {
        return sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL RAND_bytes failed");
    }
    return SQAUTH_OK;
}

/* ---- nonce pool ---- */

/* One pool per thread (ZTS builds run requests in threads), so no lock. */
#define NONCE_POOL_SIZE 4096
/* Larger requests bypass the pool. */
#define NONCE_POOL_MAX_DRAW 128

typedef struct nonce_pool {
    unsigned char bytes[NONCE_POOL_SIZE];
    size_t avail;          /* unused bytes at the end of bytes[] */
    unsigned generation;   /* fork_generation when filled */
} nonce_pool;

static __thread nonce_pool pool;
/* Bumped in every child after fork(); a pool filled under an older
 * generation was inherited from the parent and is discarded. */
static unsigned fork_generation;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static int atfork_registered;

static void nonce_pool_empty(void)
{
    OPENSSL_cleanse(pool.bytes, sizeof(pool.bytes));
    pool.avail = 0;
}

void sqauth_random_cleanup(void)
{
    nonce_pool_empty();
}

/* Runs in the child, in the thread that called fork() (the only one the
 * child has). Other threads' pools do not exist in the child; the
 * generation check covers any pool this thread refills later anyway. */
static void nonce_pool_atfork_child(void)
{
    __atomic_add_fetch(&fork_generation, 1, __ATOMIC_SEQ_CST);
    nonce_pool_empty();
}

static void nonce_pool_register(void)
{
    /* glibc unregisters the handler when the module is dlclose()d. */
    atfork_registered = pthread_atfork(NULL, NULL, nonce_pool_atfork_child) == 0;
}

int sqauth_random_nonce(unsigned char *out, size_t n, sqauth_error *err)
{
    unsigned generation;

    if (n == 0) {
        return SQAUTH_OK;
    }
    if (n > NONCE_POOL_MAX_DRAW || pthread_once(&atfork_once, nonce_pool_register) != 0 || !atfork_registered) {
        /* Without the fork handler a pool could be shared with a child. */
        return sqauth_random(out, n, err);
    }
    generation = __atomic_load_n(&fork_generation, __ATOMIC_SEQ_CST);
    if (pool.generation != generation) {
        nonce_pool_empty();
        pool.generation = generation;
    }
    if (pool.avail < n) {
        nonce_pool_empty();
        if (RAND_bytes(pool.bytes, (int)sizeof(pool.bytes)) != 1) {
            nonce_pool_empty();
            return sqauth_fail(err, SQAUTH_ERR_CRYPTO, "OpenSSL RAND_bytes failed");
        }
        pool.avail = sizeof(pool.bytes);
    }
    memcpy(out, pool.bytes + sizeof(pool.bytes) - pool.avail, n);
    /* Handed-out bytes leave the pool for good. */
    OPENSSL_cleanse(pool.bytes + sizeof(pool.bytes) - pool.avail, n);
    pool.avail -= n;
    return SQAUTH_OK;
}
