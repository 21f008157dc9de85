# Panda OS build. `make` builds the kernel, the initrd and the ISO inputs;
# `make run` boots it; `make test` runs every test. See README.md.

VERSION := $(shell cat VERSION)
# POSIX=0 builds the Linux personality out (docs/posix.md); posix=off on
# the command line refuses it at boot instead.
POSIX ?= 1
BUILD   := build
PYTHON  ?= /usr/bin/python3

# `make V=1` shows whole commands.
V ?= 0
ifeq ($(V),0)
Q = @
say = printf '  %-7s %s\n' $(1) $(2);
endif

CC      := gcc
LD      := ld
NM      := nm
# What installs and finds the host's packages (tests replace them with fakes).
INSTALL_DEPS ?= tools/install-deps
PKG_CONFIG   ?= pkg-config

# Kernel: freestanding, higher half (-mcmodel=kernel), no red zone (interrupts
# push onto the same stack), no SSE/MMX state touched outside context switches.
KERNEL_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fno-asynchronous-unwind-tables -fcf-protection=none \
	-mno-red-zone -mcmodel=kernel -mgeneral-regs-only -mno-mmx -mno-sse -mno-sse2 \
	-fno-omit-frame-pointer -fno-tree-loop-distribute-patterns \
	--param=min-pagesize=0 -MMD -MP -I. -Ikernel \
	-DPANDA_VERSION='"$(VERSION)"' -DPANDA_IN_KERNEL -DPANDA_POSIX=$(POSIX)
KERNEL_LDFLAGS := -nostdlib -static -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments -T kernel/arch/x86_64/linker.ld

# Host unit tests: the same lib/ sources, with sanitizers.
HOST_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror \
	-fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -MMD -MP -I.

KERNEL_SRCS := $(shell find kernel -name '*.c' -o -name '*.S' | sort)
ifeq ($(POSIX),0)
KERNEL_SRCS := $(filter-out kernel/posix/%,$(KERNEL_SRCS))
endif
LIB_SRCS    := $(shell find lib -name '*.c' | sort)
KERNEL_OBJS := $(patsubst %,$(BUILD)/%.o,$(KERNEL_SRCS)) \
	$(patsubst lib/%,$(BUILD)/kernel-lib/%.o,$(LIB_SRCS))
# The screen font (kernel/dev/screen.c), drawn in tools/font/panda-8x16.txt,
# becomes C in build/ (rule below, after the kernel's compile rules).
KERNEL_OBJS += $(BUILD)/gen/screen-font.c.o

UNIT_SRCS  := $(wildcard tests/unit/test_*.c)
UNIT_BINS  := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
HOST_LIB_OBJS := $(patsubst lib/%,$(BUILD)/host-lib/%.o,$(LIB_SRCS))

INITRD_FILES := $(shell find initrd -type f 2>/dev/null | sort)

.SECONDARY:
.PHONY: all kernel initrd iso run test unit-tests fuzz check-deps debug bench clean cppcheck analyze
.PHONY: sparse soak layers
all: kernel initrd posix

kernel: $(BUILD)/panda.elf
initrd: $(BUILD)/initrd.tar
iso: $(BUILD)/panda.iso

$(BUILD)/%.c.o: %.c
	@mkdir -p $(@D)
	$(Q)$(call say,CC,$<)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/%.S.o: %.S
	@mkdir -p $(@D)
	$(Q)$(call say,AS,$<)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/kernel-lib/%.c.o: lib/%.c
	@mkdir -p $(@D)
	$(Q)$(call say,CC,$<)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

# The screen font: tools/gen-font turns the drawing into a C array.
$(BUILD)/gen/screen-font.c: tools/font/panda-8x16.txt tools/gen-font
	@mkdir -p $(@D)
	$(Q)$(call say,GEN,$@)tools/gen-font $< > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/screen-font.c.o: $(BUILD)/gen/screen-font.c
	$(Q)$(call say,CC,$<)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

# The kernel embeds its own symbol table for backtraces. Pass 1 links with an
# empty table; its text symbols become the table linked into pass 2. The table
# sits after .data, so text addresses cannot move between the passes
# (tools/check-kernel verifies that, and the Multiboot 1 load layout).
$(BUILD)/ksyms-empty.S: tools/gen-ksyms
	@mkdir -p $(@D)
	$(Q)tools/gen-ksyms < /dev/null > $@

$(BUILD)/ksyms-%.o: $(BUILD)/ksyms-%.S
	$(Q)$(call say,AS,$<)$(CC) $(KERNEL_CFLAGS) -c $< -o $@

$(BUILD)/panda.pass1.elf: $(KERNEL_OBJS) $(BUILD)/ksyms-empty.o kernel/arch/x86_64/linker.ld
	$(Q)$(call say,LD,$@)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/ksyms-empty.o

$(BUILD)/ksyms-full.S: $(BUILD)/panda.pass1.elf tools/gen-ksyms
	$(Q)$(call say,KSYMS,$@)$(NM) -n --defined-only $< | tools/gen-ksyms > $@

$(BUILD)/panda.elf: $(BUILD)/panda.pass1.elf $(BUILD)/ksyms-full.o tools/check-kernel
	$(Q)$(call say,LD,$@)$(LD) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS) $(BUILD)/ksyms-full.o
	$(Q)tools/check-kernel $(BUILD)/panda.pass1.elf $@

# --- kernel build variants -------------------------------------------------
# kernel_variant(DIR, EXTRA_CFLAGS) builds DIR/panda.elf from the same
# sources as the kernel above, each compiled with KERNEL_CFLAGS plus the
# extra flags, linked in the same two passes and checked the same way.
# The normal kernel (build/panda.elf) does not change.
define kernel_variant
$(1)_OBJS := $$(patsubst %,$(1)/%.o,$$(KERNEL_SRCS)) \
	$$(patsubst lib/%,$(1)/kernel-lib/%.o,$$(LIB_SRCS)) $(1)/gen/screen-font.c.o

$(1)/%.c.o: %.c
	@mkdir -p $$(@D)
	$$(Q)$$(call say,CC,$$<)$$(CC) $$(KERNEL_CFLAGS) $(2) -c $$< -o $$@

$(1)/%.S.o: %.S
	@mkdir -p $$(@D)
	$$(Q)$$(call say,AS,$$<)$$(CC) $$(KERNEL_CFLAGS) -c $$< -o $$@

$(1)/kernel-lib/%.c.o: lib/%.c
	@mkdir -p $$(@D)
	$$(Q)$$(call say,CC,$$<)$$(CC) $$(KERNEL_CFLAGS) $(2) -c $$< -o $$@

$(1)/gen/screen-font.c.o: $(BUILD)/gen/screen-font.c
	@mkdir -p $$(@D)
	$$(Q)$$(call say,CC,$$<)$$(CC) $$(KERNEL_CFLAGS) -c $$< -o $$@

$(1)/panda.pass1.elf: $$($(1)_OBJS) $(BUILD)/ksyms-empty.o kernel/arch/x86_64/linker.ld
	$$(Q)$$(call say,LD,$$@)$$(LD) $$(KERNEL_LDFLAGS) -o $$@ $$($(1)_OBJS) $(BUILD)/ksyms-empty.o

$(1)/ksyms-full.S: $(1)/panda.pass1.elf tools/gen-ksyms
	$$(Q)$$(call say,KSYMS,$$@)$$(NM) -n --defined-only $$< | tools/gen-ksyms > $$@

$(1)/ksyms-full.o: $(1)/ksyms-full.S
	$$(Q)$$(call say,AS,$$<)$$(CC) $$(KERNEL_CFLAGS) -c $$< -o $$@

$(1)/panda.elf: $(1)/panda.pass1.elf $(1)/ksyms-full.o tools/check-kernel
	$$(Q)$$(call say,LD,$$@)$$(LD) $$(KERNEL_LDFLAGS) -o $$@ $$($(1)_OBJS) $(1)/ksyms-full.o
	$$(Q)tools/check-kernel $(1)/panda.pass1.elf $$@
endef

# The sanitized kernel (`make ksan`, docs/testing.md): UBSan checks with an
# in-kernel runtime (kernel/core/ubsan.c) that reports and continues, and
# KSAN=1, which gives every heap object a checked redzone (mm/redzone.c).
# The system tests boot it when PANDA_KERNEL names it.
KSAN_BUILD := $(BUILD)/san
KSAN_CFLAGS := -DKSAN=1 -fsanitize=undefined -fsanitize-recover=undefined \
	-fno-sanitize=vptr
$(eval $(call kernel_variant,$(KSAN_BUILD),$(KSAN_CFLAGS)))

.PHONY: ksan
ksan: $(KSAN_BUILD)/panda.elf

# The initrd is a ustar archive of the staging folder, made reproducibly; its
# programs lose their debug information (the root filesystem holds a copy).
$(BUILD)/initrd.tar: $(INITRD_FILES) VERSION
	$(Q)$(call say,TAR,$@)rm -rf $(BUILD)/initrd-root && mkdir -p $(BUILD)/initrd-root
	$(Q)cp -R initrd/. $(BUILD)/initrd-root/
	$(Q)mkdir -p $(BUILD)/initrd-root/bin && cp $(USER_BIN_PROGRAMS) $(BUILD)/initrd-root/bin/
	$(Q)mkdir -p $(BUILD)/initrd-root/test && cp $(USER_TEST_PROGRAMS) $(LINUX_TEST_PROGRAMS) \
		$(BUILD)/initrd-root/test/
	$(Q)mkdir -p $(BUILD)/initrd-root/posix/bin && cp $(BUSYBOX) $(BUILD)/initrd-root/posix/bin/
	$(Q)strip --strip-debug $(BUILD)/initrd-root/bin/* $(BUILD)/initrd-root/test/*	# gdb reads build/user
	$(Q)echo "Panda OS $(VERSION)" > $(BUILD)/initrd-root/etc/panda-release
	$(Q)tar --format=ustar --sort=name --owner=0 --group=0 --numeric-owner \
		--mtime=@0 -cf $@ -C $(BUILD)/initrd-root .

$(BUILD)/panda.iso: $(BUILD)/panda.elf $(BUILD)/initrd.tar tools/mkiso | check-deps
	$(Q)$(call say,ISO,$@)tools/mkiso $@ $(BUILD)/panda.elf $(BUILD)/initrd.tar ""

# --- host unit tests -------------------------------------------------------
# lib/ defines memcpy, strlen, ...; on the host they are renamed lib_memcpy,
# lib_strlen, ... so the tests can call both them and the C library.
$(BUILD)/host-lib/%.c.o: lib/%.c tests/unit/host_names.h tests/unit/bson_names.h
	@mkdir -p $(@D)
	$(Q)$(call say,HOSTCC,$<)$(CC) $(HOST_CFLAGS) -include tests/unit/host_names.h -c $< -o $@

# Pure kernel code (policies and allocators with no hardware in them) that a
# unit test needs besides lib/: UNIT_SRCS_<test> lists it.
UNIT_SRCS_test_buddy := kernel/mm/buddy.c
UNIT_SRCS_test_slab := kernel/mm/slab.c
UNIT_SRCS_test_eevdf := kernel/sched/eevdf.c
UNIT_SRCS_test_acpi := kernel/dev/acpi_tables.c
UNIT_SRCS_test_keymap := kernel/dev/keymap.c
UNIT_SRCS_test_tmpfs := kernel/fs/tmpfs.c kernel/fs/tmpfs_file.c
UNIT_SRCS_test_malloc := user/lib/malloc.c
UNIT_SRCS_test_shparse := user/bin/sh/parse.c
UNIT_SRCS_test_glob := user/bin/sh/glob.c
UNIT_SRCS_test_complete := user/bin/sh/complete.c user/bin/sh/parse.c
UNIT_SRCS_test_record := user/lib/record.c
UNIT_SRCS_test_render := user/lib/render.c
UNIT_SRCS_test_request := kernel/object/request.c

# Extra compiler and linker flags of one unit test: UNIT_FLAGS_<test>.
# Flags from installed packages are asked for when the recipe runs, after
# check-deps has installed them, never when this file is read: on a fresh
# machine that is before anything is installed (tests/unit/test_first_run.py).
UNIT_FLAGS_test_bson_libbson = $$($(PKG_CONFIG) --cflags --libs libbson-1.0)
UNIT_FLAGS_test_malloc := -DMALLOC_HOST
UNIT_FLAGS_test_slab := -DKSAN=1	# the sanitized kernel's kept tail too

# ELF samples for test_elf: what Debian's toolchains make of small programs
# (tests/data/elf), built here rather than checked in. Static musl and glibc
# executables must be accepted (the glibc one and tls-musl have PT_TLS); a
# dynamic one (PT_INTERP) and a static PIE (ET_DYN) must not. The test also
# reads build/user/bin/ls (native) and /bin/busybox (busybox-static).
ELF_SAMPLES_DIR := $(BUILD)/tests/elf
ELF_SAMPLES := $(addprefix $(ELF_SAMPLES_DIR)/,hello-musl tls-musl hello-glibc \
	hello-dynamic hello-static-pie)
UNIT_FLAGS_test_elf = -DELF_SAMPLES='"$(abspath $(ELF_SAMPLES_DIR))"' \
	-DELF_NATIVE_SAMPLE='"$(abspath $(BUILD)/user/bin/ls)"'
$(BUILD)/tests/unit/test_elf: $(ELF_SAMPLES) $(BUILD)/user/bin/ls

$(ELF_SAMPLES_DIR)/%-musl: tests/data/elf/%.c | check-deps
	@mkdir -p $(@D)
	$(Q)$(call say,MUSLCC,$@)musl-gcc -static -O2 -o $@ $<

$(ELF_SAMPLES_DIR)/%-glibc: tests/data/elf/%.c | check-deps
	@mkdir -p $(@D)
	$(Q)$(call say,HOSTCC,$@)$(CC) -static -O2 -o $@ $<

$(ELF_SAMPLES_DIR)/hello-dynamic: tests/data/elf/hello.c | check-deps
	@mkdir -p $(@D)
	$(Q)$(call say,HOSTCC,$@)$(CC) -no-pie -O2 -o $@ $<

$(ELF_SAMPLES_DIR)/hello-static-pie: tests/data/elf/hello.c | check-deps
	@mkdir -p $(@D)
	$(Q)$(call say,HOSTCC,$@)$(CC) -static-pie -fpie -O2 -o $@ $<

# Tests see lib/bson.h's functions under their host names (bson_names.h).
.SECONDEXPANSION:
$(BUILD)/tests/unit/%: tests/unit/%.c tests/unit/unit.h tests/unit/bson_names.h \
		$(HOST_LIB_OBJS) $$(UNIT_SRCS_$$*) | check-deps
	@mkdir -p $(@D)
	$(Q)$(call say,HOSTCC,$<)$(CC) $(HOST_CFLAGS) -Ikernel -include tests/unit/bson_names.h \
		-o $@ $< $(UNIT_SRCS_$*) $(HOST_LIB_OBJS) $(UNIT_FLAGS_$*)

# The BSON corpus (MongoDB's bson-corpus tests, copied unchanged from the
# project's shared test data into tests/data so any checkout is complete);
# tests/unit/test_bson_corpus.py drives this runner over it.
BSON_CORPUS := $(abspath tests/data/bson-corpus)
BSON_CORPUS_RUN := $(BUILD)/tests/bson/corpus-run

$(BSON_CORPUS_RUN): tests/unit/bson_corpus_run.c tests/unit/bson_rebuild.h \
		tests/unit/bson_names.h $(HOST_LIB_OBJS)
	@mkdir -p $(@D)
	$(Q)$(call say,HOSTCC,$<)$(CC) $(HOST_CFLAGS) -include tests/unit/bson_names.h \
		-o $@ $< $(HOST_LIB_OBJS)

unit-tests: $(UNIT_BINS) $(BSON_CORPUS_RUN)

# --- fuzzing ---------------------------------------------------------------
# libFuzzer targets (clang), one per parser: tests/fuzz/fuzz_NAME.c, linked
# with all of lib/ and FUZZ_SRCS_NAME; bson's is seeded with the corpus's
# documents. tools/run-tests runs each for a fixed time.
FUZZ_CC := clang
FUZZ_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all -MMD -MP -I.
FUZZ_LIB_OBJS := $(patsubst lib/%,$(BUILD)/fuzz-lib/%.o,$(LIB_SRCS))
FUZZ_BINS := $(patsubst tests/fuzz/%.c,$(BUILD)/tests/fuzz/%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SRCS_fuzz_shell := user/bin/sh/parse.c user/bin/sh/glob.c
FUZZ_SRCS_fuzz_acpi := kernel/dev/acpi_tables.c
FUZZ_SRCS_fuzz_multiboot := kernel/arch/x86_64/multiboot_parse.c
FUZZ_SRCS_fuzz_filters := user/lib/record.c
FUZZ_SRCS_fuzz_request := kernel/object/request.c
# Extra compiler flags of one target: FUZZ_FLAGS_NAME.
FUZZ_FLAGS_fuzz_acpi := -Ikernel
FUZZ_FLAGS_fuzz_multiboot := -Ikernel
FUZZ_FLAGS_fuzz_request := -Ikernel

$(BUILD)/fuzz-lib/%.c.o: lib/%.c tests/unit/host_names.h tests/unit/bson_names.h | check-deps
	@mkdir -p $(@D)
	$(Q)$(call say,FUZZCC,$<)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
		-include tests/unit/host_names.h -c $< -o $@

$(FUZZ_BINS): $(BUILD)/tests/fuzz/%: tests/fuzz/%.c tests/unit/bson_rebuild.h \
		tests/unit/bson_names.h $(FUZZ_LIB_OBJS) $$(FUZZ_SRCS_$$*)
	@mkdir -p $(@D)
	$(Q)$(call say,FUZZCC,$<)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer \
		-include tests/unit/bson_names.h $(FUZZ_FLAGS_$*) -o $@ $< $(FUZZ_SRCS_$*) \
		$(FUZZ_LIB_OBJS)

$(BUILD)/tests/fuzz/bson-seeds/.done: tools/bson-corpus-seeds $(wildcard $(BSON_CORPUS)/*.json)
	$(Q)$(call say,SEEDS,$(@D))tools/bson-corpus-seeds $(BSON_CORPUS) $(@D)
	@touch $@

# Seeds that reach past the first checks: small real executables (a native
# one with its note, a musl one with PT_TLS; both stripped) and a small real
# archive.
$(BUILD)/tests/fuzz/elf-seeds/.done: $(BUILD)/user/test/exit-code $(ELF_SAMPLES_DIR)/tls-musl
	@mkdir -p $(@D)
	$(Q)strip -o $(@D)/exit-code $< && strip -o $(@D)/tls-musl $(word 2,$^) && touch $@

$(BUILD)/tests/fuzz/ustar-seeds/.done: $(INITRD_FILES)
	@mkdir -p $(@D)
	$(Q)tar --format=ustar --owner=0 --group=0 -cf $(@D)/etc.tar -C initrd etc && touch $@

$(BUILD)/tests/fuzz/acpi-seeds/.done: tools/acpi-fuzz-seeds $(wildcard tests/data/acpi/*/*)
	$(Q)$(call say,SEEDS,$(@D))tools/acpi-fuzz-seeds tests/data/acpi $(@D) && touch $@

$(BUILD)/tests/fuzz/multiboot-seeds/.done: tools/multiboot-fuzz-seeds tests/data/acpi/pc-seabios/rsdp.dat
	$(Q)$(call say,SEEDS,$(@D))tools/multiboot-fuzz-seeds tests/data/acpi/pc-seabios/rsdp.dat $(@D) \
		&& touch $@

$(BUILD)/tests/fuzz/filters-seeds/.done: tools/filters-fuzz-seeds
	$(Q)$(call say,SEEDS,$(@D))tools/filters-fuzz-seeds $(@D) && touch $@

$(BUILD)/tests/fuzz/request-seeds/.done: tools/request-fuzz-seeds
	$(Q)$(call say,SEEDS,$(@D))tools/request-fuzz-seeds $(@D) && touch $@

fuzz: $(FUZZ_BINS) $(patsubst %,$(BUILD)/tests/fuzz/%-seeds/.done,bson elf ustar acpi multiboot \
	filters request)

# --- static analysis -------------------------------------------------------
# tools/run-tests runs both: cppcheck over everything in C, and gcc's
# -fanalyzer over the kernel and lib/ with the kernel's own flags. A finding
# is fixed, or suppressed where it stands with a comment saying why.
ANALYZE_SRCS := $(filter %.c,$(KERNEL_SRCS)) $(LIB_SRCS)

cppcheck: | check-deps
	$(Q)cppcheck --enable=warning,portability --quiet --std=c11 --inline-suppr \
		--error-exitcode=1 -I. -Ikernel -Iuser/lib kernel lib user

analyze:
	$(Q)for f in $(ANALYZE_SRCS); do \
		$(CC) $(filter-out -MMD -MP -g,$(KERNEL_CFLAGS)) -fanalyzer -c $$f -o /dev/null \
			|| exit 1; \
	done

# sparse over the kernel and lib/ (the kernel's own flags; sparse defines
# __CHECKER__, which gives kernel/core/compiler.h's __user its meaning):
# a user pointer dereferenced, or moved to or from a kernel pointer or an
# integer without __force, is a finding, and so is any other warning. Every
# warning class sparse has on by default stays on.
SPARSE_SRCS := $(filter %.c,$(KERNEL_SRCS)) $(LIB_SRCS)
SPARSE_FLAGS := $(filter-out -MMD -MP -g,$(KERNEL_CFLAGS)) -include kernel/core/compiler.h \
	-Wcast-from-as -Wcast-to-as -Wsparse-error

sparse: | check-deps
	$(Q)status=0; for f in $(SPARSE_SRCS); do \
		out=$$(sparse $(SPARSE_FLAGS) $$f 2>&1) || status=1; \
		[ -z "$$out" ] || { printf '%s\n' "$$out"; status=1; }; \
	done; exit $$status

# Every #include in kernel/ points down the layering (the order is written
# once, in tools/check-layers, and drawn in docs/architecture.md), and lib/
# includes nothing of kernel/ or user/.
layers:
	$(Q)$(PYTHON) tools/check-layers

# --- coverage kernel (kcov) ------------------------------------------------
# `make kcov-kernel`: build/kcov/panda.elf, built with -DPANDA_KCOV and
# -fsanitize-coverage=trace-pc for the coverage-guided system-call fuzzer
# (/test/kfuzz, core/kcov.h). Not instrumented: the coverage code itself,
# arch/x86_64 (boot, interrupt and trap entry, the per-CPU area the
# recorder reads) and lib/string.c (memcpy and the like: a PC per byte, no
# branch worth a corpus entry). The flags are expanded per file ($<).
# `make fuzz-kernel MINUTES=N` runs a long campaign on it (tools/fuzz-kernel).
KCOV_BUILD := $(BUILD)/kcov
KCOV_NOINSTR := kernel/proc/kcov.c $(filter kernel/arch/x86_64/%,$(KERNEL_SRCS)) lib/string.c
KCOV_CFLAGS = -DPANDA_KCOV $(if $(filter $(KCOV_NOINSTR),$<),,-fsanitize-coverage=trace-pc)
$(eval $(call kernel_variant,$(KCOV_BUILD),$$(KCOV_CFLAGS)))
MINUTES ?= 10

.PHONY: kcov-kernel fuzz-kernel
kcov-kernel: $(KCOV_BUILD)/panda.elf

fuzz-kernel: check-deps all kcov-kernel
	$(PYTHON) tools/fuzz-kernel --minutes $(MINUTES)

include user/user.mk
include tests/posix/posix.mk

# --- running ---------------------------------------------------------------
# Installs what is missing. Whatever needs a package depends on this, order
# only, so even under -j nothing that needs one starts before it is there.
check-deps:
	@$(INSTALL_DEPS) --check >/dev/null 2>&1 || $(INSTALL_DEPS)

run: check-deps all
	tools/qemu-run $(RUNFLAGS)

debug: check-deps all
	tools/debug $(RUNFLAGS)

# The soak (tools/soak, docs/testing.md): every stress workload side by
# side for MINUTES, then no panic, no leak, no stuck process.
soak: check-deps all
	$(PYTHON) tools/soak --minutes $(MINUTES)

test: check-deps all iso unit-tests fuzz ksan kcov-kernel
	BSON_CORPUS=$(BSON_CORPUS) $(PYTHON) tools/run-tests $(TESTFLAGS)

# Benchmarks: the kernel's memory benchmarks, then /bin/bench as init, then
# the wall time from starting QEMU to the shell's prompt (tools/boot-to-prompt).
# `make bench ICOUNT=1` runs under -icount shift=0, where one guest
# instruction is one ns of virtual time (deterministic, for ratios).
ICOUNT ?= 0
BENCH_QEMU := $(if $(filter 1,$(ICOUNT)),-- -icount shift=0)
bench: check-deps all
	@tools/qemu-run --mem 512 --timeout 900 --append "bench=mm init=/bin/bench quiet" \
		$(BENCH_QEMU) | grep -E '^(bench|info) '
	@tools/boot-to-prompt -- $(BENCH_QEMU)

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
