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
#define PT_NULL		0
#define PT_LOAD		1
#define PT_DYNAMIC	2
#define PT_INTERP	3
#define PT_NOTE		4
#define PT_SHLIB	5
#define PT_PHDR		6
#define PT_TLS		7
#define PT_LOOS		0x60000000	/* [PT_LOOS, PT_HIPROC]: OS- and */
#define PT_HIPROC	0x7fffffff	/* processor-specific */
#define PT_GNU_EH_FRAME	0x6474e550	/* the GNU ones: binutils include/elf/common.h */
#define PT_GNU_STACK	0x6474e551
#define PT_GNU_RELRO	0x6474e552
#define PT_GNU_PROPERTY	0x6474e553
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
/* A note's header; its name follows, then its descriptor, each padded
 * (gABI ch.5 "Note Section"; the words are 4 bytes in ELF-64 too). */
struct nhdr {
	uint32_t n_namesz;
	uint32_t n_descsz;
	uint32_t n_type;
};

_Static_assert(sizeof(struct ehdr) == 64, "Elf64_Ehdr is 64 bytes");
_Static_assert(sizeof(struct phdr) == 56, "Elf64_Phdr is 56 bytes");
_Static_assert(sizeof(struct nhdr) == 12, "Elf64_Nhdr is 12 bytes");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "little-endian host");

#define PAGE_MASK	((uint64_t)ELF_PAGE_SIZE - 1)

/* One parse: its input, and what the program headers said so far. */
struct parse {
	const uint8_t *head;	/* the first head_len bytes of the file */
	size_t head_len;
	size_t size;		/* the whole file's */
	uint64_t user_lo, user_hi;
	uint64_t total;		/* sum of PT_LOAD p_memsz so far */
	bool have_phdr;		/* a PT_PHDR was seen, saying this: */
	uint64_t phdr_vaddr;
};

/* A refused file leaves nothing in *img but the reason. */
static int fail(struct elf_image *img, const char *why)
{
	memset(img, 0, sizeof(*img));
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
			    struct parse *pr)
{
	struct elf_segment s;
	const char *why;

	/* An empty segment maps nothing; one with file bytes but no memory
	 * is malformed and left for check_load to refuse. */
	if (ph->p_memsz == 0 && ph->p_filesz == 0)
		return NULL;
	if ((why = check_load(ph, pr->size, pr->user_lo, pr->user_hi)))
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
	if (s.memsz > ELF_MAX_IMAGE_SIZE - pr->total)
		return "image too large";
	pr->total += s.memsz;
	img->seg[img->count++] = s;
	return NULL;
}

/* x + a - 1 cannot wrap: x is at most 12 + 2^32 here, a 4 or 8. */
static uint64_t align_up(uint64_t x, uint64_t a)
{
	return (x + a - 1) & ~(a - 1);
}

/* Sets img->native for the Panda mark; any other note is not this loader's
 * to judge beyond its bounds. name and desc hold n_namesz and n_descsz
 * bytes. */
static const char *check_note(struct elf_image *img, const struct nhdr *n,
			      const uint8_t *name, const uint8_t *desc)
{
	uint32_t version;

	if (n->n_namesz != ELF_NOTE_PANDA_NAMESZ || n->n_type != ELF_NOTE_PANDA_NATIVE ||
	    memcmp(name, ELF_NOTE_PANDA_NAME, ELF_NOTE_PANDA_NAMESZ) != 0)
		return NULL;
	if (n->n_descsz != ELF_NOTE_PANDA_DESCSZ)
		return "Panda note of the wrong size";
	memcpy(&version, desc, sizeof(version));
	if (version != ELF_PANDA_ABI_VERSION)
		return "Panda note of an unknown ABI version";
	img->native = true;
	return NULL;
}

/* Walks the notes of one PT_NOTE segment, [p, p + len). A note starts a
 * multiple of `align` bytes from the segment's start, and so do its
 * descriptor and the note after it; the last note's padding may be cut
 * short by the segment's end, as some linkers do. */
static const char *check_notes(struct elf_image *img, const uint8_t *p, uint64_t len,
			       uint64_t align)
{
	uint64_t pos = 0;

	while (pos < len) {
		uint64_t rest = len - pos, desc, next;
		struct nhdr n;
		const char *why;

		if (rest < sizeof(n))
			return "truncated note";
		memcpy(&n, p + pos, sizeof(n));
		desc = align_up(sizeof(n) + (uint64_t)n.n_namesz, align);
		if (desc > rest || n.n_descsz > rest - desc)
			return "note larger than its segment";
		if ((why = check_note(img, &n, p + pos + sizeof(n), p + pos + desc)))
			return why;
		next = desc + align_up(n.n_descsz, align);
		pos += next < rest ? next : rest;
	}
	return NULL;
}

/* Notes are read only from the head (elf.h says why). One elsewhere, even
 * outside the file, is not looked at: the loader maps segments, not notes.
 * 8-byte padding is for segments aligned so, as GNU property notes are in
 * ELF-64 (binutils reads notes the same way). */
static const char *check_note_segment(struct elf_image *img, const struct phdr *ph,
				      const struct parse *pr)
{
	if (!in_file(ph->p_offset, ph->p_filesz, pr->head_len))
		return NULL;
	return check_notes(img, pr->head + ph->p_offset, ph->p_filesz,
			   ph->p_align == 8 ? 8 : 4);
}

static const char *check_phdr(struct elf_image *img, const struct phdr *ph,
			      struct parse *pr)
{
	switch (ph->p_type) {
	case PT_LOAD:
		return add_load(img, ph, pr);
	case PT_INTERP:
		return "dynamically linked (PT_INTERP)";
	case PT_DYNAMIC:
		return "dynamically linked (PT_DYNAMIC)";
	case PT_SHLIB:
		return "PT_SHLIB segment";	/* gABI: such a file does not conform */
	case PT_NOTE:
		return check_note_segment(img, ph, pr);
	case PT_PHDR:
		/* Compared with the loaded headers once all PT_LOADs are in. */
		if (pr->have_phdr)
			return "more than one PT_PHDR";
		pr->have_phdr = true;
		pr->phdr_vaddr = ph->p_vaddr;
		return NULL;
	case PT_GNU_STACK:
		/* No stack is ever executable (W^X): a program that runs code
		 * on its stack (gcc's nested-function trampolines) cannot run. */
		if (ph->p_flags & PF_X)
			return "executable stack (PT_GNU_STACK) not supported";
		return NULL;
	case PT_NULL:
	case PT_TLS:		/* the program's libc sets it up from AT_PHDR */
	case PT_GNU_RELRO:	/* the program's libc mprotects it itself */
	case PT_GNU_PROPERTY:	/* x86 CET markings: not enforced */
	case PT_GNU_EH_FRAME:	/* for unwinders in the program */
		return NULL;
	default:
		/* As Linux: the OS- and processor-specific range is advice to
		 * other systems. A generic or user type this loader does not
		 * know may ask for something it does not do (as PT_TLS once
		 * did), so it is refused. */
		if (ph->p_type >= PT_LOOS && ph->p_type <= PT_HIPROC)
			return NULL;
		return "unknown program header type";
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

/* Where the program headers, [off, off + len) of the file, lie in the
 * loaded image: inside the file bytes of a PT_LOAD, as Linux computes
 * AT_PHDR. 0 when no segment loads them. */
static uint64_t loaded_phdrs(const struct elf_image *img, uint64_t off, uint64_t len)
{
	for (unsigned i = 0; i < img->count; i++) {
		const struct elf_segment *s = &img->seg[i];

		if (off >= s->offset && off - s->offset <= s->filesz &&
		    len <= s->filesz - (off - s->offset))
			return s->vaddr + (off - s->offset);
	}
	return 0;
}

/* What a System V loader needs besides the segments (elf.h). A PT_PHDR
 * that points elsewhere than the loaded headers would send the program's
 * libc to read other bytes as its headers. */
static const char *finish(struct elf_image *img, const struct ehdr *eh,
			  const struct parse *pr)
{
	if (img->count == 0)
		return "no loadable segment";
	if (!entry_ok(img))
		return "entry point not in an executable segment";
	img->phnum = eh->e_phnum;
	img->phentsize = eh->e_phentsize;
	img->phdr_vaddr = loaded_phdrs(img, eh->e_phoff,
				       (uint64_t)eh->e_phnum * eh->e_phentsize);
	if (pr->have_phdr && (img->phdr_vaddr == 0 || pr->phdr_vaddr != img->phdr_vaddr))
		return "PT_PHDR does not match the loaded program headers";
	img->image_end = page_hi(&img->seg[img->count - 1]);
	return NULL;
}

int elf_parse(const void *file, size_t size, uint64_t user_lo, uint64_t user_hi,
	      struct elf_image *img)
{
	return elf_parse_head(file, size, size, user_lo, user_hi, img);
}

int elf_parse_head(const void *head, size_t head_len, size_t size, uint64_t user_lo,
		   uint64_t user_hi, struct elf_image *img)
{
	struct parse pr = {
		.head = head, .head_len = head_len, .size = size,
		.user_lo = user_lo, .user_hi = user_hi,
	};
	struct ehdr eh;
	const char *why;

	memset(img, 0, sizeof(*img));
	if (size < sizeof(eh) || head_len < sizeof(eh))
		return fail(img, "truncated header");
	if (head_len > size)
		return fail(img, "more read than the file holds");
	memcpy(&eh, pr.head, sizeof(eh));
	if ((why = check_ehdr(&eh, size, head_len)))
		return fail(img, why);
	img->entry = eh.e_entry;

	for (unsigned i = 0; i < eh.e_phnum; i++) {
		struct phdr ph;

		memcpy(&ph, pr.head + eh.e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
		if ((why = check_phdr(img, &ph, &pr)))
			return fail(img, why);
	}
	if ((why = finish(img, &eh, &pr)))
		return fail(img, why);
	return 0;
}
