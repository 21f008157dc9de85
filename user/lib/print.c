/* printf and friends over the shared engine in lib/format.c. Output of one
 * call collects in a stack buffer that is flushed when full and at the end,
 * so a call of up to PANDA_PRINT_BUFFER bytes is one debug_write. */
#include "print.h"

#include "lib/bson.h"
#include "lib/errors.h"
#include "lib/format.h"
#include "lib/string.h"
#include "syscall.h"
#include "panda.h"

/* {"op": "write", "data": text} to the console: 0, or a negative error. */
static long console_write(panda_handle_t console, const char *text, size_t len)
{
	uint8_t doc[PANDA_PRINT_BUFFER + 64];
	struct bson_builder b;

	bson_build_init(&b, doc, sizeof(doc));
	bson_append_cstr(&b, "op", "write");
	bson_append_binary(&b, "data", 0, text, len);	/* any bytes, not just UTF-8 */
	size_t size = bson_build_finish(&b);
	if (!size)
		return -E2BIG;
	return panda_send_doc(console, doc, size);
}

struct print_buffer {
	size_t len;
	char data[PANDA_PRINT_BUFFER];
};

/* Through the console object when this process holds one, else the
 * kernel log (debug_write). */
static void write_all(const char *text, size_t len)
{
	panda_handle_t console = panda_startup_handle(STARTUP_CONSOLE);

	if (console && len && console_write(console, text, len) == 0)
		return;
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
