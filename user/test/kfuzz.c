/* A structure-aware, coverage-guided system-call fuzzer (docs/testing.md,
 * "Fuzzing the kernel").
 *
 *   kfuzz [-w WORKERS] [-n CALLS] [-t SECONDS] [-s SEED]
 *
 * The supervisor makes a directory /tmp/kfuzz-I for each worker and
 * spawns `kfuzz worker I SEED CALLS SECONDS` with confined handles: that
 * directory (all rights) where the root directory goes, the root
 * directory with RIGHT_SPAWN only (to start /test/exit-code and to try
 * paths that are not programs), a console handle without RIGHT_WRITE,
 * a sysinfo handle without RIGHT_KILL, and a channel to report on.
 *
 * A worker keeps a corpus of programs (sequences of up to PROG_MAX calls).
 * A call is a template and four random words; it is made real when it
 * runs, against the worker's live state: the handles it holds (with their
 * kind and rights), its mappings and its files. Requests are real BSON
 * documents for the object the handle names (directory, file, sysinfo,
 * console, process, channel), sometimes mutated into near-valid ones;
 * sizes come from the limits (0, 1, page-1, page, max, max+1), pointers
 * are sometimes bad. On the kcov kernel each program's coverage is read
 * back (SYS_KCOV); a program that reaches an edge no earlier program
 * reached joins the corpus. On the normal kernel KCOV_OPEN is -ENOSYS and
 * the worker runs blind (fresh and mutated programs alike).
 *
 * At the end each worker closes everything and reports its calls, its
 * corpus and its coverage (edge bitmap and distinct PCs) to the
 * supervisor, which merges them, removes the directories, and prints:
 *   kfuzz: N calls ...; coverage: P pcs, E edges
 *   kfuzz-pcs: <hex offsets from KERNEL_BASE> ...   (for tests/system)
 * The campaign is deterministic from the seed except for the scheduling
 * of the workers among themselves. */
#include "panda.h"
#include "lib/bson.h"
#include "xorshift.h"

#define WORKERS_MAX	8
#define PROG_MAX	8
#define CORPUS_MAX	512
#define HANDLES_MAX	48
#define MAPS_MAX	8
#define COV_PCS		65536
#define EDGE_BITS	(1u << 18)
#define PCSET_SIZE	(1u << 15)
#define PAGE		4096ul
#define KERNEL_BASE	0xffffffff80000000ul
#define REPORT_PCS	4096		/* PCs per report message */
#define SLOW_NS		2000000ul	/* deadline of a blocking call: 2 ms */
#define SLOW_CALL_NS	1000000000ul	/* a call this slow is reported */
/* The kernel's layout and limits, as docs/syscalls.md gives them. */
#define USER_TOP_GUESS	0x00007ffffffff000ul	/* first byte past user space */
#define USER_MMAP_GUESS	0x100000000ul		/* where mem_map picks from */
#define PROCESS_LOG_GUESS (64u << 10)		/* debug_write's burst */

enum kind { K_NONE, K_DIR, K_FILE, K_CHAN, K_SYSINFO, K_CONSOLE, K_PROC, K_SPAWNDIR, K_COUNT };

struct res {
	panda_handle_t h;
	uint8_t kind;
};

struct call {
	uint8_t op;
	uint64_t p[4];
};

struct prog {
	uint8_t n;
	struct call c[PROG_MAX];
};

enum op {
	OP_DUP, OP_CLOSE, OP_CHANNEL, OP_SEND, OP_RECV, OP_CALL, OP_WAIT, OP_MAP,
	OP_UNMAP, OP_PROTECT, OP_PWAIT, OP_SPAWN, OP_KILL, OP_RAW, OP_CHEAP, OP_WRITE_LOG,
	OP_COUNT
};

/* Worker state: one process, so plain globals. */
static uint64_t rng;
static struct res res[HANDLES_MAX];
static unsigned nres;
static struct { uint64_t addr, len; } maps[MAPS_MAX];
static unsigned nmaps;
static struct prog corpus[CORPUS_MAX];
static unsigned ncorpus;
static uint64_t calls, new_inputs, kcov_pcs_total;
static panda_handle_t kcov_h;
static uint64_t *cov;			/* KCOV_READ's buffer */
static uint8_t *edges;			/* EDGE_BITS bits */
static uint64_t *pcset;			/* open addressing, 0 = empty */
static uint32_t npcs, nedges;
static uint8_t docbuf[PANDA_MSG_MAX + 64] __attribute__((aligned(16)));
static uint8_t replybuf[PANDA_MSG_MAX] __attribute__((aligned(16)));
static uint8_t bigdata[PANDA_MSG_MAX + PAGE];

static uint64_t rnd(void)
{
	return xorshift64(&rng);
}

static uint64_t pick(uint64_t n)
{
	return n ? rnd() % n : 0;
}

/* A size at the limits of something whose maximum is max. */
static uint64_t edge_size(uint64_t r, uint64_t max)
{
	switch (r % 12) {
	case 0: return 0;
	case 1: return 1;
	case 2: return PAGE - 1;
	case 3: return PAGE;
	case 4: return PAGE + 1;
	case 5: return max;
	case 6: return max + 1;
	case 7: return max - 1;
	case 8: return ~0ul;
	case 9: return 1ul << (r >> 8) % 64;
	default: return (r >> 8) % (max + 2);
	}
}

/* A pointer: mostly good memory, sometimes bad in one of several ways. */
static uint64_t maybe_bad(uint64_t r, void *good)
{
	if (r % 16)
		return (uint64_t)good;
	switch ((r >> 4) % 6) {
	case 0: return 0;
	case 1: return KERNEL_BASE + (r >> 12) % 0x100000;
	case 2: return 0x8000000000000000ul;	/* non-canonical */
	case 3: return USER_TOP_GUESS;
	case 4: return nmaps ? maps[0].addr + maps[0].len - 3 : 0x1000;	/* runs off a mapping */
	default: return 0x1000;
	}
}

/* --- handles -------------------------------------------------------------- */

static void res_add(long h, uint8_t kind)
{
	if (h <= 0)
		return;
	if (nres == HANDLES_MAX) {	/* full: let the oldest go */
		panda_close(res[0].h);
		res[0] = res[--nres];
	}
	res[nres++] = (struct res){ (panda_handle_t)h, kind };
}

static void res_drop(unsigned i)
{
	res[i] = res[--nres];
}

/* A live handle, mostly of kind want (K_NONE: any), sometimes a stale or
 * forged value. *i is its slot, or HANDLES_MAX. */
static panda_handle_t pick_handle(uint64_t r, uint8_t want, unsigned *i)
{
	*i = HANDLES_MAX;
	if (r % 32 == 0)
		return (panda_handle_t)(r >> 8);	/* forged */
	if (r % 32 == 1)
		return 0;
	unsigned start = (unsigned)pick(nres ? nres : 1);
	for (unsigned k = 0; k < nres; k++) {
		unsigned j = (start + k) % nres;
		if (want == K_NONE || res[j].kind == want || (r >> 6) % 8 == 0) {
			*i = j;
			return res[j].h;
		}
	}
	return (panda_handle_t)(r >> 8) | 0x80000000u;
}

/* --- BSON requests ---------------------------------------------------------- */

static const char *const names[] = {
	"f0", "f1", "f2", "d0", "d0/f0", "d0/d1", "d0/d1/f3", "../x", "/", "", ".", "..",
	"d0/../f1", "/f2", "f0/x", "a\x01b", "d0//f0", "f1/",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))

static const char *pick_name(uint64_t r, char *tmp, size_t cap)
{
	if (r % 29 == 0) {		/* at and past the path limit */
		size_t n = (r >> 8) % 2 ? PANDA_PATH_MAX - 1 : PANDA_PATH_MAX + 1;
		if (n >= cap)
			n = cap - 1;
		memset(tmp, 'a', n);
		tmp[n] = 0;
		return tmp;
	}
	return names[(r >> 8) % NNAMES];
}

static const char *const dir_ops[] = { "open", "mkdir", "unlink", "rmdir", "rename", "stat",
				       "readdir", "statfs", "bogus" };
static const char *const file_ops[] = { "read", "write", "seek", "truncate", "stat", "sync",
					"bogus" };
static const char *const sys_ops[] = { "processes", "memory", "uptime", "open", "bogus" };
static const char *const con_ops[] = { "write", "mode", "foreground", "bogus" };

static void append_int(struct bson_builder *b, const char *key, uint64_t r, uint64_t max)
{
	switch (r % 5) {
	case 0: bson_append_int32(b, key, (int32_t)edge_size(r >> 3, max)); break;
	case 1: bson_append_cstr(b, key, "7"); break;		/* wrong type */
	case 2: bson_append_int64(b, key, -(int64_t)(r >> 3) % 5); break;
	default: bson_append_int64(b, key, (int64_t)edge_size(r >> 3, max)); break;
	}
}

/* A request for an object of kind k into docbuf; returns its size. */
static size_t build_request(uint8_t k, const uint64_t *p)
{
	struct bson_builder b;
	char tmp[PANDA_PATH_MAX + 2];
	uint64_t r = p[1];
	const char *op;

	bson_build_init(&b, docbuf, sizeof(docbuf) - 64);
	switch (k) {
	case K_DIR: op = dir_ops[r % 9]; break;
	case K_FILE: op = file_ops[r % 7]; break;
	case K_SYSINFO: op = sys_ops[r % 5]; break;
	case K_CONSOLE: op = con_ops[r % 4]; break;
	default: op = "ping"; break;
	}
	if (p[2] % 23 == 0)
		bson_append_int32(&b, "op", 1);		/* op of the wrong type */
	else if (p[2] % 23 != 1)
		bson_append_cstr(&b, "op", op);
	r = p[2];
	if (!strcmp(op, "open") && k == K_DIR) {
		bson_append_cstr(&b, "path", r % 2 ? names[(r >> 30) % 5] : pick_name(r, tmp, sizeof(tmp)));
		/* Mostly flags that make sense, so files exist to work on. */
		static const uint32_t good[] = {
			OPEN_READ, OPEN_WRITE | OPEN_CREATE, OPEN_READ | OPEN_WRITE | OPEN_CREATE,
			OPEN_WRITE | OPEN_CREATE | OPEN_TRUNCATE, OPEN_WRITE | OPEN_APPEND,
			OPEN_WRITE | OPEN_CREATE | OPEN_EXCLUSIVE, OPEN_DIRECTORY,
			OPEN_DIRECTORY | OPEN_WRITE,
		};
		uint32_t flags = r >> 40 & 3 ? good[(r >> 12) % 8]
					     : (uint32_t)(r >> 12 & (r >> 42 & 1 ? ~0u : OPEN_FLAGS_ALL));
		bson_append_int32(&b, "flags", (int32_t)flags);
	} else if (!strcmp(op, "rename")) {
		bson_append_cstr(&b, "from", pick_name(r, tmp, sizeof(tmp)));
		bson_append_cstr(&b, "to", names[(r >> 20) % NNAMES]);
	} else if (k == K_DIR && strcmp(op, "readdir") && strcmp(op, "statfs")) {
		if (r % 7)
			bson_append_cstr(&b, "path", pick_name(r, tmp, sizeof(tmp)));
	} else if (!strcmp(op, "readdir") || !strcmp(op, "processes")) {
		if (r % 2)
			append_int(&b, "cursor", r >> 1, 64);
	} else if (!strcmp(op, "read")) {
		append_int(&b, "len", r, PANDA_MSG_MAX);
		if (r % 3 == 0)
			append_int(&b, "offset", r >> 20, 1u << 20);
	} else if (!strcmp(op, "write")) {
		size_t n = edge_size(r >> 4, PANDA_MSG_MAX - 64) % (PANDA_MSG_MAX - 64);
		if (r % 5 == 0)
			bson_append_cstr(&b, "data", "hello");
		else
			bson_append_binary(&b, "data", 0, bigdata, n);
		if (k == K_FILE && r % 3 == 0)
			append_int(&b, "offset", r >> 20, 1u << 20);
	} else if (!strcmp(op, "seek")) {
		append_int(&b, "offset", r, 1u << 20);
		static const char *const wh[] = { "set", "cur", "end", "nowhere" };
		if (r % 5)
			bson_append_cstr(&b, "whence", wh[(r >> 8) % 4]);
	} else if (!strcmp(op, "truncate")) {
		append_int(&b, "size", r, 1u << 20);
	} else if (!strcmp(op, "open")) {
		append_int(&b, "pid", r, 16);
	} else if (!strcmp(op, "mode")) {
		bson_append_bool(&b, "raw", false);
	}
	if (p[3] % 11 == 0) {			/* deep nesting, at and past the limit */
		int depth = 98 + (int)(p[3] >> 8) % 5;
		for (int i = 0; i < depth && bson_begin_document(&b, "n"); i++)
			;
		for (int i = 0; i < depth; i++)
			bson_end_document(&b);
	}
	size_t size = bson_build_finish(&b);
	if (size == 0)
		return 0;
	if (p[3] % 7 == 1)			/* near-valid: one byte changed */
		docbuf[pick(size)] = (uint8_t)(p[3] >> 16);
	if (p[3] % 7 == 2 && size > 5)		/* near-valid: cut short */
		size -= 1 + pick(4);
	if (p[3] % 13 == 3)			/* the length field lies */
		*(uint32_t *)docbuf = (uint32_t)edge_size(p[3] >> 20, size);
	return size;
}

/* --- the calls ---------------------------------------------------------------- */

static uint64_t soon(uint64_t r)
{
	return r % 4 ? PANDA_DEADLINE_POLL : panda_clock() + r % SLOW_NS;
}

static uint32_t some_rights(uint64_t r)
{
	return r % 4 == 0 ? RIGHTS_SAME : (uint32_t)(r >> 2) & (r % 8 == 1 ? ~0u : RIGHTS_ALL);
}

static void do_call_obj(const uint64_t *p)
{
	unsigned i;
	panda_handle_t h = pick_handle(p[0], p[0] % 3 ? K_NONE : K_DIR, &i);
	uint8_t k = i < HANDLES_MAX ? res[i].kind : (uint8_t)pick(K_COUNT);
	size_t size = build_request(k, p);
	panda_handle_t in[2] = { 0, 0 }, out[2];
	struct panda_msg req = { docbuf, (uint32_t)size, 0, in, 0, 0 };
	struct panda_msg rep = { replybuf, (uint32_t)edge_size(p[3] >> 30, sizeof(replybuf)),
				 (uint32_t)(p[3] >> 50) % 3, out, 0, 0 };

	if (rep.size > sizeof(replybuf))
		rep.size = sizeof(replybuf);
	if (k == K_CONSOLE && p[1] % 4 == 2) {	/* foreground + a process handle */
		unsigned j;
		in[0] = pick_handle(p[2] >> 32, K_PROC, &j);
		req.handle_count = 1;
	}
	long rc = panda_syscall6(SYS_CALL, h, (long)maybe_bad(p[2] >> 40, &req),
				 (long)maybe_bad(p[3] >> 44, &rep), (long)soon(p[3]), 0, 0);
	if (rc >= 0 && rep.handle_count == 1) {
		/* A directory's open gives a file or a directory; sysinfo's a process. */
		uint8_t kind = k == K_SYSINFO ? K_PROC : K_FILE;
		struct bson_iter it;
		uint32_t len;
		if (k == K_DIR && bson_find(replybuf, "type", &it)) {
			const char *t = bson_iter_utf8(&it, &len);
			if (t && !strcmp(t, "dir"))
				kind = K_DIR;
		}
		res_add(out[0], kind);
	}
}

static void do_send(const uint64_t *p, bool call)
{
	unsigned i, j;
	panda_handle_t h = pick_handle(p[0], K_CHAN, &i);
	size_t size = p[1] % 5 ? build_request(K_NONE, p) : edge_size(p[1] >> 4, PANDA_MSG_MAX);
	panda_handle_t hs[4];
	uint32_t nh = (uint32_t)(p[2] >> 60) % 3;

	if (size > sizeof(docbuf))
		size = sizeof(docbuf);
	for (uint32_t k = 0; k < nh; k++) {
		hs[k] = pick_handle(p[2] >> (8 * k), K_NONE, &j);
		/* Sent handles leave our table whatever happens (docs/syscalls.md). */
		if (j < HANDLES_MAX && hs[k] != h)
			res_drop(j);
		else if (j < HANDLES_MAX)
			nh = k;
	}
	struct panda_msg m = { docbuf, (uint32_t)size, nh, hs, 0, 0 };
	if (call) {
		panda_handle_t out[2];
		struct panda_msg rep = { replybuf, sizeof(replybuf), 2, out, 0, 0 };
		panda_syscall6(SYS_CALL, h, (long)maybe_bad(p[3], &m), (long)&rep,
			       (long)(panda_clock() + p[3] % SLOW_NS), 0, 0);
		return;
	}
	/* Never a blocking send: with no deadline, a full queue whose reader
	 * is ourselves would wait forever, rightly. */
	panda_syscall6(SYS_SEND, h, (long)maybe_bad(p[3], &m), PANDA_NONBLOCK, 0, 0, 0);
}

static void do_recv(const uint64_t *p)
{
	unsigned i;
	panda_handle_t h = pick_handle(p[0], p[0] % 5 ? K_CHAN : K_CONSOLE, &i);
	panda_handle_t out[PANDA_MSG_HANDLES];
	struct panda_msg m = { replybuf, (uint32_t)edge_size(p[1], sizeof(replybuf)),
			       (uint32_t)p[2] % 66, out, 0, 0 };

	if (m.size > sizeof(replybuf))
		m.size = sizeof(replybuf);
	if (m.handle_count > PANDA_MSG_HANDLES)
		m.handle_count = PANDA_MSG_HANDLES;
	unsigned flags = p[3] % 3 ? PANDA_NONBLOCK : 0;
	if (p[3] % 17 == 0)
		flags |= 1u << (p[3] >> 8) % 8;	/* whatever else the flags mean */
	long rc = panda_syscall6(SYS_RECV, h, (long)maybe_bad(p[3] >> 16, &m), flags,
				 (long)soon(p[3] >> 4), 0, 0);
	if (rc >= 0)
		for (uint32_t k = 0; k < m.handle_count && k < PANDA_MSG_HANDLES; k++)
			res_add(out[k], K_NONE);
}

static void do_wait(const uint64_t *p)
{
	struct panda_wait_item items[PANDA_WAIT_MAX + 1];
	uint32_t n = (uint32_t)edge_size(p[0], PANDA_WAIT_MAX) % (PANDA_WAIT_MAX + 2);
	unsigned i;

	for (uint32_t k = 0; k < n; k++) {
		items[k].handle = pick_handle(p[1] >> k % 32, K_NONE, &i);
		items[k].want = (uint32_t)(p[2] >> (k % 16) * 4) & 0xf;
		items[k].got = 0;
		items[k].reserved = 0;
	}
	panda_syscall6(SYS_WAIT, (long)maybe_bad(p[3], items), n, (long)soon(p[3] >> 8), 0, 0, 0);
}

static void do_map(const uint64_t *p)
{
	uint64_t len = edge_size(p[0], 1u << 20);
	uint64_t addr = p[1] % 4 ? 0 : USER_MMAP_GUESS + (p[1] >> 4) % 64 * PAGE;
	unsigned prot = (unsigned)p[2] % 9;
	long a = panda_syscall6(SYS_MEM_MAP, (long)addr, (long)len, prot, 0, 0, 0);

	if (a <= 0)
		return;
	if (nmaps == MAPS_MAX) {
		panda_mem_unmap((void *)maps[0].addr, maps[0].len);
		maps[0] = maps[--nmaps];
	}
	len = (len + PAGE - 1) & ~(PAGE - 1);
	maps[nmaps].addr = (uint64_t)a;
	maps[nmaps++].len = len;
	if ((prot & PROT_WRITE) && p[3] % 2)	/* touch a page: a frame to give back */
		((volatile uint8_t *)a)[(p[3] >> 8) % len] = 1;
}

/* Unmaps or protects part of one of our mappings, or a range that is
 * refused before anything is touched (never our own image or heap). */
static void do_unmap(const uint64_t *p, bool protect)
{
	uint64_t addr, len;

	if (!nmaps || p[0] % 8 == 0) {
		static const uint64_t bad[] = { 0, 1, PAGE, KERNEL_BASE, 0x8000000000000000ul, ~0ul };
		addr = bad[p[1] % 6];
		len = edge_size(p[2], PAGE);
		if (addr == PAGE)
			len = 1;	/* below USER_MMAP_LO: refused */
	} else {
		unsigned m = (unsigned)pick(nmaps);
		uint64_t pages = maps[m].len / PAGE;
		uint64_t first = p[1] % pages;
		addr = maps[m].addr + first * PAGE + (p[2] % 16 == 0);	/* sometimes unaligned */
		len = (1 + p[2] % (pages - first)) * PAGE - (p[2] % 5 == 0);
		if (!protect && first == 0 && len >= maps[m].len) {
			maps[m] = maps[--nmaps];
		} else if (!protect) {
			/* Partly unmapped: forget it, it is freed at exit. */
			maps[m] = maps[--nmaps];
		}
	}
	if (protect)
		panda_syscall6(SYS_MEM_PROTECT, (long)addr, (long)len, (long)(p[3] % 9), 0, 0, 0);
	else
		panda_syscall6(SYS_MEM_UNMAP, (long)addr, (long)len, 0, 0, 0, 0);
}

static void do_spawn(const uint64_t *p)
{
	static const char *const paths[] = { "/test/exit-code", "/etc/panda-release", "/bin",
					     "/no/such", "../test/exit-code", "test/exit-code" };
	static const char *const argv[] = { "/test/exit-code", "3" };
	unsigned i, j;
	panda_handle_t grant = pick_handle(p[2], K_NONE, &j);
	struct panda_spawn s = {
		.dir = pick_handle(p[0], p[0] % 4 ? K_SPAWNDIR : K_NONE, &i),
		.handle_count = (uint32_t)(p[2] % 3),
		.path = paths[p[1] % 6],
		.argv = argv,
		.argc = p[1] % 7 == 0 ? edge_size(p[1] >> 8, PANDA_ARGS_MAX) : 2,
		.handles = &grant,
		.doc = p[3] % 3 == 0 ? docbuf : NULL,
		.doc_size = p[3] % 3 == 0 ? build_request(K_NONE, p) : 0,
	};
	if (s.handle_count > 1)
		s.handle_count = 1;
	if (s.argc > 2 && s.argc <= PANDA_ARGS_MAX)
		s.argc = 2;		/* argv has two entries */
	long h = panda_syscall6(SYS_SPAWN, (long)maybe_bad(p[3] >> 8, &s), 0, 0, 0, 0, 0);
	res_add(h, K_PROC);
}

static void do_raw(const uint64_t *p)
{
	/* Any number but exit, kcov and the memory calls (which could aim at
	 * our own image); arguments of every kind. */
	uint64_t nr = p[0] % (SYS_COUNT + 4);
	if (nr == SYS_EXIT || nr == SYS_KCOV || nr == SYS_MEM_MAP || nr == SYS_MEM_UNMAP ||
	    nr == SYS_MEM_PROTECT || nr == SYS_DEBUG_WRITE || nr == SYS_CLOSE || nr == SYS_SEND ||
	    nr == SYS_SPAWN)
		nr = SYS_GETPID;
	uint64_t a[5];
	for (int k = 0; k < 5; k++)
		a[k] = k < 3 ? p[k + 1] : rnd();
	if (nr == SYS_SLEEP || nr == SYS_PROCESS_WAIT || nr == SYS_RECV || nr == SYS_WAIT ||
	    nr == SYS_CALL) {
		a[0] = nr == SYS_SLEEP ? soon(a[0]) : a[0];
		a[1] = nr == SYS_PROCESS_WAIT ? soon(a[1]) : a[1];
		a[3] = soon(a[3]);
		if (nr == SYS_WAIT)
			a[2] = soon(a[2]);
	}
	if (nr == SYS_RECV || nr == SYS_CALL || nr == SYS_WAIT || nr == SYS_PROCESS_WAIT)
		a[1] = maybe_bad(a[1], replybuf);
	panda_syscall6((long)nr, (long)a[0], (long)a[1], (long)a[2], (long)a[3], (long)a[4], 0);
}

static void run_call(const struct call *c)
{
	const uint64_t *p = c->p;
	unsigned i;

	calls++;
	switch (c->op) {
	case OP_DUP: {
		panda_handle_t h = pick_handle(p[0], K_NONE, &i);
		res_add(panda_dup(h, some_rights(p[1])), i < HANDLES_MAX ? res[i].kind : K_NONE);
		break;
	}
	case OP_CLOSE: {
		panda_handle_t h = pick_handle(p[0], K_NONE, &i);
		if (i < HANDLES_MAX && res[i].kind == K_SPAWNDIR && p[1] % 8)
			break;		/* keep the way to spawn, mostly */
		if (panda_close(h) == 0 && i < HANDLES_MAX)
			res_drop(i);
		break;
	}
	case OP_CHANNEL: {
		panda_handle_t ends[2];
		if (panda_syscall6(SYS_CHANNEL_CREATE, (long)maybe_bad(p[0], ends), 0, 0, 0, 0,
				   0) == 0) {
			res_add(ends[0], K_CHAN);
			res_add(ends[1], K_CHAN);
		}
		break;
	}
	case OP_SEND: do_send(p, p[0] % 6 == 0); break;
	case OP_RECV: do_recv(p); break;
	case OP_CALL: do_call_obj(p); break;
	case OP_WAIT: do_wait(p); break;
	case OP_MAP: do_map(p); break;
	case OP_UNMAP: do_unmap(p, false); break;
	case OP_PROTECT: do_unmap(p, true); break;
	case OP_PWAIT: {
		struct panda_exit_status st;
		panda_handle_t h = pick_handle(p[0], K_PROC, &i);
		long rc = panda_syscall6(SYS_PROCESS_WAIT, h, (long)soon(p[1]),
					 (long)maybe_bad(p[2], &st), 0, 0, 0);
		if (rc == 0 && i < HANDLES_MAX && p[3] % 2 && panda_close(h) == 0)
			res_drop(i);
		break;
	}
	case OP_SPAWN:
		if (p[3] % 8 == 0)	/* a process each time: rarely */
			do_spawn(p);
		else
			calls--;
		break;
	case OP_KILL:
		panda_process_kill(pick_handle(p[0], K_PROC, &i));
		break;
	case OP_RAW: do_raw(p); break;
	case OP_CHEAP:
		panda_syscall6((long)(p[0] % 3 == 0 ? SYS_YIELD : p[0] % 3 == 1 ? SYS_GETPID
						 : SYS_CLOCK), 0, 0, 0, 0, 0, 0);
		break;
	case OP_WRITE_LOG: {
		/* Nothing reaches the log: length 0, or a bad pointer, or too long. */
		uint64_t len = p[1] % 3 == 0 ? PROCESS_LOG_GUESS + 1 + p[2] % 8 : 0;
		panda_syscall6(SYS_DEBUG_WRITE, (long)(p[0] % 2 ? (uint64_t)docbuf : KERNEL_BASE),
			       (long)(p[1] % 3 == 1 ? p[2] | 1ul << 40 : len), 0, 0, 0, 0);
		break;
	}
	}
}

/* --- coverage ---------------------------------------------------------------- */

static bool pcset_add(uint64_t pc)
{
	uint32_t i = (uint32_t)((pc * 0x9e3779b97f4a7c15ul) >> 49) & (PCSET_SIZE - 1);

	while (pcset[i]) {
		if (pcset[i] == pc)
			return false;
		i = (i + 1) & (PCSET_SIZE - 1);
	}
	if (npcs >= PCSET_SIZE * 3 / 4)
		return false;		/* full: count no more */
	pcset[i] = pc;
	npcs++;
	return true;
}

/* Reads the buffer: how many edges (PC pairs) no earlier program took. */
static uint32_t collect(void)
{
	long n = panda_syscall6(SYS_KCOV, KCOV_READ, kcov_h, (long)cov, COV_PCS, 0, 0);
	uint32_t fresh = 0;
	uint64_t prev = 0;

	if (n <= 0)
		return 0;
	kcov_pcs_total += (uint64_t)n;
	for (long k = 0; k < n; k++) {
		uint64_t pc = cov[k];
		uint32_t e = (uint32_t)(((prev * 0x2545f4914f6cdd1dul) ^ pc) * 0x9e3779b97f4a7c15ul >> 46)
			     & (EDGE_BITS - 1);
		if (!(edges[e / 8] & 1u << e % 8)) {
			edges[e / 8] |= (uint8_t)(1u << e % 8);
			nedges++;
			fresh++;
		}
		pcset_add(pc);
		prev = pc;
	}
	return fresh;
}

/* --- programs ---------------------------------------------------------------- */

static void random_call(struct call *c)
{
	c->op = (uint8_t)pick(OP_COUNT);
	for (int k = 0; k < 4; k++)
		c->p[k] = rnd();
}

static void mutate(struct prog *pr)
{
	switch (pick(5)) {
	case 0:			/* a new call in place of one */
		random_call(&pr->c[pick(pr->n)]);
		break;
	case 1:			/* one word of one call */
		pr->c[pick(pr->n)].p[pick(4)] ^= 1ul << pick(64);
		break;
	case 2:			/* insert */
		if (pr->n < PROG_MAX)
			random_call(&pr->c[pr->n++]);
		break;
	case 3:			/* splice with another program */
		if (ncorpus) {
			const struct prog *o = &corpus[pick(ncorpus)];
			unsigned at = (unsigned)pick(pr->n);
			for (unsigned k = 0; at + k < PROG_MAX && k < o->n; k++)
				pr->c[at + k] = o->c[k];
			if (at + o->n > pr->n)
				pr->n = (uint8_t)(at + o->n < PROG_MAX ? at + o->n : PROG_MAX);
		}
		break;
	default:		/* another word entirely */
		pr->c[pick(pr->n)].p[pick(4)] = rnd();
		break;
	}
}

static void next_prog(struct prog *pr)
{
	if (ncorpus && pick(10) < 8) {
		*pr = corpus[pick(ncorpus)];
		for (uint64_t k = 1 + pick(3); k; k--)
			mutate(pr);
		return;
	}
	pr->n = (uint8_t)(1 + pick(PROG_MAX));
	for (unsigned k = 0; k < pr->n; k++)
		random_call(&pr->c[k]);
}

static void keep(const struct prog *pr)
{
	new_inputs++;
	if (ncorpus < CORPUS_MAX)
		corpus[ncorpus++] = *pr;
	else
		corpus[pick(CORPUS_MAX)] = *pr;
}

/* --- worker ------------------------------------------------------------------- */

static void close_everything(void)
{
	for (unsigned i = 0; i < nres; i++)
		panda_close(res[i].h);
	nres = 0;
	for (unsigned i = 0; i < nmaps; i++)
		panda_mem_unmap((void *)maps[i].addr, maps[i].len);
	nmaps = 0;
}

/* A directory and a sysinfo handle again when none of either is left. */
static void refill(long dir, long sysinfo)
{
	bool have_dir = false, have_sys = false;

	for (unsigned i = 0; i < nres; i++) {
		have_dir |= res[i].kind == K_DIR;
		have_sys |= res[i].kind == K_SYSINFO;
	}
	if (!have_dir && dir > 0)
		res_add(panda_dup((panda_handle_t)dir, RIGHTS_SAME), K_DIR);
	if (!have_sys && sysinfo > 0)
		res_add(panda_dup((panda_handle_t)sysinfo, RIGHTS_SAME), K_SYSINFO);
}

static long report(panda_handle_t ch)
{
	struct bson_builder b;
	size_t size;
	long rc;

	bson_build_init(&b, docbuf, sizeof(docbuf));
	bson_append_int64(&b, "calls", (int64_t)calls);
	bson_append_int64(&b, "new", (int64_t)new_inputs);
	bson_append_int64(&b, "corpus", ncorpus);
	bson_append_int64(&b, "kcov_pcs", (int64_t)kcov_pcs_total);
	bson_append_binary(&b, "edges", 0, edges, EDGE_BITS / 8);
	size = bson_build_finish(&b);
	rc = panda_send_doc(ch, docbuf, size);
	/* The distinct PCs, REPORT_PCS a message. */
	static uint64_t chunk[REPORT_PCS];
	uint32_t n = 0;
	for (uint32_t i = 0; i <= PCSET_SIZE && rc >= 0; i++) {
		if (i < PCSET_SIZE && pcset[i])
			chunk[n++] = pcset[i];
		if (n == REPORT_PCS || (i == PCSET_SIZE && n)) {
			bson_build_init(&b, docbuf, sizeof(docbuf));
			bson_append_binary(&b, "pcs", 0, chunk, n * sizeof(uint64_t));
			rc = panda_send_doc(ch, docbuf, bson_build_finish(&b));
			n = 0;
		}
	}
	return rc;
}

static int worker(int argc, char **argv)
{
	if (argc < 6)
		return 2;
	unsigned id = (unsigned)panda_parse_ulong(argv[2], 0);
	rng = panda_parse_ulong(argv[3], 1) * 0x9e3779b97f4a7c15ul + id * 0x632be59bd9b4e019ul;
	rng |= 1;
	uint64_t budget = panda_parse_ulong(argv[4], 1000);
	uint64_t deadline = panda_clock() + panda_parse_ulong(argv[5], 60) * 1000000000ul;
	panda_handle_t report_ch = panda_startup_handle(STARTUP_STANDARD);

	for (size_t i = 0; i < sizeof(bigdata); i++)
		bigdata[i] = (uint8_t)rnd();
	cov = malloc(COV_PCS * sizeof(uint64_t));
	edges = calloc(EDGE_BITS / 8, 1);
	pcset = calloc(PCSET_SIZE, sizeof(uint64_t));
	if (!cov || !edges || !pcset)
		return 3;
	/* What the supervisor granted is the worker's to fuzz with. */
	res_add(panda_startup_handle(STARTUP_ROOT), K_DIR);
	res_add(panda_startup_handle(STARTUP_CONSOLE), K_CONSOLE);
	res_add(panda_startup_handle(STARTUP_CWD), K_SPAWNDIR);
	res_add(panda_startup_handle(STARTUP_SYSINFO), K_SYSINFO);
	/* Spares out of the fuzzer's reach: closing or sending away every
	 * directory handle would otherwise end all file-system coverage. */
	long spare_dir = panda_dup(panda_startup_handle(STARTUP_ROOT), RIGHTS_SAME);
	long spare_sysinfo = panda_dup(panda_startup_handle(STARTUP_SYSINFO), RIGHTS_SAME);
	long k = panda_syscall6(SYS_KCOV, KCOV_OPEN, COV_PCS, 0, 0, 0, 0);
	bool guided = k > 0 && panda_syscall6(SYS_KCOV, KCOV_ENABLE, k, 0, 0, 0, 0) == 0;
	if (k > 0)
		kcov_h = (panda_handle_t)k;

	struct prog pr;
	uint64_t progs = 0;
	while (calls < budget && (progs % 64 || panda_clock() < deadline)) {
		next_prog(&pr);
		for (unsigned c = 0; c < pr.n; c++) {
			uint64_t t = panda_clock();
			run_call(&pr.c[c]);
			t = panda_clock() - t;
			if (t > SLOW_CALL_NS) {	/* a finding in itself */
				char m[80];
				int len = snprintf(m, sizeof(m), "kfuzz: slow call: op %u took %lu ms\n",
						   pr.c[c].op, (unsigned long)(t / 1000000));
				panda_debug_write(m, (size_t)len);
			}
		}
		progs++;
		if (guided ? collect() > 0 : pick(64) == 0)
			keep(&pr);
		if (progs % 16 == 0)	/* never lose the directory for good */
			refill(spare_dir, spare_sysinfo);
	}
	if (guided)
		panda_syscall6(SYS_KCOV, KCOV_DISABLE, 0, 0, 0, 0, 0);
	/* The report channel and the startup handles stay ours to the end. */
	for (unsigned i = 0; i < nres; i++)
		if (res[i].h == report_ch)
			res_drop(i--);
	close_everything();
	return report(report_ch) < 0 ? 4 : 0;
}

/* --- supervisor --------------------------------------------------------------- */

static uint8_t all_edges[EDGE_BITS / 8];
static uint64_t *all_pcs;
static uint32_t nall;

/* Removes everything beneath dir (a directory handle). */
static void remove_tree(panda_handle_t dir)
{
	struct panda_dir_list list;

	if (panda_dir_list(dir, &list) < 0)
		return;
	for (size_t i = 0; i < list.count; i++) {
		const char *name = list.entries[i].name;
		if (list.entries[i].is_dir) {
			long sub = panda_open(dir, name, OPEN_DIRECTORY | OPEN_WRITE);
			if (sub > 0) {
				remove_tree((panda_handle_t)sub);
				panda_close((panda_handle_t)sub);
			}
			panda_rmdir(dir, name);
		} else {
			panda_unlink(dir, name);
		}
	}
	panda_dir_list_free(&list);
}

static void take_report(panda_handle_t ch, uint64_t *calls_out, uint64_t *new_out,
			uint64_t *kpcs)
{
	for (;;) {
		struct panda_msg m = { replybuf, sizeof(replybuf), 0, NULL, 0, 0 };
		struct bson_iter it;
		uint32_t len;
		uint8_t sub;
		int64_t v;

		if (panda_recv(ch, &m, PANDA_NONBLOCK, 0) < 0)
			return;
		if (bson_find(replybuf, "calls", &it) && bson_iter_int64(&it, &v))
			*calls_out += (uint64_t)v;
		if (bson_find(replybuf, "new", &it) && bson_iter_int64(&it, &v))
			*new_out += (uint64_t)v;
		if (bson_find(replybuf, "kcov_pcs", &it) && bson_iter_int64(&it, &v))
			*kpcs += (uint64_t)v;
		if (bson_find(replybuf, "edges", &it)) {
			const uint8_t *e = bson_iter_binary(&it, &len, &sub);
			for (uint32_t i = 0; e && i < len && i < sizeof(all_edges); i++)
				all_edges[i] |= e[i];
		}
		if (bson_find(replybuf, "pcs", &it)) {
			const uint64_t *pcs = (const uint64_t *)bson_iter_binary(&it, &len, &sub);
			for (uint32_t i = 0; pcs && i < len / 8 && nall < PCSET_SIZE * 4; i++)
				all_pcs[nall++] = pcs[i];
		}
	}
}

static void sort_unique(void)
{
	/* Shell sort, then squeeze out repeats (workers share most PCs). */
	for (uint32_t gap = nall / 2; gap; gap /= 2)
		for (uint32_t i = gap; i < nall; i++)
			for (uint32_t j = i; j >= gap && all_pcs[j - gap] > all_pcs[j]; j -= gap) {
				uint64_t t = all_pcs[j];
				all_pcs[j] = all_pcs[j - gap];
				all_pcs[j - gap] = t;
			}
	uint32_t n = 0;
	for (uint32_t i = 0; i < nall; i++)
		if (!n || all_pcs[n - 1] != all_pcs[i])
			all_pcs[n++] = all_pcs[i];
	nall = n;
}

static void print_pcs(void)
{
	char line[160];
	size_t used = 0;

	for (uint32_t i = 0; i < nall; i++) {
		if (used == 0)
			used = (size_t)snprintf(line, sizeof(line), "kfuzz-pcs:");
		used += (size_t)snprintf(line + used, sizeof(line) - used, " %lx",
					 (unsigned long)(all_pcs[i] - KERNEL_BASE));
		if (used > 120 || i + 1 == nall) {
			printf("%s\n", line);
			used = 0;
		}
	}
}

struct job {
	panda_handle_t proc, report, dir;
};

static int start_worker(unsigned id, uint64_t seed, uint64_t budget, uint64_t seconds,
			struct job *j)
{
	panda_handle_t root = panda_startup_handle(STARTUP_ROOT);
	char name[32], ids[16], seeds[24], budgets[24], secs[24];
	panda_handle_t ends[2];
	long rc;

	snprintf(name, sizeof(name), "tmp/kfuzz-%u", id);
	panda_mkdir(root, name);
	rc = panda_open(root, name, OPEN_DIRECTORY | OPEN_WRITE);
	if (rc < 0)
		return (int)rc;
	j->dir = (panda_handle_t)rc;
	if ((rc = panda_channel_create(ends)) < 0)
		return (int)rc;
	j->report = ends[0];
	panda_handle_t grants[5] = {
		j->dir,
		(panda_handle_t)panda_dup(panda_startup_handle(STARTUP_CONSOLE),
					  RIGHTS_ALL & ~(RIGHT_WRITE | RIGHT_MANAGE)),
		(panda_handle_t)panda_dup(root, RIGHT_SPAWN | RIGHT_DUP),
		(panda_handle_t)panda_dup(panda_startup_handle(STARTUP_SYSINFO),
					  RIGHTS_ALL & ~RIGHT_KILL),
		ends[1],
	};
	snprintf(ids, sizeof(ids), "%u", id);
	snprintf(seeds, sizeof(seeds), "%lu", (unsigned long)seed);
	snprintf(budgets, sizeof(budgets), "%lu", (unsigned long)budget);
	snprintf(secs, sizeof(secs), "%lu", (unsigned long)seconds);
	const char *argv[] = { "/test/kfuzz", "worker", ids, seeds, budgets, secs };
	struct panda_spawn s = { .dir = root, .handle_count = 5, .path = "/test/kfuzz",
				  .argv = argv, .argc = 6, .handles = grants };
	rc = panda_spawn(&s);
	for (int i = 1; i < 5; i++)
		panda_close(grants[i]);
	if (rc < 0)
		return (int)rc;
	j->proc = (panda_handle_t)rc;
	return 0;
}

int main(int argc, char **argv)
{
	unsigned workers = 4;
	uint64_t budget = 1000000, seconds = 80, seed = 1;

	if (argc > 1 && !strcmp(argv[1], "worker"))
		return worker(argc, argv);
	for (int i = 1; i + 1 < argc; i += 2) {
		uint64_t v = panda_parse_ulong(argv[i + 1], 0);
		if (!strcmp(argv[i], "-w"))
			workers = v < 1 ? 1 : v > WORKERS_MAX ? WORKERS_MAX : (unsigned)v;
		else if (!strcmp(argv[i], "-n"))
			budget = v;
		else if (!strcmp(argv[i], "-t"))
			seconds = v;
		else if (!strcmp(argv[i], "-s"))
			seed = v;
	}
	all_pcs = malloc(PCSET_SIZE * 4 * sizeof(uint64_t));
	if (!all_pcs)
		return 3;
	printf("kfuzz: %u workers, %lu calls, at most %lu s, seed %lu\n", workers,
	       (unsigned long)budget, (unsigned long)seconds, (unsigned long)seed);
	/* Says which kernel this is: the normal one refuses (ENOSYS). */
	long k = panda_syscall6(SYS_KCOV, KCOV_OPEN, 1, 0, 0, 0, 0);
	printf("kfuzz: kcov: %s\n", k > 0 ? "coverage-guided" : error_name((int)k));
	if (k > 0)
		panda_close((panda_handle_t)k);
	uint64_t t0 = panda_clock();
	struct job jobs[WORKERS_MAX] = { 0 };
	int failed = 0;
	for (unsigned i = 0; i < workers; i++) {
		int rc = start_worker(i, seed, budget / workers, seconds, &jobs[i]);
		if (rc < 0) {
			printf("kfuzz: cannot start worker %u: %s\n", i, error_name(rc));
			failed++;
		}
	}
	uint64_t total = 0, fresh = 0, kpcs = 0;
	for (unsigned i = 0; i < workers; i++) {
		struct panda_exit_status st;
		if (!jobs[i].proc)
			continue;
		/* Keep the report channel drained while waiting: its queue is bounded. */
		long rc;
		while ((rc = panda_process_wait(jobs[i].proc, panda_clock() + 100000000ul, &st)) ==
			       -ETIMEDOUT &&
		       panda_clock() < t0 + (seconds + 60) * 1000000000ul)
			take_report(jobs[i].report, &total, &fresh, &kpcs);
		if (rc < 0) {
			printf("kfuzz: worker %u still running, killing it\n", i);
			panda_process_kill(jobs[i].proc);
			panda_process_wait(jobs[i].proc, PANDA_DEADLINE_NEVER, &st);
			failed++;
		} else if (st.how != EXIT_NORMAL || st.code != 0) {
			printf("kfuzz: worker %u ended %s with code %d\n", i,
			       panda_exit_how_name(st.how), st.code);
			failed++;
		}
		take_report(jobs[i].report, &total, &fresh, &kpcs);
		panda_close(jobs[i].proc);
		panda_close(jobs[i].report);
	}
	panda_handle_t root = panda_startup_handle(STARTUP_ROOT);
	for (unsigned i = 0; i < workers; i++) {
		char name[32];
		if (!jobs[i].dir)
			continue;
		remove_tree(jobs[i].dir);
		panda_close(jobs[i].dir);
		snprintf(name, sizeof(name), "tmp/kfuzz-%u", i);
		panda_rmdir(root, name);
	}
	uint64_t ms = (panda_clock() - t0) / 1000000;
	uint32_t e = 0;
	for (uint32_t i = 0; i < sizeof(all_edges) * 8; i++)
		e += all_edges[i / 8] >> i % 8 & 1;
	sort_unique();
	printf("kfuzz: %lu calls in %lu ms by %u workers, %lu inputs kept for new coverage\n",
	       (unsigned long)total, (unsigned long)ms, workers, (unsigned long)fresh);
	if (kpcs)
		printf("kfuzz: coverage: %u pcs, %u edges (%lu PCs recorded)\n", nall, e,
		       (unsigned long)kpcs);
	else
		printf("kfuzz: coverage: none (not the kcov kernel: KCOV_OPEN is ENOSYS)\n");
	print_pcs();
	printf("kfuzz: %s\n", failed ? "FAILED" : "done");
	return failed ? 1 : 0;
}
