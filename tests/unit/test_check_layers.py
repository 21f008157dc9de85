"""tools/check-layers passes on the tree and fails on what it is there to find.

The failing cases run the checker over a copy of the tree's kernel/, lib/
and docs/architecture.md (in a temporary directory) with one thing made
wrong: an include pointing up, an architecture header other than
arch/arch.h outside kernel/arch, lib/ including the kernel, a folder the
layering does not name, a drawing that disagrees with the checker's order.
So a checker that checks nothing, or a layering that has an upward arrow
again, fails here; static/layers in tools/run-tests then says the tree is
clean.
"""

import os
import shutil
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHECKER = os.path.join(ROOT, "tools", "check-layers")
PYTHON = "/usr/bin/python3"


def check(root):
    return subprocess.run([PYTHON, CHECKER, "--root", str(root)], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, timeout=60)


@pytest.fixture
def tree(tmp_path):
    """A copy of what the checker reads."""
    for d in ("kernel", "lib"):
        shutil.copytree(os.path.join(ROOT, d), tmp_path / d)
    (tmp_path / "docs").mkdir()
    shutil.copy(os.path.join(ROOT, "docs", "architecture.md"), tmp_path / "docs")
    return tmp_path


def add_include(path, include):
    text = path.read_text()
    path.write_text(f'#include "{include}"\n' + text)


def test_the_tree_is_clean():
    run = check(ROOT)
    assert run.returncode == 0, run.stdout
    assert run.stdout == ""


def test_the_copy_is_clean(tree):
    run = check(tree)
    assert run.returncode == 0, run.stdout


# file (in the copy) -> (include added to it, what the report must say)
CASES = {
    # core at the bottom reaching a driver (log.c once did).
    "core_includes_dev": ("kernel/core/log.c", "dev/serial.h",
                          "core includes dev, which is above it"),
    # The wait queues' users reaching the process layer.
    "object_includes_proc": ("kernel/object/channel.c", "proc/process.h",
                             "object includes proc, which is above it"),
    # The CPU code calling the memory manager directly.
    "arch_includes_mm": ("kernel/arch/x86_64/fault.c", "mm/vm.h",
                         "arch includes mm, which is above it"),
    # A header counts as much as a source file.
    "header_includes_up": ("kernel/sched/sched.h", "proc/process.h",
                           "sched includes proc, which is above it"),
    # An architecture header other than the interface.
    "arch_internal_header": ("kernel/dev/serial.c", "arch/x86_64/cpu.h",
                             "only arch/arch.h may be included"),
    # lib/ is compiled for user space and the host too.
    "lib_includes_kernel": ("lib/string.c", "core/log.h",
                            "lib/ includes nothing from kernel/ or user/"),
    "lib_includes_user": ("lib/string.c", "user/lib/panda/syscall.h",
                          "lib/ includes nothing from kernel/ or user/"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_wrong_include_fails(tree, case):
    rel, include, message = CASES[case]
    add_include(tree / rel, include)
    run = check(tree)
    assert run.returncode == 1, run.stdout
    assert f'{rel}:1: #include "{include}"' in run.stdout, run.stdout
    assert message in run.stdout, run.stdout


def test_an_include_down_passes(tree):
    add_include(tree / "kernel" / "proc" / "process.c", "sched/wait.h")
    add_include(tree / "kernel" / "init" / "main.c", "syscall/syscall.h")
    run = check(tree)
    assert run.returncode == 0, run.stdout


def test_a_folder_outside_the_layering_fails(tree):
    (tree / "kernel" / "newlayer").mkdir()
    (tree / "kernel" / "newlayer" / "linux.c").write_text('#include "proc/process.h"\n')
    run = check(tree)
    assert run.returncode == 1, run.stdout
    assert "kernel/newlayer: a folder not in the layering" in run.stdout, run.stdout


def test_the_drawing_must_match(tree):
    doc = tree / "docs" / "architecture.md"
    text = doc.read_text()
    fs_line = next(l for l in text.splitlines() if l.startswith("kernel/fs "))
    proc_line = next(l for l in text.splitlines() if l.startswith("kernel/proc "))
    doc.write_text(text.replace(fs_line, "@@").replace(proc_line, fs_line)
                   .replace("@@", proc_line))
    run = check(tree)
    assert run.returncode == 1, run.stdout
    assert "docs/architecture.md" in run.stdout, run.stdout
