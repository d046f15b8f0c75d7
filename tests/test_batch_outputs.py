"""What a batch refuses before it writes anything: every problem of its facts files in
one run, SQLite's side files of --db named like an input, a --db that cannot be made
(no folder left behind), an --out-dir where nothing can be written (named)."""

from __future__ import annotations

import os
import tempfile

import pytest

import resplan.batch
from resplan.cli import main
from tests.conftest import EXAMPLES

PROFILE = EXAMPLES / "profiles" / "example.toml"
CATALOG = EXAMPLES / "catalog" / "border-programs.toml"
AS_OF = "2026-01-12"
FACT = '[[fact]]\nprogram = "{p}"\nverified = {d}\nsource = "email"\nmin_step2ck = {v}\n\n'


def batch(*extra, jobs="1"):
    argv = ["batch", str(PROFILE), "--catalog", str(CATALOG), "--as-of", AS_OF, "--jobs", jobs]
    return main(argv + [str(x) for x in extra])


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_every_problem_of_the_facts_files_is_told_in_one_run(tmp_path, capsys, jobs):
    # A day after the plans' date, an id in no catalog, a value of the wrong kind (each
    # checked at a different step before), and a file that is not TOML at all.
    first = tmp_path / "first.toml"
    first.write_text(
        FACT.format(p="tx-elpaso-ttuhsc-im", d="2026-01-14", v=230)
        + FACT.format(p="no-such-program", d="2026-01-10", v=230),
        encoding="utf-8",
    )
    second = tmp_path / "second.toml"
    second.write_text(FACT.format(p="tx-elpaso-ttuhsc-im", d="2026-01-10", v='"abc"'))
    broken = tmp_path / "broken.toml"
    broken.write_text("[[fact]\nprogram = 1\n", encoding="utf-8")
    out = tmp_path / "out"
    facts = ["--facts", first, "--facts", second, "--facts", broken]
    assert batch("--out-dir", out, *facts, jobs=jobs) == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 4 and all(line.startswith("resplan: error: ") for line in lines), err
    assert f"{first}:3: tx-elpaso-ttuhsc-im: fact[0].verified: 2026-01-14 is after the plan" in err
    assert f"{first}:8: no-such-program: fact[1].program: no program" in err
    assert f"{second}:5: tx-elpaso-ttuhsc-im: fact[0].min_step2ck: expected a whole number" in err
    assert f"{broken}:1: not valid TOML" in err
    assert "Traceback" not in err and not out.exists()


@pytest.mark.parametrize("suffix", ["-wal", "-shm", "-journal"])
def test_an_input_named_like_a_side_file_of_the_database_is_refused(tmp_path, capsys, suffix):
    db = tmp_path / "cohort.sqlite"
    facts = tmp_path / f"cohort.sqlite{suffix}"  # the batch would remove it with the old log
    text = FACT.format(p="tx-elpaso-ttuhsc-im", d="2026-01-10", v=230)
    facts.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    assert batch("--out-dir", out, "--db", db, "--facts", facts) == 2
    err = capsys.readouterr().err
    assert err.count("resplan: error:") == 1, err
    assert f"{facts}: is an input of this run; writing the cohort database's" in err
    assert facts.read_text(encoding="utf-8") == text
    assert not out.exists() and not db.exists()


def test_a_database_in_a_missing_folder_writes_nothing(tmp_path, capsys):
    out = tmp_path / "out"
    db = tmp_path / "nowhere" / "cohort.sqlite"
    assert batch("--out-dir", out, "--db", db) == 2
    err = capsys.readouterr().err
    assert err.count("resplan: error:") == 1 and str(db) in err and "does not exist" in err
    assert not out.exists() and not db.parent.exists()
    # Inside the plans' folder, made with it, it is written.
    assert batch("--out-dir", out, "--db", out / "cohort.sqlite") == 0
    assert (out / "cohort.sqlite").is_file()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_database_that_cannot_be_made_leaves_no_empty_folder(tmp_path, capsys, jobs):
    out = tmp_path / "out"
    db = tmp_path / "cohort.sqlite"
    db.with_name("cohort.sqlite-wal").mkdir()  # SQLite's log cannot be removed nor made
    (db.with_name("cohort.sqlite-wal") / "x").write_text("")
    assert batch("--out-dir", out, "--db", db, jobs=jobs) == 2
    err = capsys.readouterr().err
    assert err.count("resplan: error:") == 1 and "cannot create the cohort database" in err
    assert "Traceback" not in err and not out.exists()


def test_an_out_dir_where_nothing_can_be_written_is_named(tmp_path, capsys, monkeypatch):
    # As a folder without write permission behaves (the tests may run as root, whom the
    # permission does not stop): making any file in it fails.
    out = tmp_path / "out"
    out.mkdir()
    real = tempfile.mkstemp

    def mkstemp(*args, dir=None, **kwargs):
        if dir is not None and os.path.samefile(dir, out):
            raise PermissionError(13, "Permission denied")
        return real(*args, dir=dir, **kwargs)

    monkeypatch.setattr(resplan.batch.tempfile, "mkstemp", mkstemp)
    db = tmp_path / "cohort.sqlite"
    db.write_bytes(b"an older database")
    assert batch("--out-dir", out, "--db", db) == 2
    err = capsys.readouterr().err
    assert err == f"resplan: error: {out}: cannot write in this folder: Permission denied\n"
    assert list(out.iterdir()) == [] and db.read_bytes() == b"an older database"


def test_an_out_dir_in_a_folder_that_cannot_hold_files_is_named(tmp_path, capsys):
    if not os.path.isdir("/proc/self"):
        pytest.skip("no /proc here")
    assert batch("--out-dir", "/proc/self") == 2
    err = capsys.readouterr().err
    assert err.startswith("resplan: error: /proc/self: cannot write in this folder"), err
    assert "summary.csv" not in err
