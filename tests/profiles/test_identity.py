import pytest

from saleor_crm_plugin.models import CRMCheckout, CRMEvent, CRMOrder, CustomerProfile
from tests.conftest import T0, days

pytestmark = pytest.mark.django_db


def test_guest_checkout_then_account_with_same_email_is_one_profile(events, ingest):
    # given: a guest buys, then registers with the same address (any case)
    ingest(
        events.checkout(token="g-chk", email="ann@example.com"),
        events.order(order_id="guest-order", email="ann@example.com", checkout_token="g-chk"),
    )
    guest = CustomerProfile.objects.get()
    assert guest.user_id is None

    # when
    ingest(events.customer(user_id=42, email="ANN@example.com", at=T0 + days(1)))
    ingest(events.order(order_id="account-order", user_id=42, email="ann@example.com", at=T0 + days(2)))

    # then
    profile = CustomerProfile.objects.get()
    assert (profile.pk, profile.user_id, profile.email) == (guest.pk, 42, "ann@example.com")
    assert profile.order_count == 2 and profile.first_name == "Ann"
    assert set(CRMOrder.objects.values_list("profile_id", flat=True)) == {profile.pk}


def test_guest_profile_merges_into_an_existing_account_profile(events, ingest):
    # given: an account known by id only, and a guest history under an email
    ingest(events.order(order_id="by-account", user_id=7, email=None))
    ingest(
        events.checkout(token="c", email="bo@example.com", at=T0 + days(1)),
        events.order(order_id="as-guest", email="bo@example.com", at=T0 + days(1)),
    )
    assert CustomerProfile.objects.count() == 2

    # when: an event ties the account to that email
    ingest(events.customer("customer.updated", user_id=7, email="bo@example.com", at=T0 + days(2)))

    # then
    profile = CustomerProfile.objects.get()
    assert (profile.user_id, profile.email, profile.order_count) == (7, "bo@example.com", 2)
    assert CRMCheckout.objects.get().profile_id == profile.pk
    assert set(CRMEvent.objects.values_list("profile_id", flat=True)) == {profile.pk}


def test_account_email_change_follows_the_newest_account_event(events, ingest):
    ingest(events.customer(user_id=3, email="old@example.com", at=T0 + days(5)))
    ingest(events.customer("customer.updated", user_id=3, email="new@example.com", at=T0 + days(9)))
    ingest(events.customer("customer.updated", user_id=3, email="old@example.com", at=T0 + days(5)))
    profile = CustomerProfile.objects.get()
    assert profile.email == "new@example.com"


def test_anonymous_checkout_attaches_once_it_gets_an_email(events, ingest):
    ingest(events.checkout(token="t", at=T0))
    assert CRMCheckout.objects.get().profile_id is None
    ingest(events.checkout("checkout.updated", token="t", email="cy@example.com", at=T0 + days(1) / 24))
    profile = CustomerProfile.objects.get(email="cy@example.com")
    assert CRMCheckout.objects.get().profile_id == profile.pk
    assert profile.abandoned_checkouts == 1  # idle for far longer than the delay
