"""What every stage does with its rules: evaluate them for one subject and cite them."""

from __future__ import annotations

from typing import Iterable, Mapping

from resplan.plan import Reason
from resplan.rulebook import Rule
from resplan.rules import is_unknown


def evaluate(rules: Iterable[Rule], env: Mapping) -> tuple[list[Rule], list[tuple[Rule, frozenset]]]:
    """The rules that fire for ``env``, and those left undecided with the facts that were unknown."""
    fired, undecided = [], []
    for rule in rules:
        result = rule.condition(env)
        if result is True:
            fired.append(rule)
        elif is_unknown(result):
            undecided.append((rule, result.facts))
    return fired, undecided


def cite(rule: Rule, env: Mapping, labels: Mapping[str, str] | None = None) -> Reason:
    """The rule's id and its message, with finding names put in words."""
    return Reason(rule=rule.qualified_id, says=rule.says.render(env, labels) if rule.says else "")
