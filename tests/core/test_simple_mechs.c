#include "check.h"

void test_simple_mechs(void)
{
}
