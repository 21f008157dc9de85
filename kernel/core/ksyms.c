#include "core/ksyms.h"

#include <stddef.h>

/* Laid out by tools/gen-ksyms: addresses ascending, each with the offset of
 * its NUL-terminated name in ksyms_names. */
extern const uint64_t ksyms_count;
extern const uint64_t ksyms_addresses[];
extern const uint32_t ksyms_name_offsets[];
extern const char ksyms_names[];
extern const char __text_start[], __text_end[];

const char *ksyms_lookup(uintptr_t addr, uintptr_t *offset)
{
	size_t lo = 0, hi = ksyms_count;

	if (addr < (uintptr_t)__text_start || addr >= (uintptr_t)__text_end)
		return NULL;
	/* The last symbol at or below addr. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ksyms_addresses[mid] <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	*offset = addr - ksyms_addresses[lo - 1];
	return &ksyms_names[ksyms_name_offsets[lo - 1]];
}
