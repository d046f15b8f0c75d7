"""The cohort database (``resplan batch --db``): every plan whole, the same as the plan
files, the same whatever the jobs or the order, and whole plans only after a SIGKILL."""

from __future__ import annotations

import collections
import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time

import numpy as np
import pytest

import resplan
from benchmarks.cohort import make_cohort
from resplan.batch import run_batch
from resplan.cli import main
from resplan.cohort import PLAN_COLUMNS, PlanRecord, cohort_plan, plan_record
from tests.conftest import DATA, EXAMPLES, ROOT
from tests.test_batch_failures import SLOW, _group_alive, _wait_for, install, posix_only, profiles

# The small test catalog's real programs publish limits a change can clear: a change
# counts real programs only, and the border programs publish few limits.
CATALOGS = [
    EXAMPLES / "catalog" / "border-programs.toml",
    EXAMPLES / "catalog" / "synthetic-national-sample.toml",
    DATA / "catalog-small.toml",
]
AS_OF = "2026-06-01"
VERDICT = {"apply": 0, "borderline": 1, "skip": 2}


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    """24 varied applicants (a few of them bad input), as the benchmark makes them."""
    return make_cohort(24, tmp_path_factory.mktemp("cohort"), seed=3)


@pytest.fixture(scope="module")
def batches(cohort, tmp_path_factory):
    """The cohort planned in this process, with 2 workers, and without plan files."""
    out = {}
    for name, jobs, plans in (("jobs1", 1, True), ("jobs2", 2, True), ("noplans", 2, False)):
        folder = tmp_path_factory.mktemp(name)
        order = cohort if jobs == 1 else list(reversed(cohort))
        result = run_batch(
            order,
            CATALOGS,
            folder / "plans" if plans else None,
            jobs=jobs,
            as_of=AS_OF,
            db=folder / "cohort.sqlite",
            plans=plans,
        )
        out[name] = (folder, result)
    return out


def content(path) -> list[str]:
    """The database as SQL statements: what it holds, not how its pages lie."""
    with contextlib.closing(sqlite3.connect(path)) as db:
        return list(db.iterdump())


def query(path, sql, *args):
    with contextlib.closing(sqlite3.connect(path)) as db:
        return db.execute(sql, args).fetchall()


def test_jobs_and_order_do_not_change_the_database(batches):
    assert content(batches["jobs1"][0] / "cohort.sqlite") == content(
        batches["jobs2"][0] / "cohort.sqlite"
    )


def test_without_plan_files_only_the_plan_names_are_missing(batches):
    # Without plan files, the workers make plans without their words (cohort_plan):
    # everything the database holds is still the full plans'.
    folder, result = batches["noplans"]
    assert sorted(p.name for p in folder.iterdir()) == ["cohort.sqlite"]
    assert result.summary is None
    db = folder / "cohort.sqlite"
    assert query(db, "SELECT count(*) FROM plans WHERE plan IS NOT NULL") == [(0,)]
    with_plans = batches["jobs2"][0] / "cohort.sqlite"
    tables = [name for (name,) in query(db, "SELECT name FROM sqlite_master WHERE type = 'table'")]
    assert "what_ifs" in tables and "decisions" in tables
    for table in tables:
        if table != "plans":
            assert query(db, f"SELECT * FROM {table}") == query(
                with_plans, f"SELECT * FROM {table}"
            )
    columns = ", ".join(name for name in PLAN_COLUMNS if name != "plan")
    assert query(db, f"SELECT {columns} FROM plans") == query(
        with_plans, f"SELECT {columns} FROM plans"
    )
    assert query(db, "SELECT count(*) FROM what_ifs")[0][0] > 0


@pytest.mark.parametrize("as_of", ["2026-07-15", "2026-11-20", "2027-03-02"])
def test_a_plan_without_its_words_has_the_full_plans_record(cohort, as_of):
    host = resplan.load_host()
    catalog = resplan.merge_catalogs([host.read_catalog(p) for p in CATALOGS], CATALOGS)
    profiles = [*cohort, *sorted((EXAMPLES / "profiles").glob("*.toml"))]
    compared = 0
    for path in profiles:
        try:
            profile = resplan.load_profile(path)
            full = resplan.plan(profile, catalog, host=host, as_of=as_of)
        except resplan.InputError:
            continue
        wordless = cohort_plan(profile, catalog, host, as_of=as_of)
        assert not wordless.actions and not wordless.signals and wordless.outlook is None
        a, b = plan_record(full, catalog), plan_record(wordless, catalog)
        for name in PlanRecord.__dataclass_fields__:
            x, y = getattr(a, name), getattr(b, name)
            if isinstance(x, np.ndarray):
                assert x.dtype == y.dtype and np.array_equal(x, y), (path, name)
            else:
                assert x == y, (path, name)
        assert full.summary.to_verify == wordless.summary.to_verify
        compared += 1
    assert compared > 12


def test_each_plan_row_and_its_decisions_are_the_plan_file(batches, cohort):
    folder, result = batches["jobs2"]
    db = folder / "cohort.sqlite"
    rows = {
        r[0]: r
        for r in query(
            db,
            "SELECT profile, id, plan, considered, apply, borderline, skip, tier1, error, "
            "specialties, profile_sha256 FROM plans ORDER BY id",
        )
    }
    assert [r[1] for r in rows.values()] == list(range(1, len(cohort) + 1))
    assert sorted(rows) == sorted(str(p) for p in cohort)
    planned = [r for r in result.rows if r.ok]
    assert 0 < len(planned) < len(cohort)  # the cohort has bad profiles too
    for row in result.rows:
        (
            profile,
            plan_id,
            plan_file,
            considered,
            apply,
            borderline,
            skip,
            tier1,
            error,
            specialties,
            digest,
        ) = rows[row.profile]
        if not row.ok:
            assert plan_file is None and considered is None and error == row.error
            assert query(db, "SELECT count(*) FROM decisions WHERE plan = ?", plan_id) == [(0,)]
            continue
        plan = resplan.read_plan(folder / "plans" / plan_file)
        s = plan.summary
        assert error is None
        assert (considered, apply, borderline, skip, tier1) == (
            s.programs_considered,
            s.apply,
            s.borderline,
            s.skip,
            s.tier1,
        )
        assert specialties == "; ".join(f"{t.name}: {t.fit}" for t in plan.specialties)
        assert digest == next(i.sha256 for i in plan.provenance.inputs if i.role == "profile")
        stored = {
            program: (verdict, tier, set(rules.split()))
            for program, verdict, tier, rules in query(
                db,
                "SELECT p.program, d.verdict, d.tier, r.rules FROM decisions d "
                "JOIN programs p ON p.id = d.program "
                "JOIN rule_sets r ON r.id = d.rules WHERE d.plan = ?",
                plan_id,
            )
        }
        assert stored == {
            d.id: (VERDICT[d.verdict], d.tier or 0, {r.rule for r in d.reasons})
            for d in plan.programs
        }


def test_bad_input_is_a_row_with_its_message(batches):
    db = batches["jobs2"][0] / "cohort.sqlite"
    errors = query(db, "SELECT profile, error FROM plans WHERE error IS NOT NULL")
    assert errors
    for profile, error in errors:
        with pytest.raises(resplan.InputError) as caught:
            resplan.load_profile(profile)
        assert error == "; ".join(map(str, caught.value.problems))
        assert error.startswith(profile)


def test_the_tally_counts_the_decisions(batches):
    db = batches["jobs2"][0] / "cohort.sqlite"
    counted = query(
        db,
        "SELECT program, verdict, tier, count(*) FROM decisions "
        "GROUP BY program, verdict, tier ORDER BY 1, 2, 3",
    )
    assert counted and query(db, "SELECT * FROM program_tally ORDER BY 1, 2, 3") == counted


def test_rules_and_rule_sets_are_integer_keyed(batches):
    db = batches["jobs2"][0] / "cohort.sqlite"
    joined = query(
        db,
        "SELECT s.rules, group_concat(r.rule, ' ') FROM rule_sets s "
        "JOIN rule_set_rules x ON x.rule_set = s.id JOIN rules r ON r.id = x.rule "
        "GROUP BY s.id ORDER BY s.id",
    )
    assert joined and all(set(a.split()) == set(b.split()) for a, b in joined)
    assert query(db, "SELECT typeof(program), typeof(rules) FROM decisions GROUP BY 1, 2") == [
        ("integer", "integer")
    ]
    assert query(db, "SELECT value FROM batch WHERE key = 'state'") == [("done",)]


def test_the_command_line_writes_only_the_database(tmp_path):
    db = tmp_path / "cohort.sqlite"
    db.write_text("an old file, replaced\n")
    code = main(
        [
            "batch",
            *map(str, sorted((EXAMPLES / "profiles").glob("*.toml"))),
            "--catalog",
            str(DATA / "catalog-small.toml"),
            "--db",
            str(db),
            "--plans",
            "none",
            "--as-of",
            AS_OF,
            "--jobs",
            "1",
        ]
    )
    assert code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cohort.sqlite"]
    assert query(db, "SELECT count(*) FROM plans WHERE error IS NULL") == [(5,)]


def test_plan_files_need_a_folder(tmp_path, capsys):
    code = main(
        [
            "batch",
            str(EXAMPLES / "profiles" / "example.toml"),
            "--catalog",
            str(DATA / "catalog-small.toml"),
            "--db",
            str(tmp_path / "c.sqlite"),
        ]
    )
    assert code == 2 and "--out-dir" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())


def test_a_bad_catalog_leaves_an_old_database_alone(tmp_path):
    db = tmp_path / "cohort.sqlite"
    db.write_text("previous\n")
    code = main(
        [
            "batch",
            str(EXAMPLES / "profiles" / "example.toml"),
            "--catalog",
            str(tmp_path / "missing.toml"),
            "--db",
            str(db),
            "--plans",
            "none",
            "--jobs",
            "2",
        ]
    )
    assert code == 2 and db.read_text() == "previous\n"


def _whole(db_path) -> tuple[int, int]:
    """(plans, planned) in a database, after checking that each plan is whole."""
    db = sqlite3.connect(db_path)
    try:
        assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        plans = db.execute("SELECT id, considered, apply, tier1 FROM plans").fetchall()
        decisions = collections.Counter()
        for plan, verdict, tier, count in db.execute(
            "SELECT plan, verdict, tier, count(*) FROM decisions GROUP BY 1, 2, 3"
        ):
            decisions[plan, "all"] += count
            decisions[plan, "apply"] += count if verdict == 0 else 0
            decisions[plan, "tier1"] += count if tier == 1 and verdict != 2 else 0
        for plan, considered, apply, tier1 in plans:
            assert (decisions[plan, "all"], decisions[plan, "apply"], decisions[plan, "tier1"]) == (
                considered or 0,
                apply or 0,
                tier1 or 0,
            )
        assert (
            db.execute("SELECT * FROM program_tally ORDER BY 1, 2, 3").fetchall()
            == db.execute(
                "SELECT program, verdict, tier, count(*) FROM decisions "
                "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
            ).fetchall()
        )
        return len(plans), sum(1 for p in plans if p[1] is not None)
    finally:
        db.close()


@posix_only
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal")
def test_a_killed_batch_leaves_whole_plans(tmp_path):
    env = install(tmp_path, SLOW)  # a second per plan: the kill lands mid-batch
    paths = profiles(tmp_path / "in", 16)
    db = tmp_path / "cohort.sqlite"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "resplan",
            "batch",
            *map(str, paths),
            "--catalog",
            str(DATA / "catalog-small.toml"),
            "--as-of",
            AS_OF,
            "--db",
            str(db),
            "--plans",
            "none",
            "--jobs",
            "2",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        assert _wait_for(lambda: db.exists() and _committed(db) >= 2, 120)
        process.kill()  # SIGKILL: no cleanup of any kind
        process.wait(timeout=30)
        assert _wait_for(lambda: not _group_alive(process.pid), 30)
    finally:
        if _group_alive(process.pid):
            os.killpg(process.pid, signal.SIGKILL)
    plans, planned = _whole(db)
    assert 2 <= plans < len(paths) and planned == plans
    assert query(db, "SELECT value FROM batch WHERE key = 'state'") == [("running",)]


KILLED_WRITER = """
import sys, time
import numpy as np
from resplan import cohort
from resplan.batch import PlanRow
cohort.DECISIONS_PER_TRANSACTION = 400_000
cohort.SECONDS_PER_TRANSACTION = 1e9
programs = [(i + 1, f"p{i}", f"Program {i}", "Internal Medicine", "El Paso", "TX", 1)
            for i in range(5000)]
writer = cohort.CohortWriter(sys.argv[1], programs, {})
rng = np.random.default_rng(1)
for plan in range(1, 10_000):
    rows = np.sort(rng.choice(5000, 4000, replace=False)).astype(np.int32)
    verdict = rng.integers(0, 3, 4000).astype(np.int8)
    tier = np.where(verdict == 2, 0, 1 + rng.integers(0, 3, 4000)).astype(np.int8)
    record = cohort.PlanRecord(None, (4000, int((verdict == 0).sum()), int((verdict == 1).sum()),
                                      int((verdict == 2).sum()), int(((tier == 1)).sum()), 0, 0,
                                      0, 0, 0, 0, None), (), (), rows, verdict, tier,
                               rng.integers(0, 2, 4000).astype(np.int32), (("a/x",), ("b/y",)))
    before = writer.plans
    writer.add(plan, PlanRow(profile=f"p{plan}.toml"), record)
    if writer.plans != before:
        print(writer.plans, flush=True)
"""


@posix_only
def test_a_kill_during_a_large_transaction_loses_only_that_transaction(tmp_path):
    db = tmp_path / "cohort.sqlite"
    process = subprocess.Popen(
        [sys.executable, "-c", KILLED_WRITER, str(db)], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    try:
        committed = int(process.stdout.readline())  # the first transaction is in
        time.sleep(0.3)  # well into the second one
        process.kill()
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    plans, planned = _whole(db)
    assert plans >= committed and plans % committed == 0


def _random_record(rng, programs: int, size: int) -> PlanRecord:
    rows = np.sort(rng.choice(programs, size, replace=False)).astype(np.int32)
    verdict = rng.integers(0, 3, size).astype(np.int8)
    tier = np.where(verdict == 2, 0, 1 + rng.integers(0, 3, size)).astype(np.int8)
    figures = (size, int((verdict == 0).sum()), int((verdict == 1).sum()))
    figures += (int((verdict == 2).sum()), int(((tier == 1) & (verdict != 2)).sum()))
    return PlanRecord(
        None,
        (*figures, 0, 0, 0, 0, 0, 0, None),
        (),
        (),
        rows,
        verdict,
        tier,
        rng.integers(0, 3, size).astype(np.int32),
        tuple((f"r/{n}", f"r/{rng.integers(10, 50)}") for n in range(3)),
    )


def test_a_stop_while_plans_are_written_keeps_every_plan_once(tmp_path, monkeypatch):
    """Plans are written into the open transaction a few at a time: a Ctrl-C in one of
    those writes rolls the transaction back, and its plans are written again, once, by
    the next commit (here the close after the stop)."""
    from resplan import cohort as cohort_module
    from resplan.batch import PlanRow

    monkeypatch.setattr(cohort_module, "DECISIONS_PER_WRITE", 300)
    monkeypatch.setattr(cohort_module, "DECISIONS_PER_TRANSACTION", 2_000)
    monkeypatch.setattr(cohort_module, "SECONDS_PER_TRANSACTION", 1e9)
    programs = [
        (i + 1, f"p{i}", f"Program {i}", "Internal Medicine", "Lima", "OH", 1) for i in range(400)
    ]
    plans = []
    rng = np.random.default_rng(5)
    for n in range(1, 41):
        plans.append((n, PlanRow(profile=f"p{n}.toml"), _random_record(rng, 400, 150)))

    def write(db, stop_at=None):
        writer = cohort_module.CohortWriter(db, programs, {})
        real, calls = writer._write, []

        def write_some(pending):
            calls.append(len(pending))
            if len(calls) == stop_at:
                real(pending[:1])  # part of the plans in, then the stop
                raise KeyboardInterrupt
            real(pending)

        writer._write = write_some
        for plan in plans:
            try:
                writer.add(*plan)
            except KeyboardInterrupt:
                break
        writer.close("done")
        return writer, calls

    def decided(db, last):
        return query(
            db,
            "SELECT plan, program, verdict, tier, rule_sets.rules FROM decisions "
            "JOIN rule_sets ON rule_sets.id = decisions.rules WHERE plan <= ? "
            "ORDER BY plan, program",
            last,
        )

    whole = tmp_path / "whole.sqlite"
    _writer, calls = write(whole)
    # Written a few plans at a time, more often than the commits of 2,000 decisions.
    assert len(calls) > 2 * (40 * 150 // 2_000) and max(calls) <= 2_000 // 150 + 1
    assert _whole(whole) == (40, 40)
    for stop_at in (2, 3, 5):
        db = tmp_path / f"stopped-{stop_at}.sqlite"
        writer, _calls = write(db, stop_at)
        held, planned = _whole(db)  # each plan whole, the tally counting each once
        assert 0 < held == planned < 40 and not writer.pending
        assert query(db, "SELECT min(id), max(id) FROM plans") == [(1, held)]
        assert decided(db, held) == decided(whole, held)


# ------------------------------------------------------------------ docs/cohort.md


def doc_queries() -> dict[str, str]:
    """Every ```sql block of docs/cohort.md, by the name on its first line."""
    text = (ROOT / "docs" / "cohort.md").read_text(encoding="utf-8")
    queries = {}
    for block in text.split("```sql\n")[1:]:
        sql = block.split("```", 1)[0]
        first = sql.splitlines()[0]
        assert first.startswith("-- name: "), f"a query in docs/cohort.md has no name: {first}"
        queries[first.removeprefix("-- name: ")] = sql
    return queries


@pytest.fixture(scope="module")
def truth(batches):
    """What the plan files say, counted in Python, to check the doc's answers against."""
    folder, result = batches["jobs2"]
    plans = {
        row.profile: resplan.read_plan(folder / "plans" / row.plan) for row in result.rows if row.ok
    }
    apply, tier1, skip_rules, fits = (collections.Counter() for _ in range(4))
    for plan in plans.values():
        for d in plan.programs:
            apply[d.id] += d.verdict == "apply"
            tier1[d.id] += d.tier == 1 and d.verdict != "skip"
            if d.verdict == "skip":
                skip_rules.update({r.rule for r in d.reasons})
        fits.update((t.name, t.fit) for t in plan.specialties if t.wished)
    return {
        "plans": plans,
        "rows": result.rows,
        "apply": +apply,
        "tier1": +tier1,
        "skip_rules": skip_rules,
        "fits": fits,
        "first": result.rows[0],
    }


def top(counter, n):
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))[:n]


def check_planned(rows, t):
    [(profiles, planned, not_planned)] = rows
    assert profiles == len(t["rows"]) and planned == len(t["plans"]) > 0
    assert not_planned == profiles - planned > 0


def check_apply_most(rows, t):
    assert [(r[0], r[4]) for r in rows] == top(t["apply"], 20)
    assert all(r[5] == round(100 * r[4] / len(t["plans"]), 1) and 0 < r[5] <= 100 for r in rows)


def check_tier1_crowded(rows, t):
    assert [(r[0], r[4]) for r in rows] == top(t["tier1"], 10)
    assert 0 < sum(r[5] for r in rows) <= 100.05


def check_tier1_concentration(rows, t):
    [(programs, places, percent)] = rows
    assert programs == len(t["tier1"]) and places == sum(t["tier1"].values())
    assert percent == round(100 * sum(n for _, n in top(t["tier1"], 10)) / places, 1)


def check_in_the_crowd(rows, t):
    crowded = {program for program, _ in top(t["tier1"], 10)}
    assert rows
    for profile, tier1_programs, in_crowd in rows:
        mine = {d.id for d in t["plans"][profile].programs if d.tier == 1 and d.verdict != "skip"}
        assert (tier1_programs, in_crowd) == (len(mine), len(mine & crowded))


def check_skip_rules(rows, t):
    assert rows == top(t["skip_rules"], 10)


def check_one_applicant(rows, t):
    plan = t["plans"][t["first"].profile]  # the fixture's first profile is planned
    assert sorted((r[1], r[0], r[5]) for r in rows) == sorted(
        (d.id, d.tier, d.verdict) for d in plan.programs if d.verdict != "skip"
    )
    assert rows and [r[0] for r in rows] == sorted(r[0] for r in rows)  # tier 1 first


def check_specialty_fits(rows, t):
    assert {(s, f): n for s, f, n in rows} == dict(t["fits"])


def check_what_if_changes(rows, t):
    changes: dict = {}
    for plan in t["plans"].values():
        for w in getattr(plan, "what_if", ()):
            n, opened, tier1 = changes.get(w.change, (0, 0, 0))
            changes[w.change] = (
                n + 1,
                opened + w.programs_opened,
                tier1 + w.tier1_after - w.tier1_before,
            )
    expected = sorted(changes.items(), key=lambda item: (-item[1][1], item[0]))[:10]
    assert rows == [(change, *figures) for change, figures in expected]


CHECKS = {
    "planned": check_planned,
    "apply-most": check_apply_most,
    "tier1-crowded": check_tier1_crowded,
    "tier1-concentration": check_tier1_concentration,
    "in-the-crowd": check_in_the_crowd,
    "skip-rules": check_skip_rules,
    "one-applicant": check_one_applicant,
    "specialty-fits": check_specialty_fits,
    "what-if-changes": check_what_if_changes,
}


def test_every_query_in_the_docs_has_a_check():
    assert sorted(doc_queries()) == sorted(CHECKS)


@pytest.mark.parametrize("name", sorted(CHECKS))
def test_the_docs_queries_answer_from_a_real_batch(batches, truth, name):
    assert truth["first"].ok
    rows = query(batches["jobs2"][0] / "cohort.sqlite", doc_queries()[name])
    CHECKS[name](rows, truth)


def test_a_database_that_cannot_be_written_is_one_line(tmp_path, capsys):
    db = tmp_path / "no-such-folder" / "cohort.sqlite"
    code = main(
        [
            "batch",
            str(EXAMPLES / "profiles" / "example.toml"),
            "--catalog",
            str(DATA / "catalog-small.toml"),
            "--db",
            str(db),
            "--plans",
            "none",
        ]
    )
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err
    [line] = err.splitlines()
    assert str(db) in line and "cannot create the cohort database" in line


@posix_only
def test_a_stop_just_after_a_commit_keeps_every_plan_once(tmp_path, monkeypatch):
    """A Ctrl-C that comes while SQLite syncs a commit is raised when the commit has
    returned: the plans are in the database then, and must not be written again (that
    wrote the rules a second time: 'UNIQUE constraint failed: rules.id')."""
    from resplan import cohort as cohort_module
    from resplan.batch import PlanRow

    monkeypatch.setattr(cohort_module, "DECISIONS_PER_TRANSACTION", 1_000)
    monkeypatch.setattr(cohort_module, "SECONDS_PER_TRANSACTION", 1e9)
    programs = [
        (i + 1, f"p{i}", f"Program {i}", "Internal Medicine", "Lima", "OH", 1) for i in range(300)
    ]
    rng = np.random.default_rng(7)
    plans = [
        (n, PlanRow(profile=f"p{n}.toml"), _random_record(rng, 300, 120)) for n in range(1, 31)
    ]

    class StopAfterCommit:
        """The writer's connection, stopping once just after a COMMIT has been done."""

        def __init__(self, db):
            self.db, self.stopped = db, False

        def execute(self, sql, *args):
            done = self.db.execute(sql, *args)
            if sql == "COMMIT" and not self.stopped:
                self.stopped = True
                raise KeyboardInterrupt
            return done

        def __getattr__(self, name):
            return getattr(self.db, name)

    db = tmp_path / "cohort.sqlite"
    writer = cohort_module.CohortWriter(db, programs, {})
    writer.db = StopAfterCommit(writer.db)
    added = 0
    for plan in plans:
        try:
            writer.add(*plan)
            added += 1
        except KeyboardInterrupt:
            added += 1
            break
    assert writer.db.stopped and not writer.pending
    writer.db = writer.db.db
    writer.close("interrupted")
    held, planned = _whole(db)
    assert held == planned == added
    assert query(db, "SELECT min(id), max(id), count(*) FROM plans") == [(1, added, added)]


def test_ctrl_c_writes_the_finished_plans_and_says_so(tmp_path):
    env = install(tmp_path, SLOW)
    paths = profiles(tmp_path / "in", 12)
    out, db = tmp_path / "out", tmp_path / "cohort.sqlite"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "resplan",
            "batch",
            *map(str, paths),
            "--catalog",
            str(DATA / "catalog-small.toml"),
            "--as-of",
            AS_OF,
            "--out-dir",
            str(out),
            "--db",
            str(db),
            "--plans",
            "none",
            "--jobs",
            "2",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        assert _wait_for(lambda: db.exists() and _committed(db) >= 1, 120)
        os.killpg(process.pid, signal.SIGINT)
        _stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130 and "Traceback" not in stderr, stderr
    [line] = [text for text in stderr.splitlines() if text.strip()]
    assert line.startswith("resplan: interrupted: planned") and str(db) in line
    plans, planned = _whole(db)
    assert 1 <= plans < len(paths) and planned == plans
    with open(out / "summary.csv") as handle:
        assert len(handle.read().splitlines()) - 1 == plans
    assert query(db, "SELECT value FROM batch WHERE key = 'state'") == [("interrupted",)]
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith("cohort.sqlite-")]


def _committed(db) -> int:
    try:
        with contextlib.closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as reader:
            return reader.execute("SELECT count(*) FROM plans").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_the_what_if_headline_is_the_change_that_opens_most_net(batches):
    folder, result = batches["jobs2"]
    db = folder / "cohort.sqlite"
    headlines = dict(query(db, "SELECT profile, what_if FROM plans WHERE error IS NULL"))
    moved = 0
    for row in result.planned:
        changes = resplan.read_plan(folder / "plans" / row.plan).what_if
        if not changes:
            assert headlines[row.profile] is None
            continue
        # The programs it opens less those it makes worse, then the fewest made worse.
        best = min(
            changes, key=lambda w: (w.programs_worsened - w.programs_opened, w.programs_worsened)
        )
        assert best.change == changes[0].change
        n, up, down = best.programs_opened, best.programs_improved, best.programs_worsened
        moves = " and ".join(
            f"{count} {way}" for count, way in ((up, "up"), (down, "down")) if count
        )
        assert headlines[row.profile] == (
            f"{best.change}: "
            + (f"opens {n} more program{'s' if n != 1 else ''}" if n else "opens no more programs")
            + (f", moves {moves}" if moves else "")
        )
        moved += bool(moves)
    assert moved  # the cohort has a headline that tells programs moved up or down


@posix_only
@pytest.mark.parametrize("umask", [0o002, 0o077])
def test_the_database_gets_the_mode_the_umask_gives(tmp_path, umask):
    # SQLite creates a database 0644 whatever the umask allows; every other output gets
    # 0666 less the umask.
    db, out = tmp_path / "cohort.sqlite", tmp_path / "out"
    argv = ["batch", str(EXAMPLES / "profiles" / "example.toml"), "--as-of", AS_OF]
    argv += ["--catalog", str(DATA / "catalog-small.toml"), "--out-dir", str(out)]
    old = os.umask(umask)
    try:
        assert main([*argv, "--db", str(db), "--plans", "none"]) == 0
    finally:
        os.umask(old)
    assert db.stat().st_mode & 0o777 == 0o666 & ~umask
    assert (out / "summary.csv").stat().st_mode & 0o777 == 0o666 & ~umask
