/* tmpfs file data: a sparse radix tree of 4 KiB pages per file, and
 * read, write and truncate on it (tmpfs.h describes the design). */
#include "fs/tmpfs_private.h"

#include "lib/errors.h"
#include "lib/string.h"

/* --- file pages: a radix tree of 512-way index pages --- */

/* Pages a subtree of this height covers. */
static uint64_t span_pages(unsigned height)
{
	return 1ull << (FANOUT_SHIFT * height);
}

/* The smallest height that covers pages [0, npages). */
static unsigned height_for(uint64_t npages)
{
	unsigned h = 0;
	while (span_pages(h) < npages)
		h++;
	return h;
}

static uint64_t pages_for(uint64_t size)
{
	return (size + PAGE - 1) / PAGE;
}

/* The slot of page idx in an index page at `level` (1 = points at pages). */
static unsigned digit(uint64_t idx, unsigned level)
{
	return (unsigned)(idx >> (FANOUT_SHIFT * (level - 1))) & (FANOUT - 1);
}

static void *page_lookup(const struct tmpfs_node *f, uint64_t idx)
{
	if (!f->file.root || idx >= span_pages(f->file.height))
		return NULL;
	void *p = f->file.root;
	for (unsigned l = f->file.height; l > 0 && p; l--)
		p = ((void **)p)[digit(idx, l)];
	return p;
}

/* How many index pages adding page idx needs: new levels on top of the
 * root, then the missing ones on the way down. Mirrors page_link. */
static unsigned tables_needed(const struct tmpfs_node *f, uint64_t idx, unsigned need)
{
	unsigned h = f->file.height, count = 0;

	if (!f->file.root)
		return need;
	if (need > h) {
		count = need - h;
		for (unsigned l = need; l > h; l--)
			if (digit(idx, l) != 0)
				return count + l - 1;
	}
	void *p = f->file.root;
	for (unsigned l = h; l > 0; l--) {
		p = ((void **)p)[digit(idx, l)];
		if (!p)
			return count + l - 1;
	}
	return count;
}

/* Puts a new page at idx using exactly the preallocated index pages. */
static void page_link(struct tmpfs_node *f, uint64_t idx, unsigned need, void **tabs, void *page)
{
	unsigned used = 0;

	if (!f->file.root)
		f->file.height = need;
	while (f->file.height < need) {
		void **t = tabs[used++];
		t[0] = f->file.root;
		f->file.root = t;
		f->file.height++;
	}
	void **slot = &f->file.root;
	for (unsigned l = f->file.height; l > 0; l--) {
		if (!*slot)
			*slot = tabs[used++];
		slot = &((void **)*slot)[digit(idx, l)];
	}
	*slot = page;
}

/* The page at idx, created (zeroed) if it is a hole. All or nothing: on
 * ENOSPC the tree is unchanged. */
static void *page_get(struct tmpfs *fs, struct tmpfs_node *f, uint64_t idx)
{
	void *page = page_lookup(f, idx);
	if (page)
		return page;

	unsigned need = height_for(idx + 1);
	unsigned ntabs = tables_needed(f, idx, need);
	void *tabs[2 * MAX_HEIGHT];
	unsigned got = 0;

	while (got < ntabs && (tabs[got] = tmpfs_page_alloc(fs)))
		got++;
	if (got == ntabs)
		page = tmpfs_page_alloc(fs);
	if (!page) {
		while (got)
			tmpfs_page_free(fs, tabs[--got]);
		return NULL;
	}
	page_link(f, idx, need, tabs, page);
	f->file.pages += ntabs + 1;
	return page;
}

static void file_free_page(struct tmpfs *fs, struct tmpfs_node *f, void *p)
{
	tmpfs_page_free(fs, p);
	f->file.pages--;
}

static void free_subtree(struct tmpfs *fs, struct tmpfs_node *f, void *p, unsigned level)
{
	if (level > 0) {
		void **t = p;
		for (unsigned i = 0; i < FANOUT; i++)
			if (t[i])
				free_subtree(fs, f, t[i], level - 1);
	}
	file_free_page(fs, f, p);
}

/* Frees every page at index >= first in the subtree at *slot (of `level`,
 * starting at page base), and every index page left empty: index pages are
 * never empty, which keeps the accounting exact. Recursion depth is at
 * most MAX_HEIGHT. */
static void prune(struct tmpfs *fs, struct tmpfs_node *f, void **slot, unsigned level,
		  uint64_t base, uint64_t first)
{
	void *p = *slot;

	if (!p)
		return;
	if (base >= first) {
		free_subtree(fs, f, p, level);
		*slot = NULL;
		return;
	}
	if (level == 0)
		return;
	void **t = p;
	uint64_t span = span_pages(level - 1);
	bool empty = true;
	for (unsigned i = 0; i < FANOUT; i++) {
		uint64_t b = base + i * span;
		if (b + span > first)
			prune(fs, f, &t[i], level - 1, b, first);
		if (t[i])
			empty = false;
	}
	if (empty) {
		file_free_page(fs, f, t);
		*slot = NULL;
	}
}

/* Drops the pages past `size` and the levels no longer needed. */
void tmpfs_file_trim(struct tmpfs *fs, struct tmpfs_node *f, uint64_t size)
{
	uint64_t first = pages_for(size);

	prune(fs, f, &f->file.root, f->file.height, 0, first);
	/* Above height_for(first), only slot 0 can hold anything (prune
	 * cleared the rest), and a non-empty index page has it. */
	while (f->file.root && f->file.height > height_for(first)) {
		void **t = f->file.root;
		f->file.root = t[0];
		file_free_page(fs, f, t);
		f->file.height--;
	}
	if (!f->file.root)
		f->file.height = 0;
}

/* --- data --- */

long tmpfs_read(struct tmpfs *fs, struct tmpfs_node *f, uint64_t off, void *buf, size_t len)
{
	if (f->type != TMPFS_FILE)
		return -EISDIR;
	if (off >= f->size || len == 0)
		return 0;
	if (len > f->size - off)
		len = (size_t)(f->size - off);
	for (size_t done = 0; done < len;) {
		uint64_t pos = off + done;
		size_t in = (size_t)(pos % PAGE);
		size_t chunk = PAGE - in < len - done ? PAGE - in : len - done;
		const char *page = page_lookup(f, pos / PAGE);
		if (page)
			memcpy((char *)buf + done, page + in, chunk);
		else
			memset((char *)buf + done, 0, chunk);
		done += chunk;
	}
	f->atime = fs->env.now_ns();
	return (long)len;
}

long tmpfs_write(struct tmpfs *fs, struct tmpfs_node *f, uint64_t off, const void *buf,
		 size_t len)
{
	if (f->type != TMPFS_FILE)
		return -EISDIR;
	if (len == 0)
		return 0;
	if (off >= TMPFS_MAX_FILE_SIZE)
		return -EINVAL;
	if (len > TMPFS_MAX_FILE_SIZE - off)
		len = (size_t)(TMPFS_MAX_FILE_SIZE - off);

	size_t done = 0;
	while (done < len) {
		uint64_t pos = off + done;
		size_t in = (size_t)(pos % PAGE);
		size_t chunk = PAGE - in < len - done ? PAGE - in : len - done;
		char *page = page_get(fs, f, pos / PAGE);
		if (!page)
			break;
		memcpy(page + in, (const char *)buf + done, chunk);
		done += chunk;
	}
	if (done == 0)
		return -ENOSPC;
	if (off + done > f->size)
		f->size = off + done;
	f->mtime = f->ctime = fs->env.now_ns();
	return (long)done;
}

int tmpfs_truncate(struct tmpfs *fs, struct tmpfs_node *f, uint64_t size)
{
	if (f->type != TMPFS_FILE)
		return -EISDIR;
	if (size > TMPFS_MAX_FILE_SIZE)
		return -EINVAL;
	if (size == f->size)
		return 0;
	if (size < f->size) {
		tmpfs_file_trim(fs, f, size);
		/* Keep the bytes past the end zero, so growing later shows
		 * zeros, as a hole would. */
		char *last = size % PAGE ? page_lookup(f, size / PAGE) : NULL;
		if (last)
			memset(last + size % PAGE, 0, PAGE - size % PAGE);
	}
	f->size = size;
	f->mtime = f->ctime = fs->env.now_ns();
	return 0;
}

/* --- consistency --- */

/* Counts the pages of a subtree; index pages must not be empty, and no page
 * may lie at or past `end` (the first page index past the file's size). */
static const char *check_tree(const void *p, unsigned level, uint64_t base, uint64_t end,
			      uint64_t *pages)
{
	if (base >= end)
		return "a page past the end of a file";
	++*pages;
	if (level == 0)
		return NULL;
	const void *const *t = p;
	bool empty = true;
	for (unsigned i = 0; i < FANOUT; i++) {
		if (!t[i])
			continue;
		empty = false;
		const char *why = check_tree(t[i], level - 1, base + i * span_pages(level - 1),
					     end, pages);
		if (why)
			return why;
	}
	return empty ? "an empty index page" : NULL;
}

const char *tmpfs_file_check(const struct tmpfs_node *f, uint64_t *bytes)
{
	uint64_t pages = 0;

	if (f->size > TMPFS_MAX_FILE_SIZE)
		return "a file over the size limit";
	if (f->file.height > MAX_HEIGHT)
		return "a page tree too high";
	if (!f->file.root && f->file.height)
		return "an empty page tree with a height";
	if (f->file.root) {
		const char *why = check_tree(f->file.root, f->file.height, 0,
					     pages_for(f->size), &pages);
		if (why)
			return why;
	}
	if (pages != f->file.pages)
		return "a file's page count is wrong";
	if (f->size % PAGE) {
		const unsigned char *last = page_lookup(f, f->size / PAGE);
		for (size_t i = f->size % PAGE; last && i < PAGE; i++)
			if (last[i])
				return "non-zero bytes past the end of a file";
	}
	*bytes += pages * PAGE;
	return NULL;
}
