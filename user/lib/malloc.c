/* The user-space allocator (docs/memory.md, "User-space allocation").
 *
 * Requests up to MALLOC_SMALL_MAX bytes round up to one of 48 size classes
 * (16..256 in steps of 16, then four classes per doubling up to 64 KiB).
 * A class carves its blocks from spans: naturally aligned runs of 64 KiB
 * (512 KiB for the largest classes, so a span holds at least 7 blocks)
 * with a header at the start. Free blocks of a span form a list linked
 * through their first word; blocks are carved from the span's untouched
 * tail a page at a time, so a new span costs page faults only as it fills.
 * A class keeps the spans that have free blocks on a list and allocates
 * from its head; full spans are on no list.
 *
 * Every span is entered in the span table under each 64 KiB window it
 * covers, and every large block under the window of the pointer it
 * returned (a large block is longer than a window, so no two share one).
 * free() finds the owner of a pointer there without touching memory the
 * allocator does not own, which is how bad pointers are refused.
 *
 * Each class names at most one span its spare (`spare`), and the spares
 * of all classes map at most MALLOC_SPARE_MAX bytes together. When the
 * last block of a span is freed the span stays only if it is, or can
 * become, its class's spare; otherwise it is unmapped at once. Invariant:
 * every span with no live blocks is the spare of its class, so the empty
 * spans left when everything is freed are at most one per class and
 * MALLOC_SPARE_MAX bytes. A spare that gets used again keeps its title
 * until an emptied span of its class needs it, so a block allocated and
 * freed in a loop costs no bookkeeping at all; an empty spare sits at the
 * tail of its class's list, so partly used spans fill first.
 *
 * The common path of malloc pops a block off the head span of its class;
 * free finds the span through a one-entry memo of the span table, checks
 * the pointer is a block start and not free already, and pushes it. Both
 * leave everything else to out-of-line functions.
 *
 * One thread: a Panda process has only one, so there is no lock. */
#include "malloc.h"

#include <stdbool.h>

#include "lib/string.h"

#define WINDOW_SHIFT	16			/* span table granule: 64 KiB */
#define WINDOW_SIZE	((size_t)1 << WINDOW_SHIFT)
#define CLASS_COUNT	48
#define SMALL_CLASSES	16			/* 16..256 bytes, in steps of 16 */
#define LARGE_HEAD	16			/* struct large, padded to MALLOC_ALIGN */
#define LARGE_TAG	((uintptr_t)1)		/* span table value: a large block */
#define RECIP_SHIFT	32
/* Word 1 of a free block; a block freed with it there is looked for on the
 * free list, which tells a double free from user data that matches. */
#define FREE_TAG	((void *)(uintptr_t)0x6d616c6c6f63fee1ull)
#define TABLE_MIN	256			/* entries of the static table */
#define HASH_MUL	0x9e3779b97f4a7c15ull

struct span {
	struct span *next, *prev;	/* the class's list of spans with free blocks */
	void *free;			/* free blocks; NULL iff on no list */
	uintptr_t first;		/* block 0 */
	uintptr_t carved;		/* blocks below this have been carved */
	uintptr_t end;			/* end of the last whole block */
	uint64_t recip;			/* 2^32 / size + 1: index by multiplication */
	size_t bytes;			/* the span's length */
	uint32_t size;			/* block size */
	uint32_t live;			/* blocks handed out */
	uint16_t cls;
	bool spare;			/* it is its class's spare */
};

#define SPAN_HEAD	((sizeof(struct span) + MALLOC_ALIGN - 1) & ~(size_t)(MALLOC_ALIGN - 1))

/* At the start of a large block's mapping. */
struct large {
	size_t map_len;
};

struct size_class {
	struct span *head, *tail;	/* spans with free blocks */
	struct span *spare;		/* the span it may keep when empty, or NULL */
	uintptr_t pad;			/* a power of two in size: cheaper indexing */
};

struct table_entry {
	uintptr_t key;			/* address >> WINDOW_SHIFT; 0: free slot */
	uintptr_t value;		/* struct span *, or struct large * | LARGE_TAG */
};

/* --- the page source ------------------------------------------------------ */

#ifdef MALLOC_HOST
/* Host tests install their own source; until then nothing can be mapped. */
static void *no_map(size_t len) { (void)len; return NULL; }
static void no_unmap(void *addr, size_t len) { (void)addr; (void)len; }
static void no_report(const char *message, const void *p) { (void)message; (void)p; }
static const struct malloc_env default_env = { no_map, no_unmap, no_report };
#else
#include "print.h"
#include "syscall.h"

static void *panda_pages_map(size_t len)
{
	long addr = panda_mem_map(NULL, len, PROT_READ | PROT_WRITE);

	return addr < 0 ? NULL : (void *)addr;
}

static void panda_pages_unmap(void *addr, size_t len)
{
	panda_mem_unmap(addr, len);
}

static void panda_report(const char *message, const void *p)
{
	printf("%s (%p)\n", message, p);
}

static const struct malloc_env default_env = {
	panda_pages_map, panda_pages_unmap, panda_report,
};
#endif

static const struct malloc_env *env = &default_env;

static struct size_class classes[CLASS_COUNT];
static struct malloc_stats stats;	/* all but spare_bytes, kept here */
static size_t spare_bytes;		/* bytes of the classes' spares, empty or not */

static struct table_entry table_static[TABLE_MIN];
static struct table_entry *table = table_static;
static size_t table_mask = TABLE_MIN - 1;
static unsigned table_shift = 64 - 8;	/* log2(TABLE_MIN) */
static size_t table_count;
/* The last key found for a span, and the span: frees come in runs on
 * one span. No key is all ones. */
static uintptr_t memo_key = UINTPTR_MAX, memo_value;

void panda_malloc_set_env(const struct malloc_env *e)
{
	env = e ? e : &default_env;
}

static void *pages_map(size_t len)
{
	void *p = env->map(len);

	if (p)
		stats.mapped_bytes += len;
	return p;
}

static void pages_unmap(void *p, size_t len)
{
	env->unmap(p, len);
	stats.mapped_bytes -= len;
}

static void report_bad(const char *message, const void *p)
{
	stats.bad_frees++;
	env->report(message, p);
}

/* --- the span table: open addressing, linear probing ---------------------- */

static inline size_t table_home(uintptr_t key)
{
	return (size_t)((key * HASH_MUL) >> table_shift);
}

/* Key 0 (the first 64 KiB, never mapped) finds the first free slot,
 * whose value is 0 too. */
static __attribute__((noinline)) uintptr_t table_probe(uintptr_t key)
{
	for (size_t i = table_home(key);; i = (i + 1) & table_mask) {
		const struct table_entry *e = &table[i];

		if (e->key == key) {
			if (key && !(e->value & LARGE_TAG)) {
				memo_key = key;
				memo_value = e->value;
			}
			return e->value;
		}
		if (!e->key)
			return 0;
	}
}

/* The value stored under key, or 0. */
static inline uintptr_t table_find(uintptr_t key)
{
	if (key == memo_key)
		return memo_value;
	return table_probe(key);
}

static void table_put(struct table_entry *t, size_t mask, unsigned shift,
		      uintptr_t key, uintptr_t value)
{
	size_t i = (size_t)((key * HASH_MUL) >> shift);

	while (t[i].key)
		i = (i + 1) & mask;
	t[i].key = key;
	t[i].value = value;
}

/* Moves every entry into a table of cap entries (a power of two, at least
 * TABLE_MIN); the smallest is the static one. 0, or -1 when the new table
 * cannot be mapped (then nothing changed). */
static int table_resize(size_t cap)
{
	struct table_entry *t;
	unsigned shift = 64;

	if (cap == TABLE_MIN) {
		t = table_static;
		memset(t, 0, sizeof(table_static));
	} else if (!(t = pages_map(cap * sizeof(*t)))) {
		return -1;
	}
	for (size_t c = cap; c > 1; c >>= 1)
		shift--;
	for (size_t i = 0; i <= table_mask; i++)
		if (table[i].key)
			table_put(t, cap - 1, shift, table[i].key, table[i].value);
	if (table != table_static)
		pages_unmap(table, (table_mask + 1) * sizeof(*t));
	table = t;
	table_mask = cap - 1;
	table_shift = shift;
	return 0;
}

/* Kept at most half full. 0, or -1 when the table had to grow and could not. */
static int table_insert(uintptr_t key, uintptr_t value)
{
	if ((table_count + 1) * 2 > table_mask + 1 && table_resize((table_mask + 1) * 2) < 0)
		return -1;
	table_put(table, table_mask, table_shift, key, value);
	table_count++;
	return 0;
}

/* Removes key, which must be present; later entries of its probe run move
 * back (no tombstones). Shrinks the table when it is under 1/8 full. */
static void table_remove(uintptr_t key)
{
	size_t i = table_home(key);

	if (key == memo_key)
		memo_key = UINTPTR_MAX;
	while (table[i].key != key)
		i = (i + 1) & table_mask;
	for (size_t j = (i + 1) & table_mask; table[j].key; j = (j + 1) & table_mask) {
		size_t home = table_home(table[j].key);
		/* The entry at j may move to i when its home is not in (i, j]. */
		bool stays = i < j ? (home > i && home <= j) : (home > i || home <= j);

		if (!stays) {
			table[i] = table[j];
			i = j;
		}
	}
	table[i].key = 0;
	table[i].value = 0;
	table_count--;
	if (table_mask + 1 > TABLE_MIN && table_count * 8 < table_mask + 1) {
		size_t cap = TABLE_MIN;

		while (cap < table_count * 4)
			cap *= 2;
		table_resize(cap);	/* on failure the big table stays */
	}
}

/* --- size classes ---------------------------------------------------------- */

static size_t class_size(unsigned cls)
{
	if (cls < SMALL_CLASSES)
		return (cls + 1) * 16;
	unsigned g = (cls - SMALL_CLASSES) / 4, sub = (cls - SMALL_CLASSES) % 4;
	return ((size_t)256 << g) + (sub + 1) * ((size_t)64 << g);
}

/* 256 < n <= MALLOC_SMALL_MAX. */
static unsigned class_of_medium(size_t n)
{
	size_t m = n - 1;
	unsigned b = 63 - (unsigned)__builtin_clzll(m);	/* >= 8 */

	return SMALL_CLASSES + (b - 8) * 4 + (unsigned)((m >> (b - 2)) & 3);
}

/* A power of two of at least 64 KiB that holds at least 7 blocks. */
static size_t span_bytes(size_t size)
{
	size_t bytes = WINDOW_SIZE;

	while (bytes < 8 * size)
		bytes *= 2;
	return bytes;
}

/* --- spans ------------------------------------------------------------------ */

/* bytes of memory aligned to bytes (a power of two above a page): a map
 * that happens to be aligned, else a bigger one trimmed to the part that is. */
static uintptr_t map_aligned(size_t bytes)
{
	uintptr_t p = (uintptr_t)pages_map(bytes);

	if (!p || !(p & (bytes - 1)))
		return p;
	pages_unmap((void *)p, bytes);
	size_t over = 2 * bytes - MALLOC_PAGE_SIZE;
	if (!(p = (uintptr_t)pages_map(over)))
		return 0;
	uintptr_t a = (p + bytes - 1) & ~(uintptr_t)(bytes - 1);
	if (a > p)
		pages_unmap((void *)p, a - p);
	if (p + over > a + bytes)
		pages_unmap((void *)(a + bytes), p + over - (a + bytes));
	return a;
}

/* Puts the next page's worth of untouched blocks (at least one) on the
 * free list, which is empty. Their words are still zero: no tag. */
static void span_carve(struct span *s)
{
	uintptr_t from = s->carved, to = from + s->size;

	while (to + s->size <= s->end && to + s->size - from <= MALLOC_PAGE_SIZE)
		to += s->size;
	for (uintptr_t b = from; b + s->size < to; b += s->size)
		*(void **)b = (void *)(b + s->size);
	s->free = (void *)from;
	s->carved = to;
}

static void list_unlink(struct size_class *c, struct span *s)
{
	if (s->prev)
		s->prev->next = s->next;
	else
		c->head = s->next;
	if (s->next)
		s->next->prev = s->prev;
	else
		c->tail = s->prev;
	s->next = s->prev = NULL;
}

static void list_push_head(struct size_class *c, struct span *s)
{
	s->prev = NULL;
	s->next = c->head;
	if (c->head)
		c->head->prev = s;
	else
		c->tail = s;
	c->head = s;
}

static void list_push_tail(struct size_class *c, struct span *s)
{
	s->next = NULL;
	s->prev = c->tail;
	if (c->tail)
		c->tail->next = s;
	else
		c->head = s;
	c->tail = s;
}

static void span_unregister(uintptr_t base, size_t windows)
{
	for (size_t i = 0; i < windows; i++)
		table_remove((base >> WINDOW_SHIFT) + i);
}

/* Maps, enters and lists a new span for class cls, with its first blocks
 * carved. NULL when memory or the table cannot grow. */
static struct span *span_create(struct size_class *c, unsigned cls)
{
	size_t size = class_size(cls), bytes = span_bytes(size);
	size_t windows = bytes >> WINDOW_SHIFT;
	uintptr_t base = map_aligned(bytes);

	if (!base)
		return NULL;
	for (size_t i = 0; i < windows; i++) {
		if (table_insert((base >> WINDOW_SHIFT) + i, base) < 0) {
			span_unregister(base, i);
			pages_unmap((void *)base, bytes);
			return NULL;
		}
	}
	struct span *s = (struct span *)base;
	s->first = s->carved = base + SPAN_HEAD;
	s->end = s->first + (bytes - SPAN_HEAD) / size * size;
	s->size = (uint32_t)size;
	s->recip = ((uint64_t)1 << RECIP_SHIFT) / size + 1;
	s->bytes = bytes;
	s->cls = (uint16_t)cls;
	span_carve(s);
	list_push_head(c, s);
	stats.spans++;
	return s;
}

/* Unmaps s, which has no live blocks and is no class's spare. */
static void span_release(struct size_class *c, struct span *s)
{
	if (s->free)
		list_unlink(c, s);
	span_unregister((uintptr_t)s, s->bytes >> WINDOW_SHIFT);
	stats.spans--;
	pages_unmap(s, s->bytes);
}

/* Makes s (or nothing, for NULL) the spare of c. */
static void set_spare(struct size_class *c, struct span *s)
{
	if (c->spare) {
		spare_bytes -= c->spare->bytes;
		c->spare->spare = false;
	}
	c->spare = s;
	if (s) {
		spare_bytes += s->bytes;
		s->spare = true;
	}
}

/* Takes the title from every spare in use, so that only empty spans count
 * against MALLOC_SPARE_MAX. */
static void drop_busy_spares(void)
{
	for (unsigned i = 0; i < CLASS_COUNT; i++)
		if (classes[i].spare && classes[i].spare->live)
			set_spare(&classes[i], NULL);
}

/* The last block of s came back: keep s as its class's spare, or unmap it. */
static void span_emptied(struct size_class *c, struct span *s)
{
	struct span *old = c->spare;

	if (old != s) {
		if (old && !old->live) {
			span_release(c, s);	/* the class keeps one empty span already */
			return;
		}
		size_t others = spare_bytes - (old ? old->bytes : 0);
		if (others + s->bytes > MALLOC_SPARE_MAX) {
			drop_busy_spares();
			if (spare_bytes + s->bytes > MALLOC_SPARE_MAX) {
				span_release(c, s);
				return;
			}
		}
		set_spare(c, s);
	}
	if (s->next) {
		list_unlink(c, s);
		list_push_tail(c, s);
	}
}

/* A block came back to s: now s has free blocks again (was_full) or no
 * live ones, or both. */
static __attribute__((noinline)) void span_changed(struct span *s, bool was_full)
{
	struct size_class *c = &classes[s->cls];

	if (was_full)
		list_push_head(c, s);
	if (!s->live)
		span_emptied(c, s);
}

/* Whether block b, whose tag says free, is on s's free list. */
static bool span_holds_free(const struct span *s, const void *b)
{
	for (void *const *f = s->free; f; f = *f)
		if (f == b)
			return true;
	return false;
}

/* --- blocks ---------------------------------------------------------------- */

/* b was the last listed free block of its span s: carve more, or s is full. */
static __attribute__((noinline)) void *span_drained(struct span *s, void *b)
{
	if (s->carved < s->end)
		span_carve(s);
	else
		list_unlink(&classes[s->cls], s);
	return b;
}

/* Takes a block off s, the head of its class's list. */
static inline void *span_take(struct span *s)
{
	void **b = s->free;
	void *next = b[0];

	s->free = next;
	b[1] = NULL;			/* no FREE_TAG on a live block */
	s->live++;
	if (__builtin_expect(!next, 0))
		return span_drained(s, b);
	return b;
}

/* A block of class cls, whose list may be empty. */
static void *class_alloc(unsigned cls)
{
	struct size_class *c = &classes[cls];
	struct span *s = c->head;

	if (!s && !(s = span_create(c, cls)))
		return NULL;
	return span_take(s);
}

static void *large_alloc(size_t n)
{
	if (n > SIZE_MAX / 2)
		return NULL;
	size_t len = (n + LARGE_HEAD + MALLOC_PAGE_SIZE - 1) & ~(size_t)(MALLOC_PAGE_SIZE - 1);
	struct large *l = pages_map(len);
	if (!l)
		return NULL;
	uintptr_t p = (uintptr_t)l + LARGE_HEAD;
	if (table_insert(p >> WINDOW_SHIFT, (uintptr_t)l | LARGE_TAG) < 0) {
		pages_unmap(l, len);
		return NULL;
	}
	l->map_len = len;
	stats.large_blocks++;
	return (void *)p;
}

/* Everything but 1..256 bytes from a class with a span on its list. */
static __attribute__((noinline)) void *malloc_slow(size_t n)
{
	if (n == 0)
		return class_alloc(0);
	if (n <= 256)
		return class_alloc((unsigned)((n - 1) >> 4));
	if (n <= MALLOC_SMALL_MAX)
		return class_alloc(class_of_medium(n));
	return large_alloc(n);
}

void *panda_malloc(size_t n)
{
	if (__builtin_expect(n - 1 < 256, 1)) {	/* 1..256; n == 0 wraps */
		struct span *s = classes[(n - 1) >> 4].head;

		if (__builtin_expect(s != NULL, 1))
			return span_take(s);
	}
	return malloc_slow(n);
}

/* Whether p is the start of a block s has carved: it may be live or free. */
static inline bool span_block_start(const struct span *s, uintptr_t p)
{
	uintptr_t off = p - s->first;	/* wraps when p is in the header */

	return p < s->carved && ((off * s->recip) >> RECIP_SHIFT) * s->size == off;
}

/* The span or large block (value | LARGE_TAG) that handed out p and has
 * not had it back, or 0. Touches no memory outside the allocator's. */
static uintptr_t block_owner(uintptr_t p)
{
	uintptr_t v = table_find(p >> WINDOW_SHIFT);

	if (v & LARGE_TAG)
		return (v & ~LARGE_TAG) + LARGE_HEAD == p ? v : 0;
	if (!v || !span_block_start((const struct span *)v, p))
		return 0;
	if (((void **)p)[1] == FREE_TAG && span_holds_free((const struct span *)v, (void *)p))
		return 0;
	return v;
}

static void large_free(uintptr_t v)
{
	struct large *l = (struct large *)(v & ~LARGE_TAG);

	table_remove(((uintptr_t)l + LARGE_HEAD) >> WINDOW_SHIFT);
	stats.large_blocks--;
	pages_unmap(l, l->map_len);
}

/* Pushes block b, which s handed out, back on s's free list. */
static inline void span_put(struct span *s, void **b)
{
	void *old = s->free;

	b[0] = old;
	b[1] = FREE_TAG;
	s->free = b;
	s->live--;
	if (__builtin_expect(!old, 0))
		span_changed(s, true);
	/* Nothing to do when a spare at the tail of its list empties again. */
	else if (__builtin_expect(!s->live, 0) && !(s->spare && !s->next))
		span_changed(s, false);
}

/* free() of anything but a block of the memo's span whose tag word is not
 * FREE_TAG: NULL, another span's block, a large block, a suspected double
 * free, a bad pointer. */
static __attribute__((noinline)) void free_slow(void *ptr)
{
	uintptr_t v;

	if (!ptr)
		return;
	if (!(v = block_owner((uintptr_t)ptr))) {
		report_bad("malloc: free of a pointer it did not return", ptr);
		return;
	}
	if (v & LARGE_TAG)
		large_free(v);
	else
		span_put((struct span *)v, ptr);
}

void panda_free(void *ptr)
{
	uintptr_t p = (uintptr_t)ptr;
	struct span *s = (struct span *)memo_value;
	void **b = ptr;

	if (__builtin_expect((p >> WINDOW_SHIFT) != memo_key || !span_block_start(s, p) ||
			     b[1] == FREE_TAG, 0)) {
		free_slow(ptr);
		return;
	}
	span_put(s, b);
}

static size_t owner_usable(uintptr_t v)
{
	if (v & LARGE_TAG)
		return ((struct large *)(v & ~LARGE_TAG))->map_len - LARGE_HEAD;
	return ((const struct span *)v)->size;
}

size_t panda_malloc_usable_size(const void *p)
{
	uintptr_t v = p ? block_owner((uintptr_t)p) : 0;

	return v ? owner_usable(v) : 0;
}

void *panda_realloc(void *ptr, size_t n)
{
	if (!ptr)
		return panda_malloc(n);
	if (!n) {
		panda_free(ptr);
		return NULL;
	}
	uintptr_t v = block_owner((uintptr_t)ptr);
	if (!v) {
		report_bad("malloc: realloc of a pointer it did not return", ptr);
		return NULL;
	}
	size_t have = owner_usable(v);
	if (!(v & LARGE_TAG)) {
		/* A small block stays unless it would be less than half used. */
		if (n <= have && (n > have / 2 || have == 16))
			return ptr;
	} else if (n > MALLOC_SMALL_MAX && n <= SIZE_MAX / 2) {
		struct large *l = (struct large *)(v & ~LARGE_TAG);
		size_t len = (n + LARGE_HEAD + MALLOC_PAGE_SIZE - 1) &
			~(size_t)(MALLOC_PAGE_SIZE - 1);

		if (len <= l->map_len) {	/* shrinking: give the tail back */
			if (len < l->map_len)
				pages_unmap((char *)l + len, l->map_len - len);
			l->map_len = len;
			return ptr;
		}
	}
	void *q = panda_malloc(n);
	if (!q)
		return NULL;
	memcpy(q, ptr, n < have ? n : have);
	panda_free(ptr);
	return q;
}

void *panda_calloc(size_t n, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(n, size, &total))
		return NULL;
	void *p = panda_malloc(total);
	/* A large block is a fresh mapping, which is zero already. */
	if (p && total <= MALLOC_SMALL_MAX)
		memset(p, 0, total);
	return p;
}

void panda_malloc_trim(void)
{
	for (unsigned i = 0; i < CLASS_COUNT; i++) {
		struct size_class *c = &classes[i];
		struct span *s = c->spare;

		set_spare(c, NULL);
		if (s && !s->live)
			span_release(c, s);
	}
}

void panda_malloc_stats(struct malloc_stats *st)
{
	*st = stats;
	st->spare_bytes = 0;
	for (unsigned i = 0; i < CLASS_COUNT; i++)
		if (classes[i].spare && !classes[i].spare->live)
			st->spare_bytes += classes[i].spare->bytes;
}
