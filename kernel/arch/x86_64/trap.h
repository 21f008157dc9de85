/* Interrupt and exception entry. isr.S pushes a trap_frame and calls
 * trap_dispatch(); handlers registered here decide what a vector means. */
#ifndef ARCH_X86_64_TRAP_H
#define ARCH_X86_64_TRAP_H

#define TRAP_VECTOR_NONE	(~0ull)	/* frame captured by panic() */
#define TRAP_VECTOR_SYSCALL	0x100	/* frame built by the syscall entry */

#ifndef __ASSEMBLER__
#include <stdint.h>

/* Field order is the push order in isr.S, reversed. */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error;		/* 0 for vectors without an error code */
	/* pushed by the CPU */
	uint64_t rip, cs, rflags, rsp, ss;
};

enum {
	VEC_DIVIDE = 0, VEC_DEBUG, VEC_NMI, VEC_BREAKPOINT, VEC_OVERFLOW,
	VEC_BOUND, VEC_INVALID_OPCODE, VEC_DEVICE_NOT_AVAILABLE,
	VEC_DOUBLE_FAULT, VEC_COPROCESSOR_OVERRUN, VEC_INVALID_TSS,
	VEC_SEGMENT_NOT_PRESENT, VEC_STACK_FAULT, VEC_GENERAL_PROTECTION,
	VEC_PAGE_FAULT, VEC_RESERVED15, VEC_X87, VEC_ALIGNMENT_CHECK,
	VEC_MACHINE_CHECK, VEC_SIMD, VEC_VIRTUALIZATION, VEC_CONTROL_PROTECTION,
	VEC_FIRST_IRQ = 32,
	VEC_TIMER = 0x40,		/* local APIC timer */
	VEC_SPURIOUS = 0xff,		/* local APIC spurious vector */
};

/* A handler returns when it dealt with the trap; the interrupted code then
 * resumes with whatever the handler left in the frame. */
typedef void (*trap_handler_fn)(struct trap_frame *frame);

void trap_set_handler(unsigned vector, trap_handler_fn handler);
const char *trap_name(unsigned vector);
void trap_dispatch(struct trap_frame *frame);
void idt_init(void);

#endif /* __ASSEMBLER__ */
#endif
