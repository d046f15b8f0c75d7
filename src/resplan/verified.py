"""Facts the applicant verified with a program, laid over the catalog by program id.

A facts file holds ``[[fact]]`` tables::

    [[fact]]
    program = "tx-ttuhsc-elpaso-im"
    verified = 2026-10-02
    source = "program coordinator, by email"
    min_step2ck = 230
    visas = ["J-1"]

A verified fact beats the catalog's. The plan cites the date and source among the
program's reasons, and the fact leaves its ``to_verify``. When two entries give the same
fact of one program, the later ``verified`` date wins; two different values on one date
are an error. ``verify-sheet`` writes the facts a plan asks to verify as a CSV to fill in,
and ``import-facts`` turns the filled sheet into a facts file.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping
from pathlib import Path as FsPath
from typing import Any

import attrs
import numpy as np

from resplan.convert import format_path, structure, unstructure
from resplan.errors import InputError, Problem
from resplan.model import Catalog, Program

# The facts a program can have verified: what a listing states and a season may change.
# Which program it is (id, name, specialty, place), its listing's year, its source and
# whether it is synthetic are not facts one asks a program about.
VERIFIABLE: tuple[str, ...] = (
    "track",
    "setting",
    "img_share",
    "visas",
    "positions",
    "min_step2ck",
    "mean_step2ck",
    "max_years_since_graduation",
    "max_attempts",
    "spanish_preferred",
    "underserved_focus",
    "rural",
)
ENTRY_KEYS = ("program", "verified", "source")
RULE = "verified"  # how a plan's reason names a recorded verification


@attrs.frozen
class Verification:
    """One ``[[fact]]`` entry: facts of one program, when and from where they were learned."""

    program: str
    verified: dt.date
    source: str
    facts: tuple[tuple[str, Any], ...]  # (field, value as the file gives it), by field
    file: str = attrs.field(eq=False)
    line: int | None = attrs.field(eq=False)  # of its program key
    field_lines: Mapping[str, int | None] = attrs.field(eq=False, factory=dict, hash=False)
    # Where its ``verified`` day is, to point at a day that cannot be right.
    verified_line: int | None = attrs.field(eq=False, default=None)
    path: str = attrs.field(eq=False, default="")  # e.g. fact[3]


@attrs.frozen
class VerifiedFacts:
    """The entries of one or more facts files, in a canonical order."""

    entries: tuple[Verification, ...] = attrs.field(
        converter=lambda es: tuple(sorted(es, key=_entry_key))
    )

    def __len__(self) -> int:
        return len(self.entries)

    def canonical(self) -> list:
        """What the plan's provenance digests: the entries, whatever files they came in."""
        return [
            {
                "program": e.program,
                "verified": e.verified.isoformat(),
                "source": e.source,
                "facts": [[k, list(v) if isinstance(v, (list, tuple)) else v] for k, v in e.facts],
            }
            for e in self.entries
        ]


def _entry_key(entry: Verification):
    return (entry.program, entry.verified, entry.source, repr(entry.facts))


# ------------------------------------------------------------------ reading


def load_facts(
    paths: str | FsPath | Iterable[str | FsPath],
    *,
    as_of: dt.date | None = None,
    catalog: Catalog | None = None,
) -> VerifiedFacts:
    """Read facts files; every problem in them at once, each with file, field and line.

    A ``verified`` day after today (or after ``as_of``, the plan's date, when given) is
    refused. With ``catalog``, what :func:`apply_facts` checks (ids, values, two values on
    one day) is checked too, for the entries that read well, in the same pass: a file's
    problems do not come out one round at a time.
    """
    from resplan.dates import today
    from resplan.sources import read_toml

    if isinstance(paths, (str, FsPath)):
        paths = [paths]
    entries: list[Verification] = []
    problems: list[Problem] = []
    for path in paths:
        try:
            data, locate = read_toml(path)
        except InputError as exc:  # told with the other files' problems
            problems.extend(exc.problems)
            continue
        file = str(path)
        extra = sorted(set(data) - {"fact"})
        for key in extra:
            problems.append(
                Problem(
                    file,
                    "unknown top-level key; a facts file holds [[fact]] tables",
                    field=key,
                    line=locate((key,)),
                )
            )
        tables = data.get("fact", [])
        if not isinstance(tables, list):
            problems.append(
                Problem(
                    file,
                    "must be an array of tables ([[fact]])",
                    field="fact",
                    line=locate(("fact",)),
                )
            )
            continue
        for index, raw in enumerate(tables):
            entry = _entry(raw, file, ("fact", index), locate, problems)
            if entry is not None:
                entries.append(entry)
    read = VerifiedFacts(entries)
    problems.extend(verified_after(read, as_of))
    now = today()
    facts = VerifiedFacts(e for e in read.entries if not _too_late(e.verified, now, as_of))
    if catalog is not None and len(facts):
        try:
            applied = apply_facts(catalog, facts)
        except InputError as exc:
            problems.extend(exc.problems)
        else:
            if not problems:
                # The plan lays the same facts over the same catalog: done once.
                _LAST_APPLIED[:] = [(catalog, facts, applied)]
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    return facts


def verified_after(facts: VerifiedFacts, as_of: dt.date | None = None) -> list[Problem]:
    """A problem for each entry verified after today, or after ``as_of`` (the plan's date)
    when that is earlier."""
    from resplan.dates import today

    now = today()
    problems = []
    for entry in facts.entries:
        why = _too_late(entry.verified, now, as_of)
        if why:
            problems.append(
                Problem(
                    entry.file,
                    why,
                    field=f"{entry.path}.verified" if entry.path else "verified",
                    line=entry.verified_line or entry.line,
                    subject=entry.program,
                )
            )
    return problems


def _too_late(day: dt.date, now: dt.date, as_of: dt.date | None) -> str | None:
    """Why ``day`` cannot be the day a fact was learned, or None. A day still to come is a
    typo (2062 for 2026, a month and day swapped), and as the later day wins, it would
    quietly beat every right entry; a plan dated before a fact was learned cannot cite it."""
    from resplan.dates import in_words

    if day > now:
        return (
            f"{day.isoformat()} is after today ({now.isoformat()}): give the day you "
            "learned it (check the year, and the order of month and day)"
        )
    if as_of is not None and day > as_of:
        return (
            f"{day.isoformat()} is after the plan's date ({in_words(as_of)}): a plan cannot "
            "use facts learned after its date; plan on a later date (--as-of), or leave "
            "this entry out"
        )
    return None


def refuse_verified_after(facts: VerifiedFacts, as_of: dt.date) -> None:
    """Raise :class:`InputError` for the entries :func:`verified_after` finds."""
    problems = verified_after(facts, as_of)
    if problems:
        raise InputError(problems)


def _entry(
    raw: Any, file: str, base: tuple, locate, problems: list[Problem]
) -> Verification | None:
    from resplan.vocabulary import suggest

    def problem(message: str, key: str | None = None) -> None:
        path = base + ((key,) if key else ())
        problems.append(
            Problem(
                file,
                message,
                field=format_path(path),
                line=locate(path),
                subject=program if isinstance(program, str) else "",
            )
        )

    program = raw.get("program") if isinstance(raw, dict) else None
    if not isinstance(raw, dict):
        problem("expected a table ([[fact]])")
        return None
    before = len(problems)
    if not isinstance(program, str) or not program.strip():
        problem("give the program's id from your catalog (text)", "program")
    verified = raw.get("verified")
    if not (isinstance(verified, dt.date) and not isinstance(verified, dt.datetime)):
        problem(
            "give the day you learned these facts, as a date such as 2026-10-02 (no quotes)",
            "verified",
        )
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        problem('say where these facts come from, e.g. "program coordinator, by email"', "source")
    # An unknown key below is told, and the entry still read: its id and values are
    # then checked in the same run (the load fails on the problems all the same).
    unreadable = len(problems) != before
    facts = {}
    for key in sorted(set(raw) - set(ENTRY_KEYS)):
        if key in VERIFIABLE:
            # A list (visas) as a tuple: an entry is hashed when the plan groups its facts.
            facts[key] = tuple(raw[key]) if isinstance(raw[key], list) else raw[key]
        else:
            problem(
                f"not a fact you can verify{suggest(key, VERIFIABLE)}; these are: "
                f"{', '.join(VERIFIABLE)}",
                key,
            )
    if not facts and len(problems) == before:
        problem("names no fact: add what you learned, e.g. min_step2ck = 230")
    if unreadable or not facts:
        return None
    # Each was checked above: a problem was reported otherwise.
    assert isinstance(program, str) and isinstance(verified, dt.date) and isinstance(source, str)
    line = locate(base + ("program",))
    return Verification(
        program=program,
        verified=verified,
        source=source.strip(),
        facts=tuple(sorted(facts.items(), key=lambda kv: VERIFIABLE.index(kv[0]))),
        file=file,
        line=line,
        field_lines={key: locate(base + (key,)) for key in facts},
        verified_line=locate(base + ("verified",)),
        path=format_path(base),
    )


# ------------------------------------------------------------------ laying over


@attrs.frozen
class Applied:
    """The catalog with the verified facts in it, and what each program had verified."""

    catalog: Catalog
    # program id -> ((field, verification that decided it), ...)
    by_program: Mapping[str, tuple[tuple[str, Verification], ...]]


def apply_facts(catalog: Catalog, facts: VerifiedFacts) -> Applied:
    """``catalog`` with each verified fact in place of the catalog's.

    Raises :class:`InputError` for an id in no catalog (with the nearest id), a value a
    program cannot have, or two different values of one fact verified on one day.
    """
    from resplan.vocabulary import suggest

    by_id = {p.id: p for p in catalog}
    problems: list[Problem] = []
    chosen: dict[tuple[str, str], Verification] = {}
    for entry in facts.entries:
        if entry.program not in by_id:
            problems.append(
                Problem(
                    entry.file,
                    f"no program {entry.program!r} in the catalog{suggest(entry.program, by_id)}",
                    field=f"{entry.path}.program" if entry.path else "program",
                    line=entry.line,
                    subject=entry.program,
                )
            )
            problems.extend(_value_problems(entry, by_id))
            continue
        for field, value in entry.facts:
            key = (entry.program, field)
            held = chosen.get(key)
            if held is None or held.verified < entry.verified:
                chosen[key] = entry
            elif held.verified == entry.verified and dict(held.facts)[field] != value:
                problems.append(
                    Problem(
                        entry.file,
                        f"verified on {entry.verified.isoformat()} with another value "
                        f"in {held.file}{f' (line {held.line})' if held.line else ''}: "
                        "keep one, or give the later one its own date",
                        field=f"{entry.path}.{field}" if entry.path else field,
                        line=entry.field_lines.get(field, entry.line),
                        subject=entry.program,
                    )
                )
    fields_of: dict[str, dict[str, Verification]] = {}
    for (program, field), entry in sorted(chosen.items(), key=lambda kv: kv[0]):
        fields_of.setdefault(program, {})[field] = entry
    programs = []
    for program in catalog:
        fields = fields_of.get(program.id)
        if not fields:
            programs.append(program)
            continue
        raw = {k: v for k, v in unstructure(program).items() if v is not None}
        raw.update({field: dict(entry.facts)[field] for field, entry in fields.items()})
        try:
            programs.append(_structured(raw, fields))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(sorted(problems, key=lambda p: (p.file, p.line or 0)))
    by_program = {
        pid: tuple(sorted(fields.items(), key=lambda kv: VERIFIABLE.index(kv[0])))
        for pid, fields in fields_of.items()
    }
    return Applied(Catalog(programs), by_program)


# The last catalog and facts laid over each other: a batch plans every profile with the
# same two, and a catalog rebuilt per plan would lose the columns it keeps (stages.table).
_LAST_APPLIED: list[tuple[Catalog, VerifiedFacts, Applied]] = []


def applied_to(catalog: Catalog, facts: VerifiedFacts) -> Applied:
    """:func:`apply_facts`, done once for the same catalog and facts objects in a row."""
    last = _LAST_APPLIED[0] if _LAST_APPLIED else None
    if last is not None and last[0] is catalog and last[1] is facts:
        return last[2]
    applied = apply_facts(catalog, facts)
    _LAST_APPLIED[:] = [(catalog, facts, applied)]
    return applied


def _value_problems(entry: Verification, by_id: Mapping[str, Program]) -> list[Problem]:
    """The problems of an entry's values, for an entry whose program is in no catalog:
    checked on another program, as a value is checked whatever program it is for (its
    kind and range), so that they are told in the same run as the unknown id."""
    other = next(iter(by_id.values()), None)
    if other is None or not entry.facts:
        return []
    raw = {k: v for k, v in unstructure(other).items() if v is not None}
    raw.update(dict(entry.facts))
    fields = {field: entry for field, _value in entry.facts}
    try:
        _structured(raw, fields)
    except InputError as exc:
        return [
            attrs.evolve(p, subject=entry.program) for p in exc.problems if p.file == entry.file
        ]
    return []


def _structured(raw: dict, fields: Mapping[str, Verification]) -> Program:
    """The program with its verified facts; a bad value is reported at its line in the
    facts file that gave it."""

    try:
        return structure(raw, Program, file="", subject=raw["id"])
    except InputError as exc:
        out = []
        for problem in exc.problems:
            field = problem.field.split(".")[0].split("[")[0]
            entry = fields.get(field)
            if entry is None:
                out.append(problem)
                continue
            out.append(
                attrs.evolve(
                    problem,
                    file=entry.file,
                    line=entry.field_lines.get(field, entry.line),
                    # Where in the facts file: fact[0].min_step2ck, as its other problems.
                    field=f"{entry.path}.{problem.field}" if entry.path else problem.field,
                )
            )
        raise InputError(out) from None


# ------------------------------------------------------------------ the plan


def _value_in_words(field: str, value: Any) -> str:
    if field == "img_share":
        return f"{round(float(value) * 100)}%"
    if field == "visas":
        return " and ".join(value) if value else "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def reason_text(entry: Verification, fields: list[str]) -> str:
    from resplan.dates import in_words
    from resplan.facts import label

    said = "; ".join(
        f"{label(f'program.{field}')}: {_value_in_words(field, dict(entry.facts)[field])}"
        for field in fields
    )
    return f"You verified on {in_words(entry.verified)} ({entry.source}): {said}."


def run(draft):
    """Stage: cite each program's verified facts and take them off its ``to_verify``."""
    from resplan.plan import ProgramDecisions, Reason

    verified = draft.verified
    programs: ProgramDecisions = draft.programs
    if not verified or not len(programs):
        return draft
    reason_sets = list(programs.reason_sets)
    verify_sets = list(programs.verify_sets)
    reasons = np.array(programs.reasons, copy=True)
    to_verify = np.array(programs.to_verify, copy=True)
    reason_index: dict[tuple, int] = {}
    verify_index: dict[tuple, int] = {tuple(s): i for i, s in enumerate(verify_sets)}
    for row, program in enumerate(programs.programs):
        decided = verified.get(program.id)
        if not decided:
            continue
        by_entry: dict[Verification, list[str]] = {}
        for field, entry in decided:
            by_entry.setdefault(entry, []).append(field)
        cited = tuple(
            Reason(RULE, reason_text(entry, fields))
            for entry, fields in sorted(by_entry.items(), key=lambda kv: _entry_key(kv[0]))
        )
        key = (int(reasons[row]), cited)
        if key not in reason_index:
            reason_index[key] = len(reason_sets)
            reason_sets.append(cited + tuple(reason_sets[key[0]]))
        reasons[row] = reason_index[key]
        done = {field for field, _ in decided}
        left = tuple(f for f in verify_sets[to_verify[row]] if f not in done)
        if left not in verify_index:
            verify_index[left] = len(verify_sets)
            verify_sets.append(left)
        to_verify[row] = verify_index[left]
    decisions = ProgramDecisions(
        programs.programs,
        programs.verdict,
        programs.tier,
        programs.region,
        programs.regions,
        reasons,
        reason_sets,
        to_verify,
        verify_sets,
        catalog_rows=programs.catalog_rows,
        memo=programs.memo,
    )
    return draft.evolve(programs=decisions)


# ------------------------------------------------------------------ the sheet

# The website, where the catalog gives one, is where most facts are looked up first.
SHEET_COLUMNS = (
    "program",
    "name",
    "city",
    "state",
    "website",
    "fact",
    "what",
    "value",
    "verified",
    "source",
)
FILL_IN = ("value", "verified", "source")


def verify_sheet(plan) -> str:
    """The facts ``plan`` asks to verify as CSV: one row per real program and fact, most
    promising program first, with ``value``, ``verified`` and ``source`` to fill in.

    Synthetic programs are left out (there is nobody to ask), and so are skipped ones, as
    in the plan's verify action.
    """
    from resplan.facts import label

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(SHEET_COLUMNS)
    for program in plan.programs:
        if program.synthetic or program.verdict == "skip":
            continue
        for field in program.to_verify:
            if field not in VERIFIABLE:
                continue  # e.g. a listing's year: not a fact a program is asked about
            # Names come from catalogs: a spreadsheet must not read one as a formula.
            writer.writerow(
                [
                    program.id,
                    *(safe_cell(t) for t in (program.name, program.city)),
                    program.state,
                    safe_cell(program.website or ""),
                    field,
                    label(f"program.{field}"),
                    "",
                    "",
                    "",
                ]
            )
    return buffer.getvalue()


def safe_cell(text: str) -> str:
    from resplan.report.csv import FORMULA_START

    return "'" + text if text.startswith(FORMULA_START) else text


def _percent_or_share(cell: str):
    text = cell.strip()
    if text.endswith("%"):
        try:
            return float(text[:-1]) / 100
        except ValueError:
            raise ValueError(f"expected a share such as 0.45 or 45%, got {cell!r}") from None
    from resplan.sources import CSV_CELL_READERS

    return CSV_CELL_READERS["img_share"](text)


def read_sheet(path: str | FsPath) -> list[dict]:
    """The filled rows of a verify sheet as ``[[fact]]`` tables, one per program, date and
    source. A row without a value is not verified yet and is left out; every problem in the
    sheet is reported at once with its line and column."""
    from resplan.convert import check_value
    from resplan.dates import today
    from resplan.importing import csv_delimiter
    from resplan.sources import CSV_CELL_READERS, _csv_rows, read_text
    from resplan.vocabulary import suggest

    file = str(path)
    text = read_text(path)
    # Saved from a spreadsheet, the sheet may be semicolon- or tab-separated.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text))
    now = today()
    problems: list[Problem] = []
    rows = _csv_rows(reader, path, problems)
    header = [name.strip() for name in next(rows, [])]
    missing = [name for name in ("program", "fact", *FILL_IN) if name not in header]
    if missing:
        raise InputError(
            problems
            or [
                Problem(
                    file,
                    f"no {', '.join(missing)} column: write the sheet with resplan verify-sheet",
                    line=1,
                )
            ]
        )
    column = {name: header.index(name) for name in header}
    grouped: dict[tuple, dict] = {}
    line = reader.line_num
    for row in rows:
        start, line = line + 1, reader.line_num
        cells = {name: (row[i].strip() if i < len(row) else "") for name, i in column.items()}
        if not cells["value"]:
            continue
        program, field = cells["program"], cells["fact"]

        def problem(message, name, line=start, program=program):
            problems.append(Problem(file, message, field=name, line=line, subject=program))

        if field not in VERIFIABLE:
            problem(f"{field!r} is not a fact you can verify{suggest(field, VERIFIABLE)}", "fact")
            continue
        reader_of = _percent_or_share if field == "img_share" else CSV_CELL_READERS.get(field, str)
        try:
            value = reader_of(cells["value"])
        except ValueError as exc:
            problem(str(exc), "value")
            continue
        # The checks the catalog's values get: what plan --facts would refuse in the file
        # written, told here at the sheet's row and column.
        wrong = check_value(Program, field, value)
        for where, message in wrong:
            if field == "img_share" and isinstance(value, (int, float)) and 1 < value <= 100:
                # 45 meant as a percentage: the sheet takes 45% (or 0.45).
                message += f"; for {value:g} percent write {value:g}%"
            problem(message, f"value ({format_path(where)})")
        try:
            day = dt.date.fromisoformat(cells["verified"])
        except ValueError:
            problem(
                "the cell is empty: give the day you learned it as YYYY-MM-DD"
                if not cells["verified"]
                else f"give the day you learned it as YYYY-MM-DD, got {cells['verified']!r} "
                "(a spreadsheet may turn a date into its own form: type it as text)",
                "verified",
            )
            continue
        late = _too_late(day, now, None)
        if late:
            problem(late, "verified")
            continue
        if wrong:
            continue
        if not cells["source"]:
            problem("say where you learned it, e.g. program coordinator, by email", "source")
            continue
        entry = grouped.setdefault(
            (program, day, cells["source"]),
            {"program": program, "verified": day, "source": cells["source"]},
        )
        if field in entry and entry[field] != value:
            problem(f"{field} is given twice for this program, day and source", "fact")
            continue
        entry[field] = value
    if problems:
        raise InputError(problems)
    return [
        dict(sorted(e.items(), key=lambda kv: _key_order(kv[0])))
        for _key, e in sorted(grouped.items(), key=lambda kv: kv[0])
    ]


def _key_order(key: str) -> tuple[int, int]:
    return (0, ENTRY_KEYS.index(key)) if key in ENTRY_KEYS else (1, VERIFIABLE.index(key))


def dumps_facts(entries: list[dict]) -> str:
    import tomli_w

    header = (
        "# Facts verified with programs, for `resplan plan ... --facts FILE`. Each "
        "[[fact]] gives a program's id, the day and the source.\n"
    )
    return header + tomli_w.dumps(
        {
            "fact": [
                {k: list(v) if isinstance(v, tuple) else v for k, v in e.items()} for e in entries
            ]
        }
    )
