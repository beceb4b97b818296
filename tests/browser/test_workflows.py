"""A marketer's work in the CRM app page, clicked through in the stand-in Dashboard: a segment built from an
RFM group previews its count; a template is written, previewed for a customer, saved and test-sent (to a
loopback SMTP server); a campaign is created from it and scheduled."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.campaigns.conftest import smtp_server, smtp_settings  # noqa: F401 - the shared fixture

MJML = ('<mjml><mj-body><mj-section><mj-column><mj-text>Hi {{default customer.first_name "friend"}}, new vinyl is in.'
        "</mj-text></mj-column></mj-section></mj-body></mjml>")


@pytest.fixture
def mail_settings(crm_settings, smtp_server):  # noqa: F811 - the shared fixture
    """Mail goes to the loopback SMTP server; the stand-in Dashboard may still frame the pages."""
    _, port = smtp_server
    pinned = dict(crm_settings.SALEOR_CRM)
    for name, value in smtp_settings(port).items():
        setattr(crm_settings, name, value)
    crm_settings.SALEOR_CRM = {**crm_settings.SALEOR_CRM, **pinned}
    return smtp_server[0]


def notified(framed, title: str):
    """The Dashboard's notification (the bridge's notification action) with ``title``."""
    item = framed.page.locator("#notifications li", has_text=title).first
    item.wait_for(timeout=20_000)
    return item


def field(scope, label: str):
    """A text field by its label (a field's accessible name also carries its value, so match the start)."""
    return scope.get_by_role("textbox", name=re.compile(rf"^{re.escape(label)}"))


def humanize(code: str) -> str:
    words = code.replace("_", " ").strip()
    return words[:1].upper() + words[1:]


def test_the_segment_builder_previews_how_many_customers_match(dashboard, built_pages, shop):
    from saleor_crm_plugin.models import CustomerAnalytics

    group = CustomerAnalytics.objects.get(profile=shop["customer"]).rfm_group
    expected = CustomerAnalytics.objects.filter(rfm_group=group).count()
    framed = dashboard("app", hash="#/segments")
    builder = framed.frame.get_by_test_id("rule-builder")
    builder.wait_for(timeout=20_000)
    # when: start from the customer's RFM group, without the empty first condition
    framed.frame.get_by_role("button", name=humanize(group), exact=True).click()
    framed.frame.get_by_role("button", name="Remove condition 1").click()
    # then
    count = framed.frame.get_by_test_id("segment-preview-count")
    count.filter(has_text=f"{expected} customer").wait_for(timeout=20_000)
    assert count.inner_text().startswith(f"{expected} customer")
    framed.screenshot("workflow-segment-preview")
    assert framed.errors == []


def test_a_template_is_previewed_test_sent_and_a_campaign_made_from_it_is_scheduled(
        dashboard, built_pages, shop, mail_settings):
    from saleor_crm_plugin.models import Campaign, CampaignState

    inbox = mail_settings
    zone = ZoneInfo("Europe/Warsaw")  # the merchant's clock is not the server's
    framed = dashboard("app", hash="#/templates", timezone=zone.key)
    frame = framed.frame
    frame.get_by_test_id("template-editor").wait_for(timeout=20_000)
    # when: a new template, previewed for one customer, then saved
    field(frame, "Name").fill("Vinyl news")
    field(frame, "Subject").fill("New vinyl for {{customer.email}}")
    field(frame, "Body").fill(MJML)
    frame.get_by_test_id("channel-picker").filter(has_text="web").wait_for(timeout=20_000)  # the default
    field(frame, "Preview for customer (email)").fill("jazz0@example.com")
    frame.get_by_role("button", name="Create template").click()
    notified(framed, "Template saved")
    frame.get_by_role("button", name="Save changes").wait_for()
    # then: saving kept the editor, with the preview's customer and channel
    assert frame.get_by_test_id("channel-picker").inner_text().endswith("web")
    assert field(frame, "Preview for customer (email)").input_value() == "jazz0@example.com"
    frame.get_by_test_id("preview-subject").filter(has_text="New vinyl for jazz0@example.com").wait_for(
        timeout=20_000)
    rendered = frame.frame_locator("iframe[title='Rendered email']").locator("body")
    assert "new vinyl is in" in rendered.inner_text()
    framed.screenshot("workflow-template-preview")

    # when: test-sent, rendered for that customer
    field(frame, "Test-send to (addresses)").fill("qa@example.com")
    frame.get_by_role("button", name="Send test").click()
    notified(framed, "Test mail sent")
    # then
    [mail] = inbox.to("qa@example.com")
    assert mail["Subject"] == "[Test] New vinyl for jazz0@example.com"

    # when: a campaign to the vinyl buyers, from the new template
    frame.get_by_test_id("nav-campaigns").click()
    frame.get_by_role("button", name="Create campaign").click()
    form = frame.get_by_test_id("campaign-create-form")
    form.wait_for(timeout=20_000)
    field(form, "Campaign name").fill("Vinyl week")
    form.get_by_role("combobox", name="Template").click()
    frame.get_by_role("option", name="Vinyl news").click()
    form.get_by_test_id("channel-picker").filter(has_text="web").wait_for(timeout=20_000)  # the shop's default
    form.locator("fieldset", has_text="Send to").get_by_text("Vinyl buyers").click()
    form.get_by_role("button", name="Create draft").click()
    notified(framed, "Campaign created")
    # and scheduled for tomorrow
    detail = frame.get_by_test_id("campaign-detail")
    detail.wait_for(timeout=20_000)
    when = (datetime.now(zone) + timedelta(days=1)).replace(second=0, microsecond=0)
    detail.get_by_label("Send at (empty: now)").fill(when.strftime("%Y-%m-%dT%H:%M"))
    detail.get_by_role("button", name="Schedule").click()
    notified(framed, "Campaign scheduled")
    # then
    detail.get_by_test_id("campaign-state").filter(has_text="cheduled").wait_for(timeout=20_000)
    campaign = Campaign.objects.get(name="Vinyl week")
    assert (campaign.state, campaign.channel, campaign.segment_ids) == (
        CampaignState.SCHEDULED, "web", [shop["segment"].pk])
    assert campaign.template.name == "Vinyl news"
    assert campaign.scheduled_at == when
    framed.screenshot("workflow-campaign-scheduled")
    # The rendered mail's own resources (mjml's web fonts) are blocked by the page's CSP, as they should be;
    # a CSP block by the page itself would still show as a console error located in the page.
    assert [error for error in framed.errors
            if "(about:srcdoc)" not in error and not (error.startswith("request failed") and error.endswith(" csp"))
            ] == []
