"""A whole cohort in one SQLite database: ``resplan batch ... --db cohort.sqlite``.

The batch's parent process writes it while the workers plan, from the compact results
they send (:func:`plan_record`): every plan's row, then its decisions, in the order of the
profile paths, committed many plans at a time. A transaction only ever holds whole plans,
so a batch stopped in any way (Ctrl-C, SIGKILL, a power cut) leaves a database that opens
and holds whole plans only; ``batch`` says whether the run finished.

The tables (``docs/cohort.md`` shows the questions they answer):

- ``plans``: one row per profile: its file, the plan file (if written), the profile's
  digest, the summary figures, the specialties and their fits, the headline of the best
  what-if change, or the error that stopped it (``error``; the figures are then NULL).
- ``decisions``: one row per plan and considered program: ``verdict`` (0 apply,
  1 borderline, 2 skip: the ``verdicts`` table), ``tier`` (1-3; 0 when skipped) and
  ``rules``, the set of rules its reasons cite (``rule_sets``, ``rule_set_rules``,
  ``rules``). Keyed by (plan, program) and stored in that order, so a plan's decisions
  are read together.
- ``programs``: the catalog's programs; ``decisions.program`` is their integer key.
- ``program_tally``: per program, verdict and tier, how many plans gave it. It is kept in
  the same transactions as the decisions, so it always counts exactly the plans the
  database holds; the cohort-wide questions read it instead of every decision.
- ``plan_specialties``, ``what_ifs``: the plan's specialties and what-if changes.
- ``batch``: the run's date, resplan version, catalogs and rulesets, and its state.

Integers stand for programs, rules and verdicts so that a decision takes about 20 bytes.
"""

from __future__ import annotations

import contextlib
import functools
import operator
import os
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from resplan.errors import ResplanError
from resplan.plan import VERDICTS, Plan, ProgramDecisions

__all__ = [
    "PlanRecord",
    "CohortWriter",
    "cohort_plan",
    "plan_record",
    "catalog_programs",
    "TABLES",
]

SCHEMA = 1  # of the database; raised when a table changes

TABLES = """
CREATE TABLE batch (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;
CREATE TABLE verdicts (id INTEGER PRIMARY KEY, verdict TEXT NOT NULL UNIQUE);
CREATE TABLE programs (
    id INTEGER PRIMARY KEY,         -- the program's place in the catalog(s), from 1
    program TEXT NOT NULL,          -- its id in the catalog
    name TEXT NOT NULL,
    specialty TEXT NOT NULL,
    city TEXT,
    state TEXT,
    synthetic INTEGER NOT NULL      -- 1: from a generated catalog, not a real program
);
CREATE TABLE rules (id INTEGER PRIMARY KEY, rule TEXT NOT NULL UNIQUE);
CREATE TABLE rule_sets (id INTEGER PRIMARY KEY, rules TEXT NOT NULL UNIQUE);
CREATE TABLE rule_set_rules (
    rule_set INTEGER NOT NULL REFERENCES rule_sets,
    rule INTEGER NOT NULL REFERENCES rules,
    PRIMARY KEY (rule_set, rule)
) WITHOUT ROWID;
CREATE TABLE plans (
    id INTEGER PRIMARY KEY,         -- the profile's place among the batch's profiles, from 1
    profile TEXT NOT NULL UNIQUE,
    plan TEXT,                      -- the plan file's name, NULL when not written
    profile_sha256 TEXT,
    considered INTEGER, apply INTEGER, borderline INTEGER, skip INTEGER,
    tier1 INTEGER, tier2 INTEGER, tier3 INTEGER, to_verify INTEGER,
    applications INTEGER, recommended INTEGER, shortfall INTEGER,
    fees INTEGER,                   -- ERAS fees of the list, US dollars
    specialties TEXT,               -- "Internal Medicine: possible; ..." (plan_specialties)
    what_if TEXT,                   -- the plan's first what-if change (most programs gained, net)
    error TEXT                      -- why there is no plan; NULL when planned
);
CREATE TABLE plan_specialties (
    plan INTEGER NOT NULL REFERENCES plans,
    position INTEGER NOT NULL,
    specialty TEXT NOT NULL,
    fit TEXT NOT NULL,
    wished INTEGER NOT NULL,
    rank INTEGER,
    PRIMARY KEY (plan, position)
) WITHOUT ROWID;
CREATE INDEX plan_specialties_by_specialty ON plan_specialties (specialty, fit);
CREATE TABLE what_ifs (
    plan INTEGER NOT NULL REFERENCES plans,
    position INTEGER NOT NULL,
    change TEXT NOT NULL,
    rule TEXT,
    programs_opened INTEGER, programs_improved INTEGER, programs_worsened INTEGER,
    tier1_before INTEGER, tier1_after INTEGER,
    PRIMARY KEY (plan, position)
) WITHOUT ROWID;
CREATE TABLE decisions (
    plan INTEGER NOT NULL REFERENCES plans,
    program INTEGER NOT NULL REFERENCES programs,
    verdict INTEGER NOT NULL REFERENCES verdicts,
    tier INTEGER NOT NULL,          -- 1, 2 or 3; 0 when skipped
    rules INTEGER NOT NULL REFERENCES rule_sets,
    PRIMARY KEY (plan, program)
) WITHOUT ROWID;
CREATE TABLE program_tally (
    program INTEGER NOT NULL REFERENCES programs,
    verdict INTEGER NOT NULL REFERENCES verdicts,
    tier INTEGER NOT NULL,
    plans INTEGER NOT NULL,
    PRIMARY KEY (program, verdict, tier)
) WITHOUT ROWID;
CREATE INDEX program_tally_by_tier ON program_tally (verdict, tier, plans);
CREATE VIEW decision_rows AS
    SELECT plans.profile, programs.program, programs.name, programs.specialty,
           programs.state, verdicts.verdict, decisions.tier, rule_sets.rules
    FROM decisions
    JOIN plans ON plans.id = decisions.plan
    JOIN programs ON programs.id = decisions.program
    JOIN verdicts ON verdicts.id = decisions.verdict
    JOIN rule_sets ON rule_sets.id = decisions.rules;
"""

PLAN_COLUMNS = (
    "id",
    "profile",
    "plan",
    "profile_sha256",
    "considered",
    "apply",
    "borderline",
    "skip",
    "tier1",
    "tier2",
    "tier3",
    "to_verify",
    "applications",
    "recommended",
    "shortfall",
    "fees",
    "specialties",
    "what_if",
    "error",
)
WHAT_IF_FIELDS = (
    "change",
    "rule",
    "programs_opened",
    "programs_improved",
    "programs_worsened",
    "tier1_before",
    "tier1_after",
)

# Decisions are bound many rows to a statement: per-row binding is most of the cost.
ROWS_PER_STATEMENT = 200
# A transaction is committed, always between whole plans, once this many decisions wait
# or this many seconds have passed since the last one: large transactions for speed, and
# a database that shows a long run's progress.
DECISIONS_PER_TRANSACTION = 1_000_000
SECONDS_PER_TRANSACTION = 2.0
# The plans of the open transaction are written into it as they come, a few at a time
# (once this many decisions wait), not all at its commit: the work is spread over the
# run, and when the last plan comes only the last few remain to write.
DECISIONS_PER_WRITE = 20_000
# program_tally is written afresh at a commit when the transaction changed more than this
# share of its rows: adding to a row (and its index) costs about 3/2 of writing it anew.
TALLY_REWRITE_NUMERATOR, TALLY_REWRITE_DENOMINATOR = 2, 3
BUSY_MS = 10_000


@dataclass(frozen=True)
class PlanRecord:
    """What the database keeps of one plan, small enough to send from a worker.

    The decisions are NumPy arrays in catalog order: ``rows`` (the program's place in the
    catalog), ``verdict`` (index into VERDICTS), ``tier`` (0 when skipped) and
    ``rule_set`` (index into ``rule_sets``, each a tuple of ``ruleset/id``).
    """

    profile_sha256: str | None
    figures: tuple  # considered ... fees, as in PLAN_COLUMNS
    specialties: tuple[tuple, ...]  # (name, fit, wished, rank)
    what_ifs: tuple[tuple, ...]  # WHAT_IF_FIELDS
    rows: np.ndarray
    verdict: np.ndarray
    tier: np.ndarray
    rule_set: np.ndarray
    rule_sets: tuple[tuple[str, ...], ...]


def catalog_programs(catalog) -> list[tuple]:
    """The programs table of a catalog: (id, program, name, specialty, city, state, synthetic)."""
    columns = getattr(catalog, "_columns", None)
    if columns is not None:
        # A catalog read as columns: its values, without making every program.
        return list(
            zip(
                range(1, len(columns) + 1),
                *(columns.column(name) for name in ("id", "name", "specialty", "city", "state")),
                (1 if synthetic else 0 for synthetic in columns.column("synthetic")),
            )
        )
    return [
        (row + 1, p.id, p.name, p.specialty, p.city, p.state, 1 if p.synthetic else 0)
        for row, p in enumerate(catalog.programs)
    ]


def cohort_plan(profile, catalog, host, *, as_of, facts=None) -> Plan:
    """The plan of ``profile`` as far as :func:`plan_record` reads it: made without the
    words the database does not keep (``resplan.pipeline.make_plan``, words=False), so
    its record is the full plan's, at less cost. Never to be written as a plan file."""
    from resplan.pipeline import make_plan

    return make_plan(profile, catalog, host, as_of=as_of, facts=facts, words=False)


def plan_record(plan: Plan, catalog) -> PlanRecord:
    """The compact record of ``plan`` (made over ``catalog``) that the database keeps."""
    programs = plan.programs
    if isinstance(programs, ProgramDecisions) and programs.catalog_rows is not None:
        rows = np.asarray(programs.catalog_rows, dtype=np.int64)
        verdict = np.asarray(programs.verdict, dtype=np.int64)
        tier = np.asarray(programs.tier, dtype=np.int64)
        local = np.asarray(programs.reasons, dtype=np.int64)
        sets = [tuple(map(_rule_of, reasons)) for reasons in programs.reason_sets]
    else:
        # A plugin's resplan_adjust_plan gave the programs as a plain tuple: find each
        # program's place in the catalog by its id.
        place = {p.id: row for row, p in enumerate(catalog.programs)}
        rows = np.array([place[d.id] for d in programs], dtype=np.int64)
        verdict = np.array([VERDICTS.index(d.verdict) for d in programs], dtype=np.int64)
        tier = np.array([d.tier or 0 for d in programs], dtype=np.int64)
        index: dict[tuple[str, ...], int] = {}
        local = np.array(
            [index.setdefault(tuple(r.rule for r in d.reasons), len(index)) for d in programs],
            dtype=np.int64,
        )
        sets = list(index)
    # Reasons that differ only in their words cite the same rules: one set for them,
    # numbered in the order of first use.
    known = _RULE_SETS.get
    cited = [known(rules) or _rule_set_of(rules) for rules in sets]
    number = {rules: n for n, rules in enumerate(dict.fromkeys(cited))}
    remap = np.fromiter(map(number.__getitem__, cited), dtype=np.int64, count=len(cited))
    order = np.argsort(rows, kind="stable")
    s = plan.summary
    cost = getattr(s, "cost", None)
    figures = (
        s.programs_considered,
        s.apply,
        s.borderline,
        s.skip,
        s.tier1,
        s.tier2,
        s.tier3,
        s.to_verify,
        s.applications,
        s.recommended,
        s.shortfall,
        cost.total if cost is not None else None,
    )
    what_ifs = tuple(
        tuple(getattr(w, name, None) for name in WHAT_IF_FIELDS)
        for w in getattr(plan, "what_if", ()) or ()
    )
    profile_sha = next((i.sha256 for i in plan.provenance.inputs if i.role == "profile"), None)
    return PlanRecord(
        profile_sha256=profile_sha,
        figures=figures,
        specialties=tuple((t.name, t.fit, 1 if t.wished else 0, t.rank) for t in plan.specialties),
        what_ifs=what_ifs,
        rows=rows[order].astype(np.int32),
        verdict=verdict[order].astype(np.int8),
        tier=tier[order].astype(np.int8),
        rule_set=(remap[local[order]] if len(sets) else local[order]).astype(np.int32),
        rule_sets=tuple(number),
    )


_rule_of = operator.attrgetter("rule")
# The rules a set of reasons cites, sorted and distinct, by the rules as the reasons give
# them: a worker sees the same few hundred sets in plan after plan.
_RULE_SETS: dict[tuple[str, ...], tuple[str, ...]] = {}
_RULE_SETS_MOST = 100_000


def _rule_set_of(rules: tuple[str, ...]) -> tuple[str, ...]:
    found = _RULE_SETS.get(rules)
    if found is None:
        if len(_RULE_SETS) >= _RULE_SETS_MOST:
            _RULE_SETS.clear()
        found = _RULE_SETS[rules] = tuple(sorted(set(rules)))
    return found


def _decisions_statement(rows: int, shift: int) -> str:
    """INSERT of ``rows`` decisions, each bound as (plan << shift | program) and
    (rule set << 5 | tier << 2 | verdict)."""
    mask = (1 << shift) - 1
    values = ",".join(
        f"(?{2 * n + 1}>>{shift},?{2 * n + 1}&{mask},?{2 * n + 2}&3,(?{2 * n + 2}>>2)&7,"
        f"?{2 * n + 2}>>5)"
        for n in range(rows)
    )
    return f"INSERT INTO decisions VALUES {values}"


@functools.cache
def _tally_statement(rows: int, upsert: bool) -> str:
    """INSERT of ``rows`` rows of program_tally, each bound as its cell of the tally,
    ((program * 3 + verdict) * 4 + tier), and its count; ``upsert`` adds the count to a
    row already there."""
    values = ",".join(
        f"(?{2 * n + 1}/12,?{2 * n + 1}/4%3,?{2 * n + 1}%4,?{2 * n + 2})" for n in range(rows)
    )
    statement = f"INSERT INTO program_tally VALUES {values}"
    return statement + " ON CONFLICT DO UPDATE SET plans = plans + excluded.plans" * upsert


def _specialties_text(specialties: Sequence[tuple]) -> str | None:
    return "; ".join(f"{name}: {fit}" for name, fit, _wished, _rank in specialties) or None


def _what_if_text(what_ifs: Sequence[tuple]) -> str | None:
    """The plan's first what-if change (the most programs opened less those made worse:
    resplan.plan.WhatIf.net), with what it does, in words: "...: opens 5 more programs,
    moves 2 up and 1 down"."""
    if not what_ifs:
        return None
    change, _rule, opened, improved, worsened = what_ifs[0][:5]
    opened = opened or 0
    text = f"{change}: " + (
        f"opens {opened} more program{'s' if opened != 1 else ''}"
        if opened
        else "opens no more programs"
    )
    moves = [f"{n} {way}" for n, way in ((improved, "up"), (worsened, "down")) if n]
    return text + (f", moves {' and '.join(moves)}" if moves else "")


class CohortWriter:
    """Writes a cohort database at ``path``: :meth:`add` whole plans in profile order,
    then :meth:`close`. A plan waits in memory until its transaction is committed; it is
    written into the open transaction before that, a few plans at a time."""

    def __init__(self, path, programs: Sequence[tuple], info: dict[str, str]):
        self.path = Path(path)
        self.programs = len(programs)
        with self._failing("create"):
            from resplan.writer import mode_for

            # A database written over keeps its mode, as every output does; a new one
            # gets the mode the umask gives.
            mode = mode_for(self.path)
            for suffix in ("", "-wal", "-shm", "-journal"):
                target = Path(f"{self.path}{suffix}")
                if target.exists() or target.is_symlink():
                    target.unlink()
            # Made here, not by SQLite, which creates files 0644 whatever the umask allows.
            # SQLite gives its log and shared-memory files the database file's mode.
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
            try:
                if hasattr(os, "fchmod"):
                    os.fchmod(fd, mode)
            finally:
                os.close(fd)
            self.db = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._begin(programs, info)
        self.rule_ids: dict[str, int] = {}
        self.set_ids: dict[tuple[str, ...], int] = {}
        # The plans of the open transaction, in order (the first ``written`` of them are
        # written into it), kept until it commits: after a rollback they are written again.
        self.pending: list[tuple[int, Any, PlanRecord | None]] = []
        self.pending_decisions = 0
        self.written = 0
        self.unwritten_decisions = 0
        # The rules and rule sets known before the open transaction, restored if it rolls back.
        self.known: tuple[dict, dict] | None = None
        # Per (program, verdict, tier), how many plans gave it: those committed, and those
        # of the open transaction. program_tally is written afresh at each commit.
        self.tally = np.zeros((self.programs + 1) * 12, dtype=np.int64)
        self.tally_committed = np.zeros_like(self.tally)
        self.plans = 0
        self.committed = time.monotonic()
        # A decision is bound as two numbers, (plan, program) and (rule set, tier,
        # verdict), each packed into one integer and taken apart by SQLite: making and
        # binding a Python int for each of five columns cost more than the unpacking.
        self.shift = max(20, (self.programs + 1).bit_length())
        self.statement = _decisions_statement(ROWS_PER_STATEMENT, self.shift)
        self.statement_one = _decisions_statement(1, self.shift)

    @contextlib.contextmanager
    def _failing(self, doing: str):
        """A database that cannot be written (a missing folder, a full disk) stops the
        batch with one line naming it, not a traceback."""
        try:
            yield
        except (sqlite3.Error, OSError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            raise ResplanError(
                f"{self.path}: cannot {doing} the cohort database: {reason}"
            ) from None

    def _begin(self, programs: Sequence[tuple], info: dict[str, str]) -> None:
        db = self.db
        # WAL: a commit is an append; what a killed batch leaves half written is not seen.
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        # Someone reading the database while it is written (an advisor watching a long
        # run) holds the writer back for a moment at most.
        db.execute(f"PRAGMA busy_timeout={BUSY_MS}")
        db.execute("PRAGMA cache_size=-65536")
        db.executescript(TABLES)
        db.execute("BEGIN")
        db.executemany("INSERT INTO verdicts VALUES (?, ?)", list(enumerate(VERDICTS)))
        db.executemany("INSERT INTO programs VALUES (?, ?, ?, ?, ?, ?, ?)", programs)
        db.executemany(
            "INSERT INTO batch VALUES (?, ?)",
            [("schema", str(SCHEMA)), ("state", "running"), *sorted(info.items())],
        )
        db.execute("COMMIT")

    def add(self, plan_id: int, row, record: PlanRecord | None) -> None:
        """One profile's row (a :class:`resplan.batch.PlanRow`) and, if it was planned,
        its record. Written into the open transaction with the next few, committed with
        others once enough decisions wait."""
        self.pending.append((plan_id, row, record))
        if record is not None:
            self.pending_decisions += len(record.rows)
            self.unwritten_decisions += len(record.rows)
        if (
            self.pending_decisions >= DECISIONS_PER_TRANSACTION
            or time.monotonic() - self.committed >= SECONDS_PER_TRANSACTION
        ):
            self.commit()
        elif self.unwritten_decisions >= DECISIONS_PER_WRITE:
            self._write_pending()

    def _write_pending(self) -> None:
        """Write the plans that wait into the open transaction (begun here if need be).
        Stopped part way (Ctrl-C), the transaction is rolled back: every plan of it still
        waits, to be written again by the next commit."""
        if self.written == len(self.pending):
            return
        db = self.db
        with self._failing("write"):
            try:
                if not db.in_transaction:
                    self.known = dict(self.rule_ids), dict(self.set_ids)
                    db.execute("BEGIN")
                self._write(self.pending[self.written :])
                self.written, self.unwritten_decisions = len(self.pending), 0
            except BaseException:
                self._rollback()
                raise

    def _rollback(self) -> None:
        """Roll the open transaction back: its plans wait to be written again."""
        if self.known is not None:
            self.rule_ids, self.set_ids = self.known  # their rows went with the transaction
            self.known = None
        self.written, self.unwritten_decisions = 0, self.pending_decisions
        self.tally[:] = 0
        if self.db.in_transaction:
            self.db.execute("ROLLBACK")

    def commit(self) -> None:
        """Write the plans that wait, all or none of them. Stopped part way (Ctrl-C), they
        still wait, and :meth:`close` writes them."""
        if not self.pending:
            return
        self.committed = time.monotonic()
        self._write_pending()
        total = None
        with self._failing("write"):
            try:
                total = self._write_tally()
                self.db.execute("COMMIT")
            except BaseException:
                if total is None or self.db.in_transaction:
                    self._rollback()
                    raise
                # Committed, and stopped on the way out (a Ctrl-C that came during the
                # commit's sync is raised when it returns): its plans are in the
                # database, so they must not wait to be written a second time.
                self._committed(total)
                raise
        self._committed(total)

    def _committed(self, total: np.ndarray) -> None:
        """What waited is in the database: nothing waits now."""
        self.tally_committed = total
        self.tally[:] = 0
        self.known = None
        self.plans += len(self.pending)
        self.pending, self.pending_decisions, self.written = [], 0, 0

    def _write_tally(self) -> np.ndarray:
        """program_tally, counting every plan the transaction commits. The counts the
        transaction changed are added to their rows; when it changed most of them (a
        large transaction), the table is written afresh instead, which costs less than
        adding to every row and its index."""
        total = self.tally_committed + self.tally
        changed = np.flatnonzero(self.tally)
        found = np.flatnonzero(total)
        upsert = len(changed) * TALLY_REWRITE_DENOMINATOR < len(found) * TALLY_REWRITE_NUMERATOR
        if upsert:
            cells, counts = changed, self.tally[changed]
        else:
            self.db.execute("DELETE FROM program_tally")
            cells, counts = found, total[found]
        # Many rows to a statement, each bound as its cell and its count (see _decisions).
        bound = np.stack([cells, counts], 1)
        whole = len(bound) - len(bound) % ROWS_PER_STATEMENT
        self.db.executemany(
            _tally_statement(ROWS_PER_STATEMENT, upsert),
            bound[:whole].reshape(-1, 2 * ROWS_PER_STATEMENT).tolist(),
        )
        self.db.executemany(_tally_statement(1, upsert), bound[whole:].tolist())
        return total

    def _write(self, pending) -> None:
        db = self.db
        plan_rows, specialties, what_ifs, blocks = [], [], [], []
        for plan_id, row, record in pending:
            if record is None:
                plan_rows.append(
                    (plan_id, row.profile, None, None, *[None] * 12, None, None, row.error)
                )
                continue
            plan_rows.append(
                (
                    plan_id,
                    row.profile,
                    row.plan,
                    record.profile_sha256,
                    *record.figures,
                    _specialties_text(record.specialties),
                    _what_if_text(record.what_ifs),
                    None,
                )
            )
            specialties += [(plan_id, n, *s) for n, s in enumerate(record.specialties, 1)]
            what_ifs += [(plan_id, n, *w) for n, w in enumerate(record.what_ifs, 1)]
            if len(record.rows):
                ids = np.array([self._rule_set(s) for s in record.rule_sets], dtype=np.int64)
                block = np.empty((len(record.rows), 2), dtype=np.int64)
                block[:, 0] = record.rows
                block[:, 0] += (plan_id << self.shift) + 1
                code = ids[record.rule_set]
                code <<= 5
                code |= record.tier.astype(np.int64) << 2
                code |= record.verdict
                block[:, 1] = code
                blocks.append(block)
        db.executemany(f"INSERT INTO plans VALUES ({','.join('?' * len(PLAN_COLUMNS))})", plan_rows)
        db.executemany("INSERT INTO plan_specialties VALUES (?, ?, ?, ?, ?, ?)", specialties)
        db.executemany("INSERT INTO what_ifs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", what_ifs)
        if not blocks:
            return
        decisions = np.concatenate(blocks)
        whole = len(decisions) - len(decisions) % ROWS_PER_STATEMENT
        db.executemany(
            self.statement, decisions[:whole].reshape(-1, 2 * ROWS_PER_STATEMENT).tolist()
        )
        db.executemany(self.statement_one, decisions[whole:].tolist())
        # The tally: one count per (program, verdict, tier), in program_tally when the
        # transaction commits.
        program = decisions[:, 0] & ((1 << self.shift) - 1)
        code = decisions[:, 1]
        cells = (program * 3 + (code & 3)) * 4 + ((code >> 2) & 7)
        self.tally += np.bincount(cells, minlength=len(self.tally))

    def _rule_set(self, rules: tuple[str, ...]) -> int:
        found = self.set_ids.get(rules)
        if found is not None:
            return found
        db = self.db
        ids = []
        for rule in rules:
            if rule not in self.rule_ids:
                self.rule_ids[rule] = len(self.rule_ids) + 1
                db.execute("INSERT INTO rules VALUES (?, ?)", (self.rule_ids[rule], rule))
            ids.append(self.rule_ids[rule])
        set_id = self.set_ids[rules] = len(self.set_ids) + 1
        db.execute("INSERT INTO rule_sets VALUES (?, ?)", (set_id, " ".join(rules)))
        db.executemany("INSERT INTO rule_set_rules VALUES (?, ?)", [(set_id, i) for i in ids])
        return set_id

    def close(self, state: str) -> None:
        """Commit what waits, record how the run ended (``done`` or ``interrupted``) and
        leave one file (the write-ahead log folded in)."""
        self.commit()
        db = self.db
        with self._failing("write"):
            db.execute("UPDATE batch SET value = ? WHERE key = 'state'", (state,))
            try:
                db.execute("PRAGMA journal_mode=DELETE")
            except sqlite3.OperationalError:
                pass  # still being read: the log stays beside it, with every plan in it
            db.close()

    def abandon(self) -> None:
        """Close without committing what waits (the run failed in the parent)."""
        self.pending = []
        self.db.close()
