/* The standard names of the allocator in malloc.c, for user programs. A
 * file of its own because host tests compile malloc.c beside the C
 * library, whose malloc and free these would replace. */
#include "malloc.h"

void *malloc(size_t size) { return panda_malloc(size); }
void free(void *p) { panda_free(p); }
void *realloc(void *p, size_t size) { return panda_realloc(p, size); }
void *calloc(size_t n, size_t size) { return panda_calloc(n, size); }
