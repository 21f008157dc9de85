"""ACPI and power: power off and reboot through the power object (/bin/poweroff
and /bin/reboot as init, which holds it), the acpi= switches and their fallbacks.

QEMU exits with status 0 both on an ACPI power off and on a reset under
-no-reboot; tools/qemu-run tells them apart by the reason of QEMU's SHUTDOWN
event and reports OK (0) and RESET (3). A fallback power off (no usable
FADT, or acpi=off) goes through QEMU's debug-exit device instead, which
qemu-run also reports as OK.
"""

import os
import re
import subprocess
import tempfile

import pytest

from conftest import OK, RESET, ROOT, TEST_FAILED, boot

BANNER = re.compile(r"^Panda OS \S+: \d+ MiB usable memory$", re.M)
MACHINES = ["pc", "q35"]


def assert_clean(run):
    assert "panic" not in run.output.lower(), run.output
    assert "triple-faulting" not in run.output, run.output
    assert len(BANNER.findall(run.output)) == 1, run.output


@pytest.mark.parametrize("machine", MACHINES)
def test_power_off_ends_qemu_through_acpi(machine):
    run = boot("--machine", machine, "--append", 'init=/bin/poweroff')
    assert "power: powering off" in run.output, run.output
    assert run.status == OK, run.output           # not a reset
    assert "ACPI power off" not in run.output, run.output    # no fallback taken
    assert "power: rebooting" not in run.output
    assert_clean(run)


@pytest.mark.parametrize("machine", MACHINES)
def test_reboot_resets_the_machine(machine):
    # -no-reboot (always passed by qemu-run) turns the reset into QEMU exit 0,
    # so the banner appears once and the runner reports RESET.
    run = boot("--machine", machine, "--append", 'init=/bin/reboot')
    assert "power: rebooting" in run.output, run.output
    assert run.status == RESET, run.output
    assert "did nothing" not in run.output, run.output       # first method worked
    assert "power: powering off" not in run.output
    assert_clean(run)


def test_poweroff_with_a_bad_argument_fails():
    run = boot("--append", 'init="/bin/poweroff sideways"')
    assert run.status == TEST_FAILED, run.output
    assert "poweroff: usage: poweroff" in run.output


def test_default_boot_reads_the_tables():
    run = boot("--append", 'init="/test/hello"')
    assert run.status == OK, run.output
    assert re.search(r"^acpi: RSDP rev 0 \(BOCHS \), RSDT at 0x[0-9a-f]+: FACP APIC", run.output,
                     re.M), run.output
    assert "acpi: MADT: 1 CPU, I/O APIC 0 at 0xfec00000 (GSI base 0)" in run.output
    assert "acpi: FADT rev 1: PM1a_CNT io 0x604" in run.output
    assert "acpi: \\_S5: SLP_TYPa 0, SLP_TYPb 0" in run.output
    assert "warning: acpi" not in run.output, run.output


def test_corrupt_madt_still_boots_to_init_with_a_warning():
    run = boot("--append", 'acpi=corrupt-madt init="/test/hello"')
    assert run.status == OK, run.output
    warnings = [l for l in run.lines() if l.startswith("warning: acpi")]
    assert len(warnings) == 1, run.output
    assert "APIC at" in warnings[0] and "acpi=corrupt-madt" in warnings[0]
    assert "the interrupt layer keeps its defaults" in run.output
    assert "hello: hello, world" in run.output
    assert "kernel: init exited with status 0" in run.output
    assert_clean(run)


def test_corrupt_fadt_boots_and_powers_off_by_the_fallback():
    run = boot("--append", 'acpi=corrupt-fadt init=/bin/poweroff')
    warnings = [l for l in run.lines() if l.startswith("warning: acpi")]
    assert len(warnings) == 1 and "FACP at" in warnings[0], run.output
    assert "acpi: MADT: 1 CPU" in run.output      # the MADT is still used
    assert "power: powering off" in run.output, run.output
    assert "ACPI power off is unavailable" in run.output
    assert run.status == OK, run.output           # debug-exit 0x13
    assert_clean(run)


def test_corrupt_dsdt_loses_only_s5():
    run = boot("--append", 'acpi=corrupt-dsdt init=/bin/poweroff')
    warnings = [l for l in run.lines() if l.startswith("warning: acpi")]
    assert len(warnings) == 1 and "DSDT at" in warnings[0], run.output
    assert "acpi: FADT rev 1" in run.output
    assert "ACPI power off is unavailable" in run.output
    assert run.status == OK, run.output
    assert_clean(run)


def test_acpi_off_boots_to_init_and_powers_off_by_the_fallback():
    run = boot("--append", 'acpi=off init="/test/hello"')
    assert run.status == OK, run.output
    assert "acpi: off (acpi=off)" in run.output
    assert "acpi: MADT" not in run.output
    assert "hello: hello, world" in run.output

    run = boot("--append", 'acpi=off init=/bin/poweroff')
    assert "power: powering off" in run.output, run.output
    assert run.status == OK, run.output
    assert_clean(run)


def test_unknown_acpi_value_is_reported():
    run = boot("--append", 'acpi=sideways init="/test/hello"')
    assert run.status == OK, run.output
    assert 'acpi=sideways: unknown value "sideways"' in run.output


def test_acpi_dump_tool_writes_every_table():
    with tempfile.TemporaryDirectory() as out:
        proc = subprocess.run([os.path.join(ROOT, "tools", "acpi-dump"), "--machine", "q35",
                               "--out", out], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=200)
        assert proc.returncode == 0, proc.stdout
        files = set(os.listdir(out))
        for name in ["rsdp.dat", "RSDT.dat", "FACP.dat", "APIC.dat", "DSDT.dat", "MCFG.dat",
                     "tables.txt"]:
            assert name in files, (files, proc.stdout)
        facp = open(os.path.join(out, "FACP.dat"), "rb").read()
        assert facp[:4] == b"FACP" and len(facp) == 244
        assert int.from_bytes(facp[64:68], "little") == 0x604       # PM1a_CNT_BLK
        assert sum(facp) % 256 == 0
        committed = os.path.join(ROOT, "tests", "data", "acpi", "q35-seabios")
        assert set(os.listdir(committed)) == files
