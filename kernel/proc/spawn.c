#include "proc/spawn.h"

#include "arch/arch.h"
#include "core/log.h"
#include "fs/vfs_object.h"
#include "lib/align.h"
#include "lib/elf.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/vm.h"
#include "mm/quota.h"
#include "proc/personality.h"
#include "proc/process.h"


/* Copies count bytes at file offset off to user address va, a page at a
 * time through buf (PAGE_SIZE bytes). */
static int copy_from_file(struct address_space *as, struct vfs_node file, uint64_t off,
			  uint64_t va, uint64_t count, uint8_t *buf)
{
	while (count) {
		size_t chunk = count < PAGE_SIZE ? count : PAGE_SIZE;
		long got = file.fs->ops->read(file.fs, file.node, off, buf, chunk);
		if (got < 0)
			return (int)got;
		if ((size_t)got != chunk)
			return -ENOEXEC;	/* shrank since it was checked */
		int rc = as_write(as, va, buf, chunk);
		if (rc < 0)
			return rc;
		off += chunk, va += chunk, count -= chunk;
	}
	return 0;
}

static int load_segments(struct address_space *as, struct vfs_node file,
			 const struct elf_image *img, uint8_t *buf)
{
	for (unsigned i = 0; i < img->count; i++) {
		const struct elf_segment *s = &img->seg[i];
		uint64_t start = ALIGN_DOWN(s->vaddr, PAGE_SIZE);
		uint64_t end = ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE);
		unsigned prot = (s->flags & ELF_SEG_WRITE ? MAP_WRITE : 0) |
				(s->flags & ELF_SEG_EXEC ? MAP_EXEC : 0);

		int rc = as_map_anon(as, start, end - start, prot);
		if (rc == 0)
			rc = copy_from_file(as, file, s->offset, s->vaddr, s->filesz, buf);
		if (rc < 0)
			return rc;
		/* The rest (bss) is demand-zero, and the frames written above
		 * came zeroed, so nothing past filesz needs clearing. */
	}
	return 0;
}

/* Builds the startup block (lib/abi.h) at the top of the stack and returns
 * its user address, which is also the initial stack pointer. */
static long write_startup(struct process *p, const struct spawn_request *req,
			  const panda_handle_t *handles)
{
	uint64_t doc_va = ALIGN_DOWN(USER_STACK_TOP - req->doc_size, 16);
	uint64_t strings = ALIGN_DOWN(doc_va - req->args_len, 16);
	uint64_t handle_va = ALIGN_DOWN(strings - req->grant_count * sizeof(panda_handle_t), 16);
	uint64_t argv_va = ALIGN_DOWN(handle_va - (req->argc + 1) * sizeof(uint64_t), 16);
	uint64_t block_va = ALIGN_DOWN(argv_va - sizeof(struct panda_startup), 16);
	size_t size = USER_STACK_TOP - block_va;
	uint8_t *block __free(kfree) = kmalloc(size);

	if (!block)
		return -ENOMEM;
	struct panda_startup *s = (struct panda_startup *)block;
	*s = (struct panda_startup){
		.argc = req->argc, .argv = { argv_va },
		.handle_count = req->grant_count, .handles = { handle_va },
		.pid = p->pid,
		.doc = { req->doc ? doc_va : 0 }, .doc_size = req->doc_size,
	};
	uint64_t *argv = (uint64_t *)(block + (argv_va - block_va));
	const char *arg = req->args;
	for (uint32_t i = 0; i < req->argc; i++) {
		argv[i] = strings + (uint64_t)(arg - req->args);
		arg += strlen(arg) + 1;
	}
	argv[req->argc] = 0;
	memcpy(block + (handle_va - block_va), handles, req->grant_count * sizeof(*handles));
	memcpy(block + (strings - block_va), req->args, req->args_len);
	if (req->doc)
		memcpy(block + (doc_va - block_va), req->doc, req->doc_size);
	int rc = as_write(p->as, block_va, block, size);
	return rc < 0 ? rc : (long)block_va;
}

/* The native stack: a guard below it, the startup block at its top
 * (lib/abi.h); returns the stack pointer. */
static long start_native(struct process *p, const struct spawn_request *req,
			 const panda_handle_t *handles)
{
	int rc = as_map_guard(p->as, USER_STACK_LO, USER_STACK_GUARD);

	if (rc == 0)
		rc = as_map_anon(p->as, USER_STACK_TOP - USER_STACK_SIZE, USER_STACK_SIZE,
				 MAP_WRITE);
	return rc < 0 ? rc : write_startup(p, req, handles);
}

/* Fills a fresh process, native or of the foreign personality; on
 * failure the caller discards it. */
static int build(struct process *p, const struct spawn_request *req, struct vfs_node file,
		 const struct elf_image *img, uint8_t *buf)
{
	panda_handle_t handles[PANDA_SPAWN_HANDLES];
	int rc;

	rc = load_segments(p->as, file, img, buf);
	if (rc < 0)
		return rc;
	for (uint32_t i = 0; i < req->grant_count; i++) {
		long h = handle_insert(&p->handles, req->grants[i].obj, req->grants[i].rights);
		if (h < 0)
			return (int)h;
		handles[i] = (panda_handle_t)h;
	}
	long sp = p->personality ? p->personality->start(p, req, img, handles) :
				   start_native(p, req, handles);
	if (sp < 0)
		return (int)sp;
	struct thread *t;
	/* A native program's crt0 takes the startup block in rdi; the System
	 * V entry wants every register but rsp zero (rdx: no exit hook). */
	rc = thread_create_user(p, img->entry, (uintptr_t)sp, p->personality ? 0 : (uint64_t)sp,
				&t);
	if (rc < 0)
		return rc;
	rc = process_add_thread(p, t);
	if (rc < 0) {
		thread_put(t);
		return rc;
	}
	thread_start(t);	/* the scheduler's reference from here on */
	return 0;
}

/* Finds the executable and checks its headers: *file gets it (a
 * reference), *img its segments; buf (PAGE_SIZE bytes) holds the head. */
static int open_executable(const struct spawn_request *req, struct vfs_node *file,
			   struct elf_image *img, uint8_t *buf)
{
	struct vfs_node n __free(vfs_node_put) = { 0 };
	struct vfs_stat st;
	int rc;

	if (req->dir->type != &vfs_dir_type)
		return -EINVAL;
	rc = vfs_dir_resolve_file(req->dir, req->path, strlen(req->path), &n);
	if (rc == 0)
		rc = n.fs->ops->stat(n.fs, n.node, &st);
	if (rc < 0)
		return rc;
	long head = n.fs->ops->read(n.fs, n.node, 0, buf, ELF_HEAD_READ);
	if (head < 0)
		return (int)head;
	rc = elf_parse_head(buf, (size_t)head, st.size, USER_IMAGE_LO, USER_STACK_LO, img);
	if (rc < 0) {
		log_debug("spawn: %s: %s\n", req->path, img->error);
		return rc;
	}
	*file = vfs_node_take(&n);
	return 0;
}

int spawn_load_image(struct kobj *dir, const char *path, struct address_space *as,
		     struct elf_image *img)
{
	struct spawn_request req = { .dir = dir, .path = path };
	struct vfs_node file __free(vfs_node_put) = { 0 };
	uint8_t *buf __free(kfree) = kmalloc(PAGE_SIZE);

	if (!buf)
		return -ENOMEM;
	int rc = open_executable(&req, &file, img, buf);
	return rc < 0 ? rc : load_segments(as, file, img, buf);
}

static const struct personality *foreign;	/* set once at boot */

void spawn_set_foreign(const struct personality *p)
{
	foreign = p;
}

int spawn_process(const struct spawn_request *req, struct process **out)
{
	struct vfs_node file __free(vfs_node_put) = { 0 };
	struct elf_image img;
	uint8_t *buf __free(kfree) = kmalloc(PAGE_SIZE);
	int rc;

	_Static_assert(ELF_HEAD_READ <= PAGE_SIZE, "the head fits the buffer");
	if (!buf)
		return -ENOMEM;
	rc = open_executable(req, &file, &img, buf);
	if (rc < 0)
		return rc;
	if (!img.native && !foreign) {
		log_warn("spawn: %s is not a Panda executable, and the POSIX personality is off\n",
			 req->path);
		return -ENOEXEC;
	}
	const char *name = strrchr(req->path, '/');
	struct process *p;
	rc = process_create(name ? name + 1 : req->path, req->ppid, req->parent_quota,
			    req->limits, &p);
	if (rc < 0)
		return rc;
	p->oom_exempt = req->oom_exempt;
	p->personality = img.native ? NULL : foreign;
	rc = build(p, req, file, &img, buf);
	if (rc < 0) {
		process_discard(p);
		process_put(p);
		return rc;
	}
	*out = p;
	return 0;
}
