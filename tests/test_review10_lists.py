"""Application lists of the tenth review round (review 9 findings 5, 8 and 9, and review
8 finding 16's leftover), on profiles planned against the real border catalog, which is
short: few programs per specialty. Each test names what the plan says to that person,
and what it no longer says.
"""

from __future__ import annotations

import pytest

import resplan
from resplan.report import render_report
from tests.conftest import DATA, EXAMPLES, make_catalog

BORDER = EXAMPLES / "catalog" / "border-programs.toml"
AS_OF = "2026-12-02"


@pytest.fixture(scope="module")
def catalog():
    return resplan.load_catalog(BORDER)


def plan_of(host, catalog, path):
    return resplan.plan(resplan.load_profile(path), catalog, host=host, as_of=AS_OF)


def volume(plan, name: str):
    [found] = [v for v in plan.summary.by_specialty if v.name == name]
    return found


def said(volume_) -> str:
    return " ".join(r.says for r in volume_.reasons)


# ------------------------------------------------------------ review 9, finding 5


def test_tier3_of_reaches_only_is_not_called_a_broad_net(host, catalog):
    """A strong Step 2 CK keeps two programs that take no or few IMGs as reaches, the
    only tier 3 rows: the report calls them reach programs, not a broad net."""
    plan = plan_of(host, catalog, EXAMPLES / "profiles" / "high-scorer-no-spanish.toml")
    text = render_report(plan, "md", full=True)
    assert "Tier 3: reach programs" in text
    assert "a broad net" not in text
    html = render_report(plan, "html")
    assert "Tier 3: reach programs" in html
    assert "a broad net" not in html


def test_no_advice_to_lean_on_an_empty_tier3(host, catalog):
    """Family Medicine and Internal Medicine have no tier 3 program in the border catalog
    for this person: the plan does not tell her to lean on tier 3 there, and says where
    the tier 3 part of the list is to be found."""
    plan = plan_of(host, catalog, DATA / "review10" / "fm-only.toml")
    for name in ("Family Medicine", "Internal Medicine"):
        v = volume(plan, name)
        assert v.available[2] == 0
        assert "lean on tiers 1 and 3" not in said(v)
        assert f"In {name}, tier 3 of this catalog holds no program known to take IMGs" in said(v)
        assert "tiering/spread-low-scores-no-broad-net" in {r.rule for r in v.reasons}


def test_tier3_with_a_broad_net_keeps_its_words(host):
    """A tier 3 with a program that takes IMGs is still the broad net to lean on."""
    catalog = make_catalog(
        {"id": "el-paso", "img_share": 0.6},
        {"id": "chicago", "city": "Chicago", "state": "IL", "img_share": 0.4},
    )
    plan = plan_of(host, catalog, EXAMPLES / "profiles" / "border-ties-low-step2.toml")
    v = volume(plan, "Internal Medicine")
    assert v.available[2] > 0
    assert "lean on tiers 1 and 3" in said(v)


# ------------------------------------------------------------ review 9, finding 9


def test_family_medicine_added_without_spanish_names_no_spanish(host, catalog):
    """A reapplicant with nothing new, no Spanish and no underserved work gets Family
    Medicine added beside Internal Medicine: its reason names no Spanish and no
    underserved work."""
    plan = plan_of(host, catalog, DATA / "review9" / "p06-reapplicant-nothing-new.toml")
    [fm] = [t for t in plan.specialties if t.name == "Family Medicine"]
    assert fm.suggested
    [text] = [r.says for r in fm.reasons if r.rule.startswith("specialties/suggest-")]
    assert "Spanish" not in text
    assert "underserved" not in text
    assert "beside Internal Medicine, the guide names it among the fields most open" in text


def test_family_medicine_added_for_spanish_names_only_what_she_has(host, catalog, tmp_path):
    """The same reapplicant with native Spanish: the reason names her Spanish, and no
    underserved work, which she does not have."""
    text = (DATA / "review9" / "p06-reapplicant-nothing-new.toml").read_text(encoding="utf-8")
    text = text.replace('name = "Spanish"\nlevel = "basic"', 'name = "Spanish"\nlevel = "native"')
    path = tmp_path / "spanish.toml"
    path.write_text(text, encoding="utf-8")
    plan = plan_of(host, catalog, path)
    [fm] = [t for t in plan.specialties if t.name == "Family Medicine"]
    [reason] = [r for r in fm.reasons if r.rule.startswith("specialties/suggest-")]
    assert reason.rule == "specialties/suggest-family-medicine-after-unchanged-cycles"
    assert "it counts what you bring (fluent or native Spanish) more than a score" in reason.says
    assert "underserved" not in reason.says
