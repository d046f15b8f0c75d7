"""``resplan check``: find mistakes in rulesets before they reach a plan.

:func:`check` loads the installed plugins' rulesets (and, if given, ruleset files on top of
them) and reports :class:`Finding` records, each naming a file, a line and a rule id:

errors (exit status 2)
    - a ruleset that does not load: bad TOML, unknown names, type errors, unknown keys
      (every problem :func:`resplan.rulebook.load_rulebook` reports);
    - a rule id used twice in one ruleset;
    - a rule that can never fire: its condition needs contradictory things of one fact
      (``x > 230 and x < 220``, parameters folded in), a value outside the range resplan
      accepts for that fact (a Step 2 CK over 300), a fact both known and unknown, one
      value equal to two different words;
    - two rules of a stage with the same condition and opposite effects (verdicts, tiers,
      fits or priorities);
    - with ``properties=N``: a property of :mod:`resplan.testing.properties` that fails,
      with its shrunk counterexample.

warnings (exit status 0)
    - a rule shadowed by another: whenever it fires the other fires too, with an effect at
      least as strong, so it never changes a result (and, when the other's effect is
      stronger, it is never cited either);
    - a parameter that no rule or message of its ruleset uses.

The analysis of conditions is sound but not complete: it reports only what it can prove
(conjunctions of comparisons of one linear combination of facts with constants, equality
with words, ``known``/``unknown``, the same test required true and false), and says
nothing about what it cannot decide.

Files given to :func:`check` are loaded **on top of** the installed rulesets, the way an
institution's plugin would be: they can override built-in parameters and call installed
plugins' functions. A file whose ruleset has the name of an installed one replaces it
(so a ruleset can be checked from a checkout before it is installed). Only the given
files' rules and parameters are reported on (a rule of theirs shadowing an installed one
included); the properties run over the whole setup.
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterable, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal, TypeGuard

import attrs
import tomli_w

from resplan import facts as F
from resplan.dates import CALENDAR, CALENDAR_PARAMETERS
from resplan.errors import InputError, PluginError, Problem, RulesetError, UsageError
from resplan.host import Host
from resplan.plugins import RulesetSource, broken_plugins, make_plugin_manager
from resplan.rulebook import EFFECT_KEYS, RULE_STAGES, Rule, Rulebook
from resplan.rules import ExpressionError, parse
from resplan.rules.expr import Binary, Call, ListLit, Name, Unary, unparse
from resplan.rules.expr import Literal as Lit
from resplan.rules.types import NUMBER, Level
from resplan.season import SEASON, read_by_code
from resplan.settings import positive_number
from resplan.sources import parse_toml, read_text, toml_locator
from resplan.stages.outlook import OUTLOOK
from resplan.stages.outlook import read_by_code as outlook_reads
from resplan.stages.specialties import CODE_PARAMETERS as SPECIALTIES_CODE_PARAMETERS
from resplan.stages.specialties import SPECIALTIES
from resplan.stages.what_if import CODE_PARAMETERS as WHAT_IF_CODE_PARAMETERS
from resplan.stages.what_if import WHAT_IF
from resplan.testing import hosts

Severity = Literal["error", "warning"]
EXIT_ERRORS = 2
CHECK_PLUGIN = (
    "resplan-check"  # the plugin name given to files checked on top of the installed ones
)


@attrs.frozen
class Finding:
    severity: Severity
    file: str
    line: int | None
    rule: str  # "ruleset/id" of a rule, "ruleset.parameter" of a parameter, or ""
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        rule = f" {self.rule}:" if self.rule else ""
        return f"{where}:{rule} {self.severity}: {self.message}"


def _order(finding: Finding):
    return (finding.file, finding.line or 0, finding.rule, finding.message)


# ====================================================================== loading


@attrs.define(eq=False)
class _File:
    """One ruleset file: its text, its parsed tables, and the rules left out of loading."""

    label: str
    text: str
    plugin: str
    checked: bool
    data: dict | None = None
    name: str = ""
    dropped: set = attrs.Factory(set)  # (stage, index) of rule tables left out
    locate: Any = attrs.field(init=False, default=None)
    _indexes: dict = attrs.field(init=False, factory=dict)

    def __attrs_post_init__(self):
        self.locate = toml_locator(self.text)
        try:
            self.data = parse_toml(self.text, self.label)
        except InputError:  # reported when the file is loaded
            self.data = None
            return
        meta = self.data.get("ruleset")
        if isinstance(meta, dict) and isinstance(meta.get("name"), str):
            self.name = meta["name"]

    def tables(self, stage: str):
        entries = self.data.get(stage, []) if self.data else []
        return list(enumerate(entries)) if isinstance(entries, list) else []

    def rule_index(self, stage: str, rule_id: str) -> int | None:
        # Looked up once per rule: an index per file and stage, not a scan each time.
        key = len(self.dropped)  # rules are only ever added to dropped
        if self._indexes.get("key", {}).get(stage) != key:
            index_of: dict = {}
            for index, table in self.tables(stage):
                if (stage, index) not in self.dropped and isinstance(table, dict):
                    index_of.setdefault(table.get("id"), index)
            self._indexes.setdefault("key", {})[stage] = key
            self._indexes[stage] = index_of
        found = self._indexes[stage].get(rule_id)
        return found if isinstance(rule_id, str) else None

    def line(self, path: tuple) -> int | None:
        return self.locate(path)

    def source(self) -> RulesetSource:
        if not self.dropped or self.data is None:
            return RulesetSource.from_text(self.text, self.label)
        data = dict(self.data)
        for stage in RULE_STAGES:
            if isinstance(data.get(stage), list):
                data[stage] = [
                    t for i, t in enumerate(data[stage]) if (stage, i) not in self.dropped
                ]
        return RulesetSource.from_text(tomli_w.dumps(data), self.label)

    def qualify(self, rule_id: str) -> str:
        return f"{self.name}/{rule_id}" if self.name and rule_id else rule_id


def _duplicates(file: _File) -> list[Finding]:
    """Rule ids used twice in one ruleset; the later tables are left out of loading."""
    out: list[Finding] = []
    seen: dict[Any, Any] = {}
    for stage in RULE_STAGES:
        for index, table in file.tables(stage):
            rule_id = table.get("id") if isinstance(table, dict) else None
            if not isinstance(rule_id, str):
                continue
            if rule_id in seen:
                first = file.line(seen[rule_id] + ("id",))
                out.append(
                    Finding(
                        "error",
                        file.label,
                        file.line((stage, index, "id")),
                        file.qualify(rule_id),
                        f"rule id {rule_id!r} is used twice in ruleset "
                        f"{file.name!r} (first on line {first}); this one is left "
                        "out of the other checks",
                    )
                )
                file.dropped.add((stage, index))
            else:
                seen[rule_id] = (stage, index)
    return out


def _problem_finding(problem: Problem, files: dict[str, _File]) -> Finding:
    file = files.get(problem.file)
    line, rule = problem.line, problem.subject
    if file is not None:
        rule = file.qualify(problem.subject)
        if file.dropped:  # the line refers to the rebuilt text: find it in the original
            line = None
            for stage in RULE_STAGES:
                index = file.rule_index(stage, problem.subject) if problem.subject else None
                if index is not None:
                    line = file.line((stage, index) + ((problem.field,) if problem.field else ()))
                    break
            if line is None and problem.field and not problem.subject:
                line = file.line(tuple(problem.field.split(".")))
    message = f"{problem.field}: {problem.message}" if problem.field else problem.message
    return Finding("error", problem.file, line, rule, message)


def _drop_for(problem: Problem, files: dict[str, _File]) -> bool:
    """Leave out the rule a load problem is about; whether anything new was left out."""
    file = files.get(problem.file)
    if file is None or not problem.subject or file.data is None:
        return False
    match = re.fullmatch(r"(\w+)\[(\d+)\]", problem.subject)
    new = False
    for stage in RULE_STAGES:
        live = [(i, t) for i, t in file.tables(stage) if (stage, i) not in file.dropped]
        for position, (index, table) in enumerate(live):
            hit = (isinstance(table, dict) and table.get("id") == problem.subject) or (
                match is not None and match.group(1) == stage and int(match.group(2)) == position
            )
            if hit:
                file.dropped.add((stage, index))
                new = True
    return new


@attrs.frozen
class _Loaded:
    host: Host | None
    files: dict[str, _File]
    findings: tuple[Finding, ...]


def _load(paths: Sequence[str | Path] | None, host: Host | None, disable: Iterable[str]) -> _Loaded:
    try:
        pm = host.pm if host is not None else make_plugin_manager(disable=disable)
    except (PluginError, UsageError) as exc:
        return _Loaded(None, {}, (Finding("error", "<plugins>", None, "", str(exc)),))
    specs = hosts.plugin_specs(pm)
    files: dict[str, _File] = {}
    order: dict[str, list[_File]] = {}
    findings: list[Finding] = [
        Finding("error", f"<plugin {b.name}>", None, "", str(b.as_error()))
        for b in broken_plugins(pm)
    ]
    for spec in specs:
        try:
            sources = spec.rulesets()
        except Exception as exc:  # noqa: BLE001 - a plugin that cannot even list its rulesets
            findings.append(
                Finding(
                    "error",
                    f"<plugin {spec.name}>",
                    None,
                    "",
                    f"resplan_rulesets failed: {type(exc).__name__}: {exc}",
                )
            )
            return _Loaded(None, files, tuple(findings))
        for source in sources:
            file = _File(source.label, source.text, spec.name, checked=paths is None)
            files[file.label] = file
            order.setdefault(spec.name, []).append(file)
    for path in paths or ():
        label = str(path)
        try:
            text = read_text(path)
        except InputError as exc:
            findings.extend(
                Finding("error", label, p.line, "", f"cannot read the file: {p.message}")
                for p in exc.problems
            )
            continue
        file = _File(label, text, CHECK_PLUGIN, checked=True)
        same = [
            f
            for fs in order.values()
            for f in fs
            if file.name and f.name == file.name and not f.checked
        ]
        if same:  # replaces the installed ruleset of the same name
            old = same[0]
            file.plugin = old.plugin
            order[old.plugin] = [file if f is old else f for f in order[old.plugin]]
            del files[old.label]
        else:
            order.setdefault(CHECK_PLUGIN, []).append(file)
        files[label] = file
    for file in files.values():
        if file.checked:
            findings.extend(_duplicates(file))

    by_name = {spec.name: spec for spec in specs}
    for _attempt in range(50):
        plugins = []
        for name in sorted(set(by_name) | set(order)):
            spec = by_name.get(name) or hosts.PluginSpec(name, "0", {})
            if name in order:
                spec = spec.with_rulesets([f.source() for f in order[name]])
            plugins.append(spec)
        try:
            loaded = hosts.host_from_specs(plugins)
        except RulesetError as exc:
            problems = [
                p
                for p in exc.problems
                if not (
                    # already reported, with the line of each use, by _duplicates
                    p.message.startswith("rule id used twice")
                    and p.file in files
                    and files[p.file].checked
                )
            ]
            findings.extend(_problem_finding(problem, files) for problem in problems)
            # Leave out the rules with problems and load again, so that the rest of the
            # files is checked too.
            new = [_drop_for(problem, files) for problem in problems]
            if not any(new):
                return _Loaded(None, files, tuple(findings))
            continue
        except PluginError as exc:
            findings.append(Finding("error", "<plugins>", None, "", str(exc)))
            return _Loaded(None, files, tuple(findings))
        return _Loaded(loaded, files, tuple(findings))
    return _Loaded(None, files, tuple(findings))


# ====================================================================== conditions

_FACT_TYPES: dict[str, Any] = {}
for _table in (
    F.PROFILE_FACTS,
    F.PROGRAM_FACTS,
    F.ASSESSMENT_FACTS,
    F.specialty_facts(("x",)),
    F.SPECIALTY_FIT_FACT,
    F.WISHES_FACTS,
    F.WISHES_CATALOG_FACTS,
    F.SPECIALTY_CATALOG_FACTS,
    F.REGION_FACTS,
    F.REGION_PRIORITY_FACT,
    F.SCREEN_FACTS,
    F.PLAN_FACTS,
    F.SPECIALTY_OPEN_FACTS,
    F.VOLUME_FACTS,
    F.SUMMARY_FACTS,
):
    _FACT_TYPES.update({name: fact.type for name, fact in _table.items()})

_INF = None
# The values resplan's input validators (resplan.model) and fact computations allow.
_DOMAINS: dict[str, tuple[int | float | None, int | float | None]] = {
    "profile.graduation_year": (1950, 2100),
    "profile.cycle": (2000, 2100),
    "profile.application_year": (1999, 2099),
    "profile.years_since_graduation": (0, _INF),
    "profile.previous_cycles": (0, _INF),
    "profile.step1.score": (1, 300),
    "profile.step1.attempts": (1, _INF),
    "profile.step2ck.score": (1, 300),
    "profile.step2ck.attempts": (0, _INF),  # 0: not sat yet
    "profile.step3.attempts": (1, _INF),
    "profile.reapplicant.last_cycle": (2000, 2100),
    "profile.training.in_training_percentile": (1, 99),
    "profile.max_attempts": (1, _INF),
    "profile.clinical.months": (0, _INF),
    "profile.clinical.hands_on_months": (0, _INF),
    "profile.clinical.observership_months": (0, _INF),
    "profile.clinical.border_months": (0, _INF),
    "profile.letters.total": (0, _INF),
    "profile.letters.us_clinical": (0, _INF),
    "profile.letters.advocates": (0, _INF),
    **{
        f"profile.activities.{kind.replace('-', '_')}_months": (0, _INF)
        for kind in (
            "border-health",
            "underserved",
            "public-health",
            "interpreting",
            "research",
            "leadership",
            "teaching",
            "other",
        )
    },
    "program.img_share": (0, 1),
    "program.positions": (1, 1000),
    "program.min_step2ck": (1, 300),
    "program.mean_step2ck": (1, 300),
    "program.max_years_since_graduation": (0, 60),
    "program.max_attempts": (1, 10),
    "program.facts_as_of": (1950, 2100),
    "specialty.rank": (1, _INF),
    **{
        f"plan.{n}": (0, _INF)
        for n in (
            "considered",
            "apply",
            "borderline",
            "skip",
            "tier1",
            "tier2",
            "tier3",
            "to_verify",
        )
    },
    "region.programs": (0, _INF),
    **{name: (0, _INF) for name in (*F.SPECIALTY_OPEN_FACTS, *F.VOLUME_FACTS, *F.SUMMARY_FACTS)},
}
_INTEGRAL = frozenset(
    name for name in _DOMAINS if not name.endswith("months") and name != "program.img_share"
)
_NEGATE = {
    "<": ">=",
    "<=": ">",
    ">": "<=",
    ">=": "<",
    "==": "!=",
    "!=": "==",
    "in": "not in",
    "not in": "in",
}
_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_COMPARE = frozenset(("<", "<=", ">", ">=", "==", "!="))
_ARITH = {"+": lambda a, b: a + b, "-": lambda a, b: a - b, "*": lambda a, b: a * b}
MAX_ALTERNATIVES = 64


def _is_fact(node) -> TypeGuard[Name]:
    return isinstance(node, Name) and node.name in _FACT_TYPES


def fold(node, params: dict[str, Any]):
    """The expression with parameters replaced by their values and constant arithmetic done."""
    if isinstance(node, Name):
        if node.name in params and "." not in node.name:
            value = params[node.name]
            if isinstance(value, (list, tuple, frozenset)):
                return ListLit(tuple(Lit(v, node.column) for v in sorted(value)), node.column)
            return Lit(value, node.column)
        return node
    if isinstance(node, Lit):
        return node
    if isinstance(node, ListLit):
        return ListLit(tuple(fold(i, params) for i in node.items), node.column)
    if isinstance(node, Call):
        return Call(node.name, tuple(fold(a, params) for a in node.args), node.column)
    if isinstance(node, Unary):
        operand = fold(node.operand, params)
        if node.op == "-" and _number(operand):
            return Lit(-operand.value, node.column)
        if node.op == "not" and isinstance(operand, Lit) and isinstance(operand.value, bool):
            return Lit(not operand.value, node.column)
        return Unary(node.op, operand, node.column)
    left, right = fold(node.left, params), fold(node.right, params)
    if node.op in _ARITH and _number(left) and _number(right):
        return Lit(_ARITH[node.op](left.value, right.value), node.column)
    if node.op == "/" and _number(left) and _number(right) and right.value != 0:
        return Lit(left.value / right.value, node.column)
    return Binary(node.op, left, right, node.column)


def _number(node) -> bool:
    return (
        isinstance(node, Lit)
        and isinstance(node.value, (int, float))
        and not isinstance(node.value, bool)
    )


def canonical(node) -> str:
    """A normal text of a (folded) expression: ``and``/``or`` operands sorted, ``a > b``
    written ``b < a``, ``==`` and ``!=`` operands sorted."""
    if isinstance(node, Binary):
        if node.op in ("and", "or"):
            parts = sorted(canonical(p) for p in _flatten(node, node.op))
            return "(" + f" {node.op} ".join(parts) + ")"
        left, right = canonical(node.left), canonical(node.right)
        if node.op in (">", ">="):
            return f"({right} {_FLIP[node.op]} {left})"
        if node.op in ("==", "!=", "+", "*"):
            left, right = sorted((left, right))
        return f"({left} {node.op} {right})"
    if isinstance(node, Unary):
        return (
            f"(not {canonical(node.operand)})"
            if node.op == "not"
            else f"(-{canonical(node.operand)})"
        )
    if isinstance(node, Call):
        return f"{node.name}({', '.join(canonical(a) for a in node.args)})"
    if isinstance(node, ListLit):
        return "[" + ", ".join(sorted(canonical(i) for i in node.items)) + "]"
    if isinstance(node, Lit) and isinstance(node.value, float) and node.value.is_integer():
        return repr(int(node.value))
    return unparse(node)


def _flatten(node, op):
    if isinstance(node, Binary) and node.op == op:
        yield from _flatten(node.left, op)
        yield from _flatten(node.right, op)
    else:
        yield node


@attrs.frozen
class _Lit:
    node: Any  # folded
    positive: bool
    shown: str  # for messages: the literal as written (parameters by name)

    @property
    def text(self) -> str:
        return ("" if self.positive else "not ") + canonical(self.node)


def _strip(text: str) -> str:
    return text[1:-1] if text.startswith("(") and text.endswith(")") else text


def _dnf(node, original, positive: bool = True) -> list[list[_Lit]] | None:
    """The condition as alternatives of conjunctions of literals (Kleene-exact), or None
    when there would be more than MAX_ALTERNATIVES."""
    if isinstance(node, Unary) and node.op == "not":
        return _dnf(node.operand, original.operand, not positive)
    if isinstance(node, Binary) and node.op in ("and", "or"):
        left = _dnf(node.left, original.left, positive)
        right = _dnf(node.right, original.right, positive)
        if left is None or right is None:
            return None
        conjunctive = (node.op == "and") == positive
        if not conjunctive:
            out = left + right
        else:
            out = [a + b for a in left for b in right]
        return out if len(out) <= MAX_ALTERNATIVES else None
    shown = _strip(unparse(original))
    return [[_Lit(node, positive, shown if positive else f"not {shown}")]]


class _Interval:
    def __init__(self, integral: bool):
        self.lo: Fraction | None = None
        self.hi: Fraction | None = None
        self.domain: tuple[str, Any] | None = None  # the fact's name and its allowed range
        self.lo_strict = self.hi_strict = False
        self.excluded: set = set()
        self.integral = integral
        self.sources: list[str] = []

    def add(self, op: str, bound: Fraction, source: str | None) -> None:
        if source:
            self.sources.append(source)
        if op in (">", ">=", "=="):
            strict = op == ">"
            if self.lo is None or bound > self.lo or (bound == self.lo and strict):
                self.lo, self.lo_strict = bound, strict
        if op in ("<", "<=", "=="):
            strict = op == "<"
            if self.hi is None or bound < self.hi or (bound == self.hi and strict):
                self.hi, self.hi_strict = bound, strict
        if op == "!=":
            self.excluded.add(bound)

    def bounds(self):
        lo, hi, lo_s, hi_s = self.lo, self.hi, self.lo_strict, self.hi_strict
        if self.integral:
            if lo is not None:
                lo, lo_s = (
                    (Fraction(math.floor(lo) + 1) if lo_s else Fraction(math.ceil(lo))),
                    False,
                )
            if hi is not None:
                hi, hi_s = (
                    (Fraction(math.ceil(hi) - 1) if hi_s else Fraction(math.floor(hi))),
                    False,
                )
        return lo, lo_s, hi, hi_s

    def empty(self) -> bool:
        lo, lo_s, hi, hi_s = self.bounds()
        if lo is None or hi is None:
            return False
        if lo > hi:
            return True
        return lo == hi and (lo_s or hi_s or lo in self.excluded)

    def within(self, op: str, bound: Fraction) -> bool:
        """Whether every value this interval allows satisfies ``value op bound``."""
        lo, lo_s, hi, hi_s = self.bounds()
        if op == ">":
            return lo is not None and (lo > bound or (lo == bound and lo_s))
        if op == ">=":
            return lo is not None and lo >= bound
        if op == "<":
            return hi is not None and (hi < bound or (hi == bound and hi_s))
        if op == "<=":
            return hi is not None and hi <= bound
        if op == "==":
            return lo is not None and lo == hi == bound and not lo_s and not hi_s
        if op == "!=":
            return (
                bound in self.excluded
                or (lo is not None and (lo > bound or (lo == bound and lo_s)))
                or (hi is not None and (hi < bound or (hi == bound and hi_s)))
            )
        return False


class _Linear:
    """A linear combination of variables (facts, or opaque number expressions) and a constant."""

    def __init__(self, coeffs: dict[str, Fraction], const: Fraction):
        self.coeffs = {k: v for k, v in coeffs.items() if v != 0}
        self.const = const

    def __add__(self, other):
        coeffs = dict(self.coeffs)
        for k, v in other.coeffs.items():
            coeffs[k] = coeffs.get(k, 0) + v
        return _Linear(coeffs, self.const + other.const)

    def scale(self, factor: Fraction):
        return _Linear({k: v * factor for k, v in self.coeffs.items()}, self.const * factor)


class _Analyzer:
    """Decides, soundly, whether conjunctions of literals can hold and what they imply."""

    def __init__(self, functions: dict):
        self.functions = functions
        self._probes: dict[int, tuple] = {}

    # ---- expressions

    def linear(self, node) -> _Linear | None:
        if _number(node):
            if isinstance(node.value, float) and not math.isfinite(node.value):
                return None  # an overflowed constant: the load reports it; nothing to solve
            return _Linear({}, Fraction(node.value))
        if isinstance(node, Name):
            if _FACT_TYPES.get(node.name) == NUMBER:
                return _Linear({node.name: Fraction(1)}, Fraction(0))
            return None
        if isinstance(node, Unary) and node.op == "-":
            inner = self.linear(node.operand)
            return inner.scale(Fraction(-1)) if inner is not None else None
        if isinstance(node, Binary) and node.op in ("+", "-"):
            left, right = self.linear(node.left), self.linear(node.right)
            if left is None or right is None:
                return None
            return left + (right if node.op == "+" else right.scale(Fraction(-1)))
        if isinstance(node, Binary) and node.op in ("*", "/"):
            left, right = self.linear(node.left), self.linear(node.right)
            if left is not None and right is not None:
                if node.op == "*" and not left.coeffs:
                    return right.scale(left.const)
                if node.op == "*" and not right.coeffs:
                    return left.scale(right.const)
                if node.op == "/" and not right.coeffs and right.const != 0:
                    return left.scale(1 / right.const)
            return _Linear({canonical(node): Fraction(1)}, Fraction(0))
        if isinstance(node, Call):
            fn = self.functions.get(node.name)
            if fn is not None and fn.returns == NUMBER:
                return _Linear({canonical(node): Fraction(1)}, Fraction(0))
        return None

    def required(self, node) -> set[str]:
        """Facts that must be known for ``node`` to have a value (true or false)."""
        if isinstance(node, Name):
            return {node.name} if node.name in _FACT_TYPES else set()
        if isinstance(node, Call):
            fn = self.functions.get(node.name)
            if fn is None or fn.handles_unknown:
                return set()
            return set().union(*(self.required(a) for a in node.args)) if node.args else set()
        if isinstance(node, ListLit):
            return set().union(*(self.required(i) for i in node.items)) if node.items else set()
        if isinstance(node, Unary):
            return self.required(node.operand)
        if isinstance(node, Binary) and node.op not in ("and", "or"):
            return self.required(node.left) | self.required(node.right)
        return set()

    # ---- conjunctions

    def constraints(self, conj: list[_Lit]) -> _Constraints:
        c = _Constraints()
        for lit in conj:
            self._add(c, lit)
        return c

    def _add(self, c: _Constraints, lit: _Lit) -> None:
        node, pos = lit.node, lit.positive
        c.texts.add(lit.text)
        if isinstance(node, Lit) and isinstance(node.value, bool):
            if node.value != pos:
                c.fail(f"`{lit.shown}` is never true")
            return
        if (
            isinstance(node, Call)
            and node.name in ("known", "unknown")
            and len(node.args) == 1
            and self.functions.get(node.name) is not None
            and self.functions[node.name].handles_unknown
            and _is_fact(node.args[0])
        ):
            fact = node.args[0].name
            c.known_status(fact, (node.name == "known") == pos, lit.shown)
            return
        for fact in self.required(node):
            c.require(fact, lit.shown)
        if isinstance(node, Binary) and node.op in _COMPARE:
            op = node.op if pos else _NEGATE[node.op]
            if self._level(c, node, op, lit.shown):
                return
            left, right = self.linear(node.left), self.linear(node.right)
            if left is not None and right is not None:
                c.linear(left + right.scale(Fraction(-1)), op, lit.shown)
                return
            if op in ("==", "!=") and self._words(c, node.left, node.right, op, lit.shown):
                return
            if op in ("==", "!=") and self._words(c, node.right, node.left, op, lit.shown):
                return
        elif isinstance(node, Binary) and node.op in ("in", "not in"):
            op = node.op if pos else _NEGATE[node.op]
            if (
                _is_fact(node.left)
                and isinstance(node.right, ListLit)
                and all(isinstance(i, Lit) for i in node.right.items)
            ):
                values = frozenset(i.value for i in node.right.items)
                c.words(
                    node.left.name,
                    values if op == "in" else None,
                    values if op == "not in" else frozenset(),
                    lit.shown,
                )
                return
            c.atom(canonical(Binary("in", node.left, node.right, 0)), op == "in", lit.shown)
            return
        elif _is_fact(node):
            c.words(node.name, frozenset((pos,)), frozenset(), lit.shown)
            return
        c.atom(canonical(node), pos, lit.shown)

    def _level(self, c, node, op, shown) -> bool:
        for fact_side, other, flip in (
            (node.left, node.right, False),
            (node.right, node.left, True),
        ):
            if (
                _is_fact(fact_side)
                and isinstance(_FACT_TYPES[fact_side.name], Level)
                and isinstance(other, Lit)
                and isinstance(other.value, str)
            ):
                level = _FACT_TYPES[fact_side.name]
                if other.value not in level.values:
                    return False
                rank = Fraction(level.values.index(other.value))
                c.bound(
                    ((fact_side.name, Fraction(1)),),
                    _FLIP[op] if flip else op,
                    rank,
                    shown,
                    integral=True,
                    domain=(0, len(level.values) - 1),
                )
                return True
        return False

    def _words(self, c, fact, other, op, shown) -> bool:
        if _is_fact(fact) and isinstance(other, Lit) and isinstance(other.value, (str, bool)):
            values = frozenset((other.value,))
            c.words(
                fact.name,
                values if op == "==" else None,
                values if op == "!=" else frozenset(),
                shown,
            )
            return True
        return False

    def probe(self, lit: _Lit) -> tuple[str, _Constraints]:
        """``lit``'s text and its constraints alone, worked out once per literal."""
        cached = self._probes.get(id(lit))
        if cached is None or cached[0] is not lit:
            probe = _Constraints()
            self._add(probe, lit)
            cached = self._probes[id(lit)] = (lit, lit.text, probe)
        return cached[1], cached[2]

    def implies(self, c: _Constraints, lit: _Lit) -> bool:
        """Whether every situation satisfying ``c`` makes ``lit`` true."""
        text, probe = self.probe(lit)
        if text in c.texts:
            return True
        if probe.failed:
            return False
        for fact, status in probe.known.items():
            if status and not (c.known.get(fact) is True or fact in c.required):
                return False
            if not status and c.known.get(fact) is not False:
                return False
        for fact in probe.required:
            if fact not in c.required and c.known.get(fact) is not True:
                return False
        for key, (op, bound) in probe.last_bounds.items():
            interval = c.intervals.get(key)
            if interval is None or not interval.within(op, bound):
                return False
        for fact, (allowed, excluded) in probe.word_sets.items():
            mine = c.word_sets.get(fact)
            if mine is None:
                return False
            my_allowed, my_excluded = mine
            if allowed is not None and (my_allowed is None or not my_allowed <= allowed):
                return False
            for value in excluded:
                if not (
                    value in my_excluded or (my_allowed is not None and value not in my_allowed)
                ):
                    return False
        for text, value in probe.atoms.items():
            if c.atoms.get(text) != value:
                return False
        return True


class _Constraints:
    def __init__(self):
        self.failed: str | None = None
        self.texts: set[str] = set()
        self.intervals: dict[tuple, _Interval] = {}
        self.last_bounds: dict[tuple, tuple[str, Fraction]] = {}
        self.word_sets: dict[str, tuple[frozenset | None, frozenset]] = {}
        self.word_sources: dict[str, list[str]] = {}
        self.atoms: dict[str, bool] = {}
        self.atom_sources: dict[str, str] = {}
        self.known: dict[str, bool] = {}
        self.known_sources: dict[str, str] = {}
        self.required: dict[str, str] = {}

    def fail(self, reason: str) -> None:
        if self.failed is None:
            self.failed = reason

    def require(self, fact: str, shown: str) -> None:
        self.required.setdefault(fact, shown)
        if self.known.get(fact) is False:
            self.fail(
                f"`{self.known_sources[fact]}` and `{shown}` cannot both hold: a test of an "
                "unknown fact is unknown, never true"
            )

    def known_status(self, fact: str, status: bool, shown: str) -> None:
        if fact in self.known and self.known[fact] != status:
            self.fail(f"`{self.known_sources[fact]}` and `{shown}` contradict each other")
        self.known.setdefault(fact, status)
        self.known_sources.setdefault(fact, shown)
        if not status and fact in self.required:
            self.fail(
                f"`{shown}` and `{self.required[fact]}` cannot both hold: a test of an "
                "unknown fact is unknown, never true"
            )

    def linear(self, form: _Linear, op: str, shown: str) -> None:
        if not form.coeffs:
            holds = {
                "<": form.const < 0,
                "<=": form.const <= 0,
                ">": form.const > 0,
                ">=": form.const >= 0,
                "==": form.const == 0,
                "!=": form.const != 0,
            }[op]
            if not holds:
                self.fail(f"`{shown}` is never true")
            return
        names = sorted(form.coeffs)
        first = form.coeffs[names[0]]
        key = tuple((n, form.coeffs[n] / first) for n in names)
        bound = -form.const / first
        if first < 0:
            op = _FLIP[op]
        integral = len(key) == 1 and (key[0][0] in _INTEGRAL or key[0][0].startswith("count("))
        domain = _DOMAINS.get(key[0][0]) if len(key) == 1 else None
        if len(key) == 1 and domain is None and key[0][0].startswith(("count(", "abs(")):
            domain = (0, None)
        self.bound(key, op, bound, shown, integral=integral, domain=domain)

    def bound(self, key, op, bound, shown, *, integral=False, domain=None) -> None:
        interval = self.intervals.get(key)
        if interval is None:
            interval = self.intervals[key] = _Interval(integral)
            if domain is not None:
                name = key[0][0]
                if domain[0] is not None:
                    interval.add(">=", Fraction(domain[0]), None)
                if domain[1] is not None:
                    interval.add("<=", Fraction(domain[1]), None)
                interval.domain = (name, domain)
        interval.add(op, bound, shown)
        self.last_bounds[key] = (op, bound)
        if interval.empty():
            if len(interval.sources) > 1:
                self.fail(" and ".join(f"`{s}`" for s in interval.sources) + " cannot all hold")
            else:
                name, (lo, hi) = getattr(interval, "domain", (key[0][0], (None, None)))
                where = f"from {lo} to {hi}" if hi is not None else f"at least {lo}"
                self.fail(f"`{shown}` is never true: {name} is {where}")

    def words(self, fact: str, allowed: frozenset | None, excluded: frozenset, shown: str) -> None:
        old_allowed, old_excluded = self.word_sets.get(fact, (None, frozenset()))
        if allowed is not None:
            allowed = allowed if old_allowed is None else allowed & old_allowed
        else:
            allowed = old_allowed
        excluded = excluded | old_excluded
        self.word_sets[fact] = (allowed, excluded)
        self.word_sources.setdefault(fact, []).append(shown)
        if allowed is not None and not (allowed - excluded):
            self.fail(" and ".join(f"`{s}`" for s in self.word_sources[fact]) + " cannot all hold")

    def atom(self, text: str, value: bool, shown: str) -> None:
        if text in self.atoms and self.atoms[text] != value:
            self.fail(f"`{self.atom_sources[text]}` and `{shown}` contradict each other")
        self.atoms.setdefault(text, value)
        self.atom_sources.setdefault(text, shown)


# ====================================================================== the rules


# Effects each stage combines by strength: the stronger effect wins.
_STRENGTH: dict[tuple[str, str], dict[Any, int]] = {
    ("screen", "verdict"): {"borderline": 1, "skip": 2},
    ("tier", "tier"): {1: 3, 2: 2, 3: 1},
    ("specialties", "fit"): {fit: len(F.FITS) - i for i, fit in enumerate(F.FITS)},
    ("regions", "priority"): {"low": 1, "medium": 2, "high": 3, "none": 4},
}
_WORD = {
    "verdict": "verdict",
    "tier": "tier",
    "fit": "fit",
    "priority": "priority",
    "weakness": "finding",
    "strength": "finding",
    "suggest": "suggestion",
}


@attrs.define(eq=False)
class _RuleInfo:
    rule: Rule
    file: _File | None
    line: int | None
    checked: bool
    folded: Any
    canonical: str
    alternatives: list | None  # DNF
    live: list  # satisfiable alternatives' constraints
    never: str | None  # why it can never fire

    @property
    def qid(self) -> str:
        return self.rule.qualified_id

    @property
    def where(self) -> str:
        return f"{self.rule.file}:{self.line}" if self.line else self.rule.file

    def effect(self):
        stage, effect = self.rule.stage, self.rule.effect
        if stage == "assess":
            kind = "weakness" if "weakness" in effect else "strength"
            return kind, effect[kind]
        for key in EFFECT_KEYS.get(stage, ()):
            if key in effect and (
                (stage, key) in _STRENGTH or (stage, key) == ("specialties", "suggest")
            ):
                return key, effect[key]
        return None


def _rule_infos(
    rulebook: Rulebook, files: dict[str, _File], analyzer: _Analyzer
) -> list[_RuleInfo]:
    infos = []
    for ruleset in rulebook.rulesets:
        params = {name: p.value for name, p in ruleset.parameters.items()}
        for rule in ruleset.rules:
            file = files.get(rule.file)
            line = rule.line
            if file is not None:
                index = file.rule_index(rule.stage, rule.id)
                if index is not None:
                    line = file.line((rule.stage, index, "when"))
            original = rule.condition.ast
            folded = fold(original, params)
            alternatives = _dnf(folded, original)
            live, never = [], None
            if alternatives is not None:
                reasons = []
                for conj in alternatives:
                    c = analyzer.constraints(conj)
                    if c.failed:
                        reasons.append(c.failed)
                    else:
                        live.append(c)
                if not live:
                    never = (
                        reasons[0]
                        if len(reasons) == 1
                        else (
                            f"each of its {len(reasons)} alternatives is contradictory, e.g. {reasons[0]}"
                        )
                    )
            infos.append(
                _RuleInfo(
                    rule,
                    file,
                    line,
                    file is not None and file.checked,
                    folded,
                    canonical(folded),
                    alternatives,
                    live,
                    never,
                )
            )
    return infos


# How many ordered pairs of rules the shadowing analysis looks at, at most. A pair costs
# microseconds to rule out and tens of microseconds to prove; a ruleset of 20,000 rules has
# 400 million pairs, so past this many the check stops and says how many it left out.
# The order is fixed, so the findings are the same on every run. RESPLAN_CHECK_MAX_PAIRS
# raises it.
MAX_PAIRS = 5_000_000
MAX_PAIRS_ENV = "RESPLAN_CHECK_MAX_PAIRS"


def max_pairs() -> int:
    return max(1, int(positive_number(MAX_PAIRS_ENV, MAX_PAIRS)))


def _keys(c: _Constraints) -> frozenset:
    """What a set of constraints says something about: a literal whose own keys are not
    all among them cannot be implied by them (see _Analyzer.implies)."""
    keys: set[tuple[str, Any]] = {("fact", f) for f in c.known} | {("fact", f) for f in c.required}
    keys |= {("bound", k) for k in c.intervals} | {("bound", k) for k in c.last_bounds}
    keys |= {("words", f) for f in c.word_sets} | {("atom", t) for t in c.atoms}
    keys |= {("text", t) for t in c.texts}
    return frozenset(keys)


def _needs(analyzer: _Analyzer, info: _RuleInfo) -> list[list[tuple]]:
    """Per alternative of ``info``, per literal: (its text key, the keys its proof needs)."""
    out = []
    for conj in info.alternatives or ():
        lits = []
        for lit in conj:
            _text, probe = analyzer.probe(lit)
            # Exactly what implies() asks of the constraints it tests against.
            needed = (
                frozenset(
                    {("fact", f) for f in probe.known}
                    | {("fact", f) for f in probe.required}
                    | {("bound", k) for k in probe.last_bounds}
                    | {("words", f) for f in probe.word_sets}
                    | {("atom", t) for t in probe.atoms}
                )
                if not probe.failed
                else frozenset({("never", lit.text)})
            )
            lits.append((("text", lit.text), needed))
        out.append(lits)
    return out


def _may_imply(s_keys: frozenset, t_needs: list[list[tuple]]) -> bool:
    """False when ``s`` (of keys ``s_keys``) cannot imply any alternative of ``t``."""
    return any(all(text in s_keys or needed <= s_keys for text, needed in conj) for conj in t_needs)


def _implies(analyzer: _Analyzer, s: _RuleInfo, t: _RuleInfo) -> bool:
    """Soundly: whenever s fires, t fires."""
    if s.canonical == t.canonical:
        return True
    if s.alternatives is None or t.alternatives is None or not s.live:
        return False
    return all(
        any(all(analyzer.implies(c, lit) for lit in conj) for conj in t.alternatives)
        for c in s.live
    )


def _analyse_rules(
    infos: list[_RuleInfo], analyzer: _Analyzer, budget: int | None = None
) -> list[Finding]:
    out = []
    budget = max_pairs() if budget is None else budget
    visited, skipped = 0, 0
    for info in infos:
        if info.checked and info.never:
            out.append(
                Finding(
                    "error", info.rule.file, info.line, info.qid, f"can never fire: {info.never}"
                )
            )
    groups: dict[tuple, list[_RuleInfo]] = {}
    for info in infos:
        effect = info.effect()
        if effect is not None and info.never is None:
            groups.setdefault((info.rule.stage, effect[0]), []).append(info)
    for (stage, kind), members in sorted(groups.items()):
        strength = _STRENGTH.get((stage, kind))
        opposite: set[tuple[int, int]] = set()
        # Opposite effects need the same condition: only rules of one canonical text meet.
        same: dict[str, list[int]] = {}
        for i, a in enumerate(members):
            same.setdefault(a.canonical, []).append(i)
        pairs = sorted(
            (i, j) for group in same.values() for n, i in enumerate(group) for j in group[n + 1 :]
        )
        for i, j in pairs:
            a, b = members[i], members[j]
            if True:
                if not (a.checked or b.checked):
                    continue
                va, vb = a.effect()[1], b.effect()[1]
                if strength is not None and va != vb and a.canonical == b.canonical:
                    at, other = (b, a) if b.checked else (a, b)
                    out.append(
                        Finding(
                            "error",
                            at.rule.file,
                            at.line,
                            at.qid,
                            f"has the same condition as {other.qid} ({other.where}) but the opposite "
                            f"effect ({kind} {at.effect()[1]!r} against {other.effect()[1]!r}): "
                            "only the stronger effect ever counts",
                        )
                    )
                    opposite.add((id(a), id(b)))
        keys = [frozenset().union(*map(_keys, m.live)) for m in members]
        needs = [_needs(analyzer, m) for m in members]
        for si, s in enumerate(members):
            if visited + len(members) > budget:
                skipped += len(members)
                continue
            visited += len(members)
            for ti, t in enumerate(members):
                if s is t or (id(s), id(t)) in opposite or (id(t), id(s)) in opposite:
                    continue
                if not (s.checked or t.checked):
                    continue
                if s.canonical != t.canonical and (
                    t.alternatives is None or not _may_imply(keys[si], needs[ti])
                ):
                    continue
                vs, vt = s.effect()[1], t.effect()[1]
                if strength is None:
                    if vs != vt:
                        continue
                elif strength[vt] < strength[vs]:
                    continue
                if not _implies(analyzer, s, t):
                    continue
                mutual = _implies(analyzer, t, s) and vs == vt
                if mutual and (t.rule.file, t.line or 0, t.qid) > (s.rule.file, s.line or 0, s.qid):
                    continue  # equivalent rules: report the later one only
                word = _WORD.get(kind, kind)
                if vs == vt:
                    what = (
                        f"never changes the {word}: whenever it fires, {t.qid} ({t.where}) "
                        f"fires too with the same {word} ({vt!r})"
                    )
                else:
                    what = (
                        f"never decides the {word} and is never cited: whenever it fires, "
                        f"{t.qid} ({t.where}) fires too with the stronger {word} {vt!r}"
                    )
                if s.checked:
                    out.append(Finding("warning", s.rule.file, s.line, s.qid, what))
                else:
                    out.append(
                        Finding(
                            "warning",
                            t.rule.file,
                            t.line,
                            t.qid,
                            f"shadows {s.qid} ({s.where}), which {what}",
                        )
                    )
    if skipped:
        out.append(
            Finding(
                "warning",
                "<rulesets>",
                None,
                "",
                f"shadowing was looked for in {visited:,} pairs of rules and no further: "
                f"{skipped:,} pairs were not compared, so some rules that never change a result "
                f"may not be reported (the limit is {budget:,}; raise it with {MAX_PAIRS_ENV})",
            )
        )
    return out


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
_TEMPLATE_KEYS = ("says", "title", "detail", "note")
_EXPRESSION_KEYS = ("when", "applications", *F.WHAT_IF_CHANGES)


def _used_names(data: dict) -> set[str]:
    used: set[str] = set()

    def expression(text):
        try:
            tree = parse(text)
        except (ExpressionError, TypeError):
            return
        stack = [tree]
        while stack:
            node = stack.pop()
            if isinstance(node, Name):
                used.add(node.name)
            elif isinstance(node, Binary):
                stack += [node.left, node.right]
            elif isinstance(node, Unary):
                stack.append(node.operand)
            elif isinstance(node, Call):
                stack += list(node.args)
            elif isinstance(node, ListLit):
                stack += list(node.items)

    for stage in RULE_STAGES:
        for table in data.get(stage, []) if isinstance(data.get(stage), list) else []:
            if not isinstance(table, dict):
                continue
            for key in _EXPRESSION_KEYS:
                if isinstance(table.get(key), str):
                    expression(table[key])
            for item in table.get("spread", []) if isinstance(table.get("spread"), list) else []:
                expression(str(item))
            for key in _TEMPLATE_KEYS:
                if isinstance(table.get(key), str):
                    for match in _PLACEHOLDER.finditer(table[key]):
                        if match.group(1) is not None:
                            used.add(match.group(1).partition(":")[0].strip())
    return used


def _unused_parameters(files: dict[str, _File]) -> list[Finding]:
    out = []
    for file in files.values():
        if not file.checked or file.data is None:
            continue
        params = file.data.get("parameters", {})
        if not isinstance(params, dict):
            continue
        used = _used_names(file.data)
        if file.name == CALENDAR:  # read by resplan.dates and the actions stage, not by rules
            used |= CALENDAR_PARAMETERS
        if file.name == SEASON:  # fees and signals are read by resplan.season
            used |= {name for name in params if read_by_code(name)}
        if file.name == OUTLOOK:  # band edges and figures by specialty: stages/outlook.py
            used |= {name for name in params if outlook_reads(name)}
        if file.name == WHAT_IF:  # how many changes and programs a plan names
            used |= set(WHAT_IF_CODE_PARAMETERS)
        if file.name == SPECIALTIES:  # how many fields the plan suggests
            used |= set(SPECIALTIES_CODE_PARAMETERS)
        for name in params:
            if name not in used:
                out.append(
                    Finding(
                        "warning",
                        file.label,
                        file.line(("parameters", name)),
                        f"{file.name}.{name}",
                        f"parameter {name!r} is used by no rule or message of "
                        f"ruleset {file.name!r}",
                    )
                )
    return out


# ====================================================================== entry points


def check(
    paths: Sequence[str | Path] | None = None,
    *,
    properties: int = 0,
    host: Host | None = None,
    disable: Iterable[str] = (),
    seed: int | None = 0,
) -> list[Finding]:
    """Check rulesets; the findings, errors and warnings, by file and line.

    ``paths``: ruleset files to check on top of the installed (or ``host``'s) rulesets;
    ``None`` checks every installed ruleset. ``host``: check its plugins instead of the
    installed ones (``disable`` applies only without a host). ``properties``: run each
    property with that many hypothesis examples (``seed`` fixes them; ``None`` draws new
    ones) and report failures with their shrunk counterexample; they run only when
    every given file could be read.
    """
    return _check(paths, properties, host, disable, seed)[0]


def _check(paths, properties, host, disable, seed) -> tuple[list[Finding], bool]:
    """The findings, and whether the properties ran: they run only when every given file
    could be read. A file that cannot be read means the rules a user asked about are not
    the ones the properties would try, and a run of minutes would end in the same
    message. (A rule left out for an error does not stop them: the properties still show
    what the others do to plans.)"""
    loaded = _load(list(paths) if paths is not None else None, host, disable)
    findings = list(loaded.findings)
    if loaded.host is None:
        return sorted(findings, key=_order), False
    rulebook = loaded.host.rulebook
    analyzer = _Analyzer(dict(rulebook.functions))
    infos = _rule_infos(rulebook, loaded.files, analyzer)
    findings.extend(_analyse_rules(infos, analyzer))
    findings.extend(_unused_parameters(loaded.files))
    findings.sort(key=_order)
    unread = [p for p in paths or () if str(p) not in loaded.files]
    if properties <= 0 or unread:
        return findings, False
    findings.extend(_property_findings(loaded.host, infos, properties, seed))
    return findings, True


def _property_findings(
    host: Host, infos: list[_RuleInfo], examples: int, seed: int | None
) -> list[Finding]:
    try:
        from resplan.testing.properties import run_properties
    except ImportError as exc:
        return [
            Finding(
                "error",
                "<properties>",
                None,
                "",
                f"the properties need hypothesis ({exc}); install it with pip install hypothesis",
            )
        ]
    by_id = {info.qid: info for info in infos}
    out = []
    for failure in run_properties(host, max_examples=examples, seed=seed):
        info = next((by_id[r] for r in failure.rules if r in by_id), None)
        if info is not None:
            out.append(Finding("error", info.rule.file, info.line, info.qid, failure.report()))
        else:
            out.append(Finding("error", "<properties>", None, "", failure.report()))
    return out


def run_check_command(
    paths: Sequence[str] | None, properties: int = 0, disable: Iterable[str] = (), *, out=None
) -> int:
    """``resplan check``: print every finding as ``file:line: rule-id: severity: message``;
    2 when any is an error, else 0."""
    out = out or sys.stdout
    findings, ran_properties = _check(paths or None, properties, None, disable, 0)
    for finding in findings:
        print(str(finding), file=out)
    errors = sum(1 for f in findings if f.severity == "error")
    warnings = len(findings) - errors
    what = "the given rulesets" if paths else "the installed rulesets"
    ran = (
        ""
        if not properties
        else f", {properties} examples per property"
        if ran_properties
        else "; the properties did not run: a given file could not be read"
    )
    print(
        f"resplan check: {errors} error{'s' if errors != 1 else ''}, {warnings} "
        f"warning{'s' if warnings != 1 else ''} in {what}{ran}",
        file=out,
    )
    return EXIT_ERRORS if errors else 0
