"""Numbers and JSON beyond what the CRM can hold are coded refusals naming their field (issue 20), never
``internal_error``: a 4,000-digit integer, a 100,000-deep JSON value, an Int beyond 32 bits."""

import json

import pytest

from tests.graphql.conftest import error_codes, staff_token

pytestmark = pytest.mark.django_db

PREVIEW = "query($rules: JSONString!) { crmSegmentPreview(rules: $rules) { count } }"
CREATE = "mutation($input: CRMSegmentInput!) { crmSegmentCreate(input: $input) { errors { code field } } }"
CUSTOMERS = "query($first: Int) { crmCustomers(first: $first) { totalCount } }"
FILTERED = "query($filter: CRMCustomerFilterInput) { crmCustomers(filter: $filter) { totalCount } }"
ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id } } }"
DIGITS_4000 = "9" * 4000
DEEP = "[" * 100_000 + "]" * 100_000


def refused(body) -> tuple[str, str]:
    (error,) = body["errors"]
    return error["extensions"]["code"], error["extensions"]["field"]


@pytest.mark.parametrize("rules, field", [
    (f'{{"field": "order_count", "op": "gte", "value": {DIGITS_4000}}}', "rules"),  # refused as JSON
    ('{"field": "product_bought", "op": "includes", "value": [1, 99999999999999999999999]}', "rules.value.1"),
    ('{"field": "last_order_at", "op": "before", "value": {"days_ago": 18446744073709551616}}',
     "rules.value.days_ago"),
], ids=["4,000 digits", "in a set", "in a span"])
def test_an_integer_beyond_64_bits_in_a_rule_is_out_of_range_at_its_path(gql, rules, field):
    # when
    status, body = gql(PREVIEW, {"rules": rules}, bearer=staff_token())
    # then
    assert refused(body) == ("out_of_range", field), body
    assert "internal_error" not in json.dumps(body)


@pytest.mark.parametrize("send", ["variable", "literal", "input", "body"])
def test_json_nested_100000_deep_is_an_invalid_value_never_a_recursion_error(gql, client, send):
    # when: the deepest a request can carry, wherever JSON is read
    if send == "variable":
        status, body = gql(PREVIEW, {"rules": DEEP}, bearer=staff_token())
        expected = "rules"
    elif send == "literal":  # a document holds 16 KB: 5,000 levels
        status, body = gql('query { crmSegmentPreview(rules: "%s") { count } }' % ("[" * 5000 + "]" * 5000),
                           bearer=staff_token())
        expected = "rules"
    elif send == "input":
        status, body = gql(CREATE, {"input": {"name": "Deep", "rules": DEEP}}, bearer=staff_token())
        expected = "input.rules"
    else:  # a variable that is itself JSON, 100,000 deep, in the request body
        response = client.post("/graphql/", data='{"query": "%s", "variables": {"r": %s}}' % (ENTITIES, DEEP),
                               content_type="application/json")
        status, body = response.status_code, response.json()
        expected = "variables"
    # then
    assert status == 400 and refused(body) == ("invalid_value", expected), body


@pytest.mark.parametrize("query, variables, field", [
    (CUSTOMERS, {"first": 2**40}, "first"),
    (CUSTOMERS, {"first": int(DIGITS_4000)}, "variables"),  # refused with the body: over 40 digits of JSON
    (CUSTOMERS, {"first": "1e999"}, "first"),
    (FILTERED, {"filter": {"minOrders": -(2**63)}}, "filter.minOrders"),
    ("query { crmCustomers(first: %s) { totalCount } }" % DIGITS_4000, {}, "first"),
    ("query { crmCustomers(filter: {minOrders: 2147483648}) { totalCount } }", {}, "filter.minOrders"),
    ('query { crmServiceRequests(filter: {minClv: 1e999, currency: "USD"}) { totalCount } }', {}, "filter.minClv"),
], ids=["2^40", "4,000 digits", "1e999 as text", "in an input", "literal of 4,000 digits", "literal 2^31",
        "float literal"])
def test_numbers_beyond_their_graphql_type_are_out_of_range_before_anything_runs(gql, query, variables, field):
    # when
    status, body = gql(query, variables, bearer=staff_token())
    # then
    assert status == 400 and refused(body) == ("out_of_range", field), body


def test_a_request_body_with_an_integer_of_thousands_of_digits_is_out_of_range(client):
    # when: JSON itself (Python would parse up to 4,300 digits, then refuse with a ValueError)
    response = client.post("/graphql/", data='{"query": "%s", "variables": {"first": %s}}' % (
        CUSTOMERS, "9" * 5000), content_type="application/json")
    # then
    assert response.status_code == 400 and refused(response.json()) == ("out_of_range", "variables")


def test_bounded_json_still_reaches_the_rule_compiler(gql):
    # given: deep enough to be a rule, too deep for one (32 levels of JSON are allowed, rules nest 8)
    rule = {"field": "order_count", "op": "gte", "value": 1}
    for _ in range(9):
        rule = {"not": rule}
    # when
    _, body = gql(PREVIEW, {"rules": json.dumps(rule)}, bearer=staff_token())
    # then: the rule's own code and path
    code, field = refused(body)
    assert code == "too_complex" and field.startswith("rules.not.not") and error_codes(body) == ["too_complex"]
