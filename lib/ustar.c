#include "lib/ustar.h"

#include <stdbool.h>

#include "lib/errors.h"
#include "lib/string.h"

/* Field offsets and sizes within a header block (POSIX.1-1988). */
#define H_NAME		0
#define H_MODE		100
#define H_SIZE		124
#define H_CHECKSUM	148
#define H_TYPE		156
#define H_MAGIC		257
#define H_PREFIX	345

#define MAX_FILE_SIZE	077777777777ull	/* 11 octal digits */

void ustar_open(struct ustar_reader *r, const void *archive, size_t size)
{
	r->archive = archive;
	r->size = size;
	r->offset = 0;
	r->error = NULL;
}

/* An octal field: digits, optionally led by blanks and ended by NUL or
 * blank. Anything else (including base-256 encodings) is rejected. */
static bool parse_octal(const uint8_t *field, size_t len, uint64_t *out)
{
	size_t i = 0;
	uint64_t v = 0;
	bool any = false;

	while (i < len && field[i] == ' ')
		i++;
	for (; i < len && field[i] >= '0' && field[i] <= '7'; i++) {
		if (v >> 60)
			return false;
		v = v * 8 + (field[i] - '0');
		any = true;
	}
	for (; i < len; i++)
		if (field[i] != ' ' && field[i] != '\0')
			return false;
	*out = v;
	return any;
}

static bool checksum_ok(const uint8_t *h)
{
	uint64_t stored, sum = 0;

	if (!parse_octal(h + H_CHECKSUM, 8, &stored))
		return false;
	for (size_t i = 0; i < USTAR_BLOCK; i++)
		sum += (i >= H_CHECKSUM && i < H_CHECKSUM + 8) ? ' ' : h[i];
	return sum == stored;
}

static bool is_zero_block(const uint8_t *h)
{
	for (size_t i = 0; i < USTAR_BLOCK; i++)
		if (h[i])
			return false;
	return true;
}

/* Joins prefix and name, drops "./" and "/" in front and '/' at the end.
 * Rejects ".." components: an archive must not name things outside it. */
static bool build_path(const uint8_t *h, char *path)
{
	size_t prefix_len = strnlen((const char *)h + H_PREFIX, 155);
	size_t name_len = strnlen((const char *)h + H_NAME, 100);
	char full[USTAR_PATH_MAX + 1];
	size_t n = 0;

	memcpy(full, h + H_PREFIX, prefix_len);
	n = prefix_len;
	if (prefix_len)
		full[n++] = '/';
	memcpy(full + n, h + H_NAME, name_len);
	n += name_len;
	full[n] = '\0';

	const char *p = full;
	for (;;) {
		if (p[0] == '.' && p[1] == '/')
			p += 2;
		else if (p[0] == '/')
			p++;
		else
			break;
	}
	n = strlen(p);
	while (n && p[n - 1] == '/')
		n--;
	if (n >= USTAR_PATH_MAX)
		return false;
	memcpy(path, p, n);
	path[n] = '\0';

	for (const char *c = path; *c;) {
		const char *end = strchr(c, '/');
		size_t len = end ? (size_t)(end - c) : strlen(c);
		if (len == 2 && c[0] == '.' && c[1] == '.')
			return false;
		c += len + (end ? 1 : 0);
	}
	return true;
}

static int fail(struct ustar_reader *r, const char *why)
{
	r->error = why;
	return -EBADMSG;
}

int ustar_next(struct ustar_reader *r, struct ustar_entry *e)
{
	for (;;) {
		if (r->offset == r->size)
			return 0;	/* no end marker: tolerated */
		if (r->size - r->offset < USTAR_BLOCK)
			return fail(r, "truncated header");

		const uint8_t *h = r->archive + r->offset;
		uint64_t size, mode;

		if (is_zero_block(h))
			return 0;	/* end-of-archive marker */
		if (memcmp(h + H_MAGIC, "ustar", 5) != 0)
			return fail(r, "bad magic (not a ustar archive)");
		if (!checksum_ok(h))
			return fail(r, "bad header checksum");
		if (!parse_octal(h + H_SIZE, 12, &size) || size > MAX_FILE_SIZE)
			return fail(r, "bad size field");
		if (!parse_octal(h + H_MODE, 8, &mode))
			return fail(r, "bad mode field");
		uint64_t blocks = (size + USTAR_BLOCK - 1) / USTAR_BLOCK;
		if (size > r->size - r->offset - USTAR_BLOCK)
			return fail(r, "member data runs past the end");
		if (!build_path(h, e->path))
			return fail(r, "bad path (too long or contains '..')");

		char type = (char)h[H_TYPE];
		e->type = (type == '0' || type == '\0') ? USTAR_FILE
			: type == '5' ? USTAR_DIRECTORY : USTAR_OTHER;
		e->data = h + USTAR_BLOCK;
		e->size = e->type == USTAR_DIRECTORY ? 0 : size;
		e->mode = (uint32_t)mode;

		size_t advance = USTAR_BLOCK + (size_t)blocks * USTAR_BLOCK;
		r->offset = advance > r->size - r->offset ? r->size : r->offset + advance;
		if (e->path[0])		/* the archive's own root, "./" */
			return 1;
	}
}

int ustar_find(const void *archive, size_t size, const char *path,
	       struct ustar_entry *e, const char **error)
{
	struct ustar_reader r;
	int rc;

	struct ustar_entry cur;
	int found = 0;

	while (*path == '/')
		path++;
	/* Like tar extraction, a later member of the same name wins (an
	 * archive with files appended overrides the originals). */
	ustar_open(&r, archive, size);
	while ((rc = ustar_next(&r, &cur)) == 1) {
		if (strcmp(cur.path, path) == 0) {
			*e = cur;
			found = 1;
		}
	}
	if (rc < 0 && !found) {
		if (error)
			*error = r.error;
		return rc;
	}
	return found;
}
