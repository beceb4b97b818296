"""Periodic CRM work, and why folding never waits on one scheduler alone.

Three things fold the outbox; any one of them is enough to catch up:

1. The on-commit task (``FOLD_TASK``), published after each commit that
   records an event. It folds *every* pending row, old ones included, so the
   next recorded event also drains a backlog an outage left behind.
2. The sweeper (``SWEEP_TASK``), sent by Celery beat every
   ``sweep_interval_seconds``: it folds rows pending longer than
   ``sweep_after_seconds`` (their task was never published, or was lost).
3. A worker that starts folds what is pending: on ``worker_ready`` it sends
   ``FOLD_TASK`` once. So without beat a backlog is folded at the next worker
   start or the next recorded event, whichever comes first; beat is what
   bounds the wait (two sweeper intervals) and runs the nightly jobs.

The cost is one message per worker start; a fold that finds nothing pending
is one indexed query. The fold drains until nothing is pending under one
advisory lock, so a task never needs to re-publish itself.

How the beat entries reach the scheduler: ``register_periodic_tasks`` adds
them to the Celery app's ``beat_schedule`` from ``AppConfig.ready``. In a beat
process Django is set up while beat initialises its loader (Celery's Django
fix-up, on ``import_modules``), before the scheduler is built and reads
``beat_schedule``; so Celery's file scheduler copies them, and
django-celery-beat's ``DatabaseScheduler`` (and Saleor's subclass, the one
Saleor needs) writes them to its ``PeriodicTask`` table with
``update_or_create`` by name. Names are stable, so a restart updates rows in
place (a changed interval included) and never adds one. On ``beat_init`` the
scheduler exists, and ``complete_beat_schedule`` checks it: an entry it lacks
or holds with another schedule (the app was not Celery's current app when
Django was set up, so the database kept an old row) is written to it, and a
database row of ours that is no longer an entry (a job renamed or removed) is
deleted so it stops running.
"""

import logging

from celery import current_app, signature
from celery.schedules import crontab, maybe_schedule, schedule as celery_schedule
from celery.signals import beat_init, worker_ready

from .config import get_setting

logger = logging.getLogger(__name__)

# Tasks are named, never imported, by the code that sends them: the outbox
# publishes the fold by name, so capture does not depend on tasks.py.
FOLD_TASK = "saleor_crm_plugin.tasks.process_outbox"
SWEEP_TASK = "saleor_crm_plugin.tasks.sweep_outbox"
ABANDONED_TASK = "saleor_crm_plugin.tasks.detect_abandoned_checkouts"
TRAIN_TASK = "saleor_crm_plugin.tasks.train_recommendations"
ANALYTICS_TASK = "saleor_crm_plugin.tasks.recompute_analytics"
PROPENSITY_TASK = "saleor_crm_plugin.tasks.compute_propensity"
BACKFILL_TASK = "saleor_crm_plugin.tasks.backfill_shop"
CAMPAIGN_SEND_TASK = "saleor_crm_plugin.tasks.send_campaign"  # args: campaign id
CAMPAIGN_DISPATCH_TASK = "saleor_crm_plugin.tasks.dispatch_campaigns"
AUTOMATION_TASK = "saleor_crm_plugin.tasks.run_automations"
CONFIRMATION_TASK = "saleor_crm_plugin.tasks.send_consent_confirmation"  # args: request id, pending?
FORGET_TASK = "saleor_crm_plugin.tasks.forget_expired"
RECOMPUTE_TASK = "saleor_crm_plugin.tasks.recompute_now"  # args: RecomputeRun id

# Every beat entry of ours is named ``crm-…`` and runs a task of this package;
# a database row matching both that is not a current entry is stale.
ENTRY_PREFIX = "crm-"
TASK_PREFIX = "saleor_crm_plugin."


def publish(name: str, args: tuple = ()) -> None:
    """Send the task registered under ``name``; raises what the broker raises.

    By name, never by importing ``tasks.py``: through the app's registry when
    the task is known there — so Celery's eager mode (Saleor without a broker)
    runs it — else as a bare signature for a worker to resolve.
    """
    task = current_app.tasks.get(name)
    if task is None and current_app.conf.task_always_eager:
        # Eager Celery runs the task in this process, which must know it: load the app's task
        # modules once, as a worker does when it starts (a web process never has).
        current_app.loader.import_default_modules()
        task = current_app.tasks.get(name)
    (task.signature(args) if task is not None else signature(name, args)).apply_async(retry=False)


def send_task(name: str, reason: str, args: tuple = ()) -> bool:
    """``publish`` that never raises (a broker outage must not break the caller); True when sent."""
    try:
        publish(name, args)
    except Exception as error:  # noqa: BLE001 - the caller is the shop's request or the fold
        logger.warning("CRM task %s (%s) not sent: %s", name, reason, error)
        return False
    logger.info("CRM task %s sent (%s)", name, reason)
    return True


def periodic_entries() -> dict[str, dict]:
    """The CRM's beat entries by name, in ``beat_schedule`` form (task and schedule).

    Intervals come from Django settings, not the database: beat reads them
    once at start-up.
    """
    interval = float(get_setting("sweep_interval_seconds", use_database=False))
    hour = get_setting("training_hour", use_database=False)
    return {
        "crm-outbox-sweeper": {"task": SWEEP_TASK, "schedule": interval},
        "crm-abandoned-checkouts": {"task": ABANDONED_TASK, "schedule": max(interval, 60.0)},
        "crm-campaign-dispatcher": {"task": CAMPAIGN_DISPATCH_TASK,
                                    "schedule": float(get_setting("campaign_dispatch_seconds", use_database=False))},
        "crm-automations": {"task": AUTOMATION_TASK,
                            "schedule": float(get_setting("automation_scan_seconds", use_database=False))},
        "crm-forget-expired": {"task": FORGET_TASK, "schedule": 3600.0},
        "crm-nightly-training": {"task": TRAIN_TASK, "schedule": crontab(hour=hour, minute=17)},
        "crm-nightly-analytics": {"task": ANALYTICS_TASK, "schedule": crontab(hour=hour, minute=2)},
        "crm-nightly-propensity": {"task": PROPENSITY_TASK, "schedule": crontab(hour=hour, minute=32)},
    }


def register_periodic_tasks(app) -> None:
    """Add the sweeper, the abandoned-checkout scan and the nightly jobs to ``app``'s beat schedule.

    ``add_periodic_task`` defers until the app is configured when needed, so
    this is safe to call from ``AppConfig.ready``; registering twice replaces
    the entries (they are keyed by name).
    """
    for name, entry in periodic_entries().items():
        app.add_periodic_task(entry["schedule"], signature(entry["task"]), name=name)


def connect_signals() -> None:
    """Connect the start-up fold and the beat check (idempotent: fixed dispatch ids)."""
    worker_ready.connect(fold_on_worker_start, weak=False, dispatch_uid="crm-fold-on-worker-start")
    beat_init.connect(complete_beat_schedule, weak=False, dispatch_uid="crm-complete-beat-schedule")


def fold_on_worker_start(sender, **kwargs) -> None:
    """On ``worker_ready``: send the fold once, for rows recorded while no task was published.

    Sent through the broker (not run here) so a worker of any queue set-up
    hands it to whichever worker consumes the fold, like the on-commit task.
    """
    send_task(FOLD_TASK, "worker start: folds whatever is pending")


def complete_beat_schedule(sender, **kwargs) -> None:
    """On ``beat_init``: write CRM entries the scheduler lacks or has outdated, delete our stale database rows."""
    scheduler = sender.scheduler
    entries = periodic_entries()
    outdated = {name: entry for name, entry in entries.items() if _outdated(scheduler.schedule.get(name), entry)}
    if outdated:
        logger.warning("CRM beat entries %s were missing or outdated; writing them now", sorted(outdated))
        scheduler.update_from_dict(outdated)
    model = getattr(scheduler, "Model", None)  # django-celery-beat's PeriodicTask (or Saleor's subclass)
    if model is None:
        return
    stale = model._default_manager.filter(
        name__startswith=ENTRY_PREFIX, task__startswith=TASK_PREFIX
    ).exclude(name__in=list(entries))
    names = list(stale.values_list("name", flat=True))
    if names:
        stale.delete()
        for name in names:
            scheduler.schedule.pop(name, None)
        logger.info("CRM removed stale beat entries %s", names)


def _outdated(current, entry: dict) -> bool:
    """Whether the scheduler's ``current`` entry is absent or runs another task or schedule than ``entry``."""
    if current is None:
        return True
    return current.task != entry["task"] or _when(current.schedule) != _when(maybe_schedule(entry["schedule"]))


def _when(schedule):
    """What a schedule means, comparable across schedulers.

    A crontab read back from the database is time-zone aware and never
    ``==`` the one registered, so crontabs compare by their expanded fields.
    """
    if isinstance(schedule, crontab):
        return ("crontab", schedule.minute, schedule.hour, schedule.day_of_week, schedule.day_of_month,
                schedule.month_of_year)
    if isinstance(schedule, celery_schedule):
        return ("every", schedule.run_every)
    return repr(schedule)
