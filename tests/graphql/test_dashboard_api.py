"""What the Dashboard's widgets and pages ask beyond the customer API: the customer of an order, the channels of
a product, the trained recommendation versions, training on demand."""

import pytest

from saleor_crm_plugin.models import RecommendationModel
from tests.conftest import T0
from tests.graphql.conftest import error_codes, gid, operation, staff_token, token

pytestmark = pytest.mark.django_db

BY_ORDER = operation("staff/customer-by-order")
CHANNELS = operation("staff/product-channels")
INSIGHT = operation("staff/product-insight")
MODELS = operation("staff/recommendation-models")
TRAIN = operation("staff/recommendation-train")


def test_the_customer_of_a_saleor_order(gql, events, ingest):
    ingest(events.order(order_id="6a0b2b33-2f0e-4c8a-9d57-1c1f9a9e1234", email="ann@example.com"))
    _, body = gql(BY_ORDER, {"order": gid("Order", "6a0b2b33-2f0e-4c8a-9d57-1c1f9a9e1234")}, bearer=staff_token())
    _, unknown = gql(BY_ORDER, {"order": gid("Order", "00000000-0000-0000-0000-000000000000")}, bearer=staff_token())
    _, bad = gql(BY_ORDER, {"order": gid("Product", "1")}, bearer=staff_token())
    _, both = gql("{ crmCustomer(email: \"ann@example.com\", orderId: \"T3JkZXI6MQ==\") { email } }",
                  bearer=staff_token())
    assert body["data"]["crmCustomer"] == {"email": "ann@example.com", "orderCount": 1}
    assert unknown["data"]["crmCustomer"] is None
    assert error_codes(bad) == ["invalid_id"] and error_codes(both) == ["required"]


def test_the_channels_a_product_is_available_in(gql, events, ingest):
    ingest(events.product(product_id=7, listings=[{"channel": "web", "is_published": True},
                                                  {"channel": "outlet", "is_published": True},
                                                  {"channel": "hidden", "is_published": False}]))
    _, body = gql(CHANNELS, {"product": gid("Product", 7)}, bearer=staff_token())
    _, unknown = gql(CHANNELS, {"product": gid("Product", 8)}, bearer=staff_token())
    assert body["data"]["crmProductChannels"] == ["outlet", "web"] and unknown["data"]["crmProductChannels"] == []


def test_a_products_buyers_repeat_buyers_and_revenue_per_currency(gql, events, ingest):
    from datetime import timedelta

    tea, cake = events.line(7, quantity=2, price="4.50"), events.line(8, price="3.00")
    ingest(events.order(email="ann@example.com", lines=[tea, cake], at=T0))
    ingest(events.order(email="ann@example.com", lines=[tea, events.line(7, price="4.50")], at=T0 + timedelta(days=9)))
    ingest(events.order(email="bob@example.com", lines=[tea], at=T0 + timedelta(days=3), currency="EUR"))
    ingest(events.order(email="cy@example.com", lines=[cake], at=T0))
    ingest(events.order(email="dee@example.com", lines=[tea], at=T0, status="canceled"))  # does not count
    _, body = gql(INSIGHT, {"product": gid("Product", 7)}, bearer=staff_token())
    _, never = gql(INSIGHT, {"product": gid("Product", 99)}, bearer=staff_token())
    _, shopper = gql(INSIGHT, {"product": gid("Product", 7)}, bearer=token(user_id=5))
    insight = body["data"]["crmProductInsight"]
    assert (insight["buyers"], insight["repeatBuyers"], insight["repeatRate"]) == (2, 1, 0.5)
    # ann's second order has the product on two lines: one order, three units
    assert (insight["orders"], insight["units"]) == (3, 7)
    assert insight["revenue"] == [
        {"currency": "EUR", "orders": 1, "units": 2, "revenue": {"amount": 9.0, "currency": "EUR"}},
        {"currency": "USD", "orders": 2, "units": 5, "revenue": {"amount": 22.5, "currency": "USD"}},
    ]
    assert insight["firstOrderedAt"].startswith(T0.date().isoformat())
    assert never["data"]["crmProductInsight"]["buyers"] == 0 and never["data"]["crmProductInsight"]["revenue"] == []
    assert error_codes(shopper) == ["permission_denied"]


def test_trained_versions_newest_first_with_their_evaluation(gql):
    for n, active in ((1, False), (2, True)):
        RecommendationModel.objects.create(version=f"v{n}", status="active" if active else "retired",
                                           is_active=active, trained_at=T0, metrics={"for_you": {"recall@10": 0.1 * n}},
                                           counts={"orders": 10 * n})
    _, body = gql(MODELS, bearer=staff_token())
    _, too_many = gql("{ crmRecommendationModels(first: 500) { version } }", bearer=staff_token())
    models = body["data"]["crmRecommendationModels"]
    assert [(m["version"], m["isActive"]) for m in models] == [("v2", True), ("v1", False)]
    assert '"recall@10": 0.2' in models[0]["metrics"] and '"orders": 20' in models[0]["counts"]
    assert error_codes(too_many) == ["out_of_range"]


def test_train_now_hands_the_training_to_a_worker_and_is_for_staff_only(gql):
    # (the host's broker is the machine's Redis; the task only has to be handed over)
    _, body = gql(TRAIN, bearer=staff_token())
    _, shopper = gql(TRAIN, bearer=token(user_id=5))
    assert body["data"]["crmRecommendationTrain"] == {"queued": True, "errors": []}
    assert error_codes(shopper) == ["permission_denied"]
