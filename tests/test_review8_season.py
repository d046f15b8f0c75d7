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
