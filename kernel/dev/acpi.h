/* ACPI in the kernel: reads the firmware's tables once at boot (through the
 * direct map; the parsing itself is dev/acpi_tables.c), tells the interrupt
 * layer where the IOAPIC is and how ISA IRQs are routed, and powers the
 * machine off and resets it. The power object is how user space asks for
 * that (docs/protocols.md, "power"). docs/devices.md has the details.
 *
 * Command line: acpi=off, acpi=dump (every table as hex on the log, for
 * tools/acpi-dump), acpi=corrupt-madt / corrupt-fadt / corrupt-dsdt (fault
 * injection: the table is treated as having a bad checksum). Values combine
 * with commas: acpi=dump,corrupt-madt. */
#ifndef DEV_ACPI_H
#define DEV_ACPI_H

#include "core/kobj.h"
#include "dev/acpi_tables.h"

/* Parses the tables and configures interrupt routing from the MADT. Call
 * once, after vm_init() and before sched_init(). A missing or corrupt RSDP,
 * MADT or FADT costs a warning and leaves the legacy defaults in place; it
 * never stops the boot. */
void acpi_init(void);

/* What acpi_init() found (MADT, FADT, HPET, MCFG, \_S5), or NULL when ACPI
 * is off or no root table was usable. Read-only, valid forever. */
const struct acpi_info *acpi_get_info(void);

/* Parses the firmware's tables afresh into *out, without side effects (for
 * self-tests). faults is ACPI_FAULT_*. Returns acpi_parse()'s result, or
 * -ENOENT when the loader passed no RSDP. */
int acpi_read_tables(struct acpi_info *out, unsigned faults);

/* ACPI S5: writes SLP_TYPa | SLP_EN to PM1a_CNT (and SLP_TYPb to PM1b_CNT
 * when there is one). Returns only when that did not power off: -ENOENT
 * when ACPI gave no FADT or \_S5, -EINVAL when PM1a_CNT is not an I/O
 * port, -EIO when the write had no effect. Interrupts stay off. */
int acpi_poweroff(void);

/* Resets the machine: the FADT reset register when valid (I/O space), else
 * the 8042 keyboard controller (0xFE to port 0x64), else a triple fault.
 * Does not return. */
int acpi_reboot(void);

/* The power object, with one more reference for the caller. Requests:
 * {"op":"poweroff"} and {"op":"reboot"}, each needing RIGHT_WRITE. */
extern const struct kobj_type power_type;
struct kobj *power_object(void);

#endif
