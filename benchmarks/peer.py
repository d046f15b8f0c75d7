"""The peer: resplan's screening rules written for the generic `rule-engine` package.

What a user would otherwise write: one ``rule_engine.Rule`` per screening rule, compiled
once, then evaluated program by program against a flat dict of that program's facts and
the applicant's. Three-valued logic the simplest honest way: a fact the program does not
publish is left out of the dict, rule-engine raises ``SymbolResolutionError`` when a rule
reaches it, and that rule does not fire. The verdict is the most severe fired rule's
(``apply`` when none fires), as in ``rulesets/screening.toml``.

The rule texts below are translations of ``rulesets/screening.toml`` by hand (rule-engine
has no ``any_in``, ``count`` or ``known``; ``x.length`` and ``in`` do their work). The
parameters come from the loaded rulebook, so an override reaches the peer too. A
screening rule in the rulebook with no translation here is reported as missing.
"""

from __future__ import annotations

from typing import Any

import attrs
import rule_engine

from resplan.model import Program

SEVERITY = ("apply", "borderline", "skip")
STRENGTHS = (
    "('strong-border-profile' in assessment_strengths or 'advocate' in assessment_strengths)"
)

# (rule id in the screening ruleset, verdict, rule-engine text)
RULES: tuple[tuple[str, str, str], ...] = (
    (
        "step2ck-near-miss-with-strengths",
        "borderline",
        "profile_step2ck_score < program_min_step2ck"
        " and profile_step2ck_score >= program_min_step2ck - {near_miss_points}"
        f" and {STRENGTHS}",
    ),
    (
        "step2ck-near-miss-without-strengths",
        "skip",
        "profile_step2ck_score < program_min_step2ck"
        " and profile_step2ck_score >= program_min_step2ck - {near_miss_points}"
        f" and not {STRENGTHS}",
    ),
    (
        "step2ck-below-minimum",
        "skip",
        "profile_step2ck_score < program_min_step2ck - {near_miss_points}"
        " and profile_step2ck_score >= program_min_step2ck - {far_below_points}",
    ),
    (
        "step2ck-far-below-minimum",
        "skip",
        "profile_step2ck_score < program_min_step2ck - {far_below_points}",
    ),
    (
        "step2ck-well-below-program-mean",
        "borderline",
        "profile_step2ck_score < program_mean_step2ck - {below_mean_points}",
    ),
    (
        "step2ck-pending-vs-minimum",
        "borderline",
        "not profile_step2ck_taken and program_min_step2ck != null"
        " and program_min_step2ck > {step2ck_passing_score}",
    ),
    (
        "graduation-too-long-ago",
        "skip",
        "profile_years_since_graduation > program_max_years_since_graduation",
    ),
    ("too-many-attempts", "skip", "profile_max_attempts > program_max_attempts"),
    ("failure-vs-first-attempt-only", "skip", "profile_any_failure and program_max_attempts == 1"),
    (
        "visa-not-sponsored",
        "skip",
        "profile_needs_visa and program_visas.length > 0 and not (profile_visa in program_visas)",
    ),
    ("visa-none-sponsored", "skip", "profile_needs_visa and program_visas.length == 0"),
    # A strong Step 2 CK keeps these programs (a reach); an unknown one does not. The
    # peer works out whether the score is strong once per applicant (Peer.applicant):
    # a missing score would stop rule-engine before any test of it.
    ("no-img-residents", "skip", "program_img_share == 0 and not strong_step2ck"),
    (
        "few-img-residents",
        "skip",
        "program_img_share > 0 and program_img_share <= {img_share_few_max} and not strong_step2ck",
    ),
    ("unlikely-specialty", "borderline", "specialty_fit == 'unlikely'"),
)


def _resolve(thing, name):
    """rule-engine's item resolver, less the 'did you mean' suggestion it computes for a
    missing symbol (a Jaro-Winkler distance to every key: ~90% of the peer's time when
    unknowns are common). A missing fact still raises SymbolResolutionError."""
    try:
        return thing[name]
    except KeyError:
        raise rule_engine.errors.SymbolResolutionError(name) from None


CONTEXT = rule_engine.Context(resolver=_resolve)

PROGRAM_FIELDS = tuple(a.name for a in attrs.fields(Program) if a.name != "source")


class Peer:
    """The screening ruleset of ``rulebook``, compiled for rule-engine."""

    def __init__(self, rulebook, ruleset: str = "screening"):
        active = [r for r in rulebook.rules("screen")]
        params = {}
        for rs in rulebook.rulesets:
            if rs.name == ruleset:
                params = {name: p.value for name, p in rs.parameters.items()}
        self.strong = params["strong_step2ck_from"]
        texts = {rule_id: (verdict, text) for rule_id, verdict, text in RULES}
        self.rules = []
        self.missing = []  # screen rules of the rulebook the peer has no translation for
        for rule in active:
            if rule.ruleset != ruleset or rule.id not in texts:
                self.missing.append(rule.qualified_id)
                continue
            verdict, text = texts[rule.id]
            if verdict != rule.effect["verdict"]:
                raise ValueError(
                    f"peer rule {rule.id}: verdict {verdict} is not the ruleset's "
                    f"{rule.effect['verdict']}"
                )
            for name, value in params.items():
                text = text.replace("{" + name + "}", repr(value))
            self.rules.append(
                (
                    rule.qualified_id,
                    verdict,
                    SEVERITY.index(verdict),
                    rule_engine.Rule(text, context=CONTEXT),
                )
            )

    def applicant(self, draft) -> dict[str, Any]:
        """The applicant's facts, once per plan: resplan's names with '_' for '.', and
        whether the Step 2 CK is strong (false when it is not known)."""
        thing = {}
        for name, value in draft.env.items():
            if isinstance(value, frozenset):  # rule-engine knows set, not frozenset
                value = set(value)
            thing[name.replace(".", "_")] = value
        score = draft.env.get("profile.step2ck.score")
        thing["strong_step2ck"] = score is not None and score >= self.strong
        return thing

    def screen(self, draft) -> dict[str, tuple[str, tuple[str, ...]]]:
        """program id -> (verdict, the fired rules that gave it), for every considered program."""
        applicant = self.applicant(draft)
        fits = {name: env.get("specialty.fit") for name, env in draft.specialty_envs.items()}
        considered = {t.name for t in draft.specialties}
        rules = self.rules
        out = {}
        for program in draft.catalog.programs:
            if program.specialty not in considered:
                continue
            thing = dict(applicant)
            for name in PROGRAM_FIELDS:
                value = getattr(program, name)
                if value is not None:
                    thing["program_" + name] = value
            thing["specialty_fit"] = fits[program.specialty]
            fired = []
            for qualified_id, _verdict, severity, rule in rules:
                try:
                    if rule.matches(thing):
                        fired.append((severity, qualified_id))
                except rule_engine.SymbolResolutionError:
                    pass  # a fact the program does not publish: the rule does not fire
            worst = max((s for s, _ in fired), default=0)
            out[program.id] = (SEVERITY[worst], tuple(i for s, i in fired if s == worst))
        return out


def resplan_verdicts(screening) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The same shape from resplan's screen stage (Draft.screening)."""
    return {
        program.id: (screening.verdict(i), tuple(r.rule for r in screening.reasons(i)))
        for i, program in enumerate(screening.table.programs)
    }


def disagreements(ours: dict, peer: dict) -> list[tuple[str, Any, Any]]:
    """(program id, resplan's, peer's) wherever the verdict or the cited rules differ."""
    out = []
    for pid in sorted(set(ours) | set(peer)):
        a, b = ours.get(pid), peer.get(pid)
        if a is None or b is None or a[0] != b[0] or sorted(a[1]) != sorted(b[1]):
            out.append((pid, a, b))
    return out
