/* tmpfs on host memory: every operation and error, unlinked-but-open files,
 * renames over existing targets and across directories, cycles refused,
 * sparse files, ENOSPC from the byte limit and from the allocator with
 * nothing changed and everything given back, readdir under concurrent
 * unlinks, and a randomized test against a simple model. The host
 * environment counts live allocations and pages, which must be zero after
 * destroy. */
#include <stdint.h>
#include <stdlib.h>

#include "fs/tmpfs.h"
#include "lib/errors.h"
#include "unit.h"

/* --- the host environment --- */

static long live_allocs, live_pages;
static long fail_after = -1;	/* allocations still allowed; -1: no limit */
static long page_budget = -1;	/* pages still allowed; -1: no limit */
static uint64_t clock_ns;

static bool may_allocate(void)
{
	if (fail_after == 0)
		return false;
	if (fail_after > 0)
		fail_after--;
	return true;
}

static void *host_alloc(size_t size)
{
	if (!may_allocate())
		return NULL;
	void *p = calloc(1, size);
	if (p)
		live_allocs++;
	return p;
}

static void host_free(void *p)
{
	if (p)
		live_allocs--;
	free(p);
}

static void *host_alloc_page(void)
{
	if (!may_allocate() || page_budget == 0)
		return NULL;
	void *p = aligned_alloc(TMPFS_PAGE_SIZE, TMPFS_PAGE_SIZE);
	if (!p)
		return NULL;
	memset(p, 0, TMPFS_PAGE_SIZE);
	if (page_budget > 0)
		page_budget--;
	live_pages++;
	return p;
}

static void host_free_page(void *p)
{
	live_pages--;
	free(p);
}

static uint64_t host_now(void)
{
	return clock_ns += 1000;
}

static const struct tmpfs_env env = {
	host_alloc, host_free, host_alloc_page, host_free_page, host_now,
};

static struct tmpfs *new_fs(uint64_t max_bytes)
{
	struct tmpfs *fs;
	live_allocs = live_pages = 0;
	fail_after = page_budget = -1;
	clock_ns = 0;
	return tmpfs_create(&fs, &env, max_bytes) == 0 ? fs : NULL;
}

static uint64_t used(struct tmpfs *fs)
{
	struct tmpfs_statfs st;
	tmpfs_statfs(fs, &st);
	return st.used_bytes;
}

/* A name argument pair. */
#define N(s) (s), strlen(s)

#define CHECK_FS(fs)							\
	do {								\
		const char *why_ = tmpfs_check(fs);			\
		if (why_)						\
			UNIT_FAIL("tmpfs_check: %s", why_);		\
	} while (0)

/* Consistent, then destroyed with nothing left allocated. */
#define FINISH(fs)							\
	do {								\
		CHECK_FS(fs);						\
		CHECK_EQ(tmpfs_destroy(fs), 0);				\
		CHECK_EQ(live_allocs, 0);				\
		CHECK_EQ(live_pages, 0);				\
	} while (0)

static struct tmpfs_node *mk(struct tmpfs *fs, struct tmpfs_node *dir, const char *name,
			     enum tmpfs_type type)
{
	struct tmpfs_node *n = NULL;
	if (tmpfs_create_node(fs, dir, name, strlen(name), type, true, &n) != 0)
		return NULL;
	return n;
}

static struct tmpfs_stat stat_of(struct tmpfs *fs, struct tmpfs_node *n)
{
	struct tmpfs_stat st;
	tmpfs_stat(fs, n, &st);
	return st;
}

static bool exists(struct tmpfs *fs, struct tmpfs_node *dir, const char *name)
{
	struct tmpfs_node *n;
	if (tmpfs_lookup(fs, dir, name, strlen(name), &n) != 0)
		return false;
	tmpfs_node_put(fs, n);
	return true;
}

static bool all_bytes(const unsigned char *p, size_t n, unsigned char v)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != v)
			return false;
	return true;
}

/* --- creation, names, lookup --- */

TEST(test_create_and_destroy_give_everything_back)
{
	struct tmpfs *fs = new_fs(0);
	CHECK(fs);
	struct tmpfs_node *root = tmpfs_root(fs);
	struct tmpfs_stat st = stat_of(fs, root);
	CHECK_EQ(st.type, TMPFS_DIR);
	CHECK_EQ(st.nlink, 2);
	CHECK_EQ(st.size, 0);
	CHECK_EQ(tmpfs_destroy(fs), -EBUSY);		/* a reference is held */
	tmpfs_node_put(fs, root);
	FINISH(fs);

	struct tmpfs_env partial = env;
	partial.now_ns = NULL;
	CHECK_EQ(tmpfs_create(&fs, &partial, 0), -EINVAL);
	CHECK(fs == NULL);
	CHECK_EQ(tmpfs_create(&fs, &env, 16), -ENOSPC);	/* not even the root fits */
	CHECK_EQ(live_allocs, 0);
	fail_after = 0;
	CHECK_EQ(tmpfs_create(&fs, &env, 0), -ENOMEM);
	fail_after = 1;
	CHECK_EQ(tmpfs_create(&fs, &env, 0), -ENOSPC);
	CHECK_EQ(live_allocs, 0);
	fail_after = -1;
	CHECK_EQ(tmpfs_destroy(NULL), 0);
}

TEST(test_bad_names_are_refused)
{
	struct tmpfs *fs = new_fs(0);
	struct tmpfs_node *root = tmpfs_root(fs), *n;
	char longname[300];
	memset(longname, 'x', sizeof(longname));

	CHECK_EQ(tmpfs_create_node(fs, root, "", 0, TMPFS_FILE, true, &n), -EINVAL);
	CHECK_EQ(tmpfs_create_node(fs, root, N("."), TMPFS_FILE, true, &n), -EINVAL);
	CHECK_EQ(tmpfs_create_node(fs, root, N(".."), TMPFS_DIR, true, &n), -EINVAL);
	CHECK_EQ(tmpfs_create_node(fs, root, N("a/b"), TMPFS_FILE, true, &n), -EINVAL);
	CHECK_EQ(tmpfs_create_node(fs, root, "a\0b", 3, TMPFS_FILE, true, &n), -EINVAL);
	CHECK_EQ(tmpfs_create_node(fs, root, longname, 256, TMPFS_FILE, true, &n), -ENAMETOOLONG);
	CHECK_EQ(tmpfs_create_node(fs, root, N("ok"), (enum tmpfs_type)7, true, &n), -EINVAL);
	CHECK_EQ(tmpfs_lookup(fs, root, N(".."), &n), -EINVAL);
	CHECK_EQ(tmpfs_lookup(fs, root, longname, 256, &n), -ENAMETOOLONG);
	CHECK_EQ(tmpfs_unlink(fs, root, N("/")), -EINVAL);
	CHECK_EQ(tmpfs_rmdir(fs, root, N(".")), -EINVAL);
	/* Names that look odd but are fine: 255 bytes, dots, any byte. */
	CHECK_EQ(tmpfs_create_node(fs, root, longname, 255, TMPFS_FILE, true, NULL), 0);
	CHECK_EQ(tmpfs_create_node(fs, root, N("..."), TMPFS_FILE, true, NULL), 0);
	CHECK_EQ(tmpfs_create_node(fs, root, N(".hidden"), TMPFS_FILE, true, NULL), 0);
	CHECK_EQ(tmpfs_create_node(fs, root, N("\xff\x01 x"), TMPFS_FILE, true, NULL), 0);
	CHECK_EQ(tmpfs_lookup(fs, root, longname, 255, &n), 0);
	tmpfs_node_put(fs, n);
	CHECK(!exists(fs, root, "xxxx"));		/* a prefix is another name */
	CHECK_EQ(stat_of(fs, root).size, 4);
	tmpfs_node_put(fs, root);
	FINISH(fs);
}

TEST(test_create_is_exclusive_or_opens_and_checks_the_type)
{
	struct tmpfs *fs = new_fs(0);
	struct tmpfs_node *root = tmpfs_root(fs), *f, *g, *d;

	CHECK(f = mk(fs, root, "file", TMPFS_FILE));
	CHECK(d = mk(fs, root, "dir", TMPFS_DIR));
	CHECK_EQ(tmpfs_create_node(fs, root, N("file"), TMPFS_FILE, true, &g), -EEXIST);
	CHECK_EQ(tmpfs_create_node(fs, root, N("file"), TMPFS_DIR, false, &g), -EEXIST);
	CHECK_EQ(tmpfs_create_node(fs, root, N("dir"), TMPFS_FILE, false, &g), -EEXIST);
	CHECK_EQ(tmpfs_create_node(fs, root, N("file"), TMPFS_FILE, false, &g), 0);
	CHECK(g == f);
	tmpfs_node_put(fs, g);
	CHECK_EQ(tmpfs_lookup(fs, root, N("dir"), &g), 0);
	CHECK(g == d);
	CHECK_EQ(tmpfs_node_type(g), TMPFS_DIR);
	tmpfs_node_put(fs, g);
	CHECK_EQ(tmpfs_lookup(fs, root, N("nope"), &g), -ENOENT);
	CHECK_EQ(tmpfs_lookup(fs, f, N("x"), &g), -ENOTDIR);
	CHECK_EQ(tmpfs_create_node(fs, f, N("x"), TMPFS_FILE, true, &g), -ENOTDIR);
	CHECK_EQ(tmpfs_unlink(fs, f, N("x")), -ENOTDIR);
	CHECK_EQ(tmpfs_rmdir(fs, f, N("x")), -ENOTDIR);
	CHECK(stat_of(fs, f).ino != stat_of(fs, d).ino);
	CHECK_EQ(stat_of(fs, root).nlink, 3);		/* 2 + one subdirectory */
	CHECK_EQ(stat_of(fs, d).nlink, 2);
	CHECK_EQ(stat_of(fs, f).nlink, 1);
	tmpfs_node_put(fs, f);
	tmpfs_node_put(fs, d);
	tmpfs_node_put(fs, root);
	FINISH(fs);
}

/* --- data --- */

TEST(test_read_write_seek_and_append)
{
	struct tmpfs *fs = new_fs(0);
	struct tmpfs_node *root = tmpfs_root(fs), *f = mk(fs, root, "f", TMPFS_FILE);
	char buf[10000];

	CHECK_EQ(tmpfs_write(fs, f, 0, "hello", 5), 5);
	CHECK_EQ(tmpfs_read(fs, f, 0, buf, sizeof(buf)), 5);
	CHECK(memcmp(buf, "hello", 5) == 0);
	CHECK_EQ(tmpfs_read(fs, f, 3, buf, 1), 1);
	CHECK_EQ(buf[0], 'l');
	CHECK_EQ(tmpfs_read(fs, f, 5, buf, 10), 0);	/* at the end */
	CHECK_EQ(tmpfs_read(fs, f, 500, buf, 10), 0);	/* past it */
	CHECK_EQ(tmpfs_read(fs, f, 0, buf, 0), 0);
	/* Append at the size, overwrite in the middle. */
	uint64_t size = stat_of(fs, f).size;
	CHECK_EQ(tmpfs_write(fs, f, size, " world", 6), 6);
	CHECK_EQ(tmpfs_write(fs, f, 0, "J", 1), 1);
	CHECK_EQ(tmpfs_read(fs, f, 0, buf, sizeof(buf)), 11);
	CHECK(memcmp(buf, "Jello world", 11) == 0);
	CHECK_EQ(tmpfs_write(fs, f, 0, "x", 0), 0);
	/* Across page boundaries. */
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7);
	CHECK_EQ(tmpfs_write(fs, f, 4000, buf, sizeof(buf)), (long)sizeof(buf));
	CHECK_EQ(stat_of(fs, f).size, 14000);
	CHECK_EQ(stat_of(fs, f).blocks, 4 + 1);		/* 4 data pages, 1 index page */
	char back[10000];
	CHECK_EQ(tmpfs_read(fs, f, 4000, back, sizeof(back)), (long)sizeof(back));
	CHECK(memcmp(back, buf, sizeof(buf)) == 0);
	CHECK_EQ(tmpfs_read(fs, f, 13990, back, 100), 10);
	CHECK_EQ(tmpfs_read(fs, f, 0, back, 11), 11);
	CHECK(memcmp(back, "Jello world", 11) == 0);
	/* Directories are not files. */
	CHECK_EQ(tmpfs_read(fs, root, 0, buf, 1), -EISDIR);
	CHECK_EQ(tmpfs_write(fs, root, 0, buf, 1), -EISDIR);
	CHECK_EQ(tmpfs_truncate(fs, root, 0), -EISDIR);
	tmpfs_node_put(fs, f);
	tmpfs_node_put(fs, root);
	FINISH(fs);
}

TEST(test_sparse_files_read_zeros_and_take_no_memory_for_holes)
{
	struct tmpfs *fs = new_fs(0);
	struct tmpfs_node *root = tmpfs_root(fs), *f = mk(fs, root, "sparse", TMPFS_FILE);
	unsigned char buf[4 * 4096];
	uint64_t far = 900ull << 20;

	CHECK_EQ(tmpfs_write(fs, f, far, "Z", 1), 1);
	CHECK_EQ(stat_of(fs, f).size, far + 1);
	CHECK_EQ(stat_of(fs, f).blocks, 3);		/* 1 data + 2 index pages */
	CHECK_EQ(live_pages, 3);
	memset(buf, 0xee, sizeof(buf));
	CHECK_EQ(tmpfs_read(fs, f, far - 4096, buf, sizeof(buf)), 4097);
	CHECK(all_bytes(buf, 4096, 0));
	CHECK_EQ(buf[4096], 'Z');
	memset(buf, 0xee, sizeof(buf));
	CHECK_EQ(tmpfs_read(fs, f, 12345, buf, sizeof(buf)), (long)sizeof(buf));
	CHECK(all_bytes(buf, sizeof(buf), 0));
	/* Page 0 joins the tree; a write in the same leaf adds just a page. */
	CHECK_EQ(tmpfs_write(fs, f, 0, "A", 1), 1);
	CHECK_EQ(stat_of(fs, f).blocks, 5);		/* + leaf index page + page */
	CHECK_EQ(tmpfs_write(fs, f, 3 * 4096, "B", 1), 1);
	CHECK_EQ(stat_of(fs, f).blocks, 6);
	CHECK_EQ(tmpfs_read(fs, f, 0, buf, 4 * 4096), 4 * 4096);
	CHECK_EQ(buf[0], 'A');
	CHECK_EQ(buf[3 * 4096], 'B');
	CHECK(all_bytes(buf + 1, 3 * 4096 - 1, 0));
	CHECK_FS(fs);

	/* The size limit: -EINVAL at it, a crossing write is cut short. */
	CHECK_EQ(tmpfs_write(fs, f, TMPFS_MAX_FILE_SIZE, "x", 1), -EINVAL);
	CHECK_EQ(tmpfs_write(fs, f, UINT64_MAX - 2, "xyz", 3), -EINVAL);
	CHECK_EQ(tmpfs_write(fs, f, TMPFS_MAX_FILE_SIZE - 2, "xyz", 3), 2);
	CHECK_EQ(stat_of(fs, f).size, TMPFS_MAX_FILE_SIZE);
	CHECK_EQ(tmpfs_read(fs, f, TMPFS_MAX_FILE_SIZE - 2, buf, 10), 2);
	CHECK(memcmp(buf, "xy", 2) == 0);
	CHECK_EQ(tmpfs_truncate(fs, f, TMPFS_MAX_FILE_SIZE + 1), -EINVAL);
	CHECK_EQ(tmpfs_read(fs, f, UINT64_MAX, buf, 10), 0);
	CHECK_FS(fs);
	tmpfs_node_put(fs, f);
	tmpfs_node_put(fs, root);
	FINISH(fs);
}

TEST(test_truncate_shrinks_freeing_pages_and_grows_with_a_hole)
{
	struct tmpfs *fs = new_fs(0);
	struct tmpfs_node *root = tmpfs_root(fs);
	uint64_t base = used(fs);
	struct tmpfs_node *f = mk(fs, root, "f", TMPFS_FILE);
	uint64_t empty_file = used(fs);
	unsigned char buf[3 * 4096];

	memset(buf, 0xaa, sizeof(buf));
	CHECK_EQ(tmpfs_write(fs, f, 0, buf, sizeof(buf)), (long)sizeof(buf));
	CHECK_EQ(stat_of(fs, f).blocks, 4);
	CHECK_EQ(tmpfs_truncate(fs, f, 5000), 0);
	CHECK_EQ(stat_of(fs, f).size, 5000);
	CHECK_EQ(stat_of(fs, f).blocks, 3);
	CHECK_FS(fs);
	/* Growing again shows zeros where the cut bytes were. */
	CHECK_EQ(tmpfs_truncate(fs, f, 3 * 4096), 0);
	CHECK_EQ(stat_of(fs, f).blocks, 3);
	CHECK_EQ(tmpfs_read(fs, f, 0, buf, sizeof(buf)), (long)sizeof(buf));
	CHECK(all_bytes(buf, 5000, 0xaa));
	CHECK(all_bytes(buf + 5000, sizeof(buf) - 5000, 0));
	/* Down to one page: the tree collapses to height 0. */
	CHECK_EQ(tmpfs_truncate(fs, f, 10), 0);
	CHECK_EQ(stat_of(fs, f).blocks, 1);
	CHECK_EQ(used(fs), empty_file + 4096);
	CHECK_EQ(tmpfs_truncate(fs, f, 0), 0);
	CHECK_EQ(stat_of(fs, f).blocks, 0);
	CHECK_EQ(used(fs), empty_file);
	/* Growing a hole costs nothing, even past what the tree holds. */
	CHECK_EQ(tmpfs_truncate(fs, f, 100 << 20), 0);
	CHECK_EQ(used(fs), empty_file);
	CHECK_EQ(tmpfs_read(fs, f, (100 << 20) - 100, buf, sizeof(buf)), 100);
	CHECK(all_bytes(buf, 100, 0));
	/* A deep file cut back in the middle of an index page. */
	CHECK_EQ(tmpfs_write(fs, f, 5 << 20, "deep", 4), 4);
	CHECK_EQ(tmpfs_write(fs, f, 1000 * 4096, "mid", 3), 3);
	CHECK_EQ(tmpfs_write(fs, f, 600 * 4096, "low", 3), 3);
	CHECK_EQ(stat_of(fs, f).blocks, 3 + 2 + 1);	/* root, 2 leaves; 3 pages */
	CHECK_EQ(tmpfs_truncate(fs, f, 900 * 4096), 0);
	CHECK_EQ(stat_of(fs, f).blocks, 3);		/* root, 1 leaf, 1 page */
	CHECK_FS(fs);
	CHECK_EQ(tmpfs_truncate(fs, f, 700 * 4096 + 1), 0);
	CHECK_EQ(tmpfs_truncate(fs, f, 100), 0);	/* the leaf of 600 goes */
	CHECK_EQ(stat_of(fs, f).blocks, 0);
	CHECK_EQ(used(fs), empty_file);
	CHECK_EQ(tmpfs_truncate(fs, f, 100), 0);	/* unchanged */
	CHECK_FS(fs);
	tmpfs_node_put(fs, f);
	CHECK_EQ(tmpfs_unlink(fs, root, N("f")), 0);
	CHECK_EQ(used(fs), base);
	tmpfs_node_put(fs, root);
	FINISH(fs);
}

/* --- unlink, rmdir --- */

TEST(test_unlinked_file_stays_usable_until_the_last_put)
{
	struct tmpfs *fs = new_fs(0);
	struct tmpfs_node *root = tmpfs_root(fs);
	uint64_t base = used(fs);
	struct tmpfs_node *f = mk(fs, root, "f", TMPFS_FILE), *g;
	char buf[16];

	CHECK_EQ(tmpfs_write(fs, f, 0, "data", 4), 4);
	CHECK_EQ(tmpfs_lookup(fs, root, N("f"), &g), 0);	/* two references */
	CHECK_EQ(tmpfs_unlink(fs, root, N("f")), 0);
	CHECK(!exists(fs, root, "f"));
	CHECK_EQ(tmpfs_unlink(fs, root, N("f")), -ENOENT);
	CHECK_EQ(stat_of(fs, f).nlink, 0);
	CHECK_EQ(tmpfs_read(fs, f, 0, buf, sizeof(buf)), 4);
	CHECK(memcmp(buf, "data", 4) == 0);
	CHECK_EQ(tmpfs_write(fs, f, 4, "more", 4), 4);
	CHECK_EQ(tmpfs_truncate(fs, f, 6), 0);
	/* A new file of the same name is another file. */
	struct tmpfs_node *h = mk(fs, root, "f", TMPFS_FILE);
	CHECK(h && h != f);
	CHECK_EQ(stat_of(fs, h).size, 0);
	tmpfs_node_put(fs, h);
	CHECK_EQ(tmpfs_unlink(fs, root, N("f")), 0);
	CHECK_FS(fs);
	tmpfs_node_put(fs, f);
	CHECK_EQ(tmpfs_read(fs, g, 0, buf, sizeof(buf)), 6);
	CHECK(memcmp(buf, "datamo", 6) == 0);
	CHECK(used(fs) > base);
	tmpfs_node_put(fs, g);				/* the last one: freed */
	CHECK_EQ(used(fs), base);
	CHECK_EQ(live_pages, 0);

	struct tmpfs_node *d = mk(fs, root, "d", TMPFS_DIR);
	CHECK_EQ(tmpfs_unlink(fs, root, N("d")), -EISDIR);
	tmpfs_node_put(fs, d);
	tmpfs_node_put(fs, root);
	FINISH(fs);
}

TEST(test_rmdir_only_empty_and_removed_dir_takes_no_entries)
{
	struct tmpfs *fs = new_fs(0);
	struct tmpfs_node *root = tmpfs_root(fs);
	uint64_t base = used(fs);
	struct tmpfs_node *d = mk(fs, root, "d", TMPFS_DIR), *n;
	struct tmpfs_dirent ents[4];
	uint64_t cursor = 0;

	CHECK_EQ(tmpfs_create_node(fs, d, N("f"), TMPFS_FILE, true, NULL), 0);
	CHECK_EQ(tmpfs_rmdir(fs, root, N("d")), -ENOTEMPTY);
	CHECK_EQ(tmpfs_rmdir(fs, d, N("f")), -ENOTDIR);
	CHECK_EQ(tmpfs_rmdir(fs, root, N("nope")), -ENOENT);
	CHECK_EQ(tmpfs_unlink(fs, d, N("f")), 0);
	CHECK_EQ(stat_of(fs, root).nlink, 3);
	CHECK_EQ(tmpfs_rmdir(fs, root, N("d")), 0);	/* still referenced by d */
	CHECK_EQ(stat_of(fs, root).nlink, 2);
	CHECK_EQ(stat_of(fs, d).nlink, 0);
	CHECK(!exists(fs, root, "d"));
	CHECK_EQ(tmpfs_create_node(fs, d, N("g"), TMPFS_FILE, true, &n), -ENOENT);
	CHECK_EQ(tmpfs_create_node(fs, d, N("g"), TMPFS_DIR, false, NULL), -ENOENT);
	CHECK_EQ(tmpfs_lookup(fs, d, N("g"), &n), -ENOENT);
	CHECK_EQ(tmpfs_readdir(fs, d, &cursor, ents, 4), 0);
	CHECK_EQ(tmpfs_rename(fs, root, N("x"), d, N("y")), -ENOENT);
	CHECK_FS(fs);
	tmpfs_node_put(fs, d);
	CHECK_EQ(used(fs), base);
	tmpfs_node_put(fs, root);
	FINISH(fs);
}

/* --- rename --- */

static bool read_is(struct tmpfs *fs, struct tmpfs_node *dir, const char *name, const char *want)
{
	struct tmpfs_node *n;
	char buf[64];
	if (tmpfs_lookup(fs, dir, name, strlen(name), &n) != 0)
		return false;
	long r = tmpfs_read(fs, n, 0, buf, sizeof(buf));
	tmpfs_node_put(fs, n);
	return r == (long)strlen(want) && memcmp(buf, want, r) == 0;
}

static int put_file(struct tmpfs *fs, struct tmpfs_node *dir, const char *name, const char *data)
{
	struct tmpfs_node *n;
	int err = tmpfs_create_node(fs, dir, name, strlen(name), TMPFS_FILE, false, &n);
	if (err)
		return err;
	long r = tmpfs_write(fs, n, 0, data, strlen(data));
	tmpfs_node_put(fs, n);
	return r < 0 ? (int)r : 0;
}

TEST(test_rename_within_and_across_directories)
{
	struct tmpfs *fs = new_fs(0);
	struct tmpfs_node *root = tmpfs_root(fs);
	struct tmpfs_node *a = mk(fs, root, "a", TMPFS_DIR), *b = mk(fs, root, "b", TMPFS_DIR);
	struct tmpfs_node *sub = mk(fs, a, "sub", TMPFS_DIR);

	CHECK_EQ(put_file(fs, a, "f", "one"), 0);
	CHECK_EQ(tmpfs_rename(fs, a, N("f"), a, N("g")), 0);
	CHECK(!exists(fs, a, "f"));
	CHECK(read_is(fs, a, "g", "one"));
	CHECK_EQ(tmpfs_rename(fs, a, N("g"), b, N("h")), 0);
	CHECK(!exists(fs, a, "g"));
	CHECK(read_is(fs, b, "h", "one"));
	/* A directory moves with its contents; link counts follow. */
	CHECK_EQ(put_file(fs, sub, "inner", "two"), 0);
	CHECK_EQ(stat_of(fs, a).nlink, 3);
	CHECK_EQ(tmpfs_rename(fs, a, N("sub"), b, N("moved")), 0);
	CHECK_EQ(stat_of(fs, a).nlink, 2);
	CHECK_EQ(stat_of(fs, b).nlink, 3);
	struct tmpfs_node *m;
	CHECK_EQ(tmpfs_lookup(fs, b, N("moved"), &m), 0);
	CHECK(m == sub);
	CHECK(read_is(fs, m, "inner", "two"));
	tmpfs_node_put(fs, m);
	CHECK_FS(fs);
	/* Onto itself: nothing happens. */
	uint64_t before = used(fs);
	CHECK_EQ(tmpfs_rename(fs, b, N("h"), b, N("h")), 0);
	CHECK_EQ(tmpfs_rename(fs, b, N("moved"), b, N("moved")), 0);
	CHECK(read_is(fs, b, "h", "one"));
	CHECK_EQ(used(fs), before);
	/* A directory to the root and back down: its parent follows, so a
	 * later cycle check sees the new place. */
	CHECK_EQ(tmpfs_rename(fs, b, N("moved"), root, N("top")), 0);
	CHECK_EQ(tmpfs_rename(fs, root, N("b"), sub, N("b2")), 0);
	CHECK_EQ(tmpfs_rename(fs, sub, N("b2"), b, N("x")), -EINVAL);
	CHECK_EQ(stat_of(fs, root).nlink, 4);		/* a, top, + 2 */
	CHECK_FS(fs);
	tmpfs_node_put(fs, a);
	tmpfs_node_put(fs, b);
	tmpfs_node_put(fs, sub);
	tmpfs_node_put(fs, root);
	FINISH(fs);
}

TEST(test_rename_over_existing_replaces_atomically_and_frees_the_old)
{
	struct tmpfs *fs = new_fs(0);
	struct tmpfs_node *root = tmpfs_root(fs), *d = mk(fs, root, "d", TMPFS_DIR), *old;
	static char big[20000];
	memset(big, 'B', sizeof(big) - 1);

	CHECK_EQ(put_file(fs, root, "src", "new"), 0);
	CHECK_EQ(put_file(fs, d, "dst", big), 0);
	uint64_t with_both = used(fs);
	CHECK_EQ(tmpfs_lookup(fs, d, N("dst"), &old), 0);	/* keep the target open */
	CHECK_EQ(tmpfs_rename(fs, root, N("src"), d, N("dst")), 0);
	CHECK(!exists(fs, root, "src"));
	CHECK(read_is(fs, d, "dst", "new"));
	CHECK_EQ(stat_of(fs, old).nlink, 0);
	CHECK_EQ(stat_of(fs, old).size, sizeof(big) - 1);	/* still readable */
	char buf[4];
	CHECK_EQ(tmpfs_read(fs, old, 19000, buf, 4), 4);
	CHECK(all_bytes((unsigned char *)buf, 4, 'B'));
	CHECK_FS(fs);
	uint64_t old_cost = 0;
	{
		/* Node + 5 data pages + 1 index page; the source's entry went. */
		struct tmpfs_stat st = stat_of(fs, old);
		old_cost = st.blocks * 4096;
	}
	uint64_t before_put = used(fs);
	CHECK(before_put < with_both);			/* src's entry is gone */
	tmpfs_node_put(fs, old);
	CHECK(used(fs) + old_cost < before_put);
	CHECK_EQ(live_pages, 1);			/* just "new" */
	CHECK_FS(fs);

	/* An empty directory can be replaced by a directory. */
	struct tmpfs_node *e = mk(fs, root, "empty", TMPFS_DIR);
	struct tmpfs_node *s = mk(fs, root, "srcdir", TMPFS_DIR);
	CHECK_EQ(put_file(fs, s, "x", "x"), 0);
	CHECK_EQ(stat_of(fs, root).nlink, 5);
	CHECK_EQ(tmpfs_rename(fs, root, N("srcdir"), root, N("empty")), 0);
	CHECK_EQ(stat_of(fs, root).nlink, 4);
	CHECK_EQ(stat_of(fs, e).nlink, 0);
	CHECK_EQ(tmpfs_create_node(fs, e, N("y"), TMPFS_FILE, true, NULL), -ENOENT);
	CHECK(read_is(fs, root, "empty", "") == false);	/* it is a directory now */
	struct tmpfs_node *m;
	CHECK_EQ(tmpfs_lookup(fs, root, N("empty"), &m), 0);
	CHECK(m == s);
	CHECK(read_is(fs, m, "x", "x"));
	/* Across directories, over an empty one. */
	struct tmpfs_node *e2 = mk(fs, d, "e2", TMPFS_DIR);
	CHECK_EQ(stat_of(fs, d).nlink, 3);
	CHECK_EQ(tmpfs_rename(fs, root, N("empty"), d, N("e2")), 0);
	CHECK_EQ(stat_of(fs, d).nlink, 3);
	CHECK_EQ(stat_of(fs, root).nlink, 3);
	CHECK_FS(fs);
	tmpfs_node_put(fs, m);
	tmpfs_node_put(fs, e);
	tmpfs_node_put(fs, e2);
	tmpfs_node_put(fs, s);
	tmpfs_node_put(fs, d);
	tmpfs_node_put(fs, root);
	FINISH(fs);
}

TEST(test_rename_errors_change_nothing)
{
	struct tmpfs *fs = new_fs(0);
	struct tmpfs_node *root = tmpfs_root(fs);
	struct tmpfs_node *a = mk(fs, root, "a", TMPFS_DIR);
	struct tmpfs_node *b = mk(fs, a, "b", TMPFS_DIR);
	struct tmpfs_node *c = mk(fs, b, "c", TMPFS_DIR);
	struct tmpfs_node *full = mk(fs, root, "full", TMPFS_DIR);
	struct tmpfs_node *f = mk(fs, root, "f", TMPFS_FILE);
	char longname[300];
	memset(longname, 'n', sizeof(longname));
	CHECK_EQ(put_file(fs, full, "x", "x"), 0);
	CHECK_EQ(put_file(fs, root, "g", "g"), 0);
	uint64_t before = used(fs);

	CHECK_EQ(tmpfs_rename(fs, root, N("f"), root, N("a")), -EISDIR);
	CHECK_EQ(tmpfs_rename(fs, root, N("a"), root, N("f")), -ENOTDIR);
	CHECK_EQ(tmpfs_rename(fs, root, N("a"), root, N("full")), -ENOTEMPTY);
	CHECK_EQ(tmpfs_rename(fs, root, N("a"), a, N("self")), -EINVAL);
	CHECK_EQ(tmpfs_rename(fs, root, N("a"), b, N("child")), -EINVAL);
	CHECK_EQ(tmpfs_rename(fs, root, N("a"), c, N("grandchild")), -EINVAL);
	CHECK_EQ(tmpfs_rename(fs, a, N("b"), c, N("b")), -EINVAL);
	/* Over an ancestor: never empty. */
	CHECK_EQ(tmpfs_rename(fs, b, N("c"), root, N("a")), -ENOTEMPTY);
	CHECK_EQ(tmpfs_rename(fs, root, N("nope"), root, N("x")), -ENOENT);
	CHECK_EQ(tmpfs_rename(fs, f, N("x"), root, N("y")), -ENOTDIR);
	CHECK_EQ(tmpfs_rename(fs, root, N("f"), f, N("y")), -ENOTDIR);
	CHECK_EQ(tmpfs_rename(fs, root, N(".."), root, N("y")), -EINVAL);
	CHECK_EQ(tmpfs_rename(fs, root, N("f"), root, N("a/b")), -EINVAL);
	CHECK_EQ(tmpfs_rename(fs, root, N("f"), root, longname, 256), -ENAMETOOLONG);
	CHECK_EQ(used(fs), before);
	CHECK(exists(fs, root, "f"));
	CHECK(exists(fs, root, "a"));
	CHECK(exists(fs, c, "..") == false);
	CHECK_EQ(stat_of(fs, root).nlink, 4);
	CHECK_FS(fs);
	/* A file over a file and a sideways directory move are fine. */
	CHECK_EQ(tmpfs_rename(fs, root, N("g"), root, N("f")), 0);
	CHECK(read_is(fs, root, "f", "g"));
	CHECK_EQ(tmpfs_rename(fs, b, N("c"), root, N("c")), 0);
	CHECK_EQ(stat_of(fs, b).nlink, 2);
	CHECK_FS(fs);
	tmpfs_node_put(fs, a);
	tmpfs_node_put(fs, b);
	tmpfs_node_put(fs, c);
	tmpfs_node_put(fs, full);
	tmpfs_node_put(fs, f);
	tmpfs_node_put(fs, root);
	FINISH(fs);
}

/* --- stat and times --- */

TEST(test_stat_reports_type_size_links_and_times)
{
	struct tmpfs *fs = new_fs(0);
	struct tmpfs_node *root = tmpfs_root(fs);
	uint64_t t0 = clock_ns;
	struct tmpfs_node *f = mk(fs, root, "f", TMPFS_FILE);
	struct tmpfs_stat st = stat_of(fs, f), rs = stat_of(fs, root);
	char buf[8];

	CHECK_EQ(st.type, TMPFS_FILE);
	CHECK(st.atime > t0);
	CHECK(st.atime == st.mtime && st.mtime == st.ctime);
	CHECK(rs.mtime > t0 && rs.ctime == rs.mtime);	/* the directory changed */

	CHECK_EQ(tmpfs_write(fs, f, 0, "abc", 3), 3);
	struct tmpfs_stat w = stat_of(fs, f);
	CHECK(w.mtime > st.mtime && w.ctime == w.mtime);
	CHECK_EQ(w.atime, st.atime);
	CHECK_EQ(w.size, 3);
	CHECK_EQ(w.blocks, 1);

	CHECK_EQ(tmpfs_read(fs, f, 0, buf, 3), 3);
	struct tmpfs_stat r = stat_of(fs, f);
	CHECK(r.atime > w.mtime);
	CHECK_EQ(r.mtime, w.mtime);

	CHECK_EQ(tmpfs_truncate(fs, f, 3), 0);		/* no change, no time */
	CHECK_EQ(stat_of(fs, f).mtime, w.mtime);
	CHECK_EQ(tmpfs_truncate(fs, f, 1), 0);
	struct tmpfs_stat t = stat_of(fs, f);
	CHECK(t.mtime > r.atime && t.ctime == t.mtime);

	CHECK_EQ(tmpfs_rename(fs, root, N("f"), root, N("g")), 0);
	struct tmpfs_stat n = stat_of(fs, f);
	CHECK(n.ctime > t.ctime);
	CHECK_EQ(n.mtime, t.mtime);
	CHECK(stat_of(fs, root).mtime > t.ctime);

	CHECK_EQ(tmpfs_unlink(fs, root, N("g")), 0);
	struct tmpfs_stat u = stat_of(fs, f);
	CHECK(u.ctime > n.ctime);
	CHECK_EQ(u.nlink, 0);
	CHECK_EQ(u.ino, st.ino);
	tmpfs_node_put(fs, f);
	tmpfs_node_put(fs, root);
	FINISH(fs);
}

/* --- readdir --- */

TEST(test_readdir_in_batches_with_unlinks_in_between)
{
	enum { COUNT = 50 };
	struct tmpfs *fs = new_fs(0);
	struct tmpfs_node *root = tmpfs_root(fs);
	struct tmpfs_dirent ents[3];
	int seen[COUNT] = { 0 }, removed_unseen[COUNT] = { 0 }, removed[COUNT] = { 0 };
	char name[32];
	uint64_t cursor = 0;
	int r, batches = 0, added = 0;

	/* Created in reverse name order: readdir is by creation, not name. */
	for (int i = COUNT - 1; i >= 0; i--) {
		snprintf(name, sizeof(name), "f%02d", i);
		CHECK_EQ(put_file(fs, root, name, name), 0);
	}
	CHECK_EQ(tmpfs_create_node(fs, root, N("subdir"), TMPFS_DIR, true, NULL), 0);
	while ((r = tmpfs_readdir(fs, root, &cursor, ents, 3)) > 0) {
		CHECK(r <= 3);
		for (int k = 0; k < r; k++) {
			int i;
			if (strcmp(ents[k].name, "subdir") == 0) {
				CHECK_EQ(ents[k].type, TMPFS_DIR);
				continue;
			}
			if (ents[k].name[0] == 'n')
				continue;			/* added during the listing */
			CHECK(sscanf(ents[k].name, "f%d", &i) == 1 && i >= 0 && i < COUNT);
			CHECK_EQ(ents[k].name_len, 3);
			CHECK_EQ(ents[k].type, TMPFS_FILE);
			CHECK_EQ(ents[k].size, 3);
			CHECK(!removed[i] || !removed_unseen[i]);
			seen[i]++;
		}
		/* Between batches: remove one entry not reached yet, one
		 * already returned, and add one. */
		batches++;
		int ahead = -1, behind = -1;
		for (int i = 0; i < COUNT; i++) {
			if (!removed[i] && !seen[i] && (batches % 2) && ahead < 0 && i % 3 == 0)
				ahead = i;
			if (!removed[i] && seen[i] && behind < 0)
				behind = i;
		}
		if (ahead >= 0) {
			snprintf(name, sizeof(name), "f%02d", ahead);
			CHECK_EQ(tmpfs_unlink(fs, root, N(name)), 0);
			removed[ahead] = removed_unseen[ahead] = 1;
		}
		if (behind >= 0) {
			snprintf(name, sizeof(name), "f%02d", behind);
			CHECK_EQ(tmpfs_unlink(fs, root, N(name)), 0);
			removed[behind] = 1;
		}
		if (batches < 8) {
			snprintf(name, sizeof(name), "n%02d", added++);
			CHECK_EQ(put_file(fs, root, name, "new"), 0);
		}
		CHECK(batches < 100);
	}
	CHECK_EQ(r, 0);
	CHECK_EQ(tmpfs_readdir(fs, root, &cursor, ents, 3), 0);	/* stays at the end */
	int unseen_removals = 0;
	for (int i = 0; i < COUNT; i++) {
		if (removed_unseen[i]) {
			CHECK_EQ(seen[i], 0);
			unseen_removals++;
		} else {
			CHECK_EQ(seen[i], 1);
		}
	}
	CHECK(unseen_removals > 3);
	/* A full listing from the start sees what is there now. */
	int total = 0;
	cursor = 0;
	while ((r = tmpfs_readdir(fs, root, &cursor, ents, 2)) > 0)
		total += r;
	CHECK_EQ(total, (int)stat_of(fs, root).size);
	struct tmpfs_node *f = mk(fs, root, "plain", TMPFS_FILE);
	cursor = 0;
	CHECK_EQ(tmpfs_readdir(fs, f, &cursor, ents, 3), -ENOTDIR);
	tmpfs_node_put(fs, f);
	CHECK_FS(fs);
	tmpfs_node_put(fs, root);
	FINISH(fs);
}

/* --- space --- */

TEST(test_enospc_by_data_then_full_recovery)
{
	struct tmpfs *fs = new_fs(200 * 1024);
	struct tmpfs_node *root = tmpfs_root(fs);
	uint64_t base = used(fs);
	static unsigned char data[512 * 1024], back[512 * 1024];

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i * 31 + 7);
	struct tmpfs_node *f = mk(fs, root, "big", TMPFS_FILE);
	long r = tmpfs_write(fs, f, 0, data, sizeof(data));
	CHECK(r > 100 * 1024 && r < 200 * 1024);	/* a partial write */
	CHECK_EQ(r % 4096, 0);
	CHECK_EQ(stat_of(fs, f).size, (uint64_t)r);
	CHECK_EQ(tmpfs_write(fs, f, r, data, 4096), -ENOSPC);
	CHECK_EQ(stat_of(fs, f).size, (uint64_t)r);
	CHECK(used(fs) <= 200 * 1024);
	CHECK_EQ(tmpfs_read(fs, f, 0, back, sizeof(back)), r);
	CHECK(memcmp(back, data, r) == 0);
	/* Writing into pages that exist still works when full. */
	CHECK_EQ(tmpfs_write(fs, f, 10, "full", 4), 4);
	/* Names fill what is left, then fail too. */
	int extra = 0, err;
	char name[16];
	for (;;) {
		snprintf(name, sizeof(name), "x%d", extra);
		if ((err = tmpfs_create_node(fs, root, N(name), TMPFS_FILE, true, NULL)))
			break;
		extra++;
	}
	CHECK_EQ(err, -ENOSPC);
	CHECK(extra < 4096 / 64);
	while (extra--) {
		snprintf(name, sizeof(name), "x%d", extra);
		CHECK_EQ(tmpfs_unlink(fs, root, N(name)), 0);
	}
	CHECK_FS(fs);
	tmpfs_node_put(fs, f);
	CHECK_EQ(tmpfs_unlink(fs, root, N("big")), 0);
	CHECK_EQ(used(fs), base);
	CHECK_EQ(live_pages, 0);
	/* All of it is usable again. */
	f = mk(fs, root, "again", TMPFS_FILE);
	CHECK_EQ(tmpfs_write(fs, f, 0, data, sizeof(data)), r);
	tmpfs_node_put(fs, f);
	CHECK_EQ(tmpfs_unlink(fs, root, N("again")), 0);
	CHECK_EQ(used(fs), base);

	/* The allocator running dry (no byte limit) is ENOSPC too. */
	tmpfs_node_put(fs, root);
	FINISH(fs);
	fs = new_fs(0);
	root = tmpfs_root(fs);
	base = used(fs);
	f = mk(fs, root, "f", TMPFS_FILE);
	page_budget = 5;
	r = tmpfs_write(fs, f, 0, data, sizeof(data));
	CHECK_EQ(r, 4 * 4096);				/* an index page and 4 data */
	CHECK_EQ(tmpfs_write(fs, f, r, data, 1), -ENOSPC);
	CHECK_FS(fs);
	page_budget = -1;
	tmpfs_node_put(fs, f);
	CHECK_EQ(tmpfs_unlink(fs, root, N("f")), 0);
	CHECK_EQ(used(fs), base);
	tmpfs_node_put(fs, root);
	FINISH(fs);
}

TEST(test_enospc_by_names_then_full_recovery)
{
	struct tmpfs *fs = new_fs(64 * 1024);
	struct tmpfs_node *root = tmpfs_root(fs);
	struct tmpfs_node *d = mk(fs, root, "d", TMPFS_DIR);
	uint64_t base = used(fs);
	char name[32];
	int count = 0, err;

	for (;;) {
		snprintf(name, sizeof(name), "name-%05d", count);
		err = tmpfs_create_node(fs, count % 2 ? d : root, N(name),
					count % 5 ? TMPFS_FILE : TMPFS_DIR, true, NULL);
		if (err)
			break;
		count++;
	}
	CHECK_EQ(err, -ENOSPC);
	CHECK(count > 100);
	CHECK(used(fs) <= 64 * 1024);
	CHECK_FS(fs);
	/* Renaming within the full filesystem over an existing name still
	 * works: replacing needs no memory. */
	CHECK_EQ(tmpfs_rename(fs, root, N("name-00002"), root, N("name-00004")), 0);
	CHECK_EQ(tmpfs_rename(fs, root, N("name-00004"), d, N("name-00001")), 0);
	for (int i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "name-%05d", i);
		struct tmpfs_node *dir = i % 2 ? d : root;
		if (i == 2 || i == 4)
			continue;
		if (i % 5)
			CHECK_EQ(tmpfs_unlink(fs, dir, N(name)), 0);
		else
			CHECK_EQ(tmpfs_rmdir(fs, dir, N(name)), 0);
	}
	CHECK_EQ(stat_of(fs, root).size, 1);
	CHECK_EQ(stat_of(fs, d).size, 0);
	CHECK_EQ(used(fs), base);
	CHECK_FS(fs);
	/* The same number fits again. */
	for (int i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "name-%05d", i);
		CHECK_EQ(tmpfs_create_node(fs, i % 2 ? d : root, N(name),
					   i % 5 ? TMPFS_FILE : TMPFS_DIR, true, NULL), 0);
	}
	tmpfs_node_put(fs, d);
	tmpfs_node_put(fs, root);
	FINISH(fs);
}

/* Every operation that allocates, failed at each of its allocations in
 * turn: each failure is -ENOSPC and leaves the filesystem exactly as it was
 * (same bytes, nodes and pages, consistent, and the operation's effect
 * absent), until the operation finally succeeds. */
struct inject_case {
	const char *what;
	void (*setup)(struct tmpfs *fs, struct tmpfs_node *root);
	int (*op)(struct tmpfs *fs, struct tmpfs_node *root);
	bool (*happened)(struct tmpfs *fs, struct tmpfs_node *root);
	int allocations;	/* the operation's allocations, each failed in turn */
};

static void setup_files(struct tmpfs *fs, struct tmpfs_node *root)
{
	char name[16];
	/* Four entries in the root: the next insertion grows its array. */
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "e%d", i);
		put_file(fs, root, name, "x");
	}
	tmpfs_create_node(fs, root, N("sub"), TMPFS_DIR, true, NULL);
}

static int op_create(struct tmpfs *fs, struct tmpfs_node *root)
{
	return tmpfs_create_node(fs, root, N("new"), TMPFS_FILE, true, NULL);
}

static int op_mkdir(struct tmpfs *fs, struct tmpfs_node *root)
{
	return tmpfs_create_node(fs, root, N("new"), TMPFS_DIR, true, NULL);
}

static bool new_exists(struct tmpfs *fs, struct tmpfs_node *root)
{
	return exists(fs, root, "new");
}

static int op_rename_across(struct tmpfs *fs, struct tmpfs_node *root)
{
	struct tmpfs_node *sub;
	tmpfs_lookup(fs, root, N("sub"), &sub);
	int err = tmpfs_rename(fs, root, N("e1"), sub, N("moved"));
	tmpfs_node_put(fs, sub);
	return err;
}

static int op_rename_within(struct tmpfs *fs, struct tmpfs_node *root)
{
	return tmpfs_rename(fs, root, N("e1"), root, N("renamed"));
}

static bool e1_gone(struct tmpfs *fs, struct tmpfs_node *root)
{
	return !exists(fs, root, "e1");
}

static int op_write_far(struct tmpfs *fs, struct tmpfs_node *root)
{
	struct tmpfs_node *f;
	tmpfs_lookup(fs, root, N("e0"), &f);
	/* From height 0 to 2: two new levels, a leaf, and the page. */
	long r = tmpfs_write(fs, f, 700 * 4096 + 5, "far", 3);
	tmpfs_node_put(fs, f);
	return r < 0 ? (int)r : 0;
}

static bool e0_grew(struct tmpfs *fs, struct tmpfs_node *root)
{
	struct tmpfs_node *f;
	tmpfs_lookup(fs, root, N("e0"), &f);
	bool grew = stat_of(fs, f).size > 1;
	tmpfs_node_put(fs, f);
	return grew;
}

static const struct inject_case inject_cases[] = {
	{ "create", setup_files, op_create, new_exists, 3 },	/* node, entry, array */
	{ "mkdir", setup_files, op_mkdir, new_exists, 3 },
	{ "rename across", setup_files, op_rename_across, e1_gone, 2 },	/* entry, array */
	{ "rename within", setup_files, op_rename_within, e1_gone, 1 },	/* entry */
	{ "write far", setup_files, op_write_far, e0_grew, 4 },	/* 3 index pages, page */
};

TEST(test_allocation_failure_is_enospc_and_changes_nothing)
{
	for (size_t c = 0; c < sizeof(inject_cases) / sizeof(inject_cases[0]); c++) {
		const struct inject_case *ic = &inject_cases[c];
		int failures = 0;
		for (long k = 0;; k++) {
			struct tmpfs *fs = new_fs(0);
			struct tmpfs_node *root = tmpfs_root(fs);
			struct tmpfs_statfs before, after;
			ic->setup(fs, root);
			tmpfs_statfs(fs, &before);
			fail_after = k;
			int err = ic->op(fs, root);
			fail_after = -1;
			tmpfs_statfs(fs, &after);
			if (err == 0) {
				CHECK(ic->happened(fs, root));
				CHECK_FS(fs);
				tmpfs_node_put(fs, root);
				FINISH(fs);
				break;
			}
			if (err != -ENOSPC)
				UNIT_FAIL("%s: failure %ld gave %d", ic->what, k, err);
			failures++;
			if (after.used_bytes != before.used_bytes || after.nodes != before.nodes ||
			    after.pages != before.pages || ic->happened(fs, root))
				UNIT_FAIL("%s: failure %ld changed the filesystem", ic->what, k);
			CHECK_FS(fs);
			tmpfs_node_put(fs, root);
			FINISH(fs);
			CHECK(k < 10);
		}
		if (failures != ic->allocations)
			UNIT_FAIL("%s: %d allocations failed, not %d", ic->what, failures,
				  ic->allocations);
	}
}

TEST(test_destroy_frees_deep_trees_and_many_files_without_recursion)
{
	struct tmpfs *fs = new_fs(0);
	struct tmpfs_node *root = tmpfs_root(fs), *d = tmpfs_node_get(fs, root), *next;
	char name[16];

	for (int i = 0; i < 5000; i++) {
		CHECK_EQ(tmpfs_create_node(fs, d, N("d"), TMPFS_DIR, true, &next), 0);
		snprintf(name, sizeof(name), "f%d", i);
		CHECK_EQ(put_file(fs, d, name, "data"), 0);
		tmpfs_node_put(fs, d);
		d = next;
	}
	tmpfs_node_put(fs, d);
	tmpfs_node_put(fs, root);
	CHECK(live_pages == 5000);
	CHECK_EQ(tmpfs_destroy(fs), 0);
	CHECK_EQ(live_allocs, 0);
	CHECK_EQ(live_pages, 0);
}

/* --- a randomized test against a model --- */

#define M_DIRS 3
#define M_NAMES 10
#define M_HANDLES 6
#define M_PAGES 700			/* files reach index height 2 */

struct mfile {
	uint64_t size;
	unsigned char *pages[M_PAGES];	/* NULL: zeros */
	int refs;			/* a name and open handles */
};

static struct mfile *slots[M_DIRS][M_NAMES];
static struct {
	struct tmpfs_node *node;
	struct mfile *m;
} handles[M_HANDLES];

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

static void m_put(struct mfile *m)
{
	if (--m->refs)
		return;
	for (int i = 0; i < M_PAGES; i++)
		free(m->pages[i]);
	free(m);
}

static void m_write(struct mfile *m, uint64_t off, const unsigned char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		uint64_t pos = off + i;
		unsigned char **p = &m->pages[pos / 4096];
		if (!*p)
			*p = calloc(1, 4096);
		(*p)[pos % 4096] = buf[i];
	}
	if (off + len > m->size)
		m->size = off + len;
}

static unsigned char m_byte(const struct mfile *m, uint64_t pos)
{
	const unsigned char *p = m->pages[pos / 4096];
	return p ? p[pos % 4096] : 0;
}

static void m_truncate(struct mfile *m, uint64_t size)
{
	if (size < m->size) {
		if (size % 4096 && m->pages[size / 4096])
			memset(m->pages[size / 4096] + size % 4096, 0, 4096 - size % 4096);
		for (uint64_t i = (size + 4095) / 4096; i < M_PAGES; i++) {
			free(m->pages[i]);
			m->pages[i] = NULL;
		}
	}
	m->size = size;
}

/* The node and model agree on every byte in [off, off + len) and the size. */
static bool same_content(struct tmpfs *fs, struct tmpfs_node *n, const struct mfile *m,
			 uint64_t off, size_t len)
{
	static unsigned char buf[64 * 1024];
	if (len > sizeof(buf))
		len = sizeof(buf);
	if (stat_of(fs, n).size != m->size)
		return false;
	long r = tmpfs_read(fs, n, off, buf, len);
	long want = off >= m->size ? 0 : (long)(m->size - off < len ? m->size - off : len);
	if (r != want)
		return false;
	for (long i = 0; i < r; i++)
		if (buf[i] != m_byte(m, off + i))
			return false;
	return true;
}

static uint64_t rnd_offset(const struct mfile *m)
{
	switch (rnd(8)) {
	case 0:
		return rnd((uint64_t)M_PAGES * 4096 - 10000);	/* anywhere */
	case 1:
		return m->size;					/* append */
	default:
		return rnd(m->size + 9000);
	}
}

TEST(test_random_operations_match_a_model)
{
	struct tmpfs *fs = new_fs(250 * 1024);
	struct tmpfs_node *root = tmpfs_root(fs), *dirs[M_DIRS];
	uint64_t base = used(fs);
	static unsigned char data[9000];
	char name[16];
	int enospc = 0, renames = 0, unlinked_reads = 0;

	dirs[0] = tmpfs_node_get(fs, root);
	dirs[1] = mk(fs, root, "d1", TMPFS_DIR);
	dirs[2] = mk(fs, dirs[1], "d2", TMPFS_DIR);
	uint64_t with_dirs = used(fs);

	for (int step = 0; step < 6000; step++) {
		int di = (int)rnd(M_DIRS), ni = (int)rnd(M_NAMES);
		struct tmpfs_node *dir = dirs[di], *n;
		struct mfile **slot = &slots[di][ni];
		snprintf(name, sizeof(name), "f%d", ni);
		int op = (int)rnd(100);

		if (op < 15) {					/* create */
			bool excl = rnd(2);
			int err = tmpfs_create_node(fs, dir, N(name), TMPFS_FILE, excl, &n);
			if (*slot) {
				CHECK_EQ(err, excl ? -EEXIST : 0);
				if (!err) {
					CHECK(same_content(fs, n, *slot, 0, 100));
					tmpfs_node_put(fs, n);
				}
			} else if (err == -ENOSPC) {
				enospc++;
			} else {
				CHECK_EQ(err, 0);
				*slot = calloc(1, sizeof(**slot));
				(*slot)->refs = 1;
				tmpfs_node_put(fs, n);
			}
		} else if (op < 45) {				/* write, by name or handle */
			struct mfile *m = *slot;
			int h = (int)rnd(M_HANDLES);
			if (rnd(3) == 0 && handles[h].node) {
				n = tmpfs_node_get(fs, handles[h].node);
				m = handles[h].m;
			} else if (!m || tmpfs_lookup(fs, dir, N(name), &n) != 0) {
				CHECK(!m);
				continue;
			}
			uint64_t off = rnd_offset(m);
			size_t len = 1 + rnd(rnd(4) ? 300 : sizeof(data));
			if (off + len > (uint64_t)M_PAGES * 4096)
				off = (uint64_t)M_PAGES * 4096 - len;
			for (size_t i = 0; i < len; i++)
				data[i] = (unsigned char)rnd(256);
			long r = tmpfs_write(fs, n, off, data, len);
			if (r == -ENOSPC) {
				enospc++;
			} else {
				CHECK(r > 0 && (size_t)r <= len);
				if ((size_t)r < len)
					enospc++;
				m_write(m, off, data, r);
			}
			CHECK(same_content(fs, n, m, off > 50 ? off - 50 : 0, len + 100));
			tmpfs_node_put(fs, n);
		} else if (op < 60) {				/* read */
			struct mfile *m = *slot;
			if (!m) {
				CHECK_EQ(tmpfs_lookup(fs, dir, N(name), &n), -ENOENT);
				continue;
			}
			CHECK_EQ(tmpfs_lookup(fs, dir, N(name), &n), 0);
			CHECK(same_content(fs, n, m, rnd_offset(m), rnd(20000)));
			tmpfs_node_put(fs, n);
		} else if (op < 68) {				/* truncate */
			struct mfile *m = *slot;
			if (!m)
				continue;
			CHECK_EQ(tmpfs_lookup(fs, dir, N(name), &n), 0);
			uint64_t size = rnd(3) ? rnd(m->size + 1) : rnd((uint64_t)M_PAGES * 4096);
			CHECK_EQ(tmpfs_truncate(fs, n, size), 0);
			m_truncate(m, size);
			CHECK(same_content(fs, n, m, size > 5000 ? size - 5000 : 0, 10000));
			tmpfs_node_put(fs, n);
		} else if (op < 76) {				/* unlink */
			int err = tmpfs_unlink(fs, dir, N(name));
			if (!*slot) {
				CHECK_EQ(err, -ENOENT);
				continue;
			}
			CHECK_EQ(err, 0);
			m_put(*slot);
			*slot = NULL;
		} else if (op < 88) {				/* rename */
			int tdi = (int)rnd(M_DIRS), tni = (int)rnd(M_NAMES);
			char tname[16];
			snprintf(tname, sizeof(tname), "f%d", tni);
			struct mfile **tslot = &slots[tdi][tni];
			int err = tmpfs_rename(fs, dir, N(name), dirs[tdi], N(tname));
			if (!*slot) {
				CHECK_EQ(err, -ENOENT);
			} else if (slot == tslot) {
				CHECK_EQ(err, 0);
			} else if (err == -ENOSPC) {
				CHECK(!*tslot);		/* replacing never needs memory */
				enospc++;
			} else {
				CHECK_EQ(err, 0);
				if (*tslot)
					m_put(*tslot);
				*tslot = *slot;
				*slot = NULL;
				renames++;
			}
		} else if (op < 94) {				/* open a handle */
			int h = (int)rnd(M_HANDLES);
			if (!*slot || handles[h].node)
				continue;
			CHECK_EQ(tmpfs_lookup(fs, dir, N(name), &handles[h].node), 0);
			handles[h].m = *slot;
			(*slot)->refs++;
		} else {					/* close, checking first */
			int h = (int)rnd(M_HANDLES);
			if (!handles[h].node)
				continue;
			struct mfile *m = handles[h].m;
			if (stat_of(fs, handles[h].node).nlink == 0) {
				for (int d = 0; d < M_DIRS; d++)
					for (int i = 0; i < M_NAMES; i++)
						CHECK(slots[d][i] != m);
				unlinked_reads++;
			}
			CHECK(same_content(fs, handles[h].node, m, rnd_offset(m), 5000));
			tmpfs_node_put(fs, handles[h].node);
			m_put(m);
			handles[h].node = NULL;
		}
		if (unit_failed)
			return;
		if (step % 97 == 0) {
			CHECK_FS(fs);
			/* Every directory lists exactly the model's names. */
			for (int d = 0; d < M_DIRS; d++) {
				struct tmpfs_dirent ents[4];
				uint64_t cursor = 0;
				int r, listed = 0, want = 0;
				while ((r = tmpfs_readdir(fs, dirs[d], &cursor, ents, 4)) > 0) {
					for (int k = 0; k < r; k++) {
						int i;
						if (ents[k].type == TMPFS_DIR)
							continue;
						CHECK(sscanf(ents[k].name, "f%d", &i) == 1);
						CHECK(slots[d][i] != NULL);
						CHECK_EQ(ents[k].size, slots[d][i]->size);
						listed++;
					}
				}
				for (int i = 0; i < M_NAMES; i++)
					want += slots[d][i] != NULL;
				CHECK_EQ(listed, want);
			}
		}
	}
	CHECK(enospc > 0);
	CHECK(renames > 100);
	CHECK(unlinked_reads > 0);

	/* Close and delete everything: back to the baseline exactly. */
	for (int h = 0; h < M_HANDLES; h++) {
		if (handles[h].node) {
			tmpfs_node_put(fs, handles[h].node);
			m_put(handles[h].m);
			handles[h].node = NULL;
		}
	}
	for (int d = 0; d < M_DIRS; d++) {
		for (int i = 0; i < M_NAMES; i++) {
			if (!slots[d][i])
				continue;
			snprintf(name, sizeof(name), "f%d", i);
			CHECK_EQ(tmpfs_unlink(fs, dirs[d], N(name)), 0);
			m_put(slots[d][i]);
			slots[d][i] = NULL;
		}
	}
	CHECK_EQ(used(fs), with_dirs);
	CHECK_EQ(live_pages, 0);
	CHECK_EQ(tmpfs_rmdir(fs, dirs[1], N("d2")), 0);
	CHECK_EQ(tmpfs_rmdir(fs, root, N("d1")), 0);
	for (int d = 0; d < M_DIRS; d++)
		tmpfs_node_put(fs, dirs[d]);
	CHECK_EQ(used(fs), base);
	tmpfs_node_put(fs, root);
	FINISH(fs);
}

TEST(test_limit_room_bounds_what_is_added_past_what_is_there)
{
	struct tmpfs *fs = new_fs(0);
	struct tmpfs_node *root = tmpfs_root(fs), *f = mk(fs, root, "initrd-file", TMPFS_FILE);
	static unsigned char buf[16 * 4096];
	struct tmpfs_statfs st;

	CHECK_EQ(tmpfs_write(fs, f, 0, buf, sizeof(buf)), (long)sizeof(buf));
	tmpfs_statfs(fs, &st);
	uint64_t before = st.used_bytes;
	tmpfs_limit_room(fs, 4 * 4096);
	tmpfs_statfs(fs, &st);
	CHECK_EQ(st.max_bytes, before + 4 * 4096);
	struct tmpfs_node *g = mk(fs, root, "new", TMPFS_FILE);
	CHECK(g != NULL);
	long wrote = tmpfs_write(fs, g, 0, buf, sizeof(buf));
	CHECK(wrote > 0 && wrote < (long)sizeof(buf));	/* what fits below the limit */
	CHECK_EQ(tmpfs_write(fs, g, (uint64_t)wrote, buf, sizeof(buf)), -ENOSPC);
	tmpfs_statfs(fs, &st);
	CHECK(st.used_bytes <= st.max_bytes);
	tmpfs_node_put(fs, g);
	tmpfs_node_put(fs, f);
	tmpfs_node_put(fs, root);
	FINISH(fs);
}
