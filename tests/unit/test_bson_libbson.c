/* lib/bson against MongoDB's libbson (libbson-1.0): documents of every type
 * built by one are accepted and read back identically by the other, and
 * random documents built by both from the same choices are the same bytes.
 *
 * Both define bson_validate, bson_iter_init, ...: the Makefile force-
 * includes tests/unit/bson_names.h, so lib/bson.h declares ours as
 * lib_bson_validate, lib_bson_iter_init, ...; bson_names_undo.h then gives
 * the plain names back to libbson's header. */
#include "lib/bson.h"
#include "tests/unit/bson_names_undo.h"

#include <bson/bson.h>

#include "unit.h"

#define MAX_DOC		65536

static uint64_t rng_state = 0x2545f4914f6cdd1dull;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

/* --- comparing a document read by both ---------------------------------- */

static char why[1024];

#define DIFFER(...) (snprintf(why, sizeof(why), __VA_ARGS__), false)

static bool same_doc(const uint8_t *ours, bson_iter_t *theirs, const char *path);

static bool same_bytes(const void *a, const void *b, size_t n)
{
	return n == 0 || memcmp(a, b, n) == 0;
}

/* The current element, read through our accessors and libbson's. */
static bool same_value(const struct bson_iter *o, bson_iter_t *t, const char *path)
{
	uint32_t olen, tlen, slen, ot, oi, tt, ti;
	const uint8_t *op, *tp, *oscope;
	const bson_oid_t *toid;
	bson_decimal128_t dec;
	const char *os, *ts, *oopt, *topt;
	bson_subtype_t tsub;
	uint64_t lo, hi, bits;
	bson_iter_t child;
	int64_t v64;
	int32_t v32;
	uint8_t osub;
	double d;
	bool flag;

	switch (o->type) {
	case BSON_DOUBLE:
		d = bson_iter_double(t);
		memcpy(&hi, &d, 8);
		return lib_bson_iter_double_bits(o, &bits) && bits == hi;
	case BSON_STRING:
		os = lib_bson_iter_utf8(o, &olen);
		ts = bson_iter_utf8(t, &tlen);
		return os && olen == tlen && same_bytes(os, ts, olen);
	case BSON_DOCUMENT:
	case BSON_ARRAY:
		return bson_iter_recurse(t, &child) && same_doc(o->value, &child, path);
	case BSON_BINARY:
		op = lib_bson_iter_binary(o, &olen, &osub);
		bson_iter_binary(t, &tsub, &tlen, &tp);
		return op && olen == tlen && osub == tsub && same_bytes(op, tp, olen);
	case BSON_OBJECTID:
		toid = bson_iter_oid(t);
		op = lib_bson_iter_objectid(o);
		return op && same_bytes(op, toid->bytes, 12);
	case BSON_BOOL:
		return lib_bson_iter_bool(o, &flag) && flag == bson_iter_bool(t);
	case BSON_DATETIME:
		return lib_bson_iter_datetime(o, &v64) && v64 == bson_iter_date_time(t);
	case BSON_REGEX:
		os = lib_bson_iter_regex(o, &oopt);
		ts = bson_iter_regex(t, &topt);
		return os && strcmp(os, ts) == 0 && strcmp(oopt, topt) == 0;
	case BSON_DBPOINTER:
		os = lib_bson_iter_dbpointer(o, &olen, &op);
		bson_iter_dbpointer(t, &tlen, &ts, &toid);
		return os && olen == tlen && same_bytes(os, ts, olen) &&
		       same_bytes(op, toid->bytes, 12);
	case BSON_CODE:
		os = lib_bson_iter_utf8(o, &olen);
		ts = bson_iter_code(t, &tlen);
		return os && olen == tlen && same_bytes(os, ts, olen);
	case BSON_SYMBOL:
		os = lib_bson_iter_utf8(o, &olen);
		ts = bson_iter_symbol(t, &tlen);
		return os && olen == tlen && same_bytes(os, ts, olen);
	case BSON_CODE_W_SCOPE:
		os = lib_bson_iter_code_w_scope(o, &olen, &oscope);
		ts = bson_iter_codewscope(t, &tlen, &slen, &tp);
		if (!os || olen != tlen || !same_bytes(os, ts, olen) ||
		    lib_bson_doc_length(oscope) != slen || !bson_iter_init_from_data(&child, tp, slen))
			return false;
		return same_doc(oscope, &child, path);
	case BSON_INT32:
		return lib_bson_iter_int32(o, &v32) && v32 == bson_iter_int32(t);
	case BSON_TIMESTAMP:
		bson_iter_timestamp(t, &tt, &ti);
		return lib_bson_iter_timestamp(o, &ot, &oi) && ot == tt && oi == ti;
	case BSON_INT64:
		return lib_bson_iter_int64(o, &v64) && v64 == bson_iter_int64(t);
	case BSON_DECIMAL128:
		bson_iter_decimal128(t, &dec);
		return lib_bson_iter_decimal128(o, &lo, &hi) && lo == dec.low && hi == dec.high;
	case BSON_UNDEFINED:
	case BSON_NULL:
	case BSON_MINKEY:
	case BSON_MAXKEY:
		return o->value_len == 0;
	default:
		return false;
	}
}

/* Walks our iterator and libbson's side by side: same keys, same types,
 * same values, same length; explains the first difference in why. */
static bool same_doc(const uint8_t *ours, bson_iter_t *theirs, const char *path)
{
	struct bson_iter o;
	char sub[256];

	lib_bson_iter_init(&o, ours);
	for (;;) {
		bool more_o = lib_bson_iter_next(&o), more_t = bson_iter_next(theirs);

		if (!more_o || !more_t) {
			if (more_o != more_t)
				return DIFFER("%s: one ends first (ours %d)", path, more_o);
			return true;
		}
		snprintf(sub, sizeof(sub), "%s.%s", path, o.key);
		if (strcmp(o.key, bson_iter_key(theirs)) != 0)
			return DIFFER("%s: key %s vs %s", path, o.key, bson_iter_key(theirs));
		if (o.type != (uint8_t)bson_iter_type(theirs))
			return DIFFER("%s: type %#x vs %#x", sub, o.type, bson_iter_type(theirs));
		if (!same_value(&o, theirs, sub))
			return why[0] ? false : DIFFER("%s: values differ", sub);
	}
}

static bool libbson_accepts(const uint8_t *doc, size_t len)
{
	bson_error_t err;
	bson_t b;

	if (!bson_init_static(&b, doc, len))
		return DIFFER("bson_init_static refused");
	if (!bson_validate_with_error(&b, BSON_VALIDATE_UTF8 | BSON_VALIDATE_UTF8_ALLOW_NULL,
				      &err))
		return DIFFER("libbson: %s", err.message);
	return true;
}

/* Ours validates doc, and walks it alongside libbson. */
static bool both_read_the_same(const uint8_t *doc, size_t len)
{
	struct bson_error err;
	bson_iter_t it;
	bson_t b;

	why[0] = '\0';
	if (lib_bson_validate(doc, len, BSON_MAX_DEPTH, &err) != 0)
		return DIFFER("ours refused at %zu: %s", err.offset, err.message);
	if (!libbson_accepts(doc, len))
		return false;
	bson_init_static(&b, doc, len);
	return bson_iter_init(&it, &b) && same_doc(doc, &it, "$");
}

/* --- fixed documents ------------------------------------------------------- */

static const uint8_t OID[12] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0xff };

TEST(test_libbson_document_of_every_type_reads_the_same_in_ours)
{
	bson_t b = BSON_INITIALIZER, child, scope = BSON_INITIALIZER;
	bson_oid_t oid;
	bson_decimal128_t dec = { .low = 12345, .high = 0x303c000000000000ull };

	memcpy(oid.bytes, OID, 12);
	bson_append_double(&b, "double", -1, -0.0);
	bson_append_utf8(&b, "utf8", -1, "h\xc3\xa9llo\0x", 8);
	bson_append_document_begin(&b, "doc", -1, &child);
	bson_append_int32(&child, "in", -1, -7);
	bson_append_document_end(&b, &child);
	bson_append_array_begin(&b, "arr", -1, &child);
	bson_append_bool(&child, "0", -1, true);
	bson_append_null(&child, "1", -1);
	bson_append_array_end(&b, &child);
	bson_append_binary(&b, "bin", -1, BSON_SUBTYPE_UUID, OID, 12);
	bson_append_binary(&b, "old", -1, BSON_SUBTYPE_BINARY_DEPRECATED, OID, 5);
	bson_append_undefined(&b, "undef", -1);
	bson_append_oid(&b, "oid", -1, &oid);
	bson_append_bool(&b, "false", -1, false);
	bson_append_date_time(&b, "date", -1, -123456789);
	bson_append_null(&b, "null", -1);
	bson_append_regex(&b, "re", -1, "^a+$", "imsx");
	bson_append_dbpointer(&b, "dbp", -1, "db.coll", &oid);
	bson_append_code(&b, "code", -1, "function() {}");
	bson_append_symbol(&b, "sym", -1, "s\xe2\x98\x86", 4);
	bson_append_int32(&scope, "x", -1, 1);
	bson_append_code_with_scope(&b, "cws", -1, "x + 1", &scope);
	bson_append_int32(&b, "int32", -1, INT32_MIN);
	bson_append_timestamp(&b, "ts", -1, 4000000000u, 7);
	bson_append_int64(&b, "int64", -1, INT64_MAX);
	bson_append_decimal128(&b, "dec", -1, &dec);
	bson_append_maxkey(&b, "max", -1);
	bson_append_minkey(&b, "min", -1);

	if (!both_read_the_same(bson_get_data(&b), b.len))
		UNIT_FAIL("%s", why);
	bson_destroy(&scope);
	bson_destroy(&b);
}

TEST(test_our_document_of_every_type_is_accepted_and_read_by_libbson)
{
	static uint8_t buf[1024], scope[64];
	struct bson_builder b;
	size_t n;

	lib_bson_build_init(&b, scope, sizeof(scope));
	lib_bson_append_int32(&b, "x", 1);
	CHECK(lib_bson_build_finish(&b) > 0);

	lib_bson_build_init(&b, buf, sizeof(buf));
	lib_bson_append_double(&b, "double", 2.5e-300);
	lib_bson_append_utf8(&b, "utf8", "h\xc3\xa9llo\0x", 8);
	lib_bson_begin_document(&b, "doc");
	lib_bson_append_int32(&b, "in", -7);
	lib_bson_end_document(&b);
	lib_bson_begin_array(&b, "arr");
	lib_bson_append_bool(&b, NULL, true);
	lib_bson_append_null(&b, NULL);
	lib_bson_end_array(&b);
	lib_bson_append_binary(&b, "bin", 0x04, OID, 12);
	lib_bson_append_binary(&b, "old", 0x02, OID, 5);
	lib_bson_append_undefined(&b, "undef");
	lib_bson_append_objectid(&b, "oid", OID);
	lib_bson_append_bool(&b, "false", false);
	lib_bson_append_datetime(&b, "date", -123456789);
	lib_bson_append_null(&b, "null");
	lib_bson_append_regex(&b, "re", "^a+$", "imsx");
	lib_bson_append_dbpointer(&b, "dbp", "db.coll", 7, OID);
	lib_bson_append_code(&b, "code", "function() {}", 13);
	lib_bson_append_symbol(&b, "sym", "s\xe2\x98\x86", 4);
	lib_bson_append_code_w_scope(&b, "cws", "x + 1", 5, scope);
	lib_bson_append_int32(&b, "int32", INT32_MIN);
	lib_bson_append_timestamp(&b, "ts", 4000000000u, 7);
	lib_bson_append_int64(&b, "int64", INT64_MAX);
	lib_bson_append_decimal128(&b, "dec", 12345, 0x303c000000000000ull);
	lib_bson_append_maxkey(&b, "max");
	lib_bson_append_minkey(&b, "min");
	n = lib_bson_build_finish(&b);
	CHECK(n > 0);
	if (!both_read_the_same(buf, n))
		UNIT_FAIL("%s", why);
}

/* --- random documents, built by both -------------------------------------- */

/* A random valid UTF-8 string of up to max bytes (NUL only if nul_ok). */
static size_t random_utf8(char *s, size_t max, bool nul_ok)
{
	static const char *const pieces[] = {
		"a", "Z", "0", ".", "$", " ", "\"", "\\", "\x01", "\x7f", "\xc3\xa9",
		"\xdf\xbf", "\xe2\x98\x86", "\xef\xbf\xbf", "\xf0\x9f\x90\xbc",
		"\xf4\x8f\xbf\xbf",
	};
	size_t n = 0, want = rng() % (max + 1);

	while (n < want) {
		const char *p = pieces[rng() % (sizeof(pieces) / sizeof(pieces[0]))];
		size_t len = strlen(p);

		if (nul_ok && rng() % 8 == 0) {
			p = "";
			len = 1;
		}
		if (n + len > max)
			break;
		memcpy(s + n, p, len);
		n += len;
	}
	s[n] = '\0';
	return n;
}

struct pair {
	struct bson_builder *ours;
	bson_t *theirs;
	bool array;
	unsigned index;
};

static void random_doc(struct pair *p, unsigned depth);

/* A code_w_scope: the scope is built by both separately, then appended. */
static void random_code_w_scope(struct pair *p, const char *okey, const char *tkey,
				unsigned depth)
{
	static uint8_t scope_buf[BSON_BUILD_DEPTH][MAX_DOC];
	struct bson_builder ob;
	bson_t tb = BSON_INITIALIZER;
	struct pair sp = { &ob, &tb, false, 0 };
	char code[32];

	lib_bson_build_init(&ob, scope_buf[depth], MAX_DOC);
	random_doc(&sp, depth + 1);
	lib_bson_build_finish(&ob);
	random_utf8(code, 30, false);
	lib_bson_append_code_w_scope(p->ours, okey, code, strlen(code), scope_buf[depth]);
	bson_append_code_with_scope(p->theirs, tkey, -1, code, &tb);
	bson_destroy(&tb);
}

static void random_container(struct pair *p, const char *okey, const char *tkey,
			     unsigned depth, bool array)
{
	bson_t child;
	struct pair cp = { p->ours, &child, array, 0 };

	if (array) {
		lib_bson_begin_array(p->ours, okey);
		bson_append_array_begin(p->theirs, tkey, -1, &child);
	} else {
		lib_bson_begin_document(p->ours, okey);
		bson_append_document_begin(p->theirs, tkey, -1, &child);
	}
	random_doc(&cp, depth + 1);
	if (array) {
		lib_bson_end_array(p->ours);
		bson_append_array_end(p->theirs, &child);
	} else {
		lib_bson_end_document(p->ours);
		bson_append_document_end(p->theirs, &child);
	}
}

static void random_element(struct pair *p, unsigned depth)
{
	static const char *const options[] = { "", "i", "im", "imsx", "lmsux" };
	char key[40], str[64], str2[16];
	const char *okey, *tkey = key;
	bson_decimal128_t dec;
	bson_oid_t oid;
	uint64_t bits = rng();
	size_t len;
	double d;

	if (p->array) {
		snprintf(key, sizeof(key), "%u", p->index++);
		okey = NULL;
	} else {
		random_utf8(key, 20, false);
		okey = key;
	}
	for (int i = 0; i < 12; i++)
		oid.bytes[i] = (uint8_t)rng();
	switch (rng() % (depth < 5 ? 23 : 20)) {
	case 0:
		memcpy(&d, &bits, 8);
		lib_bson_append_double_bits(p->ours, okey, bits);
		bson_append_double(p->theirs, tkey, -1, d);
		break;
	case 1:
		len = random_utf8(str, 60, true);
		lib_bson_append_utf8(p->ours, okey, str, len);
		bson_append_utf8(p->theirs, tkey, -1, str, (int)len);
		break;
	case 2:
		len = rng() % 40;
		for (size_t i = 0; i < len; i++)
			str[i] = (char)rng();
		lib_bson_append_binary(p->ours, okey, (uint8_t)bits, str, len);
		bson_append_binary(p->theirs, tkey, -1, (bson_subtype_t)(uint8_t)bits,
				   (const uint8_t *)str, (uint32_t)len);
		break;
	case 3:
		lib_bson_append_undefined(p->ours, okey);
		bson_append_undefined(p->theirs, tkey, -1);
		break;
	case 4:
		lib_bson_append_objectid(p->ours, okey, oid.bytes);
		bson_append_oid(p->theirs, tkey, -1, &oid);
		break;
	case 5:
		lib_bson_append_bool(p->ours, okey, bits & 1);
		bson_append_bool(p->theirs, tkey, -1, bits & 1);
		break;
	case 6:
		lib_bson_append_datetime(p->ours, okey, (int64_t)bits);
		bson_append_date_time(p->theirs, tkey, -1, (int64_t)bits);
		break;
	case 7:
		lib_bson_append_null(p->ours, okey);
		bson_append_null(p->theirs, tkey, -1);
		break;
	case 8:	/* libbson sorts the options: give them sorted */
		random_utf8(str, 30, false);
		lib_bson_append_regex(p->ours, okey, str, options[bits % 5]);
		bson_append_regex(p->theirs, tkey, -1, str, options[bits % 5]);
		break;
	case 9:
		random_utf8(str, 30, false);
		lib_bson_append_dbpointer(p->ours, okey, str, strlen(str), oid.bytes);
		bson_append_dbpointer(p->theirs, tkey, -1, str, &oid);
		break;
	case 10:
		random_utf8(str, 30, false);
		lib_bson_append_code(p->ours, okey, str, strlen(str));
		bson_append_code(p->theirs, tkey, -1, str);
		break;
	case 11:
		len = random_utf8(str, 30, true);
		lib_bson_append_symbol(p->ours, okey, str, len);
		bson_append_symbol(p->theirs, tkey, -1, str, (int)len);
		break;
	case 12:
		lib_bson_append_int32(p->ours, okey, (int32_t)bits);
		bson_append_int32(p->theirs, tkey, -1, (int32_t)bits);
		break;
	case 13:
		lib_bson_append_timestamp(p->ours, okey, (uint32_t)(bits >> 32), (uint32_t)bits);
		bson_append_timestamp(p->theirs, tkey, -1, (uint32_t)(bits >> 32), (uint32_t)bits);
		break;
	case 14:
		lib_bson_append_int64(p->ours, okey, (int64_t)bits);
		bson_append_int64(p->theirs, tkey, -1, (int64_t)bits);
		break;
	case 15:
		dec.low = rng();
		dec.high = bits;
		lib_bson_append_decimal128(p->ours, okey, dec.low, dec.high);
		bson_append_decimal128(p->theirs, tkey, -1, &dec);
		break;
	case 16:
		lib_bson_append_minkey(p->ours, okey);
		bson_append_minkey(p->theirs, tkey, -1);
		break;
	case 17:
		lib_bson_append_maxkey(p->ours, okey);
		bson_append_maxkey(p->theirs, tkey, -1);
		break;
	case 18:
		random_utf8(str2, 15, false);
		lib_bson_append_cstr(p->ours, okey, str2);
		bson_append_utf8(p->theirs, tkey, -1, str2, -1);
		break;
	case 19:
		lib_bson_append_double(p->ours, okey, (double)(int32_t)bits / 64);
		bson_append_double(p->theirs, tkey, -1, (double)(int32_t)bits / 64);
		break;
	case 20:
		random_container(p, okey, tkey, depth, false);
		break;
	case 21:
		random_container(p, okey, tkey, depth, true);
		break;
	default:
		random_code_w_scope(p, okey, tkey, depth);
		break;
	}
}

static void random_doc(struct pair *p, unsigned depth)
{
	for (unsigned n = (unsigned)(rng() % (depth == 1 ? 24 : 8)); n > 0; n--)
		random_element(p, depth);
}

/* The element types in doc and its nested documents, as a bit set. */
static uint32_t seen_types(const uint8_t *doc)
{
	struct bson_iter it;
	uint32_t set = 0, len;
	const uint8_t *scope;

	lib_bson_iter_init(&it, doc);
	while (lib_bson_iter_next(&it)) {
		set |= it.type == BSON_MINKEY ? 1u << 30 : it.type == BSON_MAXKEY ? 1u << 31 :
		       1u << it.type;
		if (it.type == BSON_DOCUMENT || it.type == BSON_ARRAY)
			set |= seen_types(it.value);
		if (lib_bson_iter_code_w_scope(&it, &len, &scope))
			set |= seen_types(scope);
	}
	return set;
}

TEST(test_random_documents_agree_both_ways)
{
	static uint8_t buf[MAX_DOC];
	size_t total = 0;
	uint32_t types = 0;

	for (int round = 0; round < 400; round++) {
		struct bson_builder ob;
		bson_t tb = BSON_INITIALIZER;
		struct pair p = { &ob, &tb, false, 0 };
		size_t n;

		lib_bson_build_init(&ob, buf, sizeof(buf));
		random_doc(&p, 1);
		n = lib_bson_build_finish(&ob);
		if (n == 0)
			UNIT_FAIL("round %d: our builder failed", round);
		total += n;
		types |= seen_types(buf);
		if (n != tb.len || memcmp(buf, bson_get_data(&tb), n) != 0)
			UNIT_FAIL("round %d: %zu bytes by ours, %u by libbson", round, n, tb.len);
		/* libbson's bytes read by ours, and ours (a copy) by libbson */
		if (!both_read_the_same(bson_get_data(&tb), tb.len))
			UNIT_FAIL("round %d: %s", round, why);
		uint8_t *copy = malloc(n);

		memcpy(copy, buf, n);
		if (!both_read_the_same(copy, n))
			UNIT_FAIL("round %d: %s", round, why);
		free(copy);
		bson_destroy(&tb);
	}
	CHECK(total > 100000);
	CHECK_EQ(types, 0xc00ffffe);	/* 0x01..0x13, minkey, maxkey: all of them */
}

/* Damaged random documents: whatever ours accepts, libbson accepts and
 * reads the same. Not the converse: libbson 1.23 is laxer (it does not
 * check the UTF-8 of keys and regexes, passes over element types it does
 * not know and embedded documents whose last byte is not NUL), where ours
 * follows the specification and the corpus's decodeErrors. */
TEST(test_damaged_documents_ours_accepts_libbson_reads_the_same)
{
	static uint8_t buf[MAX_DOC];
	unsigned accepted = 0;

	for (int round = 0; round < 30000; round++) {
		struct bson_builder ob;
		bson_t tb = BSON_INITIALIZER;
		struct pair p = { &ob, &tb, false, 0 };
		uint8_t *copy;
		size_t n;

		lib_bson_build_init(&ob, buf, sizeof(buf));
		random_doc(&p, 1);
		n = lib_bson_build_finish(&ob);
		bson_destroy(&tb);
		for (int k = 1 + (int)(rng() % 3); k > 0; k--) {
			size_t at = rng() % n;

			if (rng() % 2)
				buf[at] ^= (uint8_t)(1u << (rng() % 8));
			else
				buf[at] = (uint8_t)rng();
		}
		copy = malloc(n);
		memcpy(copy, buf, n);
		if (lib_bson_validate(copy, n, BSON_MAX_DEPTH, NULL) == 0) {
			accepted++;
			if (!both_read_the_same(copy, n))
				UNIT_FAIL("round %d: %s", round, why);
		}
		free(copy);
	}
	CHECK(accepted > 1000);
}
