"""The shell's language at the prompt: variables and the environment,
globs against the filesystem, the redirections of both streams, ; && ||,
comments, scripts, fg and cd -. Each session boots the default system and
types lines over serial, as a person would (docs/shell.md)."""
import re

import pytest

from test_shell import Shell


@pytest.fixture
def sh(console):
    return Shell(console)


def test_variables_expand_and_only_exported_ones_reach_programs(sh):
    assert sh.run("A=hello; echo $A ${A}x \"$A y\" '$A' \\$A") == "hello hellox hello y $A $A\n"
    assert sh.run("B='two  words'; echo :$B:") == ":two  words:\n"   # never split
    assert sh.run("echo :$NOPE:") == "::\n"
    assert "name" not in sh.run("env | where name == A")               # not exported
    assert re.search(r"\nA +hello\n", sh.run("export A; env | where name == A"))
    assert re.search(r"\nC +3\n", sh.run("export C=3; env | where name == C"))
    assert re.search(r"\nD +1\n", sh.run("D=1 env | where name == D"))  # for one command
    assert sh.run("echo :$D:") == "::\n"
    sh.run("unset A C")
    assert sh.run("echo :$A$C:") == "::\n"
    assert "name" not in sh.run("env | where name == C")
    assert re.search(r"\nPWD +/\n", sh.run("env | where name == PWD"))
    assert "B=two  words" in sh.run("set")


def test_status_and_pid_parameters(sh):
    assert sh.run("true; echo $?") == "0\n"
    assert sh.run("false; echo $?") == "1\n"
    assert sh.run("sh -c 'exit 7'; echo $?") == "[exit 7]\n7\n"
    assert sh.run("nope; echo $?") == "sh: nope: command not found\n127\n"
    pid = sh.run("echo $$").strip()
    assert re.search(rf"\n *{pid} +sh +", sh.run("ps | where name == sh"))


def test_lists_run_by_status(sh):
    assert sh.run("echo a; echo b") == "a\nb\n"
    assert sh.run("true && echo yes") == "yes\n"
    assert sh.run("false && echo yes") == ""
    assert sh.run("false || echo no") == "no\n"
    assert sh.run("true || echo no") == ""
    assert sh.run("false && echo a || echo b") == "b\n"
    # A status that && or || tests is not reported; one that ; follows is.
    assert sh.run("cat /nope && echo never; echo $?") == \
        "cat: /nope: no such file or directory\n1\n"
    assert sh.run("cat /nope; echo $?") == \
        "cat: /nope: no such file or directory\n[exit 1]\n1\n"
    assert sh.run("echo a # a comment; echo b") == "a\n"
    assert sh.run("# nothing at all") == ""
    assert sh.run("echo 'a;b' a\\;b \"#c\"") == "a;b a;b #c\n"
    # A line with a mistake anywhere runs nothing.
    assert sh.run("echo first; echo 'open") == "sh: unterminated '\n"
    assert sh.run("echo x && ") == "sh: missing command after &&\n"


def test_globs_match_files_and_no_match_is_an_error(sh):
    sh.run("mkdir /tmp/g; cd /tmp/g")
    sh.run("echo 12345678901 > big.txt; echo 1 > small.txt; echo x > note.md; mkdir sub")
    sh.run("echo y > sub/deep.txt; echo z > .hidden.txt")
    assert sh.run("echo *.txt") == "big.txt small.txt\n"                # sorted, no dot files
    assert sh.run("echo .*.txt") == ".hidden.txt\n"
    assert sh.run("echo s*") == "small.txt sub\n"
    assert sh.run("echo ?ote.md [bs]*.txt") == "note.md big.txt small.txt\n"
    assert sh.run("echo */*.txt /tmp/g/sub/*") == "sub/deep.txt /tmp/g/sub/deep.txt\n"
    assert sh.run("echo ../g/n*") == "../g/note.md\n"
    assert sh.run("echo '*.txt' \\*.txt \"*\".txt") == "*.txt *.txt *.txt\n"
    assert sh.run("echo *.nope; echo $?") == "sh: no match: *.nope\n1\n"
    assert sh.run("cat *.nope") == "sh: no match: *.nope\n"
    out = sh.run("ls *.txt | where size > 10 | sort size")
    assert re.search(r"name +type +size\nbig\.txt +file +12\n$", out), out
    assert sh.run("ls /bin/ech*") .count("/bin/echo") == 1


def test_input_redirection_feeds_the_first_command(sh):
    sh.run("echo one > /tmp/in; echo two >> /tmp/in; echo three >> /tmp/in")
    assert re.search(r"\n +3\n$", sh.run("count < /tmp/in"))
    assert sh.run("head 2 < /tmp/in") == "one\ntwo\n"
    assert re.search(r"\n +2\n$", sh.run("where text ~ t < /tmp/in | count"))
    assert sh.run("cat < /tmp/nope") == "sh: /tmp/nope: no such file or directory\n"
    assert re.search(r"\n +3\n$", sh.run("cd /tmp; count < in"))


def test_error_stream_redirections(sh):
    assert sh.run("ls /nope 2> /tmp/err") == "[exit 1]\n"
    assert sh.run("cat /tmp/err") == "ls: /nope: no such file or directory\n"
    sh.run("ls /gone 2>> /tmp/err")
    assert sh.run("cat /tmp/err") == \
        "ls: /nope: no such file or directory\nls: /gone: no such file or directory\n"
    # 2>&1: the errors join the output stream, so a filter sees them.
    out = sh.run("ls /nope /also 2>&1 | where text ~ also | count")
    assert re.search(r"\n +1\n", out), out
    assert sh.run("ls /nope 2>&1 > /tmp/both") == "[exit 1]\n"
    assert sh.run("cat /tmp/both") == "ls: /nope: no such file or directory\n"
    assert sh.run("ls /bin 2> /nodir/x") == "sh: /nodir/x: no such file or directory\n"


def test_scripts_run_with_arguments_by_sh_and_by_name(sh):
    sh.run("echo '#!/bin/sh' > /tmp/s; echo 'echo args $# $0 $1 \"$@\" :$*:' >> /tmp/s")
    sh.run("echo 'X=$1; export X; env | where name == X | json' >> /tmp/s")
    sh.run("echo 'exit 4' >> /tmp/s")
    assert sh.run("sh /tmp/s a 'b c'; echo $?") == \
        'args 2 /tmp/s a a b c :a b c:\n{"name":"X","value":"a"}\n[exit 4]\n4\n'
    assert sh.run("/tmp/s z") == 'args 1 /tmp/s z z :z:\n{"name":"X","value":"z"}\n[exit 4]\n'
    assert sh.run("cd /tmp; ./s y") == 'args 1 ./s y y :y:\n{"name":"X","value":"y"}\n[exit 4]\n'
    assert sh.run("sh -c 'echo in $0 $1' name one") == "in name one\n"
    # A line that does not parse stops the script, which names it.
    sh.run("echo 'echo before' > /tmp/bad; echo 'echo \"open' >> /tmp/bad")
    sh.run("echo 'echo after' >> /tmp/bad")
    assert sh.run("sh /tmp/bad") == 'before\nsh: /tmp/bad:2: unterminated "\n[exit 2]\n'
    assert sh.run("echo plain > /tmp/text; /tmp/text") == \
        "sh: /tmp/text: not an executable\n"
    # A #! line that names no absolute interpreter makes no script.
    assert sh.run("echo '#!sh' > /tmp/rel; /tmp/rel") == "sh: /tmp/rel: not an executable\n"
    assert sh.run("sh /tmp/none") == "sh: /tmp/none: no such file or directory\n[exit 1]\n"
    assert sh.run("sh -h").startswith("usage: sh ")


def test_cd_dash_and_fg(sh):
    sh.run("cd /tmp")
    sh.run("cd /bin")
    assert sh.run("cd -") == "/tmp\n"
    assert sh.cwd == "/tmp"
    assert sh.run("cd -") == "/bin\n"
    assert sh.run("sleep 1 &") == "[1] started\n"
    assert sh.run("fg") == "sleep 1 &\n"
    assert sh.run("jobs") == ""
    assert sh.run("fg") == "sh: fg: no background job\n"
    assert sh.run("fg 9") == "sh: fg: no job 9\n"
    assert sh.run("sleep 1 & sleep 30 & jobs") == \
        "[2] started\n[3] started\n[2] running  sleep 1 &\n[3] running  sleep 30 &\n"
    sh.send("fg 3\r")
    sh.c.expect("sleep 30")
    sh.send("\x03")
    out = sh.wait()
    assert "[interrupted]" in out
    assert sh.run("echo $?") == "130\n"


def test_ctrl_c_stops_a_script_and_what_it_started(sh):
    sh.run("echo 'echo going' > /tmp/slow; echo 'sleep 30' >> /tmp/slow")
    sh.send("sh /tmp/slow\r")
    sh.c.expect("going")
    sh.send("\x03")
    assert "[interrupted]" in sh.wait()
    out = sh.run("ps | where name == sleep | count")
    assert re.search(r"\n +0\n$", out), out
