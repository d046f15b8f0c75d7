"""Reports a person reads, made from a plan: HTML, Markdown and CSV.

    >>> plan = resplan.read_plan("plans/example.toml")
    >>> html = resplan.render_report(plan, "html")

A report is made from the plan alone, plus the words and sources of the rulesets the
plan names (``labels.py``), so a plan written yesterday, or by another tool, renders the
same. ``view.py`` turns the plan into what a reader sees; ``html.py``, ``markdown.py``
and ``csv.py`` lay it out, each escaping text for its own format.
"""

from __future__ import annotations

from pathlib import Path

from resplan.errors import InputError

FORMATS = ("html", "md", "csv")
SUFFIXES = {".html": "html", ".htm": "html", ".md": "md", ".markdown": "md", ".csv": "csv"}


def format_for(path, format: str | None = None, *, option: str = "--format") -> str:
    """The format ``format`` names, or the one ``path``'s suffix names; InputError otherwise.

    A name that says one format and an ``option`` that says another is refused: a
    Markdown report in ``plan.html`` opens as garbled text, and which was meant is a guess.
    """
    suffix = Path(path).suffix.lower()
    if format is not None:
        if format not in FORMATS:
            raise InputError.one(
                path, f"unknown report format {format!r}: use " + ", ".join(FORMATS)
            )
        if suffix in SUFFIXES and SUFFIXES[suffix] != format:
            raise InputError.one(path, name_disagrees(suffix, format, option))
        return format
    if suffix not in SUFFIXES:
        raise InputError.one(
            path,
            "cannot tell the report format from the file name: end it "
            "with .html, .md or .csv, or give --format",
        )
    return SUFFIXES[suffix]


def name_disagrees(suffix: str, format: str, option: str) -> str:
    """The message for an output whose file name says one format and an option another."""
    return (
        f"the name ends in {suffix} but {option} says {format}: make them agree, or leave "
        f"{option} out"
    )


def render_report(plan, format: str = "html", *, full: bool = False, labels=None) -> str:
    """The report of ``plan`` as text: ``"html"``, ``"md"`` (``full``: every program) or ``"csv"``.

    ``labels`` (from :func:`resplan.report.labels.load_labels`) defaults to the installed
    rulesets the plan names.
    """
    from resplan.report import view
    from resplan.report.labels import load_labels

    if format not in FORMATS:
        raise ValueError(f"unknown report format {format!r}; use one of {', '.join(FORMATS)}")
    report = view.build(plan, labels if labels is not None else load_labels(plan))
    if format == "html":
        from resplan.report import html

        return html.render(report)
    if format == "md":
        from resplan.report import markdown

        return markdown.render(report, full=full)
    from resplan.report import csv

    return csv.render(report)


def write_report(plan, path, format: str | None = None, *, full: bool = False, labels=None) -> str:
    """Write ``plan``'s report to ``path`` atomically; the format used."""
    from resplan.writer import write_text_atomic

    format = format_for(path, format)
    write_text_atomic(path, render_report(plan, format, full=full, labels=labels))
    return format
