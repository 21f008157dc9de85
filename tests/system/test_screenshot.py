"""tools/screenshot, which takes the README's picture (docs/screenshot.png).

The tool boots the default system, types a shell session on the serial line
and saves QEMU's screendump. The test checks the PNG itself (signature,
chunk CRCs, IHDR, the zlib stream, every filter type) and that the picture
shows the session: from the serial transcript it works out which of the
80x25 character cells hold a character, and each of those must have ink
while every blank cell is plain background. The pipeline's table (a header
and ten rows) must be among the rows on the screen.
"""

import importlib.machinery
import importlib.util
import os
import re
import struct
import subprocess
import zlib

import pytest

from conftest import ROOT
from test_screen import expected_rows, screen_kind, screen_text

SCREENSHOT = os.path.join(ROOT, "tools", "screenshot")
COMMITTED = os.path.join(ROOT, "docs", "screenshot.png")
PIPELINE = "ls /bin | where size > 40000 | sort -r size | head 10"


# --- PNG, decoded without libraries ------------------------------------------------

def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def decode_png(data):
    """(width, height, RGB bytes) of an 8-bit RGB or RGBA, non-interlaced PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "no PNG signature"
    pos, chunks = 8, []
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert zlib.crc32(kind + body) & 0xffffffff == crc, f"bad CRC in {kind}"
        chunks.append((kind, body))
        pos += 12 + length
    assert chunks[0][0] == b"IHDR" and chunks[-1][0] == b"IEND", [k for k, _ in chunks]
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[0][1])
    assert depth == 8 and colour in (2, 6) and interlace == 0, chunks[0][1]
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    stride = width * bpp
    assert len(raw) == (stride + 1) * height, "IDAT has the wrong size"
    rows, prev = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if kind == 1:
            for i in range(bpp, stride):
                line[i] = (line[i] + line[i - bpp]) & 0xff
        elif kind == 2:
            line = bytearray((x + p) & 0xff for x, p in zip(line, prev))
        elif kind == 3:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + (left + prev[i]) // 2) & 0xff
        elif kind == 4:
            for i in range(stride):
                left = line[i - bpp] if i >= bpp else 0
                upleft = prev[i - bpp] if i >= bpp else 0
                line[i] = (line[i] + paeth(left, prev[i], upleft)) & 0xff
        else:
            assert kind == 0, f"row {y}: filter type {kind}"
        rows.append(bytes(line))
        prev = line
    pixels = b"".join(rows)
    if bpp == 4:
        pixels = b"".join(pixels[i:i + 3] for i in range(0, len(pixels), 4))
    return width, height, pixels


def colours(pixels):
    counts = {}
    for i in range(0, len(pixels), 3):
        p = pixels[i:i + 3]
        counts[p] = counts.get(p, 0) + 1
    return counts


def assert_a_picture(width, height, pixels):
    """Not blank: more than one colour, and a fair share of it not background."""
    counts = colours(pixels)
    assert len(counts) >= 2, f"the {width}x{height} picture has one colour"
    background = max(counts, key=counts.get)
    ink = width * height - counts[background]
    assert ink > width * height // 50, f"only {ink} pixels are not background"
    return background


def load_tool():
    loader = importlib.machinery.SourceFileLoader("screenshot_tool", SCREENSHOT)
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


# --- the tests ---------------------------------------------------------------------

def test_screenshot_shows_the_session(tmp_path):
    out, transcript = tmp_path / "shot.png", tmp_path / "serial.txt"
    run = subprocess.run([SCREENSHOT, "--out", str(out), "--transcript", str(transcript),
                          "--timeout", "40"],
                         stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=90)
    assert run.returncode == 0, run.stdout + run.stderr
    serial = transcript.read_text()
    assert "power: powering off" in serial, serial

    # What the screen shows: the serial output up to the last prompt, with
    # the line editor's erase-to-end-of-line (after each prompt) taken out.
    session = serial[:serial.rindex("poweroff")]
    assert not re.search(r"\x1b(?!\[K)", session), repr(session)
    kind, cols, rows = screen_kind(session)
    assert kind == "text", session
    want, cursor = expected_rows(screen_text(session.replace("\x1b[K", "")), cols, rows)

    # The table is on the screen: the command, its header and ten rows.
    start = next(i for i, r in enumerate(want) if r.rstrip() == "/ $ " + PIPELINE)
    assert re.match(r"name +type +size$", want[start + 1].rstrip()), want
    for r in want[start + 2:start + 12]:
        assert re.match(r"\S+ +file +\d+$", r.rstrip()), want
    assert want[start + 12].startswith("/ $ ps"), want

    width, height, pixels = decode_png(out.read_bytes())
    assert f"{width}x{height}" in run.stdout, run.stdout
    assert (width, height) == (720, 400)            # 80x25 cells of 9x16 pixels
    background = assert_a_picture(width, height, pixels)

    # Each cell has ink exactly where the transcript puts a character (the
    # cursor's cell, after the last prompt, blinks: either is fine).
    cw, ch = width // cols, height // rows
    wrong = []
    for row, text in enumerate(want):
        for col, char in enumerate(text):
            if (row, col) == (cursor, len(want[cursor].rstrip()) + 1):
                continue
            inked = any(pixels[((row * ch + y) * width + col * cw + x) * 3:][:3] != background
                        for y in range(ch) for x in range(cw))
            if inked != (char != " "):
                wrong.append(f"({row},{col}) {char!r}")
    assert not wrong, (f"{len(wrong)} cells differ from the transcript: {wrong[:20]}\n"
                       + "\n".join(want))


def test_ppm_fallback_makes_a_valid_png():
    """Without QEMU's PNG writer the tool converts a PPM screendump itself."""
    tool = load_tool()
    width, height = 7, 3
    pixels = bytes(v for y in range(height) for x in range(width)
                   for v in (x * 40, y * 100, (x + y) * 20))
    png = tool.ppm_to_png(b"P6\n%d %d\n255\n" % (width, height) + pixels)
    assert tool.png_size(png) == (width, height)
    assert decode_png(png) == (width, height, pixels)
    with pytest.raises(tool.Failure):
        tool.ppm_to_png(b"P6\n2 2\n255\n" + b"\0" * 11)


def test_committed_screenshot_is_a_picture_of_the_screen():
    width, height, pixels = decode_png(open(COMMITTED, "rb").read())
    assert (width, height) == (720, 400)
    assert_a_picture(width, height, pixels)
