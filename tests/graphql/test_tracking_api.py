"""The campaign API's view of tracking: the funnel, the bounce health and why the CRM paused a campaign."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from saleor_crm_plugin.models import Campaign, CampaignState, Delivery
from tests.campaigns.test_tracking import (  # noqa: F401 (fixture)
    PRODUCT_BODY, bounce, post, sent_campaign, tracking_settings,
)
from tests.clock import ago, iso, now
from tests.graphql.conftest import gid, operation, staff_token

pytestmark = pytest.mark.django_db


def test_the_campaign_api_shows_the_funnel_health_and_why_it_paused(tracking_settings, gql, events, ingest):
    campaign = sent_campaign(tracking_settings, 120)
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.SENDING)
    first, second, third = Delivery.objects.filter(campaign=campaign).order_by("pk")[:3]
    for n, delivery in enumerate((first, second)):
        post({"RecordType": "Delivery", "MessageID": delivery.provider_message_id, "Recipient": delivery.email,
              "DeliveredAt": iso(ago(hours=2, minutes=-n)), "Metadata": {"delivery": str(delivery.pk)}})
    post({"RecordType": "Click", "MessageID": first.provider_message_id, "Recipient": first.email,
          "ReceivedAt": iso(ago(hours=1)), "OriginalLink": "https://shop.example.com/p/x",
          "Metadata": {"delivery": str(first.pk)}})
    post(bounce(third, 300, kind="SpamComplaint"))
    # and the first recipient orders after the click
    ingest(events.order(email=first.email, at=now(), lines=[events.line(1, price="42.00")]))
    # when
    _, response = gql(operation("staff/campaign"), {"id": gid("CRMCampaign", campaign.pk)}, bearer=staff_token())
    # then
    body = response["data"]["crmCampaign"]
    assert body["funnel"] == {"deliveryReports": "RECEIVED", "delivered": 2, "opened": 0, "clicked": 1, "bounced": 0,
                              "deferred": 0, "rejected": 0,
                              "complained": 1, "unsubscribed": 0}
    assert body["health"] == {"window": 120, "bounced": 0, "complained": 1, "bounceRate": 0.0,
                              "complaintRate": 1 / 120, "bounceRateMax": 0.05, "complaintRateMax": 0.001,
                              "minimumSample": 100}
    assert body["attributionWindowDays"] == 5
    assert body["state"] == "PAUSED" and "1 spam complaints" in body["pauseReason"]
    assert body["attributed"] == [{"currency": "USD", "orders": 1, "revenue": {"amount": 42.0, "currency": "USD"}}]


FUNNEL = """query Funnel($id: ID!) {
  crmCampaign(id: $id) { totals { sent } funnel { deliveryReports delivered clicked } }
}"""


def test_over_smtp_the_funnel_says_deliveries_are_not_reported_and_still_counts_clicks(tracking_settings, gql):
    # given: a campaign of 3 mails sent over SMTP (no tracking webhook can exist), one clicked through our link
    from django.core import mail

    campaign = sent_campaign(tracking_settings, 3, PRODUCT_BODY)
    tracking_settings.SALEOR_CRM = {**tracking_settings.SALEOR_CRM, "email_provider": "smtp"}
    click = next(link for link in re.findall(r'href="([^"]+)"', mail.outbox[0].alternatives[0][0]) if "/click/" in link)
    assert Client().get(urlsplit(click).path).status_code == 302
    # when
    _, response = gql(FUNNEL, {"id": gid("CRMCampaign", campaign.pk)}, bearer=staff_token())
    # then: deliveries are unknown, not 0% of sent; the click is known
    assert response["data"]["crmCampaign"] == {"totals": {"sent": 3}, "funnel": {
        "deliveryReports": "NOT_REPORTED", "delivered": 0, "clicked": 1}}


def test_an_esp_with_its_webhook_is_awaited_until_its_first_report_arrives(tracking_settings, gql):
    # given: Postmark with the tracking webhook on, and no report yet
    campaign = sent_campaign(tracking_settings, 2)
    variables = {"id": gid("CRMCampaign", campaign.pk)}
    _, before = gql(FUNNEL, variables, bearer=staff_token())
    # when: Postmark reports one delivery
    delivery = Delivery.objects.filter(campaign=campaign).first()
    post({"RecordType": "Delivery", "MessageID": delivery.provider_message_id, "Recipient": delivery.email,
          "DeliveredAt": iso(ago(hours=1)), "Metadata": {"delivery": str(delivery.pk)}})
    _, after = gql(FUNNEL, variables, bearer=staff_token())
    # and: the webhook switched off (no secret) while reports had come in: they still count
    tracking_settings.SALEOR_CRM = {**tracking_settings.SALEOR_CRM, "tracking_webhook_secret": ""}
    _, switched_off = gql(FUNNEL, variables, bearer=staff_token())
    # then
    assert before["data"]["crmCampaign"]["funnel"] == {"deliveryReports": "AWAITED", "delivered": 0, "clicked": 0}
    assert after["data"]["crmCampaign"]["funnel"] == {"deliveryReports": "RECEIVED", "delivered": 1, "clicked": 0}
    assert switched_off["data"]["crmCampaign"]["funnel"]["deliveryReports"] == "RECEIVED"
