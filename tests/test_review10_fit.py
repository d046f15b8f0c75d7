"""Review 10, findings 8 and 11: advice that must fit the day and the field.

Finding 8: on 2 December, seven interviews were "act now ... get your SOAP documents
ready", compared with a whole season's median of those who matched (8). Early in interview
season a count close to that median is on track; "act now" is for counts near the median
of those who did not match, or for any count under it once most invitations are out.

Finding 11: Psychiatry was a "Strong fit ... among the fields most open to IMGs" beside
"non-US IMGs take only a small share (8%)", and Pediatrics "most open ... in the border
region" with no Pediatrics program in the catalog's border region.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import resplan
from tests.conftest import STEP1, plan_of

DATA = Path(__file__).parent / "data" / "review10_r10b"
DECEMBER = "2026-12-02"
LATE_JANUARY = "2027-01-25"  # under 7 weeks before the 2027 rank list deadline


def plan_for(host, catalog, name: str, as_of: str = DECEMBER):
    return resplan.plan(
        resplan.load_profile(DATA / f"{name}.toml"), catalog, host=host, as_of=as_of
    )


def interview_steps(plan):
    """The steps that speak to the applicant's count of interviews."""
    kinds = ("count-interviews", "few-interviews", "interviews-on-track", "enough-interviews")
    return [a for a in plan.actions if any(kind in a.id for kind in kinds)]


def im_plan(host, catalog, as_of, **applicant):
    return plan_of(
        host,
        catalog,
        as_of=as_of,
        applicant={
            "specialties": ["Internal Medicine"],
            "states": ["TX"],
            "visa": "J-1",
            **applicant,
        },
        exams={"step1": STEP1, "step2ck": {"score": 236, "attempts": 1}},
        letters=[{"writer": "Internist, El Paso", "us_clinical": True, "advocate": True}],
    )


# ---------------------------------------------------------------- finding 8


def test_seven_interviews_on_2_december_are_on_track_not_an_alarm(host, border_catalog):
    plan = plan_for(host, border_catalog, "p02-step2-245-dec")
    (step,) = interview_steps(plan)
    assert step.id == "applications/interviews-on-track"
    assert step.title == "You have 7 interviews: you are on track, keep going"
    assert "close to the median of those who matched" in step.detail
    assert "programs still invite until January" in step.detail
    # SOAP is named only for later, if the count is still short by mid-January.
    assert "If your count is still under 8 in mid-January, get your SOAP documents" in step.detail
    for action in plan.actions:
        assert "act now" not in action.title
        assert "act now" not in action.detail


def test_the_same_count_late_in_the_season_is_a_sign_to_act(host, border_catalog):
    plan = im_plan(host, border_catalog, LATE_JANUARY, interviews=7)
    (step,) = interview_steps(plan)
    assert step.id == "applications/few-interviews"
    assert step.title == "You have 7 interviews: act now, while programs still invite"
    assert "get your SOAP documents ready" in step.detail


@pytest.mark.parametrize("count", [2, 4])
def test_a_count_near_the_unmatched_median_is_still_act_now_in_december(
    host, border_catalog, count
):
    plan = im_plan(host, border_catalog, DECEMBER, interviews=count)
    (step,) = interview_steps(plan)
    assert step.id == "applications/few-interviews"
    assert step.title == f"You have {count} interviews: act now, while programs still invite"


def test_the_count_step_says_which_counts_are_few_and_which_are_on_track(host, border_catalog):
    plan = im_plan(host, border_catalog, DECEMBER)
    (step,) = interview_steps(plan)
    assert step.id == "applications/count-interviews"
    assert "If you have few, act now" not in step.detail
    assert (
        "If you have 4 interviews or fewer, near the median of those who did not match, "
        "act now, while programs still invite." in step.detail
    )
    assert "With more, but under 8, you are on track until about mid-January" in step.detail


# ---------------------------------------------------------------- finding 11


def fields(plan):
    return {s.name: s for s in plan.specialties}


def said(specialty) -> str:
    return " ".join(r.says for r in specialty.reasons)


def test_psychiatry_with_a_small_national_share_is_not_a_strong_fit(host, border_catalog):
    plan = plan_for(host, border_catalog, "p09-psych-peds-dec")
    psychiatry = fields(plan)["Psychiatry"]
    assert psychiatry.fit == "possible"
    words = said(psychiatry)
    assert "most open" not in words
    assert "only a small share of its first-year places (8%)" in words
    assert "competitive" in words


def test_no_border_region_claim_for_a_field_without_a_border_program(host, border_catalog):
    plan = plan_for(host, border_catalog, "p09-psych-peds-dec")
    pediatrics = fields(plan)["Pediatrics"]
    words = said(pediatrics)
    assert "in the border region, and" not in words
    assert "This catalog has no Pediatrics program in the border region" in words


def test_a_field_with_border_programs_keeps_its_border_wording(host, border_catalog):
    plan = plan_for(host, border_catalog, "p02-step2-245-dec")
    internal = fields(plan)["Internal Medicine"]
    assert internal.fit == "strong"
    assert "among the fields most open to IMGs in the border region" in said(internal)


def test_a_us_citizen_is_told_whose_figure_the_small_share_is(host, border_catalog):
    plan = plan_of(
        host,
        border_catalog,
        as_of=DECEMBER,
        applicant={"specialties": ["Psychiatry"], "us_citizen": True},
        exams={"step1": STEP1, "step2ck": {"score": 236, "attempts": 1}},
        letters=[{"writer": "Psychiatrist, El Paso", "us_clinical": True, "advocate": True}],
    )
    psychiatry = fields(plan)["Psychiatry"]
    assert psychiatry.fit == "strong"
    words = said(psychiatry)
    assert "You count as a US IMG, a group that figure leaves out" in words
    assert "competitive for IMGs" in words
