/* Self-tests of ACPI against the live firmware tables (`test=acpi`): the
 * tables are parsed afresh here, so the suite does not depend on what
 * acpi_init() was told on the command line. */
#include "core/boot_info.h"
#include "core/selftest.h"
#include "dev/acpi.h"
#include "lib/string.h"

static struct acpi_info live, faulty;	/* the self-test's */

static bool has_warning(const struct acpi_info *in, const char *text)
{
	size_t n = strlen(text);

	for (unsigned i = 0; i < in->warning_count; i++)
		for (const char *w = in->warnings[i]; *w; w++)
			if (strncmp(w, text, n) == 0)
				return true;
	return false;
}

static void test_acpi(void)
{
	int rc = acpi_read_tables(&live, 0);

	selftest_case("the loader passed an RSDP and a root table parses");
	SELFTEST_CHECK(boot_info.rsdp_present);
	SELFTEST_CHECK(rc == 0);
	SELFTEST_CHECK(live.rsdt_phys != 0 || live.xsdt_phys != 0);
	SELFTEST_CHECK(live.table_count >= 3);

	selftest_case("every table has a valid checksum and no warnings");
	for (unsigned i = 0; i < live.table_count; i++)
		SELFTEST_CHECK(live.tables[i].valid);
	SELFTEST_CHECK(live.warning_count == 0);

	selftest_case("MADT lists a CPU and an I/O APIC");
	SELFTEST_CHECK(live.madt.present);
	SELFTEST_CHECK(live.madt.cpu_count >= 1);
	SELFTEST_CHECK(live.madt.ioapic_count >= 1);
	SELFTEST_CHECK(live.madt.ioapics[0].address != 0);
	SELFTEST_CHECK(live.madt.lapic_phys != 0);
	for (unsigned i = 0; i < live.madt.override_count; i++)
		SELFTEST_CHECK(live.madt.overrides[i].irq < 16);

	selftest_case("FADT has PM1a_CNT and a DSDT");
	SELFTEST_CHECK(live.fadt.present);
	SELFTEST_CHECK(live.fadt.pm1a_cnt.address != 0);
	SELFTEST_CHECK(live.fadt.dsdt_phys != 0);
	SELFTEST_CHECK(acpi_find_table(&live, "DSDT") != NULL);

	selftest_case("the DSDT defines \\_S5");
	SELFTEST_CHECK(live.s5.found);
	SELFTEST_CHECK(live.s5.slp_typa <= 7 && live.s5.slp_typb <= 7);

	selftest_case("a corrupted MADT is skipped with a warning, the rest stays");
	rc = acpi_read_tables(&faulty, ACPI_FAULT_MADT);
	SELFTEST_CHECK(rc == 0);
	SELFTEST_CHECK(!faulty.madt.present);
	SELFTEST_CHECK(faulty.fadt.present && faulty.s5.found);
	SELFTEST_CHECK(has_warning(&faulty, "APIC at"));

	selftest_case("a corrupted FADT loses the DSDT and \\_S5, not the MADT");
	rc = acpi_read_tables(&faulty, ACPI_FAULT_FADT);
	SELFTEST_CHECK(rc == 0);
	SELFTEST_CHECK(!faulty.fadt.present && !faulty.s5.found);
	SELFTEST_CHECK(faulty.madt.present && faulty.madt.ioapic_count >= 1);
	SELFTEST_CHECK(has_warning(&faulty, "FACP at"));

	selftest_case("acpi_get_info agrees with the live tables");
	const struct acpi_info *booted = acpi_get_info();
	if (booted) {
		SELFTEST_CHECK(booted->fadt.pm1a_cnt.address == live.fadt.pm1a_cnt.address);
		SELFTEST_CHECK(booted->madt.ioapic_count == live.madt.ioapic_count);
		SELFTEST_CHECK(booted->s5.found == live.s5.found);
	}
}
SELFTEST(acpi, test_acpi);
