from __future__ import annotations

from pathlib import Path

import pytest

import resplan
from resplan.convert import structure
from resplan.model import Catalog, Profile, Program

ROOT = Path(__file__).parent.parent
EXAMPLES = ROOT / "examples"
DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def host():
    """The installed plugins, loaded once for the whole session."""
    return resplan.load_host(use_env=False)


@pytest.fixture(scope="session")
def example_profile():
    return resplan.load_profile(EXAMPLES / "profiles" / "example.toml")


@pytest.fixture(scope="session")
def border_catalog(host):
    return host.read_catalog(EXAMPLES / "catalog" / "border-programs.toml")


def make_profile(**sections) -> Profile:
    """A profile from plain data; ``applicant`` defaults to a 2021 graduate applying for 2027."""
    applicant = {"graduation_year": 2021, "cycle": 2027, "visa": "none",
                 **sections.pop("applicant", {})}
    return structure({"applicant": applicant, **sections}, Profile, file="test")


def make_program(**facts) -> Program:
    base = {"id": "p", "name": "Test Program", "specialty": "Internal Medicine",
            "city": "El Paso", "state": "TX"}
    return structure({**base, **facts}, Program, file="test")


def make_catalog(*programs: dict) -> Catalog:
    return Catalog([make_program(**facts) for facts in programs])
