"""Reading pending outbox rows in batches.

(Reading and parsing the next batch on a helper thread while the current one
is written was tried and measured: GIL contention made the fold slower.)
"""

from dataclasses import dataclass

import orjson

from django.db import connection
from django.utils import timezone

from ..models import CRMEvent
from ..normalized.schema import Event, InvalidEvent, parse_event


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


def read_pending(batch_size: int, older_than_seconds=None, *, only_id: int | None = None) -> list[OutboxRow]:
    """The next pending rows in id order."""
    conditions, params = ["status = 'pending'"], []
    if older_than_seconds:
        conditions.append("created_at <= %s")
        params.append(timezone.now() - timezone.timedelta(seconds=older_than_seconds))
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
            OutboxRow(pk, key, kind, orjson.loads(payload) if isinstance(payload, str) else payload, profile_id)
            for pk, key, kind, payload, profile_id in cursor.fetchall()
        ]
