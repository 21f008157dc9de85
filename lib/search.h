/* Binary search over anything sorted and indexable, for the kernel and
 * user space alike (tmpfs directories, the shell's variables). Inline, so
 * that a constant comparison is inlined into each caller. */
#ifndef LIB_SEARCH_H
#define LIB_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

/* Of n sorted items, the index of the one that matches (*found), or where
 * one would be inserted to keep the order. cmp(ctx, i) compares item i
 * with what is sought: < 0 when item i comes before it, 0 on a match. */
static inline size_t search_sorted(size_t n, int (*cmp)(const void *ctx, size_t i),
				   const void *ctx, bool *found)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp(ctx, mid);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

#endif
