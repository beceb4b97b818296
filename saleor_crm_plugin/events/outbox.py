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
from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from .schema import Event, InvalidEvent, _datetime, payload_dedupe_key
from .sql import binding_cursor

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


def _row(dedupe_key, kind, source, occurred_at, payload, raw, now):
    raw_json = None if raw is None else json.dumps(raw, default=str)
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


def _insert(row) -> bool:
    if not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute(INSERT_SQL, row)
            return cursor.rowcount == 1
    with connection.cursor() as cursor:
        if not isinstance(cursor.cursor, psycopg.ClientCursor):
            with transaction.atomic():
                cursor.execute(INSERT_SQL, row)
                return cursor.rowcount == 1
        # Savepoint, insert and release in one round trip (simple query
        # protocol): half the latency of Django's savepoint API.
        try:
            cursor.execute(f"SAVEPOINT crm_outbox; {INSERT_SQL}; RELEASE SAVEPOINT crm_outbox", row)
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


def record_payload(payload: dict, *, source: str, raw: dict | None = None) -> bool:
    """Store an untrusted payload (webhook, API) as it came.

    It is validated when folded: a bad payload is kept with status
    ``rejected`` and a reason, for inspection, and does not block the rest.
    """
    if not isinstance(payload, dict):
        payload = {"invalid_payload": payload}
    try:
        occurred_at = _datetime(payload, "occurred_at")
    except InvalidEvent:
        occurred_at = timezone.now()
    row = _row(
        payload_dedupe_key(payload), str(payload.get("kind") or "unknown"), source,
        occurred_at, payload, raw, timezone.now(),
    )
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
    sweeper folds what was written meanwhile.
    """

    BROKER_BACKOFF_SECONDS = 15.0

    def __init__(self):
        self._lock = threading.Lock()
        self._executor = None
        self._in_flight = False
        self._again = False
        self._quiet_until = 0.0

    def request(self) -> None:
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
        from ..tasks import process_outbox

        try:
            while True:
                try:
                    # No publish retries; the sweeper covers a broker outage.
                    process_outbox.apply_async(retry=False)
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
