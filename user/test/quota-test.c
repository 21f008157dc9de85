/* Issue 15, "no quotas or accounting" (docs/memory.md, "Quotas"). Run
 * from the shell:
 *   quota-test limits   one child per resource, each spawned with narrow
 *                       limits, runs into its limit and gets the documented
 *                       error (the one over its memory dies); afterwards
 *                       this tree's usage is back where it started.
 *   quota-test parked   parks replies carrying handles until refused: never
 *                       more than the handle limit held through them (the
 *                       regression: 15,465 parked replies held 30,000).
 *   quota-test oom      a flooder fills channels nobody reads while a
 *                       bystander holds 16 MiB; then this process touches
 *                       memory until the OOM killer acts: it must pick the
 *                       flooder, and the bystander keeps its memory.
 * The other modes are the children. */
#include "lib/bson.h"
#include "panda.h"
#include "verdict.h"

#define SELF		"/test/quota-test"
#define WAIT_NS		20000000000ull
#define BYSTANDER_MIB	16
#define DOC_BYTES	7000		/* a page-sized message each */

/* One figure of pid's limits record ("limit", "used", "own", "refused"). */
static int64_t record(uint64_t pid, const char *sub, const char *key)
{
	const uint8_t *reply;

	return panda_limits_record(pid, &reply) < 0 ? -1 : panda_limits_field(reply, sub, key);
}

static long spawn_mode(const char *mode, const char *arg, const struct panda_limits *limits)
{
	const char *argv[] = { SELF, mode, arg };
	struct panda_launch l = { .dir = panda_root(), .path = SELF, .argc = arg ? 3 : 2,
				  .argv = argv, .limits = limits };

	return panda_launch(&l);
}

/* The memory at a mapping's address (a mem_map result, checked >= 0). */
static volatile uint32_t *words(long base)
{
	return (volatile uint32_t *)(uintptr_t)base;
}

/* Touches every page of [base, base + len). */
static void touch(long base, size_t len)
{
	for (size_t off = 0; off < len; off += 4096)
		words(base)[off / 4] = 1;
}

static void say(const char *check, bool good, long got)
{
	printf("quota-test: %s %s (%s)\n", good ? "ok" : "FAIL", check, verdict_err_text(got));
}

/* --- children of `limits` ---------------------------------------------- */

/* Spawns sleepers until refused; kills them. How many it got, *err why. */
static int spawn_until_refused(long *err)
{
	long kids[16];
	int n = 0;

	for (*err = 0; n < 16; n++) {
		*err = spawn_mode("sleep", NULL, NULL);
		if (*err < 0)
			break;
		kids[n] = *err;
	}
	for (int i = 0; i < n; i++) {
		panda_process_kill((panda_handle_t)kids[i]);
		panda_process_wait((panda_handle_t)kids[i], PANDA_DEADLINE_NEVER, NULL);
	}
	return n;
}

static int child_processes(void)
{
	long err;
	int n = spawn_until_refused(&err);

	say("processes-edquot-at-the-limit", err == -EDQUOT && n == 3, err);
	return !(err == -EDQUOT && n == 3);
}

static int child_threads(void)
{
	long err;
	int n = spawn_until_refused(&err);

	say("threads-edquot-at-the-limit", err == -EDQUOT && n == 1, err);
	return !(err == -EDQUOT && n == 1);
}

static int child_handles(void)
{
	long h;

	while ((h = panda_dup(panda_root(), RIGHTS_SAME)) >= 0)
		;
	int64_t used = record(panda_pid(), "used", "handles");
	bool good = h == -EDQUOT && used == 64;
	say("handles-edquot-at-the-limit", good, h);
	return !good;
}

static int child_mappings(void)
{
	long a;

	while ((a = panda_mem_map(NULL, 4096, PROT_READ | PROT_WRITE)) >= 0)
		;
	int64_t used = record(panda_pid(), "used", "mappings");
	bool good = a == -EDQUOT && used == 16;
	say("mappings-edquot-at-the-limit", good, a);
	return !good;
}

/* Sends page-sized messages nobody reads, a new channel whenever a queue
 * is full, until refused: the error, and *kib queued. */
static long flood(uint64_t *kib)
{
	static uint8_t doc[DOC_BYTES + 64];
	struct bson_builder b;
	panda_handle_t ends[2];
	long rc = 0;

	bson_build_init(&b, doc, sizeof(doc));
	uint8_t *data = bson_append_binary_space(&b, "data", DOC_BYTES);
	if (data)
		memset(data, 0x5a, DOC_BYTES);
	size_t size = bson_build_finish(&b);
	*kib = 0;
	for (;;) {
		rc = panda_channel_create(ends);
		if (rc < 0)
			return rc;
		struct panda_msg m = { .data = doc, .size = (uint32_t)size };
		while ((rc = panda_send(ends[0], &m, PANDA_NONBLOCK)) == 0)
			*kib += 8;
		if (rc != -EAGAIN)
			return rc;
	}
}

static int child_kmem(void)
{
	uint64_t kib;
	long rc = flood(&kib);
	/* At the limit even the record's reply is refused: the count says. */
	bool good = rc == -EDQUOT && kib >= 512 && kib <= 1024;

	printf("quota-test: %llu KiB queued on channels nobody reads\n", (unsigned long long)kib);
	say("kernel-memory-edquot-at-the-limit", good, rc);
	return !good;
}

static int child_umem(void)
{
	long base = panda_mem_map(NULL, 8 << 20, PROT_READ | PROT_WRITE);

	if (base < 0)
		return 1;
	touch(base, 8 << 20);
	printf("quota-test: FAIL user-memory: touched 8 MiB past a 2 MiB limit\n");
	return 1;
}

/* The code in the parked reply txid (an error reply), or recv's error. */
static long parked_error(uint32_t txid)
{
	uint8_t buf[256];
	struct panda_msg got = { .data = buf, .size = sizeof(buf), .txid = txid };
	struct bson_iter it;
	int64_t code = 0;

	long rc = panda_recv(panda_root(), &got, PANDA_RECV_REPLY, PANDA_DEADLINE_POLL);
	if (rc < 0)
		return rc;
	return bson_find(buf, "code", &it) && bson_iter_integer(&it, &code) ? code : -EBADMSG;
}

/* Calls "open" of a file on the root with a reply buffer too small for the reply,
 * so each reply, and the directory handle in it, is parked: until
 * refused, at most `tries` times. The count parked, *err why it stopped. */
static int park_until_refused(int tries, long *err)
{
	uint8_t req[64], small[8];
	struct bson_builder b;
	int n = 0;

	bson_build_init(&b, req, sizeof(req));
	bson_append_cstr(&b, "op", "open");
	bson_append_cstr(&b, "path", "etc/panda-release");
	struct panda_msg m = { .data = req, .size = (uint32_t)bson_build_finish(&b) };
	for (; n < tries; n++) {
		struct panda_msg reply = { .data = small, .size = sizeof(small) };
		*err = panda_call(panda_root(), &m, &reply, PANDA_DEADLINE_NEVER);
		if (*err != -ETOOSMALL)
			break;
		if (reply.handle_count == 0) {	/* an error reply: fetch it */
			*err = parked_error(reply.txid);
			break;
		}
	}
	return n;
}

static int child_parked(void)
{
	long err;
	int64_t before = record(panda_pid(), "own", "handles");
	int n = park_until_refused(1000, &err);
	int64_t after = record(panda_pid(), "own", "handles");
	bool good = err == -EDQUOT && before + n == 64 && after == 64;

	printf("quota-test: %d replies parked with handles beside %lld in the table\n", n,
	       (long long)before);
	say("parked-replies-edquot-at-the-handle-limit", good, err);
	return !good;
}

/* --- the modes ------------------------------------------------------- */

struct scenario {
	const char *mode;
	struct panda_limits limits;
	uint32_t how;			/* how the child must end */
};

static const struct scenario scenarios[] = {
	{ "processes", { .processes = 4 }, EXIT_NORMAL },
	{ "threads", { .threads = 2 }, EXIT_NORMAL },
	{ "handles", { .handles = 64 }, EXIT_NORMAL },
	{ "mappings", { .mappings = 16 }, EXIT_NORMAL },
	{ "kmem", { .kernel_memory = 1 << 20 }, EXIT_NORMAL },
	{ "umem", { .user_memory = 2 << 20 }, EXIT_FAULT },
	{ "parked-limit", { .handles = 64 }, EXIT_NORMAL },
};

static const char *const usage_keys[] = {
	"processes", "threads", "handles", "mappings", "kernel_memory", "user_memory",
};

/* Whether this tree holds only what this process holds itself. */
static bool tree_is_only_me(void)
{
	bool same = true;

	for (unsigned i = 0; i < sizeof(usage_keys) / sizeof(usage_keys[0]); i++) {
		int64_t used = record(panda_pid(), "used", usage_keys[i]);
		int64_t own = record(panda_pid(), "own", usage_keys[i]);
		if (used != own) {
			printf("quota-test: %s: the tree holds %lld, this process %lld\n",
			       usage_keys[i], (long long)used, (long long)own);
			same = false;
		}
	}
	return same;
}

static int run_limits(void)
{
	verdict_start("quota-test");
	for (unsigned i = 0; i < sizeof(scenarios) / sizeof(scenarios[0]); i++) {
		const struct scenario *s = &scenarios[i];
		struct panda_exit_status st = { .code = -1, .how = 99 };
		long h = spawn_mode(s->mode, NULL, &s->limits);
		long rc = h < 0 ? h : panda_process_wait((panda_handle_t)h, panda_clock() + WAIT_NS,
							&st);
		char name[64];
		snprintf(name, sizeof(name), "%s-child-ended-as-it-must", s->mode);
		verdict(name, rc == 0 && st.how == s->how && (s->how != EXIT_NORMAL || st.code == 0),
			"spawn/wait %s, ended %s with %d", verdict_err_text(rc),
			panda_exit_how_name(st.how), st.code);
		if (h >= 0)
			panda_close((panda_handle_t)h);
	}
	verdict("usage-back-to-this-process-alone", tree_is_only_me(), "see above");
	return verdict_finish();
}

static int run_parked(void)
{
	long err = 0;

	verdict_start("quota-test");
	int64_t before = record(panda_pid(), "own", "handles");
	int n = park_until_refused(6000, &err);
	int64_t after = record(panda_pid(), "own", "handles");
	printf("quota-test: %d replies parked with handles beside %lld in the table\n", n,
	       (long long)before);
	verdict("parking-stops-at-the-handle-limit", err == -EMFILE || err == -EDQUOT,
		"parking stopped with %s after %d", verdict_err_text(err), n);
	verdict("parked-handles-never-past-4096", before + n <= 4096 && after <= 4096,
		"%lld held", (long long)after);
	return verdict_finish();
}

static int run_bystander(void)
{
	size_t len = (size_t)BYSTANDER_MIB << 20;
	long base = panda_mem_map(NULL, len, PROT_READ | PROT_WRITE);

	if (base < 0)
		return 2;
	volatile uint32_t *w = words(base);
	for (size_t off = 0; off < len; off += 4096)
		w[off / 4] = (uint32_t)off ^ 0xb457a4d;
	panda_sleep(panda_clock() + 15000000000ull);
	for (size_t off = 0; off < len; off += 4096)
		if (w[off / 4] != ((uint32_t)off ^ 0xb457a4d))
			return 3;
	return 0;
}

static int run_flooder(void)
{
	uint64_t kib;
	long rc = flood(&kib);

	printf("quota-test: the flooder stopped at %llu KiB queued: %s\n", (unsigned long long)kib,
	       verdict_err_text(rc));
	panda_sleep(PANDA_DEADLINE_NEVER);
	return 0;
}

/* Polls pid's record until key stops growing (and is at least `least`). */
static int64_t settle(uint64_t pid, const char *key, int64_t least)
{
	int64_t last = -1, now = 0;
	uint64_t until = panda_clock() + WAIT_NS;

	while (panda_clock() < until) {
		now = record(pid, "used", key);
		if (now >= least && now == last)
			break;
		last = now;
		panda_sleep_ns(300000000ull);
	}
	return now;
}

/* The first two children of `parent`, in pid order: the order spawned. */
struct kids {
	int64_t parent;
	int64_t pid[2];
	unsigned n;
};

static int find_kids(void *ctx, const uint8_t *proc)
{
	struct kids *k = ctx;
	struct bson_iter it;
	int64_t pid = -1, ppid = -1;

	if (bson_find(proc, "pid", &it))
		bson_iter_integer(&it, &pid);
	if (bson_find(proc, "ppid", &it))
		bson_iter_integer(&it, &ppid);
	if (ppid == k->parent && k->n < 2)
		k->pid[k->n++] = pid;
	return 0;
}

static bool ended(long h, struct panda_exit_status *st)
{
	return panda_process_wait((panda_handle_t)h, PANDA_DEADLINE_POLL, st) == 0;
}

static int run_oom(void)
{
	struct panda_exit_status fst = { 0 }, bst = { .how = 99 };

	verdict_start("quota-test");
	long by = spawn_mode("bystander", NULL, NULL);
	long fl = spawn_mode("flooder", NULL, NULL);
	if (!verdict_expect_ok("bystander-and-flooder-start", by < 0 ? by : fl))
		return verdict_finish();
	struct kids k = { .parent = panda_pid() };
	panda_processes(find_kids, &k);
	uint32_t by_pid = (uint32_t)k.pid[0], fl_pid = (uint32_t)k.pid[1];
	printf("quota-test: bystander pid %u, flooder pid %u\n", by_pid, fl_pid);
	int64_t held = settle(by_pid, "user_memory", (int64_t)BYSTANDER_MIB << 20);
	int64_t queued = settle(fl_pid, "kernel_memory", 1);
	printf("quota-test: the bystander holds %lld KiB, the flooder %lld KiB of kernel memory\n",
	       (long long)held >> 10, (long long)queued >> 10);
	/* Touch until the machine runs out of frames and the OOM killer acts,
	 * but never up to this tree's own user-memory limit: once the
	 * flooder is killed its memory comes back while it exits, and
	 * touching on meanwhile could reach the limit, for which this
	 * process would die instead (it did, once in nine runs). */
	int64_t limit = record(panda_pid(), "limit", "user_memory");
	size_t mib = 0;
	for (; mib < 200 && !ended(fl, &fst) &&
	       record(panda_pid(), "used", "user_memory") + (8 << 20) < limit; mib++) {
		long a = panda_mem_map(NULL, 1 << 20, PROT_READ | PROT_WRITE);
		if (a < 0)
			break;
		touch(a, 1 << 20);
	}
	printf("quota-test: touched %zu MiB here\n", mib);
	verdict("the-flooder-was-killed", ended(fl, &fst) && fst.how == EXIT_KILLED, "%s",
		panda_exit_how_name(fst.how));
	long rc = panda_process_wait((panda_handle_t)by, panda_clock() + WAIT_NS, &bst);
	verdict("the-bystander-kept-its-memory", rc == 0 && bst.how == EXIT_NORMAL && bst.code == 0,
		"%s, ended %s with %d", verdict_err_text(rc), panda_exit_how_name(bst.how),
		bst.code);
	return verdict_finish();
}

int main(int argc, char **argv)
{
	static const struct {
		const char *mode;
		int (*fn)(void);
	} modes[] = {
		{ "limits", run_limits }, { "parked", run_parked }, { "oom", run_oom },
		{ "bystander", run_bystander }, { "flooder", run_flooder },
		{ "processes", child_processes }, { "threads", child_threads },
		{ "handles", child_handles }, { "mappings", child_mappings },
		{ "kmem", child_kmem }, { "umem", child_umem }, { "parked-limit", child_parked },
	};
	const char *mode = argc > 1 ? argv[1] : "limits";

	if (!strcmp(mode, "sleep"))
		return (int)panda_sleep(panda_clock() + 30000000000ull);
	for (unsigned i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(mode, modes[i].mode))
			return modes[i].fn();
	printf("usage: quota-test limits|parked|oom\n");
	return 2;
}
