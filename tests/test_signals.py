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


def _plan(tmp_path, profile=PROFILE, as_of="2026-04-20"):
    out = tmp_path / "plan.toml"
    argv = ["plan", str(profile), "--out", str(out), "--as-of", as_of]
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
            assert ("You pass every filter its listing states." in choice["why"]) != (
                "Its listing states no filter at all" in choice["why"]
            )
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


def test_once_programs_read_applications_the_signals_are_said_to_be_sent(tmp_path):
    """Signals go out with the application: a plan made while programs read this Match's
    applications (30 November, for the 2027 Match) says so; one made before does not."""
    sent = "If you have applied, your signals are sent: compare them with this list."
    late = tomllib.loads(_plan(tmp_path, as_of="2026-11-30").read_text())
    assert all(sent in entry["says"] for entry in late["signals"])
    # No signal can still go out with an application once programs read them.
    assert not any("If you have not applied yet" in entry["says"] for entry in late["signals"])
    early = tomllib.loads(_plan(tmp_path, as_of="2026-06-30").read_text())
    assert not any(sent in entry["says"] for entry in early["signals"])


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
        "season/geographic-preference",
        "season/texas-star-internal-medicine",
    } <= set(im.rules)
    gold = [c for c in im.programs if c.kind == "gold"]
    assert len(gold) == 3 and all(
        "Gold signals are for the programs you want most." in c.why for c in gold
    )
    # The kind is the list's, not the reason's: no reason starts by naming it again.
    assert not any(c.why.startswith(("Gold signal.", "Silver signal.")) for c in im.programs)
    # Only a tier 1 program is called one of the best fits, and only one whose listing
    # shows that it takes IMGs; another tier 1 program says what it does not show.
    for c in im.programs:
        shown = "does not show that it takes IMGs" not in c.why
        assert ("one of your best fits" in c.why) == (c.tier == 1 and shown)

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
    assert "3 gold signals: " in short and " silver signals: " in short
    for choice in im.programs:
        assert choice.name in short
    assert im.programs[0].why not in short and im.programs[0].why in full
    assert im.geographic in short


# Arizona only, Internal Medicine, a visa: the border catalog holds 4 Arizona IM
# institutions the applicant passes, and many more in Texas, New Mexico and California.
ARIZONA_ONLY = """
[applicant]
graduation_year = 2021
cycle = 2027
visa = ["H-1B", "J-1"]
specialties = ["Internal Medicine"]
states = ["AZ"]

[exams.step1]
result = "pass"
attempts = 1

[exams.step2ck]
score = 236
attempts = 1
"""


def _border_plan(tmp_path, text):
    profile = tmp_path / "profile.toml"
    profile.write_text(text)
    out = tmp_path / "plan.toml"
    argv = ["plan", str(profile), "--out", str(out), "--as-of", "2026-06-15"]
    assert main(argv + ["--catalog", str(CATALOGS[0])]) == 0
    return tomllib.loads(out.read_text())


def test_signals_stay_in_the_named_states(tmp_path):
    """An applicant who named Arizona only gets signals for Arizona programs only; the
    signals left over stay unused, and the plan says that is fine."""
    data = _border_plan(tmp_path, ARIZONA_ONLY)
    (im,) = data["signals"]
    states = {c["state"] for c in im["programs"]}
    assert states == {"AZ"}
    chosen = len(im["programs"])
    assert 0 < chosen < im["signals"]
    assert f"leaves {im['signals'] - chosen} signals unused, and that is fine" in im["says"]
    assert "Keep your gold signals for the states you named." in im["says"]
    assert "season/signals-left-unused" in im["rules"]
    assert "season/fewer-programs-than-signals" not in im["rules"]


def test_no_gold_signal_outside_the_named_states(tmp_path):
    """California only: 2 California IM institutions pass; the third gold signal is left
    unused rather than sent to Arizona, and no signal goes outside California."""
    text = ARIZONA_ONLY.replace('states = ["AZ"]', 'states = ["CA"]')
    data = _border_plan(tmp_path, text)
    (im,) = data["signals"]
    assert [c["state"] for c in im["programs"]] == ["CA"] * len(im["programs"])
    assert all(c["kind"] == "gold" for c in im["programs"]) and len(im["programs"]) <= 3


def test_a_state_with_no_program_leaves_the_signals_unused(tmp_path):
    """Named states that hold none of the field get no signal from elsewhere, and the
    plan says that the catalog has no program of the field there (not that the applicant
    fails their filters), instead of calling the catalog empty."""
    text = ARIZONA_ONLY.replace('states = ["AZ"]', 'states = ["NV"]')
    data = _border_plan(tmp_path, text)
    (im,) = data["signals"]
    assert not im.get("programs")
    assert "This catalog has no Internal Medicine program in Nevada" in im["says"]
    assert "passes every known filter, so" not in im["says"]
    assert "Outside the states you named" in im["says"]
    assert "This catalog has no program" not in im["says"]


def test_signals_prefer_programs_that_take_the_applicants_visa(tmp_path):
    """Among programs of one state, those whose listing says they sponsor a visa the
    applicant would take come first; a program whose listing states no filter says so
    and names what to check before the signal is sent."""
    text = ARIZONA_ONLY.replace('states = ["AZ"]', 'states = ["CA"]').replace(
        'specialties = ["Internal Medicine"]', 'specialties = ["Family Medicine"]'
    )
    data = _border_plan(tmp_path, text)
    by = {entry["specialty"]: entry for entry in data["signals"]}
    fm, im = by["Family Medicine"], by["Internal Medicine"]
    assert fm["programs"]
    for choice in fm["programs"]:
        assert "You pass every filter" not in choice["why"]
        assert "Its listing states no filter at all" in choice["why"]
        assert "Before you send the signal, check with the program: " in choice["why"]
        assert "H-1B or J-1 sponsorship" in choice["why"]  # the applicant's visas
    # Two programs of one place and tier: the one whose listing names the visa comes
    # first, although its id sorts last.
    catalog = tmp_path / "two.toml"
    catalog.write_text(
        "".join(
            f"""
[[program]]
id = "{pid}"
name = "{name}"
specialty = "Internal Medicine"
track = "categorical"
city = "Tucson"
state = "AZ"
facts_as_of = 2025
source = "test"
{extra}
"""
            for pid, name, extra in (
                ("az-tucson-a-im", "First Hospital", ""),
                ("az-tucson-z-im", "Second Hospital", 'visas = ["J-1"]'),
            )
        )
    )
    profile = tmp_path / "profile.toml"
    profile.write_text(ARIZONA_ONLY)
    out = tmp_path / "two-plan.toml"
    argv = ["plan", str(profile), "--catalog", str(catalog), "--out", str(out)]
    assert main(argv + ["--as-of", "2026-06-15"]) == 0
    signals = tomllib.loads(out.read_text())["signals"]
    im = next(entry for entry in signals if entry["specialty"] == "Internal Medicine")
    assert [c["id"] for c in im["programs"]] == ["az-tucson-z-im", "az-tucson-a-im"]
    assert "Its 2025 listing says it sponsors the J-1." in im["programs"][0]["why"]
    assert "listing says it sponsors" not in im["programs"][1]["why"]
