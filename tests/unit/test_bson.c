/* lib/bson: the builder writes the bytes the BSON corpus has for each type,
 * the iterator and accessors read them back, paths find nested elements,
 * the validator refuses each kind of malformed document (and every
 * truncation of a valid one) without reading outside it, relaxed Extended
 * JSON is printed for every type (doubles shortest and exact), and a
 * mutation loop throws damaged documents at all of it. Documents under test
 * sit in heap buffers of their exact size, so ASan sees any overread. */
#include <math.h>
#include <stdint.h>
#include <time.h>

#include "lib/bson.h"
#include "lib/errors.h"
#include "tests/unit/bson_rebuild.h"
#include "unit.h"

static const uint8_t OID[12] = {
	0x56, 0xe1, 0xfc, 0x72, 0xe0, 0xc9, 0x17, 0xe9, 0xc4, 0x71, 0x41, 0x61,
};

static size_t unhex(const char *hex, uint8_t *out)
{
	size_t n = strlen(hex) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned v;

		sscanf(hex + 2 * i, "%2x", &v);
		out[i] = (uint8_t)v;
	}
	return n;
}

static void wr32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint8_t *exact_copy(const void *p, size_t n)
{
	uint8_t *copy = malloc(n ? n : 1);

	memcpy(copy, p, n);
	return copy;
}

/* Validates a copy of exactly n bytes. */
static int validate(const void *doc, size_t n, unsigned max_depth, struct bson_error *err)
{
	uint8_t *copy = exact_copy(doc, n);
	int rc = bson_validate(copy, n, max_depth, err);

	free(copy);
	return rc;
}

static int validate_hex(const char *hex, struct bson_error *err)
{
	uint8_t buf[512];

	return validate(buf, unhex(hex, buf), BSON_MAX_DEPTH, err);
}

static const char *json(const void *doc)
{
	static char out[8192];

	bson_to_json_buf(doc, out, sizeof(out));
	return out;
}

static const char *hex_of(const uint8_t *p, size_t n)
{
	static char out[1024];

	for (size_t i = 0; i < n && 2 * i + 2 < sizeof(out); i++)
		snprintf(out + 2 * i, 3, "%02X", p[i]);
	out[2 * (n < sizeof(out) / 2 ? n : sizeof(out) / 2 - 1)] = '\0';
	return out;
}

/* --- building ---------------------------------------------------------- */

TEST(test_builder_empty_document_is_five_bytes)
{
	uint8_t buf[16];
	struct bson_builder b;

	bson_build_init(&b, buf, sizeof(buf));
	CHECK_EQ(bson_build_finish(&b), 5);
	CHECK_STR(hex_of(buf, 5), "0500000000");
}

/* Appends the one element of a corpus case (hex from the corpus files). */
static bool append_case(struct bson_builder *b, int which)
{
	static const uint8_t ffff[2] = { 0xff, 0xff };
	uint8_t scope[16];
	struct bson_builder s;

	switch (which) {
	case 0: return bson_append_int32(b, "i", 1);
	case 1: return bson_append_int64(b, "a", 1);
	case 2: return bson_append_double_bits(b, "d", 0x3ff0000000000000ull);
	case 3: return bson_append_utf8(b, "a", "b", 1);
	case 4: return bson_append_bool(b, "b", true);
	case 5: return bson_append_null(b, "a");
	case 6: return bson_append_datetime(b, "a", 1356351330501);
	case 7: return bson_append_binary(b, "x", 0x00, ffff, 2);
	case 8: return bson_append_binary(b, "x", 0x02, ffff, 2);
	case 9: return bson_append_regex(b, "a", "abc", "im");
	case 10: return bson_append_objectid(b, "a", OID);
	case 11: return bson_append_timestamp(b, "a", 123456789, 42);
	case 12: return bson_append_minkey(b, "a");
	case 13: return bson_append_maxkey(b, "a");
	case 14: return bson_append_code(b, "a", "b", 1);
	case 15: return bson_append_symbol(b, "a", "b", 1);
	case 16: return bson_append_undefined(b, "a");
	case 17: return bson_append_dbpointer(b, "a", "b", 1, OID);
	case 18:
		bson_build_init(&s, scope, sizeof(scope));
		bson_append_int32(&s, "x", 1);
		bson_build_finish(&s);
		return bson_append_code_w_scope(b, "a", "abcd", 4, scope);
	case 19: return bson_append_decimal128(b, "d", 1, 0x3040000000000000ull);
	case 20: return bson_begin_document(b, "x") && bson_end_document(b);
	case 21: return bson_begin_array(b, "a") && bson_append_int32(b, NULL, 10) &&
			bson_end_array(b);
	case 22: return bson_append_cstr(b, "a", "ab\0c");
	case 23: return bson_append_utf8(b, "a", "ab\0bab\0babab", 12);
	}
	return false;
}

static const char *const corpus_hex[] = {
	"0C0000001069000100000000",
	"10000000126100010000000000000000",
	"10000000016400000000000000F03F00",
	"0E00000002610002000000620000",
	"090000000862000100",
	"080000000A610000",
	"10000000096100C5D8D6CC3B01000000",
	"0F0000000578000200000000FFFF00",
	"13000000057800060000000202000000FFFF00",
	"0F0000000B610061626300696D0000",
	"1400000007610056E1FC72E0C917E9C471416100",
	"100000001161002A00000015CD5B0700",
	"08000000FF610000",
	"080000007F610000",
	"0E0000000D610002000000620000",
	"0E0000000E610002000000620000",
	"0800000006610000",
	"1A0000000C610002000000620056E1FC72E0C917E9C471416100",
	"210000000F6100190000000500000061626364000C000000107800010000000000",
	"180000001364000100000000000000000000000000403000",
	"0D000000037800050000000000",
	"140000000461000C0000001030000A0000000000",
	"0F0000000261000300000061620000",
	"190000000261000D0000006162006261620062616261620000",
};

TEST(test_builder_writes_the_corpus_bytes_of_every_type)
{
	for (int i = 0; i < (int)(sizeof(corpus_hex) / sizeof(corpus_hex[0])); i++) {
		uint8_t buf[128];
		struct bson_builder b;
		size_t n;

		bson_build_init(&b, buf, sizeof(buf));
		if (!append_case(&b, i))
			UNIT_FAIL("case %d: append failed", i);
		n = bson_build_finish(&b);
		if (strcmp(hex_of(buf, n), corpus_hex[i]) != 0)
			UNIT_FAIL("case %d: %s != %s", i, hex_of(buf, n), corpus_hex[i]);
		CHECK_EQ(validate(buf, n, BSON_MAX_DEPTH, NULL), 0);
	}
}

TEST(test_builder_numbers_array_elements)
{
	uint8_t buf[256];
	struct bson_builder b;
	struct bson_iter it, arr;
	char want[8];
	int32_t v;
	int i = 0;

	bson_build_init(&b, buf, sizeof(buf));
	CHECK(bson_begin_array(&b, "a"));
	for (int k = 0; k < 12; k++)
		CHECK(bson_append_int32(&b, NULL, k));
	CHECK(bson_append_int32(&b, "x", 99));	/* explicit keys are kept */
	CHECK(bson_append_int32(&b, NULL, 13));	/* and still count */
	CHECK(bson_end_array(&b));
	CHECK(bson_build_finish(&b) > 0);
	CHECK(bson_find(buf, "a", &it));
	CHECK(bson_iter_recurse(&it, &arr));
	while (bson_iter_next(&arr)) {
		snprintf(want, sizeof(want), "%d", i);
		CHECK_STR(arr.key, i == 12 ? "x" : want);
		CHECK(bson_iter_int32(&arr, &v));
		CHECK_EQ(v, i == 12 ? 99 : i);
		i++;
	}
	CHECK_EQ(i, 14);
}

TEST(test_builder_refuses_bad_keys_and_strings)
{
	uint8_t buf[64];
	struct bson_builder b;

	bson_build_init(&b, buf, sizeof(buf));
	CHECK(!bson_append_int32(&b, NULL, 1));		/* no index outside arrays */
	CHECK(b.failed);
	CHECK_EQ(bson_build_finish(&b), 0);

	bson_build_init(&b, buf, sizeof(buf));
	CHECK(!bson_append_null(&b, "\xc0\x80"));	/* overlong NUL */
	CHECK_EQ(bson_build_finish(&b), 0);

	bson_build_init(&b, buf, sizeof(buf));
	CHECK(!bson_append_utf8(&b, "s", "\xed\xa0\x80", 3));	/* surrogate */
	CHECK_EQ(bson_build_finish(&b), 0);

	bson_build_init(&b, buf, sizeof(buf));
	CHECK(!bson_append_regex(&b, "r", "ok", "\xff"));
	CHECK_EQ(bson_build_finish(&b), 0);
}

TEST(test_builder_failure_is_sticky)
{
	uint8_t buf[64];
	struct bson_builder b;

	bson_build_init(&b, buf, sizeof(buf));
	CHECK(!bson_append_int32(&b, NULL, 1));
	CHECK(!bson_append_int32(&b, "fine", 1));
	CHECK(!bson_begin_document(&b, "d"));
	CHECK(!bson_end_document(&b));
	CHECK_EQ(bson_build_finish(&b), 0);
}

TEST(test_binary_filled_in_place_equals_a_plain_append)
{
	uint8_t want[128], got[128];
	struct bson_builder b;

	bson_build_init(&b, want, sizeof(want));
	bson_append_int32(&b, "n", 7);
	bson_append_binary(&b, "data", 0, "abc", 3);
	size_t want_len = bson_build_finish(&b);

	bson_build_init(&b, got, sizeof(got));
	bson_append_int32(&b, "n", 7);
	uint8_t *space = bson_append_binary_space(&b, "data", 40);
	CHECK(space != NULL);
	memcpy(space, "abcdef", 6);
	CHECK(bson_binary_shrink(&b, space, 3));
	CHECK_EQ(bson_build_finish(&b), want_len);
	CHECK(memcmp(got, want, want_len) == 0);
	CHECK_EQ(bson_validate(got, want_len, 100, NULL), 0);
}

TEST(test_binary_space_refuses_what_does_not_fit_or_is_not_last)
{
	uint8_t buf[64];
	struct bson_builder b;

	bson_build_init(&b, buf, sizeof(buf));
	CHECK(bson_append_binary_space(&b, "d", 64) == NULL);
	CHECK_EQ(bson_build_finish(&b), 0);

	bson_build_init(&b, buf, sizeof(buf));
	uint8_t *space = bson_append_binary_space(&b, "d", 8);
	CHECK(space != NULL);
	bson_append_int32(&b, "after", 1);
	CHECK(!bson_binary_shrink(&b, space, 4));	/* no longer the last element */
	CHECK_EQ(bson_build_finish(&b), 0);

	bson_build_init(&b, buf, sizeof(buf));
	space = bson_append_binary_space(&b, "d", 8);
	CHECK(!bson_binary_shrink(&b, space, 9));	/* more than was reserved */
	CHECK_EQ(bson_build_finish(&b), 0);
}

TEST(test_builder_fails_at_every_capacity_too_small)
{
	uint8_t ref[512], buf[512];
	struct bson_builder b;
	size_t need;

	bson_build_init(&b, ref, sizeof(ref));
	for (int i = 0; i < 24; i++)
		CHECK(append_case(&b, i));
	need = bson_build_finish(&b);
	CHECK(need > 100);
	for (size_t cap = 0; cap <= need; cap++) {
		memset(buf, 0xa5, sizeof(buf));
		bson_build_init(&b, buf, cap);
		for (int i = 0; i < 24; i++)
			append_case(&b, i);
		size_t n = bson_build_finish(&b);

		if (cap < need && n != 0)
			UNIT_FAIL("cap %zu: finished with %zu bytes", cap, n);
		if (cap == need && (n != need || memcmp(buf, ref, need) != 0))
			UNIT_FAIL("cap %zu: %zu bytes", cap, n);
		for (size_t i = cap; i < sizeof(buf); i++)
			if (buf[i] != 0xa5)
				UNIT_FAIL("cap %zu: wrote byte %zu", cap, i);
	}
}

TEST(test_builder_refuses_unbalanced_documents)
{
	uint8_t buf[64];
	struct bson_builder b;

	bson_build_init(&b, buf, sizeof(buf));
	CHECK(bson_begin_document(&b, "d"));
	CHECK_EQ(bson_build_finish(&b), 0);		/* still open */

	bson_build_init(&b, buf, sizeof(buf));
	CHECK(!bson_end_document(&b));			/* the top is closed by finish */
	CHECK_EQ(bson_build_finish(&b), 0);

	bson_build_init(&b, buf, sizeof(buf));
	CHECK(bson_begin_document(&b, "d"));
	CHECK(!bson_end_array(&b));			/* wrong kind */
	CHECK_EQ(bson_build_finish(&b), 0);

	bson_build_init(&b, buf, sizeof(buf));
	CHECK(bson_build_finish(&b) == 5);
	CHECK(!bson_append_null(&b, "late"));		/* after finish */
	CHECK_EQ(bson_build_finish(&b), 0);
}

TEST(test_builder_nests_up_to_its_depth)
{
	uint8_t buf[512];
	struct bson_builder b;

	bson_build_init(&b, buf, sizeof(buf));
	for (int i = 1; i < BSON_BUILD_DEPTH; i++)	/* the top is level 1 */
		CHECK(i % 2 ? bson_begin_array(&b, "a") : bson_begin_document(&b, NULL));
	CHECK(!b.failed);
	CHECK(!bson_begin_document(&b, "x"));
	CHECK(b.failed);

	bson_build_init(&b, buf, sizeof(buf));
	for (int i = 1; i < BSON_BUILD_DEPTH; i++)
		CHECK(bson_begin_document(&b, "d"));
	for (int i = 1; i < BSON_BUILD_DEPTH; i++)
		CHECK(bson_end_document(&b));
	size_t n = bson_build_finish(&b);
	CHECK(n > 0);
	CHECK_EQ(validate(buf, n, BSON_BUILD_DEPTH, NULL), 0);
	CHECK_EQ(validate(buf, n, BSON_BUILD_DEPTH - 1, NULL), -EBADMSG);
}

TEST(test_builder_copies_only_valid_documents)
{
	uint8_t inner[32], buf[128];
	struct bson_builder b;
	struct bson_iter it;

	bson_build_init(&b, inner, sizeof(inner));
	bson_append_int32(&b, "0", 7);
	CHECK(bson_build_finish(&b) > 0);
	bson_build_init(&b, buf, sizeof(buf));
	CHECK(bson_append_document(&b, "d", inner));
	CHECK(bson_append_array(&b, "a", inner));
	CHECK(bson_build_finish(&b) > 0);
	CHECK(bson_find_path(buf, "a.0", &it));
	CHECK_EQ(it.type, BSON_INT32);

	inner[4] = 0x42;				/* unknown type */
	bson_build_init(&b, buf, sizeof(buf));
	CHECK(!bson_append_document(&b, "d", inner));
	CHECK_EQ(bson_build_finish(&b), 0);
}

TEST(test_builder_old_binary_round_trips_without_inner_length)
{
	uint8_t buf[64];
	struct bson_builder b;
	struct bson_iter it;
	uint32_t len;
	uint8_t sub;
	const uint8_t *p;

	bson_build_init(&b, buf, sizeof(buf));
	CHECK(bson_append_binary(&b, "x", 0x02, "abc", 3));
	CHECK(bson_append_binary(&b, "e", 0x80, NULL, 0));
	CHECK(bson_build_finish(&b) > 0);
	CHECK(bson_find(buf, "x", &it));
	p = bson_iter_binary(&it, &len, &sub);
	CHECK(p && len == 3 && sub == 0x02 && memcmp(p, "abc", 3) == 0);
	CHECK_EQ(it.value_len, 4 + 1 + 4 + 3);
	CHECK(bson_find(buf, "e", &it));
	p = bson_iter_binary(&it, &len, &sub);
	CHECK(p && len == 0 && sub == 0x80);
}

/* --- iterating ---------------------------------------------------------- */

static size_t build_all_types(uint8_t *buf, size_t cap)
{
	struct bson_builder b;

	bson_build_init(&b, buf, cap);
	for (int i = 0; i < 24; i++)
		append_case(&b, i);
	bson_begin_document(&b, "nest");
	bson_begin_array(&b, "list");
	bson_append_cstr(&b, NULL, "zero");
	bson_begin_document(&b, NULL);
	bson_append_int64(&b, "deep", -5);
	bson_end_document(&b);
	bson_end_array(&b);
	bson_end_document(&b);
	return bson_build_finish(&b);
}

TEST(test_iter_reads_back_every_type)
{
	uint8_t buf[1024];
	size_t n = build_all_types(buf, sizeof(buf));
	struct bson_iter it;
	const uint8_t *p;
	const char *s, *opts;
	uint32_t len, t, i;
	uint64_t lo, hi;
	int64_t v64;
	int32_t v32;
	uint8_t sub;
	bool flag;

	CHECK(n > 0);
	CHECK_EQ(validate(buf, n, BSON_MAX_DEPTH, NULL), 0);
	bson_iter_init(&it, buf);
	CHECK(bson_iter_next(&it) && bson_iter_int32(&it, &v32) && v32 == 1);
	CHECK(bson_iter_integer(&it, &v64) && v64 == 1);
	CHECK(!bson_iter_int64(&it, &v64) && !bson_iter_bool(&it, &flag));
	CHECK(!bson_iter_utf8(&it, &len) && !bson_iter_document(&it, &len));
	CHECK(bson_iter_next(&it) && bson_iter_int64(&it, &v64) && v64 == 1);
	CHECK(bson_iter_integer(&it, &v64) && v64 == 1 && !bson_iter_int32(&it, &v32));
	CHECK(bson_iter_next(&it) && bson_iter_double_bits(&it, &lo) && lo == 0x3ff0000000000000ull);
	{
		double d;

		CHECK(bson_iter_double(&it, &d) && d == 1.0);
	}
	CHECK(bson_iter_next(&it) && (s = bson_iter_utf8(&it, &len)) && len == 1 && s[0] == 'b');
	CHECK(bson_iter_next(&it) && bson_iter_bool(&it, &flag) && flag);
	CHECK(bson_iter_next(&it) && it.type == BSON_NULL && it.value_len == 0);
	CHECK(bson_iter_next(&it) && bson_iter_datetime(&it, &v64) && v64 == 1356351330501);
	CHECK(bson_iter_next(&it) && (p = bson_iter_binary(&it, &len, &sub)) && len == 2 && !sub);
	CHECK(bson_iter_next(&it) && (p = bson_iter_binary(&it, &len, &sub)) && len == 2 &&
	      sub == 2 && p[0] == 0xff);
	CHECK(bson_iter_next(&it) && (s = bson_iter_regex(&it, &opts)));
	CHECK_STR(s, "abc");
	CHECK_STR(opts, "im");
	CHECK(bson_iter_next(&it) && (p = bson_iter_objectid(&it)) && memcmp(p, OID, 12) == 0);
	CHECK(bson_iter_next(&it) && bson_iter_timestamp(&it, &t, &i) && t == 123456789 && i == 42);
	CHECK(bson_iter_next(&it) && it.type == BSON_MINKEY);
	CHECK(bson_iter_next(&it) && it.type == BSON_MAXKEY);
	CHECK(bson_iter_next(&it) && it.type == BSON_CODE && (s = bson_iter_utf8(&it, &len)) &&
	      len == 1 && *s == 'b');
	CHECK(bson_iter_next(&it) && it.type == BSON_SYMBOL && (s = bson_iter_utf8(&it, &len)));
	CHECK(bson_iter_next(&it) && it.type == BSON_UNDEFINED);
	CHECK(bson_iter_next(&it) && (s = bson_iter_dbpointer(&it, &len, &p)) && len == 1 &&
	      *s == 'b' && memcmp(p, OID, 12) == 0);
	CHECK(bson_iter_next(&it) && (s = bson_iter_code_w_scope(&it, &len, &p)) && len == 4 &&
	      memcmp(s, "abcd", 4) == 0 && bson_doc_length(p) == 12);
	CHECK(!bson_iter_utf8(&it, &len));
	CHECK(bson_iter_next(&it) && bson_iter_decimal128(&it, &lo, &hi) && lo == 1 &&
	      hi == 0x3040000000000000ull);
	CHECK(bson_iter_next(&it) && (p = bson_iter_document(&it, &len)) && len == 5);
	CHECK(bson_iter_next(&it) && it.type == BSON_ARRAY && (p = bson_iter_document(&it, &len)));
	CHECK(bson_iter_next(&it) && (s = bson_iter_utf8(&it, &len)) && len == 2);
	CHECK(bson_iter_next(&it) && (s = bson_iter_utf8(&it, &len)) && len == 12 && s[2] == 0);
	CHECK(bson_iter_next(&it) && it.type == BSON_DOCUMENT);
	CHECK_STR(it.key, "nest");
	CHECK(!bson_iter_next(&it));
	CHECK(!bson_iter_next(&it));			/* stays at the end */
	CHECK(!bson_iter_objectid(&it) && !bson_iter_regex(&it, &opts));
	CHECK(!bson_iter_timestamp(&it, &t, &i) && !bson_iter_decimal128(&it, &lo, &hi));
	CHECK(!bson_iter_code_w_scope(&it, &len, &p) && !bson_iter_dbpointer(&it, &len, &p));
	CHECK(!bson_iter_datetime(&it, &v64) && !bson_iter_double_bits(&it, &lo));
	CHECK(!bson_iter_binary(&it, &len, &sub));
}

TEST(test_iter_find_and_recurse)
{
	uint8_t buf[1024];
	struct bson_iter it, child;
	int64_t v;

	CHECK(build_all_types(buf, sizeof(buf)) > 0);
	bson_iter_init(&it, buf);
	CHECK(bson_iter_find(&it, "d"));
	CHECK_EQ(it.type, BSON_DOUBLE);
	CHECK(bson_iter_find(&it, "d"));		/* the decimal128, further on */
	CHECK_EQ(it.type, BSON_DECIMAL128);
	CHECK(!bson_iter_find(&it, "i"));		/* only from here on */
	CHECK(!bson_iter_recurse(&it, &child));
	CHECK(bson_find(buf, "nest", &it));
	CHECK(bson_iter_recurse(&it, &child));
	CHECK(bson_iter_find(&child, "list"));
	CHECK(bson_iter_recurse(&child, &it));
	CHECK(bson_iter_next(&it) && bson_iter_next(&it) && bson_iter_recurse(&it, &child));
	CHECK(bson_iter_next(&child) && bson_iter_integer(&child, &v) && v == -5);
	CHECK(!bson_find(buf, "missing", &it));
}

TEST(test_find_path_walks_documents_and_arrays)
{
	uint8_t buf[256];
	struct bson_builder b;
	struct bson_iter it;
	const char *s;
	uint32_t len;
	int32_t v;

	bson_build_init(&b, buf, sizeof(buf));
	bson_begin_document(&b, "a");
	bson_begin_array(&b, "b");
	bson_append_int32(&b, NULL, 0);
	bson_append_int32(&b, NULL, 1);
	bson_begin_document(&b, NULL);
	bson_append_cstr(&b, "c", "found");
	bson_end_document(&b);
	bson_end_array(&b);
	bson_append_int32(&b, "", 5);
	bson_end_document(&b);
	bson_append_int32(&b, "a.b", 9);
	bson_append_int32(&b, "ab", 8);
	CHECK(bson_build_finish(&b) > 0);

	CHECK(bson_find_path(buf, "a.b.2.c", &it));
	CHECK((s = bson_iter_utf8(&it, &len)) && len == 5 && memcmp(s, "found", 5) == 0);
	CHECK(bson_find_path(buf, "a.b.1", &it) && bson_iter_int32(&it, &v) && v == 1);
	CHECK(bson_find_path(buf, "a.", &it) && bson_iter_int32(&it, &v) && v == 5);
	CHECK(bson_find_path(buf, "ab", &it) && bson_iter_int32(&it, &v) && v == 8);
	CHECK(bson_find_path(buf, "a", &it) && it.type == BSON_DOCUMENT);
	CHECK(!bson_find_path(buf, "a.b.3", &it));
	CHECK(!bson_find_path(buf, "a.b.01", &it));
	CHECK(!bson_find_path(buf, "a.b.2.c.d", &it));	/* through a string */
	CHECK(!bson_find_path(buf, "a.x", &it));
	CHECK(!bson_find_path(buf, "", &it));
	CHECK(!bson_find_path(buf, "a.b.2.c.", &it));
	/* a dotted key is found whole by bson_find, never by a path */
	CHECK(bson_find(buf, "a.b", &it) && bson_iter_int32(&it, &v) && v == 9);
}

/* The iterator trusts a document's declared length only as far as it is
 * told: inside it, lengths that overrun stop the walk. */
TEST(test_iter_stops_at_malformed_elements)
{
	static const char *const docs[] = {
		"0C000000026100FFFFFF7F00",	/* string longer than the doc */
		"0C0000000261000000000000",	/* string length 0 */
		"0D000000036100FFFFFFFF0000",	/* embedded length -1 */
		"0D000000036100060000000000",	/* embedded eats the terminator */
		"0B0000000B610061626300",	/* regex without options */
		"0A000000426100000000",		/* unknown type */
		"0A00000010616263640000",	/* key without room for a value */
		"0A0000001061626364650000",	/* key runs to the end */
		"0C0000000F61000E00000000",	/* code_w_scope too long */
		"0600000000000000",		/* early terminator */
		"0400000000",			/* length below the minimum */
		"FFFFFFFF00",			/* length above INT32_MAX */
	};

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		uint8_t buf[64], *doc;
		size_t n = unhex(docs[i], buf);
		struct bson_iter it;

		if (bson_doc_length(buf) > n)
			wr32(buf, (uint32_t)n);		/* keep the walk inside */
		if (i == 11)
			wr32(buf, 0xffffffffu);
		doc = exact_copy(buf, n);
		bson_iter_init(&it, doc);
		if (bson_iter_next(&it))
			UNIT_FAIL("doc %zu: read an element (type %u)", i, it.type);
		CHECK(!bson_iter_next(&it));
		if (i != 11)
			json(doc);
		CHECK_EQ(bson_validate(doc, n, BSON_MAX_DEPTH, NULL), -EBADMSG);
		free(doc);
	}
}

/* --- validating --------------------------------------------------------- */

struct rejection {
	const char *hex;
	const char *why;
	size_t offset;
};

/* One case for every reason bson_validate() gives. */
static const struct rejection rejections[] = {
	{ "05000000", "shorter than the smallest document", 0 },
	{ "0600000000", "declared length differs from the size", 0 },
	{ "050000000000", "declared length differs from the size", 0 },
	{ "FFFFFFFF00", "declared length differs from the size", 0 },
	{ "0500000001", "document not NUL-terminated", 4 },
	{ "0D000000037800050000000100", "document not NUL-terminated", 11 },
	{ "0A000000000000000000", "terminator before the declared end", 4 },
	{ "0D0000000378000600000000000000", "declared length differs from the size", 0 },
	{ "0E00000003780006000000000000", "terminator before the declared end", 11 },
	{ "0800000010616200", "key runs past its document", 4 },
	{ "0C00000010FF000100000000", "key is not valid UTF-8", 4 },
	{ "0A000000146100000000", "unknown element type", 4 },
	{ "0800000080610000", "unknown element type", 4 },
	{ "0A000000106100010000", "value runs past its document", 4 },
	{ "0B00000001610000000000", "value runs past its document", 4 },
	{ "0A000000026100010000", "value runs past its document", 4 },
	{ "0C0000000261000000000000", "bad string length", 4 },
	{ "0C000000026100FFFFFFFF00", "bad string length", 4 },
	{ "0D00000002610002000000620000", "declared length differs from the size", 0 },
	{ "0D000000026100020000006200", "string runs past its document", 4 },
	{ "0E00000002610002000000626200", "string not NUL-terminated", 7 },
	{ "0E00000002610002000000FF0000", "string is not valid UTF-8", 7 },
	{ "0B0000000B6100616263", "declared length differs from the size", 0 },
	{ "0B0000000B610061626300", "cstring runs past its document", 4 },
	{ "0C0000000B61006162630000", "cstring runs past its document", 4 },
	{ "0D0000000B610061FF00000000", "regex is not valid UTF-8", 7 },
	{ "0D0000000B6100610069FE0000", "regex is not valid UTF-8", 7 },
	{ "0C0000000361000400000000", "bad embedded document length", 4 },
	{ "0C000000046100FFFFFFFF00", "bad embedded document length", 4 },
	{ "0D000000036100070000000000", "value runs past its document", 4 },
	{ "16000000086100020000", "declared length differs from the size", 0 },
	{ "0900000008610002" "00", "bool is neither 0 nor 1", 7 },
	{ "0D000000056100FFFFFFFF0000", "bad binary length", 4 },
	{ "0D000000056100010000000000", "value runs past its document", 4 },
	{ "11000000056100040000000201000000" "00", "old binary (0x02) inner length mismatch", 7 },
	{ "0E0000000561000100000002AA" "00", "old binary (0x02) inner length mismatch", 7 },
	{ "160000000F61000D0000000100000000050000000000", "bad code_w_scope length", 4 },
	{ "170000000F61000F000000010000000005000000000000",
	  "code_w_scope scope length mismatch", 7 },
	{ "170000000F61000F0000000200000061620500000000" "00",
	  "string not NUL-terminated", 7 },
	{ "170000000F61000F0000000200000061000400000000" "00",
	  "code_w_scope scope length mismatch", 7 },
	{ "190000000C610002000000620056E1FC72E0C917E9C4714100",
	  "value runs past its document", 4 },
	{ "1A0000000C610002000000E90056E1FC72E0C917E9C471416100",
	  "string is not valid UTF-8", 7 },
};

TEST(test_validate_gives_each_reason)
{
	for (size_t i = 0; i < sizeof(rejections) / sizeof(rejections[0]); i++) {
		const struct rejection *r = &rejections[i];
		struct bson_error err = { NULL, 999 };

		if (validate_hex(r->hex, &err) != -EBADMSG)
			UNIT_FAIL("%s: accepted", r->hex);
		if (!err.message || strcmp(err.message, r->why) != 0 || err.offset != r->offset)
			UNIT_FAIL("%s: \"%s\" at %zu, want \"%s\" at %zu", r->hex,
				  err.message ? err.message : "(null)", err.offset, r->why,
				  r->offset);
	}
	CHECK_EQ(validate_hex("0500000001", NULL), -EBADMSG);	/* err may be NULL */
}

TEST(test_validate_accepts_every_type_and_odd_array_keys)
{
	uint8_t buf[1024];
	size_t n = build_all_types(buf, sizeof(buf));

	CHECK_EQ(validate(buf, n, BSON_MAX_DEPTH, NULL), 0);
	CHECK_EQ(validate_hex("0500000000", NULL), 0);
	/* array keys are not checked (corpus: array.json, degenerate cases) */
	CHECK_EQ(validate_hex("130000000461000B00000010000A0000000000", NULL), 0);
	CHECK_EQ(validate_hex("150000000461000D000000106162000A0000000000", NULL), 0);
	/* empty key, embedded NULs in strings */
	CHECK_EQ(validate_hex("0B000000100000000000" "00", NULL), 0);
}

TEST(test_validate_refuses_every_truncation)
{
	uint8_t buf[1024];
	size_t n = build_all_types(buf, sizeof(buf));
	unsigned cut_ok = 0;

	for (size_t len = 0; len < n; len++) {
		uint8_t *copy = exact_copy(buf, len);
		struct bson_iter it;

		if (bson_validate(copy, len, BSON_MAX_DEPTH, NULL) != -EBADMSG)
			UNIT_FAIL("accepted %zu of %zu bytes", len, n);
		/* With the length patched to fit and a terminator at the end,
		 * refused unless the cut fell between top-level elements; either
		 * way iterating and printing stay inside. */
		if (len >= 5) {
			uint8_t again[1024];

			wr32(copy, (uint32_t)len);
			copy[len - 1] = 0;
			if (bson_validate(copy, len, BSON_MAX_DEPTH, NULL) == 0) {
				cut_ok++;
				if (bson_rebuild(copy, again, sizeof(again)) != len ||
				    memcmp(again, copy, len) != 0)
					UNIT_FAIL("prefix of %zu bytes rebuilt differently", len);
			}
			bson_iter_init(&it, copy);
			while (bson_iter_next(&it))
				;
			json(copy);
		}
		free(copy);
	}
	CHECK(cut_ok > 10 && cut_ok < 40);	/* one per element boundary */
	CHECK_EQ(validate(buf, n + 1, BSON_MAX_DEPTH, NULL), -EBADMSG);
}

/* {"a": {"a": ... {}}} with `depth` documents in all, the top one included;
 * `type` is the nested ones' (document or array). Returns its size. */
static size_t nested(uint8_t *p, unsigned depth, uint8_t type)
{
	size_t inner;

	if (depth == 1) {
		wr32(p, 5);
		p[4] = 0;
		return 5;
	}
	p[4] = type;
	p[5] = type == BSON_ARRAY ? '0' : 'a';
	p[6] = 0;
	inner = nested(p + 7, depth - 1, type);
	p[7 + inner] = 0;
	wr32(p, (uint32_t)(inner + 8));
	return inner + 8;
}

TEST(test_validate_counts_depth_from_the_top_document)
{
	static uint8_t buf[2048];
	struct bson_error err;
	size_t n;

	n = nested(buf, 100, BSON_DOCUMENT);
	CHECK_EQ(validate(buf, n, BSON_MAX_DEPTH, NULL), 0);
	CHECK_EQ(validate(buf, n, 1000, NULL), 0);		/* clamped */
	CHECK_EQ(validate(buf, n, 99, &err), -EBADMSG);
	CHECK_STR(err.message, "nested deeper than allowed");
	n = nested(buf, 101, BSON_DOCUMENT);
	CHECK_EQ(validate(buf, n, BSON_MAX_DEPTH, &err), -EBADMSG);
	CHECK_STR(err.message, "nested deeper than allowed");
	CHECK_EQ(validate(buf, n, 1000, NULL), -EBADMSG);	/* clamped */
	n = nested(buf, 101, BSON_ARRAY);
	CHECK_EQ(validate(buf, n, BSON_MAX_DEPTH, NULL), -EBADMSG);
	n = nested(buf, 100, BSON_ARRAY);
	CHECK_EQ(validate(buf, n, BSON_MAX_DEPTH, NULL), 0);
	n = nested(buf, 5, BSON_DOCUMENT);
	CHECK_EQ(validate(buf, n, 5, NULL), 0);
	CHECK_EQ(validate(buf, n, 4, NULL), -EBADMSG);
	n = nested(buf, 1, BSON_DOCUMENT);
	CHECK_EQ(validate(buf, n, 1, NULL), 0);
	CHECK_EQ(validate(buf, n, 0, NULL), -EBADMSG);
}

TEST(test_validate_counts_code_w_scope_as_a_level)
{
	uint8_t buf[64];
	size_t n = unhex("1D0000000F61001500000001000000000C000000107800010000000000", buf);

	CHECK_EQ(validate(buf, n, 2, NULL), 0);
	CHECK_EQ(validate(buf, n, 1, NULL), -EBADMSG);
}

struct utf8_case {
	const char *bytes;
	bool valid;
};

static const struct utf8_case utf8_cases[] = {
	{ "", true },
	{ "plain ascii \x7f", true },
	{ "\xc2\x80", true },			/* U+0080 */
	{ "\xdf\xbf", true },			/* U+07FF */
	{ "\xe0\xa0\x80", true },		/* U+0800 */
	{ "\xed\x9f\xbf", true },		/* U+D7FF */
	{ "\xee\x80\x80", true },		/* U+E000 */
	{ "\xef\xbf\xbf", true },		/* U+FFFF */
	{ "\xf0\x90\x80\x80", true },		/* U+10000 */
	{ "\xf0\x9f\x90\xbc", true },		/* U+1F43C, a panda face */
	{ "\xf4\x8f\xbf\xbf", true },		/* U+10FFFF */
	{ "\x80", false },			/* lone continuation */
	{ "\xbf", false },
	{ "\xc0\x80", false },			/* overlong NUL */
	{ "\xc1\xbf", false },			/* overlong */
	{ "\xe0\x80\x80", false },		/* overlong */
	{ "\xe0\x9f\xbf", false },		/* overlong U+07FF */
	{ "\xf0\x80\x80\x80", false },		/* overlong */
	{ "\xf0\x8f\xbf\xbf", false },		/* overlong U+FFFF */
	{ "\xed\xa0\x80", false },		/* U+D800, a surrogate */
	{ "\xed\xbf\xbf", false },		/* U+DFFF */
	{ "\xf4\x90\x80\x80", false },		/* U+110000 */
	{ "\xf5\x80\x80\x80", false },
	{ "\xf8\x88\x80\x80\x80", false },	/* 5-byte form */
	{ "\xfe", false },
	{ "\xff", false },
	{ "\xc2", false },			/* truncated */
	{ "\xe2\x98", false },
	{ "\xf0\x9f\x90", false },
	{ "\xc2\x41", false },			/* bad continuation */
	{ "\xe2\x28\xa1", false },
	{ "\xe2\x98\x28", false },
	{ "\xf0\x9f\x28\xbc", false },
	{ "a\xc3\xa9" "b\xe2\x98\x86", true },
};

/* A document holding s as a string value and, when it has no NUL, a key. */
static size_t utf8_doc(uint8_t *buf, const char *s, size_t len, bool as_key)
{
	size_t n = 4;

	buf[n++] = BSON_STRING;
	if (as_key) {
		memcpy(buf + n, s, len);
		n += len;
		buf[n++] = 0;
		s = "";
		len = 0;
	} else {
		buf[n++] = 'k';
		buf[n++] = 0;
	}
	wr32(buf + n, (uint32_t)len + 1);
	memcpy(buf + n + 4, s, len);
	n += 4 + len;
	buf[n++] = 0;
	buf[n++] = 0;
	wr32(buf, (uint32_t)n);
	return n;
}

TEST(test_validate_checks_utf8_of_strings_and_keys)
{
	for (size_t i = 0; i < sizeof(utf8_cases) / sizeof(utf8_cases[0]); i++) {
		const struct utf8_case *c = &utf8_cases[i];
		int want = c->valid ? 0 : -EBADMSG;
		uint8_t buf[64];
		size_t n, len = strlen(c->bytes);
		struct bson_builder b;

		n = utf8_doc(buf, c->bytes, len, false);
		if (validate(buf, n, BSON_MAX_DEPTH, NULL) != want)
			UNIT_FAIL("string case %zu", i);
		n = utf8_doc(buf, c->bytes, len, true);
		if (validate(buf, n, BSON_MAX_DEPTH, NULL) != want)
			UNIT_FAIL("key case %zu", i);
		/* the builder takes exactly what the validator accepts */
		bson_build_init(&b, buf, sizeof(buf));
		if (bson_append_utf8(&b, "k", c->bytes, len) != c->valid ||
		    bson_append_null(&b, c->bytes) != c->valid)
			UNIT_FAIL("builder case %zu", i);
	}
	/* NUL: allowed inside a string's declared length, not in a key */
	uint8_t buf[64];
	size_t n = utf8_doc(buf, "a\0b", 3, false);

	CHECK_EQ(validate(buf, n, BSON_MAX_DEPTH, NULL), 0);
	n = utf8_doc(buf, "a\0b", 3, true);
	CHECK_EQ(validate(buf, n, BSON_MAX_DEPTH, NULL), -EBADMSG);
}

/* --- printing ------------------------------------------------------------ */

static const char *const corpus_json[] = {
	"{\"i\":1}",
	"{\"a\":1}",
	"{\"d\":1.0}",
	"{\"a\":\"b\"}",
	"{\"b\":true}",
	"{\"a\":null}",
	"{\"a\":{\"$date\":\"2012-12-24T12:15:30.501Z\"}}",
	"{\"x\":{\"$binary\":{\"base64\":\"//8=\",\"subType\":\"00\"}}}",
	"{\"x\":{\"$binary\":{\"base64\":\"//8=\",\"subType\":\"02\"}}}",
	"{\"a\":{\"$regularExpression\":{\"pattern\":\"abc\",\"options\":\"im\"}}}",
	"{\"a\":{\"$oid\":\"56e1fc72e0c917e9c4714161\"}}",
	"{\"a\":{\"$timestamp\":{\"t\":123456789,\"i\":42}}}",
	"{\"a\":{\"$minKey\":1}}",
	"{\"a\":{\"$maxKey\":1}}",
	"{\"a\":{\"$code\":\"b\"}}",
	"{\"a\":{\"$symbol\":\"b\"}}",
	"{\"a\":{\"$undefined\":true}}",
	"{\"a\":{\"$dbPointer\":{\"$ref\":\"b\",\"$id\":{\"$oid\":\"56e1fc72e0c917e9c4714161\"}}}}",
	"{\"a\":{\"$code\":\"abcd\",\"$scope\":{\"x\":1}}}",
	"{\"d\":{\"$numberDecimal\":\"1\"}}",
	"{\"x\":{}}",
	"{\"a\":[10]}",
	"{\"a\":\"ab\"}",
	"{\"a\":\"ab\\u0000bab\\u0000babab\"}",
};

TEST(test_json_prints_every_type)
{
	for (int i = 0; i < (int)(sizeof(corpus_json) / sizeof(corpus_json[0])); i++) {
		uint8_t buf[128];
		struct bson_builder b;

		bson_build_init(&b, buf, sizeof(buf));
		append_case(&b, i);
		CHECK(bson_build_finish(&b) > 0);
		if (strcmp(json(buf), corpus_json[i]) != 0)
			UNIT_FAIL("case %d: %s != %s", i, json(buf), corpus_json[i]);
	}
	CHECK_STR(json("\x05\0\0\0"), "{}");
}

TEST(test_json_escapes_strings_and_keys)
{
	uint8_t buf[256];
	struct bson_builder b;

	bson_build_init(&b, buf, sizeof(buf));
	bson_append_utf8(&b, "q\"k\\", "\"\\/\b\f\n\r\t\x01\x1f\x7f \xc3\xa9\xe2\x98\x86", 17);
	bson_begin_array(&b, "e");
	bson_begin_array(&b, NULL);
	bson_end_array(&b);
	bson_begin_document(&b, NULL);
	bson_end_document(&b);
	bson_end_array(&b);
	CHECK(bson_build_finish(&b) > 0);
	CHECK_STR(json(buf), "{\"q\\\"k\\\\\":\"\\\"\\\\/\\u0008\\u000c\\u000a\\u000d\\u0009"
		  "\\u0001\\u001f\x7f \xc3\xa9\xe2\x98\x86\",\"e\":[[],{}]}");
}

TEST(test_json_buf_truncates_like_snprintf)
{
	uint8_t buf[1024];
	char full[4096], out[4096];
	size_t n;

	CHECK(build_all_types(buf, sizeof(buf)) > 0);
	n = bson_to_json_buf(buf, full, sizeof(full));
	CHECK(n > 100 && n < sizeof(full) && strlen(full) == n);
	CHECK_EQ(bson_to_json_buf(buf, NULL, 0), n);
	for (size_t size = 1; size <= n + 2; size++) {
		memset(out, 'x', sizeof(out));
		if (bson_to_json_buf(buf, out, size) != n)
			UNIT_FAIL("size %zu: wrong length", size);
		size_t got = size - 1 < n ? size - 1 : n;
		if (out[got] != '\0' || memcmp(out, full, got) != 0 || out[got + 1] != 'x')
			UNIT_FAIL("size %zu: wrong bytes", size);
	}
}

static const char *json_double_bits(uint64_t bits)
{
	uint8_t buf[32];
	struct bson_builder b;
	static char out[64];
	size_t n;

	bson_build_init(&b, buf, sizeof(buf));
	bson_append_double_bits(&b, "", bits);
	bson_build_finish(&b);
	n = bson_to_json_buf(buf, out, sizeof(out));
	/* {"":VALUE} */
	memmove(out, out + 4, n - 5);
	out[n - 5] = '\0';
	return out;
}

static uint64_t bits_of(double d)
{
	uint64_t u;

	memcpy(&u, &d, 8);
	return u;
}

TEST(test_json_prints_doubles_shortest)
{
	static const struct {
		uint64_t bits;
		const char *text;
	} cases[] = {
		{ 0x0000000000000000ull, "0.0" },
		{ 0x8000000000000000ull, "-0.0" },
		{ 0x3ff0000000000000ull, "1.0" },
		{ 0xbff0000000000000ull, "-1.0" },
		{ 0x3fb999999999999aull, "0.1" },
		{ 0x3fd5555555555555ull, "0.3333333333333333" },
		{ 0x4059000000000000ull, "100.0" },
		{ 0x4093480000000000ull, "1234.0" },
		{ 0x3f1a36e2eb1c432dull, "0.0001" },
		{ 0x3ee4f8b588e368f1ull, "1.0E-5" },
		{ 0x430c6bf526340000ull, "1000000000000000.0" },
		{ 0x4341c37937e08000ull, "1.0E+16" },
		{ 0x4340000000000000ull, "9007199254740992.0" },
		{ 0x43b12210f4f51b2aull, "1.2345678921232E+18" },
		{ 0x7fefffffffffffffull, "1.7976931348623157E+308" },
		{ 0x0010000000000000ull, "2.2250738585072014E-308" },
		{ 0x000fffffffffffffull, "2.225073858507201E-308" },
		{ 0x0000000000000001ull, "5.0E-324" },
		{ 0x8000000000000001ull, "-5.0E-324" },
		{ 0x0000000000000002ull, "1.0E-323" },
		{ 0x4340000000000001ull, "9007199254740994.0" },
		{ 0x3ff0000000000001ull, "1.0000000000000002" },
		{ 0x3fefffffffffffffull, "0.9999999999999999" },
		{ 0x44b52d02c7e14af6ull, "1.0E+23" },
		{ 0x3ff0010000000000ull, "1.000244140625" },
		{ 0x7ff0000000000000ull, "{\"$numberDouble\":\"Infinity\"}" },
		{ 0xfff0000000000000ull, "{\"$numberDouble\":\"-Infinity\"}" },
		{ 0x7ff8000000000000ull, "{\"$numberDouble\":\"NaN\"}" },
		{ 0xfff8000000000001ull, "{\"$numberDouble\":\"NaN\"}" },
		{ 0x7ff0000000000001ull, "{\"$numberDouble\":\"NaN\"}" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		CHECK_STR(json_double_bits(cases[i].bits), cases[i].text);
}

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rng(void)
{
	/* xorshift64*: deterministic, so a failure repeats */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* The fewest significant digits that read back as d (glibc's printf and
 * strtod are exact). The nearest decimal of p digits is not always the one
 * that reads back: at a power of two the gap below is half the gap above,
 * so its neighbours are tried too. */
static int shortest_digits(double d)
{
	char s[64], t[64];

	for (int p = 0; p < 17; p++) {
		long long m;
		int e;

		snprintf(s, sizeof(s), "%.*e", p, fabs(d));
		e = atoi(strchr(s, 'e') + 1);
		*strchr(s, 'e') = '\0';
		if (strchr(s, '.'))
			memmove(strchr(s, '.'), strchr(s, '.') + 1, strlen(strchr(s, '.')));
		m = atoll(s);
		for (long long k = m - 1; k <= m + 1; k++) {
			snprintf(t, sizeof(t), "%lldE%d", k, e - p);
			if (k > 0 && strtod(t, NULL) == fabs(d)) {
				int n = p + 1;

				for (; k % 10 == 0; k /= 10)
					n--;
				return n;
			}
		}
	}
	return 17;
}

static int digits_in(const char *s)
{
	const char *end = strpbrk(s, "E");
	int n = 0, first = -1, last = -1;

	if (!end)
		end = s + strlen(s);
	for (const char *p = s; p < end; p++) {
		if (*p >= '0' && *p <= '9') {
			if (*p != '0' && first < 0)
				first = n;
			if (*p != '0')
				last = n;
			n++;
		}
	}
	return first < 0 ? 1 : last - first + 1;
}

TEST(test_json_doubles_read_back_exactly_and_are_shortest)
{
	for (int i = 0; i < 60000; i++) {
		uint64_t r = rng(), bits;
		const char *text;
		char *end;
		double d;

		switch (i % 6) {
		case 0:			/* anything */
			bits = r;
			break;
		case 1:			/* subnormals */
			bits = (r & 0x800fffffffffffffull);
			break;
		case 2:			/* powers of two: the uneven gaps */
			bits = r & 0xfff0000000000000ull;
			break;
		case 3:			/* integers */
			d = (double)(int64_t)(r >> (r % 64));
			bits = bits_of(d);
			break;
		case 4:			/* short decimals */
			d = (double)(int64_t)(r % 100000) / 1000.0;
			bits = bits_of(d);
			break;
		default:		/* near the exponent extremes */
			bits = (r & 0x800fffffffffffffull) | (r % 2 ? 0x7fe0000000000000ull :
								   0x0010000000000000ull);
			break;
		}
		if (((bits >> 52) & 0x7ff) == 0x7ff)
			continue;
		text = json_double_bits(bits);
		d = strtod(text, &end);
		if (*end || bits_of(d) != bits)
			UNIT_FAIL("%016" PRIx64 ": %s reads back as %016" PRIx64, bits, text,
				  bits_of(d));
		if (!strchr(text, '.'))
			UNIT_FAIL("%016" PRIx64 ": %s has no point", bits, text);
		if (bits << 1 && digits_in(text) != shortest_digits(d))
			UNIT_FAIL("%016" PRIx64 ": %s is not shortest (%d digits)", bits, text,
				  shortest_digits(d));
	}
}

static const char *json_date(int64_t ms)
{
	uint8_t buf[32];
	struct bson_builder b;

	bson_build_init(&b, buf, sizeof(buf));
	bson_append_datetime(&b, "t", ms);
	bson_build_finish(&b);
	return json(buf);
}

TEST(test_json_prints_dates_in_relaxed_form)
{
	CHECK_STR(json_date(0), "{\"t\":{\"$date\":\"1970-01-01T00:00:00Z\"}}");
	CHECK_STR(json_date(1), "{\"t\":{\"$date\":\"1970-01-01T00:00:00.001Z\"}}");
	CHECK_STR(json_date(951868799999), "{\"t\":{\"$date\":\"2000-02-29T23:59:59.999Z\"}}");
	CHECK_STR(json_date(253402300799999),
		  "{\"t\":{\"$date\":\"9999-12-31T23:59:59.999Z\"}}");
	CHECK_STR(json_date(253402300800000),
		  "{\"t\":{\"$date\":{\"$numberLong\":\"253402300800000\"}}}");
	CHECK_STR(json_date(-1), "{\"t\":{\"$date\":{\"$numberLong\":\"-1\"}}}");
	CHECK_STR(json_date(INT64_MIN),
		  "{\"t\":{\"$date\":{\"$numberLong\":\"-9223372036854775808\"}}}");
	for (int i = 0; i < 20000; i++) {
		int64_t ms = (int64_t)(rng() % 253402300800000ull);
		time_t secs = (time_t)(ms / 1000);
		struct tm tm;
		char want[80];

		gmtime_r(&secs, &tm);
		strftime(want, sizeof(want), "{\"t\":{\"$date\":\"%Y-%m-%dT%H:%M:%S", &tm);
		if (ms % 1000)
			snprintf(want + strlen(want), 16, ".%03d", (int)(ms % 1000));
		strcat(want, "Z\"}}");
		if (strcmp(json_date(ms), want) != 0)
			UNIT_FAIL("%" PRId64 ": %s != %s", ms, json_date(ms), want);
	}
}

static const char *json_decimal(uint64_t high, uint64_t low)
{
	uint8_t buf[48];
	struct bson_builder b;
	static char out[96];

	bson_build_init(&b, buf, sizeof(buf));
	bson_append_decimal128(&b, "", low, high);
	bson_build_finish(&b);
	bson_to_json_buf(buf, out, sizeof(out));
	return out;
}

TEST(test_json_prints_decimal128_as_scientific_strings)
{
	/* exponent bias 6176: 0x3040... has exponent 0 */
	CHECK_STR(json_decimal(0x3040000000000000ull, 0), "{\"\":{\"$numberDecimal\":\"0\"}}");
	CHECK_STR(json_decimal(0xb040000000000000ull, 7), "{\"\":{\"$numberDecimal\":\"-7\"}}");
	CHECK_STR(json_decimal(0x303c000000000000ull, 12345),
		  "{\"\":{\"$numberDecimal\":\"123.45\"}}");
	CHECK_STR(json_decimal(0x3032000000000000ull, 1),
		  "{\"\":{\"$numberDecimal\":\"1E-7\"}}");
	CHECK_STR(json_decimal(0x3034000000000000ull, 1),
		  "{\"\":{\"$numberDecimal\":\"0.000001\"}}");
	CHECK_STR(json_decimal(0x3042000000000000ull, 15),
		  "{\"\":{\"$numberDecimal\":\"1.5E+2\"}}");
	/* 10^34 - 1, the largest significand, and one above it (zero) */
	CHECK_STR(json_decimal(0x3041ed09bead87c0ull, 0x378d8e63ffffffffull),
		  "{\"\":{\"$numberDecimal\":\"9999999999999999999999999999999999\"}}");
	CHECK_STR(json_decimal(0x3041ed09bead87c0ull, 0x378d8e6400000000ull),
		  "{\"\":{\"$numberDecimal\":\"0\"}}");
	CHECK_STR(json_decimal(0x7800000000000000ull, 0),
		  "{\"\":{\"$numberDecimal\":\"Infinity\"}}");
	CHECK_STR(json_decimal(0xf800000000000000ull, 0),
		  "{\"\":{\"$numberDecimal\":\"-Infinity\"}}");
	CHECK_STR(json_decimal(0xfe00000000000000ull, 0), "{\"\":{\"$numberDecimal\":\"NaN\"}}");
}

TEST(test_json_prints_a_hundred_levels)
{
	static uint8_t buf[2048];
	static char out[4096];
	size_t n = nested(buf, 100, BSON_ARRAY), len;

	CHECK_EQ(validate(buf, n, BSON_MAX_DEPTH, NULL), 0);
	len = bson_to_json_buf(buf, out, sizeof(out));
	CHECK_EQ(len, 1 + 4 + 98 + 2 + 98 + 1);	/* {"0":[[...[]...]]} */
	CHECK(memcmp(out, "{\"0\":[[", 7) == 0);
	CHECK(out[len - 1] == '}' && out[len - 2] == ']');
}

/* --- damaged documents ---------------------------------------------------- */

static void discard(void *ctx, const char *text, size_t n)
{
	(void)text;
	*(size_t *)ctx += n;
}


static void mutate(uint8_t *doc, size_t *n, size_t cap)
{
	static const uint8_t interesting[] = {
		0x00, 0x01, 0x02, 0x04, 0x05, 0x7f, 0x80, 0xff, 0xc0, 0xed, 0xf4,
		BSON_DOCUMENT, BSON_ARRAY, BSON_CODE_W_SCOPE, BSON_BINARY, BSON_REGEX,
	};
	size_t at = rng() % *n;

	switch (rng() % 6) {
	case 0:
		doc[at] ^= (uint8_t)(1u << (rng() % 8));
		break;
	case 1:
		doc[at] = interesting[rng() % sizeof(interesting)];
		break;
	case 2:			/* a length field: small changes */
		if (at + 4 <= *n)
			wr32(doc + at, (uint32_t)((int32_t)(doc[at] | doc[at + 1] << 8) +
						  (int32_t)(rng() % 9) - 4));
		break;
	case 3:			/* cut, keeping the outer length right */
		*n = 5 + rng() % (*n - 4);
		wr32(doc, (uint32_t)*n);
		doc[*n - 1] = 0;
		break;
	case 4:			/* insert a byte */
		if (*n < cap) {
			memmove(doc + at + 1, doc + at, *n - at);
			doc[at] = (uint8_t)rng();
			(*n)++;
			wr32(doc, (uint32_t)*n);
		}
		break;
	default:
		doc[at] = (uint8_t)rng();
		break;
	}
}

/* Code with scope holding documents, arrays and the deprecated types. */
static size_t build_scoped_mix(uint8_t *buf, size_t cap)
{
	uint8_t scope[256];
	struct bson_builder b;

	bson_build_init(&b, scope, sizeof(scope));
	bson_begin_array(&b, "list");
	bson_append_regex(&b, NULL, "^a.*b$", "imsx");
	bson_append_dbpointer(&b, NULL, "db.coll", 7, OID);
	bson_append_symbol(&b, NULL, "sym", 3);
	bson_append_binary(&b, NULL, 0x02, "\x01\x02\x03", 3);
	bson_append_undefined(&b, NULL);
	bson_end_array(&b);
	bson_begin_document(&b, "doc");
	bson_append_decimal128(&b, "dec", 12345, 0x303c000000000000ull);
	bson_append_timestamp(&b, "ts", 1, 2);
	bson_end_document(&b);
	if (!bson_build_finish(&b))
		return 0;
	bson_build_init(&b, buf, cap);
	bson_begin_array(&b, "a");
	bson_append_code_w_scope(&b, NULL, "function() {}", 13, scope);
	bson_append_code_w_scope(&b, NULL, "", 0, "\x05\0\0\0");
	bson_end_array(&b);
	bson_append_code_w_scope(&b, "top", "x", 1, scope);
	return bson_build_finish(&b);
}

TEST(test_damaged_documents_are_refused_or_handled)
{
	static uint8_t seeds[3][1024];
	size_t seed_len[3];
	unsigned accepted = 0, refused = 0;

	seed_len[0] = build_all_types(seeds[0], sizeof(seeds[0]));
	seed_len[1] = nested(seeds[1], 12, BSON_ARRAY);
	seed_len[2] = build_scoped_mix(seeds[2], sizeof(seeds[2]));
	CHECK(seed_len[2] > 0);
	CHECK_EQ(validate(seeds[2], seed_len[2], BSON_MAX_DEPTH, NULL), 0);

	for (int round = 0; round < 100000; round++) {
		uint8_t work[1100], *doc, *copy;
		size_t n, counted = 0;
		struct bson_error err = { 0 };
		int s = round % 3;

		n = seed_len[s];
		memcpy(work, seeds[s], n);
		for (int k = 1 + (int)(rng() % 4); k > 0; k--)
			mutate(work, &n, sizeof(work));
		doc = exact_copy(work, n);
		if (bson_validate(doc, n, BSON_MAX_DEPTH, &err) != 0) {
			refused++;
			if (!err.message || err.offset >= n)
				UNIT_FAIL("round %d: refusal without a reason or place", round);
			if (bson_doc_length(doc) <= n) {	/* unvalidated, in bounds */
				bson_walk(doc, 1);
				bson_to_json(doc, discard, &counted);
			}
			free(doc);
			continue;
		}
		accepted++;
		bson_walk(doc, 1);
		if (bson_to_json(doc, discard, &counted) != counted || counted < 2)
			UNIT_FAIL("round %d: printing", round);
		copy = malloc(n);
		if (bson_rebuild(doc, copy, n) != n || memcmp(copy, doc, n) != 0)
			UNIT_FAIL("round %d: rebuilt differently: %s", round, hex_of(doc, n));
		free(copy);
		free(doc);
	}
	CHECK(accepted > 1000);
	CHECK(refused > 10000);
}
