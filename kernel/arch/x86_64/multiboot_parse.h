/* The Multiboot 1 and 2 information block (Multiboot spec 0.6.96 3.3,
 * Multiboot2 spec 3.6) read into the loader-neutral boot_info, over a
 * window of physical memory the caller supplies: the kernel gives the
 * boot page tables' direct map of 0..4 GiB, the host fuzzer
 * (tests/fuzz/fuzz_multiboot.c) a heap buffer. Pure: no hardware access
 * and no allocation; what is wrong with the block is logged as a warning
 * (log_warn) and the rest read. */
#ifndef ARCH_X86_64_MULTIBOOT_PARSE_H
#define ARCH_X86_64_MULTIBOOT_PARSE_H

#include <stdint.h>

#include "core/boot_info.h"

#define MULTIBOOT1_MAGIC	0x2BADB002	/* in eax from a Multiboot 1 loader */
#define MULTIBOOT2_MAGIC	0x36D76289	/* and from a Multiboot 2 one */

/* Physical [start, start+size) is readable at base. */
struct multiboot_memory {
	const uint8_t *base;
	uint64_t start, size;
};

/* Clears *bi and fills it from the block at info_phys (everything but the
 * kernel's own range). Returns 0; -EINVAL for a magic that is neither
 * protocol's; -EFAULT when the block itself is not inside mem. Every
 * pointer the block holds is read only inside mem: a module or string
 * outside it is dropped with a warning or read as empty. */
int multiboot_parse(struct boot_info *bi, uint32_t magic, uint32_t info_phys,
		    const struct multiboot_memory *mem);

#endif
