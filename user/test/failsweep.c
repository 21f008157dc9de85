/* One case of the fault-injection sweep (kernel/proc/failsweep.c,
 * docs/testing.md): `failsweep FAMILY N` sets up, asks the failinject
 * object (startup handle STARTUP_STANDARD) to fail the Nth allocation of
 * its next call of the family's system call (`N+`: every allocation from
 * the Nth on), makes the call and checks it. N = 0 arms nothing.
 *
 * Exit status: 0 the call worked and nothing was injected; 1 it failed
 * with ENOMEM (ENOSPC from tmpfs) after an injected failure and the process is intact; 2 it
 * worked although a failure was injected (the kernel absorbed it); 10 and
 * up a check failed (printed); 99 no such family. */
#include "panda.h"

#include "lib/bson.h"

enum { SUCCEEDED, FAILED_CLEANLY, ABSORBED, BROKEN = 10, NO_FAMILY = 99 };

static panda_handle_t fi;		/* the failinject object */
static unsigned arm_n;			/* this run's N */
static bool arm_from;			/* N+: every allocation from the Nth on */
static const char *family;
static uint8_t big[60000];
/* A new process's handle table has this many slots (kernel/object/handle.c). */
#define HANDLE_INITIAL_SLOTS 16u		/* a document near the 64 KiB limit */

static int broken(const char *why, long rc)
{
	printf("failsweep: %s N=%u: %s (%s)\n", family, arm_n, why, error_name((int)rc));
	return BROKEN;
}

/* {"op": op, ...} to the failinject object; *injected from its reply. */
static long fi_call(const char *op, unsigned nr, uint64_t *injected)
{
	uint8_t doc[128], reply[128];
	char plan[32];
	struct bson_builder b;
	struct bson_iter it;
	int64_t v;

	bson_build_init(&b, doc, sizeof(doc));
	bson_append_cstr(&b, "op", op);
	if (nr != SYS_COUNT) {
		snprintf(plan, sizeof(plan), "any:%u%s", arm_n, arm_from ? ",times=0" : "");
		bson_append_cstr(&b, "plan", plan);
		bson_append_int64(&b, "syscall", nr);
	}
	struct panda_msg req = { .data = doc, .size = (uint32_t)bson_build_finish(&b) };
	struct panda_msg rep = { .data = reply, .size = sizeof(reply) };
	long rc = panda_call(fi, &req, &rep, PANDA_DEADLINE_NEVER);
	if (rc >= 0 && injected)
		*injected = bson_find(reply, "injected", &it) && bson_iter_int64(&it, &v) ? (uint64_t)v : 0;
	return rc;
}

/* Arms the next call numbered nr (nothing when N is 0), after noting the
 * kernel memory held now. */
static void arm(unsigned nr)
{
	if (arm_n && (fi_call("baseline", SYS_COUNT, NULL) < 0 || fi_call("arm", nr, NULL) < 0))
		panda_exit(broken("cannot arm", -EINVAL));
}

/* A failed call holds no more kernel memory than before it: what the
 * kernel reports against the baseline taken by arm(). */
static int held_same(void)
{
	uint8_t doc[32], reply[128];
	struct bson_builder b;
	struct bson_iter it;
	bool same = false;
	int64_t objects = 0, large = 0, frames = 0;

	bson_build_init(&b, doc, sizeof(doc));
	bson_append_cstr(&b, "op", "compare");
	struct panda_msg req = { .data = doc, .size = (uint32_t)bson_build_finish(&b) };
	struct panda_msg rep = { .data = reply, .size = sizeof(reply) };
	if (panda_call(fi, &req, &rep, PANDA_DEADLINE_NEVER) < 0)
		return broken("cannot compare", -EINVAL);
	if (bson_find(reply, "same", &it))
		bson_iter_bool(&it, &same);
	if (bson_find(reply, "objects", &it))
		bson_iter_int64(&it, &objects);
	if (bson_find(reply, "large_pages", &it))
		bson_iter_int64(&it, &large);
	if (bson_find(reply, "kernel_frames", &it))
		bson_iter_int64(&it, &frames);
	if (same)
		return FAILED_CLEANLY;
	printf("failsweep: %s N=%u: the failed call still holds %lld heap objects, "
	       "%lld large pages, %lld kernel frames\n", family, arm_n, (long long)objects,
	       (long long)large, (long long)frames);
	return BROKEN;
}

/* The verdict on a call's result, after disarming. */
static int verdict(long rc)
{
	uint64_t injected = 0;

	if (arm_n && fi_call("disarm", SYS_COUNT, &injected) < 0)
		return broken("cannot disarm", -EINVAL);
	if (rc < 0 && !injected)
		return broken("failed with nothing injected", rc);
	/* tmpfs answers ENOSPC for any memory it cannot get (kernel/fs/tmpfs.c). */
	bool fs_full = strncmp(family, "fs-", 3) == 0 && rc == -ENOSPC;
	if (rc < 0 && rc != -ENOMEM && !fs_full)
		return broken("failed with another error than ENOMEM", rc);
	if (rc < 0)
		return held_same();
	return injected ? ABSORBED : SUCCEEDED;
}

/* The caller keeps working: a dup, a message through a channel, closes. */
static int still_works(int v)
{
	panda_handle_t ends[2];
	uint8_t buf[64];

	if (v >= BROKEN)
		return v;
	long d = panda_dup(panda_console(), RIGHTS_SAME);
	if (d < 0 || panda_close((panda_handle_t)d) < 0)
		return broken("dup/close fails after the call", d);
	long rc = panda_channel_create(ends);
	if (rc < 0)
		return broken("channel_create fails after the call", rc);
	rc = panda_send_doc(ends[0], "\x05\0\0\0\0", 5);
	struct panda_msg m = { .data = buf, .size = sizeof(buf) };
	if (rc >= 0)
		rc = panda_recv(ends[1], &m, PANDA_NONBLOCK, PANDA_DEADLINE_POLL);
	panda_close(ends[0]);
	panda_close(ends[1]);
	return rc < 0 ? broken("a message does not get through after the call", rc) : v;
}

/* A valid document of about `size` bytes in big (its exact size). */
static size_t make_doc(size_t size)
{
	struct bson_builder b;

	bson_build_init(&b, big, sizeof(big));
	if (size > 64)
		memset(bson_append_binary_space(&b, "data", size - 64), 'x', size - 64);
	return bson_build_finish(&b);
}

/* ---- handles and channels ---- */

static int fam_dup(void)
{
	arm(SYS_DUP);
	long h = panda_dup(panda_console(), RIGHTS_SAME);
	int v = verdict(h);
	if (h >= 0)
		panda_close((panda_handle_t)h);
	return v;
}

static int fam_close(void)
{
	long h = panda_dup(panda_console(), RIGHTS_SAME);
	arm(SYS_CLOSE);
	long rc = panda_close((panda_handle_t)h);
	return verdict(rc);
}

static int fam_channel_create(void)
{
	panda_handle_t ends[2];

	arm(SYS_CHANNEL_CREATE);
	long rc = panda_channel_create(ends);
	int v = verdict(rc);
	if (rc >= 0) {
		panda_close(ends[0]);
		panda_close(ends[1]);
	}
	return v;
}

/* Sends size bytes of document (and `handles` dup'd console handles) from
 * one end to the other; a failed send must queue nothing, a good one
 * must arrive whole. */
static int send_case(size_t size, unsigned handles)
{
	panda_handle_t ends[2], hs[4], got[4];

	if (panda_channel_create(ends) < 0)
		return broken("no channel", -ENOMEM);
	for (unsigned i = 0; i < handles; i++)
		hs[i] = (panda_handle_t)panda_dup(panda_console(), RIGHTS_SAME);
	size = make_doc(size);
	struct panda_msg m = { .data = big, .size = (uint32_t)size, .handles = hs,
			       .handle_count = handles };
	arm(SYS_SEND);
	long rc = panda_send(ends[0], &m, PANDA_NONBLOCK);
	int v = verdict(rc);
	struct panda_msg in = { .data = big, .size = sizeof(big), .handles = got,
				.handle_count = 4 };
	long r = panda_recv(ends[1], &in, PANDA_NONBLOCK, PANDA_DEADLINE_POLL);
	if (rc < 0 && r != -EAGAIN)
		v = broken("a failed send queued something", r);
	if (rc >= 0 && (r < 0 || in.size != size || in.handle_count != handles))
		v = broken("a sent message did not arrive whole", r);
	for (unsigned i = 0; r >= 0 && i < in.handle_count; i++)
		panda_close(got[i]);
	for (unsigned i = 0; rc < 0 && i < handles; i++)
		panda_close(hs[i]);	/* gone or still ours: either is fine */
	panda_close(ends[0]);
	panda_close(ends[1]);
	return v;
}

static int fam_send(void) { return send_case(5, 0); }
static int fam_send_handles(void) { return send_case(5, 3); }
static int fam_send_big(void) { return send_case(sizeof(big), 0); }

/* A failed recv must leave the message queued for the next one. */
static int recv_case(size_t size, unsigned handles)
{
	panda_handle_t ends[2], hs[4], got[4];

	if (panda_channel_create(ends) < 0)
		return broken("no channel", -ENOMEM);
	for (unsigned i = 0; i < handles; i++)
		hs[i] = (panda_handle_t)panda_dup(panda_console(), RIGHTS_SAME);
	size = make_doc(size);
	struct panda_msg m = { .data = big, .size = (uint32_t)size, .handles = hs,
			       .handle_count = handles };
	if (panda_send(ends[0], &m, 0) < 0)
		return broken("cannot send", -EIO);
	struct panda_msg in = { .data = big, .size = sizeof(big), .handles = got,
				.handle_count = 4 };
	arm(SYS_RECV);
	long rc = panda_recv(ends[1], &in, PANDA_NONBLOCK, PANDA_DEADLINE_POLL);
	int v = verdict(rc);
	if (rc < 0) {
		in = (struct panda_msg){ .data = big, .size = sizeof(big), .handles = got,
					 .handle_count = 4 };
		long r = panda_recv(ends[1], &in, PANDA_NONBLOCK, PANDA_DEADLINE_POLL);
		if (r < 0)
			v = broken("a failed recv lost the message", r);
	}
	if (in.size != size || in.handle_count != handles)
		v = broken("the message arrived changed", -EIO);
	for (unsigned i = 0; i < in.handle_count && i < 4; i++)
		panda_close(got[i]);
	panda_close(ends[0]);
	panda_close(ends[1]);
	return v;
}

static int fam_recv(void) { return recv_case(sizeof(big), 0); }
static int fam_recv_handles(void) { return recv_case(5, 3); }

static int fam_wait_many(void)
{
	panda_handle_t ends[32][2];
	struct panda_wait_item items[PANDA_WAIT_MAX];

	for (unsigned i = 0; i < 32; i++) {
		if (panda_channel_create(ends[i]) < 0)
			return broken("no channel", -ENOMEM);
		items[2 * i] = (struct panda_wait_item){ .handle = ends[i][0], .want = SIGNAL_READABLE };
		items[2 * i + 1] = (struct panda_wait_item){ .handle = ends[i][1], .want = SIGNAL_READABLE };
	}
	panda_send_doc(ends[31][0], "\x05\0\0\0\0", 5);
	arm(SYS_WAIT);
	long rc = panda_wait(items, PANDA_WAIT_MAX, PANDA_DEADLINE_POLL);
	int v = verdict(rc);
	if (rc >= 0 && (rc != 1 || !(items[63].got & SIGNAL_READABLE)))
		v = broken("wait reported the wrong items", rc);
	for (unsigned i = 0; i < 32; i++) {
		panda_close(ends[i][0]);
		panda_close(ends[i][1]);
	}
	return v;
}

/* ---- processes ---- */

static long spawn_child(const char *path, const char *arg)
{
	const char *argv[] = { path, arg };
	panda_handle_t hs[STARTUP_STANDARD];

	for (unsigned i = 0; i < STARTUP_STANDARD; i++)
		hs[i] = panda_startup_handle(i);
	struct panda_spawn s = { .dir = panda_root(), .handle_count = STARTUP_STANDARD,
				 .path = path, .argv = argv, .argc = 2, .handles = hs };
	return panda_spawn(&s);
}

static int fam_spawn(void)
{
	const char *argv[] = { "/test/exit-code", "3" };
	panda_handle_t hs[STARTUP_STANDARD];
	struct panda_exit_status st;

	for (unsigned i = 0; i < STARTUP_STANDARD; i++)
		hs[i] = panda_startup_handle(i);
	struct panda_spawn s = { .dir = panda_root(), .handle_count = STARTUP_STANDARD,
				 .path = argv[0], .argv = argv, .argc = 2, .handles = hs };
	arm(SYS_SPAWN);
	long h = panda_spawn(&s);
	int v = verdict(h);
	if (h >= 0) {
		long rc = panda_process_wait((panda_handle_t)h, PANDA_DEADLINE_NEVER, &st);
		if (rc < 0 || st.how != EXIT_NORMAL || st.code != 3)
			v = broken("the spawned child did not run", rc);
		panda_close((panda_handle_t)h);
	}
	return v;
}

static int fam_process_wait(void)
{
	struct panda_exit_status st;
	long h = spawn_child("/test/exit-code", "4");

	if (h < 0)
		return broken("cannot spawn", h);
	arm(SYS_PROCESS_WAIT);
	long rc = panda_process_wait((panda_handle_t)h, PANDA_DEADLINE_NEVER, &st);
	int v = verdict(rc);
	if (rc < 0)
		rc = panda_process_wait((panda_handle_t)h, PANDA_DEADLINE_NEVER, &st);
	if (rc < 0 || st.how != EXIT_NORMAL || st.code != 4)
		v = broken("the exit status is lost", rc);
	panda_close((panda_handle_t)h);
	return v;
}

static int fam_process_kill(void)
{
	struct panda_exit_status st;
	long h = spawn_child("/test/spin", "x");

	if (h < 0)
		return broken("cannot spawn", h);
	arm(SYS_PROCESS_KILL);
	long rc = panda_process_kill((panda_handle_t)h);
	int v = verdict(rc);
	if (rc < 0)
		panda_process_kill((panda_handle_t)h);
	rc = panda_process_wait((panda_handle_t)h, PANDA_DEADLINE_NEVER, &st);
	if (rc < 0 || st.how != EXIT_KILLED)
		v = broken("the child was not killed", rc);
	panda_close((panda_handle_t)h);
	return v;
}

/* A call through a channel to /test/ipc-peer echo: the reply must be
 * the request, handles and all; a failed call leaves the channel usable. */
static int fam_channel_call(void)
{
	const char *argv[] = { "/test/ipc-peer", "echo" };
	panda_handle_t ends[2], hs[STARTUP_STANDARD + 1], sent[2], got[4];
	struct panda_exit_status st;

	if (panda_channel_create(ends) < 0)
		return broken("no channel", -ENOMEM);
	for (unsigned i = 0; i < STARTUP_STANDARD; i++)
		hs[i] = panda_startup_handle(i);
	hs[STARTUP_STANDARD] = ends[1];
	struct panda_spawn s = { .dir = panda_root(), .handle_count = STARTUP_STANDARD + 1,
				 .path = argv[0], .argv = argv, .argc = 2, .handles = hs };
	long peer = panda_spawn(&s);
	if (peer < 0)
		return broken("cannot spawn the peer", peer);
	panda_close(ends[1]);
	for (unsigned i = 0; i < 2; i++)
		sent[i] = (panda_handle_t)panda_dup(panda_console(), RIGHTS_SAME);
	size_t size = make_doc(sizeof(big));
	struct panda_msg req = { .data = big, .size = (uint32_t)size, .handles = sent,
				 .handle_count = 2 };
	struct panda_msg rep = { .data = big, .size = sizeof(big), .handles = got,
				 .handle_count = 4 };
	arm(SYS_CALL);
	long rc = panda_call(ends[0], &req, &rep, PANDA_DEADLINE_NEVER);
	int v = verdict(rc);
	if (rc >= 0 && (rep.size != size || rep.handle_count != 2))
		v = broken("the reply is not the request", rc);
	for (unsigned i = 0; rc >= 0 && i < rep.handle_count && i < 4; i++)
		panda_close(got[i]);
	if (v < BROKEN && panda_send_doc(ends[0], "\x05\0\0\0\0", 5) < 0)
		v = broken("the channel is not usable after the call", -EIO);
	panda_close(ends[0]);
	rc = panda_process_wait((panda_handle_t)peer, PANDA_DEADLINE_NEVER, &st);
	if (rc < 0 || st.how != EXIT_NORMAL || st.code != 0)
		v = broken("the peer did not end cleanly", rc);
	panda_close((panda_handle_t)peer);
	return v;
}

/* ---- memory ---- */

static int fam_mem_map(void)
{
	arm(SYS_MEM_MAP);
	long a = panda_mem_map(NULL, 16 * 4096, PROT_READ | PROT_WRITE);
	int v = verdict(a);
	if (a > 0) {		/* an address: never 0 */
		((volatile char *)a)[5 * 4096] = 1;
		panda_mem_unmap((void *)a, 16 * 4096);
	}
	return v;
}

/* Three touched pages; `op` on the middle one must split or leave all. */
static int three_pages(unsigned nr)
{
	long a = panda_mem_map(NULL, 3 * 4096, PROT_READ | PROT_WRITE);
	if (a <= 0)		/* an address: never 0 */
		return broken("cannot map", a);
	volatile char *p = (volatile char *)a;
	for (int i = 0; i < 3; i++)
		p[i * 4096] = (char)(i + 1);
	arm(nr);
	long rc = nr == SYS_MEM_UNMAP ? panda_mem_unmap((void *)(a + 4096), 4096)
				      : panda_mem_protect((void *)(a + 4096), 4096, PROT_READ);
	int v = verdict(rc);
	if (rc < 0) {
		for (int i = 0; i < 3; i++)
			p[i * 4096] += 10;	/* all still mapped and writable */
		if (p[4096] != 12)
			v = broken("a failed call changed the pages", rc);
	} else if (p[0] != 1 || p[2 * 4096] != 3 || (nr == SYS_MEM_PROTECT && p[4096] != 2)) {
		v = broken("the pages beside the range changed", rc);
	}
	panda_mem_unmap((void *)a, 3 * 4096);
	return v;
}

static int fam_mem_unmap(void) { return three_pages(SYS_MEM_UNMAP); }
static int fam_mem_protect(void) { return three_pages(SYS_MEM_PROTECT); }

/* ---- the rest of the system calls ---- */

static int fam_debug_write(void)
{
	arm(SYS_DEBUG_WRITE);
	return verdict(panda_debug_write("", 0));
}

static int fam_sleep(void)
{
	uint64_t until = panda_clock() + 100000;
	arm(SYS_SLEEP);
	return verdict(panda_sleep(until));
}

static int fam_clock(void) { arm(SYS_CLOCK); return verdict((long)(panda_clock() & 0xffff)); }
static int fam_yield(void) { arm(SYS_YIELD); return verdict(panda_yield()); }
static int fam_getpid(void) { arm(SYS_GETPID); return verdict(panda_getpid()); }

/* ---- kernel objects: console, sysinfo ---- */

static int fam_console_write(void)
{
	uint8_t doc[64], reply[256];
	struct bson_builder b;

	bson_build_init(&b, doc, sizeof(doc));
	bson_append_cstr(&b, "op", "write");
	bson_append_cstr(&b, "data", "");
	struct panda_msg req = { .data = doc, .size = (uint32_t)bson_build_finish(&b) };
	struct panda_msg rep = { .data = reply, .size = sizeof(reply) };
	arm(SYS_CALL);
	long rc = panda_call(panda_console(), &req, &rep, PANDA_DEADLINE_NEVER);
	struct bson_iter it;
	int32_t code;
	/* A kernel object's error comes back as an error reply. */
	if (rc >= 0 && bson_find(reply, "code", &it) && bson_iter_int32(&it, &code))
		rc = code;
	return verdict(rc);
}

static int sysinfo_case(const char *op)
{
	const uint8_t *reply;

	panda_sysinfo_call("uptime", &reply);	/* the library's buffers, ready */
	arm(SYS_CALL);
	long rc = panda_sysinfo_call(op, &reply);
	return verdict(rc);
}

static int fam_sysinfo_memory(void) { return sysinfo_case("memory"); }
static int fam_sysinfo_processes(void) { return sysinfo_case("processes"); }
static int fam_sysinfo_uptime(void) { return sysinfo_case("uptime"); }

static int fam_sysinfo_open(void)
{
	long pid = panda_getpid();
	panda_process_open((uint64_t)pid);
	arm(SYS_CALL);
	long h = panda_process_open((uint64_t)pid);
	int v = verdict(h);
	if (h >= 0)
		panda_close((panda_handle_t)h);
	return v;
}

/* ---- files and directories on /tmp ---- */

#define F "/tmp/failsweep-f"
#define G "/tmp/failsweep-g"
#define D "/tmp/failsweep-d"

static bool exists(const char *path)
{
	struct panda_stat st;
	return panda_stat(panda_root(), path, &st) == 0;
}

static long make_file(size_t size)
{
	long h = panda_open(panda_root(), F, OPEN_READ | OPEN_WRITE | OPEN_CREATE);
	if (h >= 0 && size && panda_write((panda_handle_t)h, big, size) != (long)size)
		return -EIO;
	return h;
}

static int tidy(int v)
{
	panda_unlink(panda_root(), F);
	panda_unlink(panda_root(), G);
	panda_rmdir(panda_root(), D);
	return v;
}

/* A create under injected failures: it works, or fails leaving no file. */
static int create_case(void)
{
	arm(SYS_CALL);
	long h = panda_open(panda_root(), F, OPEN_READ | OPEN_WRITE | OPEN_CREATE);
	int v = verdict(h);
	if (h < 0 && exists(F))
		v = broken("a failed create left the file", h);
	if (h >= 0)
		panda_close((panda_handle_t)h);
	return v;
}

static int fam_fs_create(void)
{
	exists("/tmp");
	return tidy(create_case());
}

static int fam_fs_open(void)
{
	long h = make_file(0);
	if (h < 0)
		return tidy(broken("cannot create", h));
	panda_close((panda_handle_t)h);
	arm(SYS_CALL);
	h = panda_open(panda_root(), F, OPEN_READ);
	int v = verdict(h);
	if (h >= 0)
		panda_close((panda_handle_t)h);
	return tidy(v);
}

static int fam_fs_open_dir(void)
{
	exists("/tmp");
	arm(SYS_CALL);
	long h = panda_open(panda_root(), "/tmp", OPEN_READ | OPEN_DIRECTORY);
	int v = verdict(h);
	if (h >= 0)
		panda_close((panda_handle_t)h);
	return v;
}

static int write_case(size_t size)
{
	struct panda_stat st;
	long h = make_file(0);

	if (h < 0)
		return tidy(broken("cannot create", h));
	arm(SYS_CALL);
	long rc = panda_write((panda_handle_t)h, big, size);
	int v = verdict(rc);
	panda_fstat((panda_handle_t)h, &st);
	if (rc < 0 && st.size != 0)
		v = broken("a failed write changed the size", rc);
	if (rc >= 0 && st.size != (uint64_t)rc)
		v = broken("the size is not what was written", rc);
	panda_close((panda_handle_t)h);
	return tidy(v);
}

static int fam_fs_write(void) { return write_case(100); }
static int fam_fs_write_big(void) { return write_case(PANDA_IO_MAX < sizeof(big) ? PANDA_IO_MAX : sizeof(big)); }

static int fam_fs_read(void)
{
	long h = make_file(5000);

	if (h < 0)
		return tidy(broken("cannot create", h));
	uint8_t *buf = malloc(5000);
	arm(SYS_CALL);
	long rc = panda_pread((panda_handle_t)h, buf, 5000, 0);
	int v = verdict(rc);
	if (rc >= 0 && rc != 5000)
		v = broken("a short read", rc);
	free(buf);
	panda_close((panda_handle_t)h);
	return tidy(v);
}

/* A read that fails consumes nothing: the offset stays where it was.
 * The reply needs pages of libpanda's reply buffer that no call touched
 * before, which the kernel now gives frames before the file moves. */
static int fam_fs_read_offset(void)
{
	long h = make_file(5000);

	if (h < 0 || panda_seek((panda_handle_t)h, 0, "set") != 0)
		return tidy(broken("cannot create", h));
	uint8_t *buf = malloc(5000);
	arm(SYS_CALL);
	long rc = panda_read((panda_handle_t)h, buf, 5000);
	int v = verdict(rc);
	long at = panda_seek((panda_handle_t)h, 0, "cur");
	if (at != (rc < 0 ? 0 : rc)) {
		printf("failsweep: fs-read-offset N=%u: the offset is %ld after the read\n", arm_n, at);
		v = broken(rc < 0 ? "a failed read moved the offset" : "the offset is not past the read", rc);
	}
	free(buf);
	panda_close((panda_handle_t)h);
	return tidy(v);
}

/* A create whose handle needs the table to grow: failing, it leaves no
 * file (the slot is found before the file is made). */
static int fam_fs_create_grow(void)
{
	panda_handle_t dups[HANDLE_INITIAL_SLOTS];
	unsigned n = 0;

	exists("/tmp");
	/* Fill the table's first slots: the next handle needs a bigger one. */
	while (n < HANDLE_INITIAL_SLOTS) {
		long d = panda_dup(panda_console(), RIGHTS_SAME);
		if (d < 0)
			return broken("cannot dup", d);
		dups[n++] = (panda_handle_t)d;
		if (((panda_handle_t)d & (HANDLE_INITIAL_SLOTS - 1)) == HANDLE_INITIAL_SLOTS - 1)
			break;
	}
	int v = create_case();
	while (n)
		panda_close(dups[--n]);
	return tidy(v);
}

static int fam_fs_truncate(void)
{
	struct panda_stat st;
	long h = make_file(100);

	if (h < 0)
		return tidy(broken("cannot create", h));
	arm(SYS_CALL);
	long rc = panda_truncate((panda_handle_t)h, 20000);
	int v = verdict(rc);
	panda_fstat((panda_handle_t)h, &st);
	if (st.size != (rc < 0 ? 100u : 20000u))
		v = broken("the size is wrong after truncate", rc);
	panda_close((panda_handle_t)h);
	return tidy(v);
}

static void count_entry(void *ctx, const char *name, bool is_dir, uint64_t size)
{
	(void)name, (void)is_dir, (void)size;
	++*(unsigned *)ctx;
}

static int fam_fs_readdir(void)
{
	uint64_t cursor = 0;
	unsigned n = 0;
	long h = make_file(0);

	if (h < 0)
		return tidy(broken("cannot create", h));
	panda_close((panda_handle_t)h);
	long dir = panda_open(panda_root(), "/tmp", OPEN_READ | OPEN_DIRECTORY);
	if (dir < 0)
		return tidy(broken("cannot open /tmp", dir));
	arm(SYS_CALL);
	long rc = panda_readdir((panda_handle_t)dir, &cursor, count_entry, &n);
	int v = verdict(rc);
	if (rc >= 0 && n == 0)
		v = broken("readdir listed nothing", rc);
	panda_close((panda_handle_t)dir);
	return tidy(v);
}

static int fam_fs_mkdir(void)
{
	exists("/tmp");
	arm(SYS_CALL);
	long rc = panda_mkdir(panda_root(), D);
	int v = verdict(rc);
	if (rc < 0 && exists(D))
		v = broken("a failed mkdir left the directory", rc);
	if (rc >= 0 && !exists(D))
		v = broken("mkdir made nothing", rc);
	return tidy(v);
}

static int fam_fs_rename(void)
{
	long h = make_file(10);

	if (h < 0)
		return tidy(broken("cannot create", h));
	panda_close((panda_handle_t)h);
	arm(SYS_CALL);
	long rc = panda_rename(panda_root(), F, G);
	int v = verdict(rc);
	if (exists(F) != (rc < 0) || exists(G) != (rc >= 0))
		v = broken("rename left the wrong names", rc);
	return tidy(v);
}

static int fam_fs_unlink(void)
{
	long h = make_file(10);

	if (h < 0)
		return tidy(broken("cannot create", h));
	panda_close((panda_handle_t)h);
	arm(SYS_CALL);
	long rc = panda_unlink(panda_root(), F);
	int v = verdict(rc);
	if (exists(F) != (rc < 0))
		v = broken("unlink's result and the name disagree", rc);
	return tidy(v);
}

static int fam_fs_stat(void)
{
	struct panda_stat st;
	long h = make_file(10);

	if (h < 0)
		return tidy(broken("cannot create", h));
	panda_close((panda_handle_t)h);
	arm(SYS_CALL);
	long rc = panda_stat(panda_root(), F, &st);
	int v = verdict(rc);
	if (rc >= 0 && st.size != 10)
		v = broken("stat gave the wrong size", rc);
	return tidy(v);
}

static const struct {
	const char *name;
	int (*run)(void);
} families[] = {
	{ "dup", fam_dup }, { "close", fam_close }, { "channel-create", fam_channel_create },
	{ "send", fam_send }, { "send-handles", fam_send_handles }, { "send-big", fam_send_big },
	{ "recv", fam_recv }, { "recv-handles", fam_recv_handles },
	{ "channel-call", fam_channel_call }, { "wait-many", fam_wait_many }, { "spawn", fam_spawn },
	{ "process-wait", fam_process_wait }, { "process-kill", fam_process_kill },
	{ "mem-map", fam_mem_map }, { "mem-unmap", fam_mem_unmap },
	{ "mem-protect", fam_mem_protect }, { "debug-write", fam_debug_write },
	{ "sleep", fam_sleep }, { "clock", fam_clock }, { "yield", fam_yield },
	{ "getpid", fam_getpid }, { "console-write", fam_console_write },
	{ "sysinfo-memory", fam_sysinfo_memory }, { "sysinfo-processes", fam_sysinfo_processes },
	{ "sysinfo-open", fam_sysinfo_open }, { "sysinfo-uptime", fam_sysinfo_uptime },
	{ "fs-create", fam_fs_create }, { "fs-open", fam_fs_open }, { "fs-write", fam_fs_write },
	{ "fs-write-big", fam_fs_write_big }, { "fs-read", fam_fs_read },
	{ "fs-truncate", fam_fs_truncate }, { "fs-readdir", fam_fs_readdir },
	{ "fs-mkdir", fam_fs_mkdir }, { "fs-rename", fam_fs_rename },
	{ "fs-unlink", fam_fs_unlink }, { "fs-stat", fam_fs_stat },
	{ "fs-open-dir", fam_fs_open_dir }, { "fs-read-offset", fam_fs_read_offset },
	{ "fs-create-grow", fam_fs_create_grow },
};

int main(int argc, char **argv)
{
	if (argc != 3)
		return NO_FAMILY;
	family = argv[1];
	char n[16];
	size_t len = strlen(argv[2]);
	arm_from = len && argv[2][len - 1] == '+';
	if (len - arm_from >= sizeof(n))
		return NO_FAMILY;
	memcpy(n, argv[2], len - arm_from);
	n[len - arm_from] = 0;
	arm_n = (unsigned)panda_parse_long(n, 0);
	fi = panda_startup_handle(STARTUP_STANDARD);
	for (size_t i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (strcmp(families[i].name, family) == 0)
			return still_works(families[i].run());
	return NO_FAMILY;
}
