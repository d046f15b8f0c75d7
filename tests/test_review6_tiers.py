"""How a plan's tiers read for profiles of the sixth advisor review (/work/review6 in its
session): tier 1 is the high-fit part of the list (programs known to take IMGs, in the
named states, that look for Spanish speakers only for an applicant with Spanish), and a
strong score makes a program that took few IMGs a reach, not a program to skip.

Each profile is a few lines, planned against the border programs and, where a finding was
about it, the generated national sample too.
"""

from __future__ import annotations

import pytest

import resplan
from tests.conftest import EXAMPLES

BORDER = EXAMPLES / "catalog" / "border-programs.toml"
SYNTHETIC = EXAMPLES / "catalog" / "synthetic-national-sample.toml"
PASS = {"result": "pass", "attempts": 1}


@pytest.fixture(scope="module")
def border(host):
    return host.read_catalog(BORDER)


@pytest.fixture(scope="module")
def both(host, border):
    return resplan.merge_catalogs([border, host.read_catalog(SYNTHETIC)])


def plan_of(host, catalog, as_of, applicant, **sections):
    from tests.conftest import make_profile

    applicant = {"visa": "J-1", "previous_cycles": 0, **applicant}
    return resplan.plan(
        make_profile(applicant=applicant, **sections), catalog, host=host, as_of=as_of
    )


def rules(program) -> list[str]:
    return [r.rule for r in program.reasons]


def by_name(plan, name: str):
    [found] = [p for p in plan.programs if p.name == name]
    return found


# ---------------------------------------------------------------- finding 12


def test_without_named_states_tier_1_is_the_border_programs_known_to_take_imgs(host, border):
    """u12: no specialty and no state named, an old numeric Step 1 and a low Step 2 CK.
    Tier 1 was every border program (26/0/0); now it is the ten whose listing shows a
    share of IMG residents, and the others wait in tier 2 with that share to check."""
    plan = plan_of(
        host,
        border,
        "2026-09-25",
        {"graduation_year": 2021},
        exams={"step1": {"result": 208, "attempts": 1}, "step2ck": {"score": 219, "attempts": 1}},
        languages=[{"name": "Spanish", "level": "medical"}],
        clinical=[{"kind": "observership", "months": 2, "city": "San Diego", "state": "CA"}],
    )
    assert (plan.summary.tier1, plan.summary.tier2, plan.summary.tier3) == (10, 16, 0)
    for program in plan.programs:
        if program.verdict == "skip":
            continue
        if program.tier == 1:
            assert any(r.startswith("tiering/border-") for r in rules(program))
            assert "img_share" not in program.to_verify
        else:
            assert rules(program) == ["tiering/border-img-share-unknown"], program.id
            assert "img_share" in program.to_verify
    tucson = by_name(plan, "TMC Health Medical Education Program")
    assert tucson.reasons[0].says == (
        "Tier 2, not 1: a border program (Tucson), but its listing does not say how many "
        "of its residents are IMGs. Check that it takes IMGs first: if it does, count it "
        "as tier 1."
    )
    # The spread still follows the rules: low scores lean on tiers 1 and 3, and the
    # catalog (border programs only) fills what it can.
    medicine = next(v for v in plan.summary.by_specialty if v.name == "Internal Medicine")
    assert medicine.target_spread == (40, 20, 40)
    assert medicine.tiers == (10, 8, 0) and medicine.available == (10, 8, 0)


# ---------------------------------------------------------------- finding 3


def test_a_program_mostly_of_imgs_outside_the_named_state_is_not_tier_1(host, both):
    """u4: Pediatrics only, Arizona only. A Tennessee program where most residents are
    IMGs was tier 1; it is held at tier 2 and says why."""
    plan = plan_of(
        host,
        both,
        "2026-07-01",
        {"graduation_year": 2025, "specialties": ["Pediatrics"], "states": ["AZ"]},
        exams={"step1": PASS, "step2ck": {"score": 226, "attempts": 1}},
        languages=[{"name": "Spanish", "level": "fluent"}],
    )
    knoxville = [p for p in plan.programs if "(Knoxville, Tennessee): Pediatrics" in p.name]
    [program] = knoxville
    assert program.tier == 2
    assert [(r.rule, r.says) for r in program.reasons] == [
        (
            "tiering/img-majority-outside-named-states",
            "Tier 2, not 1: most of this program's residents are IMGs (60%), but it is in "
            "Tennessee, outside the states you named. resplan keeps tier 1 for programs in "
            "your states.",
        )
    ]
    assert all(p.state == "AZ" for p in plan.programs if p.tier == 1)


# ---------------------------------------------------------------- finding 26


def test_a_strong_score_makes_a_program_with_few_imgs_a_reach_not_a_skip(host, border):
    """u2: Step 2 CK 250. UC San Diego (no IMG residents) and Scripps Clinic (2%) were
    skipped as if a filter stopped her; they are reaches in tier 3. A 226 keeps the skip."""
    applicant = {"graduation_year": 2026, "specialties": ["Internal Medicine"]}
    strong = plan_of(
        host,
        border,
        "2026-09-10",
        applicant,
        exams={
            "step1": {"result": "pass", "attempts": 2},
            "step2ck": {"score": 250, "attempts": 1},
        },
    )
    ucsd = by_name(strong, "University of California San Diego")
    assert (ucsd.verdict, ucsd.tier) == ("apply", 3)
    assert [(r.rule, r.says) for r in ucsd.reasons] == [
        (
            "screening/no-imgs-reach",
            "Tier 3, a reach: none of this program's residents are IMGs, so no IMG has "
            "trained there lately. Apply only if you would truly go.",
        )
    ]
    scripps = by_name(strong, "Scripps Clinic / Scripps Green Hospital")
    assert (scripps.verdict, scripps.tier) == ("apply", 3)
    assert rules(scripps) == ["tiering/border-few-imgs", "screening/few-imgs-reach-border"]
    assert scripps.reasons[-1].says == (
        "Moved down 1 tier, to tier 3, a reach: few IMGs have trained there lately. Apply "
        "only if you would truly go."
    )
    assert not [a for a in strong.summary.advice if a.rule == "tiering/reallocate-skipped"]
    usual = plan_of(
        host,
        border,
        "2026-09-10",
        applicant,
        exams={"step1": PASS, "step2ck": {"score": 226, "attempts": 1}},
    )
    for name in ("University of California San Diego", "Scripps Clinic / Scripps Green Hospital"):
        program = by_name(usual, name)
        assert program.verdict == "skip"
        assert rules(program)[0] in {"screening/no-img-residents", "screening/few-img-residents"}


def test_a_strong_score_off_the_border_reads_as_a_reach_too(host, both):
    """Away from the border such a program was already tier 3 once kept: the reach is said
    beside the share, and a share of 0 is never 'some IMGs'."""
    plan = plan_of(
        host,
        both,
        "2026-09-10",
        {"graduation_year": 2026, "specialties": ["Internal Medicine"]},
        exams={"step1": PASS, "step2ck": {"score": 250, "attempts": 1}},
    )
    reached = [p for p in plan.programs if "screening/few-imgs-reach" in rules(p)]
    assert reached and all(p.tier == 3 and not p.region for p in reached)
    for program in reached:
        [says] = [r.says for r in program.reasons if r.rule == "screening/few-imgs-reach"]
        assert (
            says == "A reach: few IMGs have trained there lately. Apply only if you would truly go."
        )
    for program in plan.programs:
        for reason in program.reasons:
            assert "(0% of residents)" not in reason.says, program.id
