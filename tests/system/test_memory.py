"""The memory system at the edges: tiny and large machines, exhaustion, a
kernel stack overflow, and the benchmark output."""

import re

import pytest

from conftest import OK, PANIC, assert_cases_passed, boot, selftest

MM_SUITES = ["frames", "heap", "kobj", "vm", "cow", "kstack"]


@pytest.mark.parametrize("mem", ["16", "4096"])
def test_memory_suites_pass_at_both_extremes(mem):
    # The kernel's own suites: without the initrd (its 4.6 MiB, busybox
    # included, would be most of what 16 MiB leaves).
    run = selftest(",".join(MM_SUITES), "--mem", mem, "--no-initrd", timeout=120)
    assert run.status == OK, run.output
    for suite in MM_SUITES:
        assert_cases_passed(run, suite)
    managed = int(re.search(r"mm: (\d+) MiB in \d+ frames managed", run.output).group(1))
    assert managed >= int(mem) * 0.6    # minus firmware, the kernel and metadata


def test_exhaustion_restores_statistics_exactly():
    run = selftest("frames")
    assert run.status == OK, run.output
    assert "  ok   frames/freeing everything restores every statistic exactly" in run.output
    # The deliberate double frees were reported, each with a backtrace.
    assert "mm: double or mismatched free of frame" in run.output
    assert "backtrace:" in run.output


def test_bad_heap_frees_are_reported_with_backtraces():
    run = selftest("heap")
    assert run.status == OK, run.output
    assert "kmalloc: double free in cache kmalloc-128" in run.output
    assert "kmalloc: free of a pointer that is not an object of cache kmalloc-128" in run.output
    assert "which kmalloc did not return, ignored" in run.output


def test_kernel_stack_overflow_is_reported():
    run = selftest("stack-overflow")
    assert run.status == PANIC, run.output
    assert "PANIC: kernel stack overflow (guard page hit at 0xffffff" in run.output
    assert re.search(r"#\d+ 0x[0-9a-f]+ recurse_deep\+0x", run.output)


def test_memory_benchmarks_print_lines_at_both_fill_levels():
    run = boot("--mem", "256", "--append", 'bench=mm quiet init="/test/hello"', timeout=120)
    assert run.status == OK, run.output
    lines = re.findall(r"^bench (\w+) iters=(\d+) ns_per_op=(\d+) tsc_per_op=(\d+) fill=(\d+)$",
                       run.output, re.M)
    names = {(name, fill) for name, _, _, _, fill in lines}
    for name in ["frame_alloc_free", "kmalloc_free", "kernel_page_fault"]:
        assert (name, "10") in names and (name, "90") in names, run.output
