"""A batch holds together: a profile that fails for any reason is its row, Ctrl-C stops
cleanly with a summary of what was written, and no worker outlives the batch."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from tests.conftest import DATA, ROOT

CATALOG = DATA / "catalog-small.toml"
PROFILE = (DATA / "profile-minimal.toml").read_text()
BAD_VISA = PROFILE.replace('visa = "J-1"', 'visa = "Tourist"')

# A plugin that fails on applicants of the 2028 cycle, and one that takes a while per plan.
FAILS_ON_2028 = textwrap.dedent("""\
    from resplan import hookimpl

    @hookimpl
    def resplan_adjust_plan(plan, profile, catalog):
        if profile.applicant.cycle == 2028:
            raise LookupError("no quota table for 2028")
    """)
SLOW = textwrap.dedent("""\
    import time
    from resplan import hookimpl

    @hookimpl
    def resplan_adjust_plan(plan, profile, catalog):
        time.sleep(1.0)
    """)


def install(tmp_path: Path, source: str) -> dict:
    """``testplug 0.1`` with the entry point ``testplug``, on PYTHONPATH of the returned env."""
    site = tmp_path / "site"
    info = site / "testplug-0.1.dist-info"
    info.mkdir(parents=True)
    (site / "testplug.py").write_text(source)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: testplug\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text("[resplan]\ntestplug = testplug\n")
    env = {
        k: v for k, v in os.environ.items() if k not in ("RESPLAN_DEBUG", "RESPLAN_DISABLE_PLUGINS")
    }
    env["PYTHONPATH"] = os.pathsep.join([str(site), *filter(None, [os.environ.get("PYTHONPATH")])])
    return env


def profiles(folder: Path, count: int, *, bad: int = 0, cycle_2028: int = 0) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in range(count):
        text = PROFILE
        if i < bad:
            text = BAD_VISA
        elif i < bad + cycle_2028:
            text = PROFILE.replace("cycle = 2027", "cycle = 2028")
        path = folder / f"p{i:02d}.toml"
        path.write_text(text)
        out.append(path)
    return out


def batch(env, *argv, **kwargs):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "resplan",
            "batch",
            *map(str, argv),
            "--catalog",
            str(CATALOG),
            "--as-of",
            "2026-06-01",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        **kwargs,
    )


def summary(folder: Path) -> list[dict]:
    with open(folder / "summary.csv", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_plugin_failing_on_one_profile_is_its_row_exit_3(tmp_path, jobs):
    env = install(tmp_path, FAILS_ON_2028)
    paths = profiles(tmp_path / "in", 4, bad=1, cycle_2028=1)
    out = tmp_path / "out"
    result = batch(env, *paths, "--out-dir", out, "--jobs", jobs, timeout=300)
    assert result.returncode == 3, result.stderr
    assert "Traceback" not in result.stderr
    rows = {Path(r["profile"]).name: r for r in summary(out)}
    assert rows["p00.toml"]["plan"] == "" and "visa" in rows["p00.toml"]["error"]
    assert rows["p01.toml"]["plan"] == ""
    assert "plugin 'testplug' from testplug 0.1" in rows["p01.toml"]["error"]
    assert "LookupError: no quota table for 2028" in rows["p01.toml"]["error"]
    assert [rows[n]["plan"] for n in ("p02.toml", "p03.toml")] == ["p02.toml", "p03.toml"]
    assert sorted(p.name for p in out.iterdir()) == ["p02.toml", "p03.toml", "summary.csv"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_only_bad_input_exits_2(tmp_path, jobs):
    paths = profiles(tmp_path / "in", 3, bad=1)
    result = batch(
        dict(os.environ), *paths, "--out-dir", tmp_path / "out", "--jobs", jobs, timeout=300
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "2 plans" in result.stdout and "1 profile not planned" in result.stdout


def test_out_dir_at_a_file_is_refused(tmp_path):
    paths = profiles(tmp_path / "in", 2)
    target = tmp_path / "taken"
    target.write_text("not a folder\n")
    result = batch(dict(os.environ), *paths, "--out-dir", target, timeout=300)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert str(target) in result.stderr and "not a folder" in result.stderr
    assert target.read_text() == "not a folder\n"


@pytest.mark.parametrize("what", ["profiles", "catalog"])
def test_out_dir_holding_the_inputs_is_refused(tmp_path, what):
    folder = tmp_path / "cohort"
    paths = profiles(folder, 2)
    before = {p: p.read_text() for p in paths}
    if what == "catalog":
        catalog = folder / "summary.csv"  # the summary would replace this catalog
        catalog.write_text((DATA / "catalog-small.csv").read_text())
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "resplan",
                "batch",
                *map(str, paths),
                "--catalog",
                str(catalog),
                "--out-dir",
                str(folder),
            ],
            capture_output=True,
            text=True,
            cwd=ROOT,
            timeout=300,
        )
        refused = catalog
    else:
        result = batch(dict(os.environ), *paths, "--out-dir", folder, timeout=300)
        refused = folder / "p00.toml"
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert str(refused) in result.stderr and "is an input of this run" in result.stderr
    assert {p: p.read_text() for p in paths} == before
    assert not (what == "profiles" and (folder / "summary.csv").exists())


def _wait_for(condition, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


posix_only = pytest.mark.skipif(sys.platform == "win32", reason="POSIX process groups")


@posix_only
@pytest.mark.parametrize("jobs", [1, 2])
def test_ctrl_c_stops_cleanly_with_a_summary_of_what_was_written(tmp_path, jobs):
    env = install(tmp_path, SLOW)
    paths = profiles(tmp_path / "in", 12)
    out = tmp_path / "out"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "resplan",
            "batch",
            *map(str, paths),
            "--catalog",
            str(CATALOG),
            "--as-of",
            "2026-06-01",
            "--out-dir",
            str(out),
            "--jobs",
            str(jobs),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        assert _wait_for(lambda: out.is_dir() and any(out.glob("p*.toml")), 120)
        os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    # One line, and no blank line before it (no progress bar is drawn on a pipe).
    [line] = stderr.splitlines()
    assert line.startswith("resplan: interrupted: wrote") and "summary.csv" in line
    written = sorted(p.name for p in out.glob("p*.toml"))
    assert 1 <= len(written) < len(paths)
    rows = summary(out)
    assert sorted(r["plan"] for r in rows if r["plan"]) == written
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    assert _wait_for(lambda: not _group_alive(process.pid), 30), "a worker outlived the batch"


@posix_only
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal")
def test_workers_end_when_the_parent_is_killed(tmp_path):
    env = install(tmp_path, SLOW)
    paths = profiles(tmp_path / "in", 20)
    out = tmp_path / "out"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "resplan",
            "batch",
            *map(str, paths),
            "--catalog",
            str(CATALOG),
            "--as-of",
            "2026-06-01",
            "--out-dir",
            str(out),
            "--jobs",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        assert _wait_for(lambda: out.is_dir() and any(out.glob("p*.toml")), 120)
        process.kill()  # SIGKILL: the parent gets no chance to stop its workers
        process.wait(timeout=30)
        assert _wait_for(lambda: not _group_alive(process.pid), 30), "workers outlived the batch"
        planned = len(list(out.glob("p*.toml")))
        time.sleep(2)
        assert len(list(out.glob("p*.toml"))) == planned  # nobody writes plans any more
        assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    finally:
        if _group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)


def test_a_plan_whose_result_never_came_back_is_not_left_in_the_folder(tmp_path):
    """Workers write plans under staged names; the batch's process puts each in place when
    it records the row. After a stop, a plan whose row was recorded is in place (even when
    the stop came between the two), and one whose result was lost is removed."""
    from resplan.batch import PlanRow, _Collector
    from resplan.writer import staged_path, write_staged

    out = tmp_path / "out"
    out.mkdir()
    paths = ["a.toml", "b.toml", "c.toml"]
    targets = {p: out / p for p in paths}
    owner = os.getpid()
    staged = {p: str(write_staged(targets[p], f"# {p}\n", owner)) for p in paths}
    collector = _Collector(paths, None, None)
    collector.add(
        "a.toml",
        PlanRow(profile="a.toml", plan="a.toml"),
        None,
        ((staged["a.toml"], str(targets["a.toml"])),),
    )
    # A stop right after b's row was recorded, before its file was renamed.
    collector.rows["b.toml"] = PlanRow(profile="b.toml", plan="b.toml")
    collector.committing = ((staged["b.toml"], str(targets["b.toml"])),)
    # c was planned and written, but its result never reached this process.
    collector.settle_staged(targets, None, owner)
    assert sorted(os.listdir(out)) == ["a.toml", "b.toml"]
    assert (out / "b.toml").read_text() == "# b.toml\n"
    assert not staged_path(targets["c.toml"], owner).exists()
