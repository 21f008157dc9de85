/* Fills boot_info from the Multiboot block (multiboot_parse.c reads it),
 * over what the boot page tables map: physical 0..4 GiB. */
#include "arch/arch.h"
#include "arch/x86_64/layout.h"
#include "arch/x86_64/multiboot_parse.h"
#include "core/boot_info.h"
#include "core/panic.h"
#include "lib/errors.h"

extern char __load_start[], __bss_end[];

void arch_read_boot_info(struct boot_info *bi, uint32_t magic, uint32_t info_phys)
{
	const struct multiboot_memory mem = {
		.base = arch_phys_to_virt(0), .start = 0, .size = BOOT_MAPPED_PHYS,
	};
	int rc = multiboot_parse(bi, magic, info_phys, &mem);

	if (rc == -EINVAL)
		panic("boot: unknown boot loader magic %#x (not Multiboot 1 or 2)", magic);
	if (rc < 0)
		panic("boot: Multiboot %d info at %#x is not mapped",
		      magic == MULTIBOOT1_MAGIC ? 1 : 2, info_phys);
	bi->kernel_phys_start = (uintptr_t)__load_start;	/* linked at its physical address */
	bi->kernel_phys_end = (uintptr_t)__bss_end - KERNEL_VMA;
}
