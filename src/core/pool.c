/*
 * sqauth core: pooled authenticated connections (see pool.h).
 *
 * The pool is a list of entries, newest first (the order of use: the
 * least recently used entry is the last). A handful of entries per
 * process, so lookups scan it. Entries hold sessions; the keyed hashes and
 * the time of the login live in the session itself (proto.h), so a session
 * carries them to its caller and back.
 *
 * The mutex guards the list, the counters, the limits and the keyed hash;
 * it is never held while a session does I/O: entries are taken out under
 * the lock and checked, logged out or freed after it is released.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "pool.h"
#include "net/net.h"
#include "proto/proto.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#define ID_LEN 32

typedef struct pool_entry {
    sqauth_session *session;
    int64_t idle_since_ms;
    struct pool_entry *newer, *older;
} pool_entry;

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t atfork_once = PTHREAD_ONCE_INIT;
static int atfork_registered;

/* Guarded by pool_lock. */
static sqauth_pool_limits limits = {
    SQAUTH_POOL_DEFAULT_SIZE, SQAUTH_POOL_DEFAULT_PER_USER, SQAUTH_POOL_DEFAULT_IDLE_TIMEOUT_MS,
    SQAUTH_POOL_DEFAULT_MAX_LIFETIME_MS, SQAUTH_POOL_DEFAULT_CHECK_AFTER_MS,
};
static pool_entry *newest, *oldest;
static size_t entry_count;
static pid_t pool_pid;             /* the process the entries belong to; 0 = none yet */
static EVP_MAC_CTX *id_mac;        /* HMAC-SHA-256 under this process's random key */
static sqauth_pool_stats counters;

/* Sign-outs (sqauth_pool_forget()): a session of that user key that was
 * logged in before and was in use then is logged out when it is handed
 * back, not pooled. Kept for the lifetime (an older session is not
 * pooled anyway), the most recent FORGET_MARKS of them. */
#define FORGET_MARKS 64
typedef struct forget_mark {
    unsigned char user_id[ID_LEN];
    int64_t at_ms;
} forget_mark;
static forget_mark forget_marks[FORGET_MARKS];
static size_t forget_mark_count;

/* Sign-outs shared with forked processes. PHP-FPM's workers and Apache
 * httpd's children are forked from the process that started the module,
 * and a user's page views go to any of them: a sign-out served by one must
 * reach the pools of the others. sqauth_pool_share_signouts() maps a ring
 * of sign-outs into memory that every process forked afterwards shares,
 * and makes the key of the tags it holds: the user key under a key of the
 * whole family (each process's own key differs). Each process checks its
 * pool against the sign-outs it has not seen at its next pooled() or
 * release(), and a session in use when it is handed back. The ring keeps
 * the last SIGNOUT_RING; a session that has not been checked against
 * older ones than that is taken as signed out (its user may have been).
 * A login form's login that the server accepted is recorded as a sign-out
 * of its user before it (ring_record_replacement()). */
#define SIGNOUT_RING 4096
typedef struct signout_ring {
    pthread_mutex_t lock;        /* process-shared and robust: a process killed holding it blocks nobody */
    uint64_t count;              /* sign-outs recorded so far; number n is at marks[(n - 1) % SIGNOUT_RING] */
    unsigned char marks[SIGNOUT_RING][ID_LEN];
} signout_ring;
static signout_ring *ring;         /* NULL: sign-outs reach this process's pool alone */
static EVP_MAC_CTX *tag_mac;       /* HMAC-SHA-256 under the key of the ring's family; guarded by pool_lock */
static uint64_t signouts_swept;    /* the ring's count when this process's pool was last checked against it */

/* ---- the lock, and fork ---- */

static void lock_for_fork(void)
{
    pthread_mutex_lock(&pool_lock);
}

static void unlock_after_fork(void)
{
    pthread_mutex_unlock(&pool_lock);
}

static void register_atfork(void)
{
    atfork_registered = pthread_atfork(lock_for_fork, unlock_after_fork, unlock_after_fork) == 0;
}

static void entry_unlink(pool_entry *e)
{
    if (e->newer) {
        e->newer->older = e->older;
    } else {
        newest = e->older;
    }
    if (e->older) {
        e->older->newer = e->newer;
    } else {
        oldest = e->newer;
    }
    e->newer = e->older = NULL;
    entry_count--;
}

/* Takes the lock. In a child of fork() the entries are the parent's: they
 * are unlinked here and handed back in *inherited, to be freed after the
 * lock is released (sqauth_session_free() sends nothing in a process that
 * does not own the connection); the counters start again. */
static void lock(pool_entry **inherited)
{
    pid_t me = getpid();

    pthread_once(&atfork_once, register_atfork);
    pthread_mutex_lock(&pool_lock);
    *inherited = NULL;
    if (pool_pid != me) {
        if (pool_pid != 0) {
            pool_entry *list = NULL;
            while (oldest) {
                pool_entry *e = oldest;
                entry_unlink(e);
                e->older = list;
                list = e;
            }
            *inherited = list;
            memset(&counters, 0, sizeof(counters));
        }
        pool_pid = me;
    }
}

static void free_list(pool_entry *list)
{
    while (list) {
        pool_entry *next = list->older;
        sqauth_session_free(list->session);
        free(list);
        list = next;
    }
}

static void unlock(pool_entry *inherited)
{
    pthread_mutex_unlock(&pool_lock);
    free_list(inherited);
}

/* ---- the keyed hashes ---- */


/* Numbers in 8 bytes; strings length-prefixed (absent: all ones), so that
 * no value can imitate another or move the boundary between two. */
static int put_num(sqauth_buf *b, uint64_t v)
{
    unsigned char n[8];
    int k;

    for (k = 0; k < 8; k++) {
        n[k] = (unsigned char)(v >> (56 - 8 * k));
    }
    return sqauth_buf_append(b, n, sizeof(n)) ? -1 : 0;
}

static int put_bytes(sqauth_buf *b, const void *p, size_t n, int present)
{
    if (put_num(b, present ? (uint64_t)n : UINT64_MAX)) {
        return -1;
    }
    return present && n && sqauth_buf_append(b, p, n) ? -1 : 0;
}

static int put_str(sqauth_buf *b, sqauth_str s)
{
    return put_bytes(b, s.data, s.len, s.data != NULL);
}

static int put_cstr(sqauth_buf *b, const char *s)
{
    return put_bytes(b, s, s ? strlen(s) : 0, s != NULL);
}

/* A name compared without regard to case, as the login compares it. */
static int put_name(sqauth_buf *b, sqauth_str s)
{
    char upper[64];
    size_t i;

    if (!s.data || s.len >= sizeof(upper)) {
        return put_str(b, s);
    }
    for (i = 0; i < s.len; i++) {
        upper[i] = s.data[i] >= 'a' && s.data[i] <= 'z' ? (char)(s.data[i] - 32) : s.data[i];
    }
    return put_bytes(b, upper, s.len, 1);
}

/* Everything the login depends on but its secrets. A new field of
 * sqauth_session_options, sqauth_login_options or sqauth_sasl_config that
 * changes what a login does belongs here. */
static int put_identity(sqauth_buf *b, const sqauth_session_options *o, const sqauth_login_options *l)
{
    const sqauth_sasl_config *c = &l->sasl;
    char *tls = sqauth_tls_config_identity(&o->tls);
    size_t i;
    int bad;

    if (!tls) {
        return -1;
    }
    bad = put_cstr(b, sqauth_protocol_name(o->protocol)) || put_cstr(b, o->host) || put_num(b, o->port)
        || put_num(b, (uint64_t)o->tls_mode) || put_cstr(b, tls) || put_cstr(b, o->helo)
        || put_num(b, (uint64_t)o->skip_greeting) || put_str(b, o->sitewide_user)
        || put_num(b, (uint64_t)l->method) || put_name(b, l->mechanism) || put_num(b, (uint64_t)l->allow_plaintext)
        || put_num(b, l->allowed ? (uint64_t)l->allowed_count : UINT64_MAX);
    free(tls);
    for (i = 0; !bad && l->allowed && i < l->allowed_count; i++) {
        bad = put_name(b, l->allowed[i]);
    }
    bad = bad || put_str(b, c->authcid) || put_str(b, c->authzid) || put_str(b, c->service) || put_str(b, c->host)
        || put_num(b, c->port) || put_str(b, c->realm) || put_str(b, c->cnonce)
        || put_num(b, c->qop ? (uint64_t)c->qop_count : UINT64_MAX);
    for (i = 0; !bad && c->qop && i < c->qop_count; i++) {
        bad = put_cstr(b, c->qop[i]);
    }
    return bad || put_str(b, c->cipher) || put_num(b, c->maxbuf) || put_num(b, (uint64_t)c->digest_hash_utf8)
        || put_num(b, c->min_iterations) || put_num(b, c->max_iterations) || put_num(b, (uint64_t)c->no_key_cache)
        || put_str(b, c->cb_type) || put_str(b, c->cb_data) ? -1 : 0;
}

/* HMAC of the parts under the process's key: ctx is restarted with that
 * key each time (the caller holds the lock). */
static int mac(EVP_MAC_CTX *ctx, const sqauth_buf *first, const unsigned char *second, size_t second_len,
               unsigned char out[ID_LEN])
{
    size_t n = 0;
    return EVP_MAC_init(ctx, NULL, 0, NULL) == 1 && EVP_MAC_update(ctx, first->data, first->len) == 1
        && (!second_len || EVP_MAC_update(ctx, second, second_len) == 1)
        && EVP_MAC_final(ctx, out, &n, ID_LEN) == 1 && n == ID_LEN;
}

/* The user key (everything but the secrets), and the session key: the
 * secrets and then the user key, keyed again, so that the identity is
 * hashed once (the session key changes whenever the user key or a secret
 * does). Each input starts with its label, so the two keys never hash the
 * same bytes. id NULL: the user key alone, and only when the process has
 * its key already (without it nothing was ever pooled). 0 when they cannot
 * be made (no memory, OpenSSL refuses; no key yet for the user key alone):
 * a login then goes on without the pool. */
static int make_ids(const sqauth_session_options *o, const sqauth_login_options *l, unsigned char *id,
                    unsigned char user_id[ID_LEN])
{
    sqauth_buf user = SQAUTH_BUF_INIT, secrets = SQAUTH_BUF_INIT;
    pool_entry *inherited;
    int ok;

    ok = put_cstr(&user, "user") == 0 && put_identity(&user, o, l) == 0;
    if (ok && id) {
        ok = put_cstr(&secrets, "login") == 0 && put_str(&secrets, l->sasl.password) == 0
          && put_str(&secrets, l->sasl.token) == 0 && put_str(&secrets, o->sitewide_password) == 0;
    }
    if (ok) {
        lock(&inherited);
        if (!id_mac && id) {
            id_mac = sqauth_hmac_sha256_random_key();
        }
        ok = id_mac != NULL && mac(id_mac, &user, NULL, 0, user_id)
          && (!id || mac(id_mac, &secrets, user_id, ID_LEN, id));
        unlock(inherited);
    }
    sqauth_buf_wipe(&user);
    sqauth_buf_wipe(&secrets);
    return ok;
}

/* The user key under the key of the ring's family (signout_ring), for a
 * fresh login and a sign-out alone: a reused session carries its own. 0
 * when sign-outs are not shared or it cannot be made. Without the
 * process's own key too: a sign-out served by a process that never pooled
 * must still reach the others. */
static int make_tag(const sqauth_session_options *o, const sqauth_login_options *l, unsigned char tag[ID_LEN])
{
    sqauth_buf user = SQAUTH_BUF_INIT;
    pool_entry *inherited;
    int ok;

    ok = put_cstr(&user, "user") == 0 && put_identity(&user, o, l) == 0;
    if (ok) {
        lock(&inherited);
        ok = ring && tag_mac && mac(tag_mac, &user, NULL, 0, tag);
        unlock(inherited);
    }
    sqauth_buf_wipe(&user);
    return ok;
}

/* ---- dropping sessions ---- */

/* Starts a call on s (one deadline for everything it sends and reads)
 * that ends within ms from now, the session's own timeout kept for its
 * later calls and for the message of a timeout. */
static void begin_call_within(sqauth_session *s, int64_t ms)
{
    int own = s->timeout_ms;

    s->timeout_ms = ms < 1 ? 1 : ms < own ? (int)ms : own;
    sqauth_session_begin_call(s);
    s->timeout_ms = own;
    s->call.timeout_ms = own;
}

/* Runs fn within cap_ms (or the session's own timeout when shorter). */
static int with_wait(sqauth_session *s, int64_t cap_ms, int (*fn)(sqauth_session *, sqauth_error *), sqauth_error *err)
{
    int rc;

    begin_call_within(s, cap_ms);
    rc = fn(s, err);
    sqauth_session_end_call(s);
    return rc;
}

static int logout_step(sqauth_session *s, sqauth_error *err)
{
    (void)err;
    sqauth_session_logout(s);
    return SQAUTH_OK;
}

static int check_step(sqauth_session *s, sqauth_error *err)
{
    return sqauth_pool_check(s, err);
}

/* Logs out (with a short wait for the goodbye, ending by deadline when
 * that is not 0) when the session is ours and the server may still be
 * listening, then frees. */
static void drop_by(sqauth_session *s, int say_goodbye, int64_t deadline)
{
    int64_t wait = SQAUTH_POOL_LOGOUT_WAIT_MS;
    sqauth_error ignored;

    if (!s) {
        return;
    }
    if (deadline && deadline - sqauth_now_ms() < wait) {
        wait = deadline - sqauth_now_ms();
    }
    if (say_goodbye && wait > 0 && sqauth_session_is_open(s) && sqauth_conn_is_owner(s->conn)) {
        with_wait(s, wait, logout_step, &ignored);
    }
    sqauth_session_free(s);
}

static void drop(sqauth_session *s, int say_goodbye)
{
    drop_by(s, say_goodbye, 0);
}

static void drop_list_by(pool_entry *list, int64_t deadline)
{
    while (list) {
        pool_entry *next = list->older;
        drop_by(list->session, 1, deadline);
        free(list);
        list = next;
    }
}

static void drop_list(pool_entry *list)
{
    drop_list_by(list, sqauth_now_ms() + SQAUTH_POOL_DROP_ALL_WAIT_MS);
}

/* With the lock held: unlinks the entries past the idle timeout or the
 * lifetime onto *out. */
static void collect_expired(int64_t now, pool_entry **out)
{
    pool_entry *e = oldest;

    while (e) {
        pool_entry *next = e->newer;
        if (now - e->idle_since_ms > limits.idle_timeout_ms
            || now - e->session->pool_created_ms > limits.max_lifetime_ms) {
            entry_unlink(e);
            e->older = *out;
            *out = e;
            counters.expired++;
        }
        e = next;
    }
}

/* With the lock held: unlinks the least recently used entries beyond the
 * limits onto *out: those of user_id (the user whose session was just
 * pooled) beyond per_user, then the oldest beyond size. */
static void collect_over_limits(const unsigned char *user_id, pool_entry **out)
{
    pool_entry *e, *next;
    size_t same = 0;

    for (e = newest; user_id && e; e = next) {
        next = e->older;
        if (memcmp(e->session->pool_user_id, user_id, ID_LEN) == 0 && ++same > limits.per_user) {
            entry_unlink(e);
            e->older = *out;
            *out = e;
            counters.evictions++;
        }
    }
    while (entry_count > limits.size && oldest) {
        e = oldest;
        entry_unlink(e);
        e->older = *out;
        *out = e;
        counters.evictions++;
    }
}

/* With the lock held: user_id was signed out at now. The marks past the
 * lifetime go; when all are younger, the oldest makes room. */
static void mark_forgotten(const unsigned char *user_id, int64_t now)
{
    size_t i, kept = 0, oldest_at = 0;

    for (i = 0; i < forget_mark_count; i++) {
        if (now - forget_marks[i].at_ms <= limits.max_lifetime_ms
            && memcmp(forget_marks[i].user_id, user_id, ID_LEN) != 0) {
            forget_marks[kept++] = forget_marks[i];
        }
    }
    if (kept == FORGET_MARKS) {
        for (i = 1; i < kept; i++) {
            if (forget_marks[i].at_ms < forget_marks[oldest_at].at_ms) {
                oldest_at = i;
            }
        }
        forget_marks[oldest_at] = forget_marks[--kept];
    }
    memcpy(forget_marks[kept].user_id, user_id, ID_LEN);
    forget_marks[kept].at_ms = now;
    forget_mark_count = kept + 1;
}

/* ---- the shared ring of sign-outs (see signout_ring) ---- */

static void ring_lock(void)
{
    if (pthread_mutex_lock(&ring->lock) == EOWNERDEAD) {
        /* Its holder died: at worst one mark half written, a tag of no one. */
        pthread_mutex_consistent(&ring->lock);
    }
}

static uint64_t ring_count(void)
{
    return __atomic_load_n(&ring->count, __ATOMIC_ACQUIRE);
}

/* With the ring's lock held. */
static void ring_append(const unsigned char tag[ID_LEN])
{
    memcpy(ring->marks[ring->count % SIGNOUT_RING], tag, ID_LEN);
    __atomic_store_n(&ring->count, ring->count + 1, __ATOMIC_RELEASE);
}

static void ring_record(const unsigned char tag[ID_LEN])
{
    ring_lock();
    ring_append(tag);
    pthread_mutex_unlock(&ring->lock);
}

/* With the ring's lock held: 1 when the ring holds a sign-out of tag
 * recorded after the first seen ones, or lost some of those to newer ones. */
static int ring_holds_after(const unsigned char tag[ID_LEN], uint64_t seen)
{
    uint64_t n;
    int found = ring->count - seen > SIGNOUT_RING;

    for (n = seen; !found && n < ring->count; n++) {
        found = memcmp(ring->marks[n % SIGNOUT_RING], tag, ID_LEN) == 0;
    }
    return found;
}

/* ring_holds_after() under the ring's lock; *count: the ring's count. */
static int ring_signed_out_after(const unsigned char tag[ID_LEN], uint64_t seen, uint64_t *count)
{
    int found;

    ring_lock();
    *count = ring->count;
    found = ring_holds_after(tag, seen);
    pthread_mutex_unlock(&ring->lock);
    return found;
}

/* A login form's login of tag that the server accepted replaces the
 * user's sessions everywhere, as a sign-out does: recorded for the other
 * processes, and for this one's sessions in use. The new session itself
 * must not take it for its own sign-out: returns the count it has seen
 * (seen, the count before its login, when a sign-out came during that
 * login: it counts against the new session too). */
static uint64_t ring_record_replacement(const unsigned char tag[ID_LEN], uint64_t seen)
{
    int signed_out;

    ring_lock();
    signed_out = ring_holds_after(tag, seen);
    ring_append(tag);
    if (!signed_out) {
        seen = ring->count;
    }
    pthread_mutex_unlock(&ring->lock);
    return seen;
}

/* With the lock held: 1 when s's user was signed out since s logged in
 * (s was checked against the shared sign-outs up to now when not). */
static int signed_out_since_login(sqauth_session *s)
{
    uint64_t count;
    size_t i;

    for (i = 0; i < forget_mark_count; i++) {
        if (memcmp(forget_marks[i].user_id, s->pool_user_id, ID_LEN) == 0
            && forget_marks[i].at_ms >= s->pool_created_ms) {
            return 1;
        }
    }
    if (ring && s->pool_tagged) {
        if (ring_signed_out_after(s->pool_user_tag, s->pool_signouts_seen, &count)) {
            return 1;
        }
        s->pool_signouts_seen = count;
    }
    return 0;
}

/* With the lock held: unlinks onto *out the entries whose user was signed
 * out, in this process or another of the ring, since they were last
 * checked; nothing to do (one atomic read) when no sign-out came since. */
static void collect_signed_out(pool_entry **out)
{
    pool_entry *e, *next;
    uint64_t count;

    if (!ring || (count = ring_count()) == signouts_swept) {
        return;
    }
    for (e = newest; e; e = next) {
        next = e->older;
        if (signed_out_since_login(e->session)) {
            entry_unlink(e);
            e->older = *out;
            *out = e;
            counters.forgotten++;
        }
    }
    signouts_swept = count;
}

/* ---- the interface ---- */

void sqauth_pool_limits_default(sqauth_pool_limits *l)
{
    l->size = SQAUTH_POOL_DEFAULT_SIZE;
    l->per_user = SQAUTH_POOL_DEFAULT_PER_USER;
    l->idle_timeout_ms = SQAUTH_POOL_DEFAULT_IDLE_TIMEOUT_MS;
    l->max_lifetime_ms = SQAUTH_POOL_DEFAULT_MAX_LIFETIME_MS;
    l->check_after_ms = SQAUTH_POOL_DEFAULT_CHECK_AFTER_MS;
}

int sqauth_pool_set_limits(const sqauth_pool_limits *l, sqauth_error *err)
{
    pool_entry *inherited, *dropped = NULL;

    if (l->size > SQAUTH_POOL_MAX_SIZE || l->per_user == 0 || l->idle_timeout_ms <= 0 || l->max_lifetime_ms <= 0
        || l->check_after_ms < 0) {
        return sqauth_fail(err, SQAUTH_ERR_INVALID_ARG, "connection pool limits out of range");
    }
    lock(&inherited);
    limits = *l;
    collect_over_limits(NULL, &dropped);
    collect_expired(sqauth_now_ms(), &dropped);
    unlock(inherited);
    drop_list(dropped);
    return SQAUTH_OK;
}

void sqauth_pool_get_limits(sqauth_pool_limits *l)
{
    pool_entry *inherited;

    lock(&inherited);
    *l = limits;
    unlock(inherited);
}

int sqauth_pool_protocol_poolable(const sqauth_protocol *p)
{
    return p && p->pool_check != NULL;
}

/* With the lock held: the most recently used entry for id, unlinked. */
static pool_entry *take(const unsigned char id[ID_LEN])
{
    pool_entry *e;

    for (e = newest; e; e = e->older) {
        if (CRYPTO_memcmp(e->session->pool_id, id, ID_LEN) == 0) {
            entry_unlink(e);
            return e;
        }
    }
    return NULL;
}

/* A session taken from the pool: usable as it is, checked, or dropped.
 * Returns 1 when it may be handed out. */
static int still_good(sqauth_session *s, int64_t idle_ms, int64_t check_after_ms, int64_t deadline)
{
    sqauth_error ignored;
    pool_entry *inherited;
    int rc;

    /* A server that closed it, said BYE or reset it made it readable. */
    if (!sqauth_session_is_open(s) || !sqauth_conn_is_quiet(s->conn)) {
        rc = SQAUTH_ERR_CLOSED;
    } else if (idle_ms >= check_after_ms) {
        /* A quarter of what is left of the caller's deadline at most: a
         * server that went silent must leave time for the fresh login. */
        int64_t wait = (deadline - sqauth_now_ms()) / 4;
        rc = with_wait(s, wait < SQAUTH_POOL_CHECK_WAIT_MS ? wait : SQAUTH_POOL_CHECK_WAIT_MS, check_step, &ignored);
    } else {
        return 1;
    }
    if (rc == SQAUTH_OK) {
        return 1;
    }
    lock(&inherited);
    counters.discards++;
    unlock(inherited);
    drop_by(s, rc == SQAUTH_ERR_PROTOCOL, deadline);
    return 0;
}

/* Logs out (within deadline) the kept sessions of user_id: those made
 * with another secret than id (a new password works, the old one may not
 * any more: counted as discards) and, when replace is 1, those of id too
 * (counted as forgotten); id NULL: all of them (forgotten). Returns how
 * many. */
static size_t retire(const unsigned char *user_id, const unsigned char *id, int replace, int64_t deadline)
{
    pool_entry *inherited, *e, *dropped = NULL;
    size_t n = 0;

    lock(&inherited);
    for (e = newest; e;) {
        pool_entry *next = e->older;
        int same = id && CRYPTO_memcmp(e->session->pool_id, id, ID_LEN) == 0;
        if (memcmp(e->session->pool_user_id, user_id, ID_LEN) == 0 && (replace || !same)) {
            entry_unlink(e);
            e->older = dropped;
            dropped = e;
            if (id && !same) {
                counters.discards++;
            } else {
                counters.forgotten++;
            }
            n++;
        }
        e = next;
    }
    unlock(inherited);
    drop_list_by(dropped, deadline);
    return n;
}

/* One public call, one deadline: the caller's timeout from now. */
static int64_t call_deadline(const sqauth_session_options *o)
{
    return sqauth_now_ms() + (o->timeout_ms > 0 ? o->timeout_ms : SQAUTH_CONN_DEFAULT_TIMEOUT_MS);
}

/* open() and the login as one call, within what is left of the caller's
 * deadline. */
static int fresh_login(const sqauth_session_options *o, const sqauth_login_options *login, int64_t deadline,
                       sqauth_session **out, sqauth_error *err)
{
    int rc = sqauth_session_new(out, o, err);

    if (rc != SQAUTH_OK) {
        return rc;
    }
    begin_call_within(*out, deadline - sqauth_now_ms());
    rc = sqauth_session_open(*out, err);
    if (rc == SQAUTH_OK) {
        rc = sqauth_login(*out, login, err);
    }
    sqauth_session_end_call(*out);
    return rc;
}

int sqauth_pool_get(const sqauth_session_options *o, const sqauth_login_options *login, sqauth_pool_use use,
                    sqauth_session **out, int *reused, sqauth_error *err)
{
    /* pooled() is one public call: the goodbyes to expired sessions, the
     * checks of pooled ones, a fresh login and the goodbyes of the sessions
     * it replaces share the caller's timeout. */
    int64_t deadline = call_deadline(o);
    unsigned char id[ID_LEN], user_id[ID_LEN], user_tag[ID_LEN];
    pool_entry *inherited, *expired = NULL;
    uint64_t signouts_before = 0;
    int keyed = 0, tagged = 0, rc;

    *out = NULL;
    *reused = 0;
    if (use == SQAUTH_POOL_BYPASS) {
        /* Not a pool member: sqauth_pool_put() logs it out. */
        return fresh_login(o, login, deadline, out, err);
    }
    if (sqauth_pool_protocol_poolable(o->protocol)) {
        keyed = make_ids(o, login, id, user_id);
    }
    lock(&inherited);
    collect_expired(sqauth_now_ms(), &expired);
    collect_signed_out(&expired);
    unlock(inherited);
    drop_list_by(expired, deadline);

    while (keyed && use == SQAUTH_POOL_REUSE) {
        pool_entry *e;
        sqauth_session *s;
        int64_t idle, check_after;

        lock(&inherited);
        e = atfork_registered ? take(id) : NULL;
        check_after = limits.check_after_ms;
        unlock(inherited);
        if (!e) {
            break;
        }
        s = e->session;
        idle = sqauth_now_ms() - e->idle_since_ms;
        free(e);
        if (still_good(s, idle, check_after, deadline)) {
            sqauth_session_reset_for_reuse(s, o);
            lock(&inherited);
            counters.hits++;
            unlock(inherited);
            *out = s;
            *reused = 1;
            return SQAUTH_OK;
        }
    }

    lock(&inherited);
    counters.misses++;
    unlock(inherited);
    /* Counted before the login: a sign-out during it counts against it. */
    tagged = keyed && make_tag(o, login, user_tag);
    if (tagged) {
        signouts_before = ring_count();
    }
    rc = fresh_login(o, login, deadline, out, err);
    if (rc == SQAUTH_OK && keyed) {
        (*out)->pool_member = 1;
        memcpy((*out)->pool_id, id, ID_LEN);
        memcpy((*out)->pool_user_id, user_id, ID_LEN);
        (*out)->pool_created_ms = sqauth_now_ms();
        (*out)->pool_tagged = tagged;
        memcpy((*out)->pool_user_tag, user_tag, ID_LEN);
        (*out)->pool_signouts_seen = signouts_before;
        if (use == SQAUTH_POOL_FRESH && tagged) {
            (*out)->pool_signouts_seen = ring_record_replacement(user_tag, signouts_before);
        }
        retire(user_id, id, use == SQAUTH_POOL_FRESH, deadline);
    }
    OPENSSL_cleanse(id, sizeof(id));
    return rc;
}

int sqauth_pool_forget(const sqauth_session_options *o, const sqauth_login_options *login, size_t *forgotten,
                       sqauth_error *err)
{
    int64_t deadline = call_deadline(o);
    unsigned char user_id[ID_LEN], user_tag[ID_LEN];
    pool_entry *inherited;
    int keyed, shared;

    *forgotten = 0;
    if (!sqauth_pool_protocol_poolable(o->protocol)) {
        return SQAUTH_OK;
    }
    lock(&inherited);
    keyed = id_mac != NULL;
    shared = ring != NULL;
    unlock(inherited);
    if (!keyed && !shared) {
        return SQAUTH_OK; /* no key yet: nothing was ever pooled in this process */
    }
    if (shared) {
        if (!make_tag(o, login, user_tag)) {
            return sqauth_fail(err, SQAUTH_ERR_NOMEM, "the connection pool's key could not be made");
        }
        /* For the pools of the other processes, and this one's sessions in use */
        ring_record(user_tag);
    }
    if (!keyed) {
        return SQAUTH_OK; /* no key yet: nothing was ever pooled in this process */
    }
    if (!make_ids(o, login, NULL, user_id)) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "the connection pool's key could not be made");
    }
    lock(&inherited);
    mark_forgotten(user_id, sqauth_now_ms());
    unlock(inherited);
    *forgotten = retire(user_id, NULL, 1, deadline);
    return SQAUTH_OK;
}

int sqauth_pool_put(sqauth_session *s, int clean)
{
    sqauth_error ignored;
    pool_entry *inherited, *e, *dropped = NULL;
    int64_t now;
    int rc;

    if (!s) {
        return 0;
    }
    if (!s->pool_member || !sqauth_pool_protocol_poolable(s->ops) || !sqauth_session_is_open(s)
        || !s->authenticated || !sqauth_conn_is_owner(s->conn)) {
        drop(s, 1);
        return 0;
    }
    now = sqauth_now_ms();
    lock(&inherited);
    if (limits.size == 0 || !atfork_registered) {
        rc = SQAUTH_ERR_STATE;
    } else if (now - s->pool_created_ms > limits.max_lifetime_ms) {
        counters.expired++;
        rc = SQAUTH_ERR_STATE;
    } else if (signed_out_since_login(s)) {
        counters.forgotten++;
        rc = SQAUTH_ERR_STATE;
    } else {
        rc = SQAUTH_OK;
    }
    unlock(inherited);
    if (rc != SQAUTH_OK) {
        drop(s, 1);
        return 0;
    }
    if (!clean || !sqauth_conn_is_quiet(s->conn)) {
        rc = SQAUTH_ERR_PROTOCOL;
    } else {
        rc = with_wait(s, SQAUTH_POOL_CHECK_WAIT_MS, check_step, &ignored);
    }
    if (rc != SQAUTH_OK) {
        lock(&inherited);
        counters.discards++;
        unlock(inherited);
        /* No goodbye that would only wait: a closed connection, or one
         * whose server did not answer the check. */
        drop(s, rc != SQAUTH_ERR_CLOSED && rc != SQAUTH_ERR_TIMEOUT);
        return 0;
    }

    e = calloc(1, sizeof(*e));
    if (!e) {
        drop(s, 1);
        return 0;
    }
    e->session = s;
    e->idle_since_ms = sqauth_now_ms();
    lock(&inherited);
    /* The others first: the manual promises that release() logs out the
     * expired ones too, and s itself stays (it was young enough above). */
    collect_expired(e->idle_since_ms, &dropped);
    collect_signed_out(&dropped);
    e->older = newest;
    if (newest) {
        newest->newer = e;
    } else {
        oldest = e;
    }
    newest = e;
    entry_count++;
    /* The newest entry always stays: size and per_user are at least 1 here. */
    collect_over_limits(s->pool_user_id, &dropped);
    unlock(inherited);
    drop_list(dropped);
    return 1;
}

void sqauth_pool_discard(sqauth_session *s)
{
    drop(s, 1);
}

int sqauth_pool_check(sqauth_session *s, sqauth_error *err)
{
    if (!sqauth_pool_protocol_poolable(s->ops)) {
        return sqauth_fail(err, SQAUTH_ERR_UNSUPPORTED, "%s sessions are never pooled", s->ops->name);
    }
    if (!sqauth_session_is_open(s)) {
        return sqauth_fail(err, SQAUTH_ERR_CLOSED, "the connection is closed");
    }
    return s->ops->pool_check(s, err);
}

void sqauth_pool_get_stats(sqauth_pool_stats *out)
{
    pool_entry *inherited;

    lock(&inherited);
    *out = counters;
    out->size = limits.size;
    out->entries = entry_count;
    unlock(inherited);
}

int sqauth_pool_share_signouts(sqauth_error *err)
{
    pthread_mutexattr_t attr;
    pool_entry *inherited;
    signout_ring *r;
    EVP_MAC_CTX *key;
    int failed;

    lock(&inherited);
    failed = ring != NULL;
    unlock(inherited);
    if (failed) {
        return SQAUTH_OK;
    }
    r = mmap(NULL, sizeof(*r), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (r == MAP_FAILED) {
        return sqauth_fail(err, SQAUTH_ERR_NOMEM, "no shared memory for the pool's sign-outs");
    }
    failed = pthread_mutexattr_init(&attr) != 0;
    if (!failed) {
        failed = pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED) != 0
              || pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST) != 0
              || pthread_mutex_init(&r->lock, &attr) != 0;
        pthread_mutexattr_destroy(&attr);
    }
    key = failed ? NULL : sqauth_hmac_sha256_random_key();
    if (!key) {
        munmap(r, sizeof(*r));
        return sqauth_fail(err, failed ? SQAUTH_ERR_NOMEM : SQAUTH_ERR_CRYPTO,
                           "the pool's shared sign-outs could not be set up");
    }
    lock(&inherited);
    ring = r;
    tag_mac = key;
    signouts_swept = 0;
    unlock(inherited);
    return SQAUTH_OK;
}

int sqauth_pool_signouts_shared(void)
{
    pool_entry *inherited;
    int shared;

    lock(&inherited);
    shared = ring != NULL;
    unlock(inherited);
    return shared;
}

void sqauth_pool_shutdown(void)
{
    pool_entry *inherited, *list = NULL;

    lock(&inherited);
    while (oldest) {
        pool_entry *e = oldest;
        entry_unlink(e);
        e->older = list;
        list = e;
    }
    EVP_MAC_CTX_free(id_mac);
    id_mac = NULL;
    forget_mark_count = 0; /* user keys under the key just forgotten */
    /* This process's mapping only: the others keep theirs. */
    if (ring) {
        munmap(ring, sizeof(*ring));
        ring = NULL;
    }
    EVP_MAC_CTX_free(tag_mac);
    tag_mac = NULL;
    unlock(inherited);
    drop_list(list);
}
