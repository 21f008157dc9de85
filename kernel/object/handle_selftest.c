/* Self-tests of handle tables, driven on a table of their own with no
 * process and no syscall (`test=handles`): a slot taken through every one
 * of its generations never gives a value twice, so a stale value never
 * names the object that came after it; a slot that has used them all is
 * retired and the table grows past it, until every slot is retired; a
 * reserved slot is kept for the insert it was made for. Each
 * suite gives back every byte it took. */
#include "core/kobj.h"
#include "core/selftest.h"
#include "lib/errors.h"
#include "mm/kmalloc.h"
#include "mm/snapshot.h"
#include "object/handle.h"

#define GENERATIONS	(HANDLE_GEN_LAST + 1u)
#define START_SLOTS	16		/* a new table's first capacity */

static void test_object_destroy(struct kobj *obj)
{
	kfree(obj);
}
/* Two kinds, as a sysinfo and a directory handle are. */
static const struct kobj_type old_type = { .name = "old", .destroy = test_object_destroy };
static const struct kobj_type new_type = { .name = "new", .destroy = test_object_destroy };

static struct kobj *test_object(const struct kobj_type *type)
{
	struct kobj *obj = kmalloc(sizeof(*obj));

	if (obj)
		kobj_init(obj, type);
	return obj;
}

/* The value layout of handle.h, written out again so that the test does
 * not trust the code it tests. */
static panda_handle_t value_of(uint32_t index, uint32_t generation)
{
	return 1u << 31 | generation << HANDLE_INDEX_BITS | index;
}

static uint32_t index_of(panda_handle_t h)
{
	return h & (HANDLE_TABLE_MAX - 1);
}

static uint32_t generation_of(panda_handle_t h)
{
	return (h & ~(1u << 31)) >> HANDLE_INDEX_BITS;
}

static bool resolves(struct handle_table *t, panda_handle_t h)
{
	struct kobj *obj;

	if (handle_get(t, h, NULL, 0, &obj, NULL) < 0)
		return false;
	kobj_put(obj);
	return true;
}

/* Closes a stale value's handle, then reopens and closes a handle of
 * another kind GENERATIONS + 1 times: enough for the slot to run through
 * every generation it has and one more. */
static void churn_one_slot(struct kobj *old, struct kobj *fresh)
{
	struct handle_table t;
	uint32_t next_generation[START_SLOTS] = { 0 };
	unsigned failed = 0, stale_named = 0, stale_resolved = 0, repeated = 0, moved = 0;

	handle_table_init(&t, NULL);
	selftest_case("a slot's values never repeat, so a stale one never names a new object");
	long stale = handle_insert(&t, old, RIGHTS_ALL);
	SELFTEST_CHECK(stale > 0 && index_of(stale) == 0 && generation_of(stale) == 0);
	SELFTEST_CHECK(handle_close(&t, stale) == 0);
	next_generation[0] = 1;
	for (uint32_t i = 0; i < GENERATIONS + 1; i++) {
		long h = handle_insert(&t, fresh, RIGHTS_ALL);
		if (h < 0) {
			failed++;
			break;
		}
		uint32_t index = index_of(h);
		stale_named += (panda_handle_t)h == (panda_handle_t)stale;
		stale_resolved += resolves(&t, stale);
		moved += index != 0;
		if (index >= START_SLOTS || generation_of(h) < next_generation[index])
			repeated++;
		else
			next_generation[index] = generation_of(h) + 1;
		handle_close(&t, h);
	}
	SELFTEST_CHECK(failed == 0);
	SELFTEST_CHECK(stale_named == 0);
	SELFTEST_CHECK(stale_resolved == 0);
	SELFTEST_CHECK(repeated == 0);

	selftest_case("a slot that used every generation is retired; the next one is used");
	SELFTEST_CHECK(!resolves(&t, value_of(0, HANDLE_GEN_LAST)));
	SELFTEST_CHECK(next_generation[0] == GENERATIONS);	/* slot 0 gave them all */
	SELFTEST_CHECK(moved == 2);				/* then slot 1, twice */
	SELFTEST_CHECK(next_generation[1] == 2);
	handle_table_destroy(&t);
}

/* Retires every slot of a table, the quick way: each handle's generation
 * is set to its last before it is closed. */
static void retire_every_slot(struct kobj *fresh)
{
	struct handle_table t;
	unsigned failed = 0, misplaced = 0, alive = 0;

	handle_table_init(&t, NULL);
	selftest_case("retired slots count as used: the table grows past them to its limit");
	for (uint32_t i = 0; i < HANDLE_TABLE_MAX; i++) {
		long h = handle_insert(&t, fresh, RIGHTS_ALL);
		if (h < 0) {
			failed++;
			break;
		}
		misplaced += index_of(h) != i || generation_of(h) != 0;
		{
			guard(spinlock)(&t.lock);
			t.entries[index_of(h)].generation = HANDLE_GEN_LAST;
		}
		if (handle_close(&t, value_of(index_of(h), HANDLE_GEN_LAST)) < 0)
			failed++;
	}
	SELFTEST_CHECK(failed == 0);
	SELFTEST_CHECK(misplaced == 0);
	SELFTEST_CHECK(t.count == 0);
	SELFTEST_CHECK(t.capacity == HANDLE_TABLE_MAX);

	selftest_case("with every slot retired, opening gives EMFILE and no value lives");
	SELFTEST_CHECK(handle_insert(&t, fresh, RIGHTS_ALL) == -EMFILE);
	for (uint32_t i = 0; i < HANDLE_TABLE_MAX; i++)
		alive += resolves(&t, value_of(i, HANDLE_GEN_LAST)) + resolves(&t, value_of(i, 0));
	SELFTEST_CHECK(alive == 0);
	SELFTEST_CHECK(fresh->handles == 0);
	handle_table_destroy(&t);
}

/* A kept slot is one nobody else gets: ordinary inserts grow the table
 * around it, and the insert it was kept for needs no memory. */
static void reserve_slots(struct kobj *fresh)
{
	struct handle_table t;
	unsigned failed = 0;

	handle_table_init(&t, NULL);
	selftest_case("a reserved slot is kept from other inserts; its insert cannot fail");
	SELFTEST_CHECK(handle_reserve(&t) == 0);
	for (uint32_t i = 0; i < START_SLOTS - 1; i++)
		failed += handle_insert(&t, fresh, RIGHTS_ALL) < 0;
	SELFTEST_CHECK(failed == 0 && t.capacity == START_SLOTS);
	SELFTEST_CHECK(handle_insert(&t, fresh, RIGHTS_ALL) >= 0);	/* grows */
	SELFTEST_CHECK(t.capacity == 2 * START_SLOTS);
	kobj_handle_open(fresh);	/* a handle in transit, as in a reply */
	panda_handle_t h = handle_insert_reserved(&t, fresh, RIGHTS_ALL);
	SELFTEST_CHECK(resolves(&t, h) && t.reserved == 0 && t.count == START_SLOTS + 1);

	selftest_case("a table full of live and kept slots refuses both with EMFILE");
	while (t.count + t.reserved < HANDLE_TABLE_MAX - 1)
		failed += handle_insert(&t, fresh, RIGHTS_ALL) < 0;
	SELFTEST_CHECK(failed == 0 && handle_reserve(&t) == 0);
	SELFTEST_CHECK(handle_reserve(&t) == -EMFILE);
	SELFTEST_CHECK(handle_insert(&t, fresh, RIGHTS_ALL) == -EMFILE);
	handle_unreserve(&t);
	SELFTEST_CHECK(handle_insert(&t, fresh, RIGHTS_ALL) >= 0);
	handle_table_destroy(&t);
	SELFTEST_CHECK(fresh->handles == 0);
}

static void test_handles(void)
{
	struct mm_snapshot start;

	mm_snapshot_take(&start);
	struct kobj *old __free(kobj_put) = test_object(&old_type);
	struct kobj *fresh __free(kobj_put) = test_object(&new_type);
	SELFTEST_CHECK(old && fresh);
	if (!old || !fresh)
		return;
	churn_one_slot(old, fresh);
	retire_every_slot(fresh);
	reserve_slots(fresh);

	selftest_case("the tables gave back everything");
	SELFTEST_CHECK(old->handles == 0 && fresh->handles == 0);
	SELFTEST_CHECK(old->refs == 1 && fresh->refs == 1);
	kobj_put(take_ptr(old));
	kobj_put(take_ptr(fresh));
	SELFTEST_CHECK(mm_snapshot_same(&start));
}
SELFTEST(handles, test_handles);
