/* ACPI table parsing (kernel/dev/acpi_tables.c) over real QEMU table dumps
 * (tests/data/acpi/<machine>-<firmware>, made by tools/acpi-dump), then over
 * corrupted copies of them. Each table sits in a heap block of exactly its
 * size at its recorded physical address, so AddressSanitizer catches any
 * read past what the "firmware" provided. */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dev/acpi_tables.h"
#include "lib/errors.h"
#include "unit.h"

#define MAX_REGIONS 24

struct region {
	char name[64];
	uint64_t phys;
	uint8_t *buf;
	size_t len;
};

struct machine {
	struct region r[MAX_REGIONS];
	unsigned n;
	uint8_t *rsdp;
	size_t rsdp_len;
};

/* --- loading the dumps ----------------------------------------------------- */

static bool is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* tools/run-tests starts unit tests from the repository root; elsewhere the
 * data is found next to the binary (build/tests/unit/..), next to this
 * source file, or where ACPI_DATA says. */
static const char *data_dir(void)
{
	static char path[4096];
	const char *env = getenv("ACPI_DATA");
	ssize_t n;

	if (env)
		return env;
	if (is_dir("tests/data/acpi"))
		return "tests/data/acpi";
	n = readlink("/proc/self/exe", path, sizeof(path) - 32);
	if (n > 0) {
		path[n] = '\0';
		for (int up = 0; up < 4; up++) {
			char *slash = strrchr(path, '/');
			if (!slash)
				break;
			*slash = '\0';
		}
		strcat(path, "/tests/data/acpi");
		if (is_dir(path))
			return path;
	}
	snprintf(path, sizeof(path), "%s", __FILE__);
	char *slash = strrchr(path, '/');
	if (slash) {
		strcpy(slash, "/../data/acpi");
		if (is_dir(path))
			return path;
	}
	return "tests/data/acpi";
}

static uint8_t *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long size;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(size > 0 ? (size_t)size : 1);
	if (buf && fread(buf, 1, (size_t)size, f) != (size_t)size) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	*len = (size_t)size;
	return buf;
}

static void free_machine(struct machine *m)
{
	for (unsigned i = 0; i < m->n; i++)
		free(m->r[i].buf);
	free(m->rsdp);
	memset(m, 0, sizeof(*m));
}

static bool load_machine(struct machine *m, const char *name)
{
	char path[4200], file[64];
	unsigned long long phys;
	unsigned long length;
	FILE *index;

	memset(m, 0, sizeof(*m));
	snprintf(path, sizeof(path), "%s/%s/tables.txt", data_dir(), name);
	index = fopen(path, "r");
	if (!index) {
		fprintf(stderr, "test_acpi: cannot open %s\n", path);
		return false;
	}
	while (fscanf(index, "%63s %llx %lu", file, &phys, &length) == 3) {
		size_t len;
		snprintf(path, sizeof(path), "%s/%s/%s", data_dir(), name, file);
		uint8_t *buf = read_file(path, &len);
		if (!buf || len != length) {
			fprintf(stderr, "test_acpi: %s is missing or not %lu bytes\n", path, length);
			free(buf);
			fclose(index);
			free_machine(m);
			return false;
		}
		if (strcmp(file, "rsdp.dat") == 0) {
			m->rsdp = buf;
			m->rsdp_len = len;
		} else if (m->n < MAX_REGIONS) {
			struct region *r = &m->r[m->n++];
			snprintf(r->name, sizeof(r->name), "%s", file);
			r->phys = phys;
			r->buf = buf;
			r->len = len;
		} else {
			free(buf);
		}
	}
	fclose(index);
	return m->rsdp != NULL && m->n > 0;
}

/* The map function: a range inside one loaded table, or NULL. */
static const void *mem_map(void *ctx, uint64_t phys, uint64_t len)
{
	struct machine *m = ctx;

	for (unsigned i = 0; i < m->n; i++) {
		struct region *r = &m->r[i];
		if (phys >= r->phys && phys - r->phys <= r->len && len <= r->len - (phys - r->phys))
			return r->buf + (phys - r->phys);
	}
	return NULL;
}

static struct region *region(struct machine *m, const char *name)
{
	for (unsigned i = 0; i < m->n; i++)
		if (strcmp(m->r[i].name, name) == 0)
			return &m->r[i];
	return NULL;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Makes the table's checksum right again after an edit (byte 9). */
static void fix_checksum(struct region *r)
{
	size_t len = get32(r->buf + 4) < r->len ? get32(r->buf + 4) : r->len;

	r->buf[9] = 0;
	r->buf[9] = (uint8_t)(0x100 - acpi_checksum(r->buf, len));
}

/* Gives the table a buffer of exactly len bytes (shorter: truncated). */
static void resize(struct region *r, size_t len)
{
	uint8_t *buf = calloc(1, len ? len : 1);

	memcpy(buf, r->buf, len < r->len ? len : r->len);
	free(r->buf);
	r->buf = buf;
	r->len = len;
}

static bool has_warning(const struct acpi_info *info, const char *text)
{
	for (unsigned i = 0; i < info->warning_count; i++)
		if (strstr(info->warnings[i], text))
			return true;
	return false;
}

static void print_warnings(const struct acpi_info *info)
{
	for (unsigned i = 0; i < info->warning_count; i++)
		fprintf(stderr, "  warning: %s\n", info->warnings[i]);
}

static struct acpi_info info;

static int parse(struct machine *m, unsigned faults)
{
	return acpi_parse(&info, m->rsdp, m->rsdp_len, mem_map, m, faults);
}

#define LOAD(m, name)							\
	do {								\
		if (!load_machine(&(m), (name)))			\
			UNIT_FAIL("cannot load the %s table dump from %s", (name), data_dir()); \
	} while (0)

static const struct acpi_irq_override *isa_override(const struct acpi_info *in, uint8_t irq)
{
	for (unsigned i = 0; i < in->madt.override_count; i++)
		if (in->madt.overrides[i].bus == 0 && in->madt.overrides[i].irq == irq)
			return &in->madt.overrides[i];
	return NULL;
}

/* What every QEMU machine has: one CPU, the IOAPIC at 0xfec00000 with GSI
 * base 0, IRQ0 -> GSI2, \_S5 = 0, the HPET, every table valid. Returns a
 * description of the first mismatch, or NULL. */
static const char *check_common(const struct acpi_info *in)
{
	const struct acpi_irq_override *irq0 = isa_override(in, 0);

	if (in->warning_count)
		return "warnings";
	for (unsigned i = 0; i < in->table_count; i++)
		if (!in->tables[i].valid)
			return "an invalid table";
	if (!in->madt.present || in->madt.cpu_count != 1 || !in->madt.cpus[0].enabled)
		return "MADT CPUs";
	if (in->madt.lapic_phys != 0xfee00000)
		return "local APIC address";
	if (in->madt.ioapic_count != 1 || in->madt.ioapics[0].address != 0xfec00000 ||
	    in->madt.ioapics[0].gsi_base != 0)
		return "IOAPIC";
	if (!irq0 || irq0->gsi != 2 || irq0->flags != 0)
		return "IRQ0 override";
	if (in->madt.override_count != 5 || !isa_override(in, 9) || isa_override(in, 9)->flags != 0xd)
		return "overrides";
	if (in->madt.lapic_nmi_count != 1 || in->madt.lapic_nmis[0].uid != 0xff ||
	    in->madt.lapic_nmis[0].lint != 1)
		return "LAPIC NMI";
	if (!in->fadt.present || in->fadt.pm1a_cnt.space != ACPI_GAS_IO ||
	    in->fadt.pm1b_cnt.address != 0 || in->fadt.smi_cmd != 0xb2)
		return "FADT";
	if (!acpi_find_table(in, "DSDT") || acpi_find_table(in, "DSDT")->phys != in->fadt.dsdt_phys)
		return "DSDT";
	if (!in->s5.found || in->s5.slp_typa != 0 || in->s5.slp_typb != 0)
		return "\\_S5";
	if (!in->hpet.present || in->hpet.base.address != 0xfed00000 ||
	    in->hpet.base.space != ACPI_GAS_MEMORY)
		return "HPET";
	return NULL;
}

/* --- the real dumps ------------------------------------------------------- */

TEST(pc_seabios_tables_parse_to_the_documented_values)
{
	struct machine m;
	const char *bad;

	LOAD(m, "pc-seabios");
	CHECK_EQ(parse(&m, 0), 0);
	bad = check_common(&info);
	if (bad)
		print_warnings(&info);
	CHECK_STR(bad ? bad : "ok", "ok");
	CHECK_EQ(info.rsdp_revision, 0);
	CHECK(!info.using_xsdt && info.xsdt_phys == 0);
	CHECK_STR(info.oem_id, "BOCHS ");
	CHECK_EQ(info.fadt.revision, 1);
	CHECK_EQ(info.fadt.pm1a_cnt.address, 0x604);
	CHECK_EQ(info.fadt.pm1a_cnt.bit_width, 16);
	CHECK_EQ(info.fadt.pm1a_evt.address, 0x600);
	CHECK_EQ(info.fadt.pm_tmr.address, 0x608);
	CHECK_EQ(info.fadt.acpi_enable, 0xf1);
	CHECK_EQ(info.fadt.sci_irq, 9);
	CHECK(!info.fadt.reset_supported);
	CHECK(!info.mcfg.present);
	free_machine(&m);
}

TEST(q35_seabios_tables_have_reset_register_and_mcfg)
{
	struct machine m;
	const char *bad;

	LOAD(m, "q35-seabios");
	CHECK_EQ(parse(&m, 0), 0);
	bad = check_common(&info);
	CHECK_STR(bad ? bad : "ok", "ok");
	CHECK(!info.using_xsdt);
	CHECK_EQ(info.fadt.revision, 3);
	CHECK_EQ(info.fadt.length, 244);
	CHECK_EQ(info.fadt.pm1a_cnt.address, 0x604);
	CHECK_EQ(info.fadt.acpi_enable, 0x02);
	CHECK(info.fadt.reset_supported);
	CHECK_EQ(info.fadt.reset_reg.space, ACPI_GAS_IO);
	CHECK_EQ(info.fadt.reset_reg.address, 0xcf9);
	CHECK_EQ(info.fadt.reset_value, 0x0f);
	CHECK(info.mcfg.present);
	CHECK_EQ(info.mcfg.count, 1);
	CHECK_EQ(info.mcfg.entries[0].base, 0xb0000000);
	CHECK_EQ(info.mcfg.entries[0].segment, 0);
	CHECK_EQ(info.mcfg.entries[0].bus_start, 0);
	CHECK_EQ(info.mcfg.entries[0].bus_end, 255);
	free_machine(&m);
}

TEST(pc_ovmf_tables_use_the_xsdt_and_pm1a_at_0xb004)
{
	struct machine m;
	const char *bad;

	LOAD(m, "pc-ovmf");
	CHECK_EQ(parse(&m, 0), 0);
	bad = check_common(&info);
	CHECK_STR(bad ? bad : "ok", "ok");
	CHECK_EQ(info.rsdp_revision, 2);
	CHECK(info.using_xsdt);
	CHECK_EQ(info.fadt.pm1a_cnt.address, 0xb004);
	CHECK_EQ(info.fadt.pm1a_evt.address, 0xb000);
	CHECK_EQ(info.fadt.acpi_enable, 0xf1);
	free_machine(&m);
}

TEST(q35_ovmf_tables_use_the_xsdt)
{
	struct machine m;
	const char *bad;

	LOAD(m, "q35-ovmf");
	CHECK_EQ(parse(&m, 0), 0);
	bad = check_common(&info);
	CHECK_STR(bad ? bad : "ok", "ok");
	CHECK(info.using_xsdt);
	CHECK_EQ(info.fadt.pm1a_cnt.address, 0x604);
	CHECK_EQ(info.fadt.reset_reg.address, 0xcf9);
	CHECK_EQ(info.fadt.reset_value, 0x0f);
	CHECK(info.mcfg.present);
	free_machine(&m);
}

/* --- the RSDP and the root tables ------------------------------------------ */

TEST(bad_rsdp_checksum_is_an_error)
{
	struct machine m;

	LOAD(m, "pc-seabios");
	m.rsdp[8] ^= 0x55;
	CHECK_EQ(parse(&m, 0), -EBADMSG);
	CHECK(has_warning(&info, "RSDP: bad checksum"));
	CHECK(!info.madt.present && !info.fadt.present);
	free_machine(&m);
}

TEST(bad_rsdp_signature_or_length_is_an_error)
{
	struct machine m;

	LOAD(m, "pc-seabios");
	CHECK_EQ(acpi_parse(&info, m.rsdp, 19, mem_map, &m, 0), -EBADMSG);
	CHECK_EQ(acpi_parse(&info, NULL, 20, mem_map, &m, 0), -EBADMSG);
	m.rsdp[0] = 'X';
	CHECK_EQ(parse(&m, 0), -EBADMSG);
	CHECK(has_warning(&info, "signature"));
	free_machine(&m);
}

TEST(bad_extended_checksum_falls_back_to_the_rsdt)
{
	struct machine m;

	LOAD(m, "q35-ovmf");
	m.rsdp[32] ^= 1;
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(!info.using_xsdt);
	CHECK(has_warning(&info, "extended checksum"));
	CHECK(info.madt.present && info.fadt.present && info.s5.found);
	/* A v2 RSDP cut to 20 bytes gets the same treatment. */
	CHECK_EQ(acpi_parse(&info, m.rsdp, 20, mem_map, &m, 0), 0);
	CHECK(!info.using_xsdt && info.fadt.present);
	free_machine(&m);
}

TEST(bad_xsdt_falls_back_to_the_rsdt)
{
	struct machine m;

	LOAD(m, "pc-ovmf");
	region(&m, "XSDT.dat")->buf[40] ^= 0xff;
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(!info.using_xsdt);
	CHECK(has_warning(&info, "XSDT at"));
	CHECK(has_warning(&info, "falling back to the RSDT"));
	CHECK_EQ(info.fadt.pm1a_cnt.address, 0xb004);
	free_machine(&m);
}

TEST(no_usable_root_table_is_an_error)
{
	struct machine m;
	struct region *rsdt;

	LOAD(m, "pc-seabios");
	rsdt = region(&m, "RSDT.dat");
	put32(rsdt->buf + 4, 0x10000);		/* length past the end */
	fix_checksum(rsdt);
	CHECK_EQ(parse(&m, 0), -ENOENT);
	CHECK(has_warning(&info, "RSDT at"));
	CHECK(has_warning(&info, "reaches past readable memory"));
	CHECK(has_warning(&info, "no usable RSDT or XSDT"));
	free_machine(&m);
}

TEST(root_entry_pointing_nowhere_is_skipped)
{
	struct machine m;
	struct region *rsdt;

	LOAD(m, "pc-seabios");
	rsdt = region(&m, "RSDT.dat");
	put32(rsdt->buf + 36 + 4 * 2, 0x12345678);	/* the HPET entry */
	fix_checksum(rsdt);
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(has_warning(&info, "at 0x12345678 cannot be read"));
	CHECK(!info.hpet.present);
	CHECK(info.madt.present && info.fadt.present && info.s5.found);
	free_machine(&m);
}

TEST(missing_fadt_gives_a_partial_result)
{
	struct machine m;
	struct region *rsdt;
	uint32_t facp;

	LOAD(m, "pc-seabios");
	rsdt = region(&m, "RSDT.dat");
	facp = (uint32_t)region(&m, "FACP.dat")->phys;
	/* Drop the FACP entry: move the others down, shorten the table. */
	size_t n = (get32(rsdt->buf + 4) - 36) / 4, k = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t a = get32(rsdt->buf + 36 + 4 * i);
		if (a != facp)
			put32(rsdt->buf + 36 + 4 * k++, a);
	}
	CHECK_EQ(k, n - 1);
	put32(rsdt->buf + 4, (uint32_t)(36 + 4 * k));
	fix_checksum(rsdt);
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(!info.fadt.present);
	CHECK(!info.s5.found);
	CHECK(acpi_find_table(&info, "DSDT") == NULL);
	CHECK(info.madt.present && info.madt.ioapic_count == 1);
	free_machine(&m);
}

TEST(duplicate_table_is_ignored_with_a_warning)
{
	struct machine m;
	struct region *rsdt;

	LOAD(m, "pc-seabios");
	rsdt = region(&m, "RSDT.dat");
	put32(rsdt->buf + 36 + 4 * 3, (uint32_t)region(&m, "APIC.dat")->phys);	/* WAET -> APIC */
	fix_checksum(rsdt);
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(has_warning(&info, "a second APIC"));
	CHECK(info.madt.present && info.madt.ioapic_count == 1);
	free_machine(&m);
}

/* --- checksums and lengths ------------------------------------------------- */

TEST(table_with_bad_checksum_is_skipped_and_named)
{
	struct machine m;

	LOAD(m, "q35-seabios");
	region(&m, "APIC.dat")->buf[44] ^= 1;
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(!info.madt.present);
	CHECK(has_warning(&info, "APIC at 0x"));
	CHECK(has_warning(&info, "bad checksum; ignored"));
	CHECK(info.fadt.present && info.s5.found && info.hpet.present && info.mcfg.present);
	free_machine(&m);
}

TEST(bad_fadt_checksum_loses_fadt_dsdt_and_s5)
{
	struct machine m;

	LOAD(m, "pc-seabios");
	region(&m, "FACP.dat")->buf[64] ^= 1;
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(!info.fadt.present && !info.s5.found);
	CHECK(has_warning(&info, "FACP at"));
	CHECK(info.madt.present);
	free_machine(&m);
}

TEST(bad_dsdt_checksum_loses_only_s5)
{
	struct machine m;

	LOAD(m, "pc-seabios");
	region(&m, "DSDT.dat")->buf[100] ^= 1;
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(info.fadt.present && !info.s5.found);
	CHECK(has_warning(&info, "DSDT at"));
	free_machine(&m);
}

TEST(fault_injection_treats_tables_as_corrupt)
{
	struct machine m;

	LOAD(m, "pc-seabios");
	CHECK_EQ(parse(&m, ACPI_FAULT_MADT), 0);
	CHECK(!info.madt.present && info.fadt.present);
	CHECK(has_warning(&info, "acpi=corrupt-madt"));
	CHECK_EQ(parse(&m, ACPI_FAULT_FADT), 0);
	CHECK(info.madt.present && !info.fadt.present);
	CHECK(has_warning(&info, "acpi=corrupt-fadt"));
	CHECK_EQ(parse(&m, ACPI_FAULT_DSDT), 0);
	CHECK(info.fadt.present && !info.s5.found);
	free_machine(&m);
}

TEST(truncated_table_is_skipped)
{
	struct machine m;

	LOAD(m, "pc-seabios");
	resize(region(&m, "APIC.dat"), 60);	/* the header still says 120 */
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(!info.madt.present);
	CHECK(has_warning(&info, "APIC at"));
	CHECK(has_warning(&info, "length 120 reaches past readable memory"));
	resize(region(&m, "APIC.dat"), 20);	/* not even a header */
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(!info.madt.present);
	CHECK(has_warning(&info, "cannot be read"));
	free_machine(&m);
}

TEST(length_past_the_end_or_below_the_header_is_refused)
{
	struct machine m;
	struct region *madt;

	LOAD(m, "pc-seabios");
	madt = region(&m, "APIC.dat");
	put32(madt->buf + 4, 0xfffffff0);
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(!info.madt.present);
	CHECK(has_warning(&info, "reaches past readable memory"));
	put32(madt->buf + 4, 20);
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(!info.madt.present);
	CHECK(has_warning(&info, "shorter than its header"));
	put32(madt->buf + 4, 40);		/* a header, but no MADT fields */
	fix_checksum(madt);
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(!info.madt.present);
	CHECK(has_warning(&info, "too short for a MADT"));
	free_machine(&m);
}

/* --- MADT entries ------------------------------------------------------------ */

TEST(madt_entry_of_length_zero_stops_the_walk)
{
	struct machine m;
	struct region *madt;

	LOAD(m, "pc-seabios");
	madt = region(&m, "APIC.dat");
	/* Entries: LAPIC at 44 (8), IOAPIC at 52 (12), overrides from 64. */
	CHECK_EQ(madt->buf[64], 2);
	madt->buf[65] = 0;
	fix_checksum(madt);
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(info.madt.present);
	CHECK_EQ(info.madt.cpu_count, 1);
	CHECK_EQ(info.madt.ioapic_count, 1);
	CHECK_EQ(info.madt.override_count, 0);
	CHECK(has_warning(&info, "offset 64 has length 0"));
	madt->buf[65] = 1;
	fix_checksum(madt);
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(has_warning(&info, "offset 64 has length 1"));
	free_machine(&m);
}

TEST(madt_entry_running_past_the_end_is_dropped)
{
	struct machine m;
	struct region *madt;

	LOAD(m, "pc-seabios");
	madt = region(&m, "APIC.dat");
	madt->buf[madt->len - 6 + 1] = 200;	/* the last entry (LAPIC NMI, 6 bytes) */
	fix_checksum(madt);
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(info.madt.present);
	CHECK_EQ(info.madt.lapic_nmi_count, 0);
	CHECK_EQ(info.madt.override_count, 5);
	CHECK(has_warning(&info, "runs past the end"));
	free_machine(&m);
}

TEST(madt_entry_too_short_for_its_type_is_skipped)
{
	struct machine m;
	struct region *madt;

	LOAD(m, "pc-seabios");
	madt = region(&m, "APIC.dat");
	/* Make the IOAPIC entry claim 8 bytes, then a 4-byte unknown entry. */
	CHECK_EQ(madt->buf[52], 1);
	madt->buf[53] = 8;
	madt->buf[60] = 0x7f;
	madt->buf[61] = 4;
	fix_checksum(madt);
	CHECK_EQ(parse(&m, 0), 0);
	CHECK_EQ(info.madt.ioapic_count, 0);
	CHECK_EQ(info.madt.override_count, 5);
	CHECK(has_warning(&info, "type 1 entry at offset 52 has length 8, needs 12"));
	free_machine(&m);
}

TEST(madt_with_more_entries_than_kept_counts_the_rest)
{
	uint8_t t[44 + 40 * 10];

	memset(t, 0, sizeof(t));
	memcpy(t, "APIC", 4);
	put32(t + 4, sizeof(t));
	for (int i = 0; i < 40; i++) {
		uint8_t *e = t + 44 + 10 * i;
		e[0] = 2;
		e[1] = 10;
		e[3] = (uint8_t)(i % 16);
		put32(e + 4, (uint32_t)i);
	}
	memset(&info, 0, sizeof(info));
	CHECK_EQ(acpi_parse_madt(&info, t, sizeof(t)), 0);
	CHECK_EQ(info.madt.override_count, ACPI_MAX_OVERRIDES);
	CHECK_EQ(info.madt.dropped, 40 - ACPI_MAX_OVERRIDES);
	CHECK(has_warning(&info, "entries beyond"));
}

TEST(madt_lapic_address_override_and_x2apic_entries)
{
	uint8_t t[44 + 12 + 16 + 12];
	uint8_t *e = t + 44;

	memset(t, 0, sizeof(t));
	memcpy(t, "APIC", 4);
	put32(t + 4, sizeof(t));
	put32(t + 36, 0xfee00000);
	e[0] = 5; e[1] = 12;
	put32(e + 4, 0x0000000);
	put32(e + 8, 0x1);			/* 0x100000000 */
	e += 12;
	e[0] = 9; e[1] = 16;
	put32(e + 4, 300);			/* x2APIC id */
	put32(e + 8, 1);			/* enabled */
	put32(e + 12, 7);			/* UID */
	e += 16;
	e[0] = 10; e[1] = 12;
	put32(e + 4, 0xffffffff);
	e[8] = 1;
	memset(&info, 0, sizeof(info));
	CHECK_EQ(acpi_parse_madt(&info, t, sizeof(t)), 0);
	CHECK(info.madt.lapic_overridden);
	CHECK_EQ(info.madt.lapic_phys, 0x100000000ull);
	CHECK_EQ(info.madt.cpu_count, 1);
	CHECK(info.madt.cpus[0].x2apic && info.madt.cpus[0].enabled);
	CHECK_EQ(info.madt.cpus[0].apic_id, 300);
	CHECK_EQ(info.madt.cpus[0].uid, 7);
	CHECK_EQ(info.madt.lapic_nmi_count, 1);
	CHECK_EQ(info.madt.lapic_nmis[0].uid, 0xffffffff);
	CHECK_EQ(info.madt.lapic_nmis[0].lint, 1);
}

/* --- FADT fields --------------------------------------------------------------- */

TEST(fadt_prefers_x_fields_only_when_revision_and_length_have_them)
{
	struct machine m;
	struct region *fadt;

	LOAD(m, "q35-seabios");
	fadt = region(&m, "FACP.dat");
	CHECK_EQ(get32(fadt->buf + 172 + 4), 0x604);	/* X_PM1a_CNT */
	put32(fadt->buf + 172 + 4, 0x704);
	fix_checksum(fadt);
	CHECK_EQ(parse(&m, 0), 0);
	CHECK_EQ(info.fadt.pm1a_cnt.address, 0x704);

	fadt->buf[8] = 1;			/* revision 1: no X_ fields, no reset */
	fix_checksum(fadt);
	CHECK_EQ(parse(&m, 0), 0);
	CHECK_EQ(info.fadt.pm1a_cnt.address, 0x604);
	CHECK(!info.fadt.reset_supported);

	fadt->buf[8] = 3;			/* revision 3 cut to the 1.0 length */
	put32(fadt->buf + 4, 116);
	resize(fadt, 116);
	fix_checksum(fadt);
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(info.fadt.present);
	CHECK_EQ(info.fadt.pm1a_cnt.address, 0x604);
	CHECK(!info.fadt.reset_supported);
	CHECK(info.s5.found);

	put32(fadt->buf + 4, 100);		/* shorter than any FADT */
	resize(fadt, 100);
	fix_checksum(fadt);
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(!info.fadt.present);
	CHECK(has_warning(&info, "too short for a FADT"));
	free_machine(&m);
}

TEST(fadt_reset_register_needs_the_flag)
{
	struct machine m;
	struct region *fadt;

	LOAD(m, "q35-seabios");
	fadt = region(&m, "FACP.dat");
	put32(fadt->buf + 112, get32(fadt->buf + 112) & ~ACPI_FADT_RESET_REG_SUP);
	fix_checksum(fadt);
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(!info.fadt.reset_supported);
	free_machine(&m);
}

TEST(fadt_x_dsdt_wins_over_dsdt)
{
	struct machine m;
	struct region *fadt;

	LOAD(m, "q35-seabios");
	fadt = region(&m, "FACP.dat");
	put32(fadt->buf + 40, 0x1000);		/* a wrong 32-bit DSDT */
	put32(fadt->buf + 140, (uint32_t)region(&m, "DSDT.dat")->phys);
	put32(fadt->buf + 144, 0);
	fix_checksum(fadt);
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(info.s5.found);
	CHECK_EQ(info.fadt.dsdt_phys, region(&m, "DSDT.dat")->phys);
	free_machine(&m);
}

/* --- \_S5 in AML ----------------------------------------------------------------- */

/* Runs the scan on an exact-size heap copy, so ASan sees any over-read. */
static int s5(const uint8_t *aml, size_t len, uint8_t *a, uint8_t *b)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	if (len)
		memcpy(copy, aml, len);
	*a = *b = 0xee;
	rc = acpi_aml_find_s5(copy, len, a, b);
	free(copy);
	return rc;
}

TEST(s5_package_forms_decode)
{
	uint8_t a, b;
	static const uint8_t zero_ops[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x04,
					    0x00, 0x00, 0x00, 0x00 };
	static const uint8_t bytes[] = { 0x08, '\\', '_', 'S', '5', '_', 0x12, 0x08, 0x04,
					 0x0a, 0x05, 0x0a, 0x07, 0x00, 0x00 };
	static const uint8_t words[] = { 0x10, 0x08, '_', 'S', '5', '_', 0x12, 0x0a, 0x02,
					 0x0b, 0x03, 0x00, 0x0c, 0x06, 0x00, 0x00, 0x00 };
	static const uint8_t one_op[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x01, 0x00 };
	static const uint8_t single[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x01, 0x0b,
					  0x05, 0x06 };
	/* A 2-byte PkgLength (0x40 0x04: 64 bytes) around the same package. */
	uint8_t long_len[5 + 1 + 64] = { 0x08, '_', 'S', '5', '_', 0x12, 0x40, 0x04, 0x02,
					 0x0a, 0x03, 0x0a, 0x04 };

	CHECK_EQ(s5(zero_ops, sizeof(zero_ops), &a, &b), 0);
	CHECK(a == 0 && b == 0);
	CHECK_EQ(s5(bytes, sizeof(bytes), &a, &b), 0);
	CHECK(a == 5 && b == 7);
	CHECK_EQ(s5(words, sizeof(words), &a, &b), 0);
	CHECK(a == 3 && b == 6);
	CHECK_EQ(s5(one_op, sizeof(one_op), &a, &b), 0);
	CHECK(a == 1 && b == 0);
	CHECK_EQ(s5(single, sizeof(single), &a, &b), 0);	/* 0x0605: a 5, b 6 */
	CHECK(a == 5 && b == 6);
	CHECK_EQ(s5(long_len, sizeof(long_len), &a, &b), 0);	/* 2-byte PkgLength: 64 */
	CHECK(a == 3 && b == 4);
}

TEST(s5_malformed_or_absent_is_reported)
{
	uint8_t a, b;
	static const uint8_t reference[] = { 0x70, '_', 'S', '5', '_', 0x60 };
	static const uint8_t at_end[] = { 0x00, 0x08, '_', 'S', '5', '_' };
	static const uint8_t cut_len[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x40 };
	static const uint8_t past_end[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x3f, 0x04, 0x00 };
	static const uint8_t not_pkg[] = { 0x08, '_', 'S', '5', '_', 0x0a, 0x05 };
	static const uint8_t big[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x06, 0x02, 0x0a, 0x09,
				       0x00 };
	static const uint8_t method[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x05, 0x02, 0x70,
					  0x00, 0x00 };
	static const uint8_t empty_pkg[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x02, 0x00 };
	static const uint8_t reserved[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x70, 0x00, 0x01,
					    0x00, 0x00 };
	static const uint8_t cut_elem[] = { 0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x00,
					    0x0c, 0x01 };
	static const uint8_t second_ok[] = { 0x08, '_', 'S', '5', '_', 0x01,
					     0x08, '_', 'S', '5', '_', 0x12, 0x04, 0x02, 0x01, 0x01 };

	CHECK_EQ(s5(NULL, 0, &a, &b), -ENOENT);
	CHECK_EQ(s5((const uint8_t *)"_S5", 3, &a, &b), -ENOENT);
	CHECK_EQ(s5(reference, sizeof(reference), &a, &b), -ENOENT);
	CHECK_EQ(s5(at_end, sizeof(at_end), &a, &b), -EBADMSG);
	CHECK_EQ(s5(cut_len, sizeof(cut_len), &a, &b), -EBADMSG);
	CHECK_EQ(s5(past_end, sizeof(past_end), &a, &b), -EBADMSG);
	CHECK_EQ(s5(not_pkg, sizeof(not_pkg), &a, &b), -EBADMSG);
	CHECK_EQ(s5(big, sizeof(big), &a, &b), -EBADMSG);
	CHECK_EQ(s5(method, sizeof(method), &a, &b), -EBADMSG);
	CHECK_EQ(s5(empty_pkg, sizeof(empty_pkg), &a, &b), -EBADMSG);
	CHECK_EQ(s5(reserved, sizeof(reserved), &a, &b), -EBADMSG);
	CHECK_EQ(s5(cut_elem, sizeof(cut_elem), &a, &b), -EBADMSG);
	CHECK(a == 0xee && b == 0xee);		/* untouched on failure */
	CHECK_EQ(s5(second_ok, sizeof(second_ok), &a, &b), 0);
	CHECK(a == 1 && b == 1);
}

static uint32_t rng_state = 12345;

static uint32_t rng(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

TEST(garbage_aml_never_reads_out_of_bounds)
{
	uint8_t buf[512], a, b;
	static const uint8_t seed[] = { 0x08, '_', 'S', '5', '_', 0x12 };

	for (int round = 0; round < 20000; round++) {
		size_t len = rng() % sizeof(buf);
		for (size_t i = 0; i < len; i++)
			buf[i] = (uint8_t)rng();
		/* Often plant the name so the package decoder gets exercised. */
		if (len > sizeof(seed) && rng() % 2) {
			size_t at = rng() % (len - sizeof(seed) + 1);
			memcpy(buf + at, seed, sizeof(seed));
		}
		int rc = s5(buf, len, &a, &b);
		CHECK(rc == 0 || rc == -ENOENT || rc == -EBADMSG);
		if (rc == 0)
			CHECK(a <= 7 && b <= 7);
	}
}

TEST(garbage_dsdt_gives_no_s5_and_no_crash)
{
	struct machine m;
	struct region *dsdt;

	LOAD(m, "q35-seabios");
	dsdt = region(&m, "DSDT.dat");
	for (size_t i = 36; i < dsdt->len; i++)
		dsdt->buf[i] = (uint8_t)rng();
	fix_checksum(dsdt);
	CHECK_EQ(parse(&m, 0), 0);
	CHECK(info.fadt.present);
	CHECK(acpi_find_table(&info, "DSDT") != NULL);
	CHECK(!info.s5.found);
	free_machine(&m);
}

/* Random byte flips and truncations over every table of every dump, with
 * the checksum repaired half of the time so the parsers see the damage. */
TEST(mutated_tables_never_crash_the_parser)
{
	static const char *const names[] = { "pc-seabios", "q35-seabios", "pc-ovmf", "q35-ovmf" };
	struct machine m;

	for (size_t d = 0; d < sizeof(names) / sizeof(names[0]); d++) {
		for (int round = 0; round < 400; round++) {
			LOAD(m, names[d]);
			struct region *r = &m.r[rng() % m.n];
			unsigned flips = 1 + rng() % 8;
			for (unsigned i = 0; i < flips; i++)
				r->buf[rng() % r->len] = (uint8_t)rng();
			if (rng() % 4 == 0)
				resize(r, rng() % (r->len + 1));
			if (r->len >= 10 && rng() % 2)
				fix_checksum(r);
			int rc = parse(&m, 0);
			CHECK(rc == 0 || rc == -ENOENT || rc == -EBADMSG);
			CHECK(info.warning_count <= ACPI_MAX_WARNINGS);
			CHECK(info.table_count <= ACPI_MAX_TABLES + 1);
			free_machine(&m);
		}
	}
}
