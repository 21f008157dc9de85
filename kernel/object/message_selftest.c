/* Self-tests of messages (`test=messages`): the message caches give their
 * messages back to the heap under memory pressure, even while the heap
 * cache they go back to is the one growing. Each suite gives back every
 * byte it took. */
#include "core/selftest.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/snapshot.h"
#include "object/message.h"

#define CACHED_SMALL	8	/* the small-message cache's size (message.c) */
#define SMALL_CLASS	300	/* a kmalloc size of the class small messages come from */

/* Takes every free frame, chained through their first words. */
static uint64_t take_all_frames(void)
{
	uint64_t head = 0, phys;

	while ((phys = frame_alloc(0, OWNER_KERNEL, FRAME_NO_RECLAIM)) != 0) {
		*(uint64_t *)phys_to_virt(phys) = head;
		head = phys;
	}
	return head;
}

static void give_all_frames(uint64_t head)
{
	while (head) {
		uint64_t next = *(uint64_t *)phys_to_virt(head);
		frame_free(head, 0);
		head = next;
	}
}

static void test_messages(void)
{
	struct mm_snapshot start;
	struct message *m[CACHED_SMALL];
	unsigned made = 0, taken = 0;

	mm_snapshot_take(&start);
	selftest_case("the message caches drain into a heap cache that is growing, without deadlock");
	for (unsigned i = 0; i < CACHED_SMALL; i++)
		made += (m[i] = message_alloc(16, 0)) != NULL;
	for (unsigned i = 0; i < CACHED_SMALL; i++)
		message_free(m[i]);		/* kept by the small-message cache */
	SELFTEST_CHECK(made == CACHED_SMALL);
	uint64_t frames = take_all_frames();
	/* With no frame left, the small messages' heap class must grow; the
	 * reclaim that finds room (the cached messages, freed into that same
	 * class) used to run with the class's lock held and spin on it. */
	void *objects = NULL, *obj;
	while (taken < 100000 && (obj = kmalloc(SMALL_CLASS))) {
		*(void **)obj = objects;
		objects = obj;
		taken++;
	}
	SELFTEST_CHECK(taken > 0 && taken < 100000);
	while (objects) {
		obj = *(void **)objects;
		kfree(objects);
		objects = obj;
	}
	give_all_frames(frames);
	SELFTEST_CHECK(message_count() == 0);
	SELFTEST_CHECK(mm_snapshot_same(&start));
}
SELFTEST(messages, test_messages);
