"""Stage 2: rate each specialty for this applicant and pick the ones the plan considers.

Fit rules run first over every specialty that can be in the plan (a wished one, or one
a suggest rule can name); the most cautious fit wins. Suggest rules then see each
specialty's fit and the best wished fit, and name alternatives. The plan considers the
wished specialties and the suggested ones.

Every extra field costs a full list of applications, and IMGs who applied to fewer
specialties matched more often, so only the best few suggestions are kept: the
specialties ruleset's ``fields_without_wishes`` when the applicant named none (a main
field and a backup), else ``backup_fields``. The best fit goes first, then the field
whose first suggest rule comes earlier in the rulesets (their authors order them by
preference), then the name.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import numpy as np

from resplan.facts import FITS
from resplan.plan import SpecialtyTarget
from resplan.rulebook import Rulebook, whole_parameter
from resplan.rules.expr import Binary, Call, ListLit, Unary
from resplan.stages.common import cite, evaluate
from resplan.stages.outlook import national_share
from resplan.stages.table import catalog_table
from resplan.vocabulary import STATES as STATE_NAMES

DEFAULT_FIT = "possible"
SPECIALTIES = "specialties"  # the ruleset whose parameters code reads
FIELDS_WITHOUT_WISHES = "fields_without_wishes"
BACKUP_FIELDS = "backup_fields"
SHORT_WISH_LIST = "short_wish_list_programs"
# The parameters code reads (resplan check counts them as used), with their defaults
# for a specialties ruleset that leaves them out.
CODE_PARAMETERS = {FIELDS_WITHOUT_WISHES: 2, BACKUP_FIELDS: 1, SHORT_WISH_LIST: 10}


def parameter(rulebook: Rulebook, name: str) -> int:
    """A parameter of the specialties ruleset that code reads, as a whole number."""
    return whole_parameter(rulebook, SPECIALTIES, name, CODE_PARAMETERS[name])


def run(draft, reasons: bool = True):
    """``reasons=False`` leaves the targets' reasons out (the what-if stage compares fits)."""
    labels = draft.rulebook.labels
    rulebook, base = draft.rulebook, draft.env
    wishes = draft.profile.applicant.specialties
    table = _rules_of(rulebook)
    groups = table.groups
    names = sorted(set(groups) | set(wishes))

    # A specialty neither wished nor one a suggest rule can fire for is not in the plan:
    # its fit is not worked out.
    names = [name for name in names if name in wishes or table.can_fire(name)[1]]
    # name -> (fit, fired fit rules, env the fit rules read, env with the fit)
    rated: dict[str, tuple[Any, list, dict, dict]] = {}
    for name in names:
        fit_rules = table.can_fire(name)[0]
        env = {**base, "specialty.name": name, "specialty.wished": name in wishes}
        if name in groups:
            env["specialty.group"] = groups[name]
        if name in wishes:
            env["specialty.rank"] = wishes.index(name) + 1
        share = national_share(rulebook, name)
        if share is not None:
            env["specialty.img_share"] = share
        env["specialty.border_programs"] = border_programs(draft).get(name, 0)
        fired, _ = evaluate(fit_rules, env)
        # Most cautious wins: the lowest fit any fired rule gives.
        fit = min((r.effect["fit"] for r in fired), key=FITS.index, default=DEFAULT_FIT)
        rated[name] = (fit, fired, env, {**env, "specialty.fit": fit})

    wished_fits = [rated[name][0] for name in wishes]
    best = max(wished_fits, key=FITS.index) if wished_fits else None

    suggestions = {}
    count = programs_in(draft, wishes)
    states = draft.profile.applicant.states or ()
    in_catalog = {
        "wishes.programs": count,
        "wishes.programs_in_states": programs_in(draft, wishes, states) if states else count,
        "wishes.named_states": _or([STATE_NAMES.get(s, s) for s in states]) if states else "none",
    }
    for name in names:
        env = rated[name][3]
        if best is not None:
            env["wishes.best_fit"] = best
        if name not in wishes:
            fired, _ = evaluate(table.can_fire(name)[1], {**env, **in_catalog})
            if fired:
                suggestions[name] = fired
    limit = parameter(rulebook, BACKUP_FIELDS if wishes else FIELDS_WITHOUT_WISHES)
    order = table.suggest_order
    kept = sorted(
        suggestions,
        key=lambda n: (-FITS.index(rated[n][0]), order[suggestions[n][0].qualified_id], n),
    )[:limit]

    targets = []
    specialty_envs = {}
    for name in names:
        suggested = name in kept
        if name not in wishes and not suggested:
            continue
        fit, fired, env, rated_env = rated[name]
        cited: list = []
        if reasons:
            cited = [cite(r, env, labels, draft.guessed) for r in fired if r.effect["fit"] == fit]
            if name not in wishes:
                said = {**rated_env, **in_catalog}
                cited += [cite(r, said, labels, draft.guessed) for r in suggestions[name]]
        targets.append(
            SpecialtyTarget(
                name=name,
                fit=fit,
                wished=name in wishes,
                suggested=suggested,
                rank=wishes.index(name) + 1 if name in wishes else None,
                reasons=tuple(cited),
            )
        )
        specialty_envs[name] = rated_env
    # Wishes in the applicant's order, then suggestions by name.
    targets.sort(key=lambda t: (not t.wished, t.rank or 0, t.name))
    env = dict(base)
    if best is not None:
        env["wishes.best_fit"] = best
    if wishes:  # the summary sizes a backup added for a short catalog apart
        env["wishes.short_catalog"] = len(wishes) == 1 and count < parameter(
            rulebook, SHORT_WISH_LIST
        )
    if targets:
        env["wishes.best_fit_with_added"] = max((t.fit for t in targets), key=FITS.index)
    specialty_envs = {t.name: specialty_envs[t.name] for t in targets}
    return draft.evolve(specialties=tuple(targets), env=env, specialty_envs=specialty_envs)


class _Rules:
    """A rulebook's specialties rules, and for each specialty the rules that can fire
    for it at all.

    Most rules name the specialty or its group they are about (``specialty.group ==
    'score-driven' and ...``). Asked with only the specialty's name and group known,
    such a rule is false for every other specialty whatever the applicant's facts are
    (an unknown fact never makes a condition false: resplan.rules is three-valued), so
    it is not asked for them. A rule calling a function that decides on unknown facts
    (``known``, ``unknown``) could be false here and true with the facts: it is asked
    for every specialty."""

    def __init__(self, rulebook: Rulebook):
        rules = rulebook.rules("specialties")
        self.fit_rules = tuple(r for r in rules if "fit" in r.effect)
        self.suggest_rules = tuple(r for r in rules if "suggest" in r.effect)
        self.suggest_order = {rule.qualified_id: i for i, rule in enumerate(self.suggest_rules)}
        self.groups = {row.name: row.group for row in rulebook.specialties}
        self.functions = rulebook.functions
        self.by_name: dict[str, tuple[tuple, tuple]] = {}
        # Whether a rule's functions all leave an unknown argument unknown depends on the
        # rule alone: walked once per rule, not once per rule and specialty (a process's
        # first plan walked about 1,200 trees: some 8% of a warm `resplan plan`).
        self.unknown_stays = {
            id(rule): _unknown_stays_unknown(rule.condition.ast, self.functions)
            for rule in (*self.fit_rules, *self.suggest_rules)
        }

    def can_fire(self, name: str) -> tuple[tuple, tuple]:
        """The fit rules and the suggest rules that can fire for specialty ``name``."""
        found = self.by_name.get(name)
        if found is None:
            known = {"specialty.name": name}
            if name in self.groups:
                known["specialty.group"] = self.groups[name]
            found = self.by_name[name] = (
                tuple(r for r in self.fit_rules if self._can_fire(r, known)),
                tuple(r for r in self.suggest_rules if self._can_fire(r, known)),
            )
        return found

    def _can_fire(self, rule, known: dict[str, Any]) -> bool:
        if not self.unknown_stays[id(rule)]:
            return True
        try:
            return rule.condition.fn(known) is not False
        except Exception:  # noqa: BLE001 - only asking it with every fact tells
            return True


def _unknown_stays_unknown(node, functions) -> bool:
    """Whether no function called in ``node`` decides on an unknown argument."""
    if isinstance(node, Call):
        function = functions.get(node.name)
        if function is None or function.handles_unknown:
            return False
    return all(_unknown_stays_unknown(child, functions) for child in _children(node))


def _children(node) -> tuple:
    if isinstance(node, (Call, ListLit)):
        return tuple(node.args if isinstance(node, Call) else node.items)
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    return ()


# One entry per rulebook in use (a process rarely has more than one), holding it.
_RULES: dict[int, tuple[Rulebook, _Rules]] = {}


def _rules_of(rulebook: Rulebook) -> _Rules:
    found = _RULES.get(id(rulebook))
    if found is None or found[0] is not rulebook:
        if len(_RULES) >= 8:
            _RULES.clear()
        found = _RULES[id(rulebook)] = (rulebook, _Rules(rulebook))
    return found[1]


def programs_in(draft, specialties, states=None) -> int:
    """Real programs of the catalog in ``specialties`` (and in ``states``, if given),
    whatever their verdict will be: a generated (synthetic) program is not one to apply
    to, so it never makes up for a field the catalog lacks."""
    table = catalog_table(draft.catalog, draft.rulebook.city_regions)
    if states is not None:
        return _programs_in_states(table, draft.catalog, set(specialties), set(states))
    counts = table.memo.get(_PROGRAMS_PER_SPECIALTY)
    if counts is None:
        keys = table.keys
        codes = keys.specialty[real_programs(table, draft.catalog)]
        counts = table.memo[_PROGRAMS_PER_SPECIALTY] = dict(
            zip(
                keys.specialties,
                np.bincount(codes, minlength=len(keys.specialties)).tolist(),
            )
        )
    return sum(counts.get(s, 0) for s in set(specialties))


def border_programs(draft) -> dict[str, int]:
    """Per specialty, the real catalog programs in a border sub-region, whatever their
    verdict will be; once per catalog."""
    table = catalog_table(draft.catalog, draft.rulebook.city_regions)
    counts = table.memo.get(_BORDER_PROGRAMS)
    if counts is None:
        keys = table.keys
        on_border = np.array([region != "none" for region in keys.regions], dtype=bool)
        rows = real_programs(table, draft.catalog)
        if len(on_border):
            rows = rows & on_border[keys.region]
        codes = keys.specialty[rows]
        counts = table.memo[_BORDER_PROGRAMS] = dict(
            zip(
                keys.specialties,
                np.bincount(codes, minlength=len(keys.specialties)).tolist(),
            )
        )
    return counts


_BORDER_PROGRAMS = ("specialties", "border")  # its key in a catalog table's memo


def real_programs(table, catalog) -> np.ndarray:
    """True for each catalog row that is a real program; once per catalog (``table``:
    its column table)."""
    real = table.memo.get(_REAL)
    if real is None:
        synthetic = np.fromiter(catalog.column("synthetic"), dtype=bool, count=len(catalog))
        real = table.memo[_REAL] = ~synthetic
    return real


_REAL = ("specialties", "real")  # its key in a catalog table's memo


_PROGRAMS_PER_SPECIALTY = ("specialties", "programs")  # its key in a catalog table's memo


def _programs_in_states(table, catalog, specialties: set, states: set) -> int:
    counts: dict[str, dict[str, int]] | None = table.memo.get(_PROGRAMS_PER_SPECIALTY_AND_STATE)
    if counts is None:
        # Once per catalog: specialty -> state -> real programs.
        names, column = table.keys.specialties, table.columns["program.state"]
        coded = column.codes is not None
        real = real_programs(table, catalog)
        state = np.asarray(column.codes if coded else column.raw, dtype=object)
        pairs = Counter(zip(table.keys.specialty[real].tolist(), state[real].tolist()))
        # Keyed by specialty, then state: a plan asks for a few of each, and the what-if
        # pass asks again for each change, so nothing walks every pair of the catalog.
        counts = {}
        for (code, place), n in pairs.items():
            by_state = counts.setdefault(names[code], {})
            by_state[column.categories[place] if coded else place] = n
        table.memo[_PROGRAMS_PER_SPECIALTY_AND_STATE] = counts
    total = 0
    for name in specialties:
        in_states = counts.get(name)
        if in_states:
            total += sum(in_states.get(place, 0) for place in states)
    return total


_PROGRAMS_PER_SPECIALTY_AND_STATE = ("specialties", "programs", "states")


def _or(items: list[str]) -> str:
    return ", ".join(items[:-1]) + " or " + items[-1] if len(items) > 1 else items[0]
