"""Files and directories, driven from user space: /test/fs-test runs as init
and checks every directory and file request, rights, confinement, unlink
while open, rename over a file, ENOSPC and the handle limit (the leak check
of the same workout, with allocator snapshots and VFS object counts, is the
`proc` self-test)."""
import re

from conftest import OK, boot


def fs_test(*args, timeout=120):
    run = boot(*args, timeout=timeout)
    failed = [line for line in run.lines() if line.startswith("fs-test: FAIL")]
    assert not failed, "\n".join(failed) + "\n" + run.output
    assert run.status == OK, run.output
    assert "PANIC" not in run.output
    return run


def checks_passed(run):
    m = re.search(r"^fs-test: (\d+) checks passed", run.output, re.M)
    assert m, run.output
    return int(m.group(1))


def test_every_file_operation_and_attack_gives_its_documented_answer():
    run = fs_test("--append", 'init="/test/fs-test"')
    assert checks_passed(run) >= 150, run.output
    # The process handed only /tmp found no way out.
    assert "fs-test: ok confine-child-reaches-nothing-outside" in run.output
    assert "confined: reached" not in run.output


def test_root_is_a_tmpfs_seeded_from_the_initrd_with_tmp_mounted_apart():
    run = fs_test("--append", 'init="/test/fs-test" tmp_size=3M')
    assert re.search(r"fs: root is a tmpfs with the initrd's \d+ files", run.output)
    assert "fs: tmpfs of 3072 KiB on /tmp" in run.output
    # With a small /tmp the fill stops at its limit, not at memory's.
    assert "fs-test: ok enospc-after-the-room-is-used" in run.output


def test_a_bad_tmp_size_is_reported_and_the_default_kept():
    run = boot("--append", 'tmp_size=lots init="/test/hello"', timeout=30)
    assert 'tmp_size= needs a size in bytes (K, M or G allowed), not "lots"' in run.output
    assert re.search(r"fs: tmpfs of \d+ KiB on /tmp", run.output)
    assert run.status == OK, run.output


def fill_root(*append):
    run = fs_test("--mem", "48", "--append", " ".join(('init="/test/fs-test fill-root"',) + append))
    assert "fs-test: ok fill-root-enospc" in run.output
    assert "fs-test: ok fill-root-memory-back" in run.output
    assert "fs-test: ok fill-root-spawn-works-again" in run.output
    return int(re.search(r"fs-test: the root took (\d+) KiB", run.output).group(1))


def test_filling_all_memory_with_files_gives_enospc_and_recovers():
    # root_room= past memory: the kernel's own exhaustion path.
    assert fill_root("root_room=1G") > 16 << 10


def test_files_in_the_root_take_at_most_a_quarter_of_memory():
    # 47 MiB usable: the room past the initrd is about 11.7 MiB.
    assert 8 << 10 < fill_root() <= 12 << 10
