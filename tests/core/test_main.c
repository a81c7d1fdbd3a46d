/* Runs the C core's known-answer tests; prints "N passed, N failed". */
#include "check.h"

int check_passed, check_failed;

int main(void)
{
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
    test_defaults();
    printf("%d passed, %d failed\n", check_passed, check_failed);
    return check_failed ? 1 : 0;
}
