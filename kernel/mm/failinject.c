/* Allocation fault injection: one plan, its counts, and the decision the
 * allocators ask for (mm/failinject.h). The decision runs inside
 * frame_alloc and the heap, possibly under their callers' locks, so it
 * takes only its own leaf lock and never allocates. */
#include "mm/failinject.h"

#include "arch/arch.h"
#include "core/backtrace.h"
#include "core/ksyms.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/params.h"
#include "core/spinlock.h"
#include "lib/string.h"
#include "mm/frame.h"

/* Frames above the allocation searched for the plan's site: the hook, the
 * allocator and a few wrappers (slab refill, message and page helpers). */
#define SITE_DEPTH 12

enum scope { SCOPE_ALL, SCOPE_PROCESS, SCOPE_NEXT_CALL };
enum call_state { CALL_WAITING, CALL_ACTIVE, CALL_DONE };

static struct spinlock lock = SPINLOCK_INIT("failinject");
bool failinject_armed;			/* written under lock; read without */
static struct failinject_plan plan;	/* guarded by lock, as is all below */
static enum scope scope;
static struct failinject_counts counts;
static bool log_each;			/* command-line plans log every failure */
/* SCOPE_NEXT_CALL: the thread and the number of the call it covers. The
 * pid too (pids are never reused), so a new thread at a dead one's address
 * is never taken for it. */
static const struct thread *call_thread;
static uint32_t call_pid;

/* The running thread's pid, 0 in a kernel thread: the process layer
 * (above mm) registers how to tell; until then every thread is a kernel
 * thread. */
static uint32_t (*current_pid)(void);

void failinject_set_pid_source(uint32_t (*fn)(void))
{
	current_pid = fn;
}

static uint32_t pid_now(void)
{
	return current_pid ? current_pid() : 0;
}
static unsigned call_nr;
static enum call_state call_state;

static bool word_is(const char *c, size_t len, const char *word)
{
	return strlen(word) == len && strncmp(c, word, len) == 0;
}

static unsigned kind_bit(const char *c, size_t len)
{
	return word_is(c, len, "frame")	    ? FAILINJECT_FRAME
	       : word_is(c, len, "slab")    ? FAILINJECT_SLAB
	       : word_is(c, len, "kmalloc") ? FAILINJECT_KMALLOC
	       : word_is(c, len, "any")     ? FAILINJECT_ANY
					    : 0;
}

/* KINDS: names joined by '+', up to ':' ',' or the end. */
static bool parse_kinds(const char **c, unsigned *kinds)
{
	*kinds = 0;
	for (;;) {
		size_t len = 0;
		while ((*c)[len] && !strchr("+:,", (*c)[len]))
			len++;
		unsigned bit = kind_bit(*c, len);
		if (!bit)
			return false;
		*kinds |= bit;
		*c += len;
		if (**c != '+')
			return true;
		(*c)++;
	}
}

/* One ",key=value" option. */
static bool parse_option(const char **c, struct failinject_plan *p)
{
	uint64_t v;

	if (strncmp(*c, "times=", 6) == 0) {
		*c += 6;
		return parse_u64(c, &p->times);
	}
	if (strncmp(*c, "pid=", 4) == 0) {
		*c += 4;
		if (!parse_u64(c, &v) || v == 0 || v > UINT32_MAX)
			return false;
		p->pid = (uint32_t)v;
		return true;
	}
	if (strncmp(*c, "site=", 5) == 0) {
		*c += 5;
		size_t len = 0;
		while ((*c)[len] && (*c)[len] != ',')
			len++;
		if (len == 0 || len >= sizeof(p->site))
			return false;
		memcpy(p->site, *c, len);
		p->site[len] = 0;
		*c += len;
		return true;
	}
	return false;
}

bool failinject_parse(const char *spec, struct failinject_plan *out)
{
	struct failinject_plan p = { .nth = 1, .times = 1 };
	const char *c = spec;

	if (!parse_kinds(&c, &p.kinds))
		return false;
	if (*c == ':') {
		c++;
		if (!parse_u64(&c, &p.nth) || p.nth == 0)
			return false;
	}
	while (*c == ',') {
		c++;
		if (!parse_option(&c, &p))
			return false;
	}
	if (*c)
		return false;
	*out = p;
	return true;
}

/* Replaces the plan; nr is the covered call's number for SCOPE_NEXT_CALL. */
static void arm(const struct failinject_plan *p, enum scope s, bool log, unsigned nr)
{
	guard(spinlock)(&lock);
	plan = *p;
	scope = s;
	counts = (struct failinject_counts){ 0 };
	log_each = log;
	call_thread = s == SCOPE_NEXT_CALL ? arch_current_thread() : NULL;
	call_pid = call_thread ? pid_now() : 0;
	call_nr = nr;
	call_state = CALL_WAITING;
	__atomic_store_n(&failinject_armed, p->kinds != 0, __ATOMIC_RELEASE);
}

void failinject_arm(const struct failinject_plan *p)
{
	arm(p, p->pid ? SCOPE_PROCESS : SCOPE_ALL, false, 0);
}

void failinject_arm_next_call(const struct failinject_plan *p, unsigned syscall_nr)
{
	struct failinject_plan q = *p;

	q.pid = 0;
	arm(&q, SCOPE_NEXT_CALL, false, syscall_nr);
}

void failinject_disarm(struct failinject_counts *out)
{
	guard(spinlock)(&lock);
	__atomic_store_n(&failinject_armed, false, __ATOMIC_RELEASE);
	plan.kinds = 0;
	if (out)
		*out = counts;
}

void failinject_get_counts(struct failinject_counts *out)
{
	guard(spinlock)(&lock);
	*out = counts;
}

/* True when the plan's site is one of the functions on the stack. */
static bool site_on_stack(void)
{
	struct trap_frame frame;
	uintptr_t pcs[SITE_DEPTH], offset;

	arch_capture_frame(&frame);
	size_t n = arch_stack_trace(&frame, pcs, SITE_DEPTH);
	for (size_t i = 1; i < n; i++) {	/* pcs[0] is this function */
		const char *name = ksyms_lookup(pcs[i] - 1, &offset);
		if (name && strcmp(name, plan.site) == 0)
			return true;
	}
	return false;
}

/* Caller holds lock. */
static bool is_call_thread(void)
{
	const struct thread *t = arch_current_thread();

	spin_assert_held(&lock);
	return t && t == call_thread && call_pid && pid_now() == call_pid;
}

/* Caller holds lock. */
static bool in_scope(void)
{
	spin_assert_held(&lock);
	switch (scope) {
	case SCOPE_ALL:
		return true;
	case SCOPE_PROCESS:
		return pid_now() == plan.pid;
	default:
		return call_state == CALL_ACTIVE && is_call_thread();
	}
}

static const char *kind_name(enum failinject_kind kind)
{
	return kind == FAILINJECT_FRAME ? "frame" : kind == FAILINJECT_SLAB ? "slab" : "kmalloc";
}

bool failinject_decide(enum failinject_kind kind)
{
	uint64_t nth;
	bool fail, log;
	{
		guard(spinlock)(&lock);
		if (!(plan.kinds & kind) || !in_scope() || (plan.site[0] && !site_on_stack()))
			return false;
		nth = ++counts.seen;
		fail = nth >= plan.nth && (plan.times == 0 || nth - plan.nth < plan.times);
		counts.injected += fail;
		log = fail && log_each;
	}
	if (log) {
		log_info("failinject: failing %s allocation %lu\n", kind_name(kind), nth);
		backtrace_print_here();
	}
	return fail;
}

/* The covered call starts with the caches drained (the message caches,
 * empty slabs), so each allocation it makes reaches the allocators and
 * can be failed, not just those a warm cache would have missed. */
void failinject_enter(unsigned nr)
{
	bool starts;
	{
		guard(spinlock)(&lock);
		starts = scope == SCOPE_NEXT_CALL && call_state == CALL_WAITING &&
			 nr == call_nr && is_call_thread();
		if (starts)
			call_state = CALL_ACTIVE;
	}
	if (starts)
		frame_reclaim();
}

void failinject_exit(void)
{
	guard(spinlock)(&lock);
	if (scope == SCOPE_NEXT_CALL && call_state == CALL_ACTIVE && is_call_thread())
		call_state = CALL_DONE;
}

static bool parse_failinject(const char *value)
{
	struct failinject_plan p;

	if (!failinject_parse(value, &p)) {
		log_warn("cmdline: failinject= needs KINDS[:N][,times=T][,site=FUNCTION][,pid=P] "
			 "(KINDS: frame, slab, kmalloc or any, joined by '+'), not \"%s\"\n", value);
		return false;
	}
	arm(&p, p.pid ? SCOPE_PROCESS : SCOPE_ALL, true, 0);
	return true;
}
PARAM("failinject", parse_failinject);
