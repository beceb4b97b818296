"""Durability with real parts: a Redis broker that goes down, a Celery worker and beat."""

import time
from collections import defaultdict
from decimal import Decimal

import pytest

from saleor_crm_plugin.models import CRMEvent, CustomerProfile
from tests.celery_processes import Worker, broker, create_orders, host_env, wait_until_folded  # noqa: F401 (fixture)
from tests.durability_orders import planned_orders

pytestmark = [pytest.mark.durability, pytest.mark.django_db(transaction=True)]


def expected_profiles(orders) -> dict:
    expected = defaultdict(lambda: {"orders": 0, "spend": defaultdict(Decimal)})
    for order in orders:
        total = sum((price * q for _, q, price in order["lines"]), Decimal(0))
        entry = expected[order["email"]]
        entry["orders"] += 1
        entry["spend"][order["currency"]] += total
    return expected


def test_orders_created_while_the_broker_is_down_are_folded_by_the_sweeper(broker, tmp_path):
    # given: the broker is down while 200 orders are placed
    env = host_env(broker, SALEOR_CRM_SWEEP_INTERVAL_SECONDS="1", SALEOR_CRM_SWEEP_AFTER_SECONDS="0")
    started = time.monotonic()
    result = create_orders(env, 200, seed=1)
    elapsed = time.monotonic() - started
    assert "CRM fold not enqueued (Error 111 connecting" in result.stderr, result.stderr[-2000:]
    # The publisher backs off after the first failure instead of blocking every order.
    assert result.stderr.count("CRM fold not enqueued") <= 3, result.stderr[-2000:]
    assert elapsed < 30, f"a dead broker slowed order creation down: {elapsed:.1f}s"
    assert CRMEvent.objects.filter(status="pending").count() == 200
    assert CustomerProfile.objects.count() == 0

    # when: the broker returns; a worker with beat folds them (its start-up fold, then the sweeper)
    broker.start()
    worker = Worker(env, beat=True, logfile=tmp_path / "worker.log")
    try:
        wait_until_folded(200)
        worker.wait_for(r"saleor_crm_plugin\.tasks\.sweep_outbox", timeout=30)  # beat runs the sweeper
    finally:
        worker.stop()

    # then: nothing lost, every profile exact
    orders = planned_orders(200, seed=1)
    expected = expected_profiles(orders)
    profiles = {p.email: p for p in CustomerProfile.objects.prefetch_related("spend")}
    assert set(profiles) == set(expected)
    for email, want in expected.items():
        profile = profiles[email]
        assert profile.order_count == want["orders"], email
        assert {s.currency: s.revenue for s in profile.spend.all()} == dict(want["spend"]), email
    assert CRMEvent.objects.exclude(status="processed").count() == 0


def test_with_the_broker_up_orders_are_folded_by_the_on_commit_task(broker, tmp_path):
    # given: a live broker and a worker without beat (no sweeper)
    broker.start()
    env = host_env(broker)
    worker = Worker(env, beat=False, logfile=tmp_path / "worker.log")
    try:
        # when
        result = create_orders(env, 30, seed=2)
        assert "CRM fold not enqueued" not in result.stderr
        wait_until_folded(30, timeout=60)
    finally:
        worker.stop()

    # then
    assert "saleor_crm_plugin.tasks.process_outbox" in (tmp_path / "worker.log").read_text()
    assert sum(p.order_count for p in CustomerProfile.objects.all()) == 30
