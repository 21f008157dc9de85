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

/* The environment of the startup message: "KEY=value" for each string of
 * its env whose key has no '=' (what a Unix environment can hold), back to
 * back in a new buffer (*out, the caller's to free). */
static int env_strings(const struct spawn_request *req, char **out, size_t *len,
		       uint32_t *count)
{
	struct bson_iter it, env;
	size_t bytes = 0;

	*out = NULL, *len = 0, *count = 0;
	if (!req->doc || !bson_find(req->doc, "env", &it) || !bson_iter_recurse(&it, &env))
		return 0;
	struct bson_iter walk = env;
	while (bson_iter_next(&walk)) {
		uint32_t n;
		const char *v = bson_iter_utf8(&walk, &n);
		if (v && !strchr(walk.key, '=') && strlen(v) == n)
			bytes += strlen(walk.key) + 1 + n + 1;
	}
	if (!bytes)
		return 0;
	char *buf = kmalloc(bytes), *d = buf;
	if (!buf)
		return -ENOMEM;
	while (bson_iter_next(&env)) {
		uint32_t n;
		const char *v = bson_iter_utf8(&env, &n);
		if (!v || strchr(env.key, '=') || strlen(v) != n)
			continue;
		size_t klen = strlen(env.key);
		memcpy(d, env.key, klen);
		d[klen] = '=';
		memcpy(d + klen + 1, v, n + 1);
		d += klen + 1 + n + 1;
		(*count)++;
	}
	*out = buf, *len = bytes;
	return 0;
}

/* Pushes count NUL-terminated strings of block[0..len) and writes their
 * addresses to w[0..count); returns w past them. */
static uint64_t *push_strings(struct stack_builder *s, uint64_t *w, const char *block,
			      size_t len, uint32_t count)
{
	uint64_t at = len ? push_bytes(s, block, len) : s->at;

	for (uint32_t i = 0; i < count; i++) {
		*w++ = at;
		at += strlen((const char *)s->buf + (at - s->lo)) + 1;
	}
	return w;
}

long posix_write_stack(struct address_space *as, const struct posix_exec_args *a,
		       const struct elf_image *img, const char *execfn)
{
	size_t strings = strlen(execfn) + 1 + a->args_len + a->env_len + sizeof(platform) + 16;
	uint64_t auxv[][2] = {
		{ LINUX_AT_PHDR, img->phdr_vaddr }, { LINUX_AT_PHENT, img->phentsize },
		{ LINUX_AT_PHNUM, img->phnum }, { LINUX_AT_PAGESZ, PAGE_SIZE },
		{ LINUX_AT_BASE, 0 }, { LINUX_AT_FLAGS, 0 }, { LINUX_AT_ENTRY, img->entry },
		{ LINUX_AT_UID, 0 }, { LINUX_AT_EUID, 0 }, { LINUX_AT_GID, 0 }, { LINUX_AT_EGID, 0 },
		{ LINUX_AT_SECURE, 0 }, { LINUX_AT_HWCAP, arch_cpu_hwcap() },
		{ LINUX_AT_CLKTCK, 100 }, { LINUX_AT_RANDOM, 0 }, { LINUX_AT_EXECFN, 0 },
		{ LINUX_AT_PLATFORM, 0 }, { LINUX_AT_NULL, 0 },
	};
	size_t words = 1 + a->argc + 1 + a->envc + 1 + 2 * ARRAY_SIZE(auxv);
	uint64_t strings_lo = ALIGN_DOWN(LINUX_STACK_TOP - strings, 16);
	uint64_t sp = ALIGN_DOWN(strings_lo - words * 8, 16);

	if (strings > LINUX_ARGS_MAX || LINUX_STACK_TOP - sp > LINUX_STACK_SIZE / 4)
		return -E2BIG;
	uint8_t *buf __free(kfree) = kmalloc(LINUX_STACK_TOP - sp);
	if (!buf)
		return -ENOMEM;
	struct stack_builder s = { .buf = buf, .lo = sp, .top = LINUX_STACK_TOP,
				   .at = LINUX_STACK_TOP };

	uint8_t random[16];
	random_bytes(random, sizeof(random));
	auxv[14][1] = push_bytes(&s, random, sizeof(random));
	auxv[15][1] = push_bytes(&s, execfn, strlen(execfn) + 1);
	auxv[16][1] = push_bytes(&s, platform, sizeof(platform));
	uint64_t *w = (uint64_t *)buf;
	*w++ = a->argc;
	w = push_strings(&s, w, a->args, a->args_len, a->argc);
	*w++ = 0;
	w = push_strings(&s, w, a->env, a->env_len, a->envc);
	*w++ = 0;
	memcpy(w, auxv, sizeof(auxv));
	int rc = as_map_guard(as, LINUX_STACK_TOP - LINUX_STACK_SIZE - LINUX_STACK_GUARD,
			      LINUX_STACK_GUARD);
	if (rc == 0)
		rc = as_map_anon(as, LINUX_STACK_TOP - LINUX_STACK_SIZE, LINUX_STACK_SIZE,
				 MAP_WRITE);
	if (rc == 0)
		rc = as_write(as, sp, buf, LINUX_STACK_TOP - sp);
	return rc < 0 ? rc : (long)sp;
}

void posix_set_exe(struct posix_proc *pp, const char *path)
{
	size_t at = path[0] != '/';

	pp->exe[0] = '/';
	strlcpy(pp->exe + at, path, sizeof(pp->exe) - at);
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
	list_init(&pp->children);
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
	posix_set_exe(pp, req->path);
	pp->brk_base = pp->brk = ALIGN_UP(img->image_end, PAGE_SIZE);

	struct posix_exec_args a = { .args = req->args, .args_len = req->args_len,
				     .argc = req->argc };
	char *env __free(kfree) = NULL;
	rc = env_strings(req, &env, &a.env_len, &a.envc);
	a.env = env;
	return rc < 0 ? rc : posix_write_stack(p->as, &a, img, pp->exe);
}

void posix_release(struct process *p)
{
	struct posix_proc *pp;

	{	/* kill reads the dispositions under p->lock (sys_signal.c) */
		guard(spinlock)(&p->lock);
		pp = p->personality_data;
		p->personality_data = NULL;
	}
	if (!pp)
		return;
	posix_vfork_release(pp);
	posix_children_release(pp, p->quota);
	posix_fds_destroy(&pp->fds, p->quota);
	if (pp->root)
		posix_file_put(pp->root);
	if (pp->cwd)
		posix_file_put(pp->cwd);
	if (pp->console)
		kobj_put(pp->console);
	kfree(pp);
	quota_uncharge(p->quota, QUOTA_KMEM, sizeof(struct posix_proc));
}
