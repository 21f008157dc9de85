/* Linux system calls on the address space, over Panda's demand-zero
 * regions (mm/vm.h). What differs from Linux (docs/posix.md, "Memory"):
 * PROT_NONE makes pages a guard region, dropping their contents (an
 * mprotect back gives zeros); writable and executable at once is
 * refused (EACCES), as W^X holds for every process; a private file
 * mapping is a copy of the file taken at mmap; shared file mappings are
 * refused (ENODEV) until memory objects come. */
#include "posix/internal.h"
#include "posix/sys.h"

#include "core/kobj.h"
#include "fs/vfs_object.h"
#include "lib/abi.h"
#include "lib/align.h"
#include "lib/errors.h"
#include "mm/kmalloc.h"
#include "mm/usercopy.h"
#include "mm/vm.h"
#include "proc/process.h"
#include "proc/spawn.h"

#define MAP_LO		USER_IMAGE_LO
#define MAP_HI		(LINUX_STACK_TOP - LINUX_STACK_SIZE - LINUX_STACK_GUARD)

static struct address_space *my_as(void)
{
	return current_thread()->proc->as;
}

static int linux_prot(uint64_t prot, unsigned *out)
{
	if (prot & ~(uint64_t)(LINUX_PROT_READ | LINUX_PROT_WRITE | LINUX_PROT_EXEC))
		return -EINVAL;
	if ((prot & LINUX_PROT_WRITE) && (prot & LINUX_PROT_EXEC))
		return -LINUX_EACCES;
	*out = (prot & LINUX_PROT_WRITE ? MAP_WRITE : 0) | (prot & LINUX_PROT_EXEC ? MAP_EXEC : 0);
	return 0;
}

/* [addr, addr+len) page-aligned inside what Linux mappings may use. */
static bool range_ok(uint64_t addr, uint64_t len)
{
	return !(addr & (PAGE_SIZE - 1)) && len && addr >= MAP_LO && addr < MAP_HI &&
	       len <= MAP_HI - addr;
}

/* --- brk ----------------------------------------------------------------- */

/* The heap grows up from the image's end. A break that cannot move
 * (another mapping is in the way, no memory) stays where it was, which is
 * how Linux reports the failure. No lock: a Linux process has one thread
 * (threads, in part 2, will serialise it). */
POSIX_CALL(brk)
{
	struct posix_proc *pp = c->pp;
	uint64_t want = a0, old_top = ALIGN_UP(pp->brk, PAGE_SIZE);

	if (want < pp->brk_base || want > MAP_HI)
		return (long)pp->brk;
	uint64_t new_top = ALIGN_UP(want, PAGE_SIZE);
	int rc = 0;
	if (new_top > old_top)
		rc = as_map_anon(my_as(), old_top, new_top - old_top, MAP_WRITE);
	else if (new_top < old_top)
		rc = as_unmap(my_as(), new_top, old_top - new_top);
	if (rc == 0)
		pp->brk = want;
	return (long)pp->brk;
}

/* Whether every page of [addr, addr+len) lies in a mapping (an
 * inaccessible one too). */
static bool covered(uint64_t addr, uint64_t len)
{
	unsigned prot;

	for (uint64_t va = addr; va < addr + len; va += PAGE_SIZE)
		if (as_region_prot(my_as(), va, &prot) < 0 && !as_is_guard(my_as(), va))
			return false;
	return true;
}

/* PROT_NONE turns the pages into a guard region, whose contents are gone:
 * a later mprotect back gives zeros. Other protections apply run by run,
 * a guard run becoming fresh zero pages. */
static int set_protection(uint64_t addr, uint64_t len, uint64_t linux_prot_bits, unsigned prot)
{
	uint64_t end = addr + len;

	if (linux_prot_bits == 0) {
		int rc = as_unmap(my_as(), addr, len);
		return rc < 0 ? rc : as_map_guard(my_as(), addr, len);
	}
	for (uint64_t va = addr; va < end;) {
		bool guard = as_is_guard(my_as(), va);
		uint64_t run = va + PAGE_SIZE;
		while (run < end && as_is_guard(my_as(), run) == guard)
			run += PAGE_SIZE;
		int rc = guard ? as_unmap(my_as(), va, run - va) : as_protect(my_as(), va, run - va, prot);
		if (rc == 0 && guard)
			rc = as_map_anon(my_as(), va, run - va, prot);
		if (rc < 0)
			return rc;
		va = run;
	}
	return 0;
}

/* --- mmap ---------------------------------------------------------------- */

/* Copies a file's bytes from off into the fresh private mapping at addr;
 * the rest of the last page stays zero, as Linux leaves it. */
static int fill_from_file(struct posix_file *f, uint64_t addr, uint64_t len, uint64_t off)
{
	uint8_t *buf __free(kfree) = kmalloc(PAGE_SIZE);

	if (!buf)
		return -ENOMEM;
	for (uint64_t done = 0; done < len; done += PAGE_SIZE) {
		uint64_t at = off + done;
		long got = vfs_file_read(f->obj, buf, PAGE_SIZE, &at);
		if (got < 0)
			return (int)got;
		if (got == 0)
			break;
		int rc = as_write(my_as(), addr + done, buf, (size_t)got);
		if (rc < 0)
			return rc;
		if ((uint64_t)got < PAGE_SIZE)
			break;
	}
	return 0;
}

POSIX_CALL(mmap)
{
	uint64_t addr = a0, len = ALIGN_UP(a1, PAGE_SIZE), flags = a3, off = a5;
	bool anon = flags & LINUX_MAP_ANONYMOUS;
	uint64_t type = flags & LINUX_MAP_TYPE;
	struct posix_file *f __free(posix_file_put) = NULL;
	unsigned prot;
	int rc;

	if (!a1 || len < a1 || (off & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (type != LINUX_MAP_PRIVATE && type != LINUX_MAP_SHARED &&
	    type != LINUX_MAP_SHARED_VALIDATE)
		return -EINVAL;
	rc = linux_prot(a2, &prot);
	if (rc < 0)
		return rc;
	if (!anon) {
		rc = posix_fd_get(&c->pp->fds, (int)a4, &f);
		if (rc < 0)
			return rc;
		if (f->ops != &posix_vfs_file_ops)
			return -LINUX_ENODEV;
		if ((f->status & LINUX_O_ACCMODE) == LINUX_O_WRONLY)
			return -LINUX_EACCES;
		if (type != LINUX_MAP_PRIVATE)
			return -LINUX_ENODEV;
	}
	/* A shared anonymous mapping is private until fork (part 1 has no
	 * sharing between processes yet), so both are the same here. */
	bool fixed = flags & (LINUX_MAP_FIXED | LINUX_MAP_FIXED_NOREPLACE);
	if (fixed) {
		if (!range_ok(addr, len))
			return -EINVAL;
		if (flags & LINUX_MAP_FIXED_NOREPLACE) {
			if (as_find_free(my_as(), len, addr, addr + len) != addr)
				return -EEXIST;
		} else {
			rc = as_unmap(my_as(), addr, len);	/* MAP_FIXED replaces */
			if (rc < 0)
				return rc;
		}
	} else {
		/* The hint is taken when that range is free, as Linux does. */
		if (!(addr && range_ok(addr, len) &&
		      as_find_free(my_as(), len, addr, addr + len) == addr))
			addr = as_find_free(my_as(), len, USER_MMAP_LO, MAP_HI);
		if (!addr)
			return -ENOMEM;
	}
	if (a2 == 0 && !f)		/* PROT_NONE: addresses no access may use */
		return as_map_guard(my_as(), addr, len) < 0 ? -ENOMEM : (long)addr;
	/* Writable while the file is copied in; protected as asked after. */
	rc = as_map_anon(my_as(), addr, len, f ? MAP_WRITE : prot);
	if (rc == 0 && f) {
		rc = fill_from_file(f, addr, len, off);
		if (rc == 0 && (prot != MAP_WRITE || a2 == 0))
			rc = set_protection(addr, len, a2, prot);
		if (rc < 0)
			as_unmap(my_as(), addr, len);
	}
	return rc < 0 ? rc : (long)addr;
}

POSIX_CALL(munmap)
{
	uint64_t len = ALIGN_UP(a1, PAGE_SIZE);

	if (!a1 || len < a1 || !range_ok(a0, len))
		return -EINVAL;
	return as_unmap(my_as(), a0, len);
}

POSIX_CALL(mprotect)
{
	uint64_t len = ALIGN_UP(a1, PAGE_SIZE), bits = a2 & ~(uint64_t)0x03000000;
	unsigned prot;
	int rc = linux_prot(bits, &prot);	/* PROT_GROWSDOWN/UP ignored */

	if (rc < 0)
		return rc;
	if (a0 & (PAGE_SIZE - 1) || len < a1)
		return -EINVAL;
	if (!a1)
		return 0;
	if (!range_ok(a0, len) || !covered(a0, len))
		return -ENOMEM;
	return set_protection(a0, len, bits, prot);
}

/* Advice changes nothing but DONTNEED, which drops the pages (they read
 * as zeros again); FREE may do the same or nothing, and does nothing. */
POSIX_CALL(madvise)
{
	uint64_t len = ALIGN_UP(a1, PAGE_SIZE);

	if (a0 & (PAGE_SIZE - 1) || len < a1)
		return -EINVAL;
	switch (a2) {
	case LINUX_MADV_NORMAL:
	case LINUX_MADV_RANDOM:
	case LINUX_MADV_SEQUENTIAL:
	case LINUX_MADV_WILLNEED:
	case LINUX_MADV_FREE:
		return 0;
	case LINUX_MADV_DONTNEED:
		if (!a1)
			return 0;
		return range_ok(a0, len) ? as_discard(my_as(), a0, len) : -ENOMEM;
	default:
		return -EINVAL;
	}
}

/* Moves the mapping [from, from+old_len) to a new one of new_len bytes:
 * the bytes are copied through the kernel a page at a time (there is no
 * moving of page-table entries between regions yet). */
static long move_mapping(uint64_t from, uint64_t old_len, uint64_t new_len, unsigned prot)
{
	uint64_t to = as_find_free(my_as(), new_len, USER_MMAP_LO, MAP_HI);
	uint8_t *buf __free(kfree) = kmalloc(PAGE_SIZE);

	if (!to || !buf)
		return -ENOMEM;
	int rc = as_map_anon(my_as(), to, new_len, MAP_WRITE);
	for (uint64_t off = 0; rc == 0 && off < old_len; off += PAGE_SIZE) {
		rc = copy_from_user(buf, user_ptr(from + off), PAGE_SIZE);
		if (rc == 0)
			rc = copy_to_user(user_ptr(to + off), buf, PAGE_SIZE);
	}
	if (rc == 0 && prot != MAP_WRITE)
		rc = as_protect(my_as(), to, new_len, prot);
	if (rc < 0) {
		as_unmap(my_as(), to, new_len);
		return rc;
	}
	as_unmap(my_as(), from, old_len);
	return (long)to;
}

/* Shrinking, growing where the addresses after the mapping are free, and
 * with MREMAP_MAYMOVE moving it (by a copy) where they are not. */
POSIX_CALL(mremap)
{
	uint64_t addr = a0, old_len = ALIGN_UP(a1, PAGE_SIZE), new_len = ALIGN_UP(a2, PAGE_SIZE);

	if (a3 & ~(uint64_t)(LINUX_MREMAP_MAYMOVE | LINUX_MREMAP_FIXED) ||
	    (a3 & LINUX_MREMAP_FIXED && !(a3 & LINUX_MREMAP_MAYMOVE)))
		return -EINVAL;
	if (addr & (PAGE_SIZE - 1) || !a2 || new_len < a2 || old_len < a1 || !old_len)
		return -EINVAL;
	if (a3 & LINUX_MREMAP_FIXED)
		return -ENOMEM;
	if (!range_ok(addr, old_len) || !range_ok(addr, new_len))
		return -ENOMEM;
	if (new_len < old_len) {
		int rc = as_unmap(my_as(), addr + new_len, old_len - new_len);
		return rc < 0 ? rc : (long)addr;
	}
	if (new_len == old_len)
		return (long)addr;
	uint64_t tail = addr + old_len, grow = new_len - old_len;
	/* The new pages take the protection of the mapping's last page. */
	unsigned prot;
	if (as_region_prot(my_as(), tail - PAGE_SIZE, &prot) < 0)
		return -EFAULT;
	if (as_find_free(my_as(), grow, tail, tail + grow) != tail)
		return a3 & LINUX_MREMAP_MAYMOVE ? move_mapping(addr, old_len, new_len, prot) :
						   -ENOMEM;
	int rc = as_map_anon(my_as(), tail, grow, prot);
	return rc < 0 ? rc : (long)addr;
}
