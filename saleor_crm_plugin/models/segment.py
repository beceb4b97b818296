from django.db import models
from django.utils import timezone


class Segment(models.Model):
    """A saved group of customers defined by a rule (``segments.rules``); membership kept current."""

    name = models.CharField(max_length=120)
    description = models.TextField(blank=True, default="")
    rules = models.JSONField()
    is_predefined = models.BooleanField(default=False, help_text="One per RFM group; not editable.")
    member_count = models.PositiveIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "crm_segment"
        constraints = [models.UniqueConstraint(fields=["name"], name="crm_segment_name_uniq")]


class SegmentMember(models.Model):
    segment = models.ForeignKey(Segment, on_delete=models.CASCADE, related_name="members", db_constraint=False,
                                db_index=False)
    profile = models.ForeignKey("CustomerProfile", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "crm_segment_member"
        constraints = [models.UniqueConstraint(fields=["segment", "profile"], name="crm_segment_member_uniq")]
