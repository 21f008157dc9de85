/* Burns CPU forever in a loop on a volatile counter and never exits or
 * makes a system call: the competing load of the latency test, which kills
 * it when done. */
#include "panda.h"

int main(int argc, char **argv)
{
	volatile unsigned long counter = 0;

	(void)argc;
	(void)argv;
	for (;;)
		counter++;
}
