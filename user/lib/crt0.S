/* Process entry. The kernel enters _start with rdi pointing to the
 * struct panda_startup block (lib/abi.h), rsp 16-byte aligned and every other
 * register zero. We end the frame-pointer chain, give SSE and x87 their
 * default control words (all exceptions masked) and hand over to
 * panda_start() in runtime.c, which never returns. */
	.text
	.globl _start
	.type _start, @function
_start:
	xorl %ebp, %ebp
	andq $-16, %rsp
	ldmxcsr mxcsr_default(%rip)
	fninit
	call panda_start
	ud2
	.size _start, . - _start

	.section .rodata
	.balign 4
mxcsr_default:
	.long 0x1f80

/* The mark of a native Panda executable (lib/elf.h); user/user.ld keeps
 * it in a PT_NOTE near the start of the file. */
#include "lib/elf.h"

	.section .note.panda, "a", @note
	.balign 4
	.long ELF_NOTE_PANDA_NAMESZ
	.long ELF_NOTE_PANDA_DESCSZ
	.long ELF_NOTE_PANDA_NATIVE
	.asciz ELF_NOTE_PANDA_NAME
	.balign 4
	.long ELF_PANDA_ABI_VERSION

	.section .note.GNU-stack, "", @progbits
