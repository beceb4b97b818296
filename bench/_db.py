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
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "crm_host.settings")
    os.environ["SALEOR_CRM_FOLD_ON_COMMIT"] = "0"

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


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
