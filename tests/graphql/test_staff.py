"""Staff: one customer, pages of customers (constant queries), notes and consent."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from saleor_crm_plugin.campaigns.consent import set_consent
from saleor_crm_plugin.models import ConsentRecord, ConsentSource, ConsentState, CustomerNote, CustomerProfile
from tests import clock
from tests.graphql.conftest import error_codes, gid, operation, profile_id, staff_token, token

pytestmark = pytest.mark.django_db


@pytest.fixture
def trained(record_shop):
    from saleor_crm_plugin.recommendations.training import train_models

    train_models()


def test_one_customer_with_metrics_timeline_notes_recommendations_and_orders(gql, trained):
    # given
    profile = CustomerProfile.objects.get(user_id=100)
    CustomerNote.objects.create(profile=profile, text="Prefers first pressings", author_email="ann@shop.example")
    # when
    _, body = gql(operation("staff/customer"), {"email": "JAZZ0@example.com", "channel": "web"},
                  bearer=staff_token())
    # then
    customer = body["data"]["crmCustomer"]
    assert customer["id"] == gid("CRMCustomer", profile.pk) and customer["userId"] == gid("User", 100)
    assert customer["orderCount"] == 4 and customer["meanDaysBetweenOrders"] == 7.0
    # 4 + 3 + 3 + 4 lines at 10.00 (coffee twice in the third order)
    assert customer["spend"] == [{"currency": "USD", "orderCount": 4, "revenue": {"amount": 140.0},
                                  "averageOrderValue": {"amount": 35.0}}]
    assert customer["favouriteProducts"][0] == {"productId": gid("Product", 8), "name": "Coffee beans",
                                                "quantity": 5}
    assert len(customer["timeline"]) == 4 and customer["timeline"][0]["kind"] == "order.placed"
    assert customer["notes"] == [{"text": "Prefers first pressings", "authorEmail": "ann@shop.example",
                                  "createdAt": customer["notes"][0]["createdAt"]}]
    assert customer["recommendations"][0]["productId"] == gid("Product", 8)
    assert customer["orders"]["totalCount"] == 4 and len(customer["orders"]["edges"]) == 3


@pytest.mark.parametrize("arguments, expected", [
    ('id: "{crm}"', "jazz0@example.com"),
    ('id: "{user}"', "jazz0@example.com"),
    ('email: "nobody@example.com"', None),
])
def test_a_customer_is_found_by_crm_id_saleor_user_id_or_email(gql, record_shop, arguments, expected):
    profile = CustomerProfile.objects.get(user_id=100)
    arguments = arguments.format(crm=gid("CRMCustomer", profile.pk), user=gid("User", 100))
    _, body = gql(f"query {{ crmCustomer({arguments}) {{ email }} }}", bearer=staff_token())
    found = body["data"]["crmCustomer"]
    assert (found["email"] if found else None) == expected


@pytest.mark.parametrize("arguments, code", [
    ('id: "garbage"', "invalid_id"), ('id: "UHJvZHVjdDox"', "invalid_id"), ("", "required"),
])
def test_bad_customer_lookups_get_codes(gql, record_shop, arguments, code):
    call = f"crmCustomer({arguments})" if arguments else "crmCustomer"
    _, body = gql(f"query {{ {call} {{ email }} }}", bearer=staff_token())
    assert error_codes(body) == [code]


def test_customers_are_filtered_sorted_and_paged(gql, record_shop):
    # given
    set_consent(ConsentState.SUBSCRIBED, "web", ConsentSource.STAFF, profile_id=profile_id(201))
    set_consent(ConsentState.SUBSCRIBED, "outlet", ConsentSource.STAFF, profile_id=profile_id(202))
    set_consent(ConsentState.UNSUBSCRIBED, "web", ConsentSource.STAFF, profile_id=profile_id(202))
    query = """query($filter: CRMCustomerFilterInput, $after: String) {
      crmCustomers(filter: $filter, first: 3, after: $after, sortBy: {field: EMAIL, direction: ASC}) {
        totalCount pageInfo { hasNextPage endCursor } edges { node { email } } } }"""
    # when
    _, first = gql(query, {"filter": {"search": "rock"}}, bearer=staff_token())
    page = first["data"]["crmCustomers"]
    _, second = gql(query, {"filter": {"search": "rock"}, "after": page["pageInfo"]["endCursor"]},
                    bearer=staff_token())
    _, consenting = gql(query, {"filter": {"subscribedInChannel": "web"}}, bearer=staff_token())
    _, bad_channel = gql(query, {"filter": {"subscribedInChannel": "no such"}}, bearer=staff_token())
    _, none = gql(query, {"filter": {"minOrders": 5}}, bearer=staff_token())
    # then
    assert page["totalCount"] == 4 and page["pageInfo"]["hasNextPage"]
    assert [e["node"]["email"] for e in page["edges"]] == [f"rock{i}@example.com" for i in range(3)]
    assert [e["node"]["email"] for e in second["data"]["crmCustomers"]["edges"]] == ["rock3@example.com"]
    assert [e["node"]["email"] for e in consenting["data"]["crmCustomers"]["edges"]] == ["rock1@example.com"]
    assert none["data"]["crmCustomers"]["totalCount"] == 0
    assert error_codes(bad_channel) == ["invalid_channel"]
    assert bad_channel["errors"][0]["extensions"]["field"] == "subscribedInChannel"


def test_a_page_of_customers_runs_a_constant_number_of_queries(gql, trained, events, ingest, settings):
    # given: 8 customers, then 50 (each with orders, spend, notes); the serving store checks
    # for a new model every 60 s, as in production (the tests' default is every call)
    settings.SALEOR_CRM = {**settings.SALEOR_CRM, "recommendation_refresh_seconds": 60}
    query = operation("staff/customers-page")

    def count_queries(first):
        with CaptureQueriesContext(connection) as captured:
            _, body = gql(query, {"first": first, "channel": "web"}, bearer=staff_token())
        assert "errors" not in body, body
        return len(captured), len(body["data"]["crmCustomers"]["edges"])

    count_queries(8)  # the first call loads the serving store (version, bundle, catalog)
    small = count_queries(8)
    ingest(*[events.order(email=f"extra{i}@example.com", user_id=1000 + i, channel="web",
                          lines=[events.line(product_id=1 + i % 7)]) for i in range(42)])
    for profile in CustomerProfile.objects.all()[:20]:
        CustomerNote.objects.create(profile=profile, text="called")
    # when
    large = count_queries(50)
    # then
    assert small[1] == 8 and large[1] == 50
    assert large[0] == small[0], f"{small[0]} queries for 8 customers, {large[0]} for 50"


def test_staff_add_notes_with_validation_errors_in_the_payload(gql, record_shop):
    profile = CustomerProfile.objects.get(user_id=100)
    mutation = operation("staff/customer-note-add")
    # when
    _, added = gql(mutation, {"customer": gid("CRMCustomer", profile.pk), "note": " Called about a refund "},
                   bearer=staff_token())
    _, empty = gql(mutation, {"customer": gid("CRMCustomer", profile.pk), "note": "  "}, bearer=staff_token())
    _, missing = gql(mutation, {"customer": gid("CRMCustomer", 999999), "note": "x"}, bearer=staff_token())
    _, malformed = gql(mutation, {"customer": "zzz", "note": "x"}, bearer=staff_token())
    _, shopper = gql(mutation, {"customer": gid("CRMCustomer", profile.pk), "note": "x"}, bearer=token(user_id=100))
    # then
    result = added["data"]["crmCustomerNoteAdd"]
    assert result["errors"] == [] and result["customer"]["notes"] == [
        {"text": "Called about a refund", "authorEmail": "staff@example.com"}]
    assert empty["data"]["crmCustomerNoteAdd"]["errors"] == [
        {"field": "note", "message": "The note is empty.", "code": "REQUIRED"}]
    assert missing["data"]["crmCustomerNoteAdd"]["errors"][0]["code"] == "NOT_FOUND"
    assert malformed["data"]["crmCustomerNoteAdd"]["errors"][0]["code"] == "INVALID_ID"
    assert error_codes(shopper) == ["permission_denied"]
    assert CustomerNote.objects.count() == 1


def test_staff_update_a_customers_consent_per_channel_with_proof(gql, record_shop):
    # given
    mutation = operation("staff/marketing-consent")
    customer = gid("User", 200)
    # when
    _, subscribed = gql(mutation, {"customerId": customer, "channel": "web", "state": "SUBSCRIBED"},
                        bearer=staff_token())
    _, unsubscribed = gql(mutation, {"customerId": customer, "channel": "outlet", "state": "UNSUBSCRIBED"},
                          bearer=staff_token())
    _, shopper = gql(mutation, {"customerId": customer, "channel": "web", "state": "UNSUBSCRIBED"},
                     bearer=token(user_id=100))
    # then
    result = subscribed["data"]["crmMarketingConsentUpdate"]
    assert result["errors"] == [] and result["consent"]["state"] == "SUBSCRIBED"
    assert result["consent"]["source"] == "STAFF"
    assert unsubscribed["data"]["crmMarketingConsentUpdate"]["customer"]["consents"] == [
        {"channel": "outlet", "state": "UNSUBSCRIBED"}, {"channel": "web", "state": "SUBSCRIBED"}]
    profile = CustomerProfile.objects.get(user_id=200)
    records = ConsentRecord.objects.filter(profile=profile).order_by("at", "pk")
    assert [(r.channel, r.state, r.source, r.detail) for r in records] == [
        ("web", "subscribed", "staff", {"staff": "staff@example.com"}),
        ("outlet", "unsubscribed", "staff", {"staff": "staff@example.com"})]
    assert error_codes(shopper) == ["permission_denied"]


@pytest.mark.parametrize("variables, code, field", [
    ({"customerId": "zzz"}, "INVALID_ID", "customerId"),
    ({"customerId": gid("CRMCustomer", 999999)}, "NOT_FOUND", "customerId"),
    ({"channel": "web shop"}, "INVALID_CHANNEL", "channel"),
    ({"channel": "c" * 256}, "INVALID_CHANNEL", "channel"),
])
def test_bad_consent_updates_get_codes_and_change_nothing(gql, record_shop, variables, code, field):
    variables = {"customerId": gid("User", 200), "channel": "web", "state": "SUBSCRIBED", **variables}
    _, body = gql(operation("staff/marketing-consent"), variables, bearer=staff_token())
    errors = body["data"]["crmMarketingConsentUpdate"]["errors"]
    assert [(e["code"], e["field"]) for e in errors] == [(code, field)]
    assert not ConsentRecord.objects.exists()


ALL_FIELDS = """query($id: ID!) { crmCustomer(id: $id) {
  id userId email firstName lastName isGuest isActive consents { channel state source updatedAt }
  orderCount placedCount cancelledCount refundedCount firstOrderAt lastOrderAt meanDaysBetweenOrders
  favouriteProducts { productId name quantity orders } favouriteCategories { name quantity } channels
  openCheckouts abandonedCheckouts createdAt spend { currency orderCount revenue { amount currency }
  averageOrderValue { amount currency } }
  recentOrders(first: 1) { id number channel status trackingState isPaid isFulfilled isCancelled isRefunded
    placedAt total { amount currency } lines { productId productName variantName sku quantity
    unitPrice { amount currency } totalPrice { amount currency } } }
} }"""


def test_every_customer_field_has_its_value(gql, record_shop, events, ingest):
    # given: one more, cancelled, order in EUR on another channel, and an open checkout
    ingest(events.order(email="jazz0@example.com", user_id=100, channel="eu-web", currency="EUR",
                        at=record_shop["products"][0].occurred_at.replace(year=2026), status="canceled",
                        lines=[events.line(product_id=2, price="20.00", category="Vinyl")]),
           events.checkout(token="open-1", user_id=100, email="jazz0@example.com", at=clock.now()))
    ingest(events.order("order.cancelled", order_id=CustomerProfile.objects.get(user_id=100).orders.order_by(
        "-placed_at").first().order_id, email="jazz0@example.com", user_id=100, channel="eu-web", currency="EUR",
        at=record_shop["products"][0].occurred_at.replace(year=2026), status="canceled",
        lines=[events.line(product_id=2, price="20.00", category="Vinyl")]))
    profile = CustomerProfile.objects.get(user_id=100)
    # when
    _, body = gql(ALL_FIELDS, {"id": gid("CRMCustomer", profile.pk)}, bearer=staff_token())
    # then
    assert "errors" not in body, body
    c = body["data"]["crmCustomer"]
    assert (c["email"], c["isGuest"], c["isActive"], c["consents"]) == ("jazz0@example.com", False, True, [])
    assert (c["orderCount"], c["placedCount"], c["cancelledCount"], c["refundedCount"]) == (4, 5, 1, 0)
    assert c["openCheckouts"] == 1 and c["abandonedCheckouts"] == 0
    assert {cat["name"] for cat in c["favouriteCategories"]} >= {"Vinyl", "Pantry"}
    assert c["favouriteProducts"][0]["orders"] == 4
    assert set(c["channels"]) >= {"web"} and c["createdAt"]
    assert [s["currency"] for s in c["spend"]] == ["USD"]  # the cancelled EUR order does not count
    newest = c["recentOrders"][0]
    assert (newest["channel"], newest["trackingState"], newest["isCancelled"]) == ("eu-web", "CANCELLED", True)
    assert newest["total"] == {"amount": 20.0, "currency": "EUR"}
    assert newest["lines"][0]["unitPrice"] == {"amount": 20.0, "currency": "EUR"}
    assert newest["lines"][0]["sku"] == "" and newest["lines"][0]["variantName"] == ""


@pytest.mark.parametrize("sort", ["ORDER_COUNT", "LAST_ORDER", "FIRST_ORDER", "EMAIL", "CREATED"])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
def test_every_sort_orders_customers(gql, record_shop, sort, direction):
    field = {"ORDER_COUNT": "orderCount", "LAST_ORDER": "lastOrderAt", "FIRST_ORDER": "firstOrderAt",
             "EMAIL": "email", "CREATED": "createdAt"}[sort]
    query = f"""query {{ crmCustomers(first: 20, sortBy: {{field: {sort}, direction: {direction}}}) {{
        edges {{ node {{ {field} }} }} }} }}"""
    _, body = gql(query, bearer=staff_token())
    values = [e["node"][field] for e in body["data"]["crmCustomers"]["edges"]]
    assert len(values) == 8 and values == sorted(values, reverse=direction == "DESC")


def test_date_guest_and_order_count_filters(gql, record_shop, events, ingest):
    ingest(events.order(email="guest@example.com", channel="web"))
    query = """query($filter: CRMCustomerFilterInput) { crmCustomers(filter: $filter, first: 50) {
        totalCount edges { node { email } } } }"""

    def emails(filter):
        _, body = gql(query, {"filter": filter}, bearer=staff_token())
        return body, sorted(e["node"]["email"] for e in (body["data"] or {}).get("crmCustomers", {}).get("edges", []))

    assert emails({"isGuest": True})[1] == ["guest@example.com"]
    assert emails({"maxOrders": 1})[1] == ["guest@example.com"]
    assert len(emails({"lastOrderAfter": "2025-03-22T00:00:00+00:00"})[1]) == 8  # the fans' 4th orders
    assert emails({"lastOrderBefore": "2025-03-22T00:00:00+00:00"})[1] == ["guest@example.com"]
    naive, _ = emails({"lastOrderAfter": "2025-03-22T00:00:00"})
    assert error_codes(naive) == ["invalid"] and naive["errors"][0]["extensions"]["field"] == "lastOrderAfter"


SPEND = """query Spend($email: String!) { crmCustomer(email: $email) {
  spend { currency revenue { amount } averageOrderValue { amount } } } }"""


@pytest.mark.parametrize("currency, prices, revenue, average", [
    ("USD", ["10.000", "20.000", "113.979"], 143.98, 47.99),  # 47.993 USD is shown as 47.99
    ("JPY", ["1000", "1001", "1000"], 3001, 1000),  # the yen has no minor unit
    ("KWD", ["1.2345", "1.0000", "1.0000"], 3.235, 1.078),  # the dinar has three
])
def test_money_is_shown_in_the_currency_s_precision(gql, events, ingest, currency, prices, revenue, average):
    # given three orders whose average has more decimals than the currency
    ingest(*(events.order(email="ann@example.com", currency=currency, lines=[events.line(price=p)])
             for p in prices))
    # when staff read the customer's spend
    _, body = gql(SPEND, {"email": "ann@example.com"}, bearer=staff_token())
    # then amounts are rounded to the currency's minor unit
    spend, = body["data"]["crmCustomer"]["spend"]
    assert spend["currency"] == currency
    assert spend["revenue"]["amount"] == revenue and spend["averageOrderValue"]["amount"] == average


@pytest.mark.parametrize("sort", ["CLV", "CHURN_RISK"])
@pytest.mark.parametrize("direction", ["ASC", "DESC"])
def test_sorting_by_a_score_uses_that_currencys_figures_and_puts_the_unscored_last(gql, record_shop, sort,
                                                                                  direction):
    from saleor_crm_plugin.models import CustomerAnalytics, CustomerProfile
    from saleor_crm_plugin.profiles.scores import recompute_scores

    # given: everyone scored in USD; one more customer with no USD figures
    recompute_scores()
    CustomerProfile.objects.create(email="unscored@example.com")
    column = {"CLV": "clv_12m", "CHURN_RISK": "churn_risk"}[sort]
    scores = dict(CustomerAnalytics.objects.filter(currency="USD").values_list("profile__email", column))
    query = f"""query {{ crmCustomers(first: 50, sortBy: {{field: {sort}, direction: {direction}, currency: "usd"}})
        {{ edges {{ node {{ email }} }} }} }}"""
    # when
    _, body = gql(query, bearer=staff_token())
    # then
    emails = [e["node"]["email"] for e in body["data"]["crmCustomers"]["edges"]]
    assert emails[-1] == "unscored@example.com" and len(scores) >= 8
    ranked = [scores[e] for e in emails[:-1] if e in scores]
    assert ranked == sorted(ranked, reverse=direction == "DESC")


def test_sorting_by_a_score_needs_its_currency(gql, record_shop):
    query = "{ crmCustomers(first: 5, sortBy: {field: CLV, direction: DESC}) { totalCount } }"
    _, body = gql(query, bearer=staff_token())
    assert [(e["extensions"]["code"], e["extensions"].get("field")) for e in body["errors"]] == [
        ("required", "sortBy.currency")]
