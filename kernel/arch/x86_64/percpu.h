/* Per-CPU state, reached through the GS base from the first instruction of
 * C code on, so a second CPU later adds an instance instead of a rewrite. */
#ifndef ARCH_X86_64_PERCPU_H
#define ARCH_X86_64_PERCPU_H

/* Offsets the entry code in syscall.S uses; checked below. */
#define CPU_USER_RSP	8
#define CPU_KERNEL_RSP	16
#define CPU_CURRENT	24
#define CPU_NEED_RESCHED 32
#define CPU_ID		36
#define CPU_SPIN_COUNT	40

#ifndef __ASSEMBLER__
#include <stdint.h>

#include "arch/x86_64/gdt.h"

struct thread;

struct cpu {
	struct cpu *self;		/* %gs:0, so this_cpu() is one load */
	uint64_t user_rsp;		/* scratch: user rsp during syscall entry */
	uint64_t kernel_rsp;		/* top of the running thread's kernel stack */
	struct thread *current;		/* the running thread */
	uint32_t need_resched;		/* switch before returning to user mode */
	unsigned id;
	uint32_t spin_count;		/* spinlocks held (core/spinlock.h) */
	uint64_t gdt[8];		/* see gdt.h for the layout */
	struct tss tss;
	uint8_t ist_stacks[IST_COUNT][IST_STACK_SIZE] __attribute__((aligned(16)));
};

_Static_assert(__builtin_offsetof(struct cpu, user_rsp) == CPU_USER_RSP, "percpu layout");
_Static_assert(__builtin_offsetof(struct cpu, kernel_rsp) == CPU_KERNEL_RSP, "percpu layout");
_Static_assert(__builtin_offsetof(struct cpu, current) == CPU_CURRENT, "percpu layout");
_Static_assert(__builtin_offsetof(struct cpu, need_resched) == CPU_NEED_RESCHED, "percpu layout");
_Static_assert(__builtin_offsetof(struct cpu, id) == CPU_ID, "percpu layout");
_Static_assert(__builtin_offsetof(struct cpu, spin_count) == CPU_SPIN_COUNT, "percpu layout");

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

#endif /* __ASSEMBLER__ */
#endif
