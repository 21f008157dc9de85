/* ACPI table parsing, pure: no hardware access, no allocation, no kernel
 * headers. The caller supplies the RSDP bytes and a function that turns a
 * physical range into readable bytes (the kernel: the direct map; the host
 * tests: buffers loaded from table dumps), so the same code runs under
 * AddressSanitizer on the host and in the kernel.
 *
 * Everything the firmware wrote is untrusted: every length is checked
 * against what the map function returned before a byte is read, a table
 * whose checksum fails is ignored with a warning naming it, and malformed
 * input gives an error or a partial result with warnings, never an
 * out-of-bounds read or an endless loop.
 *
 * What is parsed (ACPI 6.5 chapter 5): the RSDP (v1, v2 with its extended
 * checksum), the RSDT and XSDT (the XSDT is preferred when present and
 * valid), every table header, the MADT, FADT, HPET and MCFG, and from the
 * DSDT the \_S5 sleep type values. The \_S5 lookup is a targeted byte scan
 * of the AML for `Name(_S5_, Package(){...})`, not an AML interpreter: a
 * DSDT that computes _S5 in a method is reported as "no _S5". */
#ifndef DEV_ACPI_TABLES_H
#define DEV_ACPI_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_TABLES		32	/* root-table entries kept (+ the DSDT) */
#define ACPI_MAX_CPUS		64
#define ACPI_MAX_IOAPICS	8
#define ACPI_MAX_OVERRIDES	16
#define ACPI_MAX_NMI_SOURCES	8
#define ACPI_MAX_LAPIC_NMIS	16
#define ACPI_MAX_MCFG		8
#define ACPI_MAX_WARNINGS	16
#define ACPI_WARNING_LEN	112

#define ACPI_HEADER_LEN		36	/* the common table header */

/* Returns a pointer to len readable bytes at physical address phys, or NULL
 * when that range cannot (or must not) be read. */
typedef const void *(*acpi_map_fn)(void *ctx, uint64_t phys, uint64_t len);

/* Generic Address Structure (ACPI 5.2.3.2). */
enum { ACPI_GAS_MEMORY = 0, ACPI_GAS_IO = 1, ACPI_GAS_PCI = 2 };
struct acpi_gas {
	uint8_t space;			/* ACPI_GAS_* */
	uint8_t bit_width;
	uint8_t bit_offset;
	uint8_t access_size;
	uint64_t address;		/* 0: not present */
};

/* One table found through the root table (or the FADT, for the DSDT). */
struct acpi_table_ref {
	char sig[5];
	uint64_t phys;
	uint32_t length;		/* the header's claim */
	uint8_t revision;
	bool valid;			/* mapped, length sane, checksum right */
};

struct acpi_cpu {
	uint32_t uid;			/* ACPI processor UID */
	uint32_t apic_id;
	bool enabled;
	bool online_capable;
	bool x2apic;			/* came from a type 9 entry */
};

struct acpi_ioapic {
	uint8_t id;
	uint32_t address;
	uint32_t gsi_base;
};

/* MADT type 2: bus IRQ -> GSI. flags are the MPS INTI flags (polarity in
 * bits 0-1, trigger mode in bits 2-3). */
struct acpi_irq_override {
	uint8_t bus;			/* 0: ISA */
	uint8_t irq;
	uint32_t gsi;
	uint16_t flags;
};

struct acpi_nmi_source {
	uint16_t flags;
	uint32_t gsi;
};

struct acpi_lapic_nmi {
	uint32_t uid;			/* 0xff (or 0xffffffff for x2APIC): all CPUs */
	uint16_t flags;
	uint8_t lint;
};

struct acpi_madt {
	bool present;
	uint64_t lapic_phys;		/* with the type 5 override applied */
	bool lapic_overridden;
	uint32_t flags;			/* bit 0: PC-AT compatible 8259s present */
	struct acpi_cpu cpus[ACPI_MAX_CPUS];
	unsigned cpu_count;
	struct acpi_ioapic ioapics[ACPI_MAX_IOAPICS];
	unsigned ioapic_count;
	struct acpi_irq_override overrides[ACPI_MAX_OVERRIDES];
	unsigned override_count;
	struct acpi_nmi_source nmi_sources[ACPI_MAX_NMI_SOURCES];
	unsigned nmi_source_count;
	struct acpi_lapic_nmi lapic_nmis[ACPI_MAX_LAPIC_NMIS];
	unsigned lapic_nmi_count;
	unsigned dropped;		/* entries past the arrays' room */
};

#define ACPI_FADT_RESET_REG_SUP	(1u << 10)
#define ACPI_FADT_HW_REDUCED	(1u << 20)

struct acpi_fadt {
	bool present;
	uint8_t revision;
	uint32_t length;
	uint64_t dsdt_phys;		/* X_DSDT when present, else DSDT */
	uint64_t facs_phys;
	uint16_t sci_irq;
	uint32_t smi_cmd;		/* 0: ACPI mode cannot be switched */
	uint8_t acpi_enable, acpi_disable;
	/* Register blocks: from the X_ fields when the revision (>= 3) and the
	 * length have them and they are nonzero, else from the 32-bit I/O
	 * port fields. address 0 means "not present". */
	struct acpi_gas pm1a_evt, pm1b_evt, pm1a_cnt, pm1b_cnt, pm_tmr;
	uint8_t pm1_evt_len, pm1_cnt_len, pm_tmr_len;
	uint32_t flags;
	uint16_t iapc_boot_arch;
	/* From revision 2 when flags has RESET_REG_SUP. */
	bool reset_supported;
	struct acpi_gas reset_reg;
	uint8_t reset_value;
};

struct acpi_hpet {
	bool present;
	struct acpi_gas base;
	uint32_t block_id;		/* event timer block ID */
	uint8_t number;
	uint16_t min_tick;
};

struct acpi_mcfg_entry {
	uint64_t base;			/* ECAM base of bus 0 of this segment */
	uint16_t segment;
	uint8_t bus_start, bus_end;
};

struct acpi_mcfg {
	bool present;
	struct acpi_mcfg_entry entries[ACPI_MAX_MCFG];
	unsigned count;
};

struct acpi_s5 {
	bool found;
	uint8_t slp_typa, slp_typb;	/* 3-bit values for PM1x_CNT.SLP_TYP */
};

/* Tables to treat as if their checksum were wrong (fault injection). */
enum {
	ACPI_FAULT_MADT = 1u << 0,
	ACPI_FAULT_FADT = 1u << 1,
	ACPI_FAULT_DSDT = 1u << 2,
};

struct acpi_info {
	uint8_t rsdp_revision;
	char oem_id[7];
	uint64_t rsdt_phys, xsdt_phys;	/* as the RSDP gives them (0: none) */
	bool using_xsdt;		/* the root table used is the XSDT */

	struct acpi_table_ref tables[ACPI_MAX_TABLES + 1];
	unsigned table_count;

	struct acpi_madt madt;
	struct acpi_fadt fadt;
	struct acpi_hpet hpet;
	struct acpi_mcfg mcfg;
	struct acpi_s5 s5;

	/* Everything found wrong, in order, without "acpi: " or a newline. */
	char warnings[ACPI_MAX_WARNINGS][ACPI_WARNING_LEN];
	unsigned warning_count;
	unsigned warnings_dropped;
};

/* Sum of the bytes mod 256: 0 for a valid table. */
uint8_t acpi_checksum(const void *data, size_t len);

/* Parses everything reachable from the RSDP (rsdp_len bytes: 20 for v1, at
 * least 36 for v2). `faults` is ACPI_FAULT_* (0 normally). Fills *info,
 * which it clears first. Returns 0 when a root table was read (the tables
 * found may still be partial: see the present flags and warnings), -EBADMSG
 * when the RSDP is malformed, -ENOENT when no root table is usable. */
int acpi_parse(struct acpi_info *info, const void *rsdp, size_t rsdp_len,
	       acpi_map_fn map, void *ctx, unsigned faults);

/* The parts on their own, for a table already in hand (len bytes readable,
 * header included; checksums are the caller's business). Each returns 0 or
 * -EBADMSG, adding warnings to info. */
int acpi_parse_madt(struct acpi_info *info, const uint8_t *table, size_t len);
int acpi_parse_fadt(struct acpi_info *info, const uint8_t *table, size_t len);
int acpi_parse_hpet(struct acpi_info *info, const uint8_t *table, size_t len);
int acpi_parse_mcfg(struct acpi_info *info, const uint8_t *table, size_t len);

/* Scans AML bytecode (a DSDT or SSDT body) for Name(_S5_, Package(){a, b,
 * ...}) and decodes the first two elements (Zero, One, Ones, or a byte,
 * word or dword constant). Returns 0 with *typa and *typb set, -ENOENT when
 * there is no such definition, -EBADMSG when one is found but malformed. */
int acpi_aml_find_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb);

/* The table with this signature (first valid one), or NULL. */
const struct acpi_table_ref *acpi_find_table(const struct acpi_info *info, const char *sig);

#endif
