"""What a report needs from the rulesets a plan names: rule sources, figures, place names.

A report is made from the plan file; the rulesets only add words and sources the plan
does not repeat: where each cited rule comes from, the figures (parameters) it uses, the
border sub-regions' names and the order of the calendar's phases. The rulesets are read
as TOML text from the installed plugins, never compiled, and only a ruleset whose text
has the sha256 the plan's provenance records is used: a plan written with another
version of a ruleset gets a note, not figures that may not be the ones it used.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from typing import Any

import attrs
import tomli

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Rule tables of a ruleset file, and the texts that may name a parameter.
RULE_TABLES = (
    "assess",
    "specialties",
    "regions",
    "screen",
    "tier",
    "actions",
    "summary",
    "signals",
    "outlook",
)
TEXT_KEYS = ("when", "says", "title", "detail", "applications", "spread")
# A ruleset cites a section of the guide as "guide: Step 3 / Its Title"; a reader takes
# "Step 3" for the USMLE exam, so a report says "guide, step 3: Its Title".
_STEP_SECTION = re.compile(r"\bStep (\d+) / ")
_GUIDE_SECTION = re.compile(r"\bguide: ([^/;()]+?) / ")
_LOWER_STEP = re.compile(r"\bstep (\d+) / ")


def reader_source(text: str) -> str:
    """A ruleset's source in words a reader does not confuse with a USMLE exam."""
    text = _GUIDE_SECTION.sub(r"guide, \1: ", _STEP_SECTION.sub(r"step \1 / ", text))
    return _LOWER_STEP.sub(r"step \1: ", text)


@attrs.frozen
class Figure:
    """A parameter a cited rule uses: its value, where the value comes from, what it is."""

    ruleset: str
    name: str
    value: Any
    source: str
    note: str


@attrs.frozen
class RuleSource:
    rule: str  # "ruleset/id"
    source: str
    figures: tuple[Figure, ...] = ()


# The calendar phase of interview season (rulesets/calendar.toml).
INTERVIEWS_PHASE = "interviews"


@attrs.frozen
class Labels:
    rules: Mapping[str, RuleSource] = attrs.field(factory=dict)
    subregions: Mapping[str, str] = attrs.field(factory=dict)  # id -> name
    phases: Mapping[str, int] = attrs.field(factory=dict)  # phase id -> order
    # Days from the rank list deadline to Match Day (the calendar's parameter), to date
    # the deadline from the plan's Match Day; None when the calendar was not matched.
    rank_list_days: int | None = None
    # The last month of the calendar's interview season, as (year from the Match's year,
    # month): from the month after it, no new application brings an interview in time.
    interviews_until: tuple[int, int] | None = None
    # Ruleset names the plan cites, by what the report could do with them.
    matched: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()  # installed, but not the text the plan was made with
    missing: tuple[str, ...] = ()  # not installed here


def installed_ruleset_texts(pm=None) -> list[tuple[str, str]]:
    """(ruleset file label, text) of the rulesets of ``pm``'s plugins (default: installed)."""
    from resplan.plugins import collect

    if pm is None:
        return list(_installed())
    return [(source.label, source.text) for _plugin, source in collect(pm, "resplan_rulesets")]


@functools.lru_cache(maxsize=1)
def _installed() -> tuple[tuple[str, str], ...]:
    # Found once per process: looking through the installed packages' entry points is the
    # slowest part of a small report.
    from resplan.plugins import make_plugin_manager

    return tuple(installed_ruleset_texts(make_plugin_manager(use_env=False)))


@functools.lru_cache(maxsize=64)
def _parse(text: str) -> dict | None:
    try:
        return tomli.loads(text)
    except tomli.TOMLDecodeError:
        return None  # a broken ruleset is the rulebook's to report, not the report's


def load_labels(plan, texts: Iterable[tuple[str, str]] | None = None) -> Labels:
    """The labels and sources of the rulesets ``plan`` names, from ``texts`` (default: installed)."""
    import hashlib

    wanted = {r.name: r.sha256 for r in plan.provenance.rulesets}
    parsed: dict[str, dict] = {}
    changed = set()
    for _label, text in installed_ruleset_texts() if texts is None else texts:
        data = _parse(text)
        if data is None:
            continue
        name = str(data.get("ruleset", {}).get("name", ""))
        if name not in wanted:
            continue
        if hashlib.sha256(text.encode("utf-8")).hexdigest() != wanted[name]:
            changed.add(name)
            continue
        parsed[name] = data
    parameters = {name: _parameters(data) for name, data in parsed.items()}
    for name, data in sorted(parsed.items()):
        overrides = data.get("overrides", {}).get("parameters", {})
        for target, value in sorted(overrides.items()) if isinstance(overrides, dict) else ():
            ruleset, _, parameter = target.partition(".")
            old = parameters.get(ruleset, {}).get(parameter)
            if old is not None:
                parameters[ruleset][parameter] = attrs.evolve(
                    old, value=value, source=f"changed by the {name} rules ({old.source})"
                )
    rules: dict[str, RuleSource] = {}
    subregions: dict[str, str] = {}
    phases: dict[str, int] = {}
    interviews_until: tuple[int, int] | None = None
    for name, data in sorted(parsed.items()):
        own = parameters[name]
        for stage in RULE_TABLES:
            for table in _tables(data.get(stage)):
                texts_ = " ".join(str(table.get(key, "")) for key in TEXT_KEYS)
                used = sorted(set(IDENTIFIER.findall(texts_)) & own.keys())
                rules[f"{name}/{table.get('id')}"] = RuleSource(
                    f"{name}/{table.get('id')}",
                    reader_source(str(table.get("source", ""))),
                    tuple(own[p] for p in used),
                )
        for row in _tables(data.get("subregion")):
            if "id" in row and "name" in row:
                subregions[str(row["id"])] = str(row["name"])
        for row in _tables(data.get("phase")):
            if "id" in row and isinstance(row.get("order"), int):
                phases[str(row["id"])] = row["order"]
            if row.get("id") == INTERVIEWS_PHASE:
                year = row.get("until_year", row.get("year"))
                month = row.get("until_month", row.get("month"))
                if type(year) is int and type(month) is int:
                    interviews_until = (year, month)
    rank_list_days = parameters.get("calendar", {}).get("rank_list_days_before_match_day")
    return Labels(
        rules=rules,
        subregions=subregions,
        phases=phases,
        rank_list_days=(
            rank_list_days.value
            if rank_list_days is not None and type(rank_list_days.value) is int
            else None
        ),
        interviews_until=interviews_until,
        matched=tuple(sorted(parsed)),
        changed=tuple(sorted(changed)),
        missing=tuple(sorted(set(wanted) - set(parsed) - changed)),
    )


def _tables(value) -> list[dict]:
    return [t for t in value if isinstance(t, dict)] if isinstance(value, list) else []


def _parameters(data: dict) -> dict[str, Figure]:
    name = str(data.get("ruleset", {}).get("name", ""))
    out = {}
    table = data.get("parameters", {})
    for key, entry in table.items() if isinstance(table, dict) else ():
        if isinstance(entry, dict) and "value" in entry:
            out[key] = Figure(
                name,
                key,
                entry["value"],
                reader_source(str(entry.get("source", ""))),
                str(entry.get("note", "")),
            )
    return out
