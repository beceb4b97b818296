"""Attribution: an order within the window after a click is credited to the mail clicked last before it — the
window's edges, one credit per order across campaigns and automation steps, revenue per currency, only orders
that count."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from saleor_crm_plugin.campaigns.attribution import Attributed, for_automation_step, for_campaign
from saleor_crm_plugin.campaigns.automations.staff import by_kind
from saleor_crm_plugin.campaigns.tracking import funnel, step_funnel
from saleor_crm_plugin.models import AutomationRun, Campaign, CustomerProfile, Delivery, DeliveryEvent, EmailTemplate

pytestmark = pytest.mark.django_db

CLICK = timezone.now().replace(microsecond=0) - timedelta(days=20)
WINDOW = timedelta(days=5)  # the default attribution_window_days


def campaign(name: str) -> Campaign:
    template, _ = EmailTemplate.objects.get_or_create(name="T", defaults={"subject": "S", "body": "<p>x</p>",
                                                                         "body_format": "html"})
    return Campaign.objects.create(name=name, template=template, channel="default-channel")


def clicked(profile, *, at, campaign=None, run=None) -> Delivery:
    delivery = Delivery.objects.create(campaign=campaign, run=run, profile=profile, email=profile.email,
                                       state="sent", sent_at=at - timedelta(hours=1))
    DeliveryEvent.objects.create(delivery=delivery, esp="crm", event_id=f"c{delivery.pk}", kind="clicked",
                                 occurred_at=at, url="https://shop.example.com/p/1")
    return delivery


def order(events, ingest, email, at, *, total="10.00", currency="USD", status="unfulfilled"):
    ingest(events.order(email=email, at=at, currency=currency, status=status,
                        lines=[events.line(1, price=total)]))


def test_the_window_is_from_the_click_up_to_but_not_including_its_end(events, ingest):
    ann = CustomerProfile.objects.create(email="ann@example.com")
    news = campaign("News")
    clicked(ann, at=CLICK, campaign=news)
    order(events, ingest, "ann@example.com", CLICK - timedelta(seconds=1), total="1.00")  # before: no
    order(events, ingest, "ann@example.com", CLICK, total="2.00")  # at the click: yes
    order(events, ingest, "ann@example.com", CLICK + WINDOW - timedelta(seconds=1), total="4.00")  # last second
    order(events, ingest, "ann@example.com", CLICK + WINDOW, total="8.00")  # the window's end: no
    assert for_campaign(news.pk) == [Attributed("USD", 2, Decimal("6.000"))]


def test_one_credit_per_order_to_the_last_click_across_campaigns_and_automations(events, ingest):
    ann = CustomerProfile.objects.create(email="ann@example.com")
    first, second = campaign("First"), campaign("Second")
    automation = by_kind("abandoned_checkout")
    run = AutomationRun.objects.create(automation=automation, step=1, trigger_key="checkout:x", profile=ann,
                                       channel="default-channel", due_at=CLICK, state="mailed")
    clicked(ann, at=CLICK, campaign=first)
    clicked(ann, at=CLICK + timedelta(days=1), campaign=second)
    order(events, ingest, "ann@example.com", CLICK + timedelta(days=2), total="30.00")  # second's
    clicked(ann, at=CLICK + timedelta(days=3), run=run)
    order(events, ingest, "ann@example.com", CLICK + timedelta(days=3, hours=2), total="12.50")  # the reminder's
    assert for_campaign(first.pk) == []
    assert for_campaign(second.pk) == [Attributed("USD", 1, Decimal("30.000"))]
    assert for_automation_step(automation.pk, 1) == [Attributed("USD", 1, Decimal("12.500"))]
    assert for_automation_step(automation.pk, 2) == []
    # and each step's funnel counts its own mails only
    assert (step_funnel(automation.pk, 1)["clicked"], step_funnel(automation.pk, 2)["clicked"]) == (1, 0)
    assert funnel(first.pk)["clicked"] == funnel(second.pk)["clicked"] == 1


def test_revenue_per_currency_and_only_orders_that_count(events, ingest):
    news = campaign("News")
    for email, currency, total in (("us@example.com", "USD", "10.00"), ("eu@example.com", "EUR", "20.00"),
                                   ("eu2@example.com", "EUR", "5.00")):
        clicked(CustomerProfile.objects.create(email=email), at=CLICK, campaign=news)
        order(events, ingest, email, CLICK + timedelta(hours=1), total=total, currency=currency)
    cancelled = CustomerProfile.objects.create(email="gone@example.com")
    clicked(cancelled, at=CLICK, campaign=news)
    order(events, ingest, "gone@example.com", CLICK + timedelta(hours=1), total="99.00", status="canceled")
    assert for_campaign(news.pk) == [Attributed("EUR", 2, Decimal("25.000")), Attributed("USD", 1, Decimal("10.000"))]
