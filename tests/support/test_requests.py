"""Storefront feedback: who may write, about which order, bounded input, and one thread per request."""

import pytest

from saleor_crm_plugin.errors import CRMError
from saleor_crm_plugin.models import CustomerProfile
from saleor_crm_plugin.models.support import ServiceMessage, ServiceRequest
from saleor_crm_plugin.profiles.privacy import erase_customer
from saleor_crm_plugin.support.replies import close
from saleor_crm_plugin.support.requests import NO_MATCH, feedback, open_request
from tests.support.conftest import ANN, GUEST

pytestmark = pytest.mark.django_db


def test_a_signed_in_customer_asks_in_general_and_about_an_order(shop):
    # when
    general = feedback(body="  Do you ship to Norway?  ", user_id=ANN["user_id"], account_email=ANN["email"],
                       channel="default-channel")
    about = feedback(body="Scratched", kind="complaint", user_id=ANN["user_id"], account_email=ANN["email"],
                     order_number=shop["ann-2"].number)
    # then
    ann = CustomerProfile.objects.get(user_id=ANN["user_id"])
    assert (general.profile_id, general.kind, general.order_id, general.subject, general.channel) == (
        ann.pk, "question", "", "Question", "default-channel")
    assert (about.kind, about.order_id, about.subject, about.channel) == (
        "complaint", "ann-2", f"Complaint about order {shop['ann-2'].number}", "default-channel")
    assert ServiceMessage.objects.get(request=general).body == "Do you ship to Norway?"


def test_a_guest_proves_an_order_with_its_email_and_number(shop):
    request = feedback(body="Wrong tape", email=" GUS@example.com ", order_number=shop["gus-1"].number)
    assert (request.order_id, request.email, request.profile.email) == ("gus-1", GUEST, GUEST)


@pytest.mark.parametrize("email, number", [
    (GUEST, "ann-order"),  # placeholder replaced below: another customer's order
    ("nobody@example.com", "gus-order"),  # an order that exists, with another address
    (GUEST, "99999"),  # an order that does not exist
])
def test_a_guest_with_a_wrong_pair_learns_nothing(shop, email, number):
    number = {"ann-order": shop["ann-1"].number, "gus-order": shop["gus-1"].number}.get(number, number)
    with pytest.raises(CRMError) as error:
        feedback(body="Hello", email=email, order_number=number)
    assert (error.value.code_value, error.value.field, error.value.message) == (
        "order_not_found", "orderNumber", NO_MATCH)
    assert not ServiceRequest.objects.exists()


def test_a_signed_in_customer_may_only_name_their_own_order(shop):
    with pytest.raises(CRMError) as error:
        feedback(body="Hello", user_id=ANN["user_id"], account_email=ANN["email"], order_number=shop["gus-1"].number)
    assert error.value.code_value == "order_not_found"


@pytest.mark.parametrize("changes, code, field", [
    ({"body": ""}, "required", "body"),
    ({"body": "   "}, "required", "body"),
    ({"body": "x" * 5001}, "too_long", "body"),
    ({"body": "a\x00b"}, "invalid", "body"),
    ({"body": 7}, "invalid", "body"),
    ({"subject": "s" * 201}, "too_long", "subject"),
    ({"kind": "low_score"}, "invalid_kind", "kind"),
    ({"kind": "praise"}, "invalid_kind", "kind"),
    ({"channel": "no spaces"}, "invalid_channel", "channel"),
    ({"email": "not-an-address"}, "invalid_email", "email"),
    ({"email": None}, "invalid_email", "email"),
    ({"order_number": None}, "required", "orderNumber"),
    ({"order_number": "9" * 65}, "too_long", "orderNumber"),
])
def test_bad_input_is_refused_with_a_code(shop, changes, code, field):
    data = {"body": "Hello", "email": GUEST, "order_number": shop["gus-1"].number, **changes}
    with pytest.raises(CRMError) as error:
        feedback(**data)
    assert (error.value.code_value, error.value.field) == (code, field)
    assert not ServiceRequest.objects.exists()


def test_a_second_message_about_the_same_order_joins_the_thread_and_reopens_it(shop):
    # given: an answered request (as a reply leaves it)
    first = feedback(body="Where is it?", email=GUEST, order_number=shop["gus-1"].number)
    ServiceRequest.objects.filter(pk=first.pk).update(status="answered")
    # when
    second = feedback(body="Still waiting", email=GUEST, order_number=shop["gus-1"].number)
    # then
    assert second.pk == first.pk and second.status == "open"
    assert [m.body for m in ServiceMessage.objects.filter(request=first).order_by("pk")] == [
        "Where is it?", "Still waiting"]
    # and: by id, too; a closed request takes no more messages, a new message about its order opens a new one
    feedback(body="By id", user_id=ANN["user_id"], account_email=ANN["email"])
    close(first.pk)
    with pytest.raises(CRMError) as error:
        feedback(body="Again", email=GUEST, order_number=shop["gus-1"].number, request_id=first.pk)
    assert error.value.code_value == "invalid_state"
    third = feedback(body="New problem", email=GUEST, order_number=shop["gus-1"].number)
    assert third.pk != first.pk


def test_a_customer_cannot_write_into_someone_elses_request(shop):
    theirs = feedback(body="Mine", email=GUEST, order_number=shop["gus-1"].number)
    with pytest.raises(CRMError) as error:
        feedback(body="Hijack", user_id=ANN["user_id"], account_email=ANN["email"], request_id=theirs.pk)
    assert error.value.code_value == "not_found"
    assert ServiceMessage.objects.filter(request=theirs).count() == 1


def test_an_erased_customer_cannot_write(shop):
    erase_customer(user_id=ANN["user_id"])
    with pytest.raises(CRMError) as error:
        feedback(body="Hello", user_id=ANN["user_id"], account_email=ANN["email"])
    assert error.value.code_value == "not_found"


def test_open_request_for_automations(shop):
    ann = CustomerProfile.objects.get(user_id=ANN["user_id"])
    request = open_request(ann.pk, kind="complaint", body="Called the shop", order_id="ann-1")
    assert (request.order_number, request.email, request.channel) == (
        shop["ann-1"].number, ANN["email"], "default-channel")
    with pytest.raises(CRMError) as error:
        open_request(ann.pk + 100, kind="question", body="x")
    assert error.value.code_value == "not_found"


def test_a_guests_requests_and_answers_move_with_them_into_their_account(events, ingest):
    from saleor_crm_plugin.support.surveys import answer, survey_token
    from tests.conftest import T0, days

    # given: an account with another address, and a guest who wrote and answered a survey
    ingest(events.customer(user_id=7, email="old@example.com"),
           events.order(order_id="g-1", email="new@example.com", at=T0 + days(1)))
    guest = CustomerProfile.objects.get(email="new@example.com")
    request = feedback(body="Hello", email="new@example.com", order_number="1")
    answer(survey_token(guest.pk, "g-1", "", "csat"), 5)
    # when: the account takes the guest's address (the fold merges the guest into it)
    ingest(events.customer("customer.updated", user_id=7, email="new@example.com", at=T0 + days(2)))
    # then
    account = CustomerProfile.objects.get(user_id=7)
    assert not CustomerProfile.objects.filter(pk=guest.pk).exists()
    assert ServiceRequest.objects.get(pk=request.pk).profile_id == account.pk
    assert account.survey_responses.get().score == 5
