"""The personal-statement step and the score and US-experience strengths, from the tenth
advisor review (#5 and #9), read as the applicant reads them.

The review's profiles (copied to tests/data/review10_r10a) are planned at the review's
dates; the edges of each rule are tried on profiles built with plan_of.
"""

from __future__ import annotations

import pytest

import resplan
from tests.conftest import DATA, STEP1, plan_of

PROFILES = DATA / "review10_r10a"

BORDER_STORY = "Personal statement: tie your story to the border and to each program"
PROGRAM_FIT = "Personal statement: tie your story to each program's patients"


def review_plan(host, catalog, name: str, as_of: str):
    profile = resplan.load_profile(PROFILES / f"{name}.toml")
    return resplan.plan(profile, catalog, host=host, as_of=as_of)


def steps(plan) -> dict[str, str]:
    """The plan's steps: title to detail."""
    return {a.title: a.detail for a in plan.actions}


def strengths(plan) -> dict[str, str]:
    return {f.name: " ".join(r.says for r in f.reasons) for f in plan.assessment.strengths}


# ---------------------------------------------------------------- finding 5


@pytest.mark.parametrize("name", ["p02-step2-245-dec", "p09-psych-peds-dec"])
def test_spanish_without_border_work_gets_the_honest_statement(host, border_catalog, name):
    """Spanish alone (professional in p02, fluent in p09) with no border, underserved or
    interpreting work: the statement is not to be centred on border work, and one step
    says how to use the Spanish."""
    said = steps(review_plan(host, border_catalog, name, "2026-12-02"))
    assert BORDER_STORY not in said
    assert "two health systems" in said[PROGRAM_FIT]
    assert "preparing to serve Spanish-speaking patients" in said[PROGRAM_FIT]
    spanish = [d for t, d in said.items() if "Spanish" in t and "statement" in t.lower()]
    assert len(spanish) == 1
    assert "a patient you helped in Spanish" in spanish[0]


SPANISH = [{"name": "Spanish", "level": "fluent"}]
HANDS_ON = [{"kind": "hands-on", "months": 3, "city": "Boston", "state": "MA"}]
EL_PASO = {"months": 1, "city": "El Paso", "state": "TX"}


@pytest.mark.parametrize(
    ("evidence", "border_story"),
    [
        ({}, False),
        ({"activities": [{"kind": "underserved", "title": "Rural clinic", "months": 2}]}, True),
        ({"activities": [{"kind": "interpreting", "title": "Interpreter", "months": 1}]}, True),
        ({"clinical": [*HANDS_ON, {**EL_PASO, "kind": "hands-on"}]}, True),
        # Watching care in the border region is not border work to write about.
        ({"clinical": [*HANDS_ON, {**EL_PASO, "kind": "observership"}]}, False),
    ],
)
def test_the_border_story_needs_border_evidence_beside_spanish(
    host, border_catalog, evidence, border_story
):
    plan = plan_of(
        host,
        border_catalog,
        applicant={"visa": "J-1", "specialties": ["Internal Medicine"], "states": ["TX"]},
        languages=SPANISH,
        **{"clinical": HANDS_ON, **evidence},
    )
    said = steps(plan)
    assert (BORDER_STORY in said) is border_story
    assert (PROGRAM_FIT in said) is not border_story
    bridge = [t for t in said if t.startswith("Personal statement: show your Spanish")]
    assert len(bridge) == (0 if border_story else 1)


# ---------------------------------------------------------------- finding 9


def test_the_h1b_only_plan_names_its_strengths(host, border_catalog):
    """p07: a first-attempt 238 and 3 months hands-on in Los Angeles with one US clinical
    letter. The plan had no strengths at all."""
    plan = review_plan(host, border_catalog, "p07-h1b-only-july", "2026-07-15")
    said = strengths(plan)
    assert "238" in said["solid-step2ck"]
    assert "not yet a strong one" in said["solid-step2ck"]
    assert "3 months of hands-on US clinical work" in said["us-clinical-experience"]
    report = resplan.render_report(plan, "md")
    assert "- A solid Step 2 CK: Your Step 2 CK of 238" in report
    # The score step agrees with the strength: not the one for a score that is "not yet a
    # strength on its own".
    chosen = {a.id for a in plan.actions}
    assert "applications/score-solid-needs-no-explaining" in chosen
    assert "applications/score-needs-no-explaining" not in chosen


@pytest.mark.parametrize(
    ("score", "attempts", "solid"),
    [(229, 1, False), (230, 1, True), (239, 1, True), (240, 1, False), (235, 2, False)],
)
def test_the_solid_band_is_a_first_attempt_230_to_239(host, border_catalog, score, attempts, solid):
    # Two sittings with a pass: the first was a fail.
    step2ck = {"score": score, "attempts": attempts}
    plan = plan_of(host, border_catalog, exams={"step1": STEP1, "step2ck": step2ck})
    assert ("solid-step2ck" in strengths(plan)) is solid


@pytest.mark.parametrize(
    ("months", "letters", "named"),
    [(3, 1, True), (2, 1, False), (3, 0, False)],
)
def test_hands_on_work_with_a_us_letter_is_a_strength(host, border_catalog, months, letters, named):
    plan = plan_of(
        host,
        border_catalog,
        clinical=[{"kind": "hands-on", "months": months, "city": "Los Angeles", "state": "CA"}],
        letters=[{"writer": "Internist", "us_clinical": True}] * letters,
    )
    assert ("us-clinical-experience" in strengths(plan)) is named


def test_no_second_strength_where_one_says_it_already(host, border_catalog):
    """Two US clinical letters (us-clinical-letters), that much hands-on work in the
    border region (a strong border record) or a US residency year already say it."""
    two_letters = plan_of(
        host,
        border_catalog,
        clinical=[{"kind": "hands-on", "months": 4, "city": "Boston", "state": "MA"}],
        letters=[{"writer": "Internist", "us_clinical": True}] * 2,
    )
    assert "us-clinical-letters" in strengths(two_letters)
    assert "us-clinical-experience" not in strengths(two_letters)
    border = plan_of(
        host,
        border_catalog,
        clinical=[{"kind": "hands-on", "months": 3, "city": "El Paso", "state": "TX"}],
        letters=[{"writer": "Internist", "us_clinical": True}],
    )
    assert "strong-border-profile" in strengths(border)
    assert "us-clinical-experience" not in strengths(border)
    resident = plan_of(
        host,
        border_catalog,
        clinical=[{"kind": "hands-on", "months": 6, "city": "Boston", "state": "MA"}],
        letters=[{"writer": "Program director", "us_clinical": True}],
        training={"kind": "preliminary", "status": "current"},
    )
    assert "us-residency-year" in strengths(resident)
    assert "us-clinical-experience" not in strengths(resident)
