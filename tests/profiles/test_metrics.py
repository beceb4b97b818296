import logging

import pytest
from django.db import connection
from django.utils import timezone

from saleor_crm_plugin.models import CRMCheckout, CustomerProfile
from saleor_crm_plugin.profiles.checkouts import detect_abandoned_checkouts
from saleor_crm_plugin.profiles.metrics import mark_dirty, recompute_marked
from saleor_crm_plugin.profiles.timeline import timeline
from tests.conftest import T0, days
from tests.events.test_poison import ABSURD_ORDER_SQL

pytestmark = pytest.mark.django_db


def test_favourites_rank_by_quantity_then_orders(events, ingest):
    ingest(
        events.order(order_id="1", email="a@example.com", lines=[
            events.line(1, quantity=3, category="Tea"), events.line(2, quantity=1, category="Coffee")]),
        events.order(order_id="2", email="a@example.com", at=T0 + days(7), lines=[
            events.line(2, quantity=2, category="Coffee"), events.line(3, quantity=1, category="Cake")]),
    )
    profile = CustomerProfile.objects.get()
    assert [(p["product_id"], p["quantity"], p["orders"]) for p in profile.favourite_products] == [
        (1, 3, 1), (2, 3, 2), (3, 1, 1)] or [p["product_id"] for p in profile.favourite_products] == [2, 1, 3]
    assert [c["category"] for c in profile.favourite_categories] == ["Coffee", "Tea", "Cake"]


def test_open_checkout_becomes_abandoned_after_the_delay(events, ingest, settings):
    # given: a checkout changed a minute ago, with a 30-minute delay
    settings.SALEOR_CRM = {"abandoned_checkout_minutes": 30}
    now = timezone.now()
    ingest(events.checkout(token="fresh", email="a@example.com", at=now - days(1) / 1440))
    profile = CustomerProfile.objects.get()
    assert (profile.open_checkouts, profile.abandoned_checkouts) == (1, 0)

    # when: the periodic scan runs after the delay
    marked = detect_abandoned_checkouts(now=now + days(1) / 24)

    # then
    profile.refresh_from_db()
    assert marked == 1 and CRMCheckout.objects.get().abandoned_at is not None
    assert (profile.open_checkouts, profile.abandoned_checkouts) == (0, 1)
    assert timeline(profile)[0]["kind"] == "checkout.abandoned"


def test_completed_checkout_is_never_abandoned(events, ingest):
    ingest(events.order(order_id="o", email="a@example.com", checkout_token="t", at=T0 + days(1)))
    ingest(events.checkout(token="t", email="a@example.com", at=T0))
    assert detect_abandoned_checkouts() == 0
    assert CustomerProfile.objects.get().abandoned_checkouts == 0


def test_timeline_reads_like_a_story(events, ingest):
    ingest(
        events.customer(user_id=1, email="a@example.com", at=T0),
        events.order(order_id="o", user_id=1, email="a@example.com", at=T0 + days(1), number=21,
                     lines=[events.line(quantity=2, price="4.50")]),
        events.order("order.fulfilled", order_id="o", user_id=1, email="a@example.com", number=21,
                     at=T0 + days(1), updated_at=T0 + days(2)),
    )
    texts = [entry["text"] for entry in timeline(CustomerProfile.objects.get())]
    assert texts == ["Order #21 fulfilled", "Order #21 placed, $9.00, 2 items, in default-channel",
                     "Created an account"]


def test_one_failing_profile_among_many_is_set_aside_alone(events, ingest, caplog):
    # given: 40 customers, one with an order stored before dates were checked
    ingest(*[events.order(order_id=f"o{c}", email=f"c{c}@example.com") for c in range(40)])
    bad = CustomerProfile.objects.get(email="c17@example.com")
    with connection.cursor() as cursor:
        cursor.execute(ABSURD_ORDER_SQL, [bad.pk])
        cursor.execute("UPDATE crm_customer_profile SET order_count = 0")
    mark_dirty(CustomerProfile.objects.values_list("pk", flat=True))

    # when
    with caplog.at_level(logging.WARNING, logger="saleor_crm_plugin"):
        recomputed = recompute_marked()

    # then: the 39 others have their figures back, the culprit alone is set aside
    assert recomputed == 39
    assert CustomerProfile.objects.exclude(pk=bad.pk).filter(order_count=1).count() == 39
    assert list(CustomerProfile.objects.filter(recompute_error_code="fold_error")) == [bad]
    assert CustomerProfile.objects.get(pk=bad.pk).order_count == 0  # its last figures stay
    assert sum("set aside" in r.message for r in caplog.records) == 1
