"""How a plan reads a profile: plans of profiles the third advisor review read
(tests/data/review3) against the real border programs, on the review's dates.

Each test names what the plan must make of one part of a profile: a Step 2 CK sat with no
score yet, exam tables left out, failed Step 1 sittings before a good Step 2 CK, no US
clinical work, years since graduation once applications are open, the low band's words
and the ECFMG step.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from resplan.cli import main
from resplan.report.view import NEXT_ACTIONS
from tests.conftest import EXAMPLES

REVIEW = Path(__file__).parent / "data" / "review3"
BORDER = EXAMPLES / "catalog" / "border-programs.toml"
# The date the review planned each profile on.
AS_OF = {
    "s1-prelim-ohio-wants-border": "2026-09-20",
    "s3-unam-step2-pending": "2026-07-10",
    "s3b-step2-two-sittings-no-score": "2026-07-10",
    "s4-fm-nm-only-h1b": "2026-11-20",
    "s6-step1-two-fails": "2026-09-01",
    "s7-no-usce": "2026-08-15",
    "s8-minimal": "2026-12-10",
    "s9-after-match-2027": "2027-03-25",
    "s10-psych-ca-only-step3": "2026-10-01",
}


def run_plan(profile: Path, out: Path, as_of: str) -> dict:
    argv = ["plan", str(profile), "--catalog", str(BORDER), "--as-of", as_of]
    assert main([*argv, "--out", str(out)]) == 0
    return tomllib.loads(out.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    """Each reviewed profile's plan on the review's date, made once."""
    made: dict[str, dict] = {}
    folder = tmp_path_factory.mktemp("review3")

    def plan(name: str) -> dict:
        if name not in made:
            made[name] = run_plan(REVIEW / f"{name}.toml", folder / f"{name}.toml", AS_OF[name])
        return made[name]

    return plan


def variant(tmp_path: Path, name: str, old: str, new: str) -> dict:
    """The plan of a reviewed profile with one part of its text changed."""
    text = (REVIEW / f"{name}.toml").read_text(encoding="utf-8")
    assert old in text
    profile = tmp_path / f"{name}.toml"
    profile.write_text(text.replace(old, new), encoding="utf-8")
    return run_plan(profile, tmp_path / "plan.toml", AS_OF[name])


def actions(plan) -> dict[str, dict]:
    return {a["id"]: a for a in plan["actions"]}


def findings(plan, kind: str) -> dict[str, str]:
    return {f["name"]: " ".join(r["says"] for r in f["reasons"]) for f in plan["assessment"][kind]}


def missing(plan) -> dict[str, str]:
    return {m["key"]: m["says"] for m in plan["assessment"].get("missing", [])}


def words(plan) -> str:
    """Every sentence a reader meets outside the program list."""
    texts = [a["title"] + " " + a["detail"] for a in plan["actions"]]
    texts += [a["says"] for a in plan["summary"]["advice"]]
    for spec in plan["summary"].get("by_specialty", []):
        texts += [r["says"] for r in spec.get("reasons", [])]
    for spec in plan.get("specialties", []):
        texts += [r["says"] for r in spec.get("reasons", [])]
    texts += list(findings(plan, "strengths").values())
    texts += list(findings(plan, "weaknesses").values())
    texts += list(missing(plan).values())
    outlook = plan.get("outlook", {})
    texts += [s["says"] for s in outlook.get("says", [])]
    for spec in outlook.get("specialties", []):
        texts.append(spec["says"])
        texts += [r["says"] for part in ("against", "for") for r in spec.get(part, [])]
    return "\n".join(texts)


# ---------------------------------------------------------------- 1. sat, no score yet


@pytest.mark.parametrize("name", ["s3-unam-step2-pending", "s3b-step2-two-sittings-no-score"])
def test_step2ck_without_a_score_is_no_pass_yet(plans, name):
    plan = plans(name)
    text = words(plan)
    # Not a pass at the lowest passing score: no score is made up.
    assert "209" not in text and "lowest passing score" not in text
    weak = findings(plan, "weaknesses")
    assert "step2ck-not-passed" in weak
    assert not {"low-step2ck", "very-low-step2ck"} & set(weak)
    assert "Your score cannot change" not in text
    assert "name the score" not in text
    # What to add, and what it is read as until then.
    assert "If you passed, add your score" in missing(plan)["exams.step2ck.result"]
    # The pass is still needed, by this Match's rank list deadline, and it leads.
    first = plan["actions"][0]
    assert first["id"] == "applications/step2ck-pass-by-rank-list"
    assert "3 March 2027" in first["detail"]
    # That certification waits for the pass is said once, with the weakness (review 10).
    assert "ECFMG certification waits" not in first["detail"]
    assert "ECFMG certification and a place in this Match both wait for the pass" in text
    # An unknown score places the file in no band.
    assert {s["band"] for s in plan["outlook"]["specialties"]} == {"unknown"}


def test_step2ck_failures_before_the_last_sitting_are_counted(plans):
    # Two sittings with no pass: the first was a fail.
    weak = findings(plans("s3b-step2-two-sittings-no-score"), "weaknesses")
    assert "2 sittings of Step 2 CK" in weak["failed-attempt"]
    # One sitting with no result: whether it failed is unknown, so no failure is stated.
    assert "failed-attempt" not in findings(plans("s3-unam-step2-pending"), "weaknesses")


def test_a_pending_result_says_so_and_asks_for_nothing_else(tmp_path):
    plan = variant(
        tmp_path,
        "s3-unam-step2-pending",
        "[exams.step2ck]\n",
        '[exams.step2ck]\nresult = "pending"\n',
    )
    assert "exams.step2ck.result" not in missing(plan)
    assert "wait for the result" in findings(plan, "weaknesses")["step2ck-not-passed"]
    first = plan["actions"][0]
    assert first["id"] == "applications/step2ck-result-pending"
    assert "3 March 2027" in first["detail"]
    assert "failed-attempt" not in findings(plan, "weaknesses")


def test_a_failed_result_is_a_failed_attempt(tmp_path):
    plan = variant(
        tmp_path, "s3-unam-step2-pending", "[exams.step2ck]\n", '[exams.step2ck]\nresult = "fail"\n'
    )
    weak = findings(plan, "weaknesses")
    assert "You have not passed Step 2 CK yet" in weak["step2ck-not-passed"]
    assert "failed-attempt" in weak
    assert plan["actions"][0]["id"] == "applications/step2ck-pass-by-rank-list"


def test_a_pass_without_its_score_is_still_counted_at_the_lowest_pass(tmp_path):
    plan = variant(
        tmp_path, "s3-unam-step2-pending", "[exams.step2ck]\n", '[exams.step2ck]\nresult = "pass"\n'
    )
    assert "209, the lowest passing score" in missing(plan)["exams.step2ck.score"]
    assert "step2ck-not-passed" not in findings(plan, "weaknesses")


@pytest.mark.parametrize(
    ("table", "field", "words"),
    [
        (
            'score = 230\nresult = "fail"',
            "exams.step2ck.result",
            "leave the score out until you pass",
        ),
        ('score = 230\nresult = "pending"', "exams.step2ck.result", "the one you passed with"),
        ("score = 230\nattempts = 0", "exams.step2ck.attempts", "is 0 (not sat yet)"),
        ('attempts = 0\nresult = "pending"', "exams.step2ck.attempts", 'result "pending"'),
        ('attempts = 1\nresult = "passed"', "exams.step2ck.result", "passed"),
    ],
)
def test_impossible_step2ck_results_are_refused(tmp_path, capsys, table, field, words):
    profile = tmp_path / "profile.toml"
    profile.write_text(
        f'[applicant]\ngraduation_year = 2024\ncycle = 2027\nvisa = "J-1"\n\n'
        f"[exams.step2ck]\n{table}\n",
        encoding="utf-8",
    )
    out = tmp_path / "plan.toml"
    code = main(["plan", str(profile), "--catalog", str(BORDER), "--out", str(out)])
    assert code == 2
    assert not out.exists()
    err = capsys.readouterr().err
    assert field in err and words in err
    assert re.search(r"profile\.toml:\d+: ", err)  # the line
    assert "Traceback" not in err


# ---------------------------------------------------------------- 2. tables left out


def test_exam_tables_left_out_are_listed_and_read_as_what_they_are(plans):
    plan = plans("s8-minimal")
    left_out = missing(plan)
    assert "cannot judge it" in left_out["exams.step1"]
    assert "reads it as not sat yet" in left_out["exams.step2ck"]
    text = words(plan)
    # Never stated as a fact the profile does not give.
    assert "You have not sat Step 2 CK yet" not in text
    assert "does not give Step 2 CK, so this plan reads it as not sat yet" in text


def test_not_sat_said_in_the_profile_is_stated_and_not_asked_for(tmp_path):
    plan = variant(
        tmp_path, "s8-minimal", 'visa = "J-1"\n', 'visa = "J-1"\n\n[exams.step2ck]\nattempts = 0\n'
    )
    assert "exams.step2ck" not in missing(plan)
    assert "You have not sat Step 2 CK yet" in findings(plan, "weaknesses")["step2ck-not-taken"]


# ---------------------------------------------------------------- 6. failures, then a good score


def test_failures_with_a_good_step2ck_are_named_as_failures(plans):
    plan = plans("s6-step1-two-fails")
    text = words(plan)
    for wrong in (
        "name the score",
        "under their residents' average",
        "With a low score,",
        "a very low Step 2 CK",
    ):
        assert wrong not in text
    assert "3 sittings of Step 1" in findings(plan, "weaknesses")["failed-attempt"]
    ids = actions(plan)
    assert {
        "applications/statement-failure-paragraph",
        "applications/letters-failures-understate",
    } <= set(ids)
    assert "applications/statement-score-paragraph" not in ids
    # The upward trajectory is a strength of this file.
    trajectory = findings(plan, "strengths")["upward-trajectory"]
    assert "238" in trajectory and "3 sittings of Step 1" in trajectory


# ---------------------------------------------------------------- 7. and 13. no US clinical work


@pytest.mark.parametrize("name", ["s7-no-usce", "s8-minimal"])
def test_no_us_clinical_work_is_not_written_about(plans, name):
    text = words(plans(name))
    assert "your US clinical work" not in text
    assert "your US rotations" not in text
    assert "no US clinical work yet" in text


def test_no_strong_fit_without_us_clinical_work_or_letters(plans):
    plan = plans("s7-no-usce")
    fits = {s["name"]: s for s in plan["specialties"]}
    assert {s["fit"] for s in fits.values()} == {"possible"}
    for name in ("Internal Medicine", "Psychiatry"):
        said = " ".join(r["says"] for r in fits[name]["reasons"])
        assert "no hands-on US clinical work and no letter from a US clinical supervisor" in said


# ---------------------------------------------------------------- 11. and 16. words


@pytest.mark.parametrize("name", ["s8-minimal", "s10-psych-ca-only-step3"])
def test_years_since_graduation_are_counted_to_a_named_june(plans, name):
    text = words(plans(name))
    assert "when applications open" not in text
    assert "By the time applications open" not in text
    assert "Counted to June 2026, the opening of applications for the 2027 Match" in text


def test_the_low_band_includes_scores_under_220(plans):
    said = findings(plans("s4-fm-nm-only-h1b"), "weaknesses")["low-step2ck"]
    assert "218 is in the range the guide calls low (at or under about 220 to 225)" in said
    assert "runs from" not in said


# ---------------------------------------------------------------- 15. the ECFMG step


@pytest.mark.parametrize("name", ["s1-prelim-ohio-wants-border", "s9-after-match-2027"])
def test_the_ecfmg_step_is_conditional_and_does_not_lead(plans, name):
    plan = plans(name)
    ids = [a["id"] for a in plan["actions"]]
    step = actions(plan)["applications/ecfmg-certification"]
    assert step["title"].startswith("If you are not ECFMG certified yet")
    # What NRMP asks by the rank list deadline, as the sources say it (review6 finding 29).
    assert step["title"].endswith("finish it before the rank list deadline")
    assert "Complete ECFMG certification" not in step["title"]
    assert "No program can start your training without the full certificate" in step["detail"]
    assert "applications/ecfmg-certification" not in ids[:NEXT_ACTIONS]


# ---------------------------------------------------------------- 17. a US residency year

PRELIM = '[training]\nstatus = "current"\nkind = "preliminary"\n'


def test_a_resident_in_a_preliminary_year_gets_the_steps_of_a_resident(tmp_path):
    spanish = '[[languages]]\nname = "Spanish"'
    plan = variant(tmp_path, "s1-prelim-ohio-wants-border", spanish, f"{PRELIM}\n{spanish}")
    ids = set(actions(plan))
    assert {
        "applications/training-pd-letter",
        "applications/training-pd-contact",
        "applications/training-in-training-exam-ask",
    } <= ids
    # Nothing a resident cannot do during the year: volunteering, rotations.
    assert not ids & {
        "applications/serve-underserved-patients",
        "applications/usce-in-border-region",
        "applications/early-relationships",
        "applications/early-relationships-anywhere",
    }
    assert (
        "in your preliminary year in a US program now"
        in findings(plan, "strengths")["us-residency-year"]
    )


def test_a_strong_in_training_exam_is_quoted(tmp_path):
    spanish = '[[languages]]\nname = "Spanish"'
    year = PRELIM.replace('"current"', '"completed"') + "in_training_percentile = 72\n"
    plan = variant(tmp_path, "s1-prelim-ohio-wants-border", spanish, f"{year}\n{spanish}")
    quote = actions(plan)["applications/training-in-training-exam"]
    assert "percentile 72" in quote["detail"]
    assert "applications/training-in-training-exam-ask" not in actions(plan)
    # Once the year is over, the usual steps are open again.
    assert "finished your preliminary year" in findings(plan, "strengths")["us-residency-year"]
