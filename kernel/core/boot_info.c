#include "core/boot_info.h"

struct boot_info boot_info;	/* set once at boot, read-only after */

const struct boot_module *boot_initrd(void)
{
	return boot_info.module_count ? &boot_info.modules[0] : NULL;
}
