"""Issue 20's payloads against the live host (gunicorn, 2 sync workers, DEBUG=0) over HTTP, on a shop of 700
customers with timelines: each answer is coded, none is ``internal_error`` or HTTP 500, and the host serves on."""

import json

import pytest

from saleor_crm_plugin.graphql.limits import STAFF_MAX_COST
from tests.graphql.conftest import staff_token
from tests.graphql.test_cost import ATTACK, shop_of_700  # noqa: F401 (fixture)
from tests.live_host import live_host, live_host_settings  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

PREVIEW = "query($rules: JSONString!) { crmSegmentPreview(rules: $rules) { count } }"
FIFTY_SETS = {"or": [{"field": "product_bought", "op": "includes", "value": [n, n + 1]} for n in range(1, 51)]}
DIGITS_4000 = '{"field": "order_count", "op": "gte", "value": %s}' % ("9" * 4000)
DEEP = "[" * 100_000 + "]" * 100_000


def answer(response) -> tuple[int, list[tuple[str, str | None]], dict]:
    body = response.json()
    assert "internal_error" not in response.text and response.status_code != 500, response.text[:500]
    return response.status_code, [(e["extensions"]["code"], e["extensions"]["field"]) for e in body["errors"]], body


def test_the_aliased_timeline_and_satisfaction_query_is_refused_with_its_cost(live_host, shop_of_700):
    # when
    status, errors, body = answer(live_host.graphql(ATTACK, bearer=staff_token()))
    # then
    assert status == 400 and errors == [("query_too_complex", None)]
    assert body["errors"][0]["extensions"]["cost"] > body["errors"][0]["extensions"]["maxCost"] == STAFF_MAX_COST


def test_a_preview_of_50_product_sets_is_too_complex_at_the_sixth(live_host, shop_of_700):
    status, errors, _ = answer(live_host.graphql(PREVIEW, {"rules": json.dumps(FIFTY_SETS)}, bearer=staff_token()))
    assert status == 200 and errors == [("too_complex", "rules.or.5")]


@pytest.mark.parametrize("rules, expected", [
    (DIGITS_4000, ("out_of_range", "rules")),
    ('{"field": "product_bought", "op": "includes", "value": [99999999999999999999999]}',
     ("out_of_range", "rules.value.0")),
    (DEEP, ("invalid_value", "rules")),
], ids=["4,000 digits", "beyond 64 bits", "100,000 deep"])
def test_huge_integers_and_deep_json_in_a_rule_are_coded(live_host, shop_of_700, rules, expected):
    status, errors, _ = answer(live_host.graphql(PREVIEW, {"rules": rules}, bearer=staff_token()))
    assert status in (200, 400) and errors == [expected]


@pytest.mark.parametrize("body, expected", [
    ('{"query": "query($f: Int) { crmCustomers(first: $f) { totalCount } }", "variables": {"f": %s}}' % ("9" * 4000),
     ("out_of_range", "variables")),
    ('{"query": "{ __typename }", "variables": {"x": %s}}' % DEEP, ("invalid_value", "variables")),
    ('{"query": "query { crmCustomers(first: %s) { totalCount } }"}' % ("9" * 4000), ("out_of_range", "first")),
], ids=["4,000-digit variable", "100,000-deep variable", "4,000-digit literal"])
def test_huge_numbers_and_deep_json_anywhere_in_a_request_are_coded(live_host, transactional_db, body, expected):
    status, errors, _ = answer(live_host.graphql(None, body=body, bearer=staff_token()))
    assert status == 400 and errors == [expected]
    # and the host serves on
    assert live_host.graphql("{ __typename }").json() == {"data": {"__typename": "Query"}}
