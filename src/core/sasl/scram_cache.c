/*
 * SCRAM key cache (see scram_cache.h): ClientKey and ServerKey under a keyed
 * hash of what SaltedPassword = Hi(Normalize(password), salt, i) depends on
 * (RFC 5802 §3), least recently used entries evicted first.
 *
 * Layout: one calloc'd block of fixed-size slots, filled in order and then
 * reused from the least recently used end; a hash index (chains through
 * the slots) finds an id without scanning, and a doubly linked list of
 * slot numbers keeps the use order. An evicted slot is cleansed before it
 * is reused, so a shorter SHA-1 key never leaves the tail of an older
 * SHA-256 key behind.
 *
 * Threads: one mutex guards everything, the keyed hash included (its
 * context is shared); it is held for a lookup or a store, never for PBKDF2.
 * Fork: the child inherits a private copy of the cache (ordinary process
 * memory, nothing shared with the parent afterwards): its entries came from
 * passwords of the same program with the same privileges, and whatever the
 * child stores or evicts later is invisible to the parent and the other
 * way round. A pthread_atfork handler holds the mutex across fork(), so the
 * child never inherits it locked by a thread that does not exist there.
 */
#include "scram_cache.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include <openssl/crypto.h>

#define ID_LEN 32   /* HMAC-SHA-256 */
#define NO_SLOT (-1)

typedef struct cache_slot {
    unsigned char id[ID_LEN];
    unsigned char client_key[EVP_MAX_MD_SIZE];
    unsigned char server_key[EVP_MAX_MD_SIZE];
    unsigned key_len;   /* 0: empty */
    int chain;          /* next slot in the same hash bucket */
    int newer, older;   /* use order */
} cache_slot;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static int atfork_registered;

/* Everything below is guarded by cache_lock. */
static size_t capacity = SQAUTH_SCRAM_CACHE_DEFAULT_CAPACITY;
static cache_slot *slots;          /* capacity slots, or NULL until first use */
static int *buckets;               /* bucket_count chain heads */
static size_t bucket_count;        /* a power of two */
static size_t used;                /* slots [0, used) have been filled at least once */
static size_t entries;
static int newest = NO_SLOT, oldest = NO_SLOT;
static EVP_MAC_CTX *id_mac;        /* HMAC-SHA-256 keyed with this process's random key */
/* Bumped whenever the entries or the id key go away, so that a store
 * prepared before that (a lookup, then PBKDF2 without the lock) is dropped. */
static unsigned generation;
static unsigned long long hits, misses, evictions;

static void lock_for_fork(void)
{
    pthread_mutex_lock(&cache_lock);
}

static void unlock_after_fork(void)
{
    pthread_mutex_unlock(&cache_lock);
}

static void register_atfork(void)
{
    atfork_registered = pthread_atfork(lock_for_fork, unlock_after_fork, unlock_after_fork) == 0;
}

/* Every entry point takes the lock through here, so the fork handler is in
 * place before any thread can hold the lock. */
static void lock(void)
{
    pthread_once(&atfork_once, register_atfork);
    pthread_mutex_lock(&cache_lock);
}

/* ---- storage (cache_lock held) ---- */

static void wipe_storage(void)
{
    if (slots) {
        OPENSSL_cleanse(slots, capacity * sizeof(*slots));
    }
    if (buckets) {
        memset(buckets, 0xff, bucket_count * sizeof(*buckets)); /* all NO_SLOT */
    }
    used = entries = 0;
    newest = oldest = NO_SLOT;
    generation++;
}

static void free_storage(void)
{
    wipe_storage();
    free(slots);
    free(buckets);
    slots = NULL;
    buckets = NULL;
    bucket_count = 0;
}

/* A fresh HMAC-SHA-256 context under 32 random bytes; the key lives only
 * inside it (EVP_MAC_CTX_free cleanses it). */

/* Storage and id key for the current capacity; 0 when the cache is off or
 * OpenSSL or memory failed (the cache then stays unused, logins go on). */
static int ready(void)
{
    size_t i;

    if (capacity == 0) {
        return 0;
    }
    if (!id_mac && !(id_mac = sqauth_hmac_sha256_random_key())) {
        return 0;
    }
    if (slots) {
        return 1;
    }
    bucket_count = 1;
    while (bucket_count < capacity) {
        bucket_count <<= 1;
    }
    slots = calloc(capacity, sizeof(*slots));
    buckets = malloc(bucket_count * sizeof(*buckets));
    if (!slots || !buckets) {
        free(slots);
        free(buckets);
        slots = NULL;
        buckets = NULL;
        bucket_count = 0;
        return 0;
    }
    for (i = 0; i < bucket_count; i++) {
        buckets[i] = NO_SLOT;
    }
    used = entries = 0;
    newest = oldest = NO_SLOT;
    return 1;
}

static int *bucket_of(const unsigned char id[ID_LEN])
{
    uint32_t h = (uint32_t)id[0] | (uint32_t)id[1] << 8 | (uint32_t)id[2] << 16 | (uint32_t)id[3] << 24;
    return &buckets[h & (bucket_count - 1)];
}

static int find(const unsigned char id[ID_LEN])
{
    int i;

    for (i = *bucket_of(id); i != NO_SLOT; i = slots[i].chain) {
        if (CRYPTO_memcmp(slots[i].id, id, ID_LEN) == 0) {
            return i;
        }
    }
    return NO_SLOT;
}

static void lru_unlink(int i)
{
    cache_slot *e = &slots[i];

    if (e->newer != NO_SLOT) {
        slots[e->newer].older = e->older;
    } else {
        newest = e->older;
    }
    if (e->older != NO_SLOT) {
        slots[e->older].newer = e->newer;
    } else {
        oldest = e->newer;
    }
}

static void lru_push_newest(int i)
{
    slots[i].newer = NO_SLOT;
    slots[i].older = newest;
    if (newest != NO_SLOT) {
        slots[newest].newer = i;
    }
    newest = i;
    if (oldest == NO_SLOT) {
        oldest = i;
    }
}

/* Takes slot i out of its bucket and the use order and cleanses it. */
static void evict(int i)
{
    int *link = bucket_of(slots[i].id);

    while (*link != i) {
        link = &slots[*link].chain;
    }
    *link = slots[i].chain;
    lru_unlink(i);
    OPENSSL_cleanse(&slots[i], sizeof(slots[i]));
    entries--;
    evictions++;
}

/* id = HMAC-SHA-256(process key, nid || i || len(salt) || salt || password),
 * fixed-width numbers first so that no two inputs share an encoding. */
static int compute_id(const sqauth_scram_cache_query *q, unsigned char id[ID_LEN])
{
    unsigned char head[20];
    uint32_t nid = (uint32_t)EVP_MD_get_type(q->md);
    uint64_t iter = (uint64_t)q->iterations, slen = (uint64_t)q->salt_len;
    EVP_MAC_CTX *ctx;
    size_t n = 0;
    int k, ok;

    for (k = 0; k < 4; k++) {
        head[k] = (unsigned char)(nid >> (24 - 8 * k));
    }
    for (k = 0; k < 8; k++) {
        head[4 + k] = (unsigned char)(iter >> (56 - 8 * k));
        head[12 + k] = (unsigned char)(slen >> (56 - 8 * k));
    }
    ctx = EVP_MAC_CTX_dup(id_mac);
    ok = ctx != NULL && EVP_MAC_init(ctx, NULL, 0, NULL) == 1 && EVP_MAC_update(ctx, head, sizeof(head)) == 1
        && EVP_MAC_update(ctx, q->salt ? q->salt : (const unsigned char *)"", q->salt_len) == 1
        && EVP_MAC_update(ctx, (const unsigned char *)(q->password ? q->password : ""), q->password_len) == 1
        && EVP_MAC_final(ctx, id, &n, ID_LEN) == 1 && n == ID_LEN;
    EVP_MAC_CTX_free(ctx);
    return ok;
}

/* ---- the interface ---- */

int sqauth_scram_cache_set_capacity(size_t n, sqauth_error *err)
{
    if (n > SQAUTH_SCRAM_CACHE_MAX_CAPACITY) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "SCRAM key cache capacity %zu is above the limit of %d", n,
                           SQAUTH_SCRAM_CACHE_MAX_CAPACITY);
    }
    /* Storage and key come with the first lookup: a process that never
     * logs in with SCRAM (most PHP processes) pays nothing, not even the
     * seeding of OpenSSL's random generator for the key. */
    lock();
    free_storage();
    capacity = n;
    pthread_mutex_unlock(&cache_lock);
    return SQAUTH_OK;
}

int sqauth_scram_cache_get(sqauth_scram_cache_query *q, unsigned char *client_key, unsigned char *server_key)
{
    int ds = EVP_MD_get_size(q->md), i, hit = 0;

    q->have_id = 0;
    if (ds <= 0 || ds > EVP_MAX_MD_SIZE) {
        return 0;
    }
    lock();
    /* Without the fork handler a child could inherit the lock held. */
    if (atfork_registered && ready() && compute_id(q, q->id)) {
        q->have_id = 1;
        q->generation = generation;
        i = find(q->id);
        if (i != NO_SLOT && slots[i].key_len == (unsigned)ds) {
            memcpy(client_key, slots[i].client_key, (size_t)ds);
            memcpy(server_key, slots[i].server_key, (size_t)ds);
            lru_unlink(i);
            lru_push_newest(i);
            hits++;
            hit = 1;
        } else {
            misses++;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return hit;
}

void sqauth_scram_cache_put(const sqauth_scram_cache_query *q, const unsigned char *client_key,
                            const unsigned char *server_key)
{
    int ds = EVP_MD_get_size(q->md), i;
    int *bucket;

    if (!q->have_id || ds <= 0 || ds > EVP_MAX_MD_SIZE) {
        return;
    }
    lock();
    if (q->generation != generation || !slots) {
        pthread_mutex_unlock(&cache_lock);
        return;
    }
    i = find(q->id);
    if (i != NO_SLOT) {
        /* Another thread computed the same keys meanwhile. */
        lru_unlink(i);
    } else {
        if (used < capacity) {
            i = (int)used++;
        } else {
            i = oldest;
            evict(i);
        }
        memcpy(slots[i].id, q->id, ID_LEN);
        bucket = bucket_of(q->id);
        slots[i].chain = *bucket;
        *bucket = i;
        entries++;
    }
    memcpy(slots[i].client_key, client_key, (size_t)ds);
    memcpy(slots[i].server_key, server_key, (size_t)ds);
    slots[i].key_len = (unsigned)ds;
    lru_push_newest(i);
    pthread_mutex_unlock(&cache_lock);
}

void sqauth_scram_cache_get_stats(sqauth_scram_cache_stats *out)
{
    lock();
    out->capacity = capacity;
    out->entries = entries;
    out->hits = hits;
    out->misses = misses;
    out->evictions = evictions;
    pthread_mutex_unlock(&cache_lock);
}

void sqauth_scram_cache_clear(void)
{
    lock();
    wipe_storage();
    pthread_mutex_unlock(&cache_lock);
}

void sqauth_scram_cache_shutdown(void)
{
    lock();
    free_storage();
    EVP_MAC_CTX_free(id_mac);
    id_mac = NULL;
    pthread_mutex_unlock(&cache_lock);
}

#ifdef SQAUTH_TESTING
const unsigned char *sqauth_scram_cache_test_storage(size_t *len)
{
    *len = slots ? capacity * sizeof(*slots) : 0;
    return (const unsigned char *)slots;
}
#endif
