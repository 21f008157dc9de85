"""Debian's busybox-static on Panda OS (docs/posix.md, "busybox"): the
binary the package installs, unmodified, is every initrd's
/posix/bin/busybox.

- The acceptance script (tests/posix/busybox/accept.sh) runs under its
  `sh` on the host and on Panda OS over the same starting files; the two
  must print the same bytes.
- Its `sh` is interactive on the console: a prompt, line editing, applets,
  `exit` back to the Panda shell.
- From the Panda shell its applets take part in record pipelines, and as a
  pipeline's last stage it writes to the console itself, a terminal."""
import difflib
import os
import re
import shutil
import subprocess
import tempfile

from conftest import OK, ROOT, boot
from test_shell import Shell, sh  # noqa: F401 (sh: the fixture)

BUSYBOX = "/bin/busybox"          # busybox-static, as tools/install-deps installs it
SCRIPT = os.path.join(ROOT, "tests", "posix", "busybox", "accept.sh")
BUSYBOX_PROMPT = r"/[^\r\n]* # "
LEFT = "\x1b[D"


def without_log(text):
    """Output without the personality's log lines (part 1 has no signal
    handlers and no process groups, and says so when ash asks)."""
    return "".join(l for l in text.splitlines(True) if not re.match(r"posix: pid \d+ ", l))


def accept_lines(text):
    """The script's part of an output, from its first marker to its last."""
    lines = text.replace("\r", "").split("\n")
    start = lines.index("=== begin accept")
    end = lines.index("=== end accept")
    return lines[start:end + 1]


def test_acceptance_script_prints_on_panda_what_it_prints_on_the_host():
    # The working directory's name is printed, so it is "accept" on both.
    base = tempfile.mkdtemp(prefix="panda-accept-")
    try:
        host = subprocess.run([BUSYBOX, "sh", SCRIPT, os.path.join(base, "accept")], cwd=base,
                              capture_output=True, text=True, timeout=120)
    finally:
        shutil.rmtree(base)
    assert host.returncode == 0, host.stderr
    expected = accept_lines(host.stdout)
    assert len(expected) > 150, host.stdout

    run = boot("--mem", "256", "--add", f"{SCRIPT}:/test/posix/accept.sh",
               "--append", 'init="/posix/bin/busybox sh /test/posix/accept.sh /tmp/accept"',
               timeout=300)
    assert run.status == OK, run.output
    got = accept_lines(run.output)
    assert got == expected, "\n".join(difflib.unified_diff(expected, got, "host", "panda",
                                                           lineterm=""))


def test_busybox_sh_is_interactive_on_the_console(console):
    sh = Shell(console)
    sh.send("busybox sh\r")
    sh.c.expect(BUSYBOX_PROMPT)
    sh.send("echo hi there\r")
    sh.c.expect(r"\nhi there\r*\n")
    sh.c.expect(BUSYBOX_PROMPT)
    # Line editing: the cursor goes back three characters and an 'o' goes in.
    sh.send("echo wrld" + LEFT * 3 + "o\r")
    sh.c.expect(r"\nworld\r*\n")
    sh.c.expect(BUSYBOX_PROMPT)
    sh.send("ls /posix/bin; seq 3 | wc -l\r")
    sh.c.expect(r"\nbusybox\r*\n")
    sh.c.expect(r"\n\s*3\r*\n")
    sh.c.expect(BUSYBOX_PROMPT)
    sh.send("[ -t 0 ] && [ -t 1 ] && echo on a terminal\r")
    sh.c.expect(r"\non a terminal\r*\n")
    sh.c.expect(BUSYBOX_PROMPT)
    sh.send("exit\r")
    sh.wait()
    assert sh.run("echo back in panda") == "back in panda\n"


def test_applets_in_record_pipelines(sh):
    listed = sh.run("ls /bin | count")
    assert sh.run("ls /bin | busybox wc -l").strip() == listed.strip().split()[-1], listed
    # 7, 17, ..., 67, 70 to 79, 87 and 97.
    assert sh.run("busybox seq 1 100 | where text ~ 7 | count").split()[-1] == "19"
    names = sorted(os.listdir(os.path.join(ROOT, "build", "initrd-root", "bin")))
    head = sh.run("busybox ls /bin | head 3")
    assert head.split() == names[:3], head


def test_a_linux_program_ending_a_pipeline_has_the_terminal(sh):
    def run(line):
        return without_log(sh.run(line))

    assert run("busybox sh -c '[ -t 1 ] && echo terminal'") == "terminal\n"
    assert run("busybox sh -c '[ -t 1 ] || echo not one' | cat") == "not one\n"
    run("busybox echo into a file > /tmp/out.txt")
    run("busybox echo and more >> /tmp/out.txt")
    assert run("busybox cat /tmp/out.txt") == "into a file\nand more\n"


def test_execve_renames_the_process_ps_shows(sh):
    sh.run("cp /posix/bin/busybox /tmp/napper")
    sh.run("busybox sh -c 'exec /tmp/napper sleep 5' &")
    names = without_log(sh.run("ps | select name | json"))
    assert '"napper"' in names, names
    sh.run("kill %1")
