"""Numbers that fit the applicant and the catalog, as a user reads them in the plan file.

Each test writes a profile and a catalog for one situation, runs ``resplan plan`` on them
and reads the TOML it wrote: how many applications per specialty and from which figure,
never more than the catalog holds, a tier spread that fits the programs there, border
sub-regions without programs, and summary advice that matches the applicant's scores.
"""

from __future__ import annotations

import copy

import tomli
import tomli_w

import resplan
from resplan.cli import main

CYCLE = 2027
AS_OF = "2026-03-02"  # a date well before ERAS opens for the 2027 Match

BASE_PROFILE = {
    "applicant": {
        "graduation_year": 2022,
        "cycle": CYCLE,
        "visa": "J-1",
        "specialties": ["Internal Medicine"],
        "states": ["TX", "NM"],
        "previous_cycles": 0,
    },
    "exams": {"step1": {"result": "pass", "attempts": 1}, "step2ck": {"score": 221, "attempts": 1}},
    "languages": [{"name": "Spanish", "level": "native"}, {"name": "English", "level": "fluent"}],
    "clinical": [{"kind": "hands-on", "months": 4, "city": "McAllen", "state": "TX"}],
    "letters": [{"writer": "Hospitalist", "us_clinical": True, "advocate": False}],
    "activities": [{"kind": "border-health", "title": "Free clinic", "months": 12}],
}


def profile(*, score=221, specialties=("Internal Medicine",), **applicant) -> dict:
    data = copy.deepcopy(BASE_PROFILE)
    data["exams"]["step2ck"]["score"] = score
    data["applicant"]["specialties"] = list(specialties)
    data["applicant"].update(applicant)
    return data


def program(id, **facts) -> dict:
    entry = {
        "id": id,
        "name": f"Fictional {id}",
        "specialty": "Internal Medicine",
        "track": "categorical",
        "city": "El Paso",
        "state": "TX",
        "visas": ["J-1", "H-1B"],
        "facts_as_of": 2025,
        "source": "test, fictional",
    }
    entry.update(facts)
    return entry


def tier1(id, **facts) -> dict:
    """A border program that welcomes IMGs: tier 1 under the tiering rules."""
    return program(
        id,
        img_share=0.6,
        underserved_focus=True,
        spanish_preferred=True,
        setting="community",
        **facts,
    )


def tier3(id, **facts) -> dict:
    """A program far from the border that takes many IMGs, though under half its residents
    (half or more would make it tier 1): tier 3 under the tiering rules."""
    return program(
        id,
        city="Detroit",
        state="MI",
        img_share=0.3,
        underserved_focus=False,
        spanish_preferred=False,
        setting="university",
        **facts,
    )


def plan_file(tmp_path, prof: dict, programs: list[dict]) -> dict:
    """Run ``resplan plan`` on a profile and catalog written for the test; the plan it wrote."""
    (tmp_path / "profile.toml").write_text(tomli_w.dumps(prof))
    (tmp_path / "catalog.toml").write_text(tomli_w.dumps({"program": programs}))
    out = tmp_path / "plan.toml"
    code = main(
        [
            "plan",
            str(tmp_path / "profile.toml"),
            "--catalog",
            str(tmp_path / "catalog.toml"),
            "--out",
            str(out),
            "--as-of",
            AS_OF,
        ]
    )
    assert code == 0
    text = out.read_text()
    # What the file says is what the library reads back.
    assert resplan.dumps_plan(resplan.loads_plan(text)) == text
    return tomli.loads(text)


def by_specialty(plan: dict, name: str) -> dict:
    return next(s for s in plan["summary"]["by_specialty"] if s["name"] == name)


def advice(plan: dict) -> str:
    return " ".join(a["says"] for a in plan["summary"].get("advice", []))


def regions(plan: dict) -> dict:
    return {r["id"]: r for r in plan["regions"]}


# ---------------------------------------------------------------- sub-regions


def test_subregion_without_a_catalog_program_says_so_instead_of_ranking_high(tmp_path):
    # Native Spanish and Texas among the wished states make every Texas sub-region "high";
    # the catalog has programs in El Paso only.
    plan = plan_file(tmp_path, profile(), [program("tx-elpaso-a-im")])
    got = regions(plan)
    assert got["tx-el-paso"]["priority"] == "high"
    laredo = got["tx-laredo"]
    assert laredo["priority"] == "none"
    first = laredo["reasons"][0]
    assert first["rule"] == "regions/no-program-in-catalog"
    assert "no program in Laredo" in first["says"]
    # Sub-regions with programs come first; those with nothing to rank come last.
    order = [r["priority"] for r in plan["regions"]]
    assert order.index("none") > order.index("high")
    assert all(p == "none" for p in order[order.index("none") :])


def test_a_program_outside_the_considered_specialties_does_not_count(tmp_path):
    # A Psychiatry program in Laredo does not give an Internal Medicine applicant
    # anything to apply to there.
    plan = plan_file(
        tmp_path,
        profile(),
        [
            program("tx-elpaso-a-im"),
            program("tx-laredo-a-psych", specialty="Psychiatry", city="Laredo"),
        ],
    )
    assert regions(plan)["tx-laredo"]["priority"] == "none"
    plan = plan_file(
        tmp_path,
        profile(specialties=["Internal Medicine", "Psychiatry"]),
        [
            program("tx-elpaso-a-im"),
            program("tx-laredo-a-psych", specialty="Psychiatry", city="Laredo"),
        ],
    )
    assert regions(plan)["tx-laredo"]["priority"] == "high"


# ---------------------------------------------------------------- how many applications


def tier_counts(plan: dict, specialty: str) -> list[int]:
    """Programs of the specialty not skipped, per tier, as the plan's [[programs]] list them."""
    counts = [0, 0, 0]
    for p in plan["programs"]:
        if p["specialty"] == specialty and p["verdict"] != "skip":
            counts[p["tier"] - 1] += 1
    return counts


def test_family_medicine_gets_a_family_medicine_figure_and_says_where_it_comes_from(tmp_path):
    plan = plan_file(
        tmp_path,
        profile(specialties=["Family Medicine"]),
        [program(f"tx-elpaso-{n}-fm", specialty="Family Medicine") for n in range(3)],
    )
    fm = by_specialty(plan, "Family Medicine")
    first = fm["reasons"][0]
    assert first["rule"] == "tiering/volume-family-medicine"
    assert "Family Medicine" in first["says"] and "resplan's reading" in first["says"]
    assert "Internal Medicine list" not in first["says"]
    assert fm["recommended"] == host_parameter("tiering", "applications_family_medicine")
    # The parameter behind it says honestly that no published figure exists.
    source = host_parameter_source("tiering", "applications_family_medicine")
    assert source.startswith("resplan's reading")
    # Internal Medicine keeps its published IMG figure.
    im = by_specialty(
        plan_file(tmp_path, profile(), [program("tx-elpaso-a-im")]), "Internal Medicine"
    )
    assert im["reasons"][0]["rule"] == "tiering/volume-internal-medicine-low-scores"
    assert "AAIM" in im["reasons"][0]["says"]
    assert im["recommended"] == 77


def test_each_considered_specialty_has_its_own_figure(tmp_path):
    plan = plan_file(
        tmp_path,
        profile(specialties=["Psychiatry", "Dermatology"]),
        [
            program("tx-elpaso-a-psych", specialty="Psychiatry"),
            program("tx-elpaso-a-derm", specialty="Dermatology"),
        ],
    )
    rules = {s["name"]: s["reasons"][0]["rule"] for s in plan["summary"]["by_specialty"]}
    assert rules["Psychiatry"] == "tiering/volume-psychiatry"
    # With a low score Dermatology is an unlikely fit: a short list, not a full one.
    assert rules["Dermatology"] == "tiering/volume-unlikely-field"
    derm = by_specialty(plan, "Dermatology")
    assert derm["recommended"] < by_specialty(plan, "Psychiatry")["recommended"]
    # A short list by choice: the plan does not send the applicant looking for more.
    assert derm["shortfall"] > 0
    assert "tiering/catalog-short-of-full-list" not in {r["rule"] for r in derm["reasons"]}


def test_a_28_program_catalog_never_gets_more_applications_than_programs_not_skipped(tmp_path):
    programs = [tier1(f"tx-elpaso-{n:02}-im") for n in range(7)]
    programs += [tier3(f"mi-detroit-{n:02}-im") for n in range(18)]
    # Three programs that sponsor no visa: skipped for a J-1 applicant.
    programs += [program(f"tx-elpaso-novisa-{n}-im", visas=[]) for n in range(3)]
    plan = plan_file(tmp_path, profile(), programs)
    summary = plan["summary"]
    assert summary["programs_considered"] == 28 and summary["skip"] == 3
    not_skipped = summary["apply"] + summary["borderline"]
    assert summary["applications"] == not_skipped == 25
    im = by_specialty(plan, "Internal Medicine")
    assert im["recommended"] == 77
    assert im["applications"] == 25 and im["shortfall"] == 77 - 25
    assert im["tiers"] == im["available"] == tier_counts(plan, "Internal Medicine")
    short = next(r for r in im["reasons"] if r["rule"] == "tiering/catalog-short-of-full-list")
    assert "25 programs in Internal Medicine" in short["says"]
    assert "find about 52 more" in short["says"] and "FREIDA" in short["says"]
    assert "about 154" not in advice(plan)
    assert any(a["rule"] == "tiering/catalog-short-overall" for a in summary["advice"])
    assert summary["recommended"] == 77 and summary["shortfall"] == 52


def test_tier_spread_never_asks_for_more_tier1_applications_than_tier1_programs(tmp_path):
    # 7 tier-1 programs and plenty of tier-3 ones: the catalog holds a full list, but 40%
    # of 77 would be 31 tier-1 applications.
    programs = [tier1(f"tx-elpaso-{n:02}-im") for n in range(7)]
    programs += [tier3(f"mi-detroit-{n:03}-im") for n in range(100)]
    plan = plan_file(tmp_path, profile(), programs)
    im = by_specialty(plan, "Internal Medicine")
    available = tier_counts(plan, "Internal Medicine")
    assert im["available"] == available and available[0] == 7
    assert im["applications"] == 77 and im["shortfall"] == 0
    assert im["target_spread"] == [40, 20, 40]
    assert all(sent <= there for sent, there in zip(im["tiers"], available))
    assert im["tiers"][0] == 7 and sum(im["tiers"]) == 77
    assert sum(im["spread"]) == 100
    short = next(r for r in im["reasons"] if r["rule"] == "tiering/tier1-short")
    assert "Tier 1 holds 7 programs in Internal Medicine, fewer than the 31" in short["says"]
    assert plan["summary"]["applications"] == 77
    assert not any(
        a["rule"] == "tiering/catalog-short-overall" for a in plan["summary"].get("advice", [])
    )


LOW_SCORE_WORDS = (
    "low score",
    "below average",
    "score gap",
    "score concern",
    "lean on tiers 1 and 3",
)


def test_a_245_scorer_gets_no_low_score_advice_in_the_summary(tmp_path):
    programs = [tier1("tx-elpaso-a-im"), tier3("mi-detroit-a-im")]
    plan = plan_file(tmp_path, profile(score=245), programs)
    im = by_specialty(plan, "Internal Medicine")
    text = (advice(plan) + " " + " ".join(r["says"] for r in im["reasons"])).lower()
    for words in LOW_SCORE_WORDS:
        assert words not in text
    rules = {r["rule"] for r in im["reasons"]} | {a["rule"] for a in plan["summary"]["advice"]}
    assert "tiering/spread-even" in rules
    assert not rules & {
        "tiering/spread-low-scores",
        "tiering/scores-are-not-everything",
        "tiering/volume-internal-medicine-low-scores",
    }
    assert im["recommended"] == 60 and im["target_spread"] == [35, 35, 30]
    # The same applicant with a 221 is told to lean on tiers 1 and 3.
    low = by_specialty(plan_file(tmp_path, profile(score=221), programs), "Internal Medicine")
    assert "tiering/spread-low-scores" in {r["rule"] for r in low["reasons"]}


def host_parameter(ruleset: str, name: str):
    return _parameter(ruleset, name).value


def host_parameter_source(ruleset: str, name: str) -> str:
    return _parameter(ruleset, name).source


def _parameter(ruleset: str, name: str):
    host = resplan.load_host(use_env=False)
    return next(rs for rs in host.rulebook.rulesets if rs.name == ruleset).parameters[name]


def test_a_step2ck_without_a_score_is_not_called_a_strong_score(tmp_path):
    prof = profile()
    del prof["exams"]["step2ck"]["score"]
    plan = plan_file(tmp_path, prof, [tier1("tx-elpaso-a-im"), tier3("mi-detroit-a-im")])
    im = by_specialty(plan, "Internal Medicine")
    rules = {r["rule"]: r["says"] for r in im["reasons"]}
    assert "tiering/spread-even" not in rules
    assert "not low" not in " ".join(rules.values())
    # Sat with no score: not passed yet, so no score is made up, and the spread is the
    # one for scores not known yet (see test_profile_gaps).
    [missing] = plan["assessment"]["missing"]
    assert missing["key"] == "exams.step2ck.result"
    assert "tiering/spread-low-scores" not in rules
    assert "tiering/spread-scores-not-known" in rules
    assert im["recommended"] == 77 and im["target_spread"] == [40, 20, 40]


def test_full_lists_over_the_average_are_said_to_be_many(tmp_path):
    # Two wished fields: the second is sized as a second field, so the lists come to the
    # average (137) and nothing is said to be many (review 8, finding 16).
    two = plan_file(
        tmp_path,
        profile(specialties=["Internal Medicine", "Family Medicine"]),
        [program("tx-elpaso-a-im")],
    )
    assert two["summary"]["recommended"] == 137
    assert "tiering/full-lists-over-average" not in {a["rule"] for a in two["summary"]["advice"]}
    # Three wished fields keep full lists: they are said to be many.
    plan = plan_file(
        tmp_path,
        profile(specialties=["Internal Medicine", "Family Medicine", "Pediatrics"]),
        [program("tx-elpaso-a-im")],
    )
    assert plan["summary"]["recommended"] == 231
    said = next(
        a["says"]
        for a in plan["summary"]["advice"]
        if a["rule"] == "tiering/full-lists-over-average"
    )
    assert "about 231 applications" in said and "137" in said
    # One field, with enough programs in the catalog that no backup field is added.
    ten = [program(f"tx-elpaso-{n}-im") for n in range(10)]
    one = plan_file(tmp_path, profile(), ten)
    assert [s["name"] for s in one["specialties"]] == ["Internal Medicine"]
    assert "tiering/full-lists-over-average" not in {a["rule"] for a in one["summary"]["advice"]}
