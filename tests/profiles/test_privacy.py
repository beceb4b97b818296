import json

import pytest
from django.apps import apps
from django.db import connection

from saleor_crm_plugin.events.fold import process_pending
from saleor_crm_plugin.events.outbox import record
from saleor_crm_plugin.models import CRMOrder, CustomerProfile, CustomerSpend
from saleor_crm_plugin.profiles.privacy import erase_customer, export_customer
from tests.conftest import T0, days

pytestmark = pytest.mark.django_db

PERSONAL = ["ann@example.com", "Annabel", "Leeworth", "guest-ann@example.com"]


def rows_mentioning(text: str) -> dict:
    """Every CRM table's rows whose full text contains ``text``."""
    found = {}
    with connection.cursor() as cursor:
        for model in apps.get_app_config("saleor_crm_plugin").get_models():
            table = model._meta.db_table
            cursor.execute(f"SELECT count(*) FROM {table} t WHERE t::text ILIKE %s", [f"%{text}%"])  # noqa: S608
            if count := cursor.fetchone()[0]:
                found[table] = count
    return found


def ann_history(events):
    return [
        events.customer(user_id=5, email="ann@example.com", first_name="Annabel", last_name="Leeworth"),
        events.checkout(token="ann-chk", user_id=5, email="ann@example.com", at=T0 + days(1)),
        events.order(order_id="ann-1", user_id=5, email="ann@example.com", at=T0 + days(1), checkout_token="ann-chk"),
        events.order(order_id="ann-2", user_id=5, email="ann@example.com", at=T0 + days(9)),
        events.order(order_id="guest", email="guest-ann@example.com", at=T0 + days(3)),
    ]


def test_deleting_a_customer_leaves_no_personal_data(events, ingest):
    # given: Ann's history plus someone else's, and a raw source payload
    for event in ann_history(events):
        record(event, source="plugin", raw={"user_email": "ann@example.com", "first_name": "Annabel"})
    ingest(events.order(order_id="other", email="zed@example.com"))
    assert rows_mentioning("ann@example.com")

    # when: Saleor deletes the account (and the guest address is erased on request)
    ingest(events.customer("customer.deleted", user_id=5, email="ann@example.com", at=T0 + days(20)))
    erase_customer(email="guest-ann@example.com")

    # then: nothing personal anywhere; anonymized aggregates remain
    for text in PERSONAL:
        assert rows_mentioning(text) == {}, text
    erased = CustomerProfile.objects.get(erased_at__isnull=False, order_count=2)
    assert (erased.user_id, erased.email, erased.first_name) == (None, None, "")
    assert CustomerSpend.objects.get(profile=erased).order_count == 2
    assert CustomerProfile.objects.get(email="zed@example.com").order_count == 1


def test_late_events_of_an_erased_customer_stay_anonymous(events, ingest):
    # given
    history = ann_history(events)
    ingest(*history[:3])
    ingest(events.customer("customer.deleted", user_id=5, email="ann@example.com", at=T0 + days(20)))

    # when: an older order is delivered again after the deletion
    ingest(history[3])

    # then
    assert rows_mentioning("ann@example.com") == {}
    assert CustomerProfile.objects.get(erased_at__isnull=False).order_count == 2
    assert not CRMOrder.objects.exclude(email=None).filter(order_id__startswith="ann").exists()


def test_deletion_delivered_first_still_erases_everything(events, db):
    # given: the deletion event overtakes the history
    record(events.customer("customer.deleted", user_id=5, email="ann@example.com", at=T0 + days(20)), source="t")
    process_pending()
    for event in ann_history(events)[:4]:
        record(event, source="t")
    process_pending()

    # then
    assert rows_mentioning("ann@example.com") == {} and rows_mentioning("Annabel") == {}
    assert CustomerProfile.objects.get(erased_at__isnull=False).order_count == 2


def test_export_contains_the_whole_record_as_json(events, ingest):
    ingest(*ann_history(events))
    exported = export_customer(email="ANN@example.com")
    text = json.dumps(exported)  # must be JSON-ready as returned
    (profile,) = exported["profiles"]
    assert profile["profile"]["email"] == "ann@example.com"
    assert [o["order_id"] for o in profile["orders"]] == ["ann-1", "ann-2"]
    assert profile["orders"][0]["lines"][0]["quantity"] == 1
    assert {e["kind"] for e in profile["events"]} >= {"customer.created", "order.created", "checkout.created"}
    assert "Annabel" in text
