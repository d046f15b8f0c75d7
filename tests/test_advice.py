"""Advice for this applicant: ``resplan plan`` on profiles an advisor of IMGs would bring
(tests/data/advisor/), read for what the plan says to that person.

Each defect of issue 10 that concerns words has a test here; every plan is also checked
for messages that contradict each other and for English (resplan.testing.wording).
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from resplan.cli import main
from resplan.testing import wording
from tests.conftest import DATA, EXAMPLES

ADVISOR = DATA / "advisor"
CATALOG = ADVISOR / "catalog.toml"
# Well ahead of the 2028 cycle the profiles apply for: the whole calendar is still ahead.
AS_OF = "2026-11-30"
PROFILES = sorted(p.stem for p in ADVISOR.glob("*.toml") if p.stem != "catalog")


def plan_for(name: str, tmp_path: Path, catalog: Path = CATALOG) -> dict:
    out = tmp_path / f"{name}.toml"
    assert (
        main(
            [
                "plan",
                str(ADVISOR / f"{name}.toml"),
                "--catalog",
                str(catalog),
                "--as-of",
                AS_OF,
                "--out",
                str(out),
            ]
        )
        == 0
    )
    return tomllib.loads(out.read_text(encoding="utf-8"))


def profile(name: str) -> dict:
    return tomllib.loads((ADVISOR / f"{name}.toml").read_text(encoding="utf-8"))


def actions(plan: dict) -> dict[str, dict]:
    return {a["id"].removeprefix("applications/"): a for a in plan["actions"]}


def everything(plan: dict) -> str:
    return "\n".join(text for _, text in wording.texts(plan))


def test_there_is_a_profile_for_each_case():
    assert set(PROFILES) >= {
        "no-border-ties",
        "high-scorer-245",
        "second-attempt-205",
        "no-step2ck",
        "nine-years",
        "reapplicant-nothing-new",
        "border-observership",
    }


@pytest.mark.parametrize("name", PROFILES)
def test_no_two_messages_of_a_plan_contradict_each_other(name, tmp_path, host):
    plan = plan_for(name, tmp_path)
    assert wording.contradictions(plan, profile(name), host.rulebook) == []


@pytest.mark.parametrize("name", PROFILES)
def test_every_message_of_a_plan_reads_well(name, tmp_path, host):
    forbidden = wording.forbidden_ids(host.rulebook)
    found = [
        f"{where}: {problem}"
        for where, text in wording.texts(plan_for(name, tmp_path))
        for problem in wording.problems(text, forbidden)
    ]
    assert found == []


def test_the_consistency_check_catches_the_issue_examples(host):
    """What issue 10 found in plans, written as a plan: each contradiction is named."""

    def reason(rule, says):
        return {"rule": rule, "says": says}

    plan = {
        "assessment": {
            "weaknesses": [
                {
                    "name": "limited-usce",
                    "reasons": [
                        reason(
                            "assessment/limited-usce",
                            "You report 0 months of hands-on US clinical work (observerships not counted).",
                        )
                    ],
                }
            ],
            "strengths": [
                {
                    "name": "border-usce",
                    "reasons": [
                        reason(
                            "assessment/border-usce",
                            "You already have 1 months of US clinical work inside a border sub-region.",
                        )
                    ],
                },
                {
                    "name": "working-spanish",
                    "reasons": [
                        reason("assessment/spanish-working", "Your Spanish is at medical level.")
                    ],
                },
            ],
        },
        "specialties": [],
        "regions": [],
        "programs": [],
        "actions": [
            {
                "id": "applications/x",
                "title": "Spanish first",
                "detail": "You report 2 months of hands-on US clinical work. Your scores "
                "are below average. Ask your Texas contacts.",
            }
        ],
        "summary": {
            "advice": [
                reason(
                    "tiering/borderline-programs", "Send them with a score that clears the minimum."
                )
            ]
        },
    }
    found = wording.contradictions(plan, {"exams": {"step2ck": {"score": 245}}}, host.rulebook)
    assert found == [
        "months of 'hands-on us clinical work' quoted as [0.0, 2.0]",
        "assessment border-usce: 1 months of border clinical time beside 0 months of "
        "hands-on work, observerships unsaid",
        "action applications/x: says 'below average', but no score is low",
        "action applications/x: says 'Spanish first', but there is no working Spanish",
        "'Texas contacts' without a Texas rotation",
        "summary tiering/borderline-programs: says 'a score that clears', but the score is in",
    ]


# ---------------------------------------------------------------- border storytelling


def test_no_border_storytelling_without_border_ties(tmp_path):
    """No Spanish, no border work, no preferred states: nothing asks for Spanish first,
    a diagnosis explained in Spanish or Texas contacts; the plan builds the assets
    instead and keeps the rest neutral."""
    plan = plan_for("no-border-ties", tmp_path)
    text = everything(plan)
    for phrase in (
        "Spanish first",
        "in Spanish",
        "Texas contacts",
        "your border experience",
        "Your Spanish is",
        "what you bring.",
    ):
        assert phrase not in text
    ids = set(actions(plan))
    assert {
        "start-medical-spanish",
        "serve-underserved-patients",
        "strengths-inventory",
        "statement-program-fit",
        "usce-in-border-region",
    } <= ids
    assert not ids & {
        "border-value-inventory",
        "statement-border-story",
        "cv-languages-first",
        "interview-spanish-cases",
        "letters-spanish-care",
        "border-story-for-scores",
    }


def test_border_assets_are_put_forward_when_they_exist(tmp_path):
    plan = plan_for("high-scorer-245", tmp_path)
    ids = set(actions(plan))
    assert {
        "border-value-inventory",
        "statement-border-story",
        "cv-languages-first",
        "interview-spanish-cases",
    } <= ids
    assert not ids & {"start-medical-spanish", "strengths-inventory", "statement-program-fit"}
    assert "Spanish first" in actions(plan)["cv-languages-first"]["detail"]


# ---------------------------------------------------------------- scores


def test_a_high_scorer_is_told_the_score_is_a_strength(tmp_path):
    plan = plan_for("high-scorer-245", tmp_path)
    text = everything(plan).lower()
    for phrase in (
        "below average",
        "score gap",
        "make up for your scores",
        "outshines your scores",
        "three-part answer",
    ):
        assert phrase not in text
    strength = actions(plan)["score-is-a-strength"]
    assert (
        "Your Step 2 CK of 245 is well above the range programs treat as low" in strength["detail"]
    )
    assert "a strength of your file" in strength["detail"]
    assert {s["name"]: s["fit"] for s in plan["specialties"]}["Internal Medicine"] == "strong"


def test_a_score_just_above_the_low_band_needs_no_explaining_but_is_not_called_strong(tmp_path):
    plan = plan_for("border-observership", tmp_path)  # Step 2 CK 226
    ids = set(actions(plan))
    assert "score-needs-no-explaining" in ids and "score-is-a-strength" not in ids
    assert "statement-score-paragraph" not in ids


def test_low_scores_get_the_score_advice(tmp_path):
    plan = plan_for("second-attempt-205", tmp_path)
    ids = set(actions(plan))
    assert {
        "statement-score-paragraph",
        "interview-score-answer",
        "letters-scores-understate",
        "after-a-failure",
        "border-story-for-scores",
    } <= ids
    assert not ids & {"score-is-a-strength", "score-needs-no-explaining"}
    weaknesses = {f["name"]: f for f in plan["assessment"]["weaknesses"]}
    assert weaknesses["failed-attempt"]["reasons"][0]["says"].startswith(
        "Your record shows 2 sittings of Step 2 CK"
    )


def test_no_step2ck_yet_is_not_called_a_low_score(tmp_path):
    plan = plan_for("no-step2ck", tmp_path)
    [im] = [s for s in plan["specialties"] if s["name"] == "Internal Medicine"]
    assert [r["rule"] for r in im["reasons"]] == ["specialties/open-untested-with-border-strengths"]
    assert "make up for your scores" not in everything(plan)
    assert {"step2ck-study-plan-first-number", "step2ck-sit-by"} <= set(actions(plan))


# ---------------------------------------------------------------- impossible advice


def test_a_passed_exam_is_never_to_be_retaken(tmp_path):
    """221 passed, one program 3 points over it and an advocate: that program is
    borderline, and the summary asks for the step its reason names, not a better score."""
    plan = plan_for("no-border-ties", tmp_path)
    borderline = [p for p in plan["programs"] if p["verdict"] == "borderline"]
    assert [p["id"] for p in borderline] == ["tx-elpaso-test-im"]
    says = {a["rule"]: a["says"] for a in plan["summary"]["advice"]}
    assert (
        says["tiering/borderline-programs"]
        == "1 program is borderline: send it only with the extra step that its reason names."
    )
    assert "clears the minimum" not in everything(plan)
    # What gets the file read past the filter is a note of its own, after the tier.
    assert "faculty member who offered to speak for you" in " ".join(
        r["says"] for r in borderline[0]["reasons"]
    )


def test_border_months_and_hands_on_months_agree(tmp_path):
    """One month of observership in El Paso: the border strength names it as an
    observership, the hands-on weakness does not count it, and neither says "1 months"."""
    plan = plan_for("border-observership", tmp_path)
    strengths = {f["name"]: f for f in plan["assessment"]["strengths"]}
    weaknesses = {f["name"]: f for f in plan["assessment"]["weaknesses"]}
    border = strengths["border-usce"]["reasons"][0]["says"]
    assert border.startswith(
        "You spent 1 month observing care in the US border region, in El Paso. It is not "
        "hands-on work, and most programs do not count it as US clinical experience."
    )
    assert weaknesses["limited-usce"]["reasons"][0]["says"].startswith(
        "You report no hands-on US clinical work (observerships not counted)"
    )
    assert "1 months" not in everything(plan)


# ---------------------------------------------------------------- English


def test_english_of_the_issue_examples(tmp_path):
    wish_unlikely = plan_for("second-attempt-205", tmp_path)
    suggested = [
        r["says"]
        for s in wish_unlikely["specialties"]
        if s["suggested"]
        for r in s["reasons"]
        if "at best" in r["says"]
    ]
    assert suggested and all("at best an unlikely fit" in s for s in suggested)

    no_spanish = everything(plan_for("no-border-ties", tmp_path))
    assert "Spanish is none" not in no_spanish and "none now" not in no_spanish
    assert "You list no Spanish." in no_spanish

    reapplicant = plan_for("reapplicant-nothing-new", tmp_path)
    text = everything(reapplicant)
    assert "(s)" not in text
    assert "You have applied once before without matching" in text

    nine = plan_for("nine-years", tmp_path)
    assert "you are 9 years past graduation" in everything(nine)
    assert actions(nine)["graduation-year-limits"]["detail"].startswith(
        "Counted to June 2027, the opening of applications for the 2028 Match, you are 9 years"
    )


# ---------------------------------------------------------------- the guide's steps 1, 4, 5

# Each thing the guide's steps 1, 4 and 5 tell an applicant to do, in resplan's words,
# with the actions that carry it (the first for applicants who have the asset, the
# others for those who build it or get the neutral version).
GUIDE_ACTIONS = {
    "Step 1": {
        "list border-region assets with examples for CV, statement and interviews": [
            "border-value-inventory",
            "strengths-inventory",
        ],
        "frame the file as fit with the border mission despite the scores": [
            "border-story-for-scores"
        ],
        "build a record of care for underserved or migrant patients": [
            "serve-underserved-patients"
        ],
    },
    # Step 1 names Spanish as the asset border programs look for first; how to build it
    # is the guide's third question.
    "FAQ 3": {
        "build Spanish to a level usable with patients": [
            "start-medical-spanish",
            "medical-spanish",
        ],
    },
    "Step 4": {
        "name the score briefly in the statement, then show growth": ["statement-score-paragraph"],
        "tie the statement to border communities and each program's mission": [
            "statement-border-story",
            "statement-program-fit",
        ],
        "choose US supervisors who saw your work and brief them": ["brief-letter-writers"],
        "ask writers to speak to care of Spanish-speaking patients": ["letters-spanish-care"],
        "ask writers to say clinical work outshines the scores": ["letters-scores-understate"],
        "put languages with levels prominently": ["cv-languages-first", "cv-languages"],
        "put border-relevant experience first": ["cv-border-experience-first"],
        "show leadership and advocacy": ["cv-leadership"],
        "write activities as counted impact": ["cv-impact-bullets"],
    },
    "Step 5": {
        "prepare a three-part answer on scores": ["interview-score-answer"],
        "know the region's health problems and show long-term commitment": [
            "interview-border-health"
        ],
        "bring real cases from Spanish-language or border work": [
            "interview-spanish-cases",
            "interview-border-cases",
        ],
        "send one short, specific note after each interview": ["post-interview-email"],
        "build relationships with target programs early": [
            "early-relationships",
            "early-relationships-anywhere",
        ],
    },
}


def test_each_thing_the_guide_steps_1_4_and_5_ask_for_is_an_action(host):
    [applications] = [rs for rs in host.rulebook.rulesets if rs.name == "applications"]
    rules = {rule.id: rule for rule in applications.rules}
    for step, statements in GUIDE_ACTIONS.items():
        for statement, ids in statements.items():
            for rule_id in ids:
                assert rule_id in rules, f"{step}: {statement}: no action {rule_id}"
                assert rules[rule_id].source.startswith(f"guide: {step} /"), (
                    f"{rule_id} cites {rules[rule_id].source!r}, not {step}"
                )


EXAMPLE_PROFILES = sorted((EXAMPLES / "profiles").glob("*.toml"))


@pytest.mark.parametrize("path", EXAMPLE_PROFILES, ids=lambda p: p.stem)
def test_the_example_plans_are_consistent_and_read_well(path, tmp_path, host):
    out = tmp_path / "plan.toml"
    # Before ERAS opens for the earliest example cycle (2027): the whole calendar ahead.
    assert (
        main(
            [
                "plan",
                str(path),
                "--catalog",
                str(EXAMPLES / "catalog" / "border-programs.toml"),
                "--as-of",
                "2026-05-01",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    plan = tomllib.loads(out.read_text(encoding="utf-8"))
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    forbidden = wording.forbidden_ids(host.rulebook)
    found = wording.contradictions(plan, data, host.rulebook)
    found += [
        f"{where}: {problem}"
        for where, text in wording.texts(plan)
        for problem in wording.problems(text, forbidden)
    ]
    assert found == []
