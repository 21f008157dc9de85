/* The local APIC: its timer drives preemption as a one-shot deadline timer
 * (no periodic tick), calibrated against the TSC, which was itself
 * calibrated against the PIT. Register offsets: SDM Vol. 3A 11.4.1. */
#include "arch/arch.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "core/log.h"
#include "core/panic.h"

#define MSR_APIC_BASE		0x1b
#define APIC_BASE_ENABLE	(1u << 11)

#define LAPIC_ID		0x020
#define LAPIC_EOI		0x0b0
#define LAPIC_SVR		0x0f0
#define LAPIC_LVT_TIMER		0x320
#define LAPIC_TIMER_INITIAL	0x380
#define LAPIC_TIMER_CURRENT	0x390
#define LAPIC_TIMER_DIVIDE	0x3e0

#define SVR_ENABLE		(1u << 8)
#define LVT_MASKED		(1u << 16)
#define DIVIDE_BY_16		0x3
#define CALIBRATE_NS		10000000ull

static volatile uint32_t *lapic;	/* set once at boot, as are the two below */
static uint64_t timer_hz;		/* LAPIC timer ticks per second */
static uint64_t ticks_per_ns_q32;	/* timer_hz / 1e9, 32.32 fixed point */
static void (*timer_handler)(void);	/* set once at boot */
static uint64_t spurious_count;	/* per-CPU in effect: only the interrupt adds (one CPU) */

static uint32_t lapic_read(unsigned reg)
{
	return lapic[reg / 4];
}

static void lapic_write(unsigned reg, uint32_t value)
{
	lapic[reg / 4] = value;
}

static void timer_interrupt(struct trap_frame *frame)
{
	(void)frame;
	/* Acknowledge first: the handler may switch threads and come back
	 * here only much later. */
	lapic_eoi();
	if (timer_handler)
		timer_handler();
}

/* SDM Vol. 3A 11.9: a spurious interrupt is not acknowledged. */
static void spurious_interrupt(struct trap_frame *frame)
{
	(void)frame;
	spurious_count++;
}

static uint64_t calibrate(void)
{
	uint64_t tsc_hz = arch_tsc_hz();
	uint64_t wait = tsc_hz / (1000000000ull / CALIBRATE_NS);

	lapic_write(LAPIC_TIMER_DIVIDE, DIVIDE_BY_16);
	lapic_write(LAPIC_LVT_TIMER, LVT_MASKED | VEC_TIMER);
	uint64_t start = arch_tsc();
	lapic_write(LAPIC_TIMER_INITIAL, UINT32_MAX);
	while (arch_tsc() - start < wait)
		arch_cpu_relax();
	uint32_t elapsed = UINT32_MAX - lapic_read(LAPIC_TIMER_CURRENT);
	uint64_t ns = (arch_tsc() - start) * 1000000000ull / tsc_hz;
	lapic_write(LAPIC_TIMER_INITIAL, 0);
	return (uint64_t)elapsed * 1000000000ull / ns;	/* < 2^63 for 10 ms */
}

void arch_timer_init(void (*handler)(void))
{
	uint32_t a, b, c, d;

	cpuid(1, 0, &a, &b, &c, &d);
	if (!(d & (1u << 9)))
		panic("lapic: this CPU has no local APIC; Panda OS needs one");
	uint64_t base = rdmsr(MSR_APIC_BASE);
	wrmsr(MSR_APIC_BASE, base | APIC_BASE_ENABLE);
	uint64_t phys = base & 0xffffff000ull;
	paging_map_uncached(phys);
	lapic = arch_phys_to_virt(phys);

	trap_set_handler(VEC_TIMER, timer_interrupt);
	trap_set_handler(VEC_SPURIOUS, spurious_interrupt);
	lapic_write(LAPIC_SVR, SVR_ENABLE | VEC_SPURIOUS);
	timer_hz = calibrate();
	ticks_per_ns_q32 = (timer_hz << 32) / 1000000000ull;
	timer_handler = handler;
	lapic_write(LAPIC_LVT_TIMER, VEC_TIMER);	/* one-shot, unmasked */
	log_info("lapic: timer %lu kHz, TSC %lu kHz\n", timer_hz / 1000, arch_tsc_hz() / 1000);
}

void arch_timer_oneshot(uint64_t ns)
{
	uint64_t ticks = 0;

	if (ns) {
		ticks = (uint64_t)(((unsigned __int128)ns * ticks_per_ns_q32) >> 32);
		if (ticks == 0)
			ticks = 1;
		if (ticks > UINT32_MAX)
			ticks = UINT32_MAX;
	}
	lapic_write(LAPIC_TIMER_INITIAL, (uint32_t)ticks);
}

uint64_t arch_irq_spurious_count(void)
{
	return spurious_count;
}

void lapic_eoi(void)
{
	lapic_write(LAPIC_EOI, 0);
}

uint32_t lapic_id(void)
{
	return lapic_read(LAPIC_ID) >> 24;
}
