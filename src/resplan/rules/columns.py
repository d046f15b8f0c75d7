"""Evaluate a condition over a whole table of programs at once, with NumPy.

The screen and tier stages ask the same rules of thousands of programs. Instead of
calling a rule's closures once per program, :func:`compile_columns` turns its syntax tree
into a function of a :class:`Frame`: program facts are columns (arrays with a mask of the
rows where the fact is known), everything else (profile, assessment, parameters) is a
scalar that broadcasts. Three-valued logic is kept with two masks, ``true`` and
``false`` (a row in neither is unknown), and ``bits``: for each unknown row, which
program facts made it unknown, one bit per fact, so ``to_verify`` can name them.

A function call over program facts (a plugin's ``starts_with(program.id, ...)``) is
asked once per program whose arguments are known, or once per distinct value of a coded
column, with the same answers its closure gives. A tree with something this module
does not cover (a function that takes unknowns, or one given a value computed from
program facts) compiles to ``None``; the stage then evaluates that rule program by
program with its ordinary closure. Both paths give the same answers; the tests compare
them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs
import numpy as np

from resplan.rules.expr import Binary, Call, ListLit, Literal, Name, Node, Unary
from resplan.rules.functions import BUILTIN_FUNCTIONS, Function
from resplan.rules.types import BOOL, NUMBER, Level, Type


@attrs.define
class Col:
    """A value per row (or one scalar for all rows), where it is known, and why not.

    A column of text or sets may also come as ``codes`` into its distinct values
    (``categories``): a test of such a column is then asked once per distinct value.
    """

    values: Any
    known: Any  # bool array, or a bool for a scalar
    bits: Any  # uint64 array, or 0
    codes: Any = None  # int array: values[i] == categories[codes[i]]
    categories: Any = None  # tuple of the distinct values when ``codes`` is set
    raw: Any = None  # a table column's plain values (ints stay ints), None where unknown

    def plain(self) -> Any:
        """``raw``, taken now where a selection of a table's rows left it to first use."""
        raw = self.raw
        if raw.__class__ is Deferred:
            raw = self.raw = raw.get()
        return raw

    def per_row(self, fn: Callable[[Any], Any], dtype) -> np.ndarray:
        """``fn`` of each row's value, asked once per distinct value when the column is coded."""
        if self.codes is not None:
            return np.fromiter(map(fn, self.categories), dtype, len(self.categories))[self.codes]
        return np.fromiter(map(fn, self.values), dtype, len(self.values))


class Deferred:
    """A column's plain values at some rows, taken on first use. Rules read a number or a
    truth value from ``values``; the plain values (an object array, slow to take) serve
    only a plugin's function, so a selection of a table's rows takes them when one asks."""

    __slots__ = ("source", "rows")

    def __init__(self, source: np.ndarray, rows: np.ndarray):
        self.source, self.rows = source, rows

    def get(self) -> np.ndarray:
        return self.source[self.rows]


@attrs.define
class Truth:
    true: Any
    false: Any
    bits: Any
    # True or False when every row has that same known value (a test of the applicant's
    # facts alone): an "and" with a false side or an "or" with a true side is then
    # decided without its other side. None otherwise.
    same: Any = None


@attrs.define
class Frame:
    """Program facts as columns for ``rows`` programs; ``bit`` numbers each such fact."""

    rows: int
    columns: Mapping[str, Col]
    bit: dict[str, int]
    env: Mapping[str, Any]  # every fact that is the same for all rows
    # Results of parts of conditions that read only program facts the table shares with
    # other plans, kept by the part's function: every plan that selects the same rows
    # gets the same ones (see ProgramTable.frame). ``shares(names)`` tells whether all of
    # ``names`` are such facts. None: nothing is kept.
    kept: dict | None = None
    shares: Callable[[tuple], bool] | None = None
    # For a selection of a larger table's rows: a kept part's result over the whole
    # table, taken to these rows (the part is then worked out once per table, not once
    # per selection). None: each selection works it out.
    whole: Callable[[Callable[[Frame], Any]], Any] | None = None
    # Results of parts of conditions that read the applicant's facts, by the part's shape
    # (``_shape``): rules of one stage often repeat a test (the same score against the
    # same minimum, the applicant's states), which this frame then works out once. It
    # lives as long as the frame (one stage's rules, of one rulebook, for one plan), so
    # it needs no bound. None: nothing is shared.
    parts: dict | None = None

    def fact(self, name: str) -> Col:
        column = self.columns.get(name)
        if column is not None:
            return column
        value = self.env.get(name)
        return Col(value, value is not None, 0)


# Facts that differ from program to program: the stages give them as columns.
COLUMN_PREFIXES = ("program.", "specialty.", "region.", "screen.")


class Unsupported(Exception):
    pass


def compile_columns(
    ast: Node,
    params: Mapping[str, Any],
    types: Mapping[str, Type],
    functions: Mapping[str, Function] | None = None,
) -> Callable[[Frame], Truth] | None:
    """The column form of a condition, or None when it needs the row-by-row path.

    ``functions`` are those rules may call (plugins' among them): a call over program
    facts is asked once per program, or once per distinct value of a coded column.
    """
    try:
        evaluate = _Builder(params, types, functions or {}).truth(ast)
    except Unsupported:
        return None
    return evaluate


class _Builder:
    def __init__(
        self,
        params: Mapping[str, Any],
        types: Mapping[str, Type],
        functions: Mapping[str, Function],
    ):
        self.params, self.types, self.functions = params, types, functions

    # -------------------------------------------------------------- boolean nodes

    def truth(self, node: Node) -> Callable[[Frame], Truth]:
        return self._kept(node, self._truth(node))

    def _truth(self, node: Node) -> Callable[[Frame], Truth]:
        if isinstance(node, Binary) and node.op in ("and", "or"):
            left, right = self.truth(node.left), self.truth(node.right)
            if _reads_columns(node.left) and not _reads_columns(node.right) and plugin_free(node):
                # The side of the applicant's facts alone first: it has one answer for
                # every row, and when that answer decides the whole ('and' with a false
                # side: the rules that ask for a strength or a language level the
                # applicant lacks) the program columns are never read. Both orders give
                # the same masks and bits (each side's bits are zero where it is
                # decided). A plugin's function keeps its place: it is asked as often
                # as before.
                left, right = right, left
            if node.op == "and":

                def both(frame):
                    a = left(frame)
                    if a.same is not None:  # false: so is the whole; true: the other side
                        return a if a.same is False else right(frame)
                    b = right(frame)
                    if b.same is not None:
                        return b if b.same is False else a
                    true, false = a.true & b.true, a.false | b.false
                    return Truth(true, false, _undecided_bits(true, false, a.bits, b.bits))

                return both

            def either(frame):
                a = left(frame)
                if a.same is not None:  # true: so is the whole; false: the other side
                    return a if a.same is True else right(frame)
                b = right(frame)
                if b.same is not None:
                    return b if b.same is True else a
                true, false = a.true | b.true, a.false & b.false
                return Truth(true, false, _undecided_bits(true, false, a.bits, b.bits))

            return either
        if isinstance(node, Unary) and node.op == "not":
            inner = self.truth(node.operand)

            def negate(frame):
                t = inner(frame)
                return Truth(t.false, t.true, t.bits, None if t.same is None else not t.same)

            return negate
        if isinstance(node, Binary):
            return self.comparison(node)
        if isinstance(node, Call) and node.name in ("known", "unknown"):
            arg = self.value(node.args[0])
            wanted = node.name == "known"

            def knows(frame):
                col = arg(frame)
                same = bool(col.known) == wanted if np.ndim(col.known) == 0 else None
                if same is not None:
                    return _same_truth(same, 0, frame.rows)
                known = _rows(col.known, frame.rows)
                return Truth(known if wanted else ~known, ~known if wanted else known, 0, same)

            return knows
        # A boolean fact, parameter, literal or function result.
        value = self.value(node)

        def as_truth(frame):
            col = value(frame)
            same = None
            if np.ndim(col.known) == 0 and col.known and np.ndim(col.values) == 0:
                same = bool(col.values)
                return _same_truth(same, col.bits, frame.rows)
            known = _rows(col.known, frame.rows)
            values = _rows(col.values if col.values is not None else False, frame.rows)
            # A column's bits are already zero where it is known (see _undecided_bits).
            true = known & values
            return Truth(true, known ^ true, col.bits, same)

        return as_truth

    def comparison(self, node: Binary) -> Callable[[Frame], Truth]:
        op = node.op
        if op in ("in", "not in"):
            test = self.membership(node)
        else:
            left, right = self.value(node.left), self.value(node.right)
            compare = _COMPARE.get(op)
            if compare is None:
                raise Unsupported(op)
            level = self._level(node.left) or self._level(node.right)
            if level is not None and op not in ("==", "!="):
                rank = {v: i for i, v in enumerate(level.values)}
                left, right = _ranked(left, rank), _ranked(right, rank)

            def test(frame):
                a, b = left(frame), right(frame)
                return a, b, _elementwise(compare, a, b, frame.rows)

        def decide(frame):
            a, b, result = test(frame)
            known = _both_known(a.known, b.known)
            bits = _or_bits(a.bits, b.bits)
            if np.ndim(known) == 0 and known and np.ndim(result) == 0:
                return _same_truth(bool(result) != (op == "not in"), bits, frame.rows)
            known = _rows(known, frame.rows)
            result = _rows(result, frame.rows)
            if op == "not in":
                result = ~result
            true = known & result
            # Both sides' bits are zero where they are known: no row decided here has any.
            return Truth(true, known ^ true, bits)

        return decide

    def membership(self, node: Binary):
        left, right = self.value(node.left), self.value(node.right)

        def test(frame):
            a, b = left(frame), right(frame)
            a_col, b_col = isinstance(a.values, np.ndarray), isinstance(b.values, np.ndarray)
            if not a_col and not b_col:
                result = a.values is not None and b.values is not None and a.values in b.values
            elif not b_col:
                members = b.values or ()
                result = a.per_row(members.__contains__, bool)
            elif not a_col:
                item = a.values
                result = b.per_row(lambda s: s is not None and item in s, bool)
            else:
                result = np.fromiter(
                    (s is not None and v in s for v, s in zip(a.values, b.values)), bool, frame.rows
                )
            return a, b, result

        return test

    def _level(self, node: Node) -> Level | None:
        if isinstance(node, Name):
            t = self.types.get(node.name)
            return t if isinstance(t, Level) else None
        return None

    # -------------------------------------------------------------- value nodes

    def value(self, node: Node) -> Callable[[Frame], Col]:
        if isinstance(node, (Literal, Name, ListLit)):  # nothing worth keeping
            return self._value(node)
        return self._kept(node, self._value(node))

    def _kept(self, node: Node, evaluate: Callable[[Frame], Any]) -> Callable[[Frame], Any]:
        """``evaluate``, its result kept in the frame when ``node`` reads nothing but
        program facts the table shares (and parameters, which are fixed in the function):
        a rule's tests of the catalog's own columns are then made once per selection of
        programs, whoever the applicant."""
        read = _fact_names(node, self.params)
        if not read or not all(name.startswith(COLUMN_PREFIXES) for name in read):
            return self._shared(node, evaluate) if read else evaluate
        names = tuple(sorted(read))
        # Where nothing is kept (a column this plan added, a table of its own), the part
        # is still shared with the stage's other rules that repeat it.
        alone = self._shared(node, evaluate)
        # A plugin's function is asked only of the programs a plan selects (its calls
        # count against the plan's time): such a part is not worked out for the whole table.
        whole_table = plugin_free(node)

        def kept(frame):
            memo = frame.kept
            if memo is None:
                return alone(frame)
            found = memo.get(kept)
            if found is None:
                if not frame.shares(names):
                    return alone(frame)
                if whole_table and frame.whole is not None:
                    found = memo[kept] = frame.whole(kept)
                else:
                    found = memo[kept] = evaluate(frame)
            return found

        return kept

    def _shared(self, node: Node, evaluate: Callable[[Frame], Any]) -> Callable[[Frame], Any]:
        """``evaluate``, its result shared in the frame with every other part of the same
        shape (the same test written in another rule of the stage). Within one frame the
        facts are fixed and the rules come from one rulebook (one set of types and
        functions), so the same shape with the same parameter values gives the same
        result; results are never changed in place by the nodes that read them."""
        try:
            shape = _shape(node, self.params)
            hash(shape)
        except TypeError:  # a parameter value that cannot be a key: not shared
            return evaluate

        def shared(frame):
            memo = frame.parts
            if memo is None:
                return evaluate(frame)
            found = memo.get(shape)
            if found is None:
                found = memo[shape] = evaluate(frame)
            return found

        return shared

    def _value(self, node: Node) -> Callable[[Frame], Col]:
        if isinstance(node, Literal):
            col = Col(node.value, True, 0)
            return lambda frame: col
        if isinstance(node, ListLit):
            if not all(isinstance(item, Literal) for item in node.items):
                raise Unsupported("a list with facts in it")
            col = Col(frozenset(item.value for item in node.items), True, 0)
            return lambda frame: col
        if isinstance(node, Name):
            if node.name in self.params:
                value = self.params[node.name]
                col = Col(frozenset(value) if isinstance(value, (list, tuple)) else value, True, 0)
                return lambda frame: col
            name = node.name
            return lambda frame: frame.fact(name)
        if isinstance(node, Unary) and node.op == "-":
            inner = self.value(node.operand)

            def minus(frame):
                col = inner(frame)
                return Col(-col.values if col.values is not None else None, col.known, col.bits)

            return minus
        if isinstance(node, Binary) and node.op in _ARITH:
            left, right, arith = self.value(node.left), self.value(node.right), _ARITH[node.op]

            def calculate(frame):
                a, b = left(frame), right(frame)
                known = np.asarray(a.known, dtype=bool) & np.asarray(b.known, dtype=bool)
                if a.values is None or b.values is None:
                    return Col(None, False, _bits(a, frame) | _bits(b, frame))
                with np.errstate(divide="ignore", invalid="ignore"):
                    values = arith(
                        np.asarray(a.values, dtype=float), np.asarray(b.values, dtype=float)
                    )
                if node.op == "/":  # division by zero is unknown, blaming no fact
                    known = known & (np.asarray(b.values) != 0)
                return Col(values, known, _unknown_only(_bits(a, frame) | _bits(b, frame), known))

            return calculate
        if isinstance(node, Call) and node.name in _NUMERIC_CALLS:
            args = [self.value(arg) for arg in node.args]
            fn = _NUMERIC_CALLS[node.name]

            def call(frame):
                cols = [arg(frame) for arg in args]
                if any(c.values is None for c in cols):
                    bits = 0
                    for c in cols:
                        bits = bits | _bits(c, frame)
                    return Col(None, False, bits)
                known = np.ones((), dtype=bool)
                bits = 0
                for c in cols:
                    known = known & np.asarray(c.known, dtype=bool)
                    bits = bits | _bits(c, frame)
                values = fn(*(np.asarray(c.values, dtype=float) for c in cols))
                return Col(values, known, _unknown_only(bits, known))

            return call
        if isinstance(node, Call) and node.name == "count" and _reads_columns(node.args[0]):
            arg = self.value(node.args[0])

            def count_rows(frame):
                col = arg(frame)
                if not isinstance(col.values, np.ndarray):
                    return Col(None if col.values is None else len(col.values), col.known, col.bits)
                counts = col.per_row(lambda s: len(s) if s is not None else 0, float)
                return Col(counts, col.known, col.bits)

            return count_rows
        if (
            isinstance(node, Call)
            and node.name in ("count", "any_in")
            and not any(_reads_columns(arg) for arg in node.args)
        ):
            args = [self.value(arg) for arg in node.args]
            name = node.name

            def set_call(frame):
                cols = [arg(frame) for arg in args]
                if any(c.values is None for c in cols):
                    return Col(None, False, 0)
                if name == "count":
                    return Col(len(cols[0].values), True, 0)
                return Col(not set(cols[0].values).isdisjoint(cols[1].values), True, 0)

            return set_call
        if isinstance(node, Call) and node.name in self.functions:
            return self.function_call(node, self.functions[node.name])
        raise Unsupported(type(node).__name__)

    def function_call(self, node: Call, func: Function) -> Callable[[Frame], Col]:
        """Any other function, as its closure calls it: unknown when an argument is unknown
        (naming its facts), unknown naming nothing when it answers None."""
        if func.handles_unknown:
            raise Unsupported("a function that is given unknowns")
        for arg in node.args:
            # A program fact reaches the function as the very value the row path would
            # give (ints stay ints); a value computed from program facts would not.
            if _reads_columns(arg) and not isinstance(arg, Name):
                raise Unsupported("a function of a value computed from program facts")
        args = [self.value(arg) for arg in node.args]
        impl, returns = func.impl, func.returns

        def call(frame):
            cols = [arg(frame) for arg in args]
            if not any(isinstance(c.values, np.ndarray) for c in cols):
                if not all(c.known for c in cols):
                    return Col(None, False, 0)
                result = impl(*[c.values for c in cols])
                if result is None:
                    return Col(None, False, 0)
                return Col(bool(result) if returns == BOOL else result, True, 0)
            args_known = np.ones(frame.rows, dtype=bool)
            bits = 0
            for c in cols:
                args_known = args_known & np.asarray(c.known, dtype=bool)
                bits = bits | _bits(c, frame)
            rows = np.flatnonzero(args_known)
            answered, results = _call_rows(impl, cols, rows, returns)
            known = np.zeros(frame.rows, dtype=bool)
            known[rows[answered]] = True
            if returns == BOOL:
                values = np.zeros(frame.rows, dtype=bool)
            elif returns == NUMBER:
                values = np.full(frame.rows, np.nan)
            else:
                values = np.full(frame.rows, None, dtype=object)
            values[rows] = results
            # Unknown arguments name their facts; an answer of None names none.
            return Col(values, known, _unknown_only(bits, args_known))

        return call


def object_array(values) -> np.ndarray:
    """A one-dimensional object array of ``values`` (NumPy would nest tuples and sets)."""
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _call_rows(impl, cols: list[Col], rows: np.ndarray, returns) -> tuple[np.ndarray, np.ndarray]:
    """``impl`` of each row's arguments, for ``rows``: where it answered (not None), and
    its answers as ``_answers`` types them. Asked once per distinct value when the one
    column among the arguments is coded and has fewer distinct values than rows."""
    columns = [i for i, c in enumerate(cols) if isinstance(c.values, np.ndarray)]
    if len(columns) == 1 and cols[columns[0]].codes is not None:
        k = columns[0]
        codes = cols[k].codes[rows]
        seen = np.zeros(len(cols[k].categories), dtype=bool)
        seen[codes] = True
        present = np.flatnonzero(seen)
        if len(present) < len(rows):
            inverse = (np.cumsum(seen) - 1)[codes]
            args = [c.values for c in cols]
            answers = []
            for code in present.tolist():
                args[k] = cols[k].categories[code]
                answers.append(impl(*args))
            answered, typed = _answers(answers, returns)
            return answered[inverse], typed[inverse]
    lists = []
    for c in cols:
        if isinstance(c.values, np.ndarray):
            source = c.values if c.values.dtype == object else c.plain()
            lists.append(source[rows].tolist())
        else:
            lists.append([c.values] * len(rows))
    return _answers([impl(*values) for values in zip(*lists)], returns)


def _answers(results: list, returns) -> tuple[np.ndarray, np.ndarray]:
    """Where a function answered (not None), and its answers as an array of its type:
    bool (None as false), number (None as NaN) or objects."""
    answered = np.fromiter((r is not None for r in results), bool, len(results))
    if returns == BOOL:
        return answered, np.fromiter((bool(r) for r in results), bool, len(results))
    if returns == NUMBER:
        return answered, np.array([np.nan if r is None else r for r in results], dtype=float)
    return answered, object_array(results)


def _reads_columns(node: Node) -> bool:
    if isinstance(node, Name):
        return node.name.startswith(COLUMN_PREFIXES)
    return any(_reads_columns(child) for child in _children(node))


def plugin_free(node: Node) -> bool:
    """Whether ``node`` calls no function but resplan's own (``count``, ``known``, ...)."""
    if isinstance(node, Call) and node.name not in BUILTIN_FUNCTIONS:
        return False
    return all(plugin_free(child) for child in _children(node))


def take_rows(value: Any, rows: np.ndarray) -> Any:
    """A Truth or Col of a table's rows restricted to ``rows`` (scalars stay as they are)."""

    def take(part):
        return part[rows] if part.__class__ is np.ndarray else part

    if value.__class__ is Truth:
        return Truth(take(value.true), take(value.false), take(value.bits), value.same)
    return Col(
        take(value.values),
        take(value.known),
        take(value.bits),
        take(value.codes),
        value.categories,
        take(value.plain()),
    )


def _fact_names(node: Node, params: Mapping[str, Any]) -> set[str]:
    """The facts ``node`` reads (its names that are not parameters)."""
    if isinstance(node, Name):
        return set() if node.name in params else {node.name}
    found: set[str] = set()
    for child in _children(node):
        found |= _fact_names(child, params)
    return found


def _shape(node: Node, params: Mapping[str, Any]) -> tuple:
    """``node`` without its columns (where it stands in the rule's text), its parameters
    by value: equal shapes are the same test wherever they are written."""
    if isinstance(node, Name):
        if node.name in params:
            value = params[node.name]
            return ("param", tuple(value) if isinstance(value, list) else value)
        return ("name", node.name)
    if isinstance(node, Literal):
        # True and 1 compare and hash equal but are not the same literal.
        return ("literal", type(node.value).__name__, node.value)
    head = node.op if isinstance(node, (Binary, Unary)) else getattr(node, "name", "list")
    return (type(node).__name__, head, *(_shape(child, params) for child in _children(node)))


def _children(node: Node):
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, (Call, ListLit)):
        return node.args if isinstance(node, Call) else node.items
    return ()


def _bits(col: Col, frame: Frame):
    bits = col.bits
    return bits if isinstance(bits, np.ndarray) else np.zeros(frame.rows, dtype=np.uint64)


# Every Col's bits are zero where it is known, and every Truth's where it is decided (a
# table column's bits are set only where its fact is missing, and each node below keeps
# that), so a comparison needs no mask of its own and a scalar 0 stands for no bits.


def _or_bits(a, b):
    """``a | b`` where either may be a scalar 0 (no bits in any row)."""
    if a.__class__ is not np.ndarray:
        return b if b.__class__ is np.ndarray else 0
    return a | b if b.__class__ is np.ndarray else a


def _undecided_bits(true, false, a, b):
    """The bits of a logical node: its children's, in the rows it leaves undecided."""
    bits = _or_bits(a, b)
    if bits.__class__ is not np.ndarray:
        return 0
    return _unknown_only(bits, true | false)


def _unknown_only(bits: np.ndarray, known) -> np.ndarray:
    """``bits`` where ``known`` is false, 0 where it is true (``known`` may be a scalar):
    a product with the mask, about twice as quick as ``np.where`` (same values)."""
    return bits * ~np.asarray(known, dtype=bool)


def _both_known(a, b):
    """Where both sides are known: a side known in every row (an applicant's fact, a
    literal) leaves the other side's mask as it is."""
    if a.__class__ is not np.ndarray and a:
        return b
    if b.__class__ is not np.ndarray and b:
        return a
    return np.logical_and(a, b)


def _same_truth(value: bool, bits, rows: int) -> Truth:
    """The Truth of a test with the same known answer in every row (of the applicant's
    facts alone): its masks are shared read-only arrays, made once per size, since
    nothing changes a Truth's arrays in place."""
    return Truth(_filled(value, rows), _filled(not value, rows), bits, value)


def _filled(value: bool, rows: int) -> np.ndarray:
    found = _FILLED.get((value, rows))
    if found is None:
        found = np.full(rows, value, dtype=bool)
        found.flags.writeable = False
        if len(_FILLED) >= 64:  # a process plans a few table sizes: bounded all the same
            _FILLED.clear()
        _FILLED[(value, rows)] = found
    return found


_FILLED: dict[tuple[bool, int], np.ndarray] = {}


def _rows(value, rows: int) -> np.ndarray:
    """``value`` as a bool array of ``rows`` entries: a scalar is repeated."""
    if value.__class__ is np.ndarray and value.shape == (rows,):
        return value if value.dtype == bool else value.astype(bool)
    return np.full(rows, bool(value), dtype=bool)


def _ranked(value: Callable[[Frame], Col], rank: Mapping[str, int]):
    def to_rank(frame):
        col = value(frame)
        if isinstance(col.values, np.ndarray):
            return Col(col.per_row(lambda v: rank.get(v, -1), int), col.known, col.bits)
        return Col(
            rank.get(col.values, -1) if col.values is not None else None, col.known, col.bits
        )

    return to_rank


def _elementwise(compare, a_col: Col, b_col: Col, rows):
    a, b = a_col.values, b_col.values
    if a is None or b is None:
        return np.zeros(rows, dtype=bool)
    a_rows, b_rows = isinstance(a, np.ndarray), isinstance(b, np.ndarray)
    if a_rows and not b_rows and a.dtype == object:
        return a_col.per_row(lambda x: x is not None and compare(x, b), bool)
    if b_rows and not a_rows and b.dtype == object:
        return b_col.per_row(lambda y: y is not None and compare(a, y), bool)
    if (
        isinstance(a, np.ndarray)
        and a.dtype == object
        or isinstance(b, np.ndarray)
        and b.dtype == object
    ):
        a_values = a if isinstance(a, np.ndarray) else [a] * rows
        b_values = b if isinstance(b, np.ndarray) else [b] * rows
        return np.fromiter(
            (x is not None and y is not None and compare(x, y) for x, y in zip(a_values, b_values)),
            bool,
            rows,
        )
    with np.errstate(invalid="ignore"):
        return np.asarray(compare(a, b), dtype=bool)


import operator  # noqa: E402

_COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_ARITH = {"+": np.add, "-": np.subtract, "*": np.multiply, "/": np.divide}
_NUMERIC_CALLS = {"min": np.minimum, "max": np.maximum, "abs": np.abs}
