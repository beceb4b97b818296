"""Issue 21: the phone is captured from order and account addresses, the staff search finds a customer by
email, name, phone or order number, and the timeline holds one line per business fact and every contact."""

from datetime import timedelta

import pytest

from saleor_crm_plugin.campaigns.consent import set_consent
from saleor_crm_plugin.errors import CRMError
from saleor_crm_plugin.graphql.customers import filtered_customers
from saleor_crm_plugin.models import (
    Campaign, ConsentSource, ConsentState, CustomerProfile, Delivery, DeliveryEvent, EmailTemplate,
)
from saleor_crm_plugin.profiles.timeline import timeline
from tests.conftest import SIMPLE_MJML, T0, days

pytestmark = pytest.mark.django_db


def found(term: str) -> list[str]:
    return list(filtered_customers({"search": term}).values_list("email", flat=True))


def test_the_phone_comes_from_the_newest_order_else_the_account(events, ingest):
    # given: an account with a phone on its default address, then an order with another
    ingest(events.customer(user_id=1, email="ann@example.com", phone="+48 601-234-567"))
    assert CustomerProfile.objects.get().phone == "+48601234567"
    # when
    ingest(events.order(order_id="o1", user_id=1, email="ann@example.com", at=T0 + days(1), phone="+4915112345678"))
    # then: the order's (newer) wins
    assert CustomerProfile.objects.get().phone == "+4915112345678"


def test_a_phone_that_is_not_one_is_refused_with_its_field(events):
    from saleor_crm_plugin.normalized.schema import InvalidEvent, parse_event

    payload = events.order(order_id="o1", email="ann@example.com").to_payload()
    payload["customer"]["phone"] = "call me"
    with pytest.raises(InvalidEvent) as error:
        parse_event(payload)
    assert error.value.field == "customer.phone"


def test_the_search_finds_email_name_phone_and_order_number(events, ingest):
    # given
    ingest(events.customer(user_id=1, email="ann.lee@example.com", first_name="Ann", last_name="Lee"),
           events.order(order_id="o1", user_id=1, email="ann.lee@example.com", number=2101, phone="+48601234567"),
           events.order(order_id="o2", email="bob@example.com", number=2102, phone="+48700000000"))
    # then
    assert found("ANN.L") == ["ann.lee@example.com"]
    assert found("ann lee") == ["ann.lee@example.com"]
    assert found("601 234 567") == ["ann.lee@example.com"]
    assert found("+48601234567") == ["ann.lee@example.com"]
    assert found("#2102") == found("2102") == ["bob@example.com"]
    assert found("50%") == [] and found("a_n") == []  # LIKE's characters are taken literally


@pytest.mark.parametrize("term, code", [("an", "too_short"), ("x" * 101, "too_long")])
def test_a_search_no_index_can_answer_is_refused_with_a_code(term, code):
    with pytest.raises(CRMError) as error:
        filtered_customers({"search": term})
    assert error.value.code_value == code and error.value.field == "search"


def test_one_order_is_one_line_per_fact_and_every_contact_is_there(events, ingest):
    # given: an order paid twice over (paid, fully paid), updated, refunded in full (refunded, fully refunded);
    # a campaign mail, its click, a bounce and the unsubscribe
    order = {"order_id": "o21", "email": "ann@example.com", "number": 21, "at": T0}
    ingest(events.checkout(token="t", email="ann@example.com", at=T0 - timedelta(minutes=5)),
           events.checkout("checkout.updated", token="t", email="ann@example.com", at=T0 - timedelta(minutes=4)),
           events.order(lines=[events.line(quantity=3, price="10.6666")], **order),
           *(events.order(kind, updated_at=T0 + timedelta(hours=hours), **order) for kind, hours in (
               ("order.paid", 1), ("order.fully_paid", 1), ("order.updated", 2), ("order.fulfilled", 3),
               ("order.refunded", 4), ("order.fully_refunded", 4))))
    profile = CustomerProfile.objects.get()
    campaign = Campaign.objects.create(name="Spring <b>sale</b>", channel="web", template=EmailTemplate.objects.create(
        name="t", subject="s", body=SIMPLE_MJML))
    delivery = Delivery.objects.create(campaign=campaign, profile=profile, email="ann@example.com", state="sent",
                                       sent_at=T0 + days(1))
    DeliveryEvent.objects.create(delivery=delivery, esp="crm", kind="clicked", url="https://shop.example/x",
                                 occurred_at=T0 + days(1, ) + timedelta(hours=1))
    DeliveryEvent.objects.create(delivery=delivery, esp="crm", kind="opened", occurred_at=T0 + days(1))
    set_consent(ConsentState.SUBSCRIBED, "web", ConsentSource.STOREFRONT, profile_id=profile.pk, at=T0 - days(1))
    set_consent(ConsentState.UNSUBSCRIBED, "web", ConsentSource.ONE_CLICK, profile_id=profile.pk,
                detail={"campaign": campaign.pk}, at=T0 + days(2))
    # when
    texts = [entry["text"] for entry in timeline(profile)]
    raw = [entry["kind"] for entry in timeline(profile, raw=True)]
    # then: in words, newest first; opens (unreliable) and the order's update are not facts
    assert texts == [
        "Unsubscribed from marketing mail in web (one-click link, from \u201cSpring <b>sale</b>\u201d)",
        "Clicked a link in campaign mail \u201cSpring <b>sale</b>\u201d: https://shop.example/x",
        "Campaign mail \u201cSpring <b>sale</b>\u201d sent",
        "Order #21 refunded in full",
        "Order #21 fulfilled",
        "Order #21 paid",
        "Order #21 placed, $32.00, 3 items, in default-channel",
        "Subscribed to marketing mail in web (storefront)",
    ]
    assert raw.count("order.fully_paid") == 1 and "checkout.updated" in raw and "order.updated" in raw
    assert "consent.unsubscribed" in raw and "mail.clicked" in raw
