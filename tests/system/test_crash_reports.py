"""A dead kernel explains itself: registers, cr2, and a backtrace that names
real functions, then QEMU exits with the panic status."""

import re

import pytest

from conftest import PANIC, TIMEOUT, selftest


def backtrace_functions(output):
    return re.findall(r"^  #\d+ 0x[0-9a-f]{16} (\w+)\+0x[0-9a-f]+$", output, re.M)


def test_panic_prints_registers_and_symbolized_backtrace():
    run = selftest("panic")
    assert run.status == PANIC, run.output
    assert "PANIC: selftest: deliberate panic at depth 2" in run.output
    for reg in ["rip", "rsp", "rax", "rbx", "r15", "rflags", "cr2", "cr3"]:
        assert re.search(rf"\b{reg}\s+[0-9a-f]{{4,16}}\b", run.output), reg
    funcs = backtrace_functions(run.output)
    # Innermost first, each caller after its callee.
    expected = ["panic", "panic_inner", "panic_outer", "test_panic", "run_suite",
                "selftest_run_requested", "kernel_init", "kernel_thread_start"]
    assert funcs[:len(expected)] == expected, run.output
    assert "panic: exiting QEMU" in run.output


@pytest.mark.parametrize("suite, vector, name, function, title", [
    ("fault-ud", 6, "invalid opcode", "test_fault_ud", "unexpected exception #6 (invalid opcode)"),
    ("fault-pf", 14, "page fault", "test_fault_pf",
     "kernel page fault at 0x1000 (writing an unmapped page)"),
    ("fault-gp", 13, "general protection fault", "test_fault_gp",
     "unexpected exception #13 (general protection fault)"),
    ("fault-de", 0, "divide error", "test_fault_de", "unexpected exception #0 (divide error)"),
    ("double-fault", 8, "double fault", "test_double_fault", "double fault (cr2 0xff8)"),
])
def test_exception_report(suite, vector, name, function, title):
    run = selftest(suite)
    assert run.status == PANIC, run.output
    assert f"PANIC: {title}" in run.output
    assert re.search(rf"vector {vector} \({name}\) error code 0x[0-9a-f]+|"
                     rf"vector {vector} \({name}\) error code 0", run.output)
    assert backtrace_functions(run.output)[0] == function, run.output
    assert "run_suite" in backtrace_functions(run.output)


def test_page_fault_report_names_the_address():
    run = selftest("fault-pf")
    assert re.search(r"cr2 0000000000001000", run.output), run.output
    assert "error code 0x2" in run.output          # a write to a missing page


def test_double_fault_runs_on_its_own_stack():
    run = selftest("double-fault")
    # The report itself could only print because #DF switched stacks: the
    # interrupted rsp is the bogus one the test installed.
    assert re.search(r"rsp 0000000000001000", run.output), run.output


def test_panic_halt_keeps_the_machine_stopped():
    run = selftest("panic", "--append", "test=panic panic=halt", timeout=4)
    assert run.status == TIMEOUT
    assert "panic: system halted" in run.output
