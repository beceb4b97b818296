"""A shop on its first day: recommendations before any training, and the first training by itself."""

import psycopg
import pytest
from django.db import connection

from saleor_crm_plugin.events.backfill import run_backfill
from saleor_crm_plugin.models import CRMCheckout, CRMSetting, CustomerProfile, ProductSnapshot, RecommendationModel
from saleor_crm_plugin.recommendations import service
from saleor_crm_plugin.recommendations.auto_train import (
    MARKER, REQUEST_INTERVAL_SECONDS, TRAINING_LOCK, request_first_training,
)
from saleor_crm_plugin.recommendations.service import Reason
from tests.conftest import T0, OrdersSource, days
from tests.recommendations.conftest import RECORDS, record_catalog

pytestmark = pytest.mark.django_db

FIRST_ORDERS = [  # (user id, channel, products): five orders, minutes after switching the CRM on
    (100, "web", [1, 2]),
    (100, "web", [1, 3]),
    (200, "web", [4, 5]),
    (200, "outlet", [4, 7]),
    (300, "web", [8]),
]


@pytest.fixture
def catalog(events, ingest):
    """The record shop's catalog and no order: ``outlet`` does not list 6 and has 5 unpublished."""
    ingest(*record_catalog(events))


def place_orders(events, ingest, plan, start=0):
    """Fold one order per ``(user id, channel, products)``, as the worker does after checkout."""
    orders = [
        events.order(email=f"user{user}@example.com", user_id=user, at=T0 + days(start + number), channel=channel,
                     lines=[events.line(product_id=p, name=RECORDS[p][0], category=RECORDS[p][1]) for p in basket])
        for number, (user, channel, basket) in enumerate(plan)
    ]
    ingest(*orders)


@pytest.fixture
def eager_worker(settings):
    """Tasks sent by name run at once in this process, as a worker would run them."""
    from crm_host.celery import app
    import saleor_crm_plugin.tasks  # noqa: F401 - registers the tasks by name

    settings.SALEOR_CRM_AUTO_TRAIN = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def ids(results):
    return [r.product_id for r in results]


def favourites(user_id):
    profile = CustomerProfile.objects.get(user_id=user_id)
    return profile.pk, [c["category"] for c in profile.favourite_categories]


def assert_available(results, channel):
    available = {s.product_id for s in ProductSnapshot.objects.all() if s.is_available_in(channel)}
    assert results and set(ids(results)) <= available, (channel, results)


def test_every_kind_answers_with_available_products_before_any_training(catalog, events, ingest):
    # given: five orders, no training
    place_orders(events, ingest, FIRST_ORDERS)
    ingest(events.checkout(token="cart-1", email="new@example.com",
                           lines=[events.line(product_id=4, category="Vinyl")]))
    CRMCheckout.objects.filter(token="cart-1").update(channel="outlet")
    jazz_fan, jazz_favourites = favourites(100)
    # when
    answers = {
        channel: {
            "for_customer": service.for_customer(jazz_fan, channel, 10, favourite_categories=jazz_favourites),
            "for_anonymous": service.for_customer(None, channel, 10),
            "also_bought": service.also_bought(1, channel, 10),
            "similar": service.similar(1, channel, 10),
            "for_cart": service.for_cart([4], channel, 10),
            "for_checkout": service.for_checkout("cart-1", channel, 10),
        }
        for channel in ("web", "outlet")
    }
    # then: no model, and every kind answers with products available in its channel
    assert not RecommendationModel.objects.exists()
    for channel, kinds in answers.items():
        for kind, results in kinds.items():
            assert_available(results, channel)
    outlet = [r for results in answers["outlet"].values() for r in results]
    assert not {5, 6} & set(ids(outlet))  # 5 unpublished, 6 not listed there
    assert 5 in ids(answers["web"]["for_cart"])  # but sold and listed in web
    # and the reasons are true: content similarity for similar records, best-sellers otherwise
    similar = answers["web"]["similar"]
    assert set(ids(similar)[:2]) == {2, 3} and similar[0].reason is Reason.SIMILAR
    web_for_you = answers["web"]["for_customer"]
    assert web_for_you[0].reason is Reason.POPULAR_IN_CATEGORY and web_for_you[0].product_id == 1
    sold = {p for _, _, basket in FIRST_ORDERS for p in basket}
    wanted = {"for_customer": set(jazz_favourites), "for_anonymous": set(), "also_bought": {"Vinyl"},
              "similar": {"Vinyl"}, "for_cart": {"Vinyl"}, "for_checkout": {"Vinyl"}}
    for kind, results in answers["web"].items():
        for result in results:
            if result.reason is Reason.POPULAR_IN_CATEGORY:
                assert result.product_id in sold and RECORDS[result.product_id][1] in wanted[kind]
            elif result.reason is Reason.POPULAR_IN_CHANNEL:
                assert result.product_id in sold
            else:
                assert kind == "similar" and result.reason is Reason.SIMILAR
    also = answers["web"]["also_bought"]
    assert {r.reason for r in also[:4]} == {Reason.POPULAR_IN_CATEGORY} and 1 not in ids(also)
    assert all(RECORDS[r.product_id][1] == "Vinyl" for r in also if r.reason is Reason.POPULAR_IN_CATEGORY)
    web_cart = answers["web"]["for_cart"]
    assert ids(web_cart)[0] == 1 and web_cart[0].reason is Reason.POPULAR_IN_CATEGORY  # the cart's category first
    # the outlet has sold 4 and 7: a cart holding 4 gets the outlet's other best-seller
    assert [(r.product_id, r.reason) for r in answers["outlet"]["for_checkout"]] == [(7, Reason.POPULAR_IN_CHANNEL)]


def test_best_sellers_follow_new_orders_before_any_training(catalog, events, ingest):
    # given
    place_orders(events, ingest, FIRST_ORDERS)
    before = service.for_customer(None, "web", 3)
    # when: coffee sells three times more, the newest orders
    place_orders(events, ingest, [(300 + n, "web", [8]) for n in range(3)], start=30)
    after = service.for_customer(None, "web", 3)
    # then
    assert ids(before)[0] != 8 and ids(after)[0] == 8 and after[0].reason is Reason.POPULAR_IN_CHANNEL


def test_the_first_training_starts_by_itself_at_the_threshold_and_only_once(catalog, events, ingest, settings,
                                                                             eager_worker):
    # given: a threshold of 8 orders and five placed
    settings.SALEOR_CRM = {**settings.SALEOR_CRM, "auto_train_min_orders": 8}
    place_orders(events, ingest, FIRST_ORDERS)
    assert not RecommendationModel.objects.exists() and not request_first_training()
    # when: three more orders are folded
    place_orders(events, ingest, [(400, "web", [2, 3]), (401, "web", [5, 6]), (402, "outlet", [1])], start=10)
    # then: the fold sent the training, which trained on all eight
    model = RecommendationModel.objects.get()
    assert model.is_active and model.counts["orders"] == 8
    assert service.store.current().version == model.version
    assert service.also_bought(2, "web", 3)[0].reason is Reason.BOUGHT_TOGETHER
    # and more orders do not start another one (the nightly training's job)
    place_orders(events, ingest, [(500, "web", [1])], start=20)
    assert RecommendationModel.objects.count() == 1


def test_a_training_is_requested_at_most_once_per_interval_and_never_during_one(catalog, events, ingest, settings,
                                                                                eager_worker):
    # given: the first training was requested, then failed (no model is active)
    settings.SALEOR_CRM = {**settings.SALEOR_CRM, "auto_train_min_orders": 5}
    place_orders(events, ingest, FIRST_ORDERS)
    assert RecommendationModel.objects.count() == 1
    RecommendationModel.objects.update(is_active=False, status=RecommendationModel.Status.FAILED)
    # when / then: not again within the interval
    assert not request_first_training()
    # when: the interval has passed but another process is training
    marker = CRMSetting.objects.get(name=MARKER)
    CRMSetting.objects.filter(pk=marker.pk).update(value=str(int(marker.value) - REQUEST_INTERVAL_SECONDS - 1))
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"],
                         autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", [TRAINING_LOCK])
        during = request_first_training()
        # released here: a closed connection's backend may still hold it for a moment
        other.execute("SELECT pg_advisory_unlock(%s)", [TRAINING_LOCK])
    # then: nothing during it, once after it
    assert not during and RecommendationModel.objects.count() == 1
    assert request_first_training() and not request_first_training()
    assert RecommendationModel.objects.filter(is_active=True).count() == 1


def test_below_the_threshold_or_switched_off_nothing_is_sent(catalog, events, ingest, settings, eager_worker):
    # given: the default threshold (20) and five orders
    place_orders(events, ingest, FIRST_ORDERS)
    assert not RecommendationModel.objects.exists()
    # when: switched off, at a threshold the shop has reached
    settings.SALEOR_CRM = {**settings.SALEOR_CRM, "auto_train_min_orders": 1}
    settings.SALEOR_CRM_AUTO_TRAIN = False
    place_orders(events, ingest, [(600, "web", [1])], start=40)
    # then
    assert not RecommendationModel.objects.exists() and not CRMSetting.objects.filter(name=MARKER).exists()




def test_a_finished_backfill_requests_a_training(catalog, events, eager_worker):
    # given: three past orders to import, below the threshold
    orders = [events.order(email="old@example.com", user_id=700, at=T0 + days(n), channel="web",
                           lines=[events.line(product_id=p, category="Vinyl")]) for n, p in enumerate([1, 2, 4])]
    # when
    report = run_backfill(OrdersSource(orders))
    # then
    assert report.folded == 3
    model = RecommendationModel.objects.get()
    assert model.is_active and model.counts["orders"] == 3
