"""A campaign's state and counts follow its mails: over a live host (gunicorn, a Celery worker, no beat, an SMTP
server), a campaign scheduled through the API reads "sent" with every mail counted as soon as its mails left —
not after the pacing pause of a slow sending rate, and without the periodic dispatcher."""

import time
from pathlib import Path

import pytest

from saleor_crm_plugin.campaigns.consent import set_consent
from saleor_crm_plugin.models import ConsentSource, ConsentState, CustomerProfile, Segment
from tests.graphql.conftest import gid, operation, staff_token
from tests.live_host import live_host, wait_for  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db(transaction=True)

CREATE_TEMPLATE = operation("staff/email-template-create")
CREATE_CAMPAIGN = operation("staff/campaign-create")
SCHEDULE = operation("staff/campaign-schedule")
# What the Dashboard's campaign list polls while a campaign is scheduled or sending.
CAMPAIGNS = (Path(__file__).resolve().parents[2] / "dashboard_extension" / "src" / "modules" / "campaigns" /
             "campaigns.graphql").read_text()
RATE_PER_MINUTE, BATCH = 60, 50  # a pause of 50 s between batches: what a small shop's SMTP relay may allow


@pytest.fixture(scope="module")
def live_host_settings():
    return {"send_rate_per_minute": RATE_PER_MINUTE, "send_batch_size": BATCH}


def campaign_rows(host) -> dict:
    body = host.graphql(CAMPAIGNS, {"first": 10}, bearer=staff_token()).json()
    assert "errors" not in body, body
    return {e["node"]["name"]: e["node"] for e in body["data"]["crmCampaigns"]["edges"]}


def test_a_campaign_reads_sent_with_its_counts_as_soon_as_its_mails_left(live_host, transactional_db):
    # given: three subscribed customers, a template and a draft campaign to them
    live_host.clear_inbox()
    for n in range(3):
        profile = CustomerProfile.objects.create(email=f"fan{n}@example.com", first_name=f"Fan {n}")
        set_consent(ConsentState.SUBSCRIBED, "default-channel", ConsentSource.IMPORT, profile_id=profile.pk)
    segment = Segment.objects.create(name="Everyone", rules={"field": "order_count", "op": "gte", "value": 0})
    template = live_host.graphql(CREATE_TEMPLATE, {"input": {
        "name": "News", "subject": "News", "bodyFormat": "HTML",
        "body": '<p>Hello</p><p><a href="{{unsubscribe_url}}">Unsubscribe</a></p>'}},
        bearer=staff_token()).json()["data"]["crmEmailTemplateCreate"]["emailTemplate"]
    created = live_host.graphql(CREATE_CAMPAIGN, {"input": {
        "name": "Live", "templateId": template["id"], "channel": "default-channel",
        "segmentIds": [gid("CRMSegment", segment.pk)]}}, bearer=staff_token()).json()["data"]["crmCampaignCreate"]
    assert created["errors"] == [], created

    # when: it is scheduled now, and the list is read until it says sent
    scheduled_at = time.monotonic()
    answer = live_host.graphql(SCHEDULE, {"id": created["campaign"]["id"]}, bearer=staff_token()).json()
    assert answer["data"]["crmCampaignSchedule"]["errors"] == [], answer
    seen = []

    def sent():
        row = campaign_rows(live_host)["Live"]
        seen.append((row["state"], row["totals"]["sent"]))
        return row["state"] == "SENT" and row
    row = wait_for(sent, timeout=30, interval=0.2)
    took = time.monotonic() - scheduled_at
    mailed = len(live_host.inbox.messages)

    # then: sent, with all three counted, well before one pacing pause (50 s) could have passed
    print(f"scheduled → read as sent in {took:.2f}s; states read: {sorted(set(seen), key=seen.index)}")
    assert row, (seen[-5:], live_host.worker.text()[-3000:])
    assert took < 15
    assert row["totals"] == {"recipients": 3, "sent": 3, "failed": 0, "skipped": 0} and mailed == 3
    # and while it went, the counts never went back nor said "sent" before the mails were counted
    assert all(state != "SENT" or count == 3 for state, count in seen)
    assert [count for _, count in seen] == sorted(count for _, count in seen)
