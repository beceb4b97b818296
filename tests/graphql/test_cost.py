"""Cost equals time (issue 20): what a request makes a worker do is priced before it runs.

The attack: four aliased pages of 100 customers, each with 100 timeline entries and 10 survey answers — 26 s
on a shop of ~700 customers when every customer cost ~9 queries. Timelines, satisfaction and consent history
now come through dataloaders (a fixed number of queries per page), and the cost model prices each timeline
entry (``costs.ITEM_COSTS``): the attack is refused before it runs, with its cost and the budget.
"""

from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from graphql import parse

from saleor_crm_plugin.graphql.costs import ARGUMENT_COSTS, SLOW
from saleor_crm_plugin.graphql.limits import ANONYMOUS_MAX_COST, SHOPPER_MAX_COST, STAFF_MAX_COST, measure
from saleor_crm_plugin.graphql.schema import schema
from saleor_crm_plugin.models import CustomerProfile, SurveyResponse
from saleor_crm_plugin.profiles.timeline import QUERIES_PER_PAGE as TIMELINE_QUERIES
from tests.conftest import T0
from tests.graphql.conftest import error_codes, staff_token

ROOT = Path(__file__).resolve().parents[2]
CURSORS = ["", "b2Zmc2V0Ojk5", "b2Zmc2V0OjE5OQ==", "b2Zmc2V0OjI5OQ=="]  # offsets 0, 100, 200, 300
ATTACK = "query { " + " ".join(
    f'c{i}: crmCustomers(first: 100{f", after: {chr(34)}{cursor}{chr(34)}" if cursor else ""}) {{ edges {{ node {{ '
    "timeline(first: 100) { kind } satisfaction(first: 10) { csatLatest } } } }" for i, cursor in enumerate(CURSORS)
) + " }"
PAGE = """query($first: Int!) { crmCustomers(first: $first) { edges { node {
  email timeline(first: 20) { at kind text } satisfaction(first: 10) { csatLatest npsGroup history { score } }
  consentHistory(first: 5) { state }
} } } }"""
SATISFACTION = "query($first: Int) { crmCustomer(email: \"a@b.c\") { satisfaction(first: $first) { history { score } } } }"
CUSTOMERS_AFTER = "query($after: String) { crmCustomers(first: 10, after: $after) { edges { node { email } } } }"
MY_ORDERS_AFTER = "query($after: String) { myOrderHistory(first: 10, after: $after) { edges { node { number } } } }"
# What the Dashboard and the example operations send at most: a page of 50 customers, "Show more" up to 100
# campaigns, a year of cohorts, 100 timeline entries.
PAGE_VARIABLES = {"first": 50, "channel": "web", "months": 12, "timeline": 100}
LARGEST_PAGES = {"CampaignList": 100}
REPRESENTATIONS = [{"__typename": "Product", "id": "UHJvZHVjdDox", "channel": "web"}] * 10


def cost(query: str, variables: dict | None = None, staff: bool = True) -> int:
    return measure(parse(query), schema, variables or {}, staff=staff).cost


@pytest.fixture
def shop_of_700(events, ingest):
    """700 customers, each with an order and its fulfilment on the timeline, most with survey answers."""
    from saleor_crm_plugin.events.fold import process_pending
    from saleor_crm_plugin.events.outbox import record_many

    orders = [events.order(order_id=f"o{c}", email=f"c{c}@example.com", at=T0) for c in range(700)]
    fulfilled = [events.order("order.fulfilled", order_id=f"o{c}", email=f"c{c}@example.com", at=T0,
                              updated_at=T0.replace(day=2)) for c in range(700)]
    record_many(orders + fulfilled, source="test", enqueue=False)
    process_pending()
    SurveyResponse.objects.bulk_create(
        SurveyResponse(profile=profile, kind=kind, score=4, key=f"{kind}:{profile.pk}", answered_at=T0)
        for profile in CustomerProfile.objects.all() for kind in ("csat", "nps"))
    assert CustomerProfile.objects.count() == 700


def test_the_aliased_timeline_attack_is_refused_before_it_runs(gql, shop_of_700):
    # when
    with CaptureQueriesContext(connection) as queries:
        status, body = gql(ATTACK, bearer=staff_token())
    # then: refused with what it costs and the budget, having read nothing
    assert status == 400 and error_codes(body) == ["query_too_complex"]
    measured = body["errors"][0]["extensions"]
    assert measured["cost"] == cost(ATTACK) > measured["maxCost"] == STAFF_MAX_COST
    assert not [q for q in queries.captured_queries if "crm_event" in q["sql"] or "crm_survey" in q["sql"]]


def test_a_page_of_timelines_costs_the_same_queries_for_10_or_100_customers(gql, shop_of_700):
    # when
    counts, bodies = [], []
    for first in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            status, body = gql(PAGE, {"first": first}, bearer=staff_token())
        counts.append(len(queries.captured_queries))
        bodies.append(body)
    # then: one query per source of the page (timeline: 7, satisfaction: 2, consent history: 1), not per customer
    assert counts[0] == counts[1] <= TIMELINE_QUERIES + 7, counts
    nodes = [edge["node"] for edge in bodies[1]["data"]["crmCustomers"]["edges"]]
    # the order, its fulfilment and the two answers
    assert len(nodes) == 100 and all(len(node["timeline"]) == 4 for node in nodes)
    assert all(node["satisfaction"]["csatLatest"] == 4 and len(node["satisfaction"]["history"]) == 2 for node in nodes)
    assert cost(PAGE, {"first": 100}) <= STAFF_MAX_COST


def test_satisfactions_first_sizes_its_answers_not_the_whole_object():
    # 1 (crmCustomer) + 1 (satisfaction) + 1 (history) + first × (1 per answer + 1 for its score)
    assert cost(SATISFACTION, {"first": 10}) == 3 + 10 * 2
    assert cost(SATISFACTION, {"first": 100}) == 3 + 100 * 2


def test_a_cursor_deep_into_the_customers_costs_the_rows_postgresql_skips():
    from saleor_crm_plugin.graphql.pagination import encode_cursor

    near, far = encode_cursor(1_000), encode_cursor(5_000_000)
    # then: OFFSET reads every row it skips on a shop-wide list, never more than one customer's orders
    assert cost(CUSTOMERS_AFTER, {"after": far}) > STAFF_MAX_COST > cost(CUSTOMERS_AFTER, {"after": near})
    assert cost(MY_ORDERS_AFTER, {"after": far}) < SHOPPER_MAX_COST


def test_a_filter_or_sort_that_reads_every_customer_is_priced_once():
    search = 'query($s: CRMCustomerSortingInput) { crmCustomers(first: 10, filter: {search: "x"}, sortBy: $s) ' \
             "{ edges { node { email } } } }"
    plain = cost(search.replace('filter: {search: "x"}, ', ""), {})
    # then: the search is indexed (its measured weight, far from SLOW); a sort no index serves is SLOW (it runs
    # alone); both together shape one statement, priced once at the dearer
    assert cost(search, {}) - plain == ARGUMENT_COSTS["Query.crmCustomers"]["filter.search"] < SLOW
    assert cost(search, {"s": {"field": "CLV", "direction": "DESC", "currency": "USD"}}) - plain >= SLOW
    assert cost(search, {"s": {"field": "CLV", "direction": "DESC", "currency": "USD"}}) == cost(
        search.replace('filter: {search: "x"}, ', ""), {"s": {"field": "CLV", "direction": "DESC", "currency": "USD"}})
    assert cost(search, {"s": {"field": "CLV", "direction": "DESC"}}) <= STAFF_MAX_COST


DOCUMENTS = [pytest.param(path, id=str(path.relative_to(ROOT))) for path in
             sorted((ROOT / "graphql" / "operations").rglob("*.graphql"))
             + sorted((ROOT / "dashboard_extension" / "src").rglob("*.graphql"))]


@pytest.mark.parametrize("path", DOCUMENTS)
def test_every_example_operation_and_dashboard_document_fits_its_callers_budget(path):
    # given: the largest page sizes the Dashboard asks for, the slowest sort of the customer list
    text = path.read_text()
    name = next(d.name.value for d in parse(text).definitions if hasattr(d, "operation"))
    variables = {**PAGE_VARIABLES, "first": LARGEST_PAGES.get(name, 50), "representations": REPRESENTATIONS,
                 "sortBy": {"field": "CLV", "direction": "DESC", "currency": "USD"}}
    budget = ANONYMOUS_MAX_COST if "federation" in path.parts else \
        SHOPPER_MAX_COST if "storefront" in path.parts else STAFF_MAX_COST
    # then
    assert cost(text, variables, staff=budget == STAFF_MAX_COST) <= budget


def test_a_staff_field_asked_by_anyone_else_costs_what_its_refusal_does():
    # then: a shopper is told they may not, not that the query is too complex
    export = 'query { crmCustomerExport(email: "a@b.c") }'
    assert cost(export, staff=False) == 1 < ANONYMOUS_MAX_COST < cost(export)
