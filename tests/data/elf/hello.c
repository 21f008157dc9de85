/* A small Linux program: tests/unit/test_elf.c checks what Debian's
 * musl-gcc and gcc make of it (Makefile, "ELF samples"). */
#include <stdio.h>

int main(void)
{
	printf("hello\n");
	return 0;
}
