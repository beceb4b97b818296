from django.db import models
from django.utils import timezone


class EmailTemplate(models.Model):
    """A marketing mail's sources: Handlebars in subject, preheader, body (MJML or HTML) and text."""

    class Format(models.TextChoices):
        MJML = "mjml"
        HTML = "html"

    name = models.CharField(max_length=120, unique=True)
    subject = models.CharField(max_length=500)
    preheader = models.CharField(max_length=500, blank=True, default="")
    body_format = models.CharField(max_length=8, choices=Format.choices, default=Format.MJML)
    body = models.TextField()
    text = models.TextField(blank=True, default="", help_text="Empty: derived from the HTML.")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "crm_email_template"


class CampaignState(models.TextChoices):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    SENDING = "sending"
    PAUSED = "paused"
    SENT = "sent"
    CANCELLED = "cancelled"


class Campaign(models.Model):
    """A marketing mail to the members of segments, minus exclusions, in one channel.

    At start the template is compiled once into ``compiled`` (what every
    recipient's mail is rendered from, so editing the template later changes
    nothing in flight) and the audience frozen into ``Delivery`` rows.
    """

    name = models.CharField(max_length=120)
    template = models.ForeignKey(EmailTemplate, on_delete=models.PROTECT, related_name="campaigns")
    channel = models.CharField(max_length=255)
    segment_ids = models.JSONField(default=list)
    exclude_segment_ids = models.JSONField(default=list, blank=True)
    from_name = models.CharField(max_length=120, blank=True, default="")
    from_email = models.CharField(max_length=254, blank=True, default="", help_text="Empty: the configured sender.")
    reply_to = models.CharField(max_length=254, blank=True, default="")
    state = models.CharField(max_length=16, choices=CampaignState.choices, default=CampaignState.DRAFT)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    state_changed_at = models.DateTimeField(default=timezone.now)
    pause_reason = models.TextField(blank=True, default="", help_text="Why it was paused by itself (bounce health).")
    holdout_percent = models.PositiveSmallIntegerField(
        default=0, help_text="Share of the eligible audience kept back, never mailed, to measure the lift (0-50).")
    audience_top_percent = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Only the X% of the eligible audience most likely to respond; null: all.")
    compiled = models.JSONField(null=True, blank=True)
    last_progress_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "crm_campaign"
        indexes = [models.Index(fields=["state", "scheduled_at"], name="crm_campaign_state_idx")]


class DeliveryState(models.TextChoices):
    QUEUED = "queued"  # waiting to be sent (or retried after a transient error)
    SENDING = "sending"  # claimed by a worker; the provider may or may not have it
    SENT = "sent"
    SKIPPED = "skipped"  # never sent: see skip_reason
    FAILED = "failed"  # the provider refused it for good (error holds its reason)
    UNKNOWN = "unknown"  # claimed by a worker that died: reported, never resent
    CANCELLED = "cancelled"  # the campaign was cancelled before it was sent


class SkipReason(models.TextChoices):
    NO_CONSENT = "no_consent"
    SUPPRESSED = "suppressed"
    FREQUENCY_CAP = "frequency_cap"
    NO_EMAIL = "no_email"
    ERASED = "erased"
    LOW_PROPENSITY = "low_propensity"  # outside the campaign's "X% most likely to respond"
    HOLDOUT = "holdout"  # kept back at random to measure the campaign's lift


class Delivery(models.Model):
    """One recipient of one campaign (unique campaign and customer) or one automation run (unique run): at most
    one mail, ever."""

    # A campaign's mail, or an automation's (``run``): exactly one of the two.
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="deliveries",
                                 db_constraint=False, db_index=False, null=True, blank=True)
    run = models.OneToOneField("AutomationRun", on_delete=models.CASCADE, related_name="delivery",
                               db_constraint=False, null=True, blank=True)
    profile = models.ForeignKey("CustomerProfile", on_delete=models.DO_NOTHING, related_name="+",
                                db_constraint=False)
    email = models.CharField(max_length=254, null=True, blank=True)
    state = models.CharField(max_length=16, choices=DeliveryState.choices, default=DeliveryState.QUEUED)
    skip_reason = models.CharField(max_length=16, choices=SkipReason.choices, blank=True, default="")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=255, blank=True, default="")
    provider_message_id = models.CharField(max_length=255, blank=True, default="")
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "crm_delivery"
        constraints = [
            models.UniqueConstraint(fields=["campaign", "profile"], name="crm_delivery_campaign_profile"),
            models.CheckConstraint(condition=models.Q(campaign__isnull=True) ^ models.Q(run__isnull=True),
                                   name="crm_delivery_campaign_or_run"),
        ]
        indexes = [
            models.Index(fields=["campaign", "state", "id"], name="crm_delivery_state_idx"),
            # The automation sender's queue.
            models.Index(fields=["id"], name="crm_delivery_run_queue_idx",
                         condition=models.Q(run__isnull=False, state="queued")),
            # The frequency cap counts a customer's recent mails across campaigns.
            models.Index(fields=["profile", "sent_at"], name="crm_delivery_profile_sent_idx",
                         condition=models.Q(sent_at__isnull=False)),
        ]
