/* BSON (bsonspec.org, version 1.1): the one implementation shared by the
 * kernel, user space and the host tests.
 *
 * - bson_validate() checks a whole untrusted document: lengths,
 *   terminators, UTF-8 of keys and strings, nesting depth, every element
 *   type of the specification (the deprecated ones as far as validation
 *   goes). Everything else assumes a validated document.
 * - An iterator walks a document's elements in place, without copying.
 * - A builder appends elements into a caller's buffer (no allocation);
 *   running out of room is sticky and reported by bson_build_finish().
 * - bson_to_json() prints relaxed Extended JSON.
 *
 * No floating point is used (the kernel is built without SSE): doubles are
 * handled as their IEEE-754 bit patterns; user space gets double-typed
 * helpers when it is compiled with SSE. */
#ifndef LIB_BSON_H
#define LIB_BSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BSON_MIN_SIZE		5		/* int32 length + terminating NUL */
#define BSON_MAX_DEPTH		100		/* nested documents and arrays */

enum bson_type {
	BSON_DOUBLE = 0x01,
	BSON_STRING = 0x02,
	BSON_DOCUMENT = 0x03,
	BSON_ARRAY = 0x04,
	BSON_BINARY = 0x05,
	BSON_UNDEFINED = 0x06,		/* deprecated */
	BSON_OBJECTID = 0x07,
	BSON_BOOL = 0x08,
	BSON_DATETIME = 0x09,
	BSON_NULL = 0x0a,
	BSON_REGEX = 0x0b,
	BSON_DBPOINTER = 0x0c,		/* deprecated */
	BSON_CODE = 0x0d,
	BSON_SYMBOL = 0x0e,		/* deprecated */
	BSON_CODE_W_SCOPE = 0x0f,	/* deprecated */
	BSON_INT32 = 0x10,
	BSON_TIMESTAMP = 0x11,
	BSON_INT64 = 0x12,
	BSON_DECIMAL128 = 0x13,
	BSON_MINKEY = 0xff,
	BSON_MAXKEY = 0x7f,
};

/* Why a document was refused: a static message and the byte offset. */
struct bson_error {
	const char *message;
	size_t offset;
};

/* Validates the document in [doc, doc + size): its declared length must be
 * exactly size. Nesting deeper than max_depth (≤ BSON_MAX_DEPTH) is
 * refused. Returns 0, or -EBADMSG with *err filled (err may be NULL).
 * Reads nothing outside the buffer, whatever it holds. */
int bson_validate(const void *doc, size_t size, unsigned max_depth, struct bson_error *err);

/* The declared length of a document (its first four bytes, little endian). */
uint32_t bson_doc_length(const void *doc);

/* --- iterating (over validated documents) ----------------------------- */

struct bson_iter {
	const uint8_t *doc;		/* the document being walked */
	uint32_t doc_len;
	uint32_t next;			/* offset of the next element */
	/* The current element, after a successful bson_iter_next(): */
	uint8_t type;			/* enum bson_type */
	const char *key;		/* NUL-terminated, inside the document */
	const uint8_t *value;		/* its value bytes */
	uint32_t value_len;
};

void bson_iter_init(struct bson_iter *it, const void *doc);
/* Advances to the next element; false at the end. */
bool bson_iter_next(struct bson_iter *it);
/* Advances to the element named key (from the current position on). */
bool bson_iter_find(struct bson_iter *it, const char *key);
/* Enters the current element when it is a document or an array. */
bool bson_iter_recurse(const struct bson_iter *it, struct bson_iter *child);

/* Finds key in doc, or a dotted path ("a.b.0.c"; array elements by index). */
bool bson_find(const void *doc, const char *key, struct bson_iter *it);
bool bson_find_path(const void *doc, const char *path, struct bson_iter *it);

/* True when s[0..n) is valid UTF-8 (no overlong forms, surrogates or code
 * points past U+10FFFF), as every BSON string must be; NUL bytes only when
 * allow_nul. */
bool bson_utf8_valid(const uint8_t *s, size_t n, bool allow_nul);

/* Value accessors: each checks the type and returns false (or NULL) when
 * the current element is of another type. */
bool bson_iter_int32(const struct bson_iter *it, int32_t *v);
bool bson_iter_int64(const struct bson_iter *it, int64_t *v);
/* int32 or int64, widened. */
bool bson_iter_integer(const struct bson_iter *it, int64_t *v);
bool bson_iter_bool(const struct bson_iter *it, bool *v);
bool bson_iter_double_bits(const struct bson_iter *it, uint64_t *bits);
bool bson_iter_datetime(const struct bson_iter *it, int64_t *ms);
/* String (or symbol, or code): the bytes without the NUL, and their length. */
const char *bson_iter_utf8(const struct bson_iter *it, uint32_t *len);
/* Binary data. For the old subtype 0x02 the data's inner length prefix is
 * left out (bson_append_binary() adds it back), as libbson does. */
const uint8_t *bson_iter_binary(const struct bson_iter *it, uint32_t *len, uint8_t *subtype);
/* An embedded document or array: its bytes (a whole BSON document). */
const uint8_t *bson_iter_document(const struct bson_iter *it, uint32_t *len);
/* The 12 bytes of an ObjectId. */
const uint8_t *bson_iter_objectid(const struct bson_iter *it);
/* A regular expression: the pattern; *options gets the options. */
const char *bson_iter_regex(const struct bson_iter *it, const char **options);
/* A timestamp: seconds (the high half) and increment (the low half). */
bool bson_iter_timestamp(const struct bson_iter *it, uint32_t *t, uint32_t *i);
/* A decimal128 as its two little-endian 64-bit halves (IEEE 754-2008 BID). */
bool bson_iter_decimal128(const struct bson_iter *it, uint64_t *low, uint64_t *high);
/* Code with scope: the code (like bson_iter_utf8) and the scope document. */
const char *bson_iter_code_w_scope(const struct bson_iter *it, uint32_t *len,
				   const uint8_t **scope);
/* A DBPointer: the namespace (like bson_iter_utf8) and the 12-byte id. */
const char *bson_iter_dbpointer(const struct bson_iter *it, uint32_t *len,
				const uint8_t **oid);

/* --- building --------------------------------------------------------- */

#define BSON_BUILD_DEPTH	16	/* open documents/arrays at once, the top one included */

struct bson_builder {
	uint8_t *buf;
	size_t cap;
	size_t len;
	unsigned depth;
	uint32_t open[BSON_BUILD_DEPTH];	/* offsets of open documents */
	uint32_t index[BSON_BUILD_DEPTH];	/* next array index, per level */
	bool is_array[BSON_BUILD_DEPTH];
	bool failed;				/* out of room or misuse; sticky */
};

/* Starts a document in buf. */
void bson_build_init(struct bson_builder *b, void *buf, size_t cap);
/* Closes the document; returns its length, or 0 when anything failed
 * (too small a buffer, unbalanced begin/end, a key with a NUL). */
size_t bson_build_finish(struct bson_builder *b);

/* In an array, key may be NULL: the next index is used (a key given there
 * is kept, and counts as an index too). All return false once the builder
 * has failed. A NULL key in a document, a key or string that is not valid
 * UTF-8, or nesting deeper than BSON_BUILD_DEPTH make it fail: whatever it
 * finishes, bson_validate() accepts. */
bool bson_append_int32(struct bson_builder *b, const char *key, int32_t v);
bool bson_append_int64(struct bson_builder *b, const char *key, int64_t v);
bool bson_append_double_bits(struct bson_builder *b, const char *key, uint64_t bits);
bool bson_append_bool(struct bson_builder *b, const char *key, bool v);
bool bson_append_null(struct bson_builder *b, const char *key);
bool bson_append_datetime(struct bson_builder *b, const char *key, int64_t ms);
bool bson_append_utf8(struct bson_builder *b, const char *key, const char *s, size_t len);
bool bson_append_cstr(struct bson_builder *b, const char *key, const char *s);
bool bson_append_binary(struct bson_builder *b, const char *key, uint8_t subtype,
			const void *data, size_t len);
/* Binary data filled in place (a file read straight into a reply):
 * reserves an element of max bytes, subtype 0x00, and returns where the
 * data goes (NULL once failed). bson_binary_shrink then keeps only the
 * first `used` bytes; the element must still be the last one appended. */
uint8_t *bson_append_binary_space(struct bson_builder *b, const char *key, size_t max);
bool bson_binary_shrink(struct bson_builder *b, uint8_t *space, size_t used);
bool bson_append_document(struct bson_builder *b, const char *key, const void *doc);
bool bson_begin_document(struct bson_builder *b, const char *key);
bool bson_end_document(struct bson_builder *b);
bool bson_begin_array(struct bson_builder *b, const char *key);
bool bson_end_array(struct bson_builder *b);
/* The other types, so that any valid document can be rebuilt. Appended
 * documents (array, scope) must be valid; strings and keys valid UTF-8. */
bool bson_append_array(struct bson_builder *b, const char *key, const void *array);
bool bson_append_objectid(struct bson_builder *b, const char *key, const uint8_t oid[12]);
bool bson_append_regex(struct bson_builder *b, const char *key, const char *pattern,
		       const char *options);
bool bson_append_timestamp(struct bson_builder *b, const char *key, uint32_t t, uint32_t i);
bool bson_append_decimal128(struct bson_builder *b, const char *key, uint64_t low,
			    uint64_t high);
bool bson_append_undefined(struct bson_builder *b, const char *key);
bool bson_append_minkey(struct bson_builder *b, const char *key);
bool bson_append_maxkey(struct bson_builder *b, const char *key);
bool bson_append_symbol(struct bson_builder *b, const char *key, const char *s, size_t len);
bool bson_append_code(struct bson_builder *b, const char *key, const char *s, size_t len);
bool bson_append_code_w_scope(struct bson_builder *b, const char *key, const char *code,
			      size_t len, const void *scope);
bool bson_append_dbpointer(struct bson_builder *b, const char *key, const char *ns,
			   size_t len, const uint8_t oid[12]);

#ifdef __SSE2__
static inline bool bson_append_double(struct bson_builder *b, const char *key, double v)
{
	uint64_t bits;

	__builtin_memcpy(&bits, &v, sizeof(bits));
	return bson_append_double_bits(b, key, bits);
}

static inline bool bson_iter_double(const struct bson_iter *it, double *v)
{
	uint64_t bits;

	if (!bson_iter_double_bits(it, &bits))
		return false;
	__builtin_memcpy(v, &bits, sizeof(bits));
	return true;
}
#endif

/* --- printing --------------------------------------------------------- */

/* Writes doc as relaxed Extended JSON (MongoDB Extended JSON v2) through
 * sink, in pieces. Returns the number of bytes produced. The form is
 * compact, {"a":1,"b":[true,null]}, and described in docs/bson.md. */
typedef void (*bson_sink_fn)(void *ctx, const char *text, size_t n);
size_t bson_to_json(const void *doc, bson_sink_fn sink, void *ctx);
/* Into a buffer, snprintf-style: always terminated when size > 0; returns
 * the length the whole output has (truncated when >= size). */
size_t bson_to_json_buf(const void *doc, char *buf, size_t size);

#endif
