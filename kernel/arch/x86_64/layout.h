/* Virtual address layout (docs/memory.md). Usable from C and assembly. */
#ifndef ARCH_X86_64_LAYOUT_H
#define ARCH_X86_64_LAYOUT_H

#define KERNEL_VMA	0xffffffff80000000	/* kernel image, -2 GiB */
#define DIRECT_MAP_BASE	0xffff800000000000	/* all RAM, phys + base */
#define BOOT_MAPPED_PHYS 0x100000000		/* boot maps phys 0..4 GiB */
#define DIRECT_MAP_MAX_PHYS 0x8000000000	/* one PML4 entry: 512 GiB */
#define KSTACK_BASE	0xffffff0000000000	/* PML4[510]: kernel stacks */
#define KSTACK_AREA_SIZE 0x8000000000
#define USER_TOP	0x00007ffffffff000	/* first byte past user space */


#define KERNEL_CS	0x08
#define KERNEL_DS	0x10

#endif
