"""A campaign inside a real Saleor 3.23: a customer subscribes through the plugin's storefront mutation,
staff send a campaign through the plugin's staff API, the mail reaches a loopback SMTP server, and the
unsubscribe link, served by Saleor's plugin endpoint, works."""

import email
import email.policy
import json
import re
import socket
from urllib.parse import urlsplit

import pytest
from django.test import Client

from crm_saleor_api import CHANNEL_SLUG, mutate, registered_customer_order
from saleor_crm_plugin.models import ConsentRecord, Delivery

Controller = pytest.importorskip(
    "aiosmtpd.controller", reason="aiosmtpd is not installed in Saleor's virtualenv (uv pip install aiosmtpd)").Controller

ENDPOINT = "/plugins/global/saleor_crm_plugin.crm/graphql/"
CONFIGURE = """
mutation Configure($id: ID!, $input: PluginUpdateInput!) {
  pluginUpdate(id: $id, input: $input) { plugin { id } errors { field code message } }
}
"""
SUBSCRIBE = """mutation($channel: String!) { crmMarketingSubscribe(channel: $channel) { channel state errors { code } } }"""
TEMPLATE = """mutation($input: CRMEmailTemplateInput!) { crmEmailTemplateCreate(input: $input) {
  emailTemplate { id } errors { field code message } } }"""
SEGMENT = """mutation($input: CRMSegmentInput!) { crmSegmentCreate(input: $input) { segment { id memberCount }
  errors { field code message } } }"""
CAMPAIGN = """mutation($input: CRMCampaignInput!) { crmCampaignCreate(input: $input) { campaign { id }
  errors { field code message } } }"""
SCHEDULE = """mutation($id: ID!) { crmCampaignSchedule(id: $id) { campaign { state } errors { code message } } }"""
TOTALS = """query($id: ID!) { crmCampaign(id: $id) { state totals { recipients sent skipped } } }"""
BODY = """<mjml><mj-body><mj-section><mj-column>
<mj-text>Hello {{customer.greeting_name}}, thanks for order {{last_order.number}}.</mj-text>
<mj-raw>{{#each recommendations}}</mj-raw><mj-text>{{name}} {{price}}</mj-text><mj-raw>{{/each}}</mj-raw>
<mj-text><a href="{{unsubscribe_url}}">Unsubscribe</a></mj-text>
</mj-column></mj-section></mj-body></mjml>"""


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@pytest.fixture
def smtp_server():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def configure_mail(staff_client, port: int, **more) -> None:
    """Save the mail settings (SMTP at the loopback ``port``) and ``more`` in the plugin's configuration, as staff
    do in the Dashboard (``pluginUpdate``)."""
    settings = {"public_url": "http://testserver", "email_provider": "smtp", "smtp_url": f"smtp://127.0.0.1:{port}",
                "from_email": "news@shop.example.com", "double_opt_in": "0", **more}
    mutate(staff_client, CONFIGURE, {"id": "saleor_crm_plugin.crm", "input": {
        "configuration": [{"name": k, "value": v} for k, v in settings.items()]}}, "pluginUpdate")


def crm(query, variables, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    response = Client().post(ENDPOINT, data=json.dumps({"query": query, "variables": variables}),
                             content_type="application/json", **headers)
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    return body["data"]


def created(data, key, field):
    assert data[key]["errors"] == [], data
    return data[key][field]["id"]


@pytest.mark.django_db(transaction=True)
def test_a_subscribed_customer_gets_the_campaign_and_unsubscribes_from_the_link_saleor_serves(
    api_client, staff_client, shop, crm_plugin, smtp_server
):
    inbox, port = smtp_server
    # given: the mail settings saved in the plugin's configuration, as staff do in the Dashboard
    configure_mail(staff_client, port, shop_name="Test Shop")
    # and a customer who ordered, then subscribed through the plugin's storefront mutation
    ann = "ann.campaign@example.com"
    registered_customer_order(api_client, staff_client, shop, ann, "Ann", "Lee")
    token = api_client.post_graphql(
        "mutation($e: String!, $p: String!) { tokenCreate(email: $e, password: $p) { token } }",
        {"e": ann, "p": "correct-horse-battery-staple"}).json()["data"]["tokenCreate"]["token"]
    subscribed = crm(SUBSCRIBE, {"channel": CHANNEL_SLUG}, token)["crmMarketingSubscribe"]
    assert (subscribed["state"], subscribed["errors"]) == ("SUBSCRIBED", [])

    # when: staff build and schedule a campaign through the plugin's staff API (Celery is eager here)
    staff = staff_client.token
    template = created(crm(TEMPLATE, {"input": {"name": "Thanks", "subject": "Thank you, {{customer.greeting_name}}",
                                                "body": BODY}}, staff), "crmEmailTemplateCreate", "emailTemplate")
    segment = created(crm(SEGMENT, {"input": {"name": "Subscribers", "rules": json.dumps(
        {"field": "marketing_consent", "op": "eq", "value": "subscribed", "channel": CHANNEL_SLUG})}}, staff),
        "crmSegmentCreate", "segment")
    campaign = created(crm(CAMPAIGN, {"input": {"name": "Thanks", "templateId": template, "channel": CHANNEL_SLUG,
                                                "segmentIds": [segment]}}, staff), "crmCampaignCreate", "campaign")
    scheduled = crm(SCHEDULE, {"id": campaign}, staff)["crmCampaignSchedule"]

    # then: one mail at the SMTP server, for Ann, with her name and the one-click headers
    assert scheduled["errors"] == [], scheduled
    assert crm(TOTALS, {"id": campaign}, staff)["crmCampaign"] == {
        "state": "SENT", "totals": {"recipients": 1, "sent": 1, "skipped": 0}}
    [message] = inbox.messages
    assert message["To"] == ann and message["Subject"] == "Thank you, Ann"
    assert message["Message-ID"] == Delivery.objects.get().message_id
    assert " ".join(str(message["List-Unsubscribe-Post"]).split()) == "List-Unsubscribe=One-Click"
    url = re.search(r"<(http://testserver/plugins/global/saleor_crm_plugin\.crm/unsubscribe/[^>]+)>",
                    " ".join(str(message["List-Unsubscribe"]).split())).group(1)
    assert url in message.get_body(("plain",)).get_content()
    # and the link works in Saleor: GET asks, a one-click POST without cookie or CSRF token unsubscribes
    path = urlsplit(url).path
    page = Client().get(path)
    assert page.status_code == 200 and b'<form method="post">' in page.content
    done = Client(enforce_csrf_checks=True).post(path, data="List-Unsubscribe=One-Click",
                                                 content_type="application/x-www-form-urlencoded")
    assert done.status_code == 200 and b"unsubscribed" in done.content
    latest = ConsentRecord.objects.latest("at", "pk")
    assert (latest.state, latest.source, latest.channel) == ("unsubscribed", "one_click", CHANNEL_SLUG)
