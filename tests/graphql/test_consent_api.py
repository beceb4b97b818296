"""Consent over the API: storefront subscribe and confirm, a customer's consents and their history for staff."""

import time

import pytest
from django.core import signing
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saleor_crm_plugin.campaigns.consent import pending_confirmation_token
from saleor_crm_plugin.models import ChannelConsent, ConsentRecord, CustomerProfile, PendingSubscription
from tests.graphql.conftest import data_queries, error_codes, gid, operation, staff_token, token

pytestmark = pytest.mark.django_db

SUBSCRIBE = operation("storefront/marketing-subscribe")
CONFIRM = operation("storefront/marketing-confirm")
STAFF_CONSENT = operation("staff/marketing-consent")
HISTORY = """query($id: ID!, $first: Int) { crmCustomer(id: $id) {
  consents { channel state source } consentHistory(first: $first) { channel state source detail } } }"""


@pytest.fixture
def double_opt_in(settings, shop_channels):
    settings.SALEOR_CRM = {**settings.SALEOR_CRM, "double_opt_in": 1, "confirmation_link_hours": 48}


@pytest.fixture
def single_opt_in(settings, shop_channels):
    settings.SALEOR_CRM = {**settings.SALEOR_CRM, "double_opt_in": 0}


def subscribed(body) -> dict:
    assert "errors" not in body, body
    return body["data"]["crmMarketingSubscribe"]


def consent_of(email, channel="web"):
    return ChannelConsent.objects.filter(profile__email=email, channel=channel).values_list("state", flat=True).first()


def old_token(payload: dict, hours: int) -> str:
    """A genuinely signed confirmation token made ``hours`` ago."""

    class Earlier(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - hours * 3600)

    return Earlier(salt="saleor_crm_plugin.confirm").sign_object(payload, serializer=signing.JSONSerializer)


def test_an_anonymous_subscription_is_pending_until_confirmed(gql, double_opt_in):
    # when a visitor types an address
    _, body = gql(SUBSCRIBE, {"channel": "web", "email": " New@Example.com "})
    # then nothing but the request is stored: no customer, no consent, until the link is opened
    assert subscribed(body) == {"channel": "web", "state": "PENDING", "errors": []}
    pending = PendingSubscription.objects.get()
    assert (pending.email, pending.channel, pending.confirmed_at) == ("new@example.com", "web", None)
    assert not CustomerProfile.objects.exists() and not ConsentRecord.objects.exists()
    # when the confirmation link is opened, twice
    _, confirmed = gql(CONFIRM, {"token": pending_confirmation_token(pending)})
    _, again = gql(CONFIRM, {"token": pending_confirmation_token(pending)})
    # then the customer exists, subscribed, with the request and its confirmation on record
    assert confirmed["data"]["crmMarketingConfirm"] == {"channel": "web", "state": "SUBSCRIBED", "errors": []}
    assert again["data"]["crmMarketingConfirm"]["state"] == "SUBSCRIBED"  # a second click is harmless
    assert consent_of("new@example.com") == "subscribed"
    history = list(ConsentRecord.objects.order_by("at", "pk").values_list("state", "source", "at"))
    assert [(state, source) for state, source, _ in history] == [("pending", "storefront"),
                                                                 ("subscribed", "confirmation_link")]
    assert history[0][2] == pending.requested_at


def test_without_double_opt_in_a_subscription_takes_effect_at_once(gql, single_opt_in):
    _, body = gql(SUBSCRIBE, {"channel": "web", "email": "new@example.com"})
    assert subscribed(body)["state"] == "SUBSCRIBED" and consent_of("new@example.com") == "subscribed"


def test_the_answer_never_tells_whether_an_address_was_known(gql, record_shop, double_opt_in):
    # given: a known customer already subscribed
    gql(STAFF_CONSENT, {"customerId": gid("User", 100), "channel": "web", "state": "SUBSCRIBED"},
        bearer=staff_token())
    # when: someone types their address, and a new one
    _, known = gql(SUBSCRIBE, {"channel": "web", "email": "jazz0@example.com"})
    _, unknown = gql(SUBSCRIBE, {"channel": "web", "email": "stranger@example.com"})
    # then
    assert subscribed(known) == subscribed(unknown) == {"channel": "web", "state": "PENDING", "errors": []}
    assert consent_of("jazz0@example.com") == "subscribed"
    assert list(PendingSubscription.objects.values_list("email", flat=True)) == ["stranger@example.com"]


def test_a_signed_in_customer_subscribes_their_own_account_without_an_email(gql, record_shop, single_opt_in):
    # when
    _, own = gql(SUBSCRIBE, {"channel": "web"}, bearer=token(user_id=100, email="jazz0@example.com"))
    _, other = gql(SUBSCRIBE, {"channel": "web", "email": "friend@example.com"},
                   bearer=token(user_id=100, email="jazz0@example.com"))
    # then
    assert subscribed(own)["state"] == "SUBSCRIBED"
    assert ChannelConsent.objects.get(profile__user_id=100).state == "subscribed"
    assert subscribed(other)["state"] == "SUBSCRIBED"
    # another address never joins the signed-in account
    assert CustomerProfile.objects.get(email="friend@example.com").user_id is None


@pytest.mark.parametrize("variables, code, field", [
    ({"channel": "web"}, "INVALID_EMAIL", "email"),
    ({"channel": "web", "email": "not-an-address"}, "INVALID_EMAIL", "email"),
    ({"channel": "web", "email": "a" * 250 + "@example.com"}, "INVALID_EMAIL", "email"),
    ({"channel": "web shop", "email": "new@example.com"}, "INVALID_CHANNEL", "channel"),
    ({"channel": "c" * 10_000, "email": "new@example.com"}, "INVALID_CHANNEL", "channel"),
    ({"channel": "invented-channel", "email": "new@example.com"}, "INVALID_CHANNEL", "channel"),
])
def test_a_bad_subscription_gets_its_code_and_stores_nothing(gql, double_opt_in, variables, code, field):
    _, body = gql(SUBSCRIBE, variables)
    assert [(e["code"], e["field"]) for e in subscribed(body)["errors"]] == [(code, field)]
    assert not CustomerProfile.objects.exists() and not ConsentRecord.objects.exists()
    assert not PendingSubscription.objects.exists()


def test_forged_and_expired_confirmation_tokens_are_refused(gql, double_opt_in):
    # given
    gql(SUBSCRIBE, {"channel": "web", "email": "new@example.com"})
    pending = PendingSubscription.objects.get()
    payload = {"s": pending.pk, "c": "web"}
    valid = pending_confirmation_token(pending)
    forged = signing.dumps(payload, salt="saleor_crm_plugin.unsubscribe")  # another purpose
    tampered = valid[:-2] + ("AA" if not valid.endswith("AA") else "BB")
    # when
    results = {name: gql(CONFIRM, {"token": value})[1]["data"]["crmMarketingConfirm"] for name, value in [
        ("forged", forged), ("tampered", tampered), ("expired", old_token(payload, hours=49)),
        ("other channel", signing.dumps({**payload, "c": "outlet"}, salt="saleor_crm_plugin.confirm")),
        ("too long", "x" * 5000), ("empty", "")]}
    # then
    assert {name: [(e["code"], e["field"]) for e in result["errors"]] for name, result in results.items()} == {
        "forged": [("INVALID_TOKEN", "token")], "tampered": [("INVALID_TOKEN", "token")],
        "expired": [("TOKEN_EXPIRED", "token")], "other channel": [("INVALID_TOKEN", "token")],
        "too long": [("INVALID_TOKEN", "token")], "empty": [("INVALID_TOKEN", "token")]}
    assert not CustomerProfile.objects.exists() and not ConsentRecord.objects.exists()
    # a token made 47 hours ago still works
    _, late = gql(CONFIRM, {"token": old_token(payload, hours=47)})
    assert late["data"]["crmMarketingConfirm"]["state"] == "SUBSCRIBED"


def test_staff_see_a_customers_consents_and_their_history_newest_first(gql, record_shop):
    # given
    customer = gid("User", 100)
    for channel, state in [("web", "SUBSCRIBED"), ("outlet", "SUBSCRIBED"), ("web", "UNSUBSCRIBED")]:
        gql(STAFF_CONSENT, {"customerId": customer, "channel": channel, "state": state}, bearer=staff_token())
    # when
    _, body = gql(HISTORY, {"id": customer, "first": 2}, bearer=staff_token())
    _, too_many = gql(HISTORY, {"id": customer, "first": 101}, bearer=staff_token())
    # then
    found = body["data"]["crmCustomer"]
    assert found["consents"] == [{"channel": "outlet", "state": "SUBSCRIBED", "source": "STAFF"},
                                 {"channel": "web", "state": "UNSUBSCRIBED", "source": "STAFF"}]
    assert [(r["channel"], r["state"]) for r in found["consentHistory"]] == [
        ("web", "UNSUBSCRIBED"), ("outlet", "SUBSCRIBED")]
    assert found["consentHistory"][0]["detail"] == '{"staff": "staff@example.com"}'
    assert error_codes(too_many) == ["out_of_range"]


def test_consents_of_a_page_of_customers_cost_one_query(gql, record_shop):
    # given: every customer subscribed in one channel
    for profile in CustomerProfile.objects.all():
        ChannelConsent.objects.create(profile=profile, channel="web", state="subscribed", source="staff")
    query = "query { crmCustomers(first: 50) { edges { node { email consents { channel state } } } } }"
    # when
    with CaptureQueriesContext(connection) as captured:
        _, body = gql(query, bearer=staff_token())
    # then: the page and its consents (besides the staff deadline's savepoint and settings)
    assert len(data_queries(captured)) == 2, data_queries(captured)
    edges = body["data"]["crmCustomers"]["edges"]
    assert len(edges) == 8 and all(e["node"]["consents"] == [{"channel": "web", "state": "SUBSCRIBED"}]
                                   for e in edges)
    assert sum("crm_channel_consent" in q["sql"] for q in captured.captured_queries) == 1
