/* What the rest of the kernel may ask of the CPU architecture. Everything
 * behind this header lives in kernel/arch/<arch>/. */
#ifndef ARCH_ARCH_H
#define ARCH_ARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arch/x86_64/trap.h"	/* struct trap_frame */

struct boot_info;

/* Early CPU setup: GDT, TSS with IST stacks, IDT, per-CPU area. */
void arch_init_cpu(void);
/* Removes the boot identity map; after this, low addresses fault. */
void arch_drop_identity_map(void);
/* Fills `info` from whatever boot protocol started us. */
void arch_read_boot_info(struct boot_info *info, uint32_t magic, uint32_t info_phys);

/* Physical address to its direct-map alias. */
static inline void *arch_phys_to_virt(uint64_t phys)
{
	return (void *)(phys + 0xffff800000000000ull);
}

typedef uint64_t irq_state_t;
irq_state_t arch_irq_save(void);	/* disables interrupts */
void arch_irq_restore(irq_state_t state);
void arch_cpu_relax(void);
__attribute__((noreturn)) void arch_halt_forever(void);

/* True when `addr` is mapped in the current address space. */
bool arch_addr_is_mapped(uintptr_t addr);

/* Captures the caller's registers into a trap frame (vector = ~0). */
void arch_capture_frame(struct trap_frame *frame);
/* Writes every register of `frame` to the log. */
void arch_dump_frame(const struct trap_frame *frame);
/* Fills pcs[] with the return addresses of the frame chain starting at
 * `frame` (its own pc first). Stops at the first invalid frame pointer, so
 * a corrupted stack cannot fault the walk. Returns how many it stored. */
size_t arch_stack_trace(const struct trap_frame *frame, uintptr_t *pcs, size_t max);

#endif
