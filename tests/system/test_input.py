"""Keyboard and serial input at the driver level: keys injected with QMP
send-key reach the PS/2 driver through IRQ 1, and bytes written to the
serial line reach the serial driver through IRQ 4; with loglevel=debug each
decoded key event is logged as `input: SOURCE key 0xKEY mods 0xMODS`.
(Lines typed into a user program are tested with the console.)"""
import re
import time

import pytest

from qmp import QMP, socket_path

KEY_UP = 0x110000
MOD_SHIFT, MOD_CTRL = 0x1, 0x2


def event(source, key, mods=0):
    return re.escape(f"input: {source} key {key:#x} mods {mods:#x}") + r"\r*\n"


def start(console, tmp_path, *extra):
    """A kernel whose init spins forever (nothing reads the console), with
    the input drivers up and a QMP socket. (Not --no-initrd: the GRUB ISO
    needs an initrd.)"""
    path = socket_path(tmp_path)
    c = console("--qmp", path, "--append", "loglevel=debug init=/test/spin",
                *extra, timeout=60)
    c.expect(r"ps2: keyboard on IRQ 1")
    c.expect(r"serial: input on IRQ 4")
    c.expect(r"kernel: started /test/spin")
    return c, QMP(path)


@pytest.mark.parametrize("machine", ["pc", "q35"])
def test_qmp_keys_arrive_as_key_events(console, tmp_path, machine):
    c, qmp = start(console, tmp_path, "--machine", machine)
    try:
        qmp.send_keys("a")
        c.expect(event("ps2", ord("a")))
        qmp.send_keys("shift-b")
        c.expect(event("ps2", ord("B"), MOD_SHIFT))
        qmp.send_keys("ctrl-c")
        c.expect(event("ps2", 0x03, MOD_CTRL))
        qmp.send_keys("up")
        c.expect(event("ps2", KEY_UP))
        qmp.send_keys("ret")
        c.expect(event("ps2", ord("\n")))
    finally:
        qmp.close()


def test_caps_lock_changes_letters_only(console, tmp_path):
    c, qmp = start(console, tmp_path)
    try:
        qmp.send_keys("caps_lock", "q", "1", "caps_lock", "q")
        c.expect(event("ps2", ord("Q"), 0x8))        # MOD_CAPS
        c.expect(event("ps2", ord("1"), 0x8))
        c.expect(event("ps2", ord("q")))
    finally:
        qmp.close()


def test_serial_bytes_arrive_as_key_events(console, tmp_path):
    c, qmp = start(console, tmp_path)
    qmp.close()
    # Not 0x03: the pty would turn it into SIGINT for QEMU (-serial stdio).
    c.child.send("x\x1b[A\x04\r\n\x7f")
    c.expect(event("serial", ord("x")))
    c.expect(event("serial", KEY_UP))
    c.expect(event("serial", 0x04, MOD_CTRL))
    c.expect(event("serial", ord("\n")))
    c.expect(event("serial", ord("\b")))
    c.child.send("\x1bq")                       # Esc, then a plain q
    c.expect(event("serial", 0x1b))
    c.expect(event("serial", ord("q")))
    c.child.send("\x1b")                        # a lone Esc at the end of a burst
    c.expect(event("serial", 0x1b))
    c.child.send("\x1b[3~é")
    c.expect(event("serial", 0x110006))          # KEY_DELETE
    c.expect(event("serial", 0xe9))
    # Half a sequence that nothing completes is dropped after a pause, so
    # it cannot swallow the key typed next.
    c.child.send("\x1b[1")
    time.sleep(0.3)
    c.child.send("y")
    c.expect(event("serial", ord("y")))


def test_input_works_under_uefi(console, tmp_path):
    c, qmp = start(console, tmp_path, "--iso", "--firmware", "uefi")
    try:
        qmp.send_keys("shift-b")
        c.expect(event("ps2", ord("B"), MOD_SHIFT))
        c.child.send("\x1b[D")
        c.expect(event("serial", 0x110002))      # KEY_LEFT
    finally:
        qmp.close()
