"""Staff GraphQL for analytics, segments and reports."""

import json

import pytest

from saleor_crm_plugin.models import Segment
from saleor_crm_plugin.profiles.scores import recompute_scores
from saleor_crm_plugin.segments.membership import refresh_all
from tests.graphql.conftest import error_codes, gid, operation, staff_token, token

pytestmark = pytest.mark.django_db


@pytest.fixture
def analysed(record_shop):
    recompute_scores()
    refresh_all()


def test_a_customer_shows_analytics_and_segments(gql, analysed):
    _, body = gql(operation("staff/customer-analytics"), {"email": "jazz0@example.com"}, bearer=staff_token())
    customer = body["data"]["crmCustomer"]
    (usd,) = customer["analytics"]
    assert usd["currency"] == "USD" and usd["method"] == "fallback" and usd["confidence"] in {"low", "medium"}
    assert 1 <= usd["rScore"] <= 5 and 0 <= usd["pAlive"] <= 1 and usd["clv12m"]["currency"] == "USD"
    assert [s["name"] for s in customer["segments"]] == [f"RFM: {usd['rfmGroup'].lower().replace('_', ' ')}"]


def test_preview_create_list_filter_and_delete_a_segment(gql, analysed):
    rules = {"and": [{"field": "category_bought", "op": "includes", "value": ["Vinyl"]},
                     {"field": "order_count", "op": "gte", "value": 4}]}
    # when
    _, previewed = gql(operation("staff/segment-preview"), {"rules": json.dumps(rules)}, bearer=staff_token())
    _, created = gql(operation("staff/segment-create"), {"input": {"name": "Vinyl regulars",
                                                                   "rules": json.dumps(rules)}}, bearer=staff_token())
    _, listed = gql(operation("staff/segments"), bearer=staff_token())
    segment_id = created["data"]["crmSegmentCreate"]["segment"]["id"]
    _, filtered = gql("query($s: ID) { crmCustomers(filter: {segment: $s}) { totalCount } }", {"s": segment_id},
                      bearer=staff_token())
    _, deleted = gql("mutation($id: ID!) { crmSegmentDelete(id: $id) { deletedId errors { code } } }",
                     {"id": segment_id}, bearer=staff_token())
    # then
    assert previewed["data"]["crmSegmentPreview"]["count"] == 8
    segment = created["data"]["crmSegmentCreate"]["segment"]
    assert segment["memberCount"] == 8 and len(segment["members"]["edges"]) == 8
    names = [s["name"] for s in listed["data"]["crmSegments"]]
    assert "Vinyl regulars" in names and sum(s["isPredefined"] for s in listed["data"]["crmSegments"]) == 11
    assert filtered["data"]["crmCustomers"]["totalCount"] == 8
    assert deleted["data"]["crmSegmentDelete"]["errors"] == [] and not Segment.objects.filter(name="Vinyl regulars")


def test_segment_errors_carry_codes_and_rule_paths(gql, analysed):
    bad = {"and": [{"field": "order_count", "op": "gte", "value": 1}, {"field": "shoe_size", "op": "eq", "value": 1}]}
    _, previewed = gql(operation("staff/segment-preview"), {"rules": json.dumps(bad)}, bearer=staff_token())
    _, created = gql(operation("staff/segment-create"), {"input": {"name": "Bad", "rules": json.dumps(bad)}},
                     bearer=staff_token())
    predefined = gid("CRMSegment", Segment.objects.filter(is_predefined=True).first().pk)
    _, protected = gql("mutation($id: ID!) { crmSegmentDelete(id: $id) { errors { field code } } }",
                       {"id": predefined}, bearer=staff_token())
    _, shopper = gql(operation("staff/segments"), bearer=token(user_id=100))
    assert error_codes(previewed) == ["unknown_field"]
    assert previewed["errors"][0]["extensions"]["field"] == "rules.and.1.field"
    assert created["data"]["crmSegmentCreate"]["errors"] == [
        {"field": "rules.and.1.field", "code": "UNKNOWN_FIELD",
         "message": created["data"]["crmSegmentCreate"]["errors"][0]["message"]}]
    assert protected["data"]["crmSegmentDelete"]["errors"] == [{"field": "id", "code": "PREDEFINED"}]
    assert error_codes(shopper) == ["permission_denied"]


def test_the_report(gql, analysed):
    from saleor_crm_plugin.models import CustomerProfile, SurveyResponse

    fans = CustomerProfile.objects.filter(order_count__gte=1).order_by("pk")[:2]
    for n, (kind, score) in enumerate([("csat", 5), ("csat", 2), ("nps", 10)]):
        SurveyResponse.objects.create(profile=fans[n % 2], kind=kind, score=score, key=f"k{n}")
    _, body = gql(operation("staff/report"), {"months": 100}, bearer=staff_token())
    report = body["data"]["crmReport"]
    assert report["customers"] == 8 and report["repeatCustomers"] == 8 and report["repeatPurchaseRate"] == 1.0
    # the fans' first orders fall in March 2025 and they order again in March (weekly) and April
    (march,) = report["cohorts"]
    assert march["cohort"] == "2025-03-01" and march["customers"] == 8 and march["retention"][0] == 1.0
    assert march["satisfaction"] == {"csatResponses": 2, "csatAverage": 3.5, "npsResponses": 1, "nps": 100.0}
    assert sum(g["customers"] for g in report["rfmGroups"]) == 8
    assert sum(s["members"] for s in report["segments"]) == 8  # each customer in exactly one RFM segment
