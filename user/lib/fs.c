#include "fs.h"

#include "lib/bson.h"
#include "lib/errors.h"
#include "lib/path.h"
#include "lib/string.h"
#include "io.h"
#include "malloc.h"
#include "syscall.h"

/* One request and one reply at a time (fs.h: not reentrant). */
static uint8_t request[PANDA_MSG_MAX];
static uint8_t reply_buf[PANDA_MSG_MAX];

long panda_fs_call(panda_handle_t h, const void *req, size_t size, const uint8_t **reply,
		   panda_handle_t *handle)
{
	panda_handle_t got = PANDA_HANDLE_NONE;
	struct panda_msg out = { .data = (void *)req, .size = (uint32_t)size };
	struct panda_msg in = { .data = reply_buf, .size = sizeof(reply_buf), .handles = &got,
				.handle_count = 1 };
	struct bson_iter it;
	int32_t code;

	if (size == 0)
		return -EINVAL;		/* the builder overflowed */
	long rc = panda_call(h, &out, &in, PANDA_DEADLINE_NEVER);
	if (rc < 0)
		return rc;
	/* An error reply starts with "error" (docs/protocols.md). */
	bson_iter_init(&it, reply_buf);
	if (bson_iter_next(&it) && strcmp(it.key, "error") == 0) {
		if (in.handle_count)
			panda_close(got);
		return bson_find(reply_buf, "code", &it) && bson_iter_int32(&it, &code) && code < 0
			       ? code : -EBADMSG;
	}
	if (handle)
		*handle = got;
	else if (in.handle_count)
		panda_close(got);
	*reply = reply_buf;
	return 0;
}

/* Starts a request {"op": op, ...} in the shared buffer. */
static void begin(struct bson_builder *b, const char *op)
{
	bson_build_init(b, request, sizeof(request));
	bson_append_cstr(b, "op", op);
}

static long call(panda_handle_t h, struct bson_builder *b, const uint8_t **reply)
{
	const uint8_t *ignored;

	return panda_fs_call(h, request, bson_build_finish(b), reply ? reply : &ignored, NULL);
}

static long int_field(const uint8_t *doc, const char *key)
{
	struct bson_iter it;
	int64_t v;

	return bson_find(doc, key, &it) && bson_iter_integer(&it, &v) ? (long)v : -EBADMSG;
}

long panda_open(panda_handle_t dir, const char *path, uint32_t flags)
{
	struct bson_builder b;
	const uint8_t *reply;
	panda_handle_t h = PANDA_HANDLE_NONE;

	begin(&b, "open");
	bson_append_cstr(&b, "path", path);
	bson_append_int32(&b, "flags", (int32_t)flags);
	long rc = panda_fs_call(dir, request, bson_build_finish(&b), &reply, &h);
	if (rc < 0)
		return rc;
	return h ? (long)h : -EBADMSG;
}

static long path_op(panda_handle_t dir, const char *op, const char *path)
{
	struct bson_builder b;

	begin(&b, op);
	bson_append_cstr(&b, "path", path);
	return call(dir, &b, NULL);
}

long panda_mkdir(panda_handle_t dir, const char *path)
{
	return path_op(dir, "mkdir", path);
}

long panda_unlink(panda_handle_t dir, const char *path)
{
	return path_op(dir, "unlink", path);
}

long panda_rmdir(panda_handle_t dir, const char *path)
{
	return path_op(dir, "rmdir", path);
}

long panda_rename(panda_handle_t dir, const char *from, const char *to)
{
	struct bson_builder b;

	begin(&b, "rename");
	bson_append_cstr(&b, "from", from);
	bson_append_cstr(&b, "to", to);
	return call(dir, &b, NULL);
}

/* One pass over a stat reply's fields. */
static long fill_stat(const uint8_t *doc, struct panda_stat *st)
{
	static const struct {
		const char *key;
		size_t offset;
	} fields[] = {
		{ "size", offsetof(struct panda_stat, size) },
		{ "nlink", offsetof(struct panda_stat, nlink) },
		{ "ino", offsetof(struct panda_stat, ino) },
		{ "blocks", offsetof(struct panda_stat, blocks) },
		{ "atime", offsetof(struct panda_stat, atime) },
		{ "mtime", offsetof(struct panda_stat, mtime) },
		{ "ctime", offsetof(struct panda_stat, ctime) },
	};
	const size_t count = sizeof(fields) / sizeof(fields[0]);
	struct bson_iter it;
	bool typed = false;
	size_t next = 0;

	*st = (struct panda_stat){ 0 };
	bson_iter_init(&it, doc);
	while (bson_iter_next(&it)) {
		int64_t v;
		uint32_t len;
		if (strcmp(it.key, "type") == 0) {
			const char *type = bson_iter_utf8(&it, &len);
			typed = type != NULL;
			st->is_dir = typed && len == 3 && memcmp(type, "dir", 3) == 0;
			continue;
		}
		if (!bson_iter_integer(&it, &v))
			continue;
		/* The kernel sends them in this order: try the next one first. */
		for (size_t i = 0; i < count; i++, next = (next + 1) % count) {
			if (strcmp(it.key, fields[next].key) == 0) {
				*(uint64_t *)((char *)st + fields[next].offset) = (uint64_t)v;
				next = (next + 1) % count;
				break;
			}
		}
	}
	return typed ? 0 : -EBADMSG;
}

long panda_stat(panda_handle_t dir, const char *path, struct panda_stat *st)
{
	struct bson_builder b;
	const uint8_t *reply;

	begin(&b, "stat");
	bson_append_cstr(&b, "path", path);
	long rc = call(dir, &b, &reply);
	return rc < 0 ? rc : fill_stat(reply, st);
}

long panda_fstat(panda_handle_t file, struct panda_stat *st)
{
	struct bson_builder b;
	const uint8_t *reply;

	begin(&b, "stat");
	long rc = call(file, &b, &reply);
	return rc < 0 ? rc : fill_stat(reply, st);
}

long panda_readdir(panda_handle_t dir, uint64_t *cursor, panda_dirent_fn fn, void *ctx)
{
	struct bson_builder b;
	const uint8_t *reply;
	struct bson_iter it, list;
	long n = 0;

	begin(&b, "readdir");
	bson_append_int64(&b, "cursor", (int64_t)*cursor);
	long rc = call(dir, &b, &reply);
	if (rc < 0)
		return rc;
	long next = int_field(reply, "cursor");
	if (next < 0 || !bson_find(reply, "entries", &it) || !bson_iter_recurse(&it, &list))
		return -EBADMSG;
	while (bson_iter_next(&list)) {
		uint32_t doc_len, name_len = 0, type_len = 0;
		const uint8_t *entry = bson_iter_document(&list, &doc_len);
		struct bson_iter f;
		const char *name = entry && bson_find(entry, "name", &f)
					   ? bson_iter_utf8(&f, &name_len) : NULL;
		const char *type = entry && bson_find(entry, "type", &f)
					   ? bson_iter_utf8(&f, &type_len) : NULL;
		char copy[256];
		if (!name || !type || name_len >= sizeof(copy))
			return -EBADMSG;
		memcpy(copy, name, name_len);
		copy[name_len] = 0;
		long size = int_field(entry, "size");
		if (fn)
			fn(ctx, copy, type_len == 3 && memcmp(type, "dir", 3) == 0,
			   size < 0 ? 0 : (uint64_t)size);
		n++;
	}
	*cursor = (uint64_t)next;
	return n;
}

static long do_read(panda_handle_t file, void *buf, size_t len, const uint64_t *off)
{
	struct bson_builder b;
	const uint8_t *reply;
	struct bson_iter it;
	uint32_t got;
	uint8_t subtype;

	begin(&b, "read");
	bson_append_int64(&b, "len", (int64_t)(len > PANDA_IO_MAX ? PANDA_IO_MAX : len));
	if (off)
		bson_append_int64(&b, "offset", (int64_t)*off);
	long rc = call(file, &b, &reply);
	if (rc < 0)
		return rc;
	const uint8_t *data = bson_find(reply, "data", &it)
				      ? bson_iter_binary(&it, &got, &subtype) : NULL;
	if (!data || got > len)
		return -EBADMSG;
	memcpy(buf, data, got);
	return got;
}

static long do_write(panda_handle_t file, const void *buf, size_t len, const uint64_t *off)
{
	struct bson_builder b;
	const uint8_t *reply;

	begin(&b, "write");
	if (off)
		bson_append_int64(&b, "offset", (int64_t)*off);
	bson_append_binary(&b, "data", 0, buf, len > PANDA_IO_MAX ? PANDA_IO_MAX : len);
	long rc = call(file, &b, &reply);
	return rc < 0 ? rc : int_field(reply, "written");
}

long panda_read(panda_handle_t file, void *buf, size_t len)
{
	return do_read(file, buf, len, NULL);
}

long panda_pread(panda_handle_t file, void *buf, size_t len, uint64_t off)
{
	return do_read(file, buf, len, &off);
}

long panda_write(panda_handle_t file, const void *buf, size_t len)
{
	return do_write(file, buf, len, NULL);
}

long panda_pwrite(panda_handle_t file, const void *buf, size_t len, uint64_t off)
{
	return do_write(file, buf, len, &off);
}

long panda_seek(panda_handle_t file, int64_t offset, const char *whence)
{
	struct bson_builder b;
	const uint8_t *reply;

	begin(&b, "seek");
	bson_append_int64(&b, "offset", offset);
	bson_append_cstr(&b, "whence", whence);
	long rc = call(file, &b, &reply);
	return rc < 0 ? rc : int_field(reply, "offset");
}

long panda_truncate(panda_handle_t file, uint64_t size)
{
	struct bson_builder b;

	begin(&b, "truncate");
	bson_append_int64(&b, "size", (int64_t)size);
	return call(file, &b, NULL);
}

long panda_sync(panda_handle_t file)
{
	struct bson_builder b;

	begin(&b, "sync");
	return call(file, &b, NULL);
}

/* --- for utilities ---------------------------------------------------- */

/* path, as written, through dir. */
static long resolve_as_is(const char *path, panda_handle_t dir, struct panda_where *w)
{
	size_t len = strlen(path);

	if (len >= sizeof(w->path))
		return -ENAMETOOLONG;	/* past PATH_MAX_LEN: no handle takes it */
	memcpy(w->path, path, len + 1);
	w->dir = dir;
	return 0;
}

/* The relative path joined onto the working directory's path, through the
 * root. PWD is what the parent said the working directory is (the shell
 * passes it); without it the path has nowhere to climb to. A path that
 * ends in no name keeps a "." at the end ("../d/f/.." is "/home/d/."):
 * cleaning must not turn it into d's name, which mkdir, rmdir, unlink and
 * rename would act on (docs/paths.md). */
static long resolve_from_pwd(const char *path, struct panda_where *w)
{
	const char *pwd = panda_getenv("PWD");

	if (!pwd || pwd[0] != '/' || !panda_root())
		return -EOUTSIDE;
	int n = path_join_clean(pwd, path, w->path, sizeof(w->path));
	if (n < 0)
		return n;
	if (!panda_path_ends_in_name(path)) {
		if ((size_t)n + 2 > sizeof(w->path))
			return -ENAMETOOLONG;
		memcpy(w->path + n, ".", 2);	/* after the '/' the result ends in */
	}
	w->dir = panda_root();
	return 0;
}

long panda_resolve(const char *path, struct panda_where *w)
{
	if (path[0] == '/')
		return resolve_as_is(path, panda_root(), w);
	if (path_climbs(path, strlen(path)))
		return resolve_from_pwd(path, w);
	return resolve_as_is(path, panda_cwd(), w);
}

long panda_open_path(const char *path, uint32_t flags)
{
	struct panda_where at;
	long rc = panda_resolve(path, &at);

	return rc < 0 ? rc : panda_open(at.dir, at.path, flags);
}

long panda_stat_path(const char *path, struct panda_stat *st)
{
	struct panda_where at;
	long rc = panda_resolve(path, &at);

	return rc < 0 ? rc : panda_stat(at.dir, at.path, st);
}

long panda_mkdir_path(const char *path)
{
	struct panda_where at;
	long rc = panda_resolve(path, &at);

	return rc < 0 ? rc : panda_mkdir(at.dir, at.path);
}

long panda_rmdir_path(const char *path)
{
	struct panda_where at;
	long rc = panda_resolve(path, &at);

	return rc < 0 ? rc : panda_rmdir(at.dir, at.path);
}

long panda_resolve_from_root(const char *path, struct panda_where *w)
{
	return path[0] == '/' ? resolve_as_is(path, panda_root(), w) : resolve_from_pwd(path, w);
}

bool panda_path_ends_in_name(const char *path)
{
	size_t len;
	const char *last = panda_path_last(path, &len);

	return len > 2 || (len == 1 && last[0] != '.') ||
	       (len == 2 && (last[0] != '.' || last[1] != '.'));
}

const char *panda_path_last(const char *path, size_t *len)
{
	size_t end = strlen(path);

	while (end > 1 && path[end - 1] == '/')
		end--;
	size_t start = end;
	while (start > 0 && path[start - 1] != '/')
		start--;
	*len = end - start;
	return path + start;
}

char *panda_path_join(const char *dir, const char *name, size_t name_len)
{
	size_t dlen = strlen(dir);
	size_t slash = dlen && dir[dlen - 1] != '/';
	char *path = malloc(dlen + slash + name_len + 1);

	if (!path)
		return NULL;
	memcpy(path, dir, dlen);
	if (slash)
		path[dlen] = '/';
	memcpy(path + dlen + slash, name, name_len);
	path[dlen + slash + name_len] = 0;
	return path;
}

bool panda_same_file(const struct panda_stat *a, const struct panda_stat *b)
{
	return a->ino == b->ino && a->ctime == b->ctime && a->size == b->size;
}

long panda_copy_data(panda_handle_t in, panda_handle_t out, bool *on_write)
{
	static uint8_t buf[PANDA_IO_MAX];

	for (;;) {
		long n = panda_read(in, buf, sizeof(buf));

		*on_write = false;
		if (n <= 0)
			return n;
		*on_write = true;
		for (long done = 0; done < n;) {
			long w = panda_write(out, buf + done, (size_t)(n - done));

			if (w <= 0)
				return w < 0 ? w : -ENOSPC;
			done += w;
		}
	}
}

/* What panda_dir_list collects into, and the room it has. */
struct collector {
	struct panda_dir_list *list;
	size_t cap;
	bool out_of_memory;		/* an entry was dropped */
};

static void collect_entry(void *ctx, const char *name, bool is_dir, uint64_t size)
{
	struct collector *c = ctx;
	struct panda_dir_list *l = c->list;

	if (c->out_of_memory)
		return;
	if (l->count == c->cap) {
		size_t cap = c->cap ? 2 * c->cap : 64;
		struct panda_dir_entry *grown = realloc(l->entries, cap * sizeof(*grown));

		if (!grown) {
			c->out_of_memory = true;
			return;
		}
		l->entries = grown;
		c->cap = cap;
	}
	size_t len = strlen(name) + 1;
	struct panda_dir_entry *e = &l->entries[l->count];
	*e = (struct panda_dir_entry){ malloc(len), is_dir, size };
	if (!e->name) {
		c->out_of_memory = true;
		return;
	}
	memcpy(e->name, name, len);
	l->count++;
}

long panda_dir_list(panda_handle_t dir, struct panda_dir_list *list)
{
	struct collector c = { .list = list };
	uint64_t cursor = 0;
	long rc;

	*list = (struct panda_dir_list){ 0 };
	while ((rc = panda_readdir(dir, &cursor, collect_entry, &c)) > 0)
		;
	if (rc == 0 && c.out_of_memory)
		rc = -ENOMEM;
	if (rc < 0)
		panda_dir_list_free(list);
	return rc;
}

void panda_dir_list_free(struct panda_dir_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->entries[i].name);
	free(list->entries);
	*list = (struct panda_dir_list){ 0 };
}

long panda_copy_file(const char *from, const struct panda_stat *src, const char *to,
		     bool remove_partial, const char **failed)
{
	struct panda_where out_at;
	struct panda_stat dst;
	bool on_write;

	*failed = to;
	long rc = panda_resolve(to, &out_at);
	if (rc < 0)
		return rc;
	*failed = NULL;
	if (panda_stat(out_at.dir, out_at.path, &dst) == 0 && !dst.is_dir &&
	    panda_same_file(src, &dst))
		return -EEXIST;
	*failed = from;
	long in = panda_open_path(from, OPEN_READ);
	if (in < 0)
		return in;
	*failed = to;
	long out = panda_open(out_at.dir, out_at.path, OPEN_WRITE | OPEN_CREATE | OPEN_TRUNCATE);
	if (out < 0) {
		panda_close((panda_handle_t)in);
		return out;
	}
	rc = panda_copy_data((panda_handle_t)in, (panda_handle_t)out, &on_write);
	panda_close((panda_handle_t)out);
	panda_close((panda_handle_t)in);
	if (rc < 0) {
		*failed = on_write ? to : from;
		if (remove_partial)
			panda_unlink(out_at.dir, out_at.path);
	}
	return rc;
}

int panda_each_into(const char *prog, const char *usage, int first, int argc, char **argv,
		    int (*fn)(const char *from, const char *to))
{
	struct panda_stat st = { 0 };

	if (argc - first < 2) {
		eprintf("%s: usage: %s\n", prog, usage);
		return 2;
	}
	const char *target = argv[argc - 1];
	struct panda_where at;
	long rc = panda_resolve(target, &at);
	if (rc == 0)
		rc = panda_stat(at.dir, at.path, &st);
	bool into = rc == 0 && st.is_dir;
	if (argc - first > 2 && !into)
		return complain(prog, target, rc < 0 ? (int)rc : -ENOTDIR);
	if (!into)
		return fn(argv[first], target);
	int status = 0;
	for (int i = first; i < argc - 1; i++) {
		size_t len;
		const char *name = panda_path_last(argv[i], &len);
		char *to = panda_path_join(target, name, len);

		if (!to) {
			status |= complain(prog, argv[i], -ENOMEM);
			continue;
		}
		status |= fn(argv[i], to);
		free(to);
	}
	return status;
}
