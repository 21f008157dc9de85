"""The sysinfo object, driven from user space: /test/sysinfo-test runs as init
and checks the process list (itself, a sleeping child, a killed one while
held and after its last handle closes, 40 sleepers walked by cursor over
several batches), the memory figures moving with 4 MiB touched and
unmapped, uptime and wall-clock time, process handles opened by pid and
their rights, and every documented error (the leak check of the same
workout, with allocator snapshots, is the `proc` self-test, which
test_processes.py runs)."""
import re

from conftest import OK, boot


def test_every_sysinfo_request_gives_its_documented_answer():
    run = boot("--append", 'init="/test/sysinfo-test"', timeout=120)
    failed = [line for line in run.lines() if line.startswith("sysinfo-test: FAIL")]
    assert not failed, "\n".join(failed) + "\n" + run.output
    assert run.status == OK, run.output
    assert "PANIC" not in run.output
    m = re.search(r"^sysinfo-test: (\d+) checks passed$", run.output, re.M)
    assert m and int(m.group(1)) >= 60, run.output
    # The listing of 40 sleepers took more than one reply, each pid once.
    assert "sysinfo-test: ok many-in-several-batches" in run.output
    assert "sysinfo-test: ok many-pids-once-in-order" in run.output
    # A process handle opened through a handle without RIGHT_KILL cannot kill.
    assert "sysinfo-test: ok rights-weak-cannot-kill" in run.output
    # "stacks": the sleeping child's kernel backtrace reaches its sleep; the
    # caller itself is running (no backtrace of a running thread).
    assert re.search(r"^process \d+ \(sleeper\), kernel stacks:\nthread sleeper \(blocked\):\n"
                     r"backtrace:\n(  #\d+ .*\n)*  #\d+ 0x[0-9a-f]+ sys_sleep\+", run.output, re.M), \
        run.output
    assert re.search(r"^thread sysinfo-test \(running\):$", run.output, re.M), run.output

