/* A small Linux program with thread-local storage (PT_TLS: initialised
 * .tdata and zeroed .tbss), for tests/unit/test_elf.c. */
#include <stdio.h>

static __thread int counter = 7;
__thread int zeroed;		/* extern, so it stays in .tbss */

int main(void)
{
	printf("%d %d\n", ++counter, zeroed);
	return 0;
}
