"""Advice left over from the fifth advisor review and found by the sixth, in plans of
small profiles against the real border programs.

Each test names what a plan must say to the person it fits, and that it stays silent
where the sentence does not apply.
"""

from __future__ import annotations

import re

import pytest

import resplan
from tests.conftest import EXAMPLES, make_profile

BORDER = EXAMPLES / "catalog" / "border-programs.toml"
JULY = "2026-07-15"
STEP1 = {"result": "pass", "attempts": 1}
SPANISH = [{"name": "Spanish", "level": "fluent"}]
EL_PASO_MONTHS = [{"kind": "hands-on", "months": 4, "city": "El Paso", "state": "TX"}]
US_LETTER = [{"writer": "IM attending, El Paso", "us_clinical": True}]


@pytest.fixture(scope="module")
def border():
    return resplan.load_catalog(BORDER)


def plan_of(host, border, *, as_of=JULY, applicant=None, **sections):
    applicant = {"visa": "J-1", "specialties": ["Internal Medicine"], **(applicant or {})}
    sections.setdefault("exams", {"step1": STEP1, "step2ck": {"score": 226, "attempts": 1}})
    profile = make_profile(applicant=applicant, **sections)
    return resplan.plan(profile, border, host=host, as_of=as_of)


def program_reasons(plan) -> list[str]:
    return [r.says for p in plan.programs for r in p.reasons]


def region_reasons(plan) -> list[str]:
    return [r.says for region in plan.regions for r in region.reasons]


STATE_CODE = re.compile(r"\((TX|NM|AZ|CA)\)|\bin (TX|NM|AZ|CA)\b")


# ---------------------------------------------------------------- state names, not codes


def test_region_and_tier_reasons_name_states_in_words(host, border):
    """An applicant who named New Mexico, with work in El Paso: a Texas border program is
    'in Texas, outside the states you named', and a region is 'in a state you want (New
    Mexico)'; no reason prints a two-letter code."""
    plan = plan_of(
        host,
        border,
        applicant={"states": ["NM"]},
        languages=SPANISH,
        clinical=EL_PASO_MONTHS,
        letters=US_LETTER,
    )
    tiers = program_reasons(plan)
    regions = region_reasons(plan)
    assert any("but in Texas, outside the states you named" in s for s in tiers)
    assert any("in a state you want (New Mexico)" in s for s in regions)
    assert any("You have US clinical experience in Texas, which" in s for s in regions)
    assert not [s for s in tiers + regions if STATE_CODE.search(s)]


# ---------------------------------------------------------------- Step 3 near the deadline

LATE = "applications/step3-too-late-for-this-rank-list"


@pytest.mark.parametrize("as_of", ["2027-02-20", "2027-03-02"])
def test_the_step3_step_near_the_deadline_fits_the_date(host, border, as_of):
    """An H-1B-only applicant 11 days and 1 day before the rank list deadline (3 March
    2027): the step says the deadline is too close for a result, not how many weeks."""
    plan = plan_of(host, border, as_of=as_of, applicant={"visa": "H-1B", "states": ["TX"]})
    [late] = [a for a in plan.actions if a.id == LATE]
    assert late.detail.startswith(
        "The rank list deadline (3 March 2027) is too close for a Step 3 result: allow about "
        "4 weeks from the exam to the result."
    )
    assert "away" not in late.detail


def test_no_step3_step_near_the_deadline_where_a_j1_is_the_route(host, border):
    """J-1 or H-1B, Texas only, where no program lists an H-1B: a Step 3 pass cannot
    matter this season, so the rank list step about it is left out."""
    plan = plan_of(
        host, border, as_of="2027-02-20", applicant={"visa": ["J-1", "H-1B"], "states": ["TX"]}
    )
    ids = [a.id for a in plan.actions]
    assert LATE not in ids and "applications/step3-for-h1b" not in ids
