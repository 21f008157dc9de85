/* What the kernel needs from the page tables before the memory manager
 * exists: dropping the boot identity map, and asking whether an address is
 * mapped (so backtraces never fault on a corrupt frame pointer). */
#include "arch/arch.h"
#include "arch/x86_64/cpu.h"

#define PTE_PRESENT	0x1ull
#define PTE_HUGE	0x80ull
#define PTE_ADDR_MASK	0x000ffffffffff000ull

extern uint64_t boot_pml4[512];

void arch_drop_identity_map(void)
{
	boot_pml4[0] = 0;
	write_cr3(read_cr3());		/* flush the stale translations */
}

bool arch_addr_is_mapped(uintptr_t addr)
{
	const uint64_t *table = arch_phys_to_virt(read_cr3() & PTE_ADDR_MASK);

	/* Non-canonical addresses are never mapped. */
	if ((uintptr_t)((intptr_t)(addr << 16) >> 16) != addr)
		return false;
	for (int shift = 39; shift >= 12; shift -= 9) {
		uint64_t entry = table[(addr >> shift) & 511];

		if (!(entry & PTE_PRESENT))
			return false;
		if (shift == 12 || (shift <= 30 && entry & PTE_HUGE))
			return true;
		table = arch_phys_to_virt(entry & PTE_ADDR_MASK);
	}
	return false;
}
