"""The kernel's random generator (kernel/dev/random.c): what it was seeded
from, with and without the CPU's RDRAND, and that its output differs from
boot to boot. The self-test (test=random) checks the output and fast key
erasure inside one boot and prints a sample; these compare boots.

QEMU's TCG models: qemu64 (the default) has neither RDRAND nor RDSEED;
`-cpu max` has RDRAND (TCG answers it from the host's getrandom) and, in
QEMU 7.2, no RDSEED."""

import re

from conftest import OK, assert_cases_passed, selftest

SEEDED = re.compile(r"^random: seeded from (.*) \(tsc jitter: (\d+) of (\d+) deltas changed\)$",
                    re.M)
SAMPLE = re.compile(r"^random: sample ([0-9a-f]{16})$", re.M)
CPU = re.compile(r"^random: cpu has (.*)$", re.M)
NO_HARDWARE = "warning: random: no hardware random source"
HARDWARE = {"rdrand", "rdseed"}
# A deterministic emulator: instructions as the clock, no idle warp, and
# an RTC that starts from a fixed date on the virtual clock.
DETERMINISTIC = ["-icount", "shift=0,sleep=off", "-rtc", "base=2020-01-01T00:00:00,clock=vm"]


def random_boot(*qemu_args):
    """Boots test=random; returns (sources named, sample, cpu line, output)."""
    run = selftest("random", *(("--", *qemu_args) if qemu_args else ()), timeout=60)
    assert run.status == OK, run.output
    assert_cases_passed(run, "random")
    seeded = SEEDED.findall(run.output)
    assert len(seeded) == 1, f"one seeding line expected:\n{run.output}"
    sources = set(seeded[0][0].split(", "))
    sample = SAMPLE.search(run.output)
    assert sample, run.output
    return sources, sample.group(1), CPU.search(run.output).group(1), run.output


def test_default_cpu_names_its_sources_and_two_boots_differ():
    first = random_boot()
    second = random_boot()
    for sources, _, cpu, output in (first, second):
        assert {"tsc", "rtc", "boot info", "acpi"} <= sources, output
        if cpu == "no random instruction":     # qemu64, the default in QEMU 7.2
            assert not sources & HARDWARE, output
            assert NO_HARDWARE in output
        else:
            assert sources & HARDWARE, output
            assert NO_HARDWARE not in output
    assert first[1] != second[1], "the same sample on two boots"


def test_without_rdrand_the_seed_is_timing_and_boot_data_with_a_warning():
    sources, _, cpu, output = random_boot("-cpu", "qemu64")
    assert cpu == "no random instruction", output
    assert not sources & HARDWARE
    assert {"tsc", "rtc"} <= sources
    assert NO_HARDWARE in output


def test_cpu_max_seeds_from_rdrand():
    sources, _, cpu, output = random_boot("-cpu", "max")
    assert "rdrand" in cpu.split(), output
    assert "rdrand" in sources or "rdseed" in sources, output
    assert NO_HARDWARE not in output


def test_a_deterministic_emulator_repeats_the_seed_unless_the_cpu_has_rdrand():
    """What docs/devices.md warns of: with no hardware source, every input
    but RDRAND comes from the emulator, and an emulator that replays time
    exactly replays the seed. RDRAND (the host's getrandom under TCG) is
    the one thing it does not replay."""
    plain = [random_boot("-cpu", "qemu64", *DETERMINISTIC) for _ in range(2)]
    assert plain[0][1] == plain[1][1], "expected the same sample with nothing random to seed from"
    assert int(SEEDED.search(plain[0][3]).group(2)) == 0      # the jitter loops saw none
    assert "the output may repeat from boot to boot" in plain[0][3]
    with_rdrand = [random_boot("-cpu", "max", *DETERMINISTIC) for _ in range(2)]
    assert with_rdrand[0][1] != with_rdrand[1][1]
