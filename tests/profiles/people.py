"""Two customers with data in every CRM table (made by the real services), and a scan of every crm_* table."""

import re
from dataclasses import dataclass

import pytest
from django.db import connection
from graphql_relay import to_global_id

from tests.conftest import T0, days


@dataclass(frozen=True)
class Person:
    user_id: int
    email: str
    first_name: str
    last_name: str
    phone: str

    @property
    def global_id(self) -> str:
        return to_global_id("User", str(self.user_id))

    @property
    def needles(self) -> dict[str, re.Pattern]:
        """What names the person in a row's text: email, names, user id (plain and as a Saleor global id)."""
        return {
            "email": re.compile(re.escape(self.email), re.I),
            "first_name": re.compile(re.escape(self.first_name), re.I),
            "last_name": re.compile(re.escape(self.last_name), re.I),
            "user_id": re.compile(rf"(?<!\d){self.user_id}(?!\d)"),
            "global_id": re.compile(re.escape(self.global_id)),
            "phone": re.compile(re.escape(self.phone[1:])),  # with or without its +
        }


OKSANA = Person(987654321, "oksana.vyshyvanka@example.com", "Oksana", "Vyshyvanka", "+380441234567")
BORIS = Person(987654322, "borislav.othermann@example.com", "Borislav", "Othermann", "+491701234567")


def crm_tables() -> list[str]:
    """Every table of the CRM, from the catalog (not from the models, so none is forgotten)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind IN ('r', 'p') AND n.nspname = current_schema() AND c.relname LIKE 'crm\\_%%' "
            "ORDER BY 1"
        )
        return [row[0] for row in cursor.fetchall()]


def tables_with_column(column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name FROM information_schema.columns WHERE table_schema = current_schema() "
            "AND table_name LIKE 'crm\\_%%' AND column_name = %s ORDER BY 1", [column])
        return [row[0] for row in cursor.fetchall()]


def scan(person: Person) -> dict[str, set[str]]:
    """``{table: {what}}`` for every crm_* row (all columns as text) that names ``person``."""
    found = {}
    with connection.cursor() as cursor:
        for table in crm_tables():
            cursor.execute(f"SELECT t::text FROM {table} t")  # noqa: S608 - names from the catalog
            for (text,) in cursor.fetchall():
                for what, needle in person.needles.items():
                    if needle.search(text):
                        found.setdefault(table, set()).add(what)
    return found


def rows_of(profile_id: int, person: Person) -> dict[str, list[str]]:
    """Every row keyed by the profile or naming the person, as text: to show it is untouched."""
    rows = {}
    with connection.cursor() as cursor:
        for table in tables_with_column("profile_id"):
            cursor.execute(f"SELECT t::text FROM {table} t WHERE profile_id = %s ORDER BY 1", [profile_id])  # noqa: S608
            rows[table] = [r[0] for r in cursor.fetchall()]
        for table in crm_tables():
            cursor.execute(f"SELECT t::text FROM {table} t WHERE t::text ILIKE %s ORDER BY 1",  # noqa: S608
                           [f"%{person.email}%"])
            rows[f"{table} naming"] = [r[0] for r in cursor.fetchall()]
    return rows


def raw_of(person: Person) -> dict:
    """A source payload as Saleor's webhook would carry it."""
    return {"user": {"id": person.global_id, "email": person.email, "firstName": person.first_name,
                     "lastName": person.last_name,
                     "defaultShippingAddress": {"streetAddress1": "1 Main St", "phone": person.phone}}}


def live(person: Person, events, ingest, *, checkout_token: str) -> None:
    """An account, a guest order first, orders, an open checkout, raw payloads, folded."""
    from saleor_crm_plugin.events.outbox import record

    history = [
        events.order(order_id=f"{checkout_token}-guest", email=person.email.upper(), at=T0, country="UA",
                     first_name=person.first_name),
        events.customer(user_id=person.user_id, email=person.email, at=T0 + days(1),
                        first_name=person.first_name, last_name=person.last_name, phone=person.phone),
        events.order(order_id=f"{checkout_token}-1", user_id=person.user_id, email=person.email, at=T0 + days(2),
                     checkout_token=f"{checkout_token}-done", country="UA", first_name=person.first_name,
                     phone=person.phone),
        events.order(order_id=f"{checkout_token}-2", user_id=person.user_id, email=person.email, at=T0 + days(30),
                     lines=[events.line(product_id=2, price="55.00")]),
        events.checkout(token=checkout_token, user_id=person.user_id, email=person.email, at=T0 + days(40)),
    ]
    for event in history:
        record(event, source="test", raw=raw_of(person))
    ingest()


def reject(person: Person, *, tag: str) -> None:
    """Payloads naming the person that the fold rejects (kept for inspection, no profile)."""
    from saleor_crm_plugin.events.outbox import record_payload

    customer = {"user_id": person.user_id, "email": person.email, "first_name": person.first_name,
                "last_name": person.last_name}
    record_payload({"type": "order", "kind": "order.created", "order_id": f"{tag}-bad", "customer": customer,
                    "currency": "XXX", "placed_at": T0.isoformat(), "occurred_at": T0.isoformat(),
                    "total_gross": "1", "total_net": "1"}, source="webhook", raw=raw_of(person))
    record_payload({"type": "order", "kind": "order.created", "occurred_at": T0.isoformat(),
                    "note": f"call {person.first_name} {person.last_name} at {person.email}"}, source="webhook")


def everything(person: Person, events, ingest, *, tag: str) -> int:
    """Data about ``person`` in every table that can hold it; returns their profile id."""
    from saleor_crm_plugin.events.fold import process_pending
    from saleor_crm_plugin.models import CustomerNote, CustomerProfile
    from saleor_crm_plugin.campaigns.consent import set_consent
    from saleor_crm_plugin.campaigns.suppression import suppress
    from saleor_crm_plugin.models import Campaign, Delivery, EmailTemplate

    live(person, events, ingest, checkout_token=tag)
    reject(person, tag=tag)
    process_pending()
    profile = CustomerProfile.objects.get(user_id=person.user_id)
    CustomerNote.objects.create(profile=profile, text=f"{person.first_name} asked about vinyl",
                                author_email="staff@example.com")
    set_consent("subscribed", "default-channel", "storefront", user_id=person.user_id, email=person.email)
    template, _ = EmailTemplate.objects.get_or_create(name="News", defaults={"subject": "News", "body": "<p>Hi</p>",
                                                                            "body_format": "html"})
    campaign, _ = Campaign.objects.get_or_create(name="News", defaults={"template": template,
                                                                        "channel": "default-channel"})
    suppress(person.email, "manual", f"{person.first_name} asked on the phone")
    Delivery.objects.create(campaign=campaign, profile=profile, email=person.email, state="failed",
                            error=f"550 {person.email}: mailbox full")
    support(person, tag=tag)
    automation_mail(profile, person, tag=tag)
    from saleor_crm_plugin.models import CustomerPropensity

    CustomerPropensity.objects.create(profile=profile, probability=0.42, confidence="medium", method="logistic",
                                      reasons=[{"name": "recency_weeks", "value": -0.8}], run_id=1, scored_at=T0)
    return profile.pk


def automation_mail(profile, person: Person, *, tag: str) -> None:
    """A cart reminder planned and mailed to the person (its context holds their cart)."""
    from saleor_crm_plugin.campaigns.automations.staff import by_kind
    from saleor_crm_plugin.models import AutomationRun, Delivery, DeliveryEvent

    run = AutomationRun.objects.create(
        automation=by_kind("abandoned_checkout"), step=1, trigger_key=f"checkout:{tag}", profile=profile,
        channel="default-channel", due_at=T0, state="mailed",
        context={"checkout": tag, "lines": [{"name": f"Gift for {person.first_name}", "quantity": 1}]})
    delivery = Delivery.objects.create(run=run, profile=profile, email=person.email, state="sent")
    DeliveryEvent.objects.create(delivery=delivery, esp="postmark", event_id=f"open-{tag}", kind="opened",
                                 raw={"Recipient": person.email, "FirstName": person.first_name})
    DeliveryEvent.objects.create(esp="postmark", event_id=f"lost-{tag}", kind="bounced",  # matched no mail
                                 raw={"Email": person.email, "Description": f"{person.last_name} moved"})


def support(person: Person, *, tag: str) -> None:
    """A question naming the person, and a low survey score with a comment (which opens a request)."""
    from saleor_crm_plugin.models import CRMOrder
    from saleor_crm_plugin.support.requests import feedback
    from saleor_crm_plugin.support.surveys import answer, survey_token

    order = CRMOrder.objects.get(order_id=f"{tag}-1")
    feedback(body=f"{person.first_name} {person.last_name} here ({person.email}): where is my order?",
             subject=f"Order for {person.first_name}", user_id=person.user_id, account_email=person.email,
             order_number=order.number)
    answer(survey_token(order.profile_id, order.order_id, "default-channel", "csat"), 1,
           f"Call me, {person.first_name}")


def shop_wide() -> None:
    """The nightly jobs that write per-customer rows: analytics and a saved segment."""
    from saleor_crm_plugin.models import CRMOrder
    from saleor_crm_plugin.profiles.scores import recompute_scores
    from saleor_crm_plugin.segments.membership import save_segment

    recompute_scores(now=CRMOrder.objects.latest("placed_at").placed_at + days(1))
    save_segment(name="Buyers", rules={"field": "order_count", "op": "gte", "value": 1})


@pytest.fixture
def two_customers(events, ingest):
    """Oksana and Boris with rows in every table, analytics and a segment; returns their profile ids."""
    oksana = everything(OKSANA, events, ingest, tag="ok")
    boris = everything(BORIS, events, ingest, tag="bo")
    shop_wide()
    return oksana, boris
