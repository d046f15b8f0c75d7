"""Type-check a parsed expression and compile it to closures, once.

Each node becomes a Python closure ``f(env) -> value``; evaluating a condition calls the
closures, it never walks the tree again. Values follow three-valued logic: a missing
fact is :class:`~resplan.rules.values.Unknown`, which spreads through comparisons and
arithmetic, and which ``and``/``or`` treat by Kleene's rules.
"""

from __future__ import annotations

import difflib
import operator
from typing import Any, Callable, Mapping

import attrs

from resplan.rules.expr import Binary, Call, ExpressionError, ListLit, Literal, Name, Unary, parse
from resplan.rules.functions import BUILTIN_FUNCTIONS, Function
from resplan.rules.types import (
    ANY, BOOL, NUMBER, TEXT, Enum, Level, SetOf, Type, accepts, comparable, is_textual,
)
from resplan.rules.values import Unknown, merge

Fn = Callable[[Mapping[str, Any]], Any]


def param_type(value) -> Type:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, (int, float)):
        return NUMBER
    if isinstance(value, str):
        return TEXT
    if isinstance(value, (list, tuple, frozenset)) and all(isinstance(v, str) for v in value):
        return SetOf(TEXT)
    raise ExpressionError(f"a parameter cannot hold {value!r}")


@attrs.frozen
class Scope:
    """The facts (dotted names with types) and parameters (constants) an expression may use."""

    facts: Mapping[str, Type]
    params: Mapping[str, Any] = attrs.field(factory=dict)

    def names(self) -> list[str]:
        return [*self.facts, *self.params]


@attrs.frozen
class Compiled:
    """A compiled expression: call it with an env mapping fact names to values."""

    text: str
    type: Type
    names: frozenset[str]
    ast: Any = attrs.field(repr=False, eq=False)
    fn: Fn = attrs.field(repr=False, eq=False)

    def __call__(self, env: Mapping[str, Any]):
        return self.fn(env)


Condition = Compiled


def compile_expression(text: str, scope: Scope,
                       functions: Mapping[str, Function] = BUILTIN_FUNCTIONS) -> Compiled:
    tree = parse(text)
    typ, fn, names = _Compiler(scope, functions).node(tree)
    return Compiled(text=text, type=typ, names=frozenset(names), ast=tree, fn=fn)


def compile_condition(text: str, scope: Scope,
                      functions: Mapping[str, Function] = BUILTIN_FUNCTIONS) -> Compiled:
    compiled = compile_expression(text, scope, functions)
    if compiled.type != BOOL:
        raise ExpressionError(f"a condition must be true or false, not {compiled.type}", 1)
    return compiled


def did_you_mean(word: str, choices) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


_ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul}
_ORDER = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}


class _Compiler:
    def __init__(self, scope: Scope, functions: Mapping[str, Function]):
        self.scope, self.functions = scope, functions

    def node(self, node) -> tuple[Type, Fn, set[str]]:
        return getattr(self, type(node).__name__.lower())(node)

    # ---------------------------------------------------------------- leaves

    def literal(self, node: Literal):
        value = node.value
        typ = BOOL if isinstance(value, bool) else NUMBER if isinstance(value, (int, float)) else TEXT
        return typ, (lambda env: value), set()

    def name(self, node: Name):
        if node.name in self.scope.params:
            value = self.scope.params[node.name]
            if isinstance(value, (list, tuple)):
                value = frozenset(value)
            return param_type(value), (lambda env: value), set()
        if node.name in self.scope.facts:
            name, missing = node.name, Unknown(frozenset((node.name,)))

            def fact(env):
                value = env.get(name)
                return missing if value is None else value
            return self.scope.facts[name], fact, {name}
        if node.name in self.functions:
            raise ExpressionError(f"{node.name!r} is a function: call it with ()", node.column, node.name)
        raise ExpressionError(
            f"unknown name {node.name!r}{did_you_mean(node.name, self.scope.names())}",
            node.column, node.name)

    def listlit(self, node: ListLit):
        parts = [self.node(item) for item in node.items]
        types = {t for t, _f, _n in parts}
        if len(types) > 1 and not all(is_textual(t) for t in types):
            raise ExpressionError("a list mixes types", node.column)
        item = next(iter(types)) if len(types) == 1 else TEXT
        if isinstance(item, SetOf) or item is BOOL:
            raise ExpressionError(f"a list cannot hold {item} values", node.column)
        fns = [f for _t, f, _n in parts]
        names = set().union(*(n for _t, _f, n in parts)) if parts else set()
        if not names:  # all literals or parameters: fold once
            constant = frozenset(f({}) for f in fns)
            return SetOf(item), (lambda env: constant), names

        def build(env):
            values = [f(env) for f in fns]
            unknown = [v for v in values if v.__class__ is Unknown]
            return merge(*unknown) if unknown else frozenset(values)
        return SetOf(item), build, names

    def call(self, node: Call):
        fn = self.functions.get(node.name)
        if fn is None:
            raise ExpressionError(
                f"unknown function {node.name!r}{did_you_mean(node.name, self.functions)}",
                node.column, node.name)
        if len(node.args) != len(fn.args):
            raise ExpressionError(f"{node.name}() takes {len(fn.args)} argument"
                                  f"{'s' if len(fn.args) != 1 else ''}, got {len(node.args)}",
                                  node.column, node.name)
        parts = [self.node(arg) for arg in node.args]
        for index, ((typ, _f, _n), expected, arg) in enumerate(zip(parts, fn.args, node.args), 1):
            if not accepts(expected, typ):
                raise ExpressionError(f"argument {index} of {node.name}() must be {expected}, "
                                      f"not {typ}", arg.column, node.name)
        fns = [f for _t, f, _n in parts]
        names = set().union(*(n for _t, _f, n in parts)) if parts else set()
        impl, handles_unknown = fn.impl, fn.handles_unknown
        # Kleene and/or test identity with True/False: make a plugin's truthy result a bool.
        cast = bool if fn.returns == BOOL else (lambda value: value)

        def call(env):
            args = [f(env) for f in fns]
            if not handles_unknown:
                unknown = [a for a in args if a.__class__ is Unknown]
                if unknown:
                    return merge(*unknown)
            result = impl(*args)
            return result if result.__class__ is Unknown else cast(result)
        return fn.returns, call, names

    # ---------------------------------------------------------------- operators

    def unary(self, node: Unary):
        typ, fn, names = self.node(node.operand)
        if node.op == "not":
            if typ != BOOL:
                raise ExpressionError(f"'not' needs true or false, not {typ}", node.column)

            def negate(env):
                value = fn(env)
                return value if value.__class__ is Unknown else not value
            return BOOL, negate, names
        if typ != NUMBER:
            raise ExpressionError(f"'-' needs a number, not {typ}", node.column)

        def minus(env):
            value = fn(env)
            return value if value.__class__ is Unknown else -value
        return NUMBER, minus, names

    def binary(self, node: Binary):
        left_t, lf, ln = self.node(node.left)
        right_t, rf, rn = self.node(node.right)
        names = ln | rn
        op = node.op
        if op in ("and", "or"):
            for side, typ in ((node.left, left_t), (node.right, right_t)):
                if typ != BOOL:
                    raise ExpressionError(f"'{op}' needs true or false on both sides, not {typ}",
                                          side.column if hasattr(side, "column") else node.column)
            return BOOL, (_and(lf, rf) if op == "and" else _or(lf, rf)), names
        if op in _ARITH or op == "/":
            if left_t != NUMBER or right_t != NUMBER:
                raise ExpressionError(f"'{op}' needs numbers, not {left_t} and {right_t}", node.column)
            return NUMBER, (_divide(lf, rf) if op == "/" else _strict(_ARITH[op], lf, rf)), names
        if op in ("in", "not in"):
            if not isinstance(right_t, SetOf):
                raise ExpressionError(f"'{op}' needs a set or a list on its right, not {right_t}",
                                      node.right.column if hasattr(node.right, "column") else node.column)
            if not comparable(left_t, right_t.item) and right_t.item is not ANY:
                raise ExpressionError(f"cannot look for {left_t} in {right_t}", node.column)
            self._check_enum_literal(node.left, right_t.item)
            if isinstance(node.right, ListLit):
                for item in node.right.items:
                    self._check_enum_literal(item, left_t)
            test = _strict(lambda a, b: a in b, lf, rf)
            return BOOL, (test if op == "in" else _negated(test)), names
        # comparisons
        if not comparable(left_t, right_t):
            raise ExpressionError(f"cannot compare {left_t} with {right_t}", node.column)
        self._check_enum_literal(node.left, right_t)
        self._check_enum_literal(node.right, left_t)
        if op in ("==", "!="):
            test = _strict(operator.eq if op == "==" else operator.ne, lf, rf)
            return BOOL, test, names
        if left_t == NUMBER and right_t == NUMBER:
            return BOOL, _strict(_ORDER[op], lf, rf), names
        level = left_t if isinstance(left_t, Level) else right_t if isinstance(right_t, Level) else None
        other = node.right if level is left_t else node.left
        other_t = right_t if level is left_t else left_t
        if level is not None and other_t != level and not (
                isinstance(other, Literal) and isinstance(other.value, str)):
            raise ExpressionError(f"a level compares with the same level or a quoted value, "
                                  f"not {other_t}", node.column)
        if level is None:
            raise ExpressionError(f"'{op}' compares numbers or levels, not {left_t} and {right_t}",
                                  node.column)
        rank = {value: index for index, value in enumerate(level.values)}
        compare = _ORDER[op]
        return BOOL, _strict(lambda a, b: compare(rank[a], rank[b]), lf, rf), names

    def _check_enum_literal(self, node, against: Type):
        """A string literal compared with an enum or level must be one of its values."""
        if isinstance(against, (Enum, Level)) and isinstance(node, Literal) and isinstance(node.value, str):
            if node.value not in against.values:
                raise ExpressionError(
                    f"{node.value!r} is not one of {', '.join(against.values)}"
                    f"{did_you_mean(node.value, against.values)}", node.column)


def _strict(op, lf: Fn, rf: Fn) -> Fn:
    """A binary operation that is unknown when either side is."""
    def apply(env):
        a, b = lf(env), rf(env)
        if a.__class__ is Unknown or b.__class__ is Unknown:
            return merge(a, b)
        return op(a, b)
    return apply


def _negated(test: Fn) -> Fn:
    def apply(env):
        value = test(env)
        return value if value.__class__ is Unknown else not value
    return apply


def _divide(lf: Fn, rf: Fn) -> Fn:
    def apply(env):
        a, b = lf(env), rf(env)
        if a.__class__ is Unknown or b.__class__ is Unknown:
            return merge(a, b)
        return Unknown() if b == 0 else a / b
    return apply


def _and(lf: Fn, rf: Fn) -> Fn:
    # Kleene: false wins over unknown; true and unknown is unknown.
    def apply(env):
        a = lf(env)
        if a is False:
            return False
        b = rf(env)
        if b is False:
            return False
        if a is True:
            return b
        return a if b is True else merge(a, b)
    return apply


def _or(lf: Fn, rf: Fn) -> Fn:
    # Kleene: true wins over unknown; false or unknown is unknown.
    def apply(env):
        a = lf(env)
        if a is True:
            return True
        b = rf(env)
        if b is True:
            return True
        if a is False:
            return b
        return a if b is False else merge(a, b)
    return apply
