"""Importing a spreadsheet of programs into a resplan catalog (``resplan import-catalog``).

A mapping (TOML, :class:`ImportMapping`; the format is in ``docs/catalogs.md``) says which
column holds which program fact and how its cells read. The shipped mappings come from the
built-in ``catalog-formats`` plugin, and a plugin can add its own through the
``resplan_import_mappings`` hook.

Reading is in two passes: every row is read and every problem kept (file, line, column,
value), then ids are made for the rows that read. A cell that is blank, or says in words
that it is unknown, is left out: an imported program never holds a fact its row did not
give. The catalog is written sorted by id, and ids do not depend on row order, so the
same rows in any order give the same bytes.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path as FsPath
from typing import Any

import attrs

from resplan.errors import InputError, Problem
from resplan.model import Program
from resplan.vocabulary import SETTINGS, SPECIALTIES, SPONSORED_VISAS, STATES, TRACKS, suggest

# The facts a mapping can name: every field of a program. ``id`` is special: its column
# holds a program code (ACGME, NRMP, a school's own), made into an id (see make_id).
FACTS: tuple[str, ...] = tuple(a.name for a in attrs.fields(Program))
# A program cannot be made without these, so their columns are never optional.
REQUIRED: tuple[str, ...] = ("name", "specialty", "city", "state")
SHARE_MODES = ("auto", "percent", "share")
MAPPING_KEYS = ("name", "title", "about", "optional")
READ_KEYS = ("img_share", "yes", "no", "unknown")

# Words that say a cell is not known: the fact is left out, as for a blank cell. "none"
# is not among them: for visas it is a known answer (no visa is sponsored).
UNKNOWN_WORDS = (
    "n/a",
    "na",
    "-",
    "--",
    "\u2014",
    "\u2013",
    "?",
    "unknown",
    "not known",
    "not reported",
    "not available",
    "not listed",
    "not stated",
    "no data",
)
YES_WORDS = ("yes", "y", "true", "t", "x", "1", "\u2713", "\u2714")
NO_WORDS = ("no", "n", "false", "f", "0")


def norm(text: str) -> str:
    """A cell or header as it is compared: case and runs of spaces do not count."""
    return " ".join(str(text).split()).casefold()


# ------------------------------------------------------------------ the mapping record


@attrs.frozen
class ImportMapping:
    """How to read one spreadsheet layout: which column holds which program fact.

    ``columns`` pairs each fact with the headers that may hold it, the first one a file
    has being read; ``optional`` names facts whose column a file may lack. ``spellings``
    pairs a fact with cell texts and the values they stand for (``"Med/Peds"`` for
    ``"Internal Medicine-Pediatrics"``). ``img_share`` says how a bare number in the share
    column reads: ``"auto"`` (the column decides), ``"percent"`` or ``"share"``.

    Build one with :meth:`from_path` or :meth:`from_text` from a mapping file.
    """

    name: str
    title: str
    columns: tuple[tuple[str, tuple[str, ...]], ...]
    optional: frozenset[str] = frozenset()
    about: str = ""
    img_share: str = "auto"
    yes: tuple[str, ...] = ()
    no: tuple[str, ...] = ()
    unknown: tuple[str, ...] = ()
    spellings: tuple[tuple[str, tuple[tuple[str, Any], ...]], ...] = ()
    label: str = attrs.field(default="", eq=False)  # where it came from, for messages

    @classmethod
    def from_path(cls, path) -> ImportMapping:
        path_text = str(path)
        if hasattr(path, "read_text") and not isinstance(path, FsPath):
            # A resource inside an installed package (importlib.resources).
            return cls.from_text(path.read_text(encoding="utf-8"), path_text)
        from resplan.sources import read_text

        return cls.from_text(read_text(FsPath(path_text)), path_text)

    @classmethod
    def from_text(cls, text: str, label: str) -> ImportMapping:
        """Parse a mapping file; every problem in it is an :class:`InputError` naming
        ``label``, the key and the line."""
        from resplan.sources import parse_toml, toml_locator

        data = parse_toml(text, label)
        return _mapping_from_data(data, label, toml_locator(text))

    def headers_of(self, fact: str) -> tuple[str, ...]:
        return dict(self.columns).get(fact, ())

    def required_facts(self) -> tuple[str, ...]:
        return tuple(fact for fact, _ in self.columns if fact not in self.optional)


def _mapping_from_data(data: dict, label: str, locate) -> ImportMapping:
    problems: list[Problem] = []

    def problem(message: str, *path: str) -> None:
        problems.append(Problem(label, message, field=".".join(path), line=locate(path)))

    for key in sorted(set(data) - {"mapping", "columns", "read"}):
        problem("unknown top-level key; a mapping holds [mapping], [columns] and [read]", key)
    head = data.get("mapping")
    if not isinstance(head, dict):
        problem("give a [mapping] table with its name and title", "mapping")
        head = {}
    for key in sorted(set(head) - set(MAPPING_KEYS)):
        problem(f"unknown key{suggest(key, MAPPING_KEYS)}", "mapping", key)
    name = head.get("name")
    if not isinstance(name, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]*", name):
        problem(
            "give the mapping a name of lowercase letters, digits and '-' (what --mapping takes)",
            "mapping",
            "name",
        )
    title = head.get("title")
    if not isinstance(title, str) or not title.strip():
        problem(
            'say in a few words what layout this is, e.g. "FREIDA-like program listing"',
            "mapping",
            "title",
        )
    about = head.get("about", "")
    if not isinstance(about, str):
        problem("expected text", "mapping", "about")
        about = ""
    optional = head.get("optional", [])
    if not isinstance(optional, list) or not all(isinstance(f, str) for f in optional):
        problem("expected a list of fact names", "mapping", "optional")
        optional = []

    raw_columns = data.get("columns")
    columns: list[tuple[str, tuple[str, ...]]] = []
    if not isinstance(raw_columns, dict) or not raw_columns:
        problem("give a [columns] table: each program fact and the header of its column", "columns")
        raw_columns = {}
    for fact, headers in raw_columns.items():
        if fact not in FACTS:
            problem(
                f"not a program fact{suggest(fact, FACTS)}; these are: {', '.join(FACTS)}",
                "columns",
                fact,
            )
            continue
        if isinstance(headers, str):
            headers = [headers]
        if (
            not isinstance(headers, list)
            or not headers
            or not all(isinstance(h, str) and h.strip() for h in headers)
        ):
            problem(
                "expected a column header, or a list of headers of which the first the "
                "file has is read",
                "columns",
                fact,
            )
            continue
        columns.append((fact, tuple(" ".join(h.split()) for h in headers)))
    for fact in REQUIRED:
        if raw_columns and fact not in raw_columns:
            problem(f"a program needs its {fact}: say which column holds it", "columns")
    for fact in optional:
        if fact in REQUIRED:
            problem(f"{fact} cannot be optional: a program needs it", "mapping", "optional")
        elif fact not in raw_columns:
            problem(f"{fact!r} has no column in [columns]", "mapping", "optional")

    read = data.get("read", {})
    if not isinstance(read, dict):
        problem("expected a table ([read])", "read")
        read = {}
    share_mode = read.get("img_share", "auto")
    if share_mode not in SHARE_MODES:
        problem(f"expected one of {', '.join(SHARE_MODES)}", "read", "img_share")
    words: dict[str, tuple[str, ...]] = {}
    for key in ("yes", "no", "unknown"):
        value = read.get(key, [])
        if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
            problem("expected a list of words", "read", key)
            value = []
        words[key] = tuple(norm(w) for w in value)
    spellings = []
    for fact in sorted(set(read) - set(READ_KEYS)):
        table = read[fact]
        if fact not in FACTS:
            problem(
                f"neither a setting ({', '.join(READ_KEYS)}) nor a program fact"
                f"{suggest(fact, FACTS)}",
                "read",
                fact,
            )
            continue
        if not isinstance(table, dict):
            problem(
                "expected a table of cell texts and the values they stand for, e.g. "
                '"Med/Peds" = "Internal Medicine-Pediatrics"',
                "read",
                fact,
            )
            continue
        spellings.append(
            (fact, tuple(sorted((norm(cell), value) for cell, value in table.items())))
        )
    if problems:
        raise InputError(sorted(problems, key=lambda p: p.line or 0))
    assert isinstance(name, str) and isinstance(title, str)  # else reported above
    return ImportMapping(
        name=name,
        title=" ".join(title.split()),
        columns=tuple(columns),
        optional=frozenset(optional),
        about=" ".join(about.split()),
        img_share=share_mode,
        yes=words["yes"],
        no=words["no"],
        unknown=words["unknown"],
        spellings=tuple(spellings),
        label=label,
    )


# ------------------------------------------------------------------ reading cells
#
# Each reader takes a cell's text (stripped, never blank or an unknown word) and returns
# the value for the program, or raises ValueError saying what it expected.


def _text(cell: str) -> str:
    return " ".join(cell.split())


_SPECIALTY_ALIASES = {
    "im": "Internal Medicine",
    "medicine": "Internal Medicine",
    "fm": "Family Medicine",
    "family practice": "Family Medicine",
    "peds": "Pediatrics",
    "paediatrics": "Pediatrics",
    "psych": "Psychiatry",
    "ob-gyn": "Obstetrics and Gynecology",
    "obgyn": "Obstetrics and Gynecology",
    "ob/gyn": "Obstetrics and Gynecology",
    "obstetrics-gynecology": "Obstetrics and Gynecology",
    "surgery": "General Surgery",
    "surgery-general": "General Surgery",
    "em": "Emergency Medicine",
    "ty": "Transitional Year",
    "transitional": "Transitional Year",
    "med-peds": "Internal Medicine-Pediatrics",
    "med/peds": "Internal Medicine-Pediatrics",
    "internal medicine/pediatrics": "Internal Medicine-Pediatrics",
    "anesthesia": "Anesthesiology",
    "pathology-anatomic and clinical": "Pathology",
    "radiology-diagnostic": "Diagnostic Radiology",
    "radiology": "Diagnostic Radiology",
    "pm and r": "Physical Medicine and Rehabilitation",
    "pm&r": "Physical Medicine and Rehabilitation",
    "pmr": "Physical Medicine and Rehabilitation",
    "orthopedic surgery": "Orthopaedic Surgery",
    "ent": "Otolaryngology",
    "otolaryngology-head and neck surgery": "Otolaryngology",
    "neurosurgery": "Neurological Surgery",
    "plastic surgery-integrated": "Plastic Surgery",
    "interventional radiology-integrated": "Interventional Radiology",
    "thoracic surgery-integrated": "Thoracic Surgery",
    "vascular surgery-integrated": "Vascular Surgery",
    "medical genetics and genomics": "Medical Genetics",
}


def _specialty_key(text: str) -> str:
    text = norm(text).replace("&", " and ").replace("\u2013", "-").replace("\u2014", "-")
    text = re.sub(r"\s*-\s*", "-", text)
    return " ".join(text.split())


_SPECIALTY_BY_KEY = {
    **{_specialty_key(s): s for s in SPECIALTIES},
    **{_specialty_key(k): v for k, v in _SPECIALTY_ALIASES.items()},
}


def _specialty(cell: str) -> str:
    found = _SPECIALTY_BY_KEY.get(_specialty_key(cell))
    if found is None:
        found = _SPECIALTY_BY_KEY.get(_specialty_key(cell.replace("/", "-")))
    if found is None:
        raise ValueError(
            f"not a specialty resplan knows{suggest(cell.title(), SPECIALTIES)}; "
            "teach the mapping its spelling in [read.specialty]"
        )
    return found


def _state(cell: str) -> str:
    text = " ".join(cell.replace(".", "").split())
    if text.upper() in STATES:
        return text.upper()
    by_name = {name.casefold(): code for code, name in STATES.items()}
    code = by_name.get(text.casefold())
    if code is None:
        raise ValueError(
            f"not a US state's name or two-letter code{suggest(text.title(), STATES.values())}"
        )
    return code


def _track(cell: str) -> str:
    word = norm(cell).strip("()[] ")
    for track in TRACKS:
        if word.startswith(track[:6]) or word == track[0]:
            return track
    raise ValueError(f"expected a track ({', '.join(TRACKS)}, or C, P, T)")


def _setting(cell: str) -> str:
    words = set(re.split(r"[^a-z]+", norm(cell))) - {""}
    if "military" in words:
        return "military"
    if "community" in words and ({"affiliated", "university"} & words):
        return "community-university-affiliated"
    if "community" in words:
        return "community"
    if "university" in words:
        return "university"
    raise ValueError(
        f"expected a setting ({', '.join(SETTINGS)}, or a listing's words such as University-based)"
    )


_VISA_TOKENS = {
    "j1": ("J-1",),
    "h1b": ("H-1B",),
    "both": ("J-1", "H-1B"),
    "j1h1b": ("J-1", "H-1B"),
    "h1bj1": ("J-1", "H-1B"),
}
# Words around a visa's name that do not change which visa it is.
_VISA_FILLER = {"visa", "visas", "only", "sponsored", "sponsorship", "accepted", "yes"}
_NO_VISA = (
    "none",
    "no",
    "no visa",
    "no visas",
    "no sponsorship",
    "no visa sponsorship",
    "not sponsored",
    "does not sponsor",
    "us citizens and permanent residents only",
)


def _visas(cell: str) -> list[str]:
    """``J1``, ``J-1``, ``H1B``, ``H-1B``, ``Both``, ``None`` and lists of them."""
    if norm(cell).rstrip(".") in _NO_VISA:
        return []
    if norm(cell) in ("yes", "y"):
        raise ValueError(
            "says a visa is sponsored but not which: write J-1, H-1B or both "
            "(or teach the mapping in [read.visas])"
        )
    visas: set[str] = set()
    for part in re.split(r"[;,/+&]|\band\b|\bor\b", cell, flags=re.IGNORECASE):
        words = [w.replace("-", "") for w in re.findall(r"[a-z0-9-]+", part.casefold())]
        words = [w for w in words if w and w not in _VISA_FILLER]
        if len(words) > 1 and "both" in words:  # "both J-1" says J-1
            words.remove("both")
        token = "".join(words)
        if not token:
            continue
        if token not in _VISA_TOKENS:
            raise ValueError(
                f"not a visa spelling resplan reads ({', '.join(SPONSORED_VISAS)}, "
                "J1, H1B, both or none); teach the mapping in [read.visas]"
            )
        visas.update(_VISA_TOKENS[token])
    if not visas:
        raise ValueError("expected visas such as J-1, H-1B, both or none")
    return sorted(visas, key=SPONSORED_VISAS.index)


# A minus sign belongs to the number unless it joins two words ("PGY-1", "2-3"): a cell of
# "-4" must reach the range check as -4, never be read as 4.
_NUMBER = re.compile(r"(?:(?<!\w)[-\u2212])?\d+(?:\.\d+)?")
_PGY1 = re.compile(r"\bpgy[\s-]*1\b\s*[:=]?\s*(\d+)", re.IGNORECASE)


def _whole_number(cell: str) -> int:
    """The one whole number in a cell such as ``12``, ``12 positions`` or ``Minimum: 220``."""
    numbers = _NUMBER.findall(cell.replace(",", ""))
    if len(numbers) != 1:
        raise ValueError(
            "expected one whole number"
            if not numbers
            else "holds more than one number: keep the one that answers"
        )
    number = numbers[0].replace("\u2212", "-")
    if "." in number and float(number) != int(float(number)):
        raise ValueError("expected a whole number")
    return int(float(number))


def _positions(cell: str) -> int:
    """First-year positions: ``12``, ``12 positions``, ``PGY-1: 12``."""
    first_year = _PGY1.findall(cell)
    if len(first_year) == 1:
        return int(first_year[0])
    without_label = re.sub(r"\bpgy[\s-]*1\b", "", cell, flags=re.IGNORECASE)
    return _whole_number(without_label)


def _year(cell: str) -> int:
    if re.search(r"(?<!\w)[-\u2212]\s*\d", cell):
        raise ValueError("expected a year such as 2025, not a negative number")
    years = set(re.findall(r"(?<!\d)(?:19|20)\d\d(?!\d)", cell))
    if len(years) != 1:
        raise ValueError(
            "expected a year such as 2025" if not years else "holds more than one year"
        )
    return int(years.pop())


def _acgme_id(cell: str) -> str:
    text = "".join(cell.split())
    if text.isdigit() and len(text) == 9:
        raise ValueError(
            "has 9 digits: a spreadsheet read it as a number and dropped its "
            "leading 0; format the column as text and copy the numbers again"
        )
    return text


def _nrmp_code(cell: str) -> str:
    # Listings print codes in capitals; a code typed in lowercase is the same code.
    return "".join(cell.split()).upper()


def _code(cell: str) -> str:
    code = slug(cell)
    if not code:
        raise ValueError("a program code needs letters or digits")
    return code


def _yes_no(mapping: ImportMapping) -> Callable[[str], bool]:
    yes, no = set(YES_WORDS) | set(mapping.yes), set(NO_WORDS) | set(mapping.no)

    def read(cell: str) -> bool:
        word = norm(cell)
        if word in yes:
            return True
        if word in no:
            return False
        raise ValueError("expected yes or no (or a word the mapping's [read] yes and no list)")

    return read


# A decimal comma, as Spanish-, Portuguese- or French-language spreadsheets write a share
# (`64,5 %`, `0,45`). Three digits after a comma other than after a lone 0 could be a
# thousands group (`1,000`), so those are left to fail rather than be read as 1.
_DECIMAL_COMMA = re.compile(r"(\d+),(\d{1,2}|\d{4,})|(0),(\d{3})")


def _number_with_percent(cell: str) -> tuple[float, bool]:
    """A share cell as (number, whether it had a % sign)."""
    text = cell.replace(" ", "").replace("\u00a0", "")
    percent = text.endswith("%")
    text = text.removesuffix("%")
    if _DECIMAL_COMMA.fullmatch(text):
        text = text.replace(",", ".")
    try:
        return float(text), percent
    except ValueError:
        raise ValueError("expected a percentage such as 45%, 45 or 0.45") from None


def share_column_mode(cells: Iterable[str], mode: str) -> str:
    """How the bare numbers of a share column read: ``"percent"``, ``"share"``, or
    ``"ambiguous"`` (``auto`` and nothing in the column tells)."""
    if mode != "auto":
        return mode
    percent = fraction = False
    for cell in cells:
        try:
            number, has_sign = _number_with_percent(cell)
        except ValueError:
            continue
        percent = percent or has_sign or number > 1
        fraction = fraction or (0 < number < 1)
    if percent:
        return "percent"
    return "share" if fraction else "ambiguous"


def _share(column_mode: str) -> Callable[[str], float]:
    def read(cell: str) -> float:
        number, has_sign = _number_with_percent(cell)
        if has_sign or column_mode == "percent":
            share = number / 100
        elif column_mode == "share" or number == 0:
            share = number
        else:
            raise ValueError(
                "cannot tell a share from a percentage here: write 1% or 100% "
                '(or set [read] img_share = "percent" or "share" in the mapping)'
            )
        if not 0 <= share <= 1:
            raise ValueError("is not a share of residents (0% to 100%)")
        # Rounded so that 64.4% is 0.644, not 0.6440000000000001.
        return round(share, 6)

    return read


def readers_for(mapping: ImportMapping, share_mode: str) -> dict[str, Callable[[str], Any]]:
    """The reader of each fact's cells under ``mapping``."""
    yes_no = _yes_no(mapping)
    readers: dict[str, Callable[[str], Any]] = {
        "id": _code,
        "specialty": _specialty,
        "state": _state,
        "track": _track,
        "setting": _setting,
        "visas": _visas,
        "positions": _positions,
        "img_share": _share(share_mode),
        "facts_as_of": _year,
        "acgme_id": _acgme_id,
        "nrmp_code": _nrmp_code,
    }
    for field in attrs.fields(Program):
        if field.name in readers:
            continue
        kind = str(field.type)
        if "bool" in kind:
            readers[field.name] = yes_no
        elif "int" in kind:
            readers[field.name] = _whole_number
        else:
            readers[field.name] = _text
    return readers


# ------------------------------------------------------------------ ids

_SPECIALTY_SHORT = {
    "Anesthesiology": "anes",
    "Child Neurology": "childneuro",
    "Dermatology": "derm",
    "Diagnostic Radiology": "rad",
    "Emergency Medicine": "em",
    "Family Medicine": "fm",
    "General Surgery": "surg",
    "Internal Medicine": "im",
    "Internal Medicine-Pediatrics": "medpeds",
    "Interventional Radiology": "ir",
    "Medical Genetics": "genetics",
    "Neurological Surgery": "nsurg",
    "Neurology": "neuro",
    "Nuclear Medicine": "nucmed",
    "Obstetrics and Gynecology": "obgyn",
    "Ophthalmology": "ophth",
    "Orthopaedic Surgery": "ortho",
    "Otolaryngology": "ent",
    "Pathology": "path",
    "Pediatrics": "peds",
    "Physical Medicine and Rehabilitation": "pmr",
    "Plastic Surgery": "plastics",
    "Preventive Medicine": "prevmed",
    "Psychiatry": "psych",
    "Radiation Oncology": "radonc",
    "Thoracic Surgery": "thoracic",
    "Transitional Year": "ty",
    "Urology": "uro",
    "Vascular Surgery": "vasc",
}


def slug(text: str) -> str:
    """Lowercase ASCII letters and digits joined by '-': ``"Texas Tech (El Paso)"`` ->
    ``"texas-tech-el-paso"``. Periods and '_' in a code are kept."""
    # An apostrophe joins its word ("St. Luke's" is st-lukes), it does not split it.
    text = str(text).replace("'", "").replace("\u2019", "")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9._]+", "-", ascii_text.lower()).strip("-._")


def readable_id(facts: dict[str, Any]) -> str:
    """``state-city-name-specialty``, as the shipped border catalog spells its ids."""
    specialty = facts["specialty"]
    return "-".join(
        part
        for part in (
            slug(facts["state"]),
            slug(facts["city"]).replace(".", ""),
            slug(facts["name"]).replace(".", ""),
            _SPECIALTY_SHORT.get(specialty, slug(specialty)),
        )
        if part
    )


def assign_ids(rows: list[ReadRow]) -> None:
    """Give every row its id: the program code when the row has one, else
    :func:`readable_id`. Rows that would share an id are told apart by their tracks when
    those differ, else numbered ``-2``, ``-3`` in the order of their facts (never of
    their lines), so the same rows in any order get the same ids."""
    groups: dict[str, list[ReadRow]] = {}
    for row in rows:
        groups.setdefault(row.base_id, []).append(row)
    taken = set(groups)
    for base in sorted(groups):
        group = sorted(groups[base], key=lambda r: r.content_key)
        if len(group) == 1:
            group[0].id = base
            continue
        tracks = [r.facts.get("track") for r in group]
        if (
            None not in tracks
            and len(set(tracks)) == len(tracks)
            and not {f"{base}-{t}" for t in tracks} & taken
        ):
            for row, track in zip(group, tracks):
                row.id = f"{base}-{track}"
                taken.add(row.id)
            continue
        group[0].id = base
        number = 2
        for row in group[1:]:
            while f"{base}-{number}" in taken:
                number += 1
            row.id = f"{base}-{number}"
            taken.add(row.id)


# ------------------------------------------------------------------ reading a file


@attrs.define
class ReadRow:
    line: int
    facts: dict[str, Any]
    program: Program  # read with its base id
    base_id: str = ""
    id: str = ""

    @property
    def content_key(self) -> str:
        return repr(sorted((k, repr(v)) for k, v in self.facts.items()))


@attrs.frozen
class Sheet:
    """A spreadsheet's header and rows, each row with the line it starts on."""

    file: str
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]


def csv_delimiter(text: str) -> str:
    """Commas, or tabs or semicolons when the header line has no comma: a spreadsheet set
    to a language that writes decimal commas (Spanish, Portuguese) saves with semicolons."""
    first = text.split("\n", 1)[0]
    if "," not in first and "\t" in first:
        return "\t"
    if "," not in first and ";" in first:
        return ";"
    return ","


def read_sheet(path) -> Sheet:
    """Read a CSV file as people save or paste it: comma-, tab- or semicolon-separated
    (told by the header line), with or without a byte-order mark."""
    from resplan.sources import _csv_rows, read_text

    file = str(path)
    try:
        text = read_text(path)
    except InputError as exc:
        # Spreadsheets on Windows save "CSV" in the system's code page and "Unicode text"
        # as UTF-16: say which choice in the Save As list gives a file resplan reads.
        message = exc.problems[0].message
        if message.startswith("not UTF-8"):
            raise InputError.one(
                file,
                f'{message.split(": save it")[0]}: save it from your spreadsheet as "CSV UTF-8"',
                line=exc.problems[0].line,
            ) from None
        raise
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=csv_delimiter(text))
    problems: list[Problem] = []
    rows_iter = _csv_rows(reader, path, problems)
    header = next(rows_iter, None)
    if header is None or not any(cell.strip() for cell in header):
        raise InputError(problems or [Problem(file, "empty file: expected a header row", line=1)])
    rows = []
    line = reader.line_num
    for row in rows_iter:
        start, line = line + 1, reader.line_num
        if any(cell.strip() for cell in row):
            rows.append((start, tuple(row)))
    if problems:
        raise InputError(problems)
    if not rows:
        raise InputError.one(file, "has a header but no rows of programs", line=1)
    return Sheet(file, tuple(" ".join(h.split()) for h in header), tuple(rows))


@attrs.frozen
class Fit:
    """How a mapping fits a file's header: the column of each fact it can read, and the
    headers it needs that the file lacks."""

    mapping: ImportMapping
    columns: tuple[tuple[str, int], ...]  # (fact, column index)
    missing: tuple[str, ...]  # headers (first spelling) of required facts not found

    @property
    def fits(self) -> bool:
        return not self.missing


def fit(mapping: ImportMapping, header: Iterable[str]) -> Fit:
    by_header: dict[str, int] = {}
    for position, name in enumerate(header):
        by_header.setdefault(norm(name), position)
    columns: list[tuple[str, int]] = []
    missing: list[str] = []
    for fact, headers in mapping.columns:
        index = next((by_header[norm(h)] for h in headers if norm(h) in by_header), None)
        if index is not None:
            columns.append((fact, index))
        elif fact not in mapping.optional:
            missing.append(headers[0])
    return Fit(mapping, tuple(columns), tuple(missing))


def best_fit(mappings: Iterable[ImportMapping], header: Iterable[str]) -> Fit | None:
    """The mapping that fits and reads the most columns (ties: by name); None when none
    fits."""
    header = tuple(header)
    fits = [f for f in (fit(m, header) for m in mappings) if f.fits]
    if not fits:
        return None
    return min(fits, key=lambda f: (-len(f.columns), f.mapping.name))


def closest(mappings: Iterable[ImportMapping], header: Iterable[str]) -> Fit | None:
    """The mapping that lacks the fewest columns, for a message when none fits."""
    header = tuple(header)
    fits = [fit(m, header) for m in mappings]
    return (
        min(fits, key=lambda f: (len(f.missing), -len(f.columns), f.mapping.name)) if fits else None
    )


def _column_name(header: tuple[str, ...], index: int) -> str:
    letters, number = "", index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{header[index]} (column {letters})"


@attrs.frozen
class Imported:
    """What an import made: the programs (sorted by id), the problems of the rows that
    could not be read, by line, and the columns no fact was read from."""

    programs: tuple[Program, ...]
    problems: tuple[Problem, ...]
    bad_lines: tuple[int, ...]
    unread_columns: tuple[str, ...]


def import_rows(sheet: Sheet, found: Fit, *, source: str | None = None) -> Imported:
    """Read every row of ``sheet`` with the mapping of ``found`` (which must fit).

    A row with any problem is left out, and every problem of every row is returned. A
    row that repeats another exactly is a problem of its own, so no program is made
    twice. ``source``, when given, is each program's source unless a column gives one.
    """
    from resplan.convert import structure

    mapping, header, file = found.mapping, sheet.header, sheet.file
    spellings = {fact: dict(table) for fact, table in mapping.spellings}
    unknown = set(UNKNOWN_WORDS) | set(mapping.unknown)
    share_index = dict(found.columns).get("img_share")
    share_cells = (
        []
        if share_index is None
        else [
            cells[share_index].strip()
            for _, cells in sheet.rows
            if share_index < len(cells)
            and norm(cells[share_index]) not in unknown
            and norm(cells[share_index]) not in spellings.get("img_share", {})
        ]
    )
    readers = readers_for(mapping, share_column_mode(share_cells, mapping.img_share))
    problems: list[Problem] = []
    column_of_problem: dict[int, int] = {}  # id(problem): its column, to sort a row's problems
    bad: set[int] = set()
    read: list[ReadRow] = []
    first_of: dict[str, int] = {}
    for line, cells in sheet.rows:

        def problem(message: str, index: int | None = None, line: int = line) -> None:
            found = Problem(
                file,
                message,
                line=line,
                field=_column_name(header, index) if index is not None else "",
            )
            problems.append(found)
            column_of_problem[id(found)] = -1 if index is None else index
            bad.add(line)

        if len(cells) > len(header) and any(c.strip() for c in cells[len(header) :]):
            problem(
                f"has {len(cells)} cells, the header has {len(header)}: a cell holds a "
                "comma or a column is missing from the header"
            )
            continue
        facts: dict[str, Any] = {}
        column_of: dict[str, int] = {}
        for fact, index in found.columns:
            cell = cells[index].strip() if index < len(cells) else ""
            key = norm(cell)
            if not cell or key in unknown:
                continue
            column_of[fact] = index
            if key in spellings.get(fact, {}):
                facts[fact] = spellings[fact][key]
                continue
            try:
                facts[fact] = readers[fact](cell)
            except ValueError as exc:
                problem(f"{cell!r}: {exc}", index)
        for fact in REQUIRED:
            if fact not in facts and fact not in column_of:
                index = dict(found.columns)[fact]
                problem(f"is blank: a program needs its {fact}", index)
        unreadable = line in bad
        if source is not None and "source" not in facts:
            facts["source"] = source
        if unreadable:
            # A stand-in id: a readable one needs cells that may be the unreadable ones.
            base = facts.get("id") or "row"
        else:
            base = facts.pop("id", None) or readable_id(facts)
        try:
            program = structure({**facts, "id": base}, Program, file=file)
        except InputError as exc:
            for found_problem in exc.problems:
                fact = found_problem.field.split(".")[0].split("[")[0]
                if unreadable and fact not in facts:
                    # A cell that did not read, or a blank required one: reported above.
                    continue
                column = column_of.get(fact)
                value = f"{cells[column].strip()!r}: " if column is not None else ""
                problem(f"{value}{found_problem.message}", column)
            continue
        if unreadable:
            # The cells that read were checked too (a -4 beside a bad year is reported
            # in the same run), but the row is not a program.
            continue
        candidate = ReadRow(line, facts, program, base_id=base)
        key = candidate.content_key + base
        if key in first_of:
            problem(f"repeats line {first_of[key]}: the same program twice")
            continue
        first_of[key] = line
        read.append(candidate)
    assign_ids(read)
    programs = sorted((attrs.evolve(row.program, id=row.id) for row in read), key=lambda p: p.id)
    used = {index for _fact, index in found.columns}
    unread = tuple(name for index, name in enumerate(header) if index not in used and name)
    problems.sort(key=lambda p: (p.line or 0, column_of_problem.get(id(p), -1)))
    return Imported(tuple(programs), tuple(problems), tuple(sorted(bad)), unread)


# ------------------------------------------------------------------ writing


def dumps_catalog(programs: Iterable[Program], *, file: str, mapping: str) -> str:
    """The programs as a TOML catalog: a comment saying where they came from, then one
    ``[[program]]`` table per program with the facts it has (unknown ones left out)."""
    import tomli_w

    programs = list(programs)
    tables = []
    for program in programs:
        table: dict[str, Any] = {}
        for field in attrs.fields(Program):
            value = getattr(program, field.name)
            if value is None or (field.name == "synthetic" and value is False):
                continue
            table[field.name] = list(value) if isinstance(value, tuple) else value
        tables.append(table)
    count = f"{len(programs)} program{'s' if len(programs) != 1 else ''}"
    head = (
        f"# resplan program catalog: {count} imported from {FsPath(file).name} with the "
        f"{mapping} mapping\n# (resplan import-catalog). A fact a row left blank is left "
        "out: unknown, not zero or no.\n"
    )
    document: dict[str, Any] = {}
    if tables and all(t.get("synthetic") for t in tables):
        document["catalog"] = {"synthetic": True}
        for table in tables:
            del table["synthetic"]
    document["program"] = tables
    return head + tomli_w.dumps(document)


# ------------------------------------------------------------------ mappings of plugins


def installed_mappings(host) -> list[tuple[str, ImportMapping]]:
    """``(plugin, mapping)`` of every installed mapping, by name; two of one name are a
    :class:`~resplan.errors.PluginError` naming both plugins."""
    from resplan.plugins import collect, refuse_conflicts

    return refuse_conflicts(
        host.pm,
        collect(host.pm, "resplan_import_mappings", ImportMapping),
        lambda m: m.name,
        "import mapping",
    )


def choose_mapping(given: str | None, sheet: Sheet, mappings: list[ImportMapping]) -> Fit:
    """The mapping ``--mapping`` names (a name or a ``.toml`` file), fitted to ``sheet``;
    an :class:`InputError` when none is given or it does not fit, suggesting the
    installed mapping whose headers fit."""
    best = best_fit(mappings, sheet.header)
    if best is not None:
        hint = (
            f"its headers fit the mapping {best.mapping.name!r} ({best.mapping.title}): "
            f"give --mapping {best.mapping.name}"
        )
    else:
        near = closest(mappings, sheet.header)
        hint = "no installed mapping fits its headers"
        if near is not None:
            hint += f"; the closest, {near.mapping.name!r}, needs {_quoted(near.missing)}"
        hint += "; write a mapping file for them (see docs/catalogs.md)"
    if given is None:
        raise InputError.one(
            sheet.file, f"say how to read its columns with --mapping: {hint}", line=1
        )
    by_name = {m.name: m for m in mappings}
    if given in by_name:
        mapping = by_name[given]
    elif given.endswith(".toml") or "/" in given or "\\" in given:
        mapping = ImportMapping.from_path(given)
    else:
        raise InputError.one(
            given,
            f"no such mapping{suggest(given, by_name)}; installed: "
            f"{', '.join(sorted(by_name)) or 'none'} (or give a .toml file)",
        )
    found = fit(mapping, sheet.header)
    if found.missing:
        other = f"; {hint}" if best is not None and best.mapping.name != mapping.name else ""
        raise InputError.one(
            sheet.file,
            f"the mapping {mapping.name!r} needs "
            f"{_quoted(found.missing)}, which the header lacks{other}",
            line=1,
        )
    twice = []
    for _fact, index in found.columns:
        same = [i for i, name in enumerate(sheet.header) if norm(name) == norm(sheet.header[index])]
        if len(same) > 1:
            twice.append(
                Problem(
                    sheet.file,
                    "the header has this column more than once ("
                    + ", ".join(_column_name(sheet.header, i) for i in same)
                    + "): rename the one to read, or remove the other",
                    line=1,
                    field=sheet.header[index],
                )
            )
    if twice:
        raise InputError(list({p.field: p for p in twice}.values()))
    return found


def _quoted(headers: Iterable[str]) -> str:
    names = [repr(h) for h in headers]
    what = "the column" if len(names) == 1 else "the columns"
    return f"{what} {', '.join(names[:-1]) + ' and ' if len(names) > 1 else ''}{names[-1]}"
