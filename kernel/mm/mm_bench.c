/* Kernel-mode memory benchmarks (`bench=mm` on the command line); they run
 * before init, which `make bench` makes /bin/bench. Each runs at 10 % and at 90 % of
 * memory in use: the cost per operation must not depend on fill level.
 * Output: `bench NAME iters=N ns_per_op=X tsc_per_op=Y fill=P`. */
#include "arch/arch.h"
#include "core/log.h"
#include "core/params.h"
#include "core/shutdown.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/mm_bench.h"
#include "mm/usercopy.h"
#include "mm/vm.h"

#define ITERS 20000
#define FAULT_PAGES 2000
#define BENCH_BASE 0x10000000ul

static bool requested;	/* set once at boot */

static bool parse_bench(const char *value)
{
	if (strcmp(value, "mm") != 0) {
		log_warn("cmdline: bench=%s is unknown; the kernel offers bench=mm\n", value);
		return false;
	}
	requested = true;
	return true;
}
PARAM("bench", parse_bench);

static void report(const char *name, uint64_t iters, uint64_t cycles, unsigned fill)
{
	uint64_t mhz = arch_tsc_hz() / 1000000;

	kprintf("bench %s iters=%lu ns_per_op=%lu tsc_per_op=%lu fill=%u\n", name, iters,
		mhz ? cycles * 1000 / mhz / iters : 0, cycles / iters, fill);
}

static void bench_frames(unsigned fill)
{
	for (int warm = 0; warm < 100; warm++)
		frame_free(frame_alloc(0, OWNER_KERNEL, 0), 0);
	uint64_t t0 = arch_tsc();
	for (int i = 0; i < ITERS; i++)
		frame_free(frame_alloc(0, OWNER_KERNEL, 0), 0);
	report("frame_alloc_free", ITERS, arch_tsc() - t0, fill);
}

static void bench_kmalloc(unsigned fill)
{
	for (int warm = 0; warm < 100; warm++)
		kfree(kmalloc(64));
	uint64_t t0 = arch_tsc();
	for (int i = 0; i < ITERS; i++)
		kfree(kmalloc(64));
	report("kmalloc_free", ITERS, arch_tsc() - t0, fill);
}

static void bench_page_fault(unsigned fill)
{
	struct address_space *as __free(as_put) = NULL;
	char byte = 1;
	char __user *ubase = user_ptr(BENCH_BASE);

	as_create(NULL, &as);

	if (!as || as_map_anon(as, BENCH_BASE, (FAULT_PAGES + 16) * PAGE_SIZE, MAP_WRITE) < 0)
		return;
	as_activate(as);
	for (int i = 0; i < 16; i++)		/* warm-up, and the page tables */
		copy_to_user(ubase + (uint64_t)(FAULT_PAGES + i) * PAGE_SIZE, &byte, 1);
	uint64_t t0 = arch_tsc();
	for (int i = 0; i < FAULT_PAGES; i++)
		copy_to_user(ubase + (uint64_t)i * PAGE_SIZE, &byte, 1);
	uint64_t cycles = arch_tsc() - t0;
	as_activate(NULL);
	report("kernel_page_fault", FAULT_PAGES, cycles, fill);
}

/* Takes frames until only (100 - percent) % remain free. */
static uint64_t fill_to(unsigned percent)
{
	struct frame_stats s;
	uint64_t head = 0, phys;

	frame_get_stats(&s);
	while (s.free > s.total * (100 - percent) / 100 &&
	       (phys = frame_alloc(0, OWNER_USER, 0)) != 0) {
		*(uint64_t *)phys_to_virt(phys) = head;
		head = phys;
		s.free--;
	}
	return head;
}

void mm_bench_run_requested(void)
{
	static const unsigned fills[] = { 10, 90 };

	if (!requested)
		return;
	kprintf("info tsc_hz=%lu\n", arch_tsc_hz());
	for (unsigned i = 0; i < 2; i++) {
		uint64_t chain = fill_to(fills[i]);
		bench_frames(fills[i]);
		bench_kmalloc(fills[i]);
		bench_page_fault(fills[i]);
		while (chain) {
			uint64_t next = *(uint64_t *)phys_to_virt(chain);
			frame_free(chain, 0);
			chain = next;
		}
	}
}
