"""Identifiers a person can look a program up by: its ACGME program number, its NRMP
program code and its website. Each is optional; each is checked for its published form.

- ``acgme_id``: the ACGME's program number, 10 digits (e.g. ``1404800001``). Written as
  text, because it may start with a 0. Only the length and the digits are checked.
- ``nrmp_code``: the NRMP program code. The NRMP's page "Program Codes and Types"
  (nrmp.org) gives its form: characters 1-4 the institution code, 5-7 the ACGME
  specialty code, 8 the program type letter, then a track number ("0" for a main track,
  numbered on for more tracks of one type): 9 to 11 characters, e.g. ``1000140C0``
  (institution 1000, Internal Medicine, categorical, main track). The type letters of the
  Main Residency Match are C (categorical), M (primary care categorical), P (preliminary,
  one year: transitional or specialty), A (advanced) and R (physician, for those with
  earlier training); F and S are fellowship types of the Specialties Matching Service,
  not residencies. When the program's ``track`` is known, the letter must fit it.
- ``website``: an ``http://`` or ``https://`` address with a site name; nothing else
  (a ``javascript:`` or ``file:`` address could do harm in a report, and a bare
  ``www.`` name is ambiguous).
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

ACGME_ID = re.compile(r"[0-9]{10}")
NRMP_CODE = re.compile(r"([0-9A-Z]{4})([0-9]{3})([A-Z])([0-9]{1,3})")
MAIN_MATCH_TYPES = {
    "C": "categorical",
    "M": "primary care categorical",
    "P": "preliminary",
    "A": "advanced",
    "R": "physician",
}
FELLOWSHIP_TYPES = {"F": "fellowship", "S": "fellowship subspecialty"}
# The type letters a program of each resplan track can have.
TRACK_TYPES = {"categorical": "CM", "preliminary": "P", "transitional": "P"}
WEBSITE_SCHEMES = ("http", "https")
# Characters RFC 3986 never lets into an address as they are; in a page they could end
# the attribute or the tag a link is written in.
UNSAFE = '"<>`\\{}^'
WEBSITE_MAX = 2000  # characters; longer addresses are not a program's home page


def acgme_id_problem(value: str) -> str | None:
    """What is wrong with an ACGME program number, or None."""
    if ACGME_ID.fullmatch(value):
        return None
    digits = sum(ch.isdigit() for ch in value)
    if value.isdigit():
        return f"{value!r} has {digits} digits; an ACGME program number has 10"
    return f"{value!r} is not an ACGME program number: 10 digits, e.g. '1404800001'"


def nrmp_code_problem(value: str, track: str | None = None) -> str | None:
    """What is wrong with an NRMP program code (given the program's track), or None."""
    match = NRMP_CODE.fullmatch(value)
    if match is None:
        hint = " (write its letters in capitals)" if NRMP_CODE.fullmatch(value.upper()) else ""
        return (
            f"{value!r} is not an NRMP program code{hint}: 4 characters of institution, "
            "3 digits of specialty, a program type letter and a track number, "
            "e.g. '1000140C0'"
        )
    letter = match.group(3)
    if letter in FELLOWSHIP_TYPES:
        return (
            f"{value!r} is the code of a {FELLOWSHIP_TYPES[letter]} program (type "
            f"{letter}), not of a residency in the Main Residency Match"
        )
    if letter not in MAIN_MATCH_TYPES:
        return (
            f"{value!r} has program type {letter!r}; the Main Residency Match types are "
            + ", ".join(f"{k} ({v})" for k, v in MAIN_MATCH_TYPES.items())
        )
    allowed = TRACK_TYPES.get(track or "")
    if allowed is not None and letter not in allowed:
        return (
            f"{value!r} has program type {letter} ({MAIN_MATCH_TYPES[letter]}), which does "
            f"not fit the program's track {track!r} (type {' or '.join(allowed)})"
        )
    return None


def website_problem(value: str) -> str | None:
    """What is wrong with a program's website address, or None."""
    if len(value) > WEBSITE_MAX:
        return f"is {len(value)} characters long; a website address is at most {WEBSITE_MAX}"
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return f"{value!r} holds a space or a control character; a web address has none"
    unsafe = sorted(set(value) & set(UNSAFE))
    if unsafe:
        return (
            f"{value!r} holds {' '.join(unsafe)}, which a web address carries encoded "
            "(as %XX) if at all"
        )
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return f"{value!r} is not a web address"
    if parts.scheme.lower() not in WEBSITE_SCHEMES:
        if not parts.scheme:
            return f"{value!r} is not a full web address: start it with https:// (or http://)"
        return f"{value!r} is not an http(s) web address: it must start with https:// or http://"
    if not host or "." not in host.strip("."):
        return f"{value!r} names no site after {parts.scheme}://"
    if parts.username is not None or parts.password is not None:
        return f"{value!r} holds a user name or password; give the program's public address"
    return None


def safe_website(value: object) -> str | None:
    """``value`` when it is a website address a report may link to, else None.

    Reports call this again on what a plan file says: a plan can be edited by hand.
    """
    if isinstance(value, str) and value and website_problem(value) is None:
        return value
    return None
