# --- user space ---------------------------------------------------------------
# Static user programs for the initrd, from two folders: user/bin, the
# programs a user runs (the initrd's /bin), and user/test, the programs that
# exist for the tests (its /test). Each user/DIR/NAME.c becomes
# $(BUILD)/user/DIR/NAME, linked with crt0 first and libpanda.a (the runtime
# in user/lib plus lib/ compiled a third time, for user space) last.
# User space may use SSE: the kernel saves FPU state on context switches.
USER_CFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror \
	-ffreestanding -fno-pic -fno-pie -fno-stack-protector \
	-fcf-protection=none -fno-asynchronous-unwind-tables \
	-fno-omit-frame-pointer -fno-tree-loop-distribute-patterns \
	-mno-red-zone -ffunction-sections -fdata-sections -MMD -MP -I. -Iuser/lib
USER_LDFLAGS := -nostdlib -static --gc-sections -z max-page-size=0x1000 -z noexecstack \
	-T user/user.ld

USER_CRT0      := $(BUILD)/user/lib/crt0.S.o
USER_RT_SRCS   := $(sort $(wildcard user/lib/*.c))
USER_RT_OBJS   := $(patsubst %,$(BUILD)/%.o,$(USER_RT_SRCS))
USER_LIB_OBJS  := $(patsubst lib/%,$(BUILD)/user-lib/%.o,$(LIB_SRCS))
USER_LIBPANDA  := $(BUILD)/user/libpanda.a
USER_PROGRAM_DIRS := bin test
USER_SRCS      := $(sort $(foreach d,$(USER_PROGRAM_DIRS),$(wildcard user/$(d)/*.c)))
USER_PROGRAMS  := $(patsubst user/%.c,$(BUILD)/user/%,$(USER_SRCS))
USER_PROGRAM_OBJS := $(patsubst user/%.c,$(BUILD)/user/obj/%.c.o,$(USER_SRCS))
# A program of several files is a folder: user/DIR/NAME/*.c -> NAME.
USER_DIR_SRCS  := $(sort $(foreach d,$(USER_PROGRAM_DIRS),$(wildcard user/$(d)/*/*.c)))
USER_DIRS      := $(sort $(patsubst %/,%,$(dir $(USER_DIR_SRCS))))
USER_DIR_PROGRAMS := $(patsubst user/%,$(BUILD)/user/%,$(USER_DIRS))
USER_DIR_OBJS  := $(patsubst user/%.c,$(BUILD)/user/obj/%.c.o,$(USER_DIR_SRCS))
# A program under a second name: the same executable, which reads its name
# from argv[0] (user/bin/poweroff.c serves as reboot too).
USER_BIN_ALIASES := $(BUILD)/user/bin/reboot
$(BUILD)/user/bin/reboot: $(BUILD)/user/bin/poweroff
	$(Q)$(call say,CP,$@)cp $< $@
# What the initrd's /bin and /test hold.
USER_BIN_PROGRAMS  := $(filter $(BUILD)/user/bin/%,$(USER_PROGRAMS) $(USER_DIR_PROGRAMS)) \
	$(USER_BIN_ALIASES)
USER_TEST_PROGRAMS := $(filter $(BUILD)/user/test/%,$(USER_PROGRAMS) $(USER_DIR_PROGRAMS))

.PHONY: user
user: $(USER_PROGRAMS) $(USER_DIR_PROGRAMS) $(USER_BIN_ALIASES)

$(USER_LIB_OBJS): $(BUILD)/user-lib/%.c.o: lib/%.c
	@mkdir -p $(@D)
	$(Q)$(call say,USERCC,$<)$(CC) $(USER_CFLAGS) -c $< -o $@

$(USER_RT_OBJS): $(BUILD)/user/lib/%.c.o: user/lib/%.c
	@mkdir -p $(@D)
	$(Q)$(call say,USERCC,$<)$(CC) $(USER_CFLAGS) -c $< -o $@

# Program objects stay out of $(BUILD)/user/bin and test, which hold only
# programs.
$(USER_PROGRAM_OBJS) $(USER_DIR_OBJS): $(BUILD)/user/obj/%.c.o: user/%.c
	@mkdir -p $(@D)
	$(Q)$(call say,USERCC,$<)$(CC) $(USER_CFLAGS) -c $< -o $@

$(USER_CRT0): $(BUILD)/user/lib/%.S.o: user/lib/%.S
	@mkdir -p $(@D)
	$(Q)$(call say,USERAS,$<)$(CC) $(USER_CFLAGS) -c $< -o $@

$(USER_LIBPANDA): $(USER_RT_OBJS) $(USER_LIB_OBJS)
	$(Q)$(call say,AR,$@)rm -f $@ && $(AR) rcs $@ $^

$(USER_PROGRAMS): $(BUILD)/user/%: $(BUILD)/user/obj/%.c.o $(USER_CRT0) \
		$(USER_LIBPANDA) user/user.ld
	@mkdir -p $(@D)
	$(Q)$(call say,USERLD,$@)$(LD) $(USER_LDFLAGS) -o $@ $(USER_CRT0) $< $(USER_LIBPANDA)

# Each directory program links all of its objects.
.SECONDEXPANSION:
$(USER_DIR_PROGRAMS): $(BUILD)/user/%: \
		$$(subst user/,$(BUILD)/user/obj/,$$(addsuffix .o,$$(wildcard user/$$*/*.c))) \
		$(USER_CRT0) $(USER_LIBPANDA) user/user.ld
	@mkdir -p $(@D)
	$(Q)$(call say,USERLD,$@)$(LD) $(USER_LDFLAGS) -o $@ $(USER_CRT0) \
		$(filter %.o,$(filter-out $(USER_CRT0),$^)) $(USER_LIBPANDA)

# The initrd carries the programs in /bin and /test (the copy is in its recipe).
$(BUILD)/initrd.tar: $(USER_PROGRAMS) $(USER_DIR_PROGRAMS) $(USER_BIN_ALIASES)


# For tools/panda-cc, which builds programs outside the tree the same way:
# the flags without the dependency files, the tree-relative include paths
# and -Werror (warnings in a user's program are theirs to decide on).
.PHONY: print-user-cflags print-user-ldflags
print-user-cflags:
	@echo $(filter-out -MMD -MP -I. -Werror,$(subst -Iuser/lib,,$(USER_CFLAGS)))
print-user-ldflags:
	@echo $(USER_LDFLAGS)
