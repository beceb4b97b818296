"""The shop's channels by name inside a real Saleor 3.23: Saleor's own active channels, with their names and
currencies, and Saleor's DEFAULT_CHANNEL_SLUG as the shop's default (what every Dashboard picker starts on)."""

import json

import pytest
from django.test import Client

from crm_saleor_api import CHANNEL_SLUG
from saleor_crm_plugin.shop import forget_channels

ENDPOINT = "/plugins/global/saleor_crm_plugin.crm/graphql/"
CHANNELS = "query Channels { crmChannels { slug name currencyCode isDefault } }"


def post(query, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    response = Client().post(ENDPOINT, data=json.dumps({"query": query}), content_type="application/json",
                             **headers)
    return response.status_code, response.json()


@pytest.mark.django_db(transaction=True)
def test_staff_see_saleors_active_channels_by_name_with_saleors_default(
    staff_client, crm_plugin, channel_USD, channel_PLN
):
    # given: Saleor's USD channel ("main", Saleor's DEFAULT_CHANNEL_SLUG in its test settings), its PLN channel,
    # and an inactive one
    channel_PLN.name = "Sklep PL"
    channel_PLN.save(update_fields=["name"])
    channel_USD.__class__.objects.create(name="Closed", slug="closed", currency_code="EUR", is_active=False,
                                         default_country="DE")
    forget_channels()
    # when
    status, body = post(CHANNELS, staff_client.token)
    # then: the active channels by slug, named and priced as in Saleor, "main" the default
    assert status == 200 and "errors" not in body, body
    assert body["data"]["crmChannels"] == sorted([
        {"slug": CHANNEL_SLUG, "name": channel_USD.name, "currencyCode": "USD", "isDefault": True},
        {"slug": channel_PLN.slug, "name": "Sklep PL", "currencyCode": "PLN", "isDefault": False},
    ], key=lambda channel: channel["slug"])
