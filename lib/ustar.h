/* Reading ustar archives (POSIX.1-1988 "ustar" interchange format, as GNU
 * tar --format=ustar writes it) held in memory: the initrd.
 *
 * The archive is untrusted: every header's magic, checksum and size field
 * is validated and every member must lie inside the archive. A bad archive
 * yields -EBADMSG with a reason, never a read out of bounds. */
#ifndef LIB_USTAR_H
#define LIB_USTAR_H

#include <stddef.h>
#include <stdint.h>

#define USTAR_BLOCK 512
#define USTAR_PATH_MAX 256	/* prefix (155) + '/' + name (100) */

enum ustar_type { USTAR_FILE, USTAR_DIRECTORY, USTAR_OTHER };

struct ustar_entry {
	char path[USTAR_PATH_MAX];	/* without "./" or "/" prefix or trailing '/' */
	enum ustar_type type;
	const uint8_t *data;
	uint64_t size;
	uint32_t mode;
};

struct ustar_reader {
	const uint8_t *archive;
	size_t size;
	size_t offset;		/* of the next header */
	const char *error;	/* why the last call failed */
};

void ustar_open(struct ustar_reader *r, const void *archive, size_t size);

/* Reads the next member into *e. Returns 1 for a member, 0 at the end of the
 * archive, -EBADMSG for a malformed one (r->error says why; the reader then
 * stays at the bad header). */
int ustar_next(struct ustar_reader *r, struct ustar_entry *e);

/* Looks up one path; when several members have it, the last one wins.
 * Returns 1 when found, 0 when absent, -EBADMSG when the archive is
 * malformed and the path was not found before the damage. */
int ustar_find(const void *archive, size_t size, const char *path,
	       struct ustar_entry *e, const char **error);

#endif
