"""Properties every set of rules should have, as functions any host can be checked with.

Each :class:`Property` pairs a hypothesis strategy (what to try) with a check (what must
hold). :func:`run_property` runs one against a host and returns ``None`` or a
:class:`PropertyFailure` carrying the shrunk counterexample as TOML you can paste into a
profile and a catalog file. The project's tests (``tests/properties``) and
``resplan check --properties N`` both run :data:`PROPERTIES`; a plugin author runs them
against a host with their own plugin::

    from resplan.testing import PROPERTIES, run_property

    def test_my_rules_keep_the_properties(resplan_host):
        for prop in PROPERTIES:
            failure = run_property(prop, resplan_host, max_examples=30)
            assert failure is None, failure.report()

The properties:

- determinism: the same inputs give byte-identical plans, whatever the order of the
  catalog and the order in which the plugins register;
- monotonicity: a stronger file (a higher Step 2 CK, an extra language at a higher level,
  more clinical months, an extra letter, no visa need, one more visa the applicant would
  take) never makes a program's verdict worse, and a weaker one (a failed attempt, a visa need, an older graduation year) never
  makes it better (verdicts from best to worst: apply, borderline, skip);
- explanations: every skipped or borderline program and every tier cites a rule, and
  deciding again with only the cited rules (most severe verdict, best tier, moved down by
  a cited rule that lowers it) gives the same verdict, tier and words;
- unknowns: removing a fact from a program never makes its verdict less severe unless
  that fact is then in the program's ``to_verify``;
- round trip: a plan written as TOML and read back is equal to itself;
- plain words: every message reads as plain English (resplan.testing.wording) and no two
  messages of a plan contradict each other or the profile;
- summary fits the catalog: the applications a plan asks for never exceed its programs
  that are not skipped, in all and per specialty, and no tier is asked for more
  applications than it has programs;
- outlook: each specialty's band is the one its cited findings' weights give, every
  finding is cited on the side its weight says, and every percent the outlook prints is
  a published figure it lists with its source and season (never a chance for the person).
  The monotone properties also ask that a stronger file never gets a worse band.
- what-if improves: a change of the what-if rules that only makes the file stronger (a
  higher Step 2 CK than a known one, a letter writer who will call, more hands-on months
  near the border, better Spanish) never makes a verdict worse when planned for real,
  and the plan's [[what_if]] entry for it counts nothing worse.
"""

from __future__ import annotations

import calendar
import datetime
import difflib
import re
import tomllib
from collections.abc import Callable, Sequence
from typing import Any

import attrs
import tomli_w
from hypothesis import strategies as st

import resplan
from resplan.convert import unstructure
from resplan.facts import gaps, profile_facts
from resplan.host import Host
from resplan.model import (
    Catalog,
    Clinical,
    Language,
    LanguageLevel,
    Profile,
    Program,
    Step1,
    Step2CK,
)
from resplan.plan import Plan
from resplan.rules.template import Format
from resplan.testing import hosts
from resplan.testing.strategies import (
    DEFAULT_SPECIALTIES,
    LANGUAGE_NAMES,
    OTHER_CITIES,
    catalogs,
    cities_of,
    clinical_stints,
    letters,
    optional,
    passing_exams,
    profiles,
)
from resplan.vocabulary import LANGUAGE_LEVELS

__all__ = [
    "SEVERITY",
    "Context",
    "Property",
    "PropertyFailure",
    "PropertyViolation",
    "PROPERTIES",
    "property_named",
    "run_property",
    "run_properties",
    "render_example",
]

SEVERITY = {"apply": 0, "borderline": 1, "skip": 2}


class PropertyViolation(AssertionError):
    """A check found its property broken; ``rules`` are the rule ids implicated."""

    def __init__(self, message: str, *, rules: Sequence[str] = ()):
        super().__init__(message)
        self.message = message
        self.rules = tuple(dict.fromkeys(rules))
        self.example: dict[str, Any] = {}


@attrs.frozen
class PropertyFailure:
    """A property that does not hold, with the smallest counterexample hypothesis found."""

    property: str
    description: str
    message: str
    rules: tuple[str, ...]  # qualified ids of the rules the failure points at
    example: str  # the counterexample as TOML and comments

    def report(self) -> str:
        lines = [f"property {self.property} failed: {self.description}", f"  {self.message}"]
        if self.rules:
            lines.append(f"  rules involved: {', '.join(self.rules)}")
        lines.append("  counterexample (shrunk):")
        lines.extend("    " + line if line else "" for line in self.example.splitlines())
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.report()


# Plans are made on a date; the strategies draw cycles from 2024 on, whose applications
# open in June 2023, so this date gives each drawn profile its full plan.
AS_OF = datetime.date(2023, 1, 16)


class Context:
    """A host and what the properties draw from for it.

    ``specialties`` and ``cities`` are what drawn programs and profiles use; cities default
    to those of the host's border sub-regions followed by a few outside them, so that
    border rules get exercised. ``extra_programs`` join every catalog drawn: an
    institution's own programs, so that rules about them are exercised too (give them ids
    that do not look like ``prog-123``). Hosts with the same plugins registered in other
    orders are built on first use and kept. Every plan is made on ``as_of``, by default
    :data:`AS_OF`, a date before every cycle the strategies draw.
    """

    def __init__(
        self,
        host: Host,
        *,
        specialties: Sequence[str] = DEFAULT_SPECIALTIES,
        cities: Sequence[tuple[str, str]] | None = None,
        max_programs: int = 4,
        extra_programs: Sequence[Program] = (),
        as_of: datetime.date = AS_OF,
    ):
        self.host = host
        self.as_of = as_of
        self.specialties = tuple(specialties)
        self.extra_programs = tuple(extra_programs)
        border = cities_of(host)
        self.cities = tuple(cities) if cities else tuple(dict.fromkeys(border + OTHER_CITIES))
        self.max_programs = max_programs
        self._reordered: list[Host] | None = None
        self._strategies: dict[str, st.SearchStrategy] = {}
        self._catalogs: dict[tuple, st.SearchStrategy] = {}
        self.step2ck_thresholds = _thresholds(host, "profile.step2ck.score", (150, 300))

    def _cached(self, name: str, build: Callable[[], st.SearchStrategy]) -> st.SearchStrategy:
        # Strategies are built once per context: building one per example is slow.
        if name not in self._strategies:
            self._strategies[name] = build()
        return self._strategies[name]

    def profiles(self) -> st.SearchStrategy:
        return self._cached(
            "profiles", lambda: profiles(specialties=self.specialties, cities=self.cities)
        )

    def clinical_stints(self) -> st.SearchStrategy:
        return self._cached("clinical", lambda: clinical_stints(self.cities))

    def letters(self) -> st.SearchStrategy:
        return self._cached("letters", letters)

    def catalogs(self, min_size: int = 1, profile: Profile | None = None) -> st.SearchStrategy:
        """Catalogs of 1 to ``max_programs`` programs; given a profile, of the specialties
        it wishes for (and Internal Medicine, the alternative rules suggest most), so that
        most programs drawn get a verdict."""
        specialties = self.specialties
        if profile is not None and profile.applicant.specialties:
            specialties = tuple(
                dict.fromkeys(profile.applicant.specialties + (self.specialties[0],))
            )
        key = (min_size, specialties)
        if key not in self._catalogs:
            self._catalogs[key] = catalogs(
                min_size=max(0, min_size - len(self.extra_programs)),
                max_size=self.max_programs,
                specialties=specialties,
                cities=self.cities,
                extra=self.extra_programs,
            )
        return self._catalogs[key]

    def inputs(self, min_programs: int = 1) -> st.SearchStrategy:
        """A profile and a catalog drawn for it: ``{"profile": ..., "catalog": ...}``."""
        return self.profiles().flatmap(
            lambda profile: self.catalogs(min_programs, profile).map(
                lambda catalog: {"profile": profile, "catalog": catalog}
            )
        )

    def plan(self, profile: Profile, catalog: Catalog, host: Host | None = None) -> Plan:
        return resplan.plan(profile, catalog, host=host or self.host, as_of=self.as_of)

    def reordered_hosts(self) -> list[Host]:
        """The host's plugins registered again in other orders (by name, reversed, ...)."""
        if self._reordered is None:
            specs = {spec.name: spec for spec in hosts.plugin_specs(self.host)}
            self._reordered = [
                hosts.host_from_specs([specs[name] for name in order])
                for order in hosts.registration_orders(list(specs))
            ]
        return self._reordered


def _thresholds(host: Host, fact: str, within: tuple[int, int]) -> tuple[int, ...]:
    """Whole numbers in ``within`` that rules reading ``fact`` compare with (parameters
    included): the places where a rule's outcome can change, worth trying either side of."""
    from resplan.rules.expr import Binary, Call, ListLit, Literal, Name, Unary

    found: set[int] = set()
    for ruleset in host.rulebook.rulesets:
        params = {name: p.value for name, p in ruleset.parameters.items()}
        for rule in ruleset.rules:
            if fact not in rule.condition.names:
                continue
            stack = [rule.condition.ast]
            while stack:
                node = stack.pop()
                value = None
                if isinstance(node, Literal):
                    value = node.value
                elif isinstance(node, Name) and node.name in params:
                    value = params[node.name]
                elif isinstance(node, Binary):
                    stack += [node.left, node.right]
                elif isinstance(node, Unary):
                    stack.append(node.operand)
                elif isinstance(node, (Call, ListLit)):
                    stack += list(getattr(node, "args", ()) or getattr(node, "items", ()))
                if (
                    isinstance(value, (int, float))
                    and not isinstance(value, bool)
                    and within[0] <= value <= within[1]
                ):
                    found.add(int(value))
    return tuple(sorted(found))


@attrs.frozen
class Property:
    name: str
    description: str
    strategy: Callable[[Context], st.SearchStrategy]  # draws a dict of check() arguments
    check: Callable[..., None]  # check(context, **example); raises PropertyViolation


# ------------------------------------------------------------------ rendering


def _known(value: Any) -> Any:
    """TOML has no null: leave unknown (None) values out. An empty table stays: a Step 3
    sat with its result and attempts unknown is ``[exams.step3]`` and nothing more, and
    without the table the counterexample would read as a profile with no Step 3."""
    if isinstance(value, dict):
        out = {k: _known(v) for k, v in value.items() if v is not None}
        return {k: v for k, v in out.items() if v != []}
    if isinstance(value, (list, tuple)):
        return [_known(v) for v in value]
    return value


def _toml(data: dict) -> str:
    return tomli_w.dumps(_known(data)).rstrip("\n")


def _profile_toml(profile: Profile) -> str:
    return _toml(unstructure(profile))


def _catalog_toml(catalog: Catalog | Sequence[Program]) -> str:
    programs = list(catalog)
    if not programs:
        return "# (no programs)"
    return _toml({"program": [unstructure(p) for p in programs]})


def _flatten(value, prefix=""):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, (list, tuple)) and any(isinstance(v, dict) for v in value):
        for index, item in enumerate(value):
            yield from _flatten(item, f"{prefix}[{index}]")
        if not value:
            yield prefix, []
    else:
        yield prefix, value


def _differences(before: Any, after: Any) -> list[str]:
    a, b = dict(_flatten(unstructure(before))), dict(_flatten(unstructure(after)))
    out = []
    for key in sorted(a.keys() | b.keys()):
        if a.get(key) != b.get(key):
            out.append(f"{key}: {a.get(key)!r} -> {b.get(key)!r}")
    return out


def render_example(example: dict[str, Any]) -> str:
    """A counterexample as text: profiles and catalogs as TOML, other values as comments."""
    parts = []
    if "before" in example and "after" in example:
        parts.append("# profile.toml (before the change)")
        parts.append(_profile_toml(example["before"]))
        parts.append(
            "# the change: "
            + ("; ".join(_differences(example["before"], example["after"])) or "none")
        )
    elif "profile" in example:
        parts.append("# profile.toml")
        parts.append(_profile_toml(example["profile"]))
    if "catalog" in example:
        parts.append("# catalog.toml")
        parts.append(_catalog_toml(example["catalog"]))
    if "reduced" in example:
        parts.append(f"# then {example['field']!r} is removed from program {example['program']!r}")
    for key, value in example.items():
        if key not in ("before", "after", "profile", "catalog", "reduced", "field", "program"):
            parts.append(f"# {key}: {value!r}")
    return "\n".join(parts)


def _cited(decision) -> list[str]:
    return [reason.rule for reason in decision.reasons]


def _describe(decision) -> str:
    return f"program {decision.id} ({decision.specialty}, {decision.city} {decision.state})"


# ------------------------------------------------------------------ determinism


def _first_difference(a: str, b: str) -> str:
    diff = list(
        difflib.unified_diff(a.splitlines(), b.splitlines(), "first", "second", n=1, lineterm="")
    )
    return "\n".join(diff[:16])


def _check_determinism(ctx: Context, profile: Profile, catalog: Catalog) -> None:
    text = resplan.dumps_plan(ctx.plan(profile, catalog))
    again = resplan.dumps_plan(ctx.plan(profile, catalog))
    if again != text:
        raise PropertyViolation(
            "planning twice with the same inputs gave different bytes:\n"
            + _first_difference(text, again)
        )
    programs = list(catalog.programs)
    for label, order in (("reversed", programs[::-1]), ("rotated", programs[1:] + programs[:1])):
        other = resplan.dumps_plan(ctx.plan(profile, Catalog(order)))
        if other != text:
            raise PropertyViolation(
                f"the catalog in {label} order gave a different plan:\n"
                + _first_difference(text, other)
            )
    for host in ctx.reordered_hosts():
        other = resplan.dumps_plan(ctx.plan(profile, catalog, host=host))
        if other != text:
            plugin_order = ", ".join(p.name for p in host.plugins)
            raise PropertyViolation(
                f"the plugins registered in another order ({plugin_order}) gave "
                "a different plan:\n" + _first_difference(text, other)
            )


def _determinism_strategy(ctx: Context):
    return ctx.inputs()


# ------------------------------------------------------------------ monotonicity


def _check_monotone(
    direction: str, ctx: Context, before: Profile, after: Profile, catalog: Catalog
) -> None:
    """``direction`` "better": after is a stronger file than before; "worse": weaker."""
    old_plan, new_plan = ctx.plan(before, catalog), ctx.plan(after, catalog)
    old = {p.id: p for p in old_plan.programs}
    new = {p.id: p for p in new_plan.programs}
    change = "; ".join(_differences(before, after))
    _check_monotone_bands(direction, old_plan, new_plan, change)
    for pid in sorted(old.keys() & new.keys()):
        a, b = old[pid], new[pid]
        moved = SEVERITY[b.verdict] - SEVERITY[a.verdict]
        if direction == "better" and moved > 0:
            fresh = [r for r in _cited(b) if r not in _cited(a)] or _cited(b)
            raise PropertyViolation(
                f"{_describe(b)}: verdict {a.verdict} -> {b.verdict} for a stronger file "
                f"({change}); now cited: {', '.join(_cited(b)) or 'nothing'}",
                rules=fresh,
            )
        if direction == "worse" and moved < 0:
            gone = [r for r in _cited(a) if r not in _cited(b)] or _cited(a)
            raise PropertyViolation(
                f"{_describe(b)}: verdict {a.verdict} -> {b.verdict} for a weaker file "
                f"({change}); before, cited: {', '.join(_cited(a)) or 'nothing'}",
                rules=gone,
            )


def _with_exams(profile: Profile, **changes) -> Profile:
    # A score under the passing standard is no pass: such a profile does not load.
    exams = passing_exams(profile.applicant, attrs.evolve(profile.exams, **changes))
    return attrs.evolve(profile, exams=exams)


def _with_applicant(profile: Profile, **changes) -> Profile:
    return attrs.evolve(profile, applicant=attrs.evolve(profile.applicant, **changes))


def _monotone_strategy(change):
    def strategy(ctx: Context):
        @st.composite
        def draw_example(draw):
            before, after = change(draw, draw(ctx.profiles()), ctx)
            return {"before": before, "after": after, "catalog": draw(ctx.catalogs(1, before))}

        return draw_example()

    return strategy


def _higher_step2ck(draw, profile, ctx):
    if ctx.step2ck_thresholds and draw(st.integers(0, 3)) < 3:
        # Either side of a number a rule compares the score with (what examples shrink to).
        threshold = draw(st.sampled_from(ctx.step2ck_thresholds))
        score = max(1, threshold - draw(st.integers(0, 3)))
        higher = min(300, threshold + draw(st.integers(1, 3)))
    else:
        score = draw(st.integers(190, 279))
        higher = min(300, score + draw(st.integers(1, 30)))
    step2 = profile.exams.step2ck or Step2CK(attempts=draw(optional(st.integers(1, 3))))
    return (
        _with_exams(profile, step2ck=_scored(step2, score)),
        _with_exams(profile, step2ck=_scored(step2, higher)),
    )


def _scored(step2: Step2CK, score: int) -> Step2CK:
    """``step2`` passed with ``score``: a score is a pass, so a result of "fail" or
    "pending" goes, and a Step 2 CK not sat yet becomes one sat (attempts unknown)."""
    return attrs.evolve(
        step2,
        score=score,
        result="pass" if step2.result == "pass" else None,
        attempts=None if step2.attempts == 0 else step2.attempts,
    )


def _extra_language(draw, profile, ctx):
    name = draw(st.sampled_from(LANGUAGE_NAMES))
    known = [
        lang.level
        for lang in profile.languages
        if lang.name.lower() == name.lower() and lang.level is not None
    ]
    floor = max((LANGUAGE_LEVELS.index(level) for level in known), default=0)
    level: LanguageLevel = draw(st.sampled_from(LANGUAGE_LEVELS[floor:]))
    return profile, _with_language(profile, name, level)


def _with_language(profile: Profile, name: str, level: LanguageLevel) -> Profile:
    """``profile`` with ``name`` at ``level``: the language's entry raised to it when the
    profile has one (a profile gives each language once), else added."""
    same = [i for i, lang in enumerate(profile.languages) if lang.name.lower() == name.lower()]
    if not same:
        return attrs.evolve(profile, languages=profile.languages + (Language(name, level),))
    languages = list(profile.languages)
    languages[same[0]] = attrs.evolve(languages[same[0]], level=level)
    return attrs.evolve(profile, languages=tuple(languages))


def _language_sweep(ctx: Context, profile: Profile):
    """Every language the strategies know, at the highest level."""
    for name in LANGUAGE_NAMES:
        yield profile, _with_language(profile, name, LANGUAGE_LEVELS[-1])


def _more_clinical(draw, profile, ctx):
    extra = float(draw(st.integers(1, 12)))
    if profile.clinical and draw(st.booleans()):
        index = draw(st.integers(0, len(profile.clinical) - 1))
        stint = profile.clinical[index]
        longer = attrs.evolve(stint, months=min(240.0, (stint.months or 0.0) + extra))
        clinical = profile.clinical[:index] + (longer,) + profile.clinical[index + 1 :]
    else:
        stint: Clinical = draw(ctx.clinical_stints())
        clinical = profile.clinical + (attrs.evolve(stint, months=extra),)
    return profile, attrs.evolve(profile, clinical=clinical)


def _extra_letter(draw, profile, ctx):
    return profile, attrs.evolve(profile, letters=profile.letters + (draw(ctx.letters()),))


def _no_visa_need(draw, profile, ctx):
    visa = draw(st.sampled_from(("J-1", "H-1B")))
    return _with_applicant(profile, visa=visa), _with_applicant(profile, visa="none")


def _visa_need(draw, profile, ctx):
    visa = draw(st.sampled_from(("J-1", "H-1B")))
    return _with_applicant(profile, visa="none"), _with_applicant(profile, visa=visa)


def _another_visa(draw, profile, ctx):
    first = draw(st.sampled_from(("J-1", "H-1B")))
    second = "H-1B" if first == "J-1" else "J-1"
    return _with_applicant(profile, visa=first), _with_applicant(profile, visa=(first, second))


def _failed_attempt(draw, profile, ctx):
    step1 = profile.exams.step1 or Step1(result="pass", attempts=1)
    profile = _with_exams(profile, step1=step1)
    step2 = profile.exams.step2ck
    choices = ["step1-attempt"]
    # Step 3 comes after a passed Step 1: a fail there would also take a Step 3 record
    # out of the profile, and with it the worst case assumed for that record's unknowns.
    if step1.result in (None, "pass") and profile.exams.step3 is None:
        choices.append("step1-fail")
    # One more sitting of a Step 2 CK not sat yet would be a first sitting, not a failure.
    if step2 is not None and step2.sat:
        choices.append("step2ck-attempt")
    choice = draw(st.sampled_from(choices))
    if choice == "step1-fail":
        return profile, _with_exams(profile, step1=attrs.evolve(step1, result="fail"))
    exam = step1 if choice == "step1-attempt" else step2
    key = "step1" if choice == "step1-attempt" else "step2ck"
    if exam.attempts is None:
        # An unknown count is a gap of the profile, planned as its worst plausible value;
        # start from one known attempt, so that one more is a failure on record.
        exam = attrs.evolve(exam, attempts=1)
        profile = _with_exams(profile, **{key: exam})
    worse = attrs.evolve(exam, attempts=min(10, exam.attempts + 1))
    return profile, _with_exams(profile, **{key: worse})


def _older_graduation(draw, profile, ctx):
    applicant = profile.applicant
    years = draw(st.integers(1, 10))
    return profile, _with_applicant(
        profile, graduation_year=max(1950, applicant.graduation_year - years)
    )


def _monotone(name: str, direction: str, description: str, change, sweep=None) -> Property:
    """``sweep(ctx, before)``: more (weaker, stronger) pairs to compare in the same example."""

    def check(ctx, before, after, catalog):
        pairs = [(before, after)] + (list(sweep(ctx, before)) if sweep else [])
        for old, new in pairs:
            try:
                _check_monotone(direction, ctx, old, new, catalog)
            except PropertyViolation as violation:
                violation.example = {"before": old, "after": new, "catalog": catalog}
                raise

    return Property(name, description, _monotone_strategy(change), check)


def _step2ck_sweep(ctx: Context, profile: Profile):
    """Scores one point either side of every number rules compare Step 2 CK with."""
    step2 = profile.exams.step2ck
    if step2 is None:  # the strategy draws a Step 2 CK; nothing to compare without one
        return
    for threshold in ctx.step2ck_thresholds:
        low, high = max(1, threshold - 1), min(300, threshold + 1)
        for a, b in ((low, threshold), (threshold, high)):
            if a < b:
                yield (
                    _with_exams(profile, step2ck=_scored(step2, a)),
                    _with_exams(profile, step2ck=_scored(step2, b)),
                )


# ------------------------------------------------------------------ explanations


def _program_envs(host: Host, profile: Profile, catalog: Catalog, plan: Plan) -> dict[str, dict]:
    """The facts each planned program's screen rules read, rebuilt from the plan.

    An independent reference: the assessment, fits and region priorities come from the
    plan, the profile and program facts from :mod:`resplan.facts`, so the check does not
    depend on how the stages evaluate rules.
    """
    from resplan.facts import FITS, program_facts

    rulebook = host.rulebook
    city_regions = rulebook.city_regions
    base = dict(profile_facts(profile, city_regions))
    base["assessment.weaknesses"] = plan.assessment.weakness_names
    base["assessment.strengths"] = plan.assessment.strength_names
    wished = [t.fit for t in plan.specialties if t.wished]
    if wished:
        base["wishes.best_fit"] = max(wished, key=FITS.index)
    groups = {row.name: row.group for row in rulebook.specialties}
    targets = {t.name: t for t in plan.specialties}
    region_names = {r.id: r.name for r in plan.regions}
    priorities = {r.id: r.priority for r in plan.regions}
    programs = {p.id: p for p in catalog.programs}
    envs = {}
    for decision in plan.programs:
        program = programs.get(decision.id)
        target = targets.get(decision.specialty)
        if program is None or target is None:
            continue
        env = dict(base)
        env.update(
            {
                "specialty.name": target.name,
                "specialty.wished": target.wished,
                "specialty.fit": target.fit,
            }
        )
        if target.name in groups:
            env["specialty.group"] = groups[target.name]
        if target.rank is not None:
            env["specialty.rank"] = target.rank
        facts = program_facts(program, city_regions, region_names)
        env.update(facts)
        env["region.priority"] = priorities.get(facts["program.region"], "none")
        envs[decision.id] = env
    return envs


def _says(rule, env, labels) -> str:
    return rule.says.render(env, labels) if rule.says is not None else ""


def _check_explanations(ctx: Context, profile: Profile, catalog: Catalog) -> None:
    host = ctx.host
    plan = ctx.plan(profile, catalog)
    envs = _program_envs(host, profile, catalog, plan)
    rulebook = host.rulebook
    labels = rulebook.labels
    screen = {r.qualified_id: r for r in rulebook.rules("screen")}
    tier = {r.qualified_id: r for r in rulebook.rules("tier")}
    # A reason resting on a part the profile leaves out opens with the plan's guess for it.
    guesses = tuple(gap.says for gap in gaps(profile))
    for decision in plan.programs:
        what = _describe(decision)
        cited = _cited(decision)
        env = envs.get(decision.id)
        if env is None:
            raise PropertyViolation(
                f"{what} is in the plan but not in the catalog or in a considered specialty",
                rules=cited,
            )
        strangers = [r for r in cited if r not in screen and r not in tier]
        if strangers:
            raise PropertyViolation(
                f"{what} cites {', '.join(strangers)}, which is no screen or tier rule",
                rules=strangers,
            )
        by_rule = {reason.rule: reason for reason in decision.reasons}
        own = [screen[r] for r in cited if r in screen]
        if decision.verdict != "apply" and not own:
            raise PropertyViolation(f"{what} is {decision.verdict} without citing a rule")
        fired = [r for r in own if r.condition(env) is True]
        verdict = max(
            (r.effect["verdict"] for r in fired), key=lambda v: SEVERITY[v], default="apply"
        )
        if verdict != decision.verdict:
            raise PropertyViolation(
                f"{what}: the plan says {decision.verdict}, but its cited "
                f"rules alone give {verdict}",
                rules=cited,
            )
        for rule in fired:
            says = _says(rule, env, labels)
            if _after_guesses(by_rule[rule.qualified_id].says, guesses) != says:
                raise PropertyViolation(
                    f"{what}: the words cited for {rule.qualified_id} are "
                    f"not what the rule says for these facts ({says!r})",
                    rules=[rule.qualified_id],
                )
        if decision.verdict == "skip":
            if decision.tier is not None:
                raise PropertyViolation(f"{what} is skipped but has tier {decision.tier}")
            continue
        tier_env = {**env, "screen.verdict": decision.verdict}
        placed = [tier[r] for r in cited if r in tier]
        if not placed:
            raise PropertyViolation(f"{what} is in tier {decision.tier} without citing a tier rule")
        fired = [r for r in placed if r.condition(tier_env) is True]
        best = min((r.effect["tier"] for r in fired if "tier" in r.effect), default=3)
        # A rule that lowers the tier is cited only where it moved the program down.
        best = min(
            3, best + max((r.effect["lower"] for r in fired if "lower" in r.effect), default=0)
        )
        if best != decision.tier:
            raise PropertyViolation(
                f"{what}: the plan says tier {decision.tier}, but its cited "
                f"rules alone give tier {best}",
                rules=cited,
            )
        for rule in fired:
            says = _says(rule, tier_env, labels)
            if _after_guesses(by_rule[rule.qualified_id].says, guesses) != says:
                raise PropertyViolation(
                    f"{what}: the words cited for {rule.qualified_id} are "
                    f"not what the rule says for these facts ({says!r})",
                    rules=[rule.qualified_id],
                )


def _after_guesses(text: str, guesses: tuple[str, ...]) -> str:
    """``text`` without the sentences about the profile's gaps it opens with."""
    found = True
    while found:
        found = False
        for sentence in guesses:
            if text.startswith(sentence):
                text, found = text[len(sentence) :].lstrip(" "), True
    return text


# ------------------------------------------------------------------ unknowns

OPTIONAL_PROGRAM_FACTS: dict[str, st.SearchStrategy] = {
    "track": st.sampled_from(("categorical", "preliminary", "transitional")),
    "setting": st.sampled_from(
        ("university", "community", "community-university-affiliated", "military")
    ),
    "img_share": st.integers(0, 100).map(lambda p: p / 100),
    "visas": st.lists(st.sampled_from(("J-1", "H-1B")), unique=True, max_size=2).map(tuple),
    "positions": st.integers(1, 40),
    "min_step2ck": st.integers(200, 250),
    "mean_step2ck": st.integers(200, 260),
    "max_years_since_graduation": st.integers(0, 15),
    "max_attempts": st.integers(1, 4),
    "spanish_preferred": st.booleans(),
    "underserved_focus": st.booleans(),
    "rural": st.booleans(),
    "facts_as_of": st.integers(2015, 2026),
}


def _unknowns_strategy(ctx: Context):
    @st.composite
    def draw_example(draw):
        profile = draw(ctx.profiles())
        catalog = draw(ctx.catalogs(1, profile))
        program = draw(st.sampled_from(catalog.programs))
        field = draw(st.sampled_from(sorted(OPTIONAL_PROGRAM_FACTS)))
        if getattr(program, field) is None:
            full = attrs.evolve(program, **{field: draw(OPTIONAL_PROGRAM_FACTS[field])})
            catalog = Catalog([full if p.id == program.id else p for p in catalog.programs])
        return {
            "profile": profile,
            "catalog": catalog,
            "program": program.id,
            "field": field,
            "reduced": True,
        }

    return draw_example()


def _check_unknowns(
    ctx: Context, profile: Profile, catalog: Catalog, program: str, field: str, reduced: bool = True
) -> None:
    """Remove ``field`` from ``program`` (then each of its other known facts, one at a time)."""
    full_plan = {p.id: p for p in ctx.plan(profile, catalog).programs}
    full = full_plan.get(program)
    if full is None:
        return  # not in a considered specialty
    target = next(p for p in catalog.programs if p.id == program)
    fields = [field] + [
        f for f in sorted(OPTIONAL_PROGRAM_FACTS) if f != field and getattr(target, f) is not None
    ]
    for name in fields:
        reduced_catalog = Catalog(
            [
                attrs.evolve(p, **{name: None})  # type: ignore[arg-type]
                if p.id == program
                else p
                for p in catalog.programs
            ]
        )
        less = {p.id: p for p in ctx.plan(profile, reduced_catalog).programs}[program]
        if SEVERITY[less.verdict] < SEVERITY[full.verdict] and name not in less.to_verify:
            violation = PropertyViolation(
                f"{_describe(full)}: without {name!r} the verdict goes from {full.verdict} to "
                f"{less.verdict}, and {name!r} is not in to_verify ({list(less.to_verify)})",
                rules=_cited(full),
            )
            violation.example = {
                "profile": profile,
                "catalog": catalog,
                "program": program,
                "field": name,
                "reduced": True,
            }
            raise violation


# ------------------------------------------------------------------ outlook

# Bands from best to worst; "unknown" is left out of every comparison.
_BAND_ORDER = {"above": 0, "near": 1, "below": 2, "well-below": 3}
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)%")


def _check_monotone_bands(direction: str, before: Plan, after: Plan, change: str) -> None:
    if before.outlook is None or after.outlook is None:
        return
    old = {o.specialty: o for o in before.outlook.specialties}
    for new in after.outlook.specialties:
        was = old.get(new.specialty)
        if was is None or was.band not in _BAND_ORDER or new.band not in _BAND_ORDER:
            continue
        moved = _BAND_ORDER[new.band] - _BAND_ORDER[was.band]
        if (direction == "better" and moved > 0) or (direction == "worse" and moved < 0):
            kind = "stronger" if direction == "better" else "weaker"
            cited = [r.rule for r in (*new.against, *new.in_favour, *was.against, *was.in_favour)]
            raise PropertyViolation(
                f"outlook in {new.specialty}: band {was.band} -> {new.band} for a {kind} file "
                f"({change})",
                rules=list(dict.fromkeys(cited)),
            )


def _check_outlook(ctx: Context, profile: Profile, catalog: Catalog) -> None:
    from resplan.stages.outlook import BAND_EDGES, OUTLOOK, band_of

    plan = ctx.plan(profile, catalog)
    outlook = plan.outlook
    if outlook is None:
        return
    ruleset = next(r for r in ctx.host.rulebook.rulesets if r.name == OUTLOOK)
    edges = [ruleset.parameters[name].value for name in BAND_EDGES]
    weights: dict[str, Any] = {
        r.qualified_id: r.effect.get("weight") for r in ctx.host.rulebook.rules("outlook")
    }
    figures = {float(f.value) for f in outlook.figures if f.source and f.season}
    texts = [r.says for r in outlook.says]
    for o in outlook.specialties:
        for side, reasons, sign in (("against", o.against, -1), ("in favour", o.in_favour, 1)):
            for reason in reasons:
                weight = weights.get(reason.rule)
                if weight is None or weight * sign <= 0:
                    raise PropertyViolation(
                        f"outlook in {o.specialty}: {reason.rule} is cited {side} with weight "
                        f"{weight}",
                        rules=[reason.rule],
                    )
        total = sum(weights[r.rule] for r in (*o.against, *o.in_favour))
        if o.band != "unknown" and band_of(total, edges) != o.band:
            raise PropertyViolation(
                f"outlook in {o.specialty}: band {o.band}, but its cited findings add up to "
                f"{total}, band {band_of(total, edges)}",
                rules=[r.rule for r in (*o.against, *o.in_favour)],
            )
        texts += [o.says, *(r.says for r in (*o.against, *o.in_favour, *o.context))]
    for text in texts:
        for number in _PERCENT.findall(text):
            if float(number) not in figures:
                raise PropertyViolation(
                    f"the outlook prints {number}%, which is no published figure it lists "
                    f"with a source and season: {text!r}"
                )


# ------------------------------------------------------------------ round trip


def _check_round_trip(ctx: Context, profile: Profile, catalog: Catalog) -> None:
    plan = ctx.plan(profile, catalog)
    text = resplan.dumps_plan(plan)
    back = resplan.loads_plan(text)
    if back != plan:
        parts = [
            f.name for f in attrs.fields(Plan) if getattr(back, f.name) != getattr(plan, f.name)
        ]
        raise PropertyViolation(f"the plan read back differs in {', '.join(parts)}")
    if resplan.dumps_plan(back) != text:
        raise PropertyViolation("the plan read back is written with different bytes")


# ------------------------------------------------------------------ summary fits the catalog


def _check_summary_fits(ctx: Context, profile: Profile, catalog: Catalog) -> None:
    plan = ctx.plan(profile, catalog)
    summary = plan.summary
    not_skipped = summary.apply + summary.borderline
    if summary.applications is not None and summary.applications > not_skipped:
        raise PropertyViolation(
            f"the summary asks for {summary.applications} applications "
            f"but only {not_skipped} programs are not skipped"
        )
    for volume in summary.by_specialty:
        open_ = sum(1 for d in plan.programs if d.specialty == volume.name and d.verdict != "skip")
        if volume.applications is None:
            continue
        if volume.applications > open_:
            raise PropertyViolation(
                f"{volume.name}: {volume.applications} applications asked "
                f"for, {open_} programs not skipped"
            )
        if volume.tiers is None or sum(volume.tiers) != volume.applications:
            raise PropertyViolation(
                f"{volume.name}: tiers {volume.tiers} do not add up to "
                f"{volume.applications} applications"
            )
        if any(sent > there for sent, there in zip(volume.tiers, volume.available)):
            raise PropertyViolation(
                f"{volume.name}: tiers {volume.tiers} ask for more than "
                f"the programs there {volume.available}"
            )
        if volume.applications + (volume.shortfall or 0) != volume.recommended:
            raise PropertyViolation(
                f"{volume.name}: {volume.applications} applications and a "
                f"shortfall of {volume.shortfall} are not the "
                f"{volume.recommended} recommended"
            )


# ------------------------------------------------------------------ dated plans


def _dated_strategy(ctx: Context):
    from resplan.dates import match_day

    def with_date(example):
        cycle = example["profile"].applicant.cycle
        last = match_day(cycle, ctx.host.rulebook) + datetime.timedelta(days=10)
        dates = st.dates(datetime.date(cycle - 3, 1, 1), last)
        return dates.map(lambda day: {**example, "as_of": day})

    return ctx.inputs().flatmap(with_date)


def _check_dated(ctx: Context, profile: Profile, catalog: Catalog, as_of: datetime.date) -> None:
    from resplan.dates import match_day

    day = match_day(profile.applicant.cycle, ctx.host.rulebook)
    try:
        plan = resplan.plan(profile, catalog, host=ctx.host, as_of=as_of)
    except resplan.InputError as exc:
        if as_of > day and [p.field for p in exc.problems] == ["applicant.cycle"]:
            return
        raise
    if as_of > day:
        raise PropertyViolation(f"a plan was made on {as_of}, after Match Day ({day})")
    if plan.provenance.as_of != as_of.isoformat():
        raise PropertyViolation(f"provenance as_of is {plan.provenance.as_of!r}, not {as_of}")
    months = {name: index for index, name in enumerate(calendar.month_name) if name}
    for action in plan.actions:
        month, year = action.when.split(":", 1)[0].split()
        if (int(year), months[month]) < (as_of.year, as_of.month):
            raise PropertyViolation(
                f"{action.id} is dated {action.when!r}, before {as_of}", rules=[action.id]
            )


# ------------------------------------------------------------------ plain words


def _check_wording(ctx: Context, profile: Profile, catalog: Catalog) -> None:
    from resplan.testing import wording

    plan = tomllib.loads(resplan.dumps_plan(ctx.plan(profile, catalog)))
    forbidden = wording.forbidden_ids(ctx.host.rulebook)
    found = [
        f"{where}: {problem}"
        for where, text in wording.texts(plan)
        for problem in wording.problems(text, forbidden)
    ]
    found += wording.contradictions(plan, tomllib.loads(_profile_toml(profile)), ctx.host.rulebook)
    if found:
        raise PropertyViolation("; ".join(found))


# ------------------------------------------------------------------ what-if improves

# Parts of a what-if change that only make a file stronger; a Step 2 CK score only when
# the profile has a known one (taking the exam at some score is not stronger: a program's
# minimum may be higher), and Step 3 passed only when it was not sat.
IMPROVING_CHANGES = frozenset({"advocate_letters", "border_clinical_months", "spanish_level"})


def _check_what_if_improves(ctx: Context, profile: Profile, catalog: Catalog) -> None:
    from resplan import pipeline
    from resplan.stages.what_if import changed_profile

    rulebook = ctx.host.rulebook
    plan = ctx.plan(profile, catalog)
    entries = {entry.rule: entry for entry in plan.what_if}
    draft = pipeline.start(profile, catalog, rulebook, ctx.as_of)
    for name, run in pipeline.STAGES:
        if name == "what_if":
            break
        draft = run(draft)
    scored = profile.exams.step2ck is not None and profile.exams.step2ck.score is not None
    # A pass after a failed Step 3 adds an attempt on record: not only stronger.
    untaken = profile.exams.step3 is None
    for rule in rulebook.rules("what_if"):
        parts = set(rule.effect) - {"note"}
        if parts == {"step2ck_score"} and not scored:
            # A first Step 2 CK: programs whose stated score it falls short of wait for a
            # higher one (the note counts them); no other program may be counted worse.
            _check_first_score(entries.get(rule.qualified_id), rule)
            continue
        allowed = (
            IMPROVING_CHANGES
            | ({"step2ck_score"} if scored else set())
            | ({"step3"} if untaken else set())
        )
        if not parts <= allowed or rule.condition(draft.env) is not True:
            continue
        change = changed_profile(rule, draft)
        if change is None:
            continue
        try:
            _check_monotone("better", ctx, profile, change[0], catalog)
        except PropertyViolation as violation:
            raise PropertyViolation(
                f"what-if {rule.qualified_id}: {violation.message}",
                rules=(rule.qualified_id, *violation.rules),
            ) from None
        entry = entries.get(rule.qualified_id)
        if entry is not None and entry.programs_worsened:
            raise PropertyViolation(
                f"what-if {rule.qualified_id} ({entry.change!r}) only strengthens the file, "
                f"yet counts {_programs(entry.programs_worsened)} worse",
                rules=[rule.qualified_id],
            )


_programs = Format("count", "program", "programs")


def _check_first_score(entry, rule) -> None:
    if entry is not None and entry.programs_worsened:
        raise PropertyViolation(
            f"what-if {rule.qualified_id} ({entry.change!r}) only takes Step 2 CK, "
            f"yet counts {_programs(entry.programs_worsened)} worse",
            rules=[rule.qualified_id],
        )


# ------------------------------------------------------------------ the list

PROPERTIES: tuple[Property, ...] = (
    Property(
        "determinism",
        "the same inputs give byte-identical plans, whatever the order of "
        "the catalog or of plugin registration",
        _determinism_strategy,
        _check_determinism,
    ),
    _monotone(
        "monotone-step2ck",
        "better",
        "a higher Step 2 CK never makes a verdict worse",
        _higher_step2ck,
        _step2ck_sweep,
    ),
    _monotone(
        "monotone-language",
        "better",
        "an extra language at a higher level never makes a verdict worse",
        _extra_language,
        _language_sweep,
    ),
    _monotone(
        "monotone-clinical",
        "better",
        "more months of US clinical experience never make a verdict worse",
        _more_clinical,
    ),
    _monotone(
        "monotone-letter", "better", "an extra letter never makes a verdict worse", _extra_letter
    ),
    _monotone(
        "monotone-no-visa", "better", "needing no visa never makes a verdict worse", _no_visa_need
    ),
    _monotone(
        "monotone-more-visas",
        "better",
        "one more visa the applicant would take never makes a verdict worse",
        _another_visa,
    ),
    _monotone(
        "antitone-failed-attempt",
        "worse",
        "a failed attempt never makes a verdict better",
        _failed_attempt,
    ),
    _monotone("antitone-visa", "worse", "needing a visa never makes a verdict better", _visa_need),
    _monotone(
        "antitone-graduation",
        "worse",
        "an older graduation year never makes a verdict better",
        _older_graduation,
    ),
    Property(
        "explanations",
        "every skip, borderline and tier cites a rule, and the cited rules alone decide the same",
        _determinism_strategy,
        _check_explanations,
    ),
    Property(
        "unknowns",
        "removing a program fact never eases its verdict unless the fact is then in to_verify",
        _unknowns_strategy,
        _check_unknowns,
    ),
    Property(
        "round-trip",
        "a plan written and read back is equal",
        _determinism_strategy,
        _check_round_trip,
    ),
    Property(
        "dated",
        "no action is dated before the plan's date, and a Match already over "
        "is refused naming applicant.cycle",
        _dated_strategy,
        _check_dated,
    ),
    Property(
        "plain-words",
        "every message reads as plain English (counts agree with nouns, "
        "no (s), no raw ids) and no two messages contradict each other or the profile",
        _determinism_strategy,
        _check_wording,
    ),
    Property(
        "summary-fits-catalog",
        "the applications a plan asks for never exceed its "
        "programs not skipped, per specialty and per tier",
        _determinism_strategy,
        _check_summary_fits,
    ),
    Property(
        "outlook",
        "each outlook band follows from the findings it cites, and every "
        "percent it prints is a published figure with its source and season",
        _determinism_strategy,
        _check_outlook,
    ),
    Property(
        "what-if-improves",
        "a what-if change that only strengthens the file never "
        "makes a verdict worse, and its entry counts nothing worse",
        _determinism_strategy,
        _check_what_if_improves,
    ),
)


def property_named(name: str) -> Property:
    for prop in PROPERTIES:
        if prop.name == name:
            return prop
    raise KeyError(f"no property {name!r} (properties: {', '.join(p.name for p in PROPERTIES)})")


# ------------------------------------------------------------------ running


def run_property(
    prop: Property | str,
    host: Host,
    *,
    max_examples: int = 50,
    seed: int | None = 0,
    context: Context | None = None,
) -> PropertyFailure | None:
    """Run one property with hypothesis: ``None`` when it held, else the shrunk failure.

    ``seed`` fixes the examples tried (the default, so that runs are reproducible);
    ``None`` draws new ones each run. Nothing is stored in a hypothesis database.
    """
    from hypothesis import HealthCheck, Phase, given, reporting, settings
    from hypothesis import seed as fix_seed
    from hypothesis.errors import Flaky

    prop = property_named(prop) if isinstance(prop, str) else prop
    ctx = context or Context(host)

    @settings(
        max_examples=max_examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        report_multiple_bugs=False,
        print_blob=False,
        # Shrink, but skip hypothesis' "explain" phase: it reruns the test many times
        # to annotate the example, and the report says what matters already.
        phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink],
    )
    @given(prop.strategy(ctx))
    def run(example):
        try:
            prop.check(ctx, **example)
        except PropertyViolation as violation:
            violation.example = violation.example or example
            raise
        except Exception as exc:  # noqa: BLE001 - a crash breaks every property
            crash = PropertyViolation(f"planning raised {type(exc).__name__}: {exc}")
            crash.example = example
            raise crash from exc

    if seed is not None:
        run = fix_seed(seed)(run)
    try:
        with reporting.with_reporter(lambda *_args: None):
            run()
    except PropertyViolation as violation:
        return _failure(prop, violation)
    except Flaky as exc:
        inner = [e for e in getattr(exc, "exceptions", ()) if isinstance(e, PropertyViolation)]
        if inner:
            failure = _failure(prop, inner[0])
            return attrs.evolve(
                failure,
                message=failure.message + " (the failure did not "
                "repeat when tried again: is a rule or plugin non-deterministic?)",
            )
        return PropertyFailure(prop.name, prop.description, f"flaky: {exc}", (), "")
    return None


def _failure(prop: Property, violation: PropertyViolation) -> PropertyFailure:
    return PropertyFailure(
        prop.name,
        prop.description,
        violation.message,
        violation.rules,
        render_example(violation.example),
    )


def run_properties(
    host: Host,
    *,
    max_examples: int = 50,
    seed: int | None = 0,
    properties: Sequence[Property] = PROPERTIES,
    **context_options,
) -> list[PropertyFailure]:
    """Run every property against ``host``; the failures, in the order of ``properties``.

    ``context_options`` go to :class:`Context` (``extra_programs=``, ``specialties=``,
    ``cities=``, ``max_programs=``).
    """
    ctx = Context(host, **context_options)
    failures = []
    for prop in properties:
        failure = run_property(prop, host, max_examples=max_examples, seed=seed, context=ctx)
        if failure is not None:
            failures.append(failure)
    return failures
