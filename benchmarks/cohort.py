"""A reproducible synthetic cohort of applicant profiles for the batch benchmark.

Each profile starts from one of ``examples/profiles/*.toml`` and changes what moves a plan
the most: the visa, the wished specialties and preferred states, years since graduation,
earlier cycles, Step 1 attempts and the Step 2 CK score (or no Step 2 CK yet). Everything
comes from one ``random.Random(seed)``, so the same arguments write the same files.
"""

from __future__ import annotations

import copy
import random
import tomllib
from pathlib import Path

import tomli_w

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE_PROFILES = ROOT / "examples" / "profiles"

# Mostly the fields IMGs with low scores aim at, some others so every specialty group shows.
SPECIALTY_POOL = (
    ["Internal Medicine"] * 6 + ["Family Medicine"] * 5 + ["Pediatrics"] * 3
    + ["Psychiatry"] * 3 + ["Transitional Year"] * 2 + ["Neurology", "Pathology",
    "General Surgery", "Obstetrics and Gynecology", "Emergency Medicine", "Anesthesiology",
    "Internal Medicine-Pediatrics", "Diagnostic Radiology", "Dermatology"]
)
BORDER_STATES = ("TX", "NM", "AZ", "CA")


def make_cohort(count: int, folder: Path, seed: int = 1) -> list[Path]:
    """Write ``count`` profiles ``applicant-0000.toml``... to ``folder``; return their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    bases = [tomllib.loads(p.read_text(encoding="utf-8"))
             for p in sorted(EXAMPLE_PROFILES.glob("*.toml"))]
    rng = random.Random(seed)
    paths = []
    for index in range(count):
        data = copy.deepcopy(bases[index % len(bases)])
        applicant = data["applicant"]
        applicant["visa"] = rng.choice(("none", "J-1", "J-1", "J-1", "H-1B"))
        wishes = []
        for _ in range(rng.choice((1, 2, 2, 3))):
            name = rng.choice(SPECIALTY_POOL)
            if name not in wishes:
                wishes.append(name)
        applicant["specialties"] = wishes
        applicant["states"] = sorted(rng.sample(BORDER_STATES, rng.randint(1, 4)))
        applicant["previous_cycles"] = rng.choice((0, 0, 0, 1, 2))
        applicant["graduation_year"] = applicant["cycle"] - 1 - rng.randint(0, 12)
        exams = data.setdefault("exams", {})
        exams["step1"] = {"result": "pass", "attempts": rng.choice((1, 1, 1, 1, 2))}
        if rng.random() < 0.15:
            exams.pop("step2ck", None)
        else:
            exams["step2ck"] = {"score": rng.randint(196, 262),
                                "attempts": rng.choice((1, 1, 1, 1, 1, 2))}
        path = folder / f"applicant-{index:04d}.toml"
        path.write_text(tomli_w.dumps(data), encoding="utf-8")
        paths.append(path)
    return paths
