/* tmpfs: an in-memory filesystem of regular files and directories. This is
 * the storage core only, plain C with no hardware, locks or kernel objects,
 * so it runs unchanged in the kernel and in host unit tests. The VFS wraps
 * nodes in directory and file objects that answer requests; a FAT
 * filesystem will later sit behind the same VFS, which is why the
 * operations here are the ones a VFS needs (lookup one name, create,
 * unlink, rmdir, rename, read, write, truncate, stat, readdir) and nothing
 * knows about paths: the VFS walks paths one component at a time.
 *
 * Memory. Everything comes through a `struct tmpfs_env` the caller
 * provides: the kernel plugs in kmalloc and frame_alloc, so the memory is
 * on the allocator's books; host tests plug in malloc with counters and a
 * limit. A filesystem has a byte limit (`max_bytes`, 0 = only what memory
 * allows) and counts what it uses: every data page and index page (4 KiB
 * each), every node and directory entry, and every directory's entry array
 * (by capacity). Going over the limit is -ENOSPC, and so is any allocation
 * that fails: when the kernel heap is out of memory, the filesystem is full.
 * Nothing crashes on exhaustion, every failed operation leaves the tree
 * exactly as it was (a write keeps the bytes it managed to write and says
 * how many), and freeing files gives back exactly what they were charged.
 *
 * Nodes. A node is a regular file or a directory. There are no hard links:
 * a file has at most one name (nlink 1, or 0 once unlinked); a directory
 * has exactly one parent and counts links the POSIX way (2 + its
 * subdirectories). Nodes carry a reference count for the VFS's open files
 * and directories: every function that hands out a node takes a reference
 * the caller drops with tmpfs_node_put. A node whose last name is removed
 * stays usable (read, write, truncate, stat) while references remain, and
 * is freed with the last put; a removed directory is empty, stays empty
 * (creating in it is -ENOENT) and lists nothing.
 *
 * Files hold their data in 4 KiB pages indexed by a radix tree of 512-way
 * index pages, whose height grows with the highest page written (height 0:
 * the root is the only page; 1: up to 2 MiB; 2: up to 1 GiB). Files are
 * sparse: a page never written is a hole that reads as zeros and costs
 * nothing; truncating frees the pages (and index pages) past the new end,
 * growing by truncate only moves the end. Bytes of the last page past the
 * end are always zero, so growing never exposes old data. A file holds at
 * most TMPFS_MAX_FILE_SIZE bytes: there is no EFBIG in lib/errors.h, so
 * reaching past it is -EINVAL (an offset this filesystem cannot hold; not
 * -ENOSPC, because deleting files would not help). A write that crosses
 * the limit writes what fits below it.
 *
 * Directories keep their entries in an array sorted by name (bytewise,
 * like memcmp, a shorter name first when one is a prefix of the other):
 * lookup is O(log n), insertion and removal O(n) moves of pointers, which
 * is cheap for the sizes expected (up to tens of thousands of entries).
 * The array's capacity follows the count (the next power of two, at least
 * 4, none when empty), so what a directory is charged depends only on what
 * it holds.
 * Each entry also has a cookie, increasing in creation order, and sits on
 * a list in cookie order; readdir walks that list (O(n) to find where a
 * batch resumes) and its cursor is the last cookie returned. Guarantee,
 * while entries come and go between batches: an entry that exists for the
 * whole listing is returned exactly once; a removed entry is not returned
 * after its removal; a new entry (including a rename to a new name, which
 * makes a new entry) may or may not be returned, so a file renamed within
 * the directory during a listing can show up under both names; a rename
 * over an existing name keeps that entry's cookie. "." and ".." are not
 * listed (the VFS knows them).
 *
 * Names are 1..TMPFS_NAME_MAX bytes, any bytes but '/' and NUL, and not "."
 * or "..": a bad name is -EINVAL, a long one -ENAMETOOLONG. Functions that
 * take a name check the directory first (-ENOTDIR), then the name.
 *
 * Times are nanoseconds from env->now_ns (in the kernel: the RTC's time at
 * boot plus the monotonic clock): creation sets all three; reading sets atime;
 * writing and truncating that changes the size set mtime and ctime;
 * adding or removing an entry sets the directory's mtime and ctime; a
 * change of links or names sets the node's ctime.
 *
 * Concurrency: none here. The VFS holds one lock per filesystem around
 * every call, tmpfs_node_get/put included; tmpfs takes no locks and never
 * sleeps (unless the env's allocator does). */
#ifndef FS_TMPFS_H
#define FS_TMPFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TMPFS_PAGE_SIZE 4096u
#define TMPFS_NAME_MAX 255u
#define TMPFS_MAX_FILE_SIZE (1ull << 30)	/* 1 GiB: a radix tree of height 2 */

/* Where a filesystem gets its memory and time. alloc returns zeroed memory
 * or NULL; alloc_page returns TMPFS_PAGE_SIZE zeroed bytes or NULL (data
 * and index pages; the kernel gives whole frames). Required, all five. */
struct tmpfs_env {
	void *(*alloc)(size_t size);
	void (*free)(void *p);
	void *(*alloc_page)(void);
	void (*free_page)(void *p);
	uint64_t (*now_ns)(void);
};

enum tmpfs_type {
	TMPFS_FILE = 1,
	TMPFS_DIR = 2,
};

struct tmpfs;
struct tmpfs_node;

struct tmpfs_stat {
	enum tmpfs_type type;
	uint32_t nlink;
	uint64_t ino;		/* unique within the filesystem, never reused */
	uint64_t size;		/* bytes of a file; entries of a directory */
	uint64_t blocks;	/* 4 KiB pages a file holds: data and index */
	uint64_t atime, mtime, ctime;	/* ns, env->now_ns */
};

struct tmpfs_dirent {
	char name[TMPFS_NAME_MAX + 1];	/* NUL-terminated */
	uint32_t name_len;
	enum tmpfs_type type;
	uint64_t ino;
	uint64_t size;			/* as tmpfs_stat.size */
	uint64_t cookie;		/* a cursor that resumes just after it */
};

struct tmpfs_statfs {
	uint64_t max_bytes;		/* 0: no limit but memory */
	uint64_t used_bytes;		/* charged: pages, nodes, entries, arrays */
	uint64_t nodes;			/* live nodes, unlinked-but-open ones too */
	uint64_t pages;			/* data and index pages */
};

/* A new filesystem with an empty root directory. 0, -EINVAL (env
 * incomplete), -ENOMEM (no memory for the filesystem itself), or -ENOSPC
 * (max_bytes below what the root takes). */
int tmpfs_create(struct tmpfs **fs, const struct tmpfs_env *env, uint64_t max_bytes);
/* Frees every node, page and entry, then the filesystem. The VFS must drop
 * every node reference first: while any is held this returns -EBUSY and
 * frees nothing (a reference is a pointer that would dangle). NULL: 0. */
int tmpfs_destroy(struct tmpfs *fs);

void tmpfs_statfs(const struct tmpfs *fs, struct tmpfs_statfs *out);
/* Limits the filesystem to what it holds now plus `room` bytes: the root,
 * filled from the initrd first, then bounded like /tmp. */
void tmpfs_limit_room(struct tmpfs *fs, uint64_t room);

/* References (see above). put frees a node that has no name left. */
struct tmpfs_node *tmpfs_node_get(struct tmpfs *fs, struct tmpfs_node *node);
void tmpfs_node_put(struct tmpfs *fs, struct tmpfs_node *node);
enum tmpfs_type tmpfs_node_type(const struct tmpfs_node *node);

/* The root directory, with a reference for the caller. */
struct tmpfs_node *tmpfs_root(struct tmpfs *fs);

/* The node named name[0..len) in dir, with a reference. -ENOTDIR, -EINVAL,
 * -ENAMETOOLONG, -ENOENT (also for any name in a removed directory). */
int tmpfs_lookup(struct tmpfs *fs, struct tmpfs_node *dir, const char *name, size_t len,
		 struct tmpfs_node **out);

/* Creates a file or directory named name[0..len) in dir. When the name
 * exists: -EEXIST if exclusive or if it is of the other type, else the
 * existing node (an open-or-create). *out gets a reference unless out is
 * NULL. -ENOTDIR, -EINVAL, -ENAMETOOLONG, -ENOENT (dir was removed),
 * -EEXIST, -ENOSPC. */
int tmpfs_create_node(struct tmpfs *fs, struct tmpfs_node *dir, const char *name, size_t len,
		      enum tmpfs_type type, bool exclusive, struct tmpfs_node **out);

/* Removes a file's name; -EISDIR for a directory, -ENOENT, -ENOTDIR,
 * -EINVAL, -ENAMETOOLONG. Never allocates. */
int tmpfs_unlink(struct tmpfs *fs, struct tmpfs_node *dir, const char *name, size_t len);
/* Removes an empty directory; -ENOTEMPTY, -ENOTDIR (dir, or the name is a
 * file), -ENOENT, -EINVAL, -ENAMETOOLONG. Never allocates. */
int tmpfs_rmdir(struct tmpfs *fs, struct tmpfs_node *dir, const char *name, size_t len);

/* Moves an entry, within a directory or across, replacing an existing
 * target atomically (the name never disappears in between, the replaced
 * node is unlinked and freed once unreferenced). Renaming a name onto
 * itself succeeds and changes nothing. Errors, with nothing changed:
 * -ENOTDIR (either dir is not a directory; a directory over a file),
 * -EISDIR (a file over a directory), -ENOTEMPTY (a directory over a
 * non-empty one), -EINVAL (a bad name; a directory into itself or its own
 * subtree), -ENAMETOOLONG, -ENOENT (no such source; to_dir was removed),
 * -ENOSPC (a new name needs memory; replacing never does). */
int tmpfs_rename(struct tmpfs *fs, struct tmpfs_node *from_dir, const char *from_name,
		 size_t from_len, struct tmpfs_node *to_dir, const char *to_name, size_t to_len);

/* Reads up to len bytes at off: the count (0 at or past the end; holes
 * read as zeros), or -EISDIR. */
long tmpfs_read(struct tmpfs *fs, struct tmpfs_node *file, uint64_t off, void *buf, size_t len);
/* Writes len bytes at off, extending the file (a gap before off becomes a
 * hole). Returns the count written; when memory runs out part way, the
 * bytes written so far (and the size they reach), or -ENOSPC when none
 * were. -EISDIR; -EINVAL when off is at or past TMPFS_MAX_FILE_SIZE (and
 * len > 0); a write crossing it is cut short there. */
long tmpfs_write(struct tmpfs *fs, struct tmpfs_node *file, uint64_t off, const void *buf,
		 size_t len);
/* Sets the size: shrinking frees the pages past the end, growing adds a
 * hole. Never allocates, never fails for memory. -EISDIR, -EINVAL (size
 * over TMPFS_MAX_FILE_SIZE). */
int tmpfs_truncate(struct tmpfs *fs, struct tmpfs_node *file, uint64_t size);

int tmpfs_stat(struct tmpfs *fs, struct tmpfs_node *node, struct tmpfs_stat *out);

/* Lists dir: up to max entries after *cursor (start with 0), in creation
 * order, advancing *cursor past them. Returns the count, 0 at the end (or
 * when max is 0), or -ENOTDIR. See the guarantee above. */
int tmpfs_readdir(struct tmpfs *fs, struct tmpfs_node *dir, uint64_t *cursor,
		  struct tmpfs_dirent *out, unsigned max);

/* Checks every invariant (sorted names, links, parents, the cookie list,
 * pages past the end, reference totals, and that the charged bytes equal a
 * recount); NULL when consistent, else what is wrong. For tests and
 * self-tests; O(size of the filesystem). */
const char *tmpfs_check(struct tmpfs *fs);

#endif
