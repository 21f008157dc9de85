/* System calls on the caller's address space: map, unmap, protect (the
 * table is in syscall.c). */
#include "syscall/syscall.h"

#include "arch/arch.h"
#include "lib/abi.h"
#include "lib/errors.h"
#include "mm/vm.h"
#include "proc/process.h"
#include "proc/spawn.h"

static int user_prot(uint64_t prot, unsigned *out)
{
	if (prot & ~(uint64_t)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if ((prot & PROT_WRITE) && (prot & PROT_EXEC))
		return -EINVAL;		/* W^X */
	*out = (prot & PROT_WRITE ? MAP_WRITE : 0) | (prot & PROT_EXEC ? MAP_EXEC : 0);
	return 0;
}

static bool mmap_range_ok(uint64_t addr, uint64_t len)
{
	return addr >= USER_MMAP_LO && len && len <= USER_STACK_LO - addr &&
	       addr < USER_STACK_LO && !(addr & (PAGE_SIZE - 1));
}

long sys_mem_map(uint64_t addr, uint64_t len, uint64_t prot, uint64_t a3, uint64_t a4)
{
	struct address_space *as = current_process()->as;
	unsigned p;

	if (user_prot(prot, &p) < 0 || len == 0 || len > USER_STACK_LO)
		return -EINVAL;
	len = (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (addr == 0) {
		addr = as_find_free(as, len, USER_MMAP_LO, USER_STACK_LO);
		if (!addr)
			return -ENOMEM;
	} else if (!mmap_range_ok(addr, len)) {
		return -EINVAL;
	}
	int rc = as_map_anon(as, addr, len, p);
	return rc < 0 ? rc : (long)addr;
}

long sys_mem_unmap(uint64_t addr, uint64_t len, uint64_t a2, uint64_t a3, uint64_t a4)
{
	len = (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (!mmap_range_ok(addr, len))
		return -EINVAL;
	return as_unmap(current_process()->as, addr, len);
}

long sys_mem_protect(uint64_t addr, uint64_t len, uint64_t prot, uint64_t a3, uint64_t a4)
{
	unsigned p;

	len = (len + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1);
	if (user_prot(prot, &p) < 0 || !mmap_range_ok(addr, len))
		return -EINVAL;
	return as_protect(current_process()->as, addr, len, p);
}
