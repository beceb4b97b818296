from django.db import models


class CRMSetting(models.Model):
    """A CRM setting saved from the Dashboard (see ``config.get_setting``)."""

    name = models.CharField(max_length=64, unique=True)
    value = models.CharField(max_length=255)

    class Meta:
        db_table = "crm_setting"


class BackfillCursor(models.Model):
    """Where a backfill of one source and entity stopped, so it can resume."""

    source = models.CharField(max_length=64)
    entity = models.CharField(max_length=32)
    position = models.CharField(max_length=128, blank=True, default="")
    done = models.PositiveIntegerField(default=0)
    finished = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "crm_backfill_cursor"
        constraints = [
            models.UniqueConstraint(fields=["source", "entity"], name="crm_backfill_unique")
        ]
