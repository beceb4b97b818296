"""Automations and the service queue, clicked through in the stand-in Dashboard: the abandoned-checkout
automation is given a template and switched on from its page, and after a pass over an idle cart its page
shows the reminder sent; a customer's question is opened, answered from the service queue by email (to a
loopback SMTP server) and shows as answered."""

import re
from datetime import timedelta

from django.utils import timezone

from tests.browser.conftest import THEMES, describe_violations, serious
from tests.browser.test_workflows import field, mail_settings, notified  # noqa: F401 - the shared fixture
from tests.campaigns.conftest import smtp_server  # noqa: F401 - the shared fixture
from tests.conftest import SIMPLE_MJML

CART_EMAIL = "cart@example.com"
CHECKOUT_CHANNEL = "default-channel"  # the channel of the events fixture's checkouts


def checked_in_both_themes(framed, axe_source, name: str) -> dict:
    """Screenshots ``<name>-<theme>`` and axe-core's serious violations per theme."""
    found = {}
    for theme in THEMES:
        framed.set_theme(theme)
        framed.frame.wait_for_function("theme => document.documentElement.style.colorScheme === theme", arg=theme)
        framed.page.wait_for_timeout(700)  # let the frame paint before the picture
        framed.screenshot(f"{name}-{theme}")
        found[theme] = serious(framed.axe(axe_source))
    return found


def test_an_automation_is_switched_on_from_its_page_and_shows_the_mails_it_sent_and_what_they_brought(
        dashboard, built_pages, shop, mail_settings, events, ingest, axe_source):  # noqa: F811
    from saleor_crm_plugin.campaigns.automations.running import run_automations
    from saleor_crm_plugin.campaigns.consent import set_consent
    from saleor_crm_plugin.models import (Automation, AutomationStep, ConsentSource, ConsentState, CustomerProfile,
                                          Delivery, DeliveryEvent, EmailTemplate)

    inbox = mail_settings
    # given: a template for the reminder and a subscribed customer
    template = EmailTemplate.objects.create(name="Cart reminder", subject="Still thinking, {{customer.email}}?",
                                            body=SIMPLE_MJML)
    profile = CustomerProfile.objects.create(email=CART_EMAIL, first_name="Cara")
    set_consent(ConsentState.SUBSCRIBED, CHECKOUT_CHANNEL, ConsentSource.IMPORT, profile_id=profile.pk)
    framed = dashboard("app", hash="#/automations")
    frame = framed.frame
    frame.get_by_test_id("automations-page").wait_for(timeout=20_000)
    # when: the abandoned checkout gets the template for its first step, and is switched on and saved
    frame.get_by_role("button", name="Edit Abandoned checkout").click()
    editor = frame.get_by_test_id("automation-editor")
    editor.wait_for(timeout=20_000)
    editor.get_by_role("combobox", name="Step 1 template").click()
    frame.get_by_role("option", name="Cart reminder").click()
    editor.get_by_role("spinbutton", name="Step 1 delay", exact=True).fill("30")
    editor.get_by_role("combobox", name="Step 1 delay unit").click()
    frame.get_by_role("option", name="Minutes").click()
    active = editor.get_by_role("button", name="Active")
    active.click()
    assert active.get_attribute("aria-pressed") == "true"
    editor.get_by_role("button", name="Save automation").click()
    notified(framed, "Automation saved")
    # then
    automation = Automation.objects.get(kind="abandoned_checkout")
    step = AutomationStep.objects.get(automation=automation, position=1)
    assert automation.enabled and (step.template_id, step.delay_seconds) == (template.pk, 30 * 60)
    frame.get_by_test_id("automation-detail").get_by_text("On since").wait_for(timeout=20_000)

    # when: a cart left idle for longer than the delay (switched on a day ago, so this cart counts)
    Automation.objects.filter(pk=automation.pk).update(enabled_at=timezone.now() - timedelta(days=1))
    ingest(events.checkout(token="cart-cara", email=CART_EMAIL, at=timezone.now() - timedelta(minutes=70),
                           lines=[events.line(1, quantity=2, price="24.00", name="Kind of Blue", category="Vinyl")]))
    report = run_automations()
    # then: the reminder went out...
    [mail] = inbox.to(CART_EMAIL)
    assert mail["Subject"] == f"Still thinking, {CART_EMAIL}?"
    assert report["sent"] == 1
    # and Cara clicks it and orders within the attribution window
    reminder = Delivery.objects.get(run__isnull=False)
    DeliveryEvent.objects.create(delivery=reminder, esp="crm", event_id="", kind="clicked",
                                 occurred_at=timezone.now() - timedelta(minutes=5), url="https://shop.example.com/c")
    ingest(events.order(email=CART_EMAIL, at=timezone.now(), lines=[events.line(1, quantity=2, price="24.00")]))
    # ...and the page, opened again, counts the mail, its click and the order credited to it
    framed = dashboard("app", hash="#/automations/abandoned_checkout")
    frame = framed.frame
    sent = frame.get_by_test_id("step-1-sent")
    sent.get_by_text("1", exact=True).wait_for(timeout=20_000)
    stats = frame.get_by_test_id("step-1-stats")
    assert re.search(r"Sent\s+1", stats.inner_text())
    results = frame.get_by_test_id("step-1-results").inner_text()
    assert re.search(r"Clicked\s+1", results) and re.search(r"Delivered\s+0", results), results
    assert re.search(r"USD\s+1\s+\$48\.00", results), results
    found = checked_in_both_themes(framed, axe_source, "workflow-automation-sent")
    assert not describe_violations(found), describe_violations(found)
    assert framed.errors == []


def test_the_service_queue_answers_a_request_by_email(dashboard, built_pages, shop, mail_settings,  # noqa: F811
                                                      axe_source):
    from saleor_crm_plugin.models.support import ServiceRequest
    from saleor_crm_plugin.support.requests import open_request

    inbox = mail_settings
    customer = shop["customer"]
    # given: a question of the jazz fan's
    request = open_request(customer.pk, kind="question", subject="Blue Note reissue",
                           body="Will the Blue Note reissue be back in stock?")
    framed = dashboard("app", hash="#/service")
    frame = framed.frame
    frame.get_by_test_id("service-page").wait_for(timeout=20_000)
    # when: opened from the queue (open requests, oldest first) and answered
    frame.get_by_role("button", name="Open request Blue Note reissue").click()
    detail = frame.get_by_test_id("service-request")
    detail.wait_for(timeout=20_000)
    assert "Will the Blue Note reissue be back in stock?" in detail.get_by_test_id("message-inbound").inner_text()
    detail.get_by_role("textbox", name="Reply to the customer").fill("Yes: it is due back in March.")
    detail.get_by_role("button", name="Send reply").click()
    notified(framed, "Reply sent")
    # then: the reply reached the customer, in the request's thread...
    detail.get_by_test_id("request-status").filter(has_text="Answered").wait_for(timeout=20_000)
    [mail] = inbox.to(customer.email)
    assert mail["Subject"] == "Re: Blue Note reissue"
    assert "Yes: it is due back in March." in mail.get_body(("plain",)).get_content()
    assert mail["In-Reply-To"]
    # ...the request is answered, with its first response time, and the thread shows the reply
    request = ServiceRequest.objects.get(pk=request.pk)
    assert request.status == "answered" and request.first_response_at is not None
    assert "Yes: it is due back in March." in detail.get_by_test_id("message-outbound").inner_text()
    assert detail.get_by_role("button", name=re.compile(r"^Open in Saleor")).count() >= 1
    found = checked_in_both_themes(framed, axe_source, "workflow-service-answered")
    assert not describe_violations(found), describe_violations(found)

    # when: closed
    detail.get_by_role("button", name="Close request").click()
    notified(framed, "Request closed")
    # then
    detail.get_by_test_id("request-status").filter(has_text="Closed").wait_for(timeout=20_000)
    assert ServiceRequest.objects.get(pk=request.pk).status == "closed"
    assert framed.errors == []


def test_an_automation_is_checked_and_a_request_answered_by_keyboard(dashboard, built_pages, shop,  # noqa: F811
                                                                      mail_settings):
    from saleor_crm_plugin.models import Automation
    from tests.browser.test_keyboard import tab_to

    inbox = mail_settings
    framed = dashboard("app", hash="#/automations/welcome")
    editor = framed.frame.get_by_test_id("automation-editor")
    editor.wait_for(timeout=20_000)
    # when: switched on without a template for its first step
    tab_to(framed, "Active")
    framed.page.keyboard.press("Space")
    assert editor.get_by_role("button", name="Active").get_attribute("aria-pressed") == "true"
    tab_to(framed, "Save automation")
    framed.page.keyboard.press("Enter")
    # then: the step says what it needs, and nothing was saved
    step = editor.get_by_test_id("step-1-editor")
    step.get_by_role("alert").filter(has_text="Choose the first step's template").wait_for(timeout=20_000)
    # when: a channel that is no channel slug, checked by the API
    tab_to(framed, tag="INPUT")  # the channels
    framed.page.keyboard.type("web shop!")
    tab_to(framed, "Active")
    framed.page.keyboard.press("Space")  # off again: no template needed
    tab_to(framed, "Save automation")
    framed.page.keyboard.press("Enter")
    # then: the API's coded error is shown under the channels
    editor.get_by_role("alert").filter(has_text="channel slugs").wait_for(timeout=20_000)
    assert not Automation.objects.get(kind="welcome").enabled

    # when: a request answered by keyboard
    framed = dashboard("app", hash="#/service")
    framed.frame.get_by_test_id("service-page").wait_for(timeout=20_000)
    tab_to(framed, "Open request Where is my parcel?")
    framed.page.keyboard.press("Enter")
    framed.frame.get_by_test_id("reply-form").wait_for(timeout=20_000)
    tab_to(framed, tag="TEXTAREA")
    framed.page.keyboard.type("It left our warehouse today.")
    tab_to(framed, "Send reply")
    framed.page.keyboard.press("Enter")
    # then
    notified(framed, "Reply sent")
    [mail] = inbox.to(shop["customer"].email)
    assert mail["Subject"] == "Re: Where is my parcel?"
    assert framed.errors == []
