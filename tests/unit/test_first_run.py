"""README's commands on a machine that has nothing installed yet.

`make test` installs the host's packages (tools/install-deps) and then
builds. Anything the Makefile asked of an installed package while it was
being read, before the install ran, was asked too early: on a fresh machine
the answer is empty and the build fails (libbson's flags were computed that
way once: "bson/bson.h: No such file or directory" on the first run only).

These tests replay a first run with fakes: a pkg-config that knows libbson
only once a fake install-deps has run, so the build succeeds only if the
flags are asked for after the install.
"""

import os
import shutil
import subprocess

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REAL_PKG_CONFIG = shutil.which("pkg-config")


def write_script(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    os.chmod(path, 0o755)


def fake_machine(tmp_path):
    """A fake install-deps and pkg-config sharing one 'installed' marker."""
    marker = tmp_path / "installed"
    install = tmp_path / "install-deps"
    pkg_config = tmp_path / "pkg-config"
    write_script(install, f"""#!/bin/sh
if [ "${{1:-}}" = --check ]; then test -e {marker}; exit; fi
echo "fake install-deps: installing" >&2
touch {marker}
""")
    write_script(pkg_config, f"""#!/bin/sh
if [ ! -e {marker} ]; then
	echo "Package libbson-1.0 was not found in the pkg-config search path." >&2
	exit 1
fi
exec {REAL_PKG_CONFIG} "$@"
""")
    return marker, install, pkg_config


def make(tmp_path, install, pkg_config, *goals):
    return subprocess.run(
        ["make", "-j2", f"BUILD={tmp_path / 'build'}", f"INSTALL_DEPS={install}",
         f"PKG_CONFIG={pkg_config}", *goals],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        errors="replace", timeout=600)


def test_libbson_flags_are_asked_for_after_the_install(tmp_path):
    marker, install, pkg_config = fake_machine(tmp_path)
    target = tmp_path / "build" / "tests" / "unit" / "test_bson_libbson"
    run = make(tmp_path, install, pkg_config, str(target))
    assert run.returncode == 0, run.stdout[-4000:]
    assert marker.exists()
    assert "fake install-deps: installing" in run.stdout
    check = subprocess.run([str(target)], stdout=subprocess.PIPE, text=True, timeout=120)
    assert check.returncode == 0 and "not ok" not in check.stdout


def test_a_missing_package_stops_the_build_with_pkg_configs_message(tmp_path):
    """Without the install (an install-deps that installs nothing), the
    build stops and says which package is missing."""
    marker, _, pkg_config = fake_machine(tmp_path)
    nothing = tmp_path / "install-nothing"
    write_script(nothing, "#!/bin/sh\nexit 0\n")
    target = tmp_path / "build" / "tests" / "unit" / "test_bson_libbson"
    run = make(tmp_path, nothing, pkg_config, str(target))
    assert run.returncode != 0
    assert "libbson-1.0 was not found" in run.stdout
    assert not marker.exists()


def test_musl_gcc_runs_after_the_install(tmp_path):
    """The POSIX test programs (tests/posix/posix.mk) are built with
    musl-gcc, which musl-tools brings: a first `make` must install it before
    it compiles with it, even under -j2."""
    marker, install, pkg_config = fake_machine(tmp_path)
    musl_gcc = tmp_path / "musl-gcc"
    write_script(musl_gcc, f"""#!/bin/sh
if [ ! -e {marker} ]; then echo "musl-gcc: not found" >&2; exit 127; fi
exec {shutil.which("musl-gcc")} "$@"
""")
    target = tmp_path / "build" / "posix" / "musl" / "hello"
    run = make(tmp_path, install, pkg_config, f"MUSL_GCC={musl_gcc}", str(target))
    assert run.returncode == 0, run.stdout[-4000:]
    assert "fake install-deps: installing" in run.stdout
    check = subprocess.run([str(target), "/tmp"], stdout=subprocess.PIPE, text=True, timeout=60)
    assert check.returncode == 0 and "=== end hello 0" in check.stdout
