/* Sleeps argv[1] milliseconds (default 0) and exits 0, silently. orphan
 * leaves these running after it exits. */
#include "panda.h"

int main(int argc, char **argv)
{
	long ms = argc > 1 ? panda_parse_long(argv[1], 0) : 0;

	if (ms > 0)
		panda_sleep_ns((uint64_t)ms * 1000000u);
	return 0;
}
