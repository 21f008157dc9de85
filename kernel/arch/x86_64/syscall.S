/* SYSCALL entry (SDM Vol. 2B, SYSCALL/SYSRET). The CPU leaves the user rip
 * in rcx and rflags in r11, masks IF, and does not switch stacks: we swap to
 * the kernel GS, park the user rsp in the per-CPU area, and build the same
 * struct trap_frame an interrupt from user mode would, so a thread blocked
 * in a syscall looks like any other (killable, dumpable, switchable). */
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/trap.h"
#include "arch/x86_64/trap_frame.inc"

	.text
	.global syscall_entry
syscall_entry:
	swapgs
	movq %rsp, %gs:CPU_USER_RSP
	movq %gs:CPU_KERNEL_RSP, %rsp
	pushq $GDT_USER_DATA		/* ss */
	pushq %gs:CPU_USER_RSP		/* rsp */
	pushq %r11			/* rflags */
	pushq $GDT_USER_CODE		/* cs */
	pushq %rcx			/* rip */
	pushq $0			/* error */
	pushq $TRAP_VECTOR_SYSCALL
	push_general_registers
	xorl %ebp, %ebp			/* backtraces stop here */
	sti
	movq %rsp, %rdi
	call syscall_dispatch
	cli
	/* A call that gave the thread all-new registers (the Linux
	 * personality's execve) returns true: then every register comes
	 * back from the frame, by the interrupt return. */
	testb %al, %al
	jnz trap_return
	/* C code preserved rbx and r12-r15, so only the registers it may
	 * have clobbered come back from the frame (and rbp, zeroed above). */
	movq 40(%rsp), %r10
	movq 48(%rsp), %r9
	movq 56(%rsp), %r8
	movq 64(%rsp), %rbp
	movq 72(%rsp), %rdi
	movq 80(%rsp), %rsi
	movq 88(%rsp), %rdx
	movq 112(%rsp), %rax
	addq $120, %rsp
	/* rsp now points at the vector slot. The rip is below USER_TOP (the
	 * last user page is never mapped), so it is canonical, and SYSRET
	 * cannot fault in ring 0 with the user's stack. */
	movq 16(%rsp), %rcx		/* rip */
	movq 32(%rsp), %r11		/* rflags */
	movq 40(%rsp), %rsp		/* rsp */
	swapgs
	sysretq

	.section .note.GNU-stack, "", @progbits
