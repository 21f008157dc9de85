/* A small host test harness. A test file defines cases with TEST(name) and
 * checks with CHECK* macros; main() comes from here. Output is one line per
 * case, "ok NAME" or "not ok NAME: file:line: what", which tools/run-tests
 * counts; the exit status is non-zero when any case failed. */
#ifndef TESTS_UNIT_H
#define TESTS_UNIT_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct unit_case {
	const char *name;
	void (*fn)(void);
	struct unit_case *next;
};

static struct unit_case *unit_cases, **unit_tail = &unit_cases;
static bool unit_failed;
static char unit_why[2048];

static inline void unit_register(struct unit_case *c)
{
	*unit_tail = c;
	unit_tail = &c->next;
}

#define TEST(name)							\
	static void name(void);						\
	static struct unit_case name##_case = { #name, name, NULL };	\
	__attribute__((constructor)) static void name##_reg(void)	\
	{ unit_register(&name##_case); }				\
	static void name(void)

/* Records the first failure of the case and returns from it. */
#define UNIT_FAIL(...)							\
	do {								\
		int n_ = snprintf(unit_why, sizeof(unit_why), "%s:%d: ",	\
				  __FILE__, __LINE__);			\
		snprintf(unit_why + n_, sizeof(unit_why) - n_, __VA_ARGS__); \
		unit_failed = true;					\
		return;							\
	} while (0)

#define CHECK(cond)							\
	do { if (!(cond)) UNIT_FAIL("CHECK(%s)", #cond); } while (0)

#define CHECK_EQ(a, b)							\
	do {								\
		intmax_t a_ = (intmax_t)(a), b_ = (intmax_t)(b);	\
		if (a_ != b_)						\
			UNIT_FAIL("%s == %s: %jd != %jd", #a, #b, a_, b_); \
	} while (0)

#define CHECK_STR(a, b)							\
	do {								\
		const char *a_ = (a), *b_ = (b);			\
		if (!a_ || !b_ || strcmp(a_, b_) != 0)			\
			UNIT_FAIL("%s == %s: \"%s\" != \"%s\"", #a, #b,	\
				  a_ ? a_ : "(null)", b_ ? b_ : "(null)"); \
	} while (0)

int main(int argc, char **argv)
{
	int passed = 0, failed = 0;
	const char *only = argc > 1 ? argv[1] : NULL;

	for (struct unit_case *c = unit_cases; c; c = c->next) {
		if (only && strcmp(only, c->name) != 0)
			continue;
		unit_failed = false;
		c->fn();
		if (unit_failed) {
			printf("not ok %s: %s\n", c->name, unit_why);
			failed++;
		} else {
			printf("ok %s\n", c->name);
			passed++;
		}
		fflush(stdout);
	}
	printf("# %s: %d passed, %d failed\n", argv[0], passed, failed);
	return failed ? 1 : 0;
}

#endif
