"""lib/bson against MongoDB's BSON corpus (shared test data, see its
README.md), one test per case, through build/tests/bson/corpus-run:

- valid/<n>: canonical_bson validates and rebuilds byte-identically
  through the iterator and the builder;
- degenerate/<n>: degenerate_bson validates;
- decodeError/<n>: the bson is refused;
- json/<n>: bson_to_json(canonical_bson) equals relaxed_extjson, or where
  a case has none, canonical_extjson turned into its relaxed form by the
  Extended JSON v2 rules. Equal means the same JSON value: objects with the
  same keys in the same order, numbers of the same kind (integer or double)
  and value, doubles bit for bit, $date strings naming the same instant.

The corpus directory is $BSON_CORPUS, else tests/data/bson-corpus (an
unchanged copy of the project's shared test data, so a checkout tests
itself wherever it lies). A missing corpus or runner fails; nothing is skipped.
"""

import datetime
import glob
import json
import math
import os
import struct
import subprocess

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CORPUS = os.environ.get("BSON_CORPUS") or os.path.join(ROOT, "tests", "data", "bson-corpus")
RUNNER = os.path.join(ROOT, "build", "tests", "bson", "corpus-run")


def load_cases():
    """(id, kind, hex, case) for every check the corpus asks for."""
    cases = []
    for path in sorted(glob.glob(os.path.join(CORPUS, "*.json"))):
        name = os.path.basename(path)
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
        for i, case in enumerate(spec.get("valid", [])):
            label = f"{i}: {case['description']}"
            cases.append((f"{name}/valid/{label}", "valid", case["canonical_bson"], case))
            if "degenerate_bson" in case:
                cases.append((f"{name}/degenerate/{label}", "degenerate",
                              case["degenerate_bson"], case))
            cases.append((f"{name}/json/{label}", "json", case["canonical_bson"], case))
        for i, case in enumerate(spec.get("decodeErrors", [])):
            cases.append((f"{name}/decodeError/{i}: {case['description']}", "decodeError",
                          case["bson"], case))
    return cases


CASES = load_cases()


@pytest.fixture(scope="module")
def answers():
    """The runner's answer for each distinct document, keyed by upper-case hex."""
    docs = sorted({h.upper() for _, _, h, _ in CASES})
    proc = subprocess.run([RUNNER], input="".join(d + "\n" for d in docs),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f"{RUNNER} failed: {proc.stderr[-2000:]}"
    lines = proc.stdout.splitlines()
    assert len(lines) == len(docs), f"{len(lines)} answers for {len(docs)} documents"
    return dict(zip(docs, (line.split("\t", 2) for line in lines)))


def test_corpus_is_there():
    assert os.path.isdir(CORPUS), f"no BSON corpus at {CORPUS} (set BSON_CORPUS)"
    assert len(CASES) > 1000, f"only {len(CASES)} cases in {CORPUS}"
    assert os.access(RUNNER, os.X_OK), f"{RUNNER} missing: run `make unit-tests`"


# --- Extended JSON: canonical to relaxed, and comparison -------------------

DATE_ISO_END = 253402300800000      # 10000-01-01T00:00:00Z in milliseconds


def iso_date(ms):
    t = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc) + \
        datetime.timedelta(milliseconds=ms)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def ms_of_iso(text):
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    epoch = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    return (t - epoch) // datetime.timedelta(milliseconds=1)


class Obj(list):
    """A JSON object as its (key, value) pairs, in order."""


def parse(text):
    return json.loads(text, object_pairs_hook=Obj)


def relaxed(value):
    """Canonical Extended JSON to the relaxed form (Extended JSON v2 spec,
    "Conversion table"): $numberInt and $numberLong become numbers, finite
    $numberDouble too, and $date holds an ISO-8601 string in 1970..9999."""
    if isinstance(value, Obj):
        if len(value) == 1:
            key, inner = value[0]
            if key in ("$numberInt", "$numberLong") and isinstance(inner, str):
                return int(inner)
            if key == "$numberDouble" and inner not in ("Infinity", "-Infinity", "NaN"):
                return float(inner)
            if key == "$date" and isinstance(inner, Obj) and inner[0][0] == "$numberLong":
                ms = int(inner[0][1])
                return Obj([("$date", iso_date(ms))]) if 0 <= ms < DATE_ISO_END else value
        return Obj((k, relaxed(v)) for k, v in value)
    if isinstance(value, list):
        return [relaxed(v) for v in value]
    return value


def same(a, b, where="$"):
    """None when a and b are the same JSON value, else where they differ."""
    if type(a) is not type(b):
        return f"{where}: {a!r} vs {b!r}"
    if isinstance(a, float):
        if struct.pack("<d", a) != struct.pack("<d", b) and not (math.isnan(a) and math.isnan(b)):
            return f"{where}: {a!r} vs {b!r}"
        return None
    if isinstance(a, tuple):
        if a[0] != b[0]:
            return f"{where}: key {a[0]!r} vs {b[0]!r}"
        if a[0] == "$date" and isinstance(a[1], str) and isinstance(b[1], str):
            return None if ms_of_iso(a[1]) == ms_of_iso(b[1]) else f"{where}: {a[1]} vs {b[1]}"
        return same(a[1], b[1], f"{where}.{a[0]}")
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} vs {len(b)} members"
        for i, (x, y) in enumerate(zip(a, b)):
            why = same(x, y, f"{where}[{i}]")
            if why:
                return why
        return None
    return None if a == b else f"{where}: {a!r} vs {b!r}"


# --- the cases ---------------------------------------------------------------

@pytest.mark.parametrize("kind,hexdoc,case", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_corpus(answers, kind, hexdoc, case):
    answer = answers[hexdoc.upper()]
    if kind == "decodeError":
        assert answer[0] == "invalid", "accepted"
        return
    assert answer[0] == "valid", f"refused at {answer[1]}: {answer[2]}"
    if kind == "valid":
        assert answer[1] == hexdoc.upper(), f"rebuilt as {answer[1]}"
    elif kind == "json":
        want = case.get("relaxed_extjson")
        want = parse(want) if want else relaxed(parse(case["canonical_extjson"]))
        try:
            got = parse(answer[2])
        except ValueError as e:
            pytest.fail(f"not JSON ({e}): {answer[2]}")
        why = same(got, want)
        assert not why, f"{why}\n got: {answer[2]}"
