#include "mm/kstack.h"

#include "arch/arch.h"
#include "core/spinlock.h"
#include "lib/errors.h"
#include "mm/frame.h"

#define SLOT_SIZE (2 * KSTACK_SIZE)	/* guard below, stack above */

static uint64_t in_use[KSTACK_SLOTS / 64];	/* guarded by kstack_lock */
static struct spinlock kstack_lock = SPINLOCK_INIT("kstack");

static uintptr_t slot_base(unsigned slot)
{
	return KSTACK_BASE + (uintptr_t)slot * SLOT_SIZE;
}

static void unmap_stack(uintptr_t bottom)
{
	for (uintptr_t va = bottom; va < bottom + KSTACK_SIZE; va += PAGE_SIZE) {
		uint64_t pa = arch_pt_unmap(arch_kernel_root(), va);
		if (pa)
			frame_free(pa, 0);
	}
}

int kstack_alloc(struct kstack *stack)
{
	unsigned slot = KSTACK_SLOTS;
	{
		guard(spinlock)(&kstack_lock);
		for (unsigned i = 0; i < KSTACK_SLOTS; i++) {
			if (!(in_use[i / 64] & (1ull << (i % 64)))) {
				in_use[i / 64] |= 1ull << (i % 64);
				slot = i;
				break;
			}
		}
	}
	if (slot == KSTACK_SLOTS)
		return -EBUSY;

	uintptr_t bottom = slot_base(slot) + KSTACK_SIZE;
	for (uintptr_t va = bottom; va < bottom + KSTACK_SIZE; va += PAGE_SIZE) {
		uint64_t pa = frame_alloc(0, OWNER_KERNEL, 0);
		if (!pa || arch_pt_map(arch_kernel_root(), va, pa, MAP_WRITE) < 0) {
			if (pa)
				frame_free(pa, 0);
			unmap_stack(bottom);
			guard(spinlock)(&kstack_lock);
			in_use[slot / 64] &= ~(1ull << (slot % 64));
			return -ENOMEM;
		}
	}
	stack->bottom = bottom;
	stack->top = bottom + KSTACK_SIZE;
	return 0;
}

void kstack_free(struct kstack *stack)
{
	unsigned slot = (unsigned)((stack->bottom - KSTACK_BASE) / SLOT_SIZE);

	unmap_stack(stack->bottom);
	guard(spinlock)(&kstack_lock);
	in_use[slot / 64] &= ~(1ull << (slot % 64));
	stack->bottom = stack->top = 0;
}

bool kstack_is_guard(uintptr_t addr)
{
	if (addr < KSTACK_BASE || addr >= KSTACK_BASE + (uintptr_t)KSTACK_SLOTS * SLOT_SIZE)
		return false;
	unsigned slot = (unsigned)((addr - KSTACK_BASE) / SLOT_SIZE);
	return addr - slot_base(slot) < KSTACK_SIZE &&
	       (in_use[slot / 64] & (1ull << (slot % 64)));
}
