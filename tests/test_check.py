"""``resplan check``: static analysis of rulesets, and the rule properties, with file,
line and rule id for every finding."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import resplan
from resplan.check import Finding, check, run_check_command
from resplan.rulebook import RULE_STAGES
from resplan.rules import compile_condition
from resplan.rules.compiler import Scope
from resplan.testing import ruleset_plugin

ROOT = Path(__file__).parent.parent

PLANTED = """\
[ruleset]
name = "planted"
version = "1.0.0"

[parameters.our_floor]
value = 230
source = "test"
note = "a floor"

[parameters.our_ceiling]
value = 220
source = "test"
note = "a ceiling, by mistake under the floor"

[parameters.forgotten]
value = 3
source = "test"
note = "used by nothing"

[[screen]]
id = "contradiction"
when = "profile.step2ck.score > our_floor and profile.step2ck.score < our_ceiling"
verdict = "skip"
says = "Never said."
source = "test"

[[screen]]
id = "unreachable"
when = "program.min_step2ck > 300"
verdict = "borderline"
says = "No minimum is over 300."
source = "test"

[[screen]]
id = "texas"
when = "program.state == 'TX' and profile.needs_visa"
verdict = "borderline"
says = "First."
source = "test"

[[screen]]
id = "texas"
when = "program.state == 'NM'"
verdict = "borderline"
says = "Second, with the same id."
source = "test"

[[screen]]
id = "military-skip"
when = "program.setting == 'military' and profile.needs_visa"
verdict = "skip"
says = "a"
source = "test"

[[screen]]
id = "military-borderline"
when = "profile.needs_visa and program.setting == 'military'"
verdict = "borderline"
says = "b"
source = "test"

[[screen]]
id = "punish-high-score"
when = "profile.step2ck.score > 240"
verdict = "skip"
says = "Your score of {profile.step2ck.score} is too high for us."
source = "test"

[[screen]]
id = "texas-ny-visa"
when = "program.state == 'TX' and profile.needs_visa and program.setting == 'community'"
verdict = "borderline"
says = "Shadowed by texas."
source = "test"
"""


def line_of(text: str, needle: str, after: str = "") -> int:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if after in line) if after else 0
    return next(i for i, line in enumerate(lines[start:], start) if needle in line) + 1


@pytest.fixture(scope="module")
def planted(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("rules") / "planted.toml"
    path.write_text(PLANTED, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def findings(planted) -> list[Finding]:
    return check([planted])


def by_rule(findings, rule):
    return [f for f in findings if f.rule == rule]


def test_builtin_rulesets_have_no_errors_and_no_warnings():
    # A rule there only for its reason sets no effect (a regions rule without a priority),
    # so the checker has nothing to call shadowed.
    findings = check()
    assert findings == [], "\n".join(map(str, findings))


def test_a_contradiction_is_an_error_with_file_line_and_rule(findings, planted):
    [finding] = by_rule(findings, "planted/contradiction")
    assert finding.severity == "error" and finding.file == str(planted)
    assert finding.line == line_of(PLANTED, "when", after='id = "contradiction"')
    assert "can never fire" in finding.message
    assert "our_floor" in finding.message and "our_ceiling" in finding.message


def test_an_unreachable_rule_is_an_error(findings):
    [finding] = by_rule(findings, "planted/unreachable")
    assert finding.severity == "error"
    assert finding.line == line_of(PLANTED, "when", after='id = "unreachable"')
    assert "can never fire" in finding.message and "from 1 to 300" in finding.message


def test_a_duplicate_id_names_the_second_use(findings):
    [finding] = [f for f in by_rule(findings, "planted/texas") if "used twice" in f.message]
    assert finding.severity == "error"
    first, second = [i + 1 for i, line in enumerate(PLANTED.splitlines()) if line == 'id = "texas"']
    assert finding.line == second and f"first on line {first}" in finding.message


def test_opposite_effects_for_one_condition_are_an_error(findings):
    [finding] = by_rule(findings, "planted/military-borderline")
    assert finding.severity == "error"
    assert finding.line == line_of(PLANTED, "when", after='id = "military-borderline"')
    assert "planted/military-skip" in finding.message and "opposite" in finding.message


def test_an_unused_parameter_is_a_warning(findings):
    [finding] = by_rule(findings, "planted.forgotten")
    assert finding.severity == "warning"
    assert finding.line == line_of(PLANTED, "[parameters.forgotten]")
    assert not by_rule(findings, "planted.our_floor")


def test_a_shadowed_rule_is_a_warning(findings):
    [finding] = by_rule(findings, "planted/texas-ny-visa")
    assert finding.severity == "warning"
    assert "planted/texas" in finding.message and "never changes the verdict" in finding.message


def test_only_the_given_files_are_reported_on(findings, planted):
    assert {f.file for f in findings} == {str(planted)}


def test_a_rule_punishing_a_higher_score_is_caught_by_the_properties(planted):
    # A few examples find this rule (tests/properties/test_broken_plugins.py runs the same
    # property on it with 80, and each property on the built-in rulesets with 40): what
    # is tried here is how check reports the failure.
    findings = check([planted], properties=5)
    [finding] = [f for f in findings if "monotone-step2ck" in f.message]
    assert finding.severity == "error" and finding.rule == "planted/punish-high-score"
    assert finding.file == str(planted)
    assert finding.line == line_of(PLANTED, "when", after='id = "punish-high-score"')
    assert "exams.step2ck.score: 240 -> 241" in finding.message  # shrunk to the threshold
    assert "[[program]]" in finding.message and "[applicant]" in finding.message
    # The static checks are unchanged by the properties.
    assert by_rule(findings, "planted/contradiction")


def test_the_builtin_rulesets_keep_the_properties_under_check():
    # What is tried here is that check runs the properties and finds no error in the
    # built-in rulesets: tests/properties/test_builtin_properties.py runs each property
    # on them with 40 examples (and CI's resplan check --properties 10), so 2 do here.
    findings = check(properties=2)
    assert [f for f in findings if f.severity == "error"] == []


def test_load_errors_become_findings_and_the_rest_is_still_checked(tmp_path):
    text = PLANTED.replace("program.min_step2ck > 300", "program.min_stepp2ck > 300")
    path = tmp_path / "typo.toml"
    path.write_text(text, encoding="utf-8")
    findings = check([path])
    [typo] = by_rule(findings, "planted/unreachable")
    assert typo.severity == "error" and "program.min_step2ck" in typo.message  # did you mean
    assert typo.line == line_of(text, "when", after='id = "unreachable"')
    assert by_rule(findings, "planted/contradiction")  # analysed all the same


def test_a_file_that_is_not_toml_is_an_error(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('[ruleset]\nname = "broken"\n[[screen]\n', encoding="utf-8")
    [finding] = check([path])
    assert finding.severity == "error" and finding.file == str(path) and finding.line == 3


def test_a_missing_file_is_an_error(tmp_path):
    [finding] = check([tmp_path / "nowhere.toml"])
    assert finding.severity == "error" and "cannot read" in finding.message


def test_a_file_named_like_an_installed_ruleset_replaces_it(tmp_path):
    copy = tmp_path / "tiering.toml"
    shutil.copy(ROOT / "rulesets" / "tiering.toml", copy)
    text = (
        copy.read_text(encoding="utf-8")
        + """
[[tier]]
id = "never"
when = "program.img_share > 1"
tier = 1
says = "Never."
source = "test"
"""
    )
    copy.write_text(text, encoding="utf-8")
    findings = check([copy])
    assert {f.file for f in findings} == {str(copy)}
    assert [f.rule for f in findings if f.severity == "error"] == ["tiering/never"]


def test_check_uses_a_given_host():
    text = PLANTED.replace(
        'id = "texas"\nwhen = "program.state == \'NM\'"',
        'id = "new-mexico"\nwhen = "program.state == \'NM\'"',
    )
    host = resplan.load_host(plugins=[ruleset_plugin("planted", text)], use_env=False)
    findings = check(host=host)
    assert by_rule(findings, "planted/contradiction")
    assert not [f for f in findings if "used twice" in f.message]


def test_the_command_prints_findings_and_exits_2_on_errors(planted, capsys):
    assert run_check_command([str(planted)], 0, []) == 2
    out = capsys.readouterr().out
    line = line_of(PLANTED, "when", after='id = "contradiction"')
    assert f"{planted}:{line}: planted/contradiction: error: can never fire" in out
    assert "warning: parameter 'forgotten'" in out
    assert out.rstrip().endswith("in the given rulesets")


def test_the_command_exits_0_on_the_builtin_rulesets(capsys):
    assert run_check_command(None, 0, []) == 0
    assert "resplan check: 0 errors" in capsys.readouterr().out


def test_the_command_reports_an_unknown_plugin_to_disable(capsys):
    assert run_check_command(None, 0, ["no-such-plugin"]) == 2
    assert "no such plugin" in capsys.readouterr().out


# ------------------------------------------------------------------ the condition analysis

NEVER = {
    "range": "profile.step2ck.score > 230 and profile.step2ck.score < 220",
    "whole-numbers": "profile.step2ck.score > 230 and profile.step2ck.score < 231",
    "words": "program.state == 'TX' and program.state == 'NM'",
    "list": "program.state in ['TX', 'NM'] and program.state == 'AZ'",
    "not-in": "program.state not in ['TX'] and program.state == 'TX'",
    "bool": "program.border and not program.border",
    "known-unknown": "known(program.visas) and unknown(program.visas)",
    "unknown-compared": "unknown(program.min_step2ck) and profile.step2ck.score < program.min_step2ck",
    "alternatives": "(profile.step2ck.score < 200 or profile.step2ck.score > 250) and profile.step2ck.score == 225",
    "negation": "not (profile.step2ck.score < 200) and profile.step2ck.score < 190",
    "difference": "profile.step2ck.score < program.min_step2ck and profile.step2ck.score >= program.min_step2ck",
    "combination": "profile.step2ck.score - program.min_step2ck > 5 and program.min_step2ck - profile.step2ck.score > 0",
    "count": "count(program.visas) > 0 and count(program.visas) == 0",
    "count-domain": "count(program.visas) < 0",
    "level": "profile.spanish_level >= 'fluent' and profile.spanish_level < 'medical'",
    "call": "any_in(assessment.strengths, ['spanish']) and not any_in(assessment.strengths, ['spanish'])",
    "scaled": "profile.step2ck.score * 2 > 700",
    "share": "program.img_share > 1",
    "false": "false",
    "parameter": "program.img_share >= high_share and program.img_share < low_share",
}
POSSIBLE = {
    "either": "profile.step2ck.score > 230 or profile.step2ck.score < 220",
    "point": "profile.step2ck.score >= 230 and profile.step2ck.score <= 230",
    "share-gap": "program.img_share > 0.5 and program.img_share < 0.51",
    "true": "true",
    "unknown-or": "unknown(program.min_step2ck) or program.min_step2ck > 250",
    "texts": "program.city == 'El Paso' and program.state == 'TX'",
    "two-facts": "profile.step2ck.score < program.min_step2ck and profile.step2ck.score > 200",
    "near-miss": "profile.step2ck.score < program.min_step2ck and profile.step2ck.score >= program.min_step2ck - 5",
    "known-and-compare": "known(program.min_step2ck) and program.min_step2ck > 220",
}


def analysis_ruleset(conditions: dict[str, str]) -> str:
    parts = [
        '[ruleset]\nname = "analysis"\nversion = "1"\n',
        '[parameters.high_share]\nvalue = 0.3\nsource = "t"\nnote = "t"\n',
        '[parameters.low_share]\nvalue = 0.2\nsource = "t"\nnote = "t"\n',
    ]
    for name, when in conditions.items():
        parts.append(
            f'[[screen]]\nid = "{name}"\nwhen = "{when}"\nverdict = "skip"\n'
            f'says = "x"\nsource = "t"\n'
        )
    return "\n".join(parts)


def test_conditions_that_can_never_fire_are_found_and_no_others(tmp_path):
    path = tmp_path / "analysis.toml"
    path.write_text(analysis_ruleset({**NEVER, **POSSIBLE}), encoding="utf-8")
    never = {
        f.rule.removeprefix("analysis/") for f in check([path]) if "can never fire" in f.message
    }
    assert never == set(NEVER)


@pytest.fixture(scope="module")
def screen_scope(host):
    from resplan.rulebook import _stage_scopes  # the facts a screen condition may read

    groups = tuple(sorted({s.group for s in host.rulebook.specialties}))
    return _stage_scopes(groups)["screen"]


@pytest.fixture(scope="module")
def never_conditions(screen_scope, host):
    """The conditions the analysis calls impossible, compiled once (not for each example)."""
    scope = Scope(screen_scope, {"high_share": 0.3, "low_share": 0.2})
    return {
        name: compile_condition(when, scope, host.rulebook.functions)
        for name, when in NEVER.items()
    }


@settings(max_examples=300, deadline=None, database=None)
@given(st.data())
def test_what_the_analysis_calls_impossible_never_fires(never_conditions, data):
    # Soundness: evaluate each "never" condition on drawn facts (unknowns included).
    values = {
        "profile.step2ck.score": st.integers(1, 300),
        "program.min_step2ck": st.integers(1, 300),
        "program.state": st.sampled_from(["TX", "NM", "AZ"]),
        "program.border": st.booleans(),
        "program.visas": st.frozensets(st.sampled_from(["J-1", "H-1B"])),
        "profile.spanish_level": st.sampled_from(["none", "basic", "medical", "fluent", "native"]),
        "assessment.strengths": st.frozensets(st.sampled_from(["spanish", "advocate"])),
        "program.img_share": st.integers(0, 100).map(lambda p: p / 100),
    }
    env = {
        name: value
        for name, strategy in values.items()
        if (value := data.draw(st.none() | strategy)) is not None
    }
    for name, condition in never_conditions.items():
        assert condition(env) is not True, (name, env)


def test_every_stage_is_known_to_the_checker():
    # The effects the shadowing analysis compares exist in the rulebook's stages.
    assert {"screen", "tier", "specialties", "regions", "assess"} <= set(RULE_STAGES)


def test_two_given_files_with_one_ruleset_name_are_an_error(planted, tmp_path):
    copy = tmp_path / "copy.toml"
    copy.write_text(PLANTED, encoding="utf-8")
    findings = check([planted, copy])
    assert any(
        f.severity == "error" and "two plugins supply a ruleset named 'planted'" in f.message
        for f in findings
    )


def test_every_problem_of_a_rule_is_reported_on_its_own_line(tmp_path):
    text = PLANTED.replace(
        'verdict = "skip"\nsays = "Never said."', 'verdict = "skipp"\nsays = "{profile.scoore}"'
    )
    path = tmp_path / "two.toml"
    path.write_text(text, encoding="utf-8")
    found = {f.line: f.message for f in by_rule(check([path]), "planted/contradiction")}
    assert set(found) == {
        line_of(text, "verdict", after='id = "contradiction"'),
        line_of(text, "says", after='id = "contradiction"'),
    }
    assert "'skipp' is not one of" in found[min(found)]


def test_properties_do_not_run_when_a_given_file_cannot_be_read(tmp_path, capsys):
    # The rules asked about are not loaded: minutes of properties over the others would
    # end in the same message, so the run stops at the loading errors.
    missing = tmp_path / "missing.toml"
    assert run_check_command([str(missing)], properties=30) == 2
    out = capsys.readouterr().out
    assert f"{missing}: error: cannot read the file: no such file" in out
    assert out.rstrip().endswith(
        "1 error, 0 warnings in the given rulesets; "
        "the properties did not run: a given file could not be read"
    )
    assert "property" not in out.split("\n")[0]
