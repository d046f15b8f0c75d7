"""Advice of the tenth review round that was left open: plans of the review profiles
(tests/data/review10*) against the real border programs, read as the applicant reads them
(plan text, Markdown and HTML reports)."""

from __future__ import annotations

import pytest

import resplan
from resplan.report import render_report
from resplan.report.labels import load_labels
from resplan.report.view import build
from resplan.testing.hosts import ruleset_plugin
from tests.conftest import DATA, STEP1, make_catalog, plan_of

FINDINGS = DATA / "review10_findings"


def review_plan(host, catalog, path, as_of: str):
    return resplan.plan(resplan.load_profile(path), catalog, host=host, as_of=as_of)


def actions(plan) -> dict:
    """The plan's steps by rule name (without the ruleset)."""
    return {a.id.split("/", 1)[1]: a for a in plan.actions}


def section(text: str, heading: str) -> str:
    """A Markdown section's text, from its heading to the next one."""
    return text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


# ------------------------------------------------- a backup field added after applying

NINE_YEARS = FINDINGS / "p05-nine-years-dec.toml"  # Family Medicine only, 2027 Match


def test_backup_added_after_applying_is_not_this_matchs_list(host, border_catalog):
    """Family Medicine only, in December of the season: Internal Medicine, the backup the
    plan adds for the short catalog, was on no list she sent. Its programs leave tier 1
    and the interview-season check list, and are shown apart, for SOAP or a next
    application."""
    plan = review_plan(host, border_catalog, NINE_YEARS, "2026-12-02")
    im = {p.name for p in plan.programs if p.specialty == "Internal Medicine"}
    check = actions(plan)["verify-program-facts-interview-season"].detail
    assert not any(name in check for name in im)
    assert "Midwestern University OPTI (Sierra Vista)" in check  # a Family Medicine program
    assert plan.summary.to_verify == 8  # the Family Medicine programs, not 26
    text = render_report(plan, "md", full=True)
    assert "No program is in tier 1." in section(text, "Tier 1 programs")
    assert "Internal Medicine" not in section(text, "Tier 2: a good fit")
    backup = section(text, "Internal Medicine: a backup field, for SOAP or a next application")
    assert backup.count("| Internal Medicine |") == 18  # every one not skipped
    numbers = section(text, "The numbers")
    assert "- Programs in this plan: 8\n" in numbers
    assert "- By tier (tier 1 is your best fit): all 8 in tier 2\n" in numbers
    assert "- 18 programs of Internal Medicine, a backup field this plan adds" in numbers
    page = render_report(plan, "html")
    assert "<dt>Programs of a backup field</dt><dd>18" in page
    # Whether she applied in it, the plan cannot know: both cases are said (review 12, #1).
    assert "If you applied in it, as a plan made before applications went out" in page
    assert "If you did not, keep them for SOAP" in page
    assert "the list you sent holds none" not in page
    # The charts add up to the headline's programs: the backup field's are not in them
    # (review 12, finding 2).
    report = build(plan, load_labels(plan))
    main_list = [r for r in report.rows if r.group != "backup" and not r.synthetic]
    assert report.charts
    for chart in report.charts:
        assert sum(row.total for row in chart.rows) == len(main_list), chart.id


def test_backup_before_applying_stays_on_the_list(host, border_catalog):
    """The same applicant in July, before programs read: the backup field is hers to
    apply to, so its programs keep their tiers and their checks."""
    plan = review_plan(host, border_catalog, NINE_YEARS, "2026-07-15")
    assert plan.summary.to_verify == 26
    text = render_report(plan, "md", full=True)
    assert "| Internal Medicine |" in section(text, "Tier 1 programs")
    assert "a backup field, for SOAP" not in text


def test_after_the_rank_list_the_backup_is_checked_for_a_next_application(host, border_catalog):
    """After the rank list deadline every list is for a next application: the check of
    missing facts counts the backup field's programs again."""
    plan = review_plan(host, border_catalog, NINE_YEARS, "2027-03-10")
    step = actions(plan)["verify-program-facts-next-application"]
    assert step.title == "Confirm the missing facts of 26 programs"


# ------------------------------------------------- gold signals for an H-1B-only applicant

H1B_ONLY = FINDINGS / "p07-h1b-only-july.toml"  # Internal Medicine, CA and AZ, H-1B only


def test_h1b_only_gold_goes_to_listings_that_name_the_h1b(host):
    """Gold signals go to the programs whose listing names the H-1B, even in a lower
    tier; tier 1 programs whose listing does not say get silver ones, each saying why."""
    catalog = make_catalog(
        {"id": "ca-a", "name": "A", "city": "San Diego", "state": "CA", "img_share": 0.5},
        {"id": "ca-b", "name": "B", "city": "San Diego", "state": "CA", "img_share": 0.4},
        {"id": "az-h", "name": "H", "city": "Tucson", "state": "AZ", "visas": ["H-1B"]},
    )
    plan = review_plan(host, catalog, H1B_ONLY, "2026-07-15")
    im = next(s for s in plan.signals if s.specialty == "Internal Medicine")
    kinds = {c.name: c.kind for c in im.programs}
    assert kinds == {"H": "gold", "A": "silver", "B": "silver"}
    assert {c.tier for c in im.programs if c.kind == "silver"} == {1}
    silver = next(c for c in im.programs if c.name == "A")
    assert silver.why.startswith(
        "Its listing does not name the H-1B, your only visa route, so this plan gives it "
        "a silver signal, not a gold one."
    )
    assert "So this plan proposes gold signals only to programs whose listing names the H-1B" in (
        im.says
    )
    assert "2 gold signals stay unused for now" in im.says


def test_h1b_only_in_the_border_catalog_sends_no_blind_gold(host, border_catalog):
    """No border listing names the H-1B: the one program to signal (its visas not listed)
    gets a silver signal and the plan says to ask before a gold one."""
    plan = review_plan(host, border_catalog, H1B_ONLY, "2026-07-15")
    im = next(s for s in plan.signals if s.specialty == "Internal Medicine")
    assert [(c.name, c.kind) for c in im.programs] == [("Scripps Mercy Hospital", "silver")]
    assert "Ask that program first, and give it a gold signal if it confirms" in im.says


def test_a_j1_applicant_still_gets_gold_where_visas_are_not_listed(host, tmp_path):
    """For a J-1 (which ECFMG sponsors) a listing without visas is no such warning: the
    best fit gets a gold signal as before."""
    catalog = make_catalog(
        {"id": "ca-a", "name": "A", "city": "San Diego", "state": "CA", "img_share": 0.5},
    )
    path = tmp_path / "j1.toml"
    path.write_text(
        H1B_ONLY.read_text(encoding="utf-8").replace('visa = "H-1B"', 'visa = "J-1"'),
        encoding="utf-8",
    )
    plan = review_plan(host, catalog, path, "2026-07-15")
    im = next(s for s in plan.signals if s.specialty == "Internal Medicine")
    assert [(c.name, c.kind) for c in im.programs] == [("A", "gold")]
    assert "gold signals only to programs whose listing names" not in im.says


# ------------------------------------------------- the visa to verify, named


def test_to_verify_names_the_visa_the_applicant_needs(host, border_catalog):
    """A J-1 applicant is asked to verify 'J-1 sponsorship', in the report's column and in
    the plan's check list, never a generic 'visa sponsorship'."""
    plan = review_plan(host, border_catalog, NINE_YEARS, "2026-07-15")
    assert plan.assessment.visas == ("J-1",)
    text = render_report(plan, "md", full=True)
    rows = [line for line in text.splitlines() if line.startswith("| ") and "Place" not in line]
    cells = [row.rsplit("|", 2)[1] for row in rows]
    assert any("J-1 sponsorship" in cell for cell in cells)
    assert not any("visa sponsorship" in cell for cell in cells)
    check = actions(plan)["verify-program-facts"].detail
    assert "minimum Step 2 CK score, J-1 sponsorship" in check


def test_an_h1b_only_signal_names_the_h1b_to_check(host, border_catalog):
    plan = review_plan(host, border_catalog, H1B_ONLY, "2026-07-15")
    im = next(s for s in plan.signals if s.specialty == "Internal Medicine")
    [choice] = im.programs
    assert "check with the program: H-1B sponsorship" in choice.why


def test_a_listing_of_no_visa_is_said_in_its_terms_and_verified(host, tmp_path):
    """A program whose 2025 listing names no sponsored visa: skipped, in the listing's
    words, with the applicant's visa to verify, not 'nothing'."""
    catalog = make_catalog(
        {"id": "novisa", "name": "No Visa", "visas": [], "facts_as_of": 2025},
        {"id": "open", "name": "Open", "img_share": 0.5},
    )
    plan = review_plan(host, catalog, NINE_YEARS, "2026-07-15")
    [skipped] = [p for p in plan.programs if p.id == "novisa"]
    assert skipped.verdict == "skip"
    [said] = [r.says for r in skipped.reasons if r.rule.startswith("screening/visa-none")]
    assert said == (
        "You need a visa (J-1), and this program's 2025 listing says it sponsors no visa. "
        "Listings can be out of date: ask the program whether it sponsors the J-1 visa now."
    )
    assert skipped.to_verify == ("visas",)
    row = next(
        line for line in render_report(plan, "md", full=True).splitlines() if "No Visa" in line
    )
    assert row.endswith("| J-1 sponsorship |")


# ------------------------------------------------- an open field with no border program


@pytest.mark.parametrize(
    "letters, rule",
    [
        ([], "open-with-border-strengths-none-on-border"),
        (
            [{"writer": "A", "us_clinical": True}, {"writer": "B", "us_clinical": True}],
            "open-with-border-strengths-and-us-record-none-on-border",
        ),
    ],
)
def test_open_field_without_a_border_program_is_not_called_a_border_field(host, letters, rule):
    """Pediatrics, low Step 2 CK, native Spanish, and a catalog whose only Pediatrics
    program is in Chicago: the reason does not call it a border field, and says the catalog
    has no program of it in the border region."""
    catalog = make_catalog(
        {"id": "chicago-peds", "specialty": "Pediatrics", "city": "Chicago", "state": "IL"},
        {"id": "el-paso-im", "img_share": 0.5},
    )
    plan = plan_of(
        host,
        catalog,
        applicant={"visa": "J-1", "specialties": ["Pediatrics"]},
        exams={"step1": STEP1, "step2ck": {"score": 218, "attempts": 1}},
        languages=[{"name": "Spanish", "level": "native"}],
        clinical=[{"kind": "hands-on", "months": 4, "city": "Chicago", "state": "IL"}],
        letters=letters,
    )
    [peds] = [t for t in plan.specialties if t.name == "Pediatrics"]
    [reason] = [r for r in peds.reasons if r.rule.startswith("specialties/open-with-border")]
    assert reason.rule == f"specialties/{rule}"
    assert "border fields" not in reason.says
    assert "this catalog has no Pediatrics program in the border region" in reason.says


# ------------------------------------------------- 'mid-January' from the parameter

LATE_WEEKS = """
[ruleset]
name = "later-weeks"
version = "1.0.0"
[overrides.parameters]
"applications.interviews_late_weeks_to_rank_list" = 3
"""


@pytest.mark.parametrize("override, words", [(None, "mid-January"), (LATE_WEEKS, "early February")])
def test_on_track_until_the_day_the_parameter_sets(host, border_catalog, override, words):
    """Five interviews in November: on track, with SOAP documents to get ready if the count
    is still short once the late weeks start, named from the parameter that makes the
    rules act (7 weeks before a rank list deadline
    of 3 March 2027: mid-January; 3 weeks: early February), never a fixed 'mid-January'."""
    if override is not None:
        host = resplan.load_host(plugins=[ruleset_plugin("later", override)], use_env=False)
    plan = plan_of(
        host,
        border_catalog,
        as_of="2026-11-16",
        applicant={
            "visa": "J-1",
            "specialties": ["Internal Medicine"],
            "cycle": 2027,
            "interviews": 5,
        },
        letters=[{"writer": "A", "us_clinical": True, "advocate": True}],
    )
    text = " ".join(a.detail for a in plan.actions)
    assert f"If your count is still under 8 in {words}, get your SOAP documents ready" in text
    if override is not None:
        assert "mid-January" not in text
