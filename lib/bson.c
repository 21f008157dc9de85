/* BSON 1.1 (bsonspec.org): validation and iteration; building is in
 * bson_build.c, printing in bson_json.c. Nothing in the library recurses: nesting is followed with small
 * explicit stacks, so stack use stays bounded whatever the document (under
 * 3 KiB, in bson_to_json printing a double), as the kernel needs. No
 * floating point either: doubles are printed with integer arithmetic on
 * their bit patterns. */
#include "lib/bson.h"

#include "lib/bson_private.h"
#include "lib/errors.h"
#include "lib/string.h"

uint32_t bson_doc_length(const void *doc)
{
	return get_le32(doc);
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
bool bson_utf8_valid(const uint8_t *s, size_t n, bool allow_nul)
{
	const uint64_t high = 0x8080808080808080ull, ones = 0x0101010101010101ull;
	size_t i = 0;

	while (i < n) {
		uint8_t c, lo, hi;
		unsigned more;

		/* Mostly ASCII: eight bytes a step while no byte has its top bit
		 * set (and, unless NULs are allowed, none is zero: the classic
		 * test (w - 0x01..) & ~w & 0x80.. is exact when no top bit is set). */
		while (n - i >= 8) {
			uint64_t w;

			__builtin_memcpy(&w, s + i, 8);
			if (w & high)
				break;
			if (!allow_nul && ((w - ones) & ~w & high))
				return false;
			i += 8;
		}
		if (i == n)
			break;
		c = s[i++];
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
	l = (int32_t)get_le32(v);
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
	if (!bson_utf8_valid(v + 4, size - 5, true))
		return "string is not valid UTF-8";
	return NULL;
}

static const char *check_binary(const uint8_t *v, size_t size)
{
	/* Subtype 0x02 (old binary) repeats the length inside the data. */
	if (v[4] == 0x02 && (size < 9 || get_le32(v + 5) != size - 9))
		return "old binary (0x02) inner length mismatch";
	return NULL;
}

static const char *check_regex(const uint8_t *v, size_t size)
{
	size_t p = strlen((const char *)v);

	if (!bson_utf8_valid(v, p, false) || !bson_utf8_valid(v + p + 1, size - p - 2, false))
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
	if (size - 4 - s < BSON_MIN_SIZE || get_le32(v + 4 + s) != size - 4 - s)
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
	if (!bson_utf8_valid(key, (size_t)(nul - key), false))
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
	if (size > MAX_SIZE || get_le32(d) != size)
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
	it->doc_len = get_le32(doc);
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
	*v = (int32_t)get_le32(it->value);
	return true;
}

bool bson_iter_int64(const struct bson_iter *it, int64_t *v)
{
	if (it->type != BSON_INT64)
		return false;
	*v = (int64_t)get_le64(it->value);
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
	*bits = get_le64(it->value);
	return true;
}

bool bson_iter_datetime(const struct bson_iter *it, int64_t *ms)
{
	if (it->type != BSON_DATETIME)
		return false;
	*ms = (int64_t)get_le64(it->value);
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
	*i = get_le32(it->value);
	*t = get_le32(it->value + 4);
	return true;
}

bool bson_iter_decimal128(const struct bson_iter *it, uint64_t *low, uint64_t *high)
{
	if (it->type != BSON_DECIMAL128)
		return false;
	*low = get_le64(it->value);
	*high = get_le64(it->value + 8);
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
	    get_le32(it->value + 4 + s) != it->value_len - 4 - s)
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
