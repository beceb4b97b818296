"""Recompute now: every customer's scores, the propensity model and every segment's members, with progress.

The nightly jobs (``schedule.py``) keep a running shop fresh. Two moments
should not wait for the night:

* **the first backfill** (``tasks.backfill_shop``, sent when the plugin is
  switched on): the shop's history was just imported, and until its scores
  exist every customer reads "Not scored", the RFM segments are empty and
  nobody is "at risk";
* **staff asking for it** ("Recompute now" in the overview, the
  ``crmRecomputeStart`` mutation), e.g. after changing a setting the scores
  depend on.

``start_recompute`` records a ``RecomputeRun`` (queued) and sends
``RECOMPUTE_TASK`` by name; a worker runs ``run_recompute``, which records
each step on the row as it goes (``step``, ``done`` of ``total``), so the
Dashboard reads the progress from the database, whichever worker runs it.

One run at a time: a partial unique index lets one run be queued or running,
and a second request returns that one instead of starting another. A run
whose worker died keeps its row "running"; the worker holds
``RECOMPUTE_LOCK`` (a session advisory lock) while it runs, so a running row
with that lock free is known dead and is marked failed (by the next request
or read). A queued run no worker took within ``QUEUED_FOR`` is failed the
same way (workers down, or the message lost).
"""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from .db import exclusive
from .error_codes import RecomputeErrorCode
from .errors import CRMError
from .models import RecomputeRun
from .profiles.propensity import compute_propensity
from .profiles.scores import recompute_scores
from .schedule import RECOMPUTE_TASK, publish
from .segments.membership import refresh_all

logger = logging.getLogger(__name__)

RECOMPUTE_LOCK = 0x43524D05  # "CRM" + 5: held by the worker running a recompute (db.py holds 1 and 3)
QUEUED_FOR = timedelta(hours=1)
STEPS = ("scores", "propensity", "segments")

State = RecomputeRun.State


def _scores(now: datetime) -> dict:
    counts = recompute_scores(now=now)
    return {"customers": dict(counts), "skipped": dict(getattr(counts, "skipped", {}) or {})}


def _propensity(now: datetime) -> dict:
    run = compute_propensity(now=now)
    return {"state": run.state, "method": run.method, "scored": run.scored}


def _segments(now: datetime) -> dict:
    members = refresh_all(now=now)
    return {"segments": len(members), "members": sum(members.values())}


STEP_FUNCTIONS = {"scores": _scores, "propensity": _propensity, "segments": _segments}


def _lock_free() -> bool:
    """Whether no session holds ``RECOMPUTE_LOCK`` now (then no recompute is running anywhere)."""
    with exclusive(RECOMPUTE_LOCK) as taken:
        return taken


def fail_abandoned(now: datetime | None = None) -> int:
    """Mark failed the active run nobody works on: running without its lock, or queued past ``QUEUED_FOR``.

    Returns how many were marked (0 or 1). Cheap: one indexed read unless a run is active.
    """
    now = now or timezone.now()
    active = RecomputeRun.objects.filter(state__in=RecomputeRun.ACTIVE).first()
    if active is None:
        return 0
    if active.state == State.RUNNING:
        if not _lock_free():
            return 0
        error = "The worker stopped before the recompute finished."
    elif active.requested_at < now - QUEUED_FOR:
        error = "No worker started the recompute within an hour; check that a Celery worker is running."
    else:
        return 0
    return RecomputeRun.objects.filter(pk=active.pk, state=active.state).update(
        state=State.FAILED, error=error, finished_at=now)


def start_recompute(reason: str) -> tuple[RecomputeRun, bool]:
    """Queue a recompute for a worker, or return the one queued or running; ``(run, started)``.

    ``reason`` is a ``RecomputeRun.Reason``. Raises ``CRMError``
    (``worker_unavailable``) when the task queue cannot be reached; that run is
    then recorded as failed, so the next request starts afresh.
    """
    fail_abandoned()
    try:
        with transaction.atomic():
            run = RecomputeRun.objects.create(reason=reason, requested_at=timezone.now(), total=len(STEPS))
    except IntegrityError:  # one is queued or running (the partial unique index)
        current = RecomputeRun.objects.filter(state__in=RecomputeRun.ACTIVE).first()
        if current is not None:
            return current, False
        raise  # it finished between the insert and this read: the caller may ask again
    try:
        publish(RECOMPUTE_TASK, (run.pk,))
    except Exception as error:  # noqa: BLE001 - whatever the broker raises, the request gets a coded answer
        logger.warning("CRM recompute %s not sent: %s", run.pk, error)
        RecomputeRun.objects.filter(pk=run.pk).update(
            state=State.FAILED, error="The task queue could not be reached.", finished_at=timezone.now())
        raise CRMError(RecomputeErrorCode.WORKER_UNAVAILABLE,
                       "The task queue could not be reached; try again later.") from None
    logger.info("CRM recompute %s queued (%s)", run.pk, reason)
    return run, True


def run_recompute(run_id: int, now: datetime | None = None) -> dict:
    """Run the queued recompute ``run_id`` step by step (the worker's part); returns what it did.

    A run that is not queued (already taken, or failed meanwhile) is left
    alone. A step that raises fails the run with the error and re-raises, so
    the worker logs it; the scores already written stay (each step replaces
    its rows in one transaction).
    """
    with exclusive(RECOMPUTE_LOCK) as taken:
        if not taken:
            return {"skipped": "recompute_in_progress"}
        started = timezone.now()
        if not RecomputeRun.objects.filter(pk=run_id, state=State.QUEUED).update(
                state=State.RUNNING, started_at=started, total=len(STEPS), done=0):
            return {"skipped": "not_queued"}
        now = now or started
        figures = {}
        for index, step in enumerate(STEPS):
            RecomputeRun.objects.filter(pk=run_id).update(step=step, done=index)
            try:
                figures[step] = STEP_FUNCTIONS[step](now)
            except Exception as error:
                RecomputeRun.objects.filter(pk=run_id).update(
                    state=State.FAILED, error=f"{step}: {error}"[:1000], figures=figures, finished_at=timezone.now())
                raise
            # Each step commits its own rows; a reader sees one step's figures as soon as they are written.
            RecomputeRun.objects.filter(pk=run_id).update(done=index + 1, figures=figures)
        RecomputeRun.objects.filter(pk=run_id).update(state=State.DONE, finished_at=timezone.now())
    logger.info("CRM recompute %s done: %s", run_id, figures)
    return figures


def latest_run() -> RecomputeRun | None:
    """The newest run (after marking an abandoned one failed), or None before the first."""
    fail_abandoned()
    return RecomputeRun.objects.order_by("-pk").first()


def recompute_in_process(reason: str) -> RecomputeRun | None:
    """Record and run a recompute here, not in a worker (``crm_backfill``: a terminal waits for it).

    None when one is queued or running already (its worker will finish it).
    """
    fail_abandoned()
    try:
        with transaction.atomic():
            run = RecomputeRun.objects.create(reason=reason, requested_at=timezone.now(), total=len(STEPS))
    except IntegrityError:
        return None
    run_recompute(run.pk)
    return RecomputeRun.objects.get(pk=run.pk)

