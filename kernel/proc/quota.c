#include "proc/quota.h"

#include "core/panic.h"
#include "core/spinlock.h"
#include "lib/errors.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/kstack.h"

static struct spinlock quota_lock = SPINLOCK_INIT("quota");
static struct kcache *quota_cache;
static uint64_t root_limit[QUOTA_KINDS];
static uint64_t nodes;			/* quota_lock */

/* A child's default limit is its parent's less this fraction, which the
 * parent keeps for itself: one runaway child cannot take everything its
 * parent has, and the parent can still spawn, map and talk. */
#define QUOTA_RESERVE_DIV	8u

void quota_init(uint64_t frames)
{
	root_limit[QUOTA_PROCESSES] = KSTACK_SLOTS;
	root_limit[QUOTA_THREADS] = KSTACK_SLOTS;
	root_limit[QUOTA_HANDLES] = 16 * QUOTA_OWN_HANDLES_MAX;
	root_limit[QUOTA_MAPPINGS] = 65536;
	/* Kernel memory that processes can hold (messages, tables, regions)
	 * is half of all memory, so the kernel's own always has room. */
	root_limit[QUOTA_KMEM] = frames * PAGE_SIZE / 2;
	root_limit[QUOTA_UMEM] = frames;
	quota_cache = kcache_create("quota", sizeof(struct quota));
	KASSERT(quota_cache);
}

/* The ask for kind in the limit's own unit, 0 for none. */
static uint64_t asked(const struct panda_limits *ask, enum quota_kind kind)
{
	if (!ask)
		return 0;
	const uint64_t v[QUOTA_KINDS] = {
		[QUOTA_PROCESSES] = ask->processes, [QUOTA_THREADS] = ask->threads,
		[QUOTA_HANDLES] = ask->handles, [QUOTA_MAPPINGS] = ask->mappings,
		[QUOTA_KMEM] = ask->kernel_memory, [QUOTA_UMEM] = ask->user_memory / PAGE_SIZE,
	};
	/* Asking for less than one page of user memory is asking for none. */
	return kind == QUOTA_UMEM && ask->user_memory && !v[kind] ? 1 : v[kind];
}

struct quota *quota_create(struct quota *parent, uint32_t pid, const struct panda_limits *ask)
{
	struct quota *q = kcache_alloc(quota_cache);

	if (!q)
		return NULL;
	*q = (struct quota){ .pid = pid, .refs = 1 };
	guard(spinlock)(&quota_lock);
	for (unsigned k = 0; k < QUOTA_KINDS; k++) {
		uint64_t share = parent ? parent->limit[k] - parent->limit[k] / QUOTA_RESERVE_DIV
					: root_limit[k];
		uint64_t want = asked(ask, k);
		q->limit[k] = want && want < share ? want : share;
	}
	if (parent) {
		parent->refs++;
		q->parent = parent;
	}
	nodes++;
	return q;
}

struct quota *quota_get(struct quota *q)
{
	guard(spinlock)(&quota_lock);
	q->refs++;
	return q;
}

void quota_put(struct quota *q)
{
	while (q) {
		struct quota *parent;
		{
			guard(spinlock)(&quota_lock);
			KASSERT(q->refs > 0);
			if (--q->refs)
				return;
			for (unsigned k = 0; k < QUOTA_KINDS; k++)
				KASSERT(q->used[k] == 0);	/* every charge holds a reference */
			parent = q->parent;
			nodes--;
		}
		kcache_free(quota_cache, q);
		q = parent;	/* drop the reference it held, without recursing */
	}
}

/* Caller holds the lock. */
static void add(struct quota *q, enum quota_kind kind, uint64_t n)
{
	for (struct quota *x = q; x; x = x->parent)
		x->used[kind] += n;
	q->own[kind] += n;
}

int quota_charge(struct quota *q, enum quota_kind kind, uint64_t n)
{
	if (!q || !n)
		return 0;
	guard(spinlock)(&quota_lock);
	if (kind == QUOTA_HANDLES && q->own[kind] + n > QUOTA_OWN_HANDLES_MAX) {
		q->refused[kind]++;
		return -EMFILE;
	}
	for (struct quota *x = q; x; x = x->parent) {
		if (x->used[kind] + n > x->limit[kind] || x->used[kind] + n < n) {
			x->refused[kind]++;
			return -EDQUOT;
		}
	}
	add(q, kind, n);
	return 0;
}

void quota_charge_back(struct quota *q, enum quota_kind kind, uint64_t n)
{
	if (!q || !n)
		return;
	guard(spinlock)(&quota_lock);
	add(q, kind, n);
}

void quota_uncharge(struct quota *q, enum quota_kind kind, uint64_t n)
{
	if (!q || !n)
		return;
	guard(spinlock)(&quota_lock);
	KASSERT(q->own[kind] >= n);
	q->own[kind] -= n;
	for (struct quota *x = q; x; x = x->parent) {
		KASSERT(x->used[kind] >= n);
		x->used[kind] -= n;
	}
}

void quota_read(struct quota *q, struct quota_info *out)
{
	guard(spinlock)(&quota_lock);

	out->pid = q->pid;
	for (unsigned k = 0; k < QUOTA_KINDS; k++) {
		out->limit[k] = q->limit[k];
		out->used[k] = q->used[k];
		out->own[k] = q->own[k];
		out->refused[k] = q->refused[k];
	}
}

uint64_t quota_memory_share(struct quota *q, bool own, uint64_t *pages)
{
	guard(spinlock)(&quota_lock);
	const uint64_t *u = own ? q->own : q->used;
	const uint64_t *l = q->limit;

	*pages = u[QUOTA_UMEM] + u[QUOTA_KMEM] / PAGE_SIZE;
	/* The nearer of its two memory limits: a tree at its kernel-memory
	 * limit is over its share however little user memory it has. */
	uint64_t user = l[QUOTA_UMEM] ? u[QUOTA_UMEM] * 1000 / l[QUOTA_UMEM] : 1000;
	uint64_t kernel = l[QUOTA_KMEM] ? u[QUOTA_KMEM] / 1024 * 1000 / (l[QUOTA_KMEM] / 1024 + 1)
					: 1000;
	return user > kernel ? user : kernel;
}

uint64_t quota_count(void)
{
	guard(spinlock)(&quota_lock);
	return nodes;
}
