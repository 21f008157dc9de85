/* The initrd reader: well-formed archives read back exactly; malformed ones
 * are refused with a reason and never read out of bounds (ASan watches). */
#include <stdint.h>

#include "lib/errors.h"
#include "lib/ustar.h"
#include "unit.h"

static uint8_t archive[16 * 512];
static size_t archive_len;

static void add_member(const char *prefix, const char *name, char type,
		       const char *data, size_t size)
{
	uint8_t *h = archive + archive_len;
	unsigned sum = 0;

	memset(h, 0, 512);
	strncpy((char *)h, name, 100);
	memcpy(h + 100, "0000644", 8);
	memcpy(h + 108, "0000000", 8);
	memcpy(h + 116, "0000000", 8);
	snprintf((char *)h + 124, 12, "%011zo", size);
	memcpy(h + 136, "00000000000", 12);
	h[156] = (uint8_t)type;
	memcpy(h + 257, "ustar", 6);
	memcpy(h + 263, "00", 2);
	if (prefix)
		strncpy((char *)h + 345, prefix, 155);
	memset(h + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += h[i];
	snprintf((char *)h + 148, 8, "%06o", sum);
	archive_len += 512;
	if (data) {
		memcpy(archive + archive_len, data, size);
		archive_len += (size + 511) / 512 * 512;
	}
}

static void build_sample(void)
{
	memset(archive, 0, sizeof(archive));
	archive_len = 0;
	add_member(NULL, "./", '5', NULL, 0);
	add_member(NULL, "./bin/", '5', NULL, 0);
	add_member(NULL, "./bin/init", '0', "\x7f" "ELF", 4);
	add_member("./etc", "motd", '0', "hello panda\n", 12);
	archive_len += 1024;	/* end-of-archive marker */
}

TEST(test_members_read_back_in_order)
{
	struct ustar_reader r;
	struct ustar_entry e;

	build_sample();
	ustar_open(&r, archive, archive_len);
	CHECK_EQ(ustar_next(&r, &e), 1);
	CHECK_STR(e.path, "bin");
	CHECK_EQ(e.type, USTAR_DIRECTORY);
	CHECK_EQ(ustar_next(&r, &e), 1);
	CHECK_STR(e.path, "bin/init");
	CHECK_EQ(e.type, USTAR_FILE);
	CHECK_EQ(e.size, 4);
	CHECK(memcmp(e.data, "\x7f" "ELF", 4) == 0);
	CHECK_EQ(e.mode, 0644);
	CHECK_EQ(ustar_next(&r, &e), 1);
	CHECK_STR(e.path, "etc/motd");	/* prefix joined to name */
	CHECK_EQ(e.size, 12);
	CHECK_EQ(ustar_next(&r, &e), 0);
	CHECK_EQ(ustar_next(&r, &e), 0);	/* stays at the end */
}

TEST(test_find_by_path)
{
	struct ustar_entry e;

	build_sample();
	CHECK_EQ(ustar_find(archive, archive_len, "/etc/motd", &e, NULL), 1);
	CHECK(memcmp(e.data, "hello panda\n", 12) == 0);
	CHECK_EQ(ustar_find(archive, archive_len, "etc/missing", &e, NULL), 0);
}

TEST(test_a_later_member_of_the_same_name_wins)
{
	struct ustar_entry e;

	build_sample();
	archive_len -= 1024;		/* append after the last member */
	add_member("./etc", "motd", '0', "replaced\n", 9);
	archive_len += 1024;
	CHECK_EQ(ustar_find(archive, archive_len, "etc/motd", &e, NULL), 1);
	CHECK_EQ(e.size, 9);
	CHECK(memcmp(e.data, "replaced\n", 9) == 0);
}

TEST(test_empty_archives)
{
	struct ustar_reader r;
	struct ustar_entry e;
	static uint8_t zeros[1024];

	ustar_open(&r, zeros, 0);
	CHECK_EQ(ustar_next(&r, &e), 0);
	ustar_open(&r, zeros, sizeof(zeros));
	CHECK_EQ(ustar_next(&r, &e), 0);
}

static const char *first_error(size_t len)
{
	struct ustar_reader r;
	struct ustar_entry e;
	int rc;

	ustar_open(&r, archive, len);
	while ((rc = ustar_next(&r, &e)) == 1)
		;
	return rc == -EBADMSG ? r.error : "(no error)";
}

TEST(test_bad_checksum_is_refused)
{
	build_sample();
	archive[512 * 2 + 10] ^= 1;	/* inside bin/init's name */
	CHECK_STR(first_error(archive_len), "bad header checksum");
}

TEST(test_bad_magic_is_refused)
{
	build_sample();
	memcpy(archive + 257, "junk!", 5);
	CHECK_STR(first_error(archive_len), "bad magic (not a ustar archive)");
}

TEST(test_truncated_archives_are_refused)
{
	build_sample();
	CHECK_STR(first_error(512 * 2 + 100), "truncated header");
	CHECK_STR(first_error(512 * 3 + 2), "member data runs past the end");
}

TEST(test_bad_size_field_is_refused)
{
	build_sample();
	archive_len = 0;
	add_member(NULL, "f", '0', "x", 1);
	archive[124] = '9';			/* not octal */
	unsigned sum = 0;
	memset(archive + 148, ' ', 8);
	for (int i = 0; i < 512; i++)
		sum += archive[i];
	snprintf((char *)archive + 148, 8, "%06o", sum);
	CHECK_STR(first_error(archive_len), "bad size field");
}

TEST(test_dotdot_paths_are_refused)
{
	memset(archive, 0, sizeof(archive));
	archive_len = 0;
	add_member(NULL, "../escape", '0', "x", 1);
	CHECK_STR(first_error(archive_len), "bad path (too long or contains '..')");
	archive_len = 0;
	add_member("a/..", "b", '0', "x", 1);
	CHECK_STR(first_error(archive_len), "bad path (too long or contains '..')");
}

/* Random corruption must only ever produce members or clean errors. */
TEST(test_corrupted_archives_never_crash)
{
	uint64_t state = 12345;

	for (int round = 0; round < 5000; round++) {
		build_sample();
		for (int k = 0; k < 4; k++) {
			state = state * 6364136223846793005ull + 1442695040888963407ull;
			archive[(state >> 33) % archive_len] = (uint8_t)(state >> 13);
		}
		size_t len = (state >> 20) % (archive_len + 1);
		struct ustar_reader r;
		struct ustar_entry e;
		int n = 0, rc;

		ustar_open(&r, archive, len);
		while ((rc = ustar_next(&r, &e)) == 1) {
			CHECK(e.data >= archive && e.data + e.size <= archive + len);
			CHECK(++n < 100);
		}
		CHECK(rc == 0 || rc == -EBADMSG);
	}
}
