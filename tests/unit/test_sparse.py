"""`make sparse` finds what it is there to find.

Each case runs the real make target, with the kernel's flags and headers,
over one small file (SPARSE_SRCS=FILE): code that breaks the user-copy
rules must fail with sparse's report of it, and the same code done right
must pass without a word. So a sparse that is missing, a target that
checks nothing, or __user marks that have lost their meaning (in
kernel/core/compiler.h, lib/abi.h or mm/usercopy.h) fail here; static/sparse
in tools/run-tests then says the whole kernel is clean. Below sparse, the
compiler: to the kernel an ABI structure's user address is no pointer
(lib/abi.h, PANDA_USER), so plain gcc refuses to dereference it.
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
    # A pointer field of an ABI structure, taken out, read as if it were
    # kernel memory (the field itself does not compile: see below).
    "abi_field_dereferenced": (
        "(void)reg; const uint32_t __user *h = uaddr_ptr(um->handles); return h[0];",
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
        "(void)reg; return *(const uint32_t *)uaddr_ptr(um->handles);",
        "cast removes address space"),
    # A user pointer made an integer without __force.
    "user_pointer_as_integer": (
        "(void)reg; return (uintptr_t)uaddr_ptr(um->data) == 0;",
        "cast removes address space"),
    # The same things done through the gate: no finding.
    "through_the_gate": (
        "uint32_t h;\n"
        "\tif (copy_from_user(&h, uaddr_ptr(um->handles), sizeof(h)) < 0)\n"
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


# Bodies of probe() that use an ABI structure's user address as if it were
# a pointer; with the kernel's -DPANDA_IN_KERNEL, gcc alone must refuse each.
RAW_USES = {
    "subscript": "(void)reg; return (int)um->handles[0];",
    "dereference": "(void)reg; return *(const int *)um->data;",
    "as_integer": "(void)reg; return (int)(uintptr_t)um->data;",
    "to_a_kernel_function": "(void)reg; return (int)strlen(um->data);",
}


def gcc_compiles(directory, name, body, kernel=True):
    """Compiles probe() with the kernel's view of lib/abi.h (or, with
    kernel=False, user space's, with lib/abi.h alone)."""
    if kernel:
        src = write_probe(directory, name, body)
    else:
        src = directory / f"{name}.c"
        src.write_text('#include "lib/abi.h"\n'
                       "int probe(struct panda_msg *um, uint64_t reg)\n{\n\t" + body + "\n}\n")
    flags = ["-DPANDA_IN_KERNEL"] if kernel else []
    run = subprocess.run(
        ["gcc", "-std=gnu11", "-ffreestanding", "-fsyntax-only", "-Wall", "-Werror", "-I.",
         "-Ikernel", "-include", "lib/string.h", *flags, str(src)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        errors="replace", timeout=60)
    return run.returncode == 0, run.stdout


@pytest.mark.parametrize("name", sorted(RAW_USES))
def test_the_kernel_cannot_compile_a_raw_use_of_a_user_address(tmp_path, name):
    ok, out = gcc_compiles(tmp_path, name, RAW_USES[name])
    assert not ok, f"gcc compiled {RAW_USES[name]!r}"
    assert "error" in out, out


def test_the_gate_compiles_and_user_space_sees_pointers(tmp_path):
    ok, out = gcc_compiles(tmp_path, "gate", CASES["through_the_gate"][0])
    assert ok, out
    # Without PANDA_IN_KERNEL (user space) the same field is a plain pointer.
    ok, out = gcc_compiles(tmp_path, "user", RAW_USES["subscript"], kernel=False)
    assert ok, out
