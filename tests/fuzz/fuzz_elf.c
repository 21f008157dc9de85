/* libFuzzer target for lib/elf (spawn's executable parser): for any bytes,
 * elf_parse and elf_parse_head either refuse with a reason (and report
 * nothing else) or give segments inside user space, sorted, not
 * overlapping, whose file bytes lie inside the file; the program headers'
 * address, when given, lies in a segment's file bytes, and brk starts on
 * the page after the last segment. */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>

#include "lib/elf.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)
#define USER_LO		0x400000ull
#define USER_HI		0x00007fffffff0000ull

static void check(int rc, const struct elf_image *img, size_t size)
{
	if (rc < 0) {
		CHECK(img->error && img->count == 0 && !img->native && img->image_end == 0);
		return;
	}
	CHECK(img->count >= 1 && img->count <= ELF_MAX_SEGMENTS);
	CHECK(img->phentsize == 56 && img->phnum >= img->count);
	const struct elf_segment *last = &img->seg[img->count - 1];
	CHECK(img->image_end % 4096 == 0 && img->image_end <= USER_HI);
	CHECK(img->image_end >= last->vaddr + last->memsz &&
	      img->image_end - (last->vaddr + last->memsz) < 4096);
	bool phdr_found = img->phdr_vaddr == 0;
	for (unsigned i = 0; i < img->count; i++) {
		const struct elf_segment *s = &img->seg[i];
		CHECK(s->memsz > 0 && s->filesz <= s->memsz);
		CHECK(s->vaddr >= USER_LO && s->vaddr + s->memsz <= USER_HI);
		CHECK(s->offset + s->filesz <= size);
		if (i)
			CHECK(img->seg[i - 1].vaddr + img->seg[i - 1].memsz <= s->vaddr);
		if (img->phdr_vaddr >= s->vaddr &&
		    img->phdr_vaddr - s->vaddr + (uint64_t)img->phnum * 56 <= s->filesz)
			phdr_found = true;
	}
	CHECK(phdr_found);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct elf_image img;

	check(elf_parse(data, size, USER_LO, USER_HI, &img), &img, size);
	size_t head = size < ELF_HEAD_READ ? size : ELF_HEAD_READ;
	check(elf_parse_head(data, head, size, USER_LO, USER_HI, &img), &img, size);
	return 0;
}
