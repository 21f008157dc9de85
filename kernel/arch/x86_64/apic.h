/* What the x86-64 interrupt files share: lapic.c runs the local APIC,
 * ioapic.c routes device interrupts to it, paging.c maps their registers. */
#ifndef ARCH_X86_64_APIC_H
#define ARCH_X86_64_APIC_H

#include <stdint.h>

void paging_map_uncached(uint64_t phys);
void lapic_eoi(void);
uint32_t lapic_id(void);

#endif
