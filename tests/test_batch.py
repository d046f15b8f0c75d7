"""Batch planning: one plan per profile, as ``resplan plan`` writes it, plus a summary table."""

from __future__ import annotations

import csv
import io
import shutil

import pytest

from resplan.batch import SUMMARY_COLUMNS, progress_bar, run_batch
from resplan.cli import main
from resplan.errors import InputError
from tests.conftest import DATA, EXAMPLES

CATALOG = DATA / "catalog-small.toml"
PROFILES = sorted((EXAMPLES / "profiles").glob("*.toml"))
BAD_VISA = '[applicant]\ngraduation_year = 2022\ncycle = 2027\nvisa = "Tourist"\n'


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """The example profiles plus one bad profile, in a folder of their own."""
    folder = tmp_path_factory.mktemp("profiles")
    for path in PROFILES:
        shutil.copy(path, folder / path.name)
    (folder / "bad-visa.toml").write_text(BAD_VISA)
    return sorted(folder.glob("*.toml"))


@pytest.fixture(scope="module")
def runs(cohort, tmp_path_factory):
    """The same cohort planned in-process and with two worker processes."""
    out = {}
    for jobs in (1, 2):
        folder = tmp_path_factory.mktemp(f"jobs{jobs}")
        # Profiles given in reverse order: the results must not depend on it.
        out[jobs] = (folder, run_batch(list(reversed(cohort)), [CATALOG], folder, jobs=jobs))
    return out


def files(folder):
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("jobs", [1, 2])
def test_each_plan_is_byte_identical_to_resplan_plan(runs, cohort, tmp_path, jobs):
    folder, _result = runs[jobs]
    for profile in cohort:
        if profile.name == "bad-visa.toml":
            continue
        single = tmp_path / profile.name
        assert main(["plan", str(profile), "--catalog", str(CATALOG), "--out", str(single)]) == 0
        assert (folder / profile.name).read_bytes() == single.read_bytes(), profile.name


def test_two_catalogs_combine_as_in_resplan_plan(tmp_path):
    catalogs = [str(EXAMPLES / "catalog" / "border-programs.toml"), str(CATALOG)]
    profile = EXAMPLES / "profiles" / "example.toml"
    run_batch([profile], catalogs, tmp_path / "batch", jobs=1)
    single = tmp_path / "single.toml"
    assert (
        main(
            [
                "plan",
                str(profile),
                "--catalog",
                catalogs[0],
                "--catalog",
                catalogs[1],
                "--out",
                str(single),
            ]
        )
        == 0
    )
    assert (tmp_path / "batch" / "example.toml").read_bytes() == single.read_bytes()


def test_jobs_1_and_2_write_the_same_files(runs):
    assert files(runs[1][0]) == files(runs[2][0])
    assert runs[1][1].rows == runs[2][1].rows


@pytest.mark.parametrize("jobs", [1, 2])
def test_bad_profile_is_reported_and_skipped(runs, cohort, jobs):
    folder, result = runs[jobs]
    bad = str(next(p for p in cohort if p.name == "bad-visa.toml"))
    assert [profile for profile, _message in result.errors] == [bad]
    message = dict(result.errors)[bad]
    assert "applicant.visa" in message and "Tourist" in message and bad in message
    assert not (folder / "bad-visa.toml").exists()
    # Every other profile still has its plan.
    assert {r.plan for r in result.planned} == {p.name for p in PROFILES}
    assert all((folder / p.name).exists() for p in PROFILES)


def test_summary_is_sorted_and_complete(runs, cohort):
    folder, result = runs[2]
    text = (folder / "summary.csv").read_text()
    assert text == (runs[1][0] / "summary.csv").read_text()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(rows[0]) == SUMMARY_COLUMNS
    assert [r["profile"] for r in rows] == [str(p) for p in cohort]
    assert [r.profile for r in result.rows] == [str(p) for p in cohort]
    for row in rows:
        if row["profile"].endswith("bad-visa.toml"):
            assert (
                row["plan"] == "" and row["considered"] == "" and "applicant.visa" in row["error"]
            )
        else:
            assert row["error"] == "" and row["plan"].endswith(".toml")
            counts = {
                k: int(row[k])
                for k in ("considered", "apply", "borderline", "skip", "tier1", "tier2", "tier3")
            }
            assert counts["apply"] + counts["borderline"] + counts["skip"] == counts["considered"]
            assert counts["tier1"] + counts["tier2"] + counts["tier3"] == (
                counts["apply"] + counts["borderline"]
            )


def test_summary_does_not_depend_on_input_order(cohort, runs, tmp_path):
    shuffled = cohort[2:] + cohort[:2]
    result = run_batch(shuffled, [CATALOG], tmp_path, jobs=1)
    assert (tmp_path / "summary.csv").read_text() == (runs[1][0] / "summary.csv").read_text()
    assert result.rows == runs[1][1].rows


def test_a_bad_profile_leaves_its_old_plan_alone(tmp_path):
    bad = tmp_path / "in" / "someone.toml"
    bad.parent.mkdir()
    bad.write_text(BAD_VISA)
    out = tmp_path / "out"
    out.mkdir()
    (out / "someone.toml").write_text("previous plan\n")
    result = run_batch([bad], [CATALOG], out, jobs=1)
    assert len(result.errors) == 1
    assert (out / "someone.toml").read_text() == "previous plan\n"


def test_duplicate_profile_names_are_refused_up_front(tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(PROFILES[0], tmp_path / folder / "same.toml")
    out = tmp_path / "out"
    with pytest.raises(InputError) as caught:
        run_batch([tmp_path / "a" / "same.toml", tmp_path / "b" / "same.toml"], [CATALOG], out)
    assert "same file name" in str(caught.value)
    assert not out.exists()


@pytest.mark.parametrize("jobs", [1, 2])
def test_bad_catalog_stops_before_writing(tmp_path, jobs):
    out = tmp_path / "out"
    with pytest.raises(InputError) as caught:
        run_batch(PROFILES, [tmp_path / "missing.toml"], out, jobs=jobs)
    assert "missing.toml" in str(caught.value) and "no such file" in str(caught.value)
    assert not out.exists()


def test_progress_is_reported_up_to_the_total(tmp_path):
    calls = []
    run_batch(PROFILES[:3], [CATALOG], tmp_path, jobs=2, progress=lambda d, t: calls.append((d, t)))
    assert calls == [(0, 3), (1, 3), (2, 3), (3, 3)]


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_progress_bar_draws_only_on_a_terminal():
    pipe = io.StringIO()
    bar = progress_bar(pipe)
    bar(0, 4), bar(4, 4)
    assert pipe.getvalue() == ""

    terminal = _Terminal()
    bar = progress_bar(terminal, width=8)
    bar(0, 4), bar(2, 4), bar(4, 4)
    drawn = terminal.getvalue()
    assert "\r[....] " not in drawn and "[####....] 2/4" in drawn
    assert drawn.endswith("[########] 4/4 100%\n")


def test_progress_bar_says_whether_a_message_needs_a_new_line_first():
    # After a stop (Ctrl-C, SIGTERM), the message goes on a line of its own: after a bar
    # drawn part way, not after a finished bar nor where no bar is drawn.
    terminal = _Terminal()
    bar = progress_bar(terminal, width=8)
    bar(0, 4), bar(2, 4)
    assert bar.midline and not terminal.getvalue().endswith("\n")
    bar(4, 4)
    assert not bar.midline and terminal.getvalue().endswith("\n")
    piped = progress_bar(io.StringIO())
    piped(1, 4)
    assert not piped.midline
