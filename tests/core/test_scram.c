#include "check.h"

void test_scram(void)
{
}
