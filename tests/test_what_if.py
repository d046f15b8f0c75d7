"""What would change the plan ([[what_if]]): changes re-planned, counted and named."""

from __future__ import annotations

import datetime

import attrs
import pytest

import resplan
from resplan import pipeline
from resplan.errors import RulesetError
from resplan.model import Catalog, Letter, Step2CK, Step3
from resplan.plan import Reason
from resplan.stages.what_if import changed_profile
from resplan.testing.hosts import ruleset_plugin
from resplan.writer import dumps_plan, loads_plan
from tests.conftest import EXAMPLES, make_catalog, make_profile

AS_OF = datetime.date(2026, 4, 20)
SEVERITY = {"apply": 0, "borderline": 1, "skip": 2}


@pytest.fixture(scope="module")
def catalog(host):
    """The border programs and the national sample, taken as real: a change counts real
    programs only (a generated one is no reason to make it), and these tests need
    programs that publish limits."""
    sample = host.read_catalog(EXAMPLES / "catalog" / "synthetic-national-sample.toml")
    taken = Catalog(
        [
            attrs.evolve(p, synthetic=False, source="test: a generated program taken as real")
            for p in sample
        ]
    )
    return resplan.merge_catalogs(
        [host.read_catalog(EXAMPLES / "catalog" / "border-programs.toml"), taken]
    )


def _profile(name):
    return resplan.load_profile(EXAMPLES / "profiles" / f"{name}.toml")


def _plan(profile, catalog, host):
    return resplan.plan(profile, catalog, host=host, as_of=AS_OF)


def _moves(before, after):
    """(opened, improved, worsened, opened in tier 1) between two plans, counted here
    program by program over the programs both consider."""
    old = {p.id: p for p in before.programs}
    new = {p.id: p for p in after.programs}
    opened = improved = worsened = opened_tier1 = 0
    for pid in old.keys() & new.keys():
        a, b = old[pid], new[pid]
        rank_a = (SEVERITY[a.verdict], a.tier or 0)
        rank_b = (SEVERITY[b.verdict], b.tier or 0)
        if a.verdict == "skip" and b.verdict != "skip":
            opened += 1
            opened_tier1 += b.tier == 1
        elif a.verdict != "skip" and b.verdict == "skip":
            worsened += 1
        elif a.verdict != "skip" and rank_b < rank_a:
            improved += 1
        elif a.verdict != "skip" and rank_b > rank_a:
            worsened += 1
    return opened, improved, worsened, opened_tier1


def test_a_plan_names_the_changes_that_open_most(host, catalog):
    # An H-1B-only reapplicant: most border programs sponsor only a J-1.
    profile = _profile("reapplicant-failed-attempt")
    plan = _plan(profile, catalog, host)
    assert len(plan.what_if) > 1
    first = plan.what_if[0]
    assert first.rule == "what-if/accept-j1"
    assert first.change == "Also accept a J-1 visa"
    assert "two-year home-country requirement" in first.note
    # The counts are what planning again with both visas gives, counted independently.
    either = attrs.evolve(profile, applicant=attrs.evolve(profile.applicant, visa=("H-1B", "J-1")))
    after = _plan(either, catalog, host)
    assert (
        first.programs_opened,
        first.programs_improved,
        first.programs_worsened,
        first.programs_opened_tier1,
    ) == _moves(plan, after)
    assert first.programs_opened > 0
    # Tier 1 is counted over the programs both plans consider (here: all of them).
    both = {p.id for p in plan.programs} & {p.id for p in after.programs}
    assert (first.tier1_before, first.tier1_after) == tuple(
        sum(p.id in both and p.verdict != "skip" and p.tier == 1 for p in made.programs)
        for made in (plan, after)
    )
    assert first.tier1_before == plan.summary.tier1
    opened = {p.name for p in after.programs if p.verdict != "skip"} - {
        p.name for p in plan.programs if p.verdict != "skip"
    }
    assert (
        first.programs
        and set(first.programs) <= {n + " (not a real program)" for n in opened} | opened
    )
    # Sorted by effect: what a change opens less what it makes worse, the largest first.
    assert [e.net for e in plan.what_if] == sorted((e.net for e in plan.what_if), reverse=True)
    # The summary names the top change with its counts, in words.
    sentence = next(a.says for a in plan.summary.advice if a.rule == first.rule)
    assert sentence.startswith(
        f"Also accept a J-1 visa: this would open {first.programs_opened} programs, "
        f"{first.programs_opened_tier1} of them in tier 1"
    )


def test_changes_are_ranked_by_programs_opened_less_programs_made_worse(host, catalog):
    """A change that also moves programs down (or closes them) is not ranked as if it
    only opened: the programs it makes worse count against what it opens."""
    for name in ("reapplicant-failed-attempt", "step2-not-taken"):
        plan = _plan(_profile(name), catalog, host)
        changes = plan.what_if
        assert [e.net for e in changes] == [
            e.programs_opened - e.programs_worsened for e in changes
        ]
        keys = [(-e.net, e.programs_worsened) for e in changes]
        assert keys == sorted(keys)
        # Each plan has a change that makes some programs worse, ranked below one that
        # opens as many (or improves fewer) and makes none worse.
        worse = [e for e in changes if e.programs_worsened]
        assert worse, name
        for change in worse:
            better = [
                e
                for e in changes[: changes.index(change)]
                if not e.programs_worsened and e.programs_opened <= change.programs_opened
            ]
            assert better, (name, change.rule)
    # Before, the J-1 reapplicant's change that opens 8 and moves 3 down tied with the
    # changes that open 8 and make none worse, and the order of ties put it first; the
    # take-Step-2-CK change was behind one improving more and moving 6 down.
    [first] = [
        e.rule
        for e in _plan(_profile("step2-not-taken"), catalog, host).what_if
        if e.rule.endswith("step2ck")
    ][:1]
    assert first == "what-if/take-step2ck"


def test_a_passed_step2ck_is_never_planned_higher(host, catalog, example_profile):
    """A Step 2 CK score in a profile is one the applicant passed with, and USMLE lets
    nobody sit a passed Step again: no change plans a higher score, low as it may be,
    and none is named among the changes tried."""
    for profile in (example_profile, _profile("border-ties-low-step2")):
        assert profile.exams.step2ck.score <= 225
        plan = _plan(profile, catalog, host)
        assert not [e for e in plan.what_if if "Step 2 CK" in e.change]
        said = " ".join(a.says for a in plan.summary.advice if a.rule.startswith("what-if/"))
        assert "Step 2 CK of" not in said and "instead of" not in said
    # An applicant who has not sat it is still shown what a first score would change.
    rules = {e.rule for e in _plan(_profile("step2-not-taken"), catalog, host).what_if}
    assert "what-if/take-step2ck" in rules


def test_no_step2ck_yet_gets_take_step2ck(host, catalog):
    plan = _plan(_profile("step2-not-taken"), catalog, host)
    by_rule = {e.rule: e for e in plan.what_if}
    take = by_rule["what-if/take-step2ck"]
    assert take.change == "Take Step 2 CK and score 225 or more"
    assert take.programs_improved > 0
    # Taking the exam makes no program worse. Programs whose stated minimum or residents'
    # average is above 225 wait for a higher score: the note counts them, found here
    # independently by planning with a score of 225.
    assert take.programs_worsened == 0
    profile = _profile("step2-not-taken")
    at_aim = attrs.evolve(profile, exams=attrs.evolve(profile.exams, step2ck=Step2CK(225, 1)))
    after = {p.id: p for p in _plan(at_aim, catalog, host).programs}
    programs = {p.id: p for p in catalog.programs}
    short = [
        d.id
        for d in plan.programs
        if (SEVERITY[after[d.id].verdict], after[d.id].tier or 0)
        > (SEVERITY[d.verdict], d.tier or 0)
    ]
    assert short and all(
        max(programs[i].min_step2ck or 0, programs[i].mean_step2ck or 0) > 225 for i in short
    )
    assert f"{len(short)} programs state a Step 2 CK minimum or average above 225." in take.note
    assert "worse" not in next(a.says for a in plan.summary.advice if a.rule == take.rule)
    later = by_rule["what-if/later-cycle-step2ck"]
    assert later.change.startswith("Apply one cycle later (the 2029 Match)")
    assert "235 or more" in later.change
    assert any(
        a.rule == "what-if/take-step2ck"
        and a.says.startswith("Take Step 2 CK and score 225 or more: this would")
        for a in plan.summary.advice
    )


def test_a_first_score_low_for_a_wished_field_is_counted_apart(host):
    """A first Step 2 CK at the guide's aim can be low for a score-driven field: before
    the exam the field is a reach, at 225 unlikely. That is the aim falling short of the
    field, not the exam making the file weaker: the field's programs are not counted
    worse, and the note names the field (found by the plugin example's property test)."""
    catalog = make_catalog(
        {"id": "derm", "specialty": "Dermatology", "city": "Nogales", "state": "AZ"},
        {
            "id": "im",
            "specialty": "Internal Medicine",
            "city": "Nogales",
            "state": "AZ",
            "min_step2ck": 215,
        },
    )
    profile = make_profile(
        applicant={"graduation_year": 2023, "cycle": 2024, "specialties": ["Dermatology"]}
    )
    as_of = datetime.date(2023, 1, 16)
    plan = resplan.plan(profile, catalog, host=host, as_of=as_of)
    take = {e.rule: e for e in plan.what_if}["what-if/take-step2ck"]
    # Planned with the score, the Dermatology program is worse and Internal Medicine better.
    at_aim = attrs.evolve(profile, exams=attrs.evolve(profile.exams, step2ck=Step2CK(225, 1)))
    after = {p.id: p for p in resplan.plan(at_aim, catalog, host=host, as_of=as_of).programs}
    before = {p.id: p for p in plan.programs}
    assert (SEVERITY[after["derm"].verdict], after["derm"].tier or 0) > (
        SEVERITY[before["derm"].verdict],
        before["derm"].tier or 0,
    )
    assert take.programs_improved == 1
    assert take.programs_worsened == 0
    assert take.note.endswith(
        "A score of 225 is low for Dermatology: 1 program there would get a worse verdict "
        "or tier. Aim higher if you keep that field."
    )
    # An applicant with a score on record gets no such note (no first score is planned).
    scored = make_profile(
        applicant={"graduation_year": 2023, "cycle": 2024, "specialties": ["Dermatology"]},
        exams={"step2ck": {"score": 230, "attempts": 1}},
    )
    notes = [e.note or "" for e in resplan.plan(scored, catalog, host=host, as_of=as_of).what_if]
    assert not [n for n in notes if "is low for" in n]


def test_a_later_cycle_crosses_graduation_limits(host):
    # A 2020 graduate applying for 2027 is 6 years out; a program allowing 6 closes a
    # cycle later, one allowing 10 does not.
    profile = make_profile(
        applicant={"graduation_year": 2020, "specialties": ["Internal Medicine"]},
        exams={"step1": {"result": "pass", "attempts": 1}},
    )
    catalog = make_catalog(
        {"id": "six", "max_years_since_graduation": 6, "min_step2ck": 230},
        {
            "id": "ten",
            "name": "Other Program",
            "max_years_since_graduation": 10,
            "min_step2ck": 230,
        },
    )
    plan = _plan(profile, catalog, host)
    later = next(e for e in plan.what_if if e.rule == "what-if/later-cycle-step2ck")
    # At 235 both clear the minimum (borderline before: no score yet); "six" closes.
    assert (later.programs_improved, later.programs_worsened) == (1, 1)
    assert "years since graduation" in later.note
    assert any(
        "It would also give 1 program a worse verdict or tier." in a.says
        for a in plan.summary.advice
        if a.rule == later.rule
    )


def test_nothing_to_fix_means_no_what_if(host, catalog):
    plan = _plan(_profile("high-scorer-no-spanish"), catalog, host)
    assert plan.what_if == ()
    # The summary says so once, naming the changes it tried, in words a sentence can hold.
    said = [a for a in plan.summary.advice if a.rule.startswith("what-if/")]
    assert [a.rule for a in said] == ["what-if/no-change-clears-a-limit"]
    assert said[0].says.startswith(
        "None of the changes resplan tried would open a program in this catalog or move one "
        "up: you already pass the limits its programs publish, or these changes are not "
        "enough to clear them. These changes can still help you: programs read your whole "
        "file, not only the limits they publish. Changes tried: add 3 more months of "
        "hands-on US clinical work"
    )
    assert "; raise your Spanish to medical level; apply one cycle later" in said[0].says
    assert "[[what_if]]" not in dumps_plan(plan)


def test_generated_programs_alone_list_no_change_and_name_the_changes_tried(host, catalog):
    # A change is compared over real programs only, so over generated programs alone none
    # is decided again (a shortcut): nothing is listed, with or without the plan's words,
    # and the summary still names the changes tried. The same programs taken as real do
    # list changes for this profile, so the empty list is the shortcut's, not the profile's.
    sample = host.read_catalog(EXAMPLES / "catalog" / "synthetic-national-sample.toml")
    profile = _profile("reapplicant-failed-attempt")
    plan = _plan(profile, sample, host)
    assert plan.what_if == ()
    assert pipeline.make_plan(profile, sample, host, as_of=AS_OF, words=False).what_if == ()
    assert _plan(profile, catalog, host).what_if
    said = [a for a in plan.summary.advice if a.rule == "what-if/no-change-moves-a-real-program"]
    assert len(said) == 1
    assert "Changes tried: get a letter from a US clinical supervisor" in said[0].says


def test_with_the_synthetic_sample_only_real_programs_limits_are_spoken_of(host):
    # `invoke plan --with-synthetic`: the sample's generated programs publish minimums and
    # skip the applicant, but no change is compared on them. The plan must not say that
    # no program of the catalog publishes a limit, and says why the sample is left out.
    real = host.read_catalog(EXAMPLES / "catalog" / "border-programs.toml")
    sample = host.read_catalog(EXAMPLES / "catalog" / "synthetic-national-sample.toml")
    both = Catalog(programs=real.programs + sample.programs)
    plan = _plan(resplan.load_profile(EXAMPLES / "profiles" / "example.toml"), both, host)
    assert any(p.verdict == "skip" and p.synthetic for p in plan.programs)
    [said] = [a for a in plan.summary.advice if a.rule.startswith("what-if/no-change")]
    assert said.rule == "what-if/no-change-moves-a-real-program"
    assert "no real program in it publishes a minimum score" in said.says
    assert "The catalog's generated programs are not compared" in said.says
    assert "no program in it publishes" not in said.says


def test_the_border_catalog_alone_says_why_no_change_moves_a_program(host, tmp_path):
    # The example against the real border programs only (`invoke plan`): none of them
    # publishes a minimum score or another limit, so no change opens or improves one.
    # The plan, and both reports, say so once, with the changes that were tried.
    from resplan.cli import main

    out = tmp_path / "plan.toml"
    argv = ["plan", str(EXAMPLES / "profiles" / "example.toml"), "--as-of", "2026-04-20"]
    argv += ["--catalog", str(EXAMPLES / "catalog" / "border-programs.toml")]
    assert main([*argv, "--out", str(out), "--report", str(tmp_path / "plan.md")]) == 0
    plan = resplan.read_plan(out)
    assert plan.what_if == ()
    [said] = [a for a in plan.summary.advice if a.rule.startswith("what-if/")]
    assert said == Reason(
        "what-if/no-change-moves-a-program",
        "None of the changes resplan tried would open a program in this catalog or move one "
        "up: no program in it publishes a minimum score or another limit that a change could "
        "help you clear. These changes can still help you: programs read your whole file, not "
        "only the limits they publish. Changes tried: get a letter from a US clinical "
        "supervisor who will "
        "also call or email programs for you.",
    )
    markdown = (tmp_path / "plan.md").read_text(encoding="utf-8")
    section = markdown.split("## What would change your plan", 1)[1].split("\n## ", 1)[0]
    assert said.says in " ".join(section.split())
    assert markdown.count("None of the changes resplan tried") == 1
    html = resplan.render_report(plan, "html")
    what_if = html[html.index('id="what-if"') :]
    assert what_if.index(said.says) < what_if.index("</section>")
    # Once in the page's text; the sources table may quote it as what the rule says.
    body = html[: html.index('<h2 id="sources"')]
    assert body.count("None of the changes resplan tried") == 1
    # With the synthetic sample, whose programs state minimums, changes are listed instead.
    both = _plan(
        _profile("reapplicant-failed-attempt"),
        resplan.merge_catalogs(
            [
                host.read_catalog(EXAMPLES / "catalog" / "border-programs.toml"),
                host.read_catalog(EXAMPLES / "catalog" / "synthetic-national-sample.toml"),
            ]
        ),
        host,
    )
    assert both.what_if
    assert not [a for a in both.summary.advice if a.rule.startswith("what-if/no-change")]


def test_advocate_letter_opens_near_misses(host):
    # 221 against a minimum of 225: a near miss, skipped without a strength that speaks
    # for the applicant, borderline with a writer who will call.
    profile = make_profile(
        applicant={"specialties": ["Internal Medicine"]},
        exams={"step2ck": {"score": 221, "attempts": 1}},
    )
    catalog = make_catalog(
        {"id": "near", "min_step2ck": 225, "img_share": 0.4},
        {"id": "far", "name": "Far Program", "min_step2ck": 240},
    )
    plan = _plan(profile, catalog, host)
    letter = next(e for e in plan.what_if if e.rule == "what-if/advocate-letter")
    assert (letter.programs_opened, letter.programs) == (1, ("Test Program",))
    with_letter = attrs.evolve(profile, letters=(Letter("x", us_clinical=True, advocate=True),))
    assert {p.id: p.verdict for p in _plan(with_letter, catalog, host).programs}[
        "near"
    ] == "borderline"


def test_what_if_round_trips_and_is_deterministic(host, catalog):
    profile = _profile("reapplicant-failed-attempt")
    plan = _plan(profile, catalog, host)
    text = dumps_plan(plan)
    assert "[[what_if]]" in text
    back = loads_plan(text)
    assert back.what_if == plan.what_if
    assert dumps_plan(back) == text
    # The same changes, counts and words whatever the order of the catalog.
    again = _plan(profile, resplan.Catalog(list(catalog.programs)[::-1]), host)
    assert again.what_if == plan.what_if and again.summary.advice == plan.summary.advice


INSTITUTION = """
[ruleset]
name = "institution"
version = "1"

[overrides.parameters]
"what-if.step2ck_aim" = 230
"what-if.summary_changes" = 1
"""


def test_parameters_are_overridable(catalog):
    other = resplan.load_host(plugins=[ruleset_plugin("inst", INSTITUTION)], use_env=False)
    plan = _plan(_profile("step2-not-taken"), catalog, other)
    take = next(e for e in plan.what_if if e.rule == "what-if/take-step2ck")
    assert take.change == "Take Step 2 CK and score 230 or more"
    assert len([a for a in plan.summary.advice if a.rule.startswith("what-if/")]) == 1


@pytest.mark.parametrize(
    "rule, field, message",
    [
        ('id = "x"\nwhen = "true"\nsays = "Nothing"\nsource = "s"', "", "changes at least one of"),
        (
            'id = "x"\nwhen = "true"\nspanish_level = "superb"\nsays = "S"\nsource = "s"',
            "spanish_level",
            "unknown name",
        ),
        (
            'id = "x"\nwhen = "true"\ncycles_later = 0\nsays = "S"\nsource = "s"',
            "cycles_later",
            "not a number above 0",
        ),
        (
            'id = "x"\nwhen = "what_if.cycle > 2027"\ncycles_later = 1\nsays = "S"\nsource = "s"',
            "when",
            "unknown name",
        ),
    ],
)
def test_a_bad_what_if_rule_names_file_line_and_key(rule, field, message):
    text = f'[ruleset]\nname = "bad"\n\n[[what_if]]\n{rule}\n'
    with pytest.raises(RulesetError) as caught:
        resplan.load_host(plugins=[ruleset_plugin("bad", text)], use_env=False)
    problem = caught.value.problems[0]
    assert problem.file == "bad.toml" and problem.line is not None
    assert problem.field == field and message in problem.message


def test_reports_show_what_would_change_the_plan(host, catalog):
    plan = loads_plan(dumps_plan(_plan(_profile("reapplicant-failed-attempt"), catalog, host)))
    first = plan.what_if[0]
    markdown = resplan.render_report(plan, "md")
    assert "## What would change your plan" in markdown
    assert (
        f"- **Also accept a J-1 visa.** It opens {first.programs_opened} "
        f"programs ({first.programs_opened_tier1} in tier 1)"
    ) in markdown
    html = resplan.render_report(plan, "html")
    assert '<h3 id="what-if">What would change your plan</h3>' in html
    assert (
        f'<th scope="row">Also accept a J-1 visa</th><td class="num">'
        f'{first.programs_opened}<br><span class="small">{first.programs_opened_tier1} '
        "in tier 1</span></td>"
    ) in html


HOSTILE = """
[ruleset]
name = "hostile"
version = "1"

[[what_if]]
id = "markup"
when = "true"
advocate_letters = 1
says = "Ask <b>*someone*</b> to call"
source = "test"
"""


def test_words_from_a_ruleset_are_escaped_in_reports(host):
    other = resplan.load_host(plugins=[ruleset_plugin("hostile", HOSTILE)], use_env=False)
    profile = make_profile(
        applicant={"specialties": ["Internal Medicine"]},
        exams={"step2ck": {"score": 221, "attempts": 1}},
    )
    plan = _plan(profile, make_catalog({"id": "near", "min_step2ck": 225}), other)
    assert [e.rule for e in plan.what_if if e.rule.startswith("hostile/")] == ["hostile/markup"]
    html = resplan.render_report(plan, "html")
    assert "<b>*someone*</b>" not in html and "Ask &lt;b&gt;*someone*&lt;/b&gt; to call" in html
    assert r"Ask &lt;b&gt;\*someone\*&lt;/b&gt; to call" in resplan.render_report(plan, "md")


STEP3_SCREEN = """
[ruleset]
name = "h1b-programs"
version = "1"

[[screen]]
id = "h1b-only-wants-step3"
when = "'J-1' not in profile.visas and 'H-1B' in program.visas and not profile.step3.taken"
verdict = "skip"
says = "This program sponsors only H-1B visas and asks for Step 3 passed."
source = "test"

[[what_if]]
id = "step3-for-h1b"
when = "'H-1B' in profile.visas and (not profile.step3.taken or profile.step3.result == 'fail')"
step3 = "pass"
says = "Pass Step 3 before the rank list deadline"
source = "test"
"""


def test_step3_passed_for_an_h1b_applicant(host):
    # An institution's screening rule that reads Step 3, with a what-if rule of its own,
    # opens its programs with a Step 3 pass (the built-in rules only move them a tier).
    other = resplan.load_host(plugins=[ruleset_plugin("h1b", STEP3_SCREEN)], use_env=False)
    profile = make_profile(
        applicant={"visa": "H-1B", "specialties": ["Internal Medicine"]},
        exams={
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 235, "attempts": 1},
        },
    )
    catalog = make_catalog(
        {"id": "h1b", "visas": ["H-1B"], "img_share": 0.5},
        {"id": "j1", "name": "J-1 Program", "visas": ["J-1"]},
    )
    plan = _plan(profile, catalog, other)
    step3 = next(e for e in plan.what_if if e.rule == "h1b-programs/step3-for-h1b")
    assert step3.change == "Pass Step 3 before the rank list deadline"
    assert (step3.programs_opened, step3.programs) == (1, ("Test Program",))
    # A Step 3 pass after a failed sitting is one more attempt on record.
    failed = attrs.evolve(profile, exams=attrs.evolve(profile.exams, step3=Step3("fail", 1)))
    draft = pipeline.decide(failed, pipeline.start(failed, catalog, other.rulebook, AS_OF))
    rule = next(r for r in other.rulebook.rules("what_if") if r.qualified_id == step3.rule)
    changed, _facts = changed_profile(rule, draft)
    assert changed.exams.step3 == Step3("pass", 2)


def test_an_unusable_count_names_the_parameter(catalog, example_profile):
    text = '[ruleset]\nname = "inst"\n\n[overrides.parameters]\n"what-if.programs_named" = 2.5\n'
    other = resplan.load_host(plugins=[ruleset_plugin("inst", text)], use_env=False)
    with pytest.raises(RulesetError) as caught:
        _plan(example_profile, catalog, other)
    problem = caught.value.problems[0]
    assert (problem.file, problem.field) == ("rulesets/what-if.toml", "parameters.programs_named")


def test_added_border_months_are_planned_where_the_applicant_already_worked(host):
    # Two sub-regions of equal priority; the Rio Grande Valley has more of the plan's
    # programs, but the applicant's US work (and so their letters and ties) is in El Paso.
    # More months there is the advice, not a move to a new area.
    border = host.read_catalog(EXAMPLES / "catalog" / "border-programs.toml")

    def tried(clinical):
        profile = make_profile(
            applicant={"specialties": ["Internal Medicine"], "states": ["TX"], "visa": "J-1"},
            exams={"step2ck": {"score": 233, "attempts": 1}},
            clinical=clinical,
        )
        plan = resplan.plan(profile, border, host=host, as_of=datetime.date(2026, 7, 15))
        [said] = [a for a in plan.summary.advice if a.rule.startswith("what-if/")]
        return said.says

    el_paso = tried([{"kind": "hands-on", "months": 2, "city": "El Paso", "state": "TX"}])
    assert "hands-on US clinical work in a border area (El Paso)" in el_paso
    assert "Rio Grande Valley" not in el_paso
    # Without work in one of them, the sub-region with the most programs is chosen.
    elsewhere = tried([{"kind": "hands-on", "months": 2, "city": "Houston", "state": "TX"}])
    assert "hands-on US clinical work in a border area (Rio Grande Valley)" in elsewhere


def test_changes_keeping_the_considered_programs_share_one_table(host, catalog, monkeypatch):
    """Changes that leave the plan's specialties and sub-regions as they were lay out the
    same columns: the table of considered programs is made once for all of them, and the
    plan is the one made with a table for each change."""
    from resplan.stages import screen, what_if

    counts = {"prepared": 0, "decided": 0}
    real_prepare, real_decide = screen.prepare, what_if._Changes.__call__

    def preparing(draft):
        counts["prepared"] += 1
        return real_prepare(draft)

    def deciding(self, profile):
        counts["decided"] += 1
        return real_decide(self, profile)

    monkeypatch.setattr(screen, "prepare", preparing)
    monkeypatch.setattr(what_if._Changes, "__call__", deciding)
    profile = _profile("reapplicant-failed-attempt")
    shared = _plan(profile, catalog, host)
    assert counts["decided"] >= 3
    # The plan's own screening, then one table for all the changes that keep its columns.
    assert counts["prepared"] < 1 + counts["decided"]

    counts.update(prepared=0, decided=0)
    monkeypatch.setattr(what_if._Changes, "_same_considered", lambda self, draft: False)
    apart = _plan(profile, catalog, host)
    assert counts["prepared"] == 1 + counts["decided"]
    assert shared.what_if and dumps_plan(shared) == dumps_plan(apart)
