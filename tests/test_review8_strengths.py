"""Fit and strengths in words that fit the person, from the eighth advisor review: plans
of new profiles against the real border programs.

Each test reproduces a finding on a profile like the review's, at its date, and reads
what the plan now says to that person.
"""

from __future__ import annotations

import itertools

import pytest

import resplan
from tests.conftest import STEP1, plan_of


def strengths(plan) -> dict[str, str]:
    return {f.name: " ".join(r.says for r in f.reasons) for f in plan.assessment.strengths}


# A US citizen with a strong Step 2 CK and no Spanish, wanting Internal Medicine and
# Psychiatry in California and Arizona (the review's high scorer).
HIGH = {
    "applicant": {
        "visa": "none",
        "us_citizen": True,
        "specialties": ["Internal Medicine", "Psychiatry"],
        "states": ["CA", "AZ"],
    },
    "exams": {"step1": STEP1, "step2ck": {"score": 245, "attempts": 1}},
    "languages": [{"name": "English", "level": "native"}],
}


# ---------------------------------------------------------------- finding 10


@pytest.mark.parametrize(
    ("score", "graduated", "attempts"),
    list(itertools.product([218, 223], [2016, 2019, 2023], [1, 2])),
)
def test_a_strong_fit_never_sits_beside_well_below(
    host, border_catalog, score, graduated, attempts
):
    """A file the outlook puts well below the typical IMG applicant is not called a strong
    fit in the same plan, whatever its border strengths."""
    plan = plan_of(
        host,
        border_catalog,
        applicant={
            "visa": "J-1",
            "graduation_year": graduated,
            "specialties": ["Internal Medicine", "Family Medicine"],
            "states": ["TX"],
        },
        exams={
            "step1": {"result": "pass", "attempts": attempts},
            "step2ck": {"score": score, "attempts": 1},
        },
        languages=[{"name": "Spanish", "level": "native"}],
        clinical=[{"kind": "hands-on", "months": 4, "city": "El Paso", "state": "TX"}],
    )
    fits = {t.name: t.fit for t in plan.specialties}
    for o in plan.outlook.specialties:
        if o.band == "well-below":
            assert fits[o.specialty] != "strong", (o.specialty, o.says)


# ---------------------------------------------------------------- finding 11


def test_a_low_img_share_is_never_in_your_favor(host, border_catalog):
    """Psychiatry's small national share of IMGs is context, not something in her favor."""
    plan = plan_of(host, border_catalog, **HIGH)
    text = resplan.render_report(plan, "md")
    lines = text.splitlines()
    at = next(i for i, x in enumerate(lines) if x.startswith("- In Psychiatry, your file"))
    # The field's findings are listed under it, one kind a line (review 10).
    under = []
    for x in lines[at + 1 :]:
        if not x.startswith("  - "):
            break
        under.append(x)
    favour = [x for x in under if x.startswith("  - In your favor:")]
    assert favour and "non-US IMGs took" not in favour[0]
    assert any(
        x.startswith("  - For context: In the 2025 Match, non-US IMGs took 8%") for x in under
    )


# ---------------------------------------------------------------- finding 30


def test_a_strong_score_is_told_as_a_strength(host, border_catalog):
    """A 245 with no Spanish: the plan names her score among her strengths, and what it
    opens, not only what she lacks."""
    plan = plan_of(host, border_catalog, **HIGH)
    said = strengths(plan)
    assert "strong-step2ck" in said
    assert "245" in said["strong-step2ck"]
    assert "reach" in said["strong-step2ck"]
    low = plan_of(
        host, border_catalog, **{**HIGH, "exams": {"step1": STEP1, "step2ck": {"score": 232}}}
    )
    assert "strong-step2ck" not in strengths(low)
