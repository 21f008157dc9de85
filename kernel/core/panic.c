#include "core/panic.h"

#include <stdarg.h>
#include <stdbool.h>

#include "arch/arch.h"
#include "core/backtrace.h"
#include "core/log.h"
#include "core/params.h"
#include "core/shutdown.h"
#include "lib/string.h"

static bool exit_on_panic;	/* set once at boot (panic=) */
static int panic_depth;	/* the panic path's, interrupts off */

void panic_set_exit_on_panic(void)
{
	exit_on_panic = true;
}

static bool parse_panic(const char *value)
{
	if (strcmp(value, "exit") == 0) {
		exit_on_panic = true;
		return true;
	}
	if (strcmp(value, "halt") == 0) {
		exit_on_panic = false;
		return true;
	}
	log_warn("cmdline: panic=%s is not 'halt' or 'exit'\n", value);
	return false;
}
PARAM("panic", parse_panic);

/* The one place a dead kernel ends up. */
__attribute__((noreturn)) static void panic_finish(void)
{
	if (exit_on_panic) {
		kprintf("panic: exiting QEMU\n");
		system_exit(EXIT_PANIC);
	}
	kprintf("panic: system halted\n");
	arch_halt_forever();
}

/* A fault while reporting a panic must not recurse into a second full
 * report: say so and stop. */
static void enter_panic(void)
{
	arch_irq_save();
	if (++panic_depth > 1) {
		kprintf("\nnested panic while reporting a panic; stopping\n");
		panic_finish();
	}
	log_enter_panic_mode();
}

void panic(const char *fmt, ...)
{
	struct trap_frame frame;
	va_list ap;

	arch_capture_frame(&frame);
	enter_panic();
	kprintf("\nPANIC: ");
	va_start(ap, fmt);
	log_vprintf(LOG_ERROR, fmt, ap);
	va_end(ap);
	kprintf("\n");
	arch_dump_frame(&frame);
	backtrace_print(&frame);
	panic_finish();
}

void panic_with_frame(const struct trap_frame *frame, const char *title)
{
	enter_panic();
	kprintf("\nPANIC: %s\n", title);
	arch_dump_frame(frame);
	backtrace_print(frame);
	panic_finish();
}
