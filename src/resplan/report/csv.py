"""The program list as CSV: one row per program, the file an applicant tracks applications in.

UTF-8 with a byte-order mark, so that spreadsheet programs read accented names right;
a header row; reasons and facts to verify joined with ``"; "``. A cell from an input file
that a spreadsheet would take for a formula (it starts with ``=``, ``+``, ``-``, ``@``
or a tab) gets a leading apostrophe, so a hostile catalog cannot run one.
"""

from __future__ import annotations

import csv
import io

from resplan.report.view import Report

COLUMNS = (
    "id",
    "name",
    "specialty",
    "track",
    "city",
    "state",
    "region",
    "verdict",
    "tier",
    "reasons",
    "to_verify",
    "synthetic",
    "acgme_id",
    "nrmp_code",
    "website",
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def render(report: Report) -> str:
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for r in report.rows:  # plan order: the best tier first, apply before borderline
        writer.writerow(
            [
                _cell(v)
                for v in (
                    r.id,
                    r.name,
                    r.specialty,
                    r.track,
                    r.city,
                    r.state,
                    r.region,
                    r.verdict,
                    r.tier if r.verdict != "skip" else None,
                    "; ".join(r.reasons),
                    "; ".join(r.to_verify),
                    "yes" if r.synthetic else "",
                    r.acgme_id,
                    r.nrmp_code,
                    r.website,
                )
            ]
        )
    return buffer.getvalue()
