/* execve: the process keeps its pid, its descriptors (but the
 * close-on-exec ones), its directories, limits and children, and gets a
 * new image: a fresh address space with the executable's segments and a
 * new System V stack, every register cleared. The new image is built
 * whole before the old one is let go, so an execve that fails returns to
 * the caller untouched. A file that starts with "#!" is a script: its
 * interpreter runs instead, with the script's name as an argument. A
 * Linux process can exec Linux programs only: a native Panda executable
 * wants a startup block of handles that a Linux process does not keep, so
 * it is ENOEXEC (docs/posix.md). */
#include "posix/internal.h"
#include "posix/sys.h"

#include "arch/arch.h"
#include "fs/vfs_object.h"
#include "lib/align.h"
#include "lib/elf.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "mm/vm.h"
#include "proc/process.h"
#include "proc/spawn.h"
#include "sched/sched.h"

#define RFLAGS_USER	0x202		/* IF, and the bit that is always set */
#define SCRIPT_HEAD	256		/* bytes of a "#!" line read, as Linux's */
#define SCRIPT_DEPTH	4		/* interpreters that are scripts in turn */

/* Copies a NULL-terminated array of user strings (argv or envp) into one
 * block of strings back to back. NULL is an empty array, as Linux takes
 * it. */
static int copy_strings(uint64_t array_va, char **out, size_t *len, uint32_t *count)
{
	size_t cap = 4096, used = 0;
	char *buf = kmalloc(cap);
	uint32_t n = 0;

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	for (; array_va; n++) {
		uint64_t p;
		if (copy_from_user(&p, user_ptr(array_va + n * sizeof(p)), sizeof(p)) < 0) {
			kfree(buf);
			return -EFAULT;
		}
		if (!p)
			break;
		for (;;) {
			long got = copy_string_from_user(buf + used, user_ptr(p), cap - used);
			if (got >= 0) {
				used += (size_t)got + 1;
				break;
			}
			if (got != -ENAMETOOLONG || cap >= LINUX_ARGS_MAX) {
				kfree(buf);
				return got == -ENAMETOOLONG ? -E2BIG : (int)got;
			}
			char *bigger = kmalloc(cap * 2);	/* the string did not fit: room */
			if (!bigger) {
				kfree(buf);
				return -ENOMEM;
			}
			memcpy(bigger, buf, used);
			kfree(buf);
			buf = bigger;
			cap *= 2;
		}
	}
	*out = buf, *len = used, *count = n;
	return 0;
}

/* --- "#!" scripts ------------------------------------------------------ */

/* The interpreter line of the script p names: 1 with *interp and *arg
 * (NULL when none) pointing into line, 0 when p is no script, or an error
 * (a line that does not fit, or names no interpreter: ENOEXEC). As Linux:
 * the interpreter is the first word after "#!", the argument everything
 * after it to the end of the line, spaces at both ends trimmed. */
static int script_line(const struct posix_path *p, char line[SCRIPT_HEAD], char **interp,
		       char **arg)
{
	struct vfs_node n __free(vfs_node_put) = { 0 };
	int rc = vfs_dir_resolve_file(p->dir->obj, p->path, p->len, &n);

	if (rc < 0)
		return rc;
	long got = n.fs->ops->read(n.fs, n.node, 0, line, SCRIPT_HEAD - 1);
	if (got < 2 || line[0] != '#' || line[1] != '!')
		return got < 0 ? (int)got : 0;
	line[got] = 0;
	char *end = memchr(line, '\n', (size_t)got);
	if (end)
		*end = 0;
	char *c = line + 2;
	while (*c == ' ' || *c == '\t')
		c++;
	*interp = c;
	while (*c && *c != ' ' && *c != '\t')
		c++;
	if (c == *interp || (!end && !*c))
		return -ENOEXEC;	/* no interpreter, or its name cut off */
	if (*c)
		*c++ = 0;
	while (*c == ' ' || *c == '\t')
		c++;
	char *last = c + strlen(c);
	while (last > c && (last[-1] == ' ' || last[-1] == '\t'))
		*--last = 0;
	*arg = *c ? c : NULL;
	return 1;
}

/* The arguments for the interpreter: interp, arg (if any), the script's
 * name, then the script's own arguments but the first. */
static int script_args(struct posix_exec_args *a, char **block, const char *interp,
		       const char *arg, const char *script)
{
	size_t first = a->argc ? strlen(a->args) + 1 : 0;
	size_t li = strlen(interp) + 1, la = arg ? strlen(arg) + 1 : 0, ls = strlen(script) + 1;
	size_t len = li + la + ls + a->args_len - first;

	if (len > LINUX_ARGS_MAX)
		return -E2BIG;
	char *buf = kmalloc(len);
	if (!buf)
		return -ENOMEM;
	memcpy(buf, interp, li);
	if (arg)
		memcpy(buf + li, arg, la);
	memcpy(buf + li + la, script, ls);
	memcpy(buf + li + la + ls, a->args + first, a->args_len - first);
	kfree(*block);
	*block = buf;
	a->args = buf;
	a->args_len = len;
	a->argc = a->argc - (first ? 1 : 0) + (arg ? 3 : 2);
	return 0;
}

/* Follows p through "#!" lines to the program that runs, rewriting the
 * arguments on the way. */
static int follow_scripts(struct posix_call *c, struct posix_path *p, struct posix_exec_args *a,
			  char **args)
{
	char line[SCRIPT_HEAD], script[PATH_MAX_LEN + 1];

	for (unsigned depth = 0;; depth++) {
		char *interp = NULL, *arg = NULL;
		int rc = script_line(p, line, &interp, &arg);
		if (rc <= 0)
			return rc;
		if (depth == SCRIPT_DEPTH)
			return -LINUX_ELOOP;
		strlcpy(script, p->path, sizeof(script));
		rc = script_args(a, args, interp, arg, script);
		if (rc < 0)
			return rc;
		posix_path_done(p);
		rc = posix_path_resolve(c->pp, LINUX_AT_FDCWD, interp, strlen(interp), false, p);
		if (rc < 0)
			return rc;
	}
}

/* The new image, in a new address space charged to the process's tree. */
static int build_image(struct posix_call *c, const struct posix_path *p,
		       const struct posix_exec_args *a, const char *execfn,
		       struct address_space **out, struct elf_image *img, uint64_t *sp)
{
	struct process *me = current_thread()->proc;
	struct address_space *as;
	int rc = as_create(me->quota, &as);

	if (rc < 0)
		return rc;
	rc = spawn_load_image(p->dir->obj, p->path, as, img);
	if (rc == 0 && img->native)
		rc = -ENOEXEC;
	long stack = rc < 0 ? rc : posix_write_stack(as, a, img, execfn);
	if (stack < 0) {
		as_put(as);
		return (int)stack;
	}
	*out = as, *sp = (uint64_t)stack;
	return 0;
}

POSIX_CALL(execve)
{
	struct posix_path p __free(posix_path_done) = { 0 };
	struct posix_exec_args a = { 0 };
	char *args __free(kfree) = NULL;
	char *env __free(kfree) = NULL;
	char execfn[sizeof(c->pp->exe)];
	struct elf_image img;
	struct address_space *as = NULL;
	uint64_t sp = 0;

	int rc = posix_path_get(c->pp, LINUX_AT_FDCWD, user_ptr(a0), false, &p);
	if (rc == 0 && posix_path_is(&p, c->pp, "/proc/self/exe"))
		p.len = strlcpy(p.path, c->pp->exe, sizeof(p.path));
	if (rc == 0)
		rc = copy_strings(a1, &args, &a.args_len, &a.argc);
	if (rc == 0)
		rc = copy_strings(a2, &env, &a.env_len, &a.envc);
	if (rc < 0)
		return rc == -EISDIR ? -LINUX_EACCES : rc;
	a.args = args, a.env = env;
	if (p.dir != c->pp->root)
		return -ENOEXEC;	/* beneath a directory of unknown path: no exe path */
	strlcpy(execfn, p.path, sizeof(execfn));	/* a script's own name */
	rc = follow_scripts(c, &p, &a, &args);
	if (rc == 0 && p.dir != c->pp->root)
		rc = -ENOEXEC;
	if (rc < 0)
		return rc == -EISDIR ? -LINUX_EACCES : rc;
	rc = build_image(c, &p, &a, execfn, &as, &img, &sp);
	if (rc < 0)
		return rc == -EISDIR ? -LINUX_EACCES : rc;

	/* From here on nothing fails: the old image goes. */
	struct process *me = current_thread()->proc;
	struct address_space *old;
	{
		guard(spinlock)(&me->lock);
		old = me->as;
		me->as = as;
	}
	as_activate(as);
	as_put(old);
	posix_vfork_release(c->pp);	/* a vfork parent has its memory back */
	posix_fds_close_on_exec(&c->pp->fds);
	const char *slash = strrchr(execfn, '/'), *name = slash ? slash + 1 : execfn;
	{
		guard(spinlock)(&c->pp->lock);
		posix_set_exe(c->pp, p.path);	/* the interpreter, for a script */
		c->pp->brk_base = c->pp->brk = ALIGN_UP(img.image_end, PAGE_SIZE);
		c->pp->clear_child_tid = 0;
		memset(c->pp->comm, 0, sizeof(c->pp->comm));
		strlcpy(c->pp->comm, name, sizeof(c->pp->comm));
	}
	process_set_name(me, name);	/* what ps shows now */
	sched_set_fs_base(0);
	arch_fpu_init_state(current_thread()->fpu);
	arch_fpu_restore(current_thread()->fpu);
	*c->frame = (struct trap_frame){
		.rip = img.entry, .rsp = sp, .rflags = RFLAGS_USER,
		.cs = c->frame->cs, .ss = c->frame->ss,
		.vector = c->frame->vector, .error = c->frame->error,
	};
	c->new_registers = true;
	return 0;		/* rax of the new image: 0 as everything else */
}
