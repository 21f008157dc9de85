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
	if (img.native || img.phnum || img.phdr_vaddr || img.image_end)
		return "(loader facts left on failure)";
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

/* Writes one note at `at` in file[], padded to `align`, and returns its
 * length with the padding. */
static size_t put_note(size_t at, uint32_t namesz, const char *name, uint32_t descsz,
		       uint32_t type, const void *desc, size_t align)
{
	Elf64_Nhdr n = { .n_namesz = namesz, .n_descsz = descsz, .n_type = type };
	size_t name_at = at + sizeof(n);
	size_t desc_at = at + ((sizeof(n) + namesz + align - 1) & ~(align - 1));

	memcpy(file + at, &n, sizeof(n));
	memcpy(file + name_at, name, namesz);
	memcpy(file + desc_at, desc, descsz);
	return desc_at - at + ((descsz + align - 1) & ~(align - 1));
}

/* The shape GNU ld gives a static non-PIE program with -z separate-code:
 * headers in a read-only first segment, then text, rodata, data+bss, plus
 * notes and GNU markers that the loader ignores. */
TEST(test_ld_style_layout_parses)
{
	static const uint8_t property[16] = { 2, 0, 0, 0xc0, 4, 0, 0, 0, 3 };
	static const uint8_t build_id[20] = { 0xde, 0xad, 0xbe, 0xef };
	static const uint8_t abi_tag[16] = { 0, 0, 0, 0, 3, 0, 0, 0, 2 };
	size_t gnu_at = 0x300, tags_at, tags_len;	/* after 10 headers */

	build_valid();
	nph = 0;
	add_ph(PT_LOAD, PF_R, 0, 0x400000, 0x380, 0x380);
	add_ph(PT_LOAD, PF_R | PF_X, 0x1000, 0x401000, 0x20, 0x20);
	add_ph(PT_LOAD, PF_R, 0x1000, 0x402000, 0x8, 0x8);
	add_ph(PT_LOAD, PF_R | PF_W, 0x1020, 0x403f50, 0x10, 0x2b0);
	tags_at = gnu_at + put_note(gnu_at, 4, "GNU", 16, 5, property, 8);
	tags_len = put_note(tags_at, 4, "GNU", 20, 3, build_id, 4);
	tags_len += put_note(tags_at + tags_len, 4, "GNU", 16, 1, abi_tag, 4);
	add_ph(PT_NOTE, PF_R, gnu_at, 0x400000 + gnu_at, 0x20, 0x20)->p_align = 8;
	add_ph(PT_NOTE, PF_R, tags_at, 0x400000 + tags_at, tags_len, tags_len)->p_align = 4;
	add_ph(PT_TLS, PF_R, 0x1020, 0x403f50, 0x8, 0x20)->p_align = 8;
	add_ph(PT_GNU_PROPERTY, PF_R, gnu_at, 0x400000 + gnu_at, 0x20, 0x20)->p_align = 8;
	add_ph(PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0)->p_align = 16;
	add_ph(PT_GNU_RELRO, PF_R, 0x1020, 0x403f50, 0x10, 0xb0)->p_align = 1;
	eh.e_entry = 0x401010;
	CHECK(tags_at + tags_len <= 0x380);
	CHECK_STR(parse(), "ok");
	CHECK_EQ(img.count, 4);
	CHECK_EQ(img.seg[0].flags, ELF_SEG_READ);
	CHECK_EQ(img.seg[3].vaddr, 0x403f50);
	CHECK_EQ(img.entry, 0x401010);
	CHECK_EQ(img.phdr_vaddr, 0x400040);	/* the headers are in segment 0 */
	CHECK_EQ(img.phnum, 10);
	CHECK_EQ(img.phentsize, sizeof(Elf64_Phdr));
	CHECK_EQ(img.image_end, 0x405000);	/* 0x403f50 + 0x2b0, rounded up */
	CHECK(!img.native);
}

TEST(test_loader_facts_of_the_minimal_file)
{
	build_valid();
	CHECK_STR(parse(), "ok");
	CHECK_EQ(img.phdr_vaddr, 0);		/* offset 64 is in no PT_LOAD */
	CHECK_EQ(img.phnum, 3);
	CHECK_EQ(img.phentsize, 56);
	CHECK_EQ(img.image_end, 0x407000);	/* bss-only 0x404000 + 0x3000 */
	CHECK(!img.native);
	ph[2].p_memsz = 0x3001;			/* a partial last page counts whole */
	CHECK_STR(parse(), "ok");
	CHECK_EQ(img.image_end, 0x408000);
	build_valid();
	ph[2].p_memsz = ph[2].p_filesz = 0;	/* empty PT_LOADs do not count */
	CHECK_STR(parse(), "ok");
	CHECK_EQ(img.image_end, 0x403000);
}

/* Headers loaded by the first segment, with room up to 0x200 for them. */
static void build_headers_loaded(void)
{
	build_valid();
	ph[0].p_offset = 0;
	ph[0].p_vaddr = 0x400000;
	ph[0].p_filesz = ph[0].p_memsz = DATA_OFF + 0x20;
	eh.e_entry = 0x400000 + DATA_OFF;
}

TEST(test_phdr_address_is_where_a_segment_loads_them)
{
	build_headers_loaded();
	CHECK_STR(parse(), "ok");
	CHECK_EQ(img.phdr_vaddr, 0x400040);
	/* Headers past a segment's file bytes are not loaded (bss is zero). */
	ph[0].p_filesz = sizeof(Elf64_Ehdr) + 3 * sizeof(Elf64_Phdr) - 1;
	CHECK_STR(parse(), "ok");
	CHECK_EQ(img.phdr_vaddr, 0);
	ph[0].p_filesz++;			/* exactly covered */
	CHECK_STR(parse(), "ok");
	CHECK_EQ(img.phdr_vaddr, 0x400040);
	ph[0].p_offset = 0x40;			/* a segment starting at them */
	ph[0].p_vaddr = 0x400040;
	ph[0].p_filesz = ph[0].p_memsz = DATA_OFF - 0x10;	/* to the file's end */
	CHECK_STR(parse(), "ok");
	CHECK_EQ(img.phdr_vaddr, 0x400040);
	ph[0].p_offset = 0x41;			/* ...and one starting after */
	ph[0].p_filesz--;
	CHECK_STR(parse(), "ok");
	CHECK_EQ(img.phdr_vaddr, 0);
}

TEST(test_pt_phdr_must_name_the_loaded_headers)
{
	build_headers_loaded();
	add_ph(PT_PHDR, PF_R, 0x40, 0x400040, 4 * 56, 4 * 56);
	CHECK_STR(parse(), "ok");
	CHECK_EQ(img.phdr_vaddr, 0x400040);
	CHECK_EQ(img.phnum, 4);
	ph[3].p_vaddr = 0x400048;
	CHECK_STR(parse(), "PT_PHDR does not match the loaded program headers");
	ph[3].p_vaddr = 0x400040;
	add_ph(PT_PHDR, PF_R, 0x40, 0x400040, 5 * 56, 5 * 56);
	CHECK_STR(parse(), "more than one PT_PHDR");
	build_valid();				/* headers not loaded at all */
	add_ph(PT_PHDR, PF_R, 0x40, 0x400040, 4 * 56, 4 * 56);
	CHECK_STR(parse(), "PT_PHDR does not match the loaded program headers");
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

TEST(test_shared_library_segment_is_refused)
{
	build_valid();
	add_ph(PT_SHLIB, PF_R, 0, 0, 0, 0);
	CHECK_STR(parse(), "PT_SHLIB segment");
}

/* The program's libc sets thread-local storage up itself. */
TEST(test_tls_is_accepted)
{
	build_valid();
	add_ph(PT_TLS, PF_R, DATA_OFF + 0x20, 0x402000, 0x8, 0x10);
	CHECK_STR(parse(), "ok");
	CHECK_EQ(img.count, 3);
}

TEST(test_executable_stack_is_refused)
{
	build_valid();
	add_ph(PT_GNU_STACK, PF_R | PF_W | PF_X, 0, 0, 0, 0);
	CHECK_STR(parse(), "executable stack (PT_GNU_STACK) not supported");
	ph[3].p_flags = PF_R | PF_W;
	CHECK_STR(parse(), "ok");
	nph = 3;				/* no PT_GNU_STACK at all */
	CHECK_STR(parse(), "ok");
}

TEST(test_ignored_types_are_accepted)
{
	static const uint32_t types[] = {
		PT_NULL, PT_NOTE, PT_TLS, PT_GNU_STACK, PT_GNU_PROPERTY, PT_GNU_RELRO,
		PT_GNU_EH_FRAME, PT_LOOS, PT_SUNWBSS, PT_HIOS, PT_LOPROC, 0x70000003,
		PT_HIPROC,
	};

	build_valid();
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		/* Nonsense bounds: nothing reads these (a note outside the
		 * head is not looked at). */
		add_ph(types[i], PF_R | PF_W, UINT64_MAX - 10, UINT64_MAX - 4, 100, 50);
	CHECK_STR(parse(), "ok");
	CHECK_EQ(img.count, 3);
}

/* Outside the OS- and processor-specific range, a type this loader does
 * not know may ask for what it does not do. */
TEST(test_unknown_types_are_refused)
{
	static const uint32_t types[] = { 8, 0x12345678, PT_LOOS - 1, PT_HIPROC + 1u,
					  0xffffffff };

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		build_valid();
		add_ph(types[i], PF_R, 0, 0, 0, 0);
		CHECK_STR(parse(), "unknown program header type");
	}
}

/* --- the Panda note ------------------------------------------------------ */

#define NOTE_AT		0x200		/* after the headers, inside the head */

static const uint32_t abi_version = ELF_PANDA_ABI_VERSION;

static size_t put_panda_note(size_t at, size_t align)
{
	return put_note(at, ELF_NOTE_PANDA_NAMESZ, ELF_NOTE_PANDA_NAME, ELF_NOTE_PANDA_DESCSZ,
			ELF_NOTE_PANDA_NATIVE, &abi_version, align);
}

static void add_note_segment(uint64_t off, uint64_t len, uint64_t align)
{
	add_ph(PT_NOTE, PF_R, off, 0x400000 + off, len, len)->p_align = align;
}

TEST(test_panda_note_marks_a_native_program)
{
	static const uint8_t abi_tag[16] = { 0, 0, 0, 0, 3, 0, 0, 0, 2 };
	size_t len;

	build_valid();
	len = put_panda_note(NOTE_AT, 4);
	CHECK_EQ(len, 24);		/* 12 + "Panda\0" padded to 8 + 4 */
	add_note_segment(NOTE_AT, len, 4);
	CHECK_STR(parse(), "ok");
	CHECK(img.native);

	build_valid();			/* after another note */
	len = put_note(NOTE_AT, 4, "GNU", sizeof(abi_tag), 1, abi_tag, 4);
	len += put_panda_note(NOTE_AT + len, 4);
	add_note_segment(NOTE_AT, len, 4);
	CHECK_STR(parse(), "ok");
	CHECK(img.native);

	build_valid();			/* in a segment of 8-byte notes */
	len = put_panda_note(NOTE_AT, 8);
	CHECK_EQ(len, 32);		/* the descriptor at 24 */
	add_note_segment(NOTE_AT, len, 8);
	CHECK_STR(parse(), "ok");
	CHECK(img.native);
	ph[3].p_filesz = len - 4;	/* the last padding cut short */
	CHECK_STR(parse(), "ok");
	CHECK(img.native);
}

TEST(test_other_notes_do_not_mark_native)
{
	static const struct { uint32_t namesz; const char *name; uint32_t type; } notes[] = {
		{ 6, "Panda", 2 },	/* another type of ours */
		{ 5, "Panda", 1 },	/* no NUL */
		{ 6, "panda", 1 },
		{ 5, "Pand", 1 },
		{ 4, "GNU", 1 },
		{ 0, "", 1 },
	};

	for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++) {
		build_valid();
		size_t len = put_note(NOTE_AT, notes[i].namesz, notes[i].name, 4,
				      notes[i].type, &abi_version, 4);
		add_note_segment(NOTE_AT, len, 4);
		CHECK_STR(parse(), "ok");
		if (img.native)
			UNIT_FAIL("note %zu marked the program native", i);
	}
	build_valid();			/* an empty note segment */
	add_note_segment(NOTE_AT, 0, 4);
	CHECK_STR(parse(), "ok");
	CHECK(!img.native);
}

TEST(test_panda_note_of_another_size_or_version_is_refused)
{
	static const uint32_t versions[] = { 0, 2, 0xffffffff };
	static const uint64_t long_desc[2] = { 1, 0 };

	for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		build_valid();
		size_t len = put_note(NOTE_AT, 6, "Panda", 4, 1, &versions[i], 4);
		add_note_segment(NOTE_AT, len, 4);
		CHECK_STR(parse(), "Panda note of an unknown ABI version");
	}
	build_valid();
	add_note_segment(NOTE_AT, put_note(NOTE_AT, 6, "Panda", 8, 1, long_desc, 4), 4);
	CHECK_STR(parse(), "Panda note of the wrong size");
	build_valid();
	add_note_segment(NOTE_AT, put_note(NOTE_AT, 6, "Panda", 0, 1, long_desc, 4), 4);
	CHECK_STR(parse(), "Panda note of the wrong size");
}

TEST(test_malformed_notes_are_refused)
{
	size_t len;

	build_valid();
	len = put_panda_note(NOTE_AT, 4);
	add_note_segment(NOTE_AT, 11, 4);		/* less than a header */
	CHECK_STR(parse(), "truncated note");
	ph[3].p_filesz = len + 4;			/* stray bytes after a note */
	CHECK_STR(parse(), "truncated note");
	ph[3].p_filesz = len - 5;			/* descriptor cut */
	CHECK_STR(parse(), "note larger than its segment");
	ph[3].p_filesz = 12 + 6;			/* name's padding cut */
	CHECK_STR(parse(), "note larger than its segment");
	ph[3].p_filesz = len;
	CHECK_STR(parse(), "ok");

	build_valid();
	add_note_segment(NOTE_AT, 24, 4);
	put_note(NOTE_AT, 6, "Panda", 0, 1, "", 4);
	memset(file + NOTE_AT, 0xff, 4);		/* namesz 0xffffffff */
	CHECK_STR(parse(), "note larger than its segment");
	put_note(NOTE_AT, 6, "Panda", 0, 1, "", 4);
	memset(file + NOTE_AT + 4, 0xff, 4);		/* descsz 0xffffffff */
	CHECK_STR(parse(), "note larger than its segment");
	memset(file + NOTE_AT + 4, 0xfc, 1);		/* 0xfffffffc: desc + that wraps 32 bits */
	CHECK_STR(parse(), "note larger than its segment");
}

/* The loader reads ELF_HEAD_READ bytes: a note past them is not seen, so
 * neither marks the program nor is checked; elf_parse reads it all. */
TEST(test_note_beyond_the_head_is_not_read)
{
	size_t far = ELF_HEAD_READ + 0x100, len;

	build_valid();
	ph[0].p_offset = ph[1].p_offset = ELF_HEAD_READ + 0x400;
	len = put_panda_note(far, 4);
	add_note_segment(far, len, 4);
	emit();
	file_len = ELF_HEAD_READ + 0x800;
	CHECK_EQ(elf_parse_head(file, ELF_HEAD_READ, file_len, USER_LO, USER_HI, &img), 0);
	CHECK(!img.native);
	CHECK_EQ(elf_parse(file, file_len, USER_LO, USER_HI, &img), 0);
	CHECK(img.native);

	ph[3].p_offset = ELF_HEAD_READ - 8;		/* straddling the head's end */
	put_panda_note(ELF_HEAD_READ - 8, 4);
	emit();
	CHECK_EQ(elf_parse_head(file, ELF_HEAD_READ, file_len, USER_LO, USER_HI, &img), 0);
	CHECK(!img.native);
	CHECK_EQ(elf_parse(file, file_len, USER_LO, USER_HI, &img), 0);
	CHECK(img.native);

	memset(file + ELF_HEAD_READ - 8, 0xff, 8);	/* malformed, and unseen */
	CHECK_EQ(elf_parse_head(file, ELF_HEAD_READ, file_len, USER_LO, USER_HI, &img), 0);
	CHECK_EQ(elf_parse(file, file_len, USER_LO, USER_HI, &img), -ENOEXEC);
	CHECK_STR(img.error, "note larger than its segment");
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

/* --- real executables ------------------------------------------------------
 * Built by the Makefile (ELF samples) with Debian's musl-gcc and gcc, plus
 * a native program and Debian's busybox-static. What the loader reports is
 * compared with what this file works out on its own from the host's
 * <elf.h>: the program headers as Linux finds them for AT_PHDR, brk from
 * the highest PT_LOAD, and the mark from the section table, which the
 * parser never reads. */

#ifndef ELF_SAMPLES
#error "the Makefile passes ELF_SAMPLES and ELF_NATIVE_SAMPLE"
#endif
#define BUSYBOX		"/bin/busybox"

static uint8_t real[8 << 20];
static size_t real_len;

static bool read_real(const char *path)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return false;
	real_len = fread(real, 1, sizeof(real), f);
	bool whole = feof(f) && !ferror(f);
	fclose(f);
	return whole && real_len >= sizeof(Elf64_Ehdr);
}

struct facts {
	uint64_t phdr_vaddr, image_end;
	unsigned phnum, loads;
	bool tls, panda_section;
};

static Elf64_Phdr real_ph(const Elf64_Ehdr *e, unsigned i)
{
	Elf64_Phdr p;

	memcpy(&p, real + e->e_phoff + (size_t)i * e->e_phentsize, sizeof(p));
	return p;
}

static bool has_section(const Elf64_Ehdr *e, uint32_t type, const char *name)
{
	Elf64_Shdr names, sh;

	if (e->e_shoff == 0 || e->e_shstrndx >= e->e_shnum)
		return false;
	memcpy(&names, real + e->e_shoff + (size_t)e->e_shstrndx * e->e_shentsize,
	       sizeof(names));
	for (unsigned i = 0; i < e->e_shnum; i++) {
		memcpy(&sh, real + e->e_shoff + (size_t)i * e->e_shentsize, sizeof(sh));
		if (sh.sh_type == type &&
		    strcmp((const char *)real + names.sh_offset + sh.sh_name, name) == 0)
			return true;
	}
	return false;
}

static struct facts real_facts(void)
{
	struct facts x = { 0 };
	Elf64_Ehdr e;
	uint64_t end = 0, pt_phdr = 0;

	memcpy(&e, real, sizeof(e));
	x.phnum = e.e_phnum;
	for (unsigned i = 0; i < e.e_phnum; i++) {
		Elf64_Phdr p = real_ph(&e, i);
		uint64_t table = (uint64_t)e.e_phnum * e.e_phentsize;

		if (p.p_type == PT_PHDR)
			pt_phdr = p.p_vaddr;
		if (p.p_type == PT_TLS)
			x.tls = true;
		if (p.p_type != PT_LOAD || p.p_memsz == 0)
			continue;
		x.loads++;
		if (p.p_vaddr + p.p_memsz > end)
			end = p.p_vaddr + p.p_memsz;
		if (!x.phdr_vaddr && p.p_offset <= e.e_phoff &&
		    e.e_phoff + table <= p.p_offset + p.p_filesz)
			x.phdr_vaddr = p.p_vaddr + (e.e_phoff - p.p_offset);
	}
	if (pt_phdr)
		x.phdr_vaddr = pt_phdr;
	x.image_end = (end + 0xfff) & ~0xfffull;
	x.panda_section = has_section(&e, SHT_NOTE, ".note.panda");
	return x;
}

/* Parses the file as spawn does, from its first ELF_HEAD_READ bytes, and
 * checks every fact; NULL or the first that differs. */
static const char *check_real(const char *path, bool native, bool tls)
{
	static char why[256];
	size_t head;
	struct facts x;

	if (!read_real(path))
		return "cannot read the file";
	head = real_len < ELF_HEAD_READ ? real_len : ELF_HEAD_READ;
	if (elf_parse_head(real, head, real_len, USER_LO, USER_HI, &img) != 0) {
		snprintf(why, sizeof(why), "refused: %s", img.error);
		return why;
	}
	x = real_facts();
	if (x.tls != tls)
		return "the sample's PT_TLS is not as expected";
	if (x.panda_section != native)
		return "the sample's .note.panda section is not as expected";
	if (img.native != native)
		return "native";
	if (img.phdr_vaddr != x.phdr_vaddr || img.phdr_vaddr == 0)
		return "phdr_vaddr";
	if (img.phnum != x.phnum || img.phentsize != sizeof(Elf64_Phdr))
		return "phnum or phentsize";
	if (img.image_end != x.image_end)
		return "image_end";
	if (img.count != x.loads)
		return "segment count";
	/* The whole file says the same. */
	if (elf_parse(real, real_len, USER_LO, USER_HI, &img) != 0 || img.native != native)
		return "elf_parse of the whole file differs";
	return NULL;
}

#define CHECK_REAL(path, native, tls)					\
	do {								\
		const char *why_ = check_real(path, native, tls);	\
		if (why_)						\
			UNIT_FAIL("%s: %s", path, why_);		\
	} while (0)

TEST(test_musl_static_executables_are_accepted_as_linux)
{
	CHECK_REAL(ELF_SAMPLES "/hello-musl", false, false);
	CHECK_REAL(ELF_SAMPLES "/tls-musl", false, true);
}

TEST(test_glibc_static_executable_is_accepted_as_linux)
{
	CHECK_REAL(ELF_SAMPLES "/hello-glibc", false, true);
}

TEST(test_debian_busybox_static_is_accepted_as_linux)
{
	CHECK_REAL(BUSYBOX, false, true);
}

TEST(test_native_program_is_marked)
{
	CHECK_REAL(ELF_NATIVE_SAMPLE, true, false);
	CHECK_EQ(img.phdr_vaddr, 0x400040);	/* user.ld loads the headers first */
}

TEST(test_dynamic_executables_are_refused)
{
	CHECK(read_real(ELF_SAMPLES "/hello-dynamic"));
	CHECK_EQ(elf_parse(real, real_len, USER_LO, USER_HI, &img), -ENOEXEC);
	CHECK_STR(img.error, "dynamically linked (PT_INTERP)");
	CHECK(read_real(ELF_SAMPLES "/hello-static-pie"));
	CHECK_EQ(elf_parse(real, real_len, USER_LO, USER_HI, &img), -ENOEXEC);
	CHECK_STR(img.error, "not an executable (ET_EXEC)");
}

/* The mark is what makes a program native: without its note, ls is a
 * Linux program; with the note's version changed, it is refused. */
TEST(test_native_mark_is_the_note)
{
	uint8_t *at = NULL;

	CHECK(read_real(ELF_NATIVE_SAMPLE));
	for (size_t i = 0; i + ELF_NOTE_PANDA_NAMESZ <= ELF_HEAD_READ && !at; i++)
		if (memcmp(real + i, ELF_NOTE_PANDA_NAME, ELF_NOTE_PANDA_NAMESZ) == 0)
			at = real + i;
	CHECK(at != NULL);
	at[0] = 'p';
	CHECK_EQ(elf_parse_head(real, ELF_HEAD_READ, real_len, USER_LO, USER_HI, &img), 0);
	CHECK(!img.native);
	at[0] = 'P';
	at[8]++;				/* the version, after "Panda\0" and padding */
	CHECK_EQ(elf_parse_head(real, ELF_HEAD_READ, real_len, USER_LO, USER_HI, &img),
		 -ENOEXEC);
	CHECK_STR(img.error, "Panda note of an unknown ABI version");
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
