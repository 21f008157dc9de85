/* The open-file object: read, write, seek, truncate, stat and sync
 * (docs/protocols.md, "file"). It keeps the offset, shared by every handle
 * to the object (dup'd handles share it, as POSIX descriptors share an
 * open file description); a request with an explicit "offset" neither
 * uses nor moves it. */
#include "fs/vfs_object.h"

#include "core/spinlock.h"
#include "lib/abi.h"
#include "lib/bson.h"
#include "lib/errors.h"
#include "mm/kmalloc.h"
#include "object/answer.h"
#include "object/request.h"

/* A read's reply holds the data and about 20 bytes around it. */
#define READ_REPLY_OVERHEAD	32u
#define READ_MAX		(PANDA_MSG_MAX - READ_REPLY_OVERHEAD)

struct vfs_file {
	struct kobj obj;
	struct vfs_node node;		/* a reference, for the object's life */
	struct spinlock lock;		/* guards offset; held around each I/O */
	uint64_t offset;
	bool append;			/* OPEN_APPEND: writes go to the end (atomic) */
};

static uint64_t live_files;	/* atomic */

static struct vfs_file *file_of(struct kobj *obj)
{
	return kobj_of(obj, struct vfs_file, obj);
}

static void file_destroy(struct kobj *obj)
{
	struct vfs_file *f = file_of(obj);

	vfs_node_put(f->node);
	kfree(f);
	__atomic_fetch_sub(&live_files, 1, __ATOMIC_RELAXED);
}

struct kobj *vfs_file_create(struct vfs_node file, uint32_t open_flags)
{
	struct vfs_file *f = kmalloc(sizeof(*f));

	if (!f) {
		vfs_node_put(file);
		return NULL;
	}
	kobj_init(&f->obj, &vfs_file_type);
	f->node = file;
	f->lock = (struct spinlock)SPINLOCK_INIT("file");
	f->append = open_flags & OPEN_APPEND;
	__atomic_fetch_add(&live_files, 1, __ATOMIC_RELAXED);
	return &f->obj;
}

uint64_t vfs_file_count(void)
{
	return __atomic_load_n(&live_files, __ATOMIC_RELAXED);
}

/* An optional "offset" field: 1 with it set, 0 when absent, or -EINVAL. */
static int explicit_offset(const struct message *req, uint64_t *off)
{
	int64_t v;
	int rc = request_int(req, "offset", &v);

	if (rc < 0 || (rc == 1 && v < 0))
		return -EINVAL;
	if (rc == 1)
		*off = (uint64_t)v;
	return rc;
}

/* The bytes a read asks for, capped at what one reply can carry. */
static int read_length(const struct message *req, size_t *len)
{
	int64_t v;

	if (request_int(req, "len", &v) != 1 || v < 0)
		return -EINVAL;
	*len = v > READ_MAX ? READ_MAX : (size_t)v;
	return 0;
}

long vfs_file_read(struct kobj *file, void *buf, size_t len, const uint64_t *at)
{
	struct vfs_file *f = file_of(file);
	struct vfs_node n = f->node;

	guard(spinlock)(&f->lock);
	long got = n.fs->ops->read(n.fs, n.node, at ? *at : f->offset, buf, len);
	if (got > 0 && !at)
		f->offset += (uint64_t)got;
	return got;
}

/* {"op": "read", "len": N, "offset": O (optional)} -> {"data": binary};
 * fewer bytes than asked at the end of the file, none past it. */
static int file_read(struct vfs_file *f, const struct message *req, struct bson_builder *b)
{
	uint64_t off = 0;
	size_t len;
	int rc = read_length(req, &len);
	int given = rc < 0 ? rc : explicit_offset(req, &off);

	if (given < 0)
		return given;
	uint8_t *space = bson_append_binary_space(b, "data", len);
	if (!space)
		return -ENOMEM;
	long got = vfs_file_read(&f->obj, space, len, given ? &off : NULL);
	if (got < 0)
		return (int)got;
	bson_binary_shrink(b, space, (size_t)got);
	return 0;
}

long vfs_file_write(struct kobj *file, const void *buf, size_t len, const uint64_t *at)
{
	struct vfs_file *f = file_of(file);
	struct vfs_node n = f->node;
	uint64_t end;

	guard(spinlock)(&f->lock);
	uint64_t off = at ? *at : f->append ? VFS_APPEND : f->offset;
	long put = n.fs->ops->write(n.fs, n.node, off, buf, len, &end);
	if (put >= 0 && !at)
		f->offset = end;
	return put;
}

/* {"op": "write", "data": binary or string, "offset": O (optional)} ->
 * {"written": N}; a short count when the filesystem filled part way. */
static int file_write(struct vfs_file *f, const struct message *req, struct bson_builder *b)
{
	const uint8_t *data;
	uint32_t len;
	uint64_t off = 0;

	if (request_bytes(req, "data", &data, &len) != 1)
		return -EINVAL;
	int given = explicit_offset(req, &off);
	if (given < 0)
		return given;
	long put = vfs_file_write(&f->obj, data, len, given ? &off : NULL);
	if (put < 0)
		return (int)put;
	bson_append_int64(b, "written", put);
	return 0;
}

int vfs_file_seek(struct kobj *file, int64_t delta, enum vfs_whence whence, uint64_t *result)
{
	struct vfs_file *f = file_of(file);
	struct vfs_node n = f->node;
	uint64_t base;

	guard(spinlock)(&f->lock);
	if (whence == VFS_SEEK_SET) {
		base = 0;
	} else if (whence == VFS_SEEK_CUR) {
		base = f->offset;
	} else {
		struct vfs_stat st;
		int rc = n.fs->ops->stat(n.fs, n.node, &st);
		if (rc < 0)
			return rc;
		base = st.size;
	}
	if ((delta < 0 && (uint64_t)-(delta + 1) >= base) ||
	    (delta > 0 && (uint64_t)delta > INT64_MAX - base))
		return -EINVAL;
	f->offset = base + (uint64_t)delta;
	*result = f->offset;
	return 0;
}

struct vfs_node vfs_file_node(struct kobj *file)
{
	return file_of(file)->node;
}

bool vfs_file_appends(struct kobj *file)
{
	return __atomic_load_n(&file_of(file)->append, __ATOMIC_RELAXED);
}

void vfs_file_set_append(struct kobj *file, bool append)
{
	__atomic_store_n(&file_of(file)->append, append, __ATOMIC_RELAXED);
}

/* {"op": "seek", "offset": N, "whence": "set" | "cur" | "end"} ->
 * {"offset": new offset}. The result may lie past the end, never before 0. */
static int file_seek(struct vfs_file *f, const struct message *req, struct bson_builder *b)
{
	int64_t delta;
	const char *whence = "set";
	uint32_t wlen = 3;
	enum vfs_whence w;
	uint64_t at;

	if (request_int(req, "offset", &delta) != 1 ||
	    request_string(req, "whence", &whence, &wlen) < 0)
		return -EINVAL;
	if (request_op_is(whence, wlen, "set"))
		w = VFS_SEEK_SET;
	else if (request_op_is(whence, wlen, "cur"))
		w = VFS_SEEK_CUR;
	else if (request_op_is(whence, wlen, "end"))
		w = VFS_SEEK_END;
	else
		return -EINVAL;
	int rc = vfs_file_seek(&f->obj, delta, w, &at);
	if (rc < 0)
		return rc;
	bson_append_int64(b, "offset", (int64_t)at);
	return 0;
}

/* {"op": "truncate", "size": N} -> {} */
static int file_truncate(struct vfs_file *f, const struct message *req)
{
	struct vfs_node n = f->node;
	int64_t size;

	if (request_int(req, "size", &size) != 1 || size < 0)
		return -EINVAL;
	return n.fs->ops->truncate(n.fs, n.node, (uint64_t)size);
}

enum { OP_READ, OP_WRITE, OP_SEEK, OP_STAT, OP_TRUNCATE, OP_SYNC };
static const struct request_op file_ops[] = {
	[OP_READ] = { "read", RIGHT_READ },
	[OP_WRITE] = { "write", RIGHT_WRITE },
	[OP_SEEK] = { "seek", 0 },
	[OP_STAT] = { "stat", 0 },
	[OP_TRUNCATE] = { "truncate", RIGHT_WRITE },
	[OP_SYNC] = { "sync", 0 },
};

static int file_answer(struct kobj *obj, uint32_t rights, struct message *req,
		       struct kobj_reply *reply)
{
	struct vfs_file *f = file_of(obj);
	struct vfs_node n = f->node;
	int op = request_op_index(req, REQUEST_OPS(file_ops), rights);

	switch (op) {
	case OP_READ:
		return file_read(f, req, reply->doc);
	case OP_WRITE:
		return file_write(f, req, reply->doc);
	case OP_TRUNCATE:
		return file_truncate(f, req);
	case OP_SEEK:
		return file_seek(f, req, reply->doc);
	case OP_STAT:
		return vfs_reply_stat(n, reply->doc);
	case OP_SYNC:
		return n.fs->ops->sync ? n.fs->ops->sync(n.fs, n.node) : 0;
	default:
		return op;		/* -EINVAL, -ENOSYS or -EACCES */
	}
}

/* A read's reply is as big as the data asked for; the rest are small. */
static uint32_t file_reply_size(struct kobj *obj, const struct message *req)
{
	uint32_t len;
	size_t want;
	const char *op = request_op(req, &len);

	(void)obj;
	if (op && request_op_is(op, len, "read") && read_length(req, &want) == 0 &&
	    want + READ_REPLY_OVERHEAD > KOBJ_REPLY_DEFAULT)
		return (uint32_t)want + READ_REPLY_OVERHEAD;
	return KOBJ_REPLY_DEFAULT;
}

const struct kobj_type vfs_file_type = {
	.name = "file",
	.destroy = file_destroy,
	.send = kobj_answer_send,
	.call = kobj_answer_call,
	.answer = file_answer,
	.reply_size = file_reply_size,
};
