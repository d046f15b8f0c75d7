"""Checks that the messages of one plan agree with each other and with the applicant.

``contradictions(plan, profile, rulebook)`` reads a plan as the TOML ``resplan plan``
writes (a dict) next to the profile it was made for, and lists what an advisor would
strike out:

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

SCORE_FINDINGS = {"low-step1", "low-step2ck", "very-low-step2ck", "failed-attempt",
                  "multiple-failures"}
SCORE_IS_LOW = ("below average", "below the average", "score gap", "scores are a concern",
                "make up for your scores", "scores like yours", "weaker than most",
                "outshines your scores", "about your scores", "with lower scores",
                "despite your scores", "low score")
SPANISH_ASSET = ("Spanish first", "diagnosis in Spanish", "your Spanish counts most",
                 "Spanish is an asset", "your Spanish still makes")
WORKING_SPANISH = ("medical", "professional", "fluent", "native")
EARN_A_SCORE = ("a score that clears", "once your score", "until you have your score",
                "retake", "sit the exam again", "Step 2 CK, still to come")

_MONTHS = re.compile(r"(\d+(?:\.\d+)?) months? of ((?:[\w-]+ ){0,5}?(?:work|time))\b")


def texts(plan: dict) -> list[tuple[str, str]]:
    """Every sentence a reader sees, with where it stands."""
    out = []
    for kind in ("weaknesses", "strengths"):
        for finding in plan["assessment"].get(kind, []):
            out += [(f"assessment {finding['name']}", r["says"]) for r in finding["reasons"]]
    for section in ("specialties", "regions", "programs"):
        for item in plan.get(section, []):
            name = item.get("name") or item.get("id")
            out += [(f"{section} {name}", r["says"]) for r in item.get("reasons", [])]
    for action in plan.get("actions", []):
        out += [(f"action {action['id']}", action["title"]),
                (f"action {action['id']}", action["detail"])]
    out += [(f"summary {a['rule']}", a["says"]) for a in plan["summary"].get("advice", [])]
    return out


def _months(all_texts):
    quoted: dict[str, set[float]] = {}
    for where, text in all_texts:
        for number, measure in _MONTHS.findall(text):
            quoted.setdefault(measure.lower(), set()).add(float(number))
    return quoted


def contradictions(plan: dict, profile: dict, rulebook) -> list[str]:
    found = []
    all_texts = texts(plan)
    joined = "\n".join(text for _, text in all_texts)

    quoted = _months(all_texts)
    for measure, numbers in sorted(quoted.items()):
        if len(numbers) > 1:
            found.append(f"months of {measure!r} quoted as {sorted(numbers)}")
    hands_on = [n for m, ns in quoted.items() if m.startswith("hands-on") for n in ns]
    for where, text in all_texts:
        for number, measure in _MONTHS.findall(text):
            if "border" in text and "US clinical" in measure \
                    and hands_on and float(number) > min(hands_on) \
                    and "observership" not in text:
                found.append(f"{where}: {number} months of border clinical time beside "
                             f"{min(hands_on):g} months of hands-on work, observerships unsaid")

    assessment = plan["assessment"]
    weak = {f["name"] for f in assessment.get("weaknesses", [])}
    strong = {f["name"] for f in assessment.get("strengths", [])}
    if weak & strong:
        found.append(f"findings both weak and strong: {sorted(weak & strong)}")
    rules = {r.qualified_id: r for rs in rulebook.rulesets for r in rs.rules}

    def facts(kind):
        return {name for f in assessment.get(kind, []) for reason in f["reasons"]
                for name in rules[reason["rule"]].condition.names if name.startswith("profile.")}

    if facts("weaknesses") & facts("strengths"):
        found.append("a weakness and a strength rest on the same facts: "
                     f"{sorted(facts('weaknesses') & facts('strengths'))}")

    if not weak & SCORE_FINDINGS:
        for where, text in all_texts:
            for phrase in SCORE_IS_LOW:
                if phrase in text.lower():
                    found.append(f"{where}: says {phrase!r}, but no score is low")

    spanish = [lang.get("level") for lang in profile.get("languages", [])
               if lang["name"].lower() == "spanish"]
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
