/*
 * sqauth core: pooled authenticated connections. A process keeps sessions
 * that are logged in (IMAP, SMTP, ManageSieve) after their caller is done
 * with them and hands one to a later caller that would have made exactly
 * the same login: what PHP's persistent database connections do, without
 * their traps (a connection in an unknown state handed on, another user's
 * connection, a wrong password that works because a connection exists, a
 * forked child talking on its parent's socket).
 *
 * The key. A session is found by a keyed hash (HMAC-SHA-256 under a random
 * key made once per process) of everything its login depended on: the
 * protocol, server, port, TLS mode, every TLS option
 * (sqauth_tls_config_identity(): CA, verification, client certificate,
 * versions, ciphers, the name checked, the pin), the EHLO name, the
 * site-wide SMTP account, the login method and mechanism as asked, the
 * mechanism choice for 'auto', the cleartext policy, every SASL input
 * (authentication and authorization identity, realm, service, qop, ...),
 * and the password or token. Neither the password nor the key is stored;
 * a caller with another password has another key, so a changed or wrong
 * password always means a fresh login, and the server says whether it is
 * right. A second hash without the secrets names the user (the user key):
 * a fresh login that succeeds with a new password retires the user's
 * pooled sessions of the old one.
 *
 * On the caller's word. A login that the server must judge now (a login
 * form) asks for no reuse: it never gets a kept session, and when the
 * server accepts it, it replaces every session kept under its user key
 * (those are logged out; a refused one touches nothing), in the other
 * processes that share sign-outs too, at their next use of the pool, and
 * those in use are logged out when handed back: after a password change,
 * the first login with the new password ends the sessions of the old one
 * everywhere. Signing out
 * forgets the user key: every session kept for it is logged out without
 * a login, whatever its password, and one in use then is logged out
 * when it is handed back.
 *
 * Clean state. A session is pooled only when nothing from the server is
 * waiting anywhere (sqauth_conn_is_quiet()) and the protocol's check
 * (proto.h, pool_check) has proved in one round trip that the server
 * answers exactly that check and nothing older: no command in flight, no
 * unread literal, no IDLE, no unfinished DATA or literal of the caller's.
 * The check also puts the session back into the state of a fresh login
 * (IMAP UNSELECT, SMTP RSET); a session whose caller left state that no
 * command undoes (IMAP ENABLE, NOTIFY or UNAUTHENTICATE, ManageSieve
 * UNAUTHENTICATE, sent over the caller's stream) fails it.
 * POP3 sessions are never pooled (pop3.c).
 *
 * Reuse. A session is handed out only if it is still quiet (a server that
 * closed it, sent BYE, or reset it makes it readable), younger than the
 * maximum lifetime and idle for less than the idle timeout; after
 * check_after of idleness the check runs again first. Any of these
 * failing costs one fresh login, never an error.
 *
 * Limits: at most `size` sessions per process and `per_user` per user (the
 * second hash), the least recently used one logged out first.
 *
 * Threads and fork. One mutex guards the pool (ZTS), never held during I/O.
 * The process id is kept with the pool: a child of fork() (PHP-FPM's
 * workers are forked after the module starts) finds its parent's sessions
 * and drops them without sending a byte, not even a TLS close_notify, since
 * the sockets are shared with the parent (sqauth_conn_is_owner()).
 */
#ifndef SQAUTH_POOL_H
#define SQAUTH_POOL_H

#include <stdint.h>

#include "policy.h"

#define SQAUTH_POOL_DEFAULT_SIZE 16
#define SQAUTH_POOL_DEFAULT_PER_USER 1
#define SQAUTH_POOL_DEFAULT_IDLE_TIMEOUT_MS 300000   /* 5 minutes */
#define SQAUTH_POOL_DEFAULT_MAX_LIFETIME_MS 3600000  /* 1 hour */
#define SQAUTH_POOL_DEFAULT_CHECK_AFTER_MS 15000
#define SQAUTH_POOL_MAX_SIZE 10000
/* The longest a check waits for its reply (at release, or the session's
 * timeout when shorter; before reuse, a quarter of what is left of the
 * caller's timeout when shorter, so that a fresh login still has the
 * rest), and a LOGOUT of a session the pool drops for its goodbye. */
#define SQAUTH_POOL_CHECK_WAIT_MS 5000
#define SQAUTH_POOL_LOGOUT_WAIT_MS 1000
/* Sessions dropped together (module shutdown, a pool made smaller) wait
 * this long in all for their goodbyes, so that a server gone silent (a
 * firewall that drops the connections) holds a PHP-FPM worker's exit for
 * seconds, not pool_size seconds; the sessions left after it are closed
 * without a LOGOUT. */
#define SQAUTH_POOL_DROP_ALL_WAIT_MS 2000

typedef struct sqauth_pool_limits {
    size_t size;                 /* sessions kept per process; 0 = the pool is off */
    size_t per_user;             /* per user (same login apart from the secret) */
    int64_t idle_timeout_ms;     /* idle longer: logged out instead of handed out */
    int64_t max_lifetime_ms;     /* older (since its login): logged out */
    int64_t check_after_ms;      /* idle at least this long: checked before it is handed out */
} sqauth_pool_limits;

typedef struct sqauth_pool_stats {
    size_t size;                 /* the limit */
    size_t entries;              /* sessions in the pool now */
    unsigned long long hits;     /* handed out again */
    unsigned long long misses;   /* fresh logins sqauth_pool_get() made */
    unsigned long long discards; /* not pooled (not clean at release) or not handed out (closed, BYE,
                                    failed check), or retired after a new password */
    unsigned long long evictions; /* logged out to stay within size and per_user */
    unsigned long long expired;  /* logged out past the idle timeout or the lifetime */
    unsigned long long forgotten; /* logged out on the caller's word: sqauth_pool_forget(), or
                                     replaced by a login with reuse 0 */
} sqauth_pool_stats;

void sqauth_pool_limits_default(sqauth_pool_limits *l);
/* New limits for the process; sessions beyond them are logged out.
 * SQAUTH_ERR_INVALID_ARG when size > SQAUTH_POOL_MAX_SIZE, per_user is 0,
 * or a time is negative (idle timeout and lifetime must be above 0). */
int sqauth_pool_set_limits(const sqauth_pool_limits *l, sqauth_error *err);
void sqauth_pool_get_limits(sqauth_pool_limits *l);

/* 1 when sessions of protocol p can be pooled. */
int sqauth_pool_protocol_poolable(const sqauth_protocol *p);

/* How a caller of sqauth_pool_get() may use the pool. */
typedef enum sqauth_pool_use {
    SQAUTH_POOL_FRESH = 0,
    SQAUTH_POOL_REUSE = 1,
    SQAUTH_POOL_BYPASS = 2
} sqauth_pool_use;

/* An authenticated session for this open and this login: one from the
 * pool (*reused = 1; its timeouts and transcript set as o asks, the
 * transcript empty) or a fresh one: sqauth_session_new(), _open() and
 * sqauth_login() (*reused = 0). Sessions that fail the checks on the way
 * are dropped and counted; they never cause an error. Errors are those of
 * the fresh login; then *out may hold the failed session for its details
 * (sqauth_session_tls_failure(), _response()); free it with
 * sqauth_session_free().
 *
 * use (sqauth_pool_use): SQAUTH_POOL_REUSE, a kept session when one fits.
 * SQAUTH_POOL_FRESH: the server judges this login now. Never a kept
 * session; once the fresh login succeeds, the sessions kept under its user
 * key (this password's and, as always, any other's) are logged out within
 * the same deadline: the new session replaces them. A failed login leaves
 * them. SQAUTH_POOL_BYPASS: the pool is off for this caller alone (a web
 * server directory that sets sqauth.pool_size to 0 while the process keeps
 * its pool for the others): a fresh login that sqauth_pool_put() logs out,
 * the pool neither read nor counted nor cleaned up. */
int sqauth_pool_get(const sqauth_session_options *o, const sqauth_login_options *login, sqauth_pool_use use,
                    sqauth_session **out, int *reused, sqauth_error *err);

/* Logs out every session the pool keeps for the user key of o and login
 * (everything the login depends on but its secrets: the password, token
 * and site-wide SMTP password in them are not read), each goodbye waiting
 * at most SQAUTH_POOL_LOGOUT_WAIT_MS and all of them within o's timeout.
 * Never connects, never logs in. A session of the user key that is in
 * use meanwhile (logged in before this call) is logged out when it is
 * handed back, not pooled (the last 64 sign-outs within the lifetime are
 * remembered for that). In a child of fork() the parent's sessions are not
 * there to forget (they are dropped without a byte, as always).
 * *forgotten: how many sessions it ended. SQAUTH_ERR_NOMEM or
 * SQAUTH_ERR_CRYPTO when the key cannot be made. */
int sqauth_pool_forget(const sqauth_session_options *o, const sqauth_login_options *login, size_t *forgotten,
                       sqauth_error *err);

/* Hands s back (the pool takes it in every case). Pooled when it came from
 * sqauth_pool_get(), the pool is on and has room, its protocol can be
 * pooled, clean is 1 (the caller's own buffers hold nothing: the binding's
 * PHP stream), it is quiet and passes its protocol's check; otherwise it
 * is logged out and freed. Like sqauth_pool_get(), it also logs out the
 * pooled sessions past the idle timeout or the lifetime. Returns 1 when
 * pooled. */
int sqauth_pool_put(sqauth_session *s, int clean);

/* For a session from sqauth_pool_get() that its caller drops without
 * handing it back (its state is unknown): logged out with a short wait,
 * then freed; in a child of fork() freed without a byte sent. */
void sqauth_pool_discard(sqauth_session *s);

void sqauth_pool_get_stats(sqauth_pool_stats *out);

/* The check sqauth_pool_put() runs on a logged-in session (its protocol's
 * pool_check, proto.h), alone: for tests and the session fuzzer.
 * SQAUTH_ERR_UNSUPPORTED for a protocol whose sessions are never pooled. */
int sqauth_pool_check(sqauth_session *s, sqauth_error *err);

/* Shares sign-outs (sqauth_pool_forget()) with the processes this one
 * forks from now on (module start, before PHP-FPM or httpd forks its
 * workers): a sign-out in any of them logs out the user's sessions in
 * every one's pool, at its next sqauth_pool_get() or _put() (a session in
 * use then is not pooled when it is handed back). Without it a sign-out
 * reaches this process's pool alone. Maps a shared ring of the last 4096
 * sign-outs (their user keys, under a key made here for the family);
 * SQAUTH_OK when shared already. */
int sqauth_pool_share_signouts(sqauth_error *err);
/* 1 when sign-outs are shared (above). */
int sqauth_pool_signouts_shared(void);

/* Logs out every pooled session (freed silently in a child of fork()) and
 * forgets the process key (module shutdown), and the ring of shared
 * sign-outs in this process. The limits and counters stay. */
void sqauth_pool_shutdown(void);

#endif
