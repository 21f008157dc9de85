/* What the two halves of tmpfs share: the node structures (tmpfs.c keeps
 * names and directories, tmpfs_file.c file data), and the charged memory
 * functions. Nobody outside kernel/fs/tmpfs*.c includes this. */
#ifndef FS_TMPFS_PRIVATE_H
#define FS_TMPFS_PRIVATE_H

#include "core/list.h"
#include "fs/tmpfs.h"

#define PAGE TMPFS_PAGE_SIZE
#define FANOUT_SHIFT 9
#define FANOUT (1u << FANOUT_SHIFT)		/* pointers in an index page */
#define MAX_HEIGHT 2				/* 512^2 pages = 1 GiB */
#define MAX_PAGES (TMPFS_MAX_FILE_SIZE / PAGE)

_Static_assert(FANOUT * sizeof(void *) == TMPFS_PAGE_SIZE, "an index page is one page");
_Static_assert((1ull << (FANOUT_SHIFT * MAX_HEIGHT)) == MAX_PAGES, "the tree covers the cap");

/* A name in a directory. Entries are allocated at their exact size, so the
 * name costs what it is long. */
struct tmpfs_entry {
	struct list_node link;		/* the directory's list, in cookie order */
	struct tmpfs_node *node;
	uint64_t cookie;		/* readdir position; increasing per directory */
	uint32_t len;
	char name[];			/* len bytes, then a NUL */
};

struct tmpfs_node {
	struct list_node all;		/* fs->all: every live node, for destroy and check */
	enum tmpfs_type type;
	uint32_t nlink;			/* 0: no name left; freed at the last put */
	uint32_t refs;			/* references held by callers (the VFS) */
	uint64_t ino;
	uint64_t size;			/* files */
	uint64_t atime, mtime, ctime;
	union {
		struct {
			/* Height 0: root is page 0 itself; height h > 0:
			 * root is an index page whose entries are subtrees
			 * of height h-1. NULL root: no pages, height 0. */
			void *root;
			unsigned height;
			uint64_t pages;		/* data and index pages held */
		} file;
		struct {
			struct tmpfs_entry **ents;	/* sorted by name */
			uint32_t count, cap;
			struct list_node order;		/* entries by cookie */
			uint64_t next_cookie;
			/* NULL for the root and for a removed directory. */
			struct tmpfs_node *parent;
		} dir;
	};
};

struct tmpfs {
	struct tmpfs_env env;
	uint64_t max_bytes;
	uint64_t used;			/* bytes charged */
	uint64_t nodes, pages;
	uint64_t refs;			/* sum of every node's refs */
	uint64_t next_ino;
	struct tmpfs_node *root;
	struct list_node all;
};

/* Memory charged to the filesystem (tmpfs.c): NULL, when the limit is
 * reached or the allocator fails, means ENOSPC to the caller. */
void *tmpfs_page_alloc(struct tmpfs *fs);
void tmpfs_page_free(struct tmpfs *fs, void *p);

/* File data (tmpfs_file.c). */
/* Frees every page at or past `size` and zeroes the tail of the last one. */
void tmpfs_file_trim(struct tmpfs *fs, struct tmpfs_node *f, uint64_t size);
/* Checks a file's page tree; adds its bytes to *bytes. NULL, or what is wrong. */
const char *tmpfs_file_check(const struct tmpfs_node *f, uint64_t *bytes);

#endif
