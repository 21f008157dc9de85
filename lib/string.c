/* Simple implementations. memcpy and memset, which page zeroing and
 * program loading lean on, use the string instructions on x86-64 (eight
 * bytes per step, then the tail); everything else goes a byte at a time.
 * The build passes -fno-tree-loop-distribute-patterns so gcc cannot turn
 * these loops back into calls to themselves. Callers keep the direction
 * flag clear, as the ABI requires (the kernel's entry paths clear it).
 *
 * memcpy and memset are aligned to 64 bytes so they never straddle a page:
 * QEMU's TCG runs a rep-string instruction one step per pass through its
 * translated block and cannot chain a block that crosses a page, so a
 * straddling rep stosq made every page fault three times slower. */
#include "lib/string.h"

#include <stdint.h>

__attribute__((aligned(64)))
void *memcpy(void *restrict dst, const void *restrict src, size_t n)
{
#ifdef __x86_64__
	void *d = dst;
	size_t words = n / 8, bytes = n % 8;

	__asm__ volatile("rep movsq\n\tmovq %3, %%rcx\n\trep movsb"
			 : "+D"(d), "+S"(src), "+c"(words)
			 : "r"(bytes)
			 : "memory");
#else
	unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
#endif
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((uintptr_t)d - (uintptr_t)s >= n)	/* no harmful overlap */
		return memcpy(dst, src, n);
	while (n--)				/* dst overlaps src's tail */
		d[n] = s[n];
	return dst;
}

__attribute__((aligned(64)))
void *memset(void *dst, int c, size_t n)
{
#ifdef __x86_64__
	void *d = dst;
	size_t words = n / 8, bytes = n % 8;

	__asm__ volatile("rep stosq\n\tmovq %3, %%rcx\n\trep stosb"
			 : "+D"(d), "+c"(words)
			 : "a"(0x0101010101010101ull * (unsigned char)c), "r"(bytes)
			 : "memory");
#else
	unsigned char *d = dst;

	while (n--)
		*d++ = (unsigned char)c;
#endif
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x - *y;
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (; n; n--, p++)
		if (*p == (unsigned char)c)
			return (void *)p;
	return NULL;
}

size_t strlen(const char *s)
{
	const char *p = s;

	while (*p)
		p++;
	return (size_t)(p - s);
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (; n; n--, a++, b++) {
		if (*a != *b)
			return (unsigned char)*a - (unsigned char)*b;
		if (!*a)
			break;
	}
	return 0;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

size_t strlcpy(char *restrict dst, const char *restrict src, size_t size)
{
	size_t len = strlen(src);

	if (size) {
		size_t n = len < size - 1 ? len : size - 1;
		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return len;
}

bool parse_u64(const char **c, uint64_t *v)
{
	const char *start = *c;

	*v = 0;
	for (; **c >= '0' && **c <= '9'; (*c)++) {
		if (*v > (UINT64_MAX - (uint64_t)(**c - '0')) / 10)
			return false;
		*v = *v * 10 + (uint64_t)(**c - '0');
	}
	return *c != start;
}
