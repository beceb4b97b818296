"""The standalone host as production runs it, for tests over real HTTP.

``gunicorn crm_host.wsgi`` with 2 sync workers and DEBUG=0, a random
SECRET_KEY, tokens verified against a JWKS served over HTTP by the tests'
issuer (``tests.graphql.conftest.ISSUER``), a private Redis broker, a Celery
worker and an aiosmtpd server on loopback that receives what the CRM mails.
All of them run against the test database, so a test writes its shop with the
ORM (``transactional_db``: committed, visible to the host) and then talks to
the host as an attacker or a shopper would.

A test module uses the ``live_host`` fixture (one host per module); it may
override ``live_host_settings`` (module scope) to pin CRM settings as
``SALEOR_CRM_<NAME>`` environment variables, the way an operator does.
"""

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests
from aiosmtpd.controller import Controller

from tests.campaigns.conftest import Inbox
from tests.celery_processes import Broker, Worker, free_port, host_env
from tests.graphql.conftest import ISSUER, ISSUER_URL

ROOT = Path(__file__).resolve().parent.parent
GUNICORN_WORKERS = 2
START_TIMEOUT = 60


class LiveHost:
    """One running host: its URL, its mailbox, and helpers to send requests."""

    def __init__(self, env: dict, workdir: Path, inbox: Inbox):
        self.env, self.workdir, self.inbox = env, workdir, inbox
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(workdir / "gunicorn.log", "w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "crm_host.wsgi:application", "--workers", str(GUNICORN_WORKERS),
             "--worker-class", "sync", "--timeout", "30", "--bind", f"127.0.0.1:{self.port}"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.session = requests.Session()
        self._wait_until_up()

    def _wait_until_up(self):
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"gunicorn exited with {self.process.returncode}:\n{self.logged()[-4000:]}")
            try:
                if requests.post(f"{self.url}/graphql/", json={"query": "{ __typename }"}, timeout=2).ok:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError(f"the host did not answer within {START_TIMEOUT}s:\n{self.logged()[-4000:]}")

    def clear_inbox(self):
        """Forget what the SMTP server received so far."""
        with self.inbox.lock:
            self.inbox.messages.clear()
            self.inbox.envelopes.clear()

    def logged(self) -> str:
        self.log.flush()
        return (self.workdir / "gunicorn.log").read_text()

    def graphql(self, query: str, variables: dict | None = None, *, bearer: str | None = None,
                body: bytes | str | None = None, headers: dict | None = None,
                path: str = "/graphql/") -> requests.Response:
        """POST a GraphQL request (or a raw ``body``) as a client would."""
        sent = {"Content-Type": "application/json", **(headers or {})}
        if bearer:
            sent["Authorization"] = f"Bearer {bearer}"
        data = body if body is not None else json.dumps({"query": query, "variables": variables or {}})
        return self.session.post(f"{self.url}{path}", data=data, headers=sent, timeout=60)

    def request(self, method: str, path: str, **kwargs) -> requests.Response:
        kwargs.setdefault("timeout", 60)
        kwargs.setdefault("allow_redirects", False)
        return self.session.request(method, f"{self.url}{path}", **kwargs)

    def stop(self):
        self.session.close()
        if self.process.poll() is None:
            os.killpg(self.process.pid, 15)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
        self.log.close()


def production_env(**extra) -> dict:
    """The environment of a production host, without the database and broker (given by the caller)."""
    return {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "CRM_LOG_LEVEL": "INFO", **extra}


@pytest.fixture(scope="module")
def live_host_settings() -> dict:
    """CRM settings pinned for the module's host, as ``{name: value}`` (``SALEOR_CRM_<NAME>``)."""
    return {}


@pytest.fixture(scope="module")
def live_host(django_db_setup, django_db_blocker, live_host_settings):
    """A production-like host with a worker and a mailbox, for the whole module."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (the live host's worker needs a broker)")
    workdir = Path(tempfile.mkdtemp(prefix="crm-live-host-"))
    jwks_url, jwks = ISSUER.serve()
    inbox = Inbox()
    smtp_port = free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    broker = Broker(free_port(), str(workdir))
    broker.start()
    with django_db_blocker.unblock():
        env = host_env(broker, **production_env(
            SALEOR_CRM_AUTO_TRAIN="0",
            SALEOR_CRM_SALEOR_URL=f"{jwks_url}/graphql/", SALEOR_CRM_JWT_ISSUER=ISSUER_URL,
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(smtp_port), PUBLIC_URL="https://api.shop.example.com",
            **{f"SALEOR_CRM_{name.upper()}": str(value) for name, value in
               {"public_url": "https://api.shop.example.com", "from_email": "news@shop.example.com",
                "shop_name": "Record Shop", **live_host_settings}.items()}))
    worker = Worker(env, beat=False, logfile=workdir / "worker.log")
    host = None
    try:
        host = LiveHost(env, workdir, inbox)
        host.worker = worker
        yield host
    finally:
        if host is not None:
            host.stop()
        worker.stop()
        broker.stop()
        smtp.stop()
        jwks.shutdown()
        shutil.rmtree(workdir, ignore_errors=True)


def wait_for(predicate, timeout: float = 20, interval: float = 0.1):
    """Poll ``predicate`` until it returns a true value (returned) or ``timeout`` seconds pass (None)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    return None
