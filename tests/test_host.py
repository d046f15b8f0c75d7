"""The plugin host: entry points, plugins defined in tests, conflicts, disabling."""

from __future__ import annotations

import pytest

import resplan
from resplan.errors import PluginError, RulesetError, UsageError
from resplan.plugins import builtin_ruleset
from resplan.rules import NUMBER
from tests.conftest import make_catalog, make_profile

EXTRA_RULESET = """
[ruleset]
name = "test-hospital"
version = "2.0.0"

[parameters.our_minimum]
value = 230
source = "test"
note = "a test minimum"

[[screen]]
id = "below-our-minimum"
when = "program.id == 'ours' and points_below(profile.step2ck.score, our_minimum) > 0"
verdict = "skip"
says = "Our minimum is {our_minimum}; your score is {profile.step2ck.score}."
source = "test"
"""


class HospitalPlugin:
    name = "test-hospital"

    @resplan.hookimpl
    def resplan_rulesets(self):
        return [resplan.RulesetSource.from_text(EXTRA_RULESET, "test-hospital.toml")]

    @resplan.hookimpl
    def resplan_functions(self):
        return [resplan.Function("points_below", (NUMBER, NUMBER), NUMBER, lambda a, b: b - a)]


def test_builtin_plugins_come_through_the_entry_point_group(host):
    names = {p.name for p in host.plugins}
    assert {
        "catalog-formats",
        "screening",
        "tiering",
        "specialties",
        "regions",
        "assessment",
        "applications",
        "between-cycles",
        "calendar",
    } <= names
    assert all(p.distribution == "resplan" for p in host.plugins)


def test_a_plugin_defined_in_a_test_adds_a_ruleset_and_a_function():
    host = resplan.load_host(plugins=[HospitalPlugin()], use_env=False)
    profile = make_profile(
        applicant={"specialties": ["Internal Medicine"]},
        exams={"step2ck": {"score": 225, "attempts": 1}},
    )
    plan = resplan.plan(profile, make_catalog({"id": "ours"}, {"id": "theirs"}), host=host)
    by_id = {p.id: p for p in plan.programs}
    assert by_id["ours"].verdict == "skip"
    assert by_id["ours"].reasons[0].rule == "test-hospital/below-our-minimum"
    assert by_id["ours"].reasons[0].says == "Our minimum is 230; your score is 225."
    assert by_id["theirs"].verdict != "skip"
    assert "test-hospital" in {r.name for r in plan.provenance.rulesets}


def test_two_rulesets_with_one_name_name_both_plugins():
    class Clash:
        name = "clash"

        @resplan.hookimpl
        def resplan_rulesets(self):
            return [
                resplan.RulesetSource.from_text(
                    '[ruleset]\nname = "screening"\nversion = "9"\n', "clash.toml"
                )
            ]

    with pytest.raises(RulesetError) as excinfo:
        resplan.load_host(plugins=[Clash()], use_env=False)
    message = str(excinfo.value)
    assert "'screening'" in message and "'clash'" in message
    assert "from resplan 0.1.0" in message and "clash (registered in code)" in message


def test_two_functions_with_one_name_name_both_distributions():
    class Other(HospitalPlugin):
        name = "other-hospital"

        @resplan.hookimpl
        def resplan_rulesets(self):
            return []

    with pytest.raises(PluginError) as excinfo:
        resplan.load_host(plugins=[HospitalPlugin(), Other()], use_env=False)
    message = str(excinfo.value)
    assert "'test-hospital'" in message and "'other-hospital'" in message


def test_misspelled_hook_is_caught():
    class Typo:
        name = "typo"

        @resplan.hookimpl
        def resplan_ruleset(self):
            return []

    with pytest.raises(PluginError, match="resplan_ruleset"):
        resplan.load_host(plugins=[Typo()], use_env=False)


def test_disable_by_option_and_environment(monkeypatch):
    host = resplan.load_host(disable=["tiering"], use_env=False)
    assert "tiering" not in {p.name for p in host.plugins}
    assert "tiering" not in {r.name for r in host.rulebook.rulesets}
    monkeypatch.setenv("RESPLAN_DISABLE_PLUGINS", "between-cycles")
    host = resplan.load_host()
    assert "between-cycles" not in {p.name for p in host.plugins}


def test_disabling_an_unknown_plugin_is_an_error():
    with pytest.raises(UsageError, match="no such plugin is installed .did you mean 'tiering'"):
        resplan.load_host(disable=["tierring"], use_env=False)


def test_the_command_line_takes_an_unknown_plugin_as_bad_input(capsys, monkeypatch):
    from resplan.cli import main

    assert main(["--disable", "tierring", "plugins"]) == 2
    assert "no such plugin is installed (did you mean 'tiering'?)" in capsys.readouterr().err
    monkeypatch.setenv("RESPLAN_DISABLE_PLUGINS", "tierring")
    assert main(["plugins"]) == 2


def test_ruleset_errors_name_file_line_and_rule():
    bad = EXTRA_RULESET.replace("program.id == 'ours'", "program.idd == 'ours'")

    class Bad(HospitalPlugin):
        @resplan.hookimpl
        def resplan_rulesets(self):
            return [resplan.RulesetSource.from_text(bad, "bad.toml")]

    with pytest.raises(RulesetError) as excinfo:
        resplan.load_host(plugins=[Bad()], use_env=False)
    [problem] = excinfo.value.problems
    assert problem.file == "bad.toml"
    assert problem.subject == "below-our-minimum"
    assert problem.line == 13  # the line of its `when`
    assert "program.idd" in problem.message and "program.id" in problem.message


def test_a_bad_template_format_is_a_load_error_naming_file_line_and_rule():
    bad = EXTRA_RULESET.replace(
        "your score is {profile.step2ck.score}.",
        "{our_minimum:count point} and {profile.visa:count visa|visas}.",
    )

    class Bad(HospitalPlugin):
        @resplan.hookimpl
        def resplan_rulesets(self):
            return [resplan.RulesetSource.from_text(bad, "bad.toml")]

    with pytest.raises(RulesetError) as excinfo:
        resplan.load_host(plugins=[Bad()], use_env=False)
    [problem] = excinfo.value.problems  # the first problem in a template stops it
    assert (problem.file, problem.subject, problem.line) == ("bad.toml", "below-our-minimum", 15)
    assert "count needs a singular and a plural form" in problem.message


def test_plural_and_article_formats_render_in_a_program_reason():
    text = EXTRA_RULESET.replace(
        'says = "Our minimum is {our_minimum}; your score is {profile.step2ck.score}."',
        'says = "You have {profile.previous_cycles:count earlier cycle|earlier cycles}; '
        '{profile.visa:a} visa is needed."',
    )
    host = resplan.load_host(plugins=[_plugin_with(text)], use_env=False)
    for cycles, words in ((0, "0 earlier cycles"), (1, "1 earlier cycle"), (3, "3 earlier cycles")):
        profile = make_profile(
            applicant={
                "specialties": ["Internal Medicine"],
                "previous_cycles": cycles,
                "visa": "H-1B",
            },
            exams={"step2ck": {"score": 225, "attempts": 1}},
        )
        plan = resplan.plan(profile, make_catalog({"id": "ours"}, {"id": "x"}), host=host)
        ours = next(p for p in plan.programs if p.id == "ours")
        assert ours.reasons[0].says == f"You have {words}; an H-1B visa is needed."


def _plugin_with(text: str):
    class Plugin(HospitalPlugin):
        @resplan.hookimpl
        def resplan_rulesets(self):
            return [resplan.RulesetSource.from_text(text, "test-hospital.toml")]

    return Plugin()


def test_override_and_disable_builtin_rules():
    text = """
[ruleset]
name = "tweaks"
[overrides]
disable = ["screening/graduation-too-long-ago"]
[overrides.parameters]
"screening.near_miss_points" = 9
"""

    class Tweaks:
        name = "tweaks"

        @resplan.hookimpl
        def resplan_rulesets(self):
            return [resplan.RulesetSource.from_text(text, "tweaks.toml")]

    host = resplan.load_host(plugins=[Tweaks()], use_env=False)
    screening = next(r for r in host.rulebook.rulesets if r.name == "screening")
    assert screening.parameters["near_miss_points"].value == 9
    assert "graduation-too-long-ago" not in {r.id for r in screening.rules}
    profile = make_profile(
        applicant={"specialties": ["Internal Medicine"], "graduation_year": 2005}
    )
    catalog = make_catalog({"id": "p", "max_years_since_graduation": 5})
    [program] = resplan.plan(profile, catalog, host=host).programs
    assert not any(r.rule == "screening/graduation-too-long-ago" for r in program.reasons)


def test_adjust_plan_hook_runs_once_per_plan():
    calls = []

    class Adjuster:
        name = "adjuster"

        @resplan.hookimpl
        def resplan_adjust_plan(self, plan, profile, catalog):
            calls.append(len(catalog))
            import attrs

            return attrs.evolve(plan, actions=plan.actions[:1])

    host = resplan.load_host(plugins=[Adjuster()], use_env=False)
    plan = resplan.plan(make_profile(), make_catalog({"id": "a"}, {"id": "b"}), host=host)
    assert calls == [2]
    assert len(plan.actions) <= 1


def test_plugin_catalog_reader_for_a_new_format(tmp_path):
    import json

    from resplan.convert import structure
    from resplan.model import Catalog, Program

    def read_json(path):
        return Catalog(
            [structure(p, Program, file=str(path)) for p in json.loads(path.read_text())]
        )

    class JsonFormat:
        name = "json-format"

        @resplan.hookimpl
        def resplan_catalog_readers(self):
            return [resplan.CatalogReader("json", (".json",), read_json)]

    path = tmp_path / "c.json"
    path.write_text(
        json.dumps(
            [{"id": "j", "name": "J", "specialty": "Pediatrics", "city": "Yuma", "state": "AZ"}]
        )
    )
    host = resplan.load_host(plugins=[JsonFormat()], use_env=False)
    assert [p.id for p in resplan.load_catalog(path, host=host)] == ["j"]


@pytest.mark.parametrize("tier", ["2.0", "true", "4"])
def test_a_tier_must_be_a_whole_1_2_or_3(tier):
    text = builtin_ruleset("tiering.toml").text.replace("tier = 2\n", f"tier = {tier}\n", 1)

    class Tiers:
        name = "odd-tiers"

        @resplan.hookimpl
        def resplan_rulesets(self):
            return [resplan.RulesetSource.from_text(text, "odd-tiers.toml")]

    with pytest.raises(RulesetError) as excinfo:
        resplan.load_host(plugins=[Tiers()], disable=["tiering"], use_env=False)
    [problem] = excinfo.value.problems
    assert problem.file == "odd-tiers.toml" and "is not a tier" in problem.message
