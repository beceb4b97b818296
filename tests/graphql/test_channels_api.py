"""Staff API: the shop's channels by name, with its default channel; staff only."""

import pytest

from tests.graphql.conftest import error_codes, operation, staff_token, token

pytestmark = pytest.mark.django_db

CHANNELS = operation("staff/channels")


def test_staff_list_the_shops_channels_with_names_currency_and_the_default(gql, ingest, events):
    # given: "outlet" named by a product listing, orders in outlet (EUR) and in default-channel (USD)
    ingest(events.product(listings=[{"channel": "outlet", "channel_name": "Outlet", "is_published": True}]),
           events.order(email="ann@example.com", channel="outlet", currency="EUR"),
           events.order(email="bob@example.com"))
    # when
    status, body = gql(CHANNELS, bearer=staff_token())
    # then
    assert status == 200 and "errors" not in body, body
    assert body["data"]["crmChannels"] == [
        {"slug": "default-channel", "name": "default-channel", "currencyCode": "USD", "isDefault": True},
        {"slug": "outlet", "name": "Outlet", "currencyCode": "EUR", "isDefault": False},
    ]


def test_a_channel_whose_currency_is_unknown_has_none(gql, shop_channels):
    _, body = gql(CHANNELS, bearer=staff_token())
    assert [(c["slug"], c["currencyCode"]) for c in body["data"]["crmChannels"]] == [
        ("default-channel", None), ("outlet", None), ("web", None)]


@pytest.mark.parametrize("bearer, code", [(None, "unauthenticated"), ("shopper", "permission_denied")])
def test_only_staff_list_channels(gql, shop_channels, bearer, code):
    _, body = gql(CHANNELS, bearer=token(user_id=7) if bearer else None)
    assert error_codes(body) == [code]
