import io
import json

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db import connection

from saleor_crm_plugin.error_codes import ProfileErrorCode
from saleor_crm_plugin.errors import CRMError
from saleor_crm_plugin.events.fold import process_pending
from saleor_crm_plugin.events.outbox import record
from saleor_crm_plugin.models import (
    CRMEvent, CRMOrder, CustomerAnalytics, CustomerProfile, CustomerSpend, Segment, SegmentMember,
)
from saleor_crm_plugin.campaigns.consent import set_consent
from saleor_crm_plugin.models import ChannelConsent, CustomerPropensity, Suppression
from saleor_crm_plugin.models.consent import email_hash
from saleor_crm_plugin.profiles.export import PROFILE_TABLES, export_customer
from saleor_crm_plugin.profiles.privacy import erase_customer, scrub_event_payload
from tests.conftest import T0, days
from tests.profiles.people import two_customers  # noqa: F401 - fixture
from tests.profiles.people import BORIS, OKSANA, raw_of, rows_of, scan, tables_with_column

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


# Keyed by the profile but holding nothing about the person to export: a work
# queue, and the tombstones (hashes) of an earlier erasure.
NOT_EXPORTED = {"crm_dirty_profile", "crm_erased_identity"}


def test_erasure_leaves_nothing_naming_the_person_in_any_crm_table(events, two_customers):
    # given: one more event of Oksana's, still pending
    oksana, boris = two_customers
    record(events.order(order_id="ok-late", user_id=OKSANA.user_id, email=OKSANA.email, at=T0 + days(50)),
           source="test", raw=raw_of(OKSANA))
    before = scan(OKSANA)
    boris_before = rows_of(boris, BORIS)
    rejected = CRMEvent.objects.filter(status=CRMEvent.Status.REJECTED, profile=None)
    assert rejected.count() == 4  # two each
    assert set(before) >= {"crm_customer_profile", "crm_order", "crm_checkout", "crm_event", "crm_customer_note"}
    assert before["crm_event"] == set(OKSANA.needles) and before["crm_customer_profile"] >= {"email", "user_id"}
    for table in set(tables_with_column("profile_id")) - NOT_EXPORTED:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table} WHERE profile_id = %s", [oksana])  # noqa: S608
            assert cursor.fetchone()[0], f"no row of Oksana's in {table}"

    # when
    erased = erase_customer(user_id=OKSANA.user_id)

    # then: nothing names her; Boris is untouched; the anonymized figures stay
    assert erased == [oksana]
    assert scan(OKSANA) == {}
    assert rows_of(boris, BORIS) == boris_before
    assert scan(BORIS) == {**scan(BORIS), "crm_event": set(BORIS.needles)}
    profile = CustomerProfile.objects.get(pk=oksana)
    assert profile.erased_at and profile.order_count == 3
    assert not ChannelConsent.objects.filter(profile=profile).exists()
    assert not CustomerPropensity.objects.filter(profile=profile).exists()
    assert CustomerPropensity.objects.filter(profile_id=boris).exists()
    suppression = Suppression.objects.get(email_hash=email_hash(OKSANA.email))  # never mailed again
    assert (suppression.email, suppression.reason) == (None, "manual")
    assert CustomerSpend.objects.get(profile=profile).order_count == 3
    assert CustomerAnalytics.objects.filter(profile=profile).exists()
    assert not SegmentMember.objects.filter(profile=profile).exists()
    assert Segment.objects.get(name="Buyers").member_count == SegmentMember.objects.count() == 1
    assert rejected.count() == 4  # still there for inspection, scrubbed

    # when: the pending event folds
    process_pending()

    # then: into the anonymized profile, still without her
    assert CustomerProfile.objects.get(pk=oksana).order_count == 4
    assert scan(OKSANA) == {}


def test_erasure_by_email_finds_rejected_events_without_a_profile(events, ingest):
    # given: only rejected payloads name her
    from tests.profiles.people import reject

    reject(OKSANA, tag="ok")
    process_pending()
    assert scan(OKSANA)["crm_event"] == set(OKSANA.needles)
    # when
    erase_customer(email=OKSANA.email)
    # then
    assert scan(OKSANA) == {}
    assert CRMEvent.objects.filter(status=CRMEvent.Status.REJECTED).count() == 2


def test_erasure_is_refused_without_an_identity(db):
    with pytest.raises(CRMError) as error:
        erase_customer(email="  ")
    assert error.value.code == ProfileErrorCode.REQUIRED


def test_scrubbing_keeps_what_the_fold_reads_and_drops_the_rest():
    # given: a payload as a webhook sent it, with keys the schema does not read
    payload = {"type": "order", "kind": "order.created", "order_id": "o1", "number": "7",
               "customer": {"email": "a@example.com", "first_name": "Ann"},
               "shipping_address": {"street": "1 Main St"},
               "lines": [{"quantity": 1, "product_id": 3, "gift_message": "For Ann"}]}
    # when
    scrubbed = scrub_event_payload(payload)
    # then
    assert scrubbed == {"type": "order", "kind": "order.created", "order_id": "o1", "number": "7",
                        "customer": {"erased": True}, "lines": [{"quantity": 1, "product_id": 3}]}
    assert scrub_event_payload(["not", "an", "object"]) == {"customer": {"erased": True}}


def test_export_holds_every_table_about_the_person(two_customers):
    # when
    exported = export_customer(email=OKSANA.email.upper())

    # then: one key per table keyed by the profile, each with her rows, and nobody else's
    text = json.dumps(exported)
    assert set(tables_with_column("profile_id")) - NOT_EXPORTED <= set(PROFILE_TABLES.values())
    (profile,) = exported["profiles"]
    assert set(profile) == set(PROFILE_TABLES)
    assert all(profile[key] for key in PROFILE_TABLES), [key for key in PROFILE_TABLES if not profile[key]]
    assert (profile["profile"]["email"], profile["profile"]["user_id"]) == (OKSANA.email, OKSANA.user_id)
    assert [(c["channel"], c["state"], c["source"]) for c in profile["consent"]] == [
        ("default-channel", "subscribed", "storefront")]
    assert [r["state"] for r in profile["consent_history"]] == ["subscribed"]
    assert profile["deliveries"][0]["email"] == OKSANA.email and profile["suppressed"]["reason"] == "manual"
    assert [o["order_id"] for o in profile["orders"]] == ["ok-guest", "ok-1", "ok-2"]
    assert profile["orders"][2]["lines"][0]["unit_price"] == "55.000"
    assert profile["spend"][0]["order_count"] == 3 and profile["analytics"][0]["currency"] == "USD"
    assert [c["token"] for c in profile["checkouts"] if c["completed_at"] is None] == ["ok"]
    assert profile["notes"][0]["text"] == "Oksana asked about vinyl"
    assert [m["segment"] for m in profile["segments"]] == ["Buyers"]
    question, low_score = profile["service_requests"]
    assert (question["kind"], question["email"], question["subject"]) == ("question", OKSANA.email, "Order for Oksana")
    assert question["messages"][0]["body"].startswith("Oksana Vyshyvanka here")
    assert (low_score["kind"], low_score["messages"][0]["body"]) == ("low_score", "Call me, Oksana")
    assert [(a["kind"], a["score"], a["comment"]) for a in profile["survey_responses"]] == [
        ("csat", 1, "Call me, Oksana")]
    [run] = profile["automation_runs"]
    assert (run["automation"], run["state"], run["context"]["lines"][0]["name"]) == (
        "abandoned_checkout", "mailed", "Gift for Oksana")
    assert [(d["campaign"], d["automation"]) for d in profile["deliveries"]] == [("News", None),
                                                                                 (None, "abandoned_checkout")]
    [opened] = profile["deliveries"][1]["events"]
    assert (opened["kind"], opened["raw"]["Recipient"]) == ("opened", OKSANA.email)
    assert {e["kind"] for e in profile["events"]} == {"customer.created", "order.created", "checkout.created"}
    assert all(e["raw"]["user"]["email"] == OKSANA.email for e in profile["events"])
    unlinked = exported["other_events"]
    assert [e["status"] for e in unlinked] == ["rejected", "rejected"]
    assert {e["error_code"] for e in unlinked} == {"unknown_currency", "invalid"}
    assert BORIS.email not in text and BORIS.last_name not in text


def test_consent_after_erasure_creates_nothing_personal(two_customers):
    # given
    erase_customer(user_id=OKSANA.user_id)
    profiles = CustomerProfile.objects.count()
    # when: her (still valid) token records consent
    with pytest.raises(CRMError) as error:
        set_consent("subscribed", "default-channel", "storefront", user_id=OKSANA.user_id, email=OKSANA.email)
    # then
    assert error.value.code_value == "not_found"
    assert CustomerProfile.objects.count() == profiles
    assert scan(OKSANA) == {}


def test_the_erase_command_asks_then_erases(two_customers, monkeypatch):
    # given
    answers = iter(["no", "yes"])
    monkeypatch.setattr("builtins.input", lambda prompt: next(answers))
    # when: refused, then confirmed
    with pytest.raises(CommandError, match="Not erased"):
        call_command("crm_erase", email=OKSANA.email, stdout=io.StringIO())
    assert scan(OKSANA)
    out = io.StringIO()
    call_command("crm_erase", "--email", OKSANA.email.upper(), "--user-id", str(OKSANA.user_id), stdout=out)
    # then
    assert "1 profile(s) found" in out.getvalue() and f"anonymized profile(s) {two_customers[0]}" in out.getvalue()
    assert scan(OKSANA) == {} and scan(BORIS)


def test_the_erase_command_with_yes_does_not_ask_and_needs_an_identity(two_customers, monkeypatch):
    monkeypatch.setattr("builtins.input", lambda prompt: pytest.fail("asked"))
    call_command("crm_erase", "--user-id", str(OKSANA.user_id), "--yes", stdout=io.StringIO())
    assert scan(OKSANA) == {}
    with pytest.raises(CommandError, match="--email and/or --user-id"):
        call_command("crm_erase", "--yes")


def test_the_export_command_writes_json_to_stdout_or_a_file(two_customers, tmp_path):
    # when
    out = io.StringIO()
    call_command("crm_export", "--user-id", str(OKSANA.user_id), stdout=out)
    call_command("crm_export", "--email", OKSANA.email, "--output", str(tmp_path / "oksana.json"),
                 stdout=io.StringIO(), stderr=io.StringIO())
    # then
    printed = json.loads(out.getvalue())
    assert printed == json.loads((tmp_path / "oksana.json").read_text())
    assert printed["profiles"][0]["profile"]["email"] == OKSANA.email
    assert len(printed["other_events"]) == 2
    with pytest.raises(CommandError):
        call_command("crm_export")


def test_erasure_reaches_an_order_another_account_placed_with_her_address(events, ingest, two_customers):
    # given: Boris orders with Oksana's address (the fold keeps it in his profile)
    ingest(events.order(order_id="bo-as-ok", user_id=BORIS.user_id, email=OKSANA.email, at=T0 + days(60)))
    assert CRMOrder.objects.get(order_id="bo-as-ok").profile_id == two_customers[1]
    assert "crm_event" in scan(OKSANA)
    # when
    erase_customer(user_id=OKSANA.user_id)
    # then
    assert scan(OKSANA) == {}
    assert CustomerProfile.objects.get(pk=two_customers[1]).order_count == 4


def test_erasure_redacts_any_other_text_of_the_profile(two_customers):
    # given: a profile set aside with a reason quoting her address (any text column would do)
    oksana, _ = two_customers
    CustomerProfile.objects.filter(pk=oksana).update(
        recompute_error=f"cannot recompute {OKSANA.email} ({OKSANA.first_name})", country="UA")
    # when
    erase_customer(email=OKSANA.email)
    # then
    profile = CustomerProfile.objects.get(pk=oksana)
    assert (profile.recompute_error, profile.country) == ("[erased]", "UA")
    assert scan(OKSANA) == {}
