/* Copies that may touch user memory. An access that faults and that the
 * page-fault handler cannot resolve resumes at the entry's fixup label
 * (__ex_table), which returns -EFAULT instead of crashing the kernel. */
#define EFAULT 14
#define ENAMETOOLONG 36

	.text
/* long arch_copy_from_user(void *dst, const void __user *src, size_t n)
 * long arch_copy_to_user(void __user *dst, const void *src, size_t n)
 * 0, or the fault's error (-EFAULT, -ENOMEM). One routine under two names,
 * so each direction has its own prototype (arch/arch.h) for sparse to check.
 * Aligned so the rep loops never straddle a page (see lib/string.c). */
	.align 64
	.global arch_copy_from_user, arch_copy_to_user
arch_copy_from_user:
arch_copy_to_user:
	movq %rdx, %rcx
	shrq $3, %rcx
1:	rep movsq			/* eight bytes a step, */
	movq %rdx, %rcx
	andq $7, %rcx
8:	rep movsb			/* then the tail */
	xorl %eax, %eax
	ret
2:	ret				/* rax: the fault's error, set by page_fault */

/* long arch_copy_user_string(char *dst, const char __user *src, size_t size):
 * the length copied (without the NUL, which is copied too), -ENAMETOOLONG
 * when no NUL is within size bytes, or -EFAULT. size > 0. */
	.global arch_copy_user_string
arch_copy_user_string:
	xorl %eax, %eax
3:	cmpq %rdx, %rax
	jae 5f
4:	movb (%rsi,%rax), %cl
	movb %cl, (%rdi,%rax)
	testb %cl, %cl
	jz 6f
	incq %rax
	jmp 3b
5:	movq $-ENAMETOOLONG, %rax
6:	ret
7:	ret				/* rax: as above */

	.section .ex_table, "a"
	.quad 1b, 2b
	.quad 8b, 2b
	.quad 4b, 7b

	.section .note.GNU-stack, "", @progbits
