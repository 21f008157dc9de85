/* Regression test for a freeze /test/kfuzz found: mem_unmap and
 * mem_protect walked every page of a range, touched or not, with the
 * address space's lock held and interrupts off, so unmapping a 64 TiB
 * mem_map (which costs nothing to make) stopped the machine for hours.
 * Maps 64 TiB, touches a page at each end, protects and unmaps it all,
 * and says how long that took. */
#include "panda.h"

#define HUGE (64ul << 40)

int main(int argc, char **argv)
{
	(void)argc, (void)argv;
	long a = panda_mem_map(NULL, HUGE, PROT_READ | PROT_WRITE);

	if (a <= 0) {		/* 0 is never a mapping */
		printf("huge-unmap: mem_map: %s\n", error_name((int)a));
		return 1;
	}
	volatile uint8_t *p = (volatile uint8_t *)a;
	p[0] = 1;
	p[HUGE - 1] = 2;
	uint64_t t0 = panda_clock();
	long rc = panda_mem_protect((void *)a, HUGE, PROT_READ);
	if (rc == 0)
		rc = panda_mem_unmap((void *)a, HUGE);
	uint64_t us = (panda_clock() - t0) / 1000;
	if (rc < 0) {
		printf("huge-unmap: %s\n", error_name((int)rc));
		return 1;
	}
	printf("huge-unmap: protected and unmapped 64 TiB in %lu us\n", (unsigned long)us);
	return 0;
}
