"""Templates saved, or compiled into a campaign, before today's checks: the campaign is paused with the reason
(field and line) instead of failing the dispatcher or every mail; a mail over budget fails alone, coded."""

import pytest
from django.core import mail

from saleor_crm_plugin.campaigns import handlebars_render, sending
from saleor_crm_plugin.models import Campaign, CampaignState, Delivery, EmailTemplate
from tests.campaigns.conftest import MJML_BODY, make_audience, scheduled_campaign
from tests.campaigns.test_sending import settings_with

pytestmark = pytest.mark.django_db
PARTIAL_MJML = MJML_BODY.replace("<mj-text>New in", "<mj-text>{{> footer}}</mj-text>\n<mj-text>New in")


def test_a_scheduled_campaign_whose_template_is_refused_today_is_paused_with_the_line():
    with settings_with():
        # given: a template written before the checks refused partials
        make_audience(2)
        campaign = scheduled_campaign()
        EmailTemplate.objects.filter(pk=campaign.template_id).update(body=PARTIAL_MJML)

        # when: the dispatcher's pass
        report = sending.dispatch()

    # then
    campaign.refresh_from_db()
    assert report["started"] == [] and campaign.state == CampaignState.PAUSED
    assert campaign.pause_reason == ("Paused by the CRM: the template cannot be rendered "
                                     "(body: Line 4: partials are not supported.).")
    assert not Delivery.objects.filter(campaign=campaign).exists() and mail.outbox == []


def test_a_sending_campaign_whose_compiled_template_is_refused_today_is_paused_and_sends_nothing():
    with settings_with():
        # given: a campaign started with a compiled template that today's checks refuse
        make_audience(2)
        campaign = scheduled_campaign()
        assert sending.start_campaign(campaign.pk, enqueue=False)
        compiled = Campaign.objects.get(pk=campaign.pk).compiled
        Campaign.objects.filter(pk=campaign.pk).update(compiled={**compiled, "subject": "Hi {{#if}}x{{/if}}"})

        # when
        report = sending.send_campaign(campaign.pk, continue_later=False)

    # then
    campaign.refresh_from_db()
    assert campaign.state == CampaignState.PAUSED and "subject: Line 1: {{#if}} needs a value." in campaign.pause_reason
    assert report.sent == 0 and mail.outbox == []
    assert set(Delivery.objects.filter(campaign=campaign).values_list("state", flat=True)) == {"queued"}


def test_a_mail_over_its_budget_fails_alone_with_the_code_and_the_campaign_finishes(monkeypatch):
    with settings_with():
        # given: an output budget smaller than one mail's HTML
        make_audience(2)
        campaign = scheduled_campaign()
        assert sending.start_campaign(campaign.pk, enqueue=False)
        monkeypatch.setattr(handlebars_render, "MAX_OUTPUT", 500)

        # when
        report = sending.send_campaign(campaign.pk, continue_later=False)

    # then
    assert report.sent == 0 and report.failed == 2 and report.finished
    errors = set(Delivery.objects.filter(campaign=campaign).values_list("error", flat=True))
    assert errors == {"render: body: The body renders to more than 500 characters; simplify its loops."}
    assert Campaign.objects.get(pk=campaign.pk).state == CampaignState.SENT
