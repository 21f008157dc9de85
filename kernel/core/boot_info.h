/* Everything the boot loader told us, in one loader-neutral form. Filled
 * once by arch_read_boot_info() before anything else runs; past that point
 * no code knows whether Multiboot 1 or 2 (or QEMU or GRUB) started us. */
#ifndef CORE_BOOT_INFO_H
#define CORE_BOOT_INFO_H

#include <stdbool.h>
#include <stdint.h>

#include "lib/cmdline.h"

#define BOOT_MAX_MEM_REGIONS 128
#define BOOT_MAX_MODULES 16

enum boot_mem_type {
	BOOT_MEM_USABLE = 1,
	BOOT_MEM_RESERVED,
	BOOT_MEM_ACPI_RECLAIMABLE,
	BOOT_MEM_ACPI_NVS,
	BOOT_MEM_BAD,
};

struct boot_mem_region {
	uint64_t base;
	uint64_t length;
	enum boot_mem_type type;
};

struct boot_module {
	uint64_t phys_start;
	uint64_t phys_end;		/* exclusive */
	char name[64];			/* the loader's string for it */
};

struct boot_framebuffer {
	bool present;
	uint64_t phys_addr;
	uint32_t pitch, width, height;
	uint8_t bpp;
	uint8_t type;			/* 0 indexed, 1 RGB, 2 EGA text */
};

struct boot_info {
	const char *protocol;		/* "multiboot1" or "multiboot2" */
	char loader_name[64];

	/* The command line without the kernel image path QEMU prepends. */
	char cmdline[CMDLINE_MAX_LEN];
	bool cmdline_truncated;

	/* Sorted by base. */
	struct boot_mem_region mem[BOOT_MAX_MEM_REGIONS];
	unsigned mem_count;
	bool mem_truncated;
	uint64_t usable_bytes;

	struct boot_module modules[BOOT_MAX_MODULES];
	unsigned module_count;

	struct boot_framebuffer framebuffer;

	/* A copy of the ACPI RSDP (36 bytes covers revision 2). */
	bool rsdp_present;
	uint8_t rsdp[36];

	/* Physical ranges a frame allocator must not hand out. */
	uint64_t kernel_phys_start, kernel_phys_end;
	uint64_t info_phys_start, info_phys_end;	/* the loader's info block */
};

extern struct boot_info boot_info;

/* The initrd is the first module (QEMU -initrd, GRUB module/module2);
 * NULL when the loader passed none. */
const struct boot_module *boot_initrd(void);

#endif
