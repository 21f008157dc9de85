"""The sanitized kernel (`make ksan`, build/san/panda.elf; docs/testing.md):
its UBSan runtime and heap redzones catch deliberate undefined behaviour and
heap misuse, and a report nobody expected fails the run. These boot the
sanitized kernel whatever PANDA_KERNEL says; on a kernel built without the
sanitizers the suites do not exist and every test here fails."""

import os
import re

import pytest

from conftest import ROOT, TEST_FAILED, assert_cases_passed, boot, selftest

SAN_KERNEL = os.environ.get("KSAN_KERNEL") or os.path.join(ROOT, "build", "san", "panda.elf")


@pytest.fixture
def kernel():
    if not os.path.exists(SAN_KERNEL):
        pytest.fail(f"{SAN_KERNEL} does not exist; run make ksan")
    return SAN_KERNEL


def test_ubsan_reports_each_kind_of_deliberate_undefined_behaviour(kernel):
    run = selftest("ubsan", "--kernel", kernel)
    assert_cases_passed(run, "ubsan")
    assert run.status == 0, run.output
    assert re.search(r"^caught as expected: signed integer overflow at "
                     r"kernel/mm/ksan_selftest\.c:\d+:\d+$", run.output, re.M), run.output
    assert "    lhs: 2147483647 ('int')" in run.output
    assert re.search(r"^caught as expected: shift out of bounds at ", run.output, re.M)


def test_redzones_catch_overflows_and_writes_after_free(kernel):
    run = selftest("redzone", "--kernel", kernel)
    assert_cases_passed(run, "redzone")
    assert run.status == 0, run.output
    assert re.search(r"heap buffer overflow: redzone of kmalloc-32 object 0x[0-9a-f]+ "
                     r"written at offset 20 \(size 20\)", run.output), run.output
    assert re.search(r"heap buffer overflow: redzone of large block 0x[0-9a-f]+ \(8192 bytes\) "
                     r"written at offset 5000 \(size 5000\)", run.output), run.output
    # The reports name where the object was allocated and freed.
    assert re.search(r"^    allocated at test_redzone\+0x[0-9a-f]+$", run.output, re.M)
    assert re.search(r"^    freed at test_redzone\+0x[0-9a-f]+$", run.output, re.M)


def test_an_unexpected_report_fails_the_run(kernel):
    run = boot("--kernel", kernel, "--append", "test=ksan-unexpected",
               sanitizer_reports_fail=False)
    assert run.status == TEST_FAILED, run.output
    assert re.search(r"^UBSAN: signed integer overflow at kernel/mm/ksan_selftest\.c:",
                     run.output, re.M), run.output
    assert re.search(r"^KSAN: heap buffer overflow: redzone of kmalloc-32", run.output, re.M)
    assert "backtrace:" in run.output


def test_lock_checker_reports_recursion_sleeping_and_inversions(kernel):
    """core/lockdep.c and the spinlock checks: each broken rule is reported
    with its sites, in expect mode, and the suite goes on to the end."""
    run = selftest("lockdep", "--kernel", kernel)
    assert_cases_passed(run, "lockdep")
    assert run.status == 0, run.output
    out = run.output
    assert re.search(r'^caught as expected: recursive acquisition of spinlock "lockdep-test-a"$',
                     out, re.M), out
    assert re.search(r'^    taken again "lockdep-test-a" at test_lockdep\+0x[0-9a-f]+$', out, re.M)
    assert re.search(r"^caught as expected: schedule\(\) with 1 spinlock\(s\) held$", out, re.M)
    assert re.search(r'^caught as expected: lock order inversion: "lockdep-test-a" taken while '
                     r'holding "lockdep-test-b"', out, re.M), out
    # Both acquisitions of the new order and of the one seen before.
    for where in ("now: held", "now: taken", "before: held", "before: taken"):
        assert re.search(rf'^    {where} "lockdep-test-[ab]" at test_lockdep\+0x[0-9a-f]+$',
                         out, re.M), where
    assert re.search(r'^caught as expected: lock order inversion: "lockdep-test-c" taken while '
                     r'holding "lockdep-test-e"', out, re.M), out
