"""Strict inputs: cursors, page sizes, entity representations, token claims and text each get their own code."""

import base64

import pytest

from tests.graphql.conftest import ISSUER_URL, error_codes, gid, profile_id, signed_token, staff_token, token

pytestmark = pytest.mark.django_db

MY_ORDERS = "query($after: String) { myOrderHistory(first: 2, after: $after) { totalCount edges { cursor } } }"
CUSTOMERS = "query($after: String) { crmCustomers(first: 2, after: $after) { edges { node { id } } } }"
CUSTOMER_LISTS = {
    "timeline": "query($id: ID!, $first: Int) { crmCustomer(id: $id) { timeline(first: $first) { kind } } }",
    "recentOrders": "query($id: ID!, $first: Int) { crmCustomer(id: $id) { recentOrders(first: $first) { number } } }",
    "orders": "query($id: ID!, $first: Int) { crmCustomer(id: $id) { orders(first: $first) { totalCount } } }",
    "recommendations": 'query($id: ID!, $first: Int) { crmCustomer(id: $id) { recommendations(channel: "web", '
                       "first: $first) { productId } } }",
}
ENTITIES = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id } } }"
SEARCH = "query($s: String) { crmCustomers(first: 5, filter: {search: $s}) { totalCount } }"
EMAIL = "query($e: String) { crmCustomer(email: $e) { id } }"
NOTE = "mutation($c: ID!, $n: String!) { crmCustomerNoteAdd(customer: $c, note: $n) { errors { code } } }"
CUSTOMER_BY_EMAIL = "query { crmCustomer(email: %s) { id } }"
WHO_AM_I = "query { myCrmProfile { orderCount } }"


def cursor(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


@pytest.mark.parametrize("after", [
    cursor(f"offset:{2**63}"), cursor(f"offset:{2**64 + 5}"), cursor("offset:9" * 30), cursor("offset:-1"),
    cursor("offset:abc"), cursor("offset: 5"), cursor("offset:+5"), cursor("offset:1e3"), cursor("page:5"),
    "not base64!", "", "b2Zmc2V0OjQ5" * 10,
], ids=lambda value: value[:24])
@pytest.mark.parametrize("query, staff", [(MY_ORDERS, False), (CUSTOMERS, True)], ids=["shopper", "staff"])
def test_cursors_that_are_not_ours_are_invalid(gql, record_shop, after, query, staff):
    # when
    status, body = gql(query, {"after": after}, bearer=staff_token() if staff else token(user_id=100))
    # then
    assert status == 200 and error_codes(body) == ["invalid"]
    assert body["errors"][0]["extensions"]["field"] == "after"


def test_a_far_cursor_is_an_empty_page_not_a_database_error(gql, record_shop):
    status, body = gql(MY_ORDERS, {"after": cursor(f"offset:{2**62}")}, bearer=token(user_id=100))
    assert status == 200 and "errors" not in body
    assert body["data"]["myOrderHistory"] == {"totalCount": 4, "edges": []}


@pytest.mark.parametrize("field", sorted(CUSTOMER_LISTS))
@pytest.mark.parametrize("first", [0, -1, 101, 2**31 - 1])
def test_first_out_of_range_on_a_customers_lists_is_refused(gql, record_shop, field, first):
    # given
    variables = {"id": gid("CRMCustomer", profile_id(100)), "first": first}
    # when
    _, body = gql(CUSTOMER_LISTS[field], variables, bearer=staff_token())
    # then: not a silent default
    assert error_codes(body) == ["out_of_range"]
    assert body["errors"][0]["extensions"]["field"] == "first"


@pytest.mark.parametrize("field", sorted(CUSTOMER_LISTS))
def test_first_absent_on_a_customers_lists_uses_the_default(gql, record_shop, field):
    _, body = gql(CUSTOMER_LISTS[field], {"id": gid("CRMCustomer", profile_id(100))}, bearer=staff_token())
    assert "errors" not in body


@pytest.mark.parametrize("representation", [
    1, "User", True, [{"__typename": "User"}], {"__typename": "Product", "id": gid("Product", 1), "channel": ["web"]},
    {"__typename": ["Product"], "id": gid("Product", 1)}, {"__typename": "Product", "id": {"id": 1}},
], ids=["int", "string", "bool", "list", "list-channel", "list-typename", "object-id"])
def test_a_representation_that_is_not_an_entity_object_gets_a_code(gql, db, representation):
    # when: anonymous, as a gateway might forward it
    status, body = gql(ENTITIES, {"r": [representation]})
    # then
    assert status == 200 and error_codes(body) in (["invalid"], ["invalid_id"])
    assert body["errors"][0]["extensions"]["field"] == "representations"


@pytest.mark.parametrize("claims", [
    {"user_permissions": 7},
    {"user_permissions": [{"name": "MANAGE_USERS"}]},
    {"user_permissions": "MANAGE_USERS"},
    {"permissions": ["MANAGE_USERS", 1]},
    {"is_staff": "false", "user_permissions": ["MANAGE_USERS"]},
    {"is_staff": "true", "user_permissions": ["MANAGE_USERS"]},
    {"is_staff": 1, "user_permissions": ["MANAGE_USERS"]},
    {"email": ["user100@example.com"]},
    {"user_id": [gid("User", 100)]},
    {"iss": "https://evil.example.com/graphql/"},
    {"iss": None},
], ids=lambda claims: repr(claims)[:40])
def test_token_claims_of_the_wrong_type_or_issuer_are_invalid_tokens(gql, db, claims):
    status, body = gql(WHO_AM_I, bearer=signed_token(**claims))
    assert status == 401 and error_codes(body) == ["invalid_token"] and body["data"] is None


def test_is_staff_must_be_true_itself(gql, db):
    # given: a shopper's token with MANAGE_USERS but not staff, and a staff one
    not_staff = signed_token(is_staff=False, user_permissions=["MANAGE_USERS"])
    staff = signed_token(is_staff=True, user_permissions=["MANAGE_USERS"])
    # when
    refused = gql("query { crmCustomers(first: 1) { totalCount } }", bearer=not_staff)
    allowed = gql("query { crmCustomers(first: 1) { totalCount } }", bearer=staff)
    # then
    assert error_codes(refused[1]) == ["permission_denied"]
    assert allowed[1]["data"]["crmCustomers"]["totalCount"] == 0


def test_the_issuer_defaults_to_saleors_url(gql, db, settings, jwks_server):
    # given: no issuer setting; Saleor signs with its API URL
    settings.SALEOR_CRM_JWT_ISSUER = None
    # when
    foreign = gql(WHO_AM_I, bearer=signed_token(iss=ISSUER_URL))
    saleors = gql(WHO_AM_I, bearer=signed_token(iss=f"{jwks_server}/graphql/"))
    # then
    assert foreign[0] == 401 and error_codes(foreign[1]) == ["invalid_token"]
    assert saleors[0] == 200 and "errors" not in saleors[1]


@pytest.mark.parametrize("text", ["a\x00b", "\x00", "a\ud800b", "\udfff"], ids=["nul", "only-nul", "high", "low"])
def test_unstorable_text_in_variables_is_refused_up_front(gql, record_shop, text):
    # given
    customer = gid("CRMCustomer", profile_id(100))
    # when
    search = gql(SEARCH, {"s": text}, bearer=staff_token())
    email = gql(EMAIL, {"e": f"x{text}@example.com"}, bearer=staff_token())
    note = gql(NOTE, {"c": customer, "n": text}, bearer=staff_token())
    # then
    for (status, body), field in ((search, "s"), (email, "e"), (note, "n")):
        assert status == 400 and error_codes(body) == ["invalid_value"]
        assert body["errors"][0]["extensions"]["field"] == field


@pytest.mark.parametrize("literal, code, field", [
    ('"a\\u0000b"', "invalid_value", "email"),
    ('"\\ud800"', "invalid_value", "email"),
    ('"a\x00b"', "invalid", None),  # a raw NUL is not even a GraphQL string: a syntax error
], ids=["escaped-nul", "escaped-surrogate", "raw-nul"])
def test_unstorable_text_in_string_literals_is_refused_up_front(gql, db, literal, code, field):
    status, body = gql(CUSTOMER_BY_EMAIL % literal, bearer=staff_token())
    assert status == 400 and error_codes(body) == [code]
    assert body["errors"][0]["extensions"]["field"] == field


def test_a_nested_variable_holding_bad_text_is_refused_by_its_variable_name(gql, db):
    representations = [{"__typename": "Product", "id": gid("Product", 1), "channel": "w\x00eb"}]
    status, body = gql(ENTITIES, {"r": representations})
    assert status == 400 and error_codes(body) == ["invalid_value"]
    assert body["errors"][0]["extensions"]["field"] == "r"


@pytest.mark.parametrize("months", [0, -3, 101])
def test_report_months_out_of_range_is_refused(gql, db, months):
    _, body = gql("query($m: Int) { crmReport { cohorts(months: $m) { customers } } }", {"m": months},
                  bearer=staff_token())
    assert error_codes(body) == ["out_of_range"] and body["errors"][0]["extensions"]["field"] == "months"


@pytest.mark.parametrize("pk", [str(2**63), "-1", "0", "1e3", "١٢"], ids=["2^63", "negative", "zero", "float", "arabic"])
def test_ids_whose_key_no_database_row_can_have_are_invalid_ids(gql, db, pk):
    status, body = gql(EMAIL.replace("email: $e", "id: $e").replace("$e: String", "$e: ID"),
                       {"e": gid("CRMCustomer", pk)}, bearer=staff_token())
    assert status == 200 and error_codes(body) == ["invalid_id"] and body["errors"][0]["extensions"]["field"] == "id"


@pytest.mark.parametrize("query", [
    'query { recommendations(channel: "web", kind: CART, checkoutToken: "") { productId } }',
    'query { recommendations(kind: FOR_YOU, product: "", checkoutToken: "", first: 0) { productId } }',
    'query { crmCustomers(filter: {lastOrderAfter: "yesterday"}) { totalCount } }',
], ids=["uuid", "uuid-and-missing-channel", "datetime"])
def test_a_literal_its_scalar_refuses_is_invalid_not_internal(gql, db, query):
    status, body = gql(query, bearer=staff_token())
    assert error_codes(body) and set(error_codes(body)) == {"invalid"}, body


def test_a_json_literal_that_is_not_json_is_an_invalid_value_of_its_argument(gql, db):
    # when
    status, body = gql('query { crmSegmentPreview(rules: "{not json") { count } }', bearer=staff_token())
    # then: refused before it runs, naming the argument
    assert status == 400 and error_codes(body) == ["invalid_value"]
    assert body["errors"][0]["extensions"]["field"] == "rules"
