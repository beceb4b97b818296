"""Staff API for the suppression list and a draft campaign's audience: each over HTTP, who may call, bad input."""

import pytest

from saleor_crm_plugin.campaigns.consent import set_consent
from saleor_crm_plugin.campaigns.suppression import suppress
from saleor_crm_plugin.models import Campaign, CustomerProfile, Delivery, Suppression
from tests.graphql.conftest import error_codes, gid, operation, staff_token, token

pytestmark = pytest.mark.django_db

SUPPRESSIONS = operation("staff/suppressions")
ADD = operation("staff/suppression-add")
REMOVE = operation("staff/suppression-remove")
AUDIENCE = operation("staff/campaign-audience")


def data(body, name):
    assert "errors" not in body, body
    return body["data"][name]


def test_staff_add_list_and_remove_a_manual_suppression(gql):
    # given: a complaint already on the list
    suppress("angry@example.com", "complaint", "Postmark: complained")
    # when
    _, added = gql(ADD, {"email": " Phone@Example.com ", "note": "asked on the phone"}, bearer=staff_token())
    _, listed = gql(SUPPRESSIONS, {"first": 10}, bearer=staff_token())
    _, only = gql(SUPPRESSIONS, {"first": 10, "email": "PHONE@example.com"}, bearer=staff_token())
    _, removed = gql(REMOVE, {"email": "phone@example.com"}, bearer=staff_token())
    _, again = gql(REMOVE, {"email": "phone@example.com"}, bearer=staff_token())
    _, refused = gql(REMOVE, {"email": "angry@example.com"}, bearer=staff_token())
    # then
    suppression = data(added, "crmSuppressionAdd")["suppression"]
    assert (suppression["email"], suppression["reason"]) == ("phone@example.com", "MANUAL")
    assert suppression["detail"] == "asked on the phone (by staff@example.com)"
    assert [e["node"]["email"] for e in data(listed, "crmSuppressions")["edges"]] == [
        "phone@example.com", "angry@example.com"]
    assert data(only, "crmSuppressions")["totalCount"] == 1
    assert (data(removed, "crmSuppressionRemove")["removed"], data(again, "crmSuppressionRemove")["removed"]) == (
        True, False)
    assert [(e["code"], e["field"]) for e in data(refused, "crmSuppressionRemove")["errors"]] == [
        ("INVALID_STATE", "email")]
    assert list(Suppression.objects.values_list("email", flat=True)) == ["angry@example.com"]


@pytest.mark.parametrize(("variables", "code", "field"), [
    ({"email": "not an address"}, "INVALID_EMAIL", "email"),
    ({"email": ""}, "INVALID_EMAIL", "email"),
    ({"email": "a" * 300 + "@example.com"}, "INVALID_EMAIL", "email"),
    ({"email": "ok@example.com", "note": "x" * 2001}, "INVALID", "note"),
])
def test_a_bad_suppression_gets_its_code_and_writes_nothing(gql, variables, code, field):
    _, body = gql(ADD, variables, bearer=staff_token())
    assert [(e["code"], e["field"]) for e in data(body, "crmSuppressionAdd")["errors"]] == [(code, field)]
    assert not Suppression.objects.exists()


@pytest.mark.parametrize("bearer", [None, "shopper"])
def test_only_staff_see_or_change_the_list(gql, bearer):
    suppress("kept@example.com", "manual")
    headers = token(user_id=5, email="shopper@example.com") if bearer else None
    for query, variables in ((SUPPRESSIONS, {"first": 5}), (ADD, {"email": "x@example.com"}),
                             (REMOVE, {"email": "kept@example.com"})):
        _, body = gql(query, variables, bearer=headers)
        assert error_codes(body) == (["permission_denied"] if bearer else ["unauthenticated"])
    assert list(Suppression.objects.values_list("email", flat=True)) == ["kept@example.com"]


def test_a_draft_shows_who_would_get_it_and_writes_nothing(gql, template, segments):
    # given: three customers in the segment: one subscribed, one suppressed, one never asked
    from saleor_crm_plugin.segments.membership import save_segment

    people = [CustomerProfile.objects.create(email=f"p{i}@example.com") for i in range(3)]
    for person in people[:2]:
        set_consent("subscribed", "web", "import", profile_id=person.pk)
    suppress("p1@example.com", "hard_bounce")
    everyone = save_segment(name="Everyone", rules={"field": "order_count", "op": "gte", "value": 0})
    campaign = Campaign.objects.create(name="Draft", template=template, channel="web", segment_ids=[everyone.pk])
    # when
    _, body = gql(AUDIENCE, {"id": gid("CRMCampaign", campaign.pk)}, bearer=staff_token())
    # then
    audience = data(body, "crmCampaign")["audience"]
    assert audience == {"recipients": 1, "skippedByReason": [{"reason": "NO_CONSENT", "count": 1},
                                                             {"reason": "SUPPRESSED", "count": 1}]}
    assert not Delivery.objects.exists() and Campaign.objects.get(pk=campaign.pk).state == "draft"
    Campaign.objects.filter(pk=campaign.pk).update(state="sent")
    _, sent = gql(AUDIENCE, {"id": gid("CRMCampaign", campaign.pk)}, bearer=staff_token())
    assert data(sent, "crmCampaign")["audience"] is None
