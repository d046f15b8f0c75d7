"""A short Markdown summary to paste into an email: the first screen, where the applicant
stands, the tier 1 programs and what to do next. ``full=True`` adds every program.

Text from the plan is escaped for Markdown and for the HTML a Markdown viewer may let
through: a program named ``<script>`` or ``*bold*`` shows as written.
"""

from __future__ import annotations

import re

from resplan.report.view import (
    BACKUP,
    FITS,
    PRIORITIES,
    Report,
    count,
    dollars,
    fee_rows,
    list_counts,
    list_label,
    numbers_under_way,
    other_costs,
    real_tiers,
    rule_source,
    under_way,
    what_if_effect,
    without_programs,
    words_list,
)
from resplan.season import STEP
from resplan.vocabulary import tier_words

# What Markdown reads as markup inside a line; parentheses only matter after "]".
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


def esc(text) -> str:
    """Plain text as Markdown that shows it as written."""
    text = str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = " ".join(text.split())  # no line break can start a heading or a list
    text = _SPECIAL.sub(r"\\\1", text)
    # At the start of a line, "# " makes a heading and "1. ", "- " or "+ " a list.
    return re.sub(r"^(\d+)\.", r"\1\\.", re.sub(r"^([-+=#])", r"\\\1", text))


def _fee_part(c, outside: set[str]) -> str:
    """One specialty's fees in the summary, for its full list; "10 fewer" only for a list
    longer than 10; a list the catalog holds none of says so (``outside``)."""
    fewer = f", {STEP} fewer save {dollars(c.ten_fewer)}" if c.applications > STEP else ""
    none = ", none of them in this catalog" if c.name in outside else ""
    return (
        f"{esc(c.name)} {dollars(c.fee)} for "
        f"{count(c.applications, 'application', 'applications')}{none} "
        f"({STEP} more add {dollars(c.ten_more)}{fewer})"
    )


def render(report: Report, *, full: bool = False) -> str:
    plan, s = report.plan, report.plan.summary
    out = ["# Your residency application plan", "", esc(report.for_whom)]
    if report.date:
        out += ["", f"Plan date: {esc(report.date)}. The next steps below start from that date."]
        if report.calendar_note:
            out[-1] += f" {esc(report.calendar_note)}"
    out += ["", "## What to do next", ""]
    for i, step in enumerate(report.next_steps, 1):
        # Every step with its date: an email reader takes a step without one as undated.
        out.append(f"{i}. **{esc(step.title)}** ({esc(step.when)})")
    if not report.next_steps:
        out.append("The plan lists no actions.")
    out += _steps_shown(report, full)
    out += ["", "## The numbers", ""]
    # A backup field added after this Match's applications went out is counted apart.
    counted = list_counts(s, report.rows)
    real_apply = sum(
        1 for r in report.rows if r.verdict == "apply" and not r.synthetic and r.group != BACKUP
    )
    borderline = (
        f", and {count(counted.borderline, 'borderline program', 'borderline programs')} "
        if counted.borderline
        else ""
    )
    if under_way(s):  # the applications went out: the list is to compare, or for later
        # What to do with the list is said below, with the numbers of a full list.
        label, _meant = list_label(s, report.match_stage)
        out.append(
            f"- {label}: {counted.apply:,}"
            + (f" ({real_apply:,} of them real)" if real_apply != counted.apply else "")
            + (f"{borderline}that would need an extra step" if borderline else "")
        )
    else:
        out.append(
            f"- {count(counted.apply, 'program', 'programs')} to apply to"
            + (f" ({real_apply:,} of them real)" if real_apply != counted.apply else "")
            + (f"{borderline}to apply to only with an extra step" if borderline else "")
        )
    if report.synthetic_count:  # the tiers of the real programs, the ones to act on
        t1, t2, t3 = real_tiers(report.rows)
        out.append(
            f"- Real programs by tier (tier 1 is your best fit): {tier_words((t1, t2, t3))}; "
            "the generated sample adds "
            + tier_words(tuple(n - real for n, real in zip(counted.tiers, (t1, t2, t3)))).replace(
                "all ", ""
            )
        )
    else:  # a tier that holds no program is left out
        out.append(f"- By tier (tier 1 is your best fit): {tier_words(counted.tiers)}")
    if counted.backup:
        fields = words_list(counted.backup_fields)
        out.append(
            f"- {count(counted.backup, 'program', 'programs')} of {esc(fields)}, "
            f"{'a backup field' if len(counted.backup_fields) == 1 else 'backup fields'} "
            "this plan adds: part of your list if you applied in it, else for SOAP or a "
            "next application"
        )
    out.append(
        # No "before you apply": a plan made after the applications went out says the same.
        f"- {count(s.to_verify, 'program has', 'programs have')} facts to confirm with the program"
    )
    out.append(
        f"- {count(s.skip, 'program is', 'programs are')} skipped: a filter would stop your file"
    )
    later = under_way(s)
    if later:  # the list went out: its numbers are for comparing and for a next application
        out += [
            f"- {esc(line)}"
            for line in numbers_under_way(
                s, report.match_stage, report.interviews_over, counted.apply
            )
        ]
    elif s.applications:
        send = f"- Send about {count(s.applications, 'application', 'applications')}"
        if s.shortfall:  # the catalog holds fewer than a full list: say so where the count is
            send += (
                f"; find about {count(s.shortfall, 'more program', 'more programs')}"
                " outside this catalog for a full list"
            )
        out.append(send)
    elif s.shortfall:  # no program to apply to: the whole list is still to find
        real = "real " if report.synthetic_count else ""
        out.append(
            f"- This catalog has no {real}program you can apply to: find about "
            f"{count(s.shortfall, 'program', 'programs')} outside it for a full list"
        )
    if report.synthetic_count:
        one = report.synthetic_count == 1
        out.append(
            f"- {count(report.synthetic_count, 'program comes', 'programs come')} from a "
            f"generated sample. {'It is not a real program' if one else 'They are not real programs'}"
            ", so the applications to send do not count "
            f"{'it' if one else 'them'}."
        )
    if s.cost:
        outside = {v.name for v in s.by_specialty if v.applications == 0}
        parts = "; ".join(_fee_part(c, outside) for c in fee_rows(s.cost))
        none = without_programs(s.cost)
        purpose = ", for a next application," if later else ","
        # Say what the figure is, not a label: the fees of the lists the plan proposes.
        out.append(
            f"- What ERAS charges to send the lists this plan proposes{purpose} at the "
            f"{s.cost.season} ERAS season's prices: {dollars(s.cost.total)} in total."
            + (f" {parts}." if parts else "")
            + (f" {esc(none)}" if none else "")
        )
        if other_costs(s):
            out.append(f"- {esc(other_costs(s))}")
    out += ["", "## Where you stand", ""]
    for title, findings in (
        ("What programs will see as weak points", plan.assessment.weaknesses),
        ("Strengths that help you", plan.assessment.strengths),
    ):
        if findings:
            out += [f"**{title}**", ""]
            out += [
                f"- {esc(_first_upper(f.label or f.name))}: "
                + esc(report.brief(" ".join(r.says for r in f.reasons)))
                for f in findings
            ]
            out.append("")
    missing = getattr(plan.assessment, "missing", ())
    if missing:
        out += ["**What your profile leaves out** (each line says how the plan reads it)", ""]
        out += [f"- {esc(_first_upper(m.label))}: {esc(m.says)}" for m in missing]
        out.append("")
    if plan.specialties:
        out += ["**Specialties**", ""]
        for t in plan.specialties:
            fit = FITS.get(t.fit, t.fit)
            out.append(
                f"- {esc(t.name)}: {esc(fit)}. "
                + esc(report.brief(" ".join(r.says for r in t.reasons)))
            )
        out.append("")
    out += _outlook(report)
    high = [r.name for r in plan.regions if r.priority == "high"]
    if high:
        out += [f"**{PRIORITIES['high']} border areas:** {esc(words_list(high))}", ""]
    out += _signals(report, full)
    changes = getattr(plan, "what_if", ())
    if changes or report.what_if_said:
        out += ["## What would change your plan", ""]
    if changes:
        out += [
            "The plan was made again with each change. The largest effect comes first.",
            "",
        ]
        for change in changes:
            note = f" {esc(change.note)}" if change.note else ""
            out.append(
                f"- **{esc(_first_upper(change.change))}.** {esc(what_if_effect(change))}{note}"
            )
        out.append("")
    for said in report.what_if_said:
        out += [esc(said), ""]
    if full and len(report.steps) > len(report.next_steps):
        out += _every_step(report)
    tier1 = next((g for g in report.groups if g.key == "tier1"), None)
    out += ["## Tier 1 programs", ""]
    # "Real" only where generated programs are in the plan: otherwise it hints at some.
    none = "No real program" if report.synthetic_count else "No program"
    out += _table(tier1.rows) if tier1 else [f"{none} is in tier 1."]
    if full:
        for group in report.groups:
            if group.key == "tier1":
                continue
            out += ["", f"## {esc(group.title)}", ""] + _table(group.rows)
        for group in report.synthetic:
            out += ["", f"## Not real programs (generated sample): {esc(group.title)}", ""]
            out += _table(group.rows)
    elif len(report.groups) > 1 or report.synthetic:
        out += [
            "",
            "The full program list (and why each program gets a signal) is in the HTML "
            "or CSV report (`resplan report PLAN --out plan.html`), or here with `--full`.",
        ]
    return "\n".join(out).rstrip() + "\n"


def _steps_shown(report: Report, full: bool) -> list[str]:
    """Where the steps the short list leaves out are: a reader of an email cannot tell
    what is missing."""
    shown, total = len(report.next_steps), len(report.steps)
    if shown >= total:
        return []
    where = (
        'All of them, with what each asks, are under "Every step, by date" below.'
        if full
        else "The others are in the HTML report and in the plan file, or here with `--full`."
    )
    return ["", f"These are {shown:,} of the plan's {total:,} steps. {where}"]


def _every_step(report: Report) -> list[str]:
    """Every step of the plan, under its date, with what it asks (``--full``)."""
    out = ["## Every step, by date", ""]
    for when, steps in report.timeline:
        out += [f"**{esc(when)}**", ""]
        out += [f"- **{esc(step.title)}**: {esc(step.detail)}" for step in steps]
        out.append("")
    return out


def _outlook(report: Report) -> list[str]:
    """Where the file stands against national figures, with every figure's source and season."""
    outlook = getattr(report.plan, "outlook", None)
    if outlook is None:
        return []
    out = ["**Your outlook against national figures** (context for your plan, not your chance)", ""]
    # One bullet a statement, and a specialty's findings under it, by kind: one paragraph
    # of them all was too long to read (review 9, finding 17).
    for reason in outlook.says:
        source = rule_source(report.labels, reason.rule)
        said = report.brief(reason.says)
        out.append(f"- {esc(said + (f' (Source: {source}.)' if source else ''))}")
    for o in outlook.specialties:
        out.append(f"- {esc(report.brief(o.says))}")
        for words, reasons in (
            ("Against you", o.against),
            ("In your favor", o.in_favour),
            # the specialty's figures: never read as part of "in your favor"
            ("For context", o.context),
        ):
            if reasons:
                out.append(f"  - {words}: {esc(report.brief(' '.join(r.says for r in reasons)))}")
    if outlook.figures:
        out.append("- Figures quoted:")
        for f in outlook.figures:
            season = f" ({f.season} Match)" if f.season is not None else ""
            quoted = f"{(f.what or f.name).rstrip('.')}{season}: {f.value:g}. Source: {f.source}."
            out.append(f"  - {esc(quoted)}")
    return out + [""]


def _signals(report: Report, full: bool) -> list[str]:
    """The programs to signal, per specialty, in one line each; with ``full``, one line per
    program with its reason."""
    groups = getattr(report.plan, "signals", ())
    if not groups:
        return []
    out = ["## Program signals", ""]
    for g in groups:
        parts = [g.says]
        lines = []
        # Each list says how many it holds ("3 gold signals: ..."); with ``full``, each
        # program says its place in its list ("Gold signal 1 of 3").
        for kind in ("gold", "silver", "signal"):
            chosen = [c for c in g.programs if c.kind == kind]
            if not chosen:
                continue
            words = "signal" if kind == "signal" else f"{kind} signal"
            if not full:
                names = "; ".join(f"{c.name} ({c.city}, {c.state})" for c in chosen)
                plural = "" if len(chosen) == 1 else "s"
                parts.append(f"{len(chosen)} {words}{plural}: {names}.")
                continue
            lines += [
                f"  - {_first_upper(words)} {n} of {len(chosen)}: {esc(c.name)} "
                f"({esc(c.city)}, {esc(c.state)}): {esc(c.why)}"
                for n, c in enumerate(chosen, 1)
            ]
        parts += [text for text in (g.geographic, g.evidence) if text]
        out.append(f"- **{esc(g.specialty)}**: {esc(' '.join(parts))}")
        out += lines
    return out + [""]


def _first_upper(text: str) -> str:
    return text[:1].upper() + text[1:]


# Characters that would end a Markdown link's address or a table cell: written as %XX.
_URL_SPECIAL = re.compile(r"[()<>\[\]|\\`\"' ]")


def _named(r) -> str:
    """The program's name, a link to its website when the plan gives one, and its codes."""
    name = esc(r.name)
    if r.website:  # an http(s) address (view.Row), its markup characters encoded
        name = f"[{name}]({_URL_SPECIAL.sub(lambda m: f'%{ord(m.group()):02X}', r.website)})"
    codes = [
        f"NRMP {esc(r.nrmp_code)}" if r.nrmp_code else "",
        f"ACGME {esc(r.acgme_id)}" if r.acgme_id else "",
    ]
    codes = [c for c in codes if c]
    return name + (f" ({', '.join(codes)})" if codes else "")


def _table(rows) -> list[str]:
    out = ["| Program | Place | Specialty | Why | To verify |", "| --- | --- | --- | --- | --- |"]
    for r in rows:
        name = _named(r) + (" (not a real program)" if r.synthetic else "")
        out.append(
            f"| {name} | {esc(r.place)} | {esc(r.specialty)} | "
            f"{esc(' '.join(r.reasons))} | {esc(', '.join(r.to_verify)) or 'nothing'} |"
        )
    return out
