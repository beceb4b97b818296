"""What happened to a mail after it was sent, as the ESP or our own click links report it (``campaigns/tracking``)."""

from django.db import models
from django.utils import timezone


class DeliveryEventKind(models.TextChoices):
    DELIVERED = "delivered"
    OPENED = "opened"  # unreliable: mail privacy proxies open every mail
    CLICKED = "clicked"
    BOUNCED = "bounced"  # hard: the address does not take mail
    DEFERRED = "deferred"  # soft: the ESP keeps trying
    REJECTED = "rejected"
    COMPLAINED = "complained"
    UNSUBSCRIBED = "unsubscribed"
    OTHER = "other"


class DeliveryEvent(models.Model):
    """One event about one mail. ``event_id`` is the ESP's (unique per ESP: the same event twice is stored
    once); our own click links have none. ``raw`` keeps the ESP's payload for audit (erasure deletes it)."""

    delivery = models.ForeignKey("Delivery", null=True, blank=True, on_delete=models.CASCADE, related_name="events",
                                 db_constraint=False)
    esp = models.CharField(max_length=32, help_text="The ESP's anymail name, or 'crm' for our click links.")
    event_id = models.CharField(max_length=255, blank=True, default="")
    kind = models.CharField(max_length=16, choices=DeliveryEventKind.choices)
    esp_kind = models.CharField(max_length=32, blank=True, default="", help_text="anymail's event_type.")
    occurred_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(default=timezone.now)
    url = models.TextField(blank=True, default="", help_text="The link clicked.")
    description = models.TextField(blank=True, default="")
    raw = models.JSONField(null=True, blank=True)

    class Meta:
        db_table = "crm_delivery_event"
        constraints = [models.UniqueConstraint(fields=["esp", "event_id"], name="crm_delivery_event_uniq",
                                               condition=~models.Q(event_id=""))]
        indexes = [models.Index(fields=["delivery", "kind", "occurred_at"], name="crm_delivery_event_idx")]
