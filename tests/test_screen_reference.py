"""The hand-written NumPy reference of the screen stage (benchmarks/reference.py) gives the
same decisions as resplan's: the benchmark times resplan against it, so it must not rot."""

from __future__ import annotations

import sys

import pytest

import resplan
from resplan.facts import profile_facts
from resplan.pipeline import STAGES, Draft
from tests.conftest import DATA, EXAMPLES, ROOT, make_profile

sys.path.insert(0, str(ROOT / "benchmarks"))
import reference  # noqa: E402

PROFILES = sorted((EXAMPLES / "profiles").glob("*.toml")) + sorted(
    p for p in (DATA / "advisor").glob("*.toml") if p.name != "catalog.toml"
)


@pytest.fixture(scope="module")
def builtin_host():
    """resplan's own rulesets: those the reference is written from."""
    every = resplan.load_host(use_env=False)
    return resplan.load_host(
        use_env=False, disable=[p.name for p in every.plugins if p.distribution != "resplan"]
    )


@pytest.fixture(scope="module")
def catalog(builtin_host):
    return resplan.merge_catalogs(
        [
            builtin_host.read_catalog(EXAMPLES / "catalog" / "border-programs.toml"),
            builtin_host.read_catalog(EXAMPLES / "catalog" / "synthetic-national-sample.toml"),
        ]
    )


def screened(profile, catalog, host):
    draft = Draft(
        profile=profile,
        catalog=catalog,
        rulebook=host.rulebook,
        env=profile_facts(profile, host.rulebook.city_regions),
    )
    for name, run in STAGES:
        draft = run(draft)
        if name == "screen":
            return draft


def made_profiles():
    """Applicants the example files do not cover: no Step 2 CK, a visa nobody lists, a
    failure with many attempts, a long-ago graduate."""
    yield make_profile()
    yield make_profile(
        applicant={
            "visa": "H-1B",
            "graduation_year": 2012,
            "specialties": ["Family Medicine", "Pediatrics"],
        }
    )
    yield make_profile(
        applicant={"visa": "J-1", "specialties": ["Internal Medicine"]},
        exams={
            "step1": {"result": "pass", "attempts": 3},
            "step2ck": {"score": 231, "attempts": 2},
        },
    )


def test_reference_agrees_with_the_screen_stage(builtin_host, catalog):
    ref = reference.ReferenceColumns(catalog, builtin_host.rulebook)
    assert ref.missing == ()
    profiles = [resplan.load_profile(p) for p in PROFILES] + list(made_profiles())
    compared, verdicts, to_verify = 0, set(), 0
    for profile in profiles:
        draft = screened(profile, catalog, builtin_host)
        ours = reference.resplan_decisions(draft.screening)
        theirs = ref.decisions(reference.screen_draft(ref, draft))
        assert reference.disagreements(ours, theirs) == []
        compared += len(ours)
        verdicts |= {v for v, _rules, _facts in ours.values()}
        to_verify += sum(1 for _v, _rules, facts in ours.values() if facts)
    # The comparison saw every verdict and facts to verify, not empty screenings.
    assert compared > 1000 and verdicts == {"apply", "borderline", "skip"} and to_verify > 100


def test_reference_differs_when_a_rule_does(builtin_host, catalog):
    """The check can fail: a reference whose Step 2 CK near miss is 2 points wider disagrees."""
    ref = reference.ReferenceColumns(catalog, builtin_host.rulebook)
    ref.near_miss += 2
    differing = []
    for path in PROFILES:
        draft = screened(resplan.load_profile(path), catalog, builtin_host)
        differing += reference.disagreements(
            reference.resplan_decisions(draft.screening),
            ref.decisions(reference.screen_draft(ref, draft)),
        )
    assert differing
    assert all(ours[1] != theirs[1] for _pid, ours, theirs in differing)
