"""Findings 1, 2, 4, 5, 6, 7, 8, 13, 14 and 15 of the eleventh advisor review: plans of the
review's profiles (copied to tests/data/review11) and of small variants, against the real
border programs, read as the applicant reads them."""

from __future__ import annotations

import re

import attrs
import pytest

import resplan
from tests.conftest import DATA, STEP1, make_catalog, plan_of

PROFILES = DATA / "review11"


@pytest.fixture(scope="module")
def plans(host, border_catalog):
    """The plan of a review profile on a date, made once per module."""
    made: dict = {}

    def plan(name: str, as_of: str, catalog=None):
        key = (name, as_of, id(catalog))
        if key not in made:
            profile = resplan.load_profile(PROFILES / f"{name}.toml")
            made[key] = resplan.plan(profile, catalog or border_catalog, host=host, as_of=as_of)
        return made[key]

    return plan


def actions(plan) -> dict:
    """The plan's steps by rule name (without the ruleset)."""
    return {a.id.split("/", 1)[1]: a for a in plan.actions}


def outlook_of(plan, field: str):
    return next(o for o in plan.outlook.specialties if o.specialty == field)


def context_of(plan, field: str) -> str:
    return " ".join(r.says for r in outlook_of(plan, field).context)


def signals_of(plan, field: str):
    return next(s for s in plan.signals if s.specialty == field)


P7 = "p7-245-em-anesth-nospanish"
P7_AFTER = "p7-245-em-anesth-nospanish-after"


# ---------------------------------------------------------------- finding 1


@pytest.mark.parametrize("as_of", ["2026-07-15", "2026-12-02"])
def test_an_h1b_applicant_whose_fields_are_not_in_the_catalog_hears_of_step3(plans, as_of):
    """H-1B first, then J-1; Emergency Medicine and Anesthesiology, neither in the border
    catalog; no Step 3, ECFMG still lacking the communication requirement."""
    steps = actions(plans(P7, as_of))
    step = steps["step3-for-h1b-outside-catalog"]
    assert step.title == "For an H-1B visa, pass Step 3 before the rank list deadline"
    detail = step.detail
    assert "no program you can apply to in Emergency Medicine and Anesthesiology" in detail
    assert "3 March 2027" in detail
    # The order: ECFMG certification (what is left), then Step 3, or the J-1.
    assert "your certification still needs the communication skills requirement" in detail
    assert "Finish that first, then book Step 3" in detail
    assert detail.endswith("plan on the J-1 visa.")
    # The J-1 route, which reads only this catalog, does not say the opposite beside it.
    assert not any(key.startswith("j1-realistic-route") for key in steps)
    assert "j1-ecfmg-sponsorship" in steps


def test_the_h1b_step_comes_with_no_program_in_the_plan_at_all(host):
    """A catalog with none of the applicant's fields and no program of a backup field
    either: the plan considers nothing, and the H-1B step is still given."""
    catalog = make_catalog({"id": "peds", "specialty": "Pediatrics", "visas": ["J-1", "H-1B"]})
    plan = plan_of(
        host,
        catalog,
        as_of="2026-07-15",
        applicant={"visa": ["H-1B", "J-1"], "specialties": ["Emergency Medicine"]},
        exams={"step1": STEP1, "step2ck": {"score": 245, "attempts": 1}},
        ecfmg={"status": "certified"},
    )
    assert plan.summary.programs_considered == 0
    steps = actions(plan)
    detail = steps["step3-for-h1b-outside-catalog-certified"].detail
    assert "You can sit Step 3 once ECFMG has certified you. Book it early" in detail
    assert "step3-for-h1b-outside-catalog" not in steps


# ---------------------------------------------------------------- finding 2


def test_two_wished_fields_without_programs_get_a_backup_field(plans):
    plan = plans(P7, "2026-07-15")
    added = [t for t in plan.specialties if t.suggested]
    assert [t.name for t in added] == ["Internal Medicine"]
    said = " ".join(r.says for r in added[0].reasons)
    assert (
        "Your catalog has no program in any of the fields you named (Emergency Medicine and "
        "Anesthesiology), so the plan adds Internal Medicine as your backup field"
    ) in said
    assert plan.summary.apply > 0


# ---------------------------------------------------------------- finding 4


def test_no_signal_for_a_reach_with_almost_no_imgs_even_with_signals_unused(plans):
    """Internal Medicine as the backup field: UCSD (no IMG residents) and Scripps Green
    (2%) list a visa the applicant takes, but a signal there is wasted."""
    im = signals_of(plans(P7_AFTER, "2027-03-25"), "Internal Medicine")
    ids = {c.id for c in im.programs}
    assert ids and not {"ca-sandiego-ucsd-im", "ca-lajolla-scripps-green-im"} & ids
    assert "2 programs you can apply to in Internal Medicine list few IMG residents" in im.says
    assert "Apply there only if you would truly go" in im.says
    for c in im.programs:
        assert "no better-fitting program left" not in c.why


# ---------------------------------------------------------------- finding 5


def test_a_new_low_step2ck_is_not_what_the_statement_opens_with(plans):
    steps = actions(plans("p8-fresh-grad-step2-pending-gaps-after", "2027-03-25"))
    assert "lead-with-what-changed" not in steps
    step = steps["lead-with-what-changed-only-low-step2ck"]
    assert "Step 2 CK result of 223, in the range the guide calls low" in step.detail
    assert "name it once in the personal statement" in step.detail
    assert "do not open with it" in step.detail
    assert "Open the personal statement with them" not in step.detail


def test_a_new_low_step2ck_beside_other_changes_lets_those_lead(host, border_catalog):
    profile = resplan.load_profile(PROFILES / "p8-fresh-grad-step2-pending-gaps-after.toml")
    changed = attrs.evolve(profile.reapplicant, changes=("step2ck", "us-clinical"))
    profile = attrs.evolve(profile, reapplicant=changed)
    steps = actions(resplan.plan(profile, border_catalog, host=host, as_of="2027-03-25"))
    assert "lead-with-what-changed" not in steps
    detail = steps["lead-with-what-changed-low-step2ck"].detail
    assert "show the new things first, but not the score" in detail
    assert "Open the statement with the other new things" in detail


# ---------------------------------------------------------------- finding 6


@pytest.mark.parametrize("as_of", ["2026-07-15", "2026-12-02"])
def test_one_step3_message_beside_the_j1_route(plans, as_of):
    """J-1 and H-1B, Texas, no program there lists an H-1B, 7 years past graduation."""
    steps = actions(plans("p2-old-step1-fail-big-usce", as_of))
    route = steps["j1-realistic-route-graduation-gap"].detail
    gap = steps["graduation-gap-consider-step3-j1-route"].detail
    assert "graduation-gap-consider-step3-h1b" not in steps
    assert "j1-realistic-route" not in steps
    assert "plan Step 3 then" not in route
    assert "Step 3 is still worth sitting for the years since you graduated" in route
    assert "one exam serves both" not in gap
    assert "The J-1 is your likely visa" in gap
    # Season-neutral: no "before programs read your application" once they read it.
    assert "before programs read your application" not in gap
    assert "tell any program that already has your application" in gap


# ---------------------------------------------------------------- finding 7


def test_a_field_absent_from_the_catalog_is_not_said_to_be_screened_out(plans, host):
    plan = plans("p6-couples-peds-citizen-240", "2026-07-15")
    context = context_of(plan, "Pediatrics")
    assert "This catalog holds no Pediatrics program at all" in context
    assert "every known filter" not in context
    # Two such fields: the second is named, not explained again.
    p7 = plans(P7, "2026-07-15")
    assert "holds no Emergency Medicine program at all" in context_of(p7, "Emergency Medicine")
    assert "holds no Anesthesiology program at all either" in context_of(p7, "Anesthesiology")
    # A field whose programs are in the catalog, each stopping the file: the filter words.
    catalog = make_catalog(
        {"id": "psy", "specialty": "Psychiatry", "visas": []},
        {"id": "im", "specialty": "Internal Medicine", "visas": ["J-1"]},
    )
    plan = plan_of(host, catalog, applicant={"visa": "J-1", "specialties": ["Psychiatry"]})
    context = context_of(plan, "Psychiatry")
    assert "none whose every known filter you pass" in context
    assert "at all" not in context


# ---------------------------------------------------------------- finding 8


def bands_shown(plan) -> list[str]:
    html = resplan.render_report(plan, "html")
    return re.findall(r"Not placed[^<]*", html)


def test_a_field_without_figures_is_not_blamed_on_the_profile(plans):
    shown = bands_shown(plans(P7, "2026-07-15"))
    assert "Not placed: resplan has no figures for IMG applicants in Emergency Medicine" in shown
    assert "Not placed: resplan has no figures for IMG applicants in Anesthesiology" in shown
    assert not any("the profile leaves out" in s for s in shown)


def test_a_real_gap_still_reads_as_one(plans):
    """No Step 2 CK score yet: Internal Medicine is not placed for what is still to come
    (a result not back yet, not a part left out: review 12, finding 8); the Transitional
    Year, for want of figures."""
    shown = bands_shown(plans("p8-fresh-grad-step2-pending-gaps", "2026-07-15"))
    assert shown == [
        "Not placed yet",
        "Not placed: resplan has no figures for IMG applicants in Transitional Year",
    ]


# ---------------------------------------------------------------- finding 13


def test_the_band_does_not_wait_on_earlier_cycles_nobody_asked_for(
    plans, host, border_catalog, tmp_path
):
    plan = plans("p8-fresh-grad-step2-pending-gaps", "2026-07-15")
    says = outlook_of(plan, "Internal Medicine").says
    assert says.endswith("depending on what your profile does not say yet (Step 2 CK score).")
    assert "earlier cycles" not in says
    # previous_cycles left out: read as a first application, as the rest of the plan does.
    text = (PROFILES / "p7-245-em-anesth-nospanish.toml").read_text(encoding="utf-8")
    assert "previous_cycles = 0" in text
    path = tmp_path / "first-try.toml"
    path.write_text(text.replace("previous_cycles = 0\n", ""), encoding="utf-8")
    profile = resplan.load_profile(path)
    unsaid = resplan.plan(profile, border_catalog, host=host, as_of="2026-07-15")
    im = outlook_of(unsaid, "Internal Medicine")
    assert im.band == outlook_of(plans(P7, "2026-07-15"), "Internal Medicine").band != "unknown"


# ---------------------------------------------------------------- finding 14


def test_past_the_graduation_window_waiting_is_not_argued_against_by_filters(plans):
    steps = actions(plans("p3-205-retake-2013-after", "2027-03-25"))
    assert "same-file-choice-graduation-clock" not in steps
    detail = steps["same-file-choice-past-graduation-window"].detail
    assert "more of these filters will close" not in detail
    assert "14 years past graduation, well past the 5 to 7 years" in detail
    assert "on that count, waiting costs little" in detail
    assert "if you cannot show it by September, use the year to earn it" in detail


# ---------------------------------------------------------------- finding 15


def test_two_wished_fields_and_a_backup_ask_for_one_main_field(plans):
    for name, as_of in ((P7, "2026-07-15"), (P7_AFTER, "2027-03-25")):
        plan = plans(name, as_of)
        step = actions(plan)["fewer-fields-beside-backup"]
        assert step.title == "Choose one main field to keep beside Internal Medicine"
        assert plan.actions[0].id == "applications/fewer-fields-beside-backup"
        assert "those who applied to fewer specialties matched more often" in step.detail
        assert (
            "Choose the one of Emergency Medicine and Anesthesiology you want most, and keep "
            "it beside Internal Medicine"
        ) in step.detail
    # One wished field and a backup: one main field already, no such choice.
    assert "fewer-fields-beside-backup" not in actions(
        plans("p6-couples-peds-citizen-240", "2026-07-15")
    )
