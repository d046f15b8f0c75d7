"""The rule language: conditions and message templates, parsed and compiled by resplan itself.

Rule text is tokenized, parsed, type-checked against a :class:`Scope` and compiled to
closures once; it never reaches ``eval`` or ``exec``. See ``docs/rule-language.md``.
"""

from resplan.rules.compiler import (
    Compiled,
    Condition,
    ExpressionError,
    Scope,
    compile_condition,
    compile_expression,
    param_type,
)
from resplan.rules.expr import parse
from resplan.rules.functions import BUILTIN_FUNCTIONS, Function
from resplan.rules.template import Template, compile_template, format_value
from resplan.rules.types import ANY, BOOL, NUMBER, TEXT, Enum, Level, SetOf, Type
from resplan.rules.values import Unknown, is_unknown

__all__ = [
    "ANY",
    "BOOL",
    "NUMBER",
    "TEXT",
    "Enum",
    "Level",
    "SetOf",
    "Type",
    "Unknown",
    "is_unknown",
    "Function",
    "BUILTIN_FUNCTIONS",
    "Scope",
    "Condition",
    "Compiled",
    "compile_condition",
    "compile_expression",
    "ExpressionError",
    "Template",
    "compile_template",
    "parse",
    "format_value",
    "param_type",
]
