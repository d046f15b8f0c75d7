"""Signals that can help, and reasons that say what they rest on, from the eighth advisor
review: plans of new profiles against the real border programs.

Each test reproduces a finding on a profile like the review's, at its date, and reads
what the plan now says to that person.
"""

from __future__ import annotations

import re

import pytest

import resplan
from tests.conftest import STEP1, plan_of


def signals_of(plan, specialty):
    return next(s for s in plan.signals if s.specialty == specialty)


# A US citizen with a strong Step 2 CK and no Spanish, aiming at California and Arizona
# (like the example high scorer): she needs no visa.
STRONG = {
    "applicant": {
        "visa": "none",
        "us_citizen": True,
        "specialties": ["Internal Medicine"],
        "states": ["CA", "AZ"],
    },
    "exams": {"step1": STEP1, "step2ck": {"score": 248, "attempts": 1}},
}


# ---------------------------------------------------------------- finding 7


def test_no_signal_where_few_imgs_train_and_no_visa_of_yours_is_sponsored(host, border_catalog):
    """Scripps Green (2% IMG residents) and UCSD (none; it sponsors a J-1 she does not
    need) are reaches she may apply to, but a signal there cannot help: none goes there,
    and the plan says why, once, with the share it counts from."""
    plan = plan_of(host, border_catalog, **STRONG)
    im = signals_of(plan, "Internal Medicine")
    ids = [c.id for c in im.programs]
    assert "ca-lajolla-scripps-green-im" not in ids
    assert "ca-sandiego-ucsd-im" not in ids
    assert ids  # the programs that take IMGs keep theirs
    assert im.says.count("few IMG residents") == 1
    assert "2 programs" in im.says and "under 10%" in im.says
    # Both programs pass every filter: the plan does not say they do not.
    assert "whose every known filter you pass: do not spend" not in im.says
    decisions = {p.id: p for p in plan.programs}
    assert decisions["ca-sandiego-ucsd-im"].verdict == "apply"


@pytest.mark.parametrize("visa", ["none", "J-1"])
def test_unknown_img_share_and_visas_keep_their_signals(host, border_catalog, visa):
    """The border Family Medicine, Pediatrics-free catalog's Transitional Year and Family
    Medicine listings state neither a share of IMG residents nor visas: unknown is not
    false, so they still get signals (and the plan says what to check first)."""
    plan = plan_of(
        host,
        border_catalog,
        applicant={
            "visa": visa,
            "specialties": ["Family Medicine", "Transitional Year"],
            "states": ["TX", "NM", "AZ", "CA"],
        },
        exams={"step1": STEP1, "step2ck": {"score": 248, "attempts": 1}},
    )
    for field in ("Family Medicine", "Transitional Year"):
        chosen = signals_of(plan, field).programs
        assert len(chosen) >= 3
        for c in chosen:
            assert "share of residents who are IMGs" in c.why
        assert "few IMG residents" not in signals_of(plan, field).says


def test_a_reach_that_sponsors_your_visa_gets_no_signal_either(host, border_catalog):
    """With a J-1, UCSD (no IMG residents, a J-1 on its listing) and Scripps Green (2%)
    are reaches she may apply to, but no signal goes there: a scarce signal is not spent
    on a program that has taken no or almost no IMGs, whatever its visas (review 11,
    finding 4, which replaced "after every realistic program")."""
    applicant = {**STRONG["applicant"], "visa": "J-1", "us_citizen": False}
    plan = plan_of(host, border_catalog, **{**STRONG, "applicant": applicant})
    im = signals_of(plan, "Internal Medicine")
    ids = [c.id for c in im.programs]
    assert not {"ca-sandiego-ucsd-im", "ca-lajolla-scripps-green-im"} & set(ids)
    assert "ca-sandiego-scrippsmercy-im" in ids  # visa unknown, 12% IMGs: realistic
    assert im.says.count("few IMG residents") == 1
    assert "Apply there only if you would truly go" in im.says


# ---------------------------------------------------------------- findings 22 and 24


def test_signal_reasons_do_not_repeat_the_kind_and_lists_state_their_count(host, border_catalog):
    plan = plan_of(
        host,
        border_catalog,
        applicant={
            "visa": "J-1",
            "specialties": ["Internal Medicine", "Family Medicine"],
            "states": ["TX", "NM"],
        },
    )
    for group in plan.signals:
        for c in group.programs:
            assert not c.why.startswith(("Gold signal.", "Silver signal."))
            assert "Gold signal." not in c.why and "Silver signal." not in c.why
    text = resplan.render_report(plan, "md")
    im = next(line for line in text.splitlines() if line.startswith("- **Internal Medicine**"))
    assert re.search(r"3 gold signals: [^.]+;", im)
    silver = sum(c.kind == "silver" for c in signals_of(plan, "Internal Medicine").programs)
    assert f"{silver} silver signals: " in im
    fm = next(line for line in text.splitlines() if line.startswith("- **Family Medicine**"))
    count = len(signals_of(plan, "Family Medicine").programs)
    assert f"{count} signals: " in fm
    html = resplan.render_report(plan, "html")
    assert f"to signal in Internal Medicine: 3 gold signals and {silver} silver signals" in html
    full = resplan.render_report(plan, "md", full=True)
    assert "  - Gold signal 1 of 3: " in full and f"Silver signal {silver} of {silver}: " in full


# ---------------------------------------------------------------- finding 15


def test_a_visa_that_earns_a_signal_is_dated(host, border_catalog):
    """The J-1 on a listing is what puts the program ahead; the reason says which year's
    listing says so, so that the reader can check it."""
    plan = plan_of(
        host,
        border_catalog,
        applicant={"visa": "J-1", "specialties": ["Internal Medicine"], "states": ["TX"]},
    )
    first = signals_of(plan, "Internal Medicine").programs[0]
    assert "Its 2025 listing says it sponsors the J-1." in first.why
