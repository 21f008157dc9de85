/* The record filters' pure part (user/lib/record.c): operators, operand
 * typing, where-tests across types and missing fields, sort order. */
#include "unit.h"

#include "lib/bson.h"
#include "user/lib/record.h"

/* A record {"name": name, "size": size (int64), "ratio": ratio (double),
 * "dir": dir, "owner": {"uid": uid}}; size < 0 leaves "size" out. */
static const uint8_t *rec(const char *name, int64_t size, double ratio, bool dir, int uid)
{
	static uint8_t bufs[8][256];
	static unsigned next;
	uint8_t *buf = bufs[next++ % 8];
	struct bson_builder b;

	bson_build_init(&b, buf, 256);
	bson_append_cstr(&b, "name", name);
	if (size >= 0)
		bson_append_int64(&b, "size", size);
	bson_append_double(&b, "ratio", ratio);
	bson_append_bool(&b, "dir", dir);
	bson_begin_document(&b, "owner");
	bson_append_int32(&b, "uid", uid);
	bson_end_document(&b);
	return bson_build_finish(&b) ? buf : NULL;
}

static bool where(const uint8_t *doc, const char *field, const char *op, const char *value)
{
	enum record_op o;
	struct record_value v;

	if (!record_op_parse(op, &o))
		return false;
	record_value_parse(value, &v);
	return record_where(doc, field, o, &v);
}

TEST(test_operators_parse)
{
	enum record_op op;

	CHECK(record_op_parse("=", &op) && op == RECORD_EQ);
	CHECK(record_op_parse("==", &op) && op == RECORD_EQ);
	CHECK(record_op_parse(">=", &op) && op == RECORD_GE);
	CHECK(record_op_parse("~", &op) && op == RECORD_CONTAINS);
	CHECK(!record_op_parse("=>", &op));
	CHECK(!record_op_parse("", &op));
}

TEST(test_operands_are_typed_from_their_text)
{
	struct record_value v;

	record_value_parse("4000", &v);
	CHECK(v.kind == RECORD_INT && v.i == 4000);
	record_value_parse("-0x10", &v);
	CHECK(v.kind == RECORD_INT && v.i == -16);
	record_value_parse("-9223372036854775808", &v);
	CHECK(v.kind == RECORD_INT && v.i == INT64_MIN);
	record_value_parse("9223372036854775808", &v);	/* too big: a string */
	CHECK(v.kind == RECORD_STRING);
	record_value_parse("2.5", &v);
	CHECK(v.kind == RECORD_DOUBLE && v.d == 2.5);
	record_value_parse("1e3", &v);
	CHECK(v.kind == RECORD_DOUBLE && v.d == 1000.0);
	record_value_parse("-.25", &v);
	CHECK(v.kind == RECORD_DOUBLE && v.d == -0.25);
	record_value_parse("true", &v);
	CHECK(v.kind == RECORD_BOOL && v.b);
	record_value_parse("12ab", &v);
	CHECK(v.kind == RECORD_STRING && v.len == 4);
	record_value_parse("", &v);
	CHECK(v.kind == RECORD_STRING && v.len == 0);
	record_value_parse("1e", &v);
	CHECK(v.kind == RECORD_STRING);
}

TEST(test_where_compares_numbers_by_value)
{
	const uint8_t *r = rec("init", 4096, 0.5, false, 0);

	CHECK(where(r, "size", ">", "4000"));
	CHECK(!where(r, "size", ">", "4096"));
	CHECK(where(r, "size", ">=", "4096"));
	CHECK(where(r, "size", "=", "4096.0"));		/* int field, double operand */
	CHECK(where(r, "size", "<", "4096.5"));
	CHECK(where(r, "ratio", "<", "1"));		/* double field, int operand */
	CHECK(where(r, "ratio", "=", "0.5"));
	CHECK(where(r, "owner.uid", "=", "0"));		/* dotted path, int32 field */
	CHECK(where(rec("big", INT64_MAX, 0, false, 0), "size", ">", "9223372036854775806"));
}

TEST(test_where_compares_strings_and_booleans)
{
	const uint8_t *r = rec("hello", 10, 0, true, 0);

	CHECK(where(r, "name", "=", "hello"));
	CHECK(where(r, "name", "<", "help"));
	CHECK(where(r, "name", ">", "hell"));		/* a prefix sorts first */
	CHECK(where(r, "name", "~", "ell"));
	CHECK(!where(r, "name", "~", "xyz"));
	CHECK(where(r, "name", "~", ""));
	CHECK(where(r, "dir", "=", "true"));
	CHECK(where(r, "dir", ">", "false"));
}

TEST(test_where_on_a_missing_or_other_kind_of_field_matches_only_not_equal)
{
	const uint8_t *r = rec("x", -1, 0, false, 0);	/* no size */

	CHECK(!where(r, "size", "=", "1"));
	CHECK(!where(r, "size", "<", "1"));
	CHECK(where(r, "size", "!=", "1"));
	CHECK(!where(r, "name", ">", "5"));		/* a string against a number */
	CHECK(where(r, "name", "!=", "5"));
	CHECK(!where(r, "size", "~", "1"));
	CHECK(!where(r, "owner", "=", "1"));		/* a document */
	CHECK(!where(r, "ratio", "~", "0"));		/* contains needs a string */
}

TEST(test_sort_order)
{
	const uint8_t *small = rec("b", 1, 0, false, 0), *big = rec("a", 100, 0, false, 0);
	const uint8_t *none = rec("c", -1, 0, false, 0);

	CHECK(record_compare(small, big, "size") < 0);
	CHECK(record_compare(big, small, "size") > 0);
	CHECK(record_compare(small, small, "size") == 0);
	CHECK(record_compare(none, small, "size") > 0);	/* missing goes last */
	CHECK(record_compare(small, none, "size") < 0);
	CHECK(record_compare(none, none, "size") == 0);
	CHECK(record_compare(big, small, "name") < 0);	/* "a" before "b" */
	CHECK(record_compare(small, big, "name") > 0);
	/* Across kinds: numbers, strings, booleans, others. */
	CHECK(record_compare(small, small, "ratio") == 0);
	CHECK(record_compare(small, big, "nope") == 0);
	CHECK(record_compare(rec("1", 5, 0, false, 0), small, "owner") == 0);
}

/* Found by tests/fuzz/fuzz_filters: NaN compared equal to every number,
 * and int64 against double went through a rounding conversion, so sort's
 * order was not transitive (1 = NaN = 2 but 1 < 2; 2^53 + 1 = 2^53.0 = 2^53
 * but 2^53 < 2^53 + 1). */
TEST(test_sort_order_is_total_with_nan_and_large_integers)
{
	const double nan = __builtin_nan("");
	const uint8_t *one = rec("a", 0, 1, false, 0), *two = rec("b", 0, 2, false, 0);
	const uint8_t *not_a_number = rec("c", 0, nan, false, 0);
	const int64_t p53 = (int64_t)1 << 53;
	const uint8_t *i53 = rec("d", p53, 0, false, 0), *i53p1 = rec("e", p53 + 1, 0, false, 0);
	const uint8_t *d53 = rec("f", 0, 9007199254740992.0, false, 0);

	CHECK(record_compare(one, not_a_number, "ratio") < 0);	/* NaN after numbers */
	CHECK(record_compare(not_a_number, two, "ratio") > 0);
	CHECK(record_compare(not_a_number, not_a_number, "ratio") == 0);
	CHECK(!where(not_a_number, "ratio", "=", "1"));		/* NaN matches only != */
	CHECK(!where(not_a_number, "ratio", ">", "1"));
	CHECK(where(not_a_number, "ratio", "!=", "1"));
	/* An int64 field against a double operand, and back, exactly. */
	CHECK(record_compare(i53p1, i53, "size") > 0);
	CHECK(where(i53p1, "size", ">", "9007199254740992.0"));
	CHECK(!where(i53p1, "size", "=", "9007199254740992.0"));
	CHECK(where(i53, "size", "=", "9007199254740992.0"));
	CHECK(where(d53, "ratio", "<", "9007199254740993"));
}
