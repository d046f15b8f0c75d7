"""A reproducible synthetic national catalog of residency programs.

``synthesize_catalog(programs, seed)`` draws fictional first-year programs whose shape
follows published national figures (NRMP, FREIDA, journal studies) and, where no source
gives a number, explicit assumptions. Both live in ``resplan/data/national.toml``: each
figure there names its ``source`` or is marked ``assumption = true`` with a note. Nothing
in this module is a figure; change the data file, not the code, to recalibrate.

Every synthetic program says it is synthetic in its ``name`` and ``source``. A fact the
generator treats as unpublished (a minimum score, a visa policy, ...) is left out of the
program's dict, which means *unknown*, exactly as in a real catalog.

The only randomness is one ``random.Random(seed)``, consumed in a fixed order, so the same
arguments always give the same list (and the same TOML/CSV bytes). Program ``i`` depends
only on the programs before it: a smaller catalog is a prefix of a larger one with the
same seed (up to 99,999 programs, where the id width stays 5 digits).
"""

from __future__ import annotations

import bisect
import copy
import csv
import functools
import io
import math
import random
import re
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from typing import Any

import tomli
import tomli_w

__all__ = [
    "PROGRAM_KEYS",
    "CSV_COLUMNS",
    "synthesize_catalog",
    "dumps_catalog_toml",
    "dumps_catalog_csv",
    "load_national",
    "check_provenance",
]

# Keys of a catalog program, in the order the writers use. A key that is missing from a
# program's dict is an unknown fact. No acgme_id, nrmp_code or website: a generated program
# must not carry an identifier that could be a real program's.
PROGRAM_KEYS: tuple[str, ...] = (
    "id",
    "name",
    "specialty",
    "track",
    "city",
    "state",
    "setting",
    "img_share",
    "visas",
    "positions",
    "min_step2ck",
    "max_years_since_graduation",
    "max_attempts",
    "spanish_preferred",
    "underserved_focus",
    "rural",
    "source",
)
# The CSV columns; ``facts_as_of`` is never set on synthetic programs (they are not facts)
# but real programs written through the same function may carry it. ``synthetic`` marks a
# generated program, which the plan then never mixes in as a real one.
CSV_COLUMNS: tuple[str, ...] = PROGRAM_KEYS[:-1] + ("facts_as_of", "source", "synthetic")
_WRITE_ORDER = CSV_COLUMNS

VISA_ORDER = ("J-1", "H-1B")
SETTINGS = ("university", "community", "community-university-affiliated", "military")
_SOURCE_TEMPLATE = "synthetic: resplan synth-catalog seed {seed}, calibrated to national.toml"
_INSTITUTION = {
    "university": "University Hospital",
    "community": "Community Hospital",
    "community-university-affiliated": "University-Affiliated Community Hospital",
    "military": "Military Medical Center",
}
_ID_WIDTH = 5
# The most programs `synth-catalog` makes: 75 times the national catalog's ~13,400, ten
# times the largest benchmark. A number past it is a typo that would run for hours and
# fill the memory before anything said so.
MAX_PROGRAMS = 10_000_000


# ---------------------------------------------------------------- national figures


@functools.lru_cache(maxsize=1)
def _national() -> dict[str, Any]:
    path = resources.files("resplan") / "data" / "national.toml"
    data = tomli.loads(path.read_text(encoding="utf-8"))
    problems = check_provenance(data)
    if problems:
        raise ValueError("national.toml: " + "; ".join(problems))
    return data


def load_national() -> dict[str, Any]:
    """The parsed ``resplan/data/national.toml`` (a fresh copy each call)."""
    return copy.deepcopy(_national())


def check_provenance(data: dict[str, Any]) -> list[str]:
    """Problems with the provenance of the figures in ``data``.

    Every number (and every table of numbers) must sit in a table that has a ``source``
    or ``assumption = true``, itself or through an enclosing table; a table marked as an
    assumption must say why in a ``note``. The top-level ``format`` is not a figure.
    """
    problems: list[str] = []

    def visit(node: Any, path: str, covered: bool) -> None:
        if isinstance(node, dict):
            here = covered
            if "assumption" in node:
                if node["assumption"] is not True:
                    problems.append(f"{path or '<top>'}.assumption must be true when given")
                elif not str(node.get("note", "")).strip():
                    problems.append(f"{path or '<top>'} is an assumption without a note")
                here = True
            if str(node.get("source", "")).strip():
                here = True
            for key, value in node.items():
                if not path and key == "format":
                    continue
                visit(value, f"{path}.{key}" if path else key, here)
        elif isinstance(node, list):
            for index, item in enumerate(node):
                visit(item, f"{path}[{index}]", covered)
        elif isinstance(node, (int, float)) and not isinstance(node, bool) and not covered:
            problems.append(f"{path} = {node!r} has neither a source nor an assumption mark")

    visit(data, "", False)
    return problems


# ---------------------------------------------------------------- the compiled model


def _cumulative(weights: Iterable[float]) -> list[float]:
    total, out = 0.0, []
    for weight in weights:
        if weight < 0:
            raise ValueError(f"negative weight {weight!r} in national.toml")
        total += float(weight)
        out.append(total)
    if not out or total <= 0:
        raise ValueError("national.toml: a weight table sums to zero")
    return out


def _logit(p: float) -> float:
    return math.log(p / (1.0 - p))


@dataclass(frozen=True)
class _Specialty:
    specialty: str
    track: str
    mean_positions: float
    img_shift: float
    min_shift: float


@dataclass(frozen=True)
class _Model:
    specialties: tuple[_Specialty, ...]
    specialty_cum: list[float]
    setting_cum: list[float]
    state_codes: tuple[str, ...]
    state_cum: list[float]
    state_names: dict[str, str]
    state_cities: dict[str, tuple[str, ...]]
    military_codes: tuple[str, ...]
    military_cum: list[float]
    military_cities: dict[str, tuple[str, ...]]
    border_share: dict[str, float]
    border_cities: dict[str, tuple[tuple[str, ...], list[float]]]
    border_city_set: frozenset[tuple[str, str]]
    img_unknown: float
    img_center: dict[str, float]  # logit of the setting median
    img_sd: float
    visa_unknown: float
    j1_rate: dict[str, float]
    h1b_given_j1: float
    h1b_given_no_j1: dict[str, float]
    positions_unknown: float
    positions_log_sd: float
    min_unknown: float
    min_mean: float
    min_sd: float
    min_round5: float
    min_lo: int
    min_hi: int
    min_setting_shift: dict[str, float]
    years_unknown: float
    years_values: tuple[int, ...]
    years_cum: list[float]
    attempts_unknown: float
    attempts_values: tuple[int, ...]
    attempts_cum: list[float]
    spanish_unknown: float
    spanish_border: float
    spanish_states: frozenset[str]
    spanish_states_share: float
    spanish_elsewhere: float
    underserved_unknown: float
    underserved_by_setting: dict[str, float]
    underserved_border: float
    rural_unknown: float
    rural_by_setting: dict[str, float]
    rural_border: float


def _share(value: Any, what: str) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"national.toml: {what} = {value!r} is not a share between 0 and 1")
    return value


@functools.lru_cache(maxsize=1)
def _model() -> _Model:
    nat = _national()

    # Specialties: the NRMP four in the ratio of their program counts, the rest by the
    # assumed relative weights; the two groups split by the assumed NRMP-four share.
    nrmp = {k: v for k, v in nat["nrmp_2025"].items() if isinstance(v, dict)}
    four_share = _share(nat["specialty_mix"]["nrmp_four_share"]["value"], "nrmp_four_share")
    ref_name = nat["img_share"]["specialty_shift"]["nrmp_reference"]
    ref_logit = _logit(nrmp[ref_name]["non_us_img_share_of_filled"])
    total_four = sum(row["programs"] for row in nrmp.values())
    specialties, weights = [], []
    for name, row in nrmp.items():
        specialties.append(
            _Specialty(
                specialty=name,
                track=row["track"],
                mean_positions=row["positions"] / row["programs"],
                img_shift=_logit(row["non_us_img_share_of_filled"]) - ref_logit,
                min_shift=0.0,
            )
        )
        weights.append(four_share * row["programs"] / total_four)
    others = nat["other_specialties"]["entry"]
    total_other = sum(float(row["weight"]) for row in others)
    for row in others:
        specialties.append(
            _Specialty(
                specialty=row["specialty"],
                track=row["track"],
                mean_positions=float(row["mean_positions"]),
                img_shift=float(row["img_logit_shift"]),
                min_shift=float(row["min_score_shift"]),
            )
        )
        weights.append((1.0 - four_share) * float(row["weight"]) / total_other)

    settings = nat["settings"]
    setting_cum = _cumulative(float(settings[s]) for s in SETTINGS)
    setting_weight = {s: float(settings[s]) / setting_cum[-1] for s in SETTINGS}

    geo = nat["geography"]
    states = geo["states"]
    state_codes = tuple(states)
    military = geo["military_states"]
    border = geo["border"]
    border_cities = {}
    for code, entry in border.items():
        names = tuple(entry["cities"])
        border_cities[code] = (names, _cumulative(entry["cities"][n] for n in names))

    img = nat["img_share"]
    medians = dict(img["median_by_setting"])
    medians["military"] = img["median_military"]["value"]
    img_center = {s: _logit(_share(medians[s], f"img median {s}")) for s in SETTINGS}

    # Visas: J-1 rate per setting is the published share among known policies, scaled by
    # the assumed relative setting effect and renormalised over the setting mix so the
    # catalog-wide share stays the published one. H-1B: an assumed part of the published
    # share falls on J-1 sponsors; the rest on non-J-1, non-military programs.
    visas = nat["visas"]
    j1 = _share(visas["j1_share_of_known"]["value"], "j1_share_of_known")
    h1b = _share(visas["h1b_share_of_known"]["value"], "h1b_share_of_known")
    relative = visas["j1_relative_by_setting"]
    norm = sum(setting_weight[s] * float(relative[s]) for s in SETTINGS)
    j1_rate = {s: j1 * float(relative[s]) / norm for s in SETTINGS}
    if any(rate > 1.0 for rate in j1_rate.values()):
        raise ValueError("national.toml: visa setting effects push a J-1 rate above 1")
    h1b_given_j1 = _share(visas["h1b_given_j1"]["value"], "h1b_given_j1")
    rest = h1b - j1 * h1b_given_j1
    if rest < 0:
        raise ValueError("national.toml: h1b_given_j1 gives more H-1B sponsors than published")
    no_j1_civil = sum(setting_weight[s] * (1.0 - j1_rate[s]) for s in SETTINGS if s != "military")
    b = rest / no_j1_civil if no_j1_civil > 0 else 0.0
    h1b_given_no_j1 = {s: (0.0 if s == "military" else b) for s in SETTINGS}

    score = nat["min_step2ck"]["distribution"]
    years = nat["max_years_since_graduation"]["values"]
    attempts = nat["max_attempts"]["values"]
    years_values = tuple(int(k) for k in years if _is_number_key(k))
    attempts_values = tuple(int(k) for k in attempts if _is_number_key(k))
    spanish = nat["spanish_preferred"]
    underserved = nat["underserved_focus"]
    rural = nat["rural"]

    return _Model(
        specialties=tuple(specialties),
        specialty_cum=_cumulative(weights),
        setting_cum=setting_cum,
        state_codes=state_codes,
        state_cum=_cumulative(float(states[c]["weight"]) for c in state_codes),
        state_names={c: states[c]["name"] for c in state_codes},
        state_cities={c: tuple(states[c]["cities"]) for c in state_codes},
        military_codes=tuple(military),
        military_cum=_cumulative(float(military[c]["weight"]) for c in military),
        military_cities={c: tuple(military[c]["cities"]) for c in military},
        border_share={c: _share(border[c]["share"], f"border share {c}") for c in border},
        border_cities=border_cities,
        border_city_set=frozenset((c, n) for c, (names, _) in border_cities.items() for n in names),
        img_unknown=_share(img["unknown_share"]["value"], "img unknown_share"),
        img_center=img_center,
        img_sd=float(img["spread"]["logit_sd"]),
        visa_unknown=_share(visas["unknown_share"]["value"], "visa unknown_share"),
        j1_rate=j1_rate,
        h1b_given_j1=h1b_given_j1,
        h1b_given_no_j1=h1b_given_no_j1,
        positions_unknown=_share(nat["positions"]["unknown_share"]["value"], "positions unknown"),
        positions_log_sd=float(nat["positions"]["spread"]["log_sd"]),
        min_unknown=_share(nat["min_step2ck"]["unknown_share"]["value"], "min score unknown"),
        min_mean=float(score["mean"]),
        min_sd=float(score["sd"]),
        min_round5=_share(score["round_to_5_share"], "round_to_5_share"),
        min_lo=int(score["lowest"]),
        min_hi=int(score["highest"]),
        min_setting_shift={s: float(score["setting_shift"][s]) for s in SETTINGS},
        years_unknown=_share(
            nat["max_years_since_graduation"]["unknown_share"]["value"], "years unknown"
        ),
        years_values=years_values,
        years_cum=_cumulative(float(years[str(v)]) for v in years_values),
        attempts_unknown=_share(nat["max_attempts"]["unknown_share"]["value"], "attempts unknown"),
        attempts_values=attempts_values,
        attempts_cum=_cumulative(float(attempts[str(v)]) for v in attempts_values),
        spanish_unknown=_share(spanish["unknown_share"], "spanish unknown_share"),
        spanish_border=_share(spanish["true_share_border"], "spanish border"),
        spanish_states=frozenset(spanish["high_hispanic_states"]),
        spanish_states_share=_share(spanish["true_share_high_hispanic_states"], "spanish states"),
        spanish_elsewhere=_share(spanish["true_share_elsewhere"], "spanish elsewhere"),
        underserved_unknown=_share(underserved["unknown_share"], "underserved unknown_share"),
        underserved_by_setting={
            s: _share(underserved["true_share_by_setting"][s], s) for s in SETTINGS
        },
        underserved_border=_share(underserved["true_share_border"], "underserved border"),
        rural_unknown=_share(rural["unknown_share"], "rural unknown_share"),
        rural_by_setting={
            s: _share(rural["true_share_by_setting"][s], f"rural {s}") for s in SETTINGS
        },
        rural_border=_share(rural["true_share_border"], "rural border"),
    )


def _is_number_key(key: str) -> bool:
    return key.isdigit()


# ---------------------------------------------------------------- drawing programs


def _pick(rng: random.Random, cum: list[float]) -> int:
    # Index of a weighted choice; one rng.random() per call.
    return bisect.bisect_right(cum, rng.random() * cum[-1], 0, len(cum) - 1)


def _draw(rng: random.Random, m: _Model, number: int, seed: int, source: str) -> dict:
    spec = m.specialties[_pick(rng, m.specialty_cum)]
    setting = SETTINGS[_pick(rng, m.setting_cum)]

    if setting == "military":
        state = m.military_codes[_pick(rng, m.military_cum)]
        cities = m.military_cities[state]
        city = cities[int(rng.random() * len(cities))]
    else:
        state = m.state_codes[_pick(rng, m.state_cum)]
        if state in m.border_share and rng.random() < m.border_share[state]:
            names, cum = m.border_cities[state]
            city = names[_pick(rng, cum)]
        else:
            cities = m.state_cities[state]
            city = cities[int(rng.random() * len(cities))]
    in_border = (state, city) in m.border_city_set

    label = spec.specialty + (" (preliminary)" if spec.track == "preliminary" else "")
    program: dict[str, Any] = {
        "id": f"synth-{seed}-{number:0{_ID_WIDTH}d}",
        "name": (
            f"Synthetic {_INSTITUTION[setting]} {number:0{_ID_WIDTH}d} "
            f"({city}, {m.state_names[state]}): {label}"
        ),
        "specialty": spec.specialty,
        "track": spec.track,
        "city": city,
        "state": state,
        "setting": setting,
    }

    if rng.random() >= m.img_unknown:
        x = m.img_center[setting] + spec.img_shift + m.img_sd * rng.normalvariate(0.0, 1.0)
        program["img_share"] = round(1.0 / (1.0 + math.exp(-x)), 3)

    if rng.random() >= m.visa_unknown:
        j1 = rng.random() < m.j1_rate[setting]
        h1b = rng.random() < (m.h1b_given_j1 if j1 else m.h1b_given_no_j1[setting])
        program["visas"] = [v for v, on in zip(VISA_ORDER, (j1, h1b)) if on]

    if rng.random() >= m.positions_unknown:
        mu = math.log(spec.mean_positions) - m.positions_log_sd**2 / 2.0
        program["positions"] = max(1, int(rng.lognormvariate(mu, m.positions_log_sd) + 0.5))

    if rng.random() >= m.min_unknown:
        value = (
            m.min_mean
            + m.min_setting_shift[setting]
            + spec.min_shift
            + m.min_sd * rng.normalvariate(0.0, 1.0)
        )
        if rng.random() < m.min_round5:
            value = 5 * math.floor(value / 5 + 0.5)
        program["min_step2ck"] = min(m.min_hi, max(m.min_lo, int(math.floor(value + 0.5))))

    if rng.random() >= m.years_unknown:
        program["max_years_since_graduation"] = m.years_values[_pick(rng, m.years_cum)]

    if rng.random() >= m.attempts_unknown:
        program["max_attempts"] = m.attempts_values[_pick(rng, m.attempts_cum)]

    if rng.random() >= m.spanish_unknown:
        p = (
            m.spanish_border
            if in_border
            else m.spanish_states_share
            if state in m.spanish_states
            else m.spanish_elsewhere
        )
        program["spanish_preferred"] = rng.random() < p

    if rng.random() >= m.underserved_unknown:
        p = m.underserved_border if in_border else m.underserved_by_setting[setting]
        program["underserved_focus"] = rng.random() < p

    if rng.random() >= m.rural_unknown:
        p = m.rural_border if in_border else m.rural_by_setting[setting]
        program["rural"] = rng.random() < p

    program["source"] = source
    return program


def synthesize_catalog(programs: int, seed: int) -> list[dict]:
    """``programs`` fictional programs drawn reproducibly from ``seed``, sorted by id.

    Same arguments, same list. Ids are ``synth-<seed>-<number>``; names start with
    "Synthetic" and every ``source`` starts with "synthetic:". Unknown facts are omitted.
    """
    for value, what in ((programs, "programs"), (seed, "seed")):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{what} must be an int, got {value!r}")
        if value < 0:
            # random.Random treats -n like n; refuse rather than alias two seeds.
            raise ValueError(f"{what} must not be negative, got {value}")
    model = _model()
    rng = random.Random(seed)
    source = _SOURCE_TEMPLATE.format(seed=seed)
    width = max(_ID_WIDTH, len(str(programs)))
    catalog = [_draw(rng, model, number, seed, source) for number in range(1, programs + 1)]
    if width != _ID_WIDTH:  # more than 99,999 programs: widen ids so they still sort
        for number, program in enumerate(catalog, 1):
            program["id"] = f"synth-{seed}-{number:0{width}d}"
    return catalog


# ---------------------------------------------------------------- writers


def _is_synthetic(program: dict) -> bool:
    return program.get("synthetic") is True or str(program.get("source", "")).startswith(
        "synthetic:"
    )


def _ordered(program: dict, *, strict: bool) -> dict:
    row = {key: program[key] for key in _WRITE_ORDER if program.get(key) is not None}
    extra = sorted(k for k in program if k not in _WRITE_ORDER and program[k] is not None)
    if extra and strict:
        raise ValueError(f"program {program.get('id')!r}: no CSV column for {', '.join(extra)}")
    for key in extra:
        row[key] = program[key]
    return row


def _header(programs: list[dict]) -> str:
    synthetic = sum(1 for p in programs if _is_synthetic(p))
    seeds = sorted(
        {
            int(m.group(1))
            for p in programs
            if _is_synthetic(p)
            for m in [re.search(r"\bseed (\d+)", str(p["source"]))]
            if m
        }
    )
    how = (
        "Made by resplan.synth.synthesize_catalog: seeded random draws calibrated to the "
        "published figures and the marked assumptions in resplan/data/national.toml"
        + (f" (seed {', '.join(map(str, seeds))})." if seeds else ".")
    )
    if programs and synthetic == len(programs):
        return (
            f"# Synthetic residency program catalog: {len(programs)} fictional programs, "
            f"not real ones. {how}\n"
        )
    if synthetic:
        return (
            f"# resplan program catalog: {len(programs)} programs, of which {synthetic} are "
            f"synthetic (fictional; source starts with 'synthetic:'). {how}\n"
        )
    return (
        f"# resplan program catalog: {len(programs)} programs; each program's source "
        "says where its facts come from.\n"
    )


def dumps_catalog_toml(programs: list[dict]) -> str:
    """The catalog as ``[[program]]`` tables, keys in catalog order, after a comment line
    that says whether (and how) the catalog is synthetic. Unknown facts are left out.

    A catalog of synthetic programs only says so once, ``[catalog] synthetic = true``; in a
    mixed one each synthetic program says ``synthetic = true``.
    """
    synthetic = [_is_synthetic(p) for p in programs]
    if programs and all(synthetic):
        rows = [
            _ordered({k: v for k, v in p.items() if k != "synthetic"}, strict=False)
            for p in programs
        ]
        return _header(programs) + tomli_w.dumps({"catalog": {"synthetic": True}, "program": rows})
    rows = [
        _ordered(dict(p, synthetic=True) if marked else p, strict=False)
        for p, marked in zip(programs, synthetic)
    ]
    return _header(programs) + tomli_w.dumps({"program": rows})


def _cell(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if key == "visas":
        # An empty cell is an unknown policy; a known policy of sponsoring nothing is "none".
        return ";".join(value) if value else "none"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def dumps_catalog_csv(programs: list[dict]) -> str:
    """The catalog as CSV with the header :data:`CSV_COLUMNS` and ``\\n`` line endings.

    An empty cell is unknown; a program known to sponsor no visa has ``none``; several
    visas are ``;``-joined; booleans are ``true``/``false``. A key with no column is an
    error rather than being dropped.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for program in programs:
        _ordered(program, strict=True)
        marked = dict(program, synthetic=True) if _is_synthetic(program) else program
        writer.writerow([_cell(key, marked.get(key)) for key in CSV_COLUMNS])
    return buffer.getvalue()
