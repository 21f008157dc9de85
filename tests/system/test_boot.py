"""Booting: the banner, the self-test suites, machine variants."""

import re

import pytest

from conftest import OK, TIMEOUT, assert_cases_passed, boot, selftest

VERSION = open(__file__.rsplit("/tests/", 1)[0] + "/VERSION").read().strip()
BANNER = rf"Panda OS {re.escape(VERSION)}: (\d+) MiB usable memory"


def test_interactive_boot_prints_banner_and_stays_up(console):
    c = console()
    match = c.expect(BANNER)
    assert 100 <= int(match.group(1)) <= 128      # the runner's default 128 MiB
    c.expect(r"boot complete")
    assert c.child.isalive()                      # idles; the fixture kills it


def test_make_run_prints_banner(console):
    c = console("-s", "run", "RUNFLAGS=--timeout 60", command="make", timeout=60)
    c.expect(BANNER)


SUITES = ["boot", "initrd", "printf", "ksyms", "backtrace", "trap",
          "frames", "heap", "kobj", "vm", "kstack"]


@pytest.mark.parametrize("suite", SUITES)
def test_selftest_suite_passes(suite):
    run = selftest(suite)
    assert run.status == OK, run.output
    assert_cases_passed(run, suite)
    assert f"selftest {suite}: " in run.output


def test_all_selftests_run_together():
    run = selftest("all")
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


def test_halted_kernel_is_stopped_by_runner_timeout():
    run = boot(timeout=3)
    assert run.status == TIMEOUT
    assert "boot complete" in run.output
    assert "timed out after 3 s" in run.output
