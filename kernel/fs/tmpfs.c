/* tmpfs: the in-memory filesystem core: memory, names, directories and
 * nodes here, file data in tmpfs_file.c. The design (memory, nodes, the
 * page tree, directories, readdir's guarantee) is described in tmpfs.h. */
#include "fs/tmpfs_private.h"

#include "lib/errors.h"
#include "lib/search.h"
#include "lib/string.h"

/* --- memory: every allocation is charged, and either failing is ENOSPC --- */

static bool charge(struct tmpfs *fs, uint64_t bytes)
{
	if (fs->max_bytes && (bytes > fs->max_bytes || fs->used > fs->max_bytes - bytes))
		return false;
	fs->used += bytes;
	return true;
}

static void *fs_alloc(struct tmpfs *fs, size_t size)
{
	if (!charge(fs, size))
		return NULL;
	void *p = fs->env.alloc(size);
	if (!p)
		fs->used -= size;
	return p;
}

static void fs_free(struct tmpfs *fs, void *p, size_t size)
{
	fs->env.free(p);
	fs->used -= size;
}

void *tmpfs_page_alloc(struct tmpfs *fs)
{
	if (!charge(fs, PAGE))
		return NULL;
	void *p = fs->env.alloc_page();
	if (!p) {
		fs->used -= PAGE;
		return NULL;
	}
	fs->pages++;
	return p;
}

void tmpfs_page_free(struct tmpfs *fs, void *p)
{
	fs->env.free_page(p);
	fs->used -= PAGE;
	fs->pages--;
}

static size_t entry_size(size_t len)
{
	return sizeof(struct tmpfs_entry) + len + 1;
}

/* --- names and directories --- */

static int check_name(const char *name, size_t len)
{
	if (!name || len == 0)
		return -EINVAL;
	if (len > TMPFS_NAME_MAX)
		return -ENAMETOOLONG;
	if (name[0] == '.' && (len == 1 || (len == 2 && name[1] == '.')))
		return -EINVAL;
	if (memchr(name, '/', len) || memchr(name, '\0', len))
		return -EINVAL;
	return 0;
}

/* Bytewise, a proper prefix first. */
static int name_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

struct sought {
	const struct tmpfs_node *dir;
	const char *name;
	size_t len;
};

static int entry_cmp(const void *ctx, size_t i)
{
	const struct sought *k = ctx;
	const struct tmpfs_entry *e = k->dir->dir.ents[i];

	return name_cmp(e->name, e->len, k->name, k->len);
}

/* The index of the name (*found) or where it would go. */
static uint32_t dir_find(const struct tmpfs_node *d, const char *name, size_t len, bool *found)
{
	const struct sought k = { d, name, len };

	return (uint32_t)search_sorted(d->dir.count, entry_cmp, &k, found);
}

static struct tmpfs_entry *dir_get(const struct tmpfs_node *d, const char *name, size_t len)
{
	bool found;
	uint32_t i = dir_find(d, name, len, &found);
	return found ? d->dir.ents[i] : NULL;
}

/* The capacity of a directory's array is a function of its entry count
 * (a power of two, at least 4; none when empty), so the bytes charged
 * depend only on what exists and deleting gives back exactly what creating
 * took. The price is a reallocation each time the count crosses a power of
 * two, O(n) like the insertion or removal that caused it. */
static uint32_t cap_for(uint32_t count)
{
	uint32_t cap = 4;

	if (count == 0)
		return 0;
	while (cap < count)
		cap *= 2;
	return cap;
}

static int dir_resize(struct tmpfs *fs, struct tmpfs_node *d, uint32_t cap)
{
	size_t psz = sizeof(*d->dir.ents);
	struct tmpfs_entry **ents = NULL;

	if (cap) {
		ents = fs_alloc(fs, (size_t)cap * psz);
		if (!ents)
			return -ENOSPC;
		if (d->dir.count)
			memcpy(ents, d->dir.ents, d->dir.count * psz);
	}
	if (d->dir.ents)
		fs_free(fs, d->dir.ents, (size_t)d->dir.cap * psz);
	d->dir.ents = ents;
	d->dir.cap = cap;
	return 0;
}

/* Room for `need` entries, so that the insertion that follows cannot fail. */
static int dir_reserve(struct tmpfs *fs, struct tmpfs_node *d, uint32_t need)
{
	return need <= d->dir.cap ? 0 : dir_resize(fs, d, cap_for(need));
}

/* After a removal. Emptying frees the array and cannot fail; a smaller
 * array that cannot be had leaves the larger one, and the next removal
 * tries again. */
static void dir_shrink(struct tmpfs *fs, struct tmpfs_node *d)
{
	uint32_t cap = cap_for(d->dir.count);

	if (cap < d->dir.cap)
		dir_resize(fs, d, cap);
}

/* Capacity must have been reserved. */
static void dir_insert(struct tmpfs_node *d, uint32_t at, struct tmpfs_entry *e)
{
	memmove(&d->dir.ents[at + 1], &d->dir.ents[at],
		(d->dir.count - at) * sizeof(*d->dir.ents));
	d->dir.ents[at] = e;
	d->dir.count++;
	e->cookie = ++d->dir.next_cookie;
	list_add_tail(&d->dir.order, &e->link);
}

/* Takes e out of d (it stays allocated), keeping the array's size. */
static void dir_take(struct tmpfs_node *d, struct tmpfs_entry *e)
{
	bool found;
	uint32_t at = dir_find(d, e->name, e->len, &found);

	memmove(&d->dir.ents[at], &d->dir.ents[at + 1],
		(d->dir.count - at - 1) * sizeof(*d->dir.ents));
	d->dir.count--;
	list_del(&e->link);
}

static void dir_remove(struct tmpfs *fs, struct tmpfs_node *d, struct tmpfs_entry *e)
{
	dir_take(d, e);
	dir_shrink(fs, d);
}

static struct tmpfs_entry *entry_new(struct tmpfs *fs, const char *name, size_t len,
				     struct tmpfs_node *node)
{
	struct tmpfs_entry *e = fs_alloc(fs, entry_size(len));
	if (!e)
		return NULL;
	memcpy(e->name, name, len);
	e->name[len] = '\0';
	e->len = (uint32_t)len;
	e->node = node;
	list_init(&e->link);
	return e;
}

static void entry_free(struct tmpfs *fs, struct tmpfs_entry *e)
{
	fs_free(fs, e, entry_size(e->len));
}

static void touch_dir(struct tmpfs *fs, struct tmpfs_node *d)
{
	d->mtime = d->ctime = fs->env.now_ns();
}

/* --- nodes --- */

static struct tmpfs_node *node_new(struct tmpfs *fs, enum tmpfs_type type)
{
	struct tmpfs_node *n = fs_alloc(fs, sizeof(*n));
	if (!n)
		return NULL;
	n->type = type;
	n->ino = ++fs->next_ino;
	n->atime = n->mtime = n->ctime = fs->env.now_ns();
	if (type == TMPFS_DIR)
		list_init(&n->dir.order);
	list_add_tail(&fs->all, &n->all);
	fs->nodes++;
	return n;
}

/* A directory's entries must already be gone (or be freed by the caller). */
static void node_free(struct tmpfs *fs, struct tmpfs_node *n)
{
	if (n->type == TMPFS_FILE)
		tmpfs_file_trim(fs, n, 0);
	else if (n->dir.ents)
		fs_free(fs, n->dir.ents, (size_t)n->dir.cap * sizeof(*n->dir.ents));
	list_del(&n->all);
	fs->nodes--;
	fs_free(fs, n, sizeof(*n));
}

/* n lost its name (the caller fixed the parent's link count). */
static void node_unlinked(struct tmpfs *fs, struct tmpfs_node *n)
{
	n->nlink = 0;
	n->ctime = fs->env.now_ns();
	if (n->type == TMPFS_DIR)
		n->dir.parent = NULL;
	if (n->refs == 0)
		node_free(fs, n);
}

struct tmpfs_node *tmpfs_node_get(struct tmpfs *fs, struct tmpfs_node *node)
{
	node->refs++;
	fs->refs++;
	return node;
}

void tmpfs_node_put(struct tmpfs *fs, struct tmpfs_node *node)
{
	if (!node)
		return;
	node->refs--;
	fs->refs--;
	if (node->refs == 0 && node->nlink == 0)
		node_free(fs, node);
}

enum tmpfs_type tmpfs_node_type(const struct tmpfs_node *node)
{
	return node->type;
}

/* --- the filesystem --- */

int tmpfs_create(struct tmpfs **out, const struct tmpfs_env *env, uint64_t max_bytes)
{
	*out = NULL;
	if (!env || !env->alloc || !env->free || !env->alloc_page || !env->free_page ||
	    !env->now_ns)
		return -EINVAL;
	struct tmpfs *fs = env->alloc(sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	fs->env = *env;
	fs->max_bytes = max_bytes;
	list_init(&fs->all);
	fs->root = node_new(fs, TMPFS_DIR);
	if (!fs->root) {
		env->free(fs);
		return -ENOSPC;
	}
	fs->root->nlink = 2;
	*out = fs;
	return 0;
}

int tmpfs_destroy(struct tmpfs *fs)
{
	if (!fs)
		return 0;
	if (fs->refs)
		return -EBUSY;
	/* Every node is on fs->all, so no tree walk (and no recursion over
	 * deep directories) is needed. */
	while (!list_empty(&fs->all)) {
		struct tmpfs_node *n = list_entry(fs->all.next, struct tmpfs_node, all);
		if (n->type == TMPFS_DIR) {
			for (uint32_t i = 0; i < n->dir.count; i++)
				entry_free(fs, n->dir.ents[i]);
			n->dir.count = 0;
		}
		node_free(fs, n);
	}
	fs->env.free(fs);
	return 0;
}

void tmpfs_limit_room(struct tmpfs *fs, uint64_t room)
{
	fs->max_bytes = room > UINT64_MAX - fs->used ? 0 : fs->used + room;
}

void tmpfs_statfs(const struct tmpfs *fs, struct tmpfs_statfs *out)
{
	out->max_bytes = fs->max_bytes;
	out->used_bytes = fs->used;
	out->nodes = fs->nodes;
	out->pages = fs->pages;
}

struct tmpfs_node *tmpfs_root(struct tmpfs *fs)
{
	return tmpfs_node_get(fs, fs->root);
}

/* --- names --- */

int tmpfs_lookup(struct tmpfs *fs, struct tmpfs_node *dir, const char *name, size_t len,
		 struct tmpfs_node **out)
{
	if (dir->type != TMPFS_DIR)
		return -ENOTDIR;
	int err = check_name(name, len);
	if (err)
		return err;
	struct tmpfs_entry *e = dir_get(dir, name, len);
	if (!e)
		return -ENOENT;
	*out = tmpfs_node_get(fs, e->node);
	return 0;
}

int tmpfs_create_node(struct tmpfs *fs, struct tmpfs_node *dir, const char *name, size_t len,
		      enum tmpfs_type type, bool exclusive, struct tmpfs_node **out)
{
	if (dir->type != TMPFS_DIR)
		return -ENOTDIR;
	if (type != TMPFS_FILE && type != TMPFS_DIR)
		return -EINVAL;
	int err = check_name(name, len);
	if (err)
		return err;

	bool found;
	uint32_t at = dir_find(dir, name, len, &found);
	if (found) {
		struct tmpfs_node *n = dir->dir.ents[at]->node;
		if (exclusive || n->type != type)
			return -EEXIST;
		if (out)
			*out = tmpfs_node_get(fs, n);
		return 0;
	}
	if (dir->nlink == 0)
		return -ENOENT;

	/* Everything that can fail first, so failing changes nothing. */
	struct tmpfs_node *n = node_new(fs, type);
	if (!n)
		return -ENOSPC;
	struct tmpfs_entry *e = entry_new(fs, name, len, n);
	if (!e || dir_reserve(fs, dir, dir->dir.count + 1)) {
		if (e)
			entry_free(fs, e);
		node_free(fs, n);
		return -ENOSPC;
	}
	if (type == TMPFS_DIR) {
		n->nlink = 2;
		n->dir.parent = dir;
		dir->nlink++;
	} else {
		n->nlink = 1;
	}
	dir_insert(dir, at, e);
	touch_dir(fs, dir);
	if (out)
		*out = tmpfs_node_get(fs, n);
	return 0;
}

/* The entry of an existing name in dir, or an error. */
static int find_entry(struct tmpfs_node *dir, const char *name, size_t len,
		      struct tmpfs_entry **out)
{
	if (dir->type != TMPFS_DIR)
		return -ENOTDIR;
	int err = check_name(name, len);
	if (err)
		return err;
	*out = dir_get(dir, name, len);
	return *out ? 0 : -ENOENT;
}

int tmpfs_unlink(struct tmpfs *fs, struct tmpfs_node *dir, const char *name, size_t len)
{
	struct tmpfs_entry *e;
	int err = find_entry(dir, name, len, &e);
	if (err)
		return err;
	struct tmpfs_node *n = e->node;
	if (n->type == TMPFS_DIR)
		return -EISDIR;
	dir_remove(fs, dir, e);
	entry_free(fs, e);
	touch_dir(fs, dir);
	node_unlinked(fs, n);
	return 0;
}

int tmpfs_rmdir(struct tmpfs *fs, struct tmpfs_node *dir, const char *name, size_t len)
{
	struct tmpfs_entry *e;
	int err = find_entry(dir, name, len, &e);
	if (err)
		return err;
	struct tmpfs_node *n = e->node;
	if (n->type != TMPFS_DIR)
		return -ENOTDIR;
	if (n->dir.count)
		return -ENOTEMPTY;
	dir_remove(fs, dir, e);
	entry_free(fs, e);
	dir->nlink--;
	touch_dir(fs, dir);
	node_unlinked(fs, n);
	return 0;
}

int tmpfs_rename(struct tmpfs *fs, struct tmpfs_node *from_dir, const char *from_name,
		 size_t from_len, struct tmpfs_node *to_dir, const char *to_name, size_t to_len)
{
	if (from_dir->type != TMPFS_DIR || to_dir->type != TMPFS_DIR)
		return -ENOTDIR;
	int err = check_name(from_name, from_len);
	if (!err)
		err = check_name(to_name, to_len);
	if (err)
		return err;
	struct tmpfs_entry *fe = dir_get(from_dir, from_name, from_len);
	if (!fe)
		return -ENOENT;
	if (to_dir->nlink == 0)
		return -ENOENT;
	bool found;
	uint32_t at = dir_find(to_dir, to_name, to_len, &found);
	struct tmpfs_entry *te = found ? to_dir->dir.ents[at] : NULL;
	if (te == fe)
		return 0;

	struct tmpfs_node *n = fe->node;
	if (n->type == TMPFS_DIR) {
		/* Into itself or below it would cut the subtree off the tree
		 * as a cycle. Parents lead to the root: to_dir is linked. */
		for (struct tmpfs_node *p = to_dir; p; p = p->dir.parent)
			if (p == n)
				return -EINVAL;
	}

	if (te) {
		struct tmpfs_node *old = te->node;
		if (n->type == TMPFS_FILE && old->type == TMPFS_DIR)
			return -EISDIR;
		if (n->type == TMPFS_DIR && old->type == TMPFS_FILE)
			return -ENOTDIR;
		if (old->type == TMPFS_DIR && old->dir.count)
			return -ENOTEMPTY;
		/* The target's entry takes the node: the name is never
		 * missing, and nothing needs memory. */
		te->node = n;
		dir_remove(fs, from_dir, fe);
		entry_free(fs, fe);
		if (old->type == TMPFS_DIR)
			to_dir->nlink--;
		node_unlinked(fs, old);
	} else {
		struct tmpfs_entry *ne = entry_new(fs, to_name, to_len, n);
		if (!ne)
			return -ENOSPC;
		if (from_dir == to_dir) {
			/* The count stays: the slot freed is the one used. */
			dir_take(from_dir, fe);
			at = dir_find(to_dir, to_name, to_len, &found);
			dir_insert(to_dir, at, ne);
		} else {
			if (dir_reserve(fs, to_dir, to_dir->dir.count + 1)) {
				entry_free(fs, ne);
				return -ENOSPC;
			}
			dir_insert(to_dir, at, ne);
			dir_remove(fs, from_dir, fe);
		}
		entry_free(fs, fe);
	}
	if (n->type == TMPFS_DIR && from_dir != to_dir) {
		from_dir->nlink--;
		to_dir->nlink++;
		n->dir.parent = to_dir;
	}
	touch_dir(fs, from_dir);
	touch_dir(fs, to_dir);
	n->ctime = fs->env.now_ns();
	return 0;
}

int tmpfs_stat(struct tmpfs *fs, struct tmpfs_node *n, struct tmpfs_stat *out)
{
	(void)fs;
	memset(out, 0, sizeof(*out));
	out->type = n->type;
	out->nlink = n->nlink;
	out->ino = n->ino;
	if (n->type == TMPFS_FILE) {
		out->size = n->size;
		out->blocks = n->file.pages;
	} else {
		out->size = n->dir.count;
	}
	out->atime = n->atime;
	out->mtime = n->mtime;
	out->ctime = n->ctime;
	return 0;
}

int tmpfs_readdir(struct tmpfs *fs, struct tmpfs_node *dir, uint64_t *cursor,
		  struct tmpfs_dirent *out, unsigned max)
{
	if (dir->type != TMPFS_DIR)
		return -ENOTDIR;
	unsigned n = 0;
	list_for_each(pos, &dir->dir.order) {
		if (n == max)
			break;
		struct tmpfs_entry *e = list_entry(pos, struct tmpfs_entry, link);
		if (e->cookie <= *cursor)
			continue;
		struct tmpfs_dirent *d = &out[n++];
		memcpy(d->name, e->name, e->len + 1);
		d->name_len = e->len;
		d->type = e->node->type;
		d->ino = e->node->ino;
		d->size = e->node->type == TMPFS_FILE ? e->node->size : e->node->dir.count;
		d->cookie = e->cookie;
		*cursor = e->cookie;
	}
	dir->atime = fs->env.now_ns();
	return (int)n;
}

static const char *check_dir(const struct tmpfs *fs, const struct tmpfs_node *d,
			     uint64_t *bytes, uint64_t *file_links, uint64_t *dir_links)
{
	uint32_t subdirs = 0, listed = 0;
	uint64_t last_cookie = 0;

	if (!d->dir.ents != !d->dir.cap || d->dir.count > d->dir.cap)
		return "a directory's array is inconsistent";
	if (d->nlink == 0 && (d->dir.count || d->dir.parent))
		return "a removed directory has entries or a parent";
	if (d->nlink && d != fs->root && !d->dir.parent)
		return "a linked directory has no parent";
	*bytes += (uint64_t)d->dir.cap * sizeof(*d->dir.ents);
	for (uint32_t i = 0; i < d->dir.count; i++) {
		const struct tmpfs_entry *e = d->dir.ents[i];
		if (check_name(e->name, e->len) || e->name[e->len])
			return "a bad name in a directory";
		if (i && name_cmp(d->dir.ents[i - 1]->name, d->dir.ents[i - 1]->len,
				  e->name, e->len) >= 0)
			return "directory entries out of order";
		if (e->cookie == 0 || e->cookie > d->dir.next_cookie)
			return "an entry's cookie is out of range";
		if (e->node->nlink == 0)
			return "an entry names an unlinked node";
		if (e->node->type == TMPFS_DIR) {
			if (e->node->dir.parent != d)
				return "a directory's parent is wrong";
			subdirs++;
			++*dir_links;
		} else {
			++*file_links;
		}
		*bytes += entry_size(e->len);
	}
	list_for_each(pos, &d->dir.order) {
		const struct tmpfs_entry *e = list_entry(pos, struct tmpfs_entry, link);
		if (e->cookie <= last_cookie)
			return "the cookie list is out of order";
		last_cookie = e->cookie;
		if (dir_get(d, e->name, e->len) != e)
			return "the cookie list has an entry the array lacks";
		listed++;
	}
	if (listed != d->dir.count)
		return "the cookie list and the array differ in length";
	if (d->nlink && d->nlink != 2 + subdirs)
		return "a directory's link count is wrong";
	/* Parents lead to the root without a cycle. */
	uint64_t steps = 0;
	for (const struct tmpfs_node *p = d; p && d->nlink; p = p->dir.parent)
		if (++steps > fs->nodes)
			return "a cycle of parents";
	return NULL;
}

const char *tmpfs_check(struct tmpfs *fs)
{
	uint64_t bytes = 0, nodes = 0, refs = 0, files_linked = 0, dirs_linked = 0;
	uint64_t file_links = 0, dir_links = 0, pages = 0;

	if (!fs->root || fs->root->type != TMPFS_DIR || fs->root->nlink < 2 ||
	    fs->root->dir.parent)
		return "the root is wrong";
	list_for_each(pos, &fs->all) {
		const struct tmpfs_node *n = list_entry(pos, struct tmpfs_node, all);
		const char *why;
		nodes++;
		refs += n->refs;
		bytes += sizeof(*n);
		if (n->nlink == 0 && n->refs == 0)
			return "an unlinked node nobody holds";
		if (n->type == TMPFS_FILE) {
			if (n->nlink > 1)
				return "a file with more than one link";
			files_linked += n->nlink;
			uint64_t before = bytes;
			why = tmpfs_file_check(n, &bytes);
			pages += (bytes - before) / PAGE;
		} else if (n->type == TMPFS_DIR) {
			dirs_linked += n->nlink && n != fs->root;
			why = check_dir(fs, n, &bytes, &file_links, &dir_links);
		} else {
			why = "a node of no type";
		}
		if (why)
			return why;
	}
	if (nodes != fs->nodes)
		return "the node count is wrong";
	if (refs != fs->refs)
		return "the reference total is wrong";
	if (pages != fs->pages)
		return "the page count is wrong";
	if (file_links != files_linked || dir_links != dirs_linked)
		return "entries and link counts disagree";
	if (bytes != fs->used)
		return "the charged bytes differ from a recount";
	if (fs->max_bytes && fs->used > fs->max_bytes)
		return "over the byte limit";
	return NULL;
}
