"""Program signals per considered specialty ([[signals]])."""

from __future__ import annotations

import tomllib

from resplan.cli import main
from resplan.writer import read_plan
from tests.conftest import EXAMPLES

PROFILE = EXAMPLES / "profiles" / "example.toml"
CATALOGS = (
    EXAMPLES / "catalog" / "border-programs.toml",
    EXAMPLES / "catalog" / "synthetic-national-sample.toml",
)


def _plan(tmp_path, profile=PROFILE):
    out = tmp_path / "plan.toml"
    argv = ["plan", str(profile), "--out", str(out), "--as-of", "2026-04-20"]
    for catalog in CATALOGS:
        argv += ["--catalog", str(catalog)]
    assert main(argv) == 0
    return out


def test_example_plan_signals(tmp_path):
    out = _plan(tmp_path)
    data = tomllib.loads(out.read_text())
    plan = read_plan(out)
    decisions = {p.id: p for p in plan.programs}
    by = {s["specialty"]: s for s in data["signals"]}
    assert set(by) == {"Internal Medicine", "Family Medicine"}
    im, fm = by["Internal Medicine"], by["Family Medicine"]
    # Internal Medicine: 3 gold and 12 silver (AAIM, confirmed for the 2026 Match only).
    assert (im["gold"], im["silver"], im["signals"], im["season"]) == (3, 12, 15, 2026)
    kinds = [p["kind"] for p in im["programs"]]
    assert kinds[:3] == ["gold"] * 3 and set(kinds[3:]) == {"silver"}
    # The example applies for the 2027 Match: the number is not confirmed for it, and says so.
    assert im["confirmed"] is False and "not confirmed" in im["says"]
    assert (fm["signals"], fm["season"], fm["confirmed"]) == (5, 2025, False)
    assert "gold" not in fm and {p["kind"] for p in fm["programs"]} == {"signal"}
    for entry in (im, fm):
        assert len(entry["programs"]) <= entry["signals"]
        places = set()
        for choice in entry["programs"]:
            decision = decisions[choice["id"]]
            # Never a skipped or borderline program; the tier is the plan's own.
            assert decision.verdict == "apply" and decision.tier == choice["tier"]
            assert decision.specialty == entry["specialty"]
            assert choice["why"] and "You pass every filter it lists." in choice["why"]
            institution = (choice["name"], choice["city"], choice["state"])
            assert institution not in places  # one signal per institution per specialty
            places.add(institution)
        # Spread over the preferred states (TX and NM), both get signals.
        assert {"TX", "NM"} <= {c["state"] for c in entry["programs"]}
        # One geographic preference per application: the divisions of the preferred
        # states (TX, NM), the same in every specialty.
        assert entry["geographic"].startswith("Your ERAS application has one geographic")
        assert "West South Central and Mountain." in entry["geographic"]
        assert entry["geographic"] == im["geographic"]
    assert "odds ratio for an interview there of about 3.2" in im["evidence"]
    assert "mostly US graduates" in im["evidence"]
    assert "evidence" not in fm


def test_a_specialty_without_a_known_number_says_so(tmp_path):
    text = PROFILE.read_text().replace(
        'specialties = ["Internal Medicine", "Family Medicine"]',
        'specialties = ["Internal Medicine", "Dermatology"]',
    )
    assert "Dermatology" in text
    profile = tmp_path / "profile.toml"
    profile.write_text(text)
    data = tomllib.loads(_plan(tmp_path, profile).read_text())
    dermatology = next(s for s in data["signals"] if s["specialty"] == "Dermatology")
    assert "knows no number of program signals for Dermatology" in dermatology["says"]
    assert "signals" not in dermatology and (
        "programs" not in dermatology or not dermatology["programs"]
    )


def test_html_report_lists_the_signals(tmp_path):
    import resplan

    plan = read_plan(_plan(tmp_path))
    html = resplan.render_report(plan, "html")
    assert '<h3 id="signals">Program signals</h3>' in html
    first = plan.signals[0].programs[0]
    assert f"<td>{first.kind}</td>" in html and first.why.split(":")[0] in html


def test_signal_words_are_rules_of_the_season_ruleset(tmp_path):
    """The sentences come from [[signals]] rules: each specialty names the rules it used,
    and an institution can switch one off or change its words without code."""
    import resplan
    from resplan.plugins import RulesetSource

    plan = read_plan(_plan(tmp_path))
    im = next(s for s in plan.signals if s.specialty == "Internal Medicine")
    assert {
        "season/number-gold-silver-earlier",
        "season/one-per-institution",
        "season/why-gold",
        "season/why-silver",
        "season/geographic-preference",
        "season/texas-star-internal-medicine",
    } <= set(im.rules)
    gold = [c for c in im.programs if c.kind == "gold"]
    assert len(gold) == 3 and all("gold is for the programs you want most" in c.why for c in gold)
    assert all(c.why.startswith("Silver signal.") for c in im.programs if c.kind == "silver")
    # Only a tier 1 program is called one of the best fits.
    assert all(("one of your best fits" in c.why) == (c.tier == 1) for c in im.programs)

    local = RulesetSource(
        text=(
            '[ruleset]\nname = "our-hospital"\nversion = "1"\n'
            '[overrides]\ndisable = ["season/one-per-institution"]\n'
        ),
        label="our-hospital.toml",
    )

    class Plugin:
        @resplan.hookimpl
        def resplan_rulesets(self):
            return [local]

    host = resplan.load_host(use_env=False, plugins=[Plugin()])
    again = resplan.plan(
        resplan.load_profile(PROFILE), host.read_catalog(CATALOGS[0]), host=host, as_of="2026-04-20"
    )
    im = next(s for s in again.signals if s.specialty == "Internal Medicine")
    assert (
        "One signal per institution" not in im.says and "season/one-per-institution" not in im.rules
    )


def test_markdown_report_lists_the_signals(tmp_path):
    import resplan

    plan = read_plan(_plan(tmp_path))
    short = resplan.render_report(plan, "md")
    full = resplan.render_report(plan, "md", full=True)
    assert "## Program signals" in short and "## Program signals" in full
    im = next(s for s in plan.signals if s.specialty == "Internal Medicine")
    assert "Gold signals: " in short and "Silver signals: " in short
    for choice in im.programs:
        assert choice.name in short
    assert im.programs[0].why not in short and im.programs[0].why in full
    assert im.geographic in short
