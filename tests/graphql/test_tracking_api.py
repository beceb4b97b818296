"""The campaign API's view of tracking: the funnel, the bounce health and why the CRM paused a campaign."""

import pytest

from saleor_crm_plugin.models import Campaign, CampaignState, Delivery
from tests.campaigns.test_tracking import bounce, post, sent_campaign, tracking_settings  # noqa: F401 (fixture)
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
    assert body["funnel"] == {"delivered": 2, "opened": 0, "clicked": 1, "bounced": 0, "deferred": 0, "rejected": 0,
                              "complained": 1, "unsubscribed": 0}
    assert body["health"] == {"window": 120, "bounced": 0, "complained": 1, "bounceRate": 0.0,
                              "complaintRate": 1 / 120, "bounceRateMax": 0.05, "complaintRateMax": 0.001,
                              "minimumSample": 100}
    assert body["attributionWindowDays"] == 5
    assert body["state"] == "PAUSED" and "1 spam complaints" in body["pauseReason"]
    assert body["attributed"] == [{"currency": "USD", "orders": 1, "revenue": {"amount": 42.0, "currency": "USD"}}]
