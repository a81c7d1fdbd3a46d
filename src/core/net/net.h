/*
 * sqauth core: TCP connect with a deadline (IPv4 and IPv6), and waiting on a
 * socket with a deadline. Every blocking point in sqauth goes through
 * sqauth_net_wait(), so no read or write can outlive its timeout.
 */
#ifndef SQAUTH_NET_H
#define SQAUTH_NET_H

#include <stdint.h>
#include "../common.h"

/* Monotonic clock in milliseconds. */
int64_t sqauth_now_ms(void);

/* Connects to host (name, IPv4 literal, or IPv6 literal without brackets)
 * and port, trying each address in turn, all by deadline_ms
 * (sqauth_now_ms() scale). The name lookup itself (getaddrinfo()) cannot
 * be interrupted: the resolver's own timeouts (resolv.conf) bound it. On
 * success *fd is a connected, non-blocking, close-on-exec socket.
 * Errors: SQAUTH_ERR_CONNECT (DNS failure, refused, unreachable; sys_errno
 * set where there is one), SQAUTH_ERR_TIMEOUT ("timed out connecting to
 * HOST port N"; the caller says which bound it was). */
int sqauth_net_connect(const char *host, unsigned port, int64_t deadline_ms, int *fd, sqauth_error *err);

/* Waits until fd is readable (for_write == 0) or writable, or until
 * deadline_ms (sqauth_now_ms() scale) has passed: SQAUTH_ERR_TIMEOUT with
 * `what` in the message. */
int sqauth_net_wait(int fd, int for_write, int64_t deadline_ms, const char *what, sqauth_error *err);

/* 1 when host is an IPv4 or IPv6 literal (no SNI for those, RFC 6066 §3). */
int sqauth_net_is_ip_literal(const char *host);

#endif
