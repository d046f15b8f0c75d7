"""Type-check a parsed expression and compile it to closures, once.

Each node becomes a Python closure ``f(env) -> value``; evaluating a condition calls the
closures, it never walks the tree again. Parameters and literals are constants at compile
time, and operations on constants are folded away. Values follow three-valued logic: a
missing fact is :class:`~resplan.rules.values.Unknown`, which spreads through
comparisons, arithmetic, membership and function calls, and which ``and``/``or`` treat
by Kleene's rules.

The closures test for unknowns with ``value.__class__ is Unknown`` (the fastest test
there is, and exact because Unknown cannot be subclassed) and never take the truth
value of anything that may be unknown.
"""

from __future__ import annotations

import difflib
import math
import operator
from collections.abc import Callable, Mapping, MutableMapping
from functools import partial
from types import MappingProxyType
from typing import Any

import attrs

from resplan.rules.expr import (
    Binary,
    Call,
    ExpressionError,
    ListLit,
    Literal,
    Name,
    Node,
    Unary,
    parse,
    start_column,
)
from resplan.rules.functions import BUILTIN_FUNCTIONS, BUILTINS, Function
from resplan.rules.types import (
    BOOL,
    NUMBER,
    TEXT,
    Enum,
    Level,
    SetOf,
    Type,
    accepts,
    comparable,
    contains_any,
    disjoint,
    is_choice,
    is_textual,
)
from resplan.rules.values import Unknown, merge

__all__ = [
    "Scope",
    "Compiled",
    "Condition",
    "compile_condition",
    "compile_expression",
    "ExpressionError",
    "param_type",
    "did_you_mean",
]

Fn = Callable[[Mapping[str, Any]], Any]
_U = Unknown  # short name for the hot paths


# --------------------------------------------------------------------- scope


def param_type(value) -> Type:
    """The type of a parameter, from its Python value."""
    if isinstance(value, bool):  # before int: True is an int
        return BOOL
    if isinstance(value, (int, float)):
        return NUMBER
    if isinstance(value, str):
        return TEXT
    if isinstance(value, (list, tuple, set, frozenset)) and all(isinstance(v, str) for v in value):
        return SetOf(TEXT)
    raise ExpressionError(f"a parameter cannot hold {value!r}")


def _param_value(value):
    return frozenset(value) if isinstance(value, (list, tuple, set)) else value


def _read_only(mapping) -> Mapping:
    return MappingProxyType(dict(mapping or {}))


@attrs.frozen(eq=False)
class Scope:
    """The facts (dotted names with types) and parameters (constants) an expression may use.

    Parameter types follow their values: bool, number, text, or a list of text (a set).
    """

    facts: Mapping[str, Type] = attrs.field(converter=_read_only)
    params: Mapping[str, Any] = attrs.field(factory=dict, converter=_read_only)

    def __attrs_post_init__(self) -> None:
        for name, typ in self.facts.items():
            if not isinstance(typ, Type) or contains_any(typ):
                raise TypeError(f"fact {name!r} needs a definite rule type, not {typ!r}")

    def names(self) -> list[str]:
        return [*self.facts, *self.params]


def did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --------------------------------------------------------------------- results


@attrs.frozen
class Compiled:
    """A compiled expression: call it with an env mapping fact names to values.

    A fact missing from the env, or ``None`` there, is unknown. ``names`` are the facts
    the expression reads, ``params`` the parameters folded into it; ``fn`` is the bare
    closure (the same as calling this object, one call cheaper).
    """

    text: str
    type: Type
    names: frozenset[str]
    ast: Node = attrs.field(repr=False, eq=False)
    fn: Fn = attrs.field(repr=False, eq=False)
    params: frozenset[str] = attrs.field(default=frozenset(), repr=False)

    def __call__(self, env: Mapping[str, Any]):
        return self.fn(env)


@attrs.frozen
class Condition(Compiled):
    """A compiled expression of type bool: calling it gives True, False or an Unknown."""


def compile_expression(
    text: str,
    scope: Scope,
    functions: Mapping[str, Function] = BUILTIN_FUNCTIONS,
    *,
    trees: MutableMapping[str, Node] | None = None,
) -> Compiled:
    """``trees``: syntax trees of texts parsed before, by text; a text parsed here is added."""
    tree, code, compiler = _compile(text, scope, functions, trees)
    return Compiled(
        text=text,
        type=code.type,
        names=frozenset(compiler.facts),
        ast=tree,
        fn=code.as_fn(),
        params=frozenset(compiler.params),
    )


def compile_condition(
    text: str,
    scope: Scope,
    functions: Mapping[str, Function] = BUILTIN_FUNCTIONS,
    *,
    trees: MutableMapping[str, Node] | None = None,
) -> Condition:
    """``trees``: as for :func:`compile_expression`."""
    tree, code, compiler = _compile(text, scope, functions, trees)
    if code.type != BOOL:
        raise ExpressionError(f"a condition must be true or false, not {code.type}", 1)
    return Condition(
        text=text,
        type=BOOL,
        names=frozenset(compiler.facts),
        ast=tree,
        fn=code.as_fn(),
        params=frozenset(compiler.params),
    )


def _compile(text, scope, functions, trees=None):
    try:
        # A tree depends on the text alone; type checking and closures on the scope and
        # the functions, so they are made every time.
        tree = trees.get(text) if trees is not None else None
        if tree is None:
            tree = parse(text)
            if trees is not None:
                trees[text] = tree
        compiler = _Compiler(text, scope, functions)
        return tree, compiler.build(tree), compiler
    except RecursionError:  # a very long chain of operators
        raise ExpressionError("expression too long to compile") from None


# --------------------------------------------------------------------- compiling


class _Code:
    """A compiled node: a constant (``fn`` is None) or a closure, with its type.

    A plain class: thousands are made while a rulebook loads and none outlives it, so
    attrs' frozen ``__init__`` (a setattr call per field) was a tenth of compiling."""

    __slots__ = ("type", "node", "fn", "value", "fact", "items")

    def __init__(
        self,
        type: Type,
        node: Node,
        fn: Fn | None = None,
        value: Any = None,
        fact: str | None = None,  # set when the closure only reads this fact: callers inline it
        items: tuple = (),  # a list literal's item codes, to check quoted values against enums
    ):
        self.type, self.node, self.fn, self.value, self.fact, self.items = (
            type,
            node,
            fn,
            value,
            fact,
            items,
        )

    @property
    def is_const(self) -> bool:
        return self.fn is None

    def as_fn(self) -> Fn:
        if self.fn is not None:
            return self.fn
        value = self.value
        return lambda env: value


def _constant(typ: Type, node: Node, value, items: tuple = ()) -> _Code:
    if value.__class__ is _U:
        # A folded unknown (1 / 0) must still merge with its neighbours' facts: keep it
        # off the constant fast paths, which assume a known value.
        return _Code(typ, node, fn=lambda env: value)
    return _Code(typ, node, value=value, items=items)


def _div(a, b):
    return a / b if b != 0 else _DIVISION_BY_ZERO


_DIVISION_BY_ZERO = Unknown()
_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": _div}
_COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
# a OP b == FLIPPED[OP](b, a): lets partial() bind a constant as the first argument.
_FLIPPED = {
    operator.eq: operator.eq,
    operator.ne: operator.ne,
    operator.lt: operator.gt,
    operator.le: operator.ge,
    operator.gt: operator.lt,
    operator.ge: operator.le,
}
_PURE = frozenset(id(f) for f in BUILTINS)  # built-ins: safe to call at compile time


class _Compiler:
    def __init__(self, text: str, scope: Scope, functions: Mapping[str, Function]):
        self.text, self.scope, self.functions = text, scope, functions
        self.facts: set[str] = set()
        self.params: set[str] = set()

    def build(self, node: Node) -> _Code:
        method = _BUILD.get(type(node))
        if method is None:
            return getattr(self, type(node).__name__.lower())(node)
        return method(self, node)

    # ---------------------------------------------------------------- leaves

    def literal(self, node: Literal) -> _Code:
        value = node.value
        typ = BOOL if isinstance(value, bool) else TEXT if isinstance(value, str) else NUMBER
        return _Code(typ, node, value=value)

    def name(self, node: Name) -> _Code:
        name = node.name
        typ = self.scope.facts.get(name)
        if typ is not None:
            self.facts.add(name)
            return _Code(typ, node, fn=_reader(name, typ), fact=name)
        if name in self.scope.params:
            value = self.scope.params[name]
            try:
                typ = param_type(value)
            except ExpressionError as exc:
                raise ExpressionError(
                    f"parameter {name!r}: {exc.message}", node.column, name
                ) from None
            self.params.add(name)
            return _Code(typ, node, value=_param_value(value))
        if name in self.functions:
            raise ExpressionError(f"{name!r} is a function: call it with ()", node.column, name)
        raise ExpressionError(
            f"unknown name {name!r}{did_you_mean(name, [*self.scope.names(), 'true', 'false'])}",
            node.column,
            name,
        )

    def listlit(self, node: ListLit) -> _Code:
        codes = tuple(self.build(item) for item in node.items)
        for code in codes:
            if not is_textual(code.type):
                raise ExpressionError(
                    f"a list holds text or enum values, not {code.type}", start_column(code.node)
                )
        if all(code.is_const for code in codes):
            return _constant(SetOf(TEXT), node, frozenset(c.value for c in codes), codes)
        fns = [code.as_fn() for code in codes]

        def build(env):
            values = [f(env) for f in fns]
            for value in values:
                if value.__class__ is _U:
                    return merge(*values)
            return frozenset(values)

        return _Code(SetOf(TEXT), node, fn=build, items=codes)

    def call(self, node: Call) -> _Code:
        func = self.functions.get(node.name)
        if func is None:
            raise ExpressionError(
                f"unknown function {node.name!r}{did_you_mean(node.name, self.functions)}",
                node.column,
                node.name,
            )
        if len(node.args) != len(func.args):
            plural = "" if len(func.args) == 1 else "s"
            raise ExpressionError(
                f"{node.name}() takes {len(func.args)} argument{plural}, got {len(node.args)}",
                node.column,
                node.name,
            )
        codes = [self.build(arg) for arg in node.args]
        for index, (expected, code) in enumerate(zip(func.args, codes), 1):
            if self._quoted_fits(expected, code):
                continue
            if not accepts(expected, code.type):
                raise ExpressionError(
                    f"argument {index} of {node.name}() must be {expected}, not {code.type}",
                    start_column(code.node),
                    node.name,
                )
        self._check_set_arguments(func, codes)
        if id(func) in _PURE and all(code.is_const for code in codes):
            return _constant(func.returns, node, _answer(func.impl(*[c.value for c in codes])))
        fn = _call(func.impl, [code.as_fn() for code in codes], func.handles_unknown)
        if func.returns == BOOL and id(func) not in _PURE:
            fn = _as_bool(fn)  # Kleene and/or test identity with True/False
        return _Code(func.returns, node, fn=fn)

    # ---------------------------------------------------------------- operators

    def unary(self, node: Unary) -> _Code:
        code = self.build(node.operand)
        if node.op == "not":
            if code.type != BOOL:
                raise ExpressionError(f"'not' needs true or false, not {code.type}", node.column)
            if code.is_const:
                return _constant(BOOL, node, not code.value)
            return _Code(BOOL, node, fn=_negate(code.as_fn()))
        if code.type != NUMBER:
            raise ExpressionError(f"'-' needs a number, not {code.type}", node.column)
        if code.is_const:
            return _constant(NUMBER, node, -code.value)
        return _Code(NUMBER, node, fn=_minus(code.as_fn()))

    def binary(self, node: Binary) -> _Code:
        op = node.op
        left, right = self.build(node.left), self.build(node.right)
        if op in ("and", "or"):
            return self._logic(node, left, right)
        if op in _ARITH:
            if left.type != NUMBER or right.type != NUMBER:
                raise ExpressionError(
                    f"'{op}' needs numbers, not {left.type} and {right.type}", node.column
                )
            return _apply(NUMBER, node, _ARITH[op], left, right)
        if op in ("in", "not in"):
            code = self._membership(node, left, right)
            if op == "in":
                return code
            if code.is_const:
                return _constant(BOOL, node, not code.value)
            return _Code(BOOL, node, fn=_negate(code.as_fn()))
        if op in ("==", "!="):
            return self._equality(node, left, right)
        return self._order(node, left, right)

    def _logic(self, node: Binary, left: _Code, right: _Code) -> _Code:
        op = node.op
        for side in (left, right):
            if side.type != BOOL:
                raise ExpressionError(
                    f"'{op}' needs true or false on both sides, not {side.type}",
                    start_column(side.node),
                )
        # Fold constants by Kleene's rules: false decides 'and', true decides 'or',
        # and the other constant leaves the result to the other side.
        decisive = op == "or"
        for this, other in ((left, right), (right, left)):
            if this.is_const:
                return _constant(BOOL, node, decisive) if this.value is decisive else other
        return _Code(BOOL, node, fn=(_and if op == "and" else _or)(left.as_fn(), right.as_fn()))

    def _equality(self, node: Binary, left: _Code, right: _Code) -> _Code:
        lt, rt = left.type, right.type
        if not comparable(lt, rt):
            if isinstance(lt, SetOf) or isinstance(rt, SetOf):
                raise ExpressionError(
                    f"cannot compare {lt} with {rt}: test sets with 'in', 'not in' or any_in()",
                    node.column,
                )
            if disjoint(lt, rt):
                raise ExpressionError(
                    f"cannot compare {lt} with {rt}: they share no value", node.column
                )
            raise ExpressionError(f"cannot compare {lt} with {rt}", node.column)
        self._check_quoted(lt, right)
        self._check_quoted(rt, left)
        return _apply(BOOL, node, _COMPARE[node.op], left, right)

    def _order(self, node: Binary, left: _Code, right: _Code) -> _Code:
        op, lt, rt = node.op, left.type, right.type
        if lt == NUMBER and rt == NUMBER:
            return _apply(BOOL, node, _COMPARE[op], left, right)
        level = lt if isinstance(lt, Level) else rt if isinstance(rt, Level) else None
        if level is None:
            if lt != rt and not (is_textual(lt) and is_textual(rt)):
                raise ExpressionError(f"cannot compare {lt} with {rt}", node.column)
            unordered = next((t for t in (lt, rt) if isinstance(t, Enum)), None)
            why = f" ({unordered} is not ordered: declare it a level)" if unordered else ""
            raise ExpressionError(
                f"'{op}' compares numbers or levels, not {lt} and {rt}{why}", node.column
            )
        # Compare positions in the level's order: quoted values become their position at
        # compile time, the level's fact is looked up in its rank table as it is read.
        ranked = []
        for side in (left, right):
            if side.type == level:
                ranked.append(_Code(NUMBER, side.node, fn=_ranker(side, level)))
            elif side.type == TEXT and side.is_const:
                self._check_quoted(level, side)
                ranked.append(_Code(NUMBER, side.node, value=level.rank[side.value]))
            else:
                other = rt if side is right else lt
                raise ExpressionError(
                    f"a level compares with the same level or a quoted value, not {other}",
                    node.column,
                )
        return _apply(BOOL, node, _COMPARE[op], *ranked)

    def _membership(self, node: Binary, left: _Code, right: _Code) -> _Code:
        lt, rt = left.type, right.type
        if not isinstance(rt, SetOf):
            raise ExpressionError(
                f"'{node.op}' needs a set or a list on its right, not {rt}",
                start_column(right.node),
            )
        if not is_textual(lt):
            raise ExpressionError(
                f"'{node.op}' looks for text or an enum value, not {lt}", start_column(left.node)
            )
        if disjoint(lt, rt.item):
            raise ExpressionError(f"cannot look for {lt} in {rt}: they share no value", node.column)
        self._check_quoted(lt, right)
        self._check_quoted(rt.item, left)
        return _apply(BOOL, node, _contains, left, right)

    # ---------------------------------------------------------------- quoted values

    def _quoted(self, code: _Code):
        """The constant text values in ``code``, each with its column and quote mark."""
        if code.items:
            for item in code.items:
                yield from self._quoted(item)
        elif code.is_const and isinstance(code.value, str):
            column = code.node.column
            mark = self.text[column - 1] if isinstance(code.node, Literal) else '"'
            yield code.value, column, mark
        elif code.is_const and isinstance(code.value, frozenset):  # a list parameter
            for value in sorted(code.value):
                yield value, code.node.column, '"'

    def _check_quoted(self, against: Type, code: _Code) -> None:
        """A quoted value compared with an enum or a level must be one of its values."""
        if not is_choice(against):
            return
        for value, column, mark in self._quoted(code):
            if value not in against.values:
                raise ExpressionError(
                    f"{mark}{value}{mark} is not one of {', '.join(against.values)}"
                    f"{did_you_mean(value, against.values)}",
                    column,
                )

    def _quoted_fits(self, expected: Type, code: _Code) -> bool:
        """A constant given where an enum (or set of one) is declared: check its values."""
        if is_choice(expected) and code.type == TEXT and code.is_const:
            self._check_quoted(expected, code)
            return True
        if (
            isinstance(expected, SetOf)
            and is_choice(expected.item)
            and code.type == SetOf(TEXT)
            and code.is_const
        ):
            self._check_quoted(expected.item, code)
            return True
        return False

    def _check_set_arguments(self, func: Function, codes: list[_Code]) -> None:
        # any_in(program.visas, ["J1"]): a list given beside a set of enum values is
        # compared with it, so its quoted values must be among the enum's.
        sets = [c for d, c in zip(func.args, codes) if isinstance(d, SetOf)]
        choices = [
            c.type.item for c in sets if isinstance(c.type, SetOf) and is_choice(c.type.item)
        ]
        if choices:
            for code in sets:
                if code.type == SetOf(TEXT):
                    self._check_quoted(choices[0], code)


# --------------------------------------------------------------------- closures


# Each node class's method of _Compiler, looked up once rather than by name per node.
_BUILD: dict[type, Callable[[_Compiler, Any], _Code]] = {
    cls: getattr(_Compiler, cls.__name__.lower())
    for cls in (Literal, Name, ListLit, Call, Unary, Binary)
}

_MISSING: dict[str, Unknown] = {}


def _missing(name: str) -> Unknown:
    """The unknown a missing fact reads as: one per name, shared by every closure that
    reads the fact (unknowns are frozen and compared by their facts; making one is a
    third of what reading a name costs to compile)."""
    found = _MISSING.get(name)
    if found is None:
        found = _MISSING[name] = Unknown(frozenset((name,)))
    return found


def _reader(name: str, typ: Type) -> Fn:
    missing = _missing(name)
    if typ == BOOL:

        def read_bool(env):
            value = env.get(name)
            if value is True or value is False:
                return value
            if value is None:
                return missing
            return value if value.__class__ is _U else bool(value)

        return read_bool

    def read(env):
        value = env.get(name)
        return missing if value is None else value

    return read


def _ranker(code: _Code, level: Level) -> Fn:
    """A level's value as its position in the level's order."""
    rank, fn = level.rank, code.fn
    what = code.fact or "a level value"

    def position(env):
        value = fn(env)
        if value.__class__ is _U:
            return value
        index = rank.get(value)
        if index is None:
            raise ValueError(f"{what} is {value!r}, not one of {', '.join(level.values)}")
        return index

    return position


def _contains(item, values) -> bool:
    return item in values


def _apply(typ: Type, node: Node, op, left: _Code, right: _Code) -> _Code:
    """A strict binary operation (unknown if either side is), specialised for constants."""
    if left.is_const and right.is_const:
        value = op(left.value, right.value)
        if isinstance(value, float) and not math.isfinite(value):
            raise ExpressionError(
                "this arithmetic on numbers overflows (the result is too large for a number)",
                start_column(node),
            )
        return _constant(typ, node, value)
    if right.is_const or left.is_const:
        # One side is a known constant: bind it so the closure tests a single value.
        if right.is_const:
            varying, const = left, right.value
            if op is _contains:
                test = partial(operator.contains, const)
            elif op in _FLIPPED:
                test = partial(_FLIPPED[op], const)
            else:
                return _Code(typ, node, fn=_op_const(op, left.as_fn(), const))
        else:
            varying, const = right, left.value
            test = partial(op, const)
        if varying.fact is not None:
            return _Code(typ, node, fn=_test_fact(varying.fact, test))
        return _Code(typ, node, fn=_test(varying.as_fn(), test))
    return _Code(typ, node, fn=_op2(op, left.as_fn(), right.as_fn()))


def _test_fact(name: str, test) -> Fn:
    missing = _missing(name)

    def apply(env):
        value = env.get(name)
        if value is None:
            return missing
        if value.__class__ is _U:
            return value
        return test(value)

    return apply


def _test(fn: Fn, test) -> Fn:
    def apply(env):
        value = fn(env)
        return value if value.__class__ is _U else test(value)

    return apply


def _op_const(op, fn: Fn, const) -> Fn:
    def apply(env):
        value = fn(env)
        return value if value.__class__ is _U else op(value, const)

    return apply


def _op2(op, lf: Fn, rf: Fn) -> Fn:
    def apply(env):
        a, b = lf(env), rf(env)  # both sides, even if one is unknown: name all the facts
        if a.__class__ is _U:
            return Unknown(a.facts | b.facts) if b.__class__ is _U else a
        if b.__class__ is _U:
            return b
        return op(a, b)

    return apply


def _negate(fn: Fn) -> Fn:
    def apply(env):
        value = fn(env)
        return value if value.__class__ is _U else not value

    return apply


def _minus(fn: Fn) -> Fn:
    def apply(env):
        value = fn(env)
        return value if value.__class__ is _U else -value

    return apply


def _and(lf: Fn, rf: Fn) -> Fn:
    # Kleene: false decides; true leaves it to the other side; else unknown.
    def apply(env):
        a = lf(env)
        if a is False:
            return False
        b = rf(env)
        if a is True or b is False:
            return b
        if b is True:
            return a
        return Unknown(a.facts | b.facts)

    return apply


def _or(lf: Fn, rf: Fn) -> Fn:
    # Kleene: true decides; false leaves it to the other side; else unknown.
    def apply(env):
        a = lf(env)
        if a is True:
            return True
        b = rf(env)
        if a is False or b is True:
            return b
        if b is False:
            return a
        return Unknown(a.facts | b.facts)

    return apply


def _answer(result):
    # A function with nothing to say returns None: that is an unknown, not a value.
    return _NO_ANSWER if result is None else result


_NO_ANSWER = Unknown()


def _call(impl, fns: list[Fn], handles_unknown: bool) -> Fn:
    if handles_unknown:
        if len(fns) == 1:
            only = fns[0]
            return lambda env: _answer(impl(only(env)))
        return lambda env: _answer(impl(*[f(env) for f in fns]))
    if len(fns) == 1:
        only = fns[0]

        def call1(env):
            a = only(env)
            if a.__class__ is _U:
                return a
            result = impl(a)
            return _NO_ANSWER if result is None else result

        return call1
    if len(fns) == 2:
        first, second = fns

        def call2(env):
            a, b = first(env), second(env)
            if a.__class__ is _U or b.__class__ is _U:
                return merge(a, b)
            result = impl(a, b)
            return _NO_ANSWER if result is None else result

        return call2

    def call(env):
        args = [f(env) for f in fns]
        for arg in args:
            if arg.__class__ is _U:
                return merge(*args)
        return _answer(impl(*args))

    return call


def _as_bool(fn: Fn) -> Fn:
    def apply(env):
        value = fn(env)
        if value is True or value is False or value.__class__ is _U:
            return value
        return bool(value)

    return apply
