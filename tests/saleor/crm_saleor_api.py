"""Saleor's public GraphQL API, driven the way a storefront and a staff user do.

Every step is a real Saleor mutation sent through Django's test client to
``/graphql/`` (Saleor's ``ApiClient`` fixture); nothing here writes Saleor's
tables directly.
"""

from decimal import Decimal

import graphene

from saleor.graphql.tests.utils import get_graphql_content

CRM_PLUGIN_ID = "saleor_crm_plugin.crm"
CHANNEL_SLUG = "main"  # settings.DEFAULT_CHANNEL_SLUG of Saleor's test settings
DUMMY_GATEWAY = "mirumee.payments.dummy"
STOREFRONT_URL = "https://www.example.com/account/confirm"  # in ALLOWED_CLIENT_HOSTS
PASSWORD = "correct-horse-battery-staple"

PLUGIN_QUERY = """
query CrmPlugin($id: ID!) {
  plugin(id: $id) {
    id
    name
    globalConfiguration { active }
  }
}
"""

PLUGIN_UPDATE_MUTATION = """
mutation ActivatePlugin($id: ID!, $input: PluginUpdateInput!) {
  pluginUpdate(id: $id, input: $input) {
    plugin { id globalConfiguration { active } }
    errors { field code message }
  }
}
"""

ACCOUNT_REGISTER_MUTATION = """
mutation Register($input: AccountRegisterInput!) {
  accountRegister(input: $input) {
    requiresConfirmation
    user { email }
    errors { field code message }
  }
}
"""

USER_QUERY = """
query UserByEmail($email: String!) {
  user(email: $email) { id email isConfirmed }
}
"""

CUSTOMER_UPDATE_MUTATION = """
mutation ConfirmCustomer($id: ID!, $input: CustomerInput!) {
  customerUpdate(id: $id, input: $input) {
    user { id isConfirmed }
    errors { field code message }
  }
}
"""

CUSTOMER_DELETE_MUTATION = """
mutation DeleteCustomer($id: ID!) {
  customerDelete(id: $id) {
    errors { field code message }
  }
}
"""

TOKEN_CREATE_MUTATION = """
mutation Login($email: String!, $password: String!) {
  tokenCreate(email: $email, password: $password) {
    token
    errors { field code message }
  }
}
"""

CHECKOUT_CREATE_MUTATION = """
mutation CreateCheckout($input: CheckoutCreateInput!) {
  checkoutCreate(input: $input) {
    checkout {
      id
      email
      user { email }
      totalPrice { gross { amount currency } }
    }
    errors { field code message }
  }
}
"""

CHECKOUT_SHIPPING_ADDRESS_UPDATE_MUTATION = """
mutation SetShippingAddress($id: ID!, $address: AddressInput!) {
  checkoutShippingAddressUpdate(id: $id, shippingAddress: $address) {
    checkout { id shippingMethods { id name } }
    errors { field code message }
  }
}
"""

CHECKOUT_BILLING_ADDRESS_UPDATE_MUTATION = """
mutation SetBillingAddress($id: ID!, $address: AddressInput!) {
  checkoutBillingAddressUpdate(id: $id, billingAddress: $address) {
    checkout { id }
    errors { field code message }
  }
}
"""

CHECKOUT_DELIVERY_METHOD_UPDATE_MUTATION = """
mutation SetDeliveryMethod($id: ID!, $deliveryMethodId: ID!) {
  checkoutDeliveryMethodUpdate(id: $id, deliveryMethodId: $deliveryMethodId) {
    checkout { id totalPrice { gross { amount currency } } }
    errors { field code message }
  }
}
"""

CHECKOUT_PAYMENT_CREATE_MUTATION = """
mutation Pay($id: ID!, $input: PaymentInput!) {
  checkoutPaymentCreate(id: $id, input: $input) {
    payment { id chargeStatus }
    errors { field code message }
  }
}
"""

CHECKOUT_COMPLETE_MUTATION = """
mutation Complete($id: ID!) {
  checkoutComplete(id: $id) {
    order {
      id
      number
      userEmail
      user { email }
      total { gross { amount currency } }
    }
    errors { field code message }
  }
}
"""

PRODUCT_UPDATE_MUTATION = """
mutation RenameProduct($id: ID!, $input: ProductInput!) {
  productUpdate(id: $id, input: $input) {
    product { id name }
    errors { field code message }
  }
}
"""


def _bearer(token):
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}


def execute(client, query, variables=None, token=None):
    """POST one operation; fail on GraphQL errors; return ``data``."""
    response = client.post_graphql(query, variables, **_bearer(token))
    assert response.status_code == 200, response.content
    return get_graphql_content(response)["data"]


def mutate(client, query, variables, field, token=None):
    """Run a mutation and fail on its ``errors`` list; return its payload."""
    payload = execute(client, query, variables, token)[field]
    assert payload["errors"] == [], payload["errors"]
    return payload


def us_address(first_name, last_name, street="1470 Pinewood Avenue"):
    return {
        "firstName": first_name,
        "lastName": last_name,
        "streetAddress1": street,
        "city": "Michigan",
        "postalCode": "49855",
        "country": "US",
        "countryArea": "MI",
    }


def variant_global_id(product):
    return graphene.Node.to_global_id("ProductVariant", product.variants.first().pk)


def product_global_id(product):
    return graphene.Node.to_global_id("Product", product.pk)


def activate_crm_plugin(staff_client):
    """Switch the CRM plugin on as a shop owner does: ``pluginUpdate``."""
    payload = mutate(
        staff_client,
        PLUGIN_UPDATE_MUTATION,
        {"id": CRM_PLUGIN_ID, "input": {"active": True}},
        "pluginUpdate",
    )
    assert payload["plugin"]["globalConfiguration"]["active"] is True
    return payload


def register_customer(
    api_client, staff_client, email, first_name, last_name, *, confirm=True
):
    """``accountRegister``; with ``confirm``, confirm the account through staff
    ``customerUpdate`` if the shop requires it; return the customer's global id."""
    payload = mutate(
        api_client,
        ACCOUNT_REGISTER_MUTATION,
        {
            "input": {
                "email": email,
                "password": PASSWORD,
                "firstName": first_name,
                "lastName": last_name,
                "redirectUrl": STOREFRONT_URL,
                "channel": CHANNEL_SLUG,
            }
        },
        "accountRegister",
    )
    user = execute(staff_client, USER_QUERY, {"email": email})["user"]
    assert user is not None, f"accountRegister did not create {email}"
    if confirm and payload["requiresConfirmation"] and not user["isConfirmed"]:
        mutate(
            staff_client,
            CUSTOMER_UPDATE_MUTATION,
            {"id": user["id"], "input": {"isConfirmed": True}},
            "customerUpdate",
        )
    return user["id"]


def log_in(api_client, email):
    return mutate(
        api_client,
        TOKEN_CREATE_MUTATION,
        {"email": email, "password": PASSWORD},
        "tokenCreate",
    )["token"]


def create_checkout(api_client, product, *more, email=None, token=None, quantity=2):
    """``checkoutCreate`` with ``quantity`` of each product's first variant."""
    checkout_input = {
        "channel": CHANNEL_SLUG,
        "lines": [{"variantId": variant_global_id(p), "quantity": quantity} for p in (product, *more)],
    }
    if email:
        checkout_input["email"] = email
    payload = mutate(
        api_client,
        CHECKOUT_CREATE_MUTATION,
        {"input": checkout_input},
        "checkoutCreate",
        token,
    )
    return payload["checkout"]


def complete_checkout(api_client, checkout_id, address, token=None):
    """Addresses, first delivery method, dummy payment, ``checkoutComplete``."""
    shipping = mutate(
        api_client,
        CHECKOUT_SHIPPING_ADDRESS_UPDATE_MUTATION,
        {"id": checkout_id, "address": address},
        "checkoutShippingAddressUpdate",
        token,
    )
    methods = shipping["checkout"]["shippingMethods"]
    assert methods, "no shipping method available for the test address"
    mutate(
        api_client,
        CHECKOUT_BILLING_ADDRESS_UPDATE_MUTATION,
        {"id": checkout_id, "address": address},
        "checkoutBillingAddressUpdate",
        token,
    )
    delivery = mutate(
        api_client,
        CHECKOUT_DELIVERY_METHOD_UPDATE_MUTATION,
        {"id": checkout_id, "deliveryMethodId": methods[0]["id"]},
        "checkoutDeliveryMethodUpdate",
        token,
    )
    total = delivery["checkout"]["totalPrice"]["gross"]
    mutate(
        api_client,
        CHECKOUT_PAYMENT_CREATE_MUTATION,
        {
            "id": checkout_id,
            "input": {
                "gateway": DUMMY_GATEWAY,
                "token": "fully_charged",
                "amount": total["amount"],
            },
        },
        "checkoutPaymentCreate",
        token,
    )
    order = mutate(
        api_client,
        CHECKOUT_COMPLETE_MUTATION,
        {"id": checkout_id},
        "checkoutComplete",
        token,
    )["order"]
    assert order is not None
    return order


def order_total(order):
    gross = order["total"]["gross"]
    return Decimal(str(gross["amount"])), gross["currency"]


def signed_in_customer(api_client, staff_client, email, first_name, last_name):
    """Register a new account and log it in; return its access token."""
    register_customer(api_client, staff_client, email, first_name, last_name)
    return log_in(api_client, email)


def registered_customer_order(api_client, staff_client, product, email, first_name, last_name):
    """A new account checks out ``product`` through the storefront; returns the order."""
    token = signed_in_customer(api_client, staff_client, email, first_name, last_name)
    checkout = create_checkout(api_client, product, token=token)
    return complete_checkout(api_client, checkout["id"], us_address(first_name, last_name), token)
