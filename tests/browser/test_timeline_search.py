"""Issue 21, "one record of every touch": the customer widget's timeline tells an order, a campaign mail, its
click and the unsubscribe each once, in words, with the raw events behind a toggle; the customers page finds
the customer by phone and by order number. Light and dark, with axe-core.
Screenshots: ``test-artifacts/browser/timeline-<theme>.png``, ``search-<how>.png``."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from graphql_relay import to_global_id

from tests.browser.conftest import THEMES, describe_violations, serious
from tests.browser.test_pages import wait_until_shown

PHONE = "+48601234567"
NUMBER = 9021


@pytest.fixture
def touched(shop, events, ingest):
    """jazz0 (user 100) places order #9021 (paid twice over: Saleor's paid and fully-paid), gets the "Spring
    jazz" mail, clicks it and unsubscribes from its one-click link."""
    from saleor_crm_plugin.campaigns.consent import set_consent
    from saleor_crm_plugin.models import ConsentSource, ConsentState, Delivery, DeliveryEvent
    from tests.conftest import T0, days

    order = {"order_id": "o-9021", "email": "jazz0@example.com", "user_id": 100, "at": T0 + days(60),
             "channel": "web", "number": NUMBER, "phone": PHONE}
    ingest(events.order(**order),
           events.order("order.paid", updated_at=T0 + days(60) + timedelta(hours=1), **order),
           events.order("order.fully_paid", updated_at=T0 + days(60) + timedelta(hours=2), **order))
    customer, campaign = shop["customer"], shop["campaign"]
    now = timezone.now()
    delivery = Delivery.objects.create(campaign=campaign, profile=customer, email="jazz0@example.com",
                                       state="sent", sent_at=now - timedelta(hours=3))
    DeliveryEvent.objects.create(delivery=delivery, esp="crm", kind="clicked", url="https://shop.example.com/jazz",
                                 occurred_at=now - timedelta(hours=2))
    set_consent(ConsentState.UNSUBSCRIBED, "web", ConsentSource.ONE_CLICK, profile_id=customer.pk,
                detail={"campaign": campaign.pk}, at=now - timedelta(hours=1))
    return shop


def test_the_timeline_tells_each_touch_once_in_words_with_the_raw_events_behind_a_toggle(
        dashboard, built_pages, touched, axe_source):
    # when
    framed = dashboard("customer-widget", context={"customerId": to_global_id("User", "100")})
    facts = framed.frame.locator("[data-testid=timeline-facts]")
    found = {}
    for theme in THEMES:
        framed.set_theme(theme)
        wait_until_shown(framed, f"Order #{NUMBER} placed")
        framed.screenshot(f"timeline-{theme}")
        found[theme] = serious(framed.axe(axe_source))
    text = facts.inner_text()
    # then: one line per fact and contact, in words
    for sentence in (f"Order #{NUMBER} placed, $10.00, 1 item, in web", f"Order #{NUMBER} paid",
                     "Campaign mail \u201cSpring jazz\u201d sent",
                     "Clicked a link in campaign mail \u201cSpring jazz\u201d: https://shop.example.com/jazz",
                     "Unsubscribed from marketing mail in web (one-click link, from \u201cSpring jazz\u201d)"):
        assert text.count(sentence) == 1, (sentence, text)
    assert "fully_paid" not in text and "Checkout" not in text
    assert PHONE in framed.frame.locator("[data-testid=customer-contact]").inner_text()
    # and when: the raw events are asked for
    framed.frame.get_by_text("Show raw events").click()
    raw = framed.frame.locator("[data-testid=timeline-raw]")
    raw.wait_for(timeout=20_000)
    framed.screenshot("timeline-raw")
    found["raw"] = serious(framed.axe(axe_source))
    # then: every stored event as it came, the contacts still there
    raw_text = raw.inner_text()
    assert "order.fully_paid" in raw_text and "order.paid" in raw_text and "order.created" in raw_text
    assert "Spring jazz" in raw_text
    assert framed.errors == []
    assert not describe_violations(found), describe_violations(found)


@pytest.mark.parametrize("how, term", [("phone", "601 234 567"), ("order-number", f"#{NUMBER}")])
def test_the_customers_page_finds_the_customer_by_phone_and_by_order_number(
        how, term, dashboard, built_pages, touched, axe_source):
    # given
    framed = dashboard("app", hash="#/customers")
    wait_until_shown(framed, "jazz1@example.com")
    # when
    search = framed.frame.get_by_role("textbox", name=re.compile("^Search email, name, phone or order number"))
    search.fill(term)
    framed.frame.get_by_role("button", name="Search").click()
    # then: only jazz0, with the phone shown
    framed.frame.get_by_text("jazz1@example.com").wait_for(state="detached", timeout=20_000)
    wait_until_shown(framed, "jazz0@example.com")
    found = {}
    for theme in THEMES:
        framed.set_theme(theme)
        framed.screenshot(f"search-{how}-{theme}")
        found[theme] = serious(framed.axe(axe_source))
    rows = framed.frame.locator("tbody tr")
    assert rows.count() == 1 and PHONE in rows.first.inner_text()
    assert framed.errors == []
    assert not describe_violations(found), describe_violations(found)
