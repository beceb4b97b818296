"""What the Dashboard's widgets and pages ask beyond the customer API: the customer of an order, the channels of
a product, the trained recommendation versions, training on demand."""

import pytest

from saleor_crm_plugin.models import RecommendationModel
from tests.conftest import T0
from tests.graphql.conftest import error_codes, gid, operation, staff_token, token

pytestmark = pytest.mark.django_db

BY_ORDER = operation("staff/customer-by-order")
CHANNELS = operation("staff/product-channels")
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
