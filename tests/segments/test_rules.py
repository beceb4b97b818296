"""Every field kind and operator, relative dates, and invalid rules with codes — on PostgreSQL."""

from datetime import timedelta

import pytest

from saleor_crm_plugin.models import CustomerProfile
from saleor_crm_plugin.profiles.scores import recompute_scores
from saleor_crm_plugin.segments.membership import preview
from saleor_crm_plugin.segments.rules import SegmentErrorCode, SegmentRuleError, compile_rule
from tests import clock
from tests.conftest import T0, days

pytestmark = pytest.mark.django_db
NOW = T0 + days(100)


@pytest.fixture
def shop(events, ingest):
    """ann: 3 USD orders (Vinyl), the last 5 days ago (from DE); bob: 1 EUR order 80 days ago (Pantry, FR), guest;
    cy: 2 USD orders, one cancelled, 40 days ago; consent: ann yes, cy no, bob never asked."""
    line = events.line
    ingest(
        events.order(email="ann@example.com", user_id=1, at=NOW - days(60), lines=[line(1, 2, "20.00", category="Vinyl")]),
        events.order(email="ann@example.com", user_id=1, at=NOW - days(30), lines=[line(2, 1, "30.00", category="Vinyl")]),
        events.order(email="ann@example.com", user_id=1, at=NOW - days(5), lines=[line(1, 1, "20.00", category="Vinyl")],
                     country="de"),
        events.order(email="bob@example.com", at=NOW - days(80), currency="EUR", channel="eu", country="FR",
                     lines=[line(8, 3, "5.00", category="Pantry")]),
        events.order(email="cy@example.com", user_id=3, at=NOW - days(40), lines=[line(8, 1, "5.00", category="Pantry")]),
        events.order("order.cancelled", order_id="cancel-me", email="cy@example.com", user_id=3, at=NOW - days(41),
                     status="canceled", lines=[line(1, 1, "20.00", category="Vinyl")]),
    )
    from saleor_crm_plugin.campaigns.consent import set_consent

    set_consent("subscribed", "default-channel", "staff", profile_id=CustomerProfile.objects.get(email="ann@example.com").pk)
    set_consent("unsubscribed", "default-channel", "staff", profile_id=CustomerProfile.objects.get(email="cy@example.com").pk)
    set_consent("pending", "eu", "storefront", profile_id=CustomerProfile.objects.get(email="cy@example.com").pk)
    recompute_scores(now=NOW)


def who(rule) -> set[str]:
    result = preview(rule, now=NOW, sample=100)
    emails = set(CustomerProfile.objects.filter(pk__in=result["sample"]).values_list("email", flat=True))
    assert result["count"] == len(emails)
    return {e.split("@")[0] for e in emails}


@pytest.mark.parametrize("rule, expected", [
    ({"field": "order_count", "op": "eq", "value": 3}, {"ann"}),
    ({"field": "order_count", "op": "ne", "value": 3}, {"bob", "cy"}),
    ({"field": "order_count", "op": "gt", "value": 1}, {"ann"}),
    ({"field": "order_count", "op": "gte", "value": 1}, {"ann", "bob", "cy"}),
    ({"field": "order_count", "op": "lt", "value": 3}, {"bob", "cy"}),
    ({"field": "order_count", "op": "lte", "value": 1}, {"bob", "cy"}),
    ({"field": "order_count", "op": "between", "value": [2, 3]}, {"ann"}),
    ({"field": "cancelled_count", "op": "eq", "value": 1}, {"cy"}),
    ({"field": "revenue", "op": "gte", "value": 15}, {"ann", "bob"}),  # any currency
    ({"field": "revenue", "currency": "USD", "op": "gte", "value": 15}, {"ann"}),
    ({"field": "revenue", "currency": "eur", "op": "between", "value": [10, 20]}, {"bob"}),
    ({"field": "average_order_value", "op": "lt", "value": 10}, {"cy"}),
    ({"field": "last_order_at", "op": "within_last", "value": {"days": 30}}, {"ann"}),
    ({"field": "last_order_at", "op": "not_within_last", "value": {"weeks": 6}}, {"bob"}),
    ({"field": "last_order_at", "op": "before", "value": {"days_ago": 50}}, {"bob"}),
    ({"field": "first_order_at", "op": "after", "value": (NOW - days(45)).isoformat()}, {"cy"}),
    ({"field": "first_order_at", "op": "between", "value": [{"months_ago": 3}, {"days_ago": 50}]}, {"bob", "ann"}),
    ({"field": "last_order_at", "op": "is_not_empty"}, {"ann", "bob", "cy"}),
    ({"field": "last_order_at", "op": "is_empty"}, set()),
    ({"field": "marketing_consent", "op": "eq", "value": True}, {"ann"}),
    ({"field": "marketing_consent", "op": "eq", "value": False}, {"cy"}),
    ({"field": "marketing_consent", "op": "is_empty"}, {"bob"}),
    ({"field": "marketing_consent", "op": "eq", "value": "pending", "channel": "eu"}, {"cy"}),
    ({"field": "marketing_consent", "op": "eq", "value": "never_asked", "channel": "eu"}, {"ann", "bob"}),
    ({"field": "marketing_consent", "op": "in", "value": ["subscribed", "pending"]}, {"ann", "cy"}),
    ({"field": "marketing_consent", "op": "ne", "value": "subscribed", "channel": "default-channel"}, {"bob", "cy"}),
    ({"field": "is_guest", "op": "eq", "value": True}, {"bob"}),
    ({"field": "category_bought", "op": "includes", "value": ["Vinyl"]}, {"ann"}),  # cy's Vinyl was cancelled
    ({"field": "category_bought", "op": "excludes", "value": ["Vinyl"]}, {"bob", "cy"}),
    ({"field": "product_bought", "op": "includes", "value": [8]}, {"bob", "cy"}),
    ({"field": "channel", "op": "includes", "value": ["eu"]}, {"bob"}),
    ({"field": "channel", "op": "excludes", "value": ["eu"]}, {"ann", "cy"}),
    ({"field": "country", "op": "eq", "value": "DE"}, {"ann"}),
    ({"field": "country", "op": "in", "value": ["de", "FR"]}, {"ann", "bob"}),
    ({"field": "country", "op": "ne", "value": "DE"}, {"bob"}),  # cy's country is unknown: not "not DE"
    ({"field": "country", "op": "not_in", "value": ["FR"]}, {"ann"}),
    ({"field": "country", "op": "is_empty"}, {"cy"}),
    ({"field": "clv", "currency": "USD", "op": "gt", "value": 0}, {"ann", "cy"}),
    # EUR has one customer and no repeat purchase: no rate to project, CLV 0 (confidence low)
    ({"field": "clv", "currency": "EUR", "op": "eq", "value": 0}, {"bob"}),
    ({"field": "churn_risk", "op": "between", "value": [0, 1]}, {"ann", "bob", "cy"}),
    ({"field": "expected_orders_90", "op": "gt", "value": 0}, {"ann", "cy"}),
    ({"and": [{"field": "order_count", "op": "gte", "value": 1}, {"field": "is_guest", "op": "eq", "value": False}]},
     {"ann", "cy"}),
    ({"or": [{"field": "order_count", "op": "eq", "value": 3}, {"field": "is_guest", "op": "eq", "value": True}]},
     {"ann", "bob"}),
    ({"not": {"field": "marketing_consent", "op": "eq", "value": True}}, {"bob", "cy"}),  # never asked counts too
])
def test_every_operator(shop, rule, expected):
    assert who(rule) == expected


def test_rfm_group_operators(shop):
    from saleor_crm_plugin.models import CustomerAnalytics

    groups = dict(CustomerAnalytics.objects.values_list("profile__email", "rfm_group"))
    ann_group = groups["ann@example.com"]
    assert who({"field": "rfm_group", "op": "eq", "value": ann_group}) >= {"ann"}
    assert "ann" not in who({"field": "rfm_group", "op": "ne", "value": ann_group})
    assert who({"field": "rfm_group", "op": "in", "value": sorted(set(groups.values()))}) == {"ann", "bob", "cy"}
    assert who({"field": "rfm_group", "op": "not_in", "value": sorted(set(groups.values()))}) == set()


def test_relative_dates_move_with_now(shop):
    rule = {"field": "last_order_at", "op": "within_last", "value": {"days": 10}}
    assert preview(rule, now=NOW)["count"] == 1
    assert preview(rule, now=NOW + timedelta(days=20))["count"] == 0


@pytest.mark.parametrize("rule, code, path", [
    ([], SegmentErrorCode.INVALID_STRUCTURE, ""),
    ({"and": []}, SegmentErrorCode.INVALID_STRUCTURE, "and"),
    ({"and": [{"field": "order_count", "op": "gt", "value": 1}], "or": []}, SegmentErrorCode.INVALID_STRUCTURE, ""),
    ({"field": "shoe_size", "op": "eq", "value": 9}, SegmentErrorCode.UNKNOWN_FIELD, "field"),
    ({"and": [{"field": "order_count", "op": "contains", "value": 1}]}, SegmentErrorCode.INVALID_OPERATOR, "and.0.op"),
    ({"field": "order_count", "op": "gt", "value": "3"}, SegmentErrorCode.INVALID_VALUE, "value"),
    ({"field": "order_count", "op": "gt", "value": 2.5}, SegmentErrorCode.INVALID_VALUE, "value"),
    ({"field": "order_count", "op": "between", "value": [1]}, SegmentErrorCode.INVALID_VALUE, "value"),
    ({"field": "revenue", "currency": "DOLLARS", "op": "gt", "value": 1}, SegmentErrorCode.INVALID_VALUE, "currency"),
    ({"field": "order_count", "currency": "USD", "op": "gt", "value": 1}, SegmentErrorCode.INVALID_VALUE, "currency"),
    ({"field": "rfm_group", "op": "eq", "value": "vips"}, SegmentErrorCode.INVALID_VALUE, "value"),
    ({"field": "last_order_at", "op": "within_last", "value": 30}, SegmentErrorCode.INVALID_VALUE, "value"),
    ({"field": "last_order_at", "op": "within_last", "value": {"fortnights": 2}}, SegmentErrorCode.INVALID_VALUE,
     "value"),
    ({"field": "last_order_at", "op": "after", "value": "2025-01-01"}, SegmentErrorCode.INVALID_VALUE, "value"),
    ({"field": "marketing_consent", "op": "eq", "value": "yes"}, SegmentErrorCode.INVALID_VALUE, "value"),
    ({"field": "marketing_consent", "op": "eq", "value": "subscribed", "channel": "no such/slug"},
     SegmentErrorCode.INVALID_VALUE, "channel"),
    ({"field": "order_count", "op": "eq", "value": 1, "channel": "eu"}, SegmentErrorCode.INVALID_VALUE, "channel"),
    ({"field": "product_bought", "op": "includes", "value": ["8"]}, SegmentErrorCode.INVALID_VALUE, "value"),
    ({"field": "country", "op": "eq", "value": "Germany"}, SegmentErrorCode.INVALID_VALUE, "value"),
    ({"field": "order_count", "op": "gt"}, SegmentErrorCode.INVALID_VALUE, "value"),
    ({"not": {"not": {"not": {"not": {"not": {"not": {"not": {"not": {"not": {
        "field": "order_count", "op": "gt", "value": 1}}}}}}}}}}, SegmentErrorCode.TOO_COMPLEX,
     "not.not.not.not.not.not.not.not.not"),
    ({"or": [{"field": "order_count", "op": "gt", "value": i} for i in range(51)]}, SegmentErrorCode.TOO_COMPLEX,
     "or.50"),
    # operators of the wrong type, non-finite and absurd numbers, text PostgreSQL cannot hold
    ({"field": "order_count", "op": ["gt"], "value": 1}, SegmentErrorCode.INVALID_OPERATOR, "op"),
    ({"field": "order_count", "op": {"gt": 1}, "value": 1}, SegmentErrorCode.INVALID_OPERATOR, "op"),
    ({"field": "last_order_at", "op": "within_last", "value": {"days": 1e6}}, SegmentErrorCode.INVALID_VALUE, "value"),
    ({"field": "last_order_at", "op": "within_last", "value": {"days": float("nan")}}, SegmentErrorCode.INVALID_VALUE,
     "value"),
    ({"field": "last_order_at", "op": "not_within_last", "value": {"years": float("inf")}},
     SegmentErrorCode.INVALID_VALUE, "value"),
    # integers beyond 64 bits are out of range wherever they are (issue 20)
    ({"field": "last_order_at", "op": "before", "value": {"days_ago": 10 ** 400}}, SegmentErrorCode.OUT_OF_RANGE,
     "value.days_ago"),
    ({"field": "churn_risk", "op": "gt", "value": float("nan")}, SegmentErrorCode.INVALID_VALUE, "value"),
    ({"field": "revenue", "op": "lt", "value": float("inf")}, SegmentErrorCode.INVALID_VALUE, "value"),
    ({"field": "order_count", "op": "gt", "value": 10 ** 30}, SegmentErrorCode.OUT_OF_RANGE, "value"),
    ({"field": "order_count", "op": "gt", "value": 2 ** 60}, SegmentErrorCode.INVALID_VALUE, "value"),
    ({"field": "product_bought", "op": "includes", "value": [1, 2 ** 63]}, SegmentErrorCode.OUT_OF_RANGE,
     "value.1"),
    ({"field": "order_count", "op": "gt", "value": int("9" * 4000)}, SegmentErrorCode.OUT_OF_RANGE, "value"),
    ({"field": "category_bought", "op": "includes", "value": ["Vinyl\x00"]}, SegmentErrorCode.INVALID_VALUE,
     "value.0"),
    ({"field": "channel", "op": "includes", "value": ["\ud800"]}, SegmentErrorCode.INVALID_VALUE, "value.0"),
    ({"and": [{"field": "country", "op": "eq", "value": "D\x00"}]}, SegmentErrorCode.INVALID_VALUE, "and.0.value"),
    ({"field": "rfm_group", "op": "in", "value": [{"a": 1}]}, SegmentErrorCode.INVALID_VALUE, "value"),
])
def test_invalid_rules_get_a_code_and_a_path(rule, code, path):
    with pytest.raises(SegmentRuleError) as error:
        compile_rule(rule, clock.now())
    assert error.value.code is code and error.value.field == path


def bought(*ids) -> dict:
    return {"field": "product_bought", "op": "includes", "value": list(ids)}


@pytest.mark.parametrize("rule, path", [
    # issue 20: 50 product sets; a rule reads order history at most 5 times
    ({"or": [bought(i, i + 1) for i in range(50)]}, "or.5"),
    ({"and": [bought(1), {"not": {"or": [bought(2), bought(3), bought(4), bought(5), bought(6)]}}]}, "and.1.not.or.4"),
    ({"or": [bought(1), {"field": "channel", "op": "includes", "value": ["web"]},
             {"field": "category_bought", "op": "excludes", "value": ["Vinyl"]}, bought(2), bought(3), bought(4)]},
     "or.5"),
    (bought(*range(101)), "value"),  # 100 values in a set
    ({"or": [bought(*range(100)), bought(*range(100, 200)), bought(200)]}, "or.2.value"),  # 200 in a rule
], ids=["50 sets", "nested", "any history", "101 values", "201 in all"])
def test_a_rule_reading_too_much_order_history_is_too_complex_at_its_path(rule, path):
    with pytest.raises(SegmentRuleError) as error:
        compile_rule(rule, clock.now())
    assert error.value.code is SegmentErrorCode.TOO_COMPLEX and error.value.field == path


def test_the_largest_rule_allowed_compiles_to_one_set_per_condition():
    # when: 5 conditions on order history, 200 values in all (duplicates counted once)
    rule = {"or": [bought(*range(40 * i, 40 * i + 40), 40 * i) for i in range(5)]}
    sql, params = compile_rule(rule, clock.now())
    # then: each a semi-join PostgreSQL runs once (never a lookup of each customer's orders), values as parameters
    assert sql.count("p.id IN (SELECT o.profile_id FROM crm_order_line l") == 5 and "EXISTS" not in sql
    assert params == [list(range(40 * i, 40 * i + 40)) for i in range(5)]


def test_values_are_parameters_never_sql():
    sql, params = compile_rule({"field": "category_bought", "op": "includes", "value": ["x'); DROP TABLE crm_order;--"]},
                               clock.now())
    assert "DROP" not in sql and params == [["x'); DROP TABLE crm_order;--"]]
