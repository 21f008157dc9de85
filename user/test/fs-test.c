/* Files and directories from user space, run as init (it holds the root,
 * console and working-directory handles). Every request of the directory
 * and file protocols (docs/protocols.md) is driven through its success and
 * its documented errors; then rights (a read-only handle cannot write, a
 * directory handle without RIGHT_WRITE cannot create), `..` (resolved on
 * the text; what makes or removes an entry needs its name), libpanda's
 * resolver, confinement (a process handed only /tmp cannot reach /bin by
 * any path, `..` chains included, and what it makes through them lands in
 * /tmp; NUL bytes and over-long paths are refused), unlink while open,
 * rename over an existing file, filling /tmp to ENOSPC and recovering,
 * 3,000 random requests, the per-process handle limit, and finally that
 * /tmp holds exactly what it held before. Each check prints `fs-test: ok
 * NAME` or `fs-test: FAIL NAME: detail`; the last line counts the checks
 * passed, and the exit status is 0 only when none failed.
 *
 * `fs-test fill-root` fills the root filesystem (limited only by memory)
 * until ENOSPC, checks the system still works, and frees it again.
 *
 * `fs-test confined [pwd]` is the other half of the confinement check:
 * spawned with a handle to /tmp as its root and working directory (and
 * with `pwd`, PWD "/"), it tries every way it can think of to reach /bin,
 * through the kernel and through libpanda, and exits with the number that
 * worked. */
#include <stdbool.h>

#include "lib/bson.h"
#include "panda.h"
#include "verdict.h"
#include "xorshift.h"

#define WORK		"/tmp/fs-test"
#define HANDLE_MAX	4096	/* per process: docs/syscalls.md */

static panda_handle_t root, console;

static uint8_t pattern[1 << 20];	/* the 1 MiB file's bytes */
static uint8_t buf[PANDA_IO_MAX];

/* --- helpers ------------------------------------------------------------ */

static long create_file(panda_handle_t dir, const char *path, const void *data, size_t len)
{
	long f = panda_open(dir, path, OPEN_WRITE | OPEN_CREATE | OPEN_TRUNCATE);

	if (f < 0)
		return f;
	long n = len ? panda_write((panda_handle_t)f, data, len) : 0;
	panda_close((panda_handle_t)f);
	return n < 0 ? n : (size_t)n == len ? 0 : -EIO;
}

/* The whole content of path (at most sizeof(buf) bytes) into buf. */
static long read_file(panda_handle_t dir, const char *path)
{
	long f = panda_open(dir, path, OPEN_READ);

	if (f < 0)
		return f;
	long n = panda_read((panda_handle_t)f, buf, sizeof(buf));
	panda_close((panda_handle_t)f);
	return n;
}

static bool file_has(panda_handle_t dir, const char *path, const void *want, size_t len)
{
	return read_file(dir, path) == (long)len && memcmp(buf, want, len) == 0;
}

static bool file_is(panda_handle_t dir, const char *path, const char *want)
{
	return file_has(dir, path, want, strlen(want));
}

/* A request with a raw path (one that may hold NUL bytes), or none when
 * path is NULL. */
static long raw_path_op(panda_handle_t dir, const char *op, const char *path, size_t len)
{
	static uint8_t req[2048];
	const uint8_t *reply;
	struct bson_builder b;
	panda_handle_t h = PANDA_HANDLE_NONE;

	bson_build_init(&b, req, sizeof(req));
	bson_append_cstr(&b, "op", op);
	if (path)
		bson_append_utf8(&b, "path", path, len);
	long rc = panda_fs_call(dir, req, bson_build_finish(&b), &reply, &h);
	if (h)
		panda_close(h);
	return rc;
}

/* A number from dir's statfs reply ("used_bytes", "max_bytes"). */
static long statfs_field(panda_handle_t dir, const char *key)
{
	static uint8_t req[64];
	const uint8_t *reply;
	struct bson_builder b;
	struct bson_iter it;
	int64_t used;

	bson_build_init(&b, req, sizeof(req));
	bson_append_cstr(&b, "op", "statfs");
	long rc = panda_fs_call(dir, req, bson_build_finish(&b), &reply, NULL);
	if (rc < 0)
		return rc;
	return bson_find(reply, key, &it) && bson_iter_integer(&it, &used) ? used : -EBADMSG;
}

static long statfs_used(panda_handle_t dir)
{
	return statfs_field(dir, "used_bytes");
}

/* --- directories -------------------------------------------------------- */

static void check_directories(panda_handle_t w)
{
	struct panda_stat st;

	verdict_expect("mkdir", panda_mkdir(w, "d"), 0);
	verdict_expect("mkdir-exists-eexist", panda_mkdir(w, "d"), -EEXIST);
	verdict_expect("mkdir-nested", panda_mkdir(w, "d/e"), 0);
	verdict_expect("mkdir-missing-parent-enoent", panda_mkdir(w, "nope/e"), -ENOENT);
	verdict_expect("mkdir-trailing-slash", panda_mkdir(w, "d/f/"), 0);
	verdict_expect("stat-dir", panda_stat(w, "d", &st), 0);
	verdict("stat-dir-fields", st.is_dir && st.size == 2 && st.nlink == 4 && st.ino > 0 &&
				   st.ctime > 0, "dir %d size %lu nlink %lu", st.is_dir,
		(unsigned long)st.size, (unsigned long)st.nlink);
	verdict_expect("stat-handle-itself", panda_stat(w, "", &st), 0);
	verdict("stat-handle-itself-is-dir", st.is_dir, "not a directory");

	verdict_expect("create-file", create_file(w, "d/file", "x", 1), 0);
	verdict_expect("mkdir-under-file-enotdir", panda_mkdir(w, "d/file/sub"), -ENOTDIR);
	verdict_expect("rmdir-nonempty-enotempty", panda_rmdir(w, "d"), -ENOTEMPTY);
	verdict_expect("rmdir-file-enotdir", panda_rmdir(w, "d/file"), -ENOTDIR);
	verdict_expect("unlink-dir-eisdir", panda_unlink(w, "d/e"), -EISDIR);
	verdict_expect("unlink-dir-slash-eisdir", panda_unlink(w, "d/e/"), -EISDIR);
	verdict_expect("unlink-file-slash-enotdir", panda_unlink(w, "d/file/"), -ENOTDIR);
	verdict_expect("unlink-missing-slash-enoent", panda_unlink(w, "d/none/"), -ENOENT);
	verdict_expect("rmdir-empty", panda_rmdir(w, "d/e"), 0);
	verdict_expect("rmdir-gone-enoent", panda_rmdir(w, "d/e"), -ENOENT);
	verdict_expect("rmdir-self-ebusy", panda_rmdir(w, ""), -EBUSY);

	long h = panda_open(w, "d", OPEN_READ | OPEN_DIRECTORY);
	verdict_expect_ok("open-directory", h);
	if (h > 0) {
		panda_handle_t d = (panda_handle_t)h;
		verdict_expect("open-through-subdir-handle", file_is(d, "file", "x"), true);
		verdict_expect("stat-through-subdir-handle", panda_stat(d, "f", &st), 0);
		verdict_expect("subdir-handle-read-only-mkdir-eacces", panda_mkdir(d, "g"), -EACCES);
		panda_close(d);
	}
	verdict_expect("open-dir-without-flag-eisdir", panda_open(w, "d", OPEN_READ), -EISDIR);
	verdict_expect("open-file-as-dir-enotdir", panda_open(w, "d/file", OPEN_READ | OPEN_DIRECTORY),
	       -ENOTDIR);
	verdict_expect("open-file-trailing-slash-enotdir", panda_open(w, "d/file/", OPEN_READ), -ENOTDIR);
	verdict_expect("open-missing-enoent", panda_open(w, "d/none", OPEN_READ), -ENOENT);
	verdict_expect("open-bad-flags-einval", panda_open(w, "d/file", 1u << 20), -EINVAL);
	verdict_expect("open-truncate-readonly-einval", panda_open(w, "d/file", OPEN_READ | OPEN_TRUNCATE),
	       -EINVAL);
	verdict_expect("open-exclusive-without-create-einval",
	       panda_open(w, "d/file", OPEN_WRITE | OPEN_EXCLUSIVE), -EINVAL);
	verdict_expect("create-exclusive-exists-eexist",
	       panda_open(w, "d/file", OPEN_WRITE | OPEN_CREATE | OPEN_EXCLUSIVE), -EEXIST);
	verdict_expect("create-over-dir-eisdir", panda_open(w, "d/f", OPEN_WRITE | OPEN_CREATE), -EISDIR);
	verdict_expect("unlink-file", panda_unlink(w, "d/file"), 0);
	verdict_expect("unlink-again-enoent", panda_unlink(w, "d/file"), -ENOENT);
	verdict_expect("rmdir-nested", panda_rmdir(w, "d/f"), 0);
	verdict_expect("rmdir-now-empty", panda_rmdir(w, "d"), 0);
}

/* ".." steps back on the path's text, and a request that makes or removes
 * an entry by name refuses a path that ends in none ("", "x/..", "x/."). */
static void check_dot_dot(panda_handle_t w)
{
	struct panda_stat st, self;

	panda_mkdir(w, "dd");
	panda_mkdir(w, "dd/sub");
	create_file(w, "dd/f", "dot", 3);
	verdict("dotdot-open-through", file_is(w, "dd/sub/../f", "dot"), "wrong content");
	verdict("dotdot-open-in-and-out", file_is(w, "dd/../dd/./sub/..//f", "dot"), "wrong content");
	panda_stat(w, "", &self);
	verdict_expect("dotdot-stat-back-at-the-handle", panda_stat(w, "dd/sub/../..", &st), 0);
	verdict("dotdot-stat-is-the-handle", panda_same_file(&st, &self), "another directory");
	verdict_expect("dotdot-empty-components-skipped", panda_stat(w, "dd//sub//", &st), 0);
	verdict_expect("dotdot-relative-climb-eoutside", panda_stat(w, "..", &st), -EOUTSIDE);
	verdict_expect("dotdot-out-and-back-eoutside", panda_stat(w, "dd/../../fs-test/dd", &st),
		       -EOUTSIDE);
	verdict_expect("dotdot-absolute-stays-at-the-handle", panda_stat(w, "/../../dd/f", &st), 0);
	verdict_expect("dotdot-file-trailing-enotdir", panda_open(w, "dd/f/x/..", OPEN_READ),
		       -ENOTDIR);
	/* Making or removing needs a name: these name a directory by where
	 * it is, and do nothing. */
	verdict_expect("dotdot-mkdir-eexist", panda_mkdir(w, "dd/sub/.."), -EEXIST);
	verdict_expect("dotdot-mkdir-through-missing-enoent", panda_mkdir(w, "nope/b/.."), -ENOENT);
	verdict_expect("dotdot-mkdir-made-nothing", panda_stat(w, "nope", &st), -ENOENT);
	verdict_expect("dotdot-mkdir-dot-enoent", panda_mkdir(w, "dd/new/."), -ENOENT);
	verdict_expect("dotdot-mkdir-file-dot-enotdir", panda_mkdir(w, "dd/f/."), -ENOTDIR);
	verdict_expect("dotdot-unlink-eisdir", panda_unlink(w, "dd/f/.."), -EISDIR);
	verdict_expect("dotdot-unlink-self-eisdir", panda_unlink(w, ""), -EISDIR);
	verdict_expect("dotdot-rmdir-ebusy", panda_rmdir(w, "dd/sub/.."), -EBUSY);
	verdict_expect("dotdot-rmdir-handle-ebusy", panda_rmdir(w, "dd/.."), -EBUSY);
	verdict_expect("dotdot-rmdir-kept-sub", panda_stat(w, "dd/sub", &st), 0);
	verdict_expect("dotdot-create-over-dir-eisdir",
		       panda_open(w, "dd/sub/..", OPEN_WRITE | OPEN_CREATE), -EISDIR);
	verdict_expect("dotdot-mkdir-by-name", panda_mkdir(w, "dd/sub/../made"), 0);
	verdict_expect("dotdot-rmdir-by-name", panda_rmdir(w, "dd/./sub/../made/"), 0);
	verdict_expect("dotdot-unlink-by-name", panda_unlink(w, "dd/sub/../f"), 0);
	verdict_expect("dotdot-cleanup-sub", panda_rmdir(w, "dd/sub"), 0);
	verdict_expect("dotdot-cleanup", panda_rmdir(w, "dd"), 0);
}

/* libpanda's resolver: what each utility sends for what a person typed.
 * As init, fs-test has PWD "/"; spawned bare (the kernel's leak test) it
 * has none, and every path that climbs is refused. */
static void check_resolve(void)
{
	static const struct {
		const char *typed, *sent;
		bool through_root;
	} cases[] = {
		{ "../etc/motd", "/etc/motd", true },
		{ "../../..", "/.", true },		/* ends in no name: kept so */
		{ "a/../../b/", "/b/", true },
		{ "../tmp/./x/..", "/tmp/.", true },
		{ "../tmp/.", "/tmp/.", true },
		{ "a/../b", "a/../b", false },		/* stays beneath: sent as typed */
		{ "bin//hello", "bin//hello", false },
		{ "/bin/../etc", "/bin/../etc", true },	/* the kernel keeps "/.." at "/" */
	};
	struct panda_where at;
	char name[64];

	if (!panda_getenv("PWD")) {
		verdict_expect("resolve-climbing-without-pwd-eoutside",
			       panda_resolve("a/../../etc/motd", &at), -EOUTSIDE);
		verdict_expect("resolve-from-root-without-pwd-eoutside",
			       panda_resolve_from_root("a", &at), -EOUTSIDE);
		verdict_expect("resolve-beneath-without-pwd", panda_resolve("a/../b", &at), 0);
		return;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		at.path[0] = '\0';
		long rc = panda_resolve(cases[i].typed, &at);
		panda_handle_t want = cases[i].through_root ? panda_root() : panda_cwd();
		snprintf(name, sizeof(name), "resolve %s", cases[i].typed);
		verdict(name, rc == 0 && strcmp(at.path, cases[i].sent) == 0 && at.dir == want,
			"%s: \"%s\" through %s", verdict_err_text(rc), at.path,
			at.dir == panda_root() ? "the root" : "another handle");
	}
	at.path[0] = '\0';
	verdict("resolve-from-root", panda_resolve_from_root("a/./b", &at) == 0 &&
					     strcmp(at.path, "/a/b") == 0 && at.dir == panda_root(),
		"gave %s", at.path);
	long rc = panda_resolve("../tmp/x/..", &at);
	verdict_expect("resolve-unnamed-mkdir-eexist", rc < 0 ? rc : panda_mkdir(at.dir, at.path),
		       -EEXIST);
	rc = panda_resolve("../tmp/nope/x/..", &at);
	verdict_expect("resolve-unnamed-rmdir-enoent", rc < 0 ? rc : panda_rmdir(at.dir, at.path),
		       -ENOENT);
	verdict_expect("resolve-reads-the-file", panda_resolve("../etc/panda-release", &at), 0);
	verdict("resolve-read-the-file", read_file(at.dir, at.path) > 9 &&
					     memcmp(buf, "Panda OS ", 9) == 0, "cannot read %s", at.path);
}

/* readdir over more entries than one reply holds: every one exactly once. */
struct listing {
	unsigned seen[400];
	unsigned count, dirs, bad;
};

static void note_entry(void *ctx, const char *name, bool is_dir, uint64_t size)
{
	struct listing *l = ctx;
	long i = 0;

	for (const char *c = name + 1; *c >= '0' && *c <= '9'; c++)
		i = i * 10 + (*c - '0');
	if (name[0] != 'n' || name[1] < '0' || name[1] > '9')
		i = -1;

	l->count++;
	if (is_dir) {
		l->dirs++;
		return;
	}
	if (i < 0 || i >= 400 || size != (uint64_t)i % 7)
		l->bad++;
	else
		l->seen[i]++;
}

static void check_readdir(panda_handle_t w)
{
	static struct listing l;
	char name[48];
	unsigned batches = 0, once = 0;
	long rc = 0;

	panda_mkdir(w, "many");
	long h = panda_open(w, "many", OPEN_READ | OPEN_WRITE | OPEN_DIRECTORY);
	if (!verdict_expect_ok("readdir-open-dir", h))
		return;
	panda_handle_t d = (panda_handle_t)h;
	for (int i = 0; i < 400 && rc == 0; i++) {
		snprintf(name, sizeof(name), "n%d-with-a-longer-name-to-fill-batches", i);
		rc = create_file(d, name, "0123456", (size_t)(i % 7));
	}
	verdict_expect("readdir-create-400", rc, 0);
	panda_mkdir(d, "subdir");
	uint64_t cursor = 0;
	while ((rc = panda_readdir(d, &cursor, note_entry, &l)) > 0)
		batches++;
	verdict_expect("readdir-ends-cleanly", rc, 0);
	for (int i = 0; i < 400; i++)
		once += l.seen[i] == 1;
	verdict("readdir-every-entry-once", once == 400 && l.bad == 0 && l.dirs == 1 &&
						    l.count == 401,
		"%u of 400 once, %u bad, %u dirs, %u in all", once, l.bad, l.dirs, l.count);
	verdict("readdir-several-batches", batches > 1, "%u batches", batches);
	cursor = 0;
	l.count = 0;
	panda_readdir(d, &cursor, note_entry, &l);
	verdict_expect("readdir-resumes-after-removal", panda_unlink(d, "n399-with-a-longer-name-to-fill-batches"), 0);
	while (panda_readdir(d, &cursor, note_entry, &l) > 0)
		;
	verdict_expect("readdir-removed-entry-not-listed", l.count, 400);
	for (int i = 0; i < 399; i++) {
		snprintf(name, sizeof(name), "n%d-with-a-longer-name-to-fill-batches", i);
		panda_unlink(d, name);
	}
	panda_rmdir(d, "subdir");
	cursor = 0;
	verdict_expect("readdir-empty", panda_readdir(d, &cursor, NULL, NULL), 0);
	create_file(d, "plain", "", 0);
	long f = panda_open(d, "plain", OPEN_READ);
	verdict_expect("readdir-on-file-enosys", panda_readdir((panda_handle_t)f, &cursor, NULL, NULL),
	       -ENOSYS);
	panda_close((panda_handle_t)f);
	panda_unlink(d, "plain");
	panda_close(d);
	verdict_expect("readdir-cleanup", panda_rmdir(w, "many"), 0);
}

/* --- files ---------------------------------------------------------------- */

static void check_files(panda_handle_t w)
{
	struct panda_stat st;
	long h = panda_open(w, "f", OPEN_READ | OPEN_WRITE | OPEN_CREATE);

	if (!verdict_expect_ok("file-create", h))
		return;
	panda_handle_t f = (panda_handle_t)h;
	verdict_expect("write", panda_write(f, "hello, world", 12), 12);
	verdict_expect("read-at-end-zero", panda_read(f, buf, 10), 0);
	verdict_expect("seek-set", panda_seek(f, 0, "set"), 0);
	verdict_expect("read", panda_read(f, buf, 5), 5);
	verdict("read-bytes", memcmp(buf, "hello", 5) == 0, "wrong bytes");
	verdict_expect("seek-cur", panda_seek(f, 2, "cur"), 7);
	verdict_expect("read-rest", panda_read(f, buf, 100), 5);
	verdict("read-rest-bytes", memcmp(buf, "world", 5) == 0, "wrong bytes");
	verdict_expect("seek-end", panda_seek(f, -5, "end"), 7);
	verdict_expect("seek-before-start-einval", panda_seek(f, -13, "end"), -EINVAL);
	verdict_expect("seek-to-start-from-end", panda_seek(f, -12, "end"), 0);
	verdict_expect("seek-back", panda_seek(f, 7, "set"), 7);
	verdict_expect("seek-bad-whence-einval", panda_seek(f, 0, "middle"), -EINVAL);
	verdict_expect("pwrite-past-end", panda_pwrite(f, "!", 1, 20), 1);
	verdict_expect("pread-hole", panda_pread(f, buf, 9, 12), 9);
	verdict("hole-reads-zeros", buf[0] == 0 && buf[7] == 0 && buf[8] == '!', "not zeros");
	verdict_expect("pread-leaves-offset", panda_seek(f, 0, "cur"), 7);
	verdict_expect("fstat", panda_fstat(f, &st), 0);
	verdict("fstat-fields", !st.is_dir && st.size == 21 && st.nlink == 1 && st.blocks == 1,
		"size %lu nlink %lu blocks %lu", (unsigned long)st.size, (unsigned long)st.nlink,
		(unsigned long)st.blocks);
	uint64_t mtime = st.mtime;
	panda_sleep_ns(2000000);
	panda_write(f, "x", 1);
	panda_fstat(f, &st);
	verdict("write-moves-mtime", st.mtime > mtime && st.mtime > 1600000000ull * 1000000000ull,
		"mtime %lu then %lu", (unsigned long)mtime, (unsigned long)st.mtime);
	verdict_expect("truncate-shrink", panda_truncate(f, 5), 0);
	verdict_expect("truncate-grow", panda_truncate(f, 8), 0);
	verdict_expect("pread-after-truncate", panda_pread(f, buf, 100, 0), 8);
	verdict("truncate-zero-fills", memcmp(buf, "hello\0\0\0", 8) == 0, "old bytes came back");
	verdict_expect("truncate-negative-einval", panda_truncate(f, (uint64_t)-1), -EINVAL);
	verdict_expect("write-past-max-size-einval", panda_pwrite(f, "x", 1, 1ull << 30), -EINVAL);
	verdict_expect("sync", panda_sync(f), 0);
	verdict_expect("file-mkdir-enosys", panda_mkdir(f, "x"), -ENOSYS);
	panda_close(f);

	h = panda_open(w, "f", OPEN_WRITE | OPEN_APPEND);
	if (verdict_expect_ok("open-append", h)) {
		panda_pwrite((panda_handle_t)h, "ABC", 3, 0);	/* explicit offset wins */
		verdict_expect("append-write", panda_write((panda_handle_t)h, "++", 2), 2);
		panda_close((panda_handle_t)h);
	}
	verdict("append-goes-to-end", file_has(w, "f", "ABClo\0\0\0++", 10), "wrong content");

	h = panda_open(w, "f", OPEN_WRITE | OPEN_TRUNCATE);
	if (verdict_expect_ok("open-truncate", h))
		panda_close((panda_handle_t)h);
	verdict_expect("truncated-on-open", panda_stat(w, "f", &st) == 0 && st.size == 0, true);

	/* 1 MiB in 4 KiB pieces, read back and compared. */
	for (size_t i = 0; i < sizeof(pattern); i++)
		pattern[i] = (uint8_t)(i * 7 + (i >> 12));
	h = panda_open(w, "big", OPEN_READ | OPEN_WRITE | OPEN_CREATE);
	if (verdict_expect_ok("big-create", h)) {
		f = (panda_handle_t)h;
		long bad = 0;
		for (size_t off = 0; off < sizeof(pattern); off += 4096)
			bad += panda_write(f, pattern + off, 4096) != 4096;
		verdict_expect("big-writes", bad, 0);
		panda_seek(f, 0, "set");
		for (size_t off = 0; off < sizeof(pattern); off += 4096)
			bad += panda_read(f, buf, 4096) != 4096 || memcmp(buf, pattern + off, 4096);
		verdict_expect("big-reads-match", bad, 0);
		verdict_expect("big-large-read", panda_pread(f, buf, sizeof(buf), 4096), (long)sizeof(buf));
		verdict("big-large-read-bytes", memcmp(buf, pattern + 4096, sizeof(buf)) == 0,
			"wrong bytes");
		panda_close(f);
	}
	verdict_expect("big-unlink", panda_unlink(w, "big"), 0);
	verdict_expect("f-unlink", panda_unlink(w, "f"), 0);
}

static void check_unlink_while_open(panda_handle_t w)
{
	struct panda_stat st;

	create_file(w, "ghost", "still here", 10);
	long h = panda_open(w, "ghost", OPEN_READ | OPEN_WRITE);
	if (!verdict_expect_ok("ghost-open", h))
		return;
	panda_handle_t f = (panda_handle_t)h;
	verdict_expect("ghost-unlink", panda_unlink(w, "ghost"), 0);
	verdict_expect("ghost-name-gone", panda_open(w, "ghost", OPEN_READ), -ENOENT);
	verdict_expect("ghost-still-readable", panda_pread(f, buf, 100, 0), 10);
	verdict("ghost-bytes", memcmp(buf, "still here", 10) == 0, "wrong bytes");
	verdict_expect("ghost-still-writable", panda_pwrite(f, "!", 1, 10), 1);
	verdict_expect("ghost-fstat", panda_fstat(f, &st), 0);
	verdict("ghost-nlink-0", st.nlink == 0 && st.size == 11, "nlink %lu size %lu",
		(unsigned long)st.nlink, (unsigned long)st.size);
	verdict_expect("ghost-new-file-same-name", create_file(w, "ghost", "new", 3), 0);
	verdict_expect("ghost-old-handle-unchanged", panda_pread(f, buf, 100, 0), 11);
	panda_close(f);
	verdict_expect("ghost-cleanup", panda_unlink(w, "ghost"), 0);
}

static void check_rename(panda_handle_t w)
{
	long h;

	panda_mkdir(w, "r1");
	panda_mkdir(w, "r2");
	create_file(w, "r1/a", "A", 1);
	create_file(w, "r1/b", "B", 1);
	verdict_expect("rename-within", panda_rename(w, "r1/a", "r1/a2"), 0);
	verdict_expect("rename-source-gone", panda_open(w, "r1/a", OPEN_READ), -ENOENT);
	verdict("rename-target-content", file_is(w, "r1/a2", "A"), "wrong content");
	verdict_expect("rename-across-dirs", panda_rename(w, "r1/a2", "r2/a"), 0);
	verdict("rename-across-content", file_is(w, "r2/a", "A"), "wrong content");

	/* Over an existing file: the name never disappears, and a handle
	 * to the replaced file keeps its bytes. */
	h = panda_open(w, "r1/b", OPEN_READ);
	verdict_expect("rename-over-existing", panda_rename(w, "r2/a", "r1/b"), 0);
	verdict("rename-over-existing-content", file_is(w, "r1/b", "A"), "wrong content");
	if (h > 0) {
		verdict_expect("rename-replaced-still-open", panda_pread((panda_handle_t)h, buf, 10, 0), 1);
		verdict("rename-replaced-bytes", buf[0] == 'B', "got %c", buf[0]);
		panda_close((panda_handle_t)h);
	}
	verdict_expect("rename-onto-itself", panda_rename(w, "r1/b", "r1/b"), 0);
	verdict_expect("rename-missing-enoent", panda_rename(w, "r1/none", "r1/x"), -ENOENT);
	panda_mkdir(w, "r1/sub");
	create_file(w, "r1/sub/inner", "i", 1);
	panda_mkdir(w, "r2/emptydir");
	verdict_expect("rename-file-over-dir-eisdir", panda_rename(w, "r1/b", "r2/emptydir"), -EISDIR);
	verdict_expect("rename-dir-over-file-enotdir", panda_rename(w, "r2/emptydir", "r1/b"), -ENOTDIR);
	verdict_expect("rename-dir-over-nonempty-enotempty", panda_rename(w, "r2/emptydir", "r1"),
	       -ENOTEMPTY);
	verdict_expect("rename-dir-into-itself-einval", panda_rename(w, "r1", "r1/sub/r1"), -EINVAL);
	verdict_expect("rename-dir-over-empty-dir", panda_rename(w, "r1/sub", "r2/emptydir"), 0);
	verdict("rename-dir-moves-contents", file_is(w, "r2/emptydir/inner", "i"), "lost");
	verdict_expect("rename-across-filesystems-exdev", panda_rename(root, "tmp/fs-test/r1/b", "etc/b"),
	       -EXDEV);
	verdict_expect("rename-mount-point-ebusy", panda_rename(root, "tmp", "tmp2"), -EBUSY);
	verdict_expect("rmdir-mount-point-ebusy", panda_rmdir(root, "tmp"), -EBUSY);
	verdict_expect("rename-climbing-out-eoutside", panda_rename(w, "r1/b", "../b"), -EOUTSIDE);
	verdict_expect("rename-onto-the-directory-ebusy", panda_rename(w, "r1/b", ""), -EBUSY);
	verdict_expect("rename-onto-dotdot-ebusy", panda_rename(w, "r1/b", "r2/.."), -EBUSY);
	verdict_expect("rename-dotdot-away-ebusy", panda_rename(w, "r1/sub/..", "r3"), -EBUSY);
	verdict_expect("rename-through-dotdot", panda_rename(w, "r1/../r1/b", "r2/../r1/b2"), 0);
	verdict("rename-through-dotdot-content", file_is(w, "r1/b2", "A"), "wrong content");
	verdict_expect("rename-through-dotdot-back", panda_rename(w, "r1/b2", "r1/b"), 0);
	panda_unlink(w, "r2/emptydir/inner");
	panda_rmdir(w, "r2/emptydir");
	panda_unlink(w, "r1/b");
	verdict_expect("rename-cleanup-r1", panda_rmdir(w, "r1"), 0);
	verdict_expect("rename-cleanup-r2", panda_rmdir(w, "r2"), 0);
}

/* --- rights ---------------------------------------------------------- */

static void check_rights(panda_handle_t w)
{
	create_file(w, "ro", "read only", 9);
	long h = panda_open(w, "ro", OPEN_READ);
	if (verdict_expect_ok("rights-open-read", h)) {
		panda_handle_t f = (panda_handle_t)h;
		verdict_expect("rights-readonly-write-eacces", panda_write(f, "x", 1), -EACCES);
		verdict_expect("rights-readonly-truncate-eacces", panda_truncate(f, 0), -EACCES);
		verdict_expect("rights-readonly-read", panda_read(f, buf, 4), 4);
		panda_close(f);
	}
	h = panda_open(w, "ro", OPEN_WRITE);
	if (verdict_expect_ok("rights-open-write", h)) {
		verdict_expect("rights-writeonly-read-eacces", panda_read((panda_handle_t)h, buf, 4),
		       -EACCES);
		panda_close((panda_handle_t)h);
	}
	/* A read-only view of the working directory: it reads, never changes. */
	long ro = panda_dup(w, RIGHT_SEND | RIGHT_READ | RIGHT_DUP);
	if (verdict_expect_ok("rights-dup-readonly-dir", ro)) {
		panda_handle_t d = (panda_handle_t)ro;
		verdict("rights-readonly-dir-reads", file_is(d, "ro", "read only"), "cannot read");
		verdict_expect("rights-readonly-dir-create-eacces",
		       panda_open(d, "new", OPEN_WRITE | OPEN_CREATE), -EACCES);
		verdict_expect("rights-readonly-dir-open-write-eacces", panda_open(d, "ro", OPEN_WRITE),
		       -EACCES);
		verdict_expect("rights-readonly-dir-mkdir-eacces", panda_mkdir(d, "x"), -EACCES);
		verdict_expect("rights-readonly-dir-unlink-eacces", panda_unlink(d, "ro"), -EACCES);
		verdict_expect("rights-readonly-dir-rename-eacces", panda_rename(d, "ro", "ro2"), -EACCES);
		long sub = panda_open(d, "", OPEN_READ | OPEN_WRITE | OPEN_DIRECTORY);
		verdict_expect("rights-cannot-widen-by-reopening", sub, -EACCES);
		const char *argv[] = { "/test/hello" };
		struct panda_spawn s = { .dir = d, .path = "/test/hello", .argv = argv, .argc = 1 };
		verdict_expect("rights-spawn-needs-spawn-right", panda_spawn(&s), -EACCES);
		panda_close(d);
	}
	long none = panda_dup(w, RIGHT_SEND);
	if (verdict_expect_ok("rights-dup-no-read", none)) {
		struct panda_stat st;
		verdict_expect("rights-no-read-stat-eacces", panda_stat((panda_handle_t)none, "ro", &st),
		       -EACCES);
		verdict_expect("rights-no-read-open-eacces",
		       panda_open((panda_handle_t)none, "ro", OPEN_READ), -EACCES);
		panda_close((panda_handle_t)none);
	}
	long nosend = panda_dup(w, RIGHT_READ);
	if (verdict_expect_ok("rights-dup-no-send", nosend)) {
		verdict_expect("rights-no-send-eacces", panda_mkdir((panda_handle_t)nosend, "x"), -EACCES);
		panda_close((panda_handle_t)nosend);
	}
	verdict_expect("rights-cleanup", panda_unlink(w, "ro"), 0);
}

/* --- confinement ------------------------------------------------------- */

/* Ways out of /tmp, each tried by a child handed only /tmp, as written
 * (through the kernel) and through libpanda's resolver. */
static const char *const escapes[] = {
	"../../bin/init", "../bin/init", "..", "/..", "./../bin", "bin/../../bin/init",
	"/bin/init", "bin/init", "//bin/init", "/tmp/../bin/init", "%2e%2e/bin/init",
	"..\\bin\\init", ".../bin/init", "/etc/motd", "etc/motd", "../test/hello", "../../..",
	"a/../../bin", "/../test/hello", "/../../../etc/motd", "//..//../bin", "./.././../etc",
	"fs-test/../../bin/init", "/fs-test/../../../bin/init", "../tmp/../../bin",
	"bin//../../bin", "../../../../../../../../../../../../../../../../etc/motd",
};

/* Whether path through dir names anything but the confined child's /tmp
 * itself (self): no file in /tmp has any of the names tried, so any file
 * opened is out, and so is any directory but /tmp. */
static bool reaches_out(panda_handle_t dir, const char *path, const struct panda_stat *self)
{
	struct panda_stat st;
	long f = panda_open(dir, path, OPEN_READ);
	long d = panda_open(dir, path, OPEN_READ | OPEN_DIRECTORY);
	bool out = f >= 0;

	if (f >= 0)
		panda_close((panda_handle_t)f);
	if (d >= 0) {
		out |= panda_fstat((panda_handle_t)d, &st) < 0 || !panda_same_file(&st, self);
		panda_close((panda_handle_t)d);
	}
	return out || (panda_stat(dir, path, &st) == 0 && !panda_same_file(&st, self));
}

/* Whether spawning path through dir started anything (it must not: there
 * is no /tmp/test/hello). */
static bool spawns(panda_handle_t dir, const char *path)
{
	const char *argv[] = { path };
	struct panda_spawn s = { .dir = dir, .path = path, .argv = argv, .argc = 1 };
	long p = panda_spawn(&s);

	if (p < 0)
		return false;
	printf("fs-test: confined: spawned %s\n", path);
	panda_close((panda_handle_t)p);
	return true;
}

/* Run as `fs-test confined` with /tmp as root and cwd and no PWD, or as
 * `fs-test confined pwd` with PWD "/" too: the number of ways that reached
 * out of /tmp. Files made through climbing paths are left for the parent
 * to find in /tmp. */
static int confined(bool has_pwd)
{
	panda_handle_t mine = panda_root();
	struct panda_stat self;
	struct panda_where at;
	int escaped = 0;

	if (panda_stat(mine, "", &self) < 0)
		return 100;
	for (unsigned i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		const char *e = escapes[i];
		bool out = reaches_out(mine, e, &self);
		long rc = panda_resolve(e, &at);

		if (rc == 0)
			out |= reaches_out(at.dir, at.path, &self);
		else if (has_pwd || rc != -EOUTSIDE)	/* without PWD, climbing is refused */
			out = true;
		if (out) {
			printf("fs-test: confined: reached %s (resolved: %s)\n", e, verdict_err_text(rc));
			escaped++;
		}
	}
	escaped += spawns(mine, "/test/hello") + spawns(mine, "../test/hello") +
		   spawns(mine, "/../test/hello") + spawns(mine, "a/../../test/hello");
	if (panda_resolve("../test/hello", &at) == 0)
		escaped += spawns(at.dir, at.path);
	/* What is made through a climbing path lands in /tmp. */
	if (create_file(mine, "/../../confined-up", "up", 2) != 0 ||
	    !file_is(mine, "confined-up", "up")) {
		printf("fs-test: confined: /../../confined-up is not in its directory\n");
		escaped++;
	}
	long rc = panda_resolve("../../confined-rel", &at);
	if (has_pwd ? rc != 0 || create_file(at.dir, at.path, "rel", 3) != 0 ||
			      !file_is(mine, "confined-rel", "rel")
		    : rc != -EOUTSIDE) {
		printf("fs-test: confined: ../../confined-rel gave %s\n", verdict_err_text(rc));
		escaped++;
	}
	/* Its own subtree stays usable. */
	if (create_file(mine, "confined-was-here", "yes", 3) != 0 ||
	    panda_unlink(mine, "confined-was-here") != 0) {
		printf("fs-test: confined: cannot use its own directory\n");
		escaped++;
	}
	return escaped;
}

/* Starts `fs-test confined` with only tmp, as root and working directory,
 * and PWD "/" when with_pwd; checks it found no way out and that what it
 * made through climbing paths is in /tmp, not the root. */
static void run_confined(panda_handle_t tmp, bool with_pwd)
{
	static uint8_t doc[256];
	struct bson_builder b;
	const char *argv[] = { "/test/fs-test", "confined", "pwd" };
	panda_handle_t grants[3] = { tmp, console, tmp };
	struct panda_spawn s = { .dir = root, .path = argv[0], .argv = argv, .argc = 2,
				 .handles = grants, .handle_count = 3 };
	struct panda_stat st;

	if (with_pwd) {
		bson_build_init(&b, doc, sizeof(doc));
		bson_begin_document(&b, "env");
		bson_append_cstr(&b, "PWD", "/");
		bson_end_document(&b);
		bson_begin_document(&b, "handles");
		bson_append_int32(&b, "root", 0);
		bson_append_int32(&b, "console", 1);
		bson_append_int32(&b, "cwd", 2);
		bson_end_document(&b);
		s.doc = doc;
		s.doc_size = bson_build_finish(&b);
		s.argc = 3;
	}
	long p = panda_spawn(&s);
	if (!verdict_expect_ok(with_pwd ? "confine-spawn-child-pwd" : "confine-spawn-child", p))
		return;
	struct panda_exit_status es;
	panda_process_wait((panda_handle_t)p, PANDA_DEADLINE_NEVER, &es);
	panda_close((panda_handle_t)p);
	verdict(with_pwd ? "confine-child-with-pwd-reaches-nothing-outside"
			 : "confine-child-reaches-nothing-outside",
		es.how == EXIT_NORMAL && es.code == 0, "%d escapes (how %u)", es.code, es.how);
	verdict_expect("confine-made-up-is-in-tmp", panda_unlink(root, "tmp/confined-up"), 0);
	verdict_expect("confine-made-up-not-at-root", panda_stat(root, "confined-up", &st), -ENOENT);
	if (with_pwd) {
		verdict_expect("confine-made-rel-is-in-tmp", panda_unlink(root, "tmp/confined-rel"), 0);
		verdict_expect("confine-made-rel-not-at-root", panda_stat(root, "confined-rel", &st),
			       -ENOENT);
	}
}

static void check_confinement(panda_handle_t w)
{
	char longpath[1100];
	char longname[300];
	struct panda_stat st;

	long t = panda_open(root, "tmp", OPEN_READ | OPEN_WRITE | OPEN_DIRECTORY);
	if (!verdict_expect_ok("confine-open-tmp", t))
		return;
	panda_handle_t tmp = (panda_handle_t)t;
	verdict_expect("confine-dotdot-eoutside", panda_open(tmp, "../../bin/init", OPEN_READ),
		       -EOUTSIDE);
	verdict_expect("confine-absolute-is-beneath", panda_open(tmp, "/bin/init", OPEN_READ), -ENOENT);
	verdict_expect("confine-absolute-dotdot-stays", panda_open(tmp, "/../bin/init", OPEN_READ),
		       -ENOENT);
	verdict_expect("confine-absolute-dotdots-stay",
		       panda_open(tmp, "/../../../../etc/motd", OPEN_READ), -ENOENT);
	verdict_expect("confine-empty-component-skipped", panda_stat(tmp, "fs-test//", &st), 0);
	verdict_expect("confine-nul-einval", raw_path_op(tmp, "open", "fs-test\0/../bin", 14), -EINVAL);
	memset(longpath, 'a', sizeof(longpath) - 1);
	for (size_t i = 100; i < sizeof(longpath) - 1; i += 101)
		longpath[i] = '/';
	longpath[sizeof(longpath) - 1] = 0;
	verdict_expect("confine-long-path-enametoolong", panda_open(tmp, longpath, OPEN_READ),
	       -ENAMETOOLONG);
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	verdict_expect("confine-long-name-enametoolong",
	       panda_open(w, longname, OPEN_WRITE | OPEN_CREATE), -ENAMETOOLONG);
	longname[255] = 0;
	verdict_expect("confine-255-byte-name-ok", create_file(w, longname, "", 0), 0);
	verdict_expect("confine-255-byte-name-unlink", panda_unlink(w, longname), 0);
	verdict_expect("request-missing-path-einval", raw_path_op(w, "mkdir", NULL, 0), -EINVAL);
	verdict_expect("request-path-not-string-einval", raw_path_op(w, "nonsense", "x", 1), -ENOSYS);
	verdict_expect("mkdir-empty-path-eexist", panda_mkdir(w, ""), -EEXIST);

	run_confined(tmp, false);
	run_confined(tmp, true);
	panda_close(tmp);
}

/* --- limits ------------------------------------------------------------- */

/* Writes a file until the filesystem is full: the bytes written, with the
 * error that stopped it in *err. */
static long fill(panda_handle_t f, long *err)
{
	long n, total = 0;

	memset(buf, 0x5a, sizeof(buf));
	while ((n = panda_write(f, buf, sizeof(buf))) == (long)sizeof(buf))
		total += n;
	if (n > 0) {		/* the short write that filled it */
		total += n;
		n = panda_write(f, buf, sizeof(buf));
	}
	*err = n;
	return total;
}

static void check_enospc(panda_handle_t w)
{
	long before = statfs_used(w), room = statfs_field(w, "max_bytes") - before;
	long h = panda_open(w, "fill", OPEN_WRITE | OPEN_CREATE);

	if (!verdict_expect_ok("enospc-open", h))
		return;
	panda_handle_t f = (panda_handle_t)h;
	long err, total = fill(f, &err);
	verdict_expect("enospc-when-full", err, -ENOSPC);
	verdict("enospc-after-the-room-is-used", total > room - room / 16, "%ld of %ld bytes",
		total, room);
	verdict_expect("enospc-create-fails-too", create_file(w, "more", "x", 1) == -ENOSPC ||
						  panda_mkdir(w, "more-dir") == -ENOSPC, true);
	panda_close(f);
	verdict_expect("enospc-unlink", panda_unlink(w, "fill"), 0);
	panda_unlink(w, "more");
	panda_rmdir(w, "more-dir");
	verdict_expect("enospc-memory-back", statfs_used(w), before);
	verdict_expect("enospc-writable-again", create_file(w, "after", "ok", 2), 0);
	panda_unlink(w, "after");
}

/* Random requests, well-formed BSON with nonsense in it (ops, field
 * types, paths, flags, lengths, offsets), to a directory and a file: every
 * one gets an answer, the kernel survives, and whatever they created is
 * removed by the caller's cleanup (fuzz/ is a directory of its own). */
static uint32_t fuzz_seed = 0x9e3779b9u;

static uint32_t fuzz_next(void)
{
	return xorshift32(&fuzz_seed);
}

static void fuzz_field(struct bson_builder *b, const char *key)
{
	static const char *const strings[] = {
		"", "a", "a/b", "../x", "/", "a//b", "fuzz", "x/", ".", "\xff", "big",
	};
	switch (fuzz_next() % 6) {
	case 0:
		bson_append_int32(b, key, (int32_t)fuzz_next());
		break;
	case 1:
		bson_append_int64(b, key, (int64_t)((uint64_t)fuzz_next() << 32 | fuzz_next()));
		break;
	case 2:
		bson_append_int64(b, key, (int64_t)(fuzz_next() % 70000) - 100);
		break;
	case 3:
		bson_append_cstr(b, key, strings[fuzz_next() % (sizeof(strings) / sizeof(strings[0]))]);
		break;
	case 4:
		bson_append_bool(b, key, fuzz_next() & 1);
		break;
	default:
		bson_append_binary(b, key, 0, "0123456789", fuzz_next() % 11);
		break;
	}
}

static void check_fuzzed_requests(panda_handle_t w)
{
	static const char *const ops[] = {
		"open", "mkdir", "unlink", "rmdir", "rename", "stat", "readdir", "statfs",
		"read", "write", "seek", "truncate", "sync", "nope", "",
	};
	static const char *const keys[] = {
		"path", "flags", "from", "to", "cursor", "len", "offset", "data", "whence", "size",
	};
	static uint8_t req[512];
	long bad = 0, calls = 0;

	panda_mkdir(w, "fuzz");
	long d = panda_open(w, "fuzz", OPEN_READ | OPEN_WRITE | OPEN_DIRECTORY);
	long f = panda_open(w, "fuzz/file", OPEN_READ | OPEN_WRITE | OPEN_CREATE);
	if (!verdict_expect_ok("fuzz-setup", d < 0 ? d : f))
		return;
	for (int i = 0; i < 3000; i++) {
		struct bson_builder b;
		const uint8_t *reply;
		panda_handle_t got = PANDA_HANDLE_NONE;
		bson_build_init(&b, req, sizeof(req));
		bson_append_cstr(&b, "op", ops[fuzz_next() % (sizeof(ops) / sizeof(ops[0]))]);
		for (unsigned n = fuzz_next() % 5; n; n--)
			fuzz_field(&b, keys[fuzz_next() % (sizeof(keys) / sizeof(keys[0]))]);
		long rc = panda_fs_call((panda_handle_t)(i & 1 ? f : d), req, bson_build_finish(&b),
					&reply, &got);
		calls++;
		if (got)
			panda_close(got);
		/* Any answer is fine but one the protocols do not name. */
		bad += rc < 0 && strcmp(error_name((int)rc), "EUNKNOWN") == 0;
	}
	verdict("fuzz-requests-answered", bad == 0, "%ld of %ld answers had no error name", bad,
		calls);
	panda_close((panda_handle_t)f);
	panda_close((panda_handle_t)d);
	/* Empty what the fuzzing made: names it could have created. */
	static const char *const made[] = {
		"fuzz/a/b", "fuzz/x", "fuzz/a", "fuzz/fuzz", "fuzz/big", "fuzz/\xff", "fuzz/file",
	};
	for (int round = 0; round < 3; round++) {
		for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
			panda_unlink(w, made[i]);
			panda_rmdir(w, made[i]);
		}
	}
	verdict_expect("fuzz-cleanup", panda_rmdir(w, "fuzz"), 0);
}

static void check_handle_limit(panda_handle_t w)
{
	static panda_handle_t hs[HANDLE_MAX];
	unsigned n = 0;
	long h = 0;

	create_file(w, "lim", "x", 1);
	while (n < HANDLE_MAX && (h = panda_open(w, "lim", OPEN_READ)) > 0)
		hs[n++] = (panda_handle_t)h;
	verdict_expect("handle-limit-emfile", h, -EMFILE);
	verdict("handle-limit-thousands", n > HANDLE_MAX - 64, "only %u", n);
	while (n)
		panda_close(hs[--n]);
	verdict_expect("handle-limit-recovers", read_file(w, "lim"), 1);
	panda_unlink(w, "lim");
}

/* `fs-test fill-root`: fills the root filesystem until it refuses (at its
 * room past the initrd, or at memory's end with `root_room=` past memory),
 * says how much it took; then frees it and checks all is back. */
static int fill_root(void)
{
	long before = statfs_used(root);
	long h = panda_open(root, "fill", OPEN_WRITE | OPEN_CREATE | OPEN_EXCLUSIVE);

	if (!verdict_expect_ok("fill-root-open", h))
		return 1;
	long err, total = fill((panda_handle_t)h, &err);
	printf("fs-test: the root took %ld KiB before %s\n", total >> 10, verdict_err_text(err));
	verdict_expect("fill-root-enospc", err, -ENOSPC);
	const char *argv[] = { "/test/hello" };
	long p = panda_spawn_simple(root, "/test/hello", 1, argv);
	verdict("fill-root-spawn-fails-cleanly", p == -ENOMEM || p >= 0, "spawn gave %s",
		verdict_err_text(p));
	if (p >= 0)
		panda_close((panda_handle_t)p);
	panda_close((panda_handle_t)h);
	verdict_expect("fill-root-unlink", panda_unlink(root, "fill"), 0);
	verdict_expect("fill-root-memory-back", statfs_used(root), before);
	p = panda_spawn_simple(root, "/test/hello", 1, argv);
	if (verdict_expect_ok("fill-root-spawn-works-again", p)) {
		struct panda_exit_status st;
		panda_process_wait((panda_handle_t)p, PANDA_DEADLINE_NEVER, &st);
		verdict_expect("fill-root-child-ran", st.code, 0);
	}
	return verdict_finish();
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "confined") == 0)
		return confined(argc > 2);
	verdict_start("fs-test");
	root = panda_startup_handle(STARTUP_ROOT);
	console = panda_startup_handle(STARTUP_CONSOLE);
	if (!root || !console) {
		printf("fs-test: FAIL startup: needs the root and console handles (run it as init)\n");
		return 1;
	}
	if (argc > 1 && strcmp(argv[1], "fill-root") == 0)
		return fill_root();
	uint64_t start = panda_clock();
	long t = panda_open(root, "tmp", OPEN_READ | OPEN_DIRECTORY);
	long used_before = t > 0 ? statfs_used((panda_handle_t)t) : t;
	verdict_expect_ok("setup-statfs-tmp", used_before);
	verdict_expect("setup-mkdir-work", panda_mkdir(root, WORK), 0);
	long h = panda_open(root, WORK, OPEN_READ | OPEN_WRITE | OPEN_DIRECTORY);
	if (!verdict_expect_ok("setup-open-work", h))
		return 1;
	panda_handle_t w = (panda_handle_t)h;
	verdict("root-seeded-from-initrd", read_file(root, "etc/panda-release") > 9 &&
						   memcmp(buf, "Panda OS ", 9) == 0, "no release file");
	check_directories(w);
	check_dot_dot(w);
	check_resolve();
	check_readdir(w);
	check_files(w);
	check_unlink_while_open(w);
	check_rename(w);
	check_rights(w);
	check_confinement(w);
	check_enospc(w);
	check_fuzzed_requests(w);
	check_handle_limit(w);
	panda_close(w);
	verdict_expect("cleanup-rmdir-work", panda_rmdir(root, WORK), 0);
	verdict_expect("tmp-back-to-baseline", statfs_used((panda_handle_t)t), used_before);
	panda_close((panda_handle_t)t);
	printf("fs-test: took %lu ms\n", (unsigned long)((panda_clock() - start) / 1000000));
	return verdict_finish();
}
