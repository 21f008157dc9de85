/* The fault-injection sweep (`test=failsweep`, docs/testing.md) and the
 * failinject object it hands its test program.
 *
 * For each system-call family the kernel runs `/test/failsweep FAMILY N`
 * for N = 1, 2, ..., then `FAMILY N+` likewise. The program sets up, asks
 * the object to fail the Nth allocation (N+: every one from the Nth on) of
 * its next call, makes the call and checks it: an error
 * (ENOMEM) and no damage, or success when nothing was injected, which ends
 * the family. After each run the kernel checks the program ended normally
 * and that the allocators are back at the family's baseline.
 *
 * The object (docs/protocols.md, "failinject") only ever goes to the
 * programs this sweep starts: it is the privileged way to arm a plan. */
#include "core/log.h"
#include "core/panic.h"
#include "core/params.h"
#include "core/selftest.h"
#include "dev/console.h"
#include "fs/root.h"
#include "lib/abi.h"
#include "lib/bson.h"
#include "lib/errors.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/failinject.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/snapshot.h"
#include "object/message.h"
#include "object/answer.h"
#include "object/request.h"
#include "proc/proc_selftest.h"
#include "proc/process.h"
#include "proc/spawn.h"
#include "proc/sysinfo.h"

#define MAX_N		400	/* no call here makes this many allocations */

/* Exit codes of /test/failsweep (user/test/failsweep.c). */
enum { RUN_SUCCEEDED, RUN_FAILED_CLEANLY, RUN_ABSORBED, RUN_NO_FAMILY = 99 };

/* ---- the object ---- */

static void failinject_destroy(struct kobj *obj)
{
	(void)obj;
	panic("failinject: the failinject object lost its last reference");
}

static void append_counts(struct bson_builder *b, const struct failinject_counts *c)
{
	bson_append_int64(b, "seen", (int64_t)c->seen);
	bson_append_int64(b, "injected", (int64_t)c->injected);
}

/* {"op": "arm", "plan": "KINDS[:N]...", "syscall": NR} -> {} */
static int failinject_request_arm(const struct message *req)
{
	const char *spec;
	uint32_t len;
	int64_t nr;
	char buf[96];
	struct failinject_plan plan;

	if (request_string(req, "plan", &spec, &len) != 1 || len >= sizeof(buf) ||
	    request_int(req, "syscall", &nr) != 1 || nr < 0 || nr >= SYS_COUNT)
		return -EINVAL;
	memcpy(buf, spec, len);
	buf[len] = 0;
	if (strlen(buf) != len || !failinject_parse(buf, &plan))
		return -EINVAL;
	failinject_arm_next_call(&plan, (unsigned)nr);
	return 0;
}

/* Kernel memory a process's call can hold: heap objects, large kmalloc
 * pages and kernel frames (stacks, file data). User pages and page tables
 * are left out: a failed call may rightly have paged in part of a buffer. */
struct held {
	uint64_t objects, large_pages, kernel_frames;
};

static struct held held_baseline;	/* one caller at a time: the sweep's */

static void held_now(struct held *h)
{
	struct kmalloc_stats k;
	struct frame_stats f;

	frame_reclaim();	/* cached messages are not held by anyone */
	kmalloc_get_stats(&k);
	frame_get_stats(&f);
	*h = (struct held){ k.objects, k.large_pages, f.owned[OWNER_KERNEL] };
}

/* {"op": "compare"} -> {"same": B, "objects": D, "large_pages": D,
 * "kernel_frames": D}, the differences from the last "baseline". */
static void failinject_compare(struct bson_builder *b)
{
	struct held now;

	held_now(&now);
	bson_append_bool(b, "same", now.objects == held_baseline.objects &&
					    now.large_pages == held_baseline.large_pages &&
					    now.kernel_frames == held_baseline.kernel_frames);
	bson_append_int64(b, "objects", (int64_t)(now.objects - held_baseline.objects));
	bson_append_int64(b, "large_pages",
			  (int64_t)(now.large_pages - held_baseline.large_pages));
	bson_append_int64(b, "kernel_frames",
			  (int64_t)(now.kernel_frames - held_baseline.kernel_frames));
}

enum { OP_ARM, OP_COUNTS, OP_DISARM, OP_BASELINE, OP_COMPARE };
static const struct request_op failinject_ops[] = {
	[OP_ARM] = { "arm", RIGHT_WRITE },
	[OP_COUNTS] = { "counts", RIGHT_WRITE },
	[OP_DISARM] = { "disarm", RIGHT_WRITE },
	[OP_BASELINE] = { "baseline", RIGHT_WRITE },
	[OP_COMPARE] = { "compare", RIGHT_WRITE },
};

static int failinject_answer(struct kobj *obj, uint32_t rights, struct message *req,
			     struct kobj_reply *reply)
{
	int op = request_op_index(req, REQUEST_OPS(failinject_ops), rights);
	struct failinject_counts c;

	(void)obj;
	if (op < 0)
		return op;
	switch (op) {
	case OP_ARM:
		return failinject_request_arm(req);
	case OP_COUNTS:
		failinject_get_counts(&c);
		break;
	case OP_BASELINE:
		held_now(&held_baseline);
		return 0;
	case OP_COMPARE:
		failinject_compare(reply->doc);
		return 0;
	default:
		failinject_disarm(&c);
		break;
	}
	append_counts(reply->doc, &c);
	return 0;
}

static const struct kobj_type failinject_type = {
	.name = "failinject",
	.destroy = failinject_destroy,
	.send = kobj_answer_send,
	.call = kobj_answer_call,
	.answer = failinject_answer,
};

/* Static: only atomic counts. */
static struct kobj failinject_obj = { .type = &failinject_type, .refs = 1 };

/* ---- the sweep ---- */

/* Every system call and kernel object request, grouped as the program
 * tests them (the program's table has the same names). */
static const char *const families[] = {
	"dup", "close", "channel-create", "send", "send-handles", "send-big", "recv",
	"recv-handles", "channel-call", "wait-many", "spawn", "process-wait", "process-kill",
	"mem-map", "mem-unmap", "mem-protect", "debug-write", "sleep", "clock",
	"yield", "getpid", "console-write", "sysinfo-memory", "sysinfo-processes",
	"sysinfo-open", "sysinfo-uptime", "fs-create", "fs-open", "fs-write",
	"fs-write-big", "fs-read", "fs-truncate", "fs-readdir", "fs-mkdir", "fs-rename",
	"fs-unlink", "fs-stat", "fs-open-dir", "fs-read-offset", "fs-create-grow",
};
#define FAMILY_COUNT (sizeof(families) / sizeof(families[0]))

static const char *only_family;		/* failsweep=FAMILY, or NULL */
static char only_family_buf[32];	/* set once at boot, as is only_family */

static bool parse_failsweep(const char *value)
{
	if (!*value || strlen(value) >= sizeof(only_family_buf)) {
		log_warn("cmdline: failsweep= needs a family name\n");
		return false;
	}
	strlcpy(only_family_buf, value, sizeof(only_family_buf));
	only_family = only_family_buf;
	return true;
}
PARAM("failsweep", parse_failsweep);

/* Spawns `/test/failsweep FAMILY N` (`N+` when from) with the standard grants, the
 * failinject object after them (STARTUP_STANDARD). */
static int spawn_run(const char *family, unsigned n, bool from, struct process **out)
{
	static struct spawn_request req;
	static char args[64];
	struct kobj *root __free(kobj_put) = fs_root_dir();
	struct kobj *console __free(kobj_put) = console_object();
	struct kobj *sysinfo __free(kobj_put) = sysinfo_object();
	char num[12];
	size_t at = 0;

	if (!root)
		return -ENOENT;
	fmt_snprintf(num, sizeof(num), "%u%s", n, from ? "+" : "");
	const char *words[] = { "/test/failsweep", family, num };
	for (unsigned i = 0; i < 3; i++)
		at += strlcpy(args + at, words[i], sizeof(args) - at) + 1;
	memset(&req, 0, sizeof(req));
	req.dir = root;
	req.grants[STARTUP_ROOT] = (struct spawn_grant){ root, RIGHTS_ALL };
	req.grants[STARTUP_CONSOLE] = (struct spawn_grant){ console, RIGHTS_ALL };
	req.grants[STARTUP_CWD] = (struct spawn_grant){ root, RIGHTS_ALL };
	req.grants[STARTUP_SYSINFO] = (struct spawn_grant){ sysinfo, RIGHTS_ALL };
	req.grants[STARTUP_STANDARD] = (struct spawn_grant){ &failinject_obj, RIGHTS_ALL };
	req.grant_count = STARTUP_STANDARD + 1;
	req.path = args;
	req.args = args;
	req.args_len = at;
	req.argc = 3;
	return spawn_process(&req, out);
}

/* One run: the program's exit code, or -1 when it did not exit normally
 * (crashed, killed) or could not start. */
static int run_once(const char *family, unsigned n, bool from, struct failinject_counts *c)
{
	struct process *p;
	struct panda_exit_status st;

	int rc = spawn_run(family, n, from, &p);
	if (rc < 0) {
		kprintf("failsweep: cannot start the program: %s\n", error_name(rc));
		return -1;
	}
	process_wait(p, UINT64_MAX, &st);
	process_put(p);
	failinject_disarm(c);	/* whatever the program left armed */
	return st.how == EXIT_NORMAL ? st.code : -1;
}

struct family_result {
	unsigned injected;	/* runs whose call had a failure injected */
	unsigned first_success;	/* N of the first run with nothing injected */
	bool ok;
};

/* Checks one run: a clean exit, and memory back at the baseline. */
static bool run_checked(const char *family, unsigned n, bool from, uint32_t threads,
			const struct mm_snapshot *base, int *code)
{
	struct failinject_counts c;

	*code = run_once(family, n, from, &c);
	bool ok = *code >= RUN_SUCCEEDED && *code <= RUN_ABSORBED;
	if (!ok)
		kprintf("failsweep: %s N=%u: the program %s (code %d)\n", family, n,
			*code < 0 ? "did not exit normally" : "found a fault", *code);
	if (*code == RUN_SUCCEEDED && c.injected) {
		kprintf("failsweep: %s N=%u: succeeded with %lu failures injected\n", family, n,
			c.injected);
		ok = false;
	}
	if (!proc_selftest_settle(threads) || !mm_snapshot_same(base)) {
		kprintf("failsweep: %s N=%u: memory is not back at its baseline\n", family, n);
		ok = false;
	}
	return ok;
}

static struct family_result sweep_family(const char *family, bool from)
{
	struct family_result r = { 0, 0, true };
	struct mm_snapshot base;
	uint32_t threads = thread_count();
	int code;

	/* A first run with nothing armed (N = 0) reaches the high-water marks
	 * (page tables of the kernel-stack area, grown caches) before the
	 * baseline is taken. */
	r.ok = run_once(family, 0, false, &(struct failinject_counts){ 0 }) == RUN_SUCCEEDED &&
	       proc_selftest_settle(threads);
	if (!r.ok) {
		kprintf("failsweep: %s: the call fails with nothing injected\n", family);
		return r;
	}
	mm_snapshot_take(&base);
	for (unsigned n = 1; n <= MAX_N; n++) {
		r.ok &= run_checked(family, n, from, threads, &base, &code);
		if (code < 0 || code > RUN_ABSORBED)
			break;
		if (code == RUN_SUCCEEDED) {
			r.first_success = n;
			break;
		}
		r.injected++;
	}
	if (!r.first_success)
		r.ok = false;
	return r;
}

/* Sweeps one family in one mode: the Nth allocation alone failing, or
 * (`from`) every allocation from the Nth on, so error paths that allocate
 * as they clean up (an error reply, a log) meet a failure too. */
static unsigned sweep(const char *family, bool from)
{
	struct family_result r = sweep_family(family, from);

	kprintf("failsweep: %s%s: %u injected failures, first success at N=%u\n", family,
		from ? " (from N on)" : "", r.injected, r.first_success);
	SELFTEST_CHECK(r.ok);
	return r.injected;
}

static void test_failsweep(void)
{
	unsigned total = 0, families_run = 0;

	for (unsigned i = 0; i < FAMILY_COUNT; i++) {
		if (only_family && strcmp(only_family, families[i]) != 0)
			continue;
		selftest_case(families[i]);
		total += sweep(families[i], false);
		total += sweep(families[i], true);
		families_run++;
	}
	kprintf("failsweep: %u families, %u injected failures in all\n", families_run, total);
	SELFTEST_CHECK(families_run > 0);
}
SELFTEST_MANUAL(failsweep, test_failsweep);
