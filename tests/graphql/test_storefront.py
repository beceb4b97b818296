"""Storefront: recommendations of every kind, the shopper's orders, profile and consent."""

import pytest

from saleor_crm_plugin.models import ChannelConsent, CRMCheckout, CRMOrder, CustomerProfile
from tests.graphql.conftest import error_codes, gid, operation, staff_token, token

pytestmark = pytest.mark.django_db


@pytest.fixture
def trained(record_shop):
    from saleor_crm_plugin.recommendations.training import train_models

    train_models()


def test_similar_and_also_bought_return_saleor_product_ids_with_reasons(gql, trained):
    _, similar = gql(operation("storefront/similar"), {"channel": "web", "product": gid("Product", 1)})
    _, also = gql(operation("storefront/also-bought"), {"channel": "outlet", "product": gid("Product", 4)})
    best = similar["data"]["recommendations"][:2]  # then best-sellers of the category fill the five
    assert {r["productId"] for r in best} == {gid("Product", 2), gid("Product", 3)}
    assert {r["reason"] for r in best} == {"SIMILAR"}
    # outlet lists neither 6 nor (published) 5
    assert not {gid("Product", 5), gid("Product", 6)} & {r["productId"] for r in also["data"]["recommendations"]}


def test_cart_recommendations_by_checkout_token(gql, trained, events, ingest):
    # given
    token_value = "5b2a0d54-0c1f-4a5e-9b3e-3f7c3c1e2a10"
    ingest(events.checkout(token=token_value, email="new@example.com",
                           lines=[events.line(product_id=4, category="Vinyl")]))
    CRMCheckout.objects.filter(token=token_value).update(channel="web")
    # when
    _, body = gql(operation("storefront/cart"), {"channel": "web", "checkoutToken": token_value})
    _, unknown = gql(operation("storefront/cart"), {"channel": "web",
                                                    "checkoutToken": "00000000-0000-4000-8000-000000000000"})
    _, missing = gql('query { recommendations(channel: "web", kind: CART) { productId } }')
    # then
    ids = [r["productId"] for r in body["data"]["recommendations"]]
    assert ids[0] == gid("Product", 5) and gid("Product", 4) not in ids
    assert error_codes(unknown) == ["not_found"] and unknown["errors"][0]["extensions"]["field"] == "checkoutToken"
    assert error_codes(missing) == ["required"]


@pytest.mark.parametrize("variables, code, field", [
    ({"channel": "web", "product": "not-an-id"}, "invalid_id", "product"),
    ({"channel": "web", "product": "VXNlcjox"}, "invalid_id", "product"),  # a User ID, not a Product
    ({"channel": "web", "product": "UHJvZHVjdDo5OTk5"}, "not_found", "product"),  # Product:9999
])
def test_invalid_product_ids_get_codes(gql, trained, variables, code, field):
    _, body = gql(operation("storefront/similar"), variables)
    assert error_codes(body) == [code] and body["errors"][0]["extensions"]["field"] == field


@pytest.mark.parametrize("first", [0, -1, 101])
def test_first_out_of_range_is_refused(gql, trained, first):
    for query in (
        "query($first: Int) { recommendations(channel: \"web\", kind: SIMILAR, product: \"UHJvZHVjdDox\", "
        "first: $first) { productId } }",
        "query($first: Int) { myOrderHistory(first: $first) { totalCount } }",
        "query($first: Int) { crmCustomers(first: $first) { totalCount } }",
    ):
        _, body = gql(query, {"first": first}, bearer=staff_token())
        assert error_codes(body) == ["out_of_range"], query
        assert body["errors"][0]["extensions"]["field"] == "first"


def test_a_shopper_pages_through_their_order_history(gql, record_shop):
    # given: jazz fan 100 has four orders; the newest is fulfilled
    newest = CRMOrder.objects.filter(user_id=100).order_by("-placed_at").first()
    CRMOrder.objects.filter(pk=newest.pk).update(is_paid=True, is_fulfilled=True)
    query = operation("storefront/my-orders")
    # when
    _, first_page = gql(query, {"first": 3}, bearer=token(user_id=100))
    page = first_page["data"]["myOrderHistory"]
    _, second_page = gql(query, {"first": 3, "after": page["pageInfo"]["endCursor"]}, bearer=token(user_id=100))
    _, bad_cursor = gql(query, {"first": 3, "after": "bm9wZQ=="}, bearer=token(user_id=100))
    # then
    assert page["totalCount"] == 4 and page["pageInfo"]["hasNextPage"] is True
    latest = page["edges"][0]["node"]
    assert latest["id"] == gid("Order", newest.order_id) and latest["trackingState"] == "FULFILLED"
    assert [line["productId"] for line in latest["lines"]] == [gid("Product", p) for p in (1, 2, 3, 8)]
    assert latest["total"] == {"amount": 40.0, "currency": "USD"}
    rest = second_page["data"]["myOrderHistory"]
    assert len(rest["edges"]) == 1 and rest["pageInfo"]["hasNextPage"] is False
    assert rest["edges"][0]["node"]["trackingState"] == "PLACED"
    assert error_codes(bad_cursor) == ["invalid"]


def test_a_shopper_sees_their_profile_and_sets_their_own_consent(gql, record_shop, settings):
    # given: double opt-in off, so subscribing takes effect at once
    settings.SALEOR_CRM = {**settings.SALEOR_CRM, "double_opt_in": 0}
    mutation = operation("storefront/marketing-consent")
    # when
    _, before = gql(operation("storefront/my-profile"), bearer=token(user_id=100))
    _, subscribed = gql(mutation, {"channel": "web", "state": "SUBSCRIBED"}, bearer=token(user_id=100))
    _, unsubscribed = gql(mutation, {"channel": "outlet", "state": "UNSUBSCRIBED"}, bearer=token(user_id=100))
    _, after = gql(operation("storefront/my-profile"), bearer=token(user_id=100))
    _, anonymous = gql(mutation, {"channel": "web", "state": "SUBSCRIBED"})
    # then
    assert before["data"]["myCrmProfile"]["consents"] == []
    assert before["data"]["myCrmProfile"]["orderCount"] == 4
    assert subscribed["data"]["crmMarketingConsentUpdate"]["errors"] == []
    assert subscribed["data"]["crmMarketingConsentUpdate"]["consent"]["state"] == "SUBSCRIBED"
    assert unsubscribed["data"]["crmMarketingConsentUpdate"]["consent"]["state"] == "UNSUBSCRIBED"
    assert [(c["channel"], c["state"]) for c in after["data"]["myCrmProfile"]["consents"]] == [
        ("outlet", "UNSUBSCRIBED"), ("web", "SUBSCRIBED")]
    assert sorted(ChannelConsent.objects.filter(profile__user_id=100).values_list("channel", "source")) == [
        ("outlet", "storefront"), ("web", "storefront")]
    assert error_codes(anonymous) == ["unauthenticated"]


def test_a_customer_without_orders_can_still_record_consent(gql, db):
    _, body = gql(operation("storefront/marketing-consent"), {"channel": "web", "state": "UNSUBSCRIBED"},
                  bearer=token(user_id=555, email="New@Example.com"))
    assert body["data"]["crmMarketingConsentUpdate"]["consent"]["state"] == "UNSUBSCRIBED"
    profile = CustomerProfile.objects.get(user_id=555)
    assert profile.email == "new@example.com"
    assert ChannelConsent.objects.get(profile=profile).state == "unsubscribed"


def test_too_deep_a_query_is_refused_before_it_runs(gql, db):
    deep = "query { " + "crmCustomers { edges { node { orders { edges { node { lines { " \
           "productId } } } } } } } " * 1 + "}"
    nested = "query { a: crmCustomers { " + "edges { node { " * 6 + "id" + " } }" * 6 + " } }"
    status, body = gql(nested)
    assert status == 400 and error_codes(body) == ["query_too_complex"]
    status, body = gql(deep, bearer=staff_token())
    assert status == 200 and "errors" not in body  # 8 levels is fine
