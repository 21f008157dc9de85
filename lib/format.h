/* The printf engine shared by the kernel log and user space.
 *
 * Conversions: d i u o x X p s c %; length modifiers hh h l ll z j t;
 * flags - + space # 0; width and precision as numbers or '*'.
 * Output goes to a sink in pieces, so callers decide where text lands
 * (a serial port, a buffer, a message). */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H

#include <stdarg.h>
#include <stddef.h>

/* Receives n bytes of output (not NUL-terminated). */
typedef void (*fmt_sink_fn)(void *ctx, const char *text, size_t n);

/* Returns the number of bytes produced. */
int fmt_vformat(fmt_sink_fn sink, void *ctx, const char *fmt, va_list ap);
int fmt_format(fmt_sink_fn sink, void *ctx, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like C's snprintf: always terminates when size > 0 and returns the length
 * the whole output would have had, so truncation is `result >= size`. */
int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
