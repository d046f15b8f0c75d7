"""resplan.tomlout writes exactly what tomli-w writes."""

from __future__ import annotations

import tomli_w
from hypothesis import given
from hypothesis import strategies as st

import resplan
from resplan import tomlout
from resplan.writer import plan_to_dict

keys = st.text(min_size=0, max_size=8)
scalars = st.one_of(
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.text(max_size=40),
    st.floats(allow_nan=False, allow_infinity=False),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=12,
)


@given(st.dictionaries(keys, values, max_size=6))
def test_same_text_as_tomli_w(data):
    assert tomlout.dumps(data) == tomli_w.dumps(data)


@given(st.text())
def test_strings_escape_like_tomli_w(text):
    assert tomlout.dumps({"s": text}) == tomli_w.dumps({"s": text})


def test_a_real_plan_is_written_byte_for_byte_like_tomli_w(host, example_profile, border_catalog):
    data = plan_to_dict(resplan.plan(example_profile, border_catalog, host=host))
    assert tomlout.dumps(data) == tomli_w.dumps(data)
