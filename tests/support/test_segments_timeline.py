"""Satisfaction in segment rules, and service requests and survey answers on the customer's timeline."""

from datetime import datetime, timezone

import pytest

from saleor_crm_plugin.errors import CRMError
from saleor_crm_plugin.models import CustomerProfile
from saleor_crm_plugin.models.support import SurveyResponse
from saleor_crm_plugin.profiles.timeline import timeline
from saleor_crm_plugin.segments.membership import preview
from saleor_crm_plugin.support.replies import close
from saleor_crm_plugin.support.requests import feedback
from saleor_crm_plugin.support.surveys import answer, survey_token
from tests.support.conftest import ANN, GUEST

pytestmark = pytest.mark.django_db


def rate(profile_id: int, kind: str, score: int, key: str, at: datetime | None = None):
    response = answer(survey_token(profile_id, "", "", kind, key=key), score)
    if at is not None:
        SurveyResponse.objects.filter(pk=response.pk).update(answered_at=at)


def test_segment_rules_on_the_latest_csat_and_nps_group(shop):
    # given: Ann's CSAT went from 2 to 5 and her NPS is 10 (a promoter); Gus's NPS 9 then 4; a third answered none
    ann, gus = CustomerProfile.objects.get(user_id=ANN["user_id"]).pk, CustomerProfile.objects.get(email=GUEST).pk
    rate(ann, "csat", 2, "a1", datetime(2026, 1, 1, tzinfo=timezone.utc))
    rate(ann, "csat", 5, "a2", datetime(2026, 2, 1, tzinfo=timezone.utc))
    rate(ann, "nps", 10, "a3")
    rate(gus, "nps", 9, "g1", datetime(2026, 1, 1, tzinfo=timezone.utc))
    rate(gus, "nps", 4, "g2", datetime(2026, 2, 1, tzinfo=timezone.utc))
    CustomerProfile.objects.create(email="quiet@example.com")

    def members(rule):
        return set(preview(rule)["sample"])

    # then
    assert members({"field": "csat_latest", "op": "gte", "value": 4}) == {ann}
    assert members({"field": "csat_latest", "op": "lte", "value": 2}) == set()  # her latest is 5
    assert members({"not": {"field": "csat_latest", "op": "lte", "value": 2}}) >= {ann, gus}
    assert members({"field": "nps_group", "op": "eq", "value": "promoter"}) == {ann}
    assert members({"field": "nps_group", "op": "in", "value": ["detractor", "passive"]}) == {gus}
    assert members({"field": "nps_group", "op": "ne", "value": "promoter"}) == {gus}  # only those who answered
    quiet = CustomerProfile.objects.get(email="quiet@example.com").pk
    assert quiet in members({"field": "nps_group", "op": "is_empty"}) and ann not in members(
        {"field": "nps_group", "op": "is_empty"})
    for rule, path in [({"field": "nps_group", "op": "eq", "value": "fan"}, "value"),
                       ({"field": "nps_group", "op": "in", "value": []}, "value"),
                       ({"field": "nps_group", "op": "gt", "value": "promoter"}, "op"),
                       ({"field": "csat_latest", "op": "gte", "value": "4"}, "value")]:
        with pytest.raises(CRMError) as error:
            preview(rule)
        assert error.value.field == path, rule


def test_the_timeline_shows_requests_replies_and_answers(shop):
    ann = CustomerProfile.objects.get(user_id=ANN["user_id"])
    request = feedback(body="Where is my record?\nIt has been a week.", subject="Late", user_id=ANN["user_id"],
                       account_email=ANN["email"])
    feedback(body="Any news?", user_id=ANN["user_id"], account_email=ANN["email"], request_id=request.pk)
    close(request.pk)
    rate(ann.pk, "nps", 3, "n1")
    # when
    entries = timeline(ann, limit=50)
    # then: newest first, with the request's opening, the second message and the answer (which opened a request)
    support = [(e["kind"], e["text"]) for e in entries if e["kind"].startswith(("support", "survey"))]
    assert ("survey.nps", "Rated NPS 3 of 10") in support[:2]  # with the request it opened
    assert ("support.inbound", f"Wrote on #{request.pk}: Any news?") in support
    assert ("support.inbound", f"Opened question #{request.pk} \u201cLate\u201d: Where is my record? It has been a week.") \
        in support
    assert any(text.startswith("Opened low score #") for kind, text in support)
    assert [e["at"] for e in entries] == sorted((e["at"] for e in entries), reverse=True)
