/* Printing BSON as relaxed Extended JSON (lib/bson.h). */
#include "lib/bson.h"

#include "lib/bson_private.h"
#include "lib/date.h"
#include "lib/errors.h"
#include "lib/string.h"

/* --- printing: output ------------------------------------------------- */

struct json_out {
	bson_sink_fn sink;
	void *ctx;
	size_t len;
};

static void emit(struct json_out *o, const char *s, size_t n)
{
	if (n)
		o->sink(o->ctx, s, n);
	o->len += n;
}

static void emits(struct json_out *o, const char *s)
{
	emit(o, s, strlen(s));
}

static const char hex_digits[] = "0123456789abcdef";

/* RFC 8259, section 7: '"', '\\' and the control characters must be
 * escaped; everything else (UTF-8 included) may pass as it is. */
static void json_string(struct json_out *o, const char *s, size_t n)
{
	size_t run = 0;

	emit(o, "\"", 1);
	for (size_t i = 0; i < n; i++) {
		uint8_t c = (uint8_t)s[i];
		char esc[6] = { '\\', 'u', '0', '0' };

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		emit(o, s + run, i - run);
		run = i + 1;
		if (c >= 0x20) {
			esc[1] = (char)c;
			emit(o, esc, 2);
		} else {
			esc[4] = hex_digits[c >> 4];
			esc[5] = hex_digits[c & 15];
			emit(o, esc, 6);
		}
	}
	emit(o, s + run, n - run);
	emit(o, "\"", 1);
}

static void json_cstring(struct json_out *o, const char *s)
{
	json_string(o, s, strlen(s));
}

static void emit_u64(struct json_out *o, uint64_t v)
{
	char buf[20];
	size_t n = sizeof(buf);

	do {
		buf[--n] = '0' + v % 10;
		v /= 10;
	} while (v);
	emit(o, buf + n, sizeof(buf) - n);
}

static void emit_i64(struct json_out *o, int64_t v)
{
	if (v < 0) {
		emit(o, "-", 1);
		emit_u64(o, -(uint64_t)v);
	} else {
		emit_u64(o, (uint64_t)v);
	}
}

/* --- printing: doubles ------------------------------------------------ */

/* Shortest round-trip digits by the free-format algorithm of Steele &
 * White as refined by Burger & Dybvig ("Printing Floating-Point Numbers
 * Quickly and Accurately", PLDI 1996), on exact big integers: the value
 * and the half-way points to its neighbours are scaled to r/s, m+/s and
 * m-/s, and digits are produced until one identifies the double uniquely.
 * The largest number involved is below 2^1090 (a subnormal's scale
 * 2^1076 times 10, with slack for the power-of-ten estimate). */
#define BIG_LIMBS	40

struct big {
	unsigned n;			/* limbs in use, no leading zero limbs */
	uint32_t d[BIG_LIMBS];		/* little-endian */
};

static void big_set(struct big *a, uint64_t v)
{
	a->n = 0;
	while (v) {
		a->d[a->n++] = (uint32_t)v;
		v >>= 32;
	}
}

static void big_push(struct big *a, uint32_t carry)
{
	if (carry && a->n < BIG_LIMBS)
		a->d[a->n++] = carry;
}

static void big_mul(struct big *a, uint32_t m)
{
	uint64_t carry = 0;

	for (unsigned i = 0; i < a->n; i++) {
		uint64_t t = (uint64_t)a->d[i] * m + carry;

		a->d[i] = (uint32_t)t;
		carry = t >> 32;
	}
	big_push(a, (uint32_t)carry);
}

static void big_mul_pow10(struct big *a, unsigned k)
{
	static const uint32_t pow10[10] = {
		1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000,
		1000000000,
	};

	for (; k >= 9; k -= 9)
		big_mul(a, pow10[9]);
	big_mul(a, pow10[k]);
}

static void big_shl(struct big *a, unsigned bits)
{
	unsigned words = bits / 32, sh = bits % 32;

	if (a->n == 0)
		return;
	if (a->n + words + 1 > BIG_LIMBS)
		words = BIG_LIMBS - 1 - a->n;	/* cannot happen; stay inside */
	a->d[a->n + words] = 0;
	for (unsigned i = a->n; i-- > 0;) {
		if (sh)
			a->d[i + words + 1] |= a->d[i] >> (32 - sh);
		a->d[i + words] = a->d[i] << sh;
	}
	for (unsigned i = 0; i < words; i++)
		a->d[i] = 0;
	a->n += words + 1;
	while (a->n && a->d[a->n - 1] == 0)
		a->n--;
}

static int big_cmp(const struct big *a, const struct big *b)
{
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	for (unsigned i = a->n; i-- > 0;)
		if (a->d[i] != b->d[i])
			return a->d[i] < b->d[i] ? -1 : 1;
	return 0;
}

static void big_add(struct big *r, const struct big *a, const struct big *b)
{
	unsigned n = a->n > b->n ? a->n : b->n;
	uint64_t carry = 0;

	for (unsigned i = 0; i < n; i++) {
		carry += (uint64_t)(i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0);
		r->d[i] = (uint32_t)carry;
		carry >>= 32;
	}
	r->n = n;
	big_push(r, (uint32_t)carry);
}

/* a -= b, where a >= b. */
static void big_sub(struct big *a, const struct big *b)
{
	int64_t borrow = 0;

	for (unsigned i = 0; i < a->n; i++) {
		int64_t t = (int64_t)a->d[i] - (i < b->n ? b->d[i] : 0) - borrow;

		borrow = t < 0;
		a->d[i] = (uint32_t)(t + (borrow << 32));
	}
	while (a->n && a->d[a->n - 1] == 0)
		a->n--;
}

/* r + m compared with s; the sum lands in tmp. */
static int big_cmp_sum(const struct big *r, const struct big *m, const struct big *s,
		       struct big *tmp)
{
	big_add(tmp, r, m);
	return big_cmp(tmp, s);
}

struct dragon {
	struct big r, s, mp, mm, tmp;
	bool even;		/* the boundaries round to us (ties-to-even) */
};

static void dragon_scale_up(struct dragon *g)
{
	big_mul(&g->r, 10);
	big_mul(&g->mp, 10);
	big_mul(&g->mm, 10);
}

/* floor(log10(2^e2)) or one below, from log10(2) ~ 1233 / 4096. */
static int estimate_k(int e2)
{
	int t = e2 * 1233;

	return t >= 0 ? t / 4096 : -((-t + 4095) / 4096);
}

/* f * 2^e (f < 2^53, not zero) into digits; returns their count and sets
 * *k so that the value is 0.DIGITS * 10^k. */
static unsigned dragon(uint64_t f, int e, bool lower_closer, char *digits, int *k)
{
	struct dragon g;
	unsigned n = 0, nbits = 64 - (unsigned)__builtin_clzll(f);
	int high_ok;

	g.even = (f & 1) == 0;
	/* r/s = value, mp/s and mm/s = distance to the neighbours' midpoints;
	 * all doubled to stay integers, quadrupled where the gap below is half
	 * the gap above (f a power of two, except at the smallest exponent). */
	big_set(&g.r, f);
	big_set(&g.s, 1);
	big_set(&g.mp, 1);
	big_set(&g.mm, 1);
	if (e >= 0) {
		big_shl(&g.r, (unsigned)e);
		big_shl(&g.mp, (unsigned)e);
		big_shl(&g.mm, (unsigned)e);
	} else {
		big_shl(&g.s, (unsigned)-e);
	}
	big_shl(&g.r, lower_closer ? 2 : 1);
	big_shl(&g.s, lower_closer ? 2 : 1);
	big_shl(&g.mp, lower_closer ? 1 : 0);

	*k = estimate_k(e + (int)nbits - 1) + 1;
	if (*k >= 0)
		big_mul_pow10(&g.s, (unsigned)*k);
	else {
		big_mul_pow10(&g.r, (unsigned)-*k);
		big_mul_pow10(&g.mp, (unsigned)-*k);
		big_mul_pow10(&g.mm, (unsigned)-*k);
	}
	/* Fix the estimate: k is the least with (r + m+) / s below 1 (or at
	 * most 1 when the upper midpoint itself would not round to us). */
	high_ok = g.even ? 0 : 1;
	while (big_cmp_sum(&g.r, &g.mp, &g.s, &g.tmp) >= high_ok) {
		big_mul(&g.s, 10);
		(*k)++;
	}
	for (;;) {
		big_mul(&g.tmp, 10);
		if (big_cmp(&g.tmp, &g.s) >= high_ok)
			break;
		dragon_scale_up(&g);
		big_add(&g.tmp, &g.r, &g.mp);
		(*k)--;
	}

	for (;;) {
		unsigned d = 0;
		bool low, high;

		dragon_scale_up(&g);
		while (big_cmp(&g.r, &g.s) >= 0) {
			big_sub(&g.r, &g.s);
			d++;
		}
		low = big_cmp(&g.r, &g.mm) < (g.even ? 1 : 0);
		high = big_cmp_sum(&g.r, &g.mp, &g.s, &g.tmp) >= high_ok;
		if (!low && !high && n < 17) {
			digits[n++] = (char)('0' + d);
			continue;
		}
		if (low && high) {
			big_add(&g.tmp, &g.r, &g.r);
			high = big_cmp(&g.tmp, &g.s) >= 0;	/* nearer the top */
		}
		digits[n++] = (char)('0' + d + (high ? 1 : 0));
		return n;
	}
}

/* Finite, non-zero values as JSON numbers that read back as the same
 * double: the shortest digits, positioned like Python's repr() (plain
 * between 1e-4 and 1e16, else d.dddE+x), always with a fraction or an
 * exponent, so that "1.0" stays a double for Extended JSON readers. */
static void emit_digits(struct json_out *o, const char *digits, unsigned n, int k)
{
	int x = k - 1;		/* the scientific exponent */

	if (x >= -4 && x < 16) {
		if (k <= 0) {
			emit(o, "0.", 2);
			for (int i = 0; i < -k; i++)
				emit(o, "0", 1);
			emit(o, digits, n);
		} else if ((unsigned)k < n) {
			emit(o, digits, (unsigned)k);
			emit(o, ".", 1);
			emit(o, digits + k, n - (unsigned)k);
		} else {
			emit(o, digits, n);
			for (unsigned i = n; i < (unsigned)k; i++)
				emit(o, "0", 1);
			emit(o, ".0", 2);
		}
		return;
	}
	emit(o, digits, 1);
	emit(o, ".", 1);
	if (n > 1)
		emit(o, digits + 1, n - 1);
	else
		emit(o, "0", 1);
	emit(o, x < 0 ? "E-" : "E+", 2);
	emit_u64(o, (uint64_t)(x < 0 ? -x : x));
}

/* Relaxed Extended JSON: finite doubles are numbers; the others are
 * {"$numberDouble": "Infinity" | "-Infinity" | "NaN"}. */
static void emit_double(struct json_out *o, uint64_t bits)
{
	unsigned exp = (bits >> 52) & 0x7ff;
	uint64_t frac = bits & ((1ull << 52) - 1);
	bool neg = bits >> 63;
	char digits[17];
	unsigned n;
	int k;

	if (exp == 0x7ff) {
		emits(o, "{\"$numberDouble\":\"");
		emits(o, frac ? "NaN" : neg ? "-Infinity" : "Infinity");
		emits(o, "\"}");
		return;
	}
	if (neg)
		emit(o, "-", 1);
	if (exp == 0 && frac == 0) {
		emit(o, "0.0", 3);
		return;
	}
	if (exp == 0)
		n = dragon(frac, -1074, false, digits, &k);
	else
		n = dragon(frac | 1ull << 52, (int)exp - 1075, frac == 0 && exp > 1,
			   digits, &k);
	emit_digits(o, digits, n, k);
}

/* --- printing: other scalars ------------------------------------------ */

/* Decimal128 (IEEE 754-2008, binary integer decimal encoding) as the
 * specification's to-scientific-string; BSON's decimal128 spec: NaN has no
 * sign, non-canonical significands (above 10^34 - 1) count as zero. */
static void emit_decimal128(struct json_out *o, uint64_t low, uint64_t high)
{
	uint32_t limb[4];
	char digits[40];
	int exp, adjusted;
	unsigned n = 0;
	char text[80];
	size_t t = 0;

	emits(o, "{\"$numberDecimal\":\"");
	if (high >> 63)
		text[t++] = '-';
	if (((high >> 58) & 0x1f) == 0x1f) {
		emits(o, "NaN\"}");
		return;
	}
	if (((high >> 58) & 0x1f) == 0x1e) {
		emit(o, text, t);
		emits(o, "Infinity\"}");
		return;
	}
	if (((high >> 61) & 3) == 3) {
		/* The 0b11 form: its significand is always above 10^34 - 1. */
		exp = (int)((high >> 47) & 0x3fff) - 6176;
		limb[0] = limb[1] = limb[2] = limb[3] = 0;
	} else {
		exp = (int)((high >> 49) & 0x3fff) - 6176;
		limb[0] = (uint32_t)low;
		limb[1] = (uint32_t)(low >> 32);
		limb[2] = (uint32_t)high;
		limb[3] = (uint32_t)(high >> 32) & 0x1ffff;
	}
	/* Digits, least significant first, by long division by 10. */
	while ((limb[0] | limb[1] | limb[2] | limb[3]) && n < sizeof(digits)) {
		uint64_t rem = 0;

		for (int i = 3; i >= 0; i--) {
			uint64_t cur = rem << 32 | limb[i];

			limb[i] = (uint32_t)(cur / 10);
			rem = cur % 10;
		}
		digits[n++] = (char)('0' + rem);
	}
	if (n > 34 || n == 0) {
		n = 1;
		digits[0] = '0';
	}
	adjusted = exp + (int)n - 1;
	if (exp <= 0 && adjusted >= -6) {
		int point = (int)n + exp;	/* digits before the point */

		if (point <= 0) {
			text[t++] = '0';
			text[t++] = '.';
			for (int i = 0; i < -point; i++)
				text[t++] = '0';
		}
		for (int i = (int)n - 1; i >= 0; i--) {
			text[t++] = digits[i];
			if (exp < 0 && i == -exp && point > 0)
				text[t++] = '.';
		}
		emit(o, text, t);
	} else {
		text[t++] = digits[n - 1];
		if (n > 1)
			text[t++] = '.';
		for (int i = (int)n - 2; i >= 0; i--)
			text[t++] = digits[i];
		text[t++] = 'E';
		text[t++] = adjusted < 0 ? '-' : '+';
		emit(o, text, t);
		emit_u64(o, (uint64_t)(adjusted < 0 ? -adjusted : adjusted));
	}
	emits(o, "\"}");
}

static void put_dec(char *p, unsigned v, unsigned width)
{
	while (width--) {
		p[width] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* 253402300800000 ms is 10000-01-01T00:00:00Z. */
#define DATE_ISO_END	253402300800000ll

/* Relaxed form: an RFC 3339 string for years 1970 through 9999 (with
 * milliseconds only when there are some), else the canonical $numberLong. */
static void emit_datetime(struct json_out *o, int64_t ms)
{
	char s[25];
	unsigned mo, d, sec;
	int64_t y;

	if (ms < 0 || ms >= DATE_ISO_END) {
		emits(o, "{\"$date\":{\"$numberLong\":\"");
		emit_i64(o, ms);
		emits(o, "\"}}");
		return;
	}
	sec = (unsigned)((uint64_t)ms % 86400000 / 1000);
	date_from_days(ms / 86400000, &y, &mo, &d);
	put_dec(s, (unsigned)y, 4);
	s[4] = '-';
	put_dec(s + 5, mo, 2);
	s[7] = '-';
	put_dec(s + 8, d, 2);
	s[10] = 'T';
	put_dec(s + 11, sec / 3600, 2);
	s[13] = ':';
	put_dec(s + 14, sec / 60 % 60, 2);
	s[16] = ':';
	put_dec(s + 17, sec % 60, 2);
	s[19] = '.';
	put_dec(s + 20, (unsigned)((uint64_t)ms % 1000), 3);
	emits(o, "{\"$date\":\"");
	emit(o, s, ms % 1000 ? 23 : 19);
	emits(o, "Z\"}");
}

static void emit_oid(struct json_out *o, const uint8_t *oid)
{
	char hex[24];

	for (int i = 0; i < 12; i++) {
		hex[2 * i] = hex_digits[oid[i] >> 4];
		hex[2 * i + 1] = hex_digits[oid[i] & 15];
	}
	emits(o, "{\"$oid\":\"");
	emit(o, hex, 24);
	emits(o, "\"}");
}

/* RFC 4648 base64, with padding. */
static void emit_base64(struct json_out *o, const uint8_t *p, size_t n)
{
	static const char alphabet[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)p[i] << 16;
		char q[4];

		if (i + 1 < n)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		q[0] = alphabet[v >> 18];
		q[1] = alphabet[(v >> 12) & 63];
		q[2] = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
		q[3] = i + 2 < n ? alphabet[v & 63] : '=';
		emit(o, q, 4);
	}
}

static void emit_binary(struct json_out *o, const struct bson_iter *it)
{
	uint32_t len;
	uint8_t subtype;
	const uint8_t *data = bson_iter_binary(it, &len, &subtype);
	char st[2] = { hex_digits[subtype >> 4], hex_digits[subtype & 15] };

	emits(o, "{\"$binary\":{\"base64\":\"");
	emit_base64(o, data, len);
	emits(o, "\",\"subType\":\"");
	emit(o, st, 2);
	emits(o, "\"}}");
}

/* {"$name":"string"} */
static void emit_wrapped_string(struct json_out *o, const char *name, const char *s,
				size_t n)
{
	emits(o, "{\"");
	emits(o, name);
	emits(o, "\":");
	json_string(o, s, n);
	emits(o, "}");
}

static void emit_scalar(struct json_out *o, const struct bson_iter *it)
{
	const uint8_t *v = it->value, *oid;
	const char *s, *opts;
	uint32_t len, t, i;

	switch (it->type) {
	case BSON_DOUBLE:
		emit_double(o, get_le64(v));
		break;
	case BSON_STRING:
		s = bson_iter_utf8(it, &len);
		json_string(o, s, len);
		break;
	case BSON_BINARY:
		emit_binary(o, it);
		break;
	case BSON_UNDEFINED:
		emits(o, "{\"$undefined\":true}");
		break;
	case BSON_OBJECTID:
		emit_oid(o, v);
		break;
	case BSON_BOOL:
		emits(o, v[0] ? "true" : "false");
		break;
	case BSON_DATETIME:
		emit_datetime(o, (int64_t)get_le64(v));
		break;
	case BSON_REGEX:
		s = bson_iter_regex(it, &opts);
		emits(o, "{\"$regularExpression\":{\"pattern\":");
		json_cstring(o, s);
		emits(o, ",\"options\":");
		json_cstring(o, opts);
		emits(o, "}}");
		break;
	case BSON_DBPOINTER:
		s = bson_iter_dbpointer(it, &len, &oid);
		emits(o, "{\"$dbPointer\":{\"$ref\":");
		json_string(o, s, len);
		emits(o, ",\"$id\":");
		emit_oid(o, oid);
		emits(o, "}}");
		break;
	case BSON_CODE:
		s = bson_iter_utf8(it, &len);
		emit_wrapped_string(o, "$code", s, len);
		break;
	case BSON_SYMBOL:
		s = bson_iter_utf8(it, &len);
		emit_wrapped_string(o, "$symbol", s, len);
		break;
	case BSON_INT32:
		emit_i64(o, (int32_t)get_le32(v));
		break;
	case BSON_TIMESTAMP:
		bson_iter_timestamp(it, &t, &i);
		emits(o, "{\"$timestamp\":{\"t\":");
		emit_u64(o, t);
		emits(o, ",\"i\":");
		emit_u64(o, i);
		emits(o, "}}");
		break;
	case BSON_INT64:
		emit_i64(o, (int64_t)get_le64(v));
		break;
	case BSON_DECIMAL128:
		emit_decimal128(o, get_le64(v), get_le64(v + 8));
		break;
	case BSON_MINKEY:
		emits(o, "{\"$minKey\":1}");
		break;
	case BSON_MAXKEY:
		emits(o, "{\"$maxKey\":1}");
		break;
	default:
		emits(o, "null");
		break;
	}
}

/* --- printing: documents ---------------------------------------------- */

enum closer { CLOSE_DOCUMENT, CLOSE_ARRAY, CLOSE_SCOPE };

static const char *const closers[] = { "}", "]", "}}" };

/* A document being printed, while one nested in it is: where to resume. */
struct json_frame {
	uint32_t start;		/* offset of the document in the top one */
	uint32_t next;		/* its iterator's position */
	uint8_t closer;
};

/* Opens the value of the current element when it holds a document; returns
 * that document, or NULL after printing the whole value. */
static const uint8_t *open_value(struct json_out *o, const struct bson_iter *it,
				 enum closer *closer)
{
	const uint8_t *scope;
	const char *code;
	uint32_t len;

	switch (it->type) {
	case BSON_DOCUMENT:
		*closer = CLOSE_DOCUMENT;
		emit(o, "{", 1);
		return it->value;
	case BSON_ARRAY:
		*closer = CLOSE_ARRAY;
		emit(o, "[", 1);
		return it->value;
	case BSON_CODE_W_SCOPE:
		code = bson_iter_code_w_scope(it, &len, &scope);
		if (!code)
			break;
		*closer = CLOSE_SCOPE;
		emits(o, "{\"$code\":");
		json_string(o, code, len);
		emits(o, ",\"$scope\":{");
		return scope;
	default:
		emit_scalar(o, it);
		return NULL;
	}
	emits(o, "null");
	return NULL;
}

size_t bson_to_json(const void *doc, bson_sink_fn sink, void *ctx)
{
	struct json_out o = { sink, ctx, 0 };
	struct json_frame stack[BSON_MAX_DEPTH - 1];
	const uint8_t *top = doc;
	enum closer closer = CLOSE_DOCUMENT, child_closer;
	unsigned depth = 0;
	struct bson_iter it;
	bool first = true;

	bson_iter_init(&it, doc);
	emit(&o, "{", 1);
	for (;;) {
		const uint8_t *child;

		if (!bson_iter_next(&it)) {
			emits(&o, closers[closer]);
			if (depth == 0)
				return o.len;
			depth--;
			bson_iter_init(&it, top + stack[depth].start);
			it.next = stack[depth].next;
			closer = stack[depth].closer;
			first = false;
			continue;
		}
		if (!first)
			emit(&o, ",", 1);
		first = false;
		if (closer != CLOSE_ARRAY) {
			json_cstring(&o, it.key);
			emit(&o, ":", 1);
		}
		child = open_value(&o, &it, &child_closer);
		if (!child)
			continue;
		if (depth == BSON_MAX_DEPTH - 1) {
			/* Deeper than any valid document: shown empty. */
			emits(&o, closers[child_closer]);
			continue;
		}
		stack[depth].start = (uint32_t)(it.doc - top);
		stack[depth].next = it.next;
		stack[depth].closer = closer;
		depth++;
		bson_iter_init(&it, child);
		closer = child_closer;
		first = true;
	}
}

struct json_buf {
	char *buf;
	size_t size;
	size_t len;
};

static void buf_sink(void *ctx, const char *text, size_t n)
{
	struct json_buf *jb = ctx;

	if (jb->len < jb->size) {
		size_t room = jb->size - jb->len;

		memcpy(jb->buf + jb->len, text, n < room ? n : room);
	}
	jb->len += n;
}

size_t bson_to_json_buf(const void *doc, char *buf, size_t size)
{
	struct json_buf jb = { buf, size ? size - 1 : 0, 0 };
	size_t n = bson_to_json(doc, buf_sink, &jb);

	if (size)
		buf[n < size ? n : size - 1] = '\0';
	return n;
}
