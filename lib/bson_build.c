/* Building BSON documents into a caller's buffer (lib/bson.h). */
#include "lib/bson.h"

#include "lib/bson_private.h"
#include "lib/errors.h"
#include "lib/string.h"

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
	put_le32(b->buf, 0);
	b->len = 4;
	b->open[0] = 0;
	b->index[0] = 0;
	b->is_array[0] = false;
	b->depth = 1;
}

/* The length of the C string s, with *valid telling whether it is UTF-8.
 * One pass while it is ASCII, which keys and most strings are; the full
 * check only from the first byte that is not. */
static size_t cstr_length(const char *s, bool *valid)
{
	size_t n = 0;
	unsigned char c;

	while ((c = (unsigned char)s[n]) != 0) {
		if (c >= 0x80) {
			n += strlen(s + n);
			*valid = bson_utf8_valid((const uint8_t *)s, n, false);
			return n;
		}
		n++;
	}
	*valid = true;
	return n;
}

/* The key of the next element in the innermost open document: the
 * caller's, which must be a valid UTF-8 cstring, or in an array the next
 * index when key is NULL (written into index). */
static const char *next_key(const struct bson_builder *b, const char *key, char *index,
			    size_t *klen)
{
	unsigned level = b->depth - 1;

	if (key) {
		bool valid;
		*klen = cstr_length(key, &valid);
		return valid ? key : NULL;
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
	/* key is not NULL: next_key() failed above otherwise. */
	/* cppcheck-suppress ctunullpointer */
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
	put_le32(b->buf + start, (uint32_t)(b->len - start));
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

	put_le32(buf, (uint32_t)v);
	return put_fixed(b, BSON_INT32, key, buf, 4);
}

static bool put_u64(struct bson_builder *b, uint8_t type, const char *key, uint64_t v)
{
	uint8_t buf[8];

	put_le64(buf, v);
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

	put_le64(buf, low);
	put_le64(buf + 8, high);
	return put_fixed(b, BSON_DECIMAL128, key, buf, 16);
}

/* A string's bytes into p: int32 length with the NUL, bytes, NUL. */
static void put_string(uint8_t *p, const char *s, size_t len)
{
	put_le32(p, (uint32_t)len + 1);
	if (len)
		memcpy(p + 4, s, len);
	p[4 + len] = 0;
}

/* A string already known to be valid UTF-8 (or not: checked here). */
static bool append_checked_string(struct bson_builder *b, uint8_t type, const char *key,
				  const char *s, size_t len, bool valid)
{
	uint8_t *p;

	if (len >= MAX_SIZE - 4 || !valid)
		return build_fail(b);
	p = element(b, type, key, 4 + len + 1, 0);
	if (!p)
		return false;
	put_string(p, s, len);
	return true;
}

static bool append_string(struct bson_builder *b, uint8_t type, const char *key,
			  const char *s, size_t len)
{
	return append_checked_string(b, type, key, s, len,
				     bson_utf8_valid((const uint8_t *)s, len, true));
}

bool bson_append_utf8(struct bson_builder *b, const char *key, const char *s, size_t len)
{
	return append_string(b, BSON_STRING, key, s, len);
}

bool bson_append_cstr(struct bson_builder *b, const char *key, const char *s)
{
	bool valid;
	size_t len = cstr_length(s, &valid);

	return append_checked_string(b, BSON_STRING, key, s, len, valid);
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
	put_le32(p, (uint32_t)(len + inner));
	p[4] = subtype;
	if (inner)
		put_le32(p + 5, (uint32_t)len);
	if (len)
		memcpy(p + 5 + inner, data, len);
	return true;
}

uint8_t *bson_append_binary_space(struct bson_builder *b, const char *key, size_t max)
{
	uint8_t *p;

	if (max > MAX_SIZE - 5) {
		build_fail(b);
		return NULL;
	}
	p = element(b, BSON_BINARY, key, 5 + max, 0);
	if (!p)
		return NULL;
	put_le32(p, (uint32_t)max);
	p[4] = 0x00;
	return p + 5;
}

bool bson_binary_shrink(struct bson_builder *b, uint8_t *space, size_t used)
{
	uint32_t reserved;

	if (b->failed || space < b->buf + 5 || space > b->buf + b->len)
		return build_fail(b);
	reserved = get_le32(space - 5);
	if (space + reserved != b->buf + b->len || used > reserved)
		return build_fail(b);
	put_le32(space - 5, (uint32_t)used);
	b->len -= reserved - used;
	return true;
}

bool bson_append_regex(struct bson_builder *b, const char *key, const char *pattern,
		       const char *options)
{
	size_t pl = strlen(pattern), ol = strlen(options);
	uint8_t *p;

	if (!bson_utf8_valid((const uint8_t *)pattern, pl, false) ||
	    !bson_utf8_valid((const uint8_t *)options, ol, false) || pl > MAX_SIZE || ol > MAX_SIZE)
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

	if (len >= MAX_SIZE - 16 || !bson_utf8_valid((const uint8_t *)ns, len, true))
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
	    !bson_utf8_valid((const uint8_t *)code, len, true))
		return build_fail(b);
	slen = bson_doc_length(scope);
	total = 4 + 4 + len + 1 + slen;
	if (total > MAX_SIZE)
		return build_fail(b);
	p = element(b, BSON_CODE_W_SCOPE, key, total, 0);
	if (!p)
		return false;
	put_le32(p, (uint32_t)total);
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
