"""How a plan reads small profiles: what it says must be true for the person.

Each test plans a profile of a few lines against the border programs (or the small test
catalog) and checks a sentence that used to say something the profile does not support:
a worst value for an exam left out, a Step 1 pass nobody gave, a failed sitting nobody
reported, interviews as usual with no Step 2 CK pass, a score minimum missed with no
score.
"""

from __future__ import annotations

import pytest

import resplan
from resplan.report import render_report
from tests.conftest import DATA, EXAMPLES, make_profile

BORDER = EXAMPLES / "catalog" / "border-programs.toml"
SMALL = DATA / "catalog-small.toml"  # programs with Step 2 CK minimums
AHEAD, LATE_NOVEMBER = "2026-05-01", "2026-11-25"
MINIMAL = {"visa": "J-1", "specialties": ["Internal Medicine"]}
STEP1_PASS = {"result": "pass", "attempts": 1}


@pytest.fixture(scope="module")
def catalogs():
    return {"border": resplan.load_catalog(BORDER), "small": resplan.load_catalog(SMALL)}


def plan_of(host, catalogs, *, catalog="border", as_of=AHEAD, **sections):
    profile = make_profile(applicant=MINIMAL, **sections)
    return resplan.plan(profile, catalogs[catalog], host=host, as_of=as_of)


def actions(plan) -> dict:
    return {a.id: a for a in plan.actions}


def everything(plan) -> str:
    """Every sentence of the plan a reader meets outside the program list."""
    texts = [a.title + " " + a.detail for a in plan.actions]
    texts += [m.says for m in plan.assessment.missing]
    for finding in (*plan.assessment.weaknesses, *plan.assessment.strengths):
        texts += [r.says for r in finding.reasons]
    texts += [r.says for r in plan.summary.advice]
    texts += [w.change + " " + (w.note or "") for w in plan.what_if]
    return "\n".join(texts)


# ---------------------------------------------------------------- a. exam tables left out


def test_exam_tables_left_out_are_not_said_to_be_counted_at_a_worst_value(host, catalogs):
    plan = plan_of(host, catalogs)
    assert [m.key for m in plan.assessment.missing] == ["exams.step1", "exams.step2ck"]
    steps = actions(plan)
    # The plan stands no value in for a whole table: nothing says it counts one.
    assert "assessment/fill-profile-gaps" not in steps
    assert "worst value" not in everything(plan)
    step1 = steps["assessment/add-step1-to-profile"]
    assert step1.detail.startswith("Your profile does not give your Step 1, so this plan")
    assert "Add [exams.step1] to your profile" in step1.detail
    step2 = steps["assessment/add-step2ck-to-profile"]
    assert "reads it as not sat yet" in step2.detail and "attempts = 0" in step2.detail
    assert step1.category == step2.category == "verify"
    # The report's heading over what is left out does not say so either.
    for form in ("md", "html"):
        assert "worst likely value" not in render_report(plan, form)


def test_a_table_left_out_beside_a_part_left_out_gets_each_its_own_words(host, catalogs):
    plan = plan_of(
        host,
        catalogs,
        exams={"step1": STEP1_PASS},
        languages=[{"name": "Spanish"}],
    )
    steps = actions(plan)
    fill = steps["assessment/fill-profile-gaps"]
    # The Spanish level is counted at its worst; the Step 2 CK left out is not.
    assert fill.detail.startswith("Your profile leaves out the level of your Spanish. Where")
    assert "Step 2 CK" not in fill.detail
    assert "assessment/add-step2ck-to-profile" in steps
    assert "assessment/add-step1-to-profile" not in steps


# ---------------------------------------------------------------- b. no Step 1 given


def test_the_step2ck_study_step_assumes_no_step1_nobody_gave(host, catalogs):
    minimal = actions(plan_of(host, catalogs))
    assert "applications/step2ck-study-plan" not in minimal
    study = minimal["applications/step2ck-study-plan-strongest-score"]
    assert "Step 1" not in study.title + study.detail
    assert "225 or higher" in study.detail
    # With a pass-only Step 1, Step 2 CK carries the weight, as the guide says: it is the
    # first score programs see, said without calling a first-attempt pass a doubt (review
    # 10, finding 15).
    with_pass = actions(plan_of(host, catalogs, exams={"step1": STEP1_PASS}))
    study = with_pass["applications/step2ck-study-plan-first-number"]
    assert "first score programs will see" in study.detail and "doubts" not in study.detail
    assert "225 or higher" in study.detail
    assert "applications/step2ck-study-plan-strongest-score" not in with_pass
    assert "applications/step2ck-study-plan" not in with_pass
    # A good Step 1 score at the first sitting leaves no doubt to answer.
    scored = actions(plan_of(host, catalogs, exams={"step1": {"result": 245, "attempts": 1}}))
    assert "applications/step2ck-study-plan-strongest-score" in scored
    assert "applications/step2ck-study-plan" not in scored


def test_a_profile_without_step1_does_not_rule_out_a_failure(host, catalogs):
    # A good Step 2 CK at the first sitting says nothing of Step 1's sittings.
    plan = plan_of(host, catalogs, exams={"step2ck": {"score": 245, "attempts": 1}})
    steps = actions(plan)
    assert "applications/score-is-a-strength" not in steps
    assert "no failure is on record" not in everything(plan)
    [im] = plan.summary.by_specialty
    spread = [r for r in im.reasons if r.rule.startswith("tiering/spread-")]
    # Tier 3 of these catalogs holds no program for her in Internal Medicine: the spread
    # does not tell her to lean on it (review 9, finding 5).
    assert [r.rule for r in spread] == ["tiering/spread-scores-not-known-no-broad-net"]
    assert spread[0].says.startswith("resplan does not know all of your scores and attempts")
    # With Step 1 given, the same score is a strength.
    given = plan_of(
        host, catalogs, exams={"step1": STEP1_PASS, "step2ck": {"score": 245, "attempts": 1}}
    )
    assert "no failure is on record" in actions(given)["applications/score-is-a-strength"].detail


# ---------------------------------------------------------------- c. a retake, no result given


def test_a_step2ck_sat_with_no_result_is_not_read_as_failed_in_the_what_if(host, catalogs):
    exams = {"step1": STEP1_PASS, "step2ck": {"attempts": 1}}
    plan = plan_of(host, catalogs, catalog="small", as_of="2026-06-15", exams=exams)
    [retake] = [w for w in plan.what_if if w.rule == "what-if/retake-step2ck-result-not-given"]
    assert retake.change == "Pass Step 2 CK with 225 or more"
    assert "If the result you wait for is that pass, no sitting is added." in retake.note
    # The summary's sentence on it reads as one sentence, starting with the change.
    [said] = [r.says for r in plan.summary.advice if r.rule == retake.rule]
    assert said.startswith("Pass Step 2 CK with 225 or more: this would ")
    assert "If your last" not in everything(plan)


# ---------------------------------------------------------------- d. interviews without a pass


@pytest.mark.parametrize(
    "step2ck",
    [{"attempts": 1, "result": "pending"}, {"attempts": 1, "result": "fail"}, {"attempts": 1}],
)
def test_interviews_without_a_step2ck_pass_are_framed_as_unlikely(host, catalogs, step2ck):
    plan = plan_of(
        host, catalogs, as_of=LATE_NOVEMBER, exams={"step1": STEP1_PASS, "step2ck": step2ck}
    )
    ids = [a.id for a in plan.actions]
    first = ids.index("applications/interview-after-step2ck-pass")
    frame = plan.actions[first]
    assert frame.title == "Expect few interview invitations until your Step 2 CK pass shows"
    # It leads the interview steps, and a step to pass by the rank list deadline comes first.
    interview = [i for i, a in enumerate(plan.actions) if a.category == "interview"]
    assert interview[0] == first and len(interview) > 1
    assert any(a.timing == "by-rank-list" for a in plan.actions[:first])


def test_interviews_are_not_called_unlikely_with_a_pass_or_before_programs_read(host, catalogs):
    passed = plan_of(
        host,
        catalogs,
        as_of=LATE_NOVEMBER,
        exams={"step1": STEP1_PASS, "step2ck": {"score": 232, "attempts": 1}},
    )
    assert "applications/interview-after-step2ck-pass" not in actions(passed)
    # In May a pending result comes long before interviews.
    early = plan_of(
        host, catalogs, exams={"step1": STEP1_PASS, "step2ck": {"attempts": 1, "result": "pending"}}
    )
    assert "applications/interview-after-step2ck-pass" not in actions(early)


# ---------------------------------------------------------------- e. a strong border record


BORDER_WORK = [{"kind": "hands-on", "months": 6, "city": "McAllen", "state": "TX"}]
BORDER_ACTIVITIES = {
    "languages": [{"name": "Spanish", "level": "native"}],
    "activities": [{"kind": "border-health", "title": "clinic", "months": 24}],
}


def strong_border_says(plan) -> str:
    [finding] = [f for f in plan.assessment.strengths if f.name == "strong-border-profile"]
    return " ".join(r.says for r in finding.reasons)


@pytest.mark.parametrize("record", [{"clinical": BORDER_WORK}, BORDER_ACTIVITIES])
def test_a_strong_border_record_speaks_of_no_missed_minimum(host, catalogs, record):
    # Without a Step 2 CK score there is no minimum "you just miss", and with one the
    # minimum a score sits under is a program's: its row says so (review 9, finding 13).
    no_score = strong_border_says(plan_of(host, catalogs, exams={"step1": STEP1_PASS}, **record))
    scored = strong_border_says(
        plan_of(
            host,
            catalogs,
            exams={"step1": STEP1_PASS, "step2ck": {"score": 221, "attempts": 1}},
            **record,
        )
    )
    for says in (no_score, scored):
        assert "just miss" not in says and "minimum" not in says
        assert "Border programs look for such a record when they choose whom to interview" in says
