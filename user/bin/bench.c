/* User-space microbenchmarks, one result line each:
 * `bench NAME iters=N ns_per_op=X tsc_per_op=Y`. null_syscall (getpid),
 * yield (a yield-and-switch between this process and a partner that also
 * yields), spawn_exit (spawn and wait of /test/exit-code), page_fault
 * (first touch of fresh anonymous pages), ipc_roundtrip (a 64-byte
 * document to a server process by call and a 64-byte reply back), with
 * ctx_switch (half a round trip) from the same run, ipc_send_recv (send
 * and recv of a 64-byte document within one process) and bson_validate
 * (a 4 KiB document of mixed types; extra field mb_per_s); in /tmp,
 * file_write_read (1 MiB written to a new file in 4 KiB requests and read
 * back, per request; extra field mb_per_s counts bytes written plus read),
 * open_close (open and close of an existing file) and stat (of an existing
 * file through its directory); alloc_free (malloc(64) + free) and pipeline
 * (records through three filter processes; extra field records_per_s).
 * Each runs an untimed warm-up first; panda_clock() and rdtsc are read around the timed loop only.
 * `bench NAME` runs one benchmark; other output lines start with "info ". */
#include "lib/bson.h"
#include "panda.h"

#define NULL_ITERS 100000
#define YIELD_N 20000
#define YIELD_WARMUP 1000
#define SPAWN_ITERS 200
#define SPAWN_WARMUP 10
#define PF_BYTES (4ul << 20)
#define PF_PAGES (PF_BYTES / 4096)
#define PF_ROUNDS 4
#define IPC_ITERS 20000
#define IPC_WARMUP 1000
#define VALIDATE_ITERS 2000
#define FILE_BYTES (1u << 20)
#define FILE_CHUNK 4096
#define FILE_ROUNDS 8
#define OPEN_ITERS 5000
#define STAT_ITERS 5000

struct timing {
	uint64_t ns, tsc;
};

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

#define TIMED(t, ...) do {						\
		uint64_t ns0_ = panda_clock(), tsc0_ = rdtsc();		\
		__VA_ARGS__;						\
		uint64_t tsc1_ = rdtsc(), ns1_ = panda_clock();		\
		(t)->ns += ns1_ - ns0_;					\
		(t)->tsc += tsc1_ - tsc0_;				\
	} while (0)

static void report(const char *name, uint64_t iters, const struct timing *t)
{
	uint64_t ns10 = t->ns * 10 / iters, tsc10 = t->tsc * 10 / iters;

	printf("bench %s iters=%lu ns_per_op=%lu.%lu tsc_per_op=%lu.%lu\n", name,
	       (unsigned long)iters, (unsigned long)(ns10 / 10), (unsigned long)(ns10 % 10),
	       (unsigned long)(tsc10 / 10), (unsigned long)(tsc10 % 10));
}

static long spawn(const char *path, int argc, const char *const *argv)
{
	long h = panda_spawn_simple(panda_startup_handle(0), path, argc, argv);

	if (h < 0)
		printf("info bench: cannot spawn %s: %s\n", path, error_name((int)h));
	return h;
}

static int wait_ok(long h)
{
	struct panda_exit_status status;
	long err = panda_process_wait((panda_handle_t)h, PANDA_DEADLINE_NEVER, &status);

	panda_close((panda_handle_t)h);
	return err == 0 && status.how == EXIT_NORMAL && status.code == 0;
}

static int bench_null_syscall(void)
{
	struct timing t = { 0, 0 };

	for (int i = 0; i < NULL_ITERS / 10; i++)
		panda_getpid();
	TIMED(&t, for (int i = 0; i < NULL_ITERS; i++) panda_getpid());
	report("null_syscall", NULL_ITERS, &t);
	return 0;
}

static int bench_yield(void)
{
	char count[16];
	const char *argv[] = { "/bin/bench", "yield-partner", count };
	struct timing t = { 0, 0 };
	long partner;

	snprintf(count, sizeof(count), "%d", YIELD_N + YIELD_WARMUP);
	partner = spawn("/bin/bench", 3, argv);
	if (partner < 0)
		return 1;
	for (int i = 0; i < YIELD_WARMUP; i++)
		panda_yield();
	TIMED(&t, for (int i = 0; i < YIELD_N; i++) panda_yield());
	if (!wait_ok(partner)) {
		printf("info bench: yield partner failed\n");
		return 1;
	}
	report("yield", 2 * YIELD_N, &t);
	return 0;
}

static int spawn_exit_once(void)
{
	static const char *const argv[] = { "/test/exit-code" };
	long h = spawn("/test/exit-code", 1, argv);

	return h >= 0 && wait_ok(h);
}

static int bench_spawn_exit(void)
{
	struct timing t = { 0, 0 };
	int ok = 1;

	for (int i = 0; i < SPAWN_WARMUP; i++)
		ok &= spawn_exit_once();
	TIMED(&t, for (int i = 0; i < SPAWN_ITERS; i++) ok &= spawn_exit_once());
	if (!ok) {
		printf("info bench: spawn_exit: a child failed\n");
		return 1;
	}
	report("spawn_exit", SPAWN_ITERS, &t);
	return 0;
}

/* Maps PF_BYTES, touches every page (timed when t is given), unmaps. */
static int touch_fresh_pages(struct timing *t)
{
	long addr = panda_mem_map(NULL, PF_BYTES, PROT_READ | PROT_WRITE);
	volatile char *p = (volatile char *)addr;
	struct timing ignored = { 0, 0 };

	if (addr < 0) {
		printf("info bench: page_fault: mem_map failed: %s\n", error_name((int)addr));
		return 1;
	}
	/* p is addr, checked above. */
	/* cppcheck-suppress nullPointerRedundantCheck */
	TIMED(t ? t : &ignored, for (unsigned long i = 0; i < PF_PAGES; i++) p[i * 4096] = 1);
	panda_mem_unmap((void *)addr, PF_BYTES);
	return 0;
}

static int bench_page_fault(void)
{
	struct timing t = { 0, 0 };

	if (touch_fresh_pages(NULL))
		return 1;
	for (int round = 0; round < PF_ROUNDS; round++)
		if (touch_fresh_pages(&t))
			return 1;
	report("page_fault", PF_ROUNDS * PF_PAGES, &t);
	return 0;
}

/* A 64-byte document: {"n": i, "s": 44 characters}. */
static size_t make_doc64(uint8_t *buf, int32_t n)
{
	struct bson_builder b;

	bson_build_init(&b, buf, 64);
	bson_append_int32(&b, "n", n);
	bson_append_cstr(&b, "s", "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGH");
	return bson_build_finish(&b);
}

/* The other side of ipc_roundtrip: echoes every call until the channel
 * closes. Its endpoint is startup handle 4 (STARTUP_STANDARD). */
static int ipc_server(void)
{
	panda_handle_t ep = panda_startup_handle(STARTUP_STANDARD);
	uint8_t buf[256];

	for (;;) {
		struct panda_msg msg = { .data = buf, .size = sizeof(buf) };
		long n = panda_recv(ep, &msg, 0, PANDA_DEADLINE_NEVER);
		if (n < 0)
			return n == -EPIPE ? 0 : 1;
		struct panda_msg reply = { .data = buf, .size = (uint32_t)n, .txid = msg.txid };
		if (panda_send(ep, &reply, 0) < 0)
			return 1;
	}
}

static int bench_ipc_roundtrip(void)
{
	panda_handle_t ends[2];
	uint8_t req_doc[64], reply_doc[256];
	struct timing t = { 0, 0 };
	int ok = 1;

	if (panda_channel_create(ends) < 0 || make_doc64(req_doc, 1) != 64)
		return 1;
	panda_handle_t grants[STARTUP_STANDARD + 1] = {
		panda_startup_handle(STARTUP_ROOT), panda_startup_handle(STARTUP_CONSOLE),
		panda_startup_handle(STARTUP_CWD), panda_startup_handle(STARTUP_SYSINFO), ends[1]
	};
	const char *argv[] = { "/bin/bench", "ipc-server" };
	struct panda_spawn sp = { .dir = grants[0], .handle_count = STARTUP_STANDARD + 1,
				  .path = argv[0],
				  .argv = argv, .argc = 2, .handles = grants };
	long server = panda_spawn(&sp);
	panda_close(ends[1]);
	if (server < 0)
		return 1;
	struct panda_msg req = { .data = req_doc, .size = 64 };
	for (int i = 0; i < IPC_WARMUP; i++) {
		struct panda_msg reply = { .data = reply_doc, .size = sizeof(reply_doc) };
		ok &= panda_call(ends[0], &req, &reply, PANDA_DEADLINE_NEVER) == 64;
	}
	TIMED(&t, for (int i = 0; i < IPC_ITERS; i++) {
		struct panda_msg reply = { .data = reply_doc, .size = sizeof(reply_doc) };
		ok &= panda_call(ends[0], &req, &reply, PANDA_DEADLINE_NEVER) == 64;
	});
	panda_close(ends[0]);
	ok &= wait_ok(server);
	if (!ok) {
		printf("info bench: ipc_roundtrip: a call failed\n");
		return 1;
	}
	report("ipc_roundtrip", IPC_ITERS, &t);
	report("ctx_switch", 2 * IPC_ITERS, &t);	/* two switches per round trip */
	return 0;
}

static int bench_ipc_send_recv(void)
{
	panda_handle_t ends[2];
	uint8_t doc[64], buf[256];
	struct timing t = { 0, 0 };
	int ok = 1;

	if (panda_channel_create(ends) < 0 || make_doc64(doc, 2) != 64)
		return 1;
	struct panda_msg out = { .data = doc, .size = 64 };
	struct panda_msg in = { .data = buf };
#define SEND_RECV() do {							\
		in.size = sizeof(buf);						\
		ok &= panda_send(ends[0], &out, 0) == 0;			\
		ok &= panda_recv(ends[1], &in, 0, PANDA_DEADLINE_NEVER) == 64;	\
	} while (0)
	for (int i = 0; i < IPC_WARMUP; i++)
		SEND_RECV();
	TIMED(&t, for (int i = 0; i < IPC_ITERS; i++) SEND_RECV());
#undef SEND_RECV
	panda_close(ends[0]);
	panda_close(ends[1]);
	if (!ok) {
		printf("info bench: ipc_send_recv: a send or recv failed\n");
		return 1;
	}
	report("ipc_send_recv", IPC_ITERS, &t);
	return 0;
}

/* About 4 KiB of mixed types: numbers, strings, binary, nested documents
 * and arrays, booleans, nulls and dates. */
static size_t make_mixed_doc(uint8_t *buf, size_t cap)
{
	static const uint8_t blob[96] = { 1, 2, 3 };
	struct bson_builder b;
	char key[16];

	bson_build_init(&b, buf, cap);
	for (int i = 0; b.len < 3900 && !b.failed; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		switch (i % 6) {
		case 0: bson_append_int32(&b, key, i); break;
		case 1: bson_append_int64(&b, key, (int64_t)i << 40); break;
		case 2: bson_append_cstr(&b, key, "some text, with unicode: \xc3\xa9\xe2\x82\xac"); break;
		case 3: bson_append_binary(&b, key, 0, blob, sizeof(blob)); break;
		case 4:
			bson_begin_document(&b, key);
			bson_append_bool(&b, "flag", i & 1);
			bson_append_null(&b, "none");
			bson_append_datetime(&b, "when", 1700000000000ll + i);
			bson_end_document(&b);
			break;
		default:
			bson_begin_array(&b, key);
			for (int j = 0; j < 4; j++)
				bson_append_double_bits(&b, NULL, 0x3ff0000000000000ull + (uint64_t)j);
			bson_end_array(&b);
		}
	}
	return bson_build_finish(&b);
}

static int bench_bson_validate(void)
{
	static uint8_t doc[4096];
	size_t size = make_mixed_doc(doc, sizeof(doc));
	struct timing t = { 0, 0 };
	int ok = 1;

	if (!size)
		return 1;
	for (int i = 0; i < VALIDATE_ITERS / 10; i++)
		ok &= bson_validate(doc, size, BSON_MAX_DEPTH, NULL) == 0;
	TIMED(&t, for (int i = 0; i < VALIDATE_ITERS; i++)
		ok &= bson_validate(doc, size, BSON_MAX_DEPTH, NULL) == 0);
	if (!ok) {
		printf("info bench: bson_validate: the document was refused\n");
		return 1;
	}
	uint64_t bytes = (uint64_t)size * VALIDATE_ITERS;
	uint64_t ns10 = t.ns * 10 / VALIDATE_ITERS, tsc10 = t.tsc * 10 / VALIDATE_ITERS;
	printf("bench bson_validate iters=%d ns_per_op=%lu.%lu tsc_per_op=%lu.%lu "
	       "mb_per_s=%lu bytes=%zu\n", VALIDATE_ITERS, (unsigned long)(ns10 / 10),
	       (unsigned long)(ns10 % 10), (unsigned long)(tsc10 / 10),
	       (unsigned long)(tsc10 % 10), (unsigned long)(t.ns ? bytes * 1000 / t.ns : 0),
	       size);
	return 0;
}

/* /tmp, where the file benchmarks work, or 0. */
static panda_handle_t tmp_dir(void)
{
	long h = panda_open(panda_startup_handle(STARTUP_ROOT), "tmp",
			    OPEN_READ | OPEN_WRITE | OPEN_DIRECTORY);

	if (h < 0)
		printf("info bench: cannot open /tmp: %s\n", error_name((int)h));
	return h < 0 ? 0 : (panda_handle_t)h;
}

/* One round: create, write FILE_BYTES in FILE_CHUNK requests, read them
 * back, close, unlink. Returns 0 when every byte came back. */
static int write_read_round(panda_handle_t dir, struct timing *t)
{
	static uint8_t chunk[FILE_CHUNK], back[FILE_CHUNK];
	long bad = 0;

	for (size_t i = 0; i < sizeof(chunk); i++)
		chunk[i] = (uint8_t)i;
	TIMED(t, {
		long f = panda_open(dir, "bench-file",
				    OPEN_READ | OPEN_WRITE | OPEN_CREATE | OPEN_EXCLUSIVE);
		if (f < 0)
			return 1;
		for (uint32_t off = 0; off < FILE_BYTES; off += FILE_CHUNK)
			bad += panda_write((panda_handle_t)f, chunk, FILE_CHUNK) != FILE_CHUNK;
		panda_seek((panda_handle_t)f, 0, "set");
		for (uint32_t off = 0; off < FILE_BYTES; off += FILE_CHUNK)
			bad += panda_read((panda_handle_t)f, back, FILE_CHUNK) != FILE_CHUNK;
		panda_close((panda_handle_t)f);
		bad += panda_unlink(dir, "bench-file") != 0;
	});
	return bad || memcmp(chunk, back, sizeof(chunk)) != 0;
}

static int bench_file_write_read(void)
{
	panda_handle_t dir = tmp_dir();
	struct timing t = { 0, 0 }, warm = { 0, 0 };
	int bad = 0;

	if (!dir)
		return 1;
	bad |= write_read_round(dir, &warm);
	for (int i = 0; i < FILE_ROUNDS; i++)
		bad |= write_read_round(dir, &t);
	panda_close(dir);
	if (bad) {
		printf("info bench: file_write_read: a request failed or the data differed\n");
		return 1;
	}
	uint64_t requests = 2ull * FILE_ROUNDS * (FILE_BYTES / FILE_CHUNK);
	uint64_t bytes = 2ull * FILE_ROUNDS * FILE_BYTES;
	uint64_t ns10 = t.ns * 10 / requests, tsc10 = t.tsc * 10 / requests;
	printf("bench file_write_read iters=%lu ns_per_op=%lu.%lu tsc_per_op=%lu.%lu "
	       "mb_per_s=%lu\n", (unsigned long)requests, (unsigned long)(ns10 / 10),
	       (unsigned long)(ns10 % 10), (unsigned long)(tsc10 / 10),
	       (unsigned long)(tsc10 % 10), (unsigned long)(t.ns ? bytes * 1000 / t.ns : 0));
	return 0;
}

static int bench_open_close(void)
{
	panda_handle_t dir = tmp_dir();
	struct timing t = { 0, 0 };
	long bad = 0;

	if (!dir)
		return 1;
	long f = panda_open(dir, "bench-open", OPEN_WRITE | OPEN_CREATE);
	if (f > 0)
		panda_close((panda_handle_t)f);
	for (int i = 0; i < OPEN_ITERS / 10; i++) {
		long h = panda_open(dir, "bench-open", OPEN_READ);
		bad += h < 0 || panda_close((panda_handle_t)h) < 0;
	}
	TIMED(&t, for (int i = 0; i < OPEN_ITERS; i++) {
		long h = panda_open(dir, "bench-open", OPEN_READ);
		bad += h < 0 || panda_close((panda_handle_t)h) < 0;
	});
	panda_unlink(dir, "bench-open");
	panda_close(dir);
	if (bad) {
		printf("info bench: open_close: %ld opens failed\n", bad);
		return 1;
	}
	report("open_close", OPEN_ITERS, &t);
	return 0;
}

static int bench_stat(void)
{
	panda_handle_t dir = tmp_dir();
	struct timing t = { 0, 0 };
	struct panda_stat st;
	long bad = 0;

	if (!dir)
		return 1;
	long f = panda_open(dir, "bench-stat", OPEN_WRITE | OPEN_CREATE);
	if (f > 0)
		panda_close((panda_handle_t)f);
	for (int i = 0; i < STAT_ITERS / 10; i++)
		bad += panda_stat(dir, "bench-stat", &st) != 0;
	TIMED(&t, for (int i = 0; i < STAT_ITERS; i++)
		bad += panda_stat(dir, "bench-stat", &st) != 0);
	panda_unlink(dir, "bench-stat");
	panda_close(dir);
	if (bad) {
		printf("info bench: stat: %ld failed\n", bad);
		return 1;
	}
	report("stat", STAT_ITERS, &t);
	return 0;
}

/* malloc(64) and the free of it: libpanda's allocator on its fast path. */
static int bench_alloc_free(void)
{
	enum { ALLOC_ITERS = 200000 };
	struct timing t = { 0, 0 };
	int ok = 1;

	for (int i = 0; i < ALLOC_ITERS / 10; i++) {
		void *p = malloc(64);
		ok &= p != NULL;
		free(p);
	}
	TIMED(&t, for (int i = 0; i < ALLOC_ITERS; i++) {
		void *p = malloc(64);
		ok &= p != NULL;
		free(p);
	});
	if (!ok) {
		printf("info bench: alloc_free: malloc failed\n");
		return 1;
	}
	report("alloc_free", ALLOC_ITERS, &t);
	return 0;
}

/* Records through `where n >= 0 | select n name | count`: this process
 * writes PIPE_RECORDS small records into the first stage and reads the
 * count back from the last. Three processes handle every record, so the
 * figure includes their channels, BSON parsing and context switches. */
static long start_stage(int argc, const char *const *argv, panda_handle_t in,
			panda_handle_t out)
{
	struct panda_named_handle extra[] = { { "in", in }, { "out", out } };
	struct panda_launch l = { .dir = panda_root(), .path = argv[0], .argc = argc,
				  .argv = argv, .extra = extra, .extra_count = 2 };
	long h = panda_launch(&l);

	panda_close(in);
	panda_close(out);
	if (h < 0)
		printf("info bench: cannot start %s: %s\n", argv[0], error_name((int)h));
	return h;
}

static int pipeline_run(uint32_t records, struct timing *t)
{
	static const char *const where[] = { "/bin/where", "n", ">=", "0" };
	static const char *const select[] = { "/bin/select", "n", "name" };
	static const char *const count[] = { "/bin/count" };
	panda_handle_t a[2], b[2], c[2], d[2];
	long procs[3];
	uint8_t doc[64], reply[64];
	struct bson_iter it;
	int64_t counted = -1;

	if (panda_channel_create(a) < 0 || panda_channel_create(b) < 0 ||
	    panda_channel_create(c) < 0 || panda_channel_create(d) < 0)
		return 0;
	procs[0] = start_stage(4, where, a[1], b[0]);
	procs[1] = start_stage(3, select, b[1], c[0]);
	procs[2] = start_stage(1, count, c[1], d[0]);
	TIMED(t, {
		for (uint32_t i = 0; i < records; i++) {
			struct bson_builder bb;

			bson_build_init(&bb, doc, sizeof(doc));
			bson_append_int32(&bb, "n", (int32_t)i);
			bson_append_cstr(&bb, "name", "record");
			bson_append_bool(&bb, "odd", i & 1);
			panda_send_doc(a[0], doc, bson_build_finish(&bb));
		}
		panda_close(a[0]);
		struct panda_msg msg = { .data = reply, .size = sizeof(reply) };
		if (panda_recv(d[1], &msg, 0, PANDA_DEADLINE_NEVER) > 0 &&
		    bson_find(reply, "count", &it))
			bson_iter_integer(&it, &counted);
	});
	panda_close(d[1]);
	int ok = counted == records;
	for (int i = 0; i < 3; i++)
		ok &= procs[i] > 0 && wait_ok(procs[i]);
	return ok;
}

static int bench_pipeline(void)
{
	enum { PIPE_RECORDS = 20000, PIPE_WARMUP = 1000 };
	struct timing t = { 0, 0 }, warm = { 0, 0 };

	if (!pipeline_run(PIPE_WARMUP, &warm) || !pipeline_run(PIPE_RECORDS, &t)) {
		printf("info bench: pipeline: a stage failed or the count was wrong\n");
		return 1;
	}
	uint64_t ns10 = t.ns * 10 / PIPE_RECORDS, tsc10 = t.tsc * 10 / PIPE_RECORDS;
	printf("bench pipeline iters=%d ns_per_op=%lu.%lu tsc_per_op=%lu.%lu records_per_s=%lu\n",
	       PIPE_RECORDS, (unsigned long)(ns10 / 10), (unsigned long)(ns10 % 10),
	       (unsigned long)(tsc10 / 10), (unsigned long)(tsc10 % 10),
	       (unsigned long)(PIPE_RECORDS * 1000000000ull / (t.ns ? t.ns : 1)));
	return 0;
}

static const struct {
	const char *name;
	int (*run)(void);
} benchmarks[] = {
	{ "null_syscall", bench_null_syscall },
	{ "yield", bench_yield },
	{ "spawn_exit", bench_spawn_exit },
	{ "page_fault", bench_page_fault },
	{ "ipc_roundtrip", bench_ipc_roundtrip },
	{ "ipc_send_recv", bench_ipc_send_recv },
	{ "bson_validate", bench_bson_validate },
	{ "file_write_read", bench_file_write_read },
	{ "open_close", bench_open_close },
	{ "stat", bench_stat },
	{ "alloc_free", bench_alloc_free },
	{ "pipeline", bench_pipeline },
};

static const struct panda_command cmd = {
	"bench", "bench [NAME]",
	"Runs every user-space benchmark, or only NAME: null_syscall, yield,\n"
	"spawn_exit, page_fault, ipc_roundtrip (with ctx_switch), ipc_send_recv,\n"
	"bson_validate, file_write_read, open_close, stat, alloc_free, pipeline.\n"
	"Prints `bench NAME iters=N ns_per_op=X tsc_per_op=Y` for each\n"
	"(docs/performance.md).\n",
	NULL,
};

int main(int argc, char **argv)
{
	unsigned flags;
	int first = panda_options(&cmd, argc, argv, &flags);
	const char *only = first < argc ? argv[first] : NULL;
	int failures = 0, ran = 0;

	if (only && strcmp(only, "yield-partner") == 0) {
		long n = first + 1 < argc ? panda_parse_long(argv[first + 1], YIELD_N) : YIELD_N;

		for (long i = 0; i < n; i++)
			panda_yield();
		return 0;
	}
	if (only && strcmp(only, "ipc-server") == 0)
		return ipc_server();
	for (size_t i = 0; i < sizeof(benchmarks) / sizeof(benchmarks[0]); i++) {
		if (only && strcmp(only, benchmarks[i].name) != 0)
			continue;
		failures += benchmarks[i].run();
		ran++;
	}
	if (!ran) {
		printf("info bench: unknown benchmark \"%s\"\n", only);
		return 2;
	}
	return failures ? 1 : 0;
}
