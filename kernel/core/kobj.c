#include "core/kobj.h"

#include "core/panic.h"

void kobj_init(struct kobj *obj, const struct kobj_type *type)
{
	KASSERT(type && type->destroy);
	obj->type = type;
	obj->refs = 1;
	obj->handles = 0;
}

struct kobj *kobj_get(struct kobj *obj)
{
	uint32_t old = __atomic_fetch_add(&obj->refs, 1, __ATOMIC_RELAXED);

	KASSERT(old > 0 && old < UINT32_MAX);	/* a get after destroy is a bug */
	return obj;
}

bool kobj_get_unless_zero(struct kobj *obj)
{
	uint32_t old = __atomic_load_n(&obj->refs, __ATOMIC_RELAXED);

	do {
		if (old == 0)
			return false;
		KASSERT(old < UINT32_MAX);
	} while (!__atomic_compare_exchange_n(&obj->refs, &old, old + 1, true, __ATOMIC_ACQUIRE,
					      __ATOMIC_RELAXED));
	return true;
}

void kobj_put(struct kobj *obj)
{
	if (!obj)
		return;
	uint32_t old = __atomic_fetch_sub(&obj->refs, 1, __ATOMIC_ACQ_REL);
	KASSERT(old > 0);
	if (old == 1) {
		KASSERT(obj->handles == 0);
		obj->type->destroy(obj);
	}
}

void kobj_handle_open(struct kobj *obj)
{
	kobj_get(obj);
	__atomic_fetch_add(&obj->handles, 1, __ATOMIC_RELAXED);
}

void kobj_handle_close(struct kobj *obj)
{
	uint32_t old = __atomic_fetch_sub(&obj->handles, 1, __ATOMIC_ACQ_REL);

	KASSERT(old > 0);
	if (old == 1 && obj->type->on_zero_handles)
		obj->type->on_zero_handles(obj);
	else if (old > 1 && obj->type->on_handle_closed)
		obj->type->on_handle_closed(obj);
	kobj_put(obj);
}
