"""Findings 12 and 17 of the tenth advisor review: plans of the review's
profiles (copied to tests/data/review10_findings) and of small variants, against the real
border programs, read as the applicant reads them."""

from __future__ import annotations

import resplan
from resplan.model import Catalog
from tests.conftest import DATA, EXAMPLES, make_catalog, plan_of

PROFILES = DATA / "review10_findings"


def review_plan(host, catalog, name: str, as_of: str):
    profile = resplan.load_profile(PROFILES / f"{name}.toml")
    return resplan.plan(profile, catalog, host=host, as_of=as_of)


def actions(plan) -> dict:
    """The plan's steps by rule name (without the ruleset)."""
    return {a.id.split("/", 1)[1]: a for a in plan.actions}


def strengths(plan) -> dict[str, str]:
    return {f.name: " ".join(r.says for r in f.reasons) for f in plan.assessment.strengths}


# ---------------------------------------------------------------- finding 12


def test_the_soap_statements_include_the_field_the_plan_added(host, border_catalog):
    plan = review_plan(host, border_catalog, "p05-nine-years-dec", "2026-12-02")
    added = [t.name for t in plan.specialties if t.suggested]
    assert added == ["Internal Medicine"]
    soap = actions(plan)["soap"]
    assert (
        "short personal statements for Family Medicine and Internal Medicine and for "
        "preliminary or transitional years"
    ) in soap.detail


# ---------------------------------------------------------------- finding 17


def test_some_imgs_means_the_same_share_everywhere(host):
    catalog = make_catalog(
        {"id": "oh-dayton-seven-im", "city": "Dayton", "state": "OH", "img_share": 0.07},
        {"id": "oh-dayton-twelve-im", "city": "Dayton", "state": "OH", "img_share": 0.12},
    )
    plan = plan_of(host, catalog, applicant={"visa": "none", "specialties": ["Internal Medicine"]})
    by_id = {p.id: p for p in plan.programs}
    seven, twelve = by_id["oh-dayton-seven-im"], by_id["oh-dayton-twelve-im"]
    assert seven.tier == twelve.tier == 3
    [few] = [r for r in seven.reasons if r.says.startswith("Tier 3")]
    assert "some IMGs (7%" not in few.says
    assert few.says == (
        "Tier 3: only 7% of this program's residents are IMGs, under the 10% resplan counts "
        "as some IMG presence."
    )
    [some] = [r for r in twelve.reasons if r.says.startswith("Tier 3")]
    assert "takes some IMGs (12% of residents)" in some.says


def test_the_synthetic_sample_says_few_imgs_under_ten_percent(host, border_catalog):
    sample = host.read_catalog(EXAMPLES / "catalog" / "synthetic-national-sample.toml")
    both = Catalog(programs=border_catalog.programs + sample.programs)
    plan = review_plan(host, both, "p09-psych-peds-dec", "2026-12-02")
    said = [r.says for p in plan.programs for r in p.reasons]
    assert any("only 7% of this program's residents are IMGs, under the 10%" in s for s in said)
    for says in said:
        if "takes some IMGs (" in says:
            share = int(says.split("takes some IMGs (")[1].split("%")[0])
            assert share >= 10, says
