/* Rebuilds a document element by element with lib/bson's builder, reading
 * every value through the iterator's typed accessors: when the copy is
 * byte-identical, iterator, accessors and builder agree on every type.
 * Used by the unit tests, the corpus runner and the fuzzer, with a walker
 * over every accessor. */
#ifndef TESTS_UNIT_BSON_REBUILD_H
#define TESTS_UNIT_BSON_REBUILD_H

#include <stdio.h>
#include <string.h>

#include "lib/bson.h"

static bool bson_rebuild_doc(struct bson_builder *b, const uint8_t *doc, bool array);

/* Arrays get NULL keys (the builder numbers them) while their keys are
 * "0", "1", ...; any other key (valid BSON too) is passed as it is. */
static const char *bson_rebuild_key(const struct bson_iter *it, bool array, unsigned index)
{
	char want[16];

	snprintf(want, sizeof(want), "%u", index);
	return array && strcmp(it->key, want) == 0 ? NULL : it->key;
}

static bool bson_rebuild_container(struct bson_builder *b, const struct bson_iter *it,
				   const char *key)
{
	bool array = it->type == BSON_ARRAY;
	uint32_t len;
	const uint8_t *doc = bson_iter_document(it, &len);

	if (!doc)
		return false;
	/* The builder nests BSON_BUILD_DEPTH deep; deeper ones are copied. */
	if (b->depth >= BSON_BUILD_DEPTH)
		return array ? bson_append_array(b, key, doc) : bson_append_document(b, key, doc);
	if (!(array ? bson_begin_array(b, key) : bson_begin_document(b, key)))
		return false;
	if (!bson_rebuild_doc(b, doc, array))
		return false;
	return array ? bson_end_array(b) : bson_end_document(b);
}

static bool bson_rebuild_element(struct bson_builder *b, const struct bson_iter *it,
				 const char *key)
{
	const uint8_t *p;
	const char *s, *opts;
	uint32_t len, t, i;
	uint64_t u, hi;
	int64_t i64;
	int32_t i32;
	uint8_t sub;
	bool flag;

	switch (it->type) {
	case BSON_DOUBLE:
		return bson_iter_double_bits(it, &u) && bson_append_double_bits(b, key, u);
	case BSON_STRING:
		return (s = bson_iter_utf8(it, &len)) && bson_append_utf8(b, key, s, len);
	case BSON_DOCUMENT:
	case BSON_ARRAY:
		return bson_rebuild_container(b, it, key);
	case BSON_BINARY:
		return (p = bson_iter_binary(it, &len, &sub)) &&
		       bson_append_binary(b, key, sub, p, len);
	case BSON_UNDEFINED:
		return bson_append_undefined(b, key);
	case BSON_OBJECTID:
		return (p = bson_iter_objectid(it)) && bson_append_objectid(b, key, p);
	case BSON_BOOL:
		return bson_iter_bool(it, &flag) && bson_append_bool(b, key, flag);
	case BSON_DATETIME:
		return bson_iter_datetime(it, &i64) && bson_append_datetime(b, key, i64);
	case BSON_NULL:
		return bson_append_null(b, key);
	case BSON_REGEX:
		return (s = bson_iter_regex(it, &opts)) && bson_append_regex(b, key, s, opts);
	case BSON_DBPOINTER:
		return (s = bson_iter_dbpointer(it, &len, &p)) &&
		       bson_append_dbpointer(b, key, s, len, p);
	case BSON_CODE:
		return (s = bson_iter_utf8(it, &len)) && bson_append_code(b, key, s, len);
	case BSON_SYMBOL:
		return (s = bson_iter_utf8(it, &len)) && bson_append_symbol(b, key, s, len);
	case BSON_CODE_W_SCOPE:
		return (s = bson_iter_code_w_scope(it, &len, &p)) &&
		       bson_append_code_w_scope(b, key, s, len, p);
	case BSON_INT32:
		return bson_iter_int32(it, &i32) && bson_append_int32(b, key, i32);
	case BSON_TIMESTAMP:
		return bson_iter_timestamp(it, &t, &i) && bson_append_timestamp(b, key, t, i);
	case BSON_INT64:
		return bson_iter_int64(it, &i64) && bson_append_int64(b, key, i64);
	case BSON_DECIMAL128:
		return bson_iter_decimal128(it, &u, &hi) && bson_append_decimal128(b, key, u, hi);
	case BSON_MINKEY:
		return bson_append_minkey(b, key);
	case BSON_MAXKEY:
		return bson_append_maxkey(b, key);
	default:
		return false;
	}
}

static bool bson_rebuild_doc(struct bson_builder *b, const uint8_t *doc, bool array)
{
	struct bson_iter it;
	unsigned index = 0;

	bson_iter_init(&it, doc);
	while (bson_iter_next(&it))
		if (!bson_rebuild_element(b, &it, bson_rebuild_key(&it, array, index++)))
			return false;
	return true;
}

/* Rebuilds doc into out (cap bytes); returns the new length, 0 on failure. */
static size_t bson_rebuild(const uint8_t *doc, uint8_t *out, size_t cap)
{
	struct bson_builder b;

	bson_build_init(&b, out, cap);
	if (!bson_rebuild_doc(&b, doc, false))
		return 0;
	return bson_build_finish(&b);
}

/* Reads every element of a document, depth first, through the typed
 * accessors and a path lookup of its key (for the fuzzer and the unit
 * tests: none of it may read outside a validated document). */
static __attribute__((unused)) void bson_walk(const uint8_t *doc, unsigned depth)
{
	struct bson_iter it, child;
	const uint8_t *p;
	uint32_t len, t, i;
	const char *s;
	uint64_t u, hi;
	int64_t v;
	uint8_t sub;

	bson_iter_init(&it, doc);
	while (bson_iter_next(&it)) {
		if (bson_iter_recurse(&it, &child) && depth < BSON_MAX_DEPTH)
			bson_walk(it.value, depth + 1);
		bson_iter_integer(&it, &v);
		bson_iter_double_bits(&it, &u);
		bson_iter_timestamp(&it, &t, &i);
		bson_iter_decimal128(&it, &u, &hi);
		bson_iter_utf8(&it, &len);
		bson_iter_binary(&it, &len, &sub);
		bson_iter_regex(&it, &s);
		bson_iter_dbpointer(&it, &len, &p);
		if (bson_iter_code_w_scope(&it, &len, &p) && depth < BSON_MAX_DEPTH)
			bson_walk(p, depth + 1);
		bson_find_path(doc, it.key, &child);
	}
}

#endif
