"""Scenarios from the advising guide, checked against the built-in rulesets.

Each test builds an applicant and a small catalog of fictional programs for one
situation the guide describes, makes a plan with the installed rulesets, and checks what
a person following the guide would expect: the screening verdict, the tier, the fit of a
specialty, and which actions the applicant is (or is not) told to take.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

import resplan
from resplan.convert import structure
from resplan.model import Catalog, Profile

CYCLE = 2027
ROOT = Path(__file__).resolve().parents[2]


# ---------------------------------------------------------------- builders


def profile(**changes) -> Profile:
    """A first-time J-1 applicant with a Step 2 CK of 221 and nothing else to show.

    Keyword arguments replace whole top-level parts (``applicant=``, ``exams=``,
    ``languages=``, ``clinical=``, ``letters=``, ``activities=``); ``applicant`` is
    merged key by key into the default applicant.
    """
    data = {
        "applicant": {
            "graduation_year": 2022,
            "cycle": CYCLE,
            "visa": "J-1",
            "specialties": ["Internal Medicine"],
            "states": ["TX", "NM"],
            "previous_cycles": 0,
        },
        "exams": {
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 221, "attempts": 1},
        },
        "languages": [{"name": "English", "level": "fluent"}],
        "clinical": [],
        "letters": [],
        "activities": [],
    }
    for key, value in changes.items():
        if key == "applicant":
            data["applicant"].update(value)
        else:
            data[key] = copy.deepcopy(value)
    return structure(data, Profile, file="test")


# Border strengths as the guide means them: native Spanish, hands-on months in the
# Rio Grande Valley, border-health volunteering.
SPANISH_NATIVE = [{"name": "Spanish", "level": "native"}, {"name": "English", "level": "fluent"}]
BORDER_CLINICAL = [{"kind": "hands-on", "months": 4, "city": "McAllen", "state": "TX"}]
BORDER_ACTIVITIES = [{"kind": "border-health", "title": "Free clinic in Reynosa", "months": 12}]
ONE_US_LETTER = [{"writer": "Hospitalist", "us_clinical": True, "advocate": False}]
TWO_US_LETTERS = ONE_US_LETTER + [
    {"writer": "Family physician", "us_clinical": True, "advocate": False}
]
ADVOCATE_LETTER = [{"writer": "Program faculty", "us_clinical": True, "advocate": True}]
HANDS_ON_ELSEWHERE = [{"kind": "hands-on", "months": 4, "city": "Chicago", "state": "IL"}]


def strong_border(**changes) -> Profile:
    base = dict(
        languages=SPANISH_NATIVE,
        clinical=BORDER_CLINICAL,
        activities=BORDER_ACTIVITIES,
        letters=ONE_US_LETTER,
    )
    base.update(changes)
    return profile(**base)


def no_strengths(**changes) -> Profile:
    base = dict(clinical=HANDS_ON_ELSEWHERE, letters=ONE_US_LETTER)
    base.update(changes)
    return profile(**base)


def program(id, **facts) -> dict:
    entry = {
        "id": id,
        "name": f"Fictional {id}",
        "specialty": "Internal Medicine",
        "track": "categorical",
        "city": "El Paso",
        "state": "TX",
        "visas": ["J-1", "H-1B"],
        "facts_as_of": 2025,
        "source": "test, fictional",
    }
    entry.update(facts)
    return entry


def catalog(*programs) -> Catalog:
    return structure({"programs": list(programs)}, Catalog, file="test")


def make_plan(prof: Profile, *programs):
    return resplan.plan(prof, catalog(*programs))


def decision(plan, program_id):
    return next(p for p in plan.programs if p.id == program_id)


def rules_of(decision_):
    return {reason.rule for reason in decision_.reasons}


def action_ids(plan):
    return {action.id for action in plan.actions}


def specialty(plan, name):
    return next(t for t in plan.specialties if t.name == name)


# ---------------------------------------------------------------- screening


def test_near_miss_with_strong_border_experience_is_borderline():
    # Step 3: a 221 against a stated minimum of 225 is still worth sending with strong
    # border-relevant experience.
    plan = make_plan(strong_border(), program("tx-elpaso-a-im", min_step2ck=225))
    got = decision(plan, "tx-elpaso-a-im")
    assert got.verdict == "borderline"
    assert "screening/step2ck-near-miss-with-strengths" in rules_of(got)
    assert "strong-border-profile" in plan.assessment.strength_names


def test_near_miss_without_strengths_is_skipped():
    plan = make_plan(no_strengths(), program("tx-elpaso-a-im", min_step2ck=225))
    got = decision(plan, "tx-elpaso-a-im")
    assert got.verdict == "skip"
    assert got.tier is None
    assert "screening/step2ck-near-miss-without-strengths" in rules_of(got)


def test_near_miss_with_an_advocate_is_borderline():
    # Step 3: a faculty member who will email or call on your behalf is the other way in.
    plan = make_plan(
        no_strengths(letters=ADVOCATE_LETTER), program("tx-elpaso-a-im", min_step2ck=225)
    )
    assert decision(plan, "tx-elpaso-a-im").verdict == "borderline"
    assert "advocate" in plan.assessment.strength_names


def test_without_step2ck_only_a_minimum_above_the_passing_score_is_pending():
    # Step 3: a stated minimum is a filter; one at or under the passing score is met by any
    # pass, so an applicant who has not sat Step 2 CK yet is held back only by higher ones.
    prof = profile(exams={"step1": {"result": "pass", "attempts": 1}})
    plan = make_plan(
        prof,
        program("tx-elpaso-a-im", min_step2ck=210),
        program("tx-elpaso-b-im", min_step2ck=214),
        program("tx-elpaso-c-im", min_step2ck=230),
    )
    for low in ("tx-elpaso-a-im", "tx-elpaso-b-im"):
        assert "screening/step2ck-pending-vs-minimum" not in rules_of(decision(plan, low))
    high = decision(plan, "tx-elpaso-c-im")
    assert high.verdict == "borderline"
    assert "screening/step2ck-pending-vs-minimum" in rules_of(high)


def test_far_below_the_minimum_is_skipped_even_with_strengths():
    # Step 3: far below the cutoff, the application is better spent elsewhere.
    prof = strong_border(
        exams={"step1": {"result": "pass", "attempts": 1}, "step2ck": {"score": 212, "attempts": 1}}
    )
    plan = make_plan(prof, program("tx-elpaso-a-im", min_step2ck=225))
    got = decision(plan, "tx-elpaso-a-im")
    assert got.verdict == "skip"
    assert "screening/step2ck-far-below-minimum" in rules_of(got)


def test_visa_not_sponsored_is_skipped():
    plan = make_plan(
        strong_border(),
        program("tx-elpaso-h1b-im", visas=["H-1B"]),
        program("tx-elpaso-none-im", visas=[]),
        program("tx-elpaso-j1-im", visas=["J-1"]),
    )
    assert decision(plan, "tx-elpaso-h1b-im").verdict == "skip"
    assert decision(plan, "tx-elpaso-none-im").verdict == "skip"
    assert decision(plan, "tx-elpaso-j1-im").verdict != "skip"


def test_no_visa_needed_is_not_screened_on_sponsorship():
    prof = strong_border(applicant={"visa": "none"})
    plan = make_plan(prof, program("tx-elpaso-none-im", visas=[]))
    assert decision(plan, "tx-elpaso-none-im").verdict != "skip"


def test_unknown_visa_policy_is_to_verify_not_a_silent_pass():
    entry = program("tx-elpaso-a-im")
    del entry["visas"]
    plan = make_plan(strong_border(), entry)
    got = decision(plan, "tx-elpaso-a-im")
    assert got.verdict in ("apply", "borderline")
    assert "visas" in got.to_verify


def test_unknown_minimum_goes_to_verify():
    # No published minimum: never a silent pass or fail.
    plan = make_plan(strong_border(), program("tx-elpaso-a-im"))
    got = decision(plan, "tx-elpaso-a-im")
    assert got.verdict in ("apply", "borderline")
    assert "min_step2ck" in got.to_verify
    # (A 2022 graduate's Step 1 may have a number: asking for it is a verify action too.)
    verify = [
        a for a in plan.actions if a.category == "verify" and a.id != "assessment/step1-number"
    ]
    assert len(verify) == 1
    assert "Fictional tx-elpaso-a-im" in verify[0].detail


def test_well_below_a_programs_published_mean_is_borderline():
    # Understanding your situation: a score noticeably under a program's published mean is
    # a low score for that program, even with no minimum stated.
    plan = make_plan(
        strong_border(),
        program("tx-elpaso-high-mean-im", mean_step2ck=240),
        program("tx-elpaso-near-mean-im", mean_step2ck=228),
    )
    high = decision(plan, "tx-elpaso-high-mean-im")
    assert high.verdict == "borderline"
    assert "screening/step2ck-well-below-program-mean" in rules_of(high)
    says = next(
        r.says for r in high.reasons if r.rule == "screening/step2ck-well-below-program-mean"
    )
    assert "(221)" in says and "(240)" in says
    near = decision(plan, "tx-elpaso-near-mean-im")  # 7 points under: not noticeably
    assert near.verdict == "apply"
    assert "mean_step2ck" not in near.to_verify


def test_unknown_program_mean_goes_to_verify():
    plan = make_plan(strong_border(), program("tx-elpaso-a-im", min_step2ck=215))
    got = decision(plan, "tx-elpaso-a-im")
    assert got.verdict == "apply"
    assert "mean_step2ck" in got.to_verify


def test_graduation_beyond_program_limit_is_skipped():
    # Step 3: graduation year is a core criterion.
    prof = strong_border(applicant={"graduation_year": 2016})
    plan = make_plan(
        prof,
        program("tx-elpaso-a-im", max_years_since_graduation=5),
        program("tx-elpaso-b-im", max_years_since_graduation=15),
    )
    assert decision(plan, "tx-elpaso-a-im").verdict == "skip"
    assert decision(plan, "tx-elpaso-b-im").verdict != "skip"
    assert "graduation-gap" in plan.assessment.weakness_names


def test_failed_attempt_against_first_attempt_filter_is_skipped():
    prof = strong_border(
        applicant={"specialties": ["Internal Medicine", "Family Medicine"]},
        exams={
            "step1": {"result": "pass", "attempts": 2},
            "step2ck": {"score": 228, "attempts": 1},
        },
    )
    plan = make_plan(
        prof, program("tx-elpaso-a-im", max_attempts=1), program("tx-elpaso-b-im", max_attempts=2)
    )
    assert decision(plan, "tx-elpaso-a-im").verdict == "skip"
    assert decision(plan, "tx-elpaso-b-im").verdict != "skip"
    # FAQ 4 gives a transitional year after a failure when categorical places are hard to
    # get; with border strengths both wished fields fit well, so none is added.
    assert {t.fit for t in plan.specialties} == {"strong"}
    assert "Transitional Year" not in {t.name for t in plan.specialties}


# ---------------------------------------------------------------- tiers


def test_border_program_with_underserved_focus_is_tier_1():
    plan = make_plan(
        strong_border(),
        program("tx-elpaso-a-im", underserved_focus=True, img_share=0.15),
        program("il-chicago-b-im", city="Chicago", state="IL", underserved_focus=True),
        program(
            "il-chicago-c-im",
            city="Chicago",
            state="IL",
            underserved_focus=False,
            spanish_preferred=False,
            setting="university",
        ),
    )
    assert decision(plan, "tx-elpaso-a-im").tier == 1
    assert "tiering/border-underserved" in rules_of(decision(plan, "tx-elpaso-a-im"))
    assert decision(plan, "il-chicago-b-im").tier == 2
    last = decision(plan, "il-chicago-c-im")
    assert last.tier == 3
    assert "tiering/broader-net" in rules_of(last)


def test_border_program_welcoming_imgs_is_tier_1_and_unknowns_are_to_verify():
    plan = make_plan(
        strong_border(),
        program("tx-laredo-a-im", city="Laredo", img_share=0.6),
        program("tx-laredo-b-im", city="Laredo"),
    )
    assert decision(plan, "tx-laredo-a-im").tier == 1
    unclear = decision(plan, "tx-laredo-b-im")
    # Step 3: tier 1 is the border programs known to take IMGs. Nothing is known of this
    # one's IMG residents: tier 2 until that share is checked, and it is to verify.
    assert unclear.tier == 2
    assert rules_of(unclear) == {"tiering/border-img-share-unknown"}
    assert "img_share" in unclear.to_verify


def test_every_program_not_skipped_has_a_tier_reason():
    plan = make_plan(
        strong_border(),
        program("tx-elpaso-a-im", underserved_focus=True),
        program("ca-lajolla-b-im", city="La Jolla", state="CA"),
        program("il-chicago-c-im", city="Chicago", state="IL"),
    )
    for got in plan.programs:
        if got.verdict != "skip":
            assert got.tier in (1, 2, 3)
            assert any(r.rule.startswith("tiering/") for r in got.reasons)
    # La Jolla lies in the city of San Diego: the program is placed on the border.
    assert decision(plan, "ca-lajolla-b-im").region == "ca-san-diego-border"


# ---------------------------------------------------------------- specialties


def test_dermatology_with_low_scores_is_unlikely_and_primary_care_suggested():
    prof = no_strengths(
        applicant={"specialties": ["Dermatology"]},
        exams={
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 218, "attempts": 1},
        },
    )
    plan = make_plan(
        prof,
        program("tx-elpaso-a-im"),
        program("tx-elpaso-b-fm", specialty="Family Medicine"),
        program("tx-elpaso-c-derm", specialty="Dermatology"),
    )
    assert specialty(plan, "Dermatology").fit == "unlikely"
    # One backup field, not every open one: IMGs who applied to fewer fields matched
    # more often, and each field needs its own full list.
    assert [t.name for t in plan.specialties if t.suggested] == ["Internal Medicine"]
    # The suggested field's programs are in the plan beside the wished one.
    assert {p.specialty for p in plan.programs} == {"Internal Medicine", "Dermatology"}


def test_open_field_with_border_strengths_is_strong_without_is_possible():
    strong = make_plan(strong_border(), program("tx-elpaso-a-im"))
    assert specialty(strong, "Internal Medicine").fit == "strong"
    plain = make_plan(no_strengths(), program("tx-elpaso-a-im"))
    assert specialty(plain, "Internal Medicine").fit == "possible"


def test_very_low_step2ck_caps_open_fields_at_possible():
    # FAQ 2: below about 210-215 options narrow, whatever else the file shows.
    prof = strong_border(
        exams={"step1": {"result": "pass", "attempts": 1}, "step2ck": {"score": 212, "attempts": 1}}
    )
    plan = make_plan(prof, program("tx-elpaso-a-im"))
    assert "very-low-step2ck" in plan.assessment.weakness_names
    assert specialty(plan, "Internal Medicine").fit == "possible"


def test_high_scorer_without_spanish():
    prof = profile(
        applicant={
            "visa": "none",
            "specialties": ["Internal Medicine", "Psychiatry"],
            "states": ["CA", "AZ"],
        },
        exams={"step1": {"result": 234, "attempts": 1}, "step2ck": {"score": 248, "attempts": 1}},
        clinical=HANDS_ON_ELSEWHERE,
        letters=TWO_US_LETTERS,
    )
    plan = make_plan(
        prof, program("ca-sandiego-a-im", city="San Diego", state="CA", min_step2ck=230)
    )
    assert specialty(plan, "Internal Medicine").fit == "strong"
    assert decision(plan, "ca-sandiego-a-im").verdict == "apply"
    ids = action_ids(plan)
    assert "applications/interview-score-answer" not in ids
    assert "applications/start-medical-spanish" in ids
    assert "applications/score-is-a-strength" in ids
    volume = {v.name: v for v in plan.summary.by_specialty}
    assert volume["Internal Medicine"].recommended == 60
    assert volume["Internal Medicine"].target_spread == (35, 35, 30)
    # The catalog holds one program: that is all the plan asks to send.
    assert plan.summary.applications == 1


# ---------------------------------------------------------------- Step 2 CK not yet taken


def test_step2ck_not_taken():
    prof = strong_border(exams={"step1": {"result": "pass", "attempts": 1}})
    plan = make_plan(prof, program("tx-elpaso-a-im", min_step2ck=220))
    assert "step2ck-not-taken" in plan.assessment.weakness_names
    # The program's minimum cannot be checked until there is a score.
    assert decision(plan, "tx-elpaso-a-im").verdict == "borderline"
    ids = action_ids(plan)
    # A first-attempt Step 1 pass with no number: Step 2 CK is the first score (review 10).
    assert "applications/step2ck-study-plan-first-number" in ids
    # A date to sit it by while there is time for the score to reach programs, else the
    # choice of a later cycle (the plan is made today): one of the two, never both.
    assert (
        len(ids & {"applications/step2ck-sit-by", "applications/step2ck-consider-later-cycle"}) == 1
    )
    assert "applications/recent-us-coursework" not in ids


# ---------------------------------------------------------------- actions


def test_no_us_clinical_letter_is_told_to_get_one_two_letters_are_not():
    none = make_plan(profile(letters=[]), program("tx-elpaso-a-im"))
    assert "applications/first-us-clinical-letter" in action_ids(none)
    two = make_plan(profile(letters=TWO_US_LETTERS), program("tx-elpaso-a-im"))
    ids = action_ids(two)
    assert "applications/first-us-clinical-letter" not in ids
    assert "applications/second-us-clinical-letter" not in ids
    one = make_plan(profile(letters=ONE_US_LETTER), program("tx-elpaso-a-im"))
    assert "applications/second-us-clinical-letter" in action_ids(one)


def test_low_step2ck_gets_score_repair_and_interview_answer():
    plan = make_plan(strong_border(), program("tx-elpaso-a-im"))
    ids = action_ids(plan)
    for rule in (
        "recent-us-coursework",
        "score-context-graduate",
        "statement-score-paragraph",
        "letters-scores-understate",
        "interview-score-answer",
    ):
        assert f"applications/{rule}" in ids
    answer = next(a for a in plan.actions if a.id == "applications/interview-score-answer")
    assert answer.category == "interview" and answer.timing == "interviews"
    volume = {v.name: v for v in plan.summary.by_specialty}
    assert volume["Internal Medicine"].recommended == 77
    assert volume["Internal Medicine"].target_spread == (40, 20, 40)
    assert plan.summary.applications == 1


def test_intermediate_spanish_gets_medical_spanish_and_lower_region_priority():
    prof = no_strengths(languages=[{"name": "Spanish", "level": "intermediate"}])
    plan = make_plan(prof, program("tx-elpaso-a-im"))
    assert "applications/medical-spanish" in action_ids(plan)
    fluent = make_plan(strong_border(), program("tx-elpaso-a-im"))
    assert "applications/medical-spanish" not in action_ids(fluent)
    assert "applications/letters-spanish-care" in action_ids(fluent)


def test_clinical_months_in_a_subregion_make_it_high_priority():
    prof = no_strengths(
        clinical=[{"kind": "hands-on", "months": 3, "city": "El Paso", "state": "TX"}],
        applicant={"states": ["AZ"]},
    )
    plan = make_plan(
        prof, program("tx-elpaso-a-im"), program("ca-elcentro-a-im", city="El Centro", state="CA")
    )
    regions = {r.id: r for r in plan.regions}
    assert regions["tx-el-paso"].priority == "high"
    assert regions["ca-imperial"].priority == "low"


def test_no_action_promises_an_offer_outside_the_match():
    # Programs in the Match fill their positions through it (NRMP's All In policy since
    # the 2013 Match): a Texas applicant with Texas clinical work is told to build
    # relationships and write after interviews, not to ask for an early offer.
    texas = make_plan(strong_border(), program("tx-elpaso-a-im"))
    ids = action_ids(texas)
    assert "applications/early-relationships" in ids
    assert not any("pre-match" in rule for rule in ids)
    words = " ".join(f"{a.title} {a.detail}" for a in texas.actions).lower()
    assert "pre-match" not in words and "early offer" not in words


# ---------------------------------------------------------------- between cycles


def test_reapplicant_gets_between_cycle_actions():
    prof = no_strengths(
        applicant={"previous_cycles": 2, "specialties": ["General Surgery", "Internal Medicine"]}
    )
    plan = make_plan(prof, program("tx-elpaso-a-im"))
    between = {a.id: a for a in plan.actions if a.category == "between-cycle"}
    for rule in (
        "visible-change",
        "us-clinical-role",
        "research-qi-output",
        "short-certificate",
        "mentor-feedback-new-letters",
        "widen-the-target",
        "realistic-specialty",
    ):
        assert f"between-cycles/{rule}" in between
        assert between[f"between-cycles/{rule}"].timing == "between-cycles"
    assert "reapplicant" in plan.assessment.weakness_names


def test_applicant_without_weaknesses_gets_no_plan_b_but_prepares_for_soap():
    prof = strong_border(
        applicant={"visa": "none"},
        letters=TWO_US_LETTERS,
        exams={
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 255, "attempts": 1},
        },
    )
    plan = make_plan(prof, program("tx-elpaso-a-im"))
    assert not plan.assessment.weaknesses
    # Even a strong file can go unmatched: SOAP is prepared for, with no plan B after it.
    between = [a.id for a in plan.actions if a.category == "between-cycle"]
    assert between == ["between-cycles/soap"]
    assert "between-cycles/rank-list" in action_ids(plan)


def test_first_timer_with_serious_weakness_gets_soap_and_a_plan_b_after_the_match():
    prof = no_strengths(
        exams={"step1": {"result": "pass", "attempts": 1}, "step2ck": {"score": 209, "attempts": 1}}
    )
    plan = make_plan(prof, program("tx-elpaso-a-im"))
    fallback = [a for a in plan.actions if a.category == "between-cycle"]
    assert fallback
    assert {a.timing for a in fallback} == {"match-week", "after-match"}


# ---------------------------------------------------------------- the examples


@pytest.mark.parametrize(
    "name",
    [
        "example",
        "border-ties-low-step2",
        "high-scorer-no-spanish",
        "reapplicant-failed-attempt",
        "step2-not-taken",
    ],
)
def test_example_profiles_plan_against_the_example_catalog(name):
    prof = resplan.load_profile(ROOT / "examples" / "profiles" / f"{name}.toml")
    cat = resplan.load_catalog(ROOT / "examples" / "catalog" / "border-programs.toml")
    plan = resplan.plan(prof, cat)
    assert plan.programs
    assert all(p.tier in (1, 2, 3) for p in plan.programs if p.verdict != "skip")
    assert plan.summary.applications and sum(plan.summary.spread) == 100


# ---------------------------------------------------------------- more of the guide


def test_strong_us_clinical_record_offsets_a_low_score_in_open_fields():
    # FAQ 1: strong US clinical experience with excellent letters improves the chances.
    prof = no_strengths(letters=TWO_US_LETTERS)
    plan = make_plan(prof, program("tx-elpaso-a-im"))
    assert specialty(plan, "Internal Medicine").fit == "strong"


def test_step2ck_not_taken_against_unknown_minimum_is_to_verify():
    prof = strong_border(exams={"step1": {"result": "pass", "attempts": 1}})
    plan = make_plan(prof, program("tx-elpaso-a-im"))
    got = decision(plan, "tx-elpaso-a-im")
    assert got.verdict == "apply"
    assert "min_step2ck" in got.to_verify


def test_score_driven_field_without_step2ck_is_a_reach():
    prof = strong_border(
        applicant={"specialties": ["Orthopaedic Surgery"]},
        exams={"step1": {"result": "pass", "attempts": 1}},
    )
    plan = make_plan(prof, program("tx-elpaso-a-ortho", specialty="Orthopaedic Surgery"))
    assert specialty(plan, "Orthopaedic Surgery").fit == "reach"
    # A reach wish brings one open field in beside it: border Family Medicine for a file
    # with border strengths.
    assert [t.name for t in plan.specialties if t.suggested] == ["Family Medicine"]


def test_programs_of_an_unlikely_specialty_are_borderline_not_apply():
    prof = strong_border(applicant={"specialties": ["Dermatology", "Internal Medicine"]})
    plan = make_plan(
        prof, program("tx-elpaso-a-derm", specialty="Dermatology"), program("tx-elpaso-b-im")
    )
    assert specialty(plan, "Dermatology").fit == "unlikely"
    assert decision(plan, "tx-elpaso-a-derm").verdict == "borderline"
    assert decision(plan, "tx-elpaso-b-im").verdict == "apply"


def test_reapplicant_in_an_open_field_is_not_told_to_change_specialty():
    prof = strong_border(applicant={"previous_cycles": 1})
    plan = make_plan(prof, program("tx-elpaso-a-im"))
    ids = action_ids(plan)
    assert "between-cycles/visible-change" in ids
    assert "between-cycles/realistic-specialty" not in ids


def test_file_without_strengths_is_told_so_in_the_summary():
    prof = profile(letters=[], clinical=[])
    plan = make_plan(prof, program("tx-elpaso-a-im"))
    rules = {r.rule for r in plan.summary.advice}
    assert "tiering/no-strengths-yet" in rules
    assert "tiering/two-jobs" not in rules
    assert "applications/hands-on-usce" in action_ids(plan)


def test_every_action_is_timed_by_a_calendar_phase_and_cites_a_rule():
    prof = no_strengths(
        applicant={"previous_cycles": 1, "specialties": ["General Surgery"]},
        exams={
            "step1": {"result": "fail", "attempts": 3},
            "step2ck": {"score": 209, "attempts": 2},
        },
    )
    plan = make_plan(
        prof, program("tx-elpaso-a-gs", specialty="General Surgery"), program("tx-elpaso-b-im")
    )
    phases = {
        "decide",
        "by-rank-list",
        "now",
        "now-this-application",
        "between-cycles",
        "prepare",
        "eras-opens",
        "programs-review",
        "interviews",
        "rank-list",
        "match-week",
        "after-match",
    }
    assert plan.actions
    for action in plan.actions:
        assert action.timing in phases
        assert action.title and action.detail and "{" not in action.detail
    assert "multiple-failures" in plan.assessment.weakness_names


def test_no_wished_specialty_plans_a_main_open_field_and_a_backup():
    # Step 3: the fields that take IMGs with low scores most readily are the default aim; the plan
    # keeps to two of them (fields_without_wishes), never a Transitional Year alone.
    plan = make_plan(
        strong_border(applicant={"specialties": []}),
        program("tx-elpaso-a-im"),
        program("tx-elpaso-b-psych", specialty="Psychiatry"),
        program("tx-elpaso-c-derm", specialty="Dermatology"),
    )
    suggested = {t.name for t in plan.specialties if t.suggested}
    assert suggested == {"Internal Medicine", "Family Medicine"}
    assert {p.id for p in plan.programs} == {"tx-elpaso-a-im"}
