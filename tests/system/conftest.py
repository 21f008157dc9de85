"""Helpers for system tests: boot the real kernel through tools/qemu-run.

`boot(...)` runs QEMU to the end and returns its output and the runner's exit
status (the mapping is in tools/qemu-run). `console(...)` starts an
interactive session driven with pexpect. Both always kill QEMU: the runner
has its own --timeout, and a second, outer timeout kills the whole process
group should the runner itself get stuck.
"""

import io
import os
import re
import signal
import subprocess
from dataclasses import dataclass

import pexpect
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QEMU_RUN = os.path.join(ROOT, "tools", "qemu-run")

# A sanitizer report in the kernel's output fails the test that booted it
# (kernel/core/ksan.h). Only the sanitized kernel, which tools/qemu-run boots
# when PANDA_KERNEL names it, makes them.
SANITIZER_REPORT = re.compile(r"^(UBSAN|KSAN): .*$", re.M)


def check_sanitizer_reports(output):
    m = SANITIZER_REPORT.search(output)
    if m:
        start = output.rfind("\n", 0, max(m.start() - 1, 0)) + 1
        pytest.fail(f"the kernel reported: {m.group(0)}\n{output[start:start + 4000]}")


# tools/qemu-run exit statuses
OK, TEST_FAILED, PANIC, RESET, TIMEOUT, QEMU_FAILED, USAGE = 0, 1, 2, 3, 4, 5, 64


@dataclass
class Run:
    status: int
    output: str

    def lines(self):
        return self.output.splitlines()


# Every session's time limit is multiplied by this: tools/run-tests sets 2
# for the sanitized kernel, which runs about 1.5 times slower.
TIMEOUT_SCALE = float(os.environ.get("PANDA_TIMEOUT_SCALE") or 1)


def boot(*args, timeout=30, sanitizer_reports_fail=True):
    """Boots with these qemu-run options and returns a Run when QEMU ends."""
    timeout = int(timeout * TIMEOUT_SCALE)
    cmd = [QEMU_RUN, "--timeout", str(timeout), *args]
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=timeout + 30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        pytest.fail(f"qemu-run did not end: {' '.join(cmd)}\n{out.decode(errors='replace')}")
    text = out.decode(errors="replace").replace("\r", "")
    if sanitizer_reports_fail:
        check_sanitizer_reports(text)
    return Run(proc.returncode, text)


def selftest(names, *args, timeout=30):
    return boot("--append", f"test={names}", *args, timeout=timeout)


class Console:
    """An interactive session on a pty; serial output arrives as \\r\\r\\n."""

    def __init__(self, command, args, timeout):
        self.child = pexpect.spawn(command, args, cwd=ROOT, timeout=timeout,
                                   encoding="utf-8", codec_errors="replace")
        self.transcript = io.StringIO()             # everything the guest printed
        self.child.logfile_read = self.transcript

    def expect(self, pattern, timeout=-1):
        try:
            self.child.expect(pattern, timeout=timeout)
        except (pexpect.TIMEOUT, pexpect.EOF) as e:
            tail = self.transcript.getvalue()[-4000:].replace("\r", "")
            raise AssertionError(f"waiting for {pattern!r}: {type(e).__name__}; "
                                 f"the session's last output:\n{tail}") from None
        return self.child.match

    def close(self):
        if self.child.isalive():
            self.child.terminate(force=True)
        self.child.close(force=True)


@pytest.fixture
def console():
    """Factory for interactive sessions, all closed at the end of the test."""
    sessions = []

    def start(*args, timeout=30, command=QEMU_RUN):
        timeout = int(timeout * TIMEOUT_SCALE)
        if command == QEMU_RUN:
            args = ("--timeout", str(timeout * 2), *args)
        c = Console(command, list(args), timeout)
        sessions.append(c)
        return c
    yield start
    for c in sessions:
        c.close()
    for c in sessions:
        check_sanitizer_reports(c.transcript.getvalue().replace("\r", ""))


def assert_cases_passed(run, suite):
    """Every case line of the suite says ok, and there is at least one."""
    cases = re.findall(rf"^  (ok  |FAIL) {re.escape(suite)}/(.*)$", run.output, re.M)
    assert cases, f"no cases of suite {suite} ran:\n{run.output}"
    failed = [name for verdict, name in cases if verdict == "FAIL"]
    assert not failed, f"failed cases {failed}:\n{run.output}"
