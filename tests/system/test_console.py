"""The console's input: keys typed on the PS/2 keyboard (injected through
QMP send-key) and bytes written to the serial line reach a user program
(/test/console-echo) as lines, through the line discipline: echo,
Backspace, Ctrl-U, Ctrl-D, raw mode, and Ctrl-C for the foreground process."""
from conftest import OK
from qmp import QMP, socket_path

READY = "console-echo: ready"


def start(console, tmp_path, command, qmp=False, timeout=60):
    args = ["--append", f'init="{command}"']
    path = socket_path(tmp_path) if qmp else None
    if qmp:
        args = ["--qmp", path] + args
    c = console(*args, timeout=timeout)
    c.expect(READY)
    return c, (QMP(path) if qmp else None)


def test_serial_bytes_arrive_as_lines(console, tmp_path):
    c, _ = start(console, tmp_path, "/test/console-echo 3")
    c.child.send("hello\r")
    c.expect(r'console-echo: line "hello"')
    c.child.send("abc\x7fd\r")                      # DEL erases the c
    c.expect(r'console-echo: line "abd"')
    c.child.send("junk\x15ok\r")                     # Ctrl-U erases the line
    c.expect(r'console-echo: line "ok"')
    c.expect(r"init exited with status 0")


def test_typed_characters_are_echoed(console, tmp_path):
    c, _ = start(console, tmp_path, "/test/console-echo 1")
    c.child.send("xy")
    c.expect("xy")
    c.child.send("\r")
    c.expect(r'console-echo: line "xy"')


def test_ctrl_d_ends_input(console, tmp_path):
    c, _ = start(console, tmp_path, "/test/console-echo 5")
    c.child.send("\x04")
    c.expect("console-echo: end of input")
    c.expect(r"init exited with status 0")


def test_keyboard_keys_arrive_as_a_line(console, tmp_path):
    c, qmp = start(console, tmp_path, "/test/console-echo 1", qmp=True)
    try:
        qmp.send_keys("shift-h", "e", "l", "l", "p", "backspace", "o", "spc",
                      "shift-w", "o", "r", "l", "d", "shift-1", "ret")
        c.expect(r'console-echo: line "Hello World!"')
        c.expect(r"init exited with status 0")
    finally:
        qmp.close()


def test_ctrl_c_on_serial_interrupts_the_foreground_process(console, tmp_path):
    c, _ = start(console, tmp_path, "/test/console-echo ctrl-c")
    c.child.send("\x03")
    c.expect("console-echo: child ended: interrupted")
    c.expect(r"init exited with status 0")


def test_ctrl_c_on_the_keyboard_interrupts_the_foreground_process(console, tmp_path):
    c, qmp = start(console, tmp_path, "/test/console-echo ctrl-c", qmp=True)
    try:
        qmp.send_keys("ctrl-c")
        c.expect("console-echo: child ended: interrupted")
    finally:
        qmp.close()


def test_raw_mode_delivers_single_keys(console, tmp_path):
    c, qmp = start(console, tmp_path, "/test/console-echo raw 3", qmp=True)
    try:
        c.child.send("\x1b[A")                       # an arrow, from the serial line
        c.expect(r"console-echo: key 0x110000 mods 0x0")
        c.child.send("q")
        c.expect(r"console-echo: key 0x71 mods 0x0")
        qmp.send_keys("shift-a")                    # and from the keyboard
        c.expect(r"console-echo: key 0x41 mods 0x1")
        c.expect(r"init exited with status 0")
    finally:
        qmp.close()
