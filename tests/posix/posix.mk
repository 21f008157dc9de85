# --- POSIX differential tests ---------------------------------------------
# Each tests/posix/NAME.c is a Linux program, built twice, unmodified, as
# the POSIX subsystem's users build theirs: $(BUILD)/posix/musl/NAME with
# Debian's `musl-gcc -static` and $(BUILD)/posix/glibc/NAME with
# `gcc -static`. The musl build run on the host gives
# $(BUILD)/posix/expected/NAME.out, what both builds must print on Panda OS
# too (tests/system/test_posix.py); the glibc build must print the same on
# the host first, or the program depends on its libc and is wrong
# (tests/posix/posix_output.py; docs/testing.md).
POSIX_NAMES    := $(patsubst tests/posix/%.c,%,$(sort $(wildcard tests/posix/*.c)))
POSIX_CFLAGS   := -static -O2 -Wall -Wextra -Werror
MUSL_GCC       ?= musl-gcc	# tests/unit/test_first_run.py replaces it with a fake
POSIX_EXPECTED := $(patsubst %,$(BUILD)/posix/expected/%.out,$(POSIX_NAMES))

.PHONY: posix
posix: $(POSIX_EXPECTED)

# musl-gcc comes with musl-tools, which check-deps installs.
$(BUILD)/posix/musl/%: tests/posix/%.c tests/posix/common.h | check-deps
	@mkdir -p $(@D)
	$(Q)$(call say,MUSLCC,$<)$(MUSL_GCC) $(POSIX_CFLAGS) -o $@ $<

$(BUILD)/posix/glibc/%: tests/posix/%.c tests/posix/common.h | check-deps
	@mkdir -p $(@D)
	$(Q)$(call say,GLIBCC,$<)$(CC) $(POSIX_CFLAGS) -o $@ $<

$(BUILD)/posix/expected/%.out: $(BUILD)/posix/musl/% $(BUILD)/posix/glibc/% \
		tests/posix/posix_output.py
	@mkdir -p $(@D)
	$(Q)$(call say,RUN,$@)$(PYTHON) tests/posix/posix_output.py expect $* \
		$(BUILD)/posix/musl/$* $(BUILD)/posix/glibc/$* $@

# The Linux system-call fuzzer (docs/testing.md, "Fuzzing the Linux table"):
# a Linux program too, built with musl only, in every initrd's /test.
LINUX_TEST_PROGRAMS := $(BUILD)/linuxfuzz/lfuzz

$(BUILD)/linuxfuzz/%: tests/linuxfuzz/%.c | check-deps
	@mkdir -p $(@D)
	$(Q)$(call say,MUSLCC,$<)$(MUSL_GCC) $(POSIX_CFLAGS) -o $@ $<

# Debian's busybox-static, as the package installs it, is every initrd's
# /posix/bin/busybox: sh, vi, awk, sed and the rest on day one.
BUSYBOX := /bin/busybox

$(BUSYBOX): | check-deps

$(BUILD)/initrd.tar: $(LINUX_TEST_PROGRAMS) $(BUSYBOX)
