/* FPU/SSE state (SDM Vol. 1 10.5, FXSAVE): 512 bytes, 16-byte aligned.
 * Kept in assembly: the kernel's C is built without SSE registers. */

	.text
/* void arch_fpu_save(void *state) */
	.global arch_fpu_save
arch_fpu_save:
	fxsave64 (%rdi)
	ret

/* void arch_fpu_restore(const void *state) */
	.global arch_fpu_restore
arch_fpu_restore:
	fxrstor64 (%rdi)
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
