"""Reports made from a plan: HTML, Markdown and CSV, the command and the library call.

The browser tests of the HTML page are in test_report_browser.py.
"""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys

import pytest

import resplan
import tasks
from resplan.cli import main
from resplan.report import render_report
from resplan.report.labels import installed_ruleset_texts, load_labels
from resplan.report.view import SEGMENTS, build
from resplan.writer import loads_plan
from tests.conftest import EXAMPLES, ROOT, make_catalog, make_profile

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def example_plan(host, example_profile):
    catalogs = [
        host.read_catalog(tasks.ROOT / path)
        for path in (*tasks.EXAMPLE_CATALOGS, tasks.SYNTHETIC_CATALOG)
    ]
    return resplan.plan(example_profile, resplan.merge_catalogs(catalogs), host=host)


@pytest.fixture(scope="module")
def example_file(example_plan, tmp_path_factory):
    path = tmp_path_factory.mktemp("plan") / "example.toml"
    resplan.write_plan(example_plan, path)
    return path


def hostile_plan(host):
    """Names a hostile catalog could hold, in every place a report shows program text."""
    catalog = make_catalog(
        {"id": "evil-1", "name": HOSTILE, "city": '"><img src=x onerror=alert(2)>'},
        {"id": "evil-2", "name": '=HYPERLINK("http://example.invalid")', "city": "El Paso"},
        {"id": "evil-3", "name": "*bold* [link](http://example.invalid) | pipe", "city": "Laredo"},
        {
            "id": "evil-4",
            "name": "</td></tr></table><h1>Injected</h1>",
            "city": "Tucson",
            "state": "AZ",
            "source": "synthetic: a test",
        },
    )
    profile = make_profile(applicant={"specialties": ["Internal Medicine"], "visa": "J-1"})
    return resplan.plan(profile, catalog, host=host)


# ------------------------------------------------------------------ HTML


def test_html_is_one_self_contained_page(example_plan):
    html = render_report(example_plan, "html")
    assert html.startswith("<!DOCTYPE html>")
    # Nothing to fetch: no external file, stylesheet, script, image or font.
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:|//)""", html)
    assert "@import" not in html and "url(http" not in html
    assert html.count("<script>") == 1 and html.count("<style>") == 1
    # A policy allows only the page's own style and script, by hash, and no network.
    policy = re.search(r'Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in policy and "'sha256-" in policy


def test_first_screen_names_the_next_actions_and_the_numbers(example_plan):
    html = render_report(example_plan, "html")
    first = html[: html.index('<nav class="toc"')]
    s = example_plan.summary
    # The tiers count real programs (the plan has a generated sample).
    real = [p for p in example_plan.programs if not p.synthetic and p.verdict != "skip"]
    tiers = [sum(1 for p in real if p.tier == t) for t in (1, 2, 3)]
    for number in (s.apply, *tiers, s.borderline, s.to_verify, s.skip):
        assert f"<dd>{number:,}" in first
    titles = [a.title for a in example_plan.actions][:3]  # the plan lists them by when due
    assert titles and all(title in first for title in titles)
    assert "Internal Medicine (first choice) and Family Medicine" in first


def test_a_list_short_of_a_full_one_says_how_many_more_to_find(example_plan):
    # The example catalogs hold fewer programs than full lists: the count to send says so
    # beside it, in both reports, not only in the per-specialty section.
    s = example_plan.summary
    assert s.shortfall
    more = f"find about {s.shortfall:,} more programs outside this catalog for a full list"
    assert more in render_report(example_plan, "md")
    first = render_report(example_plan, "html")
    assert more in first[: first.index('<nav class="toc"')]


def test_every_section_of_the_issue_is_there_in_order(example_plan):
    html = render_report(example_plan, "html")
    ids = [
        "next-actions",
        "numbers",
        "stand",
        "where",
        "programs",
        "verify",
        "calendar",
        "no-match",
        "sources",
    ]
    positions = [html.index(f'<h2 id="{i}"') for i in ids]
    assert positions == sorted(positions)


def test_program_text_is_escaped_everywhere(host):
    plan = hostile_plan(host)
    html = render_report(plan, "html")
    assert HOSTILE not in html and "<h1>Injected</h1>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "onerror=alert(2)>" not in html
    assert html.count("<script>") == 1


def test_no_internal_ids_or_fact_names_are_shown_as_text(example_plan):
    html = render_report(example_plan, "html")
    visible = re.sub(r"<(script|style)>.*?</\1>", "", html, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", visible)
    for fact in ("min_step2ck", "max_years_since_graduation", "mean_step2ck", "img_share"):
        assert fact not in text
    for program in example_plan.programs[:20]:
        assert program.id not in text
    for region in example_plan.regions:
        assert f" {region.id} " not in f" {text} "
    # The sources name each rule by what the plan says with it; its id is markup only.
    cited = re.findall(r'<tr data-rule="([^"]+)"><td>([^<]+)</td>', html)
    assert len(cited) > 20
    for rule, said in cited:
        assert rule not in text and "/" in rule and said.strip()
    assert (
        "applications/ask-advocate",
        "Ask a US supervisor to speak up for you with programs",
    ) in cited


def test_synthetic_programs_are_apart_and_marked_on_every_row(example_plan):
    html = render_report(example_plan, "html")
    main_list, _, rest = html.partition('<details class="synthetic-programs">')
    main_list = main_list[main_list.index('<h2 id="programs"') :]
    synthetic_section = rest[: rest.index("</details>")]
    fake = [p for p in example_plan.programs if p.synthetic]
    real = [p for p in example_plan.programs if not p.synthetic]
    assert fake and real
    assert main_list.count("<tr data-state=") == len(real)
    assert "Not a real program" not in main_list
    assert synthetic_section.count("<tr data-state=") == len(fake)
    assert synthetic_section.count('<span class="badge fake">Not a real program</span>') == len(
        fake
    )


def test_charts_count_the_plans_own_programs(example_plan):
    report = build(example_plan, load_labels(example_plan))
    real = [p for p in example_plan.programs if not p.synthetic]
    states = report.charts[0].totals
    assert sum(states.values()) == len(real)
    assert states["borderline"] == sum(p.verdict == "borderline" for p in real)
    assert states["skip"] == sum(p.verdict == "skip" for p in real)
    for tier in (1, 2, 3):
        assert states[f"tier{tier}"] == sum(p.verdict == "apply" and p.tier == tier for p in real)
    regions = report.charts[1].totals
    assert sum(regions.values()) == sum(p.region is not None for p in real)
    html = render_report(example_plan, "html")
    assert html.count('<svg role="img"') == len(report.charts)
    for chart in report.charts:
        assert f'aria-labelledby="{chart.id}-t {chart.id}-d"' in html
        assert re.search(rf'<desc id="{chart.id}-d">[^<]+\d', html)
    assert len(SEGMENTS) == 5


def test_sources_list_each_figure_with_its_source_and_the_provenance(example_plan):
    html = render_report(example_plan, "html")
    sources = html[html.index('<h2 id="sources"') :]
    # a figure the screening rules used, with its value and source
    assert (
        "Points under a program&#39;s stated Step 2 CK minimum that still count as a near miss"
        in sources
    )
    assert "guide, step 3: Understand the Filters and Minimums" in sources
    for ruleset in example_plan.provenance.rulesets:
        assert ruleset.sha256 in sources
    assert "not the version that made this plan" not in sources


def test_a_ruleset_changed_since_the_plan_gives_a_note_not_its_figures(example_plan):
    texts = [
        (label, text.replace('name = "screening"', 'name = "screening"\n# edited', 1))
        for label, text in installed_ruleset_texts()
    ]
    labels = load_labels(example_plan, texts)
    assert labels.changed == ("screening",)
    assert not any(rule.startswith("screening/") for rule in labels.rules)
    html = render_report(example_plan, "html", labels=labels)
    assert "The rules screening installed here are not the version that made this plan" in html
    labels = load_labels(example_plan, [])
    assert set(labels.missing) == {r.name for r in example_plan.provenance.rulesets}
    assert "are not installed here" in render_report(example_plan, "html", labels=labels)


def test_the_same_plan_gives_the_same_bytes_and_read_back_gives_the_same_report(example_plan):
    back = loads_plan(resplan.dumps_plan(example_plan))
    for format in ("html", "md", "csv"):
        first = render_report(example_plan, format)
        assert first == render_report(example_plan, format) == render_report(back, format)


def test_the_first_screen_shows_the_plans_date_or_says_it_has_none(example_plan):
    import attrs

    as_of = example_plan.provenance.as_of
    assert as_of  # plans are made on a date
    year, month, day = map(int, as_of.split("-"))
    html = render_report(example_plan, "html")
    first = html[: html.index('<nav class="toc"')]
    import datetime

    words = f"{day} {datetime.date(year, month, day):%B} {year}"
    assert f"Plan date: <strong>{words}</strong>" in first
    assert f"Next actions from {words}" in first
    undated = attrs.evolve(
        example_plan, provenance=attrs.evolve(example_plan.provenance, as_of=None)
    )
    html = render_report(undated, "html")
    assert "The plan file does not say on which date it was made." in html
    assert "What to do next" in html


def test_applications_by_specialty_come_from_the_plan(example_plan):
    html = render_report(example_plan, "html")
    for volume in example_plan.summary.by_specialty:
        assert (
            f'<tr><th scope="row">{volume.name}</th><td class="num">{volume.applications}</td>'
            in html
        )


# ------------------------------------------------------------------ CSV


def _rows(text: str) -> list[dict]:
    assert text.startswith("\ufeff")  # spreadsheets read it as UTF-8
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_has_one_row_per_program_with_the_documented_columns(example_plan):
    rows = _rows(render_report(example_plan, "csv"))
    assert list(rows[0]) == [
        "id",
        "name",
        "specialty",
        "track",
        "city",
        "state",
        "region",
        "verdict",
        "tier",
        "reasons",
        "to_verify",
        "synthetic",
        "acgme_id",
        "nrmp_code",
        "website",
    ]
    assert [r["id"] for r in rows] == [p.id for p in example_plan.programs]
    first = rows[0]
    program = example_plan.programs[0]
    assert first["reasons"] == "; ".join(r.says for r in program.reasons)
    assert first["tier"] == str(program.tier)
    assert "min_step2ck" not in first["to_verify"]
    if "min_step2ck" in program.to_verify:
        assert "minimum Step 2 CK score" in first["to_verify"]
    region = {r.id: r.name for r in example_plan.regions}
    assert all(r["region"] == region.get(p.region, "") for r, p in zip(rows, example_plan.programs))
    assert {r["synthetic"] for r in rows} == {"yes", ""}
    assert all(
        (r["synthetic"] == "yes") == bool(p.synthetic) for r, p in zip(rows, example_plan.programs)
    )
    assert all(r["tier"] == "" for r in rows if r["verdict"] == "skip")


def test_csv_cells_cannot_become_spreadsheet_formulas(host):
    rows = _rows(render_report(hostile_plan(host), "csv"))
    names = {r["id"]: r["name"] for r in rows}
    assert names["evil-2"] == '\'=HYPERLINK("http://example.invalid")'
    assert names["evil-1"] == HOSTILE  # CSV is data: text stays as it is


# ------------------------------------------------------------------ Markdown


def test_markdown_is_short_unless_full(example_plan):
    short = render_report(example_plan, "md")
    full = render_report(example_plan, "md", full=True)
    tier1 = [
        p for p in example_plan.programs if p.tier == 1 and p.verdict == "apply" and not p.synthetic
    ]
    assert all(p.name in short for p in tier1)
    # Every real border program is tier 1 or skipped: a tier 3 program is a synthetic one.
    later = next(p for p in example_plan.programs if p.tier == 3)
    assert later.name not in short and later.name in full
    skipped = next(p for p in example_plan.programs if p.verdict == "skip")
    assert skipped.name not in short and skipped.name in full
    # The first screen, where you stand (with the outlook), signals and tier 1: an email.
    assert len(short.splitlines()) < 100
    for heading in (
        "# Your residency application plan",
        "## What to do next",
        "## The numbers",
        "## Where you stand",
        "## Tier 1 programs",
    ):
        assert heading in short
    assert "--full" in short


def test_markdown_escapes_program_text(host):
    md = render_report(hostile_plan(host), "md", full=True)
    assert HOSTILE not in md and "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert r"\*bold\* \[link\](http://example.invalid) \| pipe" in md
    assert "<h1>" not in md


# ------------------------------------------------------------------ the command


def run(*argv):
    return subprocess.run(
        [sys.executable, "-m", "resplan", *map(str, argv)], capture_output=True, text=True, cwd=ROOT
    )


@pytest.mark.parametrize(
    "suffix, start", [(".html", "<!DOCTYPE html>"), (".md", "# Your"), (".csv", "\ufeffid,name")]
)
def test_report_command_takes_the_format_from_the_file_name(example_file, tmp_path, suffix, start):
    out = tmp_path / f"report{suffix}"
    assert main(["report", str(example_file), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8").startswith(start)


def test_format_option_and_full(example_file, tmp_path):
    out = tmp_path / "report.txt"
    assert main(["report", str(example_file), "--out", str(out), "--format", "md", "--full"]) == 0
    # Every real border program is tier 1 or skipped; the generated sample fills tier 3.
    assert "): Tier 3: a broad net" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "content, expect",
    [
        ("[applicant]\ngraduation_year = 2020\n", "not a resplan plan"),
        ("schema = 7\n", "plan schema 7 is not 2"),
        ("schema = 2\n[summary\n", "not valid TOML"),
        ("schema = 2\n[summary]\napply = 3\n", "summary"),
    ],
)
def test_bad_plan_exit_2_one_message_nothing_written(example_file, tmp_path, content, expect):
    bad = tmp_path / "bad.toml"
    bad.write_text(content)
    out = tmp_path / "report.html"
    out.write_text("previous report\n")
    result = run("report", bad, "--out", out)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert expect in result.stderr and str(bad) in result.stderr
    assert out.read_text() == "previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.toml", "report.html"]


def test_damaged_plan_from_a_real_one(example_file, tmp_path):
    bad = tmp_path / "damaged.toml"
    bad.write_text(example_file.read_text().replace('verdict = "apply"', 'verdict = "maybe"', 1))
    result = run("report", bad, "--out", tmp_path / "r.html")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert str(bad) in result.stderr and "verdict" in result.stderr
    assert not (tmp_path / "r.html").exists()


def test_missing_plan_and_unknown_suffix(tmp_path, example_file):
    result = run("report", tmp_path / "none.toml", "--out", tmp_path / "r.html")
    assert (
        result.returncode == 2 and "none.toml" in result.stderr and "Traceback" not in result.stderr
    )
    result = run("report", example_file, "--out", tmp_path / "r.pdf")
    assert (
        result.returncode == 2
        and "r.pdf" in result.stderr
        and ".html, .md or .csv" in result.stderr
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_plan_with_report_writes_both_and_the_report_is_what_report_makes(tmp_path):
    plan, html = tmp_path / "plan.toml", tmp_path / "plan.html"
    catalog = EXAMPLES / "catalog" / "border-programs.toml"
    assert (
        main(
            [
                "plan",
                str(EXAMPLES / "profiles" / "example.toml"),
                "--catalog",
                str(catalog),
                "--out",
                str(plan),
                "--report",
                str(html),
            ]
        )
        == 0
    )
    again = tmp_path / "again.html"
    assert main(["report", str(plan), "--out", str(again)]) == 0
    assert html.read_bytes() == again.read_bytes()


def test_plan_with_a_bad_report_name_writes_nothing(tmp_path):
    result = run(
        "plan",
        EXAMPLES / "profiles" / "example.toml",
        "--catalog",
        EXAMPLES / "catalog" / "border-programs.toml",
        "--out",
        tmp_path / "p.toml",
        "--report",
        tmp_path / "p.docx",
        "--as-of",
        "2026-01-15",
    )
    assert result.returncode == 2 and "p.docx" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_batch_writes_a_report_per_profile(tmp_path):
    profiles = sorted((EXAMPLES / "profiles").glob("*.toml"))[:2]
    assert (
        main(
            [
                "batch",
                *map(str, profiles),
                "--catalog",
                str(EXAMPLES / "catalog" / "border-programs.toml"),
                "--out-dir",
                str(tmp_path),
                "--jobs",
                "1",
                "--report",
                "csv",
            ]
        )
        == 0
    )
    for profile in profiles:
        report = tmp_path / f"{profile.stem}.csv"
        again = tmp_path / f"{profile.stem}.again.csv"
        assert main(["report", str(tmp_path / f"{profile.stem}.toml"), "--out", str(again)]) == 0
        assert report.read_bytes() == again.read_bytes()


def test_library_call(example_plan):
    assert resplan.render_report(example_plan, "md").startswith("# Your residency application plan")
    with pytest.raises(ValueError):
        resplan.render_report(example_plan, "pdf")


def test_parts_the_profile_leaves_out_are_listed_when_the_plan_has_them(example_plan):
    from types import SimpleNamespace

    import attrs

    gap = SimpleNamespace(
        key="exams.step2ck.score",
        label="your Step 2 CK score",
        says="The plan counts <the lowest> passing score until you add it.",
    )
    assessment = SimpleNamespace(
        weaknesses=example_plan.assessment.weaknesses,
        strengths=example_plan.assessment.strengths,
        missing=(gap,),
    )
    plan = attrs.evolve(example_plan, assessment=assessment)
    html = render_report(plan, "html")
    assert "<strong>Your Step 2 CK score</strong>: The plan counts &lt;the lowest&gt;" in html
    assert "exams.step2ck.score" not in html
    assert "Your Step 2 CK score: The plan counts &lt;the lowest&gt;" in render_report(plan, "md")


def test_a_plan_without_programs_still_makes_every_report(host):
    from resplan.model import Catalog

    plan = resplan.plan(make_profile(), Catalog([]), host=host)
    html = render_report(plan, "html")
    # No generated catalog either: "no real program" would hint at unreal ones.
    assert "No program is in this plan." in html and "No real program" not in html
    assert "The plan has no programs to chart." in html and '<svg role="img"' not in html
    assert render_report(plan, "md").startswith("# Your residency application plan")
    assert _rows(render_report(plan, "csv")) == []


def test_report_to_standard_output(example_file):
    result = run("report", example_file, "--out", "-", "--format", "md")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("# Your residency application plan")
    assert "wrote" not in result.stdout and "wrote -" in result.stderr


def test_the_numbers_count_real_programs_by_tier_and_the_sample_apart(example_plan):
    # The tiers the applicant acts on are those of real programs; the generated sample's
    # are said apart, in the Markdown as in the HTML headline.
    md = render_report(example_plan, "md")
    s = example_plan.summary
    real = [p for p in example_plan.programs if not p.synthetic and p.verdict != "skip"]
    tiers = [sum(1 for p in real if p.tier == t) for t in (1, 2, 3)]
    applying = sum(1 for p in real if p.verdict == "apply")
    assert f"- {s.apply:,} programs to apply to ({applying:,} of them real)" in md
    generated = [s.tier1 - tiers[0], s.tier2 - tiers[1], s.tier3 - tiers[2]]
    # The example has no real program in tier 3: that tier is left out of the real ones,
    # never said as "0 in tier 3".
    assert tiers[0] and tiers[1] and not tiers[2] and all(generated)
    assert (
        f"- Real programs by tier (tier 1 is your best fit): {tiers[0]:,} in tier 1 and "
        f"{tiers[1]:,} in tier 2; the generated sample adds {generated[0]:,} in tier 1, "
        f"{generated[1]:,} in tier 2 and {generated[2]:,} in tier 3\n"
    ) in md
    assert "Tier 1 programs (real)" in render_report(example_plan, "html")
