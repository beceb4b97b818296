import dataclasses

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from saleor_crm_plugin.campaigns import tokens
from saleor_crm_plugin.campaigns.context import RecipientContexts, sample_context
from saleor_crm_plugin.models import CRMOrder, CustomerProfile
from tests.conftest import T0, days

CRM = {"public_url": "https://shop.example.com", "from_email": "shop@example.com", "shop_name": "Record Shop",
       "storefront_product_url": "https://shop.example.com/{channel}/products/{slug}?id={id}",
       "recommendation_refresh_seconds": 0}
UNSUBSCRIBE_PREFIX = "https://shop.example.com/plugins/global/saleor_crm_plugin.crm/unsubscribe/"


@pytest.fixture(autouse=True)
def _fresh_recommendations(settings):
    # The serving store is process-wide: every test must read its own orders.
    from saleor_crm_plugin.recommendations.store import store

    settings.SALEOR_CRM = CRM
    store.invalidate()
    yield
    store.invalidate()


@pytest.fixture
def shop(events, ingest):
    """Channel ``web``: Blue (listed at 19.99), Kit (listed without a price, last sold at 7.50), Tea (never sold).

    Ann's newest counted web order is ``web-2``; a later cancelled one and a later ``outlet`` order do not count.
    Bo has no first name and no order.
    """
    def product(product_id, name, category, price):
        listing = {"channel": "web", "is_published": True, "currency": "USD", "price_amount": price}
        return dataclasses.replace(
            events.product("product.created", product_id=product_id, name=name, category=category,
                           listings=[listing, {"channel": "outlet", "is_published": True}]),
            image_url=f"https://cdn.example.com/{product_id}.jpg")

    blue = events.line(product_id=1, name="Blue", category="Vinyl", price="18.00", quantity=2)
    kit = events.line(product_id=2, name="Kit", category="Accessories", price="7.50")
    orders = [
        events.order(order_id="web-1", user_id=1, email="ann@example.com", first_name="Ann", at=T0, channel="web",
                     lines=[blue, kit]),
        events.order(order_id="web-2", user_id=1, email="ann@example.com", at=T0 + days(5), channel="web",
                     lines=[blue]),
        events.order("order.cancelled", order_id="web-3", user_id=1, email="ann@example.com", at=T0 + days(9),
                     channel="web", status="canceled", lines=[kit]),
        events.order(order_id="outlet-1", user_id=1, email="ann@example.com", at=T0 + days(10), channel="outlet",
                     lines=[kit]),
        events.order(order_id="web-other", user_id=3, email="cy@example.com", at=T0 + days(1), channel="web",
                     lines=[kit, blue]),
    ]
    ingest(product(1, "Blue", "Vinyl", "19.99"), product(2, "Kit", "Accessories", None),
           product(3, "Tea", "Pantry", None), *orders,
           events.customer(user_id=1, email="ann@example.com", first_name="Ann", last_name="Lee"),
           events.customer(user_id=2, email="bo@example.com", first_name="", last_name="Ng"))
    assert CRMOrder.objects.get(order_id="web-3").is_cancelled
    return {"ann": profile_dict(1), "bo": profile_dict(2)}


def profile_dict(user_id: int) -> dict:
    return CustomerProfile.objects.filter(user_id=user_id).values(
        "id", "email", "first_name", "last_name", "favourite_categories").get()


def test_customer_shop_channel_and_greeting_fallback(shop):
    # given
    contexts = RecipientContexts("web", 7)

    # when
    built = contexts.build([shop["ann"], shop["bo"]])

    # then
    ann, bo = built[shop["ann"]["id"]], built[shop["bo"]["id"]]
    assert ann["customer"] == {"first_name": "Ann", "last_name": "Lee", "full_name": "Ann Lee",
                               "email": "ann@example.com", "greeting_name": "Ann"}
    assert bo["customer"]["greeting_name"] == "there"
    assert bo["customer"]["full_name"] == "Ng"
    assert ann["shop"] == {"name": "Record Shop", "url": "https://shop.example.com"}
    assert ann["channel"] == {"slug": "web"}


def test_unsubscribe_url_is_signed_for_the_recipient_channel_and_campaign(shop):
    # given
    contexts = RecipientContexts("web", 7)

    # when
    url = contexts.build([shop["ann"]])[shop["ann"]["id"]]["unsubscribe_url"]

    # then
    assert url.startswith(UNSUBSCRIBE_PREFIX)
    assert tokens.read_token(tokens.UNSUBSCRIBE, url.removeprefix(UNSUBSCRIBE_PREFIX)) == {
        "p": shop["ann"]["id"], "c": "web", "k": 7}


def test_last_order_is_the_newest_counted_one_in_the_channel(shop):
    # given
    contexts = RecipientContexts("web", None)

    # when
    built = contexts.build([shop["ann"], shop["bo"]])

    # then
    web_2 = CRMOrder.objects.get(order_id="web-2")
    assert built[shop["ann"]["id"]]["last_order"] == {
        "number": web_2.number, "placed_at": (T0 + days(5)).isoformat(), "total": "$36.00",
        "total_amount": "36.00", "currency": "USD",
        "lines": [{"name": "Blue", "variant": "", "quantity": 2}],
    }
    assert built[shop["bo"]["id"]]["last_order"] is None


def test_recommendations_are_best_sellers_with_listing_or_last_paid_prices_and_urls(shop):
    # given: no model trained, so the channel's best-sellers (Blue and Kit were sold in web)
    contexts = RecipientContexts("web", None)

    # when
    recommendations = contexts.build([shop["bo"]])[shop["bo"]["id"]]["recommendations"]

    # then
    by_id = {r["product_id"]: r for r in recommendations}
    assert set(by_id) == {1, 2}
    assert by_id[1] == {"product_id": 1, "name": "Blue", "image_url": "https://cdn.example.com/1.jpg",
                        "price": "$19.99", "price_amount": "19.99", "currency": "USD",
                        "url": "https://shop.example.com/web/products/blue?id=1"}
    assert (by_id[2]["price"], by_id[2]["price_amount"], by_id[2]["currency"]) == ("$7.50", "7.50", "USD")


def test_product_url_is_empty_without_a_storefront_pattern(shop):
    # given
    with override_settings(SALEOR_CRM={**CRM, "storefront_product_url": ""}):
        contexts = RecipientContexts("web", None)

        # when
        recommendations = contexts.build([shop["bo"]])[shop["bo"]["id"]]["recommendations"]

    # then
    assert recommendations and all(r["url"] == "" for r in recommendations)


def test_a_batch_costs_the_same_queries_whatever_its_size_and_products_are_cached(shop):
    # given: the serving store checks for a new training at most once an hour, and is loaded
    with override_settings(SALEOR_CRM={**CRM, "recommendation_refresh_seconds": 3600}):
        contexts = RecipientContexts("web", None)
        contexts.build([shop["ann"]])
        three_profiles = [shop["ann"], shop["bo"], profile_dict(3)]

        # when
        with CaptureQueriesContext(connection) as one:
            contexts.build([shop["bo"]])
        with CaptureQueriesContext(connection) as three:
            contexts.build(three_profiles)

    # then
    assert len(three.captured_queries) == len(one.captured_queries) == 1  # the last orders, with their lines
    assert not any('FROM "crm_product_snapshot"' in q["sql"] for q in three.captured_queries)


def test_an_unknown_channel_gives_no_recommendations(db):
    # given
    contexts = RecipientContexts("nowhere", None)

    # when
    variables = contexts.sample()

    # then
    assert variables["recommendations"] == []
    assert variables["channel"] == {"slug": "nowhere"}


def test_sample_context_has_a_made_up_customer_and_the_channels_best_sellers(shop):
    # given / when
    variables = sample_context("web")

    # then
    assert variables["customer"]["greeting_name"] == "Alex"
    assert {r["product_id"] for r in variables["recommendations"]} == {1, 2}
    assert variables["last_order"]["currency"] == "USD"
    assert variables["unsubscribe_url"].startswith(UNSUBSCRIBE_PREFIX)
