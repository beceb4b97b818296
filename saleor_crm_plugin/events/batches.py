"""Reading pending outbox rows in batches, with the next batch prepared ahead.

Parsing a batch is Python work and writing one is mostly waiting on
PostgreSQL, so while batch N is written a helper thread reads and parses
batch N+1 on its own connection. That read is only a hint: under the fold
lock the folder re-checks which of those rows are still pending, and reads
normally when nothing was prepared (e.g. inside a test transaction the
helper cannot see).
"""

import json
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from django.db import connection, connections
from django.utils import timezone

from ..models import CRMEvent
from .schema import Event, InvalidEvent, parse_event


@dataclass
class OutboxRow:
    """The columns of a pending ``crm_event`` row the fold needs, and its parse."""

    pk: int
    dedupe_key: str
    kind: str
    payload: dict
    profile_id: int | None
    status: str = CRMEvent.Status.PENDING
    error_code: str = ""
    error_message: str = ""
    event: Event | None = None
    error: InvalidEvent | None = None
    parsed: bool = False

    def parse(self) -> None:
        if not self.parsed:
            try:
                self.event = parse_event(self.payload)
            except InvalidEvent as error:
                self.error = error
            self.parsed = True


def read_pending(
    batch_size: int, older_than_seconds=None, *, after_id: int | None = None, only_id: int | None = None
) -> list[OutboxRow]:
    """The next pending rows in id order (on this thread's connection)."""
    conditions, params = ["status = 'pending'"], []
    if older_than_seconds:
        conditions.append("created_at <= %s")
        params.append(timezone.now() - timezone.timedelta(seconds=older_than_seconds))
    if after_id is not None:
        conditions.append("id > %s")
        params.append(after_id)
    if only_id is not None:
        conditions.append("id = %s")
        params.append(only_id)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, dedupe_key, kind, payload, profile_id FROM crm_event "  # noqa: S608 - fixed text
            f"WHERE {' AND '.join(conditions)} ORDER BY id LIMIT %s",
            [*params, batch_size],
        )
        # Django's cursor hands jsonb over as text (JSONField decodes it itself).
        return [
            OutboxRow(pk, key, kind, json.loads(payload) if isinstance(payload, str) else payload, profile_id)
            for pk, key, kind, payload, profile_id in cursor.fetchall()
        ]


def still_pending(rows: list[OutboxRow]) -> list[OutboxRow]:
    """The rows among ``rows`` that nobody has folded meanwhile."""
    if not rows:
        return []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM crm_event WHERE id = ANY(%s) AND status = 'pending'", [[r.pk for r in rows]]
        )
        pending = {row[0] for row in cursor.fetchall()}
    return [r for r in rows if r.pk in pending]


class BatchPrefetcher:
    """Prepares the next batch on a helper thread (its own DB connection)."""

    def __init__(self, batch_size: int, older_than_seconds=None):
        self.batch_size = batch_size
        self.older_than_seconds = older_than_seconds
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="crm-fold-prefetch")
        self._future: Future | None = None

    def start(self, after_id: int) -> None:
        self._future = self._executor.submit(self._prepare, after_id)

    def _prepare(self, after_id: int) -> list[OutboxRow]:
        rows = read_pending(self.batch_size, self.older_than_seconds, after_id=after_id)
        for row in rows:
            row.parse()
        return rows

    def take(self) -> list[OutboxRow]:
        """The prepared rows (empty if none or if preparing failed)."""
        future, self._future = self._future, None
        if future is None:
            return []
        try:
            return future.result()
        except Exception:  # noqa: BLE001 - only a hint; the folder reads normally
            return []

    def close(self) -> None:
        self.take()
        self._executor.submit(connections.close_all).result()
        self._executor.shutdown()
