"""The set-up a new user meets: which database bin/test, bin/demo and tests/saleor use.

What ships in the release is tested by building it: tests/test_release.py."""

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from crm_host import devdb

ROOT = Path(__file__).resolve().parents[1]
SERVER = "postgres://postgres@127.0.0.1:5432"


def _database_exists(name: str) -> bool:
    with psycopg.connect(f"{SERVER}/postgres") as conn:
        return conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def _drop(name: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _devdb(*args: str, database_url: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    return subprocess.run([sys.executable, "-m", "crm_host.devdb", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture
def scratch_names():
    names = [f"crm_devdb_probe_{os.getpid()}_{i}" for i in range(2)]
    yield names
    for name in names:
        _drop(name)


def _mark_table(name: str) -> None:
    with psycopg.connect(f"{SERVER}/{name}", autocommit=True) as conn:
        conn.execute("CREATE TABLE kept (id int)")


def _has_table(name: str) -> bool:
    with psycopg.connect(f"{SERVER}/{name}") as conn:
        return conn.execute("SELECT to_regclass('kept') IS NOT NULL").fetchone()[0]


def test_database_url_is_used_in_full_and_never_dropped(scratch_names):
    # given: the user names their own database
    mine, default = scratch_names
    url = f"{SERVER}/{mine}"
    # when: bin/test's and bin/demo's calls (the demo asks for a fresh default database)
    first = _devdb(default, "--fresh", database_url=url)
    _mark_table(mine)
    second = _devdb(default, "--fresh", database_url=url)
    # then: their database, created once, kept with its contents; the default name untouched
    assert first.returncode == 0 and first.stdout.strip() == url, first.stderr
    assert second.returncode == 0 and second.stdout.strip() == url, second.stderr
    assert "not dropped" in second.stderr
    assert _has_table(mine)
    assert not _database_exists(default)


def test_the_demo_recreates_only_the_scratch_database_it_created(scratch_names):
    # given: no DATABASE_URL; the default database created fresh once, then filled
    _, default = scratch_names
    created = _devdb(default, "--fresh")
    _mark_table(default)
    # when
    recreated = _devdb(default, "--fresh")
    # then
    assert created.returncode == 0 and created.stdout.strip() == f"{SERVER}/{default}", created.stderr
    assert recreated.returncode == 0, recreated.stderr
    assert not _has_table(default)


def test_a_default_named_database_it_did_not_create_is_refused(scratch_names):
    # given: a database under the default name that the user made themselves
    _, default = scratch_names
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{default}"')
    _mark_table(default)
    # when
    refused = _devdb(default, "--fresh")
    # then
    assert refused.returncode == 1 and "not dropped" in refused.stderr and not refused.stdout
    assert _has_table(default)


@pytest.mark.django_db
def test_the_test_run_uses_the_database_named_in_database_url():
    # given: the name bin/test exported (DATABASE_URL's own, else saleor_crm)
    from django.db import connection

    named = devdb.server_and_name(os.environ.get("DATABASE_URL", f"{SERVER}/saleor_crm"))[1]
    # then: pytest-django's test database sits beside it
    assert connection.cursor().connection.info.dbname == f"test_{named}"


def _saleor_settings():
    spec = importlib.util.spec_from_file_location("crm_saleor_settings_probe",
                                                  ROOT / "tests" / "saleor" / "crm_saleor_settings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_saleor_tests_honour_database_url():
    settings = _saleor_settings()
    # then
    assert settings.database_url({"DATABASE_URL": f"{SERVER}/mydb"}) == f"{SERVER}/mydb"
    assert settings.database_url({"DATABASE_URL": f"{SERVER}/mydb",
                                  "CRM_SALEOR_DATABASE_URL": f"{SERVER}/other"}) == f"{SERVER}/other"
    assert settings.database_url({}) == f"{SERVER}/crm_saleor"
