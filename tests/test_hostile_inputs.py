"""Malformed and hostile inputs, as a careless or hostile user would give them.

Each case is one file and the command that reads it. Every case must end with exit
status 2, a message naming the file (and the field where there is one), no traceback,
and nothing written: an existing plan stays as it was.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from resplan.cli import main
from resplan.errors import InputError
from resplan.sources import toml_locator
from tests.conftest import DATA, ROOT

PROFILE = (DATA / "profile-minimal.toml").read_text()
CATALOG_TOML = (DATA / "catalog-small.toml").read_text()
CATALOG_CSV = (DATA / "catalog-small.csv").read_text()
CSV_HEADER = "id,name,specialty,city,state"
CSV_ROW = "tx-x-im,X Program,Internal Medicine,Laredo,TX"
RULESET = """\
[ruleset]
name = "mine"
version = "1.0.0"
"""

# (id, file name, text, field or other words the message must hold)
PROFILES = [
    (
        "int-over-4300-digits",
        "p.toml",
        PROFILE + "\n[exams.step2ck]\nscore = " + "9" * 5000 + "\n",
        "too many digits",
    ),
    (
        "nested-arrays-2000-deep",
        "p.toml",
        PROFILE + "x = " + "[" * 2000 + "]" * 2000 + "\n",
        "nested",
    ),
    (
        "dotted-key-1000-parts",
        "p.toml",
        PROFILE + ".".join(["a"] * 1000) + " = 1\n",
        "nested more than",
    ),
    (
        "nested-inline-tables",
        "p.toml",
        PROFILE + "x = " + "{a=" * 300 + "1" + "}" * 300 + "\n",
        "nested",
    ),
    ("languages-as-text", "p.toml", PROFILE + 'languages = "Spanish"\n', "languages"),
    (
        "states-as-text",
        "p.toml",
        PROFILE.replace('visa = "J-1"', 'visa = "J-1"\nstates = "TX"'),
        "applicant.states",
    ),
    ("applicant-as-list", "p.toml", "applicant = [1, 2]\n", "applicant"),
    ("not-utf8", "p.toml", None, "not UTF-8"),
    ("empty", "p.toml", "", "applicant"),
    ("nul-bytes", "p.toml", "\0" * 100, "not valid TOML"),
]

CATALOGS = [
    ("program-entries-not-tables", "c.toml", "program = [1, 2]\n", "program[0]"),
    ("program-is-a-table", "c.toml", "[program]\nid = 'x'\n", "program"),
    (
        "program-int-over-4300-digits",
        "c.toml",
        CATALOG_TOML.replace("positions = 6", "positions = " + "1" * 4400, 1),
        "too many digits",
    ),
    (
        "program-nested-deep",
        "c.toml",
        CATALOG_TOML + "\n[[program]]\nx = " + "[" * 500 + "]" * 500 + "\n",
        "nested",
    ),
    (
        "program-visas-nested-40-deep",
        "c.toml",
        CATALOG_TOML.replace('visas = ["J-1"]', "visas = " + "[" * 40 + "]" * 40, 1),
        "nested more than",
    ),
    (
        "program-visas-a-list-of-lists",
        "c.toml",
        CATALOG_TOML.replace('visas = ["J-1"]', 'visas = [["J-1"]]', 1),
        "program[0].visas[0]",
    ),
    (
        "catalog-table-nested-40-deep",
        "c.toml",
        "[catalog]\nsynthetic = " + "[" * 40 + "]" * 40 + "\n" + CATALOG_TOML,
        "nested more than",
    ),
    (
        "program-visas-as-text",
        "c.toml",
        CATALOG_TOML.replace('visas = ["J-1"]', 'visas = "J-1"', 1),
        "program[0].visas",
    ),
    (
        "csv-cell-over-limit",
        "c.csv",
        f"{CSV_HEADER}\ntx-x-im,{'a' * 140000},IM,Laredo,TX\n",
        "longer than 131072",
    ),
    ("csv-visas-only-separators", "c.csv", f"{CSV_HEADER},visas\n{CSV_ROW},;\n", "visas"),
    ("csv-column-twice", "c.csv", f"{CSV_HEADER},id\n{CSV_ROW},x\n", "column given twice"),
    (
        "csv-int-over-4300-digits",
        "c.csv",
        f"{CSV_HEADER},positions\n{CSV_ROW},{'7' * 5000}\n",
        "positions",
    ),
    ("csv-nul-byte", "c.csv", f"{CSV_HEADER}\n{CSV_ROW}\0\n", "c.csv"),
]


def write(path: Path, text: str | None) -> Path:
    if text is None:
        path.write_bytes(b"[applicant]\ngraduation_year = 2022 # \xff\xfe\n")
    else:
        path.write_text(text, encoding="utf-8")
    return path


def run(*argv, **kwargs):
    return subprocess.run(
        [sys.executable, "-m", "resplan", *map(str, argv)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        **kwargs,
    )


def assert_refused(result, file: Path, words: str, out: Path | None = None) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert str(file) in result.stderr
    assert words in result.stderr
    if out is not None:
        assert out.read_text() == "previous plan\n"


@pytest.mark.parametrize("name, filename, text, words", PROFILES, ids=[c[0] for c in PROFILES])
def test_bad_profile_is_one_message(tmp_path, capsys, name, filename, text, words):
    bad = write(tmp_path / filename, text)
    out = tmp_path / "plan.toml"
    out.write_text("previous plan\n")
    code = main(
        ["plan", str(bad), "--catalog", str(DATA / "catalog-small.toml"), "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert str(bad) in err and words in err
    assert out.read_text() == "previous plan\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([filename, "plan.toml"])


@pytest.mark.parametrize("name, filename, text, words", CATALOGS, ids=[c[0] for c in CATALOGS])
def test_bad_catalog_is_one_message(tmp_path, capsys, name, filename, text, words):
    bad = write(tmp_path / filename, text)
    out = tmp_path / "plan.toml"
    out.write_text("previous plan\n")
    code = main(
        ["plan", str(DATA / "profile-minimal.toml"), "--catalog", str(bad), "--out", str(out)]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert str(bad) in err and words in err
    assert out.read_text() == "previous plan\n"
    assert main(["check-catalog", str(bad)]) == 2
    assert words in capsys.readouterr().err


def test_a_bom_before_the_csv_header_is_not_part_of_the_first_column(tmp_path, host):
    path = tmp_path / "c.csv"
    path.write_bytes(b"\xef\xbb\xbf" + CATALOG_CSV.encode("utf-8"))
    assert len(host.read_catalog(path)) == len(host.read_catalog(DATA / "catalog-small.csv"))


def test_duplicate_ids_across_catalogs_name_both_files(tmp_path, capsys):
    first = write(tmp_path / "a.csv", f"{CSV_HEADER}\n{CSV_ROW}\n")
    second = write(tmp_path / "b.csv", f"{CSV_HEADER}\n{CSV_ROW}\n")
    out = tmp_path / "plan.toml"
    code = main(
        [
            "plan",
            str(DATA / "profile-minimal.toml"),
            "--catalog",
            str(first),
            "--catalog",
            str(second),
            "--out",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "tx-x-im" in err and str(first) in err and str(second) in err
    assert not out.exists()


# ------------------------------------------------------------------ not regular files


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null"])
def test_a_device_is_refused(tmp_path, capsys, device):
    if not os.path.exists(device):
        pytest.skip(f"no {device} here")
    out = tmp_path / "plan.toml"
    code = main(["plan", device, "--catalog", str(DATA / "catalog-small.toml"), "--out", str(out)])
    err = capsys.readouterr().err
    assert code == 2 and device in err and "not a regular file" in err
    assert not out.exists()


@pytest.mark.parametrize("suffix", [".toml", ".csv"])
@pytest.mark.parametrize("command", ["plan", "batch", "check-catalog"])
def test_a_directory_named_like_a_catalog_is_refused(tmp_path, capsys, suffix, command):
    # The catalog cache hashes a catalog's bytes before the reader sees it: a directory
    # must reach the reader's own message, not a traceback from the hashing.
    folder = tmp_path / f"programs{suffix}"
    folder.mkdir()
    out = tmp_path / "out"
    profile = str(DATA / "profile-minimal.toml")
    argv = {
        "plan": ["plan", profile, "--catalog", str(folder), "--out", str(out)],
        "batch": ["batch", profile, "--catalog", str(folder), "--out-dir", str(out)],
        "check-catalog": ["check-catalog", str(folder)],
    }[command]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    assert f"{folder}: is a directory, not a file" in err
    assert not out.exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("role", ["profile", "catalog"])
def test_a_fifo_nobody_writes_to_is_refused_not_waited_on(tmp_path, role):
    fifo = tmp_path / "fifo.toml"
    os.mkfifo(fifo)
    profile = fifo if role == "profile" else DATA / "profile-minimal.toml"
    catalog = fifo if role == "catalog" else DATA / "catalog-small.toml"
    out = tmp_path / "plan.toml"
    # The timeout only keeps a regression from hanging the suite: opening a FIFO that
    # nobody writes to blocks forever.
    result = run("plan", profile, "--catalog", catalog, "--out", out, timeout=60)
    assert_refused(result, fifo, "not a regular file")
    assert not out.exists()


def test_an_input_over_the_size_limit_is_refused(tmp_path):
    big = write(tmp_path / "p.toml", PROFILE + "# " + "x" * (2 * 1024 * 1024) + "\n")
    out = tmp_path / "plan.toml"
    result = run(
        "plan",
        big,
        "--catalog",
        DATA / "catalog-small.toml",
        "--out",
        out,
        env={**os.environ, "RESPLAN_MAX_INPUT_MB": "1"},
    )
    assert_refused(result, big, "larger than 1 MB")
    assert "RESPLAN_MAX_INPUT_MB" in result.stderr
    assert not out.exists()


def test_a_profile_from_standard_input(tmp_path):
    out = tmp_path / "plan.toml"
    result = run(
        "plan",
        "-",
        "--catalog",
        DATA / "catalog-small.toml",
        "--out",
        out,
        "--as-of",
        "2026-01-15",
        input=PROFILE,
    )
    assert result.returncode == 0, result.stderr
    assert out.read_text().startswith("# resplan plan")


# ------------------------------------------------------------------ the line locator


HOSTILE_LINES = {
    # A line of "[" and spaces made the old header pattern backtrack in cubic time (16 s
    # for 4 KB); at these sizes a regression would not finish within the alarm below.
    "bracket-and-spaces": "x = [\n[" + " " * 200_000 + "\n1]]\n",
    "double-bracket-and-spaces": "x = [\n[[" + " " * 200_000 + "\n1]]]\n",
    "bracket-spaces-bracket": "x = [\n[" + " [" * 100_000 + "\n" + "]" * 100_001 + "\n]\n",
    "long-dotted-header": ("[" + ".".join(["a"] * 5000) + "]\nb = 1\n") * 200,
}


@pytest.mark.parametrize("name", HOSTILE_LINES)
def test_the_line_locator_reads_hostile_lines_in_linear_time(name):
    text = HOSTILE_LINES[name]
    if "a.a" in text:
        expected = {(*["a"] * 5000,): 1, (*["a"] * 5000, "b"): 2}
    else:
        expected = {("x",): 1}
    locate = toml_locator(text)

    def too_slow(_signum, _frame):
        raise AssertionError(
            f"locating lines in {len(text)} characters took over 20 s: "
            "the line locator is no longer linear"
        )

    previous = signal.signal(signal.SIGALRM, too_slow) if hasattr(signal, "SIGALRM") else None
    if previous is not None:
        signal.alarm(20)
    try:
        for path, line in expected.items():
            assert locate(path + ("deeper",)) == line
    finally:
        if previous is not None:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)


def test_the_locator_knows_arrays_of_tables_inside_arrays():
    text = (
        "[[program]]\nid = 1\n[[program.sub]]\ny = 1\n[[program]]\n"
        "[[program.sub]]\ny = 2\n[[program.sub]]\ny = 3\n[program.extra]\nz = 1\n"
    )
    locate = toml_locator(text)
    assert locate(("program", 0, "sub", 0, "y")) == 4
    assert locate(("program", 1, "sub", 0, "y")) == 7
    assert locate(("program", 1, "sub", 1, "y")) == 9
    assert locate(("program", 1, "extra", "z")) == 11


def test_a_hostile_profile_with_a_bad_field_gets_its_line(tmp_path):
    text = PROFILE.replace('visa = "J-1"', 'visa = "J1"') + "x = [\n[" + " " * 50_000 + "\n1]]\n"
    path = write(tmp_path / "p.toml", text)
    with pytest.raises(InputError) as excinfo:
        from resplan.sources import load_profile

        load_profile(path)
    lines = {p.field: p.line for p in excinfo.value.problems}
    assert lines["applicant.visa"] == 6


# ------------------------------------------------------------------ rulesets

SUBREGION = """
[[subregion]]
id = "tx-mine"
name = "Mine"
state = "TX"
cities = ["Laredo"]
source = "tests"
"""
PHASE = """
[[phase]]
id = "mine-phase"
label = "Mine"
month = 5
year = -1
order = 99
source = "tests"
"""

# (id, ruleset text, field the message must name)
RULESETS = [
    (
        "int-over-4300-digits",
        RULESET + "[parameters.x]\nvalue = " + "9" * 5000 + "\nsource = 't'\n",
        "too many digits",
    ),
    ("nested-deep", RULESET + "x = " + "[" * 1000 + "]" * 1000 + "\n", "nested"),
    ("parameters-as-text", RULESET + 'parameters = "x"\n', "parameters"),
    ("parameters-as-list", RULESET + "parameters = [1, 2]\n", "parameters"),
    ("overrides-as-text", RULESET + 'overrides = "x"\n', "overrides"),
    (
        "override-parameters-as-list",
        RULESET + "[overrides]\nparameters = [1]\n",
        "overrides.parameters",
    ),
    ("disable-as-text", RULESET + '[overrides]\ndisable = "screening/x"\n', "overrides.disable"),
    ("disable-of-numbers", RULESET + "[overrides]\ndisable = [1, 2]\n", "overrides.disable"),
    (
        "cities-as-text",
        RULESET + SUBREGION.replace('cities = ["Laredo"]', 'cities = "Laredo"'),
        "subregion[0].cities",
    ),
    ("subregion-not-a-table", "subregion = [1]\n" + RULESET, "subregion[0]"),
    (
        "state-as-list",
        RULESET + SUBREGION.replace('state = "TX"', 'state = ["TX"]'),
        "subregion[0].state",
    ),
    ("fractional-month", RULESET + PHASE.replace("month = 5", "month = 5.7"), "phase[0].month"),
    ("month-true", RULESET + PHASE.replace("month = 5", "month = true"), "phase[0].month"),
    (
        "parameter-nan",
        RULESET + "[parameters.x]\nvalue = nan\nsource = 't'\n",
        "parameters.x.value",
    ),
    (
        "parameter-inf",
        RULESET + "[parameters.x]\nvalue = -inf\nsource = 't'\n",
        "parameters.x.value",
    ),
    (
        "parameter-5000-digit-float",
        RULESET + "[parameters.x]\nvalue = " + "9" * 4000 + ".5\nsource = 't'\n",
        "parameters.x.value",
    ),
    (
        "override-nan",
        RULESET + "[overrides.parameters]\n'screening.x' = nan\n",
        "overrides.parameters",
    ),
    (
        "when-float-of-5000-digits",
        RULESET + '[[screen]]\nid = "r"\nverdict = "skip"\n'
        'says = "x"\nsource = "t"\nwhen = "program.positions > 0.' + "9" * 5000 + '"\n',
        "when",
    ),
    (
        "when-constants-overflow",
        RULESET + '[[screen]]\nid = "r"\nverdict = "skip"\n'
        'says = "x"\nsource = "t"\nwhen = "program.positions > '
        + " * ".join(["99999999999999999999.5"] * 18)
        + '"\n',
        "overflows",
    ),
    (
        "when-constants-overflow-to-nan",
        RULESET + '[[screen]]\nid = "r"\nverdict = "skip"\n'
        'says = "x"\nsource = "t"\nwhen = "program.positions > '
        + " * ".join(["99999999999999999999.5"] * 18)
        + " - "
        + " * ".join(["99999999999999999999.5"] * 18)
        + '"\n',
        "overflows",
    ),
    ("month-13", RULESET + PHASE.replace("month = 5", "month = 13"), "phase[0].month"),
    (
        "when-int-over-4300-digits",
        RULESET + '[[screen]]\nid = "r"\nverdict = "skip"\n'
        'says = "x"\nsource = "t"\nwhen = "program.positions > ' + "9" * 5000 + '"\n',
        "when",
    ),
    (
        "when-deeply-nested",
        RULESET + '[[screen]]\nid = "r"\nverdict = "skip"\nsays = "x"\n'
        'source = "t"\nwhen = "' + "(" * 3000 + "true" + ")" * 3000 + '"\n',
        "when",
    ),
    (
        "when-long-not-chain",
        RULESET + '[[screen]]\nid = "r"\nverdict = "skip"\nsays = "x"\n'
        'source = "t"\nwhen = "' + "not " * 3000 + 'true"\n',
        "when",
    ),
]


@pytest.mark.parametrize("name, text, words", RULESETS, ids=[c[0] for c in RULESETS])
def test_bad_ruleset_is_one_message(tmp_path, capsys, name, text, words):
    from resplan.errors import RulesetError
    from resplan.host import load_host
    from resplan.plugins import RulesetSource
    from resplan.testing import ruleset_plugin

    path = write(tmp_path / "mine.toml", text)
    with pytest.raises(RulesetError) as excinfo:
        load_host(plugins=[ruleset_plugin("mine", RulesetSource.from_path(path))], use_env=False)
    message = str(excinfo.value)
    assert str(path) in message and words in message
    # resplan check in this process (an exception would fail the test, as a traceback
    # would): a process of its own for each file costs a second and tells nothing more.
    assert main(["check", str(path)]) == 2
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert str(path) in out and words in out


def test_a_builtin_specialty_defined_again_is_reported_in_the_plugins_file(tmp_path):
    from resplan.errors import RulesetError
    from resplan.host import load_host
    from resplan.plugins import RulesetSource
    from resplan.testing import ruleset_plugin

    # "aaa" sorts before the built-in rulesets: the duplicate is still this file's.
    path = write(
        tmp_path / "aaa.toml",
        RULESET.replace('"mine"', '"aaa"')
        + '\n[[specialty]]\nname = "Internal Medicine"\ngroup = "primary"\n',
    )
    with pytest.raises(RulesetError) as excinfo:
        load_host(plugins=[ruleset_plugin("aaa", RulesetSource.from_path(path))], use_env=False)
    [problem] = excinfo.value.problems
    assert problem.file == str(path) and problem.field == "specialty[0]"
    assert "Internal Medicine" in problem.message and "rulesets/" in problem.message


@pytest.mark.parametrize(
    ("as_of", "words"),
    [
        ("0001-01-01", "too early for a plan date"),
        ("1999-01-01", "too early for a plan date"),
        ("9999-12-31", "too late for a plan date"),
    ],
)
def test_a_plan_date_years_away_from_resplans_seasons_is_refused(tmp_path, capsys, as_of, words):
    """--as-of 0001-01-01 or 1999 (for 2029) is a typo: refused, not planned."""
    import datetime as dt

    import resplan
    from resplan.dates import EARLIEST_AS_OF, LATEST_AS_OF

    out = tmp_path / "plan.toml"
    examples = ROOT / "examples"
    argv = ["plan", str(examples / "profiles" / "example.toml"), "--out", str(out)]
    argv += ["--catalog", str(examples / "catalog" / "border-programs.toml"), "--as-of", as_of]
    with pytest.raises(SystemExit) as stop:
        main(argv)
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --as-of: {as_of} is {words}" in err and "check the year" in err
    assert "Traceback" not in err and not out.exists()
    # The library refuses the same dates, given as text or as a date.
    profile = resplan.load_profile(examples / "profiles" / "example.toml")
    catalog = resplan.load_catalog(examples / "catalog" / "border-programs.toml")
    for day in (as_of, dt.date.fromisoformat(as_of)):
        with pytest.raises(ValueError, match=words):
            resplan.plan(profile, catalog, as_of=day)
    assert EARLIEST_AS_OF.year == 2020 and LATEST_AS_OF.year == 2100


@pytest.mark.parametrize("where", ["PROFILE", "--catalog", "--facts"])
def test_batch_refuses_standard_input_and_writes_no_plan_named_dash(tmp_path, capsys, where):
    """`resplan batch -` wrote a plan named -.toml: batch reads files by name."""
    examples = ROOT / "examples"
    profile = str(examples / "profiles" / "example.toml")
    catalog = str(examples / "catalog" / "border-programs.toml")
    folder = tmp_path / "out"
    argv = ["batch", "-" if where == "PROFILE" else profile, "--out-dir", str(folder)]
    argv += ["--catalog", "-" if where == "--catalog" else catalog]
    argv += ["--facts", "-"] if where == "--facts" else []
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.count("resplan: error:") == 1, err
    assert f"-: batch reads files, not standard input ({where})" in err
    assert not folder.exists()


def test_small_input_mistakes_get_one_line_each(tmp_path, capsys):
    profile = tmp_path / "p.toml"
    catalog = str(DATA / "catalog-small.toml")
    out = tmp_path / "plan.toml"
    # A byte that is not UTF-8, on the fifth line: the line is named.
    profile.write_bytes(PROFILE.encode() + b"# caf\xe9\n")
    line = PROFILE.count("\n") + 1
    assert main(["plan", str(profile), "--catalog", catalog, "--out", str(out)]) == 2
    assert f"{profile}:{line}: not UTF-8 text" in capsys.readouterr().err
    # The same catalog twice: one line, not one per program.
    profile.write_text(PROFILE, encoding="utf-8")
    argv = ["plan", str(profile), "--catalog", catalog, "--catalog", catalog, "--out", str(out)]
    assert main(argv) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"resplan: error: {catalog}: is given twice: give it once"
    ]
    # A folder without a suffix, given as a catalog.
    folder = tmp_path / "programs"
    folder.mkdir()
    assert main(["check-catalog", str(folder)]) == 2
    assert f"{folder}: is a directory, not a file" in capsys.readouterr().err
    assert not out.exists()


# ------------------------------------------------------------------ standard input


def _stdin(monkeypatch, text: str) -> None:
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode("utf-8"))))


@pytest.mark.parametrize("text", [CATALOG_TOML, CATALOG_CSV, "# programs\n\n" + CATALOG_TOML])
def test_a_catalog_on_standard_input_is_read_as_toml_or_csv(tmp_path, monkeypatch, text):
    profile = tmp_path / "profile.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    piped, named = tmp_path / "piped.toml", tmp_path / "named.toml"
    argv = ["plan", str(profile), "--as-of", "2026-01-15", "--catalog"]
    _stdin(monkeypatch, text)
    assert main([*argv, "-", "--out", str(piped)]) == 0
    source = DATA / ("catalog-small.csv" if text == CATALOG_CSV else "catalog-small.toml")
    assert main([*argv, str(source), "--out", str(named)]) == 0
    # The same programs and decisions as the file gives (the digest of the input aside).
    body = [line for line in piped.read_text().splitlines() if not line.startswith("sha256 =")]
    assert body == [
        line for line in named.read_text().splitlines() if not line.startswith("sha256 =")
    ]


def test_a_catalog_on_standard_input_in_no_format_is_refused_with_its_line(
    tmp_path, monkeypatch, capsys
):
    out = tmp_path / "plan.toml"
    profile = tmp_path / "profile.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    _stdin(monkeypatch, "\n# my programs\nprograms of Texas\n")
    argv = ["plan", str(profile), "--catalog", "-", "--out", str(out), "--as-of", "2026-01-15"]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "resplan: error: -:3: standard input holds neither a TOML catalog ([[program]] "
        "tables) nor a CSV one (a first line of column names, separated by commas)\n"
    )
    assert not out.exists()
    # A CSV catalog with a bad cell is told as the CSV reader tells it, with its line.
    _stdin(monkeypatch, CATALOG_CSV.replace(",TX,", ",Texas,", 1))
    assert main(["check-catalog", "-"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("-:") and "state: 'Texas' is not a two-letter" in err
    assert "not valid TOML" not in err


# ------------------------------------------------------------------ the environment


@pytest.mark.parametrize(
    "name, value, expect",
    [
        ("RESPLAN_NO_CACHE", "maybe", "'maybe' is neither on nor off: give 1 (on) or 0 (off)"),
        ("RESPLAN_DEBUG", "verbose", "'verbose' is neither on nor off"),
        ("RESPLAN_CACHE_MB", "lots", "'lots' is not a positive number"),
        ("RESPLAN_MAX_INPUT_MB", "-5", "'-5' is not a positive number"),
        ("RESPLAN_FUNCTION_BUDGET_SECONDS", "nan", "'nan' is not a positive number"),
        ("RESPLAN_CHECK_MAX_PAIRS", "0", "'0' is not a positive number"),
        ("RESPLAN_CACHE_DIR", "{file}", "is a file: name a folder for resplan's cache"),
        ("RESPLAN_CACHE_DIR", "{file}/sub", "a file: name a folder for resplan's cache"),
    ],
)
def test_a_value_resplan_cannot_read_in_its_environment_is_refused(
    tmp_path, monkeypatch, capsys, name, value, expect
):
    afile = tmp_path / "afile"
    afile.write_text("", encoding="utf-8")
    monkeypatch.setenv(name, value.format(file=afile))
    profile = tmp_path / "profile.toml"
    profile.write_text(PROFILE, encoding="utf-8")
    out = tmp_path / "plan.toml"
    argv = ["plan", str(profile), "--catalog", str(DATA / "catalog-small.toml")]
    assert main([*argv, "--out", str(out), "--as-of", "2026-01-15"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"resplan: error: {name}: ") and expect in err, err
    assert err.count("\n") == 1 and not out.exists()


def test_switches_take_on_and_off_words_and_the_cache_folder_matters_only_when_used(
    tmp_path, monkeypatch, capsys
):
    from resplan import cache, check, host, settings, sources
    from resplan.cli import DEBUG_ENV

    # The names the command checks are the ones the code reads.
    assert set(settings.NUMBERS) == {
        sources.MAX_INPUT_MB_ENV,
        host.FUNCTION_BUDGET_ENV,
        cache.MAX_CACHE_MB_ENV,
        check.MAX_PAIRS_ENV,
    }
    assert set(settings.SWITCHES) == {cache.NO_CACHE_ENV, DEBUG_ENV}
    assert settings.CACHE_DIR == cache.CACHE_DIR_ENV
    for value, on in [("off", False), ("No", False), ("0", False), ("on", True), ("YES", True)]:
        monkeypatch.setenv("RESPLAN_NO_CACHE", value)
        assert settings.switched_on("RESPLAN_NO_CACHE") is on and cache.enabled() is not on
        assert settings.environment_problems() == []
    # A cache folder that is a file is no matter while the cache is off.
    afile = tmp_path / "afile"
    afile.write_text("", encoding="utf-8")
    monkeypatch.setenv("RESPLAN_CACHE_DIR", str(afile))
    monkeypatch.setenv("RESPLAN_NO_CACHE", "1")
    assert settings.environment_problems() == []
    monkeypatch.delenv("RESPLAN_NO_CACHE")
    assert main(["--no-cache", "check-catalog", str(DATA / "catalog-small.toml")]) == 0
    assert len(settings.environment_problems()) == 1
