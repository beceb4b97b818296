"""Scheduling with real parts: beat under django-celery-beat's DatabaseScheduler, and a worker's start-up fold.

DatabaseScheduler is the base class of ``saleor.schedulers.schedulers.DatabaseScheduler``,
the scheduler a Saleor shop runs beat with.
"""

import re
import time

import pytest
from django.db import transaction
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from saleor_crm_plugin.events.outbox import record
from saleor_crm_plugin.models import CRMEvent, CustomerProfile
from saleor_crm_plugin.schedule import SWEEP_TASK
from tests.celery_processes import Beat, Worker, broker, host_env, wait_until_folded  # noqa: F401 (fixture)
from tests.durability_orders import build_event, planned_orders

pytestmark = [pytest.mark.durability, pytest.mark.django_db(transaction=True)]

SWEEP_INTERVAL = 3
CRM_ENTRIES = ["crm-abandoned-checkouts", "crm-automations", "crm-campaign-dispatcher", "crm-forget-expired",
               "crm-nightly-analytics", "crm-nightly-propensity", "crm-nightly-training", "crm-outbox-sweeper"]
FIRST_SWEEP_SENT = r"Sending due task crm-outbox-sweeper \(saleor_crm_plugin\.tasks\.sweep_outbox\)"


def succeeded(task: str, result: str = "") -> str:
    """A pattern for the worker's log line of ``task`` succeeding (with a result starting ``result``)."""
    return rf"saleor_crm_plugin\.tasks\.{task}\[[^\]]+\] succeeded in [^:]+: " + re.escape(result)


def record_orders(count: int, seed: int) -> None:
    """Record orders in this process, one transaction each; tests never publish a fold on commit (conftest)."""
    for order in planned_orders(count, seed):
        with transaction.atomic():
            record(build_event(order), source="plugin")


def task_results(log: str, task: str) -> list[str]:
    """What each run of ``task`` returned, from the worker's log."""
    return re.findall(succeeded(task) + "(.*)", log)


def test_an_event_no_task_was_published_for_is_folded_by_the_sweeper_within_two_intervals(broker, tmp_path):
    # given: a database an older set-up left behind (the sweeper at 60 s, a job since removed),
    # a worker, and beat under the database scheduler with a 3 s sweeper
    every_minute = IntervalSchedule.objects.create(every=60, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="crm-outbox-sweeper", task=SWEEP_TASK, interval=every_minute)
    PeriodicTask.objects.create(name="crm-retired-job", task="saleor_crm_plugin.tasks.retired", interval=every_minute)
    broker.start()
    env = host_env(broker, SALEOR_CRM_SWEEP_INTERVAL_SECONDS=str(SWEEP_INTERVAL), SALEOR_CRM_SWEEP_AFTER_SECONDS="1")
    worker = Worker(env, beat=False, logfile=tmp_path / "worker.log")
    beat = Beat(env, logfile=tmp_path / "beat.log")
    try:
        started = time.monotonic()
        worker.wait_for(succeeded("process_outbox"), timeout=60)  # so the start-up fold cannot take our event
        beat.wait_for(FIRST_SWEEP_SENT, timeout=60)
        start_up = time.monotonic() - started

        # when: an event is recorded and no task is published for it
        recorded = time.monotonic()
        record_orders(1, seed=3)
        wait_until_folded(1, timeout=2 * SWEEP_INTERVAL)
        folded_after = time.monotonic() - recorded
        worker.wait_for(succeeded("sweep_outbox", "{'processed': 1,"), timeout=10)  # the log lags the commit
    finally:
        beat.stop()
        worker.stop()

    # then: the sweeper folded it within two intervals
    print(f"start-up {start_up:.1f}s, folded {folded_after:.2f}s after recording (interval {SWEEP_INTERVAL}s)")
    assert folded_after < 2 * SWEEP_INTERVAL
    log = worker.text()
    assert task_results(log, "process_outbox") == ["{'processed': 0, 'rejected': 0}"]  # the start-up fold only
    assert "{'processed': 1, 'rejected': 0}" in task_results(log, "sweep_outbox")
    assert CRMEvent.objects.get().status == "processed"
    assert CustomerProfile.objects.get().order_count == 1
    # and the entries were registered before the scheduler read beat_schedule (no repair on beat_init),
    # the scheduler's table holds each once, as registered now, and nothing stale
    assert "missing or outdated" not in beat.text()
    rows = PeriodicTask.objects.filter(name__startswith="crm-").select_related("interval")
    assert sorted(row.name for row in rows) == CRM_ENTRIES
    sweeper = rows.get(name="crm-outbox-sweeper")
    assert (sweeper.interval.every, sweeper.interval.period) == (SWEEP_INTERVAL, IntervalSchedule.SECONDS)


def test_a_worker_that_starts_folds_rows_left_pending_without_beat(broker, tmp_path):
    # given: 20 events recorded while no task was published, and no beat anywhere
    record_orders(20, seed=4)
    assert CRMEvent.objects.filter(status="pending").count() == 20
    broker.start()
    env = host_env(broker)

    # when: a worker starts
    worker = Worker(env, beat=False, logfile=tmp_path / "worker.log")
    try:
        wait_until_folded(20, timeout=60)
        worker.wait_for(succeeded("process_outbox"), timeout=10)  # the log lags the commit
    finally:
        worker.stop()

    # then: its start-up fold took them all
    assert task_results(worker.text(), "process_outbox") == ["{'processed': 20, 'rejected': 0}"]
    assert task_results(worker.text(), "sweep_outbox") == []
    assert sum(p.order_count for p in CustomerProfile.objects.all()) == 20
