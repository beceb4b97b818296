"""Set-based SQL helpers for the hot paths (ORM bulk_update is far too slow)."""

import psycopg
from django.db import connection


def binding_cursor() -> psycopg.Cursor:
    """A server-side-binding cursor on Django's connection (same transaction).

    Django's psycopg 3 backend quotes parameters client-side by default,
    which costs seconds for large arrays; binding them server-side does not.
    """
    connection.ensure_connection()
    return psycopg.Cursor(connection.connection)


def bulk_set(table: str, columns: dict[str, str], rows: list[tuple], *, extra: str = "") -> None:
    """``UPDATE table SET col = v.col … FROM unnest(arrays) v WHERE table.id = v.id``.

    ``columns`` maps column name → PostgreSQL type, the first being ``id``;
    each row is a tuple in that order. ``extra`` adds literal assignments.
    JSON columns are passed as text and cast.
    """
    if not rows:
        return
    names = list(columns)
    arrays = [list(values) for values in zip(*rows, strict=True)]
    unnest = ", ".join(
        f"%b::{'text' if columns[n] == 'jsonb' else columns[n]}[]" for n in names
    )
    assignments = [
        f"{n} = v.{n}::jsonb" if columns[n] == "jsonb" else f"{n} = v.{n}" for n in names[1:]
    ]
    if extra:
        assignments.append(extra)
    sql = (
        f"UPDATE {table} SET {', '.join(assignments)} "  # noqa: S608 - identifiers are ours
        f"FROM unnest({unnest}) AS v({', '.join(names)}) WHERE {table}.id = v.id"
    )
    with binding_cursor() as cursor:
        cursor.execute(sql, arrays)


FOLD_LOCK_ID = 0x43524D01  # "CRM" + 1


def take_fold_lock() -> None:
    """Serialize folding and profile recomputation (transaction-scoped advisory lock)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [FOLD_LOCK_ID])
