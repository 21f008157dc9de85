/* Files and directories from user space: one function per request of the
 * directory and file protocols (docs/protocols.md), each a `call` on the
 * handle. They return what the object answered: a non-negative result or
 * a negative error from lib/errors.h (-ENOENT, -EACCES, ...), or the
 * call's own error (-EBADHANDLE, ...). Not reentrant: requests are built
 * in one static buffer per process. */
#ifndef USER_LIB_FS_H
#define USER_LIB_FS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/abi.h"

/* The most one read or write request carries. */
#define PANDA_IO_MAX	(PANDA_MSG_MAX - 64)

struct panda_stat {
	bool is_dir;
	uint64_t size;			/* bytes; entries of a directory */
	uint64_t nlink, ino, blocks;
	uint64_t atime, mtime, ctime;	/* ns since the Unix epoch */
};

/* Opens path beneath dir with OPEN_* flags: the new handle (a file, or a
 * directory with OPEN_DIRECTORY). */
long panda_open(panda_handle_t dir, const char *path, uint32_t flags);
long panda_mkdir(panda_handle_t dir, const char *path);
long panda_unlink(panda_handle_t dir, const char *path);
long panda_rmdir(panda_handle_t dir, const char *path);
long panda_rename(panda_handle_t dir, const char *from, const char *to);
/* path "" is dir itself. */
long panda_stat(panda_handle_t dir, const char *path, struct panda_stat *st);

/* One batch of dir's entries after *cursor (0 to start): calls fn for
 * each and advances *cursor. Returns the count, 0 at the end. */
typedef void (*panda_dirent_fn)(void *ctx, const char *name, bool is_dir, uint64_t size);
long panda_readdir(panda_handle_t dir, uint64_t *cursor, panda_dirent_fn fn, void *ctx);

/* At the file's offset, moving it: bytes read (0 at the end) or written.
 * len is capped at PANDA_IO_MAX. */
long panda_read(panda_handle_t file, void *buf, size_t len);
long panda_write(panda_handle_t file, const void *buf, size_t len);
/* At off, leaving the file's offset alone. */
long panda_pread(panda_handle_t file, void *buf, size_t len, uint64_t off);
long panda_pwrite(panda_handle_t file, const void *buf, size_t len, uint64_t off);
/* whence: "set", "cur" or "end". Returns the new offset. */
long panda_seek(panda_handle_t file, int64_t offset, const char *whence);
long panda_truncate(panda_handle_t file, uint64_t size);
long panda_fstat(panda_handle_t file, struct panda_stat *st);
long panda_sync(panda_handle_t file);

/* Sends the document req (size bytes) to h with call and leaves the reply
 * in the shared reply buffer: its error code, or 0 and *reply set. */
long panda_fs_call(panda_handle_t h, const void *req, size_t size, const uint8_t **reply,
		   panda_handle_t *handle);

#endif
