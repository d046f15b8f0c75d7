"""Message templates: ``{name}`` placeholders filled with facts or parameters.

``{name:percent}`` prints a share (0.768) as a percentage (77%).
"""

from __future__ import annotations

import re
from typing import Any, Mapping

import attrs

from resplan.rules.compiler import Scope, did_you_mean
from resplan.rules.expr import ExpressionError
from resplan.rules.values import Unknown

_PART = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


FORMATS = ("percent",)


def format_value(value: Any, labels: Mapping[str, str] | None = None, spec: str = "") -> str:
    """A value as words; ``labels`` renames members of sets (finding names, say)."""
    if value is None or value.__class__ is Unknown:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if spec == "percent" and isinstance(value, (int, float)):
        return f"{round(value * 100)}%"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, "g")
    if isinstance(value, (set, frozenset, list, tuple)):
        words = sorted(labels.get(v, v) if labels and isinstance(v, str) else format_value(v)
                       for v in value)
        return ", ".join(words)
    return str(value)


@attrs.frozen
class Template:
    text: str
    names: frozenset[str]
    parts: tuple = attrs.field(repr=False, eq=False)  # str pieces and (name,) placeholders
    params: Mapping[str, Any] = attrs.field(repr=False, eq=False)

    def render(self, env: Mapping[str, Any], labels: Mapping[str, str] | None = None) -> str:
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
            else:
                name, spec = part
                value = self.params[name] if name in self.params else env.get(name)
                out.append(format_value(value, labels, spec))
        return "".join(out)


def compile_template(text: str, scope: Scope) -> Template:
    parts: list = []
    names = set()
    pos = 0
    for match in _PART.finditer(text):
        parts.append(text[pos:match.start()])
        pos = match.end()
        token = match.group()
        if token in ("{{", "}}"):
            parts.append(token[0])
            continue
        if match.group(1) is None:
            raise ExpressionError(f"a lone {token!r}: write {token * 2!r} for a brace",
                                  match.start() + 1)
        name, _, spec = match.group(1).strip().partition(":")
        name, spec = name.strip(), spec.strip()
        if spec and spec not in FORMATS:
            raise ExpressionError(f"unknown format {spec!r} (formats: {', '.join(FORMATS)})",
                                  match.start() + 2, name)
        if name not in scope.facts and name not in scope.params:
            raise ExpressionError(f"unknown name {name!r}{did_you_mean(name, scope.names())}",
                                  match.start() + 2, name)
        if name in scope.facts:
            names.add(name)
        parts.append((name, spec))
    parts.append(text[pos:])
    return Template(text=text, names=frozenset(names),
                    parts=tuple(p for p in parts if p != ""), params=dict(scope.params))
