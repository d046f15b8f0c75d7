"""Rules over a table of programs: what the screen and tier stages share.

:func:`catalog_table` lays a catalog out as columns, one per program fact, once per
catalog (a catalog is planned against many times); each plan selects the rows of the
specialties it considers. :func:`evaluate` asks a stage's rules of every row at once and
says, per rule, which programs it fires for and which it cannot decide for want of a
fact. A rule without a column form is asked program by program with its ordinary
closure, with the same answers.
"""

from __future__ import annotations

import functools
from typing import Any, Mapping, Sequence

import attrs
import numpy as np

from resplan import facts as F
from resplan.model import Catalog, Program
from resplan.plan import Reason
from resplan.rulebook import Rule
from resplan.rules import BOOL, NUMBER, is_unknown
from resplan.rules.columns import Col, Frame, Truth


def _objects(values: list) -> np.ndarray:
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


@attrs.define
class ProgramTable:
    programs: np.ndarray  # of Program
    columns: dict[str, Col]
    raw: dict[str, np.ndarray]  # each fact's plain Python values (object arrays), None if unknown
    bit: dict[str, int]  # one bit per program fact, for to_verify

    @property
    def rows(self) -> int:
        return len(self.programs)

    def select(self, rows: np.ndarray) -> "ProgramTable":
        def take(col: Col) -> Col:
            return Col(col.values[rows], col.known[rows],
                       col.bits[rows] if isinstance(col.bits, np.ndarray) else col.bits)
        return ProgramTable(self.programs[rows], {n: take(c) for n, c in self.columns.items()},
                            {n: v[rows] for n, v in self.raw.items()}, self.bit)

    def add_column(self, name: str, values: list, fact_type=None, bit: int = 0) -> None:
        raw = _objects(values)
        known = np.fromiter((v is not None for v in values), bool, len(values))
        if fact_type == NUMBER:
            array = np.fromiter((v if v is not None else np.nan for v in values), float, len(values))
        elif fact_type == BOOL:
            array = np.fromiter((bool(v) for v in values), bool, len(values))
        else:
            array = raw
        bits = np.where(known, np.uint64(0), np.uint64(1 << bit)) if bit else 0
        self.raw[name] = raw
        self.columns[name] = Col(array, known, bits)

    def frame(self, env: Mapping[str, Any]) -> Frame:
        return Frame(self.rows, self.columns, self.bit, env)

    def row_env(self, env: Mapping[str, Any], index: int, names) -> dict[str, Any]:
        """The facts a template or closure reads, for one program."""
        row = dict(env)
        for name in names:
            if name in self.raw:
                value = self.raw[name][index]
                if value is None:
                    row.pop(name, None)
                else:
                    row[name] = value
        return row


def catalog_table(catalog: Catalog, city_regions: Mapping[tuple[str, str], str]) -> ProgramTable:
    """Every program of the catalog as columns; built once per catalog and city table."""
    key = tuple(sorted(city_regions.items()))
    table = catalog._tables.get(key)
    if table is None:
        table = _build(catalog.programs, city_regions)
        catalog._tables.clear()  # one city table at a time is all a run uses
        catalog._tables[key] = table
    return table


def _build(programs: Sequence[Program], city_regions) -> ProgramTable:
    # resplan.facts.program_facts is the one definition of a program's facts; the table
    # holds the same values column by column. Region names depend on the plan's regions,
    # so the screen stage adds that column itself.
    rows = [F.program_facts(p, city_regions) for p in programs]
    table = ProgramTable(_objects(list(programs)), {}, {}, {})
    for index, (name, fact) in enumerate(F.PROGRAM_FACTS.items(), 1):
        if name == "program.region_name":
            continue
        table.bit[name] = index
        table.add_column(name, [row.get(name) for row in rows], fact.type, index)
    return table


@attrs.define
class Outcome:
    """One rule over the table: where it fires, and where it is undecided and why."""

    rule: Rule
    fired: np.ndarray
    undecided: np.ndarray
    bits: np.ndarray


def evaluate(rules: Sequence[Rule], table: ProgramTable, env: Mapping[str, Any]) -> list[Outcome]:
    frame = table.frame(env)
    outcomes = []
    for rule in rules:
        truth = rule.columns(frame) if rule.columns is not None else _row_by_row(rule, table, env)
        fired = np.asarray(truth.true, dtype=bool)
        undecided = ~(fired | np.asarray(truth.false, dtype=bool))
        outcomes.append(Outcome(rule, fired, undecided, np.asarray(truth.bits, dtype=np.uint64)))
    return outcomes


def _row_by_row(rule: Rule, table: ProgramTable, env: Mapping[str, Any]) -> Truth:
    rows = table.rows
    true, false = np.zeros(rows, bool), np.zeros(rows, bool)
    bits = np.zeros(rows, np.uint64)
    for index in range(rows):
        result = rule.condition(table.row_env(env, index, table.raw))
        if result is True:
            true[index] = True
        elif result is False:
            false[index] = True
        elif is_unknown(result):
            for name in result.facts:
                if name in table.bit:
                    bits[index] |= np.uint64(1 << table.bit[name])
    return Truth(true, false, bits)


def fields_of(bits: int, table: ProgramTable) -> tuple[str, ...]:
    """Program fields (``min_step2ck``) named by a row's unknown-fact bits, sorted."""
    return _fields(bits, tuple(table.bit.items()))


@functools.lru_cache(maxsize=4096)
def _fields(bits: int, bit_items: tuple) -> tuple[str, ...]:
    return tuple(sorted(name.removeprefix("program.") for name, b in bit_items
                        if bits & (1 << b)))


class Citations:
    """Reasons for fired rules, rendered once per distinct set of values they mention.

    Many programs get the same message (the same tier rule, the same region); a Reason
    is immutable, so they share one.
    """

    def __init__(self, table: ProgramTable, env: Mapping[str, Any], labels: Mapping[str, str]):
        self.table, self.env, self.labels = table, env, labels
        self.cache: dict[tuple, Any] = {}
        self.names: dict[str, tuple[str, ...]] = {}  # per rule: the columns its message reads

    def __call__(self, rule: Rule, index: int):
        names = self.names.get(rule.qualified_id)
        if names is None:
            names = self.names[rule.qualified_id] = tuple(
                sorted(n for n in rule.says.names if n in self.table.raw))
        key = (rule.qualified_id, *(self.table.raw[n][index] for n in names))
        reason = self.cache.get(key)
        if reason is None:
            says = rule.says.render(self.table.row_env(self.env, index, names), self.labels)
            reason = self.cache[key] = Reason(rule.qualified_id, says)
        return reason
