"""What a user sees when a profile or catalog holds impossible or badly written values.

Each test writes its own profile and catalog, runs ``resplan plan`` as a user does, and
reads stderr (exit status 2, nothing written) or the plan file.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from resplan.cli import main

CATALOG = """\
[[program]]
id = "tx-elpaso-a-im"
name = "A Program"
specialty = "Internal Medicine"
city = "El Paso"
state = "TX"
visas = ["J-1"]
"""


def profile_text(applicant: str = "", exams: str = "", rest: str = "") -> str:
    return f"""\
[applicant]
graduation_year = 2026
cycle = 2027
visa = "J-1"
specialties = ["Internal Medicine"]
{applicant}
{exams}
{rest}"""


def plan(tmp_path: Path, profile: str, catalog: str = CATALOG, capsys=None):
    """Run ``resplan plan``; (exit status, stderr lines, plan as TOML or None)."""
    (tmp_path / "profile.toml").write_text(profile, encoding="utf-8")
    (tmp_path / "catalog.toml").write_text(catalog, encoding="utf-8")
    out = tmp_path / "plan.toml"
    out.write_text("previous plan\n", encoding="utf-8")
    status = main(
        [
            "plan",
            str(tmp_path / "profile.toml"),
            "--catalog",
            str(tmp_path / "catalog.toml"),
            "--out",
            str(out),
        ]
    )
    err = capsys.readouterr().err if capsys else ""
    text = out.read_text(encoding="utf-8")
    written = None if text == "previous plan\n" else tomllib.loads(text)
    return status, errors(err), written


def errors(stderr: str) -> list[str]:
    return [line.removeprefix("resplan: error: ") for line in stderr.splitlines() if line.strip()]


def line_of(text: str, needle: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if needle in line)


# ------------------------------------------------------------ impossible values


@pytest.mark.parametrize(
    "exams, field, words",
    [
        # One sitting with a failing score cannot be the pass the plan would read it as.
        (
            "[exams.step2ck]\nscore = 150\nattempts = 1",
            "exams.step2ck.score",
            "150 is under 214, the Step 2 CK passing score since 1 July 2022, so it was a fail, "
            "and with one attempt there was no later pass",
        ),
        ("[exams.step2ck]\nscore = 211\nattempts = 2", "exams.step2ck.score", "211 is under 214"),
        (
            "[exams.step1]\nresult = 150\nattempts = 1",
            "exams.step1.result",
            "150 is under 194, the Step 1 passing score since 1 January 2018",
        ),
    ],
)
def test_a_failing_score_written_as_a_pass_is_refused(tmp_path, capsys, exams, field, words):
    text = profile_text(exams=exams)
    status, err, written = plan(tmp_path, text, capsys=capsys)
    assert status == 2 and written is None
    [message] = err
    assert f"profile.toml:{line_of(text, field.rsplit('.', 1)[1] + ' =')}: {field}: " in message
    assert words in message


def test_more_sittings_than_usmle_allows_are_refused(tmp_path, capsys):
    text = profile_text(exams="[exams.step2ck]\nscore = 230\nattempts = 7")
    status, err, written = plan(tmp_path, text, capsys=capsys)
    assert status == 2 and written is None
    [message] = err
    assert (
        f":{line_of(text, 'attempts =')}: exams.step2ck.attempts: 7 is more sittings than "
        "USMLE has ever allowed on one Step (6 before July 2021, 4 since)"
    ) in message


def test_older_passing_standards_still_count_for_older_graduates(tmp_path, capsys):
    # 211 passed Step 2 CK from July 2014 to June 2022: a 2019 graduate can hold it.
    text = profile_text(exams="[exams.step2ck]\nscore = 211\nattempts = 1").replace(
        "graduation_year = 2026", "graduation_year = 2019"
    )
    status, err, written = plan(tmp_path, text, capsys=capsys)
    assert status == 0 and err == []
    [program] = written["programs"]
    assert program["id"] == "tx-elpaso-a-im"


def test_numeric_step1_after_pass_fail_is_refused(tmp_path, capsys):
    # Numeric Step 1 scores ended on 26 January 2022; a 2029 graduate sat it later.
    text = profile_text(exams="[exams.step1]\nresult = 230\nattempts = 1").replace(
        "graduation_year = 2026\ncycle = 2027", "graduation_year = 2029\ncycle = 2030"
    )
    status, err, _ = plan(tmp_path, text, capsys=capsys)
    assert status == 2
    [message] = err
    assert "exams.step1.result: a 2029 graduate took Step 1 after 26 January 2022" in message


def test_graduating_after_the_match_year_is_refused(tmp_path, capsys):
    text = profile_text().replace("graduation_year = 2026", "graduation_year = 2028")
    status, err, _ = plan(tmp_path, text, capsys=capsys)
    assert status == 2
    [message] = err
    assert f":{line_of(text, 'cycle =')}: applicant.cycle: 2027 must come after" in message


# ------------------------------------------------------------ every problem at once


def test_every_bad_value_of_a_profile_is_reported_in_one_run(tmp_path, capsys):
    text = profile_text(
        applicant='states = ["Texas"]',
        exams="[exams.step2ck]\nscore = 400\nattempts = 1",
        rest='[[languages]]\nname = "Spanish"\nlevel = "good"\n\n'
        '[[clinical]]\nkind = "rotation"\nmonths = "three"\nstate = "Tejas"\n',
    )
    status, err, written = plan(tmp_path, text, capsys=capsys)
    assert status == 2 and written is None
    where = [message.split(": ", 2)[:2] for message in err]
    file = str(tmp_path / "profile.toml")
    assert where == [
        [f"{file}:{line_of(text, 'states =')}", "applicant.states[0]"],
        [f"{file}:{line_of(text, 'score =')}", "exams.step2ck.score"],
        [f"{file}:{line_of(text, 'level =')}", "languages[0].level"],
        [f"{file}:{line_of(text, 'kind =')}", "clinical[0].kind"],
        [f"{file}:{line_of(text, 'months =')}", "clinical[0].months"],
        [f"{file}:{line_of(text, 'state = ')}", "clinical[0].state"],
    ]
    assert "did you mean 'TX'" in err[0]
    assert "400 is not a Step 2 CK score" in err[1]
    assert "'good' is not one of" in err[2]
    assert "expected a number, got 'three'" in err[4]


def test_a_check_across_fields_does_not_hide_the_fields_own_problems(tmp_path, capsys):
    # A graduation year of 3000 also fails the "cycle after graduation" check; the year's
    # own range and the other tables' problems must still be reported.
    text = profile_text(
        applicant='states = ["Texas"]',
        exams="[exams.step2ck]\nscore = 400\nattempts = 1",
        rest='[[languages]]\nname = "Spanish"\nlevel = "superb"\n',
    ).replace("graduation_year = 2026", "graduation_year = 3000")
    status, err, written = plan(tmp_path, text, capsys=capsys)
    assert status == 2 and written is None
    fields = [message.split(": ", 2)[1] for message in err]
    assert fields == [
        "applicant.graduation_year",
        "applicant.cycle",
        "applicant.states[0]",
        "exams.step2ck.score",
        "languages[0].level",
    ]
    assert "3000 is not a graduation year" in err[0]
    assert "2027 must come after graduation_year 3000" in err[1]


def test_every_bad_item_of_a_list_is_reported_with_its_place(tmp_path, capsys):
    text = profile_text(
        applicant='states = ["Texas", "TX", "nm", "MX"]\nspecialties = '
        '["Famliy Medicine", "Internal medicine", "Pediatrics", "Pediatrics"]'
    ).replace('specialties = ["Internal Medicine"]\n', "")
    status, err, written = plan(tmp_path, text, capsys=capsys)
    assert status == 2 and written is None
    file = str(tmp_path / "profile.toml")
    states, specialties = line_of(text, "states ="), line_of(text, "specialties =")
    assert err == [
        f"{file}:{states}: applicant.states[0]: 'Texas' is not a two-letter US state code "
        "(did you mean 'TX'?)",
        f"{file}:{states}: applicant.states[2]: 'nm' is not a two-letter US state code "
        "(did you mean 'NM'?)",
        f"{file}:{states}: applicant.states[3]: 'MX' is not a two-letter US state code",
        f"{file}:{specialties}: applicant.specialties[0]: 'Famliy Medicine' is not a specialty "
        "resplan knows (did you mean 'Family Medicine'?)",
        f"{file}:{specialties}: applicant.specialties[1]: 'Internal medicine' is not a "
        "specialty resplan knows (did you mean 'Internal Medicine'?)",
        f"{file}:{specialties}: applicant.specialties: lists Pediatrics twice",
    ]


def test_a_failing_step1_score_is_reported_beside_a_broken_step2ck(tmp_path, capsys):
    # Step 2 CK does not read (a score with result "fail"), so the exams table as a whole
    # does not either; the Step 1 score under the passing standard is still wrong, and the
    # user should learn both in one run.
    text = profile_text(
        exams="[exams.step1]\nresult = 190\nattempts = 1\n\n"
        '[exams.step2ck]\nscore = 230\nattempts = 1\nresult = "fail"',
        rest='[[clinical]]\nkind = "hands-on"\nmonths = -2\n',
    ).replace("graduation_year = 2026", "graduation_year = 2023")
    status, err, written = plan(tmp_path, text, capsys=capsys)
    assert status == 2 and written is None
    fields = [message.split(": ", 2)[1] for message in err]
    assert fields == ["exams.step1.result", "exams.step2ck.result", "clinical[0].months"]
    assert "190 is under 192, the Step 1 passing score" in err[0]
    # A number comes back as it was written.
    assert err[2].endswith("clinical[0].months: -2 is not a number of months (0–240)")


def test_a_step3_is_not_said_to_lack_a_step2ck_that_does_not_read(tmp_path, capsys):
    text = profile_text(
        exams='[exams.step2ck]\nscore = 230\nattempts = 1\nresult = "pending"\n\n'
        '[exams.step3]\nresult = "pass"\nattempts = 1'
    ).replace("graduation_year = 2026", "graduation_year = 2023")
    status, err, written = plan(tmp_path, text, capsys=capsys)
    assert status == 2 and written is None
    [message] = err
    assert 'exams.step2ck.result: is "pending", but the table gives a score' in message


def test_every_bad_value_of_a_toml_catalog_is_reported_in_one_run(tmp_path, capsys):
    catalog = (
        CATALOG
        + """
[[program]]
id = "tx-elpaso-b-im"
name = "B Program"
specialty = "Internal Medicine"
city = "El Paso"
state = "Texas"
track = "full"
img_share = 1.5
min_step2ck = "220"
"""
    )
    status, err, written = plan(tmp_path, profile_text(), catalog, capsys=capsys)
    assert status == 2 and written is None
    fields = [message.split(": ")[2] for message in err]
    assert fields == [
        "program[1].state",
        "program[1].track",
        "program[1].img_share",
        "program[1].min_step2ck",
    ]
    assert all(": tx-elpaso-b-im: " in message for message in err)


def test_every_bad_value_of_a_csv_catalog_is_reported_in_one_run(tmp_path, capsys):
    (tmp_path / "catalog.csv").write_text(
        "id,name,specialty,city,state,track,img_share,min_step2ck\n"
        "tx-elpaso-a-im,A,Internal Medicine,El Paso,TX,categorical,0.5,220\n"
        "tx-elpaso-b-im,B,Internal Medicine,El Paso,Texas,full,1.5,abc\n",
        encoding="utf-8",
    )
    (tmp_path / "profile.toml").write_text(profile_text(), encoding="utf-8")
    status = main(
        [
            "plan",
            str(tmp_path / "profile.toml"),
            "--catalog",
            str(tmp_path / "catalog.csv"),
            "--out",
            str(tmp_path / "plan.toml"),
        ]
    )
    err = errors(capsys.readouterr().err)
    assert status == 2 and not (tmp_path / "plan.toml").exists()
    assert sorted(message.split(": ")[-2] for message in err) == [
        "img_share",
        "min_step2ck",
        "state",
        "track",
    ]
    assert all(message.startswith(f"{tmp_path / 'catalog.csv'}:3: ") for message in err)


# ------------------------------------------------------------ score bands read right


def test_a_step1_under_the_low_band_is_not_said_to_be_inside_it(tmp_path, capsys):
    text = profile_text(exams="[exams.step1]\nresult = 198\nattempts = 1").replace(
        "graduation_year = 2026", "graduation_year = 2021"
    )
    status, _, written = plan(tmp_path, text, capsys=capsys)
    assert status == 0
    [finding] = [w for w in written["assessment"]["weaknesses"] if w["name"] == "low-step1"]
    [says] = [r["says"] for r in finding["reasons"]]
    assert "198 is under even the low band the guide names (205 to 210)" in says
    assert "inside" not in says

    status, _, written = plan(tmp_path, text.replace("result = 198", "result = 207"), capsys=capsys)
    [finding] = [w for w in written["assessment"]["weaknesses"] if w["name"] == "low-step1"]
    assert (
        "207 sits inside the low band the guide names (205 to 210)"
        in (finding["reasons"][0]["says"])
    )


def test_a_state_or_a_language_given_twice_is_refused(tmp_path, capsys):
    # Spanish as native and again as basic: the plan counted the better level and said
    # nothing; which one is right is the applicant's to say.
    text = profile_text(
        applicant='states = ["TX", "NM", "TX"]',
        rest='[[languages]]\nname = "Spanish"\nlevel = "native"\n\n'
        '[[languages]]\nname = "English"\nlevel = "fluent"\n\n'
        '[[languages]]\nname = "español"\nlevel = "basic"\n',
    )
    status, err, written = plan(tmp_path, text, capsys=capsys)
    assert status == 2 and written is None
    file = str(tmp_path / "profile.toml")
    third = [n for n, line in enumerate(text.splitlines(), 1) if "español" in line][0]
    assert err == [
        f"{file}:{line_of(text, 'states =')}: applicant.states: lists TX twice",
        f"{file}:{third}: languages[2].name: español is given twice (also in languages[0]): "
        "give each language once, with your level",
    ]


@pytest.mark.parametrize(
    "rest, header, field, hint",
    [
        # A misspelt dotted table or array of tables: the commonest typos of a profile
        # with several [[...]] entries. Each is found at its first header's line.
        ("[exam.step2ck]\nscore = 230\n", "[exam.step2ck]", "exam", "exams"),
        (
            '[[letter]]\nkind = "us-clinical"\n\n[[letter]]\nkind = "home-country"\n',
            "[[letter]]",
            "letter",
            "letters",
        ),
        (
            '[[language]]\nname = "Spanish"\nlevel = "native"\n',
            "[[language]]",
            "language",
            "languages",
        ),
    ],
)
def test_a_misspelt_table_name_is_named_with_its_line(tmp_path, capsys, rest, header, field, hint):
    text = profile_text(rest=rest)
    status, err, written = plan(tmp_path, text, capsys=capsys)
    assert status == 2 and written is None
    file = str(tmp_path / "profile.toml")
    assert err == [f"{file}:{line_of(text, header)}: {field}: unknown key (did you mean '{hint}'?)"]
