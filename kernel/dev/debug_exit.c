#include "dev/debug_exit.h"

#include "arch/arch.h"
#include "core/shutdown.h"

#define DEBUG_EXIT_PORT 0xf4

void debug_exit(uint8_t value)
{
	outl(DEBUG_EXIT_PORT, value);
}

void debug_exit_init(void)
{
	system_set_exit_device(debug_exit);
}
