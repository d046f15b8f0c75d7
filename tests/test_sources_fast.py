"""Catalogs read by toml-rs (the ``fast`` extra) hold exactly what tomli reads, and
anything toml-rs or the columns refuse is read again by tomli, with its messages."""

from __future__ import annotations

import datetime as dt

import pytest
import tomli

import resplan
from resplan import sources, synth
from resplan.errors import InputError
from tests.conftest import EXAMPLES

toml_rs = pytest.importorskip("toml_rs")

CATALOGS = sorted((EXAMPLES / "catalog").glob("*.toml"))

# Valid TOML that a catalog's values may take, beyond what resplan writes itself.
TRICKY = r'''
# a comment
[catalog]
synthetic = false  # a comment after a value

[[program]]
id = "p-1"
name = "Hôpital \"Saint\" Luc\tnorth \u00e9 \U0001F600 \\ done"
specialty = 'Internal Medicine'
city = """El
Paso"""
state = "TX"
img_share = 0.1
positions = 1_000
min_step2ck = +220
visas = ["J-1", 'H-1B',]
rural = true
facts_as_of = 2024
other = 1e3
big = 123456789012345678901234567890
neg = -0.0
dates = [1979-05-27, 1979-05-27T07:32:00Z, 07:32:00, 1979-05-27T00:32:00.999999-07:00]
table = { a = 1, b = [1.5, 2], c = { d = "e" } }
literal = LITERAL

[[program]]
id = "p-2"
name = "Second"
specialty = "Family Medicine"
hex = 0xDEAD_beef
octal = 0o755
binary = 0b1101
inf = -inf
exp = 6.626e-34
'''.replace("LITERAL", "'''C:\\path\n\\n stays'''")


def same(a, b) -> bool:
    """Equal values of the same types, all the way down (1, 1.0 and True are told apart)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, float) and a != a:
        return b != b
    if isinstance(a, (dt.datetime, dt.time)):
        return a == b and a.tzinfo == b.tzinfo
    return a == b and (not isinstance(a, float) or str(a) == str(b))


@pytest.mark.parametrize("text", [TRICKY, *(p.read_text(encoding="utf-8") for p in CATALOGS)])
def test_toml_rs_reads_what_tomli_reads(text):
    assert same(toml_rs.loads(text), tomli.loads(text))


def test_a_synthetic_catalog_reads_the_same_with_either_parser(monkeypatch, tmp_path):
    path = tmp_path / "synthetic.toml"
    path.write_text(synth.dumps_catalog_toml(synth.synthesize_catalog(800, 5)), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    assert same(sources._fast_toml(text), tomli.loads(text))
    fast = sources.read_toml_catalog(path)
    monkeypatch.setattr(sources, "_fast_toml", lambda text: None)
    slow = sources.read_toml_catalog(path)
    assert fast.programs == slow.programs and len(fast) == 800


@pytest.mark.parametrize(
    "text",
    [
        "a = 1\na = 2\n",  # a key twice
        "a = 01\n",  # a leading zero
        'a = "x\\/y"\n',  # an escape TOML does not have
        "[[program]]\nid = \n",  # no value
        "a = [1, 2\n",  # an array left open
        'a = "\x01"\n',  # a control character in a string
        "a = 1979-02-30\n",  # a day that does not exist
    ],
)
def test_what_toml_rs_refuses_tomli_refuses_and_words(text, tmp_path):
    assert sources._fast_toml(text) is None
    with pytest.raises(tomli.TOMLDecodeError):
        tomli.loads(text)
    path = tmp_path / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        resplan.load_catalog(path)
    assert caught.value.problems[0].message.startswith("not valid TOML")


def test_a_catalog_the_columns_refuse_is_worded_table_by_table(tmp_path):
    # Valid TOML, read by toml-rs, but a program with a wrong value: the message is the one
    # the table-by-table reading gives, with its line.
    text = (CATALOGS[0]).read_text(encoding="utf-8").replace('state = "TX"', 'state = "Texas"', 1)
    assert sources._fast_toml(text) is not None
    path = tmp_path / "catalog.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        resplan.load_catalog(path)
    problem = caught.value.problems[0]
    assert problem.field.endswith("state") and problem.line is not None
