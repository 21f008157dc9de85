/* Formatted output for user programs, through SYS_DEBUG_WRITE. Each printf
 * call is gathered in a 512-byte buffer and written with one system call
 * when it fits, so whole lines from different processes do not interleave.
 * Conversions are lib/format.h's (no floating point). */
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
/* Writes s and a newline (in one write when it fits). */
int puts(const char *s);

#endif
