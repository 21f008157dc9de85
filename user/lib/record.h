/* Records, the unit of the shell's structured pipelines: one BSON document
 * each (docs/protocols.md, "records"). The pure part of the filters lives
 * here so every program and the host tests share it: typing a filter's
 * operand from its text, testing a record against `FIELD OP VALUE`
 * (where), and ordering two records by a field (sort). Fields may be
 * dotted paths into embedded documents ("owner.name"). */
#ifndef USER_LIB_RECORD_H
#define USER_LIB_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum record_op {
	RECORD_EQ,		/* = or == */
	RECORD_NE,		/* != */
	RECORD_LT,		/* < */
	RECORD_LE,		/* <= */
	RECORD_GT,		/* > */
	RECORD_GE,		/* >= */
	RECORD_CONTAINS,	/* ~ : the string field contains the text */
};

/* The operator spelled by s; false for anything else. */
bool record_op_parse(const char *s, enum record_op *op);

/* A filter's operand, typed from the text the user wrote: an integer
 * ("42", "-7", "0x1f"), a number with a fraction or exponent ("2.5",
 * "1e3"), true or false, else the text itself as a string. */
struct record_value {
	enum { RECORD_INT, RECORD_DOUBLE, RECORD_BOOL, RECORD_STRING } kind;
	int64_t i;
	double d;
	bool b;
	const char *s;		/* RECORD_STRING: the text (not copied) */
	size_t len;
};
void record_value_parse(const char *text, struct record_value *v);

/* Whether doc's field compares to v as op says. Numbers (int32, int64,
 * double) compare by value with numbers, strings bytewise with strings,
 * booleans with booleans (false < true); a missing field, one of
 * another kind than v, or a NaN, satisfies only RECORD_NE.
 * RECORD_CONTAINS needs a string field and matches v's text anywhere in
 * it, whatever v's kind. */
bool record_where(const uint8_t *doc, const char *field, enum record_op op,
		  const struct record_value *v);

/* Orders a and b by field, for a stable sort, in a total order: numbers
 * (by exact value, NaN after the others) before strings (bytewise,
 * shorter first on a common prefix) before booleans before any other
 * type, and records without the field last. <0, 0, >0. */
int record_compare(const uint8_t *a, const uint8_t *b, const char *field);

#endif
