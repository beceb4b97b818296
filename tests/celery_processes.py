"""Real parts for the durability and scheduling tests: a private Redis, Celery workers and beat.

Each runs as its own process of the standalone host against the test
database, so what they see is what a shop's processes see.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.db import connection

from saleor_crm_plugin.models import CRMEvent, DirtyProfile

ROOT = Path(__file__).resolve().parent.parent
REDIS = shutil.which("redis-server")
DATABASE_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"  # the base of Saleor's scheduler


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
        # Run with the clock moved (docs/testing-against-saleor.md), the tests carry libfaketime in LD_PRELOAD;
        # redis-server's jemalloc cannot run with it, and nothing compares the broker's clock: it keeps the real one.
        env = {key: value for key, value in os.environ.items() if key not in ("LD_PRELOAD", "FAKETIME")}
        self.process = subprocess.Popen(
            [REDIS, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", self.workdir],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
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
    """Place ``count`` orders from another process, one transaction each (tests.durability_orders)."""
    return subprocess.run(
        [sys.executable, "-m", "tests.durability_orders", str(count), str(seed)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True,
    )


class CeleryProcess:
    """``celery -A crm_host …`` in its own process group, logging to a file."""

    def __init__(self, env: dict, command: list[str], logfile: Path):
        self.log = open(logfile, "w")
        self.logfile = logfile
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "crm_host", *command], cwd=ROOT, env=env,
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )

    def text(self) -> str:
        return self.logfile.read_text()

    def wait_for(self, pattern: str, timeout: float) -> float:
        """Seconds until the regular expression ``pattern`` matches the log (fails after ``timeout``)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if re.search(pattern, self.text()):
                return time.monotonic() - started
            if self.process.poll() is not None:
                raise AssertionError(f"celery exited with {self.process.returncode}:\n{self.text()[-3000:]}")
            time.sleep(0.1)
        raise AssertionError(f"{pattern!r} not logged within {timeout}s:\n{self.text()[-3000:]}")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


class Worker(CeleryProcess):
    def __init__(self, env: dict, beat: bool, logfile: Path):
        command = ["worker", "-l", "INFO", "--concurrency", "2", "--without-gossip", "--without-mingle",
                   "-Q", "celery"]
        super().__init__(env, command + (["-B"] if beat else []), logfile)


class Beat(CeleryProcess):
    def __init__(self, env: dict, logfile: Path, scheduler: str = DATABASE_SCHEDULER):
        super().__init__(env, ["beat", "-l", "INFO", "--scheduler", scheduler], logfile)


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
