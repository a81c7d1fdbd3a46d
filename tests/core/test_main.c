/* Runs the C core's known-answer tests; prints "N passed, N failed". */
#include "check.h"

#include <signal.h>

int check_passed, check_failed;

int main(void)
{
    /* As in PHP (the CLI and the server SAPIs ignore SIGPIPE): OpenSSL's
     * socket BIO writes with write(), and a server that closed first would
     * end the process where the core expects EPIPE. */
    signal(SIGPIPE, SIG_IGN);
    test_common();
    test_simple_mechs();
    test_hmac_md5();
    test_digest_md5();
    test_digest_layer();
    test_scram();
    test_scram_cache();
    test_oauth();
    test_random();
    test_tls_cache();
    test_tls_options();
    test_proto();
    test_conn();
    test_deadlines();
    test_limits();
    test_defaults();
    test_pool();
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}
