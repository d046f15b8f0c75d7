"""Application lists, counts and plan wording of the ninth advisor review (review 6
findings 10, 17, 19, 20, 23 and smaller ones), on the review's kind of profiles: each test
plans a few lines of profile against a small catalog or the example catalogs, and names
what the plan says to that person, and what it no longer says.
"""

from __future__ import annotations

import pytest

import resplan
from resplan.vocabulary import tier_words
from tests.conftest import EXAMPLES, make_catalog, make_profile

BORDER = EXAMPLES / "catalog" / "border-programs.toml"
SYNTHETIC = EXAMPLES / "catalog" / "synthetic-national-sample.toml"
JULY = "2026-07-01"
STEP2_221 = {"score": 221, "attempts": 1}
BORDER_STRENGTHS = {
    "languages": [{"name": "Spanish", "level": "fluent"}],
    "clinical": [{"kind": "hands-on", "months": 3, "city": "El Paso", "state": "TX"}],
    "letters": [{"writer": "Internist, El Paso", "us_clinical": True}],
}


def plan_of(host, catalog, *, as_of=JULY, applicant=None, **sections):
    applicant = {"visa": "J-1", "graduation_year": 2023, "previous_cycles": 0, **(applicant or {})}
    sections.setdefault("exams", {"step1": {"result": "pass", "attempts": 1}, "step2ck": STEP2_221})
    for key, value in BORDER_STRENGTHS.items():
        sections.setdefault(key, value)
    return resplan.plan(
        make_profile(applicant=applicant, **sections), catalog, host=host, as_of=as_of
    )


def volume(plan, name: str):
    [found] = [v for v in plan.summary.by_specialty if v.name == name]
    return found


def said(reasons) -> dict[str, str]:
    return {r.rule.split("/")[-1]: r.says for r in reasons}


def outlook(plan, name: str):
    [found] = [o for o in plan.outlook.specialties if o.specialty == name]
    return found


@pytest.fixture(scope="module")
def border(host):
    return host.read_catalog(BORDER)


@pytest.fixture(scope="module")
def generated(host):
    return host.read_catalog(SYNTHETIC)


# ---------------------------------------------------------------- 1. preliminary tracks apart

# El Paso Internal Medicine: two institutions with a categorical and a preliminary track,
# and a third with a preliminary track only; all take many IMGs and sponsor a J-1.
TRACKS = make_catalog(
    *(
        {
            "id": f"tx-elpaso-{place}-im-{track[:4]}",
            "name": f"Fictional Border Hospital {place.upper()}",
            "track": track,
            "img_share": 0.6,
            "visas": ["J-1"],
            "facts_as_of": 2025,
            "source": "test fixture, fictional",
        }
        for place, track in (
            ("a", "categorical"),
            ("a", "preliminary"),
            ("b", "categorical"),
            ("b", "preliminary"),
            ("c", "preliminary"),
        )
    )
)
INTERNAL_MEDICINE_TX = {"specialties": ["Internal Medicine"], "states": ["TX"]}


def test_preliminary_tracks_are_counted_apart_from_the_categorical_list(host):
    """Two categorical and three preliminary tracks: the list, its tiers and fees count
    the 2 categorical programs; the 3 preliminary ones are said apart, as one-year places."""
    plan = plan_of(host, TRACKS, applicant=INTERNAL_MEDICINE_TX)
    im = volume(plan, "Internal Medicine")
    assert im.applications == 2 and im.available == (2, 0, 0) and im.tiers == (2, 0, 0)
    words = said(im.reasons)
    assert words["send-from-this-catalog"] == (
        "From this catalog, send 2 applications in Internal Medicine: both in tier 1."
    )
    assert "you can apply to" in words["catalog-short-of-full-list"]
    assert "has 2 programs in Internal Medicine" in words["catalog-short-of-full-list"]
    apart = words["preliminary-tracks-apart"]
    assert apart.startswith("Your catalog also has 3 preliminary programs in Internal Medicine")
    assert "one year of training" in apart and "The figures above do not count them." in apart
    assert plan.summary.applications == 2
    passed = outlook(plan, "Internal Medicine")
    assert passed.passed == 2
    context = said(passed.context)
    assert context["programs-passed"] == (
        "In this plan's catalog you pass every known filter of 2 programs in Internal Medicine."
    )
    assert context["preliminary-programs-passed"] == (
        "You also pass every known filter of 3 preliminary programs in Internal Medicine: "
        "one year of training each, counted apart."
    )


def test_two_programs_in_one_tier_are_both_in_it():
    assert tier_words((2, 0, 0)) == "both in tier 1"
    assert tier_words((0, 2, 0)) == "both in tier 2"
    assert tier_words((0, 0, 3)) == "all 3 in tier 3"


def test_only_preliminary_tracks_do_not_read_as_no_program_at_all(host):
    only = make_catalog(
        *(
            {
                "id": f"tx-elpaso-{place}-im-prel",
                "name": f"Fictional Border Hospital {place.upper()}",
                "track": "preliminary",
                "img_share": 0.6,
                "visas": ["J-1"],
            }
            for place in "ab"
        )
    )
    plan = plan_of(host, only, applicant=INTERNAL_MEDICINE_TX)
    im = volume(plan, "Internal Medicine")
    assert im.applications == 0
    words = said(im.reasons)
    assert "catalog-has-none-of-field" not in words
    assert words["catalog-has-only-preliminary-of-field"].startswith(
        "Your catalog has no categorical program in Internal Medicine that you can apply to, "
        "only 2 preliminary ones."
    )
    context = said(outlook(plan, "Internal Medicine").context)
    assert "no-program-passed" not in context
    assert context["only-preliminary-programs-passed"].startswith(
        "In this plan's catalog you pass every known filter of 2 preliminary programs "
        "in Internal Medicine, and of no categorical one."
    )


def test_a_catalog_without_preliminary_tracks_says_nothing_of_them(host, border):
    plan = plan_of(host, border, applicant=INTERNAL_MEDICINE_TX)
    text = " ".join(r.says for v in plan.summary.by_specialty for r in v.reasons)
    text += " ".join(r.says for o in plan.outlook.specialties for r in o.context)
    assert "preliminary program" not in text
