import csv
from datetime import datetime, timezone

import pytest

from saleor_crm_plugin.events.backfill import run_backfill
from saleor_crm_plugin.events.sources.instacart import InstacartSource
from saleor_crm_plugin.models import BackfillCursor, CRMEvent, CRMOrder, CustomerProfile, ProductSnapshot
from tests.state import facts_state, profile_state

pytestmark = pytest.mark.django_db

HEADER = ["", "order_id", "user_id", "order_number", "order_dow", "order_hour_of_day",
          "days_since_prior_order", "product_id", "add_to_cart_order", "reordered"]


@pytest.fixture
def sample(tmp_path):
    """A small file in the Instacart sample's exact format: 3 users, 7 orders."""
    rows = []
    plan = {  # user: [(order_id, days_since_prior, hour, products)]
        1: [(11, "", 8, [196, 14084]), (12, "15.0", 7, [196]), (13, "21.0", 12, [196, 12427, 10258])],
        2: [(21, "", 9, [33120]), (22, "8.0", 10, [33120, 28985])],
        7: [(71, "", 23, [196]), (72, "30.0", 6, [45, 196])],
    }
    for user, orders in plan.items():
        for number, (order_id, gap, hour, products) in enumerate(orders, 1):
            for position, product in enumerate(products, 1):
                rows.append([len(rows), order_id, user, number, 2, hour, gap, product, f"{position}.0", "0.0"])
    path = tmp_path / "df_sample.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def test_instacart_import_builds_profiles_with_derived_dates(sample):
    # when
    report = run_backfill(InstacartSource(sample), batch_size=2)

    # then
    assert report.records == {"products": 7, "orders": 7}
    assert CRMOrder.objects.count() == 7 and ProductSnapshot.objects.count() == 7
    ann = CustomerProfile.objects.get(user_id=1)
    assert ann.email == "instacart-user-1@example.com"
    assert ann.order_count == 3
    # first order on the anchor + (user id mod 28) days at its hour; then the day gaps
    assert ann.first_order_at == datetime(2024, 1, 2, 8, tzinfo=timezone.utc)
    assert ann.last_order_at == datetime(2024, 2, 7, 12, tzinfo=timezone.utc)
    assert ann.mean_days_between_orders == pytest.approx((36 + 4 / 24) / 2, abs=1e-3)
    assert ann.favourite_products[0] == {
        "product_id": 196, "name": "Instacart product #196", "quantity": 3, "orders": 3}
    assert ProductSnapshot.objects.get(product_id=196).is_available_in("instacart")


def test_interrupted_backfill_resumes_and_matches_an_uninterrupted_one(sample):
    # given: a complete import to compare with
    run_backfill(InstacartSource(sample), batch_size=2)
    expected_profiles, expected_facts = profile_state(), facts_state()
    for model in (CRMEvent, CRMOrder, CustomerProfile, ProductSnapshot, BackfillCursor):
        model.objects.all().delete()

    # when: the import stops after 5 batches (4 of products, 1 of orders), then runs again
    first = run_backfill(InstacartSource(sample), batch_size=2, stop_after_batches=5)
    assert first.records == {"products": 7, "orders": 2}
    cursor = BackfillCursor.objects.get(entity="orders")
    assert (cursor.position, cursor.done, cursor.finished) == ("2", 2, False)
    second = run_backfill(InstacartSource(sample), batch_size=2)

    # then: it continued after the last batch and the result is the same
    assert second.records == {"products": 7, "orders": 7}
    assert second.events_stored == 5
    assert profile_state() == expected_profiles and facts_state() == expected_facts


def test_rerunning_a_finished_backfill_stores_nothing_twice(sample):
    run_backfill(InstacartSource(sample), batch_size=3)
    events = CRMEvent.objects.count()

    again = run_backfill(InstacartSource(sample), batch_size=3, restart=True)

    assert again.events_stored == 0
    assert CRMEvent.objects.count() == events == 14
    assert CustomerProfile.objects.filter(order_count__gt=0).count() == 3
