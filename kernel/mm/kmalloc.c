#include "mm/kmalloc.h"

#include "core/backtrace.h"
#include "core/ksan.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/spinlock.h"
#include "mm/failinject.h"
#include "mm/frame.h"
#include "mm/redzone.h"
#include "mm/slab.h"

/* Frame tags (frame_set_tag) telling kfree what a page belongs to. */
#define TAG_SLAB	0x10	/* | slab order */
#define TAG_LARGE	0x20
#define MAX_CACHES	32

struct kcache {
	struct kmem_cache cache;	/* guarded by lock */
	struct spinlock lock;
	size_t size;			/* of its objects, as created */
};

static struct kcache caches[MAX_CACHES];	/* each has its own lock */
static unsigned cache_count;	/* registry_lock; read with acquire */
static struct spinlock registry_lock = SPINLOCK_INIT("kcache registry");
static uint64_t large_pages, bad_frees;	/* atomic */

static const size_t class_sizes[] = { 16, 32, 64, 128, 256, 512, 1024, 2048 };
#define CLASS_COUNT (sizeof(class_sizes) / sizeof(class_sizes[0]))
static struct kcache *classes[CLASS_COUNT];	/* set once at boot */

/* Called with the cache's lock held: no reclaim here (cache_alloc does
 * it once the lock is gone). */
static void *slab_pages_alloc(unsigned order)
{
	uint64_t phys = frame_alloc(order, OWNER_CACHE, FRAME_NO_RECLAIM);

	if (!phys)
		return NULL;
	frame_set_tag(phys, order, (uint8_t)(TAG_SLAB | order));
	return phys_to_virt(phys);
}

static void slab_pages_free(void *page, unsigned order)
{
	frame_set_tag(virt_to_phys(page), order, 0);
	frame_free(virt_to_phys(page), order);
}

static const struct slab_page_source frame_source = { slab_pages_alloc, slab_pages_free };

static void report(const struct kmem_cache *c, const char *what, const void *ptr)
{
	__atomic_fetch_add(&bad_frees, 1, __ATOMIC_RELAXED);
	if (redzone_report(c, what, ptr))
		return;
	log_error("kmalloc: %s cache %s at %p\n", what, c->name, ptr);
	backtrace_print_here();
}

struct kcache *kcache_create(const char *name, size_t size)
{
	guard(spinlock)(&registry_lock);

	if (cache_count == MAX_CACHES || size > 8192)
		return NULL;
	struct kcache *kc = &caches[cache_count++];
	kmem_cache_init(&kc->cache, name, redzone_object_size(size), &frame_source, report);
	redzone_cache_init(&kc->cache);
	kc->lock = (struct spinlock)SPINLOCK_INIT(name);
	kc->size = size;
	return kc;
}

static void *cache_alloc_locked(struct kcache *kc, size_t size, bool zero, uintptr_t site)
{
	guard(spinlock)(&kc->lock);
	void *obj = zero ? kmem_cache_alloc(&kc->cache) : kmem_cache_alloc_uninit(&kc->cache);

	if (obj)
		redzone_arm(&kc->cache, obj, size, site);
	return obj;
}

/* `site` called the allocator: the sanitized kernel records it. A cache
 * out of room grows without reclaim while its lock is held: a reclaim
 * hook frees into these caches (the message caches' drain), and running
 * it there would spin forever on that same lock with interrupts off, as
 * a 42-minute soak did. So the reclaim comes after, with no lock held,
 * and the allocation is tried once more. */
static void *cache_alloc(struct kcache *kc, size_t size, bool zero, uintptr_t site)
{
	void *obj = cache_alloc_locked(kc, size, zero, site);

	if (!obj) {
		frame_reclaim();
		obj = cache_alloc_locked(kc, size, zero, site);
	}
	return obj;
}

static void cache_free(struct kcache *kc, void *obj, uintptr_t site)
{
	guard(spinlock)(&kc->lock);
	redzone_release(&kc->cache, obj, site);
	kmem_cache_free(&kc->cache, obj);
}

void *kcache_alloc(struct kcache *kc)
{
	if (failinject_should_fail(FAILINJECT_SLAB))
		return NULL;
	return cache_alloc(kc, kc->size, true, (uintptr_t)__builtin_return_address(0));
}

void kcache_free(struct kcache *kc, void *obj)
{
	cache_free(kc, obj, (uintptr_t)__builtin_return_address(0));
}

/* Reclaim runs inside frame_alloc, which a cache may be calling with its
 * own lock held: skip any cache that is busy rather than deadlock on it. */
uint64_t kmalloc_shrink(void)
{
	uint64_t pages = 0;
	irq_state_t s;

	for (unsigned i = 0; i < __atomic_load_n(&cache_count, __ATOMIC_ACQUIRE); i++) {
		if (!spin_trylock(&caches[i].lock, &s))
			continue;
		pages += kmem_cache_shrink(&caches[i].cache);
		spin_unlock(&caches[i].lock, s);
	}
	return pages;
}

void kmalloc_init(void)
{
	static const char *const names[CLASS_COUNT] = {
		"kmalloc-16", "kmalloc-32", "kmalloc-64", "kmalloc-128",
		"kmalloc-256", "kmalloc-512", "kmalloc-1024", "kmalloc-2048",
	};

	for (unsigned i = 0; i < CLASS_COUNT; i++) {
		classes[i] = kcache_create(names[i], class_sizes[i]);
		KASSERT(classes[i]);
	}
	frame_register_reclaim(kmalloc_shrink);
	ksan_set_heap_check(kmalloc_check);
}

static void *alloc(size_t size, bool zero, uintptr_t site)
{
	if (failinject_should_fail(FAILINJECT_KMALLOC))
		return NULL;
	for (unsigned i = 0; i < CLASS_COUNT; i++) {
		if (size > class_sizes[i])
			continue;
		return cache_alloc(classes[i], size, zero, site);
	}
	size_t need = redzone_large_size(size);
	if (need > (PAGE_SIZE << BUDDY_MAX_ORDER))
		return NULL;
	unsigned order = 0;
	while ((PAGE_SIZE << order) < need)
		order++;
	uint64_t phys = frame_alloc(order, OWNER_KERNEL, zero ? FRAME_ZERO : 0);
	if (!phys)
		return NULL;
	frame_set_tag(phys, 0, TAG_LARGE);	/* the head only: kfree needs the start */
	__atomic_fetch_add(&large_pages, 1ull << order, __ATOMIC_RELAXED);
	redzone_large_arm(phys_to_virt(phys), PAGE_SIZE << order, size, site);
	return phys_to_virt(phys);
}

void *kmalloc(size_t size)
{
	return alloc(size, true, (uintptr_t)__builtin_return_address(0));
}

void *kmalloc_uninit(size_t size)
{
	return alloc(size, false, (uintptr_t)__builtin_return_address(0));
}

size_t kmalloc_size(size_t size)
{
	for (unsigned i = 0; i < CLASS_COUNT; i++)
		if (size <= class_sizes[i])
			return class_sizes[i];
	size_t block = PAGE_SIZE;
	while (block < redzone_large_size(size))
		block <<= 1;
	return block;
}

void kfree(void *ptr)
{
	if (!ptr)
		return;
	uintptr_t addr = (uintptr_t)ptr;
	uint8_t tag = arch_is_direct_map(addr) ? frame_tag(virt_to_phys(ptr)) : 0;

	if (tag & TAG_SLAB) {
		struct slab *s = slab_of(ptr, tag & 0xf);
		for (unsigned i = 0; s && i < CLASS_COUNT; i++) {
			if (s->cache == &classes[i]->cache) {
				cache_free(classes[i], ptr, (uintptr_t)__builtin_return_address(0));
				return;
			}
		}
	} else if (tag == TAG_LARGE && !(addr & (PAGE_SIZE - 1))) {
		uint64_t phys = virt_to_phys(ptr);
		unsigned order = frame_order(phys);	/* the buddy allocator knows */

		redzone_large_release(ptr, PAGE_SIZE << order, (uintptr_t)__builtin_return_address(0));
		frame_set_tag(phys, 0, 0);
		__atomic_fetch_sub(&large_pages, 1ull << order, __ATOMIC_RELAXED);
		frame_free(phys, order);
		return;
	}
	__atomic_fetch_add(&bad_frees, 1, __ATOMIC_RELAXED);
	if (redzone_report(NULL, "kfree of", ptr))
		return;
	log_error("kmalloc: kfree of %p, which kmalloc did not return, ignored\n", ptr);
	backtrace_print_here();
}

unsigned kmalloc_check(void)
{
	unsigned bad = 0;

	for (unsigned i = 0; i < __atomic_load_n(&cache_count, __ATOMIC_ACQUIRE); i++) {
		guard(spinlock)(&caches[i].lock);
		bad += kmem_cache_check(&caches[i].cache, redzone_check);
	}
	return bad;
}

/* The cache whose lists hold `page`, or NULL. */
static struct kcache *cache_holding(const void *page)
{
	for (unsigned i = 0; i < __atomic_load_n(&cache_count, __ATOMIC_ACQUIRE); i++) {
		guard(spinlock)(&caches[i].lock);
		if (kmem_cache_holds(&caches[i].cache, page))
			return &caches[i];
	}
	return NULL;
}

unsigned kmalloc_report_strays(void)
{
	unsigned strays = 0;
	uint64_t pfn = 0, phys;
	unsigned order;

	for (unsigned i = 0; i < __atomic_load_n(&cache_count, __ATOMIC_ACQUIRE); i++) {
		guard(spinlock)(&caches[i].lock);
		uint64_t listed = kmem_cache_listed(&caches[i].cache);
		if (listed != caches[i].cache.slabs) {
			log_error("kmalloc: cache %s counts %lu slabs, its lists hold %lu\n",
				  caches[i].cache.name, caches[i].cache.slabs, listed);
			strays++;
		}
	}
	while ((phys = frame_next_owned(OWNER_CACHE, &pfn, &order))) {
		const struct slab *s = phys_to_virt(phys);
		if (cache_holding(s))
			continue;
		const uint64_t *w = (const uint64_t *)s;
		log_error("kmalloc: frame %#lx (order %u, tag %#x) is the caches' but on no "
			  "cache's list: %016lx %016lx %016lx %016lx %016lx %016lx %016lx %016lx\n",
			  phys, order, frame_tag(phys), w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]);
		strays++;
	}
	return strays;
}

void kmalloc_get_stats(struct kmalloc_stats *s)
{
	*s = (struct kmalloc_stats){ .large_pages = large_pages, .bad_frees = bad_frees };
	for (unsigned i = 0; i < __atomic_load_n(&cache_count, __ATOMIC_ACQUIRE); i++) {
		guard(spinlock)(&caches[i].lock);
		s->objects += caches[i].cache.objects_in_use;
		s->slab_pages += caches[i].cache.slabs << caches[i].cache.order;
	}
}
