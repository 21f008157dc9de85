/* Self-tests of the foundation: what the boot loader told us, the printf
 * engine as the kernel compiles it, the symbol table, and backtraces. */
#include "arch/arch.h"
#include "core/boot_info.h"
#include "core/ksyms.h"
#include "core/panic.h"
#include "core/selftest.h"
#include "core/log.h"
#include "lib/format.h"
#include "lib/string.h"
#include "lib/ustar.h"

static void test_boot_info(void)
{
	const struct boot_module *initrd = boot_initrd();

	selftest_case("protocol is known");
	SELFTEST_CHECK(boot_info.protocol != NULL);

	selftest_case("memory map is sorted and has usable memory");
	SELFTEST_CHECK(boot_info.mem_count > 0);
	SELFTEST_CHECK(boot_info.usable_bytes >= 8ull << 20);
	for (unsigned i = 1; i < boot_info.mem_count; i++)
		SELFTEST_CHECK(boot_info.mem[i - 1].base <= boot_info.mem[i].base);

	selftest_case("kernel image lies in usable memory");
	bool inside = false;
	for (unsigned i = 0; i < boot_info.mem_count; i++) {
		const struct boot_mem_region *r = &boot_info.mem[i];
		if (r->type == BOOT_MEM_USABLE && r->base <= boot_info.kernel_phys_start &&
		    boot_info.kernel_phys_end <= r->base + r->length)
			inside = true;
	}
	SELFTEST_CHECK(inside);

	selftest_case("command line has no image path");
	SELFTEST_CHECK(strchr(boot_info.cmdline, '/') == NULL ||
		       strchr(boot_info.cmdline, '=') < strchr(boot_info.cmdline, '/'));

	selftest_case("initrd is a ustar archive");
	SELFTEST_CHECK(initrd != NULL);
	if (initrd) {
		const char *header = arch_phys_to_virt(initrd->phys_start);
		SELFTEST_CHECK(initrd->phys_end - initrd->phys_start >= 1024);
		SELFTEST_CHECK(memcmp(header + 257, "ustar", 5) == 0);
	}

	selftest_case("identity map is gone, direct map is present");
	SELFTEST_CHECK(!arch_addr_is_mapped(0x100000));
	SELFTEST_CHECK(!arch_addr_is_mapped(0));
	SELFTEST_CHECK(arch_addr_is_mapped((uintptr_t)arch_phys_to_virt(0x100000)));
	SELFTEST_CHECK(arch_addr_is_mapped((uintptr_t)&log_printf));
	SELFTEST_CHECK(!arch_addr_is_mapped(0x0000800000000000ull));	/* non-canonical */
}
SELFTEST(boot, test_boot_info);

static void test_initrd(void)
{
	const struct boot_module *initrd = boot_initrd();
	struct ustar_reader r;
	struct ustar_entry e;
	int rc, members = 0;

	selftest_case("every member of the initrd reads cleanly");
	SELFTEST_CHECK(initrd != NULL);
	if (!initrd)
		return;
	ustar_open(&r, arch_phys_to_virt(initrd->phys_start),
		   initrd->phys_end - initrd->phys_start);
	while ((rc = ustar_next(&r, &e)) == 1) {
		kprintf("    initrd: /%s%s %lu bytes\n", e.path,
			e.type == USTAR_DIRECTORY ? "/" : "", e.size);
		members++;
	}
	if (rc < 0)
		kprintf("    initrd: %s\n", r.error);
	SELFTEST_CHECK(rc == 0);
	SELFTEST_CHECK(members > 0);

	selftest_case("etc/panda-release names this kernel's version");
	const char *expected = "Panda OS " PANDA_VERSION "\n";
	rc = ustar_find(arch_phys_to_virt(initrd->phys_start),
			initrd->phys_end - initrd->phys_start, "/etc/panda-release", &e, NULL);
	SELFTEST_CHECK(rc == 1);
	SELFTEST_CHECK(rc == 1 && e.size == strlen(expected) &&
		       memcmp(e.data, expected, e.size) == 0);
}
SELFTEST(initrd, test_initrd);

static void test_printf(void)
{
	char buf[64];

	selftest_case("integers with width, precision and flags");
	fmt_snprintf(buf, sizeof(buf), "[%5d|%-5d|%05d|%.3d|%+d]", 42, 42, -42, 7, 3);
	SELFTEST_CHECK(strcmp(buf, "[   42|42   |-0042|007|+3]") == 0);

	selftest_case("64-bit hex and pointers");
	fmt_snprintf(buf, sizeof(buf), "%#lx %016lX %p", 0xffffffff80000000ul, 0xabcul,
		     (void *)0x1000);
	SELFTEST_CHECK(strcmp(buf, "0xffffffff80000000 0000000000000ABC 0x1000") == 0);

	selftest_case("strings and truncation");
	int n = fmt_snprintf(buf, 8, "%s-%c-%.2s", "panda", 'x', "yz!");
	SELFTEST_CHECK(n == 10);
	SELFTEST_CHECK(strcmp(buf, "panda-x") == 0);
}
SELFTEST(printf, test_printf);

static void test_ksyms(void)
{
	uintptr_t offset = 1;

	selftest_case("a function resolves to its own name");
	const char *name = ksyms_lookup((uintptr_t)&log_printf, &offset);
	SELFTEST_CHECK(name && strcmp(name, "log_printf") == 0);
	SELFTEST_CHECK(offset == 0);

	selftest_case("an address inside a function gives the offset");
	name = ksyms_lookup((uintptr_t)&test_ksyms + 3, &offset);
	SELFTEST_CHECK(name && strcmp(name, "test_ksyms") == 0);
	SELFTEST_CHECK(offset == 3);

	selftest_case("addresses outside the kernel text resolve to nothing");
	SELFTEST_CHECK(ksyms_lookup(0, &offset) == NULL);
	SELFTEST_CHECK(ksyms_lookup((uintptr_t)&boot_info, &offset) == NULL);
}
SELFTEST(ksyms, test_ksyms);

/* noipa keeps three real frames, under their own names, for the walk. */
static __attribute__((noipa)) size_t backtrace_leaf(uintptr_t *pcs, size_t max)
{
	struct trap_frame frame;

	arch_capture_frame(&frame);
	return arch_stack_trace(&frame, pcs, max);
}

static __attribute__((noipa)) size_t backtrace_middle(uintptr_t *pcs, size_t max)
{
	size_t n = backtrace_leaf(pcs, max);
	__asm__ volatile("" ::: "memory");	/* no tail call */
	return n;
}

static void test_backtrace(void)
{
	uintptr_t pcs[16], offset;
	const char *expected[] = { "backtrace_leaf", "backtrace_middle", "test_backtrace" };

	selftest_case("the frame chain names each caller in order");
	size_t n = backtrace_middle(pcs, 16);
	SELFTEST_CHECK(n >= 3);
	for (size_t i = 0; i < 3 && i < n; i++) {
		const char *name = ksyms_lookup(pcs[i] - (i ? 1 : 0), &offset);
		SELFTEST_CHECK(name && strcmp(name, expected[i]) == 0);
	}

	selftest_case("a corrupt frame pointer ends the walk without faulting");
	struct trap_frame bad = { .rip = (uintptr_t)&log_printf, .rbp = 0xdead0000beef };
	SELFTEST_CHECK(arch_stack_trace(&bad, pcs, 16) == 1);
	bad.rbp = (uintptr_t)arch_phys_to_virt(0) + 0xfff00000000ull;	/* unmapped */
	SELFTEST_CHECK(arch_stack_trace(&bad, pcs, 16) == 1);
}
SELFTEST(backtrace, test_backtrace);

/* The chain the panic report must show: test_panic -> panic_outer ->
 * panic_inner -> panic. */
static __attribute__((noipa)) void panic_inner(int depth)
{
	panic("selftest: deliberate panic at depth %d", depth);
}

static __attribute__((noipa)) void panic_outer(void)
{
	panic_inner(2);
	__asm__ volatile("");
}

static void test_panic(void)
{
	selftest_case("panic prints registers and a symbolized backtrace");
	panic_outer();
	__asm__ volatile("");	/* keep this frame in the chain */
}
SELFTEST_FATAL(panic, test_panic);
