"""crm_setup and crm_install_app outside Saleor, and the worker and beat checks against a real broker, worker and
beat (django-celery-beat's DatabaseScheduler, the base of Saleor's). The steps that need Saleor (switching the
plugin on, installing the app) are tested inside Saleor: tests/saleor/test_saleor_setup.py."""

import re
import time
from datetime import timedelta

import pytest
from celery import Celery
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from saleor_crm_plugin.readiness import MISSING, RUNNING, check_beat, check_worker, in_saleor
from tests.celery_processes import Beat, Worker, broker, free_port, host_env  # noqa: F401 (fixture)

FIRST_SWEEP_SENT = r"Sending due task crm-outbox-sweeper \(saleor_crm_plugin\.tasks\.sweep_outbox\)"


def test_the_standalone_host_is_not_saleor():
    assert in_saleor() is False


def test_crm_setup_outside_saleor_says_where_to_run_it():
    # when
    with pytest.raises(CommandError) as error:
        call_command("crm_setup")
    # then: one message, naming what is missing and where to run it
    assert "Saleor is not installed here" in str(error.value)
    assert "Saleor's manage.py" in str(error.value)


@pytest.mark.django_db
def test_crm_install_app_outside_saleor_is_a_message_not_a_traceback(settings):
    # given: a public URL, so the manifest URL can be built (the command used to fail on the import of Saleor)
    settings.PUBLIC_URL = "https://shop.example.com"
    # when
    with pytest.raises(CommandError) as error:
        call_command("crm_install_app")
    # then
    assert "Saleor is not installed here" in str(error.value)
    assert "Apps → Install external app" in str(error.value)


def test_an_unreachable_broker_is_reported_not_raised():
    # given: a broker URL nothing listens on
    app = Celery(broker=f"redis://127.0.0.1:{free_port()}/0", set_as_current=False)
    app.conf.broker_connection_retry = False
    app.conf.broker_transport_options = {"socket_connect_timeout": 1, "max_retries": 0}
    # when
    started = time.monotonic()
    step = check_worker(app, timeout=1)
    # then
    assert step.status == MISSING and "broker did not answer" in step.message, step
    assert "celery -A saleor.celeryconf:app worker" in step.remedy
    assert time.monotonic() - started < 15


@pytest.mark.durability
@pytest.mark.django_db(transaction=True)
def test_the_worker_and_beat_checks_say_what_is_missing_then_what_runs(broker, tmp_path):
    # given: a broker, and neither a worker nor beat
    broker.start()
    app = Celery(broker=broker.url, set_as_current=False)
    # when: checked twice
    first = [check_worker(app, timeout=1), check_beat()]
    second = [check_worker(app, timeout=1), check_beat()]
    # then: both missing, with the command to start each, the same each time
    assert first == second
    assert [step.status for step in first] == [MISSING, MISSING]
    assert "No Celery worker answered" in first[0].message and "worker -l info" in first[0].remedy
    assert "never started" in first[1].message
    assert "--scheduler saleor.schedulers.schedulers.DatabaseScheduler" in first[1].remedy

    # when: a worker and beat under the database scheduler run (the sweeper every second)
    env = host_env(broker, SALEOR_CRM_SWEEP_INTERVAL_SECONDS="1")
    worker = Worker(env, beat=False, logfile=tmp_path / "worker.log")
    beat = Beat(env, logfile=tmp_path / "beat.log")
    try:
        worker.wait_for(r"ready\.", timeout=60)
        beat.wait_for(FIRST_SWEEP_SENT, timeout=60)
        worker_step = check_worker(app, timeout=3)
    finally:
        beat.stop()  # beat writes its runs to the table when it stops (and every 3 minutes while it runs)
        worker.stop()
    beat_step = check_beat()

    # then: the worker knows the CRM's tasks, beat ran a CRM entry just now
    assert worker_step.status == RUNNING and "1 worker(s) with the CRM's tasks" in worker_step.message, worker_step
    assert beat_step.status == RUNNING, beat_step

    # and: once its last run is older than a running beat leaves it, beat is missing again
    PeriodicTask.objects.filter(name__startswith="crm-").update(last_run_at=timezone.now() - timedelta(hours=1))
    stale = check_beat()
    assert stale.status == MISSING and re.search(r"was 1:00:\d\d ago", stale.message), stale
