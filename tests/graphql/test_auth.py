"""Tokens: anonymous, shopper and staff; expired, forged and for another audience."""

import pytest

from tests.graphql.conftest import OTHER_KEY, error_codes, gid, operation, staff_token, token

pytestmark = pytest.mark.django_db

FOR_YOU = operation("storefront/for-you")
CUSTOMERS = "query { crmCustomers(first: 5) { totalCount } }"


@pytest.fixture
def trained(record_shop):
    from saleor_crm_plugin.recommendations.training import train_models

    train_models()


def test_anonymous_callers_get_product_recommendations_only(gql, trained):
    # when
    status, also = gql(operation("storefront/also-bought"), {"channel": "web", "product": gid("Product", 1)})
    _, for_you = gql(FOR_YOU, {"channel": "web"})
    _, staff = gql(CUSTOMERS)
    # then
    assert status == 200 and also["data"]["recommendations"][0]["productId"] == gid("Product", 2)
    assert error_codes(for_you) == ["unauthenticated"]
    assert error_codes(staff) == ["unauthenticated"]


def test_a_valid_shopper_token_gets_their_own_recommendations(gql, trained):
    status, body = gql(FOR_YOU, {"channel": "web"}, bearer=token(user_id=100))
    assert status == 200 and "errors" not in body
    assert body["data"]["recommendations"][0] == {
        "productId": gid("Product", 8), "score": pytest.approx(body["data"]["recommendations"][0]["score"]),
        "reason": "BUY_AGAIN",
    }


@pytest.mark.parametrize("bearer, code", [
    (token(user_id=100, expires_in=-10), "token_expired"),
    (token(user_id=100, key=OTHER_KEY), "invalid_token"),  # right key id, wrong signature
    (token(user_id=100, token_type="refresh"), "invalid_token"),
    ("not-a-jwt", "invalid_token"),
])
def test_bad_tokens_are_refused_with_a_code(gql, trained, bearer, code):
    status, body = gql(FOR_YOU, {"channel": "web"}, bearer=bearer)
    assert status == 401 and error_codes(body) == [code] and body["data"] is None


def test_a_token_for_another_audience_is_refused_when_an_audience_is_set(gql, trained, settings):
    # given
    settings.SALEOR_CRM_JWT_AUDIENCE = "crm"
    # when
    wrong = gql(FOR_YOU, {"channel": "web"}, bearer=token(user_id=100, aud="custom:dashboard"))
    missing = gql(FOR_YOU, {"channel": "web"}, bearer=token(user_id=100))
    right = gql(FOR_YOU, {"channel": "web"}, bearer=token(user_id=100, aud="custom:crm"))
    # then
    assert wrong[0] == 401 and error_codes(wrong[1]) == ["invalid_token"]
    assert missing[0] == 401 and error_codes(missing[1]) == ["invalid_token"]
    assert right[0] == 200 and right[1]["data"]["recommendations"]


def test_staff_fields_need_manage_users(gql, trained):
    # when
    plain_staff = gql(CUSTOMERS, bearer=token(user_id=1, staff=True))  # no permission claims
    other_perm = gql(CUSTOMERS, bearer=token(user_id=1, staff=True, permissions=["MANAGE_ORDERS"]))
    shopper = gql(CUSTOMERS, bearer=token(user_id=100, permissions=["MANAGE_USERS"]))  # not staff
    staff = gql(CUSTOMERS, bearer=staff_token())
    # then
    for refused in (plain_staff, other_perm, shopper):
        assert error_codes(refused[1]) == ["permission_denied"]
    assert staff[1]["data"]["crmCustomers"]["totalCount"] == 8


def test_a_shopper_asking_for_another_customers_data_is_refused(gql, trained):
    # given: user 101 asks about user 100 through the federated User entity
    query = operation("federation/entities")
    representations = [{"__typename": "User", "id": gid("User", 100)}]
    # when
    own = gql(query, {"representations": representations}, bearer=token(user_id=100))
    other = gql(query, {"representations": representations}, bearer=token(user_id=101))
    # then
    assert own[1]["data"]["_entities"][0]["crmProfile"]["orderCount"] == 4
    assert set(error_codes(other[1])) == {"permission_denied"}
    assert other[1]["data"]["_entities"] == [None]  # nothing of user 100 leaks


def test_unreachable_key_server_is_a_clear_token_error(gql, trained, settings):
    settings.SALEOR_CRM_SALEOR_URL = "http://127.0.0.1:9/graphql/"
    status, body = gql(FOR_YOU, {"channel": "web"}, bearer=token(user_id=100))
    assert status == 401 and error_codes(body) == ["invalid_token"]
    assert "could not be fetched" in body["errors"][0]["message"]
