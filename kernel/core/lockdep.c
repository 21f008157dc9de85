/* The sanitized kernel's lock-order checker; see lockdep.h.
 *
 * Everything is in fixed tables (no allocation: the allocator takes locks
 * itself) and runs with interrupts off, inside spin_lock/unlock. The graph
 * has a raw lock of its own, never checked; it is only ever tried, so a
 * fault inside the checker cannot deadlock on it (the check is skipped).
 * Each CPU's stack of held locks is per-CPU: indexed by arch_cpu_id().
 *
 * A report found while locks are held is kept and printed when this CPU
 * holds none: printing takes the log's lock, which may be one of them. */
#if KSAN
#include "core/lockdep.h"

#include "core/ksan.h"
#include "core/ksyms.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/spinlock.h"

#define MAX_CLASSES	128		/* distinct lock names */
#define CLASS_SLOTS	256		/* hash table over the names */
#define MAX_EDGES	1024		/* edges with their sites */
#define MAX_HELD	16		/* locks one CPU holds at once */
#define MAX_PATH	8		/* edges shown of a longer inversion */
#define LOCKDEP_CPUS	1

/* The checker runs on every lock operation: not instrumented itself. */
#define NO_UBSAN __attribute__((no_sanitize_undefined))

struct edge {
	uint8_t from, to;		/* class indices: `to` taken holding `from` */
	uintptr_t from_site, to_site;
};

struct held {
	const struct spinlock *lock;
	int cls;			/* -1: the class table was full */
#define CLASS_UNKNOWN	(-2)		/* not looked up yet */
	uintptr_t site;
};

struct held_stack {
	struct held held[MAX_HELD];
	unsigned depth;			/* may exceed MAX_HELD: the rest untracked */
};

struct pending {
	bool full;			/* an inversion waits to be printed */
	int from, to;			/* the new edge, `to` taken holding `from` */
	uintptr_t from_site, to_site;
	int path[MAX_PATH];		/* edges to -> ... -> from seen before */
	unsigned path_len;
};

/* All guarded by graph_lock. */
static const char *class_names[MAX_CLASSES];
static unsigned class_count;
static int16_t class_slot[CLASS_SLOTS];	/* class index + 1; 0: empty */
static uint64_t after[MAX_CLASSES][MAX_CLASSES / 64];	/* after[a] bit b: a -> b */
static uint64_t inverted[MAX_CLASSES][MAX_CLASSES / 64];	/* reported once */
static struct edge edges[MAX_EDGES];
static unsigned edge_count;
static bool table_full_told;
static int graph_lock;			/* raw: exchanged, never spun on */

static struct held_stack stacks[LOCKDEP_CPUS];	/* per-CPU */
static struct pending pending[LOCKDEP_CPUS];	/* per-CPU */

NO_UBSAN static bool graph_trylock(void)
{
	return !__atomic_exchange_n(&graph_lock, 1, __ATOMIC_ACQUIRE);
}

NO_UBSAN static void graph_unlock(void)
{
	__atomic_store_n(&graph_lock, 0, __ATOMIC_RELEASE);
}

NO_UBSAN static struct held_stack *my_stack(void)
{
	unsigned cpu = arch_cpu_id();

	KASSERT(cpu < LOCKDEP_CPUS);
	return &stacks[cpu];
}

NO_UBSAN static bool test_bit(uint64_t (*map)[MAX_CLASSES / 64], int a, int b)
{
	return map[a][b / 64] >> (b % 64) & 1;
}

NO_UBSAN static void set_bit(uint64_t (*map)[MAX_CLASSES / 64], int a, int b)
{
	map[a][b / 64] |= 1ull << (b % 64);
}

/* The class of a lock name, added on first sight; -1 when the table is
 * full (the lock goes unchecked). Graph lock held. */
NO_UBSAN static int class_of(const char *name)
{
	unsigned h = (unsigned)(((uintptr_t)name >> 3) * 2654435761u) % CLASS_SLOTS;

	for (unsigned i = 0; i < CLASS_SLOTS; i++, h = (h + 1) % CLASS_SLOTS) {
		int16_t slot = class_slot[h];
		if (slot && class_names[slot - 1] == name)
			return slot - 1;
		if (slot)
			continue;
		if (class_count == MAX_CLASSES)
			break;
		class_names[class_count] = name;
		class_slot[h] = (int16_t)(++class_count);
		return (int)class_count - 1;
	}
	if (!table_full_told) {
		table_full_told = true;
		log_warn("lockdep: more than %u lock classes; %s is not checked\n",
			 MAX_CLASSES, name);
	}
	return -1;
}

NO_UBSAN static int find_edge(int from, int to)
{
	for (unsigned i = 0; i < edge_count; i++)
		if (edges[i].from == from && edges[i].to == to)
			return (int)i;
	return -1;
}

/* Whether `target` is reachable from `start` along recorded edges; if so,
 * the edges of one such path (up to MAX_PATH) go to p. Graph lock held. */
NO_UBSAN static bool reachable(int start, int target, struct pending *p)
{
	static int16_t parent[MAX_CLASSES];	/* graph lock held */
	static uint8_t queue[MAX_CLASSES];
	unsigned head = 0, tail = 0;

	for (unsigned i = 0; i < class_count; i++)
		parent[i] = -2;
	parent[start] = -1;
	queue[tail++] = (uint8_t)start;
	while (head < tail) {
		int c = queue[head++];
		if (c == target)
			break;
		for (unsigned n = 0; n < class_count; n++) {
			if (parent[n] != -2 || !test_bit(after, c, (int)n))
				continue;
			parent[n] = (int16_t)c;
			queue[tail++] = (uint8_t)n;
		}
	}
	if (parent[target] == -2)
		return false;
	/* Walk back from target; store the path start -> target in order. */
	int back[MAX_CLASSES];
	unsigned len = 0;
	for (int c = target; parent[c] >= 0; c = parent[c])
		back[len++] = find_edge(parent[c], c);
	p->path_len = 0;
	while (len && p->path_len < MAX_PATH)
		p->path[p->path_len++] = back[--len];
	return true;
}

NO_UBSAN static void record_edge(int from, int to, uintptr_t from_site, uintptr_t to_site)
{
	set_bit(after, from, to);
	if (edge_count < MAX_EDGES)
		edges[edge_count++] = (struct edge){ (uint8_t)from, (uint8_t)to,
						     from_site, to_site };
}

/* Taking class `to` at site while holding h: a new edge, or an inversion
 * when `from` is already reachable from `to`. Graph lock held. */
NO_UBSAN static void check_edge(const struct held *h, int to, uintptr_t site)
{
	int from = h->cls;
	struct pending *p = &pending[arch_cpu_id()];

	if (from < 0 || from == to || test_bit(after, from, to) || test_bit(inverted, from, to))
		return;
	if (!p->full && reachable(to, from, p)) {
		set_bit(inverted, from, to);
		p->full = true;
		p->from = from;
		p->to = to;
		p->from_site = h->site;
		p->to_site = site;
		return;
	}
	record_edge(from, to, h->site, site);
}

/* After taking l at site: the order against what this CPU already holds
 * (a trylock never waits, so it adds no edge), then l joins the list. A
 * lock taken alone, the common case, is only listed: its class is looked
 * up once another lock is taken on top of it. */
NO_UBSAN void lockdep_acquired(const struct spinlock *l, uintptr_t site, bool waited)
{
	struct held_stack *s = my_stack();
	unsigned n = s->depth < MAX_HELD ? s->depth : MAX_HELD;
	int cls = CLASS_UNKNOWN;

	if (n && s->depth < MAX_HELD && graph_trylock()) {
		cls = class_of(l->name);
		for (unsigned i = 0; i < n; i++) {
			struct held *h = &s->held[i];
			if (h->cls == CLASS_UNKNOWN)
				h->cls = class_of(h->lock->name);
			if (waited && cls >= 0)
				check_edge(h, cls, site);
		}
		graph_unlock();
	}
	if (s->depth < MAX_HELD)
		s->held[s->depth] = (struct held){ l, cls, site };
	s->depth++;
}

NO_UBSAN static void print_site(const char *what, const char *cls, uintptr_t site)
{
	uintptr_t offset = 0;
	const char *fn = site ? ksyms_lookup(site, &offset) : NULL;

	if (fn)
		kprintf("    %s \"%s\" at %s+0x%lx\n", what, cls, fn, (unsigned long)offset);
	else
		kprintf("    %s \"%s\" at %p\n", what, cls, (void *)site);
}

/* Prints p and empties it; no lock held. */
NO_UBSAN static void print_inversion(struct pending *p)
{
	struct pending copy = *p;

	p->full = false;
	if (!ksan_report_begin("KSAN:"))
		return;
	kprintf("lock order inversion: \"%s\" taken while holding \"%s\", "
		"the opposite of an order seen before\n",
		class_names[copy.to], class_names[copy.from]);
	print_site("now: held", class_names[copy.from], copy.from_site);
	print_site("now: taken", class_names[copy.to], copy.to_site);
	for (unsigned i = 0; i < copy.path_len; i++) {
		if (copy.path[i] < 0) {
			kprintf("    before: an edge past the table's end\n");
			continue;
		}
		const struct edge *e = &edges[copy.path[i]];
		print_site("before: held", class_names[e->from], e->from_site);
		print_site("before: taken", class_names[e->to], e->to_site);
	}
	ksan_report_end();
}

NO_UBSAN void lockdep_released(const struct spinlock *l)
{
	struct held_stack *s = my_stack();
	unsigned n = s->depth < MAX_HELD ? s->depth : MAX_HELD;

	KASSERT(s->depth > 0);
	/* Usually the top; locks may be given back in any order. */
	for (unsigned i = n; i-- > 0;) {
		if (s->held[i].lock != l)
			continue;
		for (unsigned j = i; j + 1 < n; j++)
			s->held[j] = s->held[j + 1];
		break;
	}
	s->depth--;
	struct pending *p = &pending[arch_cpu_id()];
	if (!s->depth && p->full)
		print_inversion(p);
}

/* Where this CPU took l, or 0 when it is not in the list. */
NO_UBSAN static uintptr_t held_site(const struct held_stack *s, const struct spinlock *l)
{
	for (unsigned i = 0; i < s->depth && i < MAX_HELD; i++)
		if (s->held[i].lock == l)
			return s->held[i].site;
	return 0;
}

NO_UBSAN bool lockdep_report_recursion(const struct spinlock *l, uintptr_t again)
{
	/* Printing is safe unless the lock is the log's own (then it panics). */
	if (!ksan_expecting() || !ksan_report_begin("KSAN:"))
		return false;
	kprintf("recursive acquisition of spinlock \"%s\"\n", l->name);
	print_site("held", l->name, held_site(my_stack(), l));
	print_site("taken again", l->name, again);
	ksan_report_end();
	return true;
}

NO_UBSAN bool lockdep_report_held(const char *where)
{
	struct held_stack *s = my_stack();

	if (!ksan_expecting() || !ksan_report_begin("KSAN:"))
		return false;
	kprintf("%s with %u spinlock(s) held\n", where, spin_held_count());
	for (unsigned i = 0; i < s->depth && i < MAX_HELD; i++)
		print_site("held", s->held[i].lock->name, s->held[i].site);
	ksan_report_end();
	return true;
}
#endif
