"""The file utilities in /bin (docs/utilities.md, "Files"), each run as init.

Init has no "out" channel, so records reach the console as JSON lines and
text as lines; errors are `prog: what: error text`. Each boot runs one
command: the mutating utilities are checked on their errors against the
initrd's files, and their successes by status 0 and a silent console (a
shell session test chains them).
"""

import json
import os
import re

import pytest

from conftest import OK, ROOT, TEST_FAILED, boot

with open(os.path.join(ROOT, "VERSION")) as f:
    RELEASE = f"Panda OS {f.read().strip()}\n"      # /etc/panda-release
MOTD = "Welcome to Panda OS.\n"                        # initrd/etc/motd

UTILITIES = ["ls", "cat", "echo", "mkdir", "rmdir", "rm", "cp", "mv", "touch", "stat",
             "hexdump"]


def run(command, *options):
    """Boots with command as init (and these qemu-run options)."""
    return boot(*options, "--append", f'init="{command}"')


def program_lines(r):
    """What the program wrote: the lines between its start and init's end."""
    lines = r.lines()
    start = next(i for i, line in enumerate(lines) if line.startswith("kernel: started "))
    end = next(i for i, line in enumerate(lines) if line.startswith("kernel: init exited"))
    return lines[start + 1:end]


def records(r):
    return [json.loads(line) for line in program_lines(r) if line.startswith("{")]


def init_status(r):
    m = re.search(r"kernel: init exited with status (-?\d+)", r.output)
    assert m, r.output
    return int(m.group(1))


def assert_quiet_success(r):
    assert r.status == OK and init_status(r) == 0, r.output
    assert program_lines(r) == [], r.output


def assert_fails_with(r, *messages):
    """Status 1 and exactly these error lines, in this order, among the output."""
    assert r.status == TEST_FAILED and init_status(r) == 1, r.output
    errors = [line for line in program_lines(r) if line.split(":")[0] in UTILITIES]
    assert errors == list(messages), r.output


def hexdump_c(data):
    """What `hexdump -C` prints for data."""
    out, last, squeezing = [], None, False
    for off in range(0, len(data), 16):
        chunk = data[off:off + 16]
        if chunk == last and len(chunk) == 16:
            if not squeezing:
                out.append("*")
            squeezing = True
            continue
        last, squeezing = chunk, False
        hexes = [f"{b:02x}" for b in chunk] + ["  "] * (16 - len(chunk))
        text = "".join(chr(b) if 0x20 <= b < 0x7f else "." for b in chunk)
        out.append(f"{off:08x}  {' '.join(hexes[:8])}  {' '.join(hexes[8:])}  |{text}|")
    if data:
        out.append(f"{len(data):08x}")
    return out


# --- every utility --------------------------------------------------------

# -h of every program in /bin: test_bin.py.


@pytest.mark.parametrize("command", ["ls -x", "cat -x", "mkdir -x /tmp/a", "mkdir",
                                     "rmdir", "rm -x /tmp/a", "rm", "cp /etc/motd",
                                     "mv /etc/motd", "touch", "stat", "hexdump -x"])
def test_wrong_option_or_missing_operand_is_usage_status_2(command):
    r = run(f"/bin/{command}")
    name = command.split()[0]
    assert r.status == TEST_FAILED and init_status(r) == 2, r.output
    lines = program_lines(r)
    assert len(lines) == 1 and lines[0].startswith(f"{name}: usage: {name} "), r.output


# --- ls -------------------------------------------------------------------

def test_ls_without_operand_lists_the_working_directory_sorted():
    r = run("/bin/ls")
    assert r.status == OK, r.output
    assert [(e["name"], e["type"]) for e in records(r)] == [
        ("bin", "dir"), ("etc", "dir"), ("posix", "dir"), ("test", "dir"), ("tmp", "dir")]


def test_ls_records_have_name_type_size_in_order():
    r = run("/bin/ls /bin")
    assert r.status == OK, r.output
    entries = records(r)
    names = [e["name"] for e in entries]
    assert names == sorted(names, key=lambda n: n.encode())
    assert set(UTILITIES) <= set(names)
    for e in entries:
        assert list(e) == ["name", "type", "size"], e
        assert e["type"] == "file" and e["size"] > 0, e


def test_ls_l_adds_the_modification_date():
    r = run("/bin/ls -l /etc")
    assert r.status == OK, r.output
    entries = records(r)
    assert [e["name"] for e in entries] == ["motd", "panda-release"]
    for e in entries:
        assert list(e) == ["name", "type", "size", "modified"], e
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", e["modified"]["$date"]), e
    assert entries[1]["size"] == len(RELEASE)


def test_ls_of_a_file_gives_its_own_record():
    r = run("/bin/ls /etc/panda-release")
    assert r.status == OK, r.output
    assert records(r) == [{"name": "/etc/panda-release", "type": "file", "size": len(RELEASE)}]


def test_ls_of_several_directories_names_each_in_dir():
    r = run("/bin/ls /etc /tmp/ /bin/ls")
    assert r.status == OK, r.output
    motd, release, ls = records(r)                      # /tmp is empty
    assert motd == {"name": "motd", "type": "file", "size": len(MOTD), "dir": "/etc"}
    assert release == {"name": "panda-release", "type": "file", "size": len(RELEASE),
                       "dir": "/etc"}
    assert list(ls) == ["name", "type", "size"] and ls["name"] == "/bin/ls"   # a file: no dir


def test_ls_reports_a_missing_path_and_goes_on():
    r = run("/bin/ls /nope /etc/motd/x /etc")
    assert_fails_with(r, "ls: /nope: no such file or directory",
                      "ls: /etc/motd/x: not a directory")
    assert [e["name"] for e in records(r)] == ["motd", "panda-release"]


# --- cat, echo ----------------------------------------------------------

def test_cat_writes_files_as_lines():
    r = run("/bin/cat /etc/panda-release /etc/motd")
    assert r.status == OK, r.output
    assert program_lines(r) == [RELEASE.strip(), MOTD.strip()]


def test_cat_reports_directories_and_missing_files_and_goes_on():
    r = run("/bin/cat /bin /nope /etc/motd")
    assert_fails_with(r, "cat: /bin: is a directory", "cat: /nope: no such file or directory")
    assert program_lines(r)[-1] == MOTD.strip()


def test_cat_reads_a_file_larger_than_one_request(tmp_path):
    lines = [f"{i:05d}" for i in range(12000)]          # 72,000 bytes: two reads
    src = tmp_path / "lines.txt"
    src.write_text("".join(line + "\n" for line in lines))
    r = run("/bin/cat /home/lines.txt", "--add", f"{src}:/home/lines.txt")
    assert r.status == OK, r.output[-2000:]
    assert program_lines(r) == lines


def test_echo_joins_its_arguments_with_single_spaces():
    r = run("/bin/echo hello   world -x --")
    assert r.status == OK, r.output
    assert program_lines(r) == ["hello world -x --"]


def test_echo_without_arguments_prints_an_empty_line():
    r = run("/bin/echo")
    assert r.status == OK, r.output
    assert program_lines(r) == [""]


# --- stat ---------------------------------------------------------------

def test_stat_emits_every_field_per_path():
    r = run("/bin/stat /etc/panda-release /bin /nope")
    assert_fails_with(r, "stat: /nope: no such file or directory")
    release, bin_dir = records(r)
    fields = ["name", "type", "size", "nlink", "ino", "blocks", "accessed", "modified",
              "changed"]
    assert list(release) == fields and list(bin_dir) == fields
    assert (release["name"], release["type"], release["size"]) == (
        "/etc/panda-release", "file", len(RELEASE))
    assert (release["nlink"], release["blocks"]) == (1, 1)
    assert (bin_dir["name"], bin_dir["type"], bin_dir["nlink"]) == ("/bin", "dir", 2)
    assert bin_dir["size"] >= len(UTILITIES)           # entries
    assert release["ino"] != bin_dir["ino"]
    for key in ("accessed", "modified", "changed"):
        assert "$date" in release[key], release


# --- hexdump --------------------------------------------------------------

def test_hexdump_of_a_text_file_is_the_canonical_layout():
    r = run("/bin/hexdump /etc/panda-release")
    assert r.status == OK, r.output
    assert program_lines(r) == hexdump_c(RELEASE.encode())


def test_hexdump_squeezes_repeated_lines_like_hexdump_c(tmp_path):
    data = bytes(range(256)) + bytes(100) + b"tail" + bytes(70000)  # past one request
    src = tmp_path / "bytes.bin"
    src.write_bytes(data)
    r = run("/bin/hexdump /home/bytes.bin", "--add", f"{src}:/home/bytes.bin")
    assert r.status == OK, r.output
    assert program_lines(r) == hexdump_c(data)
    assert program_lines(r)[0] == (
        "00000000  00 01 02 03 04 05 06 07  08 09 0a 0b 0c 0d 0e 0f  |................|")


def test_hexdump_reports_a_missing_file():
    r = run("/bin/hexdump /nope")
    assert_fails_with(r, "hexdump: /nope: no such file or directory")


# --- mkdir, rmdir ---------------------------------------------------------

def test_mkdir_makes_a_directory():
    assert_quiet_success(run("/bin/mkdir /tmp/new /new"))


def test_mkdir_p_makes_parents_and_accepts_existing_directories():
    assert_quiet_success(run("/bin/mkdir -p /tmp/a/b/c /bin /tmp/a/b"))


def test_mkdir_errors():
    r = run("/bin/mkdir /bin /tmp/x/y /etc/motd //x")
    assert_fails_with(r, "mkdir: /bin: already exists",
                      "mkdir: /tmp/x/y: no such file or directory",
                      "mkdir: /etc/motd: already exists")
    # "//x" is "/x" (leading slashes are one): made, no error


def test_mkdir_p_through_a_file_is_not_a_directory():
    r = run("/bin/mkdir -p /etc/motd/x /etc/motd")
    assert_fails_with(r, "mkdir: /etc/motd/x: not a directory",
                      "mkdir: /etc/motd: already exists")


def test_rmdir_errors():
    r = run("/bin/rmdir /bin /nope /etc/motd /tmp")
    assert_fails_with(r, "rmdir: /bin: directory not empty",
                      "rmdir: /nope: no such file or directory",
                      "rmdir: /etc/motd: not a directory",
                      "rmdir: /tmp: busy")


# --- rm -------------------------------------------------------------------

def test_rm_removes_files():
    assert_quiet_success(run("/bin/rm /etc/motd /etc/panda-release"))


def test_rm_r_removes_a_tree():
    assert_quiet_success(run("/bin/rm -r /etc /test/hello"))


def test_rm_errors():
    r = run("/bin/rm /nope /bin /etc/motd/x")
    assert_fails_with(r, "rm: /nope: no such file or directory",
                      "rm: /bin: is a directory",
                      "rm: /etc/motd/x: not a directory")


def test_rm_r_refuses_the_root_and_working_directory():
    r = run("/bin/rm -r / . /nope")
    assert_fails_with(r, 'rm: /: refusing to remove the root, "." or ".."',
                      'rm: .: refusing to remove the root, "." or ".."',
                      "rm: /nope: no such file or directory")


def test_rm_r_refuses_dot_dot_however_written():
    # "rm -r .." would empty the working directory's parent (POSIX refuses it).
    r = run("/bin/rm -r .. /tmp/.. bin/../ etc/. /nope/..")
    assert_fails_with(r, *[f'rm: {p}: refusing to remove the root, "." or ".."'
                           for p in ["..", "/tmp/..", "bin/../", "etc/.", "/nope/.."]])


# --- cp, mv ---------------------------------------------------------------

def test_cp_copies_a_file_and_into_a_directory():
    assert_quiet_success(run("/bin/cp /etc/panda-release /tmp/x"))
    assert_quiet_success(run("/bin/cp /etc/panda-release /etc/motd /tmp"))
    assert_quiet_success(run("/bin/cp /test/fs-test /tmp/big"))     # several requests


def test_cp_errors():
    r = run("/bin/cp /nope /bin /etc/motd /tmp")
    assert_fails_with(r, "cp: /nope: no such file or directory", "cp: /bin: is a directory")
    r = run("/bin/cp /etc/motd /etc/motd")
    assert_fails_with(r, "cp: /etc/motd and /etc/motd are the same file")
    r = run("/bin/cp /etc/motd /etc/panda-release /etc/motd")
    assert_fails_with(r, "cp: /etc/motd: not a directory")
    r = run("/bin/cp /etc/motd /nodir/x")
    assert_fails_with(r, "cp: /nodir/x: no such file or directory")


def test_mv_renames_moves_into_a_directory_and_across_filesystems():
    assert_quiet_success(run("/bin/mv /etc/motd /etc/welcome"))
    assert_quiet_success(run("/bin/mv /etc/motd /bin"))
    assert_quiet_success(run("/bin/mv /etc/motd /tmp/"))          # copied, then removed
    assert_quiet_success(run("/bin/mv /etc /home"))


def test_mv_errors():
    r = run("/bin/mv /nope /tmp/x")
    assert_fails_with(r, "mv: /nope: no such file or directory")
    r = run("/bin/mv /bin /bin/sub")
    assert_fails_with(r, "mv: /bin -> /bin/sub: invalid argument")
    r = run("/bin/mv /tmp /x")
    assert_fails_with(r, "mv: /tmp -> /x: busy")
    r = run("/bin/mv /etc /tmp/etc")
    assert_fails_with(r, "mv: /etc -> /tmp/etc: cannot move across filesystems")
    r = run("/bin/mv /etc/motd /test/hello /nodir")
    assert_fails_with(r, "mv: /nodir: no such file or directory")


# --- touch ----------------------------------------------------------------

def test_touch_makes_missing_files_and_leaves_others_alone():
    assert_quiet_success(run("/bin/touch /tmp/new /etc/motd /bin"))


def test_touch_errors():
    r = run("/bin/touch /nope/x /etc/motd/x")
    assert_fails_with(r, "touch: /nope/x: no such file or directory",
                      "touch: /etc/motd/x: not a directory")


# --- ".." in arguments ------------------------------------------------------
# init's working directory is the root and its PWD "/", so a relative path
# that climbs ("../etc") is joined onto "/" and stops there, as "/.." does.

ROOT_NAMES = ["bin", "etc", "posix", "test", "tmp"]

@pytest.mark.parametrize("path", ["/bin/../etc/motd", "../etc/motd", "/../../etc/./motd",
                                  "etc/../etc//motd", "../../../../../../etc/motd",
                                  "tmp/../../etc/motd"])
def test_cat_resolves_dot_dot(path):
    r = run(f"/bin/cat {path}")
    assert r.status == OK and init_status(r) == 0, r.output
    assert program_lines(r) == [MOTD.strip()]


def test_ls_of_dot_dot_chains_lists_the_root():
    for command in ["/bin/ls ../..", "/bin/ls /..", "/bin/ls bin/../../tmp/.."]:
        r = run(command)
        assert r.status == OK, r.output
        assert [e["name"] for e in records(r)] == ROOT_NAMES, command


def test_ls_and_stat_keep_the_path_as_typed():
    r = run("/bin/ls ../etc/motd /bin//ls/")
    assert_fails_with(r, "ls: /bin//ls/: not a directory")
    assert records(r) == [{"name": "../etc/motd", "type": "file", "size": len(MOTD)}]
    r = run("/bin/stat ../etc/../etc")
    assert r.status == OK, r.output
    assert [(e["name"], e["type"]) for e in records(r)] == [("../etc/../etc", "dir")]


def test_errors_name_the_path_as_typed():
    r = run("/bin/cat ../nope /bin/../etc")
    assert_fails_with(r, "cat: ../nope: no such file or directory",
                      "cat: /bin/../etc: is a directory")
    r = run("/bin/cp ../etc/motd ../tmp/../../nodir/x")
    assert_fails_with(r, "cp: ../tmp/../../nodir/x: no such file or directory")


def test_cp_mv_rm_touch_mkdir_rmdir_take_dot_dot():
    for command in ["/bin/cp ../etc/motd /tmp/../tmp/copy",
                    "/bin/cp /bin/../etc/motd ../etc/panda-release ../tmp/..//tmp",
                    "/bin/mv ../etc/motd /tmp/../etc/welcome",
                    "/bin/mv etc/../etc/motd ../bin",
                    "/bin/mv ../etc ../home",                    # a directory, renamed
                    "/bin/rm ../etc/motd /bin/../etc/panda-release",
                    "/bin/rm -r ../etc",
                    "/bin/touch ../tmp/new",
                    "/bin/mkdir -p ../tmp/a/../b/c ../tmp/b",
                    "/bin/mkdir ../tmp/new ../tmp/new/../new2"]:
        assert_quiet_success(run(command))
    r = run("/bin/rmdir ../tmp/../tmp")                  # reached: a mount point
    assert_fails_with(r, "rmdir: ../tmp/../tmp: busy")


def test_mkdir_rmdir_of_a_path_ending_in_dot_dot_do_nothing():
    r = run("/bin/mkdir /bin/.. /nope/x/.. /etc/motd/.")
    assert_fails_with(r, "mkdir: /bin/..: already exists",
                      "mkdir: /nope/x/..: no such file or directory",
                      "mkdir: /etc/motd/.: not a directory")
    r = run("/bin/rmdir /tmp/x/.. /bin/.. ..")
    assert_fails_with(r, "rmdir: /tmp/x/..: busy", "rmdir: /bin/..: busy", "rmdir: ..: busy")
