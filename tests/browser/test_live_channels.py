"""Channels by name and live campaign screens, in the stand-in Dashboard: every channel picker shows the shop's
channels by name and starts on the shop's default channel; a campaign's page goes from scheduled to sent as its
mails leave, without a reload. Light and dark, with axe-core."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.conftest import describe_violations
from tests.browser.test_automations_service import checked_in_both_themes
from tests.graphql.conftest import gid


@pytest.fixture
def named_channels(shop):
    """The record shop's two channels (most orders in web, no channel is Saleor's default-channel) with the
    names and currency the events carried."""
    from saleor_crm_plugin.models import ShopChannel
    from saleor_crm_plugin.shop import forget_channels

    ShopChannel.objects.filter(slug="outlet").update(name="Outlet", currency="USD")
    ShopChannel.objects.filter(slug="web").update(name="Web store", currency="USD")
    forget_channels()
    return shop


def picker(scope, testid: str = "channel-picker"):
    return scope.get_by_test_id(testid).get_by_role("combobox")


def shows_chosen(scope, text: str, testid: str = "channel-picker") -> None:
    """The picker (macaw-ui's Select, a button-like combobox) comes to show ``text`` as chosen: it applies the default just after the shop's channels load,
    so the check waits for it (until then it shows only its label)."""
    expect(scope.get_by_test_id(testid)).to_contain_text(text, timeout=20_000)


def test_channel_pickers_show_names_and_start_on_the_shops_default_channel(
        dashboard, built_pages, named_channels, axe_source):
    # given: the new-campaign form
    framed = dashboard("app", hash="#/campaigns")
    frame = framed.frame
    frame.get_by_role("button", name="Create campaign").click()
    form = frame.get_by_test_id("campaign-create-form")
    form.wait_for(timeout=20_000)
    # then: the channel starts on the shop's default (the channel of most orders, as none is Saleor's), by name
    channel = picker(form)
    channel.wait_for(timeout=20_000)
    shows_chosen(form, "Web store (web, USD)")
    # and the other channel is offered by its name
    channel.click()
    frame.get_by_role("option", name="Outlet (outlet, USD)").wait_for(timeout=10_000)
    frame.get_by_role("option", name="Outlet (outlet, USD)").click()
    shows_chosen(form, "Outlet (outlet, USD)")
    found = checked_in_both_themes(framed, axe_source, "channel-picker-campaign-form")
    assert not any(found.values()), describe_violations(found)

    # when: the template editor
    frame.get_by_test_id("nav-templates").click()
    editor = frame.get_by_test_id("template-editor")
    editor.wait_for(timeout=20_000)
    # then: its preview channel starts on the default too
    shows_chosen(frame, "Web store (web, USD)")

    # and a segment rule on consent offers "Any channel" first, then the channels by name
    frame.get_by_test_id("nav-segments").click()
    builder = frame.get_by_test_id("rule-builder")
    builder.wait_for(timeout=20_000)
    builder.get_by_role("combobox", name="Field").first.click()
    frame.get_by_role("option", name=re.compile("consent", re.I)).first.click()
    consent = picker(builder)
    consent.wait_for(timeout=10_000)
    consent.click()
    names = [o.inner_text() for o in frame.get_by_role("option").all()]
    assert names[:3] == ["Any channel", "Outlet (outlet, USD)", "Web store (web, USD)"], names
    assert framed.errors == []


def test_a_campaign_page_goes_from_scheduled_to_sent_without_a_reload(
        dashboard, built_pages, shop, crm_settings, axe_source):
    from saleor_crm_plugin.campaigns import sending
    from saleor_crm_plugin.models import Campaign, CampaignState

    crm_settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    crm_settings.SALEOR_CRM = {**crm_settings.SALEOR_CRM, "from_email": "news@shop.example", "shop_name": "Shop"}
    # given: the shop's campaign, scheduled a few seconds from now
    campaign = shop["campaign"]
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.SCHEDULED,
                                                   scheduled_at=timezone.now() + timedelta(seconds=3))
    framed = dashboard("app", hash=f"#/campaigns/{gid('CRMCampaign', campaign.pk)}")
    frame = framed.frame
    state = frame.get_by_test_id("campaign-state")
    state.filter(has_text="Scheduled").wait_for(timeout=20_000)
    frame.get_by_test_id("campaign-live").wait_for(timeout=10_000)
    frame.evaluate("() => { window.notReloaded = true; }")

    # when: its mails leave (the worker's sending, run here)
    assert sending.start_campaign(campaign.pk, enqueue=False)
    report = sending.send_campaign(campaign.pk, continue_later=False)
    assert report.finished and report.sent > 0

    # then: the page reads sent with its count, without a reload, and stops following
    state.filter(has_text="Sent").wait_for(timeout=15_000)
    frame.get_by_test_id("campaign-live").wait_for(state="detached", timeout=10_000)
    assert frame.evaluate("() => window.notReloaded === true")
    assert f"{report.sent}" in frame.get_by_text("Sent", exact=True).first.locator("..").inner_text()
    found = checked_in_both_themes(framed, axe_source, "campaign-live-sent")
    assert not any(found.values()), describe_violations(found)
    assert framed.errors == []


def test_the_campaign_list_follows_sending_and_stops_polling_when_none_is_scheduled(
        dashboard, built_pages, shop, crm_settings):
    from saleor_crm_plugin.campaigns import sending
    from saleor_crm_plugin.models import Campaign, CampaignState

    crm_settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    crm_settings.SALEOR_CRM = {**crm_settings.SALEOR_CRM, "from_email": "news@shop.example", "shop_name": "Shop"}
    campaign = shop["campaign"]
    Campaign.objects.filter(pk=campaign.pk).update(state=CampaignState.SCHEDULED, scheduled_at=timezone.now())
    framed = dashboard("app", hash="#/campaigns")
    frame = framed.frame
    row = frame.get_by_role("row", name=re.compile("Spring jazz"))
    row.filter(has_text="Scheduled").wait_for(timeout=20_000)
    frame.get_by_test_id("campaigns-live").wait_for(timeout=10_000)
    # when
    assert sending.start_campaign(campaign.pk, enqueue=False)
    sending.send_campaign(campaign.pk, continue_later=False)
    # then: the row reads sent, and the list stops reading again
    row.filter(has_text="Sent").wait_for(timeout=15_000)
    frame.get_by_test_id("campaigns-live").wait_for(state="detached", timeout=10_000)
    requests = []
    framed.page.on("request", lambda request: "graphql" in request.url and requests.append(request.url))
    framed.page.wait_for_timeout(4_000)
    assert requests == []
    assert framed.errors == []
