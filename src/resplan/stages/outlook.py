"""Stage 9: the outlook: the applicant against published national figures, in words.

The rules of the ``outlook`` ruleset (rulesets/outlook.toml) are asked here:

- a rule with a ``weight`` is a finding, asked once per considered specialty. The weights
  of the findings that hold are added up, and the sum falls in a band by the ruleset's
  ``band_*`` parameters. A finding whose condition is unknown (no Step 2 CK score yet)
  is counted both ways; when that spans two bands, the band is
  ``unknown`` and the plan names the facts it needs. The reasons are the findings that
  held: those against the applicant and those for them;
- a rule without a weight is a statement: once per considered specialty when it reads a
  ``specialty.*`` fact (the specialty's figures), otherwise once for the plan.

A specialty's figure (``specialty.img_share``) is the parameter ``img_share_<specialty>``
with its ``_season``; a specialty without one leaves the fact unknown. Every published
figure a cited rule quotes (a parameter with a ``_season`` companion) is listed in the
plan with its source and season. Nothing here is a chance for the person: NRMP's data are
not built to predict one applicant's result, and the plan says so.
"""

from __future__ import annotations

import re

import numpy as np

from resplan.facts import PROFILE_FACTS
from resplan.plan import VERDICTS, Outlook, OutlookFigure, SpecialtyOutlook
from resplan.stages.actions import preliminary_mask, synthetic_mask
from resplan.stages.common import cite, evaluate
from resplan.stages.table import catalog_table

OUTLOOK = "outlook"  # the ruleset whose parameters the code reads
SEASON_SUFFIX = "_season"
IMG_SHARE_PREFIX = "img_share_"
BAND_EDGES = ("band_above_from", "band_near_from", "band_below_from")  # best band first
BANDS = ("above", "near", "below", "well-below")
# The band as the plan says it; "{}" is the specialty.
BAND_WORDS = {
    "above": "In {}, your file stands above the typical IMG applicant.",
    "near": "In {}, your file stands close to the typical IMG applicant.",
    "below": "In {}, your file stands below the typical IMG applicant.",
    "well-below": "In {}, your file stands well below the typical IMG applicant.",
}
BAND_NAMES = {"above": "above", "near": "close to", "below": "below", "well-below": "well below"}
APPLY = VERDICTS.index("apply")
SKIP = VERDICTS.index("skip")
_PLACEHOLDER = re.compile(r"\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*[:}]")


def read_by_code(name: str) -> bool:
    """Whether code reads the outlook ruleset's parameter ``name`` (resplan check)."""
    return name in BAND_EDGES or name.startswith(IMG_SHARE_PREFIX) or name.endswith(SEASON_SUFFIX)


def _ruleset(rulebook):
    return next((r for r in rulebook.rulesets if r.name == OUTLOOK), None)


def _slug(specialty: str) -> str:
    return IMG_SHARE_PREFIX + "".join(c if c.isalnum() else "_" for c in specialty.lower())


def national_share(rulebook, specialty: str):
    """The outlook ruleset's non-US IMG share of ``specialty`` (a percent), or None without
    one: the specialties stage reads it too, so that a fit's words agree with the figure."""
    ruleset = _ruleset(rulebook)
    share = ruleset.parameters.get(_slug(specialty)) if ruleset is not None else None
    return None if share is None else share.value


def run(draft):
    ruleset = _ruleset(draft.rulebook)
    rules = draft.rulebook.rules("outlook")
    if ruleset is None or not rules:
        return draft
    params = ruleset.parameters
    edges = [params[name].value for name in BAND_EDGES if name in params]
    if len(edges) != len(BAND_EDGES):
        return draft
    labels, guessed = draft.rulebook.labels, draft.guessed
    weighted = [r for r in rules if "weight" in r.effect]
    statements = [r for r in rules if "weight" not in r.effect]
    per_specialty = [r for r in statements if _per_specialty(r)]
    for_plan = [r for r in statements if not _per_specialty(r)]

    quoted: dict[str, None] = {}
    fired, _ = evaluate(for_plan, draft.env)
    says = tuple(cite(r, draft.env, labels, guessed) for r in fired)
    for rule in fired:
        quoted.update(dict.fromkeys(_figures_of(rule, params)))

    passed = _passed(draft)
    out = []
    # A field with no program at all: what that says (about the catalog, not the person)
    # is said at the first such field, and only named at the next ones.
    without_program = 0
    for target in draft.specialties:
        env = {
            **draft.env,
            **{
                k: v
                for k, v in draft.specialty_envs.get(target.name, {}).items()
                if k.startswith("specialty.")
            },
        }
        share = params.get(_slug(target.name))
        season = params.get(_slug(target.name) + SEASON_SUFFIX)
        if share is not None and season is not None:
            env["specialty.img_share"] = share.value
            env["specialty.img_share_season"] = season.value
        total, unknown, generated, border, preliminary, listed = passed.get(target.name, (0,) * 6)
        env["specialty.passed"], env["specialty.passed_unknown"] = total, unknown
        env["specialty.passed_preliminary"] = preliminary
        env["specialty.passed_generated"] = generated
        env["specialty.passed_border"] = border
        env["specialty.in_catalog"] = listed
        env["specialty.earlier_without_program"] = without_program
        if total == generated == preliminary == 0:
            without_program += 1

        held, undecided = evaluate(weighted, env)
        score = sum(r.effect["weight"] for r in held)
        low = score + sum(min(r.effect["weight"], 0) for r, _facts in undecided)
        high = score + sum(max(r.effect["weight"], 0) for r, _facts in undecided)
        band, worst, best = band_of(score, edges), band_of(low, edges), band_of(high, edges)
        if worst != best:
            band = "unknown"
            needed = sorted(
                {
                    PROFILE_FACTS[f].label
                    for _rule, facts in undecided
                    for f in facts
                    if f in PROFILE_FACTS
                }
            )
            words = (
                f"In {target.name}, resplan cannot place your file in one band yet: "
                f"from {BAND_NAMES[worst]} to {BAND_NAMES[best]} the typical IMG "
                "applicant, depending on what your profile does not say yet"
            )
            words += f" ({_words(needed)})." if needed else "."
        else:
            words = BAND_WORDS[band].format(target.name)
        if "specialty.img_share" not in env:
            # No figure for the field: the findings are about IMGs in general, so the
            # plan does not claim where the file stands in this field.
            band = "unknown"
            words = (
                f"resplan has no published figures on IMG applicants in {target.name}, so it "
                "cannot place your file against the typical IMG applicant in that field. "
                "The findings below are what went with matching among IMGs in general."
            )
        context, _ = evaluate(per_specialty, env)
        for rule in (*held, *context):
            quoted.update(dict.fromkeys(_figures_of(rule, params)))
        if "specialty.img_share" in env:
            quoted.update(dict.fromkeys(_figures_of_name(share.name, params)))
        out.append(
            SpecialtyOutlook(
                specialty=target.name,
                band=band,
                says=words,
                passed=total,
                passed_unknown=unknown,
                img_share=float(share.value) if "specialty.img_share" in env else None,
                img_share_season=season.value if "specialty.img_share" in env else None,
                against=tuple(
                    cite(r, env, labels, guessed) for r in held if r.effect["weight"] < 0
                ),
                in_favour=tuple(
                    cite(r, env, labels, guessed) for r in held if r.effect["weight"] > 0
                ),
                context=tuple(cite(r, env, labels, guessed) for r in context),
            )
        )
    figures = tuple(_figure(name, params) for name in sorted(quoted))
    return draft.evolve(outlook=Outlook(says=says, specialties=tuple(out), figures=figures))


def _per_specialty(rule) -> bool:
    names = rule.condition.names | (rule.says.names if rule.says else frozenset())
    return any(name.startswith("specialty.") for name in names)


def band_of(score: int, edges: list) -> str:
    for band, edge in zip(BANDS, edges):
        if score >= edge:
            return band
    return BANDS[-1]


def _words(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _passed(draft) -> dict[str, tuple[int, int, int, int, int, int]]:
    """Per specialty: real programs the applicant passes every known filter of (verdict
    apply), leaving out those of a preliminary track; how many of them have facts to
    verify; how many generated programs pass too (examples, not programs to apply to); how
    many real programs not skipped are in a border sub-region; and how many real programs
    of a preliminary track pass (one-year places, counted apart); and how many programs of
    the specialty the plan holds at all, whatever their verdict; column by column."""
    programs = draft.programs
    if not len(programs):
        return {}
    if programs.catalog_rows is not None:
        keys = catalog_table(draft.catalog, draft.rulebook.city_regions).keys
        codes, names = keys.specialty[programs.catalog_rows], keys.specialties
    else:  # decisions built by hand: read each program's specialty
        names = tuple(sorted({p.specialty for p in programs.programs}))
        codes = np.array([names.index(p.specialty) for p in programs.programs], dtype=np.int64)
    synthetic = synthetic_mask(programs, draft.catalog)
    apply = np.asarray(programs.verdict) == APPLY
    has_facts = np.array([bool(fields) for fields in programs.verify_sets], dtype=bool)
    unknown = has_facts[np.asarray(programs.to_verify)]
    prelim = preliminary_mask(programs, draft.catalog) & ~synthetic
    categorical = apply & ~synthetic & ~prelim
    passed = np.bincount(codes[categorical], minlength=len(names))
    resting = np.bincount(codes[categorical & unknown], minlength=len(names))
    one_year = np.bincount(codes[apply & prelim], minlength=len(names))
    generated = np.bincount(codes[apply & synthetic], minlength=len(names))
    in_region = np.array([region is not None for region in programs.regions], dtype=bool)
    border = in_region[np.asarray(programs.region)] if len(in_region) else apply & False
    kept = np.asarray(programs.verdict) != SKIP  # borderline ones are in the plan too
    on_border = np.bincount(codes[kept & ~synthetic & border], minlength=len(names))
    listed = np.bincount(codes, minlength=len(names))
    return {
        name: (
            int(passed[code]),
            int(resting[code]),
            int(generated[code]),
            int(on_border[code]),
            int(one_year[code]),
            int(listed[code]),
        )
        for code, name in enumerate(names)
        if listed[code]
    }


def _figures_of(rule, params) -> list[str]:
    """The published figures (parameters with a season) a rule's condition or words use."""
    names = set(rule.condition.params)
    if rule.says is not None:
        names |= set(_PLACEHOLDER.findall(rule.says.text))
    return [n for name in sorted(names) for n in _figures_of_name(name, params)]


def _figures_of_name(name: str, params) -> list[str]:
    if name.endswith(SEASON_SUFFIX):
        name = name[: -len(SEASON_SUFFIX)]
    return [name] if name in params and name + SEASON_SUFFIX in params else []


def _figure(name: str, params) -> OutlookFigure:
    p, season = params[name], params[name + SEASON_SUFFIX]
    return OutlookFigure(
        name=name,
        what=p.note,
        value=float(p.value),
        season=season.value if type(season.value) is int else None,
        source=p.source,
    )
