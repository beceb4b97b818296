"""The outbox: how every source hands events to the CRM.

``record`` is what a Saleor hook calls inside Saleor's request. It performs
one INSERT into ``crm_event`` on Saleor's own database connection, so the row
commits or rolls back with Saleor's change, and asks Celery to fold it once
the transaction commits (published from a background thread, so a slow or
dead broker never delays the shop). If the broker is down the row simply
stays pending and the periodic sweeper folds it later; nothing is lost.
"""

import json
import logging
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor

import psycopg
from celery import current_app
from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from ..date_range import out_of_range
from ..error_codes import EventErrorCode
from ..text import is_storable_text
from ..normalized.schema import Event, InvalidEvent, _datetime, hash_key, parse_event, payload_dedupe_key
from ..normalized.storable import storable_json
from ..db import binding_cursor
from ..schedule import FOLD_TASK, publish

logger = logging.getLogger(__name__)

# One column list for the single (hook) and the bulk (backfill) insert.
INSERT_INTO = (
    "INSERT INTO crm_event (dedupe_key, kind, source, occurred_at, payload, raw, created_at, "
    "status, attempts, error_code, error_message) "
)
NEW_ROW_DEFAULTS = "'pending', 0, '', ''"
INSERT_SQL = (
    INSERT_INTO + f"VALUES (%s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, {NEW_ROW_DEFAULTS}) "
    "ON CONFLICT (dedupe_key) DO NOTHING"
)
# A payload that cannot be stored as it came is kept escaped and set aside at once.
REJECTED_INSERT_SQL = (
    "INSERT INTO crm_event (dedupe_key, kind, source, occurred_at, payload, raw, created_at, "
    "status, attempts, error_code, error_message, processed_at) "
    "VALUES (%s, %s, %s, %s, %s::jsonb, %s::jsonb, %s, 'rejected', 0, %s, %s, now()) "
    "ON CONFLICT (dedupe_key) DO NOTHING"
)


def _row(dedupe_key, kind, source, occurred_at, payload, raw, now):
    raw_json = None if raw is None else json.dumps(raw, default=str)
    if out_of_range(occurred_at, now):
        # The fold rejects the event for its date (``invalid_date``); the
        # row's own column must still read back into Python.
        occurred_at = now
    return (dedupe_key, kind[:40], source[:20], occurred_at, json.dumps(payload), raw_json, now)


def record(event: Event, *, source: str = "plugin", raw: dict | None = None) -> bool:
    """Store one normalized event in the outbox; return False if it was a duplicate.

    Inside a transaction (a Saleor request) the insert runs in a savepoint, so
    a failure rolls back only the outbox row, never the shop's change.
    """
    row = _row(event.dedupe_key, event.kind, source, event.occurred_at, event.to_payload(), raw, timezone.now())
    inserted = _insert(row)
    if inserted:
        schedule_fold()
    return inserted


def _insert(row, sql: str = INSERT_SQL) -> bool:
    if not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(sql, row)
            return cursor.rowcount == 1
    with connection.cursor() as cursor:
        if not isinstance(cursor.cursor, psycopg.ClientCursor):
            with transaction.atomic():
                cursor.execute(sql, row)
                return cursor.rowcount == 1
        # Savepoint, insert and release in one round trip (simple query
        # protocol): half the latency of Django's savepoint API.
        try:
            cursor.execute(f"SAVEPOINT crm_outbox; {sql}; RELEASE SAVEPOINT crm_outbox", row)
        except Exception:
            cursor.execute("ROLLBACK TO SAVEPOINT crm_outbox; RELEASE SAVEPOINT crm_outbox")
            raise
        cursor.cursor.nextset()  # the INSERT's result
        return cursor.cursor.rowcount == 1


BULK_INSERT_SQL = (
    INSERT_INTO
    + f"SELECT v.key, v.kind, v.source, v.at, v.payload::jsonb, v.raw::jsonb, v.created, {NEW_ROW_DEFAULTS} "
    "FROM unnest(%b::text[], %b::text[], %b::text[], %b::timestamptz[], %b::text[], %b::text[], "
    "%b::timestamptz[]) AS v(key, kind, source, at, payload, raw, created) "
    "ON CONFLICT (dedupe_key) DO NOTHING"
)


def record_many(
    events: Iterable[Event], *, source: str, raw: dict | None = None, enqueue: bool = True
) -> int:
    """Store many events in one statement (backfills, imports); return how many were new."""
    now = timezone.now()
    rows = [_row(e.dedupe_key, e.kind, source, e.occurred_at, e.to_payload(), raw, now) for e in events]
    if not rows:
        return 0
    with binding_cursor() as cursor:
        cursor.execute(BULK_INSERT_SQL, [list(column) for column in zip(*rows)])
        inserted = cursor.rowcount
    if inserted and enqueue:
        schedule_fold()
    return inserted


def record_payload(payload, *, source: str, raw=None) -> bool:
    """Store an untrusted payload (webhook, API) as it came; never raises for its content.

    ``payload`` may be any JSON value (or a Python value a caller made).
    Returns ``True`` when a new ``crm_event`` row was written and ``False``
    when the same payload was stored before (same dedupe key); either way it
    is kept, never dropped:

    * a JSON object jsonb can hold is stored ``pending``; the fold validates it
      and, if it is not a valid event, sets it ``rejected`` with its code
      (``unknown_kind``, ``invalid_date``, ``invalid_quantity``,
      ``invalid_amount``, ``missing_identity``, ``invalid`` …) and reason;
    * anything else (not an object; NaN or Infinity; text with NUL or an
      unpaired surrogate; an integer too long to write; nesting deeper than
      ``storable.MAX_DEPTH``) is stored at once as ``rejected``, in the
      escaped form of ``storable.storable_json``, with the code validation
      gives it (e.g. ``invalid_amount`` for a NaN total), else ``invalid``.

    ``raw`` is stored escaped the same way. Nothing about ``payload`` or
    ``raw`` raises (no ``InvalidEvent``, ``TypeError``, ``ValueError`` or
    ``RecursionError``); only a failing database does, and inside a
    transaction only the outbox row's savepoint is rolled back.
    """
    now = timezone.now()
    problems = []
    if not isinstance(payload, dict):
        problems.append(f"must be a JSON object, not {type(payload).__name__}")
        payload = {"invalid_payload": payload}
    text, escaped = storable_json(payload)
    problems += escaped
    try:
        occurred_at = _datetime(payload, "occurred_at")
    except InvalidEvent:
        occurred_at = now  # the row still needs a time; the fold rejects the date with its code
    kind = payload.get("kind")
    kind = kind[:40] if isinstance(kind, str) and kind and is_storable_text(kind) else "unknown"
    raw_text = None if raw is None else storable_json(raw)[0]
    key = payload_dedupe_key(payload) if not problems else hash_key("invalid", text)
    row = (key, kind, source[:20], occurred_at, text, raw_text, now)
    if problems:
        code, message = EventErrorCode.INVALID.value, "payload: " + "; ".join(problems) + "."
        if len(problems) == len(escaped):  # an object: the event's own validation names the field best
            try:
                parse_event(payload)
            except InvalidEvent as error:
                code, message = error.code_value, f"{error} (stored escaped: {'; '.join(problems)})"
        logger.warning("CRM payload from %s rejected on arrival: %s [%s]", source, message, code)
        return _insert((*row, code, message), REJECTED_INSERT_SQL)
    inserted = _insert(row)
    if inserted:
        schedule_fold()
    return inserted


def schedule_fold() -> None:
    """Ask a worker to fold the outbox once the current transaction commits."""
    if not getattr(settings, "SALEOR_CRM_FOLD_ON_COMMIT", True):
        return
    transaction.on_commit(_publisher.request)


class FoldPublisher:
    """Publishes "fold the outbox" tasks off the request thread.

    Publishing to a broker that is down blocks for seconds (the client's own
    connection retries), which a shop request must never wait for. So the
    request only flips a flag; one background thread publishes. Requests that
    arrive while a publish is in flight are coalesced into one more publish
    after it (a single task drains every pending row). After a failure the
    publisher stays quiet for ``BROKER_BACKOFF_SECONDS`` and the periodic
    sweeper folds what was written meanwhile. With eager Celery (no broker)
    the fold runs in the request itself, as every task does then.
    """

    BROKER_BACKOFF_SECONDS = 15.0

    def __init__(self):
        self._lock = threading.Lock()
        self._executor = None
        self._in_flight = False
        self._again = False
        self._quiet_until = 0.0

    def request(self) -> None:
        if current_app.conf.task_always_eager:
            # No broker (Saleor without one runs every task eagerly): nothing can block, and a fold run in
            # another thread would race this request's next writes, so fold here and now.
            try:
                publish(FOLD_TASK)
            except Exception:  # noqa: BLE001 - never let the fold break the shop's request
                logger.exception("CRM fold failed; the outbox sweeper will fold the pending rows.")
            return
        with self._lock:
            if time.monotonic() < self._quiet_until:
                logger.debug("CRM fold not enqueued: broker marked down; the sweeper will fold it.")
                return
            if self._in_flight:
                self._again = True
                return
            self._in_flight = True
            if self._executor is None:  # created lazily: once per (forked) process
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crm-fold-publisher")
            executor = self._executor
        executor.submit(self._run)

    def _run(self) -> None:
        try:
            while True:
                try:
                    # No publish retries; the sweeper covers a broker outage.
                    publish(FOLD_TASK)
                except Exception as error:  # noqa: BLE001 - never let the broker break the shop
                    with self._lock:
                        self._quiet_until = time.monotonic() + self.BROKER_BACKOFF_SECONDS
                    logger.warning("CRM fold not enqueued (%s); the outbox sweeper will fold it.", error)
                with self._lock:
                    if not self._again or time.monotonic() < self._quiet_until:
                        self._again = False
                        self._in_flight = False
                        return
                    self._again = False
        finally:
            # Eager Celery (no broker) runs the fold in this thread: release its connection.
            connections.close_all()


_publisher = FoldPublisher()
