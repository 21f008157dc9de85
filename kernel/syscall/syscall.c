/* The system-call table: the one place that decodes user arguments. Every
 * pointer goes through the checked copies of mm/usercopy.h, every handle
 * through the caller's table with the rights it needs; below this layer
 * nothing trusts or re-checks user input (lib/abi.h, docs/syscalls.md). */
#include "arch/arch.h"
#include "core/kcov.h"
#include "core/log.h"
#include "fs/vfs_object.h"
#include "lib/abi.h"
#include "lib/bson.h"
#include "lib/errors.h"
#include "lib/path.h"
#include "lib/string.h"
#include "mm/failinject.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "mm/vm.h"
#include "proc/process.h"
#include "proc/spawn.h"
#include "syscall/syscall.h"

typedef long (*syscall_fn)(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4);

/* debug_write: a burst of PROCESS_LOG_BURST bytes, refilled at this rate. */
#define LOG_BYTES_PER_S	(64u << 10)

static long sys_exit(uint64_t code, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	(void)a1, (void)a2, (void)a3, (void)a4;
	process_exit_current((int)code, EXIT_NORMAL);
}

static long sys_yield(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4;
	thread_yield();
	return 0;
}

static long sys_getpid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4;
	return current_thread()->proc->pid;
}

/* Copies argv into one buffer of back-to-back strings. */
static int copy_args(struct spawn_request *req, const char __user *const __user *uargv,
		     uint64_t argc, char *buf)
{
	const char __user *ptrs[PANDA_ARGS_MAX];
	size_t used = 0;

	if (argc > PANDA_ARGS_MAX)
		return -E2BIG;
	if (argc && copy_from_user(ptrs, uargv, argc * sizeof(ptrs[0])) < 0)
		return -EFAULT;
	for (uint64_t i = 0; i < argc; i++) {
		long n = copy_string_from_user(buf + used, ptrs[i], PANDA_ARGS_BYTES - used);
		if (n == -ENAMETOOLONG)
			return -E2BIG;
		if (n < 0)
			return (int)n;
		used += (size_t)n + 1;
	}
	if (argc == 0) {		/* argv[0] is the path, at least */
		strlcpy(buf, req->path, PANDA_ARGS_BYTES);
		used = strlen(buf) + 1;
		argc = 1;
	}
	req->args = buf;
	req->args_len = used;
	req->argc = (uint32_t)argc;
	return 0;
}

static void drop_grants(struct spawn_request *req)
{
	for (uint32_t i = 0; i < req->grant_count; i++)
		kobj_put(req->grants[i].obj);
	req->grant_count = 0;
}

static int copy_grants(struct spawn_request *req, struct process *self,
		       const panda_handle_t __user *uhandles, uint32_t count)
{
	panda_handle_t values[PANDA_SPAWN_HANDLES];

	if (count > PANDA_SPAWN_HANDLES)
		return -E2BIG;
	if (count && copy_from_user(values, uhandles, count * sizeof(values[0])) < 0)
		return -EFAULT;
	for (uint32_t i = 0; i < count; i++) {
		struct spawn_grant *g = &req->grants[i];
		int rc = handle_get(&self->handles, values[i], NULL, RIGHT_DUP, &g->obj, &g->rights);
		if (rc < 0)
			return rc;
		req->grant_count++;
	}
	return 0;
}

/* The startup document: copied whole and checked once here, so the child
 * can trust that it is well-formed BSON. */
static int copy_startup_doc(struct spawn_request *req, const void __user *udoc, uint64_t size,
			    void **buf)
{
	if (!udoc)
		return size ? -EINVAL : 0;
	if (size < 5 || size > PANDA_STARTUP_DOC_MAX)
		return size < 5 ? -EBADMSG : -E2BIG;
	*buf = kmalloc(size);
	if (!*buf)
		return -ENOMEM;
	if (copy_from_user(*buf, udoc, size) < 0)
		return -EFAULT;
	if (bson_validate(*buf, size, PANDA_DEPTH_MAX, NULL) < 0)
		return -EBADMSG;
	req->doc = *buf;
	req->doc_size = size;
	return 0;
}

_Static_assert(PANDA_PATH_MAX == PATH_MAX_LEN + 1, "spawn takes any path lib/path.c accepts");

static long sys_spawn(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	(void)a1, (void)a2, (void)a3, (void)a4;
	const struct panda_spawn __user *uargs = user_ptr(a0);
	struct process *self = current_process();
	struct panda_spawn args;
	char path[PANDA_PATH_MAX];
	struct kobj *dir __free(kobj_put) = NULL;
	char *argbuf __free(kfree) = NULL;
	void *docbuf __free(kfree) = NULL;
	struct spawn_request *req __free(kfree) = kmalloc(sizeof(*req));
	long rc;

	if (!req)
		return -ENOMEM;
	memset(req, 0, sizeof(*req));
	if (copy_from_user(&args, uargs, sizeof(args)) < 0)
		return -EFAULT;
	rc = handle_get(&self->handles, args.dir, &vfs_dir_type, RIGHT_SPAWN, &dir, NULL);
	if (rc < 0)
		return rc;
	rc = copy_string_from_user(path, uaddr_ptr(args.path), sizeof(path));
	if (rc < 0)
		return rc;
	argbuf = kmalloc(PANDA_ARGS_BYTES);
	if (!argbuf)
		return -ENOMEM;
	req->dir = dir;
	req->path = path;
	req->ppid = self->pid;
	rc = copy_args(req, uaddr_ptr(args.argv), args.argc, argbuf);
	if (rc == 0)
		rc = copy_startup_doc(req, uaddr_ptr(args.doc), args.doc_size, &docbuf);
	if (rc == 0)
		rc = copy_grants(req, self, uaddr_ptr(args.handles), args.handle_count);
	struct panda_limits limits;
	if (rc == 0 && args.limits.addr) {
		rc = copy_from_user(&limits, uaddr_ptr(args.limits), sizeof(limits));
		req->limits = &limits;
	}
	req->parent_quota = self->quota;
	struct process *child = NULL;
	if (rc == 0)
		rc = spawn_process(req, &child);
	drop_grants(req);
	if (rc < 0)
		return rc;
	rc = handle_insert(&self->handles, &child->obj, RIGHTS_ALL);
	if (rc < 0)
		process_kill(child, EXIT_KILLED);	/* nobody could ever wait for it */
	process_put(child);
	return rc;
}

static long sys_process_wait(uint64_t h, uint64_t deadline, uint64_t a2, uint64_t a3, uint64_t a4)
{
	(void)a3, (void)a4;
	struct panda_exit_status __user *ustatus = user_ptr(a2);
	struct kobj *obj;
	struct panda_exit_status status;

	int rc = handle_get(&current_process()->handles, (panda_handle_t)h, &process_type,
			    RIGHT_WAIT, &obj, NULL);
	if (rc < 0)
		return rc;
	rc = process_wait(kobj_of(obj, struct process, obj), deadline, &status);
	kobj_put(obj);
	if (rc == 0 && ustatus && copy_to_user(ustatus, &status, sizeof(status)) < 0)
		return -EFAULT;
	return rc;
}

static long sys_process_kill(uint64_t h, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	(void)a1, (void)a2, (void)a3, (void)a4;
	struct kobj *obj;

	int rc = handle_get(&current_process()->handles, (panda_handle_t)h, &process_type,
			    RIGHT_KILL, &obj, NULL);
	if (rc < 0)
		return rc;
	process_kill(kobj_of(obj, struct process, obj), EXIT_KILLED);
	kobj_put(obj);
	return 0;
}

/* How many bytes p may log now (a token bucket). */
static size_t log_allowance(struct process *p, size_t want)
{
	uint64_t now = arch_clock_ns();
	guard(spinlock)(&p->lock);
	uint64_t refill = (now - p->log_refilled_at) * LOG_BYTES_PER_S / 1000000000ull;

	if (refill) {
		p->log_tokens = p->log_tokens + refill > PROCESS_LOG_BURST ? PROCESS_LOG_BURST
									 : p->log_tokens + refill;
		p->log_refilled_at = now;
	}
	if (want > p->log_tokens)
		want = p->log_tokens;
	p->log_tokens -= want;
	return want;
}

static long sys_debug_write(uint64_t a0, uint64_t len, uint64_t a2, uint64_t a3, uint64_t a4)
{
	(void)a2, (void)a3, (void)a4;
	const char __user *ubuf = user_ptr(a0);
	char chunk[256];
	size_t done = 0;

	if (len > PROCESS_LOG_BURST)
		return -E2BIG;
	len = log_allowance(current_process(), len);
	while (done < len) {
		size_t n = len - done < 256 ? len - done : 256;
		if (copy_from_user(chunk, ubuf + done, n) < 0)
			return done ? (long)done : -EFAULT;
		log_write_text(chunk, n);
		done += n;
	}
	return (long)done;
}

static long sys_sleep(uint64_t deadline, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	(void)a1, (void)a2, (void)a3, (void)a4;
	return sched_sleep_until(deadline);
}

static long sys_clock(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	(void)a0, (void)a1, (void)a2, (void)a3, (void)a4;
	return (long)arch_clock_ns();
}

static int user_prot(uint64_t prot, unsigned *out)
{
	if (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -EINVAL;		/* W^X */
	*out = (prot & PROT_WRITE ? MAP_WRITE : 0) | (prot & PROT_EXEC ? MAP_EXEC : 0);
	return 0;
}

static bool user_range_ok(uint64_t addr, uint64_t len)
{
	return addr >= USER_MMAP_LO && len && len <= USER_STACK_LO - addr &&
	       addr < USER_STACK_LO && !(addr & (PAGE_SIZE - 1));
}

static long sys_mem_map(uint64_t addr, uint64_t len, uint64_t prot, uint64_t a3, uint64_t a4)
{
	(void)a3, (void)a4;
	struct address_space *as = current_process()->as;
	unsigned p;

	if (user_prot(prot, &p) < 0 || len == 0 || len > USER_STACK_LO)
		return -EINVAL;
	len = (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (addr == 0) {
		addr = as_find_free(as, len, USER_MMAP_LO, USER_STACK_LO);
		if (!addr)
			return -ENOMEM;
	} else if (!user_range_ok(addr, len)) {
		return -EINVAL;
	}
	int rc = as_map_anon(as, addr, len, p);
	return rc < 0 ? rc : (long)addr;
}

static long sys_mem_unmap(uint64_t addr, uint64_t len, uint64_t a2, uint64_t a3, uint64_t a4)
{
	(void)a2, (void)a3, (void)a4;
	len = (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (!user_range_ok(addr, len))
		return -EINVAL;
	return as_unmap(current_process()->as, addr, len);
}

static long sys_mem_protect(uint64_t addr, uint64_t len, uint64_t prot, uint64_t a3, uint64_t a4)
{
	(void)a3, (void)a4;
	unsigned p;

	len = (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (user_prot(prot, &p) < 0 || !user_range_ok(addr, len))
		return -EINVAL;
	return as_protect(current_process()->as, addr, len, p);
}

static long sys_kcov(uint64_t op, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	(void)a4;
	return kcov_syscall(op, a1, a2, a3);
}

static const syscall_fn table[SYS_COUNT] = {
	[SYS_EXIT] = sys_exit,
	[SYS_YIELD] = sys_yield,
	[SYS_GETPID] = sys_getpid,
	[SYS_SPAWN] = sys_spawn,
	[SYS_PROCESS_WAIT] = sys_process_wait,
	[SYS_PROCESS_KILL] = sys_process_kill,
	[SYS_DEBUG_WRITE] = sys_debug_write,
	[SYS_SLEEP] = sys_sleep,
	[SYS_CLOCK] = sys_clock,
	[SYS_MEM_MAP] = sys_mem_map,
	[SYS_MEM_UNMAP] = sys_mem_unmap,
	[SYS_MEM_PROTECT] = sys_mem_protect,
	[SYS_CLOSE] = sys_close,
	[SYS_CHANNEL_CREATE] = sys_channel_create,
	[SYS_SEND] = sys_send,
	[SYS_RECV] = sys_recv,
	[SYS_CALL] = sys_call,
	[SYS_WAIT] = sys_wait,
	[SYS_DUP] = sys_dup,
	[SYS_KCOV] = sys_kcov,
};

/* Called from syscall.S with interrupts on; the result goes back in rax. */
void syscall_dispatch(struct trap_frame *f)
{
	uint64_t nr = f->rax;

	failinject_syscall_enter(nr < SYS_COUNT ? (unsigned)nr : SYS_COUNT);
	if (nr == SYS_KCOV) {		/* never its own coverage */
		f->rax = sys_kcov(f->rdi, f->rsi, f->rdx, f->r10, f->r8);
	} else if (nr < SYS_COUNT && table[nr]) {
		kcov_syscall_enter();
		f->rax = table[nr](f->rdi, f->rsi, f->rdx, f->r10, f->r8);
		kcov_syscall_leave();
	} else
		f->rax = -ENOSYS;
	failinject_syscall_exit();
	if (arch_need_resched() || current_thread()->killed)
		process_before_user_mode();
}
