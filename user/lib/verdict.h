/* Verdict lines for the test programs in user/bin: each check prints
 * `PROGRAM: ok NAME` or `PROGRAM: FAIL NAME: detail`, and the last line
 * counts them (`PROGRAM: N checks passed[, M failed]`), which the system
 * tests read (docs/testing.md). */
#ifndef USER_LIB_VERDICT_H
#define USER_LIB_VERDICT_H

#include <stdbool.h>

/* Names the program in every line; call first. */
void verdict_start(const char *program);

/* One check; the detail is printed only when it failed. Returns good. */
__attribute__((format(printf, 3, 4)))
bool verdict(const char *name, bool good, const char *fmt, ...);
/* got == want, both shown (with their error names) when not. */
bool verdict_expect(const char *name, long got, long want);
/* A result (a handle, a size) that only needs to be non-negative. */
bool verdict_expect_ok(const char *name, long got);
/* "ok", or the error name of a negative value. */
const char *verdict_err_text(long v);

/* Prints the closing count; returns the exit status (0: none failed). */
int verdict_finish(void);

#endif
