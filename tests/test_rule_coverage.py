"""Every built-in rule fires for some applicant: none is dead weight or unreachable.

A fixed, varied set of applicants (scores, attempts, Spanish, letters, wishes, earlier
cycles) is planned against the example catalogs plus the small test catalog; the union of
the rules their plans cite must be every rule of the built-in rulesets.
"""

from __future__ import annotations

import itertools
import random
import tomllib

import attrs
import pytest

import resplan
from resplan.convert import structure
from resplan.model import Catalog, Profile
from tests.conftest import DATA, EXAMPLES, make_catalog

STEP1 = [
    {"result": "pass", "attempts": 1},
    {"result": "pass", "attempts": 2},
    {"result": 205, "attempts": 1},
    {"result": 238, "attempts": 1},
    {"result": "fail"},
    {"result": 199, "attempts": 1},
    # (a pass without its attempts is a gap the plan fills with the worst count)
    {"result": "pass", "attempts": 1},
]
STEP2 = [
    None,
    {"score": 210, "attempts": 1},
    {"score": 212, "attempts": 3},
    {"score": 221, "attempts": 1},
    {"score": 245, "attempts": 1},
    {"score": 232, "attempts": 1},
]
SPANISH = [
    [],
    [{"name": "Spanish", "level": "intermediate"}, {"name": "English", "level": "fluent"}],
    [{"name": "Spanish", "level": "medical"}],
    [{"name": "Spanish", "level": "native"}],
]
LETTERS = [
    [],
    [{"writer": "a", "us_clinical": True}],
    [{"writer": "a", "us_clinical": True, "advocate": True}, {"writer": "b", "us_clinical": True}],
]
CLINICAL = [
    [],
    [{"kind": "observership", "months": 1, "city": "Tucson", "state": "AZ"}],
    [{"kind": "hands-on", "months": 6, "city": "McAllen", "state": "TX"}],
    [{"kind": "hands-on", "months": 4, "city": "Chicago", "state": "IL"}],
]
ACTIVITIES = [
    [],
    [
        {"kind": "border-health", "title": "clinic", "months": 24},
        {"kind": "interpreting", "title": "interpreter", "months": 12},
    ],
    [
        {"kind": "leadership", "title": "society president", "months": 12},
        {"kind": "underserved", "title": "free clinic", "months": 18},
    ],
]
WISHES = [
    ["Internal Medicine", "Family Medicine"],
    ["Dermatology"],
    ["Neurology"],
    ["General Surgery", "Internal Medicine"],
    [],
    ["Psychiatry"],
    ["Medical Genetics"],
    ["Pediatrics"],
]
STATES = [None, ["TX", "NM"], ["CA", "AZ"], ["NY"]]


def applicants(count: int = 90, seed: int = 11):
    rng = random.Random(seed)
    grid = list(itertools.product(range(len(STEP1)), range(len(STEP2)), range(len(WISHES))))
    for index in range(count):
        s1, s2, wish = grid[(index * 37) % len(grid)]
        exams = {"step1": STEP1[s1]}
        if STEP2[s2]:
            exams["step2ck"] = STEP2[s2]
        applicant = {
            "graduation_year": rng.choice([2024, 2020, 2018, 2012]),
            "cycle": 2027,
            "visa": rng.choice(["none", "J-1", "H-1B"]),
            "specialties": WISHES[wish],
            "previous_cycles": rng.choice([0, 0, 1, 2]),
        }
        states = rng.choice(STATES)
        if states is not None:
            applicant["states"] = states
        data = {
            "applicant": applicant,
            "exams": exams,
            "languages": rng.choice(SPANISH),
            "letters": rng.choice(LETTERS),
            "clinical": rng.choice(CLINICAL),
            "activities": rng.choice(ACTIVITIES),
        }
        # Some would take either visa (first choice first); some reapplicants say that
        # their file has not changed. Chosen by index, so the draws above stay as they were.
        if index % 5 == 1 and applicant["visa"] != "none":
            applicant["visa"] = [
                applicant["visa"],
                "J-1" if applicant["visa"] == "H-1B" else "H-1B",
            ]
        if applicant["previous_cycles"] and index % 2 == 0:
            data["reapplicant"] = {"changes": []}
        yield structure(data, Profile, file=f"applicant {index}")


# Files the grid above does not make: research, a passed Step 3 (long after graduation
# too), a reapplicant who says
# what changed, an H-1B with a J-1 to fall back on where no program lists an H-1B, and a
# Step 2 CK sat with no score given (it may not be passed yet).
EXTRA = [
    # A competitive wish beside a wish that is not a reach: the backup field's own reason,
    # Internal Medicine for a file without border strengths and Family Medicine with them.
    *(
        {
            "applicant": {
                "graduation_year": 2023,
                "cycle": 2027,
                "visa": "J-1",
                "specialties": ["General Surgery", "Neurology"],
            },
            "exams": {
                "step1": {"result": "pass", "attempts": 1},
                "step2ck": {"score": 230, "attempts": 1},
            },
            "languages": languages,
        }
        for languages in ([], [{"name": "Spanish", "level": "fluent"}])
    ),
    # Low scores, no border strengths, hands-on US work with two US clinical letters, a recent
    # graduate: the US clinical record carries an open field (long after graduation, the
    # fit would stay possible).
    {
        "applicant": {
            "graduation_year": 2023,
            "cycle": 2027,
            "visa": "J-1",
            "specialties": ["Internal Medicine"],
        },
        "exams": {
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 221, "attempts": 1},
        },
        "clinical": [{"kind": "hands-on", "months": 4, "city": "Chicago", "state": "IL"}],
        "letters": [{"writer": "a", "us_clinical": True}, {"writer": "b", "us_clinical": True}],
    },
    # No exam table at all: each is asked for, and no Step 1 is assumed.
    {"applicant": {"graduation_year": 2022, "cycle": 2027, "visa": "J-1"}},
    # No visa: a US citizen, and a permanent resident (NRMP's two groups).
    *(
        {
            "applicant": {
                "graduation_year": 2022,
                "cycle": 2027,
                "visa": "none",
                "us_citizen": citizen,
            },
            "exams": {"step1": {"result": "pass", "attempts": 1}, "step2ck": {"score": 231}},
        }
        for citizen in (True, False)
    ),
    {
        "applicant": {"graduation_year": 2022, "cycle": 2027, "visa": "J-1"},
        "exams": {"step1": {"result": "pass", "attempts": 1}, "step2ck": {"attempts": 1}},
    },
    {
        "applicant": {
            "graduation_year": 2020,
            "cycle": 2027,
            "visa": "J-1",
            "specialties": ["Neurology"],
        },
        "exams": {
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 221, "attempts": 1},
        },
        "activities": [{"kind": "research", "title": "stroke registry", "months": 24}],
    },
    {
        "applicant": {"graduation_year": 2021, "cycle": 2027, "visa": "J-1", "previous_cycles": 1},
        "exams": {
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 228, "attempts": 1},
        },
        "activities": [{"kind": "research", "title": "outcomes study", "months": 12}],
        "reapplicant": {"last_cycle": 2026, "changes": ["letters"]},
    },
    {
        "applicant": {"graduation_year": 2023, "cycle": 2027, "visa": "H-1B"},
        "exams": {
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 222, "attempts": 1},
            "step3": {"result": "pass", "attempts": 1},
        },
    },
    {
        "applicant": {"graduation_year": 2015, "cycle": 2027, "visa": "H-1B"},
        "exams": {
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 235, "attempts": 1},
            "step3": {"result": "pass", "attempts": 1},
        },
    },
    {
        "applicant": {
            "graduation_year": 2021,
            "cycle": 2027,
            "visa": ["H-1B", "J-1"],
            "specialties": ["Internal Medicine"],
            "states": ["AZ"],
        },
        "exams": {
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 236, "attempts": 1},
        },
    },
    {
        "applicant": {
            "graduation_year": 2021,
            "cycle": 2027,
            "visa": ["H-1B", "J-1"],
            "specialties": ["Internal Medicine"],
        },
        "exams": {
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 236, "attempts": 1},
        },
    },
    # Step 2 CK as the profile reports it: not sat (said), sat with no score, a result
    # still to come, a failed sitting; and a good first Step 2 CK after Step 1 failures.
    *(
        {
            "applicant": {"graduation_year": 2024, "cycle": 2027, "visa": "J-1"},
            "exams": {"step1": {"result": "pass", "attempts": step1}, "step2ck": step2},
        }
        for step1, step2 in (
            (1, {"attempts": 0}),
            (1, {"attempts": 2}),
            (1, {"attempts": 1, "result": "pending"}),
            (1, {"attempts": 1, "result": "fail"}),
            (3, {"score": 238, "attempts": 1}),
        )
    ),
    # A preliminary year under way, and a transitional year finished with a strong
    # in-training exam.
    *(
        {
            "applicant": {"graduation_year": 2023, "cycle": 2027, "visa": "J-1"},
            "exams": {
                "step1": {"result": "pass", "attempts": 1},
                "step2ck": {"score": 226, "attempts": 1},
            },
            "training": training,
        }
        for training in (
            {"status": "current", "kind": "preliminary"},
            {"status": "completed", "kind": "transitional", "in_training_percentile": 70},
        )
    ),
    # A year and more of hands-on US work, most of it outside the border region, with
    # two US clinical letters: the total is said as a strength of its own.
    {
        "applicant": {"graduation_year": 2019, "cycle": 2027, "visa": "J-1"},
        "exams": {
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 226, "attempts": 1},
        },
        "clinical": [{"kind": "hands-on", "months": 14, "city": "San Antonio", "state": "TX"}],
        "letters": LETTERS[2],
    },
]


def cited(plan) -> set[str]:
    rules = {
        r.rule for f in plan.assessment.weaknesses + plan.assessment.strengths for r in f.reasons
    }
    rules |= {r.rule for s in plan.specialties for r in s.reasons}
    rules |= {r.rule for g in plan.regions for r in g.reasons}
    rules |= {r.rule for p in plan.programs for r in p.reasons}
    rules |= {a.id for a in plan.actions}
    rules |= {r.rule for r in plan.summary.advice}
    rules |= {r.rule for v in plan.summary.by_specialty for r in v.reasons}
    rules |= {w.rule for w in plan.what_if}
    rules |= {rule for s in plan.signals for rule in s.rules}
    if plan.outlook is not None:
        rules |= {r.rule for r in plan.outlook.says}
        rules |= {
            r.rule for o in plan.outlook.specialties for r in (*o.against, *o.in_favour, *o.context)
        }
    return rules


@pytest.fixture(scope="module")
def catalogs(host):
    small = host.read_catalog(DATA / "catalog-small.toml")
    border = host.read_catalog(EXAMPLES / "catalog" / "border-programs.toml")
    national = host.read_catalog(EXAMPLES / "catalog" / "synthetic-national-sample.toml")
    return [resplan.merge_catalogs([small, border, national]), small, border, national]


def test_every_builtin_rule_fires_for_some_applicant(host, catalogs):
    fired: set[str] = set()
    # The real border programs with the generated sample (`invoke plan --with-synthetic`):
    # changes are compared over the real programs only, and none of them states a limit.
    with_sample = resplan.merge_catalogs(catalogs[2:])
    for index, profile in enumerate(applicants()):
        for catalog in catalogs[:2]:
            fired |= cited(resplan.plan(profile, catalog, host=host))
        # The real border programs alone state no limit a change could clear.
        if index < 20:
            fired |= cited(resplan.plan(profile, catalogs[2], host=host))
        if index < 10:
            fired |= cited(resplan.plan(profile, with_sample, host=host))
        # Some rules speak only once the cycle is under way (the 2027 Match, in November).
        fired |= cited(resplan.plan(profile, catalogs[1], host=host, as_of="2026-11-30"))
        # And some only weeks before the rank list deadline (3 March 2027).
        fired |= cited(resplan.plan(profile, catalogs[1], host=host, as_of="2027-02-20"))
        # And some only in Match Week (from 15 March 2027) or on Match Day (19 March).
        if index < 5:
            for day in ("2027-03-16", "2027-03-19"):
                fired |= cited(resplan.plan(profile, catalogs[1], host=host, as_of=day))
    # A season's number of signals is confirmed only for its own Match: plan for 2025 too.
    for profile in itertools.islice(applicants(), 30):
        if profile.applicant.graduation_year <= 2020:
            early = attrs.evolve(profile, applicant=attrs.evolve(profile.applicant, cycle=2025))
            fired |= cited(resplan.plan(early, catalogs[1], host=host, as_of="2024-06-01"))
    # A reapplicant who aimed at a competitive field and wishes both open fields already:
    # the bridge year is the one backup left (none of the drawn applicants is one). Step 3
    # is given without its result, which a step asks for.
    bridge = {
        "applicant": {
            "graduation_year": 2020,
            "cycle": 2027,
            "visa": "J-1",
            "specialties": ["General Surgery", "Internal Medicine", "Family Medicine"],
            "previous_cycles": 1,
        },
        "exams": {
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": STEP2[3],
            "step3": {"attempts": 1},
        },
    }
    fired |= cited(resplan.plan(structure(bridge, Profile, file="bridge"), catalogs[1], host=host))
    for index, data in enumerate(EXTRA):
        profile = structure(data, Profile, file=f"extra applicant {index}")
        for catalog in catalogs[:3]:
            fired |= cited(resplan.plan(profile, catalog, host=host))
    # A generated program never gets a signal, and the real catalogs put no program that
    # passes in tier 3: the national sample's Psychiatry programs with few IMG residents
    # and no underserved or Spanish focus, taken as real, are in tier 2 or 3 (or skipped).
    taken = Catalog(
        [
            attrs.evolve(p, synthetic=False, source="test: a generated program taken as real")
            for p in catalogs[3]
            if p.specialty == "Psychiatry"
            and p.img_share is not None
            and p.img_share < 0.2
            and not p.underserved_focus
            and not p.spanish_preferred
        ]
    )
    psychiatry = {
        "applicant": {
            "graduation_year": 2018,
            "cycle": 2027,
            "visa": "J-1",
            "specialties": ["Psychiatry"],
        },
        "exams": {
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 232, "attempts": 1},
        },
    }
    fired |= cited(resplan.plan(structure(psychiatry, Profile, file="x"), taken, host=host))
    # The whole national sample taken as real: tiers short of what the spread asks for.
    every = Catalog(
        [
            attrs.evolve(p, synthetic=False, source="test: a generated program taken as real")
            for p in catalogs[3]
        ]
    )
    beside = resplan.merge_catalogs([catalogs[1], catalogs[2], every])
    for profile in itertools.islice(applicants(), 14):
        fired |= cited(resplan.plan(profile, beside, host=host, as_of="2026-07-15"))
    # After the rank list deadline, a Step 3 pass for an H-1B is for a next application
    # (a change counts real programs only: here the national sample is taken as real).
    for index, data in enumerate(EXTRA):
        profile = structure(data, Profile, file=f"extra applicant {index}")
        if "H-1B" in profile.applicant.visas:
            fired |= cited(resplan.plan(profile, beside, host=host, as_of="2027-03-16"))
    # Border strengths where the catalog has no border program of the field (Phoenix).
    phoenix = make_catalog(
        {"id": "phx", "specialty": "Pediatrics", "city": "Phoenix", "state": "AZ"},
    )
    for extra in (
        {"languages": [{"name": "Spanish", "level": "fluent"}]},
        # Working Spanish and another language: the CV step lists both, Spanish first.
        {
            "languages": [
                {"name": "English", "level": "fluent"},
                {"name": "Spanish", "level": "native"},
            ]
        },
        # Some hands-on months, under what counts as enough: "little", not "no" (review 10).
        {"clinical": [{"kind": "hands-on", "months": 2, "city": "El Paso", "state": "TX"}]},
        {"clinical": [{"kind": "hands-on", "months": 12, "city": "El Paso", "state": "TX"}]},
    ):
        border_file = {
            "applicant": {
                "graduation_year": 2024,
                "cycle": 2027,
                "visa": "J-1",
                "specialties": ["Pediatrics"],
            },
            "exams": {
                "step1": {"result": "pass", "attempts": 1},
                "step2ck": {"score": 232, "attempts": 1},
            },
            **extra,
        }
        profile = structure(border_file, Profile, file="border file")
        fired |= cited(resplan.plan(profile, phoenix, host=host, as_of="2026-07-15"))
    # Days after programs start reading (24 September 2026), a list in the field named
    # goes out now: a field with one program, and one the border catalog lacks.
    fired |= cited(resplan.plan(profile, phoenix, host=host, as_of="2026-10-01"))
    fired |= cited(resplan.plan(profile, catalogs[2], host=host, as_of="2026-10-01"))
    # California Psychiatry: the real programs there stop a low score, generated ones pass.
    psychiatry["applicant"]["states"] = ["CA"]
    psychiatry["exams"]["step2ck"] = {"score": 212, "attempts": 1}
    profile = structure(psychiatry, Profile, file="psychiatry")
    fired |= cited(resplan.plan(profile, catalogs[0], host=host))
    # Named states that hold fewer of a short field's programs than the catalog: the
    # backup field's reason names them (Internal Medicine without border strengths,
    # Family Medicine with Spanish). Planned in the last days before the rank list
    # deadline (3 March 2027) too, when certifying the list comes first.
    few = {
        "applicant": {
            "graduation_year": 2024,
            "cycle": 2027,
            "visa": "J-1",
            "specialties": ["Family Medicine"],
            "states": ["NM"],
        },
        "exams": {
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 226, "attempts": 1},
        },
    }
    profile = structure(few, Profile, file="few in the states")
    fired |= cited(resplan.plan(profile, catalogs[2], host=host))
    for day in ("2026-10-01", "2027-02-27", "2027-03-02", "2027-03-03"):
        fired |= cited(resplan.plan(profile, catalogs[2], host=host, as_of=day))
    few["applicant"].update(specialties=["Transitional Year"], states=["TX"])
    few["languages"] = [{"name": "Spanish", "level": "native"}]
    fired |= cited(resplan.plan(structure(few, Profile, file="ty"), catalogs[2], host=host))
    # A Transitional Year as the only field (a catalog with enough of them that the plan
    # adds no backup): its own list, not a fallback's.
    years = make_catalog(
        *({"id": f"tx-ty-{n:02}", "specialty": "Transitional Year"} for n in range(12))
    )
    fired |= cited(resplan.plan(structure(few, Profile, file="ty"), years, host=host))
    # A dated listing that says the program sponsors no visa (the sample's are undated).
    no_visa = make_catalog(
        {"id": "tx-novisa", "specialty": "Transitional Year", "visas": [], "facts_as_of": 2025}
    )
    fired |= cited(resplan.plan(structure(few, Profile, file="ty"), no_visa, host=host))
    # No exams given, after the rank list deadline: adding them is for a next application.
    bare = {
        "applicant": {
            "graduation_year": 2023,
            "cycle": 2027,
            "visa": "J-1",
            "specialties": ["Internal Medicine"],
        }
    }
    bare_profile = structure(bare, Profile, file="no exams")
    fired |= cited(resplan.plan(bare_profile, catalogs[2], host=host, as_of="2027-03-10"))
    # A non-clinical letter whose writer's place is left out: no program hangs on it.
    bare["exams"] = {
        "step1": {"result": "pass", "attempts": 1},
        "step2ck": {"score": 230, "attempts": 1},
    }
    bare["letters"] = [{"writer": "Research mentor", "us_clinical": False}]
    origin = structure(bare, Profile, file="letter origin")
    fired |= cited(resplan.plan(origin, catalogs[2], host=host))
    # A field whose only programs to signal are preliminary tracks: none gets a signal.
    preliminary = Catalog([p for p in catalogs[1] if p.track == "preliminary"])
    recent = {
        "applicant": {
            "graduation_year": 2025,
            "cycle": 2027,
            "visa": "none",
            "specialties": ["Internal Medicine"],
        },
        "exams": {
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 240, "attempts": 1},
        },
    }
    profile = structure(recent, Profile, file="preliminary only")
    fired |= cited(resplan.plan(profile, preliminary, host=host))
    # Step 3 passed, a J-1 or an H-1B, where no program lists an H-1B: the J-1 step says
    # the pass is there already (with named states and without).
    passed = {
        "applicant": {
            "graduation_year": 2021,
            "cycle": 2027,
            "visa": ["H-1B", "J-1"],
            "specialties": ["Internal Medicine"],
        },
        "exams": {
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 226, "attempts": 1},
            "step3": {"result": "pass", "attempts": 1},
        },
        # A month of underserved work, short of a strength: the border list starts empty.
        "activities": [{"kind": "underserved", "title": "clinic", "months": 1}],
    }
    fired |= cited(resplan.plan(structure(passed, Profile, file="step3"), catalogs[2], host=host))
    passed["applicant"]["states"] = ["TX"]
    fired |= cited(resplan.plan(structure(passed, Profile, file="step3"), catalogs[2], host=host))
    # Exams on the season's calendar (review8): a student of this year's class with a low
    # score or a failed sitting (the dean's office can still help); Step 3 passed at the
    # first sitting after a failure; a second Step 2 CK sitting pending, or failed, in
    # interview season; no Step 2 CK days before programs read.
    season = {
        "applicant": {
            "graduation_year": 2026,
            "cycle": 2027,
            "visa": "J-1",
            "specialties": ["Internal Medicine"],
        },
        "exams": {
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 218, "attempts": 1},
        },
    }
    dated = [(season, "2026-06-15")]
    failed = {**season, "exams": {**season["exams"], "step1": {"result": "pass", "attempts": 2}}}
    dated.append(({**failed, "exams": {**failed["exams"], "step2ck": STEP2[4]}}, "2026-06-15"))
    older = {**failed, "applicant": {**season["applicant"], "graduation_year": 2019}}
    step3 = {"result": "pass", "attempts": 1}
    dated.append(({**older, "exams": {**older["exams"], "step3": step3}}, "2026-06-15"))
    for result in ("pending", "fail"):
        second = {"result": result, "attempts": 2}
        dated.append(({**older, "exams": {**older["exams"], "step2ck": second}}, "2026-12-01"))
    # A first sitting pending weeks before the rank list deadline (interviews over).
    first = {"result": "pending", "attempts": 1}
    dated.append(({**season, "exams": {**season["exams"], "step2ck": first}}, "2027-02-20"))
    untaken = {**older, "exams": {**older["exams"], "step2ck": {"attempts": 0}}}
    dated.append((untaken, "2026-09-10"))
    for data, day in dated:
        profile = structure(data, Profile, file="season")
        fired |= cited(resplan.plan(profile, catalogs[1], host=host, as_of=day))
    # A reapplicant with nothing new, three weeks before programs read (review9): with
    # the graduation clock running and without it.
    reapplicant = tomllib.loads((DATA / "review9" / "p06-reapplicant-nothing-new.toml").read_text())
    for year in (2022, 2025):
        reapplicant["applicant"]["graduation_year"] = year
        profile = structure(reapplicant, Profile, file="reapplicant")
        fired |= cited(resplan.plan(profile, catalogs[2], host=host, as_of="2026-09-01"))
    # A US preliminary resident in interview season: the year's evidence goes out now.
    resident = tomllib.loads((DATA / "review9" / "p14-prelim-resident.toml").read_text())
    profile = structure(resident, Profile, file="resident")
    fired |= cited(resplan.plan(profile, catalogs[2], host=host, as_of="2026-12-02"))
    # The applicant's own count of interviews, ECFMG certification pending (with and
    # without what is missing), and letters from US faculty outside patient care.
    keyed = {
        "applicant": {
            "graduation_year": 2024,
            "cycle": 2027,
            "visa": "J-1",
            "specialties": ["Internal Medicine"],
            "states": ["TX"],
        },
        "exams": {
            "step1": {"result": "pass", "attempts": 1},
            "step2ck": {"score": 226, "attempts": 1},
        },
        "letters": [{"writer": "PI", "us_clinical": False, "origin": "us", "advocate": True}],
        "ecfmg": {"status": "pending", "missing": ["communication"]},
    }
    # In a field other than Internal Medicine too: the survey's figures say whose they are.
    for specialty, interviews, advocate, missing in (
        ("Family Medicine", 3, True, ["communication"]),
        ("Family Medicine", 2, False, []),
        ("Family Medicine", 9, False, []),
        ("Internal Medicine", 3, True, ["communication"]),
        ("Internal Medicine", 2, False, []),
        ("Internal Medicine", 9, False, []),
        ("Internal Medicine", 0, False, []),
        # Close to the median of those who matched, early in the season: on track.
        ("Family Medicine", 6, True, []),
        ("Internal Medicine", 6, True, []),
    ):
        keyed["applicant"]["specialties"] = [specialty]
        keyed["applicant"]["interviews"] = interviews
        keyed["letters"][0]["advocate"] = advocate
        keyed["ecfmg"]["missing"] = missing
        profile = structure(keyed, Profile, file="keyed")
        for day in ("2026-07-15", "2026-11-30", "2027-02-20"):
            fired |= cited(resplan.plan(profile, catalogs[2], host=host, as_of=day))
    # A safety-net program whose listing shows neither IMG residents nor a visa, tier 1
    # for an applicant with Spanish: its signal says to ask whether it takes IMGs.
    safety_net = make_catalog(
        {
            "id": "tx-houston-safetynet-im",
            "specialty": "Internal Medicine",
            "city": "Houston",
            "state": "TX",
            "underserved_focus": True,
            "spanish_preferred": True,
        },
    )
    passed["languages"] = [{"name": "Spanish", "level": "native"}]
    fired |= cited(resplan.plan(structure(passed, Profile, file="safety"), safety_net, host=host))
    # Psychiatry and Pediatrics both wished: one interview step with the topics of both
    # (review 10). The example with the synthetic sample beside the border programs: no
    # real program publishes a limit, and the generated ones are not compared.
    passed["applicant"]["specialties"] = ["Psychiatry", "Pediatrics"]
    fired |= cited(resplan.plan(structure(passed, Profile, file="psych"), catalogs[2], host=host))
    # A field with a small national share of non-US IMGs, for a US citizen (her fit stands,
    # the figure is said to be another group's); and a field with no border program, for
    # an applicant with border strengths and no Step 2 CK yet (review 10, finding 11).
    for wishes, visa, step2ck in (
        (["Psychiatry"], "none", {"score": 236, "attempts": 1}),
        (["Pediatrics"], "J-1", None),
    ):
        field = {
            "applicant": {
                "graduation_year": 2024,
                "cycle": 2027,
                "visa": visa,
                "us_citizen": visa == "none",
                "specialties": wishes,
            },
            "exams": {"step1": {"result": "pass", "attempts": 1}},
            "languages": [{"name": "Spanish", "level": "native"}],
            "letters": [{"writer": "a", "us_clinical": True, "advocate": True}],
        }
        if step2ck is not None:
            field["exams"]["step2ck"] = step2ck
        profile = structure(field, Profile, file="field")
        fired |= cited(resplan.plan(profile, catalogs[2], host=host, as_of="2026-04-20"))
    # The eleventh review's people (tests/data/review11): an H-1B first choice whose fields
    # the catalog lacks; a reapplicant whose only change is a low Step 2 CK, and the same
    # with new US work too; an unchanged file past the graduation window, weeks before
    # programs read (review 11, findings 1, 5 and 14).
    review11 = DATA / "review11"
    for name, day in (
        ("p7-245-em-anesth-nospanish", "2026-07-15"),
        ("p8-fresh-grad-step2-pending-gaps-after", "2027-03-25"),
        ("p3-205-retake-2013-after", "2027-09-01"),
    ):
        profile = resplan.load_profile(review11 / f"{name}.toml")
        fired |= cited(resplan.plan(profile, catalogs[2], host=host, as_of=day))
        if profile.reapplicant is not None and profile.reapplicant.changes == ("step2ck",):
            more = attrs.evolve(profile.reapplicant, changes=("step2ck", "us-clinical"))
            profile = attrs.evolve(profile, reapplicant=more)
            fired |= cited(resplan.plan(profile, catalogs[2], host=host, as_of=day))
    # Two named fields the catalog lacks, with Spanish: Family Medicine is the backup.
    spanish = resplan.load_profile(DATA / "review3" / "s5-260-em-anesth.toml")
    fired |= cited(resplan.plan(spanish, catalogs[2], host=host, as_of="2026-06-05"))
    example = resplan.load_profile(EXAMPLES / "profiles" / "example.toml")
    sample = Catalog(programs=catalogs[2].programs + catalogs[3].programs)
    fired |= cited(resplan.plan(example, sample, host=host))
    every = {r.qualified_id for rs in host.rulebook.rulesets for r in rs.rules}
    assert sorted(every - fired) == [], sorted(every - fired)


def test_every_specialty_an_applicant_can_name_has_a_group(host):
    from resplan.vocabulary import SPECIALTIES

    assert {row.name for row in host.rulebook.specialties} == set(SPECIALTIES)
