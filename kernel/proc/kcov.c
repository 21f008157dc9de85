/* Kernel coverage (core/kcov.h). This file is never instrumented: it is
 * what the instrumentation calls. A buffer records the return address of
 * every __sanitizer_cov_trace_pc call, in order, so consecutive entries
 * are the edges the thread took; what does not fit is dropped. */
#include "core/kcov.h"

#include "core/kobj.h"
#include "core/spinlock.h"
#include "lib/abi.h"
#include "lib/errors.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "proc/process.h"
#include "sched/sched.h"

#ifdef PANDA_KCOV

struct kcov {
	struct kobj obj;
	uint64_t *pcs;
	uint32_t capacity;
	uint32_t count;			/* written by the owner's calls only */
	struct thread *owner;		/* recording into it; kcov_lock */
};

static struct spinlock kcov_lock = SPINLOCK_INIT("kcov");
/* Threads with a buffer: until one exists no call looks at %gs (early
 * boot runs instrumented code before the per-CPU area is set up). */
static uint32_t kcov_threads;	/* atomic */

void __sanitizer_cov_trace_pc(void);

void __sanitizer_cov_trace_pc(void)
{
	if (!__atomic_load_n(&kcov_threads, __ATOMIC_RELAXED))
		return;
	struct thread *t = arch_current_thread();
	if (!t || !t->kcov_recording)
		return;
	struct kcov *k = t->kcov;
	uint32_t n = k->count;
	if (n < k->capacity) {
		k->pcs[n] = (uint64_t)__builtin_return_address(0);
		k->count = n + 1;
	}
}

static void kcov_destroy(struct kobj *obj)
{
	struct kcov *k = kobj_of(obj, struct kcov, obj);

	kfree(k->pcs);
	kfree(k);
}

static const struct kobj_type kcov_type = { .name = "kcov", .destroy = kcov_destroy };

static long kcov_open(uint64_t capacity)
{
	if (capacity == 0 || capacity > KCOV_PCS_MAX)
		return -EINVAL;
	struct kcov *k __free(kfree) = kmalloc(sizeof(*k));
	if (!k)
		return -ENOMEM;
	k->pcs = kmalloc_uninit(capacity * sizeof(uint64_t));
	if (!k->pcs)
		return -ENOMEM;
	k->capacity = (uint32_t)capacity;
	kobj_init(&k->obj, &kcov_type);
	long h = handle_insert(&current_process()->handles, &k->obj, RIGHTS_ALL);
	kobj_put(&take_ptr(k)->obj);		/* the handle holds it now, or nothing */
	return h;
}

static void detach(struct thread *t)
{
	struct kcov *k;

	{
		guard(spinlock)(&kcov_lock);
		k = t->kcov;
		if (!k)
			return;
		t->kcov_recording = false;
		t->kcov = NULL;
		k->owner = NULL;
		__atomic_fetch_sub(&kcov_threads, 1, __ATOMIC_RELAXED);
	}
	kobj_put(&k->obj);
}

static long kcov_enable(struct thread *t, struct kcov *k)
{
	guard(spinlock)(&kcov_lock);
	if (t->kcov || k->owner)
		return -EBUSY;
	kobj_get(&k->obj);
	k->owner = t;
	k->count = 0;
	t->kcov = k;
	__atomic_fetch_add(&kcov_threads, 1, __ATOMIC_RELAXED);
	return 0;
}

static long kcov_read(struct kcov *k, uint64_t __user *upcs, uint64_t max)
{
	uint32_t n = k->count;

	if (n > k->capacity)
		n = k->capacity;
	if (n > max)
		n = (uint32_t)max;
	if (n) {
		int rc = copy_to_user(upcs, k->pcs, n * sizeof(uint64_t));
		if (rc)
			return rc;
	}
	k->count = 0;
	return n;
}

static long kcov_with_buffer(uint64_t op, uint64_t h, uint64_t upcs, uint64_t max)
{
	struct kobj *obj __free(kobj_put) = NULL;
	uint32_t need = op == KCOV_READ ? RIGHT_READ : RIGHT_WRITE;
	int rc = handle_get(&current_process()->handles, (panda_handle_t)h, &kcov_type, need,
			    &obj, NULL);

	if (rc < 0)
		return rc;
	struct kcov *k = kobj_of(obj, struct kcov, obj);
	if (op == KCOV_ENABLE)
		return kcov_enable(current_thread(), k);
	return kcov_read(k, user_ptr(upcs), max);
}

long kcov_syscall(uint64_t op, uint64_t a1, uint64_t a2, uint64_t a3)
{
	switch (op) {
	case KCOV_OPEN:
		return kcov_open(a1);
	case KCOV_ENABLE:
	case KCOV_READ:
		return kcov_with_buffer(op, a1, a2, a3);
	case KCOV_DISABLE:
		detach(current_thread());
		return 0;
	default:
		return -EINVAL;
	}
}

void kcov_syscall_enter(void)
{
	struct thread *t = current_thread();

	t->kcov_recording = t->kcov != NULL;
}

void kcov_syscall_leave(void)
{
	current_thread()->kcov_recording = false;
}

bool kcov_irq_enter(void)
{
	if (!__atomic_load_n(&kcov_threads, __ATOMIC_RELAXED))
		return false;
	struct thread *t = arch_current_thread();
	if (!t || !t->kcov_recording)
		return false;
	t->kcov_recording = false;
	return true;
}

void kcov_irq_leave(bool was_recording)
{
	if (was_recording)
		arch_current_thread()->kcov_recording = true;
}

void kcov_thread_free(struct thread *t)
{
	detach(t);
}

#else /* !PANDA_KCOV: the normal kernel has no coverage to give */

long kcov_syscall(uint64_t op, uint64_t a1, uint64_t a2, uint64_t a3)
{
	(void)op, (void)a1, (void)a2, (void)a3;
	return -ENOSYS;
}

#endif
