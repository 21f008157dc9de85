"""The fault-injection sweep (issue 15, docs/testing.md "Fault injection"):
`test=failsweep` runs every system-call family with N = 1, 2, ... injected
allocation failures until the call succeeds, checking each time that the
call returns ENOMEM (ENOSPC from tmpfs), that the caller keeps working and
that the allocators are back at their baseline. Bugs it found, each with the
case that shows it: fs-read (EFAULT for a good but untouched buffer),
fs-create (a failed create left the file), fs-read-offset (a read whose
reply could not be delivered had moved the offset: the data was lost) and
fs-create-grow (a create whose handle needed a bigger table left the file
and no handle to it)."""
import re

from conftest import OK, boot, selftest

# Families whose call allocates (the covered call starts with the caches
# drained): each must have had failures injected. The others (dup, close,
# recv of a queued message, process wait and kill, the clock, sleep, yield,
# getpid, debug_write) take nothing from the allocators; they are swept too.
ALLOCATING = ["channel-create", "channel-call", "send", "send-handles", "send-big", "wait-many", "spawn",
              "mem-map", "mem-unmap", "mem-protect", "console-write", "sysinfo-memory",
              "sysinfo-processes", "sysinfo-open", "sysinfo-uptime", "fs-create",
              "fs-open", "fs-write", "fs-write-big", "fs-read", "fs-truncate",
              "fs-readdir", "fs-mkdir", "fs-rename", "fs-unlink", "fs-stat", "fs-open-dir",
              "fs-read-offset", "fs-create-grow"]

LINE = re.compile(r"failsweep: (\S+)( \(from N on\))?: (\d+) injected failures, "
                  r"first success at N=(\d+)")


def test_every_family_fails_cleanly_at_every_injected_allocation():
    run = selftest("failsweep", timeout=120)
    assert run.status == OK, run.output
    assert "FAIL" not in run.output and "PANIC" not in run.output, run.output
    assert "not back at its baseline" not in run.output, run.output
    results = {(m.group(1), bool(m.group(2))): (int(m.group(3)), int(m.group(4)))
               for m in LINE.finditer(run.output)}
    assert len(results) >= 2 * 40, run.output
    for key, (injected, first_success) in results.items():
        assert first_success == injected + 1, (key, run.output)
    for family in ALLOCATING:
        for from_n_on in (False, True):     # the Nth alone; every one from the Nth
            assert results[(family, from_n_on)][0] >= 1, (family, run.output)
    assert results[("spawn", False)][0] >= 20, run.output    # every load step
    total = re.search(r"failsweep: (\d+) families, (\d+) injected failures in all", run.output)
    assert total and int(total.group(2)) == sum(i for i, _ in results.values()), run.output
    print(f"fault-injection sweep: {total.group(1)} families, "
          f"{total.group(2)} injected failures")


def test_the_command_line_fails_the_nth_allocation_of_one_process_and_logs_it():
    run = boot("--append", 'failinject=frame:2,pid=1 init="/test/hello"')
    assert "unknown option" not in run.output, run.output
    assert "failinject: failing frame allocation 2" in run.output, run.output
    assert "PANIC" not in run.output, run.output


def test_every_allocation_under_a_call_site_fails():
    run = boot("--append", "failinject=any,site=spawn_process,times=0")
    assert "failinject: failing kmalloc allocation 1" in run.output, run.output
    assert 'cannot start init "/bin/init": ENOMEM' in run.output, run.output
    assert "PANIC" not in run.output, run.output


def test_a_bad_failinject_option_is_reported():
    run = boot("--append", 'failinject=bogus:0 init="/test/hello"')
    assert "failinject= needs KINDS" in run.output, run.output
