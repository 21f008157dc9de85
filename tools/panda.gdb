# gdb script for Panda OS: load the kernel's symbols and stop at the C entry.
# tools/debug connects first (target remote), then sources this file.
set confirm off
set pagination off
set disassembly-flavor att
# The kernel tools/qemu-run boots: PANDA_KERNEL when set (the sanitized or
# coverage build), else build/panda.elf.
python gdb.execute("file " + __import__("os").environ.get("PANDA_KERNEL", "build/panda.elf"))
# A hardware breakpoint works before paging is up and under KVM as well.
hbreak kmain
continue
