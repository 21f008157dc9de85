/* lib/string.c on the host, where its functions are named lib_memcpy etc.
 * (tests/unit/host_names.h). */
#include <stdbool.h>
#include <stdint.h>

#include "unit.h"

void *lib_memcpy(void *, const void *, size_t);
void *lib_memmove(void *, const void *, size_t);
void *lib_memset(void *, int, size_t);
int lib_memcmp(const void *, const void *, size_t);
void *lib_memchr(const void *, int, size_t);
size_t lib_strlen(const char *);
size_t lib_strnlen(const char *, size_t);
int lib_strcmp(const char *, const char *);
int lib_strncmp(const char *, const char *, size_t);
char *lib_strchr(const char *, int);
char *lib_strrchr(const char *, int);
size_t lib_strlcpy(char *, const char *, size_t);
bool parse_u64(const char **, uint64_t *);

static int sign(int v) { return (v > 0) - (v < 0); }

TEST(test_memmove_handles_both_overlaps)
{
	for (int shift = -8; shift <= 8; shift++) {
		for (size_t n = 0; n < 24; n++) {
			char ours[64], libc[64];
			for (int i = 0; i < 64; i++)
				ours[i] = libc[i] = (char)i;
			lib_memmove(ours + 20 + shift, ours + 20, n);
			memmove(libc + 20 + shift, libc + 20, n);
			CHECK(memcmp(ours, libc, sizeof(ours)) == 0);
		}
	}
}

TEST(test_memcpy_memset_memcmp_memchr)
{
	unsigned char a[40], b[40];

	lib_memset(a, 0xab, sizeof(a));
	for (size_t i = 0; i < sizeof(a); i++)
		CHECK_EQ(a[i], 0xab);
	for (size_t i = 0; i < sizeof(b); i++)
		b[i] = (unsigned char)(i * 7);
	CHECK(lib_memcpy(a, b, sizeof(a)) == a);
	CHECK_EQ(lib_memcmp(a, b, sizeof(a)), 0);
	a[17] = 0xff;
	CHECK(lib_memcmp(a, b, sizeof(a)) > 0);	/* compares as unsigned */
	CHECK(lib_memcmp(b, a, sizeof(a)) < 0);
	CHECK_EQ(lib_memcmp(a, b, 17), 0);
	CHECK(lib_memchr(a, 0xff, sizeof(a)) == &a[17]);
	CHECK(lib_memchr(a, 0xff, 17) == NULL);
}

TEST(test_string_functions_match_libc)
{
	static const char *words[] = { "", "a", "ab", "abc", "abd", "b", "\xff", "abcdef" };

	for (size_t i = 0; i < 8; i++) {
		CHECK_EQ(lib_strlen(words[i]), strlen(words[i]));
		CHECK_EQ(lib_strnlen(words[i], 2), strnlen(words[i], 2));
		for (size_t j = 0; j < 8; j++) {
			CHECK_EQ(sign(lib_strcmp(words[i], words[j])),
				 sign(strcmp(words[i], words[j])));
			CHECK_EQ(sign(lib_strncmp(words[i], words[j], 2)),
				 sign(strncmp(words[i], words[j], 2)));
		}
	}
	const char *s = "a/b/c";
	CHECK(lib_strchr(s, '/') == s + 1);
	CHECK(lib_strrchr(s, '/') == s + 3);
	CHECK(lib_strchr(s, '\0') == s + 5);
	CHECK(lib_strchr(s, 'z') == NULL);
	CHECK(lib_strrchr(s, 'z') == NULL);
}

TEST(test_strlcpy_truncates_and_terminates)
{
	char buf[4] = "zzz";

	CHECK_EQ(lib_strlcpy(buf, "hello", sizeof(buf)), 5);
	CHECK_STR(buf, "hel");
	CHECK_EQ(lib_strlcpy(buf, "hi", sizeof(buf)), 2);
	CHECK_STR(buf, "hi");
	CHECK_EQ(lib_strlcpy(buf, "x", 0), 1);
	CHECK_STR(buf, "hi");
}

/* The word-at-a-time paths: every start offset and length around the
 * eight-byte steps, checked byte for byte, including the bytes around. */
TEST(test_memcpy_memset_every_alignment_and_length)
{
	unsigned char ours[96], want[96], src[96];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (unsigned char)(i * 13 + 5);
	for (size_t off = 0; off < 9; off++) {
		for (size_t n = 0; n <= 70; n++) {
			memset(ours, 0x5a, sizeof(ours));
			memset(want, 0x5a, sizeof(want));
			CHECK(lib_memset(ours + off, 0xc3, n) == ours + off);
			memset(want + off, 0xc3, n);
			CHECK(memcmp(ours, want, sizeof(ours)) == 0);
			CHECK(lib_memcpy(ours + off, src + (n % 7), n) == ours + off);
			memcpy(want + off, src + (n % 7), n);
			CHECK(memcmp(ours, want, sizeof(ours)) == 0);
		}
	}
}

TEST(test_parse_u64_reads_digits_and_refuses_overflow)
{
	const char *c = "18446744073709551615x";
	uint64_t v;

	CHECK(parse_u64(&c, &v));
	CHECK_EQ(v, UINT64_MAX);
	CHECK_EQ(*c, 'x');
	c = "18446744073709551616";
	CHECK(!parse_u64(&c, &v));
	c = "abc";
	CHECK(!parse_u64(&c, &v));
	CHECK_EQ(*c, 'a');
	c = "007";
	CHECK(parse_u64(&c, &v));
	CHECK_EQ(v, 7);
	CHECK_EQ(*c, '\0');
}
