/* The nonce pool (fork safety, no repeats) and the algorithms fetched once. */
#include "check.h"
#include "common.h"

#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define DRAWS 3
#define NONCE 24

static int read_all(int fd, unsigned char *p, size_t n)
{
    while (n) {
        ssize_t r = read(fd, p, n);
        if (r <= 0) {
            return -1;
        }
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* The pool is filled in the parent before fork(); without the atfork
 * handler, the child would hand out the parent's next nonces. */
static void nonce_fork(void)
{
    unsigned char parent[DRAWS][NONCE], child[DRAWS][NONCE], first[NONCE];
    int fds[2], status = 0, i, j, differ = 1;
    pid_t pid;

    CHECK_RC(sqauth_random_nonce(first, NONCE, NULL), SQAUTH_OK);
    if (pipe(fds) != 0) {
        CHECK(!"pipe() failed");
        return;
    }
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        CHECK(!"fork() failed");
        close(fds[0]);
        close(fds[1]);
        return;
    }
    if (pid == 0) {
        unsigned char mine[DRAWS][NONCE];
        ssize_t w;
        close(fds[0]);
        for (i = 0; i < DRAWS; i++) {
            if (sqauth_random_nonce(mine[i], NONCE, NULL) != SQAUTH_OK) {
                _exit(2);
            }
        }
        w = write(fds[1], mine, sizeof(mine));
        _exit(w == (ssize_t)sizeof(mine) ? 0 : 3);
    }
    close(fds[1]);
    for (i = 0; i < DRAWS; i++) {
        CHECK_RC(sqauth_random_nonce(parent[i], NONCE, NULL), SQAUTH_OK);
    }
    CHECK(read_all(fds[0], &child[0][0], sizeof(child)) == 0);
    close(fds[0]);
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    for (i = 0; i < DRAWS; i++) {
        for (j = 0; j < DRAWS; j++) {
            if (memcmp(parent[i], child[j], NONCE) == 0) {
                differ = 0;
            }
        }
        if (memcmp(first, child[i], NONCE) == 0) {
            differ = 0;
        }
    }
    CHECK(differ);
}

/* Draws across several pool refills never repeat. */
static void nonce_no_repeat(void)
{
    enum { COUNT = 200 };   /* 200 * 24 bytes: more than one 4 KiB pool */
    static unsigned char seen[COUNT][NONCE];
    int i, j, ok = 1;

    for (i = 0; i < COUNT; i++) {
        if (sqauth_random_nonce(seen[i], NONCE, NULL) != SQAUTH_OK) {
            ok = 0;
        }
        for (j = 0; ok && j < i; j++) {
            if (memcmp(seen[i], seen[j], NONCE) == 0) {
                ok = 0;
            }
        }
    }
    CHECK(ok);
    /* Larger draws bypass the pool; zero bytes is a no-op. */
    {
        unsigned char big[300];
        CHECK_RC(sqauth_random_nonce(big, sizeof(big), NULL), SQAUTH_OK);
        CHECK_RC(sqauth_random_nonce(big, 0, NULL), SQAUTH_OK);
    }
}

static void hmac_md5_kat(void)
{
    /* RFC 2202 §2, test case 2. */
    static const char expected[] = "750c783e6ab0b503eaa86e310a5db738";
    unsigned char mac[16];
    char hex[33];
    int round, i;

    for (round = 0; round < 2; round++) {
        sqauth_error err;
        CHECK_RC(sqauth_hmac_md5("Jefe", 4, "what do ya want for nothing?", 28, mac, &err), SQAUTH_OK);
        for (i = 0; i < 16; i++) {
            snprintf(hex + 2 * i, 3, "%02x", mac[i]);
        }
        CHECK_BYTES(hex, 32, expected);
        CHECK(sqauth_md5() != NULL);
        /* Fetched again after a cleanup. */
        sqauth_crypto_cleanup();
    }
    /* Empty key (an empty password), RFC 2104 style: HMAC-MD5("", "") */
    CHECK_RC(sqauth_hmac_md5("", 0, "", 0, mac, NULL), SQAUTH_OK);
    for (i = 0; i < 16; i++) {
        snprintf(hex + 2 * i, 3, "%02x", mac[i]);
    }
    CHECK_BYTES(hex, 32, "74e6f7298a9c2d168935f58c001bad88");
}

void test_random(void)
{
    nonce_no_repeat();
    nonce_fork();
    hmac_md5_kat();
}
