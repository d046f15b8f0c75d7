"""Findings 7, 12, 13, 14 and 17 of the tenth advisor review: plans of the review's
profiles (copied to tests/data/review10_findings) and of small variants, against the real
border programs, read as the applicant reads them."""

from __future__ import annotations

import pytest

import resplan
from resplan.errors import RulesetError
from resplan.model import Catalog
from resplan.testing.hosts import ruleset_plugin
from tests.conftest import DATA, EXAMPLES, STEP1, make_catalog, plan_of

PROFILES = DATA / "review10_findings"


def review_plan(host, catalog, name: str, as_of: str):
    profile = resplan.load_profile(PROFILES / f"{name}.toml")
    return resplan.plan(profile, catalog, host=host, as_of=as_of)


def actions(plan) -> dict:
    """The plan's steps by rule name (without the ruleset)."""
    return {a.id.split("/", 1)[1]: a for a in plan.actions}


def strengths(plan) -> dict[str, str]:
    return {f.name: " ".join(r.says for r in f.reasons) for f in plan.assessment.strengths}


# ---------------------------------------------------------------- finding 7

OBSERVERSHIP_LETTERS = [
    {"writer": "Internist, El Paso observership", "us_clinical": False, "origin": "us"},
    {"writer": "Internist, Tucson observership", "us_clinical": False, "origin": "us"},
]
SUPERVISOR_LETTER = {"writer": "Attending, El Paso rotation", "us_clinical": True, "origin": "us"}


def test_observership_writers_are_not_asked_for_what_they_never_supervised(host, border_catalog):
    plan = review_plan(host, border_catalog, "p10-observerships-only-july", "2026-07-15")
    said = strengths(plan)["us-faculty-letters"]
    # What the letters are, not research the writers never saw.
    assert "research" not in said
    assert said.startswith(
        "You have 2 letters from US physicians you observed or worked with outside hands-on"
    )
    steps = actions(plan)
    # Hands-on praise and care of Spanish-speaking patients go only to supervisors.
    assert "letters-scores-understate" not in steps
    assert "letters-spanish-care" not in steps
    saw = steps["letters-what-they-saw"]
    assert saw.detail.startswith(
        "You have 2 letters from US physicians who did not supervise your hands-on patient care"
    )
    assert "professionalism" in saw.detail and "these writers" in saw.detail
    assert "best students they have supervised" not in " ".join(a.detail for a in plan.actions)


def test_a_us_clinical_supervisor_still_gets_the_hands_on_requests(host, border_catalog):
    plan = plan_of(
        host,
        border_catalog,
        as_of="2026-07-15",
        applicant={"visa": "J-1", "specialties": ["Internal Medicine"], "states": ["TX"]},
        exams={"step1": STEP1, "step2ck": {"score": 218, "attempts": 1}},
        languages=[{"name": "Spanish", "level": "native"}],
        letters=[SUPERVISOR_LETTER, OBSERVERSHIP_LETTERS[0]],
    )
    steps = actions(plan)
    assert steps["letters-scores-understate"].detail.startswith(
        "Ask writers who supervised your patient care, and believe it, to state plainly"
    )
    assert "supervised your patient care" in steps["letters-spanish-care"].detail
    # One observership writer beside the supervisor: asked for what they saw, in the singular.
    assert steps["letters-what-they-saw"].detail.startswith(
        "You have 1 letter from a US physician who did not supervise your hands-on patient care"
    )
    assert "this writer" in steps["letters-what-they-saw"].detail


# ---------------------------------------------------------------- finding 12


def test_the_soap_statements_include_the_field_the_plan_added(host, border_catalog):
    plan = review_plan(host, border_catalog, "p05-nine-years-dec", "2026-12-02")
    added = [t.name for t in plan.specialties if t.suggested]
    assert added == ["Internal Medicine"]
    soap = actions(plan)["soap"]
    assert (
        "short personal statements for Family Medicine and Internal Medicine and for "
        "preliminary or transitional years"
    ) in soap.detail


# ---------------------------------------------------------------- finding 13


def interview_steps(plan) -> dict[str, str]:
    return {
        key: f"{a.title} {a.detail}"
        for key, a in actions(plan).items()
        if key.startswith("interview-border-health")
    }


def test_psychiatry_and_pediatrics_get_their_own_border_health_topics(host, border_catalog):
    plan = review_plan(host, border_catalog, "p09-psych-peds-dec", "2026-12-02")
    [(key, text)] = interview_steps(plan).items()
    assert key == "interview-border-health-psychiatry-pediatrics"
    assert "diabetes" not in text and "hypertension" not in text
    for topic in ("mental health care", "speak Spanish", "alcohol", "migration"):
        assert topic in text
    for topic in ("obesity in children", "vaccinations", "mixed-status families"):
        assert topic in text


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (["Internal Medicine"], {"interview-border-health"}),
        (["Family Medicine", "Internal Medicine"], {"interview-border-health"}),
        (["Psychiatry"], {"interview-border-health-psychiatry"}),
        (["Pediatrics"], {"interview-border-health-pediatrics"}),
        (
            ["Internal Medicine", "Psychiatry"],
            {"interview-border-health", "interview-border-health-psychiatry"},
        ),
        (
            ["Psychiatry", "Pediatrics", "Family Medicine"],
            {"interview-border-health", "interview-border-health-psychiatry-pediatrics"},
        ),
    ],
)
def test_the_border_health_topics_follow_the_wished_fields(host, border_catalog, fields, expected):
    plan = plan_of(
        host,
        border_catalog,
        applicant={"visa": "J-1", "specialties": fields},
        languages=[{"name": "Spanish", "level": "fluent"}],
    )
    steps = interview_steps(plan)
    assert set(steps) == expected
    # Adult primary care only where a primary-care field is wished.
    assert ("diabetes" in " ".join(steps.values())) == ("interview-border-health" in expected)


# ---------------------------------------------------------------- finding 14


def test_a_program_skipped_on_its_visa_listing_says_what_the_listing_names(host, border_catalog):
    plan = review_plan(host, border_catalog, "p07-h1b-only-july", "2026-07-15")
    skipped = [
        p
        for p in plan.programs
        if p.verdict == "skip" and [r.rule for r in p.reasons] == ["screening/visa-not-sponsored"]
    ]
    assert len(skipped) >= 10
    for p in skipped:
        [reason] = p.reasons
        assert "sponsors only" not in reason.says
        assert "listing names only the J-1 visa" in reason.says
        assert "ask the program whether it sponsors the H-1B visa now" in reason.says
        # The visa listing can be out of date: it is the fact to check.
        assert "visas" in p.to_verify


def test_any_single_visa_applicant_checks_a_listing_that_omits_their_visa(host):
    catalog = make_catalog(
        {"id": "tx-elpaso-h1b-im", "visas": ["H-1B"], "facts_as_of": 2025},
        # Skipped for its graduation limit too: confirming the visa alone would not
        # open it, so the visa is no fact to verify there.
        {
            "id": "tx-elpaso-h1b-old-im",
            "visas": ["H-1B"],
            "facts_as_of": 2025,
            "max_years_since_graduation": 2,
        },
    )
    plan = plan_of(
        host,
        catalog,
        applicant={"visa": "J-1", "specialties": ["Internal Medicine"], "graduation_year": 2018},
    )
    by_id = {p.id: p for p in plan.programs}
    alone = by_id["tx-elpaso-h1b-im"]
    assert alone.verdict == "skip" and alone.to_verify == ("visas",)
    assert (
        "You need a visa (J-1), and this program's 2025 listing names only the H-1B visa."
        in alone.reasons[0].says
    )
    both = by_id["tx-elpaso-h1b-old-im"]
    assert both.verdict == "skip" and "visas" not in both.to_verify


@pytest.mark.parametrize(
    ("effect", "message"),
    [
        ('verdict = "skip"\nverify = "yes"', "write verify = true, or leave it out"),
        ("verify = true", "a screen rule sets 'verdict'"),
    ],
)
def test_verify_is_true_and_only_beside_a_verdict(effect, message):
    text = f"""[ruleset]\nname = "ours"\nversion = "1"\n
[[screen]]
id = "stale-visa"
when = "count(program.visas) == 0"
{effect}
says = "Its listing names no visa."
source = "test"
"""

    with pytest.raises(RulesetError) as excinfo:
        resplan.load_host(plugins=[ruleset_plugin("ours", text)], use_env=False)
    [problem] = excinfo.value.problems
    assert problem.file == "ours.toml" and message in problem.message


# ---------------------------------------------------------------- finding 17


def test_some_imgs_means_the_same_share_everywhere(host):
    catalog = make_catalog(
        {"id": "oh-dayton-seven-im", "city": "Dayton", "state": "OH", "img_share": 0.07},
        {"id": "oh-dayton-twelve-im", "city": "Dayton", "state": "OH", "img_share": 0.12},
    )
    plan = plan_of(host, catalog, applicant={"visa": "none", "specialties": ["Internal Medicine"]})
    by_id = {p.id: p for p in plan.programs}
    seven, twelve = by_id["oh-dayton-seven-im"], by_id["oh-dayton-twelve-im"]
    assert seven.tier == twelve.tier == 3
    [few] = [r for r in seven.reasons if r.says.startswith("Tier 3")]
    assert "some IMGs (7%" not in few.says
    assert few.says == (
        "Tier 3: only 7% of this program's residents are IMGs, under the 10% resplan counts "
        "as some IMG presence."
    )
    [some] = [r for r in twelve.reasons if r.says.startswith("Tier 3")]
    assert "takes some IMGs (12% of residents)" in some.says


def test_the_synthetic_sample_says_few_imgs_under_ten_percent(host, border_catalog):
    sample = host.read_catalog(EXAMPLES / "catalog" / "synthetic-national-sample.toml")
    both = Catalog(programs=border_catalog.programs + sample.programs)
    plan = review_plan(host, both, "p09-psych-peds-dec", "2026-12-02")
    said = [r.says for p in plan.programs for r in p.reasons]
    assert any("only 7% of this program's residents are IMGs, under the 10%" in s for s in said)
    for says in said:
        if "takes some IMGs (" in says:
            share = int(says.split("takes some IMGs (")[1].split("%")[0])
            assert share >= 10, says
