"""Recompute now (``saleor_crm_plugin.recompute``): after the first backfill, and on request; one run at a time,
progress on the run row, a dead run found out."""

import psycopg
import pytest
from django.db import connection

from saleor_crm_plugin import tasks
from saleor_crm_plugin.models import CustomerAnalytics, RecomputeRun, Segment
from saleor_crm_plugin.recompute import (
    QUEUED_FOR, RECOMPUTE_LOCK, STEPS, fail_abandoned, latest_run, run_recompute, start_recompute,
)
from tests.clock import ago, now
from tests.conftest import OrdersSource

pytestmark = pytest.mark.django_db

Reason, State = RecomputeRun.Reason, RecomputeRun.State


@pytest.fixture
def eager_worker(settings):
    """Tasks sent by name run at once in this process, as a worker would run them (Saleor without a broker)."""
    from crm_host.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False




def history(events, customers: int = 6):
    """Orders of the last year: customer n ordered n + 1 times, the last n * 40 days ago."""
    orders = []
    for n in range(customers):
        for k in range(n + 1):
            at = ago(days=n * 40 + k * 7 + 1)
            orders.append(events.order(email=f"c{n}@example.com", user_id=900 + n, at=at,
                                       lines=[events.line(product_id=1 + k, price="20.00")]))
    return orders


def rfm_members() -> int:
    return sum(Segment.objects.filter(is_predefined=True).values_list("member_count", flat=True))


def test_the_first_backfill_is_followed_at_once_by_scores_and_segments(events, eager_worker):
    # given: a shop whose history was never imported: nobody is scored, the RFM segments are empty
    assert not CustomerAnalytics.objects.exists() and rfm_members() == 0
    # when: the switch-on path imports it (the worker's backfill task, with Saleor's tables as the source)
    result = tasks.import_history(OrdersSource(history(events)))
    # then: every customer is scored and in one RFM segment, without waiting for the night
    run = RecomputeRun.objects.get()
    assert result["recompute"] == run.pk
    assert (run.state, run.reason, run.done, run.total, run.step) == (State.DONE, Reason.BACKFILL, 3, 3, "segments")
    assert run.started_at and run.finished_at >= run.started_at and run.error == ""
    assert CustomerAnalytics.objects.count() == 6 and rfm_members() == 6
    assert run.figures["scores"]["customers"] == {"USD": 6} and run.figures["segments"]["members"] >= 6
    # and a second switch-on (nothing new to fold) queues nothing
    tasks.import_history(OrdersSource(history(events)))
    assert RecomputeRun.objects.count() == 1


def test_an_empty_shop_backfill_queues_no_recompute(eager_worker):
    assert "recompute" not in tasks.import_history(OrdersSource([]))
    assert not RecomputeRun.objects.exists()


def test_a_second_request_while_one_is_queued_returns_that_one(events, ingest):
    # given: a run queued (handed to the host's broker, the machine's Redis; no worker of this database takes it)
    ingest(*history(events, 2))
    first, started = start_recompute(Reason.STAFF)
    # when
    second, started_again = start_recompute(Reason.STAFF)
    # then
    assert started and not started_again and second.pk == first.pk and first.state == State.QUEUED
    assert RecomputeRun.objects.count() == 1
    # and once it ran, the next request starts a new one
    run_recompute(first.pk)
    third, started_third = start_recompute(Reason.STAFF)
    assert started_third and third.pk != first.pk


def test_progress_is_recorded_step_by_step(events, ingest, monkeypatch):
    # given: a queued run, and each step observed as it starts (what the Dashboard reads between polls)
    ingest(*history(events, 3))
    run = RecomputeRun.objects.create(reason=Reason.STAFF, requested_at=now(), total=len(STEPS))
    seen = []
    from saleor_crm_plugin import recompute

    for step in STEPS:
        real = recompute.STEP_FUNCTIONS[step]

        def observed(at, real=real):
            row = RecomputeRun.objects.get(pk=run.pk)
            seen.append((row.state, row.step, row.done, row.total))
            return real(at)

        monkeypatch.setitem(recompute.STEP_FUNCTIONS, step, observed)
    # when
    run_recompute(run.pk)
    # then
    assert seen == [("running", "scores", 0, 3), ("running", "propensity", 1, 3), ("running", "segments", 2, 3)]
    assert RecomputeRun.objects.get(pk=run.pk).state == State.DONE


def test_a_failing_step_fails_the_run_with_its_error_and_frees_the_next(events, ingest, monkeypatch):
    from saleor_crm_plugin import recompute

    ingest(*history(events, 2))
    run = RecomputeRun.objects.create(reason=Reason.STAFF, requested_at=now(), total=3)

    def broken(at):
        raise RuntimeError("disk full")

    monkeypatch.setitem(recompute.STEP_FUNCTIONS, "propensity", broken)
    with pytest.raises(RuntimeError):
        run_recompute(run.pk)
    run.refresh_from_db()
    assert (run.state, run.step, run.done, run.error) == (State.FAILED, "propensity", 1, "propensity: disk full")
    assert run.finished_at and "scores" in run.figures
    assert not RecomputeRun.objects.filter(state__in=RecomputeRun.ACTIVE).exists()
    _, started = start_recompute(Reason.STAFF)
    assert started


def test_a_run_whose_worker_died_is_failed_and_a_live_one_is_not():
    # given: a run left "running" by a worker that died (nobody holds the lock)
    dead = RecomputeRun.objects.create(reason=Reason.STAFF, requested_at=now(), started_at=now(),
                                       state=State.RUNNING, total=3)
    # when / then: found out by the next read
    assert latest_run().state == State.FAILED and "stopped" in RecomputeRun.objects.get(pk=dead.pk).error
    # given: a running one whose worker (another session) holds the lock
    live = RecomputeRun.objects.create(reason=Reason.STAFF, requested_at=now(), started_at=now(),
                                       state=State.RUNNING, total=3)
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"],
                         autocommit=True) as worker:
        worker.execute("SELECT pg_advisory_lock(%s)", [RECOMPUTE_LOCK])
        kept = fail_abandoned()
        again, started = start_recompute(Reason.STAFF)
        worker.execute("SELECT pg_advisory_unlock(%s)", [RECOMPUTE_LOCK])
    # then: left running, and a request returns it
    assert kept == 0 and not started and again.pk == live.pk


def test_a_queued_run_no_worker_took_within_an_hour_is_failed():
    stuck = RecomputeRun.objects.create(reason=Reason.BACKFILL, total=3,
                                        requested_at=ago(seconds=QUEUED_FOR.total_seconds() + 60))
    fresh_enough = now() - QUEUED_FOR / 2
    assert fail_abandoned() == 1
    stuck.refresh_from_db()
    assert stuck.state == State.FAILED and "worker" in stuck.error
    waiting = RecomputeRun.objects.create(reason=Reason.STAFF, requested_at=fresh_enough, total=3)
    assert fail_abandoned() == 0 and RecomputeRun.objects.get(pk=waiting.pk).state == State.QUEUED
