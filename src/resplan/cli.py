"""The ``resplan`` command. ``tasks.py`` runs the same functions through :func:`main`.

Bad input ends with one message on stderr naming the file, the field and the line, and
exit status 2; nothing is written.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import gc
import os
import signal
import sys
import threading
from pathlib import Path

import resplan
from resplan.errors import InputError, PluginError, ResplanError

EXIT_BAD_INPUT = 2
EXIT_PLUGIN = 3  # a plugin failed: not the user's input
EXIT_INTERRUPTED = 130  # Ctrl-C or SIGTERM, as shells report a SIGINT
DEBUG_ENV = "RESPLAN_DEBUG"  # =1: show the traceback behind an error (for plugin authors)


def _host(args):
    return resplan.load_host(disable=args.disable)


def _as_of(text: str):
    from resplan.dates import parse_as_of

    try:
        return parse_as_of(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def cmd_plan(args) -> int:
    with _cyclic_gc_paused():
        # Importing resplan's modules, loading the rulebook and the catalog make many
        # objects and no garbage worth collecting: the collector's passes would find none.
        import resplan.pipeline  # noqa: F401 - the plan's modules, imported here for that
        from resplan.dates import as_of_or_today, check_profile_cycle
        from resplan.writer import check_writable, refuse_overwriting_inputs

        refuse_overwriting_inputs(
            [(args.out, "the plan"), (args.report, "the report")],
            [args.profile, *args.catalog, *args.facts],
        )
        check_writable([args.out, args.report])
        if args.report:
            # A bad name fails before anything is read or written.
            report_format = _report_format(args.report, args.report_format)
        elif args.report_format:
            raise InputError.one(
                "--report-format", "says the format of --report FILE: give --report too"
            )
        host = _host(args)
        as_of = as_of_or_today(args.as_of)
        profile = resplan.load_profile(args.profile)
        catalogs = [host.read_catalog(Path(path)) for path in args.catalog]
        catalog = (
            catalogs[0] if len(catalogs) == 1 else resplan.merge_catalogs(catalogs, args.catalog)
        )
        if len(catalogs) > 1:
            _warn_lookalikes(args.catalog, catalogs)
        # The catalog's objects (about a million for a national one) hold no reference
        # cycles and live as long as the command: out of the cyclic collector's sight, the
        # full collections the plan and its writing set off do not walk them (half of
        # writing's time). main() gives them back to the collector when the command ends.
        # Frozen before the collector runs again: its first pass would otherwise walk them
        # all once, as young objects, for nothing.
        gc.freeze()
    check_profile_cycle(
        profile, as_of, host.rulebook, args.profile, as_of_option="--as-of" if args.as_of else ""
    )
    facts = None
    if args.facts:
        from resplan.verified import load_facts

        # Laid over the catalog here too: an unknown id is told with the file's other problems.
        facts = load_facts(args.facts, as_of=as_of, catalog=catalog)
    plan = resplan.plan(profile, catalog, host=host, as_of=as_of, facts=facts)
    resplan.write_plan(plan, args.out)
    s = plan.summary
    # With the plan or the report on stdout, the notes go to stderr.
    note = sys.stderr if "-" in (args.out, args.report) else sys.stdout
    print(
        f"wrote {args.out}: {s.programs_considered} programs considered "
        f"({s.apply} apply, {s.borderline} borderline, {s.skip} skip; "
        f"tiers {s.tier1}/{s.tier2}/{s.tier3}), {len(plan.actions)} actions",
        file=note,
    )
    if args.report:
        # The same bytes as `resplan report` makes from the written plan (tested).
        from resplan.report import write_report
        from resplan.report.labels import installed_ruleset_texts, load_labels

        write_report(
            plan,
            args.report,
            report_format,
            labels=load_labels(plan, installed_ruleset_texts(host.pm)),
        )
        print(f"wrote {args.report}", file=note)
    return 0


def _warn_lookalikes(names, catalogs) -> None:
    """A warning for each program that looks listed in two of the catalogs (same name,
    specialty, city and state, other ids): the plan counts it twice."""
    from resplan.audit import across

    _print_lookalikes(across(list(zip(map(str, names), catalogs))))


def _print_lookalikes(looks, plans: str = "the plan counts") -> None:
    for look in looks:
        print(
            f"resplan: warning: {look.name} ({look.specialty}, {look.city}, {look.state}) "
            f"looks listed in more than one catalog ({'; '.join(look.ids)}): {plans} it "
            "once for each; leave it out of one of them",
            file=sys.stderr,
        )


def _report_format(path: str, format: str | None) -> str:
    """The format of ``plan --report``: --report-format, else the file name's."""
    from resplan.report import format_for

    if format is None and path == "-":
        raise InputError.one(
            "-",
            "standard output has no file name to tell the report format by: give "
            "--report-format html, md or csv",
        )
    if format is None and Path(path).suffix.lower() not in (".html", ".md", ".csv"):
        raise InputError.one(
            path,
            "cannot tell the report format from the file name: end it with .html, .md or "
            ".csv, or give --report-format",
        )
    return format_for(path, format, option="--report-format")


def cmd_report(args) -> int:
    from resplan.report import format_for, write_report
    from resplan.writer import refuse_overwriting_inputs

    refuse_overwriting_inputs([args.out], [args.plan])
    report_format = format_for(args.out, args.format)
    try:
        plan = resplan.read_plan(args.plan)
    except (OSError, UnicodeDecodeError) as exc:
        reason = (
            exc.strerror if isinstance(exc, OSError) and exc.strerror else "not a UTF-8 text file"
        )
        raise InputError.one(args.plan, f"cannot read the plan: {reason}") from None
    write_report(plan, args.out, report_format, full=args.full)
    # With --out - the report itself is on stdout: the note goes to stderr.
    print(f"wrote {args.out}", file=sys.stderr if args.out == "-" else sys.stdout)
    return 0


def cmd_plugins(args) -> int:
    host = resplan.load_host(disable=args.disable, broken_ok=True)
    by_plugin: dict[str, list] = {}
    for ruleset in host.rulebook.rulesets:
        by_plugin.setdefault(ruleset.plugin, []).append(ruleset)
    from resplan.importing import installed_mappings

    try:
        mappings, mapping_error = installed_mappings(host), None
    except PluginError as exc:  # listed, so that the other plugins are still shown
        mappings, mapping_error = [], exc
    for record in host.plugins:
        print(f"{record.name} {record.version}  ({record.distribution})")
        for ruleset in by_plugin.get(record.name, []):
            print(
                f"    ruleset {ruleset.name} {ruleset.version}: {len(ruleset.rules)} rules, "
                f"{len(ruleset.parameters)} parameters  [{ruleset.file}]"
            )
        for plugin, reader in host.readers:
            if plugin == record.name:
                print(f"    catalog reader {reader.name}: {', '.join(reader.suffixes)}")
        for plugin, mapping in mappings:
            if plugin == record.name:
                print(f"    import mapping {mapping.name}: {mapping.title}")
    for broken in host.broken:
        print(
            f"{broken.name}  ({broken.distribution or 'unknown distribution'})  NOT LOADED: "
            f"{broken.message}"
        )
    if mapping_error is not None:
        print(f"resplan: error: {mapping_error}", file=sys.stderr)
        if not host.broken:
            return EXIT_PLUGIN
    if host.broken:
        names = ",".join(b.name for b in host.broken)
        print(
            f"resplan: {len(host.broken)} plugin{'s' if len(host.broken) != 1 else ''} could "
            f"not be loaded; other commands fail until fixed or disabled "
            f"(--disable NAME or RESPLAN_DISABLE_PLUGINS={names})",
            file=sys.stderr,
        )
        return EXIT_PLUGIN
    return 0


def cmd_check_catalog(args) -> int:
    host = _host(args)
    problems, programs, read = [], 0, []
    for path in args.files:
        try:
            catalog = host.read_catalog(Path(path))
        except InputError as exc:
            problems.extend(exc.problems)
            continue
        programs += len(catalog)
        read.append((path, catalog))
    for problem in problems:
        print(str(problem), file=sys.stderr)
    if args.audit or args.json:
        # What each catalog that could be read can say; gaps are not errors (exit 0).
        from resplan import audit

        audits = [audit.audit(catalog, str(path), host.rulebook) for path, catalog in read]
        between = audit.across(read)
        print(
            audit.as_json(audits, problems, between)
            if args.json
            else audit.as_text(audits, rulebook=host.rulebook, between=between),
            end="",
        )
    if problems:
        print(
            f"resplan: {len(problems)} problem{'s' if len(problems) != 1 else ''} found",
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    # With --json, standard output holds the JSON alone.
    print(
        f"ok: {programs} programs in {len(args.files)} file{'s' if len(args.files) != 1 else ''}",
        file=sys.stderr if args.json else sys.stdout,
    )
    return 0


def cmd_synth_catalog(args) -> int:
    from resplan import synth
    from resplan.writer import write_text_atomic

    out = args.out
    writers = {"toml": synth.dumps_catalog_toml, "csv": synth.dumps_catalog_csv}
    # The format from --format, else from the file name, as `resplan report` tells it.
    format = args.format or Path(out).suffix.lower().lstrip(".")
    if format not in writers:
        raise InputError.one(
            out,
            "cannot tell the catalog format from the file name: end it with .toml or .csv, "
            "or give --format"
            if out != "-"
            else "standard output has no file name to tell the format by: give --format "
            "toml or --format csv",
        )
    suffix = Path(out).suffix.lower()
    if args.format and suffix in (".toml", ".csv") and suffix != f".{args.format}":
        from resplan.report import name_disagrees

        raise InputError.one(out, name_disagrees(suffix, args.format, "--format"))
    if args.programs < 0 or args.seed < 0:
        raise InputError.one(out, "--programs and --seed must not be negative")
    if args.programs == 0:
        # `plan` refuses a catalog with no programs: refuse it here, when it is asked for.
        raise InputError.one(out, "--programs 0: a catalog needs at least 1 program")
    if args.programs > synth.MAX_PROGRAMS:
        raise InputError.one(
            out,
            f"--programs {args.programs} is more than resplan makes (at most "
            f"{synth.MAX_PROGRAMS:,}; the national catalog has about 13,400): a typo?",
        )
    programs = synth.synthesize_catalog(args.programs, args.seed)
    write_text_atomic(out, writers[format](programs))
    # With --out - the catalog is on stdout: the note goes to stderr.
    print(
        f"wrote {out}: {len(programs)} synthetic programs (seed {args.seed})",
        file=sys.stderr if out == "-" else sys.stdout,
    )
    return 0


def cmd_verify_sheet(args) -> int:
    from resplan.verified import verify_sheet
    from resplan.writer import refuse_overwriting_inputs, write_text_atomic

    refuse_overwriting_inputs([args.out], [args.plan])
    sheet = verify_sheet(resplan.read_plan(args.plan))
    write_text_atomic(Path(args.out), sheet)
    rows = sheet.count("\n") - 1
    print(
        f"wrote {args.out}: {rows} fact{'s' if rows != 1 else ''} to verify; fill in value, "
        "verified and source, then run resplan import-facts"
    )
    return 0


def cmd_import_facts(args) -> int:
    from resplan.verified import dumps_facts, read_sheet
    from resplan.writer import refuse_overwriting_inputs, write_text_atomic

    refuse_overwriting_inputs([args.out], [args.sheet])
    entries = read_sheet(args.sheet)
    if not entries:
        raise InputError.one(
            args.sheet,
            "no row has a value yet: fill in value, verified and source for the facts you learned",
        )
    write_text_atomic(Path(args.out), dumps_facts(entries))
    facts = sum(len(e) - 3 for e in entries)
    print(
        f"wrote {args.out}: {facts} verified fact{'s' if facts != 1 else ''} of "
        f"{len({e['program'] for e in entries})} program"
        f"{'s' if len({e['program'] for e in entries}) != 1 else ''}"
    )
    return 0


def _input_name(path: str) -> str:
    """An input's file name as a catalog records it: "-" tells a reader nothing."""
    return "standard input" if path == "-" else Path(path).name


def cmd_import_catalog(args) -> int:
    from resplan.importing import (
        choose_mapping,
        dumps_catalog,
        import_rows,
        installed_mappings,
        read_sheet,
    )
    from resplan.writer import refuse_overwriting_inputs, write_text_atomic

    inputs = [args.file] + ([args.mapping] if args.mapping and Path(args.mapping).is_file() else [])
    refuse_overwriting_inputs([args.out], inputs)
    if args.out != "-" and Path(args.out).suffix.lower() != ".toml":
        raise InputError.one(args.out, "write the imported catalog to a .toml file")
    host = _host(args)
    sheet = read_sheet(args.file)
    found = choose_mapping(args.mapping, sheet, [m for _p, m in installed_mappings(host)])
    source = (
        args.source or f"{_input_name(args.file)}, imported with the {found.mapping.name} mapping"
    )
    imported = import_rows(sheet, found, source=source)
    if imported.problems and not args.skip_bad:
        rows = len(imported.bad_lines)
        raise InputError(
            list(imported.problems)
            + [
                resplan.Problem(
                    args.file,
                    f"{rows} row{'s' if rows != 1 else ''} cannot be read; nothing was "
                    "written (fix them, or leave them out with --skip-bad)",
                )
            ]
        )
    if not imported.programs:
        raise InputError.one(args.file, "no row could be read: nothing to write")
    write_text_atomic(
        Path(args.out),
        dumps_catalog(imported.programs, file=_input_name(args.file), mapping=found.mapping.name),
    )
    note = sys.stderr if args.out == "-" else sys.stdout
    for problem in imported.problems:
        print(f"resplan: skipped: {problem}", file=sys.stderr)
    count, skipped = len(imported.programs), len(imported.bad_lines)
    print(
        f"wrote {args.out}: {count} program{'s' if count != 1 else ''} from "
        f"{'standard input' if args.file == '-' else args.file} with "
        f"the {found.mapping.name} mapping"
        + (
            f"; skipped {skipped} row{'s' if skipped != 1 else ''} (lines "
            f"{', '.join(map(str, imported.bad_lines))})"
            if skipped
            else ""
        ),
        file=note,
    )
    if imported.unread_columns:
        print(f"columns not read: {', '.join(imported.unread_columns)}", file=note)
    return 0


def cmd_docs(args) -> int:
    from resplan.docs import facts_markdown, profile_markdown, rules_markdown
    from resplan.writer import write_text_atomic

    if args.out == "-":
        # Elsewhere - is standard output; here it made a folder named "-".
        raise InputError.one(
            "--out",
            "cannot be - (standard output): the docs are three files (rules.md, facts.md, "
            "profile.md); name the folder they go to",
        )
    host = _host(args)
    folder = Path(args.out)
    if folder.exists() and not folder.is_dir():
        raise InputError.one(folder, "is a file: --out names the folder the docs go to")
    try:
        folder.mkdir(parents=True, exist_ok=True)  # a FOLDER argument: made if missing
    except OSError as exc:
        raise InputError.one(folder, f"cannot be made: {exc.strerror or exc}") from None
    for name, text in (
        ("rules.md", rules_markdown(host.rulebook)),
        ("facts.md", facts_markdown()),
        ("profile.md", profile_markdown(host.rulebook)),
    ):
        write_text_atomic(folder / name, text)
        print(f"wrote {folder / name}")
    return 0


def _jobs(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def cmd_batch(args) -> int:
    from resplan.batch import BatchInterrupted, progress_bar, run_batch

    progress = progress_bar(sys.stderr)

    plans = args.plans == "toml"
    # Each profile's plan is named after its file, and worker processes read the inputs
    # again by path: standard input has neither a name nor a second reading.
    inputs = (("PROFILE", args.profiles), ("--catalog", args.catalog), ("--facts", args.facts))
    for option, paths in inputs:
        if "-" in (paths or ()):
            raise InputError.one(
                "-",
                f"batch reads files, not standard input ({option}): save it to a file, or "
                "plan one profile with resplan plan - --catalog ... --out ...",
            )
    # Elsewhere - is standard output; a folder or a database named "-" is not what is meant.
    for option, path, what in (
        ("--out-dir", args.out_dir, "the plans and summary.csv are files; name a folder"),
        ("--db", args.db, "the database is a file; name one"),
    ):
        if path == "-":
            raise InputError.one(option, f"cannot be - (standard output): {what}")
    if args.out_dir is None and (plans or args.db is None):
        raise InputError.one(
            "--out-dir",
            "is needed: it is where the plans and summary.csv "
            "go (only --db with --plans none writes no folder)",
        )
    if args.report and not plans:
        raise InputError.one(
            "--report", "is written beside each plan: it cannot go with --plans none"
        )
    with contextlib.ExitStack() as stack:
        executor = None
        if args.scheduler:
            from resplan.cluster import dask_executor

            executor = stack.enter_context(dask_executor(args.scheduler))
        try:
            result = run_batch(
                args.profiles,
                args.catalog,
                args.out_dir,
                jobs=args.jobs,
                disable=args.disable,
                progress=progress,
                report=args.report,
                as_of=args.as_of,
                facts=args.facts or None,
                db=args.db,
                plans=plans,
                executor=executor,
                as_of_option="--as-of" if args.as_of else "",
            )
        except BatchInterrupted as stop:
            planned = len(stop.result.planned)
            written = [str(p) for p in (stop.result.db, stop.result.summary) if p is not None]
            print(
                # On a line of its own: after the progress bar, if one is drawn, not a
                # blank line before it otherwise.
                ("\n" if getattr(progress, "midline", False) else "")
                + (
                    f"resplan: interrupted: wrote {planned} plan{'s' if planned != 1 else ''} "
                    f"of {stop.total} and {' and '.join(written)} for them"
                    if plans
                    else f"resplan: interrupted: planned {planned} of {stop.total} profiles; "
                    f"wrote {' and '.join(written)} for them"
                ),
                file=sys.stderr,
            )
            _print_lookalikes(stop.result.lookalikes, "every plan counts")
            return EXIT_INTERRUPTED
    # Once for the whole batch, not for each plan.
    _print_lookalikes(result.lookalikes, "every plan counts")
    for problem in result.problems:
        print(f"resplan: error: {problem}", file=sys.stderr)
    planned, bad = len(result.planned), len(result.errors)
    written = [str(p) for p in (result.db, result.summary) if p is not None]
    print(
        (
            f"wrote {planned} plan{'s' if planned != 1 else ''} and {' and '.join(written)}"
            if plans
            else f"planned {planned} profile{'s' if planned != 1 else ''}; wrote "
            f"{' and '.join(written)}"
        )
        + (f"; {bad} profile{'s' if bad != 1 else ''} not planned" if bad else "")
    )
    if "plugin" in result.failures:
        return EXIT_PLUGIN
    if "error" in result.failures:
        return 1  # neither the input nor a plugin: a fault in resplan, the row says what
    return EXIT_BAD_INPUT if bad else 0


def cmd_check(args) -> int:
    from resplan.check import run_check_command

    return run_check_command(args.paths, args.properties, args.disable)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resplan",
        description="Make a residency application plan from an applicant profile and a "
        "program catalog, with rules kept as data.",
    )
    parser.add_argument("--version", action="version", version=f"resplan {resplan.__version__}")
    parser.add_argument(
        "--disable",
        action="append",
        default=[],
        metavar="PLUGIN",
        help="leave this plugin out (repeatable; also RESPLAN_DISABLE_PLUGINS)",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="read catalogs without the user's cache folder, and keep nothing "
        "there (also RESPLAN_NO_CACHE=1)",
    )
    parser.add_argument(
        "--debug",
        action="store_true",
        help=f"show the traceback behind an error, e.g. a failing plugin (also {DEBUG_ENV}=1)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = commands.add_parser(
        "plan",
        help="write the plan for one profile",
        description="Write the plan for PROFILE against CATALOG as TOML.",
    )
    p.add_argument("profile", metavar="PROFILE", help="applicant profile (TOML)")
    p.add_argument(
        "--catalog",
        action="append",
        required=True,
        metavar="CATALOG",
        help="program catalog (.toml or .csv); repeat to combine catalogs",
    )
    p.add_argument(
        "--out",
        required=True,
        metavar="PLAN",
        help="where to write the plan (TOML); - writes it to standard output",
    )
    p.add_argument(
        "--report",
        metavar="FILE",
        help="also write the plan's report (.html, .md or .csv), as `resplan report` does; "
        "- writes it to standard output (give --report-format; the plan then goes to a file)",
    )
    p.add_argument(
        "--report-format",
        choices=("html", "md", "csv"),
        default=None,
        help="the report's format (default: from the --report file name)",
    )
    p.add_argument(
        "--as-of",
        type=_as_of,
        default=None,
        metavar="YYYY-MM-DD",
        help="the date to plan from (default: today); actions are dated from it",
    )
    p.add_argument(
        "--facts",
        action="append",
        default=[],
        metavar="VERIFIED",
        help="facts you verified with programs ([[fact]] tables, TOML); each beats "
        "the catalog's (repeatable)",
    )
    p.set_defaults(run=cmd_plan)

    p = commands.add_parser(
        "verify-sheet",
        help="write the facts a plan asks to verify as a CSV to fill in",
        description="Write one row per real program and fact that PLAN asks you to verify, "
        "most promising first, with empty value, verified and source columns. "
        "Fill them in and read the sheet back with `resplan import-facts`.",
    )
    p.add_argument("plan", metavar="PLAN", help="a plan written by `resplan plan` (TOML)")
    p.add_argument("--out", required=True, metavar="SHEET", help="where to write the CSV")
    p.set_defaults(run=cmd_verify_sheet)

    p = commands.add_parser(
        "import-facts",
        help="turn a filled verify sheet into a facts file for --facts",
        description="Read a sheet written by `resplan verify-sheet` and filled in, and write "
        "its filled rows as [[fact]] tables for `resplan plan --facts`.",
    )
    p.add_argument("sheet", metavar="SHEET", help="a filled verify sheet (CSV)")
    p.add_argument(
        "--out", required=True, metavar="VERIFIED", help="the facts file to write (TOML)"
    )
    p.set_defaults(run=cmd_import_facts)

    p = commands.add_parser(
        "import-catalog",
        help="turn a spreadsheet of programs (CSV) into a catalog",
        description="Read FILE (CSV, as saved or pasted from a program listing) with a "
        "mapping that says which column holds which program fact, and write a "
        "TOML catalog sorted by program id. Every row that cannot be read is "
        "reported with its line, column and value; nothing is written while any "
        "row is bad, unless --skip-bad. See docs/catalogs.md.",
    )
    p.add_argument("file", metavar="FILE", help="the spreadsheet (CSV; comma, tab or semicolon)")
    p.add_argument(
        "--mapping",
        metavar="NAME|MAPPING.toml",
        default=None,
        help="an installed mapping's name (freida, residency-explorer, "
        "resplan-csv, or a plugin's) or a mapping file; without it, resplan "
        "suggests the one whose headers fit",
    )
    p.add_argument("--out", required=True, metavar="CATALOG", help="the catalog to write (.toml)")
    p.add_argument(
        "--skip-bad",
        action="store_true",
        help="write the rows that read, and list the ones skipped",
    )
    p.add_argument(
        "--source",
        default=None,
        metavar="TEXT",
        help="each program's source (default: the file's name and the mapping's)",
    )
    p.set_defaults(run=cmd_import_catalog)

    p = commands.add_parser(
        "report",
        help="write a plan as a report for people: HTML, Markdown or CSV",
        description="Write PLAN as a report: a self-contained HTML page, a short Markdown "
        "summary or a CSV program list. The format comes from the file name "
        "(.html, .md, .csv) or --format. Made from the plan file alone.",
    )
    p.add_argument("plan", metavar="PLAN", help="a plan written by `resplan plan` (TOML)")
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="where to write the report; - writes it to standard output (give --format)",
    )
    p.add_argument(
        "--format",
        choices=("html", "md", "csv"),
        default=None,
        help="the report format (default: from the file name)",
    )
    p.add_argument(
        "--full", action="store_true", help="Markdown: list every program, not only tier 1"
    )
    p.set_defaults(run=cmd_report)

    p = commands.add_parser(
        "batch",
        help="write one plan per profile and a summary table",
        description="Plan every PROFILE against CATALOG on all cores. Each plan is the file "
        "`resplan plan` would write; DIR/summary.csv lists them all. A bad profile "
        "is reported and skipped (exit status 2), the others are still planned. "
        "--db also writes the whole cohort into one SQLite database "
        "(docs/cohort.md).",
    )
    p.add_argument("profiles", nargs="+", metavar="PROFILE")
    p.add_argument("--catalog", action="append", required=True, metavar="CATALOG")
    p.add_argument(
        "--out-dir",
        default=None,
        metavar="DIR",
        help="where the plans and summary.csv go; created if missing",
    )
    p.add_argument(
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="worker processes (default: every core; 1 plans in this process)",
    )
    p.add_argument(
        "--report",
        choices=("html", "md", "csv"),
        default=None,
        help="also write each plan's report, DIR/<profile name>.html (or .md, .csv)",
    )
    p.add_argument(
        "--as-of",
        type=_as_of,
        default=None,
        metavar="YYYY-MM-DD",
        help="the date to plan from, the same for every profile (default: today)",
    )
    p.add_argument(
        "--facts",
        action="append",
        default=[],
        metavar="VERIFIED",
        help="facts verified with programs ([[fact]] tables, TOML), laid over the "
        "catalog for every profile as `resplan plan --facts` does (repeatable)",
    )
    p.add_argument(
        "--db",
        default=None,
        metavar="FILE",
        help="also write the whole cohort into this SQLite database (docs/cohort.md)",
    )
    p.add_argument(
        "--plans",
        choices=("toml", "none"),
        default="toml",
        help="write each plan's file (toml, the default) or none (with --db)",
    )
    p.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="plan on the Dask cluster at ADDRESS (needs resplan[dask]); every "
        "worker must see the inputs and DIR at the same paths",
    )
    p.set_defaults(run=cmd_batch)

    p = commands.add_parser("plugins", help="list plugins, their versions and rulesets")
    p.set_defaults(run=cmd_plugins)

    p = commands.add_parser(
        "check",
        help="check rulesets: load errors, dead, shadowed or contradictory rules",
        description="Static analysis of the installed rulesets, or of the given ruleset files "
        "(loaded with the installed ones). With --properties N, also run the "
        "consistency properties (determinism, monotonicity, explanations, "
        "unknowns, round trip, dated plans) with N examples each. Exit status 2 on any error.",
    )
    p.add_argument("paths", nargs="*", metavar="PATH", help="ruleset files (default: installed)")
    p.add_argument("--properties", type=int, default=0, metavar="N")
    p.set_defaults(run=cmd_check)

    p = commands.add_parser(
        "docs", help="write docs/rules.md, docs/facts.md and docs/profile.md from the rulesets"
    )
    p.add_argument("--out", default="docs", metavar="FOLDER")
    p.set_defaults(run=cmd_docs)

    p = commands.add_parser(
        "check-catalog",
        help="report every problem in catalog files",
        description="Read each catalog and report every problem with file, line, program id "
        "and field. Exit status 2 when there is any.",
    )
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument(
        "--audit",
        action="store_true",
        help="also say, per catalog, how many programs give each fact, the oldest "
        "facts, look-alike duplicates, and specialties and border sub-regions "
        "with no program",
    )
    p.add_argument(
        "--json",
        action="store_true",
        help="the audit (and any problems) as JSON on standard output, for tools",
    )
    p.set_defaults(run=cmd_check_catalog)

    p = commands.add_parser(
        "synth-catalog",
        help="write a reproducible synthetic national catalog",
        description="Write N synthetic programs shaped by national figures (same seed, same "
        "bytes). Every program says it is synthetic in its name and source.",
    )
    p.add_argument("--programs", type=int, required=True, metavar="N")
    p.add_argument("--seed", type=int, default=1, metavar="S")
    p.add_argument(
        "--out",
        required=True,
        metavar="FILE",
        help="a .toml or .csv file; - writes to standard output (give --format)",
    )
    p.add_argument(
        "--format",
        choices=("toml", "csv"),
        default=None,
        help="the catalog format (default: from the file name)",
    )
    p.set_defaults(run=cmd_synth_catalog)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        with _terminate_as_interrupt(), _cache_turned_off(args.no_cache), _unfrozen_after():
            from resplan.settings import environment_problems

            problems = environment_problems()
            if problems:
                raise InputError(problems)
            with _kept_code():
                return args.run(args)
    except KeyboardInterrupt:
        # Whatever was being written has been cleaned up on the way out.
        print("resplan: interrupted; nothing more was written", file=sys.stderr)
        return EXIT_INTERRUPTED
    except InputError as exc:
        for problem in exc.problems:
            print(f"resplan: error: {problem}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except PluginError as exc:
        _traceback(args, exc)
        hint = f" (leave it out with --disable {exc.plugin})" if exc.plugin else ""
        print(f"resplan: error: {exc}{hint}", file=sys.stderr)
        return EXIT_PLUGIN
    except ResplanError as exc:
        _traceback(args, exc)
        print(f"resplan: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        # A note on standard output that cannot be written (a full disk, a closed pipe):
        # one line, as for any output. Anything else is not ours to describe.
        # Files resplan reads or writes fail as InputError or ResplanError, naming the
        # file; an error of a stream write names none.
        if exc.filename is not None or exc.errno not in _STREAM_ERRORS:
            raise
        from resplan.writer import silence_stdout, stdout_failure

        silence_stdout()  # so that the interpreter's last flush does not fail again
        with contextlib.suppress(OSError):
            print(f"resplan: error: {stdout_failure(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT


_STREAM_ERRORS = frozenset(
    getattr(errno, name)
    for name in ("EPIPE", "ENOSPC", "EIO", "EDQUOT", "EFBIG")
    if hasattr(errno, name)
)


@contextlib.contextmanager
def _terminate_as_interrupt():
    """SIGTERM ends the run the way Ctrl-C does: through the code that removes temporary
    files, rather than at once. Only in the main thread, where handlers can be set."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGTERM"):
        yield
        return

    def interrupt(_signum, _frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def _cyclic_gc_paused():
    """Loading the rulebook and a catalog makes many objects and no garbage worth
    collecting: the collector's passes meanwhile find nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextlib.contextmanager
def _unfrozen_after():
    """Objects a command took out of the cyclic collector's sight (gc.freeze) go back to it
    when the command ends: main() may run again in the same process (tests, invoke)."""
    try:
        yield
    finally:
        gc.unfreeze()


@contextlib.contextmanager
def _kept_code():
    """The code attrs and cattrs generate, compiled in an earlier run, while the cache is
    on (resplan.generated); what this command compiled anew is kept when it ends, unless
    it was interrupted."""
    from resplan.cache import enabled

    if not enabled():
        yield
        return
    from resplan import generated

    generated.start()
    try:
        yield
    except Exception:
        generated.finish()
        raise
    except BaseException:
        generated.finish(store=False)
        raise
    generated.finish()


@contextlib.contextmanager
def _cache_turned_off(off: bool):
    """--no-cache: as RESPLAN_NO_CACHE=1 for this command, batch workers included."""
    if not off:
        yield
        return
    from resplan.cache import NO_CACHE_ENV

    previous = os.environ.get(NO_CACHE_ENV)
    os.environ[NO_CACHE_ENV] = "1"
    try:
        yield
    finally:
        if previous is None:
            del os.environ[NO_CACHE_ENV]
        else:
            os.environ[NO_CACHE_ENV] = previous


def _traceback(args, exc: BaseException) -> None:
    """With --debug (or RESPLAN_DEBUG=1), the traceback of what caused ``exc``."""
    from resplan.settings import switched_on

    if getattr(args, "debug", False) or switched_on(DEBUG_ENV):
        import traceback  # only here: a plan command that goes well never needs it

        cause = exc.__cause__ or exc
        traceback.print_exception(type(cause), cause, cause.__traceback__, file=sys.stderr)


# NumPy's OpenBLAS starts a thread per core when NumPy is imported, and those threads spin
# waiting for work that never comes: resplan does no linear algebra. One thread costs
# nothing; on two cores the others took about a twentieth of a warm plan's CPU time. A
# value the user set is kept.
BLAS_THREADS_ENV = "OPENBLAS_NUM_THREADS"


def run() -> None:  # console script entry point (and python -m resplan)
    if "numpy" not in sys.modules:  # read by OpenBLAS when NumPy loads it, never after
        os.environ.setdefault(BLAS_THREADS_ENV, "1")
    code = main()
    # All that is left is the interpreter freeing each object in turn (a national catalog
    # is about a million of them, a tenth of a warm plan's time), which the operating
    # system does at once. Skipped, once the output is flushed, when nothing else runs:
    # no worker processes or threads to wait for (batch keeps the usual exit).
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except OSError:  # a closed pipe or a full disk: said once, then nothing more
        if sys.stdout is not None:
            from resplan.writer import silence_stdout

            silence_stdout()
        print("resplan: error: standard output: cannot write", file=sys.stderr)
        sys.exit(code or EXIT_BAD_INPUT)
    if (
        threading.active_count() == 1
        and "multiprocessing" not in sys.modules
        and "concurrent.futures" not in sys.modules
    ):
        os._exit(code)
    sys.exit(code)
