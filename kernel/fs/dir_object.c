/* The directory object: open, mkdir, unlink, rmdir, rename, stat, readdir
 * and statfs on paths beneath it (docs/protocols.md, "directory"). Every
 * path is parsed by lib/path.c from the kernel's copy of the request and
 * walked from this directory, so nothing a process sends can name a node
 * outside the subtree its handle covers. */
#include "fs/vfs_object.h"

#include "lib/abi.h"
#include "lib/bson.h"
#include "lib/errors.h"
#include "mm/kmalloc.h"
#include "object/answer.h"
#include "object/request.h"

/* readdir: entries fetched from the filesystem at a time, and the room
 * its reply gets (each entry costs about its name plus 50 bytes). */
#define READDIR_CHUNK		8
#define READDIR_REPLY		MESSAGE_PAGE_ROOM

struct vfs_dir {
	struct kobj obj;
	struct vfs_node node;		/* a reference, for the object's life */
};

static uint64_t live_dirs;	/* atomic */

static struct vfs_dir *dir_of(struct kobj *obj)
{
	return kobj_of(obj, struct vfs_dir, obj);
}

static void dir_destroy(struct kobj *obj)
{
	struct vfs_dir *d = dir_of(obj);

	vfs_node_put(d->node);
	kfree(d);
	__atomic_fetch_sub(&live_dirs, 1, __ATOMIC_RELAXED);
}

struct kobj *vfs_dir_create(struct vfs_node dir)
{
	struct vfs_dir *d = kmalloc(sizeof(*d));

	if (!d) {
		vfs_node_put(dir);
		return NULL;
	}
	kobj_init(&d->obj, &vfs_dir_type);
	d->node = dir;
	__atomic_fetch_add(&live_dirs, 1, __ATOMIC_RELAXED);
	return &d->obj;
}

struct vfs_node vfs_dir_node(struct kobj *dir)
{
	return dir_of(dir)->node;
}

uint64_t vfs_dir_count(void)
{
	return __atomic_load_n(&live_dirs, __ATOMIC_RELAXED);
}

/* --- paths -------------------------------------------------------------- */

/* Walks to the directory that holds p's last component: *parent gets it
 * (with a reference) and *name, *len the name. -EINVAL for the empty path. */
static int walk_parent(struct vfs_dir *d, const char *path, const struct path *p,
		       struct vfs_node *parent, const char **name, size_t *len)
{
	unsigned count;
	struct path_component last;
	int rc = path_split_last(p, &count, &last);

	if (rc < 0)
		return rc;
	*name = path + last.offset;
	*len = last.len;
	return vfs_walk(d->node, path, p, count, parent);
}

/* The entry path[0..len) names: parsed into *p, then walk_parent.
 * Making, removing or renaming an entry needs its name, and a path that
 * does not end in one ("", "a/..", "a/.") names a directory by where it
 * is: if there is such a directory, *unnamed* is the answer (mkdir: it
 * exists; unlink: it is a directory; rmdir, rename: it is in use, as the
 * directory the path starts from or passes through). So "mkdir a/b/.."
 * never makes a, and "rmdir x/.." never removes the handle's directory. */
static int resolve_entry(struct vfs_dir *d, const char *path, size_t path_len, int unnamed,
			 struct path *p, struct vfs_node *parent, const char **name, size_t *len)
{
	int rc = path_parse(path, path_len, p);

	if (rc < 0)
		return rc;
	if (p->ends_in_name)
		return walk_parent(d, path, p, parent, name, len);
	struct vfs_node n __free(vfs_node_put) = { 0 };
	rc = vfs_walk(d->node, path, p, p->count, &n);
	if (rc < 0)
		return rc;
	return vfs_type(n) == VFS_DIR ? unnamed : -ENOTDIR;	/* "file/." */
}

/* A request's path field (absent: -EINVAL), as (pointer, length). */
static int request_path(const struct message *req, const char *key, const char **path,
			uint32_t *len)
{
	*len = 0;
	return request_string(req, key, path, len) == 1 ? 0 : -EINVAL;
}

/* True when the entry name[0..len) of dir is covered by a mount. */
static bool is_covered(struct vfs_node dir, const char *name, size_t len)
{
	void *node;

	if (dir.fs->ops->lookup(dir.fs, dir.node, name, len, &node) < 0)
		return false;
	struct vfs_node n __free(vfs_node_put) = { dir.fs, node };
	return vfs_is_mount_point(n);
}

int vfs_dir_resolve_file(struct kobj *dir, const char *path, size_t len, struct vfs_node *out)
{
	struct path p;
	struct vfs_node n __free(vfs_node_put) = { 0 };
	int rc = path_parse(path, len, &p);

	if (rc < 0)
		return rc;
	rc = vfs_walk(dir_of(dir)->node, path, &p, p.count, &n);
	if (rc < 0)
		return rc;
	if (vfs_type(n) == VFS_DIR)
		return -EISDIR;
	if (p.trailing_slash)
		return -ENOTDIR;
	*out = vfs_node_take(&n);
	return 0;
}

/* --- requests ----------------------------------------------------------- */

static const char *type_name(enum vfs_type type)
{
	return type == VFS_DIR ? "dir" : "file";
}

int vfs_append_stat(const struct vfs_stat *st, struct bson_builder *b)
{
	bson_append_cstr(b, "type", type_name(st->type));
	bson_append_int64(b, "size", (int64_t)st->size);
	bson_append_int64(b, "nlink", st->nlink);
	bson_append_int64(b, "ino", (int64_t)st->ino);
	bson_append_int64(b, "blocks", (int64_t)st->blocks);
	bson_append_int64(b, "atime", (int64_t)st->atime);
	bson_append_int64(b, "mtime", (int64_t)st->mtime);
	bson_append_int64(b, "ctime", (int64_t)st->ctime);
	return 0;
}

int vfs_reply_stat(struct vfs_node n, struct bson_builder *b)
{
	struct vfs_stat st;
	int rc = n.fs->ops->stat(n.fs, n.node, &st);

	return rc < 0 ? rc : vfs_append_stat(&st, b);
}

/* Checks open's flags; fills in OPEN_READ when neither READ nor WRITE. */
static int open_flags(const struct message *req, uint32_t *flags)
{
	int64_t v = OPEN_READ;

	if (request_int(req, "flags", &v) < 0 || v < 0 || v > (int64_t)OPEN_FLAGS_ALL)
		return -EINVAL;
	uint32_t f = (uint32_t)v;
	if (!(f & (OPEN_READ | OPEN_WRITE)))
		f |= OPEN_READ;
	if ((f & OPEN_EXCLUSIVE && !(f & OPEN_CREATE)) ||
	    (f & (OPEN_TRUNCATE | OPEN_APPEND) && !(f & OPEN_WRITE)) ||
	    (f & OPEN_DIRECTORY && f & (OPEN_CREATE | OPEN_TRUNCATE | OPEN_APPEND)))
		return -EINVAL;
	*flags = f;
	return 0;
}

/* {"op": "open", "path": P, "flags": F} -> {"type": T} + the new handle */
/* What dir_open created, so a later failure can take it back: a failed
 * open leaves the directory as it was. */
struct created {
	struct vfs_node parent;
	const char *name;	/* into the request's path */
	size_t len;
	bool fresh;		/* the file did not exist before */
};

static void created_undo(struct created *c)
{
	if (c->fresh)
		c->parent.fs->ops->unlink(c->parent.fs, c->parent.node, c->name, c->len);
	vfs_node_put(c->parent);
}
DEFINE_FREE(created_undo, struct created, created_undo(&_T))

/* Creates the file, or finds it unless exclusive: an exclusive create
 * first tells a new file from an old one. */
static int open_create(struct vfs_dir *d, const char *path, struct path *p, uint32_t flags,
		       struct created *c, struct vfs_node *n)
{
	void *node;

	if (p->trailing_slash)
		return -EISDIR;
	int rc = walk_parent(d, path, p, &c->parent, &c->name, &c->len);
	if (rc < 0)
		return rc;
	rc = c->parent.fs->ops->create(c->parent.fs, c->parent.node, c->name, c->len, VFS_FILE,
				       true, &node);
	c->fresh = rc == 0;
	if (rc == -EEXIST && !(flags & OPEN_EXCLUSIVE)) {
		rc = c->parent.fs->ops->create(c->parent.fs, c->parent.node, c->name, c->len,
					       VFS_FILE, false, &node);
		if (rc == -EEXIST)
			return -EISDIR;	/* only a directory of the name is in the way */
	}
	if (rc < 0)
		return rc;
	*n = (struct vfs_node){ c->parent.fs, node };
	return 0;
}

int vfs_dir_open(struct kobj *dir, uint32_t rights, const char *path, size_t len,
		 uint32_t flags, int (*accept)(void *ctx, const struct vfs_opened *o), void *ctx,
		 struct vfs_opened *out)
{
	struct vfs_dir *d = dir_of(dir);
	struct path p;
	struct vfs_node n __free(vfs_node_put) = { 0 };
	struct created c __free(created_undo) = { 0 };
	bool writes = flags & (OPEN_WRITE | OPEN_CREATE | OPEN_TRUNCATE);
	int rc;

	if (!(rights & RIGHT_READ) || (writes && !(rights & RIGHT_WRITE)))
		return -EACCES;
	rc = path_parse(path, len, &p);
	if (rc < 0)
		return rc;
	if (flags & OPEN_CREATE && p.count > 0)
		rc = open_create(d, path, &p, flags, &c, &n);
	else
		rc = vfs_walk(d->node, path, &p, p.count, &n);
	if (rc < 0)
		return rc;
	enum vfs_type type = vfs_type(n);
	if (type == VFS_DIR && !(flags & OPEN_DIRECTORY))
		return -EISDIR;
	if (type == VFS_FILE && (flags & OPEN_DIRECTORY || p.trailing_slash))
		return -ENOTDIR;
	if (flags & OPEN_TRUNCATE) {
		rc = n.fs->ops->truncate(n.fs, n.node, 0);
		if (rc < 0)
			return rc;
	}
	uint32_t granted = VFS_HANDLE_RIGHTS;
	struct kobj *obj;
	if (type == VFS_DIR) {
		granted |= RIGHT_READ | (flags & OPEN_WRITE ? RIGHT_WRITE : 0) |
			   (rights & RIGHT_SPAWN);
		obj = vfs_dir_create(vfs_node_take(&n));
	} else {
		granted |= (flags & OPEN_READ ? RIGHT_READ : 0) |
			   (flags & OPEN_WRITE ? RIGHT_WRITE : 0);
		obj = vfs_file_create(vfs_node_take(&n), flags);
	}
	if (!obj)
		return -ENOMEM;
	struct vfs_opened o = { obj, granted, type };
	rc = accept ? accept(ctx, &o) : 0;
	if (rc < 0) {
		kobj_put(obj);
		return rc;
	}
	c.fresh = false;	/* the open worked: the file stays */
	*out = o;
	return 0;
}

/* The open's handle goes with its reply (reply_prepare made room for it,
 * so only a limit refuses it, and that undoes the open). */
static int attach(void *ctx, const struct vfs_opened *o)
{
	struct kobj_reply *reply = ctx;
	int rc = kobj_reply_attach(reply, o->obj, o->rights);

	if (rc == 0)
		bson_append_cstr(reply->doc, "type", type_name(o->type));
	return rc;
}

static int dir_open(struct vfs_dir *d, uint32_t rights, const struct message *req,
		    struct kobj_reply *reply)
{
	const char *path;
	uint32_t flags, len;
	struct vfs_opened o;
	int rc = open_flags(req, &flags);

	if (rc == 0)
		rc = request_path(req, "path", &path, &len);
	if (rc == 0)
		rc = vfs_dir_open(&d->obj, rights, path, len, flags, attach, reply, &o);
	if (rc == 0)
		kobj_put(o.obj);	/* the reply's handle holds it */
	return rc;
}

int vfs_dir_mkdir(struct kobj *dir, const char *path, size_t path_len)
{
	struct path p;
	struct vfs_node parent __free(vfs_node_put) = { 0 };
	const char *name;
	size_t len;
	int rc = resolve_entry(dir_of(dir), path, path_len, -EEXIST, &p, &parent, &name, &len);

	if (rc < 0)
		return rc;
	return parent.fs->ops->create(parent.fs, parent.node, name, len, VFS_DIR, true, NULL);
}

int vfs_dir_remove(struct kobj *dir, const char *path, size_t path_len, bool is_rmdir)
{
	struct path p;
	struct vfs_node parent __free(vfs_node_put) = { 0 };
	const char *name;
	size_t len;
	int rc = resolve_entry(dir_of(dir), path, path_len, is_rmdir ? -EBUSY : -EISDIR, &p,
			       &parent, &name, &len);

	if (rc < 0)
		return rc;
	if (!is_rmdir) {
		if (p.trailing_slash) {	/* "x/" names a directory: never unlinked */
			struct vfs_node n __free(vfs_node_put) = { 0 };
			rc = vfs_lookup(parent, name, len, &n);
			return rc < 0 ? rc : vfs_type(n) == VFS_DIR ? -EISDIR : -ENOTDIR;
		}
		return parent.fs->ops->unlink(parent.fs, parent.node, name, len);
	}
	if (is_covered(parent, name, len))
		return -EBUSY;
	return parent.fs->ops->rmdir(parent.fs, parent.node, name, len);
}

int vfs_dir_rename(struct kobj *dir, const char *from_path, size_t from_path_len,
		   const char *to_path, size_t to_path_len, bool replace)
{
	struct vfs_dir *d = dir_of(dir);
	struct path p;		/* only the names are kept from each */
	struct vfs_node df __free(vfs_node_put) = { 0 };
	struct vfs_node dt __free(vfs_node_put) = { 0 };
	const char *from, *to;
	size_t from_len, to_len;
	int rc = resolve_entry(d, from_path, from_path_len, -EBUSY, &p, &df, &from, &from_len);

	if (rc == 0)
		rc = resolve_entry(d, to_path, to_path_len, -EBUSY, &p, &dt, &to, &to_len);
	if (rc < 0)
		return rc;
	if (df.fs != dt.fs)
		return -EXDEV;
	if (is_covered(df, from, from_len) || is_covered(dt, to, to_len))
		return -EBUSY;
	if (!replace) {
		struct vfs_node old __free(vfs_node_put) = { 0 };
		if (vfs_lookup(dt, to, to_len, &old) == 0)
			return -EEXIST;
	}
	return df.fs->ops->rename(df.fs, df.node, from, from_len, dt.node, to, to_len);
}

int vfs_dir_stat(struct kobj *dir, const char *path, size_t len, struct vfs_stat *st)
{
	struct path p;
	struct vfs_node n __free(vfs_node_put) = { 0 };
	int rc = path_parse(path, len, &p);

	if (rc == 0)
		rc = vfs_walk(dir_of(dir)->node, path, &p, p.count, &n);
	if (rc < 0)
		return rc;
	if (p.trailing_slash && vfs_type(n) != VFS_DIR)
		return -ENOTDIR;
	return n.fs->ops->stat(n.fs, n.node, st);
}

/* {"op": "mkdir", "path": P} -> {} */
static int dir_mkdir(struct vfs_dir *d, const struct message *req)
{
	const char *path;
	uint32_t len;
	int rc = request_path(req, "path", &path, &len);

	return rc < 0 ? rc : vfs_dir_mkdir(&d->obj, path, len);
}

/* {"op": "unlink" | "rmdir", "path": P} -> {} */
static int dir_remove(struct vfs_dir *d, const struct message *req, bool is_rmdir)
{
	const char *path;
	uint32_t len;
	int rc = request_path(req, "path", &path, &len);

	return rc < 0 ? rc : vfs_dir_remove(&d->obj, path, len, is_rmdir);
}

/* {"op": "rename", "from": P, "to": Q} -> {} */
static int dir_rename(struct vfs_dir *d, const struct message *req)
{
	const char *from, *to;
	uint32_t from_len, to_len;

	if (request_path(req, "from", &from, &from_len) < 0 ||
	    request_path(req, "to", &to, &to_len) < 0)
		return -EINVAL;
	return vfs_dir_rename(&d->obj, from, from_len, to, to_len, true);
}

/* {"op": "stat", "path": P (optional)} -> the stat fields */
static int dir_stat(struct vfs_dir *d, const struct message *req, struct bson_builder *b)
{
	const char *path = "";
	uint32_t len = 0;
	struct vfs_stat st;

	if (request_string(req, "path", &path, &len) < 0)
		return -EINVAL;
	int rc = vfs_dir_stat(&d->obj, path, len, &st);
	return rc < 0 ? rc : vfs_append_stat(&st, b);
}

int vfs_dir_readdir(struct kobj *dir, uint64_t *cursor, struct vfs_dirent *out, unsigned max)
{
	struct vfs_node n = dir_of(dir)->node;

	return n.fs->ops->readdir(n.fs, n.node, cursor, out, max);
}

struct vfs_fs *vfs_dir_fs(struct kobj *dir)
{
	return dir_of(dir)->node.fs;
}

/* {"op": "readdir", "cursor": C (optional)} ->
 * {"entries": [{"name", "type", "size"}...], "cursor": C', "end": bool} */
static int dir_readdir(struct vfs_dir *d, const struct message *req, struct bson_builder *b)
{
	int64_t start = 0;
	struct vfs_dirent *ents __free(kfree) = kmalloc(READDIR_CHUNK * sizeof(*ents));

	if (request_int(req, "cursor", &start) < 0 || start < 0)
		return -EINVAL;
	if (!ents)
		return -ENOMEM;
	struct vfs_node n = d->node;
	uint64_t cursor = (uint64_t)start, fetch = cursor;
	bool end = false, full = false;
	bson_begin_array(b, "entries");
	while (!full) {
		int got = n.fs->ops->readdir(n.fs, n.node, &fetch, ents, READDIR_CHUNK);
		if (got < 0)
			return got;
		if (got == 0) {
			end = true;
			break;
		}
		for (int i = 0; i < got; i++) {
			/* Room for this entry and what closes the reply. */
			if (b->len + ents[i].name_len + 96 > b->cap) {
				full = true;
				break;
			}
			bson_begin_document(b, NULL);
			bson_append_utf8(b, "name", ents[i].name, ents[i].name_len);
			bson_append_cstr(b, "type", type_name(ents[i].type));
			bson_append_int64(b, "size", (int64_t)ents[i].size);
			bson_end_document(b);
			cursor = ents[i].cookie;
		}
	}
	bson_end_array(b);
	bson_append_int64(b, "cursor", (int64_t)cursor);
	bson_append_bool(b, "end", end);
	return 0;
}

/* {"op": "statfs"} -> {"fs", "max_bytes", "used_bytes", "nodes"} */
static int dir_statfs(struct vfs_dir *d, struct bson_builder *b)
{
	struct vfs_statfs st;
	struct vfs_fs *fs = d->node.fs;

	fs->ops->statfs(fs, &st);
	bson_append_cstr(b, "fs", fs->name);
	bson_append_int64(b, "max_bytes", (int64_t)st.max_bytes);
	bson_append_int64(b, "used_bytes", (int64_t)st.used_bytes);
	bson_append_int64(b, "nodes", (int64_t)st.nodes);
	return 0;
}

/* The requests, most frequent first, and the rights each needs. */
enum { OP_STAT, OP_OPEN, OP_READDIR, OP_MKDIR, OP_UNLINK, OP_RMDIR, OP_RENAME, OP_STATFS };
static const struct request_op dir_ops[] = {
	[OP_STAT] = { "stat", RIGHT_READ },
	/* RIGHT_READ, and RIGHT_WRITE for a flag that writes: dir_open
	 * checks them after the flags, which say which it needs. */
	[OP_OPEN] = { "open", 0 },
	[OP_READDIR] = { "readdir", RIGHT_READ },
	[OP_MKDIR] = { "mkdir", RIGHT_READ | RIGHT_WRITE },
	[OP_UNLINK] = { "unlink", RIGHT_READ | RIGHT_WRITE },
	[OP_RMDIR] = { "rmdir", RIGHT_READ | RIGHT_WRITE },
	[OP_RENAME] = { "rename", RIGHT_READ | RIGHT_WRITE },
	[OP_STATFS] = { "statfs", RIGHT_READ },
};

static int dir_answer(struct kobj *obj, uint32_t rights, struct message *req,
		      struct kobj_reply *reply)
{
	struct vfs_dir *d = dir_of(obj);
	int op = request_op_index(req, REQUEST_OPS(dir_ops), rights);

	switch (op) {
	case OP_OPEN:
		return dir_open(d, rights, req, reply);
	case OP_STAT:
		return dir_stat(d, req, reply->doc);
	case OP_READDIR:
		return dir_readdir(d, req, reply->doc);
	case OP_MKDIR:
		return dir_mkdir(d, req);
	case OP_UNLINK:
		return dir_remove(d, req, false);
	case OP_RMDIR:
		return dir_remove(d, req, true);
	case OP_RENAME:
		return dir_rename(d, req);
	case OP_STATFS:
		return dir_statfs(d, reply->doc);
	default:
		return op;		/* -EINVAL, -ENOSYS or -EACCES */
	}
}

static uint32_t dir_reply_size(struct kobj *obj, const struct message *req)
{
	uint32_t len;
	const char *op = request_op(req, &len);

	(void)obj;
	return op && request_op_is(op, len, "readdir") ? READDIR_REPLY : KOBJ_REPLY_DEFAULT;
}

const struct kobj_type vfs_dir_type = {
	.name = "directory",
	.destroy = dir_destroy,
	.send = kobj_answer_send,
	.call = kobj_answer_call,
	.answer = dir_answer,
	.reply_size = dir_reply_size,
};
