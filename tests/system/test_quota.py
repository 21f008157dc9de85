"""Issue 15, "no quotas or accounting": one process tree could take every
kernel-stack slot, every frame and every process, parked replies held
handles past the 4,096-handle limit, and the OOM killer killed a
bystander for memory a flooder held in channel queues. Now every tree has
limits (docs/memory.md, "Quotas"); /test/quota-test drives each one from
the shell, which must keep working."""
import re

from test_shell import Shell, table


def checks(out, program="quota-test"):
    assert f"{program}: FAIL" not in out, out
    assert re.search(rf"^{program}: \d+ checks passed$", out, re.M), out


def test_each_limit_stops_a_runaway_child_and_the_shell_keeps_working(console):
    sh = Shell(console)
    out = sh.run("/test/quota-test limits", timeout=120)
    checks(out)
    for what in ["processes", "threads", "handles", "mappings", "kernel-memory"]:
        assert f"quota-test: ok {what}-edquot-at-the-limit (EDQUOT)" in out, out
    assert "quota-test: ok parked-replies-edquot-at-the-handle-limit (EDQUOT)" in out, out
    assert re.search(r"pid \d+ \(quota-test\) killed: over its tree's memory limit", out), out
    assert "quota-test: ok usage-back-to-this-process-alone" in out, out
    # The shell is still there, and can still start programs.
    assert sh.run("echo still here") == "still here\n"
    assert "quota-test" not in sh.run("ps")
    # The limits record: init's tree has every kernel-stack slot, the
    # shell's seven eighths of them (init keeps the rest).
    _, rows = table(sh.run("ps -l | where pid < 3 | select pid processes_max handles_max"))
    assert rows == [["1", "1024", "65536"], ["2", "896", "57344"]], rows


def test_parked_replies_never_hold_more_than_the_handle_limit(console):
    # Before the limits, 6,000 replies parked with a file handle each.
    sh = Shell(console)
    out = sh.run("/test/quota-test parked", timeout=120)
    checks(out)
    m = re.search(r"quota-test: (\d+) replies parked with handles beside (\d+) in the table",
                  out)
    assert m and 0 < int(m.group(1)) + int(m.group(2)) <= 4096, out
    assert sh.run("echo still here") == "still here\n"


def test_the_oom_killer_picks_the_flooder_never_the_bystander(console):
    sh = Shell(console)
    out = sh.run("/test/quota-test oom", timeout=120)
    checks(out)
    m = re.search(r"quota-test: bystander pid (\d+), flooder pid (\d+)", out)
    assert m, out
    bystander, flooder = m.group(1), m.group(2)
    log = sh.c.transcript.getvalue()
    kills = re.findall(r"oom: no memory for pid \d+ \([^)]*\); killed pid (\d+) \(quota-test\), "
                       r"the most over its share: \d+ pages charged, \d+ permille", log)
    assert kills and set(kills) == {flooder}, log
    assert bystander not in kills
    assert "quota-test: ok the-bystander-kept-its-memory" in out, out
    assert sh.run("echo still here") == "still here\n"
