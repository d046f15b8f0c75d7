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
