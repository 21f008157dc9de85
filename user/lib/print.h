/* Formatted output for user programs. printf writes to standard output
 * (io.h: text records on an "out" channel, else the console); hprintf and
 * eprintf (io.h) to a handle and the console. Each call collects in a
 * 512-byte buffer and is written at once when it fits, so whole lines from
 * different processes do not interleave. Conversions are lib/format.h's
 * (no floating point). */
#ifndef USER_LIB_PRINT_H
#define USER_LIB_PRINT_H

#include <stdarg.h>
#include <stddef.h>

#define PANDA_PRINT_BUFFER 512

int printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int vprintf(const char *fmt, va_list ap);
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
/* Writes s and a newline to standard output. */
int puts(const char *s);
/* Writes text to the console as it is (the kernel log without one). */
void console_write(const char *text, size_t len);

#endif
