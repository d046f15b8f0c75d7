"""The command line as a new user met it in the session-11 trial (README and docs
followed in a fresh install): inputs that ran without a word, outputs a name did not
describe, examples that no longer matched."""

from __future__ import annotations

import pytest

from resplan.cli import main
from tests.conftest import EXAMPLES, ROOT

PROFILE = EXAMPLES / "profiles" / "example.toml"
BORDER = EXAMPLES / "catalog" / "border-programs.toml"


@pytest.mark.parametrize(
    ("programs", "message"),
    [
        ("0", "--programs 0: a catalog needs at least 1 program"),
        (
            "99999999999",
            "--programs 99999999999 is more than resplan makes (at most 10,000,000; the "
            "national catalog has about 13,400): a typo?",
        ),
    ],
)
def test_synth_catalog_refuses_no_programs_and_a_typo_sized_count(
    tmp_path, capsys, programs, message
):
    # 99999999999 ran until killed, its memory growing; 0 wrote a catalog `plan` refuses.
    out = tmp_path / "synthetic.toml"
    out.write_text("kept", encoding="utf-8")
    assert main(["synth-catalog", "--programs", programs, "--seed", "1", "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"resplan: error: {out}: {message}\n"
    assert out.read_text(encoding="utf-8") == "kept"


def test_a_csv_catalog_with_a_header_and_no_rows_is_refused_as_an_empty_toml_one(
    tmp_path, capsys, monkeypatch
):
    # It planned 0 programs with exit status 0, and check-catalog said "ok".
    empty = tmp_path / "mine.csv"
    empty.write_text("id,name,specialty,city,state\r\n\r\n", encoding="utf-8")
    out = tmp_path / "plan.toml"
    out.write_text("kept", encoding="utf-8")
    argv = ["plan", str(PROFILE), "--catalog", str(BORDER), "--catalog", str(empty)]
    assert main([*argv, "--out", str(out)]) == 2
    message = "holds no programs: a CSV catalog has one row per program under its header row"
    assert capsys.readouterr().err == f"resplan: error: {empty}:1: {message}\n"
    assert out.read_text(encoding="utf-8") == "kept"
    assert main(["check-catalog", str(empty)]) == 2
    assert capsys.readouterr().err == f"{empty}:1: {message}\nresplan: 1 problem found\n"
    # On standard input too, told a CSV by its header.
    import io

    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"id,name,specialty\n")))
    assert main(["plan", str(PROFILE), "--catalog", "-", "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"resplan: error: -:1: {message}\n"


def _readme_toml_block(starting: str) -> dict:
    import tomllib

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    [block] = [b.split("```", 1)[0] for b in text.split("```toml\n")[1:] if b.startswith(starting)]
    return tomllib.loads(block)


def test_the_readme_what_if_excerpts_are_what_the_plans_say(host):
    # The [[what_if]] excerpt showed 39 programs opened, 14 improved, 9 in tier 1 after,
    # long after the plan said 12, 0 and 7; only the [summary] excerpt was tested.
    import datetime
    import tomllib

    import resplan
    from resplan.writer import dumps_plan

    as_of = datetime.date(2026, 1, 15)
    border = host.read_catalog(BORDER)
    sample = host.read_catalog(EXAMPLES / "catalog" / "synthetic-national-sample.toml")
    both = resplan.merge_catalogs([border, sample])

    def made(profile: str, catalog) -> dict:
        loaded = resplan.load_profile(EXAMPLES / "profiles" / profile)
        plan = resplan.plan(loaded, catalog, host=host, as_of=as_of)
        return tomllib.loads(dumps_plan(plan))

    example = made("example.toml", border)
    [advice] = _readme_toml_block("[[summary.advice]]")["summary"]["advice"]
    assert advice in example["summary"]["advice"]

    reapplicant = made("reapplicant-failed-attempt.toml", both)
    [shown] = _readme_toml_block("[[what_if]]")["what_if"]
    [entry] = [w for w in reapplicant["what_if"] if w["change"] == shown["change"]]
    assert {key: entry[key] for key in shown} == shown
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    [says] = [a["says"] for a in reapplicant["summary"]["advice"] if a["rule"] == shown["rule"]]
    assert f'the summary says "{says}"' in readme


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["docs", "--out", "-"],
            "--out: cannot be - (standard output): the docs are three files (rules.md, "
            "facts.md, profile.md); name the folder they go to",
        ),
        (
            ["batch", str(PROFILE), "--catalog", str(BORDER), "--out-dir", "-"],
            "--out-dir: cannot be - (standard output): the plans and summary.csv are files; "
            "name a folder",
        ),
        (
            ["batch", str(PROFILE), "--catalog", str(BORDER), "--db", "-", "--plans", "none"],
            "--db: cannot be - (standard output): the database is a file; name one",
        ),
    ],
)
def test_a_folder_or_database_named_minus_is_refused(tmp_path, capsys, monkeypatch, argv, message):
    # `resplan docs --out -` made a folder named "-": everywhere else - is standard output.
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", f"resplan: error: {message}\n")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("argv", "name", "option", "format"),
    [
        (["report", "{plan}", "--out", "{out}", "--format", "md"], "report.html", "--format", "md"),
        (
            ["plan", str(PROFILE), "--catalog", str(BORDER), "--out", "{plan}"]
            + ["--report", "{out}", "--report-format", "csv"],
            "report.html",
            "--report-format",
            "csv",
        ),
        (
            ["synth-catalog", "--programs", "5", "--out", "{out}", "--format", "csv"],
            "catalog.toml",
            "--format",
            "csv",
        ),
    ],
)
def test_a_file_name_and_a_format_option_that_disagree_are_refused(
    tmp_path, capsys, argv, name, option, format
):
    # A Markdown report went into report.html, a CSV catalog into catalog.toml (which
    # --catalog then failed to read as TOML).
    plan = tmp_path / "plan.toml"
    assert main(["plan", str(PROFILE), "--catalog", str(BORDER), "--out", str(plan)]) == 0
    before = plan.read_bytes()
    out = tmp_path / name
    out.write_text("kept", encoding="utf-8")
    capsys.readouterr()
    assert main([arg.format(plan=plan, out=out) for arg in argv]) == 2
    suffix = out.suffix
    assert capsys.readouterr().err == (
        f"resplan: error: {out}: the name ends in {suffix} but {option} says {format}: make "
        f"them agree, or leave {option} out\n"
    )
    assert out.read_text(encoding="utf-8") == "kept" and plan.read_bytes() == before
    # A name that says no format still takes the option's, and one that agrees is fine.
    for other in (tmp_path / "out.txt", tmp_path / f"out.{format}"):
        assert main([arg.format(plan=plan, out=other) for arg in argv]) == 0
        assert other.read_text(encoding="utf-8") != "kept"


BROKEN_RULESET_PLUGIN = '''
import resplan

RULES = """
[ruleset]
name = "brokenrules"
version = "1.0.0"

[[screen]]
id = "our-minimum"
when = "profile.clinical.hands_on_month < 2"
verdict = "skip"
says = "Too few months."
source = "tests"
"""


@resplan.hookimpl
def resplan_rulesets():
    return [resplan.RulesetSource(text=RULES, label="brokenrules.toml")]
'''


def test_an_installed_plugin_whose_ruleset_does_not_load_is_named_with_the_way_out(tmp_path):
    # The message named a ruleset file deep in site-packages and the rule, but not the
    # plugin nor --disable, and every command (`resplan plugins` too) stopped on it.
    from tests.test_plugin_failures import install, run

    env = install(tmp_path, BROKEN_RULESET_PLUGIN)
    out = tmp_path / "plan.toml"
    out.write_text("previous plan\n")
    result = run(env, "plan", PROFILE, "--catalog", BORDER, "--out", out)
    assert result.returncode == 2, result.stderr
    first, last = result.stderr.splitlines()
    assert first.startswith("resplan: error: brokenrules.toml:8: our-minimum: when: ")
    assert "unknown name 'profile.clinical.hands_on_month'" in first
    assert last == (
        "resplan: error: plugin 'broken' (brokenplug 0.1): its ruleset does not load: fix "
        "it, or leave the plugin out with --disable broken"
    )
    assert out.read_text() == "previous plan\n"
    left_out = run(env, "--disable", "broken", "plan", PROFILE, "--catalog", BORDER, "--out", out)
    assert left_out.returncode == 0, left_out.stderr
    # `resplan check` reports the ruleset's own problems, without the note.
    checked = run(env, "check")
    assert checked.returncode == 2 and "--disable" not in checked.stdout + checked.stderr


def test_a_spreadsheet_of_a_spanish_or_french_locale_reads_its_decimal_commas(tmp_path, capsys):
    # `64,5 %` in a ;-separated sheet (a decimal comma, a space or a no-break space before
    # the sign) was refused; `1,000%` could be a thousands group and still is.
    sheet = tmp_path / "programas.csv"
    rows = [
        "Program Name;City;State;Specialty;% IMG;Visa Sponsorship",
        "Texas Tech El Paso;El Paso;Texas;Internal medicine;64,5 %;J1",
        "UTRGV DHR;Edinburg;TX;Family medicine;0,5%;None",
        "Laredo Medical Center;Laredo;TX;Internal medicine;12\u00a0%;None",
    ]
    sheet.write_bytes(("\ufeff" + "\r\n".join(rows) + "\r\n").encode("utf-8"))
    out = tmp_path / "mine.toml"
    argv = ["import-catalog", str(sheet), "--mapping", "freida", "--out", str(out)]
    assert main(argv) == 0, capsys.readouterr().err
    import tomllib

    shares = {p["name"]: p["img_share"] for p in tomllib.loads(out.read_text())["program"]}
    assert shares == {
        "Texas Tech El Paso": 0.645,
        "UTRGV DHR": 0.005,
        "Laredo Medical Center": 0.12,
    }
    sheet.write_text(rows[0] + "\nX;Laredo;TX;Internal medicine;1,000%;None\n", encoding="utf-8")
    out.unlink()
    capsys.readouterr()
    assert main(argv) == 2
    assert "'1,000%': expected a percentage such as 45%, 45 or 0.45" in capsys.readouterr().err
    assert not out.exists()


def test_a_catalog_imported_from_standard_input_says_so_not_minus(tmp_path, capsys, monkeypatch):
    # Every program's source was "-, imported with the freida mapping".
    import io

    listing = (
        "Program Name,City,State,Specialty,% IMG,Visa Sponsorship\n"
        "UTRGV Doctors Hospital at Renaissance,Edinburg,TX,Family medicine,45,None\n"
    )
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(listing.encode())))
    out = tmp_path / "mine.toml"
    assert main(["import-catalog", "-", "--mapping", "freida", "--out", str(out)]) == 0
    assert capsys.readouterr().out == (
        f"wrote {out}: 1 program from standard input with the freida mapping\n"
    )
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# resplan program catalog: 1 program imported from standard input ")
    assert 'source = "standard input, imported with the freida mapping"' in text
    assert "-," not in text


def test_a_utf16_file_is_named_as_utf16_not_by_a_byte_offset(tmp_path, capsys):
    # Notepad's "Unicode" and Excel's "Unicode text" are UTF-16: "not UTF-8 text (byte 0)"
    # told the user nothing they could act on.
    profile = tmp_path / "profile.toml"
    profile.write_bytes(PROFILE.read_text(encoding="utf-8").encode("utf-16"))
    out = tmp_path / "plan.toml"
    assert main(["plan", str(profile), "--catalog", str(BORDER), "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        f"resplan: error: {profile}: not UTF-8 text but UTF-16: save it as UTF-8\n"
    )
    sheet = tmp_path / "listing.csv"
    sheet.write_bytes("Program Name\tCity\tState\n".encode("utf-16"))
    argv = ["import-catalog", str(sheet), "--mapping", "freida", "--out", str(out)]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        f'resplan: error: {sheet}: not UTF-8 text but UTF-16: save it from your spreadsheet as "CSV UTF-8"\n'
    )
    assert not out.exists()
