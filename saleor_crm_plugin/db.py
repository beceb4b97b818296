"""Set-based SQL helpers for the hot paths (ORM bulk_update is far too slow)."""

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import psycopg
from django.db import connection


def binding_cursor() -> psycopg.Cursor:
    """A server-side-binding cursor on Django's connection (same transaction).

    Django's psycopg 3 backend quotes parameters client-side by default,
    which costs seconds for large arrays; binding them server-side does not.
    """
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def stage_rows(table: str, columns: list[str], rows, *, analyze: bool = False) -> str:
    """COPY rows into a session temp table with ``table``'s column types; return its name.

    COPY rows are formatted in C, unlike array parameters, which psycopg
    dumps element by element in Python. The table lives for the session and
    is emptied at every commit (and here, before use).
    """
    name = "crm_stage_" + hashlib.sha1(f"{table}:{','.join(columns)}".encode()).hexdigest()[:12]
    column_list = ", ".join(columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {name} ON COMMIT DELETE ROWS AS "  # noqa: S608
            f"SELECT {column_list} FROM {table} WITH NO DATA; TRUNCATE {name}"
        )
        with cursor.cursor.copy(f"COPY {name} ({column_list}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        if analyze:
            # Temp tables have no statistics: a join with the staged rows
            # could otherwise be planned as a scan of the whole target table.
            cursor.execute(f"ANALYZE {name}")
    return name


def bulk_set(table: str, columns: list[str], rows: list[tuple], *, extra: str = "") -> None:
    """``UPDATE table SET col = s.col … FROM staged rows s WHERE table.id = s.id``.

    ``columns`` are column names, the first being ``id``; each row is a
    tuple in that order (the staging table takes the target's own types);
    JSON values are passed as JSON text. ``extra`` adds literal assignments.
    """
    if not rows:
        return
    names = list(columns)
    stage = stage_rows(table, names, rows, analyze=True)
    assignments = [f"{n} = s.{n}" for n in names[1:]]
    if extra:
        assignments.append(extra)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {', '.join(assignments)} FROM {stage} s "  # noqa: S608
            f"WHERE {table}.id = s.id"
        )


FOLD_LOCK_ID = 0x43524D01  # "CRM" + 1
BACKFILL_LOCK_ID = 0x43524D03  # "CRM" + 3


@contextmanager
def exclusive(lock_id: int) -> Iterator[bool]:
    """Hold a session-level advisory lock for the block; yields False, holding nothing, when another has it.

    For long jobs (training, backfill) that commit as they go, so a
    transaction-scoped lock would not do: one runs at a time, a second is
    told at once instead of waiting.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [lock_id])
        taken = cursor.fetchone()[0]
    try:
        yield taken
    finally:
        if taken:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [lock_id])


def take_fold_lock() -> None:
    """Serialize folding and profile recomputation (transaction-scoped advisory lock)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FOLD_LOCK_ID])


def array_columns_by_range(sql: str, params: list, low: int, high: int, chunk: int, width: int,
                           progress=None) -> tuple:
    """Run ``sql`` over the keys ``low``..``high`` a ``chunk`` at a time and join its columns as numpy arrays.

    ``sql`` returns one row of ``width`` arrays (``array_agg``) and takes
    ``params`` followed by the range's start (inclusive) and end (exclusive):
    a large table is read in bounded pieces, never row by row in Python.
    ``progress(done, total)`` follows the keys.
    """
    parts = [[] for _ in range(width)]
    with connection.cursor() as cursor:
        for start in range(low, high + 1, chunk):
            cursor.execute(sql, [*params, start, start + chunk])
            for part, values in zip(parts, cursor.fetchone()):
                part.append(np.asarray(values))
            if progress:
                progress(min(high + 1, start + chunk) - low, high + 1 - low)
    return tuple(np.concatenate(p) if p else np.zeros(0) for p in parts)

