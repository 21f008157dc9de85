/* System calls on processes: exit, yield, getpid, spawn, wait and kill
 * (the table is in syscall.c). */
#include "syscall/syscall.h"

#include "fs/vfs_object.h"
#include "lib/abi.h"
#include "lib/bson.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "proc/process.h"
#include "proc/spawn.h"

long sys_exit(uint64_t code, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	process_exit_current((int)code, EXIT_NORMAL);
}

long sys_yield(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	thread_yield();
	return 0;
}

long sys_getpid(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
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

long sys_spawn(uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
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

long sys_process_wait(uint64_t h, uint64_t deadline, uint64_t a2, uint64_t a3, uint64_t a4)
{
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

long sys_process_kill(uint64_t h, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4)
{
	struct kobj *obj;

	int rc = handle_get(&current_process()->handles, (panda_handle_t)h, &process_type,
			    RIGHT_KILL, &obj, NULL);
	if (rc < 0)
		return rc;
	process_kill(kobj_of(obj, struct process, obj), EXIT_KILLED);
	kobj_put(obj);
	return 0;
}
