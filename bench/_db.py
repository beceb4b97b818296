"""Benchmarks run against their own PostgreSQL database, created afresh."""

import os

import psycopg


def fresh_database(name: str) -> None:
    """Drop and create database ``name`` on the server of DATABASE_URL, then point Django at it."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/saleor_crm")
    server, _, _ = base.rpartition("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = f"{server}/{name}"
    _setup()


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_host.settings")
    os.environ["SALEOR_CRM_FOLD_ON_COMMIT"] = "0"

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def existing_database(name: str) -> bool:
    """Point Django at database ``name`` on the server of DATABASE_URL if it exists (migrated); else False."""
    base = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/saleor_crm")
    server, _, _ = base.rpartition("/")
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            return False
    os.environ["DATABASE_URL"] = f"{server}/{name}"
    _setup()
    return True


def percentile(values, q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def reset_crm_tables() -> None:
    """Empty every CRM table between benchmark phases."""
    from django.apps import apps
    from django.db import connection

    tables = [m._meta.db_table for m in apps.get_app_config("saleor_crm_plugin").get_models()]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")


def clone(table: str, template_id: int, count: int, overrides: dict[str, str]) -> None:
    """``count`` copies of row ``template_id`` of ``table`` (``g`` is the copy's number), columns overridden by SQL."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s "
                       "ORDER BY ordinal_position", [table])
        columns = [c for (c,) in cursor.fetchall() if c != "id"]
        values = [overrides.get(c, f"t.{c}") for c in columns]
        cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} "  # noqa: S608
                       f"FROM {table} t, generate_series(1, %s) g WHERE t.id = %s", [count, template_id])
