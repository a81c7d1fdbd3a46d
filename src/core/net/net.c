/*
 * sqauth core: TCP connect with a deadline, IPv4/IPv6, and socket waits.
 * getaddrinfo() itself has no timeout; the connect phase does.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "net.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int64_t sqauth_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int sqauth_net_is_ip_literal(const char *host)
{
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, host, buf) == 1 || inet_pton(AF_INET6, host, buf) == 1;
}

int sqauth_net_wait(int fd, int for_write, int64_t deadline_ms, const char *what, sqauth_error *err)
{
    for (;;) {
        struct pollfd p;
        int64_t left = deadline_ms - sqauth_now_ms();
        int rc;

        if (left <= 0) {
            return sqauth_fail(err, SQAUTH_ERR_TIMEOUT, "timed out %s", what);
        }
        p.fd = fd;
        p.events = for_write ? POLLOUT : POLLIN;
        p.revents = 0;
        rc = poll(&p, 1, left > 0x7fffffff ? 0x7fffffff : (int)left);
        if (rc > 0) {
            return SQAUTH_OK; /* errors and hang-ups surface in the next read/write */
        }
        if (rc < 0 && errno != EINTR) {
            int e = errno;
            sqauth_fail(err, SQAUTH_ERR_CONNECT, "poll() failed %s: %s", what, strerror(e));
            err->sys_errno = e;
            return SQAUTH_ERR_CONNECT;
        }
    }
}

/* Non-blocking from socket() where the system allows it: two system calls
 * fewer per connection than fcntl() afterwards. */
#ifdef SOCK_NONBLOCK
#define SOCKET_NONBLOCK SOCK_NONBLOCK
#else
#define SOCKET_NONBLOCK 0
#endif

static int connect_one(const struct addrinfo *ai, int64_t deadline, int *fd_out, int *sys_errno, int *timed_out)
{
    int fd, flags, soerr = 0;
    socklen_t len = sizeof(soerr);

    fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCKET_NONBLOCK, ai->ai_protocol);
    if (fd < 0) {
        *sys_errno = errno;
        return -1;
    }
    if (!SOCKET_NONBLOCK) {
        flags = fcntl(fd, F_GETFL, 0);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) {
            *sys_errno = errno;
            close(fd);
            return -1;
        }
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        *fd_out = fd;
        return 0;
    }
    if (errno != EINPROGRESS) {
        *sys_errno = errno;
        close(fd);
        return -1;
    }
    if (sqauth_net_wait(fd, 1, deadline, "connecting", NULL) != SQAUTH_OK) {
        *timed_out = 1;
        close(fd);
        return -1;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0) {
        soerr = errno;
    }
    if (soerr != 0) {
        *sys_errno = soerr;
        close(fd);
        return -1;
    }
    *fd_out = fd;
    return 0;
}

int sqauth_net_connect(const char *host, unsigned port, int64_t deadline, int *fd, sqauth_error *err)
{
    struct addrinfo hints, *res = NULL, *ai;
    char service[16];
    int rc, sys_errno = 0, timed_out = 0;

    *fd = -1;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    snprintf(service, sizeof(service), "%u", port);
    /* An address needs no name service: AI_NUMERICHOST skips /etc/hosts,
     * NSS and AI_ADDRCONFIG's interface dump (about 20 system calls). */
    hints.ai_flags = AI_NUMERICSERV | (sqauth_net_is_ip_literal(host) ? AI_NUMERICHOST : AI_ADDRCONFIG);
    rc = getaddrinfo(host, service, &hints, &res);
    if (rc == EAI_ADDRFAMILY) {
        /* AI_ADDRCONFIG hides ::1 on hosts without a global IPv6 address. */
        hints.ai_flags = AI_NUMERICSERV;
        rc = getaddrinfo(host, service, &hints, &res);
    }
    if (rc != 0) {
        return sqauth_fail(err, SQAUTH_ERR_CONNECT, "cannot resolve host \"%.100s\": %s", host, gai_strerror(rc));
    }
    for (ai = res; ai; ai = ai->ai_next) {
        if (connect_one(ai, deadline, fd, &sys_errno, &timed_out) == 0) {
            int one = 1;
            freeaddrinfo(res);
            /* Protocol lines are small and interactive. */
            setsockopt(*fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
            return SQAUTH_OK;
        }
        if (timed_out) {
            break;
        }
    }
    freeaddrinfo(res);
    if (timed_out) {
        return sqauth_fail(err, SQAUTH_ERR_TIMEOUT, "timed out connecting to %.100s port %u", host, port);
    }
    sqauth_fail(err, SQAUTH_ERR_CONNECT, "cannot connect to %.100s port %u: %s", host, port,
                sys_errno ? strerror(sys_errno) : "no address");
    if (err) {
        err->sys_errno = sys_errno;
    }
    return SQAUTH_ERR_CONNECT;
}
