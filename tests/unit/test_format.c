/* The printf engine must agree with the C library on every conversion it
 * supports, and never write past the buffer it is given. */
/* These tests feed odd formats on purpose. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-truncation"
#pragma GCC diagnostic ignored "-Wformat-overflow"

#include <stdarg.h>
#include <stdint.h>

#include "lib/format.h"
#include "unit.h"

/* Formats with both engines and fails the case on any difference. */
#define SAME(...)							\
	do {								\
		char ours_[256], libc_[256];				\
		int n1_ = fmt_snprintf(ours_, sizeof(ours_), __VA_ARGS__); \
		int n2_ = snprintf(libc_, sizeof(libc_), __VA_ARGS__);	\
		if (n1_ != n2_ || strcmp(ours_, libc_) != 0)		\
			UNIT_FAIL("%s: ours \"%s\" (%d), libc \"%s\" (%d)", \
				  #__VA_ARGS__, ours_, n1_, libc_, n2_);	\
	} while (0)

TEST(test_plain_text_and_percent)
{
	SAME("hello");
	SAME("100%%");
	SAME("%%%d%%", 5);
	SAME("%s", "");
}

TEST(test_signed_conversions)
{
	SAME("%d %i", 0, -1);
	SAME("%d", INT32_MAX);
	SAME("%d", INT32_MIN);
	SAME("%ld", (long)INT64_MIN);
	SAME("%lld", (long long)INT64_MAX);
	SAME("%hhd %hd", 300, 70000);
	SAME("%zd", (ssize_t)-42);
	SAME("%jd %td", (intmax_t)-7, (ptrdiff_t)-9);
}

TEST(test_unsigned_conversions)
{
	SAME("%u %x %X %o", 0u, 0u, 0u, 0u);
	SAME("%u", UINT32_MAX);
	SAME("%lx", (unsigned long)UINT64_MAX);
	SAME("%llX", 0xdeadbeefcafeULL);
	SAME("%zu", (size_t)12345);
	SAME("%hhu %hx", 257, 0x12345);
	SAME("%lo", 0777777ul);
}

TEST(test_flags)
{
	SAME("%+d %+d % d % d", 5, -5, 5, -5);
	SAME("%+ d", 5);
	SAME("%#x %#X %#o", 255, 255, 8);
	SAME("%#x %#o", 0, 0);
	SAME("%-5d|", 42);
	SAME("%05d", -42);
	SAME("%-05d|", 42);
	SAME("%#010x", 0xbeef);
}

TEST(test_width_and_precision)
{
	SAME("%8s|%-8s|", "ab", "cd");
	SAME("%.2s", "abcdef");
	SAME("%8.3s|", "abcdef");
	SAME("%.5d %.0d %.0x", 42, 0, 0);
	SAME("%08.3d", 7);
	SAME("%*d %-*d|", 6, 1, 6, 2);
	SAME("%*d|", -6, 3);
	SAME("%.*s", 3, "abcdef");
	SAME("%.*d", -1, 12);
	SAME("%#.3o", 8);
	SAME("%20.15llx", 0x123ULL);
}

TEST(test_chars_strings_pointers)
{
	SAME("%c%c%c", 'a', 'b', 'c');
	SAME("%3c|%-3c|", 'x', 'y');
	SAME("%s", (char *)NULL);
	SAME("%p", (void *)0x1234);
	SAME("%p", (void *)NULL);
	SAME("%20p|", (void *)0xffffffff80001000ul);
}

TEST(test_unknown_conversion_is_printed_verbatim)
{
	char buf[32];

	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), "a%yb"), 4);
	CHECK_STR(buf, "a%yb");
	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), "trailing %"), 10);
	CHECK_STR(buf, "trailing %");
}

TEST(test_null_format_does_not_crash)
{
	char buf[16];

	fmt_snprintf(buf, sizeof(buf), NULL);
	CHECK_STR(buf, "(null)");
}

TEST(test_truncation_terminates_and_reports_full_length)
{
	char buf[8];

	memset(buf, 'Z', sizeof(buf));
	CHECK_EQ(fmt_snprintf(buf, 5, "%s", "abcdefgh"), 8);
	CHECK_STR(buf, "abcd");
	CHECK_EQ(buf[5], 'Z');		/* nothing written past the limit */

	memset(buf, 'Z', sizeof(buf));
	CHECK_EQ(fmt_snprintf(buf, 0, "%d", 12345), 5);
	CHECK_EQ(buf[0], 'Z');

	CHECK_EQ(fmt_snprintf(buf, 1, "xyz"), 3);
	CHECK_STR(buf, "");
}

TEST(test_huge_width_is_streamed_not_buffered)
{
	char buf[4];

	CHECK_EQ(fmt_snprintf(buf, sizeof(buf), "%5000d", 1), 5000);
	CHECK_STR(buf, "   ");
}

static void count_sink(void *ctx, const char *text, size_t n)
{
	(void)text;
	*(size_t *)ctx += n;
}

TEST(test_sink_sees_every_byte)
{
	size_t seen = 0;
	int n = fmt_format(count_sink, &seen, "%s=%08x;%-4c", "key", 0xabc, 'z');

	CHECK_EQ(n, 17);	/* "key=00000abc;z   " */
	CHECK_EQ(seen, 17);
}

/* A deterministic sweep over flag/width/precision/length combinations. */
TEST(test_random_integer_formats_match_libc)
{
	static const char *flag_sets[] = { "", "-", "+", " ", "#", "0", "-+", "0#", "+ 0", "-#0" };
	static const char convs[] = "diuxXo";
	uint64_t state = 0x9e3779b97f4a7c15ull;

	for (int i = 0; i < 20000; i++) {
		state ^= state << 13; state ^= state >> 7; state ^= state << 17;
		char spec[32];
		const char *flags = flag_sets[state % 10];
		char conv = convs[(state >> 8) % 6];
		int width = (int)((state >> 16) % 25) - 1;
		int prec = (int)((state >> 24) % 25) - 1;
		int n = snprintf(spec, sizeof(spec), "%%%s", flags);
		if (width >= 0)
			n += snprintf(spec + n, sizeof(spec) - n, "%d", width);
		if (prec >= 0)
			n += snprintf(spec + n, sizeof(spec) - n, ".%d", prec);
		snprintf(spec + n, sizeof(spec) - n, "ll%c", conv);

		long long value = (long long)(state * 0x2545f4914f6cdd1dull);
		if (state & 0x100000000ull)
			value >>= (state >> 40) % 64;	/* small values too */
		char ours[128], libc[128];
		int n1 = fmt_snprintf(ours, sizeof(ours), spec, value);
		int n2 = snprintf(libc, sizeof(libc), spec, value);
		if (n1 != n2 || strcmp(ours, libc) != 0)
			UNIT_FAIL("\"%s\" of %lld: ours \"%s\", libc \"%s\"", spec, value, ours, libc);
	}
}
