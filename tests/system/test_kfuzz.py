"""The system-call fuzzer /test/kfuzz (docs/testing.md, "Fuzzing the kernel").

Two campaigns, each run by `test=kfuzz` under an allocator snapshot (the
kernel checks that every frame, heap object, endpoint, message, file and
directory came back once the fuzzer and all it started are gone):

- a million calls on the normal kernel, where SYS_KCOV is ENOSYS and the
  fuzzer runs without coverage feedback (about 7 s of QEMU time);
- a shorter coverage-guided one on the kcov kernel (build/kcov/panda.elf),
  which is slower per call (every basic block records its PC), whose PCs
  are mapped to kernel functions with nm here.

Both must end with no panic, no sanitizer report and no leak. Plus the
regression test of the one kernel bug the fuzzer has found so far.
"""
import bisect
import os
import re
import subprocess

import pytest

from conftest import OK, ROOT, boot

KCOV_KERNEL = os.path.join(ROOT, "build", "kcov", "panda.elf")
KERNEL_BASE = 0xffffffff80000000
SANITIZER = re.compile(r"UBSan|KASAN|redzone", re.I)
GUIDED_SECONDS = 25


def campaign(args, *boot_args, timeout):
    return boot("--mem", "256", "--append", f'test=kfuzz kfuzz="{args}"', *boot_args,
                timeout=timeout)


def assert_clean(run):
    """No panic, no sanitizer line, the leak check passed, kfuzz said done."""
    assert run.status == OK, run.output[-4000:]
    assert "panic" not in run.output.lower(), run.output[-4000:]
    bad = [line for line in run.lines() if SANITIZER.search(line)]
    assert not bad, bad
    assert "kfuzz: leak check: memory back at its baseline" in run.output, run.output[-4000:]
    assert "selftest kfuzz: 1 passed, 0 failed" in run.output, run.output[-4000:]
    assert re.search(r"^kfuzz: done$", run.output, re.M), run.output[-4000:]


def calls_of(run):
    m = re.search(r"^kfuzz: (\d+) calls in (\d+) ms by (\d+) workers", run.output, re.M)
    assert m, run.output[-4000:]
    return int(m[1]), int(m[2])


def kernel_functions(kernel, pcs):
    out = subprocess.run(["nm", "-n", "--defined-only", kernel], check=True,
                         capture_output=True, text=True).stdout
    starts, names = [], []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tTwW":
            starts.append(int(parts[0], 16))
            names.append(parts[2])
    return {names[i] for pc in pcs if (i := bisect.bisect_right(starts, pc) - 1) >= 0}


def test_a_million_fuzzed_calls_leave_the_kernel_whole():
    run = campaign("-w 4 -n 1000000 -t 400 -s 1", timeout=480)
    assert_clean(run)
    calls, ms = calls_of(run)
    assert calls >= 1000000, run.output[-4000:]
    # The normal kernel has no coverage to give, and says so.
    assert "kfuzz: kcov: ENOSYS" in run.output
    print(f"kfuzz (normal kernel): {calls} calls in {ms} ms")


def test_coverage_guided_campaign_reaches_the_kernel():
    if not os.path.exists(KCOV_KERNEL):
        pytest.fail("build/kcov/panda.elf is missing: run make kcov-kernel")
    run = campaign(f"-w 4 -n 1000000 -t {GUIDED_SECONDS} -s 1", "--kernel", KCOV_KERNEL,
                   timeout=GUIDED_SECONDS + 120)
    assert_clean(run)
    assert "kfuzz: kcov: coverage-guided" in run.output
    calls, ms = calls_of(run)
    m = re.search(r"^kfuzz: coverage: (\d+) pcs, (\d+) edges", run.output, re.M)
    assert m, run.output[-4000:]
    pcs = [KERNEL_BASE + int(w, 16) for line in run.lines()
           if line.startswith("kfuzz-pcs:") for w in line.split()[1:]]
    assert len(pcs) == int(m[1])
    functions = kernel_functions(KCOV_KERNEL, pcs)
    kept = int(re.search(r"(\d+) inputs kept", run.output)[1])
    print(f"kfuzz (kcov kernel): {calls} calls in {ms} ms, {len(pcs)} pcs, {m[2]} edges, "
          f"{len(functions)} functions, {kept} inputs kept")
    # Well past the system-call layer: handle lookup passed, requests
    # parsed, objects answered (each of these needs a live handle or a
    # valid request to be reached).
    for reached in ("sys_dup", "handle_get", "bson_validate", "dir_answer", "file_answer",
                    "sysinfo_answer", "channel_create", "tmpfs_"):
        assert any(f.startswith(reached) for f in functions), (reached, sorted(functions))
    assert len(functions) >= 150 and int(m[2]) >= 1000 and kept > 0, run.output[-2000:]


def test_unmapping_a_huge_untouched_mapping_is_quick():
    """mem_unmap of a 64 TiB mapping walked 2^34 pages with interrupts off
    and froze the machine (found by kfuzz)."""
    run = boot("--append", 'init="/test/huge-unmap"', timeout=30)
    assert run.status == OK, run.output
    m = re.search(r"huge-unmap: protected and unmapped 64 TiB in (\d+) us", run.output)
    assert m, run.output
    assert int(m[1]) < 1000000
