#include "object/handle.h"

#include "core/panic.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/quota.h"

#define HANDLE_TAG		(1u << 31)
#define HANDLE_RETIRED		(HANDLE_GEN_LAST + 1)	/* a generation no value has */
#define HANDLE_INITIAL		16

/* Only for a live slot, whose generation is at most HANDLE_GEN_LAST. */
static panda_handle_t encode(uint32_t index, uint32_t generation)
{
	return HANDLE_TAG | generation << HANDLE_INDEX_BITS | index;
}

void handle_table_init(struct handle_table *t, struct quota *quota)
{
	*t = (struct handle_table){ .quota = quota, .lock = SPINLOCK_INIT("handles") };
}

void handle_table_destroy(struct handle_table *t)
{
	struct handle_entry *entries;
	uint32_t capacity;

	{
		guard(spinlock)(&t->lock);
		entries = t->entries;
		capacity = t->capacity;
		KASSERT(t->reserved == 0);	/* promises last one system call */
		quota_uncharge(t->quota, QUOTA_HANDLES, t->count);
		t->entries = NULL;
		t->capacity = t->count = t->retired = 0;
	}
	/* Outside the lock: closing may run an object's on_zero_handles. */
	for (uint32_t i = 0; i < capacity; i++)
		if (entries[i].obj)
			kobj_handle_close(entries[i].obj);
	kfree(entries);
}

/* Caller holds the lock. Allocating under it (interrupts off) is safe:
 * kmalloc never sleeps (out of memory it returns NULL, it never waits),
 * and all it can reach takes only memory locks -- failinject, the kcache's
 * own, frame_lock, and in frame_reclaim's hooks the other kcaches' (tried,
 * never waited for) and the message caches' -- none of which is ever held
 * while a handle table's lock is taken, so "handles" always comes first
 * (the sanitized kernel's order checker watches it). The copy is at most
 * HANDLE_TABLE_MAX entries, once per doubling. */
static int grow(struct handle_table *t)
{
	uint32_t capacity = t->capacity ? t->capacity * 2 : HANDLE_INITIAL;

	spin_assert_held(&t->lock);
	if (t->capacity == HANDLE_TABLE_MAX)
		return -EMFILE;
	struct handle_entry *entries = kmalloc(capacity * sizeof(*entries));
	if (!entries)
		return -ENOMEM;
	if (t->entries)
		memcpy(entries, t->entries, t->capacity * sizeof(*entries));
	kfree(t->entries);
	t->entries = entries;
	t->capacity = capacity;
	return 0;
}

/* Makes sure a free slot that nobody was promised exists. Caller holds
 * the lock. */
static int make_room(struct handle_table *t)
{
	spin_assert_held(&t->lock);
	return t->count + t->retired + t->reserved < t->capacity ? 0 : grow(t);
}

/* Puts obj in a free slot (make_room or a reservation made sure there
 * is one) and returns its value. Caller holds the lock. */
static panda_handle_t fill(struct handle_table *t, struct kobj *obj, uint32_t rights)
{
	spin_assert_held(&t->lock);
	for (uint32_t i = 0; i < t->capacity; i++) {
		struct handle_entry *e = &t->entries[i];
		if (e->obj || e->generation == HANDLE_RETIRED)
			continue;
		e->obj = obj;
		e->rights = rights & RIGHTS_ALL;
		t->count++;
		return encode(i, e->generation);
	}
	panic("handles: a table with room has no free slot");
}

/* Puts obj in a free slot, charging the table's node for it. */
static long insert(struct handle_table *t, struct kobj *obj, uint32_t rights)
{
	guard(spinlock)(&t->lock);

	int rc = make_room(t);
	if (rc == 0)
		rc = quota_charge(t->quota, QUOTA_HANDLES, 1);
	return rc < 0 ? rc : (long)fill(t, obj, rights);
}

long handle_insert(struct handle_table *t, struct kobj *obj, uint32_t rights)
{
	kobj_handle_open(obj);
	long h = insert(t, obj, rights);
	if (h < 0)
		kobj_handle_close(obj);
	return h;
}

long handle_insert_taken(struct handle_table *t, struct kobj *obj, uint32_t rights)
{
	return insert(t, obj, rights);
}

int handle_reserve(struct handle_table *t)
{
	guard(spinlock)(&t->lock);

	int rc = make_room(t);
	if (rc == 0)
		t->reserved++;
	return rc;
}

panda_handle_t handle_insert_reserved(struct handle_table *t, struct kobj *obj, uint32_t rights)
{
	guard(spinlock)(&t->lock);

	KASSERT(t->reserved > 0);
	t->reserved--;
	return fill(t, obj, rights);
}

void handle_unreserve(struct handle_table *t)
{
	guard(spinlock)(&t->lock);

	KASSERT(t->reserved > 0);
	t->reserved--;
}

/* Caller holds the lock. */
static struct handle_entry *lookup(struct handle_table *t, panda_handle_t h)
{
	uint32_t index = h & (HANDLE_TABLE_MAX - 1);

	spin_assert_held(&t->lock);
	if (!(h & HANDLE_TAG) || index >= t->capacity)
		return NULL;
	struct handle_entry *e = &t->entries[index];
	if (!e->obj || encode(index, e->generation) != h)
		return NULL;
	return e;
}

int handle_get(struct handle_table *t, panda_handle_t h, const struct kobj_type *type,
	       uint32_t need, struct kobj **obj, uint32_t *rights)
{
	guard(spinlock)(&t->lock);
	struct handle_entry *e = lookup(t, h);

	if (!e)
		return -EBADHANDLE;
	if (type && e->obj->type != type)
		return -EINVAL;
	if ((e->rights & need) != need)
		return -EACCES;
	*obj = kobj_get(e->obj);
	if (rights)
		*rights = e->rights;
	return 0;
}

int handle_take(struct handle_table *t, panda_handle_t h, struct kobj **obj, uint32_t *rights)
{
	guard(spinlock)(&t->lock);
	struct handle_entry *e = lookup(t, h);

	if (!e)
		return -EBADHANDLE;
	*obj = e->obj;
	*rights = e->rights;
	e->obj = NULL;
	t->count--;
	quota_uncharge(t->quota, QUOTA_HANDLES, 1);
	/* The old value now names nothing. Once the slot has given every
	 * generation, a new one would repeat a value a stale copy may still
	 * hold: the slot is retired instead, for the table's life. */
	if (e->generation == HANDLE_GEN_LAST) {
		e->generation = HANDLE_RETIRED;
		t->retired++;
	} else {
		e->generation++;
	}
	return 0;
}

int handle_close(struct handle_table *t, panda_handle_t h)
{
	struct kobj *obj;
	uint32_t rights;

	int rc = handle_take(t, h, &obj, &rights);
	if (rc == 0)
		kobj_handle_close(obj);
	return rc;
}

long handle_dup(struct handle_table *t, panda_handle_t h, uint32_t rights)
{
	struct kobj *obj;
	uint32_t have;

	int rc = handle_get(t, h, NULL, RIGHT_DUP, &obj, &have);
	if (rc < 0)
		return rc;
	if (rights == RIGHTS_SAME)
		rights = have;
	long nh = (rights & ~have) ? -EINVAL : handle_insert(t, obj, rights);
	kobj_put(obj);
	return nh;
}
