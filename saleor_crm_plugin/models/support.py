"""Service requests answered by email, their threads, and satisfaction survey answers (``support/``)."""

from django.db import models
from django.utils import timezone


class ServiceRequestKind(models.TextChoices):
    QUESTION = "question"
    COMPLAINT = "complaint"
    LOW_SCORE = "low_score"  # opened by itself when a survey answer is poor


class ServiceRequestStatus(models.TextChoices):
    OPEN = "open"  # waiting for the shop
    ANSWERED = "answered"  # the shop replied; waiting for the customer (or to be closed)
    CLOSED = "closed"


class ServiceRequest(models.Model):
    """A customer's question or complaint (about an order or in general) and where it stands.

    The times are what service is measured by: first response = the first
    reply sent − ``created_at``; resolution = ``closed_at`` − ``created_at``.
    ``email`` is where replies go (the customer's address when they wrote);
    erasure clears it and the subject, and deletes the messages.
    """

    profile = models.ForeignKey("CustomerProfile", on_delete=models.CASCADE, related_name="service_requests",
                                db_constraint=False)
    email = models.CharField(max_length=254, null=True, blank=True)
    channel = models.CharField(max_length=255, blank=True, default="")
    order_id = models.CharField(max_length=64, blank=True, default="", help_text="Saleor's order id, if about one.")
    order_number = models.CharField(max_length=64, blank=True, default="")
    kind = models.CharField(max_length=16, choices=ServiceRequestKind.choices)
    subject = models.CharField(max_length=200)
    status = models.CharField(max_length=16, choices=ServiceRequestStatus.choices, default=ServiceRequestStatus.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    first_response_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=254, blank=True, default="")

    class Meta:
        db_table = "crm_service_request"
        indexes = [
            models.Index(fields=["status", "created_at"], name="crm_service_request_queue_idx"),
            models.Index(fields=["profile", "created_at"], name="crm_service_request_prof_idx"),
        ]

    @property
    def first_response_seconds(self) -> float | None:
        """Seconds from the request to the first reply sent; None before one."""
        return (self.first_response_at - self.created_at).total_seconds() if self.first_response_at else None

    @property
    def resolution_seconds(self) -> float | None:
        """Seconds from the request to its closing; None while it is not closed."""
        return (self.closed_at - self.created_at).total_seconds() if self.closed_at else None


class MessageDirection(models.TextChoices):
    INBOUND = "inbound"  # from the customer (storefront, reply link, survey comment)
    OUTBOUND = "outbound"  # a staff reply, sent by email


class MessageState(models.TextChoices):
    RECEIVED = "received"  # inbound
    SENDING = "sending"  # stored before the provider was called; its fate is not recorded yet
    SENT = "sent"
    FAILED = "failed"


class ServiceMessage(models.Model):
    """One message of a request's thread, with the mail headers that thread it in the customer's mailbox.

    Every message has a deterministic ``message_id``; an outbound one's
    ``in_reply_to`` is the previous message's id and ``references`` the
    thread's ids, oldest first. An outbound row is written (``sending``)
    before the provider is called and ``sent``/``failed`` after, so a retry
    with the same ``idempotency_key`` never sends a second mail.
    """

    request = models.ForeignKey(ServiceRequest, on_delete=models.CASCADE, related_name="messages",
                                db_constraint=False)
    direction = models.CharField(max_length=16, choices=MessageDirection.choices)
    via = models.CharField(max_length=16, blank=True, default="",
                           help_text="storefront, link, survey or staff")
    body = models.TextField()
    author = models.CharField(max_length=254, blank=True, default="", help_text="The staff member (outbound).")
    message_id = models.CharField(max_length=255, blank=True, default="")
    in_reply_to = models.CharField(max_length=255, blank=True, default="")
    references = models.TextField(blank=True, default="")
    state = models.CharField(max_length=16, choices=MessageState.choices, default=MessageState.RECEIVED)
    error = models.TextField(blank=True, default="")
    idempotency_key = models.CharField(max_length=64, null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "crm_service_message"
        indexes = [models.Index(fields=["request", "created_at"], name="crm_service_message_req_idx")]
        constraints = [models.UniqueConstraint(fields=["request", "idempotency_key"],
                                               name="crm_service_message_idem_uniq")]


class SurveyKind(models.TextChoices):
    CSAT = "csat"  # 1 (very unsatisfied) to 5 (very satisfied)
    NPS = "nps"  # 0 to 10: how likely to recommend the shop


class SurveyResponse(models.Model):
    """A customer's answer to one survey; ``key`` names the survey, so a second click updates the same row."""

    profile = models.ForeignKey("CustomerProfile", on_delete=models.CASCADE, related_name="survey_responses",
                                db_constraint=False)
    kind = models.CharField(max_length=8, choices=SurveyKind.choices)
    score = models.SmallIntegerField()
    comment = models.TextField(blank=True, default="")
    order_id = models.CharField(max_length=64, blank=True, default="")
    channel = models.CharField(max_length=255, blank=True, default="")
    key = models.CharField(max_length=200, unique=True)
    answered_at = models.DateTimeField(default=timezone.now)
    request = models.ForeignKey(ServiceRequest, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="survey_responses", db_constraint=False,
                                help_text="The service request a low score opened.")

    class Meta:
        db_table = "crm_survey_response"
        indexes = [
            models.Index(fields=["profile", "kind", "answered_at"], name="crm_survey_profile_idx"),
            models.Index(fields=["answered_at"], name="crm_survey_answered_idx"),
        ]
