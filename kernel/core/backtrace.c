#include "core/backtrace.h"

#include "arch/arch.h"
#include "core/ksyms.h"
#include "core/log.h"

#define BACKTRACE_MAX 32

void backtrace_print(const struct trap_frame *frame)
{
	uintptr_t pcs[BACKTRACE_MAX];
	size_t n = arch_stack_trace(frame, pcs, BACKTRACE_MAX);

	kprintf("backtrace:\n");
	for (size_t i = 0; i < n; i++) {
		/* A return address may already belong to the next function
		 * after a call to a noreturn function: look up pc - 1. */
		uintptr_t lookup = i == 0 ? pcs[i] : pcs[i] - 1, offset;
		const char *name = ksyms_lookup(lookup, &offset);

		if (name)
			kprintf("  #%zu %#018lx %s+%#lx\n", i, pcs[i], name,
				offset + (pcs[i] - lookup));
		else
			kprintf("  #%zu %#018lx ?\n", i, pcs[i]);
	}
	if (n == BACKTRACE_MAX)
		kprintf("  ... (truncated)\n");
}

void backtrace_print_here(void)
{
	struct trap_frame frame;

	arch_capture_frame(&frame);
	backtrace_print(&frame);
}
