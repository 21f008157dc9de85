/* The UBSan runtime: the __ubsan_handle_* entry points gcc calls under
 * -fsanitize=undefined -fsanitize-recover=undefined, with the data layouts
 * gcc passes (those of libsanitizer's ubsan_handlers.h and ubsan_value.h).
 * Built into the sanitized kernel only: a report is a line "UBSAN: KIND at
 * FILE:LINE:COLUMN", the operands, and a backtrace; the kernel goes on, and
 * the test run fails (core/ksan.h). Each place reports once. */
#if KSAN
#include "core/ksan.h"

#include <stddef.h>
#include <stdint.h>

#include "core/log.h"
#include "core/panic.h"

struct source_location {
	const char *file;
	uint32_t line;
	uint32_t column;	/* REPORTED set once this place has reported */
};
#define REPORTED 0x80000000u

enum { TYPE_INTEGER = 0, TYPE_FLOAT = 1 };

struct type_descriptor {
	uint16_t kind;		/* TYPE_INTEGER, ... */
	uint16_t info;		/* integers: bit 0 signed, bits 1.. log2(width) */
	char name[];		/* quoted, as "'int'" */
};

struct type_mismatch_data {
	struct source_location loc;
	const struct type_descriptor *type;
	unsigned char log_alignment;
	unsigned char check_kind;	/* index into check_kinds */
};

struct overflow_data {
	struct source_location loc;
	const struct type_descriptor *type;
};

struct shift_data {
	struct source_location loc;
	const struct type_descriptor *lhs_type, *rhs_type;
};

struct out_of_bounds_data {
	struct source_location loc;
	const struct type_descriptor *array_type, *index_type;
};

struct location_data {
	struct source_location loc;
};

struct invalid_builtin_data {
	struct source_location loc;
	unsigned char kind;	/* 0 ctz, 1 clz */
};

struct nonnull_arg_data {
	struct source_location loc, attr_loc;
	int arg_index;
};

/* A value the compiler passes: the value itself when the type fits in a
 * pointer, else a pointer to it. */
typedef uintptr_t value_handle;

static const char *const check_kinds[] = {
	"load of", "store to", "reference binding to", "member access within",
	"member call on", "constructor call on", "downcast of", "downcast of",
	"upcast of", "cast to virtual base of", "_Nonnull binding to",
	"dynamic operation on",
};

/* Claims the report for this place: false if it has reported before or
 * while another report is being printed. */
__attribute__((no_sanitize_undefined))
static bool report_begin(struct source_location *loc, const char *kind)
{
	if (__atomic_fetch_or(&loc->column, REPORTED, __ATOMIC_RELAXED) & REPORTED)
		return false;
	if (!ksan_report_begin("UBSAN:"))
		return false;
	kprintf("%s at %s:%u:%u\n", kind, loc->file, loc->line, loc->column & ~REPORTED);
	return true;
}

__attribute__((no_sanitize_undefined))
static void report_end(void)
{
	ksan_report_end();
}

__attribute__((no_sanitize_undefined))
static bool is_signed(const struct type_descriptor *t)
{
	return t->kind == TYPE_INTEGER && (t->info & 1);
}

__attribute__((no_sanitize_undefined))
static unsigned bit_width(const struct type_descriptor *t)
{
	return t->kind == TYPE_INTEGER ? 1u << (t->info >> 1) : 0;
}

/* Prints "  NAME: VALUE (TYPE)" for one operand. */
__attribute__((no_sanitize_undefined))
static void print_value(const char *name, const struct type_descriptor *t, value_handle v)
{
	unsigned width = bit_width(t);

	if (t->kind != TYPE_INTEGER || width > 64) {
		kprintf("    %s: %s (not shown)\n", name, t->name);
		return;
	}
	if (is_signed(t)) {
		/* Sign-extend from the type's width. */
		int64_t s = (int64_t)((uint64_t)v << (64 - width)) >> (64 - width);
		kprintf("    %s: %ld (%s)\n", name, (long)s, t->name);
	} else {
		uint64_t u = width == 64 ? (uint64_t)v : (uint64_t)v & ((1ull << width) - 1);
		kprintf("    %s: %lu (%s)\n", name, (unsigned long)u, t->name);
	}
}

__attribute__((no_sanitize_undefined))
static void handle_overflow(struct overflow_data *d, const char *op,
			    value_handle lhs, value_handle rhs)
{
	if (!report_begin(&d->loc, is_signed(d->type) ? "signed integer overflow"
						      : "unsigned integer overflow"))
		return;
	kprintf("    operation: %s\n", op);
	print_value("lhs", d->type, lhs);
	print_value("rhs", d->type, rhs);
	report_end();
}

__attribute__((no_sanitize_undefined))
void __ubsan_handle_add_overflow(struct overflow_data *d, value_handle lhs, value_handle rhs)
{
	handle_overflow(d, "+", lhs, rhs);
}

__attribute__((no_sanitize_undefined))
void __ubsan_handle_sub_overflow(struct overflow_data *d, value_handle lhs, value_handle rhs)
{
	handle_overflow(d, "-", lhs, rhs);
}

__attribute__((no_sanitize_undefined))
void __ubsan_handle_mul_overflow(struct overflow_data *d, value_handle lhs, value_handle rhs)
{
	handle_overflow(d, "*", lhs, rhs);
}

__attribute__((no_sanitize_undefined))
void __ubsan_handle_negate_overflow(struct overflow_data *d, value_handle old)
{
	if (!report_begin(&d->loc, "negation overflow"))
		return;
	print_value("operand", d->type, old);
	report_end();
}

__attribute__((no_sanitize_undefined))
void __ubsan_handle_divrem_overflow(struct overflow_data *d, value_handle lhs, value_handle rhs)
{
	if (!report_begin(&d->loc, rhs == 0 ? "division by zero" : "division overflow"))
		return;
	print_value("lhs", d->type, lhs);
	print_value("rhs", d->type, rhs);
	report_end();
}

__attribute__((no_sanitize_undefined))
void __ubsan_handle_shift_out_of_bounds(struct shift_data *d, value_handle lhs, value_handle rhs)
{
	if (!report_begin(&d->loc, "shift out of bounds"))
		return;
	print_value("lhs", d->lhs_type, lhs);
	print_value("shift", d->rhs_type, rhs);
	report_end();
}

__attribute__((no_sanitize_undefined))
void __ubsan_handle_out_of_bounds(struct out_of_bounds_data *d, value_handle index)
{
	if (!report_begin(&d->loc, "index out of bounds"))
		return;
	kprintf("    array: %s\n", d->array_type->name);
	print_value("index", d->index_type, index);
	report_end();
}

__attribute__((no_sanitize_undefined))
void __ubsan_handle_type_mismatch_v1(struct type_mismatch_data *d, value_handle ptr)
{
	uintptr_t alignment = (uintptr_t)1 << d->log_alignment;
	const char *what = d->check_kind < sizeof(check_kinds) / sizeof(check_kinds[0])
			   ? check_kinds[d->check_kind] : "access to";
	const char *kind = !ptr ? "null pointer use"
			   : (ptr & (alignment - 1)) ? "misaligned access"
			   : "access past the end of an object";

	if (!report_begin(&d->loc, kind))
		return;
	kprintf("    %s address %p with type %s (alignment %lu)\n", what, (void *)ptr,
		d->type->name, (unsigned long)alignment);
	report_end();
}

__attribute__((no_sanitize_undefined))
void __ubsan_handle_pointer_overflow(struct location_data *d, value_handle base,
				     value_handle result)
{
	if (!report_begin(&d->loc, "pointer overflow"))
		return;
	kprintf("    base %p, result %p\n", (void *)base, (void *)result);
	report_end();
}

__attribute__((no_sanitize_undefined))
void __ubsan_handle_load_invalid_value(struct overflow_data *d, value_handle value)
{
	if (!report_begin(&d->loc, "load of an invalid value"))
		return;
	print_value("value", d->type, value);
	report_end();
}

__attribute__((no_sanitize_undefined))
void __ubsan_handle_invalid_builtin(struct invalid_builtin_data *d)
{
	if (!report_begin(&d->loc, d->kind ? "__builtin_clz of zero" : "__builtin_ctz of zero"))
		return;
	report_end();
}

__attribute__((no_sanitize_undefined))
void __ubsan_handle_vla_bound_not_positive(struct overflow_data *d, value_handle bound)
{
	if (!report_begin(&d->loc, "variable-length array bound not positive"))
		return;
	print_value("bound", d->type, bound);
	report_end();
}

__attribute__((no_sanitize_undefined, noreturn))
void __ubsan_handle_builtin_unreachable(struct location_data *d)
{
	report_begin(&d->loc, "__builtin_unreachable reached");
	panic("UBSAN: execution reached __builtin_unreachable");	/* gcc assumes no return */
}

__attribute__((no_sanitize_undefined))
void __ubsan_handle_nonnull_arg(struct nonnull_arg_data *d)
{
	if (!report_begin(&d->loc, "null passed as a nonnull argument"))
		return;
	kprintf("    argument %d, declared nonnull at %s:%u\n", d->arg_index,
		d->attr_loc.file, d->attr_loc.line);
	report_end();
}

__attribute__((no_sanitize_undefined))
void __ubsan_handle_nonnull_return_v1(struct location_data *d, struct source_location *loc)
{
	if (!report_begin(loc, "null returned from a returns_nonnull function"))
		return;
	kprintf("    declared at %s:%u\n", d->loc.file, d->loc.line);
	report_end();
}
#endif
