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

BASE_PROFILE = {
    "applicant": {"graduation_year": 2022, "cycle": CYCLE, "visa": "J-1",
                  "specialties": ["Internal Medicine"], "states": ["TX", "NM"],
                  "previous_cycles": 0},
    "exams": {"step1": {"result": "pass", "attempts": 1},
              "step2ck": {"score": 221, "attempts": 1}},
    "languages": [{"name": "Spanish", "level": "native"},
                  {"name": "English", "level": "fluent"}],
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
    entry = {"id": id, "name": f"Fictional {id}", "specialty": "Internal Medicine",
             "track": "categorical", "city": "El Paso", "state": "TX",
             "visas": ["J-1", "H-1B"], "facts_as_of": 2025, "source": "test, fictional"}
    entry.update(facts)
    return entry


def tier1(id, **facts) -> dict:
    """A border program that welcomes IMGs: tier 1 under the tiering rules."""
    return program(id, img_share=0.6, underserved_focus=True, spanish_preferred=True,
                   setting="community", **facts)


def tier3(id, **facts) -> dict:
    """An IMG-heavy program far from the border: tier 3 under the tiering rules."""
    return program(id, city="Detroit", state="MI", img_share=0.6, underserved_focus=False,
                   spanish_preferred=False, setting="university", **facts)


def plan_file(tmp_path, prof: dict, programs: list[dict]) -> dict:
    """Run ``resplan plan`` on a profile and catalog written for the test; the plan it wrote."""
    (tmp_path / "profile.toml").write_text(tomli_w.dumps(prof))
    (tmp_path / "catalog.toml").write_text(tomli_w.dumps({"program": programs}))
    out = tmp_path / "plan.toml"
    code = main(["plan", str(tmp_path / "profile.toml"), "--catalog",
                 str(tmp_path / "catalog.toml"), "--out", str(out)])
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
    assert all(p == "none" for p in order[order.index("none"):])


def test_a_program_outside_the_considered_specialties_does_not_count(tmp_path):
    # A Psychiatry program in Laredo does not give an Internal Medicine applicant
    # anything to apply to there.
    plan = plan_file(tmp_path, profile(), [
        program("tx-elpaso-a-im"),
        program("tx-laredo-a-psych", specialty="Psychiatry", city="Laredo")])
    assert regions(plan)["tx-laredo"]["priority"] == "none"
    plan = plan_file(tmp_path, profile(specialties=["Internal Medicine", "Psychiatry"]), [
        program("tx-elpaso-a-im"),
        program("tx-laredo-a-psych", specialty="Psychiatry", city="Laredo")])
    assert regions(plan)["tx-laredo"]["priority"] == "high"
