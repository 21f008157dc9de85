#include "mm/slab.h"

#include "lib/string.h"

#define SLAB_MAGIC 0x5ab5ab5ab5ab5ab5ull

enum { LIST_EMPTY, LIST_PARTIAL, LIST_FULL };

static struct list_node *list_head(struct kmem_cache *c, unsigned list)
{
	return list == LIST_EMPTY ? &c->empty : list == LIST_PARTIAL ? &c->partial : &c->full;
}

/* The slab at the front of a list (the one used last), or NULL. */
static struct slab *first(struct list_node *head)
{
	return list_empty(head) ? NULL : list_entry(head->next, struct slab, link);
}

/* Puts s at the front of list `to`: the next allocation finds it first. */
static void list_push(struct kmem_cache *c, struct slab *s, unsigned to)
{
	list_insert_before(list_head(c, to)->next, &s->link);
	s->list = (uint16_t)to;
}

static void list_move(struct kmem_cache *c, struct slab *s, unsigned to)
{
	list_del(&s->link);
	list_push(c, s, to);
}

void kmem_cache_init(struct kmem_cache *c, const char *name, size_t size,
		     const struct slab_page_source *source,
		     void (*report)(const struct kmem_cache *, const char *, const void *))
{
	size_t stride = (size < 16 ? 16 : size + 15) & ~(size_t)15;
	size_t first = (sizeof(struct slab) + 15) & ~(size_t)15;
	unsigned order = 0;

	/* Grow the slab until at least 8 objects fit (or the bitmap is full). */
	while (((SLAB_PAGE_SIZE << order) - first) / stride < 8 && order < 4)
		order++;
	memset(c, 0, sizeof(*c));
	list_init(&c->partial);
	list_init(&c->full);
	list_init(&c->empty);
	c->name = name;
	c->size = size;
	c->stride = stride;
	c->order = order;
	c->first_offset = first;
	c->per_slab = (unsigned)(((SLAB_PAGE_SIZE << order) - first) / stride);
	if (c->per_slab > SLAB_MAX_OBJECTS)
		c->per_slab = SLAB_MAX_OBJECTS;
	c->source = source;
	c->report = report;
}

/* The poisoned part of an object: all of it but the tail kept for
 * mm/redzone.c's record, which only the sanitized kernel has (so the normal
 * kernel's allocator runs exactly the instructions it always did). */
static size_t poisoned_size(const struct kmem_cache *c)
{
#if KSAN
	return c->stride - c->kept;
#else
	return c->stride;
#endif
}

static void *object_at(const struct kmem_cache *c, struct slab *s, unsigned i)
{
	return (char *)s + c->first_offset + (size_t)i * c->stride;
}

static struct slab *slab_create(struct kmem_cache *c)
{
	struct slab *s = c->source->alloc(c->order);

	if (!s)
		return NULL;
	memset(s, 0, sizeof(*s));
	s->cache = c;
	s->magic = SLAB_MAGIC;
	/* Chain the objects in address order, each poisoned after its link. */
	for (unsigned i = c->per_slab; i-- > 0;) {
		void **obj = object_at(c, s, i);
		memset(obj, SLAB_POISON, poisoned_size(c));
		*obj = s->freelist;
		s->freelist = obj;
	}
	list_push(c, s, LIST_EMPTY);
	c->slabs++;
	return s;
}

/* Objects are 16-byte aligned and strides a multiple of 16, so the check
 * goes a word at a time (the first word holds the free-list link). */
static bool poison_intact(const struct kmem_cache *c, const void *obj)
{
	const uint64_t *p = obj;
	const uint64_t pattern = 0x0101010101010101ull * SLAB_POISON;

	for (size_t i = 1; i < poisoned_size(c) / sizeof(uint64_t); i++)
		if (p[i] != pattern)
			return false;
	return true;
}

void *kmem_cache_alloc(struct kmem_cache *c)
{
	void *obj = kmem_cache_alloc_uninit(c);

	if (obj)
		memset(obj, 0, c->size);
	return obj;
}

void *kmem_cache_alloc_uninit(struct kmem_cache *c)
{
	struct slab *s = first(&c->partial);

	if (!s)
		s = first(&c->empty);
	if (!s)
		s = slab_create(c);
	if (!s)
		return NULL;
	void **obj = s->freelist;
	unsigned i = (unsigned)(((char *)obj - (char *)s - c->first_offset) / c->stride);

	if (!poison_intact(c, obj) && c->report)
		c->report(c, "write after free detected in", obj);
	s->freelist = *obj;
	s->live[i / 64] |= 1ull << (i % 64);
	if (s->inuse++ == 0)
		list_move(c, s, s->inuse == c->per_slab ? LIST_FULL : LIST_PARTIAL);
	else if (s->inuse == c->per_slab)
		list_move(c, s, LIST_FULL);
	c->objects_in_use++;
	return obj;
}

struct slab *slab_of(const void *ptr, unsigned order)
{
	struct slab *s = (struct slab *)((uintptr_t)ptr & ~(((uintptr_t)SLAB_PAGE_SIZE << order) - 1));

	return s->magic == SLAB_MAGIC ? s : NULL;
}

int kmem_cache_index(const struct kmem_cache *c, const void *obj, bool *live)
{
	struct slab *s = obj ? slab_of(obj, c->order) : NULL;
	size_t offset = s ? (size_t)((char *)obj - (char *)s) : 0;
	unsigned i = 0;

	if (!s || s->cache != c || offset < c->first_offset ||
	    (offset - c->first_offset) % c->stride ||
	    (i = (unsigned)((offset - c->first_offset) / c->stride)) >= c->per_slab)
		return -1;
	*live = s->live[i / 64] & (1ull << (i % 64));
	return (int)i;
}

int kmem_cache_free(struct kmem_cache *c, void *obj)
{
	struct slab *s = obj ? slab_of(obj, c->order) : NULL;
	size_t offset = s ? (size_t)((char *)obj - (char *)s) : 0;
	unsigned i = 0;

	if (!s || s->cache != c || offset < c->first_offset ||
	    (offset - c->first_offset) % c->stride ||
	    (i = (unsigned)((offset - c->first_offset) / c->stride)) >= c->per_slab) {
		if (c->report)
			c->report(c, "free of a pointer that is not an object of", obj);
		return -1;
	}
	if (!(s->live[i / 64] & (1ull << (i % 64)))) {
		if (c->report)
			c->report(c, "double free in", obj);
		return -1;
	}
	s->live[i / 64] &= ~(1ull << (i % 64));
	memset(obj, SLAB_POISON, poisoned_size(c));
	*(void **)obj = s->freelist;
	s->freelist = obj;
	c->objects_in_use--;
	if (s->inuse-- == c->per_slab)
		list_move(c, s, s->inuse == 0 ? LIST_EMPTY : LIST_PARTIAL);
	else if (s->inuse == 0)
		list_move(c, s, LIST_EMPTY);
	/* Keep one empty slab for the next burst; give the rest back. */
	if (s->inuse == 0 && c->empty.next->next != &c->empty) {
		struct slab *extra = list_entry(c->empty.next->next, struct slab, link);
		list_del(&extra->link);
		extra->magic = 0;
		c->slabs--;
		c->source->free(extra, c->order);
	}
	return 0;
}

uint64_t kmem_cache_shrink(struct kmem_cache *c)
{
	uint64_t pages = 0;

	struct slab *s;

	while ((s = first(&c->empty))) {
		list_del(&s->link);
		s->magic = 0;
		c->slabs--;
		c->source->free(s, c->order);
		pages += 1u << c->order;
	}
	return pages;
}

static unsigned check_slabs(struct kmem_cache *c, struct list_node *list,
			    bool (*check)(struct kmem_cache *c, void *obj))
{
	unsigned bad = 0;

	list_for_each(pos, list) {
		struct slab *s = list_entry(pos, struct slab, link);
		for (unsigned i = 0; i < c->per_slab; i++) {
			void *obj = object_at(c, s, i);
			if (s->live[i / 64] & (1ull << (i % 64))) {
				bad += check(c, obj);
			} else if (!poison_intact(c, obj)) {
				bad++;
				if (c->report)
					c->report(c, "write after free detected in", obj);
			}
		}
	}
	return bad;
}

unsigned kmem_cache_check(struct kmem_cache *c, bool (*check)(struct kmem_cache *c, void *obj))
{
	return check_slabs(c, &c->partial, check) + check_slabs(c, &c->full, check) +
	       check_slabs(c, &c->empty, check);
}

bool kmem_cache_holds(const struct kmem_cache *c, const void *page)
{
	const struct list_node *lists[] = { &c->partial, &c->full, &c->empty };

	for (unsigned l = 0; l < 3; l++)
		list_for_each(pos, lists[l])
			if (list_entry(pos, struct slab, link) == page)
				return true;
	return false;
}

uint64_t kmem_cache_listed(const struct kmem_cache *c)
{
	const struct list_node *lists[] = { &c->partial, &c->full, &c->empty };
	uint64_t n = 0;

	for (unsigned l = 0; l < 3; l++)
		list_for_each(pos, lists[l])
			n++;
	return n;
}
