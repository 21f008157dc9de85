/* Regression test for "a failed spawn kills the caller" (issue 15): a spawn
 * that failed after the kernel had made the new process object released it
 * by switching the *caller* to the kernel's page tables, and the caller
 * died with a page fault at its own instruction pointer. Each way of
 * failing that late must give an error and leave this process running,
 * with its memory back afterwards:
 *
 *   kstacks    every kernel-stack slot taken by sleeping children
 *   memory     memory filled with a file, then given back a page at a time
 *              so that each step of loading a program fails once
 *   truncated  the executable shrinks while it is being loaded (a child
 *              truncates it a few milliseconds into the spawn)
 *
 * `spawnkill` runs all three; `spawnkill MODE` one. Run as init by
 * test_spawn_failure.py and from the `proc` self-test, which checks that
 * nothing leaked. `spawnkill truncator DELAY_MS` is the helper child. */
#include "fs.h"
#include "lib/bson.h"
#include "panda.h"
#include "sysinfo.h"
#include "verdict.h"

#define SLEEPERS_MAX	1200		/* more than the 1,024 kernel stacks */
#define BIG_IMAGE	(16u << 20)	/* the executable the truncator shrinks */
#define MEMORY_SLACK	(512l << 10)	/* caches the kernel may keep warm */

static panda_handle_t root;
static long handles[SLEEPERS_MAX];
static uint8_t chunk[PANDA_IO_MAX];

static long spawn_args(const char *path, int argc, const char **argv)
{
	return panda_spawn_simple(root, path, argc, argv);
}

static long free_memory(void)
{
	const uint8_t *reply;
	struct bson_iter it;
	int64_t v;
	long rc = panda_sysinfo_call("memory", &reply);

	if (rc < 0)
		return rc;
	return bson_find(reply, "free", &it) && bson_iter_integer(&it, &v) ? (long)v : -EBADMSG;
}

static int newest(void *ctx, const uint8_t *proc)
{
	struct bson_iter it;
	int64_t pid;

	if (bson_find(proc, "pid", &it) && bson_iter_integer(&it, &pid) && pid > *(int64_t *)ctx)
		*(int64_t *)ctx = pid;
	return 0;
}

/* The highest pid listed: a child we hold was given the newest one. */
static int64_t newest_pid(void)
{
	int64_t pid = 0;

	panda_processes(newest, &pid);
	return pid;
}

static void end_child(long h)
{
	struct panda_exit_status st;

	panda_process_kill((panda_handle_t)h);
	panda_process_wait((panda_handle_t)h, PANDA_DEADLINE_NEVER, &st);
	panda_close((panda_handle_t)h);
}

/* A spawn that works proves this process and the system both carry on. */
static void check_spawn_works(const char *name)
{
	const char *argv[] = { "/test/exit-code", "5" };
	long h = spawn_args(argv[0], 2, argv);
	struct panda_exit_status st = { 0 };

	if (verdict_expect_ok(name, h)) {
		panda_process_wait((panda_handle_t)h, PANDA_DEADLINE_NEVER, &st);
		panda_close((panda_handle_t)h);
		verdict(name, st.how == EXIT_NORMAL && st.code == 5, "child ended %s, code %d",
			panda_exit_how_name(st.how), st.code);
	}
}

/* The pid the next process gets (it runs /test/exit-code while held). */
static int64_t probe_pid(void)
{
	const char *argv[] = { "/test/exit-code", "0" };
	long h = spawn_args(argv[0], 2, argv);
	struct panda_exit_status st;
	int64_t pid;

	if (h < 0)
		return -1;
	panda_process_wait((panda_handle_t)h, PANDA_DEADLINE_NEVER, &st);
	pid = newest_pid();
	panda_close((panda_handle_t)h);
	return pid;
}

static void check_memory_back(const char *name, long before)
{
	long after = free_memory();

	verdict(name, after >= before - MEMORY_SLACK, "%ld KiB free before, %ld KiB after",
		before >> 10, after >> 10);
}

/* --- every kernel stack taken --------------------------------------- */

static void kstacks(void)
{
	const char *argv[] = { "/test/sleeper", "600000" };
	long before = free_memory(), rc = 0;
	unsigned n = 0;

	while (n < SLEEPERS_MAX && (rc = spawn_args(argv[0], 2, argv)) >= 0)
		handles[n++] = rc;
	printf("spawnkill: %u sleepers started before spawn gave %s\n", n, verdict_err_text(rc));
	verdict("kstacks-spawn-fails", rc < 0 && n < SLEEPERS_MAX, "%u spawns, last %s", n,
		verdict_err_text(rc));
	verdict("kstacks-many-sleepers", n > 900, "only %u", n);
	for (int i = 0; i < 3; i++)
		verdict("kstacks-spawn-fails-again", spawn_args(argv[0], 2, argv) < 0,
			"a spawn worked with every stack taken");
	verdict("kstacks-caller-alive", true, "alive");
	while (n)
		end_child(handles[--n]);
	check_spawn_works("kstacks-spawn-works-again");
	check_memory_back("kstacks-memory-back", before);
}

/* --- memory exhausted ------------------------------------------------ */

/* Writes chunk to h until the filesystem refuses: that error. */
static long fill(panda_handle_t h)
{
	long rc;

	while ((rc = panda_write(h, chunk, sizeof(chunk))) > 0)
		;
	/* Then a page at a time, to the last page. */
	while ((rc = panda_write(h, chunk, 4096)) > 0)
		;
	return rc;
}

static void memory(void)
{
	const char *argv[] = { "/test/exit-code", "0" };
	long before = free_memory();
	long h = panda_open(root, "/spawnkill-fill", OPEN_WRITE | OPEN_CREATE | OPEN_TRUNCATE);
	struct panda_stat st;
	unsigned failed = 0;
	long rc = -1;

	if (!verdict_expect_ok("memory-open", h))
		return;
	/* Filled again before each spawn (the kernel gives cached pages back
	 * under pressure), then k pages freed: each spawn gets a page further
	 * through loading the program before it runs out, until one works. */
	for (unsigned k = 0; k < 256 && rc < 0; k++) {
		long full = fill((panda_handle_t)h);
		if (full != -ENOSPC || panda_fstat((panda_handle_t)h, &st) < 0) {
			verdict_expect("memory-fill-enospc", full, -ENOSPC);
			break;
		}
		panda_truncate((panda_handle_t)h, st.size > k * 4096 ? st.size - k * 4096 : 0);
		rc = spawn_args(argv[0], 2, argv);
		if (rc == -ENOMEM)
			failed++;
		else if (rc < 0)
			verdict_expect("memory-spawn-error", rc, -ENOMEM);
	}
	printf("spawnkill: %u spawns failed for memory before one worked\n", failed);
	verdict("memory-spawn-failed", failed > 0, "no spawn ran out of memory");
	verdict("memory-caller-alive", true, "alive");
	if (rc >= 0)
		end_child(rc);
	panda_close((panda_handle_t)h);
	verdict_expect("memory-unlink", panda_unlink(root, "/spawnkill-fill"), 0);
	check_spawn_works("memory-spawn-works-again");
	check_memory_back("memory-memory-back", before);
}

/* --- the executable shrinks while it loads ---------------------------- */

/* An executable of one read-execute segment of BIG_IMAGE bytes, its first
 * instruction a jump to itself: big enough that loading it takes several
 * milliseconds, so a child can cut it short. */
static long write_big_image(panda_handle_t dir, const char *path)
{
	long h = panda_open(dir, path, OPEN_WRITE | OPEN_CREATE | OPEN_TRUNCATE);
	static const uint8_t ehdr[64] = {
		0x7f, 'E', 'L', 'F', 2, 1, 1, 0, [16] = 2, 0, 62, 0, 1, 0, 0, 0,
		[24] = 0xd0, 0, 0x40, 0, 0, 0, 0, 0,		/* e_entry 0x4000d0 */
		[32] = 64, 0, 0, 0, 0, 0, 0, 0,			/* e_phoff */
		[52] = 64, 0, 56, 0, 2, 0,			/* ehsize, phentsize, phnum */
	};
	uint8_t phdr[56] = { 1, 0, 0, 0, 5, 0, 0, 0 };		/* PT_LOAD, R+X */
	uint8_t note_phdr[56] = { 4, 0, 0, 0, 4, 0, 0, 0 };	/* PT_NOTE, R */
	/* The native mark (lib/elf.h): namesz 6, descsz 4, type 1,
	 * "Panda" padded to 8, ABI version 1. */
	static const uint8_t note[24] = { 6, 0, 0, 0, 4, 0, 0, 0, 1, 0, 0, 0,
					  'P', 'a', 'n', 'd', 'a', 0, 0, 0, 1, 0, 0, 0 };
	uint64_t vaddr = 0x400000, size = BIG_IMAGE, align = 4096;
	uint64_t note_off = 0xb0, note_va = vaddr + note_off, note_size = sizeof(note);

	if (h < 0)
		return h;
	memcpy(phdr + 16, &vaddr, 8);
	memcpy(phdr + 24, &vaddr, 8);
	memcpy(phdr + 32, &size, 8);
	memcpy(phdr + 40, &size, 8);
	memcpy(phdr + 48, &align, 8);
	memcpy(note_phdr + 8, &note_off, 8);
	memcpy(note_phdr + 16, &note_va, 8);
	memcpy(note_phdr + 24, &note_va, 8);
	memcpy(note_phdr + 32, &note_size, 8);
	memcpy(note_phdr + 40, &note_size, 8);
	note_phdr[48] = 4;					/* p_align */
	memset(chunk, 0, sizeof(chunk));
	memcpy(chunk, ehdr, sizeof(ehdr));
	memcpy(chunk + 64, phdr, sizeof(phdr));
	memcpy(chunk + 120, note_phdr, sizeof(note_phdr));
	memcpy(chunk + note_off, note, sizeof(note));
	chunk[0xd0] = 0xeb, chunk[0xd1] = 0xfe;			/* jmp . */
	long rc = 0;
	for (uint64_t off = 0; off < size && rc >= 0; off += (uint64_t)rc) {
		size_t len = size - off < sizeof(chunk) ? size - off : sizeof(chunk);
		rc = panda_write((panda_handle_t)h, chunk, len);
		if (off == 0)
			memset(chunk, 0, 256);
		if (rc == 0)
			rc = -ENOSPC;
	}
	panda_close((panda_handle_t)h);
	return rc < 0 ? rc : 0;
}

/* The child: says it is ready, waits for "go", sleeps DELAY_MS and cuts
 * /tmp/spawnkill-big to 1 KiB, inside its one segment. */
static int truncator(const char *delay)
{
	panda_handle_t chan = panda_startup_handle(STARTUP_STANDARD);
	panda_handle_t tmp = panda_startup_handle(STARTUP_ROOT);
	uint8_t buf[64], doc[5] = { 5, 0, 0, 0, 0 };
	struct panda_msg msg = { .data = buf, .size = sizeof(buf) };
	long h = panda_open(tmp, "/tmp/spawnkill-big", OPEN_WRITE);

	if (h < 0 || panda_send_doc(chan, doc, sizeof(doc)) < 0 ||
	    panda_recv(chan, &msg, 0, PANDA_DEADLINE_NEVER) < 0)
		return 1;
	panda_sleep_ns((uint64_t)panda_parse_long(delay, 0) * 1000000u);
	return panda_truncate((panda_handle_t)h, 1024) < 0;
}

static long start_truncator(const char *delay, panda_handle_t *chan)
{
	panda_handle_t ends[2];
	uint8_t buf[64];
	struct panda_msg msg = { .data = buf, .size = sizeof(buf) };

	if (panda_channel_create(ends) < 0)
		return -ENOMEM;
	panda_handle_t grants[STARTUP_STANDARD + 1] = {
		root, panda_startup_handle(STARTUP_CONSOLE), root,
		panda_startup_handle(STARTUP_SYSINFO), ends[1],
	};
	const char *argv[] = { "/test/spawnkill", "truncator", delay };
	struct panda_spawn s = { .dir = root, .path = argv[0], .argv = argv, .argc = 3,
				 .handles = grants, .handle_count = STARTUP_STANDARD + 1 };
	long h = panda_spawn(&s);
	panda_close(ends[1]);
	if (h >= 0 && panda_recv(ends[0], &msg, 0, PANDA_DEADLINE_NEVER) < 0) {
		end_child(h);
		h = -EPIPE;
	}
	if (h < 0)
		panda_close(ends[0]);
	else
		*chan = ends[0];
	return h;
}

static void truncated(void)
{
	static const char *const delays[] = { "1", "2", "3", "5", "8", "12", "20", "30" };
	const unsigned count = sizeof(delays) / sizeof(delays[0]);
	long before = free_memory();
	unsigned late = 0;
	uint8_t go[5] = { 5, 0, 0, 0, 0 };

	for (unsigned i = 0; i < count; i++) {
		struct panda_exit_status st;
		panda_handle_t chan = 0;

		if (!verdict_expect("truncated-write", write_big_image(root, "/tmp/spawnkill-big"), 0))
			break;
		long t = start_truncator(delays[i], &chan);
		if (!verdict_expect_ok("truncated-truncator", t))
			break;
		int64_t t_pid = newest_pid();
		panda_send_doc(chan, go, sizeof(go));
		long rc = spawn_args("/tmp/spawnkill-big", 0, NULL);
		if (rc >= 0)
			end_child(rc);	/* the truncator came too late */
		else
			verdict_expect("truncated-spawn-error", rc, -ENOEXEC);
		panda_process_wait((panda_handle_t)t, PANDA_DEADLINE_NEVER, &st);
		panda_close((panda_handle_t)t);
		panda_close(chan);
		/* A pid is taken when the process object is made: a failure
		 * that took one came after it, as the bug needs. */
		bool after_create = rc < 0 && probe_pid() > t_pid + 1;
		late += after_create;
		printf("spawnkill: truncated after %s ms: %s%s\n", delays[i], verdict_err_text(rc),
		       after_create ? " while loading" : "");
	}
	verdict("truncated-while-loading", late > 0, "the file never shrank during a load");
	verdict("truncated-caller-alive", true, "alive");
	check_spawn_works("truncated-spawn-works-again");
	panda_unlink(root, "/tmp/spawnkill-big");
	check_memory_back("truncated-memory-back", before);
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "all";
	bool all = !strcmp(mode, "all");

	root = panda_startup_handle(STARTUP_ROOT);
	if (!strcmp(mode, "truncator"))
		return truncator(argc > 2 ? argv[2] : "0");
	verdict_start("spawnkill");
	if (all || !strcmp(mode, "kstacks"))
		kstacks();
	if (all || !strcmp(mode, "memory"))
		memory();
	if (all || !strcmp(mode, "truncated"))
		truncated();
	return verdict_finish();
}
