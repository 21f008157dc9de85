"""The runner, the ISO and the debugger set-up, as users and tests use them."""

import os
import re
import subprocess
import tempfile

import pytest

from conftest import OK, QEMU_RUN, ROOT, USAGE, assert_cases_passed, boot, selftest


@pytest.mark.parametrize("firmware, timeout", [("bios", 30), ("uefi", 90)])
def test_iso_boots_to_banner(console, firmware, timeout):
    c = console("--iso", "--firmware", firmware, timeout=timeout)
    c.expect(r"Panda OS [\d.]+: \d+ MiB usable memory")
    c.expect(r"boot: multiboot2 from GRUB")
    c.expect(r"init: Panda OS user space is up")
    c.expect(r"/ \$ ")


@pytest.mark.parametrize("firmware, timeout", [("bios", 30), ("uefi", 90)])
def test_iso_passes_boot_selftests(firmware, timeout):
    run = selftest("boot,initrd", "--iso", "--firmware", firmware, timeout=timeout)
    assert run.status == OK, run.output
    assert_cases_passed(run, "boot")
    assert_cases_passed(run, "initrd")


def test_added_file_appears_in_initrd(tmp_path):
    extra = tmp_path / "note.txt"
    extra.write_text("twelve bytes")
    run = selftest("initrd", "--add", f"{extra}:/home/note.txt")
    assert run.status == OK, run.output
    assert "initrd: /home/note.txt 12 bytes" in run.output
    assert "initrd: /etc/motd" in run.output      # the built files stay


def test_panda_cc_builds_a_program_from_outside_the_tree(tmp_path):
    (tmp_path / "main.c").write_text(
        '#include "panda.h"\n'
        "int twice(int x);\n"
        "int main(int argc, char **argv)\n"
        "{\n"
        '\tprintf("outside: %d %s\\n", twice(argc), argv[argc - 1]);\n'
        "\treturn 7;\n"
        "}\n")
    (tmp_path / "twice.c").write_text("int twice(int x) { return 2 * x; }\n")
    out = tmp_path / "outside"
    subprocess.run([os.path.join(ROOT, "tools", "panda-cc"), "-o", str(out), "main.c",
                    "twice.c"], cwd=tmp_path, check=True, timeout=300)
    run = boot("--add", f"{out}:/bin/outside", "--append", 'init="/bin/outside last"')
    assert "outside: 4 last" in run.output, run.output
    assert "init exited with status 7" in run.output, run.output


def test_panda_cc_reports_compile_errors(tmp_path):
    (tmp_path / "bad.c").write_text("int main(void) { return nope; }\n")
    proc = subprocess.run([os.path.join(ROOT, "tools", "panda-cc"), "-o", "bad", "bad.c"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode != 0
    assert "nope" in proc.stderr
    assert not (tmp_path / "bad").exists()


def test_add_with_a_bad_spec_is_a_usage_error(tmp_path):
    run = boot("--add", "no-colon-here")
    assert run.status == USAGE
    assert "expected HOST_FILE:/path/in/initrd" in run.output
    run = boot("--add", f"{tmp_path}/missing:/x")
    assert run.status == USAGE


def test_runner_rejects_uefi_without_iso():
    run = boot("--firmware", "uefi")
    assert run.status == USAGE
    assert "needs --iso" in run.output


def test_runner_passes_extra_qemu_arguments():
    run = boot("--dry-run", "--mem", "64", "--", "-name", "panda-test")
    assert run.status == OK
    assert "-m 64" in run.output and run.output.strip().endswith("-name panda-test")


def test_qemu_failure_is_reported():
    run = boot("--", "-no-such-qemu-option")
    assert run.status == 5


def test_gdb_stops_at_kmain_with_symbols():
    with tempfile.TemporaryDirectory() as tmp:
        sock = os.path.join(tmp, "gdb.sock")
        qemu = subprocess.Popen([QEMU_RUN, "--timeout", "60", "--gdb",
                                 f"unix:{sock},server=on,wait=off"],
                                stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                if os.path.exists(sock):
                    break
                subprocess.run(["sleep", "0.05"])
            gdb = subprocess.run(
                ["gdb", "-q", "-batch", "-nx", "-ex", f"target remote {sock}",
                 "-x", "tools/panda.gdb", "-ex", "bt", "-ex", "kill"],
                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                text=True, timeout=60)
        finally:
            qemu.kill()
            qemu.wait()
    assert re.search(r"Breakpoint 1, kmain \(magic=", gdb.stdout), gdb.stdout
    assert "kernel/init/main.c" in gdb.stdout


def test_boot_to_prompt_times_the_banner_and_the_shell_prompt():
    proc = subprocess.run([os.path.join(ROOT, "tools", "boot-to-prompt"), "--runs", "1"],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stdout
    figures = {}
    for name, ms in re.findall(r"^bench (boot_to_\w+) runs=1 ms_min=(\d+) ", proc.stdout, re.M):
        figures[name] = int(ms)
    assert set(figures) == {"boot_to_banner", "boot_to_prompt"}, proc.stdout
    assert 0 < figures["boot_to_banner"] <= figures["boot_to_prompt"]
