"""Tracking over HTTP: the ESP's webhook through anymail (Postmark's payloads, basic auth), stored once per event,
a hard bounce suppressing, a complaint spike pausing the campaign; our click links redirecting only to the shop."""

import base64
import hashlib
import hmac
import json
import re
import time
from urllib.parse import urlsplit

import pytest
from django.test import Client

from saleor_crm_plugin.campaigns import sending
from saleor_crm_plugin.campaigns.tracking import click_token, health
from saleor_crm_plugin.models import Campaign, CampaignState, Delivery, DeliveryEvent, Suppression
from saleor_crm_plugin.models.consent import email_hash
from tests.campaigns.conftest import make_audience, scheduled_campaign
from tests.clock import ago, iso

pytestmark = pytest.mark.django_db

SECRET = "hook:s3cret"
WEBHOOK = "/plugins/global/saleor_crm_plugin.crm/tracking/postmark/"
PRODUCT_BODY = ("<mjml><mj-body><mj-section><mj-column><mj-text><a href=\"https://shop.example.com/p/kind-of-blue\">"
                "Kind of Blue</a> <a href=\"https://elsewhere.example.org/x\">partner</a> "
                "<a href=\"{{unsubscribe_url}}\">Unsubscribe</a></mj-text></mj-column></mj-section></mj-body></mjml>")


@pytest.fixture
def tracking_settings(settings):
    settings.EMAIL_BACKEND = "anymail.backends.test.EmailBackend"
    settings.SALEOR_CRM = {"public_url": "https://api.shop.example.com", "from_email": "news@shop.example.com",
                           "tracking_webhook_secret": SECRET,
                           "storefront_product_url": "https://shop.example.com/{channel}/products/{slug}"}
    return settings


def sent_campaign(settings, recipients: int, body: str | None = None) -> Campaign:
    """A campaign sent to ``recipients`` customers with consent through anymail's test backend; then the shop's
    provider is Postmark, whose tracking webhook the tests call (anymail parses Postmark's payloads)."""
    make_audience(recipients)
    campaign = scheduled_campaign(**({"body": body} if body else {}))
    sending.start_campaign(campaign.pk, enqueue=False)
    sending.send_campaign(campaign.pk, continue_later=False)
    settings.SALEOR_CRM = {**settings.SALEOR_CRM, "email_provider": "postmark"}
    assert not Delivery.objects.filter(campaign=campaign).exclude(state="sent").exists()
    return Campaign.objects.get(pk=campaign.pk)


def post(payload, auth=SECRET):
    headers = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(auth.encode()).decode()} if auth else {}
    return Client().post(WEBHOOK, data=json.dumps(payload), content_type="application/json", **headers)


def bounce(delivery: Delivery, event_id: int, kind: str = "HardBounce") -> dict:
    return {"RecordType": "Bounce" if kind != "SpamComplaint" else "SpamComplaint", "Type": kind, "ID": event_id,
            "MessageID": delivery.provider_message_id, "Email": delivery.email,
            "BouncedAt": iso(ago(hours=1)), "Description": "The address does not exist.",
            "Metadata": {"delivery": str(delivery.pk)}}


def test_bad_credentials_are_refused_and_nothing_is_stored(tracking_settings):
    campaign = sent_campaign(tracking_settings, 1)
    delivery = Delivery.objects.get(campaign=campaign)
    assert post(bounce(delivery, 1), auth="hook:wrong").status_code == 400
    assert post(bounce(delivery, 1), auth=None).status_code == 400
    tracking_settings.SALEOR_CRM = {**tracking_settings.SALEOR_CRM, "tracking_webhook_secret": ""}
    assert post(bounce(delivery, 1)).status_code == 404  # no secret: no webhook
    tracking_settings.SALEOR_CRM = {**tracking_settings.SALEOR_CRM, "tracking_webhook_secret": SECRET,
                                    "email_provider": "mailgun"}
    assert post(bounce(delivery, 1)).status_code == 404  # another provider's webhook
    assert DeliveryEvent.objects.count() == 0 and Suppression.objects.count() == 0


def test_events_are_stored_once_per_event_and_a_hard_bounce_suppresses(tracking_settings):
    campaign = sent_campaign(tracking_settings, 2)
    first, second = Delivery.objects.filter(campaign=campaign).order_by("pk")
    delivered = {"RecordType": "Delivery", "MessageID": first.provider_message_id, "Recipient": first.email,
                 "DeliveredAt": iso(ago(hours=2)), "Metadata": {"delivery": str(first.pk)}}
    opened = {"RecordType": "Open", "MessageID": first.provider_message_id, "Recipient": first.email,
              "ReceivedAt": iso(ago(hours=1, minutes=55)), "Metadata": {}}  # found by the ESP's message id
    # when: each event delivered twice, as ESPs retry
    for payload in (delivered, delivered, opened, opened, bounce(second, 77), bounce(second, 77)):
        assert post(payload).status_code == 200
    # then
    events = sorted(DeliveryEvent.objects.values_list("delivery_id", "kind", "esp"))
    assert events == sorted([(first.pk, "delivered", "postmark"), (first.pk, "opened", "postmark"),
                             (second.pk, "bounced", "postmark")])
    stored = DeliveryEvent.objects.get(kind="bounced")
    assert stored.event_id == "77" and stored.raw["Type"] == "HardBounce"  # the ESP's payload, for audit
    assert Suppression.objects.get(email_hash=email_hash(second.email)).reason == "hard_bounce"


def test_a_complaint_spike_pauses_the_campaign_but_a_few_bounces_do_not(tracking_settings):
    campaign = sent_campaign(tracking_settings, 120)
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.SENDING)  # still sending, say
    deliveries = list(Delivery.objects.filter(campaign=campaign).order_by("pk"))
    # when: 2 hard bounces in 120 (1.7% < 5%)
    for n, delivery in enumerate(deliveries[:2]):
        post(bounce(delivery, 100 + n))
    # then
    assert Campaign.objects.get(pk=campaign.pk).state == CampaignState.SENDING
    # when: one complaint (0.8% >= 0.1%)
    post(bounce(deliveries[5], 200, kind="SpamComplaint"))
    # then
    paused = Campaign.objects.get(pk=campaign.pk)
    assert paused.state == CampaignState.PAUSED
    assert paused.pause_reason.startswith("Paused by the CRM: 1 spam complaints in the last 120 mails")
    assert health(campaign.pk) == {"window": 120, "bounced": 2, "complained": 1, "bounce_rate": 2 / 120,
                                   "complaint_rate": 1 / 120}


def test_links_to_the_shop_are_click_tracked_and_redirect_only_to_the_shop(tracking_settings):
    from django.core import mail

    campaign = sent_campaign(tracking_settings, 1, PRODUCT_BODY)
    delivery = Delivery.objects.get(campaign=campaign)
    html = mail.outbox[0].alternatives[0][0]
    links = re.findall(r'href="([^"]+)"', html)
    click = next(link for link in links if "/click/" in link)
    # the partner's link and the unsubscribe link stay as they are
    assert "https://elsewhere.example.org/x" in links and any("/unsubscribe/" in link for link in links)
    assert not any("shop.example.com/p/kind-of-blue" in link for link in links)
    # when
    response = Client().get(urlsplit(click).path)
    # then
    assert response.status_code == 302 and response["Location"] == "https://shop.example.com/p/kind-of-blue"
    [event] = DeliveryEvent.objects.filter(kind="clicked")
    assert (event.delivery_id, event.esp, event.url) == (delivery.pk, "crm", "https://shop.example.com/p/kind-of-blue")
    # a forged token, and a signed link off the shop's hosts, redirect nowhere
    forged = urlsplit(click).path[:-6] + "AAAAAA"
    off_host = "/plugins/global/saleor_crm_plugin.crm/click/" + click_token(delivery.pk, "https://evil.example.net/phish")
    expired = "/plugins/global/saleor_crm_plugin.crm/click/" + click_token(
        delivery.pk, "https://shop.example.com/p/kind-of-blue", at=time.time() - 366 * 86400)
    tampered_url = urlsplit(click).path.split("/")[-1].split(".")
    tampered_url[0] = tampered_url[0][:-2] + ("AA" if tampered_url[0][-2:] != "AA" else "BB")
    tampered = "/plugins/global/saleor_crm_plugin.crm/click/" + ".".join(tampered_url)
    for path in (forged, off_host, expired, tampered, "/plugins/global/saleor_crm_plugin.crm/click/x.y"):
        refused = Client().get(path)
        assert refused.status_code == 400 and "Location" not in refused
    assert DeliveryEvent.objects.filter(kind="clicked").count() == 1



def mailgun_event(delivery: Delivery, key: str, token: str = "tok-1") -> dict:
    signature = hmac.new(key.encode(), f"1764400000{token}".encode(), hashlib.sha256).hexdigest()
    return {"signature": {"timestamp": "1764400000", "token": token, "signature": signature},
            "event-data": {"event": "delivered", "timestamp": 1764400000.5, "recipient": delivery.email,
                           "message": {"headers": {"message-id": delivery.provider_message_id}},
                           "user-variables": {"delivery": str(delivery.pk)}}}


def test_an_esp_that_signs_its_webhook_is_checked_by_its_signature_too(tracking_settings):
    campaign = sent_campaign(tracking_settings, 1)
    delivery = Delivery.objects.get(campaign=campaign)
    tracking_settings.SALEOR_CRM = {**tracking_settings.SALEOR_CRM, "email_provider": "mailgun"}
    tracking_settings.ANYMAIL = {"MAILGUN_WEBHOOK_SIGNING_KEY": "signing-key"}
    url = "/plugins/global/saleor_crm_plugin.crm/tracking/mailgun/"
    auth = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(SECRET.encode()).decode()}

    def send(payload, **headers):
        return Client().post(url, data=json.dumps(payload), content_type="application/json", **headers)

    # a right secret with a wrong signature, and a right signature without the secret: refused
    assert send(mailgun_event(delivery, "another-key"), **auth).status_code == 400
    assert send(mailgun_event(delivery, "signing-key")).status_code == 400
    assert DeliveryEvent.objects.count() == 0
    # both right: stored, once, under the signature's token
    assert send(mailgun_event(delivery, "signing-key"), **auth).status_code == 200
    assert send(mailgun_event(delivery, "signing-key"), **auth).status_code == 200
    assert list(DeliveryEvent.objects.values_list("delivery_id", "esp", "event_id", "kind")) == [
        (delivery.pk, "mailgun", "tok-1", "delivered")]
    # without a signing key anymail cannot check it: the webhook says so instead of taking anything
    tracking_settings.ANYMAIL = {}
    assert send(mailgun_event(delivery, "signing-key", token="tok-2"), **auth).status_code == 503
