#include "mm/quota.h"

#include "core/panic.h"
#include "lib/errors.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/kstack.h"

static struct kcache *quota_cache;	/* set once at boot */
static uint64_t root_limit[QUOTA_KINDS];	/* set once at boot */
static uint64_t nodes;			/* atomic */

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
	*q = (struct quota){ .parent = parent ? quota_get(parent) : NULL, .pid = pid, .refs = 1 };
	for (unsigned k = 0; k < QUOTA_KINDS; k++) {
		uint64_t share = parent ? parent->limit[k] - parent->limit[k] / QUOTA_RESERVE_DIV
					: root_limit[k];
		uint64_t want = asked(ask, k);
		q->limit[k] = want && want < share ? want : share;
	}
	__atomic_fetch_add(&nodes, 1, __ATOMIC_RELAXED);
	return q;
}

/* The last reference went (quota_put): frees q and drops its reference
 * to its parent, and so on up, without recursing. */
void quota_free(struct quota *q)
{
	while (q) {
		for (unsigned k = 0; k < QUOTA_KINDS; k++)
			KASSERT(q->used[k] == 0);	/* every charge holds a reference */
		struct quota *parent = q->parent;
		__atomic_fetch_sub(&nodes, 1, __ATOMIC_RELAXED);
		kcache_free(quota_cache, q);
		q = parent && __atomic_sub_fetch(&parent->refs, 1, __ATOMIC_ACQ_REL) == 0 ? parent
											  : NULL;
	}
}

static void add(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static void sub(uint64_t *counter, uint64_t n)
{
	uint64_t was = __atomic_fetch_sub(counter, n, __ATOMIC_RELAXED);
	KASSERT(was >= n);
}

/* Takes n off q's ancestors' usage up to (not including) stop. */
static void sub_up_to(struct quota *q, struct quota *stop, enum quota_kind kind, uint64_t n)
{
	for (struct quota *x = q; x != stop; x = x->parent)
		sub(&x->used[kind], n);
}

/* Each level adds first and checks after, so concurrent charges never
 * take a node past its limit together; one that overshoots takes its
 * own addition back. A charge racing with it may then be refused while
 * the other is undone: a refusal near the limit, never an excess. */
int quota_charge_walk(struct quota *q, enum quota_kind kind, uint64_t n)
{
	if (kind == QUOTA_HANDLES &&
	    __atomic_add_fetch(&q->own[kind], n, __ATOMIC_RELAXED) > QUOTA_OWN_HANDLES_MAX) {
		sub(&q->own[kind], n);
		add(&q->refused[kind], 1);
		return -EMFILE;
	}
	for (struct quota *x = q; x; x = x->parent) {
		/* n past every limit is refused before it is added, so a
		 * counter stays far from wrapping. */
		if (n > x->limit[kind] ||
		    __atomic_add_fetch(&x->used[kind], n, __ATOMIC_RELAXED) > x->limit[kind]) {
			if (n <= x->limit[kind])
				sub(&x->used[kind], n);
			sub_up_to(q, x, kind, n);
			if (kind == QUOTA_HANDLES)
				sub(&q->own[kind], n);
			add(&x->refused[kind], 1);
			return -EDQUOT;
		}
	}
	if (kind != QUOTA_HANDLES)
		add(&q->own[kind], n);
	return 0;
}

void quota_charge_back(struct quota *q, enum quota_kind kind, uint64_t n)
{
	if (!q || !n)
		return;
	add(&q->own[kind], n);
	for (struct quota *x = q; x; x = x->parent)
		add(&x->used[kind], n);
}

void quota_uncharge_walk(struct quota *q, enum quota_kind kind, uint64_t n)
{
	sub(&q->own[kind], n);
	sub_up_to(q, NULL, kind, n);
}

static uint64_t load(const uint64_t *counter)
{
	return __atomic_load_n(counter, __ATOMIC_RELAXED);
}

void quota_read(struct quota *q, struct quota_info *out)
{
	out->pid = q->pid;
	for (unsigned k = 0; k < QUOTA_KINDS; k++) {
		out->limit[k] = q->limit[k];
		out->used[k] = load(&q->used[k]);
		out->own[k] = load(&q->own[k]);
		out->refused[k] = load(&q->refused[k]);
	}
}

uint64_t quota_memory_share(struct quota *q, bool own, uint64_t *pages)
{
	const uint64_t *u = own ? q->own : q->used;
	const uint64_t *l = q->limit;
	uint64_t umem = load(&u[QUOTA_UMEM]), kmem = load(&u[QUOTA_KMEM]);

	*pages = umem + kmem / PAGE_SIZE;
	/* The nearer of its two memory limits: a tree at its kernel-memory
	 * limit is over its share however little user memory it has. */
	uint64_t user = l[QUOTA_UMEM] ? umem * 1000 / l[QUOTA_UMEM] : 1000;
	uint64_t kernel = l[QUOTA_KMEM] ? kmem / 1024 * 1000 / (l[QUOTA_KMEM] / 1024 + 1) : 1000;
	return user > kernel ? user : kernel;
}

uint64_t quota_count(void)
{
	return __atomic_load_n(&nodes, __ATOMIC_RELAXED);
}
