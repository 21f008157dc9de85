"""`make sparse` finds what it is there to find.

Each case runs the real make target, with the kernel's flags and headers,
over one small file (SPARSE_SRCS=FILE): code that breaks the user-copy
rules must fail with sparse's report of it, and the same code done right
must pass without a word. So a sparse that is missing, a target that
checks nothing, or __user marks that have lost their meaning (in
kernel/core/compiler.h, lib/abi.h or mm/usercopy.h) fail here; static/sparse
in tools/run-tests then says the whole kernel is clean.
"""

import os
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

HEADER = """\
#include "lib/abi.h"
#include "mm/usercopy.h"
int probe(struct panda_msg *um, uint64_t reg);
"""

# name -> (body of probe(), what sparse must say, or None for no finding)
CASES = {
    # A pointer field of an ABI structure read as if it were kernel memory.
    "abi_field_dereferenced": (
        "(void)reg; return um->handles[0];",
        "dereference of noderef expression"),
    # A register turned into a user pointer, then dereferenced.
    "user_ptr_dereferenced": (
        "(void)um; const uint32_t __user *p = user_ptr(reg); return (int)*p;",
        "dereference of noderef expression"),
    # A kernel pointer handed to the gate where a user one belongs.
    "kernel_pointer_to_the_gate": (
        "uint32_t k = 0; (void)reg; return copy_to_user(&k, um, sizeof(*um));",
        "different address spaces"),
    # A user pointer made a kernel one without __force.
    "address_space_cast_away": (
        "(void)reg; return *(const uint32_t *)um->handles;",
        "cast removes address space"),
    # A user pointer made an integer without __force.
    "user_pointer_as_integer": (
        "(void)reg; return (uintptr_t)um->data == 0;",
        "cast removes address space"),
    # The same things done through the gate: no finding.
    "through_the_gate": (
        "uint32_t h;\n"
        "\tif (copy_from_user(&h, um->handles, sizeof(h)) < 0)\n"
        "\t\treturn -1;\n"
        "\treturn copy_to_user(user_ptr(reg), &h, sizeof(h));",
        None),
}


def run_sparse(paths):
    return subprocess.run(
        ["make", "-s", "--no-print-directory", "sparse",
         "SPARSE_SRCS=" + " ".join(str(p) for p in paths)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        errors="replace", timeout=120)


def write_probe(directory, name, body):
    src = directory / f"{name}.c"
    src.write_text(HEADER + "int probe(struct panda_msg *um, uint64_t reg)\n{\n\t"
                   + body + "\n}\n")
    return src


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """One make run over every case (make costs more than sparse does):
    sparse's lines about each file, by case name."""
    directory = tmp_path_factory.mktemp("sparse")
    run = run_sparse([write_probe(directory, name, body) for name, (body, _) in CASES.items()])
    assert run.returncode != 0, f"sparse passed code with findings:\n{run.stdout}"
    return {name: [l for l in run.stdout.splitlines() if l.startswith(str(directory / name) + ".c")]
            for name in CASES}


@pytest.mark.parametrize("name", sorted(CASES))
def test_sparse_reports_user_memory_outside_the_gate(report, name):
    finding = CASES[name][1]
    lines = "\n".join(report[name])
    if finding is None:
        assert lines == ""
    else:
        assert finding in lines, lines or "no finding"


def test_a_clean_file_passes_and_a_finding_fails_the_target(tmp_path):
    """The exit status: 0 for clean code alone, not 0 once a finding joins it."""
    clean = write_probe(tmp_path, "clean", CASES["through_the_gate"][0])
    bad = write_probe(tmp_path, "bad", CASES["abi_field_dereferenced"][0])
    run = run_sparse([clean])
    assert run.returncode == 0 and run.stdout == "", run.stdout
    run = run_sparse([clean, bad])
    assert run.returncode != 0, run.stdout
