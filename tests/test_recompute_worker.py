"""Recompute now with real parts: two web processes ask at once through a real broker, one real worker runs it."""

import subprocess
import sys
import time

import pytest

from saleor_crm_plugin.models import CustomerAnalytics, RecomputeRun
from tests.celery_processes import ROOT, Worker, broker, host_env, wait_until_folded  # noqa: F401 (fixture)
from tests.test_scheduling import record_orders, succeeded

pytestmark = [pytest.mark.durability, pytest.mark.django_db(transaction=True)]

REQUEST = ("import django; django.setup(); from saleor_crm_plugin.recompute import start_recompute; "
           "run, started = start_recompute('staff'); print(run.pk, started)")


def request_in_another_process(env: dict) -> subprocess.Popen:
    """What the staff mutation does, in a process of its own (a web worker of the shop)."""
    return subprocess.Popen([sys.executable, "-c", REQUEST], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def test_two_requests_at_once_make_one_run_that_a_worker_takes_to_done(broker, tmp_path):
    # given: 30 orders folded by a worker's start-up fold
    record_orders(30, seed=7)
    broker.start()
    env = host_env(broker)
    worker = Worker(env, beat=False, logfile=tmp_path / "worker.log")
    try:
        wait_until_folded(30, timeout=60)
        # when: two processes ask at the same moment
        asks = [request_in_another_process(env) for _ in range(2)]
        answers = sorted(tuple(ask.communicate(timeout=60)[0].split()) for ask in asks)
        assert all(ask.returncode == 0 for ask in asks), [ask.stderr.read() for ask in asks]
        # then: one run; the worker takes it to done
        deadline = time.monotonic() + 60
        while RecomputeRun.objects.get().state not in ("done", "failed") and time.monotonic() < deadline:
            time.sleep(0.2)
        worker.wait_for(succeeded("recompute_now"), timeout=10)  # the log lags the commit
    finally:
        worker.stop()
    run = RecomputeRun.objects.get()
    assert [answer[0] for answer in answers] == [str(run.pk)] * 2
    assert sorted(answer[1] for answer in answers) == ["False", "True"]
    assert (run.state, run.done, run.total, run.error) == ("done", 3, 3, "")
    assert CustomerAnalytics.objects.exists() and sum(run.figures["scores"]["customers"].values()) == \
        CustomerAnalytics.objects.count()
