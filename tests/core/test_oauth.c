#include "check.h"

void test_oauth(void)
{
}
