"""Wording of review 6's open findings: one reason for one decision, and no zero part
of a list ("and 0 in tier 3").

Each profile is a few lines, planned against the border programs of the examples.
"""

from __future__ import annotations

import pytest

import resplan
from resplan.report import render_report, view
from resplan.report.labels import load_labels
from resplan.vocabulary import tier_words
from tests.conftest import EXAMPLES, make_profile

BORDER = EXAMPLES / "catalog" / "border-programs.toml"
SEPTEMBER = "2026-09-01"


@pytest.fixture(scope="module")
def border(host):
    return host.read_catalog(BORDER)


def plan_of(host, catalog, *, as_of=SEPTEMBER, applicant=None, step2ck=215, **sections):
    applicant = {"visa": "J-1", "graduation_year": 2024, "previous_cycles": 0, **(applicant or {})}
    sections.setdefault(
        "exams",
        {
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": step2ck, "attempts": 1},
        },
    )
    return resplan.plan(
        make_profile(applicant=applicant, **sections), catalog, host=host, as_of=as_of
    )


def reasons(plan, name: str) -> list[str]:
    [found] = [s for s in plan.specialties if s.name == name]
    return [r.says for r in found.reasons]


@pytest.mark.parametrize("score", [215, 230])
def test_a_competitive_wish_gets_one_reason_for_its_backup_field(host, border, score):
    # Finding 30: General Surgery alone, a reach at 215 and short of programs in the
    # catalog at 230. Either way one reason says why Internal Medicine is added.
    plan = plan_of(host, border, step2ck=score, applicant={"specialties": ["General Surgery"]})
    adds = [r for r in reasons(plan, "Internal Medicine") if "adds Internal Medicine" in r]
    assert len(adds) == 1, adds


def test_a_competitive_wish_beside_a_fair_one_keeps_its_own_reason(host, border):
    plan = plan_of(
        host, border, step2ck=230, applicant={"specialties": ["General Surgery", "Neurology"]}
    )
    adds = [r for r in reasons(plan, "Internal Medicine") if "adds Internal Medicine" in r]
    assert adds == [
        "Your wishes include a competitive field, and your Step 2 CK is not yet 240 or more. "
        "The plan adds Internal Medicine as your backup field, so that you still have a good "
        "chance of a place if the competitive field does not work out."
    ]


def test_tier_words_leave_out_the_tiers_without_programs():
    assert tier_words((5, 3, 0)) == "5 in tier 1 and 3 in tier 2"
    assert tier_words((4, 0, 0)) == "all 4 in tier 1"
    assert tier_words((0, 1, 0)) == "1 in tier 2"
    assert tier_words((2, 0, 7)) == "2 in tier 1 and 7 in tier 3"
    assert tier_words((1, 2, 3)) == "1 in tier 1, 2 in tier 2 and 3 in tier 3"
    assert tier_words((64, 36, 0), "%") == "64% in tier 1 and 36% in tier 2"
    assert tier_words((100, 0, 0), "%") == "all in tier 1"
    assert tier_words((0, 0, 0)) == "none"


def test_no_zero_part_in_the_applications_to_send_or_the_reports(host, border):
    # An Internal Medicine applicant in Texas: the border catalog has no tier 3 program.
    plan = plan_of(
        host,
        border,
        as_of="2026-07-15",
        step2ck=232,
        applicant={"specialties": ["Internal Medicine"], "states": ["TX"]},
    )
    [volume] = [v for v in plan.summary.by_specialty if v.name == "Internal Medicine"]
    assert volume.tiers[2] == 0 and volume.tiers[0] > 0
    texts = [r.says for v in plan.summary.by_specialty for r in v.reasons]
    [send] = [t for t in texts if t.startswith("From this catalog, send ")]
    assert send.endswith(f": {tier_words(volume.tiers)}.")
    assert "tier 3" not in send
    md = render_report(plan, "md")
    html = render_report(plan, "html")
    for text in (md, html):
        assert " 0 in tier" not in text
        assert " 0% in tier" not in text
        assert "and 0 borderline" not in text
    assert plan.summary.borderline == 0
    assert f"- {plan.summary.apply:,} programs to apply to\n" in md


# ---------------------------------------------------------------- facts to verify


def test_the_verify_step_names_the_most_promising_few_and_counts_the_rest(host, border):
    # A General Surgery hopeful in California and Arizona: many programs to verify.
    plan = plan_of(
        host, border, applicant={"specialties": ["General Surgery"], "states": ["CA", "AZ"]}
    )
    [step] = [a for a in plan.actions if a.id == "applications/verify-program-facts"]
    report = view.build(plan, load_labels(plan))
    listed = report.verify  # the report's list: real programs, most promising first
    assert len(listed) == plan.summary.to_verify > 5
    first = [f"{r.name} ({r.city}, {r.state})" for r in listed[:5]]
    # The five are the report's first five, in its order, and the sixth is not named.
    positions = [step.detail.index(name) for name in first]
    assert positions == sorted(positions)
    assert f"{listed[5].name} ({listed[5].city}" not in step.detail
    more = len(listed) - 5
    assert (
        f"; and {more} more programs: the list of programs says what to confirm at each. "
        in step.detail
    )
    assert "Start with the most promising: " in step.detail
    # The same words in the HTML report, where the list of programs is.
    html = render_report(plan, "html")
    assert f"and {more} more programs: the list of programs says what to confirm at each" in html
    assert 'id="verify">What to verify' in html


# ---------------------------------------------------------------- when-labels


@pytest.mark.parametrize(
    "as_of", ["2026-01-10", "2026-05-20", "2026-07-15", "2026-11-05", "2027-01-15", "2027-03-16"]
)
def test_a_when_label_is_a_month_then_one_phrase(host, border, as_of):
    # "(May 2027: As soon as possible: start on this today)" had two labels in one: each
    # step's timing is now its month, a colon, and one phrase without another colon.
    plan = plan_of(
        host,
        border,
        as_of=as_of,
        step2ck=221,
        applicant={"specialties": ["Internal Medicine"], "previous_cycles": 1},
        reapplicant={"last_cycle": 2026, "changes": []},
    )
    assert plan.actions
    for action in plan.actions:
        month, sep, phrase = action.when.partition(": ")
        assert sep and month.split()[-1].isdigit(), action.when
        assert ":" not in phrase, (action.id, action.when)
        assert phrase[0].isupper(), action.when
