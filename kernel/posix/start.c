/* Starting a Linux process: its personality state from the handles it was
 * granted, and the System V initial stack (the x86-64 psABI, "Process
 * Initialization"): argc, argv, envp and the auxiliary vector, with the
 * strings above them. The root directory is grant 0 (STARTUP_ROOT) and
 * the working directory grant 2 (STARTUP_CWD); fds 0, 1 and 2 are the
 * handles the startup message names in, out and err, or the console. */
#include "posix/internal.h"
#include "posix/sys.h"

#include "arch/arch.h"
#include "core/kobj.h"
#include "dev/console.h"
#include "dev/random.h"
#include "fs/vfs_object.h"
#include "lib/abi.h"
#include "lib/align.h"
#include "lib/bson.h"
#include "lib/elf.h"
#include "lib/errors.h"
#include "lib/path.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/quota.h"
#include "mm/vm.h"
#include "proc/process.h"
#include "proc/spawn.h"

static const char platform[] = "x86_64";

/* The grant the startup message names `name` ({"handles": {name: i}}),
 * or -1. */
static int named_grant(const struct spawn_request *req, const char *name)
{
	struct bson_iter it, names;
	int64_t i;

	if (!req->doc || !bson_find(req->doc, "handles", &it) || !bson_iter_recurse(&it, &names) ||
	    !bson_iter_find(&names, name) || !bson_iter_integer(&names, &i))
		return -1;
	return i >= 0 && i < req->grant_count ? (int)i : -1;
}

/* A description of grant i as a descriptor would hold it; NULL when there
 * is no such grant or no descriptor can stand for its object. */
static struct posix_file *grant_file(const struct spawn_request *req, int i, const char *path,
				     bool writer, struct quota *quota)
{
	if (i < 0 || (uint32_t)i >= req->grant_count)
		return NULL;
	return posix_file_for(req->grants[i].obj, req->grants[i].rights, path, writer, quota);
}

/* Standard input, output and errors: the named handle, else the console;
 * a descriptor nothing can fill stays closed, as a Unix parent may leave
 * one. */
static int install_standard_fds(struct posix_proc *pp, const struct spawn_request *req,
				struct quota *quota)
{
	static const char *const names[] = { "in", "out", "err" };

	for (int fd = 0; fd < 3; fd++) {
		int i = named_grant(req, names[fd]);
		struct posix_file *f = grant_file(req, i < 0 ? STARTUP_CONSOLE : i, NULL, fd > 0,
						  quota);
		if (!f)
			continue;
		int rc = posix_fd_install_at(&pp->fds, quota, f, false, fd);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* The environment's value of key (NUL-terminated in the document), or
 * NULL. */
static const char *env_value(const struct spawn_request *req, const char *key)
{
	struct bson_iter it, env;
	uint32_t len;

	if (!req->doc || !bson_find(req->doc, "env", &it) || !bson_iter_recurse(&it, &env) ||
	    !bson_iter_find(&env, key))
		return NULL;
	return bson_iter_utf8(&env, &len);
}

/* The working directory's path beneath the root: PWD when that names the
 * very directory granted as the working one (the shell keeps it so), else
 * NULL (getcwd then answers that it is unreachable). */
static char *cwd_path(const struct spawn_request *req)
{
	const char *pwd = env_value(req, "PWD");
	struct kobj *root = req->grants[STARTUP_ROOT].obj, *cwd = req->grants[STARTUP_CWD].obj;
	char clean[PATH_MAX_LEN + 1];
	struct vfs_opened o;

	if (!pwd || pwd[0] != '/' || root->type != &vfs_dir_type ||
	    path_join_clean("/", pwd, clean, sizeof(clean)) < 0)
		return NULL;
	if (vfs_dir_open(root, req->grants[STARTUP_ROOT].rights, clean, strlen(clean),
			 OPEN_DIRECTORY, NULL, NULL, &o) < 0)
		return NULL;
	struct vfs_node a = vfs_dir_node(o.obj), b = vfs_dir_node(cwd);
	bool same = a.fs == b.fs && a.node == b.node;
	kobj_put(o.obj);
	size_t size = strlen(clean) + 1;
	char *copy = same ? kmalloc(size) : NULL;
	if (copy)
		memcpy(copy, clean, size);
	return copy;
}

static int init_directories(struct posix_proc *pp, const struct spawn_request *req,
			    struct quota *quota)
{
	if (req->grant_count <= STARTUP_CWD || req->grants[STARTUP_ROOT].obj->type != &vfs_dir_type ||
	    req->grants[STARTUP_CWD].obj->type != &vfs_dir_type)
		return 0;	/* no file system: every path gets ENOENT */
	pp->root = grant_file(req, STARTUP_ROOT, "/", false, quota);
	char *path __free(kfree) = cwd_path(req);
	pp->cwd = grant_file(req, STARTUP_CWD, path, false, quota);
	return pp->root && pp->cwd ? 0 : -ENOMEM;
}

/* --- the initial stack --------------------------------------------------- */

struct stack_builder {
	uint8_t *buf;			/* mirrors [lo, LINUX_STACK_TOP) */
	uint64_t lo, top;		/* user addresses */
	uint64_t at;			/* strings grow down from top */
};

static uint64_t push_bytes(struct stack_builder *s, const void *p, size_t n)
{
	s->at -= n;
	memcpy(s->buf + (s->at - s->lo), p, n);
	return s->at;
}

/* Environment entries: "KEY=value" for each string of the document's env
 * whose key has no '=' (what a Unix environment can hold). */
static size_t env_count(const struct spawn_request *req, size_t *bytes)
{
	struct bson_iter it, env;
	size_t n = 0;

	*bytes = 0;
	if (!req->doc || !bson_find(req->doc, "env", &it) || !bson_iter_recurse(&it, &env))
		return 0;
	while (bson_iter_next(&env)) {
		uint32_t len;
		const char *v = bson_iter_utf8(&env, &len);
		if (!v || strchr(env.key, '=') || strlen(v) != len)
			continue;
		*bytes += strlen(env.key) + 1 + len + 1;
		n++;
	}
	return n;
}

static uint64_t push_env(struct stack_builder *s, struct bson_iter *env)
{
	uint32_t len;
	const char *v = bson_iter_utf8(env, &len);
	size_t klen = strlen(env->key);

	s->at -= klen + 1 + len + 1;
	char *d = (char *)s->buf + (s->at - s->lo);
	memcpy(d, env->key, klen);
	d[klen] = '=';
	memcpy(d + klen + 1, v, len + 1);
	return s->at;
}

/* Writes the initial stack below LINUX_STACK_TOP; returns the stack
 * pointer (at argc, 16-byte aligned) or an error. */
static long write_stack(struct process *p, const struct spawn_request *req,
			const struct elf_image *img, const char *execfn)
{
	size_t env_bytes, envc = env_count(req, &env_bytes);
	size_t strings = strlen(execfn) + 1 + req->args_len + env_bytes + sizeof(platform) + 16;
	uint64_t auxv[][2] = {
		{ LINUX_AT_PHDR, img->phdr_vaddr }, { LINUX_AT_PHENT, img->phentsize },
		{ LINUX_AT_PHNUM, img->phnum }, { LINUX_AT_PAGESZ, PAGE_SIZE },
		{ LINUX_AT_BASE, 0 }, { LINUX_AT_FLAGS, 0 }, { LINUX_AT_ENTRY, img->entry },
		{ LINUX_AT_UID, 0 }, { LINUX_AT_EUID, 0 }, { LINUX_AT_GID, 0 }, { LINUX_AT_EGID, 0 },
		{ LINUX_AT_SECURE, 0 }, { LINUX_AT_HWCAP, arch_cpu_hwcap() },
		{ LINUX_AT_CLKTCK, 100 }, { LINUX_AT_RANDOM, 0 }, { LINUX_AT_EXECFN, 0 },
		{ LINUX_AT_PLATFORM, 0 }, { LINUX_AT_NULL, 0 },
	};
	size_t words = 1 + req->argc + 1 + envc + 1 + 2 * ARRAY_SIZE(auxv);
	uint64_t strings_lo = ALIGN_DOWN(LINUX_STACK_TOP - strings, 16);
	uint64_t sp = ALIGN_DOWN(strings_lo - words * 8, 16);

	if (LINUX_STACK_TOP - sp > LINUX_STACK_SIZE / 4)
		return -E2BIG;
	struct stack_builder s = { .lo = sp, .top = LINUX_STACK_TOP, .at = LINUX_STACK_TOP };
	uint8_t *buf __free(kfree) = kmalloc(LINUX_STACK_TOP - sp);
	if (!buf)
		return -ENOMEM;
	s.buf = buf;

	uint8_t random[16];
	random_bytes(random, sizeof(random));
	auxv[14][1] = push_bytes(&s, random, sizeof(random));
	auxv[15][1] = push_bytes(&s, execfn, strlen(execfn) + 1);
	auxv[16][1] = push_bytes(&s, platform, sizeof(platform));
	uint64_t *w = (uint64_t *)buf;
	*w++ = req->argc;
	uint64_t arg = push_bytes(&s, req->args, req->args_len);
	for (uint32_t i = 0; i < req->argc; i++) {
		*w++ = arg;
		arg += strlen((const char *)buf + (arg - s.lo)) + 1;
	}
	*w++ = 0;
	struct bson_iter it, env;
	if (envc && bson_find(req->doc, "env", &it) && bson_iter_recurse(&it, &env))
		while (bson_iter_next(&env)) {
			uint32_t len;
			const char *v = bson_iter_utf8(&env, &len);
			if (v && !strchr(env.key, '=') && strlen(v) == len)
				*w++ = push_env(&s, &env);
		}
	*w++ = 0;
	memcpy(w, auxv, sizeof(auxv));
	int rc = as_write(p->as, sp, buf, LINUX_STACK_TOP - sp);
	return rc < 0 ? rc : (long)sp;
}

/* --- the personality's start and release ---------------------------------- */

long posix_start(struct process *p, const struct spawn_request *req, const struct elf_image *img,
		 const uint32_t *handles)
{
	if (quota_charge(p->quota, QUOTA_KMEM, sizeof(struct posix_proc)) < 0)
		return -EDQUOT;
	struct posix_proc *pp = kmalloc(sizeof(*pp));
	if (!pp) {
		quota_uncharge(p->quota, QUOTA_KMEM, sizeof(struct posix_proc));
		return -ENOMEM;
	}
	pp->lock = (struct spinlock)SPINLOCK_INIT("posix proc");
	pp->umask = 022;
	strlcpy(pp->comm, process_name(p), sizeof(pp->comm));
	posix_rlimits_init(pp);
	p->personality_data = pp;	/* release frees it, whatever fails below */
	if (req->grant_count > STARTUP_CONSOLE &&
	    req->grants[STARTUP_CONSOLE].obj->type == &console_type) {
		pp->console = kobj_get(req->grants[STARTUP_CONSOLE].obj);
		pp->console_rights = req->grants[STARTUP_CONSOLE].rights;
	}
	int rc = posix_fds_init(&pp->fds, p->quota);
	if (rc == 0)
		rc = init_directories(pp, req, p->quota);
	if (rc == 0)
		rc = install_standard_fds(pp, req, p->quota);
	if (rc < 0)
		return rc;
	if (req->path[0] != '/')
		pp->exe[0] = '/';
	strlcpy(pp->exe + (req->path[0] != '/'), req->path, sizeof(pp->exe) - 1);
	pp->brk_base = pp->brk = ALIGN_UP(img->image_end, PAGE_SIZE);

	rc = as_map_guard(p->as, LINUX_STACK_TOP - LINUX_STACK_SIZE - LINUX_STACK_GUARD,
			  LINUX_STACK_GUARD);
	if (rc == 0)
		rc = as_map_anon(p->as, LINUX_STACK_TOP - LINUX_STACK_SIZE, LINUX_STACK_SIZE,
				 MAP_WRITE);
	if (rc < 0)
		return rc;
	return write_stack(p, req, img, pp->exe);
}

void posix_release(struct process *p)
{
	struct posix_proc *pp = p->personality_data;

	if (!pp)
		return;
	posix_fds_destroy(&pp->fds, p->quota);
	if (pp->root)
		posix_file_put(pp->root);
	if (pp->cwd)
		posix_file_put(pp->cwd);
	if (pp->console)
		kobj_put(pp->console);
	kfree(pp);
	quota_uncharge(p->quota, QUOTA_KMEM, sizeof(struct posix_proc));
	p->personality_data = NULL;
}
