"""Closed vocabularies of the input formats.

These are names, not thresholds: which US states exist, which values a field may take.
Anything a rule decides on lives in the rulesets instead.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from resplan.model import LanguageLevel

STATES: dict[str, str] = {
    "AL": "Alabama",
    "AK": "Alaska",
    "AZ": "Arizona",
    "AR": "Arkansas",
    "CA": "California",
    "CO": "Colorado",
    "CT": "Connecticut",
    "DE": "Delaware",
    "DC": "District of Columbia",
    "FL": "Florida",
    "GA": "Georgia",
    "HI": "Hawaii",
    "ID": "Idaho",
    "IL": "Illinois",
    "IN": "Indiana",
    "IA": "Iowa",
    "KS": "Kansas",
    "KY": "Kentucky",
    "LA": "Louisiana",
    "ME": "Maine",
    "MD": "Maryland",
    "MA": "Massachusetts",
    "MI": "Michigan",
    "MN": "Minnesota",
    "MS": "Mississippi",
    "MO": "Missouri",
    "MT": "Montana",
    "NE": "Nebraska",
    "NV": "Nevada",
    "NH": "New Hampshire",
    "NJ": "New Jersey",
    "NM": "New Mexico",
    "NY": "New York",
    "NC": "North Carolina",
    "ND": "North Dakota",
    "OH": "Ohio",
    "OK": "Oklahoma",
    "OR": "Oregon",
    "PA": "Pennsylvania",
    "PR": "Puerto Rico",
    "RI": "Rhode Island",
    "SC": "South Carolina",
    "SD": "South Dakota",
    "TN": "Tennessee",
    "TX": "Texas",
    "UT": "Utah",
    "VT": "Vermont",
    "VA": "Virginia",
    "WA": "Washington",
    "WV": "West Virginia",
    "WI": "Wisconsin",
    "WY": "Wyoming",
}

# ACGME core specialties and the first-year tracks applicants rank.
SPECIALTIES: tuple[str, ...] = (
    "Anesthesiology",
    "Child Neurology",
    "Dermatology",
    "Diagnostic Radiology",
    "Emergency Medicine",
    "Family Medicine",
    "General Surgery",
    "Internal Medicine",
    "Internal Medicine-Pediatrics",
    "Interventional Radiology",
    "Medical Genetics",
    "Neurological Surgery",
    "Neurology",
    "Nuclear Medicine",
    "Obstetrics and Gynecology",
    "Ophthalmology",
    "Orthopaedic Surgery",
    "Otolaryngology",
    "Pathology",
    "Pediatrics",
    "Physical Medicine and Rehabilitation",
    "Plastic Surgery",
    "Preventive Medicine",
    "Psychiatry",
    "Radiation Oncology",
    "Thoracic Surgery",
    "Transitional Year",
    "Urology",
    "Vascular Surgery",
)

VISAS = ("none", "J-1", "H-1B")
SPONSORED_VISAS = ("J-1", "H-1B")
TRACKS = ("categorical", "preliminary", "transitional")
SETTINGS = ("university", "community", "community-university-affiliated", "military")
# Lowest to highest: rules compare levels by this order.
LANGUAGE_LEVELS: tuple[LanguageLevel, ...] = (
    "basic",
    "intermediate",
    "medical",
    "professional",
    "fluent",
    "native",
)
CLINICAL_KINDS = ("observership", "externship", "sub-internship", "hands-on")
ACTIVITY_KINDS = (
    "border-health",
    "underserved",
    "public-health",
    "interpreting",
    "research",
    "leadership",
    "teaching",
    "other",
)


def suggest(word: str, choices, *, n: int = 1) -> str:
    """`` (did you mean 'X'?)`` or an empty string."""
    close = difflib.get_close_matches(str(word), list(choices), n=n, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def state_hint(value: str) -> str:
    """A suggestion for something that is not a state code, e.g. ``Texas``."""
    by_name = {name.lower(): code for code, name in STATES.items()}
    code = by_name.get(str(value).strip().lower())
    if code:
        return f" (did you mean {code!r}?)"
    return suggest(str(value).upper(), STATES)


def tier_words(counts, suffix: str = "") -> str:
    """Counts by tier as words, without the tiers that hold none: ``(5, 3, 0)`` as
    "5 in tier 1 and 3 in tier 2", ``(4, 0, 0)`` as "all 4 in tier 1", ``(2, 0, 0)`` as
    "both in tier 1" and ``(1, 0, 0)`` as "1 in tier 1"; "none" when every count is 0. ``suffix`` follows each number
    ("%" for shares: ``(100, 0, 0)`` as "all in tier 1")."""
    parts = [(n, t) for t, n in enumerate(counts, 1) if n]
    if not parts:
        return "none"
    if len(parts) == 1 and (suffix or parts[0][0] != 1):
        n, tier = parts[0]
        if suffix:
            return f"all in tier {tier}"
        return f"both in tier {tier}" if n == 2 else f"all {n:,} in tier {tier}"
    words = [f"{n:,}{suffix} in tier {t}" for n, t in parts]
    return ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]


# The screening rules that keep a program that has taken few or no IMGs lately as a reach
# in tier 3 (for a strong Step 2 CK). A tier 3 made only of them is no broad net: the
# summary does not advise leaning on it, and the reports call it what it is.
REACH_RULES = frozenset(
    {"screening/no-imgs-reach", "screening/few-imgs-reach", "screening/few-imgs-reach-border"}
)
