"""Dated plans: every plan is made on a date (``--as-of``), and what it says follows it.

Each test writes a profile and a catalog for its case, runs ``resplan plan`` (or
``resplan batch``) as a user would, and reads the plan file it wrote.
"""

from __future__ import annotations

import calendar
import datetime
from pathlib import Path

import pytest
import tomli

import resplan
from resplan.batch import run_batch
from resplan.cli import main
from resplan.dates import match_day

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "profiles" / "example.toml"
BORDER = ROOT / "examples" / "catalog" / "border-programs.toml"
MONTHS = {name: index for index, name in enumerate(calendar.month_name) if name}


def write_profile(
    folder: Path,
    name: str = "applicant",
    *,
    cycle: int = 2027,
    graduation_year: int = 2022,
    score: int = 221,
    visa: str = "none",
    previous_cycles: int = 0,
) -> Path:
    path = folder / f"{name}.toml"
    path.write_text(
        f"""\
[applicant]
graduation_year = {graduation_year}
cycle = {cycle}
visa = "{visa}"
specialties = ["Internal Medicine"]
states = ["TX"]
previous_cycles = {previous_cycles}

[exams.step1]
result = "pass"
attempts = 1

[exams.step2ck]
score = {score}
attempts = 1

[[languages]]
name = "English"
level = "fluent"
""",
        encoding="utf-8",
    )
    return path


PROGRAM = """\
[[program]]
id = "{id}"
name = "{name}"
specialty = "Internal Medicine"
city = "El Paso"
state = "TX"
img_share = 0.5
visas = ["J-1"]
min_step2ck = 210
max_years_since_graduation = 10
mean_step2ck = 225
setting = "community"
spanish_preferred = true
underserved_focus = true
facts_as_of = {year}
source = "test, fictional"
"""


def write_catalog(folder: Path, *years: int) -> Path:
    path = folder / "catalog.toml"
    path.write_text(
        "\n".join(
            PROGRAM.format(
                id=f"tx-elpaso-test-{year}-im", name=f"Test Program listed in {year}", year=year
            )
            for year in years
        ),
        encoding="utf-8",
    )
    return path


def plan_file(
    tmp_path: Path, profile: Path, catalog: Path, as_of: str | None, out: str = "plan.toml"
) -> dict:
    argv = ["plan", str(profile), "--catalog", str(catalog), "--out", str(tmp_path / out)]
    if as_of is not None:
        argv += ["--as-of", as_of]
    assert main(argv) == 0
    return tomli.loads((tmp_path / out).read_text(encoding="utf-8"))


def month_of(action: dict) -> tuple[int, int]:
    """(year, month) of an action's ``when``, which starts "November 2026: ..."."""
    month, year = action["when"].split(":", 1)[0].split()
    return int(year), MONTHS[month]


# ---------------------------------------------------------------- Match Day


@pytest.mark.parametrize("cycle, day", [(2024, 15), (2025, 21), (2026, 20), (2027, 19), (2028, 17)])
def test_match_day_is_the_third_friday_of_march(host, cycle, day):
    assert match_day(cycle, host.rulebook) == datetime.date(cycle, 3, day)


# ---------------------------------------------------------------- no action in the past


def test_under_way_plan_has_no_action_dated_before_as_of(tmp_path):
    plan = plan_file(tmp_path, EXAMPLE, BORDER, "2026-11-30")
    assert plan["provenance"]["as_of"] == "2026-11-30"
    actions = plan["actions"]
    assert actions
    assert all(month_of(a) >= (2026, 11) for a in actions), [a["when"] for a in actions]
    by_id = {a["id"]: a for a in actions}
    # What is still ahead: interviews now, the rank list, Match Week with SOAP, plan B.
    assert month_of(by_id["applications/interview-border-health"]) == (2026, 11)
    assert month_of(by_id["between-cycles/rank-list"]) == (2027, 2)
    assert month_of(by_id["between-cycles/soap"]) == (2027, 3)
    assert any(a["timing"] == "after-match" for a in actions)
    # ERAS documents are not asked for in the past: they are kept for a next application.
    materials = [a for a in actions if a["category"] == "materials" and a["timing"] == "prepare"]
    assert materials
    assert all(month_of(a) == (2027, 5) and "2028 Match" in a["when"] for a in materials)
    # A late step that still helps is dated now and says what is still possible.
    # In interview season the check is for the programs that invite the applicant.
    verify = by_id["applications/verify-program-facts-interview-season"]
    assert month_of(verify) == (2026, 11) and "Interview season" in verify["when"]


def test_under_way_cycle_says_so_in_the_summary(tmp_path):
    summary = plan_file(tmp_path, EXAMPLE, BORDER, "2026-11-30")["summary"]
    assert summary["cycle_stage"] == "under way"
    assert summary["match_day"] == "2027-03-19"
    said = {a["rule"]: a["says"] for a in summary["advice"]}
    assert "already under way on 30 November 2026" in said["between-cycles/cycle-under-way"]
    assert "rank list" in said["between-cycles/cycle-under-way"]


def test_next_cycle_planned_in_november_is_a_full_plan_starting_now(tmp_path):
    profile = write_profile(tmp_path, cycle=2028, graduation_year=2023)
    plan = plan_file(tmp_path, profile, BORDER, "2026-11-30")
    assert plan["summary"]["cycle_stage"] == "ahead"
    assert not any(a["rule"] == "between-cycles/cycle-under-way" for a in plan["summary"]["advice"])
    actions = plan["actions"]
    assert month_of(actions[0]) == (2026, 11)
    assert all(month_of(a) >= (2026, 11) for a in actions)
    when = {a["timing"]: month_of(a) for a in actions}
    assert when["now"] == (2026, 11)
    assert when["prepare"] == (2027, 5)
    assert when["interviews"] == (2027, 10)
    assert when["match-week"] == (2028, 3)
    assert [month_of(a) for a in actions] == sorted(month_of(a) for a in actions)


def test_a_reapplicants_passed_between_cycles_months_are_now(tmp_path):
    # Planned in July: the months between cycles (April and May) are over, ERAS is open.
    profile = write_profile(tmp_path, previous_cycles=1)
    plan = plan_file(tmp_path, profile, BORDER, "2026-07-10")
    between = [a for a in plan["actions"] if a["timing"] == "between-cycles"]
    assert between
    assert all(
        month_of(a) == (2026, 7) and "before programs start reading in late September" in a["when"]
        for a in between
    )
    assert not any("before ERAS reopens" in a["when"] for a in plan["actions"])


# ---------------------------------------------------------------- ERAS open, not yet read

REAPPLICANT_NOTHING_NEW = """\
[applicant]
graduation_year = 2021
cycle = 2027
visa = "J-1"
specialties = ["Internal Medicine", "Family Medicine"]
states = ["TX"]
previous_cycles = 1

[exams.step1]
result = "pass"
attempts = 1

[exams.step2ck]
score = 219
attempts = 1

[[languages]]
name = "Spanish"
level = "fluent"

[[clinical]]
kind = "hands-on"
months = 2
city = "Brownsville"
state = "TX"

[[letters]]
writer = "Brownsville internist"
us_clinical = true
advocate = false

[reapplicant]
last_cycle = 2026
changes = []
"""


@pytest.mark.parametrize(
    "as_of, stage",
    [
        ("2026-05-31", "ahead"),
        ("2026-06-01", "ahead"),
        ("2026-08-20", "ahead"),
        ("2026-09-23", "ahead"),
        ("2026-09-24", "under way"),
        ("2026-11-30", "under way"),
    ],
)
def test_the_cycle_is_under_way_once_programs_start_reading(tmp_path, as_of, stage):
    plan = plan_file(tmp_path, EXAMPLE, BORDER, as_of)
    assert plan["summary"]["cycle_stage"] == stage
    said = {a["rule"] for a in plan["summary"]["advice"]}
    assert ("between-cycles/cycle-under-way" in said) == (stage == "under way")


@pytest.mark.parametrize("as_of", ["2026-06-01", "2026-06-15", "2026-09-23"])
def test_documents_are_finished_now_while_eras_is_open(tmp_path, as_of):
    # From the June opening until programs read in late September, the file of this
    # cycle is still being finished: the documents are dated now, not a year later.
    plan = plan_file(tmp_path, EXAMPLE, BORDER, as_of)
    year, month = int(as_of[:4]), int(as_of[5:7])
    materials = [a for a in plan["actions"] if a["category"] == "materials"]
    assert {"applications/brief-letter-writers", "applications/statement-border-story"} <= {
        a["id"] for a in materials
    }
    for action in materials:
        assert month_of(action) == (year, month), action["when"]
        assert "next application" not in action["when"]
    prepared = [a for a in materials if a["timing"] == "prepare"]
    assert prepared
    assert all(
        "before programs start reading applications in late September" in a["when"]
        for a in prepared
    )
    assert not any("2028 Match" in a["when"] for a in plan["actions"])


def test_documents_move_to_a_next_application_once_programs_read(tmp_path):
    plan = plan_file(tmp_path, EXAMPLE, BORDER, "2026-09-24")
    materials = [
        a for a in plan["actions"] if a["timing"] == "prepare" and a["category"] == "materials"
    ]
    assert materials
    assert all(month_of(a) == (2027, 5) and "2028 Match" in a["when"] for a in materials)


@pytest.mark.parametrize(
    "as_of, offered",
    [("2026-05-31", True), ("2026-06-01", True), ("2026-09-23", True), ("2026-09-24", False)],
)
def test_a_reapplicant_with_nothing_new_keeps_the_choice_until_programs_read(
    tmp_path, as_of, offered
):
    profile = tmp_path / "reapplicant.toml"
    profile.write_text(REAPPLICANT_NOTHING_NEW, encoding="utf-8")
    plan = plan_file(tmp_path, profile, BORDER, as_of)
    ids = {a["id"] for a in plan["actions"]}
    # From 1 September the choice says how little can still change (review9 finding 3).
    chosen = ids & {
        "between-cycles/same-file-choice",
        "between-cycles/same-file-choice-graduation-clock",
        "between-cycles/same-file-choice-reading-soon",
        "between-cycles/same-file-choice-graduation-clock-reading-soon",
    }
    assert bool(chosen) == offered, (as_of, sorted(ids))
    if offered:
        choice = next(a for a in plan["actions"] if a["id"] in chosen)
        assert month_of(choice) == (int(as_of[:4]), int(as_of[5:7]))
    # Work between cycles never waits for a June that has already come.
    assert not any("before ERAS reopens in June" in a["when"] for a in plan["actions"])


# ---------------------------------------------------------------- a Match that is over


def test_a_cycle_whose_match_day_is_past_is_refused(tmp_path, capsys):
    profile = write_profile(tmp_path, cycle=2024, graduation_year=2020)
    out = tmp_path / "plan.toml"
    out.write_text("an older plan\n", encoding="utf-8")
    code = main(
        ["plan", str(profile), "--catalog", str(BORDER), "--out", str(out), "--as-of", "2026-11-30"]
    )
    assert code == 2
    err = capsys.readouterr().err
    assert f"{profile}:3: applicant.cycle: the 2024 Match is over" in err
    assert "15 March 2024" in err and "Traceback" not in err
    assert out.read_text(encoding="utf-8") == "an older plan\n"


@pytest.mark.parametrize(
    "as_of, culprit",
    [
        # Today is 15 January 2026 in tests: the next Match is 2026's, the one after 2027's.
        ("2062-11-30", "--as-of"),  # 2026 typed as 2062: decades after the profile's 2027
        ("2028-04-01", "--as-of"),  # after the 2028 Match: after the one after the next
        ("2027-04-01", "applicant.cycle"),  # a profile one Match out of date is likelier
    ],
)
def test_a_plan_date_years_after_the_cycle_names_the_date_not_the_profile(
    tmp_path, capsys, as_of, culprit
):
    profile = write_profile(tmp_path, cycle=2027)
    out = tmp_path / "plan.toml"
    argv = ["plan", str(profile), "--catalog", str(BORDER), "--out", str(out), "--as-of", as_of]
    assert main(argv) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and not out.exists()  # one message, nothing written
    if culprit == "--as-of":
        first_open = int(as_of[:4]) + (as_of[5:] > "03-20")
        assert err[0] == (
            f"resplan: error: --as-of: {as_of} is after Match Day of the 2027 Match your "
            f"profile ({profile}) applies for (19 March 2027), and after the 2027 Match, the "
            "one after the next from today: check this date first (a typo in its year?). "
            f"If it is right, set cycle to {first_open}, the first Match still ahead on it."
        )
    else:
        assert err[0].startswith(f"resplan: error: {profile}:3: applicant.cycle: the 2027 Match")


def test_match_day_itself_is_still_planned_and_the_day_after_is_not(tmp_path, capsys):
    profile = write_profile(tmp_path)
    plan = plan_file(tmp_path, profile, BORDER, "2027-03-19")
    assert all(month_of(a) >= (2027, 3) for a in plan["actions"])
    assert (
        main(
            [
                "plan",
                str(profile),
                "--catalog",
                str(BORDER),
                "--out",
                str(tmp_path / "later.toml"),
                "--as-of",
                "2027-03-20",
            ]
        )
        == 2
    )
    assert "applicant.cycle" in capsys.readouterr().err
    assert not (tmp_path / "later.toml").exists()


def test_the_api_refuses_a_past_cycle_too(host):
    profile = resplan.load_profile(EXAMPLE)
    catalog = host.read_catalog(BORDER)
    with pytest.raises(resplan.InputError) as info:
        resplan.plan(profile, catalog, host=host, as_of=datetime.date(2027, 4, 1))
    assert info.value.problems[0].field == "applicant.cycle"


@pytest.mark.parametrize(
    "text", ["2026-13-01", "2026-02-30", "30/11/2026", "tomorrow", "2026-2-1", "２０２６-11-30"]
)
def test_a_bad_as_of_is_exit_2_with_a_clear_message(tmp_path, capsys, text):
    with pytest.raises(SystemExit) as info:
        main(
            [
                "plan",
                str(EXAMPLE),
                "--catalog",
                str(BORDER),
                "--out",
                str(tmp_path / "plan.toml"),
                "--as-of",
                text,
            ]
        )
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--as-of" in err and "YYYY-MM-DD" in err and "Traceback" not in err
    assert not (tmp_path / "plan.toml").exists()


# ---------------------------------------------------------------- plan B


def test_first_time_221_applicant_gets_a_plan_b_after_match_day(tmp_path):
    profile = write_profile(tmp_path, score=221)
    plan = plan_file(tmp_path, profile, BORDER, "2026-01-15")
    assert "low-step2ck" in {w["name"] for w in plan["assessment"]["weaknesses"]}
    plan_b = [a for a in plan["actions"] if a["category"] == "between-cycle"]
    ids = {a["id"] for a in plan_b}
    assert {
        "between-cycles/soap",
        "between-cycles/plan-b-clinical-role",
        "between-cycles/plan-b-new-output",
        "between-cycles/plan-b-mentors-letters",
        "between-cycles/plan-b-retarget",
    } <= ids
    day = datetime.date(2027, 3, 19)
    for action in plan_b:
        if action["timing"] == "after-match":
            assert month_of(action) >= (day.year, day.month)
            assert "week after Match Day (19 March 2027)" in action["when"]
            assert action["title"].startswith("If you do not match")
    soap = next(a for a in plan_b if a["id"] == "between-cycles/soap")
    assert month_of(soap) == (2027, 3) and "SOAP" in soap["detail"]


# ---------------------------------------------------------------- stale facts


def test_facts_from_2019_are_listed_to_verify(tmp_path):
    profile = write_profile(tmp_path)
    catalog = write_catalog(tmp_path, 2019, 2025)
    plan = plan_file(tmp_path, profile, catalog, "2026-01-15")
    programs = {p["id"]: p for p in plan["programs"]}
    old, new = programs["tx-elpaso-test-2019-im"], programs["tx-elpaso-test-2025-im"]
    assert {"min_step2ck", "visas", "img_share", "max_years_since_graduation"} <= set(
        old["to_verify"]
    )
    assert old["to_verify"] == sorted(old["to_verify"])
    assert "min_step2ck" not in new["to_verify"] and "visas" not in new["to_verify"]
    assert old["verdict"] == new["verdict"] and old.get("tier") == new.get("tier")
    verify = next(a for a in plan["actions"] if a["id"] == "applications/verify-program-facts")
    # The listing's date goes with the program, not with its last fact to verify.
    assert "Test Program listed in 2019 (El Paso, TX), listing from 2019: " in verify["detail"]
    assert "listed in 2025 (El Paso, TX): minimum" not in verify["detail"]


def test_how_old_a_fact_may_be_follows_the_plans_date(tmp_path):
    profile = write_profile(tmp_path)
    catalog = write_catalog(tmp_path, 2023, 2024)
    plan = plan_file(tmp_path, profile, catalog, "2026-01-15")
    programs = {p["id"]: p for p in plan["programs"]}
    # Two years old is still current; three years old is not (facts_stale_after_years = 2).
    assert "min_step2ck" in programs["tx-elpaso-test-2023-im"]["to_verify"]
    assert "min_step2ck" not in programs["tx-elpaso-test-2024-im"]["to_verify"]


# ---------------------------------------------------------------- reproducible


def test_same_inputs_and_date_give_the_same_bytes(tmp_path):
    plan_file(tmp_path, EXAMPLE, BORDER, "2026-11-30", out="a.toml")
    plan_file(tmp_path, EXAMPLE, BORDER, "2026-11-30", out="b.toml")
    plan_file(tmp_path, EXAMPLE, BORDER, "2026-01-15", out="c.toml")
    a, b, c = ((tmp_path / f"{n}.toml").read_bytes() for n in "abc")
    assert a == b
    assert a != c


def test_as_of_and_the_cycle_stage_round_trip(tmp_path, host):
    profile = resplan.load_profile(EXAMPLE)
    plan = resplan.plan(profile, host.read_catalog(BORDER), host=host, as_of="2026-11-30")
    resplan.write_plan(plan, tmp_path / "plan.toml")
    again = resplan.read_plan(tmp_path / "plan.toml")
    assert again.provenance.as_of == "2026-11-30"
    assert again.summary.cycle_stage == "under way"
    assert again == plan
    assert resplan.dumps_plan(again) == resplan.dumps_plan(plan)


def test_the_default_date_is_today(host, pinned_today):
    plan = resplan.plan(resplan.load_profile(EXAMPLE), host.read_catalog(BORDER), host=host)
    assert plan.provenance.as_of == pinned_today.isoformat()


def test_a_batch_plans_every_profile_on_one_date(tmp_path, capsys):
    profiles = [
        write_profile(tmp_path, "current"),
        write_profile(tmp_path, "over", cycle=2025, graduation_year=2020),
    ]
    result = run_batch(profiles, [BORDER], tmp_path / "out", jobs=1, as_of="2026-11-30")
    assert [r.ok for r in result.rows] == [True, False]
    assert "applicant.cycle" in result.rows[1].error
    single = plan_file(tmp_path, profiles[0], BORDER, "2026-11-30")
    written = tomli.loads((tmp_path / "out" / "current.toml").read_text(encoding="utf-8"))
    assert written == single
    assert (
        main(
            [
                "batch",
                str(profiles[0]),
                "--catalog",
                str(BORDER),
                "--out-dir",
                str(tmp_path / "cli"),
                "--jobs",
                "1",
                "--as-of",
                "2026-11-30",
            ]
        )
        == 0
    )
    assert (tmp_path / "cli" / "current.toml").read_bytes() == (
        tmp_path / "out" / "current.toml"
    ).read_bytes()


def test_stale_fields_merge_the_same_by_bits_and_by_name(host):
    # The stage merges stale fields into to_verify as bits; a field outside the program
    # table (a plugin's) makes it merge by name instead. Both give the same sets.
    import numpy as np

    from resplan import pipeline
    from resplan.facts import profile_facts
    from resplan.stages import stale
    from resplan.stages.table import catalog_table

    profile = resplan.load_profile(EXAMPLE)
    catalog = host.read_catalog(ROOT / "tests" / "data" / "catalog-small.toml")
    draft = pipeline.Draft(
        profile=profile,
        catalog=catalog,
        rulebook=host.rulebook,
        as_of=datetime.date(2026, 1, 15),
        env=profile_facts(profile, host.rulebook.city_regions),
    )
    for name, run in pipeline.STAGES:
        if name == "stale":
            break
        draft = run(draft)
    by_bits = stale.run(draft)
    programs = draft.programs
    table = catalog_table(catalog, host.rulebook.city_regions)
    bits = np.zeros(len(programs), dtype=np.uint64)
    dated = table.columns["program.facts_as_of"]
    old = dated.known[programs.catalog_rows] & (
        dated.values[programs.catalog_rows] < stale.stale_before(draft)
    )
    assert old.any() and not old.all()
    for fact in stale.decision_facts(host.rulebook):
        known = table.columns[fact].known[programs.catalog_rows] & old
        bits[known] |= np.uint64(1 << table.bit[fact])
    by_name = stale._merge_by_name(draft, programs, bits, table)
    assert [p.to_verify for p in by_bits.programs] == [p.to_verify for p in by_name.programs]
    assert by_bits.env["plan.stale"] == by_name.env["plan.stale"] > 0


def test_a_phase_that_ends_before_it_starts_is_refused():
    from resplan.testing.hosts import ruleset_plugin

    text = """\
[ruleset]
name = "my-calendar"
version = "1"

[[phase]]
id = "backwards"
label = "Ends before it starts"
month = 5
year = 0
until_month = 3
order = 99
source = "test"
"""
    with pytest.raises(resplan.RulesetError) as info:
        resplan.load_host(plugins=[ruleset_plugin("mine", text)], use_env=False)
    assert "ends (until_year, until_month) before it starts" in str(info.value)
    assert "mine.toml:10: phase[0].until_month" in str(info.value)


def test_a_late_text_for_an_unknown_phase_is_refused():
    from resplan.testing.hosts import ruleset_plugin

    text = """\
[ruleset]
name = "my-calendar"
version = "1"

[[phase]]
id = "my-step"
label = "A step of my own"
month = 7
year = -1
order = 35
source = "test"
late = "Late: do it now"
late_before = { program-review = "Do it before programs read" }
"""
    with pytest.raises(resplan.RulesetError) as info:
        resplan.load_host(plugins=[ruleset_plugin("mine", text)], use_env=False)
    message = str(info.value)
    assert "'program-review' is not a phase of the calendar" in message
    assert "programs-review" in message  # the suggestion
    assert "mine.toml:13: phase[0].late_before.program-review" in message


# ---------------------------------------------------------------- a deadline close at hand


def next_steps(markdown: str) -> list[str]:
    """The titles the report's first screen lists under "What to do next"."""
    part = markdown.split("## What to do next", 1)[1].split("\n## ", 1)[0]
    return [line.split("**")[1] for line in part.splitlines() if line[:1].isdigit()]


def test_two_days_before_the_rank_list_deadline_it_comes_first(tmp_path):
    profile = tmp_path / "reapplicant.toml"
    profile.write_text(REAPPLICANT_NOTHING_NEW, encoding="utf-8")
    report = tmp_path / "plan.md"
    argv = ["plan", str(profile), "--catalog", str(BORDER), "--out", str(tmp_path / "plan.toml")]
    assert main([*argv, "--as-of", "2027-03-01", "--report", str(report)]) == 0
    first = next_steps(report.read_text(encoding="utf-8"))
    # Certifying the list by the deadline (3 March) first, then what is due by it, then
    # Match Week. The ECFMG step of an applicant who was in an earlier Match is
    # conditional and comes later.
    assert first[:4] == [
        "Certify your rank list by 3 March 2027, in 2 days",
        "Before you rank a program where you interviewed, confirm that you can start there",
        "Rank every program you would train at, in your true order",
        "If Monday of Match Week says you did not match, apply through SOAP",
    ]
    assert len(first) == 5
    plan = tomli.loads((tmp_path / "plan.toml").read_text(encoding="utf-8"))
    # Late texts fit 1 March: no June to come, no interview season still running.
    whens = [a["when"] for a in plan["actions"]]
    assert not any("before ERAS reopens" in w or "during interview season" in w for w in whens)
    between = [a for a in plan["actions"] if a["timing"] == "between-cycles"]
    assert between
    assert all(month_of(a) == (2027, 3) and "next to your rank list" in a["when"] for a in between)


def test_a_deadline_six_weeks_away_waits_its_turn(tmp_path):
    profile = tmp_path / "reapplicant.toml"
    profile.write_text(REAPPLICANT_NOTHING_NEW, encoding="utf-8")
    report = tmp_path / "plan.md"
    argv = ["plan", str(profile), "--catalog", str(BORDER), "--out", str(tmp_path / "plan.toml")]
    assert main([*argv, "--as-of", "2027-01-20", "--report", str(report)]) == 0
    first = next_steps(report.read_text(encoding="utf-8"))
    assert "Rank every program you would train at, in your true order" not in first
    assert not any("SOAP" in title for title in first)


# ---------------------------------------------------------------- Step 2 CK still to take

NO_STEP2 = """\
[applicant]
graduation_year = 2025
cycle = 2027
visa = "J-1"
specialties = ["Pediatrics", "Family Medicine"]
states = ["NM", "TX"]
previous_cycles = 0

[exams.step1]
result = "pass"
attempts = 1

[[languages]]
name = "Spanish"
level = "medical"
"""


@pytest.mark.parametrize(
    "as_of, rule",
    [
        ("2026-06-15", "applications/step2ck-sit-by"),
        ("2026-09-23", "applications/step2ck-consider-later-cycle"),
        ("2026-11-30", "applications/step2ck-later-cycle-under-way"),
    ],
)
def test_waiting_for_step2ck_is_timed_by_the_date(tmp_path, as_of, rule):
    profile = tmp_path / "no-step2.toml"
    profile.write_text(NO_STEP2, encoding="utf-8")
    actions = {a["id"]: a for a in plan_file(tmp_path, profile, BORDER, as_of)["actions"]}
    later = {a for a in actions if "later-cycle" in a or a.endswith("sit-by")}
    assert later == {rule}
    detail = actions[rule]["detail"]
    assert "ERAS opens" not in detail and "225" in detail
    if rule.endswith("sit-by"):
        assert "sit the exam by 27 August 2026" in detail and "next Match" in detail
    elif rule.endswith("consider-later-cycle"):
        assert "before programs start reading applications in late September" in detail
    else:
        assert "already reading applications" in detail and "next Match" in detail


# ---------------------------------------------------------------- one piece of advice once

# A reapplicant's own step, and the plan B step that would give the same advice again.
SAME_ADVICE = {
    "between-cycles/us-clinical-role": "between-cycles/plan-b-clinical-role",
    "between-cycles/research-qi-output": "between-cycles/plan-b-new-output",
    "between-cycles/short-certificate": "between-cycles/plan-b-new-output",
    "between-cycles/mentor-feedback-new-letters": "between-cycles/plan-b-mentors-letters",
    "between-cycles/widen-the-target": "between-cycles/plan-b-retarget",
    "between-cycles/graduation-clock": "between-cycles/plan-b-graduation-clock",
}


@pytest.mark.parametrize("as_of", ["2026-01-15", "2026-06-15", "2026-11-30", "2027-03-01"])
def test_a_reapplicant_gets_each_piece_of_advice_once(tmp_path, as_of):
    profile = tmp_path / "reapplicant.toml"
    profile.write_text(REAPPLICANT_NOTHING_NEW, encoding="utf-8")
    actions = plan_file(tmp_path, profile, BORDER, as_of)["actions"]
    ids = [a["id"] for a in actions]
    assert len(ids) == len(set(ids))
    assert set(SAME_ADVICE) <= set(ids)
    assert not set(SAME_ADVICE.values()) & set(ids)
    assert "between-cycles/soap" in ids  # Match Week is not repeated elsewhere
    # Dated where it helps: the months between cycles (from the last Match Day, in
    # March), or now once they have passed.
    today = (int(as_of[:4]), int(as_of[5:7]))
    for action in actions:
        if action["id"] in SAME_ADVICE:
            assert month_of(action) == max(today, (2026, 3)), action["when"]


def test_a_first_time_applicant_keeps_the_plan_b(tmp_path):
    profile = write_profile(tmp_path, score=221, previous_cycles=0)
    ids = {a["id"] for a in plan_file(tmp_path, profile, BORDER, "2026-06-15")["actions"]}
    assert set(SAME_ADVICE.values()) - {"between-cycles/plan-b-graduation-clock"} <= ids
    assert not set(SAME_ADVICE) & ids


# ---------------------------------------------------------------- years since graduation

NINE_YEARS = """\
[applicant]
graduation_year = 2017
cycle = 2027
visa = "H-1B"
specialties = ["Internal Medicine"]
states = ["TX", "NM", "AZ", "CA"]
previous_cycles = 0

[exams.step1]
result = 228
attempts = 1

[exams.step2ck]
score = 226
attempts = 1
"""


@pytest.mark.parametrize(
    "as_of, file_month, answer_month",
    [("2026-06-15", (2026, 6), (2026, 10)), ("2026-11-30", (2027, 5), (2026, 11))],
)
def test_nine_years_since_graduation_are_accounted_for(tmp_path, as_of, file_month, answer_month):
    profile = tmp_path / "nine-years.toml"
    profile.write_text(NINE_YEARS, encoding="utf-8")
    plan = plan_file(tmp_path, profile, BORDER, as_of)
    assert "graduation-gap" in {w["name"] for w in plan["assessment"]["weaknesses"]}
    actions = {a["id"]: a for a in plan["actions"]}
    in_file = actions["applications/graduation-gap-in-file"]
    assert "9 years past graduation" in in_file["detail"]
    assert "CV" in in_file["title"] and "personal statement" in in_file["title"]
    assert month_of(in_file) == file_month
    answer = actions["applications/interview-graduation-gap"]
    assert month_of(answer) == answer_month
    # Before programs read, the limit decides the list; once they read, the applications
    # are sent, and it only explains a program that does not answer (review8 finding 2).
    limits = "applications/graduation-year-limits"
    assert (limits in actions) == (as_of == "2026-06-15")
    assert (f"{limits}-silence" in actions) == (as_of == "2026-11-30")


def test_a_recent_graduate_has_no_gap_to_account_for(tmp_path):
    profile = write_profile(tmp_path, graduation_year=2024)
    ids = {a["id"] for a in plan_file(tmp_path, profile, BORDER, "2026-06-15")["actions"]}
    assert not ids & {
        "applications/graduation-gap-in-file",
        "applications/interview-graduation-gap",
    }
