/* printf and friends over the shared engine in lib/format.c. Output of one
 * call collects in a stack buffer that is flushed when full and at the end,
 * so a call of up to PANDA_PRINT_BUFFER bytes is one debug_write. */
#include "print.h"

#include "lib/format.h"
#include "lib/string.h"
#include "syscall.h"

struct print_buffer {
	size_t len;
	char data[PANDA_PRINT_BUFFER];
};

static void write_all(const char *text, size_t len)
{
	while (len) {
		long n = panda_debug_write(text, len);

		if (n <= 0)
			return;
		text += n;
		len -= (size_t)n < len ? (size_t)n : len;
	}
}

static void flush(struct print_buffer *b)
{
	write_all(b->data, b->len);
	b->len = 0;
}

static void buffer_sink(void *ctx, const char *text, size_t n)
{
	struct print_buffer *b = ctx;

	while (n) {
		size_t room = sizeof(b->data) - b->len;
		size_t take = n < room ? n : room;

		memcpy(b->data + b->len, text, take);
		b->len += take;
		text += take;
		n -= take;
		if (b->len == sizeof(b->data))
			flush(b);
	}
}

int vprintf(const char *fmt, va_list ap)
{
	struct print_buffer b;
	int n;

	b.len = 0;
	n = fmt_vformat(buffer_sink, &b, fmt, ap);
	flush(&b);
	return n;
}

int printf(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vprintf(fmt, ap);
	va_end(ap);
	return n;
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	return fmt_vsnprintf(buf, size, fmt, ap);
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	struct print_buffer b;
	size_t len = strlen(s);

	b.len = 0;
	buffer_sink(&b, s, len);
	buffer_sink(&b, "\n", 1);
	flush(&b);
	return (int)len + 1;
}
