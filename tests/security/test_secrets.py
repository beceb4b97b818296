"""Secrets have no defaults: the host refuses to start without SECRET_KEY, and the documented production
settings pass Django's deployment checks. The live host itself answers as production does."""

import os
import subprocess
import sys

import pytest

from tests.graphql.conftest import staff_token
from tests.live_host import ROOT, live_host, live_host_settings  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db(transaction=True)

# docs/operations.md, "Production settings": what a production host's environment holds.
DOCUMENTED_PRODUCTION = {
    "DEBUG": "0", "SECRET_KEY": "x7Qm-3vLr9_KpT2wZ8aB5nY1cD6eF4gH0jS-uV7iO3lNq8Rt2Xw5Zb0Kd", "ALLOWED_HOSTS": "crm.shop.example.com",
    "CRM_HTTPS": "1", "DATABASE_URL": "postgres://crm@db.internal:5432/crm", "PUBLIC_URL": "https://crm.shop.example.com",
}


def _without_secret() -> dict:
    env = {key: value for key, value in os.environ.items() if key != "SECRET_KEY"}
    return {**env, "DEBUG": "0", "DJANGO_SETTINGS_MODULE": "crm_host.settings", "PYTHONPATH": str(ROOT)}


@pytest.mark.parametrize("command", [
    ["-m", "gunicorn", "crm_host.wsgi:application", "--workers", "1", "--bind", "127.0.0.1:0"],
    ["manage.py", "check"],
], ids=["gunicorn", "manage.py"])
def test_without_a_secret_key_the_host_exits_naming_the_setting(command):
    # when the host is started with DEBUG=0 and no SECRET_KEY
    result = subprocess.run([sys.executable, *command], cwd=ROOT, env=_without_secret(), capture_output=True,
                            text=True, timeout=60)
    # then it exits, and says which setting and how to make one
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "SECRET_KEY is not set: set the environment variable SECRET_KEY" in output, output[-3000:]


def test_a_short_secret_key_is_refused_too():
    result = subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT,
                            env={**_without_secret(), "SECRET_KEY": "change-me"}, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode != 0 and "SECRET_KEY is too short" in result.stderr


def test_the_documented_production_settings_pass_the_deployment_checks():
    env = {**_without_secret(), **DOCUMENTED_PRODUCTION}
    result = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_live_host_runs_without_debug_and_never_shows_a_debug_page(live_host):
    # when a staff member asks a question and a stranger asks for a page that does not exist
    answer = live_host.graphql("{ crmCustomers(first: 1) { totalCount } }", bearer=staff_token())
    missing = live_host.request("GET", "/no/such/page")
    # then the API answers, and the 404 is Django's plain one (DEBUG's page lists the URL patterns)
    assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
    assert missing.status_code == 404 and "URLconf" not in missing.text
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
