#include "core/selftest.h"

#include "core/ksan.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/params.h"
#include "core/shutdown.h"
#include "lib/string.h"

extern const struct selftest __selftests_start[], __selftests_end[];

static char requested[256];	/* the test= value */

/* State of the suite being run. */
static const struct selftest *current_suite;	/* this and below: the runner's, one thread */
static const char *current_case;
static bool case_failed;
static unsigned suite_passed, suite_failed;

static bool parse_test(const char *value)
{
	if (!*value) {
		log_warn("cmdline: test= needs a name; try test=list\n");
		return false;
	}
	if (strlcpy(requested, value, sizeof(requested)) >= sizeof(requested)) {
		log_warn("cmdline: test= value is too long\n");
		requested[0] = '\0';
		return false;
	}
	panic_set_exit_on_panic();	/* a test run must never just hang */
	return true;
}
PARAM("test", parse_test);

static void finish_case(void)
{
	if (!current_case)
		return;
	if (case_failed)
		suite_failed++;
	else
		suite_passed++;
	kprintf("  %s %s/%s\n", case_failed ? "FAIL" : "ok  ", current_suite->name, current_case);
	current_case = NULL;
}

void selftest_case(const char *name)
{
	finish_case();
	current_case = name;
	case_failed = false;
}

void selftest_fail(const char *file, int line, const char *what)
{
	if (!current_case)
		selftest_case("(setup)");
	kprintf("    check failed at %s:%d: %s\n", file, line, what);
	case_failed = true;
}

static const struct selftest *find_suite(const char *name, size_t len)
{
	/* The linker's start and end of one section: the same array. */
	/* cppcheck-suppress comparePointers */
	for (const struct selftest *t = __selftests_start; t < __selftests_end; t++)
		if (strlen(t->name) == len && strncmp(t->name, name, len) == 0)
			return t;
	return NULL;
}

static void list_suites(void)
{
	kprintf("selftest: available tests:");
	/* The linker's start and end of one section: the same array. */
	/* cppcheck-suppress comparePointers */
	for (const struct selftest *t = __selftests_start; t < __selftests_end; t++)
		kprintf(" %s%s", t->name, t->fatal ? "(fatal)" : t->manual ? "(manual)" : "");
	kprintf("\n");
}

/* Returns true when every case passed. */
static bool run_suite(const struct selftest *t)
{
	current_suite = t;
	suite_passed = suite_failed = 0;
	kprintf("selftest %s: start\n", t->name);
	t->run();
	finish_case();
	if (t->fatal) {
		kprintf("selftest %s: returned, but it should have stopped the machine\n", t->name);
		suite_failed++;
	}
	kprintf("selftest %s: %u passed, %u failed\n", t->name, suite_passed, suite_failed);
	return suite_failed == 0;
}

void selftest_run_requested(void)
{
	unsigned suites = 0, failed = 0;

	if (!requested[0])
		return;
	if (strcmp(requested, "list") == 0) {
		list_suites();
		system_exit(EXIT_TESTS_PASSED);
	}
	/* Check every name before running anything, so a typo costs no time. */
	for (const char *p = requested; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (!(len == 3 && strncmp(p, "all", 3) == 0) && !find_suite(p, len)) {
			kprintf("selftest: unknown test '%.*s'\n", (int)len, p);
			list_suites();
			system_exit(EXIT_TESTS_FAILED);
		}
		p += len + (end ? 1 : 0);
	}
	for (const char *p = requested; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == 3 && strncmp(p, "all", 3) == 0) {
			/* The linker's start and end of one section: the same array. */
	/* cppcheck-suppress comparePointers */
	for (const struct selftest *t = __selftests_start; t < __selftests_end; t++) {
				if (t->fatal || t->manual)
					continue;
				suites++;
				failed += !run_suite(t);
			}
		} else {
			const struct selftest *t = find_suite(p, len);	/* checked above */
			suites++;
			failed += !t || !run_suite(t);
		}
		p += len + (end ? 1 : 0);
	}
	/* In the sanitized kernel any report fails the run (core/ksan.h). */
	if (ksan_report_count()) {
		kprintf("selftest: %u sanitizer reports\n", ksan_report_count());
		failed++;
	}
	kprintf("selftest: %u suites run, %u failed\n", suites, failed);
	system_exit(failed ? EXIT_TESTS_FAILED : EXIT_TESTS_PASSED);
}
