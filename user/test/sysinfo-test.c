/* The sysinfo object from user space, run as init (it holds the root and
 * sysinfo handles; the proc self-test runs it too, with leak checks). Each
 * request of the protocol (docs/protocols.md, "sysinfo") is driven through
 * its success and its documented errors: this process in the process list
 * with its pid and name; a sleeping child with its parent and a "blocked"
 * state, listed as "exited" after a kill while a handle to it is held and
 * gone once the last one is closed; memory figures that move by the 4 MiB
 * it touches and unmaps; uptime across a sleep; process handles opened by
 * pid that wait, and that cannot kill when the sysinfo handle lacks
 * RIGHT_KILL; and a list of more processes than one reply holds, walked by
 * cursor, with every pid exactly once. Each check prints `sysinfo-test: ok
 * NAME` or `sysinfo-test: FAIL NAME: detail`; the last line counts them,
 * and the exit status is 0 only when none failed. */
#include <stdbool.h>

#include "lib/bson.h"
#include "panda.h"
#include "verdict.h"

#define MIB		(1ul << 20)
#define MANY		40		/* more sleepers than one batch lists */
#define PROCS_MAX	128
#define LONG_SLEEP	"20000"		/* ms: killed long before */

static panda_handle_t root, sysinfo;

/* One entry of the process list, as the reply gave it. */
struct proc {
	int64_t pid, ppid, memory, cpu_ns, threads;
	char name[32];
	char state[16];
};

static struct proc procs[PROCS_MAX];
static unsigned nprocs;

/* --- requests ------------------------------------------------------------ */

/* {"op": op} plus key: v when key is set; the reply in *reply, a handle it
 * carried in *got (closed when got is NULL). */
static long request(panda_handle_t h, const char *op, const char *key, int64_t v,
		    const uint8_t **reply, panda_handle_t *got)
{
	static uint8_t req[256];
	const uint8_t *ignored;
	struct bson_builder b;

	bson_build_init(&b, req, sizeof(req));
	if (op)
		bson_append_cstr(&b, "op", op);
	if (key)
		bson_append_int64(&b, key, v);
	return panda_fs_call(h, req, bson_build_finish(&b), reply ? reply : &ignored, got);
}

static int64_t field(const uint8_t *doc, const char *key)
{
	struct bson_iter it;
	int64_t v;

	return bson_find(doc, key, &it) && bson_iter_integer(&it, &v) ? v : -1;
}

static void string_field(const uint8_t *doc, const char *key, char *out, size_t room)
{
	struct bson_iter it;
	uint32_t len;
	const char *s = bson_find(doc, key, &it) ? bson_iter_utf8(&it, &len) : NULL;

	out[0] = 0;
	if (s && len < room) {
		memcpy(out, s, len);
		out[len] = 0;
	}
}

/* One "processes" batch after cursor, appended to procs[]. Returns 0 with
 * *cursor advanced and *end set, or an error (-EBADMSG for a malformed
 * reply). */
static long list_batch(panda_handle_t h, int64_t *cursor, bool *end, unsigned *count)
{
	const uint8_t *reply;
	struct bson_iter it, arr;
	long rc = request(h, "processes", "cursor", *cursor, &reply, NULL);

	if (rc < 0)
		return rc;
	if (!bson_find(reply, "processes", &it) || it.type != BSON_ARRAY ||
	    !bson_iter_recurse(&it, &arr))
		return -EBADMSG;
	*count = 0;
	while (bson_iter_next(&arr)) {
		uint32_t len;
		const uint8_t *doc = bson_iter_document(&arr, &len);
		if (!doc || nprocs == PROCS_MAX)
			return -EBADMSG;
		struct proc *p = &procs[nprocs++];
		p->pid = field(doc, "pid");
		p->ppid = field(doc, "ppid");
		p->memory = field(doc, "memory");
		p->cpu_ns = field(doc, "cpu_ns");
		p->threads = field(doc, "threads");
		string_field(doc, "name", p->name, sizeof(p->name));
		string_field(doc, "state", p->state, sizeof(p->state));
		(*count)++;
	}
	*cursor = field(reply, "cursor");
	if (!bson_find(reply, "end", &it) || !bson_iter_bool(&it, end) || *cursor < 0)
		return -EBADMSG;
	return 0;
}

/* The whole list into procs[]: the number of batches it took, or an error.
 * *ordered says whether pids came strictly increasing (so none twice). */
static long list_all(panda_handle_t h, bool *ordered)
{
	int64_t cursor = 0;
	bool end = false;
	long batches = 0;
	unsigned count;

	nprocs = 0;
	*ordered = true;
	while (!end) {
		long rc = list_batch(h, &cursor, &end, &count);
		if (rc < 0)
			return rc;
		if (++batches > 100 || (!end && count == 0))
			return -EBADMSG;	/* a cursor that does not advance */
	}
	for (unsigned i = 1; i < nprocs; i++)
		*ordered &= procs[i].pid > procs[i - 1].pid;
	return batches;
}

static const struct proc *find(int64_t pid)
{
	for (unsigned i = 0; i < nprocs; i++)
		if (procs[i].pid == pid)
			return &procs[i];
	return NULL;
}

static long list(void)
{
	bool ordered;

	return list_all(sysinfo, &ordered);
}

/* The highest pid listed now (new processes get higher ones). */
static int64_t highest_pid(void)
{
	list();
	return nprocs ? procs[nprocs - 1].pid : 0;
}

/* The pid of this process's child listed above `after` (the one just
 * spawned), or -1. */
static int64_t child_after(int64_t after)
{
	list();
	for (unsigned i = 0; i < nprocs; i++)
		if (procs[i].pid > after && procs[i].ppid == panda_pid())
			return procs[i].pid;
	return -1;
}

static long memory_field(const char *key)
{
	const uint8_t *reply;
	long rc = request(sysinfo, "memory", NULL, 0, &reply, NULL);

	return rc < 0 ? rc : field(reply, key);
}

static long spawn_sleeper(const char *ms)
{
	const char *argv[] = { "/test/sleeper", ms };

	return panda_spawn_simple(root, "/test/sleeper", 2, argv);
}

static uint64_t in_ms(uint64_t ms)
{
	return panda_clock() + ms * 1000000u;
}

/* --- checks --------------------------------------------------------------- */

static void check_self(void)
{
	verdict("list-self-batches", list() >= 1, "no list");
	const struct proc *me = find(panda_pid());
	if (!verdict("list-self-present", me != NULL, "pid %u not listed", panda_pid()))
		return;
	verdict("list-self-name", strcmp(me->name, "sysinfo-test") == 0, "name \"%s\"", me->name);
	verdict("list-self-running", strcmp(me->state, "running") == 0, "state \"%s\"", me->state);
	verdict("list-self-one-thread", me->threads == 1, "%ld threads", (long)me->threads);
	verdict("list-self-memory", me->memory > 0 && me->memory % 4096 == 0, "memory %ld",
		(long)me->memory);
	verdict("list-self-cpu-time", me->cpu_ns > 0, "cpu_ns %ld", (long)me->cpu_ns);
}

static void check_child(void)
{
	struct panda_exit_status st;
	panda_handle_t got = PANDA_HANDLE_NONE;
	int64_t before = highest_pid();
	long h = spawn_sleeper(LONG_SLEEP);

	if (!verdict_expect_ok("child-spawn", h))
		return;
	panda_sleep_ns(20000000);	/* long enough to be asleep */
	int64_t pid = child_after(before);
	const struct proc *c = find(pid);
	if (verdict("child-listed", c != NULL, "no new child above pid %ld", (long)before)) {
		verdict("child-name", strcmp(c->name, "sleeper") == 0, "name \"%s\"", c->name);
		verdict("child-ppid", c->ppid == panda_pid(), "ppid %ld", (long)c->ppid);
		verdict("child-blocked", strcmp(c->state, "blocked") == 0, "state \"%s\"", c->state);
		verdict("child-memory", c->memory > 0, "memory %ld", (long)c->memory);
	}
	/* Where the sleeper waits goes to the kernel log (the test reads it). */
	verdict_expect("child-stacks", panda_print_stacks((uint64_t)pid), 1);
	verdict_expect("self-stacks", panda_print_stacks((uint64_t)panda_pid()), 1);
	verdict_expect("stacks-no-such-pid", panda_print_stacks(UINT32_MAX), -ENOENT);
	verdict_expect("child-kill", panda_process_kill((panda_handle_t)h), 0);
	verdict("child-killed", panda_process_wait((panda_handle_t)h, in_ms(5000), &st) == 0 &&
					st.how == EXIT_KILLED, "how %u", st.how);
	/* Exited, but our handle holds it: listed as exited, without memory. */
	list();
	c = find(pid);
	verdict("held-child-listed-exited", c && strcmp(c->state, "exited") == 0 &&
						    c->memory == 0 && c->threads == 0,
		"%s", c ? c->state : "not listed");
	long rc = request(sysinfo, "open", "pid", pid, NULL, &got);
	verdict_expect("held-child-opens", rc, 0);
	if (rc == 0) {
		st.how = 99;
		verdict("held-child-status-through-open",
			panda_process_wait(got, PANDA_DEADLINE_POLL, &st) == 0 &&
				st.how == EXIT_KILLED, "how %u", st.how);
		panda_close(got);
	}
	/* The last handle gone, so is the process. */
	panda_close((panda_handle_t)h);
	list();
	verdict("closed-child-not-listed", find(pid) == NULL, "still listed");
	verdict_expect("closed-child-open-enoent", request(sysinfo, "open", "pid", pid, NULL, NULL),
		       -ENOENT);
}

static void check_memory(void)
{
	long total = memory_field("total"), free0 = memory_field("free");
	long used = memory_field("used"), user0 = memory_field("user");

	verdict("memory-total-free", total > free0 && free0 > 0, "total %ld free %ld", total, free0);
	verdict("memory-used", used > 0 && used < total, "used %ld of %ld", used, total);
	verdict("memory-parts", user0 > 0 && memory_field("kernel") > 0 &&
					memory_field("page_tables") > 0 &&
					memory_field("slab") > 0 &&
					memory_field("available") <= memory_field("free"),
		"a figure is missing or out of line");
	const uint8_t *m;
	if (request(sysinfo, "memory", NULL, 0, &m, NULL) == 0) {
		int64_t parts = field(m, "user") + field(m, "kernel") + field(m, "page_tables") +
				field(m, "slab");
		verdict("memory-parts-sum-to-used", parts == field(m, "used") &&
							    field(m, "used") + field(m, "free") ==
								    field(m, "total"),
			"parts %ld, used %ld", (long)parts, (long)field(m, "used"));
	}

	long base = panda_mem_map(NULL, 4 * MIB, PROT_READ | PROT_WRITE);
	if (!verdict_expect_ok("memory-map-4mib", base))
		return;
	long mapped = memory_field("free");
	verdict("memory-map-takes-no-frames", mapped > free0 - (long)MIB, "free %ld -> %ld", free0,
		mapped);
	for (size_t off = 0; off < 4 * MIB; off += 4096)
		((volatile char *)base)[off] = 1;
	long touched = memory_field("free");
	verdict("memory-touch-lowers-free", mapped - touched >= (long)(4 * MIB),
		"free %ld -> %ld", mapped, touched);
	verdict("memory-touch-raises-user", memory_field("user") - user0 >= (long)(4 * MIB),
		"user %ld -> %ld", user0, memory_field("user"));
	list();
	const struct proc *me = find(panda_pid());
	verdict("memory-touch-raises-own", me && me->memory >= (int64_t)(4 * MIB), "memory %ld",
		me ? (long)me->memory : -1);
	verdict_expect("memory-unmap", panda_mem_unmap((void *)base, 4 * MIB), 0);
	long unmapped = memory_field("free");
	verdict("memory-unmap-gives-back", unmapped - touched >= (long)(4 * MIB),
		"free %ld -> %ld", touched, unmapped);
}

static void check_uptime(void)
{
	const uint8_t *reply;
	int64_t up0 = -1, time0 = -1, up1 = -1, time1 = -1;

	if (request(sysinfo, "uptime", NULL, 0, &reply, NULL) == 0) {
		up0 = field(reply, "uptime_ns");
		time0 = field(reply, "time_ns");
	}
	panda_sleep_ns(10000000);
	if (request(sysinfo, "uptime", NULL, 0, &reply, NULL) == 0) {
		up1 = field(reply, "uptime_ns");
		time1 = field(reply, "time_ns");
	}
	verdict("uptime-positive", up0 > 0, "uptime_ns %ld", (long)up0);
	verdict("uptime-grows-across-sleep", up1 - up0 >= 10000000, "%ld -> %ld", (long)up0,
		(long)up1);
	/* 2020-01-01 in ns since the epoch: QEMU's RTC runs at the host's time. */
	verdict("time-is-wall-clock", time0 > 1577836800000000000ll, "time_ns %ld", (long)time0);
	verdict("time-grows-across-sleep", time1 - time0 >= 10000000, "%ld -> %ld", (long)time0,
		(long)time1);
}

static void check_open(void)
{
	struct panda_exit_status st = { .code = -1, .how = 99 };
	panda_handle_t p = PANDA_HANDLE_NONE;
	const uint8_t *reply;
	int64_t before = highest_pid();
	long h = spawn_sleeper("50");

	if (!verdict_expect_ok("open-spawn", h))
		return;
	int64_t pid = child_after(before);
	long rc = request(sysinfo, "open", "pid", pid, &reply, &p);
	verdict("open-by-pid", rc == 0 && p != PANDA_HANDLE_NONE && field(reply, "pid") == pid,
		"%s", verdict_err_text(rc));
	if (rc == 0) {
		verdict("open-handle-waits",
			panda_process_wait(p, in_ms(5000), &st) == 0 && st.how == EXIT_NORMAL &&
				st.code == 0, "how %u code %d", st.how, st.code);
		panda_close(p);
	}
	panda_process_wait((panda_handle_t)h, in_ms(5000), NULL);
	panda_close((panda_handle_t)h);

	rc = request(sysinfo, "open", "pid", panda_pid(), NULL, &p);
	verdict_expect("open-self", rc, 0);
	if (rc == 0) {
		verdict_expect("open-self-still-running",
			       panda_process_wait(p, PANDA_DEADLINE_POLL, NULL), -ETIMEDOUT);
		panda_close(p);
	}
}

static void check_rights(void)
{
	struct panda_exit_status st = { .how = 99 };
	panda_handle_t weak = PANDA_HANDLE_NONE, strong = PANDA_HANDLE_NONE;
	int64_t before = highest_pid();
	long h = spawn_sleeper(LONG_SLEEP);

	if (!verdict_expect_ok("rights-spawn", h))
		return;
	int64_t pid = child_after(before);
	long nokill = panda_dup(sysinfo, RIGHTS_ALL & ~RIGHT_KILL);
	verdict_expect_ok("rights-dup-without-kill", nokill);
	long rc = request((panda_handle_t)nokill, "open", "pid", pid, NULL, &weak);
	verdict_expect("rights-open-through-weak", rc, 0);
	if (rc == 0) {
		verdict_expect("rights-weak-cannot-kill", panda_process_kill(weak), -EACCES);
		verdict_expect("rights-weak-can-wait", panda_process_wait(weak, PANDA_DEADLINE_POLL,
									  NULL), -ETIMEDOUT);
		verdict("rights-weak-cannot-gain-kill",
			panda_dup(weak, RIGHT_WAIT | RIGHT_KILL) < 0, "dup added RIGHT_KILL");
	}
	rc = request(sysinfo, "open", "pid", pid, NULL, &strong);
	verdict_expect("rights-open-through-full", rc, 0);
	if (rc == 0) {
		verdict_expect("rights-full-kills", panda_process_kill(strong), 0);
		panda_close(strong);
	}
	if (weak) {
		verdict("rights-weak-sees-the-kill", panda_process_wait(weak, in_ms(5000), &st) == 0 &&
							     st.how == EXIT_KILLED, "how %u", st.how);
		panda_close(weak);
	}
	panda_process_kill((panda_handle_t)h);
	panda_process_wait((panda_handle_t)h, in_ms(5000), NULL);
	panda_close((panda_handle_t)h);
	panda_close((panda_handle_t)nokill);

	/* Without RIGHT_READ nothing is answered; without RIGHT_SEND nothing is
	 * even asked. */
	long noread = panda_dup(sysinfo, RIGHT_SEND);
	verdict_expect("rights-noread-processes", request((panda_handle_t)noread, "processes",
							  NULL, 0, NULL, NULL), -EACCES);
	verdict_expect("rights-noread-memory", request((panda_handle_t)noread, "memory", NULL, 0,
						       NULL, NULL), -EACCES);
	verdict_expect("rights-noread-open", request((panda_handle_t)noread, "open", "pid",
						     panda_pid(), NULL, NULL), -EACCES);
	panda_close((panda_handle_t)noread);
	long nosend = panda_dup(sysinfo, RIGHT_READ);
	verdict_expect("rights-nosend-uptime", request((panda_handle_t)nosend, "uptime", NULL, 0,
						       NULL, NULL), -EACCES);
	panda_close((panda_handle_t)nosend);
}

static void check_errors(void)
{
	static uint8_t req[64];
	const uint8_t *reply;
	struct bson_builder b;

	verdict_expect("open-pid-0-enoent", request(sysinfo, "open", "pid", 0, NULL, NULL),
		       -ENOENT);
	verdict_expect("open-pid-99999-enoent", request(sysinfo, "open", "pid", 99999, NULL, NULL),
		       -ENOENT);
	verdict_expect("open-negative-pid-einval", request(sysinfo, "open", "pid", -1, NULL, NULL),
		       -EINVAL);
	verdict_expect("open-huge-pid-einval", request(sysinfo, "open", "pid", 1ll << 32, NULL,
						       NULL), -EINVAL);
	verdict_expect("open-missing-pid-einval", request(sysinfo, "open", NULL, 0, NULL, NULL),
		       -EINVAL);
	bson_build_init(&b, req, sizeof(req));
	bson_append_cstr(&b, "op", "open");
	bson_append_cstr(&b, "pid", "1");
	verdict_expect("open-string-pid-einval",
		       panda_fs_call(sysinfo, req, bson_build_finish(&b), &reply, NULL), -EINVAL);
	verdict_expect("processes-negative-cursor-einval",
		       request(sysinfo, "processes", "cursor", -1, NULL, NULL), -EINVAL);
	verdict_expect("unknown-op-enosys", request(sysinfo, "frobnicate", NULL, 0, NULL, NULL),
		       -ENOSYS);
	verdict_expect("missing-op-einval", request(sysinfo, NULL, "pid", 1, NULL, NULL), -EINVAL);
}

static void check_many(void)
{
	static long kids[MANY];
	int64_t before = highest_pid();
	unsigned spawned = 0;
	bool ordered;

	for (; spawned < MANY; spawned++) {
		kids[spawned] = spawn_sleeper(LONG_SLEEP);
		if (kids[spawned] < 0)
			break;
	}
	verdict_expect("many-spawned", spawned, MANY);
	long batches = list_all(sysinfo, &ordered);
	unsigned mine = 0;
	for (unsigned i = 0; i < nprocs; i++)
		mine += procs[i].pid > before && procs[i].ppid == panda_pid();
	verdict("many-in-several-batches", batches >= 2, "%ld batches for %u processes", batches,
		nprocs);
	verdict("many-pids-once-in-order", ordered, "a pid repeated or out of order");
	verdict("many-every-child-listed", mine == spawned, "%u of %u", mine, spawned);
	verdict("many-self-listed", find(panda_pid()) != NULL, "missing");

	/* A cursor in the middle lists only what follows it. */
	int64_t cursor = procs[nprocs / 2].pid, first = cursor;
	bool end;
	unsigned count;
	nprocs = 0;
	long rc = list_batch(sysinfo, &cursor, &end, &count);
	verdict("many-cursor-resumes", rc == 0 && count > 0 && procs[0].pid > first,
		"%s, %u listed", verdict_err_text(rc), count);

	for (unsigned i = 0; i < spawned; i++)
		panda_process_kill((panda_handle_t)kids[i]);
	unsigned reaped = 0;
	for (unsigned i = 0; i < spawned; i++) {
		struct panda_exit_status st = { .how = 99 };
		reaped += panda_process_wait((panda_handle_t)kids[i], in_ms(5000), &st) == 0 &&
			  st.how == EXIT_KILLED;
		panda_close((panda_handle_t)kids[i]);
	}
	verdict_expect("many-killed", reaped, spawned);
	/* A reaped child leaves the list when the kernel's reaper has freed
	 * its last thread, which can come just after the wait: allow it 2 s. */
	uint64_t deadline = in_ms(2000);
	mine = 0;
	do {
		if (mine)
			panda_sleep_ns(10000000);
		list();
		mine = 0;
		for (unsigned i = 0; i < nprocs; i++)
			mine += procs[i].ppid == panda_pid();
	} while (mine && panda_clock() < deadline);
	verdict_expect("many-gone-after-close", mine, 0);
}

int main(int argc, char **argv)
{
	(void)argc, (void)argv;
	verdict_start("sysinfo-test");
	root = panda_startup_handle(STARTUP_ROOT);
	sysinfo = panda_startup_handle(STARTUP_SYSINFO);
	if (!root || !sysinfo) {
		printf("sysinfo-test: FAIL startup: needs the root and sysinfo handles "
		       "(run it as init)\n");
		return 1;
	}
	panda_sleep_ns(1000000);	/* so some CPU time has been charged */
	check_self();
	check_child();
	check_memory();
	check_uptime();
	check_open();
	check_rights();
	check_errors();
	check_many();
	return verdict_finish();
}
