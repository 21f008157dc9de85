/* The kernel's C entry point: boot.S calls kmain() on the boot stack, in the
 * higher half, with the boot loader's magic and info block address. */
#include <stdint.h>

#include "arch/arch.h"
#include "core/boot_info.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/params.h"
#include "core/selftest.h"
#include "dev/acpi.h"
#include "dev/console.h"
#include "dev/debug_exit.h"
#include "dev/ps2.h"
#include "dev/random.h"
#include "dev/rtc.h"
#include "dev/screen.h"
#include "dev/serial.h"
#include "fs/root.h"
#include "init/init.h"
#include "init/main.h"
#include "lib/cmdline.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/kmalloc.h"
#include "mm/mm_bench.h"
#include "mm/vm.h"
#include "object/message.h"
#include "posix/posix.h"
#include "proc/process.h"

static struct cmdline kernel_cmdline;	/* set once at boot */

static void apply_command_line(void)
{
	if (boot_info.cmdline_truncated)
		log_warn("cmdline: longer than %d bytes; the rest is ignored\n", CMDLINE_MAX_LEN - 1);
	if (!cmdline_parse(&kernel_cmdline, boot_info.cmdline))
		log_warn("cmdline: %s at column %zu of \"%s\"; ignoring everything from there\n",
			 kernel_cmdline.error, kernel_cmdline.error_pos + 1, boot_info.cmdline);
	params_apply(&kernel_cmdline);
}

static void report_boot(void)
{
	const struct boot_module *initrd = boot_initrd();

	log_info("boot: %s%s%s, command line \"%s\"\n", boot_info.protocol,
		 boot_info.loader_name[0] ? " from " : "", boot_info.loader_name,
		 boot_info.cmdline);
	for (unsigned i = 0; i < boot_info.mem_count; i++)
		log_debug("boot: memory %#014lx-%#014lx type %d\n", boot_info.mem[i].base,
			  boot_info.mem[i].base + boot_info.mem[i].length - 1, boot_info.mem[i].type);
	if (boot_info.mem_truncated)
		log_warn("boot: memory map has more than %d entries; the rest are ignored\n",
			 BOOT_MAX_MEM_REGIONS);
	if (initrd)
		log_info("boot: initrd \"%s\", %lu bytes at %#lx\n", initrd->name,
			 initrd->phys_end - initrd->phys_start, initrd->phys_start);
	else
		log_warn("boot: no initrd module was loaded, so there is nothing to start "
			 "(QEMU: -initrd FILE; GRUB: module2 FILE)\n");
	if (!boot_info.rsdp_present)
		log_warn("boot: no ACPI RSDP found\n");
}

/* The first kernel thread: self-tests and benchmarks when asked for, then
 * the first user process. */
static void kernel_init(void *arg)
{
	(void)arg;
	rtc_init();
	random_init();		/* after the clock, which it mixes in */
	fs_init();
#if PANDA_POSIX
	posix_init();
#endif
	selftest_run_requested();
	mm_bench_run_requested();
	init_run();
}

void kmain(uint32_t magic, uint32_t info_phys)
{
	debug_exit_init();
	serial_init();
	arch_init_cpu();
	arch_drop_identity_map();
	arch_read_boot_info(&boot_info, magic, info_phys);
	apply_command_line();

	char banner[80];
	fmt_snprintf(banner, sizeof(banner), "Panda OS %s: %lu MiB usable memory\n",
		     PANDA_VERSION, boot_info.usable_bytes >> 20);
	kprintf("%s", banner);
	report_boot();

	frame_init();
	kmalloc_init();
	message_cache_init();
	if (screen_init())
		screen_write(banner, strlen(banner));	/* it went to serial only */
	vm_init();
	arch_init_faults();
	acpi_init();

	console_init();
	process_init();
	sched_init();
	ps2_init();
	serial_input_init();

	struct thread *t = thread_create_kernel("kinit", kernel_init, NULL);
	if (!t)
		panic("kernel: no memory for the first thread");
	thread_start(t);
	sched_idle_loop();
}
