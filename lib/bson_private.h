/* What the parts of the BSON library (bson.c, bson_build.c, bson_json.c)
 * share and nobody else should use: little-endian field access, and the
 * UTF-8 check the validator and the builder both apply. */
#ifndef LIB_BSON_PRIVATE_H
#define LIB_BSON_PRIVATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A document's int32 length is signed; the largest is INT32_MAX. */
#define MAX_SIZE	0x7fffffffu

static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static inline uint64_t get_le64(const uint8_t *p)
{
	return (uint64_t)get_le32(p) | (uint64_t)get_le32(p + 4) << 32;
}

static inline void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static inline void put_le64(uint8_t *p, uint64_t v)
{
	put_le32(p, (uint32_t)v);
	put_le32(p + 4, (uint32_t)(v >> 32));
}

#endif
