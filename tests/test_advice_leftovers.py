"""Advice the last session noted and left, read from real plans and reports.

Each test plans a reviewed profile (tests/data/review2) or a written one against the real
border programs on a given date, as a user would, and reads what the plan or its report
says on that date.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import resplan
from resplan.cli import main
from tests.conftest import DATA, EXAMPLES, make_profile

BORDER = EXAMPLES / "catalog" / "border-programs.toml"
REVIEW = Path(__file__).parent / "data" / "review2"
PEDIATRICS = REVIEW / "k-peds-228-s1fail.toml"
# Programs read the 2027 Match's applications from 24 September 2026.
UNDER_WAY, AHEAD = "2026-11-30", "2026-06-15"


def plan_with_reports(tmp_path: Path, profile: Path, as_of: str) -> tuple[dict, str, str]:
    """The plan, its Markdown report and its HTML report's text."""
    out = tmp_path / f"plan-{as_of}.toml"
    args = ["plan", str(profile), "--catalog", str(BORDER), "--as-of", as_of, "--out", str(out)]
    assert main([*args, "--report", str(tmp_path / f"{as_of}.md")]) == 0
    assert main(["report", str(out), "--out", str(tmp_path / f"{as_of}.html")]) == 0
    plan = tomllib.loads(out.read_text(encoding="utf-8"))
    markdown = (tmp_path / f"{as_of}.md").read_text(encoding="utf-8")
    page = (tmp_path / f"{as_of}.html").read_text(encoding="utf-8")
    return plan, markdown, " ".join(re.sub(r"<[^>]+>", " ", page).split())


def section(markdown: str, title: str) -> str:
    return markdown.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]


def summary_words(plan: dict) -> str:
    texts = [a["says"] for a in plan["summary"]["advice"]]
    texts += [r["says"] for v in plan["summary"]["by_specialty"] for r in v.get("reasons", [])]
    return "\n".join(texts)


# ---------------------------------------------------------------- 1. the numbers, once applied


def test_once_programs_read_applications_the_numbers_speak_of_the_list_sent(tmp_path):
    # 30 November, for the 2027 Match: programs have read applications for two months.
    plan, markdown, page = plan_with_reports(tmp_path, PEDIATRICS, UNDER_WAY)
    numbers = section(markdown, "The numbers")
    sent = "Programs are already reading applications for this Match, so what you sent is sent."
    assert sent in numbers and sent in page
    assert "Compare your list with these programs." in numbers
    # No list to build and send now: a full list and its fees are for a next application.
    assert "Send about" not in numbers and "Send about" not in page
    assert "for a full list" not in numbers
    nxt = (
        "For a next application, if this Match ends without a position: a full list holds "
        "about 154 applications, so find about 146 more programs outside this catalog."
    )
    assert nxt in numbers and nxt in page
    assert "- ERAS fees of full lists, for a next application, by the fees of the 2026" in numbers
    assert "What full lists cost in ERAS fees, for a next application (2026 ERAS season)" in page
    # The plan's own words say the same: nothing to send from the catalog now.
    words = summary_words(plan)
    assert "send 8 applications" not in words and "apply to all of them" not in words
    assert "before you apply" not in words
    # The field here is a backup the plan adds (the catalog has no Pediatrics program):
    # not one the applicant sent a list in, so it is a choice for a next application.
    assert "Compare them with the list you sent." not in words
    assert "Keep it as a choice for a next application, if you need one." in words
    assert "For a next application, if you need one, find about 69 more" in words
    assert "For a next application, if you need one: ERAS fees for full lists" in words


def test_before_programs_read_applications_the_numbers_still_say_what_to_send(tmp_path):
    plan, markdown, page = plan_with_reports(tmp_path, PEDIATRICS, AHEAD)
    numbers = section(markdown, "The numbers")
    assert (
        "- Send about 8 applications; find about 146 more programs outside this catalog for "
        "a full list" in numbers
    )
    assert "what you sent is sent" not in numbers and "what you sent is sent" not in page
    assert "For a next application" not in numbers
    assert "- ERAS fees of full lists, by the fees of the 2026 ERAS season: $3,480." in numbers
    words = summary_words(plan)
    assert "From this catalog, send 8 applications in Family Medicine" in words
    assert "apply to all of them, and find about 69 more" in words
    assert "Compare them with the list you sent." not in words


def test_the_signal_count_is_not_checked_ahead_once_the_application_went_out(tmp_path):
    late, _, _ = plan_with_reports(tmp_path, PEDIATRICS, UNDER_WAY)
    early, _, _ = plan_with_reports(tmp_path, PEDIATRICS, AHEAD)
    for entry in late["signals"]:
        assert (
            "resplan has not confirmed the number for your season (the 2027 Match)."
            in (entry["says"])
        )
        assert "Your ERAS application shows it." in entry["says"]
        assert "check it with the AAMC" not in entry["says"].lower()
    for entry in early["signals"]:
        assert "Check it with the AAMC." in entry["says"]
        assert "Your ERAS application shows it." not in entry["says"]


# ---------------------------------------------------------------- 2. Step 3 for an H-1B, late


def test_the_step3_note_names_the_rank_list_deadline_only_while_it_is_ahead(host):
    # H-1B first, no Step 3: passing it moves the H-1B-only program up (tests/data/visa-route).
    profile = make_profile(
        applicant={"visa": ["H-1B", "J-1"], "specialties": ["Internal Medicine"]},
        exams={"step1": {"result": "pass", "attempts": 1}, "step2ck": {"score": 228}},
    )
    catalog = resplan.load_catalog(DATA / "visa-route" / "catalog.toml")

    def step3(as_of: str):
        plan = resplan.plan(profile, catalog, host=host, as_of=as_of)
        return next(w for w in plan.what_if if w.change == "Pass Step 3, for an H-1B visa")

    # The 2027 Match's rank lists are due on 3 March 2027.
    before = step3("2027-02-20")
    assert before.rule == "what-if/pass-step3" and "(3 March 2027)" in before.note
    for as_of in ("2027-03-04", "2027-03-16"):
        after = step3(as_of)
        assert after.rule == "what-if/pass-step3-next-application"
        assert "2027" not in after.note and "3 March" not in after.note
        assert "This Match's rank list deadline has passed" in after.note
        assert "counts in a next application" in after.note
        assert after.programs_improved == before.programs_improved == 1


# ---------------------------------------------------------------- 3. a last Match not over yet

REAPPLICANT = REVIEW / "n-third-time-231.toml"  # last applied for the 2026 Match


def test_a_reapplicant_planning_before_the_last_match_day_is_told_its_result_is_not_known(
    tmp_path,
):
    # 5 March 2026: the 2026 Match ends on Match Day, 20 March 2026.
    plan, markdown, page = plan_with_reports(tmp_path, REAPPLICANT, "2026-03-05")
    first = plan["actions"][0]
    assert first["id"] == "between-cycles/last-match-not-over" and first["timing"] == "decide"
    assert first["title"] == (
        "Your 2026 Match is not over: this plan is for the case that you do not match"
    )
    assert first["detail"].startswith(
        "Match Day of the 2026 Match is 20 March 2026. In Match Week you learn whether you "
        "matched. This plan counts that Match as one without a position. If you match, you "
        "do not need this plan. If you do not, SOAP in Match Week comes first"
    )
    assert section(markdown, "What to do next").startswith(f"\n1. **{first['title']}**")
    assert first["title"] in page
    # From Match Day on, the result is known: no such step.
    for as_of in ("2026-03-20", "2026-04-15"):
        later, _, _ = plan_with_reports(tmp_path, REAPPLICANT, as_of)
        assert not any("last-match" in a["id"] for a in later["actions"])


def test_without_the_last_cycle_the_step_says_if_you_applied_in_the_running_match(tmp_path):
    text = REAPPLICANT.read_text(encoding="utf-8")
    assert "last_cycle = 2026\n" in text
    profile = tmp_path / "profile.toml"
    profile.write_text(text.replace("last_cycle = 2026\n", ""), encoding="utf-8")
    plan, _, _ = plan_with_reports(tmp_path, profile, "2026-03-05")
    first = plan["actions"][0]
    assert first["id"] == "between-cycles/last-match-may-not-be-over"
    assert "ends on Match Day, 20 March 2026. If you applied in it" in first["detail"]
    assert "Write your last cycle in your profile" in first["detail"]
