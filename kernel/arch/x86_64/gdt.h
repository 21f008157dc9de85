/* Segments and the TSS. Long mode ignores segment bases and limits, but the
 * CPU still needs code/data descriptors for the privilege levels, the TSS
 * for the interrupt stacks, and this exact order for SYSCALL/SYSRET. */
#ifndef ARCH_X86_64_GDT_H
#define ARCH_X86_64_GDT_H

/* Selectors. SYSRET loads SS from STAR[63:48] + 8 and CS from + 16, so user
 * data must sit right below user code (SDM Vol. 2B, SYSRET). */
#define GDT_KERNEL_CODE	0x08
#define GDT_KERNEL_DATA	0x10
#define GDT_USER_BASE	0x18	/* STAR[63:48]; the slot itself is unused */
#define GDT_USER_DATA	(0x20 | 3)
#define GDT_USER_CODE	(0x28 | 3)
#define GDT_TSS		0x30

/* Interrupt stack table slots (1-based, as the IDT gate wants them). */
#define IST_DOUBLE_FAULT	1
#define IST_NMI			2
#define IST_MACHINE_CHECK	3
#define IST_COUNT		3

#define IST_STACK_SIZE		16384

#ifndef __ASSEMBLER__
#include <stdint.h>

struct tss {
	uint32_t reserved0;
	uint64_t rsp[3];		/* stacks for entering rings 0-2 */
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3;
	uint16_t iomap_base;
} __attribute__((packed));

struct cpu;
void gdt_init(struct cpu *cpu);
#endif

#endif
