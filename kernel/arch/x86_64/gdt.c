#include "arch/x86_64/gdt.h"

#include "arch/x86_64/percpu.h"
#include "lib/string.h"

/* Descriptor flag bytes (SDM Vol. 3A 3.4.5): access byte and the
 * granularity nibble with L (64-bit code) set for code segments. */
#define SEG_KERNEL_CODE	0x00af9a000000ffffull
#define SEG_KERNEL_DATA	0x00cf92000000ffffull
#define SEG_USER_DATA	0x00cff2000000ffffull
#define SEG_USER_CODE	0x00affa000000ffffull
#define TSS_AVAILABLE	0x89

void gdt_init(struct cpu *cpu)
{
	uint64_t tss = (uintptr_t)&cpu->tss;
	uint64_t limit = sizeof(cpu->tss) - 1;
	struct { uint16_t limit; uint64_t base; } __attribute__((packed)) gdtr = {
		sizeof(cpu->gdt) - 1, (uintptr_t)cpu->gdt,
	};

	memset(&cpu->tss, 0, sizeof(cpu->tss));
	for (int i = 0; i < IST_COUNT; i++)
		cpu->tss.ist[i] = (uintptr_t)cpu->ist_stacks[i] + IST_STACK_SIZE;
	cpu->tss.iomap_base = sizeof(cpu->tss);	/* no I/O permission bitmap */

	cpu->gdt[0] = 0;
	cpu->gdt[GDT_KERNEL_CODE / 8] = SEG_KERNEL_CODE;
	cpu->gdt[GDT_KERNEL_DATA / 8] = SEG_KERNEL_DATA;
	cpu->gdt[GDT_USER_BASE / 8] = 0;
	cpu->gdt[GDT_USER_DATA / 8] = SEG_USER_DATA;
	cpu->gdt[GDT_USER_CODE / 8] = SEG_USER_CODE;
	/* A 16-byte system descriptor (SDM Vol. 3A 8.2.3). */
	cpu->gdt[GDT_TSS / 8] = (limit & 0xffff) | ((tss & 0xffffff) << 16) |
				((uint64_t)TSS_AVAILABLE << 40) |
				(((limit >> 16) & 0xf) << 48) |
				(((tss >> 24) & 0xff) << 56);
	cpu->gdt[GDT_TSS / 8 + 1] = tss >> 32;

	__asm__ volatile(
		"lgdt %0\n\t"
		"pushq %1\n\t"			/* reload CS with a far return */
		"leaq 1f(%%rip), %%rax\n\t"
		"pushq %%rax\n\t"
		"lretq\n"
		"1:\n\t"
		"movw %w2, %%ds\n\t"
		"movw %w2, %%es\n\t"
		"movw %w2, %%ss\n\t"
		"ltr %w3"
		:
		: "m"(gdtr), "i"(GDT_KERNEL_CODE), "r"(GDT_KERNEL_DATA), "r"(GDT_TSS)
		: "rax", "memory");
}
