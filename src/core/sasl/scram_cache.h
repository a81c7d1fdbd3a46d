/*
 * SCRAM key cache: ClientKey and ServerKey (RFC 5802 §3) of recent SCRAM
 * exchanges, so that a repeated login with the same password, salt,
 * iteration count and hash skips PBKDF2 (Hi()), which is nearly all of a
 * SCRAM client's work.
 *
 * One cache per process, shared by every thread (ZTS) and by every SCRAM
 * session whatever its connection. Entries are found by a keyed hash
 * (HMAC-SHA-256 under a random key made once per process) of the hash name,
 * iteration count, salt and password: the password itself is never stored.
 * The values are secrets as good as the password for that server (they let
 * anyone who holds them log in there); they are kept in one block that is
 * cleansed entry by entry on eviction and as a whole on clear.
 *
 * Bounded: at most `capacity` entries, the least recently used one goes
 * first. Capacity 0 turns the cache off.
 */
#ifndef SQAUTH_SCRAM_CACHE_H
#define SQAUTH_SCRAM_CACHE_H

#include "../common.h"

#include <openssl/evp.h>

/* Entries when nobody sets a capacity: a PHP worker serving this many
 * distinct SCRAM accounts in turn still hits on every repeat login. */
#define SQAUTH_SCRAM_CACHE_DEFAULT_CAPACITY 64
/* Largest capacity sqauth_scram_cache_set_capacity() accepts. */
#define SQAUTH_SCRAM_CACHE_MAX_CAPACITY 100000

/* What one exchange looks up and, on a miss, stores: the inputs of
 * SaltedPassword. Borrowed; password is the caller's, before SASLprep (the
 * same bytes always prepare to the same string). */
typedef struct sqauth_scram_cache_query {
    const EVP_MD *md;
    const char *password;
    size_t password_len;
    const unsigned char *salt;
    size_t salt_len;
    unsigned long iterations;
    /* Filled by sqauth_scram_cache_get() for the store that follows a miss. */
    unsigned char id[32];
    unsigned generation;
    int have_id;
} sqauth_scram_cache_query;

typedef struct sqauth_scram_cache_stats {
    size_t capacity;    /* 0: the cache is off */
    size_t entries;
    unsigned long long hits, misses, evictions;
} sqauth_scram_cache_stats;

/* Sets how many entries are kept; 0 turns the cache off. Every entry is
 * wiped and dropped (the counters stay); the storage is allocated by the
 * next lookup (when that fails, lookups miss without counting). Returns
 * SQAUTH_OK or SQAUTH_ERR_INVALID_ARG (above
 * SQAUTH_SCRAM_CACHE_MAX_CAPACITY). */
int sqauth_scram_cache_set_capacity(size_t capacity, sqauth_error *err);

/* Looks q up. On a hit copies EVP_MD_get_size(q->md) bytes each to
 * client_key and server_key, moves the entry to the front and returns 1.
 * Returns 0 on a miss (counted) and when the cache is off or cannot be
 * used (not counted); q then carries what sqauth_scram_cache_put() needs. */
int sqauth_scram_cache_get(sqauth_scram_cache_query *q, unsigned char *client_key, unsigned char *server_key);

/* Stores the keys computed after a miss on q, evicting the least recently
 * used entry when the cache is full. Does nothing when the cache is off or
 * was cleared since the lookup. */
void sqauth_scram_cache_put(const sqauth_scram_cache_query *q, const unsigned char *client_key,
                            const unsigned char *server_key);

void sqauth_scram_cache_get_stats(sqauth_scram_cache_stats *out);

/* Wipes and drops every entry; the capacity and the counters stay. */
void sqauth_scram_cache_clear(void);

/* Wipes everything, frees the storage, the keyed hash and its key (module
 * shutdown). The capacity stays; a later use starts from nothing, with a
 * new key. */
void sqauth_scram_cache_shutdown(void);

#ifdef SQAUTH_TESTING
/* The block that holds every entry (ids and keys), for tests that check
 * what is left in it after an eviction or a clear; NULL when none. */
const unsigned char *sqauth_scram_cache_test_storage(size_t *len);
#endif

#endif
