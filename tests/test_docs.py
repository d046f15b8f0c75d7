"""The generated reference docs match the installed rulesets."""

from __future__ import annotations

from resplan import facts as F
from resplan import model as M
from resplan.docs import facts_markdown, profile_markdown, rules_markdown
from tests.conftest import ROOT


def test_rules_md_is_up_to_date(host):
    committed = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert committed == rules_markdown(host.rulebook), "docs/rules.md is stale: run `invoke docs`"


def test_facts_md_is_up_to_date():
    committed = (ROOT / "docs" / "facts.md").read_text(encoding="utf-8")
    assert committed == facts_markdown(), "docs/facts.md is stale: run `invoke docs`"


def test_profile_md_is_up_to_date(host):
    committed = (ROOT / "docs" / "profile.md").read_text(encoding="utf-8")
    assert committed == profile_markdown(host.rulebook), (
        "docs/profile.md is stale: run `invoke docs`"
    )


def test_profile_md_covers_every_key_and_says_what_advocate_does(host):
    text = profile_markdown(host.rulebook)
    keys = [
        line.removeprefix("### `").removesuffix("`")
        for line in text.splitlines()
        if line.startswith("### `")
    ]
    assert keys == list(M.PROFILE_DOCS)
    assert set(F.GAP_WORST) <= set(keys)
    assert {k for keys_ in F.FACT_INPUTS.values() for k in keys_} <= set(keys)
    advocate = text.split("### `letters[].advocate`")[1].split("###")[0]
    assert "near_miss_points" in advocate and "borderline" in advocate
    assert "`screening/step2ck-near-miss-with-strengths`" in advocate
    score = text.split("### `exams.step2ck.score`")[1].split("###")[0]
    assert "A gap: the plan counts the lowest passing score" in score
    assert "- Values: a whole number, 1 to 300." in score


def test_every_rule_cites_a_guide_section_or_a_published_source(host):
    for ruleset in host.rulebook.rulesets:
        for rule in ruleset.rules:
            assert rule.source.strip(), rule.qualified_id
        for parameter in ruleset.parameters.values():
            assert parameter.source.strip(), f"{ruleset.name}.{parameter.name}"


def _readme_toml_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return [block.split("```", 1)[0] for block in text.split("```toml\n")[1:]]


def test_the_readme_plan_excerpt_is_the_example_plan(host):
    # The README shows part of `invoke plan --as-of 2026-01-15`; a rule change that moves
    # a figure or a reason there must change the README too.
    import datetime
    import tomllib

    import resplan
    from resplan.writer import dumps_plan

    [block] = [b for b in _readme_toml_blocks() if b.startswith("[summary]")]
    shown = tomllib.loads(block)
    profile = resplan.load_profile(ROOT / "examples" / "profiles" / "example.toml")
    catalog = host.read_catalog(ROOT / "examples" / "catalog" / "border-programs.toml")
    plan = resplan.plan(profile, catalog, host=host, as_of=datetime.date(2026, 1, 15))
    made = tomllib.loads(dumps_plan(plan))

    def same(excerpt: dict, whole: dict, where: str) -> None:
        for key, value in excerpt.items():
            if key == "reasons":
                for reason in value:
                    assert reason in whole["reasons"], (where, reason)
            elif isinstance(value, list) and value and isinstance(value[0], dict):
                for item in value:
                    name = "name" if "name" in item else "id"
                    [match] = [m for m in whole[key] if m[name] == item[name]]
                    same(item, match, f"{where}.{key}[{item[name]}]")
            else:
                assert whole[key] == value, (where, key)

    for table, value in shown.items():
        if isinstance(value, dict):
            same(value, made[table], table)
        else:
            for item in value:
                name = "name" if "name" in item else "id"
                [match] = [m for m in made[table] if m[name] == item[name]]
                same(item, match, f"{table}[{item[name]}]")


def test_the_readme_facts_example_names_a_program_of_the_example_catalog(host):
    import tomllib

    [block] = [b for b in _readme_toml_blocks() if b.startswith("[[fact]]")]
    catalog = host.read_catalog(ROOT / "examples" / "catalog" / "border-programs.toml")
    ids = {program.id for program in catalog}
    assert {fact["program"] for fact in tomllib.loads(block)["fact"]} <= ids


def test_plugin_authors_md_lists_every_property():
    # The table plugin authors read names every property `run_properties` runs.
    from resplan.testing import PROPERTIES

    text = (ROOT / "docs" / "plugin-authors.md").read_text(encoding="utf-8")
    listed = [line.split("`")[1] for line in text.splitlines() if line.startswith("| `")]
    assert [p.name for p in PROPERTIES if p.name in listed] == [p.name for p in PROPERTIES]
