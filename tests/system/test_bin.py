"""/bin holds what a user runs, and each of them answers -h; the programs
that exist for the tests are in /test (docs/testing.md). Each boot runs one
program as init, so its output reaches the console (records as JSON lines)
and its status ends the run."""
import json
import os
import re

import pytest

from conftest import OK, ROOT, boot

# Everything /bin holds: the utilities (docs/utilities.md), the shell and
# its render stage, init, and the benchmarks.
BIN = ["bench", "cat", "count", "cp", "echo", "env", "free", "head", "hexdump", "init",
       "json", "kill", "ls", "mkdir", "mv", "poweroff", "ps", "reboot", "render", "rm",
       "rmdir", "select", "sh", "sleep", "sort", "stat", "touch", "uptime", "where"]

# /test holds a program for each source in user/test (a file or a folder).
# A program is a .c file or a folder; a header (xorshift.h) is shared source.
# The Linux programs of tests/linuxfuzz (the fuzzer lfuzz) are there too.
TEST = sorted([name.removesuffix(".c") for name in os.listdir(os.path.join(ROOT, "user", "test"))
               if not name.endswith(".h")] +
              [name.removesuffix(".c") for name in os.listdir(os.path.join(ROOT, "tests", "linuxfuzz"))
               if name.endswith(".c")])


def run_init(command):
    return boot("--append", f'init="{command}"')


def program_lines(run):
    """What init wrote: the lines between its start and its end."""
    lines = run.lines()
    start = next(i for i, line in enumerate(lines) if line.startswith("kernel: started "))
    end = next(i for i, line in enumerate(lines) if line.startswith("kernel: init exited"))
    return lines[start + 1:end]


def init_status(run):
    m = re.search(r"^kernel: init exited with status (-?\d+)", run.output, re.M)
    assert m, run.output
    return int(m.group(1))


@pytest.fixture(scope="module")
def listing():
    """{folder: names} of `ls /bin /test`, one boot for the module."""
    run = run_init("/bin/ls /bin /test")
    assert run.status == OK and init_status(run) == 0, run.output
    found = {"/bin": [], "/test": []}
    for line in program_lines(run):
        entry = json.loads(line)
        assert entry["type"] == "file", entry
        found[entry["dir"]].append(entry["name"])
    return found


def test_bin_holds_no_test_program(listing):
    assert set(listing["/bin"]) & set(TEST) == set()


def test_bin_holds_the_users_programs_and_nothing_else(listing):
    assert listing["/bin"] == BIN


def test_test_holds_every_test_program(listing):
    assert listing["/test"] == TEST


@pytest.mark.parametrize("program", BIN)
def test_every_bin_program_answers_h_with_its_usage(program):
    run = run_init(f"/bin/{program} -h")
    assert run.status == OK and init_status(run) == 0, run.output
    lines = program_lines(run)
    assert lines[0].startswith(f"usage: {program}"), run.output
    assert lines[1] == "" and lines[2], run.output          # then what it does
