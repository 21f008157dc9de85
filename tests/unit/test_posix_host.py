"""The POSIX differential test programs on the host (tests/posix,
docs/testing.md "POSIX differential tests").

Each program's musl and glibc builds (make builds them) run on the host and
must print the same lines, apart from the values of machine-specific ones:
a difference means the program tests a libc, not the kernel. Their lines
must be the expected output that tests/system/test_posix.py compares Panda
OS against, and a clean run (status 0, both markers, nothing on stderr, no
line the Panda-side comparison would drop as a kernel log line). The
comparison itself is checked on made-up serial transcripts: kernel lines
between the markers are dropped, machine-specific values are ignored but
the lines must be there, and any other difference is a failure.
"""

import glob
import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tests", "posix"))
import posix_output  # noqa: E402

BUILD = os.path.join(ROOT, "build", "posix")
PROGRAMS = sorted(os.path.basename(p)[:-2] for p in glob.glob(os.path.join(ROOT, "tests/posix/*.c")))


def host_lines(name, libc):
    binary = os.path.join(BUILD, libc, name)
    assert os.access(binary, os.X_OK), f"{binary} is missing; run make"
    return posix_output.check_host_output(name, *posix_output.run_on_host(binary))


@pytest.mark.parametrize("name", PROGRAMS)
def test_musl_and_glibc_builds_agree_on_the_host(name):
    musl, glibc = host_lines(name, "musl"), host_lines(name, "glibc")
    d = posix_output.diff(musl, glibc, f"musl/{name}", f"glibc/{name}")
    assert not d, f"the builds disagree, so the program depends on its libc:\n{d}"
    expected = os.path.join(BUILD, "expected", f"{name}.out")
    assert os.path.exists(expected), f"{expected} is missing; run make"
    with open(expected, encoding="utf-8") as f:
        d = posix_output.diff(f.read().splitlines(), musl, expected, f"musl/{name}")
    assert not d, f"the expected output is stale; run make:\n{d}"


def test_every_program_has_its_markers_and_status_zero():
    for name in PROGRAMS:
        lines = host_lines(name, "musl")
        assert lines[0] == f"=== begin {name}"
        assert lines[-1] == f"=== end {name} 0"


# A serial transcript as Panda OS prints it: boot lines, the program's
# lines with kernel log lines among them, and the kernel's last words.
TRANSCRIPT = """\
Panda OS 0.1.0: 127 MiB usable memory
kernel: started /test/posix/demo /tmp as pid 1
=== begin demo
open(missing): -1 ENOENT\r
posix: pid 1 (demo): syscall 302 prlimit64 not supported
~ uname release: 0.1.0
pid 2 (demo) killed: page fault at 0x7000, ip 0x401000
child touching the guard page: signal SIGSEGV
warning: something the kernel noticed
=== end demo 0
kernel: init exited with status 0; powering off
"""

EXPECTED = ["=== begin demo", "open(missing): -1 ENOENT", "~ uname release: 6.1.0-amd64",
            "child touching the guard page: signal SIGSEGV", "=== end demo 0"]


def test_kernel_lines_between_the_markers_are_dropped():
    lines = posix_output.program_lines(TRANSCRIPT, "demo")
    assert lines == ["=== begin demo", "open(missing): -1 ENOENT", "~ uname release: 0.1.0",
                     "child touching the guard page: signal SIGSEGV", "=== end demo 0"]


def test_machine_specific_values_are_ignored():
    assert posix_output.diff(EXPECTED, posix_output.program_lines(TRANSCRIPT, "demo")) == ""


def test_a_missing_machine_specific_line_is_a_difference():
    actual = [l for l in posix_output.program_lines(TRANSCRIPT, "demo") if not l.startswith("~")]
    assert "-~ uname release:" in posix_output.diff(EXPECTED, actual)


def test_a_different_errno_is_a_difference():
    actual = posix_output.program_lines(TRANSCRIPT.replace("-1 ENOENT", "-1 ENOSYS"), "demo")
    d = posix_output.diff(EXPECTED, actual)
    assert "-open(missing): -1 ENOENT" in d and "+open(missing): -1 ENOSYS" in d


def test_a_different_status_is_a_difference():
    actual = posix_output.program_lines(TRANSCRIPT.replace("end demo 0", "end demo 1"), "demo")
    assert "+=== end demo 1" in posix_output.diff(EXPECTED, actual)


def test_a_program_that_never_started_or_stopped_early_is_reported():
    with pytest.raises(posix_output.OutputError, match="did not start"):
        posix_output.program_lines("kernel: cannot start init\n", "demo")
    with pytest.raises(posix_output.OutputError, match="stopped early"):
        posix_output.program_lines(TRANSCRIPT.split("=== end")[0], "demo")


def test_a_program_line_shaped_like_a_kernel_line_is_refused_on_the_host():
    out = "=== begin demo\nfsync: ok\n=== end demo 0\n"
    with pytest.raises(posix_output.OutputError, match="look like kernel log lines"):
        posix_output.check_host_output("demo", 0, out, "")
