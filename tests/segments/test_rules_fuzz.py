"""Property: any JSON as a segment rule is either refused with a coded error or runs on PostgreSQL."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saleor_crm_plugin.segments.membership import preview
from saleor_crm_plugin.segments.rules import FIELDS, OPERATORS, SegmentErrorCode, SegmentRuleError

EXAMPLES = 400
OPS = sorted({op for ops in OPERATORS.values() for op in ops})
hostile_text = st.text(max_size=12) | st.sampled_from(["\x00", "a\x00b", "\ud800", "x" * 300, "", "USD", "DE",
                                                       "champions", "2025-01-01T00:00:00+00:00"])
numbers = (st.integers(-2**80, 2**80) | st.floats() | st.sampled_from([math.nan, math.inf, -math.inf, 1e308, 0, 3])
           | st.booleans())
json_values = st.recursive(
    st.none() | numbers | hostile_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["days", "weeks", "months", "years", "days_ago", "hours"]) | hostile_text, inner,
        max_size=3),
    max_leaves=8)
conditions = st.fixed_dictionaries(
    {"field": st.sampled_from(sorted(FIELDS)) | hostile_text,
     "op": st.sampled_from(OPS) | json_values},
    optional={"value": json_values, "currency": hostile_text | json_values})
rules = st.recursive(
    conditions | json_values,
    lambda inner: st.builds(lambda k, v: {k: v}, st.sampled_from(["and", "or"]), st.lists(inner, max_size=4))
    | st.builds(lambda v: {"not": v}, inner),
    max_leaves=12)


@pytest.mark.django_db
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(rule=rules)
def test_any_rule_is_refused_with_a_code_or_runs(rule):
    # given any JSON value as a rule
    # when it is previewed (compiled, then run against PostgreSQL)
    try:
        result = preview(rule)
    except SegmentRuleError as error:
        # then a refusal carries one of the documented codes and a path
        assert isinstance(error.code, SegmentErrorCode) and error.message
        return
    # then an accepted rule ran and counted
    assert result["count"] >= 0
