"""Automations under a real Celery worker with embedded beat (a private Redis, the loopback SMTP server): the
abandoned-checkout reminder arrives once after its delay, never for a checkout completed in time, once for a
trigger delivered twice, and an order placed between the two reminders stops the second."""

import time
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from saleor_crm_plugin.models import AutomationRun, CRMCheckout, Delivery
from tests.automations.conftest import CHANNEL, REMINDER_MJML
from tests.campaigns.conftest import smtp_server  # noqa: F401 (fixture)
from tests.celery_processes import Worker, broker, host_env  # noqa: F401 (fixture)

pytestmark = [pytest.mark.durability, pytest.mark.django_db(transaction=True)]


def start(broker, smtp_server, tmp_path, *, steps):  # noqa: F811 - the fixture's value
    """The automation switched on with ``steps``, and a worker with beat scanning every second."""
    from saleor_crm_plugin.campaigns.automations.staff import configure
    from saleor_crm_plugin.models import Automation, EmailTemplate

    template = EmailTemplate.objects.create(name="Cart", subject="Your cart, {{customer.greeting_name}}",
                                            body=REMINDER_MJML)
    configure("abandoned_checkout", enabled=True, steps=[{**s, "template_id": template.pk} for s in steps])
    Automation.objects.filter(kind="abandoned_checkout").update(enabled_at=timezone.now() - timedelta(minutes=5))
    _, port = smtp_server
    broker.start()
    env = host_env(broker, EMAIL_HOST="127.0.0.1", EMAIL_PORT=str(port), PUBLIC_URL="https://shop.example.com",
                   DEFAULT_FROM_EMAIL="shop@example.com", SALEOR_CRM_AUTOMATION_SCAN_SECONDS="1",
                   SALEOR_CRM_DOUBLE_OPT_IN="0")
    connection.close()
    return Worker(env, beat=True, logfile=tmp_path / "worker.log")


def until(condition, worker, timeout=45.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, worker.text()[-3000:]
        time.sleep(0.1)


def test_one_reminder_after_the_delay_none_when_completed_once_when_repeated(
        broker, smtp_server, tmp_path, customer, events, ingest):  # noqa: F811
    inbox, _ = smtp_server
    for email in ("ann@example.com", "bob@example.com", "cy@example.com"):
        customer(email)
    worker = start(broker, smtp_server, tmp_path, steps=[{"position": 1, "delay_seconds": 3}])
    try:
        # when: Ann leaves her cart; Bob completes his within the delay; Cy's checkout event arrives twice
        ingest(events.checkout(token="cart-ann", email="ann@example.com", at=timezone.now()))
        ingest(events.checkout(token="cart-bob", email="bob@example.com", at=timezone.now()))
        cy = events.checkout(token="cart-cy", email="cy@example.com", at=timezone.now())
        ingest(cy, cy)
        ingest(events.order(email="bob@example.com", checkout_token="cart-bob", at=timezone.now()))
        until(lambda: len(inbox.messages) >= 2, worker)
        time.sleep(4)  # four more scans: nothing else may arrive
    finally:
        worker.stop()
    # then
    assert sorted(m["To"] for m in inbox.messages) == ["ann@example.com", "cy@example.com"]
    ann = Delivery.objects.get(email="ann@example.com")
    idle_since = CRMCheckout.objects.get(token="cart-ann").last_change
    assert ann.sent_at - idle_since >= timedelta(seconds=3)  # not before the delay
    assert inbox.messages[0]["Message-ID"] in set(Delivery.objects.values_list("message_id", flat=True))
    assert not AutomationRun.objects.filter(trigger_key="checkout:cart-bob").exists()
    assert AutomationRun.objects.filter(trigger_key="checkout:cart-cy").count() == 1


def test_an_order_between_the_reminders_stops_the_second(broker, smtp_server, tmp_path, customer, events,
                                                          ingest):  # noqa: F811
    inbox, _ = smtp_server
    customer("dee@example.com")
    customer("eve@example.com")
    worker = start(broker, smtp_server, tmp_path, steps=[{"position": 1, "delay_seconds": 2},
                                                         {"position": 2, "enabled": True, "delay_seconds": 4}])
    try:
        for token, email in (("cart-dee", "dee@example.com"), ("cart-eve", "eve@example.com")):
            ingest(events.checkout(token=token, email=email, at=timezone.now()))
        until(lambda: len(inbox.to("dee@example.com")) == 1, worker)
        # when: Dee orders after the first reminder, before the second is due
        ingest(events.order(email="dee@example.com", at=timezone.now()))
        until(lambda: len(inbox.to("eve@example.com")) == 2, worker)  # Eve, who did not order, gets both
        time.sleep(2)
    finally:
        worker.stop()
    # then
    assert len(inbox.to("dee@example.com")) == 1
    assert sorted(AutomationRun.objects.filter(trigger_key="checkout:cart-dee").values_list(
        "step", "state", "reason")) == [(1, "mailed", ""), (2, "cancelled", "ordered")]
    assert CHANNEL == AutomationRun.objects.get(trigger_key="checkout:cart-dee", step=2).channel
