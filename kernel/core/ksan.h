/* What the sanitized kernel (`make ksan`, KSAN=1; docs/testing.md) reports:
 * undefined behaviour (core/ubsan.c) and heap misuse (mm/redzone.c). Each
 * report is a log line starting with its marker ("UBSAN:", "KSAN:") and
 * counts here. A test run with any report fails: the self-test runner ends
 * with EXIT_TESTS_FAILED, and the system tests look for the markers in
 * every QEMU session's output (tests/system/conftest.py).
 *
 * A self-test that provokes a report on purpose brackets it with
 * ksan_expect_begin/end: reports in between are logged as expected, counted
 * as caught, and fail nothing. In the normal kernel all of this is empty. */
#ifndef CORE_KSAN_H
#define CORE_KSAN_H

#include <stdbool.h>

#ifndef KSAN
#define KSAN 0		/* `make ksan` builds with KSAN=1 */
#endif

#if KSAN
/* Starts one report: prints "MARKER: " (or the expected form) and returns
 * true, or returns false while another report is being printed (the log
 * itself is instrumented). Pair with ksan_report_end. */
bool ksan_report_begin(const char *marker);
void ksan_report_end(void);
unsigned ksan_report_count(void);
void ksan_expect_begin(void);
unsigned ksan_expect_end(void);
/* True between ksan_expect_begin and ksan_expect_end: a checker that would
 * otherwise panic (a lock rule, core/lockdep.c) reports and lets the test
 * go on. */
bool ksan_expecting(void);
/* Checks the whole heap now (the checker mm registered: kmalloc_check), at
 * the end of a self-test run and when the machine powers off. */
void ksan_check_heap(void);
void ksan_set_heap_check(unsigned (*fn)(void));
#else
static inline void ksan_check_heap(void) {}
static inline void ksan_set_heap_check(unsigned (*fn)(void)) { (void)fn; }
static inline unsigned ksan_report_count(void) { return 0; }
static inline void ksan_expect_begin(void) {}
static inline unsigned ksan_expect_end(void) { return 0; }
#endif

#endif
