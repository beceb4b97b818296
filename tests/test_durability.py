"""Durability with real parts: a Redis broker that goes down, a Celery worker and beat."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection

from saleor_crm_plugin.models import CRMEvent, CustomerProfile, DirtyProfile
from tests.durability_orders import planned_orders

pytestmark = [pytest.mark.durability, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parent.parent
REDIS = shutil.which("redis-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Broker:
    """A private redis-server we can stop and start."""

    def __init__(self, port: int, workdir: str):
        self.port, self.workdir, self.process = port, workdir, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.workdir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture
def broker(tmp_path):
    if REDIS is None:
        pytest.skip("redis-server is not installed")
    broker = Broker(free_port(), str(tmp_path))
    yield broker
    broker.stop()


def host_env(broker: Broker, **extra) -> dict:
    settings = connection.settings_dict
    env = dict(os.environ)
    env.update(
        DATABASE_URL=f"postgres://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}",
        CELERY_BROKER_URL=broker.url,
        DJANGO_SETTINGS_MODULE="crm_host.settings",
        PYTHONPATH=str(ROOT),
        SALEOR_CRM_FOLD_ON_COMMIT="1",
        CELERY_BEAT_SCHEDULE_FILENAME=os.path.join(tempfile.mkdtemp(), "beat"),
        **extra,
    )
    return env


def create_orders(env: dict, count: int, seed: int) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tests.durability_orders", str(count), str(seed)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )


class Worker:
    def __init__(self, env: dict, beat: bool, logfile: Path):
        args = [sys.executable, "-m", "celery", "-A", "crm_host", "worker", "-l", "INFO",
                "--concurrency", "2", "--without-gossip", "--without-mingle", "-Q", "celery"]
        if beat:
            args.append("-B")
        self.log = open(logfile, "w")
        self.logfile = logfile
        self.process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def wait_until_folded(expected_processed: int, timeout: float = 90):
    """Every event processed and no profile left waiting for its recompute."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if (
            CRMEvent.objects.filter(status="processed").count() >= expected_processed
            and not DirtyProfile.objects.exists()
        ):
            return
        time.sleep(0.25)
    raise AssertionError(
        f"only {CRMEvent.objects.filter(status='processed').count()} of {expected_processed} folded"
    )


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

    # when: the broker returns and only the periodic sweeper (beat) can fold them
    broker.start()
    worker = Worker(env, beat=True, logfile=tmp_path / "worker.log")
    try:
        wait_until_folded(200)
    finally:
        worker.stop()

    # then: nothing lost, every profile exact
    log = (tmp_path / "worker.log").read_text()
    assert "saleor_crm_plugin.tasks.sweep_outbox" in log
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
