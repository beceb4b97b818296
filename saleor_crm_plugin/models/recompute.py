"""A "recompute now" of scores, propensity and segments: one row per run, read by the Dashboard for progress."""

from django.db import models
from django.db.models import Q, Value


class RecomputeRun(models.Model):
    """One recompute (``recompute.py``): after the first backfill, or asked for by staff.

    ``done`` of ``total`` steps are finished; ``step`` names the one running.
    At most one run is queued or running at a time (the partial unique index):
    a second request returns that one.
    """

    class State(models.TextChoices):
        QUEUED = "queued"  # handed to the task queue, no worker has started it yet
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    class Reason(models.TextChoices):
        BACKFILL = "backfill"  # the shop's history was just imported
        STAFF = "staff"  # "Recompute now" in the Dashboard or the API

    state = models.CharField(max_length=8, choices=State.choices, default=State.QUEUED)
    reason = models.CharField(max_length=8, choices=Reason.choices)
    step = models.CharField(max_length=16, blank=True, default="", help_text="The step running, or last run.")
    done = models.PositiveSmallIntegerField(default=0)
    total = models.PositiveSmallIntegerField(default=0)
    requested_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    figures = models.JSONField(default=dict, help_text="What each step did: customers scored, segment members.")

    ACTIVE = (State.QUEUED, State.RUNNING)

    class Meta:
        db_table = "crm_recompute_run"
        constraints = [
            # One queued-or-running run: two requests at once cannot both start one.
            models.UniqueConstraint(Value(1), condition=Q(state__in=["queued", "running"]),
                                    name="crm_recompute_one_active"),
        ]
