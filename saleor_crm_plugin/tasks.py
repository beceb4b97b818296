"""Celery tasks. Saleor's Celery app autodiscovers this module in plugins."""

import logging

from celery import shared_task

from .campaigns import confirmation, sending
from .campaigns.consent import forget_expired_requests
from .campaigns.automations import running
from .config import get_setting
from .errors import CRMError
from .events.backfill import is_complete, run_backfill_once
from .events.fold import process_pending
from .events.sources.saleor_tables import SaleorSource
from .profiles.propensity import compute_propensity as compute_propensity_now
from .profiles.scores import recompute_scores
from .profiles.checkouts import detect_abandoned_checkouts as detect
from .recommendations.training import TrainingError, train_models
from .recompute import run_recompute, start_recompute
from .models import RecomputeRun
from .schedule import (
    ABANDONED_TASK, ANALYTICS_TASK, AUTOMATION_TASK, BACKFILL_TASK, CAMPAIGN_DISPATCH_TASK, CAMPAIGN_SEND_TASK,
    CONFIRMATION_TASK, FOLD_TASK, FORGET_TASK, PROPENSITY_TASK, RECOMPUTE_TASK, SWEEP_TASK, TRAIN_TASK,
)
from .rate_limits import forget_old_windows
from .segments.membership import refresh_all

try:  # Saleor's tasks may only write inside allow_writer() (its writer/replica rule)
    from saleor.core.db.connection import allow_writer
except ImportError:  # the standalone host has no such rule
    from contextlib import nullcontext as allow_writer

logger = logging.getLogger(__name__)


@shared_task(name=FOLD_TASK, ignore_result=True)
def process_outbox():
    """Fold pending outbox rows (enqueued after the commit that wrote them)."""
    with allow_writer():
        stats = process_pending()
    return {"processed": stats.processed, "rejected": stats.rejected}


@shared_task(name=SWEEP_TASK, ignore_result=True)
def sweep_outbox():
    """Fold rows whose on-commit task never ran (broker down, worker crash)."""
    with allow_writer():
        stats = process_pending(older_than_seconds=get_setting("sweep_after_seconds"))
    if stats.processed or stats.rejected:
        logger.info("CRM sweeper folded %s rows (%s rejected)", stats.processed, stats.rejected)
    return {"processed": stats.processed, "rejected": stats.rejected}


@shared_task(name=ABANDONED_TASK, ignore_result=True)
def detect_abandoned_checkouts():
    """Mark idle, uncompleted checkouts as abandoned and update their profiles."""
    with allow_writer():
        return detect()


@shared_task(name=TRAIN_TASK, ignore_result=True)
def train_recommendations():
    """Retrain every recommendation model and swap the new version in (nightly, or on demand)."""
    with allow_writer():
        try:
            record = train_models()
        except TrainingError as error:
            logger.info("CRM recommendation training skipped: %s", error)
            return {"skipped": error.code_value}
    return {"version": record.version, "counts": record.counts}


@shared_task(name=ANALYTICS_TASK, ignore_result=True)
def recompute_analytics():
    """Nightly: RFM, lifetime value and churn for everyone, then every saved segment in full."""
    with allow_writer():
        counts = recompute_scores()
        segments = refresh_all()
    return {"customers": counts, "segments": segments}


@shared_task(name=PROPENSITY_TASK, ignore_result=True)
def compute_propensity():
    """Nightly: train the response propensity model and score everyone, then every saved segment in full."""
    with allow_writer():
        run = compute_propensity_now()
        segments = refresh_all()
    return {"run": run.pk, "method": run.method, "scored": run.scored, "segments": segments}


@shared_task(name=BACKFILL_TASK, ignore_result=True)
def backfill_shop():
    """Import the shop's existing history from Saleor's tables (sent when the plugin is switched on).

    Resumable and idempotent like ``crm_backfill``; one runs at a time. When
    it has imported anything, a training is requested and a recompute queued
    (``recompute.py``: scores, propensity, segments), so the first day does
    not wait for the nightly jobs.
    """
    with allow_writer():  # the cursors: read from the writer, as they are written (no "unsafe access" warning)
        if is_complete(SaleorSource.name, SaleorSource.entities):
            return {"skipped": "complete"}
    return import_history(SaleorSource())


def import_history(source) -> dict:
    """``backfill_shop``'s work for any backfill source: import, then queue the recompute when anything was
    folded (the training is requested by the backfill itself)."""
    last_logged = {}

    def progress(entity: str, done: int, total: int) -> None:
        step = max(1, total // 10)  # about ten lines per entity: progress in a log, not a flood
        if done - last_logged.get(entity, -step) >= step or done >= total:
            last_logged[entity] = done
            logger.info("CRM backfill: %s %s of %s", entity, f"{done:,}", f"{total:,}")

    with allow_writer():  # the cursors are written here: read them from the writer too (no "unsafe access" warning)
        report = run_backfill_once(source, progress=progress)
    if report is None:
        logger.info("CRM backfill already running; this request is skipped.")
        return {"skipped": "backfill_in_progress"}
    result = {"records": report.records, "events": report.events_stored, "rejected": report.rejected}
    if report.folded:
        result["recompute"] = _queue_recompute()
    return result


def _queue_recompute() -> int | None:
    """Queue the recompute after a backfill; its run id, or None when the queue is down (logged: the
    backfill itself succeeded, and the nightly jobs or "Recompute now" will score the shop)."""
    try:
        with allow_writer():
            run, _ = start_recompute(RecomputeRun.Reason.BACKFILL)
    except CRMError as error:
        logger.warning("CRM recompute after the backfill not queued: %s", error)
        return None
    return run.pk


@shared_task(name=RECOMPUTE_TASK, ignore_result=True)
def recompute_now(run_id):
    """Scores, propensity and segment membership for everyone, recording progress on the run row."""
    with allow_writer():
        return run_recompute(int(run_id))


@shared_task(name=CAMPAIGN_SEND_TASK, ignore_result=True)
def send_campaign(campaign_id):
    """Send a campaign's queued mails for up to a minute (then re-sent); exactly once per recipient."""
    with allow_writer():
        report = sending.send_campaign(int(campaign_id))
    logger.info("CRM campaign %s: %s sent, %s skipped, %s to retry, %s failed in %s batches%s", campaign_id,
                report.sent, report.skipped, report.retried, report.failed, report.batches,
                " (finished)" if report.finished else "")
    return {"sent": report.sent, "failed": report.failed, "finished": report.finished}


@shared_task(name=CAMPAIGN_DISPATCH_TASK, ignore_result=True)
def dispatch_campaigns():
    """Start due campaigns, resume interrupted ones, report mails of unknown fate (every minute)."""
    with allow_writer():
        return sending.dispatch()


@shared_task(name=AUTOMATION_TASK, ignore_result=True)
def run_automations():
    """Plan automation runs for new triggers, turn due runs into mails and send them (every minute)."""
    with allow_writer():
        return running.run_automations()


@shared_task(name=CONFIRMATION_TASK, ignore_result=True)
def send_consent_confirmation(record_id, pending=False):
    """Send the double opt-in confirmation mail of one subscription request (at most once): a signed-in
    customer's consent record, or (``pending``) a visitor's pending subscription."""
    with allow_writer():
        if pending:
            return confirmation.send_pending_confirmation(int(record_id))
        return confirmation.send_confirmation(int(record_id))


@shared_task(name=FORGET_TASK, ignore_result=True)
def forget_expired():
    """Delete pending subscriptions whose link expired and rate-limit windows long past (hourly)."""
    with allow_writer():
        requests, windows = forget_expired_requests(), forget_old_windows()
    if requests or windows:
        logger.info("CRM forgot %d expired subscription requests and %d old rate-limit windows", requests, windows)
    return requests, windows
