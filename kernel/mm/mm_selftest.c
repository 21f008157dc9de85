/* Self-tests of the memory system. Each suite compares the allocator
 * statistics with a snapshot from its start: what a test takes, it gives
 * back, exactly. */
#include "arch/arch.h"
#include "core/cleanup.h"
#include "core/kobj.h"
#include "core/ksan.h"
#include "core/selftest.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/kstack.h"
#include "mm/snapshot.h"
#include "mm/usercopy.h"
#include "mm/vm.h"


/* Takes frames until none are left, chaining them through their own first
 * word; returns the chain and how many. */
static uint64_t take_all(unsigned flags, uint64_t *count)
{
	uint64_t head = 0, phys;

	*count = 0;
	while ((phys = frame_alloc(0, OWNER_USER, flags)) != 0) {
		*(uint64_t *)phys_to_virt(phys) = head;
		head = phys;
		(*count)++;
	}
	return head;
}

static void give_all(uint64_t head)
{
	while (head) {
		uint64_t next = *(uint64_t *)phys_to_virt(head);
		frame_free(head, 0);
		head = next;
	}
}

static void test_frames(void)
{
	struct mm_snapshot start;
	struct frame_stats s;
	uint64_t count;

	mm_snapshot_take(&start);

	selftest_case("exhausting memory fails cleanly");
	uint64_t failures_before = start.frames.failed_allocations;
	uint64_t chain = take_all(0, &count);
	frame_get_stats(&s);
	SELFTEST_CHECK(count > 0);
	SELFTEST_CHECK(s.free == 0);
	SELFTEST_CHECK(s.failed_allocations > failures_before);
	/* The heap fails too, no panic, once the free room in its slabs (kept
	 * by whatever else lives there) is used up. */
	void *objects = NULL, *obj;
	unsigned taken = 0;
	while (taken < 100000 && (obj = kmalloc(64))) {
		*(void **)obj = objects;
		objects = obj;
		taken++;
	}
	SELFTEST_CHECK(taken < 100000);
	while (objects) {
		obj = *(void **)objects;
		kfree(objects);
		objects = obj;
	}

	selftest_case("freeing everything restores every statistic exactly");
	give_all(chain);
	SELFTEST_CHECK(mm_snapshot_same(&start));

	selftest_case("user requests leave the kernel its reserve");
	chain = take_all(FRAME_USER_REQUEST, &count);
	frame_get_stats(&s);
	SELFTEST_CHECK(s.free >= s.min_watermark);
	uint64_t kernel_frame = frame_alloc(0, OWNER_KERNEL, 0);
	SELFTEST_CHECK(kernel_frame != 0);
	frame_free(kernel_frame, 0);
	give_all(chain);
	SELFTEST_CHECK(mm_snapshot_same(&start));

	selftest_case("blocks are aligned to their size and zeroed on request");
	for (unsigned order = 0; order <= BUDDY_MAX_ORDER; order++) {
		uint64_t p = frame_alloc(order, OWNER_KERNEL, FRAME_ZERO);
		SELFTEST_CHECK(p && (p & ((PAGE_SIZE << order) - 1)) == 0);
		const uint64_t *words = phys_to_virt(p);
		for (uint64_t i = 0; p && i < (PAGE_SIZE << order) / 8; i++)
			if (words[i]) {
				SELFTEST_CHECK(words[i] == 0);
				break;
			}
		frame_free(p, order);
	}

	selftest_case("shared frames are freed by the last reference");
	uint64_t shared = frame_alloc(0, OWNER_USER, 0);
	frame_get(shared);
	SELFTEST_CHECK(frame_refcount(shared) == 2);
	frame_put(shared);
	SELFTEST_CHECK(frame_refcount(shared) == 1);
	frame_put(shared);
	SELFTEST_CHECK(frame_refcount(shared) == 0);

	selftest_case("double and bad frees are reported and ignored");
	uint64_t bad_before = s.bad_frees;
	uint64_t p = frame_alloc(0, OWNER_KERNEL, 0);
	frame_free(p, 0);
	frame_free(p, 0);
	frame_free(0x123, 0);
	frame_get_stats(&s);
	SELFTEST_CHECK(s.bad_frees == bad_before + 2);
	SELFTEST_CHECK(mm_snapshot_same(&start));

	/* A frame the caches own that is none of their slabs is what a slab
	 * page lost by the heap would look like: the leak check names it. */
	selftest_case("a cache frame that is no slab is reported as a stray");
	uint64_t stray = frame_alloc(0, OWNER_CACHE, 0);
	SELFTEST_CHECK(stray != 0);
	if (stray) {
		SELFTEST_CHECK(kmalloc_report_strays() == 1);
		frame_free(stray, 0);
	}
	SELFTEST_CHECK(kmalloc_report_strays() == 0);
	SELFTEST_CHECK(mm_snapshot_same(&start));
}
SELFTEST(frames, test_frames);

static void test_heap(void)
{
	struct mm_snapshot start;
	static void *ptrs[2000];

	mm_snapshot_take(&start);

	selftest_case("every size class and large sizes round-trip");
	for (int i = 0; i < 2000; i++) {
		size_t size = (size_t)(i * 37 % 3000) + 1;
		if (i % 200 == 0)
			size = 20000 + (size_t)i * 10;	/* large: whole pages */
		ptrs[i] = kmalloc(size);
		SELFTEST_CHECK(ptrs[i] != NULL);
		if (ptrs[i])
			memset(ptrs[i], 0x5a, size);
	}
	for (int i = 0; i < 2000; i++)
		kfree(ptrs[i]);
	kfree(NULL);
	SELFTEST_CHECK(mm_snapshot_same(&start));

	selftest_case("double, interior and foreign frees are reported");
	struct kmalloc_stats s;
	char on_stack[16];
	char *a = kmalloc(100);
	ksan_expect_begin();	/* the sanitized kernel reports each one */
	kfree(a);
	kfree(a);
	char *b = kmalloc(100);
	kfree(b + 1);
	kfree(on_stack);
	kfree(b);
	SELFTEST_CHECK(ksan_expect_end() == (KSAN ? 3 : 0));
	kmalloc_get_stats(&s);
	SELFTEST_CHECK(s.bad_frees == start.heap.bad_frees + 3);
	SELFTEST_CHECK(mm_snapshot_same(&start));

	selftest_case("cleanup guards free on every path, take_ptr moves out");
	{
		void *scoped __free(kfree) = kmalloc(64);
		SELFTEST_CHECK(scoped != NULL);
	}
	void *kept;
	{
		void *scoped __free(kfree) = kmalloc(64);
		kept = take_ptr(scoped);
	}
	kmalloc_get_stats(&s);
	SELFTEST_CHECK(s.objects == start.heap.objects + 1);
	kfree(kept);
	SELFTEST_CHECK(mm_snapshot_same(&start));
}
SELFTEST(heap, test_heap);

static int destroyed;	/* the self-test's */
static void counting_destroy(struct kobj *obj)
{
	destroyed++;
	kfree(obj);
}
static const struct kobj_type counting_type = { .name = "test", .destroy = counting_destroy };

static void test_kobj(void)
{
	struct mm_snapshot start;

	mm_snapshot_take(&start);
	selftest_case("destroy runs once, at the last put");
	struct kobj *obj = kmalloc(sizeof(*obj));
	kobj_init(obj, &counting_type);
	kobj_get(obj);
	kobj_handle_open(obj);
	kobj_put(obj);
	SELFTEST_CHECK(destroyed == 0);
	kobj_handle_close(obj);
	SELFTEST_CHECK(destroyed == 0);
	kobj_put(obj);
	SELFTEST_CHECK(destroyed == 1);

	selftest_case("a reference in a cleanup guard is put at scope end");
	{
		struct kobj *scoped __free(kobj_put) = kmalloc(sizeof(struct kobj));
		kobj_init(scoped, &counting_type);
	}
	SELFTEST_CHECK(destroyed == 2);
	SELFTEST_CHECK(mm_snapshot_same(&start));
}
SELFTEST(kobj, test_kobj);

#define BASE 0x400000ul

static void test_address_space(void)
{
	struct mm_snapshot start;
	uint64_t value = 0x1122334455667788ull, out = 0;
	char name[16];
	char __user *ubase = user_ptr(BASE);	/* where the copies go */

	mm_snapshot_take(&start);
	struct address_space *as = NULL;
	SELFTEST_CHECK(as_create(NULL, &as) == 0);
	if (!as)
		return;
	as_activate(as);

	selftest_case("bad ranges are refused");
	SELFTEST_CHECK(as_map_anon(as, BASE + 1, PAGE_SIZE, MAP_WRITE) == -EINVAL);
	SELFTEST_CHECK(as_map_anon(as, 0, PAGE_SIZE, MAP_WRITE) == -EINVAL);
	SELFTEST_CHECK(as_map_anon(as, DIRECT_MAP_BASE, PAGE_SIZE, MAP_WRITE) == -EINVAL);
	SELFTEST_CHECK(as_map_anon(as, BASE, 0, MAP_WRITE) == -EINVAL);

	selftest_case("anonymous memory is zero on first touch");
	SELFTEST_CHECK(as_map_anon(as, BASE, 8 * PAGE_SIZE, MAP_WRITE) == 0);
	SELFTEST_CHECK(as_map_anon(as, BASE + PAGE_SIZE, PAGE_SIZE, MAP_WRITE) == -EINVAL);
	SELFTEST_CHECK(as->resident == 0);
	SELFTEST_CHECK(copy_from_user(&out, ubase + 100, sizeof(out)) == 0 && out == 0);
	SELFTEST_CHECK(copy_to_user(ubase + 2 * PAGE_SIZE - 4, &value, sizeof(value)) == 0);
	SELFTEST_CHECK(as->resident == 3);	/* the copy straddled two pages */
	SELFTEST_CHECK(copy_from_user(&out, ubase + 2 * PAGE_SIZE - 4, sizeof(out)) == 0);
	SELFTEST_CHECK(out == value);

	selftest_case("protect makes pages read-only");
	SELFTEST_CHECK(as_protect(as, BASE + PAGE_SIZE, PAGE_SIZE, MAP_READ) == 0);
	SELFTEST_CHECK(copy_to_user(ubase + PAGE_SIZE, &value, 8) == -EFAULT);
	SELFTEST_CHECK(copy_from_user(&out, ubase + PAGE_SIZE, 8) == 0);
	SELFTEST_CHECK(copy_to_user(ubase, &value, 8) == 0);	/* neighbours stay writable */
	SELFTEST_CHECK(as_protect(as, BASE + 7 * PAGE_SIZE, 2 * PAGE_SIZE, MAP_READ) == -EINVAL);

	selftest_case("unmap releases pages and later accesses fail");
	uint64_t resident = as->resident;
	SELFTEST_CHECK(as_unmap(as, BASE + PAGE_SIZE, PAGE_SIZE) == 0);
	SELFTEST_CHECK(as->resident == resident - 1);
	SELFTEST_CHECK(copy_from_user(&out, ubase + PAGE_SIZE, 8) == -EFAULT);
	SELFTEST_CHECK(copy_from_user(&out, ubase + 2 * PAGE_SIZE, 8) == 0);

	selftest_case("guard pages always fault");
	SELFTEST_CHECK(as_map_guard(as, BASE + 16 * PAGE_SIZE, PAGE_SIZE) == 0);
	SELFTEST_CHECK(copy_from_user(&out, ubase + 16 * PAGE_SIZE, 8) == -EFAULT);

	selftest_case("user copies check their ranges");
	SELFTEST_CHECK(copy_from_user(&out, user_ptr(0), 8) == -EFAULT);
	SELFTEST_CHECK(copy_from_user(&out, user_ptr((uintptr_t)&out), 8) == -EFAULT);	/* kernel */
	SELFTEST_CHECK(copy_from_user(&out, user_ptr(UINT64_MAX - 3), 8) == -EFAULT);	/* wraps */
	SELFTEST_CHECK(copy_to_user(user_ptr(0x00007ffffffff000ul - 4), &value, 8) == -EFAULT);
	SELFTEST_CHECK(copy_from_user(&out, user_ptr(0x7000000000ul), 8) == -EFAULT);	/* unmapped */

	selftest_case("string copies stop at NUL, size or a fault");
	SELFTEST_CHECK(copy_to_user(ubase + 3 * PAGE_SIZE, "panda", 6) == 0);
	SELFTEST_CHECK(copy_string_from_user(name, ubase + 3 * PAGE_SIZE, sizeof(name)) == 5);
	SELFTEST_CHECK(strcmp(name, "panda") == 0);
	SELFTEST_CHECK(copy_string_from_user(name, ubase + 3 * PAGE_SIZE, 4) == -ENAMETOOLONG);
	char fill[32];
	memset(fill, 'x', sizeof(fill));
	SELFTEST_CHECK(copy_to_user(ubase + 8 * PAGE_SIZE - 32, fill, 32) == 0);
	SELFTEST_CHECK(copy_string_from_user(name, ubase + 8 * PAGE_SIZE - 8, sizeof(name)) == -EFAULT);

	selftest_case("destroying the address space returns every frame");
	as_activate(NULL);
	as_put(as);
	SELFTEST_CHECK(mm_snapshot_same(&start));

	selftest_case("many address spaces come and go without a leak");
	for (int i = 0; i < 200; i++) {
		struct address_space *tmp __free(as_put) = NULL;
		as_create(NULL, &tmp);
		SELFTEST_CHECK(tmp && as_map_anon(tmp, BASE, 4 * PAGE_SIZE, MAP_WRITE) == 0);
		as_activate(tmp);
		SELFTEST_CHECK(copy_to_user(ubase + (uint64_t)(i % 4) * PAGE_SIZE, &value, 8) == 0);
		as_activate(NULL);
	}
	SELFTEST_CHECK(mm_snapshot_same(&start));
}
SELFTEST(vm, test_address_space);

static void test_kstacks(void)
{
	struct mm_snapshot start;
	static struct kstack stacks[64];

	/* The kernel-half page tables under the stack area are created on
	 * first use and kept (every address space shares them), so a first
	 * round creates the ones these stacks need. */
	for (int i = 0; i < 64; i++)
		SELFTEST_CHECK(kstack_alloc(&stacks[i]) == 0);
	for (int i = 0; i < 64; i++)
		kstack_free(&stacks[i]);
	mm_snapshot_take(&start);
	selftest_case("stacks are mapped with a guard below");
	for (int i = 0; i < 64; i++) {
		SELFTEST_CHECK(kstack_alloc(&stacks[i]) == 0);
		SELFTEST_CHECK(stacks[i].top - stacks[i].bottom == KSTACK_SIZE);
		SELFTEST_CHECK(arch_addr_is_mapped(stacks[i].bottom));
		SELFTEST_CHECK(arch_addr_is_mapped(stacks[i].top - 8));
		SELFTEST_CHECK(!arch_addr_is_mapped(stacks[i].bottom - 8));
		SELFTEST_CHECK(kstack_is_guard(stacks[i].bottom - 8));
		((volatile uint64_t *)stacks[i].top)[-1] = (uint64_t)i;
	}
	selftest_case("freeing stacks returns their frames");
	for (int i = 0; i < 64; i++)
		kstack_free(&stacks[i]);
	SELFTEST_CHECK(mm_snapshot_same(&start));
}
SELFTEST(kstack, test_kstacks);

/* Recurses until the stack runs out (depth is never reached). */
__attribute__((noipa, used)) int recurse_deep(volatile char *previous, long depth);
__attribute__((noipa, used)) int recurse_deep(volatile char *previous, long depth)
{
	volatile char pad[512];

	pad[0] = previous ? previous[0] + 1 : 0;
	pad[1] = 0;
	if (depth == 0)
		return pad[0];
	/* Used after the call, so the frame cannot be a tail call. */
	return recurse_deep(pad, depth - 1) + pad[1];
}

static void test_stack_overflow(void)
{
	struct kstack stack;

	selftest_case("overflowing a kernel stack is reported, not silent");
	if (kstack_alloc(&stack) < 0)
		return;
	__asm__ volatile("movq %0, %%rsp\n\t"
			 "xorl %%edi, %%edi\n\t"
			 "movq $1000000, %%rsi\n\t"
			 "call recurse_deep"
			 : : "r"(stack.top) : "memory", "rdi", "rsi");
}
SELFTEST_FATAL(stack-overflow, test_stack_overflow);
