/* Device interrupts through the I/O APIC (82093AA datasheet; ACPI 6.5
 * 5.2.12 for the MADT facts). ISA IRQ n gets vector VEC_FIRST_DEVICE + n;
 * its I/O APIC input (GSI) and polarity/trigger come from the MADT's
 * interrupt source overrides, defaulting to GSI n, edge, active high. */
#include "arch/arch.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/spinlock.h"
#include "lib/errors.h"

#define IOAPIC_DEFAULT_PHYS	0xfec00000ull
#define IOREGSEL		0x00
#define IOWIN			0x10
#define IOAPIC_VER		0x01
#define IOREDTBL(n)		(0x10 + 2 * (n))

#define RED_MASKED		(1u << 16)
#define RED_LEVEL		(1u << 15)
#define RED_ACTIVE_LOW		(1u << 13)

/* MPS INTI flags in MADT overrides: polarity bits 1:0, trigger bits 3:2;
 * 0 means "as the bus does it", which for ISA is active high, edge. */
#define INTI_POLARITY_LOW	3u
#define INTI_TRIGGER_LEVEL	(3u << 2)

#define ISA_IRQS		16
#define VEC_FIRST_DEVICE	0x30

struct irq_slot {
	void (*handler)(void *ctx);
	void *ctx;
};

static struct spinlock lock = SPINLOCK_INIT("ioapic");
static volatile uint32_t *ioapic;	/* this and all below: guarded by lock */
static uint64_t ioapic_phys = IOAPIC_DEFAULT_PHYS;
static uint32_t gsi_base, gsi_count;
static struct irq_override overrides[ISA_IRQS];
static unsigned override_count;
/* Read unlocked by the interrupt: a slot is set before its line is unmasked. */
static struct irq_slot slots[ISA_IRQS];

static uint32_t read_reg(unsigned reg)
{
	ioapic[IOREGSEL / 4] = reg;
	return ioapic[IOWIN / 4];
}

static void write_reg(unsigned reg, uint32_t value)
{
	ioapic[IOREGSEL / 4] = reg;
	ioapic[IOWIN / 4] = value;
}

/* Maps the I/O APIC and masks every input the firmware may have left on.
 * Caller holds the lock. */
static void setup(void)
{
	spin_assert_held(&lock);
	if (ioapic)
		return;
	paging_map_uncached(ioapic_phys);
	ioapic = arch_phys_to_virt(ioapic_phys);
	gsi_count = ((read_reg(IOAPIC_VER) >> 16) & 0xff) + 1;
	for (uint32_t i = 0; i < gsi_count; i++) {
		write_reg(IOREDTBL(i) + 1, 0);
		write_reg(IOREDTBL(i), RED_MASKED);
	}
}

void arch_irq_configure(uint64_t phys, uint32_t base, const struct irq_override *list,
			unsigned count)
{
	guard(spinlock)(&lock);

	if (ioapic) {
		log_warn("irq: I/O APIC configured after first use; keeping %#lx\n", ioapic_phys);
		return;
	}
	ioapic_phys = phys;
	gsi_base = base;
	override_count = 0;
	for (unsigned i = 0; i < count && override_count < ISA_IRQS; i++)
		if (list[i].isa_irq < ISA_IRQS)
			overrides[override_count++] = list[i];
}

static void irq_interrupt(struct trap_frame *frame)
{
	unsigned irq = (unsigned)frame->vector - VEC_FIRST_DEVICE;

	if (irq < ISA_IRQS && slots[irq].handler)
		slots[irq].handler(slots[irq].ctx);
	lapic_eoi();
}

int arch_irq_attach(unsigned isa_irq, void (*handler)(void *ctx), void *ctx)
{
	uint32_t gsi = isa_irq, flags = 0;

	if (isa_irq >= ISA_IRQS || !handler)
		return -EINVAL;
	guard(spinlock)(&lock);
	setup();
	if (slots[isa_irq].handler)
		return -EBUSY;
	for (unsigned i = 0; i < override_count; i++) {
		if (overrides[i].isa_irq == isa_irq) {
			gsi = overrides[i].gsi;
			flags = overrides[i].flags;
		}
	}
	if (gsi < gsi_base || gsi - gsi_base >= gsi_count)
		return -EINVAL;
	uint32_t low = VEC_FIRST_DEVICE + isa_irq;
	if ((flags & 3u) == INTI_POLARITY_LOW)
		low |= RED_ACTIVE_LOW;
	if ((flags & (3u << 2)) == INTI_TRIGGER_LEVEL)
		low |= RED_LEVEL;
	slots[isa_irq] = (struct irq_slot){ handler, ctx };
	trap_set_handler(VEC_FIRST_DEVICE + isa_irq, irq_interrupt);
	write_reg(IOREDTBL(gsi - gsi_base) + 1, lapic_id() << 24);	/* physical dest */
	write_reg(IOREDTBL(gsi - gsi_base), low);			/* fixed, unmasked */
	log_debug("irq: ISA IRQ %u -> GSI %u, vector %#x%s%s\n", isa_irq, gsi, low & 0xff,
		  low & RED_LEVEL ? ", level" : "", low & RED_ACTIVE_LOW ? ", active low" : "");
	return 0;
}
