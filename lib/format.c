#include "lib/format.h"

#include <stdbool.h>
#include <stdint.h>

#include "lib/string.h"

enum {
	FLAG_LEFT = 1 << 0,	/* '-' */
	FLAG_PLUS = 1 << 1,	/* '+' */
	FLAG_SPACE = 1 << 2,	/* ' ' */
	FLAG_ALT = 1 << 3,	/* '#' */
	FLAG_ZERO = 1 << 4,	/* '0' */
};

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE,
	LEN_MAX, LEN_PTRDIFF };

struct spec {
	unsigned flags;
	int width;		/* 0 when absent */
	int precision;		/* -1 when absent */
	enum length length;
};

struct out {
	fmt_sink_fn sink;
	void *ctx;
	int count;
};

static void emit(struct out *o, const char *s, size_t n)
{
	if (n) {
		o->sink(o->ctx, s, n);
		o->count += (int)n;
	}
}

static void emit_repeat(struct out *o, char c, int n)
{
	char chunk[16];

	memset(chunk, c, sizeof(chunk));
	for (; n > 0; n -= (int)sizeof(chunk))
		emit(o, chunk, n < (int)sizeof(chunk) ? (size_t)n : sizeof(chunk));
}

/* Emits body (prefix + digits or text) padded to the field width. */
static void emit_field(struct out *o, const struct spec *sp, const char *prefix,
		       int zeros, const char *body, int body_len)
{
	int prefix_len = (int)strlen(prefix);
	int pad = sp->width - prefix_len - zeros - body_len;

	if (!(sp->flags & FLAG_LEFT))
		emit_repeat(o, ' ', pad);
	emit(o, prefix, (size_t)prefix_len);
	emit_repeat(o, '0', zeros);
	emit(o, body, (size_t)body_len);
	if (sp->flags & FLAG_LEFT)
		emit_repeat(o, ' ', pad);
}

static void format_integer(struct out *o, struct spec *sp, char conv,
			   uintmax_t value, bool negative)
{
	char digits[32];	/* 22 octal digits are the most uintmax_t needs */
	const char *alphabet = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
	unsigned base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X' || conv == 'p') ? 16 : 10;
	char prefix[3] = "";
	int len = 0, zeros;

	while (value) {
		/* base is 8, 10 or 16, never 0. */
		/* cppcheck-suppress zerodivcond */
		digits[sizeof(digits) - 1 - len++] = alphabet[value % base];
		value /= base;
	}
	bool was_zero = len == 0;

	if (negative)
		prefix[0] = '-';
	else if (sp->flags & FLAG_PLUS && (conv == 'd' || conv == 'i'))
		prefix[0] = '+';
	else if (sp->flags & FLAG_SPACE && (conv == 'd' || conv == 'i'))
		prefix[0] = ' ';
	if (conv == 'p' || (sp->flags & FLAG_ALT && !was_zero && base == 16)) {
		prefix[0] = '0';
		prefix[1] = conv == 'X' ? 'X' : 'x';
	}

	/* "%.0d" of zero prints no digits; otherwise at least one. */
	if (sp->precision < 0)
		zeros = was_zero ? 1 : 0;
	else
		zeros = sp->precision > len ? sp->precision - len : 0;
	/* '#' with 'o' guarantees a leading zero digit. */
	if (conv == 'o' && sp->flags & FLAG_ALT && zeros == 0)
		zeros = 1;
	/* '0' pads with zeros to the width, unless a precision or '-' is given. */
	if (sp->flags & FLAG_ZERO && !(sp->flags & FLAG_LEFT) && sp->precision < 0) {
		int fill = sp->width - (int)strlen(prefix) - len;
		if (fill > zeros)
			zeros = fill;
	}
	emit_field(o, sp, prefix, zeros, digits + sizeof(digits) - len, len);
}

static uintmax_t take_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR: return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT: return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_LONG: return va_arg(*ap, unsigned long);
	case LEN_LLONG: return va_arg(*ap, unsigned long long);
	case LEN_SIZE: return va_arg(*ap, size_t);
	case LEN_MAX: return va_arg(*ap, uintmax_t);
	case LEN_PTRDIFF: return (uintmax_t)va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, unsigned int);
	}
}

static intmax_t take_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR: return (signed char)va_arg(*ap, int);
	case LEN_SHORT: return (short)va_arg(*ap, int);
	case LEN_LONG: return va_arg(*ap, long);
	case LEN_LLONG: return va_arg(*ap, long long);
	case LEN_SIZE: return (intmax_t)va_arg(*ap, size_t);
	case LEN_MAX: return va_arg(*ap, intmax_t);
	case LEN_PTRDIFF: return va_arg(*ap, ptrdiff_t);
	default: return va_arg(*ap, int);
	}
}

/* Parses flags, width, precision and length after a '%'. */
static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	sp->flags = 0;
	sp->width = 0;
	sp->precision = -1;
	sp->length = LEN_INT;

	for (;; f++) {
		if (*f == '-') sp->flags |= FLAG_LEFT;
		else if (*f == '+') sp->flags |= FLAG_PLUS;
		else if (*f == ' ') sp->flags |= FLAG_SPACE;
		else if (*f == '#') sp->flags |= FLAG_ALT;
		else if (*f == '0') sp->flags |= FLAG_ZERO;
		else break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {	/* a negative '*' width means '-' */
			sp->flags |= FLAG_LEFT;
			sp->width = sp->width == INT32_MIN ? INT32_MAX : -sp->width;
		}
		f++;
	} else {
		for (; *f >= '0' && *f <= '9'; f++)
			if (sp->width < 100000000)	/* absurd widths saturate */
				sp->width = sp->width * 10 + (*f - '0');
	}
	if (*f == '.') {
		f++;
		sp->precision = 0;
		if (*f == '*') {
			sp->precision = va_arg(*ap, int);
			if (sp->precision < 0)
				sp->precision = -1;
			f++;
		} else {
			for (; *f >= '0' && *f <= '9'; f++)
				if (sp->precision < 100000000)
					sp->precision = sp->precision * 10 + (*f - '0');
		}
	}
	switch (*f) {
	case 'h':
		if (*++f == 'h') { sp->length = LEN_CHAR; f++; }
		else sp->length = LEN_SHORT;
		break;
	case 'l':
		if (*++f == 'l') { sp->length = LEN_LLONG; f++; }
		else sp->length = LEN_LONG;
		break;
	case 'z': sp->length = LEN_SIZE; f++; break;
	case 'j': sp->length = LEN_MAX; f++; break;
	case 't': sp->length = LEN_PTRDIFF; f++; break;
	}
	return f;
}

int fmt_vformat(fmt_sink_fn sink, void *ctx, const char *fmt, va_list ap_in)
{
	struct out o = { sink, ctx, 0 };
	struct spec sp;
	va_list ap;

	if (!fmt)
		fmt = "(null)";
	va_copy(ap, ap_in);
	while (*fmt) {
		const char *start = fmt;

		while (*fmt && *fmt != '%')
			fmt++;
		emit(&o, start, (size_t)(fmt - start));
		if (!*fmt)
			break;

		const char *percent = fmt++;
		fmt = parse_spec(fmt, &sp, &ap);
		char conv = *fmt;
		if (conv)
			fmt++;

		switch (conv) {
		case 'd':
		case 'i': {
			intmax_t v = take_signed(&ap, sp.length);
			uintmax_t mag = v < 0 ? -(uintmax_t)v : (uintmax_t)v;
			format_integer(&o, &sp, conv, mag, v < 0);
			break;
		}
		case 'u':
		case 'o':
		case 'x':
		case 'X':
			format_integer(&o, &sp, conv, take_unsigned(&ap, sp.length), false);
			break;
		case 'p': {
			void *p = va_arg(ap, void *);
			if (!p) {
				sp.precision = -1;
				emit_field(&o, &sp, "", 0, "(nil)", 5);
			} else {
				format_integer(&o, &sp, 'p', (uintptr_t)p, false);
			}
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);
			emit_field(&o, &sp, "", 0, &c, 1);
			break;
		}
		case 's': {
			const char *s = va_arg(ap, const char *);
			if (!s)
				s = "(null)";
			size_t n = sp.precision < 0 ? strlen(s) : strnlen(s, (size_t)sp.precision);
			emit_field(&o, &sp, "", 0, s, (int)n);
			break;
		}
		case '%':
			emit(&o, "%", 1);
			break;
		default:
			/* Unknown or truncated conversion: print it as written,
			 * which makes the mistake visible instead of eating an
			 * argument. */
			emit(&o, percent, (size_t)(fmt - percent));
			break;
		}
	}
	va_end(ap);
	return o.count;
}

int fmt_format(fmt_sink_fn sink, void *ctx, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vformat(sink, ctx, fmt, ap);
	va_end(ap);
	return n;
}

struct buffer {
	char *buf;
	size_t size;
	size_t used;
};

static void buffer_sink(void *ctx, const char *text, size_t n)
{
	struct buffer *b = ctx;

	if (b->used + 1 < b->size) {
		size_t room = b->size - 1 - b->used;
		memcpy(b->buf + b->used, text, n < room ? n : room);
		b->used += n < room ? n : room;
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct buffer b = { buf, size, 0 };
	int n = fmt_vformat(buffer_sink, &b, fmt, ap);

	if (size)
		buf[b.used] = '\0';
	return n;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
