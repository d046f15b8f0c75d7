"""Outputs are safe: never an input, the umask's permissions, no temporary file left behind."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from resplan.cli import main
from resplan.errors import ResplanError
from resplan.writer import write_text_atomic
from tests.conftest import DATA, ROOT

PROFILE_TEXT = (DATA / "profile-minimal.toml").read_text()
CATALOG_TEXT = (DATA / "catalog-small.toml").read_text()


@pytest.fixture
def inputs(tmp_path):
    profile = tmp_path / "profile.toml"
    profile.write_text(PROFILE_TEXT)
    catalog = tmp_path / "catalog.toml"
    catalog.write_text(CATALOG_TEXT)
    return profile, catalog


def left_over_temporaries(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]


# (id, how --out names an input, given the profile and catalog paths)
SAME_FILE = [
    ("profile", lambda p, c: p),
    ("catalog", lambda p, c: c),
    ("profile-by-another-path", lambda p, c: p.parent / "." / ".." / p.parent.name / p.name),
    ("profile-through-a-symlink", lambda p, c: _link(p, "link.toml", os.symlink)),
    ("profile-through-a-hard-link", lambda p, c: _link(p, "hard.toml", os.link)),
]


def run_plan_script(script: str, profile: Path, catalog: Path, out: Path):
    """``script`` (which patches resplan, then runs its CLI) running ``resplan plan`` in a
    new process."""
    argv = ["plan", str(profile), "--catalog", str(catalog), "--out", str(out)]
    return subprocess.run(
        [sys.executable, "-c", script, *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )


def _link(target: Path, name: str, make) -> Path:
    link = target.parent / name
    make(target, link)
    return link


@pytest.mark.parametrize("name, out_of", SAME_FILE, ids=[c[0] for c in SAME_FILE])
def test_out_naming_an_input_is_refused(inputs, capsys, name, out_of):
    profile, catalog = inputs
    out = out_of(profile, catalog)
    code = main(["plan", str(profile), "--catalog", str(catalog), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2
    assert str(out) in err and "is an input of this run" in err
    assert profile.read_text() == PROFILE_TEXT and catalog.read_text() == CATALOG_TEXT
    assert left_over_temporaries(profile.parent) == []


def test_report_over_its_plan_is_refused(inputs, capsys, tmp_path):
    profile, catalog = inputs
    plan = tmp_path / "plan.toml"
    assert main(["plan", str(profile), "--catalog", str(catalog), "--out", str(plan)]) == 0
    before = plan.read_bytes()
    capsys.readouterr()
    assert main(["report", str(plan), "--out", str(plan)]) == 2
    assert "is an input of this run" in capsys.readouterr().err
    assert plan.read_bytes() == before


@pytest.mark.skipif(not hasattr(os, "fchmod"), reason="no POSIX modes here")
@pytest.mark.parametrize(
    "umask, existing, expected",
    [
        (0o022, None, 0o644),
        (0o077, None, 0o600),
        (0o002, None, 0o664),
        (0o022, 0o640, 0o640),  # an existing file keeps its mode
        (0o077, 0o644, 0o644),
    ],
)
def test_outputs_get_the_umask_or_keep_their_mode(tmp_path, umask, existing, expected):
    path = tmp_path / "plan.toml"
    if existing is not None:
        path.write_text("old\n")
        path.chmod(existing)
    previous = os.umask(umask)
    try:
        write_text_atomic(path, "new\n")
    finally:
        os.umask(previous)
    assert path.read_text() == "new\n"
    assert stat.S_IMODE(path.stat().st_mode) == expected


class Boom(Exception):
    pass


@pytest.mark.parametrize("failure", [Boom, KeyboardInterrupt, OSError])
def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch, failure):
    path = tmp_path / "plan.toml"
    path.write_text("previous plan\n")

    def fail(*_args):
        raise failure(28, "No space left on device") if failure is OSError else failure()

    monkeypatch.setattr(os, "replace", fail)
    with pytest.raises((Boom, KeyboardInterrupt, ResplanError)):
        write_text_atomic(path, "x" * 100_000)
    assert left_over_temporaries(tmp_path) == []
    assert path.read_text() == "previous plan\n"


@pytest.mark.skipif(not hasattr(os, "kill") or sys.platform == "win32", reason="POSIX signals")
@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGINT"])
def test_a_signal_while_writing_leaves_no_temporary_file(inputs, tmp_path, signal_name):
    profile, catalog = inputs
    out = tmp_path / "plan.toml"
    out.write_text("previous plan\n")
    # The signal arrives while the plan is being written (just before it is flushed to
    # disk), the moment a killed run used to leave a hidden temporary file behind.
    script = (
        "import os, signal, sys\n"
        "import resplan.writer as writer\n"
        "real = os.fsync\n"
        f"def fsync(fd):\n    os.kill(os.getpid(), signal.{signal_name}); real(fd)\n"
        "writer.os.fsync = fsync\n"
        "from resplan.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    result = run_plan_script(script, profile, catalog, out)
    assert result.returncode == 130, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == "resplan: interrupted; nothing more was written"
    assert out.read_text() == "previous plan\n"
    assert left_over_temporaries(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "kill") or sys.platform == "win32", reason="POSIX signals")
def test_the_next_run_removes_what_a_killed_run_left(inputs, tmp_path):
    profile, catalog = inputs
    out = tmp_path / "plan.toml"
    out.write_text("previous plan\n")
    # SIGKILL cannot be caught: the killed run leaves its temporary file behind...
    script = (
        "import os, signal, sys\n"
        "import resplan.writer as writer\n"
        "def fsync(fd):\n    os.kill(os.getpid(), signal.SIGKILL)\n"
        "writer.os.fsync = fsync\n"
        "from resplan.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    killed = run_plan_script(script, profile, catalog, out)
    assert killed.returncode == -9
    assert len(left_over_temporaries(tmp_path)) == 1
    assert out.read_text() == "previous plan\n"
    # ...and a file another run is writing right now (this process is alive) is left alone.
    busy = tmp_path / f".plan.toml.resplan-{os.getpid()}-abc.tmp"
    busy.write_text("being written")
    # The next write beside it removes the dead run's file.
    assert main(["plan", str(profile), "--catalog", str(catalog), "--out", str(out)]) == 0
    assert left_over_temporaries(tmp_path) == [busy.name]
    assert out.read_text().startswith("# resplan plan")


def test_dash_writes_the_plan_to_standard_output(inputs, tmp_path):
    profile, catalog = inputs
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "resplan",
            "plan",
            str(profile),
            "--catalog",
            str(catalog),
            "--as-of",
            "2026-06-01",
            "--out",
            "-",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# resplan plan") and "[summary]" in result.stdout
    assert "wrote -" in result.stderr
    assert not (tmp_path / "-").exists()
    written = tmp_path / "plan.toml"
    assert (
        main(
            [
                "plan",
                str(profile),
                "--catalog",
                str(catalog),
                "--as-of",
                "2026-06-01",
                "--out",
                str(written),
            ]
        )
        == 0
    )
    assert written.read_text() == result.stdout


def test_two_outputs_of_one_run_on_one_file_are_refused(inputs, tmp_path, capsys):
    # The report written over its own plan, or a plan over the cohort database: the later
    # output replaced the earlier one, and the run said it wrote both.
    profile, catalog = inputs
    same = tmp_path / "same.md"
    argv = ["plan", str(profile), "--catalog", str(catalog), "--out", str(same)]
    assert main([*argv, "--report", str(same)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        f"resplan: error: {same}: is both the plan and the report; one would replace the "
        "other: choose another path for one of them"
    )
    assert not same.exists()
    out = tmp_path / "out"
    batch = ["batch", str(profile), "--catalog", str(catalog), "--out-dir", str(out)]
    for db, role in [
        (out / f"{profile.stem}.toml", f"the plan of {profile}"),
        (out / "summary.csv", "the batch's summary.csv"),
    ]:
        assert main([*batch, "--db", str(db)]) == 2
        err = capsys.readouterr().err
        assert f"{db}: is both the cohort database and {role}; one would replace" in err
        assert not out.exists()


def test_standard_input_is_read_once_and_an_empty_catalog_is_refused(inputs, tmp_path, capsys):
    # "-" as the profile and the catalog planned against an empty catalog: standard input
    # was gone by the time the catalog was read.
    profile, _catalog = inputs
    out = tmp_path / "plan.toml"
    assert main(["plan", "-", "--catalog", "-", "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip() == (
        "resplan: error: -: standard input can be read only once: give - for one input at most"
    )
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    assert main(["plan", str(profile), "--catalog", str(empty), "--out", str(out)]) == 2
    message = f"{empty}: holds no programs: a catalog lists each program in a [[program]] table"
    assert capsys.readouterr().err.strip() == f"resplan: error: {message}"
    assert main(["check-catalog", str(empty)]) == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


# ------------------------------------------------------------------ what an output path names


def _plan(inputs, out, *extra):
    profile, catalog = inputs
    argv = ["plan", str(profile), "--catalog", str(catalog), "--out", str(out)]
    return main([*argv, "--as-of", "2026-01-15", *map(str, extra)])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_named_pipe_is_written_through_or_refused_never_replaced(inputs, tmp_path, capsys):
    import threading

    expected = tmp_path / "plan.toml"
    assert _plan(inputs, expected) == 0
    pipe = tmp_path / "pipe"
    os.mkfifo(pipe)
    # Nobody reads from it: refused at once, not waited on.
    assert _plan(inputs, pipe) == 2
    assert "no program is reading from this named pipe" in capsys.readouterr().err
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
    # A reader: the plan goes through the pipe, which stays a pipe.
    got = []
    fd = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)
    os.set_blocking(fd, True)
    # A second writer held open, so that the reader waits for the plan, not an end.
    held = os.open(pipe, os.O_WRONLY)

    def read():
        with os.fdopen(fd, "rb") as handle:
            got.append(handle.read())

    reader = threading.Thread(target=read)
    reader.start()
    try:
        assert _plan(inputs, pipe) == 0
    finally:
        os.close(held)
    reader.join(30)
    assert got == [expected.read_bytes()]
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
    assert left_over_temporaries(tmp_path) == []


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_link_is_followed_and_kept(inputs, tmp_path):
    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / "plan.toml"
    target.write_text("old plan\n")
    target.chmod(0o640)
    link = tmp_path / "plan.toml"
    link.symlink_to(target)
    assert _plan(inputs, link) == 0
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert target.read_text().startswith("# resplan plan")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert left_over_temporaries(tmp_path) == [] and left_over_temporaries(shared) == []


def test_a_database_that_is_not_a_file_is_refused(inputs, tmp_path, capsys):
    if not hasattr(os, "mkfifo"):
        pytest.skip("no named pipes here")
    profile, catalog = inputs
    pipe = tmp_path / "cohort.sqlite"
    os.mkfifo(pipe)
    argv = ["batch", str(profile), "--catalog", str(catalog), "--db", str(pipe)]
    assert main([*argv, "--plans", "none", "--as-of", "2026-01-15"]) == 2
    assert "is not a regular file" in capsys.readouterr().err
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)


def test_a_report_that_cannot_be_written_leaves_the_plan_alone(inputs, tmp_path, capsys):
    plan = tmp_path / "plan.toml"
    plan.write_text("old plan\n")
    assert _plan(inputs, plan, "--report", tmp_path / "nowhere" / "report.html") == 2
    err = capsys.readouterr().err
    assert err.count("resplan: error:") == 1 and "folder" in err and "does not exist" in err
    assert plan.read_text() == "old plan\n"
    # A folder that takes no file (as an unwritable one; the tests may run as root).
    if os.path.isdir("/proc/self"):
        assert _plan(inputs, plan, "--report", "/proc/self/report.html") == 2
        err = capsys.readouterr().err
        assert "/proc/self/report.html: cannot write in folder '/proc/self'" in err
        assert plan.read_text() == "old plan\n"


def test_standard_output_that_cannot_be_written_is_one_line(inputs, tmp_path):
    # /dev/full: every write fails with "No space left on device".
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    profile, catalog = inputs
    for argv in (
        ["plan", profile, "--catalog", catalog, "--out", "-", "--as-of", "2026-01-15"],
        ["synth-catalog", "--programs", "5", "--out", "-", "--format", "toml"],
        ["plugins"],  # a listing, printed line by line
    ):
        with open("/dev/full", "w") as full:
            result = subprocess.run(
                [sys.executable, "-m", "resplan", *map(str, argv)],
                stdout=full,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
            )
        assert result.returncode == 2, result.stderr
        assert result.stderr == (
            "resplan: error: standard output: cannot write: No space left on device\n"
        )
