"""Loading rulesets: TOML text in, compiled rules out, once per run.

A :class:`Rulebook` holds every installed ruleset's rules, compiled and grouped by stage,
with the reference tables (specialties, border sub-regions, calendar phases) merged from
all of them. Everything that can be wrong with a ruleset is found here, before a plan is
made, and reported with file, line and rule id.
"""

from __future__ import annotations

import functools
import types
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from resplan import facts as F
from resplan.errors import InputError, Problem, RulesetError
from resplan.plugins import RulesetSource
from resplan.rules import (
    BUILTIN_FUNCTIONS,
    NUMBER,
    Compiled,
    Condition,
    ExpressionError,
    Function,
    Scope,
    Template,
    compile_condition,
    compile_expression,
    compile_template,
)
from resplan.rules.template import deferred_template
from resplan.rules.types import is_textual
from resplan.sources import parse_toml, toml_lines, toml_locator
from resplan.vocabulary import LANGUAGE_LEVELS, STATES, suggest

# The stages that have rules, in pipeline order, and each one's effect keys.
RULE_STAGES: tuple[str, ...] = (
    "assess",
    "specialties",
    "regions",
    "screen",
    "tier",
    "actions",
    "summary",
    "signals",
    "outlook",
    "what_if",
)
EFFECT_KEYS: dict[str, tuple[str, ...]] = {
    "assess": ("weakness", "strength", "label"),
    "specialties": ("fit", "suggest"),
    "regions": ("priority",),
    # verify: true for a verdict that rests on listing facts a program reports itself and
    # may not have updated: where the rule alone decides the verdict, the program facts
    # it reads (those a listing states) go into the program's to_verify.
    "screen": ("verdict", "verify"),
    # lower: tiers to move a program down after the best tier is chosen (a parameter's name
    # or a whole number), for a reason that counts against a program without ruling it out.
    # note: true for a reason that places and moves nothing, cited on every program not
    # skipped where the rule fires (what a kind of program is, a fact to check first).
    "tier": ("tier", "lower", "note"),
    "actions": ("category", "title", "detail", "timing"),
    "summary": ("applications", "spread"),
    "signals": ("part",),
    "outlook": ("weight",),
    # A change to the profile, re-planned (resplan.stages.what_if): each key one part of it.
    "what_if": (*F.WHAT_IF_CHANGES, "note"),
}
RULE_KEYS = ("id", "when", "says", "source")
TABLES = ("specialty", "subregion", "phase")
TOP_LEVEL = ("ruleset", "parameters", "overrides", *TABLES, *RULE_STAGES)
# An outlook rule's weight: how far one finding moves the band, either way.
OUTLOOK_MAX_WEIGHT = 3
CATEGORIES = (
    "academic",
    "clinical",
    "materials",
    "interview",
    "networking",
    "between-cycle",
    "verify",
)


@attrs.frozen
class Parameter:
    name: str
    value: Any
    source: str
    note: str


@attrs.frozen
class Rule:
    ruleset: str
    id: str
    stage: str
    condition: Condition
    says: Template | None
    effect: Mapping[str, Any]  # plain values, templates or compiled expressions
    source: str
    file: str
    line: int | None
    # The condition over a table of programs (screen and tier rules), or None when it
    # must be asked program by program; see resplan.rules.columns.
    columns: Any = attrs.field(default=None, eq=False, repr=False)

    @property
    def qualified_id(self) -> str:
        return f"{self.ruleset}/{self.id}"


@attrs.frozen
class Ruleset:
    name: str
    version: str
    description: str
    sha256: str
    plugin: str
    file: str
    parameters: Mapping[str, Parameter]
    rules: tuple[Rule, ...]


@attrs.frozen
class SpecialtyRow:
    name: str
    group: str
    source: str


@attrs.frozen
class Subregion:
    id: str
    name: str
    state: str
    cities: tuple[str, ...]
    source: str
    article: str = ""  # "the" for a name a sentence says with it: "the Rio Grande Valley"

    @property
    def in_text(self) -> str:
        """The name as a sentence says it, with its article where it takes one."""
        return f"{self.article} {self.name}" if self.article else self.name


@attrs.frozen
class Phase:
    id: str
    label: str
    month: int
    year: int  # relative to the Match year
    order: int
    source: str
    # The last month of the phase (a window such as interview season spans several), and
    # what is still possible once it has passed, for plans made after it (stages.actions).
    until_month: int | None = None
    until_year: int | None = None
    late: str = ""
    # What is still possible, by the phase the plan's date comes before: (phase id, text)
    # pairs; the first of those phases to start after the date gives the text, else `late`.
    late_before: tuple[tuple[str, str], ...] = ()
    # Once this phase has passed, its steps serve a next application: they are dated like
    # the phase named here, of the next Match (stages.actions). "" for none.
    next_application: str = ""

    @property
    def start(self) -> tuple[int, int]:
        """(year, month), the year counted from the Match year."""
        return self.year, self.month

    @property
    def end(self) -> tuple[int, int]:
        return (
            (self.until_year if self.until_year is not None else self.year),
            self.until_month or self.month,
        )


@attrs.frozen
class Rulebook:
    rulesets: tuple[Ruleset, ...]
    specialties: tuple[SpecialtyRow, ...]
    subregions: tuple[Subregion, ...]
    phases: tuple[Phase, ...]
    functions: Mapping[str, Function]

    # Worked out once per rulebook: every plan reads them. Read-only views.

    @functools.cached_property
    def labels(self) -> Mapping[str, str]:
        """Finding names (``low-step2ck``) and border sub-region ids (``tx-el-paso``) to the
        words messages use for them, so that a list of them never prints an id."""
        out: dict[str, str] = {}
        for rule in self.rules("assess"):
            name = rule.effect.get("weakness") or rule.effect.get("strength")
            if name is not None and "label" in rule.effect:
                out.setdefault(name, rule.effect["label"])
        for sub in self.subregions:  # inside a sentence: "in the Rio Grande Valley"
            out.setdefault(sub.id, sub.in_text)
        return types.MappingProxyType(out)

    @functools.cached_property
    def _by_stage(self) -> dict[str, tuple[Rule, ...]]:
        out: dict[str, list[Rule]] = {}
        for rs in self.rulesets:
            for rule in rs.rules:
                out.setdefault(rule.stage, []).append(rule)
        return {stage: tuple(rules) for stage, rules in out.items()}

    def rules(self, stage: str) -> tuple[Rule, ...]:
        """The stage's rules: rulesets in the rulebook's order, rules in file order."""
        return self._by_stage.get(stage, ())

    @functools.cached_property
    def city_regions(self) -> Mapping[tuple[str, str], str]:
        """(city, state) as facts.city_key spells it, to the border sub-region id."""
        return types.MappingProxyType(
            {F.city_key(city, sub.state): sub.id for sub in self.subregions for city in sub.cities}
        )


# ------------------------------------------------------------------ loading


@attrs.define
class _Raw:
    source: RulesetSource
    plugin: str
    data: dict
    locate: Callable
    name: str


class _Problems:
    def __init__(self):
        self.items: list[Problem] = []

    def add(self, raw: _Raw | None, message: str, *, path=(), field="", subject=""):
        file = raw.source.label if raw else "<rulesets>"
        line = raw.locate(tuple(path)) if raw and path else None
        self.items.append(Problem(file, message, field=field, line=line, subject=subject))

    def raise_if_any(self):
        if self.items:
            raise RulesetError(self.items)


def whole_parameter(rulebook: Rulebook, ruleset_name: str, name: str, default: int) -> int:
    """A parameter that code (not a rule) reads as a whole number, 0 or more: ``default``
    when the ruleset leaves it out or is not loaded; an error naming the ruleset's file
    when it is not a whole number."""
    ruleset = next((r for r in rulebook.rulesets if r.name == ruleset_name), None)
    if ruleset is None or name not in ruleset.parameters:
        return default
    value = ruleset.parameters[name].value
    if type(value) is not int or value < 0:
        raise RulesetError(
            [
                Problem(
                    ruleset.file,
                    f"{value!r} is not a whole number, 0 or more",
                    field=f"parameters.{name}",
                )
            ]
        )
    return value


def load_rulebook(
    sources: Iterable[tuple[str, RulesetSource]],
    functions: Iterable[Function] = (),
    distributions: Mapping[str, str] | None = None,
    *,
    cache: bool | None = False,
) -> Rulebook:
    """Load ``(plugin name, source)`` pairs into a Rulebook, or raise RulesetError.

    ``distributions`` maps plugin names to the distribution that installed them, for
    messages about two plugins that clash. ``cache``: keep what the rulesets' text
    alone gives in the user's cache folder (:class:`_Memo`); None leaves it to
    ``RESPLAN_NO_CACHE``.
    """
    dist = distributions or {}

    def owner(raw: _Raw) -> str:
        where = f" from {dist[raw.plugin]}" if raw.plugin in dist else ""
        return f"plugin {raw.plugin!r}{where} ({raw.source.label})"

    sources = list(sources)
    memo = _Memo.load([source for _plugin, source in sources], cache)
    problems = _Problems()
    raws = [_parse(plugin, source, problems, memo) for plugin, source in sources]
    problems.raise_if_any()
    raws.sort(key=lambda r: r.name)
    seen: dict[str, _Raw] = {}
    for raw in raws:
        if raw.name in seen:
            first = seen[raw.name]
            problems.add(
                raw,
                f"two plugins supply a ruleset named {raw.name!r}: {owner(first)} and {owner(raw)}",
                path=("ruleset", "name"),
                field="ruleset.name",
            )
        seen[raw.name] = raw
    problems.raise_if_any()

    function_table = dict(BUILTIN_FUNCTIONS)
    for fn in functions:
        if fn.name in function_table:
            problems.add(None, f"function {fn.name!r} is defined twice (or shadows a built-in)")
        function_table[fn.name] = fn
    problems.raise_if_any()

    params = {raw.name: _parameters(raw, problems) for raw in raws}
    _apply_overrides(raws, params, problems)
    # resplan's own rows first, so that a row a plugin defines again is reported in the
    # plugin's file, where it can be fixed.
    own_first = sorted(raws, key=lambda raw: not dist.get(raw.plugin, "").startswith("resplan "))
    specialties = _table(own_first, "specialty", "name", _specialty_row, problems)
    subregions = _table(own_first, "subregion", "id", _subregion_row, problems)
    phases = _table(own_first, "phase", "id", _phase_row, problems)
    problems.raise_if_any()

    scopes = _stage_scopes(tuple(sorted({s.group for s in specialties})))
    phase_ids = tuple(p.id for p in phases)
    _check_late_before(raws, phase_ids, problems)
    rulesets = []
    for raw in raws:
        values = {name: p.value for name, p in params[raw.name].items()}
        ruleset_scopes = _Scopes(scopes, values)
        rules = []
        for stage in RULE_STAGES:
            for index, table in enumerate(raw.data.get(stage, [])):
                rule = _rule(
                    raw,
                    stage,
                    index,
                    table,
                    ruleset_scopes,
                    values,
                    function_table,
                    phase_ids,
                    problems,
                    memo.trees,
                    memo.proven,
                )
                if rule is not None:
                    rules.append(rule)
        ids: dict[str, Any] = {}
        for rule in rules:
            if rule.id in ids:
                problems.add(
                    raw,
                    f"rule id used twice (also on line {ids[rule.id].line})",
                    path=(rule.stage,),
                    subject=rule.id,
                )
            ids[rule.id] = rule
        meta = raw.data.get("ruleset", {})
        rulesets.append(
            Ruleset(
                name=raw.name,
                version=str(meta.get("version", "0")),
                description=str(meta.get("description", "")),
                sha256=raw.source.sha256,
                plugin=raw.plugin,
                file=raw.source.label,
                parameters=params[raw.name],
                rules=tuple(rules),
            )
        )
    problems.raise_if_any()
    rulesets = _disable(raws, rulesets, problems)
    problems.raise_if_any()
    memo.store()
    return Rulebook(
        rulesets=tuple(rulesets),
        specialties=tuple(sorted(specialties, key=lambda s: s.name)),
        subregions=tuple(sorted(subregions, key=lambda s: s.id)),
        phases=tuple(sorted(phases, key=lambda p: (p.order, p.id))),
        functions=function_table,
    )


def _parse(plugin: str, source: RulesetSource, problems: _Problems, memo: _Memo) -> _Raw:
    known = memo.tomls.get(source.sha256)
    if known is not None:
        raw = _Raw(source, plugin, known[0], toml_locator(source.text, known[1]), "")
    else:
        raw = _Raw(source, plugin, {}, toml_locator(source.text), "")
        try:
            raw.data = parse_toml(source.text, source.label)
        except InputError as exc:
            problems.items.extend(exc.problems)
            return raw
        memo.add_toml(source, raw.data)
    for key in raw.data:
        if key not in TOP_LEVEL:
            problems.add(raw, f"unknown key{suggest(key, TOP_LEVEL)}", path=(key,), field=key)
    meta = raw.data.get("ruleset")
    if not isinstance(meta, dict) or not isinstance(meta.get("name"), str):
        problems.add(
            raw, "a ruleset needs [ruleset] with a name", path=("ruleset",), field="ruleset.name"
        )
    else:
        raw.name = meta["name"]
        for key in meta:
            if key not in ("name", "version", "description"):
                problems.add(
                    raw,
                    f"unknown key{suggest(key, ('name', 'version', 'description'))}",
                    path=("ruleset", key),
                    field=f"ruleset.{key}",
                )
    for stage in RULE_STAGES + TABLES:
        if stage in raw.data and not isinstance(raw.data[stage], list):
            problems.add(
                raw, f"must be an array of tables ([[{stage}]])", path=(stage,), field=stage
            )
            raw.data[stage] = []
    # Tables read further on with their keys: anything else is refused here, once.
    for path in (("parameters",), ("overrides",), ("overrides", "parameters")):
        parent = raw.data.get(path[0]) if len(path) == 2 else raw.data
        if (
            isinstance(parent, dict)
            and path[-1] in parent
            and not isinstance(parent[path[-1]], dict)
        ):
            problems.add(
                raw,
                f"must be a table ([{'.'.join(path)}]), not {_kind(parent[path[-1]])}",
                path=path,
                field=".".join(path),
            )
            parent[path[-1]] = {}
    overrides = raw.data.get("overrides")
    if isinstance(overrides, dict) and "disable" in overrides:
        disable = overrides["disable"]
        if not isinstance(disable, list) or not all(isinstance(t, str) for t in disable):
            # A bare string would otherwise be read one letter at a time.
            problems.add(
                raw,
                'must be a list of rule ids, e.g. ["screening/some-rule"]',
                path=("overrides", "disable"),
                field="overrides.disable",
            )
            overrides["disable"] = []
    return raw


def _kind(value) -> str:
    return {
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        list: "a list",
    }.get(type(value), type(value).__name__)


def _parameters(raw: _Raw, problems: _Problems) -> dict[str, Parameter]:
    out = {}
    for name, entry in sorted(raw.data.get("parameters", {}).items()):
        path = ("parameters", name)
        if not isinstance(entry, dict):
            problems.add(
                raw,
                "a parameter is a table with value, source and note",
                path=path,
                field=f"parameters.{name}",
            )
            continue
        for key in entry:
            if key not in ("value", "source", "note"):
                problems.add(
                    raw,
                    f"unknown key{suggest(key, ('value', 'source', 'note'))}",
                    path=path + (key,),
                    field=f"parameters.{name}.{key}",
                )
        for key in ("value", "source"):
            if key not in entry:
                problems.add(
                    raw, f"a parameter needs a {key}", path=path, field=f"parameters.{name}"
                )
        if "value" in entry and not _usable_number(entry["value"]):
            problems.add(
                raw,
                f"{entry['value']!r} is not a usable number (finite, under {MAX_PARAMETER:.0e})",
                path=path + ("value",),
                field=f"parameters.{name}.value",
            )
        elif "value" in entry:
            out[name] = Parameter(
                name,
                _freeze(entry["value"]),
                str(entry.get("source", "")),
                str(entry.get("note", "")),
            )
    return out


# The largest number a parameter may hold. Thresholds are scores, years, counts and
# shares; a bigger number (or nan or inf) is a mistake, and would overflow the float
# arithmetic of rule conditions.
MAX_PARAMETER = 1e15


def _usable_number(value) -> bool:
    values = value if isinstance(value, list) else [value]
    return all(
        isinstance(v, bool) or not isinstance(v, (int, float)) or abs(v) < MAX_PARAMETER
        for v in values
    )  # abs(nan) < x is false


def _freeze(value):
    return tuple(value) if isinstance(value, list) else value


def _apply_overrides(
    raws: list[_Raw], params: dict[str, dict[str, Parameter]], problems: _Problems
) -> None:
    owner: dict[str, _Raw] = {}
    for raw in raws:
        overrides = raw.data.get("overrides", {})
        for key in overrides:
            if key not in ("parameters", "disable"):
                problems.add(
                    raw,
                    f"unknown key{suggest(key, ('parameters', 'disable'))}",
                    path=("overrides", key),
                    field=f"overrides.{key}",
                )
        for target, value in sorted(overrides.get("parameters", {}).items()):
            ruleset, _, name = target.partition(".")
            path = ("overrides", "parameters", target)
            if target in owner:
                problems.add(
                    raw,
                    f"parameter {target!r} is overridden by both "
                    f"{owner[target].name!r} and {raw.name!r}",
                    path=path,
                    field=f"overrides.parameters.{target}",
                )
                continue
            if ruleset not in params or name not in params[ruleset]:
                known = [f"{r}.{n}" for r in params for n in params[r]]
                problems.add(
                    raw,
                    f"no parameter {target!r} to override{suggest(target, known)}",
                    path=path,
                    field=f"overrides.parameters.{target}",
                )
                continue
            old = params[ruleset][name]
            if not _usable_number(value):
                problems.add(
                    raw,
                    f"{value!r} is not a usable number (finite, under {MAX_PARAMETER:.0e})",
                    path=path,
                    field=f"overrides.parameters.{target}",
                )
                continue
            if type(_freeze(value)) is not type(old.value) and not (
                isinstance(value, (int, float))
                and isinstance(old.value, (int, float))
                and not isinstance(value, bool)
                and not isinstance(old.value, bool)
            ):
                problems.add(
                    raw,
                    f"{value!r} does not have the type of {target} ({old.value!r})",
                    path=path,
                    field=f"overrides.parameters.{target}",
                )
                continue
            owner[target] = raw
            params[ruleset][name] = attrs.evolve(
                old,
                value=_freeze(value),
                source=f"overridden by ruleset {raw.name!r} ({old.source})",
            )


def _disable(raws: list[_Raw], rulesets: list[Ruleset], problems: _Problems) -> list[Ruleset]:
    wanted: dict[str, _Raw] = {}
    for raw in raws:
        for target in raw.data.get("overrides", {}).get("disable", []):
            wanted[target] = raw
    existing = {r.qualified_id for rs in rulesets for r in rs.rules}
    for target, raw in sorted(wanted.items()):
        if target not in existing:
            problems.add(
                raw,
                f"no rule {target!r} to disable{suggest(target, existing)}",
                path=("overrides", "disable"),
                field="overrides.disable",
            )
    return [
        attrs.evolve(rs, rules=tuple(r for r in rs.rules if r.qualified_id not in wanted))
        for rs in rulesets
    ]


def _table(raws, name, key, build, problems):
    rows: dict[str, tuple[_Raw, Any]] = {}
    for raw in raws:
        for index, entry in enumerate(raw.data.get(name, [])):
            path = (name, index)
            if not isinstance(entry, dict):
                problems.add(
                    raw, f"[[{name}]] entries must be tables", path=path, field=f"{name}[{index}]"
                )
                continue
            try:
                row = build(entry)
            except _FieldError as exc:
                problems.add(
                    raw, exc.message, path=path + (exc.key,), field=f"{name}[{index}].{exc.key}"
                )
                continue
            except (KeyError, TypeError, ValueError) as exc:
                message = f"missing {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)
                problems.add(raw, message, path=path, field=f"{name}[{index}]")
                continue
            ident = getattr(row, key)
            if ident in rows:
                first = rows[ident][0]
                problems.add(
                    raw,
                    f"{name} {ident!r} is also defined in ruleset "
                    f"{first.name!r} ({first.source.label})",
                    path=path,
                    field=f"{name}[{index}]",
                )
                continue
            rows[ident] = (raw, row)
    return [row for _raw, row in rows.values()]


class _FieldError(ValueError):
    """A value of one key of a reference table's row that resplan cannot use."""

    def __init__(self, key: str, message: str):
        super().__init__(message)
        self.key, self.message = key, message


def _text(entry: dict, key: str, default: str | None = None) -> str:
    if key not in entry and default is not None:
        return default
    value = entry[key]
    if not isinstance(value, str):
        raise _FieldError(key, f"expected text, got {value!r}")
    return value


def _texts(entry: dict, key: str) -> tuple[str, ...]:
    value = entry[key]
    # A bare string would otherwise become a list of its letters.
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _FieldError(key, f'expected a list of text, e.g. ["El Paso"], got {value!r}')
    return tuple(value)


def _whole(entry: dict, key: str) -> int:
    value = entry[key]
    # 5.7 is not a month, and true is not a number.
    if type(value) is not int:
        raise _FieldError(key, f"expected a whole number, got {value!r}")
    return value


def _only(entry: dict, keys: tuple[str, ...]):
    for key in entry:
        if key not in keys:
            raise ValueError(f"unknown key {key!r}{suggest(key, keys)}")


def _specialty_row(entry):
    _only(entry, ("name", "group", "source", "note"))
    from resplan.vocabulary import SPECIALTIES

    if _text(entry, "name") not in SPECIALTIES:
        raise ValueError(
            f"{entry['name']!r} is not a specialty resplan knows"
            f"{suggest(entry['name'], SPECIALTIES)}"
        )
    return SpecialtyRow(_text(entry, "name"), _text(entry, "group"), _text(entry, "source", ""))


def _subregion_row(entry):
    _only(entry, ("id", "name", "state", "cities", "source", "note", "article"))
    if _text(entry, "state") not in STATES:
        raise _FieldError("state", f"{entry['state']!r} is not a state code")
    if _text(entry, "article", "") not in ("", "the"):
        raise _FieldError("article", f'{entry["article"]!r} is not an article a name takes: "the"')
    return Subregion(
        _text(entry, "id"),
        _text(entry, "name"),
        entry["state"],
        _texts(entry, "cities"),
        _text(entry, "source", ""),
        _text(entry, "article", ""),
    )


def _phase_row(entry):
    _only(
        entry,
        (
            "id",
            "label",
            "month",
            "year",
            "order",
            "source",
            "note",
            "until_month",
            "until_year",
            "late",
            "late_before",
            "next_application",
        ),
    )
    for key in ("month", "until_month"):
        if key in entry and not 1 <= _whole(entry, key) <= 12:
            raise _FieldError(key, f"{key} {entry[key]!r} is not 1–12")
    phase = Phase(
        _text(entry, "id"),
        _text(entry, "label"),
        entry["month"],
        _whole(entry, "year"),
        _whole(entry, "order"),
        _text(entry, "source", ""),
        entry["until_month"] if "until_month" in entry else None,
        _whole(entry, "until_year") if "until_year" in entry else None,
        _text(entry, "late", ""),
        _late_before(entry),
        _text(entry, "next_application", ""),
    )
    if phase.end < phase.start:
        raise _FieldError(
            "until_month", "the phase ends (until_year, until_month) before it starts"
        )
    return phase


# ------------------------------------------------------------------ kept between runs

# Raised when what a _Memo entry holds changes shape.
MEMO_FORMAT = 2


class _Memo:
    """What loading makes of the rulesets' text alone, kept between runs in the user's
    cache folder (:mod:`resplan.cache`, folder ``rulebooks``): each ruleset's parsed
    TOML and the line of each of its keys, and each expression's syntax tree. Reading
    and parsing them is half of a load; checking the rules and compiling them, which
    depend on the facts, the parameters and the plugins' functions as well, run every
    time from those parts, so a rule comes out the same as from the text (the closures
    it compiles to could not be kept anyway).

    The entry is named by resplan's code (:func:`resplan.cache.code_fingerprint`), the
    TOML parser's version and the sha256 of every ruleset's text: any change is another
    entry, made again from the text and stored once the rulebook has loaded without a
    problem. A missing, foreign or broken entry is a miss (resplan.cache's checks).
    """

    def __init__(self, key: str | None = None, entry: Any = None):
        self.key = key
        self.tomls: dict[str, tuple[dict, dict]] = {}  # sha256 -> (data, line of each key)
        self.trees: dict[str, Any] = {}  # expression text -> syntax tree
        # Read back from the cache: an entry is stored only once its rulesets have loaded
        # without a problem, under a key naming their text and resplan's code, which is
        # all a template's compiling depends on (facts, parameters, specialties).
        self.proven = False
        trees = _trees_of(entry[1]) if _memo_entry(entry) else None
        if trees is not None:
            self.tomls, self.trees = entry[0], trees
            self.proven = True
        self.changed = False
        self.trees_read = len(self.trees)

    @classmethod
    def load(cls, sources: list[RulesetSource], use: bool | None) -> _Memo:
        from resplan import cache

        if use is False or (use is None and not cache.enabled()):
            return cls()
        import tomli

        key = "\n".join(
            [
                f"rulebook memo {MEMO_FORMAT}",
                f"code {cache.code_fingerprint()}",
                f"tomli {getattr(tomli, '__version__', '')}",
                *sorted(f"ruleset {source.sha256}" for source in sources),
            ]
        )
        return cls(key, cache.load(key, cache.kind_dir("rulebooks")))

    def add_toml(self, source: RulesetSource, data: dict) -> None:
        if self.key is not None:
            self.tomls[source.sha256] = (data, toml_lines(source.text))
            self.changed = True

    def store(self) -> None:
        if self.key is None or not (self.changed or len(self.trees) != self.trees_read):
            return
        from resplan import cache

        try:
            trees = {text: _tree_tuple(tree) for text, tree in self.trees.items()}
        except RecursionError:  # a tree deeper than Python's stack: not kept
            return
        cache.store(self.key, (self.tomls, trees), cache.kind_dir("rulebooks"))


def _tree_tuple(node) -> tuple:
    """A syntax tree as nested tuples (:func:`_tree` makes it again): unpickled in a
    seventh of the time its nodes take, each of which attrs sets field by field."""
    from resplan.rules import expr as E

    kind = type(node)
    if kind is E.Binary:
        return (5, node.op, _tree_tuple(node.left), _tree_tuple(node.right), node.column)
    if kind is E.Name:
        return (1, node.name, node.column)
    if kind is E.Literal:
        return (0, node.value, node.column)
    if kind is E.Unary:
        return (4, node.op, _tree_tuple(node.operand), node.column)
    if kind is E.Call:
        return (3, node.name, tuple(map(_tree_tuple, node.args)), node.column)
    return (2, tuple(map(_tree_tuple, node.items)), node.column)


def _trees_of(kept: dict) -> dict | None:
    """The syntax trees of :func:`_tree_tuple`'s tuples, or None for a wrong shape."""
    from resplan.rules import expr as E

    Literal, Name, ListLit, Call, Unary, Binary = (
        E.Literal,
        E.Name,
        E.ListLit,
        E.Call,
        E.Unary,
        E.Binary,
    )

    def tree(t):
        kind = t[0]
        if kind == 5:
            _kind, op, left, right, column = t
            return Binary(op, tree(left), tree(right), column)
        if kind == 1:
            _kind, name, column = t
            return Name(name, column)
        if kind == 0:
            _kind, value, column = t
            return Literal(value, column)
        if kind == 4:
            _kind, op, operand, column = t
            return Unary(op, tree(operand), column)
        if kind == 3:
            _kind, name, args, column = t
            return Call(name, tuple(map(tree, args)), column)
        if kind == 2:
            _kind, items, column = t
            return ListLit(tuple(map(tree, items)), column)
        raise ValueError(kind)

    try:
        return {text: tree(t) for text, t in kept.items()}
    except (TypeError, ValueError, IndexError, RecursionError):
        return None


def _memo_entry(entry: Any) -> bool:
    """Whether an unpickled entry has the memo's shape (else it is a miss)."""
    return (
        isinstance(entry, tuple)
        and len(entry) == 2
        and isinstance(entry[0], dict)
        and isinstance(entry[1], dict)
        and all(
            isinstance(v, tuple)
            and len(v) == 2
            and isinstance(v[0], dict)
            and isinstance(v[1], dict)
            for v in entry[0].values()
        )
        and all(isinstance(k, str) and type(v) is tuple for k, v in entry[1].items())
    )


def _late_before(entry) -> tuple[tuple[str, str], ...]:
    value = entry.get("late_before", {})
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _FieldError(
            "late_before",
            f'expected a table of phase ids and texts, e.g. {{ interviews = "..." }}, got {value!r}',
        )
    return tuple(sorted(value.items()))


def _check_late_before(raws, phase_ids, problems) -> None:
    """A ``late_before`` key, and a ``next_application``, name a phase of the calendar,
    from whichever ruleset."""
    for raw in raws:
        for index, entry in enumerate(raw.data.get("phase", [])):
            table = entry.get("late_before") if isinstance(entry, dict) else None
            for key in table if isinstance(table, dict) else ():
                if key not in phase_ids:
                    problems.add(
                        raw,
                        f"{key!r} is not a phase of the calendar{suggest(key, phase_ids)}",
                        path=("phase", index, "late_before", key),
                        field=f"phase[{index}].late_before.{key}",
                    )
            target = entry.get("next_application") if isinstance(entry, dict) else None
            if isinstance(target, str) and target and target not in phase_ids:
                problems.add(
                    raw,
                    f"{target!r} is not a phase of the calendar{suggest(target, phase_ids)}",
                    path=("phase", index, "next_application"),
                    field=f"phase[{index}].next_application",
                )


# ------------------------------------------------------------------ scopes


def _stage_scopes(groups: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """The facts each stage's conditions may read (everything known by then)."""

    def types(*tables):
        out = {}
        for table in tables:
            out.update({name: fact.type for name, fact in table.items()})
        return out

    specialty = F.specialty_facts(groups or ("none",))
    base = (F.PROFILE_FACTS, F.ASSESSMENT_FACTS)
    program = (
        *base,
        F.PROGRAM_FACTS,
        specialty,
        F.SPECIALTY_FIT_FACT,
        F.WISHES_FACTS,
        F.REGION_PRIORITY_FACT,
    )
    return {
        "assess": types(F.PROFILE_FACTS),
        "specialties": types(*base, specialty, F.SPECIALTY_CATALOG_FACTS),
        "specialties-suggest": types(
            *base,
            specialty,
            F.SPECIALTY_CATALOG_FACTS,
            F.SPECIALTY_FIT_FACT,
            F.WISHES_FACTS,
            F.WISHES_CATALOG_FACTS,
        ),
        "regions": types(*base, F.REGION_FACTS, F.WISHES_FACTS),
        "screen": types(*program),
        "tier": types(*program, F.SCREEN_FACTS),
        "actions": types(*base, F.WISHES_FACTS, F.PLAN_FACTS),
        # A summary rule that sets applications or spread is asked once per considered
        # specialty, before the volume is known; the others may read what was worked out.
        "summary-volume": types(
            *base,
            specialty,
            F.SPECIALTY_FIT_FACT,
            F.WISHES_FACTS,
            F.PLAN_FACTS,
            F.SPECIALTY_OPEN_FACTS,
        ),
        "summary": types(
            *base,
            specialty,
            F.SPECIALTY_FIT_FACT,
            F.WISHES_FACTS,
            F.PLAN_FACTS,
            F.SPECIALTY_OPEN_FACTS,
            F.VOLUME_FACTS,
            F.SUMMARY_FACTS,
            F.WHAT_IF_PLAN_FACTS,
        ),
        # A signals rule: once per considered specialty and chosen program (stages/signals.py).
        "signals": types(
            *base,
            specialty,
            F.SPECIALTY_FIT_FACT,
            F.WISHES_FACTS,
            F.PLAN_FACTS,
            F.SIGNAL_FACTS,
            F.CHOICE_FACTS,
        ),
        # An outlook rule is asked once per considered specialty (stages/outlook.py).
        "outlook": types(
            *base,
            specialty,
            F.SPECIALTY_FIT_FACT,
            F.WISHES_FACTS,
            F.PLAN_FACTS,
            F.SPECIALTY_OPEN_FACTS,
            F.SUMMARY_FACTS,
            F.OUTLOOK_FACTS,
        ),
        # A change's condition and values read the plan as it is; its words may also read
        # the values the change worked out.
        "what_if": types(*base, F.WISHES_FACTS, F.PLAN_FACTS),
        "what_if-says": types(*base, F.WISHES_FACTS, F.PLAN_FACTS, F.WHAT_IF_FACTS),
    }


class _Scopes(dict):
    """A ruleset's Scope of each stage, made when a rule of that stage first needs it: a
    Scope checks every fact's type when made, and a stage's rules share one."""

    def __init__(self, facts: dict[str, dict[str, Any]], params: dict[str, Any]):
        super().__init__()
        self.facts, self.params = facts, params

    def __missing__(self, name: str) -> Scope:
        scope = self[name] = Scope(self.facts[name], self.params)
        return scope


# ------------------------------------------------------------------ rules


_ENUM_EFFECTS = {
    ("specialties", "fit"): F.FITS,
    ("regions", "priority"): ("high", "medium", "low", "none"),
    ("screen", "verdict"): ("skip", "borderline"),
    ("actions", "category"): CATEGORIES,
    ("signals", "part"): ("says", "why", "geographic", "evidence"),
}


def _rule(
    raw, stage, index, table, scopes, params, functions, phase_ids, problems, trees, proven=False
):
    """``proven``: these rulesets loaded without a problem before (:class:`_Memo`), so
    their templates are compiled when first read (most never are) rather than now."""
    base = (stage, index)
    template = deferred_template if proven else compile_template
    rule_id = table.get("id") if isinstance(table, dict) else None
    subject = rule_id if isinstance(rule_id, str) else f"{stage}[{index}]"

    def fail(message, key=None):
        problems.add(
            raw, message, path=base + ((key,) if key else ()), subject=subject, field=key or ""
        )

    if not isinstance(table, dict):
        fail(f"[[{stage}]] entries must be tables")
        return None
    allowed = RULE_KEYS + EFFECT_KEYS[stage]
    for key in table:
        if key not in allowed:
            fail(
                f"unknown key{suggest(key, allowed)}; a {stage} rule takes {', '.join(allowed)}",
                key,
            )
    for key in ("id", "when", "source"):
        if not isinstance(table.get(key), str) or not table.get(key).strip():
            fail(f"a rule needs {key!r} (text)", key)
    if stage != "actions" and "says" not in table:
        fail("a rule needs 'says' (text): why it fired, in words for the applicant", "says")
    if problems.items and any(p.subject == subject for p in problems.items):
        return None

    effect_keys = [k for k in EFFECT_KEYS[stage] if k in table]
    if stage == "assess" and len([k for k in effect_keys if k != "label"]) != 1:
        fail("an assess rule sets exactly one of 'weakness' or 'strength'")
        return None
    if stage == "specialties" and len(effect_keys) != 1:
        fail("a specialties rule sets exactly one of 'fit' or 'suggest'")
        return None
    # A regions rule without a priority only adds a reason (said once, see the stage).
    if stage in ("screen", "tier", "signals") and not effect_keys:
        fail(f"a {stage} rule sets {EFFECT_KEYS[stage][0]!r}")
        return None
    if stage == "screen" and "verdict" not in table:
        fail("a screen rule sets 'verdict' (verify = true only adds facts to verify to it)")
        return None
    if stage == "tier" and len(effect_keys) != 1:
        fail("a tier rule sets exactly one of 'tier', 'lower' or 'note'")
        return None
    if stage == "actions":
        for key in EFFECT_KEYS["actions"]:
            if key not in table:
                fail(f"an action needs {key!r}", key)
        if any(p.subject == subject for p in problems.items):
            return None
    if stage == "summary" and not effect_keys and "says" not in table:
        fail("a summary rule sets 'applications', 'spread' or says something")
        return None
    if stage == "what_if" and not [k for k in effect_keys if k != "note"]:
        fail(f"a what_if rule changes at least one of {', '.join(F.WHAT_IF_CHANGES)}")
        return None

    scope_name = "specialties-suggest" if stage == "specialties" and "suggest" in table else stage
    if stage == "summary" and effect_keys:
        scope_name = "summary-volume"
    scope = scopes[scope_name]

    def compiled(key, build):
        try:
            return build()
        except ExpressionError as exc:
            column = f"column {exc.column}: " if exc.column else ""
            fail(f"{column}{exc.message}", key)
            return None

    condition = compiled(
        "when", lambda: compile_condition(table["when"], scope, functions, trees=trees)
    )
    # A what_if rule's words may read what its change worked out (the new score, say).
    words = scopes["what_if-says"] if stage == "what_if" else scope
    says = None
    if "says" in table:
        says = compiled("says", lambda: template(str(table["says"]), words))
    effect: dict[str, Any] = {}
    for key in effect_keys:
        value = table[key]
        allowed_values = _ENUM_EFFECTS.get((stage, key))
        if allowed_values is not None:
            if value not in allowed_values:
                fail(
                    f"{value!r} is not one of {', '.join(allowed_values)}"
                    f"{suggest(str(value), allowed_values)}",
                    key,
                )
                continue
            effect[key] = value
        elif (stage, key) == ("specialties", "suggest"):
            if value is not True:
                fail("suggest must be true", key)
                continue
            effect[key] = True
        elif stage == "assess":
            if not isinstance(value, str) or not value:
                fail(f"{key} must be a name (text)", key)
                continue
            effect[key] = value
        elif (stage, key) == ("tier", "tier"):
            if type(value) is not int or value not in (1, 2, 3):  # not 2.0, not true
                fail(f"{value!r} is not a tier (1, 2 or 3)", key)
                continue
            effect[key] = value
        elif (stage, key) == ("screen", "verify"):
            if value is not True:
                fail(f"{value!r}: write verify = true, or leave it out", key)
                continue
            effect[key] = True
        elif (stage, key) == ("tier", "note"):
            if value is not True:
                fail(f"{value!r}: a note is written note = true (its words are in says)", key)
                continue
            effect[key] = True
        elif (stage, key) == ("tier", "lower"):
            steps = params.get(value, value) if isinstance(value, str) else value
            if type(steps) is not int or steps not in (1, 2):
                fail(
                    f"{value!r} is not a number of tiers to move down (1 or 2, or a "
                    "parameter of this ruleset that holds one)",
                    key,
                )
                continue
            effect[key] = steps
        elif stage == "actions" and key in ("title", "detail"):
            words_of = compiled(key, lambda v=value: template(str(v), scope))
            if words_of is not None:
                effect[key] = words_of
        elif (stage, key) == ("actions", "timing"):
            if value not in phase_ids:
                fail(f"{value!r} is not a calendar phase{suggest(str(value), phase_ids)}", key)
                continue
            effect[key] = value
        elif (stage, key) == ("summary", "applications"):
            expr = compiled(key, lambda v=value: _number(str(v), scope, functions, trees))
            if expr is not None:
                effect[key] = expr
        elif (stage, key) == ("outlook", "weight"):
            # How much the rule's finding moves the band; see stages/outlook.py.
            if type(value) is not int or not 1 <= abs(value) <= OUTLOOK_MAX_WEIGHT:
                fail(
                    f"{value!r} is not a weight: a whole number from -{OUTLOOK_MAX_WEIGHT} "
                    f"to {OUTLOOK_MAX_WEIGHT}, not 0 (negative counts against the applicant)",
                    key,
                )
                continue
            effect[key] = value
        elif (stage, key) == ("summary", "spread"):
            if not isinstance(value, list) or len(value) != 3:
                fail("spread is a list of three numbers or parameter names (tiers 1, 2, 3)", key)
                continue
            parts = [
                compiled(key, lambda v=v: _number(str(v), scope, functions, trees)) for v in value
            ]
            if None not in parts:
                effect[key] = tuple(parts)
        elif (stage, key) == ("what_if", "note"):
            note = compiled(key, lambda v=value: template(str(v), words))
            if note is not None:
                effect[key] = note
        elif (stage, key) == ("what_if", "step3"):
            if value != "pass":
                fail(f'{value!r} is not a Step 3 result a change can give: write "pass"', key)
                continue
            effect[key] = value
        elif (stage, key) == ("what_if", "add_visa"):
            if value not in F.SPONSORED_VISAS:
                fail(
                    f"{value!r} is not a visa a change can add: write one of {', '.join(F.SPONSORED_VISAS)}",
                    key,
                )
                continue
            effect[key] = value
        elif (stage, key) == ("what_if", "spanish_level"):
            expr = compiled(key, lambda v=value: _spanish_level(v, scope, functions, trees))
            if expr is not None:
                effect[key] = expr
        elif stage == "what_if":
            expr = compiled(key, lambda v=value: _number(str(v), scope, functions, trees))
            if expr is not None and not expr.names and not _positive_constant(expr):
                fail(f"{value!r} is not a number above 0: a change adds or raises something", key)
                continue
            if expr is not None:
                effect[key] = expr
    if condition is None or ("says" in table and says is None) or len(effect) != len(effect_keys):
        return None
    columns = None
    if stage in ("screen", "tier"):
        from resplan.rules.columns import compile_columns  # NumPy: only when rules load

        columns = compile_columns(
            condition.ast, {n: params[n] for n in condition.params}, scope.facts, functions
        )
    return Rule(
        ruleset=raw.name,
        id=table["id"],
        stage=stage,
        condition=condition,
        says=says,
        effect=effect,
        source=table["source"],
        file=raw.source.label,
        line=raw.locate(base),
        columns=columns,
    )


def _number(text: str, scope: Scope, functions, trees=None) -> Compiled:
    expr = compile_expression(text, scope, functions, trees=trees)
    if expr.type != NUMBER:
        raise ExpressionError(f"expected a number, got {expr.type}", None, None)
    return expr


def _positive_constant(expr: Compiled) -> bool:
    value = expr({})
    return isinstance(value, (int, float)) and value > 0


def _spanish_level(value, scope: Scope, functions, trees=None) -> Compiled:
    """A Spanish level: one of the profile's level words, or an expression giving one."""
    text = str(value)
    if text in LANGUAGE_LEVELS:  # a bare word, as a profile writes it
        text = repr(text)
    expr = compile_expression(text, scope, functions, trees=trees)
    if not is_textual(expr.type):
        raise ExpressionError(
            f"expected a Spanish level ({', '.join(LANGUAGE_LEVELS)}), got {expr.type}", None, None
        )
    if not expr.names and expr({}) not in LANGUAGE_LEVELS:
        raise ExpressionError(
            f"{expr({})!r} is not a level: use one of {', '.join(LANGUAGE_LEVELS)}", None, None
        )
    return expr
