"""The CRM's GraphQL endpoint inside a real Saleor 3.23, with tokens from Saleor's own ``tokenCreate``."""

import json

import graphene
import pytest
from django.core.management import call_command
from django.test import Client

from crm_saleor_api import CHANNEL_SLUG, complete_checkout, create_checkout, registered_customer_order, us_address
from saleor.product.models import Product
from saleor_crm_plugin.events.fold import process_pending
from saleor_crm_plugin.recommendations.training import train_models

ENDPOINT = "/plugins/global/saleor_crm_plugin.crm/graphql/"

SHOPPER_QUERY = """
query Mine($channel: String!) {
  myOrderHistory(first: 10) {
    totalCount
    edges { node { id number trackingState total { amount currency } lines { productId productName quantity } } }
  }
  recommendations(channel: $channel, kind: FOR_YOU, first: 5) { productId score reason }
}
"""

ALSO_BOUGHT = """
query Also($channel: String!, $product: ID!) {
  recommendations(channel: $channel, kind: ALSO_BOUGHT, product: $product, first: 5) { productId reason }
}
"""

STAFF_QUERY = """
query Staff($email: String!, $channel: String!) {
  crmCustomer(email: $email) { orderCount recommendations(channel: $channel, first: 3) { productId } }
  crmCustomers(first: 10) { totalCount }
}
"""


def post(query, variables, token=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    response = Client().post(ENDPOINT, data=json.dumps({"query": query, "variables": variables}),
                             content_type="application/json", **headers)
    return response.status_code, response.json()


def product_pk(global_id):
    kind, pk = graphene.Node.from_global_id(global_id)
    assert kind == "Product"
    return int(pk)


@pytest.mark.django_db(transaction=True)
def test_a_shopper_token_from_token_create_gets_order_history_and_recommendations(
    api_client, staff_client, shop, product_list, crm_plugin
):
    # (the catalog exists before the plugin is switched on, so the backfill it starts imports it)
    # given: Ann orders the shop's product; a guest orders another product; the catalog is
    # imported and the models trained
    ann = "ann.graphql@example.com"
    order = registered_customer_order(api_client, staff_client, shop, ann, "Ann", "Lee")
    other = product_list[0]
    checkout = create_checkout(api_client, other, email="guest.graphql@example.com")
    complete_checkout(api_client, checkout["id"], us_address("Gus", "Guest"))
    call_command("crm_backfill", "--source", "saleor")
    process_pending()
    train_models()
    token = api_client.post_graphql(
        "mutation($e: String!, $p: String!) { tokenCreate(email: $e, password: $p) { token } }",
        {"e": ann, "p": "correct-horse-battery-staple"},
    ).json()["data"]["tokenCreate"]["token"]

    # when
    status, mine = post(SHOPPER_QUERY, {"channel": CHANNEL_SLUG}, token)
    _, also = post(ALSO_BOUGHT, {"channel": CHANNEL_SLUG, "product": graphene.Node.to_global_id("Product", shop.pk)})
    _, staff = post(STAFF_QUERY, {"email": ann, "channel": CHANNEL_SLUG}, staff_client.token)
    _, refused = post(STAFF_QUERY, {"email": ann, "channel": CHANNEL_SLUG}, token)
    bad_status, forged = post(SHOPPER_QUERY, {"channel": CHANNEL_SLUG}, token[:-4] + "AAAA")

    # then: Ann's own order, with the product she bought
    assert status == 200 and "errors" not in mine, mine
    history = mine["data"]["myOrderHistory"]
    assert history["totalCount"] == 1
    node = history["edges"][0]["node"]
    assert node["id"] == order["id"] and node["lines"][0]["productId"] == graphene.Node.to_global_id(
        "Product", shop.pk)
    # and recommendations for products that exist in Saleor (not the one-off product she has)
    recommended = [product_pk(r["productId"]) for r in mine["data"]["recommendations"]]
    assert recommended and Product.objects.filter(pk__in=recommended).count() == len(recommended)
    assert shop.pk not in recommended
    assert {r["reason"] for r in mine["data"]["recommendations"]} <= {"POPULAR_IN_CATEGORY", "POPULAR_IN_CHANNEL"}
    assert "errors" not in also
    # staff with MANAGE_USERS (Saleor's permission, checked by Saleor) see her profile; she cannot
    assert staff["data"]["crmCustomer"]["orderCount"] == 1 and staff["data"]["crmCustomers"]["totalCount"] == 2
    assert {e["extensions"]["code"] for e in refused["errors"]} == {"permission_denied"}
    assert bad_status == 401 and forged["errors"][0]["extensions"]["code"] == "invalid_token"


@pytest.mark.django_db(transaction=True)
def test_switched_on_in_a_shop_with_orders_it_recommends_before_any_manual_command(
    api_client, staff_client, shop, product_list
):
    # given: a shop whose customers ordered while the CRM was switched off
    from crm_saleor_api import activate_crm_plugin
    from saleor_crm_plugin.models import CRMOrder

    registered_customer_order(api_client, staff_client, shop, "ann.day1@example.com", "Ann", "Day")
    checkout = create_checkout(api_client, product_list[0], email="gus.day1@example.com")
    complete_checkout(api_client, checkout["id"], us_address("Gus", "Day"))
    assert not CRMOrder.objects.exists()

    # when: staff switch the plugin on, and nobody runs crm_backfill or crm_train
    # (Celery is eager here, as in a Saleor without a broker: the tasks run at once)
    activate_crm_plugin(staff_client)

    # then: the plugin imported the shop's history itself
    assert CRMOrder.objects.count() == 2
    # and the storefront gets recommendations of products that exist in Saleor
    _, also = post(ALSO_BOUGHT, {"channel": CHANNEL_SLUG, "product": graphene.Node.to_global_id("Product", shop.pk)})
    recommended = [product_pk(r["productId"]) for r in also["data"]["recommendations"]]
    assert recommended and shop.pk not in recommended
    assert Product.objects.filter(pk__in=recommended).count() == len(recommended)
