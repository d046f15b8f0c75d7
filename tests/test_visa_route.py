"""The visa route and the reapplicant's choice, on plans made from profile files.

Profiles and the catalog are in tests/data/visa-route (fictional programs in El Paso that
differ only in the visas they sponsor). Each test runs ``resplan plan`` as a user does
and reads the plan file back with ``resplan.read_plan``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import resplan
from resplan.cli import main
from resplan.convert import structure
from resplan.errors import InputError, RulesetError
from resplan.model import Catalog
from resplan.plugins import builtin_ruleset
from tests.conftest import make_profile

DATA = Path(__file__).parent / "data" / "visa-route"
AS_OF = "2026-01-15"  # before ERAS opens for the 2027 Match


def make_plan(
    tmp_path: Path, profile: str, *extra: str, catalog: Path = DATA / "catalog.toml"
) -> resplan.Plan:
    out = tmp_path / f"{profile}.plan.toml"
    status = main(
        [
            "plan",
            str(DATA / f"{profile}.toml"),
            "--catalog",
            str(catalog),
            "--as-of",
            AS_OF,
            "--out",
            str(out),
            *extra,
        ]
    )
    assert status == 0
    return resplan.read_plan(out)


def verdicts(plan) -> dict[str, str]:
    return {p.id: p.verdict for p in plan.programs}


def tiers(plan) -> dict[str, int | None]:
    return {p.id: p.tier for p in plan.programs}


def test_two_visas_skip_only_a_program_that_sponsors_neither(tmp_path):
    plan = make_plan(tmp_path, "j1-or-h1b")
    assert verdicts(plan) == {
        "tx-elpaso-j1-im": "apply",
        "tx-elpaso-h1b-im": "apply",
        "tx-elpaso-both-im": "apply",
        "tx-elpaso-unstated-im": "apply",
        "tx-elpaso-novisa-im": "skip",
    }
    skipped = next(p for p in plan.programs if p.id == "tx-elpaso-novisa-im")
    assert [r.says for r in skipped.reasons if r.rule.startswith("screening/visa-none")] == [
        "You need a visa (J-1 or H-1B), and this program's listing says it sponsors no visa. "
        "Listings can be out of date: ask the program whether it sponsors the J-1 or H-1B "
        "visa now."
    ]
    # What the listing says is the program's own report: the applicant's visas to verify.
    assert "visas" in skipped.to_verify
    # Sponsorship the listing does not state stays unknown: to verify, not skipped.
    unstated = next(p for p in plan.programs if p.id == "tx-elpaso-unstated-im")
    assert "visas" in unstated.to_verify


def test_one_visa_skips_a_program_that_sponsors_only_the_other(tmp_path):
    plan = make_plan(tmp_path, "j1-only")
    assert verdicts(plan)["tx-elpaso-h1b-im"] == "skip"
    assert verdicts(plan)["tx-elpaso-j1-im"] == "apply"
    skipped = next(p for p in plan.programs if p.id == "tx-elpaso-h1b-im")
    assert (
        "You need a visa (J-1), and this program's listing names only the H-1B visa. Listings "
        "can be out of date: ask the program whether it sponsors the J-1 visa now."
    ) in [r.says for r in skipped.reasons]


def test_invalid_step3_stops_with_the_field_and_line(tmp_path, capsys):
    out = tmp_path / "plan.toml"
    out.write_text("previous plan\n", encoding="utf-8")
    status = main(
        [
            "plan",
            str(DATA / "step3-invalid.toml"),
            "--catalog",
            str(DATA / "catalog.toml"),
            "--as-of",
            AS_OF,
            "--out",
            str(out),
        ]
    )
    err = capsys.readouterr().err
    assert status == 2
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    text = (DATA / "step3-invalid.toml").read_text(encoding="utf-8").splitlines()
    result_line = next(n for n, line in enumerate(text, 1) if line.startswith("result ="))
    attempts_line = next(n for n, line in enumerate(text, 1) if line.startswith("attempts = 9"))
    assert any(
        f"step3-invalid.toml:{result_line}" in line
        and "exams.step3.result" in line
        and "'passed' is not one of pass, fail" in line
        for line in lines
    ), lines
    assert any(
        f"step3-invalid.toml:{attempts_line}" in line and "exams.step3.attempts" in line
        for line in lines
    ), lines
    assert out.read_text(encoding="utf-8") == "previous plan\n"


@pytest.mark.parametrize(
    ("exams", "field", "words"),
    [
        ({"step3": {"result": "pass", "attempts": 1}}, "exams.step3", "no Step 2 CK"),
        (
            {
                "step1": {"result": "fail", "attempts": 2},
                "step2ck": {"score": 230, "attempts": 1},
                "step3": {"result": "pass", "attempts": 1},
            },
            "exams.step3",
            "Step 1 is passed",
        ),
    ],
)
def test_step3_before_the_steps_it_needs_is_refused(exams, field, words):
    data = {"applicant": {"graduation_year": 2023, "cycle": 2027, "visa": "H-1B"}, "exams": exams}
    with pytest.raises(InputError) as caught:
        structure(data, resplan.Profile, file="p.toml")
    assert [(p.field, words in p.message) for p in caught.value.problems] == [(field, True)]


@pytest.mark.parametrize(
    ("visa", "message"),
    [
        ([], 'lists no visa: write "none" if you need none'),
        (["J-1", "J-1"], "lists J-1 twice"),
        (["none", "J-1"], '"none" means you need no visa'),
        (["J1"], "'J1' is not one of none, J-1, H-1B (did you mean 'J-1'?)"),
    ],
)
def test_a_bad_visa_list_is_refused_with_its_field(visa, message):
    data = {"applicant": {"graduation_year": 2023, "cycle": 2027, "visa": visa}}
    with pytest.raises(InputError) as caught:
        structure(data, resplan.Profile, file="p.toml")
    [problem] = caught.value.problems
    assert problem.field.startswith("applicant.visa") and message in problem.message


def action_ids(plan) -> list[str]:
    return [a.id for a in plan.actions]


VISA_STEPS = (
    "applications/step3-for-h1b",
    "applications/step3-too-late-for-this-rank-list",
    "applications/j1-ecfmg-sponsorship",
)


@pytest.mark.parametrize("profile", ["j1-or-h1b", "h1b-or-j1"])
def test_an_applicant_who_would_take_either_visa_gets_every_visa_step(tmp_path, profile):
    plan = make_plan(tmp_path, profile)
    ids = action_ids(plan)
    for step in (
        "applications/step3-for-h1b",
        "applications/j1-ecfmg-sponsorship",
        "applications/ecfmg-certification",
    ):
        assert ids.count(step) == 1, step
    step3 = next(a for a in plan.actions if a.id == "applications/step3-for-h1b")
    # Timed before the rank list deadline: the cycle's Match Day (19 March 2027) less the
    # calendar's 16 days, and dated no earlier than the plan's date.
    assert "3 March 2027" in step3.detail
    assert step3.when.startswith("January 2026")
    ecfmg = next(a for a in plan.actions if a.id == "applications/ecfmg-certification")
    assert "3 March 2027" in ecfmg.detail


def test_the_first_choice_of_visa_comes_first_in_the_tiers(tmp_path):
    # The same programs away from the border (Dallas): IMGs are most of their residents,
    # tier 1, unless a program sponsors only the applicant's second choice.
    dallas = tmp_path / "dallas.toml"
    text = (DATA / "catalog.toml").read_text(encoding="utf-8")
    dallas.write_text(text.replace("El Paso", "Dallas").replace("elpaso", "dallas"))
    j1_first = make_plan(tmp_path, "j1-or-h1b", catalog=dallas)
    h1b_first = make_plan(tmp_path, "h1b-or-j1", catalog=dallas)
    assert tiers(j1_first) == {
        "tx-dallas-j1-im": 1,
        "tx-dallas-both-im": 1,
        "tx-dallas-unstated-im": 1,
        "tx-dallas-h1b-im": 2,
        "tx-dallas-novisa-im": None,
    }
    # The H-1B-first applicant has no Step 3 pass: the H-1B-only program moves down too
    # (tiering/h1b-without-step3), and the program sponsoring both keeps tier 1.
    assert tiers(h1b_first)["tx-dallas-j1-im"] == 2 and tiers(h1b_first)["tx-dallas-h1b-im"] == 2
    assert tiers(h1b_first)["tx-dallas-both-im"] == 1
    moved = next(p for p in j1_first.programs if p.id == "tx-dallas-h1b-im")
    assert [r.says for r in moved.reasons if r.rule == "tiering/later-choice-visa-only"] == [
        "Moved down 1 tier: this program sponsors H-1B, a visa you would take, but not J-1, "
        "your first choice."
    ]
    # Where the program stays in its tier anyway (tier 3), the rule is not cited.
    for plan in (j1_first, h1b_first):
        for program in plan.programs:
            if "tiering/later-choice-visa-only" in [r.rule for r in program.reasons]:
                assert program.tier in (2, 3)


def test_a_border_program_keeps_its_tier_for_a_later_choice_of_visa(tmp_path):
    # In El Paso the guide's tier 1 holds: a visa the applicant would take moves no border
    # program down, and the plan says so once.
    for profile in ("j1-or-h1b", "h1b-or-j1"):
        plan = make_plan(tmp_path, profile)
        assert tiers(plan) == {
            "tx-elpaso-j1-im": 1,
            "tx-elpaso-both-im": 1,
            "tx-elpaso-unstated-im": 1,
            # An H-1B without Step 3 moves it down (tiering/h1b-without-step3), not the visa
            # being a later choice.
            "tx-elpaso-h1b-im": 2 if profile == "h1b-or-j1" else 1,
            "tx-elpaso-novisa-im": None,
        }
        assert not any(
            r.rule == "tiering/later-choice-visa-only" for p in plan.programs for r in p.reasons
        )
        assert "tiering/later-choice-visa-border" in {a.rule for a in plan.summary.advice}


def test_a_j1_only_applicant_gets_no_step3_step(tmp_path):
    ids = action_ids(make_plan(tmp_path, "j1-only"))
    assert "applications/step3-for-h1b" not in ids
    assert "applications/step3-too-late-for-this-rank-list" not in ids
    assert ids.count("applications/j1-ecfmg-sponsorship") == 1
    assert ids.count("applications/ecfmg-certification") == 1


def test_an_applicant_who_needs_no_visa_gets_no_visa_step(tmp_path):
    ids = action_ids(make_plan(tmp_path, "reapplicant-changed"))
    assert not set(VISA_STEPS) & set(ids)
    assert ids.count("applications/ecfmg-certification") == 1


def test_step3_passed_means_no_step3_and_no_certification_step(host):
    profile = make_profile(
        applicant={"graduation_year": 2023, "visa": ["H-1B", "J-1"]},
        exams={
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 230, "attempts": 1},
            "step3": {"result": "pass", "attempts": 1},
        },
    )
    ids = action_ids(resplan.plan(profile, Catalog([]), host=host, as_of=AS_OF))
    assert "applications/step3-for-h1b" not in ids
    assert "applications/ecfmg-certification" not in ids
    assert "applications/j1-ecfmg-sponsorship" in ids


def test_a_step3_that_cannot_be_back_before_the_deadline_is_said_so(host):
    profile = make_profile(
        applicant={"graduation_year": 2023, "visa": "H-1B"},
        exams={"step2ck": {"score": 230, "attempts": 1}},
    )
    plan = resplan.plan(profile, Catalog([]), host=host, as_of="2027-02-20")
    ids = action_ids(plan)
    assert "applications/step3-for-h1b" not in ids
    late = next(a for a in plan.actions if a.id == "applications/step3-too-late-for-this-rank-list")
    assert "3 March 2027" in late.detail and "4 weeks" in late.detail
    # After the deadline neither step is left, nor the certification step.
    after = action_ids(resplan.plan(profile, Catalog([]), host=host, as_of="2027-03-10"))
    assert not {
        "applications/step3-for-h1b",
        "applications/step3-too-late-for-this-rank-list",
        "applications/ecfmg-certification",
    } & set(after)


CHOICES = (
    "between-cycles/same-file-choice",
    "between-cycles/same-file-choice-graduation-clock",
    # From 1 September, with what can still change in the weeks left (review9 finding 3).
    "between-cycles/same-file-choice-reading-soon",
    "between-cycles/same-file-choice-graduation-clock-reading-soon",
)


def test_a_reapplicant_with_an_unchanged_file_gets_the_choice(tmp_path):
    plan = make_plan(tmp_path, "reapplicant-unchanged")
    chosen = [a for a in plan.actions if a.id in CHOICES]
    assert len(chosen) == 1
    [choice] = chosen
    # 2022 graduate, 2027 Match: 4 years at the June the application opens, one more if
    # the applicant waits, which reaches the guide's 5-year start of graduation filters.
    assert choice.id == "between-cycles/same-file-choice-graduation-clock"
    assert "Choice 1" in choice.detail and "Choice 2" in choice.detail
    assert "4 years past graduation" in choice.detail
    assert "5 to 7 years" in choice.detail
    assert "record-what-changed" not in " ".join(action_ids(plan))


def test_the_choice_leans_on_the_graduation_clock(host):
    def choice(graduation_year):
        profile = make_profile(
            applicant={"graduation_year": graduation_year, "previous_cycles": 1},
            exams={"step2ck": {"score": 221, "attempts": 1}},
            reapplicant={"last_cycle": 2026, "changes": []},
        )
        plan = resplan.plan(profile, Catalog([]), host=host, as_of=AS_OF)
        return [a for a in plan.actions if a.id in CHOICES]

    [recent] = choice(2024)  # 2 years out: waiting a year still passes most filters
    assert recent.id == "between-cycles/same-file-choice"
    assert (
        "2 years past graduation" in recent.detail
        and "waiting one year costs little" in recent.detail
    )
    [older] = choice(2021)
    assert older.id == "between-cycles/same-file-choice-graduation-clock"
    assert "applying now with a changed list is usually the better choice" in older.detail


def test_a_reapplicant_who_changed_things_gets_no_choice(tmp_path):
    ids = action_ids(make_plan(tmp_path, "reapplicant-changed"))
    assert not set(CHOICES) & set(ids)
    assert "between-cycles/record-what-changed" not in ids
    # What changed leads the file; the general "make it visibly different" is for a file
    # that does not say what changed.
    assert "between-cycles/lead-with-what-changed" in ids
    assert "between-cycles/visible-change" not in ids


def test_a_reapplicant_who_does_not_say_what_changed_is_asked(host):
    profile = make_profile(
        applicant={"previous_cycles": 2}, exams={"step2ck": {"score": 221, "attempts": 1}}
    )
    ids = action_ids(resplan.plan(profile, Catalog([]), host=host, as_of=AS_OF))
    assert "between-cycles/record-what-changed" in ids
    assert not set(CHOICES) & set(ids)


def test_the_choice_is_not_offered_once_the_cycle_is_under_way(host):
    profile = make_profile(
        applicant={"graduation_year": 2024, "previous_cycles": 1},
        exams={"step2ck": {"score": 221, "attempts": 1}},
        reapplicant={"changes": []},
    )
    # Programs start reading on 24 September: until then the choice stands.
    ids = action_ids(resplan.plan(profile, Catalog([]), host=host, as_of="2026-09-01"))
    assert set(CHOICES) & set(ids)
    ids = action_ids(resplan.plan(profile, Catalog([]), host=host, as_of="2026-09-24"))
    assert not set(CHOICES) & set(ids)


@pytest.mark.parametrize(
    ("applicant", "reapplicant", "field", "words"),
    [
        ({"previous_cycles": 0}, {"changes": []}, "applicant.previous_cycles", "is 0"),
        ({}, {"changes": []}, "applicant.previous_cycles", "is missing"),
        ({"previous_cycles": 1}, {"last_cycle": 2027}, "reapplicant.last_cycle", "not before"),
        ({"previous_cycles": 1}, {"last_cycle": 2021}, "reapplicant.last_cycle", "not after"),
        (
            {"previous_cycles": 1},
            {"changes": ["letters", "letters"]},
            "reapplicant.changes",
            "twice",
        ),
        (
            {"previous_cycles": 1},
            {"changes": ["statement"]},
            "reapplicant.changes[0]",
            "not one of",
        ),
    ],
)
def test_an_impossible_reapplicant_table_is_refused(applicant, reapplicant, field, words):
    data = {
        "applicant": {"graduation_year": 2021, "cycle": 2027, "visa": "none", **applicant},
        "reapplicant": reapplicant,
    }
    with pytest.raises(InputError) as caught:
        structure(data, resplan.Profile, file="p.toml")
    assert [(p.field, words in p.message) for p in caught.value.problems] == [(field, True)]


def test_the_reports_show_the_visa_steps_and_the_choice(tmp_path):
    # The HTML report lists every action; the short Markdown report the next few.
    plan = make_plan(tmp_path, "j1-or-h1b")
    html = resplan.render_report(plan, "html")
    for title in (
        "Pass Step 3 before the rank list deadline, for an H-1B visa",
        "If you are not ECFMG certified yet: finish it before the rank list deadline",
        "Prepare for ECFMG&#39;s J-1 visa sponsorship",
    ):
        assert title in html, title
    markdown = resplan.render_report(plan, "md")
    assert "**Pass Step 3 before the rank list deadline, for an H-1B visa**" in markdown
    html = resplan.render_report(make_plan(tmp_path, "reapplicant-unchanged"), "html")
    assert "Choose: apply again with a changed list, or wait one cycle and change your file" in html


@pytest.mark.parametrize(
    ("lower", "words"),
    [
        ("3", "is not a number of tiers to move down"),
        ('"no_such_parameter"', "is not a number of tiers to move down"),
        ("1.0", "is not a number of tiers to move down"),
        ('"later_choice_visa_tiers_down"\ntier = 2', "exactly one of 'tier', 'lower' or 'note'"),
    ],
)
def test_a_rule_that_lowers_a_tier_takes_1_or_2_tiers(lower, words):
    text = builtin_ruleset("tiering.toml").text.replace(
        'lower = "later_choice_visa_tiers_down"\n', f"lower = {lower}\n", 1
    )

    class Tiers:
        name = "odd-tiers"

        @resplan.hookimpl
        def resplan_rulesets(self):
            return [resplan.RulesetSource.from_text(text, "odd-tiers.toml")]

    with pytest.raises(RulesetError) as caught:
        resplan.load_host(plugins=[Tiers()], disable=["tiering"], use_env=False)
    [problem] = caught.value.problems
    assert problem.file == "odd-tiers.toml" and words in problem.message
    assert problem.line is not None


# ---------------------------------------------------------------- H-1B and Step 3

STEP3_RULE = "tiering/h1b-without-step3"


def _tier_rules(plan, program_id):
    program = next(p for p in plan.programs if p.id == program_id)
    return program.tier, [r.rule for r in program.reasons], program


def test_an_h1b_first_applicant_without_step3_and_what_passing_it_changes(tmp_path):
    plan = make_plan(tmp_path, "h1b-or-j1")  # H-1B first, J-1 second, no Step 3
    tier, rules, program = _tier_rules(plan, "tx-elpaso-h1b-im")
    assert tier == 2 and STEP3_RULE in rules
    says = next(r.says for r in program.reasons if r.rule == STEP3_RULE)
    assert says == (
        "Moved down 1 tier: you would come here on an H-1B visa, and programs usually "
        "sponsor an H-1B only once Step 3 is passed, often by the rank list deadline. "
        "Your profile shows no Step 3 pass yet."
    )
    # The program that also sponsors a J-1 (a visa this applicant would take) keeps its
    # tier; a program whose sponsorship is not stated is not read as H-1B only.
    for other in ("tx-elpaso-both-im", "tx-elpaso-unstated-im"):
        tier, rules, _ = _tier_rules(plan, other)
        assert tier == 1 and STEP3_RULE not in rules
    step3 = next(w for w in plan.what_if if w.rule == "what-if/pass-step3")
    assert step3.change == "Pass Step 3, for an H-1B visa"
    assert (step3.programs_opened, step3.programs_worsened) == (0, 0)
    assert step3.programs_improved == 1
    # Tier 1 before: the J-1-only, two-visa and unstated border programs (a border program
    # keeps its tier for a later choice of visa); a Step 3 pass adds the H-1B-only one.
    assert (step3.tier1_before, step3.tier1_after) == (3, 4)
    assert "3 March 2027" in step3.note
    assert any(
        a.rule == step3.rule
        and a.says
        == "Pass Step 3, for an H-1B visa: this would give 1 program a better verdict or tier."
        for a in plan.summary.advice
    )


def test_with_step3_passed_nothing_moves_down_and_no_step3_change_is_proposed(host):
    profile = make_profile(
        applicant={"visa": ["H-1B", "J-1"], "specialties": ["Internal Medicine"]},
        exams={
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 228, "attempts": 1},
            "step3": {"result": "pass", "attempts": 1},
        },
    )
    catalog = resplan.load_catalog(DATA / "catalog.toml")
    plan = resplan.plan(profile, catalog, host=host, as_of=AS_OF)
    assert {p.id: p.tier for p in plan.programs}["tx-elpaso-h1b-im"] == 1
    assert not any(STEP3_RULE in [r.rule for r in p.reasons] for p in plan.programs)
    assert "what-if/pass-step3" not in {w.rule for w in plan.what_if}


def test_an_h1b_only_applicant_has_no_j1_route_even_where_one_is_sponsored(host):
    profile = make_profile(
        applicant={"visa": "H-1B", "specialties": ["Internal Medicine"]},
        exams={
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 228, "attempts": 1},
            "step3": {"result": "fail", "attempts": 1},
        },
    )
    catalog = resplan.load_catalog(DATA / "catalog.toml")
    plan = resplan.plan(profile, catalog, host=host, as_of=AS_OF)
    tiers = {p.id: (p.tier, [r.rule for r in p.reasons]) for p in plan.programs}
    for lowered in ("tx-elpaso-h1b-im", "tx-elpaso-both-im"):
        assert tiers[lowered][0] == 2 and STEP3_RULE in tiers[lowered][1]
    assert tiers["tx-elpaso-unstated-im"][0] == 1
    unstated = next(p for p in plan.programs if p.id == "tx-elpaso-unstated-im")
    assert "visas" in unstated.to_verify  # unknown sponsorship: asked, not read as no
    step3 = next(w for w in plan.what_if if w.rule == "what-if/pass-step3")
    assert step3.programs_improved == 2
