"""Channels, messages and handles, driven from user space: /test/ipc-test
runs as init with /test/ipc-peer as the other end of its channels and
decides the verdict (exit status 0 powers off as a pass)."""
import re

from conftest import OK, boot


def test_ipc_checks_all_pass():
    run = boot("--append", 'init="/test/ipc-test"', timeout=180)
    failed = [line for line in run.lines() if line.startswith("ipc-test: FAIL")]
    assert not failed, "\n".join(failed) + "\n" + run.output
    assert run.status == OK, run.output
    results = [line for line in run.lines() if line.startswith("ipc-test:")]
    assert results, run.output
    m = re.fullmatch(r"ipc-test: (\d+) checks passed", results[-1])
    assert m, run.output
    assert int(m.group(1)) >= 100, run.output
    assert "PANIC" not in run.output


def test_stale_handle_stays_dead_when_its_slot_has_used_every_generation():
    # /test/handle-wrap reuses one slot 2^19 + 1 times (about 0.4 s under
    # TCG); before slots were retired the 2^19th reuse gave the stale value.
    run = boot("--append", 'init="/test/handle-wrap"', timeout=60)
    failed = [line for line in run.lines() if line.startswith("handle-wrap: FAIL")]
    assert not failed, "\n".join(failed) + "\n" + run.output
    assert run.status == OK, run.output
    assert "handle-wrap: 9 checks passed" in run.output, run.output


def test_channels_carrying_each_others_ends_are_freed():
    # The leak check itself is the `proc` self-test's (test_processes.py);
    # here the program's own checks: cycles close their outer ends at once,
    # and what a process can still reach keeps its queues.
    run = boot("--append", 'init="/test/chan-cycles"', timeout=120)
    failed = [line for line in run.lines() if line.startswith("chan-cycles: FAIL")]
    assert not failed, "\n".join(failed) + "\n" + run.output
    assert run.status == OK, run.output
    assert "chan-cycles: 10 checks passed" in run.output, run.output
    assert "PANIC" not in run.output
