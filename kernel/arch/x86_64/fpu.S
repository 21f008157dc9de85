/* Saving and restoring a thread's FPU/SSE/AVX state (fpu.c says which
 * format). Kept in assembly: the kernel's C is built without SSE registers.
 *
 * XSAVE/XRSTOR (SDM Vol. 1 13.7, 13.8) in the standard form, with every
 * bit of the requested-feature mask in EDX:EAX set, so each component XCR0
 * enables is saved and restored; the area is 64-byte aligned and
 * arch_fpu_state_size() bytes. FXSAVE/FXRSTOR (10.5): 512 bytes, 16-byte
 * aligned. The test of fpu_use_xsave, set once at boot, costs a predicted
 * branch per switch. */

	.text
/* void arch_fpu_save(void *state) */
	.global arch_fpu_save
arch_fpu_save:
	cmpb $0, fpu_use_xsave(%rip)
	je 1f
	movl $-1, %eax
	movl $-1, %edx
	xsave64 (%rdi)
	ret
1:	fxsave64 (%rdi)
	ret

/* void arch_fpu_restore(const void *state) */
	.global arch_fpu_restore
arch_fpu_restore:
	cmpb $0, fpu_use_xsave(%rip)
	je 1f
	movl $-1, %eax
	movl $-1, %edx
	xrstor64 (%rdi)
	ret
1:	fxrstor64 (%rdi)
	ret

/* void fpu_reset(void): the power-on x87 state and the default MXCSR
 * (all exceptions masked, round to nearest). */
	.global fpu_reset
fpu_reset:
	fninit
	pushq $0x1f80
	ldmxcsr (%rsp)
	addq $8, %rsp
	ret

	.section .note.GNU-stack, "", @progbits
