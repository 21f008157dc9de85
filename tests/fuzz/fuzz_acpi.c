/* libFuzzer target for the ACPI table parser (kernel/dev/acpi_tables.c).
 *
 * The input is a byte of injected faults (ACPI_FAULT_*, and FIX_SUMS: make
 * every checksum right first, so mutations get past it), then "physical
 * memory" as chunks: a u64 address, a u32 length and that many bytes (the
 * last one cut at the input's end). The first chunk is the RSDP. Each
 * chunk lives in a heap block of exactly its size, so AddressSanitizer
 * sees any read past what the "firmware" gave. Seeds are the QEMU dumps
 * in tests/data/acpi (tools/acpi-fuzz-seeds).
 *
 * Promises checked: a refusal comes with a warning; every table recorded
 * valid is readable, whole and has a right checksum and was not faulted;
 * every count stays inside its array; the MADT, FADT, HPET and MCFG found
 * are what the part parsers give for the first valid table of that
 * signature; \_S5 comes from a valid DSDT or SSDT, in range; the part
 * parsers on any bytes keep the same promises; and a second parse of the
 * same memory gives the same result. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dev/acpi_tables.h"
#include "lib/errors.h"

#define CHECK(c)	do { if (!(c)) abort(); } while (0)
#define MAX_CHUNKS	48
#define FIX_SUMS	0x80

struct chunk {
	uint64_t phys;
	uint8_t *buf;
	size_t len;
};

struct memory {
	struct chunk c[MAX_CHUNKS];
	unsigned n;
};

static uint64_t rd(const uint8_t *p, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static void split(struct memory *m, const uint8_t *data, size_t size)
{
	size_t pos = 0;

	m->n = 0;
	while (m->n < MAX_CHUNKS && size - pos >= 12) {
		uint64_t phys = rd(data + pos, 8);
		size_t len = (size_t)rd(data + pos + 8, 4);

		pos += 12;
		if (len > size - pos)
			len = size - pos;
		struct chunk *c = &m->c[m->n++];
		c->phys = phys;
		c->len = len;
		c->buf = malloc(len ? len : 1);
		CHECK(c->buf);
		memcpy(c->buf, data + pos, len);
		pos += len;
	}
}

/* Sets byte `at` of buf so the first len bytes sum to 0. */
static void fix_sum(uint8_t *buf, size_t len, size_t at)
{
	buf[at] = 0;
	buf[at] = (uint8_t)-acpi_checksum(buf, len);
}

/* The RSDP's two checksums (ACPI 6.5 5.2.5.3) and every table's. */
static void fix_sums(struct memory *m)
{
	for (unsigned i = 0; i < m->n; i++) {
		struct chunk *c = &m->c[i];
		size_t len;

		if (i == 0 && c->len >= 20) {
			fix_sum(c->buf, 20, 8);
			len = c->len >= 36 ? (size_t)rd(c->buf + 20, 4) : 0;
			if (len >= 36 && len <= c->len)
				fix_sum(c->buf, len, 32);
		} else if (i > 0 && c->len >= ACPI_HEADER_LEN) {
			len = (size_t)rd(c->buf + 4, 4);
			if (len >= ACPI_HEADER_LEN && len <= c->len)
				fix_sum(c->buf, len, 9);
		}
	}
}

/* Any chunk after the RSDP that holds all of [phys, phys+len). */
static const void *map(void *ctx, uint64_t phys, uint64_t len)
{
	struct memory *m = ctx;

	for (unsigned i = 1; i < m->n; i++) {
		const struct chunk *c = &m->c[i];
		if (phys >= c->phys && phys - c->phys <= c->len && len <= c->len - (phys - c->phys))
			return c->buf + (phys - c->phys);
	}
	return NULL;
}

static void check_warnings(const struct acpi_info *info)
{
	CHECK(info->warning_count <= ACPI_MAX_WARNINGS);
	CHECK(info->warnings_dropped == 0 || info->warning_count == ACPI_MAX_WARNINGS);
	for (unsigned i = 0; i < info->warning_count; i++) {
		size_t n = strnlen(info->warnings[i], ACPI_WARNING_LEN);
		CHECK(n > 0 && n < ACPI_WARNING_LEN);
	}
}

static void check_counts(const struct acpi_info *info)
{
	CHECK(info->madt.cpu_count <= ACPI_MAX_CPUS);
	CHECK(info->madt.ioapic_count <= ACPI_MAX_IOAPICS);
	CHECK(info->madt.override_count <= ACPI_MAX_OVERRIDES);
	CHECK(info->madt.nmi_source_count <= ACPI_MAX_NMI_SOURCES);
	CHECK(info->madt.lapic_nmi_count <= ACPI_MAX_LAPIC_NMIS);
	CHECK(info->mcfg.count <= ACPI_MAX_MCFG);
	CHECK(info->table_count <= ACPI_MAX_TABLES + 1);
}

static bool faulted(const char *sig, unsigned faults)
{
	return ((faults & ACPI_FAULT_MADT) && !strcmp(sig, "APIC")) ||
	       ((faults & ACPI_FAULT_FADT) && !strcmp(sig, "FACP")) ||
	       ((faults & ACPI_FAULT_DSDT) && !strcmp(sig, "DSDT"));
}

static void check_table(struct memory *m, const struct acpi_table_ref *ref, unsigned faults)
{
	const uint8_t *t;

	CHECK(strnlen(ref->sig, 5) == 4);
	if (!ref->valid)
		return;
	CHECK(ref->length >= ACPI_HEADER_LEN);
	t = map(m, ref->phys, ref->length);
	CHECK(t);
	CHECK(acpi_checksum(t, ref->length) == 0);
	CHECK(!faulted(ref->sig, faults));
	CHECK(rd(t + 4, 4) == ref->length && t[8] == ref->revision);
	for (int i = 0; i < 4; i++)
		CHECK(ref->sig[i] == (t[i] >= 0x20 && t[i] < 0x7f ? (char)t[i] : '?'));
}

static bool kept(const struct acpi_info *info, const char *sig)
{
	return !strcmp(sig, "APIC") ? info->madt.present :
	       !strcmp(sig, "FACP") ? info->fadt.present :
	       !strcmp(sig, "HPET") ? info->hpet.present : info->mcfg.present;
}

/* What acpi_parse kept of a signature is what the part parser gives for
 * the first valid table of it that the part parser accepts (one too short
 * for its kind is ignored with a warning); with none, nothing was kept. */
static void check_part(struct memory *m, const struct acpi_info *info, const char *sig,
		       int (*parse)(struct acpi_info *, const uint8_t *, size_t))
{
	static struct acpi_info alone;
	bool found = false;

	for (unsigned i = 0; i < info->table_count && !found; i++) {
		const struct acpi_table_ref *ref = &info->tables[i];
		if (!ref->valid || strcmp(ref->sig, sig))
			continue;
		memset(&alone, 0, sizeof(alone));
		parse(&alone, map(m, ref->phys, ref->length), ref->length);
		found = kept(&alone, sig);
	}
	CHECK(kept(info, sig) == found);
	if (!found)
		return;
	if (!strcmp(sig, "APIC")) {
		const struct acpi_madt *a = &alone.madt, *b = &info->madt;
		CHECK(a->cpu_count == b->cpu_count && a->ioapic_count == b->ioapic_count &&
		      a->override_count == b->override_count && a->lapic_phys == b->lapic_phys &&
		      a->flags == b->flags && a->dropped == b->dropped);
		for (unsigned i = 0; i < a->cpu_count; i++)
			CHECK(a->cpus[i].apic_id == b->cpus[i].apic_id &&
			      a->cpus[i].enabled == b->cpus[i].enabled);
	} else if (!strcmp(sig, "FACP")) {
		CHECK(alone.fadt.dsdt_phys == info->fadt.dsdt_phys &&
		      alone.fadt.pm1a_cnt.address == info->fadt.pm1a_cnt.address &&
		      alone.fadt.reset_supported == info->fadt.reset_supported);
	} else if (!strcmp(sig, "HPET")) {
		CHECK(alone.hpet.base.address == info->hpet.base.address);
	} else {
		CHECK(alone.mcfg.count == info->mcfg.count);
		for (unsigned i = 0; i < alone.mcfg.count; i++)
			CHECK(alone.mcfg.entries[i].base == info->mcfg.entries[i].base);
	}
}

/* A found \_S5 is in range and is what the first AML table that has one
 * says (the DSDT before any SSDT). */
static void check_s5(struct memory *m, const struct acpi_info *info)
{
	if (!info->s5.found) {
		CHECK(info->s5.slp_typa == 0 && info->s5.slp_typb == 0);
		return;
	}
	CHECK(info->s5.slp_typa <= 7 && info->s5.slp_typb <= 7);
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < info->table_count; i++) {
			const struct acpi_table_ref *ref = &info->tables[i];
			uint8_t a, b;

			if (!ref->valid || strcmp(ref->sig, pass == 0 ? "DSDT" : "SSDT"))
				continue;
			const uint8_t *t = map(m, ref->phys, ref->length);
			if (acpi_aml_find_s5(t + ACPI_HEADER_LEN, ref->length - ACPI_HEADER_LEN,
					     &a, &b) == 0) {
				CHECK(a == info->s5.slp_typa && b == info->s5.slp_typb);
				return;
			}
		}
	}
	CHECK(!"_S5 found in no table");
}

/* The part parsers straight on raw bytes: bounded results, reasons. */
static void check_raw(const struct chunk *c)
{
	static struct acpi_info info;
	int (*const parts[])(struct acpi_info *, const uint8_t *, size_t) = {
		acpi_parse_madt, acpi_parse_fadt, acpi_parse_hpet, acpi_parse_mcfg,
	};
	uint8_t a = 0xee, b = 0xee;
	int rc = acpi_aml_find_s5(c->buf, c->len, &a, &b);

	CHECK(rc == 0 || rc == -ENOENT || rc == -EBADMSG);
	CHECK(rc != 0 || (a <= 7 && b <= 7));
	for (unsigned i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
		memset(&info, 0, sizeof(info));
		rc = parts[i](&info, c->buf, c->len);
		CHECK(rc == 0 || (rc == -EBADMSG && info.warning_count > 0));
		check_warnings(&info);
		check_counts(&info);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct acpi_info info, again;
	static struct memory m;
	unsigned faults;
	int rc;

	if (size < 1)
		return 0;
	faults = data[0] & (ACPI_FAULT_MADT | ACPI_FAULT_FADT | ACPI_FAULT_DSDT);
	split(&m, data + 1, size - 1);
	if (data[0] & FIX_SUMS)
		fix_sums(&m);
	const uint8_t *rsdp = m.n ? m.c[0].buf : NULL;
	size_t rsdp_len = m.n ? m.c[0].len : 0;

	rc = acpi_parse(&info, rsdp, rsdp_len, map, &m, faults);
	CHECK(rc == 0 || rc == -EBADMSG || rc == -ENOENT);
	CHECK(rc == 0 || (info.warning_count > 0 && info.table_count == 0));
	check_warnings(&info);
	check_counts(&info);
	CHECK(!info.using_xsdt || info.xsdt_phys);
	for (unsigned i = 0; i < info.table_count; i++)
		check_table(&m, &info.tables[i], faults);
	if (rc == 0) {
		check_part(&m, &info, "APIC", acpi_parse_madt);
		check_part(&m, &info, "FACP", acpi_parse_fadt);
		check_part(&m, &info, "HPET", acpi_parse_hpet);
		check_part(&m, &info, "MCFG", acpi_parse_mcfg);
	}
	check_s5(&m, &info);

	CHECK(acpi_parse(&again, rsdp, rsdp_len, map, &m, faults) == rc);
	CHECK(again.table_count == info.table_count && again.warning_count == info.warning_count &&
	      again.s5.found == info.s5.found && again.madt.cpu_count == info.madt.cpu_count);

	for (unsigned i = 0; i < m.n; i++) {
		check_raw(&m.c[i]);
		free(m.c[i].buf);
	}
	return 0;
}
