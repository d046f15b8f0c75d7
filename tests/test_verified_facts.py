"""Recording what was verified: plan -> verify sheet -> ask programs -> facts -> plan again
(issue 12, part 2), on the command line."""

from __future__ import annotations

import csv
import io
import tomllib

import resplan
from resplan.cli import main
from tests.conftest import EXAMPLES

PROFILE = EXAMPLES / "profiles" / "example.toml"
NO_SPANISH = EXAMPLES / "profiles" / "high-scorer-no-spanish.toml"
BORDER = EXAMPLES / "catalog" / "border-programs.toml"
SAMPLE = EXAMPLES / "catalog" / "synthetic-national-sample.toml"
AS_OF = "2026-01-15"
PROGRAM = "nm-lascruces-hes-mountainview-im"
SOURCE = "program coordinator, by email"


def plan(tmp_path, name, *extra, catalogs=(BORDER,)):
    out = tmp_path / name
    argv = ["plan", str(PROFILE), "--out", str(out), "--as-of", AS_OF, *map(str, extra)]
    for catalog in catalogs:
        argv += ["--catalog", str(catalog)]
    assert main(argv) == 0
    return out


def batch(folder, *profiles, jobs="1", facts=()):
    """``resplan batch`` of ``profiles`` against the border catalog into ``folder``; its
    exit status."""
    argv = ["batch", *map(str, profiles), "--catalog", str(BORDER), "--out-dir", str(folder)]
    argv += ["--as-of", AS_OF, "--jobs", jobs]
    for path in facts:
        argv += ["--facts", str(path)]
    return main(argv)


def program_of(path, program_id=PROGRAM):
    return next(
        p
        for p in tomllib.loads(path.read_text(encoding="utf-8"))["programs"]
        if p["id"] == program_id
    )


def fill(sheet, out, answers):
    """Fill the sheet's rows as a person would, in a spreadsheet."""
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8"))))
    for row in rows:
        if (row["program"], row["fact"]) in answers:
            row.update(
                value=answers[row["program"], row["fact"]], verified="2026-01-10", source=SOURCE
            )
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_two_verified_facts_change_the_verdict_cite_the_verification_and_leave_to_verify(tmp_path):
    before = plan(tmp_path, "before.toml")
    first = program_of(before)
    assert (first["verdict"], first["tier"]) == ("apply", 1)
    assert {"min_step2ck", "max_years_since_graduation"} <= set(first["to_verify"])

    sheet = tmp_path / "sheet.csv"
    assert main(["verify-sheet", str(before), "--out", str(sheet)]) == 0
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8"))))
    assert {(r["program"], r["fact"]) for r in rows if r["program"] == PROGRAM} == {
        (PROGRAM, f) for f in first["to_verify"]
    }
    assert all(r["value"] == r["verified"] == r["source"] == "" for r in rows)
    assert rows[0]["program"] == PROGRAM  # most promising first, as in the plan

    filled, facts = tmp_path / "filled.csv", tmp_path / "verified.toml"
    fill(
        sheet,
        filled,
        {(PROGRAM, "min_step2ck"): "235", (PROGRAM, "max_years_since_graduation"): "5"},
    )
    assert main(["import-facts", str(filled), "--out", str(facts)]) == 0
    assert tomllib.loads(facts.read_text(encoding="utf-8"))["fact"] == [
        {
            "program": PROGRAM,
            "verified": __import__("datetime").date(2026, 1, 10),
            "source": SOURCE,
            "min_step2ck": 235,
            "max_years_since_graduation": 5,
        }
    ]

    after = plan(tmp_path, "after.toml", "--facts", facts)
    decided = program_of(after)
    # A published minimum far above the applicant's 221 makes the screening rules skip it.
    assert decided["verdict"] == "skip" and "tier" not in decided
    rules = [r["rule"] for r in decided["reasons"]]
    assert rules[0] == "verified" and "screening/step2ck-far-below-minimum" in rules
    cited = decided["reasons"][0]["says"]
    assert "10 January 2026" in cited and SOURCE in cited and "235" in cited
    assert "min_step2ck" not in cited  # facts are named in words, never by field name
    assert not {"min_step2ck", "max_years_since_graduation"} & set(decided["to_verify"])
    inputs = tomllib.loads(after.read_text(encoding="utf-8"))["provenance"]["inputs"]
    assert [i["role"] for i in inputs] == ["profile", "catalog", "facts"]

    # Same inputs, same bytes; the API gives the plan the command writes.
    assert plan(tmp_path, "again.toml", "--facts", facts).read_bytes() == after.read_bytes()
    host = resplan.load_host()
    by_api = resplan.plan(
        resplan.load_profile(PROFILE),
        host.read_catalog(BORDER),
        host=host,
        as_of=AS_OF,
        facts=[facts],
    )
    assert resplan.dumps_plan(by_api) == after.read_text(encoding="utf-8")
    # Without the facts file the plan is the one it was.
    assert plan(tmp_path, "without.toml").read_bytes() == before.read_bytes()
    assert main(["report", str(after), "--out", str(tmp_path / "after.html")]) == 0


def test_verify_sheet_leaves_synthetic_and_skipped_programs_out(tmp_path):
    made = plan(tmp_path, "plan.toml", catalogs=(BORDER, SAMPLE))
    sheet = tmp_path / "sheet.csv"
    assert main(["verify-sheet", str(made), "--out", str(sheet)]) == 0
    programs = {p["id"]: p for p in tomllib.loads(made.read_text(encoding="utf-8"))["programs"]}
    listed = {r["program"] for r in csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8")))}
    assert listed and not any(programs[i].get("synthetic") for i in listed)
    assert not any(programs[i]["verdict"] == "skip" for i in listed)


def test_an_unknown_program_id_names_the_file_line_and_nearest_id(tmp_path, capsys):
    facts = tmp_path / "verified.toml"
    facts.write_text(
        f'[[fact]]\nprogram = "{PROGRAM}s"\nverified = 2026-01-10\n'
        f'source = "{SOURCE}"\nmin_step2ck = 235\n',
        encoding="utf-8",
    )
    out = tmp_path / "plan.toml"
    out.write_text("keep me", encoding="utf-8")
    assert (
        main(
            [
                "plan",
                str(PROFILE),
                "--catalog",
                str(BORDER),
                "--out",
                str(out),
                "--as-of",
                AS_OF,
                "--facts",
                str(facts),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert err.count("resplan: error:") == 1
    assert "verified.toml:2:" in err and f"did you mean '{PROGRAM}'" in err
    assert "Traceback" not in err and out.read_text(encoding="utf-8") == "keep me"


def test_bad_facts_are_all_reported_with_their_lines(tmp_path, capsys):
    facts = tmp_path / "verified.toml"
    facts.write_text(
        f'[[fact]]\nprogram = "{PROGRAM}"\nverified = "last week"\nsource = ""\n'
        'visa = ["J-1"]\n\n'
        f'[[fact]]\nprogram = "{PROGRAM}"\nverified = 2026-01-10\nsource = "site"\n'
        "min_step2ck = 900\n",
        encoding="utf-8",
    )
    assert (
        main(
            [
                "plan",
                str(PROFILE),
                "--catalog",
                str(BORDER),
                "--out",
                str(tmp_path / "p.toml"),
                "--as-of",
                AS_OF,
                "--facts",
                str(facts),
            ]
        )
        == 2
    )
    err = capsys.readouterr().err
    for line, words in (
        (3, "as a date"),
        (4, "where these facts come from"),
        (5, "did you mean 'visas'"),
    ):
        assert f"verified.toml:{line}:" in err and words in err
    assert not (tmp_path / "p.toml").exists()


def test_the_later_verification_wins_and_one_day_cannot_say_two_things(tmp_path, capsys):
    facts = tmp_path / "verified.toml"
    entry = '[[fact]]\nprogram = "{p}"\nverified = {d}\nsource = "{s}"\nmin_step2ck = {v}\n\n'
    facts.write_text(
        entry.format(p=PROGRAM, d="2026-01-12", s="website", v=200)
        + entry.format(p=PROGRAM, d="2026-01-10", s=SOURCE, v=235),
        encoding="utf-8",
    )
    decided = program_of(plan(tmp_path, "plan.toml", "--facts", facts))
    assert (
        decided["verdict"] == "apply"
        and "12 January 2026 (website)" in decided["reasons"][0]["says"]
    )

    facts.write_text(
        entry.format(p=PROGRAM, d="2026-01-10", s="website", v=200)
        + entry.format(p=PROGRAM, d="2026-01-10", s=SOURCE, v=235),
        encoding="utf-8",
    )
    assert (
        main(
            [
                "plan",
                str(PROFILE),
                "--catalog",
                str(BORDER),
                "--out",
                str(tmp_path / "x.toml"),
                "--as-of",
                AS_OF,
                "--facts",
                str(facts),
            ]
        )
        == 2
    )
    assert "another value" in capsys.readouterr().err


def test_import_facts_reports_every_bad_row_and_writes_nothing(tmp_path, capsys):
    before = plan(tmp_path, "before.toml")
    sheet, filled = tmp_path / "sheet.csv", tmp_path / "filled.csv"
    assert main(["verify-sheet", str(before), "--out", str(sheet)]) == 0
    fill(
        sheet,
        filled,
        {(PROGRAM, "min_step2ck"): "two hundred", (PROGRAM, "max_years_since_graduation"): "5"},
    )
    text = filled.read_text(encoding="utf-8").replace("2026-01-10", "10/01/2026", 1)
    filled.write_text(text, encoding="utf-8")
    out = tmp_path / "verified.toml"
    assert main(["import-facts", str(filled), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("resplan: error:") == 2
    assert "value: expected a whole number, got 'two hundred'" in err and "YYYY-MM-DD" in err
    assert not out.exists()


FACTS = (
    f'[[fact]]\nprogram = "{PROGRAM}"\nverified = 2026-01-10\nsource = "{SOURCE}"\n'
    "min_step2ck = 235\nmax_years_since_graduation = 5\n"
)


def test_batch_with_facts_writes_the_plans_resplan_plan_writes(tmp_path):
    facts = tmp_path / "verified.toml"
    facts.write_text(FACTS, encoding="utf-8")
    second = tmp_path / "second.toml"  # a second file: --facts is repeatable in both commands
    second.write_text(
        '[[fact]]\nprogram = "tx-elpaso-ttuhsc-im"\nverified = 2026-01-11\n'
        'source = "program website"\nvisas = ["J-1", "H-1B"]\n',
        encoding="utf-8",
    )
    alone = plan(tmp_path, "alone.toml", "--facts", facts, "--facts", second)
    assert program_of(alone)["reasons"][0]["rule"] == "verified"
    for jobs in ("1", "2"):
        folder = tmp_path / f"batch{jobs}"
        assert batch(folder, PROFILE, NO_SPANISH, jobs=jobs, facts=(facts, second)) == 0
        assert (folder / "example.toml").read_bytes() == alone.read_bytes()
    # Without --facts the batch plan is the plan without them.
    bare = tmp_path / "bare"
    assert batch(bare, PROFILE) == 0
    assert (bare / "example.toml").read_bytes() == plan(tmp_path, "plain.toml").read_bytes()
    assert (bare / "example.toml").read_bytes() != alone.read_bytes()


def test_batch_with_an_unknown_program_id_plans_nothing(tmp_path, capsys):
    facts = tmp_path / "verified.toml"
    facts.write_text(FACTS.replace(PROGRAM, PROGRAM + "s"), encoding="utf-8")
    for jobs in ("1", "2"):
        folder = tmp_path / f"out{jobs}"
        assert batch(folder, PROFILE, NO_SPANISH, jobs=jobs, facts=(facts,)) == 2
        err = capsys.readouterr().err
        assert err.count("resplan: error:") == 1, err
        assert "verified.toml:2:" in err and f"did you mean '{PROGRAM}'" in err
        assert "Traceback" not in err and not folder.exists()


def _plan_argv(out, facts, as_of=AS_OF):
    argv = ["plan", str(PROFILE), "--catalog", str(BORDER), "--out", str(out)]
    return argv + (["--as-of", as_of] if as_of else []) + ["--facts", str(facts)]


def test_a_fact_verified_after_today_or_after_the_plans_date_is_refused(
    tmp_path, capsys, monkeypatch
):
    """A verified day still to come is a typo (2062 for 2026): refused, not cited, and it
    does not beat the right entry; a plan dated before the day cannot use it either."""
    import datetime as dt

    import resplan.dates

    monkeypatch.setattr(resplan.dates, "today", lambda: dt.date(2026, 12, 1))
    facts = tmp_path / "verified.toml"
    entry = '[[fact]]\nprogram = "{p}"\nverified = {d}\nsource = "{s}"\nmin_step2ck = {v}\n\n'
    facts.write_text(
        entry.format(p=PROGRAM, d="2026-01-10", s=SOURCE, v=235)
        + entry.format(p=PROGRAM, d="2062-01-10", s="website", v=200),
        encoding="utf-8",
    )
    out = tmp_path / "plan.toml"
    out.write_text("keep me", encoding="utf-8")
    assert main(_plan_argv(out, facts, as_of=None)) == 2
    err = capsys.readouterr().err
    assert err.count("resplan: error:") == 1, err
    assert "verified.toml:9:" in err and "fact[1].verified: 2062-01-10 is after today" in err
    assert out.read_text(encoding="utf-8") == "keep me"

    # Learned in October, planned as of January: the plan cannot cite it.
    facts.write_text(entry.format(p=PROGRAM, d="2026-10-02", s=SOURCE, v=235), encoding="utf-8")
    assert main(_plan_argv(out, facts)) == 2
    err = capsys.readouterr().err
    assert err.count("resplan: error:") == 1, err
    assert "verified.toml:3:" in err and "after the plan's date (15 January 2026)" in err
    assert out.read_text(encoding="utf-8") == "keep me"
    # The same from the library and in a batch (once, not once per profile).
    import pytest

    with pytest.raises(resplan.InputError, match="after the plan's date"):
        resplan.plan(
            resplan.load_profile(PROFILE), resplan.load_catalog(BORDER), as_of=AS_OF, facts=facts
        )
    folder = tmp_path / "out"
    assert batch(folder, PROFILE, NO_SPANISH, facts=(facts,)) == 2
    err = capsys.readouterr().err
    assert err.count("resplan: error:") == 1, err
    assert "after the plan's date" in err and not folder.exists()


def test_every_problem_of_a_facts_file_comes_out_in_one_run(tmp_path, capsys):
    """An unknown id and two values on one day are told with the entries that do not read
    (a quoted date, an unknown key), not in a second round."""
    facts = tmp_path / "verified.toml"
    entry = '[[fact]]\nprogram = "{p}"\nverified = {d}\nsource = "{s}"\nmin_step2ck = {v}\n\n'
    facts.write_text(
        entry.format(p=PROGRAM + "s", d="2026-01-10", s=SOURCE, v=235)
        + entry.format(p=PROGRAM, d="2026-01-10", s=SOURCE, v=235)
        + entry.format(p=PROGRAM, d="2026-01-10", s="website", v=200)
        + entry.format(p=PROGRAM, d='"2026-01-10"', s="website", v=200)
        + "foo = 1\n",
        encoding="utf-8",
    )
    assert main(_plan_argv(tmp_path / "p.toml", facts)) == 2
    err = capsys.readouterr().err
    assert err.count("resplan: error:") == 4, err
    for line, words in (
        (2, f"fact[0].program: no program '{PROGRAM}s' in the catalog"),
        (17, "fact[2].min_step2ck: verified on 2026-01-10 with another value"),
        (21, "fact[3].verified: give the day"),
        (25, "fact[3].foo: not a fact you can verify"),
    ):
        assert f"verified.toml:{line}:" in err and words in err, (line, words)
    assert not (tmp_path / "p.toml").exists()


def test_import_facts_checks_values_as_plan_facts_does_at_the_sheets_row(tmp_path, capsys):
    """A value out of range or not in its list is refused at the row typed, not written
    into a facts file that plan --facts then refuses."""
    before = plan(tmp_path, "before.toml")
    sheet, filled = tmp_path / "sheet.csv", tmp_path / "filled.csv"
    assert main(["verify-sheet", str(before), "--out", str(sheet)]) == 0
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8"))))
    visas = next(r["program"] for r in rows if r["fact"] == "visas")
    fill(sheet, filled, {(PROGRAM, "min_step2ck"): "-230", (visas, "visas"): "7"})
    # The header is line 1 and no cell spans lines: row n is on line n + 2.
    at = {
        r["fact"]: n + 2
        for n, r in enumerate(rows)
        if (r["program"], r["fact"]) in ((PROGRAM, "min_step2ck"), (visas, "visas"))
    }
    out = tmp_path / "verified.toml"
    assert main(["import-facts", str(filled), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("resplan: error:") == 2, err
    assert f"filled.csv:{at['min_step2ck']}: {PROGRAM}: value (min_step2ck): -230 is not" in err
    assert f"filled.csv:{at['visas']}: {visas}: value (visas[0]): '7' is not one of" in err
    assert not out.exists()
    # Every value import-facts takes, plan --facts takes too.
    fill(sheet, filled, {(PROGRAM, "min_step2ck"): "230", (visas, "visas"): "J-1"})
    assert main(["import-facts", str(filled), "--out", str(out)]) == 0
    plan(tmp_path, "after.toml", "--facts", out)


def test_import_facts_reads_a_sheet_saved_with_semicolons(tmp_path, capsys):
    """As a spreadsheet in a Spanish or Portuguese locale saves it: BOM, ';' and CRLF."""
    before = plan(tmp_path, "before.toml")
    sheet, filled = tmp_path / "sheet.csv", tmp_path / "filled.csv"
    assert main(["verify-sheet", str(before), "--out", str(sheet)]) == 0
    fill(sheet, filled, {(PROGRAM, "min_step2ck"): "235"})
    rows = list(csv.reader(io.StringIO(filled.read_text(encoding="utf-8"))))
    excel = tmp_path / "excel.csv"
    with excel.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=";", lineterminator="\r\n").writerows(rows)
    commas, semicolons = tmp_path / "commas.toml", tmp_path / "semicolons.toml"
    assert main(["import-facts", str(filled), "--out", str(commas)]) == 0
    assert main(["import-facts", str(excel), "--out", str(semicolons)]) == 0, capsys.readouterr()
    assert semicolons.read_bytes() == commas.read_bytes()
    assert "min_step2ck = 235" in semicolons.read_text(encoding="utf-8")


def test_every_problem_of_a_facts_entry_is_told_in_one_run(tmp_path, capsys):
    """An unknown key, an id in no catalog and a value of the wrong kind in one entry:
    three lines in one run, each with its line and fact[N] path (review 7, finding 8)."""
    facts = tmp_path / "verified.toml"
    facts.write_text(
        f'[[fact]]\nprogram = "{PROGRAM}s"\nverified = 2026-01-10\nsource = "{SOURCE}"\n'
        'min_step2ck = "230"\nvisa = ["J-1"]\n',
        encoding="utf-8",
    )
    out = tmp_path / "plan.toml"
    assert main(_plan_argv(out, facts)) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith(f"resplan: error: {facts}:2: {PROGRAM}s: fact[0].program: ")
    assert f"did you mean '{PROGRAM}'" in lines[0]
    assert lines[1].startswith(f"resplan: error: {facts}:5: {PROGRAM}s: fact[0].min_step2ck: ")
    assert "expected a whole number" in lines[1]
    assert lines[2].startswith(f"resplan: error: {facts}:6: {PROGRAM}s: fact[0].visa: ")
    assert "did you mean 'visas'" in lines[2]
    assert not out.exists()
    # With the id right, the value and the key are still told together.
    facts.write_text(facts.read_text().replace(f"{PROGRAM}s", PROGRAM), encoding="utf-8")
    assert main(_plan_argv(out, facts)) == 2
    err = capsys.readouterr().err
    assert err.count("resplan: error:") == 2
    assert f"{facts}:5: {PROGRAM}: fact[0].min_step2ck: " in err
