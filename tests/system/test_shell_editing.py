"""The shell's line editor over the serial line: Tab completion of command
names and paths, editing in the middle of a line, and how much it draws.
What reaches the terminal is replayed on a one-line terminal model
(`terminal_rows`), so a test checks what a person would see, and the command
that then runs checks what the editor holds."""
import re

import pytest

# A prompt after a newline, as the editor draws it: CR, prompt, erase.
PROMPT = r"\n\r+(/[^\r\n]*) \$ \x1b\[K"
LEFT, RIGHT, HOME, END, DELETE = "\x1b[D", "\x1b[C", "\x1b[H", "\x1b[F", "\x1b[3~"
BACKSPACE, TAB, BELL = "\x7f", "\t", "\a"
CSI = re.compile(r"\x1b\[(\d*)([A-Za-z])")


def terminal_rows(text):
    """The rows a terminal shows after text, for the bytes the editor
    sends: printable characters, CR, LF, BS, BEL and CSI C, D and K."""
    rows, row, col, i = [], [], 0, 0
    while i < len(text):
        ch = text[i]
        m = CSI.match(text, i)
        if m:
            n = int(m.group(1) or 1)
            final = m.group(2)
            if final == "C":
                col += n
            elif final == "D":
                col = max(0, col - n)
            elif final == "K":
                del row[col:]
            else:
                raise AssertionError(f"unexpected sequence {m.group(0)!r}")
            i = m.end()
            continue
        if ch == "\r":
            col = 0
        elif ch == "\n":
            rows.append("".join(row))
            row, col = [], 0
        elif ch == "\b":
            col = max(0, col - 1)
        elif ch == BELL:
            pass
        else:
            assert ch >= " ", f"unexpected control {ch!r} in {text!r}"
            row.extend(" " * (col - len(row)))
            row[col:col + 1] = [ch]
            col += 1
        i += 1
    rows.append("".join(row))
    return rows


class Shell:
    def __init__(self, console):
        self.c = console(timeout=60)
        self.c.expect(PROMPT)
        self.cwd = self.c.child.match.group(1)
        self.drawn = ""                         # since the prompt, up to the last expect

    def send(self, keys):
        self.c.child.send(keys)

    def expect(self, pattern):
        match = self.c.expect(pattern)
        self.drawn += self.c.child.before + self.c.child.after
        return match

    def enter(self):
        """Enter, then up to the next prompt: the line as the terminal
        showed it (the last row that began with the prompt) and the
        command's output."""
        prompt = f"{self.cwd} $ "
        self.send("\r")
        self.c.expect(PROMPT)
        self.cwd = self.c.child.match.group(1)
        drawn, self.drawn = self.drawn + self.c.child.before, ""
        rows = terminal_rows(prompt + drawn.replace("\r\r\n", "\n"))
        last = max(i for i, r in enumerate(rows) if r.startswith(prompt))
        # The prompt's match took the newline after the output.
        return rows[last][len(prompt):], "".join(r + "\n" for r in rows[last + 1:])

    def run(self, line):
        self.send(line)
        return self.enter()[1]


@pytest.fixture
def sh(console):
    return Shell(console)


def test_tab_completes_a_command_name(sh):
    sh.send("upt" + TAB)
    line, out = sh.enter()
    assert line == "uptime "
    assert re.fullmatch(r"up \d+:\d\d:\d\d, \d+ process(es)?\n", out), out
    # echo is a builtin and /bin/echo: one candidate all the same.
    sh.send("ec" + TAB + "hi")
    assert sh.enter() == ("echo hi", "hi\n")
    # After a | or && the next word is a command again.
    sh.send("echo x | cou" + TAB)
    assert sh.enter()[0] == "echo x | count "
    sh.send("true && upt" + TAB)
    assert sh.enter()[0] == "true && uptime "


def test_tab_completes_a_path_and_a_directory_gets_a_slash(sh):
    sh.send("cat /etc/mo" + TAB)
    assert sh.enter() == ("cat /etc/motd ", "Welcome to Panda OS.\n")
    sh.send("cat /et" + TAB + "mo" + TAB)
    assert sh.enter() == ("cat /etc/motd ", "Welcome to Panda OS.\n")
    sh.send("cat < /etc/mo" + TAB)              # an input file
    assert sh.enter() == ("cat < /etc/motd ", "Welcome to Panda OS.\n")
    sh.send("/bin/upt" + TAB)                   # a '/' in command position: a path
    line, out = sh.enter()
    assert line == "/bin/uptime " and out.startswith("up "), (line, out)


def test_several_candidates_complete_their_common_prefix_then_list(sh):
    assert sh.run("touch /tmp/alpha-one /tmp/alpha-two /tmp/beta") == ""
    sh.run("mkdir /tmp/alpha-dir")
    sh.send("ls /tmp/al" + TAB)
    sh.expect(r"pha-")
    sh.send(TAB)                                # a second Tab lists them
    # Below the line, then the prompt and the line again.
    listing = sh.expect(r"\n(alpha-[^\r\n]*)\r\r\n\r/ \$ ls /tmp/alpha-\x1b\[K")
    assert listing.group(1).split() == ["alpha-dir/", "alpha-one", "alpha-two"]
    sh.send("t" + TAB)
    line, out = sh.enter()
    assert line == "ls /tmp/alpha-two "
    assert out.split()[:4] == ["name", "type", "size", "/tmp/alpha-two"], out


def test_a_second_tab_lists_command_names(sh):
    sh.send("he" + TAB)
    sh.expect(BELL)                             # no progress: several commands
    sh.send(TAB)
    listing = sh.expect(r"\n(head[^\r\n]*)\r\r\n")
    names = listing.group(1).split()
    assert {"head", "help", "hexdump"} <= set(names) and names == sorted(names), names
    sh.send("lp" + TAB)
    assert sh.enter()[0] == "help "


def test_no_candidate_rings_the_bell_and_leaves_the_line(sh):
    sh.send("cat /etc/nope" + TAB)
    sh.expect(BELL)
    assert sh.enter() == ("cat /etc/nope",
                          "cat: /etc/nope: no such file or directory\n[exit 1]\n")
    sh.send("cat /nowhere/x" + TAB)
    sh.expect(BELL)
    assert sh.enter()[0] == "cat /nowhere/x"


def test_relative_paths_complete_beneath_the_working_directory(sh):
    sh.run("cd /etc")
    assert sh.cwd == "/etc"
    sh.send("cat mo" + TAB)
    assert sh.enter() == ("cat motd ", "Welcome to Panda OS.\n")
    sh.send("ls ../bi" + TAB)
    assert sh.enter()[0] == "ls ../bin/"
    sh.send("cat ./../etc/mo" + TAB)
    assert sh.enter()[0] == "cat ./../etc/motd "


def test_names_with_blanks_are_completed_quoted(sh):
    assert sh.run("echo inside > '/tmp/my file'") == ""
    sh.send("cat /tmp/my" + TAB)
    assert sh.enter() == ("cat /tmp/my\\ file ", "inside\n")
    sh.send('cat "/tmp/my' + TAB)
    assert sh.enter() == ('cat "/tmp/my file" ', "inside\n")


def test_editing_in_the_middle_of_a_line(sh):
    sh.send("echo wrld" + LEFT * 3 + "o")
    assert sh.enter() == ("echo world", "world\n")
    sh.send("echo abXcd" + LEFT * 2 + BACKSPACE)
    assert sh.enter() == ("echo abcd", "abcd\n")
    sh.send("echo abXcd" + LEFT * 3 + DELETE)
    assert sh.enter() == ("echo abcd", "abcd\n")
    sh.send("cho abc" + HOME + "e" + END + "d")
    assert sh.enter() == ("echo abcd", "abcd\n")
    sh.send("echo 12345" + HOME + RIGHT * 6 + DELETE + "-" + END + BACKSPACE * 2 + "!")
    assert sh.enter() == ("echo 1-3!", "1-3!\n")
    # Completion in the middle keeps the text after the cursor.
    sh.send("cat /etc/mo | count" + LEFT * 8 + TAB)
    assert sh.enter() == ("cat /etc/motd  | count", "count\n    1\n")


def drawn_bytes(sh, keys):
    """Keys, then Enter: the bytes the guest sent until the next prompt,
    and the command's output."""
    before = len(sh.c.transcript.getvalue())
    sh.send(keys)
    line, out = sh.enter()
    return len(sh.c.transcript.getvalue()) - before, line, out


def test_a_paste_costs_output_in_proportion_to_its_length(sh):
    # Into the middle of a line: each character redraws only the tail.
    paste = "a" * 1000
    total, line, out = drawn_bytes(sh, 'echo ""' + LEFT + paste)
    assert (line, out) == (f'echo "{paste}"', paste + "\n")
    assert total < 3 * len(paste) + len(out) + 200, total
    # Past the end of a line: what does not fit is dropped, and costs nothing.
    total, line, out = drawn_bytes(sh, "echo " + "b" * 1100)
    assert line == "echo " + "b" * 1018 and out == "b" * 1018 + "\n"
    assert total < 1023 + len(out) + 200, total
