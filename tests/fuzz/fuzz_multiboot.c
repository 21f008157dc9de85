/* libFuzzer target for the Multiboot information parser
 * (kernel/arch/x86_64/multiboot_parse.c).
 *
 * The input is a protocol byte (bit 0: Multiboot 1 or 2; 0xff: the next
 * four bytes are the magic itself), the physical address of the window's
 * first byte and of the information block (u32 each), then the window's
 * bytes, in a heap block of exactly their size so AddressSanitizer sees
 * any read outside it.
 *
 * Promises checked: an unknown magic or a block outside the window is
 * refused, nothing else is; every kept module lies inside the window with
 * a terminated name; the memory map is sorted, non-empty regions that do
 * not wrap, within its array, and usable_bytes is the sum of its usable
 * regions; the strings are terminated and the command line starts with no
 * blank; a kept RSDP has its signature and checksum; a Multiboot 1 module
 * list is kept whole or warned about; and a second parse agrees. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/multiboot_parse.h"
#include "core/log.h"
#include "lib/errors.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)
#define HEADER		9
#define MB1_INFO_LEN	110	/* the fixed part, up to framebuffer_type */

static unsigned warnings;

/* The parser's only way out: count its warnings, and format each so a
 * format that does not match its arguments shows under the sanitizers. */
void log_printf(enum log_level level, const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (level == LOG_WARN)
		warnings++;
}

static uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static bool inside(const struct multiboot_memory *mem, uint64_t phys, uint64_t len)
{
	return phys != 0 && phys >= mem->start && phys - mem->start < mem->size &&
	       len <= mem->size - (phys - mem->start);
}

static bool terminated(const char *s, size_t size)
{
	return memchr(s, 0, size) != NULL;
}

static void check_info(const struct boot_info *bi, const struct multiboot_memory *mem,
		       uint32_t info_phys)
{
	uint64_t usable = 0;

	CHECK(bi->protocol && (!strcmp(bi->protocol, "multiboot1") ||
			       !strcmp(bi->protocol, "multiboot2")));
	CHECK(bi->info_phys_start == info_phys && bi->info_phys_end > info_phys);
	CHECK(inside(mem, info_phys, bi->info_phys_end - info_phys));
	CHECK(terminated(bi->loader_name, sizeof(bi->loader_name)));
	CHECK(terminated(bi->cmdline, sizeof(bi->cmdline)) && bi->cmdline[0] != ' ');

	CHECK(bi->mem_count <= BOOT_MAX_MEM_REGIONS);
	CHECK(!bi->mem_truncated || bi->mem_count == BOOT_MAX_MEM_REGIONS);
	for (unsigned i = 0; i < bi->mem_count; i++) {
		const struct boot_mem_region *r = &bi->mem[i];
		CHECK(r->length > 0 && (r->base + r->length == 0 || r->base + r->length > r->base));
		CHECK(r->type >= BOOT_MEM_USABLE && r->type <= BOOT_MEM_BAD);
		CHECK(i == 0 || bi->mem[i - 1].base <= r->base);
		if (r->type == BOOT_MEM_USABLE)
			usable += r->length;
	}
	CHECK(usable == bi->usable_bytes);

	CHECK(bi->module_count <= BOOT_MAX_MODULES);
	for (unsigned i = 0; i < bi->module_count; i++) {
		const struct boot_module *m = &bi->modules[i];
		CHECK(m->phys_start <= m->phys_end);
		CHECK(inside(mem, m->phys_start, m->phys_end - m->phys_start));
		CHECK(terminated(m->name, sizeof(m->name)));
	}
	if (bi->rsdp_present) {
		uint8_t sum = 0;
		for (int i = 0; i < 20; i++)
			sum += bi->rsdp[i];
		CHECK(!memcmp(bi->rsdp, "RSD PTR ", 8) && sum == 0);
	}
}

/* Multiboot 1 (spec 3.3): flags at 0, mods_count and mods_addr at 20 and
 * 24. Each listed module is kept or warned about, and so is a list that is
 * not in memory. */
static void check_mb1_modules(const struct boot_info *bi, const struct multiboot_memory *mem,
			      uint32_t info_phys, unsigned warned)
{
	const uint8_t *h = mem->base + (info_phys - mem->start);
	uint32_t count = rd32(h + 20);

	if (!(rd32(h) & (1u << 3)) || count == 0)
		return;
	if (!inside(mem, rd32(h + 24), (uint64_t)count * 16)) {
		CHECK(bi->module_count == 0 && warned > 0);
		return;
	}
	CHECK(bi->module_count + warned >= count);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct boot_info bi, again;
	struct multiboot_memory mem;
	uint32_t magic, info_phys;
	int rc;

	if (size < HEADER + 4)
		return 0;
	magic = data[0] == 0xff ? rd32(data + HEADER)
				: (data[0] & 1) ? MULTIBOOT2_MAGIC : MULTIBOOT1_MAGIC;
	mem.start = rd32(data + 1);
	info_phys = rd32(data + 5);
	mem.size = size - HEADER;
	uint8_t *window = malloc(mem.size);
	CHECK(window);
	memcpy(window, data + HEADER, mem.size);
	mem.base = window;

	warnings = 0;
	rc = multiboot_parse(&bi, magic, info_phys, &mem);
	unsigned warned = warnings;
	if (magic != MULTIBOOT1_MAGIC && magic != MULTIBOOT2_MAGIC) {
		CHECK(rc == -EINVAL);
	} else if (!inside(&mem, info_phys, magic == MULTIBOOT1_MAGIC ? MB1_INFO_LEN : 8)) {
		CHECK(rc == -EFAULT);
	} else if (rc == 0) {
		check_info(&bi, &mem, info_phys);
		if (magic == MULTIBOOT1_MAGIC)
			check_mb1_modules(&bi, &mem, info_phys, warned);
	} else {
		/* Multiboot 2 whose total_size leaves the window. */
		CHECK(rc == -EFAULT && magic == MULTIBOOT2_MAGIC);
		CHECK(!inside(&mem, info_phys, rd32(window + (info_phys - mem.start))) ||
		      rd32(window + (info_phys - mem.start)) < 8);
	}

	CHECK(multiboot_parse(&again, magic, info_phys, &mem) == rc);
	if (rc == 0)
		CHECK(again.mem_count == bi.mem_count && again.module_count == bi.module_count &&
		      again.usable_bytes == bi.usable_bytes && !strcmp(again.cmdline, bi.cmdline) &&
		      again.rsdp_present == bi.rsdp_present && warnings == 2 * warned);
	free(window);
	return 0;
}
