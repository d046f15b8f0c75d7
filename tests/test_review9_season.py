"""Timing and season findings of the ninth advisor review (review9), on the review's own
profiles (tests/data/review9) and dates, against the real border programs.

Each test names what the plan says to the person on that date, and what it no longer
says because it does not apply then.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

import resplan
from resplan.report.view import numbers_under_way
from tests.conftest import EXAMPLES

BORDER = EXAMPLES / "catalog" / "border-programs.toml"
PROFILES = Path(__file__).parent / "data" / "review9"


@cache
def _border():
    return resplan.load_catalog(BORDER)


@pytest.fixture(scope="module")
def plans(host):
    made: dict[tuple[str, str], resplan.Plan] = {}

    def plan(name: str, as_of: str):
        key = (name, as_of)
        if key not in made:
            profile = resplan.load_profile(PROFILES / f"{name}.toml")
            made[key] = resplan.plan(profile, _border(), host=host, as_of=as_of)
        return made[key]

    return plan


def actions(plan) -> dict:
    return {a.id: a for a in plan.actions}


def words(plan) -> str:
    """Every action's title and detail."""
    return "\n".join(f"{a.title} {a.detail}" for a in plan.actions)


# ---------------------------------------------------------------- finding 1

PEDS = "p09-peds-research-year"


def test_the_own_field_list_stays_in_this_cycle_after_programs_start_reading(plans):
    """Pediatrics only, and the catalog has no Pediatrics program. Two days before programs
    start reading, the list is a step to finish now; on 25 September it is still a step of
    this cycle, marked late, not a step of next May."""
    before = actions(plans(PEDS, "2026-09-23"))["applications/named-field-not-in-catalog"]
    assert before.when.startswith("September 2026: Finish this now")

    late = plans(PEDS, "2026-09-25")
    steps = actions(late)
    assert "applications/named-field-not-in-catalog" not in steps
    step = steps["applications/named-field-not-in-catalog-late"]
    assert step.when == (
        "September 2026: Late, as programs already read applications, so apply now, "
        "since each week counts"
    )
    assert step.title == "Build and send your Pediatrics list now"
    assert "If you have not applied in Pediatrics yet, do it now." in step.detail
    assert "ERAS lets you add programs after your first applications." in step.detail
    assert "2028" not in step.when and "next application" not in step.detail
    # It leads the plan's steps: nothing else this month matters as much.
    assert late.actions[0].id == step.id


def test_the_own_field_list_is_for_a_next_application_once_invitations_are_out(plans):
    """By late November most invitations have gone out: the list is then for next year."""
    steps = actions(plans(PEDS, "2026-11-20"))
    assert "applications/named-field-not-in-catalog-late" not in steps
    step = steps["applications/named-field-not-in-catalog"]
    assert "for a next application, to the 2028 Match" in step.when


def test_what_was_sent_is_about_documents_and_signals_not_about_more_programs(plans):
    plan = plans(PEDS, "2026-09-25")
    sent = numbers_under_way(plan.summary)[0]
    assert "what you sent is sent" not in sent
    assert "The documents and signals you sent stay as they are." in sent
    assert "You can still apply to more programs: the sooner, the better." in sent


# ---------------------------------------------------------------- finding 2

FEBRUARY = "p04-step2-pending-feb"


def test_a_pending_step2ck_at_rank_time_does_not_ask_for_a_new_sitting(plans):
    """10 February 2027, Step 2 CK sat in January, result pending, 4 interviews: three
    weeks before the rank list deadline, a fail leaves no time to sit again, and the
    application and invitations are behind the applicant."""
    plan = plans(FEBRUARY, "2027-02-10")
    steps = actions(plan)
    assert "applications/step2ck-result-pending" not in steps
    pending = steps["applications/step2ck-result-pending-at-rank-time"]
    assert "sit again in time" not in pending.detail
    assert "send your application" not in pending.detail
    assert "before they invite" not in pending.detail
    assert "ECFMG must confirm it by the rank list deadline (3 March 2027)" in pending.detail
    assert "If it is a fail, this Match is over for you." in pending.detail
    assert "plan for the 2028 Match" in pending.detail
    text = words(plan)
    assert "sit again in time for that deadline" not in text
    assert "You can send your application before it comes" not in text


def test_the_interview_count_leads_at_rank_time_when_it_is_under_the_median(plans):
    plan = plans(FEBRUARY, "2027-02-10")
    steps = actions(plan)
    few = steps["applications/rank-time-few-interviews"]
    assert few.title == "You have 4 interviews: rank them all, and get ready for SOAP"
    assert "those who matched had a median of 8" in few.detail
    assert "Rank every program where you interviewed" in few.detail
    assert "3 March 2027" in few.detail
    assert "SOAP" in few.detail
    # Among the steps of this month, it comes before the file-building ones.
    ids = [a.id for a in plan.actions]
    assert ids.index(few.id) < ids.index("between-cycles/soap")


def test_no_interview_at_rank_time_says_soap_and_a_next_application(host, tmp_path):
    text = (PROFILES / f"{FEBRUARY}.toml").read_text(encoding="utf-8")
    assert "interviews = 4" in text
    path = tmp_path / "none.toml"
    path.write_text(text.replace("interviews = 4", "interviews = 0"), encoding="utf-8")
    none = resplan.plan(resplan.load_profile(path), _border(), host=host, as_of="2027-02-10")
    step = actions(none)["applications/rank-time-no-interviews"]
    assert step.title == "You have no interviews yet: get ready for SOAP and a next application"
    assert "0 interviews" not in step.detail


def test_after_the_rank_list_deadline_nothing_says_weigh_it_before_you_rank(plans):
    """Match Week, Tuesday 16 March 2027: the rank list was certified two weeks before."""
    text = words(plans("p15-match-week", "2027-03-16"))
    assert "before you rank" not in text
    assert "If you take part in SOAP, weigh it before you accept an offer." in text
    assert "weigh it before you rank" in words(plans("p15-match-week", "2026-12-02"))


# ---------------------------------------------------------------- finding 6

JANUARY = "p10-interviews-jan"


def test_in_interview_season_the_check_is_for_programs_that_invite(plans):
    """12 January 2027, 2 interviews: the check of missing facts is for the programs that
    invite the applicant, not the whole list; steps that take months say they are for a
    next application."""
    plan = plans(JANUARY, "2027-01-12")
    steps = actions(plan)
    assert "applications/verify-program-facts" not in steps
    check = steps["applications/verify-program-facts-interview-season"]
    assert (
        check.title == "When a program invites you, confirm its missing facts before the interview"
    )
    assert check.when == "January 2027: Interview season (October to January)"
    assert "Check the other programs only for a next application, if you need one." in check.detail
    assert "Do this before you apply" not in check.detail
    for name in ("recent-us-coursework", "usce-in-border-region", "medical-spanish"):
        assert steps[f"applications/{name}"].when == (
            "January 2027: Start on this today, for a next application if you need one"
        )
    # A step for this Match's visa keeps its plain timing.
    assert steps["applications/j1-ecfmg-sponsorship"].when == "January 2027: Start on this today"


def test_early_in_interview_season_months_long_steps_also_serve_interviews(plans):
    steps = actions(plans(JANUARY, "2026-10-15"))
    assert steps["applications/usce-in-border-region"].when == (
        "October 2026: Start on this today, for your interviews and for a next application "
        "if you need one"
    )
    assert "applications/verify-program-facts-interview-season" in steps


def test_after_the_rank_list_deadline_the_check_is_for_a_next_application(plans):
    steps = actions(plans("p15-match-week", "2027-03-16"))
    check = steps["applications/verify-program-facts-next-application"]
    assert "for a next application" in check.when
    assert "Do this before you apply." in check.detail
    assert "already sent" not in check.detail


# ---------------------------------------------------------------- finding 3

REAPPLICANT = "p06-reapplicant-nothing-new"


def test_three_weeks_before_reading_months_long_work_is_not_promised_for_this_file(plans):
    """1 September 2026, a reapplicant with nothing new: programs read from 24 September,
    so a poster, a certificate or a US job cannot reach this application."""
    plan = plans(REAPPLICANT, "2026-09-01")
    steps = actions(plan)
    choice = steps["between-cycles/same-file-choice-graduation-clock-reading-soon"]
    assert "so that programs see it by September" not in choice.detail
    assert "Programs start reading on 24 September 2026" in choice.detail
    assert "the program list, a letter already promised, your signals" in choice.detail
    assert "they count for interviews and for a next application, not for this file" in (
        choice.detail
    )
    for name in ("research-qi-output", "short-certificate", "us-clinical-role"):
        when = steps[f"between-cycles/{name}"].when
        assert "goes into this application" not in when
        assert when == (
            "September 2026: Start now, for interviews and a next application, as only a new "
            "list or a promised letter can still reach the file programs read this month"
        )


def test_in_august_the_same_steps_can_still_reach_this_application(plans):
    steps = actions(plans(REAPPLICANT, "2026-08-10"))
    assert "between-cycles/same-file-choice-graduation-clock" in steps
    assert "goes into this application" in steps["between-cycles/short-certificate"].when


# ---------------------------------------------------------------- finding 4

RESIDENT = "p14-prelim-resident"


def test_a_resident_sends_the_directors_letter_and_in_training_result_now(plans):
    """2 December 2026, a US preliminary year now, in-training at the 62nd percentile:
    programs still invite, so the letter and the result go to them this month, not next
    May; coursework and a certificate are substitutes for a result the resident has."""
    plan = plans(RESIDENT, "2026-12-02")
    steps = actions(plan)
    letter = steps["applications/training-pd-letter-now"]
    assert letter.when == "December 2026: Start on this today"
    assert "If none of your letters is from your program director" in letter.detail
    assert "Add it to ERAS as soon as it comes" in letter.detail
    exam = steps["applications/training-in-training-exam-now"]
    assert exam.when.startswith("December 2026")
    assert "percentile 62" in exam.detail
    assert "applications/training-pd-letter" not in steps
    assert "applications/training-in-training-exam" not in steps
    assert "applications/recent-us-coursework" not in steps
    assert "between-cycles/short-certificate" not in steps
    assert "2028" not in letter.when and "2028" not in exam.when


def test_before_the_cycle_the_residents_letter_is_a_document_step(plans):
    steps = actions(plans(RESIDENT, "2026-06-15"))
    assert "applications/training-pd-letter" in steps
    assert "applications/training-pd-letter-now" not in steps


# ---------------------------------------------------------------- finding 16


def test_a_long_gap_without_step3_gets_step3_suggested_as_resplans_reading(plans):
    """Nine years past graduation, no Step 3, J-1 only, May 2027 for the 2028 Match."""
    steps = actions(plans("p05-nine-years", "2027-05-15"))
    step = steps["applications/graduation-gap-consider-step3"]
    assert step.title == "Consider Step 3 as recent proof of your knowledge"
    assert "You are 9 years past graduation" in step.detail
    assert "This is resplan's suggestion" in step.detail
    assert "does not name Step 3 for this" in step.detail
    assert "H-1B" not in step.detail
    assert "applications/graduation-gap-consider-step3-h1b" not in steps
    assert "applications/graduation-gap-step3" not in steps


def test_the_step3_suggestion_names_the_h1b_where_it_applies(host, tmp_path):
    text = (PROFILES / "p05-nine-years.toml").read_text(encoding="utf-8")
    assert 'visa = "J-1"' in text

    def steps(visa: str) -> dict:
        path = tmp_path / "visa.toml"
        path.write_text(text.replace('visa = "J-1"', f"visa = {visa}"), encoding="utf-8")
        profile = resplan.load_profile(path)
        return actions(resplan.plan(profile, _border(), host=host, as_of="2027-05-15"))

    gap = {
        "applications/graduation-gap-consider-step3",
        "applications/graduation-gap-consider-step3-h1b",
    }
    # H-1B only: the H-1B step asks for Step 3 already, so the gap step is not said twice.
    only = steps('"H-1B"')
    assert "applications/step3-for-h1b" in only and not gap & set(only)
    # A J-1 too, and no program here lists an H-1B: the gap step names the visa the way the
    # J-1 route does (review 11, finding 6: one Step 3 message, not "one exam serves both"
    # beside "Step 3 helps only at a program that sponsors one").
    both = steps('["J-1", "H-1B"]')
    assert "applications/step3-for-h1b" not in both
    assert "applications/graduation-gap-consider-step3-h1b" not in both
    detail = both["applications/graduation-gap-consider-step3-j1-route"].detail
    assert "The J-1 is your likely visa" in detail and "keep an H-1B open" in detail
    assert "one exam serves both" not in detail


def test_the_outlook_counts_the_residency_year_and_the_in_training_result(plans):
    plan = plans(RESIDENT, "2026-12-02")
    for outlook in plan.outlook.specialties:
        favour = {r.rule for r in outlook.in_favour}
        assert {"outlook/us-residency-year", "outlook/in-training-strong"} <= favour
        # Low scores and a reapplication against, the year and the exam for: close to the
        # typical IMG applicant, not below.
        assert outlook.band == "near"
    says = " ".join(r.says for o in plan.outlook.specialties for r in o.in_favour)
    assert "Your preliminary year in a US program counts most in your favor" in says
    assert "percentile 62" in says
