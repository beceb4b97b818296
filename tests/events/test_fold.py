import logging
import random
from decimal import Decimal

import pytest
from django.db import connection

from saleor_crm_plugin.events.fold import process_pending, refold_all
from saleor_crm_plugin.events.outbox import record, record_payload
from saleor_crm_plugin.models import CRMEvent, CRMOrder, CustomerProfile
from tests.conftest import T0, days
from tests.state import facts_state, profile_state

pytestmark = pytest.mark.django_db


def shop_history(events):
    """A realistic mixed history: accounts, guests, checkouts, status changes, products."""
    history = [
        events.product(product_id=1, name="Tea"),
        events.product(product_id=2, name="Coffee", at=T0 + days(1)),
        events.customer(user_id=1, email="ann@example.com", at=T0),
        events.customer("customer.updated", user_id=1, email="ann@example.com", first_name="Annie", at=T0 + days(3)),
        events.customer(user_id=2, email="bob@example.com", first_name="Bob", at=T0 + days(2)),
    ]
    for i in range(12):
        who = [dict(user_id=1, email="ann@example.com"), dict(email="bob@example.com"),
               dict(email="cat@example.com"), dict(user_id=2, email="bob@example.com")][i % 4]
        at = T0 + days(5 * i)
        order = events.order(
            order_id=f"o{i}", at=at, currency=["USD", "EUR"][i % 2],
            lines=[events.line(product_id=1 + i % 2, quantity=1 + i % 3), events.line(product_id=3, category="Snacks")],
            checkout_token=f"chk-{i}", **who,
        )
        history.append(events.checkout(token=f"chk-{i}", at=at - days(1) / 24, **who))
        history.append(order)
        if i % 5 == 0:
            history.append(events.order("order.fully_paid", order_id=f"o{i}", at=at, updated_at=at + days(1), **who))
        if i % 6 == 1:
            history.append(events.order("order.cancelled", order_id=f"o{i}", at=at, updated_at=at + days(2),
                                        status="canceled", **who))
        if i == 4:
            history.append(events.order("order.refunded", order_id=f"o{i}", at=at, updated_at=at + days(3), **who))
    history.append(events.checkout(token="chk-open", email="cat@example.com", at=T0 + days(400)))
    history.append(events.checkout(token="chk-anon", at=T0 + days(2)))
    return history


def test_folding_twice_and_shuffled_gives_the_same_profiles(events, ingest):
    # given: one ordered delivery
    history = shop_history(events)
    ingest(*history)
    ordered_profiles, ordered_facts = profile_state(), facts_state()
    assert len(ordered_profiles) == 3

    for seed in range(3):
        # when: everything again, every event twice, shuffled, folded in small batches
        CustomerProfile.objects.all().delete()
        CRMEvent.objects.all().delete()
        CRMOrder.objects.all().delete()
        doubled = history * 2
        random.Random(seed).shuffle(doubled)
        for event in doubled:
            record(event, source="test")
        process_pending(batch_size=7)

        # then
        assert profile_state() == ordered_profiles
        assert facts_state() == ordered_facts


def test_folding_the_same_rows_again_changes_nothing(events, ingest):
    # given
    ingest(*shop_history(events))
    before_profiles, before_facts = profile_state(), facts_state()

    # when: every processed row is folded again, in reverse order
    CRMEvent.objects.update(status="pending")
    process_pending(batch_size=5)
    # and everything is rebuilt from the stored events
    refold_all()

    # then
    assert profile_state() == before_profiles
    assert facts_state() == before_facts


def test_duplicate_delivery_is_stored_once(events, db):
    event = events.order(email="ann@example.com")
    assert record(event, source="plugin") is True
    assert record(event, source="webhook") is False
    assert CRMEvent.objects.count() == 1


def test_metrics_are_per_currency_and_skip_cancelled_orders(events, ingest):
    # given
    ingest(
        events.order(order_id="a", email="ann@example.com", currency="USD", lines=[events.line(price="10")]),
        events.order(order_id="b", email="ann@example.com", currency="EUR", at=T0 + days(10),
                     lines=[events.line(price="7.50", quantity=2)]),
        events.order(order_id="c", email="ann@example.com", currency="USD", at=T0 + days(20),
                     lines=[events.line(price="30")]),
        events.order("order.cancelled", order_id="d", email="ann@example.com", currency="USD",
                     at=T0 + days(30), status="canceled", lines=[events.line(price="99")]),
    )

    # when
    profile = CustomerProfile.objects.get(email="ann@example.com")

    # then
    spend = {s.currency: (s.order_count, s.revenue, s.average_order_value) for s in profile.spend.all()}
    assert spend == {"USD": (2, Decimal("40"), Decimal("20")), "EUR": (1, Decimal("15"), Decimal("15"))}
    assert (profile.order_count, profile.placed_count, profile.cancelled_count) == (3, 4, 1)
    assert profile.first_order_at == T0 and profile.last_order_at == T0 + days(20)
    assert profile.mean_days_between_orders == 10.0


def test_newest_snapshot_wins_and_flags_only_turn_on(events, ingest):
    # given: a cancellation folded before the (older) creation
    created = events.order(order_id="o", email="ann@example.com", status="unfulfilled")
    cancelled = events.order("order.cancelled", order_id="o", email="ann@example.com",
                             status="canceled", updated_at=T0 + days(1))
    ingest(cancelled)
    ingest(created)

    # then
    order = CRMOrder.objects.get(order_id="o")
    assert order.status == "canceled" and order.is_cancelled
    assert CustomerProfile.objects.get().order_count == 0


def test_malformed_events_are_rejected_logged_kept_and_do_not_block(events, db, caplog):
    # given: bad events between good ones
    good_before = events.order(order_id="ok-1", email="ann@example.com")
    missing_email = events.order(order_id="bad-1").to_payload()
    unknown_currency = {**events.order(order_id="bad-2", email="bob@example.com").to_payload(), "currency": "ABC"}
    negative = events.order(order_id="bad-3", email="cat@example.com").to_payload()
    negative["lines"][0]["quantity"] = -1
    partial = {"type": "order", "kind": "order.created", "order_id": "bad-4", "customer": {"email": "dan@example.com"}}
    good_after = events.order(order_id="ok-2", email="ann@example.com", at=T0 + days(1))
    record(good_before, source="test")
    for payload in (missing_email, unknown_currency, negative, partial):
        record_payload(payload, source="webhook")
    record(good_after, source="test")

    # when
    with caplog.at_level(logging.WARNING, logger="saleor_crm_plugin"):
        stats = process_pending(batch_size=3)

    # then
    assert (stats.processed, stats.rejected) == (2, 4)
    rejected = dict(CRMEvent.objects.filter(status="rejected").values_list("payload__order_id", "error_code"))
    assert rejected == {
        "bad-1": "missing_identity", "bad-2": "unknown_currency",
        "bad-3": "invalid_quantity", "bad-4": "invalid_date",
    }
    kept = CRMEvent.objects.get(payload__order_id="bad-3")
    assert kept.payload == negative and "must be at least 1" in kept.error_message
    assert CustomerProfile.objects.get(email="ann@example.com").order_count == 2
    assert sum("rejected" in r.message and "[unknown_currency]" in r.message for r in caplog.records) == 1
    assert not CustomerProfile.objects.filter(email__in=["bob@example.com", "cat@example.com"]).exists()


def test_an_unexpected_failure_sets_only_the_culprit_aside(events, db):
    # given: a row that passes validation but that the database refuses (a
    # constraint the fold does not know about)
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE crm_order ADD CONSTRAINT test_refuses CHECK (order_id <> 'refused')")
    record(events.order(order_id="ok", email="ann@example.com"), source="test")
    record(events.order(order_id="refused", email="bob@example.com"), source="test")
    record(events.order(order_id="ok-2", email="ann@example.com", at=T0 + days(1)), source="test")

    # when
    stats = process_pending()

    # then
    assert stats.rejected == 1
    culprit = CRMEvent.objects.get(status="rejected")
    assert culprit.error_code == "fold_error" and "test_refuses" in culprit.error_message
    assert CustomerProfile.objects.get(email="ann@example.com").order_count == 2


def test_a_value_longer_than_its_column_is_rejected_at_validation(events, db):
    # given
    record(events.order(order_id="x" * 100, email="bob@example.com"), source="test")  # order_id holds 64

    # when
    stats = process_pending()

    # then
    assert stats.rejected == 1
    assert CRMEvent.objects.get().error_code == "invalid"
