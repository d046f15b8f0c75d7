"""Advice the last review left wrong, read from real plans and reports.

Each test writes a profile (or takes an example one), runs ``resplan plan`` against the
real border programs on a given date as a user would, and reads what the plan or its
report says.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from resplan.cli import main
from tests.conftest import EXAMPLES

BORDER = EXAMPLES / "catalog" / "border-programs.toml"
PROFILES = EXAMPLES / "profiles"
COMPETITIVE = '"General Surgery"'


def profile_text(
    *,
    specialties: str = '"Internal Medicine", "Family Medicine"',
    previous_cycles: int = 0,
    step1_attempts: int = 1,
    score: int = 221,
    spanish: bool = False,
    extra: str = "",
) -> str:
    text = f"""\
[applicant]
graduation_year = 2022
cycle = 2027
visa = "J-1"
specialties = [{specialties}]
states = ["TX"]
previous_cycles = {previous_cycles}

[exams.step1]
result = "pass"
attempts = {step1_attempts}

[exams.step2ck]
score = {score}
attempts = 1
"""
    if spanish:
        text += '\n[[languages]]\nname = "Spanish"\nlevel = "native"\n'
    if previous_cycles:
        text += "\n[reapplicant]\nlast_cycle = 2026\nchanges = []\n"
    return text + extra


def plan_of(tmp_path: Path, text: str, as_of: str = "2026-06-15", *, report: str = "") -> dict:
    profile = tmp_path / "profile.toml"
    profile.write_text(text, encoding="utf-8")
    out = tmp_path / "plan.toml"
    args = ["plan", str(profile), "--catalog", str(BORDER), "--as-of", as_of, "--out", str(out)]
    if report:
        args += ["--report", str(tmp_path / report)]
    assert main(args) == 0
    return tomllib.loads(out.read_text(encoding="utf-8"))


def fields(plan: dict) -> dict[str, dict]:
    return {s["name"]: s for s in plan["specialties"]}


# ---------------------------------------------------------------- the Transitional Year


def test_a_reapplicant_who_wishes_open_fields_is_not_sent_to_a_transitional_year(tmp_path):
    # One unmatched cycle, nothing failed, Internal and Family Medicine wished with border
    # strengths: the guide's bridge year is for a failure or a competitive aim, not this.
    plan = plan_of(tmp_path, profile_text(previous_cycles=1, score=219, spanish=True))
    assert "Transitional Year" not in fields(plan)
    assert not any(s["suggested"] for s in plan["specialties"])


def test_a_failed_attempt_without_a_strong_field_gets_the_bridge_year(tmp_path):
    # A failure on record, no border strength: the open fields are only "possible", so
    # the one backup left beside them is the Transitional Year, and it says why.
    plan = plan_of(tmp_path, profile_text(step1_attempts=2, score=216))
    ty = fields(plan)["Transitional Year"]
    assert ty["suggested"] and ty["fit"] != "strong"
    says = {r["rule"]: r["says"] for r in ty["reasons"]}
    assert "failed attempt" in says["specialties/suggest-transitional-after-failure"]
    assert "at best a possible fit" in says["specialties/suggest-transitional-after-failure"]


def test_a_failed_attempt_with_a_strong_field_gets_no_bridge_year(tmp_path):
    # With US clinical work: without any, no field is more than a possible fit.
    usce = '\n[[clinical]]\nkind = "hands-on"\nmonths = 3\ncity = "Houston"\nstate = "TX"\n'
    text = profile_text(step1_attempts=2, score=216, spanish=True, extra=usce)
    plan = plan_of(tmp_path, text)
    assert {s["fit"] for s in plan["specialties"]} == {"strong"}
    assert "Transitional Year" not in fields(plan)


def test_an_unmatched_competitive_aim_can_get_the_bridge_year(tmp_path):
    wishes = f'{COMPETITIVE}, "Internal Medicine", "Family Medicine"'
    plan = plan_of(tmp_path, profile_text(specialties=wishes, previous_cycles=1))
    ty = fields(plan)["Transitional Year"]
    assert ty["suggested"]
    rules = [r["rule"] for r in ty["reasons"]]
    assert "specialties/suggest-transitional-after-competitive-aim" in rules
    assert "specialties/suggest-transitional-after-failure" not in rules


# ---------------------------------------------------------------- signals per institution


def test_one_signal_per_institution_is_said_as_aaim_rule_only_in_internal_medicine(tmp_path):
    plan = plan_of(tmp_path, profile_text(spanish=True))
    said = {s["specialty"]: s for s in plan["signals"]}
    im, fm = said["Internal Medicine"], said["Family Medicine"]
    assert "season/one-per-institution" in im["rules"]
    assert "Internal Medicine, one signal goes to an institution" in im["says"]
    assert "season/one-per-institution" not in fm["rules"]
    assert "season/one-per-institution-other-fields" in fm["rules"]
    assert "one signal goes to an institution" not in fm["says"]
    assert "at most one signal per institution" in fm["says"]
    assert "Family Medicine" in fm["says"]


# ---------------------------------------------------------------- words, not names


def test_figures_a_reader_sees_name_no_parameter(tmp_path, host):
    # Every parameter's note is what the report's table of figures shows: none may name a
    # parameter (of any ruleset) or a catalog field by its internal name.
    names = {p for rs in host.rulebook.rulesets for p in rs.parameters}
    names |= {"facts_as_of", "under_way_from"}
    for ruleset in host.rulebook.rulesets:
        for name, parameter in ruleset.parameters.items():
            words = set(re.findall(r"[a-z0-9_]+", parameter.note or ""))
            assert not words & names, (ruleset.name, name, parameter.note)
    plan_of(tmp_path, profile_text(), report="plan.html")
    html = (tmp_path / "plan.html").read_text(encoding="utf-8")
    figures = html.split("Figures and thresholds the plan used", 1)[1].split("</table>", 1)[0]
    assert not set(re.findall(r"\b[a-z0-9]+_[a-z0-9_]+\b", figures)) & names


# ---------------------------------------------------------------- the fee table


def test_a_specialty_the_catalog_lacks_is_priced_at_its_full_list(tmp_path):
    # Dermatology and General Surgery with a 222: the border catalog has no program of
    # either that this file can apply to. Their lists are built outside the catalog, and
    # the fees are those of the full lists, never a $0 row.
    text = profile_text(specialties=f'"Dermatology", {COMPETITIVE}', score=222, spanish=True)
    plan = plan_of(tmp_path, text, report="plan.html")
    cost = {c["name"]: c for c in plan["summary"]["cost"]["by_specialty"]}
    volumes = {v["name"]: v for v in plan["summary"]["by_specialty"]}
    for name in ("Dermatology", "General Surgery"):
        assert volumes[name]["applications"] == 0
        assert cost[name]["applications"] == volumes[name]["recommended"] > 0
    html = (tmp_path / "plan.html").read_text(encoding="utf-8")
    table = html.split('id="cost"', 1)[1].split("</table>", 1)[0]
    assert "$0" not in table
    assert ">Dermatology<" in table and ">General Surgery<" in table
    assert ">Family Medicine<" in table
    assert "No fees for" not in html
    assert main(["report", str(tmp_path / "plan.toml"), "--out", str(tmp_path / "plan.md")]) == 0
    markdown = (tmp_path / "plan.md").read_text(encoding="utf-8")
    fees = next(
        line
        for line in markdown.splitlines()
        if "What ERAS charges to send the lists this plan proposes" in line
    )
    assert "$0" not in fees and " 0 applications" not in fees
    assert f"Dermatology ${cost['Dermatology']['fee']:,} for " in fees


# ---------------------------------------------------------------- Step 3 without a result


def test_a_step3_without_its_result_is_unknown_not_a_fail(tmp_path):
    # H-1B first, Step 3 sat once, no result given: no failed attempt, no program moved
    # down for a missing pass, and a step asks for the result.
    text = profile_text(score=230, extra="\n[exams.step3]\nattempts = 1\n").replace(
        'visa = "J-1"', 'visa = "H-1B"'
    )
    plan = plan_of(tmp_path, text)
    weaknesses = {w["name"] for w in plan["assessment"]["weaknesses"]}
    assert not weaknesses & {"failed-attempt", "multiple-failures"}
    assert "exams.step3.result" not in {m["key"] for m in plan["assessment"].get("missing", [])}
    rules = {r["rule"] for p in plan["programs"] for r in p["reasons"]}
    assert "tiering/h1b-without-step3" not in rules
    assert "screening/failure-vs-first-attempt-only" not in rules
    ask = next(a for a in plan["actions"] if a["id"] == "applications/step3-result")
    assert 'result = "pass"' in ask["detail"] and "neither as passed nor as failed" in ask["detail"]
    assert "applications/step3-for-h1b" not in {a["id"] for a in plan["actions"]}
    # With a fail written, the H-1B step asks for a pass, and nothing asks for the result.
    with_fail = text.replace("[exams.step3]\n", '[exams.step3]\nresult = "fail"\n')
    failed = {a["id"] for a in plan_of(tmp_path, with_fail)["actions"]}
    assert "applications/step3-for-h1b" in failed
    assert "applications/step3-result" not in failed


# ---------------------------------------------------------------- March: rank list to Match Day

# One unmatched cycle (the 2026 Match), nothing new, applying again for the 2027 Match.
REAPPLICANT = profile_text(previous_cycles=1, score=219, spanish=True)


def whens(plan: dict) -> dict[str, str]:
    return {a["id"]: a["when"] for a in plan["actions"]}


def advice(plan: dict) -> dict[str, str]:
    return {a["rule"]: a["says"] for a in plan["summary"]["advice"]}


@pytest.mark.parametrize("as_of", ["2027-03-04", "2027-03-10", "2027-03-16", "2027-03-19"])
@pytest.mark.parametrize("name", ["example", "reapplicant"])
def test_after_the_rank_list_deadline_no_step_is_for_this_rank_list(tmp_path, as_of, name):
    # The 2027 rank lists are due on 3 March 2027: from the next day on, nothing is dated
    # "before you certify your rank list", and no step asks for a rank list at all.
    text = (PROFILES / "example.toml").read_text(encoding="utf-8")
    plan = plan_of(tmp_path, text if name == "example" else REAPPLICANT, as_of)
    ids = set(whens(plan))
    assert not ids & {
        "between-cycles/rank-list",
        "applications/ecfmg-certification",
        "applications/ecfmg-certification-by-rank-list",
        "applications/ecfmg-certification-at-rank-list",
    }
    for action in plan["actions"]:
        text = " ".join((action["when"], action["title"], action["detail"])).lower()
        assert "certify your rank list" not in text, action["id"]
        assert "next to your rank list" not in text, action["id"]
        assert "for your rank list" not in text, action["id"]
        # A late step of this cycle is for a next application now, or starts at once. The
        # time between cycles of the next Match starts with this Match Day (in March).
        month = action["when"].split(":", 1)[0]
        between = action["timing"] == "between-cycles" and "for a next application" in text
        if month == "March 2027" and action["timing"] not in ("now", "match-week", "after-match"):
            if not between:
                raise AssertionError(f"{action['id']} is dated {action['when']}")
    said = " ".join(advice(plan).values())
    assert "interviews run from October" not in said
    assert "your rank list," not in said


def test_before_the_deadline_march_still_asks_for_the_rank_list(tmp_path):
    plan = plan_of(tmp_path, (PROFILES / "example.toml").read_text(encoding="utf-8"), "2027-03-02")
    assert whens(plan)["between-cycles/rank-list"].startswith("March 2027")
    # Interviews are over: the facts to check are those of starting where one interviewed.
    assert "applications/verify-program-facts" not in whens(plan)
    check = whens(plan)["applications/verify-before-ranking"]
    assert check == "March 2027: Rank list certification (late February or early March)"
    says = advice(plan)["between-cycles/cycle-interviews-over"]
    assert "interview season for the 2027 Match is over" in says
    assert "rank lists are due by 3 March 2027" in says
    assert "between-cycles/cycle-under-way" not in advice(plan)


@pytest.mark.parametrize(
    "as_of, soap, rule",
    [
        ("2027-03-12", "between-cycles/soap", "between-cycles/cycle-ranked"),
        ("2027-03-15", "between-cycles/soap-this-week", "between-cycles/cycle-ranked"),
        ("2027-03-18", "between-cycles/soap-this-week", "between-cycles/cycle-ranked"),
        ("2027-03-19", None, "between-cycles/cycle-match-day"),
    ],
)
def test_soap_fits_the_days_of_match_week(tmp_path, as_of, soap, rule):
    # Match Day 2027 is Friday 19 March: Match Week and SOAP start on Monday 15 March.
    plan = plan_of(tmp_path, (PROFILES / "example.toml").read_text(encoding="utf-8"), as_of)
    soaps = {i for i in whens(plan) if i.startswith("between-cycles/soap")}
    assert soaps == ({soap} if soap else set())
    said = advice(plan)
    assert rule in said
    assert not {r for r in said if r.startswith("between-cycles/cycle")} - {rule}
    if soap == "between-cycles/soap-this-week":
        detail = next(a["detail"] for a in plan["actions"] if a["id"] == soap)
        assert "Prepare before that week" not in detail and "ends before Match Day" in detail
    if rule == "between-cycles/cycle-match-day":
        assert said[rule].startswith("19 March 2027 is Match Day of the 2027 Match.")
    else:
        assert "has passed" in said[rule] and "Match Day (19 March 2027)" in said[rule]


# ---------------------------------------------------------------- late September


@pytest.mark.parametrize("as_of", ["2026-09-24", "2026-09-30"])
def test_between_cycle_steps_in_late_september_put_interviews_ahead(tmp_path, as_of):
    # Programs read from 24 September; interviews start in October. A reapplicant's
    # between-cycle steps are late, and their text says interviews are still to come.
    plan = plan_of(tmp_path, REAPPLICANT, as_of)
    between = [a for a in plan["actions"] if a["timing"] == "between-cycles"]
    assert between
    for action in between:
        assert action["when"] == (
            "September 2026: Start now, so that what you add can come up in interviews from "
            "October, and in a next application if you need one"
        )
    for action in plan["actions"]:
        assert "during interview season" not in action["when"], action["id"]
        assert "through interview season" not in action["when"], action["id"]


def test_in_october_the_between_cycle_steps_speak_of_interview_season(tmp_path):
    plan = plan_of(tmp_path, REAPPLICANT, "2026-10-15")
    between = [a for a in plan["actions"] if a["timing"] == "between-cycles"]
    assert between and all("through interview season" in a["when"] for a in between)
