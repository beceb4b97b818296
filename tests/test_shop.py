"""The shop's channels: names and currencies learnt from events, and the rule for the shop's default channel."""

import pytest

from saleor_crm_plugin.models import ShopChannel
from saleor_crm_plugin import shop
from saleor_crm_plugin.shop import channel_list, forget_channels

pytestmark = pytest.mark.django_db


def channels():
    forget_channels()
    return [(c.slug, c.name, c.currency, c.is_default) for c in channel_list()]


def test_a_channel_takes_its_name_from_a_listing_and_its_currency_from_an_order(ingest, events):
    # given: a product listed in "outlet" with the channel's name, an order there in EUR
    listing = {"channel": "outlet", "channel_name": "Outlet store", "is_published": True, "currency": "EUR"}
    # when
    ingest(events.product(listings=[listing]), events.order(email="ann@example.com", channel="outlet",
                                                           currency="EUR"))
    # then
    assert channels() == [("outlet", "Outlet store", "EUR", True)]


def test_a_channel_no_event_named_shows_its_slug_and_a_later_name_is_kept(ingest, events):
    # given: an order in "web" (no name)
    ingest(events.order(email="ann@example.com", channel="web", currency="GBP"))
    assert channels() == [("web", "web", "GBP", True)]
    # when: a listing names it, then a listing without a name arrives
    ingest(events.product(listings=[{"channel": "web", "channel_name": "Web shop", "is_published": True}]))
    ingest(events.product(product_id=2, listings=[{"channel": "web", "is_published": True}]))
    # then: the name stays, the currency too
    assert channels() == [("web", "Web shop", "GBP", True)]


def test_saleors_default_channel_slug_is_the_default_when_it_is_a_channel(shop_channels, settings):
    # given: default-channel, outlet, web (the shop_channels fixture)
    # then: Saleor's own default
    assert [c.slug for c in channel_list() if c.is_default] == ["default-channel"]
    # and when the shop set another DEFAULT_CHANNEL_SLUG
    settings.DEFAULT_CHANNEL_SLUG = "web"
    assert [slug for slug, *_, default in channels() if default] == ["web"]


def test_without_saleors_default_the_channel_of_most_recent_orders_is_the_default(ingest, events):
    # given: two channels, neither Saleor's default; most orders in "pln"
    ingest(events.order(email="a@example.com", channel="usd"),
           *[events.order(email=f"b{n}@example.com", channel="pln", currency="PLN") for n in range(3)])
    # then
    assert channels() == [("pln", "pln", "PLN", True), ("usd", "usd", "USD", False)]


def test_without_orders_the_first_channel_by_slug_is_the_default(shop_channels):
    # given: channels but no order
    ShopChannel.objects.filter(slug="default-channel").delete()
    # then
    assert channels() == [("outlet", "outlet", "", True), ("web", "web", "", False)]
    assert shop.shop_channels() == frozenset({"outlet", "web"})


def test_a_shop_without_channels_has_no_default():
    assert channels() == []
