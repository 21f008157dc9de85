/* Validating static x86-64 executables (ELF-64 Object File Format 1.5,
 * System V gABI ch.4-5) held in memory, before the loader maps them.
 *
 * The file is untrusted: every header field that the loader relies on is
 * checked, all arithmetic on file offsets and addresses is overflow-safe and
 * nothing outside [file, file + size) is read. A bad file yields -ENOEXEC
 * with a reason. Only what a static, fixed-address program needs is
 * accepted: ET_EXEC, no interpreter, no dynamic section. Thread-local
 * storage (PT_TLS) is accepted: the program's libc sets it up from the
 * program headers, which the loader reports (phdr_vaddr) for the auxv.
 *
 * Accepted program header types: PT_LOAD, PT_NULL, PT_NOTE (read for the
 * Panda mark), PT_PHDR (must describe the loaded headers), PT_TLS,
 * PT_GNU_STACK (refused when it asks for an executable stack: stacks never
 * are), PT_GNU_RELRO, PT_GNU_PROPERTY, PT_GNU_EH_FRAME and every other type
 * in the OS- and processor-specific range [0x60000000, 0x7fffffff], which
 * Linux ignores too. Refused: PT_INTERP, PT_DYNAMIC, PT_SHLIB and any other
 * type of the generic or user ranges (a requirement this loader does not
 * know). */
#ifndef LIB_ELF_H
#define LIB_ELF_H

/* The mark of a native Panda executable: an ELF note (gABI ch.5 "Note
 * Section") of name "Panda" and type ELF_NOTE_PANDA_NATIVE whose
 * descriptor is a 4-byte ABI version. user/lib/crt0.S emits it and
 * user/user.ld puts it in a PT_NOTE inside the first PT_LOAD, right after
 * the program headers. A static x86-64 executable without it runs as a
 * Linux program. (Plain numbers: crt0.S includes this file too.) */
#define ELF_NOTE_PANDA_NAME	"Panda"
#define ELF_NOTE_PANDA_NAMESZ	6	/* n_namesz: the name and its NUL */
#define ELF_NOTE_PANDA_NATIVE	1	/* n_type */
#define ELF_NOTE_PANDA_DESCSZ	4	/* n_descsz: a 4-byte ABI version */
#define ELF_PANDA_ABI_VERSION	1

#ifndef __ASSEMBLER__

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ELF_MAX_SEGMENTS 16
#define ELF_MAX_IMAGE_SIZE (512ull << 20)	/* sum of PT_LOAD p_memsz, bytes */
#define ELF_PAGE_SIZE 4096

enum { ELF_SEG_READ = 1, ELF_SEG_WRITE = 2, ELF_SEG_EXEC = 4 };

struct elf_segment {
	uint64_t vaddr;		/* p_vaddr */
	uint64_t memsz;		/* p_memsz (> 0) */
	uint64_t offset;	/* p_offset: file bytes start here */
	uint64_t filesz;	/* p_filesz <= memsz; the rest is zero (bss) */
	unsigned flags;		/* ELF_SEG_* */
};

/* What a System V loader needs beyond the segments: the auxv's AT_ENTRY,
 * AT_PHDR, AT_PHNUM and AT_PHENT, and where brk starts. */
struct elf_image {
	uint64_t entry;
	unsigned count;				/* PT_LOAD segments, sorted by vaddr */
	struct elf_segment seg[ELF_MAX_SEGMENTS];
	uint64_t phdr_vaddr;	/* user address of the program headers: PT_PHDR's
				 * p_vaddr, else where e_phoff falls in a PT_LOAD's
				 * file bytes; 0 when no segment loads them */
	uint16_t phnum;		/* e_phnum */
	uint16_t phentsize;	/* e_phentsize (56) */
	uint64_t image_end;	/* page-aligned end of the highest PT_LOAD */
	bool native;		/* carries the Panda note (ELF_NOTE_PANDA_NATIVE) */
	const char *error;			/* why elf_parse failed (static string) */
};

/* Validates `file` (size bytes, any alignment) as a static x86-64 executable
 * whose loadable segments all lie inside [user_lo, user_hi) and fills *img.
 * Returns 0, or -ENOEXEC with img->error saying why. On success the segments
 * are sorted, no two of them touch the same page, none is both writable and
 * executable, and the entry point lies in an executable one. On failure
 * img->count is 0. */
int elf_parse(const void *file, size_t size, uint64_t user_lo, uint64_t user_hi,
	      struct elf_image *img);

/* The same for a loader that reads only the start of a file: head holds
 * the first head_len of its size bytes, and the ELF and program headers
 * must lie within them (else -ENOEXEC). Segment data is not read, only
 * checked against size. ELF_HEAD_READ bytes hold them in any file a
 * usual linker writes (they follow the ELF header).
 *
 * Notes are read only from PT_NOTE segments whose bytes all lie in the
 * head (linkers put them right after the program headers); a Panda note
 * further on is not seen and the file is not native. Notes in the head are
 * checked (sizes within their segment, names and descriptors padded to 4
 * bytes, or 8 in a segment of p_align 8 as GNU property notes are), and a
 * malformed one, or a Panda note of another descriptor size or ABI
 * version, is -ENOEXEC. */
#define ELF_HEAD_READ 4096
int elf_parse_head(const void *head, size_t head_len, size_t size, uint64_t user_lo,
		   uint64_t user_hi, struct elf_image *img);

#endif /* __ASSEMBLER__ */
#endif
