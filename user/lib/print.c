/* printf and friends over the shared engine in lib/format.c. Output of one
 * call collects in a stack buffer that is flushed when full and at the end,
 * so a call of up to PANDA_PRINT_BUFFER bytes is one write: whole lines
 * from different processes do not interleave. */
#include "print.h"

#include "io.h"
#include "lib/bson.h"
#include "lib/errors.h"
#include "lib/format.h"
#include "lib/string.h"
#include "syscall.h"

/* {"op": "write", "data": text} to a console or file: 0, or an error. */
static long write_request(panda_handle_t h, const char *text, size_t len)
{
	uint8_t doc[PANDA_PRINT_BUFFER + 64];
	struct bson_builder b;

	bson_build_init(&b, doc, sizeof(doc));
	bson_append_cstr(&b, "op", "write");
	bson_append_binary(&b, "data", 0, text, len);	/* any bytes, not just UTF-8 */
	size_t size = bson_build_finish(&b);
	if (!size)
		return -E2BIG;
	return panda_send_doc(h, doc, size);
}

static void write_log(const char *text, size_t len)
{
	while (len) {
		long n = panda_debug_write(text, len);

		if (n <= 0)
			return;
		text += n;
		len -= (size_t)n < len ? (size_t)n : len;
	}
}

/* Where a buffer's text goes: a handle (console or file), the kernel
 * log (handle none), or standard output. */
struct print_buffer {
	panda_handle_t handle;
	bool to_stdout;
	size_t len;
	char data[PANDA_PRINT_BUFFER];
};

static void flush(struct print_buffer *b)
{
	if (!b->len)
		return;
	if (b->to_stdout)
		out_write(b->data, b->len);
	else if (!b->handle || write_request(b->handle, b->data, b->len) < 0)
		write_log(b->data, b->len);
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

static int print_to(struct print_buffer *b, const char *fmt, va_list ap)
{
	b->len = 0;
	int n = fmt_vformat(buffer_sink, b, fmt, ap);
	flush(b);
	return n;
}

int vhprintf(panda_handle_t h, const char *fmt, va_list ap)
{
	struct print_buffer b = { .handle = h };

	return print_to(&b, fmt, ap);
}

int hprintf(panda_handle_t h, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vhprintf(h, fmt, ap);
	va_end(ap);
	return n;
}

/* To the error stream (io.h): "err", standard output when "err" is the
 * same handle, or the console. */
int eprintf(const char *fmt, ...)
{
	panda_handle_t err = panda_err();
	struct print_buffer b = { .handle = err ? err : panda_console(),
				  .to_stdout = err && err == panda_out() };
	va_list ap;

	va_start(ap, fmt);
	int n = print_to(&b, fmt, ap);
	va_end(ap);
	return n;
}

int vprintf(const char *fmt, va_list ap)
{
	struct print_buffer b = { .to_stdout = true };

	return print_to(&b, fmt, ap);
}

int printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vprintf(fmt, ap);
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

	va_start(ap, fmt);
	int n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}

int puts(const char *s)
{
	return printf("%s\n", s);
}

/* Writes text to the console (the kernel log without one), unformatted. */
void console_write(const char *text, size_t len)
{
	panda_handle_t console = panda_console();

	while (len) {
		size_t chunk = len < PANDA_PRINT_BUFFER ? len : PANDA_PRINT_BUFFER;

		if (!console || write_request(console, text, chunk) < 0)
			write_log(text, chunk);
		text += chunk;
		len -= chunk;
	}
}
