"""Folding outbox rows into facts and profiles.

``process_pending`` takes pending rows in batches under a PostgreSQL advisory
lock (one folder at a time, so profile recomputes never race), parses and
validates each row, resolves customers to profiles, writes facts set-based
and recomputes the profiles the batch touched. A row that fails validation is
marked ``rejected`` with a code and reason and never blocks the rows behind
it; if a whole batch fails unexpectedly, its rows are retried one by one so
only the culprit is set aside. Profiles are recomputed the same way: one whose
recompute fails is set aside with a code and reason
(``profiles.metrics.recompute_isolating``) and the others are recomputed.
"""

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from ..config import get_setting
from ..error_codes import EventErrorCode
from ..models import CRMEvent, CustomerProfile
from ..profiles.identity import ProfileResolver
from ..profiles.metrics import mark_dirty, recompute_marked
from ..profiles.privacy import erase_customer, scrub_events
from ..recommendations.auto_train import request_first_training
from ..shop import note_channels
from .batches import OutboxRow, read_pending
from .facts import reduce_checkouts, reduce_orders, write_checkouts, write_orders, write_products
from ..db import bulk_set, take_fold_lock
from ..normalized.schema import CheckoutEvent, CustomerEvent, InvalidEvent, OrderEvent, ProductEvent

logger = logging.getLogger(__name__)

def _now_sql(now) -> str:
    # A literal keeps bulk_set's parameters to the arrays; isoformat is safe to inline.
    return f"'{now.isoformat()}'::timestamptz"


@dataclass
class FoldStats:
    processed: int = 0
    rejected: int = 0
    batches: int = 0

    def add(self, other: "FoldStats") -> None:
        self.processed += other.processed
        self.rejected += other.rejected
        self.batches += other.batches


def process_pending(
    *,
    batch_size: int | None = None,
    older_than_seconds: float | None = None,
    max_batches: int | None = None,
    progress: Callable[[FoldStats], None] | None = None,
    recompute: bool = True,
) -> FoldStats:
    """Fold pending outbox rows until none are left (or ``max_batches``).

    ``older_than_seconds`` restricts to rows that waited at least that long
    (the sweeper uses it to leave fresh rows to their on-commit task).
    ``recompute=False`` leaves the touched profiles marked for a later
    ``recompute_marked()`` (a backfill recomputes once, at its end).
    """
    batch_size = batch_size or get_setting("fold_batch_size")
    total = FoldStats()
    while max_batches is None or total.batches < max_batches:
        try:
            with transaction.atomic():
                rows = _lock_batch(batch_size, older_than_seconds)
                if not rows:
                    break
                stats = fold_rows(rows)
        except Exception:  # noqa: BLE001 - isolate the failing row, keep the rest moving
            logger.exception("CRM fold batch failed; retrying its rows one by one")
            stats = _fold_one_by_one(batch_size, older_than_seconds)
        total.add(stats)
        if progress:
            progress(total)
    if recompute:
        recompute_marked()
        if total.processed:  # a backfill (recompute=False) asks for its training once, at its end
            request_first_training()
    return total


def _lock_batch(batch_size, older_than_seconds, only_id: int | None = None) -> list[OutboxRow]:
    """Take the fold lock and read the next pending rows.

    The advisory lock already makes this folder the only one, so rows need
    no row locks of their own (``FOR UPDATE`` would dirty every page read).
    """
    take_fold_lock()
    return read_pending(batch_size, older_than_seconds, only_id=only_id)


def _fold_one_by_one(batch_size, older_than_seconds) -> FoldStats:
    stats = FoldStats(batches=1)
    with transaction.atomic():
        ids = [row.pk for row in _lock_batch(batch_size, older_than_seconds)]
    for pk in ids:
        try:
            with transaction.atomic():
                rows = _lock_batch(1, None, only_id=pk)
                if rows:
                    one = fold_rows(rows)
                    stats.processed += one.processed
                    stats.rejected += one.rejected
        except Exception as error:  # noqa: BLE001
            logger.error("CRM event %s could not be folded: %s", pk, error)
            CRMEvent.objects.filter(pk=pk).update(
                status=CRMEvent.Status.REJECTED,
                error_code=EventErrorCode.FOLD_ERROR.value,
                error_message="".join(traceback.format_exception_only(error)).strip()[:2000],
                processed_at=timezone.now(),
            )
            stats.rejected += 1
    return stats


def _reject(row: OutboxRow, error: InvalidEvent, now) -> None:
    logger.warning(
        "CRM event %s (%s) rejected: %s [%s]", row.pk, row.kind, error, error.code.value
    )
    row.status = CRMEvent.Status.REJECTED
    row.error_code = error.code.value
    row.error_message = str(error)


def fold_rows(rows: list[OutboxRow]) -> FoldStats:
    """Fold locked pending rows (inside the caller's transaction)."""
    now = timezone.now()
    stats = FoldStats(batches=1)
    parsed = []
    for row in rows:
        row.parse()
        if row.error is not None:
            _reject(row, row.error, now)
            stats.rejected += 1
        else:
            parsed.append((row, row.event))

    deletions = [(row, e) for row, e in parsed if e.kind == "customer.deleted"]
    regular = [(row, e) for row, e in parsed if e.kind != "customer.deleted" and not isinstance(e, ProductEvent)]
    # Resolve oldest first so identity changes inside one batch apply in time order.
    regular.sort(key=lambda item: (item[1].occurred_at, item[0].dedupe_key))
    resolver = ProfileResolver([e.customer for _, e in regular])
    targets = {}
    for row, event in regular:
        if event.customer.erased:
            targets[row.pk] = row.profile_id
        else:
            targets[row.pk] = resolver.resolve(
                event.customer,
                event.occurred_at,
                account_version=event.updated_at if isinstance(event, CustomerEvent) else None,
            )
    resolver.save()
    profile_ids = {}
    scrubbed = set()
    for pk, target in targets.items():
        if isinstance(target, CustomerProfile):
            profile_ids[pk] = target.pk
        else:  # an erased profile's id (or None for an anonymous checkout)
            profile_ids[pk] = target
            if target is not None:
                scrubbed.add(pk)

    dirty = set(profile_ids.values()) | set(resolver.changed)
    _apply_account_details([(r, e) for r, e in regular if isinstance(e, CustomerEvent)], targets)
    orders = reduce_orders(
        (e, r.dedupe_key, profile_ids[r.pk], r.pk in scrubbed) for r, e in regular if isinstance(e, OrderEvent)
    )
    dirty |= write_orders(orders)
    # Any snapshot naming a checkout completes it, not only the newest one.
    completions = [
        (e.checkout_token, e.placed_at, profile_ids[r.pk])
        for r, e in regular
        if isinstance(e, OrderEvent) and e.checkout_token
    ]
    checkouts = reduce_checkouts(
        ((e, r.dedupe_key, profile_ids[r.pk], r.pk in scrubbed) for r, e in regular if isinstance(e, CheckoutEvent)),
        completions,
    )
    dirty |= write_checkouts(checkouts)
    write_products((e, r.dedupe_key) for r, e in parsed if isinstance(e, ProductEvent))
    note_channels(_channels_named(parsed))

    bulk_set(
        "crm_event",
        ["id", "profile_id"],
        [(row.pk, profile_ids.get(row.pk)) for row, _event in parsed],
        extra=f"status = 'processed', processed_at = {_now_sql(now)}, attempts = crm_event.attempts + 1",
    )
    bulk_set(
        "crm_event",
        ["id", "error_code", "error_message"],
        [(row.pk, row.error_code, row.error_message) for row in rows if row.status == CRMEvent.Status.REJECTED],
        extra=f"status = 'rejected', processed_at = {_now_sql(now)}, attempts = crm_event.attempts + 1",
    )
    scrub_events(scrubbed)
    mark_dirty(dirty - resolver.merged_away - {None})

    # Deletions last, so facts written by this batch are erased as well.
    for row, event in deletions:
        if event.customer.erased:  # folded before (a refold): the erasure stands
            continue
        # Erasure scrubs this deletion event too and attaches it to the anonymized profile.
        erase_customer(user_id=event.customer.user_id, email=event.customer.email, erased_at=event.occurred_at)
    stats.processed += len(parsed)
    return stats


def _channels_named(parsed) -> dict:
    """The channels a batch's orders, checkouts and product listings name: ``{slug: (name, currency)}``, the
    name where a listing carried one (``channel_name``), the currency of its orders and listings."""
    channels: dict = {}
    for _, event in parsed:
        if isinstance(event, (OrderEvent, CheckoutEvent)):
            name, currency = channels.get(event.channel, ("", ""))
            # An order's currency is the channel's; a checkout's too, but an order is the surer witness.
            channels[event.channel] = (name, event.currency if isinstance(event, OrderEvent) else
                                       currency or event.currency)
        elif isinstance(event, ProductEvent):
            for listing in event.channel_listings:
                if isinstance(listing, dict) and isinstance(listing.get("channel"), str):
                    name, currency = channels.get(listing["channel"], ("", ""))
                    channels[listing["channel"]] = (listing.get("channel_name") or name,
                                                    currency or listing.get("currency") or "")
    return channels


def _apply_account_details(items, targets) -> None:
    """Names, activity and join date from account events; the newest wins."""
    newest = {}
    for row, event in items:
        profile = targets.get(row.pk)
        if not isinstance(profile, CustomerProfile):
            continue
        current = newest.get(profile.pk)
        if current is None or (event.updated_at, row.dedupe_key) > (current[1].updated_at, current[0]):
            newest[profile.pk] = (row.dedupe_key, event, profile)
    for _key, event, profile in newest.values():
        if profile.details_updated_at and profile.details_updated_at > event.updated_at:
            continue  # a newer account event was folded before
        profile.first_name = event.customer.first_name
        profile.last_name = event.customer.last_name
        profile.is_active = event.is_active
        profile.account_created_at = event.joined_at or profile.account_created_at
        profile.details_updated_at = event.updated_at
        fields = ["first_name", "last_name", "is_active", "account_created_at", "details_updated_at"]
        if event.customer.phone and not profile.phone:  # an order's phone, newer, wins (profiles.metrics)
            profile.phone = event.customer.phone
            fields.append("phone")
        profile.save(update_fields=fields)


def refold_all(progress: Callable[[FoldStats], None] | None = None) -> FoldStats:
    """Rebuild every fact and profile metric from the stored events.

    Used after an upgrade that changes how events are folded. Erased profiles
    and their tombstones stay, so an erasure is never undone.
    """
    with transaction.atomic():
        with connection.cursor() as cursor:
            take_fold_lock()
            for table in ("crm_order_line", "crm_order", "crm_checkout", "crm_product_snapshot", "crm_customer_spend"):
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - fixed table names
            cursor.execute(
                "UPDATE crm_event SET status = 'pending', processed_at = NULL WHERE status = 'processed'"
            )
            # Every profile is recomputed once at the end (those left without
            # facts too), each failure set aside on its own (``recompute_marked``).
            cursor.execute(
                "INSERT INTO crm_dirty_profile (profile_id) SELECT id FROM crm_customer_profile ON CONFLICT DO NOTHING"
            )
    return process_pending(progress=progress)
