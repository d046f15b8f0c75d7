"""Identifiers a person can look a program up by (acgme_id, nrmp_code, website) and the
catalog audit (issue 12, parts 4 and 5)."""

from __future__ import annotations

import csv
import io
import json
import tomllib

import pytest

import resplan
from resplan.cli import main
from tests.conftest import AS_OF, EXAMPLES, make_catalog, make_profile

PROFILE = EXAMPLES / "profiles" / "example.toml"
BORDER = EXAMPLES / "catalog" / "border-programs.toml"
BORDER_CSV = EXAMPLES / "catalog" / "border-programs.csv"
SAMPLE = EXAMPLES / "catalog" / "synthetic-national-sample.toml"

GOOD = {
    "acgme_id": "1404800001",
    "nrmp_code": "1000140C0",
    "website": "https://example.org/im-residency?a=1&b=2",
}

PROGRAM_TOML = """[[program]]
id = "tx-elpaso-one-im"
name = "One Hospital"
specialty = "Internal Medicine"
track = "categorical"
city = "El Paso"
state = "TX"
{extra}
"""


def plan_with(catalog, out) -> int:
    """``resplan plan`` of the example profile against ``catalog``; its exit status."""
    argv = ["plan", str(PROFILE), "--catalog", str(catalog), "--out", str(out)]
    return main([*argv, "--as-of", AS_OF.isoformat()])


def toml_catalog(tmp_path, **facts):
    extra = "\n".join(f"{key} = {json.dumps(value)}" for key, value in facts.items())
    path = tmp_path / "catalog.toml"
    path.write_text(PROGRAM_TOML.format(extra=extra), encoding="utf-8")
    return path


def csv_catalog(tmp_path, **facts):
    header = ["id", "name", "specialty", "track", "city", "state", *facts]
    row = [
        "tx-elpaso-one-im",
        "One Hospital",
        "Internal Medicine",
        "categorical",
        "El Paso",
        "TX",
        *facts.values(),
    ]
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([header, row])
    path = tmp_path / "catalog.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


# One bad value of each identifier, and the words its message must hold.
BAD = [
    ("acgme_id", "140480001", "has 9 digits; an ACGME program number has 10"),
    ("acgme_id", "14048O0001", "is not an ACGME program number: 10 digits"),
    ("nrmp_code", "1000-140C0", "is not an NRMP program code"),
    ("nrmp_code", "1000140c0", "write its letters in capitals"),
    ("nrmp_code", "1000140F0", "fellowship program (type F)"),
    ("nrmp_code", "1000140X0", "program type 'X'; the Main Residency Match types are"),
    ("nrmp_code", "1000140P0", "does not fit the program's track 'categorical' (type C or M)"),
    ("nrmp_code", "1000140C1234", "is not an NRMP program code"),
    ("website", "www.example.org", "start it with https://"),
    ("website", "javascript:alert(1)", "is not an http(s) web address"),
    ("website", "https://exa mple.org", "holds a space"),
    ("website", "https://", "names no site"),
    ("website", "https://user:secret@example.org/", "holds a user name or password"),
    ("website", 'https://example.org/"><b>', 'holds " < >, which a web address carries encoded'),
]


@pytest.mark.parametrize("kind", ["toml", "csv"])
@pytest.mark.parametrize("field, value, words", BAD)
def test_a_malformed_identifier_is_one_error_with_file_line_id_and_field(
    tmp_path, capsys, kind, field, value, words
):
    path = (toml_catalog if kind == "toml" else csv_catalog)(tmp_path, **{field: value})
    line, where = (8, f"program[0].{field}") if kind == "toml" else (2, field)
    assert main(["check-catalog", str(path)]) == 2
    err = capsys.readouterr().err
    first = err.splitlines()[0]
    assert first.startswith(f"{path}:{line}: tx-elpaso-one-im: {where}: "), err
    assert words in first and "Traceback" not in err
    assert err.count(str(path)) == 1
    # The plan command refuses it too, and writes nothing over what was there.
    out = tmp_path / "plan.toml"
    out.write_text("keep me", encoding="utf-8")
    assert plan_with(path, out) == 2
    assert f"{field}: " in capsys.readouterr().err
    assert out.read_text(encoding="utf-8") == "keep me"


def test_an_acgme_number_written_as_a_toml_number_is_refused(tmp_path, capsys):
    path = tmp_path / "catalog.toml"
    path.write_text(PROGRAM_TOML.format(extra="acgme_id = 1404800001"), encoding="utf-8")
    assert main(["check-catalog", str(path)]) == 2
    assert (
        "catalog.toml:8: tx-elpaso-one-im: program[0].acgme_id: expected text"
        in capsys.readouterr().err
    )


def test_every_bad_identifier_of_a_catalog_is_reported_at_once(tmp_path, capsys):
    path = toml_catalog(tmp_path, acgme_id="1", nrmp_code="x", website="ftp://example.org")
    assert main(["check-catalog", str(path)]) == 2
    err = capsys.readouterr().err
    assert [line.split(": ")[2] for line in err.splitlines()[:3]] == [
        "program[0].acgme_id",
        "program[0].nrmp_code",
        "program[0].website",
    ]
    assert "3 problems found" in err


@pytest.mark.parametrize("kind", ["toml", "csv"])
def test_good_identifiers_read_and_reach_the_plan(tmp_path, kind):
    path = (toml_catalog if kind == "toml" else csv_catalog)(tmp_path, **GOOD)
    assert main(["check-catalog", str(path)]) == 0
    out = tmp_path / "plan.toml"
    assert plan_with(path, out) == 0
    data = tomllib.loads(out.read_text(encoding="utf-8"))
    assert data["schema"] == 2
    (program,) = data["programs"]
    assert {key: program[key] for key in GOOD} == GOOD
    assert list(program)[:9] == [
        "id",
        "name",
        "specialty",
        "track",
        "city",
        "state",
        "acgme_id",
        "nrmp_code",
        "website",
    ]
    # The plan reads back equal, and a program that gives none has none of the keys.
    assert resplan.read_plan(out).programs[0].website == GOOD["website"]
    plain = tmp_path / "plain.toml"
    assert plan_with(BORDER, plain) == 0
    assert not any(set(GOOD) & set(p) for p in tomllib.loads(plain.read_text())["programs"])


def test_reports_show_the_codes_and_link_the_website(tmp_path, host):
    evil = 'https://example.org/"><script>alert(1)</script>'
    catalog = make_catalog(
        {"id": "a", "name": "A Hospital", **GOOD},
        {"id": "b", "name": "B Hospital", "website": "https://example.org/x(1)|y"},
        {"id": "c", "name": "C Hospital"},
    )
    profile = make_profile(applicant={"specialties": ["Internal Medicine"], "visa": "J-1"})
    plan = resplan.plan(profile, catalog, host=host, as_of=AS_OF)
    html = resplan.render_report(plan, "html")
    assert (
        'NRMP 1000140C0 · ACGME 1404800001 · <a class="website" '
        'href="https://example.org/im-residency?a=1&amp;b=2" rel="noopener noreferrer">'
        "website</a>"
    ) in html
    assert html.count('class="website"') == 2 * 2  # program table and verify checklist
    md = resplan.render_report(plan, "md", full=True)
    assert (
        "[A Hospital](https://example.org/im-residency?a=1&b=2) (NRMP 1000140C0, ACGME 1404800001)"
    ) in md
    assert "[B Hospital](https://example.org/x%281%29%7Cy)" in md
    rows = list(csv.DictReader(io.StringIO(resplan.render_report(plan, "csv").lstrip("\ufeff"))))
    by_id = {r["id"]: r for r in rows}
    assert {k: by_id["a"][k] for k in GOOD} == GOOD
    assert by_id["c"]["website"] == by_id["c"]["acgme_id"] == by_id["c"]["nrmp_code"] == ""

    # A plan edited by hand to hold a harmful address: no report links it.
    text = (
        resplan.dumps_plan(plan)
        .replace(GOOD["website"], "javascript:alert(1)")
        .replace("https://example.org/x(1)|y", evil.replace('"', '\\"'))
    )
    edited = resplan.loads_plan(text)
    html = resplan.render_report(edited, "html")
    assert "javascript:" not in html and "<script>alert" not in html
    assert 'class="website"' not in html
    md = resplan.render_report(edited, "md", full=True)
    assert "javascript:" not in md and "](" not in md
    assert "javascript:" not in resplan.render_report(edited, "csv")


def test_a_plan_of_the_older_schema_says_to_make_it_again(tmp_path, capsys):
    old = tmp_path / "old.toml"
    old.write_text("schema = 1\n", encoding="utf-8")
    assert main(["report", str(old), "--out", str(tmp_path / "r.html")]) == 2
    assert "plan schema 1 is not 2 (an older resplan wrote it" in capsys.readouterr().err


def test_synthetic_programs_get_no_identifiers(tmp_path):
    for suffix in ("toml", "csv"):
        out = tmp_path / f"synth.{suffix}"
        assert main(["synth-catalog", "--programs", "40", "--seed", "5", "--out", str(out)]) == 0
        text = out.read_text(encoding="utf-8")
        assert "acgme_id" not in text and "nrmp_code" not in text and "website" not in text


# ------------------------------------------------------------------ the audit


def test_audit_of_the_real_border_catalog(capsys):
    assert main(["check-catalog", "--audit", str(BORDER)]) == 0
    text = capsys.readouterr().out
    assert text.startswith(f"{BORDER}: 34 programs\n")
    known = {
        line.split()[0]: line.split()[1:]
        for line in text.splitlines()
        if line.startswith("    ") and " of " in line
    }
    # The figures of the catalog as shipped: every program names its track, year and
    # source; the listings give visas for 13, IMG shares for 12 and positions for 19; no
    # program has a published minimum, graduation limit, attempt limit or setting, and the
    # sources give no code or website.
    assert known["track"] == ["34", "of", "34"]
    assert (known["visas"], known["img_share"], known["positions"]) == (
        ["13", "of", "34"],
        ["12", "of", "34"],
        ["19", "of", "34"],
    )
    assert known["facts_as_of"] == ["34", "of", "34"] and known["source"] == ["34", "of", "34"]
    for fact in (
        "setting",
        "min_step2ck",
        "max_years_since_graduation",
        "max_attempts",
        "acgme_id",
        "nrmp_code",
        "website",
    ):
        assert known[fact] == ["0", "of", "34"], fact
    assert "oldest facts: 2019 (14 programs)\n" in text
    assert "look-alike duplicates: none" in text
    assert (
        "specialties with no program (25 of the 29 the specialty rules know):\n"
        "    open to low scores: Pediatrics\n"
    ) in text
    assert (
        "border sub-regions with no program (2 of 10): Imperial County (CA); "
        "Eagle Pass and Del Rio (TX)"
    ) in text


def test_audit_json_for_tools_matches_the_catalog(capsys, border_catalog):
    assert main(["check-catalog", "--audit", "--json", str(BORDER), str(BORDER_CSV)]) == 0
    out = capsys.readouterr()
    data = json.loads(out.out)  # standard output holds the JSON alone
    assert data["problems"] == [] and "ok: 68 programs" in out.err
    toml_audit, csv_audit = data["catalogs"]
    # The CSV file carries the same facts as the TOML one.
    assert {**toml_audit, "file": ""} == {**csv_audit, "file": ""}
    programs = border_catalog.programs
    assert toml_audit["programs"] == len(programs) == 34 and toml_audit["synthetic"] == 0
    for fact, n in toml_audit["known"].items():
        assert n == sum(getattr(p, fact) is not None for p in programs), fact
    years = [p.facts_as_of for p in programs]
    assert toml_audit["oldest_facts_as_of"] == min(years) == 2019
    assert toml_audit["oldest_count"] == years.count(2019)
    assert toml_audit["specialties_without_programs"]["open-to-low-scores"] == ["Pediatrics"]
    assert [s["id"] for s in toml_audit["subregions_without_programs"]] == [
        "ca-imperial",
        "tx-eagle-pass-del-rio",
    ]


def test_look_alike_duplicates_are_listed_and_are_not_errors(tmp_path, capsys):
    path = tmp_path / "dupes.toml"
    path.write_text(
        PROGRAM_TOML.format(extra="")
        + PROGRAM_TOML.format(extra="")
        .replace('"tx-elpaso-one-im"', '"tx-elpaso-one-im-2"')
        .replace('"One Hospital"', '"ONE  hospital."')
        # The same name in another city is another program.
        + PROGRAM_TOML.format(extra="")
        .replace('"tx-elpaso-one-im"', '"tx-laredo-one-im"')
        .replace('"El Paso"', '"Laredo"'),
        encoding="utf-8",
    )
    assert main(["check-catalog", "--audit", str(path)]) == 0
    text = capsys.readouterr().out
    assert (
        "look-alike duplicates (same name, specialty and place, different ids): 1\n"
        "    One Hospital, Internal Medicine, El Paso, TX: tx-elpaso-one-im, "
        "tx-elpaso-one-im-2\n"
    ) in text
    assert main(["check-catalog", "--audit", "--json", str(path)]) == 0
    (audit,) = json.loads(capsys.readouterr().out)["catalogs"]
    assert audit["lookalikes"] == [
        {
            "name": "One Hospital",
            "specialty": "Internal Medicine",
            "city": "El Paso",
            "state": "TX",
            "ids": ["tx-elpaso-one-im", "tx-elpaso-one-im-2"],
        }
    ]


def test_audit_with_a_bad_catalog_reports_its_errors_and_audits_the_rest(tmp_path, capsys):
    bad = toml_catalog(tmp_path, website="www.example.org")
    assert main(["check-catalog", "--audit", "--json", str(bad), str(BORDER)]) == 2
    out = capsys.readouterr()
    data = json.loads(out.out)
    assert [c["file"] for c in data["catalogs"]] == [str(BORDER)]
    (problem,) = data["problems"]
    assert (problem["file"], problem["line"], problem["program"], problem["field"]) == (
        str(bad),
        8,
        "tx-elpaso-one-im",
        "program[0].website",
    )
    assert f"{bad}:8: tx-elpaso-one-im: program[0].website: " in out.err


def test_audit_of_a_synthetic_catalog_says_so(capsys):
    assert main(["check-catalog", "--audit", str(SAMPLE)]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first.endswith("programs (generated, not real programs)")


def test_look_alikes_in_two_catalogs_checked_together_are_listed(tmp_path, capsys):
    first = toml_catalog(tmp_path)
    second = tmp_path / "second.csv"
    second.write_text(
        "id,name,specialty,city,state\nelpaso-one,One Hospital,Internal Medicine,El Paso,TX\n",
        encoding="utf-8",
    )
    assert main(["check-catalog", "--audit", str(first), str(second)]) == 0
    text = capsys.readouterr().out
    assert text.count("look-alike duplicates: none") == 2  # none within either file
    assert (
        f"look-alike duplicates in different catalogs: 1\n"
        f"    One Hospital, Internal Medicine, El Paso, TX: {first}: tx-elpaso-one-im; "
        f"{second}: elpaso-one\n"
    ) in text
    assert main(["check-catalog", "--audit", "--json", str(first), str(second)]) == 0
    (look,) = json.loads(capsys.readouterr().out)["lookalikes_between_catalogs"]
    assert look["ids"] == sorted([f"{first}: tx-elpaso-one-im", f"{second}: elpaso-one"])


def test_import_catalog_reads_the_identifiers_and_reports_a_bad_one(tmp_path, capsys):
    listing = tmp_path / "listing.csv"
    listing.write_text(
        "Program Name,City,State,Specialty,% IMG,Visa Sponsorship,Track,NRMP Program Code,"
        "Program Website\n"
        "One Hospital,El Paso,TX,Internal Medicine,50%,J-1,Categorical,1000140C0,"
        "https://example.org/im\n",
        encoding="utf-8",
    )
    out = tmp_path / "catalog.toml"
    assert main(["import-catalog", str(listing), "--mapping", "freida", "--out", str(out)]) == 0
    (program,) = tomllib.loads(out.read_text(encoding="utf-8"))["program"]
    assert (program["nrmp_code"], program["website"]) == ("1000140C0", "https://example.org/im")
    assert main(["check-catalog", str(out)]) == 0

    bad = tmp_path / "bad.csv"
    bad.write_text(
        listing.read_text(encoding="utf-8").replace("https://", "ftp://"), encoding="utf-8"
    )
    assert (
        main(
            ["import-catalog", str(bad), "--mapping", "freida", "--out", str(tmp_path / "bad.toml")]
        )
        == 2
    )
    err = capsys.readouterr().err
    assert "bad.csv:2: Program Website (column I)" in err and "http(s)" in err
    assert not (tmp_path / "bad.toml").exists()

    # resplan's own CSV columns, identifiers included, import as they are.
    own = tmp_path / "own.csv"
    own.write_text(
        "name,specialty,track,city,state,acgme_id,nrmp_code,website\n"
        "One Hospital,Internal Medicine,categorical,El Paso,TX,1404800001,1000140C0,"
        "https://example.org/im\n",
        encoding="utf-8",
    )
    assert (
        main(
            [
                "import-catalog",
                str(own),
                "--mapping",
                "resplan-csv",
                "--out",
                str(tmp_path / "own.toml"),
            ]
        )
        == 0
    )
    (program,) = tomllib.loads((tmp_path / "own.toml").read_text(encoding="utf-8"))["program"]
    assert program["acgme_id"] == "1404800001"


def test_the_verify_sheet_gives_the_website_to_look_facts_up_on(tmp_path):
    out = tmp_path / "plan.toml"
    assert plan_with(toml_catalog(tmp_path, **GOOD), out) == 0
    sheet = tmp_path / "sheet.csv"
    assert main(["verify-sheet", str(out), "--out", str(sheet)]) == 0
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8"))))
    assert rows and {row["website"] for row in rows} == {GOOD["website"]}
    # A program with no website in the catalog leaves the cell empty.
    assert plan_with(BORDER, out) == 0
    assert main(["verify-sheet", str(out), "--out", str(sheet)]) == 0
    rows = list(csv.DictReader(io.StringIO(sheet.read_text(encoding="utf-8"))))
    assert rows and {row["website"] for row in rows} == {""}
