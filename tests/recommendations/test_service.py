"""Training from the CRM's tables and serving, on PostgreSQL."""

import pytest

from saleor_crm_plugin.error_codes import RecommendationErrorCode
from saleor_crm_plugin.models import CRMCheckout, RecommendationModel
from saleor_crm_plugin.recommendations import service
from saleor_crm_plugin.recommendations.service import Reason, RecommendationError
from saleor_crm_plugin.recommendations.training import train_models
from tests.conftest import T0, days
from tests.recommendations.conftest import profile_id

pytestmark = pytest.mark.django_db


def ids(results):
    return [r.product_id for r in results]


def test_training_stores_an_active_version_with_its_evaluation(record_shop):
    # when
    record = train_models()
    # then
    assert record.is_active and record.status == RecommendationModel.Status.ACTIVE
    # distinct products per customer's four orders: 4 + 3 + 2 (coffee twice in one) + 4
    assert record.counts == {"customers": 8, "products": 8, "orders": 32, "lines": 8 * (4 + 3 + 2 + 4)}
    assert record.metrics["customers"] == 8 and 0 <= record.metrics["for_you"]["recall"] <= 1
    assert record.bundle_bytes == len(bytes(record.bundle)) > 0


def test_also_bought_and_similar_follow_what_customers_buy_and_what_records_are(record_shop):
    # given
    train_models()
    # when
    also = service.also_bought(1, "web", 3)
    similar = service.similar(1, "web", 2)
    # then: jazz with jazz
    assert ids(also)[:1] == [2] and also[0].reason is Reason.BOUGHT_TOGETHER
    assert set(ids(similar)) == {2, 3} and {r.reason for r in similar} == {Reason.SIMILAR}
    assert 1 not in ids(also) + ids(similar)


def test_only_products_available_in_the_channel_are_recommended(record_shop):
    # given: outlet does not list 6 and has 5 unpublished
    train_models()
    rock_fan = profile_id(200)
    # when
    outlet = [
        *service.for_customer(rock_fan, "outlet", 10), *service.also_bought(4, "outlet", 10),
        *service.similar(4, "outlet", 10), *service.for_cart([4], "outlet", 10),
        *service.for_customer(None, "outlet", 10),
    ]
    web = service.also_bought(4, "web", 10)
    # then
    assert outlet and not {5, 6} & set(ids(outlet))
    assert {5, 6} <= set(ids(web))
    assert service.for_customer(rock_fan, "nowhere", 10) == []


def test_a_cart_never_gets_its_own_products_back(record_shop):
    # given
    train_models()
    # when
    cart = service.for_cart([1, 2, 7], "web", 10)
    # then
    assert cart and not {1, 2, 7} & set(ids(cart))
    # coffee goes into every order; Mingus is the jazz fans' third record
    assert set(ids(cart)[:2]) == {3, 8} and cart[0].reason is Reason.BOUGHT_TOGETHER


def test_a_checkout_is_recommended_for_by_its_token(record_shop, events, ingest):
    # given
    train_models()
    ingest(events.checkout(token="cart-9", email="new@example.com",
                           lines=[events.line(product_id=4, category="Vinyl")]))
    CRMCheckout.objects.filter(token="cart-9").update(channel="web")
    # when
    results = service.for_checkout("cart-9", limit=3)
    # then
    assert 4 not in ids(results) and ids(results)[0] == 5
    with pytest.raises(RecommendationError) as error:
        service.for_checkout("no-such-cart")
    assert error.value.code is RecommendationErrorCode.NOT_FOUND


def test_a_product_added_after_training_gets_similar_products_from_its_description(record_shop, events, ingest):
    # given: trained before the new jazz record existed
    train_models()
    ingest(events.product("product.created", product_id=9, name="Blue Train", category="Vinyl",
                          product_type="Vinyl", attributes={"Genre": ["Jazz"]}, description="Blue Train, vinyl",
                          channels=("web",), at=T0 + days(60)))
    # when
    results = service.similar(9, "web", 3)
    # then: the jazz records, on content alone (no one has bought it)
    assert set(ids(results)) == {1, 2, 3}
    assert {r.reason for r in results} == {Reason.SIMILAR}
    # and the new product is available, so a customer-less fallback may include it once trained
    assert service.also_bought(9, "web", 3)  # no sales: falls back to similar products


def test_a_new_customer_gets_best_sellers_of_the_channel_then_their_categories_first(record_shop):
    # given
    train_models()
    # when
    anonymous = service.for_customer(None, "web", 3)
    unknown = service.for_customer(987654, "web", 3, favourite_categories=["Accessories"])
    # then: coffee is in every order, the cleaning kit in half of the first orders
    assert ids(anonymous)[0] == 8 and {r.reason for r in anonymous} == {Reason.POPULAR_IN_CHANNEL}
    assert ids(unknown)[0] == 7 and unknown[0].reason is Reason.POPULAR_IN_CATEGORY


def test_bought_before_comes_back_only_where_customers_buy_again(record_shop, settings):
    # given: coffee is re-bought in every order (and, in this shop, records too)
    record = train_models()
    jazz_fan = profile_id(100)
    # when
    results = service.for_customer(jazz_fan, "web", 10)
    # then: coffee (Pantry, bought again all the time) is "buy again"
    assert results[0].product_id == 8 and results[0].reason is Reason.BUY_AGAIN
    rates = record.metrics and service.store.current().bundle.category_repeat_rate
    assert rates["Pantry"] == 0.75  # 3 of every fan's 4 coffee purchases are repeats
    # and a category marked as one-off never offers what the customer has
    settings.SALEOR_CRM = {**settings.SALEOR_CRM, "repeat_purchase_categories": {"Vinyl": False}}
    service.store.invalidate()
    service.store._served = None
    again = service.for_customer(jazz_fan, "web", 10)
    assert not {1, 2, 3} & set(ids(again))


def test_training_an_empty_shop_gives_an_empty_model_not_an_error(db):
    # when
    record = train_models()
    # then
    assert record.is_active and record.counts == {"customers": 0, "products": 0, "orders": 0, "lines": 0}
    assert record.metrics["customers"] == 0
    assert service.for_customer(1, "web", 10) == []
    assert service.for_cart([1], "web", 10) == []


@pytest.mark.parametrize("call, code, field", [
    (lambda: service.for_customer(1, "web", 0), RecommendationErrorCode.OUT_OF_RANGE, "limit"),
    (lambda: service.for_customer(1, "web", 101), RecommendationErrorCode.OUT_OF_RANGE, "limit"),
    (lambda: service.similar(1, "", 5), RecommendationErrorCode.REQUIRED, "channel"),
    (lambda: service.also_bought(424242, "web", 5), RecommendationErrorCode.NOT_FOUND, "product"),
])
def test_bad_requests_get_a_code_and_a_field(record_shop, call, code, field):
    train_models()
    with pytest.raises(RecommendationError) as error:
        call()
    assert error.value.code is code and error.value.field == field


def test_the_catalog_follows_product_changes_incrementally_and_in_full(record_shop, events, ingest):
    from saleor_crm_plugin.recommendations.store import Catalog, STAMP_SQL
    from django.db import connection

    def stamp():
        with connection.cursor() as cursor:
            cursor.execute(STAMP_SQL)
            return cursor.fetchone()[1]

    first = Catalog.load(stamp())
    assert first.available(4, "outlet")
    # when: 4 leaves the outlet (a newer snapshot) — read as a delta
    ingest(events.product(product_id=4, name="Nevermind", category="Vinyl", at=T0 + days(90),
                          listings=[{"channel": "web", "is_published": True}]))
    second = Catalog.load(stamp(), first)
    # and: a product arrives with an older timestamp than the newest (a late backfill) — the delta
    # misses it, the count does not match, so the catalog is read in full
    ingest(events.product(product_id=77, name="Late arrival", category="Vinyl", at=T0 - days(30)))
    third = Catalog.load(stamp(), second)
    # then
    assert not second.available(4, "outlet") and second.available(4, "web")
    assert second.built_at == first.built_at  # incremental: the full-read clock keeps running
    assert first.available(4, "outlet")  # the previous catalog, still serving in-flight calls, is untouched
    assert third.knows(77) and third.built_at > second.built_at
