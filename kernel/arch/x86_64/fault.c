/* Page faults and double faults: demand paging through the current address
 * space, user-copy fixups, and the reports for faults the kernel caused. */
#include "arch/arch.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/trap.h"
#include "core/backtrace.h"
#include "core/log.h"
#include "core/panic.h"
#include "lib/errors.h"
#include "lib/format.h"

/* Page-fault error code bits (SDM Vol. 3A 4.7). */
#define PF_PRESENT	(1u << 0)
#define PF_WRITE	(1u << 1)
#define PF_USER		(1u << 2)
#define PF_FETCH	(1u << 4)

struct ex_entry {
	uint64_t fault_ip, fixup_ip;
};
extern const struct ex_entry __ex_table_start[], __ex_table_end[];

/* Set once at boot. */
static void (*user_fault_handler)(struct trap_frame *frame, enum user_fault_reason reason,
				  const char *what, uintptr_t addr);
static int (*page_fault_handler)(uintptr_t addr, bool write, bool fetch);
static bool (*stack_guard_check)(uintptr_t addr);

void arch_set_user_fault_handler(void (*fn)(struct trap_frame *, enum user_fault_reason,
					    const char *, uintptr_t))
{
	user_fault_handler = fn;
}

void arch_set_page_fault_handler(int (*fn)(uintptr_t addr, bool write, bool fetch))
{
	page_fault_handler = fn;
}

void arch_set_stack_guard_check(bool (*fn)(uintptr_t addr))
{
	stack_guard_check = fn;
}

void arch_user_fault(struct trap_frame *f, enum user_fault_reason reason, const char *what,
		     uintptr_t addr)
{
	char title[128];

	if (!user_fault_handler) {
		fmt_snprintf(title, sizeof(title), "user-mode %s at %#lx with no process layer",
			     what, addr);
		panic_with_frame(f, title);
	}
	user_fault_handler(f, reason, what, addr);
}

static uint64_t fixup_for(uint64_t ip)
{
	/* The linker's start and end of one section: the same array. */
	/* cppcheck-suppress comparePointers */
	for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++)
		if (e->fault_ip == ip)
			return e->fixup_ip;
	return 0;
}

static void page_fault(struct trap_frame *f)
{
	uintptr_t addr = read_cr2();
	bool user_mode = f->cs & 3;
	char title[128];
	int rc = -EFAULT;

	if (addr < USER_TOP && page_fault_handler) {
		rc = page_fault_handler(addr, f->error & PF_WRITE, f->error & PF_FETCH);
		if (rc == 0)
			return;
	}
	if (user_mode) {
		if (rc == -ENOMEM)
			arch_user_fault(f, USER_FAULT_NOMEM, "out of memory", addr);
		else if (rc == -EDQUOT)
			arch_user_fault(f, USER_FAULT_QUOTA, "over its tree's memory limit", addr);
		else
			arch_user_fault(f, USER_FAULT_PAGE, "page fault", addr);
		return;
	}
	uint64_t fixup = fixup_for(f->rip);
	if (fixup) {
		/* A user copy fails with the fault's error: -ENOMEM when the
		 * page exists but no frame was left for it (the fixups in
		 * uaccess.S return rax as it is). */
		f->rip = fixup;
		f->rax = (uint64_t)(int64_t)rc;
		return;
	}
	fmt_snprintf(title, sizeof(title), "kernel page fault at %#lx (%s %s page)", addr,
		     f->error & PF_FETCH ? "executing" : f->error & PF_WRITE ? "writing" : "reading",
		     f->error & PF_PRESENT ? "a protected" : "an unmapped");
	panic_with_frame(f, title);
}

/* Runs on its own IST stack. A kernel stack overflow arrives here: the
 * push into the guard page faulted, and so did delivering that fault. */
static void double_fault(struct trap_frame *f)
{
	uintptr_t addr = read_cr2();
	char title[128];

	if (stack_guard_check && (stack_guard_check(addr) || stack_guard_check(f->rsp)))
		fmt_snprintf(title, sizeof(title),
			     "kernel stack overflow (guard page hit at %#lx, stack pointer %#lx)",
			     addr, f->rsp);
	else
		fmt_snprintf(title, sizeof(title), "double fault (cr2 %#lx)", addr);
	panic_with_frame(f, title);
}

void arch_init_faults(void)
{
	trap_set_handler(VEC_PAGE_FAULT, page_fault);
	trap_set_handler(VEC_DOUBLE_FAULT, double_fault);
}
