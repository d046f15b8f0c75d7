"""Application lists of the tenth review round (review 9 findings 5, 8 and 9, and review
8 finding 16's leftover), on profiles planned against the real border catalog, which is
short: few programs per specialty. Each test names what the plan says to that person,
and what it no longer says.
"""

from __future__ import annotations

import attrs
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


# ------------------------------------------------------------ review 9, finding 8


def test_backup_for_a_short_catalog_does_not_take_the_budget(host, catalog):
    """Family Medicine only, 8 programs in the catalog: Internal Medicine comes as a
    backup with a short list (20), well under the full Family Medicine list (77), and
    says that the short catalog is why."""
    plan = plan_of(host, catalog, DATA / "review10" / "fm-only.toml")
    fm, im = volume(plan, "Family Medicine"), volume(plan, "Internal Medicine")
    assert (fm.recommended, im.recommended) == (77, 20)
    assert plan.summary.recommended == 97
    assert (
        "added because this catalog holds too few programs of the field you named for a full list"
        in said(im)
    )
    assert "tiering/volume-backup-for-short-catalog" in {r.rule for r in im.reasons}
    [fm_cost, im_cost] = plan.summary.cost.by_specialty
    assert fm_cost.fee > 2 * im_cost.fee


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


# ------------------------------------------------------------ review 8, finding 16


def test_two_wished_fields_add_up_to_the_average_not_two_full_lists(host, catalog):
    """Internal and Family Medicine both wished: the second is sized as a second field,
    so the lists and their fees add up to about 137 applications, not 154."""
    plan = plan_of(host, catalog, EXAMPLES / "profiles" / "example.toml")
    assert plan.summary.recommended == 137
    assert volume(plan, "Internal Medicine").recommended == 77
    fm = volume(plan, "Family Medicine")
    assert fm.recommended == 60
    assert "You named two fields. Family Medicine comes second" in said(fm)
    assert sum(c.applications for c in plan.summary.cost.by_specialty) == 137


def test_a_backup_gets_no_gold_signal(host, catalog):
    """Internal Medicine, the backup, gives gold and silver signals: the plan proposes
    silver ones only there, and says why; Family Medicine keeps its signals."""
    plan = plan_of(host, catalog, DATA / "review10" / "fm-only.toml")
    signals = {s.specialty: s for s in plan.signals}
    im = signals["Internal Medicine"]
    assert im.programs and {p.kind for p in im.programs} == {"silver"}
    assert len(im.programs) <= im.silver
    assert "Internal Medicine is a backup field in this plan, so it proposes silver" in im.says
    assert "what you want most is Family Medicine" in im.says
    assert len(signals["Family Medicine"].programs) == 5


def test_a_wished_field_leads_a_backup_that_fits_better(host):
    """Anesthesiology wished (a fair aim with these scores), two programs in the catalog:
    Family Medicine comes as a backup and fits better, but the wished field leads: it
    keeps the full list and the backup gets the short one."""
    profile = resplan.load_profile(DATA / "review10" / "psych-only.toml")
    profile = attrs.evolve(
        profile, applicant=attrs.evolve(profile.applicant, specialties=("Anesthesiology",))
    )
    anesthesia = [
        {"id": f"tx-elpaso-anes-{i}", "specialty": "Anesthesiology", "img_share": 0.3}
        for i in range(2)
    ]
    family = [
        {"id": f"tx-elpaso-fm-{i}", "specialty": "Family Medicine", "img_share": 0.5}
        for i in range(12)
    ]
    plan = resplan.plan(profile, make_catalog(*anesthesia, *family), host=host, as_of=AS_OF)
    fits = {t.name: t.fit for t in plan.specialties}
    assert fits == {"Anesthesiology": "possible", "Family Medicine": "strong"}
    assert volume(plan, "Anesthesiology").recommended == 60
    fm = volume(plan, "Family Medicine")
    assert fm.recommended == 20
    assert "tiering/volume-backup-for-short-catalog" in {r.rule for r in fm.reasons}
    assert plan.summary.recommended == 80


def test_fees_of_a_field_the_catalog_lacks_say_what_they_cover(host, catalog):
    """Pediatrics wished, none in the border catalog: its fees are for a list still to
    find, and both the plan and the report say so."""
    plan = plan_of(host, catalog, DATA / "review9" / "p09-peds-research-year.toml")
    peds = volume(plan, "Pediatrics")
    assert peds.applications == 0 and peds.recommended == 77
    assert (
        "This catalog holds none of them: the figure is for a list you still have to find "
        "outside it." in said(peds)
    )
    text = render_report(plan, "md")
    assert "Pediatrics $1,740 for 77 applications, none of them in this catalog (" in text
    assert "Family Medicine $220 for 20 applications (" in text


def test_a_backup_beside_a_strong_wish_stays_short(host, catalog):
    """Psychiatry wished, two programs in the border catalog: Family Medicine comes as a
    backup that fits as well, with a short list (20), not 60 beside Psychiatry's 60."""
    plan = plan_of(host, catalog, DATA / "review10" / "psych-only.toml")
    assert volume(plan, "Psychiatry").recommended == 60
    assert volume(plan, "Family Medicine").recommended == 20
