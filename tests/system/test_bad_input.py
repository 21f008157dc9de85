"""Bad input at boot gets a clear message and never a hang."""

from conftest import OK, TEST_FAILED, boot, selftest


def test_unknown_test_name_is_reported_with_the_known_ones():
    run = selftest("no-such-test")
    assert run.status == TEST_FAILED, run.output
    assert "selftest: unknown test 'no-such-test'" in run.output
    assert "available tests:" in run.output and " printf" in run.output


def test_unknown_name_among_good_ones_runs_nothing():
    run = selftest("printf,bogus")
    assert run.status == TEST_FAILED
    assert "selftest printf: start" not in run.output


def test_test_list_names_suites():
    run = selftest("list")
    assert run.status == OK
    assert "panic(fatal)" in run.output


def test_empty_test_value_is_reported():
    run = boot("--append", "test= test=printf")
    assert "test= needs a name" in run.output
    assert run.status == OK


def test_missing_initrd_is_reported():
    run = boot("--no-initrd", "--append", "test=printf")
    assert run.status == OK, run.output
    assert "no initrd module was loaded" in run.output


def test_missing_initrd_fails_the_initrd_selftest_cleanly():
    run = boot("--no-initrd", "--append", "test=initrd")
    assert run.status == TEST_FAILED, run.output


def test_unterminated_quote_is_reported_and_earlier_words_apply():
    run = boot("--append", 'test=printf init="/bin/sh')
    assert run.status == OK, run.output
    assert "cmdline: unterminated quote at column 13" in run.output


def test_missing_option_name_is_reported():
    run = boot("--append", "test=printf =oops")
    assert "cmdline: '=' without a name at column 13" in run.output
    assert run.status == OK


def test_unknown_option_is_reported_and_ignored():
    run = boot("--append", "frobnicate=1 test=printf")
    assert "cmdline: unknown option 'frobnicate' ignored" in run.output
    assert run.status == OK


def test_bad_option_values_are_reported():
    run = boot("--append", "loglevel=loud panic=sometimes test=printf")
    assert "loglevel=loud is not one of" in run.output
    assert "panic=sometimes is not 'halt' or 'exit'" in run.output
    assert run.status == OK


def test_overlong_command_line_is_truncated_with_a_warning():
    run = boot("--append", "test=printf " + "x" * 2000)
    assert "cmdline: longer than 1023 bytes" in run.output
    assert run.status == OK


def test_quiet_hides_info_but_not_the_banner():
    run = boot("--append", "quiet test=printf")
    assert "Panda OS" in run.output
    assert "boot: multiboot1" not in run.output
