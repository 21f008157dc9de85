#include "mm/usercopy.h"

#include "arch/arch.h"
#include "arch/x86_64/layout.h"
#include "lib/errors.h"

static int user_range_ok(uintptr_t addr, size_t n)
{
	return addr < USER_TOP && n <= USER_TOP - addr;
}

int copy_from_user(void *dst, uintptr_t user_src, size_t n)
{
	if (!user_range_ok(user_src, n))
		return -EFAULT;
	return (int)arch_copy_user(dst, (const void *)user_src, n);
}

int copy_to_user(uintptr_t user_dst, const void *src, size_t n)
{
	if (!user_range_ok(user_dst, n))
		return -EFAULT;
	return (int)arch_copy_user((void *)user_dst, src, n);
}

long copy_string_from_user(char *dst, uintptr_t user_src, size_t size)
{
	if (size == 0)
		return -ENAMETOOLONG;
	if (user_src >= USER_TOP)
		return -EFAULT;
	/* Never read past the end of user space, whatever size says. */
	if (size > USER_TOP - user_src)
		size = USER_TOP - user_src;
	long rc = arch_copy_user_string(dst, (const char *)user_src, size);
	if (rc < 0)
		dst[0] = '\0';
	return rc;
}
