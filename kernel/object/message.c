#include "object/message.h"

#include "lib/errors.h"
#include "mm/kmalloc.h"

static uint64_t live;

struct message *message_alloc(uint32_t size, uint32_t handle_room)
{
	size_t handles = (size_t)handle_room * (sizeof(struct kobj *) + sizeof(uint32_t));
	struct message *m = kmalloc(sizeof(*m) + handles + size);

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
	__atomic_fetch_add(&live, 1, __ATOMIC_RELAXED);
	return m;
}

void message_free(struct message *m)
{
	if (!m)
		return;
	for (uint32_t i = 0; i < m->handle_count; i++)
		kobj_handle_close(m->objs[i]);
	kfree(m);
	__atomic_fetch_sub(&live, 1, __ATOMIC_RELAXED);
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
	kobj_handle_open(obj);
	m->objs[m->handle_count] = obj;
	m->rights[m->handle_count++] = rights;
	return 0;
}
