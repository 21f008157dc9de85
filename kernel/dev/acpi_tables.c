/* ACPI table parsing without hardware access (acpi_tables.h). Every read
 * goes through rd8/rd16/rd32/rd64 on a buffer whose readable length was
 * checked just before, byte by byte, so unaligned fields are fine. */
#include "dev/acpi_tables.h"

#include <stdarg.h>

#include "lib/errors.h"
#include "lib/format.h"
#include "lib/string.h"

/* Offsets (ACPI 6.5 5.2.5.3, 5.2.6, 5.2.9, 5.2.12). */
#define RSDP_V1_LEN		20
#define RSDP_V2_LEN		36
#define HDR_LENGTH		4
#define HDR_REVISION		8
#define MADT_ENTRIES		44
#define FADT_V1_LEN		116	/* revision 1 ends after Flags */
#define FADT_RESET_END		129	/* RESET_REG + RESET_VALUE (revision 2) */
#define HPET_LEN		56
#define MCFG_ENTRIES		44
#define MCFG_ENTRY_LEN		16

/* AML opcodes used by the _S5 scan (ACPI 6.5 20.2). */
#define AML_ZERO		0x00
#define AML_ONE			0x01
#define AML_NAME		0x08
#define AML_BYTE		0x0a
#define AML_WORD		0x0b
#define AML_DWORD		0x0c
#define AML_QWORD		0x0e
#define AML_PACKAGE		0x12
#define AML_ONES		0xff

static inline uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline uint64_t rd64(const uint8_t *p)
{
	return rd32(p) | (uint64_t)rd32(p + 4) << 32;
}

__attribute__((format(printf, 2, 3)))
static void warn(struct acpi_info *info, const char *fmt, ...)
{
	va_list ap;

	if (info->warning_count >= ACPI_MAX_WARNINGS) {
		info->warnings_dropped++;
		return;
	}
	va_start(ap, fmt);
	fmt_vsnprintf(info->warnings[info->warning_count++], ACPI_WARNING_LEN, fmt, ap);
	va_end(ap);
}

uint8_t acpi_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return sum;
}

/* A 4-byte signature as printable text (firmware bytes may be anything). */
static void copy_sig(char out[5], const uint8_t *p)
{
	for (int i = 0; i < 4; i++)
		out[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
	out[4] = '\0';
}

static bool sig_is(const char *sig, const char *want)
{
	return memcmp(sig, want, 4) == 0;
}

static struct acpi_gas read_gas(const uint8_t *p)
{
	return (struct acpi_gas){
		.space = p[0],
		.bit_width = p[1],
		.bit_offset = p[2],
		.access_size = p[3],
		.address = rd64(p + 4),
	};
}

/* A legacy FADT block: an I/O port and its length in bytes. */
static struct acpi_gas io_block(uint32_t port, uint8_t len)
{
	return (struct acpi_gas){
		.space = ACPI_GAS_IO,
		.bit_width = (uint8_t)(len * 8),
		.address = port,
	};
}

/* --- MADT ---------------------------------------------------------------- */

/* The shortest valid length of each MADT entry type we read; 0: skipped. */
static uint8_t madt_entry_min(uint8_t type)
{
	switch (type) {
	case 0: return 8;	/* processor local APIC */
	case 1: return 12;	/* I/O APIC */
	case 2: return 10;	/* interrupt source override */
	case 3: return 8;	/* NMI source */
	case 4: return 6;	/* local APIC NMI */
	case 5: return 12;	/* local APIC address override */
	case 9: return 16;	/* processor local x2APIC */
	case 10: return 12;	/* local x2APIC NMI */
	default: return 0;
	}
}

static void madt_entry(struct acpi_info *info, const uint8_t *e)
{
	struct acpi_madt *m = &info->madt;
	uint32_t flags;

	switch (e[0]) {
	case 0:
	case 9:
		if (m->cpu_count >= ACPI_MAX_CPUS) {
			m->dropped++;
			break;
		}
		flags = e[0] == 0 ? rd32(e + 4) : rd32(e + 8);
		m->cpus[m->cpu_count++] = (struct acpi_cpu){
			.uid = e[0] == 0 ? e[2] : rd32(e + 12),
			.apic_id = e[0] == 0 ? e[3] : rd32(e + 4),
			.enabled = flags & 1,
			.online_capable = flags & 2,
			.x2apic = e[0] == 9,
		};
		break;
	case 1:
		if (m->ioapic_count >= ACPI_MAX_IOAPICS) {
			m->dropped++;
			break;
		}
		m->ioapics[m->ioapic_count++] = (struct acpi_ioapic){
			.id = e[2], .address = rd32(e + 4), .gsi_base = rd32(e + 8),
		};
		break;
	case 2:
		if (m->override_count >= ACPI_MAX_OVERRIDES) {
			m->dropped++;
			break;
		}
		m->overrides[m->override_count++] = (struct acpi_irq_override){
			.bus = e[2], .irq = e[3], .gsi = rd32(e + 4), .flags = rd16(e + 8),
		};
		break;
	case 3:
		if (m->nmi_source_count >= ACPI_MAX_NMI_SOURCES) {
			m->dropped++;
			break;
		}
		m->nmi_sources[m->nmi_source_count++] = (struct acpi_nmi_source){
			.flags = rd16(e + 2), .gsi = rd32(e + 4),
		};
		break;
	case 4:
	case 10:
		if (m->lapic_nmi_count >= ACPI_MAX_LAPIC_NMIS) {
			m->dropped++;
			break;
		}
		m->lapic_nmis[m->lapic_nmi_count++] = e[0] == 4
			? (struct acpi_lapic_nmi){ .uid = e[2], .flags = rd16(e + 3), .lint = e[5] }
			: (struct acpi_lapic_nmi){ .uid = rd32(e + 4), .flags = rd16(e + 2),
						   .lint = e[8] };
		break;
	case 5:
		m->lapic_phys = rd64(e + 4);
		m->lapic_overridden = true;
		break;
	}
}

int acpi_parse_madt(struct acpi_info *info, const uint8_t *t, size_t len)
{
	struct acpi_madt *m = &info->madt;
	int rc = 0;

	memset(m, 0, sizeof(*m));
	if (len < MADT_ENTRIES) {
		warn(info, "APIC: %zu bytes is too short for a MADT; ignored", len);
		return -EBADMSG;
	}
	m->lapic_phys = rd32(t + 36);
	m->flags = rd32(t + 40);
	for (size_t off = MADT_ENTRIES; off < len;) {
		const uint8_t *e = t + off;
		uint8_t elen, need;

		if (len - off < 2) {
			warn(info, "APIC: %zu stray bytes at the end", len - off);
			rc = -EBADMSG;
			break;
		}
		elen = e[1];
		if (elen < 2) {
			/* Length 0 would never advance: stop here. */
			warn(info, "APIC: entry at offset %zu has length %u; the rest is ignored",
			     off, elen);
			rc = -EBADMSG;
			break;
		}
		if (elen > len - off) {
			warn(info, "APIC: entry at offset %zu (type %u, length %u) runs past the "
			     "end; the rest is ignored", off, e[0], elen);
			rc = -EBADMSG;
			break;
		}
		need = madt_entry_min(e[0]);
		if (need && elen < need) {
			warn(info, "APIC: type %u entry at offset %zu has length %u, needs %u; "
			     "skipped", e[0], off, elen, need);
			rc = -EBADMSG;
		} else if (need) {
			madt_entry(info, e);
		}
		off += elen;
	}
	if (m->dropped)
		warn(info, "APIC: %u entries beyond what is kept were ignored", m->dropped);
	m->present = true;
	return rc;
}

/* --- FADT ---------------------------------------------------------------- */

int acpi_parse_fadt(struct acpi_info *info, const uint8_t *t, size_t len)
{
	struct acpi_fadt *f = &info->fadt;
	static const struct { size_t off; size_t field; } xblocks[] = {
		{ 148, offsetof(struct acpi_fadt, pm1a_evt) },
		{ 160, offsetof(struct acpi_fadt, pm1b_evt) },
		{ 172, offsetof(struct acpi_fadt, pm1a_cnt) },
		{ 184, offsetof(struct acpi_fadt, pm1b_cnt) },
		{ 208, offsetof(struct acpi_fadt, pm_tmr) },
	};

	memset(f, 0, sizeof(*f));
	if (len < FADT_V1_LEN) {
		warn(info, "FACP: %zu bytes is too short for a FADT (at least %d); ignored", len,
		     FADT_V1_LEN);
		return -EBADMSG;
	}
	f->revision = t[HDR_REVISION];
	f->length = (uint32_t)len;
	f->facs_phys = rd32(t + 36);
	f->dsdt_phys = rd32(t + 40);
	f->sci_irq = rd16(t + 46);
	f->smi_cmd = rd32(t + 48);
	f->acpi_enable = t[52];
	f->acpi_disable = t[53];
	f->pm1_evt_len = t[88];
	f->pm1_cnt_len = t[89];
	f->pm_tmr_len = t[91];
	f->pm1a_evt = io_block(rd32(t + 56), f->pm1_evt_len);
	f->pm1b_evt = io_block(rd32(t + 60), f->pm1_evt_len);
	f->pm1a_cnt = io_block(rd32(t + 64), f->pm1_cnt_len);
	f->pm1b_cnt = io_block(rd32(t + 68), f->pm1_cnt_len);
	f->pm_tmr = io_block(rd32(t + 76), f->pm_tmr_len);
	f->iapc_boot_arch = rd16(t + 109);
	f->flags = rd32(t + 112);

	/* RESET_REG appeared with revision 2; the flag says it works. */
	if (f->revision >= 2 && len >= FADT_RESET_END && (f->flags & ACPI_FADT_RESET_REG_SUP)) {
		f->reset_reg = read_gas(t + 116);
		f->reset_value = t[128];
		f->reset_supported = f->reset_reg.address != 0;
	}
	/* The 64-bit fields (revision 3, ACPI 2.0 on) win where nonzero. */
	if (f->revision >= 3) {
		if (len >= 140 && rd64(t + 132))
			f->facs_phys = rd64(t + 132);
		if (len >= 148 && rd64(t + 140))
			f->dsdt_phys = rd64(t + 140);
		for (size_t i = 0; i < sizeof(xblocks) / sizeof(xblocks[0]); i++) {
			if (len < xblocks[i].off + 12)
				break;
			struct acpi_gas g = read_gas(t + xblocks[i].off);
			if (g.address)
				*(struct acpi_gas *)((char *)f + xblocks[i].field) = g;
		}
	}
	f->present = true;
	return 0;
}

/* --- HPET and MCFG ------------------------------------------------------- */

int acpi_parse_hpet(struct acpi_info *info, const uint8_t *t, size_t len)
{
	struct acpi_hpet *h = &info->hpet;

	memset(h, 0, sizeof(*h));
	if (len < HPET_LEN) {
		warn(info, "HPET: %zu bytes is too short (at least %d); ignored", len, HPET_LEN);
		return -EBADMSG;
	}
	h->block_id = rd32(t + 36);
	h->base = read_gas(t + 40);
	h->number = t[52];
	h->min_tick = rd16(t + 53);
	h->present = true;
	return 0;
}

int acpi_parse_mcfg(struct acpi_info *info, const uint8_t *t, size_t len)
{
	struct acpi_mcfg *m = &info->mcfg;
	size_t n;

	memset(m, 0, sizeof(*m));
	if (len < MCFG_ENTRIES) {
		warn(info, "MCFG: %zu bytes is too short; ignored", len);
		return -EBADMSG;
	}
	n = (len - MCFG_ENTRIES) / MCFG_ENTRY_LEN;
	if ((len - MCFG_ENTRIES) % MCFG_ENTRY_LEN)
		warn(info, "MCFG: %zu stray bytes after the entries", (len - MCFG_ENTRIES) % MCFG_ENTRY_LEN);
	if (n > ACPI_MAX_MCFG) {
		warn(info, "MCFG: %zu entries; only the first %d are kept", n, ACPI_MAX_MCFG);
		n = ACPI_MAX_MCFG;
	}
	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = t + MCFG_ENTRIES + i * MCFG_ENTRY_LEN;
		m->entries[i] = (struct acpi_mcfg_entry){
			.base = rd64(e), .segment = rd16(e + 8), .bus_start = e[10], .bus_end = e[11],
		};
	}
	m->count = (unsigned)n;
	m->present = true;
	return 0;
}

/* --- \_S5 in AML --------------------------------------------------------- */

/* One package element that must be an integer constant: its value and the
 * bytes it took, or 0 when it is anything else. */
static size_t aml_integer(const uint8_t *p, size_t n, uint64_t *v)
{
	if (n < 1)
		return 0;
	switch (p[0]) {
	case AML_ZERO: *v = 0; return 1;
	case AML_ONE: *v = 1; return 1;
	case AML_ONES: *v = UINT64_MAX; return 1;
	case AML_BYTE: if (n < 2) return 0; *v = p[1]; return 2;
	case AML_WORD: if (n < 3) return 0; *v = rd16(p + 1); return 3;
	case AML_DWORD: if (n < 5) return 0; *v = rd32(p + 1); return 5;
	case AML_QWORD: if (n < 9) return 0; *v = rd64(p + 1); return 9;
	default: return 0;
	}
}

/* p points just past the name "_S5_": PackageOp PkgLength NumElements
 * elements... (ACPI 6.5 20.2.4, 20.2.5.4). */
static int aml_s5_package(const uint8_t *p, size_t n, uint8_t *typa, uint8_t *typb)
{
	size_t len_bytes, pkg_len, pos;
	uint64_t a, b = 0;
	size_t used;
	uint8_t count;

	if (n < 3 || p[0] != AML_PACKAGE)
		return -EBADMSG;
	len_bytes = (size_t)(p[1] >> 6);		/* bytes following the lead byte */
	if (len_bytes == 0) {
		pkg_len = p[1] & 0x3f;
	} else {
		if (p[1] & 0x30 || n < 2 + len_bytes)	/* bits 4-5 must be 0 then */
			return -EBADMSG;
		pkg_len = p[1] & 0x0f;
		for (size_t i = 0; i < len_bytes; i++)
			pkg_len |= (size_t)p[2 + i] << (4 + 8 * i);
	}
	/* PkgLength counts itself and everything after it in the package. */
	if (pkg_len < len_bytes + 2 || pkg_len > n - 1)
		return -EBADMSG;
	n = 1 + pkg_len;				/* the package's end */
	pos = 2 + len_bytes;
	count = p[pos++];
	if (count == 0)
		return -EBADMSG;
	used = aml_integer(p + pos, n - pos, &a);
	if (!used)
		return -EBADMSG;
	pos += used;
	if (count >= 2) {
		if (!aml_integer(p + pos, n - pos, &b))
			return -EBADMSG;
	} else {
		/* One integer: SLP_TYPa in bits 0-7, SLP_TYPb in 8-15 (as ACPICA). */
		b = (a >> 8) & 0xff;
		a &= 0xff;
	}
	if (a > 7 || b > 7)				/* SLP_TYP is a 3-bit field */
		return -EBADMSG;
	*typa = (uint8_t)a;
	*typb = (uint8_t)b;
	return 0;
}

int acpi_aml_find_s5(const uint8_t *aml, size_t len, uint8_t *typa, uint8_t *typb)
{
	int result = -ENOENT;

	for (size_t i = 0; len >= 4 && i <= len - 4; i++) {
		size_t j = i;

		if (aml[i] != '_' || memcmp(aml + i, "_S5_", 4) != 0)
			continue;
		/* A definition: NameOp, then the name with optional root or
		 * parent prefixes. Anything else is a reference to it. */
		while (j > 0 && (aml[j - 1] == '\\' || aml[j - 1] == '^'))
			j--;
		if (j == 0 || aml[j - 1] != AML_NAME)
			continue;
		if (aml_s5_package(aml + i + 4, len - i - 4, typa, typb) == 0)
			return 0;
		result = -EBADMSG;	/* keep looking: it may be a false match */
	}
	return result;
}

/* --- tables through the root --------------------------------------------- */

struct parse {
	struct acpi_info *info;
	acpi_map_fn map;
	void *ctx;
	unsigned faults;
};

static bool faulted(const struct parse *ps, const char *sig)
{
	return ((ps->faults & ACPI_FAULT_MADT) && sig_is(sig, "APIC")) ||
	       ((ps->faults & ACPI_FAULT_FADT) && sig_is(sig, "FACP")) ||
	       ((ps->faults & ACPI_FAULT_DSDT) && sig_is(sig, "DSDT"));
}

/* Reads the table at phys into ref and returns its bytes when it is whole
 * and its checksum is right; warns and returns NULL otherwise. `expect` is
 * the signature it must have, or NULL. */
static const uint8_t *load_table(struct parse *ps, uint64_t phys, const char *expect,
				 struct acpi_table_ref *ref)
{
	struct acpi_info *info = ps->info;
	const uint8_t *h, *t;

	memset(ref, 0, sizeof(*ref));
	memcpy(ref->sig, expect ? expect : "????", 5);
	ref->phys = phys;
	h = ps->map(ps->ctx, phys, ACPI_HEADER_LEN);
	if (!h) {
		warn(info, "%s at %#lx cannot be read; ignored", ref->sig, (unsigned long)phys);
		return NULL;
	}
	copy_sig(ref->sig, h);
	ref->length = rd32(h + HDR_LENGTH);
	ref->revision = h[HDR_REVISION];
	if (expect && !sig_is(ref->sig, expect)) {
		warn(info, "%s at %#lx has the signature \"%s\"; ignored", expect,
		     (unsigned long)phys, ref->sig);
		return NULL;
	}
	if (ref->length < ACPI_HEADER_LEN) {
		warn(info, "%s at %#lx: length %u is shorter than its header; ignored", ref->sig,
		     (unsigned long)phys, ref->length);
		return NULL;
	}
	t = ps->map(ps->ctx, phys, ref->length);
	if (!t) {
		warn(info, "%s at %#lx: length %u reaches past readable memory; ignored",
		     ref->sig, (unsigned long)phys, ref->length);
		return NULL;
	}
	if (faulted(ps, ref->sig)) {
		warn(info, "%s at %#lx: bad checksum (injected by acpi=corrupt-%s); ignored",
		     ref->sig, (unsigned long)phys, sig_is(ref->sig, "APIC") ? "madt" :
		     sig_is(ref->sig, "FACP") ? "fadt" : "dsdt");
		return NULL;
	}
	if (acpi_checksum(t, ref->length) != 0) {
		warn(info, "%s at %#lx: bad checksum; ignored", ref->sig, (unsigned long)phys);
		return NULL;
	}
	ref->valid = true;
	return t;
}

/* Reads the RSDT (entry 4) or XSDT (entry 8) into info->tables. */
static bool load_root(struct parse *ps, uint64_t phys, const char *sig, size_t entry)
{
	struct acpi_info *info = ps->info;
	struct acpi_table_ref root;
	const uint8_t *t = load_table(ps, phys, sig, &root);
	size_t n;

	if (!t)
		return false;
	n = (root.length - ACPI_HEADER_LEN) / entry;
	if ((root.length - ACPI_HEADER_LEN) % entry)
		warn(info, "%s: %u stray bytes after the entries", sig,
		     (unsigned)((root.length - ACPI_HEADER_LEN) % entry));
	if (n > ACPI_MAX_TABLES) {
		warn(info, "%s lists %zu tables; only the first %d are read", sig, n,
		     ACPI_MAX_TABLES);
		n = ACPI_MAX_TABLES;
	}
	info->table_count = 0;
	for (size_t i = 0; i < n; i++) {
		const uint8_t *e = t + ACPI_HEADER_LEN + i * entry;
		uint64_t addr = entry == 8 ? rd64(e) : rd32(e);

		if (!addr) {
			warn(info, "%s entry %zu is a null address; skipped", sig, i);
			continue;
		}
		load_table(ps, addr, NULL, &info->tables[info->table_count++]);
	}
	return true;
}

/* Maps a table recorded as valid again (its bytes are still there). */
static const uint8_t *table_bytes(struct parse *ps, const struct acpi_table_ref *ref)
{
	return ref->valid ? ps->map(ps->ctx, ref->phys, ref->length) : NULL;
}

const struct acpi_table_ref *acpi_find_table(const struct acpi_info *info, const char *sig)
{
	for (unsigned i = 0; i < info->table_count; i++)
		if (info->tables[i].valid && sig_is(info->tables[i].sig, sig))
			return &info->tables[i];
	return NULL;
}

static void find_s5(struct parse *ps)
{
	struct acpi_info *info = ps->info;
	int rc = -ENOENT;

	/* The DSDT first, then any SSDT. */
	for (int pass = 0; pass < 2 && rc != 0; pass++) {
		for (unsigned i = 0; i < info->table_count && rc != 0; i++) {
			const struct acpi_table_ref *ref = &info->tables[i];
			if (!sig_is(ref->sig, pass == 0 ? "DSDT" : "SSDT"))
				continue;
			const uint8_t *t = table_bytes(ps, ref);
			if (!t)
				continue;
			int r = acpi_aml_find_s5(t + ACPI_HEADER_LEN, ref->length - ACPI_HEADER_LEN,
						 &info->s5.slp_typa, &info->s5.slp_typb);
			if (r == -EBADMSG)
				warn(info, "%s: \\_S5 is malformed", ref->sig);
			if (r == 0 || rc == -ENOENT)
				rc = r;
		}
	}
	info->s5.found = rc == 0;
	if (!info->s5.found)
		info->s5.slp_typa = info->s5.slp_typb = 0;
}

int acpi_parse(struct acpi_info *info, const void *rsdp_bytes, size_t rsdp_len,
	       acpi_map_fn map, void *ctx, unsigned faults)
{
	struct parse ps = { .info = info, .map = map, .ctx = ctx, .faults = faults };
	const uint8_t *r = rsdp_bytes;
	bool have_root = false;

	memset(info, 0, sizeof(*info));
	if (!r || rsdp_len < RSDP_V1_LEN) {
		warn(info, "RSDP: %zu bytes is too short", r ? rsdp_len : 0);
		return -EBADMSG;
	}
	if (memcmp(r, "RSD PTR ", 8) != 0) {
		warn(info, "RSDP: bad signature");
		return -EBADMSG;
	}
	if (acpi_checksum(r, RSDP_V1_LEN) != 0) {
		warn(info, "RSDP: bad checksum");
		return -EBADMSG;
	}
	for (int i = 0; i < 6; i++)
		info->oem_id[i] = r[9 + i] >= 0x20 && r[9 + i] < 0x7f ? (char)r[9 + i] : '?';
	info->rsdp_revision = r[15];
	info->rsdt_phys = rd32(r + 16);
	if (r[15] >= 2) {
		uint32_t len = rsdp_len >= RSDP_V2_LEN ? rd32(r + 20) : 0;

		if (rsdp_len < RSDP_V2_LEN)
			warn(info, "RSDP: revision %u in only %zu bytes; using the RSDT", r[15],
			     rsdp_len);
		else if (len < RSDP_V2_LEN || len > rsdp_len)
			warn(info, "RSDP: length %u is wrong; using the RSDT", len);
		else if (acpi_checksum(r, len) != 0)
			warn(info, "RSDP: bad extended checksum; using the RSDT");
		else
			info->xsdt_phys = rd64(r + 24);
	}

	if (info->xsdt_phys) {
		have_root = info->using_xsdt = load_root(&ps, info->xsdt_phys, "XSDT", 8);
		if (!have_root && info->rsdt_phys)
			warn(info, "XSDT unusable; falling back to the RSDT");
	}
	if (!have_root && info->rsdt_phys)
		have_root = load_root(&ps, info->rsdt_phys, "RSDT", 4);
	if (!have_root) {
		warn(info, "no usable RSDT or XSDT");
		return -ENOENT;
	}

	for (unsigned i = 0; i < info->table_count; i++) {
		const struct acpi_table_ref *ref = &info->tables[i];
		const uint8_t *t;
		bool *present = NULL;
		int (*parse)(struct acpi_info *, const uint8_t *, size_t) = NULL;

		if (sig_is(ref->sig, "APIC")) {
			present = &info->madt.present;
			parse = acpi_parse_madt;
		} else if (sig_is(ref->sig, "FACP")) {
			present = &info->fadt.present;
			parse = acpi_parse_fadt;
		} else if (sig_is(ref->sig, "HPET")) {
			present = &info->hpet.present;
			parse = acpi_parse_hpet;
		} else if (sig_is(ref->sig, "MCFG")) {
			present = &info->mcfg.present;
			parse = acpi_parse_mcfg;
		}
		if (!parse || !(t = table_bytes(&ps, ref)))
			continue;
		if (*present) {
			warn(info, "a second %s at %#lx; ignored", ref->sig, (unsigned long)ref->phys);
			continue;
		}
		parse(info, t, ref->length);
	}

	if (info->fadt.present) {
		if (!info->fadt.dsdt_phys)
			warn(info, "FACP names no DSDT");
		else
			load_table(&ps, info->fadt.dsdt_phys, "DSDT",
				   &info->tables[info->table_count++]);
	}
	find_s5(&ps);
	return 0;
}
