"""Every template of every built-in ruleset, rendered with 0, 1 and several of each count
it prints (parameters too), reads as correct English (the rules: resplan.testing.wording)."""

from __future__ import annotations

import itertools

import pytest

from resplan.rulebook import _stage_scopes
from resplan.rules import BOOL, NUMBER, TEXT, Enum, Level, Scope, SetOf, compile_template
from resplan.rules.template import Template
from resplan.testing import wording

COUNTS = (0, 1, 3)
# Realistic words for text facts; ids get real ids so that printing them is caught.
TEXT_SAMPLES = {
    "specialty.name": "Internal Medicine",
    "region.name": "El Paso",
    "program.region_name": "El Paso",
    "plan.high_regions": "El Paso, Laredo",
    "plan.verify_list": "Example Hospital Internal Medicine (El Paso, TX)",
    "program.name": "Example Hospital Internal Medicine",
    "program.city": "El Paso",
    "program.specialty": "Internal Medicine",
}

# Facts that follow from a value of "none".
IMPLIED = {"profile.visa": {"profile.needs_visa": False, "profile.visas": frozenset()}}


def _templates(rule):
    for key in ("says", "title", "detail"):
        template = rule.says if key == "says" else rule.effect.get(key)
        if isinstance(template, Template):
            yield key, template


def _sample(name: str, typ, count: int, host):
    if typ == NUMBER:
        return count
    if typ == BOOL:
        return True
    if typ == TEXT:
        if name in ("program.region", "region.id"):
            return host.rulebook.subregions[0].id
        if name == "program.id":
            return "tx-example-im"
        return TEXT_SAMPLES.get(name, "Example")
    if isinstance(typ, (Enum, Level)):
        return typ.values[-1]  # enums get every value in their own test below
    if isinstance(typ, SetOf):
        if name == "profile.clinical.regions":
            pool = [sub.id for sub in host.rulebook.subregions]
        elif name.startswith("assessment."):
            pool = sorted(host.rulebook.labels)
        elif name == "profile.specialties":
            pool = ["Dermatology", "Internal Medicine", "Family Medicine"]
        elif name == "profile.languages":
            pool = ["Spanish", "English", "Portuguese"]
        elif isinstance(typ.item, (Enum, Level)):
            pool = list(typ.item.values)
        else:
            pool = ["Internal Medicine", "Family Medicine", "Psychiatry"]
        return frozenset(pool[:count])
    raise AssertionError(f"no sample for {name} ({typ})")


def _cases(host):
    rulebook = host.rulebook
    types = {}
    for scope in _stage_scopes(tuple(sorted({s.group for s in rulebook.specialties}))).values():
        types.update(scope)
    for ruleset in rulebook.rulesets:
        params = {name: p.value for name, p in ruleset.parameters.items()}
        for rule in ruleset.rules:
            for key, template in _templates(rule):
                yield ruleset, rule, key, template, types, params


@pytest.fixture(scope="module")
def cases(host):
    return list(_cases(host))


def test_every_ruleset_has_templates_to_check(cases):
    assert len(cases) > 100
    assert {c[0].name for c in cases} >= {
        "applications",
        "assessment",
        "tiering",
        "screening",
        "specialties",
        "regions",
        "between-cycles",
    }


def test_every_template_reads_well_with_zero_one_and_several(host, cases):
    forbidden = wording.forbidden_ids(host.rulebook)
    found = []
    for ruleset, rule, key, template, types, params in cases:
        text = template.text.replace(" ", "")
        printed_params = {n: v for n, v in params.items() if f"{{{n}" in text}
        numeric = [
            n
            for n, v in printed_params.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool)
        ]
        rendered, unheard = set(), set()
        for count, param_count in itertools.product(COUNTS, (None, *COUNTS)):
            varied = dict(params)
            if param_count is not None:
                if not numeric:
                    continue
                varied.update({n: param_count for n in numeric})
            compiled = compile_template(template.text, Scope(types, varied))
            env = {
                name: _sample(name, types[name], count, host)
                for name in compiled.names | rule.condition.names
            }
            text = compiled.render(env, host.rulebook.labels)
            # A rule whose condition rules these values out never says this text.
            if rule.condition(env) is not False:
                rendered.add(text)
            elif count:  # heard nowhere: read it anyway, but not with an empty list
                unheard.add(text)
        for text in sorted(rendered or unheard):
            for problem in wording.problems(text, forbidden):
                found.append(f"{ruleset.file}: {rule.id} {key}: {problem}\n    {text}")
    assert not found, "\n".join(sorted(set(found)))


def test_no_template_prints_a_yes_no_fact_or_a_none_level(host, cases):
    """A yes/no fact prints as "yes"/"no" and a level of "none" as "none": neither is
    what a sentence means. A rule that may speak with such a value says it in words."""
    found = []
    for ruleset, rule, key, template, types, _ in cases:
        for name in sorted(template.names):
            typ = types[name]
            if typ == BOOL:
                found.append(f"{ruleset.file}: {rule.id} {key} prints yes/no fact {name}")
            if isinstance(typ, (Enum, Level)) and "none" in typ.values:
                # Only the value decides: every other fact unknown but those it implies.
                env = {name: "none", **IMPLIED.get(name, {})}
                if rule.condition(env) is not False:
                    found.append(f"{ruleset.file}: {rule.id} {key} may print {name} = none")
    assert not found, "\n".join(found)


def test_the_checker_catches_what_it_promises():
    assert wording.problems("1 programs are borderline") == [
        "'1 programs': one program, not programs"
    ]
    assert wording.problems("You have 1 US clinical letters.") == [
        "'1 US clinical letters': one letter, not letters"
    ]
    assert wording.problems("at best a unlikely fit") == ["'a unlikely': an unlikely"]
    assert wording.problems("an strong fit") == ["'an strong': a strong"]
    assert wording.problems("You applied 1 time(s)") == [
        "'(s)': write the plural that fits the number"
    ]
    assert wording.problems("0 month of work") == ["'0 month': 0 months"]
    assert wording.problems("in tx-el-paso (img_share)", {"tx-el-paso", "img_share"}) == [
        "raw identifier 'tx-el-paso'",
        "raw identifier 'img_share'",
    ]
    assert (
        wording.problems(
            "1 program is borderline; 3 months; a US program; an MD; "
            "a few programs; 77% of 12 programs"
        )
        == []
    )
