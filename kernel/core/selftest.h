/* In-kernel self-tests, chosen with `test=NAME[,NAME...]` on the command
 * line (`test=all` runs every non-fatal suite, `test=list` names them).
 *
 * A suite is a function that announces cases and checks them:
 *
 *	static void test_printf(void)
 *	{
 *		selftest_case("pads to width");
 *		SELFTEST_CHECK(strcmp(buf, "  42") == 0);
 *	}
 *	SELFTEST(printf, test_printf);
 *
 * Each case prints one line (ok or FAIL with the failed check). After the
 * run the machine exits with EXIT_TESTS_PASSED or EXIT_TESTS_FAILED.
 * A FATAL suite demonstrates a crash report (panic, faults): it ends the
 * machine itself and so only runs when named. A NAMED suite is long and has
 * a system test of its own (the fault-injection sweep): it too runs only
 * when named, so test=all stays short. */
#ifndef CORE_SELFTEST_H
#define CORE_SELFTEST_H

#include <stdbool.h>

struct selftest {
	const char *name;
	void (*run)(void);
	bool fatal;
	bool manual;			/* run only when named, never by test=all */
};

#define SELFTEST_DEFINE(name_, fn_, fatal_, manual_)			\
	static const struct selftest selftest_##fn_			\
	__attribute__((used, section(".selftests"), aligned(8))) =	\
		{ .name = #name_, .run = (fn_), .fatal = (fatal_), .manual = (manual_) }
#define SELFTEST(name_, fn_) SELFTEST_DEFINE(name_, fn_, false, false)
#define SELFTEST_FATAL(name_, fn_) SELFTEST_DEFINE(name_, fn_, true, false)
/* A long run with a system test of its own (the soak, the fault-injection
 * sweep): only `test=NAME` starts it, never test=all. */
#define SELFTEST_MANUAL(name_, fn_) SELFTEST_DEFINE(name_, fn_, false, true)

void selftest_case(const char *name);
void selftest_fail(const char *file, int line, const char *what);

#define SELFTEST_CHECK(cond)						\
	do {								\
		if (!(cond))						\
			selftest_fail(__FILE__, __LINE__, #cond);	\
	} while (0)

/* Runs what `test=` asked for and exits the machine; returns only when the
 * command line asked for no tests. */
void selftest_run_requested(void);

#endif
