"""Advice left over from the fifth advisor review and found by the sixth, in plans of
small profiles against the real border programs.

Each test names what a plan must say to the person it fits, and that it stays silent
where the sentence does not apply.
"""

from __future__ import annotations

import re

import pytest

import resplan
from resplan.model import Catalog
from tests.conftest import EXAMPLES, make_profile, make_program

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


def test_a_step3_pass_is_not_told_to_plan_step3(host, border):
    """Finding 5: J-1 or H-1B (H-1B first), Texas only, Step 3 passed; no Texas program
    lists an H-1B. The J-1 step says the pass is what H-1B programs ask for; without the
    pass, it still says to plan Step 3 once such a program turns up."""
    exams = {"step1": STEP1, "step2ck": {"score": 226, "attempts": 1}}
    visas = {"visa": ["H-1B", "J-1"], "states": ["TX"]}
    passed = plan_of(host, border, applicant=visas, exams={**exams, "step3": STEP1})
    [route] = [a for a in passed.actions if a.id.startswith("applications/j1-realistic-route")]
    assert route.id == "applications/j1-realistic-route-step3-passed"
    assert "You have passed Step 3 already" in route.detail
    assert "plan Step 3" not in route.detail
    without = plan_of(host, border, applicant=visas, exams=exams)
    [route] = [a for a in without.actions if a.id.startswith("applications/j1-realistic-route")]
    assert route.id == "applications/j1-realistic-route"
    assert route.detail.endswith("and plan Step 3 then.")


# ---------------------------------------------------------------- notes in the program list

GAP_NOTE = "Check its limit on years since graduation first: you are 12 years past graduation"


def test_past_the_graduation_window_every_program_without_a_limit_says_to_check_it(host, border):
    """A 2014 graduate (12 years past graduation in June 2026): a program whose limit
    the applicant exceeds is skipped, never tier 1; every other program, whose listing
    gives no limit, says to check it first. A 2024 graduate gets no such note."""
    limited = make_program(
        id="tx-elpaso-limit-im",
        name="Limit Program",
        city="El Paso",
        state="TX",
        img_share=0.6,
        visas=["J-1"],
        max_years_since_graduation=5,
    )
    catalog = Catalog([*border.programs, limited])
    profile = make_profile(
        applicant={"graduation_year": 2014, "visa": "J-1", "specialties": ["Internal Medicine"]},
        exams={"step1": STEP1, "step2ck": {"score": 226, "attempts": 1}},
    )
    plan = resplan.plan(profile, catalog, host=host, as_of="2026-06-10")
    [program] = [p for p in plan.programs if p.id == "tx-elpaso-limit-im"]
    assert program.verdict == "skip" and not program.tier
    kept = [p for p in plan.programs if p.verdict != "skip"]
    assert kept and any(p.tier == 1 for p in kept)
    for p in kept:
        notes = [r.says for r in p.reasons if r.rule == "tiering/check-graduation-limit"]
        assert [s[: len(GAP_NOTE)] for s in notes] == [GAP_NOTE], p.id
        assert p.reasons[-1].rule == "tiering/check-graduation-limit"  # after the tier's reason
    recent = plan_of(host, border, applicant={"graduation_year": 2024})
    assert not [s for s in program_reasons(recent) if "limit on years since graduation" in s]


PRELIMINARY = "A preliminary track: one year of training, with no place promised after it."


def test_a_preliminary_track_says_it_is_a_fallback_in_the_list(host):
    """Finding 10: the list gives each preliminary track a note that it is one year and a
    fallback, not a goal; a categorical track gets none."""
    catalog = Catalog(
        [
            make_program(id="tx-elpaso-prelim-im", track="preliminary", img_share=0.6),
            make_program(id="tx-elpaso-cat-im", track="categorical", img_share=0.6),
        ]
    )
    profile = make_profile(
        applicant={"visa": "none", "specialties": ["Internal Medicine"]},
        exams={"step1": STEP1, "step2ck": {"score": 226, "attempts": 1}},
    )
    plan = resplan.plan(profile, catalog, host=host, as_of=JULY)
    says = {p.id: [r.says for r in p.reasons] for p in plan.programs}
    assert any(s.startswith(PRELIMINARY) for s in says["tx-elpaso-prelim-im"])
    assert "not as your goal" in says["tx-elpaso-prelim-im"][-1]
    assert not [s for s in says["tx-elpaso-cat-im"] if "preliminary" in s]


# ---------------------------------------------------------------- tier 1 where it fits


def test_a_program_that_wants_spanish_is_tier_1_only_with_working_spanish(host):
    """Finding 11: a safety-net program that looks for Spanish speakers is tier 1 for an
    applicant with working Spanish; without it, tier 2, saying why in plain words. A
    Spanish level the profile does not give is a gap: the reason says what the plan
    counted, and the plan asks for it."""
    catalog = Catalog(
        [
            make_program(
                id="ca-sf-safety-net-im",
                city="San Francisco",
                state="CA",
                underserved_focus=True,
                spanish_preferred=True,
            )
        ]
    )
    exams = {"step1": STEP1, "step2ck": {"score": 226, "attempts": 1}}

    def planned(languages):
        profile = make_profile(
            applicant={"visa": "none", "specialties": ["Internal Medicine"]},
            exams=exams,
            languages=languages,
        )
        return resplan.plan(profile, catalog, host=host, as_of=JULY)

    [fits] = planned(SPANISH).programs
    assert fits.tier == 1
    assert [r.rule for r in fits.reasons] == ["tiering/spanish-safety-net"]
    assert not [r for r in fits.reasons if "Spanish you compete" in r.says]
    [poor] = planned([{"name": "English", "level": "fluent"}]).programs
    assert poor.tier == 2
    assert [(r.rule, r.says) for r in poor.reasons] == [
        (
            "tiering/spanish-preferred-without-working-spanish",
            "Tier 2, not 1: it looks for Spanish-speaking residents. Without working Spanish "
            "you compete less well there.",
        ),
    ]  # one reason for its tier: the first rule of tier 2 that places it (stages/tier.py)
    # Spanish listed without a level: unknown, not "no Spanish". The plan counts the
    # lowest level, says so in the reason, and asks for the level.
    unsure = planned([{"name": "Spanish"}])
    [program] = unsure.programs
    assert program.tier == 2
    [reason] = [
        r for r in program.reasons if r.rule == "tiering/spanish-preferred-without-working-spanish"
    ]
    assert "Spanish" in reason.says.split("Tier 2, not 1")[0], reason.says
    assert "languages[0].level" in {m.key for m in unsure.assessment.missing}


# ---------------------------------------------------------------- documents first


def first_screen(plan, n=5) -> list[str]:
    return [a.id for a in plan.actions[:n]]


def test_from_the_opening_of_eras_the_documents_come_before_long_term_steps(host, border):
    """Item c and finding 18: a thin border record (no Spanish, no border work) on 5
    August and 10 September: the documents still due before programs read come first,
    the steps that take months (a Spanish course, a border rotation) after them, saying
    so. Before ERAS opens (May) the order is the old one: start those at once."""
    thin = {
        "exams": {
            "step1": {"result": "pass", "attempts": 2},
            "step2ck": {"score": 250, "attempts": 1},
        },
        "languages": [{"name": "English", "level": "fluent"}],
        "clinical": [{"kind": "hands-on", "months": 3, "city": "Chicago", "state": "IL"}],
        "letters": [{"writer": "IM attending, Chicago", "us_clinical": True}],
    }
    for as_of in ("2026-08-05", "2026-09-10"):
        plan = plan_of(host, border, as_of=as_of, **thin)
        ids = [a.id for a in plan.actions]
        spanish = ids.index("applications/start-medical-spanish")
        assert ids.index("applications/statement-failure-paragraph") < spanish
        assert ids.index("applications/letters-failures-understate") < spanish
        # The J-1 sponsorship comes after a match: after the documents too.
        assert ids.index("applications/statement-failure-paragraph") < ids.index(
            "applications/j1-ecfmg-sponsorship"
        )
        assert "applications/start-medical-spanish" not in first_screen(plan)
        step = plan.actions[spanish]
        assert step.when.endswith("Start on this as soon as your ERAS documents are done")
    may = plan_of(host, border, as_of="2026-05-10", **thin)
    ids = [a.id for a in may.actions]
    assert ids.index("applications/start-medical-spanish") < ids.index(
        "applications/statement-failure-paragraph"
    )
    assert may.actions[ids.index("applications/start-medical-spanish")].when.endswith(
        "Start on this today"
    )


# ---------------------------------------------------------------- border strengths


def test_the_border_strengths_step_names_the_strengths_the_applicant_has(host, border):
    """Item d: an applicant who lists fluent Spanish and El Paso months is asked for
    examples of those, not handed the guide's whole list; one with no border strength
    gets no border step at all."""
    plan = plan_of(host, border, languages=SPANISH, clinical=EL_PASO_MONTHS, letters=US_LETTER)
    [step] = [a for a in plan.actions if a.id.startswith("applications/border-value-inventory")]
    assert step.id == "applications/border-value-inventory"
    assert step.title == "Turn your border strengths into concrete examples"
    assert step.detail.startswith("Your border strengths: ")
    assert "fluent or native Spanish" in step.detail
    assert "Culture: where you grew up" not in step.detail
    none = plan_of(
        host,
        border,
        languages=[{"name": "English", "level": "fluent"}],
        clinical=[{"kind": "hands-on", "months": 3, "city": "Chicago", "state": "IL"}],
    )
    ids = [a.id for a in none.actions]
    assert not [i for i in ids if i.startswith("applications/border-value-inventory")]
    assert "applications/strengths-inventory" in ids


# ---------------------------------------------------------------- regions without programs


def test_a_region_without_programs_has_only_the_reason_that_says_so(host, border):
    """Finding 4: Pediatrics only, Arizona only, fluent Spanish: the catalog has no
    border Pediatrics program, so every region is 'none' and says only that; no reason
    speaks of its programs or of Spanish counting most there."""
    plan = plan_of(
        host,
        border,
        applicant={"specialties": ["Pediatrics"], "states": ["AZ"]},
        languages=SPANISH,
        clinical=[{"kind": "hands-on", "months": 3, "city": "Tucson", "state": "AZ"}],
    )
    empty = [r for r in plan.regions if r.priority == "none"]
    assert empty
    # What to do about such a place is said once, at the first of them (review finding 23).
    look_up = ["regions/no-program-in-catalog", "regions/look-up-places-not-in-catalog"]
    assert [r.rule for r in empty[0].reasons] == look_up
    for region in empty[1:]:
        assert [r.rule for r in region.reasons] == ["regions/no-program-in-catalog"], region.id
    # With programs, the other reasons stay.
    im = plan_of(host, border, applicant={"states": ["TX"]}, languages=SPANISH)
    ranked = [r for r in im.regions if r.priority != "none"]
    assert any(r.rule == "regions/spanish-and-preferred-state" for g in ranked for r in g.reasons)


# ---------------------------------------------------------------- steps that fit the file


def test_an_observership_gives_no_border_work_to_tell_at_interviews(host, border):
    """Finding 13: intermediate Spanish, two months of observing in San Diego and hands-on
    work in Houston: no step asks for stories 'from your own border work'. Hands-on months
    in McAllen are border work, and the step is there."""
    observed = [
        {"kind": "observership", "months": 2, "city": "San Diego", "state": "CA"},
        {"kind": "hands-on", "months": 2, "city": "Houston", "state": "TX"},
    ]
    intermediate = [{"name": "Spanish", "level": "intermediate"}]
    plan = plan_of(host, border, languages=intermediate, clinical=observed)
    assert "applications/interview-border-cases" not in [a.id for a in plan.actions]
    worked = [{"kind": "hands-on", "months": 3, "city": "McAllen", "state": "TX"}]
    plan = plan_of(host, border, languages=intermediate, clinical=worked)
    assert "applications/interview-border-cases" in [a.id for a in plan.actions]


LOW = {"step1": STEP1, "step2ck": {"score": 219, "attempts": 1}}


def test_the_reason_for_a_score_goes_with_the_documents(host, border):
    """Finding 7: the dean's letter or a letter writer telling the reason for a low score
    is a document step: in August it is due before programs read; in January it is for a
    next application, like the statement and the letters."""
    august = plan_of(host, border, as_of="2026-08-05", exams=LOW)
    [step] = [a for a in august.actions if a.id == "applications/score-context-graduate"]
    assert step.category == "materials"
    assert "before programs start reading applications in late September" in step.when
    january = plan_of(host, border, as_of="2027-01-15", exams=LOW)
    [step] = [a for a in january.actions if a.id == "applications/score-context-graduate"]
    [statement] = [a for a in january.actions if a.id == "applications/statement-score-paragraph"]
    assert "for a next application" in step.when and step.when == statement.when


def test_few_programs_in_the_named_states_are_counted_plainly(host, border):
    """Finding 25: New Mexico only: the catalog's Internal Medicine programs are counted,
    then those in New Mexico, with no 'the others' for one program."""
    plan = plan_of(host, border, applicant={"states": ["NM"]})
    [step] = [a for a in plan.actions if a.id == "applications/named-field-few-in-states"]
    assert re.match(
        r"This catalog has \d+ Internal Medicine programs you can apply to, and \d+ of them "
        r"(is|are) in New Mexico, where you want to train\. That is too few for a full list\.",
        step.detail,
    )
    assert "The others" not in step.detail


def test_an_advocate_after_a_failure_is_not_about_a_score_minimum(host, border):
    """Finding 28: a failed Step 1 sitting and a Step 2 CK of 250: the advocate step is
    about the failed attempt, not a score just under a minimum; a low score keeps it."""
    failed = {"step1": {"result": "pass", "attempts": 2}, "step2ck": {"score": 250, "attempts": 1}}
    plan = plan_of(host, border, exams=failed, letters=US_LETTER)
    [step] = [a for a in plan.actions if a.id.startswith("applications/ask-advocate")]
    assert step.id == "applications/ask-advocate-after-failure"
    assert step.detail.endswith("read your file past the failed attempt.")
    assert "minimum" not in step.detail
    low = plan_of(host, border, exams=LOW, letters=US_LETTER)
    [step] = [a for a in low.actions if a.id.startswith("applications/ask-advocate")]
    assert step.id == "applications/ask-advocate" and "just under a minimum" in step.detail


def test_no_us_clinical_letter_is_not_said_to_weigh_more_for_scores_that_are_not_low(host, border):
    """Finding 32, in part: a Step 2 CK of 238 is not low, so the finding about letters
    does not say 'all the more when scores are low'."""
    exams = {"step1": STEP1, "step2ck": {"score": 238, "attempts": 1}}
    plan = plan_of(host, border, exams=exams, letters=[{"writer": "PI", "us_clinical": False}])
    [weakness] = [w for w in plan.assessment.weaknesses if w.name == "no-us-letter"]
    assert [r.says for r in weakness.reasons] == [
        "None of your letters comes from a US clinical supervisor, and programs weigh those "
        "letters heavily."
    ]


def test_a_field_the_catalog_lacks_is_not_said_to_be_missing_only_in_the_states(host, border):
    """Finding 21: Neurology and Arizona or California: the catalog has no Neurology
    program at all, and the signals say so without naming states as the cause.
    Psychiatry in Arizona: the catalog has Psychiatry programs, but not in Arizona."""
    plan = plan_of(
        host,
        border,
        applicant={"specialties": ["Internal Medicine", "Neurology"], "states": ["AZ", "CA"]},
    )
    [neuro] = [s for s in plan.signals if s.specialty == "Neurology"]
    assert "This catalog has no Neurology program, so this plan proposes no signal" in neuro.says
    assert "no Neurology program in Arizona" not in neuro.says
    plan = plan_of(host, border, applicant={"specialties": ["Psychiatry"], "states": ["AZ"]})
    [psych] = [s for s in plan.signals if s.specialty == "Psychiatry"]
    assert "This catalog has no Psychiatry program in Arizona" in psych.says


def test_a_near_miss_says_what_this_applicant_has_to_get_past_the_filter(host):
    """Finding 20: a Step 2 CK of 226 against a stated minimum of 230, with a letter
    writer who will call: the program's reasons say to ask that writer, and say nothing
    of a strong border record the applicant does not have."""
    catalog = Catalog([make_program(id="tx-dallas-min-im", city="Dallas", min_step2ck=230)])
    profile = make_profile(
        applicant={"visa": "none", "specialties": ["Internal Medicine"]},
        exams={"step1": STEP1, "step2ck": {"score": 226, "attempts": 1}},
        letters=[{"writer": "IM attending", "us_clinical": True, "advocate": True}],
    )
    [program] = resplan.plan(profile, catalog, host=host, as_of=JULY).programs
    assert program.verdict == "borderline"
    rules = [r.rule for r in program.reasons]
    assert "screening/near-miss-advocate" in rules
    assert "screening/near-miss-border-record" not in rules
    says = " ".join(r.says for r in program.reasons)
    assert "whichever you have" not in says and "border experience" not in says


def test_a_region_of_a_backup_field_for_a_next_application_is_not_a_priority(host, border):
    """Finding 23, the regions: Psychiatry only, Texas and California, planned in November
    once the applications are out: Family Medicine is added as a backup for a next
    application, so San Diego, which has only Family Medicine programs, is no place to
    aim at in this Match. In June, before the applications, it still is."""
    profile = {
        "applicant": {"specialties": ["Psychiatry"], "states": ["TX", "CA"]},
        "exams": {"step1": STEP1, "step2ck": {"score": 232, "attempts": 1}},
        "languages": [{"name": "Spanish", "level": "intermediate"}],
        "clinical": [{"kind": "observership", "months": 2, "city": "San Diego", "state": "CA"}],
    }
    november = plan_of(host, border, as_of="2026-11-05", **profile)
    assert "Family Medicine" in [t.name for t in november.specialties if t.suggested]
    [san_diego] = [r for r in november.regions if r.id == "ca-san-diego-border"]
    assert san_diego.priority == "none"
    assert [r.rule for r in san_diego.reasons] == ["regions/only-a-later-backup-field"]
    june = plan_of(host, border, as_of="2026-06-03", **profile)
    [san_diego] = [r for r in june.regions if r.id == "ca-san-diego-border"]
    assert san_diego.priority == "high"
