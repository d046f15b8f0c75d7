"""What to do next: a plan lists its actions by when they are due, and the reports' short
list of next steps is the plan's first actions.

A choice the other steps depend on comes first; once the season is under way, what it
asks now (interviews, the rank list deadline) comes before the long work of building a
file, which pays off only later.
"""

from __future__ import annotations

from pathlib import Path

import resplan
from resplan.cli import main
from resplan.report.view import NEXT_ACTIONS
from tests.conftest import EXAMPLES

DATA = Path(__file__).parent / "data"
BORDER = EXAMPLES / "catalog" / "border-programs.toml"
CHOICES = {"between-cycles/same-file-choice", "between-cycles/same-file-choice-graduation-clock"}


def _plan_and_markdown(tmp_path: Path, profile: Path, as_of: str) -> tuple[resplan.Plan, str]:
    out, report = tmp_path / "plan.toml", tmp_path / "plan.md"
    argv = ["plan", str(profile), "--catalog", str(BORDER), "--as-of", as_of]
    assert main([*argv, "--out", str(out), "--report", str(report)]) == 0
    return resplan.read_plan(out), report.read_text(encoding="utf-8")


def _next_steps(markdown: str) -> list[str]:
    """The titles of the Markdown report's 'What to do next' list, in order."""
    section = markdown.split("## What to do next", 1)[1].split("\n## ", 1)[0]
    return [
        line.split("**")[1] for line in section.splitlines() if line[:1].isdigit() and "**" in line
    ]


def test_the_reapplicants_choice_leads_plan_and_reports(tmp_path):
    # A reapplicant whose file shows no change, after the last Match and before ERAS
    # opens: the choice between applying again with a changed list and waiting a cycle
    # shapes every other step.
    plan, markdown = _plan_and_markdown(
        tmp_path, DATA / "visa-route" / "reapplicant-unchanged.toml", "2026-04-15"
    )
    first = plan.actions[0]
    assert first.id in CHOICES and first.timing == "decide"
    assert first.when.startswith("April 2026: Decide this first")
    # Dated the same month as the steps to start at once, yet listed before them.
    assert any(a.timing == "now" and a.when[:12] == first.when[:12] for a in plan.actions[1:])
    steps = _next_steps(markdown)
    assert steps[0] == first.title
    assert steps == [a.title for a in plan.actions[:NEXT_ACTIONS]]
    html = resplan.render_report(plan, "html")
    next_actions = html[html.index('id="next-actions"') : html.index('id="numbers"')]
    assert next_actions.index(first.title) < next_actions.index(plan.actions[1].title)


def test_a_season_under_way_leads_with_what_is_due_now(tmp_path):
    # 30 November 2026, the 2027 Match: interviews are running and the rank list deadline
    # is three months away. Steps that build the file over months (coursework, another
    # standardized result, more letters) come after what the season asks now.
    plan, markdown = _plan_and_markdown(
        tmp_path, EXAMPLES / "profiles" / "example.toml", "2026-11-30"
    )
    assert plan.summary.cycle_stage == "under way"
    this_month = [a for a in plan.actions if a.when.startswith("November 2026")]
    timings = [a.timing for a in this_month]
    # Two phases start at once: "now", and the steps that build this application.
    at_once = ("now", "now-this-application")
    assert "now" in timings and "interviews" in timings
    first_long = min(timings.index(t) for t in at_once if t in timings)
    assert all(t in at_once for t in timings[first_long:])
    due = {a.id: a for a in this_month[:first_long]}
    assert "applications/ecfmg-certification-by-rank-list" in due
    assert {
        "applications/interview-score-answer",
        "applications/verify-program-facts-interview-season",
    } <= set(due)
    steps = _next_steps(markdown)
    assert steps == [a.title for a in plan.actions[:NEXT_ACTIONS]]
    long_work = {a.title for a in plan.actions if a.timing in at_once}
    assert not long_work & set(steps)


def test_before_the_season_starting_at_once_is_what_is_due(tmp_path):
    # 15 January 2026, ERAS opens in June: the steps to start at once lead, none late.
    plan, _ = _plan_and_markdown(tmp_path, EXAMPLES / "profiles" / "example.toml", "2026-01-15")
    assert plan.summary.cycle_stage == "ahead"
    # The ECFMG step is conditional (many are certified already): it does not lead.
    assert plan.actions[0].id != "applications/ecfmg-certification"
    assert {a.timing for a in plan.actions[:NEXT_ACTIONS]} <= {
        "by-rank-list",
        "now",
        "now-this-application",
    }
