"""Celery tasks. Saleor's Celery app autodiscovers this module in plugins."""

import logging

from celery import shared_task

from .config import get_setting

try:  # Saleor's tasks may only write inside allow_writer() (its writer/replica rule)
    from saleor.core.db.connection import allow_writer
except ImportError:  # the standalone host has no such rule
    from contextlib import nullcontext as allow_writer

logger = logging.getLogger(__name__)


@shared_task(name="saleor_crm_plugin.tasks.process_outbox", ignore_result=True)
def process_outbox():
    """Fold pending outbox rows (enqueued after the commit that wrote them)."""
    from .events.fold import process_pending

    with allow_writer():
        stats = process_pending()
    return {"processed": stats.processed, "rejected": stats.rejected}


@shared_task(name="saleor_crm_plugin.tasks.sweep_outbox", ignore_result=True)
def sweep_outbox():
    """Fold rows whose on-commit task never ran (broker down, worker crash)."""
    from .events.fold import process_pending

    with allow_writer():
        stats = process_pending(older_than_seconds=get_setting("sweep_after_seconds"))
    if stats.processed or stats.rejected:
        logger.info("CRM sweeper folded %s rows (%s rejected)", stats.processed, stats.rejected)
    return {"processed": stats.processed, "rejected": stats.rejected}


@shared_task(name="saleor_crm_plugin.tasks.detect_abandoned_checkouts", ignore_result=True)
def detect_abandoned_checkouts():
    """Mark idle, uncompleted checkouts as abandoned and update their profiles."""
    from .profiles.checkouts import detect_abandoned_checkouts as detect

    with allow_writer():
        return detect()


@shared_task(name="saleor_crm_plugin.tasks.train_recommendations", ignore_result=True)
def train_recommendations():
    """Retrain every recommendation model and swap the new version in (nightly, or on demand)."""
    from .recommendations.training import TrainingError, train_models

    with allow_writer():
        try:
            record = train_models()
        except TrainingError as error:
            logger.info("CRM recommendation training skipped: %s", error)
            return {"skipped": error.code.value}
    return {"version": record.version, "counts": record.counts}


@shared_task(name="saleor_crm_plugin.tasks.recompute_analytics", ignore_result=True)
def recompute_analytics():
    """Nightly: RFM, lifetime value and churn for everyone, then every saved segment in full."""
    from .profiles.analytics import recompute_analytics as recompute
    from .segments.membership import refresh_all

    with allow_writer():
        counts = recompute()
        segments = refresh_all()
    return {"customers": counts, "segments": segments}
