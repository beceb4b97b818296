"""Backfill: import existing history through the normalized-event API.

A *source* yields batches of normalized events per entity (customers,
products, orders, checkouts) after a position. The engine records each batch
in the outbox and saves the source position in the same transaction, then
folds, so an interrupted backfill resumes at the last committed batch and a
re-run stores nothing twice (the dedupe keys). A finished backfill that
folded anything asks a worker for a training (``recommendations.auto_train``).
"""

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from django.db import transaction

from ..db import BACKFILL_LOCK_ID, exclusive
from ..models import BackfillCursor
from ..profiles.metrics import recompute_marked
from ..recommendations.auto_train import request_training
from .fold import process_pending
from .outbox import record_many
from ..normalized.schema import Event

logger = logging.getLogger(__name__)


class BackfillSource(Protocol):
    name: str
    entities: tuple[str, ...]

    def count(self, entity: str) -> int:
        """How many records the entity has (for the progress bar)."""

    def batches(self, entity: str, after: str | None, size: int) -> Iterator[tuple[list[Event], str, int]]:
        """Yield ``(events, position, records)`` after ``position`` ``after``."""


@dataclass
class BackfillReport:
    records: dict[str, int] = field(default_factory=dict)
    events_stored: int = 0
    folded: int = 0
    rejected: int = 0


def run_backfill(
    source: BackfillSource,
    *,
    batch_size: int = 1000,
    restart: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    stop_after_batches: int | None = None,
) -> BackfillReport:
    """Import every entity of ``source``; resumable and idempotent.

    ``progress(entity, done, total)`` is called after every batch.
    ``stop_after_batches`` interrupts the run on purpose (tests, trials).
    """
    report = BackfillReport()
    if restart:
        BackfillCursor.objects.filter(source=source.name).delete()
    # Rows committed by an interrupted run but not folded yet.
    _fold(report)
    recompute_marked()
    batches = 0
    for entity in source.entities:
        cursor, _ = BackfillCursor.objects.get_or_create(source=source.name, entity=entity)
        total = source.count(entity)
        report.records[entity] = cursor.done
        if cursor.finished:
            if progress:
                progress(entity, cursor.done, total)
            continue
        for events, position, records in source.batches(entity, cursor.position or None, batch_size):
            with transaction.atomic():
                report.events_stored += record_many(events, source=f"backfill:{source.name}", enqueue=False)
                cursor.position = position
                cursor.done += records
                cursor.save(update_fields=["position", "done", "updated_at"])
            _fold(report)
            report.records[entity] = cursor.done
            if progress:
                progress(entity, cursor.done, total)
            batches += 1
            if stop_after_batches is not None and batches >= stop_after_batches:
                recompute_marked()
                return report
        cursor.finished = True
        cursor.save(update_fields=["finished", "updated_at"])
    # Profiles touched by the batches are recomputed once, here (the marks
    # are durable: an interrupted run recomputes them when it resumes).
    recompute_marked()
    if report.folded:  # the imported history is worth training on now, not at night
        request_training("backfill")
    return report


def is_complete(source_name: str, entities) -> bool:
    """Whether every entity of the source was imported to its end once."""
    return BackfillCursor.objects.filter(source=source_name, entity__in=list(entities), finished=True).count() \
        == len(entities)


def run_backfill_once(source: BackfillSource, **kwargs) -> BackfillReport | None:
    """``run_backfill`` unless another one is running (then None): the task and the command never overlap."""
    with exclusive(BACKFILL_LOCK_ID) as taken:
        return run_backfill(source, **kwargs) if taken else None


def _fold(report: BackfillReport) -> None:
    stats = process_pending(recompute=False)
    report.folded += stats.processed
    report.rejected += stats.rejected
