"""Message templates: ``{name}`` placeholders filled with facts or parameters.

``{{`` and ``}}`` are literal braces. ``{name:percent}`` prints a share (0.768) as a
percentage (77%). Names are checked when the template compiles, like names in
expressions; parameters are constants, so they are formatted then, once.
"""

from __future__ import annotations

import re
from typing import Any, Mapping

import attrs

from resplan.rules.compiler import Scope, did_you_mean
from resplan.rules.expr import ExpressionError
from resplan.rules.values import Unknown

FORMATS = ("percent",)
_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")


def format_value(value: Any, labels: Mapping[str, str] | None = None, spec: str = "") -> str:
    """A value as words: numbers without a trailing .0, sets sorted and comma-separated,
    booleans as yes/no, unknowns as "unknown". ``labels`` renames members of sets
    (finding names, say); ``spec`` is a format from :data:`FORMATS`."""
    if value.__class__ is str:  # the common case, first
        return value
    if value is None or value.__class__ is Unknown:
        return "unknown"
    if isinstance(value, bool):  # before numbers: True is an int
        return "yes" if value else "no"
    if spec == "percent" and isinstance(value, (int, float)):
        return f"{round(value * 100)}%"
    if isinstance(value, float):
        # Integral floats print as integers (220.0 -> 220), short of where that
        # would spell out a long run of digits.
        return str(int(value)) if value.is_integer() and abs(value) < 1e16 else format(value, "g")
    if isinstance(value, (set, frozenset, list, tuple)):
        words = sorted(labels.get(v, v) if labels and isinstance(v, str) else format_value(v)
                       for v in value)
        return ", ".join(words)
    return str(value)


@attrs.frozen
class Template:
    """A compiled template: ``render(env)`` fills it in; ``names`` are the facts it reads."""

    text: str
    names: frozenset[str]
    # Literal text as str; a fact placeholder as (name, spec); a parameter whose words
    # can depend on the labels (a list) as (None, value, spec).
    parts: tuple = attrs.field(repr=False, eq=False)

    def render(self, env: Mapping[str, Any], labels: Mapping[str, str] | None = None,
               row: Mapping[str, Any] | None = None) -> str:
        """The text with ``env``'s facts filled in; ``row``, when given, is read first."""
        out = []
        for part in self.parts:
            if part.__class__ is str:
                out.append(part)
            elif part[0] is None:
                out.append(format_value(part[1], labels, part[2]))
            else:
                name = part[0]
                value = row[name] if row is not None and name in row else env.get(name)
                out.append(format_value(value, labels, part[1]))
        return "".join(out)


def compile_template(text: str, scope: Scope) -> Template:
    if not isinstance(text, str):
        raise TypeError(f"a template is text, not {type(text).__name__}")
    parts: list = []
    names: set[str] = set()
    pos = 0
    for match in _PLACEHOLDER.finditer(text):
        parts.append(text[pos:match.start()])
        pos = match.end()
        token = match.group()
        if token in ("{{", "}}"):
            parts.append(token[0])
            continue
        if match.group(1) is None:
            raise ExpressionError(f"a lone {token!r}: write {token * 2!r} for a brace",
                                  match.start() + 1)
        body = match.group(1)
        name, _, spec = body.partition(":")
        column = match.start() + 2 + (len(name) - len(name.lstrip()))  # where the name starts
        name, spec = name.strip(), spec.strip()
        if not name:
            raise ExpressionError("empty placeholder: write '{{}}' for braces", match.start() + 1)
        if not _NAME.match(name):
            raise ExpressionError(f"{name!r} is not a name", column, name)
        if spec and spec not in FORMATS:
            raise ExpressionError(f"unknown format {spec!r} (formats: {', '.join(FORMATS)})",
                                  match.start() + 2 + body.index(":") + 1, name)
        if name in scope.facts:
            names.add(name)
            parts.append((name, spec))
        elif name in scope.params:
            value = scope.params[name]
            if isinstance(value, (set, frozenset, list, tuple)):
                parts.append((None, value, spec))  # labels may rename its members
            else:
                parts.append(format_value(value, None, spec))
        else:
            raise ExpressionError(f"unknown name {name!r}{did_you_mean(name, scope.names())}",
                                  column, name)
    parts.append(text[pos:])
    # Merge neighbouring text (folded parameters, braces) so rendering appends less.
    merged: list = []
    for part in parts:
        if part.__class__ is str and merged and merged[-1].__class__ is str:
            merged[-1] += part
        elif part != "":
            merged.append(part)
    return Template(text=text, names=frozenset(names), parts=tuple(merged))
