"""``crm_campaign send``: sending in the foreground with progress, resumable, never twice."""

import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import override_settings

from saleor_crm_plugin.campaigns import sending
from saleor_crm_plugin.models import Campaign, CampaignState
from tests.campaigns.conftest import ANYMAIL_TEST, make_audience, scheduled_campaign

SETTINGS = override_settings(EMAIL_BACKEND=ANYMAIL_TEST["EMAIL_BACKEND"],
                             SALEOR_CRM={**ANYMAIL_TEST["SALEOR_CRM"], "send_batch_size": 4})


def run(*args) -> str:
    out = io.StringIO()
    call_command("crm_campaign", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_a_draft_is_started_and_sent_with_progress_and_a_second_run_sends_nothing():
    with SETTINGS:
        make_audience(10, subscribed=set(range(8)))
        campaign = scheduled_campaign()
        Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.DRAFT, scheduled_at=None)
        first = run("send", str(campaign.pk))
        second = run("send", str(campaign.pk))
    assert "mails: 10 of 10 (100%)" in first and "Sent 8 mails" in first
    assert "sent             8" in first and "no consent          2" in first
    assert f"Campaign {campaign.pk} is sent: nothing to send." in second
    assert len(mail.outbox) == 8


@pytest.mark.django_db
def test_an_interrupted_send_resumes_where_it_stopped():
    with SETTINGS:
        make_audience(10)
        campaign = scheduled_campaign()
        sending.start_campaign(campaign.pk, enqueue=False)
        sending.send_campaign(campaign.pk, max_batches=1, continue_later=False)  # stopped after one batch
        out = run("send", str(campaign.pk))
    assert sorted(m.to[0] for m in mail.outbox) == sorted(f"fan{i}@example.com" for i in range(10))
    assert "Sent 10 mails" in out and Campaign.objects.get(pk=campaign.pk).state == CampaignState.SENT


@pytest.mark.django_db
def test_an_unknown_campaign_is_a_command_error():
    with pytest.raises(CommandError, match="No campaign 999"):
        run("send", "999")
