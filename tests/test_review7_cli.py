"""The command line as review 7 met it: a program listed in two catalogs, what the
library takes, and small messages (findings 5, 10, 11)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import stat

import pytest

import resplan
from resplan.batch import run_batch
from resplan.cli import main
from tests.conftest import DATA, EXAMPLES

PROFILE = EXAMPLES / "profiles" / "example.toml"
BORDER = EXAMPLES / "catalog" / "border-programs.toml"
AS_OF = "2026-06-01"
# The rows docs/catalogs.md shows for the freida mapping: the first is a border program
# the example catalog lists under another id.
LISTING = (
    "Program Name,City,State,Specialty,% IMG,Visa Sponsorship\n"
    "Texas Tech University Health Sciences Center El Paso,El Paso,Texas,Internal medicine,"
    "64%,J1\n"
    "UTRGV Doctors Hospital at Renaissance,Edinburg,TX,Family medicine,45,None\n"
)


def test_a_program_in_two_catalogs_is_told_once_and_the_plan_still_made(tmp_path, capsys):
    listing = tmp_path / "listing.csv"
    listing.write_text(LISTING, encoding="utf-8")
    mine = tmp_path / "my-programs.toml"
    assert main(["import-catalog", str(listing), "--mapping", "freida", "--out", str(mine)]) == 0
    capsys.readouterr()
    out = tmp_path / "plan.toml"
    argv = ["plan", str(PROFILE), "--catalog", str(BORDER), "--catalog", str(mine)]
    assert main([*argv, "--out", str(out), "--as-of", AS_OF]) == 0
    err = capsys.readouterr().err
    [line] = err.splitlines()
    assert line.startswith(
        "resplan: warning: Texas Tech University Health Sciences Center El Paso "
        "(Internal Medicine, El Paso, TX) looks listed in more than one catalog ("
    )
    assert f"{BORDER}: tx-elpaso-ttuhsc-im" in line and str(mine) in line
    assert out.read_text().startswith("# resplan plan")
    # One catalog, or two without a shared program: nothing to say.
    argv = [
        "plan",
        str(PROFILE),
        "--catalog",
        str(BORDER),
        "--catalog",
        str(DATA / "catalog-small.toml"),
    ]
    assert main([*argv, "--out", str(out), "--as-of", AS_OF]) == 0
    assert "warning" not in capsys.readouterr().err


def test_the_library_says_it_takes_paths_or_loaded_inputs(tmp_path):
    profile = resplan.load_profile(PROFILE)
    catalog = resplan.load_catalog(BORDER)
    with pytest.raises(TypeError, match="catalogs' paths"):
        run_batch([PROFILE], [catalog], tmp_path / "out", jobs=1)
    with pytest.raises(TypeError, match="profiles' paths"):
        run_batch([profile], [BORDER], tmp_path / "out", jobs=1)
    assert not (tmp_path / "out").exists()
    with pytest.raises(TypeError, match=r"takes a Catalog, not str: .*load_catalog"):
        resplan.plan(profile, str(BORDER))
    with pytest.raises(TypeError, match=r"takes a Profile, not PosixPath|takes a Profile"):
        resplan.plan(PROFILE, catalog)


def test_a_toml_key_given_twice_is_named_as_toml_names_it(tmp_path, capsys):
    text = PROFILE.read_text(encoding="utf-8")
    start = text.index("[exams.step2ck]")
    end = text.index("\n[", start + 1)
    profile = tmp_path / "profile.toml"
    profile.write_text(text + "\n" + text[start:end] + "\n", encoding="utf-8")
    out = tmp_path / "plan.toml"
    assert main(["plan", str(profile), "--catalog", str(BORDER), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "cannot declare [exams.step2ck] twice" in err and "('" not in err, err


def test_batch_without_plan_files_says_what_it_wrote(tmp_path, capsys):
    db = tmp_path / "cohort.sqlite"
    argv = ["batch", str(PROFILE), "--catalog", str(BORDER), "--db", str(db)]
    assert main([*argv, "--plans", "none", "--as-of", AS_OF, "--jobs", "1"]) == 0
    assert capsys.readouterr().out == f"planned 1 profile; wrote {db}\n"


def test_docs_makes_its_folder(tmp_path, capsys):
    folder = tmp_path / "new" / "docs"
    assert main(["docs", "--out", str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["facts.md", "profile.md", "rules.md"]
    afile = tmp_path / "afile"
    afile.write_text("", encoding="utf-8")
    capsys.readouterr()
    assert main(["docs", "--out", str(afile)]) == 2
    assert capsys.readouterr().err == (
        f"resplan: error: {afile}: is a file: --out names the folder the docs go to\n"
    )


def test_import_facts_says_how_to_write_a_percentage_and_that_a_date_is_missing(tmp_path, capsys):
    sheet = tmp_path / "sheet.csv"
    sheet.write_text(
        "program,fact,value,verified,source\n"
        "tx-elpaso-ttuhsc-im,img_share,45,2026-01-10,website\n"
        "tx-elpaso-ttuhsc-im,positions,12,,website\n",
        encoding="utf-8",
    )
    out = tmp_path / "facts.toml"
    assert main(["import-facts", str(sheet), "--out", str(out)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 2, lines
    assert lines[0].startswith(f"resplan: error: {sheet}:2: tx-elpaso-ttuhsc-im: value")
    assert lines[0].endswith("; for 45 percent write 45%")
    assert lines[1] == (
        f"resplan: error: {sheet}:3: tx-elpaso-ttuhsc-im: verified: the cell is empty: "
        "give the day you learned it as YYYY-MM-DD"
    )
    assert not out.exists()


def _with_lookalike(tmp_path, capsys):
    """The imported listing: it lists a border program of the example catalog again."""
    listing = tmp_path / "listing.csv"
    listing.write_text(LISTING, encoding="utf-8")
    mine = tmp_path / "my-programs.toml"
    assert main(["import-catalog", str(listing), "--mapping", "freida", "--out", str(mine)]) == 0
    capsys.readouterr()
    return mine


def test_a_batch_tells_a_program_in_two_catalogs_once_for_the_run(tmp_path, capsys):
    mine = _with_lookalike(tmp_path, capsys)
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    for name in ("a.toml", "b.toml", "c.toml"):
        (profiles / name).write_bytes(PROFILE.read_bytes())
    argv = ["batch", *map(str, sorted(profiles.iterdir())), "--catalog", str(BORDER)]
    argv += ["--catalog", str(mine), "--as-of", AS_OF, "--jobs", "1"]
    assert main([*argv, "--out-dir", str(tmp_path / "out")]) == 0
    out, err = capsys.readouterr()
    [line] = err.splitlines()  # one warning for three plans
    assert line.startswith(
        "resplan: warning: Texas Tech University Health Sciences Center El Paso "
        "(Internal Medicine, El Paso, TX) looks listed in more than one catalog ("
    )
    assert f"{BORDER}: tx-elpaso-ttuhsc-im" in line and str(mine) in line
    assert line.endswith("every plan counts it once for each; leave it out of one of them")
    assert out.startswith("wrote 3 plans")
    # The library says it too, with an executor as without one (its workers read the
    # catalogs); the same programs as plan's warning.
    from concurrent.futures import ThreadPoolExecutor

    local = run_batch([PROFILE], [BORDER, mine], tmp_path / "local", jobs=1, as_of=AS_OF)
    with ThreadPoolExecutor(1) as executor:
        remote = run_batch(
            [PROFILE], [BORDER, mine], tmp_path / "remote", as_of=AS_OF, executor=executor
        )
    assert len(local.lookalikes) == 1 and remote.lookalikes == local.lookalikes
    # Two catalogs without a shared program: nothing to say.
    small = DATA / "catalog-small.toml"
    assert run_batch([PROFILE], [BORDER, small], tmp_path / "two", jobs=1).lookalikes == ()


def test_a_batch_date_years_after_the_cycle_names_the_date_not_the_profile(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["batch", str(PROFILE), "--catalog", str(BORDER), "--out-dir", str(out)]
    assert main([*argv, "--as-of", "2062-11-30", "--jobs", "1"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "resplan: error: --as-of: 2062-11-30 is after Match Day of the 2027 Match your "
        f"profile ({PROFILE}) applies for (19 March 2027), and after the 2027 Match, the "
        "one after the next from today: check this date first (a typo in its year?). "
        "If it is right, set cycle to 2063, the first Match still ahead on it."
    ]
    # Without the option (a library caller's date), the profile's cycle is named, as the
    # plan of resplan.plan names it.
    result = run_batch([PROFILE], [BORDER], tmp_path / "lib", jobs=1, as_of="2062-11-30")
    [problem] = result.problems
    assert problem.field == "applicant.cycle" and problem.file == str(PROFILE)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_database_link_is_followed_and_kept_as_plan_out_is(tmp_path, capsys):
    shared = tmp_path / "shared"
    shared.mkdir()
    target = shared / "cohort.sqlite"
    target.write_text("an older database\n")
    target.chmod(0o640)
    link = tmp_path / "cohort.sqlite"
    link.symlink_to(target)
    argv = ["batch", str(PROFILE), "--catalog", str(BORDER), "--as-of", AS_OF]
    assert main([*argv, "--db", str(link), "--plans", "none", "--jobs", "1"]) == 0
    assert capsys.readouterr().out == f"planned 1 profile; wrote {link}\n"
    assert link.is_symlink() and os.readlink(link) == str(target)
    # The file the link names is the new database, with the mode it had.
    with contextlib.closing(sqlite3.connect(target)) as db:
        assert db.execute("select count(*) from plans").fetchone() == (1,)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in shared.iterdir()) == ["cohort.sqlite"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cohort.sqlite", "shared"]
