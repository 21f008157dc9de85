#include "record.h"

#include "lib/bson.h"
#include "lib/string.h"

bool record_op_parse(const char *s, enum record_op *op)
{
	static const struct {
		const char *text;
		enum record_op op;
	} ops[] = {
		{ "=", RECORD_EQ }, { "==", RECORD_EQ }, { "!=", RECORD_NE }, { "<", RECORD_LT },
		{ "<=", RECORD_LE }, { ">", RECORD_GT }, { ">=", RECORD_GE },
		{ "~", RECORD_CONTAINS },
	};

	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strcmp(s, ops[i].text) == 0) {
			*op = ops[i].op;
			return true;
		}
	}
	return false;
}

/* An integer in decimal or 0x hex with an optional sign, the whole text,
 * within int64; false otherwise. */
static bool parse_int(const char *s, int64_t *out)
{
	bool neg = *s == '-';
	uint64_t v = 0, base = 10, limit;

	if (*s == '-' || *s == '+')
		s++;
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; *s; s++) {
		unsigned d;
		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			return false;
		if (v > (limit - d) / base)
			return false;
		v = v * base + d;
	}
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return true;
}

/* A decimal number with a fraction and/or an exponent ("2.5", "-.5",
 * "1e3"), the whole text; false otherwise. Good to about 15 digits, which
 * is what a comparison typed at a prompt needs. */
static bool parse_double(const char *s, double *out)
{
	double v = 0, scale = 1;
	bool neg = *s == '-', digits = false, shape = false;
	int exp = 0;

	if (*s == '-' || *s == '+')
		s++;
	for (; *s >= '0' && *s <= '9'; s++, digits = true)
		v = v * 10 + (*s - '0');
	if (*s == '.') {
		shape = true;
		for (s++; *s >= '0' && *s <= '9'; s++, digits = true)
			v += (*s - '0') * (scale /= 10);
	}
	if (digits && (*s == 'e' || *s == 'E')) {
		bool eneg = false;
		shape = true;
		s++;
		if (*s == '-' || *s == '+')
			eneg = *s++ == '-';
		if (*s < '0' || *s > '9')
			return false;
		for (; *s >= '0' && *s <= '9'; s++)
			exp = exp < 1000 ? exp * 10 + (*s - '0') : exp;
		exp = eneg ? -exp : exp;
	}
	if (!digits || !shape || *s)
		return false;
	for (; exp > 0; exp--)
		v *= 10;
	for (; exp < 0; exp++)
		v /= 10;
	*out = neg ? -v : v;
	return true;
}

void record_value_parse(const char *text, struct record_value *v)
{
	*v = (struct record_value){ .kind = RECORD_STRING, .s = text, .len = strlen(text) };
	if (parse_int(text, &v->i))
		v->kind = RECORD_INT;
	else if (parse_double(text, &v->d))
		v->kind = RECORD_DOUBLE;
	else if (strcmp(text, "true") == 0 || strcmp(text, "false") == 0)
		*v = (struct record_value){ .kind = RECORD_BOOL, .b = text[0] == 't' };
}

/* What a field holds, reduced to the kinds filters compare. */
struct field {
	enum { F_MISSING, F_INT, F_DOUBLE, F_STRING, F_BOOL, F_OTHER } kind;
	int64_t i;
	double d;
	const char *s;
	uint32_t len;
	bool b;
};

static struct field field_of(const uint8_t *doc, const char *name)
{
	struct field f = { .kind = F_MISSING };
	struct bson_iter it;
	int64_t i;

	if (!bson_find_path(doc, name, &it))
		return f;
	if (bson_iter_integer(&it, &i))
		f = (struct field){ .kind = F_INT, .i = i };
	else if (bson_iter_double(&it, &f.d))
		f.kind = F_DOUBLE;
	else if ((f.s = bson_iter_utf8(&it, &f.len)) && it.type == BSON_STRING)
		f.kind = F_STRING;
	else if (bson_iter_bool(&it, &f.b))
		f.kind = F_BOOL;
	else
		f.kind = F_OTHER;
	return f;
}

static bool is_number(const struct field *f)
{
	return f->kind == F_INT || f->kind == F_DOUBLE;
}

static bool is_nan(const struct field *f)
{
	return f->kind == F_DOUBLE && f->d != f->d;
}

/* An integer against a double that is not NaN, exactly: converting the
 * integer would round above 2^53 and make two different numbers equal. */
static int compare_int_double(int64_t i, double d)
{
	if (d >= 9223372036854775808.0)
		return -1;
	if (d < -9223372036854775808.0)
		return 1;
	int64_t t = (int64_t)d;			/* toward zero; in range */
	double frac = d - (double)t;		/* exact: t is d without its fraction */

	if (i != t)
		return i < t ? -1 : 1;
	return (frac < 0) - (frac > 0);
}

/* Numbers by value, exactly, in one total order (sort needs one): NaN,
 * which compares with nothing, comes after every other number and equals
 * itself. */
static int compare_numbers(const struct field *a, const struct field *b)
{
	if (is_nan(a) || is_nan(b))
		return (int)is_nan(a) - (int)is_nan(b);
	if (a->kind == F_INT && b->kind == F_INT)
		return (a->i > b->i) - (a->i < b->i);
	if (a->kind == F_INT)
		return compare_int_double(a->i, b->d);
	if (b->kind == F_INT)
		return -compare_int_double(b->i, a->d);
	return (a->d > b->d) - (a->d < b->d);
}

static int compare_strings(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? (c > 0) - (c < 0) : (alen > blen) - (alen < blen);
}

static bool contains(const char *hay, size_t n, const char *needle, size_t m)
{
	for (size_t i = 0; m <= n && i <= n - m; i++)
		if (memcmp(hay + i, needle, m) == 0)
			return true;
	return false;
}

bool record_where(const uint8_t *doc, const char *name, enum record_op op,
		  const struct record_value *v)
{
	struct field f = field_of(doc, name);
	struct field want = { .kind = F_OTHER };
	int c;

	if (op == RECORD_CONTAINS)
		return f.kind == F_STRING && contains(f.s, f.len, v->s ? v->s : "",
						      v->s ? v->len : 0);
	switch (v->kind) {
	case RECORD_INT:
		want = (struct field){ .kind = F_INT, .i = v->i };
		break;
	case RECORD_DOUBLE:
		want = (struct field){ .kind = F_DOUBLE, .d = v->d };
		break;
	case RECORD_BOOL:
		want = (struct field){ .kind = F_BOOL, .b = v->b };
		break;
	case RECORD_STRING:
		want = (struct field){ .kind = F_STRING, .s = v->s, .len = (uint32_t)v->len };
		break;
	}
	if (is_number(&f) && is_number(&want) && !is_nan(&f) && !is_nan(&want))
		c = compare_numbers(&f, &want);
	else if (f.kind == F_STRING && want.kind == F_STRING)
		c = compare_strings(f.s, f.len, want.s, want.len);
	else if (f.kind == F_BOOL && want.kind == F_BOOL)
		c = (int)f.b - (int)want.b;
	else
		return op == RECORD_NE;		/* nothing to compare with */
	switch (op) {
	case RECORD_EQ:
		return c == 0;
	case RECORD_NE:
		return c != 0;
	case RECORD_LT:
		return c < 0;
	case RECORD_LE:
		return c <= 0;
	case RECORD_GT:
		return c > 0;
	case RECORD_GE:
		return c >= 0;
	default:
		return false;
	}
}

/* Sort order of the kinds: numbers, strings, booleans, others, missing. */
static int kind_rank(const struct field *f)
{
	switch (f->kind) {
	case F_INT:
	case F_DOUBLE:
		return 0;
	case F_STRING:
		return 1;
	case F_BOOL:
		return 2;
	case F_OTHER:
		return 3;
	default:
		return 4;
	}
}

int record_compare(const uint8_t *a, const uint8_t *b, const char *name)
{
	struct field x = field_of(a, name), y = field_of(b, name);
	int rx = kind_rank(&x), ry = kind_rank(&y);

	if (rx != ry)
		return rx < ry ? -1 : 1;
	switch (rx) {
	case 0:
		return compare_numbers(&x, &y);
	case 1:
		return compare_strings(x.s, x.len, y.s, y.len);
	case 2:
		return (int)x.b - (int)y.b;
	default:
		return 0;
	}
}
