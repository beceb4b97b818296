import pytest

from saleor_crm_plugin.models import CRMCheckout, CRMEvent, CRMOrder, CustomerProfile, DirtyProfile
from saleor_crm_plugin.campaigns.consent import consents_of, set_consent
from saleor_crm_plugin.models import ChannelConsent
from saleor_crm_plugin.profiles.metrics import recompute_marked
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


def test_consent_of_a_new_account_claims_the_guest_profile_of_its_email(events, ingest):
    # given: a guest's order
    ingest(events.order(order_id="as-guest", email="dee@example.com"))
    guest = CustomerProfile.objects.get()
    # when: the account (same address, any case) records consent before any account event
    consent = set_consent("subscribed", "default-channel", "storefront", user_id=9, email="Dee@Example.com")
    # then: the guest profile is theirs, as the fold would have decided
    profile = CustomerProfile.objects.get(pk=consent.profile_id)
    assert (profile.pk, profile.user_id, profile.email, consent.state) == (guest.pk, 9, "dee@example.com",
                                                                          "subscribed")
    assert profile.order_count == 1 and CustomerProfile.objects.count() == 1
    ingest(events.order(order_id="as-account", user_id=9, email="dee@example.com", at=T0 + days(1)))
    assert CustomerProfile.objects.get().order_count == 2


def test_consent_merges_a_guest_history_into_the_account_and_queues_a_recompute(events, ingest):
    # given: the account known by id only, and a guest history under its address
    ingest(events.order(order_id="by-account", user_id=7, email=None))
    ingest(events.order(order_id="as-guest", email="bo@example.com", at=T0 + days(1)))
    account = CustomerProfile.objects.get(user_id=7)
    # when
    set_consent("unsubscribed", "default-channel", "storefront", user_id=7, email="bo@example.com")
    # then
    assert list(DirtyProfile.objects.values_list("profile_id", flat=True)) == [account.pk]
    recompute_marked()
    profile = CustomerProfile.objects.get()
    assert (profile.pk, profile.email, profile.order_count) == (account.pk, "bo@example.com", 2)
    assert [c.state for c in consents_of(profile.pk)] == ["unsubscribed"]


def test_consent_of_an_account_whose_email_another_account_holds_keeps_its_own_profile(events, ingest):
    # given
    ingest(events.customer(user_id=1, email="shared@example.com"))
    # when
    consent = set_consent("subscribed", "default-channel", "storefront", user_id=2, email="shared@example.com")
    # then: as in the fold, a profile without the address; the other account keeps it
    profile = CustomerProfile.objects.get(pk=consent.profile_id)
    assert (profile.user_id, profile.email, consent.state) == (2, None, "subscribed")
    assert CustomerProfile.objects.get(user_id=1).email == "shared@example.com"
