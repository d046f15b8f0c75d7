"""The application season: ERAS fees of the plan's list ([summary.cost])."""

from __future__ import annotations

import tomllib

import pytest

import resplan
from resplan.cli import main
from resplan.errors import RulesetError
from resplan.season import eras_fee, fee_schedule
from resplan.testing.hosts import ruleset_plugin
from resplan.writer import loads_plan
from tests.conftest import EXAMPLES, make_catalog, make_profile

PROFILE = EXAMPLES / "profiles" / "example.toml"
CATALOGS = (
    EXAMPLES / "catalog" / "border-programs.toml",
    EXAMPLES / "catalog" / "synthetic-national-sample.toml",
)


def _family_medicine_catalog(size: int):
    return make_catalog(
        *(
            {"id": f"fm{i:03}", "specialty": "Family Medicine", "img_share": 0.5, "visas": ["J-1"]}
            for i in range(size)
        )
    )


@pytest.mark.parametrize(
    "applications, fee", [(0, 0), (1, 11), (30, 330), (31, 360), (50, 930), (80, 1830), (100, 2430)]
)
def test_fee_schedule_of_the_2026_season(host, applications, fee):
    # The worked figures of AAMC's 2026 schedule: $11 each for 1-30, $30 from the 31st.
    season, bands = fee_schedule(host.rulebook)
    assert season == 2026
    assert eras_fee(applications, bands) == fee


def test_plan_of_example_applicant_has_its_fees(tmp_path):
    out = tmp_path / "plan.toml"
    argv = ["plan", str(PROFILE), "--out", str(out), "--as-of", "2026-04-20"]
    for catalog in CATALOGS:
        argv += ["--catalog", str(catalog)]
    assert main(argv) == 0
    data = tomllib.loads(out.read_text())
    cost, volumes = data["summary"]["cost"], data["summary"]["by_specialty"]
    assert cost["season"] == 2026
    # Each specialty's full list (what the applicant sends, whether or not this catalog
    # holds it all), priced from program 1.
    assert [(c["name"], c["applications"]) for c in cost["by_specialty"]] == [
        (v["name"], v["recommended"]) for v in volumes if "recommended" in v
    ]
    for part in cost["by_specialty"]:
        n = part["applications"]
        assert n > 30  # both lists reach the second band
        assert part["fee"] == 330 + (n - 30) * 30
        assert part["ten_more"] == 300 and part["ten_fewer"] == 300
    assert cost["total"] == sum(c["fee"] for c in cost["by_specialty"])
    advice = [a["says"] for a in data["summary"]["advice"] if a["rule"] == "season/eras-fees"]
    assert advice == [advice[0]]
    assert f"${cost['total']:,}" in advice[0] and "2026 ERAS season" in advice[0]
    im = next(v for v in volumes if v["name"] == "Internal Medicine")
    says = [r["says"] for r in im["reasons"] if r["rule"] == "season/eras-fees-specialty"]
    im_cost = next(c for c in cost["by_specialty"] if c["name"] == "Internal Medicine")
    assert says == [
        f"In Internal Medicine, a list of {im_cost['applications']} applications costs "
        f"${im_cost['fee']:,} in ERAS fees (2026 season). 10 more would cost $300 more."
    ]
    fewer = [r["says"] for r in im["reasons"] if r["rule"] == "season/eras-fees-ten-fewer"]
    assert fewer == ["10 fewer would save $300."]


def test_a_full_list_is_priced_whatever_the_catalog_holds(host):
    # No Step 2 CK given: a full Family Medicine list is 77 applications. The catalog
    # holds 50 of them; the fees are those of the 77 the applicant sends.
    profile = make_profile(applicant={"specialties": ["Family Medicine"], "visa": "J-1"})
    plan = resplan.plan(profile, _family_medicine_catalog(50), host=host)
    fm = next(v for v in plan.summary.by_specialty if v.name == "Family Medicine")
    assert (fm.applications, fm.recommended) == (50, 77)
    cost = plan.summary.cost
    # 30 at $11 and 47 at $30.
    assert [(c.name, c.applications, c.fee) for c in cost.by_specialty] == [
        ("Family Medicine", 77, 330 + 47 * 30)
    ]
    assert cost.total == 1740
    assert (cost.by_specialty[0].ten_more, cost.by_specialty[0].ten_fewer) == (300, 300)
    # The 50 from the catalog are priced apart: 30 at $11 and 20 at $30.
    assert any(
        r.says == "The 50 applications from this catalog cost $930 of that." for r in fm.reasons
    )
    advice = [a.says for a in plan.summary.advice]
    assert "Of that, the 50 applications this catalog can take cost about $930." in advice
    assert loads_plan(resplan.dumps_plan(plan)) == plan


def test_a_short_catalog_list_is_priced_in_the_first_band(host):
    profile = make_profile(applicant={"specialties": ["Family Medicine"], "visa": "J-1"})
    plan = resplan.plan(profile, _family_medicine_catalog(8), host=host)
    part = plan.summary.cost.by_specialty[0]
    assert (part.applications, part.fee) == (77, 1740)
    fm = next(v for v in plan.summary.by_specialty if v.name == "Family Medicine")
    assert any(
        r.says == "The 8 applications from this catalog cost $88 of that." for r in fm.reasons
    )
    # Ten fewer goes with the full list of 77, never with the catalog's 8.
    assert [r.says for r in fm.reasons if "10 fewer" in r.says] == ["10 fewer would save $300."]


NEXT_SEASON = """
[ruleset]
name = "next-season"
version = "1"

[overrides.parameters]
"season.eras_fee_season" = 2027
"season.eras_fee_from" = [1, 11, 41]
"season.eras_fee_per_program" = [0, 15, 40]
"""


def test_next_seasons_schedule_is_a_change_of_data(host):
    other = resplan.load_host(plugins=[ruleset_plugin("next", NEXT_SEASON)], use_env=False)
    profile = make_profile(applicant={"specialties": ["Family Medicine"], "visa": "J-1"})
    plan = resplan.plan(profile, _family_medicine_catalog(50), host=other)
    # The full list of 77: 10 free, 30 at $15, 37 at $40.
    assert (plan.summary.cost.season, plan.summary.cost.total) == (2027, 450 + 37 * 40)
    assert any("2027 ERAS season" in a.says for a in plan.summary.advice)


def test_without_the_season_plugin_a_plan_has_no_cost(tmp_path):
    out = tmp_path / "plan.toml"
    assert (
        main(
            [
                "--disable",
                "season",
                "plan",
                str(PROFILE),
                "--catalog",
                str(CATALOGS[0]),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert "cost" not in tomllib.loads(out.read_text())["summary"]


@pytest.mark.parametrize(
    "override, field",
    [
        ('"season.eras_fee_from" = [31, 1]', "parameters.eras_fee_from"),
        ('"season.eras_fee_per_program" = [11]', "parameters.eras_fee_per_program"),
        ('"season.eras_fee_per_program" = [11, 30.5]', "parameters.eras_fee_per_program"),
    ],
)
def test_an_unusable_schedule_names_the_parameter(override, field):
    text = f'[ruleset]\nname = "bad-season"\n\n[overrides.parameters]\n{override}\n'
    other = resplan.load_host(plugins=[ruleset_plugin("bad", text)], use_env=False)
    with pytest.raises(RulesetError) as caught:
        fee_schedule(other.rulebook)
    assert [p.field for p in caught.value.problems] == [field]
    assert "season.toml" in caught.value.problems[0].file


def test_reports_show_the_fees_and_their_season(host):
    profile = make_profile(applicant={"specialties": ["Family Medicine"], "visa": "J-1"})
    plan = loads_plan(
        resplan.dumps_plan(resplan.plan(profile, _family_medicine_catalog(50), host=host))
    )
    markdown = resplan.render_report(plan, "md")
    assert (
        "- What ERAS charges to send the lists this plan proposes, at the 2026 ERAS season's "
        "prices: $1,740 in total. Family "
        "Medicine $1,740 for 77 applications (10 more add $300, 10 fewer save $300)."
    ) in markdown
    html = resplan.render_report(plan, "html")
    assert "What the lists this plan proposes cost in ERAS fees (2026 ERAS season)</h3>" in html
    assert (
        '<th scope="row">Family Medicine</th><td class="num">77</td><td class="num">$1,740</td>'
        in html
    )
