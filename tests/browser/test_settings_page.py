"""The CRM's Settings page in the stand-in Dashboard: mail settings saved from the page, a bad SMTP URL shown by
its field with its code, a test mail received by a loopback SMTP server; light and dark, axe-core."""

import re

import pytest

from tests.browser.conftest import describe_violations, serious
from tests.campaigns.conftest import smtp_server  # noqa: F401 - the shared fixture


def field(scope, label: str):
    """A text field by its label (a field's accessible name may carry more, so match the start)."""
    return scope.get_by_role("textbox", name=re.compile(rf"^{re.escape(label)}"))


def notified(framed, title: str):
    item = framed.page.locator("#notifications li", has_text=title).first
    item.wait_for(timeout=20_000)
    return item


@pytest.mark.django_db(transaction=True)
def test_mail_settings_are_saved_a_bad_smtp_url_is_shown_by_its_field_and_a_test_mail_arrives(
        dashboard, built_pages, smtp_server, artifacts):  # noqa: F811
    from saleor_crm_plugin.config import get_text_setting
    from saleor_crm_plugin.models import CRMSetting

    inbox, port = smtp_server
    framed = dashboard("app", hash="#/settings")
    frame = framed.frame
    frame.get_by_test_id("settings-form").wait_for(timeout=20_000)

    # when: SMTP as the provider, with a URL that is no SMTP URL
    field(frame, "Email provider").fill("smtp")
    field(frame, "Sender address").fill("news@shop.example.com")
    field(frame, "Shop name").fill("Record Shop")
    frame.get_by_test_id("input-smtpUrl").fill("http://mail.example.com")
    frame.get_by_test_id("save-settings").click()
    # then: the error by the SMTP field, with its code; nothing saved
    error = frame.get_by_test_id("smtpUrl-errors")
    error.wait_for(timeout=20_000)
    assert "SMTP server is not valid" in error.inner_text()
    assert error.locator("[data-code]").first.get_attribute("data-code") == "INVALID_SMTP_URL"
    assert frame.get_by_test_id("input-smtpUrl").get_attribute("aria-describedby").endswith("smtpUrl-errors")
    assert not CRMSetting.objects.exists()
    framed.screenshot("settings-bad-smtp-url")

    # when: the loopback server's URL
    frame.get_by_test_id("input-smtpUrl").fill(f"smtp://127.0.0.1:{port}")
    frame.get_by_test_id("save-settings").click()
    notified(framed, "Settings saved")
    # then: saved; the SMTP URL is only said to be set, never shown
    frame.get_by_test_id("secret-state-smtpUrl").wait_for(timeout=20_000)
    assert (get_text_setting("email_provider"), get_text_setting("smtp_url"), get_text_setting("from_email")) == (
        "smtp", f"smtp://127.0.0.1:{port}", "news@shop.example.com")
    assert f"127.0.0.1:{port}" not in frame.content()
    assert frame.get_by_test_id("webhook-url-none").is_visible()  # SMTP reports no deliveries

    # when: a bad address, then a good one
    frame.get_by_test_id("input-test-mail-to").fill("not an address")
    frame.get_by_test_id("send-test-mail").click()
    frame.get_by_test_id("to-errors").wait_for(timeout=20_000)
    frame.get_by_test_id("input-test-mail-to").fill("owner@shop.example.com")
    frame.get_by_test_id("send-test-mail").click()
    frame.get_by_test_id("test-mail-sent").wait_for(timeout=20_000)
    # then
    [message] = inbox.to("owner@shop.example.com")
    assert message["Subject"] == "Test mail from the CRM of Record Shop"
    assert message["From"] == "Record Shop <news@shop.example.com>"
    framed.screenshot("settings-test-mail-sent")
    assert framed.errors == []


@pytest.mark.django_db(transaction=True)
def test_the_settings_page_has_no_serious_accessibility_problem_in_either_theme(
        dashboard, built_pages, axe_source, crm_settings):
    from saleor_crm_plugin.models import CRMSetting

    # given: an ESP with its key, so the secret and the webhook URL show
    CRMSetting.objects.create(name="email_provider", value="postmark")
    CRMSetting.objects.create(name="email_api_key", value="pm-secret-key")
    found = {}
    for theme in ("light", "dark"):
        framed = dashboard("app", hash="#/settings", theme=theme)
        framed.frame.get_by_test_id("settings-form").wait_for(timeout=20_000)
        framed.frame.get_by_test_id("webhook-url").wait_for(timeout=20_000)
        assert "pm-secret-key" not in framed.frame.content()
        assert framed.frame.get_by_test_id("webhook-url").inner_text().endswith(
            "/plugins/global/saleor_crm_plugin.crm/tracking/postmark/")
        # pinned by the harness (public URL, Dashboard origins): shown, not editable
        assert field(framed.frame, "Public URL of the shop's API").is_disabled()
        framed.frame.get_by_test_id("replace-emailApiKey").click()
        field(framed.frame, "New provider api key").wait_for()
        framed.screenshot(f"settings-{theme}")
        found[theme] = serious(framed.axe(axe_source))
        assert framed.errors == []
    assert not any(found.values()), describe_violations(found)
