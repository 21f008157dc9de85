/* Rounding to a power-of-two boundary, and the length of an array. */
#ifndef LIB_ALIGN_H
#define LIB_ALIGN_H

#include <stdint.h>

#define ALIGN_UP(x, a)		(((x) + (a) - 1) & ~(uint64_t)((a) - 1))
#define ALIGN_DOWN(x, a)	((x) & ~(uint64_t)((a) - 1))
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

#endif
