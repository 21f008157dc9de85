/* Self-tests of the sanitized kernel's own checkers: each case does one
 * deliberate wrong thing and checks that exactly the expected report came.
 * In a kernel built without the sanitizers these suites do not exist, so
 * asking for them fails (tests/system/test_ksan.py). */
#if KSAN
#include <limits.h>
#include <stdint.h>

#include "core/ksan.h"
#include "core/selftest.h"
#include "core/shutdown.h"
#include "mm/kmalloc.h"
#include "mm/redzone.h"
#include "mm/slab.h"

/* Volatile, so the compiler can neither fold nor warn about what follows. */
static volatile int int_max = INT_MAX, one = 1, forty = 40, five = 5;
static volatile int sink;

static void test_ubsan(void)
{
	int small[4] = { 1, 2, 3, 4 };
	uint32_t words[2] = { 0, 0 };

	selftest_case("signed overflow is reported");
	ksan_expect_begin();
	sink = int_max + one;
	SELFTEST_CHECK(ksan_expect_end() == 1);

	selftest_case("shift past the width is reported");
	ksan_expect_begin();
	/* Deliberate, as every case here. */
	/* cppcheck-suppress shiftTooManyBits */
	sink = one << forty;
	SELFTEST_CHECK(ksan_expect_end() == 1);

	selftest_case("index out of bounds is reported");
	ksan_expect_begin();
	/* cppcheck-suppress arrayIndexOutOfBounds */
	sink = small[five];	/* also past the end of the object */
	SELFTEST_CHECK(ksan_expect_end() >= 1);

	selftest_case("misaligned load is reported");
	ksan_expect_begin();
	sink = (int)*(volatile uint32_t *)((uintptr_t)words + (uintptr_t)one);
	SELFTEST_CHECK(ksan_expect_end() == 1);

	selftest_case("defined arithmetic is not reported");
	ksan_expect_begin();
	sink = int_max - one + small[0];
	SELFTEST_CHECK(ksan_expect_end() == 0);
}
SELFTEST(ubsan, test_ubsan);

static volatile size_t twenty = 20, hundred = 100, eight = 8;

static void test_redzone(void)
{
	selftest_case("a write past a kmalloc object is caught on free");
	char *p = kmalloc(twenty);
	SELFTEST_CHECK(p != NULL);
	if (p) {
		ksan_expect_begin();
		p[twenty] = 1;		/* one past the 20 bytes asked for */
		kfree(p);
		SELFTEST_CHECK(ksan_expect_end() == 1);
	}

	selftest_case("a write past a large kmalloc block is caught on free");
	char *big = kmalloc(five * 1000);
	SELFTEST_CHECK(big != NULL);
	if (big) {
		ksan_expect_begin();
		big[five * 1000] = 1;	/* one past the 5,000 bytes asked for */
		kfree(big);
		SELFTEST_CHECK(ksan_expect_end() == 1);
	}

	selftest_case("a write past a kcache object is caught on free");
	static struct kcache *cache;
	if (!cache)
		cache = kcache_create("ksan-test", 40);
	char *o = cache ? kcache_alloc(cache) : NULL;
	SELFTEST_CHECK(o != NULL);
	if (o) {
		ksan_expect_begin();
		o[40 + one] = 1;
		kcache_free(cache, o);
		SELFTEST_CHECK(ksan_expect_end() == 1);
	}

	selftest_case("the heap check finds a live object's overflow");
	char *q = kmalloc(hundred);
	SELFTEST_CHECK(q != NULL);
	if (q) {
		ksan_expect_begin();
		q[hundred + 3] = 7;
		SELFTEST_CHECK(kmalloc_check() == 1);
		q[hundred + 3] = (char)REDZONE_BYTE;	/* repaired: no report on free */
		kfree(q);
		SELFTEST_CHECK(ksan_expect_end() == 1);
	}

	selftest_case("a write after free is caught when the object is reused");
	char *f = kmalloc(64);
	SELFTEST_CHECK(f != NULL);
	if (f) {
		ksan_expect_begin();
		kfree(f);
		f[eight] = 1;		/* the freed object: its poison is broken */
		char *again = kmalloc(64);	/* the slab hands the last free one out first */
		SELFTEST_CHECK(again == f);
		kfree(again);
		SELFTEST_CHECK(ksan_expect_end() == 1);
	}

	selftest_case("a double free is reported with its sites");
	char *d = kmalloc(32);
	SELFTEST_CHECK(d != NULL);
	ksan_expect_begin();
	kfree(d);
	kfree(d);
	SELFTEST_CHECK(ksan_expect_end() == 1);

	selftest_case("correct use is not reported");
	ksan_expect_begin();
	char *ok = kmalloc(twenty);
	if (ok)
		ok[twenty - 1] = 1;
	kfree(ok);
	SELFTEST_CHECK(kmalloc_check() == 0);
	SELFTEST_CHECK(ksan_expect_end() == 0);
}
SELFTEST(redzone, test_redzone);


/* Reports nobody expects, then a passing exit: the run must still fail
 * (system_exit turns the status into EXIT_TESTS_FAILED), and each report
 * must carry its marker. Named only: it ends the machine itself. */
static void test_unexpected_reports(void)
{
	char *p = kmalloc(twenty);

	sink = int_max + forty;
	if (p)
		p[twenty + 2] = 1;
	kfree(p);
	system_exit(EXIT_TESTS_PASSED);
}
SELFTEST_FATAL(ksan-unexpected, test_unexpected_reports);
#endif
