/* Thread switching. A thread that is not running has its callee-saved
 * registers and return address on its own kernel stack; its saved stack
 * pointer is all the scheduler keeps. Caller-saved registers need no saving:
 * arch_switch is an ordinary call as far as the compiler knows. */

	.text
/* void arch_switch(uint64_t *from_sp, uint64_t to_sp) */
	.global arch_switch
arch_switch:
	pushq %rbp
	pushq %rbx
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, (%rdi)
	movq %rsi, %rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbx
	popq %rbp
	ret

/* First instruction of a new kernel thread: start(arg) must not return. */
	.global arch_kernel_thread_trampoline
arch_kernel_thread_trampoline:
	movq %r13, %rdi
	call *%r12
	ud2

/* First instruction of a new user thread: start(arg) finishes the switch,
 * then the trap frame right above enters user mode. */
	.global arch_user_thread_trampoline
arch_user_thread_trampoline:
	movq %r13, %rdi
	call *%r12
	jmp trap_return

	.section .note.GNU-stack, "", @progbits
