/* Boot entry for both Multiboot 1 (QEMU -kernel, GRUB `multiboot`) and
 * Multiboot 2 (GRUB `multiboot2`, BIOS and UEFI).
 *
 * The loader leaves us in 32-bit protected mode without paging. This file
 * builds the first page tables, enters long mode and jumps to the higher
 * half; kmain() then drops the identity map (arch_boot_finish_paging). */
#include "arch/x86_64/layout.h"

#define MB1_MAGIC	0x1BADB002
/* Page-align modules, want memory info, and the a.out kludge address fields
 * (QEMU refuses a 64-bit ELF without them). */
#define MB1_FLAGS	((1 << 0) | (1 << 1) | (1 << 16))
#define MB2_MAGIC	0xE85250D6

#define PTE_PRESENT	0x1
#define PTE_WRITABLE	0x2
#define PTE_HUGE	0x80

#define CR0_PE		(1 << 0)
#define CR0_WP		(1 << 16)
#define CR0_PG		(1 << 31)
#define CR4_PAE		(1 << 5)
#define MSR_EFER	0xC0000080
#define EFER_LME	(1 << 8)
#define EFER_NXE	(1 << 11)

#define PHYS(sym)	((sym) - KERNEL_VMA)

	.section .multiboot, "a"
	.align 4
mb1_header:
	.long MB1_MAGIC
	.long MB1_FLAGS
	.long -(MB1_MAGIC + MB1_FLAGS)
	.long mb1_header		/* header_addr */
	.long __load_start		/* load_addr */
	.long __load_end_phys		/* load_end_addr */
	.long __bss_end_phys		/* bss_end_addr */
	.long _start			/* entry_addr */

	.align 8
mb2_header:
	.long MB2_MAGIC
	.long 0				/* architecture: i386 protected mode */
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + (mb2_header_end - mb2_header))
	/* Framebuffer request (Multiboot 2 spec 3.1.10), optional: GRUB then
	 * sets a linear 32 bpp mode the screen driver can draw on. */
	.short 5, 1			/* type, flags: optional */
	.long 20
	.long 1024, 768, 32
	.align 8
	.short 0, 0			/* end tag */
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.global _start
_start:
	cli
	cld
	movl %eax, boot_magic
	movl %ebx, boot_info_phys
	movl $PHYS(boot_stack_top), %esp

	/* Long mode needs CPUID leaf 0x80000001 EDX.LM (bit 29). */
	movl $0x80000000, %eax
	cpuid
	cmpl $0x80000001, %eax
	jb no_long_mode
	movl $0x80000001, %eax
	cpuid
	btl $29, %edx
	jnc no_long_mode
	movl %edx, %ebp			/* bit 20: NX available */

	/* Zero .bss ourselves: the page tables below live there, and not
	 * every loader clears it. */
	movl $PHYS(__bss_start), %edi
	movl $PHYS(__bss_end), %ecx
	subl %edi, %ecx
	shrl $2, %ecx
	xorl %eax, %eax
	rep stosl

	/* Four page directories of 2 MiB pages map physical 0..4 GiB. The
	 * same directories serve the identity map (PML4[0]), the direct map
	 * (PML4[256]) and the kernel image (PML4[511], PDPT[510..511]). */
	movl $PHYS(boot_pd), %edi
	xorl %ecx, %ecx			/* entry index 0..2047 */
1:	movl %ecx, %eax
	shll $21, %eax			/* low half of phys = index * 2 MiB */
	orl $(PTE_PRESENT | PTE_WRITABLE | PTE_HUGE), %eax
	movl %ecx, %edx
	shrl $11, %edx			/* high half of phys */
	movl %eax, (%edi,%ecx,8)
	movl %edx, 4(%edi,%ecx,8)
	incl %ecx
	cmpl $2048, %ecx
	jb 1b

	movl $PHYS(boot_pdpt_low), %edi
	movl $PHYS(boot_pd) + (PTE_PRESENT | PTE_WRITABLE), %eax
	movl %eax, 0(%edi)
	addl $4096, %eax
	movl %eax, 8(%edi)
	addl $4096, %eax
	movl %eax, 16(%edi)
	addl $4096, %eax
	movl %eax, 24(%edi)

	movl $PHYS(boot_pdpt_high), %edi
	movl $PHYS(boot_pd) + (PTE_PRESENT | PTE_WRITABLE), %eax
	movl %eax, 510 * 8(%edi)
	addl $4096, %eax
	movl %eax, 511 * 8(%edi)

	movl $PHYS(boot_pml4), %edi
	movl $PHYS(boot_pdpt_low) + (PTE_PRESENT | PTE_WRITABLE), %eax
	movl %eax, 0(%edi)
	movl %eax, 256 * 8(%edi)
	movl $PHYS(boot_pdpt_high) + (PTE_PRESENT | PTE_WRITABLE), %eax
	movl %eax, 511 * 8(%edi)

	/* SDM Vol. 3A 10.8.5: PAE, CR3, EFER.LME, then CR0.PG. */
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl %edi, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	btl $20, %ebp
	jnc 2f
	orl $EFER_NXE, %eax
2:	wrmsr
	movl %cr0, %eax
	orl $(CR0_PE | CR0_PG | CR0_WP), %eax
	movl %eax, %cr0

	lgdt boot_gdt_pointer
	ljmp $KERNEL_CS, $long_mode_entry

no_long_mode:
	movl $no_long_mode_message, %esi
1:	lodsb
	testb %al, %al
	jz 2f
	movw $0x3f8, %dx		/* COM1 data register */
	outb %al, %dx
	jmp 1b
2:	hlt
	jmp 2b

	.code64
long_mode_entry:
	movw $KERNEL_DS, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	xorl %eax, %eax
	movw %ax, %fs
	movw %ax, %gs
	movabsq $higher_half_entry, %rax
	jmp *%rax

	.section .boot.data, "aw"
	.align 16
boot_gdt:
	.quad 0
	.quad 0x00AF9A000000FFFF	/* 0x08: 64-bit code, ring 0 */
	.quad 0x00CF92000000FFFF	/* 0x10: data, ring 0 */
boot_gdt_end:
boot_gdt_pointer:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt
boot_magic:
	.long 0
boot_info_phys:
	.long 0
no_long_mode_message:
	.asciz "Panda OS needs a 64-bit (x86-64) CPU; halting.\r\n"

	.text
higher_half_entry:
	movabsq $boot_stack_top, %rsp
	xorl %ebp, %ebp			/* ends the backtrace frame chain */
	movl boot_magic, %edi
	movl boot_info_phys, %esi
	call kmain
3:	cli
	hlt
	jmp 3b

	.bss
	.align 4096
	.global boot_pml4
boot_pml4:
	.skip 4096
boot_pdpt_low:
	.skip 4096
boot_pdpt_high:
	.skip 4096
boot_pd:
	.skip 4 * 4096
	.global boot_stack_bottom, boot_stack_top
boot_stack_bottom:
	.skip 16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
