"""Issue 15, "any program can kill init": every program the shell started
got a sysinfo handle whose "open" gave RIGHT_KILL over any pid, so `kill 1`
powered the machine off. Now sysinfo gives the kill right only over the
caller and what it started (docs/protocols.md, "Who may kill whom"): a
program cannot stop init or the shell above it, and the shell's `kill`
still ends its jobs."""
import re
import time

from test_shell import Shell, table


def test_a_program_started_from_the_shell_cannot_kill_init(console):
    sh = Shell(console)
    out = sh.run("/test/kill-init", timeout=60)
    assert "kill-init: FAIL" not in out, out
    assert re.search(r"^kill-init: \d+ checks passed$", out, re.M), out
    for check in ["init-kill-eacces", "parent-kill-eacces", "child-kill-by-pid",
                  "orphan-kill-by-pid"]:
        assert f"kill-init: ok {check}" in out, out
    assert sh.run("/bin/kill 1") == "kill: 1: permission denied\n[exit 1]\n"
    # The system stays up: init and the shell are still there.
    _, rows = table(sh.run("ps | where pid < 3"))
    assert [r[1] for r in rows] == ["init", "sh"], rows
    assert "init was killed" not in sh.c.transcript.getvalue()


def test_a_child_cannot_kill_its_parent_shell(console):
    sh = Shell(console)
    pid = sh.run("echo $$").strip()
    assert sh.run(f"/bin/kill {pid}") == f"kill: {pid}: permission denied\n[exit 1]\n"
    assert sh.run("echo $$").strip() == pid        # the same shell answers


def test_the_shell_kills_its_own_jobs(console):
    sh = Shell(console)
    # A builtin, like cd: the error, and $? (no "[exit 1]" line).
    assert sh.run("kill 1") == "kill: 1: permission denied\n"
    assert sh.run("echo $?") == "1\n"
    assert sh.run("sleep 100 &") == "[1] started\n"
    _, rows = table(sh.run("ps | where name = sleep | select pid"))
    out = sh.run(f"kill {rows[0][0]}")
    time.sleep(0.5)
    assert out + sh.run("") == "[1] done (killed)  sleep 100 &\n"
    assert sh.run("sleep 100 | count &") == "[2] started\n"
    out = sh.run("kill %2")
    time.sleep(0.5)
    assert out + sh.run("") == "[2] done (killed)  sleep 100 | count &\n"
    assert sh.run("kill %7") == "kill: %7: no such job\n"
    assert sh.run("kill %x") == "kill: %x: not a pid or %job\nsh: kill: usage: kill PID|%N...\n"
