"""The abandoned-checkout reminder inside a real Saleor 3.23: a checkout left through Saleor's storefront API
gets its reminder at a loopback SMTP server after a shortened delay, and a checkout completed within the
delay gets none. The automation is configured through the plugin's staff API."""

import re
import time

import pytest
from django.test import Client

from crm_saleor_api import (CHANNEL_SLUG, complete_checkout, create_checkout, signed_in_customer,
                            us_address)
from saleor_crm_plugin.campaigns.automations.running import run_automations
from saleor_crm_plugin.models import AutomationRun, Delivery
from test_saleor_campaigns import TEMPLATE, configure_mail, created, crm, smtp_server  # noqa: F401 (fixture)

DELAY = 8  # seconds: the shortened delay
SUBSCRIBE = """mutation($channel: String!) { crmMarketingSubscribe(channel: $channel) { state errors { code } } }"""
UPDATE = """mutation($input: CRMAutomationInput!) { crmAutomationUpdate(kind: ABANDONED_CHECKOUT, input: $input) {
  automation { enabled steps { position delaySeconds templateName } } errors { field code message } } }"""
BODY = """<mjml><mj-body><mj-section><mj-column>
<mj-text>{{customer.greeting_name}}, your cart is waiting:</mj-text>
<mj-raw>{{#each checkout.lines}}</mj-raw><mj-text>{{quantity}} x {{name}}</mj-text><mj-raw>{{/each}}</mj-raw>
<mj-text><a href="{{checkout.url}}">Back to your cart</a></mj-text>
</mj-column></mj-section></mj-body></mjml>"""


@pytest.mark.django_db(transaction=True)
def test_a_checkout_left_in_saleor_gets_its_reminder_and_a_completed_one_none(
    api_client, staff_client, shop, crm_plugin, smtp_server  # noqa: F811
):
    inbox, port = smtp_server
    # given: mail settings and the storefront's checkout URL saved in the plugin's configuration
    configure_mail(staff_client, port, from_email="shop@shop.example.com",
                   storefront_checkout_url="https://shop.example.com/{channel}/checkout?token={token}")
    # and the reminder switched on through the plugin's staff API, after DELAY seconds
    staff = staff_client.token
    template = created(crm(TEMPLATE, {"input": {"name": "Cart", "subject": "Your cart at {{shop.name}}",
                                                "body": BODY}}, staff), "crmEmailTemplateCreate", "emailTemplate")
    switched = crm(UPDATE, {"input": {"enabled": True, "steps": [
        {"position": 1, "templateId": template, "delaySeconds": DELAY}]}}, staff)["crmAutomationUpdate"]
    assert switched["errors"] == [] and switched["automation"]["enabled"] is True, switched
    # and two subscribed customers
    tokens = {}
    for email, name in (("ann.cart@example.com", "Ann"), ("bob.cart@example.com", "Bob")):
        tokens[email] = signed_in_customer(api_client, staff_client, email, name, "Lee")
        assert crm(SUBSCRIBE, {"channel": CHANNEL_SLUG}, tokens[email])["crmMarketingSubscribe"]["state"] == "SUBSCRIBED"

    # when: Ann leaves her checkout; Bob completes his within the delay
    create_checkout(api_client, shop, token=tokens["ann.cart@example.com"])
    left_at = time.monotonic()
    assert run_automations()["sent"] == 0  # before the delay: nothing
    done = create_checkout(api_client, shop, token=tokens["bob.cart@example.com"])
    complete_checkout(api_client, done["id"], us_address("Bob", "Lee"), tokens["bob.cart@example.com"])
    assert time.monotonic() - left_at < DELAY, "Saleor was too slow for the shortened delay: nothing was tested"
    time.sleep(DELAY + 0.5 - (time.monotonic() - left_at))
    report = run_automations()  # what beat's pass does every minute

    # then: Ann's reminder at the SMTP server, with her cart and the link back to it; nothing for Bob
    assert report["sent"] == 1, report
    [reminder] = inbox.messages
    assert reminder["To"] == "ann.cart@example.com"
    body = reminder.get_body(("html",)).get_content()
    text = reminder.get_body(("plain",)).get_content()
    assert f"2 x {shop.name}" in body
    token = AutomationRun.objects.get().context["checkout"]
    # the link back to the cart: as it is in the text part, through a click link (served by Saleor) in the HTML
    cart = f"https://shop.example.com/{CHANNEL_SLUG}/checkout?token={token}"
    assert cart in text
    click = re.search(r'href="http://testserver(/plugins/global/saleor_crm_plugin\.crm/click/[^"]+)"', body).group(1)
    assert Client().get(click)["Location"] == cart
    assert reminder["Message-ID"] == Delivery.objects.get(run__isnull=False).message_id
    # and once Bob's checkout too is older than the delay, a pass plans nothing for it (completed) and sends
    # nothing more
    time.sleep(DELAY)
    assert run_automations()["sent"] == 0 and len(inbox.messages) == 1
    assert not AutomationRun.objects.filter(profile__email="bob.cart@example.com").exists()
