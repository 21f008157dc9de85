"""Structured pipelines without the shell: /test/pipe-test runs as init and
starts real programs from /bin connected by channels, feeding them records
and reading what comes out. where with every operator on numbers and
strings, sort and sort -r (stable), select, count, head (which ends without
reading the rest, and whose endless writer upstream then exits with 0),
json, render's table and -j (written to a file in /tmp and compared byte
for byte), pipelines of three and four stages, and -h and bad usage of
every program."""
import re

from conftest import OK, boot


def test_filters_and_render_give_their_documented_output():
    run = boot("--append", 'init="/test/pipe-test"', timeout=60)
    failed = [line for line in run.lines() if line.startswith("pipe-test: FAIL")]
    assert not failed, "\n".join(failed) + "\n" + run.output
    assert run.status == OK, run.output
    assert "PANIC" not in run.output
    m = re.search(r"^pipe-test: (\d+) checks passed$", run.output, re.M)
    assert m and int(m.group(1)) >= 60, run.output
    # head's writer upstream never ends by itself: it went on EPIPE.
    assert "pipe-test: ok head-writer-exits-0-on-epipe" in run.output
    # render without a "text" handle draws on the console.
    assert "render         n\nto-console     7\nx           1234\n" in run.output
