"""The shell at the prompt, driven as a person would: through the serial
line (and, for the arrow keys, also through the PS/2 keyboard by QMP).
Each session boots the default system (init starts /bin/sh), types lines
and reads what comes back before the next prompt."""
import re
import time

import pexpect
import pytest

from conftest import OK, RESET
from qmp import QMP, socket_path

# The editor draws its line from the start: CR, prompt, erase to the end.
# A new prompt follows a newline; a redraw (Ctrl-U) of an empty line does not.
PROMPT = r"\n\r+(/[^\r\n]*) \$ \x1b\[K"
UP = "\x1b[A"


class Shell:
    def __init__(self, console, *args, timeout=60):
        self.c = console(*args, timeout=timeout)
        self.c.expect(PROMPT)
        self.cwd = self.c.child.match.group(1)

    def run(self, line, timeout=30):
        """Types line and Enter; returns the output up to the next prompt,
        without the echoed line, newlines as \\n."""
        self.c.child.send(line + "\r")
        return self.wait(timeout)

    def wait(self, timeout=30):
        self.c.expect(PROMPT, timeout=timeout)
        self.cwd = self.c.child.match.group(1)
        # The echoed line, then the output; the prompt took the last newline.
        text = self.c.child.before.replace("\r", "")
        return text.split("\n", 1)[1] + "\n" if "\n" in text else ""

    def send(self, data):
        self.c.child.send(data)


@pytest.fixture
def sh(console):
    return Shell(console)


def test_builtins_and_quoting(sh):
    assert sh.run("echo hello") == "hello\n"
    assert sh.run("""echo "a  b" 'c|d' e\\ f "" x""") == "a  b c|d e f  x\n"
    assert sh.run("pwd") == "/\n"
    sh.run("cd /tmp")
    assert sh.cwd == "/tmp"
    assert sh.run("pwd") == "/tmp\n"
    assert sh.run("cd /nope") == "sh: cd: /nope: no such file or directory\n"
    assert sh.cwd == "/tmp"
    assert sh.run("cd /etc/panda-release") == "sh: cd: /etc/panda-release: not a directory\n"
    sh.run("cd ..")
    assert sh.cwd == "/"
    sh.run("cd bin")
    assert sh.cwd == "/bin"
    sh.run("cd")
    assert sh.cwd == "/"
    assert "Builtins: cd" in sh.run("help")
    assert sh.run("echo 'unterminated") == "sh: unterminated '\n"
    history = sh.run("history")
    assert re.search(r"^\s+1  echo hello$", history, re.M), history
    assert re.search(r"^\s+\d+  history$", history, re.M), history


def test_programs_their_status_and_errors(sh):
    assert sh.run("nope") == "sh: nope: command not found\n"
    assert sh.run("/bin/nope") == "sh: /bin/nope: no such file or directory\n"
    # A bare name is a program in /bin; the test programs are in /test.
    assert sh.run("sleep x") == "sleep: usage: sleep SECONDS\n[exit 2]\n"
    assert sh.run("sleep 0") == ""
    assert sh.run("exit-code 3") == "sh: exit-code: command not found\n"
    assert "hello: argv[1] = \"a b\"" in sh.run("/test/hello 'a b'")
    assert sh.run("/test/exit-code 4") == "[exit 4]\n"
    sh.run("cd /test")
    assert sh.run("./exit-code 5") == "[exit 5]\n"


def test_a_crashing_program_leaves_the_shell_working(sh):
    out = sh.run("/test/crash null")
    assert "[crashed]" in out, out
    assert sh.run("echo still here") == "still here\n"


def test_a_first_stage_reads_the_console_a_line_per_record(sh):
    sh.send("cat | count\r")
    time.sleep(0.5)
    sh.send("one\r")
    sh.send("two\r")
    time.sleep(0.3)
    sh.send("\x04")                             # Ctrl-D: end of input
    assert sh.wait().endswith("count\n    2\n")


def test_a_line_typed_while_a_program_runs_is_the_next_command(sh):
    sh.send("sleep 1\r")
    time.sleep(0.3)
    sh.send("echo typed ahead " + "x" * 200 + "\r")     # longer than a key message
    sh.wait()                                            # sleep's prompt
    assert sh.wait() == "typed ahead " + "x" * 200 + "\n"
    assert sh.run("echo after") == "after\n"


def test_a_program_cannot_take_the_console_from_the_shell(sh):
    # console-echo ctrl-c names a foreground process of its own: refused.
    out = sh.run("/test/console-echo ctrl-c", timeout=10)
    assert out == "console-echo: foreground: permission denied\n[exit 1]\n", out
    sh.send("echo dropped\x03")                 # Ctrl-C at the prompt is the shell's
    assert "dropped" not in sh.wait(timeout=10).replace("echo dropped", "")


def test_bad_lines_get_clear_errors(sh):
    assert sh.run("ls /bin |") == "sh: missing command after |\n"
    assert sh.run("| ls") == "sh: missing command before |\n"
    assert sh.run("ls >") == "sh: missing file name after >\n"
    assert sh.run("a|b|c|d|e|f|g|h|i") == "sh: too many commands in the pipeline\n"
    assert sh.run("/etc/motd") == "sh: /etc/motd: not an executable\n"
    assert sh.run("cd /etc/motd /tmp") == "sh: cd: usage: cd [dir | -]\n"
    assert sh.run("cd /tmp | ls") == "sh: cd: works only alone: not piped, redirected or in the background\n"
    # A pasted line longer than a line may be: cut at 1023 bytes, still run.
    out = sh.run("x" * 1100)
    assert out == "sh: " + "x" * 1023 + ": name too long\n", out[-80:]
    assert sh.run("echo fine") == "fine\n"


def test_exit_ends_the_shell_and_init_starts_another(sh):
    sh.run("cd /tmp")
    sh.send("exit\r")
    sh.wait()
    assert sh.cwd == "/"                    # a fresh shell
    assert sh.run("echo again") == "again\n"


def test_ctrl_c_stops_the_foreground_program(sh):
    sh.send("sleep 100\r")
    time.sleep(1.0)
    start = time.monotonic()
    sh.send("\x03")
    out = sh.wait(timeout=10)
    assert "[interrupted]" in out, out
    assert time.monotonic() - start < 5
    # Also a whole pipeline, and Ctrl-C at the prompt just drops the line.
    sh.send("sleep 100 | count\r")
    time.sleep(1.0)
    sh.send("\x03")
    assert "[interrupted]" in sh.wait(timeout=10)
    sh.send("echo never\x03")
    assert "never" not in sh.wait(timeout=10).replace("echo never", "")
    assert sh.run("echo after") == "after\n"


def test_background_job(sh):
    out = sh.run("sleep 1 &")
    assert out == "[1] started\n", out
    assert sh.run("jobs") == "[1] running  sleep 1 &\n"
    time.sleep(2.5)
    assert sh.run("") == "[1] done  sleep 1 &\n"
    assert sh.run("jobs") == ""
    out = sh.run("/test/exit-code 7 &")
    time.sleep(1.0)
    assert sh.run("") == "[2] done (exit 7)  /test/exit-code 7 &\n"


def test_history_recall_with_the_up_arrow_over_serial(sh):
    down = "\x1b[B"
    sh.run("echo first")
    sh.run("echo second")
    assert sh.run(UP) == "second\n"            # the same line again: not added
    assert sh.run(UP + UP) == "first\n"
    assert sh.run(UP + UP + UP + UP) == "first\n"  # first, second, first; then no older
    assert sh.run(UP + UP + down) == "first\n"
    # What was being typed comes back after browsing.
    assert sh.run("echo typed" + UP + UP + down + down) == "typed\n"


def test_line_editing_keys_over_serial(sh):
    left, right, home, end, delete = "\x1b[D", "\x1b[C", "\x1b[H", "\x1b[F", "\x1b[3~"
    assert sh.run("echo wrld" + left * 3 + "o") == "world\n"
    assert sh.run("cho abc" + home + "e") == "abc\n"
    assert sh.run("echo abXc" + left * 2 + delete + end + "d") == "abcd\n"
    assert sh.run("echo abcX\x7f") == "abc\n"                     # backspace
    assert sh.run("echo ab" + left * 2 + right + "-") == "a-b\n"
    assert sh.run("echo junk\x15echo kept") == "kept\n"          # Ctrl-U


def test_history_recall_through_the_ps2_keyboard(console, tmp_path):
    path = socket_path(tmp_path)
    sh = Shell(console, "--qmp", path)
    qmp = QMP(path)
    try:
        sh.run("echo from serial")
        qmp.send_keys("up")
        time.sleep(0.5)
        qmp.send_keys("ret")
        assert sh.wait() == "from serial\n"
        # Typed on the keyboard, then recalled and edited there.
        qmp.send_keys("e", "c", "h", "o", "spc", "k", "b", "d", "ret")
        assert sh.wait() == "kbd\n"
        qmp.send_keys("up", "left", "left", "left", "shift-x", "ret")
        assert sh.wait() == "Xkbd\n"
    finally:
        qmp.close()


def table(out):
    """A rendered table as its header and rows, split on runs of blanks."""
    lines = [l.split() for l in out.splitlines() if l.strip()]
    return lines[0], lines[1:]


def test_a_three_stage_pipeline_filters_and_sorts_records(sh):
    header, rows = table(sh.run("ls /bin | where size > 50000 | sort size"))
    assert header == ["name", "type", "size"]
    sizes = [int(r[2]) for r in rows]
    assert len(sizes) > 1 and sizes == sorted(sizes) and min(sizes) > 50000
    names = {r[0] for r in rows}
    _, everything = table(sh.run("ls /bin"))
    assert names == {r[0] for r in everything if int(r[2]) > 50000}
    assert {"sh", "ls", "init"} <= {r[0] for r in everything}
    # sort -r and head: the biggest program first, then only one row.
    _, biggest = table(sh.run("ls /bin | sort -r size | head 1"))
    assert len(biggest) == 1 and int(biggest[0][2]) == max(int(r[2]) for r in everything)
    assert sh.run("ls /bin | count") == f"count\n{len(everything):>5}\n"
    assert table(sh.run("ls /bin | select size name | head 2"))[0] == ["size", "name"]
    json_lines = sh.run("ls /bin | head 2 | json").splitlines()
    assert len(json_lines) == 2 and all(l.startswith('{"name":') for l in json_lines)
    assert sh.run("ls /bin | where name = nope | count") == "count\n    0\n"


def test_file_utilities_and_redirection(sh):
    sh.run("mkdir /tmp/d")
    sh.run("cd /tmp/d")
    assert sh.run("touch a") == ""
    assert sh.run("echo hello > b") == ""
    assert sh.run("echo again >> b") == ""
    assert sh.run("cat b") == "hello\nagain\n"
    assert sh.run("cp b c") == ""
    assert sh.run("mv c /tmp/d/e") == ""
    header, rows = table(sh.run("ls"))
    assert header == ["name", "type", "size"]
    assert rows == [["a", "file", "0"], ["b", "file", "12"], ["e", "file", "12"]]
    assert "modified" in sh.run("ls -l")
    header, rows = table(sh.run("stat e"))
    assert header[:3] == ["name", "type", "size"] and rows[0][:3] == ["e", "file", "12"]
    assert sh.run("hexdump b").startswith("00000000  68 65 6c 6c 6f 0a 61 67")
    sh.run("ls /bin > listing")
    assert sh.run("cat listing").startswith("name")
    assert sh.run("cat /nope") == "cat: /nope: no such file or directory\n[exit 1]\n"
    assert sh.run("rmdir /tmp/d") == "rmdir: /tmp/d: directory not empty\n[exit 1]\n"
    assert sh.run("echo x > /nope/f") == "sh: /nope/f: no such file or directory\n"
    assert sh.run("rm a b e listing") == ""
    sh.run("cd /")
    assert sh.run("rmdir /tmp/d") == ""
    assert sh.run("ls /tmp/d") == "ls: /tmp/d: no such file or directory\n[exit 1]\n"
    assert sh.run("ls -h").startswith("usage: ls")


def test_process_and_system_utilities(sh):
    header, rows = table(sh.run("ps"))
    assert header[:5] == ["pid", "name", "state", "memory", "cpu"]
    assert {"init", "sh", "ps"} <= {r[1] for r in rows}
    header, rows = table(sh.run("free"))
    assert header[:3] == ["total", "used", "free"]
    total, used, free = (int(v) for v in rows[0][:3])
    assert used + free == total and 100 << 20 < total <= 128 << 20
    assert re.fullmatch(r"up \d+:\d\d:\d\d, \d+ process(es)?\n", sh.run("uptime"))
    start = time.monotonic()
    assert sh.run("sleep 1") == ""
    assert time.monotonic() - start >= 1.0
    assert sh.run("sleep 100 &") == "[1] started\n"
    _, rows = table(sh.run("ps | where name = sleep | select pid"))
    assert len(rows) == 1
    out = sh.run(f"kill {rows[0][0]}")          # the job may end before the prompt
    time.sleep(0.5)
    assert out + sh.run("") == "[1] done (killed)  sleep 100 &\n"
    assert sh.run("kill 9999") == "kill: 9999: no such file or directory\n"   # a builtin


def test_poweroff_ends_qemu(sh):
    sh.send("poweroff\r")
    sh.c.expect("power: powering off")
    sh.c.child.expect(pexpect.EOF)
    sh.c.child.close()
    assert sh.c.child.exitstatus == OK         # an ACPI power off, not a reset


def test_reboot_resets_the_machine(sh):
    sh.send("reboot\r")
    sh.c.expect("power: rebooting")
    sh.c.child.expect(pexpect.EOF)
    sh.c.child.close()
    assert sh.c.child.exitstatus == RESET      # -no-reboot: a reset ends QEMU
