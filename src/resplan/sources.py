"""Reading input files: profiles, catalogs (TOML and CSV) and the line of each field.

Readers return resplan types or raise :class:`~resplan.errors.InputError` naming the file,
the field path and the line. The catalog readers are registered by the built-in
``catalog-formats`` plugin; a plugin can add another format through the
``resplan_catalog_readers`` hook.
"""

from __future__ import annotations

import csv
import functools
import itertools
import operator
import os
import re
import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path as FsPath
from typing import Any

import attrs
import tomli

from resplan.convert import (
    MISSING,
    Path,
    _describe,
    column_defaults,
    format_path,
    quick_columns,
    quick_structurer,
    structure,
)
from resplan.errors import InputError, Problem
from resplan.model import (
    CHECKED_WITH_PROGRAM,
    COLUMN_CHECKS,
    Catalog,
    Profile,
    Program,
    says_synthetic,
)
from resplan.settings import positive_number

_KEY = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)\s*=""")


def toml_locator(text: str, lines: dict[Path, int] | None = None) -> Callable[[Path], int | None]:
    """Map a field path such as ``("program", 3, "min_step2ck")`` to its line.

    tomli keeps no positions, so this reads table headers and keys line by line. It
    understands the plain TOML that resplan's inputs use; for anything else it falls back
    to the closest enclosing table, and to no line at all. The lines are read on the
    first call only: a good file never pays for them. ``lines``: what
    :func:`toml_lines` gave for ``text`` before (the rulebook keeps it between runs).
    """
    table_of_lines: list[dict[Path, int]] = [] if lines is None else [lines]

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


def toml_lines(text: str) -> dict[Path, int]:
    """The line of each table and key of ``text``, as :func:`toml_locator` looks them up."""
    return _line_table(text)


def _header(raw: str) -> tuple[bool, tuple[str, ...]] | None:
    """``(is an array of tables, dotted names)`` of a table header line, or None.

    Read by hand, not with a regular expression: a pattern with a lazy group between
    optional spaces backtracks in cubic time on a line of ``[`` and spaces, and a
    4 KB input file then takes seconds. This scans the line once.
    """
    line = raw.strip()
    if not line.startswith("["):
        return None
    double = line.startswith("[[")
    start = 2 if double else 1
    end = line.find("]", start)
    if end < 0:
        return None
    body = line[start:end].strip()
    rest = line[end + 1 :]
    if double and rest.startswith("]"):
        rest = rest[1:]
    elif rest.startswith("]"):  # as before: "[a]]" reads as the table a
        rest = rest[1:]
    rest = rest.strip()
    if not body or (rest and not rest.startswith("#")):
        return None
    return double, tuple(part.strip().strip("\"'") for part in body.split("."))


def _line_table(text: str) -> dict[Path, int]:
    lines: dict[Path, int] = {}
    # The tables seen so far as a tree (see _resolve_arrays): a header is resolved by
    # walking it once, so a header of k parts costs k steps.
    tables: dict[str, list] = {}
    table: Path = ()
    in_multiline = False
    for number, raw in enumerate(text.splitlines(), 1):
        if in_multiline:
            if raw.count('"""') % 2 == 1 or raw.count("'''") % 2 == 1:
                in_multiline = False
            continue
        header = _header(raw)
        if header:
            double, names = header
            table = _resolve_arrays(names, tables, append=double)
            lines.setdefault(table, number)
            # The top-level name a header opens, where a misspelt one is found: "exam" of
            # [exam.step2ck], "letter" of [[letter]]. Only that one: all the names of a
            # long dotted header would cost time in the square of its length.
            lines.setdefault(table[:1], number)
            continue
        key = _KEY.match(raw)
        if key:
            parts = tuple(p.strip("\"'") for p in key.group(1).split("."))
            path = table + parts
            lines.setdefault(path, number)
            lines.setdefault(path[: len(table) + 1], number)  # a.b = 1 opens a too
            if raw.count('"""') % 2 == 1 or raw.count("'''") % 2 == 1:
                in_multiline = True
    return lines


def _resolve_arrays(names: tuple, tables: dict, *, append: bool) -> Path:
    # A sub-table of an array of tables ([exams.step2ck] is plain; [program.extra] under
    # [[program]] belongs to the latest element). ``append`` ([[names]]) starts a new
    # element of the array ``names``. Each node is [latest index or None, children].
    out: list = []
    node = tables
    last = len(names) - 1
    for i, name in enumerate(names):
        entry = node.setdefault(name, [None, {}])
        out.append(name)
        if i == last and append:
            entry[0] = 0 if entry[0] is None else entry[0] + 1
            entry[1] = {}  # a new element starts with no sub-tables of its own
        if entry[0] is not None:
            out.append(entry[0])
        node = entry[1]
    return tuple(out)


# Input limits. They are generous: a national catalog of every residency program is a
# few megabytes and a handful of levels deep. They exist so that a hostile or mistaken
# input (/dev/zero, a table nested thousands of levels deep) gets a message, not a
# stalled or crashed run. The size can be raised with RESPLAN_MAX_INPUT_MB.
MAX_INPUT_MB = 64
MAX_INPUT_MB_ENV = "RESPLAN_MAX_INPUT_MB"
MAX_NESTING = 32  # tables and lists inside each other; resplan's own inputs use 4
STDIN = "-"  # as an input path: read standard input
# Standard input's text once read to tell its format (stdin_catalog_suffix), for the
# reader that reads it next: standard input cannot be read twice.
_STDIN_READ: list[str] = []


def max_input_bytes() -> int:
    return int(positive_number(MAX_INPUT_MB_ENV, MAX_INPUT_MB) * 1024 * 1024)


def parse_toml(text: str, file: str | FsPath, *, nesting: bool = True) -> dict[str, Any]:
    """``tomli.loads`` whose every failure is an InputError naming ``file`` (and the line).

    Besides syntax errors this covers Python's own limits: an integer of more than 4,300
    digits, and nesting deeper than the parser (or :data:`MAX_NESTING`) allows (unless
    ``nesting`` is False: the caller then calls :func:`check_nesting` itself).
    """
    try:
        data = tomli.loads(text)
    except tomli.TOMLDecodeError as exc:
        message = str(exc)
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        line = int(match.group(1)) if match else None
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
        # tomli names a key path as a Python tuple: ('exams', 'step2ck') is [exams.step2ck].
        message = re.sub(
            r"\(((?:'[^']*'(?:, )?)+),?\)",
            lambda m: "[" + ".".join(re.findall(r"'([^']*)'", m.group(1))) + "]",
            message,
        )
        message = f"not valid TOML: {message[0].lower()}{message[1:]}"
        if match:
            message += f" (column {match.group(2)})"
        raise InputError.one(file, message, line=line) from None
    except RecursionError:
        raise InputError.one(
            file, f"not valid TOML: lists or tables nested more than {MAX_NESTING} levels deep"
        ) from None
    except ValueError as exc:
        # Python refuses to read an integer of more than 4,300 digits.
        detail = "a number has too many digits" if "digits" in str(exc) else str(exc)
        raise InputError.one(file, f"not valid TOML: {detail}") from None
    if nesting:
        check_nesting(data, file)
    return data


def check_nesting(data: Any, file: str | FsPath) -> None:
    """An InputError when ``data`` nests lists or tables deeper than MAX_NESTING."""
    path = _too_deep(data)
    if path is not None:
        raise InputError.one(
            file,
            f"lists or tables nested more than {MAX_NESTING} levels deep",
            field=format_path(path),
        )


def _too_deep(data: Any) -> Path | None:
    """The path of a value nested deeper than MAX_NESTING, or None. Not recursive, so a
    deep value cannot exhaust Python's stack here. Only tables and lists are walked, by
    depth; the path is traced only for a value found too deep (a good catalog of 13,000
    programs would otherwise build a path for each of its 300,000 values)."""
    level: list = [data]  # the tables and lists at one depth
    for _depth in range(MAX_NESTING):
        deeper: list = []
        for value in level:
            if type(value) is dict:
                deeper.extend(v for v in value.values() if type(v) is dict or type(v) is list)
            elif type(value) is list:
                deeper.extend(v for v in value if type(v) is dict or type(v) is list)
        if not deeper:
            return None
        level = deeper
    # Tables and lists at the deepest allowed level: anything in one is too deep.
    return _deep_path(data) if any(level) else None


def _deep_path(data: Any) -> Path | None:
    stack: list[tuple[Any, Path]] = [(data, ())]
    while stack:
        value, path = stack.pop()
        if len(path) > MAX_NESTING:
            return path
        if isinstance(value, dict):
            stack.extend((v, path + (k,)) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, path + (i,)) for i, v in enumerate(value))
    return None


def read_toml(path: str | FsPath) -> tuple[dict[str, Any], Callable[[Path], int | None]]:
    """Parse a TOML file; a syntax error becomes an InputError with its line."""
    path = FsPath(path)
    text = read_text(path)
    return parse_toml(text, path), toml_locator(text)


def read_text(path: str | FsPath) -> str:
    """A file's text, refused with a message when it is not a regular file of UTF-8 text
    within the size limit. ``-`` reads standard input."""
    path = FsPath(path)
    if str(path) == STDIN and _STDIN_READ:
        return _STDIN_READ.pop()
    limit = max_input_bytes()
    try:
        if str(path) == STDIN:
            data = sys.stdin.buffer.read(limit + 1)
        else:
            # Opened without blocking: a FIFO nobody writes to would otherwise hang here.
            fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
            with os.fdopen(fd, "rb") as handle:
                mode = os.fstat(handle.fileno()).st_mode
                if stat.S_ISDIR(mode):
                    raise IsADirectoryError
                if not stat.S_ISREG(mode):
                    raise InputError.one(
                        path, "not a regular file (a device, pipe or socket); give a file"
                    )
                data = handle.read(limit + 1)
    except FileNotFoundError:
        raise InputError.one(path, "no such file") from None
    except IsADirectoryError:
        raise InputError.one(path, "is a directory, not a file") from None
    except OSError as exc:
        raise InputError.one(path, f"cannot be read: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError.one(
            path,
            f"larger than {limit // (1024 * 1024)} MB, the limit for an "
            f"input file (raise it with {MAX_INPUT_MB_ENV})",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            # What Notepad saves as "Unicode" and Excel as "Unicode text": a byte offset
            # of 0 tells the user nothing about it.
            raise InputError.one(path, "not UTF-8 text but UTF-16: save it as UTF-8") from None
        line = data.count(b"\n", 0, exc.start) + 1
        raise InputError.one(path, f"not UTF-8 text (byte {exc.start})", line=line) from None
    del data  # a large catalog's bytes need not stay beside its text
    # Universal newlines, as Path.read_text gives; a byte-order mark some editors write
    # first is not part of the text. Copied only when there is a carriage return.
    text = text.removeprefix("\ufeff")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def stdin_catalog_suffix() -> str:
    """The suffix of the catalog format standard input holds, ``.toml`` or ``.csv``, told
    by its first line that is not blank nor a comment: a TOML table or key, or a CSV
    header of column names. Its text is kept for the reader (read_text(STDIN) gives it).
    A first line that is neither is refused with its line."""
    text = read_text(STDIN)
    _STDIN_READ[:] = [text]
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("[") or _TOML_KEY.match(stripped):
            return ".toml"
        if "," in stripped:
            return ".csv"
        _STDIN_READ.clear()
        raise InputError.one(
            STDIN,
            "standard input holds neither a TOML catalog ([[program]] tables) nor a CSV "
            "one (a first line of column names, separated by commas)",
            line=number,
        )
    return ".toml"  # nothing but blanks: the TOML reader says it holds no programs


_TOML_KEY = re.compile(r"""^[A-Za-z0-9_\-."' ]+=""")


# ------------------------------------------------------------------- profiles


def load_profile(path: str | FsPath) -> Profile:
    """Read an applicant profile (TOML)."""
    data, locate = read_toml(path)
    return structure(data, Profile, file=str(path), locate=locate)


# ------------------------------------------------------------------- catalogs

PROGRAM_FIELDS: tuple[str, ...] = tuple(a.name for a in attrs.fields(Program))
_PROGRAM_FIELD_SET = frozenset(PROGRAM_FIELDS)


def _line_within(line_of: Callable[[Any], int | None], skip: int, path: tuple) -> int | None:
    """The line of ``path`` (a full field path) for a program whose own paths skip ``skip``."""
    return line_of(path[skip:])


def _line_at(locate: Callable[[tuple], int | None], base: tuple, path: Any) -> int | None:
    return locate(base + tuple(path))


def _row_line(line: int, _path: Any) -> int:
    """A CSV row's fields are all on its line."""
    return line


def programs_to_catalog(
    entries: Iterable[tuple[dict, Callable[[Any], int | None], tuple]], file: str
) -> Catalog:
    """Structure raw program tables, gathering every problem in the file at once.

    ``entries`` holds each program's raw data, a function giving the line of one of its
    fields, and its path in the file (for messages).
    """
    problems: list[Problem] = []
    programs: list[Program] = []
    first_line: dict[str, Callable[[], int | None]] = {}
    quick = quick_structurer(Program)
    for raw, line_of, base in entries:
        subject = raw_id if isinstance(raw_id := raw.get("id"), str) else ""
        # Duplicates are found on the raw ids, so a program with other problems still counts.
        if subject and subject in first_line:
            where = first_line[subject]()
            problems.append(
                Problem(
                    file,
                    f"duplicate program id (first used{f' on line {where}' if where else ''})",
                    field=format_path(base + ("id",)),
                    line=line_of(("id",)),
                    subject=subject,
                )
            )
        elif subject:
            # A thunk: lines are only looked up when there is a problem to report.
            first_line[subject] = functools.partial(line_of, ("id",))
        program = quick(raw) if quick is not None else None
        if program is not None:
            programs.append(program)
            continue
        try:
            program = structure(
                raw,
                Program,
                file=file,
                base=base,
                locate=functools.partial(_line_within, line_of, len(base)),
                subject=subject,
            )
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        programs.append(program)
    if problems:
        raise InputError(problems)
    return Catalog(programs)


# What a catalog's own [catalog] table may say about all of its programs.
CATALOG_KEYS = ("synthetic",)


def read_toml_catalog(path: FsPath) -> Catalog:
    catalog = _read_toml_catalog(path)
    if not len(catalog):
        # An empty file (or standard input already read for the profile) would plan
        # against nothing and say so only as "0 programs considered".
        raise InputError.one(
            path, "holds no programs: a catalog lists each program in a [[program]] table"
        )
    return catalog


def _read_toml_catalog(path: FsPath) -> Catalog:
    text = read_text(path)
    fast = _fast_toml(text)
    if fast is not None:
        quick = _quick_toml_catalog(fast)
        if quick is not None:
            return quick
        del fast
    # Nesting is checked only when the catalog is not read as columns: those accept only
    # flat tables (a list of visas at most), and a walk of every value is not free.
    data = parse_toml(text, path, nesting=False)
    quick = _quick_toml_catalog(data)
    if quick is not None:
        return quick
    check_nesting(data, path)
    locate = toml_locator(text)
    extra = sorted(set(data) - {"program", "catalog"})
    if extra:
        raise InputError.one(
            path,
            "unknown top-level key; a catalog holds a [catalog] table and [[program]] tables",
            field=extra[0],
            line=locate((extra[0],)),
        )
    synthetic = _catalog_table(data.get("catalog", {}), path, locate)
    tables = data.get("program", [])
    if not isinstance(tables, list):
        raise InputError.one(
            path,
            "must be an array of tables ([[program]])",
            field="program",
            line=locate(("program",)),
        )
    entries: list[tuple[dict, Callable[[Any], int | None], tuple]] = []
    problems: list[Problem] = []
    for index, raw in enumerate(tables):
        base = ("program", index)
        if not isinstance(raw, dict):
            problems.append(
                Problem(
                    str(path),
                    f"expected a table ([[program]]), got {_describe(raw)}",
                    field=format_path(base),
                    line=locate(base),
                )
            )
            continue
        if synthetic:
            if raw.get("synthetic", True) is not True:
                problems.append(
                    Problem(
                        str(path),
                        "a program of a synthetic catalog ([catalog] synthetic = true) "
                        "cannot say it is real",
                        field=format_path(base + ("synthetic",)),
                        line=locate(base + ("synthetic",)),
                        subject=raw_id if isinstance(raw_id := raw.get("id"), str) else "",
                    )
                )
                continue
            raw = {**raw, "synthetic": True}
        entries.append((raw, functools.partial(_line_at, locate, base), base))
    try:
        catalog = programs_to_catalog(entries, str(path))
    except InputError as exc:
        problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    return catalog


def _fast_toml(text: str) -> dict | None:
    """The catalog's TOML as toml-rs reads it (a compiled parser, about four times
    quicker than tomli on a national catalog: the largest part of a first run), or None
    when toml-rs is not installed (the ``fast`` extra) or refuses the text. The values are
    the ones tomli reads (tests/test_sources_fast.py); whatever toml-rs refuses, or
    whatever the columns refuse, is read again by tomli (:func:`parse_toml`), whose
    messages name the problem."""
    try:
        import toml_rs
    except ImportError:
        return None
    try:
        data = toml_rs.loads(text)
    except Exception:  # noqa: BLE001 - not valid TOML (or too deep for it): tomli words it
        return None
    return data if type(data) is dict else None


def _quick_toml_catalog(data: dict) -> Catalog | None:
    """The catalog read as columns when the file holds nothing but a good ``[catalog]``
    table and good ``[[program]]`` tables; else None, and it is read table by table."""
    if not data.keys() <= {"program", "catalog"}:
        return None
    table = data.get("catalog", {})
    if type(table) is not dict or not table.keys() <= set(CATALOG_KEYS):
        return None
    synthetic = table.get("synthetic", False)
    tables = data.get("program", [])
    if type(synthetic) is not bool or type(tables) is not list:
        return None
    values = _quick_toml_columns(tables, synthetic)
    return columns_catalog(values) if values is not None else None


def _quick_toml_columns(tables: list, synthetic: bool) -> dict[str, list] | None:
    """The [[program]] tables as checked columns (:func:`checked_program_columns`), or None
    when anything in them is wrong: they are then read table by table, for the messages."""
    if not all(type(raw) is dict for raw in tables):
        return None
    if not set().union(*tables) <= _PROGRAM_FIELD_SET:
        return None
    defaults = column_defaults(Program)
    # Each table laid over the defaults and read in field order, then turned into columns:
    # a pass per field over thousands of tables would cost twice as much.
    names = tuple(defaults)
    in_order = operator.itemgetter(*names)
    rows = [in_order({**defaults, **raw}) for raw in tables]
    columns = dict(zip(names, map(list, zip(*rows)))) if rows else {name: [] for name in names}
    del rows
    if synthetic:
        if not all(raw.get("synthetic", True) is True for raw in tables):
            return None  # a program that says it is real: said table by table
        columns["synthetic"] = [True] * len(tables)
    return checked_program_columns(columns, len(tables))


def checked_program_columns(columns: dict[str, list], count: int) -> dict[str, list] | None:
    """Programs' values as one list per field, checked as reading them table by table
    checks them (types, vocabularies, validators, no id twice), or None when any of them is
    wrong. ``columns`` holds each field's default where a program leaves it out
    (:func:`resplan.convert.column_defaults`)."""
    values = quick_columns(Program, columns, count, CHECKED_WITH_PROGRAM, COLUMN_CHECKS)
    if values is None or len(set(values["id"])) != count:
        return None
    # What Program.__attrs_post_init__ does, once per distinct source.
    marked: dict = {}
    values["synthetic"] = [
        synthetic
        or (
            marked[source]
            if source in marked
            else marked.setdefault(source, says_synthetic(source))
        )
        for synthetic, source in zip(values["synthetic"], values["source"])
    ]
    # Programs with equal sources or visas hold one object (most share them): the column
    # table does the same for the other fields, and the catalog cache keeps each once.
    for name in ("source", "visas"):
        distinct: dict = {}
        try:
            values[name] = list(map(distinct.setdefault, values[name], values[name]))
        except TypeError:  # an unhashable value: kept as it is
            pass
    return values


def columns_catalog(values: dict[str, list]) -> Catalog:
    """The catalog of programs given as checked columns (:func:`checked_program_columns`).

    The columns are sorted by id here; the catalog keeps them, and its programs are made
    from them when first read (:class:`resplan.model.ProgramColumns`), as is its column
    table.
    """
    ids = values["id"]
    if all(map(operator.lt, ids, itertools.islice(ids, 1, None))):
        columns = [values[name] for name in PROGRAM_FIELDS]  # already in order
    else:
        order = sorted(range(len(ids)), key=ids.__getitem__)
        # Column by column, each unsorted list let go once its sorted copy is made.
        columns = [list(map(values.pop(name).__getitem__, order)) for name in PROGRAM_FIELDS]
    values.clear()
    return Catalog.of_columns(dict(zip(PROGRAM_FIELDS, columns)))


def _catalog_table(table: Any, path: FsPath, locate) -> bool:
    """Whether the [catalog] table says every program of the file is synthetic."""
    if not isinstance(table, dict):
        raise InputError.one(
            path,
            f"must be a table ([catalog]), got {_describe(table)}",
            field="catalog",
            line=locate(("catalog",)),
        )
    from resplan.vocabulary import suggest

    problems = [
        Problem(
            str(path),
            f"unknown key{suggest(key, CATALOG_KEYS)}",
            field=f"catalog.{key}",
            line=locate(("catalog", key)),
        )
        for key in sorted(set(table) - set(CATALOG_KEYS))
    ]
    synthetic = table.get("synthetic", False)
    if type(synthetic) is not bool:
        problems.append(
            Problem(
                str(path),
                f"expected true or false, got {_describe(synthetic)}",
                field="catalog.synthetic",
                line=locate(("catalog", "synthetic")),
            )
        )
    if problems:
        raise InputError(problems)
    return synthetic


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
    # Interned: a large catalog repeats the same few visa names on every row.
    visas = [sys.intern(part.strip()) for part in cell.split(";") if part.strip()]
    if not visas:  # e.g. ";": not the same as "none"
        raise ValueError(f"expected visas separated by ';' or none, got {cell!r}")
    return visas


CSV_CELL_READERS: dict[str, Callable[[str], Any]] = {
    "img_share": _float,
    "positions": _int,
    "min_step2ck": _int,
    "mean_step2ck": _int,
    "max_years_since_graduation": _int,
    "max_attempts": _int,
    "facts_as_of": _int,
    "spanish_preferred": _bool,
    "underserved_focus": _bool,
    "rural": _bool,
    "visas": _visas,
    "synthetic": _bool,
}


def _lines(text: str) -> Iterator[str]:
    """The lines of ``text`` (newlines already made ``\\n``), each with its newline, one at
    a time: an io.StringIO of a large catalog would hold a second, wider copy of it."""
    start, end = 0, len(text)
    while start < end:
        stop = text.find("\n", start)
        stop = end if stop < 0 else stop + 1
        yield text[start:stop]
        start = stop


# Columns whose values repeat from program to program: one string object per distinct
# value, however many programs share it.
_SHARED_CSV_COLUMNS = frozenset(PROGRAM_FIELDS) - {"id", "name"}


def read_csv_catalog(path: FsPath) -> Catalog:
    catalog = _read_csv_catalog(path)
    if not len(catalog):
        # A header with no rows (a sheet saved before it was filled) would plan against
        # nothing, as an empty TOML catalog would: both are refused.
        raise InputError.one(
            path,
            "holds no programs: a CSV catalog has one row per program under its header row",
            line=1,
        )
    return catalog


def _read_csv_catalog(path: FsPath) -> Catalog:
    text = read_text(path)
    values = _quick_csv_columns(text)
    if values is not None:
        del text  # a large catalog's text need not stay beside its programs
        return columns_catalog(values)
    return _read_csv_rows(text, path)


def _quick_csv_columns(text: str) -> dict[str, list] | None:
    """A CSV catalog's cells read into checked columns (:func:`checked_program_columns`),
    or None when anything in it is wrong: it is then read row by row, for the messages.

    No row becomes a table: each cell goes to its column as it is read. A cell met before
    in its column is read once, so the cities, specialties, visas and numbers a large
    catalog repeats share one object each.
    """
    reader = csv.reader(_lines(text))
    try:
        header = [name.strip() for name in next(reader, [])]
        if not header or len(set(header)) != len(header) or not set(header) <= _PROGRAM_FIELD_SET:
            return None
        defaults = column_defaults(Program)
        columns: list[list] = [[] for _ in header]
        # What each cell text of a column reads as; None for the columns whose values are
        # each program's own (its id and name).
        cells: list[tuple[list, Callable[[str], Any], dict | None, Any]] = [
            (
                column,
                CSV_CELL_READERS.get(name, str),
                {} if name in _SHARED_CSV_COLUMNS else None,
                defaults[name],
            )
            for column, name in zip(columns, header)
        ]
        width = len(header)
        for row in reader:
            if not any(row):
                continue  # an empty line (a row of blank cells is read row by row)
            if len(row) != width:
                return None
            for (column, read, memo, default), cell in zip(cells, row):
                value = memo.get(cell, MISSING) if memo is not None else MISSING
                if value is MISSING:
                    text_ = cell.strip()
                    value = read(text_) if text_ else default
                    if memo is not None:
                        memo[cell] = value
                column.append(value)
    except (csv.Error, ValueError):
        return None
    del reader
    count = len(columns[0])
    return checked_program_columns(dict(zip(header, columns)), count)


def _read_csv_rows(text: str, path: FsPath) -> Catalog:
    """A CSV catalog read row by row, each row's problems reported with its line."""
    reader = csv.reader(_lines(text))
    problems: list[Problem] = []
    rows = _csv_rows(reader, path, problems)
    header = next(rows, None)
    if header is None:
        raise InputError(
            problems or [Problem(str(path), "empty file: expected a header row", line=1)]
        )
    header = [name.strip() for name in header]
    from resplan.vocabulary import suggest

    seen: set[str] = set()
    for name in header:
        if name not in PROGRAM_FIELDS:
            problems.append(
                Problem(
                    str(path), f"unknown column{suggest(name, PROGRAM_FIELDS)}", field=name, line=1
                )
            )
        elif name in seen:
            problems.append(Problem(str(path), "column given twice", field=name, line=1))
        seen.add(name)
    if problems:
        raise InputError(problems)

    def entries() -> Iterator[tuple[dict, Callable[[Any], int | None], tuple]]:
        # One row at a time: each becomes a Program before the next is read, so the raw
        # cells of a large catalog are never all held at once.
        shared: dict[str, str] = {}
        line = reader.line_num
        for index, row in enumerate(rows):
            start = line + 1
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                problems.append(
                    Problem(
                        str(path),
                        f"has {len(row)} cells, the header has {len(header)}",
                        field=f"row {index + 1}",
                        line=start,
                    )
                )
                continue
            raw: dict[str, Any] = {}
            for name, cell in zip(header, row):
                cell = cell.strip()
                if cell == "":
                    continue
                try:
                    value = CSV_CELL_READERS.get(name, str)(cell)
                except ValueError as exc:
                    problems.append(
                        Problem(
                            str(path),
                            str(exc),
                            field=name,
                            line=start,
                            subject=row[header.index("id")] if "id" in header else "",
                        )
                    )
                    continue
                if name in _SHARED_CSV_COLUMNS and type(value) is str:
                    value = shared.setdefault(value, value)
                raw[name] = value
            yield raw, functools.partial(_row_line, start), ()

    try:
        catalog = programs_to_catalog(entries(), str(path))
    except InputError as exc:
        problems.extend(exc.problems)
        catalog = None
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise InputError(problems)
    assert catalog is not None  # it is None only when there were problems
    return catalog


def _csv_rows(reader, path, problems: list[Problem]):
    """The reader's rows; a row the csv module cannot read ends them with a problem."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            message = str(exc)
            if "field larger than field limit" in message:
                message = f"a cell is longer than {csv.field_size_limit()} characters"
            problems.append(
                Problem(str(path), f"not valid CSV: {message}", line=reader.line_num or 1)
            )
            return
        yield row
