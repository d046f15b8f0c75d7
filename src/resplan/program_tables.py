"""A plan's ``[[programs]]`` tables, written from :class:`~resplan.plan.ProgramDecisions`' columns.

A national plan has thousands of programs, but few distinct parts: each program's own
lines (the same in every plan over a catalog), a handful of verdict, tier and region
combinations, and the reasons and to_verify lists programs share. Each part is written
once and the tables are put together column by column. ``resplan.writer`` uses this for
plans from the pipeline; the tests compare its output with tomli-w's, byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from resplan import tomlout
from resplan.plan import VERDICTS, ProgramDecisions


def _head(program) -> str:
    """A program's lines that no plan changes."""
    f = tomlout.format_string
    track = f"track = {f(program.track)}\n" if program.track is not None else ""
    synthetic = "synthetic = true\n" if program.synthetic else ""
    known = "".join(
        f"{key} = {f(getattr(program, key))}\n"
        for key in ("acgme_id", "nrmp_code", "website")
        if getattr(program, key) is not None
    )
    return (
        f"id = {f(program.id)}\nname = {f(program.name)}\nspecialty = {f(program.specialty)}\n"
        f"{track}city = {f(program.city)}\nstate = {f(program.state)}\n{known}{synthetic}"
    )


# Programs whose tables are put together at a time: a plan of a million programs is
# written a block at a time, never all its tables in memory at once.
BLOCK = 4096


def program_tables(decisions: ProgramDecisions, as_dicts) -> Iterator[str] | None:
    """The programs' ``[[programs]]`` tables as text, straight from the columns, a block
    of programs at a time: each block is its tables joined as tomlout separates them
    (a blank line between two), so ``"\n".join`` of the blocks is that of the tables.

    The same text as tomlout (and so tomli-w) writes for ``as_dicts(decisions)``, put
    together from parts that repeat: a program's own lines (kept per catalog in
    ``decisions.memo``, so a batch formats each program once), its verdict, tier and
    region lines, its reasons and its to_verify line. None when the programs would be
    written as inline tables, which these parts do not cover.
    """
    n = len(decisions)
    if not n or decisions.catalog_rows is None or decisions.memo is None:
        return None
    if tomlout.fits_inline(as_dicts([decisions[0]])[0]):
        return None
    # Per program, a reference to its text of each part: no text is copied per program
    # until a block is joined.
    parts = [_middles(decisions), *_tails(decisions)]
    return _blocks(decisions, _program_lines(decisions), parts)


def _blocks(decisions: ProgramDecisions, lines: np.ndarray, parts: list) -> Iterator[str]:
    n = len(decisions)
    for start in range(0, n, BLOCK):
        stop = min(n, start + BLOCK)
        table = np.empty((stop - start, 2 + len(parts)), dtype=object)
        table[:, 0] = "\n[[programs]]\n"
        table[0, 0] = "[[programs]]\n"  # the blank line before a block is tomlout's
        table[:, 1] = _heads(decisions, lines, start, stop)
        for column, texts in enumerate(parts, 2):
            table[:, column] = texts[start:stop]
        yield "".join(table.ravel().tolist())


def _program_lines(decisions: ProgramDecisions) -> np.ndarray:
    """The catalog's memo of each program's own lines, by catalog row (None: not yet)."""
    assert decisions.catalog_rows is not None and decisions.memo is not None  # checked
    memo = decisions.memo
    lines = memo.get("writer.program_lines")
    size = int(decisions.catalog_rows.max()) + 1
    if lines is None or len(lines) < size:
        grown = np.full(size if lines is None else max(size, len(lines)), None, dtype=object)
        if lines is not None:
            grown[: len(lines)] = lines
        lines = memo["writer.program_lines"] = grown
    return lines


def _heads(decisions: ProgramDecisions, lines: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Per program of ``start:stop``: the lines no plan changes (id to state), formatted
    once per catalog."""
    assert decisions.catalog_rows is not None  # program_tables checked it
    rows = decisions.catalog_rows[start:stop]
    heads = lines[rows]
    missing = np.flatnonzero(np.equal(heads, None))  # type: ignore[call-overload]
    programs = decisions.programs[start:stop][missing].tolist()
    for position, program in zip(missing.tolist(), programs):
        heads[position] = lines[rows[position]] = _head(program)
    return heads


def _middles(decisions: ProgramDecisions) -> np.ndarray:
    """Per program: the verdict, tier and region lines; few combinations, each written once."""
    regions = len(decisions.regions)
    key = (decisions.verdict.astype(np.int64) * 4 + decisions.tier) * regions + decisions.region
    distinct, which = np.unique(key, return_inverse=True)
    texts = np.empty(len(distinct), dtype=object)
    for i, k in enumerate(distinct.tolist()):
        region, tier = decisions.regions[k % regions], (k // regions) % 4
        text = f"verdict = {tomlout.format_string(VERDICTS[k // regions // 4])}\n"
        if tier:
            text += f"tier = {tier}\n"
        if region is not None:
            text += f"region = {tomlout.format_string(region)}\n"
        texts[i] = text
    return texts[which.reshape(-1)]


def _tails(decisions: ProgramDecisions) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per program: its reasons and to_verify, as tomli-w writes them, in three parts
    (written in this order).

    The reasons are one literal array of inline tables when every one fits on a line
    (before to_verify), else an array of tables (after it).
    """
    reason_text: dict[int, tuple[str | None, str]] = {}  # id(Reason) -> (inline item, table)
    literal = np.empty(len(decisions.reason_sets), dtype=object)
    tables = np.empty(len(decisions.reason_sets), dtype=object)
    for i, reasons in enumerate(decisions.reason_sets):
        texts = []
        for reason in reasons:
            text = reason_text.get(id(reason))
            if text is None:
                item = {"rule": reason.rule, "says": reason.says}
                text = reason_text[id(reason)] = (
                    tomlout.inline_table(item) if tomlout.fits_inline(item) else None,
                    tomlout.dumps_array_table(item, "programs.reasons"),
                )
            texts.append(text)
        if not texts:
            literal[i], tables[i] = "reasons = []\n", ""
        elif all(inline is not None for inline, _ in texts):
            literal[i] = (
                "reasons = [\n" + "".join(f"    {inline},\n" for inline, _ in texts) + "]\n"
            )
            tables[i] = ""
        else:
            literal[i], tables[i] = "", "".join("\n" + table for _, table in texts)
    verify = np.array(
        [
            f"to_verify = {tomlout.format_literal(list(fields))}\n"
            for fields in decisions.verify_sets
        ],
        dtype=object,
    )
    which = decisions.reasons
    return literal[which], verify[decisions.to_verify], tables[which]
