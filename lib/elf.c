#include "lib/elf.h"

#include <stdbool.h>

#include "lib/errors.h"
#include "lib/string.h"

/* e_ident indexes and values (ELF-64 Object File Format 1.5, §3). */
#define EI_MAG0		0
#define EI_CLASS	4
#define EI_DATA		5
#define EI_VERSION	6
#define EI_NIDENT	16
#define ELFCLASS64	2
#define ELFDATA2LSB	1
#define EV_CURRENT	1

#define ET_EXEC		2
#define EM_X86_64	62

/* Program header types and flags (System V gABI ch.5). */
#define PT_LOAD		1
#define PT_DYNAMIC	2
#define PT_INTERP	3
#define PT_TLS		7
#define PF_X		1
#define PF_W		2
#define PF_R		4

/* Above this many program headers the file is not one of ours; it also keeps
 * e_phnum * sizeof(struct phdr) far from overflow. e_phnum == PN_XNUM
 * (0xffff, count held in section header 0) is refused by the same bound. */
#define MAX_PHDRS	64

struct ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

/* The layouts are the file's, field for field; memcpy into them reads the
 * little-endian fields correctly because x86-64 (the only target and the
 * only host) is little-endian too. */
_Static_assert(sizeof(struct ehdr) == 64, "Elf64_Ehdr is 64 bytes");
_Static_assert(sizeof(struct phdr) == 56, "Elf64_Phdr is 56 bytes");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host");

#define PAGE_MASK	((uint64_t)ELF_PAGE_SIZE - 1)

static int fail(struct elf_image *img, const char *why)
{
	img->count = 0;
	img->error = why;
	return -ENOEXEC;
}

/* Is [off, off + len) inside a file of `size` bytes? */
static bool in_file(uint64_t off, uint64_t len, size_t size)
{
	return off <= size && len <= size - off;
}

static const char *check_ident(const uint8_t *id)
{
	if (id[EI_MAG0] != 0x7f || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
		return "not ELF";
	if (id[EI_CLASS] != ELFCLASS64)
		return "not 64-bit";
	if (id[EI_DATA] != ELFDATA2LSB)
		return "not little-endian";
	if (id[EI_VERSION] != EV_CURRENT)
		return "bad ELF version";
	return NULL;
}

/* Section headers are not looked at: a loader needs only program headers
 * (gABI ch.5), so e_shoff, e_shnum and friends may hold anything. */
static const char *check_ehdr(const struct ehdr *eh, size_t size, size_t head_len)
{
	const char *why = check_ident(eh->e_ident);

	if (why)
		return why;
	if (eh->e_version != EV_CURRENT)
		return "bad ELF version";
	if (eh->e_type != ET_EXEC)
		return "not an executable (ET_EXEC)";
	if (eh->e_machine != EM_X86_64)
		return "not x86-64";
	if (eh->e_ehsize < sizeof(struct ehdr))
		return "bad ELF header size";
	if (eh->e_phentsize != sizeof(struct phdr))
		return "bad program header size";
	if (eh->e_phnum > MAX_PHDRS)
		return "too many program headers";
	if (!in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(struct phdr), size))
		return "program headers outside the file";
	if (!in_file(eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(struct phdr), head_len))
		return "program headers past the part of the file read";
	return NULL;
}

static unsigned seg_flags(uint32_t p_flags)
{
	return (p_flags & PF_R ? ELF_SEG_READ : 0) |
	       (p_flags & PF_W ? ELF_SEG_WRITE : 0) |
	       (p_flags & PF_X ? ELF_SEG_EXEC : 0);
}

/* First page and one past the last page of a segment, known not to wrap. */
static uint64_t page_lo(const struct elf_segment *s)
{
	return s->vaddr & ~PAGE_MASK;
}

static uint64_t page_hi(const struct elf_segment *s)
{
	return (s->vaddr + s->memsz + PAGE_MASK) & ~PAGE_MASK;
}

/* Checks one PT_LOAD entry on its own; `size` is the file's. The loader
 * copies file bytes into fresh pages instead of mapping the file, so
 * p_vaddr need not be congruent to p_offset modulo p_align (gABI ch.5
 * requires it only for loaders that map), and p_align is ignored. */
static const char *check_load(const struct phdr *ph, size_t size,
			      uint64_t user_lo, uint64_t user_hi)
{
	uint64_t end;

	if (ph->p_filesz > ph->p_memsz)
		return "segment file size exceeds memory size";
	if (!in_file(ph->p_offset, ph->p_filesz, size))
		return "segment data outside the file";
	if (ph->p_vaddr > UINT64_MAX - ph->p_memsz)
		return "address overflow";
	end = ph->p_vaddr + ph->p_memsz;
	if (end > UINT64_MAX - PAGE_MASK)
		return "address overflow";
	if ((ph->p_vaddr & ~PAGE_MASK) < user_lo ||
	    ((end + PAGE_MASK) & ~PAGE_MASK) > user_hi)
		return "segment outside user space";
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return "writable and executable segment";
	return NULL;
}

/* Checks a segment against the one before it. Whole pages are compared:
 * two segments sharing a page would need two permissions on it, which
 * breaks W^X and the loader's one-owner-per-page rule. gABI ch.5 requires
 * PT_LOAD entries sorted by p_vaddr, so comparing neighbours is enough. */
static const char *check_order(const struct elf_image *img,
			       const struct elf_segment *s)
{
	const struct elf_segment *prev;

	if (img->count == 0)
		return NULL;
	prev = &img->seg[img->count - 1];
	if (s->vaddr < prev->vaddr)
		return "segments not sorted by address";
	if (page_lo(s) < page_hi(prev))
		return "segments overlap";
	return NULL;
}

static const char *add_load(struct elf_image *img, const struct phdr *ph,
			    size_t size, uint64_t user_lo, uint64_t user_hi,
			    uint64_t *total)
{
	struct elf_segment s;
	const char *why;

	if ((why = check_load(ph, size, user_lo, user_hi)))
		return why;
	s.vaddr = ph->p_vaddr;
	s.memsz = ph->p_memsz;
	s.offset = ph->p_offset;
	s.filesz = ph->p_filesz;
	s.flags = seg_flags(ph->p_flags);
	if ((why = check_order(img, &s)))
		return why;
	if (img->count == ELF_MAX_SEGMENTS)
		return "too many segments";
	if (s.memsz > ELF_MAX_IMAGE_SIZE - *total)
		return "image too large";
	*total += s.memsz;
	img->seg[img->count++] = s;
	return NULL;
}

static const char *check_phdr(struct elf_image *img, const struct phdr *ph,
			      size_t size, uint64_t user_lo, uint64_t user_hi,
			      uint64_t *total)
{
	switch (ph->p_type) {
	case PT_INTERP:
		return "dynamically linked (PT_INTERP)";
	case PT_DYNAMIC:
		return "dynamically linked (PT_DYNAMIC)";
	case PT_TLS:
		return "thread-local storage not supported";
	case PT_LOAD:
		/* An empty segment maps nothing; one with file bytes but no
		 * memory is malformed and left for check_load to refuse. */
		if (ph->p_memsz == 0 && ph->p_filesz == 0)
			return NULL;
		return add_load(img, ph, size, user_lo, user_hi, total);
	default:
		/* PT_NOTE, PT_PHDR, PT_GNU_STACK, PT_GNU_RELRO, ...: nothing
		 * for this loader to do (the stack is never executable). */
		return NULL;
	}
}

static bool entry_ok(const struct elf_image *img)
{
	for (unsigned i = 0; i < img->count; i++) {
		const struct elf_segment *s = &img->seg[i];

		if ((s->flags & ELF_SEG_EXEC) && img->entry >= s->vaddr &&
		    img->entry - s->vaddr < s->memsz)
			return true;
	}
	return false;
}

int elf_parse(const void *file, size_t size, uint64_t user_lo, uint64_t user_hi,
	      struct elf_image *img)
{
	return elf_parse_head(file, size, size, user_lo, user_hi, img);
}

int elf_parse_head(const void *head, size_t head_len, size_t size, uint64_t user_lo,
		   uint64_t user_hi, struct elf_image *img)
{
	const uint8_t *base = head;
	struct ehdr eh;
	uint64_t total = 0;
	const char *why;

	memset(img, 0, sizeof(*img));
	if (size < sizeof(eh) || head_len < sizeof(eh))
		return fail(img, "truncated header");
	if (head_len > size)
		return fail(img, "more read than the file holds");
	memcpy(&eh, base, sizeof(eh));
	if ((why = check_ehdr(&eh, size, head_len)))
		return fail(img, why);
	img->entry = eh.e_entry;

	for (unsigned i = 0; i < eh.e_phnum; i++) {
		struct phdr ph;

		memcpy(&ph, base + eh.e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
		if ((why = check_phdr(img, &ph, size, user_lo, user_hi, &total)))
			return fail(img, why);
	}
	if (img->count == 0)
		return fail(img, "no loadable segment");
	if (!entry_ok(img))
		return fail(img, "entry point not in an executable segment");
	return 0;
}
