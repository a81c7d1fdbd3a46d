#include "check.h"

void test_common(void)
{
}
