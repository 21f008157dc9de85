"""Processes: spawn, exit, faults, kills, preemption and the syscall
interface, driven by the user programs in the initrd. A program started as
init decides the verdict: its exit status 0 powers off as a pass."""
import re

import pytest

from conftest import OK, TEST_FAILED, assert_cases_passed, boot, selftest


def run_init(command, timeout=120, *args):
    return boot("--append", f'init="{command}"', *args, timeout=timeout)


def test_process_selftests_leave_no_leak():
    run = selftest("proc", timeout=180)
    assert run.status == OK, run.output
    assert_cases_passed(run, "proc")


def test_fifty_children_report_their_exit_codes():
    run = run_init("/test/spawn-many")
    assert run.status == OK, run.output
    codes = " ".join(str(i) for i in range(50))
    assert f"spawn-many: collected 50 exit codes: {codes}" in run.output


def test_each_fault_kills_only_its_process():
    run = run_init("/test/fault-test")
    assert run.status == OK, run.output
    assert "fault-test: all 13 faults contained" in run.output
    # A child of init may take seven eighths of memory (docs/memory.md,
    # "Quotas"): its limit stops it before memory runs out.
    assert re.search(r"killed: over its tree's memory limit at 0x1[0-9a-f]{8}, ip 0x4",
                     run.output), run.output
    assert re.search(r"^pid \d+ \(crash\) killed: page fault at 0x0, ip 0x4[0-9a-f]+$",
                     run.output, re.M), run.output
    for what in ["general protection fault", "invalid opcode", "divide error"]:
        assert re.search(rf"^pid \d+ \(crash\) killed: {what}, ip 0x4[0-9a-f]+$",
                         run.output, re.M), what
    assert re.search(r"killed: stack overflow at 0x7fff", run.output), run.output
    assert "PANIC" not in run.output


def test_sleeper_wakes_promptly_beside_cpu_hogs():
    # Under -icount the guest's clock counts instructions, so the figures are
    # the scheduler's alone: a busy host descheduling QEMU cannot make the
    # sleeper late (on wall-clock time a loaded CI host once gave p99 9.8 ms).
    run = run_init("/test/latency", 120, "--", "-icount", "shift=0")
    print("\n".join(line for line in run.lines() if line.startswith("latency:")))
    assert run.status == OK, run.output
    m = re.search(r"latency: wakeups=2000 p50=(\d+)us p99=(\d+)us max=(\d+)us", run.output)
    assert m, run.output
    # The timer tick that ends the sleep runs the sleeper at once, ahead of
    # the spinners, rather than at the end of a spinner's 3 ms slice.
    assert int(m.group(3)) < 1000, m.group(0)


def test_floating_point_state_is_private_to_each_process():
    run = run_init("/test/fpu-test")
    assert run.status == OK, run.output
    assert "fpu-test: all 3 computations matched" in run.output


def test_syscall_fuzzing_leaves_the_kernel_running():
    run = run_init("/test/sysfuzz", 300)
    assert run.status == OK, run.output
    assert re.search(r"sysfuzz: \d+ syscall numbers fuzzed, kernel still alive", run.output)
    assert "PANIC" not in run.output


def test_init_command_line_passes_arguments():
    run = run_init("/test/hello one two")
    assert run.status == OK, run.output
    assert 'hello: argv[1] = "one"' in run.output
    assert 'hello: argv[2] = "two"' in run.output


def test_failing_init_fails_the_run():
    run = run_init("/test/exit-code 3")
    assert run.status == TEST_FAILED, run.output
    assert "kernel: init exited with status 3; powering off" in run.output


def test_missing_init_is_reported():
    run = run_init("/bin/no-such-program")
    assert run.status == TEST_FAILED, run.output
    assert 'cannot start init "/bin/no-such-program": ENOENT' in run.output


def test_bench_prints_one_line_per_benchmark():
    run = run_init("/bin/bench", 300)
    assert run.status == OK, run.output
    for name in ["null_syscall", "yield", "spawn_exit", "page_fault", "ipc_roundtrip",
                 "ctx_switch", "ipc_send_recv", "bson_validate", "file_write_read",
                 "open_close", "stat", "alloc_free", "pipeline"]:
        assert re.search(rf"^bench {name} iters=\d+ ns_per_op=[\d.]+ tsc_per_op=[\d.]+( |$)",
                         run.output, re.M), name
    assert "info bench:" not in run.output, run.output


def test_syscalls_keep_every_register_but_rax_rcx_r11():
    run = run_init("/test/syscall-regs")
    assert run.status == OK, run.output
    assert "syscall-regs: every register kept across 5 kinds of syscall" in run.output


def test_bad_requests_get_their_documented_errors():
    run = run_init("/test/spawn-errors")
    assert run.status == OK, run.output
    assert "spawn-errors: every bad request got its error" in run.output


def test_out_of_memory_kills_the_largest_process_not_the_faulting_one():
    run = boot("--mem", "64", "--append", "init=/test/oom-test", timeout=120)
    assert run.status == OK, run.output
    assert re.search(r"oom: no memory for pid 1 \(oom-test\); killed pid \d+ \(memhog\), "
                     r"the most over its share: \d+ pages charged, \d+ permille of its "
                     r"limits", run.output), run.output
    assert "oom-test: got 40 MiB; the hog ended: killed" in run.output
