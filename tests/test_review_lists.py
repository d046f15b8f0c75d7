"""Lists, fees and wording an advisor read in plans for new profiles (a field the catalog
lacks, a reapplicant's full lists and their fees, lists of place names, sources)."""

from __future__ import annotations

import re
import tomllib

import resplan
from resplan.cli import main
from resplan.report.labels import reader_source
from resplan.writer import read_plan
from tests.conftest import EXAMPLES

BORDER = EXAMPLES / "catalog" / "border-programs.toml"

# Pediatrics only: the border catalog holds no Pediatrics program.
PEDIATRICS_ONLY = """
[applicant]
graduation_year = 2023
cycle = 2027
visa = "J-1"
specialties = ["Pediatrics"]
states = ["TX", "CA"]

[exams.step1]
result = "pass"
attempts = 2

[exams.step2ck]
score = 228
attempts = 1

[[languages]]
name = "Spanish"
level = "fluent"
"""

# A reapplicant in three fields whose full lists the catalog cannot hold.
REAPPLICANT = """
[applicant]
graduation_year = 2020
cycle = 2027
visa = "J-1"
specialties = ["Internal Medicine", "Family Medicine"]
states = ["TX", "NM", "AZ"]
previous_cycles = 2

[exams.step1]
result = "pass"
attempts = 1

[exams.step2ck]
score = 231
attempts = 2

[[clinical]]
kind = "hands-on"
months = 5
city = "El Paso"
state = "TX"
"""


def _plan(tmp_path, text, name="plan", catalogs=(BORDER,)):
    profile = tmp_path / f"{name}-profile.toml"
    profile.write_text(text)
    out = tmp_path / f"{name}.toml"
    argv = ["plan", str(profile), "--out", str(out), "--as-of", "2026-06-15"]
    for catalog in catalogs:
        argv += ["--catalog", str(catalog)]
    assert main(argv) == 0
    return out, tomllib.loads(out.read_text())


def test_a_named_field_the_catalog_lacks_gets_an_action_to_build_its_list(tmp_path):
    _out, plan = _plan(tmp_path, PEDIATRICS_ONLY)
    actions = {a["id"]: a for a in plan["actions"]}
    build = actions["applications/named-field-not-in-catalog"]
    assert build["title"] == "Build your Pediatrics list outside this catalog"
    assert (
        "You named Pediatrics, and this catalog holds no program in that field that you can"
        " apply to." in build["detail"]
    )
    assert "applications/named-field-few-in-catalog" not in actions
    # The backup field says why it is there without "only 0 programs".
    backup = next(t for t in plan["specialties"] if t.get("suggested"))
    says = " ".join(r["says"] for r in backup["reasons"])
    assert "only 0" not in says and "0 programs" not in says
    assert "Your catalog has no program in the field you named" in says
    assert "an action of this plan says how to build that one" in says


def test_a_named_field_with_few_programs_asks_for_more(tmp_path):
    # Psychiatry: the border catalog holds a handful of programs.
    text = PEDIATRICS_ONLY.replace('["Pediatrics"]', '["Psychiatry"]')
    _out, plan = _plan(tmp_path, text)
    psychiatry = next(v for v in plan["summary"]["by_specialty"] if v["name"] == "Psychiatry")
    held = psychiatry["applications"]
    assert 0 < held < 10
    actions = {a["id"]: a for a in plan["actions"]}
    few = actions["applications/named-field-few-in-catalog"]
    assert few["title"] == "Find more Psychiatry programs than this catalog holds"
    noun = "program" if held == 1 else "programs"
    assert f"This catalog holds only {held} {noun} in Psychiatry" in few["detail"]
    assert "applications/named-field-not-in-catalog" not in actions


def test_no_outlook_band_for_a_field_without_figures(tmp_path):
    text = PEDIATRICS_ONLY.replace('["Pediatrics"]', '["General Surgery"]').replace(
        "attempts = 2", "attempts = 1"
    )
    text = text.replace("score = 228", "score = 241")
    _out, plan = _plan(tmp_path, text)
    surgery = next(o for o in plan["outlook"]["specialties"] if o["specialty"] == "General Surgery")
    assert surgery["band"] == "unknown"
    assert "stands above" not in surgery["says"]
    assert surgery["says"].startswith(
        "resplan has no published figures on IMG applicants in General Surgery"
    )


def test_a_floor_figure_says_more_may_be_needed(tmp_path):
    _out, plan = _plan(tmp_path, PEDIATRICS_ONLY)
    peds = next(v for v in plan["summary"]["by_specialty"] if v["name"] == "Pediatrics")
    says = next(r["says"] for r in peds["reasons"] if r["rule"] == "tiering/volume-pediatrics")
    assert "as many as IMGs send" not in says
    assert "as a floor" in says and "you may need more" in says


def test_fees_are_for_the_full_lists_and_the_reports_agree(tmp_path):
    out, plan = _plan(tmp_path, REAPPLICANT)
    summary = plan["summary"]
    cost = summary["cost"]
    volumes = {v["name"]: v for v in summary["by_specialty"]}
    # Every specialty is priced at its full list, by the 2026 schedule ($11 each for
    # programs 1 to 30, $30 from the 31st), not at what the catalog holds.
    assert summary["shortfall"] > 0
    for part in cost["by_specialty"]:
        full = volumes[part["name"]]["recommended"]
        assert part["applications"] == full
        assert part["fee"] == 11 * min(full, 30) + 30 * max(full - 30, 0)
    assert sum(p["applications"] for p in cost["by_specialty"]) == summary["recommended"]
    assert cost["total"] == sum(p["fee"] for p in cost["by_specialty"])
    advice = {a["rule"]: a["says"] for a in summary["advice"]}
    assert advice["season/eras-fees"].startswith(
        f"ERAS fees for the lists this plan proposes ({summary['recommended']} applications)"
        f" are about ${cost['total']:,}."
    )
    in_catalog = sum(
        11 * min(v["applications"], 30) + 30 * max(v["applications"] - 30, 0)
        for v in volumes.values()
    )
    assert advice["season/eras-fees-catalog-part"] == (
        f"Of that, the {summary['applications']} applications this catalog can take cost "
        f"about ${in_catalog:,}."
    )
    # The reports show the same totals as the plan.
    loaded = read_plan(out)
    markdown = resplan.render_report(loaded, "md")
    line = next(x for x in markdown.splitlines() if x.startswith("- What ERAS charges"))
    assert line.startswith(
        "- What ERAS charges to send the lists this plan proposes, at the 2026 ERAS season's "
        f"prices: ${cost['total']:,} in total."
    )
    for part in cost["by_specialty"]:
        assert f"{part['name']} ${part['fee']:,} for {part['applications']} applications" in line
    html = resplan.render_report(loaded, "html")
    assert "What the lists this plan proposes cost in ERAS fees (2026 ERAS season)" in html
    total_row = re.search(
        r'<th scope="row">All specialties</th><td class="num">(\d+)</td>'
        r'<td class="num">\$([\d,]+)</td>',
        html,
    )
    assert total_row is not None
    assert int(total_row[1]) == summary["recommended"]
    assert total_row[2] == f"{cost['total']:,}"


def test_lists_of_place_names_and_sources_read_plainly(tmp_path):
    arizona = REAPPLICANT.replace('states = ["TX", "NM", "AZ"]', 'states = ["AZ", "TX"]')
    out, plan = _plan(tmp_path, arizona)
    loaded = read_plan(out)
    markdown = resplan.render_report(loaded, "md")
    high = [r["name"] for r in plan["regions"] if r["priority"] == "high"]
    if any("," in name for name in high):
        line = next(x for x in markdown.splitlines() if x.startswith("**High priority"))
        assert "; ".join(high) in line
    # Figures quoted by the outlook: one list item each.
    lines = markdown.splitlines()
    start = lines.index("- Figures quoted:")
    quoted = [x for x in lines[start + 1 :] if x.startswith("  - ")]
    assert len(quoted) == len(plan["outlook"]["figures"])
    # The guide's sections are not read as USMLE exams.
    html = resplan.render_report(loaded, "html")
    assert "guide: Step 3 /" not in html and "guide, step 3: " in html
    assert reader_source("guide: Step 3 / A; Step 6 / B") == "guide, step 3: A; step 6: B"
    assert reader_source("guide: FAQ 4 / Failed Step 1 once") == "guide, FAQ 4: Failed Step 1 once"
    for words in (
        "Upper end of that range",
        "ruleset reads it",
        "an institution that wants",
        "The stage code",
    ):
        assert words not in html
    # A reapplicant's count of tries in words.
    reasons = " ".join(
        r["says"] for f in plan["assessment"]["weaknesses"] for r in f.get("reasons", [])
    )
    details = " ".join(a["detail"] for a in plan["actions"])
    assert "2 times" not in reasons + details and "applied twice" in reasons + details


def test_the_border_area_of_san_diego_reads_as_a_place(tmp_path):
    text = PEDIATRICS_ONLY.replace('["Pediatrics"]', '["Family Medicine"]').replace(
        'states = ["TX", "CA"]', 'states = ["CA"]'
    )
    _out, plan = _plan(tmp_path, text)
    names = {r["id"]: r["name"] for r in plan["regions"]}
    assert names["ca-san-diego-border"] == "San Diego and Chula Vista"
    assert "in San Diego border area" not in str(plan)
