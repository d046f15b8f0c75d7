"""Application lists of the tenth review round (review 9 findings 5, 8 and 9, and review
8 finding 16's leftover), on profiles planned against the real border catalog, which is
short: few programs per specialty. Each test names what the plan says to that person,
and what it no longer says.
"""

from __future__ import annotations

import pytest

import resplan
from tests.conftest import DATA, EXAMPLES

BORDER = EXAMPLES / "catalog" / "border-programs.toml"
AS_OF = "2026-12-02"


@pytest.fixture(scope="module")
def catalog():
    return resplan.load_catalog(BORDER)


def plan_of(host, catalog, path):
    return resplan.plan(resplan.load_profile(path), catalog, host=host, as_of=AS_OF)


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
