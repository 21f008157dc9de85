"""The screen: the kernel log on VGA text mode and on a GRUB framebuffer.

Each boot runs /test/spin as init, so the machine stays up while the test
reads the screen through QMP: the VGA text buffer with `xp` (text mode) or
a `screendump` (both). What the screen must show is worked out from the
serial output, which carries the same log: the banner (re-printed when the
screen comes up), then every line after the `screen:` line.
"""

import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import QEMU_RUN, ROOT, assert_cases_passed, selftest
from qmp import QMP

FONT = os.path.join(ROOT, "tools", "font", "panda-8x16.txt")
BANNER = re.compile(r"^Panda OS \S+: \d+ MiB usable memory$", re.M)
FG, BG = (0xaa, 0xaa, 0xaa), (0, 0, 0)        # VGA light grey on black
CURSOR_ROWS = 2                               # the framebuffer cursor: an underline


# --- a machine we can look at ---------------------------------------------------

class Machine:
    """tools/qemu-run with a QMP socket; serial output is collected in the
    background. close() kills the runner's whole process group."""

    def __init__(self, *args, timeout=90):
        self.dir = tempfile.mkdtemp(prefix="panda-screen-")   # short: socket path limit
        self.sock_path = os.path.join(self.dir, "qmp.sock")
        self.proc = subprocess.Popen(
            [QEMU_RUN, "--timeout", str(timeout), "--qmp", self.sock_path, *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            start_new_session=True)
        self.chunks = []
        self.last_output = time.monotonic()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        self.qmp_client = None

    def _read(self):
        while True:
            data = os.read(self.proc.stdout.fileno(), 4096)
            if not data:
                return
            self.chunks.append(data)
            self.last_output = time.monotonic()

    @property
    def output(self):
        return b"".join(self.chunks).decode(errors="replace").replace("\r", "")

    def wait_for(self, text, timeout=60):
        deadline = time.monotonic() + timeout
        while text not in self.output:
            if self.proc.poll() is not None and not self.reader.is_alive():
                pytest.fail(f"QEMU ended (status {self.proc.returncode}) before "
                            f"{text!r}:\n{self.output}")
            if time.monotonic() > deadline:
                pytest.fail(f"no {text!r} within {timeout} s:\n{self.output}")
            time.sleep(0.05)

    def settle(self, quiet=0.5, timeout=10):
        """Waits until the serial output has been quiet for `quiet` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() - self.last_output < quiet and time.monotonic() < deadline:
            time.sleep(0.05)

    def qmp(self, command, **arguments):
        if self.qmp_client is None:
            try:
                self.qmp_client = QMP(self.sock_path, timeout=15)
            except OSError as e:
                pytest.fail(f"no QMP socket at {self.sock_path} ({e}):\n{self.output}")
        try:
            return self.qmp_client.execute(command, **arguments)
        except (RuntimeError, ValueError) as e:
            pytest.fail(f"QMP {command}: {e}:\n{self.output}")

    def screendump(self):
        """The screen as (width, height, RGB bytes)."""
        path = os.path.join(self.dir, "screen.ppm")
        self.qmp("screendump", filename=path)
        with open(path, "rb") as f:
            data = f.read()
        magic, dims, maxval, pixels = data.split(b"\n", 3)
        assert magic == b"P6" and maxval == b"255", data[:20]
        width, height = map(int, dims.split())
        assert len(pixels) == width * height * 3
        return width, height, pixels

    def text_rows(self, cols=80, rows=25, phys=0xb8000):
        """The VGA text buffer as strings (non-ASCII shown as '~')."""
        dump = self.qmp("human-monitor-command",
                        **{"command-line": f"xp /{cols * rows}hx {phys:#x}"})
        cells = [int(v, 16) for line in dump.splitlines() if ":" in line
                 for v in re.findall(r"0x([0-9a-f]+)", line.split(":", 1)[1])]
        assert len(cells) == cols * rows, dump[:400]
        chars = "".join(chr(c & 0xff) if 0x20 <= c & 0xff < 0x7f else "~" for c in cells)
        return [chars[r * cols:(r + 1) * cols] for r in range(rows)]

    def close(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        if self.qmp_client:
            self.qmp_client.close()
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def machine():
    """Factory for Machines, all killed when the test ends."""
    started = []

    def start(*args, **kwargs):
        m = Machine(*args, **kwargs)
        started.append(m)
        return m
    yield start
    for m in started:
        m.close()


# --- what the screen should show -------------------------------------------------

def screen_text(output):
    """The text the screen got: the banner, then the log after `screen:`."""
    banner = BANNER.search(output)
    assert banner, f"no banner in the serial output:\n{output}"
    m = re.search(r"^screen: .*\n", output, re.M)
    assert m, f"no screen: line in the serial output:\n{output}"
    return banner.group(0) + "\n" + output[m.end():]


def expected_rows(text, cols, rows):
    """What a `cols` x `rows` screen shows after `text`: lines wrap (a full
    line does not add a blank one), the bottom line scrolls, and the cursor
    row after the last newline is blank. Returns (rows, cursor row)."""
    lines = []
    for line in text.split("\n"):
        line = line.expandtabs(8)
        chunks = [line[i:i + cols] for i in range(0, len(line), cols)] or [""]
        lines.extend(chunk.ljust(cols) for chunk in chunks)
    lines = lines[-rows:]
    cursor = len(lines) - 1
    return lines + [" " * cols] * (rows - len(lines)), cursor


def screen_kind(output):
    m = re.search(r"^screen: (.*)$", output, re.M)
    assert m, f"the kernel found no screen:\n{output}"
    fb = re.match(r"(\d+)x(\d+)x(\d+) framebuffer", m.group(1))
    if fb:
        return "fb", int(fb.group(1)), int(fb.group(2))
    text = re.match(r"VGA text mode, (\d+)x(\d+) characters", m.group(1))
    assert text, f"unexpected screen line: {m.group(0)}"
    return "text", int(text.group(1)), int(text.group(2))


def assert_not_blank(width, height, pixels):
    background = pixels[:3]
    differing = sum(1 for i in range(0, len(pixels), 3) if pixels[i:i + 3] != background)
    assert differing > 500, f"the {width}x{height} screen is blank"


def check_text_screen(m, cols, rows):
    got = m.text_rows(cols, rows)
    want, _ = expected_rows(screen_text(m.output), cols, rows)
    assert got == want, "screen:\n" + "\n".join(got) + "\nexpected:\n" + "\n".join(want)
    assert_not_blank(*m.screendump())
    return got


# --- the font, for framebuffer pixels -----------------------------------------------

def read_font():
    """{character: 16 rows of 8 booleans}; the placeholder is under None."""
    glyphs = {}
    with open(FONT, encoding="utf-8") as f:
        lines = f.read().split("\n")
    i = 0
    while i < len(lines):
        m = re.match(r"= U\+([0-9A-F]+)", lines[i])
        if not m:
            i += 1
            continue
        code = int(m.group(1), 16)
        rows = [[c == "#" for c in row] for row in lines[i + 1:i + 17]]
        assert len(rows) == 16 and all(len(r) == 8 for r in rows), lines[i]
        glyphs[None if code == 0xfffd else chr(code)] = rows
        i += 17
    return glyphs


def render_row(font, text, cursor_col=None):
    """16 scan lines (RGB bytes) of one text row drawn with our font."""
    fg, bg = bytes(FG), bytes(BG)
    lines = []
    for r in range(16):
        line = bytearray()
        for col, ch in enumerate(text):
            bits = font.get(ch, font[None])[r]
            if col == cursor_col and r >= 16 - CURSOR_ROWS:
                bits = [True] * 8
            for on in bits:
                line += fg if on else bg
        lines.append(bytes(line))
    return lines


def check_framebuffer_screen(m, width, height):
    font = read_font()
    w, h, pixels = m.screendump()
    assert (w, h) == (width, height)
    stride = w * 3

    # The banner's pixels, in one of the first text rows.
    banner = BANNER.search(m.output).group(0)
    want = render_row(font, banner)
    span = len(banner) * 8 * 3
    found = [y for y in range(0, 5 * 16)
             if all(pixels[(y + r) * stride:(y + r) * stride + span] == want[r]
                    for r in range(16))]
    assert found, f"the banner {banner!r} is not drawn in the first rows"

    # Every text row, the cursor included, matches the log.
    cols, rows = width // 8, height // 16
    text_rows, cursor = expected_rows(screen_text(m.output), cols, rows)
    bad = []
    for row, text in enumerate(text_rows):
        cursor_col = 0 if row == cursor else None
        for r, line in enumerate(render_row(font, text, cursor_col)):
            y = row * 16 + r
            if pixels[y * stride:y * stride + len(line)] != line:
                bad.append(f"row {row} {text.rstrip()!r}")
                break
    assert not bad, "rows drawn wrong: " + ", ".join(bad)


# --- GRUB images ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def video_iso(tmp_path_factory):
    """A GRUB ISO like tools/mkiso's, but with GRUB's video drivers loaded
    (all_video) and a 1024x768x32 mode asked for, and init=/test/spin."""
    if not shutil.which("grub-mkrescue"):
        pytest.skip("grub-mkrescue is not installed; run tools/install-deps")
    base = tmp_path_factory.mktemp("video-iso")
    stage = base / "stage"
    (stage / "boot" / "grub").mkdir(parents=True)
    shutil.copy(os.path.join(ROOT, "build", "panda.elf"), stage / "boot" / "panda.elf")
    shutil.copy(os.path.join(ROOT, "build", "initrd.tar"), stage / "boot" / "initrd.tar")
    (stage / "boot" / "grub" / "grub.cfg").write_text(
        "set timeout=0\n"
        "insmod all_video\n"
        "set gfxpayload=1024x768x32,auto\n"
        'menuentry "Panda OS" {\n'
        "\tmultiboot2 /boot/panda.elf init=/test/spin\n"
        "\tmodule2 /boot/initrd.tar initrd\n"
        "\tboot\n"
        "}\n")
    iso = base / "video.iso"
    run = subprocess.run(
        ["grub-mkrescue", "-o", str(iso), "--compress=xz", "--fonts=", "--locales=",
         "--themes=", "--install-modules=normal multiboot2 iso9660 part_msdos part_gpt all_video",
         str(stage)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120)
    assert run.returncode == 0, run.stdout.decode(errors="replace")
    return str(iso)


def boot_first(iso):
    """QEMU arguments that attach `iso` as a second CD and boot from it."""
    return ["--", "-drive", f"if=none,id=videocd,media=cdrom,readonly=on,file={iso}",
            "-device", "ide-cd,drive=videocd,bootindex=0"]


# --- the tests --------------------------------------------------------------------------

def test_vga_text_shows_the_boot_log(machine):
    """QEMU -kernel (Multiboot 1): VGA text mode shows the banner on top and
    the log below it, exactly as on serial."""
    m = machine("--append", "init=/test/spin")
    m.wait_for("kernel: started /test/spin")
    m.settle()
    assert screen_kind(m.output) == ("text", 80, 25)
    rows = check_text_screen(m, 80, 25)
    assert BANNER.match(rows[0].rstrip()), rows[0]
    assert any(r.startswith("kernel: started /test/spin as pid 1") for r in rows)


def test_scrolling_keeps_the_last_lines(machine):
    """The screen self-test's report and then a panic report are longer
    than 25 lines: the banner scrolls away and the bottom rows hold the end
    of the panic report (the panic path writes to the screen too)."""
    m = machine("--append", "test=screen,panic panic=halt")
    m.wait_for("panic: system halted")
    m.settle()
    text = screen_text(m.output)
    assert text.count("\n") > 35, text
    rows = check_text_screen(m, 80, 25)
    assert not any(BANNER.match(r.rstrip()) for r in rows), "the banner did not scroll away"
    assert rows[-2].rstrip() == "panic: system halted" and rows[-1].strip() == ""


def test_grub_bios_screen_shows_the_boot_log(machine):
    """GRUB under SeaBIOS (Multiboot 2) with the project's ISO: the screen
    it describes (EGA text today) shows the banner and the log."""
    m = machine("--iso", "--append", "init=/test/spin")
    m.wait_for("kernel: started /test/spin")
    m.settle()
    kind, a, b = screen_kind(m.output)
    if kind == "text":
        rows = check_text_screen(m, a, b)
        assert BANNER.match(rows[0].rstrip()), rows[0]
    else:
        check_framebuffer_screen(m, a, b)


@pytest.mark.parametrize("firmware", ["bios", "uefi"])
def test_framebuffer_draws_the_boot_log(machine, video_iso, firmware):
    """GRUB with a graphics mode: the banner's glyph pixels are in the first
    rows, and every text row (and the cursor) is drawn as the log says."""
    m = machine("--iso", "--firmware", firmware, *boot_first(video_iso))
    m.wait_for("kernel: started /test/spin")
    m.settle()
    kind, width, height = screen_kind(m.output)
    if kind == "text":
        assert firmware == "bios", m.output
        pytest.skip("GRUB keeps BIOS text mode: the kernel's Multiboot 2 header "
                    "asks for no framebuffer")
    check_framebuffer_screen(m, width, height)


def test_screen_selftest():
    """The terminal logic on a private grid: wrapping, scrolling, controls,
    colours, erasing, cursor moves, swallowed escapes, UTF-8."""
    run = selftest("screen")
    assert run.status == 0, run.output
    assert_cases_passed(run, "screen")
