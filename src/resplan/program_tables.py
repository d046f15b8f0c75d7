"""A plan's ``[[programs]]`` tables, written from :class:`~resplan.plan.ProgramDecisions`' columns.

A national plan has thousands of programs, but few distinct parts: each program's own
lines (the same in every plan over a catalog), a handful of verdict, tier and region
combinations, and the reasons and to_verify lists programs share. Each part is written
once and the tables are put together column by column. ``resplan.writer`` uses this for
plans from the pipeline; the tests compare its output with tomli-w's, byte for byte.
"""

from __future__ import annotations

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


def program_tables(decisions: ProgramDecisions, as_dicts) -> list[str] | None:
    """Each program's ``[[programs]]`` table as text, straight from the columns.

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
    return ("[[programs]]\n" + _heads(decisions) + _middles(decisions) + _tails(decisions)).tolist()


def _heads(decisions: ProgramDecisions) -> np.ndarray:
    """Per program: the lines no plan changes (id to state), formatted once per catalog."""
    rows, memo = decisions.catalog_rows, decisions.memo
    assert rows is not None and memo is not None  # program_tables checked both
    lines = memo.get("writer.program_lines")  # indexed by catalog row
    size = int(rows.max()) + 1
    if lines is None or len(lines) < size:
        grown = np.full(size if lines is None else max(size, len(lines)), None, dtype=object)
        if lines is not None:
            grown[: len(lines)] = lines
        lines = memo["writer.program_lines"] = grown
    heads = lines[rows]
    missing = np.flatnonzero(np.equal(heads, None))  # type: ignore[call-overload]
    for position, program in zip(missing.tolist(), decisions.programs[missing].tolist()):
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


def _tails(decisions: ProgramDecisions) -> np.ndarray:
    """Per program: reasons and to_verify, as tomli-w writes them.

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
    return literal[which] + verify[decisions.to_verify] + tables[which]
