# gdb script for Panda OS: load the kernel's symbols and stop at the C entry.
# tools/debug connects first (target remote), then sources this file.
set confirm off
set pagination off
set disassembly-flavor att
file build/panda.elf
# A hardware breakpoint works before paging is up and under KVM as well.
hbreak kmain
continue
