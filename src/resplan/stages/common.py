"""What every stage does with its rules: evaluate them for one subject and cite them."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping
from typing import Any

from resplan.plan import Reason
from resplan.rulebook import Rule
from resplan.rules import is_unknown
from resplan.rules.expr import Binary, Call, ListLit, Literal, Name, Unary


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


# The assessment's sets of findings: a rule that only asks whether some findings are in
# one rests on the gaps of those findings alone (see resplan.stages.assess._guessed, which
# keeps the gaps of each finding under "<fact>#<finding>").
FINDING_SETS = frozenset(
    ("assessment.weaknesses", "assessment.strengths", "assessment.border_strengths")
)


def guesses(rule: Rule, guessed: Mapping[str, tuple] | None) -> tuple:
    """The gaps of the profile (resplan.facts.Gap) that the rule's condition or message
    reads a worst value of, by field. A condition that asks only whether named findings
    are in a set of findings (``'no-us-letter' in assessment.weaknesses``, ``any_in(...)``)
    rests on the gaps of those findings, not on those of every finding of the set."""
    if not guessed:
        return ()
    printed = rule.says.names if rule.says else frozenset()
    named = _findings_asked(rule)
    found: dict[str, Any] = {}
    for name in rule.condition.names | printed:
        asked = named.get(name) if name in FINDING_SETS and name not in printed else None
        if asked is None:
            found.update((gap.key, gap) for gap in guessed.get(name, ()))
        else:
            for finding in asked:
                found.update((gap.key, gap) for gap in guessed.get(f"{name}#{finding}", ()))
    return tuple(found[key] for key in sorted(found))


def _findings_asked(rule: Rule) -> dict[str, frozenset | None]:
    """Per set of findings the condition reads: the findings it asks about, when it only
    asks whether named findings are in it; None when it reads the set otherwise."""
    found = _FINDINGS_ASKED.get(id(rule))
    if found is None or found[0] is not rule:
        if len(_FINDINGS_ASKED) >= CITED_RULES:
            _FINDINGS_ASKED.clear()
        asked: dict[str, set | None] = {}
        _walk_findings(rule.condition.ast, asked)
        found = _FINDINGS_ASKED[id(rule)] = (
            rule,
            {k: None if v is None else frozenset(v) for k, v in asked.items()},
        )
    return found[1]


def _walk_findings(node, asked: dict) -> None:
    def ask(name: str, literals) -> None:
        if asked.get(name, set()) is not None:
            if literals is None:
                asked[name] = None
            else:
                asked.setdefault(name, set()).update(literals)

    if isinstance(node, Binary) and node.op in ("in", "not in"):
        right = node.right
        if isinstance(right, Name) and right.name in FINDING_SETS:
            literal = node.left.value if isinstance(node.left, Literal) else None
            ask(right.name, None if not isinstance(literal, str) else (literal,))
            _walk_findings(node.left, asked)
            return
    if isinstance(node, Call) and node.name == "any_in" and len(node.args) == 2:
        first, second = node.args
        if isinstance(first, Name) and first.name in FINDING_SETS:
            items = second.items if isinstance(second, ListLit) else None
            values = None
            if items is not None and all(isinstance(i, Literal) for i in items):
                values = tuple(str(i.value) for i in items)
            ask(first.name, values)
            return
    if isinstance(node, Name):
        if node.name in FINDING_SETS:
            ask(node.name, None)  # read as a whole: count(), a comparison, a message
        return
    for child in _children(node):
        _walk_findings(child, asked)


def _children(node) -> tuple:
    if isinstance(node, Call):
        return tuple(node.args)
    if isinstance(node, ListLit):
        return tuple(node.items)
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    return ()


_FINDINGS_ASKED: dict[int, tuple[Rule, dict]] = {}


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
