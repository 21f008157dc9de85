/* ACPI in the kernel (dev/acpi.h): the tables through the direct map, the
 * interrupt routing they describe, power off and reset, the power object,
 * and the acpi= command-line switches. */
#include "dev/acpi.h"

#include "arch/arch.h"
#include "core/boot_info.h"
#include "core/ksan.h"
#include "core/log.h"
#include "core/panic.h"
#include "core/params.h"
#include "core/shutdown.h"
#include "lib/abi.h"
#include "lib/bson.h"
#include "lib/errors.h"
#include "lib/string.h"
#include "object/answer.h"
#include "object/message.h"
#include "object/request.h"

/* Longest table we agree to read: QEMU's DSDT is under 10 KiB, real ones
 * are at most a few hundred. */
#define ACPI_TABLE_MAX		(4u << 20)

/* PM1 control register bits (ACPI 6.5 4.8.3.2.1). */
#define PM1_SCI_EN		(1u << 0)
#define PM1_SLP_TYP_SHIFT	10
#define PM1_SLP_TYP_MASK	(7u << PM1_SLP_TYP_SHIFT)
#define PM1_SLP_EN		(1u << 13)

#define I8042_STATUS		0x64
#define I8042_INPUT_FULL	(1u << 1)
#define I8042_PULSE_RESET	0xfe

static bool acpi_disabled, acpi_dump_tables;	/* set once at boot, as is all below */
static unsigned acpi_faults;

static struct acpi_info info;
static bool acpi_ready;

/* --- command line -------------------------------------------------------- */

static bool parse_acpi(const char *value)
{
	const char *p = value;

	if (!*p) {
		log_warn("cmdline: acpi= needs off, dump, corrupt-madt, corrupt-fadt or "
			 "corrupt-dsdt\n");
		return false;
	}
	while (*p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n == 3 && memcmp(p, "off", 3) == 0)
			acpi_disabled = true;
		else if (n == 4 && memcmp(p, "dump", 4) == 0)
			acpi_dump_tables = true;
		else if (n == 12 && memcmp(p, "corrupt-madt", 12) == 0)
			acpi_faults |= ACPI_FAULT_MADT;
		else if (n == 12 && memcmp(p, "corrupt-fadt", 12) == 0)
			acpi_faults |= ACPI_FAULT_FADT;
		else if (n == 12 && memcmp(p, "corrupt-dsdt", 12) == 0)
			acpi_faults |= ACPI_FAULT_DSDT;
		else {
			log_warn("cmdline: acpi=%s: unknown value \"%.*s\" (off, dump, "
				 "corrupt-madt, corrupt-fadt, corrupt-dsdt)\n", value, (int)n, p);
			return false;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return true;
}
PARAM("acpi", parse_acpi);

/* --- reading tables ------------------------------------------------------ */

/* Tables live below 4 GiB, which the boot direct map always covers, in
 * memory the firmware reserved: a range reaching into RAM the frame
 * allocator hands out could have been overwritten, so it is refused. */
static const void *direct_map(void *ctx, uint64_t phys, uint64_t len)
{
	(void)ctx;
	if (len == 0 || len > ACPI_TABLE_MAX || phys >= BOOT_MAPPED_PHYS ||
	    len > BOOT_MAPPED_PHYS - phys)
		return NULL;
	for (unsigned i = 0; i < boot_info.mem_count; i++) {
		const struct boot_mem_region *r = &boot_info.mem[i];
		if (r->type == BOOT_MEM_USABLE && phys < r->base + r->length &&
		    r->base < phys + len)
			return NULL;
	}
	return arch_phys_to_virt(phys);
}

static size_t rsdp_length(void)
{
	return boot_info.rsdp[15] >= 2 ? sizeof(boot_info.rsdp) : 20;
}

int acpi_read_tables(struct acpi_info *out, unsigned faults)
{
	if (!boot_info.rsdp_present) {
		memset(out, 0, sizeof(*out));
		return -ENOENT;
	}
	return acpi_parse(out, boot_info.rsdp, rsdp_length(), direct_map, NULL, faults);
}

const struct acpi_info *acpi_get_info(void)
{
	return acpi_ready ? &info : NULL;
}

/* --- acpi=dump ----------------------------------------------------------- */

/* One table as "acpi-dump: table SIG PHYS LEN", lines of "acpi-dump: OFFSET
 * HEX" with 32 bytes each, and "acpi-dump: end"; tools/acpi-dump reads it. */
static void dump_bytes(const char *sig, uint64_t phys, const uint8_t *p, uint32_t len)
{
	static const char hex[] = "0123456789abcdef";
	char line[65];

	kprintf("acpi-dump: table %s %#lx %u\n", sig, phys, len);
	for (uint32_t off = 0; off < len; off += 32) {
		uint32_t n = len - off < 32 ? len - off : 32;
		for (uint32_t i = 0; i < n; i++) {
			line[2 * i] = hex[p[off + i] >> 4];
			line[2 * i + 1] = hex[p[off + i] & 15];
		}
		line[2 * n] = '\0';
		kprintf("acpi-dump: %04x %s\n", off, line);
	}
	kprintf("acpi-dump: end\n");
}

/* The table at phys as the firmware wrote it, checksum or not. */
static void dump_table(uint64_t phys)
{
	const uint8_t *h = phys ? direct_map(NULL, phys, ACPI_HEADER_LEN) : NULL;
	const uint8_t *t;
	uint32_t len;
	char sig[5];

	if (!h) {
		log_warn("acpi-dump: table at %#lx cannot be read\n", phys);
		return;
	}
	len = (uint32_t)h[4] | (uint32_t)h[5] << 8 | (uint32_t)h[6] << 16 | (uint32_t)h[7] << 24;
	for (int i = 0; i < 4; i++)
		sig[i] = h[i] >= 0x21 && h[i] < 0x7f ? (char)h[i] : '_';
	sig[4] = '\0';
	t = direct_map(NULL, phys, len);
	if (len < ACPI_HEADER_LEN || !t) {
		log_warn("acpi-dump: %s at %#lx has length %u; dumping its header only\n", sig,
			 phys, len);
		t = h;
		len = ACPI_HEADER_LEN;
	}
	dump_bytes(sig, phys, t, len);
}

static void dump_all(void)
{
	dump_bytes("RSDP", 0, boot_info.rsdp, (uint32_t)rsdp_length());
	if (info.rsdt_phys)
		dump_table(info.rsdt_phys);
	if (info.xsdt_phys)
		dump_table(info.xsdt_phys);
	for (unsigned i = 0; i < info.table_count; i++)
		dump_table(info.tables[i].phys);
	if (info.fadt.present && info.fadt.facs_phys) {
		/* The FACS has no checksum and is not parsed; dumped for reference. */
		dump_table(info.fadt.facs_phys);
	}
	kprintf("acpi-dump: done\n");
}

/* --- boot ---------------------------------------------------------------- */

/* True when the parser already warned about a table with this signature. */
static bool table_warned(const char *sig)
{
	for (unsigned i = 0; i < info.table_count; i++)
		if (!info.tables[i].valid && memcmp(info.tables[i].sig, sig, 4) == 0)
			return true;
	return false;
}

static void configure_irqs(void)
{
	static struct irq_override isa[ACPI_MAX_OVERRIDES];
	const struct acpi_madt *m = &info.madt;
	unsigned n = 0;

	if (!m->present || m->ioapic_count == 0) {
		if (!m->present && table_warned("APIC"))
			log_info("acpi: no valid MADT; the interrupt layer keeps its defaults\n");
		else
			log_warn("acpi: %s; the interrupt layer keeps its defaults\n",
				 m->present ? "the MADT lists no I/O APIC" : "no MADT");
		return;
	}
	for (unsigned i = 0; i < m->override_count; i++) {
		const struct acpi_irq_override *o = &m->overrides[i];
		if (o->bus != 0 || o->irq >= 16)
			continue;
		isa[n++] = (struct irq_override){ .isa_irq = o->irq, .gsi = o->gsi,
						  .flags = o->flags };
	}
	log_info("acpi: MADT: %u CPU%s, I/O APIC %u at %#x (GSI base %u), %u ISA override%s, "
		 "local APIC at %#lx\n", m->cpu_count, m->cpu_count == 1 ? "" : "s",
		 m->ioapics[0].id, m->ioapics[0].address, m->ioapics[0].gsi_base, n,
		 n == 1 ? "" : "s", m->lapic_phys);
	for (unsigned i = 0; i < n; i++)
		log_debug("acpi: ISA IRQ %u -> GSI %u, flags %#x\n", isa[i].isa_irq, isa[i].gsi,
			  isa[i].flags);
	arch_irq_configure(m->ioapics[0].address, m->ioapics[0].gsi_base, isa, n);
}

static void report_power(void)
{
	const struct acpi_fadt *f = &info.fadt;

	if (!f->present) {
		if (table_warned("FACP"))
			log_info("acpi: no valid FADT; power off falls back to QEMU's debug-exit "
				 "device, reset to the 8042\n");
		else
			log_warn("acpi: no FADT; power off falls back to QEMU's debug-exit device, "
				 "reset to the 8042\n");
		return;
	}
	log_info("acpi: FADT rev %u: PM1a_CNT %s %#lx, PM1b_CNT %#lx, PM timer %#lx, SMI_CMD %#x, "
		 "reset %s %#lx = %#x\n", f->revision,
		 f->pm1a_cnt.space == ACPI_GAS_IO ? "io" : "mem", f->pm1a_cnt.address,
		 f->pm1b_cnt.address, f->pm_tmr.address, f->smi_cmd,
		 f->reset_supported ? (f->reset_reg.space == ACPI_GAS_IO ? "io" : "other") : "none",
		 f->reset_reg.address, f->reset_value);
	if (info.s5.found)
		log_info("acpi: \\_S5: SLP_TYPa %u, SLP_TYPb %u\n", info.s5.slp_typa,
			 info.s5.slp_typb);
	else if (table_warned("DSDT"))
		log_info("acpi: no valid DSDT, so no \\_S5; power off falls back to QEMU's "
			 "debug-exit device\n");
	else
		log_warn("acpi: no \\_S5 in the DSDT; power off falls back to QEMU's debug-exit "
			 "device\n");
}

void acpi_init(void)
{
	int rc;

	if (acpi_disabled) {
		log_info("acpi: off (acpi=off): default interrupt routing, reset by the 8042, "
			 "power off through QEMU's debug-exit device\n");
		return;
	}
	if (!boot_info.rsdp_present) {
		log_warn("acpi: the loader passed no RSDP: default interrupt routing, reset by the "
			 "8042, power off through QEMU's debug-exit device\n");
		if (acpi_dump_tables)
			kprintf("acpi-dump: done\n");
		return;
	}
	rc = acpi_parse(&info, boot_info.rsdp, rsdp_length(), direct_map, NULL, acpi_faults);
	for (unsigned i = 0; i < info.warning_count; i++)
		log_warn("acpi: %s\n", info.warnings[i]);
	if (info.warnings_dropped)
		log_warn("acpi: %u more warnings\n", info.warnings_dropped);
	if (acpi_dump_tables)
		dump_all();
	if (rc < 0) {
		log_info("acpi: no usable tables (%s): default interrupt routing, reset by the "
			 "8042, power off through QEMU's debug-exit device\n", error_name(rc));
		return;
	}
	acpi_ready = true;

	char names[ACPI_MAX_TABLES * 5 + 8];
	size_t len = 0;
	for (unsigned i = 0; i < info.table_count; i++) {
		memcpy(names + len, info.tables[i].sig, 4);
		names[len + 4] = info.tables[i].valid ? ' ' : '!';
		len += 5;
	}
	names[len ? len - 1 : 0] = '\0';
	log_info("acpi: RSDP rev %u (%s), %s at %#lx: %s\n", info.rsdp_revision, info.oem_id,
		 info.using_xsdt ? "XSDT" : "RSDT", info.using_xsdt ? info.xsdt_phys : info.rsdt_phys,
		 names);
	configure_irqs();
	report_power();
	system_set_poweroff(acpi_poweroff);	/* for runs that end without QEMU */
	if (info.hpet.present)
		log_debug("acpi: HPET at %#lx\n", info.hpet.base.address);
	for (unsigned i = 0; i < info.mcfg.count; i++)
		log_debug("acpi: MCFG: segment %u buses %u-%u at %#lx\n", info.mcfg.entries[i].segment,
			  info.mcfg.entries[i].bus_start, info.mcfg.entries[i].bus_end,
			  info.mcfg.entries[i].base);
}

/* --- power --------------------------------------------------------------- */

static inline uint16_t inw_port(uint16_t port)
{
	uint16_t v;

	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

/* Spins for about ms milliseconds (the TSC is calibrated by then). */
static void spin_ms(uint64_t ms)
{
	uint64_t end = arch_tsc() + arch_tsc_hz() / 1000 * ms;

	while (arch_tsc() < end)
		arch_cpu_relax();
}

static bool io_reg(const struct acpi_gas *g)
{
	return g->space == ACPI_GAS_IO && g->address && g->address <= 0xffff;
}

/* Switches the chipset to ACPI mode through SMI_CMD when SCI_EN is off.
 * QEMU powers off either way; real chipsets may ignore SLP_EN before. */
static void enable_acpi_mode(uint16_t pm1a)
{
	const struct acpi_fadt *f = &info.fadt;

	if ((inw_port(pm1a) & PM1_SCI_EN) || !f->smi_cmd || f->smi_cmd > 0xffff ||
	    !f->acpi_enable || (f->flags & ACPI_FADT_HW_REDUCED))
		return;
	outb((uint16_t)f->smi_cmd, f->acpi_enable);
	for (int i = 0; i < 300 && !(inw_port(pm1a) & PM1_SCI_EN); i++)
		spin_ms(1);
}

int acpi_poweroff(void)
{
	const struct acpi_fadt *f = &info.fadt;

	if (!acpi_ready || !f->present || !info.s5.found)
		return -ENOENT;
	if (!io_reg(&f->pm1a_cnt))
		return -EINVAL;

	uint16_t a = (uint16_t)f->pm1a_cnt.address;
	bool has_b = io_reg(&f->pm1b_cnt);
	uint16_t b = (uint16_t)f->pm1b_cnt.address;
	uint16_t va, vb = 0;

	arch_irq_save();
	enable_acpi_mode(a);
	/* As ACPICA does: SLP_TYP first, then SLP_TYP with SLP_EN. */
	va = (uint16_t)((inw_port(a) & ~(PM1_SLP_TYP_MASK | PM1_SLP_EN)) |
			info.s5.slp_typa << PM1_SLP_TYP_SHIFT);
	if (has_b)
		vb = (uint16_t)((inw_port(b) & ~(PM1_SLP_TYP_MASK | PM1_SLP_EN)) |
				info.s5.slp_typb << PM1_SLP_TYP_SHIFT);
	outw(a, va);
	if (has_b)
		outw(b, vb);
	outw(a, va | PM1_SLP_EN);
	if (has_b)
		outw(b, vb | PM1_SLP_EN);
	spin_ms(500);
	return -EIO;
}

__attribute__((noreturn)) static void triple_fault(void)
{
	struct __attribute__((packed)) {
		uint16_t limit;
		uint64_t base;
	} empty = { 0, 0 };

	/* With no IDT, the exception cannot be delivered: a triple fault. */
	__asm__ volatile("lidt %0; int3" : : "m"(empty));
	arch_halt_forever();
}

int acpi_reboot(void)
{
	const struct acpi_fadt *f = &info.fadt;

	arch_irq_save();
	if (acpi_ready && f->present && f->reset_supported) {
		if (io_reg(&f->reset_reg)) {
			outb((uint16_t)f->reset_reg.address, f->reset_value);
			spin_ms(500);
			log_warn("power: the ACPI reset register did nothing; trying the 8042\n");
		} else {
			log_info("power: the ACPI reset register is not an I/O port; using the 8042\n");
		}
	}
	for (int i = 0; i < 1000 && (inb(I8042_STATUS) & I8042_INPUT_FULL); i++)
		spin_ms(1);
	outb(I8042_STATUS, I8042_PULSE_RESET);
	spin_ms(500);
	log_warn("power: the 8042 did not reset the machine; triple-faulting\n");
	triple_fault();
}

/* --- the power object ---------------------------------------------------- */

static struct kobj power;	/* a static object: only its atomic counts change */

static void power_destroy(struct kobj *obj)
{
	(void)obj;
	panic("power: the power object lost its last reference");
}

__attribute__((noreturn)) static void power_off(void)
{
	log_info("power: powering off\n");
	ksan_check_heap();	/* the sanitized kernel's last look */
	int rc = acpi_poweroff();
	log_warn("power: ACPI power off %s (%s); ending through QEMU's debug-exit device, "
		 "else halting\n", rc == -EIO ? "did nothing" : "is unavailable", error_name(rc));
	system_exit(EXIT_POWEROFF);
}

enum { OP_POWEROFF, OP_REBOOT };
static const struct request_op power_ops[] = {
	[OP_POWEROFF] = { "poweroff", RIGHT_WRITE },
	[OP_REBOOT] = { "reboot", RIGHT_WRITE },
};

static int power_answer(struct kobj *obj, uint32_t rights, struct message *req,
			struct kobj_reply *reply)
{
	int op = request_op_index(req, REQUEST_OPS(power_ops), rights);

	(void)obj;
	(void)reply;
	if (op == OP_POWEROFF)
		power_off();
	if (op == OP_REBOOT) {
		log_info("power: rebooting\n");
		acpi_reboot();	/* it falls back to a triple fault: never returns */
	}
	return op;		/* -EINVAL, -ENOSYS or -EACCES */
}

const struct kobj_type power_type = {
	.name = "power",
	.destroy = power_destroy,
	.send = kobj_answer_send,
	.call = kobj_answer_call,
	.answer = power_answer,
};

struct kobj *power_object(void)
{
	if (!power.type)
		kobj_init(&power, &power_type);	/* the kernel's reference */
	return kobj_get(&power);
}
