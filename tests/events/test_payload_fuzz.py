"""Property: any JSON through ``record_payload`` is kept — as an event or a rejected row with a code — and folds.

Payloads are valid events from the factory with one or more parts replaced by
arbitrary JSON (wrong types, NaN, huge numbers, NUL and lone surrogates, deep
nesting), plus arbitrary JSON values as whole payloads.
"""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from saleor_crm_plugin.events.fold import process_pending
from saleor_crm_plugin.events.outbox import record_payload
from saleor_crm_plugin.models import CRMEvent
from tests.conftest import EventFactory

EXAMPLES = 300
FACTORY = EventFactory()
VALID = [FACTORY.order().to_payload(), FACTORY.checkout().to_payload(), FACTORY.customer().to_payload(),
         FACTORY.product().to_payload(), FACTORY.order(kind="order.cancelled", email="x@example.com").to_payload()]

leaves = (st.none() | st.booleans() | st.integers(-2**80, 2**80) | st.floats()
          | st.sampled_from([math.nan, math.inf, 1e308, 1.5, -1, 0, "1.5", "NaN", "1e999999",
                             "9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+00:00", "\x00", "\ud800",
                             "x" * 500, "order.created", "USD"])
          | st.text(max_size=20))
json_values = st.recursive(leaves, lambda inner: st.lists(inner, max_size=4)
                           | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=10)


def _tampered(draw) -> object:
    payload = dict(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 3))):
        key = draw(st.sampled_from(sorted(payload)) | st.text(max_size=8))
        where = payload
        nested = payload.get(key)
        if isinstance(nested, dict) and nested and draw(st.booleans()):  # e.g. customer.email
            where = payload[key] = dict(nested)
            key = draw(st.sampled_from(sorted(nested)))
        elif isinstance(nested, list) and nested and isinstance(nested[0], dict) and nested[0] \
                and draw(st.booleans()):
            line = dict(nested[0])  # e.g. lines[0].quantity
            line[draw(st.sampled_from(sorted(line)))] = draw(json_values)
            payload[key] = [line, *nested[1:]]
            continue
        where[key] = draw(json_values)
    return payload


payloads = st.composite(_tampered)() | json_values


@pytest.mark.django_db
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(payload=payloads)
def test_any_payload_is_kept_and_folds_without_an_internal_error(payload):
    # given any JSON value from outside
    before = CRMEvent.objects.count()
    # when it is recorded (never raises) and folded
    new = record_payload(payload, source="fuzz", raw={"body": payload})
    process_pending()
    # then it was stored (or was a duplicate of a stored row), nothing is left pending,
    # and a rejection always carries a code other than the fold's internal failure
    assert CRMEvent.objects.count() == before + (1 if new else 0)
    assert not CRMEvent.objects.filter(status=CRMEvent.Status.PENDING).exists()
    rejected = CRMEvent.objects.filter(status=CRMEvent.Status.REJECTED)
    assert not rejected.filter(error_code="").exists()
    assert not rejected.filter(error_code="fold_error").exists()
