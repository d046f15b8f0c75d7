"""The HTML report: one self-contained page, complete without JavaScript, that works offline.

The page is a Jinja2 template (``templates/report.html.j2``) with autoescaping on, so
whatever comes from a profile, a catalog or a plugin is text, never markup. Its CSS and
its small script are inlined, and a Content-Security-Policy allows only those two (by
their sha256) and nothing from any network: even a name that slipped past escaping
could neither run a script nor load a file. The charts are SVG written here from the
report's counts, with every label escaped and a text alternative for each.
"""

from __future__ import annotations

import base64
import functools
import hashlib
from importlib import resources

import jinja2
from markupsafe import Markup, escape

from resplan.report.view import (
    FITS,
    OTHER_COSTS,
    OUTLOOK_BANDS,
    PRIORITIES,
    SEGMENTS,
    VERDICTS,
    Chart,
    ChartRow,
    Report,
    count,
    dollars,
    fee_rows,
    figure_value,
    numbers_under_way,
    other_costs,
    outlook_band,
    rule_source,
    signal_caption,
    state_name,
    under_way,
    without_programs,
)
from resplan.vocabulary import tier_words

CHART_ROWS = 12  # more places than this are drawn as one "all other places" bar
CHART_WIDTH = 640
BAR_AREA = 560  # room for the total after the longest bar
ROW_HEIGHT = 46
VERDICT_RANK = {"apply": 0, "borderline": 10, "skip": 20}
# Where the cycle stands on the plan's date (the plan's summary.cycle_stage).
CYCLE_STAGES = {
    "ahead": "Programs have not started reading applications for this cycle yet.",
    "under way": "This application cycle is under way: the steps below cover what is still ahead in it.",
}


@functools.lru_cache(maxsize=1)
def _environment() -> tuple[jinja2.Template, str, str]:
    folder = resources.files("resplan.report") / "templates"
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(lambda name: (folder / name).read_text(encoding="utf-8")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["capitalize_first"] = lambda text: str(text)[:1].upper() + str(text)[1:]
    template = env.get_template("report.html.j2")
    css = (folder / "report.css").read_text(encoding="utf-8")
    js = (folder / "report.js").read_text(encoding="utf-8")
    return template, css, js


def _csp_hash(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


def _verdict_rank(row) -> int:
    return VERDICT_RANK.get(row.verdict, 30) + (row.tier or 0)


class _Escape:
    """``markupsafe.escape`` as text, once per distinct value: a national plan repeats the
    same reasons, places and facts across thousands of rows."""

    def __init__(self):
        self.memo: dict = {}

    def __call__(self, value) -> str:
        text = self.memo.get(value)
        if text is None:
            text = self.memo[value] = str(escape(value))
        return text


FAKE = '<span class="badge fake">Not a real program</span> '


def _look_up(p, e: _Escape) -> str:
    """The program's codes and a link to its website, on a line under its name ('' when
    none is known). The address was checked to be http(s) when the report was built."""
    parts = [
        f"NRMP {e(p.nrmp_code)}" if p.nrmp_code else "",
        f"ACGME {e(p.acgme_id)}" if p.acgme_id else "",
        (
            f'<a class="website" href="{e(p.website)}" rel="noopener noreferrer">website</a>'
            if p.website
            else ""
        ),
    ]
    shown = " · ".join(part for part in parts if part)
    return f'<br><span class="small">{shown}</span>' if shown else ""


def _program_rows(rows, e: _Escape) -> Markup:
    """The program tables' rows. Written here rather than in the template because a national
    plan has thousands (a tenth of the time); every value still goes through ``escape``."""
    why: dict = {}
    verify: dict = {}
    out = []
    for p in rows:
        reasons = why.get(p.reasons)
        if reasons is None:
            if len(p.reasons) == 1:
                reasons = e(p.reasons[0])
            elif p.reasons:
                reasons = "<ul>" + "".join(f"<li>{e(text)}</li>" for text in p.reasons) + "</ul>"
            else:
                reasons = '<span class="small">No rule gave a reason.</span>'
            why[p.reasons] = reasons
        facts = verify.get(p.to_verify)
        if facts is None:
            facts = verify[p.to_verify] = (
                e(", ".join(p.to_verify)) if p.to_verify else '<span class="small">Nothing</span>'
            )
        region = f'<br><span class="small">{e(p.region)}</span>' if p.region else ""
        track = (
            f' <span class="small">({e(p.track)})</span>'
            if p.track and p.track != "categorical"
            else ""
        )
        out.append(
            f'<tr data-state="{e(p.state)}" data-specialty="{e(p.specialty)}" '
            f'data-verdict="{e(p.verdict)}"{" data-synthetic" if p.synthetic else ""}>'
            f'<td class="name" data-label="Program">{FAKE if p.synthetic else ""}{e(p.name)}'
            f"{_look_up(p, e)}</td>"
            f'<td data-label="Place">{e(p.city)}, {e(p.state)}{region}</td>'
            f'<td data-label="Specialty">{e(p.specialty)}{track}</td>'
            f'<td data-label="Decision" class="verdict" data-sort="{_verdict_rank(p)}">'
            f'{e(p.verdict_label)}</td><td data-label="Why">{reasons}</td>'
            f'<td data-label="To verify">{facts}</td></tr>\n'
        )
    return Markup("".join(out))


def _verify_items(rows, prefix: str, e: _Escape, specialties: int = 1) -> Markup:
    """The checklist of facts to verify, one block per program, most promising first.
    With programs of more than one specialty, each block names its specialty: one
    hospital often runs several, under one name (review 11, finding 18)."""
    out = []
    for n, p in enumerate(rows, 1):
        field = f"{e(p.specialty)}; " if specialties > 1 and p.specialty else ""
        boxes = "".join(
            f'<li><input type="checkbox" id="{prefix}{n}-{i}"><label for="{prefix}{n}-{i}">'
            f"{e(fact[:1].upper() + fact[1:])}</label></li>"
            for i, fact in enumerate(p.to_verify, 1)
        )
        out.append(
            f'<div class="verify-program"><h3>{FAKE if p.synthetic else ""}{e(p.name)} '
            f'<span class="small">({field}{e(p.city)}, {e(p.state)}; {e(p.verdict_label)})</span>'
            f'{_look_up(p, e)}</h3>\n<ul class="checklist">{boxes}</ul></div>\n'
        )
    return Markup("".join(out))


def render(report: Report) -> str:
    template, css, js = _environment()
    e = _Escape()
    charts = []
    for chart in report.charts:
        charts.append(
            {"id": chart.id, "title": chart.title, "all_rows": chart.rows, "svg": chart_svg(chart)}
        )
    return template.render(
        r=report,
        plan=report.plan,
        s=report.plan.summary,
        charts=charts,
        css=Markup(css),
        js=Markup(js),
        style_hash=_csp_hash(css),
        script_hash=_csp_hash(js),
        count=count,
        tier_words=tier_words,
        dollars=dollars,
        fee_rows=fee_rows,
        without_programs=without_programs,
        other_costs=other_costs,
        other_costs_rule=OTHER_COSTS,
        under_way=under_way,
        numbers_under_way=numbers_under_way,
        state_name=state_name,
        signal_caption=signal_caption,
        figure_value=figure_value,
        fits=FITS,
        priorities=PRIORITIES,
        verdicts=VERDICTS,
        segments=SEGMENTS,
        stages=CYCLE_STAGES,
        program_rows=lambda rows: _program_rows(rows, e),
        bands=OUTLOOK_BANDS,
        outlook_band=outlook_band,
        source_of=lambda rule: rule_source(report.labels, rule),
        verify_items=lambda rows, prefix: _verify_items(rows, prefix, e, len(report.specialties)),
    )


def _drawn_rows(chart: Chart) -> tuple[list[ChartRow], list[ChartRow]]:
    """The rows drawn as bars, and the rest (named in one line under them and in the table)."""
    if len(chart.rows) <= CHART_ROWS:
        return list(chart.rows), []
    return list(chart.rows[:CHART_ROWS]), list(chart.rows[CHART_ROWS:])


def _describe(row: ChartRow) -> str:
    parts = [f"{row.counts[key]} {name.lower()}" for key, name in SEGMENTS if row.counts[key]]
    return f"{row.label}: {count(row.total, 'program', 'programs')} ({', '.join(parts)})"


def chart_svg(chart: Chart) -> Markup:
    """A horizontal stacked bar per place: tiers, borderline and skipped programs.

    Each bar's segments carry a pattern as well as a colour, and their number when it
    fits; the total is written after the bar; ``<title>`` and ``<desc>`` give the chart's
    text alternative, and the page adds the full table of numbers below it.
    """
    rows, rest = _drawn_rows(chart)
    largest = max((r.total for r in rows), default=0) or 1
    height = ROW_HEIGHT * len(rows) + 8 + (24 if rest else 0)
    desc = "; ".join(_describe(r) for r in rows) or "No programs."
    others = ""
    if rest:
        others = (
            f"The other {len(rest)} {chart.places}: "
            f"{count(sum(r.total for r in rest), 'program', 'programs')}, listed in the table"
        )
        desc += f"; {others}"
    out = [
        f'<svg role="img" viewBox="0 0 {CHART_WIDTH} {height}" '
        f'aria-labelledby="{chart.id}-t {chart.id}-d" font-size="14" '
        f'font-family="system-ui, DejaVu Sans, Liberation Sans, Arial, sans-serif">',
        f'<title id="{chart.id}-t">{escape(chart.title)}</title>',
        f'<desc id="{chart.id}-d">{escape(chart.description)} {escape(desc)}.</desc>',
    ]
    for i, row in enumerate(rows):
        top = i * ROW_HEIGHT + 4
        out.append(
            f'<g><text x="0" y="{top + 14}" fill="#1d2430" font-weight="600">'
            f"{escape(row.label)}</text>"
        )
        x = 0.0
        for key, name in SEGMENTS:
            n = row.counts[key]
            if not n:
                continue
            width = BAR_AREA * n / largest
            out.append(
                f'<rect x="{x:.1f}" y="{top + 20}" width="{width:.1f}" height="20" '
                f'fill="url(#p-{key})" stroke="#ffffff" stroke-width="1">'
                f"<title>{escape(row.label)}: {n} {escape(name.lower())}</title></rect>"
            )
            if width >= 9 * len(str(n)) + 8:
                out.append(
                    f'<text x="{x + width / 2:.1f}" y="{top + 35}" text-anchor="middle" '
                    f'font-size="13" font-weight="700" fill="#1d2430" stroke="#ffffff" '
                    f'stroke-width="3" paint-order="stroke" aria-hidden="true">{n}</text>'
                )
            x += width
        out.append(
            f'<text x="{x + 6:.1f}" y="{top + 35}" fill="#4a5568" font-size="13" '
            f'aria-hidden="true">{row.total}</text></g>'
        )
    if rest:
        out.append(
            f'<text x="0" y="{ROW_HEIGHT * len(rows) + 22}" fill="#4a5568" '
            f'aria-hidden="true">{escape(others)}.</text>'
        )
    out.append("</svg>")
    return Markup("\n".join(out))
