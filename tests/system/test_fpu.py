"""Extended FPU state: with XSAVE (QEMU's `-cpu max` under TCG) the kernel
enables AVX state and keeps every process's ymm registers across
preemption; without it (the default qemu64 model, or `xsave=off`) it saves
FXSAVE state as before and an AVX instruction kills only the process that
ran it (kernel/arch/x86_64/fpu.c, user/test/avx-test.c)."""
import re
import subprocess

from conftest import OK, QEMU_RUN, TEST_FAILED, boot

XSAVE_LINE = re.compile(r"^fpu: xsave, (\d+)-byte state, xcr0 (0x[0-9a-f]+) \(x87 sse avx", re.M)


def run_init(command, *args, timeout=120):
    return boot("--append", f'init="{command}"', *args, timeout=timeout)


def test_default_cpu_saves_fxsave_state():
    run = run_init("/test/fpu-test")
    assert run.status == OK, run.output
    assert "fpu: fxsave, 512-byte state (no xsave)" in run.output, run.output
    assert "fpu-test: all 3 computations matched" in run.output


def test_cpu_max_enables_avx_state_sized_by_cpuid():
    run = run_init("/test/fpu-test", "--cpu", "max")
    assert run.status == OK, run.output
    m = XSAVE_LINE.search(run.output)
    assert m, run.output
    xcr0 = int(m.group(2), 16)
    assert xcr0 & 0x7 == 0x7 and not xcr0 & ~0xe7, m.group(0)   # no MPX, PKRU, AMX
    # The legacy area, the XSAVE header and AVX's 256 bytes at least.
    assert int(m.group(1)) >= 832, m.group(0)
    assert "fpu-test: all 3 computations matched" in run.output


def test_ymm_registers_survive_preemption_in_each_process():
    run = run_init("/test/avx-test", "--cpu", "max")
    assert run.status == OK, run.output
    workers = re.findall(r"^avx-test: worker (\d): 1500 rounds, 375 yields, (\d+) preempted, "
                         r"(\d+) lanes changed$", run.output, re.M)
    assert sorted(w for w, _, _ in workers) == ["0", "1", "2"], run.output
    for worker, preempted, changed in workers:
        assert changed == "0", run.output
        # Each worker was switched away from in mid-round, not only at yields.
        assert int(preempted) >= 10, f"worker {worker} preempted {preempted} times"
    assert "avx-test: 3 workers kept all 16 ymm registers" in run.output


def test_avx_runs_only_where_the_kernel_enabled_it():
    run = run_init("/test/avx-test gated", "--cpu", "max")
    assert run.status == OK, run.output
    assert "avx-test: AVX usable" in run.output, run.output
    assert "the child that used it ended: normal" in run.output


def avx_is_refused(run):
    assert run.status == OK, run.output
    assert re.search(r"^pid \d+ \(avx-test\) killed: invalid opcode, ip 0x4[0-9a-f]+$",
                     run.output, re.M), run.output
    assert "the child that used it ended: fault" in run.output, run.output
    assert "PANIC" not in run.output


def test_avx_kills_the_process_on_a_cpu_without_xsave():
    run = run_init("/test/avx-test gated")
    avx_is_refused(run)
    assert "avx-test: AVX not usable (osxsave=0 avx=0" in run.output


def test_xsave_off_leaves_avx_disabled():
    run = boot("--cpu", "max", "--append", 'xsave=off init="/test/avx-test gated"',
               timeout=120)
    assert "fpu: fxsave, 512-byte state (xsave=off)" in run.output, run.output
    avx_is_refused(run)
    assert "avx-test: AVX not usable (osxsave=0 avx=1" in run.output
    run = boot("--cpu", "max", "--append", "xsave=off init=/test/avx-test", timeout=120)
    assert run.status == TEST_FAILED, run.output
    assert "avx-test: AVX is not usable here (osxsave=0" in run.output


def test_bad_xsave_value_is_reported():
    run = boot("--append", 'xsave=maybe init="/test/hello"')
    assert run.status == OK, run.output
    assert "cmdline: xsave=maybe: expected on or off" in run.output


def test_runner_passes_the_cpu_model_to_qemu():
    line = subprocess.run([QEMU_RUN, "--dry-run", "--cpu", "max"], capture_output=True,
                          text=True, check=True).stdout
    assert " -cpu max " in line, line
    line = subprocess.run([QEMU_RUN, "--dry-run"], capture_output=True, text=True,
                          check=True).stdout
    assert " -cpu " not in line, line               # TCG's default: qemu64
