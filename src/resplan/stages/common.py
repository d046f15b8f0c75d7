"""What every stage does with its rules: evaluate them for one subject and cite them."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from typing import Any

from resplan.plan import Reason
from resplan.rulebook import Rule
from resplan.rules import is_unknown


def evaluate(
    rules: Iterable[Rule], env: Mapping
) -> tuple[list[Rule], list[tuple[Rule, frozenset]]]:
    """The rules that fire for ``env``, and those left undecided with the facts that were unknown."""
    fired, undecided = [], []
    for rule in rules:
        result = rule.condition.fn(env)  # the bare closure: one call fewer per rule
        if result is True:
            fired.append(rule)
        elif is_unknown(result):
            undecided.append((rule, result.facts))
    return fired, undecided


def cite(
    rule: Rule,
    env: Mapping,
    labels: Mapping[str, str] | None = None,
    guessed: Mapping[str, tuple] | None = None,
) -> Reason:
    """The rule's id and its message, with finding names put in words, after what the
    profile leaves out that the rule rests on (``guessed``: see resplan.pipeline.Draft).

    A message is filled in from the facts it names, the labels and those gaps alone: the
    reason is kept by their values, so the next plan with the same values (most messages
    name none) finds it rendered."""
    gaps = guesses(rule, guessed)
    found = _CITED.get(id(rule))
    if found is None or found[0] is not rule or found[1] is not labels:
        if len(_CITED) >= CITED_RULES:
            _CITED.clear()
        found = _CITED[id(rule)] = (rule, labels, {})
    kept = found[2]
    try:
        # A gap is told by the sentence it puts first, not only by its field.
        key = (tuple(map(env.get, _says_names(rule))), tuple((g.key, g.says) for g in gaps))
        reason = kept.get(key)
    except TypeError:  # a value that cannot be a key: rendered, not kept
        key, reason = None, None
    if reason is None:
        says = rule.says.render(env, labels) if rule.says else ""
        reason = Reason(rule=rule.qualified_id, says=with_guesses(says, gaps))
        if key is not None and CITED_PER_RULE:
            if len(kept) >= CITED_PER_RULE:
                kept.clear()
            kept[key] = reason
    return reason


def _says_names(rule: Rule) -> tuple[str, ...]:
    """The facts the rule's message names, sorted (kept with the rule's reasons)."""
    names = _SAYS_NAMES.get(id(rule))
    if names is None or names[0] is not rule:
        if len(_SAYS_NAMES) >= CITED_RULES:
            _SAYS_NAMES.clear()
        names = _SAYS_NAMES[id(rule)] = (rule, tuple(sorted(rule.says.names if rule.says else ())))
    return names[1]


# Rules whose reasons cite keeps (a process may plan with several rulebooks), and how many
# sets of values each keeps reasons for (a batch of applicants brings many).
CITED_RULES = 4096
CITED_PER_RULE = 64
_CITED: dict[int, tuple[Rule, Any, dict]] = {}
_SAYS_NAMES: dict[int, tuple[Rule, tuple[str, ...]]] = {}


def guesses(rule: Rule, guessed: Mapping[str, tuple] | None) -> tuple:
    """The gaps of the profile (resplan.facts.Gap) that the rule's condition or message
    reads a worst value of, by field."""
    if not guessed:
        return ()
    names = rule.condition.names | (rule.says.names if rule.says else frozenset())
    found = {gap.key: gap for name in names for gap in guessed.get(name, ())}
    return tuple(found[key] for key in sorted(found))


def with_guesses(says: str, gaps: tuple) -> str:
    """``says`` after a sentence for each gap it rests on: the reader learns first that a
    number or a kind in it is the plan's guess."""
    return " ".join(part for part in (*(gap.says for gap in gaps), says) if part) if gaps else says


def rulebook_memo(rulebook: Any, name: str) -> dict:
    """A dict kept with ``rulebook`` under ``name``, for what its rules and tables give
    the same in every plan (a batch plans many times with one rulebook). It goes with
    the rulebook: another rulebook, even one with the same id later, gets its own."""
    found = _MEMOS.get(id(rulebook))
    if found is None or found[0]() is not rulebook:
        if len(_MEMOS) >= RULEBOOK_MEMOS:
            _MEMOS.clear()
        found = _MEMOS[id(rulebook)] = (weakref.ref(rulebook), {})
    memo = found[1].get(name)
    if memo is None:
        memo = found[1][name] = {}
    return memo


# Rulebooks with a memo: a run loads one, a test suite a few dozen.
RULEBOOK_MEMOS = 64
_MEMOS: dict[int, tuple[weakref.ref, dict]] = {}
