"""POSIX differential tests on Panda OS (docs/testing.md, "POSIX
differential tests").

Each program of tests/posix is a Linux program built twice, with
`musl-gcc -static` (build/posix/musl/NAME) and `gcc -static`
(build/posix/glibc/NAME). make runs the musl build on the host, checks the
glibc build prints the same, and keeps the lines in
build/posix/expected/NAME.out. Here each build of each enabled program is
booted as Panda's init:

    tools/qemu-run --add build/posix/LIBC/NAME:/test/posix/NAME \\
        --append 'init="/test/posix/NAME /tmp"'

and its lines on the serial line, from "=== begin NAME" to
"=== end NAME STATUS" with the kernel's log lines dropped, must be the
expected ones ("~ KEY: VALUE" lines compared by their key only;
tests/posix/posix_output.py); a mismatch shows a unified diff. Then init
has exited 0, so QEMU ended with status 0.

TO ENABLE A PROGRAM once the kernel runs its system calls: add its name to
ENABLED below. To try programs before that, name them in PANDA_POSIX_TESTS:

    PANDA_POSIX_TESTS=hello,files /usr/bin/python3 -m pytest -q tests/system/test_posix.py

Until ENABLED names one, this file collects no test that boots (pytest
reports the empty parameter set as one skip); the programs are checked on
the host by tests/unit/test_posix_host.py meanwhile.
"""

import os
import re
import sys

import pytest

from conftest import OK, ROOT, boot

sys.path.insert(0, os.path.join(ROOT, "tests", "posix"))
import posix_output  # noqa: E402

# The programs the POSIX subsystem passes (names of tests/posix/NAME.c).
# Every program: hello files dirs fds stat memory memshared processes wait exec pipes
# pipebytes poll time errors identity nosys devdir.
ENABLED = ["hello", "files", "dirs", "fds", "stat", "memory", "processes", "wait", "exec",
           "pipes", "pipebytes", "poll", "time", "errors", "identity", "nosys", "devdir"]

LIBCS = ("musl", "glibc")
BUILD = os.path.join(ROOT, "build", "posix")


def enabled():
    extra = [n for n in os.environ.get("PANDA_POSIX_TESTS", "").split(",") if n]
    return ENABLED + [n for n in extra if n not in ENABLED]


def run_on_panda(name, libc, timeout=120):
    binary = os.path.join(BUILD, libc, name)
    assert os.path.exists(binary), f"{binary} is missing; run make"
    return boot("--add", f"{binary}:/test/posix/{name}",
                "--append", f'init="/test/posix/{name} /tmp"', timeout=timeout)


@pytest.mark.parametrize("name,libc", [pytest.param(n, l, id=f"{n}-{l}")
                                       for n in enabled() for l in LIBCS])
def test_program_prints_on_panda_what_it_prints_on_the_host(name, libc):
    expected_path = os.path.join(BUILD, "expected", f"{name}.out")
    assert os.path.exists(expected_path), f"{expected_path} is missing; run make"
    with open(expected_path, encoding="utf-8") as f:
        expected = f.read().splitlines()
    run = run_on_panda(name, libc)
    try:
        actual = posix_output.program_lines(run.output, name)
    except posix_output.OutputError as e:
        pytest.fail(f"{libc}/{name} on Panda OS: {e} (qemu-run status {run.status})\n"
                    f"{run.output[-6000:]}")
    d = posix_output.diff(expected, actual, f"host (expected/{name}.out)",
                          f"Panda OS ({libc}/{name})")
    assert not d, f"{libc}/{name} printed other lines on Panda OS:\n{d}"
    assert run.status == OK, f"qemu-run status {run.status}:\n{run.output[-4000:]}"


def test_unsupported_calls_are_logged_a_few_times_with_the_program():
    run = run_on_panda("nosys", "musl")
    assert run.status == OK, run.output[-4000:]
    logged = re.findall(r"^posix: pid 1 \(nosys\): system call (\d+) \(unknown\) "
                        r"is not supported$", run.output, re.M)
    # The first eight of the 21 calls, then silence.
    assert logged == [str(n) for n in range(500, 508)], run.output[-4000:]


def test_posix_off_refuses_linux_programs_and_native_ones_still_run():
    binary = os.path.join(BUILD, "musl", "hello")
    run = boot("--add", f"{binary}:/test/posix/hello",
               "--append", 'posix=off init="/test/posix/hello"')
    assert "posix: the Linux personality is off (posix=off)" in run.output, run.output
    assert ("spawn: /test/posix/hello is not a Panda executable, and the POSIX "
            "personality is off") in run.output, run.output
    assert "=== begin hello" not in run.output
    # Native programs are untouched by the switch.
    run = boot("--append", 'posix=off init="/bin/echo native"')
    assert run.status == OK and "native" in run.output, run.output
