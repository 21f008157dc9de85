/* Validating static x86-64 executables (ELF-64 Object File Format 1.5,
 * System V gABI ch.4-5) held in memory, before the loader maps them.
 *
 * The file is untrusted: every header field that the loader relies on is
 * checked, all arithmetic on file offsets and addresses is overflow-safe and
 * nothing outside [file, file + size) is read. A bad file yields -ENOEXEC
 * with a reason. Only what a static, non-PIE program needs is accepted: no
 * interpreter, no dynamic section, no thread-local storage. */
#ifndef LIB_ELF_H
#define LIB_ELF_H

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

struct elf_image {
	uint64_t entry;
	unsigned count;				/* PT_LOAD segments, sorted by vaddr */
	struct elf_segment seg[ELF_MAX_SEGMENTS];
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
 * usual linker writes (they follow the ELF header). */
#define ELF_HEAD_READ 4096
int elf_parse_head(const void *head, size_t head_len, size_t size, uint64_t user_lo,
		   uint64_t user_hi, struct elf_image *img);

#endif
