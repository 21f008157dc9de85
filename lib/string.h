/* Freestanding string and memory functions shared by the kernel, user space
 * and host tests. The compiler emits calls to memcpy/memset/memmove/memcmp on
 * its own, so these names are required even where nothing calls them. */
#ifndef LIB_STRING_H
#define LIB_STRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *memcpy(void *restrict dst, const void *restrict src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
void *memchr(const void *s, int c, size_t n);

size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);

/* Copies at most size-1 bytes and always terminates (when size > 0).
 * Returns strlen(src), so truncation is `result >= size`. */
size_t strlcpy(char *restrict dst, const char *restrict src, size_t size);

/* Reads the decimal digits at *c into *v and moves *c past them; false
 * when there are none or the number does not fit in 64 bits. */
bool parse_u64(const char **c, uint64_t *v);

#endif
