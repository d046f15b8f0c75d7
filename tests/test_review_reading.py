"""How a plan reads the applicant's profile: plans of profiles an advisor reviewed
(tests/data/review2) against the real border programs, read the way the advisor read them.

Each test names what the plan must make of one part of a profile: border clinical work,
observerships, a reapplicant's changes, Step 3, research, a visa of "none", a passed
Step 2 CK, and an H-1B where no program lists one.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from resplan.cli import main
from tests.conftest import EXAMPLES

REVIEW = Path(__file__).parent / "data" / "review2"
BORDER = EXAMPLES / "catalog" / "border-programs.toml"
AS_OF = "2026-06-15"


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    """Each reviewed profile's plan, made once."""
    made: dict[str, dict] = {}
    folder = tmp_path_factory.mktemp("review2")

    def plan(name: str) -> dict:
        if name not in made:
            out = folder / f"{name}.plan.toml"
            argv = ["plan", str(REVIEW / f"{name}.toml"), "--catalog", str(BORDER)]
            assert main([*argv, "--as-of", AS_OF, "--out", str(out)]) == 0
            made[name] = tomllib.loads(out.read_text(encoding="utf-8"))
        return made[name]

    return plan


def actions(plan) -> dict[str, dict]:
    return {a["id"]: a for a in plan["actions"]}


def findings(plan, kind: str) -> dict[str, str]:
    """Each strength or weakness with its reasons' words."""
    return {f["name"]: " ".join(r["says"] for r in f["reasons"]) for f in plan["assessment"][kind]}


def advice(plan) -> dict[str, str]:
    return {a["rule"]: a["says"] for a in plan["summary"]["advice"]}


def words(plan) -> str:
    texts = [a["title"] + " " + a["detail"] for a in plan["actions"]]
    texts += [a["says"] for a in plan["summary"]["advice"]]
    texts += list(findings(plan, "strengths").values()) + list(
        findings(plan, "weaknesses").values()
    )
    texts += [w["change"] for w in plan.get("what_if", [])]
    return "\n".join(texts)


# ---------------------------------------------------------------- A. border clinical work


@pytest.mark.parametrize(
    "name", ["m-az-236-14mo", "n-third-time-231", "o-step3-h1b", "r-ca-native-nousce"]
)
def test_border_work_is_not_read_as_none(plans, name):
    # Hands-on months in Tucson and Yuma, El Paso or Chula Vista, or border-health work:
    # none of them is told that it lists no work with border communities.
    plan = plans(name)
    assert "applications/serve-underserved-patients" not in actions(plan)
    assert "You list no work with underserved, migrant or border communities" not in words(plan)


def test_no_border_or_underserved_work_still_gets_the_step(plans):
    # An observership in Houston and research: nothing with border or underserved patients.
    assert "applications/serve-underserved-patients" in actions(plans("p-neuro-im-2015"))


# ---------------------------------------------------------------- B. observerships


def test_an_observership_alone_is_no_strong_border_record(plans):
    plan = plans("r2-obs")
    strengths, weaknesses = findings(plan, "strengths"), findings(plan, "weaknesses")
    assert "strong-border-profile" not in strengths
    # The border time is named for what it was, beside the weak point that counts it out.
    assert strengths["border-usce"].startswith(
        "You spent 3 months observing care in the US border region, in San Diego and "
        "Chula Vista. It is not hands-on work, and most programs do not count it as US "
        "clinical experience."
    )
    # Its label does not call it clinical experience either (review 9, finding 10).
    label = next(f["label"] for f in plan["assessment"]["strengths"] if f["name"] == "border-usce")
    assert label == "time in clinics of the US border region"
    assert weaknesses["limited-usce"].startswith(
        "You report no hands-on US clinical work (observerships not counted)"
    )
    assert "observerships included" not in words(plan)


def test_hands_on_border_months_make_a_strong_record(plans):
    strengths = findings(plans("m-az-236-14mo"), "strengths")
    assert strengths["strong-border-profile"].startswith(
        "With 14 months of hands-on clinical work in the US border region you count as "
        "having strong border-relevant experience."
    )
    assert "14 months of hands-on clinical work" in strengths["border-usce"]


# ---------------------------------------------------------------- C. a reapplicant's changes


def test_a_reapplicant_is_told_to_lead_with_what_changed_and_asked_only_for_the_rest(plans):
    plan = plans("n-third-time-231")
    found = actions(plan)
    lead = found["between-cycles/lead-with-what-changed"]
    assert (
        "your file gained a new Step 2 CK result, new US clinical work, new letters and "
        "research output." in lead["detail"]
    )
    assert "Open the personal statement with them" in lead["detail"]
    assert "Put them first in ERAS" in lead["detail"]
    # New US clinical work, research and letters are there: not asked for again.
    for asked in (
        "between-cycles/us-clinical-role",
        "between-cycles/research-qi-output",
        "between-cycles/research-output-from-own-work",
        "between-cycles/mentor-feedback-new-letters",
        "between-cycles/visible-change",
    ):
        assert asked not in found, asked
    # What the file does not show yet is still asked for.
    assert "between-cycles/short-certificate" in found
    assert "between-cycles/mentor-feedback" in found
    assert "ask for new letters" not in words(plan)


# ---------------------------------------------------------------- D. Step 3 and the visa


def test_a_passed_step3_is_a_strength_and_the_answer_to_the_years_since_graduation(plans):
    plan = plans("o-step3-h1b")
    strengths = findings(plan, "strengths")
    assert strengths["step3-passed"].startswith("You have passed Step 3.")
    answer = actions(plan)["applications/graduation-gap-step3"]
    assert answer["detail"].startswith(
        "Counted to June 2026, the opening of applications for the 2027 Match, you are 7 years"
    )
    assert "Your Step 3 pass answers that." in answer["detail"]
    assert "Step 3 passed" in advice(plan)["tiering/two-jobs"]


@pytest.mark.parametrize(
    "name",
    ["k-peds-228-s1fail", "l-canadian-fm-nm", "r-ca-native-nousce", "o-step3-h1b"],
)
def test_no_other_exam_is_asked_for_where_none_can_be_sat(plans, name):
    # Not in training, no research or teaching post to sit a knowledge assessment in, or
    # Step 3 already passed: the step cannot be acted on.
    assert "applications/additional-standardized-measure" not in actions(plans(name))


def test_a_research_post_with_a_good_step2ck_is_asked_for_no_other_exam(plans):
    # A Step 1 of 209, but a Step 2 CK of 226, at the guide's aim: Step 2 CK already is
    # the second measure (tests/test_advice_leftovers.py: a low Step 2 CK gets the step).
    assert "applications/additional-standardized-measure" not in actions(plans("p-neuro-im-2015"))


def test_an_h1b_only_applicant_sees_what_a_j1_would_open_and_checks_visas_first(plans):
    plan = plans("o-step3-h1b")
    # Programs whose only reason to skip is that their listing names only a J-1.
    skipped = [
        p
        for p in plan["programs"]
        if [r["rule"] for r in p.get("reasons", [])] == ["screening/visa-not-sponsored"]
        and "listing names only the J-1 visa" in p["reasons"][0]["says"]
    ]
    assert len(skipped) > 1
    [j1] = [w for w in plan["what_if"] if w["rule"] == "what-if/accept-j1"]
    assert j1["change"] == "Also accept a J-1 visa"
    assert j1["programs_opened"] == len(skipped)
    assert advice(plan)["what-if/accept-j1"].startswith(
        f"Also accept a J-1 visa: this would open {len(skipped)} programs"
    )
    # Each program's visa sponsorship is the first fact to ask about.
    listed = actions(plan)["applications/verify-program-facts"]["detail"]
    programs = listed.split("Start with the most promising: ", 1)[1].split("; ")
    named = [p for p in programs if not p.startswith("and ")]  # not "and 3 more programs"
    assert named and all(
        p.split("): ", 1)[1].startswith("visa sponsorship") for p in named if "visa" in p
    )


def test_an_applicant_who_takes_a_j1_sees_no_such_change(plans):
    assert not [w for w in plans("k-peds-228-s1fail").get("what_if", []) if "J-1" in w["change"]]


# ---------------------------------------------------------------- E. a passed Step 2 CK


@pytest.mark.parametrize("name", ["l-canadian-fm-nm", "o-step3-h1b", "r-ca-native-nousce"])
def test_a_passed_step2ck_is_never_to_be_raised(plans, name):
    plan = plans(name)
    said = " ".join(w["change"] for w in plan.get("what_if", []))
    said += " ".join(advice(plan).values())
    assert "Step 2 CK of" not in said and "instead of" not in said


# ---------------------------------------------------------------- F. no visa


def test_no_visa_says_what_it_was_read_as(plans):
    said = advice(plans("l-canadian-fm-nm"))["assessment/no-visa-read-as"]
    assert "reads you as a US citizen or a US permanent resident (green card holder)" in said
    assert "If you are neither, you need a J-1 or H-1B visa, and so do Canadian citizens" in said
    assert "assessment/no-visa-read-as" not in advice(plans("k-peds-228-s1fail"))


def test_the_profile_guide_says_what_no_visa_means():
    text = (Path(__file__).parents[1] / "docs" / "profile.md").read_text(encoding="utf-8")
    section = text.split("### `applicant.visa`", 1)[1].split("\n### ", 1)[0]
    assert "US citizen or permanent resident" in section
    assert "Canadian citizen" in section
    changes = text.split("### `reapplicant.changes`", 1)[1].split("\n### ", 1)[0]
    assert "a better one" not in changes


# ---------------------------------------------------------------- G. research


def test_research_is_a_strength_and_no_one_is_told_to_join_a_project(plans):
    plan = plans("p-neuro-im-2015")
    said = findings(plan, "strengths")["research"]
    assert said.startswith("You have 24 months of research.")
    assert "Neurology" in said
    assert "research experience" in advice(plan)["tiering/two-jobs"]
    assert "Join a research" not in words(plan)
    assert "between-cycles/plan-b-research-output" in actions(plan)
    assert "between-cycles/plan-b-new-output" not in actions(plan)


# ---------------------------------------------------------------- H. an H-1B nobody lists


def test_no_h1b_in_the_states_makes_the_j1_the_route(plans):
    found = actions(plans("m-az-236-14mo"))
    assert "applications/step3-for-h1b" not in found
    route = found["applications/j1-realistic-route"]
    assert route["title"] == "Plan on a J-1 visa: no program in your states lists an H-1B"
    detail = route["detail"]
    assert "No program of your specialties in the states you named lists H-1B" in detail
    assert "applications/j1-ecfmg-sponsorship" in found
