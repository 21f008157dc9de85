/* BSON 1.1 (bsonspec.org): validation, iteration, building and relaxed
 * Extended JSON. Nothing here recurses: nesting is followed with small
 * explicit stacks, so stack use stays bounded whatever the document (under
 * 3 KiB, in bson_to_json printing a double), as the kernel needs. No
 * floating point either: doubles are printed with integer arithmetic on
 * their bit patterns. */
#include "lib/bson.h"

#include "lib/errors.h"
#include "lib/string.h"

/* A document's int32 length is signed; the largest is INT32_MAX. */
#define MAX_SIZE	0x7fffffffu

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static uint64_t rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

static void wr32(uint8_t *p, uint32_t v)
{
	p[0] = v;
	p[1] = v >> 8;
	p[2] = v >> 16;
	p[3] = v >> 24;
}

static void wr64(uint8_t *p, uint64_t v)
{
	wr32(p, (uint32_t)v);
	wr32(p + 4, (uint32_t)(v >> 32));
}

uint32_t bson_doc_length(const void *doc)
{
	return rd32(doc);
}

/* --- UTF-8 ------------------------------------------------------------ */

/* The bytes a sequence led by c must have after it, and the range of the
 * first of them, which is what excludes overlong forms, surrogates and
 * code points above U+10FFFF (RFC 3629, section 4). */
static unsigned utf8_lead(uint8_t c, uint8_t *lo, uint8_t *hi)
{
	*lo = 0x80;
	*hi = 0xbf;
	if (c >= 0xc2 && c <= 0xdf)
		return 1;
	if (c >= 0xe0 && c <= 0xef) {
		if (c == 0xe0)
			*lo = 0xa0;
		else if (c == 0xed)
			*hi = 0x9f;
		return 2;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (c == 0xf0)
			*lo = 0x90;
		else if (c == 0xf4)
			*hi = 0x8f;
		return 3;
	}
	return 0;
}

/* BSON strings may hold NUL (their length is explicit); cstrings cannot. */
static bool utf8_valid(const uint8_t *s, size_t n, bool allow_nul)
{
	size_t i = 0;

	while (i < n) {
		uint8_t c = s[i++], lo, hi;
		unsigned more;

		if (c < 0x80) {
			if (c == 0 && !allow_nul)
				return false;
			continue;
		}
		more = utf8_lead(c, &lo, &hi);
		if (more == 0 || more > n - i)
			return false;
		if (s[i] < lo || s[i] > hi)
			return false;
		for (unsigned k = 1; k < more; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
		i += more;
	}
	return true;
}

/* --- value sizes ------------------------------------------------------ */

/* An int32 length field at v, at least min; false when the room before the
 * enclosing terminator cannot even hold the field. */
static bool length_field(const uint8_t *v, size_t room, int32_t min, size_t *len)
{
	int32_t l;

	if (room < 4)
		return false;
	l = (int32_t)rd32(v);
	if (l < min)
		return false;
	*len = (size_t)l;
	return true;
}

/* A string value (int32 length counting the NUL, bytes, NUL): its size. */
static const char *string_size(const uint8_t *v, size_t room, size_t *size)
{
	size_t l;

	if (!length_field(v, room, 1, &l))
		return room < 4 ? "value runs past its document" : "bad string length";
	if (l > room - 4)
		return "string runs past its document";
	*size = 4 + l;
	return NULL;
}

static const char *cstring_size(const uint8_t *v, size_t room, size_t *size)
{
	const uint8_t *nul = memchr(v, 0, room);

	if (!nul)
		return "cstring runs past its document";
	*size = (size_t)(nul - v) + 1;
	return NULL;
}

/* The size of the value of an element of `type` at v, which must fit in the
 * `room` bytes before its document's terminator. Only lengths are checked
 * (what the iterator needs to stay in bounds); NULL or why not. */
static const char *value_size(uint8_t type, const uint8_t *v, size_t room, size_t *size)
{
	const char *why = NULL;
	size_t n = 0, m;

	switch (type) {
	case BSON_NULL:
	case BSON_UNDEFINED:
	case BSON_MINKEY:
	case BSON_MAXKEY:
		break;
	case BSON_BOOL:
		n = 1;
		break;
	case BSON_INT32:
		n = 4;
		break;
	case BSON_DOUBLE:
	case BSON_DATETIME:
	case BSON_TIMESTAMP:
	case BSON_INT64:
		n = 8;
		break;
	case BSON_OBJECTID:
		n = 12;
		break;
	case BSON_DECIMAL128:
		n = 16;
		break;
	case BSON_STRING:
	case BSON_CODE:
	case BSON_SYMBOL:
		why = string_size(v, room, &n);
		break;
	case BSON_DBPOINTER:
		if (!(why = string_size(v, room, &n)))
			n += 12;
		break;
	case BSON_DOCUMENT:
	case BSON_ARRAY:
		if (!length_field(v, room, BSON_MIN_SIZE, &n))
			why = "bad embedded document length";
		break;
	case BSON_CODE_W_SCOPE:
		/* int32 total, a string of at least 5 bytes, a document */
		if (!length_field(v, room, 4 + 5 + BSON_MIN_SIZE, &n))
			why = "bad code_w_scope length";
		break;
	case BSON_BINARY:
		if (!length_field(v, room, 0, &n))
			why = "bad binary length";
		n += 5;		/* the length field and the subtype */
		break;
	case BSON_REGEX:
		if (!(why = cstring_size(v, room, &n)) &&
		    !(why = cstring_size(v + n, room - n, &m)))
			n += m;
		break;
	default:
		return "unknown element type";
	}
	if (!why && n > room)
		why = "value runs past its document";
	*size = n;
	return why;
}

/* --- validation ------------------------------------------------------- */

static int refuse(struct bson_error *err, size_t offset, const char *why)
{
	if (err) {
		err->message = why;
		err->offset = offset;
	}
	return -EBADMSG;
}

/* A string value already known to fit: NUL at the end, UTF-8 before it. */
static const char *check_string(const uint8_t *v, size_t size)
{
	if (v[size - 1] != 0)
		return "string not NUL-terminated";
	if (!utf8_valid(v + 4, size - 5, true))
		return "string is not valid UTF-8";
	return NULL;
}

static const char *check_binary(const uint8_t *v, size_t size)
{
	/* Subtype 0x02 (old binary) repeats the length inside the data. */
	if (v[4] == 0x02 && (size < 9 || rd32(v + 5) != size - 9))
		return "old binary (0x02) inner length mismatch";
	return NULL;
}

static const char *check_regex(const uint8_t *v, size_t size)
{
	size_t p = strlen((const char *)v);

	if (!utf8_valid(v, p, false) || !utf8_valid(v + p + 1, size - p - 2, false))
		return "regex is not valid UTF-8";
	return NULL;
}

/* Code with scope: total length, string, document, exactly filling it.
 * On success *scope is the scope document's offset from v. */
static const char *check_code_w_scope(const uint8_t *v, size_t size, size_t *scope)
{
	const char *why;
	size_t s;

	if ((why = string_size(v + 4, size - 4, &s)) || (why = check_string(v + 4, s)))
		return why;
	if (size - 4 - s < BSON_MIN_SIZE || rd32(v + 4 + s) != size - 4 - s)
		return "code_w_scope scope length mismatch";
	*scope = 4 + s;
	return NULL;
}

/* The checks beyond sizes (embedded documents are checked by walking
 * them); *child is set (non-zero) to the offset from v of the scope of a
 * code_w_scope, the document to descend into. */
static const char *check_value(uint8_t type, const uint8_t *v, size_t size, size_t *child)
{
	*child = 0;
	switch (type) {
	case BSON_STRING:
	case BSON_CODE:
	case BSON_SYMBOL:
		return check_string(v, size);
	case BSON_DBPOINTER:
		return check_string(v, size - 12);
	case BSON_BOOL:
		return v[0] > 1 ? "bool is neither 0 nor 1" : NULL;
	case BSON_BINARY:
		return check_binary(v, size);
	case BSON_REGEX:
		return check_regex(v, size);
	case BSON_CODE_W_SCOPE:
		return check_code_w_scope(v, size, child);
	default:
		return NULL;
	}
}

/* One element at off, in a document whose terminator is at last. Returns
 * NULL and sets *next, or why not (with *off moved to the culprit). */
static const char *check_element(const uint8_t *d, size_t *off, size_t last, size_t *next,
				 size_t *child)
{
	const uint8_t *key = d + *off + 1, *nul;
	const char *why;
	uint8_t type = d[*off];
	size_t v, size;

	nul = memchr(key, 0, last - (*off + 1));
	if (!nul)
		return "key runs past its document";
	if (!utf8_valid(key, (size_t)(nul - key), false))
		return "key is not valid UTF-8";
	v = (size_t)(nul - d) + 1;
	if ((why = value_size(type, d + v, last - v, &size)))
		return why;
	if (type == BSON_DOCUMENT || type == BSON_ARRAY) {
		*child = v;
	} else {
		if ((why = check_value(type, d + v, size, child))) {
			*off = v;
			return why;
		}
		if (*child)
			*child += v;
	}
	*next = v + size;
	return NULL;
}

int bson_validate(const void *doc, size_t size, unsigned max_depth, struct bson_error *err)
{
	const uint8_t *d = doc;
	uint32_t end[BSON_MAX_DEPTH];	/* one past each open document */
	unsigned depth = 1;
	size_t off = 4;

	if (max_depth > BSON_MAX_DEPTH)
		max_depth = BSON_MAX_DEPTH;
	if (size < BSON_MIN_SIZE)
		return refuse(err, 0, "shorter than the smallest document");
	if (size > MAX_SIZE || rd32(d) != size)
		return refuse(err, 0, "declared length differs from the size");
	if (max_depth == 0)
		return refuse(err, 0, "nested deeper than allowed");
	end[0] = (uint32_t)size;
	while (depth > 0) {
		size_t last = end[depth - 1] - 1, next, child;
		const char *why;

		if (off == last) {
			if (d[off] != 0)
				return refuse(err, off, "document not NUL-terminated");
			off++;
			depth--;
			continue;
		}
		if (d[off] == 0)
			return refuse(err, off, "terminator before the declared end");
		child = 0;
		if ((why = check_element(d, &off, last, &next, &child)))
			return refuse(err, off, why);
		if (!child) {
			off = next;
			continue;
		}
		if (depth == max_depth)
			return refuse(err, child, "nested deeper than allowed");
		end[depth++] = (uint32_t)next;
		off = child + 4;
	}
	return 0;
}

/* --- iterating -------------------------------------------------------- */

void bson_iter_init(struct bson_iter *it, const void *doc)
{
	it->doc = doc;
	it->doc_len = rd32(doc);
	it->next = 4;
	it->type = 0;
	it->key = NULL;
	it->value = NULL;
	it->value_len = 0;
}

/* Stops the walk for good: at the end or on something malformed. */
static bool iter_stop(struct bson_iter *it)
{
	it->next = it->doc_len > 4 ? it->doc_len - 1 : 4;
	it->type = 0;
	return false;
}

bool bson_iter_next(struct bson_iter *it)
{
	size_t last, v, size;
	const uint8_t *nul;

	/* A declared length beyond MAX_SIZE is not a document's. */
	if (it->doc_len < BSON_MIN_SIZE || it->doc_len > MAX_SIZE ||
	    it->next >= it->doc_len - 1 || it->doc[it->next] == 0)
		return iter_stop(it);
	last = it->doc_len - 1;
	nul = memchr(it->doc + it->next + 1, 0, last - (it->next + 1));
	if (!nul)
		return iter_stop(it);
	v = (size_t)(nul - it->doc) + 1;
	if (value_size(it->doc[it->next], it->doc + v, last - v, &size))
		return iter_stop(it);
	it->type = it->doc[it->next];
	it->key = (const char *)it->doc + it->next + 1;
	it->value = it->doc + v;
	it->value_len = (uint32_t)size;
	it->next = (uint32_t)(v + size);
	return true;
}

bool bson_iter_find(struct bson_iter *it, const char *key)
{
	while (bson_iter_next(it))
		if (strcmp(it->key, key) == 0)
			return true;
	return false;
}

bool bson_iter_recurse(const struct bson_iter *it, struct bson_iter *child)
{
	if (it->type != BSON_DOCUMENT && it->type != BSON_ARRAY)
		return false;
	bson_iter_init(child, it->value);
	return true;
}

bool bson_find(const void *doc, const char *key, struct bson_iter *it)
{
	bson_iter_init(it, doc);
	return bson_iter_find(it, key);
}

/* Array elements are found by key like any other: their keys are the
 * indexes in decimal, "0", "1", ... */
bool bson_find_path(const void *doc, const char *path, struct bson_iter *it)
{
	struct bson_iter cur;

	bson_iter_init(&cur, doc);
	for (;;) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		bool found = false;

		while (!found && bson_iter_next(&cur))
			found = strncmp(cur.key, path, n) == 0 && cur.key[n] == '\0';
		if (!found)
			return false;
		if (!dot) {
			*it = cur;
			return true;
		}
		if (!bson_iter_recurse(&cur, &cur))
			return false;
		path = dot + 1;
	}
}

/* --- accessors -------------------------------------------------------- */

bool bson_iter_int32(const struct bson_iter *it, int32_t *v)
{
	if (it->type != BSON_INT32)
		return false;
	*v = (int32_t)rd32(it->value);
	return true;
}

bool bson_iter_int64(const struct bson_iter *it, int64_t *v)
{
	if (it->type != BSON_INT64)
		return false;
	*v = (int64_t)rd64(it->value);
	return true;
}

bool bson_iter_integer(const struct bson_iter *it, int64_t *v)
{
	int32_t v32;

	if (bson_iter_int32(it, &v32)) {
		*v = v32;
		return true;
	}
	return bson_iter_int64(it, v);
}

bool bson_iter_bool(const struct bson_iter *it, bool *v)
{
	if (it->type != BSON_BOOL)
		return false;
	*v = it->value[0] != 0;
	return true;
}

bool bson_iter_double_bits(const struct bson_iter *it, uint64_t *bits)
{
	if (it->type != BSON_DOUBLE)
		return false;
	*bits = rd64(it->value);
	return true;
}

bool bson_iter_datetime(const struct bson_iter *it, int64_t *ms)
{
	if (it->type != BSON_DATETIME)
		return false;
	*ms = (int64_t)rd64(it->value);
	return true;
}

const char *bson_iter_utf8(const struct bson_iter *it, uint32_t *len)
{
	if (it->type != BSON_STRING && it->type != BSON_SYMBOL && it->type != BSON_CODE)
		return NULL;
	*len = it->value_len - 5;
	return (const char *)it->value + 4;
}

/* Subtype 0x02 (old binary) wraps the data in a second length, which is
 * left out here and added back by bson_append_binary(), as libbson does. */
const uint8_t *bson_iter_binary(const struct bson_iter *it, uint32_t *len, uint8_t *subtype)
{
	uint32_t skip = 5;

	if (it->type != BSON_BINARY)
		return NULL;
	*subtype = it->value[4];
	if (*subtype == 0x02 && it->value_len >= 9)
		skip = 9;
	*len = it->value_len - skip;
	return it->value + skip;
}

const uint8_t *bson_iter_document(const struct bson_iter *it, uint32_t *len)
{
	if (it->type != BSON_DOCUMENT && it->type != BSON_ARRAY)
		return NULL;
	*len = it->value_len;
	return it->value;
}

const uint8_t *bson_iter_objectid(const struct bson_iter *it)
{
	return it->type == BSON_OBJECTID ? it->value : NULL;
}

const char *bson_iter_regex(const struct bson_iter *it, const char **options)
{
	const char *pattern = (const char *)it->value;

	if (it->type != BSON_REGEX)
		return NULL;
	*options = pattern + strlen(pattern) + 1;
	return pattern;
}

bool bson_iter_timestamp(const struct bson_iter *it, uint32_t *t, uint32_t *i)
{
	if (it->type != BSON_TIMESTAMP)
		return false;
	*i = rd32(it->value);
	*t = rd32(it->value + 4);
	return true;
}

bool bson_iter_decimal128(const struct bson_iter *it, uint64_t *low, uint64_t *high)
{
	if (it->type != BSON_DECIMAL128)
		return false;
	*low = rd64(it->value);
	*high = rd64(it->value + 8);
	return true;
}

/* The string and scope lengths are checked again: the total was all the
 * iterator looked at. */
const char *bson_iter_code_w_scope(const struct bson_iter *it, uint32_t *len,
				   const uint8_t **scope)
{
	size_t s;

	if (it->type != BSON_CODE_W_SCOPE ||
	    string_size(it->value + 4, it->value_len - 4, &s) ||
	    it->value_len - 4 - s < BSON_MIN_SIZE ||
	    rd32(it->value + 4 + s) != it->value_len - 4 - s)
		return NULL;
	*len = (uint32_t)s - 5;
	*scope = it->value + 4 + s;
	return (const char *)it->value + 8;
}

const char *bson_iter_dbpointer(const struct bson_iter *it, uint32_t *len,
				const uint8_t **oid)
{
	if (it->type != BSON_DBPOINTER)
		return NULL;
	*len = it->value_len - 17;
	*oid = it->value + it->value_len - 12;
	return (const char *)it->value + 4;
}

/* --- building --------------------------------------------------------- */

/* Decimal digits of v into buf (at least 10 bytes); returns their count. */
static size_t fmt_u32(char *buf, uint32_t v)
{
	char tmp[10];
	size_t n = 0, i = 0;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		buf[i++] = tmp[--n];
	return i;
}

static bool build_fail(struct bson_builder *b)
{
	b->failed = true;
	return false;
}

void bson_build_init(struct bson_builder *b, void *buf, size_t cap)
{
	b->buf = buf;
	b->cap = cap;
	b->len = 0;
	b->depth = 0;
	b->failed = cap < BSON_MIN_SIZE;
	if (b->failed)
		return;
	wr32(b->buf, 0);
	b->len = 4;
	b->open[0] = 0;
	b->index[0] = 0;
	b->is_array[0] = false;
	b->depth = 1;
}

/* The key of the next element in the innermost open document: the
 * caller's, which must be a valid UTF-8 cstring, or in an array the next
 * index when key is NULL (written into index). */
static const char *next_key(const struct bson_builder *b, const char *key, char *index,
			    size_t *klen)
{
	unsigned level = b->depth - 1;

	if (key) {
		*klen = strlen(key);
		return utf8_valid((const uint8_t *)key, *klen, false) ? key : NULL;
	}
	if (!b->is_array[level])
		return NULL;
	*klen = fmt_u32(index, b->index[level]);
	index[*klen] = '\0';
	return index;
}

/* Starts an element and reserves its value's bytes, keeping one byte for
 * the terminator of each open document and of `opens` more about to be
 * opened. Returns where the value goes, or NULL (the builder failed). */
static uint8_t *element(struct bson_builder *b, uint8_t type, const char *key,
			size_t value_len, unsigned opens)
{
	size_t limit = b->cap < MAX_SIZE ? b->cap : MAX_SIZE;
	char index[11];
	size_t klen;
	uint8_t *p;

	if (b->failed || b->depth == 0 || !(key = next_key(b, key, index, &klen)))
		goto fail;
	if (klen > MAX_SIZE || value_len > MAX_SIZE ||
	    1 + klen + 1 + value_len + b->depth + opens > limit - b->len)
		goto fail;
	p = b->buf + b->len;
	p[0] = type;
	memcpy(p + 1, key, klen + 1);
	b->len += 1 + klen + 1 + value_len;
	if (b->is_array[b->depth - 1])
		b->index[b->depth - 1]++;
	return p + 1 + klen + 1;
fail:
	b->failed = true;
	return NULL;
}

static void close_level(struct bson_builder *b)
{
	uint32_t start;

	b->depth--;
	start = b->open[b->depth];
	b->buf[b->len++] = 0;
	wr32(b->buf + start, (uint32_t)(b->len - start));
}

size_t bson_build_finish(struct bson_builder *b)
{
	if (b->failed || b->depth != 1) {
		b->failed = true;
		return 0;
	}
	close_level(b);
	return b->len;
}

static bool put_fixed(struct bson_builder *b, uint8_t type, const char *key,
		      const void *value, size_t len)
{
	uint8_t *p = element(b, type, key, len, 0);

	if (!p)
		return false;
	if (len)
		memcpy(p, value, len);
	return true;
}

bool bson_append_int32(struct bson_builder *b, const char *key, int32_t v)
{
	uint8_t buf[4];

	wr32(buf, (uint32_t)v);
	return put_fixed(b, BSON_INT32, key, buf, 4);
}

static bool put_u64(struct bson_builder *b, uint8_t type, const char *key, uint64_t v)
{
	uint8_t buf[8];

	wr64(buf, v);
	return put_fixed(b, type, key, buf, 8);
}

bool bson_append_int64(struct bson_builder *b, const char *key, int64_t v)
{
	return put_u64(b, BSON_INT64, key, (uint64_t)v);
}

bool bson_append_double_bits(struct bson_builder *b, const char *key, uint64_t bits)
{
	return put_u64(b, BSON_DOUBLE, key, bits);
}

bool bson_append_datetime(struct bson_builder *b, const char *key, int64_t ms)
{
	return put_u64(b, BSON_DATETIME, key, (uint64_t)ms);
}

bool bson_append_timestamp(struct bson_builder *b, const char *key, uint32_t t, uint32_t i)
{
	return put_u64(b, BSON_TIMESTAMP, key, (uint64_t)t << 32 | i);
}

bool bson_append_bool(struct bson_builder *b, const char *key, bool v)
{
	uint8_t byte = v;

	return put_fixed(b, BSON_BOOL, key, &byte, 1);
}

bool bson_append_null(struct bson_builder *b, const char *key)
{
	return put_fixed(b, BSON_NULL, key, NULL, 0);
}

bool bson_append_undefined(struct bson_builder *b, const char *key)
{
	return put_fixed(b, BSON_UNDEFINED, key, NULL, 0);
}

bool bson_append_minkey(struct bson_builder *b, const char *key)
{
	return put_fixed(b, BSON_MINKEY, key, NULL, 0);
}

bool bson_append_maxkey(struct bson_builder *b, const char *key)
{
	return put_fixed(b, BSON_MAXKEY, key, NULL, 0);
}

bool bson_append_objectid(struct bson_builder *b, const char *key, const uint8_t oid[12])
{
	return put_fixed(b, BSON_OBJECTID, key, oid, 12);
}

bool bson_append_decimal128(struct bson_builder *b, const char *key, uint64_t low,
			    uint64_t high)
{
	uint8_t buf[16];

	wr64(buf, low);
	wr64(buf + 8, high);
	return put_fixed(b, BSON_DECIMAL128, key, buf, 16);
}

/* A string's bytes into p: int32 length with the NUL, bytes, NUL. */
static void put_string(uint8_t *p, const char *s, size_t len)
{
	wr32(p, (uint32_t)len + 1);
	if (len)
		memcpy(p + 4, s, len);
	p[4 + len] = 0;
}

static bool append_string(struct bson_builder *b, uint8_t type, const char *key,
			  const char *s, size_t len)
{
	uint8_t *p;

	if (len >= MAX_SIZE - 4 || !utf8_valid((const uint8_t *)s, len, true))
		return build_fail(b);
	p = element(b, type, key, 4 + len + 1, 0);
	if (!p)
		return false;
	put_string(p, s, len);
	return true;
}

bool bson_append_utf8(struct bson_builder *b, const char *key, const char *s, size_t len)
{
	return append_string(b, BSON_STRING, key, s, len);
}

bool bson_append_cstr(struct bson_builder *b, const char *key, const char *s)
{
	return append_string(b, BSON_STRING, key, s, strlen(s));
}

bool bson_append_symbol(struct bson_builder *b, const char *key, const char *s, size_t len)
{
	return append_string(b, BSON_SYMBOL, key, s, len);
}

bool bson_append_code(struct bson_builder *b, const char *key, const char *s, size_t len)
{
	return append_string(b, BSON_CODE, key, s, len);
}

bool bson_append_binary(struct bson_builder *b, const char *key, uint8_t subtype,
			const void *data, size_t len)
{
	size_t inner = subtype == 0x02 ? 4 : 0;
	uint8_t *p;

	if (len > MAX_SIZE - 5 - inner)
		return build_fail(b);
	p = element(b, BSON_BINARY, key, 5 + inner + len, 0);
	if (!p)
		return false;
	wr32(p, (uint32_t)(len + inner));
	p[4] = subtype;
	if (inner)
		wr32(p + 5, (uint32_t)len);
	if (len)
		memcpy(p + 5 + inner, data, len);
	return true;
}

bool bson_append_regex(struct bson_builder *b, const char *key, const char *pattern,
		       const char *options)
{
	size_t pl = strlen(pattern), ol = strlen(options);
	uint8_t *p;

	if (!utf8_valid((const uint8_t *)pattern, pl, false) ||
	    !utf8_valid((const uint8_t *)options, ol, false) || pl > MAX_SIZE || ol > MAX_SIZE)
		return build_fail(b);
	p = element(b, BSON_REGEX, key, pl + 1 + ol + 1, 0);
	if (!p)
		return false;
	memcpy(p, pattern, pl + 1);
	memcpy(p + pl + 1, options, ol + 1);
	return true;
}

bool bson_append_dbpointer(struct bson_builder *b, const char *key, const char *ns,
			   size_t len, const uint8_t oid[12])
{
	uint8_t *p;

	if (len >= MAX_SIZE - 16 || !utf8_valid((const uint8_t *)ns, len, true))
		return build_fail(b);
	p = element(b, BSON_DBPOINTER, key, 4 + len + 1 + 12, 0);
	if (!p)
		return false;
	put_string(p, ns, len);
	memcpy(p + 4 + len + 1, oid, 12);
	return true;
}

/* A document to copy in must be valid, and not so deep that the result
 * would be refused: the builder produces only valid documents. */
static bool doc_ok(const struct bson_builder *b, const void *doc)
{
	return bson_validate(doc, bson_doc_length(doc), BSON_MAX_DEPTH - b->depth, NULL) == 0;
}

static bool append_doc(struct bson_builder *b, uint8_t type, const char *key, const void *doc)
{
	if (b->failed || !doc_ok(b, doc))
		return build_fail(b);
	return put_fixed(b, type, key, doc, bson_doc_length(doc));
}

bool bson_append_document(struct bson_builder *b, const char *key, const void *doc)
{
	return append_doc(b, BSON_DOCUMENT, key, doc);
}

bool bson_append_array(struct bson_builder *b, const char *key, const void *array)
{
	return append_doc(b, BSON_ARRAY, key, array);
}

bool bson_append_code_w_scope(struct bson_builder *b, const char *key, const char *code,
			      size_t len, const void *scope)
{
	size_t slen, total;
	uint8_t *p;

	if (b->failed || !doc_ok(b, scope) || len >= MAX_SIZE / 2 ||
	    !utf8_valid((const uint8_t *)code, len, true))
		return build_fail(b);
	slen = bson_doc_length(scope);
	total = 4 + 4 + len + 1 + slen;
	if (total > MAX_SIZE)
		return build_fail(b);
	p = element(b, BSON_CODE_W_SCOPE, key, total, 0);
	if (!p)
		return false;
	wr32(p, (uint32_t)total);
	put_string(p + 4, code, len);
	memcpy(p + 4 + 4 + len + 1, scope, slen);
	return true;
}

static bool begin(struct bson_builder *b, uint8_t type, const char *key)
{
	uint8_t *p;

	if (!b->failed && b->depth >= BSON_BUILD_DEPTH)
		return build_fail(b);
	p = element(b, type, key, 4, 1);
	if (!p)
		return false;
	b->open[b->depth] = (uint32_t)(p - b->buf);
	b->index[b->depth] = 0;
	b->is_array[b->depth] = type == BSON_ARRAY;
	b->depth++;
	return true;
}

static bool end(struct bson_builder *b, bool array)
{
	if (b->failed)
		return false;
	if (b->depth < 2 || b->is_array[b->depth - 1] != array)
		return build_fail(b);
	close_level(b);
	return true;
}

bool bson_begin_document(struct bson_builder *b, const char *key)
{
	return begin(b, BSON_DOCUMENT, key);
}

bool bson_end_document(struct bson_builder *b)
{
	return end(b, false);
}

bool bson_begin_array(struct bson_builder *b, const char *key)
{
	return begin(b, BSON_ARRAY, key);
}

bool bson_end_array(struct bson_builder *b)
{
	return end(b, true);
}

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

/* Days since 1970-01-01 to a civil date (proleptic Gregorian), for days
 * >= 0; H. Hinnant's days_from_civil inverted ("chrono-compatible
 * low-level date algorithms"). */
static void civil_from_days(uint64_t z, unsigned *y, unsigned *m, unsigned *d)
{
	uint64_t era, doe, yoe, doy, mp;

	z += 719468;			/* days from 0000-03-01 */
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*y = (unsigned)(yoe + era * 400 + (*m <= 2));
}

/* 253402300800000 ms is 10000-01-01T00:00:00Z. */
#define DATE_ISO_END	253402300800000ll

/* Relaxed form: an RFC 3339 string for years 1970 through 9999 (with
 * milliseconds only when there are some), else the canonical $numberLong. */
static void emit_datetime(struct json_out *o, int64_t ms)
{
	char s[25];
	unsigned y, mo, d, sec;
	uint64_t days;

	if (ms < 0 || ms >= DATE_ISO_END) {
		emits(o, "{\"$date\":{\"$numberLong\":\"");
		emit_i64(o, ms);
		emits(o, "\"}}");
		return;
	}
	days = (uint64_t)ms / 86400000;
	sec = (unsigned)((uint64_t)ms % 86400000 / 1000);
	civil_from_days(days, &y, &mo, &d);
	put_dec(s, y, 4);
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
		emit_double(o, rd64(v));
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
		emit_datetime(o, (int64_t)rd64(v));
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
		emit_i64(o, (int32_t)rd32(v));
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
		emit_i64(o, (int64_t)rd64(v));
		break;
	case BSON_DECIMAL128:
		emit_decimal128(o, rd64(v), rd64(v + 8));
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
