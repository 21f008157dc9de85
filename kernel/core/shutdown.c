#include "core/shutdown.h"

#include "arch/arch.h"
#include "dev/debug_exit.h"

void system_exit(enum system_exit_status status)
{
	debug_exit(status);
	/* No debug-exit device (real hardware, or QEMU without it). ACPI
	 * poweroff arrives with the platform issue; until then, halt. */
	arch_halt_forever();
}
