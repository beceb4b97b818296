"""Automations: mails the shop sends by itself when something happens to a customer (``campaigns/automations``).

An ``Automation`` of each kind exists once, switched off until staff switch
it on; its ``AutomationStep`` rows say when (a delay) and with which
template. Each time a trigger fires for a customer, one ``AutomationRun``
per step is written under the unique key (automation, trigger, step): an
event that repeats or arrives late finds the key taken and adds nothing.
A due run becomes a ``Delivery`` (the campaign engine's exactly-once row,
with the same consent, suppression and frequency-cap rules) or is
cancelled or skipped with its reason.
"""

from django.db import models
from django.utils import timezone


class AutomationKind(models.TextChoices):
    ABANDONED_CHECKOUT = "abandoned_checkout", "Abandoned checkout"
    POST_PURCHASE = "post_purchase", "Post-purchase"
    WIN_BACK = "win_back", "Win-back"
    WELCOME = "welcome", "Welcome"
    SATISFACTION_SURVEY = "satisfaction_survey", "Satisfaction survey"


class Automation(models.Model):
    kind = models.CharField(max_length=32, choices=AutomationKind.choices, unique=True)
    enabled = models.BooleanField(default=False)
    # Triggers older than the moment it was switched on are not acted on: switching on never mails history.
    enabled_at = models.DateTimeField(null=True, blank=True)
    channels = models.JSONField(default=list, blank=True, help_text="Channel slugs; empty: every channel.")
    options = models.JSONField(default=dict, blank=True, help_text="Per kind, see campaigns/automations/kinds.py.")
    quiet_start = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Hour (0-23), shop time zone.")
    quiet_end = models.PositiveSmallIntegerField(null=True, blank=True, help_text="Hour (0-23), shop time zone.")
    from_name = models.CharField(max_length=120, blank=True, default="")
    from_email = models.CharField(max_length=254, blank=True, default="")
    reply_to = models.CharField(max_length=254, blank=True, default="")
    planned_at = models.DateTimeField(null=True, blank=True, help_text="The last full scan (win-back: hourly).")
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "crm_automation"


class AutomationStep(models.Model):
    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    enabled = models.BooleanField(default=True)
    delay_seconds = models.PositiveIntegerField()
    template = models.ForeignKey("EmailTemplate", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="automation_steps")

    class Meta:
        db_table = "crm_automation_step"
        constraints = [models.UniqueConstraint(fields=["automation", "position"], name="crm_automation_step_uniq")]
        ordering = ["automation", "position"]


class RunState(models.TextChoices):
    SCHEDULED = "scheduled"  # waiting for its time (or for the end of quiet hours)
    MAILED = "mailed"  # handed to its delivery row; the mail's fate is the delivery's state
    SKIPPED = "skipped"  # the delivery rules said no (reason: the delivery's skip reason)
    CANCELLED = "cancelled"  # the trigger no longer holds (reason says why)


class RunReason(models.TextChoices):
    CHECKOUT_COMPLETED = "checkout_completed"
    ORDERED = "ordered"
    CART_CHANGED = "cart_changed"
    PREVIOUS_STEP_NOT_MAILED = "previous_step_not_mailed"
    SWITCHED_OFF = "switched_off"
    NO_TEMPLATE = "no_template"
    NO_CHANNEL = "no_channel"
    RETURNED = "returned"  # win-back: the customer ordered again before the mail
    ORDER_CANCELLED = "order_cancelled"  # post-purchase, survey: the order no longer counts
    # plus the delivery rules' reasons (models.SkipReason) for skipped runs


class AutomationRun(models.Model):
    automation = models.ForeignKey(Automation, on_delete=models.CASCADE, related_name="runs", db_constraint=False)
    step = models.PositiveSmallIntegerField()
    trigger_key = models.CharField(max_length=200)
    profile = models.ForeignKey("CustomerProfile", on_delete=models.DO_NOTHING, related_name="+",
                                db_constraint=False)
    channel = models.CharField(max_length=255, blank=True, default="")
    due_at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=RunState.choices, default=RunState.SCHEDULED)
    reason = models.CharField(max_length=32, blank=True, default="")
    # What the trigger was when the run was planned (the cart's lines and last change, the order): the mail
    # is written from it, and a cart that changed since is not reminded of.
    context = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "crm_automation_run"
        constraints = [models.UniqueConstraint(fields=["automation", "trigger_key", "step"],
                                               name="crm_automation_run_key")]
        indexes = [
            models.Index(fields=["due_at"], name="crm_automation_run_due_idx",
                         condition=models.Q(state="scheduled")),
            models.Index(fields=["profile", "created_at"], name="crm_automation_run_prof_idx"),
        ]
