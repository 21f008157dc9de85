#include "fs/initrd.h"

#include "arch/arch.h"
#include "core/boot_info.h"
#include "core/log.h"
#include "core/panic.h"
#include "lib/abi.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "lib/ustar.h"
#include "mm/kmalloc.h"

/* The archive is read once at boot into an index of its members, so a
 * lookup compares names instead of re-checking every header. */
struct initrd_dir {
	struct kobj obj;
	struct ustar_entry *entries;
	unsigned count;
};

static void initrd_dir_destroy(struct kobj *obj)
{
	(void)obj;
	panic("initrd: the root directory object lost its last reference");
}

const struct kobj_type initrd_dir_type = { .name = "initrd_dir", .destroy = initrd_dir_destroy };

static struct initrd_dir root;
static bool present;

/* Walks the archive; with entries NULL only counts the members. */
static unsigned walk(const uint8_t *archive, size_t size, struct ustar_entry *entries,
		     unsigned max, struct ustar_reader *r)
{
	struct ustar_entry e;
	unsigned n = 0;

	ustar_open(r, archive, size);
	while (n < max && ustar_next(r, &e) == 1) {
		if (entries)
			entries[n] = e;
		n++;
	}
	return n;
}

void initrd_init(void)
{
	const struct boot_module *m = boot_initrd();
	struct ustar_reader r;
	unsigned files = 0;

	if (!m)
		return;
	const uint8_t *archive = arch_phys_to_virt(m->phys_start);
	size_t size = m->phys_end - m->phys_start;
	unsigned count = walk(archive, size, NULL, UINT32_MAX, &r);
	if (r.error)
		log_error("initrd: damaged archive (%s at byte %zu); only the %u members before "
			  "it are usable\n", r.error, r.offset, count);
	root.entries = kmalloc(count * sizeof(*root.entries) + 1);
	if (!root.entries) {
		log_error("initrd: no memory for its index of %u members\n", count);
		return;
	}
	root.count = walk(archive, size, root.entries, count, &r);
	for (unsigned i = 0; i < root.count; i++)
		files += root.entries[i].type == USTAR_FILE;
	kobj_init(&root.obj, &initrd_dir_type);	/* the kernel's reference, forever */
	present = true;
	log_info("initrd: %u files\n", files);
}

struct kobj *initrd_root(void)
{
	return present ? kobj_get(&root.obj) : NULL;
}

/* Normalises path into out: no leading '/', components checked. */
static int clean_path(const char *path, char *out, size_t size)
{
	size_t len = strnlen(path, PANDA_PATH_MAX);

	if (len == PANDA_PATH_MAX)
		return -ENAMETOOLONG;
	while (*path == '/')
		path++;
	if (!*path)
		return -EISDIR;		/* the directory itself */
	for (const char *c = path; *c;) {
		const char *end = strchr(c, '/');
		size_t n = end ? (size_t)(end - c) : strlen(c);
		if (n == 0 || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
			return -EINVAL;
		c += n + (end ? 1 : 0);
		if (end && !*c)
			return -EINVAL;	/* trailing '/' */
	}
	strlcpy(out, path, size);
	return 0;
}

int initrd_lookup(struct kobj *dir, const char *path, const uint8_t **data, size_t *size)
{
	struct initrd_dir *d = kobj_of(dir, struct initrd_dir, obj);
	char clean[PANDA_PATH_MAX];

	KASSERT(dir->type == &initrd_dir_type);
	int rc = clean_path(path, clean, sizeof(clean));
	if (rc < 0)
		return rc;
	/* Like tar extraction, a later member of the same name wins. */
	for (unsigned i = d->count; i-- > 0;) {
		const struct ustar_entry *e = &d->entries[i];
		if (strcmp(e->path, clean) != 0)
			continue;
		if (e->type == USTAR_DIRECTORY)
			return -EISDIR;
		if (e->type != USTAR_FILE)
			return -ENOENT;
		*data = e->data;
		*size = e->size;
		return 0;
	}
	return -ENOENT;
}
