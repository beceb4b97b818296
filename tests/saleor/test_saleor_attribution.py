"""Attribution inside a real Saleor 3.23: a campaign mail's link to the shop goes through the CRM's click link
(served by Saleor's plugin endpoint), and the order the customer then places through Saleor's checkout is credited
to the campaign, with its total and currency, in the plugin's staff API."""

import json
import re

import pytest
from django.test import Client

from crm_saleor_api import CHANNEL_SLUG, complete_checkout, create_checkout, order_total, signed_in_customer, \
    us_address
from saleor_crm_plugin.models import DeliveryEvent
from test_saleor_campaigns import (CAMPAIGN, SCHEDULE, SEGMENT, TEMPLATE, configure_mail, created, crm,  # noqa: F401
                                   smtp_server)

SUBSCRIBE = """mutation($channel: String!) { crmMarketingSubscribe(channel: $channel) { state errors { code } } }"""
RESULTS = """query($id: ID!) { crmCampaign(id: $id) { state funnel { clicked } attributed { currency orders
  revenue { amount currency } } } }"""
BODY = """<mjml><mj-body><mj-section><mj-column>
<mj-text>{{customer.greeting_name}}, new records are in: <a href="https://shop.example.com/new">see them</a>.</mj-text>
<mj-text><a href="{{unsubscribe_url}}">Unsubscribe</a></mj-text>
</mj-column></mj-section></mj-body></mjml>"""


@pytest.mark.django_db(transaction=True)
def test_an_order_placed_in_saleor_after_a_tracked_click_is_attributed_to_the_campaign(
    api_client, staff_client, shop, crm_plugin, smtp_server  # noqa: F811
):
    inbox, port = smtp_server
    # given: mail settings, with the storefront's host among the hosts click links may lead to
    configure_mail(staff_client, port, link_hosts="shop.example.com")
    # and a subscribed customer who has not ordered yet
    token = signed_in_customer(api_client, staff_client, "cara.click@example.com", "Cara", "Lee")
    assert crm(SUBSCRIBE, {"channel": CHANNEL_SLUG}, token)["crmMarketingSubscribe"]["state"] == "SUBSCRIBED"
    # and a campaign sent to the subscribers through the staff API (Celery is eager here)
    staff = staff_client.token
    template = created(crm(TEMPLATE, {"input": {"name": "New in", "subject": "New in", "body": BODY}}, staff),
                       "crmEmailTemplateCreate", "emailTemplate")
    segment = created(crm(SEGMENT, {"input": {"name": "Subscribers", "rules": json.dumps(
        {"field": "marketing_consent", "op": "eq", "value": "subscribed", "channel": CHANNEL_SLUG})}}, staff),
        "crmSegmentCreate", "segment")
    campaign = created(crm(CAMPAIGN, {"input": {"name": "New in", "templateId": template, "channel": CHANNEL_SLUG,
                                                "segmentIds": [segment]}}, staff), "crmCampaignCreate", "campaign")
    assert crm(SCHEDULE, {"id": campaign}, staff)["crmCampaignSchedule"]["errors"] == []
    [mail] = inbox.messages
    html = mail.get_body(("html",)).get_content()
    click = re.search(r'href="http://testserver(/plugins/global/saleor_crm_plugin\.crm/click/[^"]+)"', html).group(1)
    assert crm(RESULTS, {"id": campaign}, staff)["crmCampaign"]["attributed"] == []

    # when: Cara follows the link (Saleor serves the redirect) and then checks out through Saleor
    followed = Client().get(click)
    assert (followed.status_code, followed["Location"]) == (302, "https://shop.example.com/new")
    checkout = create_checkout(api_client, shop, token=token)
    order = complete_checkout(api_client, checkout["id"], us_address("Cara", "Lee"), token)

    # then: the click is counted and the order credited to the campaign, with its total
    amount, currency = order_total(order)
    results = crm(RESULTS, {"id": campaign}, staff)["crmCampaign"]
    assert results["funnel"]["clicked"] == 1
    assert results["attributed"] == [{"currency": currency, "orders": 1,
                                      "revenue": {"amount": float(amount), "currency": currency}}]
    assert DeliveryEvent.objects.get().url == "https://shop.example.com/new"
