"""How a plan reads profiles of the fourth advisor review (/work/review4 in its session):
one failed sitting in the singular, a file sent twice unchanged, the Step 1 number asked
as a correction and not a first step, needing no visa, and a statement built on the
border record the file has.

Each profile is a few lines, planned against the border programs.
"""

from __future__ import annotations

import pytest

import resplan
from resplan.cli import main
from tests.conftest import EXAMPLES, make_profile

BORDER = EXAMPLES / "catalog" / "border-programs.toml"
JULY, JUNE = "2026-07-15", "2026-06-03"
STEP2_228 = {"score": 228, "attempts": 1}


@pytest.fixture(scope="module")
def border():
    return resplan.load_catalog(BORDER)


def plan_of(host, border, *, as_of=JULY, applicant=None, **sections):
    applicant = {"visa": "J-1", "specialties": ["Internal Medicine"], **(applicant or {})}
    profile = make_profile(applicant=applicant, **sections)
    return resplan.plan(profile, border, host=host, as_of=as_of)


def actions(plan) -> dict:
    return {a.id: a for a in plan.actions}


def finding(plan, kind: str, name: str):
    [found] = [f for f in getattr(plan.assessment, kind) if f.name == name]
    return found


# ---------------------------------------------------------------- 7. one failed sitting


def test_one_failed_sitting_is_named_in_the_singular(host, border):
    exams = {"step1": {"result": "pass", "attempts": 2}, "step2ck": STEP2_228}
    steps = actions(plan_of(host, border, exams=exams))
    assert steps["applications/after-a-failure"].title == "Show that the failure is behind you"
    context = steps["applications/failure-context-graduate"]
    assert context.title.startswith("Ask a letter writer to give the reason for the failed attempt")
    assert "behind the failed attempt (" in context.detail
    statement = steps["applications/statement-failure-paragraph"]
    assert statement.title.endswith("what happened with the failed attempt")
    assert statement.detail.startswith("Mention the failed attempt once")
    letters = steps["applications/letters-failures-understate"]
    assert "better than your failed attempt suggests" in letters.detail
    everything = " ".join(a.title + " " + a.detail for a in steps.values())
    assert "failed attempts" not in everything


def test_failed_sittings_are_counted_across_exams_for_the_plural(host, border):
    # Two failed sittings of Step 1 and one of Step 2 CK: three on record.
    exams = {"step1": {"result": "pass", "attempts": 3}, "step2ck": {"score": 226, "attempts": 2}}
    steps = actions(plan_of(host, border, exams=exams))
    assert steps["applications/after-a-failure"].title == "Show that the failures are behind you"
    statement = steps["applications/statement-failure-paragraph"]
    assert statement.title.endswith("what happened with the failed attempts")


def test_a_failure_not_passed_yet_is_not_told_of_a_later_pass(host, border):
    exams = {
        "step1": {"result": "pass", "attempts": 1},
        "step2ck": {"attempts": 1, "result": "fail"},
    }
    step = actions(plan_of(host, border, exams=exams))["applications/after-a-failure"]
    assert "your later pass" not in step.detail
    assert "what has shown it since (a pass, strong evaluations" in step.detail


# ---------------------------------------------------------------- 2. the same file, sent again

REAPPLIED = {
    "exams": {"step1": {"result": "pass", "attempts": 1}, "step2ck": {"score": 219, "attempts": 1}},
    "languages": [{"name": "Spanish", "level": "fluent"}],
    "clinical": [{"kind": "hands-on", "months": 2, "city": "Houston", "state": "TX"}],
    "letters": [{"writer": "IM attending", "us_clinical": True}],
}


def test_a_file_sent_twice_unchanged_is_not_a_strong_fit_and_gets_a_second_field(host, border):
    plan = plan_of(
        host,
        border,
        as_of=JUNE,
        applicant={"previous_cycles": 2},
        reapplicant={"last_cycle": 2026, "changes": []},
        **REAPPLIED,
    )
    fields = {t.name: t for t in plan.specialties}
    im = fields["Internal Medicine"]
    assert im.fit == "possible"
    [reason] = im.reasons
    assert reason.rule == "specialties/unchanged-after-unmatched-cycles"
    assert reason.says.startswith("You applied twice before without matching")
    # The choice step says to add a field open to the applicant: the plan adds it.
    fm = fields["Family Medicine"]
    assert not fm.wished
    assert any(
        r.rule == "specialties/suggest-family-medicine-after-unchanged-cycles" for r in fm.reasons
    )
    # Two cycles are not "an earlier unmatched cycle".
    assert finding(plan, "weaknesses", "reapplicant").label == "applying before without matching"


def test_a_file_that_changed_keeps_its_fit(host, border):
    plan = plan_of(
        host,
        border,
        as_of=JUNE,
        applicant={"previous_cycles": 2},
        reapplicant={"last_cycle": 2026, "changes": ["us-clinical"]},
        **REAPPLIED,
    )
    im = next(t for t in plan.specialties if t.name == "Internal Medicine")
    assert im.fit == "strong"
    assert "specialties/unchanged-after-unmatched-cycles" not in {r.rule for r in im.reasons}


# ---------------------------------------------------------------- 4. a Step 1 number


def test_a_step1_number_is_asked_as_a_correction_after_the_real_steps(host, border):
    exams = {"step1": {"result": "pass", "attempts": 1}, "step2ck": {"score": 222, "attempts": 1}}
    # Planned before ERAS opens: from its opening the documents lead (see test_review6_advice).
    plan = plan_of(
        host, border, as_of="2026-05-20", applicant={"graduation_year": 2021}, exams=exams
    )
    ids = [a.id for a in plan.actions]
    ask = actions(plan)["assessment/step1-number"]
    assert ask.title == "If your Step 1 has a number, add it to your profile"
    assert ask.timing == "prepare"
    # Every step to start at once comes before it.
    first_now = [i for i, a in enumerate(plan.actions) if a.timing == "now"]
    assert first_now and max(first_now) < ids.index("assessment/step1-number")
    # The weak point says what programs see, then the profile advice in one sentence.
    [reason] = finding(plan, "weaknesses", "step1-pass-only").reasons
    assert reason.says.startswith("A Step 1 pass with no number gives programs nothing")
    assert reason.says.endswith("if so, add it to your profile.")


# ---------------------------------------------------------------- 10. no visa needed


def test_needing_no_visa_is_a_strength_and_not_a_border_strength(host, border):
    plan = plan_of(
        host,
        border,
        applicant={"visa": "none"},
        exams={"step1": {"result": "pass", "attempts": 2}, "step2ck": STEP2_228},
        languages=[{"name": "Spanish", "level": "native"}],
    )
    [reason] = finding(plan, "strengths", "no-visa-needed").reasons
    assert "including the many that sponsor no visa" in reason.says
    for field in plan.specialties:
        for r in field.reasons:
            if "border strengths (" in r.says:
                assert "no visa" not in r.says


@pytest.mark.parametrize(
    "citizen, rule, says, context",
    [
        (True, "outlook/group-us-img", "so NRMP counts you among US IMGs", "us-citizen"),
        (
            False,
            "outlook/group-permanent-resident",
            "so NRMP counts you among non-US IMGs",
            "",
        ),
        (None, "outlook/group-us-or-non-us-img", "permanent residents among them", "no-visa"),
    ],
)
def test_the_outlook_names_the_nrmp_group_of_a_citizen_or_permanent_resident(
    host, border, citizen, rule, says, context
):
    applicant = {"visa": "none"}
    if citizen is not None:
        applicant["us_citizen"] = citizen
    plan = plan_of(host, border, applicant=applicant, exams={"step2ck": STEP2_228})
    groups = [r for r in plan.outlook.says if r.rule.startswith("outlook/group-")]
    assert [r.rule for r in groups] == [rule]
    assert says in groups[0].says
    # The summary's context figure is that group's too.
    [figure] = [r.rule for r in plan.summary.advice if "match-rate-context" in r.rule]
    assert figure == "tiering/match-rate-context" + (f"-{context}" if context else "")


def test_a_us_citizen_with_a_visa_is_refused(tmp_path, capsys):
    profile = tmp_path / "profile.toml"
    profile.write_text(
        '[applicant]\ngraduation_year = 2022\ncycle = 2027\nvisa = "J-1"\nus_citizen = true\n',
        encoding="utf-8",
    )
    out = tmp_path / "plan.toml"
    assert main(["plan", str(profile), "--catalog", str(BORDER), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "profile.toml:5: applicant.us_citizen: is true, but visa names a visa" in err
    assert "Traceback" not in err and not out.exists()


# ---------------------------------------------------------------- 11. the statement


def test_the_statement_goes_to_border_medicine_only_with_a_border_record(host, border):
    exams = {"step1": {"result": "pass", "attempts": 2}, "step2ck": STEP2_228}
    two_months = [{"kind": "hands-on", "months": 2, "city": "San Diego", "state": "CA"}]
    without = actions(
        plan_of(
            host,
            border,
            exams=exams,
            clinical=two_months,
            languages=[{"name": "Spanish", "level": "intermediate"}],
        )
    )
    assert "applications/statement-border-story" not in without
    assert "applications/statement-program-fit" in without
    native = actions(
        plan_of(
            host,
            border,
            exams=exams,
            clinical=two_months,
            languages=[{"name": "Spanish", "level": "native"}],
        )
    )
    story = native["applications/statement-border-story"]
    assert "Mexico" not in story.detail and "more than one health system" in story.detail


# ---------------------------------------------------------------- a resident's plan B


def test_a_resident_is_not_told_to_start_a_clinical_role_after_match_day(host, border):
    plan = plan_of(
        host,
        border,
        as_of="2026-09-01",
        exams={
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 226, "attempts": 1},
        },
        clinical=[{"kind": "hands-on", "months": 5, "city": "El Paso", "state": "TX"}],
        training={"status": "current", "kind": "preliminary"},
    )
    steps = actions(plan)
    assert "between-cycles/plan-b-clinical-role" not in steps
    plan_b = steps["between-cycles/plan-b-resident"]
    assert plan_b.detail.startswith("Your preliminary year ends in June.")


# ---------------------------------------------------------------- a Transitional Year's words


def test_a_transitional_year_is_not_said_to_be_a_field_even_in_which(host, border):
    plan = plan_of(
        host,
        border,
        applicant={"specialties": ["Pediatrics", "Transitional Year"]},
        exams={
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 214, "attempts": 2},
        },
    )
    fields = {t.name: t for t in plan.specialties}
    assert any(r.says.startswith("Even in Pediatrics,") for r in fields["Pediatrics"].reasons)
    year = fields["Transitional Year"]
    assert year.fit == "possible"
    assert not any("Even in" in r.says for r in year.reasons)
