#include "object/message.h"

#include "core/spinlock.h"
#include "lib/errors.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/quota.h"

/* Messages are what every call allocates and frees, twice: a few freed
 * ones of two common sizes are kept for the next, instead of going back
 * through the slab's poisoning (small: a kernel object's request or reply,
 * a short IPC document) or the buddy allocator (page: a 4 KiB file read or
 * write and its header, one 8 KiB block). Memory pressure and leak checks
 * drain the caches. */
#define CACHED_HANDLES	1u
#define HEADER_BYTES	(sizeof(struct message) + CACHED_HANDLES * (sizeof(struct kobj *) + \
							    sizeof(uint32_t)))

static struct message_cache {
	uint32_t data;			/* document bytes each message has room for */
	uint32_t footprint;		/* what one takes from the heap (its charge) */
	unsigned max;
	struct spinlock lock;		/* guards the two fields below */
	struct message *free[8];
	unsigned count;
} caches[] = {
	{ .data = 256, .max = 8, .lock = SPINLOCK_INIT("small messages") },
	{ .data = MESSAGE_PAGE_ROOM, .max = 4, .lock = SPINLOCK_INIT("page messages") },
};
_Static_assert(HEADER_BYTES + MESSAGE_PAGE_ROOM + REDZONE_LARGE_EXTRA <= 8192,
	       "a page message is one 8 KiB block (in the sanitized kernel too)");

#define CACHE_NONE	0xffu
#define CACHE_COUNT	(sizeof(caches) / sizeof(caches[0]))

static uint64_t live;	/* atomic */

static struct message *cache_take(struct message_cache *c)
{
	guard(spinlock)(&c->lock);
	return c->count ? c->free[--c->count] : NULL;
}

static bool cache_put(struct message_cache *c, struct message *m)
{
	guard(spinlock)(&c->lock);
	if (c->count == c->max)
		return false;
	c->free[c->count++] = m;
	return true;
}

static uint64_t cache_drain(void)
{
	struct message *m;

	for (unsigned i = 0; i < CACHE_COUNT; i++)
		while ((m = cache_take(&caches[i])))
			kfree(m);
	return 0;	/* kmalloc_shrink, which runs too, counts the frames */
}

void message_cache_init(void)
{
	for (unsigned i = 0; i < CACHE_COUNT; i++)
		caches[i].footprint = (uint32_t)kmalloc_size(HEADER_BYTES + caches[i].data);
	frame_register_reclaim(cache_drain);
}

struct message *message_alloc(uint32_t size, uint32_t handle_room)
{
	uint8_t cache = CACHE_NONE;
	struct message *m = NULL;
	size_t footprint = 0;

	for (unsigned i = 0; i < CACHE_COUNT && handle_room <= CACHED_HANDLES; i++) {
		if (size <= caches[i].data) {
			cache = (uint8_t)i;
			handle_room = CACHED_HANDLES;
			size_t room = caches[i].data;
			footprint = caches[i].footprint;
			m = cache_take(&caches[i]);
			/* Only the document is left unzeroed: whoever allocates
			 * fills it, and only its first m->size bytes ever leave
			 * the kernel. */
			if (!m)
				m = kmalloc_uninit(HEADER_BYTES + room);
			break;
		}
	}
	if (cache == CACHE_NONE) {
		footprint = sizeof(*m) + (size_t)handle_room * (sizeof(struct kobj *) +
								sizeof(uint32_t)) + size;
		m = kmalloc_uninit(footprint);
		footprint = kmalloc_size(footprint);
	}
	if (!m)
		return NULL;
	list_init(&m->link);
	m->objs = (struct kobj **)(m + 1);
	m->rights = (uint32_t *)(m->objs + handle_room);
	m->data = (uint8_t *)(m->rights + handle_room);
	m->size = size;
	m->txid = 0;
	m->handle_count = 0;
	m->parked_for = NULL;
	m->cache = cache;
	m->quota = NULL;
	m->footprint = (uint32_t)footprint;
	m->charged_handles = 0;
	__atomic_fetch_add(&live, 1, __ATOMIC_RELAXED);
	return m;
}

static void uncharge(struct message *m)
{
	quota_uncharge(m->quota, QUOTA_KMEM, m->footprint);
	quota_uncharge(m->quota, QUOTA_HANDLES, m->charged_handles);
	quota_put(m->quota);
	m->quota = NULL;
	m->charged_handles = 0;
}

int message_charge(struct message *m, struct quota *q)
{
	if (m->quota == q && m->charged_handles == m->handle_count)
		return 0;
	int rc = quota_charge(q, QUOTA_KMEM, m->footprint);
	if (rc == 0) {
		rc = quota_charge(q, QUOTA_HANDLES, m->handle_count);
		if (rc < 0)
			quota_uncharge(q, QUOTA_KMEM, m->footprint);
	}
	if (rc < 0)
		return rc;
	if (m->quota)
		uncharge(m);
	m->quota = q ? quota_get(q) : NULL;
	m->charged_handles = m->handle_count;
	return 0;
}

uint32_t message_uncharge_handles(struct message *m)
{
	uint32_t n = m->charged_handles;

	quota_uncharge(m->quota, QUOTA_HANDLES, n);
	m->charged_handles = 0;
	return n;
}

uint32_t message_hand_over_handles(struct message *m)
{
	uint32_t n = m->charged_handles;

	m->charged_handles = 0;
	return n;
}

void message_recharge_handles(struct message *m, uint32_t n)
{
	quota_charge_back(m->quota, QUOTA_HANDLES, n);
	m->charged_handles = n;
}

void message_free(struct message *m)
{
	if (!m)
		return;
	for (uint32_t i = 0; i < m->handle_count; i++)
		kobj_handle_close(m->objs[i]);
	uncharge(m);
	__atomic_fetch_sub(&live, 1, __ATOMIC_RELAXED);
	if (m->cache == CACHE_NONE || !cache_put(&caches[m->cache], m))
		kfree(m);
}

uint64_t message_count(void)
{
	return __atomic_load_n(&live, __ATOMIC_RELAXED);
}

int kobj_reply_attach(struct kobj_reply *reply, struct kobj *obj, uint32_t rights)
{
	struct message *m = reply->msg;

	if (m->handle_count >= KOBJ_REPLY_HANDLES)
		return -E2BIG;
	int rc = quota_charge(m->quota, QUOTA_HANDLES, 1);
	if (rc < 0)
		return rc;
	m->charged_handles++;
	kobj_handle_open(obj);
	m->objs[m->handle_count] = obj;
	m->rights[m->handle_count++] = rights;
	return 0;
}
