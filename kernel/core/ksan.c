/* The report counter shared by the kernel's sanitizers; see ksan.h. */
#if KSAN
#include "core/ksan.h"

#include "core/backtrace.h"
#include "core/log.h"

static unsigned reports, caught;	/* reports: atomic; caught: the self-test's */
static bool expecting, in_report;	/* one CPU's self-tests; in_report is atomic */
static unsigned (*heap_check)(void);	/* set once at boot */

void ksan_set_heap_check(unsigned (*fn)(void))
{
	heap_check = fn;
}

void ksan_check_heap(void)
{
	unsigned bad = heap_check ? heap_check() : 0;

	if (bad)
		kprintf("ksan: heap check found %u bad objects\n", bad);
}

unsigned ksan_report_count(void)
{
	return __atomic_load_n(&reports, __ATOMIC_RELAXED);
}

void ksan_expect_begin(void)
{
	caught = 0;
	expecting = true;
}

bool ksan_expecting(void)
{
	return expecting;
}

unsigned ksan_expect_end(void)
{
	expecting = false;
	return caught;
}

__attribute__((no_sanitize_undefined))
bool ksan_report_begin(const char *marker)
{
	if (__atomic_exchange_n(&in_report, true, __ATOMIC_ACQUIRE))
		return false;
	if (expecting) {
		caught++;
		kprintf("caught as expected: ");
	} else {
		__atomic_fetch_add(&reports, 1, __ATOMIC_RELAXED);
		kprintf("%s ", marker);
	}
	return true;
}

/* An expected report needs no backtrace: the test says where it is. */
__attribute__((no_sanitize_undefined))
void ksan_report_end(void)
{
	if (!expecting)
		backtrace_print_here();
	__atomic_store_n(&in_report, false, __ATOMIC_RELEASE);
}
#endif
