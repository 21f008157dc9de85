/* Per-CPU state, reached through the GS base from the first instruction of
 * C code on, so a second CPU later adds an instance instead of a rewrite. */
#ifndef ARCH_X86_64_PERCPU_H
#define ARCH_X86_64_PERCPU_H

#include <stdint.h>

#include "arch/x86_64/gdt.h"

struct cpu {
	struct cpu *self;		/* %gs:0, so this_cpu() is one load */
	unsigned id;
	uint64_t gdt[8];		/* see gdt.h for the layout */
	struct tss tss;
	uint8_t ist_stacks[IST_COUNT][IST_STACK_SIZE] __attribute__((aligned(16)));
};

static inline struct cpu *this_cpu(void)
{
	struct cpu *c;
	__asm__ volatile("movq %%gs:0, %0" : "=r"(c));
	return c;
}

#endif
