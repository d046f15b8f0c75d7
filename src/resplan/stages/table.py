"""Rules over a table of programs: what the screen and tier stages share.

:func:`catalog_table` lays a catalog out as columns, one per program fact, once per
catalog (a catalog is planned against many times); each plan selects the rows of the
specialties it considers, and a selection takes a column's rows only when a rule first
reads it. :func:`evaluate` asks a stage's rules of every row at once and says, per rule,
which programs it fires for and which it cannot decide for want of a fact. A rule
without a column form is asked program by program with its ordinary closure, with the
same answers. :class:`Citations` turns fired rules into reasons, rendering each distinct
message once.
"""

from __future__ import annotations

import collections
import functools
import itertools
import operator
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, cast

import attrs
import numpy as np

from resplan import facts as F
from resplan.model import Catalog, Program, ProgramColumns
from resplan.plan import Reason
from resplan.rulebook import Rule
from resplan.rules import BOOL, NUMBER, is_unknown
from resplan.rules.columns import Col, Deferred, Frame, Truth, plugin_free, take_rows
from resplan.rules.columns import object_array as _objects
from resplan.stages.common import guesses, with_guesses


def _factorize(values: Sequence) -> tuple[np.ndarray, tuple]:
    """Integer codes for ``values`` and the distinct values they index, in first-seen order."""
    distinct = dict.fromkeys(values)
    if len(distinct) == len(values):  # each value its own (ids, names): no index to look up
        return np.arange(len(values), dtype=np.int32), tuple(distinct)
    index = {value: code for code, value in enumerate(distinct)}
    # Looked up by the dict's own method from C: a generator would cost a frame per value.
    codes = np.fromiter(map(index.__getitem__, values), np.int32, len(values))
    return codes, tuple(distinct)


def _column(values: Sequence, fact_type, bit: int) -> tuple[np.ndarray, Col]:
    """A fact's plain values (an object array, None where unknown) and its column."""
    raw = _objects(values)
    known = np.fromiter(map(operator.is_not, values, itertools.repeat(None)), bool, len(values))
    codes = categories = None
    if fact_type == NUMBER:
        array = np.where(known, raw, np.nan).astype(float)
    elif fact_type == BOOL:
        array = raw.astype(bool)
    else:
        array = raw
        try:  # text and sets repeat: tests of them are asked once per distinct value
            codes, categories = _factorize(values)
        except TypeError:  # an unhashable value
            pass
        else:
            if len(categories) < len(values):
                # Rows with equal values hold one object: a smaller, quicker catalog cache.
                raw = array = _objects(categories)[codes]
    # A scalar 0 stands for no bits in any row (resplan.rules.columns): a column every
    # program gives needs no array of them. The bits are kept in the narrowest unsigned
    # type that holds this fact's bit (a million programs, a dozen facts); NumPy widens
    # them where facts are combined, and each rule's outcome is 64-bit (evaluate).
    bits: Any = (
        np.where(known, 0, 1 << bit).astype(_bits_type(bit)) if bit and not known.all() else 0
    )
    return raw, Col(array, known, bits, codes, categories, raw)


def _index(codes: np.ndarray) -> np.ndarray:
    """``codes`` in NumPy's index type. A catalog's table keeps its codes narrow (int32:
    a million programs); a selection reads its codes as indexes (a test of a coded
    column, a column coded by specialty or sub-region), and NumPy takes an array at
    indexes of another integer type two to three times slower."""
    return codes.astype(np.intp, copy=False)


def _bits_type(bit: int) -> type:
    return next(t for t in (np.uint8, np.uint16, np.uint32, np.uint64) if bit < np.iinfo(t).bits)


def _take_col(col: Col, rows: np.ndarray) -> Col:
    # Taking an object array costs about ten times a number array: text and sets are
    # their own plain values (taken once), and a number's plain values wait for a use.
    values = col.values[rows]
    raw = col.plain()
    if raw is col.values:
        raw = values
    elif raw is not None:
        raw = Deferred(raw, rows)
    return Col(
        values,
        col.known[rows],
        col.bits[rows] if isinstance(col.bits, np.ndarray) else col.bits,
        _index(col.codes[rows]) if col.codes is not None else None,
        col.categories,
        raw,
    )


class _Selected(Mapping):
    """A base table's columns restricted to some rows, each taken on first use.

    ``taken`` may be shared by every plan that selects the same rows (a cache of the
    base table); what one plan adds goes to its own ``added`` and never reaches the
    others. An added column may be a function, called on first use: a plan adds columns
    (region names, specialty facts) that its rules may never read.
    """

    def __init__(self, base: Mapping, take: Callable[[Any], Any], taken: dict | None = None):
        self._base, self._take = base, take
        self._taken = {} if taken is None else taken
        self._added: dict = {}

    def __getitem__(self, name: str):
        value = self._added.get(name)
        if value is not None:
            if value.__class__ is _Lazy:
                value = self._added[name] = value.get()
            return value
        value = self._taken.get(name)
        if value is None:
            value = self._taken[name] = self._take(self._base[name])
        return value

    def get(self, name: str, default=None):
        # Frame.fact asks for the applicant's facts here too: no KeyError raised for them.
        if name in self._added or name in self._base:
            return self[name]
        return default

    def __setitem__(self, name: str, value) -> None:
        self._added[name] = value

    def __contains__(self, name) -> bool:
        return name in self._added or name in self._base

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self._base, *self._added]))

    def __len__(self) -> int:
        return len(set(self._base) | set(self._added))

    def shares(self, names: tuple) -> bool:
        """Whether every one of ``names`` is a base column this plan did not add to."""
        base, added = self._base, self._added
        return all(name in base and name not in added for name in names)


class _Lazy:
    """A value made on first use, once."""

    __slots__ = ("make", "value")

    def __init__(self, make: Callable[[], Any]):
        self.make, self.value = make, None

    def get(self):
        if self.value is None:
            self.value = self.make()
        return self.value


class _SelectedPrograms:
    """A selection's programs, taken from the base table's when read: a plan reads them
    once, in its own order (``ProgramDecisions.take``), so the programs (an object array,
    the slowest to take) are taken once, at the rows in that order."""

    __slots__ = ("source", "rows", "ready")

    def __init__(self, source, rows: np.ndarray):
        self.source, self.rows = source, rows
        # Whether every program of these rows is made (a catalog read as columns makes
        # each the first time a selection reads it): then they are read straight.
        self.ready = not isinstance(source, ProgramColumns)

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, order):
        """The programs at positions ``order`` of these rows (an integer array), or one."""
        source = self.source
        if source.__class__ is ProgramColumns:
            if not self.ready:
                source.make(self.rows)
                self.ready = True
            source = source.made
        return source[self.rows[order]]


class _Selection:
    """What every plan selecting the same rows of a table shares: the rows, their
    programs and keys, and the columns taken so far."""

    def __init__(self, table: ProgramTable, rows: np.ndarray):
        self.rows = rows
        self.programs = _SelectedPrograms(table.programs, rows)
        self.keys = table.keys.take(rows)
        self.columns: dict = {}
        self.raw: dict = {}
        self.key_codes: dict = {}
        self.outcomes: dict = {}
        self.kept: dict = {}
        self.partitions: dict = {}
        # Outcomes of rules that read the applicant's facts, by the values they read
        # (ProgramTable.facts_key), and the bytes they hold.
        self.by_facts: dict = {}
        self.by_facts_bytes = 0
        # What the screen and tier stages decided, by what decides it (decision_key), and
        # the bytes it holds.
        self.decided: dict = {}
        self.decided_bytes = 0


# How many row selections a table keeps: one per set of considered specialties, and a
# batch of applicants wishes for a few such sets.
SELECTIONS_KEPT = 16


@attrs.frozen
class Keys:
    """Per row: the program's place in the catalog, codes for its specialty and sub-region,
    and the rank of its id (for sorting without comparing strings)."""

    row: np.ndarray  # index into the catalog's programs
    specialty: np.ndarray  # codes into specialties
    specialties: tuple[str, ...]
    region: np.ndarray  # codes into regions
    regions: tuple[str, ...]  # sub-region ids; "none" outside every sub-region
    id_rank: np.ndarray

    def take(self, rows: np.ndarray) -> Keys:
        return attrs.evolve(
            self,
            row=self.row[rows],
            specialty=_index(self.specialty[rows]),
            region=_index(self.region[rows]),
            id_rank=self.id_rank[rows],
        )


class ProgramTable:
    """Programs as columns: ``columns`` for rules, ``raw`` for messages, ``bit`` per fact.

    ``memo`` belongs to the whole catalog's table and is shared by its selections: the
    writer keeps per-program text there, so a batch formats each program once.
    """

    # columns and raw: dicts, or _Selected views of a base table's (which take new columns)
    def __init__(
        self,
        programs: np.ndarray | ProgramColumns | _SelectedPrograms,
        columns: Any,
        raw: Any,
        bit: dict[str, int],
        keys: Keys,
        memo: dict | None = None,
    ):
        self.programs, self.columns, self.raw, self.bit, self.keys = (
            programs,
            columns,
            raw,
            bit,
            keys,
        )
        self.memo = {} if memo is None else memo
        self._selections: dict[bytes, _Selection] = {}
        # Message key codes of the columns this table shares with other plans (see
        # key_codes): a selection's are shared by every plan selecting the same rows.
        self._key_codes: dict = {}
        # Outcomes of rules that read nothing but this table's own columns (see evaluate),
        # shared like the key codes; and the results of such parts of rules (Frame.kept).
        self._outcomes: dict = {}
        self._kept: dict = {}
        # Messages' partitions of the rows (see partition), shared like the key codes.
        self._partitions: dict = {}
        # The columns this plan added as a code per row (add_coded_column): name -> the
        # codes and how many values they index.
        self._coded: dict = {}
        # A selection's base table and its rows there (select): what depends on the base
        # table's columns alone is worked out there once, and each selection takes its rows.
        self._parent: ProgramTable | None = None
        self._rows: Any = None  # an int array in a selection
        # Whether a selection takes from the base table what it can (see select), and how
        # many selections a base table has made.
        self._lift = False
        self._selections_made = 0
        self._selection: _Selection | None = None

    @property
    def rows(self) -> int:
        return len(self.keys.row)

    def __getstate__(self) -> dict:
        # Selections are a cache of the plans made in this process: a pickled table
        # (resplan's catalog cache) leaves them behind.
        state = dict(self.__dict__)
        # Reasons rendered for this process's plans are no part of the catalog either.
        state["memo"] = {k: v for k, v in self.memo.items() if k != _RENDERED}
        state["_selections"] = {}
        state["_key_codes"] = {}
        state["_outcomes"] = {}
        state["_kept"] = {}
        state["_partitions"] = {}
        state["_selections_made"] = 0
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_selections", {})
        self.__dict__.setdefault("_key_codes", {})
        self.__dict__.setdefault("_outcomes", {})
        self.__dict__.setdefault("_kept", {})
        self.__dict__.setdefault("_partitions", {})
        self.__dict__.setdefault("_coded", {})
        self.__dict__.setdefault("_parent", None)
        self.__dict__.setdefault("_lift", False)
        self.__dict__.setdefault("_selections_made", 0)
        self.__dict__.setdefault("_rows", None)
        self.__dict__.setdefault("_selection", None)

    @functools.cached_property
    def bit_items(self) -> tuple[tuple[str, int], ...]:
        return tuple(self.bit.items())

    def select(self, rows: np.ndarray) -> ProgramTable:
        """The table of ``rows`` (increasing positions). Selections of the same rows share
        the columns taken from this table, so a catalog planned again and again with the
        same specialties copies each column once."""
        key = rows.tobytes()
        selections = self._selections
        shared = selections.pop(key, None)
        if shared is None:
            if len(selections) >= SELECTIONS_KEPT:
                # The selection used longest ago goes (the dict is in order of use), not
                # all of them: a batch's common sets of specialties (Internal Medicine,
                # Family Medicine, both) stay while rarer sets come and go.
                del selections[next(iter(selections))]
            shared = _Selection(self, rows)
            self._selections_made += 1
        selections[key] = shared  # last: the one used most recently
        table = ProgramTable(
            shared.programs,
            _Selected(self.columns, lambda col: _take_col(col, rows), shared.columns),
            _Selected(self.raw, lambda values: values[rows], shared.raw),
            self.bit,
            shared.keys,
            self.memo,
        )
        table._key_codes, table._outcomes = shared.key_codes, shared.outcomes
        table._kept, table._partitions = shared.kept, shared.partitions
        table._parent, table._rows = self, rows
        # From a second set of specialties on, what depends on the catalog's columns alone
        # is worked out over the whole catalog once and taken to each selection's rows: a
        # catalog planned once (``resplan plan``) works out only its one selection's rows,
        # with no whole-catalog arrays to hold.
        table._lift = self._selections_made > 1
        table._selection = shared
        return table

    def add_column(self, name: str, values: Sequence, fact_type=None, bit: int = 0) -> None:
        self.raw[name], self.columns[name] = _column(values, fact_type, bit)

    def add_coded_column(
        self, name: str, codes: np.ndarray, values: Sequence, fact_type=None
    ) -> None:
        """A column whose value follows from a code per row: ``values[code]``. In a
        selection it is made when a rule or a message first reads it."""

        def made():
            raw, col = _column(values, fact_type, 0)
            return raw, _take_col(col, codes)

        self._coded[name] = (codes, len(values), values)

        if isinstance(self.columns, _Selected):
            both = _Lazy(made)
            self.columns[name] = _Lazy(lambda: both.get()[1])
            self.raw[name] = _Lazy(lambda: both.get()[0][codes])
        else:
            raw, self.columns[name] = made()
            self.raw[name] = raw[codes]

    def key_codes(self, name: str, percent: bool) -> tuple[np.ndarray, int] | None:
        """Non-negative codes per row, equal where the rows' message keys for ``name``
        are (``_Message.key``), and how many codes there can be; None for values with no
        code. A column this plan added itself (its values are the plan's) is coded anew."""
        columns = self.columns
        added = columns.__class__ is _Selected and name in columns._added
        found = None if added else self._key_codes.get((name, percent))
        if found is None:
            parent = self._parent
            if parent is not None and self._lift and not added and name in parent.columns:
                # Coded once over the whole catalog: the codes of these rows are the same.
                whole = parent.key_codes(name, percent)
                found = (whole[0][self._rows], whole[1]) if whole is not None else ()
            else:
                codes = _key_codes(columns[name], percent)
                found = (
                    (codes, int(codes.max()) + 1 if len(codes) else 1) if codes is not None else ()
                )
            if not added:
                self._key_codes[(name, percent)] = found
        return found or None

    def partition(self, names: tuple, percents: tuple) -> tuple | None:
        """Rows with the same message keys for ``names`` (``_Message.key``) in one part:
        the number of each row's part, read at ``at[row]`` when ``at`` is given (the parts
        of the whole base table, at this selection's rows there); ``at`` or None; how many
        parts there are; and where the reasons of the parts are kept (``_part_reasons``;
        None when they are not). A column this plan added as a code per row is parted by
        its codes, which may put rows with the same key in two parts (each is looked up
        by its key anyway). Kept for every plan selecting the same rows while the codes
        it was made from are the same; None for values with no code."""
        found = self._partitions.get((names, percents))
        # What the parts are made from, per name: None for a column of the base table,
        # the codes of a column added as codes; a plan's own values are parted anew.
        bases: list = []
        shared = True
        for name in names:
            coded = self._coded.get(name)
            if coded is not None:
                bases.append(coded[0])
            elif self.columns.__class__ is _Selected and name in self.columns._added:
                bases.append(object())
                shared = False
            else:
                bases.append(None)
        if found is not None and all(a is b for a, b in zip(found[0], bases)):
            return (*found[1], self._part_reasons(found[2], names))
        parent = self._parent
        if shared and parent is not None and self._lift:
            # The base table's columns, and columns coded by the rows' sub-region or
            # specialty: parted once over the whole catalog, by the same codes there.
            keys = {id(self.keys.region): "region", id(self.keys.specialty): "specialty"}
            kinds = tuple(None if base is None else keys.get(id(base)) for base in bases)
            if all(base is None or kind for base, kind in zip(bases, kinds)):
                whole = parent._whole_partition(names, percents, kinds, self._coded)
                if whole is None:
                    return None
                # The whole table's parts, read at this selection's rows where a message
                # cites them (nothing is taken for the rows it does not cite); their
                # reasons are kept with the whole table's partition.
                made = (whole[0][0], self._rows, whole[0][2])
                self._partitions[(names, percents)] = (tuple(bases), made, whole[1])
                return (*made, self._part_reasons(whole[1], names))
        codes = []
        for name, percent in zip(names, percents):
            coded = self._coded.get(name)
            if coded is None:
                coded = self.key_codes(name, percent)
            codes.append(coded)
        parted = _parts(self.rows, codes)
        if parted is None:
            return None
        made = (parted[0], None, parted[2])
        if shared:
            stores: dict = {}
            self._partitions[(names, percents)] = (tuple(bases), made, stores)
            return (*made, self._part_reasons(stores, names))
        return (*made, None)

    def _part_reasons(self, stores: dict, names: tuple) -> dict | None:
        """Where the reasons of a partition's parts are kept for this plan (``stores``
        belongs to the partition): one store per set of values of the columns this plan
        added as codes (a region's name is the plan's), which give the parts' keys with
        the base table's columns. None when those values cannot be a key."""
        coded = self._coded
        try:
            values = tuple(coded[name][2] for name in names if name in coded)
            store = stores.get(values)
        except TypeError:  # a value that cannot be a key: no reasons kept
            return None
        if store is None:
            if len(stores) >= PART_REASON_STORES:
                stores.clear()
            store = stores[values] = {}
        return store

    def facts_key(self, rule: Rule, env: Mapping[str, Any]) -> tuple | None:
        """What ``rule``'s outcome over this selection depends on besides its rows: the
        values of the applicant's facts it reads, and the values (per code) of the
        columns this plan added that it reads. Equal keys, equal outcomes; None when
        there is no key (a plan's own column not given as codes, a value that cannot be
        a key)."""
        columns = self.columns
        if columns.__class__ is not _Selected:
            return None
        key: list = [id(rule)]
        for name in _sorted_names(rule):
            if name in columns._added:
                coded = self._coded.get(name)
                if coded is None:
                    return None
                codes, _count, values = coded
                keys = self.keys
                if codes is keys.region:
                    key.append(("region", values))
                elif codes is keys.specialty:
                    key.append(("specialty", values))
                else:  # codes of this plan's own (its verdicts): told apart by their bytes
                    key.append((codes.dtype.str, codes.tobytes(), values))
            elif name not in columns._base:
                key.append(env.get(name, _ABSENT))
        try:
            hash(found := tuple(key))
        except TypeError:
            return None
        return found

    def _whole_partition(
        self, names: tuple, percents: tuple, kinds: tuple, coded: dict
    ) -> tuple[tuple[np.ndarray, np.ndarray, int], dict] | None:
        """``partition`` of this (base) table for a selection: a name of kind None is a
        column of this table, one of kind "region" or "specialty" a column the selection
        coded by that key (``coded``: the selection's codes and how many values they
        index); and where the reasons of its parts are kept (``_part_reasons``). Kept
        with this table."""
        key = ("whole", names, percents, kinds)
        found: tuple | None = self._partitions.get(key)
        if found is None:
            codes = []
            for name, percent, kind in zip(names, percents, kinds):
                if kind is None:
                    codes.append(self.key_codes(name, percent))
                else:
                    codes.append((getattr(self.keys, kind), coded[name][1]))
            found = self._partitions[key] = (_parts(self.rows, codes), {})
        return found if found[0] is not None else None

    def frame(self, env: Mapping[str, Any]) -> Frame:
        columns = self.columns
        if columns.__class__ is _Selected:
            whole = self._whole if self._lift and self._parent is not None else None
            return Frame(
                self.rows, columns, self.bit, env, self._kept, columns.shares, whole, parts={}
            )
        return Frame(self.rows, columns, self.bit, env, parts={})

    def _whole(self, part: Callable[[Frame], Any]) -> Any:
        """A kept part of a condition (it reads the base table's columns alone) over the
        whole base table, worked out there once and kept, taken to this selection's rows
        (a truth kept packed: see ``_pack``)."""
        parent = self._parent
        assert parent is not None  # only a selection has a whole table
        packed = parent._kept.get((_PACKED, part))
        if packed is None:
            packed = parent._kept[(_PACKED, part)] = _pack(part(self._parent_frame()))
        if packed.__class__ is not tuple:
            return take_rows(packed, self._rows)
        state, bits = packed
        state = state[self._rows]
        return Truth(state == _TRUE, state == _FALSE, bits[self._rows] if bits is not None else 0)

    def _parent_frame(self) -> Frame:
        """A frame of the whole base table for the parts every selection shares: it reads
        no applicant's fact, and keeps what it works out with the base table."""
        parent = self._parent
        assert parent is not None  # only a selection has a whole table
        return Frame(parent.rows, parent.columns, parent.bit, {}, parent._kept, _every)

    def whole_outcome(self, rule: Rule) -> Outcome | None:
        """``rule``'s outcome over the whole base table, taken to this selection's rows;
        None when the rule is asked of the selection alone (a selection's own table, a
        rule asked row by row, a plugin's function). For a rule that reads the base
        table's columns alone."""
        parent = self._parent
        if parent is None or not self._lift or rule.columns is None:
            return None
        found = parent._outcomes.get(id(rule))
        if found is None or found[0] is not rule:
            if not plugin_free(rule.condition.ast):
                found = parent._outcomes[id(rule)] = (rule, None, None)
            else:
                truth = rule.columns(self._parent_frame())
                outcome = _outcome(rule, truth, parent.rows)
                states = _states(outcome.fired, ~(outcome.fired | outcome.undecided))
                found = parent._outcomes[id(rule)] = (rule, states, _some_bits(outcome.bits))
        whole, bits = found[1], found[2]
        if whole is None:  # asked of each selection's own rows
            return None
        rows = self._rows
        state = whole[rows]
        return Outcome(
            rule,
            state == _TRUE,
            state == _UNDECIDED,
            bits[rows] if bits is not None else _no_bits(len(rows)),
        )

    def row_env(self, env: Mapping[str, Any], index: int, names) -> Mapping[str, Any]:
        """``env`` with one program's facts among ``names``; a fact it lacks is left out."""
        row, unknown = {}, []
        for name in names:
            if name in self.raw:
                value = self.raw[name][index]
                if value is None:
                    unknown.append(name)
                else:
                    row[name] = value
        hidden = [name for name in unknown if name in env]
        if hidden:  # the program does not know what env says: its unknown wins
            merged = {**env, **row}
            for name in hidden:
                del merged[name]
            return merged
        # ChainMap only reads env here (its writes would go to ``row``).
        return collections.ChainMap(row, env) if row else env  # type: ignore[arg-type]


def _parts(rows: int, codes: list) -> tuple[np.ndarray, np.ndarray, int] | None:
    """Rows with the same codes in every one of ``codes`` ((codes, how many) per name; None
    for a name with no codes) in one part: per row its part, a first row of each part,
    and how many parts there are."""
    code = np.zeros(rows, dtype=np.int64)
    span = 1  # how many codes the names so far can make
    for coded in codes:
        if coded is None:
            return None
        part, width = coded[0], coded[1]
        if span * width >= 1 << 62:
            code = unique_inverse(code)[1].astype(np.int64)
            span = int(code.max()) + 1
        code = code * width + part
        span *= width
    if rows:
        _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
    else:
        first = inverse = np.zeros(0, dtype=np.intp)
    return inverse.reshape(-1), first, len(first)


# The shape of what catalog_table builds. resplan.cache keeps built tables between runs
# under this number: raise it whenever a ProgramTable's parts change meaning or layout.
LAYOUT = 1


def table_key(city_regions: Mapping[tuple[str, str], str]) -> tuple:
    """What a catalog's table depends on besides its programs: the city table."""
    return tuple(sorted(city_regions.items()))


def catalog_table(catalog: Catalog, city_regions: Mapping[tuple[str, str], str]) -> ProgramTable:
    """Every program of the catalog as columns; built once per catalog and city table."""
    cached = catalog._tables.get("last")
    if cached is not None and cached[0] is city_regions:  # the same rulebook's city table
        return cached[1]
    key = table_key(city_regions)
    table = catalog._tables.get(key)
    if table is None:
        columns = catalog._columns
        if columns is None:
            table = _build(catalog.programs, city_regions)
        else:  # programs made when a selection first reads them
            table = _build(columns, city_regions, columns.values)
            columns.share(table.raw)  # the catalog's lists let go: the table holds them
        adopt_table(catalog, city_regions, table)
    catalog._tables["last"] = (city_regions, table)
    return table


def adopt_table(
    catalog: Catalog, city_regions: Mapping[tuple[str, str], str], table: ProgramTable
) -> None:
    """Give ``catalog`` its table for ``city_regions``, built before (resplan.cache)."""
    catalog._tables.clear()  # one city table at a time is all a run uses
    catalog._tables[table_key(city_regions)] = table
    catalog._tables["last"] = (city_regions, table)


def _increasing(values: Sequence) -> bool:
    """Whether each value is less than the next (compared from C, no index per value)."""
    return all(map(operator.lt, values, itertools.islice(values, 1, None)))


def _build(
    programs: Sequence[Program] | ProgramColumns,
    city_regions,
    columns: Mapping[str, list] | None = None,
) -> ProgramTable:
    # resplan.facts.program_facts is the one definition of a program's facts; the table
    # holds the same values column by column (program_fact_columns, tested equal). Region
    # names depend on the plan's regions, so the screen stage adds that column itself.
    # ``columns``: the programs' field values, when the catalog was read as columns;
    # ``programs`` is then their ProgramColumns, which makes programs as rows are selected.
    listed = () if isinstance(programs, ProgramColumns) else programs  # else read from columns
    facts = F.program_fact_columns(listed, city_regions, columns)
    specialty, specialties = _factorize(facts["program.specialty"])
    region, regions = _factorize(facts["program.region"])
    id_rank = np.empty(len(programs), dtype=np.int64)
    ids = facts["program.id"]
    if _increasing(ids):  # a catalog's programs are sorted by id
        id_rank[:] = np.arange(len(programs))
    else:
        id_rank[sorted(range(len(programs)), key=ids.__getitem__)] = np.arange(len(programs))
    keys = Keys(np.arange(len(programs)), specialty, specialties, region, regions, id_rank)
    made = programs if isinstance(programs, ProgramColumns) else _objects(list(programs))
    table = ProgramTable(made, {}, {}, {}, keys)
    for index, (name, fact) in enumerate(F.PROGRAM_FACTS.items(), 1):
        if name == "program.region_name":
            continue
        table.bit[name] = index
        table.add_column(name, facts.get(name) or [None] * len(programs), fact.type, index)
    return table


@attrs.define
class Outcome:
    """One rule over the table: where it fires, and where it is undecided and why."""

    rule: Rule
    fired: np.ndarray
    undecided: np.ndarray
    bits: np.ndarray


def evaluate(rules: Sequence[Rule], table: ProgramTable, env: Mapping[str, Any]) -> list[Outcome]:
    """Each rule's outcome over ``table`` (read-only arrays: they may be shared).

    A rule that reads only program facts the table shares with other plans (not a column
    this plan added, nothing of the applicant) has the same outcome for every plan that
    selects the same rows: it is asked once per selection, and for a selection, of the
    whole base table once (ProgramTable.whole_outcome).
    """
    frame = table.frame(env)
    outcomes = []
    columns, kept, selection = table.columns, table._outcomes, table._selection
    for rule in rules:
        shared = columns.__class__ is _Selected and all(
            name in columns._base and name not in columns._added for name in rule.condition.names
        )
        key = None
        if shared:
            found = kept.get(id(rule))
            if found is not None and found.rule is rule:
                outcomes.append(found)
                continue
            outcome = table.whole_outcome(rule)
            if outcome is not None:
                kept[id(rule)] = outcome
                outcomes.append(outcome)
                continue
        elif selection is not None:
            # A rule that reads the applicant's facts: the same values, the same outcome.
            key = table.facts_key(rule, env)
            if key is not None:
                found = selection.by_facts.get(key)
                if found is not None and found.rule is rule:
                    outcomes.append(found)
                    continue
        truth = rule.columns(frame) if rule.columns is not None else _row_by_row(rule, table, env)
        outcome = _outcome(rule, truth, table.rows)
        if shared:
            kept[id(rule)] = outcome
        elif key is not None and selection is not None:
            size = outcome.fired.nbytes + outcome.undecided.nbytes + outcome.bits.nbytes
            if selection.by_facts_bytes + size > FACT_OUTCOMES_BYTES:
                selection.by_facts.clear()
                selection.by_facts_bytes = 0
            selection.by_facts[key] = outcome
            selection.by_facts_bytes += size
        outcomes.append(outcome)
    return outcomes


# How many bytes of rule outcomes a selection keeps by the applicant's facts they read (a
# batch of applicants shares most of them: a visa, a score band): about a hundred
# outcomes of a national plan's 4,000 programs.
FACT_OUTCOMES_BYTES = 4 << 20
_ABSENT = object()  # a fact the env does not hold (told apart from one held as None)


def decision_key(
    rules: Sequence[Rule],
    table: ProgramTable,
    outcomes: Sequence[Outcome],
    env: Mapping[str, Any],
    guessed: Mapping[str, tuple],
    labels: Mapping[str, str],
    given: tuple = (),
) -> tuple[tuple, tuple] | None:
    """What a stage's decisions over ``table`` (a selection) rest on besides its rows,
    and the objects whose ids that names; None when there is no such key.

    The verdicts, tiers, reasons and facts to verify of the screen and tier stages follow
    from: the outcome of each rule (the same Outcome object for the same values read:
    see evaluate), the values per code of the columns the plan added (``given``, with
    what an earlier stage's key names), the applicant's facts the messages print, the
    profile's gaps the rules rest on (their sentences lead a message) and the rulebook's
    labels. Objects are named by id, so the holder of the key holds them too (``refs``):
    an id then stays its object's.
    """
    if table._selection is None:
        return None
    printed, read = _rule_names(rules)
    try:
        key = (
            tuple(map(id, outcomes)),
            id(labels),
            tuple(env.get(name, _ABSENT) for name in printed),
            tuple(
                (name, tuple((gap.key, gap.says) for gap in guessed[name]))
                for name in read
                if name in guessed
            ),
            given,
        )
        hash(key)
    except TypeError:  # a value that cannot be a key: decided anew
        return None
    return key, (tuple(outcomes), labels)


def _rule_names(rules: Sequence[Rule]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The names the rules' messages print and the names they read or print, sorted
    (kept per sequence of rules: a rulebook gives the same tuple for a stage)."""
    found = _RULE_NAMES.get(id(rules))
    if found is None or found[0] is not rules:
        printed: set[str] = set()
        read: set[str] = set()
        for rule in rules:
            said = rule.says.names if rule.says else frozenset()
            printed |= said
            read |= rule.condition.names | said
        if len(_RULE_NAMES) >= 256:
            _RULE_NAMES.clear()
        found = _RULE_NAMES[id(rules)] = (rules, tuple(sorted(printed)), tuple(sorted(read)))
    return found[1], found[2]


_RULE_NAMES: dict[int, tuple[Sequence[Rule], tuple[str, ...], tuple[str, ...]]] = {}


def decided(table: ProgramTable, key: tuple | None) -> Any:
    """What a stage kept under ``key`` (decision_key) for ``table``'s selection, or None."""
    selection = table._selection
    if key is None or selection is None:
        return None
    found = selection.decided.get(key)
    return None if found is None else found[1]


def keep_decided(
    table: ProgramTable, key: tuple | None, refs: tuple, value: tuple, arrays: Sequence[np.ndarray]
) -> None:
    """Keep ``value`` under ``key`` with ``table``'s selection, holding ``refs`` with it.
    ``arrays`` are the arrays it holds: read-only from now on, as later plans share them."""
    selection = table._selection
    if key is None or selection is None:
        return
    size = sum(array.nbytes for array in arrays)
    if size > DECIDED_BYTES:  # a plan of a very large catalog: not kept
        return
    for array in arrays:
        array.flags.writeable = False
    if selection.decided_bytes + size > DECIDED_BYTES:
        selection.decided.clear()
        selection.decided_bytes = 0
    selection.decided[key] = (refs, value)
    selection.decided_bytes += size


# How many bytes of decisions a selection keeps (decided): the screening and tiering of
# about eight national plans, for a batch of applicants in the same few situations and
# the what-if changes that leave a plan's decisions as they are.
DECIDED_BYTES = 4 << 20


def _sorted_names(rule: Rule) -> tuple[str, ...]:
    """The facts a rule's condition reads, sorted (kept per rule)."""
    found = _SORTED_NAMES.get(id(rule))
    if found is None or found[0] is not rule:
        if len(_SORTED_NAMES) >= 4096:
            _SORTED_NAMES.clear()
        found = _SORTED_NAMES[id(rule)] = (rule, tuple(sorted(rule.condition.names)))
    return found[1]


_SORTED_NAMES: dict[int, tuple[Rule, tuple[str, ...]]] = {}


# A truth over a whole base table, as the selections take it (_pack): one state per row
# and the bits, so that a selection takes one array of bytes where it took two masks,
# and no bits where no row has any.
_FALSE, _TRUE, _UNDECIDED = 0, 1, 2
_PACKED = "packed"  # with a kept part, the key of its packed truth in a base table's _kept


def _states(true: np.ndarray, false: np.ndarray) -> np.ndarray:
    """Per row: _TRUE, _FALSE, or _UNDECIDED where it is neither."""
    state = np.full(len(true), _UNDECIDED, dtype=np.int8)
    state[true] = _TRUE
    state[false] = _FALSE
    return state


def _some_bits(bits: Any) -> np.ndarray | None:
    """``bits`` when some row has some, else None."""
    return bits if bits.__class__ is np.ndarray and bits.any() else None


def _pack(value: Any) -> Any:
    """A kept part's result over a whole base table as its selections take it: a truth
    whose masks are arrays, as (states, bits or None); anything else as it is."""
    if (
        value.__class__ is not Truth
        or value.same is not None
        or value.true.__class__ is not np.ndarray
        or value.false.__class__ is not np.ndarray
        or (value.bits.__class__ is not np.ndarray and value.bits != 0)
    ):
        return value
    return _states(value.true, value.false), _some_bits(value.bits)


def _outcome(rule: Rule, truth: Truth, rows: int) -> Outcome:
    fired = np.asarray(truth.true, dtype=bool)
    undecided = ~(fired | np.asarray(truth.false, dtype=bool))
    bits = truth.bits
    # No bits in any row: one shared read-only array of zeros (outcomes are read-only).
    bits = bits.astype(np.uint64, copy=False) if bits.__class__ is np.ndarray else _no_bits(rows)
    return Outcome(rule, fired, undecided, bits)


def _no_bits(rows: int) -> np.ndarray:
    found = _NO_BITS.get(rows)
    if found is None:
        found = np.zeros(rows, dtype=np.uint64)
        found.flags.writeable = False
        if len(_NO_BITS) >= 64:  # a process plans a few table sizes: bounded all the same
            _NO_BITS.clear()
        _NO_BITS[rows] = found
    return found


_NO_BITS: dict[int, np.ndarray] = {}


def _every(names: tuple) -> bool:
    """``Frame.shares`` of a base table: every column is its own."""
    return True


def _row_by_row(rule: Rule, table: ProgramTable, env: Mapping[str, Any]) -> Truth:
    rows = table.rows
    true, false = np.zeros(rows, bool), np.zeros(rows, bool)
    bits = np.zeros(rows, np.uint64)
    names = list(table.raw)
    for index in range(rows):
        result = rule.condition(dict(table.row_env(env, index, names)))
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
    # Kept with the catalog's table: an lru_cache would hash the table's bits every call.
    known = table.memo.get(_FIELDS_OF)
    if known is None:
        known = table.memo[_FIELDS_OF] = {}
    fields = known.get(bits)
    if fields is None:
        fields = known[bits] = _fields(bits, table.bit_items)
    return fields


_FIELDS_OF = "table.fields_of"  # the key of fields_of's answers in a table's memo


@functools.lru_cache(maxsize=4096)
def _fields(bits: int, bit_items: tuple) -> tuple[str, ...]:
    return tuple(sorted(name.removeprefix("program.") for name, b in bit_items if bits & (1 << b)))


NOT_CITED = -1


class Citations:
    """Reasons for fired rules, numbered; each distinct message is rendered once.

    Many programs get the same message (the same tier rule, the same region); a rule's
    message is rendered once per distinct set of program values it mentions, and the
    programs carry its number.
    """

    def __init__(
        self,
        env: Mapping[str, Any],
        labels: Mapping[str, str],
        guessed: Mapping[str, tuple] | None = None,
    ):
        self.env, self.labels = env, labels
        # Facts that are worst-value guesses for gaps of the profile: a rule reading one
        # says so first (resplan.stages.common.with_guesses).
        self.guessed = guessed or {}
        self.reasons: list[Reason] = []
        # Each reason's number, by the reason's id (the list holds the reasons, so their
        # ids stay theirs). Within a plan a rule's key gives one Reason object and one
        # Reason stands for one key (_Message.reason), so this numbers keys as well.
        self._numbers: dict[int, int] = {}

    def without_guesses(self) -> Citations:
        """Citations that number into these same reasons (shared, not copied) but cite
        with no gap of the profile said first."""
        other = Citations(self.env, self.labels, {})
        other.reasons, other._numbers = self.reasons, self._numbers
        return other

    def copy(self, env: Mapping[str, Any], guessed: Mapping[str, tuple] | None) -> Citations:
        """These reasons and numbers, to cite more for a plan of ``env`` (whose printed
        facts and gaps are those these were cited with)."""
        other = Citations(env, self.labels, guessed)
        other.reasons, other._numbers = list(self.reasons), dict(self._numbers)
        return other

    def number(self, reason: Reason) -> int:
        """``reason``'s number, the next one when it is cited first."""
        number = self._numbers.get(id(reason))
        if number is None:
            number = self._numbers[id(reason)] = len(self.reasons)
            self.reasons.append(reason)
        return number

    def cite(
        self,
        rule: Rule,
        table: ProgramTable,
        where: np.ndarray,
        codes: RowCodes | None = None,
    ) -> np.ndarray:
        """Per row of ``table``: the number of ``rule``'s reason where ``where`` holds, else -1.

        Rows are parted by the values the message mentions (``ProgramTable.partition``),
        so a rule's message is looked up once per part cited, not once per row. ``codes``,
        when given, takes in the rows cited and their numbers.
        """
        rows = where.nonzero()[0]  # the method: np.flatnonzero costs two more calls
        if not len(rows):
            return nothing_cited(table.rows)
        out = nothing_cited(table.rows).copy()  # quicker than np.full
        names = tuple(sorted(n for n in rule.says.names if n in table.raw)) if rule.says else ()
        message = _Message(self, rule, table, names)
        if not names:
            number = self.number(message.reason((rule.qualified_id,), int(rows[0])))
            out[rows] = number
            if codes is not None:
                codes.add(rows, 1, 2)
            return out
        parted = table.partition(names, message.percent)
        if parted is None:  # values with no code (unhashable): key by the values themselves
            return self._cite_rows(message, rows, out, codes)
        part_of, at, parts, store = parted
        inverse = part_of[rows] if at is None else part_of[at[rows]]
        present = np.zeros(parts, dtype=bool)
        present[inverse] = True
        cited_parts = present.nonzero()[0]
        # The reasons of the parts, kept with the partition for the message's words: a
        # later plan with the same words looks its parts' reasons up by number, not by
        # their values (most parts: an IMG share, a sub-region, come back plan after plan).
        kept = None
        if store is not None and parts <= PART_REASONS_MAX:
            rendered = message.rendered
            kept = store.get(id(rendered))
            if kept is None or kept[0] is not rendered:
                if len(store) >= PART_REASON_STORES:
                    store.clear()
                kept = store[id(rendered)] = (rendered, _objects([None] * parts))
            kept = kept[1]
            reasons = kept[cited_parts].tolist()
        else:
            reasons = [None] * len(cited_parts)
        if None in reasons:  # rendered (or found by key) from one row of the part
            missing = [i for i, reason in enumerate(reasons) if reason is None]
            # A row cited in each part (written from the last back: the first one; any
            # row of a part gives the same key).
            first_of = np.empty(parts, dtype=np.intp)
            first_of[inverse[::-1]] = rows[::-1]
            firsts = first_of[cited_parts[missing]]
            for i, key, index in zip(missing, message.keys(firsts), firsts.tolist()):
                reasons[i] = message.reason(key, index)
            if kept is not None:
                kept[cited_parts[missing]] = _objects([reasons[i] for i in missing])
        # Numbers looked up from C; the reasons cited first here are numbered in order.
        found = list(map(self._numbers.get, map(id, reasons)))
        if None in found:
            numbered = self.number
            found = [numbered(r) if g is None else g for g, r in zip(found, reasons)]
        given = cast("list[int]", found)  # every reason has its number now
        numbers = np.empty(parts, dtype=np.int32)
        numbers[cited_parts] = given
        cited = numbers[inverse]
        out[rows] = cited
        if codes is not None:
            # The numbers of the parts cited are those of the rows: their range is known
            # without a pass over the rows.
            low = min(given)
            codes.add(rows, cited - (low - 1), max(given) - low + 2)
        return out

    def _cite_rows(
        self, message: _Message, rows: np.ndarray, out: np.ndarray, codes: RowCodes | None
    ) -> np.ndarray:
        """``cite`` row by row: the key of each row made from its values."""
        number, reason, key = self.number, message.reason, message.key
        out[rows] = [number(reason(key(index), index)) for index in rows.tolist()]
        if codes is not None:
            cited = out[rows]
            low = int(cited.min())
            codes.add(rows, cited - (low - 1), int(cited.max()) - low + 2)
        return out


def nothing_cited(rows: int) -> np.ndarray:
    """A column that cites nothing, shared (read-only) by every rule that cites no row."""
    found = _NOTHING_CITED.get(rows)
    if found is None:
        found = np.full(rows, NOT_CITED, dtype=np.int32)
        found.flags.writeable = False
        if len(_NOTHING_CITED) >= 64:
            _NOTHING_CITED.clear()
        _NOTHING_CITED[rows] = found
    return found


_NOTHING_CITED: dict[int, np.ndarray] = {}


class RowCodes:
    """An exact code per row for the reasons cited so far: two rows have the same code
    exactly when the same rules cite the same reasons for them.

    Each rule's citations add their values (1 and up; 0 where the rule cites nothing)
    times the number of codes the rules before could make, at the cited rows only: a
    rule that cites a few rows costs a few rows. Codes are renumbered densely whenever
    they could outgrow 62 bits.
    """

    def __init__(self, rows: int):
        self.code = np.zeros(rows, dtype=np.int64)
        self.span = 1  # how many codes the rules so far can make

    def copy(self) -> RowCodes:
        return RowCodes.of(self.code.copy(), self.span)

    @staticmethod
    def of(code: np.ndarray, span: int) -> RowCodes:
        """Codes ``code`` that the rules so far could make ``span`` of (not copied)."""
        other = RowCodes(0)
        other.code, other.span = code, span
        return other

    def add(self, rows: np.ndarray, values: Any, width: int) -> None:
        """Rows ``rows`` get ``values`` (each in 1 .. width - 1) of a new rule."""
        if self.span * width >= 1 << 62:
            inverse = unique_inverse(self.code)[1]
            self.code = inverse.astype(np.int64)
            self.span = int(inverse.max()) + 1
        if self.span == 1:
            self.code[rows] = values
        else:
            self.code[rows] += np.multiply(values, self.span, dtype=np.int64)
        self.span *= width

    def distinct(self) -> tuple[np.ndarray, np.ndarray]:
        """A row of each distinct code (in increasing code; rows of one code have the same
        reasons, so any of them stands for all) and each row's index among them."""
        code = self.code
        rows = len(code)
        if not rows:
            return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.intp)
        # NumPy's default sort: several times quicker than a stable one on these codes
        # (NumPy 2's sorting networks), and no row of a code is preferred to another.
        order = np.argsort(code)
        ordered = code[order]
        starts = np.empty(rows, dtype=bool)
        starts[0] = True
        np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
        inverse = np.empty(rows, dtype=np.intp)
        inverse[order] = np.cumsum(starts) - 1
        return order[starts], inverse


class _Message:
    """One rule's message in one plan: the parts that do not depend on the program are
    filled in once, and each distinct program key is rendered once."""

    def __init__(self, citations: Citations, rule: Rule, table: ProgramTable, names: tuple):
        self.citations, self.rule, self.table, self.names = citations, rule, table, names
        env, labels = citations.env, citations.labels
        words = _rule_words(table.memo, rule, labels)
        self._sources: tuple | None = None
        # A percentage counts by the text it prints: round(value * 100), half to even.
        self.percent = tuple(
            name in words.percent and _source(table, name)[0].values.dtype.kind == "f"
            for name in names
        )
        self.gaps = gaps = guesses(rule, citations.guessed)
        said = tuple([gap.says for gap in gaps]) if gaps else ()
        # The applicant's facts the message prints, by value: a plan with the same
        # values fills the message in the same words.
        others = words.others.get(names)
        if others is None:
            others = words.others[names] = tuple(
                sorted(rule.says.names - set(names)) if rule.says else ()
            )
        try:
            context = (names, tuple(map(env.get, others)), said)
            found = words.contexts.get(context)
        except TypeError:  # a value that cannot be a key: filled in, kept by its words
            context, found = None, None
        if found is None:
            filled = _fill(rule, names, env, labels)
            found = words.filled(context, filled, said)
        # The reasons rendered before with the same words, by key: kept with the
        # catalog's table, so later plans look them up.
        self.parts: list = found[0]
        self.rendered: dict = found[1]

    @property
    def sources(self) -> tuple:
        """Where each name's values are read: a column of the whole base table, at the
        catalog rows of this table's rows (a selection need not take the column for the
        few rows a message reads), or this table's own. Found when first read: a message
        whose reasons are kept with the partition reads no values."""
        if self._sources is None:
            self._sources = tuple(_source(self.table, name) for name in self.names)
        return self._sources

    def key(self, index: int) -> tuple:
        """What tells row ``index``'s message from others': the values, or the percentage."""
        key: list[Any] = [self.rule.qualified_id]
        for (column, raw, rows), percent in zip(self.sources, self.percent):
            at = index if rows is None else int(rows[index])
            if percent:
                key.append(float(np.rint(column.values[at] * 100)) if column.known[at] else -np.inf)
            else:
                key.append(raw[at])
        return tuple(key)

    def keys(self, indexes: np.ndarray) -> list[tuple]:
        """``key`` of each row of ``indexes``, taken column by column."""
        parts: list[list] = []
        for (column, raw, rows), percent in zip(self.sources, self.percent):
            at = indexes if rows is None else rows[indexes]
            if percent:
                printed = np.where(column.known[at], np.rint(column.values[at] * 100), -np.inf)
                parts.append(printed.tolist())
            else:
                parts.append(raw[at].tolist())
        return list(zip(itertools.repeat(self.rule.qualified_id, len(indexes)), *parts))

    def reason(self, key: tuple, index: int) -> Reason:
        """The reason ``key`` stands for, rendering it from row ``index`` the first time."""
        reason = self.rendered.get(key)
        if reason is None:
            if self.rule.says:
                # The program's own values, None where unknown: they print as "unknown".
                labels = self.citations.labels
                values = {}
                for name, (_column, raw, rows) in zip(self.names, self.sources):
                    values[name] = raw[index if rows is None else int(rows[index])]
                says = "".join(
                    part if part.__class__ is str else part[2](values[part[0]], labels)
                    for part in self.parts
                )
            else:
                says = ""
            reason = Reason(self.rule.qualified_id, with_guesses(says, self.gaps))
            self.rendered[key] = reason
        return reason


def _source(table: ProgramTable, name: str) -> tuple[Col, Any, np.ndarray | None]:
    """Where a message reads ``name`` of ``table``'s rows: the column and plain values of
    the whole base table and the base rows of this table's rows, when the column is the
    base table's own; else this table's column and values, and None."""
    parent, columns = table._parent, table.columns
    if parent is not None and name in parent.columns and name not in columns._added:
        return parent.columns[name], parent.raw[name], table._rows
    return columns[name], table.raw[name], None


def _fill(rule: Rule, names: tuple, env: Mapping[str, Any], labels) -> list:
    """The rule's message with everything but the program's values among ``names``
    filled in, as Template.render does: text, and a part per program value left open."""
    filled: list = []
    for part in rule.says.parts if rule.says else ():
        if part.__class__ is str:
            text = part
        elif part[0] is None:
            text = part[2](part[1], labels)
        elif part[0] in names:
            filled.append(part)
            continue
        else:
            text = part[2](env.get(part[0]), labels)
        if filled and filled[-1].__class__ is str:
            filled[-1] += text
        else:
            filled.append(text)
    return filled


# A partition keeps its parts' reasons (Citations.cite) for this many sets of values of
# the columns a plan adds (ProgramTable._part_reasons), and for each, this many rules'
# words; a partition of more parts than PART_REASONS_MAX keeps none (a million programs,
# each its own part, would hold an array of a million per rule).
PART_REASON_STORES = 64
PART_REASONS_MAX = 1 << 16
_RENDERED = "table.rendered"  # the key of the rendered reasons in a table's memo
# How many sets of the applicant's words a rule keeps rendered reasons for (a batch of
# applicants brings many scores and visas): past it, the rule's reasons are rendered anew.
RENDERED_CONTEXTS = 64
# How many rules keep them: a process may plan with several rulebooks (a test suite does).
RENDERED_RULES = 1024


class _RuleWords:
    """What one rule's message keeps from plan to plan (with ``labels``): which of its
    names print as percentages, and per set of the applicant's words (``contexts``), the
    message filled in and the reasons rendered from it, by key (``_Message.key``).

    A key holds the program's values the message prints (a percentage as the number it
    prints), so the same key renders the same text: values that compare equal print the
    same (220 and 220.0 both print 220), and the context holds all the rest.
    """

    def __init__(self, rule: Rule, labels: Mapping[str, str]):
        self.rule, self.labels = rule, labels
        parts = rule.says.parts if rule.says else ()
        self.percent = frozenset(
            name
            for name in (rule.says.names if rule.says else ())
            if {p[1] for p in parts if p.__class__ is tuple and p[0] == name} == {"percent"}
        )
        self.others: dict[tuple, tuple] = {}  # per names the program gives, the others
        self.contexts: dict = {}  # (names, the others' values, gaps) -> (filled, rendered)
        self._by_words: dict = {}  # (filled words, gaps) -> rendered

    def filled(self, context: tuple | None, filled: list, said: tuple) -> tuple[list, dict]:
        """``filled`` and its rendered reasons, kept under ``context`` (None: not kept)."""
        if len(self.contexts) >= RENDERED_CONTEXTS or len(self._by_words) >= RENDERED_CONTEXTS:
            self.contexts.clear()
            self._by_words.clear()
        # Two contexts that fill the message in the same words share their reasons.
        words = (tuple(filled), said)
        rendered = self._by_words.get(words)
        if rendered is None:
            rendered = self._by_words[words] = {}
        if context is not None:
            self.contexts[context] = (filled, rendered)
        return filled, rendered


def _rule_words(memo: dict, rule: Rule, labels: Mapping[str, str]) -> _RuleWords:
    """What ``rule``'s message keeps with ``labels`` in a catalog table's ``memo``."""
    by_rule = memo.get(_RENDERED)
    if by_rule is None or len(by_rule) >= RENDERED_RULES:
        by_rule = memo[_RENDERED] = {}
    found = by_rule.get(id(rule))
    # Held, the rule and the labels keep their ids: another rulebook's are told apart.
    if found is None or found.rule is not rule or found.labels is not labels:
        found = by_rule[id(rule)] = _RuleWords(rule, labels)
    return found


def _key_codes(column: Col, percent: bool) -> np.ndarray | None:
    """Non-negative codes per row, equal where the rows' keys (``_Message.key``) are."""
    values = column.values
    if percent:
        printed = np.where(column.known, np.rint(values * 100), -np.inf)
        return np.unique(printed, return_inverse=True)[1].reshape(-1).astype(np.int64)
    if column.codes is not None:  # the distinct values, None among them
        return column.codes.astype(np.int64)
    if values.dtype.kind == "f":  # NaN where unknown: np.unique keeps one NaN
        return np.unique(values, return_inverse=True)[1].reshape(-1).astype(np.int64)
    if values.dtype.kind == "b":
        return np.where(column.known, values.astype(np.int64), 2)
    return None


def unique_inverse(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(values, return_inverse=True)`` for integers, without what np.unique
    does besides (the distinct values and the inverse alone). The order of equal values
    does not matter here, so the sort is NumPy's default, quicker than a stable one on
    these values (most programs share a few sets of facts)."""
    if not len(values):
        return values[:0], np.zeros(0, dtype=np.intp)
    order = np.argsort(values)
    ordered = values[order]
    starts = np.empty(len(values), dtype=bool)
    starts[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=starts[1:])
    inverse = np.empty(len(values), dtype=np.intp)
    inverse[order] = np.cumsum(starts) - 1
    return ordered[starts], inverse


def _distinct(code: np.ndarray, span: int) -> tuple[np.ndarray, np.ndarray]:
    """As ``np.unique(code, return_index=True, return_inverse=True)`` without the
    distinct values: the first position of each distinct code, in increasing code, and
    each position's index among them. Codes are in ``range(span)``; when that range is
    small, a table over it replaces the sort."""
    n = len(code)
    if span > 4 * n + 1024:
        _, first, inverse = np.unique(code, return_index=True, return_inverse=True)
        return first, inverse.reshape(-1)
    where = np.full(span, n, dtype=np.int64)
    np.minimum.at(where, code, np.arange(n, dtype=np.int64))
    present = where < n
    return where[present], (np.cumsum(present) - 1)[code]
