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

/* --- for utilities ---------------------------------------------------- */

/* Where a path the user gave goes: the handle to send it through and the
 * path to send (docs/paths.md, "In libpanda"). */
struct panda_where {
	panda_handle_t dir;
	char path[PANDA_PATH_MAX];
};

/* Every utility's one way from a path to a request. An absolute path goes
 * to the root handle as written (the kernel keeps "/.." at the root). A
 * relative one goes to the working-directory handle as written while it
 * stays beneath that directory ("a/../b"); one whose ".." climbs above it
 * ("../notes") is joined onto PWD, the working directory's path, cleaned
 * (path_join_clean; a "." kept at the end when it ends in no name, so
 * "mkdir ../d/.." still names no entry) and sent to the root, so "/.."
 * stops at the root. Returns 0; -EOUTSIDE when a path climbs and the process has no PWD or
 * no root to resolve it with (it is never kept at the working directory:
 * "rm ../x" must not remove "./x"); -ENAMETOOLONG when it does not fit. */
long panda_resolve(const char *path, struct panda_where *w);
/* The same, but a relative path always through the root, joined onto PWD
 * (-EOUTSIDE without them): for two paths that must meet at one handle
 * (mv's rename). */
long panda_resolve_from_root(const char *path, struct panda_where *w);
/* Opens a path the user gave (panda_resolve, then panda_open with flags):
 * the new handle, or the error of either. */
long panda_open_path(const char *path, uint32_t flags);
/* The same resolve-then-act for stat, mkdir and rmdir of one path. */
long panda_stat_path(const char *path, struct panda_stat *st);
long panda_mkdir_path(const char *path);
long panda_rmdir_path(const char *path);

/* The last component of path without trailing slashes: *len bytes. */
const char *panda_path_last(const char *path, size_t *len);
/* Whether that last component is a name, not ".", ".." or nothing ("",
 * "/"): whether path names an entry by its name, as making, removing or
 * renaming one needs (lib/path.h, ends_in_name). */
bool panda_path_ends_in_name(const char *path);
/* "dir/name" (name_len bytes of name), without doubling a slash dir ends
 * with; malloc'd, NULL when memory runs out. */
char *panda_path_join(const char *dir, const char *name, size_t name_len);

/* Whether two stats are of one file. Stat has no device number, and an
 * inode number can repeat in another filesystem, but not with the same
 * change time to the nanosecond and the same size. */
bool panda_same_file(const struct panda_stat *a, const struct panda_stat *b);

/* Copies what is left of file in to file out, a request at a time: 0 or
 * an error, with *on_write telling whether writing (else reading)
 * failed. A write that takes nothing is -ENOSPC. */
long panda_copy_data(panda_handle_t in, panda_handle_t out, bool *on_write);

/* A directory's entries, as panda_dir_list reads them. */
struct panda_dir_entry {
	char *name;
	bool is_dir;
	uint64_t size;			/* bytes; entries of a directory */
};

struct panda_dir_list {
	struct panda_dir_entry *entries;	/* malloc'd, and every name in it */
	size_t count;
};

/* Every entry of the open directory dir, in readdir's order, read whole
 * before the caller acts on any: 0, or an error (-ENOMEM when memory runs
 * out) with *list left empty. panda_dir_list_free frees the list. */
long panda_dir_list(panda_handle_t dir, struct panda_dir_list *list);
void panda_dir_list_free(struct panda_dir_list *list);

/* Copies the file from, whose stat is src, to the file to, made or
 * emptied first: 0, or an error with *failed set to the path it concerns.
 * When to is from itself nothing is touched (emptying to would lose the
 * data): -EEXIST with *failed NULL, as the error is of both paths. A copy
 * that fails part way stays as far as it got, or with remove_partial is
 * removed (best effort). */
long panda_copy_file(const char *from, const struct panda_stat *src, const char *to,
		     bool remove_partial, const char **failed);

/* The "FROM TO | FROM... DIR" operands of cp and mv (argv[first..]): fn
 * for each FROM with TO, or with DIR/<FROM's last component> when the last
 * operand is a directory (then there may be several FROMs). Errors are
 * prog's; returns the status for main (2 for too few operands after
 * reporting usage with usage). */
int panda_each_into(const char *prog, const char *usage, int first, int argc, char **argv,
		    int (*fn)(const char *from, const char *to));

#endif
