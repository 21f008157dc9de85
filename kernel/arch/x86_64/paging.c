/* x86-64 four-level page tables (SDM Vol. 3A 4.5). */
#include "arch/arch.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/layout.h"
#include "core/panic.h"
#include "lib/errors.h"
#include "lib/string.h"

#define PTE_PRESENT	(1ull << 0)
#define PTE_WRITABLE	(1ull << 1)
#define PTE_USER	(1ull << 2)
#define PTE_WRITE_THROUGH (1ull << 3)
#define PTE_CACHE_DISABLE (1ull << 4)
#define PTE_HUGE	(1ull << 7)
#define PTE_NX		(1ull << 63)
#define PTE_ADDR_MASK	0x000ffffffffff000ull
#define TABLE_FLAGS	(PTE_PRESENT | PTE_WRITABLE | PTE_USER)	/* leaves decide */

extern uint64_t boot_pml4[512];
static bool nx_supported;	/* set once at boot */

static uint64_t *table_at(uint64_t phys)
{
	return arch_phys_to_virt(phys & PTE_ADDR_MASK);
}

static unsigned index_at(uintptr_t va, int level)	/* level 4 = PML4 */
{
	return (va >> (12 + 9 * (level - 1))) & 511;
}

void arch_drop_identity_map(void)
{
	uint32_t a, b, c, d;

	cpuid(0x80000001, 0, &a, &b, &c, &d);
	nx_supported = d & (1u << 20);
	boot_pml4[0] = 0;
	write_cr3(read_cr3());		/* flush the stale translations */
}

bool arch_addr_is_mapped(uintptr_t addr)
{
	const uint64_t *table = table_at(read_cr3());

	if ((uintptr_t)((intptr_t)(addr << 16) >> 16) != addr)
		return false;		/* non-canonical */
	for (int level = 4; level >= 1; level--) {
		uint64_t entry = table[index_at(addr, level)];

		if (!(entry & PTE_PRESENT))
			return false;
		if (level == 1 || (level <= 3 && entry & PTE_HUGE))
			return true;
		table = table_at(entry);
	}
	return false;
}

/* Device registers must not be cached (SDM Vol. 3A 11.3): marks the
 * direct-map page (of whatever size) holding `phys` PCD|PWT. The 2 MiB page
 * around the local APIC holds no RAM, so nothing else loses its caching. */
void paging_map_uncached(uint64_t phys)
{
	uintptr_t va = (uintptr_t)arch_phys_to_virt(phys);
	uint64_t *table = table_at(read_cr3());

	for (int level = 4; level >= 1; level--) {
		uint64_t *entry = &table[index_at(va, level)];

		KASSERT(*entry & PTE_PRESENT);
		if (level == 1 || (level <= 3 && *entry & PTE_HUGE)) {
			*entry |= PTE_CACHE_DISABLE | PTE_WRITE_THROUGH;
			arch_tlb_flush_page(va);
			return;
		}
		table = table_at(*entry);
	}
}

uint64_t arch_direct_map_tables_needed(uint64_t max_phys)
{
	uint64_t gib = (max_phys + (1ull << 30) - 1) >> 30;

	return gib > 4 ? gib - 4 : 0;
}

/* Boot mapped 0..4 GiB; map each further GiB with one page directory of
 * 2 MiB pages. */
void arch_direct_map_extend(uint64_t max_phys, uint64_t table_phys)
{
	uint64_t *pdpt = table_at(boot_pml4[256]);
	uint64_t gib_count = (max_phys + (1ull << 30) - 1) >> 30;

	for (uint64_t gib = 4; gib < gib_count; gib++, table_phys += PAGE_SIZE) {
		uint64_t *pd = arch_phys_to_virt(table_phys);
		for (uint64_t i = 0; i < 512; i++)
			pd[i] = ((gib << 30) + (i << 21)) | PTE_PRESENT | PTE_WRITABLE | PTE_HUGE |
				(nx_supported ? PTE_NX : 0);
		pdpt[gib] = table_phys | PTE_PRESENT | PTE_WRITABLE;
	}
	write_cr3(read_cr3());
}

/* Page-table pages, from the memory manager (frame_init registers it). */
static uint64_t (*table_alloc)(void);
static void (*table_free)(uint64_t phys);

void arch_set_page_table_pages(uint64_t (*alloc)(void), void (*free)(uint64_t phys))
{
	table_alloc = alloc;
	table_free = free;
}

uint64_t arch_kernel_root(void)
{
	return (uintptr_t)boot_pml4 - KERNEL_VMA;	/* in the kernel image */
}

uint64_t arch_pt_create(void)
{
	uint64_t root = table_alloc();

	if (root)	/* share the kernel half: entries 256..511 */
		memcpy(table_at(root) + 256, boot_pml4 + 256, 256 * sizeof(uint64_t));
	return root;
}

static void destroy_level(uint64_t table_phys, int level, void (*release)(uint64_t))
{
	uint64_t *table = table_at(table_phys);

	for (unsigned i = 0; i < 512; i++) {
		if (!(table[i] & PTE_PRESENT))
			continue;
		if (level == 1)
			release(table[i] & PTE_ADDR_MASK);
		else
			destroy_level(table[i], level - 1, release);
	}
	table_free(table_phys & PTE_ADDR_MASK);
}

void arch_pt_destroy(uint64_t root, void (*release)(uint64_t pa))
{
	uint64_t *pml4 = table_at(root);

	KASSERT(root != arch_pt_active());
	for (unsigned i = 0; i < 256; i++)
		if (pml4[i] & PTE_PRESENT)
			destroy_level(pml4[i], 3, release);
	table_free(root);
}

/* The level-1 entry for va, creating missing tables when `create`. */
static uint64_t *walk(uint64_t root, uintptr_t va, bool create)
{
	uint64_t *table = table_at(root);

	for (int level = 4; level > 1; level--) {
		uint64_t *entry = &table[index_at(va, level)];
		if (!(*entry & PTE_PRESENT)) {
			if (!create)
				return NULL;
			uint64_t t = table_alloc();
			if (!t)
				return NULL;
			*entry = t | TABLE_FLAGS;
		}
		KASSERT(!(*entry & PTE_HUGE));	/* only the direct map uses huge pages */
		table = table_at(*entry);
	}
	return &table[index_at(va, 1)];
}

int arch_kernel_area_init(uintptr_t start, uint64_t size)
{
	/* The top-level entries first, without the user bit that the lower
	 * levels' TABLE_FLAGS carry: no user access anywhere below them. */
	for (uintptr_t va = start; va - start < size; va += 1ull << 39) {
		uint64_t *entry = &boot_pml4[index_at(va, 4)];
		if (*entry & PTE_PRESENT)
			continue;
		uint64_t table = table_alloc();
		if (!table)
			return -ENOMEM;
		*entry = table | PTE_PRESENT | PTE_WRITABLE;
	}
	for (uintptr_t va = start; va - start < size; va += 1ull << 21)
		if (!walk(arch_kernel_root(), va, true))
			return -ENOMEM;
	return 0;
}

static uint64_t leaf_flags(unsigned prot)
{
	uint64_t flags = PTE_PRESENT;

	if (prot & MAP_WRITE)
		flags |= PTE_WRITABLE;
	if (prot & MAP_USER)
		flags |= PTE_USER;
	if (!(prot & MAP_EXEC) && nx_supported)
		flags |= PTE_NX;
	return flags;
}

int arch_pt_map(uint64_t root, uintptr_t va, uint64_t pa, unsigned prot)
{
	uint64_t *pte = walk(root, va, true);

	if (!pte)
		return -ENOMEM;
	if (*pte & PTE_PRESENT)
		return -EEXIST;
	*pte = pa | leaf_flags(prot);
	return 0;
}

uint64_t arch_pt_unmap(uint64_t root, uintptr_t va)
{
	uint64_t *pte = walk(root, va, false);
	uint64_t old;

	if (!pte || !(*pte & PTE_PRESENT))
		return 0;
	old = *pte & PTE_ADDR_MASK;
	*pte = 0;
	/* The kernel half is shared by every root, so always flush it. */
	if (root == arch_pt_active() || va >= DIRECT_MAP_BASE)
		arch_tlb_flush_page(va);
	return old;
}

uintptr_t arch_pt_next_table(uint64_t root, uintptr_t va, uintptr_t end)
{
	while (va < end) {
		uint64_t *table = table_at(root);
		int level = 4;
		for (; level > 1; level--) {
			uint64_t entry = table[index_at(va, level)];
			if (!(entry & PTE_PRESENT))
				break;
			table = table_at(entry);
		}
		if (level == 1)
			return va;
		/* Nothing below this entry: on to the next one at its level. */
		uintptr_t span = 1ull << (12 + 9 * (level - 1));
		uintptr_t next = (va & ~(span - 1)) + span;
		if (next <= va)
			return end;	/* wrapped past the top */
		va = next;
	}
	return end;
}

int arch_pt_protect(uint64_t root, uintptr_t va, unsigned prot)
{
	uint64_t *pte = walk(root, va, false);

	if (!pte || !(*pte & PTE_PRESENT))
		return -ENOENT;
	*pte = (*pte & PTE_ADDR_MASK) | leaf_flags(prot);
	if (root == arch_pt_active())
		arch_tlb_flush_page(va);
	return 0;
}

uint64_t arch_pt_probe(uint64_t root, uintptr_t va, unsigned *missing)
{
	uint64_t *table = table_at(root);

	for (int level = 4; level > 1; level--) {
		uint64_t entry = table[index_at(va, level)];
		if (!(entry & PTE_PRESENT)) {
			*missing = (unsigned)(level - 1);
			return 0;
		}
		table = table_at(entry);
	}
	uint64_t pte = table[index_at(va, 1)];
	*missing = 0;
	return pte & PTE_PRESENT ? pte & PTE_ADDR_MASK : 0;
}

bool arch_pt_user_writable(uint64_t root, uintptr_t va)
{
	uint64_t *table = table_at(root);
	uint64_t entry = 0;

	for (int level = 4; level > 0; level--) {
		entry = table[index_at(va, level)];
		if (!(entry & PTE_PRESENT))
			return false;
		table = table_at(entry);
	}
	return (entry & (PTE_USER | PTE_WRITABLE)) == (PTE_USER | PTE_WRITABLE);
}

void arch_pt_activate(uint64_t root)
{
	if (read_cr3() != root)
		write_cr3(root);
}

uint64_t arch_pt_active(void)
{
	return read_cr3() & PTE_ADDR_MASK;
}

void arch_tlb_flush_page(uintptr_t va)
{
	__asm__ volatile("invlpg (%0)" : : "r"(va) : "memory");
}
