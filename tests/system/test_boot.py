"""Booting: the banner, the self-test suites, machine variants."""

import re

import pexpect
import pytest

from conftest import OK, RESET, TIMEOUT, TIMEOUT_SCALE, assert_cases_passed, boot, selftest

VERSION = open(__file__.rsplit("/tests/", 1)[0] + "/VERSION").read().strip()
BANNER = rf"Panda OS {re.escape(VERSION)}: (\d+) MiB usable memory"


def test_default_boot_reaches_the_shell_and_powers_off(console):
    c = console(timeout=60)
    assert 100 <= int(c.expect(BANNER).group(1)) <= 128  # default 128 MiB
    c.expect(r"init: Panda OS user space is up \(pid 1\)")
    c.expect(r"/ \$ ")
    c.child.send("poweroff\r")
    c.expect("power: powering off")
    c.child.expect(pexpect.EOF)
    c.child.close()
    assert c.child.exitstatus == OK         # an ACPI power off, not a reset


def test_init_given_on_the_command_line_runs_instead_and_its_end_powers_off():
    run = boot("--append", 'init="/test/hello"')
    assert run.status == OK, run.output
    assert "hello: hello, world" in run.output
    assert "kernel: init exited with status 0; powering off" in run.output


def test_make_run_boots_to_a_prompt_that_lists_bin_and_powers_off(console):
    c = console("-s", "run", "RUNFLAGS=--timeout 60", command="make", timeout=60)
    c.expect(BANNER)
    c.expect(r"/ \$ ")
    c.child.send("ls /bin\r")
    c.expect(r"name +type +size")
    for program in ["init", "ls", "sh"]:
        c.expect(rf"\n{program} +file +\d+")
    c.expect(r"/ \$ ")
    c.child.send("poweroff\r")
    c.expect("power: powering off")
    c.child.expect(pexpect.EOF)
    c.child.close()
    assert c.child.exitstatus == 0
    assert "make:" not in c.transcript.getvalue()     # ends quietly


SUITES = ["boot", "initrd", "printf", "ksyms", "backtrace", "trap",
          "frames", "heap", "kobj", "handles", "messages", "vm", "kstack", "acpi", "screen", "input"]


@pytest.mark.parametrize("suite", SUITES)
def test_selftest_suite_passes(suite):
    run = selftest(suite)
    assert run.status == OK, run.output
    assert_cases_passed(run, suite)
    assert f"selftest {suite}: " in run.output


def test_all_selftests_run_together():
    run = selftest("all", timeout=120)   # every suite, the process ones included
    assert run.status == OK, run.output
    for suite in SUITES:
        assert_cases_passed(run, suite)
    assert "panic" not in run.output.lower()     # fatal suites are excluded


def test_several_suites_by_name():
    run = selftest("printf,ksyms")
    assert run.status == OK
    assert "selftest: 2 suites run, 0 failed" in run.output


@pytest.mark.parametrize("args", [
    ["--machine", "q35"],
    ["--smp", "2"],
    ["--mem", "32"],
    ["--mem", "1024"],
], ids=lambda a: " ".join(a))
def test_boots_on_machine_variants(args):
    run = selftest("boot", *args)
    assert run.status == OK, run.output
    assert_cases_passed(run, "boot")


def test_banner_reports_memory_size():
    run = selftest("printf", "--mem", "256")
    size = int(re.search(BANNER, run.output).group(1))
    assert 250 <= size <= 256


def test_idle_kernel_is_stopped_by_runner_timeout():
    run = boot("--no-initrd", timeout=3)
    assert run.status == TIMEOUT
    assert "no init to start; the CPU idles" in run.output
    assert f"timed out after {int(3 * TIMEOUT_SCALE)} s" in run.output  # boot() scales it
