#include "verdict.h"

#include <stdarg.h>

#include "lib/errors.h"
#include "print.h"

static const char *program = "test";
static int passed, failed;

void verdict_start(const char *name)
{
	program = name;
}

const char *verdict_err_text(long v)
{
	return v < 0 ? error_name((int)v) : "ok";
}

bool verdict(const char *name, bool good, const char *fmt, ...)
{
	char detail[320];
	va_list ap;

	if (good) {
		printf("%s: ok %s\n", program, name);
		passed++;
		return true;
	}
	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	printf("%s: FAIL %s: %s\n", program, name, detail);
	failed++;
	return false;
}

bool verdict_expect(const char *name, long got, long want)
{
	return verdict(name, got == want, "got %ld (%s), want %ld (%s)", got,
		       verdict_err_text(got), want, verdict_err_text(want));
}

bool verdict_expect_ok(const char *name, long got)
{
	return verdict(name, got >= 0, "got %ld (%s)", got, verdict_err_text(got));
}

int verdict_finish(void)
{
	if (failed) {
		printf("%s: %d checks passed, %d failed\n", program, passed, failed);
		return 1;
	}
	printf("%s: %d checks passed\n", program, passed);
	return 0;
}
