/* The executable validator: well-formed static executables parse into the
 * right segments; every malformed one is refused with its own reason and is
 * never read out of bounds (ASan watches). Files are crafted in memory with
 * the host's <elf.h>, an independent statement of the format. */
#include <elf.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/elf.h"
#include "lib/errors.h"
#include "unit.h"

#define USER_LO		0x10000ull
#define USER_HI		0x800000000000ull
#define DATA_OFF	0x1000		/* room for 72 program headers before it */
#define MAX_PH		80

static uint8_t file[2 * DATA_OFF];
static size_t file_len;
static Elf64_Ehdr eh;
static Elf64_Phdr ph[MAX_PH];
static unsigned nph;
static struct elf_image img;

static Elf64_Phdr *add_ph(uint32_t type, uint32_t flags, uint64_t off,
			  uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	Elf64_Phdr *p = &ph[nph++];

	memset(p, 0, sizeof(*p));
	p->p_type = type;
	p->p_flags = flags;
	p->p_offset = off;
	p->p_vaddr = vaddr;
	p->p_paddr = vaddr;
	p->p_filesz = filesz;
	p->p_memsz = memsz;
	p->p_align = 0x1000;
	return p;
}

/* A minimal static executable: text (RX), data with a bss tail (RW) and a
 * bss-only segment (RW). Tests change eh and ph, then call emit(). */
static void build_valid(void)
{
	memset(file, 0, sizeof(file));
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_entry = 0x401000;
	eh.e_phoff = sizeof(Elf64_Ehdr);
	eh.e_ehsize = sizeof(Elf64_Ehdr);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	nph = 0;
	add_ph(PT_LOAD, PF_R | PF_X, DATA_OFF, 0x401000, 0x20, 0x20);
	add_ph(PT_LOAD, PF_R | PF_W, DATA_OFF + 0x20, 0x402000, 0x10, 0x100);
	add_ph(PT_LOAD, PF_R | PF_W, 0, 0x404000, 0, 0x3000);
	memset(file + DATA_OFF, 0xcc, 0x20);		/* int3 */
	memcpy(file + DATA_OFF + 0x20, "panda data 0123", 16);
	file_len = DATA_OFF + 0x30;
}

static void emit(void)
{
	eh.e_phnum = (uint16_t)nph;
	memcpy(file, &eh, sizeof(eh));
	memcpy(file + sizeof(eh), ph, nph * sizeof(Elf64_Phdr));
}

/* Parses file[0, len) and returns "ok" or the reason for refusal. */
static const char *parse_len(size_t len)
{
	int rc = elf_parse(file, len, USER_LO, USER_HI, &img);

	if (rc == 0)
		return img.error ? "(error set on success)" : "ok";
	if (rc != -ENOEXEC)
		return "(unexpected return code)";
	if (!img.error)
		return "(no error string)";
	if (img.count != 0)
		return "(segments left on failure)";
	return img.error;
}

static const char *parse(void)
{
	emit();
	return parse_len(file_len);
}

TEST(test_valid_file_parses)
{
	build_valid();
	CHECK_STR(parse(), "ok");
	CHECK_EQ(img.entry, 0x401000);
	CHECK_EQ(img.count, 3);
	CHECK_EQ(img.seg[0].vaddr, 0x401000);
	CHECK_EQ(img.seg[0].memsz, 0x20);
	CHECK_EQ(img.seg[0].offset, DATA_OFF);
	CHECK_EQ(img.seg[0].filesz, 0x20);
	CHECK_EQ(img.seg[0].flags, ELF_SEG_READ | ELF_SEG_EXEC);
	CHECK_EQ(img.seg[1].vaddr, 0x402000);
	CHECK_EQ(img.seg[1].memsz, 0x100);
	CHECK_EQ(img.seg[1].offset, DATA_OFF + 0x20);
	CHECK_EQ(img.seg[1].filesz, 0x10);
	CHECK_EQ(img.seg[1].flags, ELF_SEG_READ | ELF_SEG_WRITE);
	CHECK_EQ(img.seg[2].vaddr, 0x404000);
	CHECK_EQ(img.seg[2].memsz, 0x3000);
	CHECK_EQ(img.seg[2].filesz, 0);
	CHECK_EQ(img.seg[2].flags, ELF_SEG_READ | ELF_SEG_WRITE);
}

/* The shape GNU ld gives a static non-PIE program with -z separate-code:
 * headers in a read-only first segment, then text, rodata, data+bss, plus
 * notes and GNU markers that the loader ignores. */
TEST(test_ld_style_layout_parses)
{
	build_valid();
	nph = 0;
	add_ph(PT_LOAD, PF_R, 0, 0x400000, 0x1e8, 0x1e8);
	add_ph(PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x20, 0x20);
	add_ph(PT_LOAD, PF_R, 0x1000, 0x402000, 0x8, 0x8);
	add_ph(PT_LOAD, PF_R | PF_W, 0x1020, 0x403f50, 0x10, 0x2b0);
	add_ph(PT_NOTE, PF_R, 0x158, 0x400158, 0x20, 0x20)->p_align = 8;
	add_ph(PT_GNU_PROPERTY, PF_R, 0x178, 0x400178, 0x20, 0x20);
	add_ph(PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0)->p_align = 16;
	add_ph(PT_GNU_RELRO, PF_R, 0x1020, 0x403f50, 0x10, 0xb0)->p_align = 1;
	eh.e_entry = 0x401010;
	CHECK_STR(parse(), "ok");
	CHECK_EQ(img.count, 4);
	CHECK_EQ(img.seg[0].flags, ELF_SEG_READ);
	CHECK_EQ(img.seg[3].vaddr, 0x403f50);
	CHECK_EQ(img.entry, 0x401010);
}

TEST(test_unaligned_file_parses)
{
	static uint8_t shifted[sizeof(file) + 8];

	build_valid();
	emit();
	for (size_t shift = 1; shift < 8; shift++) {
		memcpy(shifted + shift, file, file_len);
		CHECK_EQ(elf_parse(shifted + shift, file_len, USER_LO, USER_HI, &img), 0);
		CHECK_EQ(img.count, 3);
		CHECK_EQ(img.seg[1].offset, DATA_OFF + 0x20);
	}
}

TEST(test_flags_map_to_segment_flags)
{
	build_valid();
	ph[0].p_flags = PF_X;
	ph[1].p_flags = PF_W | 0xff00000;		/* OS/processor bits ignored */
	ph[2].p_flags = 0;
	CHECK_STR(parse(), "ok");
	CHECK_EQ(img.seg[0].flags, ELF_SEG_EXEC);
	CHECK_EQ(img.seg[1].flags, ELF_SEG_WRITE);
	CHECK_EQ(img.seg[2].flags, 0);
}

TEST(test_truncated_header_is_refused)
{
	build_valid();
	emit();
	CHECK_STR(parse_len(0), "truncated header");
	CHECK_STR(parse_len(1), "truncated header");
	CHECK_STR(parse_len(sizeof(Elf64_Ehdr) - 1), "truncated header");
	CHECK_EQ(elf_parse(NULL, 0, USER_LO, USER_HI, &img), -ENOEXEC);
}

TEST(test_not_elf_is_refused)
{
	build_valid();
	eh.e_ident[EI_MAG3] = 'f';
	CHECK_STR(parse(), "not ELF");
	build_valid();
	eh.e_ident[EI_MAG0] = 0;
	CHECK_STR(parse(), "not ELF");
}

TEST(test_not_64bit_is_refused)
{
	build_valid();
	eh.e_ident[EI_CLASS] = ELFCLASS32;
	CHECK_STR(parse(), "not 64-bit");
	eh.e_ident[EI_CLASS] = ELFCLASSNONE;
	CHECK_STR(parse(), "not 64-bit");
}

TEST(test_big_endian_is_refused)
{
	build_valid();
	eh.e_ident[EI_DATA] = ELFDATA2MSB;
	CHECK_STR(parse(), "not little-endian");
}

TEST(test_bad_version_is_refused)
{
	build_valid();
	eh.e_ident[EI_VERSION] = 2;
	CHECK_STR(parse(), "bad ELF version");
	build_valid();
	eh.e_version = 0;
	CHECK_STR(parse(), "bad ELF version");
}

TEST(test_non_executable_types_are_refused)
{
	static const uint16_t types[] = { ET_NONE, ET_REL, ET_DYN, ET_CORE, 0xfe00 };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		build_valid();
		eh.e_type = types[i];
		CHECK_STR(parse(), "not an executable (ET_EXEC)");
	}
}

TEST(test_other_machines_are_refused)
{
	build_valid();
	eh.e_machine = EM_386;
	CHECK_STR(parse(), "not x86-64");
	eh.e_machine = EM_AARCH64;
	CHECK_STR(parse(), "not x86-64");
}

TEST(test_bad_header_size_is_refused)
{
	build_valid();
	eh.e_ehsize = 52;
	CHECK_STR(parse(), "bad ELF header size");
	eh.e_ehsize = 128;		/* larger is allowed (gABI: room to grow) */
	CHECK_STR(parse(), "ok");
}

TEST(test_bad_program_header_size_is_refused)
{
	build_valid();
	eh.e_phentsize = 32;
	CHECK_STR(parse(), "bad program header size");
	eh.e_phentsize = 64;
	CHECK_STR(parse(), "bad program header size");
}

TEST(test_too_many_program_headers_are_refused)
{
	build_valid();
	while (nph < 65)
		add_ph(PT_NOTE, PF_R, 0, 0, 0, 0);
	CHECK_STR(parse(), "too many program headers");
	nph = 64;
	CHECK_STR(parse(), "ok");
	build_valid();
	emit();
	file[offsetof(Elf64_Ehdr, e_phnum)] = 0xff;	/* PN_XNUM */
	file[offsetof(Elf64_Ehdr, e_phnum) + 1] = 0xff;
	CHECK_STR(parse_len(file_len), "too many program headers");
}

TEST(test_program_headers_outside_the_file_are_refused)
{
	build_valid();
	eh.e_phoff = file_len - 3 * sizeof(Elf64_Phdr) + 1;
	CHECK_STR(parse(), "program headers outside the file");
	eh.e_phoff = file_len + 1;
	CHECK_STR(parse(), "program headers outside the file");
	eh.e_phoff = UINT64_MAX - 8;		/* + 3 * 56 wraps */
	CHECK_STR(parse(), "program headers outside the file");
	eh.e_phoff = UINT64_MAX;
	CHECK_STR(parse(), "program headers outside the file");
	eh.e_phoff = 1ull << 63;
	CHECK_STR(parse(), "program headers outside the file");
}

TEST(test_program_headers_at_the_end_of_the_file)
{
	build_valid();
	emit();
	memcpy(file + file_len, ph, 3 * sizeof(Elf64_Phdr));
	eh.e_phoff = file_len;
	eh.e_phnum = 3;
	memcpy(file, &eh, sizeof(eh));
	CHECK_STR(parse_len(file_len + 3 * sizeof(Elf64_Phdr)), "ok");
	CHECK_STR(parse_len(file_len + 3 * sizeof(Elf64_Phdr) - 1),
		  "program headers outside the file");
}

TEST(test_interpreter_is_refused)
{
	build_valid();
	add_ph(PT_INTERP, PF_R, 0x200, 0x400200, 0x1c, 0x1c);
	CHECK_STR(parse(), "dynamically linked (PT_INTERP)");
}

TEST(test_dynamic_section_is_refused)
{
	build_valid();
	add_ph(PT_DYNAMIC, PF_R | PF_W, DATA_OFF + 0x20, 0x402000, 0x10, 0x10);
	CHECK_STR(parse(), "dynamically linked (PT_DYNAMIC)");
}

TEST(test_tls_is_refused)
{
	build_valid();
	add_ph(PT_TLS, PF_R, DATA_OFF + 0x20, 0x402000, 0x8, 0x10);
	CHECK_STR(parse(), "thread-local storage not supported");
}

TEST(test_ignored_types_are_accepted)
{
	static const uint32_t types[] = {
		PT_NULL, PT_NOTE, PT_PHDR, PT_SHLIB, PT_GNU_STACK, PT_GNU_PROPERTY,
		PT_GNU_RELRO, PT_GNU_EH_FRAME, 0x12345678, 0xffffffff,
	};

	build_valid();
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		/* Nonsense bounds: nothing reads these. */
		add_ph(types[i], PF_R | PF_W | PF_X, UINT64_MAX - 10, UINT64_MAX - 4,
		       100, 50);
	CHECK_STR(parse(), "ok");
	CHECK_EQ(img.count, 3);
}

TEST(test_zero_memsz_load_is_skipped)
{
	build_valid();
	/* Out of order, at page 0 and W+X: none of it matters when empty. */
	add_ph(PT_LOAD, PF_R | PF_W | PF_X, 0, 0, 0, 0);
	CHECK_STR(parse(), "ok");
	CHECK_EQ(img.count, 3);
	ph[3].p_filesz = 1;		/* file bytes with nowhere to go */
	CHECK_STR(parse(), "segment file size exceeds memory size");
}

TEST(test_filesz_above_memsz_is_refused)
{
	build_valid();
	ph[1].p_filesz = ph[1].p_memsz + 1;
	CHECK_STR(parse(), "segment file size exceeds memory size");
}

TEST(test_segment_data_outside_the_file_is_refused)
{
	build_valid();
	ph[1].p_filesz = 0x11;			/* one byte past the end */
	CHECK_STR(parse(), "segment data outside the file");
	build_valid();
	ph[2].p_offset = file_len;		/* bss only, empty range at EOF */
	CHECK_STR(parse(), "ok");
	ph[2].p_filesz = 1;
	CHECK_STR(parse(), "segment data outside the file");
	ph[2].p_filesz = 0;
	ph[2].p_offset = file_len + 1;		/* even an empty range must be in */
	CHECK_STR(parse(), "segment data outside the file");
	build_valid();
	ph[0].p_offset = UINT64_MAX - 10;	/* offset + filesz wraps */
	CHECK_STR(parse(), "segment data outside the file");
	ph[0].p_offset = file_len - 0x10;
	ph[0].p_filesz = ph[0].p_memsz = UINT64_MAX;
	CHECK_STR(parse(), "segment data outside the file");
}

TEST(test_address_overflow_is_refused)
{
	build_valid();
	ph[2].p_vaddr = UINT64_MAX - 0x1000;	/* vaddr + memsz wraps */
	CHECK_STR(parse(), "address overflow");
	ph[2].p_vaddr = UINT64_MAX - 0x4000;	/* end fits, its page does not */
	ph[2].p_memsz = 0x3ff0;
	CHECK_STR(parse(), "address overflow");
	build_valid();
	ph[2].p_memsz = UINT64_MAX;
	CHECK_STR(parse(), "address overflow");
}

TEST(test_kernel_half_segment_is_refused)
{
	build_valid();
	ph[2].p_vaddr = 0xffffffff80000000ull;
	CHECK_STR(parse(), "segment outside user space");
	build_valid();
	ph[2].p_vaddr = 0xffff800000000000ull;
	CHECK_STR(parse(), "segment outside user space");
}

TEST(test_segment_below_user_space_is_refused)
{
	build_valid();
	ph[0].p_vaddr = 0;			/* page 0 */
	eh.e_entry = 0;
	CHECK_STR(parse(), "segment outside user space");
	ph[0].p_vaddr = USER_LO + 0x10;		/* fine... */
	eh.e_entry = USER_LO + 0x10;
	CHECK_STR(parse(), "ok");
	ph[0].p_vaddr = USER_LO - 0x10;		/* ...but not straddling it */
	eh.e_entry = USER_LO - 0x10;
	CHECK_STR(parse(), "segment outside user space");
}

TEST(test_segment_above_user_space_is_refused)
{
	build_valid();
	ph[2].p_vaddr = USER_HI - 0x3000;	/* ends exactly at the top */
	CHECK_STR(parse(), "ok");
	ph[2].p_memsz = 0x3001;
	CHECK_STR(parse(), "segment outside user space");
	build_valid();
	ph[2].p_vaddr = USER_HI - 0x1000;	/* ends below the top... */
	ph[2].p_memsz = 0x10;
	emit();
	CHECK_EQ(elf_parse(file, file_len, USER_LO, USER_HI - 0x800, &img), -ENOEXEC);
	CHECK_STR(img.error, "segment outside user space");	/* ...its page not */
	ph[2].p_vaddr = USER_HI;
	ph[2].p_memsz = 1;
	CHECK_STR(parse(), "segment outside user space");
}

TEST(test_empty_user_range_refuses_everything)
{
	build_valid();
	emit();
	CHECK_EQ(elf_parse(file, file_len, USER_HI, USER_LO, &img), -ENOEXEC);
	CHECK_STR(img.error, "segment outside user space");
}

TEST(test_overlapping_segments_are_refused)
{
	build_valid();
	ph[1].p_vaddr = 0x401010;		/* inside text */
	CHECK_STR(parse(), "segments overlap");
	build_valid();
	ph[1].p_vaddr = ph[0].p_vaddr;		/* same start */
	CHECK_STR(parse(), "segments overlap");
	build_valid();
	ph[1].p_memsz = 0x3000;			/* data+bss runs into bss */
	CHECK_STR(parse(), "segments overlap");
}

TEST(test_segments_sharing_a_page_are_refused)
{
	build_valid();
	ph[1].p_vaddr = 0x401800;		/* text's page, after its end */
	CHECK_STR(parse(), "segments overlap");
	build_valid();
	ph[1].p_vaddr = 0x402f00;		/* bss-only starts on this page */
	ph[1].p_memsz = 0x1101;
	CHECK_STR(parse(), "segments overlap");
	ph[1].p_memsz = 0x1100;			/* ends where the next page begins */
	CHECK_STR(parse(), "ok");
}

TEST(test_out_of_order_segments_are_refused)
{
	build_valid();
	Elf64_Phdr t = ph[0];

	ph[0] = ph[1];
	ph[1] = t;
	CHECK_STR(parse(), "segments not sorted by address");
	build_valid();
	t = ph[1];
	ph[1] = ph[2];
	ph[2] = t;
	CHECK_STR(parse(), "segments not sorted by address");
}

TEST(test_writable_executable_segment_is_refused)
{
	build_valid();
	ph[0].p_flags = PF_R | PF_W | PF_X;
	CHECK_STR(parse(), "writable and executable segment");
	ph[0].p_flags = PF_W | PF_X;
	CHECK_STR(parse(), "writable and executable segment");
}

TEST(test_image_too_large_is_refused)
{
	build_valid();
	ph[2].p_memsz = ELF_MAX_IMAGE_SIZE - 0x20 - 0x100;	/* exactly the limit */
	CHECK_STR(parse(), "ok");
	ph[2].p_memsz++;
	CHECK_STR(parse(), "image too large");
	ph[2].p_memsz = 1ull << 40;
	CHECK_STR(parse(), "image too large");
}

TEST(test_entry_outside_executable_segments_is_refused)
{
	build_valid();
	eh.e_entry = 0x402000;			/* data */
	CHECK_STR(parse(), "entry point not in an executable segment");
	eh.e_entry = 0x401020;			/* one past the end of text */
	CHECK_STR(parse(), "entry point not in an executable segment");
	eh.e_entry = 0x400fff;			/* just before text */
	CHECK_STR(parse(), "entry point not in an executable segment");
	eh.e_entry = 0;
	CHECK_STR(parse(), "entry point not in an executable segment");
	eh.e_entry = 0x40101f;			/* last byte of text */
	CHECK_STR(parse(), "ok");
	ph[0].p_flags = PF_R;			/* text not executable */
	CHECK_STR(parse(), "entry point not in an executable segment");
}

TEST(test_no_loadable_segment_is_refused)
{
	build_valid();
	nph = 0;
	CHECK_STR(parse(), "no loadable segment");
	add_ph(PT_NOTE, PF_R, 0, 0, 0, 0);
	add_ph(PT_LOAD, PF_R | PF_X, 0, 0x401000, 0, 0);
	CHECK_STR(parse(), "no loadable segment");
}

static void add_loads(unsigned n)
{
	build_valid();
	nph = 0;
	for (unsigned i = 0; i < n; i++)
		add_ph(PT_LOAD, i == 0 ? PF_R | PF_X : PF_R, DATA_OFF,
		       0x401000 + i * 0x1000ull, 0x10, 0x10);
}

TEST(test_too_many_segments_are_refused)
{
	add_loads(ELF_MAX_SEGMENTS);
	CHECK_STR(parse(), "ok");
	CHECK_EQ(img.count, ELF_MAX_SEGMENTS);
	CHECK_EQ(img.seg[15].vaddr, 0x410000);
	add_loads(ELF_MAX_SEGMENTS + 1);
	CHECK_STR(parse(), "too many segments");
}

/* Every prefix of a valid file is refused, for the first thing missing. */
TEST(test_every_truncation_is_refused)
{
	size_t phend = sizeof(Elf64_Ehdr) + 3 * sizeof(Elf64_Phdr);

	build_valid();
	emit();
	for (size_t len = 0; len < file_len; len++) {
		const char *want = len < sizeof(Elf64_Ehdr) ? "truncated header"
			: len < phend ? "program headers outside the file"
			: "segment data outside the file";
		const char *got = parse_len(len);

		if (strcmp(got, want) != 0)
			UNIT_FAIL("length %zu: \"%s\", want \"%s\"", len, got, want);
	}
	CHECK_STR(parse_len(file_len), "ok");
	CHECK_STR(parse_len(sizeof(file)), "ok");	/* trailing bytes are fine */
}

/* Bounds every accepted image must satisfy, whatever the input was. */
static bool image_sane(const struct elf_image *im, size_t len)
{
	bool entry_ok = false;

	if (im->count == 0 || im->count > ELF_MAX_SEGMENTS || im->error)
		return false;
	for (unsigned i = 0; i < im->count; i++) {
		const struct elf_segment *s = &im->seg[i];
		uint64_t lo = s->vaddr & ~0xfffull;
		uint64_t hi = (s->vaddr + s->memsz + 0xfff) & ~0xfffull;

		if (s->memsz == 0 || s->filesz > s->memsz || lo < USER_LO ||
		    hi > USER_HI || hi <= lo || s->offset > len ||
		    s->filesz > len - s->offset)
			return false;
		if ((s->flags & ELF_SEG_WRITE) && (s->flags & ELF_SEG_EXEC))
			return false;
		if (i > 0 && lo < ((im->seg[i - 1].vaddr + im->seg[i - 1].memsz +
				    0xfff) & ~0xfffull))
			return false;
		if ((s->flags & ELF_SEG_EXEC) && im->entry >= s->vaddr &&
		    im->entry < s->vaddr + s->memsz)
			entry_ok = true;
	}
	return entry_ok;
}

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Random corruption must only ever give a clean refusal or a sane image. */
TEST(test_head_parse_reads_only_the_headers)
{
	size_t phend = sizeof(Elf64_Ehdr) + 3 * sizeof(Elf64_Phdr);

	build_valid();
	emit();
	/* The headers alone suffice when the whole file's size is known... */
	CHECK_EQ(elf_parse_head(file, phend, file_len, USER_LO, USER_HI, &img), 0);
	CHECK_EQ(img.count, 3);
	CHECK_EQ(img.seg[1].offset, DATA_OFF + 0x20);
	/* ...and every header byte must have been read. */
	for (size_t head = 0; head < phend; head++) {
		int rc = elf_parse_head(file, head, file_len, USER_LO, USER_HI, &img);
		if (rc != -ENOEXEC)
			UNIT_FAIL("head of %zu bytes accepted", head);
	}
	CHECK_EQ(elf_parse_head(file, phend, phend, USER_LO, USER_HI, &img), -ENOEXEC);
	CHECK_STR(img.error, "segment data outside the file");
	CHECK_EQ(elf_parse_head(file, file_len, phend, USER_LO, USER_HI, &img), -ENOEXEC);
}

TEST(test_random_mutations_never_crash)
{
	size_t phend = sizeof(Elf64_Ehdr) + 3 * sizeof(Elf64_Phdr);
	uint64_t state = 0x9e3779b97f4a7c15ull;
	unsigned accepted = 0;

	for (int round = 0; round < 20000; round++) {
		build_valid();
		emit();
		unsigned flips = 1 + xorshift(&state) % 8;

		for (unsigned k = 0; k < flips; k++) {
			uint64_t r = xorshift(&state);
			/* Mostly the headers: that is where the decisions are. */
			size_t at = r % 8 ? (r >> 8) % phend : (r >> 8) % file_len;

			if (r & (1u << 5))
				file[at] ^= (uint8_t)(1u << ((r >> 40) % 8));
			else
				file[at] = (uint8_t)(r >> 48);
		}
		size_t len = xorshift(&state) % 4 ? file_len
			: xorshift(&state) % (file_len + 1);
		const char *got = parse_len(len);

		if (strcmp(got, "ok") == 0) {
			accepted++;
			if (!image_sane(&img, len))
				UNIT_FAIL("round %d: accepted an image that breaks the invariants",
					  round);
		} else if (got[0] == '(') {
			UNIT_FAIL("round %d: %s", round, got);
		}
	}
	CHECK(accepted > 0);	/* harmless flips (e_shoff, p_paddr) still parse */
}
