"""Timing, season and report findings of the eighth advisor review (review8), on the
review's own profiles (tests/data/review8) and dates, against the real border programs.

Each test names what the plan says to the person on that date, and what it no longer
says because it does not apply then.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

import resplan
from resplan.plan import backups_added_late
from tests.conftest import EXAMPLES

BORDER = EXAMPLES / "catalog" / "border-programs.toml"
PROFILES = Path(__file__).parent / "data" / "review8"
# The date the review planned each profile for.
AS_OF = {
    "v01": "2026-06-15",
    "v02": "2026-09-20",
    "v03": "2026-06-15",
    "v04": "2026-12-01",
    "v05": "2027-05-01",
    "v06": "2027-03-20",
    "v07": "2026-09-20",
    "v08": "2026-09-20",
    "v09": "2027-02-20",
    "v10": "2026-09-20",
    "v11": "2026-12-01",
    "v12": "2027-03-20",
}


@cache
def _border():
    return resplan.load_catalog(BORDER)


@pytest.fixture(scope="module")
def plans(host):
    made: dict[tuple[str, str], resplan.Plan] = {}

    def plan(name: str, as_of: str | None = None):
        key = (name, as_of or AS_OF[name])
        if key not in made:
            profile = resplan.load_profile(PROFILES / f"{name}.toml")
            made[key] = resplan.plan(profile, _border(), host=host, as_of=key[1])
        return made[key]

    return plan


def actions(plan) -> dict:
    return {a.id: a for a in plan.actions}


def words(plan) -> str:
    """Every action's title and detail, and every program's reasons."""
    parts = [f"{a.title} {a.detail}" for a in plan.actions]
    parts += [r.says for p in plan.programs for r in p.reasons]
    return "\n".join(parts)


# ---------------------------------------------------------------- finding 2


def test_graduation_limits_decide_the_list_only_before_applications_go_out(plans):
    """Nine years past graduation. In June the limit decides the list and the signals;
    on 1 December the applications are sent, so it only explains a silent program; on
    20 February (interviews over) it is a check for a next list, said once."""
    june = actions(plans("v04", "2026-06-15"))
    assert june["applications/graduation-year-limits"].timing == "check-first"
    assert "Send a signal only to a program" in june["applications/graduation-year-limits"].detail

    december = plans("v04")
    steps = actions(december)
    assert "applications/graduation-year-limits" not in steps
    silence = steps["applications/graduation-year-limits-silence"]
    assert silence.when.startswith("December 2026: Interview season")
    assert "Your applications are sent" in silence.detail
    assert "may never answer" in silence.detail
    text = words(december)
    assert "Check this first" not in " ".join(a.when for a in december.actions)
    assert "send this application elsewhere" not in text
    assert "Send a signal only" not in text
    assert "it may not read your file: put your effort into other programs" in text

    february = plans("v09")
    steps = actions(february)
    assert not {
        "applications/graduation-year-limits",
        "applications/graduation-year-limits-silence",
    } & set(steps)
    assert "Check this first" not in " ".join(a.when for a in february.actions)
    assert "between-cycles/plan-b-graduation-clock" in steps


# ---------------------------------------------------------------- finding 9


def test_a_second_step2ck_sitting_pending_plans_for_the_next_match_if_it_fails(plans):
    """Step 2 CK failed once, the second result pending on 1 December: a fail would leave
    only a rushed third sitting before 3 March, so the plan says to plan for the next
    Match, not to sit again in time for the deadline."""
    steps = actions(plans("v11"))
    assert "applications/step2ck-result-pending" not in steps
    pending = steps["applications/step2ck-result-pending-after-a-fail"]
    assert "sit again in time" not in pending.detail
    assert "If this result is a fail, this Match is over for you." in pending.detail
    assert "Do not rush a third sitting" in pending.detail
    assert "apply for the next Match" in pending.detail
    assert "3 March 2027" in pending.detail


def test_two_failed_step2ck_sittings_are_not_told_to_sit_again_by_the_deadline(host, tmp_path):
    text = (PROFILES / "v11.toml").read_text(encoding="utf-8")
    assert 'result = "pending"' in text
    failed = tmp_path / "v11-failed.toml"
    failed.write_text(text.replace('result = "pending"', 'result = "fail"'), encoding="utf-8")
    plan = resplan.plan(resplan.load_profile(failed), _border(), host=host, as_of="2026-12-01")
    steps = actions(plan)
    assert "applications/step2ck-pass-by-rank-list" not in steps
    twice = steps["applications/step2ck-failed-twice"]
    assert plan.actions[0].id == "applications/step2ck-failed-twice"
    assert twice.title == "Plan for the next Match: do not rush a third Step 2 CK"
    assert "2 Step 2 CK sittings without a pass" in twice.detail
    assert "apply for the next Match" in twice.detail


# ---------------------------------------------------------------- finding 12


def test_no_step2ck_in_june_gets_a_date_to_sit_it_by(plans):
    """No Step 2 CK on 15 June: the first step dates the exam (4 weeks before programs
    read on 24 September), says this Match needs the pass by the rank list deadline and
    that the next Match is the choice if practice scores are not there; the study plan
    starts today, not after the ERAS documents."""
    plan = plans("v03")
    first = plan.actions[0]
    assert first.id == "applications/step2ck-sit-by"
    assert first.title == "Sit Step 2 CK by 27 August 2026, or apply for the next Match"
    assert "Programs start reading applications on 24 September 2026" in first.detail
    assert "A result takes about 4 weeks." in first.detail
    assert "rank list deadline (3 March 2027)" in first.detail
    assert "apply one year later, for the next Match" in first.detail
    steps = actions(plan)
    assert "applications/step2ck-consider-later-cycle" not in steps
    study = steps["applications/step2ck-study-plan-first-number"]
    assert study.when == "June 2026: Start on this today"
    # Too late for the score to be there when programs read: the choice of a later cycle.
    september = actions(plans("v03", "2026-09-01"))
    assert "applications/step2ck-sit-by" not in september
    assert "applications/step2ck-consider-later-cycle" in september


# ---------------------------------------------------------------- finding 13


def test_a_graduate_is_not_sent_to_the_deans_office(plans, host, tmp_path):
    """The dean's letter (MSPE) is written at graduation: a 2022 graduate on 20
    September asks a letter writer; a student of this year's class may still ask the
    dean's office."""
    steps = actions(plans("v02"))
    assert "applications/score-context" not in steps
    context = steps["applications/score-context-graduate"]
    assert "dean's office" not in context.detail
    assert "ask one letter writer who knows the story" in context.detail
    assert "written when you graduated" in context.detail
    text = (PROFILES / "v02.toml").read_text(encoding="utf-8")
    assert "graduation_year = 2022" in text
    student = tmp_path / "v02-student.toml"
    student.write_text(text.replace("graduation_year = 2022", "graduation_year = 2026"), "utf-8")
    plan = resplan.plan(resplan.load_profile(student), _border(), host=host, as_of="2026-06-15")
    steps = actions(plan)
    assert "applications/score-context-graduate" not in steps
    assert "ask your dean's office (MSPE)" in steps["applications/score-context"].detail


# ---------------------------------------------------------------- finding 18


def test_a_first_try_step3_pass_answers_the_old_failure(plans):
    """Step 1 failed once, Step 3 passed at the first sitting: the pass is named as the
    answer to the failure, and no 'training year' advice is given to a general
    practitioner."""
    steps = actions(plans("v04"))
    assert "applications/after-a-failure" not in steps
    step3 = steps["applications/interview-step3-answers-failure"]
    assert step3.title == "Name your Step 3 pass as the sign that the failure is behind you"
    assert "You passed Step 3 at the first sitting, after the failed attempt." in step3.detail
    assert "name your Step 3 pass as the proof" in step3.detail
    assert "training year" not in step3.detail
    # Without a Step 3 pass, the general step stays.
    assert "applications/after-a-failure" in actions(plans("v11"))


# ---------------------------------------------------------------- finding 25


@pytest.mark.parametrize("name", ["v09", "v11"])
def test_a_profile_edit_is_not_pressed_before_the_rank_list(plans, name):
    """A Step 1 number programs saw long ago in ERAS: on 1 December and 20 February the
    profile edit is for a next application, not 'still worth doing now, before you
    certify your rank list'."""
    plan = plans(name)
    steps = actions(plan)
    assert "assessment/step1-number" not in steps
    edit = steps["assessment/step1-number-next-application"]
    assert edit.when.startswith("May 2027: Before ERAS opens")
    assert "for a next application" in edit.when
    assert "Before a next application, write it in your profile" in edit.detail
    assert not [
        a
        for a in plan.actions
        if "before you certify your rank list" in a.when and "profile" in a.title
    ]
    # Before programs read, it is a correction to make with the documents.
    june = actions(plans(name, "2026-06-15"))
    assert "assessment/step1-number" in june
    assert "assessment/step1-number-next-application" not in june


# ---------------------------------------------------------------- finding 27


def test_mentor_contact_runs_to_the_next_match_day_by_name(plans):
    """The day after the 2027 Match Day, a reapplicant for 2028 stays in contact with
    mentors until the 2028 Match Day, named with its date, and asks for a view of the
    new file (not 'because of' the new letters)."""
    step = actions(plans("v06"))["between-cycles/mentor-feedback"]
    assert "until Match Day of the 2028 Match (17 March 2028)." in step.detail
    assert "You have new letters" not in step.detail
    assert "a frank view of the new file" in step.detail


# ---------------------------------------------------------------- findings 28, 29 and 31


def markdown(plan, full: bool = False) -> str:
    return resplan.render_report(plan, "md", full=full)


def html(plan) -> str:
    return resplan.render_report(plan, "html")


def test_the_markdown_says_how_many_steps_it_shows_and_dates_each(plans):
    plan = plans("v01")
    text = markdown(plan)
    section = text.split("## What to do next", 1)[1].split("\n## ", 1)[0]
    items = [line for line in section.splitlines() if line[:1].isdigit()]
    assert len(items) == 5 and all(line.endswith(")") and " (June 2026: " in line for line in items)
    total = len(plan.actions)
    assert total > 5
    assert f"These are 5 of the plan's {total} steps." in section
    assert (
        "The others are in the HTML report and in the plan file, or here with `--full`." in section
    )
    # --full gives every step, under its date, with what it asks.
    full = markdown(plan, full=True)
    every = full.split("## Every step, by date", 1)[1].split("\n## ", 1)[0]
    assert sum(1 for line in every.splitlines() if line.startswith("- **")) == total
    assert "**June 2026: Start on this today**" in every
    assert plan.actions[-1].detail.split(".")[0] in every


def test_the_fees_come_with_the_other_costs_the_data_gives(plans):
    plan = plans("v01")
    [said] = [a.says for a in plan.summary.advice if a.rule == "season/other-costs"]
    assert "about $165 in 2024 (a figure from a secondary source)" in said
    assert "USMLE transcript to programs cost $80, once a season (2024 season)" in said
    assert "beyond that cost $30 (an older NRMP figure)" in said
    assert "no figure for the NRMP registration itself" in said
    fees = [
        line
        for line in markdown(plan).splitlines()
        if "What ERAS charges to send the lists this plan proposes" in line
    ]
    lines = markdown(plan).splitlines()
    at = lines.index(fees[0])
    assert lines[at + 1].startswith("- Other costs come on top of the ERAS fees.")
    page = html(plan)
    assert page.count("The ECFMG token that opens ERAS to IMGs cost about $165") == 1


@pytest.mark.parametrize(
    "name, label, meant",
    [
        ("v01", "Programs to apply to", None),
        ("v04", "Programs in this plan", "compare them with the applications you sent"),
        ("v09", "Programs in this plan", "compare them with the applications you sent"),
    ],
)
def test_the_headline_card_says_what_the_list_is_on_the_plans_date(plans, name, label, meant):
    plan = plans(name)
    page = html(plan)
    card = page.split('<div class="main"><dt>', 1)[1].split("</div>", 1)[0]
    assert card.startswith(f"{label}</dt>")
    if meant:
        assert f"<small>{meant}</small>" in card
    numbers = markdown(plan).split("## The numbers", 1)[1]
    if meant:
        assert "to apply to" not in numbers.split("\n- ", 2)[1]
        # A backup field the plan adds after the applications went out is counted apart
        # (it is not on the list sent).
        late = backups_added_late(plan.specialties, plan.summary.cycle_stage)
        apply = sum(p.verdict == "apply" and p.specialty not in late for p in plan.programs)
        assert f"- {label}: {apply}" in numbers


def test_after_the_rank_list_deadline_the_list_is_for_a_next_application(plans):
    plan = plans("v04", "2027-03-10")
    card = html(plan).split('<div class="main"><dt>', 1)[1].split("</div>", 1)[0]
    assert card.startswith("Programs for a next application</dt>")
    assert "<small>if this Match ends without one</small>" in card
