/* libFuzzer target for the filters' value parsing and comparisons
 * (user/lib/record.c: where's FIELD OP VALUE, sort's ordering).
 *
 * The input is FIELD, OP and VALUE as three NUL-terminated strings, then
 * up to three BSON documents back to back (each validated, as in_next
 * does before a filter sees it).
 *
 * Promises checked: an operator is accepted exactly when it is one of the
 * documented spellings; a value is typed as documented (a string keeps the
 * very text, an integer prints back to itself, a boolean is true or
 * false); for any record, = and != disagree, < <= > >= are one consistent
 * order, a field that cannot be compared passes only !=, and ~ holds only
 * where the text occurs; record_compare is a total order (reflexive,
 * antisymmetric, transitive), so sort is deterministic. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/bson.h"
#include "user/lib/record.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)
#define MAX_DOCS	3

static int sign(int c)
{
	return (c > 0) - (c < 0);
}

/* The next NUL-terminated string of the input, or NULL. */
static const char *next_string(const uint8_t **p, const uint8_t *end)
{
	const uint8_t *nul = memchr(*p, 0, (size_t)(end - *p));
	const char *s = (const char *)*p;

	if (!nul)
		return NULL;
	*p = nul + 1;
	return s;
}

static void check_op(const char *text)
{
	static const char *const spellings[] = { "=", "==", "!=", "<", "<=", ">", ">=", "~" };
	enum record_op op;
	bool listed = false;

	for (size_t i = 0; i < sizeof(spellings) / sizeof(spellings[0]); i++)
		listed |= strcmp(text, spellings[i]) == 0;
	CHECK(record_op_parse(text, &op) == listed);
}

static void check_value(const char *text, const struct record_value *v)
{
	char again[32];
	struct record_value w;

	switch (v->kind) {
	case RECORD_STRING:
		CHECK(v->s == text && v->len == strlen(text));
		break;
	case RECORD_INT:
		snprintf(again, sizeof(again), "%" PRId64, v->i);
		record_value_parse(again, &w);
		CHECK(w.kind == RECORD_INT && w.i == v->i);
		break;
	case RECORD_DOUBLE:
		CHECK(strpbrk(text, ".eE") != NULL);
		break;
	case RECORD_BOOL:
		CHECK(strcmp(text, v->b ? "true" : "false") == 0);
		break;
	default:
		CHECK(!"unknown kind");
	}
}

static void check_where(const uint8_t *doc, const char *field, const struct record_value *v)
{
	bool eq = record_where(doc, field, RECORD_EQ, v);
	bool ne = record_where(doc, field, RECORD_NE, v);
	bool lt = record_where(doc, field, RECORD_LT, v);
	bool le = record_where(doc, field, RECORD_LE, v);
	bool gt = record_where(doc, field, RECORD_GT, v);
	bool ge = record_where(doc, field, RECORD_GE, v);
	struct bson_iter it;
	uint32_t len;

	CHECK(eq != ne);
	CHECK(le == (lt || eq) && ge == (gt || eq));
	/* Comparable: exactly one of <, =, >. Not comparable: only !=. */
	CHECK((lt + eq + gt == 1) || (!lt && !eq && !gt && !le && !ge && ne));
	if (record_where(doc, field, RECORD_CONTAINS, v)) {
		CHECK(bson_find_path(doc, field, &it) && it.type == BSON_STRING);
		const char *s = bson_iter_utf8(&it, &len);
		const char *needle = v->s ? v->s : "";
		size_t m = v->s ? v->len : 0;
		CHECK(m <= len);
		bool found = false;
		for (size_t i = 0; i + m <= len && !found; i++)
			found = memcmp(s + i, needle, m) == 0;
		CHECK(found);
	}
}

static void check_order(const uint8_t *const *docs, unsigned n, const char *field)
{
	for (unsigned a = 0; a < n; a++) {
		CHECK(record_compare(docs[a], docs[a], field) == 0);
		for (unsigned b = 0; b < n; b++) {
			int ab = sign(record_compare(docs[a], docs[b], field));
			CHECK(ab == -sign(record_compare(docs[b], docs[a], field)));
			for (unsigned c = 0; c < n; c++) {
				int bc = sign(record_compare(docs[b], docs[c], field));
				int ac = sign(record_compare(docs[a], docs[c], field));
				if (ab <= 0 && bc <= 0)
					CHECK(ac <= 0);
				if (ab == 0 && bc == 0)
					CHECK(ac == 0);
			}
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	const char *field = next_string(&p, end);
	const char *op = field ? next_string(&p, end) : NULL;
	const char *text = op ? next_string(&p, end) : NULL;
	const uint8_t *docs[MAX_DOCS];
	struct record_value v;
	unsigned n = 0;

	if (!text)
		return 0;
	check_op(op);
	record_value_parse(text, &v);
	check_value(text, &v);

	while (n < MAX_DOCS && end - p >= 5) {
		struct bson_error err;
		uint32_t len = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
			       (uint32_t)p[3] << 24;
		if (len > (size_t)(end - p) || bson_validate(p, len, 32, &err) < 0)
			break;
		docs[n++] = p;
		p += len;
	}
	for (unsigned i = 0; i < n; i++)
		check_where(docs[i], field, &v);
	check_order(docs, n, field);
	return 0;
}
