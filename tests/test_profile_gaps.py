"""Unknown on the applicant's side: a part the profile leaves out of what it reports.

A passed exam without its score, Spanish without a level, clinical months without a kind:
the plan lists the gap under ``[assessment] missing``, asks for it in an action, decides
as if it had its worst plausible value, and says so in each reason that rests on it.
Each test runs ``resplan plan`` on a profile and a catalog written for it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from resplan.cli import main

AS_OF = "2026-06-01"
VERDICT_ORDER = {"apply": 0, "borderline": 1, "skip": 2}

PROFILE = """\
[applicant]
graduation_year = 2026
cycle = 2027
visa = "J-1"
specialties = ["Internal Medicine"]
previous_cycles = 0

[exams.step1]
result = "pass"
attempts = 1

[exams.step2ck]
score = 221
attempts = 1

[[languages]]
name = "Spanish"
level = "native"

[[clinical]]
kind = "hands-on"
months = 4
city = "McAllen"
state = "TX"

[[letters]]
writer = "US clinical supervisor"
us_clinical = true
advocate = true
"""


def program(pid: str, **facts) -> str:
    lines = [
        f'[[program]]\nid = "{pid}"\nname = "Program {pid}"\nspecialty = "Internal Medicine"',
        'city = "El Paso"\nstate = "TX"\nvisas = ["J-1"]',
    ]
    for key, value in facts.items():
        lines.append(
            f"{key} = {value!r}".replace("'", '"')
            if isinstance(value, str)
            else f"{key} = {str(value).lower() if isinstance(value, bool) else value}"
        )
    return "\n".join(lines) + "\n"


CATALOG = "\n".join(
    [
        program("tx-elpaso-min-238-im", min_step2ck=238),
        program("tx-elpaso-min-218-im", min_step2ck=218),
        program("tx-elpaso-mean-236-im", mean_step2ck=236),
        program("tx-elpaso-first-try-im", max_attempts=1),
        program("tx-elpaso-plain-im", img_share=0.5),
        program("tx-elpaso-spanish-im", spanish_preferred=True),
    ]
)


def plan(tmp_path: Path, profile: str, name: str = "plan") -> dict:
    folder = tmp_path / name
    folder.mkdir()
    (folder / "profile.toml").write_text(profile, encoding="utf-8")
    (folder / "catalog.toml").write_text(CATALOG, encoding="utf-8")
    out = folder / "plan.toml"
    assert (
        main(
            [
                "plan",
                str(folder / "profile.toml"),
                "--catalog",
                str(folder / "catalog.toml"),
                "--out",
                str(out),
                "--as-of",
                AS_OF,
            ]
        )
        == 0
    )
    return tomllib.loads(out.read_text(encoding="utf-8"))


def programs(plan_: dict) -> dict[str, dict]:
    return {p["id"]: p for p in plan_["programs"]}


def decisions(plan_: dict) -> dict[str, tuple]:
    return {p["id"]: (p["verdict"], p.get("tier")) for p in plan_["programs"]}


def not_better(gap_plan: dict, other: dict) -> list[str]:
    """Programs whose verdict is better with the gap than in ``other``."""
    theirs = programs(other)
    return [
        pid
        for pid, p in programs(gap_plan).items()
        if VERDICT_ORDER[p["verdict"]] < VERDICT_ORDER[theirs[pid]["verdict"]]
    ]


def test_a_step2ck_without_its_score_is_asked_for_and_never_helps(tmp_path):
    with_score = plan(tmp_path, PROFILE, "with-221")
    # Passed, with the score left out (a score left out with no result is no pass yet:
    # tests/test_review3_reading.py).
    without = plan(tmp_path, PROFILE.replace("score = 221\n", 'result = "pass"\n'), "without")
    lowest = plan(tmp_path, PROFILE.replace("score = 221", "score = 214"), "with-214")

    # [assessment] names what is missing, for a person and for a program.
    [missing] = without["assessment"]["missing"]
    assert missing["key"] == "exams.step2ck.score"
    assert missing["label"] == "your Step 2 CK score"
    assert missing["says"] == (
        "Your profile leaves out your Step 2 CK score, so until you add "
        "it this plan counts 214, the lowest passing score."
    )
    assert with_score["assessment"]["missing"] == []

    # An action asks for it, first thing.
    [ask] = [a for a in without["actions"] if a["id"] == "assessment/fill-profile-gaps"]
    assert "Your profile leaves out your Step 2 CK score." in ask["detail"]
    assert ask["category"] == "verify" and ask["when"].startswith("June 2026")
    assert not [a for a in with_score["actions"] if a["id"] == "assessment/fill-profile-gaps"]

    # Verdicts and tiers are those of the worst plausible score, never better than 221's.
    assert decisions(without) == decisions(lowest)
    assert not_better(without, with_score) == []
    assert programs(with_score)["tx-elpaso-min-238-im"]["verdict"] == "skip"
    min_238 = programs(without)["tx-elpaso-min-238-im"]
    assert min_238["verdict"] == "skip"
    [reason] = min_238["reasons"]
    assert reason["rule"] == "screening/step2ck-far-below-minimum"
    assert reason["says"].startswith(missing["says"] + " Your Step 2 CK (214) is far under")

    # The score findings it rests on say that they are guesses.
    weaknesses = {w["name"]: w for w in without["assessment"]["weaknesses"]}
    assert weaknesses["very-low-step2ck"]["reasons"][0]["says"].startswith(missing["says"])
    # A program the score does not matter for does not mention it.
    plain = programs(without)["tx-elpaso-plain-im"]
    assert all("leaves out" not in r["says"] for r in plain["reasons"])


def test_a_step2ck_without_attempts_counts_the_most_usmle_allows(tmp_path):
    without = plan(tmp_path, PROFILE.replace("score = 221\nattempts = 1", "score = 221"))
    worst = plan(
        tmp_path, PROFILE.replace("score = 221\nattempts = 1", "score = 221\nattempts = 4"), "worst"
    )
    [missing] = without["assessment"]["missing"]
    assert missing["key"] == "exams.step2ck.attempts"
    assert "4 attempts, the most USMLE allows" in missing["says"]
    assert decisions(without) == decisions(worst)
    first_try = programs(without)["tx-elpaso-first-try-im"]
    assert first_try["verdict"] == "skip"
    assert all(r["says"].startswith(missing["says"]) for r in first_try["reasons"])


def test_spanish_without_a_level_is_asked_for(tmp_path):
    without = plan(tmp_path, PROFILE.replace('level = "native"\n', ""))
    basic = plan(tmp_path, PROFILE.replace('level = "native"', 'level = "basic"'), "basic")
    native = plan(tmp_path, PROFILE, "native")
    [missing] = without["assessment"]["missing"]
    assert (missing["key"], missing["label"]) == ("languages[0].level", "the level of your Spanish")
    assert decisions(without) == decisions(basic)
    assert not_better(without, native) == []
    assert "spanish" not in {s["name"] for s in without["assessment"]["strengths"]}


def test_clinical_months_without_a_kind_count_as_an_observership(tmp_path):
    without = plan(tmp_path, PROFILE.replace('kind = "hands-on"\n', ""))
    observership = plan(
        tmp_path, PROFILE.replace('kind = "hands-on"', 'kind = "observership"'), "observership"
    )
    [missing] = without["assessment"]["missing"]
    assert missing["key"] == "clinical[0].kind"
    assert missing["says"] == (
        "Your profile leaves out the kind of your clinical work in McAllen, "
        "TX, so until you add it this plan counts it as an observership."
    )
    assert decisions(without) == decisions(observership)
    weaknesses = {w["name"]: w for w in without["assessment"]["weaknesses"]}
    [reason] = weaknesses["limited-usce"]["reasons"]
    assert reason["says"].startswith(missing["says"] + " You report no hands-on")


def test_every_gap_is_listed_once_in_profile_order(tmp_path):
    profile = (
        PROFILE.replace("score = 221\n", 'result = "pass"\n')
        .replace('level = "native"\n', "")
        .replace("months = 4\n", "")
        .replace("us_clinical = true\n", "")
    )
    got = plan(tmp_path, profile)
    assert [m["key"] for m in got["assessment"]["missing"]] == [
        "exams.step2ck.score",
        "languages[0].level",
        "clinical[0].months",
        "letters[0].us_clinical",
    ]
    [ask] = [a for a in got["actions"] if a["id"] == "assessment/fill-profile-gaps"]
    assert ask["detail"].startswith(
        "Your profile leaves out how many months your clinical work in McAllen, TX lasted, the "
        "level of your Spanish, whether your letter from US clinical supervisor comes from a US "
        "clinical supervisor and your Step 2 CK score."
    )


@pytest.mark.parametrize(
    "old, new",
    [
        ("score = 221\n", 'result = "pass"\n'),
        ("attempts = 1\n\n[exams.step2ck]", "\n[exams.step2ck]"),
        ('level = "native"\n', ""),
        ('kind = "hands-on"\n', ""),
        ("us_clinical = true\n", ""),
    ],
)
def test_a_gap_never_makes_a_verdict_better_than_the_full_profile(tmp_path, old, new):
    assert old in PROFILE
    assert (
        not_better(
            plan(tmp_path, PROFILE.replace(old, new, 1), "gap"), plan(tmp_path, PROFILE, "full")
        )
        == []
    )
