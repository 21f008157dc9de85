"""On the host, lib/bson's functions are renamed lib_bson_* (by
tests/unit/bson_names.h) so that test_bson_libbson can link MongoDB's
libbson, which exports many of the same names. These tests keep the rename
lists equal to lib/bson.h and check with nm that no symbol collides."""

import os
import re
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def read(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return f.read()


def header_functions():
    """The library's functions: lib/bson.h's, and those its parts share."""
    return set(re.findall(r"\b(bson_\w+)\s*\(", read("lib/bson.h") + read("lib/bson_private.h")))


def test_rename_lists_match_the_header():
    functions = header_functions()
    renamed = dict(re.findall(r"^#define (bson_\w+) (\w+)$", read("tests/unit/bson_names.h"), re.M))
    undone = set(re.findall(r"^#undef (bson_\w+)$", read("tests/unit/bson_names_undo.h"), re.M))
    assert set(renamed) == functions
    assert all(new == "lib_" + old for old, new in renamed.items())
    assert undone == functions


def defined_symbols(path, dynamic=False):
    out = subprocess.run(["nm", "--defined-only", "-g"] + (["-D"] if dynamic else []) + [path],
                         capture_output=True, text=True, check=True).stdout
    return {line.split()[-1] for line in out.splitlines() if line.strip()}


def test_host_objects_do_not_collide_with_libbson():
    ours = set()
    for part in ["bson.c.o", "bson_build.c.o", "bson_json.c.o"]:
        ours |= defined_symbols(os.path.join(ROOT, "build", "host-lib", part))
    assert ours and all(s.startswith("lib_bson_") for s in ours), sorted(ours)
    libdir = subprocess.run(["pkg-config", "--variable=libdir", "libbson-1.0"],
                            capture_output=True, text=True, check=True).stdout.strip()
    theirs = defined_symbols(os.path.join(libdir, "libbson-1.0.so"), dynamic=True)
    assert "bson_validate" in theirs
    everything = set()
    for obj in os.listdir(os.path.join(ROOT, "build", "host-lib")):
        if obj.endswith(".o"):
            everything |= defined_symbols(os.path.join(ROOT, "build", "host-lib", obj))
    assert not everything & theirs
