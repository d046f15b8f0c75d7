"""Reading profiles and catalogs: strict types, unknown stays unknown, errors name file, field and line."""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest

import resplan
from resplan.errors import InputError
from resplan.sources import load_profile, read_csv_catalog, read_toml_catalog, toml_locator

DATA = Path(__file__).parent / "data"
EXAMPLES = Path(__file__).parent.parent / "examples"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def problems(excinfo):
    return [str(p) for p in excinfo.value.problems]


def test_example_profiles_load():
    for path in sorted((EXAMPLES / "profiles").glob("*.toml")):
        profile = load_profile(path)
        assert profile.applicant.cycle > profile.applicant.graduation_year


def test_minimal_profile_leaves_everything_else_unknown():
    profile = load_profile(DATA / "profile-minimal.toml")
    assert profile.exams.step2ck is None
    assert profile.applicant.states is None
    assert profile.applicant.previous_cycles is None
    assert profile.languages == ()


PROFILE = """\
[applicant]
graduation_year = 2021
cycle = 2027
visa = "J-1"
states = ["TX"]

[exams.step2ck]
score = 221
attempts = 1
"""


@pytest.mark.parametrize(
    "old, new, field, line, words",
    [
        ("score = 221", "score = 400", "exams.step2ck.score", 8, "not a Step 2 CK score"),
        ('states = ["TX"]', 'states = ["Texas"]', "applicant.states[0]", 5, "did you mean 'TX'"),
        ('visa = "J-1"', 'visa = "J1"', "applicant.visa", 4, "did you mean 'J-1'"),
        ("attempts = 1", "attemps = 1", "exams.step2ck.attemps", 9, "did you mean 'attempts'"),
        ("score = 221", 'score = "221"', "exams.step2ck.score", 8, "expected a whole number"),
        ("cycle = 2027", "cycle = 2019", "applicant.cycle", 3, "must come after"),
    ],
)
def test_profile_problems_name_file_field_and_line(tmp_path, old, new, field, line, words):
    path = write(tmp_path, "p.toml", PROFILE.replace(old, new))
    with pytest.raises(InputError) as excinfo:
        load_profile(path)
    [problem] = excinfo.value.problems
    assert problem.file == str(path)
    assert problem.field == field
    assert problem.line == line
    assert words in problem.message


def test_malformed_toml_gives_the_line(tmp_path):
    path = write(tmp_path, "p.toml", PROFILE.replace('visa = "J-1"', "visa = J-1"))
    with pytest.raises(InputError) as excinfo:
        load_profile(path)
    [problem] = excinfo.value.problems
    assert problem.line == 4 and "not valid TOML" in problem.message


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as excinfo:
        load_profile(tmp_path / "nope.toml")
    assert "no such file" in str(excinfo.value)


def test_missing_required_field(tmp_path):
    path = write(tmp_path, "p.toml", PROFILE.replace('visa = "J-1"\n', ""))
    with pytest.raises(InputError) as excinfo:
        load_profile(path)
    assert problems(excinfo) == [f"{path}:1: applicant.visa: is required but missing"]


def test_toml_and_csv_catalogs_hold_the_same_programs():
    assert read_toml_catalog(DATA / "catalog-small.toml") == read_csv_catalog(
        DATA / "catalog-small.csv"
    )
    border = EXAMPLES / "catalog"
    assert read_toml_catalog(border / "border-programs.toml") == read_csv_catalog(
        border / "border-programs.csv"
    )


def test_unknown_catalog_facts_stay_unknown():
    catalog = read_toml_catalog(EXAMPLES / "catalog" / "border-programs.toml")
    program = next(p for p in catalog if p.city == "Laredo" and p.specialty == "Internal Medicine")
    assert program.visas is None  # blank in the source: unknown, not "sponsors none"
    assert program.min_step2ck is None and program.setting is None


def test_catalog_reports_every_problem_with_line_and_program(tmp_path):
    text = """\
[[program]]
id = "a"
name = "A"
specialty = "Internal Medicine"
city = "El Paso"
state = "Texas"

[[program]]
id = "b"
name = "B"
specialty = "Internal Medicin"
city = "El Paso"
state = "TX"
img_share = 1.4
min_step2ck = 420
colour = "red"

[[program]]
id = "a"
name = "A again"
specialty = "Pediatrics"
city = "Tucson"
state = "AZ"
"""
    path = write(tmp_path, "c.toml", text)
    with pytest.raises(InputError) as excinfo:
        read_toml_catalog(path)
    found = {(p.line, p.subject, p.field) for p in excinfo.value.problems}
    assert (6, "a", "program[0].state") in found
    assert (16, "b", "program[1].colour") in found
    assert (19, "a", "program[2].id") in found
    # an unknown key does not hide the bad values next to it
    assert {
        (11, "b", "program[1].specialty"),
        (14, "b", "program[1].img_share"),
        (15, "b", "program[1].min_step2ck"),
    } <= found


def test_csv_problems_name_the_row_line_and_column(tmp_path):
    header = (DATA / "catalog-small.csv").read_text().splitlines()[0]
    row = "x-1,X,Internal Medicine,categorical,El Paso,TX,,abc,J-1,,,,,,,,src,"
    bad_state = "x-2,Y,Internal Medicine,categorical,El Paso,Texas,,,,,,,,,,,src,"
    path = write(tmp_path, "c.csv", "\n".join([header, row, bad_state]) + "\n")
    with pytest.raises(InputError) as excinfo:
        read_csv_catalog(path)
    found = {(p.line, p.field) for p in excinfo.value.problems}
    assert (2, "img_share") in found
    assert (3, "state") in found


def test_csv_none_means_no_visa_and_empty_means_unknown(tmp_path):
    header = (DATA / "catalog-small.csv").read_text().splitlines()[0]
    rows = [
        "a,A,Internal Medicine,categorical,El Paso,TX,,,none,,,,,,,,s,",
        "b,B,Internal Medicine,categorical,El Paso,TX,,,,,,,,,,,s,",
    ]
    catalog = read_csv_catalog(write(tmp_path, "c.csv", "\n".join([header, *rows]) + "\n"))
    a, b = catalog.programs
    assert a.visas == () and b.visas is None


def test_locator_handles_arrays_of_tables_and_subtables():
    text = "[a]\nx = 1\n[[p]]\nid = 1\n[[p]]\nid = 2\ny = 3\n[q.r]\nz = 1\n"
    locate = toml_locator(text)
    assert locate(("a", "x")) == 2
    assert locate(("p", 1, "y")) == 7
    assert locate(("p", 1, "missing")) == 5
    assert locate(("q", "r", "z")) == 9


# A program table that structures, and changes of it that do not: quick structuring
# must give what structure() gives, and leave every bad table to it (its messages).
GOOD_PROGRAM = {
    "id": "demo-im",
    "name": "Demo Hospital",
    "specialty": "Internal Medicine",
    "city": "El Paso",
    "state": "TX",
    "track": "categorical",
    "img_share": 1,
    "visas": ["H-1B", "J-1", "J-1"],
    "positions": 12,
    "min_step2ck": 220,
    "rural": False,
    "source": "synthetic: a test",
}
BAD_PROGRAM_CHANGES = [
    {"id": "Demo IM"},
    {"id": 3},
    {"name": "  "},
    {"specialty": "Cardiology of cats"},
    {"state": "XX"},
    {"track": "advanced"},
    {"img_share": 1.5},
    {"img_share": True},
    {"img_share": "0.5"},
    {"visas": ["F-1"]},
    {"visas": "J-1"},
    {"positions": 0},
    {"positions": 12.0},
    {"positions": True},
    {"min_step2ck": 301},
    {"rural": "no"},
    {"acgme_id": "12"},
    {"website": "not a site"},
    {"colour": "blue"},
    {"synthetic": 1},
]


def test_quick_structuring_agrees_with_structure():
    import attrs

    from resplan.convert import quick_structurer, structure
    from resplan.model import Program
    from resplan.synth import synthesize_catalog

    quick = quick_structurer(Program)
    assert quick is not None
    good = [GOOD_PROGRAM, *synthesize_catalog(300, 4)]
    for raw in good:
        made = quick(dict(raw))
        assert made == structure(dict(raw), Program, file="x")
        assert attrs.asdict(made) == attrs.asdict(structure(dict(raw), Program, file="x"))
    assert quick(GOOD_PROGRAM).visas == ("J-1", "H-1B")
    assert quick(GOOD_PROGRAM).synthetic is True  # from its source, as __init__ says
    assert type(quick(GOOD_PROGRAM).img_share) is float
    for change in BAD_PROGRAM_CHANGES:
        raw = {**GOOD_PROGRAM, **change}
        assert quick(raw) is None, change
        with pytest.raises(InputError):
            structure(raw, Program, file="x")
    missing = dict(GOOD_PROGRAM)
    del missing["city"]
    assert quick(missing) is None


def _read_row_by_row(path):
    """A catalog read table by table (row by row), as a catalog with a problem is read."""
    import functools

    from resplan import sources

    if path.suffix == ".csv":
        return sources._read_csv_rows(sources.read_text(path), path)
    data, locate = sources.read_toml(path)
    synthetic = data.get("catalog", {}).get("synthetic", False)
    entries = [
        (
            {**raw, "synthetic": True} if synthetic else raw,
            functools.partial(sources._line_at, locate, ("program", index)),
            ("program", index),
        )
        for index, raw in enumerate(data.get("program", []))
    ]
    return sources.programs_to_catalog(entries, str(path))


def test_catalogs_read_as_columns_equal_catalogs_read_row_by_row(tmp_path):
    import attrs

    from resplan.synth import dumps_catalog_csv, dumps_catalog_toml, synthesize_catalog

    programs = synthesize_catalog(400, 7)
    paths = [
        *sorted((EXAMPLES / "catalog").glob("*.*")),
        write(tmp_path, "synth.toml", dumps_catalog_toml(programs)),
        write(tmp_path, "synth.csv", dumps_catalog_csv(programs)),
    ]
    for path in paths:
        read = read_csv_catalog(path) if path.suffix == ".csv" else read_toml_catalog(path)
        assert read._columns is not None, path  # read as columns
        expected = _read_row_by_row(path)
        assert read.programs == expected.programs
        for a, b in zip(read.programs, expected.programs):
            assert attrs.asdict(a) == attrs.asdict(b)
            assert [type(v) for v in attrs.astuple(a)] == [type(v) for v in attrs.astuple(b)]
        assert [read._columns.column(n) for n in read._columns.values] == [
            [getattr(p, n) for p in read.programs] for n in read._columns.values
        ]


CSV_HEADER = "id,name,specialty,city,state,visas,positions,nrmp_code,track\n"
CSV_GOOD_ROW = "demo-im,Demo Hospital,Internal Medicine,El Paso,TX,J-1,12,,categorical\n"


@pytest.mark.parametrize(
    "row",
    [
        "Demo-IM,Demo Hospital,Internal Medicine,El Paso,TX,J-1,12,,categorical\n",
        "demo-im,Demo Hospital,Internal Medicine,El Paso,TX,J-1,12,,categorical\n",  # twice
        "demo-fm,Demo Hospital,Family Medicine,El Paso,TX,F-1,12,,categorical\n",
        "demo-fm,Demo Hospital,Family Medicine,El Paso,TX,J-1,twelve,,categorical\n",
        "demo-fm,Demo Hospital,Family Medicine,El Paso,TX,J-1,12,,categorical,extra\n",
        "demo-fm,,Family Medicine,El Paso,TX,J-1,12,,categorical\n",
        "demo-fm,Demo Hospital,Family Medicine,El Paso,TX,J-1,12,1234567P0,categorical\n",
    ],
)
def test_a_catalog_with_a_problem_is_read_row_by_row_for_its_message(tmp_path, row):
    from resplan import sources

    text = CSV_HEADER + CSV_GOOD_ROW + row
    assert sources._quick_csv_columns(text) is None
    with pytest.raises(InputError) as excinfo:
        read_csv_catalog(write(tmp_path, "bad.csv", text))
    assert all(p.line == 3 for p in excinfo.value.problems), problems(excinfo)


def test_a_catalog_read_as_columns_makes_only_the_programs_a_plan_reads(host, example_profile):
    """A plan reads the programs of its specialties: the others are never made, and those
    made later (from the column table's values) equal a catalog read row by row."""
    path = EXAMPLES / "catalog" / "synthetic-national-sample.toml"
    # Read from the file (its digest is its bytes'), as `resplan plan` reads it.
    catalog = attrs.evolve(host, cache=False).read_catalog(path)
    plan = resplan.plan(example_profile, catalog, host=host)
    made = catalog._columns.have
    assert made is not None and 0 < made.sum() < len(catalog)
    assert made.sum() == len({d.id for d in plan.programs})
    eager = _read_row_by_row(path)
    assert catalog.programs == eager.programs
    assert [type(v) for p in catalog.programs for v in attrs.astuple(p)] == [
        type(v) for p in eager.programs for v in attrs.astuple(p)
    ]
    object.__setattr__(eager, "_digest", catalog._digest)  # the file's, as provenance says
    assert resplan.dumps_plan(resplan.plan(example_profile, eager, host=host)) == (
        resplan.dumps_plan(plan)
    )
