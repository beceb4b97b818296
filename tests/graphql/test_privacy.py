"""Staff: erase and export a customer over HTTP; consent after erasure creates nothing personal."""

import json

import pytest

from saleor_crm_plugin.models import CustomerProfile
from tests.graphql.conftest import error_codes, gid, operation, staff_token, token
from tests.profiles.people import two_customers  # noqa: F401 - fixture
from tests.profiles.people import BORIS, OKSANA, scan

pytestmark = pytest.mark.django_db

ERASE = operation("staff/customer-erase")
EXPORT = operation("staff/customer-export")
STAFF_CONSENT = operation("staff/marketing-consent")
OWN_CONSENT = operation("storefront/marketing-consent")


@pytest.mark.parametrize("by", ["user", "crm", "email"])
def test_staff_erase_a_customer(gql, two_customers, by):
    # given
    oksana, boris = two_customers
    variables = {"user": {"customer": gid("User", OKSANA.user_id)}, "crm": {"customer": gid("CRMCustomer", oksana)},
                 "email": {"email": OKSANA.email.upper()}}[by]
    # when
    status, body = gql(ERASE, variables, bearer=staff_token())
    # then
    assert status == 200 and "errors" not in body, body
    assert body["data"]["crmCustomerErase"] == {"erasedCustomerIds": [gid("CRMCustomer", oksana)], "errors": []}
    assert scan(OKSANA) == {}
    assert CustomerProfile.objects.get(pk=boris).email == BORIS.email and scan(BORIS)


@pytest.mark.parametrize("bearer, code", [
    (lambda: token(user_id=OKSANA.user_id), "permission_denied"),
    (lambda: token(user_id=1, staff=True, permissions=["MANAGE_ORDERS"]), "permission_denied"),
    (lambda: None, "unauthenticated"),
])
def test_only_staff_may_erase_or_export(gql, two_customers, bearer, code):
    # when
    _, erased = gql(ERASE, {"customer": gid("User", OKSANA.user_id)}, bearer=bearer())
    _, exported = gql(EXPORT, {"id": gid("User", OKSANA.user_id)}, bearer=bearer())
    # then
    assert error_codes(erased) == [code] and erased["data"]["crmCustomerErase"] is None
    assert error_codes(exported) == [code] and exported["data"] is None
    assert scan(OKSANA)["crm_customer_profile"] >= {"email", "user_id"}


@pytest.mark.parametrize("variables, field, code", [
    ({"email": "nobody@example.com"}, "email", "NOT_FOUND"),
    ({"customer": gid("User", 5)}, "customer", "NOT_FOUND"),
    ({"customer": gid("CRMCustomer", 999999)}, "customer", "NOT_FOUND"),
    ({"customer": "zzz"}, "customer", "INVALID_ID"),
    ({"customer": gid("Product", 1)}, "customer", "INVALID_ID"),
    ({}, "customer", "REQUIRED"),
    ({"customer": gid("User", OKSANA.user_id), "email": OKSANA.email}, "customer", "REQUIRED"),
])
def test_erase_errors_come_back_in_the_payload(gql, two_customers, variables, field, code):
    # when
    _, body = gql(ERASE, variables, bearer=staff_token())
    # then
    result = body["data"]["crmCustomerErase"]
    assert [(e["field"], e["code"]) for e in result["errors"]] == [(field, code)]
    assert result["erasedCustomerIds"] is None
    assert not CustomerProfile.objects.filter(erased_at__isnull=False).exists()


def test_an_erased_customer_is_not_found_again(gql, two_customers):
    gql(ERASE, {"customer": gid("User", OKSANA.user_id)}, bearer=staff_token())
    _, again = gql(ERASE, {"customer": gid("User", OKSANA.user_id)}, bearer=staff_token())
    _, exported = gql(EXPORT, {"email": OKSANA.email}, bearer=staff_token())
    assert again["data"]["crmCustomerErase"]["errors"][0]["code"] == "NOT_FOUND"
    assert error_codes(exported) == ["not_found"] and exported["errors"][0]["extensions"]["field"] == "email"


@pytest.mark.parametrize("by", ["user", "crm", "email"])
def test_staff_export_a_customer_as_json(gql, two_customers, by):
    # given
    oksana, _ = two_customers
    variables = {"user": {"id": gid("User", OKSANA.user_id)}, "crm": {"id": gid("CRMCustomer", oksana)},
                 "email": {"email": OKSANA.email}}[by]
    # when
    _, body = gql(EXPORT, variables, bearer=staff_token())
    # then
    assert "errors" not in body, body
    exported = json.loads(body["data"]["crmCustomerExport"])
    (profile,) = exported["profiles"]
    assert set(profile) == {"profile", "consent", "consent_history", "deliveries", "suppressed", "spend", "orders",
                            "checkouts", "events", "notes", "analytics", "propensity", "segments", "service_requests",
                            "survey_responses", "automation_runs"}
    assert profile["profile"]["email"] == OKSANA.email and len(profile["orders"]) == 3
    assert len(exported["other_events"]) == 2
    assert BORIS.email not in body["data"]["crmCustomerExport"]


@pytest.mark.parametrize("variables, field, code", [
    ({"email": "nobody@example.com"}, "email", "not_found"),
    ({"id": gid("User", 5)}, "id", "not_found"),
    ({"id": "zzz"}, "id", "invalid_id"),
    ({"id": gid("Order", 1)}, "id", "invalid_id"),
    ({}, "id", "required"),
])
def test_export_errors_have_codes(gql, two_customers, variables, field, code):
    _, body = gql(EXPORT, variables, bearer=staff_token())
    assert error_codes(body) == [code] and body["errors"][0]["extensions"]["field"] == field


def test_consent_after_erasure_creates_nothing_personal(gql, two_customers):
    # given
    gql(ERASE, {"email": OKSANA.email}, bearer=staff_token())
    profiles = CustomerProfile.objects.count()
    # when: her token (still valid) and staff naming her Saleor user
    _, own = gql(OWN_CONSENT, {"channel": "web", "state": "SUBSCRIBED"},
                 bearer=token(user_id=OKSANA.user_id, email=OKSANA.email))
    _, staff = gql(STAFF_CONSENT, {"customerId": gid("User", OKSANA.user_id), "channel": "web", "state": "SUBSCRIBED"},
                   bearer=staff_token())
    # then
    assert own["data"]["crmMarketingConsentUpdate"]["errors"][0]["code"] == "NOT_FOUND"
    assert own["data"]["crmMarketingConsentUpdate"]["consent"] is None
    assert staff["data"]["crmMarketingConsentUpdate"]["errors"][0]["code"] == "NOT_FOUND"
    assert CustomerProfile.objects.count() == profiles
    assert scan(OKSANA) == {}
