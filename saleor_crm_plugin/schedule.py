"""Periodic CRM work, registered through Celery's own API."""

from celery import signature
from celery.schedules import crontab

from .config import get_setting

# Tasks are named, never imported, by the code that sends them: the outbox
# publishes the fold by name, so capture does not depend on tasks.py.
FOLD_TASK = "saleor_crm_plugin.tasks.process_outbox"
SWEEP_TASK = "saleor_crm_plugin.tasks.sweep_outbox"
ABANDONED_TASK = "saleor_crm_plugin.tasks.detect_abandoned_checkouts"
TRAIN_TASK = "saleor_crm_plugin.tasks.train_recommendations"
ANALYTICS_TASK = "saleor_crm_plugin.tasks.recompute_analytics"


def register_periodic_tasks(app) -> None:
    """Add the sweeper, the abandoned-checkout scan and the nightly training to ``app``'s beat schedule.

    ``add_periodic_task`` defers until the app is configured when needed, so
    this is safe to call from ``AppConfig.ready``.
    """
    interval = float(get_setting("sweep_interval_seconds", use_database=False))
    app.add_periodic_task(interval, signature(SWEEP_TASK), name="crm-outbox-sweeper")
    app.add_periodic_task(
        max(interval, 60.0), signature(ABANDONED_TASK), name="crm-abandoned-checkouts"
    )
    hour = get_setting("training_hour", use_database=False)
    app.add_periodic_task(crontab(hour=hour, minute=17), signature(TRAIN_TASK), name="crm-nightly-training")
    app.add_periodic_task(crontab(hour=hour, minute=2), signature(ANALYTICS_TASK), name="crm-nightly-analytics")
