"""GraphQL query cost → time on a 1M-customer shop (issue 20: "cost equals time").

    python bench/graphql_cost.py [--customers 1000000] [--database saleor_crm_bench_cost] [--rebuild] [--runs 3]

Set-up (not timed): ``bench/_cost_shop.py`` builds the shop once (``bench/analytics.py``'s 1M customers and
5.3M orders, plus lines, events, surveys, service requests, automation runs, scores and segments; no trained
recommendation version: see ``bench/_cost_shop.py``) and later runs reuse it (``--rebuild`` to start over). A
JWKS endpoint in a thread verifies the tokens, as the standalone host does; two draft campaigns to a segment of
~200,000 are made through the API, one with its audience frozen.

Measured: each request through the real view (``/graphql/`` with Django's test client, a bearer token as the
Dashboard sends it, DEBUG off), its cost as ``limits.measure`` counts it and the caller's budget; the median
and the maximum of ``--runs`` runs after one warm-up run (a request over 5 s runs once). A request over budget
is refused before it runs: its row shows the refusal's time. Printed next to the same-run baseline
``{ __typename }``. Every row within budget should finish in under 2 s (``OVER`` marks those that do not).

Requests: every query of ``graphql/operations/`` and of the Dashboard (``dashboard_extension/src/**``),
the attack of issue 20 (four aliased pages of 100 customers with 100 timeline entries and 10 survey answers
each), and for each expensive field the request that fills the staff budget with it (aliases up to the
budget); segment rules previewed, small ones and the largest ``segments/rules.py`` allows.
"""

import argparse
import json
import logging
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._cost_shop import open_shop  # noqa: E402

OVER_SECONDS = 2.0
ONCE_SECONDS = 5.0  # a request slower than this is not repeated
FILL_LIMIT_SECONDS = 60.0  # a budget-filling request estimated slower than this is not run
BASELINE = "query Baseline { __typename }"
# Issue 20's attack: four different pages of 100 customers (offsets 0, 100, 200, 300), within the old budget.
TIMELINE_ATTACK = "query Attack { " + " ".join(
    f'c{i}: crmCustomers(first: 100, after: "{cursor}") {{ edges {{ node {{ '
    "timeline(first: 100) { kind } satisfaction(first: 10) { csatLatest } } } }"
    for i, cursor in enumerate(["", "b2Zmc2V0Ojk5", "b2Zmc2V0OjE5OQ==", "b2Zmc2V0OjI5OQ=="])).replace(
    ', after: ""', "") + " }"
PAGE_TIMELINES = ("query PageTimelines { crmCustomers(first: 100) { edges { node { email "
                  "timeline(first: 100) { at kind text } } } } }")
PAGE_SATISFACTION = ("query PageSatisfaction { crmCustomers(first: 100) { edges { node { "
                     "satisfaction(first: 100) { csatLatest npsLatest npsGroup history { kind score comment "
                     "answeredAt } } } } } }")
PAGE_ORDERS = ("query PageOrders { crmCustomers(first: 100) { edges { node { orders(first: 10) { totalCount "
               "edges { node { number total { amount currency } lines { productName quantity } } } } } } } }")
PAGE_EVERYTHING = """query PageEverything($channel: String!) { crmCustomers(first: 100) { totalCount edges { node {
  id email firstName lastName orderCount lastOrderAt channels country isGuest placedCount
  consents { channel state } spend { currency orderCount revenue { amount currency } }
  analytics { currency rfmGroup churnRisk clv12m { amount currency } } propensity { probability }
  segments { name } notes { text } favouriteProducts { name quantity } favouriteCategories { name quantity }
  recommendations(channel: $channel, first: 10) { productId productName score }
  recentOrders(first: 5) { number total { amount } }
  consentHistory(first: 10) { channel state at }
} } } }"""
PREVIEW = "query Preview($rules: JSONString!) { crmSegmentPreview(rules: $rules) { count sample { email } } }"
# Rules previewed: small ones a merchant writes, the largest segments/rules.py allows (5 order-history
# conditions, 200 product ids in all) on the least and on the most bought products, and issue 20's 50 sets.
RULES = [
    ("5 products", {"field": "product_bought", "op": "includes", "value": list(range(4900, 4905))}),
    ("RFM at risk or can't lose", {"field": "rfm_group", "op": "in", "value": ["at_risk", "cant_lose"]}),
    ("largest rule allowed, least bought products (5 × 40 ids, or)",
     {"or": [{"field": "product_bought", "op": "includes", "value": list(range(4800 + 40 * i, 4840 + 40 * i))}
             for i in range(5)]}),
    ("largest rule allowed, least bought products (5 × 40 ids, and)",
     {"and": [{"field": "product_bought", "op": "includes", "value": list(range(4800 + 40 * i, 4840 + 40 * i))}
              for i in range(5)]}),
    ("largest rule allowed, most bought products (5 × 40 ids, or)",
     {"or": [{"field": "product_bought", "op": "includes", "value": list(range(1 + 40 * i, 41 + 40 * i))}
             for i in range(5)]}),
    ("rule of 50 product_bought sets (issue 20)",
     {"or": [{"field": "product_bought", "op": "includes", "value": [i, i + 1]} for i in range(1, 51)]}),
]
# One expensive field, aliased as often as the staff budget allows: (label, field's text, variables).
FILLERS = [
    ("segment preview ×N (5 conditions)", "crmSegmentPreview(rules: $rules) { count }", {"rules": "FIVE"}),
    ("report ×N", "crmReport { customers repeatPurchaseRate cohorts { customers retention } rfmGroups { customers } "
                  "segments { name members } }", {}),
    ("shop satisfaction ×N", "crmSatisfaction { total { nps } months { nps } categories { category nps } }", {}),
    # The search (trigram index): a fragment few customers match, and one every customer matches.
    ("customers totalCount, search of one customer ×N", 'crmCustomers(filter: {search: "c123457@"}) { totalCount }',
     {}),
    ("customers totalCount, search matching everyone ×N",
     'crmCustomers(filter: {search: "example.com"}) { totalCount }', {}),
    ("customers sorted by CLV ×N", 'crmCustomers(first: 10, sortBy: {field: CLV, direction: DESC, currency: "USD"}) '
                                   "{ edges { node { email } } }", {}),
    ("segment members ×N", "crmSegment(id: $segment) { members(first: 10) { totalCount edges { node { email } } } }",
     {"segment": "SEGMENT"}),
    ("service queue by CLV ×N", 'crmServiceRequests(first: 100, sortBy: {field: CLV, direction: DESC, currency: '
                                '"USD"}) { totalCount edges { node { subject messages(first: 3) { body } } } }', {}),
    ("campaign audience ×N", "crmCampaign(id: $campaign) { audience { recipients } }", {"campaign": "CAMPAIGN"}),
    ("product insight ×N", "crmProductInsight(product: $product) { buyers }", {"product": "PRODUCT"}),
    ("customer export ×N", "crmCustomerExport(email: $email)", {"email": "HEAVY"}),
    ("for-you recommendations ×N", 'recommendations(channel: "web", kind: FOR_YOU, first: 100) { productId }', {}),
]


class Client:
    """Requests through the real view with a staff or shopper token verified against a local JWKS."""

    def __init__(self):
        from django.conf import settings
        from django.test import Client as DjangoClient

        from crm_host.devjwks import Issuer

        self.issuer = Issuer()
        url, self.jwks_server = self.issuer.serve()
        settings.SALEOR_CRM_JWKS_URL = f"{url}/.well-known/jwks.json"
        settings.SALEOR_CRM_JWT_ISSUER = "http://localhost:8000/graphql/"
        settings.SALEOR_CRM_JWT_AUDIENCE = None
        self.client = DjangoClient()
        self.tokens = {"staff": self.issuer.staff_token(expires_in=24 * 3600), "anonymous": None}

    def shopper(self, user_id: int) -> None:
        self.tokens["shopper"] = self.issuer.token(user_id=user_id, expires_in=24 * 3600)

    def send(self, caller: str, query: str, variables: dict) -> tuple[float, dict]:
        token = self.tokens[caller]
        headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
        start = time.perf_counter()
        response = self.client.post("/graphql/", data=json.dumps({"query": query, "variables": variables}),
                                    content_type="application/json", **headers)
        seconds = time.perf_counter() - start
        return seconds, response.json()


def measured(query: str, variables: dict, staff: bool = True):
    """``limits.measure`` of a request, as the view measures it before running it."""
    from graphql import parse

    from saleor_crm_plugin.graphql.limits import measure
    from saleor_crm_plugin.graphql.schema import schema

    return measure(parse(query), schema, variables, staff=staff)


def cost_of(query: str, variables: dict, caller: str) -> tuple[int, int]:
    """(cost, budget) of a request by ``caller``."""
    from saleor_crm_plugin.graphql.limits import ANONYMOUS_MAX_COST, SHOPPER_MAX_COST, STAFF_MAX_COST

    budget = {"staff": STAFF_MAX_COST, "shopper": SHOPPER_MAX_COST, "anonymous": ANONYMOUS_MAX_COST}[caller]
    return measured(query, variables, staff=caller == "staff").cost, budget


def timed(client: Client, caller: str, query: str, variables: dict, runs: int) -> tuple[list[float], dict]:
    seconds, body = client.send(caller, query, variables)  # warm-up (and the only run of a slow one)
    timings = [seconds]
    if seconds < ONCE_SECONDS:
        timings = [client.send(caller, query, variables)[0] for _ in range(runs)]
    return timings, body


def outcome(body: dict) -> str:
    codes = sorted({e.get("extensions", {}).get("code", "?") for e in body.get("errors", [])})
    return "ok" if not codes else ",".join(codes)


def row(client, label, caller, query, variables, runs, baseline_ms=None) -> float:
    cost, budget = cost_of(query, variables, caller)
    timings, body = timed(client, caller, query, variables, runs)
    median, worst = statistics.median(timings) * 1000, max(timings) * 1000
    refused = cost > budget
    flag = "OVER" if not refused and median > OVER_SECONDS * 1000 else ""
    note = "refused" if refused else outcome(body)
    print(f"| {label} | {caller} | {cost:,} | {budget:,} | {median:,.0f} | {worst:,.0f} | {note} {flag}|", flush=True)
    return median


def fixtures(client: Client) -> dict:
    """Ids the requests need, and a draft campaign to a large segment (made through the API, not timed)."""
    from django.db import connection
    from graphql_relay import to_global_id

    from saleor_crm_plugin.models import Campaign, CustomerProfile, Segment
    from saleor_crm_plugin.models.support import ServiceRequest

    with connection.cursor() as cursor:  # a few shoppers with accounts (the bench shop's customers are guests)
        cursor.execute("UPDATE crm_customer_profile SET user_id = id WHERE id IN (SELECT id FROM "
                       "crm_customer_profile ORDER BY order_count DESC, id DESC LIMIT 10) AND user_id IS NULL")
    heavy = CustomerProfile.objects.order_by("-order_count", "-pk").first()
    segment = Segment.objects.get(name="Category 3 regulars")
    template = None
    for name in ("bench: category 3", "bench: category 3, frozen"):
        if Campaign.objects.filter(name=name).exists():
            continue
        if template is None:
            _, body = client.send("staff", "mutation($i: CRMEmailTemplateInput!) { crmEmailTemplateCreate(input: $i) "
                                  "{ emailTemplate { id } errors { code message } } }",
                                  {"i": {"name": f"bench {time.time()}", "subject": "Hello {{ customer.first_name }}",
                                         "body": "<p>New in Category 3</p>", "bodyFormat": "HTML"}})
            template = body["data"]["crmEmailTemplateCreate"]["emailTemplate"]["id"]
        _, body = client.send("staff", "mutation($i: CRMCampaignInput!) { crmCampaignCreate(input: $i) "
                              "{ errors { code message } } }",
                              {"i": {"name": name, "templateId": template, "channel": "web",
                                     "segmentIds": [to_global_id("CRMSegment", str(segment.pk))]}})
        assert not body["data"]["crmCampaignCreate"]["errors"], body
    campaign = Campaign.objects.get(name="bench: category 3")  # a draft: its audience is previewed
    frozen = Campaign.objects.get(name="bench: category 3, frozen")
    if not frozen.deliveries.exists():  # its audience frozen, as when it starts: deliveries to page through
        from saleor_crm_plugin.campaigns.audience import freeze_audience

        freeze_audience(frozen)
    client.shopper(heavy.user_id)
    order = heavy.orders.order_by("-placed_at").first()
    return {
        "HEAVY": heavy.email, "HEAVY_ID": to_global_id("CRMCustomer", str(heavy.pk)),
        "USER_ID": to_global_id("User", str(heavy.user_id)), "ORDER": to_global_id("Order", order.order_id),
        "SEGMENT": to_global_id("CRMSegment", str(segment.pk)), "CAMPAIGN": to_global_id("CRMCampaign", str(campaign.pk)),
        "FROZEN": to_global_id("CRMCampaign", str(frozen.pk)),
        "PRODUCT": to_global_id("Product", "1"),
        "REQUEST": to_global_id("CRMServiceRequest", str(ServiceRequest.objects.filter(profile=heavy).first().pk)),
        "FIVE": json.dumps(__import__("bench.analytics", fromlist=["SEGMENT"]).SEGMENT),
        "AT_RISK": json.dumps({"field": "rfm_group", "op": "in", "value": ["at_risk", "cant_lose"]}),
    }


def variables_for(name: str, ids: dict) -> dict:
    """Variables of an example operation (by operation name), as the Dashboard or a storefront sends them."""
    customer = {"email": ids["HEAVY"], "channel": "web"}
    known = {
        "CustomersPage": {"first": 50, "channel": "web"}, "CustomerList": {"first": 50},
        "CustomerRecord": {"email": ids["HEAVY"], "timeline": 20}, "Customer": customer,
        "CustomerAnalytics": customer, "CustomerSatisfaction": {"id": ids["HEAVY_ID"]},
        "CustomerTimeline": {"id": ids["HEAVY_ID"], "first": 50},
        "PreviewCustomer": customer, "ExportCustomer": {"email": ids["HEAVY"]},
        "CustomerByOrder": {"order": ids["ORDER"]}, "CustomerRecommendations": {"id": ids["HEAVY_ID"],
                                                                               "channel": "web", "first": 10},
        "Campaign": {"id": ids["FROZEN"]}, "CampaignDetail": {"id": ids["FROZEN"], "first": 50},
        "CampaignResults": {"id": ids["FROZEN"]}, "CampaignAudience": {"id": ids["CAMPAIGN"]},
        "SegmentPreview": {"rules": ids["FIVE"]}, "SegmentRulePreview": {"rules": ids["FIVE"]},
        "HomeSummary": {"atRisk": ids["AT_RISK"]}, "Report": {"months": 12}, "OverviewReport": {"months": 12},
        "ProductInsight": {"product": ids["PRODUCT"]}, "ProductChannels": {"product": ids["PRODUCT"]},
        "ProductRecommendations": {"channel": "web", "product": ids["PRODUCT"], "first": 10},
        "ServiceRequest": {"id": ids["REQUEST"]}, "ServiceRequests": {"first": 50},
        "EmailTemplateRender": {"channel": "web", "customerId": ids["HEAVY_ID"],
                                "input": {"subject": "Hi", "body": "<p>{{ customer.first_name }}</p>", "bodyFormat": "HTML"}},
        "PreviewEmailTemplate": {"channel": "web", "customerId": ids["HEAVY_ID"],
                                 "input": {"subject": "Hi", "body": "<p>{{ customer.first_name }}</p>", "bodyFormat": "HTML"}},
        "ForYou": {"channel": "web"}, "AlsoBought": {"channel": "web", "product": ids["PRODUCT"]},
        "Similar": {"channel": "web", "product": ids["PRODUCT"]}, "MyOrders": {"first": 20},
        "CompleteCart": {"channel": "web", "checkoutToken": "7c9e6679-7425-40de-944b-e07fc1f90ae7"},
        "Entities": {"representations": [{"__typename": "Product", "id": ids["PRODUCT"], "channel": "web"}] * 10},
    }
    return known.get(name, {})


def example_operations():
    """(label, caller, query, operation name) of every example query, the Dashboard's first."""
    from graphql import parse

    files = sorted((ROOT / "dashboard_extension" / "src").rglob("*.graphql")) + \
        sorted((ROOT / "graphql" / "operations").rglob("*.graphql"))
    for path in files:
        text = path.read_text()
        (operation,) = [d for d in parse(text).definitions if hasattr(d, "operation")]
        if operation.operation != "query":
            continue  # mutations change the shop: not repeated here
        caller = "shopper" if "storefront" in path.parts else "anonymous" if "federation" in path.parts else "staff"
        where = "Dashboard" if "dashboard_extension" in path.parts else "operations"
        yield f"{where}: {operation.name.value}", caller, text, operation.name.value


def filler(field: str, count: int) -> str:
    """``count`` aliases of one field, its variables declared."""
    declared = {"$rules": "JSONString!", "$segment": "ID!", "$campaign": "ID!", "$product": "ID!", "$email": "String"}
    used = [f"{name}: {kind}" for name, kind in declared.items() if name in field]
    head = f"query Filler({', '.join(used)})" if used else "query Filler"
    return head + " { " + " ".join(f"a{i}: {field}" for i in range(count)) + " }"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--database", default="saleor_crm_bench_cost")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", default="", help="run only the rows whose label contains this")
    args = parser.parse_args()
    open_shop(args.database, args.customers, rebuild=args.rebuild)
    logging.getLogger("saleor_crm_plugin.graphql.view").setLevel(logging.WARNING)  # one line per refusal

    from saleor_crm_plugin.graphql.limits import MAX_FIELDS, STAFF_MAX_COST

    client = Client()
    ids = fixtures(client)
    print("| request | caller | cost | budget | median ms | max ms | result |\n|---|---|---:|---:|---:|---:|---|")
    cases = [("baseline `{ __typename }`", "staff", BASELINE, {})]
    cases += [(label, caller, text, variables_for(name, ids)) for label, caller, text, name in example_operations()]
    cases += [("attack: 4 × 100 customers, timeline(first: 100), satisfaction(first: 10)", "staff",
               TIMELINE_ATTACK, {}),
              ("100 customers, timeline(first: 100) { at kind text }", "staff", PAGE_TIMELINES, {}),
              ("100 customers, satisfaction(first: 100)", "staff", PAGE_SATISFACTION, {}),
              ("100 customers, orders(first: 10) with lines", "staff", PAGE_ORDERS, {}),
              ("100 customers, every list field", "staff", PAGE_EVERYTHING, {"channel": "web"})]
    cases += [(f"preview: {label}", "staff", PREVIEW, {"rules": json.dumps(rule)}) for label, rule in RULES]
    for label, caller, query, variables in cases:
        if args.only in label:
            row(client, label, caller, query, variables, args.runs)
    # Each expensive field once, then as many times as the budget (and MAX_FIELDS) allow.
    for label, field, variables in FILLERS:
        if args.only not in label:
            continue
        values = {k: ids[v] for k, v in variables.items()}
        one = measured(filler(field, 1), values)
        count = max(1, min(STAFF_MAX_COST // one.cost, MAX_FIELDS // one.fields))
        single = row(client, label.replace("N", "1"), "staff", filler(field, 1), values, args.runs)
        if count > 1 and single * count < FILL_LIMIT_SECONDS * 1000:
            row(client, label.replace("N", str(count)), "staff", filler(field, count), values, args.runs)
        elif count > 1:
            print(f"| {label.replace('N', str(count))} | staff | {one.cost * count:,} | {STAFF_MAX_COST:,} | "
                  f"(not run: ~{single * count / 1000:,.0f} s) | | |", flush=True)
    client.jwks_server.shutdown()


if __name__ == "__main__":
    main()
