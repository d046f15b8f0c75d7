"""The outlook ([outlook]): the applicant against published national figures, in words."""

from __future__ import annotations

import re
import tomllib

import pytest

import resplan
from resplan.check import check
from resplan.writer import dumps_plan, loads_plan, read_plan
from tests.conftest import DATA, EXAMPLES, make_profile

AS_OF = "2026-04-20"
PERCENT = re.compile(r"(\d+(?:\.\d+)?)%")


@pytest.fixture(scope="module")
def advisor_catalog(host):
    return host.read_catalog(DATA / "advisor" / "catalog.toml")


@pytest.fixture(scope="module")
def example_plan(host, example_profile, border_catalog):
    return resplan.plan(example_profile, border_catalog, host=host, as_of=AS_OF)


def _texts(outlook) -> list[str]:
    out = [r.says for r in outlook.says]
    for o in outlook.specialties:
        out += [o.says, *(r.says for r in (*o.against, *o.in_favour, *o.context))]
    return out


def _by_specialty(plan):
    return {o.specialty: o for o in plan.outlook.specialties}


def _profile(step1, step2ck, **applicant):
    """A 2023 graduate applying for 2027, who names earlier cycles (none) so the plan can
    place them: hands-on work in El Paso and one US letter, no Spanish."""
    exams = {"step1": step1}
    if step2ck is not None:
        exams["step2ck"] = step2ck
    return make_profile(
        applicant={
            "graduation_year": 2023,
            "cycle": 2027,
            "visa": "J-1",
            "specialties": ["Internal Medicine"],
            "states": ["TX"],
            "previous_cycles": 0,
            **applicant,
        },
        exams=exams,
        clinical=[{"kind": "hands-on", "months": 4, "city": "El Paso", "state": "TX"}],
        letters=[{"writer": "a", "us_clinical": True}],
    )


def test_example_plan_has_an_outlook_in_words_with_sources(example_plan):
    outlook = example_plan.outlook
    # The applicant's group and its national rate, what went with matching, NRMP's caution.
    rules = [r.rule for r in outlook.says]
    assert rules == [
        "outlook/group-non-us-img",
        "outlook/what-goes-with-matching",
        "outlook/nrmp-caution",
    ]
    group = outlook.says[0].says
    assert "non-US IMGs" in group and "58%" in group and "2025 Match" in group
    assert "not your chance" in group
    assert "not designed to predict" in outlook.says[2].says
    by = _by_specialty(example_plan)
    assert set(by) == {"Internal Medicine", "Family Medicine"}
    im = by["Internal Medicine"]
    assert im.band == "near" and im.says == (
        "In Internal Medicine, your file stands close to the typical IMG applicant."
    )
    # The reasons are this applicant's: Step 2 CK 221 against, native Spanish for.
    assert [r.rule for r in im.against] == ["outlook/low-step2ck"]
    assert "221" in im.against[0].says
    assert [r.rule for r in im.in_favour] == ["outlook/spanish-for-border"]
    assert (im.img_share, im.img_share_season) == (32.7, 2025)
    # Programs passed: every tier-1 program of the specialty, each with facts to verify.
    apply = [
        p
        for p in example_plan.programs
        if p.specialty == "Internal Medicine" and p.verdict == "apply"
    ]
    assert im.passed == len(apply) and im.passed_unknown == sum(bool(p.to_verify) for p in apply)
    assert any(f"{im.passed} programs in Internal Medicine" in r.says for r in im.context)
    # Every figure is listed with its source and season.
    figures = {f.name: f for f in outlook.figures}
    assert set(figures) == {
        "non_us_img_match_rate",
        "non_us_img_match_rate_before",
        "img_share_internal_medicine",
        "img_share_family_medicine",
    }
    assert all(f.source and f.season for f in figures.values())
    assert figures["non_us_img_match_rate"].season == 2025
    assert "11,465" in figures["non_us_img_match_rate"].source


def test_no_percentage_is_a_chance_for_the_person(example_plan):
    """Every percent the outlook prints is a published figure it lists; none is the person's."""
    values = {f.value for f in example_plan.outlook.figures}
    printed = [float(n) for text in _texts(example_plan.outlook) for n in PERCENT.findall(text)]
    assert printed and set(printed) <= values
    text = " ".join(_texts(example_plan.outlook)).lower()
    assert "your chance" not in text.replace("not your chance", "").replace(
        "never as your chance", ""
    )
    assert "probability" not in text and "likelihood" not in text


def test_strong_and_weak_applicants_get_different_bands_with_true_reasons(host, advisor_catalog):
    strong = resplan.plan(
        _profile({"result": 245, "attempts": 1}, {"score": 250, "attempts": 1}),
        advisor_catalog,
        host=host,
        as_of=AS_OF,
    )
    weak = resplan.plan(
        _profile({"result": "pass", "attempts": 1}, {"score": 210, "attempts": 2}),
        advisor_catalog,
        host=host,
        as_of=AS_OF,
    )
    s, w = _by_specialty(strong)["Internal Medicine"], _by_specialty(weak)["Internal Medicine"]
    assert s.band == "above" and w.band == "well-below"
    # Both have 4 hands-on months in El Paso: a strong border record, for both, but no
    # Spanish, so the record is told as context and weighs nothing (review 8, finding 26).
    assert [r.rule for r in s.in_favour] == ["outlook/high-step2ck"]
    assert [r.rule for r in w.in_favour] == []
    for plan in (strong, weak):
        assert [r.rule for r in plan.outlook.says][-1] == "outlook/border-record-no-spanish"
    assert "Step 2 CK of 250" in s.in_favour[0].says and not s.against
    assert [r.rule for r in w.against] == ["outlook/very-low-step2ck", "outlook/one-failed-attempt"]
    assert "Step 2 CK of 210" in w.against[0].says
    assert "2 attempts" in w.against[1].says
    # Neither is told about Spanish (none in these profiles) nor about years (4 since graduation).
    for o in (s, w):
        said = " ".join(r.says for r in (*o.against, *o.in_favour))
        assert "Spanish" not in said and "past graduation" not in said
    # A score-driven specialty weighs against a weak file, but resplan has no figure for
    # Dermatology: the plan names the finding and does not place the file in a band.
    derm = resplan.plan(
        _profile(
            {"result": "pass", "attempts": 1},
            {"score": 210, "attempts": 2},
            specialties=["Dermatology"],
        ),
        advisor_catalog,
        host=host,
        as_of=AS_OF,
    )
    d = _by_specialty(derm)["Dermatology"]
    assert d.band == "unknown"
    assert d.says.startswith("resplan has no published figures on IMG applicants in Dermatology")
    assert "outlook/score-driven-specialty" in [r.rule for r in d.against]


def test_a_field_without_figures_is_not_placed_above_the_typical_applicant(host, advisor_catalog):
    """A strong file in General Surgery, a field resplan has no figure for: the plan says
    it cannot place the file there, instead of claiming it stands above."""
    plan = resplan.plan(
        _profile(
            {"result": "pass", "attempts": 1},
            {"score": 241, "attempts": 1},
            specialties=["General Surgery", "Internal Medicine"],
        ),
        advisor_catalog,
        host=host,
        as_of=AS_OF,
    )
    by = _by_specialty(plan)
    surgery = by["General Surgery"]
    assert surgery.band == "unknown" and "stands above" not in surgery.says
    assert "cannot place your file against the typical IMG applicant in that field" in surgery.says
    # Internal Medicine has its figure, and a band.
    assert by["Internal Medicine"].band != "unknown"
    assert by["Internal Medicine"].says.startswith("In Internal Medicine, your file stands")


def test_a_specialty_without_a_figure_says_it_is_unknown(host, advisor_catalog):
    plan = resplan.plan(
        _profile(
            {"result": "pass", "attempts": 1},
            {"score": 232, "attempts": 1},
            specialties=["Dermatology", "Internal Medicine"],
        ),
        advisor_catalog,
        host=host,
        as_of=AS_OF,
    )
    derm = _by_specialty(plan)["Dermatology"]
    assert derm.img_share is None and derm.img_share_season is None
    unknown = [r for r in derm.context if r.rule == "outlook/img-share-unknown"]
    assert unknown and "unknown here: not low, not high" in unknown[0].says
    assert not any(f.name.endswith("dermatology") for f in plan.outlook.figures)
    assert not any("%" in r.says for r in (*derm.against, *derm.in_favour, *derm.context))
    # Internal Medicine, beside it, has its sourced figure.
    assert _by_specialty(plan)["Internal Medicine"].img_share == 32.7


@pytest.mark.parametrize(
    "name, band, against, favour, needs",
    [
        # No Step 2 CK yet: the score could place the file anywhere, and the plan says so.
        (
            "no-step2ck.toml",
            "unknown",
            ["outlook/little-hands-on-usce"],
            ["outlook/border-record"],
            "Step 2 CK score",
        ),
        (
            "high-scorer-245.toml",
            "above",
            [],
            ["outlook/high-step2ck", "outlook/us-letters", "outlook/spanish-for-border"],
            None,
        ),
        (
            "reapplicant-nothing-new.toml",
            "well-below",
            [
                "outlook/low-step2ck",
                "outlook/some-years-since-graduation",
                "outlook/reapplicant",
                # Two months of observership: no hands-on work at all (review 10).
                "outlook/no-hands-on-usce",
            ],
            [],
            None,
        ),
        (
            "nine-years.toml",
            "below",
            ["outlook/many-years-since-graduation"],
            ["outlook/spanish-for-border"],
            None,
        ),
        ("no-border-ties.toml", "below", ["outlook/low-step2ck"], [], None),
    ],
)
def test_advisor_profiles(host, advisor_catalog, name, band, against, favour, needs):
    profile = resplan.load_profile(DATA / "advisor" / name)
    plan = resplan.plan(profile, advisor_catalog, host=host, as_of=AS_OF)
    im = _by_specialty(plan)["Internal Medicine"]
    assert im.band == band
    assert [r.rule for r in im.against] == against
    assert [r.rule for r in im.in_favour] == favour
    if needs:
        assert "cannot place your file in one band yet" in im.says and needs in im.says
    else:
        assert "cannot place" not in im.says


def test_nine_years_and_no_spanish_are_said_as_they_are(host, advisor_catalog):
    nine = resplan.plan(
        resplan.load_profile(DATA / "advisor" / "nine-years.toml"),
        advisor_catalog,
        host=host,
        as_of=AS_OF,
    )
    said = _by_specialty(nine)["Internal Medicine"].against[0].says
    assert "9 years past graduation" in said and "past the 7 years" in said
    plain = resplan.plan(
        resplan.load_profile(DATA / "advisor" / "no-border-ties.toml"),
        advisor_catalog,
        host=host,
        as_of=AS_OF,
    )
    assert not any("Spanish" in text for text in _texts(plain.outlook))


def test_an_applicant_without_a_visa_gets_both_groups(host, advisor_catalog):
    plan = resplan.plan(
        _profile({"result": "pass", "attempts": 1}, {"score": 232, "attempts": 1}, visa="none"),
        advisor_catalog,
        host=host,
        as_of=AS_OF,
    )
    group = plan.outlook.says[0]
    assert group.rule == "outlook/group-us-or-non-us-img"
    assert "67.8%" in group.says and "58%" in group.says
    assert {f.name for f in plan.outlook.figures} >= {"us_img_match_rate", "non_us_img_match_rate"}


def test_outlook_round_trips_through_toml(example_plan, tmp_path):
    text = dumps_plan(example_plan)
    data = tomllib.loads(text)
    assert data["schema"] == 2
    assert data["outlook"]["specialties"][0]["band"] == "near"
    assert loads_plan(text).outlook == example_plan.outlook
    path = tmp_path / "plan.toml"
    resplan.write_plan(example_plan, path)
    assert read_plan(path).outlook == example_plan.outlook


def test_reports_show_the_outlook_with_sources(example_plan):
    md = resplan.render_report(example_plan, "md")
    assert "**Your outlook against national figures**" in md
    assert "your file stands close to the typical IMG applicant" in md
    assert "Source: NRMP, Main Residency Match results, 2024 and 2025." in md
    assert "(2025 Match): 58" in md and "11,465" in md
    html = resplan.render_report(example_plan, "html")
    assert '<h3 id="outlook">Your outlook against national figures</h3>' in html
    assert "<td>Close to the typical IMG applicant</td>" in html
    assert "Published figures the outlook quotes" in html
    assert "guide, FAQ 3: Spanish fluency" in html  # a finding's source beside it


def test_a_figure_is_data_an_institution_can_change(tmp_path):
    from resplan.plugins import RulesetSource

    override = RulesetSource(
        text=(
            '[ruleset]\nname = "next-season"\nversion = "1"\n'
            '[overrides.parameters]\n"outlook.img_share_internal_medicine" = 35.1\n'
            '"outlook.img_share_internal_medicine_season" = 2026\n'
        ),
        label="next-season.toml",
    )

    class Plugin:
        @resplan.hookimpl
        def resplan_rulesets(self):
            return [override]

    host = resplan.load_host(use_env=False, plugins=[Plugin()])
    plan = resplan.plan(
        resplan.load_profile(EXAMPLES / "profiles" / "example.toml"),
        host.read_catalog(EXAMPLES / "catalog" / "border-programs.toml"),
        host=host,
        as_of=AS_OF,
    )
    im = _by_specialty(plan)["Internal Medicine"]
    assert (im.img_share, im.img_share_season) == (35.1, 2026)
    figure = next(f for f in plan.outlook.figures if f.name == "img_share_internal_medicine")
    assert figure.value == 35.1 and figure.season == 2026
    assert "overridden by ruleset 'next-season'" in figure.source


def test_check_covers_the_outlook_ruleset(tmp_path):
    findings = check([EXAMPLES.parent / "rulesets" / "outlook.toml"])
    assert not [f for f in findings if f.severity == "error"], findings
    # No parameter is left unused: the figures by specialty and band edges are read by code.
    assert not [f for f in findings if "is used by no rule" in f.message], findings
    bad = tmp_path / "bad.toml"
    bad.write_text(
        '[ruleset]\nname = "bad"\n\n[[outlook]]\nid = "zero"\nwhen = "true"\n'
        'weight = 0\nsays = "Nothing."\nsource = "test"\n'
    )
    errors = [f for f in check([bad]) if f.severity == "error"]
    assert len(errors) == 1 and errors[0].line == 7 and "not a weight" in errors[0].message
