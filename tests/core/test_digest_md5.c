#include "check.h"

void test_digest_md5(void)
{
}
