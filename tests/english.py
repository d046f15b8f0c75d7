"""Grammar rules for plan text, read by people for whom English is a second language.

``problems(text, forbidden)`` lists what a careful editor would mark in one message:

- a count that disagrees with its noun ("1 programs", "0 program"),
- "a" before a vowel sound or "an" before a consonant sound ("a unlikely"),
- "(s)" plurals ("time(s)"),
- raw identifiers: fact names, region ids, finding names (``forbidden``),
- a yes/no or "none" printed where words were meant, and empty parentheses.
"""

from __future__ import annotations

import re

from resplan.rulebook import _stage_scopes
from resplan.rules.template import article

# Nouns the rulesets count. A number other than 1 before the singular is wrong, and
# 1 before the plural is wrong.
COUNTED = {
    "program": "programs", "month": "months", "year": "years", "letter": "letters",
    "time": "times", "cycle": "cycles", "application": "applications", "attempt": "attempts",
    "point": "points", "poster": "posters", "manuscript": "manuscripts", "week": "weeks",
    "region": "regions", "sub-region": "sub-regions", "specialty": "specialties",
    "writer": "writers", "program's": "programs'", "day": "days", "exam": "exams",
    "presentation": "presentations", "resident": "residents", "position": "positions",
}
PLURALS = {plural: singular for singular, plural in COUNTED.items()}
# Words that may stand between a number and its noun ("1 US clinical letter").
MODIFIERS = {"US", "more", "hands-on", "clinical", "border", "extra", "earlier", "new",
             "other", "full", "further", "tier", "borderline", "unmatched", "IMG-friendly",
             "of", "your"}

_NUMBER_THEN_WORDS = re.compile(r"(?<![\w.,%$-])(\d+(?:\.\d+)?)((?: [\w'-]+){1,4})")
_ARTICLE = re.compile(r"\b([Aa]n?) ([\w-]+)")


def count_problems(text: str) -> list[str]:
    out = []
    for match in _NUMBER_THEN_WORDS.finditer(text):
        number, words = match.group(1), match.group(2).split()
        for position, word in enumerate(words):
            following = words[position + 1] if position + 1 < len(words) else ""
            if word in COUNTED and (following in COUNTED or following in PLURALS):
                continue  # a compound noun: "3 letter writers"
            if word in COUNTED or word in PLURALS:
                one = float(number) == 1
                if one and word in PLURALS:
                    out.append(f"'{number} {' '.join(words[:position + 1])}': "
                               f"one {PLURALS[word]}, not {word}")
                elif not one and word in COUNTED and position == 0:
                    out.append(f"'{number} {word}': {number} {COUNTED[word]}")
                break
            if word not in MODIFIERS:
                break
    return out


def article_problems(text: str) -> list[str]:
    out = []
    for match in _ARTICLE.finditer(text):
        written, word = match.group(1), match.group(2)
        if word.lower() in ("few", "lot", "little", "bit"):  # "a few", "a lot": fixed phrases
            continue
        wanted = article(word)
        if written.lower() != wanted:
            out.append(f"'{written} {word}': {wanted} {word}")
    return out


def problems(text: str, forbidden: set[str] = frozenset()) -> list[str]:
    """What is wrong with ``text``; ``forbidden`` are identifiers that must not show."""
    out = count_problems(text) + article_problems(text)
    if "(s)" in text:
        out.append("'(s)': write the plural that fits the number")
    if "()" in text:
        out.append("empty parentheses: a list printed with nothing in it")
    for token in re.findall(r"[A-Za-z0-9_.-]+", text):
        token = token.strip(".-")
        if token in forbidden:
            out.append(f"raw identifier {token!r}")
    return out


def forbidden_ids(rulebook) -> set[str]:
    """Identifiers no reader should see: fact names, region ids, finding names."""
    names = set()
    for scope in _stage_scopes(tuple(sorted({s.group for s in rulebook.specialties}))).values():
        for name in scope:
            names.add(name)
            last = name.rsplit(".", 1)[-1]
            if "_" in last:
                names.add(last)
    names |= {sub.id for sub in rulebook.subregions}
    names |= set(rulebook.labels) - set(rulebook.labels.values())
    # A finding named by one plain word ("reapplicant", "leadership") is also English.
    return {n for n in names if any(c in n for c in "-_.0123456789")}
