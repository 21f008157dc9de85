/* Exception and interrupt entry stubs. Each stub makes the stack look the
 * same (an error code, real or 0, then the vector) and joins trap_common,
 * which saves the general registers as a struct trap_frame (trap.h). */
#include "arch/x86_64/layout.h"
#include "arch/x86_64/trap_frame.inc"

#define FRAME_CS_OFFSET (15 * 8 + 2 * 8 + 8)	/* regs, vector, error, rip */

/* SDM Vol. 3A 6.15: these vectors push an error code. */
#define HAS_ERROR_CODE(v) ((v) == 8 || ((v) >= 10 && (v) <= 14) || (v) == 17 || \
			   (v) == 21 || (v) == 29 || (v) == 30)

	.text
	.altmacro
.macro isr_stub vector
	.align 16
isr_stub_\vector:
	.if !HAS_ERROR_CODE(\vector)
	pushq $0
	.endif
	pushq $\vector
	jmp trap_common
.endm

.macro isr_address vector
	.quad isr_stub_\vector
.endm

	.set vector, 0
	.rept 256
	isr_stub %vector
	.set vector, vector + 1
	.endr

trap_common:
	/* Entering from user mode, swap to the kernel's GS base. */
	testb $3, FRAME_CS_OFFSET - 15 * 8(%rsp)
	jz 1f
	swapgs
1:	push_general_registers
	cld
	movq %rsp, %rdi
	call trap_dispatch
/* Also where a new user thread enters user mode for the first time, with
 * rsp at the trap frame its creator built. */
	.global trap_return
trap_return:
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	testb $3, FRAME_CS_OFFSET - 15 * 8(%rsp)
	jz 2f
	swapgs
2:	addq $16, %rsp			/* vector and error code */
	iretq

/* void arch_capture_frame(struct trap_frame *frame): the caller's registers
 * as they are at the call, with rip = the return address. */
	.global arch_capture_frame
arch_capture_frame:
	movq %r15, 0(%rdi)
	movq %r14, 8(%rdi)
	movq %r13, 16(%rdi)
	movq %r12, 24(%rdi)
	movq %r11, 32(%rdi)
	movq %r10, 40(%rdi)
	movq %r9, 48(%rdi)
	movq %r8, 56(%rdi)
	movq %rbp, 64(%rdi)
	movq %rdi, 72(%rdi)
	movq %rsi, 80(%rdi)
	movq %rdx, 88(%rdi)
	movq %rcx, 96(%rdi)
	movq %rbx, 104(%rdi)
	movq %rax, 112(%rdi)
	movq $-1, 120(%rdi)		/* vector: none */
	movq $0, 128(%rdi)		/* error */
	movq (%rsp), %rax
	movq %rax, 136(%rdi)		/* rip */
	movq %cs, %rax
	movq %rax, 144(%rdi)
	pushfq
	popq 152(%rdi)
	leaq 8(%rsp), %rax
	movq %rax, 160(%rdi)		/* rsp after return */
	movq %ss, %rax
	movq %rax, 168(%rdi)
	movq 112(%rdi), %rax
	ret

	.section .rodata
	.align 8
	.global isr_stub_table
isr_stub_table:
	.set vector, 0
	.rept 256
	isr_address %vector
	.set vector, vector + 1
	.endr

	.section .note.GNU-stack, "", @progbits
