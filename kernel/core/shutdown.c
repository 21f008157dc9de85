#include "core/shutdown.h"

#include "arch/arch.h"
#include "core/ksan.h"

static int (*poweroff_hook)(void);		/* set once at boot */
static void (*exit_device)(uint8_t status);	/* set once at boot */

void system_set_exit_device(void (*fn)(uint8_t status))
{
	exit_device = fn;
}

void system_set_poweroff(int (*fn)(void))
{
	poweroff_hook = fn;
}

void system_exit(enum system_exit_status status)
{
	/* The sanitized kernel's last look at the heap; a run that passed
	 * fails if it saw a sanitizer report (core/ksan.h). */
	if (status != EXIT_PANIC)
		ksan_check_heap();
	if (status == EXIT_TESTS_PASSED && ksan_report_count())
		status = EXIT_TESTS_FAILED;
	if (exit_device)
		exit_device(status);
	/* Still running: no debug-exit device (real hardware, or QEMU
	 * without it). A finished run powers the machine off if the platform
	 * can; a panic halts, so its report stays on the screen. */
	int (*fn)(void) = poweroff_hook;
	poweroff_hook = NULL;		/* once: the hook may end up here again */
	if (status != EXIT_PANIC && fn)
		fn();
	arch_halt_forever();
}
