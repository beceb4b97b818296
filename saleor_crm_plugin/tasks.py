"""Celery tasks. Saleor's Celery app autodiscovers this module in plugins."""

import logging

from celery import shared_task

from .config import get_setting
from .events.fold import process_pending
from .profiles.scores import recompute_scores
from .profiles.checkouts import detect_abandoned_checkouts as detect
from .recommendations.training import TrainingError, train_models
from .schedule import ABANDONED_TASK, ANALYTICS_TASK, FOLD_TASK, SWEEP_TASK, TRAIN_TASK
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
