/* Reads the Multiboot 1 or Multiboot 2 information block into boot_info
 * (multiboot_parse.h): no hardware access, so the host fuzzer runs it.
 *
 * The loader's block is untrusted input: every pointer is checked against
 * the window of physical memory the caller gives and every length against
 * the block's own size, so a malformed block gives warnings, not a fault. */
#include "arch/x86_64/multiboot_parse.h"

#include <stddef.h>

#include "core/log.h"
#include "lib/errors.h"
#include "lib/string.h"

/* Multiboot 1 info flags (Multiboot spec 0.6.96, 3.3). */
#define MB1_INFO_CMDLINE	(1u << 2)
#define MB1_INFO_MODS		(1u << 3)
#define MB1_INFO_MMAP		(1u << 6)
#define MB1_INFO_LOADER_NAME	(1u << 9)
#define MB1_INFO_FRAMEBUFFER	(1u << 12)

struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
	uint32_t drives_length, drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe[4];
	uint64_t framebuffer_addr;
	uint32_t framebuffer_pitch, framebuffer_width, framebuffer_height;
	uint8_t framebuffer_bpp, framebuffer_type;
} __attribute__((packed));

struct mb1_module {
	uint32_t start, end, string, reserved;
} __attribute__((packed));

struct mb1_mmap_entry {
	uint32_t size;		/* of the rest of the entry */
	uint64_t base, length;
	uint32_t type;
} __attribute__((packed));

/* Multiboot 2 tags (Multiboot2 spec 3.6). */
enum {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_MMAP = 6,
	MB2_TAG_FRAMEBUFFER = 8,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
};

struct mb2_tag {
	uint32_t type, size;
} __attribute__((packed));

/* The loader chooses every address, aligned or not: fields are read
 * through these (and packed structs), never through a cast pointer. */
static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint64_t rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

/* The bytes of [phys, phys+len) in the window, or NULL when it does not
 * hold all of them. Address 0 is a null pointer in Multiboot's fields. */
static const void *boot_phys(const struct multiboot_memory *mem, uint64_t phys, uint64_t len)
{
	if (phys == 0 || phys < mem->start || phys - mem->start >= mem->size ||
	    len > mem->size - (phys - mem->start))
		return NULL;
	return mem->base + (phys - mem->start);
}

static void copy_string(const struct multiboot_memory *mem, char *dst, size_t size,
			uint64_t phys, bool *truncated)
{
	const char *s = boot_phys(mem, phys, 1);
	size_t room = s ? mem->size - (phys - mem->start) : 0;
	size_t n = s ? strnlen(s, room < size ? room : size) : 0;

	if (truncated)
		*truncated = n == size;
	if (n == size)
		n = size - 1;
	if (n)
		memcpy(dst, s, n);
	dst[n] = '\0';
}

static enum boot_mem_type mem_type_from_multiboot(uint32_t type)
{
	switch (type) {
	case 1: return BOOT_MEM_USABLE;
	case 3: return BOOT_MEM_ACPI_RECLAIMABLE;
	case 4: return BOOT_MEM_ACPI_NVS;
	case 5: return BOOT_MEM_BAD;
	default: return BOOT_MEM_RESERVED;
	}
}

/* Inserts keeping the array sorted by base; loaders usually give sorted
 * maps, so this is linear in practice. */
static void add_mem_region(struct boot_info *bi, uint64_t base, uint64_t length, uint32_t type)
{
	if (length == 0)
		return;
	if (base + length < base)	/* wraps: clamp to the address space */
		length = -base;
	if (bi->mem_count == BOOT_MAX_MEM_REGIONS) {
		bi->mem_truncated = true;
		return;
	}
	unsigned i = bi->mem_count++;
	while (i > 0 && bi->mem[i - 1].base > base) {
		bi->mem[i] = bi->mem[i - 1];
		i--;
	}
	bi->mem[i] = (struct boot_mem_region){ base, length, mem_type_from_multiboot(type) };
}

static void add_module(struct boot_info *bi, const struct multiboot_memory *mem, uint64_t start,
		       uint64_t end, uint64_t name_phys)
{
	if (bi->module_count == BOOT_MAX_MODULES) {
		log_warn("boot: more than %d modules; the rest are ignored\n", BOOT_MAX_MODULES);
		return;
	}
	if (end < start || !boot_phys(mem, start, end - start)) {
		log_warn("boot: module at %#lx-%#lx is not usable; ignored\n",
			 (unsigned long)start, (unsigned long)end);
		return;
	}
	struct boot_module *m = &bi->modules[bi->module_count++];
	m->phys_start = start;
	m->phys_end = end;
	copy_string(mem, m->name, sizeof(m->name), name_phys, NULL);
}

static bool rsdp_checksum_ok(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return sum == 0;
}

static void take_rsdp(struct boot_info *bi, const uint8_t *rsdp, size_t avail)
{
	/* ACPI 6.5 5.2.5.3: 20 bytes for revision 0, 36 from revision 2. */
	size_t len = avail >= 36 && rsdp[15] >= 2 ? 36 : 20;

	if (avail < 20 || memcmp(rsdp, "RSD PTR ", 8) != 0 || !rsdp_checksum_ok(rsdp, 20)) {
		log_warn("boot: the loader's ACPI RSDP is invalid; ignored\n");
		return;
	}
	memset(bi->rsdp, 0, sizeof(bi->rsdp));
	memcpy(bi->rsdp, rsdp, len);
	bi->rsdp_present = true;
}

/* Legacy BIOS: the RSDP sits on a 16-byte boundary in the first KiB of the
 * EBDA or in 0xE0000-0xFFFFF (ACPI 6.5 5.2.5.1). UEFI has neither. */
static void scan_for_rsdp(struct boot_info *bi, const struct multiboot_memory *mem)
{
	const uint8_t *bda = boot_phys(mem, 0x40e, 2);
	uint64_t ebda = bda ? (uint64_t)(bda[0] | bda[1] << 8) << 4 : 0;
	struct { uint64_t start, end; } areas[] = {
		{ ebda, ebda + 1024 },
		{ 0xe0000, 0x100000 },
	};

	for (size_t a = 0; a < 2; a++) {
		if (areas[a].start < 0x400 || areas[a].end > 0x100000)
			continue;
		for (uint64_t p = areas[a].start; p + 20 <= areas[a].end; p += 16) {
			const uint8_t *cand = boot_phys(mem, p, 20);
			if (cand && memcmp(cand, "RSD PTR ", 8) == 0 && rsdp_checksum_ok(cand, 20)) {
				uint64_t room = mem->size - (p - mem->start);
				take_rsdp(bi, cand, areas[a].end - p < room ? areas[a].end - p : room);
				return;
			}
		}
	}
}

static int read_multiboot1(struct boot_info *bi, const struct multiboot_memory *mem,
			   uint32_t info_phys)
{
	const struct mb1_info *mbi = boot_phys(mem, info_phys, sizeof(*mbi));

	if (!mbi)
		return -EFAULT;
	bi->protocol = "multiboot1";
	bi->info_phys_start = info_phys;
	bi->info_phys_end = info_phys + sizeof(*mbi);

	if (mbi->flags & MB1_INFO_LOADER_NAME)
		copy_string(mem, bi->loader_name, sizeof(bi->loader_name),
			    mbi->boot_loader_name, NULL);
	if (mbi->flags & MB1_INFO_CMDLINE)
		copy_string(mem, bi->cmdline, sizeof(bi->cmdline), mbi->cmdline,
			    &bi->cmdline_truncated);

	if (mbi->flags & MB1_INFO_MMAP) {
		const uint8_t *p = boot_phys(mem, mbi->mmap_addr, mbi->mmap_length);

		if (!p && mbi->mmap_length)
			log_warn("boot: memory map at %#x is not mapped; ignored\n", mbi->mmap_addr);
		/* Offsets, not pointers: an entry's size may point far past the end. */
		for (uint64_t off = 0; p && off + sizeof(struct mb1_mmap_entry) <= mbi->mmap_length;) {
			const struct mb1_mmap_entry *e = (const void *)(p + off);
			if (e->size < 20)
				break;
			add_mem_region(bi, e->base, e->length, e->type);
			off += (uint64_t)e->size + sizeof(e->size);
		}
	} else {
		/* No map: the basic fields give low memory and memory above
		 * 1 MiB in KiB. */
		add_mem_region(bi, 0, (uint64_t)mbi->mem_lower << 10, 1);
		add_mem_region(bi, 0x100000, (uint64_t)mbi->mem_upper << 10, 1);
	}

	if (mbi->flags & MB1_INFO_MODS) {
		const struct mb1_module *mods =
			boot_phys(mem, mbi->mods_addr, (uint64_t)mbi->mods_count * sizeof(*mods));
		if (!mods && mbi->mods_count)
			log_warn("boot: module list at %#x (%u entries) is not mapped; ignored\n",
				 mbi->mods_addr, mbi->mods_count);
		for (uint32_t i = 0; mods && i < mbi->mods_count; i++)
			add_module(bi, mem, mods[i].start, mods[i].end, mods[i].string);
	}

	if (mbi->flags & MB1_INFO_FRAMEBUFFER) {
		bi->framebuffer = (struct boot_framebuffer){
			.present = true,
			.phys_addr = mbi->framebuffer_addr,
			.pitch = mbi->framebuffer_pitch,
			.width = mbi->framebuffer_width,
			.height = mbi->framebuffer_height,
			.bpp = mbi->framebuffer_bpp,
			.type = mbi->framebuffer_type,
		};
	}
	scan_for_rsdp(bi, mem);
	return 0;
}

static int read_multiboot2(struct boot_info *bi, const struct multiboot_memory *mem,
			   uint32_t info_phys)
{
	const uint8_t *header = boot_phys(mem, info_phys, 8);
	uint32_t total = header ? rd32(header) : 0;

	if (total < 8 || !boot_phys(mem, info_phys, total))
		return -EFAULT;
	bi->protocol = "multiboot2";
	bi->info_phys_start = info_phys;
	bi->info_phys_end = info_phys + total;

	/* An offset, not a pointer: the last tag's padding may reach past the end. */
	for (size_t off = 8; off + sizeof(struct mb2_tag) <= total;) {
		const struct mb2_tag *tag = (const void *)(header + off);
		const uint8_t *body = header + off + sizeof(*tag);
		size_t body_len = tag->size - sizeof(*tag);

		if (tag->type == MB2_TAG_END)
			break;
		if (tag->size < sizeof(*tag) || tag->size > total - off) {
			log_warn("boot: malformed Multiboot 2 tag %u; ignoring the rest\n", tag->type);
			break;
		}
		switch (tag->type) {
		case MB2_TAG_CMDLINE:
		case MB2_TAG_LOADER_NAME: {
			char *dst = tag->type == MB2_TAG_CMDLINE ? bi->cmdline : bi->loader_name;
			size_t size = tag->type == MB2_TAG_CMDLINE ? sizeof(bi->cmdline)
								  : sizeof(bi->loader_name);
			size_t n = strnlen((const char *)body, body_len);
			if (n >= size) {
				n = size - 1;
				if (tag->type == MB2_TAG_CMDLINE)
					bi->cmdline_truncated = true;
			}
			memcpy(dst, body, n);
			dst[n] = '\0';
			break;
		}
		case MB2_TAG_MODULE:
			if (body_len >= 8) {
				uint64_t name = info_phys + (uint64_t)(body + 8 - header);
				add_module(bi, mem, rd32(body), rd32(body + 4), body_len > 8 ? name : 0);
			}
			break;
		case MB2_TAG_MMAP: {
			uint32_t entry_size = body_len >= 8 ? rd32(body) : 0;
			if (entry_size < 24)
				break;
			for (size_t off = 8; off + entry_size <= body_len; off += entry_size) {
				const uint8_t *e = body + off;
				add_mem_region(bi, rd64(e), rd64(e + 8), rd32(e + 16));
			}
			break;
		}
		case MB2_TAG_FRAMEBUFFER:
			if (body_len >= 22) {
				bi->framebuffer = (struct boot_framebuffer){
					.present = true,
					.phys_addr = rd64(body),
					.pitch = rd32(body + 8),
					.width = rd32(body + 12),
					.height = rd32(body + 16),
					.bpp = body[20],
					.type = body[21],
				};
			}
			break;
		case MB2_TAG_ACPI_OLD:
		case MB2_TAG_ACPI_NEW:
			/* Prefer the revision 2 copy when both are given. */
			if (!bi->rsdp_present || tag->type == MB2_TAG_ACPI_NEW)
				take_rsdp(bi, body, body_len);
			break;
		}
		off += (tag->size + 7) & ~7u;	/* tags are 8-byte aligned */
	}
	if (!bi->rsdp_present)
		scan_for_rsdp(bi, mem);
	return 0;
}

/* QEMU's -kernel puts the image path first ("build/panda.elf test=x");
 * GRUB does not. A first word without '=' that names a file is a path.
 * Leading blanks go too, so the line reads the same from every loader. */
static void strip_image_path(char *cmdline)
{
	char *p = cmdline;

	while (*p == ' ')
		p++;
	char *word_end = p;
	while (*word_end && *word_end != ' ')
		word_end++;
	bool has_equals = memchr(p, '=', (size_t)(word_end - p)) != NULL;
	bool looks_like_path = memchr(p, '/', (size_t)(word_end - p)) != NULL ||
			       (word_end - p > 4 && memcmp(word_end - 4, ".elf", 4) == 0);
	if (word_end > p && !has_equals && looks_like_path)
		p = word_end;
	while (*p == ' ')
		p++;
	memmove(cmdline, p, strlen(p) + 1);
}

int multiboot_parse(struct boot_info *bi, uint32_t magic, uint32_t info_phys,
		    const struct multiboot_memory *mem)
{
	int rc;

	memset(bi, 0, sizeof(*bi));
	if (magic == MULTIBOOT1_MAGIC)
		rc = read_multiboot1(bi, mem, info_phys);
	else if (magic == MULTIBOOT2_MAGIC)
		rc = read_multiboot2(bi, mem, info_phys);
	else
		return -EINVAL;
	if (rc < 0)
		return rc;

	strip_image_path(bi->cmdline);
	for (unsigned i = 0; i < bi->mem_count; i++)
		if (bi->mem[i].type == BOOT_MEM_USABLE)
			bi->usable_bytes += bi->mem[i].length;
	return 0;
}
