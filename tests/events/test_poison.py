"""One bad row never stops the fold, training or analytics (issue 9)."""

import logging
from datetime import datetime

import pytest
from django.db import connection

from saleor_crm_plugin.events.fold import process_pending
from saleor_crm_plugin.events.outbox import record, record_payload
from saleor_crm_plugin.models import CRMEvent, CRMOrder, CustomerAnalytics, CustomerProfile, DirtyProfile
from saleor_crm_plugin.profiles.scores import recompute_scores
from saleor_crm_plugin.recommendations.training import train_models
from tests.conftest import T0, days

pytestmark = pytest.mark.django_db

POISON_DATE = "9999-12-31T23:59:59-14:00"  # year 10000 in UTC
# Stored as data from before dates were checked would be: PostgreSQL keeps it,
# Python cannot read it back.
ABSURD_ORDER_SQL = """
INSERT INTO crm_order (order_id, number, profile_id, user_id, email, channel, currency, status, total_gross,
    total_net, lines_count, placed_at, checkout_token, country, source_updated_at, version_key, is_paid,
    is_fulfilled, is_cancelled, is_expired, is_refunded, is_fully_refunded)
VALUES ('from-the-past', '1', %s, NULL, NULL, 'default-channel', 'USD', '', 10, 10, 1,
    '10000-01-01T00:00:00+00', '', '', '10000-01-01T00:00:00+00', 'v', false, false, false, false, false, false)
"""


def customer_orders(events, count_customers, per_customer):
    return [
        events.order(order_id=f"c{c}-o{n}", email=f"c{c}@example.com", at=T0 + days(7 * n),
                     lines=[events.line(product_id=1 + (c + n) % 5), events.line(product_id=6 + c % 3)])
        for c in range(count_customers)
        for n in range(per_customer)
    ]


def test_a_poison_timestamp_among_200_orders_is_rejected_and_the_rest_folds(events, caplog):
    # given: 200 good orders from webhooks, one poison in the middle
    payloads = [order.to_payload() for order in customer_orders(events, 40, 5)]
    poison = {**payloads[100], "order_id": "poison", "placed_at": POISON_DATE, "updated_at": POISON_DATE}
    for payload in payloads[:100] + [poison] + payloads[100:]:
        record_payload(payload, source="webhook")

    # when
    stats = process_pending(batch_size=50)

    # then: the 200 are in their profiles, the poison is set aside with its code
    assert (stats.processed, stats.rejected) == (200, 1)
    rejected = CRMEvent.objects.get(status="rejected")
    assert rejected.payload["order_id"] == "poison" and rejected.error_code == "invalid_date"
    assert "placed_at" in rejected.error_message
    assert CRMOrder.objects.count() == 200
    assert sorted(CustomerProfile.objects.values_list("order_count", flat=True)) == [5] * 40
    assert not CustomerProfile.objects.filter(recompute_error_code__isnull=False).exists()

    # and training and analytics still run, skipping nothing
    model = train_models()
    assert model.status == "active" and model.counts["orders"] == 200
    assert model.params["skipped"] == {"out_of_range_dates": 0, "set_aside_profiles": 0}
    assert recompute_scores() == {"USD": 40}


def test_a_poison_date_on_a_built_event_is_rejected_and_its_row_stays_readable(events, ingest):
    # given: an adapter built the event from what the source said
    poison_at = datetime.fromisoformat(POISON_DATE)

    # when
    stats = ingest(events.order(order_id="poison", email="ann@example.com", at=poison_at),
                   events.order(order_id="fine", email="ann@example.com"))

    # then
    assert (stats.processed, stats.rejected) == (1, 1)
    rejected = CRMEvent.objects.get(status="rejected")  # every column reads back into Python
    assert rejected.error_code == "invalid_date" and rejected.occurred_at.year < 9999
    assert CustomerProfile.objects.get().order_count == 1


def test_a_profile_whose_recompute_fails_is_set_aside_and_the_others_are_recomputed(events, ingest, caplog):
    # given: three customers, one of them with an order stored before dates were checked
    ingest(*customer_orders(events, 3, 1))
    bad = CustomerProfile.objects.get(email="c1@example.com")
    with connection.cursor() as cursor:
        cursor.execute(ABSURD_ORDER_SQL, [bad.pk])

    # when: a batch touches all three
    with caplog.at_level(logging.WARNING, logger="saleor_crm_plugin"):
        for c in range(3):
            record(events.order(order_id=f"new-{c}", email=f"c{c}@example.com", at=T0 + days(30)), source="test")
        stats = process_pending()

    # then: the others are recomputed, the culprit is set aside with its code and reason
    assert stats.processed == 3
    counts = dict(CustomerProfile.objects.values_list("email", "order_count"))
    assert counts == {"c0@example.com": 2, "c1@example.com": 1, "c2@example.com": 2}
    bad.refresh_from_db()
    assert bad.recompute_error_code == "fold_error" and "year 10K" in bad.recompute_error
    assert bad.recompute_failed_at is not None
    warnings = [r for r in caplog.records if "set aside" in r.message]
    assert len(warnings) == 1 and f"profile {bad.pk} " in warnings[0].message

    # and it does not block the next drains (not re-marked dirty in a loop)
    caplog.clear()
    assert process_pending().processed == 0
    assert not DirtyProfile.objects.exists()
    assert not [r for r in caplog.records if "set aside" in r.message]

    # and training and analytics skip it, and say so
    skipped = {"out_of_range_dates": 1, "set_aside_profiles": 1}
    model = train_models()
    assert model.status == "active" and model.counts["customers"] == 2
    assert model.params["skipped"] == skipped
    counts = recompute_scores()
    assert counts == {"USD": 2} and counts.skipped == skipped
    assert not CustomerAnalytics.objects.filter(profile_id=bad.pk).exists()


def test_a_later_successful_recompute_clears_the_set_aside(events, ingest):
    # given: a set-aside profile
    ingest(events.order(order_id="o-1", email="ann@example.com"))
    profile = CustomerProfile.objects.get()
    with connection.cursor() as cursor:
        cursor.execute(ABSURD_ORDER_SQL, [profile.pk])
    ingest(events.order(order_id="o-2", email="ann@example.com", at=T0 + days(1)))
    assert CustomerProfile.objects.get().recompute_error_code == "fold_error"

    # when: the bad row is repaired and the profile changes again
    with connection.cursor() as cursor:  # the ORM could not even load the row to delete it
        cursor.execute("DELETE FROM crm_order WHERE order_id = 'from-the-past'")
    ingest(events.order(order_id="o-3", email="ann@example.com", at=T0 + days(2)))

    # then
    profile.refresh_from_db()
    assert profile.order_count == 3
    assert (profile.recompute_error_code, profile.recompute_error, profile.recompute_failed_at) == (None, None, None)


def good_payload(events):
    return events.order(order_id="o-1", email="ann@example.com").to_payload()


def with_line(payload, **change):
    return {**payload, "lines": [{**payload["lines"][0], **change}]}


def nested(depth):
    value = "bottom"
    for _ in range(depth):
        value = {"inner": [value]}
    return value


BAD_PAYLOADS = {
    "a list": (lambda p: [p], "invalid"),
    "a string": (lambda p: "order", "invalid"),
    "null": (lambda p: None, "invalid"),
    "customer not an object": (lambda p: {**p, "customer": "ann@example.com"}, "invalid"),
    "customer a list": (lambda p: {**p, "customer": [p["customer"]]}, "invalid"),
    "lines an object": (lambda p: {**p, "lines": p["lines"][0]}, "invalid"),
    "a line not an object": (lambda p: {**p, "lines": ["tea"]}, "invalid"),
    "type a list": (lambda p: {**p, "type": ["order"]}, "unknown_kind"),
    "kind an object": (lambda p: {**p, "kind": {"order": "created"}}, "unknown_kind"),
    "quantity 1.5": (lambda p: with_line(p, quantity=1.5), "invalid_quantity"),
    "quantity text": (lambda p: with_line(p, quantity="two"), "invalid_quantity"),
    "quantity true": (lambda p: with_line(p, quantity=True), "invalid_quantity"),
    "quantity huge": (lambda p: with_line(p, quantity=10**40), "invalid_quantity"),
    "quantity NaN": (lambda p: with_line(p, quantity=float("nan")), "invalid_quantity"),
    "total text": (lambda p: {**p, "total_gross": "lots"}, "invalid_amount"),
    "total NaN text": (lambda p: {**p, "total_gross": "NaN"}, "invalid_amount"),
    "total NaN": (lambda p: {**p, "total_gross": float("nan")}, "invalid_amount"),
    "total Infinity": (lambda p: {**p, "total_gross": float("inf")}, "invalid_amount"),
    "total huge exponent": (lambda p: {**p, "total_gross": "1e999999"}, "invalid_amount"),
    "total beyond the column": (lambda p: {**p, "total_gross": "1e17"}, "invalid_amount"),
    "total a 5000-digit int": (lambda p: {**p, "total_gross": 10**5000}, "invalid_amount"),
    "line price a list": (lambda p: with_line(p, unit_price=[1]), "invalid_amount"),
    "user id huge": (lambda p: {**p, "customer": {**p["customer"], "user_id": 2**70}}, "invalid"),
    "user id 1.5": (lambda p: {**p, "customer": {**p["customer"], "user_id": 1.5}}, "invalid"),
    "email an object": (lambda p: {**p, "customer": {"email": {"a": 1}}}, "invalid_email"),
    "order id an object": (lambda p: {**p, "order_id": {"id": 1}}, "invalid"),
    "currency a number": (lambda p: {**p, "currency": 978}, "unknown_currency"),
    "poison date": (lambda p: {**p, "placed_at": POISON_DATE}, "invalid_date"),
    "date before 1970": (lambda p: {**p, "placed_at": "1969-12-31T23:59:59+00:00"}, "invalid_date"),
    "date a number": (lambda p: {**p, "placed_at": 1700000000}, "invalid_date"),
    "nested garbage": (lambda p: {**p, "customer": {"email": nested(200)}}, "invalid_email"),
    "NUL in a name": (lambda p: with_line(p, product_name="Tea\x00"), "invalid"),
    "lone surrogate": (lambda p: {**p, "customer": {**p["customer"], "first_name": "\ud800"}}, "invalid"),
    "NUL kind": (lambda p: {**p, "kind": "order.\x00"}, "unknown_kind"),
}


@pytest.mark.parametrize("case", BAD_PAYLOADS)
def test_every_bad_payload_becomes_a_rejected_row_with_its_code(events, db, case):
    # given
    make, code = BAD_PAYLOADS[case]
    payload = make(good_payload(events))

    # when: neither storing nor folding raises
    assert record_payload(payload, source="webhook", raw={"body": payload}) is True
    process_pending()

    # then: kept, set aside with its code
    row = CRMEvent.objects.get()
    assert (row.status, row.error_code) == ("rejected", code), row.error_message
    assert row.error_message


def test_the_same_bad_payload_twice_is_stored_once(events, db):
    # given
    payload = {**good_payload(events), "total_gross": float("nan")}

    # when
    first, second = record_payload(payload, source="webhook"), record_payload(payload, source="webhook")

    # then
    assert (first, second) == (True, False)
    assert CRMEvent.objects.count() == 1


def test_an_escaped_payload_keeps_what_came(events, db):
    # given
    payload = with_line(good_payload(events), product_name="Tea\x00", quantity=float("inf"))

    # when
    record_payload(payload, source="webhook")

    # then: the text is unicode-escaped, the number spelled out, nothing dropped
    line = CRMEvent.objects.get().payload["lines"][0]
    assert line["product_name"] == "Tea\\x00" and line["quantity"] == "Infinity"
    assert line["unit_price"] == payload["lines"][0]["unit_price"]
