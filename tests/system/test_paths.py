""".. in the arguments of programs run from the shell, whose working
directory is not the root: every program resolves a relative path that
climbs above it on the text of PWD, from the root (docs/paths.md, "In
libpanda"), so `cat ../notes` in /tmp/home/x reads /tmp/home/notes, and a
chain of .. stops at the root. Driven over serial like test_shell.py."""
import pytest

from test_shell import Shell, table

MOTD = "Welcome to Panda OS.\n"                        # initrd/etc/motd
ROOT = ["bin", "etc", "posix", "test", "tmp"]                  # what / holds


@pytest.fixture
def sh(console):
    """A shell in /tmp/home/x, with /tmp/home/notes a copy of the motd."""
    shell = Shell(console)
    assert shell.run("mkdir -p /tmp/home/x") == ""
    assert shell.run("cp /etc/motd /tmp/home/notes") == ""
    shell.run("cd /tmp/home/x")
    assert shell.cwd == "/tmp/home/x"
    return shell


def names(out):
    return [row[0] for row in table(out)[1]]


def test_cat_and_ls_climb_from_the_working_directory(sh):
    assert sh.run("cat ../notes") == MOTD
    assert sh.run("cat ./../x/../notes") == MOTD
    assert names(sh.run("ls ..")) == ["notes", "x"]
    assert names(sh.run("ls ../..")) == ["home"]
    assert names(sh.run("ls ../../..")) == ROOT
    # A chain longer than the path stops at the root, as /.. does.
    assert sh.run("cat ../../../../../../../etc/motd") == MOTD
    assert names(sh.run("ls ../../../../../..")) == ROOT
    assert sh.run("cat ../nope") == "cat: ../nope: no such file or directory\n[exit 1]\n"


def test_cp_mv_rm_climb_from_the_working_directory(sh):
    assert sh.run("cp ../notes ../b") == ""
    assert sh.run("cat /tmp/home/b") == MOTD
    assert sh.run("mv ../b ../c") == ""
    assert names(sh.run("ls /tmp/home")) == ["c", "notes", "x"]
    assert sh.run("cp ../c here") == ""                  # climbing, then not
    assert sh.run("cat here") == MOTD
    assert sh.run("mv here ../../moved") == ""            # into /tmp
    assert sh.run("cat /tmp/moved") == MOTD
    assert sh.run("rm ../c ../../moved") == ""
    assert names(sh.run("ls /tmp/home")) == ["notes", "x"]
    assert sh.run("ls /tmp/moved") == "ls: /tmp/moved: no such file or directory\n[exit 1]\n"


def test_rm_of_dot_dot_never_touches_the_working_directory(sh):
    # Were ../f kept at the working directory, it would remove ./f.
    assert sh.run("touch f ../f") == ""
    assert sh.run("rm ../f") == ""
    assert names(sh.run("ls")) == ["f"]
    assert names(sh.run("ls ..")) == ["notes", "x"]
    assert sh.run("rm -r ..") == 'rm: ..: refusing to remove the root, "." or ".."\n[exit 1]\n'
    assert names(sh.run("ls ..")) == ["notes", "x"]


def test_mkdir_and_a_directory_move_between_relative_and_absolute(sh):
    assert sh.run("mkdir ../d ../d/../e") == ""
    assert names(sh.run("ls ..")) == ["d", "e", "notes", "x"]
    assert sh.run("mkdir -p ../p/q") == ""
    # A relative and an absolute path meet at the root for one rename.
    assert sh.run("mv ../d /tmp/home/p/q") == ""
    assert sh.run("mv /tmp/home/e sub") == ""
    assert names(sh.run("ls ../p/q")) == ["d"]
    assert names(sh.run("ls")) == ["sub"]
    assert sh.run("rmdir ../p/q/d ../p/q ../p sub") == ""
    assert names(sh.run("ls ..")) == ["notes", "x"]


def test_a_climbing_path_that_ends_in_dot_dot_names_no_entry(sh):
    # ../e/f/.. is /tmp/home/e by where it is, not by its name: rmdir and
    # mkdir leave it alone, as for a/.. beneath the working directory.
    assert sh.run("mkdir ../e") == ""
    assert sh.run("rmdir ../e/f/..") == "rmdir: ../e/f/..: busy\n[exit 1]\n"
    assert sh.run("mkdir ../e/.") == "mkdir: ../e/.: already exists\n[exit 1]\n"
    assert sh.run("mkdir ../nope/f/..") == (
        "mkdir: ../nope/f/..: no such file or directory\n[exit 1]\n")
    assert names(sh.run("ls ..")) == ["e", "notes", "x"]
    assert sh.run("rmdir ../e") == ""


def test_the_shell_resolves_climbing_program_paths_globs_and_redirections(sh):
    """The shell's own uses of a path: a program to run, a glob, < and >."""
    out = sh.run("../../../test/hello up")
    assert 'hello: argv[0] = "../../../test/hello"' in out, out
    assert sh.run("echo ../no*") == "../notes\n"
    assert sh.run("head 1 < ../notes") == MOTD
    assert sh.run("echo hi > ../made; cat /tmp/home/made") == "hi\n"
    sh.run("cd ../../..")
    assert sh.cwd == "/"
