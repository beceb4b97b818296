"""Campaign mail through Django's SMTP backend to a real SMTP server (aiosmtpd on loopback),
and the unsubscribe link it carries, served over HTTP by the standalone host."""

import re
from urllib.parse import urlsplit

import pytest
import requests
from aiosmtpd.smtp import Envelope
from django.test import override_settings

from saleor_crm_plugin.campaigns import sending, tokens
from saleor_crm_plugin.campaigns.consent import consents_of
from saleor_crm_plugin.models import ConsentRecord, Delivery, ProductSnapshot
from saleor_crm_plugin.recommendations.service import for_customer
from saleor_crm_plugin.recommendations.store import store
from tests.campaigns.conftest import make_audience, scheduled_campaign, smtp_settings
from tests.conftest import T0, days


def shop_with_orders(events, ingest) -> list[int]:
    """Three subscribed customers who bought records; best-sellers give each their recommendations."""
    from saleor_crm_plugin.models import CustomerProfile

    listings = [{"channel": "default-channel", "is_published": True, "price_amount": "24.00", "currency": "USD"}]
    ingest(*(events.product(product_id=p, name=f"Record {p}", listings=listings) for p in range(1, 7)))
    ids = make_audience(3)
    for i, profile_id in enumerate(ids):
        email = CustomerProfile.objects.get(pk=profile_id).email
        ingest(events.order(email=email, at=T0 + days(i), lines=[events.line(product_id=1 + i, price="24.00"),
                                                                  events.line(product_id=4, price="24.00")]))
    ProductSnapshot.objects.update(image_url="https://cdn.example.com/record.jpg")
    # Serving reads what was folded at most recommendation_refresh_seconds ago: see it now.
    store.invalidate()
    return ids


@pytest.mark.django_db(transaction=True)
def test_campaign_mail_over_smtp_has_parts_headers_recommendations_and_a_working_unsubscribe_link(
        smtp_server, live_server, events, ingest):
    inbox, port = smtp_server
    with override_settings(**smtp_settings(port, storefront_product_url="https://shop.example.com/{channel}/p/{slug}",
                                           unsubscribe_mailto="unsubscribe@shop.example.com")):
        # given
        ids = shop_with_orders(events, ingest)
        campaign = scheduled_campaign()
        sending.start_campaign(campaign.pk)
        # when
        report = sending.send_campaign(campaign.pk)
        expected = {pid: [ProductSnapshot.objects.get(product_id=r.product_id).name
                          for r in for_customer(pid, "default-channel", limit=4)] for pid in ids}
    # then: three mails, each as its delivery row says
    assert report.sent == 3 and len(inbox.messages) == 3
    for delivery in Delivery.objects.filter(campaign=campaign):
        [message] = inbox.to(delivery.email)
        assert message["Message-ID"] == delivery.message_id == (
            f"<crm.campaign.{campaign.pk}.delivery.{delivery.pk}@shop.example.com>")
        assert message["From"] == "Record Shop <news@shop.example.com>"
        unsubscribe = re.fullmatch(r"<(https://shop\.example\.com/plugins/global/saleor_crm_plugin\.crm/"
                                   r"unsubscribe/[^>]+)>, <mailto:unsubscribe@shop\.example\.com\?subject=unsubscribe>",
                                   " ".join(str(message["List-Unsubscribe"]).split()))  # unfolded
        assert unsubscribe, message["List-Unsubscribe"]
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert message.get_content_type() == "multipart/alternative"
        html = message.get_body(("html",)).get_content()
        text = message.get_body(("plain",)).get_content()
        assert unsubscribe.group(1) in html.replace("&amp;", "&") and unsubscribe.group(1) in text
        assert expected[delivery.profile_id] and all(name in html and name in text
                                                     for name in expected[delivery.profile_id])
        # product links go through a click link in the HTML (the text part keeps them as they are)
        assert "https://shop.example.com/default-channel/p/record" in text
        assert "https://shop.example.com/default-channel/p/record" not in html and "/click/" in html
        assert "https://cdn.example.com/record.jpg" in html and "$24.00" in html
        assert "style=" in html and "@media" in html  # inlined CSS, responsive rules kept
    # and the link works over HTTP: GET asks, a one-click POST (no cookie, no CSRF token) unsubscribes
    url = re.search(r"<(https://[^>]+)>", inbox.messages[0]["List-Unsubscribe"]).group(1)
    recipient = inbox.messages[0]["To"]
    profile_id = Delivery.objects.get(campaign=campaign, email=recipient).profile_id
    local = live_server.url + urlsplit(url).path
    page = requests.get(local, timeout=10)
    assert page.status_code == 200 and "<form method=\"post\">" in page.text
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert [c.state for c in consents_of(profile_id)] == ["subscribed"]  # a link scanner's GET changes nothing
    done = requests.post(local, data={"List-Unsubscribe": "One-Click"}, timeout=10)
    assert done.status_code == 200 and "unsubscribed" in done.text
    assert [c.state for c in consents_of(profile_id)] == ["unsubscribed"]
    record = ConsentRecord.objects.filter(profile_id=profile_id).latest("at")
    assert (record.source, record.detail) == ("one_click", {"campaign": campaign.pk})


@pytest.mark.django_db(transaction=True)
def test_tampered_and_foreign_tokens_get_an_error_page_and_change_nothing(live_server):
    with override_settings(SALEOR_CRM={"public_url": live_server.url}):
        [profile_id] = make_audience(1)
        good = tokens.make_token(tokens.UNSUBSCRIBE, {"p": profile_id, "c": "default-channel"})
        foreign = tokens.make_token(tokens.CONFIRM, {"p": profile_id, "c": "default-channel"})
        base = f"{live_server.url}/plugins/global/saleor_crm_plugin.crm/unsubscribe/"
        for token in (good[:-2] + ("AA" if not good.endswith("AA") else "BB"), foreign, "x" * 2000, "%00"):
            for method in (requests.get, requests.post):
                response = method(base + token, timeout=10)
                assert response.status_code in (400, 404), (token, response.status_code)
                if response.status_code == 400:
                    assert "This link does not work" in response.text and "Traceback" not in response.text
    assert [c.state for c in consents_of(profile_id)] == ["subscribed"]


class Picky:
    """An SMTP handler that refuses two recipients: one for now (451), one for good (550)."""

    def __init__(self, inbox):
        self.inbox = inbox

    async def handle_RCPT(self, server, session, envelope: Envelope, address, rcpt_options):
        if address.startswith("fan1@"):
            return "451 4.3.0 mailbox busy, try later"
        if address.startswith("fan2@"):
            return "550 5.1.1 no such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        return await self.inbox.handle_DATA(server, session, envelope)


@pytest.mark.django_db
def test_temporary_smtp_errors_retry_later_and_permanent_ones_fail_with_the_reason():
    from aiosmtpd.controller import Controller

    from tests.campaigns.conftest import Inbox
    from tests.celery_processes import free_port

    inbox, port = Inbox(), free_port()
    controller = Controller(Picky(inbox), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        with override_settings(**smtp_settings(port)):
            make_audience(3)
            campaign = scheduled_campaign()
            sending.start_campaign(campaign.pk)
            report = sending.send_campaign(campaign.pk)
    finally:
        controller.stop()
    rows = {d.email: d for d in Delivery.objects.filter(campaign=campaign)}
    assert [m["To"] for m in inbox.messages] == ["fan0@example.com"]
    busy, gone = rows["fan1@example.com"], rows["fan2@example.com"]
    assert (busy.state, busy.attempts) == ("queued", 1) and busy.next_attempt_at and "mailbox busy" in busy.error
    assert gone.state == "failed" and "no such user" in gone.error
    assert (report.sent, report.retried, report.failed, report.finished) == (1, 1, 1, False)
