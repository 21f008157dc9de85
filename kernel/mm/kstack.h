/* Kernel stacks: 16 KiB each, mapped in a dedicated area of the shared
 * kernel half with 16 KiB of unmapped addresses below, so an overflow hits
 * a guard page instead of the neighbouring stack. */
#ifndef MM_KSTACK_H
#define MM_KSTACK_H

#include <stdbool.h>
#include <stdint.h>

#define KSTACK_SIZE 16384
#define KSTACK_SLOTS 1024		/* 32 KiB of addresses each */

struct kstack {
	uintptr_t bottom;		/* lowest mapped byte */
	uintptr_t top;			/* initial stack pointer */
};

/* The bytes of the stack area the slots take, from its start. */
static inline uint64_t kstack_area_used(void)
{
	return (uint64_t)KSTACK_SLOTS * 2 * KSTACK_SIZE;
}

/* Returns 0, -ENOMEM, or -EBUSY when every slot is taken. */
int kstack_alloc(struct kstack *stack);
void kstack_free(struct kstack *stack);
/* True when addr lies in the guard area of a stack in use. */
bool kstack_is_guard(uintptr_t addr);

#endif
