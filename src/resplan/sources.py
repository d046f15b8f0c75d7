"""Reading input files: profiles, catalogs (TOML and CSV) and the line of each field.

Readers return resplan types or raise :class:`~resplan.errors.InputError` naming the file,
the field path and the line. The catalog readers are registered by the built-in
``catalog-formats`` plugin; a plugin can add another format through the
``resplan_catalog_readers`` hook.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path as FsPath
from typing import Any, Callable

import attrs
import tomli

from resplan.convert import Path, format_path, structure
from resplan.errors import InputError, Problem
from resplan.model import Catalog, Profile, Program

_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""")


def toml_locator(text: str) -> Callable[[Path], int | None]:
    """Map a field path such as ``("program", 3, "min_step2ck")`` to its line.

    tomli keeps no positions, so this reads table headers and keys line by line. It
    understands the plain TOML that resplan's inputs use; for anything else it falls back
    to the closest enclosing table, and to no line at all. The lines are read on the
    first call only: a good file never pays for them.
    """
    table_of_lines: list[dict[Path, int]] = []

    def locate(path: Path) -> int | None:
        if not table_of_lines:
            table_of_lines.append(_line_table(text))
        lines = table_of_lines[0]
        path = tuple(path)
        while path:
            if path in lines:
                return lines[path]
            path = path[:-1]
        return None

    return locate


def _line_table(text: str) -> dict[Path, int]:
    lines: dict[Path, int] = {}
    counters: dict[tuple, int] = {}
    table: Path = ()
    in_multiline = False
    for number, raw in enumerate(text.splitlines(), 1):
        if in_multiline:
            if raw.count('"""') % 2 == 1 or raw.count("'''") % 2 == 1:
                in_multiline = False
            continue
        header = _HEADER.match(raw)
        if header:
            names = tuple(part.strip().strip("\"'") for part in header.group(2).split("."))
            if header.group(1) == "[[":
                index = counters.get(names, -1) + 1
                counters[names] = index
                table = names[:-1] + (names[-1], index)
            else:
                table = _resolve_arrays(names, counters)
            lines.setdefault(table, number)
            continue
        key = _KEY.match(raw)
        if key:
            parts = tuple(p.strip("\"'") for p in key.group(1).split("."))
            lines.setdefault(table + parts, number)
            if raw.count('"""') % 2 == 1 or raw.count("'''") % 2 == 1:
                in_multiline = True
    return lines


def _resolve_arrays(names: tuple, counters: dict) -> Path:
    # A sub-table of an array of tables ([exams.step2ck] is plain; [program.extra] under
    # [[program]] belongs to the latest element).
    out: list = []
    for i in range(len(names)):
        out.append(names[i])
        if names[: i + 1] in counters:
            out.append(counters[names[: i + 1]])
    return tuple(out)


def read_toml(path: str | FsPath) -> tuple[dict[str, Any], Callable[[Path], int | None]]:
    """Parse a TOML file; a syntax error becomes an InputError with its line."""
    path = FsPath(path)
    text = read_text(path)
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        message = f"not valid TOML: {message[0].lower()}{message[1:]}"
        if match:
            message += f" (column {match.group(2)})"
        raise InputError.one(path, message, line=line) from None
    return data, toml_locator(text)


def read_text(path: FsPath) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError.one(path, "no such file") from None
    except IsADirectoryError:
        raise InputError.one(path, "is a directory, not a file") from None
    except UnicodeDecodeError as exc:
        raise InputError.one(path, f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise InputError.one(path, f"cannot be read: {exc.strerror}") from None


# ------------------------------------------------------------------- profiles


def load_profile(path: str | FsPath) -> Profile:
    """Read an applicant profile (TOML)."""
    data, locate = read_toml(path)
    return structure(data, Profile, file=str(path), locate=locate)


# ------------------------------------------------------------------- catalogs

PROGRAM_FIELDS: tuple[str, ...] = tuple(a.name for a in attrs.fields(Program))


def programs_to_catalog(entries: list[tuple[dict, Callable[[str], int | None], Path]],
                        file: str) -> Catalog:
    """Structure raw program tables, gathering every problem in the file at once.

    ``entries`` holds each program's raw data, a function giving the line of one of its
    fields, and its path in the file (for messages).
    """
    problems: list[Problem] = []
    programs: list[Program] = []
    first_line: dict[str, Callable[[], int | None]] = {}
    for raw, line_of, base in entries:
        subject = raw.get("id") if isinstance(raw.get("id"), str) else ""
        # Duplicates are found on the raw ids, so a program with other problems still counts.
        if subject and subject in first_line:
            where = first_line[subject]()
            problems.append(Problem(
                file, f"duplicate program id (first used{f' on line {where}' if where else ''})",
                field=format_path(base + ("id",)), line=line_of(("id",)), subject=subject))
        elif subject:
            # A thunk: lines are only looked up when there is a problem to report.
            first_line[subject] = lambda line_of=line_of: line_of(("id",))
        try:
            program = structure(raw, Program, file=file, base=base,
                                locate=lambda p, line_of=line_of: line_of(p[len(base):]),
                                subject=subject)
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        programs.append(program)
    if problems:
        raise InputError(problems)
    return Catalog(programs)


def read_toml_catalog(path: FsPath) -> Catalog:
    data, locate = read_toml(path)
    extra = sorted(set(data) - {"program"})
    if extra:
        raise InputError.one(path, "unknown top-level key; a catalog holds [[program]] tables",
                             field=extra[0], line=locate((extra[0],)))
    tables = data.get("program", [])
    if not isinstance(tables, list):
        raise InputError.one(path, "must be an array of tables ([[program]])",
                             field="program", line=locate(("program",)))
    entries = []
    for index, raw in enumerate(tables):
        base = ("program", index)
        entries.append((raw, lambda p, base=base: locate(base + tuple(p)), base))
    return programs_to_catalog(entries, str(path))


# CSV cells are text; each column says how to read its cell. An empty cell is unknown.
def _int(cell: str):
    try:
        return int(cell)
    except ValueError:
        raise ValueError(f"expected a whole number, got {cell!r}") from None


def _float(cell: str):
    try:
        return float(cell)
    except ValueError:
        raise ValueError(f"expected a number, got {cell!r}") from None


def _bool(cell: str):
    lowered = cell.lower()
    if lowered in ("true", "yes", "1"):
        return True
    if lowered in ("false", "no", "0"):
        return False
    raise ValueError(f"expected true or false, got {cell!r}")


def _visas(cell: str):
    # "none" is a known empty list; an empty cell (handled before) is unknown.
    if cell.lower() == "none":
        return []
    return [part.strip() for part in cell.split(";") if part.strip()]


CSV_CELL_READERS: dict[str, Callable[[str], Any]] = {
    "img_share": _float, "positions": _int, "min_step2ck": _int, "mean_step2ck": _int,
    "max_years_since_graduation": _int, "max_attempts": _int, "facts_as_of": _int,
    "spanish_preferred": _bool, "underserved_focus": _bool, "visas": _visas,
}


def read_csv_catalog(path: FsPath) -> Catalog:
    text = read_text(path)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError.one(path, "empty file: expected a header row", line=1) from None
    header = [name.strip() for name in header]
    problems = []
    from resplan.vocabulary import suggest
    for name in header:
        if name not in PROGRAM_FIELDS:
            problems.append(Problem(str(path), f"unknown column{suggest(name, PROGRAM_FIELDS)}",
                                    field=name, line=1))
    if problems:
        raise InputError(problems)
    entries = []
    line = reader.line_num
    for index, row in enumerate(reader):
        start = line + 1
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(Problem(str(path), f"has {len(row)} cells, the header has {len(header)}",
                                    field=f"row {index + 1}", line=start))
            continue
        raw: dict[str, Any] = {}
        for name, cell in zip(header, row):
            cell = cell.strip()
            if cell == "":
                continue
            try:
                raw[name] = CSV_CELL_READERS.get(name, str)(cell)
            except ValueError as exc:
                problems.append(Problem(str(path), str(exc), field=name, line=start,
                                        subject=row[header.index("id")] if "id" in header else ""))
        entries.append((raw, lambda p, start=start: start, ()))
    try:
        catalog = programs_to_catalog(entries, str(path))
    except InputError as exc:
        problems.extend(exc.problems)
        catalog = None
    if problems:
        problems.sort(key=lambda p: (p.line or 0))
        raise InputError(problems)
    return catalog
