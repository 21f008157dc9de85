#include "mm/usercopy.h"

#include "arch/arch.h"
#include "lib/errors.h"
#include "mm/vm.h"

/* The gate's one look at a user pointer's value (__force: as a number). */
static uintptr_t user_addr(const void __user *p)
{
	return (__force uintptr_t)p;
}

static int user_range_ok(const void __user *p, size_t n)
{
	uintptr_t addr = user_addr(p);

	return addr < USER_TOP && n <= USER_TOP - addr;
}

int copy_from_user(void *dst, const void __user *user_src, size_t n)
{
	if (!user_range_ok(user_src, n))
		return -EFAULT;
	return (int)arch_copy_from_user(dst, user_src, n);
}

int copy_to_user(void __user *user_dst, const void *src, size_t n)
{
	if (!user_range_ok(user_dst, n))
		return -EFAULT;
	return (int)arch_copy_to_user(user_dst, src, n);
}

int user_prefault_write(void __user *user_dst, size_t n)
{
	struct address_space *as = as_current();

	if (!user_range_ok(user_dst, n) || !as)
		return -EFAULT;
	return n ? as_prefault(as, user_addr(user_dst), n) : 0;
}

long copy_string_from_user(char *dst, const char __user *user_src, size_t size)
{
	uintptr_t addr = user_addr(user_src);

	if (size == 0)
		return -ENAMETOOLONG;
	if (addr >= USER_TOP)
		return -EFAULT;
	/* Never read past the end of user space, whatever size says. */
	if (size > USER_TOP - addr)
		size = USER_TOP - addr;
	long rc = arch_copy_user_string(dst, user_src, size);
	if (rc < 0)
		dst[0] = '\0';
	return rc;
}
