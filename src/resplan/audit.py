"""What a catalog can and cannot say, before anyone plans with it (``check-catalog --audit``).

Per catalog file: how many programs state each optional fact, the oldest year a program's
facts come from, programs that look like one program listed twice (the same name,
specialty, city and state under different ids), and the specialties of the specialty
rules and the border sub-regions of the region rules where the catalog has no program.
None of these is an error: a catalog may well leave facts unknown. They are what an
advisor needs to know of it.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter
from typing import Any

import attrs

from resplan.model import Catalog, Program

# The program's own description, which every program has; the rest is counted.
REQUIRED = ("id", "name", "specialty", "city", "state")
NOT_FACTS = REQUIRED + ("synthetic",)
OPTIONAL_FACTS: tuple[str, ...] = tuple(
    a.name for a in attrs.fields(Program) if a.name not in NOT_FACTS
)


@attrs.frozen
class Lookalike:
    """Programs with one name, specialty and place under different ids."""

    name: str
    specialty: str
    city: str
    state: str
    ids: tuple[str, ...]


@attrs.frozen
class Audit:
    file: str
    programs: int
    synthetic: int  # programs marked synthetic
    known: tuple[tuple[str, int], ...]  # (fact, programs that state it), in catalog order
    oldest_facts_as_of: int | None
    oldest_count: int  # programs whose facts are from that year
    no_year: int  # programs that give no facts_as_of
    lookalikes: tuple[Lookalike, ...]
    # The specialty rules' specialties with no program, as (group, (specialty, ...)): the
    # group with the most programs of the catalog first, specialties by name.
    missing_specialties: tuple[tuple[str, tuple[str, ...]], ...]
    missing_subregions: tuple[tuple[str, str, str], ...]  # (id, name, state)

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "programs": self.programs,
            "synthetic": self.synthetic,
            "known": dict(self.known),
            "oldest_facts_as_of": self.oldest_facts_as_of,
            "oldest_count": self.oldest_count,
            "no_facts_as_of": self.no_year,
            "lookalikes": [attrs.asdict(look, value_serializer=_plain) for look in self.lookalikes],
            "specialties_without_programs": {
                group: list(names) for group, names in self.missing_specialties
            },
            "subregions_without_programs": [
                {"id": i, "name": n, "state": s} for i, n, s in self.missing_subregions
            ],
        }


def _plain(_inst, _field, value):
    return list(value) if isinstance(value, tuple) else value


def _key(text: str) -> str:
    """A name as people would compare it: case, accents, punctuation and spacing aside."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.casefold().replace("&", " and ")
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def lookalikes(programs, files=None) -> tuple[Lookalike, ...]:
    """Programs that look like one program under different ids. With ``files`` (each
    program's file, in the same order), only those found in more than one file, their
    ids written ``file: id``."""
    groups: dict[tuple[str, str, str, str], list[int]] = {}
    for index, program in enumerate(programs):
        key = (_key(program.name), program.specialty, _key(program.city), program.state)
        groups.setdefault(key, []).append(index)
    found = []
    for same in groups.values():
        if len(same) < 2 or (files is not None and len({files[i] for i in same}) < 2):
            continue
        first = programs[same[0]]
        ids = (programs[i].id if files is None else f"{files[i]}: {programs[i].id}" for i in same)
        found.append(
            Lookalike(first.name, first.specialty, first.city, first.state, tuple(sorted(ids)))
        )
    return tuple(sorted(found, key=lambda look: look.ids))


def across(read: list[tuple[str, Catalog]]) -> tuple[Lookalike, ...]:
    """Look-alike programs in different catalogs checked together: planned with both
    catalogs, one program would count twice. Only programs whose specialty and state
    another catalog also has can look alike: only they are compared, so that a national
    catalog with a small one of your own costs little."""
    if len(read) < 2:
        return ()
    places = [{(p.specialty, p.state) for p in catalog.programs} for _, catalog in read]
    shared = {place for place, n in Counter(x for s in places for x in s).items() if n > 1}
    pairs = [
        (str(file), program)
        for file, catalog in read
        for program in catalog.programs
        if (program.specialty, program.state) in shared
    ]
    return lookalikes([p for _, p in pairs], [f for f, _ in pairs])


def audit(catalog: Catalog, file: str, rulebook) -> Audit:
    """The audit of one catalog read from ``file``, against the rulebook's specialties and
    border sub-regions."""
    from resplan.facts import city_key

    programs = catalog.programs
    known = tuple(
        (name, sum(1 for p in programs if getattr(p, name) is not None)) for name in OPTIONAL_FACTS
    )
    years = [p.facts_as_of for p in programs if p.facts_as_of is not None]
    oldest = min(years) if years else None
    present = {p.specialty for p in programs}
    missing: dict[str, list[str]] = {}
    held: dict[str, int] = {}  # programs of the catalog in each group's specialties
    for row in rulebook.specialties:
        held[row.group] = held.get(row.group, 0) + sum(p.specialty == row.name for p in programs)
        if row.name not in present:
            missing.setdefault(row.group, []).append(row.name)
    # The groups the catalog is about first: a gap there matters most.
    order = sorted(missing, key=lambda group: (-held[group], group))
    regions = rulebook.city_regions
    covered = {regions.get(city_key(p.city, p.state)) for p in programs}
    return Audit(
        file=file,
        programs=len(programs),
        synthetic=sum(1 for p in programs if p.synthetic),
        known=known,
        oldest_facts_as_of=oldest,
        oldest_count=years.count(oldest) if oldest is not None else 0,
        no_year=len(programs) - len(years),
        lookalikes=lookalikes(programs),
        missing_specialties=tuple((group, tuple(missing[group])) for group in order),
        missing_subregions=tuple(
            (s.id, s.name, s.state) for s in rulebook.subregions if s.id not in covered
        ),
    )


def _count(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def as_text(audits: list[Audit], *, rulebook, between: tuple[Lookalike, ...] = ()) -> str:
    """The audits for people: one block per catalog, then the look-alikes ``between``
    catalogs."""
    out = []
    specialty_rows = len(rulebook.specialties)
    for a in audits:
        kind = (
            " (generated, not real programs)"
            if a.synthetic == a.programs and a.programs
            else (f", {a.synthetic:,} of them generated" if a.synthetic else "")
        )
        out.append(f"{a.file}: {_count(a.programs, 'program', 'programs')}{kind}")
        out.append("  facts stated (programs that give each; the rest leave it unknown):")
        width = max(len(name) for name, _ in a.known)
        for name, n in a.known:
            out.append(f"    {name.ljust(width)}  {n:>{len(str(a.programs))}} of {a.programs}")
        if a.oldest_facts_as_of is None:
            out.append("  year of the facts: no program gives one (facts_as_of)")
        else:
            line = (
                f"  oldest facts: {a.oldest_facts_as_of} "
                f"({_count(a.oldest_count, 'program', 'programs')})"
            )
            if a.no_year:
                line += f"; {_count(a.no_year, 'program gives', 'programs give')} no year"
            out.append(line)
        if a.lookalikes:
            out.append(
                f"  look-alike duplicates (same name, specialty and place, different ids): "
                f"{len(a.lookalikes)}"
            )
            for look in a.lookalikes:
                out.append(
                    f"    {look.name}, {look.specialty}, {look.city}, {look.state}: "
                    + ", ".join(look.ids)
                )
        else:
            out.append("  look-alike duplicates: none")
        missing = sum(len(names) for _, names in a.missing_specialties)
        if missing:
            out.append(
                f"  specialties with no program ({missing} of the {specialty_rows} "
                "the specialty rules know):"
            )
            for group, names in a.missing_specialties:
                out.append(f"    {group.replace('-', ' ')}: {', '.join(names)}")
        else:
            out.append(f"  specialties with no program: none of the {specialty_rows}")
        if a.missing_subregions:
            out.append(
                f"  border sub-regions with no program ({len(a.missing_subregions)} of "
                f"{len(rulebook.subregions)}): "
                + "; ".join(f"{name} ({state})" for _, name, state in a.missing_subregions)
            )
        else:
            out.append(
                f"  border sub-regions with no program: none of the {len(rulebook.subregions)}"
            )
    if between:
        out.append(f"look-alike duplicates in different catalogs: {len(between)}")
        for look in between:
            out.append(
                f"    {look.name}, {look.specialty}, {look.city}, {look.state}: "
                + "; ".join(look.ids)
            )
    return "\n".join(out) + "\n"


def as_json(audits: list[Audit], problems, between: tuple[Lookalike, ...] = ()) -> str:
    """The audits for tools: ``{"catalogs": [...], "lookalikes_between_catalogs": [...],
    "problems": [...]}``."""
    data = {
        "catalogs": [a.as_dict() for a in audits],
        "lookalikes_between_catalogs": [
            attrs.asdict(look, value_serializer=_plain) for look in between
        ],
        "problems": [
            {
                "file": p.file,
                "line": p.line,
                "program": p.subject or None,
                "field": p.field or None,
                "message": p.message,
            }
            for p in problems
        ],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
