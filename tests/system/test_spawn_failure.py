"""A spawn that fails after the kernel made the new process object (issue
15, "a failed spawn kills the caller"): the caller must get an error and
carry on. Before the fix it died with a page fault at its own instruction
pointer, and as init it took the machine down. /test/spawnkill runs as
init; the kernel-side leak check of the same runs is in the `proc`
self-test (test_processes.py)."""
import re

import pytest

from conftest import OK, boot


def run_spawnkill(mode):
    # root_room= past memory: the memory mode fills memory with a file.
    return boot("--append", f'root_room=1G init="/test/spawnkill {mode}"', timeout=180)


def assert_caller_survived(run, mode):
    assert run.status == OK, run.output
    assert not re.search(r"pid 1 \(spawnkill\) killed", run.output), run.output
    assert f"spawnkill: ok {mode}-caller-alive" in run.output, run.output
    assert f"spawnkill: ok {mode}-memory-back" in run.output, run.output
    assert "FAIL" not in run.output and "PANIC" not in run.output, run.output


def test_spawn_with_every_kernel_stack_taken_fails_and_the_caller_lives():
    run = run_spawnkill("kstacks")
    assert_caller_survived(run, "kstacks")
    m = re.search(r"spawnkill: (\d+) sleepers started before spawn gave ENOMEM", run.output)
    assert m and int(m.group(1)) > 900, run.output


def test_spawn_out_of_memory_at_each_load_step_fails_and_the_caller_lives():
    run = run_spawnkill("memory")
    assert_caller_survived(run, "memory")
    m = re.search(r"spawnkill: (\d+) spawns failed for memory before one worked", run.output)
    assert m and int(m.group(1)) > 1, run.output


def test_spawn_of_an_executable_truncated_while_loading_fails_and_the_caller_lives():
    run = run_spawnkill("truncated")
    assert_caller_survived(run, "truncated")
    assert re.search(r"spawnkill: truncated after \d+ ms: ENOEXEC while loading", run.output)
