"""Plans of the profiles an advisor reviewed (tests/data/review-specialties/), read for
which fields they suggest, how they word a field's fit, and what every applicant is
told whatever their weak points.

The profiles are planned against the real border programs and the synthetic national
sample, as the advisor saw them.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from resplan.cli import main
from resplan.testing import wording
from tests.conftest import DATA, EXAMPLES

REVIEW = DATA / "review-specialties"
BORDER = EXAMPLES / "catalog" / "border-programs.toml"
NATIONAL = EXAMPLES / "catalog" / "synthetic-national-sample.toml"
AS_OF = "2026-06-15"
OPEN_FIELDS = {"Internal Medicine", "Family Medicine", "Pediatrics", "Psychiatry"}


def plan_for(name: str, tmp_path: Path, *, national: bool = True, as_of: str = AS_OF) -> dict:
    out = tmp_path / f"{name}.toml"
    catalogs = ["--catalog", str(BORDER)] + (["--catalog", str(NATIONAL)] if national else [])
    args = ["plan", str(REVIEW / f"{name}.toml"), *catalogs, "--as-of", as_of, "--out", str(out)]
    assert main(args) == 0
    return tomllib.loads(out.read_text(encoding="utf-8"))


def fields(plan: dict) -> dict[str, dict]:
    return {s["name"]: s for s in plan["specialties"]}


def suggested(plan: dict) -> set[str]:
    return {s["name"] for s in plan["specialties"] if s["suggested"]}


def reasons(specialty: dict) -> dict[str, str]:
    return {r["rule"]: r["says"] for r in specialty["reasons"]}


def test_without_wishes_the_plan_picks_a_main_field_and_one_backup(tmp_path, host):
    plan = plan_for("i-nowishes", tmp_path)
    picked = fields(plan)
    # No Transitional Year, Pediatrics or Psychiatry on top: two open fields, no more.
    assert set(picked) == {"Internal Medicine", "Family Medicine"}
    assert all(s["suggested"] and not s["wished"] for s in picked.values())
    for specialty in picked.values():
        says = reasons(specialty)["specialties/suggest-main-fields-without-wishes"]
        assert "picks 2 fields for you" in says
    # Two full lists, not five.
    assert plan["summary"]["recommended"] <= 2 * 77
    assert len(plan["summary"]["by_specialty"]) == 2


def test_competitive_wishes_get_one_backup_field_not_three(tmp_path):
    plan = plan_for("j-derm-native", tmp_path)
    picked = fields(plan)
    assert [s["name"] for s in plan["specialties"] if s["wished"]] == [
        "Dermatology",
        "General Surgery",
    ]
    # Native Spanish and a border record: border Family Medicine is the backup.
    assert suggested(plan) == {"Family Medicine"}
    assert (
        "as your backup field"
        in reasons(picked["Family Medicine"])["specialties/suggest-family-medicine"]
    )
    assert len(plan["summary"]["by_specialty"]) == 3


def test_the_number_of_backup_fields_is_a_parameter(tmp_path, host):
    specialties = next(r for r in host.rulebook.rulesets if r.name == "specialties")
    assert specialties.parameters["backup_fields"].value == 1
    assert specialties.parameters["fields_without_wishes"].value == 2
    for name in ("backup_fields", "fields_without_wishes"):
        assert "fewer specialties" in specialties.parameters[name].source


def test_a_higher_score_keeps_the_backup_for_a_score_driven_wish(tmp_path):
    plan = plan_for("j232", tmp_path)
    picked = fields(plan)
    # 232 is clear of the low band but not high for Dermatology: a reach, not possible.
    assert picked["Dermatology"]["fit"] == "reach"
    assert "under 240" in reasons(picked["Dermatology"])["specialties/score-driven-not-high"]
    backups = suggested(plan)
    assert len(backups) == 1 and backups <= OPEN_FIELDS
    (backup,) = backups
    assert any("backup field" in says for says in reasons(picked[backup]).values())


def test_a_high_score_leaves_a_score_driven_wish_without_a_forced_backup(tmp_path):
    profile = (
        (REVIEW / "j232.toml").read_text(encoding="utf-8").replace("score = 232", "score = 248")
    )
    (tmp_path / "j248.toml").write_text(profile, encoding="utf-8")
    out = tmp_path / "j248-plan.toml"
    args = ["plan", str(tmp_path / "j248.toml"), "--catalog", str(BORDER)]
    assert main([*args, "--as-of", AS_OF, "--out", str(out)]) == 0
    plan = tomllib.loads(out.read_text(encoding="utf-8"))
    assert fields(plan)["Dermatology"]["fit"] == "possible"
    assert suggested(plan) == set()


@pytest.mark.parametrize("name", ["i-nowishes", "j-derm-native", "j232", "c-retake-205"])
def test_transitional_year_is_never_a_strong_fit(name, tmp_path, host):
    plan = plan_for(name, tmp_path)
    rulebook = host.rulebook
    for specialty in plan["specialties"]:
        if specialty["name"] == "Transitional Year":
            assert specialty["fit"] != "strong"
            assert (
                "never the main list" in reasons(specialty)["specialties/transitional-year-bridge"]
            )
    # Whatever fields a plan holds, none is said to be where IMGs match most often, and
    # Transitional Year is never called one of the most open fields.
    for _, text in wording.texts(plan):
        assert "match most often" not in text
        assert "Transitional Year is one of the fields most open" not in text
    assert (
        wording.contradictions(plan, tomllib.loads((REVIEW / f"{name}.toml").read_text()), rulebook)
        == []
    )


def test_psychiatry_is_named_open_by_the_guide_with_its_small_national_share(tmp_path):
    plan = plan_for("h-citizen-psych", tmp_path, national=False)
    psychiatry = fields(plan)["Psychiatry"]
    said = " ".join(reasons(psychiatry).values())
    assert "takes many IMGs" not in said
    # Visa "none" without us_citizen may be a permanent resident, a non-US IMG: the small
    # national share caps the fit, and "most open" is not said beside it (review 10, #11).
    assert psychiatry["fit"] == "possible"
    assert "most open" not in said
    assert "The guide names Psychiatry among the fields open to IMGs" in said
    assert "only a small share of its first-year places (8%)" in said


# ---------------------------------------------------------------- every applicant


def test_a_us_citizen_without_weak_points_is_told_her_group_and_still_gets_a_safety_net(
    tmp_path,
):
    plan = plan_for("h-citizen-psych", tmp_path, national=False)
    assert plan["assessment"]["weaknesses"] == []
    advice = {a["rule"]: a["says"] for a in plan["summary"]["advice"]}
    # No visa: the figure of US IMGs, beside the other group's, never non-US IMGs alone.
    assert "tiering/match-rate-context" not in advice
    says = advice["tiering/match-rate-context-no-visa"]
    assert "67.8% of US IMGs" in says and "58% of other international graduates" in says
    # Everyone prepares for SOAP.
    assert "between-cycles/soap" in {a["id"] for a in plan["actions"]}
    # Psychiatry has 2 programs in this catalog: a backup field is added.
    picked = fields(plan)
    assert picked["Psychiatry"]["fit"] == "possible"  # its small national share (review 10, #11)
    (backup,) = suggested(plan)
    assert backup in {"Internal Medicine", "Family Medicine"}
    short = next(s for r, s in reasons(picked[backup]).items() if r.endswith("in-states"))
    # Both are in Texas, a state she did not name: the reason says so.
    assert short.startswith(
        "Your catalog has only 2 programs in the field you named, and none of them is in "
        "California or Arizona, where you want to train."
    )


def test_a_visa_applicant_is_told_the_non_us_img_figure(tmp_path):
    plan = plan_for("i-nowishes", tmp_path)
    advice = {a["rule"]: a["says"] for a in plan["summary"]["advice"]}
    assert "58% of non-US IMGs" in advice["tiering/match-rate-context"]
    assert "tiering/match-rate-context-no-visa" not in advice


def test_a_short_list_backup_needs_a_short_list(tmp_path):
    # Psychiatry with the national sample beside the border programs: the generated
    # programs are examples, not a list, so the two real ones are a short list.
    plan = plan_for("h-citizen-psych", tmp_path)
    assert suggested(plan) == {"Family Medicine"}


# ---------------------------------------------------------------- scores


def test_an_early_graduate_is_asked_for_a_numeric_step1(tmp_path):
    plan = plan_for("c-retake-205", tmp_path, as_of="2026-11-30")
    weaknesses = {w["name"]: w for w in plan["assessment"]["weaknesses"]}
    [reason] = weaknesses["step1-pass-only"]["reasons"]
    assert reason["rule"] == "assessment/step1-pass-maybe-numeric"
    assert "programs have no number" not in reason["says"]
    assert "26 January 2022" in reason["says"] and "2013" in reason["says"]
    # Programs read the applications on 30 November: the correction is for a next one.
    ask = next(a for a in plan["actions"] if a["id"] == "assessment/step1-number-next-application")
    assert ask["category"] == "materials" and "for a next application" in ask["when"]
    # A Step 2 CK of 205 is one finding, the worse band, in the list and in the advice.
    assert "very-low-step2ck" in weaknesses and "low-step2ck" not in weaknesses
    two_jobs = next(a["says"] for a in plan["summary"]["advice"] if a["rule"] == "tiering/two-jobs")
    assert "a very low Step 2 CK" in two_jobs and "a low Step 2 CK" not in two_jobs


def test_a_recent_graduate_is_not_asked_for_a_numeric_step1(tmp_path):
    plan = plan_for("j-derm-native", tmp_path)
    weaknesses = {w["name"]: w for w in plan["assessment"]["weaknesses"]}
    [reason] = weaknesses["step1-pass-only"]["reasons"]
    assert reason["rule"] == "assessment/step1-pass-only"
    assert "assessment/step1-number" not in {a["id"] for a in plan["actions"]}
    # 222 is low, not very low: one finding.
    assert "low-step2ck" in weaknesses and "very-low-step2ck" not in weaknesses


# ---------------------------------------------------------------- the report


def test_the_report_shows_no_internal_names(tmp_path, host):
    out = tmp_path / "h.toml"
    html = tmp_path / "h.html"
    args = ["plan", str(REVIEW / "h-citizen-psych.toml"), "--catalog", str(BORDER)]
    assert main([*args, "--as-of", AS_OF, "--out", str(out), "--report", str(html)]) == 0
    text = html.read_text(encoding="utf-8")
    assert "Programs real" not in text and "Programs synthetic" not in text
    for name in ("near_miss_points", "img_welcoming_lower", "programs_real"):
        assert name not in text


def test_a_region_without_programs_is_not_also_called_a_good_place(tmp_path):
    plan = plan_for("h-citizen-psych", tmp_path, national=False)
    for region in plan["regions"]:
        rules = [r["rule"] for r in region["reasons"]]
        if region["priority"] == "none":
            assert "regions/no-program-in-catalog" in rules
            assert "regions/spanish-other-state" not in rules


@pytest.mark.parametrize(
    "name", ["i-nowishes", "j-derm-native", "j232", "h-citizen-psych", "c-retake-205"]
)
def test_every_message_of_a_reviewed_plan_reads_well(name, tmp_path, host):
    plan = plan_for(name, tmp_path, national=False)
    forbidden = wording.forbidden_ids(host.rulebook)
    found = [
        f"{where}: {problem}"
        for where, text in wording.texts(plan)
        for problem in wording.problems(text, forbidden)
    ]
    assert found == []
