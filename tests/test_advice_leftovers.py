"""Advice the last session noted and left, read from real plans and reports.

Each test plans a reviewed profile (tests/data/review2) or a written one against the real
border programs on a given date, as a user would, and reads what the plan or its report
says on that date.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

import resplan
from resplan.cli import main
from resplan.errors import RulesetError
from resplan.testing.hosts import ruleset_plugin
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
    sent = (
        "Applications for this Match are already with programs. The documents and signals "
        "you sent stay as they are."
    )
    assert sent in numbers and sent in page
    # The catalog holds no Pediatrics program, and the backup field's are shown apart:
    # with no program of this Match's list, there is nothing to compare (review 12, #3).
    assert "- Programs in this plan: 0" in numbers
    assert "Compare your list with these programs." not in numbers
    # No list to build and send now: a full list and its fees are for a next application.
    assert "Send about" not in numbers and "Send about" not in page
    assert "for a full list" not in numbers
    nxt = (
        "For a next application, if this Match ends without a position: a full list holds "
        "about 97 applications, so find about 89 more programs outside this catalog."
    )
    assert nxt in numbers and nxt in page
    assert (
        "- What ERAS charges to send the lists this plan proposes, for a next application, at "
        "the 2026" in numbers
    )
    assert (
        "What the lists this plan proposes cost in ERAS fees, for a next application "
        "(2026 ERAS season)" in page
    )
    assert "Send from this plan" not in page and "In this plan" in page
    # The plan's own words say the same: nothing to send from the catalog now.
    words = summary_words(plan)
    assert "send 8 applications" not in words and "apply to all of them" not in words
    assert "before you apply" not in words
    # The field here is a backup the plan adds (the catalog has no Pediatrics program):
    # not one the applicant sent a list in, so it is a choice for a next application.
    assert "Compare them with the list you sent." not in words
    assert "Keep it as a choice for a next application, if you need one." in words
    assert "For a next application, if you need one, find about 12 more" in words
    assert "For a next application, if you need one: ERAS fees for the lists" in words


def test_before_programs_read_applications_the_numbers_still_say_what_to_send(tmp_path):
    plan, markdown, page = plan_with_reports(tmp_path, PEDIATRICS, AHEAD)
    numbers = section(markdown, "The numbers")
    assert (
        "- Send about 8 applications; find about 89 more programs outside this catalog for "
        "a full list" in numbers
    )
    assert "signals you sent" not in numbers and "signals you sent" not in page
    assert "Send from this plan" in page
    assert "For a next application" not in numbers
    assert (
        "- What ERAS charges to send the lists this plan proposes, at the 2026 ERAS season's "
        "prices: $1,960 in total." in numbers
    )
    words = summary_words(plan)
    assert "From this catalog, send 8 applications in Family Medicine" in words
    assert "apply to all of them, and find about 12 more" in words
    assert "Compare them with the list you sent." not in words
    # No program of Pediatrics to apply to: nothing to "apply to all of".
    assert "Your catalog has 0 programs" not in words
    assert "Your catalog has no program in Pediatrics that you can apply to." in words


def test_the_signal_count_is_not_checked_ahead_once_the_application_went_out(tmp_path):
    late, _, _ = plan_with_reports(tmp_path, PEDIATRICS, UNDER_WAY)
    early, _, _ = plan_with_reports(tmp_path, PEDIATRICS, AHEAD)
    for entry in late["signals"]:
        assert (
            "resplan has not confirmed the number for your season (the 2027 Match)."
            in (entry["says"])
        )
        if "as a backup field after this Match's applications went out" in entry["says"]:
            # Added after the applications went out: maybe in no application of theirs.
            assert "Your ERAS application shows it." not in entry["says"]
            assert "Check it with the AAMC." in entry["says"]
            continue
        assert "Your ERAS application shows it." in entry["says"]
        assert "check it with the AAMC" not in entry["says"].lower()
    for entry in early["signals"]:
        assert "Check it with the AAMC." in entry["says"]
        assert "Your ERAS application shows it." not in entry["says"]


def test_once_interviews_are_over_the_signals_are_not_to_send_with_an_application(tmp_path):
    # 10 February 2027: interview season of the 2027 Match (October to January) is over.
    example = EXAMPLES / "profiles" / "example.toml"
    late, markdown, _ = plan_with_reports(tmp_path, example, "2027-02-10")
    [medicine] = [s for s in late["signals"] if s["specialty"] == "Internal Medicine"]
    assert medicine["programs"]
    assert "Interview season for this Match is over" in medicine["says"]
    assert "If you have not applied yet" not in section(markdown, "Program signals")


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


# ---------------------------------------------------------------- 4. "the" before a region


def plan_texts(plan: dict) -> list[str]:
    """Every sentence a reader of the plan sees."""
    texts = [a[k] for a in plan["actions"] for k in ("title", "detail")]
    texts += [a["says"] for a in plan["summary"]["advice"]]
    texts += [r["says"] for v in plan["summary"]["by_specialty"] for r in v.get("reasons", [])]
    for kind in ("strengths", "weaknesses"):
        texts += [r["says"] for f in plan["assessment"][kind] for r in f["reasons"]]
    texts += [
        r["says"] for part in ("specialties", "regions") for x in plan[part] for r in x["reasons"]
    ]
    texts += [r["says"] for p in plan["programs"] for r in p["reasons"]]
    for entry in plan.get("signals", []):
        texts += [entry.get("says", "")] + [c["why"] for c in entry.get("programs", [])]
    texts += [w[k] for w in plan.get("what_if", []) for k in ("change", "note") if k in w]
    return texts


@pytest.mark.parametrize(
    "profile",
    [EXAMPLES / "profiles" / "example.toml", PEDIATRICS, REVIEW / "r2-obs.toml"],
    ids=["example", "pediatrics", "observership"],
)
def test_a_region_that_takes_the_is_said_with_it_in_every_sentence(tmp_path, host, profile):
    plan, markdown, _ = plan_with_reports(tmp_path, profile, AHEAD)
    named = [sub for sub in host.rulebook.subregions if sub.article]
    assert [sub.name for sub in named] == ["Rio Grande Valley"]
    # Program names ("University of Texas Rio Grande Valley") are names, not the region.
    names = sorted({p["name"] for p in plan["programs"]}, key=len, reverse=True)
    texts = [re.sub("|".join(map(re.escape, names)), "PROGRAM", t) for t in plan_texts(plan)]
    said = 0
    for text in texts:
        for sub in named:
            for found in re.finditer(re.escape(sub.name), text):
                before = text[: found.start()]
                # A name in parentheses or in a list of names is a label; in a sentence
                # it takes its article.
                assert before.endswith(("the ", "(")), text
                said += before.endswith("the ")
    assert said > 0
    assert "in Rio Grande Valley" not in markdown


def test_a_sub_region_article_other_than_the_is_refused(tmp_path):
    text = """[ruleset]\nname = "ours"\nversion = "1"\n
[[subregion]]
id = "tx-big-bend"
name = "Big Bend"
article = "a"
state = "TX"
cities = ["Alpine"]
"""

    with pytest.raises(RulesetError) as excinfo:
        resplan.load_host(plugins=[ruleset_plugin("ours", text)], use_env=False)
    [problem] = excinfo.value.problems
    assert problem.file == "ours.toml" and "'a' is not an article" in problem.message


# ---------------------------------------------------------------- 5. a Step 2 CK not passed

SMALL = DATA / "catalog-small.toml"  # programs with Step 2 CK minimums


def step2ck_changes(host, step2ck: dict | None) -> dict:
    exams = {"step1": {"result": "pass", "attempts": 1}}
    if step2ck is not None:
        exams["step2ck"] = step2ck
    profile = make_profile(
        applicant={"visa": "J-1", "specialties": ["Internal Medicine"]}, exams=exams
    )
    plan = resplan.plan(profile, resplan.load_catalog(SMALL), host=host, as_of=AHEAD)
    return {w.rule: w for w in plan.what_if}


def test_a_failed_step2ck_gets_the_retake_where_it_opens_programs(host):
    # Sat once and failed: the pass comes at a second sitting.
    changes = step2ck_changes(host, {"attempts": 1, "result": "fail"})
    retake = changes["what-if/retake-step2ck"]
    assert retake.change == "Pass Step 2 CK on your next sitting with 225 or more"
    # The pass clears a minimum the plan cannot count as met without one.
    assert retake.programs_opened + retake.programs_improved >= 1
    assert retake.programs_worsened == 0
    assert "one more attempt" in retake.note
    assert not {"what-if/take-step2ck", "what-if/retake-step2ck-result-not-given"} & set(changes)


def test_a_step2ck_sat_with_no_result_given_gets_the_retake_said_as_an_if(host):
    changes = step2ck_changes(host, {"attempts": 1})
    retake = changes["what-if/retake-step2ck-result-not-given"]
    # The change is the pass, whichever way the last sitting went; the note says how it
    # is planned (tests/test_reading_small_profiles.py reads the summary's sentence).
    assert retake.change == "Pass Step 2 CK with 225 or more"
    assert retake.programs_opened + retake.programs_improved >= 1
    # Planned as a retake, at one more sitting: first-try filters see it, as said.
    assert "does not say how your last sitting went" in retake.note
    assert "one more attempt, which programs that ask for a pass on the first try" in retake.note
    assert "If the result you wait for is that pass, no sitting is added." in retake.note
    assert "Add your last result to your profile" in retake.note
    assert "what-if/retake-step2ck" not in changes


def test_a_passed_pending_or_untaken_step2ck_gets_no_retake(host):
    retakes = {"what-if/retake-step2ck", "what-if/retake-step2ck-result-not-given"}
    # A score on record was a pass: USMLE lets no one sit it again.
    assert not retakes & set(step2ck_changes(host, {"score": 212, "attempts": 1}))
    assert not retakes & set(step2ck_changes(host, {"result": "pass", "attempts": 1}))
    # A result still to come is waited for.
    assert not retakes & set(step2ck_changes(host, {"result": "pending", "attempts": 1}))
    untaken = step2ck_changes(host, None)
    assert not retakes & set(untaken) and "what-if/take-step2ck" in untaken


# ---------------------------------------------------------------- 6. every short named field


def test_every_named_field_short_of_a_list_gets_the_step_to_find_more(tmp_path):
    # The border catalog holds 2 Psychiatry, 8 Family Medicine and 18 Internal Medicine
    # programs this applicant can apply to: the first two are short of a list.
    text = PEDIATRICS.read_text(encoding="utf-8")
    named = '["Psychiatry", "Family Medicine", "Internal Medicine"]'
    profile = tmp_path / "profile.toml"
    profile.write_text(text.replace('["Pediatrics"]', named), encoding="utf-8")
    plan, markdown, _ = plan_with_reports(tmp_path, profile, AHEAD)
    held = {v["name"]: v["applications"] for v in plan["summary"]["by_specialty"]}
    assert held["Psychiatry"] < 10 and held["Family Medicine"] < 10 <= held["Internal Medicine"]
    [few] = [a for a in plan["actions"] if a["id"] == "applications/named-field-few-in-catalog"]
    assert (
        few["title"] == "Find more Psychiatry and Family Medicine programs than this catalog holds"
    )
    assert few["detail"].startswith(
        f"This catalog holds only {held['Psychiatry']} programs in Psychiatry and "
        f"{held['Family Medicine']} in Family Medicine that you can apply to. A field needs at least 10 "
        "programs to fill the three tiers of a list. Look up more "
        "Psychiatry and Family Medicine programs"
    )
    assert "Internal Medicine" not in few["title"] + few["detail"]


# ---------------------------------------------------------------- 7. another standardized result

MEASURE = "applications/additional-standardized-measure"
RESEARCH = REVIEW / "p-neuro-im-2015.toml"  # Step 1 of 209, Step 2 CK of 226, research


def with_step2ck(tmp_path: Path, score: int, attempts: int) -> dict:
    text = RESEARCH.read_text(encoding="utf-8")
    old = "[exams.step2ck]\nscore = 226\nattempts = 1\n"
    assert old in text
    profile = tmp_path / f"step2ck-{score}-{attempts}.toml"
    new = f"[exams.step2ck]\nscore = {score}\nattempts = {attempts}\n"
    profile.write_text(text.replace(old, new), encoding="utf-8")
    plan, _, _ = plan_with_reports(tmp_path, profile, AHEAD)
    return {a["id"]: a for a in plan["actions"]}


def test_the_other_exam_is_for_a_low_step2ck_in_a_research_or_teaching_post(tmp_path):
    # The guide's step is for an applicant who already has a low Step 2 CK.
    low = with_step2ck(tmp_path, 218, 1)[MEASURE]
    assert low["detail"].startswith(
        "Your Step 2 CK result stays on your record, but a newer test result can stand next "
        "to it. You list research or teaching work."
    )
    # Said so that it can be acted on (review 11, finding 17): where to ask, and for what.
    assert "If you still work with that group or department" in low["detail"]
    assert "a written test of knowledge in your specialty" in low["detail"]
    assert "If you still work there" not in low["detail"]
    # A failed sitting is on the record too, whatever the later score.
    assert MEASURE in with_step2ck(tmp_path, 232, 2)
    # A low Step 1 with a Step 2 CK at the guide's aim: Step 2 CK already answers it.
    assert MEASURE not in with_step2ck(tmp_path, 226, 1)
