#!/usr/bin/python3
"""The POSIX differential tests' output: running a program on the host,
finding its lines in a Panda OS serial transcript, and comparing.

A program (tests/posix/NAME.c, tests/posix/common.h) prints
"=== begin NAME" first and "=== end NAME STATUS" last. On Panda OS the
serial line also carries the kernel's log; its lines look like
"WORD: ..." (a lowercase word, "error:", "warning:", "kernel:", "posix:",
...) or "pid N (NAME) killed: ..." (kernel/core/log.h, kernel/proc/
process.c), and the programs never print such a line, so between the
markers those are dropped. A line "~ KEY: VALUE" is machine-specific: it
is compared as "~ KEY:", so it must be there, with any value.

Used by the Makefile, as

    posix_output.py expect NAME MUSL_BINARY GLIBC_BINARY OUT

which runs both builds on the host, fails with a diff when they disagree
and writes the musl build's lines to OUT (build/posix/expected/NAME.out),
and by tests/system/test_posix.py and tests/unit/test_posix_host.py.
"""

import difflib
import os
import re
import subprocess
import sys

# What a kernel log line looks like on the serial line.
KERNEL_LINE = re.compile(r"^(?:[a-z][a-z0-9_-]*: |pid \d+ \(|(?:UBSAN|KSAN): )")
MACHINE_LINE = re.compile(r"^~ ([^:]+):(?: .*)?$")

# How the host runs a program: as Panda's init runs it (kernel/init/init.c),
# with "/" as working directory, PWD=/ the whole environment and /tmp as
# the base of its scratch directory.
HOST_ENV = {"PWD": "/"}
HOST_TIMEOUT = 60


class OutputError(Exception):
    """The output is not a whole run of the program."""


def begin_marker(name):
    return f"=== begin {name}"


def end_marker(name):
    return re.compile(rf"^=== end {re.escape(name)} (-?\d+)$")


def run_on_host(binary, timeout=HOST_TIMEOUT):
    """Runs one build on the host; returns (exit status, stdout, stderr)."""
    proc = subprocess.run([os.path.abspath(binary), "/tmp"], cwd="/", env=HOST_ENV,
                          stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=timeout)
    return (proc.returncode, proc.stdout.decode(errors="replace"),
            proc.stderr.decode(errors="replace"))


def program_lines(output, name):
    """The program's lines in output, markers included and kernel log lines
    dropped. Raises OutputError when a marker is missing."""
    lines = output.replace("\r", "").split("\n")
    try:
        start = lines.index(begin_marker(name))
    except ValueError:
        raise OutputError(f"no line {begin_marker(name)!r}: the program did not start "
                          f"or printed nothing") from None
    end = end_marker(name)
    for i in range(start + 1, len(lines)):
        if end.match(lines[i]):
            body = [l for l in lines[start:i + 1] if not KERNEL_LINE.match(l)]
            return body
    raise OutputError(f"no line '=== end {name} STATUS' after the begin marker: "
                      f"the program stopped early")


def comparable(lines):
    """The lines as compared: a machine-specific line keeps only its key."""
    out = []
    for line in lines:
        m = MACHINE_LINE.match(line)
        out.append(f"~ {m.group(1)}:" if m else line)
    return out


def diff(expected, actual, expected_name="expected", actual_name="actual"):
    """A unified diff of the comparable lines; empty when they agree."""
    return "\n".join(difflib.unified_diff(comparable(expected), comparable(actual),
                                          expected_name, actual_name, lineterm=""))


def check_host_output(name, status, stdout, stderr):
    """The lines of one host run, after checking it is a clean whole run.
    Raises OutputError otherwise."""
    lines = program_lines(stdout, name)
    if status != 0:
        raise OutputError(f"exit status {status}\n{stdout}{stderr}")
    if stderr:
        raise OutputError(f"printed to stderr:\n{stderr}")
    everything = stdout.rstrip("\n").split("\n")
    kernel_like = [l for l in everything if KERNEL_LINE.match(l)]
    if kernel_like:
        raise OutputError("printed lines that look like kernel log lines (a lowercase word, "
                          "a colon, a space), which the comparison on Panda OS would drop; "
                          "say them another way:\n" + "\n".join(kernel_like))
    if lines != everything:
        raise OutputError(f"printed outside its markers:\n{stdout}")
    return lines


def expect(name, musl, glibc, out):
    """The Makefile's step: both builds agree on the host; keep musl's lines."""
    runs = {}
    for libc, binary in (("musl", musl), ("glibc", glibc)):
        try:
            runs[libc] = check_host_output(name, *run_on_host(binary))
        except (OutputError, subprocess.TimeoutExpired) as e:
            print(f"posix_output: {binary}: {e}", file=sys.stderr)
            return 1
    d = diff(runs["musl"], runs["glibc"], musl, glibc)
    if d:
        print(f"posix_output: the musl and glibc builds of {name} disagree on the host, so "
              f"the program depends on its libc; fix it:\n{d}", file=sys.stderr)
        return 1
    with open(out + ".tmp", "w", encoding="utf-8") as f:
        f.write("\n".join(runs["musl"]) + "\n")
    os.replace(out + ".tmp", out)
    return 0


def main(argv):
    if len(argv) != 5 or argv[0] != "expect":
        print("usage: posix_output.py expect NAME MUSL_BINARY GLIBC_BINARY OUT",
              file=sys.stderr)
        return 64
    return expect(*argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
