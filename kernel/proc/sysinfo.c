/* The sysinfo object (docs/protocols.md, "sysinfo"): what ps, free, uptime
 * and kill need, through one handle. Every request needs RIGHT_READ; a
 * process handle it opens has no right the sysinfo handle lacks, and the
 * kill right only over the caller's own subtree: any holder can look at
 * every process, and stop only what it started (a holder confined to a
 * sysinfo handle without RIGHT_KILL, none at all). */
#include "proc/sysinfo.h"

#include "arch/arch.h"
#include "core/panic.h"
#include "dev/rtc.h"
#include "lib/abi.h"
#include "lib/bson.h"
#include "lib/errors.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "object/message.h"
#include "object/answer.h"
#include "object/request.h"
#include "proc/process.h"
#include "mm/quota.h"

/* processes: at most this many a reply, so a batch's snapshot is a small
 * allocation and its reply has a fixed bound (an entry is under 200 bytes:
 * short keys, a name of at most 31). */
#define PROCESS_BATCH		32u
#define PROCESS_ENTRY_MAX	240u
#define PROCESSES_REPLY		(PROCESS_BATCH * PROCESS_ENTRY_MAX + 64u)
_Static_assert(PROCESSES_REPLY <= MESSAGE_PAGE_ROOM, "a batch fits a cached message");
#define SMALL_REPLY		512u
#define LIMITS_REPLY		1024u	/* four documents of six int64s */

/* What an opened process handle may carry, less what the sysinfo handle
 * lacks. */
#define OPEN_RIGHTS	(RIGHT_WAIT | RIGHT_KILL | RIGHT_SEND | RIGHT_DUP | RIGHT_TRANSFER)

static void sysinfo_destroy(struct kobj *obj)
{
	(void)obj;
	panic("sysinfo: the sysinfo object lost its last reference");
}

static const char *const activity_names[] = {
	[PROCESS_STARTING] = "starting", [PROCESS_RUNNING] = "running",
	[PROCESS_READY] = "ready", [PROCESS_BLOCKED] = "blocked",
	[PROCESS_EXITING] = "exiting", [PROCESS_GONE] = "exited",
};

/* {"op": "processes", "cursor": C (optional, 0)} ->
 * {"processes": [{"pid", "ppid", "name", "state", "memory", "cpu_ns",
 *   "threads", "started_ns"}...], "cursor": C', "end": bool} */
static int sysinfo_processes(const struct message *req, struct bson_builder *b)
{
	int64_t start = 0;
	bool more;

	if (request_int(req, "cursor", &start) < 0 || start < 0)
		return -EINVAL;
	struct process_info *info __free(kfree) = kmalloc(PROCESS_BATCH * sizeof(*info));
	if (!info)
		return -ENOMEM;
	/* A cursor past every pid there can be just finds nothing. */
	uint32_t after = start > UINT32_MAX ? UINT32_MAX : (uint32_t)start;
	unsigned n = process_list(after, info, PROCESS_BATCH, &more);
	bson_begin_array(b, "processes");
	for (unsigned i = 0; i < n; i++) {
		const struct process_info *p = &info[i];
		bson_begin_document(b, NULL);
		bson_append_int64(b, "pid", p->pid);
		bson_append_int64(b, "ppid", p->ppid);
		bson_append_cstr(b, "name", p->name);
		bson_append_cstr(b, "state", activity_names[p->activity]);
		bson_append_int64(b, "memory", (int64_t)(p->resident * PAGE_SIZE));
		bson_append_int64(b, "cpu_ns", (int64_t)p->cpu_ns);
		bson_append_int64(b, "threads", p->threads);
		bson_append_int64(b, "started_ns", (int64_t)p->started_at);
		bson_end_document(b);
	}
	bson_end_array(b);
	bson_append_int64(b, "cursor", n ? info[n - 1].pid : after);
	bson_append_bool(b, "end", !more);
	return 0;
}

/* {"op": "memory"} -> {"total", "free", "used", "available", "user",
 * "kernel", "page_tables", "slab"}, all bytes. */
static int sysinfo_memory(struct bson_builder *b)
{
	struct frame_stats st;

	frame_get_stats(&st);
	/* User requests cannot take the last min_watermark frames (docs/
	 * memory.md), so that much of the free memory is not available. */
	uint64_t reserve = st.min_watermark < st.free ? st.min_watermark : st.free;
	bson_append_int64(b, "total", (int64_t)(st.total * PAGE_SIZE));
	bson_append_int64(b, "free", (int64_t)(st.free * PAGE_SIZE));
	bson_append_int64(b, "used", (int64_t)((st.total - st.free) * PAGE_SIZE));
	bson_append_int64(b, "available", (int64_t)((st.free - reserve) * PAGE_SIZE));
	bson_append_int64(b, "user", (int64_t)(st.owned[OWNER_USER] * PAGE_SIZE));
	bson_append_int64(b, "kernel", (int64_t)(st.owned[OWNER_KERNEL] * PAGE_SIZE));
	bson_append_int64(b, "page_tables", (int64_t)(st.owned[OWNER_PAGE_TABLE] * PAGE_SIZE));
	bson_append_int64(b, "slab", (int64_t)(st.owned[OWNER_CACHE] * PAGE_SIZE));
	return 0;
}

/* {"op": "uptime"} -> {"uptime_ns", "time_ns"} */
static int sysinfo_uptime(struct bson_builder *b)
{
	bson_append_int64(b, "uptime_ns", (int64_t)arch_clock_ns());
	bson_append_int64(b, "time_ns", (int64_t)rtc_now_ns());
	return 0;
}

/* The process a request's "pid" names, with a reference for the caller:
 * 0, -EINVAL for a missing or impossible pid, -ENOENT for none. */
static int request_process(const struct message *req, int64_t *pid, struct process **out)
{
	if (request_int(req, "pid", pid) != 1 || *pid < 0 || *pid > UINT32_MAX)
		return -EINVAL;
	*out = process_find((uint32_t)*pid);
	return *out ? 0 : -ENOENT;
}

/* {"op": "open", "pid": N} -> {"pid": N} and a process handle */
static int sysinfo_open(uint32_t rights, const struct message *req, struct kobj_reply *reply)
{
	int64_t pid;
	struct process *p __free(process_put) = NULL;
	int rc = request_process(req, &pid, &p);

	if (rc < 0)
		return rc;
	uint32_t granted = rights & OPEN_RIGHTS;
	/* Least authority: the kill right only over what the caller started
	 * (docs/protocols.md, "Who may kill whom"), so nothing below init
	 * can stop init, its parent or a sibling by pid. */
	if (!process_in_subtree(current_process(), p))
		granted &= ~RIGHT_KILL;
	rc = kobj_reply_attach(reply, &p->obj, granted);
	if (rc < 0)
		return rc;
	bson_append_int64(reply->doc, "pid", pid);
	return 0;
}

/* The limits record's keys, in enum quota_kind's (and struct
 * panda_limits') order; memory in bytes. */
static const char *const quota_names[QUOTA_KINDS] = {
	[QUOTA_PROCESSES] = "processes", [QUOTA_THREADS] = "threads",
	[QUOTA_HANDLES] = "handles", [QUOTA_MAPPINGS] = "mappings",
	[QUOTA_KMEM] = "kernel_memory", [QUOTA_UMEM] = "user_memory",
};

static void append_quota(struct bson_builder *b, const char *key, const uint64_t *v)
{
	bson_begin_document(b, key);
	for (unsigned k = 0; k < QUOTA_KINDS; k++)
		bson_append_int64(b, quota_names[k],
				  (int64_t)(k == QUOTA_UMEM ? v[k] * PAGE_SIZE : v[k]));
	bson_end_document(b);
}

/* {"op": "limits", "pid": N} -> {"pid": N, "limit", "used", "own",
 * "refused"}: the limits of the tree pid heads, what the tree holds, what
 * pid holds itself, and how many charges each limit refused. */
static int sysinfo_limits(const struct message *req, struct bson_builder *b)
{
	int64_t pid;
	struct quota_info q;
	struct process *p __free(process_put) = NULL;
	int rc = request_process(req, &pid, &p);

	if (rc < 0)
		return rc;
	quota_read(p->quota, &q);	/* the node lasts as long as p */
	bson_append_int64(b, "pid", pid);
	append_quota(b, "limit", q.limit);
	append_quota(b, "used", q.used);
	append_quota(b, "own", q.own);
	bson_begin_document(b, "refused");
	for (unsigned k = 0; k < QUOTA_KINDS; k++)
		bson_append_int64(b, quota_names[k], (int64_t)q.refused[k]);
	bson_end_document(b);
	return 0;
}

/* {"op": "stacks", "pid": N} -> {"threads": T}: prints where each of
 * pid's threads is in the kernel to the kernel log, as Linux's
 * /proc/PID/stack: how a test that finds a process stuck says why. */
static int sysinfo_stacks(const struct message *req, struct bson_builder *b)
{
	int64_t pid;
	struct process *p __free(process_put) = NULL;
	int rc = request_process(req, &pid, &p);

	if (rc < 0)
		return rc;
	bson_append_int32(b, "threads", (int32_t)process_print_stacks(p));
	return 0;
}

enum { OP_PROCESSES, OP_MEMORY, OP_UPTIME, OP_OPEN, OP_LIMITS, OP_STACKS };
static const struct request_op sysinfo_ops[] = {
	[OP_PROCESSES] = { "processes", RIGHT_READ },
	[OP_MEMORY] = { "memory", RIGHT_READ },
	[OP_UPTIME] = { "uptime", RIGHT_READ },
	[OP_OPEN] = { "open", RIGHT_READ },
	[OP_LIMITS] = { "limits", RIGHT_READ },
	[OP_STACKS] = { "stacks", RIGHT_READ },
};

static int sysinfo_answer(struct kobj *obj, uint32_t rights, struct message *req,
			  struct kobj_reply *reply)
{
	int op = request_op_index(req, REQUEST_OPS(sysinfo_ops), rights);

	(void)obj;
	switch (op) {
	case OP_PROCESSES:
		return sysinfo_processes(req, reply->doc);
	case OP_MEMORY:
		return sysinfo_memory(reply->doc);
	case OP_UPTIME:
		return sysinfo_uptime(reply->doc);
	case OP_LIMITS:
		return sysinfo_limits(req, reply->doc);
	case OP_STACKS:
		return sysinfo_stacks(req, reply->doc);
	case OP_OPEN:
		return sysinfo_open(rights, req, reply);
	default:
		return op;		/* -EINVAL, -ENOSYS or -EACCES */
	}
}

static uint32_t sysinfo_reply_size(struct kobj *obj, const struct message *req)
{
	uint32_t len;
	const char *op = request_op(req, &len);

	(void)obj;
	if (op && request_op_is(op, len, "processes"))
		return PROCESSES_REPLY;
	return op && request_op_is(op, len, "limits") ? LIMITS_REPLY : SMALL_REPLY;
}

const struct kobj_type sysinfo_type = {
	.name = "sysinfo",
	.destroy = sysinfo_destroy,
	.send = kobj_answer_send,
	.call = kobj_answer_call,
	.answer = sysinfo_answer,
	.reply_size = sysinfo_reply_size,
};

/* The kernel's reference, from the start: nothing to initialise. */
/* Static: only atomic counts. */
static struct kobj sysinfo = { .type = &sysinfo_type, .refs = 1 };

struct kobj *sysinfo_object(void)
{
	return kobj_get(&sysinfo);
}
