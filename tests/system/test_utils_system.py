"""The process and system utilities (docs/utilities.md, "Processes and the
system"): ps, kill, free, uptime, sleep, poweroff and reboot, each started
as init. Without an "out" channel their records reach the console as JSON
lines; the kernel logs init's exit status (`kernel: init exited with
status N`), and any status but 0 ends the run as TEST_FAILED."""
import json
import re
import time

import pytest

from conftest import OK, RESET, TEST_FAILED, boot

MIB = 1 << 20


def run_init(command, *args, timeout=30):
    return boot("--append", f'init="{command}"', *args, timeout=timeout)


def init_status(run):
    m = re.search(r"^kernel: init exited with status (-?\d+)", run.output, re.M)
    assert m, run.output
    return int(m.group(1))


def records(run):
    return [json.loads(line) for line in run.lines() if line.startswith("{")]


def assert_clean(run):
    assert "PANIC" not in run.output and "panic" not in run.output, run.output


# -h of every program in /bin: test_bin.py.


@pytest.mark.parametrize("command", ["ps extra", "kill", "free -x", "uptime extra", "sleep",
                                     "sleep soon", "sleep -1", "sleep 1 2", "poweroff now",
                                     "reboot now"])
def test_bad_usage_exits_2(command):
    run = run_init(f"/bin/{command}")
    program = command.split()[0]
    assert run.status == TEST_FAILED, run.output
    assert init_status(run) == 2
    assert f"{program}: usage: {program}" in run.output


def test_ps_lists_itself_as_init():
    run = run_init("/bin/ps")
    assert run.status == OK, run.output
    procs = records(run)
    assert len(procs) == 1, run.output       # init is alone
    me = procs[0]
    assert list(me) == ["pid", "name", "state", "memory", "cpu", "ppid", "threads"]
    assert me["pid"] == 1 and me["name"] == "ps" and me["state"] == "running"
    assert me["ppid"] == 0 and me["threads"] == 1
    assert me["memory"] > 0 and me["memory"] % 4096 == 0
    assert me["cpu"] >= 0
    assert_clean(run)


def test_kill_of_a_missing_pid_is_an_error():
    run = run_init("/bin/kill 99")
    assert "kill: 99: no such file or directory" in run.output, run.output
    assert init_status(run) == 1
    assert run.status == TEST_FAILED


def test_kill_reports_each_missing_pid():
    run = run_init("/bin/kill 0 99 99999999999")
    for pid in ["0", "99", "99999999999"]:
        assert f"kill: {pid}: no such file or directory" in run.output, run.output
    assert init_status(run) == 1


def test_kill_refuses_a_non_number_before_killing_anything():
    # pid 1 is kill itself: had it been killed, init would be "killed".
    run = run_init("/bin/kill 1 12x")
    assert "kill: 12x: not a pid" in run.output, run.output
    assert "kill: usage: kill PID..." in run.output
    assert init_status(run) == 2
    assert run.status == TEST_FAILED


def test_kill_ends_the_process_it_names():
    run = run_init("/bin/kill 1")       # itself, as init
    assert "kernel: init was killed; powering off" in run.output, run.output
    assert "init exited" not in run.output
    assert_clean(run)


@pytest.mark.parametrize("mem", [64, 256])
def test_free_figures_are_plausible_and_add_up(mem):
    run = run_init("/bin/free", "--mem", str(mem))
    assert run.status == OK, run.output
    [m] = records(run)
    assert list(m) == ["total", "used", "free", "available", "user", "kernel", "page_tables",
                       "slab"]
    # The allocator manages RAM less the first MiB, the kernel, the initrd...
    assert (mem - 16) * MIB < m["total"] <= mem * MIB, m
    assert m["used"] + m["free"] == m["total"], m
    assert m["user"] + m["kernel"] + m["page_tables"] + m["slab"] == m["used"], m
    assert 0 < m["user"] and 0 < m["available"] <= m["free"], m
    assert all(v % 4096 == 0 for v in m.values()), m


@pytest.mark.parametrize("flag, unit", [("-k", 1024), ("-m", MIB)])
def test_free_in_kib_and_mib(flag, unit):
    run = run_init(f"/bin/free {flag}", "--mem", "128")
    assert run.status == OK, run.output
    [m] = records(run)
    assert 112 * MIB // unit < m["total"] <= 128 * MIB // unit, m
    assert m["free"] <= m["total"] and m["used"] <= m["total"], m


def test_uptime_prints_one_line():
    run = run_init("/bin/uptime")
    assert run.status == OK, run.output
    assert re.search(r"^up 0:00:\d\d, 1 process$", run.output, re.M), run.output


@pytest.mark.parametrize("seconds", ["1", "0.5", ".25", "2."])
def test_sleep_takes_whole_and_decimal_seconds(seconds):
    run = run_init(f"/bin/sleep {seconds}")
    assert run.status == OK, run.output
    assert init_status(run) == 0


def test_sleep_waits_at_least_as_long_as_asked():
    # The guest clock follows the host's, so the host sees at least the
    # sleep (and the boot on top of it).
    start = time.monotonic()
    run = run_init("/bin/sleep 1.5")
    assert run.status == OK, run.output
    assert time.monotonic() - start >= 1.5


def test_sleep_too_long_is_out_of_range():
    run = run_init("/bin/sleep 99999999999")
    assert "sleep: 99999999999: out of range" in run.output, run.output
    assert init_status(run) == 1


def test_poweroff_as_init_powers_off():
    run = run_init("/bin/poweroff")
    assert "power: powering off" in run.output, run.output
    assert run.status == OK, run.output         # an ACPI power off, not a reset
    assert "init exited" not in run.output
    assert_clean(run)


def test_reboot_as_init_resets():
    run = run_init("/bin/reboot")
    assert "power: rebooting" in run.output, run.output
    assert run.status == RESET, run.output      # -no-reboot ends QEMU
    assert "init exited" not in run.output
    assert_clean(run)


def test_env_lists_the_environment_with_the_pairs_applied():
    # init's environment is PWD=/; the operands add to it and replace in it.
    run = run_init("/bin/env A=1 B=two=2 PWD=/tmp")
    assert init_status(run) == 0, run.output
    assert records(run) == [{"name": "A", "value": "1"}, {"name": "B", "value": "two=2"},
                            {"name": "PWD", "value": "/tmp"}]


def test_env_runs_a_command_with_that_environment_and_its_status():
    run = run_init("/bin/env GREETING=hi /bin/env")
    assert init_status(run) == 0, run.output
    assert {"name": "GREETING", "value": "hi"} in records(run)
    run = run_init("/bin/env /bin/sh /nope")
    assert "sh: /nope: no such file or directory" in run.output, run.output
    assert init_status(run) == 1
    run = run_init("/bin/env X=1 nope")
    assert "env: nope: no such file or directory" in run.output, run.output
    assert init_status(run) == 1
