"""The Linux system-call fuzzer /test/lfuzz (docs/testing.md, "Fuzzing the
Linux table").

`test=lfuzz` runs it confined to a fresh /tmp/lfuzz under an allocator
snapshot: once it has exited, every frame, heap object, file and directory
must be back, and the directory empty. The campaign is bounded by its
count; the time limit only catches a hang (about 12 s of QEMU time on the
normal kernel, 25 s on the sanitized one, 2026-12-02). Plus the regression
test of each bug it found.
"""
import re

from conftest import OK, boot

CALLS = 200000


def campaign(args, timeout):
    return boot("--mem", "256", "--append", f'test=lfuzz lfuzz="{args}"', timeout=timeout)


def assert_clean(run):
    """No panic, no sanitizer line (conftest fails those), the leak check
    passed, lfuzz said done."""
    tail = run.output[-4000:]
    assert run.status == OK, tail
    assert "panic" not in run.output.lower(), tail
    assert "lfuzz: leak check: memory back at its baseline" in run.output, tail
    assert "selftest lfuzz: 1 passed, 0 failed" in run.output, tail
    assert re.search(r"^lfuzz: done$", run.output, re.M), tail


def calls_of(run):
    m = re.search(r"^lfuzz: (\d+) calls in (\d+) ms, seed (\d+)$", run.output, re.M)
    assert m, run.output[-4000:]
    return int(m[1]), int(m[2])


def test_200000_fuzzed_linux_calls_leave_the_kernel_whole():
    run = campaign(f"-n {CALLS} -t 400 -s 1", timeout=480)
    assert_clean(run)
    calls, ms = calls_of(run)
    assert calls >= CALLS, run.output[-4000:]
    # Most of the table was asked, and a good share of calls did something.
    m = re.search(r"^lfuzz: (\d+) table numbers tried; (\d+) succeeded", run.output, re.M)
    assert m and int(m[1]) >= 300 and int(m[2]) >= CALLS // 5, run.output[-4000:]
    print(f"lfuzz: {calls} calls in {ms} ms")


def test_lfuzz_refuses_a_root_that_is_not_its_own():
    """Run unconfined (init's root, which holds /bin and /test), it would
    remove what it finds: it stops before its first call."""
    run = boot("--append", 'init="/test/lfuzz -n 10"', timeout=30)
    assert "lfuzz: the root directory is not empty: run me confined" in run.output, run.output
    assert "lfuzz: done" not in run.output
