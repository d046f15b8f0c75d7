"""Words of a plan: grammar for readers of English as a second language, and advice that
agrees with itself and with the applicant. Used by resplan's tests and by the
``plain-words`` property, so an institution's own rulesets are held to the same rules.

:func:`problems` lists what a careful editor would mark in one message:

- a count that disagrees with its noun ("1 programs", "0 program"),
- "a" before a vowel sound or "an" before a consonant sound ("a unlikely"),
- "(s)" plurals ("time(s)"),
- raw identifiers: fact names, region ids, finding names (:func:`forbidden_ids`),
- empty parentheses (a list printed with nothing in it).

:func:`contradictions` reads a plan as the TOML ``resplan plan`` writes (a dict) next to
the profile it was made for, and lists what an advisor would strike out:

- the same measure quoted with two numbers ("0 months of hands-on US clinical work" and
  "2 months of hands-on US clinical work"), or border clinical months above the hands-on
  months without saying that observerships are counted;
- a weakness and a strength that rest on the same profile fact;
- score-is-low wording when no score finding is a weakness;
- Spanish put forward when the applicant has no working Spanish, "Texas contacts"
  without Texas rotations;
- advice to earn a score the applicant already has.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from resplan.rulebook import _stage_scopes
from resplan.rules.template import article

# Nouns the rulesets count. A number other than 1 before the singular is wrong, and
# 1 before the plural is wrong.
COUNTED = {
    "program": "programs",
    "month": "months",
    "year": "years",
    "letter": "letters",
    "time": "times",
    "cycle": "cycles",
    "application": "applications",
    "attempt": "attempts",
    "point": "points",
    "poster": "posters",
    "manuscript": "manuscripts",
    "week": "weeks",
    "region": "regions",
    "sub-region": "sub-regions",
    "specialty": "specialties",
    "writer": "writers",
    "program's": "programs'",
    "day": "days",
    "exam": "exams",
    "presentation": "presentations",
    "resident": "residents",
    "position": "positions",
}
PLURALS = {plural: singular for singular, plural in COUNTED.items()}
# Words that may stand between a number and its noun ("1 US clinical letter").
MODIFIERS = {
    "US",
    "more",
    "hands-on",
    "clinical",
    "border",
    "extra",
    "earlier",
    "new",
    "other",
    "full",
    "further",
    "tier",
    "borderline",
    "unmatched",
    "IMG-friendly",
    "of",
    "your",
}

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
                    out.append(
                        f"'{number} {' '.join(words[: position + 1])}': "
                        f"one {PLURALS[word]}, not {word}"
                    )
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


def problems(text: str, forbidden: Collection[str] = frozenset()) -> list[str]:
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


SCORE_FINDINGS = {
    "low-step1",
    "low-step2ck",
    "very-low-step2ck",
    "failed-attempt",
    "multiple-failures",
}
SCORE_IS_LOW = (
    "below average",
    "below the average",
    "score gap",
    "scores are a concern",
    "make up for your scores",
    "scores like yours",
    "weaker than most",
    "outshines your scores",
    "about your scores",
    "with lower scores",
    "despite your scores",
    "low score",
)
SPANISH_ASSET = (
    "Spanish first",
    "diagnosis in Spanish",
    "your Spanish counts most",
    "Spanish is an asset",
    "your Spanish still makes",
)
WORKING_SPANISH = ("medical", "professional", "fluent", "native")
EARN_A_SCORE = (
    "a score that clears",
    "once your score",
    "until you have your score",
    "retake",
    "sit the exam again",
    "Step 2 CK, still to come",
)

_MONTHS = re.compile(r"(\d+(?:\.\d+)?) months? of ((?:[\w-]+ ){0,5}?(?:work|time))\b")


def texts(plan: dict, hypothetical: bool = True) -> list[tuple[str, str]]:
    """Every sentence a reader sees, with where it stands. ``hypothetical=False`` leaves
    out the words about changes the applicant could make ([[what_if]], and the summary's
    sentences about them): they quote a changed profile, not this one."""
    out = []
    changes = {entry["rule"] for entry in plan.get("what_if", [])}
    for kind in ("weaknesses", "strengths"):
        for finding in plan["assessment"].get(kind, []):
            out += [(f"assessment {finding['name']}", r["says"]) for r in finding["reasons"]]
    for section in ("specialties", "regions", "programs"):
        for item in plan.get(section, []):
            name = item.get("name") or item.get("id")
            out += [(f"{section} {name}", r["says"]) for r in item.get("reasons", [])]
    for action in plan.get("actions", []):
        out += [
            (f"action {action['id']}", action["title"]),
            (f"action {action['id']}", action["detail"]),
        ]
    out += [
        (f"summary {a['rule']}", a["says"])
        for a in plan["summary"].get("advice", [])
        if hypothetical or a["rule"] not in changes
    ]
    for item in plan.get("signals", []):
        where = f"signals {item['specialty']}"
        out += [(where, item[key]) for key in ("says", "geographic", "evidence") if key in item]
        out += [(f"{where} {choice['id']}", choice["why"]) for choice in item.get("programs", [])]
    outlook = plan.get("outlook", {})
    out += [(f"outlook {r['rule']}", r["says"]) for r in outlook.get("says", [])]
    for item in outlook.get("specialties", []):
        where = f"outlook {item['specialty']}"
        out.append((where, item["says"]))
        out += [
            (f"{where} {r['rule']}", r["says"])
            for part in ("against", "in_favour", "context")
            for r in item.get(part, [])
        ]
    if hypothetical:
        for entry in plan.get("what_if", []):
            out += [(f"what_if {entry['rule']}", entry["change"])]
            out += [(f"what_if {entry['rule']}", entry["note"])] if "note" in entry else []
    return out


def _months(all_texts):
    quoted: dict[str, set[float]] = {}
    for _where, text in all_texts:
        for number, measure in _MONTHS.findall(text):
            quoted.setdefault(measure.lower(), set()).add(float(number))
    return quoted


def contradictions(plan: dict, profile: dict, rulebook) -> list[str]:
    found = []
    all_texts = texts(plan, hypothetical=False)
    joined = "\n".join(text for _, text in all_texts)

    quoted = _months(all_texts)
    for measure, numbers in sorted(quoted.items()):
        if len(numbers) > 1:
            found.append(f"months of {measure!r} quoted as {sorted(numbers)}")
    hands_on = [n for m, ns in quoted.items() if m.startswith("hands-on") for n in ns]
    for where, text in all_texts:
        for number, measure in _MONTHS.findall(text):
            if (
                "border" in text
                and "US clinical" in measure
                and hands_on
                and float(number) > min(hands_on)
                and "observership" not in text
            ):
                found.append(
                    f"{where}: {number} months of border clinical time beside "
                    f"{min(hands_on):g} months of hands-on work, observerships unsaid"
                )

    assessment = plan["assessment"]
    weak = {f["name"] for f in assessment.get("weaknesses", [])}
    strong = {f["name"] for f in assessment.get("strengths", [])}
    if weak & strong:
        found.append(f"findings both weak and strong: {sorted(weak & strong)}")
    rules = {r.qualified_id: r for rs in rulebook.rulesets for r in rs.rules}

    def facts(kind):
        return {
            name
            for f in assessment.get(kind, [])
            for reason in f["reasons"]
            for name in rules[reason["rule"]].condition.names
            if name.startswith("profile.")
        }

    if facts("weaknesses") & facts("strengths"):
        found.append(
            "a weakness and a strength rest on the same facts: "
            f"{sorted(facts('weaknesses') & facts('strengths'))}"
        )

    if not weak & SCORE_FINDINGS:
        for where, text in all_texts:
            for phrase in SCORE_IS_LOW:
                if phrase in text.lower():
                    found.append(f"{where}: says {phrase!r}, but no score is low")

    spanish = [
        lang.get("level")
        for lang in profile.get("languages", [])
        if lang["name"].lower() == "spanish"
    ]
    if not any(level in WORKING_SPANISH for level in spanish):
        for where, text in all_texts:
            for phrase in SPANISH_ASSET:
                if phrase.lower() in text.lower():
                    found.append(f"{where}: says {phrase!r}, but there is no working Spanish")
    clinical_states = {c.get("state") for c in profile.get("clinical", [])}
    if "TX" not in clinical_states and "Texas contacts" in joined:
        found.append("'Texas contacts' without a Texas rotation")

    if profile.get("exams", {}).get("step2ck", {}).get("score") is not None:
        for where, text in all_texts:
            for phrase in EARN_A_SCORE:
                if phrase.lower() in text.lower():
                    found.append(f"{where}: says {phrase!r}, but the score is in")
    return found
